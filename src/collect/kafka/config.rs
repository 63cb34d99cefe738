//! Connection settings from `--command-config` (Java client `.properties`, as Kafka's own
//! tools take them) and `-X key=value` (librdkafka names, as kcat takes them).
//! Secrets are held here and only ever sent to the broker; `Debug` redacts them.

use super::stores::{self, StoreType};
use crate::collect::properties;
use crate::settings::{bad_input, Input};
use anyhow::{anyhow, bail, Result};
use rustls::pki_types::CertificateDer;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityProtocol {
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}

impl SecurityProtocol {
    pub fn tls(self) -> bool {
        matches!(self, SecurityProtocol::Ssl | SecurityProtocol::SaslSsl)
    }
    pub fn sasl(self) -> bool {
        matches!(
            self,
            SecurityProtocol::SaslPlaintext | SecurityProtocol::SaslSsl
        )
    }
}

#[derive(Clone, PartialEq, Eq)]
pub enum Sasl {
    Plain {
        username: String,
        password: String,
    },
    Scram {
        sha512: bool,
        username: String,
        password: String,
    },
    /// A ready bearer token (OAUTHBEARER), e.g. an unsecured JWT for test clusters or an MSK
    /// IAM token.
    OAuthBearer {
        token: String,
    },
    /// Amazon MSK IAM access control (`sasl.mechanism=AWS_MSK_IAM`, or OAUTHBEARER with the
    /// MSK IAM callback handler): a signed token from the AWS credentials, made at every
    /// connection and sent as OAUTHBEARER.
    MskIam(super::mskiam::MskIam),
    /// OAuth 2 client credentials (KIP-768): a token from the token endpoint, refreshed before
    /// it expires, sent as OAUTHBEARER.
    OAuthClientCredentials(std::sync::Arc<super::oauth::ClientCredentials>),
    /// Kerberos (`sasl.mechanism=GSSAPI`) through the system's GSSAPI library.
    Gssapi(std::sync::Arc<super::gssapi::Kerberos>),
}

impl fmt::Debug for Sasl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sasl::Plain { username, .. } => write!(f, "PLAIN({username}, <redacted>)"),
            Sasl::Scram {
                sha512, username, ..
            } => {
                write!(
                    f,
                    "SCRAM-SHA-{}({username}, <redacted>)",
                    if *sha512 { 512 } else { 256 }
                )
            }
            Sasl::OAuthBearer { .. } => write!(f, "OAUTHBEARER(<redacted>)"),
            Sasl::MskIam(m) => write!(f, "AWS_MSK_IAM({m:?})"),
            Sasl::OAuthClientCredentials(c) => write!(f, "OAUTHBEARER({c:?})"),
            Sasl::Gssapi(k) => write!(f, "{k:?}"),
        }
    }
}

impl Sasl {
    pub fn mechanism(&self) -> &'static str {
        match self {
            Sasl::Plain { .. } => "PLAIN",
            Sasl::Scram { sha512: true, .. } => "SCRAM-SHA-512",
            Sasl::Scram { sha512: false, .. } => "SCRAM-SHA-256",
            Sasl::OAuthBearer { .. } | Sasl::MskIam(_) | Sasl::OAuthClientCredentials(_) => {
                "OAUTHBEARER"
            }
            Sasl::Gssapi(_) => "GSSAPI",
        }
    }
}

impl ConnConfig {
    /// `--region` / `--aws-profile` for MSK IAM authentication, unless the JAAS line names
    /// its own profile.
    pub fn with_aws(mut self, region: Option<&str>, profile: Option<&str>) -> Self {
        if let Some(Sasl::MskIam(m)) = &mut self.sasl {
            if m.region.is_none() {
                m.region = region.map(str::to_string);
            }
            if m.profile.is_none() {
                m.profile = profile.map(str::to_string);
            }
        }
        self
    }
}

#[derive(Clone, Default)]
pub struct Tls {
    /// Trusted CA certificates; `None` uses the bundled public roots.
    pub roots: Option<Vec<CertificateDer<'static>>>,
    /// Client certificate chain and key for mutual TLS.
    pub identity: Option<stores::Identity>,
    /// Where the trusted certificates and the client identity came from (file or setting), for
    /// `--debug`.
    pub roots_from: Option<String>,
    pub identity_from: Option<String>,
    pub verify_hostname: bool,
    pub verify_certificate: bool,
}

/// Key material is never shown; where it came from and the flags are.
impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls")
            .field(
                "roots",
                &match (&self.roots, &self.roots_from) {
                    (Some(r), Some(from)) => format!("{} certificate(s) from {from}", r.len()),
                    _ => "public roots".into(),
                },
            )
            .field(
                "identity",
                &match (&self.identity, &self.identity_from) {
                    (Some(i), Some(from)) => {
                        format!("{} certificate(s) and a key from {from}", i.chain.len())
                    }
                    _ => "-".into(),
                },
            )
            .field("verify_hostname", &self.verify_hostname)
            .field("verify_certificate", &self.verify_certificate)
            .finish()
    }
}

#[derive(Clone, Debug)]
pub struct ConnConfig {
    pub bootstrap: Vec<String>,
    pub protocol: SecurityProtocol,
    pub sasl: Option<Sasl>,
    pub tls: Tls,
    pub client_id: String,
    /// Bound on every request (and connection set-up).
    pub timeout: Duration,
}

pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;

pub(crate) fn jaas_option(jaas: &str, name: &str) -> Option<String> {
    // key="value" or key=value inside a JAAS line.
    let mut rest = jaas;
    while let Some(pos) = rest.find(name) {
        let before_ok = pos == 0
            || !rest.as_bytes()[pos - 1].is_ascii_alphanumeric()
                && rest.as_bytes()[pos - 1] != b'_';
        let after = rest[pos + name.len()..].trim_start();
        if before_ok {
            if let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start();
                if let Some(q) = v.strip_prefix('"') {
                    return q.find('"').map(|end| q[..end].to_string());
                }
                let end = v
                    .find(|c: char| c.is_whitespace() || c == ';')
                    .unwrap_or(v.len());
                return Some(v[..end].to_string());
            }
        }
        rest = &rest[pos + name.len()..];
    }
    None
}

/// The login of a JAAS `Krb5LoginModule` entry (Java's options, as Kafka's clients and
/// ZooKeeper's `Client` section give them): `useKeyTab=true keyTab=… principal=…`, else
/// `useTicketCache=true` (`ticketCache=…`, `principal=…`). `at` prefixes the messages.
pub(crate) fn krb5_login(jaas: &str, at: &str) -> Result<super::gssapi::Login> {
    use super::gssapi::Login;
    let opt = |k: &str| jaas_option(jaas, k);
    let on = |k: &str| opt(k).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    Ok(if on("useKeyTab") {
        // With useTicketCache too, Java tries the cache first and falls back to the
        // keytab; logging in from the keytab reaches the same principal.
        let keytab = opt("keyTab").ok_or_else(|| {
            anyhow!("{at}: useKeyTab=true needs keyTab=\"/path/to/client.keytab\"")
        })?;
        let principal = opt("principal")
            .ok_or_else(|| anyhow!("{at}: useKeyTab=true needs principal=\"name@REALM\""))?;
        Login::Keytab {
            keytab: PathBuf::from(keytab),
            principal,
        }
    } else if on("useTicketCache") {
        Login::TicketCache {
            cache: opt("ticketCache"),
            principal: opt("principal"),
        }
    } else {
        bail!("{at}: Krb5LoginModule needs useKeyTab=true (with keyTab and principal) or useTicketCache=true: kraftcheck does not prompt for a password")
    })
}

/// An unsecured JWT (alg "none"), as Kafka's `OAuthBearerUnsecuredLoginCallbackHandler` makes
/// for `unsecuredLoginStringClaim_sub`.
fn unsecured_jwt(sub: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let now = chrono::Utc::now().timestamp();
    let header = b64.encode(br#"{"alg":"none"}"#);
    let claims = serde_json::json!({"sub": sub, "iat": now, "exp": now + 3600});
    format!("{header}.{}.", b64.encode(claims.to_string()))
}

/// KIP-768 client-credentials settings (Java names, librdkafka's `sasl.oauthbearer.client.*`).
#[derive(Default)]
struct OAuthSettings {
    endpoint: Option<(String, String)>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
    sub_claim: Option<String>,
    refresh_factor: Option<f64>,
    timeout: Option<Duration>,
}

impl OAuthSettings {
    /// `jaas` reads a JAAS option (`clientId`, `clientSecret`, `scope`, and `ssl.*` for TLS to
    /// the endpoint, as Kafka's `JaasOptionsUtils`).
    fn client(
        self,
        jaas: impl Fn(&str) -> Option<String>,
        timeout: Duration,
    ) -> Result<std::sync::Arc<super::oauth::ClientCredentials>> {
        let (endpoint, at) = self.endpoint.expect("checked by the caller");
        let file = endpoint.starts_with("file:");
        let id = self.client_id.or_else(|| jaas("clientId"));
        let secret = self.client_secret.or_else(|| jaas("clientSecret"));
        let (client_id, client_secret) = match (id, secret) {
            (Some(i), Some(s)) => (i, s),
            _ if file => (String::new(), String::new()),
            _ => bail!("{at}: sasl.oauthbearer.token.endpoint.url needs clientId and clientSecret in sasl.jaas.config (OAuthBearerLoginModule)"),
        };
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://") || file) {
            bail!("{at}: sasl.oauthbearer.token.endpoint.url '{endpoint}' is not an http(s) or file: URL");
        }
        let mut tls = Tls {
            verify_hostname: true,
            verify_certificate: true,
            ..Default::default()
        };
        let jaas_at = "sasl.jaas.config";
        let opt = |k: &str| jaas(k).map(|v| (v, jaas_at.to_string()));
        SslSettings {
            truststore: opt("ssl.truststore.location").map(|(v, a)| (PathBuf::from(v), a)),
            truststore_type: opt("ssl.truststore.type"),
            truststore_password: jaas("ssl.truststore.password"),
            ca_pem: opt("ssl.truststore.certificates"),
            ..Default::default()
        }
        .load(&mut tls)?;
        if jaas("ssl.endpoint.identification.algorithm").is_some_and(|v| v.is_empty()) {
            tls.verify_hostname = false;
        }
        Ok(super::oauth::ClientCredentials::new(
            endpoint,
            client_id,
            client_secret,
            self.scope.or_else(|| jaas("scope")),
            self.sub_claim.unwrap_or_else(|| "sub".into()),
            self.refresh_factor.unwrap_or(0.8),
            self.timeout.unwrap_or(timeout),
            tls,
        ))
    }
}

/// `sasl.kerberos.*` as given (Java names; librdkafka's keytab and principal).
#[derive(Default)]
struct KerberosSettings {
    /// (value, where it was set)
    service: Option<(String, String)>,
    keytab: Option<(PathBuf, String)>,
    principal: Option<String>,
}

impl KerberosSettings {
    /// The service name and the login, from `sasl.jaas.config` (Java's `Krb5LoginModule`) or,
    /// without one, librdkafka's `sasl.kerberos.keytab` / `sasl.kerberos.principal` (else the
    /// ticket cache).
    fn kerberos(
        self,
        jaas: Option<&(String, String)>,
        mechanism_set: bool,
    ) -> Result<std::sync::Arc<super::gssapi::Kerberos>> {
        use super::gssapi::{Kerberos, Login};
        let opt = |k: &str| jaas.and_then(|(j, _)| jaas_option(j, k));
        let default = if mechanism_set {
            ""
        } else {
            " (sasl.mechanism is not set: GSSAPI is Kafka's default)"
        };
        // As Kafka's client: the JAAS serviceName or sasl.kerberos.service.name, which must agree.
        let service = match (opt("serviceName"), self.service) {
            (Some(j), Some((c, at))) if j != c => bail!(
                "{at}: sasl.kerberos.service.name '{c}' differs from serviceName '{j}' in sasl.jaas.config"
            ),
            (Some(j), _) => j,
            (None, Some((c, _))) => c,
            (None, None) => bail!(
                "sasl.mechanism GSSAPI needs sasl.kerberos.service.name, the Kerberos service name of the brokers (often 'kafka'){default}"
            ),
        };
        if service.trim().is_empty() {
            bail!("sasl.kerberos.service.name is empty{default}");
        }
        let (login, at) = match jaas {
            Some((j, at)) => {
                let module = j.split_whitespace().next().unwrap_or_default();
                if module != "com.sun.security.auth.module.Krb5LoginModule" {
                    bail!("{at}: sasl.jaas.config: sasl.mechanism GSSAPI needs com.sun.security.auth.module.Krb5LoginModule, not '{module}'");
                }
                let login = krb5_login(j, &format!("{at}: sasl.jaas.config"))?;
                (login, at.clone())
            }
            None => match self.keytab {
                // librdkafka's default principal
                Some((keytab, at)) => (
                    Login::Keytab {
                        keytab,
                        principal: self.principal.unwrap_or_else(|| "kafkaclient".into()),
                    },
                    at,
                ),
                None => (
                    Login::TicketCache {
                        cache: None,
                        principal: self.principal,
                    },
                    "sasl.mechanism GSSAPI".into(),
                ),
            },
        };
        Ok(Kerberos::new(service, login, at, "check sasl.kerberos.service.name and that the broker is reached by the host name in its principal"))
    }
}

/// The `ssl.*` settings as given, loaded into [`Tls`] once all are known.
#[derive(Default)]
struct SslSettings {
    /// (value, where it was set)
    truststore: Option<(PathBuf, String)>,
    truststore_type: Option<(String, String)>,
    truststore_password: Option<String>,
    ca_pem: Option<(String, String)>,
    ca_file: Option<(PathBuf, String)>,
    keystore: Option<(PathBuf, String)>,
    keystore_type: Option<(String, String)>,
    keystore_password: Option<String>,
    key_password: Option<String>,
    cert_pem: Option<(String, String)>,
    key_pem: Option<(String, String)>,
    cert_file: Option<(PathBuf, String)>,
    key_file: Option<(PathBuf, String)>,
}

impl SslSettings {
    /// Read the stores and PEM material (Kafka's default store type is JKS). Every error names
    /// the setting, where it was set and the file, never a password.
    fn load(self, tls: &mut Tls) -> Result<()> {
        let store_type = |t: &Option<(String, String)>, prop: &str| -> Result<StoreType> {
            match t {
                None => Ok(StoreType::Jks),
                Some((v, at)) => StoreType::parse(v).map_err(|e| anyhow!("{at}: {prop} {e}")),
            }
        };
        let trust_type = store_type(&self.truststore_type, "ssl.truststore.type")?;
        let key_type = store_type(&self.keystore_type, "ssl.keystore.type")?;
        let mut roots: Vec<CertificateDer<'static>> = Vec::new();
        let mut from: Vec<String> = Vec::new();
        if let Some((path, at)) = &self.truststore {
            let certs = stores::trust_store(path, trust_type, self.truststore_password.as_deref())
                .map_err(|e| {
                    anyhow!(
                        "{at}: ssl.truststore.location {} ({trust_type}): {e:#}",
                        path.display()
                    )
                })?;
            roots.extend(certs);
            from.push(path.display().to_string());
        }
        if let Some((path, at)) = &self.ca_file {
            let certs = std::fs::read(path)
                .map_err(|e| anyhow!("cannot read it: {e}"))
                .and_then(|d| stores::pem_certs(&d))
                .map_err(|e| anyhow!("{at}: ssl.ca.location {}: {e:#}", path.display()))?;
            roots.extend(certs);
            from.push(path.display().to_string());
        }
        if let Some((pem, at)) = &self.ca_pem {
            roots.extend(
                stores::pem_certs(pem.as_bytes())
                    .map_err(|e| anyhow!("{at}: ssl.truststore.certificates: {e:#}"))?,
            );
            from.push("ssl.truststore.certificates".into());
        }
        if !roots.is_empty() {
            tls.roots = Some(roots);
            tls.roots_from = Some(from.join(", "));
        }
        let key_pw = self.key_password.as_deref();
        if let Some((path, at)) = &self.keystore {
            let id = stores::key_store(path, key_type, self.keystore_password.as_deref(), key_pw)
                .map_err(|e| {
                anyhow!(
                    "{at}: ssl.keystore.location {} ({key_type}): {e:#}",
                    path.display()
                )
            })?;
            tls.identity = Some(id);
            tls.identity_from = Some(path.display().to_string());
        } else if let (Some((chain, at)), Some((key, _))) = (&self.cert_pem, &self.key_pem) {
            tls.identity = Some(
                stores::pem_identity(chain.as_bytes(), key.as_bytes(), key_pw).map_err(|e| {
                    anyhow!("{at}: ssl.keystore.certificate.chain / ssl.keystore.key: {e:#}")
                })?,
            );
            tls.identity_from = Some("ssl.keystore.certificate.chain / ssl.keystore.key".into());
        } else if let (Some((cert, at)), Some((key, _))) = (&self.cert_file, &self.key_file) {
            let read = |p: &Path| {
                std::fs::read(p).map_err(|e| anyhow!("cannot read {}: {e}", p.display()))
            };
            let id = read(cert)
                .and_then(|c| Ok((c, read(key)?)))
                .and_then(|(c, k)| stores::pem_identity(&c, &k, key_pw))
                .map_err(|e| {
                    anyhow!(
                        "{at}: ssl.certificate.location {} / ssl.key.location {}: {e:#}",
                        cert.display(),
                        key.display()
                    )
                })?;
            tls.identity = Some(id);
            tls.identity_from = Some(format!("{}, {}", cert.display(), key.display()));
        } else if let Some((_, at)) = self
            .cert_pem
            .as_ref()
            .or(self.key_pem.as_ref())
            .map(|(_, at)| ((), at))
            .or(self
                .cert_file
                .as_ref()
                .or(self.key_file.as_ref())
                .map(|(_, at)| ((), at)))
        {
            bail!("{at}: mutual TLS needs both a client certificate and its key");
        }
        Ok(())
    }
}

/// The trust (and client certificate) for https `--metrics` URLs: the `ssl.*` settings of the
/// client config, read as for an SSL connection whatever its `security.protocol` (JKS, PKCS12 or
/// PEM, with their passwords; `ssl.endpoint.identification.algorithm`). `None` without a client
/// config or without an https URL: the public roots.
pub fn https_trust(
    metrics: &[String],
    command_config: Option<&Path>,
    overrides: &[String],
    timeout_ms: u64,
) -> Result<Option<Tls>> {
    if !metrics.iter().any(|m| m.starts_with("https://"))
        || (command_config.is_none() && overrides.is_empty())
    {
        return Ok(None);
    }
    let mut o = overrides.to_vec();
    o.push("security.protocol=SSL".into());
    let tls = build("metrics:443", command_config, &o, timeout_ms)
        .map_err(|e| {
            crate::settings::usage(
                format!(
                    "{{0}} https: {}",
                    crate::settings::literal(format!("{e:#}"))
                ),
                &[crate::settings::Input::Metrics],
            )
        })?
        .tls;
    Ok(Some(tls))
}

/// Build the connection config. `command_config` is a Java client properties file;
/// `overrides` are `-X key=value` pairs (librdkafka or Java names), applied last.
pub fn build(
    bootstrap: &str,
    command_config: Option<&Path>,
    overrides: &[String],
    timeout_ms: u64,
) -> Result<ConnConfig> {
    let mut props: Vec<(String, String, String)> = Vec::new(); // (key, value, where)
    if let Some(p) = command_config {
        let text = std::fs::read_to_string(p).map_err(|e| {
            crate::settings::usage(
                format!(
                    "cannot read {{0}} {}",
                    crate::settings::literal(format!("{}: {e}", p.display()))
                ),
                &[crate::settings::Input::CommandConfig],
            )
        })?;
        let name = p.display().to_string();
        for pr in properties::parse(&text, &name)? {
            props.push((pr.key, pr.value, format!("{name}:{}", pr.line)));
        }
    }
    for o in overrides {
        let (k, v) = o
            .split_once('=')
            .ok_or_else(|| anyhow!("-X {o}: expected key=value"))?;
        props.push((
            k.trim().to_string(),
            v.trim().to_string(),
            format!("-X {}", k.trim()),
        ));
    }
    // Config providers (KIP-297/421): `${file:…}`, `${directory:…}`, `${env:…}` in any value
    // of the file or of -X, resolved before anything reads the settings.
    let providers = super::providers::Providers::from_settings(
        props
            .iter()
            .map(|(k, v, at)| (k.as_str(), v.as_str(), at.as_str())),
    )?;
    for (k, v, at) in props.iter_mut() {
        if super::providers::is_provider_key(k) {
            continue;
        }
        if let Some(resolved) = providers
            .resolve(v)
            .map_err(|e| anyhow!("{at}: {k}: {e}"))?
        {
            *v = resolved;
        }
    }
    let bootstrap: Vec<String> = bootstrap
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if bootstrap.is_empty() {
        return Err(bad_input(Input::BootstrapServer, "no host:port given"));
    }
    for b in &bootstrap {
        if b.rsplit_once(':')
            .and_then(|(_, p)| p.parse::<u16>().ok())
            .is_none()
        {
            return Err(bad_input(
                Input::BootstrapServer,
                format!("'{b}' is not host:port"),
            ));
        }
    }
    let mut protocol = SecurityProtocol::Plaintext;
    let mut mechanism = String::from("GSSAPI");
    let mut mechanism_set = false;
    let mut jaas: Option<(String, String)> = None;
    let (mut username, mut password) = (None, None);
    let mut token = None;
    let mut msk_handler = false;
    let mut oauth = OAuthSettings::default();
    let mut tls = Tls {
        verify_hostname: true,
        verify_certificate: true,
        ..Default::default()
    };
    let mut client_id = format!("kraftcheck-{}", env!("CARGO_PKG_VERSION"));
    let mut timeout = Duration::from_millis(timeout_ms);
    let mut ssl = SslSettings::default();
    let mut krb = KerberosSettings::default();
    for (k, v, at) in &props {
        match k.as_str() {
            "security.protocol" => {
                protocol = match v.to_ascii_uppercase().as_str() {
                    "PLAINTEXT" => SecurityProtocol::Plaintext,
                    "SSL" => SecurityProtocol::Ssl,
                    "SASL_PLAINTEXT" => SecurityProtocol::SaslPlaintext,
                    "SASL_SSL" => SecurityProtocol::SaslSsl,
                    other => bail!("{at}: security.protocol '{other}' is not PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL"),
                }
            }
            "sasl.mechanism" | "sasl.mechanisms" => {
                mechanism = v.to_ascii_uppercase();
                mechanism_set = true;
            }
            "sasl.jaas.config" => jaas = Some((v.clone(), at.clone())),
            "sasl.username" => username = Some(v.clone()),
            "sasl.password" => password = Some(v.clone()),
            "sasl.oauthbearer.token" => token = Some(v.clone()),
            "sasl.oauthbearer.token.endpoint.url" => oauth.endpoint = Some((v.clone(), at.clone())),
            "sasl.oauthbearer.sub.claim.name" => oauth.sub_claim = Some(v.clone()),
            "sasl.oauthbearer.client.id" => oauth.client_id = Some(v.clone()),
            "sasl.oauthbearer.client.secret" => oauth.client_secret = Some(v.clone()),
            "sasl.oauthbearer.scope" => oauth.scope = Some(v.clone()),
            "sasl.oauthbearer.method" if v.eq_ignore_ascii_case("oidc") || v.eq_ignore_ascii_case("default") => {}
            "sasl.login.refresh.window.factor" => {
                let f: f64 = v.parse().ok().filter(|f| (0.5..=1.0).contains(f)).ok_or_else(|| anyhow!("{at}: {k} must be between 0.5 and 1.0"))?;
                oauth.refresh_factor = Some(f);
            }
            "sasl.login.read.timeout.ms" => {
                let ms: u64 = v.parse().map_err(|_| anyhow!("{at}: {k} must be a number of milliseconds"))?;
                oauth.timeout = Some(Duration::from_millis(ms));
            }
            "sasl.oauthbearer.scope.claim.name" | "sasl.login.connect.timeout.ms" | "sasl.login.retry.backoff.ms"
            | "sasl.login.retry.backoff.max.ms" | "sasl.login.refresh.window.jitter"
            | "sasl.login.refresh.min.period.seconds" | "sasl.login.refresh.buffer.seconds" => {}
            // Kafka's own OAuth login handler (KIP-768), both package names.
            "sasl.login.callback.handler.class"
                if v == "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler"
                    || v == "org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler" => {}
            "ssl.truststore.location" => ssl.truststore = Some((PathBuf::from(v), at.clone())),
            "ssl.truststore.type" => ssl.truststore_type = Some((v.clone(), at.clone())),
            "ssl.truststore.password" => ssl.truststore_password = Some(v.clone()),
            "ssl.truststore.certificates" => ssl.ca_pem = Some((v.clone(), at.clone())),
            "ssl.ca.location" => ssl.ca_file = Some((PathBuf::from(v), at.clone())),
            "ssl.keystore.location" => ssl.keystore = Some((PathBuf::from(v), at.clone())),
            "ssl.keystore.type" => ssl.keystore_type = Some((v.clone(), at.clone())),
            "ssl.keystore.password" => ssl.keystore_password = Some(v.clone()),
            "ssl.key.password" => ssl.key_password = Some(v.clone()),
            "ssl.keystore.certificate.chain" => ssl.cert_pem = Some((v.clone(), at.clone())),
            "ssl.keystore.key" => ssl.key_pem = Some((v.clone(), at.clone())),
            "ssl.certificate.location" => ssl.cert_file = Some((PathBuf::from(v), at.clone())),
            "ssl.key.location" => ssl.key_file = Some((PathBuf::from(v), at.clone())),
            "ssl.endpoint.identification.algorithm" => {
                tls.verify_hostname = !(v.is_empty() || v.eq_ignore_ascii_case("none"))
            }
            "enable.ssl.certificate.verification" => tls.verify_certificate = !v.eq_ignore_ascii_case("false"),
            "client.id" => client_id = v.clone(),
            "request.timeout.ms" | "default.api.timeout.ms" | "socket.timeout.ms" => {
                let ms: u64 = v.parse().map_err(|_| anyhow!("{at}: {k} must be a number of milliseconds"))?;
                timeout = Duration::from_millis(ms);
            }
            "ssl.protocol" | "ssl.enabled.protocols" | "ssl.cipher.suites" => {}
            "sasl.kerberos.service.name" => krb.service = Some((v.clone(), at.clone())),
            // librdkafka's keytab login
            "sasl.kerberos.keytab" => krb.keytab = Some((PathBuf::from(v), at.clone())),
            "sasl.kerberos.principal" => krb.principal = Some(v.clone()),
            // Ticket renewal (Java) and librdkafka's kinit command: a kraftcheck run gets its
            // tickets once, from the keytab or the ticket cache, and runs no command.
            "sasl.kerberos.kinit.cmd" | "sasl.kerberos.min.time.before.relogin"
            | "sasl.kerberos.ticket.renew.window.factor" | "sasl.kerberos.ticket.renew.jitter" => {}
            // The aws-msk-iam-auth library's handlers: kraftcheck signs MSK IAM tokens itself.
            "sasl.client.callback.handler.class" | "sasl.login.callback.handler.class"
                if v.starts_with("software.amazon.msk.auth.iam.") =>
            {
                msk_handler = true
            }
            k if k.starts_with("ssl.") || k.starts_with("sasl.") => {
                bail!("{at}: setting '{k}' is not supported by kraftcheck's Kafka client")
            }
            k if super::providers::is_provider_key(k) => {}
            // Producer/consumer/admin tuning keys do not change how kraftcheck connects.
            _ => {}
        }
    }
    // As Kafka's client: the stores are only read for a TLS connection.
    if protocol.tls() {
        ssl.load(&mut tls)?;
    }
    let sasl = if protocol.sasl() {
        let jaas_get = |name: &str| jaas.as_ref().and_then(|(j, _)| jaas_option(j, name));
        let user = username.clone().or_else(|| jaas_get("username"));
        let pass = password.clone().or_else(|| jaas_get("password"));
        let need = |u: Option<String>, p: Option<String>| -> Result<(String, String)> {
            match (u, p) {
                (Some(u), Some(p)) => Ok((u, p)),
                _ => bail!("sasl.mechanism {mechanism} needs a username and password (sasl.jaas.config or sasl.username/sasl.password)"),
            }
        };
        Some(match mechanism.as_str() {
            "PLAIN" => {
                let (username, password) = need(user, pass)?;
                Sasl::Plain { username, password }
            }
            "SCRAM-SHA-256" | "SCRAM-SHA-512" => {
                let (username, password) = need(user, pass)?;
                Sasl::Scram { sha512: mechanism.ends_with("512"), username, password }
            }
            "AWS_MSK_IAM" => Sasl::MskIam(super::mskiam::MskIam::from_jaas(|k| jaas_get(k))),
            "OAUTHBEARER" if msk_handler => {
                Sasl::MskIam(super::mskiam::MskIam::from_jaas(|k| jaas_get(k)))
            }
            "OAUTHBEARER" if oauth.endpoint.is_some() => {
                Sasl::OAuthClientCredentials(oauth.client(jaas_get, timeout)?)
            }
            "OAUTHBEARER" => {
                let tok = token.clone().or_else(|| jaas_get("unsecuredLoginStringClaim_sub").map(|s| unsecured_jwt(&s)));
                Sasl::OAuthBearer {
                    token: tok.ok_or_else(|| anyhow!("sasl.mechanism OAUTHBEARER needs a token: sasl.oauthbearer.token, or unsecuredLoginStringClaim_sub in sasl.jaas.config (test clusters)"))?,
                }
            }
            // Kafka's default mechanism, as in Kafka's client.
            "GSSAPI" => Sasl::Gssapi(krb.kerberos(jaas.as_ref(), mechanism_set)?),
            other => bail!("sasl.mechanism {other} is not supported (GSSAPI, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER, AWS_MSK_IAM)"),
        })
    } else {
        None
    };
    Ok(ConnConfig {
        bootstrap,
        protocol,
        sasl,
        tls,
        client_id,
        timeout,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str, x: &[&str]) -> Result<ConnConfig> {
        let d = tempfile::TempDir::new().unwrap();
        let p = d.path().join("client.properties");
        std::fs::write(&p, text).unwrap();
        build(
            "127.0.0.1:9092",
            Some(&p),
            &x.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            5000,
        )
    }

    #[test]
    fn java_scram_config() {
        let c = cfg(
            "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"s3:cr=t\";\nacks=all\n",
            &[],
        )
        .unwrap();
        assert_eq!(c.protocol, SecurityProtocol::SaslSsl);
        assert_eq!(
            c.sasl,
            Some(Sasl::Scram {
                sha512: true,
                username: "alice".into(),
                password: "s3:cr=t".into()
            })
        );
        assert!(!format!("{c:?}").contains("s3:cr=t"), "Debug must redact");
        let k = cfg(
            "security.protocol=SSL\nssl.keystore.type=PEM\nssl.keystore.certificate.chain=x\nssl.keystore.key=-----BEGIN PRIVATE KEY----- MIIsecretKEY\nssl.key.password=KeyPass-Sec\n",
            &[],
        )
        .unwrap_err();
        let msg = format!("{k:#}");
        assert!(
            !msg.contains("MIIsecretKEY") && !msg.contains("KeyPass-Sec"),
            "an error must not show an inline private key or a password: {msg}"
        );
    }

    #[test]
    fn librdkafka_overrides() {
        let c = cfg(
            "",
            &[
                "security.protocol=sasl_plaintext",
                "sasl.mechanisms=PLAIN",
                "sasl.username=u",
                "sasl.password=p",
            ],
        )
        .unwrap();
        assert_eq!(
            c.sasl,
            Some(Sasl::Plain {
                username: "u".into(),
                password: "p".into()
            })
        );
    }

    #[test]
    fn unsupported_settings_are_errors() {
        // A store that cannot be read: the message names the setting, where it was set, the
        // file and the (default) type.
        let e = format!(
            "{:#}",
            cfg(
                "security.protocol=SSL\nssl.truststore.location=/x.jks\nssl.truststore.password=Tpw-Secret\n",
                &[],
            )
            .unwrap_err()
        );
        assert!(
            e.contains("client.properties:2: ssl.truststore.location /x.jks (JKS)")
                && !e.contains("Tpw-Secret"),
            "{e}"
        );
        let e = format!(
            "{:#}",
            cfg("security.protocol=SSL\nssl.keystore.type=JCEKS\n", &[]).unwrap_err()
        );
        assert!(
            e.contains("client.properties:2: ssl.keystore.type JCEKS is not supported"),
            "{e}"
        );
        // GSSAPI needs the service name, as in Kafka's client (GSSAPI is also Kafka's default).
        for text in [
            "security.protocol=SASL_SSL\nsasl.mechanism=GSSAPI\n",
            "security.protocol=SASL_PLAINTEXT\n",
        ] {
            let e = cfg(text, &[]).unwrap_err().to_string();
            assert!(e.contains("sasl.kerberos.service.name"), "{e}");
        }
        let e = cfg("sasl.login.callback.handler.class=x.Y\n", &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("sasl.login.callback.handler.class"), "{e}");
        let e = build("localhost", None, &[], 1000).unwrap_err().to_string();
        assert!(e.contains("host:port"), "{e}");
    }

    #[test]
    fn msk_iam_configs() {
        // The aws-msk-iam-auth library's own client properties.
        let c = cfg(
            "security.protocol=SASL_SSL\nsasl.mechanism=AWS_MSK_IAM\nsasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required awsProfileName=\"msk-reader\";\nsasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler\n",
            &[],
        )
        .unwrap()
        .with_aws(Some("eu-west-1"), Some("ignored"));
        let Some(Sasl::MskIam(m)) = &c.sasl else {
            panic!("{:?}", c.sasl)
        };
        assert_eq!(m.profile.as_deref(), Some("msk-reader"));
        assert_eq!(m.region.as_deref(), Some("eu-west-1"));
        assert_eq!(c.sasl.as_ref().unwrap().mechanism(), "OAUTHBEARER");
        // OAUTHBEARER with the library's OAuth handler means MSK IAM too.
        let c = cfg(
            "security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;\nsasl.login.callback.handler.class=software.amazon.msk.auth.iam.IAMOAuthBearerLoginCallbackHandler\nsasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMOAuthBearerLoginCallbackHandler\n",
            &[],
        )
        .unwrap();
        assert!(matches!(c.sasl, Some(Sasl::MskIam(_))), "{:?}", c.sasl);
        // Other callback handlers are still refused.
        assert!(cfg(
            "security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.login.callback.handler.class=com.example.Handler\n",
            &[]
        )
        .is_err());
    }

    #[test]
    fn stores_are_read_for_tls_connections_only() {
        // A SASL_PLAINTEXT config that also names a store absent here connects, as in Kafka.
        let c = cfg(
            "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.username=u\nsasl.password=p\nssl.truststore.location=/nonexistent/truststore.jks\n",
            &[],
        )
        .unwrap();
        assert!(c.tls.roots.is_none());
    }

    #[test]
    fn oauth_client_credentials_settings() {
        let java = "security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.oauthbearer.token.endpoint.url=https://idp.example/token\nsasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler\nsasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId=\"kc\" clientSecret=\"Cs-Secret-1\" scope=\"kafka\";\n";
        let c = cfg(java, &[]).unwrap();
        let Some(Sasl::OAuthClientCredentials(o)) = &c.sasl else {
            panic!("{:?}", c.sasl)
        };
        assert_eq!(
            (o.client_id.as_str(), o.scope.as_deref()),
            ("kc", Some("kafka"))
        );
        assert_eq!(o.client_secret, "Cs-Secret-1");
        assert!(
            !format!("{c:?}").contains("Cs-Secret-1"),
            "Debug must redact"
        );
        // librdkafka's names
        let c = cfg(
            "security.protocol=SASL_SSL\nsasl.mechanisms=OAUTHBEARER\nsasl.oauthbearer.method=oidc\nsasl.oauthbearer.token.endpoint.url=https://idp.example/token\nsasl.oauthbearer.client.id=kc2\nsasl.oauthbearer.client.secret=s\n",
            &[],
        )
        .unwrap();
        assert!(matches!(&c.sasl, Some(Sasl::OAuthClientCredentials(o)) if o.client_id == "kc2"));
        // no secret: one clear message naming the setting
        let e = cfg(
            "security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.oauthbearer.token.endpoint.url=https://idp.example/token\n",
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("client.properties:3") && e.contains("clientSecret"),
            "{e}"
        );
    }

    #[test]
    fn gssapi_settings() {
        use crate::collect::kafka::gssapi::Login;
        let head = "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=GSSAPI\nsasl.kerberos.service.name=kafka\n";
        let krb = |text: &str| -> Result<(String, Login)> {
            match cfg(text, &[])?.sasl {
                Some(Sasl::Gssapi(k)) => Ok((k.service.clone(), k.login.clone())),
                other => panic!("{other:?}"),
            }
        };
        let (service, login) = krb(&format!("{head}sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab=\"/etc/kafka/client.keytab\" principal=\"kc@EXAMPLE.COM\";\n")).unwrap();
        assert_eq!(service, "kafka");
        assert_eq!(
            login,
            Login::Keytab {
                keytab: "/etc/kafka/client.keytab".into(),
                principal: "kc@EXAMPLE.COM".into()
            }
        );
        let (_, login) = krb(&format!("{head}sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true ticketCache=\"/tmp/cc\";\n")).unwrap();
        assert_eq!(
            login,
            Login::TicketCache {
                cache: Some("/tmp/cc".into()),
                principal: None
            }
        );
        // The JAAS serviceName, as Kafka's client reads it.
        let (service, _) = krb("security.protocol=SASL_PLAINTEXT\nsasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true serviceName=\"kfk\";\n").unwrap();
        assert_eq!(service, "kfk");
        // librdkafka: keytab and principal, else the ticket cache.
        let (_, login) = krb(&format!(
            "{head}sasl.kerberos.keytab=/k.keytab\nsasl.kerberos.principal=p@R\n"
        ))
        .unwrap();
        assert!(matches!(login, Login::Keytab { principal, .. } if principal == "p@R"));
        let (_, login) = krb(head).unwrap();
        assert!(matches!(login, Login::TicketCache { cache: None, .. }));
        // One clear message each, naming the setting.
        for (text, want) in [
            ("useKeyTab=true principal=\"p\"", "needs keyTab"),
            ("useKeyTab=true keyTab=\"/k\"", "needs principal"),
            ("storeKey=true", "does not prompt"),
        ] {
            let e = krb(&format!("{head}sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required {text};\n")).unwrap_err().to_string();
            assert!(e.contains("client.properties:4") && e.contains(want), "{e}");
        }
        let e = krb(&format!("{head}sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";\n")).unwrap_err().to_string();
        assert!(e.contains("Krb5LoginModule"), "{e}");
        let e = krb(&format!("{head}sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true serviceName=\"other\";\n")).unwrap_err().to_string();
        assert!(e.contains("differs"), "{e}");
    }

    #[test]
    fn unsecured_oauthbearer() {
        let c = cfg(
            "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=OAUTHBEARER\nsasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"admin\";\n",
            &[],
        )
        .unwrap();
        let Some(Sasl::OAuthBearer { token }) = c.sasl else {
            panic!()
        };
        assert_eq!(token.split('.').count(), 3);
    }
}
