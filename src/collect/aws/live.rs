//! Live MSK and IAM collection with the AWS SDK. Each answer is turned into the JSON the AWS
//! CLI prints for the same call (PascalCase member names), so that [`super::model`] maps live
//! and offline data the same way.

use super::model::{IamAnswers, MskAnswers};
use super::{classify, AwsGap, Clients};
use aws_sdk_kafka::primitives::DateTime;
use aws_sdk_kafka::types as k;
use serde_json::{json, Map, Value};

mod iam;
pub use iam::iam_answers;

/// An object without the members that are absent (as the CLI prints it).
struct Obj(Map<String, Value>);

impl Obj {
    fn new() -> Self {
        Obj(Map::new())
    }
    fn s(mut self, key: &str, v: Option<&str>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), json!(v));
        }
        self
    }
    fn b(mut self, key: &str, v: Option<bool>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), json!(v));
        }
        self
    }
    fn n(mut self, key: &str, v: Option<f64>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), json!(v));
        }
        self
    }
    fn i(mut self, key: &str, v: Option<i64>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), json!(v));
        }
        self
    }
    fn t(mut self, key: &str, v: Option<&DateTime>) -> Self {
        if let Some(v) = v {
            if let Ok(s) = v.fmt(aws_sdk_kafka::primitives::DateTimeFormat::DateTime) {
                self.0.insert(key.into(), json!(s));
            }
        }
        self
    }
    fn l(mut self, key: &str, v: &[String]) -> Self {
        if !v.is_empty() {
            self.0.insert(key.into(), json!(v));
        }
        self
    }
    fn o(mut self, key: &str, v: Option<Value>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), v);
        }
        self
    }
    fn v(self) -> Value {
        Value::Object(self.0)
    }
}

fn enabled(v: Option<bool>) -> Value {
    Obj::new().b("Enabled", v).v()
}

/// A `Sasl` member: whether it enables SCRAM and IAM (`None`: that member absent).
fn sasl(scram: Option<Option<bool>>, iam: Option<Option<bool>>) -> Value {
    Obj::new()
        .o("Scram", scram.map(enabled))
        .o("Iam", iam.map(enabled))
        .v()
}

fn public_access(p: &k::PublicAccess) -> Value {
    Obj::new().s("Type", p.r#type()).v()
}

/// A Prometheus exporter's `EnabledInBroker`.
fn exporter(enabled_in_broker: Option<bool>) -> Value {
    Obj::new().b("EnabledInBroker", enabled_in_broker).v()
}

/// A replicator's `KafkaClusters` entry (summary or description).
fn replicator_cluster(alias: Option<&str>, msk: Option<&k::AmazonMskCluster>) -> Value {
    Obj::new()
        .o(
            "AmazonMskCluster",
            msk.map(|m| Obj::new().s("MskClusterArn", m.msk_cluster_arn()).v()),
        )
        .s("KafkaClusterAlias", alias)
        .v()
}

fn software(s: &k::BrokerSoftwareInfo) -> Value {
    Obj::new()
        .s("ConfigurationArn", s.configuration_arn())
        .i("ConfigurationRevision", s.configuration_revision())
        .s("KafkaVersion", s.kafka_version())
        .v()
}

fn client_auth(c: &k::ClientAuthentication) -> Value {
    Obj::new()
        .o(
            "Sasl",
            c.sasl()
                .map(|s| sasl(s.scram().map(|x| x.enabled()), s.iam().map(|x| x.enabled()))),
        )
        .o(
            "Tls",
            c.tls().map(|t| {
                Obj::new()
                    .l(
                        "CertificateAuthorityArnList",
                        t.certificate_authority_arn_list(),
                    )
                    .b("Enabled", t.enabled())
                    .v()
            }),
        )
        .o(
            "Unauthenticated",
            c.unauthenticated().map(|u| enabled(u.enabled())),
        )
        .v()
}

fn broker_node_group(b: &k::BrokerNodeGroupInfo) -> Value {
    let conn = b.connectivity_info().map(|c| {
        let vpc = c.vpc_connectivity().map(|v| {
            let ca = v.client_authentication().map(|a| {
                Obj::new()
                    .o(
                        "Sasl",
                        a.sasl().map(|s| {
                            sasl(s.scram().map(|x| x.enabled()), s.iam().map(|x| x.enabled()))
                        }),
                    )
                    .o("Tls", a.tls().map(|t| enabled(t.enabled())))
                    .v()
            });
            Obj::new().o("ClientAuthentication", ca).v()
        });
        Obj::new()
            .o("PublicAccess", c.public_access().map(public_access))
            .o("VpcConnectivity", vpc)
            .v()
    });
    let storage = b.storage_info().map(|s| {
        Obj::new()
            .o(
                "EbsStorageInfo",
                s.ebs_storage_info().map(|e| {
                    Obj::new()
                        .i("VolumeSize", e.volume_size().map(i64::from))
                        .v()
                }),
            )
            .v()
    });
    Obj::new()
        .l("ClientSubnets", b.client_subnets())
        .s("InstanceType", b.instance_type())
        .l("SecurityGroups", b.security_groups())
        .o("StorageInfo", storage)
        .o("ConnectivityInfo", conn)
        .l("ZoneIds", b.zone_ids())
        .v()
}

fn provisioned(p: &k::Provisioned) -> Value {
    let enc = p.encryption_info().map(|e| {
        Obj::new()
            .o(
                "EncryptionAtRest",
                e.encryption_at_rest().map(|r| {
                    Obj::new()
                        .s("DataVolumeKMSKeyId", r.data_volume_kms_key_id())
                        .v()
                }),
            )
            .o(
                "EncryptionInTransit",
                e.encryption_in_transit().map(|t| {
                    Obj::new()
                        .s("ClientBroker", t.client_broker().map(|c| c.as_str()))
                        .b("InCluster", t.in_cluster())
                        .v()
                }),
            )
            .v()
    });
    let om = p.open_monitoring().map(|o| {
        let prom = o.prometheus().map(|pr| {
            Obj::new()
                .o(
                    "JmxExporter",
                    pr.jmx_exporter().map(|j| exporter(j.enabled_in_broker())),
                )
                .o(
                    "NodeExporter",
                    pr.node_exporter().map(|j| exporter(j.enabled_in_broker())),
                )
                .v()
        });
        Obj::new().o("Prometheus", prom).v()
    });
    let logs = p.logging_info().map(|l| {
        let bl = l.broker_logs().map(|b| {
            Obj::new()
                .o(
                    "CloudWatchLogs",
                    b.cloud_watch_logs().map(|c| {
                        Obj::new()
                            .b("Enabled", c.enabled())
                            .s("LogGroup", c.log_group())
                            .v()
                    }),
                )
                .o(
                    "Firehose",
                    b.firehose().map(|f| {
                        Obj::new()
                            .s("DeliveryStream", f.delivery_stream())
                            .b("Enabled", f.enabled())
                            .v()
                    }),
                )
                .o(
                    "S3",
                    b.s3().map(|s| {
                        Obj::new()
                            .s("Bucket", s.bucket())
                            .b("Enabled", s.enabled())
                            .s("Prefix", s.prefix())
                            .v()
                    }),
                )
                .v()
        });
        Obj::new().o("BrokerLogs", bl).v()
    });
    Obj::new()
        .o(
            "BrokerNodeGroupInfo",
            p.broker_node_group_info().map(broker_node_group),
        )
        .o(
            "CurrentBrokerSoftwareInfo",
            p.current_broker_software_info().map(software),
        )
        .o(
            "ClientAuthentication",
            p.client_authentication().map(client_auth),
        )
        .o("EncryptionInfo", enc)
        .s(
            "EnhancedMonitoring",
            p.enhanced_monitoring().map(|e| e.as_str()),
        )
        .o("OpenMonitoring", om)
        .o("LoggingInfo", logs)
        .i(
            "NumberOfBrokerNodes",
            p.number_of_broker_nodes().map(i64::from),
        )
        .s("ZookeeperConnectString", p.zookeeper_connect_string())
        .s(
            "ZookeeperConnectStringTls",
            p.zookeeper_connect_string_tls(),
        )
        .s("StorageMode", p.storage_mode().map(|s| s.as_str()))
        .s(
            "CustomerActionStatus",
            p.customer_action_status().map(|s| s.as_str()),
        )
        .v()
}

/// A `Cluster` (DescribeClusterV2 `ClusterInfo`, or a ListClustersV2 entry).
pub fn cluster(c: &k::Cluster) -> Value {
    let tags = c.tags().map(|t| {
        let m: Map<String, Value> = t.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        Value::Object(m)
    });
    let serverless = c.serverless().map(|s| {
        let ca = s.client_authentication().map(|a| {
            let sasl = a.sasl().map(|x| {
                Obj::new()
                    .o("Iam", x.iam().map(|i| enabled(i.enabled())))
                    .v()
            });
            Obj::new().o("Sasl", sasl).v()
        });
        Obj::new().o("ClientAuthentication", ca).v()
    });
    Obj::new()
        .s("ActiveOperationArn", c.active_operation_arn())
        .s("ClusterType", c.cluster_type().map(|t| t.as_str()))
        .s("ClusterArn", c.cluster_arn())
        .s("ClusterName", c.cluster_name())
        .t("CreationTime", c.creation_time())
        .s("CurrentVersion", c.current_version())
        .s("State", c.state().map(|s| s.as_str()))
        .o(
            "StateInfo",
            c.state_info()
                .map(|s| Obj::new().s("Code", s.code()).s("Message", s.message()).v()),
        )
        .o("Tags", tags)
        .o("Provisioned", c.provisioned().map(provisioned))
        .o("Serverless", serverless)
        .v()
}

fn node(n: &k::NodeInfo) -> Value {
    Obj::new()
        .s("AddedToClusterTime", n.added_to_cluster_time())
        .o(
            "BrokerNodeInfo",
            n.broker_node_info().map(|b| {
                Obj::new()
                    .s("AttachedENIId", b.attached_eni_id())
                    .n("BrokerId", b.broker_id())
                    .s("ClientSubnet", b.client_subnet())
                    .s("ClientVpcIpAddress", b.client_vpc_ip_address())
                    .o(
                        "CurrentBrokerSoftwareInfo",
                        b.current_broker_software_info().map(software),
                    )
                    .l("Endpoints", b.endpoints())
                    .v()
            }),
        )
        .o(
            "ControllerNodeInfo",
            n.controller_node_info()
                .map(|c| Obj::new().l("Endpoints", c.endpoints()).v()),
        )
        .s("InstanceType", n.instance_type())
        .s("NodeARN", n.node_arn())
        .s("NodeType", n.node_type().map(|t| t.as_str()))
        .o(
            "ZookeeperNodeInfo",
            n.zookeeper_node_info().map(|z| {
                Obj::new()
                    .s("AttachedENIId", z.attached_eni_id())
                    .s("ClientVpcIpAddress", z.client_vpc_ip_address())
                    .l("Endpoints", z.endpoints())
                    .n("ZookeeperId", z.zookeeper_id())
                    .s("ZookeeperVersion", z.zookeeper_version())
                    .v()
            }),
        )
        .v()
}

fn replicator_summary(r: &k::ReplicatorSummary) -> Value {
    let clusters: Vec<Value> = r
        .kafka_clusters_summary()
        .iter()
        .map(|c| replicator_cluster(c.kafka_cluster_alias(), c.amazon_msk_cluster()))
        .collect();
    let flows: Vec<Value> = r
        .replication_info_summary_list()
        .iter()
        .map(|f| {
            Obj::new()
                .s("SourceKafkaClusterAlias", f.source_kafka_cluster_alias())
                .s("TargetKafkaClusterAlias", f.target_kafka_cluster_alias())
                .v()
        })
        .collect();
    Obj::new()
        .t("CreationTime", r.creation_time())
        .s("CurrentVersion", r.current_version())
        .b("IsReplicatorReference", r.is_replicator_reference())
        .o("KafkaClustersSummary", Some(json!(clusters)))
        .o("ReplicationInfoSummaryList", Some(json!(flows)))
        .s("ReplicatorArn", r.replicator_arn())
        .s("ReplicatorName", r.replicator_name())
        .s("ReplicatorResourceArn", r.replicator_resource_arn())
        .s("ReplicatorState", r.replicator_state().map(|s| s.as_str()))
        .v()
}

fn replicator_detail(
    r: &aws_sdk_kafka::operation::describe_replicator::DescribeReplicatorOutput,
) -> Value {
    let clusters: Vec<Value> = r
        .kafka_clusters()
        .iter()
        .map(|c| replicator_cluster(c.kafka_cluster_alias(), c.amazon_msk_cluster()))
        .collect();
    let flows: Vec<Value> = r
        .replication_info_list()
        .iter()
        .map(|f| {
            let topic = f.topic_replication().map(|t| {
                Obj::new()
                    .b(
                        "CopyAccessControlListsForTopics",
                        t.copy_access_control_lists_for_topics(),
                    )
                    .b("CopyTopicConfigurations", t.copy_topic_configurations())
                    .b("DetectAndCopyNewTopics", t.detect_and_copy_new_topics())
                    .o(
                        "TopicNameConfiguration",
                        t.topic_name_configuration()
                            .map(|n| Obj::new().s("Type", n.r#type().map(|x| x.as_str())).v()),
                    )
                    .l("TopicsToExclude", t.topics_to_exclude())
                    .l("TopicsToReplicate", t.topics_to_replicate())
                    .v()
            });
            let groups = f.consumer_group_replication().map(|g| {
                Obj::new()
                    .l("ConsumerGroupsToExclude", g.consumer_groups_to_exclude())
                    .l(
                        "ConsumerGroupsToReplicate",
                        g.consumer_groups_to_replicate(),
                    )
                    .b(
                        "DetectAndCopyNewConsumerGroups",
                        g.detect_and_copy_new_consumer_groups(),
                    )
                    .b(
                        "SynchroniseConsumerGroupOffsets",
                        g.synchronise_consumer_group_offsets(),
                    )
                    .s(
                        "ConsumerGroupOffsetSyncMode",
                        g.consumer_group_offset_sync_mode().map(|m| m.as_str()),
                    )
                    .v()
            });
            Obj::new()
                .o("ConsumerGroupReplication", groups)
                .s("SourceKafkaClusterAlias", f.source_kafka_cluster_alias())
                .s("TargetKafkaClusterAlias", f.target_kafka_cluster_alias())
                .o("TopicReplication", topic)
                .v()
        })
        .collect();
    Obj::new()
        .o("KafkaClusters", Some(json!(clusters)))
        .o("ReplicationInfoList", Some(json!(flows)))
        .s("ReplicatorArn", r.replicator_arn())
        .s("ReplicatorName", r.replicator_name())
        .s("ReplicatorState", r.replicator_state().map(|s| s.as_str()))
        .v()
}

/// The connectivity members of a `MutableClusterInfo` (what an UpdateConnectivity changes).
fn connectivity_info(m: &k::MutableClusterInfo) -> Value {
    Obj::new()
        .o(
            "ConnectivityInfo",
            m.connectivity_info().map(|c| {
                Obj::new()
                    .o("PublicAccess", c.public_access().map(public_access))
                    .v()
            }),
        )
        .o(
            "ZookeeperAccess",
            m.zookeeper_access().map(|z| enabled(z.enabled())),
        )
        .v()
}

/// A DescribeClusterOperationV2 answer, as the CLI prints it (the members kraftcheck reads).
fn operation_detail(
    o: &aws_sdk_kafka::operation::describe_cluster_operation_v2::DescribeClusterOperationV2Output,
) -> Value {
    let info = o.cluster_operation_info().map(|i| {
        Obj::new()
            .s("ClusterArn", i.cluster_arn())
            .s("ClusterType", i.cluster_type().map(|t| t.as_str()))
            .t("StartTime", i.start_time())
            .t("EndTime", i.end_time())
            .s("OperationArn", i.operation_arn())
            .s("OperationState", i.operation_state())
            .s("OperationType", i.operation_type())
            .o(
                "Provisioned",
                i.provisioned().map(|p| {
                    Obj::new()
                        .o(
                            "SourceClusterInfo",
                            p.source_cluster_info().map(connectivity_info),
                        )
                        .o(
                            "TargetClusterInfo",
                            p.target_cluster_info().map(connectivity_info),
                        )
                        .v()
                }),
            )
            .v()
    });
    Obj::new().o("ClusterOperationInfo", info).v()
}

/// DescribeSecret for each SCRAM secret (metadata only: the value is never asked for), then
/// DescribeKey for each customer-chosen key they name. A failed call is a gap for that secret.
async fn secret_answers(
    c: &Clients,
    arns: &[String],
) -> (Vec<Value>, Vec<(Option<String>, Value)>, Vec<AwsGap>) {
    use futures::stream::{self, StreamExt};
    const PARALLEL: usize = 8;
    let described: Vec<(String, Result<Value, AwsGap>)> = stream::iter(arns.iter().cloned())
        .map(|arn| async move {
            let r = match c.secrets.describe_secret().secret_id(&arn).send().await {
                Ok(o) => Ok(Obj::new()
                    .s("ARN", o.arn())
                    .s("Name", o.name())
                    .s("KmsKeyId", o.kms_key_id())
                    .t("DeletedDate", o.deleted_date())
                    .v()),
                Err(e) => Err(classify("msk.secrets", "DescribeSecret", &e)),
            };
            (arn, r)
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let mut secrets = Vec::new();
    let mut gaps = Vec::new();
    let mut key_users: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (arn, r) in described {
        match r {
            Ok(v) => {
                if let Some(kid) = super::model::secret_key_id(&v) {
                    key_users.entry(kid).or_default().push(arn);
                }
                secrets.push(v);
            }
            Err(g) => gaps.push(named(g, &arn)),
        }
    }
    let asked: Vec<(String, Result<Value, AwsGap>)> = stream::iter(key_users.keys().cloned())
        .map(|kid| async move {
            let r = match c.kms.describe_key().key_id(&kid).send().await {
                Ok(o) => Ok(json!({
                    "KeyMetadata": o.key_metadata().map(|m| {
                        Obj::new()
                            .s("AWSAccountId", m.aws_account_id())
                            .s("KeyId", Some(m.key_id()))
                            .s("Arn", m.arn())
                            .b("Enabled", Some(m.enabled()))
                            .s("KeyState", m.key_state().map(|s| s.as_str()))
                            .s("KeyManager", m.key_manager().map(|s| s.as_str()))
                            .v()
                    })
                })),
                Err(e) => Err(classify("msk.secrets", "DescribeKey", &e)),
            };
            (kid, r)
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let mut keys = Vec::new();
    for (kid, r) in asked {
        match r {
            Ok(v) => keys.push((Some(kid), v)),
            Err(g) => {
                for arn in &key_users[&kid] {
                    gaps.push(named(g.clone(), arn));
                }
            }
        }
    }
    (secrets, keys, gaps)
}

/// A gap narrowed to one resource (`part@resource`, see [`AwsGap`]).
fn named(g: AwsGap, resource: &str) -> AwsGap {
    (format!("{}@{resource}", g.0), g.1, g.2)
}

/// Every answer about one cluster. `arn` is the cluster's ARN; the describe answer comes
/// first because the configuration revision depends on it.
pub async fn cluster_answers(c: &Clients, arn: &str, gaps: &mut Vec<AwsGap>) -> MskAnswers {
    let kafka = &c.kafka;
    let mut a = MskAnswers::default();
    match kafka.describe_cluster_v2().cluster_arn(arn).send().await {
        Ok(out) => a.cluster = out.cluster_info().map(cluster),
        Err(e) => {
            gaps.push(classify("msk", "DescribeClusterV2", &e));
            a.cluster = Some(json!({ "ClusterArn": arn }));
            return a;
        }
    }
    let revision = a.cluster.as_ref().and_then(|c| {
        let sw = c.get("Provisioned")?.get("CurrentBrokerSoftwareInfo")?;
        Some((
            sw.get("ConfigurationArn")?.as_str()?.to_string(),
            sw.get("ConfigurationRevision")?.as_i64()?,
        ))
    });

    let nodes = async {
        let mut out = Vec::new();
        let mut p = kafka.list_nodes().cluster_arn(arn).into_paginator().send();
        while let Some(page) = p.next().await {
            match page {
                Ok(page) => out.extend(page.node_info_list().iter().map(node)),
                Err(e) => return Err(classify("msk.nodes", "ListNodes", &e)),
            }
        }
        Ok(out)
    };
    let scram = async {
        let mut out = Vec::new();
        let mut p = kafka
            .list_scram_secrets()
            .cluster_arn(arn)
            .into_paginator()
            .send();
        while let Some(page) = p.next().await {
            match page {
                Ok(page) => out.extend(page.secret_arn_list().iter().cloned()),
                Err(e) => return Err(classify("msk.scram_secrets", "ListScramSecrets", &e)),
            }
        }
        // Each secret's metadata (never its value) and its key.
        let (secrets, keys, gaps) = secret_answers(c, &out).await;
        Ok((out, secrets, keys, gaps))
    };
    let config = async {
        let Some((carn, rev)) = &revision else {
            return Ok(None);
        };
        use base64::Engine;
        match kafka
            .describe_configuration_revision()
            .arn(carn)
            .revision(*rev)
            .send()
            .await
        {
            Ok(o) => Ok(Some(
                Obj::new()
                    .s("Arn", o.arn())
                    .t("CreationTime", o.creation_time())
                    .s("Description", o.description())
                    .i("Revision", o.revision())
                    .s(
                        "ServerProperties",
                        o.server_properties()
                            .map(|b| base64::engine::general_purpose::STANDARD.encode(b.as_ref()))
                            .as_deref(),
                    )
                    .v(),
            )),
            Err(e) => Err(classify(
                "msk.configuration",
                "DescribeConfigurationRevision",
                &e,
            )),
        }
    };
    let versions = async {
        match kafka
            .get_compatible_kafka_versions()
            .cluster_arn(arn)
            .send()
            .await
        {
            Ok(o) => Ok(o
                .compatible_kafka_versions()
                .iter()
                .map(|c| {
                    Obj::new()
                        .s("SourceVersion", c.source_version())
                        .l("TargetVersions", c.target_versions())
                        .v()
                })
                .collect::<Vec<_>>()),
            Err(e) => Err(classify("msk.versions", "GetCompatibleKafkaVersions", &e)),
        }
    };
    let bootstrap = async {
        match kafka.get_bootstrap_brokers().cluster_arn(arn).send().await {
            Ok(o) => Ok(Obj::new()
                .s("BootstrapBrokerString", o.bootstrap_broker_string())
                .s("BootstrapBrokerStringTls", o.bootstrap_broker_string_tls())
                .s(
                    "BootstrapBrokerStringSaslScram",
                    o.bootstrap_broker_string_sasl_scram(),
                )
                .s(
                    "BootstrapBrokerStringSaslIam",
                    o.bootstrap_broker_string_sasl_iam(),
                )
                .s(
                    "BootstrapBrokerStringPublicTls",
                    o.bootstrap_broker_string_public_tls(),
                )
                .s(
                    "BootstrapBrokerStringPublicSaslScram",
                    o.bootstrap_broker_string_public_sasl_scram(),
                )
                .s(
                    "BootstrapBrokerStringPublicSaslIam",
                    o.bootstrap_broker_string_public_sasl_iam(),
                )
                .s(
                    "BootstrapBrokerStringVpcConnectivityTls",
                    o.bootstrap_broker_string_vpc_connectivity_tls(),
                )
                .s(
                    "BootstrapBrokerStringVpcConnectivitySaslScram",
                    o.bootstrap_broker_string_vpc_connectivity_sasl_scram(),
                )
                .s(
                    "BootstrapBrokerStringVpcConnectivitySaslIam",
                    o.bootstrap_broker_string_vpc_connectivity_sasl_iam(),
                )
                .s(
                    "BootstrapBrokerStringIpv6",
                    o.bootstrap_broker_string_ipv6(),
                )
                .s(
                    "BootstrapBrokerStringTlsIpv6",
                    o.bootstrap_broker_string_tls_ipv6(),
                )
                .s(
                    "BootstrapBrokerStringSaslScramIpv6",
                    o.bootstrap_broker_string_sasl_scram_ipv6(),
                )
                .s(
                    "BootstrapBrokerStringSaslIamIpv6",
                    o.bootstrap_broker_string_sasl_iam_ipv6(),
                )
                .v()),
            Err(e) => Err(classify("msk.bootstrap", "GetBootstrapBrokers", &e)),
        }
    };
    let operations = async {
        let mut out = Vec::new();
        let mut p = kafka
            .list_cluster_operations_v2()
            .cluster_arn(arn)
            .into_paginator()
            .send();
        while let Some(page) = p.next().await {
            match page {
                Ok(page) => out.extend(page.cluster_operation_info_list().iter().map(|o| {
                    Obj::new()
                        .s("ClusterArn", o.cluster_arn())
                        .s("ClusterType", o.cluster_type().map(|t| t.as_str()))
                        .t("StartTime", o.start_time())
                        .t("EndTime", o.end_time())
                        .s("OperationArn", o.operation_arn())
                        .s("OperationState", o.operation_state())
                        .s("OperationType", o.operation_type())
                        .v()
                })),
                Err(e) => return Err(classify("msk.operations", "ListClusterOperationsV2", &e)),
            }
        }
        // ZooKeeper client access is only in the UpdateConnectivity operations: describe them,
        // newest first, until one shows what it set (at most MAX_CONNECTIVITY_READS; past
        // that, what an older one set is left unknown).
        const MAX_CONNECTIVITY_READS: usize = 20;
        let mut details = Vec::new();
        let mut gap = None;
        for (i, op) in super::model::connectivity_operations(&out, arn)
            .into_iter()
            .enumerate()
        {
            if i == MAX_CONNECTIVITY_READS {
                gap = Some((
                    "msk.connectivity".to_string(),
                    "not-collected".to_string(),
                    format!(
                        "none of the newest {MAX_CONNECTIVITY_READS} UpdateConnectivity operations sets ZooKeeper access; older ones were not read ({op} next)"
                    ),
                ));
                break;
            }
            match kafka
                .describe_cluster_operation_v2()
                .cluster_operation_arn(&op)
                .send()
                .await
            {
                Ok(o) => {
                    let d = operation_detail(&o);
                    let decided = super::model::zookeeper_access_set(&d).is_some();
                    details.push(d);
                    if decided {
                        break;
                    }
                }
                Err(e) => {
                    let (part, reason, detail) =
                        classify("msk.connectivity", "DescribeClusterOperationV2", &e);
                    gap = Some((part, reason, format!("{detail} ({op})")));
                    break;
                }
            }
        }
        Ok((out, details, gap))
    };
    let policy = async {
        match kafka.get_cluster_policy().cluster_arn(arn).send().await {
            Ok(o) => Ok(o.policy().filter(|p| !p.is_empty()).map(|p| {
                Obj::new()
                    .s("CurrentVersion", o.current_version())
                    .s("Policy", Some(p))
                    .v()
            })),
            // No policy on the cluster.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(classify("msk.policy", "GetClusterPolicy", &e)),
        }
    };
    let vpc = async {
        let mut out = Vec::new();
        let mut p = kafka
            .list_client_vpc_connections()
            .cluster_arn(arn)
            .into_paginator()
            .send();
        while let Some(page) = p.next().await {
            match page {
                Ok(page) => out.extend(page.client_vpc_connections().iter().map(|v| {
                    Obj::new()
                        .s("Authentication", v.authentication())
                        .t("CreationTime", v.creation_time())
                        .s("State", v.state().map(|s| s.as_str()))
                        .s("VpcConnectionArn", v.vpc_connection_arn())
                        .s("Owner", v.owner())
                        .v()
                })),
                Err(e) => {
                    return Err(classify(
                        "msk.vpc_connections",
                        "ListClientVpcConnections",
                        &e,
                    ))
                }
            }
        }
        Ok(out)
    };
    let replicators = async {
        let mut summaries = Vec::new();
        let mut p = kafka.list_replicators().into_paginator().send();
        while let Some(page) = p.next().await {
            match page {
                Ok(page) => summaries.extend(page.replicators().iter().cloned()),
                Err(e) => return Err(classify("msk.replicators", "ListReplicators", &e)),
            }
        }
        let mine: Vec<&k::ReplicatorSummary> = summaries
            .iter()
            .filter(|r| {
                r.kafka_clusters_summary()
                    .iter()
                    .any(|c| c.amazon_msk_cluster().and_then(|m| m.msk_cluster_arn()) == Some(arn))
            })
            .collect();
        let mut details = Vec::new();
        for r in &mine {
            let Some(rarn) = r.replicator_arn() else {
                continue;
            };
            match kafka
                .describe_replicator()
                .replicator_arn(rarn)
                .send()
                .await
            {
                Ok(d) => details.push(replicator_detail(&d)),
                Err(e) => return Err(classify("msk.replicators", "DescribeReplicator", &e)),
            }
        }
        Ok((
            mine.into_iter().map(replicator_summary).collect::<Vec<_>>(),
            details,
        ))
    };
    let (nodes, scram, config, versions, bootstrap, operations, policy, vpc, replicators) = tokio::join!(
        nodes,
        scram,
        config,
        versions,
        bootstrap,
        operations,
        policy,
        vpc,
        replicators
    );
    fn take<T>(r: Result<T, AwsGap>, gaps: &mut Vec<AwsGap>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(g) => {
                gaps.push(g);
                None
            }
        }
    }
    a.nodes = take(nodes, gaps);
    match scram {
        Ok((arns, secrets, keys, secret_gaps)) => {
            a.scram_secrets = Some(arns);
            a.secrets = secrets;
            a.keys = keys;
            gaps.extend(secret_gaps);
        }
        Err(g) => {
            // Without the list there is nothing to describe.
            gaps.push((
                "msk.secrets".into(),
                g.1.clone(),
                format!("{} (the SCRAM secrets to describe are listed there)", g.2),
            ));
            gaps.push(g);
        }
    }
    a.configuration_revision = take(config, gaps).flatten();
    a.compatible_versions = take(versions, gaps);
    a.bootstrap = take(bootstrap, gaps);
    match operations {
        Ok((ops, details, gap)) => {
            a.operations = Some(ops);
            a.operation_details = details;
            gaps.extend(gap);
        }
        Err(g) => {
            gaps.push((
                "msk.connectivity".into(),
                g.1.clone(),
                format!(
                    "{} (the UpdateConnectivity operations that show ZooKeeper access are listed there)",
                    g.2
                ),
            ));
            gaps.push(g);
        }
    }
    a.policy = take(policy, gaps);
    a.vpc_connections = take(vpc, gaps);
    if let Some((summaries, details)) = take(replicators, gaps) {
        a.replicators = Some(summaries);
        a.replicator_details = details;
    }
    a
}

/// ListClustersV2, all pages (optionally filtered by name prefix, as the API does).
pub async fn list_clusters(c: &Clients, name_filter: Option<&str>) -> Result<Vec<Value>, AwsGap> {
    let mut out = Vec::new();
    let mut req = c.kafka.list_clusters_v2();
    if let Some(n) = name_filter {
        req = req.cluster_name_filter(n);
    }
    let mut p = req.into_paginator().send();
    while let Some(page) = p.next().await {
        match page {
            Ok(page) => out.extend(page.cluster_info_list().iter().map(cluster)),
            Err(e) => return Err(classify("msk", "ListClustersV2", &e)),
        }
    }
    Ok(out)
}
