//! The ZooKeeper → KRaft migration phase (KIP-866), told from what the cluster shows.
//!
//! | phase | what shows it |
//! |---|---|
//! | `zookeeper` | every broker runs in ZooKeeper mode, none has `zookeeper.metadata.migration.enable`, and no KRaft controller in migration mode is visible |
//! | `pre-migration` | the same brokers, and a KRaft controller (seen through `--bootstrap-controller` or its `server.properties`) has `zookeeper.metadata.migration.enable=true`: it waits for the brokers |
//! | `dual-write` | ZooKeeper-mode brokers run with `zookeeper.metadata.migration.enable=true` (their ApiVersions then carry `ZkMigrationReady`): they are registered with the KRaft controller, which copied the metadata and writes every change back to ZooKeeper |
//! | `kraft-brokers` | some or all brokers run in KRaft mode (`process.roles=broker`) while the controllers still have the migration enabled (or some brokers are still in ZooKeeper mode) |
//! | `finalized` | every broker is in KRaft mode and the visible controllers run without the migration: there is no way back (a cluster that never used ZooKeeper looks the same) |
//! | `kraft` | every broker is in KRaft mode, but the controllers are not visible, so `kraft-brokers` and `finalized` cannot be told apart |
//!
//! Brokers are classified from their ApiVersions when collected live (ZooKeeper-mode brokers
//! serve LeaderAndIsr, key 4), else from their configs (`process.roles` vs `zookeeper.connect`).

use crate::inventory::{Broker, Inventory};

pub const PHASES: &[&str] = &[
    "zookeeper",
    "pre-migration",
    "dual-write",
    "kraft-brokers",
    "finalized",
    "kraft",
];

/// A KRaft controller that is not also a broker.
pub fn is_controller_only(b: &Broker) -> bool {
    let roles = if b.roles.is_empty() {
        cfg(b, "process.roles").unwrap_or_default()
    } else {
        b.roles.clone()
    };
    roles.contains("controller") && !roles.contains("broker")
}

fn cfg(b: &Broker, key: &str) -> Option<String> {
    b.configs.get(key).and_then(|e| e.value.clone())
}

fn migration_enabled(b: &Broker) -> bool {
    cfg(b, "zookeeper.metadata.migration.enable").is_some_and(|v| v.trim() == "true")
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum BrokerMode {
    Zk,
    Kraft,
    Unknown,
}

fn broker_mode(b: &Broker) -> BrokerMode {
    if !b.api_versions.is_empty() {
        // ZooKeeper-mode brokers serve the ZooKeeper-era controller RPCs (LeaderAndIsr = 4).
        return if b.api_versions.iter().any(|a| a.key == 4) {
            BrokerMode::Zk
        } else {
            BrokerMode::Kraft
        };
    }
    let roles = if b.roles.is_empty() {
        cfg(b, "process.roles").unwrap_or_default()
    } else {
        b.roles.clone()
    };
    if roles.contains("broker") {
        BrokerMode::Kraft
    } else if b.configs.contains_key("zookeeper.connect") || b.configs.contains_key("broker.id") {
        BrokerMode::Zk
    } else {
        BrokerMode::Unknown
    }
}

fn ids(v: &[&Broker]) -> String {
    v.iter()
        .map(|b| b.id.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Fill `cluster.phase` and `cluster.phase_evidence` (unless already set).
pub fn infer(inv: &mut Inventory) {
    if !inv.cluster.phase.is_empty() {
        return;
    }
    let (phase, mut evidence) = decide(inv);
    evidence.extend(zookeeper_evidence(inv));
    inv.cluster.phase = phase.to_string();
    inv.cluster.phase_evidence = evidence;
}

/// What ZooKeeper itself says about a migration (`--zookeeper`): the `/migration` znode and who
/// holds `/controller`. It does not change the phase the nodes show; it explains it, and shows
/// a stale earlier attempt that the nodes cannot.
fn zookeeper_evidence(inv: &Inventory) -> Vec<String> {
    let Some(z) = &inv.zookeeper else {
        return Vec::new();
    };
    let mut ev = Vec::new();
    match z.migration.as_str() {
        "null" => {
            ev.push("ZooKeeper: /migration exists with no data (a stale znode, ZK-001)".to_string())
        }
        "present" => ev.push(format!(
            "ZooKeeper: /migration records a migration (KRaft controller {}, metadata offset {})",
            z.migration_state
                .get("kraft_controller_id")
                .map_or("?".to_string(), i64::to_string),
            z.migration_state
                .get("kraft_metadata_offset")
                .map_or("?".to_string(), i64::to_string)
        )),
        _ => ev.push("ZooKeeper: no /migration znode".to_string()),
    }
    if let Some(e) = z.kraft_controller_epoch.filter(|e| *e >= 0) {
        ev.push(format!(
            "ZooKeeper: /controller is held by the KRaft quorum (kraftControllerEpoch {e})"
        ));
    }
    ev
}

fn decide(inv: &Inventory) -> (&'static str, Vec<String>) {
    let mut ev = Vec::new();
    let brokers: Vec<&Broker> = inv
        .brokers
        .iter()
        .filter(|b| !is_controller_only(b))
        .collect();
    let controllers: Vec<&Broker> = inv
        .brokers
        .iter()
        .filter(|b| is_controller_only(b))
        .collect();
    let zk: Vec<&Broker> = brokers
        .iter()
        .copied()
        .filter(|b| broker_mode(b) == BrokerMode::Zk)
        .collect();
    let kraft: Vec<&Broker> = brokers
        .iter()
        .copied()
        .filter(|b| broker_mode(b) == BrokerMode::Kraft)
        .collect();
    let migrating_zk: Vec<&Broker> = zk
        .iter()
        .copied()
        .filter(|b| migration_enabled(b))
        .collect();
    let migrating_ctl: Vec<&Broker> = controllers
        .iter()
        .copied()
        .filter(|b| migration_enabled(b))
        .collect();
    if !controllers.is_empty() {
        if migrating_ctl.is_empty() {
            ev.push(format!(
                "KRaft controller(s) {} run without zookeeper.metadata.migration.enable",
                ids(&controllers)
            ));
        } else {
            ev.push(format!(
                "KRaft controller(s) {} have zookeeper.metadata.migration.enable=true",
                ids(&migrating_ctl)
            ));
        }
    }
    if brokers.is_empty() {
        if !migrating_ctl.is_empty() {
            return ("pre-migration", ev);
        }
        return ("", ev);
    }
    if !zk.is_empty() && kraft.is_empty() {
        ev.push(format!("broker(s) {} run in ZooKeeper mode", ids(&zk)));
        let ready = inv.cluster.zk_migration_ready == Some(true);
        if !migrating_zk.is_empty() || ready {
            if !migrating_zk.is_empty() {
                ev.push(format!(
                    "broker(s) {} have zookeeper.metadata.migration.enable=true",
                    ids(&migrating_zk)
                ));
            }
            if ready {
                ev.push("the brokers' ApiVersions carry ZkMigrationReady".into());
            }
            let waiting: Vec<&Broker> = zk
                .iter()
                .copied()
                .filter(|b| !migration_enabled(b) && b.configs.contains_key("zookeeper.connect"))
                .collect();
            if !waiting.is_empty() && !migrating_zk.is_empty() {
                ev.push(format!(
                    "broker(s) {} are not yet restarted in migration mode: the controller copies the metadata once all are",
                    ids(&waiting)
                ));
            }
            return ("dual-write", ev);
        }
        if !migrating_ctl.is_empty() {
            return ("pre-migration", ev);
        }
        if controllers.is_empty() {
            ev.push(
                "no KRaft controller is visible (a provisioned migration controller shows only with --bootstrap-controller)"
                    .into(),
            );
        }
        return ("zookeeper", ev);
    }
    if !zk.is_empty() && !kraft.is_empty() {
        ev.push(format!(
            "broker(s) {} run in KRaft mode, broker(s) {} still in ZooKeeper mode",
            ids(&kraft),
            ids(&zk)
        ));
        return ("kraft-brokers", ev);
    }
    if kraft.is_empty() {
        ev.push("the brokers' metadata mode could not be told".into());
        return ("", ev);
    }
    ev.push(format!("broker(s) {} run in KRaft mode", ids(&kraft)));
    if !migrating_ctl.is_empty() {
        ev.push(
            "the controllers still write the metadata to ZooKeeper: the migration is not finalized"
                .into(),
        );
        return ("kraft-brokers", ev);
    }
    if !controllers.is_empty()
        || kraft.iter().any(|b| {
            let roles = if b.roles.is_empty() {
                cfg(b, "process.roles").unwrap_or_default()
            } else {
                b.roles.clone()
            };
            roles.contains("controller")
        })
    {
        return ("finalized", ev);
    }
    ev.push(
        "the KRaft controllers are not visible: whether they still write to ZooKeeper (migration not finalized) shows only with --bootstrap-controller"
            .into(),
    );
    ("kraft", ev)
}

/// A short human label for a phase.
pub fn label(phase: &str) -> &'static str {
    match phase {
        "zookeeper" => "ZooKeeper mode (not migrating)",
        "pre-migration" => "pre-migration: KRaft controllers provisioned, brokers not yet in migration mode",
        "dual-write" => "dual-write: ZooKeeper-mode brokers in migration mode, KRaft controller writes metadata back to ZooKeeper",
        "kraft-brokers" => "KRaft brokers: brokers moved to KRaft, controllers still write to ZooKeeper (not finalized)",
        "finalized" => "finalized: KRaft only (or never on ZooKeeper)",
        "kraft" => "KRaft brokers; finalization not visible without the controllers",
        _ => "unknown",
    }
}

/// The plain statement every report carries about finalizing.
pub fn finalize_statement(
    kind: crate::inventory::ClusterKind,
    phase: &str,
    open_blocking: usize,
) -> String {
    let open = match open_blocking {
        0 => "No blocking finding is open".to_string(),
        1 => "1 blocking finding is open".to_string(),
        n => format!("{n} blocking findings are open"),
    };
    if kind == crate::inventory::ClusterKind::Msk && !matches!(phase, "finalized" | "kraft") {
        // KIP-866's finalize step is MSK's to run; whether MSK can roll the move back is not
        // documented, so it is treated as irreversible.
        return format!(
            "Moving an Amazon MSK cluster to a .kraft version includes finalizing the migration, which is irreversible in Kafka (no way back to ZooKeeper); treat the whole update as irreversible. {open}{}",
            if open_blocking > 0 { ": do not start it while they remain open." } else { "." }
        );
    }
    match phase {
        "finalized" => format!(
            "The migration is finalized (or the cluster never used ZooKeeper): there is no way back to ZooKeeper. {open}{}",
            if open_blocking > 0 { ": they must be fixed on KRaft." } else { "." }
        ),
        "kraft" => format!(
            "Finalizing the migration (restarting the KRaft controllers without zookeeper.metadata.migration.enable) is irreversible: afterwards the cluster cannot return to ZooKeeper. Whether it is already finalized is not visible without the controllers (--bootstrap-controller). {open}{}",
            if open_blocking > 0 { ": do not finalize while they remain open." } else { "." }
        ),
        _ => format!(
            "Finalizing the migration (restarting the KRaft controllers without zookeeper.metadata.migration.enable) is irreversible: afterwards the cluster cannot return to ZooKeeper. {open}{}",
            if open_blocking > 0 {
                ": do not finalize while they remain open."
            } else {
                "; before finalizing, compare inventories taken before and after with `kraftcheck diff` to show nothing was lost."
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{ApiRange, ConfigEntry};

    fn broker(id: i64, zk_api: bool, cfgs: &[(&str, &str)]) -> Broker {
        Broker {
            id,
            api_versions: vec![ApiRange {
                key: if zk_api { 4 } else { 0 },
                name: String::new(),
                min: 0,
                max: 1,
            }],
            configs: cfgs
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        ConfigEntry::new(k, Some(v.to_string()), "STATIC_BROKER_CONFIG", false),
                    )
                })
                .collect(),
            ..Default::default()
        }
    }

    fn phase(brokers: Vec<Broker>, ready: Option<bool>) -> String {
        let mut inv = Inventory::new();
        inv.brokers = brokers;
        inv.cluster.zk_migration_ready = ready;
        infer(&mut inv);
        inv.cluster.phase
    }

    #[test]
    fn every_phase() {
        let zk = |id| broker(id, true, &[("zookeeper.connect", "zk:2181")]);
        let zkm = |id| {
            broker(
                id,
                true,
                &[
                    ("zookeeper.connect", "zk:2181"),
                    ("zookeeper.metadata.migration.enable", "true"),
                ],
            )
        };
        let kr = |id| broker(id, false, &[("process.roles", "broker")]);
        let ctl = |mig: bool| {
            let mut c = Broker {
                id: 3000,
                roles: "controller".into(),
                ..Default::default()
            };
            c.configs.insert(
                "zookeeper.metadata.migration.enable".into(),
                ConfigEntry::new(
                    "zookeeper.metadata.migration.enable",
                    Some(mig.to_string()),
                    "STATIC_BROKER_CONFIG",
                    false,
                ),
            );
            c
        };
        assert_eq!(phase(vec![zk(1), zk(2)], None), "zookeeper");
        assert_eq!(phase(vec![zk(1), zk(2), ctl(true)], None), "pre-migration");
        assert_eq!(phase(vec![zkm(1), zkm(2)], Some(true)), "dual-write");
        assert_eq!(phase(vec![zkm(1), zk(2), ctl(true)], None), "dual-write");
        assert_eq!(phase(vec![kr(1), zkm(2), ctl(true)], None), "kraft-brokers");
        assert_eq!(phase(vec![kr(1), kr(2), ctl(true)], None), "kraft-brokers");
        assert_eq!(phase(vec![kr(1), kr(2), ctl(false)], None), "finalized");
        assert_eq!(phase(vec![kr(1), kr(2)], None), "kraft");
        assert_eq!(phase(vec![], None), "");
    }

    #[test]
    fn statement_names_irreversibility_and_open_findings() {
        let s = finalize_statement(crate::inventory::ClusterKind::SelfManaged, "dual-write", 3);
        assert!(s.contains("irreversible") && s.contains("3 blocking findings are open"));
        assert!(
            finalize_statement(crate::inventory::ClusterKind::SelfManaged, "finalized", 0)
                .contains("no way back")
        );
        assert!(
            finalize_statement(crate::inventory::ClusterKind::Msk, "zookeeper", 1)
                .contains("irreversible")
        );
    }
}
