//! What a migration changes by design: these differences are listed as `expected`, with the
//! reason, never as losses.

use crate::inventory::Topic;

/// MirrorMaker 2's own topics: `mm2-configs|offsets|status.<alias>.internal`,
/// `mm2-offset-syncs.<alias>.internal`, `<alias>.checkpoints.internal`, `heartbeats` and
/// `<alias>.heartbeats`. MirrorMaker 2 excludes `*.internal` topics from replication, and
/// creates its own on the clusters it writes to.
pub fn is_mm2_topic(t: &Topic) -> bool {
    t.framework.as_deref() == Some("mirrormaker2") || is_mm2_topic_name(&t.name)
}

pub fn is_mm2_topic_name(name: &str) -> bool {
    (name.starts_with("mm2-") && name.ends_with(".internal"))
        || name.ends_with(".checkpoints.internal")
        || name == "heartbeats"
        || name.ends_with(".heartbeats")
}

/// MirrorMaker 2's Connect worker groups (dedicated mode: `<source alias>-mm2`).
pub fn is_mm2_group(id: &str) -> bool {
    id.ends_with("-mm2") || id.starts_with("mm2-")
}

/// Kafka's own topics (`__consumer_offsets`, `__transaction_state`, …).
pub fn is_kafka_internal(t: &Topic) -> bool {
    (t.internal || t.name.starts_with("__")) && !is_mm2_topic(t)
}

/// Why a broker config key is expected to differ after a migration, if it is.
pub fn config_key_reason(key: &str, old: Option<&str>, new: Option<&str>) -> Option<&'static str> {
    if key.starts_with("zookeeper.") {
        return Some("ZooKeeper settings go away with ZooKeeper (KIP-866)");
    }
    if key.starts_with("controller.") || key == "process.roles" || key == "node.id" {
        return Some("the KRaft settings the migration adds (KIP-866)");
    }
    match key {
        "broker.id" | "broker.id.generation.enable" | "reserved.broker.max.id" => {
            Some("broker identity: KRaft nodes are identified by node.id")
        }
        "inter.broker.protocol.version" => {
            Some("KRaft replaces inter.broker.protocol.version with the finalized metadata.version")
        }
        "control.plane.listener.name" => Some("not supported in KRaft mode"),
        "metadata.log.dir" | "metadata.log.segment.ms" | "metadata.log.max.record.bytes.between.snapshots" => {
            Some("KRaft metadata log settings")
        }
        "authorizer.class.name"
            if new.is_some_and(|v| v.ends_with("StandardAuthorizer"))
                && old.is_none_or(|v| v.ends_with("AclAuthorizer")) =>
        {
            Some("KRaft's StandardAuthorizer replaces the ZooKeeper-based AclAuthorizer; the ACLs are compared separately")
        }
        "listeners" | "advertised.listeners" | "listener.security.protocol.map"
        | "inter.broker.listener.name" | "host.name" | "advertised.host.name" | "port"
        | "advertised.port" | "log.dirs" | "log.dir" | "broker.rack" => {
            Some("hosts, ports, paths and racks are the machines' own")
        }
        _ if key.starts_with("listener.name.") && key.ends_with(".ssl.keystore.location") => {
            Some("hosts, ports, paths and racks are the machines' own")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mm2_topics_and_groups() {
        for n in [
            "mm2-configs.source.internal",
            "mm2-offset-syncs.target.internal",
            "source.checkpoints.internal",
            "heartbeats",
            "source.heartbeats",
        ] {
            assert!(is_mm2_topic_name(n), "{n}");
        }
        for n in [
            "orders",
            "connect-offsets",
            "_schemas",
            "orders.internal.v2",
        ] {
            assert!(!is_mm2_topic_name(n), "{n}");
        }
        assert!(is_mm2_group("source-mm2"));
        assert!(!is_mm2_group("app1"));
    }

    #[test]
    fn migration_keys_are_expected() {
        assert!(config_key_reason("zookeeper.connect", Some("zk:2181"), None).is_some());
        assert!(config_key_reason("controller.quorum.voters", None, Some("1@h:9093")).is_some());
        assert!(config_key_reason(
            "authorizer.class.name",
            Some("kafka.security.authorizer.AclAuthorizer"),
            Some("org.apache.kafka.metadata.authorizer.StandardAuthorizer")
        )
        .is_some());
        // Dropping the authorizer is not the migration's doing.
        assert!(config_key_reason(
            "authorizer.class.name",
            Some("kafka.security.authorizer.AclAuthorizer"),
            None
        )
        .is_none());
        assert!(config_key_reason("log.retention.ms", Some("1"), Some("2")).is_none());
    }
}
