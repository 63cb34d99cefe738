//! The offline collector: a saved inventory and/or `server.properties` files.

use super::kafka::providers::{self, Providers};
use super::properties;
use crate::inventory::{is_sensitive_key, Broker, ConfigEntry, Inventory, Part};
use anyhow::{bail, Context, Result};
use std::path::PathBuf;

#[derive(Debug, Default, Clone)]
pub struct OfflineSources {
    pub inventory: Option<PathBuf>,
    pub broker_configs: Vec<PathBuf>,
    /// `--msk-cluster` with `--aws-json`: which cluster of a list-clusters output.
    pub msk_cluster: Option<String>,
    /// The line index of `inventory`, built while [`collect_offline`] parsed it (for
    /// locations in the audit report: the file is not read again).
    pub inventory_lines: std::sync::OnceLock<crate::inventory::LineIndex>,
}

/// What a `server.properties` file tells: the rest of the inventory is a gap.
const FILLS: &[Part] = &[
    Part::Cluster,
    Part::ClusterMode,
    Part::Brokers,
    Part::BrokersVersion,
    Part::BrokersConfigs,
];

pub fn collect_offline(src: &OfflineSources) -> Result<Inventory> {
    if src.inventory.is_none() && src.broker_configs.is_empty() {
        return Err(crate::settings::usage(
            "nothing to audit: give {0} FILE, {1} FILE or {2} FILE (or a live source: {3}, {4})",
            &[
                crate::settings::Input::Inventory,
                crate::settings::Input::BrokerConfig,
                crate::settings::Input::AwsJson,
                crate::settings::Input::BootstrapServer,
                crate::settings::Input::MskCluster,
            ],
        ));
    }
    let mut inv = match &src.inventory {
        Some(p) => {
            let (inv, lines) = crate::inventory::load_inventory(p)?;
            // A second load of the same sources keeps the first index: same file, same text.
            let _ = src.inventory_lines.set(lines);
            inv
        }
        None => {
            let mut inv = Inventory::new();
            inv.generated_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
            inv.cluster.kind = crate::inventory::ClusterKind::SelfManaged;
            inv.add_gaps_not_filled(FILLS, "offline audit of broker config files only");
            inv
        }
    };
    for path in expand_dirs(&src.broker_configs)? {
        let path = &path;
        let (broker, unresolved) = read_broker_config(path)?;
        for (_, detail) in unresolved {
            inv.add_gap(
                "brokers.configs",
                &format!("broker:{}", broker.id),
                crate::inventory::GapReason::Error,
                detail,
            );
        }
        let controller_only =
            |b: &Broker| b.roles.contains("controller") && !b.roles.contains("broker");
        let same_kind = |a: &Broker| {
            a.id == broker.id && a.id >= 0 && controller_only(a) == controller_only(&broker)
        };
        if src.inventory.is_none() {
            if let Some(dup) = inv.brokers.iter().find(|b| same_kind(b)) {
                bail!(
                    "{}: {} {} is also set in {}; give each node's file once",
                    path.display(),
                    if controller_only(&broker) {
                        "node.id"
                    } else {
                        "broker.id"
                    },
                    broker.id,
                    dup.config_file.as_deref().unwrap_or("another file")
                );
            }
        }
        inv.sources.push(path.display().to_string());
        match inv
            .brokers
            .iter_mut()
            .find(|b| b.id == broker.id && broker.id >= 0)
        {
            Some(existing) => {
                existing.configs.extend(broker.configs);
                existing.config_file = broker.config_file;
            }
            None => inv.brokers.push(broker),
        }
    }
    if !src.broker_configs.is_empty() && src.inventory.is_none() {
        inv.cluster.mode = detect_mode(&inv.brokers);
    }
    fill_cluster_version(&mut inv);
    inv.normalize();
    Ok(inv)
}

/// `--broker-config` beside a live cluster: each file's values fill in what the live answer
/// hides. Brokers report a config whose type they do not know (`super.users`, which the
/// authorizer defines) or a sensitive one as set without a value; the file has it (sensitive
/// values are still dropped as the file is read). Values the broker did return are kept: they
/// are what runs, including dynamic overrides. Each file is matched to its broker by
/// `broker.id` / `node.id`.
pub fn merge_hidden(inv: &mut Inventory, paths: &[PathBuf]) -> Result<()> {
    for path in expand_dirs(paths)? {
        let (file, unresolved) = read_broker_config(&path)?;
        let ids: Vec<String> = inv.brokers.iter().map(|b| b.id.to_string()).collect();
        let Some(live) = inv
            .brokers
            .iter_mut()
            .find(|b| b.id == file.id && file.id >= 0)
        else {
            bail!(
                "{}: broker.id/node.id {} is not a broker of the live cluster ({})",
                path.display(),
                file.id,
                ids.join(", ")
            );
        };
        let is_hidden = |k: &str| live.configs.get(k).is_none_or(|e| e.value.is_none());
        // A config-provider reference that cannot be resolved matters only where the live
        // answer hides the value too: then that broker's configs are incomplete.
        let missing: Vec<String> = unresolved
            .into_iter()
            .filter(|(k, _)| is_hidden(k))
            .map(|(_, d)| d)
            .collect();
        let id = live.id;
        for (k, v) in file.configs {
            let hidden = live.configs.get(&k).is_none_or(|e| e.value.is_none());
            if hidden && v.value.is_some() {
                live.configs.insert(k, v);
            }
        }
        live.config_file = file.config_file;
        for detail in missing {
            inv.add_gap(
                "brokers.configs",
                &format!("broker:{id}"),
                crate::inventory::GapReason::Error,
                detail,
            );
        }
        inv.sources.push(path.display().to_string());
    }
    Ok(())
}

/// A directory given to `--broker-config` stands for every `*.properties` file in it.
fn expand_dirs(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("cannot read directory {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "properties"))
                .collect();
            if found.is_empty() {
                return Err(crate::settings::bad(
                    crate::settings::Input::BrokerConfig,
                    p.display(),
                    "directory has no *.properties files",
                ));
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// A broker's static configs, and what could not be resolved: (key, "file:line: key: why")
/// for each config-provider reference that cannot be (never a value).
fn read_broker_config(path: &std::path::Path) -> Result<(Broker, Vec<(String, String)>)> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read broker config {}", path.display()))?;
    // Java reads .properties as ISO-8859-1; accept UTF-8 and fall back to Latin-1.
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => e.into_bytes().iter().map(|&b| b as char).collect(),
    };
    let name = path.display().to_string();
    let props = properties::parse(&text, &name)?;
    let mut broker = Broker {
        id: -1,
        config_file: Some(name.clone()),
        ..Default::default()
    };
    // KIP-421: server.properties may take values from config providers. Sensitive keys are
    // redacted anyway, so their references are never resolved (their secrets never read);
    // other references are resolved, and one that cannot be is a gap for this broker's configs.
    let at: Vec<String> = props.iter().map(|p| format!("{name}:{}", p.line)).collect();
    let providers = Providers::from_settings(
        props
            .iter()
            .zip(&at)
            .map(|(p, at)| (p.key.as_str(), p.value.as_str(), at.as_str())),
    )?;
    let mut unresolved = Vec::new();
    for mut p in props {
        let mut value = Some(p.value.clone());
        if !providers::is_provider_key(&p.key) && !is_sensitive_key(&p.key) {
            match providers.resolve(&p.value) {
                Ok(Some(v)) => p.value = v,
                Ok(None) => {}
                Err(e) => {
                    unresolved.push((p.key.clone(), format!("{name}:{}: {}: {e}", p.line, p.key)));
                    value = None;
                }
            }
            if value.is_some() {
                value = Some(p.value.clone());
            }
        }
        let mut entry = ConfigEntry::new(&p.key, value, "STATIC_BROKER_CONFIG", false);
        entry.line = Some(p.line);
        if p.key == "broker.id" || p.key == "node.id" {
            let id: i64 = p.value.trim().parse().with_context(|| {
                format!(
                    "{name}:{}: {} must be an integer, found '{}'",
                    p.line, p.key, p.value
                )
            })?;
            if p.key == "broker.id" || broker.id < 0 {
                broker.id = id;
            }
        }
        if p.key == "process.roles" {
            broker.roles = p
                .value
                .split(',')
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(",");
        }
        if p.key == "broker.rack" {
            broker.rack = Some(p.value.clone());
        }
        broker.configs.insert(p.key, entry);
    }
    if let Some((host, port)) = first_advertised(&broker) {
        broker.host = host;
        broker.port = port;
    }
    Ok((broker, unresolved))
}

/// Host and port of the first advertised (or plain) listener.
fn first_advertised(b: &Broker) -> Option<(String, u16)> {
    let v = ["advertised.listeners", "listeners"]
        .iter()
        .find_map(|k| b.configs.get(*k).and_then(|e| e.value.clone()))?;
    let first = v.split(',').next()?.trim();
    let addr = first.split("://").nth(1)?;
    let (host, port) = addr.rsplit_once(':')?;
    Some((
        host.trim_matches(['[', ']']).to_string(),
        port.parse().ok()?,
    ))
}

/// ZooKeeper, migrating or KRaft, from what the files say.
fn detect_mode(brokers: &[Broker]) -> String {
    let has = |b: &Broker, k: &str| {
        b.configs
            .get(k)
            .and_then(|e| e.value.as_deref())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .is_some()
    };
    let flag = |b: &Broker, k: &str| {
        b.configs
            .get(k)
            .and_then(|e| e.value.as_deref())
            .map(|v| v.trim().eq_ignore_ascii_case("true"))
            .unwrap_or(false)
    };
    if brokers
        .iter()
        .any(|b| flag(b, "zookeeper.metadata.migration.enable"))
    {
        "migrating".into()
    } else if brokers.iter().all(|b| has(b, "process.roles")) {
        "kraft".into()
    } else if brokers.iter().any(|b| has(b, "zookeeper.connect")) {
        "zookeeper".into()
    } else {
        String::new()
    }
}

/// The cluster version is the lowest broker version; a gap when no broker has one.
fn fill_cluster_version(inv: &mut Inventory) {
    if let Some(v) = inv.lowest_broker_version() {
        inv.cluster.version = Some(v);
    }
    let unknown: Vec<String> = inv
        .brokers
        .iter()
        .filter(|b| b.version.is_none())
        .map(|b| format!("broker:{}", b.id))
        .collect();
    if !inv.brokers.is_empty()
        && unknown.len() == inv.brokers.len()
        && inv.cluster.version.is_none()
    {
        if inv.gap_for("brokers.version", None).is_none() {
            inv.add_gap(
                "brokers.version",
                "",
                crate::inventory::GapReason::NotCollected,
                "server.properties does not state the software version; pass --kafka-version",
            );
        }
    } else {
        for r in unknown {
            if inv.gap_for("brokers.version", Some(&r)).is_none() {
                inv.add_gap(
                    "brokers.version",
                    &r,
                    crate::inventory::GapReason::NotCollected,
                    "no version for this broker",
                );
            }
        }
    }
    if inv.cluster.mode.is_empty() && inv.gap_for("cluster.mode", None).is_none() {
        inv.add_gap(
            "cluster.mode",
            "",
            crate::inventory::GapReason::NotCollected,
            "metadata mode could not be determined",
        );
    }
}
