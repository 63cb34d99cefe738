//! The clients section of the reports: client software × version × connections with the 4.x
//! verdict, the per-API request versions with the removed ones highlighted, the applications
//! found in repositories (file and line), and the consumer group members the cluster reported.

use crate::compat;
use crate::inventory::Inventory;
use crate::version::KafkaVersion;
use serde::Serialize;
use serde_json::Value as Json;

#[derive(Debug, Clone, Serialize)]
pub struct SoftwareRow {
    pub name: String,
    pub version: String,
    pub display: String,
    pub connections: f64,
    /// `below baseline`, `partial`, `ok`, `no baseline`, `unknown`.
    pub verdict: String,
    pub baseline: String,
    pub brokers: String,
    pub listeners: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub version: i64,
    pub count: f64,
    /// `removed` (refused by the target), `old` (below the Java 2.1 level), `ok`.
    pub status: String,
    pub software: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiRow {
    pub api: String,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DepRow {
    pub location: String,
    pub ecosystem: String,
    pub kind: String,
    pub library: String,
    pub version: String,
    pub verdict: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberRow {
    pub group: String,
    pub client_id: String,
    pub host: String,
    pub protocol_type: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClientsSection {
    /// The Kafka version cells are judged against (the kafka4 profile's target).
    pub target: String,
    pub metrics_sources: Vec<String>,
    pub scanned: Vec<String>,
    pub software: Vec<SoftwareRow>,
    pub apis: Vec<ApiRow>,
    pub dependencies: Vec<DepRow>,
    pub members: Vec<MemberRow>,
    /// Why parts of the section are empty.
    pub gaps: Vec<String>,
}

fn s(v: &Json, k: &str) -> String {
    match v.get(k) {
        Some(Json::String(x)) => x.clone(),
        Some(Json::Null) | None => String::new(),
        Some(Json::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| x.to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

fn verdict_word(v: &str) -> &'static str {
    match v {
        "below-baseline" => "below baseline",
        "partial" => "partial",
        "ok" => "ok",
        "no-baseline" => "no baseline",
        _ => "unknown",
    }
}

/// The section, or `None` when the inventory has no client data at all.
pub fn build(inv: &Inventory, target: &str) -> Option<ClientsSection> {
    let members: Vec<MemberRow> = inv
        .groups
        .iter()
        .flat_map(|g| {
            g.members.iter().map(|m| MemberRow {
                group: g.id.clone(),
                client_id: m.client_id.clone(),
                host: m.host.clone(),
                protocol_type: g.protocol_type.clone(),
            })
        })
        .collect();
    let c = inv.clients.as_ref();
    if c.is_none() && members.is_empty() {
        return None;
    }
    let tv = KafkaVersion::parse(target).ok();
    let lists: std::collections::BTreeMap<&str, Json> =
        compat::cel_lists(inv).into_iter().collect();
    let empty = vec![];
    let arr = |k: &str| {
        lists
            .get(k)
            .and_then(Json::as_array)
            .unwrap_or(&empty)
            .clone()
    };
    let mut software: Vec<SoftwareRow> = arr("client_software")
        .iter()
        .map(|x| {
            let unknown = s(x, "name") == "unknown";
            SoftwareRow {
                name: s(x, "name"),
                version: s(x, "version"),
                display: s(x, "display"),
                connections: x.get("connections").and_then(Json::as_f64).unwrap_or(0.0),
                verdict: if unknown {
                    "unknown".into()
                } else {
                    verdict_word(&s(x, "verdict")).into()
                },
                baseline: s(x, "baseline"),
                brokers: s(x, "brokers"),
                listeners: s(x, "listeners"),
                note: if unknown {
                    format!(
                        "{} of them attributed to the brokers' own connections. {}",
                        x.get("broker_internal")
                            .and_then(Json::as_f64)
                            .unwrap_or(0.0) as i64,
                        s(x, "note")
                    )
                } else {
                    s(x, "note")
                },
            }
        })
        .collect();
    let rank = |v: &str| match v {
        "below baseline" => 0,
        "unknown" => 1,
        "partial" => 2,
        "no baseline" => 3,
        _ => 4,
    };
    software.sort_by(|a, b| {
        (rank(&a.verdict), &a.name, &a.version).cmp(&(rank(&b.verdict), &b.name, &b.version))
    });
    let mut apis: Vec<ApiRow> = Vec::new();
    for r in arr("client_requests") {
        let api = s(&r, "api");
        let version = r.get("version").and_then(Json::as_i64).unwrap_or(-1);
        let removed = tv
            .as_ref()
            .is_some_and(|t| compat::removed_in(&api, version as i16, t));
        let status = if removed {
            "removed"
        } else if r.get("below_java_21").and_then(Json::as_bool) == Some(true) {
            "old"
        } else {
            "ok"
        };
        let software = r
            .get("software")
            .and_then(Json::as_array)
            .map(|l| {
                l.iter()
                    .map(|x| format!("{} {}", s(x, "name"), s(x, "version")))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let cell = Cell {
            version,
            count: r.get("count").and_then(Json::as_f64).unwrap_or(0.0),
            status: status.into(),
            software,
        };
        match apis.iter_mut().find(|a| a.api == api) {
            Some(a) => a.cells.push(cell),
            None => apis.push(ApiRow {
                api,
                cells: vec![cell],
            }),
        }
    }
    // APIs with a removed or old cell first, then by name
    apis.sort_by_key(|a| (!a.cells.iter().any(|c| c.status != "ok"), a.api.clone()));
    let dependencies: Vec<DepRow> = arr("dependencies")
        .iter()
        .map(|d| {
            let kind = s(d, "kind");
            let version = match (s(d, "version"), s(d, "resolved")) {
                (v, r) if !r.is_empty() && r != v && !v.is_empty() => format!("{v} (resolved {r})"),
                (v, r) if v.is_empty() => r,
                (v, _) => v,
            };
            let test = d.get("test").and_then(Json::as_bool) == Some(true);
            let (verdict, note) = match kind.as_str() {
                "kafka-client" => {
                    let word = verdict_word(&s(d, "verdict"));
                    let reason = s(d, "reason");
                    let note = match (reason.is_empty(), s(d, "bundled")) {
                        (false, _) => reason,
                        (true, b) if !b.is_empty() => format!("bundles {b}. {}", s(d, "note")),
                        _ => s(d, "note"),
                    };
                    if test {
                        (format!("{word} (tests only)"), note)
                    } else {
                        (word.to_string(), note)
                    }
                }
                "zookeeper-client" | "zk-tool-usage" if test => {
                    ("tests embed ZooKeeper".to_string(), s(d, "text"))
                }
                "zookeeper-client" | "zk-tool-usage" => {
                    ("talks to ZooKeeper".to_string(), s(d, "text"))
                }
                "bootstrap" => {
                    let old = s(d, "old_cluster_hosts");
                    if old.is_empty() {
                        ("bootstrap list".to_string(), s(d, "text"))
                    } else {
                        (format!("names the current brokers: {old}"), s(d, "text"))
                    }
                }
                _ => ("unreadable".to_string(), s(d, "text")),
            };
            DepRow {
                location: format!("{}/{}:{}", s(d, "repo"), s(d, "file"), s(d, "line")),
                ecosystem: s(d, "ecosystem"),
                kind,
                library: s(d, "library"),
                version,
                verdict,
                note,
            }
        })
        .collect();
    let mut gaps = Vec::new();
    for part in [
        "metrics",
        "metrics.requests",
        "metrics.connections",
        "clients",
    ] {
        if let Some(g) = inv
            .gaps
            .iter()
            .find(|g| g.part == part && g.resource.is_empty())
        {
            gaps.push(format!(
                "{}: {}{}",
                match part {
                    "clients" => "application repositories (--scan-deps)",
                    "metrics" => "broker metrics (--metrics)",
                    "metrics.requests" => "per-version request counters",
                    _ => "KIP-511 connection gauges",
                },
                g.reason,
                if g.detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", g.detail)
                }
            ));
        }
    }
    Some(ClientsSection {
        target: target.to_string(),
        metrics_sources: c
            .map(|c| {
                c.brokers
                    .iter()
                    .map(|b| match b.broker_id {
                        Some(id) => format!("broker {id}: {} ({})", b.source, b.naming),
                        None => format!("{} ({})", b.source, b.naming),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        scanned: c
            .map(|c| {
                c.scanned
                    .iter()
                    .map(|d| {
                        format!(
                            "{}: {} manifests, {} other files{}",
                            d.path,
                            d.manifests,
                            d.files,
                            if d.errors.is_empty() {
                                String::new()
                            } else {
                                format!(", {} unreadable", d.errors.len())
                            }
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        software,
        apis,
        dependencies,
        members,
        gaps,
    })
}
