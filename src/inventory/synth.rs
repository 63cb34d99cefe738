//! Synthetic inventories of any size, for the scale benchmark (`benches/scale.sh`,
//! `cargo bench --bench synth`) and the large-report tests. Shapes follow a large real
//! cluster: 12 brokers, 20 partitions per topic, RF 3, topic configs on a third of the topics,
//! an old message format pinned on one topic in ten, a few unhealthy partitions, ACLs, SCRAM
//! users, quotas, consumer groups with offsets.

use super::*;
use std::collections::BTreeMap;

fn cfg(v: &str, source: &str) -> ConfigEntry {
    ConfigEntry {
        value: Some(v.into()),
        source: source.into(),
        sensitive: false,
        line: None,
    }
}

/// An inventory with `partitions` partitions (20 per topic).
pub fn synthetic(partitions: usize) -> Inventory {
    let brokers = 12i64;
    let per_topic = 20usize;
    let mut inv = Inventory::new();
    inv.generated_at = "2026-11-27T00:00:00Z".into();
    inv.sources = vec!["bootstrap:synthetic:9092".into()];
    inv.cluster = Cluster {
        id: Some("SyntheticClusterId0000".into()),
        kind: crate::inventory::ClusterKind::SelfManaged,
        mode: "zookeeper".into(),
        controller_id: Some(1),
        version: Some("3.9".into()),
        ..Default::default()
    };
    for id in 1..=brokers {
        let mut configs = BTreeMap::new();
        configs.insert(
            "broker.id".into(),
            cfg(&id.to_string(), "STATIC_BROKER_CONFIG"),
        );
        configs.insert(
            "zookeeper.connect".into(),
            cfg("zk:2181/kafka", "STATIC_BROKER_CONFIG"),
        );
        configs.insert(
            "inter.broker.protocol.version".into(),
            cfg("3.9", "STATIC_BROKER_CONFIG"),
        );
        configs.insert(
            "authorizer.class.name".into(),
            cfg(
                "kafka.security.authorizer.AclAuthorizer",
                "STATIC_BROKER_CONFIG",
            ),
        );
        configs.insert("log.dirs".into(), cfg("/data/a", "STATIC_BROKER_CONFIG"));
        configs.insert(
            "min.insync.replicas".into(),
            cfg("2", "STATIC_BROKER_CONFIG"),
        );
        inv.brokers.push(Broker {
            id,
            host: format!("kafka-{id}.example"),
            port: 9092,
            version: Some("3.9".into()),
            configs,
            log_dirs: vec![LogDir {
                path: "/data/a".into(),
                error: None,
                size_bytes: Some(1 << 30),
            }],
            ..Default::default()
        });
    }
    let topics = partitions.div_ceil(per_topic);
    for t in 0..topics {
        let name = match t % 10 {
            0 => format!("app-{t}-store-changelog"),
            _ => format!("domain.events-{t:07}"),
        };
        let mut configs = BTreeMap::new();
        if t % 3 == 0 {
            configs.insert(
                "retention.ms".into(),
                cfg("604800000", "DYNAMIC_TOPIC_CONFIG"),
            );
        }
        // One topic in ten still pins an old message format: thousands of findings at 1M
        // partitions, so the reports have to group them.
        if t % 10 == 5 {
            configs.insert(
                "message.format.version".into(),
                cfg("0.10.2", "DYNAMIC_TOPIC_CONFIG"),
            );
        }
        let n = per_topic.min(partitions - t * per_topic);
        let parts = (0..n)
            .map(|p| {
                let replicas: Vec<i64> =
                    (0..3).map(|r| ((t + p + r) as i64 % brokers) + 1).collect();
                let isr = if (t * per_topic + p) % 5000 == 7 {
                    replicas[..1].to_vec()
                } else {
                    replicas.clone()
                };
                Partition {
                    id: p as i32,
                    leader: replicas[0],
                    replicas,
                    isr,
                    log_end_offset: Some(1_000_000 + p as i64),
                    ..Default::default()
                }
            })
            .collect();
        inv.topics.push(Topic {
            name,
            partitions: parts,
            configs,
            ..Default::default()
        });
    }
    for i in 0..2000 {
        inv.acls.push(Acl {
            principal: format!("User:svc-{}", i % 400),
            host: "*".into(),
            resource_type: ["TOPIC", "GROUP", "TRANSACTIONAL_ID", "CLUSTER"][i % 4].into(),
            resource_name: format!("res-{i}"),
            pattern_type: if i % 5 == 0 { "PREFIXED" } else { "LITERAL" }.into(),
            operation: "READ".into(),
            permission: "ALLOW".into(),
        });
    }
    for i in 0..100 {
        inv.scram_users.push(ScramUser {
            name: format!("svc-{i}"),
            credentials: vec![ScramCredential {
                mechanism: "SCRAM-SHA-512".into(),
                iterations: 4096,
            }],
        });
        inv.quotas.push(Quota {
            entity: BTreeMap::from([("user".to_string(), format!("svc-{i}"))]),
            values: BTreeMap::from([("producer_byte_rate".to_string(), 1048576.0)]),
        });
    }
    for g in 0..200 {
        let t = &inv.topics[g % inv.topics.len()];
        inv.groups.push(ConsumerGroup {
            id: format!("group-{g}"),
            state: if g % 2 == 0 { "Stable" } else { "Empty" }.into(),
            protocol_type: "consumer".into(),
            members: if g % 2 == 0 {
                vec![GroupMember {
                    client_id: format!("c-{g}"),
                    host: "/10.0.0.1".into(),
                }]
            } else {
                vec![]
            },
            offsets: t
                .partitions
                .iter()
                .map(|p| GroupOffset {
                    topic: t.name.clone(),
                    partition: p.id,
                    offset: 999_000,
                    lag: Some(1000),
                })
                .collect(),
        });
    }
    for part in ["clients", "metrics"] {
        inv.add_gap(
            part,
            "",
            crate::inventory::GapReason::NotCollected,
            "synthetic inventory",
        );
    }
    inv
}
