//! Consumer groups with committed offsets (by group id), and their offsets (by topic, mapped to
//! the new side's name, and partition): exactly equal in place; on a new cluster, the lag each
//! side's log end offset leaves.

use super::*;
use crate::diff::expected::is_mm2_group;
use crate::inventory::{ConsumerGroup, GroupOffset};
use std::collections::HashMap;

/// (topic, partition) → log end offset.
fn log_ends(inv: &Inventory) -> HashMap<(String, i32), i64> {
    inv.topics
        .iter()
        .flat_map(|t| {
            t.partitions
                .iter()
                .filter_map(move |p| p.log_end_offset.map(|o| ((t.name.clone(), p.id), o)))
        })
        .collect()
}

pub(super) fn groups<'a>(cx: &mut Ctx<'a>) {
    if cx.unknown_if_gap(Category::ConsumerGroups, "groups") {
        return;
    }
    let offsets_gap = cx.unknown_if_gap(Category::GroupOffsets, "groups.offsets");
    let leo = (log_ends(cx.old), log_ends(cx.new));
    // groups without committed offsets have nothing to carry
    let side = |inv: &'a Inventory| {
        let mut v = indexed(&inv.groups, |g| g.id.clone());
        v.retain(|(_, (_, g))| !g.offsets.is_empty());
        v
    };
    for p in pair(side(cx.old), side(cx.new)) {
        match p {
            Pair::Old((gi, g)) => {
                let mm2 = is_mm2_group(&g.id);
                let topics: BTreeSet<&str> = g.offsets.iter().map(|o| o.topic.as_str()).collect();
                let at = At::new(
                    Category::ConsumerGroups,
                    format!("group:{}", g.id),
                    format!("/groups/{gi}"),
                );
                let message = if mm2 {
                    format!("Group {} is MirrorMaker 2's own.", g.id)
                } else {
                    format!(
                        "Consumer group {} has no committed offsets on the new side (it had {} on {}): it would start from auto.offset.reset{}.",
                        g.id,
                        g.offsets.len(),
                        topics.into_iter().collect::<Vec<_>>().join(", "),
                        if cx.path == Path::NewCluster { "; the replication tool did not translate them" } else { "" }
                    )
                };
                let status = if mm2 {
                    Status::Expected
                } else {
                    Status::Missing
                };
                let old = Some(format!("{} committed offsets", g.offsets.len()));
                cx.push(at.item(status, "", old, None, message));
            }
            Pair::Both((gi, g), (_, ng)) => {
                cx.same(Category::ConsumerGroups);
                if !offsets_gap {
                    let at = At::new(
                        Category::GroupOffsets,
                        format!("group:{}", g.id),
                        format!("/groups/{gi}"),
                    );
                    offsets(cx, &at, g, ng, &leo);
                }
            }
            Pair::New((i, g)) => {
                let mm2 = is_mm2_group(&g.id);
                let at = At::new(
                    Category::ConsumerGroups,
                    format!("group:{}", g.id),
                    format!("/groups/{i}"),
                );
                cx.push(at.item(
                    if mm2 { Status::Expected } else { Status::Added },
                    "",
                    None,
                    Some(format!("{} committed offsets", g.offsets.len())),
                    format!(
                        "Consumer group {} is only on the new side{}.",
                        g.id,
                        if mm2 { " (MirrorMaker 2's own)" } else { "" }
                    ),
                ));
            }
        }
    }
}

type LogEnds = HashMap<(String, i32), i64>;

fn offsets(cx: &mut Ctx, at: &At, g: &ConsumerGroup, ng: &ConsumerGroup, leo: &(LogEnds, LogEnds)) {
    let old = g
        .offsets
        .iter()
        .map(|o| ((cx.map_topic(&o.topic), o.partition), o))
        .collect::<Vec<_>>();
    let new = ng
        .offsets
        .iter()
        .map(|n| ((n.topic.clone(), n.partition), n));
    for p in pair(old, new) {
        let d = match p {
            Pair::Old(o) => {
                let topic = cx.map_topic(&o.topic);
                Some(at.item(
                    Status::Missing,
                    format!("{topic}-{}", o.partition),
                    Some(o.offset.to_string()),
                    None,
                    format!(
                        "Group {} has no committed offset for {}-{} on the new side (it was {}{}): that partition would be read from auto.offset.reset.",
                        g.id,
                        topic,
                        o.partition,
                        o.offset,
                        if cx.path == Path::NewCluster { ", not translated" } else { "" }
                    ),
                ))
            }
            Pair::Both(o, n) => offset_moved(cx, at, g, o, n, leo),
            Pair::New(n) => Some(at.item(
                Status::Added,
                format!("{}-{}", n.topic, n.partition),
                None,
                Some(n.offset.to_string()),
                format!(
                    "Group {} has an offset for {}-{} on the new side only.",
                    g.id, n.topic, n.partition
                ),
            )),
        };
        cx.same_or(Category::GroupOffsets, d);
    }
}

/// A committed offset on both sides: equal in place; on a new cluster, the same lag.
fn offset_moved(
    cx: &Ctx,
    at: &At,
    g: &ConsumerGroup,
    o: &GroupOffset,
    n: &GroupOffset,
    (old_leo, new_leo): &(LogEnds, LogEnds),
) -> Option<Item> {
    let topic = cx.map_topic(&o.topic);
    let key = format!("{topic}-{}", o.partition);
    let d = match cx.path {
        Path::Inplace => {
            if n.offset == o.offset {
                return None;
            }
            let (status, message) = if n.offset > o.offset {
                (
                    Status::Info,
                    format!(
                        "Group {} on {key} moved on from {} to {} (the group consumed meanwhile).",
                        g.id, o.offset, n.offset
                    ),
                )
            } else {
                (
                    Status::Changed,
                    format!(
                        "Group {} on {key} went back from {} to {}: {} records would be read again.",
                        g.id,
                        o.offset,
                        n.offset,
                        o.offset - n.offset
                    ),
                )
            };
            (status, o.offset.to_string(), n.offset.to_string(), message)
        }
        Path::NewCluster => {
            let (ol, nl) = (
                old_leo.get(&(o.topic.clone(), o.partition)),
                new_leo.get(&(topic.clone(), o.partition)),
            );
            match (ol, nl) {
                (Some(ol), Some(nl)) => {
                    let (lag_old, lag_new) = ((ol - o.offset).max(0), (nl - n.offset).max(0));
                    let gap = lag_new - lag_old;
                    if gap == 0 {
                        return None;
                    }
                    let message = if gap > 0 {
                        format!(
                            "Group {} on {key}: the translated offset {} leaves lag {lag_new} instead of {lag_old}: {gap} records would be read again.",
                            g.id, n.offset
                        )
                    } else {
                        format!(
                            "Group {} on {key}: the translated offset {} leaves lag {lag_new} instead of {lag_old}: {} records would be skipped.",
                            g.id,
                            n.offset,
                            -gap
                        )
                    };
                    (
                        Status::Changed,
                        format!("{} (lag {lag_old})", o.offset),
                        format!("{} (lag {lag_new})", n.offset),
                        message,
                    )
                }
                _ => {
                    if n.offset == o.offset {
                        return None;
                    }
                    (
                        Status::Info,
                        o.offset.to_string(),
                        n.offset.to_string(),
                        format!(
                            "Group {} on {key} is at {} (was {}); a log end offset is unknown, so the translation gap cannot be measured.",
                            g.id, n.offset, o.offset
                        ),
                    )
                }
            }
        }
    };
    let (status, old, new, message) = d;
    Some(at.item(status, key, Some(old), Some(new), message))
}
