//! `kraftcheck diff OLD NEW`: what the new side lacks or changed, item by item.
//!
//! Two inventories (or two live clusters) are compared category by category: topics, their
//! partitions, replication factor and non-default configs, internal topics, ACLs of every
//! resource and pattern type, SCRAM users and mechanisms, client quotas, dynamic broker
//! configs (per broker and cluster defaults), consumer groups' committed offsets, and (in
//! place) partition log end offsets and topic ids. Every difference is one [`Item`] with a
//! [`Status`]: `missing` and `changed` are losses (exit code 1), `unknown` means a category
//! could not be compared (a gap in either inventory; also exit 1, since parity is not
//! proven), `added`, `expected` and `info` never fail. What a migration changes by design
//! (broker ids and hosts, the cluster id on a new cluster, the migration's own configs,
//! MirrorMaker 2's internal topics and groups) is `expected`, with the reason.
//!
//! The comparison depends on the path: **in place** (same cluster id) everything must be
//! identical, committed offsets exactly; on a **new cluster** (`new-cluster`, e.g. fed by
//! MirrorMaker 2) committed offsets are translated, so each group's lag on the new cluster is
//! compared with its lag on the old one (against each side's log end offsets), and Kafka's
//! internal topics are the new cluster's own.
//!
//! Renderers, one module per format, read only the [`Diff`].

mod compare;
pub(crate) mod expected;
pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod markdown;
pub(crate) mod sarif;
pub(crate) mod table;

use crate::inventory::Inventory;
use crate::report::Format;
use serde::Serialize;
use std::collections::BTreeMap;

pub use compare::compare;

/// Which kind of move the two sides are: decides how offsets and internal topics compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Path {
    /// The same cluster before and after (KIP-866, or MSK's in-place upgrade).
    Inplace,
    /// A different cluster fed by a replication tool (MirrorMaker 2, MSK Replicator).
    NewCluster,
}

impl Path {
    pub fn as_str(self) -> &'static str {
        match self {
            Path::Inplace => "inplace",
            Path::NewCluster => "new-cluster",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Path::Inplace => "in-place migration (same cluster)",
            Path::NewCluster => "new cluster (replicated)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// On the old side, not on the new one: lost.
    Missing,
    /// On both sides, different in a way that matters.
    Changed,
    /// The category could not be compared (a gap in either inventory).
    Unknown,
    /// Only on the new side.
    Added,
    /// Different by design of the migration (reason given).
    Expected,
    /// Different, but not a loss (e.g. a static setting, offsets that moved on).
    Info,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Missing,
        Status::Changed,
        Status::Unknown,
        Status::Added,
        Status::Expected,
        Status::Info,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Missing => "missing",
            Status::Changed => "changed",
            Status::Unknown => "unknown",
            Status::Added => "added",
            Status::Expected => "expected",
            Status::Info => "info",
        }
    }
    /// Counts against parity (exit code 1).
    pub fn fails(self) -> bool {
        matches!(self, Status::Missing | Status::Changed | Status::Unknown)
    }
}

/// What was compared, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Cluster,
    Brokers,
    Topics,
    Partitions,
    ReplicationFactor,
    TopicConfigs,
    TopicIds,
    PartitionData,
    InternalTopics,
    Acls,
    ScramUsers,
    Quotas,
    BrokerConfigs,
    BrokerDefaults,
    StaticConfigs,
    ConsumerGroups,
    GroupOffsets,
    /// MSK only: users and roles that reach the old cluster and may not do the same on the
    /// new one ([`crate::plan::iam`]).
    IamAccess,
}

impl Category {
    pub const ALL: [Category; 18] = [
        Category::Cluster,
        Category::Brokers,
        Category::Topics,
        Category::Partitions,
        Category::ReplicationFactor,
        Category::TopicConfigs,
        Category::TopicIds,
        Category::PartitionData,
        Category::InternalTopics,
        Category::Acls,
        Category::ScramUsers,
        Category::Quotas,
        Category::BrokerConfigs,
        Category::BrokerDefaults,
        Category::StaticConfigs,
        Category::ConsumerGroups,
        Category::GroupOffsets,
        Category::IamAccess,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Cluster => "cluster",
            Category::Brokers => "brokers",
            Category::Topics => "topics",
            Category::Partitions => "partitions",
            Category::ReplicationFactor => "replication-factor",
            Category::TopicConfigs => "topic-configs",
            Category::TopicIds => "topic-ids",
            Category::PartitionData => "partition-data",
            Category::InternalTopics => "internal-topics",
            Category::Acls => "acls",
            Category::ScramUsers => "scram-users",
            Category::Quotas => "quotas",
            Category::BrokerConfigs => "broker-configs",
            Category::BrokerDefaults => "broker-defaults",
            Category::StaticConfigs => "static-configs",
            Category::ConsumerGroups => "consumer-groups",
            Category::GroupOffsets => "group-offsets",
            Category::IamAccess => "iam-access",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Category::Cluster => "Cluster",
            Category::Brokers => "Brokers",
            Category::Topics => "Topics",
            Category::Partitions => "Partition counts",
            Category::ReplicationFactor => "Replication factors",
            Category::TopicConfigs => "Topic configs (non-default)",
            Category::TopicIds => "Topic ids",
            Category::PartitionData => "Partition log end offsets",
            Category::InternalTopics => "Internal topics",
            Category::Acls => "ACLs",
            Category::ScramUsers => "SCRAM users and mechanisms",
            Category::Quotas => "Client quotas",
            Category::BrokerConfigs => "Dynamic per-broker configs",
            Category::BrokerDefaults => "Dynamic cluster-wide broker defaults",
            Category::StaticConfigs => "Static broker configs (server.properties)",
            Category::ConsumerGroups => "Consumer groups",
            Category::GroupOffsets => "Committed offsets",
            Category::IamAccess => "IAM access (kafka-cluster actions, MSK)",
        }
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub category: Category,
    pub status: Status,
    /// The resource as audit findings name it (`topic:orders`, `group:app1`, `broker:1`,
    /// `cluster`, `acl:ALLOW User:bob WRITE TOPIC:PREFIXED:orders- from *`, `quota:user=alice`,
    /// `scram-user:alice`), so a loss can be matched with the finding that predicted it.
    pub resource: String,
    /// What inside the resource: a config key, a partition, a mechanism; empty for the
    /// resource itself.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    /// One sentence: what differs and what it means.
    pub message: String,
    /// JSON pointer into the old inventory (missing, changed) or the new one (added).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub pointer: String,
}

impl Item {
    /// `resource` and `key` together, for one-column listings.
    pub fn what(&self) -> String {
        if self.key.is_empty() {
            self.resource.clone()
        } else {
            format!("{} [{}]", self.resource, self.key)
        }
    }
}

/// Counts for one category.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Items compared (present on the old side, or only on the new side).
    pub compared: usize,
    pub same: usize,
    pub missing: usize,
    pub changed: usize,
    pub unknown: usize,
    pub added: usize,
    pub expected: usize,
    pub info: usize,
}

impl Counts {
    fn bump(&mut self, s: Status) {
        match s {
            Status::Missing => self.missing += 1,
            Status::Changed => self.changed += 1,
            Status::Unknown => self.unknown += 1,
            Status::Added => self.added += 1,
            Status::Expected => self.expected += 1,
            Status::Info => self.info += 1,
        }
    }
    pub fn failing(&self) -> usize {
        self.missing + self.changed + self.unknown
    }
}

/// One side of the comparison, as the report headers show it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Side {
    /// The file, or `bootstrap:HOST:PORT` for a live cluster.
    pub source: String,
    pub cluster_id: Option<String>,
    pub mode: String,
    pub phase: String,
    pub version: Option<String>,
    pub brokers: Vec<i64>,
    pub topics: usize,
    pub acls: usize,
    pub scram_users: usize,
    pub quotas: usize,
    pub groups: usize,
    pub generated_at: String,
}

impl Side {
    pub fn of(inv: &Inventory, source: &str) -> Self {
        Side {
            source: source.to_string(),
            cluster_id: inv.cluster.id.clone(),
            mode: inv.cluster.mode.clone(),
            phase: inv.cluster.phase.clone(),
            version: inv.cluster.version.clone(),
            brokers: inv
                .brokers
                .iter()
                .filter(|b| !crate::collect::phase::is_controller_only(b))
                .map(|b| b.id)
                .collect(),
            topics: inv.topics.len(),
            acls: inv.acls.len(),
            scram_users: inv.scram_users.len(),
            quotas: inv.quotas.len(),
            groups: inv.groups.len(),
            generated_at: inv.generated_at.clone(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Force the path; `None` infers it (same cluster id: in place, else new cluster).
    pub path: Option<Path>,
    /// MirrorMaker 2's DefaultReplicationPolicy: topics arrive as `ALIAS.topic`.
    pub source_alias: Option<String>,
    /// Old and new sources (file paths or `bootstrap:…`), for headers and SARIF locations.
    pub old_source: String,
    pub new_source: String,
    /// Where the old inventory file's values stand, so items can point at a line (findings
    /// are about what the new side lacks, so they point into the old file).
    pub old_lines: Option<crate::inventory::LineIndex>,
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub tool: String,
    pub generated_at: String,
    /// `parity` (nothing missing, changed or unknown) or `differences`.
    pub verdict: String,
    pub path: Path,
    /// Why this path: `--profile`, or what the inventories showed.
    pub path_reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_alias: Option<String>,
    pub old: Side,
    pub new: Side,
    /// Every category, in report order, with its counts (JSON: an object keyed by category).
    #[serde(serialize_with = "categories_as_object")]
    pub categories: Vec<(Category, Counts)>,
    /// Every difference (never the items that are the same), in report order.
    pub items: Vec<Item>,
}

fn categories_as_object<S: serde::Serializer>(
    c: &[(Category, Counts)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(c.len()))?;
    for (k, v) in c {
        m.serialize_entry(k.as_str(), v)?;
    }
    m.end()
}

impl Diff {
    pub fn failing(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.status.fails())
    }
    pub fn count(&self, s: Status) -> usize {
        self.items.iter().filter(|i| i.status == s).count()
    }
    pub fn with_status(&self, s: Status) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.status == s)
    }
    /// One line: the verdict and the counts that make it.
    pub fn headline(&self) -> String {
        let same: usize = self.categories.iter().map(|(_, c)| c.same).sum();
        if self.verdict == "parity" {
            format!(
                "Parity: nothing is missing or changed on the new side ({same} items compared equal; {} expected differences, {} added).",
                self.count(Status::Expected),
                self.count(Status::Added)
            )
        } else {
            let mut parts = Vec::new();
            for s in [Status::Missing, Status::Changed, Status::Unknown] {
                let n = self.count(s);
                if n > 0 {
                    parts.push(format!(
                        "{n} {}",
                        match s {
                            Status::Missing => "missing",
                            Status::Changed => "changed",
                            _ =>
                                if n == 1 {
                                    "category not comparable"
                                } else {
                                    "categories not comparable"
                                },
                        }
                    ));
                }
            }
            format!(
                "Not in parity: {} on the new side ({same} items compared equal).",
                parts.join(", ")
            )
        }
    }
    /// 0 in parity, 1 when anything is missing, changed or could not be compared.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.failing().next().is_some())
    }
}

/// Build the [`Diff`] from the compared items.
pub(crate) fn assemble(
    path: Path,
    path_reason: String,
    opts: &DiffOptions,
    old: &Inventory,
    new: &Inventory,
    items: Vec<Item>,
    same: BTreeMap<Category, (usize, usize)>,
) -> Diff {
    let mut items = items;
    items.sort_by(|a, b| {
        (a.category, a.status, &a.resource, &a.key).cmp(&(
            b.category,
            b.status,
            &b.resource,
            &b.key,
        ))
    });
    let mut categories: Vec<(Category, Counts)> = Vec::new();
    for c in Category::ALL {
        let (compared, same_n) = same.get(&c).copied().unwrap_or_default();
        let mut counts = Counts {
            compared,
            same: same_n,
            ..Default::default()
        };
        for i in items.iter().filter(|i| i.category == c) {
            counts.bump(i.status);
        }
        categories.push((c, counts));
    }
    let verdict = if items.iter().any(|i| i.status.fails()) {
        "differences"
    } else {
        "parity"
    };
    Diff {
        tool: format!("kraftcheck {}", env!("CARGO_PKG_VERSION")),
        generated_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        verdict: verdict.into(),
        path,
        path_reason,
        source_alias: opts.source_alias.clone(),
        old: Side::of(old, &opts.old_source),
        new: Side::of(new, &opts.new_source),
        categories,
        items,
    }
}

/// Render one format.
pub fn render(format: Format, diff: &Diff, opts: &DiffOptions) -> anyhow::Result<String> {
    (format.def().diff)(diff, opts)
}
