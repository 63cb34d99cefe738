//! The client side of the inventory: broker metrics (`--metrics`) and application repositories
//! (`--scan-deps`), added to whatever inventory the other sources built.

use super::{deps, metrics};
use crate::inventory::{Inventory, Part};
use anyhow::Result;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Debug, Default, Clone)]
pub struct ClientSources {
    /// `--metrics URL|FILE`, one per broker.
    pub metrics: Vec<String>,
    /// `--scan-deps DIR`.
    pub scan_deps: Vec<PathBuf>,
    /// `--sbom FILE|DIR`: CycloneDX (JSON, XML) and SPDX (JSON) SBOMs.
    pub sbom: Vec<PathBuf>,
    /// Bound on each scrape.
    pub timeout: Duration,
    /// Trust for https `--metrics` URLs from the client config (`ssl.*`), else the public roots.
    pub tls: Option<super::kafka::config::Tls>,
}

impl ClientSources {
    pub fn is_empty(&self) -> bool {
        self.metrics.is_empty() && self.scan_deps.is_empty() && self.sbom.is_empty()
    }
}

/// What client sources fill (`--metrics`, `--scan-deps`): an audit of only these knows
/// nothing of the cluster itself.
const FILLS: &[Part] = &[
    Part::Clients,
    Part::Metrics,
    Part::MetricsRequests,
    Part::MetricsConnections,
];

/// An inventory for an audit that has only client sources.
pub fn empty_inventory() -> Inventory {
    let mut inv = Inventory::new();
    inv.generated_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    inv.add_gaps_not_filled(
        FILLS,
        "only client sources (--metrics, --scan-deps) were given",
    );
    for p in [Part::Clients, Part::Metrics] {
        inv.add_gap(
            p,
            "",
            crate::inventory::GapReason::NotCollected,
            "no source for this part was given",
        );
    }
    inv
}

/// Scrape/read the metrics and scan the repositories given, and put the results into `inv`.
/// Also gaps: a metrics source that fails makes the whole `metrics` part unknown (a rule must
/// not pass because one broker was not heard); missing series make `metrics.requests` or
/// `metrics.connections` unknown.
pub fn apply(inv: &mut Inventory, src: &ClientSources) -> Result<()> {
    if src.is_empty() {
        return Ok(());
    }
    let debug = std::env::var_os("KRAFTCHECK_DEBUG").is_some();
    let mut clients = inv.clients.take().unwrap_or_default();
    if !src.metrics.is_empty() {
        let t0 = Instant::now();
        let results = metrics::scrape_all(&src.metrics, src.timeout, src.tls.as_ref())?;
        if debug {
            eprintln!(
                "kraftcheck: debug: read {} metrics source(s) in {} ms",
                results.len(),
                t0.elapsed().as_millis()
            );
        }
        // fresh metrics replace what a saved inventory had
        clients.brokers.clear();
        inv.gaps.retain(|g| !g.part.starts_with("metrics"));
        let mut no_requests = Vec::new();
        let mut no_connections = Vec::new();
        let mut failed = Vec::new();
        for (source, r) in results {
            inv.sources.push(source.clone());
            match r {
                metrics::Scraped::Ok(x) => {
                    no_requests.extend(x.no_requests);
                    no_connections.extend(x.no_connections);
                    clients.brokers.push(x.metrics);
                }
                metrics::Scraped::Failed(reason, detail) => {
                    eprintln!("kraftcheck: warning: metrics: {detail}");
                    failed.push((reason, detail));
                }
            }
        }
        if let Some((reason, _)) = failed.first() {
            let detail = failed
                .iter()
                .map(|(_, d)| d.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            inv.add_gap("metrics", "", *reason, detail);
        }
        for (part, missing) in [
            ("metrics.requests", no_requests),
            ("metrics.connections", no_connections),
        ] {
            if !missing.is_empty() {
                let detail = missing.join("; ");
                inv.add_gap(part, "", crate::inventory::GapReason::Unsupported, detail);
            }
        }
        // two sources that report the same broker id: one broker was given twice
        let mut ids: Vec<i64> = clients.brokers.iter().filter_map(|b| b.broker_id).collect();
        ids.sort();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            eprintln!("kraftcheck: warning: --metrics: several sources report the same broker id; counts are added up");
        }
    }
    if !src.scan_deps.is_empty() || !src.sbom.is_empty() {
        let t0 = Instant::now();
        let (mut deps, mut scanned) = deps::scan(&src.scan_deps)?;
        let (sbom_deps, sbom_scanned) = deps::scan_sboms(&src.sbom)?;
        deps.extend(sbom_deps);
        scanned.extend(sbom_scanned);
        if debug {
            eprintln!(
                "kraftcheck: debug: scanned {} director(y/ies): {} manifests, {} other files, {} findings in {} ms",
                scanned.len(),
                scanned.iter().map(|s| s.manifests).sum::<u32>(),
                scanned.iter().map(|s| s.files).sum::<u32>(),
                deps.len(),
                t0.elapsed().as_millis()
            );
        }
        for s in &scanned {
            inv.sources.push(if s.path.starts_with("sbom:") {
                s.path.clone()
            } else {
                format!("scan-deps:{}", s.path)
            });
            for e in &s.errors {
                eprintln!("kraftcheck: warning: {}: {e}", s.path);
            }
        }
        clients.dependencies = deps;
        clients.scanned = scanned;
        inv.gaps.retain(|g| g.part != "clients");
    }
    inv.clients = Some(clients);
    inv.normalize();
    Ok(())
}
