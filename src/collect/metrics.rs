//! Broker metrics in Prometheus text format, as the JMX exporter serves them (`--metrics`):
//! per-API, per-version request counters and KIP-511 connection gauges.
//!
//! Names are matched loosely so that the exporter's default naming
//! (`kafka_network_RequestMetrics_Count{name="RequestsPerSec",request=…,version=…}`, which MSK
//! open monitoring serves on port 11001), `lowercaseOutputName`/`lowercaseOutputLabelNames`
//! and common rule sets (Strimzi's `kafka_network_requestmetrics_requests_total`,
//! `kafka_server_socket_server_metrics_connections_software`) are all understood. A source whose
//! series have another shape is a gap, never a guess.

use crate::inventory::{BrokerMetrics, RequestCount, SoftwareConnections};
use crate::settings::{bad, Input};
use anyhow::{anyhow, bail, Context, Result};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

/// A line that is not valid Prometheus text format.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Parse Prometheus text exposition format (0.0.4, and OpenMetrics' `# EOF`).
pub fn parse(text: &str) -> Result<Vec<Sample>, ParseError> {
    let head = text.trim_start();
    if head.starts_with('<') {
        return Err(ParseError {
            line: 1,
            message: "this is HTML or XML, not Prometheus text format".into(),
        });
    }
    if text.contains('\0') {
        return Err(ParseError {
            line: 1,
            message: "binary data, not Prometheus text format".into(),
        });
    }
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |m: &str| ParseError {
            line: i + 1,
            message: format!("{m}: {}", shorten(line)),
        };
        let name_end = line
            .find(|c: char| c == '{' || c.is_whitespace())
            .ok_or_else(|| err("a sample needs a value"))?;
        let name = &line[..name_end];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            || name.starts_with(|c: char| c.is_ascii_digit())
        {
            return Err(err("invalid metric name"));
        }
        let mut rest = &line[name_end..];
        let mut labels = Vec::new();
        if let Some(r) = rest.strip_prefix('{') {
            let (l, after) = parse_labels(r).map_err(|m| err(&m))?;
            labels = l;
            rest = after;
        }
        let mut fields = rest.split_whitespace();
        let value = fields.next().ok_or_else(|| err("a sample needs a value"))?;
        let value = parse_value(value).ok_or_else(|| err("invalid sample value"))?;
        if let Some(ts) = fields.next() {
            if ts.parse::<f64>().is_err() {
                return Err(err("invalid timestamp"));
            }
        }
        if fields.next().is_some() {
            return Err(err("unexpected text after the value"));
        }
        out.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    Ok(out)
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s.to_string()
    }
}

fn parse_value(s: &str) -> Option<f64> {
    match s {
        "NaN" | "nan" => Some(f64::NAN),
        "+Inf" | "Inf" | "+inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        _ => s.parse::<f64>().ok(),
    }
}

/// Labels after `{` up to the matching `}`; returns them and the text after `}`.
type Labels = Vec<(String, String)>;

fn parse_labels(s: &str) -> Result<(Labels, &str), String> {
    let mut labels = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    loop {
        while i < b.len() && (b[i] == b' ' || b[i] == b',') {
            i += 1;
        }
        if i >= b.len() {
            return Err("unterminated label set".into());
        }
        if b[i] == b'}' {
            return Ok((labels, &s[i + 1..]));
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        let key = &s[start..i];
        if key.is_empty() {
            return Err("invalid label name".into());
        }
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i >= b.len() || b[i] != b'=' {
            return Err(format!("label {key} has no '='"));
        }
        i += 1;
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i >= b.len() || b[i] != b'"' {
            return Err(format!("label {key}: value must be quoted"));
        }
        i += 1;
        let mut val = String::new();
        let mut closed = false;
        let mut chars = s[i..].char_indices();
        while let Some((off, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, 'n')) => val.push('\n'),
                    Some((_, other)) => val.push(other),
                    None => return Err("unterminated escape".into()),
                },
                '"' => {
                    i += off + 1;
                    closed = true;
                    break;
                }
                other => val.push(other),
            }
        }
        if !closed {
            return Err(format!("label {key}: unterminated value"));
        }
        labels.push((key.to_string(), val));
        if i < b.len() && !matches!(b[i], b',' | b'}' | b' ') {
            return Err("labels must be separated by ','".into());
        }
    }
}

/// Label lookup by normalized name (lower case, `_` removed): `clientSoftwareName`,
/// `clientsoftwarename` and `client_software_name` are one label.
fn label<'a>(s: &'a Sample, key: &str) -> Option<&'a str> {
    s.labels
        .iter()
        .find(|(k, _)| norm(k) == key)
        .map(|(_, v)| v.as_str())
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What one source's samples say, or why they say nothing.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub metrics: BrokerMetrics,
    /// Why the request counters are missing (then a `metrics.requests` gap).
    pub no_requests: Option<String>,
    /// Why the connection gauges are missing (then a `metrics.connections` gap).
    pub no_connections: Option<String>,
}

/// Recognise request counters, connection gauges and the broker id among `samples`.
pub fn extract(source: &str, samples: &[Sample]) -> Extracted {
    type Key = (String, i16, String, Option<String>, Option<String>);
    let mut reqs: BTreeMap<Key, RequestCount> = BTreeMap::new();
    let mut conns: BTreeMap<(String, String, String), f64> = BTreeMap::new();
    let mut broker_ids: Vec<i64> = Vec::new();
    let mut saw_request_family = false;
    let mut versionless = 0usize;
    let mut saw_socket_server = false;
    let mut open_connections = 0.0;
    let mut default_naming = false;
    let mut lowercase = false;
    for s in samples {
        let lname = s.name.to_ascii_lowercase();
        if s.name.starts_with("kafka_network_RequestMetrics_") {
            default_naming = true;
        } else if lname.starts_with("kafka_network_requestmetrics") {
            lowercase = true;
        }
        if lname.contains("app_info") || lname.contains("appinfo") {
            if let Some(id) = label(s, "id").and_then(|v| v.parse().ok()) {
                broker_ids.push(id);
            }
        }
        if let Some(id) = label(s, "brokerid").and_then(|v| v.parse().ok()) {
            broker_ids.push(id);
        }
        let socket =
            lname.contains("socket_server_metrics") || lname.contains("socketservermetrics");
        saw_socket_server |= socket;
        if socket && lname.ends_with("connection_count") && s.value.is_finite() {
            open_connections += s.value;
        }
        // KIP-511 connection gauge
        if let (Some(name), Some(ver)) = (
            label(s, "clientsoftwarename"),
            label(s, "clientsoftwareversion"),
        ) {
            if label(s, "request").is_none() && lname.contains("connections") {
                let listener = label(s, "listener").unwrap_or("").to_string();
                if s.value.is_finite() {
                    *conns
                        .entry((name.to_string(), ver.to_string(), listener))
                        .or_default() += s.value;
                }
                continue;
            }
        }
        // request meters
        let Some(api) = label(s, "request") else {
            continue;
        };
        let meter_label = label(s, "name").map(norm);
        let deprecated = meter_label.as_deref() == Some("deprecatedrequestspersec")
            || (meter_label.is_none() && lname.contains("deprecated"));
        let requests = meter_label.as_deref() == Some("requestspersec")
            || (meter_label.is_none() && !deprecated && lname.contains("request"));
        if !deprecated && !requests {
            continue; // TotalTimeMs, ErrorsPerSec, … of the same MBean type
        }
        saw_request_family = true;
        let Some(version) = label(s, "version").and_then(|v| v.parse::<i16>().ok()) else {
            versionless += 1;
            continue;
        };
        let attr = if lname.ends_with("_created") {
            continue;
        } else if lname.ends_with("count") || lname.ends_with("_total") {
            "count"
        } else if lname.ends_with("oneminuterate") || lname.ends_with("one_minute_rate") {
            "rate"
        } else {
            continue;
        };
        let meter = if deprecated {
            "DeprecatedRequestsPerSec"
        } else {
            "RequestsPerSec"
        };
        let sw_name = label(s, "clientsoftwarename").map(str::to_string);
        let sw_ver = label(s, "clientsoftwareversion").map(str::to_string);
        let e = reqs
            .entry((
                api.to_string(),
                version,
                meter.to_string(),
                sw_name.clone(),
                sw_ver.clone(),
            ))
            .or_insert_with(|| RequestCount {
                api: api.to_string(),
                version,
                meter: meter.to_string(),
                software_name: sw_name,
                software_version: sw_ver,
                ..Default::default()
            });
        let v = if s.value.is_finite() { s.value } else { 0.0 };
        match attr {
            "count" => e.count = Some(e.count.unwrap_or(0.0) + v),
            _ => e.rate = Some(e.rate.unwrap_or(0.0) + v),
        }
    }
    broker_ids.sort();
    broker_ids.dedup();
    let no_requests = if !reqs.is_empty() {
        None
    } else if saw_request_family && versionless > 0 {
        Some(format!(
            "{source}: the request metrics carry no `version` label (brokers before Kafka 2.0, or exporter rules that drop it)"
        ))
    } else {
        Some(format!(
            "{source}: no per-version request counters among {} samples (expected kafka.network:type=RequestMetrics,name=RequestsPerSec,request=…,version=…; check the exporter's includeObjectNames/rules)",
            samples.len()
        ))
    };
    let no_connections = if !conns.is_empty() || (saw_socket_server && open_connections == 0.0) {
        None
    } else if saw_socket_server {
        Some(format!("{source}: socket-server metrics without the KIP-511 `connections` gauge by clientSoftwareName/clientSoftwareVersion (brokers before Kafka 2.5, or exporter rules that drop it)"))
    } else {
        Some(format!("{source}: no socket-server-metrics series (expected kafka.server:type=socket-server-metrics,clientSoftwareName=…,clientSoftwareVersion=…,listener=…,networkProcessor=… `connections`)"))
    };
    Extracted {
        metrics: BrokerMetrics {
            source: source.to_string(),
            broker_id: (broker_ids.len() == 1).then(|| broker_ids[0]),
            naming: if default_naming {
                "jmx-exporter-default".into()
            } else if lowercase {
                "lowercase".into()
            } else {
                "custom".into()
            },
            requests: reqs.into_values().collect(),
            connections: conns
                .into_iter()
                .map(
                    |((name, version, listener), connections)| SoftwareConnections {
                        name,
                        version,
                        listener,
                        connections,
                    },
                )
                .collect(),
        },
        no_requests,
        no_connections,
    }
}

// ------------------------------------------------------------------------------------------------
// Scraping

/// Where metrics come from: an http(s) URL or a file.
pub fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

struct Url {
    tls: bool,
    host: String,
    port: u16,
    path: String,
}

fn parse_url(u: &str) -> Result<Url> {
    let (tls, rest) = if let Some(r) = u.strip_prefix("http://") {
        (false, r)
    } else if let Some(r) = u.strip_prefix("https://") {
        (true, r)
    } else {
        bail!("{u}: not an http(s) URL");
    };
    let (authority, path) = match rest.find('/') {
        Some(p) => (&rest[..p], &rest[p..]),
        None => (rest, "/metrics"),
    };
    if authority.contains('@') {
        bail!("{u}: credentials in the URL are not supported");
    }
    let (host, port) = if let Some(r) = authority.strip_prefix('[') {
        let (h, after) = r
            .split_once(']')
            .ok_or_else(|| anyhow!("{u}: bad IPv6 address"))?;
        let port = after.strip_prefix(':').unwrap_or("");
        (h.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p),
            None => (authority.to_string(), ""),
        }
    };
    if host.is_empty() {
        bail!("{u}: no host");
    }
    let port = if port.is_empty() {
        if tls {
            443
        } else {
            80
        }
    } else {
        port.parse()
            .map_err(|_| anyhow!("{u}: invalid port '{port}'"))?
    };
    Ok(Url {
        tls,
        host,
        port,
        path: if path.is_empty() {
            "/".into()
        } else {
            path.into()
        },
    })
}

/// Largest response read (a broker's full JMX exporter output is a few MB at most).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// GET a URL (HTTP/1.1, `Connection: close`), returning the body of a 200 answer. https trusts
/// `tls` (the client config's `ssl.*` settings), else the public roots.
pub async fn fetch(url: &str, tls: Option<&crate::collect::kafka::config::Tls>) -> Result<String> {
    let public_roots = crate::collect::kafka::config::Tls {
        verify_hostname: true,
        verify_certificate: true,
        ..Default::default()
    };
    let raw = request(
        url,
        "GET",
        &[("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1".into())],
        b"",
        tls.unwrap_or(&public_roots),
    )
    .await?;
    decode_response(url, &raw)
}

/// One HTTP/1.1 request with `Connection: close` (https with `tls`): the raw response, at most
/// [`MAX_BODY`] bytes. Also the OAuth token request (`kafka::oauth`).
pub(crate) async fn request(
    url: &str,
    method: &str,
    headers: &[(&str, String)],
    body: &[u8],
    tls: &crate::collect::kafka::config::Tls,
) -> Result<Vec<u8>> {
    let u = parse_url(url)?;
    let tcp = tokio::net::TcpStream::connect((u.host.as_str(), u.port))
        .await
        .with_context(|| format!("{url}: cannot connect"))?;
    let host_header = if u.port == 80 || u.port == 443 {
        u.host.clone()
    } else {
        format!("{}:{}", u.host, u.port)
    };
    let mut req = format!(
        "{method} {} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: kraftcheck/{}\r\nConnection: close\r\n",
        u.path,
        env!("CARGO_PKG_VERSION")
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    let mut msg = req.into_bytes();
    msg.extend_from_slice(body);
    if u.tls {
        let s = crate::collect::kafka::tls::connect(tcp, &u.host, tls)
            .await
            .with_context(|| format!("{url}: TLS handshake failed"))?;
        exchange(s, &msg, url).await
    } else {
        exchange(tcp, &msg, url).await
    }
}

/// Send `msg` and read the answer until the server closes, at most [`MAX_BODY`] bytes.
async fn exchange<S>(mut s: S, msg: &[u8], url: &str) -> Result<Vec<u8>>
where
    S: AsyncReadExt + AsyncWriteExt + Unpin,
{
    s.write_all(msg)
        .await
        .with_context(|| format!("{url}: write failed"))?;
    let mut raw = Vec::new();
    read_capped(&mut s, &mut raw)
        .await
        .with_context(|| url.to_string())?;
    Ok(raw)
}

async fn read_capped<R: AsyncReadExt + Unpin>(r: &mut R, out: &mut Vec<u8>) -> Result<()> {
    let mut buf = [0u8; 16384];
    loop {
        let n = match r.read(&mut buf).await {
            Ok(n) => n,
            // Servers that close TLS without close_notify: keep what arrived.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => 0,
            Err(e) => return Err(e.into()),
        };
        if n == 0 {
            return Ok(());
        }
        out.extend_from_slice(&buf[..n]);
        if out.len() > MAX_BODY {
            bail!(
                "the answer is larger than the {} MiB limit",
                MAX_BODY / 1024 / 1024
            );
        }
    }
}

fn decode_response(url: &str, raw: &[u8]) -> Result<String> {
    let (code, status, body) = parse_response(url, raw)?;
    if code != 200 {
        bail!("{url}: HTTP {status}");
    }
    Ok(body)
}

/// (status code, status text, body as UTF-8 text) of a raw HTTP/1.1 response.
pub(crate) fn parse_response(url: &str, raw: &[u8]) -> Result<(u16, String, String)> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| anyhow!("{url}: not an HTTP response"))?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default();
    let code: u16 = status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| anyhow!("{url}: not an HTTP response ({})", shorten(status)))?;
    let status_text = status
        .split_once(' ')
        .map(|x| x.1)
        .unwrap_or(status)
        .to_string();
    let mut chunked = false;
    for h in lines {
        if let Some((k, v)) = h.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            let v = v.trim().to_ascii_lowercase();
            if k == "transfer-encoding" && v.contains("chunked") {
                chunked = true;
            }
            if k == "content-encoding" && v != "identity" {
                bail!("{url}: compressed response ({v}) not supported");
            }
        }
    }
    let body = &raw[split + 4..];
    let body = if chunked {
        dechunk(body).ok_or_else(|| anyhow!("{url}: malformed chunked response"))?
    } else {
        body.to_vec()
    };
    let body =
        String::from_utf8(body).map_err(|_| anyhow!("{url}: the response is not UTF-8 text"))?;
    Ok((code, status_text, body))
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n")?;
        let size_line = std::str::from_utf8(&b[..eol]).ok()?;
        let size = usize::from_str_radix(size_line.split(';').next()?.trim(), 16).ok()?;
        b = &b[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        if b.len() < size {
            return None;
        }
        out.extend_from_slice(&b[..size]);
        b = b.get(size + 2..)?;
    }
}

/// One source's outcome.
pub enum Scraped {
    Ok(Extracted),
    /// The source could not be read or parsed: (reason, detail) for the gap.
    Failed(crate::inventory::GapReason, String),
}

/// Read every source concurrently, each bounded by `timeout`. A file that cannot be read or
/// parsed is an error (the user gave it); a URL that fails is a gap.
pub fn scrape_all(
    sources: &[String],
    timeout: Duration,
    tls: Option<&crate::collect::kafka::config::Tls>,
) -> Result<Vec<(String, Scraped)>> {
    let mut out = Vec::new();
    let mut urls = Vec::new();
    for s in sources {
        if is_url(s) {
            parse_url(s)?;
            urls.push(s.clone());
            continue;
        }
        let text =
            std::fs::read(s).map_err(|e| bad(Input::Metrics, s, format!("cannot read: {e}")))?;
        let text = String::from_utf8(text).map_err(|_| {
            bad(
                Input::Metrics,
                s,
                "not UTF-8 text (Prometheus text format expected)",
            )
        })?;
        let samples = parse(&text).map_err(|e| bad(Input::Metrics, s, e.to_string()))?;
        out.push((s.clone(), Scraped::Ok(extract(s, &samples))));
    }
    if !urls.is_empty() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let results = rt.block_on(async {
            let tasks: Vec<_> = urls
                .iter()
                .map(|u| {
                    let u = u.clone();
                    let tls = tls.cloned();
                    tokio::spawn(async move {
                        let r = tokio::time::timeout(timeout, fetch(&u, tls.as_ref())).await;
                        (u, r)
                    })
                })
                .collect();
            let mut res = Vec::new();
            for t in tasks {
                res.push(t.await);
            }
            res
        });
        for r in results {
            let (u, r) = r.map_err(|e| anyhow!("scrape task failed: {e}"))?;
            let scraped = match r {
                Err(_) => Scraped::Failed(
                    crate::inventory::GapReason::Timeout,
                    format!("{u}: no answer within {} ms", timeout.as_millis()),
                ),
                Ok(Err(e)) => Scraped::Failed(crate::inventory::GapReason::Error, format!("{e:#}")),
                Ok(Ok(text)) => match parse(&text) {
                    Ok(samples) => Scraped::Ok(extract(&u, &samples)),
                    Err(e) => {
                        Scraped::Failed(crate::inventory::GapReason::Error, format!("{u}: {e}"))
                    }
                },
            };
            out.push((u, scraped));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exporter_lines() {
        let text = "# HELP x y\n# TYPE kafka_network_RequestMetrics_Count untyped\n\
kafka_network_RequestMetrics_Count{name=\"RequestsPerSec\",request=\"Produce\",version=\"3\",} 20.0\n\
kafka_server_app_info_StartTimeMs{id=\"1\"} 1.795785665308E12\n\
up 1 1700000000000\nweird{a=\"x\\\"y\\\\z\"} NaN\n# EOF\n";
        let s = parse(text).unwrap();
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].labels.len(), 3);
        assert_eq!(s[0].value, 20.0);
        assert_eq!(s[1].value, 1.795785665308e12);
        assert_eq!(s[3].labels[0].1, "x\"y\\z");
        assert!(s[3].value.is_nan());
    }

    #[test]
    fn rejects_malformed_lines_with_their_number() {
        for (text, line) in [
            ("ok 1\nbad{a=\"x\" 1\n", 2),
            ("a{b=c} 1\n", 1),
            ("a 1 2 3\n", 1),
            ("a{b=\"c\"}\n", 1),
            ("9abc 1\n", 1),
            ("a notanumber\n", 1),
            ("<html><body>404</body></html>", 1),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
        }
    }

    #[test]
    fn urls() {
        let u = parse_url("http://b-1.x.kafka.us-east-1.amazonaws.com:11001/metrics").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("b-1.x.kafka.us-east-1.amazonaws.com", 11001, "/metrics")
        );
        let u = parse_url("http://127.0.0.1:19115").unwrap();
        assert_eq!(u.path, "/metrics");
        assert!(parse_url("http://user:pw@h:1/").is_err());
        assert!(parse_url("http://h:x/").is_err());
    }

    #[test]
    fn chunked_bodies() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nup 1\r\n1\r\n\n\r\n0\r\n\r\n";
        assert_eq!(decode_response("u", raw).unwrap(), "up 1\n");
        let raw = b"HTTP/1.1 404 Not Found\r\n\r\nnope";
        assert!(decode_response("u", raw)
            .unwrap_err()
            .to_string()
            .contains("404"));
    }
}
