//! Topics by name (mapped to the new side's name by the source alias): partitions, replication
//! factor, topic-level overrides, and in place the topic id and log end offsets.

use super::*;
use crate::diff::expected::{is_kafka_internal, is_mm2_topic};
use crate::inventory::Topic;
use std::collections::HashMap;

/// Whether and why differences of this topic are by design.
#[derive(Clone, Copy)]
enum Soft {
    No,
    Mm2,
    /// Kafka's internal topic on a new cluster: the new cluster's own.
    Internal,
}

impl Soft {
    /// A difference of a soft topic is expected (MirrorMaker 2) or the new cluster's own.
    fn soften(self, s: Status, m: String) -> (Status, String) {
        match self {
            Soft::No => (s, m),
            Soft::Mm2 => (
                Status::Expected,
                format!("{m} (MirrorMaker 2's own topic: expected)"),
            ),
            Soft::Internal => (
                Status::Info,
                format!("{m} (Kafka's internal topic on the new cluster: its own settings)"),
            ),
        }
    }
}

fn rf(t: &Topic) -> usize {
    t.partitions
        .iter()
        .map(|p| p.replicas.len().saturating_sub(p.removing_replicas.len()))
        .max()
        .unwrap_or(0)
}

pub(super) fn topics(cx: &mut Ctx) {
    if cx.unknown_if_gap(Category::Topics, "topics") {
        return;
    }
    let configs_gap = cx.part_gap("topics.configs").is_some();
    if configs_gap {
        cx.unknown_if_gap(Category::TopicConfigs, "topics.configs");
    }
    // Kafka's internal topics keep their names; the others are looked for under the alias.
    let old_keyed: Vec<(String, (usize, &Topic))> = cx
        .old
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let name = if is_kafka_internal(t) {
                t.name.clone()
            } else {
                cx.map_topic(&t.name)
            };
            (name, (i, t))
        })
        .collect();
    let new_keyed = cx
        .new
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), (i, t)));
    for p in pair(old_keyed, new_keyed) {
        match p {
            Pair::Old((oi, t)) => missing_topic(cx, oi, t),
            Pair::Both((oi, t), (ni, nt)) => both_topic(cx, (oi, t), (ni, nt), configs_gap),
            Pair::New((ni, nt)) => {
                let internal = is_kafka_internal(nt);
                let (status, why) = if is_mm2_topic(nt) {
                    (Status::Expected, " (MirrorMaker 2's own topic)")
                } else if internal {
                    (Status::Info, " (Kafka's internal topic)")
                } else {
                    (Status::Added, "")
                };
                let category = if internal {
                    Category::InternalTopics
                } else {
                    Category::Topics
                };
                let at = At::new(
                    category,
                    format!("topic:{}", nt.name),
                    format!("/topics/{ni}"),
                );
                cx.push(at.item(
                    status,
                    "",
                    None,
                    Some(format!("{} partitions", nt.partitions.len())),
                    format!("Topic {} is only on the new side{why}.", nt.name),
                ));
            }
        }
    }
}

/// The topic's category, and whether its differences are by design.
fn kind_of(cx: &Ctx, t: &Topic) -> (At, Soft) {
    let internal = is_kafka_internal(t);
    let soft = if is_mm2_topic(t) {
        Soft::Mm2
    } else if internal && cx.path == Path::NewCluster {
        Soft::Internal
    } else {
        Soft::No
    };
    let category = if internal {
        Category::InternalTopics
    } else {
        Category::Topics
    };
    (At::new(category, format!("topic:{}", t.name), ""), soft)
}

fn missing_topic(cx: &mut Ctx, oi: usize, t: &Topic) {
    let (at, soft) = kind_of(cx, t);
    let at = at.pointer(format!("/topics/{oi}"));
    let name = if is_kafka_internal(t) {
        t.name.clone()
    } else {
        cx.map_topic(&t.name)
    };
    let (status, message) = match soft {
        Soft::Mm2 => (Status::Expected, format!("Topic {} is MirrorMaker 2's own (it never replicates its internal topics); the new side has none by that name.", t.name)),
        Soft::Internal => (Status::Expected, format!("Kafka's internal topic {} does not exist yet on the new cluster: Kafka creates it on first use.", t.name)),
        Soft::No => (Status::Missing, format!(
            "Topic {} ({} partitions, replication factor {}) is missing on the new side{}.",
            t.name,
            t.partitions.len(),
            rf(t),
            if name != t.name { format!(" (looked for {name})") } else { String::new() }
        )),
    };
    let old = Some(format!("{} partitions", t.partitions.len()));
    cx.push(at.item(status, "", old, None, message));
}

fn both_topic(
    cx: &mut Ctx,
    (oi, t): (usize, &Topic),
    (ni, nt): (usize, &Topic),
    configs_gap: bool,
) {
    let (at, soft) = kind_of(cx, t);
    let at = at.pointer(format!("/topics/{oi}"));
    // Internal topics count under their own category; the others under each aspect's.
    let cat = |c: Category| {
        if at.category == Category::InternalTopics {
            Category::InternalTopics
        } else {
            c
        }
    };
    cx.same(cat(Category::Topics));
    // Partitions and replication factor.
    let (po, pn) = (t.partitions.len(), nt.partitions.len());
    let (ro, rn) = (rf(t), rf(nt));
    for (category, key, o, n, words) in [
        (
            Category::Partitions,
            "partitions",
            po,
            pn,
            format!(
                "Topic {} has {pn} partitions instead of {po}{}.",
                t.name,
                if pn < po {
                    ": keyed data lands in different partitions and committed offsets of the missing partitions have nowhere to go"
                } else {
                    ": keyed data lands in different partitions"
                }
            ),
        ),
        (
            Category::ReplicationFactor,
            "replication factor",
            ro,
            rn,
            format!(
                "Topic {} has replication factor {rn} instead of {ro}{}.",
                t.name,
                if rn < ro {
                    ": fewer copies of every record"
                } else {
                    ""
                }
            ),
        ),
    ] {
        let d = (o != n).then(|| {
            let (status, message) = soft.soften(Status::Changed, words);
            let at = at.category(cat(category));
            at.item(
                status,
                key,
                Some(o.to_string()),
                Some(n.to_string()),
                message,
            )
        });
        cx.same_or(cat(category), d);
    }
    // Non-default configs (topic-level overrides).
    if !configs_gap {
        topic_configs(
            cx,
            &at.category(cat(Category::TopicConfigs)),
            soft,
            t,
            (ni, nt),
        );
    }
    // In place: the same topic (id) and no data lost.
    if cx.path == Path::Inplace {
        inplace_identity(cx, &at, t, nt);
    }
}

fn topic_configs(cx: &mut Ctx, at: &At, soft: Soft, t: &Topic, (ni, nt): (usize, &Topic)) {
    let tg = |inv: &Inventory, n: &str| {
        inv.gap_for("topics.configs", Some(&format!("topic:{n}")))
            .is_some()
    };
    if tg(cx.old, &t.name) || tg(cx.new, &nt.name) {
        cx.push(at.item(
            Status::Unknown,
            "configs",
            None,
            None,
            format!(
                "Not compared: the configs of topic {} could not be read on one side.",
                t.name
            ),
        ));
        return;
    }
    fn overrides(tt: &Topic) -> impl Iterator<Item = (&String, (&String, &ConfigEntry))> {
        tt.configs
            .iter()
            .filter(|(_, e)| e.source.is_empty() || e.source == "DYNAMIC_TOPIC_CONFIG")
            .map(|(k, e)| (k, (k, e)))
    }
    for p in pair(overrides(t), overrides(nt)) {
        let d = match p {
            Pair::Both((_, e), (_, ne)) if same_value(e, ne) => None,
            Pair::Both((k, e), (_, ne)) => {
                let (status, message) = soft.soften(
                    Status::Changed,
                    format!(
                        "Topic {}: {k} is {} instead of {}.",
                        t.name,
                        val(ne),
                        val(e)
                    ),
                );
                let at = at.pointer(format!("{}/configs/{}", at.pointer, ptr_key(k)));
                Some(at.item(status, k, Some(val(e)), Some(val(ne)), message))
            }
            Pair::Old((k, e)) => {
                let (status, message) = soft.soften(
                    Status::Missing,
                    format!(
                        "Topic {}: the override {k}={} is missing on the new side, so the broker default applies.",
                        t.name,
                        val(e)
                    ),
                );
                let at = at.pointer(format!("{}/configs/{}", at.pointer, ptr_key(k)));
                Some(at.item(status, k, Some(val(e)), None, message))
            }
            Pair::New((k, ne)) => {
                let status = match soft {
                    Soft::Mm2 => Status::Expected,
                    Soft::Internal => Status::Info,
                    Soft::No => Status::Added,
                };
                let at = at.pointer(format!("/topics/{ni}/configs/{k}"));
                let message = format!(
                    "Topic {}: {k}={} is set on the new side only.",
                    t.name,
                    val(ne)
                );
                Some(at.item(status, k, None, Some(val(ne)), message))
            }
        };
        cx.same_or(at.category, d);
    }
}

fn inplace_identity(cx: &mut Ctx, at: &At, t: &Topic, nt: &Topic) {
    let at = at.category(Category::TopicIds);
    match (&t.id, &nt.id) {
        (Some(a), Some(b)) if a != b => cx.push(at.item(
            Status::Changed,
            "topic id",
            Some(a.clone()),
            Some(b.clone()),
            format!("Topic {} has a new topic id ({a} → {b}): it was deleted and re-created, and its data with it.", t.name),
        )),
        (Some(_), Some(_)) => cx.same(Category::TopicIds),
        _ => {}
    }
    let at = at.category(Category::PartitionData);
    let new_leo: HashMap<i32, Option<i64>> = nt
        .partitions
        .iter()
        .map(|p| (p.id, p.log_end_offset))
        .collect();
    for p in &t.partitions {
        let (Some(a), Some(Some(b))) = (p.log_end_offset, new_leo.get(&p.id)) else {
            continue;
        };
        let d = (*b < a).then(|| {
            at.item(
                Status::Changed,
                format!("{}-{}", t.name, p.id),
                Some(a.to_string()),
                Some(b.to_string()),
                format!(
                    "Partition {}-{} ends at offset {b}, before {a}: {} records are gone.",
                    t.name,
                    p.id,
                    a - b
                ),
            )
        });
        cx.same_or(Category::PartitionData, d);
    }
}
