//! The inventory: the one data contract between collectors and rules.
//!
//! Plain serde data, written as JSON with a `schema_version`. Every collection is sorted
//! (see [`Inventory::normalize`]) so that two scans of the same cluster diff cleanly.
//! What could not be collected is recorded in `gaps`; rules that need a part listed there
//! report `unknown`, never `pass`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod clients;
pub mod iampattern;
mod load;
mod msk;
pub mod schema;
pub mod synth;
mod topics;
mod zookeeper;
pub use clients::*;
pub use load::{load_inventory, pointer_line, LineIndex};
pub use msk::*;
pub use schema::{Part, PartDef, PARTS};
pub use topics::framework_of;
pub use zookeeper::{ZkBroker, ZkMissingRights, ZooKeeper};

/// Bumped whenever a saved inventory from an older build could be misread.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    pub schema_version: u32,
    /// Which kraftcheck wrote this, and when (RFC 3339, UTC).
    #[serde(default)]
    pub generated_by: String,
    #[serde(default)]
    pub generated_at: String,
    /// Where the data came from: file paths or `bootstrap:HOST:PORT`.
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub cluster: Cluster,
    #[serde(default)]
    pub brokers: Vec<Broker>,
    #[serde(default)]
    pub topics: Vec<Topic>,
    #[serde(default)]
    pub acls: Vec<Acl>,
    #[serde(default)]
    pub scram_users: Vec<ScramUser>,
    #[serde(default)]
    pub quotas: Vec<Quota>,
    #[serde(default)]
    pub groups: Vec<ConsumerGroup>,
    #[serde(default)]
    pub delegation_tokens: Vec<DelegationToken>,
    #[serde(default)]
    pub reassignments: Vec<Reassignment>,
    #[serde(default)]
    pub transactions: Vec<Transaction>,
    /// Amazon MSK facts (filled by the MSK collector or `--aws-json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msk: Option<Msk>,
    /// IAM identities and their Kafka policy statements (IAM collector or `--aws-json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam: Option<Iam>,
    /// Client software and protocol usage (filled by the metrics and dependency collectors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<Clients>,
    /// What ZooKeeper itself shows (`--zookeeper`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zookeeper: Option<ZooKeeper>,
    /// What could not be known, and why.
    #[serde(default)]
    pub gaps: Vec<Gap>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Cluster {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `self-managed` or `msk` (empty when unknown).
    pub kind: ClusterKind,
    /// `zookeeper`, `migrating`, `kraft`, or empty when unknown.
    pub mode: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller_id: Option<i64>,
    /// The cluster id the KRaft controllers answer with (DescribeCluster through
    /// `--bootstrap-controller`): they must have been formatted with the cluster's own id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller_cluster_id: Option<String>,
    /// Kafka software version (the lowest across brokers when they differ).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// KRaft `metadata.version` when finalized.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_version: Option<String>,
    /// Finalized feature levels (name → level).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub features: BTreeMap<String, i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zk_migration_ready: Option<bool>,
    /// The KRaft controller quorum, where the cluster answers DescribeQuorum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quorum: Option<Quorum>,
    /// ZooKeeper → KRaft migration phase (KIP-866), told from what the cluster shows:
    /// `zookeeper`, `pre-migration`, `dual-write`, `kraft-brokers`, `finalized`, `kraft`
    /// (KRaft brokers, controllers not visible), or empty when unknown. See `collect::phase`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub phase: String,
    /// What the phase was told from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phase_evidence: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Quorum {
    pub leader_id: i64,
    pub voters: Vec<i64>,
    #[serde(default)]
    pub observers: Vec<i64>,
    #[serde(default)]
    pub high_watermark: i64,
}

/// One API's supported version range on a broker (from ApiVersions).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ApiRange {
    pub key: i16,
    pub name: String,
    pub min: i16,
    pub max: i16,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Broker {
    pub id: i64,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub port: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Where `version` came from: `fingerprint` (the live ApiVersions answer: major.minor
    /// only), `--kafka-version`, `broker-log:FILE`, `kafka-home:DIR`, `msk` (the MSK API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_source: Option<String>,
    /// `broker`, `controller` or `broker,controller` (KRaft); empty on ZooKeeper brokers.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub roles: String,
    /// The file these configs were read from, when they came from a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_file: Option<String>,
    #[serde(default)]
    pub configs: BTreeMap<String, ConfigEntry>,
    #[serde(default)]
    pub log_dirs: Vec<LogDir>,
    /// Supported request versions (live collection only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_versions: Vec<ApiRange>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConfigEntry {
    /// `None` when the value is sensitive (redacted) or the broker did not return one.
    pub value: Option<String>,
    /// Kafka's config source: `STATIC_BROKER_CONFIG`, `DYNAMIC_BROKER_CONFIG`,
    /// `DYNAMIC_DEFAULT_BROKER_CONFIG`, `DYNAMIC_TOPIC_CONFIG`, `DEFAULT_CONFIG`, …
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub sensitive: bool,
    /// Line in `config_file` where the key was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LogDir {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub internal: bool,
    /// Which framework the topic belongs to by its name (`kafka`, `streams`, `connect`,
    /// `mirrormaker2`, `schema-registry`, `ksqldb`, `confluent`, `msk`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
    #[serde(default)]
    pub partitions: Vec<Partition>,
    /// Non-default configs only.
    #[serde(default)]
    pub configs: BTreeMap<String, ConfigEntry>,
    #[serde(default)]
    pub pending_deletion: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Partition {
    pub id: i32,
    /// -1 when there is no leader (offline).
    pub leader: i64,
    pub replicas: Vec<i64>,
    pub isr: Vec<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adding_replicas: Vec<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removing_replicas: Vec<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_end_offset: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, PartialOrd)]
#[serde(deny_unknown_fields)]
pub struct Acl {
    pub principal: String,
    pub host: String,
    /// `TOPIC`, `GROUP`, `CLUSTER`, `TRANSACTIONAL_ID`, `DELEGATION_TOKEN`, `USER`.
    pub resource_type: String,
    pub resource_name: String,
    /// `LITERAL` or `PREFIXED`.
    pub pattern_type: String,
    pub operation: String,
    /// `ALLOW` or `DENY`.
    pub permission: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScramUser {
    pub name: String,
    /// One entry per mechanism the user has credentials for. Never salts or keys.
    pub credentials: Vec<ScramCredential>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScramCredential {
    /// `SCRAM-SHA-256` or `SCRAM-SHA-512`.
    pub mechanism: String,
    pub iterations: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    /// Entity parts, e.g. `{"user": "alice"}`, `{"client-id": "app"}`, `{"ip": "10.0.0.1"}`;
    /// an empty string value stands for the `<default>` entity.
    pub entity: BTreeMap<String, String>,
    /// Quota name → value, e.g. `producer_byte_rate`.
    pub values: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConsumerGroup {
    pub id: String,
    #[serde(default)]
    pub state: String,
    /// `consumer` (classic), `connect`, or a KIP-848 group type.
    #[serde(default)]
    pub protocol_type: String,
    #[serde(default)]
    pub members: Vec<GroupMember>,
    #[serde(default)]
    pub offsets: Vec<GroupOffset>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GroupMember {
    pub client_id: String,
    #[serde(default)]
    pub host: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GroupOffset {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DelegationToken {
    pub token_id: String,
    pub owner: String,
    #[serde(default)]
    pub expiry: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Reassignment {
    pub topic: String,
    pub partition: i32,
    pub adding_replicas: Vec<i64>,
    pub removing_replicas: Vec<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Transaction {
    pub transactional_id: String,
    pub state: String,
    #[serde(default)]
    pub producer_id: i64,
}

/// Who runs the cluster: spelled `self-managed`, `msk`, or empty when unknown.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum ClusterKind {
    #[default]
    #[serde(rename = "")]
    Unknown,
    #[serde(rename = "self-managed")]
    SelfManaged,
    #[serde(rename = "msk")]
    Msk,
}

impl ClusterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterKind::Unknown => "",
            ClusterKind::SelfManaged => "self-managed",
            ClusterKind::Msk => "msk",
        }
    }
}

impl std::fmt::Display for ClusterKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a part (or one resource of it) is unknown. Spelled in kebab case on the wire; the
/// variants are in the order of their spellings, so gaps sort as they did when they were
/// strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GapReason {
    /// The request failed (connection lost, bad answer, unreadable file).
    Error,
    /// No source for it was given (or it was turned off).
    NotCollected,
    /// A list the broker filtered by the principal's permissions: what is there is real,
    /// but more may exist.
    Partial,
    /// No answer in time.
    Timeout,
    /// The principal may not read it.
    Unauthorized,
    /// The broker (or service) does not offer the API.
    Unsupported,
}

impl GapReason {
    pub const ALL: [GapReason; 6] = [
        GapReason::Error,
        GapReason::NotCollected,
        GapReason::Partial,
        GapReason::Timeout,
        GapReason::Unauthorized,
        GapReason::Unsupported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GapReason::Error => "error",
            GapReason::NotCollected => "not-collected",
            GapReason::Partial => "partial",
            GapReason::Timeout => "timeout",
            GapReason::Unauthorized => "unauthorized",
            GapReason::Unsupported => "unsupported",
        }
    }

    /// The reason spelled `s`, if any.
    pub fn parse(s: &str) -> Option<GapReason> {
        GapReason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl std::fmt::Display for GapReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The gap reason of a list the broker filtered by the principal's permissions: what is there
/// is real, but more may exist.
pub const PARTIAL: GapReason = GapReason::Partial;

/// Something the collector could not learn, and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    /// One of [`PARTS`], by its name ([`Part::name`]).
    pub part: String,
    /// Narrows the gap to one resource (e.g. `broker:3`); empty for the whole part.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resource: String,
    /// `not-collected`, `unauthorized`, `unsupported`, `timeout`, `error`, or `partial`.
    pub reason: GapReason,
    #[serde(default)]
    pub detail: String,
}

impl Gap {
    /// Whether this gap covers `part`: the part itself or one of its children
    /// (`topics` covers `topics.configs`).
    pub fn covers(&self, part: &str) -> bool {
        part.strip_prefix(self.part.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    }
}

impl Inventory {
    pub fn new() -> Self {
        Inventory {
            schema_version: SCHEMA_VERSION,
            generated_by: format!("kraftcheck {}", env!("CARGO_PKG_VERSION")),
            ..Default::default()
        }
    }

    /// Record that `part` (optionally one resource of it) is unknown.
    pub fn add_gap(
        &mut self,
        part: impl AsRef<str>,
        resource: &str,
        reason: GapReason,
        detail: impl Into<String>,
    ) {
        let part = part.as_ref();
        debug_assert!(Part::parse(part).is_some(), "unknown inventory part {part}");
        self.gaps.push(Gap {
            part: part.to_string(),
            resource: resource.to_string(),
            reason,
            detail: detail.into(),
        });
    }

    /// A source that fills only `fills` was the only one read: every other part is a
    /// `not-collected` gap (see [`schema::not_filled`]).
    pub fn add_gaps_not_filled(&mut self, fills: &[Part], detail: &str) {
        for part in schema::not_filled(fills) {
            self.add_gap(part, "", GapReason::NotCollected, detail);
        }
    }

    /// The gap (if any) that makes `part` unknown, cluster-wide or for `resource`.
    /// A gap on a parent part (`topics`) covers its children (`topics.configs`).
    pub fn gap_for(&self, part: &str, resource: Option<&str>) -> Option<&Gap> {
        self.gaps.iter().find(|g| {
            g.covers(part) && (g.resource.is_empty() || Some(g.resource.as_str()) == resource)
        })
    }

    /// The cluster's version: the lowest broker version, when any broker has one.
    pub fn lowest_broker_version(&self) -> Option<String> {
        self.brokers
            .iter()
            .filter_map(|b| b.version.as_deref())
            .filter_map(|v| crate::version::KafkaVersion::parse(v).ok())
            .min()
            .map(|v| v.to_string())
    }

    /// Sort everything so that two inventories of the same cluster serialize identically.
    pub fn normalize(&mut self) {
        self.brokers.sort_by_key(|b| b.id);
        for b in &mut self.brokers {
            b.log_dirs.sort_by(|a, b| a.path.cmp(&b.path));
        }
        self.topics.sort_by(|a, b| a.name.cmp(&b.name));
        for t in &mut self.topics {
            t.partitions.sort_by_key(|p| p.id);
            if t.framework.is_none() {
                t.framework = framework_of(&t.name).map(str::to_string);
            }
        }
        self.acls
            .sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        self.acls.dedup();
        self.scram_users.sort_by(|a, b| a.name.cmp(&b.name));
        for u in &mut self.scram_users {
            u.credentials.sort_by(|a, b| a.mechanism.cmp(&b.mechanism));
        }
        self.quotas.sort_by(|a, b| a.entity.cmp(&b.entity));
        self.groups.sort_by(|a, b| a.id.cmp(&b.id));
        for g in &mut self.groups {
            g.members
                .sort_by(|a, b| (&a.client_id, &a.host).cmp(&(&b.client_id, &b.host)));
            g.offsets
                .sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
        }
        self.delegation_tokens
            .sort_by(|a, b| a.token_id.cmp(&b.token_id));
        self.reassignments
            .sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
        self.transactions
            .sort_by(|a, b| a.transactional_id.cmp(&b.transactional_id));
        if let Some(m) = &mut self.msk {
            m.normalize();
        }
        if let Some(i) = &mut self.iam {
            i.normalize();
        }
        if let Some(c) = &mut self.clients {
            c.normalize();
        }
        self.gaps.sort();
        self.gaps.dedup();
        self.sources.sort();
        self.sources.dedup();
    }

    /// Pretty JSON, normalized, newline-terminated.
    pub fn to_json(&self) -> String {
        let mut inv = self.clone();
        inv.normalize();
        let mut s = serde_json::to_string_pretty(&inv).expect("inventory serializes");
        s.push('\n');
        s
    }
}

/// Config keys whose values must never be printed or stored, whatever the broker says.
pub fn is_sensitive_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    const MARKERS: &[&str] = &[
        "password",
        "secret",
        "jaas",
        "credential",
        "token",
        ".key",
        "_key",
        "keystore.key",
        "private",
    ];
    MARKERS.iter().any(|m| k.contains(m)) && !NOT_SECRET.contains(&k.as_str())
}

/// Keys that contain a marker word but hold no secret (so rules can read them).
const NOT_SECRET: &[&str] = &[
    "delegation.token.max.lifetime.ms",
    "delegation.token.expiry.time.ms",
    "delegation.token.expiry.check.interval.ms",
    "ssl.key.password.type",
    "password.encoder.keyfactory.algorithm",
    "password.encoder.cipher.algorithm",
    "password.encoder.key.length",
    "password.encoder.iterations",
    "sasl.login.refresh.buffer.seconds",
    "ssl.keystore.type",
    "ssl.keystore.location",
    "ssl.truststore.location",
    "ssl.truststore.type",
    "zookeeper.ssl.keystore.location",
    "zookeeper.ssl.keystore.type",
    "zookeeper.ssl.truststore.location",
    "zookeeper.ssl.truststore.type",
];

impl ConfigEntry {
    /// A config entry for `key`, redacted when the key is sensitive.
    pub fn new(key: &str, value: Option<String>, source: &str, sensitive: bool) -> Self {
        let sensitive = sensitive || is_sensitive_key(key);
        ConfigEntry {
            value: if sensitive { None } else { value },
            source: source.to_string(),
            sensitive,
            line: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_kinds_and_gap_reasons_read_and_write_their_old_spellings() {
        for (kind, want) in [
            ("", ClusterKind::Unknown),
            ("self-managed", ClusterKind::SelfManaged),
            ("msk", ClusterKind::Msk),
        ] {
            for reason in GapReason::ALL {
                let text = format!(
                    r#"{{"schema_version": {SCHEMA_VERSION}, "cluster": {{"kind": "{kind}"}},
                    "gaps": [{{"part": "topics", "reason": "{}"}}]}}"#,
                    reason.as_str()
                );
                let inv: Inventory = serde_json::from_str(&text).unwrap();
                assert_eq!(inv.cluster.kind, want);
                assert_eq!(inv.gaps[0].reason, reason);
                let back = serde_json::to_value(&inv).unwrap();
                assert_eq!(back["cluster"]["kind"], kind);
                assert_eq!(back["gaps"][0]["reason"], reason.as_str());
                assert_eq!(GapReason::parse(reason.as_str()), Some(reason));
            }
        }
        // A kind or reason kraftcheck never wrote is refused, not read as something else.
        let bad = format!(r#"{{"schema_version": {SCHEMA_VERSION}, "cluster": {{"kind": "vm"}}}}"#);
        assert!(serde_json::from_str::<Inventory>(&bad).is_err());
        let bad = format!(
            r#"{{"schema_version": {SCHEMA_VERSION}, "gaps": [{{"part": "topics", "reason": "gone"}}]}}"#
        );
        assert!(serde_json::from_str::<Inventory>(&bad).is_err());
        // Gaps still sort by the reason's spelling.
        let mut sorted = GapReason::ALL.to_vec();
        sorted.sort();
        let names: Vec<&str> = sorted.iter().map(|r| r.as_str()).collect();
        let mut by_name = names.clone();
        by_name.sort();
        assert_eq!(names, by_name);
    }

    #[test]
    fn a_gap_covers_its_part_and_children_only() {
        let g = Gap {
            part: "topics".into(),
            resource: String::new(),
            reason: GapReason::NotCollected,
            detail: String::new(),
        };
        assert!(g.covers("topics") && g.covers("topics.configs"));
        assert!(!g.covers("topicsx") && !g.covers("topic") && !g.covers("groups"));
    }

    #[test]
    fn sensitive_keys_are_recognised() {
        for k in [
            "ssl.keystore.password",
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
            "password.encoder.secret",
            "delegation.token.secret.key",
            "delegation.token.master.key",
            "ssl.key.password",
            "sasl.oauthbearer.client.secret",
        ] {
            assert!(is_sensitive_key(k), "{k}");
        }
        for k in [
            "log.dirs",
            "ssl.keystore.location",
            "password.encoder.iterations",
            "broker.id",
        ] {
            assert!(!is_sensitive_key(k), "{k}");
        }
    }

    #[test]
    fn gaps_cover_parents_and_children() {
        let mut inv = Inventory::new();
        inv.add_gap("topics", "", crate::inventory::GapReason::NotCollected, "");
        assert!(inv.gap_for("topics.configs", None).is_some());
        assert!(inv.gap_for("acls", None).is_none());
        inv.add_gap(
            "brokers.configs",
            "broker:2",
            crate::inventory::GapReason::Error,
            "",
        );
        assert!(inv.gap_for("brokers", Some("broker:2")).is_none());
        assert!(inv.gap_for("brokers.configs", Some("broker:2")).is_some());
        assert!(inv.gap_for("brokers.configs", Some("broker:1")).is_none());
    }
}
