//! Collectors: each fills one part of the inventory and never evaluates rules.
//! Only read-only sources exist; sensitive values are redacted as they are read.

pub mod fingerprint;
pub mod kafka;
pub mod offline;
pub mod properties;

pub use offline::{collect_offline, OfflineSources};

use anyhow::{bail, Result};

/// Everything the user pointed kraftcheck at.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    pub offline: OfflineSources,
    /// A live cluster to collect from.
    pub kafka: Option<kafka::ConnConfig>,
}

/// Collect the inventory from every given source.
pub fn collect(src: &Sources) -> Result<crate::inventory::Inventory> {
    let Some(cfg) = &src.kafka else {
        return collect_offline(&src.offline);
    };
    if src.offline.inventory.is_some() {
        bail!("--inventory and --bootstrap-server are alternatives: give one of them");
    }
    if !src.offline.broker_configs.is_empty() {
        bail!("--broker-config is for offline audits; a live cluster reports its own configs");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut inv = rt.block_on(kafka::collect(cfg))?;
    if let Some(v) = &src.offline.kafka_version {
        crate::version::KafkaVersion::parse(v)
            .map_err(|e| anyhow::anyhow!("--kafka-version: {e}"))?;
        for b in &mut inv.brokers {
            b.version = Some(v.clone());
        }
        inv.cluster.version = Some(v.clone());
        inv.gaps.retain(|g| g.part != "brokers.version");
    }
    if std::env::var_os("KRAFTCHECK_DEBUG").is_some() {
        for (api, n) in kafka::request_counts() {
            eprintln!("kraftcheck: debug: sent {n} {api} request(s)");
        }
    }
    Ok(inv)
}
