//! Migration paths. Every rule names the profiles it applies to.

use crate::inventory::Inventory;

pub struct Profile {
    pub name: &'static str,
    pub summary: &'static str,
    /// Target Kafka version when `--target-version` is not given (self-managed, MSK).
    pub default_target: (&'static str, &'static str),
}

/// The newest Apache Kafka release the rule pack knows.
pub const NEWEST_KAFKA: &str = "4.3.1";

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

/// The target version for `profile`: the user's, or the profile's default for this cluster kind.
pub fn target_for(profile: &Profile, inv: &Inventory, user: Option<&str>) -> String {
    match user {
        Some(t) => t.to_string(),
        None if inv.cluster.kind == "msk" => profile.default_target.1.to_string(),
        None => profile.default_target.0.to_string(),
    }
}
