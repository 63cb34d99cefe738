//! One connection to one broker: TCP or TLS, ApiVersions, SASL, and typed requests.
//!
//! Read-only by construction: [`Conn::send`] refuses every API key that is not on the
//! [`READ_ONLY_APIS`] list, so no code path can send a mutating request.

use super::config::{ConnConfig, Sasl};
use super::scram::Scram;
use anyhow::{anyhow, bail, Context, Result};
use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, RequestHeader, ResponseHeader,
    SaslAuthenticateRequest, SaslHandshakeRequest,
};
use kafka_protocol::protocol::{Decodable, Encodable, Request, StrBytes};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// The only requests kraftcheck ever sends: Describe/List/Metadata/ApiVersions-type reads
/// and the SASL handshake.
pub const READ_ONLY_APIS: &[ApiKey] = &[
    ApiKey::ApiVersions,
    ApiKey::SaslHandshake,
    ApiKey::SaslAuthenticate,
    ApiKey::Metadata,
    ApiKey::DescribeConfigs,
    ApiKey::DescribeAcls,
    ApiKey::DescribeUserScramCredentials,
    ApiKey::DescribeClientQuotas,
    ApiKey::ListGroups,
    ApiKey::DescribeGroups,
    ApiKey::FindCoordinator,
    ApiKey::OffsetFetch,
    ApiKey::ListOffsets,
    ApiKey::DescribeLogDirs,
    ApiKey::ListPartitionReassignments,
    ApiKey::ListTransactions,
    ApiKey::DescribeTransactions,
    ApiKey::DescribeProducers,
    ApiKey::DescribeCluster,
    ApiKey::DescribeQuorum,
    ApiKey::DescribeDelegationToken,
];

/// Requests in flight at once across all brokers, unless `--max-in-flight` says otherwise:
/// enough for a collect's per-broker parallelism, few enough that a large cluster never sees a
/// burst of hundreds of requests (issue 15).
pub const DEFAULT_MAX_IN_FLIGHT: usize = 8;

/// The broker-load caps of this process (issue 15): requests in flight at once, and an optional
/// spacing between request starts (`--max-requests-per-sec`).
struct Limits {
    in_flight: tokio::sync::Semaphore,
    spacing: Option<std::time::Duration>,
    next: Mutex<std::time::Instant>,
}

fn limits_cell() -> &'static Mutex<Option<Arc<Limits>>> {
    static L: OnceLock<Mutex<Option<Arc<Limits>>>> = OnceLock::new();
    L.get_or_init(|| Mutex::new(None))
}

fn limits() -> Arc<Limits> {
    let mut l = limits_cell().lock().expect("limits lock");
    l.get_or_insert_with(|| Arc::new(Limits::new(DEFAULT_MAX_IN_FLIGHT, None)))
        .clone()
}

impl Limits {
    fn new(max_in_flight: usize, per_sec: Option<f64>) -> Self {
        Limits {
            in_flight: tokio::sync::Semaphore::new(max_in_flight.max(1)),
            spacing: per_sec
                .filter(|r| *r > 0.0)
                .map(|r| std::time::Duration::from_secs_f64(1.0 / r)),
            next: Mutex::new(std::time::Instant::now()),
        }
    }
}

/// Set the broker-load caps for the requests that follow: at most `max_in_flight` requests
/// outstanding at once (all brokers together), and at most `per_sec` request starts per second.
pub fn set_request_limits(max_in_flight: usize, per_sec: Option<f64>) {
    *limits_cell().lock().expect("limits lock") =
        Some(Arc::new(Limits::new(max_in_flight, per_sec)));
}

/// Requests sent per API key in this process (for `--debug` output and benchmarks).
pub fn request_counts() -> Vec<(String, u64)> {
    let m = counters().lock().expect("counter lock");
    let mut v: Vec<(String, u64)> = m
        .iter()
        .map(|(k, c)| (format!("{k:?}"), c.load(Ordering::Relaxed)))
        .collect();
    v.sort();
    v
}

fn counters() -> &'static Mutex<HashMap<ApiKey, Arc<AtomicU64>>> {
    static C: OnceLock<Mutex<HashMap<ApiKey, Arc<AtomicU64>>>> = OnceLock::new();
    C.get_or_init(Default::default)
}

fn count(key: ApiKey) {
    let c = counters()
        .lock()
        .expect("counter lock")
        .entry(key)
        .or_default()
        .clone();
    c.fetch_add(1, Ordering::Relaxed);
}

/// The host of HOST:PORT (an IPv6 literal without its brackets), as connected: the TLS server
/// name, the MSK IAM signing host and the GSSAPI service host.
fn host_of(addr: &str) -> &str {
    addr.rsplit_once(':')
        .map(|(h, _)| h.trim_matches(['[', ']']))
        .unwrap_or(addr)
}

/// Largest response frame read from a broker. A Metadata response for a million partitions is
/// about 50 MB; a larger length prefix is a broken or hostile peer, refused before any read.
pub const MAX_RESPONSE_BYTES: usize = 512 * 1024 * 1024;

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

pub struct Conn {
    io: Box<dyn Io>,
    cfg: ConnConfig,
    /// Set when a request timed out: the stream is out of step and must be reopened.
    broken: bool,
    /// When the SASL credentials (an MSK IAM token) expire: reconnect before then.
    reauth_at: Option<std::time::Instant>,
    pub addr: String,
    correlation: i32,
    client_id: StrBytes,
    timeout: std::time::Duration,
    /// Broker's supported version range per API key.
    pub versions: HashMap<i16, (i16, i16)>,
    /// The full ApiVersions response (finalized features, zk_migration_ready, …).
    pub api_versions: ApiVersionsResponse,
}

impl Conn {
    /// Connect, negotiate versions and authenticate, all within the configured timeout.
    pub async fn connect(addr: &str, cfg: &ConnConfig) -> Result<Conn> {
        if let Some(Sasl::OAuthClientCredentials(c)) = &cfg.sasl {
            // The token first, bounded by its own timeout: a failing token endpoint is reported
            // as such, not as a broker that did not answer.
            c.token().await?;
        }
        if let Some(Sasl::Gssapi(k)) = &cfg.sasl {
            // Likewise the Kerberos login (the initial ticket from the KDC), once per run.
            k.login(cfg.timeout).await?;
        }
        tokio::time::timeout(cfg.timeout, Self::connect_inner(addr, cfg))
            .await
            .map_err(|_| {
                anyhow!(
                    "{addr}: no answer within {} ms (connect/authenticate)",
                    cfg.timeout.as_millis()
                )
            })?
    }

    async fn connect_inner(addr: &str, cfg: &ConnConfig) -> Result<Conn> {
        let started = std::time::Instant::now();
        let tcp = TcpStream::connect(addr)
            .await
            .with_context(|| format!("{addr}: cannot connect"))?;
        tcp.set_nodelay(true).ok();
        let io: Box<dyn Io> = if cfg.protocol.tls() {
            let host = host_of(addr);
            Box::new(
                super::tls::connect(tcp, host, &cfg.tls)
                    .await
                    .with_context(|| format!("{addr}: TLS handshake failed"))?,
            )
        } else {
            Box::new(tcp)
        };
        let mut conn = Conn {
            io,
            cfg: cfg.clone(),
            broken: false,
            reauth_at: None,
            addr: addr.to_string(),
            correlation: 0,
            client_id: StrBytes::from_string(cfg.client_id.clone()),
            timeout: cfg.timeout,
            versions: HashMap::new(),
            api_versions: ApiVersionsResponse::default(),
        };
        let transport = started.elapsed();
        if let Some(sasl) = &cfg.sasl {
            conn.authenticate(sasl).await?;
        }
        // The cost of each login path (issue 11): TCP (+ TLS handshake), then SASL.
        crate::debug::note(|| {
            format!(
                "connect {addr}: {:?}{} {:.1} ms, authenticate {} {:.1} ms",
                cfg.protocol,
                if cfg.tls.identity.is_some() {
                    " (mTLS)"
                } else {
                    ""
                },
                transport.as_secs_f64() * 1000.0,
                cfg.sasl.as_ref().map_or("-", |s| s.mechanism()),
                (started.elapsed() - transport).as_secs_f64() * 1000.0
            )
        });
        conn.negotiate().await?;
        Ok(conn)
    }

    async fn negotiate(&mut self) -> Result<()> {
        let req = ApiVersionsRequest::default()
            .with_client_software_name(StrBytes::from_static_str("kraftcheck"))
            .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
        let resp = match self.send_raw(req.clone(), 3).await {
            Ok(r) if r.error_code == 0 => r,
            // Brokers before 2.4 answer an unknown ApiVersions version in v0 format.
            _ => self.send_raw(req, 0).await?,
        };
        if resp.error_code != 0 {
            bail!(
                "{}: ApiVersions failed with error code {}",
                self.addr,
                resp.error_code
            );
        }
        self.versions = resp
            .api_keys
            .iter()
            .map(|k| (k.api_key, (k.min_version, k.max_version)))
            .collect();
        self.api_versions = resp;
        Ok(())
    }

    /// The highest version both sides speak, if any.
    pub fn version<R: Request>(&self) -> Option<i16> {
        let (bmin, bmax) = *self.versions.get(&R::KEY)?;
        let ours = R::VERSIONS;
        let v = bmax.min(ours.max);
        (v >= bmin.max(ours.min)).then_some(v)
    }

    /// Send a request at the best common version; error when the broker does not support it.
    pub async fn send<R: Request>(&mut self, req: R) -> Result<R::Response> {
        let v = self.version::<R>().ok_or_else(|| {
            anyhow!(
                "{}: the broker does not support {:?} (needed by kraftcheck)",
                self.addr,
                ApiKey::try_from(R::KEY).ok()
            )
        })?;
        self.send_at(req, v).await
    }

    pub async fn send_at<R: Request>(&mut self, req: R, version: i16) -> Result<R::Response> {
        let expired = self
            .reauth_at
            .is_some_and(|t| std::time::Instant::now() >= t);
        if self.broken || expired {
            // A request on this connection failed or timed out earlier, or its credentials
            // are about to expire: start afresh (with a new token).
            let (addr, cfg) = (self.addr.clone(), self.cfg.clone());
            let fresh = Box::pin(Conn::connect(&addr, &cfg)).await?;
            *self = fresh;
        }
        // The load caps: a permit for the whole exchange, and the next free start slot. Waiting
        // for them does not count against the request's time-out.
        let l = limits();
        let _permit = l
            .in_flight
            .acquire()
            .await
            .expect("the semaphore is never closed");
        if let Some(gap) = l.spacing {
            let at = {
                let mut next = l.next.lock().expect("limits lock");
                let at = (*next).max(std::time::Instant::now());
                *next = at + gap;
                at
            };
            tokio::time::sleep_until(at.into()).await;
        }
        match tokio::time::timeout(self.timeout, self.send_raw(req, version)).await {
            Ok(Ok(resp)) => Ok(resp),
            Ok(Err(e)) => {
                self.broken = true;
                Err(e)
            }
            Err(_) => {
                self.broken = true;
                Err(anyhow!(
                    "{}: no answer within {} ms",
                    self.addr,
                    self.timeout.as_millis()
                ))
            }
        }
    }

    async fn send_raw<R: Request>(&mut self, req: R, version: i16) -> Result<R::Response> {
        let key = ApiKey::try_from(R::KEY).map_err(|_| anyhow!("unknown API key {}", R::KEY))?;
        if !READ_ONLY_APIS.contains(&key) {
            // Never reached by kraftcheck's own code; a guard against future mistakes.
            bail!("refusing to send {key:?}: kraftcheck only sends read-only requests");
        }
        count(key);
        self.correlation = self.correlation.wrapping_add(1);
        let header = RequestHeader::default()
            .with_request_api_key(R::KEY)
            .with_request_api_version(version)
            .with_correlation_id(self.correlation)
            .with_client_id(Some(self.client_id.clone()));
        let mut buf = BytesMut::new();
        buf.put_i32(0);
        header.encode(&mut buf, key.request_header_version(version))?;
        req.encode(&mut buf, version)
            .with_context(|| format!("encoding {key:?} v{version}"))?;
        let len = (buf.len() - 4) as i32;
        buf[..4].copy_from_slice(&len.to_be_bytes());
        self.io
            .write_all(&buf)
            .await
            .with_context(|| format!("{}: write failed", self.addr))?;
        self.io.flush().await?;
        let size = self.io.read_i32().await.with_context(|| {
            format!("{}: connection closed while waiting for {key:?}", self.addr)
        })?;
        if size < 0 {
            bail!(
                "{}: invalid {key:?} response length {size} (not a Kafka broker?)",
                self.addr
            );
        }
        if size as usize > MAX_RESPONSE_BYTES {
            bail!(
                "{}: a {key:?} response of {size} bytes is larger than the {} MiB limit (not a Kafka broker?)",
                self.addr,
                MAX_RESPONSE_BYTES >> 20
            );
        }
        // Read what arrives instead of reserving the announced size up front: a length prefix
        // alone must not cost memory.
        let mut body = Vec::with_capacity((size as usize).min(1 << 20));
        (&mut self.io)
            .take(size as u64)
            .read_to_end(&mut body)
            .await
            .with_context(|| format!("{}: reading the {key:?} response failed", self.addr))?;
        if body.len() < size as usize {
            bail!(
                "{}: connection closed in the middle of a {key:?} response (after {} of {size} bytes)",
                self.addr,
                body.len()
            );
        }
        decode_body::<R::Response>(&self.addr, key, version, self.correlation, body)
    }

    async fn authenticate(&mut self, sasl: &Sasl) -> Result<()> {
        // SaslHandshake v1 (Kafka ≥ 1.0) frames the exchange in SaslAuthenticate requests.
        let hs = self
            .send_at(
                SaslHandshakeRequest::default()
                    .with_mechanism(StrBytes::from_static_str(sasl.mechanism())),
                1,
            )
            .await?;
        if hs.error_code != 0 {
            let enabled: Vec<String> = hs.mechanisms.iter().map(|m| m.to_string()).collect();
            bail!(
                "{}: SASL mechanism {} is not enabled on this listener (broker offers: {})",
                self.addr,
                sasl.mechanism(),
                enabled.join(", ")
            );
        }
        match sasl {
            Sasl::Plain { username, password } => {
                self.sasl_step(format!("\0{username}\0{password}").into_bytes())
                    .await?;
            }
            Sasl::OAuthBearer { token } => {
                let reply = self
                    .sasl_step(super::mskiam::initial_response(token))
                    .await?;
                self.oauth_verdict(reply).await?;
            }
            Sasl::OAuthClientCredentials(c) => {
                let (token, refresh_at) = c.token().await?;
                let reply = self
                    .sasl_step(super::mskiam::initial_response(&token))
                    .await?;
                self.oauth_verdict(reply).await?;
                // Re-authenticate (on a new connection) once the token is due for refresh.
                self.reauth_at = Some(refresh_at);
            }
            Sasl::MskIam(iam) => {
                let (token, expiry_ms) = iam.token(host_of(&self.addr)).await?;
                let reply = self
                    .sasl_step(super::mskiam::initial_response(&token))
                    .await?;
                self.oauth_verdict(reply).await?;
                // Reconnect (and so re-authenticate) a minute before the token expires.
                let left = expiry_ms - chrono::Utc::now().timestamp_millis() - 60_000;
                self.reauth_at = Some(
                    std::time::Instant::now()
                        + std::time::Duration::from_millis(left.max(1_000) as u64),
                );
            }
            Sasl::Gssapi(krb) => {
                // The GSS tokens until the context is established (with mutual authentication,
                // the broker's AP-REP is the last), then the security-layer step (RFC 4752).
                let mut ctx = krb.start(host_of(&self.addr)).await?;
                let mut input = None;
                let mut reply = loop {
                    let (next, token, done) = ctx.step(input.take()).await?;
                    ctx = next;
                    let reply = self.sasl_step(token).await?;
                    if done {
                        break reply;
                    }
                    input = Some(reply);
                };
                if reply.is_empty() {
                    // The context completed on our side with no token for the broker: Java's
                    // client sends an empty one, which the broker answers with its offer.
                    reply = self.sasl_step(Vec::new()).await?;
                }
                let answer = ctx.security_layer(reply).await?;
                self.sasl_step(answer).await?;
            }
            Sasl::Scram {
                sha512,
                username,
                password,
            } => {
                let mut s = Scram::new(*sha512, username, password)?;
                let server_first = self.sasl_step(s.client_first()).await?;
                let server_final = self.sasl_step(s.client_final(&server_first)?).await?;
                s.verify_server_final(&server_final)
                    .with_context(|| format!("{}: SASL {}", self.addr, sasl.mechanism()))?;
            }
        }
        Ok(())
    }

    /// OAUTHBEARER (RFC 7628 §3.2.2): a rejected token comes back as an error challenge (JSON)
    /// instead of an error code; the client answers %x01 and the server then fails the exchange.
    async fn oauth_verdict(&mut self, reply: Vec<u8>) -> Result<()> {
        if reply.is_empty() {
            return Ok(());
        }
        let challenge = String::from_utf8_lossy(&reply).into_owned();
        match self.sasl_step(vec![0x01]).await {
            Err(e) => Err(e.context(format!("OAUTHBEARER token rejected: {challenge}"))),
            Ok(_) => bail!(
                "{}: authentication failed: OAUTHBEARER token rejected: {challenge}",
                self.addr
            ),
        }
    }

    async fn sasl_step(&mut self, bytes: Vec<u8>) -> Result<Vec<u8>> {
        let resp = self
            .send_at(
                SaslAuthenticateRequest::default().with_auth_bytes(Bytes::from(bytes)),
                0,
            )
            .await?;
        if resp.error_code != 0 {
            let msg = resp
                .error_message
                .map(|m| m.to_string())
                .unwrap_or_default();
            bail!(
                "{}: authentication failed: {msg} (error code {})",
                self.addr,
                resp.error_code
            );
        }
        Ok(resp.auth_bytes.to_vec())
    }
}

/// A response's bytes after the length prefix: the header (whose correlation id must be
/// `correlation`), then the body of `key` at `version`, with nothing left over.
fn decode_body<T: Decodable>(
    addr: &str,
    key: ApiKey,
    version: i16,
    correlation: i32,
    body: Vec<u8>,
) -> Result<T> {
    let mut bytes = Bytes::from(body);
    let rh = ResponseHeader::decode(&mut bytes, key.response_header_version(version))
        .with_context(|| format!("{addr}: malformed {key:?} response header"))?;
    if rh.correlation_id != correlation {
        bail!(
            "{addr}: response correlation id {} does not match {correlation}",
            rh.correlation_id
        );
    }
    let resp = T::decode(&mut bytes, version)
        .with_context(|| format!("{addr}: malformed {key:?} v{version} response"))?;
    if bytes.has_remaining() && key != ApiKey::ApiVersions {
        // Trailing bytes mean we read the response with the wrong layout.
        bail!(
            "{addr}: {} unexpected trailing bytes in {key:?} v{version} response",
            bytes.remaining()
        );
    }
    Ok(resp)
}

/// Calls `$m!(ApiKey, ResponseType)` for every API in [`READ_ONLY_APIS`].
macro_rules! each_read_only_response {
    ($m:ident) => {{
        use kafka_protocol::messages::*;
        $m!(ApiVersions, ApiVersionsResponse);
        $m!(SaslHandshake, SaslHandshakeResponse);
        $m!(SaslAuthenticate, SaslAuthenticateResponse);
        $m!(Metadata, MetadataResponse);
        $m!(DescribeConfigs, DescribeConfigsResponse);
        $m!(DescribeAcls, DescribeAclsResponse);
        $m!(
            DescribeUserScramCredentials,
            DescribeUserScramCredentialsResponse
        );
        $m!(DescribeClientQuotas, DescribeClientQuotasResponse);
        $m!(ListGroups, ListGroupsResponse);
        $m!(DescribeGroups, DescribeGroupsResponse);
        $m!(FindCoordinator, FindCoordinatorResponse);
        $m!(OffsetFetch, OffsetFetchResponse);
        $m!(ListOffsets, ListOffsetsResponse);
        $m!(DescribeLogDirs, DescribeLogDirsResponse);
        $m!(
            ListPartitionReassignments,
            ListPartitionReassignmentsResponse
        );
        $m!(ListTransactions, ListTransactionsResponse);
        $m!(DescribeTransactions, DescribeTransactionsResponse);
        $m!(DescribeProducers, DescribeProducersResponse);
        $m!(DescribeCluster, DescribeClusterResponse);
        $m!(DescribeQuorum, DescribeQuorumResponse);
        $m!(DescribeDelegationToken, DescribeDelegationTokenResponse);
    }};
}

/// Fuzz target (src/fuzzing.rs): byte 0 picks an API of [`READ_ONLY_APIS`], byte 1 a version
/// in its range, the rest is decoded as [`Conn`] decodes a response after its length prefix
/// (correlation id 1).
pub fn decode_response_for_fuzzing(data: &[u8]) -> Result<()> {
    let (Some(&a), Some(&v)) = (data.first(), data.get(1)) else {
        return Ok(());
    };
    let key = READ_ONLY_APIS[a as usize % READ_ONLY_APIS.len()];
    let r = key.valid_versions();
    let version = r.min + (v as i16) % (r.max - r.min + 1);
    let body = data[2..].to_vec();
    macro_rules! try_decode {
        ($k:ident, $t:ty) => {
            if key == ApiKey::$k {
                decode_body::<$t>("fuzz", key, version, 1, body.clone())?;
                return Ok(());
            }
        };
    }
    each_read_only_response!(try_decode);
    unreachable!("every read-only API has a response type above")
}

/// Seeds for the Kafka response target: each read-only API's default response, encoded at
/// its lowest and highest version, with the two selector bytes and a response header.
pub fn fuzz_seed_responses() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    macro_rules! seed {
        ($k:ident, $t:ty) => {{
            let key = ApiKey::$k;
            let idx = READ_ONLY_APIS
                .iter()
                .position(|k| *k == key)
                .expect("listed") as u8;
            let r = key.valid_versions();
            for version in [r.min, r.max] {
                let mut buf = BytesMut::new();
                buf.put_u8(idx);
                buf.put_u8((version - r.min) as u8);
                let header = ResponseHeader::default().with_correlation_id(1);
                if header
                    .encode(&mut buf, key.response_header_version(version))
                    .is_ok()
                    && <$t>::default().encode(&mut buf, version).is_ok()
                {
                    out.push((format!("{key:?}-v{version}"), buf.to_vec()));
                }
            }
        }};
    }
    each_read_only_response!(seed);
    out
}
