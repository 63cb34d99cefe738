//! The client-migration checklist from the seed article (Kai Waehner, "Amazon MSK Forces a
//! Kafka Cluster Migration from ZooKeeper to KRaft"), marked from the data where known.
//!
//! Every item is one of:
//! - `done`: the inventory shows there is nothing left to do (e.g. ACLs were collected and
//!   there are none). Never claimed without such evidence.
//! - `todo`: the inventory shows work to do (counts and examples in the detail).
//! - `unknown`: the data that would tell was not collected (a gap, or no client data).
//! - `manual`: kraftcheck cannot see it (tests, cutover plans); the detail says what to check.

use super::{gap_why, whole_gap};
use crate::findings::{Finding, Status};
use crate::inventory::{Gap, Inventory};
use crate::rules::Tag;
use serde::Serialize;
use std::collections::BTreeSet;
use std::net::IpAddr;

#[derive(Debug, Clone, Serialize)]
pub struct ChecklistItem {
    pub section: String,
    pub item: String,
    /// `done`, `todo`, `unknown` or `manual`.
    pub status: String,
    pub detail: String,
}

/// The article's five sections, in its order.
pub const SECTIONS: [&str; 5] = [
    "Connection Management",
    "Compatibility Checks",
    "Authentication and Authorization",
    "Consumer Offsets and State",
    "Testing and Phased Rollout",
];

/// How many example names a detail sentence lists before "…".
const EXAMPLES: usize = 5;

fn item(section: usize, text: &str, status: &str, detail: String) -> ChecklistItem {
    ChecklistItem {
        section: SECTIONS[section].to_string(),
        item: text.to_string(),
        status: status.to_string(),
        detail,
    }
}

/// "Cannot tell" when the whole `part` was not collected, else what `judge` finds.
fn unless_gap(
    inv: &Inventory,
    part: &str,
    judge: impl FnOnce() -> (&'static str, String),
) -> (&'static str, String) {
    match whole_gap(inv, part) {
        Some(g) => ("unknown", format!("Cannot tell: {}.", gap_text(g))),
        None => judge(),
    }
}

fn gap_text(g: &Gap) -> String {
    format!("`{}` was not collected ({})", g.part, gap_why(g))
}

/// "a, b, c, … (+4 more)".
fn examples<I: IntoIterator<Item = String>>(names: I) -> String {
    let all: Vec<String> = names.into_iter().collect();
    super::list(&all, EXAMPLES)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Findings of the given statuses, as distinct rule ids.
fn rule_ids<'a>(fs: impl Iterator<Item = &'a Finding>, statuses: &[Status]) -> Vec<String> {
    fs.filter(|f| statuses.contains(&f.status))
        .map(|f| f.rule_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// True when the client data part is present and not a gap.
fn has_client_data(inv: &Inventory) -> bool {
    // broker metrics (`metrics`) or a dependency scan (`clients`)
    inv.clients
        .as_ref()
        .is_some_and(|c| !c.brokers.is_empty() || !c.scanned.is_empty())
        && (whole_gap(inv, "clients").is_none() || whole_gap(inv, "metrics").is_none())
}

fn client_data_missing(inv: &Inventory) -> String {
    match whole_gap(inv, "clients") {
        Some(g) => gap_text(g),
        None => "there is no client data (client software versions from `--metrics`, or a dependency scan)".to_string(),
    }
}

/// Status and detail from the findings that concern one checklist item: failing → todo,
/// unknown → unknown, all evaluated and (with `evidence_ok`) passing → done.
fn from_findings(
    fs: &[&Finding],
    evidence_ok: bool,
    missing: impl FnOnce() -> String,
    what: &str,
) -> (&'static str, String) {
    let failing = rule_ids(fs.iter().copied(), &[Status::Fail]);
    let unknown = rule_ids(fs.iter().copied(), &[Status::Unknown]);
    let ok = rule_ids(fs.iter().copied(), &[Status::Pass, Status::Waived]);
    if !failing.is_empty() {
        let n = fs.iter().filter(|f| f.status == Status::Fail).count();
        let mut d = format!(
            "{} about {what} ({}); see the findings.",
            plural(n, "failing finding", "failing findings"),
            examples(failing)
        );
        if !unknown.is_empty() {
            d.push_str(&format!(" Not evaluated: {}.", examples(unknown)));
        }
        return ("todo", d);
    }
    if !unknown.is_empty() {
        return (
            "unknown",
            format!(
                "Checks about {what} could not be evaluated ({}).",
                examples(unknown)
            ),
        );
    }
    if !evidence_ok {
        return ("unknown", format!("Cannot tell: {}.", missing()));
    }
    if ok.is_empty() {
        return (
            "unknown",
            format!("No rule about {what} was evaluated for the selected profiles."),
        );
    }
    (
        "done",
        format!(
            "{} about {what} passed ({}).",
            plural(ok.len(), "check", "checks"),
            examples(ok)
        ),
    )
}

pub fn build(inv: &Inventory, findings: &[Finding]) -> Vec<ChecklistItem> {
    let mut out = Vec::new();
    let new_cluster_selected = findings
        .iter()
        .any(|f| f.profiles.iter().any(|p| p == "new-cluster"));
    let in_place_only = !findings.is_empty() && !new_cluster_selected;
    let in_place_note = if in_place_only {
        " (The selected paths migrate in place and keep the broker endpoints; this matters when clients move to a new cluster.)"
    } else {
        ""
    };

    // --- Connection Management -------------------------------------------------------
    {
        let text = "Update client configurations to point to the new cluster endpoints.";
        let groups_gap = whole_gap(inv, "groups");
        let client_ids: BTreeSet<String> = inv
            .groups
            .iter()
            .flat_map(|g| g.members.iter().map(|m| m.client_id.clone()))
            .filter(|c| !c.is_empty())
            .collect();
        let active_groups = inv.groups.iter().filter(|g| !g.members.is_empty()).count();
        let (status, detail) = if !client_ids.is_empty() {
            (
                "todo",
                format!(
                    "{} in {} connect today ({}); each needs its bootstrap.servers changed. Producers do not appear in group data: find them in deployment configs.{in_place_note}",
                    plural(client_ids.len(), "client id", "client ids"),
                    plural(active_groups, "active consumer group", "active consumer groups"),
                    examples(client_ids.iter().cloned())
                ),
            )
        } else if let Some(g) = groups_gap.filter(|_| !has_client_data(inv)) {
            (
                "unknown",
                format!(
                    "Cannot list the applications that connect: {} and there is no client data.{in_place_note}",
                    gap_text(g)
                ),
            )
        } else {
            (
                "manual",
                format!(
                    "No consumer group has active members, and producers are never visible in group data: find every bootstrap.servers in deployment configs.{in_place_note}"
                ),
            )
        };
        out.push(item(0, text, status, detail));
    }
    {
        let text = "Use DNS-based aliases or load balancers to abstract cluster addresses.";
        let mut ip_hosts: BTreeSet<String> = BTreeSet::new();
        for b in &inv.brokers {
            if b.host.parse::<IpAddr>().is_ok() {
                ip_hosts.insert(b.host.clone());
            }
            for key in ["advertised.listeners", "advertised.host.name"] {
                if let Some(v) = b.configs.get(key).and_then(|e| e.value.as_deref()) {
                    for l in v.split(',') {
                        let hostport = l.rsplit("://").next().unwrap_or(l);
                        let host = hostport
                            .rsplit_once(':')
                            .map(|(h, _)| h)
                            .unwrap_or(hostport)
                            .trim_matches(|c| c == '[' || c == ']');
                        if host.parse::<IpAddr>().is_ok() {
                            ip_hosts.insert(host.to_string());
                        }
                    }
                }
            }
        }
        let (status, detail) = if !ip_hosts.is_empty() {
            (
                "todo",
                format!(
                    "Brokers advertise IP addresses ({}): clients that bootstrap from them must be reconfigured on every move. Put a DNS name you control in front.",
                    examples(ip_hosts)
                ),
            )
        } else if inv.cluster.kind == crate::inventory::ClusterKind::Msk {
            (
                "todo",
                "MSK broker DNS names belong to the cluster and change with a new cluster: point clients at an alias you control (e.g. a Route 53 CNAME) before cutover."
                    .to_string(),
            )
        } else if inv.brokers.is_empty() {
            unless_gap(inv, "brokers", || {
                (
                    "unknown",
                    "No broker addresses in the inventory.".to_string(),
                )
            })
        } else {
            (
                "manual",
                format!(
                    "Brokers advertise host names ({}); kraftcheck cannot see whether clients use an alias you can repoint at cutover — check their bootstrap.servers.",
                    examples(inv.brokers.iter().filter(|b| !b.host.is_empty()).map(|b| b.host.clone()))
                ),
            )
        };
        out.push(item(0, text, status, detail));
    }

    // --- Compatibility Checks --------------------------------------------------------
    // Rules about client software, protocol versions or ZooKeeper access: those tagged
    // `client-compatibility` (offsets or group-state rules in the `clients` area are not).
    let compat = |f: &Finding| f.has_tag(Tag::ClientCompatibility);
    let client_fs: Vec<&Finding> = findings.iter().filter(|f| compat(f)).collect();
    {
        let text = "Validate that client libraries are compatible with the target Kafka version.";
        let (status, detail) = from_findings(
            &client_fs,
            has_client_data(inv),
            || client_data_missing(inv),
            "client compatibility",
        );
        out.push(item(1, text, status, detail));
    }
    {
        let text = "Pay special attention to features like KRaft support and newer APIs.";
        let api_fs: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.area == "kafka4" || compat(f))
            .collect();
        let (status, mut detail) = from_findings(
            &api_fs,
            has_client_data(inv),
            || client_data_missing(inv),
            "removed APIs, protocol versions and ZooKeeper access",
        );
        if status != "done" && !has_client_data(inv) {
            detail.push_str(" Tools that talk to ZooKeeper directly (CMAK, old Burrow, zookeeper-shell scripts) and clients using protocol versions removed in 4.0 are only visible with client data.");
        }
        out.push(item(1, text, status, detail));
    }

    // --- Authentication and Authorization --------------------------------------------
    {
        let text = "Reapply IAM roles, ACLs, and other security settings in the new cluster.";
        let mut todo: Vec<String> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        let mut part = |name: &str, n: usize, what: String| match whole_gap(inv, name) {
            Some(g) => unknown.push(gap_text(g)),
            None if n > 0 => todo.push(what),
            None => {}
        };
        let principals: BTreeSet<&str> = inv.acls.iter().map(|a| a.principal.as_str()).collect();
        part(
            "acls",
            inv.acls.len(),
            format!(
                "{} ({})",
                plural(inv.acls.len(), "ACL", "ACLs"),
                plural(principals.len(), "principal", "principals")
            ),
        );
        part(
            "scram_users",
            inv.scram_users.len(),
            format!(
                "{} (their passwords cannot be read back: set them again)",
                plural(inv.scram_users.len(), "SCRAM user", "SCRAM users")
            ),
        );
        part(
            "quotas",
            inv.quotas.len(),
            plural(inv.quotas.len(), "client quota", "client quotas"),
        );
        part(
            "delegation_tokens",
            inv.delegation_tokens.len(),
            plural(
                inv.delegation_tokens.len(),
                "delegation token",
                "delegation tokens",
            ),
        );
        if inv.cluster.kind == crate::inventory::ClusterKind::Msk {
            match (&inv.iam, whole_gap(inv, "iam")) {
                (_, Some(g)) => unknown.push(gap_text(g)),
                (None, None) => unknown.push("IAM policies were not read".to_string()),
                (Some(_), None) => {
                    // The IAM rules (tagged `iam-statement`) say which statements name the
                    // old cluster.
                    let pinned = findings
                        .iter()
                        .filter(|f| f.has_tag(Tag::IamStatement) && f.status == Status::Fail)
                        .count();
                    if pinned > 0 {
                        todo.push(format!(
                            "{} naming the old cluster's UUID, name or tags (see the IAM section)",
                            plural(pinned, "IAM policy statement", "IAM policy statements")
                        ));
                    }
                }
            }
        }
        let (status, detail) = match (todo.is_empty(), unknown.is_empty()) {
            (false, _) => {
                let mut d = format!(
                    "Re-create {}; MirrorMaker 2 and MSK Replicator do not copy SCRAM users or quotas. `kraftcheck diff` checks the new side afterwards.",
                    todo.join(", ")
                );
                if !unknown.is_empty() {
                    d.push_str(&format!(" Unknown: {}.", unknown.join("; ")));
                }
                ("todo", d)
            }
            (true, false) => (
                "unknown",
                format!("Cannot tell: {}.", unknown.join("; ")),
            ),
            (true, true) => (
                "done",
                "The inventory has no ACLs, SCRAM users, client quotas or delegation tokens: nothing to re-create."
                    .to_string(),
            ),
        };
        out.push(item(2, text, status, detail));
    }
    {
        let text = "Test service accounts and credentials ahead of cutover.";
        let mut names: BTreeSet<String> = inv
            .acls
            .iter()
            .map(|a| a.principal.clone())
            .filter(|p| p != "User:*")
            .collect();
        names.extend(inv.scram_users.iter().map(|u| format!("User:{}", u.name)));
        let detail = if names.is_empty() {
            "kraftcheck cannot log in as your applications: connect with each service account's credentials to the new cluster before cutover.".to_string()
        } else {
            format!(
                "Connect as each of the {} named in ACLs and SCRAM users ({}) to the new cluster before cutover; kraftcheck cannot test credentials.",
                plural(names.len(), "principal", "principals"),
                examples(names)
            )
        };
        out.push(item(2, text, "manual", detail));
    }

    // --- Consumer Offsets and State -------------------------------------------------
    {
        let text = "Migrate consumer offsets from the old cluster to the new one.";
        let (status, detail) = unless_gap(inv, "groups.offsets", || {
            let with: Vec<&crate::inventory::ConsumerGroup> = inv
                .groups
                .iter()
                .filter(|g| !g.offsets.is_empty())
                .collect();
            let partitions: usize = with.iter().map(|g| g.offsets.len()).sum();
            if with.is_empty() {
                (
                    "done",
                    format!(
                        "No consumer group has committed offsets ({} collected): nothing to migrate.",
                        plural(inv.groups.len(), "group", "groups")
                    ),
                )
            } else {
                (
                    "todo",
                    format!(
                        "{} committed offsets for {} ({}). Sync them with MirrorMaker 2 checkpoints (sync.group.offsets.enabled) or MSK Replicator, and compare with `kraftcheck diff` before consumers move.",
                        plural(with.len(), "consumer group has", "consumer groups have"),
                        plural(partitions, "partition", "partitions"),
                        examples(with.iter().map(|g| g.id.clone()))
                    ),
                )
            }
        });
        out.push(item(3, text, status, detail));
    }
    {
        let text = "For stateful stream processing apps (Kafka Streams, Flink, ksqlDB), plan state migration or resynchronization.";
        let (status, detail) = unless_gap(inv, "topics", || {
            let stateful: Vec<&crate::inventory::Topic> = inv
                .topics
                .iter()
                .filter(|t| matches!(t.framework.as_deref(), Some("streams" | "ksqldb")))
                .collect();
            if stateful.is_empty() {
                (
                    "manual",
                    "No Kafka Streams or ksqlDB internal topics found. Flink and other processors keep state outside Kafka (savepoints, checkpoints), which kraftcheck cannot see."
                        .to_string(),
                )
            } else {
                let streams = stateful
                    .iter()
                    .filter(|t| t.framework.as_deref() == Some("streams"))
                    .count();
                let ksql = stateful.len() - streams;
                let what = [(streams, "Kafka Streams"), (ksql, "ksqlDB")]
                    .iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(n, name)| format!("{n} {name}"))
                    .collect::<Vec<_>>()
                    .join(" and ");
                (
                    "todo",
                    format!(
                        "{what} internal {} application state ({}): reset and reprocess, or replicate with identical names and synced offsets. Flink state is not visible here.",
                        if stateful.len() == 1 { "topic holds" } else { "topics hold" },
                        examples(stateful.iter().map(|t| t.name.clone()))
                    ),
                )
            }
        });
        out.push(item(3, text, status, detail));
    }

    // --- Testing and Phased Rollout --------------------------------------------------
    out.push(item(
        4,
        "Run integration tests against the new cluster before cutover.",
        "manual",
        "kraftcheck cannot run your tests. After the move, `kraftcheck diff OLD.json NEW.json` shows any topic, config, ACL, SCRAM user, quota or offset the new cluster lacks.".to_string(),
    ));
    {
        let mm2: Vec<String> = inv
            .topics
            .iter()
            .filter(|t| t.framework.as_deref() == Some("mirrormaker2"))
            .map(|t| t.name.clone())
            .collect();
        let detail = if mm2.is_empty() {
            "A plan decision: replicate with MirrorMaker 2 or MSK Replicator and move consumers first, then producers, group by group.".to_string()
        } else {
            format!(
                "MirrorMaker 2 topics are present ({}): replication may already be running for a phased move. Move consumers first, then producers, group by group.",
                examples(mm2)
            )
        };
        out.push(item(
            4,
            "Consider dual writes or phased traffic migration to reduce risk.",
            "manual",
            detail,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Acl, ConsumerGroup, GroupMember, GroupOffset, ScramUser, Topic};

    fn by_item<'a>(items: &'a [ChecklistItem], start: &str) -> &'a ChecklistItem {
        items
            .iter()
            .find(|i| i.item.starts_with(start))
            .unwrap_or_else(|| panic!("no item {start}"))
    }

    #[test]
    fn every_section_and_item_is_present() {
        let items = build(&Inventory::new(), &[]);
        assert_eq!(items.len(), 10);
        for s in SECTIONS {
            assert_eq!(items.iter().filter(|i| i.section == s).count(), 2, "{s}");
        }
        for i in &items {
            assert!(
                ["done", "todo", "unknown", "manual"].contains(&i.status.as_str()),
                "{i:?}"
            );
            assert!(!i.detail.is_empty());
        }
    }

    #[test]
    fn gaps_make_items_unknown_never_done() {
        let mut inv = Inventory::new();
        for p in [
            "acls",
            "scram_users",
            "quotas",
            "delegation_tokens",
            "groups",
            "topics",
            "clients",
        ] {
            inv.add_gap(p, "", crate::inventory::GapReason::NotCollected, "offline");
        }
        let items = build(&inv, &[]);
        assert!(items.iter().all(|i| i.status != "done"), "{items:#?}");
        assert_eq!(by_item(&items, "Reapply").status, "unknown");
        assert_eq!(
            by_item(&items, "Migrate consumer offsets").status,
            "unknown"
        );
        assert_eq!(by_item(&items, "For stateful").status, "unknown");
        assert_eq!(by_item(&items, "Validate").status, "unknown");
    }

    #[test]
    fn counts_from_the_inventory_make_todos() {
        let mut inv = Inventory::new();
        inv.acls.push(Acl {
            principal: "User:alice".into(),
            host: "*".into(),
            resource_type: "TOPIC".into(),
            resource_name: "orders".into(),
            pattern_type: "LITERAL".into(),
            operation: "READ".into(),
            permission: "ALLOW".into(),
        });
        inv.scram_users.push(ScramUser {
            name: "bob".into(),
            credentials: vec![],
        });
        inv.groups.push(ConsumerGroup {
            id: "billing".into(),
            members: vec![GroupMember {
                client_id: "billing-app".into(),
                host: "/10.0.0.9".into(),
            }],
            offsets: vec![GroupOffset {
                topic: "orders".into(),
                partition: 0,
                offset: 42,
                lag: None,
            }],
            ..Default::default()
        });
        inv.topics.push(Topic {
            name: "app-store-changelog".into(),
            framework: Some("streams".into()),
            ..Default::default()
        });
        let items = build(&inv, &[]);
        let acl = by_item(&items, "Reapply");
        assert_eq!(acl.status, "todo");
        assert!(acl.detail.contains("1 ACL (1 principal)"), "{}", acl.detail);
        assert!(acl.detail.contains("1 SCRAM user"), "{}", acl.detail);
        let off = by_item(&items, "Migrate consumer offsets");
        assert_eq!(off.status, "todo");
        assert!(off.detail.contains("billing"));
        assert_eq!(by_item(&items, "For stateful").status, "todo");
        assert_eq!(by_item(&items, "Update client").status, "todo");
        assert!(by_item(&items, "Test service").detail.contains("User:bob"));
        // Nothing collected about clients, so compatibility is not claimed.
        assert_eq!(by_item(&items, "Validate").status, "unknown");
    }

    #[test]
    fn empty_collected_parts_are_done() {
        let inv = Inventory::new();
        let items = build(&inv, &[]);
        assert_eq!(by_item(&items, "Reapply").status, "done");
        assert_eq!(by_item(&items, "Migrate consumer offsets").status, "done");
        assert_eq!(by_item(&items, "Run integration").status, "manual");
    }
}
