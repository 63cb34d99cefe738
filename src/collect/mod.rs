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

use crate::inventory::{GapReason, Inventory, Part};
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
pub fn collect(src: &Sources) -> Result<Inventory> {
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
pub fn collect_all(src: &Sources) -> Result<Vec<Inventory>> {
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

fn collect_sources(src: &Sources) -> Result<Vec<Inventory>> {
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
        let rt = runtime()?;
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
            inv.gaps
                .retain(|g| !(g.part == "iam" && g.reason == GapReason::NotCollected));
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
fn collect_kafka(src: &Sources) -> Result<Inventory> {
    // Read the version sources first: a bad file is refused before the cluster is asked.
    let known = versions::read(&src.versions)?;
    let mut inv = collect_kafka_side(src)?;
    versions::apply(&mut inv, &known)?;
    for run in COLLECTORS {
        run(src, &mut inv)?;
    }
    Ok(inv)
}

/// A source that adds its parts to a cluster's inventory once the Kafka side is collected
/// (live, saved or from broker configs). What each needs alike is done by [`run`]: a runtime,
/// the debug stage timing, dropping the gaps a saved inventory recorded for the parts it fills,
/// and, when the source was not given, the "not collected" gap the cluster should show.
pub trait Collector {
    /// Its name, in the debug stage timings (`collect: NAME`).
    const NAME: &'static str;
    /// The parts it fills (each with its sub-parts).
    const FILLS: &'static [Part];
    /// Its input, when the user gave one.
    fn given(src: &Sources) -> Option<&Self>;
    /// Add what it reads to `inv`; what it cannot read is a gap, a bad input an error.
    fn collect(&self, inv: &mut Inventory, rt: &tokio::runtime::Runtime) -> Result<()>;
    /// Not given: the part to record as not collected and the hint, when this cluster
    /// should have it (a gap the inventory already has for that part is kept instead).
    fn missing(_inv: &Inventory) -> Option<(Part, &'static str)> {
        None
    }
}

/// Every [`Collector`], in the order they run. A new one is its module, a line here and its
/// flag.
const COLLECTORS: &[fn(&Sources, &mut Inventory) -> Result<()>] = &[run::<zookeeper::ZkSource>];

/// Run collector `C` on `inv`, or record that it was not given.
fn run<C: Collector>(src: &Sources, inv: &mut Inventory) -> Result<()> {
    match C::given(src) {
        Some(input) => {
            let rt = runtime()?;
            inv.gaps.retain(|stale| {
                !C::FILLS.iter().any(|p| {
                    stale
                        .part
                        .strip_prefix(p.as_ref())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
                })
            });
            let _stage = crate::debug::Stage::start(format!("collect: {}", C::NAME));
            input.collect(inv, &rt)
        }
        None => {
            if let Some((part, hint)) = C::missing(inv) {
                if inv.gap_for(part.as_ref(), None).is_none() {
                    inv.add_gap(part, "", GapReason::NotCollected, hint);
                }
            }
            Ok(())
        }
    }
}

/// The runtime a collector's requests run on.
fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn collect_kafka_side(src: &Sources) -> Result<Inventory> {
    let Some(cfg) = &src.kafka else {
        return collect_offline(&src.offline);
    };
    if src.offline.inventory.is_some() {
        return Err(usage(
            "{0} and {1} are alternatives: give one of them",
            &[Input::Inventory, Input::BootstrapServer],
        ));
    }
    let rt = runtime()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_collector_not_given_records_its_gap_once_where_the_cluster_needs_it() {
        let src = Sources::default();
        let mut inv = Inventory::new();
        inv.cluster.mode = "zookeeper".into();
        run::<zookeeper::ZkSource>(&src, &mut inv).unwrap();
        run::<zookeeper::ZkSource>(&src, &mut inv).unwrap();
        let gaps: Vec<_> = inv.gaps.iter().filter(|g| g.part == "zookeeper").collect();
        assert_eq!(gaps.len(), 1, "{:?}", inv.gaps);
        assert_eq!(gaps[0].reason, GapReason::NotCollected);
        let mut kraft = Inventory::new();
        kraft.cluster.mode = "kraft".into();
        run::<zookeeper::ZkSource>(&src, &mut kraft).unwrap();
        assert!(kraft.gap_for("zookeeper", None).is_none());
    }
}
