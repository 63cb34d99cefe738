//! The comparison itself. Every category is a keyed comparison ([`pair`]): entries of the old
//! side matched with the new side's by a key (a topic name, an ACL, a SCRAM user, a config
//! key…), each pair becoming an [`Item`] for what differs or a count for what is the same. A
//! category module says only what its key is and what a difference means.

mod access;
mod configs;
mod groups;
mod iam;
mod topics;

use super::{assemble, Category, Diff, DiffOptions, Item, Path, Status};
use crate::collect::phase::is_controller_only;
use crate::inventory::{Broker, ConfigEntry, Gap, Inventory};
use std::collections::{BTreeMap, BTreeSet};

struct Ctx<'a> {
    old: &'a Inventory,
    new: &'a Inventory,
    path: Path,
    alias: Option<&'a str>,
    items: Vec<Item>,
    /// category → (compared, same)
    counts: BTreeMap<Category, (usize, usize)>,
}

/// One entry of a keyed comparison: only on the old side, on both, or only on the new side.
enum Pair<O, N> {
    Old(O),
    Both(O, N),
    New(N),
}

/// Match two sides' entries by key: the old entries in their order, each `Old` or `Both` (with
/// the first new entry of its key), then the new entries whose key no old entry has, in theirs.
fn pair<K: Ord, O, N: Clone>(
    old: impl IntoIterator<Item = (K, O)>,
    new: impl IntoIterator<Item = (K, N)>,
) -> Vec<Pair<O, N>> {
    let old: Vec<(K, O)> = old.into_iter().collect();
    let new: Vec<(K, N)> = new.into_iter().collect();
    let mut first: BTreeMap<&K, usize> = BTreeMap::new();
    for (i, (k, _)) in new.iter().enumerate() {
        first.entry(k).or_insert(i);
    }
    let matched: Vec<Option<usize>> = old.iter().map(|(k, _)| first.get(k).copied()).collect();
    let old_keys: BTreeSet<&K> = old.iter().map(|(k, _)| k).collect();
    let only_new: Vec<bool> = new.iter().map(|(k, _)| !old_keys.contains(k)).collect();
    let mut out: Vec<Pair<O, N>> = old
        .into_iter()
        .zip(matched)
        .map(|((_, o), m)| match m {
            Some(j) => Pair::Both(o, new[j].1.clone()),
            None => Pair::Old(o),
        })
        .collect();
    out.extend(
        new.into_iter()
            .zip(only_new)
            .filter(|(_, n)| *n)
            .map(|((_, n), _)| Pair::New(n)),
    );
    out
}

/// A side's entries with their index in the inventory, keyed for [`pair`].
fn indexed<'t, T: 't, K>(
    items: impl IntoIterator<Item = &'t T>,
    key: impl Fn(&T) -> K,
) -> Vec<(K, (usize, &'t T))> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, t)| (key(t), (i, t)))
        .collect()
}

/// Where the differences of one resource go: its category, resource name and JSON pointer.
#[derive(Clone)]
struct At {
    category: Category,
    resource: String,
    pointer: String,
}

impl At {
    fn new(category: Category, resource: impl Into<String>, pointer: impl Into<String>) -> Self {
        At {
            category,
            resource: resource.into(),
            pointer: pointer.into(),
        }
    }
    fn pointer(&self, pointer: impl Into<String>) -> Self {
        At {
            pointer: pointer.into(),
            ..self.clone()
        }
    }
    fn category(&self, category: Category) -> Self {
        At {
            category,
            ..self.clone()
        }
    }
    /// One difference of this resource (`key`: what inside it differs; empty for itself).
    fn item(
        &self,
        status: Status,
        key: impl Into<String>,
        old: Option<String>,
        new: Option<String>,
        message: String,
    ) -> Item {
        Item {
            category: self.category,
            status,
            resource: self.resource.clone(),
            key: key.into(),
            old,
            new,
            message,
            pointer: self.pointer.clone(),
        }
    }
}

impl<'a> Ctx<'a> {
    fn same(&mut self, c: Category) {
        let e = self.counts.entry(c).or_default();
        e.0 += 1;
        e.1 += 1;
    }
    fn push(&mut self, d: Item) {
        self.counts.entry(d.category).or_default().0 += 1;
        self.items.push(d);
    }
    /// Count a matched entry as the same, or record its difference.
    fn same_or(&mut self, c: Category, d: Option<Item>) {
        match d {
            Some(d) => self.push(d),
            None => self.same(c),
        }
    }
    /// Topic name on the new side.
    fn map_topic(&self, name: &str) -> String {
        map_name(self.alias, self.path, name)
    }
    /// A whole-part gap on either side makes the category not comparable; so does a part of
    /// the brokers that no broker of a side could show (a principal without DescribeConfigs
    /// gets one gap per broker, and the cluster-wide defaults are then unknown too).
    fn part_gap(&self, part: &str) -> Option<(&'static str, &'a Gap)> {
        let whole = |inv: &'a Inventory| {
            inv.gaps
                .iter()
                .find(|g| {
                    g.resource.is_empty()
                        && (g.part == part || part.starts_with(&format!("{}.", g.part)))
                })
                .or_else(|| {
                    let per_broker: Vec<&'a Gap> = inv
                        .brokers
                        .iter()
                        .filter_map(|b| {
                            let res = format!("broker:{}", b.id);
                            inv.gaps
                                .iter()
                                .find(|g| g.resource == res && g.covers(part))
                        })
                        .collect();
                    (part.starts_with("brokers.")
                        && !inv.brokers.is_empty()
                        && per_broker.len() == inv.brokers.len())
                    .then(|| per_broker[0])
                })
        };
        whole(self.old)
            .map(|g| ("old", g))
            .or_else(|| whole(self.new).map(|g| ("new", g)))
    }
    /// Record an unknown category; true when there was a gap (the caller skips it).
    fn unknown_if_gap(&mut self, category: Category, part: &str) -> bool {
        let Some((side, g)) = self.part_gap(part) else {
            return false;
        };
        let message = format!(
            "Not compared: the {side} inventory has no {part} ({}{}{}), so parity cannot be shown.",
            g.reason,
            if g.detail.is_empty() { "" } else { ": " },
            g.detail
        );
        let at = At::new(category, "inventory", "/gaps");
        self.push(at.item(Status::Unknown, part, None, None, message));
        true
    }
}

fn map_name(alias: Option<&str>, path: Path, name: &str) -> String {
    match (alias, path) {
        (Some(a), Path::NewCluster) => format!("{a}.{name}"),
        _ => name.to_string(),
    }
}

fn val(e: &ConfigEntry) -> String {
    if e.sensitive {
        "(sensitive)".into()
    } else {
        e.value.clone().unwrap_or_default()
    }
}

fn same_value(a: &ConfigEntry, b: &ConfigEntry) -> bool {
    // Redacted values can only be compared for presence.
    if a.sensitive || b.sensitive || a.value.is_none() || b.value.is_none() {
        return a.value.is_none() == b.value.is_none() || a.sensitive || b.sensitive;
    }
    a.value == b.value
}

/// A config key as a JSON pointer segment.
fn ptr_key(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

/// Compare two inventories.
pub fn compare(old: &Inventory, new: &Inventory, opts: &DiffOptions) -> Diff {
    let (path, path_reason) = match opts.path {
        Some(p) => (p, format!("--profile {}", p.as_str())),
        None => match (&old.cluster.id, &new.cluster.id) {
            (Some(a), Some(b)) if a == b => (
                Path::Inplace,
                format!("both sides have cluster id {a}: the same cluster, migrated in place"),
            ),
            (Some(a), Some(b)) => (
                Path::NewCluster,
                format!("cluster ids differ ({a} → {b}): a new cluster"),
            ),
            _ => (
                Path::NewCluster,
                "a cluster id is unknown, so a new cluster is assumed (--profile inplace says otherwise)"
                    .to_string(),
            ),
        },
    };
    let mut cx = Ctx {
        old,
        new,
        path,
        alias: opts.source_alias.as_deref(),
        items: Vec::new(),
        counts: BTreeMap::new(),
    };
    cluster(&mut cx);
    brokers(&mut cx);
    topics::topics(&mut cx);
    access::acls(&mut cx);
    access::scram(&mut cx);
    access::quotas(&mut cx);
    configs::broker_configs(&mut cx);
    configs::static_configs(&mut cx);
    groups::groups(&mut cx);
    iam::iam_access(&mut cx);
    let Ctx { items, counts, .. } = cx;
    assemble(path, path_reason, opts, old, new, items, counts)
}

fn cluster(cx: &mut Ctx) {
    let (o, n) = (&cx.old.cluster, &cx.new.cluster);
    let at = At::new(Category::Cluster, "cluster", "/cluster/id");
    let id = match (&o.id, &n.id) {
        (Some(a), Some(b)) if a != b => {
            let (status, message) = if cx.path == Path::Inplace {
                (
                    Status::Changed,
                    format!("The cluster id changed from {a} to {b}, but an in-place migration keeps it: this is not the same cluster."),
                )
            } else {
                (
                    Status::Expected,
                    format!("A new cluster has its own id ({a} → {b})."),
                )
            };
            Some(at.item(status, "id", Some(a.clone()), Some(b.clone()), message))
        }
        _ => None,
    };
    cx.same_or(Category::Cluster, id);
    let at = at.pointer("/cluster");
    for (key, a, b, why) in [
        (
            "mode",
            o.mode.clone(),
            n.mode.clone(),
            "the metadata mode is what the migration changes",
        ),
        (
            "phase",
            o.phase.clone(),
            n.phase.clone(),
            "the migration phase moves on as the migration proceeds",
        ),
        (
            "version",
            o.version.clone().unwrap_or_default(),
            n.version.clone().unwrap_or_default(),
            "the Kafka version may change with the move",
        ),
    ] {
        if a == b || a.is_empty() && b.is_empty() {
            cx.same(Category::Cluster);
            continue;
        }
        let known = |s: &str| {
            if s.is_empty() {
                "unknown".to_string()
            } else {
                s.to_string()
            }
        };
        let (a, b) = (known(&a), known(&b));
        let message = format!("Cluster {key} {a} → {b}: {why}.");
        cx.push(at.item(Status::Expected, key, Some(a), Some(b), message));
    }
}

fn node_label(b: &Broker) -> String {
    if b.host.is_empty() {
        format!("{}", b.id)
    } else {
        format!("{} ({}:{})", b.id, b.host, b.port)
    }
}

fn brokers(cx: &mut Ctx) {
    if cx.unknown_if_gap(Category::Brokers, "brokers") {
        return;
    }
    // keyed by (is a KRaft controller, id); the last of duplicated nodes counts
    fn index(inv: &Inventory) -> BTreeMap<(bool, i64), (usize, &Broker)> {
        inv.brokers
            .iter()
            .enumerate()
            .map(|(i, b)| ((is_controller_only(b), b.id), (i, b)))
            .collect()
    }
    let kind = |c: bool| if c { "controller" } else { "broker" };
    // a node is `broker:ID` or `controller:ID`, at its place in the inventory
    let node_at = |i: usize, b: &Broker| {
        let (ctl, id) = (is_controller_only(b), b.id);
        let at = At::new(
            Category::Brokers,
            format!("{}:{id}", kind(ctl)),
            format!("/brokers/{i}"),
        );
        (ctl, id, at)
    };
    for p in pair(index(cx.old), index(cx.new)) {
        let d = match p {
            Pair::Old((i, b)) => {
                let (ctl, _, at) = node_at(i, b);
                Some(at.item(
                    Status::Expected,
                    "",
                    Some(node_label(b)),
                    None,
                    format!(
                        "{} {} is not on the new side: broker ids and hosts are the machines' own (its dynamic configs are compared below).",
                        kind(ctl),
                        node_label(b)
                    ),
                ))
            }
            Pair::Both((i, b), (_, nb))
                if (nb.host.as_str(), nb.port) != (b.host.as_str(), b.port) =>
            {
                let (ctl, id, at) = node_at(i, b);
                Some(at.item(
                    Status::Expected,
                    "endpoint",
                    Some(format!("{}:{}", b.host, b.port)),
                    Some(format!("{}:{}", nb.host, nb.port)),
                    format!(
                        "{} {id} answers at {}:{} instead of {}:{}: hosts and ports are the machines' own.",
                        kind(ctl),
                        nb.host,
                        nb.port,
                        b.host,
                        b.port
                    ),
                ))
            }
            Pair::Both(..) => None,
            Pair::New((i, b)) => {
                let (ctl, _, at) = node_at(i, b);
                let message = if ctl {
                    format!(
                        "KRaft controller {} is new: a KRaft cluster has controllers instead of ZooKeeper.",
                        node_label(b)
                    )
                } else {
                    format!(
                        "{} {} is only on the new side: broker ids and hosts are the machines' own.",
                        kind(ctl),
                        node_label(b)
                    )
                };
                Some(at.item(Status::Expected, "", None, Some(node_label(b)), message))
            }
        };
        cx.same_or(Category::Brokers, d);
    }
}

/// How a value changed, in words.
fn change_words(o: &Option<String>, n: &Option<String>) -> String {
    match (o, n) {
        (Some(a), Some(b)) => format!("changed from {a} to {b}"),
        (Some(a), None) => format!("({a}) is no longer set"),
        (None, Some(b)) => format!("is newly set to {b}"),
        (None, None) => "differs".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_keeps_old_order_then_new_only() {
        let old = [("a", 1), ("b", 2), ("a", 3)];
        let new = [("c", 10), ("a", 11), ("a", 12)];
        let got: Vec<String> = pair(old, new)
            .into_iter()
            .map(|p| match p {
                Pair::Old(o) => format!("old {o}"),
                Pair::Both(o, n) => format!("both {o} {n}"),
                Pair::New(n) => format!("new {n}"),
            })
            .collect();
        assert_eq!(got, ["both 1 11", "old 2", "both 3 11", "new 10"]);
    }
}
