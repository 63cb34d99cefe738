//! From the JSON the AWS CLI prints (PascalCase member names of the botocore model, e.g.
//! `aws kafka describe-cluster-v2`) to the inventory's MSK and IAM parts.
//!
//! The live collector turns the SDK's answers into the same JSON shapes first, so offline
//! files and live calls go through this one mapping and give the same inventory.

use crate::inventory::iampattern::concerns_kafka;
use crate::inventory::{
    is_sensitive_key, BrokerLogs, ClusterArn, Iam, IamInlinePolicy, IamPolicy, IamPrincipal,
    IamStatement, Msk, MskAuth, MskClusterPolicy, MskConfiguration, MskNode, MskOperation,
    MskReplicationFlow, MskReplicator, MskSecret, MskVpcConnection, MskZookeeperNode,
    OpenMonitoring,
};
use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

mod cluster;
mod connectivity;
mod iam;
mod kind;
mod secrets;
pub use cluster::cluster_facts;
use cluster::{bootstrap_kind, detect_mode, properties, server_properties};
use connectivity::completed;
pub use connectivity::{connectivity_operations, connectivity_unread, zookeeper_access_set};
pub use iam::*;
pub use kind::{holds_secret_value, recognise, Kind, KINDS};
use secrets::secret_facts;
pub use secrets::{secret_key_id, secrets_unread};

/// The answers gathered for one cluster, each in AWS CLI JSON shape. `None` = not collected
/// (the reason is then a gap recorded by the caller).
#[derive(Debug, Default, Clone)]
pub struct MskAnswers {
    /// `ClusterInfo` of DescribeClusterV2 (or a ListClustersV2 entry).
    pub cluster: Option<Value>,
    pub nodes: Option<Vec<Value>>,
    pub scram_secrets: Option<Vec<String>>,
    /// A DescribeConfigurationRevision answer.
    pub configuration_revision: Option<Value>,
    pub compatible_versions: Option<Vec<Value>>,
    pub bootstrap: Option<Value>,
    pub operations: Option<Vec<Value>>,
    /// DescribeClusterOperationV2 answers (`{"ClusterOperationInfo": …}`) of the completed
    /// UpdateConnectivity operations, newest first as far as read (see
    /// [`connectivity_operations`]).
    pub operation_details: Vec<Value>,
    /// Secrets Manager DescribeSecret answers for the SCRAM secrets (metadata only).
    pub secrets: Vec<Value>,
    /// KMS DescribeKey answers for the secrets' keys, with the key id they were asked for
    /// (live) — an alias ARN names no key in the answer itself.
    pub keys: Vec<(Option<String>, Value)>,
    /// GetClusterPolicy: `Some(None)` when the cluster has no policy.
    pub policy: Option<Option<Value>>,
    pub vpc_connections: Option<Vec<Value>>,
    /// ListReplicators entries (all of the account's, filtered to this cluster here).
    pub replicators: Option<Vec<Value>>,
    /// DescribeReplicator answers.
    pub replicator_details: Vec<Value>,
}

fn st(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    match cur {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn flag(v: &Value, path: &[&str]) -> bool {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(x) => cur = x,
            None => return false,
        }
    }
    cur.as_bool().unwrap_or(false)
}

fn int(v: &Value, path: &[&str]) -> Option<i64> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_i64()
        .or_else(|| cur.as_f64().map(|f| f as i64))
        .or_else(|| {
            cur.as_str()
                .and_then(|s| s.parse::<f64>().ok())
                .map(|f| f as i64)
        })
}

fn strings(v: &Value, path: &[&str]) -> Vec<String> {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(x) => cur = x,
            None => return vec![],
        }
    }
    cur.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// A timestamp as RFC 3339 UTC with whole seconds, whatever its input form (the CLI prints
/// `2024-05-29T10:00:00.123000+00:00`, the SDK epoch seconds).
pub fn timestamp(v: &Value) -> Option<String> {
    let dt = match v {
        Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&chrono::Utc))
            .or_else(|_| {
                chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                    .map(|n| n.and_utc())
            })
            .ok()?,
        Value::Number(n) => chrono::DateTime::from_timestamp(n.as_f64()? as i64, 0)?,
        _ => return None,
    };
    Some(dt.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

fn ts(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(timestamp)
}

/// Every fact about one cluster, from its answers. `ca` is the cluster's ARN: list answers
/// that name clusters (replicators, operations) are filtered to it.
pub fn build_msk(a: &MskAnswers) -> Result<Option<Msk>> {
    let Some(ci) = &a.cluster else {
        return Ok(None);
    };
    let mut m = cluster_facts(ci)?;
    if let Some(nodes) = &a.nodes {
        for n in nodes {
            if let Some(b) = n.get("BrokerNodeInfo").filter(|b| b.is_object()) {
                m.nodes.push(MskNode {
                    broker_id: int(b, &["BrokerId"]).unwrap_or(-1),
                    instance_type: st(n, &["InstanceType"]),
                    client_subnet: st(b, &["ClientSubnet"]),
                    kafka_version: st(b, &["CurrentBrokerSoftwareInfo", "KafkaVersion"]),
                    endpoints: strings(b, &["Endpoints"]),
                });
            }
            if let Some(z) = n.get("ZookeeperNodeInfo").filter(|z| z.is_object()) {
                m.zookeeper_nodes.push(MskZookeeperNode {
                    id: int(z, &["ZookeeperId"]).unwrap_or(-1),
                    version: st(z, &["ZookeeperVersion"]),
                    endpoints: strings(z, &["Endpoints"]),
                });
            }
            if let Some(c) = n.get("ControllerNodeInfo").filter(|c| c.is_object()) {
                m.controller_endpoints.extend(strings(c, &["Endpoints"]));
            }
        }
    }
    if let Some(s) = &a.scram_secrets {
        m.scram_secrets = s.clone();
    }
    if let (Some(cfg), Some(rev)) = (&mut m.configuration, &a.configuration_revision) {
        let same = st(rev, &["Arn"]).as_deref() == Some(cfg.arn.as_str())
            && int(rev, &["Revision"]) == Some(cfg.revision);
        if same {
            if let Some(text) = server_properties(rev) {
                cfg.properties = properties(&text);
            }
        }
    }
    if let Some(cv) = &a.compatible_versions {
        let current = m.kafka_version.clone().unwrap_or_default();
        let matching: Vec<&Value> = cv
            .iter()
            .filter(|c| st(c, &["SourceVersion"]).as_deref() == Some(current.as_str()))
            .collect();
        let chosen: Vec<&Value> = if matching.is_empty() && cv.len() == 1 {
            cv.iter().collect()
        } else {
            matching
        };
        for c in chosen {
            m.compatible_versions
                .extend(strings(c, &["TargetVersions"]));
        }
    }
    if let Some(b) = &a.bootstrap {
        if let Some(o) = b.as_object() {
            for (k, v) in o {
                if let (Some(kind), Some(s)) = (bootstrap_kind(k), v.as_str()) {
                    if !s.is_empty() {
                        m.bootstrap_brokers.insert(kind, s.to_string());
                    }
                }
            }
        }
    }
    if let Some(ops) = &a.operations {
        for o in ops {
            if st(o, &["ClusterArn"]).is_some_and(|c| c != m.cluster_arn) {
                continue;
            }
            m.operations.push(MskOperation {
                arn: st(o, &["OperationArn"]).unwrap_or_default(),
                operation_type: st(o, &["OperationType"]).unwrap_or_default(),
                state: st(o, &["OperationState"]).unwrap_or_default(),
                start_time: ts(o, "StartTime"),
                end_time: ts(o, "EndTime"),
            });
        }
    }
    // ZooKeeper client access: the target of the newest completed UpdateConnectivity that set
    // it (the operations list says which is newest; without it, the newest answer given).
    let details: Vec<&Value> = a
        .operation_details
        .iter()
        .map(|d| d.get("ClusterOperationInfo").unwrap_or(d))
        .filter(|i| st(i, &["ClusterArn"]).is_none_or(|c| c == m.cluster_arn))
        .collect();
    let decided = match &a.operations {
        Some(ops) => {
            let mut found = None;
            for op in connectivity_operations(ops, &m.cluster_arn) {
                match details
                    .iter()
                    .find(|i| st(i, &["OperationArn"]).as_deref() == Some(op.as_str()))
                {
                    Some(i) => {
                        if let Some(e) = zookeeper_access_set(i) {
                            found = Some((op, e));
                            break;
                        }
                    }
                    // Not read: what it set is unknown (the collector records the gap).
                    None => break,
                }
            }
            found
        }
        None => details
            .iter()
            .filter(|i| completed(i))
            .filter_map(|i| {
                Some((
                    ts(i, "StartTime"),
                    st(i, &["OperationArn"])?,
                    zookeeper_access_set(i)?,
                ))
            })
            .max_by(|x, y| x.0.cmp(&y.0))
            .map(|(_, op, e)| (op, e)),
    };
    if let Some((op, e)) = decided {
        m.zookeeper_access = Some(e);
        m.zookeeper_access_operation = Some(op);
    }
    // The SCRAM secrets' metadata, one entry per associated secret.
    if a.scram_secrets.is_some() && (!a.secrets.is_empty() || !a.keys.is_empty()) {
        m.secrets = m
            .scram_secrets
            .iter()
            .map(|arn| secret_facts(arn, a))
            .collect();
    }
    if let Some(p) = &a.policy {
        m.cluster_policy = match p {
            None => None,
            Some(v) => {
                let text = st(v, &["Policy"]);
                match text {
                    None => None,
                    Some(t) => Some(MskClusterPolicy {
                        version: st(v, &["CurrentVersion"]),
                        statements: statements(&Value::String(t)).context(
                            "GetClusterPolicy: the policy is not a JSON policy document",
                        )?,
                    }),
                }
            }
        };
    }
    if let Some(conns) = &a.vpc_connections {
        for c in conns {
            m.client_vpc_connections.push(MskVpcConnection {
                arn: st(c, &["VpcConnectionArn"]).unwrap_or_default(),
                authentication: st(c, &["Authentication"]),
                owner: st(c, &["Owner"]),
                state: st(c, &["State"]),
            });
        }
    }
    if let Some(reps) = &a.replicators {
        for r in reps {
            let clusters: BTreeMap<String, String> = list(r, "KafkaClustersSummary")
                .iter()
                .chain(list(r, "KafkaClusters"))
                .filter_map(|c| {
                    Some((
                        st(c, &["KafkaClusterAlias"]).unwrap_or_default(),
                        st(c, &["AmazonMskCluster", "MskClusterArn"])?,
                    ))
                })
                .collect();
            let arn = st(r, &["ReplicatorArn"]).unwrap_or_default();
            let detail = a
                .replicator_details
                .iter()
                .find(|d| st(d, &["ReplicatorArn"]).as_deref() == Some(arn.as_str()));
            let mut rep = MskReplicator {
                arn: arn.clone(),
                name: st(r, &["ReplicatorName"]).unwrap_or_default(),
                state: st(r, &["ReplicatorState"]).unwrap_or_default(),
                clusters,
                ..Default::default()
            };
            if let Some(d) = detail {
                for c in list(d, "KafkaClusters") {
                    if let Some(carn) = st(c, &["AmazonMskCluster", "MskClusterArn"]) {
                        rep.clusters
                            .insert(st(c, &["KafkaClusterAlias"]).unwrap_or_default(), carn);
                    }
                }
            }
            let flows: Vec<&Value> = match detail {
                Some(d) => list(d, "ReplicationInfoList").iter().collect(),
                None => list(r, "ReplicationInfoSummaryList").iter().collect(),
            };
            let mut roles = BTreeSet::new();
            for f in flows {
                let source = st(f, &["SourceKafkaClusterAlias"]).unwrap_or_default();
                let target = st(f, &["TargetKafkaClusterAlias"]).unwrap_or_default();
                if rep.clusters.get(&source) == Some(&m.cluster_arn) {
                    roles.insert("source");
                }
                if rep.clusters.get(&target) == Some(&m.cluster_arn) {
                    roles.insert("target");
                }
                if detail.is_some() {
                    rep.flows.push(MskReplicationFlow {
                        source,
                        target,
                        copy_topic_configurations: flag(
                            f,
                            &["TopicReplication", "CopyTopicConfigurations"],
                        ),
                        copy_topic_acls: flag(
                            f,
                            &["TopicReplication", "CopyAccessControlListsForTopics"],
                        ),
                        detect_and_copy_new_topics: flag(
                            f,
                            &["TopicReplication", "DetectAndCopyNewTopics"],
                        ),
                        sync_group_offsets: flag(
                            f,
                            &[
                                "ConsumerGroupReplication",
                                "SynchroniseConsumerGroupOffsets",
                            ],
                        ),
                        offset_sync_mode: st(
                            f,
                            &["ConsumerGroupReplication", "ConsumerGroupOffsetSyncMode"],
                        ),
                        topic_name_configuration: st(
                            f,
                            &["TopicReplication", "TopicNameConfiguration", "Type"],
                        ),
                        topics_to_replicate: strings(f, &["TopicReplication", "TopicsToReplicate"]),
                        groups_to_replicate: strings(
                            f,
                            &["ConsumerGroupReplication", "ConsumerGroupsToReplicate"],
                        ),
                    });
                }
            }
            if !rep.clusters.values().any(|c| *c == m.cluster_arn) {
                continue;
            }
            rep.role = roles.into_iter().collect::<Vec<_>>().join(",");
            m.replicators.push(rep);
        }
    }
    m.mode = detect_mode(&m);
    m.normalize();
    Ok(Some(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn policy_documents_decode_in_every_form() {
        let obj = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kafka-cluster:Connect", "Resource": "*"}});
        let text = obj.to_string();
        let encoded: String =
            percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        for v in [obj.clone(), Value::String(text), Value::String(encoded)] {
            let s = statements(&v).unwrap();
            assert_eq!(s.len(), 1);
            assert_eq!(s[0].actions, vec!["kafka-cluster:Connect"]);
            assert_eq!(s[0].resources, vec!["*"]);
        }
    }

    #[test]
    fn timestamps_normalize() {
        assert_eq!(
            timestamp(&json!("2024-05-29T10:00:00.123000+00:00")).unwrap(),
            "2024-05-29T10:00:00Z"
        );
        assert_eq!(
            timestamp(&json!("2024-05-29T12:00:00+02:00")).unwrap(),
            "2024-05-29T10:00:00Z"
        );
        assert_eq!(
            timestamp(&json!(1716976800)).unwrap(),
            "2024-05-29T10:00:00Z"
        );
    }
}
