//! Migration paths. Every rule names the profiles it applies to.

use crate::inventory::Inventory;
use crate::version::KafkaVersion;

pub struct Profile {
    pub name: &'static str,
    pub summary: &'static str,
    /// Target Kafka version when `--target-version` is not given (self-managed, MSK).
    pub default_target: (&'static str, &'static str),
}

/// The newest Apache Kafka release the rule pack knows: the default target of the paths that
/// end on 4.x. Kept current with the release table of `collect::fingerprint` (a unit test
/// checks that they name the same major.minor); see the README's "Keeping current".
pub const NEWEST_KAFKA: &str = "4.4.0";

pub const PROFILES: &[Profile] = &[
    Profile {
        name: "inplace",
        summary: "self-managed KIP-866 migration of the same cluster (on a 3.x bridge release, ideally 3.9)",
        default_target: ("3.9.2", "3.9.x"),
    },
    Profile {
        name: "msk-inplace",
        summary: "Amazon MSK UpdateClusterKafkaVersion from 3.9.x (ZooKeeper) to a .kraft version",
        default_target: ("3.9.x.kraft", "3.9.x.kraft"),
    },
    Profile {
        name: "new-cluster",
        summary: "move to a fresh KRaft cluster with MirrorMaker 2 or MSK Replicator",
        default_target: (NEWEST_KAFKA, "4.1.x.kraft"),
    },
    Profile {
        name: "kafka4",
        summary: "what breaks when the migrated cluster later runs Kafka 4.x",
        default_target: (NEWEST_KAFKA, "4.1.x.kraft"),
    },
];

pub fn profile(name: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.name == name)
}

/// The profiles that apply when none is chosen: MSK clusters get `msk-inplace`,
/// `new-cluster` and `kafka4`; self-managed ZooKeeper (or unknown-mode) clusters `inplace`
/// and `kafka4`; clusters already on KRaft only `kafka4`.
pub fn infer(inv: &Inventory) -> Vec<String> {
    let names: &[&str] = if inv.cluster.kind == "msk" {
        &["msk-inplace", "new-cluster", "kafka4"]
    } else if inv.cluster.mode == "kraft" {
        &["kafka4"]
    } else {
        &["inplace", "kafka4"]
    };
    names.iter().map(|s| s.to_string()).collect()
}

/// The target version for `profile`: the user's, or the profile's default for this cluster
/// kind, raised to the version the cluster already runs when that is newer (a cluster on 4.4
/// is not "moving to" 4.3.1).
pub fn target_for(profile: &Profile, inv: &Inventory, user: Option<&str>) -> String {
    let default = match user {
        Some(t) => return t.to_string(),
        None if inv.cluster.kind == "msk" => profile.default_target.1,
        None => profile.default_target.0,
    };
    match running_above(inv, default) {
        Some(running) => running,
        None => default.to_string(),
    }
}

/// The cluster's version when every release it may be is newer than `target`.
fn running_above(inv: &Inventory, target: &str) -> Option<String> {
    let running = KafkaVersion::parse(inv.cluster.version.as_deref()?).ok()?;
    let target = KafkaVersion::parse(target).ok()?;
    crate::version::decide(&running, &target, |o| o == std::cmp::Ordering::Greater)
        .filter(|above| *above)
        .map(|_| running.to_string())
}

/// `--target-version` below the version the cluster already runs is not a migration target.
pub fn check_target(inv: &Inventory, user: Option<&str>) -> anyhow::Result<()> {
    if let Some(t) = user {
        KafkaVersion::parse(t).map_err(|e| anyhow::anyhow!("--target-version: {e}"))?;
        if let Some(running) = running_above(inv, t) {
            anyhow::bail!(
                "--target-version {t} is below the Kafka version the cluster already runs ({running}); give the version it will run after the move"
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_kafka_is_the_newest_fingerprinted_release() {
        let newest = crate::collect::fingerprint::newest_release();
        assert_eq!(
            KafkaVersion::parse(NEWEST_KAFKA).unwrap().major_minor(),
            newest,
            "NEWEST_KAFKA and the fingerprint release table must move together"
        );
    }

    #[test]
    fn default_targets_rise_to_the_running_version_and_lower_targets_are_refused() {
        let mut inv = Inventory::new();
        inv.cluster.version = Some("4.5".into());
        let k4 = profile("kafka4").unwrap();
        assert_eq!(target_for(k4, &inv, None), "4.5");
        assert!(check_target(&inv, Some("4.3.1")).is_err());
        assert!(check_target(&inv, Some("4.6.0")).is_ok());
        inv.cluster.version = Some("3.9".into());
        assert_eq!(target_for(k4, &inv, None), NEWEST_KAFKA);
        assert!(check_target(&inv, Some("3.9.2")).is_ok());
    }
}
