//! What ZooKeeper itself shows about a ZooKeeper-mode cluster (`--zookeeper`): facts no Kafka
//! API returns, several of which decide whether an in-place migration stalls, fails or loses
//! metadata. Counts and the offending names, never a copy of every znode, and never a value
//! of a dynamic config.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ZooKeeper {
    /// The connect string as given, credentials never included (`host:port,…/chroot`).
    pub connect: String,
    /// The ensemble member's version (`srvr`: `Zookeeper version: …`), where the four-letter
    /// word is allowed (`4lw.commands.whitelist`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The member's mode (`srvr`: `standalone`, `leader`, `follower`, `observer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `/cluster/id`: the controllers must be formatted with this id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// `/controller`'s broker id (ZooKeeper-mode controller), or the KRaft controller epoch's
    /// owner during a migration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller_id: Option<i64>,
    /// `/controller`'s `kraftControllerEpoch` (above -1 once KRaft controllers own the cluster).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kraft_controller_epoch: Option<i64>,
    /// Registered brokers (`/brokers/ids/*`).
    #[serde(default)]
    pub brokers: Vec<ZkBroker>,
    /// Topics under `/brokers/topics`, and their partitions.
    #[serde(default)]
    pub topic_count: usize,
    #[serde(default)]
    pub partition_count: usize,
    /// Topics whose znode has no `topic_id` (created before 2.8 and never given one).
    #[serde(default)]
    pub topics_without_id: Vec<String>,
    /// Partitions (`topic-N`) without a `/state` znode, of topics not pending deletion (the
    /// migration skips those).
    #[serde(default)]
    pub partitions_without_state: Vec<String>,
    /// Broker ids that hold replicas in a topic znode but are not registered.
    #[serde(default)]
    pub unregistered_replica_brokers: Vec<i64>,
    /// Topics queued under `/admin/delete_topics`.
    #[serde(default)]
    pub pending_deletions: Vec<String>,
    /// `/admin/reassign_partitions` (a legacy, ZooKeeper-driven reassignment) is present.
    #[serde(default)]
    pub legacy_reassignment: bool,
    /// `/migration`: `absent`, `null` (the znode exists with no data) or `present`.
    pub migration: String,
    /// `/migration`'s data when present (KRaft controller id and epoch, metadata offset).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub migration_state: BTreeMap<String, i64>,
    /// ACLs (`scheme:id:perms`) of the root paths Kafka uses; a path not listed was absent.
    #[serde(default)]
    pub znode_acls: BTreeMap<String, Vec<String>>,
    /// The ZooKeeper identities (`scheme:id`) the planned KRaft controllers log in as, from
    /// their JAAS `Client` section (`--zk-controller-jaas`); a Kerberos principal in each form
    /// the ensemble may shorten it to (`kerberos.removeHostFromPrincipal` / `…Realm…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controller_identity: Vec<String>,
    /// With a controller identity: the paths of `znode_acls` (in path order) where the identity
    /// lacks rights the migration needs (empty: it has all). Without one: empty when everyone
    /// (`world:anyone`) has every right needed on every path read, else absent (nothing can be
    /// judged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller_missing_rights: Option<Vec<ZkMissingRights>>,
    /// Resources with ACLs in `/kafka-acl/<type>` (literal) and `/kafka-acl-extended/prefixed/<type>`.
    #[serde(default)]
    pub acl_resources: BTreeMap<String, usize>,
    /// Entities with dynamic configs per `/config/<type>` (`topics`, `brokers`, `users`,
    /// `clients`, `ips`), including those a restricted Kafka principal cannot describe.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub config_entities: BTreeMap<String, usize>,
    /// Dynamic broker configs stored encrypted with `password.encoder.secret`
    /// (`<broker id or <default>>:<config name>`), recognised by the encoder's
    /// `encryptedPassword:` shape; the value itself is never kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub encrypted_broker_configs: Vec<String>,
    /// `/brokers/seqid`'s version: how many broker ids `broker.id.generation.enable` handed out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker_seqid: Option<i64>,
    /// How many znode reads the collect made (for the scale measurement and `--debug`).
    #[serde(default)]
    pub reads: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ZkBroker {
    pub id: i64,
    /// The registration's format version (5 on 3.x).
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub endpoints: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack: Option<String>,
    /// Whether the broker registered with `zookeeper.metadata.migration.enable` (its
    /// `kraftControllerEpoch`-aware registration carries `migration` features on 3.4+).
    #[serde(default)]
    pub features: Vec<String>,
}

/// Rights the planned controllers' ZooKeeper identity lacks on one znode.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ZkMissingRights {
    pub path: String,
    /// `cdrw` letters (create, delete, read, write) the migration needs there.
    pub missing: String,
}
