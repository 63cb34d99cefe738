//! Recognising the internal topics of Kafka itself and of the frameworks around it by name.

/// The framework a topic belongs to, judged by its name, or `None` for an ordinary topic.
/// Names follow the frameworks' defaults (Kafka core, Streams, Connect, MirrorMaker 2, MSK
/// Replicator, Schema Registry/Karapace, ksqlDB, Confluent, MSK).
pub fn framework_of(name: &str) -> Option<&'static str> {
    const KAFKA: &[&str] = &[
        "__consumer_offsets",
        "__transaction_state",
        "__remote_log_metadata",
        "__share_group_state",
        "__cluster_metadata",
    ];
    if KAFKA.contains(&name) {
        return Some("kafka");
    }
    if name.starts_with("__amazon_msk") {
        return Some("msk");
    }
    if name.starts_with("mskr-") {
        return Some("msk-replicator");
    }
    if name == "heartbeats"
        || name.ends_with(".heartbeats")
        || name.ends_with(".checkpoints.internal")
        || (name.starts_with("mm2-") && name.ends_with(".internal"))
    {
        return Some("mirrormaker2");
    }
    if ["connect-configs", "connect-offsets", "connect-status"].contains(&name)
        || name.starts_with("connect-cluster-")
        || name.ends_with("-connect-configs")
        || name.ends_with("-connect-offsets")
        || name.ends_with("-connect-status")
    {
        return Some("connect");
    }
    if name == "_schemas" {
        return Some("schema-registry");
    }
    if name.starts_with("_confluent-ksql-") || name.ends_with("ksql_processing_log") {
        return Some("ksqldb");
    }
    if name.starts_with("_confluent") {
        return Some("confluent");
    }
    if name.ends_with("-changelog")
        || name.ends_with("-repartition")
        || name.contains("-KTABLE-FK-JOIN-SUBSCRIPTION-")
        || name.contains("-KSTREAM-")
    {
        return Some("streams");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::framework_of;

    #[test]
    fn recognises_frameworks() {
        for (name, want) in [
            ("__consumer_offsets", Some("kafka")),
            ("__transaction_state", Some("kafka")),
            ("orders-app-store-changelog", Some("streams")),
            (
                "orders-app-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition",
                Some("streams"),
            ),
            ("connect-offsets", Some("connect")),
            ("mm2-offsets.src.internal", Some("mirrormaker2")),
            ("src.checkpoints.internal", Some("mirrormaker2")),
            ("heartbeats", Some("mirrormaker2")),
            ("_schemas", Some("schema-registry")),
            ("_confluent-ksql-default__command_topic", Some("ksqldb")),
            ("default_ksql_processing_log", Some("ksqldb")),
            ("_confluent-metrics", Some("confluent")),
            ("__amazon_msk_canary", Some("msk")),
            ("mskr-offset-syncs.x", Some("msk-replicator")),
            ("orders", None),
            ("payments.v1", None),
        ] {
            assert_eq!(framework_of(name), want, "{name}");
        }
    }
}
