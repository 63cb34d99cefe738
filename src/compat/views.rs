//! The CEL view: the derived item lists the client rules read (`client_request`,
//! `client_software`, `dependency`), built from an inventory with the tables of
//! [`super::protocol`] and [`super::libraries`].

use super::libraries::*;
use super::protocol::*;
use super::v;
use crate::inventory::{Dependency, Inventory};
use serde_json::{json, Value as Json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

// ------------------------------------------------------------------------------------------------
// The CEL view: derived item lists for the client rules

pub(super) fn label_of_broker(b: &crate::inventory::BrokerMetrics) -> String {
    match b.broker_id {
        Some(id) => format!("broker:{id}"),
        None => b.source.clone(),
    }
}

/// The inter-broker listener of the cluster, if the broker configs say.
pub(super) fn inter_broker_listener(inv: &Inventory) -> Option<String> {
    // The first broker that sets `key`.
    let first = |key: &str| {
        inv.brokers
            .iter()
            .find_map(|b| b.configs.get(key).and_then(|e| e.value.clone()))
    };
    if let Some(n) =
        first("inter.broker.listener.name").or_else(|| first("security.inter.broker.protocol"))
    {
        return Some(n.to_ascii_uppercase());
    }
    // Kafka's default when neither is set, but only if the configs were read at all.
    inv.brokers
        .iter()
        .any(|b| b.configs.contains_key("listeners"))
        .then(|| "PLAINTEXT".to_string())
}

pub(super) fn is_broker_only_listener(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    n.contains("REPLICATION") || n.contains("INTERNAL") || n.contains("CONTROLLER")
}

/// `client_requests`, `client_software` and `dependencies`, as the rules see them.
pub fn cel_lists(inv: &Inventory) -> Vec<(&'static str, Json)> {
    vec![
        ("client_requests", client_requests(inv)),
        ("client_software", client_software(inv)),
        ("dependencies", dependencies(inv)),
    ]
}

/// The `client_request` items (empty without client data).
pub fn client_requests(inv: &Inventory) -> Json {
    inv.clients.as_ref().map_or(json!([]), requests_view)
}

/// The `client_software` items (empty without client data).
pub fn client_software(inv: &Inventory) -> Json {
    inv.clients
        .as_ref()
        .map_or(json!([]), |c| software_view(inv, c))
}

/// The `dependency` items (empty without client data).
pub fn dependencies(inv: &Inventory) -> Json {
    inv.clients
        .as_ref()
        .map_or(json!([]), |c| dependencies_view(inv, &c.dependencies))
}

#[derive(Default)]
pub(super) struct ReqAgg {
    count: Option<f64>,
    rate: Option<f64>,
    brokers: BTreeSet<String>,
    tags: BTreeSet<String>,
    software: BTreeMap<(String, String), f64>,
}

pub(super) fn add(a: &mut Option<f64>, b: Option<f64>) {
    if let Some(b) = b {
        *a = Some(a.unwrap_or(0.0) + b);
    }
}

pub(super) fn requests_view(c: &crate::inventory::Clients) -> Json {
    let mut agg: BTreeMap<(String, i16), ReqAgg> = BTreeMap::new();
    for b in &c.brokers {
        let label = label_of_broker(b);
        // Consumer fetches are counted under both FetchConsumer and Fetch (which also holds
        // the replicas' fetches): use FetchConsumer when the broker reports it.
        let has_consumer = b.requests.iter().any(|r| r.api == "FetchConsumer");
        for r in &b.requests {
            if is_inter_broker(&r.api) || (has_consumer && r.api == "Fetch") {
                continue;
            }
            let api = canonical_api(&r.api).to_string();
            let e = agg.entry((api, r.version)).or_default();
            e.brokers.insert(label.clone());
            e.tags.insert(r.api.clone());
            if r.meter == "DeprecatedRequestsPerSec" {
                let key = (
                    r.software_name.clone().unwrap_or_else(|| "unknown".into()),
                    r.software_version
                        .clone()
                        .unwrap_or_else(|| "unknown".into()),
                );
                *e.software.entry(key).or_default() += r.count.unwrap_or(0.0);
            } else {
                add(&mut e.count, r.count);
                add(&mut e.rate, r.rate);
            }
        }
    }
    let mut out = Vec::new();
    for ((api, version), a) in agg {
        // Only the deprecated meter was exported: its per-software counts are the total.
        let count = a
            .count
            .or_else(|| (!a.software.is_empty()).then(|| a.software.values().sum()));
        let software: Vec<Json> = a
            .software
            .iter()
            .map(|((n, v), cnt)| {
                let verdict = judge(family_of_kip511(n), v);
                json!({"name": n, "version": v, "count": cnt, "verdict": verdict.verdict})
            })
            .collect();
        // Every request at this version came from identified software at or above its baseline.
        let attributed_ok = !a.software.is_empty()
            && count.is_some_and(|c| (a.software.values().sum::<f64>() - c).abs() < 0.5)
            && a.software.iter().all(|((n, v), _)| {
                matches!(judge(family_of_kip511(n), v).verdict, "ok" | "partial")
            });
        let r = removal(&api);
        out.push(json!({
            "api": api,
            "version": version,
            "label": format!("{api} v{version}"),
            "tags": a.tags,
            "count": count,
            "rate": a.rate,
            "brokers": a.brokers,
            "software": software,
            "attributed_ok": attributed_ok,
            "new_minimum": r.map(|r| r.new_minimum).filter(|m| *m != i16::MAX),
            "java_21_level": java_21_level(&api),
            "below_java_21": below_java_21(&api, version),
            "java_release": java_releases_at(&api, version),
        }));
    }
    Json::Array(out)
}

pub(super) fn software_view(inv: &Inventory, c: &crate::inventory::Clients) -> Json {
    let ibl = inter_broker_listener(inv);
    let n_brokers = c.brokers.len().max(inv.brokers.len()).max(1) as f64;
    let fetchers: f64 = inv
        .brokers
        .iter()
        .find_map(|b| {
            b.configs
                .get("num.replica.fetchers")
                .and_then(|e| e.value.as_deref())
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(1.0);
    // Connections a broker's own peers may hold open without a KIP-511 name: replica fetchers
    // of the other brokers, the controller's channel and the transaction marker senders.
    let allowance_per_broker = (n_brokers - 1.0) * fetchers + 1.0 + n_brokers;
    #[derive(Default)]
    struct Agg {
        connections: f64,
        internal: f64,
        listeners: BTreeSet<String>,
        brokers: BTreeSet<String>,
    }
    let mut agg: BTreeMap<(String, String), Agg> = BTreeMap::new();
    for b in &c.brokers {
        let label = label_of_broker(b);
        // unknown connections on the inter-broker listener, per broker
        let mut unknown_ib = 0.0;
        for conn in &b.connections {
            let e = agg
                .entry((conn.name.clone(), conn.version.clone()))
                .or_default();
            e.connections += conn.connections;
            e.listeners.insert(conn.listener.clone());
            if conn.connections > 0.0 {
                e.brokers.insert(label.clone());
            }
            if conn.name == "unknown" {
                let l = conn.listener.to_ascii_uppercase();
                if is_broker_only_listener(&l) {
                    e.internal += conn.connections;
                } else if ibl.as_deref() == Some(l.as_str()) {
                    unknown_ib += conn.connections;
                }
            }
        }
        if unknown_ib > 0.0 {
            if let Some(e) = agg.get_mut(&("unknown".to_string(), "unknown".to_string())) {
                e.internal += unknown_ib.min(allowance_per_broker);
            }
        }
    }
    let mut out = Vec::new();
    for ((name, version), a) in agg {
        if a.connections <= 0.0 {
            continue; // a gauge left at zero after its connections closed
        }
        let fam = family_of_kip511(&name);
        let verdict = match fam {
            _ if name == "unknown" => judge(None, &version),
            Some(f) => judge(Some(f), &version),
            None => Verdict {
                family: String::new(),
                display: name.clone(),
                baseline: None,
                effective: Some(version.clone()),
                verdict: "no-baseline",
                note: "A client name kraftcheck has no 4.x baseline for: check its documentation, and the per-version request table for removed versions.".into(),
            },
        };
        let traps = traps_400(&verdict.family, verdict.effective.as_deref());
        out.push(json!({
            "name": name,
            "version": version,
            "label": format!("{name} {version}"),
            "connections": a.connections,
            "broker_internal": a.internal,
            "client_connections": (a.connections - a.internal).max(0.0),
            "listeners": a.listeners,
            "brokers": a.brokers,
            "family": verdict.family,
            "display": if verdict.display.is_empty() { name.clone() } else { verdict.display.clone() },
            "baseline": verdict.baseline,
            "effective_version": verdict.effective,
            "verdict": verdict.verdict,
            "note": verdict.note,
            "traps_400": traps,
        }));
    }
    Json::Array(out)
}

/// Host names of the cluster being migrated (brokers, MSK bootstrap strings and nodes).
pub fn old_cluster_hosts(inv: &Inventory) -> BTreeSet<String> {
    let mut hosts = BTreeSet::new();
    let mut add_list = |s: &str| {
        for part in s.split([',', ' ']) {
            let h = host_of(part);
            if !h.is_empty() {
                hosts.insert(h);
            }
        }
    };
    for b in &inv.brokers {
        if !b.host.is_empty() {
            add_list(&b.host);
        }
    }
    if let Some(m) = &inv.msk {
        for s in m.bootstrap_brokers.values() {
            add_list(s);
        }
        for n in &m.nodes {
            for e in &n.endpoints {
                add_list(e);
            }
        }
    }
    hosts
}

/// The host of `host:port` (or of a bare host), lower-cased, brackets of IPv6 removed.
pub fn host_of(hostport: &str) -> String {
    let s = hostport.trim().trim_matches(['"', '\'']);
    let s = s.split("://").last().unwrap_or(s);
    let h = if let Some(rest) = s.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
            _ => s,
        }
    };
    h.trim_end_matches('.').to_ascii_lowercase()
}

/// A dependency's 4.x verdict, why it is undecided when it is, and the librdkafka it bundles.
pub struct DepJudgement {
    pub verdict: Verdict,
    /// Why the verdict is `unknown-version` or `no-baseline`: what would settle it.
    pub reason: String,
    /// `librdkafka X (source)` for wrappers judged by the librdkafka they bundle.
    pub bundled: String,
}

/// The dependency another wrapper is judged through: rust `rdkafka` by the `rdkafka-sys` its
/// lock file resolved, the `karafka` gem by the `rdkafka` gem in its Gemfile.lock.
pub(super) fn judged_through<'a>(d: &Dependency, deps: &'a [Dependency]) -> Option<&'a Dependency> {
    let via: &[&str] = match (d.ecosystem.as_str(), d.library.as_str()) {
        ("cargo", "rdkafka") => &["rdkafka-sys"],
        ("rubygems", "karafka") => &["rdkafka", "karafka-rdkafka"], // last wins
        _ => return None,
    };
    let lock = d.lock_file.as_ref()?;
    // in order of preference: karafka runs on karafka-rdkafka even when the app also has rdkafka
    via.iter().rev().find_map(|v| {
        deps.iter()
            .find(|x| x.repo == d.repo && x.lock_file.as_ref() == Some(lock) && x.library == *v)
    })
}

/// Judge one Kafka client dependency: by its own version, or for librdkafka wrappers by the
/// librdkafka the release bundles ([`BUNDLES`]). Undecidable cases say why.
pub fn judge_dependency(d: &Dependency, deps: &[Dependency]) -> DepJudgement {
    let (_, fam_id) = classify_package(&d.ecosystem, &d.library).unwrap_or(("", ""));
    let fam = family(fam_id);
    let declared = d.resolved.clone().or_else(|| lowest_version(&d.version));
    let base = || judge(fam, "");
    let undecided = |reason: String| DepJudgement {
        verdict: Verdict {
            verdict: "unknown-version",
            ..base()
        },
        reason,
        bundled: String::new(),
    };
    if let Some(via) = judged_through(d, deps) {
        let mut j = judge_dependency(via, deps);
        j.reason = match j.reason.as_str() {
            "" => String::new(),
            r => format!(
                "judged through {} {}: {r}",
                via.library,
                via.resolved.as_deref().unwrap_or(&via.version)
            ),
        };
        j.verdict.note = format!(
            "judged through {} {} in {}. {}",
            via.library,
            via.resolved.as_deref().unwrap_or(&via.version),
            via.lock_file.as_deref().unwrap_or(&via.file),
            j.verdict.note
        );
        return j;
    }
    let why_no_version = || {
        if d.unresolved.is_empty() {
            format!(
                "the version of {} in {} ('{}') cannot be read",
                d.library, d.file, d.version
            )
        } else {
            format!(
                "the version of {} in {} is not known: {}",
                d.library, d.file, d.unresolved
            )
        }
    };
    // rdkafka-sys 4.7.0+2.3.0: the build metadata is the librdkafka version
    if d.library == "rdkafka-sys" {
        if let Some((_, lib)) = d
            .resolved
            .as_deref()
            .or(Some(d.version.as_str()))
            .and_then(|v| v.split_once('+'))
        {
            return DepJudgement {
                verdict: judge_librdkafka(lib),
                reason: String::new(),
                bundled: format!("librdkafka {lib} (rdkafka-sys build metadata)"),
            };
        }
    }
    if BUNDLES
        .iter()
        .any(|b| b.ecosystem == eco_key(&d.ecosystem) && b.package == d.library)
    {
        let Some(ver) = declared.as_deref() else {
            return undecided(why_no_version());
        };
        let Some((lo, hi, source)) = bundled_librdkafka(&d.ecosystem, &d.library, ver) else {
            return undecided(why_no_version());
        };
        let baseline = family("librdkafka")
            .and_then(|f| f.baseline)
            .unwrap_or("1.8.2");
        let range = match &hi {
            Some(h) if *h == lo => lo.clone(),
            Some(h) => format!("{lo} to {h}"),
            None => format!("{lo} or newer"),
        };
        let bundled = format!("librdkafka {range} (source: {source})");
        // The whole range on one side of the baseline: judged as its librdkafka `at` would be.
        let judged = |at: &str, bundled: String| {
            let mut verdict = judge_librdkafka(at);
            verdict.family = fam_id.to_string();
            verdict.display = fam.map(|f| f.display).unwrap_or_default().to_string();
            DepJudgement {
                verdict,
                reason: String::new(),
                bundled,
            }
        };
        if v(&lo) >= v(baseline) {
            return judged(&lo, bundled);
        }
        if let Some(h) = hi.as_deref().filter(|h| v(h) < v(baseline)) {
            return judged(h, bundled);
        }
        let mut j = undecided(format!(
            "{} {ver} bundles librdkafka {range}: below and above the {baseline} baseline; the lock file decides (e.g. Cargo.lock's rdkafka-sys), so scan the repository with its lock file",
            d.library
        ));
        j.bundled = bundled;
        return j;
    }
    let Some(f) = fam else {
        return undecided(format!("{} is not a known client library", d.library));
    };
    if f.opaque_version {
        return undecided(format!(
            "{} {}: {}",
            d.library,
            declared.as_deref().unwrap_or(&d.version),
            f.note
        ));
    }
    let verdict = judge(Some(f), declared.as_deref().unwrap_or(""));
    let reason = match verdict.verdict {
        "unknown-version" => why_no_version(),
        "no-baseline" if declared.is_none() => why_no_version(),
        "no-baseline" => format!(
            "{} has no documented Kafka 4.x baseline: {}",
            f.display, f.note
        ),
        _ => String::new(),
    };
    DepJudgement {
        verdict,
        reason,
        bundled: String::new(),
    }
}

pub(super) fn dependencies_view(inv: &Inventory, deps: &[Dependency]) -> Json {
    let old = old_cluster_hosts(inv);
    let mut out = Vec::new();
    for d in deps {
        let mut item = serde_json::to_value(d).expect("dependency serializes");
        let o = item.as_object_mut().expect("object");
        o.insert(
            "label".into(),
            json!(format!("{}:{} {}", d.file, d.line, d.library)),
        );
        // findings point at the file and line (SARIF, Markdown)
        o.insert(
            "config_file".into(),
            json!(Path::new(&d.repo).join(&d.file).display().to_string()),
        );
        if d.kind == "kafka-client" {
            let j = judge_dependency(d, deps);
            let verdict = j.verdict;
            let trap_family = if j.bundled.is_empty() {
                verdict.family.as_str()
            } else {
                "librdkafka"
            };
            let traps = traps_400(trap_family, verdict.effective.as_deref());
            o.insert("family".into(), json!(verdict.family));
            o.insert("display".into(), json!(verdict.display));
            o.insert("baseline".into(), json!(verdict.baseline));
            o.insert("effective_version".into(), json!(verdict.effective));
            o.insert(
                "exact".into(),
                json!(d.resolved.is_some() || is_exact(&d.version) || !d.version_source.is_empty()),
            );
            o.insert("verdict".into(), json!(verdict.verdict));
            o.insert("note".into(), json!(verdict.note));
            o.insert("traps_400".into(), json!(traps));
            o.insert("reason".into(), json!(j.reason));
            o.insert("bundled".into(), json!(j.bundled));
        }
        o.insert("test".into(), json!(d.test));
        if d.kind == "bootstrap" {
            let hits: Vec<&String> = d.hosts.iter().filter(|h| old.contains(*h)).collect();
            o.insert("old_cluster_hosts".into(), json!(hits));
            o.insert("old_hosts_known".into(), json!(!old.is_empty()));
        }
        out.push(item);
    }
    Json::Array(out)
}
