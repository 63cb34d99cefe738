//! OAuth 2 client credentials for SASL/OAUTHBEARER (KIP-768), as Kafka's
//! `OAuthBearerLoginCallbackHandler` does it: POST `grant_type=client_credentials` (and `scope`)
//! to `sasl.oauthbearer.token.endpoint.url` with HTTP Basic authentication of the URL-encoded
//! `clientId` and `clientSecret` from the JAAS options; the answer's `access_token` must be a JWT
//! with an `exp` and a subject claim. TLS to the endpoint trusts the JAAS options' `ssl.truststore.*`
//! (as Kafka's `JaasOptionsUtils`), else the public roots. A `file:` URL reads the token from a
//! file instead.
//!
//! One token serves every connection of the run; it is fetched again once
//! `sasl.login.refresh.window.factor` (default 0.8) of its lifetime has passed, and connections
//! re-authenticate with the new one (see `Conn`). The client secret and the tokens appear in no
//! message and no `Debug` output.

use super::config::Tls;
use anyhow::{anyhow, bail, Result};
use base64::Engine;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct ClientCredentials {
    pub endpoint: String,
    pub client_id: String,
    pub client_secret: String,
    pub scope: Option<String>,
    /// Claim that names the principal (`sasl.oauthbearer.sub.claim.name`, default `sub`).
    pub sub_claim: String,
    pub refresh_factor: f64,
    /// Bound on the token request (`sasl.login.read.timeout.ms`, else `--timeout-ms`).
    pub timeout: Duration,
    pub tls: Tls,
    cache: tokio::sync::Mutex<Option<(String, Instant)>>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "OAuth client credentials(endpoint {}, client {}, secret <redacted>, scope {:?})",
            self.endpoint, self.client_id, self.scope
        )
    }
}

impl PartialEq for ClientCredentials {
    fn eq(&self, o: &Self) -> bool {
        (&self.endpoint, &self.client_id, &self.scope) == (&o.endpoint, &o.client_id, &o.scope)
    }
}

impl Eq for ClientCredentials {}

impl ClientCredentials {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        endpoint: String,
        client_id: String,
        client_secret: String,
        scope: Option<String>,
        sub_claim: String,
        refresh_factor: f64,
        timeout: Duration,
        tls: Tls,
    ) -> Arc<Self> {
        Arc::new(ClientCredentials {
            endpoint,
            client_id,
            client_secret,
            scope,
            sub_claim,
            refresh_factor,
            timeout,
            tls,
            cache: tokio::sync::Mutex::new(None),
        })
    }

    /// A valid token and when to re-authenticate with a fresh one.
    pub async fn token(&self) -> Result<(String, Instant)> {
        let mut cache = self.cache.lock().await;
        if let Some((t, refresh_at)) = cache.as_ref() {
            if Instant::now() < *refresh_at {
                return Ok((t.clone(), *refresh_at));
            }
        }
        let started = Instant::now();
        let token = tokio::time::timeout(self.timeout, self.fetch())
            .await
            .map_err(|_| {
                anyhow!(
                    "OAuth token endpoint {}: no answer within {} ms",
                    self.endpoint,
                    self.timeout.as_millis()
                )
            })??;
        let lifetime_ms = self.check_jwt(&token)?;
        // A far-off `exp` (or a hostile one) must not overflow the clock: refresh within a day.
        let refresh_ms = (lifetime_ms as f64 * self.refresh_factor).clamp(1000.0, 86_400_000.0);
        let refresh_at = started + Duration::from_millis(refresh_ms as u64);
        crate::debug::note(|| {
            format!(
                "OAuth token from {} in {:.1} ms, valid {} s",
                self.endpoint,
                started.elapsed().as_secs_f64() * 1000.0,
                lifetime_ms / 1000
            )
        });
        *cache = Some((token.clone(), refresh_at));
        Ok((token, refresh_at))
    }

    async fn fetch(&self) -> Result<String> {
        let url = &self.endpoint;
        if let Some(path) = url.strip_prefix("file:") {
            let path = path.trim_start_matches("//");
            return std::fs::read_to_string(path)
                .map(|t| t.trim().to_string())
                .map_err(|e| anyhow!("OAuth token file {path}: {e}"));
        }
        let enc = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            enc(&self.client_id),
            enc(&self.client_secret)
        ));
        let mut body = String::from("grant_type=client_credentials");
        if let Some(s) = &self.scope {
            body.push_str(&format!("&scope={}", enc(s)));
        }
        let raw = crate::collect::metrics::request(
            url,
            "POST",
            &[
                ("Authorization", format!("Basic {basic}")),
                ("Accept", "application/json".into()),
                ("Content-Type", "application/x-www-form-urlencoded".into()),
                ("Cache-Control", "no-cache".into()),
            ],
            body.as_bytes(),
            &self.tls,
        )
        .await
        .map_err(|e| anyhow!("OAuth token endpoint: {e:#}"))?;
        let (code, status, text) = crate::collect::metrics::parse_response(url, &raw)
            .map_err(|e| anyhow!("OAuth token endpoint: {e:#}"))?;
        let json: Option<serde_json::Value> = serde_json::from_str(&text).ok();
        if code != 200 {
            // RFC 6749 §5.2 error fields only: the rest of the body is not shown.
            let why = json
                .as_ref()
                .map(|j| {
                    [j["error"].as_str(), j["error_description"].as_str()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(": ")
                })
                .filter(|s| !s.is_empty())
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            bail!("OAuth token endpoint {url}: HTTP {status}{why}");
        }
        let Some(json) = json else {
            bail!("OAuth token endpoint {url}: the answer is not JSON");
        };
        match json["access_token"].as_str() {
            Some(t) if !t.is_empty() => Ok(t.to_string()),
            _ => bail!("OAuth token endpoint {url}: the answer has no access_token"),
        }
    }

    /// As Kafka's `LoginAccessTokenValidator`: a JWT with `exp` in the future and a subject.
    /// Returns the remaining lifetime in ms.
    fn check_jwt(&self, token: &str) -> Result<i64> {
        let what = format!("OAuth token endpoint {}: the access_token", self.endpoint);
        let parts: Vec<&str> = token.split('.').collect();
        if parts.len() != 3 {
            bail!("{what} is not a JWT");
        }
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1].trim_end_matches('='))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .ok_or_else(|| anyhow!("{what} is not a JWT (payload is not JSON)"))?;
        let exp = payload["exp"]
            .as_f64()
            .ok_or_else(|| anyhow!("{what} has no exp claim"))?;
        if payload[&self.sub_claim].as_str().is_none_or(str::is_empty) {
            bail!("{what} has no {} claim", self.sub_claim);
        }
        let left = (exp * 1000.0) as i64 - chrono::Utc::now().timestamp_millis();
        if left <= 0 {
            bail!("{what} has already expired");
        }
        Ok(left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(sub: &str, exp_in_s: i64) -> String {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let exp = chrono::Utc::now().timestamp() + exp_in_s;
        format!(
            "{}.{}.c2ln",
            b64.encode(br#"{"alg":"RS256"}"#),
            b64.encode(serde_json::json!({"sub": sub, "exp": exp}).to_string())
        )
    }

    fn client(url: String, factor: f64) -> Arc<ClientCredentials> {
        ClientCredentials::new(
            url,
            String::new(),
            String::new(),
            None,
            "sub".into(),
            factor,
            Duration::from_secs(2),
            Tls::default(),
        )
    }

    /// One token serves until `factor` of its lifetime has passed; then a new one is fetched.
    #[tokio::test]
    async fn token_is_reused_then_refreshed_before_expiry() {
        let d = tempfile::TempDir::new().unwrap();
        let f = d.path().join("token");
        let first = jwt("a", 4);
        std::fs::write(&f, &first).unwrap();
        let c = client(format!("file:{}", f.display()), 0.5);
        let (t1, refresh_at) = c.token().await.unwrap();
        assert_eq!(t1, first);
        let wait = refresh_at - Instant::now();
        assert!(
            wait > Duration::from_millis(1000) && wait <= Duration::from_millis(2000),
            "{wait:?}"
        );
        std::fs::write(&f, jwt("b", 60)).unwrap();
        assert_eq!(
            c.token().await.unwrap().0,
            first,
            "cached until the refresh time"
        );
        tokio::time::sleep(wait + Duration::from_millis(50)).await;
        let (t2, _) = c.token().await.unwrap();
        assert_ne!(t2, first, "refreshed before the first token expired");
    }

    #[tokio::test]
    async fn a_far_off_expiry_does_not_overflow() {
        let d = tempfile::TempDir::new().unwrap();
        let f = d.path().join("token");
        std::fs::write(&f, jwt("a", 9_000_000_000_000)).unwrap();
        let (_, refresh_at) = client(format!("file:{}", f.display()), 0.8)
            .token()
            .await
            .unwrap();
        assert!(refresh_at <= Instant::now() + Duration::from_secs(86_400));
    }

    #[tokio::test]
    async fn tokens_kafka_would_refuse_are_refused() {
        let d = tempfile::TempDir::new().unwrap();
        let f = d.path().join("token");
        for (token, want) in [
            ("not-a-jwt".to_string(), "is not a JWT"),
            (jwt("", 60), "has no sub claim"),
            (jwt("a", -10), "has already expired"),
        ] {
            std::fs::write(&f, &token).unwrap();
            let e = client(format!("file:{}", f.display()), 0.8)
                .token()
                .await
                .unwrap_err()
                .to_string();
            assert!(e.contains(want) && !e.contains(&token), "{e}");
        }
    }
}
