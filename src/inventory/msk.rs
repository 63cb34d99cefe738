//! Amazon MSK and IAM parts of the inventory.
//!
//! Filled by the MSK and IAM collectors (live, through the AWS SDK) or from the JSON the AWS
//! CLI prints for the same calls (`--aws-json`). Both paths produce exactly these types, so an
//! offline audit of CLI output gives the same findings as a live one. Secret values (SCRAM
//! passwords, access keys) are never part of it: SCRAM secrets are listed by ARN only.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One MSK cluster as DescribeClusterV2 and the per-cluster list calls show it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Msk {
    /// `arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID`.
    pub cluster_arn: String,
    #[serde(default)]
    pub cluster_name: String,
    /// The last ARN segment: a new cluster always gets a new one, even with the same name.
    #[serde(default)]
    pub cluster_uuid: String,
    #[serde(default)]
    pub partition: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub account: String,
    /// `PROVISIONED` or `SERVERLESS`.
    #[serde(default)]
    pub cluster_type: String,
    /// `ACTIVE`, `CREATING`, `UPDATING`, `MAINTENANCE`, `HEALING`, `REBOOTING_BROKER`, …
    #[serde(default)]
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_info: Option<String>,
    /// RFC 3339, UTC, whole seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<String>,
    /// The cluster's version token (`CurrentVersion` in update calls), not the Kafka version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_version: Option<String>,
    /// Set while an operation (upgrade, scaling, …) runs on the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_operation_arn: Option<String>,
    /// `NONE`, `ACTION_RECOMMENDED` or `CRITICAL_ACTION_REQUIRED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_action_status: Option<String>,
    /// `zookeeper`, `kraft`, or empty when MSK's answers do not tell.
    #[serde(default)]
    pub mode: String,
    /// As MSK spells it: `3.9.x`, `2.8.2.tiered`, `3.7.x.kraft`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kafka_version: Option<String>,
    /// `standard` or `express` (from the instance type); empty for serverless.
    #[serde(default)]
    pub broker_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_broker_nodes: Option<i64>,
    /// One client subnet per Availability Zone.
    #[serde(default)]
    pub client_subnets: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zone_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_size_gb: Option<i64>,
    /// `LOCAL` or `TIERED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_mode: Option<String>,
    /// The ZooKeeper connection strings; absent on KRaft clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zookeeper_connect: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zookeeper_connect_tls: Option<String>,
    /// Client access to ZooKeeper (`ZookeeperAccess.Enabled`) as the newest completed
    /// UpdateConnectivity operation that set it left it (DescribeClusterOperationV2,
    /// `TargetClusterInfo.ZookeeperAccess`); absent when no operation shows it (DescribeClusterV2
    /// does not report it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zookeeper_access: Option<bool>,
    /// The operation `zookeeper_access` comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zookeeper_access_operation: Option<String>,
    /// `DISABLED` or `SERVICE_PROVIDED_EIPS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access: Option<String>,
    #[serde(default)]
    pub client_authentication: MskAuth,
    /// Multi-VPC private connectivity: the authentication types turned on for it.
    #[serde(default)]
    pub vpc_connectivity: MskAuth,
    /// `TLS`, `TLS_PLAINTEXT` or `PLAINTEXT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_in_transit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_in_cluster: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_at_rest_kms_key: Option<String>,
    #[serde(default)]
    pub open_monitoring: OpenMonitoring,
    /// `DEFAULT`, `PER_BROKER`, `PER_TOPIC_PER_BROKER` or `PER_TOPIC_PER_PARTITION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enhanced_monitoring: Option<String>,
    /// Broker log destinations that are turned on.
    #[serde(default)]
    pub broker_logs: BrokerLogs,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The custom MSK configuration the brokers run with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<MskConfiguration>,
    /// Broker nodes (ListNodes).
    #[serde(default)]
    pub nodes: Vec<MskNode>,
    /// ZooKeeper nodes (ListNodes `ZookeeperNodeInfo`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zookeeper_nodes: Vec<MskZookeeperNode>,
    /// KRaft controller endpoints (ListNodes `ControllerNodeInfo`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controller_endpoints: Vec<String>,
    /// Secrets Manager secret ARNs associated for SASL/SCRAM (never their values).
    #[serde(default)]
    pub scram_secrets: Vec<String>,
    /// The metadata of each SCRAM secret (Secrets Manager DescribeSecret, KMS DescribeKey for
    /// its key), one entry per ARN of `scram_secrets`; never the secret's value, which
    /// kraftcheck does not fetch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<MskSecret>,
    /// Versions UpdateClusterKafkaVersion accepts from the current one.
    #[serde(default)]
    pub compatible_versions: Vec<String>,
    /// Bootstrap broker strings by kind (`plaintext`, `tls`, `sasl_scram`, `sasl_iam`,
    /// `public_tls`, …).
    #[serde(default)]
    pub bootstrap_brokers: BTreeMap<String, String>,
    /// Cluster operations (ListClusterOperationsV2), newest first.
    #[serde(default)]
    pub operations: Vec<MskOperation>,
    /// The cluster's resource-based policy (GetClusterPolicy), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_policy: Option<MskClusterPolicy>,
    /// Client VPC connections to this cluster (multi-VPC private connectivity).
    #[serde(default)]
    pub client_vpc_connections: Vec<MskVpcConnection>,
    /// MSK Replicators that read from or write to this cluster.
    #[serde(default)]
    pub replicators: Vec<MskReplicator>,
}

/// Which client authentication types are turned on.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MskAuth {
    pub iam: bool,
    pub scram: bool,
    pub tls: bool,
    pub unauthenticated: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OpenMonitoring {
    pub jmx_exporter: bool,
    pub node_exporter: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BrokerLogs {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloudwatch_log_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firehose_delivery_stream: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_bucket: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MskConfiguration {
    pub arn: String,
    pub revision: i64,
    /// The revision's `server.properties` (DescribeConfigurationRevision), sensitive values
    /// redacted; empty when it could not be read (see the `msk.configuration` gap).
    #[serde(default)]
    pub properties: BTreeMap<String, Option<String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MskNode {
    pub broker_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_subnet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kafka_version: Option<String>,
    #[serde(default)]
    pub endpoints: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MskZookeeperNode {
    pub id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default)]
    pub endpoints: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MskOperation {
    pub arn: String,
    /// e.g. `UPDATE_CLUSTER_KAFKA_VERSION`, `UPDATE_CONNECTIVITY`.
    #[serde(default)]
    pub operation_type: String,
    /// e.g. `PENDING`, `UPDATE_IN_PROGRESS`, `UPDATE_COMPLETE`, `UPDATE_FAILED`.
    #[serde(default)]
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
}

/// A SCRAM secret's metadata. Fields are absent when the call that tells them was not answered
/// (see the `msk.secrets` gap naming the secret).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MskSecret {
    pub arn: String,
    /// The secret's name (DescribeSecret `Name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The KMS key that encrypts the value (DescribeSecret `KmsKeyId`: a key ID, key ARN or
    /// alias ARN). Absent in a described secret: the AWS managed key `aws/secretsmanager`
    /// (DescribeSecret omits the field then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// `AWS` (AWS managed key) or `CUSTOMER` (customer managed key): KMS DescribeKey
    /// `KeyManager`, or `AWS` for a described secret without `KmsKeyId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_manager: Option<String>,
    /// KMS `KeyState` (`Enabled`, `Disabled`, `PendingDeletion`, …) when DescribeKey answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_state: Option<String>,
    /// Set when the secret is scheduled for deletion (DescribeSecret `DeletedDate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MskClusterPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub statements: Vec<IamStatement>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MskVpcConnection {
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MskReplicator {
    pub arn: String,
    #[serde(default)]
    pub name: String,
    /// `RUNNING`, `CREATING`, `UPDATING`, `DELETING` or `FAILED`.
    #[serde(default)]
    pub state: String,
    /// `source`, `target` or `source,target` for this cluster.
    #[serde(default)]
    pub role: String,
    /// MSK cluster ARNs by the replicator's cluster alias.
    #[serde(default)]
    pub clusters: BTreeMap<String, String>,
    /// One entry per replication flow (DescribeReplicator); empty if it could not be read.
    #[serde(default)]
    pub flows: Vec<MskReplicationFlow>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MskReplicationFlow {
    pub source: String,
    pub target: String,
    pub copy_topic_configurations: bool,
    pub copy_topic_acls: bool,
    pub detect_and_copy_new_topics: bool,
    pub sync_group_offsets: bool,
    /// `LEGACY` or `ENHANCED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset_sync_mode: Option<String>,
    /// `PREFIXED_WITH_SOURCE_CLUSTER_ALIAS` or `IDENTICAL`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic_name_configuration: Option<String>,
    pub topics_to_replicate: Vec<String>,
    pub groups_to_replicate: Vec<String>,
}

/// The account's IAM identities and the policy statements of theirs that concern Kafka
/// (`kafka-cluster:*` data-plane or `kafka:*` control-plane actions, directly or through
/// wildcards). Only each managed policy's default version is kept; AWS managed policies are
/// counted but not kept (they name no customer resource).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Iam {
    /// The account the details belong to (from the ARNs), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Everything GetAccountAuthorizationDetails returned, Kafka-related or not.
    pub scanned: IamCounts,
    /// Customer managed policies with at least one Kafka statement in their default version.
    pub policies: Vec<IamPolicy>,
    /// Users, roles and groups that get a Kafka statement: inline, through an attached
    /// managed policy, or (users) through a group.
    pub principals: Vec<IamPrincipal>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct IamCounts {
    pub users: usize,
    pub roles: usize,
    pub groups: usize,
    /// Managed policies (customer and AWS managed).
    pub policies: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IamPolicy {
    pub arn: String,
    pub name: String,
    /// The version whose document is kept (`v3`).
    #[serde(default)]
    pub default_version: String,
    /// Statements of the default version that concern Kafka, in document order.
    #[serde(default)]
    pub statements: Vec<IamStatement>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IamPrincipal {
    /// `user`, `role` or `group`.
    pub kind: String,
    pub name: String,
    pub arn: String,
    /// ARNs of the customer managed policies attached directly that have Kafka statements.
    #[serde(default)]
    pub attached_policies: Vec<String>,
    /// For users: the groups (with Kafka statements) they belong to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Inline policies with Kafka statements.
    #[serde(default)]
    pub inline_policies: Vec<IamInlinePolicy>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IamInlinePolicy {
    pub name: String,
    #[serde(default)]
    pub statements: Vec<IamStatement>,
}

/// One policy statement, normalized: single values become lists, lists are sorted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IamStatement {
    /// 0-based position in its policy document.
    #[serde(default)]
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_resources: Vec<String>,
    /// Resource policies only: the AWS principals the statement names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub principals: Vec<String>,
    /// Condition operator → key → values (as strings).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub conditions: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

impl Msk {
    pub fn normalize(&mut self) {
        self.client_subnets.sort();
        self.client_subnets.dedup();
        self.zone_ids.sort();
        self.zone_ids.dedup();
        self.security_groups.sort();
        self.security_groups.dedup();
        self.nodes.sort_by_key(|n| n.broker_id);
        for n in &mut self.nodes {
            n.endpoints.sort();
        }
        self.zookeeper_nodes.sort_by_key(|n| n.id);
        self.controller_endpoints.sort();
        self.controller_endpoints.dedup();
        self.scram_secrets.sort();
        self.scram_secrets.dedup();
        self.secrets.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.secrets.dedup_by(|a, b| a.arn == b.arn);
        self.compatible_versions.sort();
        self.compatible_versions.dedup();
        // Newest first; ties by ARN.
        self.operations.sort_by(|a, b| {
            b.start_time
                .cmp(&a.start_time)
                .then_with(|| a.arn.cmp(&b.arn))
        });
        self.client_vpc_connections
            .sort_by(|a, b| a.arn.cmp(&b.arn));
        self.replicators.sort_by(|a, b| a.arn.cmp(&b.arn));
        for r in &mut self.replicators {
            r.flows
                .sort_by(|a, b| (&a.source, &a.target).cmp(&(&b.source, &b.target)));
        }
    }
}

impl Iam {
    pub fn normalize(&mut self) {
        self.policies.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.principals
            .sort_by(|a, b| (&a.kind, &a.name, &a.arn).cmp(&(&b.kind, &b.name, &b.arn)));
        for p in &mut self.principals {
            p.attached_policies.sort();
            p.attached_policies.dedup();
            p.groups.sort();
            p.groups.dedup();
            p.inline_policies.sort_by(|a, b| a.name.cmp(&b.name));
        }
    }
}

/// The parts of an MSK cluster ARN: `arn:PARTITION:kafka:REGION:ACCOUNT:cluster/NAME/UUID`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterArn {
    pub partition: String,
    pub region: String,
    pub account: String,
    pub name: String,
    pub uuid: String,
}

impl ClusterArn {
    pub fn parse(arn: &str) -> Option<ClusterArn> {
        let mut f = arn.splitn(6, ':');
        let (arn_, partition, service, region, account, resource) = (
            f.next()?,
            f.next()?,
            f.next()?,
            f.next()?,
            f.next()?,
            f.next()?,
        );
        if arn_ != "arn" || service != "kafka" {
            return None;
        }
        let rest = resource
            .strip_prefix("cluster/")
            .or_else(|| resource.strip_prefix("serverless-cluster/"))?;
        let (name, uuid) = rest.split_once('/')?;
        if name.is_empty() || uuid.is_empty() || uuid.contains('/') {
            return None;
        }
        Some(ClusterArn {
            partition: partition.into(),
            region: region.into(),
            account: account.into(),
            name: name.into(),
            uuid: uuid.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_arns_split_into_name_and_uuid() {
        let a = ClusterArn::parse(
            "arn:aws:kafka:us-east-1:123456789012:cluster/orders/6357e0b2-0e6a-4b86-a0b4-70df934c2e31-5",
        )
        .unwrap();
        assert_eq!(a.name, "orders");
        assert_eq!(a.uuid, "6357e0b2-0e6a-4b86-a0b4-70df934c2e31-5");
        assert_eq!(a.region, "us-east-1");
        assert_eq!(a.account, "123456789012");
        assert_eq!(a.partition, "aws");
        assert!(ClusterArn::parse("arn:aws:kafka:us-east-1:1:cluster/only-name").is_none());
        assert!(ClusterArn::parse("arn:aws:s3:::bucket/x/y").is_none());
    }
}
