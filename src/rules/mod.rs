//! Rules are data: one TOML file per rule, with a CEL condition compiled at load time.
//!
//! The pack under `rules/` is embedded in the binary; `--rules DIR` adds rules or overrides
//! embedded ones with the same id.

pub mod celenv;
pub mod celval;
mod eval;
mod load;
pub mod profiles;
pub mod reads;
mod selftest;

pub use eval::{evaluate, EvalOptions, InventoryFile};
pub use load::{load_rules, rule_set_from_text, RuleSet};
pub use selftest::{run_examples, ExampleOutcome};

use crate::findings::Severity;
use std::collections::BTreeMap;

/// What a rule iterates over. Each scope binds one CEL variable per item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Cluster,
    Broker,
    Topic,
    Acl,
    ScramUser,
    Quota,
    Group,
    DelegationToken,
    Reassignment,
    Transaction,
    IamStatement,
    ClientRequest,
    ClientSoftware,
    Dependency,
}

impl Scope {
    pub const ALL: [Scope; 14] = [
        Scope::Cluster,
        Scope::Broker,
        Scope::Topic,
        Scope::Acl,
        Scope::ScramUser,
        Scope::Quota,
        Scope::Group,
        Scope::DelegationToken,
        Scope::Reassignment,
        Scope::Transaction,
        Scope::IamStatement,
        Scope::ClientRequest,
        Scope::ClientSoftware,
        Scope::Dependency,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scope::Cluster => "cluster",
            Scope::Broker => "broker",
            Scope::Topic => "topic",
            Scope::Acl => "acl",
            Scope::ScramUser => "scram_user",
            Scope::Quota => "quota",
            Scope::Group => "group",
            Scope::DelegationToken => "delegation_token",
            Scope::Reassignment => "reassignment",
            Scope::Transaction => "transaction",
            Scope::IamStatement => "iam_statement",
            Scope::ClientRequest => "client_request",
            Scope::ClientSoftware => "client_software",
            Scope::Dependency => "dependency",
        }
    }

    /// The CEL variable bound to each item (also available as `item`).
    pub fn variable(self) -> Option<&'static str> {
        match self {
            Scope::Cluster => None,
            Scope::Broker => Some("broker"),
            Scope::Topic => Some("topic"),
            Scope::Acl => Some("acl"),
            Scope::ScramUser => Some("user"),
            Scope::Quota => Some("quota"),
            Scope::Group => Some("group"),
            Scope::DelegationToken => Some("token"),
            Scope::Reassignment => Some("reassignment"),
            Scope::Transaction => Some("txn"),
            Scope::IamStatement => Some("stmt"),
            Scope::ClientRequest => Some("req"),
            Scope::ClientSoftware => Some("sw"),
            Scope::Dependency => Some("dep"),
        }
    }

    /// The inventory list the scope iterates.
    pub fn list(self) -> Option<&'static str> {
        match self {
            Scope::Cluster => None,
            Scope::Broker => Some("brokers"),
            Scope::Topic => Some("topics"),
            Scope::Acl => Some("acls"),
            Scope::ScramUser => Some("scram_users"),
            Scope::Quota => Some("quotas"),
            Scope::Group => Some("groups"),
            Scope::DelegationToken => Some("delegation_tokens"),
            Scope::Reassignment => Some("reassignments"),
            Scope::Transaction => Some("transactions"),
            Scope::IamStatement => Some("iam_statements"),
            Scope::ClientRequest => Some("client_requests"),
            Scope::ClientSoftware => Some("client_software"),
            Scope::Dependency => Some("dependencies"),
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.name() == s)
    }
}

/// Variables every condition can read, whatever its scope, with the inventory part each
/// reads (`None`: not inventory data). The engine derives from this which parts a rule reads
/// (see `reads`), and hides a variable whose part could not be collected.
pub const VARIABLES: &[(&str, Option<&str>)] = &[
    ("inv", None),
    ("cluster", Some("cluster")),
    ("brokers", Some("brokers")),
    ("topics", Some("topics")),
    ("acls", Some("acls")),
    ("scram_users", Some("scram_users")),
    ("quotas", Some("quotas")),
    ("groups", Some("groups")),
    ("delegation_tokens", Some("delegation_tokens")),
    ("reassignments", Some("reassignments")),
    ("transactions", Some("transactions")),
    ("broker_ids", Some("brokers")),
    ("iam_statements", Some("iam")),
    ("client_requests", Some("metrics.requests")),
    ("client_software", Some("metrics.connections")),
    ("dependencies", Some("clients")),
    ("msk", Some("msk")),
    ("iam", Some("iam")),
    ("clients", Some("clients")),
    ("zookeeper", Some("zookeeper")),
    ("target", None),
    ("profile", None),
];

/// Parts held in one field of their parent variable (of each of its items, for lists):
/// (part, variable, field). `cluster.version` is the lowest broker version, so it stands for
/// `brokers.version` too.
pub const PART_FIELDS: &[(&str, &str, &str)] = &[
    ("brokers.version", "brokers", "version"),
    ("brokers.version", "cluster", "version"),
    ("brokers.configs", "brokers", "configs"),
    ("brokers.log_dirs", "brokers", "log_dirs"),
    ("topics.configs", "topics", "configs"),
    ("groups.offsets", "groups", "offsets"),
    ("cluster.mode", "cluster", "mode"),
    ("cluster.controller", "cluster", "controller_id"),
    ("msk.nodes", "msk", "nodes"),
    ("msk.configuration", "msk", "configuration"),
    ("msk.scram_secrets", "msk", "scram_secrets"),
    ("msk.secrets", "msk", "secrets"),
    ("msk.versions", "msk", "compatible_versions"),
    ("msk.bootstrap", "msk", "bootstrap_brokers"),
    ("msk.operations", "msk", "operations"),
    ("msk.connectivity", "msk", "zookeeper_access"),
    ("msk.policy", "msk", "cluster_policy"),
    ("msk.vpc_connections", "msk", "client_vpc_connections"),
    ("msk.replicators", "msk", "replicators"),
    ("zookeeper.ensemble", "zookeeper", "version"),
    ("zookeeper.ensemble", "zookeeper", "mode"),
];

/// The part a variable reads, if it is inventory data.
pub fn part_of_variable(name: &str) -> Option<&'static str> {
    VARIABLES
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, p)| *p)
}

#[derive(Debug, Clone)]
pub struct Example {
    /// `fail`, `pass` or `unknown`.
    pub expect: String,
    pub note: String,
    pub target: Option<String>,
    pub profile: Option<String>,
    /// The inventory JSON the example runs against (shorthand already expanded).
    pub inventory: serde_json::Value,
}

#[derive(Debug)]
pub struct Rule {
    pub id: String,
    /// Texts shared with every finding of the rule.
    pub title: std::sync::Arc<str>,
    pub severity: Severity,
    pub area: String,
    pub profiles: Vec<String>,
    pub scope: Scope,
    pub needs: Vec<String>,
    pub keys: Vec<String>,
    pub when_src: String,
    pub when: cel::Program,
    pub message: String,
    pub evidence: BTreeMap<String, (String, cel::Program)>,
    pub why: std::sync::Arc<str>,
    pub remediation: std::sync::Arc<str>,
    pub references: std::sync::Arc<[String]>,
    pub examples: Vec<Example>,
    /// Where the rule came from: `embedded:rules/…` or a file path.
    pub origin: String,
    /// True when the condition or evidence reads `target` or `profile`, so it is evaluated
    /// once per selected profile.
    pub per_profile: bool,
    /// The inventory parts the condition, evidence and `needs` read (see [`reads`]): a rule
    /// never passes while one of them has a gap.
    pub reads: Vec<&'static str>,
}
