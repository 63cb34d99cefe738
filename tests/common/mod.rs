//! Shared by the live test files: what the brokers' request logs say kraftcheck sent.

#![allow(dead_code)]

pub mod moto;

/// A minimal rule file that loads (broker scope, profile `inplace`), with `extra` (whole TOML
/// lines, each ending in a newline: `steps = …`, `tags = …`) after `profiles`: the base that the
/// rule-loading tests vary.
pub fn test_rule(id: &str, extra: &str) -> String {
    format!(
        r#"
id = "{id}"
title = "test rule"
severity = "low"
area = "config"
profiles = ["inplace"]
{extra}scope = "broker"
when = 'has_cfg(broker, "x")'
message = "x"
why = "w"
remediation = "r"
references = ["KIP-866"]
"#
    )
}

/// The only request types kraftcheck may send. Written out here, independently of
/// `READ_ONLY_APIS` in the client, so that a mutating API added there is still caught.
pub const READ_ONLY_REQUESTS: &[&str] = &[
    "API_VERSIONS",
    "SASL_HANDSHAKE",
    "SASL_AUTHENTICATE",
    "METADATA",
    "DESCRIBE_CONFIGS",
    "DESCRIBE_ACLS",
    "DESCRIBE_USER_SCRAM_CREDENTIALS",
    "DESCRIBE_CLIENT_QUOTAS",
    "LIST_GROUPS",
    "DESCRIBE_GROUPS",
    "FIND_COORDINATOR",
    "OFFSET_FETCH",
    "LIST_OFFSETS",
    "DESCRIBE_LOG_DIRS",
    "LIST_PARTITION_REASSIGNMENTS",
    "LIST_TRANSACTIONS",
    "DESCRIBE_TRANSACTIONS",
    "DESCRIBE_PRODUCERS",
    "DESCRIBE_CLUSTER",
    "DESCRIBE_QUORUM",
    "DESCRIBE_DELEGATION_TOKEN",
];

/// (request name, log line) of every request with a `kraftcheck…` client id in a broker's
/// request log.
pub fn kraftcheck_requests(log: &std::path::Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
    text.lines()
        .filter(|l| l.contains("\"clientId\":\"kraftcheck"))
        .map(|l| {
            let api = l
                .split("\"requestApiKeyName\":\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or("?");
            (api.to_string(), l.to_string())
        })
        .collect()
}

/// Parity between logins (tests/auth_live.rs, tests/krb_live.rs): what may differ between two
/// collections of the same cluster is when, through which listener (brokers are described with
/// the host and port of the listener asked: the GSSAPI listeners advertise `localhost`, the
/// others 127.0.0.1), the clients connected at that moment (kraftcheck's own connections
/// among them), and a KRaft quorum's high watermark (the metadata log grows by a no-op record
/// every 500 ms).
pub fn comparable(mut inv: serde_json::Value) -> serde_json::Value {
    let o = inv.as_object_mut().unwrap();
    for k in ["generated_at", "sources", "clients"] {
        o.remove(k);
    }
    if let Some(q) = o["cluster"]
        .get_mut("quorum")
        .and_then(|q| q.as_object_mut())
    {
        q.remove("high_watermark");
    }
    for b in o["brokers"].as_array_mut().unwrap() {
        let b = b.as_object_mut().unwrap();
        b.remove("port");
        b.remove("host");
    }
    inv
}

/// The two inventories are equal; else fail naming the parts that differ.
pub fn assert_same(key: &str, got: &serde_json::Value, want: &serde_json::Value) {
    if got != want {
        let (g, w) = (got.as_object().unwrap(), want.as_object().unwrap());
        let differ: Vec<&String> = w.keys().filter(|k| g.get(*k) != w.get(*k)).collect();
        panic!("{key}: the inventory differs in {differ:?}");
    }
}

/// Kafka answers DescribeDelegationToken only on authenticated connections (SASL or mTLS), not
/// on PLAINTEXT or one-way TLS: that part is the one legitimate difference between them.
pub fn without_delegation_tokens(mut inv: serde_json::Value) -> serde_json::Value {
    let o = inv.as_object_mut().unwrap();
    o.remove("delegation_tokens");
    o["gaps"]
        .as_array_mut()
        .unwrap()
        .retain(|g| g["part"] != "delegation_tokens");
    inv
}

/// The rig script.
pub fn rig_sh() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rig/rig.sh")
}

/// `rig/rig.sh try-start 39 CONFIG SECONDS` in the foreground: (Kafka refused the node, its
/// output). A node still running at the deadline is stopped and counts as started.
pub fn try_start(config: &std::path::Path, seconds: u32) -> (bool, String) {
    let out = std::process::Command::new(rig_sh())
        .args(["try-start", "39"])
        .arg(config)
        .arg(seconds.to_string())
        .output()
        .expect("rig/rig.sh runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code() == Some(1), text)
}
