//! What rules see of the inventory, in one table: the scopes a rule iterates (name, CEL
//! variable, inventory list, the part it reads, the resource an item stands for, how its
//! items are built) and the variables every condition can read. Loading, evaluation, the
//! reads analysis and the generated docs (`docs/rules.md`, see [`super::docs`]) all read
//! these rows; a new scope is one row of [`SCOPES`] (and its view builder when its items are
//! derived).

use crate::findings::Resource;
use crate::inventory::{Inventory, Part, PARTS};
use serde_json::Value as Json;

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

/// How a scope's items are made from the inventory.
#[derive(Clone, Copy)]
pub enum View {
    /// No items: the rule is evaluated once, on the cluster.
    Cluster,
    /// The inventory field of the list's name, as serialized.
    Field,
    /// Topics: made one by one from the typed inventory (see `topic::topic_value`).
    Topics,
    /// Derived from the inventory by this function (a JSON array).
    Derived(fn(&Inventory) -> Json),
}

/// One row of [`SCOPES`].
pub struct ScopeDef {
    pub scope: Scope,
    /// The `scope` value in rule files.
    pub name: &'static str,
    /// The CEL variable bound to each item (also available as `item`).
    pub variable: Option<&'static str>,
    /// The list it iterates: a CEL variable every rule can read, and the view's field.
    pub list: Option<&'static str>,
    /// The part the list reads (a gap on it hides the list).
    pub part: Option<Part>,
    /// The resource kinds of its items, for docs (`resource` builds the resource).
    pub kind: &'static str,
    /// The resource an item (as JSON) stands for.
    pub resource: fn(&Json) -> Resource,
    pub view: View,
    /// Its items' fields (docs).
    pub fields: &'static str,
}

/// A field of an item as a string (numbers as JSON), empty when absent.
fn s(item: &Json, k: &str) -> String {
    item.get(k)
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        })
        .unwrap_or_default()
}

fn res(kind: &str, name: String) -> Resource {
    Resource {
        kind: kind.into(),
        name,
    }
}

fn broker_resource(item: &Json) -> Resource {
    let id = item.get("id").and_then(Json::as_i64).unwrap_or(-1);
    let name = if id >= 0 {
        id.to_string()
    } else {
        // No broker.id: name it after its file.
        let f = s(item, "config_file");
        std::path::Path::new(&f)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or(f)
    };
    // Planned KRaft controllers (process.roles=controller) share the id space.
    let roles = item.get("roles").and_then(Json::as_str).unwrap_or_default();
    if roles.contains("controller") && !roles.contains("broker") {
        res("controller", name)
    } else {
        res("broker", name)
    }
}

fn acl_resource(i: &Json) -> Resource {
    res(
        "acl",
        format!(
            "{} {} {} {}:{}:{} from {}",
            s(i, "permission"),
            s(i, "principal"),
            s(i, "operation"),
            s(i, "resource_type"),
            s(i, "pattern_type"),
            s(i, "resource_name"),
            s(i, "host")
        ),
    )
}

fn quota_resource(item: &Json) -> Resource {
    let entity = item
        .get("entity")
        .and_then(Json::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let v = v.as_str().unwrap_or_default();
                    format!("{k}={}", if v.is_empty() { "<default>" } else { v })
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    res("quota", entity)
}

pub const SCOPES: &[ScopeDef] = &[
    ScopeDef {
        scope: Scope::Cluster,
        name: "cluster",
        variable: None,
        list: None,
        part: None,
        kind: "cluster",
        resource: |_| Resource::cluster(),
        view: View::Cluster,
        fields: "",
    },
    ScopeDef {
        scope: Scope::Broker,
        name: "broker",
        variable: Some("broker"),
        list: Some("brokers"),
        part: Some(Part::Brokers),
        kind: "broker, controller",
        resource: broker_resource,
        view: View::Field,
        fields: "`id` (-1 when `broker.id` is unset), `host`, `port`, `rack`, `version`, `roles`, `config_file`, `configs` (key → `{value, source, sensitive, line}`), `log_dirs`. Use the helpers below rather than `configs` directly. Planned KRaft controllers given as config files (`process.roles=controller`) are brokers too, with `roles` = `controller`; their findings name the resource `controller:<id>`.",
    },
    ScopeDef {
        scope: Scope::Topic,
        name: "topic",
        variable: Some("topic"),
        list: Some("topics"),
        part: Some(Part::Topics),
        kind: "topic",
        resource: |i| res("topic", s(i, "name")),
        view: View::Topics,
        fields: "`name`, `internal`, `framework` (kafka, streams, connect, mirrormaker2, msk-replicator, schema-registry, ksqldb, confluent, msk; recognised by name when the inventory does not say), `partitions` (`id`, `leader` (-1 offline), `replicas`, `isr`, `adding_replicas`, `removing_replicas`), `configs` (non-default only), `pending_deletion`, plus derived `partition_count`, `replication_factor`, `offline_partitions`, `under_replicated_partitions`, `replica_brokers` (distinct broker ids holding a replica), `missing_replica_brokers` (those of `replica_brokers` not in `broker_ids`; absent, so unknown, when a gap hides `broker_ids`), `min_isr`, `under_min_isr_partitions`, `app_group` (the longest consumer group id the name starts with followed by `-`, as Kafka Streams names its internal topics; null when none, absent when a gap hides `groups`).",
    },
    ScopeDef {
        scope: Scope::Acl,
        name: "acl",
        variable: Some("acl"),
        list: Some("acls"),
        part: Some(Part::Acls),
        kind: "acl",
        resource: acl_resource,
        view: View::Field,
        fields: "`principal`, `host`, `resource_type`, `resource_name`, `pattern_type`, `operation`, `permission`.",
    },
    ScopeDef {
        scope: Scope::ScramUser,
        name: "scram_user",
        variable: Some("user"),
        list: Some("scram_users"),
        part: Some(Part::ScramUsers),
        kind: "scram-user",
        resource: |i| res("scram-user", s(i, "name")),
        view: View::Field,
        fields: "`name`, `credentials` (`mechanism`, `iterations`).",
    },
    ScopeDef {
        scope: Scope::Quota,
        name: "quota",
        variable: Some("quota"),
        list: Some("quotas"),
        part: Some(Part::Quotas),
        kind: "quota",
        resource: quota_resource,
        view: View::Field,
        fields: "`entity` (map, e.g. `{\"user\": \"alice\"}`; `\"\"` = `<default>`), `values` (map).",
    },
    ScopeDef {
        scope: Scope::Group,
        name: "group",
        variable: Some("group"),
        list: Some("groups"),
        part: Some(Part::Groups),
        kind: "group",
        resource: |i| res("group", s(i, "id")),
        view: View::Field,
        fields: "`id`, `state`, `protocol_type`, `members` (`client_id`, `host`), `offsets` (`topic`, `partition`, `offset`, `lag`).",
    },
    ScopeDef {
        scope: Scope::DelegationToken,
        name: "delegation_token",
        variable: Some("token"),
        list: Some("delegation_tokens"),
        part: Some(Part::DelegationTokens),
        kind: "delegation-token",
        resource: |i| res("delegation-token", s(i, "token_id")),
        view: View::Field,
        fields: "`token_id`, `owner`, `expiry`.",
    },
    ScopeDef {
        scope: Scope::Reassignment,
        name: "reassignment",
        variable: Some("reassignment"),
        list: Some("reassignments"),
        part: Some(Part::Reassignments),
        kind: "partition",
        resource: |i| res("partition", format!("{}-{}", s(i, "topic"), s(i, "partition"))),
        view: View::Field,
        fields: "`topic`, `partition`, `adding_replicas`, `removing_replicas`.",
    },
    ScopeDef {
        scope: Scope::Transaction,
        name: "transaction",
        variable: Some("txn"),
        list: Some("transactions"),
        part: Some(Part::Transactions),
        kind: "transactional-id",
        resource: |i| res("transactional-id", s(i, "transactional_id")),
        view: View::Field,
        fields: "`transactional_id`, `state`, `producer_id`.",
    },
    ScopeDef {
        scope: Scope::IamStatement,
        name: "iam_statement",
        variable: Some("stmt"),
        list: Some("iam_statements"),
        part: Some(Part::Iam),
        kind: "iam-statement",
        resource: |i| res("iam-statement", s(i, "id")),
        view: View::Derived(super::celenv::iam_statements),
        fields: "one per statement of a managed or inline policy: `id`, `policy`, `policy_arn`, `policy_kind` (`managed`|`inline`), `principals` (`role:app`, `user:alice (via group g)`, …), `sid`, `index`, `effect`, `actions`, `not_actions`, `resources`, `not_resources`, `conditions` (operator → key → values).",
    },
    ScopeDef {
        scope: Scope::ClientRequest,
        name: "client_request",
        variable: Some("req"),
        list: Some("client_requests"),
        part: Some(Part::MetricsRequests),
        kind: "request",
        // Client items name themselves (`Produce v3`, `librdkafka 1.7.0`, `file:line library`).
        resource: |i| res("request", s(i, "label")),
        view: View::Derived(crate::compat::client_requests),
        fields: "from `--metrics`: one per API and version summed over the brokers (consumer fetches from `FetchConsumer`; the brokers' own requests, `FetchFollower`, LeaderAndIsr, UpdateMetadata, … are left out): `api`, `version`, `label` (`Produce v3`), `count` (requests since the brokers started), `rate` (per second, last minute), `brokers`, `software` (`name`, `version`, `count`, `verdict` from the 3.7+ DeprecatedRequestsPerSec meter), `attributed_ok` (every request came from identified software at its baseline), `new_minimum`, `java_21_level` and `below_java_21` (below what Java clients send since 2.1), `java_release` (the Java releases whose newest version this is, e.g. `0.11.0`).",
    },
    ScopeDef {
        scope: Scope::ClientSoftware,
        name: "client_software",
        variable: Some("sw"),
        list: Some("client_software"),
        part: Some(Part::MetricsConnections),
        kind: "client-software",
        resource: |i| res("client-software", s(i, "label")),
        view: View::Derived(crate::compat::client_software),
        fields: "one per KIP-511 name and version with open connections: `name`, `version`, `label`, `connections`, `broker_internal` (unknown connections attributed to the brokers' own fetchers and controller channel), `client_connections`, `listeners`, `brokers`, `family`, `display`, `baseline`, `effective_version`, `verdict` (`below-baseline` | `partial` | `ok` | `no-baseline` | `unknown-version` | `unknown-software`), `note`, `traps_400` (known failures on Kafka 4.0.0).",
    },
    ScopeDef {
        scope: Scope::Dependency,
        name: "dependency",
        variable: Some("dep"),
        list: Some("dependencies"),
        part: Some(Part::Clients),
        kind: "dependency",
        resource: |i| {
            res(
                "dependency",
                format!(
                    "{}/{}:{} {}",
                    s(i, "repo"),
                    s(i, "file"),
                    s(i, "line"),
                    s(i, "library")
                ),
            )
        },
        view: View::Derived(crate::compat::dependencies),
        fields: "from `--scan-deps`: `repo`, `file`, `line`, `ecosystem`, `kind` (`kafka-client` | `zookeeper-client` | `zk-tool-usage` | `bootstrap` | `unreadable`), `library`, `version` (as declared, or as resolved from a parent POM, BOM, platform, SBOM or artifact), `resolved` and `lock_file` (from a lock file, SBOM or artifact), `scope` (`direct` | `transitive`), `test` (always present: a test-scope dependency or a file under a test source set), `version_source` (where the version came from), `unresolved` (why it is not known, naming the property or BOM that would settle it), `text` (the matched line, secrets removed), `hosts` (bootstrap lists); Kafka clients also get `family`, `baseline`, `effective_version`, `exact`, `verdict`, `note`, `traps_400`, `reason` (why the verdict is `unknown-version` or `no-baseline`) and `bundled` (the librdkafka a wrapper bundles, with its source); bootstrap lists `old_cluster_hosts` (those naming the current cluster's brokers) and `old_hosts_known`. The version tables behind the verdicts (KIP-896 removals, the Java client fingerprint, library baselines) are Rust data in `src/compat/`, unit-tested against the rules catalog.",
    },
];

impl Scope {
    pub fn def(self) -> &'static ScopeDef {
        SCOPES
            .iter()
            .find(|d| d.scope == self)
            .expect("every scope has a row in SCOPES")
    }

    pub fn all() -> impl Iterator<Item = Scope> {
        SCOPES.iter().map(|d| d.scope)
    }

    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// The CEL variable bound to each item (also available as `item`).
    pub fn variable(self) -> Option<&'static str> {
        self.def().variable
    }

    /// The inventory list the scope iterates.
    pub fn list(self) -> Option<&'static str> {
        self.def().list
    }

    pub fn parse(s: &str) -> Option<Scope> {
        SCOPES.iter().find(|d| d.name == s).map(|d| d.scope)
    }

    /// The resource an item of this scope stands for.
    pub fn resource(self, item: &Json) -> Resource {
        (self.def().resource)(item)
    }
}

/// A variable every condition can read that is not a scope's list.
pub struct Global {
    pub name: &'static str,
    /// The part it reads (`None`: not inventory data).
    pub part: Option<Part>,
    /// Null when the inventory does not have it (MSK, IAM, clients, ZooKeeper).
    pub nullable: bool,
    /// What it is (docs).
    pub doc: &'static str,
    /// Its fields, for an object (docs; empty for the others).
    pub fields: &'static str,
}

/// The variables besides the scopes' lists. [`variables`] joins both.
pub const GLOBALS: &[Global] = &[
    Global {
        name: "inv",
        part: None,
        nullable: false,
        doc: "the whole inventory (every variable below is also a field of it)",
        fields: "",
    },
    Global {
        name: "cluster",
        part: Some(Part::Cluster),
        nullable: false,
        doc: "the cluster",
        fields: "`id`, `kind` (`self-managed`|`msk`), `mode` (`zookeeper`|`migrating`|`kraft`|``), `version` (lowest broker version), `metadata_version`, `features`, `zk_migration_ready`, `phase` (migration phase, KIP-866: `zookeeper`, `pre-migration`, `dual-write`, `kraft-brokers`, `finalized`, `kraft` when the brokers run KRaft but the controllers were not asked; absent when unknown; see `src/collect/phase.rs`) and `phase_evidence` (what it was told from). Controllers reached with `--bootstrap-controller` are in `brokers` with `roles` `controller`.",
    },
    Global {
        name: "broker_ids",
        part: Some(Part::Brokers),
        nullable: false,
        doc: "list of broker ids",
        fields: "",
    },
    Global {
        name: "msk",
        part: Some(Part::Msk),
        nullable: true,
        doc: "one MSK cluster (`src/inventory/msk.rs`)",
        fields: "`cluster_arn`, `cluster_name`, `cluster_uuid`, `region`, `account`, `cluster_type` (`PROVISIONED`|`SERVERLESS`), `state`, `active_operation_arn`, `customer_action_status`, `mode` (`zookeeper`|`kraft`|``), `kafka_version` (`3.9.x`, `3.7.x.kraft`), `broker_type` (`standard`|`express`), `instance_type`, `number_of_broker_nodes`, `client_subnets` (one per zone), `public_access`, `client_authentication` / `vpc_connectivity` (`iam`, `scram`, `tls`, `unauthenticated`), `encryption_in_transit`, `open_monitoring` (`jmx_exporter`, `node_exporter`), `enhanced_monitoring`, `broker_logs`, `tags`, `zookeeper_connect`, `zookeeper_access` (only when a completed UpdateConnectivity operation shows it; read live with DescribeClusterOperationV2) and `zookeeper_access_operation` (that operation's ARN), `configuration` (`arn`, `revision`, `properties`), `nodes`, `scram_secrets` (ARNs), `secrets` (per SCRAM secret: `arn`, `name`, `kms_key_id` — absent: the AWS managed key `aws/secretsmanager` —, `key_manager` `AWS`|`CUSTOMER`, `key_state`, `deleted_date`; never the value), `compatible_versions`, `bootstrap_brokers` (kind → string), `operations` (`operation_type`, `state`), `cluster_policy`, `client_vpc_connections`, `replicators` (`name`, `state`, `role` `source`/`target`, `flows` with `sync_group_offsets`, `copy_topic_acls`, …).",
    },
    Global {
        name: "iam",
        part: Some(Part::Iam),
        nullable: true,
        doc: "IAM identities and their Kafka policies",
        fields: "`policies` (customer managed, default version only: `arn`, `name`, `statements`) and `principals` (`kind` `user`|`role`|`group`, `name`, `arn`, `attached_policies`, `groups`, `inline_policies`); only statements that concern Kafka are kept.",
    },
    Global {
        name: "clients",
        part: Some(Part::Clients),
        nullable: true,
        doc: "client software and protocol usage as collected (rules read the lists `client_requests`, `client_software` and `dependencies`)",
        fields: "",
    },
    Global {
        name: "zookeeper",
        part: Some(Part::Zookeeper),
        nullable: true,
        doc: "what ZooKeeper itself shows (`--zookeeper`)",
        fields: "`connect` (no credentials), `version` and `mode` (`srvr`, when the ensemble allows it), `cluster_id` (`/cluster/id`), `controller_id` and `kraft_controller_epoch` (`/controller`), `brokers` (`/brokers/ids/*`: `id`, `version`, `endpoints`, `rack`, `features`), `topic_count`, `partition_count`, `topics_without_id`, `partitions_without_state` (`topic-N`, topics pending deletion left out), `unregistered_replica_brokers`, `pending_deletions` (`/admin/delete_topics`), `legacy_reassignment` (`/admin/reassign_partitions` exists), `migration` (`absent` | `null` | `present`) and `migration_state` (its numbers), `znode_acls` (path → `scheme:id:perms`), `acl_resources` (`literal:<type>`/`prefixed:<type>` → resources with ACLs), `config_entities` (`/config/<type>` → entities with dynamic configs), `encrypted_broker_configs` (`<broker>:<name>` stored with `password.encoder.secret`; names only), `broker_seqid` (ids handed out by broker id generation), `controller_identity` (the planned controllers' ZooKeeper ids, `--zk-controller-jaas`) and `controller_missing_rights` (`path`, `missing` `cdrw` letters the migration needs there; without `--zk-controller-jaas` empty when everyone has every right needed, else absent), `reads` (znode reads made). A znode it may not read is a gap for `zookeeper` naming the znode.",
    },
    Global {
        name: "target",
        part: None,
        nullable: false,
        doc: "the target Kafka version of the profile being evaluated",
        fields: "",
    },
    Global {
        name: "profile",
        part: None,
        nullable: false,
        doc: "the name of the profile being evaluated",
        fields: "",
    },
];

/// Every variable a condition can read, whatever its scope, with the part it reads
/// (`None`: not inventory data): the globals and every scope's list. The engine derives from
/// this which parts a rule reads (see `reads`), and hides a variable whose part could not
/// be collected.
pub fn variables() -> impl Iterator<Item = (&'static str, Option<Part>)> {
    GLOBALS
        .iter()
        .map(|g| (g.name, g.part))
        .chain(SCOPES.iter().filter_map(|d| d.list.map(|l| (l, d.part))))
}

/// The part a variable reads, if it is inventory data.
pub fn part_of_variable(name: &str) -> Option<Part> {
    variables().find(|(n, _)| *n == name).and_then(|(_, p)| p)
}

/// Parts held in one field of their parent variable (of each of its items, for lists):
/// (part, variable, field), from [`PARTS`].
pub fn part_fields() -> impl Iterator<Item = (Part, &'static str, &'static str)> {
    PARTS
        .iter()
        .flat_map(|d| d.fields.iter().map(move |(v, f)| (d.part, *v, *f)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_field_names_a_variable() {
        for (part, var, _) in part_fields() {
            assert!(part_of_variable(var).is_some(), "{part}: {var}");
        }
    }

    #[test]
    fn scopes_have_one_row_and_distinct_names() {
        for names in [
            SCOPES.iter().map(|d| Some(d.name)).collect::<Vec<_>>(),
            SCOPES.iter().map(|d| d.variable).collect(),
            SCOPES.iter().map(|d| d.list).collect(),
        ] {
            let mut some: Vec<_> = names.into_iter().flatten().collect();
            let n = some.len();
            some.sort();
            some.dedup();
            assert_eq!(some.len(), n, "{some:?}");
        }
        for d in SCOPES {
            assert_eq!(Scope::parse(d.name), Some(d.scope));
            assert_eq!(d.list.is_some(), d.variable.is_some(), "{}", d.name);
        }
    }
}
