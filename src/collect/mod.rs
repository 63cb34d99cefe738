//! Collectors: each fills one part of the inventory and never evaluates rules.
//! Only read-only sources exist; sensitive values are redacted as they are read.

pub mod aws;
pub mod clients;
pub mod deps;
pub mod fingerprint;
pub mod kafka;
pub mod metrics;
pub mod offline;
pub mod phase;
pub mod properties;
pub mod versions;
pub mod zk_gssapi;
pub mod zookeeper;

pub use offline::{collect_offline, OfflineSources};

use crate::settings::{usage, Input};
use anyhow::Result;

/// Everything the user pointed kraftcheck at.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    pub offline: OfflineSources,
    /// A live cluster to collect from.
    pub kafka: Option<kafka::ConnConfig>,
    /// Amazon MSK / IAM to read live (`--msk-cluster`, `--msk-all`).
    pub aws: Option<(aws::AwsOptions, aws::MskTarget)>,
    /// AWS CLI JSON files (`--aws-json`).
    pub aws_json: Vec<std::path::PathBuf>,
    /// Broker metrics and application repositories (`--metrics`, `--scan-deps`).
    pub clients: clients::ClientSources,
    /// KRaft controllers to ask as well (`--bootstrap-controller`), with the same settings.
    pub bootstrap_controllers: Vec<String>,
    /// Exact broker versions: `--kafka-version`, `--broker-log`, `--kafka-home`.
    pub versions: versions::VersionSources,
    /// ZooKeeper itself (`--zookeeper HOST:PORT[,…][/chroot]`): where, the bound on its reads,
    /// and TLS (`--zk-tls-config-file`).
    pub zookeeper: Option<zookeeper::ZkSource>,
}

impl Sources {
    fn has_kafka_side(&self) -> bool {
        self.kafka.is_some()
            || self.offline.inventory.is_some()
            || !self.offline.broker_configs.is_empty()
    }
}

/// Collect the inventory from every given source (one cluster).
pub fn collect(src: &Sources) -> Result<crate::inventory::Inventory> {
    let mut all = collect_all(src)?;
    if all.len() != 1 {
        return Err(usage(
            format!(
                "{{0}} collects {} clusters: use `collect -o DIR` or `audit -o DIR`",
                all.len()
            ),
            &[Input::MskAll],
        ));
    }
    Ok(all.remove(0))
}

/// Collect one inventory per cluster: several only with `--msk-all`.
pub fn collect_all(src: &Sources) -> Result<Vec<crate::inventory::Inventory>> {
    if !src.clients.metrics.is_empty() && matches!(src.aws, Some((_, aws::MskTarget::All))) {
        return Err(usage(
            "{0} reads one cluster's brokers: it cannot be combined with {1}",
            &[Input::Metrics, Input::MskAll],
        ));
    }
    let mut all = collect_sources(src)?;
    for inv in &mut all {
        clients::apply(inv, &src.clients)?;
        phase::infer(inv);
    }
    Ok(all)
}

fn collect_sources(src: &Sources) -> Result<Vec<crate::inventory::Inventory>> {
    if src.aws.is_some() && !src.aws_json.is_empty() {
        return Err(usage(
            "{0} is for offline audits; {1}/{2} read MSK live: give one of them",
            &[Input::AwsJson, Input::MskCluster, Input::MskAll],
        ));
    }
    let many = matches!(src.aws, Some((_, aws::MskTarget::All)));
    if many && src.has_kafka_side() {
        return Err(usage(
            "{0} collects every cluster of the region: it cannot be combined with one cluster's {1}, {2} or {3}",
            &[Input::MskAll, Input::BootstrapServer, Input::Inventory, Input::BrokerConfig],
        ));
    }
    let base = if src.has_kafka_side() {
        Some(collect_kafka(src)?)
    } else if src.aws.is_none() && src.aws_json.is_empty() {
        // Nothing given at all: the offline collector says what to give.
        Some(if src.clients.is_empty() {
            collect_offline(&src.offline)?
        } else {
            clients::empty_inventory()
        })
    } else {
        None
    };
    let data = if let Some((opts, target)) = &src.aws {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        rt.block_on(aws::collect_live(opts, target))?
    } else if !src.aws_json.is_empty() {
        vec![aws::load_offline(
            &src.aws_json,
            src.offline.msk_cluster.as_deref(),
        )?]
    } else {
        let mut inv = base.expect("a Kafka-side source");
        // IAM only concerns MSK clusters: a self-managed cluster has no IAM part to miss.
        if inv.cluster.kind != crate::inventory::ClusterKind::Msk {
            inv.gaps.retain(|g| {
                !(g.part == "iam" && g.reason == crate::inventory::GapReason::NotCollected)
            });
        }
        return Ok(vec![inv]);
    };
    if std::env::var_os("KRAFTCHECK_DEBUG").is_some() {
        for (op, n) in aws::request_counts() {
            eprintln!("kraftcheck: debug: sent {n} AWS {op} request(s)");
        }
    }
    let mut out = Vec::new();
    let mut base = base;
    for d in data {
        out.push(aws::apply(base.take(), d)?);
    }
    Ok(out)
}

/// The Kafka side: a live cluster, or saved inventory / server.properties files.
fn collect_kafka(src: &Sources) -> Result<crate::inventory::Inventory> {
    // Read the version sources first: a bad file is refused before the cluster is asked.
    let known = versions::read(&src.versions)?;
    let mut inv = collect_kafka_side(src)?;
    versions::apply(&mut inv, &known)?;
    match &src.zookeeper {
        Some(zk) => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            inv.gaps
                .retain(|g| g.part != "zookeeper" && !g.part.starts_with("zookeeper."));
            let _stage = crate::debug::Stage::start("collect: zookeeper");
            rt.block_on(zookeeper::collect(&mut inv, zk))?;
        }
        // A ZooKeeper-mode cluster's ZooKeeper was not read: say so (a saved inventory may
        // carry it already).
        None if inv.zookeeper.is_none()
            && inv.cluster.kind != crate::inventory::ClusterKind::Msk
            && inv.cluster.mode != "kraft"
            && inv.gap_for("zookeeper", None).is_none() =>
        {
            inv.add_gap(
                "zookeeper",
                "",
                crate::inventory::GapReason::NotCollected,
                "give --zookeeper HOST:PORT[/chroot] to read it",
            );
        }
        None => {}
    }
    Ok(inv)
}

fn collect_kafka_side(src: &Sources) -> Result<crate::inventory::Inventory> {
    let Some(cfg) = &src.kafka else {
        return collect_offline(&src.offline);
    };
    if src.offline.inventory.is_some() {
        return Err(usage(
            "{0} and {1} are alternatives: give one of them",
            &[Input::Inventory, Input::BootstrapServer],
        ));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut inv = rt.block_on(kafka::collect(cfg))?;
    offline::merge_hidden(&mut inv, &src.offline.broker_configs)?;
    if !src.bootstrap_controllers.is_empty() {
        rt.block_on(kafka::collect_controllers(
            &mut inv,
            cfg,
            &src.bootstrap_controllers,
        ))?;
        inv.normalize();
    }
    if std::env::var_os("KRAFTCHECK_DEBUG").is_some() {
        for (api, n) in kafka::request_counts() {
            eprintln!("kraftcheck: debug: sent {n} {api} request(s)");
        }
    }
    Ok(inv)
}
