//! Kafka's numeric codes as the names its tools print.

pub fn config_source(code: i8) -> &'static str {
    match code {
        1 => "DYNAMIC_TOPIC_CONFIG",
        2 => "DYNAMIC_BROKER_CONFIG",
        3 => "DYNAMIC_DEFAULT_BROKER_CONFIG",
        4 => "STATIC_BROKER_CONFIG",
        5 => "DEFAULT_CONFIG",
        6 => "DYNAMIC_BROKER_LOGGER_CONFIG",
        7 => "CLIENT_METRICS_CONFIG",
        8 => "GROUP_CONFIG",
        _ => "UNKNOWN",
    }
}

pub fn resource_type(code: i8) -> String {
    match code {
        2 => "TOPIC".into(),
        3 => "GROUP".into(),
        4 => "CLUSTER".into(),
        5 => "TRANSACTIONAL_ID".into(),
        6 => "DELEGATION_TOKEN".into(),
        7 => "USER".into(),
        other => format!("UNKNOWN({other})"),
    }
}

pub fn pattern_type(code: i8) -> String {
    match code {
        3 => "LITERAL".into(),
        4 => "PREFIXED".into(),
        2 => "MATCH".into(),
        other => format!("UNKNOWN({other})"),
    }
}

pub fn operation(code: i8) -> String {
    const OPS: [&str; 16] = [
        "UNKNOWN",
        "ANY",
        "ALL",
        "READ",
        "WRITE",
        "CREATE",
        "DELETE",
        "ALTER",
        "DESCRIBE",
        "CLUSTER_ACTION",
        "DESCRIBE_CONFIGS",
        "ALTER_CONFIGS",
        "IDEMPOTENT_WRITE",
        "CREATE_TOKENS",
        "DESCRIBE_TOKENS",
        "TWO_PHASE_COMMIT",
    ];
    OPS.get(code as usize)
        .map(|s| s.to_string())
        .unwrap_or_else(|| format!("UNKNOWN({code})"))
}

pub fn permission(code: i8) -> String {
    match code {
        2 => "DENY".into(),
        3 => "ALLOW".into(),
        other => format!("UNKNOWN({other})"),
    }
}

pub fn scram_mechanism(code: i8) -> String {
    match code {
        1 => "SCRAM-SHA-256".into(),
        2 => "SCRAM-SHA-512".into(),
        other => format!("UNKNOWN({other})"),
    }
}

/// API names for keys the codec no longer knows (the ZooKeeper-era controller RPCs).
pub fn api_name(key: i16) -> String {
    match kafka_protocol::messages::ApiKey::try_from(key) {
        Ok(k) => format!("{k:?}"),
        Err(_) => match key {
            4 => "LeaderAndIsr".into(),
            5 => "StopReplica".into(),
            6 => "UpdateMetadata".into(),
            7 => "ControlledShutdown".into(),
            _ => format!("Api{key}"),
        },
    }
}

/// Kafka's error names for the codes the collector reports.
pub fn error(code: i16) -> String {
    match code {
        29 => "TOPIC_AUTHORIZATION_FAILED".into(),
        30 => "GROUP_AUTHORIZATION_FAILED".into(),
        31 => "CLUSTER_AUTHORIZATION_FAILED".into(),
        35 => "UNSUPPORTED_VERSION".into(),
        41 => "NOT_CONTROLLER".into(),
        54 => "SECURITY_DISABLED".into(),
        58 => "SASL_AUTHENTICATION_FAILED".into(),
        61 => "DELEGATION_TOKEN_AUTH_DISABLED".into(),
        64 => "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED (not allowed on PLAINTEXT or 1-way TLS connections)".into(),
        65 => "DELEGATION_TOKEN_AUTHORIZATION_FAILED".into(),
        15 => "COORDINATOR_NOT_AVAILABLE".into(),
        16 => "NOT_COORDINATOR".into(),
        14 => "COORDINATOR_LOAD_IN_PROGRESS".into(),
        69 => "GROUP_ID_NOT_FOUND".into(),
        other => format!("error code {other}"),
    }
}

/// Authorization failures become `unauthorized` gaps; everything else `error`.
pub fn gap_reason(code: i16) -> crate::inventory::GapReason {
    use crate::inventory::GapReason;
    match code {
        29 | 30 | 31 | 53 | 58 | 65 => GapReason::Unauthorized,
        35 => GapReason::Unsupported,
        _ => GapReason::Error,
    }
}
