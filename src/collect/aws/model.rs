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

mod iam;
pub use iam::*;

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

/// `BootstrapBrokerStringSaslIam` → `sasl_iam`; the bare `BootstrapBrokerString` → `plaintext`.
fn bootstrap_kind(key: &str) -> Option<String> {
    let rest = key.strip_prefix("BootstrapBrokerString")?;
    if rest.is_empty() {
        return Some("plaintext".into());
    }
    let mut out = String::new();
    for (i, c) in rest.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    Some(out)
}

/// `metadata mode` as far as MSK's answers tell.
fn detect_mode(m: &Msk) -> String {
    let kraft_version = m
        .kafka_version
        .as_deref()
        .is_some_and(|v| v.ends_with(".kraft"));
    let major4 = m
        .kafka_version
        .as_deref()
        .and_then(|v| v.split('.').next())
        .and_then(|x| x.parse::<u32>().ok())
        .is_some_and(|x| x >= 4);
    if m.cluster_type == "SERVERLESS" || kraft_version || major4 {
        "kraft".into()
    } else if m.zookeeper_connect.is_some()
        || m.zookeeper_connect_tls.is_some()
        || !m.zookeeper_nodes.is_empty()
    {
        "zookeeper".into()
    } else if !m.controller_endpoints.is_empty() {
        "kraft".into()
    } else {
        String::new()
    }
}

/// The cluster facts of a DescribeClusterV2 `ClusterInfo` (DescribeCluster v1's flat
/// `ClusterInfo` is read as a provisioned cluster too).
pub fn cluster_facts(ci: &Value) -> Result<Msk> {
    let arn = st(ci, &["ClusterArn"]).ok_or_else(|| anyhow!("ClusterInfo has no ClusterArn"))?;
    let parts = ClusterArn::parse(&arn);
    let mut m = Msk {
        cluster_name: st(ci, &["ClusterName"])
            .or_else(|| parts.as_ref().map(|p| p.name.clone()))
            .unwrap_or_default(),
        cluster_uuid: parts.as_ref().map(|p| p.uuid.clone()).unwrap_or_default(),
        partition: parts
            .as_ref()
            .map(|p| p.partition.clone())
            .unwrap_or_default(),
        region: parts.as_ref().map(|p| p.region.clone()).unwrap_or_default(),
        account: parts
            .as_ref()
            .map(|p| p.account.clone())
            .unwrap_or_default(),
        cluster_arn: arn,
        state: st(ci, &["State"]).unwrap_or_default(),
        state_info: st(ci, &["StateInfo", "Message"]).or_else(|| st(ci, &["StateInfo", "Code"])),
        creation_time: ts(ci, "CreationTime"),
        current_version: st(ci, &["CurrentVersion"]),
        active_operation_arn: st(ci, &["ActiveOperationArn"]),
        ..Default::default()
    };
    if let Some(tags) = ci.get("Tags").and_then(Value::as_object) {
        for (k, v) in tags {
            m.tags
                .insert(k.clone(), v.as_str().unwrap_or_default().to_string());
        }
    }
    let prov = match (ci.get("Provisioned"), ci.get("Serverless")) {
        (Some(p), _) if p.is_object() => Some(p),
        (_, Some(s)) if s.is_object() => {
            m.cluster_type = "SERVERLESS".into();
            m.client_authentication.iam =
                flag(s, &["ClientAuthentication", "Sasl", "Iam", "Enabled"]);
            None
        }
        // DescribeCluster (v1): the provisioned fields sit in ClusterInfo itself.
        _ if ci.get("BrokerNodeGroupInfo").is_some() => Some(ci),
        _ => None,
    };
    if let Some(p) = prov {
        m.cluster_type = "PROVISIONED".into();
        let bng = p.get("BrokerNodeGroupInfo").cloned().unwrap_or(Value::Null);
        m.instance_type = st(&bng, &["InstanceType"]);
        m.broker_type = match m.instance_type.as_deref() {
            Some(t) if t.starts_with("express.") => "express",
            _ => "standard",
        }
        .into();
        m.client_subnets = strings(&bng, &["ClientSubnets"]);
        m.zone_ids = strings(&bng, &["ZoneIds"]);
        m.security_groups = strings(&bng, &["SecurityGroups"]);
        m.volume_size_gb = int(&bng, &["StorageInfo", "EbsStorageInfo", "VolumeSize"]);
        m.public_access = st(&bng, &["ConnectivityInfo", "PublicAccess", "Type"]);
        let vpc = bng
            .get("ConnectivityInfo")
            .and_then(|c| c.get("VpcConnectivity"))
            .and_then(|c| c.get("ClientAuthentication"))
            .cloned()
            .unwrap_or(Value::Null);
        m.vpc_connectivity = MskAuth {
            iam: flag(&vpc, &["Sasl", "Iam", "Enabled"]),
            scram: flag(&vpc, &["Sasl", "Scram", "Enabled"]),
            tls: flag(&vpc, &["Tls", "Enabled"]),
            unauthenticated: false,
        };
        m.kafka_version = st(p, &["CurrentBrokerSoftwareInfo", "KafkaVersion"]);
        if let Some(carn) = st(p, &["CurrentBrokerSoftwareInfo", "ConfigurationArn"]) {
            m.configuration = Some(MskConfiguration {
                arn: carn,
                revision: int(p, &["CurrentBrokerSoftwareInfo", "ConfigurationRevision"])
                    .unwrap_or(0),
                properties: BTreeMap::new(),
            });
        }
        let ca = p
            .get("ClientAuthentication")
            .cloned()
            .unwrap_or(Value::Null);
        m.client_authentication = MskAuth {
            iam: flag(&ca, &["Sasl", "Iam", "Enabled"]),
            scram: flag(&ca, &["Sasl", "Scram", "Enabled"]),
            tls: flag(&ca, &["Tls", "Enabled"]),
            unauthenticated: flag(&ca, &["Unauthenticated", "Enabled"]),
        };
        m.encryption_in_transit = st(
            p,
            &["EncryptionInfo", "EncryptionInTransit", "ClientBroker"],
        );
        m.encryption_in_cluster = p
            .get("EncryptionInfo")
            .and_then(|e| e.get("EncryptionInTransit"))
            .and_then(|e| e.get("InCluster"))
            .and_then(Value::as_bool);
        m.encryption_at_rest_kms_key = st(
            p,
            &["EncryptionInfo", "EncryptionAtRest", "DataVolumeKMSKeyId"],
        );
        m.enhanced_monitoring = st(p, &["EnhancedMonitoring"]);
        m.open_monitoring = OpenMonitoring {
            jmx_exporter: flag(
                p,
                &[
                    "OpenMonitoring",
                    "Prometheus",
                    "JmxExporter",
                    "EnabledInBroker",
                ],
            ),
            node_exporter: flag(
                p,
                &[
                    "OpenMonitoring",
                    "Prometheus",
                    "NodeExporter",
                    "EnabledInBroker",
                ],
            ),
        };
        let logs = p
            .get("LoggingInfo")
            .and_then(|l| l.get("BrokerLogs"))
            .cloned()
            .unwrap_or(Value::Null);
        m.broker_logs = BrokerLogs {
            cloudwatch_log_group: flag(&logs, &["CloudWatchLogs", "Enabled"])
                .then(|| st(&logs, &["CloudWatchLogs", "LogGroup"]).unwrap_or_default()),
            firehose_delivery_stream: flag(&logs, &["Firehose", "Enabled"])
                .then(|| st(&logs, &["Firehose", "DeliveryStream"]).unwrap_or_default()),
            s3_bucket: flag(&logs, &["S3", "Enabled"])
                .then(|| st(&logs, &["S3", "Bucket"]).unwrap_or_default()),
        };
        m.number_of_broker_nodes = int(p, &["NumberOfBrokerNodes"]);
        m.zookeeper_connect = st(p, &["ZookeeperConnectString"]);
        m.zookeeper_connect_tls = st(p, &["ZookeeperConnectStringTls"]);
        m.storage_mode = st(p, &["StorageMode"]);
        m.customer_action_status = st(p, &["CustomerActionStatus"]);
    }
    Ok(m)
}

/// Sensitive-looking properties keep their key, never their value.
fn properties(text: &str) -> BTreeMap<String, Option<String>> {
    let mut out = BTreeMap::new();
    if let Ok(props) = crate::collect::properties::parse(text, "ServerProperties") {
        for p in props {
            let v = (!is_sensitive_key(&p.key)).then_some(p.value);
            out.insert(p.key, v);
        }
    }
    out
}

/// Decode `ServerProperties` (base64 in the CLI's JSON, as for every blob).
fn server_properties(v: &Value) -> Option<String> {
    use base64::Engine;
    let s = v.get("ServerProperties")?.as_str()?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .ok()?;
    String::from_utf8(bytes).ok()
}

fn completed(info: &Value) -> bool {
    st(info, &["OperationState"]).is_some_and(|s| s.ends_with("COMPLETE"))
}

/// The cluster's completed UpdateConnectivity operations (ListClusterOperationsV2 entries),
/// newest first: DescribeClusterOperationV2 of these shows what each set ZooKeeper access to.
pub fn connectivity_operations(ops: &[Value], cluster_arn: &str) -> Vec<String> {
    let mut found: Vec<(Option<String>, String)> = ops
        .iter()
        .filter(|o| st(o, &["ClusterArn"]).is_none_or(|c| c == cluster_arn))
        .filter(|o| st(o, &["OperationType"]).as_deref() == Some("UPDATE_CONNECTIVITY"))
        .filter(|o| completed(o))
        .filter_map(|o| Some((ts(o, "StartTime"), st(o, &["OperationArn"])?)))
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    found.into_iter().map(|(_, arn)| arn).collect()
}

/// What a DescribeClusterOperationV2 answer (or its `ClusterOperationInfo`) set ZooKeeper client
/// access to: `Provisioned.TargetClusterInfo.ZookeeperAccess.Enabled`, if the operation set it.
pub fn zookeeper_access_set(detail: &Value) -> Option<bool> {
    let info = detail.get("ClusterOperationInfo").unwrap_or(detail);
    info.get("Provisioned")?
        .get("TargetClusterInfo")?
        .get("ZookeeperAccess")?
        .get("Enabled")?
        .as_bool()
}

/// The key id a secret's DescribeSecret answer names (`None`: the AWS managed key).
pub fn secret_key_id(describe: &Value) -> Option<String> {
    st(describe, &["KmsKeyId"])
}

/// The KMS key behind an alias of the reserved `aws/` namespace is AWS managed: customers
/// cannot create such aliases.
fn aws_alias(key_id: &str) -> bool {
    key_id
        .rsplit_once(":alias/")
        .map(|(_, a)| a)
        .or_else(|| key_id.strip_prefix("alias/"))
        .is_some_and(|a| a.starts_with("aws/"))
}

/// The newest completed UpdateConnectivity operation whose answer is needed to know ZooKeeper
/// access but is not among `a.operation_details` (none: decided, or nothing to read).
pub fn connectivity_unread(a: &MskAnswers, cluster_arn: &str) -> Option<String> {
    let ops = a.operations.as_ref()?;
    for op in connectivity_operations(ops, cluster_arn) {
        let detail = a.operation_details.iter().find(|d| {
            let i = d.get("ClusterOperationInfo").unwrap_or(d);
            st(i, &["OperationArn"]).as_deref() == Some(op.as_str())
        });
        match detail {
            Some(d) if zookeeper_access_set(d).is_some() => return None,
            Some(_) => {}
            None => return Some(op),
        }
    }
    None
}

/// The SCRAM secrets whose metadata the answers leave incomplete: (secret ARN, the command
/// whose output is missing).
pub fn secrets_unread(a: &MskAnswers) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for arn in a.scram_secrets.iter().flatten() {
        let s = secret_facts(arn, a);
        if s.name.is_none() {
            out.push((
                arn.clone(),
                format!("{} --secret-id {arn}", Kind::DescribeSecret.command()),
            ));
        } else if s.key_manager.is_none() {
            out.push((
                arn.clone(),
                format!(
                    "{} --key-id {}",
                    Kind::DescribeKey.command(),
                    s.kms_key_id.unwrap_or_default()
                ),
            ));
        }
    }
    out
}

fn secret_facts(arn: &str, a: &MskAnswers) -> MskSecret {
    let mut s = MskSecret {
        arn: arn.to_string(),
        ..Default::default()
    };
    let Some(d) = a
        .secrets
        .iter()
        .find(|d| st(d, &["ARN"]).as_deref() == Some(arn))
    else {
        return s;
    };
    s.name = st(d, &["Name"]);
    s.deleted_date = ts(d, "DeletedDate");
    s.kms_key_id = secret_key_id(d);
    let Some(kid) = &s.kms_key_id else {
        // DescribeSecret omits KmsKeyId for the AWS managed key aws/secretsmanager.
        s.key_manager = Some("AWS".into());
        return s;
    };
    let key = a.keys.iter().find_map(|(asked, k)| {
        let md = k.get("KeyMetadata").unwrap_or(k);
        let hit = asked.as_deref() == Some(kid.as_str())
            || st(md, &["Arn"]).as_deref() == Some(kid.as_str())
            || st(md, &["KeyId"]).as_deref() == Some(kid.as_str());
        hit.then_some(md)
    });
    match key {
        Some(md) => {
            s.key_manager = st(md, &["KeyManager"]);
            s.key_state = st(md, &["KeyState"]);
        }
        None if aws_alias(kid) => s.key_manager = Some("AWS".into()),
        None => {}
    }
    s
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

    fn op(arn: &str, kind: &str, state: &str, start: &str) -> Value {
        json!({"ClusterArn": "c", "OperationArn": arn, "OperationType": kind, "OperationState": state, "StartTime": start})
    }

    fn set_zk(arn: &str, enabled: Option<bool>) -> Value {
        let target = match enabled {
            Some(e) => json!({"ZookeeperAccess": {"Enabled": e}}),
            None => json!({"ConnectivityInfo": {"PublicAccess": {"Type": "DISABLED"}}}),
        };
        json!({"ClusterOperationInfo": {"ClusterArn": "c", "OperationArn": arn, "OperationState": "UPDATE_COMPLETE", "Provisioned": {"TargetClusterInfo": target}}})
    }

    #[test]
    fn zookeeper_access_is_what_the_newest_connectivity_operation_that_set_it_left() {
        let ops = vec![
            op(
                "old",
                "UPDATE_CONNECTIVITY",
                "UPDATE_COMPLETE",
                "2026-01-01T00:00:00Z",
            ),
            op(
                "failed",
                "UPDATE_CONNECTIVITY",
                "UPDATE_FAILED",
                "2026-03-01T00:00:00Z",
            ),
            op(
                "public",
                "UPDATE_CONNECTIVITY",
                "UPDATE_COMPLETE",
                "2026-02-01T00:00:00Z",
            ),
            op(
                "version",
                "UPDATE_CLUSTER_KAFKA_VERSION",
                "UPDATE_COMPLETE",
                "2026-04-01T00:00:00Z",
            ),
        ];
        assert_eq!(connectivity_operations(&ops, "c"), ["public", "old"]);
        let cluster = json!({"ClusterArn": "c", "Provisioned": {}});
        let mut a = MskAnswers {
            cluster: Some(cluster),
            operations: Some(ops),
            ..Default::default()
        };
        // Nothing read: unknown, and the newest is the one to read.
        assert_eq!(connectivity_unread(&a, "c").as_deref(), Some("public"));
        assert_eq!(build_msk(&a).unwrap().unwrap().zookeeper_access, None);
        // The newest changed public access only: the older one decides.
        a.operation_details = vec![set_zk("public", None)];
        assert_eq!(connectivity_unread(&a, "c").as_deref(), Some("old"));
        assert_eq!(build_msk(&a).unwrap().unwrap().zookeeper_access, None);
        a.operation_details.push(set_zk("old", Some(false)));
        assert_eq!(connectivity_unread(&a, "c"), None);
        let m = build_msk(&a).unwrap().unwrap();
        assert_eq!(m.zookeeper_access, Some(false));
        assert_eq!(m.zookeeper_access_operation.as_deref(), Some("old"));
        // The newest one set it: that wins, whatever older ones said.
        a.operation_details = vec![set_zk("public", Some(true)), set_zk("old", Some(false))];
        assert_eq!(build_msk(&a).unwrap().unwrap().zookeeper_access, Some(true));
    }

    #[test]
    fn secret_keys_are_aws_managed_when_omitted_reserved_or_described_so() {
        let s = |n: &str| format!("arn:aws:secretsmanager:us-east-1:1:secret:{n}-AbCdEf");
        let a = MskAnswers {
            scram_secrets: Some(vec![s("a"), s("b"), s("c"), s("d"), s("e")]),
            secrets: vec![
                json!({"ARN": s("a"), "Name": "a"}),
                json!({"ARN": s("b"), "Name": "b", "KmsKeyId": "arn:aws:kms:us-east-1:1:alias/aws/secretsmanager"}),
                json!({"ARN": s("c"), "Name": "c", "KmsKeyId": "arn:aws:kms:us-east-1:1:key/k1"}),
                json!({"ARN": s("d"), "Name": "d", "KmsKeyId": "alias/mine"}),
            ],
            keys: vec![
                (
                    None,
                    json!({"KeyMetadata": {"KeyId": "k1", "Arn": "arn:aws:kms:us-east-1:1:key/k1", "KeyManager": "CUSTOMER", "KeyState": "Enabled"}}),
                ),
                (
                    Some("alias/mine".into()),
                    json!({"KeyMetadata": {"KeyId": "k2", "KeyManager": "AWS"}}),
                ),
            ],
            ..Default::default()
        };
        let got: Vec<Option<String>> = a
            .scram_secrets
            .iter()
            .flatten()
            .map(|arn| secret_facts(arn, &a).key_manager)
            .collect();
        let want = |x: &str| Some(x.to_string());
        assert_eq!(
            got,
            [
                want("AWS"),
                want("AWS"),
                want("CUSTOMER"),
                want("AWS"),
                None
            ]
        );
        let unread: Vec<String> = secrets_unread(&a).into_iter().map(|(arn, _)| arn).collect();
        assert_eq!(unread, [s("e")]);
    }

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
    fn bootstrap_keys_become_kinds() {
        assert_eq!(
            bootstrap_kind("BootstrapBrokerString").unwrap(),
            "plaintext"
        );
        assert_eq!(
            bootstrap_kind("BootstrapBrokerStringSaslIam").unwrap(),
            "sasl_iam"
        );
        assert_eq!(
            bootstrap_kind("BootstrapBrokerStringPublicSaslScram").unwrap(),
            "public_sasl_scram"
        );
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
