//! The cluster facts of a DescribeClusterV2 `ClusterInfo`: type, brokers, authentication,
//! encryption, monitoring, logging, ZooKeeper connection, and the metadata mode they tell.
//! Split out of `model.rs`.

use super::*;

/// `BootstrapBrokerStringSaslIam` → `sasl_iam`; the bare `BootstrapBrokerString` → `plaintext`.
pub(super) fn bootstrap_kind(key: &str) -> Option<String> {
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
pub(super) fn detect_mode(m: &Msk) -> String {
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

/// The methods a `ClientAuthentication` member enables (all off when it is absent).
fn auth(ca: Option<&Value>) -> MskAuth {
    let Some(ca) = ca else {
        return MskAuth::default();
    };
    MskAuth {
        iam: flag(ca, &["Sasl", "Iam", "Enabled"]),
        scram: flag(ca, &["Sasl", "Scram", "Enabled"]),
        tls: flag(ca, &["Tls", "Enabled"]),
        unauthenticated: flag(ca, &["Unauthenticated", "Enabled"]),
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
        // VpcConnectivity's ClientAuthentication has no Unauthenticated member: false.
        m.vpc_connectivity = auth(
            bng.get("ConnectivityInfo")
                .and_then(|c| c.get("VpcConnectivity"))
                .and_then(|c| c.get("ClientAuthentication")),
        );
        m.kafka_version = st(p, &["CurrentBrokerSoftwareInfo", "KafkaVersion"]);
        if let Some(carn) = st(p, &["CurrentBrokerSoftwareInfo", "ConfigurationArn"]) {
            m.configuration = Some(MskConfiguration {
                arn: carn,
                revision: int(p, &["CurrentBrokerSoftwareInfo", "ConfigurationRevision"])
                    .unwrap_or(0),
                properties: BTreeMap::new(),
            });
        }
        m.client_authentication = auth(p.get("ClientAuthentication"));
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
pub(super) fn properties(text: &str) -> BTreeMap<String, Option<String>> {
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
pub(super) fn server_properties(v: &Value) -> Option<String> {
    use base64::Engine;
    let s = v.get("ServerProperties")?.as_str()?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
