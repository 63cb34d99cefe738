//! Shared by the live test files: what the brokers' request logs say kraftcheck sent.

#![allow(dead_code)]

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
