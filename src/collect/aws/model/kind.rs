//! What a file of AWS CLI output is: its [`Kind`], recognised by its top-level members, and
//! the output kraftcheck refuses unread (secret values). Split out of `model.rs`; unchanged.

use super::*;

/// The kinds of AWS CLI output kraftcheck reads, recognised by their top-level members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ListClusters,
    DescribeCluster,
    ListNodes,
    ListScramSecrets,
    DescribeConfigurationRevision,
    CompatibleKafkaVersions,
    BootstrapBrokers,
    ListClusterOperations,
    DescribeClusterOperation,
    ClusterPolicy,
    ClientVpcConnections,
    ListReplicators,
    DescribeReplicator,
    DescribeSecret,
    DescribeKey,
    AccountAuthorizationDetails,
}

impl Kind {
    /// The AWS CLI command that prints this kind.
    pub fn command(self) -> &'static str {
        match self {
            Kind::ListClusters => "aws kafka list-clusters-v2",
            Kind::DescribeCluster => "aws kafka describe-cluster-v2",
            Kind::ListNodes => "aws kafka list-nodes",
            Kind::ListScramSecrets => "aws kafka list-scram-secrets",
            Kind::DescribeConfigurationRevision => "aws kafka describe-configuration-revision",
            Kind::CompatibleKafkaVersions => "aws kafka get-compatible-kafka-versions",
            Kind::BootstrapBrokers => "aws kafka get-bootstrap-brokers",
            Kind::ListClusterOperations => "aws kafka list-cluster-operations-v2",
            Kind::DescribeClusterOperation => "aws kafka describe-cluster-operation-v2",
            Kind::ClusterPolicy => "aws kafka get-cluster-policy",
            Kind::ClientVpcConnections => "aws kafka list-client-vpc-connections",
            Kind::ListReplicators => "aws kafka list-replicators",
            Kind::DescribeReplicator => "aws kafka describe-replicator",
            Kind::DescribeSecret => "aws secretsmanager describe-secret",
            Kind::DescribeKey => "aws kms describe-key",
            Kind::AccountAuthorizationDetails => "aws iam get-account-authorization-details",
        }
    }
}

/// Every kind, in the order the CLI's help names them.
pub const KINDS: &[Kind] = &[
    Kind::DescribeCluster,
    Kind::ListClusters,
    Kind::ListNodes,
    Kind::ListScramSecrets,
    Kind::DescribeConfigurationRevision,
    Kind::CompatibleKafkaVersions,
    Kind::BootstrapBrokers,
    Kind::ListClusterOperations,
    Kind::DescribeClusterOperation,
    Kind::ClusterPolicy,
    Kind::ClientVpcConnections,
    Kind::ListReplicators,
    Kind::DescribeReplicator,
    Kind::DescribeSecret,
    Kind::DescribeKey,
    Kind::AccountAuthorizationDetails,
];

/// Output that carries a secret's value (`aws secretsmanager get-secret-value`, or a
/// `list-secrets`/`batch-get-secret-value` page with values): kraftcheck refuses it unread.
pub fn holds_secret_value(v: &Value) -> bool {
    fn walk(v: &Value, depth: usize) -> bool {
        match v {
            Value::Object(o) => {
                o.contains_key("SecretString")
                    || o.contains_key("SecretBinary")
                    || (depth < 3 && o.values().any(|x| walk(x, depth + 1)))
            }
            Value::Array(a) => depth < 3 && a.iter().any(|x| walk(x, depth + 1)),
            _ => false,
        }
    }
    walk(v, 0)
}

/// What a JSON document is, by its top-level members; `None` for anything else.
pub fn recognise(v: &Value) -> Option<Kind> {
    let o = v.as_object()?;
    let has = |k: &str| o.contains_key(k);
    Some(if has("ClusterInfoList") {
        Kind::ListClusters
    } else if has("ClusterInfo") && o["ClusterInfo"].is_object() {
        Kind::DescribeCluster
    } else if has("NodeInfoList") {
        Kind::ListNodes
    } else if has("SecretArnList") {
        Kind::ListScramSecrets
    } else if has("ServerProperties") && has("Arn") {
        Kind::DescribeConfigurationRevision
    } else if has("CompatibleKafkaVersions") {
        Kind::CompatibleKafkaVersions
    } else if o.keys().any(|k| k.starts_with("BootstrapBrokerString")) {
        Kind::BootstrapBrokers
    } else if has("ClusterOperationInfoList") {
        Kind::ListClusterOperations
    } else if has("ClusterOperationInfo") {
        Kind::DescribeClusterOperation
    } else if has("Policy") && (has("CurrentVersion") || o.len() == 1) {
        Kind::ClusterPolicy
    } else if has("ClientVpcConnections") {
        Kind::ClientVpcConnections
    } else if has("Replicators") {
        Kind::ListReplicators
    } else if has("ReplicatorArn") && (has("KafkaClusters") || has("ReplicationInfoList")) {
        Kind::DescribeReplicator
    } else if has("ARN")
        && has("Name")
        && o["ARN"]
            .as_str()
            .is_some_and(|a| a.contains(":secretsmanager:"))
    {
        Kind::DescribeSecret
    } else if o.get("KeyMetadata").is_some_and(Value::is_object) {
        Kind::DescribeKey
    } else if has("UserDetailList")
        || has("RoleDetailList")
        || has("GroupDetailList")
        || (has("Policies") && has("IsTruncated"))
    {
        Kind::AccountAuthorizationDetails
    } else {
        return None;
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_are_recognised_by_content() {
        assert_eq!(
            recognise(&json!({"ClusterInfo": {"ClusterArn": "x"}})),
            Some(Kind::DescribeCluster)
        );
        assert_eq!(
            recognise(&json!({"NodeInfoList": []})),
            Some(Kind::ListNodes)
        );
        assert_eq!(
            recognise(&json!({"SecretArnList": []})),
            Some(Kind::ListScramSecrets)
        );
        assert_eq!(
            recognise(&json!({"Arn": "a", "Revision": 1, "ServerProperties": ""})),
            Some(Kind::DescribeConfigurationRevision)
        );
        assert_eq!(
            recognise(&json!({"UserDetailList": [], "IsTruncated": false})),
            Some(Kind::AccountAuthorizationDetails)
        );
        assert_eq!(
            recognise(&json!({"BootstrapBrokerStringSaslIam": "b:9098"})),
            Some(Kind::BootstrapBrokers)
        );
        assert_eq!(recognise(&json!({"Topics": []})), None);
        assert_eq!(recognise(&json!([1, 2])), None);
    }

    #[test]
    fn secret_metadata_is_recognised_and_secret_values_are_not() {
        let describe = json!({"ARN": "arn:aws:secretsmanager:us-east-1:1:secret:AmazonMSK_a-AbCdEf", "Name": "AmazonMSK_a"});
        assert_eq!(recognise(&describe), Some(Kind::DescribeSecret));
        assert!(!holds_secret_value(&describe));
        assert_eq!(
            recognise(&json!({"KeyMetadata": {"KeyId": "k", "KeyManager": "CUSTOMER"}})),
            Some(Kind::DescribeKey)
        );
        for value in [
            json!({"ARN": "a", "Name": "n", "SecretString": "x"}),
            json!({"SecretValues": [{"ARN": "a", "SecretBinary": "eA=="}]}),
        ] {
            assert!(holds_secret_value(&value), "{value}");
        }
    }
}
