//! The comparison itself: one function per category, each adding [`Item`]s for what differs
//! and counting what is the same.

use super::expected::{config_key_reason, is_kafka_internal, is_mm2_group, is_mm2_topic};
use super::{assemble, Category, Diff, DiffOptions, Item, Path, Status};
use crate::collect::phase::is_controller_only;
use crate::inventory::{Acl, Broker, ConfigEntry, Gap, Inventory, Topic};
use std::collections::{BTreeMap, BTreeSet, HashMap};

const DYNAMIC_BROKER: &str = "DYNAMIC_BROKER_CONFIG";
const DYNAMIC_DEFAULT: &str = "DYNAMIC_DEFAULT_BROKER_CONFIG";
const STATIC: &str = "STATIC_BROKER_CONFIG";

struct Ctx<'a> {
    old: &'a Inventory,
    new: &'a Inventory,
    path: Path,
    alias: Option<&'a str>,
    items: Vec<Item>,
    /// category → (compared, same)
    counts: BTreeMap<Category, (usize, usize)>,
}

/// A difference, before it becomes an [`Item`].
struct D {
    category: Category,
    status: Status,
    resource: String,
    key: String,
    old: Option<String>,
    new: Option<String>,
    message: String,
    pointer: String,
}

impl<'a> Ctx<'a> {
    fn same(&mut self, c: Category) {
        let e = self.counts.entry(c).or_default();
        e.0 += 1;
        e.1 += 1;
    }
    fn push(&mut self, d: D) {
        self.counts.entry(d.category).or_default().0 += 1;
        self.items.push(Item {
            category: d.category,
            status: d.status,
            resource: d.resource,
            key: d.key,
            old: d.old,
            new: d.new,
            message: d.message,
            pointer: d.pointer,
        });
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
        self.push(D {
            category,
            status: Status::Unknown,
            resource: "inventory".into(),
            key: part.into(),
            old: None,
            new: None,
            message,
            pointer: "/gaps".into(),
        });
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

fn rf(t: &Topic) -> usize {
    t.partitions
        .iter()
        .map(|p| p.replicas.len().saturating_sub(p.removing_replicas.len()))
        .max()
        .unwrap_or(0)
}

pub fn acl_resource(a: &Acl) -> String {
    format!(
        "acl:{} {} {} {}:{}:{} from {}",
        a.permission,
        a.principal,
        a.operation,
        a.resource_type,
        a.pattern_type,
        a.resource_name,
        a.host
    )
}

pub fn quota_resource(entity: &BTreeMap<String, String>) -> String {
    let parts: Vec<String> = entity
        .iter()
        .map(|(k, v)| format!("{k}={}", if v.is_empty() { "<default>" } else { v }))
        .collect();
    format!("quota:{}", parts.join(","))
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
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
    topics(&mut cx);
    acls(&mut cx);
    scram(&mut cx);
    quotas(&mut cx);
    broker_configs(&mut cx);
    static_configs(&mut cx);
    groups(&mut cx);
    let Ctx { items, counts, .. } = cx;
    assemble(path, path_reason, opts, old, new, items, counts)
}

fn cluster(cx: &mut Ctx) {
    let (o, n) = (&cx.old.cluster, &cx.new.cluster);
    match (&o.id, &n.id) {
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
            cx.push(D {
                category: Category::Cluster,
                status,
                resource: "cluster".into(),
                key: "id".into(),
                old: Some(a.clone()),
                new: Some(b.clone()),
                message,
                pointer: "/cluster/id".into(),
            });
        }
        _ => cx.same(Category::Cluster),
    }
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
        cx.push(D {
            category: Category::Cluster,
            status: Status::Expected,
            resource: "cluster".into(),
            key: key.into(),
            old: Some(if a.is_empty() {
                "unknown".into()
            } else {
                a.clone()
            }),
            new: Some(if b.is_empty() {
                "unknown".into()
            } else {
                b.clone()
            }),
            message: format!(
                "Cluster {key} {} → {}: {why}.",
                if a.is_empty() { "unknown" } else { &a },
                if b.is_empty() { "unknown" } else { &b }
            ),
            pointer: "/cluster".into(),
        });
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
    let index = |inv: &Inventory| -> BTreeMap<(bool, i64), (usize, Broker)> {
        inv.brokers
            .iter()
            .enumerate()
            .map(|(i, b)| ((is_controller_only(b), b.id), (i, b.clone())))
            .collect()
    };
    let (old, new) = (index(cx.old), index(cx.new));
    let kind = |c: bool| if c { "controller" } else { "broker" };
    for ((ctl, id), (i, b)) in &old {
        let ptr = format!("/brokers/{i}");
        match new.get(&(*ctl, *id)) {
            None => cx.push(D {
                category: Category::Brokers,
                status: Status::Expected,
                resource: format!("{}:{id}", kind(*ctl)),
                key: String::new(),
                old: Some(node_label(b)),
                new: None,
                message: format!(
                    "{} {} is not on the new side: broker ids and hosts are the machines' own (its dynamic configs are compared below).",
                    kind(*ctl),
                    node_label(b)
                ),
                pointer: ptr.clone(),
            }),
            Some((_, nb)) if (nb.host.as_str(), nb.port) != (b.host.as_str(), b.port) => {
                cx.push(D {
                    category: Category::Brokers,
                    status: Status::Expected,
                    resource: format!("{}:{id}", kind(*ctl)),
                    key: "endpoint".into(),
                    old: Some(format!("{}:{}", b.host, b.port)),
                    new: Some(format!("{}:{}", nb.host, nb.port)),
                    message: format!(
                        "{} {id} answers at {}:{} instead of {}:{}: hosts and ports are the machines' own.",
                        kind(*ctl),
                        nb.host,
                        nb.port,
                        b.host,
                        b.port
                    ),
                    pointer: ptr.clone(),
                })
            }
            Some(_) => cx.same(Category::Brokers),
        }
    }
    for ((ctl, id), (i, b)) in &new {
        if !old.contains_key(&(*ctl, *id)) {
            cx.push(D {
                category: Category::Brokers,
                status: Status::Expected,
                resource: format!("{}:{id}", kind(*ctl)),
                key: String::new(),
                old: None,
                new: Some(node_label(b)),
                message: if *ctl {
                    format!(
                        "KRaft controller {} is new: a KRaft cluster has controllers instead of ZooKeeper.",
                        node_label(b)
                    )
                } else {
                    format!(
                        "{} {} is only on the new side: broker ids and hosts are the machines' own.",
                        kind(*ctl),
                        node_label(b)
                    )
                },
                pointer: format!("/brokers/{i}"),
            });
        }
    }
}

/// Whether and why differences of this topic are by design.
enum Soft {
    No,
    Mm2,
    /// Kafka's internal topic on a new cluster: the new cluster's own.
    Internal,
}

fn topics(cx: &mut Ctx) {
    let topic_gap = cx.unknown_if_gap(Category::Topics, "topics");
    if topic_gap {
        return;
    }
    let configs_gap = cx.part_gap("topics.configs").is_some();
    if configs_gap {
        cx.unknown_if_gap(Category::TopicConfigs, "topics.configs");
    }
    let new_idx: HashMap<&str, usize> = cx
        .new
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let mut seen_new: BTreeSet<usize> = BTreeSet::new();
    for (oi, t) in cx.old.topics.iter().enumerate() {
        let internal = is_kafka_internal(t);
        let mm2 = is_mm2_topic(t);
        let name = if internal {
            t.name.clone()
        } else {
            cx.map_topic(&t.name)
        };
        let soft = if mm2 {
            Soft::Mm2
        } else if internal && cx.path == Path::NewCluster {
            Soft::Internal
        } else {
            Soft::No
        };
        let cat = |c: Category| {
            if internal {
                Category::InternalTopics
            } else {
                c
            }
        };
        let ptr = format!("/topics/{oi}");
        let resource = format!("topic:{}", t.name);
        let Some(&ni) = new_idx.get(name.as_str()) else {
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
            cx.push(D {
                category: cat(Category::Topics),
                status,
                resource,
                key: String::new(),
                old: Some(format!("{} partitions", t.partitions.len())),
                new: None,
                message,
                pointer: ptr.clone(),
            });
            continue;
        };
        seen_new.insert(ni);
        let nt = &cx.new.topics[ni];
        let nptr = format!("/topics/{ni}");
        cx.same(cat(Category::Topics));
        // Differences of soft topics are expected (MirrorMaker 2) or the new cluster's own.
        let soften = |s: Status, m: String| -> (Status, String) {
            match soft {
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
        };
        // Partitions.
        let (po, pn) = (t.partitions.len(), nt.partitions.len());
        if po == pn {
            cx.same(cat(Category::Partitions));
        } else {
            let (status, message) = soften(
                Status::Changed,
                format!(
                    "Topic {} has {pn} partitions instead of {po}{}.",
                    t.name,
                    if pn < po {
                        ": keyed data lands in different partitions and committed offsets of the missing partitions have nowhere to go"
                    } else {
                        ": keyed data lands in different partitions"
                    }
                ),
            );
            cx.push(D {
                category: cat(Category::Partitions),
                status,
                resource: resource.clone(),
                key: "partitions".into(),
                old: Some(po.to_string()),
                new: Some(pn.to_string()),
                message,
                pointer: ptr.clone(),
            });
        }
        // Replication factor.
        let (ro, rn) = (rf(t), rf(nt));
        if ro == rn {
            cx.same(cat(Category::ReplicationFactor));
        } else {
            let (status, message) = soften(
                Status::Changed,
                format!(
                    "Topic {} has replication factor {rn} instead of {ro}{}.",
                    t.name,
                    if rn < ro {
                        ": fewer copies of every record"
                    } else {
                        ""
                    }
                ),
            );
            cx.push(D {
                category: cat(Category::ReplicationFactor),
                status,
                resource: resource.clone(),
                key: "replication factor".into(),
                old: Some(ro.to_string()),
                new: Some(rn.to_string()),
                message,
                pointer: ptr.clone(),
            });
        }
        // Non-default configs (topic-level overrides).
        let tg = |inv: &Inventory, n: &str| {
            inv.gap_for("topics.configs", Some(&format!("topic:{n}")))
                .is_some()
        };
        if !configs_gap {
            if tg(cx.old, &t.name) || tg(cx.new, &nt.name) {
                cx.push(D {
                    category: cat(Category::TopicConfigs),
                    status: Status::Unknown,
                    resource: resource.clone(),
                    key: "configs".into(),
                    old: None,
                    new: None,
                    message: format!(
                        "Not compared: the configs of topic {} could not be read on one side.",
                        t.name
                    ),
                    pointer: ptr.clone(),
                });
            } else {
                let overrides = |tt: &Topic| -> BTreeMap<String, ConfigEntry> {
                    tt.configs
                        .iter()
                        .filter(|(_, e)| e.source.is_empty() || e.source == "DYNAMIC_TOPIC_CONFIG")
                        .map(|(k, e)| (k.clone(), e.clone()))
                        .collect()
                };
                let (oc, nc) = (overrides(t), overrides(nt));
                for (k, e) in &oc {
                    let cptr = format!("{ptr}/configs/{}", k.replace('~', "~0").replace('/', "~1"));
                    match nc.get(k) {
                        Some(ne) if same_value(e, ne) => cx.same(cat(Category::TopicConfigs)),
                        Some(ne) => {
                            let (status, message) = soften(
                                Status::Changed,
                                format!(
                                    "Topic {}: {k} is {} instead of {}.",
                                    t.name,
                                    val(ne),
                                    val(e)
                                ),
                            );
                            cx.push(D {
                                category: cat(Category::TopicConfigs),
                                status,
                                resource: resource.clone(),
                                key: k.clone(),
                                old: Some(val(e)),
                                new: Some(val(ne)),
                                message,
                                pointer: cptr.clone(),
                            })
                        }
                        None => {
                            let (status, message) = soften(
                                Status::Missing,
                                format!(
                                    "Topic {}: the override {k}={} is missing on the new side, so the broker default applies.",
                                    t.name,
                                    val(e)
                                ),
                            );
                            cx.push(D {
                                category: cat(Category::TopicConfigs),
                                status,
                                resource: resource.clone(),
                                key: k.clone(),
                                old: Some(val(e)),
                                new: None,
                                message,
                                pointer: cptr.clone(),
                            })
                        }
                    }
                }
                for (k, ne) in &nc {
                    if !oc.contains_key(k) {
                        cx.push(D {
                            category: cat(Category::TopicConfigs),
                            status: match soft {
                                Soft::Mm2 => Status::Expected,
                                Soft::Internal => Status::Info,
                                Soft::No => Status::Added,
                            },
                            resource: resource.clone(),
                            key: k.clone(),
                            old: None,
                            new: Some(val(ne)),
                            message: format!(
                                "Topic {}: {k}={} is set on the new side only.",
                                t.name,
                                val(ne)
                            ),
                            pointer: format!("{nptr}/configs/{k}"),
                        });
                    }
                }
            }
        }
        // In place: the same topic (id) and no data lost.
        if cx.path == Path::Inplace {
            match (&t.id, &nt.id) {
                (Some(a), Some(b)) if a != b => cx.push(D {
                    category: Category::TopicIds,
                    status: Status::Changed,
                    resource: resource.clone(),
                    key: "topic id".into(),
                    old: Some(a.clone()),
                    new: Some(b.clone()),
                    message: format!("Topic {} has a new topic id ({a} → {b}): it was deleted and re-created, and its data with it.", t.name),
                    pointer: ptr.clone(),
                }),
                (Some(_), Some(_)) => cx.same(Category::TopicIds),
                _ => {}
            }
            let new_leo: HashMap<i32, Option<i64>> = nt
                .partitions
                .iter()
                .map(|p| (p.id, p.log_end_offset))
                .collect();
            for p in &t.partitions {
                let (Some(a), Some(Some(b))) = (p.log_end_offset, new_leo.get(&p.id)) else {
                    continue;
                };
                if *b >= a {
                    cx.same(Category::PartitionData);
                } else {
                    cx.push(D {
                        category: Category::PartitionData,
                        status: Status::Changed,
                        resource: resource.clone(),
                        key: format!("{}-{}", t.name, p.id),
                        old: Some(a.to_string()),
                        new: Some(b.to_string()),
                        message: format!(
                            "Partition {}-{} ends at offset {b}, before {a}: {} records are gone.",
                            t.name,
                            p.id,
                            a - b
                        ),
                        pointer: ptr.clone(),
                    });
                }
            }
        }
    }
    for (ni, nt) in cx.new.topics.iter().enumerate() {
        if seen_new.contains(&ni) {
            continue;
        }
        let internal = is_kafka_internal(nt);
        let (status, why) = if is_mm2_topic(nt) {
            (Status::Expected, " (MirrorMaker 2's own topic)")
        } else if internal {
            (Status::Info, " (Kafka's internal topic)")
        } else {
            (Status::Added, "")
        };
        cx.push(D {
            category: if internal {
                Category::InternalTopics
            } else {
                Category::Topics
            },
            status,
            resource: format!("topic:{}", nt.name),
            key: String::new(),
            old: None,
            new: Some(format!("{} partitions", nt.partitions.len())),
            message: format!("Topic {} is only on the new side{why}.", nt.name),
            pointer: format!("/topics/{ni}"),
        });
    }
}

fn acls(cx: &mut Ctx) {
    if cx.unknown_if_gap(Category::Acls, "acls") {
        return;
    }
    let (alias, path) = (cx.alias, cx.path);
    let mapped = |a: &Acl| -> Acl {
        let mut a = a.clone();
        if a.resource_type == "TOPIC" && a.resource_name != "*" {
            a.resource_name = map_name(alias, path, &a.resource_name);
        }
        a
    };
    let new: BTreeSet<String> = cx.new.acls.iter().map(acl_resource).collect();
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    for (i, a) in cx.old.acls.iter().enumerate() {
        let m = mapped(a);
        let r = acl_resource(&m);
        wanted.insert(r.clone());
        if new.contains(&r) {
            cx.same(Category::Acls);
        } else {
            cx.push(D {
                category: Category::Acls,
                status: Status::Missing,
                resource: acl_resource(a),
                key: String::new(),
                old: Some(format!(
                    "{} {} on {} {} '{}'",
                    a.permission, a.operation, a.resource_type, a.pattern_type, a.resource_name
                )),
                new: None,
                message: format!(
                    "ACL {} {} for {} (host {}) on {} {} '{}' is missing on the new side{}.",
                    a.permission,
                    a.operation,
                    a.principal,
                    a.host,
                    a.resource_type,
                    a.pattern_type,
                    m.resource_name,
                    if a.permission == "DENY" {
                        ": what it denied is allowed again"
                    } else {
                        ": the principal loses this right"
                    }
                ),
                pointer: format!("/acls/{i}"),
            });
        }
    }
    for (i, a) in cx.new.acls.iter().enumerate() {
        let r = acl_resource(a);
        if !wanted.contains(&r) {
            cx.push(D {
                category: Category::Acls,
                status: Status::Added,
                resource: r,
                key: String::new(),
                old: None,
                new: Some(format!("{} {}", a.permission, a.operation)),
                message: format!(
                    "ACL {} {} for {} on {} {} '{}' is only on the new side.",
                    a.permission,
                    a.operation,
                    a.principal,
                    a.resource_type,
                    a.pattern_type,
                    a.resource_name
                ),
                pointer: format!("/acls/{i}"),
            });
        }
    }
}

fn scram(cx: &mut Ctx) {
    if cx.unknown_if_gap(Category::ScramUsers, "scram_users") {
        return;
    }
    let new: HashMap<&str, (usize, &crate::inventory::ScramUser)> = cx
        .new
        .scram_users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.name.as_str(), (i, u)))
        .collect();
    let old_names: BTreeSet<&str> = cx.old.scram_users.iter().map(|u| u.name.as_str()).collect();
    let mut items = Vec::new();
    let mut same = 0;
    for (i, u) in cx.old.scram_users.iter().enumerate() {
        let ptr = format!("/scram_users/{i}");
        let mechs = |u: &crate::inventory::ScramUser| {
            u.credentials
                .iter()
                .map(|c| format!("{} ({} iterations)", c.mechanism, c.iterations))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some((ni, nu)) = new.get(u.name.as_str()) else {
            items.push(D {
                category: Category::ScramUsers,
                status: Status::Missing,
                resource: format!("scram-user:{}", u.name),
                key: String::new(),
                old: Some(mechs(u)),
                new: None,
                message: format!(
                    "SCRAM user {} ({}) is missing on the new side: clients that log in as {} are refused.",
                    u.name,
                    mechs(u),
                    u.name
                ),
                pointer: ptr,
            });
            continue;
        };
        for c in &u.credentials {
            match nu.credentials.iter().find(|n| n.mechanism == c.mechanism) {
                None => items.push(D {
                    category: Category::ScramUsers,
                    status: Status::Missing,
                    resource: format!("scram-user:{}", u.name),
                    key: c.mechanism.clone(),
                    old: Some(format!("{} iterations", c.iterations)),
                    new: None,
                    message: format!(
                        "SCRAM user {} has no {} credential on the new side: clients using {} cannot log in.",
                        u.name, c.mechanism, c.mechanism
                    ),
                    pointer: ptr.clone(),
                }),
                Some(n) if n.iterations != c.iterations => items.push(D {
                    category: Category::ScramUsers,
                    status: Status::Changed,
                    resource: format!("scram-user:{}", u.name),
                    key: c.mechanism.clone(),
                    old: Some(format!("{} iterations", c.iterations)),
                    new: Some(format!("{} iterations", n.iterations)),
                    message: format!(
                        "SCRAM user {} {}: {} iterations instead of {}: the credential was re-created (with which password?).",
                        u.name, c.mechanism, n.iterations, c.iterations
                    ),
                    pointer: ptr.clone(),
                }),
                Some(_) => same += 1,
            }
        }
        for n in &nu.credentials {
            if !u.credentials.iter().any(|c| c.mechanism == n.mechanism) {
                items.push(D {
                    category: Category::ScramUsers,
                    status: Status::Added,
                    resource: format!("scram-user:{}", u.name),
                    key: n.mechanism.clone(),
                    old: None,
                    new: Some(format!("{} iterations", n.iterations)),
                    message: format!(
                        "SCRAM user {} has a {} credential on the new side only.",
                        u.name, n.mechanism
                    ),
                    pointer: format!("/scram_users/{ni}"),
                });
            }
        }
    }
    for (i, u) in cx.new.scram_users.iter().enumerate() {
        if !old_names.contains(u.name.as_str()) {
            items.push(D {
                category: Category::ScramUsers,
                status: Status::Added,
                resource: format!("scram-user:{}", u.name),
                key: String::new(),
                old: None,
                new: Some(
                    u.credentials
                        .iter()
                        .map(|c| c.mechanism.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                message: format!("SCRAM user {} is only on the new side.", u.name),
                pointer: format!("/scram_users/{i}"),
            });
        }
    }
    for _ in 0..same {
        cx.same(Category::ScramUsers);
    }
    for d in items {
        cx.push(d);
    }
}

/// A quota entity (`user` / `client-id` / `ip` → name).
type Entity = BTreeMap<String, String>;

fn quotas(cx: &mut Ctx) {
    if cx.unknown_if_gap(Category::Quotas, "quotas") {
        return;
    }
    let new: HashMap<&Entity, (usize, &BTreeMap<String, f64>)> = cx
        .new
        .quotas
        .iter()
        .enumerate()
        .map(|(i, q)| (&q.entity, (i, &q.values)))
        .collect();
    let old_entities: BTreeSet<&BTreeMap<String, String>> =
        cx.old.quotas.iter().map(|q| &q.entity).collect();
    let mut pending = Vec::new();
    let mut same = 0;
    for (i, q) in cx.old.quotas.iter().enumerate() {
        let resource = quota_resource(&q.entity);
        let ptr = format!("/quotas/{i}");
        let settings = |v: &BTreeMap<String, f64>| {
            v.iter()
                .map(|(k, x)| format!("{k}={}", fmt_num(*x)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some((_, nv)) = new.get(&q.entity) else {
            pending.push(D {
                category: Category::Quotas,
                status: Status::Missing,
                resource: resource.clone(),
                key: String::new(),
                old: Some(settings(&q.values)),
                new: None,
                message: format!(
                    "The quota for {} ({}) is missing on the new side: those clients are no longer throttled.",
                    resource.trim_start_matches("quota:"),
                    settings(&q.values)
                ),
                pointer: ptr,
            });
            continue;
        };
        for (k, v) in &q.values {
            match nv.get(k) {
                Some(n) if (n - v).abs() <= 1e-9 * v.abs().max(1.0) => same += 1,
                Some(n) => pending.push(D {
                    category: Category::Quotas,
                    status: Status::Changed,
                    resource: resource.clone(),
                    key: k.clone(),
                    old: Some(fmt_num(*v)),
                    new: Some(fmt_num(*n)),
                    message: format!(
                        "The quota {k} for {} is {} instead of {}.",
                        resource.trim_start_matches("quota:"),
                        fmt_num(*n),
                        fmt_num(*v)
                    ),
                    pointer: ptr.clone(),
                }),
                None => pending.push(D {
                    category: Category::Quotas,
                    status: Status::Missing,
                    resource: resource.clone(),
                    key: k.clone(),
                    old: Some(fmt_num(*v)),
                    new: None,
                    message: format!(
                        "The quota {k}={} for {} is missing on the new side.",
                        fmt_num(*v),
                        resource.trim_start_matches("quota:")
                    ),
                    pointer: ptr.clone(),
                }),
            }
        }
        for (k, n) in nv.iter() {
            if !q.values.contains_key(k) {
                pending.push(D {
                    category: Category::Quotas,
                    status: Status::Added,
                    resource: resource.clone(),
                    key: k.clone(),
                    old: None,
                    new: Some(fmt_num(*n)),
                    message: format!(
                        "The quota {k}={} for {} is only on the new side.",
                        fmt_num(*n),
                        resource.trim_start_matches("quota:")
                    ),
                    pointer: ptr.clone(),
                });
            }
        }
    }
    for (i, q) in cx.new.quotas.iter().enumerate() {
        if !old_entities.contains(&q.entity) {
            let resource = quota_resource(&q.entity);
            pending.push(D {
                category: Category::Quotas,
                status: Status::Added,
                resource: resource.clone(),
                key: String::new(),
                old: None,
                new: Some(
                    q.values
                        .iter()
                        .map(|(k, x)| format!("{k}={}", fmt_num(*x)))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                message: format!(
                    "The quota for {} is only on the new side.",
                    resource.trim_start_matches("quota:")
                ),
                pointer: format!("/quotas/{i}"),
            });
        }
    }
    for _ in 0..same {
        cx.same(Category::Quotas);
    }
    for d in pending {
        cx.push(d);
    }
}

/// Brokers that are brokers (not KRaft controllers), with their inventory index.
fn data_brokers(inv: &Inventory) -> Vec<(usize, &Broker)> {
    inv.brokers
        .iter()
        .enumerate()
        .filter(|(_, b)| !is_controller_only(b))
        .collect()
}

/// The cluster-wide dynamic defaults, as the brokers report them.
fn dynamic_defaults(inv: &Inventory) -> BTreeMap<String, (usize, ConfigEntry)> {
    let mut out = BTreeMap::new();
    for (i, b) in data_brokers(inv) {
        for (k, e) in &b.configs {
            if e.source == DYNAMIC_DEFAULT {
                out.entry(k.clone()).or_insert((i, e.clone()));
            }
        }
    }
    out
}

fn ptr_key(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

fn broker_configs(cx: &mut Ctx) {
    let gap = cx.part_gap("brokers.configs").is_some();
    if gap {
        cx.unknown_if_gap(Category::BrokerConfigs, "brokers.configs");
        cx.unknown_if_gap(Category::BrokerDefaults, "brokers.configs");
        return;
    }
    let (old_b, new_b) = (data_brokers(cx.old), data_brokers(cx.new));
    let broker_gap = |inv: &Inventory, id: i64| {
        inv.gap_for("brokers.configs", Some(&format!("broker:{id}")))
            .is_some()
    };
    let new_defaults = dynamic_defaults(cx.new);
    // Carried by other means: every broker of the new side has the value, whatever its source.
    let everywhere = |k: &str, e: &ConfigEntry| {
        !new_b.is_empty()
            && new_b
                .iter()
                .all(|(_, b)| b.configs.get(k).is_some_and(|n| same_value(e, n)))
    };
    let mut pending: Vec<D> = Vec::new();
    let mut same_defaults = 0;
    let mut same_brokers = 0;
    // Cluster-wide defaults.
    let old_defaults = dynamic_defaults(cx.old);
    for (k, (i, e)) in &old_defaults {
        let ptr = format!("/brokers/{i}/configs/{}", ptr_key(k));
        let new_e = new_defaults.get(k).map(|(_, e)| e);
        if new_e.is_some_and(|n| same_value(e, n)) || (new_e.is_none() && everywhere(k, e)) {
            same_defaults += 1;
            continue;
        }
        let nv = new_e.map(val);
        if let Some(why) = config_key_reason(k, e.value.as_deref(), nv.as_deref()) {
            pending.push(D {
                category: Category::BrokerDefaults,
                status: Status::Expected,
                resource: "cluster".into(),
                key: k.clone(),
                old: Some(val(e)),
                new: nv.clone(),
                message: format!("Dynamic default {k} differs: {why}."),
                pointer: ptr.clone(),
            });
            continue;
        }
        pending.push(
            D {
                category: Category::BrokerDefaults,
                status: if nv.is_some() { Status::Changed } else { Status::Missing },
                resource: "cluster".into(),
                key: k.clone(),
                old: Some(val(e)),
                new: nv.clone(),
                message: match &nv {
                    Some(n) => format!("The dynamic cluster default {k} is {n} instead of {}.", val(e)),
                    None => format!(
                        "The dynamic cluster default {k}={} is missing on the new side (neither a dynamic default nor set on every broker), so Kafka's default applies.",
                        val(e)
                    ),
                },
                pointer: ptr.clone(),
            },
        );
    }
    for (k, (i, e)) in &new_defaults {
        if !old_defaults.contains_key(k) {
            pending.push(D {
                category: Category::BrokerDefaults,
                status: Status::Added,
                resource: "cluster".into(),
                key: k.clone(),
                old: None,
                new: Some(val(e)),
                message: format!(
                    "The dynamic cluster default {k}={} is only on the new side.",
                    val(e)
                ),
                pointer: format!("/brokers/{i}/configs/{}", ptr_key(k)),
            });
        }
    }
    // Per-broker dynamic configs, matched by broker id where the ids are kept.
    for (i, b) in &old_b {
        let resource = format!("broker:{}", b.id);
        let nb = new_b.iter().find(|(_, n)| n.id == b.id);
        let dynamic: Vec<(&String, &ConfigEntry)> = b
            .configs
            .iter()
            .filter(|(_, e)| e.source == DYNAMIC_BROKER)
            .collect();
        if dynamic.is_empty() {
            continue;
        }
        if broker_gap(cx.old, b.id) || nb.is_some_and(|(_, n)| broker_gap(cx.new, n.id)) {
            pending.push(D {
                category: Category::BrokerConfigs,
                status: Status::Unknown,
                resource: resource.clone(),
                key: "configs".into(),
                old: None,
                new: None,
                message: format!(
                    "Not compared: the configs of broker {} could not be read on one side.",
                    b.id
                ),
                pointer: format!("/brokers/{i}"),
            });
            continue;
        }
        for (k, e) in dynamic {
            let ptr = format!("/brokers/{i}/configs/{}", ptr_key(k));
            let (status, nv, message) = match nb {
                Some((_, n)) => match n.configs.get(k) {
                    Some(ne) if same_value(e, ne) => {
                        same_brokers += 1;
                        continue;
                    }
                    Some(ne) => (
                        Status::Changed,
                        Some(val(ne)),
                        format!("Broker {}: {k} is {} instead of {} (set dynamically for this broker before).", b.id, val(ne), val(e)),
                    ),
                    None => (
                        Status::Missing,
                        None,
                        format!("Broker {}: the dynamic setting {k}={} is missing on the new side, so Kafka's default applies.", b.id, val(e)),
                    ),
                },
                None => {
                    let carried = new_defaults.get(k).is_some_and(|(_, n)| same_value(e, n)) || everywhere(k, e);
                    if carried {
                        same_brokers += 1;
                        continue;
                    }
                    (
                        Status::Missing,
                        new_defaults.get(k).map(|(_, n)| val(n)),
                        format!(
                            "Broker {} is not on the new side (ids not kept) and its dynamic setting {k}={} is neither a dynamic default there nor set on every broker.",
                            b.id,
                            val(e)
                        ),
                    )
                }
            };
            let nvs = nv.clone();
            if let Some(why) = config_key_reason(k, e.value.as_deref(), nvs.as_deref()) {
                pending.push(D {
                    category: Category::BrokerConfigs,
                    status: Status::Expected,
                    resource: resource.clone(),
                    key: k.clone(),
                    old: Some(val(e)),
                    new: nv,
                    message: format!("Broker {}: {k} differs: {why}.", b.id),
                    pointer: ptr.clone(),
                });
            } else {
                pending.push(D {
                    category: Category::BrokerConfigs,
                    status,
                    resource: resource.clone(),
                    key: k.clone(),
                    old: Some(val(e)),
                    new: nv,
                    message,
                    pointer: ptr.clone(),
                });
            }
        }
    }
    for (i, n) in &new_b {
        let ob = old_b.iter().find(|(_, o)| o.id == n.id);
        for (k, e) in n.configs.iter().filter(|(_, e)| e.source == DYNAMIC_BROKER) {
            if ob.is_some_and(|(_, o)| o.configs.get(k).is_some_and(|x| x.source == DYNAMIC_BROKER))
            {
                continue;
            }
            pending.push(D {
                category: Category::BrokerConfigs,
                status: Status::Added,
                resource: format!("broker:{}", n.id),
                key: k.clone(),
                old: ob.and_then(|(_, o)| o.configs.get(k)).map(val),
                new: Some(val(e)),
                message: format!(
                    "Broker {}: {k}={} is set dynamically on the new side only.",
                    n.id,
                    val(e)
                ),
                pointer: format!("/brokers/{i}/configs/{}", ptr_key(k)),
            });
        }
    }
    for _ in 0..same_defaults {
        cx.same(Category::BrokerDefaults);
    }
    for _ in 0..same_brokers {
        cx.same(Category::BrokerConfigs);
    }
    for d in pending {
        cx.push(d);
    }
}

fn static_configs(cx: &mut Ctx) {
    if cx.part_gap("brokers.configs").is_some() {
        return; // reported by broker_configs
    }
    let (old_b, new_b) = (data_brokers(cx.old), data_brokers(cx.new));
    let mut pending: Vec<D> = Vec::new();
    let mut same = 0;
    for (i, b) in &old_b {
        let Some((_, n)) = new_b.iter().find(|(_, n)| n.id == b.id) else {
            continue;
        };
        let keys: BTreeSet<&String> = b
            .configs
            .iter()
            .chain(n.configs.iter())
            .filter(|(_, e)| e.source == STATIC)
            .map(|(k, _)| k)
            .collect();
        for k in keys {
            let (oe, ne) = (
                b.configs.get(k).filter(|e| e.source == STATIC),
                n.configs.get(k).filter(|e| e.source == STATIC),
            );
            if let (Some(a), Some(z)) = (oe, ne) {
                if same_value(a, z) {
                    same += 1;
                    continue;
                }
            }
            let (ov, nv) = (oe.map(val), ne.map(val));
            let (status, message) = match config_key_reason(k, ov.as_deref(), nv.as_deref()) {
                Some(why) => (Status::Expected, format!("Broker {}: {k} {}: {why}.", b.id, change_words(&ov, &nv))),
                None => (
                    Status::Info,
                    format!(
                        "Broker {}: static {k} {} (server.properties is not carried by any migration: check it is intended).",
                        b.id,
                        change_words(&ov, &nv)
                    ),
                ),
            };
            pending.push(D {
                category: Category::StaticConfigs,
                status,
                resource: format!("broker:{}", b.id),
                key: k.clone(),
                old: ov,
                new: nv,
                message,
                pointer: format!("/brokers/{i}/configs/{}", ptr_key(k)),
            });
        }
    }
    for _ in 0..same {
        cx.same(Category::StaticConfigs);
    }
    for d in pending {
        cx.push(d);
    }
}

fn change_words(o: &Option<String>, n: &Option<String>) -> String {
    match (o, n) {
        (Some(a), Some(b)) => format!("changed from {a} to {b}"),
        (Some(a), None) => format!("({a}) is no longer set"),
        (None, Some(b)) => format!("is newly set to {b}"),
        (None, None) => "differs".into(),
    }
}

fn groups(cx: &mut Ctx) {
    if cx.unknown_if_gap(Category::ConsumerGroups, "groups") {
        return;
    }
    let offsets_gap = cx.unknown_if_gap(Category::GroupOffsets, "groups.offsets");
    let leo = |inv: &Inventory| -> HashMap<(String, i32), i64> {
        inv.topics
            .iter()
            .flat_map(|t| {
                t.partitions
                    .iter()
                    .filter_map(move |p| p.log_end_offset.map(|o| ((t.name.clone(), p.id), o)))
            })
            .collect()
    };
    let (old_leo, new_leo) = (leo(cx.old), leo(cx.new));
    let new_groups: HashMap<&str, (usize, &crate::inventory::ConsumerGroup)> = cx
        .new
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.id.as_str(), (i, g)))
        .collect();
    let mut pending: Vec<D> = Vec::new();
    let mut same_groups = 0;
    let mut same_offsets = 0;
    for (gi, g) in cx.old.groups.iter().enumerate() {
        if g.offsets.is_empty() {
            continue;
        }
        let resource = format!("group:{}", g.id);
        let ptr = format!("/groups/{gi}");
        let mm2 = is_mm2_group(&g.id);
        let ng = new_groups
            .get(g.id.as_str())
            .filter(|(_, n)| !n.offsets.is_empty());
        let Some((_, ng)) = ng else {
            let topics: BTreeSet<&str> = g.offsets.iter().map(|o| o.topic.as_str()).collect();
            pending.push(
                D {
                    category: Category::ConsumerGroups,
                    status: if mm2 { Status::Expected } else { Status::Missing },
                    resource,
                    key: String::new(),
                    old: Some(format!("{} committed offsets", g.offsets.len())),
                    new: None,
                    message: if mm2 {
                        format!("Group {} is MirrorMaker 2's own.", g.id)
                    } else {
                        format!(
                            "Consumer group {} has no committed offsets on the new side (it had {} on {}): it would start from auto.offset.reset{}.",
                            g.id,
                            g.offsets.len(),
                            topics.into_iter().collect::<Vec<_>>().join(", "),
                            if cx.path == Path::NewCluster { "; the replication tool did not translate them" } else { "" }
                        )
                    },
                    pointer: ptr.clone(),
                },
            );
            continue;
        };
        same_groups += 1;
        if offsets_gap {
            continue;
        }
        for o in &g.offsets {
            let topic = cx.map_topic(&o.topic);
            let key = format!("{topic}-{}", o.partition);
            let found = ng
                .offsets
                .iter()
                .find(|n| n.topic == topic && n.partition == o.partition);
            let Some(n) = found else {
                pending.push(
                    D {
                        category: Category::GroupOffsets,
                        status: Status::Missing,
                        resource: resource.clone(),
                        key,
                        old: Some(o.offset.to_string()),
                        new: None,
                        message: format!(
                            "Group {} has no committed offset for {}-{} on the new side (it was {}{}): that partition would be read from auto.offset.reset.",
                            g.id,
                            topic,
                            o.partition,
                            o.offset,
                            if cx.path == Path::NewCluster { ", not translated" } else { "" }
                        ),
                        pointer: ptr.clone(),
                    },
                );
                continue;
            };
            let d = match cx.path {
                Path::Inplace => {
                    if n.offset == o.offset {
                        same_offsets += 1;
                        continue;
                    }
                    let (status, message) = if n.offset > o.offset {
                        (
                            Status::Info,
                            format!("Group {} on {key} moved on from {} to {} (the group consumed meanwhile).", g.id, o.offset, n.offset),
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
                    D {
                        category: Category::GroupOffsets,
                        status,
                        resource: resource.clone(),
                        key,
                        old: Some(o.offset.to_string()),
                        new: Some(n.offset.to_string()),
                        message,
                        pointer: String::new(),
                    }
                }
                Path::NewCluster => {
                    let (ol, nl) = (
                        old_leo.get(&(o.topic.clone(), o.partition)),
                        new_leo.get(&(topic.clone(), o.partition)),
                    );
                    match (ol, nl) {
                        (Some(ol), Some(nl)) => {
                            let (lag_old, lag_new) =
                                ((ol - o.offset).max(0), (nl - n.offset).max(0));
                            let gap = lag_new - lag_old;
                            if gap == 0 {
                                same_offsets += 1;
                                continue;
                            }
                            D {
                                category: Category::GroupOffsets,
                                status: Status::Changed,
                                resource: resource.clone(),
                                key: key.clone(),
                                old: Some(format!("{} (lag {lag_old})", o.offset)),
                                new: Some(format!("{} (lag {lag_new})", n.offset)),
                                message: if gap > 0 {
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
                                },
                                pointer: String::new(),
                            }
                        }
                        _ => {
                            if n.offset == o.offset {
                                same_offsets += 1;
                                continue;
                            }
                            D {
                                category: Category::GroupOffsets,
                                status: Status::Info,
                                resource: resource.clone(),
                                key: key.clone(),
                                old: Some(o.offset.to_string()),
                                new: Some(n.offset.to_string()),
                                message: format!(
                                    "Group {} on {key} is at {} (was {}); a log end offset is unknown, so the translation gap cannot be measured.",
                                    g.id, n.offset, o.offset
                                ),
                                pointer: String::new(),
                            }
                        }
                    }
                }
            };
            pending.push(D {
                pointer: ptr.clone(),
                ..d
            });
        }
        for n in &ng.offsets {
            let known = g
                .offsets
                .iter()
                .any(|o| cx.map_topic(&o.topic) == n.topic && o.partition == n.partition);
            if !known {
                pending.push(D {
                    category: Category::GroupOffsets,
                    status: Status::Added,
                    resource: resource.clone(),
                    key: format!("{}-{}", n.topic, n.partition),
                    old: None,
                    new: Some(n.offset.to_string()),
                    message: format!(
                        "Group {} has an offset for {}-{} on the new side only.",
                        g.id, n.topic, n.partition
                    ),
                    pointer: ptr.clone(),
                });
            }
        }
    }
    let old_ids: BTreeSet<&str> = cx
        .old
        .groups
        .iter()
        .filter(|g| !g.offsets.is_empty())
        .map(|g| g.id.as_str())
        .collect();
    for (i, g) in cx.new.groups.iter().enumerate() {
        if g.offsets.is_empty() || old_ids.contains(g.id.as_str()) {
            continue;
        }
        let mm2 = is_mm2_group(&g.id);
        pending.push(D {
            category: Category::ConsumerGroups,
            status: if mm2 { Status::Expected } else { Status::Added },
            resource: format!("group:{}", g.id),
            key: String::new(),
            old: None,
            new: Some(format!("{} committed offsets", g.offsets.len())),
            message: format!(
                "Consumer group {} is only on the new side{}.",
                g.id,
                if mm2 { " (MirrorMaker 2's own)" } else { "" }
            ),
            pointer: format!("/groups/{i}"),
        });
    }
    for _ in 0..same_groups {
        cx.same(Category::ConsumerGroups);
    }
    for _ in 0..same_offsets {
        cx.same(Category::GroupOffsets);
    }
    for d in pending {
        cx.push(d);
    }
}
