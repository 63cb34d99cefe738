//! The Amazon MSK and IAM sections of the reports: cluster facts, the in-place migration
//! checklist (one line per AWS prerequisite, pass/fail/unknown from the rules tagged for it, d
//! and f from the dependency scan's findings tagged `zookeeper-direct-use`), the
//! new-cluster re-creation list, and the IAM principals and statements pinned to the cluster.

use super::html::evidence_value;
use super::list;
use super::{gap_why, whole_gap};
use crate::findings::{Finding, Status};
use crate::inventory::{Gap, Inventory};
use crate::rules::{RuleSet, Tag};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterFacts {
    pub name: String,
    pub arn: String,
    /// Label/value pairs in display order.
    pub facts: Vec<Fact>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckItem {
    /// The letter of the prerequisite in the AWS guide's list (a–i), or `target`.
    pub key: String,
    pub item: String,
    /// The rule that checks it, empty for manual items.
    pub rule: String,
    /// `pass`, `fail`, `unknown`, `waived`, `manual` or `not evaluated`.
    pub status: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecreateItem {
    pub item: String,
    /// `todo`, `none` (nothing to re-create) or `unknown`.
    pub status: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IamRow {
    pub rule: String,
    pub severity: String,
    pub status: String,
    pub statement: String,
    pub policy: String,
    pub principals: Vec<String>,
    pub resources: Vec<String>,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrincipalRow {
    pub principal: String,
    /// Statement ids (see [`IamRow::statement`]) that affect it.
    pub statements: Vec<String>,
    /// Worst severity among them.
    pub severity: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IamSection {
    /// What IAM showed, or why it is unknown.
    pub summary: String,
    pub collected: bool,
    pub statements: Vec<IamRow>,
    pub principals: Vec<PrincipalRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MskSection {
    pub cluster: ClusterFacts,
    pub inplace: Vec<CheckItem>,
    pub recreate: Vec<RecreateItem>,
    pub iam: IamSection,
}

fn gap_text(g: &Gap) -> String {
    format!("not collected ({})", gap_why(g))
}

fn yes(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

/// The AWS guide's prerequisites, in its order, with the tag of the rules that check each
/// (d and f: the dependency scan's findings, see [`zookeeper_use`]).
const PREREQUISITES: &[(&str, &str, Tag)] = &[
    ("a", "Kafka 3.9.x in ZooKeeper mode", Tag::MskPrereqVersion),
    (
        "b",
        "Standard brokers in three Availability Zones",
        Tag::MskPrereqZones,
    ),
    (
        "c",
        "ACTIVE, with no pending operation",
        Tag::MskPrereqState,
    ),
    (
        "d",
        "No tool relies on direct ZooKeeper access (older Cruise Control, custom admin tools)",
        Tag::ZookeeperDirectUse,
    ),
    (
        "e",
        "ZooKeeper client access turned off (UpdateConnectivity, Standard brokers)",
        Tag::MskPrereqZookeeperAccess,
    ),
    (
        "f",
        "Clients use --bootstrap-server, not --zookeeper",
        Tag::ZookeeperDirectUse,
    ),
    (
        "g",
        "Not public access and open monitoring together",
        Tag::MskPrereqPublicMonitoring,
    ),
    ("h", "No kafka.t3.small brokers", Tag::MskPrereqInstanceType),
    (
        "i",
        "No dynamically set advertised.listeners",
        Tag::MskPrereqAdvertisedListeners,
    ),
    (
        "target",
        "MSK offers the .kraft target version (GetCompatibleKafkaVersions)",
        Tag::MskPrereqTargetVersion,
    ),
];

/// Prerequisites d and f from the dependency scan (the findings tagged `zookeeper-direct-use`,
/// whose rules are `rule`; f only those of evidence kind `zk-tool-usage`): fail with the
/// files, pass when the scan found nothing, `manual` when no repository was scanned.
fn zookeeper_use(key: &str, rule: &str, inv: &Inventory, findings: &[Finding]) -> (String, String) {
    let scanned: Vec<String> = inv
        .clients
        .as_ref()
        .map(|c| c.scanned.iter().map(|d| d.path.clone()).collect())
        .unwrap_or_default();
    if scanned.is_empty() || whole_gap(inv, "clients").is_some() {
        let why = whole_gap(inv, "clients")
            .map(|g| format!(" ({})", gap_text(g)))
            .unwrap_or_default();
        return (
            "manual".into(),
            format!(
                "No dependency scan was given{why}: run with --scan-deps DIR for each application, ops-script and tool-configuration repository, and kraftcheck lists every file that reaches ZooKeeper ({rule}). Broker metrics cannot settle this (they see only Kafka-protocol clients, not ZooKeeper connections); turning ZooKeeper access off (item e) exposes what is left."
            ),
        );
    }
    let mine = |f: &&Finding| {
        f.has_tag(Tag::ZookeeperDirectUse)
            && (key != "f"
                || f.evidence.get("kind").and_then(|k| k.as_str()) == Some("zk-tool-usage"))
    };
    let of = |s: Status| -> Vec<&Finding> {
        findings
            .iter()
            .filter(mine)
            .filter(|f| f.status == s)
            .collect()
    };
    let place = |f: &Finding| -> String {
        let s = |k: &str| f.evidence.get(k).map(evidence_value).unwrap_or_default();
        format!("{}:{} ({})", s("file"), s("line"), s("what"))
    };
    let (fails, unknown, waived) = (of(Status::Fail), of(Status::Unknown), of(Status::Waived));
    if !fails.is_empty() {
        let places: Vec<String> = fails.iter().map(|f| place(f)).collect();
        return (
            "fail".into(),
            format!(
                "The dependency scan found {} place(s) that reach ZooKeeper directly: {}. Switch them to --bootstrap-server / the Admin API before the migration ({rule}).",
                places.len(),
                list(&places, 5)
            ),
        );
    }
    if let Some(f) = unknown.first() {
        return (
            "unknown".into(),
            f.message
                .replace("Error executing function 'unknown': ", ""),
        );
    }
    if !waived.is_empty() {
        let places: Vec<String> = waived.iter().map(|f| place(f)).collect();
        return ("waived".into(), format!("Waived: {}.", list(&places, 5)));
    }
    if !findings.iter().any(|f| f.has_tag(Tag::ZookeeperDirectUse)) {
        return (
            "not evaluated".into(),
            format!("{rule} was not evaluated (profile not selected)."),
        );
    }
    (
        "pass".into(),
        format!(
            "The dependency scan of {} found no ZooKeeper access{}; tools outside the scanned repositories are not covered.",
            list(&scanned, 3),
            if key == "f" { " by a tool or client given the ZooKeeper connection string" } else { "" }
        ),
    )
}

fn rule_status(findings: &[Finding], tag: Tag) -> (String, String) {
    let mine: Vec<&Finding> = findings.iter().filter(|f| f.has_tag(tag)).collect();
    let pick = |s: Status| mine.iter().find(|f| f.status == s);
    if let Some(f) = pick(Status::Fail) {
        return ("fail".into(), f.message.clone());
    }
    if let Some(f) = pick(Status::Unknown) {
        return ("unknown".into(), f.message.clone());
    }
    if let Some(f) = pick(Status::Waived) {
        let why = f
            .waiver
            .as_ref()
            .map(|w| format!(" ({})", w.reason))
            .unwrap_or_default();
        return ("waived".into(), format!("{}{why}", f.message));
    }
    if let Some(f) = pick(Status::Pass) {
        return ("pass".into(), f.message.clone());
    }
    (
        "not evaluated".into(),
        "The msk-inplace profile was not selected.".into(),
    )
}

fn strings(v: Option<&serde_json::Value>) -> Vec<String> {
    v.and_then(|x| x.as_array())
        .map(|a| {
            a.iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| x.to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The MSK section; `rules` names the rules behind each checklist line (by their tags).
pub fn build(inv: &Inventory, findings: &[Finding], rules: &RuleSet) -> Option<MskSection> {
    let m = inv.msk.as_ref()?;
    let described = whole_gap(inv, "msk").is_none();
    let mut facts: Vec<Fact> = Vec::new();
    let mut add = |name: &str, value: String| {
        if !value.is_empty() {
            facts.push(Fact {
                name: name.into(),
                value,
            })
        }
    };
    add("ARN", m.cluster_arn.clone());
    add("Region / account", format!("{} / {}", m.region, m.account));
    if let Some(g) = whole_gap(inv, "msk") {
        add("DescribeClusterV2", gap_text(g));
    }
    add("Type", m.cluster_type.clone());
    add("State", m.state.clone());
    add("Kafka version", m.kafka_version.clone().unwrap_or_default());
    add("Metadata mode", m.mode.clone());
    if described && m.cluster_type == "PROVISIONED" {
        add(
            "Brokers",
            format!(
                "{} × {} ({})",
                m.number_of_broker_nodes
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "?".into()),
                m.instance_type.clone().unwrap_or_else(|| "?".into()),
                m.broker_type
            ),
        );
        add(
            "Availability Zones",
            format!(
                "{} (subnets {})",
                m.client_subnets.len(),
                m.client_subnets.join(", ")
            ),
        );
        let a = &m.client_authentication;
        let auth: Vec<&str> = [
            (a.iam, "IAM"),
            (a.scram, "SASL/SCRAM"),
            (a.tls, "mTLS"),
            (a.unauthenticated, "unauthenticated"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| *n)
        .collect();
        add("Client authentication", auth.join(", "));
        add(
            "Encryption in transit",
            m.encryption_in_transit.clone().unwrap_or_default(),
        );
        add(
            "Public access",
            m.public_access.clone().unwrap_or_else(|| "DISABLED".into()),
        );
        add(
            "Open monitoring",
            format!(
                "JMX Exporter {}, Node Exporter {}",
                yes(m.open_monitoring.jmx_exporter),
                yes(m.open_monitoring.node_exporter)
            ),
        );
        add(
            "Storage",
            format!(
                "{}{}",
                m.volume_size_gb
                    .map(|v| format!("{v} GiB EBS per broker"))
                    .unwrap_or_default(),
                m.storage_mode
                    .as_ref()
                    .map(|s| format!(", {s}"))
                    .unwrap_or_default()
            ),
        );
        add(
            "Configuration",
            m.configuration
                .as_ref()
                .map(|c| format!("{} revision {}", c.arn, c.revision))
                .unwrap_or_else(|| "MSK default".into()),
        );
        add(
            "ZooKeeper",
            m.zookeeper_connect
                .clone()
                .or(m.zookeeper_connect_tls.clone())
                .unwrap_or_default(),
        );
    }
    add(
        "Upgrade targets",
        match whole_gap(inv, "msk.versions") {
            Some(g) => gap_text(g),
            None if m.compatible_versions.is_empty() => "none offered".into(),
            None => m.compatible_versions.join(", "),
        },
    );
    let cluster = ClusterFacts {
        name: m.cluster_name.clone(),
        arn: m.cluster_arn.clone(),
        facts,
    };

    // What a passed prerequisite rests on.
    let met = |key: &str| -> String {
        match key {
            "a" => format!("Kafka {}.", m.kafka_version.as_deref().unwrap_or("?")),
            "b" if m.broker_type == "express" => "Express brokers span three zones.".into(),
            "b" => format!("{} client subnets (one per zone).", m.client_subnets.len()),
            "c" => format!(
                "State {}, no active or pending operation ({} operation(s) listed).",
                m.state,
                m.operations.len()
            ),
            "e" if m.broker_type == "express" => "Express clusters do not need this step.".into(),
            "e" => format!(
                "ZookeeperAccess.Enabled=false, set by UpdateConnectivity {}.",
                m.zookeeper_access_operation.as_deref().unwrap_or("?")
            ),
            "g" => format!(
                "Public access {}, JMX Exporter {}, Node Exporter {}.",
                m.public_access.as_deref().unwrap_or("DISABLED"),
                yes(m.open_monitoring.jmx_exporter),
                yes(m.open_monitoring.node_exporter)
            ),
            "h" => format!("Brokers are {}.", m.instance_type.as_deref().unwrap_or("?")),
            "i" => "No broker has advertised.listeners as a dynamic config.".into(),
            "target" => format!("Offered: {}.", m.compatible_versions.join(", ")),
            _ => "Met.".into(),
        }
    };
    let inplace: Vec<CheckItem> = PREREQUISITES
        .iter()
        .map(|(key, item, tag)| {
            let rule = rules.tagged(*tag).join(", ");
            let (status, detail) = if *tag != Tag::ZookeeperDirectUse {
                let (status, detail) = rule_status(findings, *tag);
                let detail = match status.as_str() {
                    "pass" if m.mode == "zookeeper" => met(key),
                    "pass" => format!(
                        "Not needed: the cluster is in {} mode.",
                        if m.mode.is_empty() {
                            "an unknown"
                        } else {
                            &m.mode
                        }
                    ),
                    _ => detail.replace("Error executing function 'unknown': ", ""),
                };
                (status, detail)
            } else {
                zookeeper_use(key, &rule, inv, findings)
            };
            CheckItem {
                key: key.to_string(),
                item: item.to_string(),
                rule,
                status,
                detail,
            }
        })
        .collect();

    let mut recreate = Vec::new();
    let mut item = |part: Option<&str>, what: &str, todo: Option<String>, none: &str| {
        let (status, detail) = match part.and_then(|p| whole_gap(inv, p)).or(if described {
            None
        } else {
            whole_gap(inv, "msk")
        }) {
            Some(g) => ("unknown", gap_text(g)),
            None => match todo {
                Some(d) => ("todo", d),
                None => ("none", none.to_string()),
            },
        };
        recreate.push(RecreateItem {
            item: what.into(),
            status: status.into(),
            detail,
        });
    };
    item(
        Some("msk.scram_secrets"),
        "SCRAM secrets to associate with the new cluster",
        (!m.scram_secrets.is_empty()).then(|| {
            let names: Vec<String> = m
                .scram_secrets
                .iter()
                .map(|s| s.rsplit(':').next().unwrap_or(s).to_string())
                .collect();
            let mut d = format!("{}: {}", m.scram_secrets.len(), list(&names, 5));
            // What stops a secret from being associated as it is (the tagged rules' counts).
            for (tag, what) in [
                (Tag::MskSecretPrefix, "without the AmazonMSK_ prefix"),
                (Tag::MskSecretKmsKey, "under an AWS managed KMS key"),
            ] {
                let n = findings
                    .iter()
                    .filter(|f| f.has_tag(tag) && f.status == Status::Fail)
                    .filter_map(|f| f.evidence.get("count").and_then(|c| c.as_u64()))
                    .sum::<u64>();
                if n > 0 {
                    let rule = rules.tagged(tag).join(", ");
                    d.push_str(&format!("; {n} {what} cannot be associated ({rule})"));
                }
            }
            d
        }),
        "No SCRAM secret is associated.",
    );
    item(
        Some("msk.configuration"),
        "Configuration revision to apply",
        m.configuration.as_ref().map(|c| {
            format!(
                "{} revision {} ({} properties)",
                c.arn,
                c.revision,
                c.properties.len()
            )
        }),
        "The cluster uses MSK's default configuration.",
    );
    item(
        Some("msk.policy"),
        "Cluster policy (resource-based) to put again for the new ARN",
        m.cluster_policy.as_ref().map(|p| {
            format!(
                "{} statement(s); rewrite the ARNs they name",
                p.statements.len()
            )
        }),
        "No cluster policy.",
    );
    item(
        Some("msk.vpc_connections"),
        "Client VPC connections (multi-VPC) to re-create",
        (!m.client_vpc_connections.is_empty()).then(|| {
            let owners: Vec<String> = m
                .client_vpc_connections
                .iter()
                .map(|c| {
                    format!(
                        "{} ({})",
                        c.owner.clone().unwrap_or_else(|| "?".into()),
                        c.authentication.clone().unwrap_or_default()
                    )
                })
                .collect();
            format!(
                "{} connection(s) from {}",
                m.client_vpc_connections.len(),
                list(&owners, 5)
            )
        }),
        "No client VPC connection.",
    );
    let mut mon = Vec::new();
    if m.open_monitoring.jmx_exporter || m.open_monitoring.node_exporter {
        mon.push("open monitoring (Prometheus scrapers keyed to the cluster)".to_string());
    }
    if let Some(e) = m.enhanced_monitoring.as_ref().filter(|e| *e != "DEFAULT") {
        mon.push(format!("enhanced monitoring {e}"));
    }
    for (what, v) in [
        ("CloudWatch Logs", &m.broker_logs.cloudwatch_log_group),
        ("Firehose", &m.broker_logs.firehose_delivery_stream),
        ("S3", &m.broker_logs.s3_bucket),
    ] {
        if let Some(v) = v {
            mon.push(format!("broker logs to {what} {v}"));
        }
    }
    item(
        None,
        "Monitoring and logging to set up again",
        (!mon.is_empty()).then(|| mon.join("; ")),
        "MSK defaults only.",
    );
    item(
        None,
        "Tags to copy (IAM aws:ResourceTag conditions, cost allocation)",
        (!m.tags.is_empty()).then(|| {
            let t: Vec<String> = m.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
            list(&t, 8)
        }),
        "No tags.",
    );
    item(
        Some("msk.bootstrap"),
        "Bootstrap endpoints clients must switch to",
        (!m.bootstrap_brokers.is_empty()).then(|| {
            let kinds: Vec<String> = m.bootstrap_brokers.keys().cloned().collect();
            format!(
                "listeners {}; new DNS names on the new cluster",
                kinds.join(", ")
            )
        }),
        "No bootstrap brokers reported.",
    );
    let pinned = findings
        .iter()
        .filter(|f| f.has_tag(Tag::IamClusterUuid) && f.status == Status::Fail)
        .count();
    item(
        Some("iam"),
        "IAM policy statements that name the old cluster's UUID",
        (pinned > 0).then(|| format!("{pinned} statement(s); see the IAM section")),
        "None found.",
    );
    item(
        Some("acls"),
        "Kafka ACLs (MSK Replicator and MirrorMaker 2 copy literal topic ACLs only)",
        (!inv.acls.is_empty()).then(|| format!("{} ACL(s)", inv.acls.len())),
        "No ACLs.",
    );
    let feeding: Vec<String> = m
        .replicators
        .iter()
        .filter(|r| r.role.contains("source"))
        .map(|r| format!("{} ({})", r.name, r.state))
        .collect();
    item(
        Some("msk.replicators"),
        "Data and offset replication to the new cluster",
        (!feeding.is_empty()).then(|| {
            format!(
                "MSK Replicator(s) from this cluster: {}",
                feeding.join(", ")
            )
        }),
        "No MSK Replicator reads from this cluster yet: plan MSK Replicator or MirrorMaker 2.",
    );

    // IAM: the statements the IAM rules flag, and the principals they reach.
    let mut statements = Vec::new();
    let mut principals: BTreeMap<String, (Vec<String>, crate::findings::Severity)> =
        BTreeMap::new();
    for f in findings
        .iter()
        .filter(|f| f.has_tag(Tag::IamStatement) && f.status == Status::Fail)
    {
        let ev = &f.evidence;
        let who = strings(ev.get("principals"));
        let resources = {
            let mut r = strings(ev.get("pinned"));
            r.extend(strings(ev.get("resources")));
            r
        };
        let statement = f.resource.name.clone();
        for p in &who {
            let e = principals
                .entry(p.clone())
                .or_insert_with(|| (Vec::new(), f.severity));
            if !e.0.contains(&statement) {
                e.0.push(statement.clone());
            }
            if f.severity > e.1 {
                e.1 = f.severity;
            }
        }
        statements.push(IamRow {
            rule: f.rule_id.clone(),
            severity: f.severity.to_string(),
            status: f.status.to_string(),
            policy: ev
                .get("policy")
                .and_then(|p| p.as_str())
                .unwrap_or_default()
                .to_string(),
            statement,
            principals: who,
            resources,
            actions: strings(ev.get("actions")),
        });
    }
    let (collected, summary) = match (&inv.iam, whole_gap(inv, "iam")) {
        (_, Some(g)) => (false, format!("IAM is unknown: {}. The IAM rules report unknown.", gap_text(g))),
        (None, None) => (false, "IAM was not read.".to_string()),
        (Some(i), None) => (
            true,
            format!(
                "Read {} user(s), {} role(s), {} group(s) and {} customer managed policy(ies); {} principal(s) and {} policy(ies) have Kafka statements; {} statement(s) are flagged below.",
                i.scanned.users,
                i.scanned.roles,
                i.scanned.groups,
                i.scanned.policies,
                i.principals.len(),
                i.policies.len(),
                statements.len()
            ),
        ),
    };
    let principals = principals
        .into_iter()
        .map(|(principal, (statements, sev))| PrincipalRow {
            principal,
            statements,
            severity: sev.to_string(),
        })
        .collect();
    Some(MskSection {
        cluster,
        inplace,
        recreate,
        iam: IamSection {
            summary,
            collected,
            statements,
            principals,
        },
    })
}
