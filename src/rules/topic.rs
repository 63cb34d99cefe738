//! Topics as rules see them: each made on its own from the typed inventory, with derived
//! fields that keep rule conditions short (a large cluster's topics are most of an audit's
//! values). [`topic_value`] is the CEL value rules read; [`topic_view`] the same fields as JSON,
//! for the messages and locations of the topics a rule fires on.

use super::celval;
use crate::inventory::Inventory;
use cel::common::types::{CelBool, CelList, CelNull, CelString};
use cel::common::value::Val;
use serde_json::{json, Value as Json};

/// What the derived topic fields need from the rest of the inventory, gathered once.
pub struct TopicContext {
    /// The cluster-wide `min.insync.replicas` (the first broker that sets it; Kafka's default 1).
    default_min_isr: i64,
    /// Consumer group ids, to find the group a topic name starts with in one lookup per `-`;
    /// `None` when a gap hides `groups` (then `app_group` is left out: unknown, not null).
    group_ids: Option<std::collections::HashSet<String>>,
    /// The ids of the inventory's brokers; `None` when a gap hides `broker_ids` (then
    /// `missing_replica_brokers` is left out: a broker not shown is not a missing broker).
    broker_ids: Option<std::collections::HashSet<i64>>,
}

impl TopicContext {
    /// `hidden`: the variables a gap hides from rules (see `eval::hide_gaps`); the derived
    /// fields made from them are left out too, so that reading one is unknown.
    pub fn new(inv: &Inventory, hidden: &std::collections::HashSet<&str>) -> Self {
        TopicContext {
            default_min_isr: inv
                .brokers
                .iter()
                .find_map(|b| {
                    b.configs
                        .get("min.insync.replicas")
                        .and_then(|e| e.value.as_deref())
                        .and_then(|v| v.trim().parse().ok())
                })
                .unwrap_or(1),
            group_ids: (!hidden.contains("groups"))
                .then(|| inv.groups.iter().map(|g| g.id.clone()).collect()),
            broker_ids: (!hidden.contains("broker_ids"))
                .then(|| inv.brokers.iter().map(|b| b.id).collect()),
        }
    }

    /// The longest consumer group id that the topic name starts with, followed by `-`
    /// (Kafka Streams names its internal topics `<application.id>-…`, and the application id
    /// is its consumer group).
    /// `None` when the groups are hidden.
    fn app_group(&self, topic: &str) -> Option<Option<String>> {
        let groups = self.group_ids.as_ref()?;
        Some(
            topic
                .rmatch_indices('-')
                .map(|(i, _)| &topic[..i])
                .find(|prefix| groups.contains(*prefix))
                .map(str::to_string),
        )
    }
}

/// The derived fields of a topic (see [`topic_view`]), found in one pass over its partitions.
struct Derived {
    partition_count: usize,
    replication_factor: usize,
    offline_partitions: usize,
    under_replicated_partitions: usize,
    replica_brokers: Vec<i64>,
    /// `None`: unknown (see [`TopicContext`]).
    missing_replica_brokers: Option<Vec<i64>>,
    /// `None`: unknown; `Some(None)`: no group.
    app_group: Option<Option<String>>,
    min_isr: i64,
    under_min_isr_partitions: usize,
}

impl Derived {
    fn of(t: &crate::inventory::Topic, cx: &TopicContext) -> Derived {
        let min_isr: i64 = t
            .configs
            .get("min.insync.replicas")
            .and_then(|e| e.value.as_deref())
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(cx.default_min_isr);
        let parts = &t.partitions;
        let mut replica_brokers: Vec<i64> = parts
            .iter()
            .flat_map(|p| p.replicas.iter().copied())
            .collect();
        replica_brokers.sort_unstable();
        replica_brokers.dedup();
        let missing_replica_brokers = cx.broker_ids.as_ref().map(|ids| {
            replica_brokers
                .iter()
                .copied()
                .filter(|b| !ids.contains(b))
                .collect()
        });
        Derived {
            partition_count: parts.len(),
            replication_factor: parts.iter().map(|p| p.replicas.len()).max().unwrap_or(0),
            offline_partitions: parts.iter().filter(|p| p.leader < 0).count(),
            under_replicated_partitions: parts
                .iter()
                .filter(|p| p.isr.len() < p.replicas.len())
                .count(),
            replica_brokers,
            missing_replica_brokers,
            app_group: cx.app_group(&t.name),
            min_isr,
            under_min_isr_partitions: parts
                .iter()
                .filter(|p| (p.isr.len() as i64) < min_isr)
                .count(),
        }
    }
}

/// A topic's framework: as the inventory says, or as `Inventory::normalize` recognises it by
/// name when the inventory does not say.
fn framework(t: &crate::inventory::Topic) -> Option<&str> {
    t.framework
        .as_deref()
        .or_else(|| crate::inventory::framework_of(&t.name))
}

/// A topic as JSON without its `partitions` (CEL reads those from the typed inventory, see
/// `celval::PartitionVal`), with derived fields: `partition_count`, `replication_factor`,
/// `offline_partitions`, `under_replicated_partitions`, `replica_brokers` (the broker ids
/// holding a replica), `missing_replica_brokers` (those of them that are not among the
/// inventory's brokers, `broker_ids`), `min_isr`, `under_min_isr_partitions` and `app_group`
/// (the longest consumer group id the name starts with, followed by `-`; null when none).
///
/// Messages and locations read this; rules read the same fields from [`topic_value`].
pub fn topic_view(t: &crate::inventory::Topic, cx: &TopicContext) -> Json {
    // Every field listed (no `..`), so a new topic field cannot be forgotten here.
    let shallow = crate::inventory::Topic {
        name: t.name.clone(),
        id: t.id.clone(),
        internal: t.internal,
        framework: framework(t).map(str::to_string),
        partitions: Vec::new(),
        configs: t.configs.clone(),
        pending_deletion: t.pending_deletion,
    };
    let mut v = serde_json::to_value(&shallow).expect("topic serializes");
    let d = Derived::of(t, cx);
    let o = v.as_object_mut().expect("topic is an object");
    o.remove("partitions");
    o.insert("partition_count".into(), json!(d.partition_count));
    o.insert("replication_factor".into(), json!(d.replication_factor));
    o.insert("offline_partitions".into(), json!(d.offline_partitions));
    o.insert(
        "under_replicated_partitions".into(),
        json!(d.under_replicated_partitions),
    );
    o.insert("replica_brokers".into(), json!(d.replica_brokers));
    if let Some(missing) = d.missing_replica_brokers {
        o.insert("missing_replica_brokers".into(), json!(missing));
    }
    if let Some(group) = d.app_group {
        o.insert("app_group".into(), json!(group));
    }
    o.insert("min_isr".into(), json!(d.min_isr));
    o.insert(
        "under_min_isr_partitions".into(),
        json!(d.under_min_isr_partitions),
    );
    v
}

/// A topic as the CEL value rules read: the fields of [`topic_view`] (without `configs` when
/// `configs` is false: a gap hides them) and its `partitions`, made straight from the typed
/// inventory. Names and strings are borrowed, not copied: a large cluster has tens of thousands
/// of topics, and the JSON detour allocated every key and value twice.
pub fn topic_value<'a>(
    t: &'a crate::inventory::Topic,
    cx: &TopicContext,
    configs: bool,
) -> Box<dyn Val + 'a> {
    use cel::common::types::CelInt;
    type Entry<'a> = (CelString<'a>, Box<dyn Val + 'a>);
    fn int<'a>(n: impl TryInto<i64>) -> Box<dyn Val + 'a> {
        Box::new(CelInt::from(n.try_into().unwrap_or(i64::MAX)))
    }
    fn str_or_null<'a>(s: Option<&'a str>) -> Box<dyn Val + 'a> {
        match s {
            Some(s) => Box::new(CelString::from(s)),
            None => Box::new(CelNull),
        }
    }
    fn ints<'a>(v: Vec<i64>) -> Box<dyn Val + 'a> {
        Box::new(CelList::from(v.into_iter().map(int).collect::<Vec<_>>()))
    }
    fn key<'a>(k: &'static str, v: Box<dyn Val + 'a>) -> Entry<'a> {
        (CelString::from(k), v)
    }
    // Every field listed (no `..`), as in `topic_view`: a new topic field cannot be forgotten.
    let crate::inventory::Topic {
        name,
        id,
        internal,
        framework: _,
        partitions,
        configs: topic_configs,
        pending_deletion,
    } = t;
    let d = Derived::of(t, cx);
    let mut e: Vec<Entry<'a>> = vec![
        key("name", Box::new(CelString::from(name.as_str()))),
        key("internal", Box::new(CelBool::from(*internal))),
        key(
            "pending_deletion",
            Box::new(CelBool::from(*pending_deletion)),
        ),
        key("partitions", celval::partitions(partitions)),
        key("partition_count", int(d.partition_count)),
        key("replication_factor", int(d.replication_factor)),
        key("offline_partitions", int(d.offline_partitions)),
        key(
            "under_replicated_partitions",
            int(d.under_replicated_partitions),
        ),
        key("replica_brokers", ints(d.replica_brokers)),
        key("min_isr", int(d.min_isr)),
        key("under_min_isr_partitions", int(d.under_min_isr_partitions)),
    ];
    // Left out when unknown (a gap hides what they are made from).
    if let Some(missing) = d.missing_replica_brokers {
        e.push(key("missing_replica_brokers", ints(missing)));
    }
    if let Some(group) = d.app_group {
        let v: Box<dyn Val + 'a> = match group {
            Some(g) => Box::new(CelString::from(g)),
            None => Box::new(CelNull),
        };
        e.push(key("app_group", v));
    }
    // As serde writes them: `id` and `framework` only when known.
    if let Some(id) = id {
        e.push(key("id", Box::new(CelString::from(id.as_str()))));
    }
    if let Some(f) = framework(t) {
        e.push(key("framework", Box::new(CelString::from(f))));
    }
    if configs {
        let entries = topic_configs
            .iter()
            .map(|(k, c)| {
                let crate::inventory::ConfigEntry {
                    value,
                    source,
                    sensitive,
                    line,
                } = c;
                let mut fields = vec![
                    key("value", str_or_null(value.as_deref())),
                    key("source", Box::new(CelString::from(source.as_str()))),
                    key("sensitive", Box::new(CelBool::from(*sensitive))),
                ];
                if let Some(l) = line {
                    fields.push(key("line", int(*l)));
                }
                (
                    CelString::from(k.as_str()),
                    Box::new(celval::Obj::new(fields)) as Box<dyn Val + 'a>,
                )
            })
            .collect();
        e.push(key("configs", Box::new(celval::Obj::new(entries))));
    }
    Box::new(celval::Obj::new(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_group_is_the_longest_group_prefix() {
        let mut inv = Inventory::new();
        for g in ["orders", "orders-app", "pay"] {
            inv.groups.push(crate::inventory::ConsumerGroup {
                id: g.into(),
                ..Default::default()
            });
        }
        let cx = TopicContext::new(&inv, &Default::default());
        assert_eq!(
            cx.app_group("orders-app-store-changelog"),
            Some(Some("orders-app".into()))
        );
        assert_eq!(
            cx.app_group("orders-x-repartition"),
            Some(Some("orders".into()))
        );
        assert_eq!(cx.app_group("payments-x-changelog"), Some(None));
        assert_eq!(cx.app_group("pay"), Some(None));
        // Groups hidden by a gap: unknown, not "no group".
        let hidden = ["groups"].into_iter().collect();
        assert_eq!(TopicContext::new(&inv, &hidden).app_group("orders-x"), None);
    }

    /// `topic_value` (CEL) and `topic_view` (JSON) are made separately: they must say the same.
    #[test]
    fn cel_value_and_json_view_agree() {
        let mut invs: Vec<Inventory> = [
            "tests/fixtures/rig/zk39-inventory.json",
            "tests/fixtures/diff/before.json",
        ]
        .iter()
        .map(|f| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(f);
            crate::inventory::load_inventory(&path).unwrap().0
        })
        .collect();
        invs.push(crate::inventory::synth::synthetic(2000));
        // Every optional field set, and a replica on a broker that is not in the inventory.
        let mut odd = Inventory::new();
        odd.groups.push(crate::inventory::ConsumerGroup {
            id: "app".into(),
            ..Default::default()
        });
        odd.brokers.push(crate::inventory::Broker {
            id: 1,
            ..Default::default()
        });
        odd.topics.push(crate::inventory::Topic {
            name: "app-store-changelog".into(),
            id: Some("t1".into()),
            framework: Some("streams".into()),
            pending_deletion: true,
            internal: true,
            partitions: vec![crate::inventory::Partition {
                id: 0,
                leader: -1,
                replicas: vec![1, 7],
                isr: vec![1],
                adding_replicas: vec![7],
                log_end_offset: Some(3),
                ..Default::default()
            }],
            configs: [
                ("min.insync.replicas", Some("2"), Some(4)),
                ("secret", None, None),
            ]
            .into_iter()
            .map(|(k, v, line)| {
                let entry = crate::inventory::ConfigEntry {
                    value: v.map(str::to_string),
                    source: "DYNAMIC_TOPIC_CONFIG".into(),
                    sensitive: v.is_none(),
                    line,
                };
                (k.to_string(), entry)
            })
            .collect(),
        });
        invs.push(odd);
        let mut seen = 0;
        // Also with the groups and broker ids hidden: both forms leave the same fields out.
        let none = std::collections::HashSet::new();
        let gaps: std::collections::HashSet<&str> = ["groups", "broker_ids"].into_iter().collect();
        let contexts = |inv| [TopicContext::new(inv, &none), TopicContext::new(inv, &gaps)];
        for (inv, cx) in invs
            .iter()
            .flat_map(|inv| contexts(inv).map(|cx| (inv, cx)))
        {
            for t in &inv.topics {
                let mut want = topic_view(t, &cx);
                want.as_object_mut()
                    .unwrap()
                    .insert("partitions".into(), json!(t.partitions));
                assert_eq!(
                    celval::to_json(topic_value(t, &cx, true).as_ref()),
                    want,
                    "{}",
                    t.name
                );
                want.as_object_mut().unwrap().remove("configs");
                assert_eq!(
                    celval::to_json(topic_value(t, &cx, false).as_ref()),
                    want,
                    "{}",
                    t.name
                );
                seen += 1;
            }
        }
        assert!(seen > 200, "{seen} topics compared");
        // Hidden, the derived fields are absent (reading one is unknown, never a value).
        let t = &invs[0].topics[0];
        let view = topic_view(t, &TopicContext::new(&invs[0], &gaps));
        assert!(view.get("missing_replica_brokers").is_none() && view.get("app_group").is_none());
        let view = topic_view(t, &TopicContext::new(&invs[0], &none));
        assert!(view.get("missing_replica_brokers").is_some() && view.get("app_group").is_some());
    }
}
