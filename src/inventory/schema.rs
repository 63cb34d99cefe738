//! The inventory's parts in one table: what a collector fills, what a gap names, what a rule
//! can `need`, which CEL field holds each part, and the docs of each (`docs/rules.md` is
//! generated from this table, see `rules::docs`).
//!
//! A part's name (`brokers.configs`) is its spelling on the wire (gaps in saved inventories,
//! `needs` in rule files): [`Part::name`] and [`Part::parse`] keep those spellings.

/// Every part of the inventory a collector can fill, and so a rule can `need`.
/// A gap names one of these (optionally narrowed to one resource).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    Cluster,
    ClusterMode,
    ClusterController,
    Brokers,
    BrokersVersion,
    BrokersConfigs,
    BrokersLogDirs,
    Topics,
    TopicsConfigs,
    Acls,
    ScramUsers,
    Quotas,
    Groups,
    GroupsOffsets,
    DelegationTokens,
    Reassignments,
    Transactions,
    Msk,
    MskNodes,
    MskConfiguration,
    MskScramSecrets,
    MskSecrets,
    MskVersions,
    MskBootstrap,
    MskOperations,
    MskConnectivity,
    MskPolicy,
    MskVpcConnections,
    MskReplicators,
    Iam,
    Clients,
    Metrics,
    MetricsRequests,
    MetricsConnections,
    Zookeeper,
    ZookeeperEnsemble,
}

/// One row of [`PARTS`].
#[derive(Debug)]
pub struct PartDef {
    pub part: Part,
    /// The spelling on the wire and in rule files.
    pub name: &'static str,
    /// Only some clusters have it (MSK, IAM, ZooKeeper): a source that does not fill it
    /// leaves it absent rather than a gap (a collector of its own says when it is missing).
    pub optional: bool,
    /// Where CEL reads it, when it is one field of a variable (of each item, for lists):
    /// `(variable, field)`. A part that is a whole variable is named by that variable
    /// (see `rules::scope`).
    pub fields: &'static [(&'static str, &'static str)],
    /// What it holds (docs).
    pub doc: &'static str,
}

macro_rules! parts {
    ($( $part:ident $name:literal $(optional $opt:literal)? [$(($var:literal, $field:literal)),*] $doc:literal ),* $(,)?) => {
        /// Every part, parents before their children (the order gaps are recorded in).
        pub const PARTS: &[PartDef] = &[
            $( PartDef {
                part: Part::$part,
                name: $name,
                optional: parts!(@opt $($opt)?),
                fields: &[$(($var, $field)),*],
                doc: $doc,
            } ),*
        ];
    };
    (@opt) => { false };
    (@opt $o:literal) => { $o };
}

parts! {
    Cluster "cluster" [] "the cluster's identity, version and features",
    ClusterMode "cluster.mode" [("cluster", "mode")] "ZooKeeper, migrating or KRaft",
    ClusterController "cluster.controller" [("cluster", "controller_id")] "the active controller",
    Brokers "brokers" [] "the brokers (and planned KRaft controllers)",
    BrokersVersion "brokers.version" [("brokers", "version"), ("cluster", "version")]
        "each broker's Kafka version (`cluster.version`, the lowest, stands for it too)",
    BrokersConfigs "brokers.configs" [("brokers", "configs")] "each broker's configs",
    BrokersLogDirs "brokers.log_dirs" [("brokers", "log_dirs")] "each broker's log directories",
    Topics "topics" [] "topics and their partitions",
    TopicsConfigs "topics.configs" [("topics", "configs")] "each topic's non-default configs",
    Acls "acls" [] "ACLs",
    ScramUsers "scram_users" [] "SCRAM users and their mechanisms",
    Quotas "quotas" [] "client quotas",
    Groups "groups" [] "consumer groups",
    GroupsOffsets "groups.offsets" [("groups", "offsets")] "each group's committed offsets",
    DelegationTokens "delegation_tokens" [] "delegation tokens",
    Reassignments "reassignments" [] "ongoing partition reassignments",
    Transactions "transactions" [] "transactional ids",
    Msk "msk" optional true [] "the MSK cluster (DescribeClusterV2)",
    MskNodes "msk.nodes" optional true [("msk", "nodes")] "ListNodes",
    MskConfiguration "msk.configuration" optional true [("msk", "configuration")]
        "DescribeConfigurationRevision",
    MskScramSecrets "msk.scram_secrets" optional true [("msk", "scram_secrets")] "ListScramSecrets",
    MskSecrets "msk.secrets" optional true [("msk", "secrets")]
        "the SCRAM secrets' metadata (Secrets Manager DescribeSecret, KMS DescribeKey); a gap may name one secret (its ARN as `resource`): the other secrets are still judged",
    MskVersions "msk.versions" optional true [("msk", "compatible_versions")]
        "GetCompatibleKafkaVersions",
    MskBootstrap "msk.bootstrap" optional true [("msk", "bootstrap_brokers")] "GetBootstrapBrokers",
    MskOperations "msk.operations" optional true [("msk", "operations")]
        "ListClusterOperationsV2",
    MskConnectivity "msk.connectivity" optional true [("msk", "zookeeper_access")]
        "ZooKeeper client access (DescribeClusterOperationV2)",
    MskPolicy "msk.policy" optional true [("msk", "cluster_policy")] "GetClusterPolicy",
    MskVpcConnections "msk.vpc_connections" optional true [("msk", "client_vpc_connections")]
        "ListClientVpcConnections",
    MskReplicators "msk.replicators" optional true [("msk", "replicators")]
        "List/DescribeReplicator(s)",
    Iam "iam" optional true [] "IAM identities and their Kafka policy statements",
    Clients "clients" [] "application repositories (`--scan-deps`)",
    Metrics "metrics" [] "broker metrics (`--metrics`)",
    MetricsRequests "metrics.requests" [] "per-version request counters",
    MetricsConnections "metrics.connections" [] "KIP-511 connection gauges",
    Zookeeper "zookeeper" optional true [] "ZooKeeper itself (`--zookeeper`)",
    ZookeeperEnsemble "zookeeper.ensemble" optional true [("zookeeper", "version"), ("zookeeper", "mode")]
        "its version and mode from the `srvr` four-letter word",
}

impl Part {
    pub fn def(self) -> &'static PartDef {
        PARTS
            .iter()
            .find(|d| d.part == self)
            .expect("every part has a row in PARTS")
    }

    /// The spelling on the wire (`brokers.configs`).
    pub fn name(self) -> &'static str {
        self.def().name
    }

    pub fn parse(s: &str) -> Option<Part> {
        PARTS.iter().find(|d| d.name == s).map(|d| d.part)
    }

    /// The part it is a child of (`brokers` for `brokers.configs`).
    pub fn parent(self) -> Option<Part> {
        self.name()
            .rsplit_once('.')
            .and_then(|(p, _)| Part::parse(p))
    }

    /// Every part's name, for messages.
    pub fn names() -> impl Iterator<Item = &'static str> {
        PARTS.iter().map(|d| d.name)
    }
}

impl AsRef<str> for Part {
    fn as_ref(&self) -> &str {
        self.name()
    }
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The parts a source that fills only `fills` leaves unknown: every part it does not fill,
/// in table order, except those a parent's gap already covers and the optional ones.
pub fn not_filled(fills: &[Part]) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    for d in PARTS {
        let covered =
            std::iter::successors(d.part.parent(), |p| p.parent()).any(|p| out.contains(&p));
        if !d.optional && !fills.contains(&d.part) && !covered {
            out.push(d.part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_has_one_row_and_parents_come_first() {
        for (i, d) in PARTS.iter().enumerate() {
            assert_eq!(Part::parse(d.name), Some(d.part));
            assert_eq!(
                PARTS.iter().filter(|x| x.part == d.part).count(),
                1,
                "{}",
                d.name
            );
            if let Some(p) = d.part.parent() {
                let at = PARTS.iter().position(|x| x.part == p).unwrap();
                assert!(at < i, "{} before its parent", d.name);
                assert_eq!(p.def().optional, d.optional, "{}", d.name);
            } else {
                assert!(!d.name.contains('.'), "{} has no parent row", d.name);
            }
        }
    }

    #[test]
    fn a_source_gaps_what_it_does_not_fill_once() {
        use Part::*;
        assert_eq!(
            not_filled(&[
                Cluster,
                ClusterMode,
                Brokers,
                BrokersVersion,
                BrokersConfigs
            ]),
            vec![
                ClusterController,
                BrokersLogDirs,
                Topics,
                Acls,
                ScramUsers,
                Quotas,
                Groups,
                DelegationTokens,
                Reassignments,
                Transactions,
                Clients,
                Metrics
            ]
        );
    }
}
