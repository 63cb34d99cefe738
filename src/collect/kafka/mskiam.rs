//! Amazon MSK IAM authentication for kraftcheck's Kafka client: a token signed with the AWS
//! credentials (aws-msk-iam-sasl-signer: a presigned `kafka-cluster:Connect` URL, base64url),
//! sent as an OAUTHBEARER bearer token, as the MSK IAM signer libraries for non-Java clients
//! do. A token is made for each new connection (and reused while it has more than a minute
//! left); it lasts 15 minutes, and the connection re-authenticates by reconnecting before then.

use anyhow::{anyhow, Context, Result};
use aws_config::Region;
use aws_sdk_kafka::config::SharedCredentialsProvider;
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// Settings from the JAAS line of the aws-msk-iam-auth library, `--region` and `--aws-profile`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MskIam {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub role_arn: Option<String>,
    pub role_session_name: Option<String>,
}

impl fmt::Debug for MskIam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "region={}, profile={}, role={}",
            self.region.as_deref().unwrap_or("(chain)"),
            self.profile.as_deref().unwrap_or("(default)"),
            self.role_arn.as_deref().unwrap_or("(none)")
        )
    }
}

impl MskIam {
    /// `awsProfileName`, `awsRoleArn`, `awsRoleSessionName` as the Java library reads them.
    pub fn from_jaas(get: impl Fn(&str) -> Option<String>) -> MskIam {
        MskIam {
            region: None,
            profile: get("awsProfileName"),
            role_arn: get("awsRoleArn"),
            role_session_name: get("awsRoleSessionName"),
        }
    }

    /// A token for a broker at `host` and when it expires (milliseconds since the epoch).
    pub async fn token(&self, host: &str) -> Result<(String, i64)> {
        let conf = crate::collect::aws::sdk_config(&crate::collect::aws::AwsOptions {
            region: self.region.clone(),
            profile: self.profile.clone(),
            ..Default::default()
        })
        .await;
        let region = self
            .region
            .clone()
            .or_else(|| conf.region().map(|r| r.to_string()))
            .or_else(|| region_from_host(host))
            .ok_or_else(|| {
                crate::settings::usage(
                    "MSK IAM authentication needs the cluster's AWS region: pass {0}",
                    &[crate::settings::Input::Region],
                )
            })?;
        let key = format!("{self:?}|{region}");
        if let Some(t) = cached(&key) {
            return Ok(t);
        }
        let mut provider = conf.credentials_provider().ok_or_else(|| {
            crate::settings::usage(
                "MSK IAM authentication: no AWS credentials (standard chain, {0})",
                &[crate::settings::Input::AwsProfile],
            )
        })?;
        if let Some(role) = &self.role_arn {
            let p = aws_config::sts::AssumeRoleProvider::builder(role)
                .configure(&conf)
                .session_name(
                    self.role_session_name
                        .clone()
                        .unwrap_or_else(|| "kraftcheck".into()),
                )
                .build()
                .await;
            provider = SharedCredentialsProvider::new(p);
        }
        let t = token_with(provider, &region).await?;
        store(&key, &t);
        Ok(t)
    }
}

/// The signer with given credentials (unit tests use static ones).
pub async fn token_with(
    provider: SharedCredentialsProvider,
    region: &str,
) -> Result<(String, i64)> {
    aws_msk_iam_sasl_signer::generate_auth_token_from_credentials_provider(
        Region::new(region.to_string()),
        provider,
    )
    .await
    .map_err(|e| anyhow!("{e}"))
    .context("MSK IAM authentication: cannot sign a token")
}

/// The SASL/OAUTHBEARER initial client response (RFC 7628) for a bearer token.
pub fn initial_response(token: &str) -> Vec<u8> {
    format!("n,,\x01auth=Bearer {token}\x01\x01").into_bytes()
}

/// `b-1.orders.abc123.c2.kafka.us-east-1.amazonaws.com` → `us-east-1`.
pub fn region_from_host(host: &str) -> Option<String> {
    let labels: Vec<&str> = host.split('.').collect();
    let i = labels.iter().position(|l| *l == "kafka")?;
    let region = labels.get(i + 1)?;
    let rest = labels.get(i + 2)?;
    (rest.starts_with("amazonaws") && region.contains('-')).then(|| region.to_string())
}

fn cache() -> &'static Mutex<Option<(String, String, i64)>> {
    static C: OnceLock<Mutex<Option<(String, String, i64)>>> = OnceLock::new();
    C.get_or_init(Default::default)
}

fn cached(key: &str) -> Option<(String, i64)> {
    let now = chrono::Utc::now().timestamp_millis();
    let c = cache().lock().ok()?;
    let (k, t, exp) = c.as_ref()?;
    (k == key && *exp - now > 60_000).then(|| (t.clone(), *exp))
}

fn store(key: &str, t: &(String, i64)) {
    if let Ok(mut c) = cache().lock() {
        *c = Some((key.to_string(), t.0.clone(), t.1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_kafka::config::Credentials;
    use base64::Engine;
    use std::collections::HashMap;

    fn query(url: &str) -> HashMap<String, String> {
        let q = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| {
                (
                    k.to_string(),
                    percent_encoding::percent_decode_str(v)
                        .decode_utf8_lossy()
                        .into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn token_is_a_presigned_connect_url() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let creds = Credentials::new(
            "AKIDEXAMPLE",
            "not-a-real-secret",
            Some("session-tok".into()),
            None,
            "test",
        );
        let (token, expiry) = rt
            .block_on(token_with(
                SharedCredentialsProvider::new(creds),
                "eu-west-1",
            ))
            .unwrap();
        // base64url without padding, so it travels in a SASL frame as is.
        assert!(token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        let url = String::from_utf8(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(&token)
                .unwrap(),
        )
        .unwrap();
        assert!(
            url.starts_with("https://kafka.eu-west-1.amazonaws.com/?"),
            "{url}"
        );
        let q = query(&url);
        assert_eq!(q["Action"], "kafka-cluster:Connect");
        assert_eq!(q["X-Amz-Algorithm"], "AWS4-HMAC-SHA256");
        assert_eq!(q["X-Amz-Expires"], "900");
        assert_eq!(q["X-Amz-SignedHeaders"], "host");
        assert_eq!(q["X-Amz-Security-Token"], "session-tok");
        let cred: Vec<&str> = q["X-Amz-Credential"].split('/').collect();
        assert_eq!(cred[0], "AKIDEXAMPLE");
        assert_eq!(cred[2], "eu-west-1");
        assert_eq!(cred[3], "kafka-cluster");
        assert_eq!(cred[4], "aws4_request");
        assert_eq!(q["X-Amz-Signature"].len(), 64);
        assert!(q["User-Agent"].starts_with("aws-msk-iam-sasl-signer-rs/"));
        assert!(
            !url.contains("not-a-real-secret"),
            "the secret key is never in the token"
        );
        let now = chrono::Utc::now().timestamp_millis();
        assert!(expiry > now + 14 * 60_000 && expiry <= now + 15 * 60_000 + 1000);
        // Framed as OAUTHBEARER's initial client response.
        let ir = initial_response(&token);
        assert!(ir.starts_with(b"n,,\x01auth=Bearer "));
        assert!(ir.ends_with(b"\x01\x01"));
    }

    #[test]
    fn regions_come_from_msk_host_names() {
        assert_eq!(
            region_from_host("b-1.orders.abc123.c2.kafka.us-east-1.amazonaws.com").as_deref(),
            Some("us-east-1")
        );
        assert_eq!(
            region_from_host("b-2-public.orders.x.c3.kafka.cn-north-1.amazonaws.com.cn").as_deref(),
            Some("cn-north-1")
        );
        assert_eq!(region_from_host("127.0.0.1"), None);
        assert_eq!(region_from_host("kafka.example.com"), None);
    }
}
