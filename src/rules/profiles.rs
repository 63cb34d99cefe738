//! Migration paths. Every rule names the profiles it applies to.

use crate::inventory::{ClusterKind, Inventory};
use crate::settings::{bad_input, usage, Input};
use crate::version::KafkaVersion;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A migration path, spelled on the command line, in rule files and in reports as
/// `inplace`, `msk-inplace`, `new-cluster` or `kafka4`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    clap::ValueEnum,
    Serialize,
    Deserialize,
)]
pub enum ProfileId {
    #[value(name = "inplace")]
    #[serde(rename = "inplace")]
    Inplace,
    #[value(name = "msk-inplace")]
    #[serde(rename = "msk-inplace")]
    MskInplace,
    #[value(name = "new-cluster")]
    #[serde(rename = "new-cluster")]
    NewCluster,
    #[value(name = "kafka4")]
    #[serde(rename = "kafka4")]
    Kafka4,
}

impl ProfileId {
    pub const ALL: [ProfileId; 4] = [
        ProfileId::Inplace,
        ProfileId::MskInplace,
        ProfileId::NewCluster,
        ProfileId::Kafka4,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProfileId::Inplace => "inplace",
            ProfileId::MskInplace => "msk-inplace",
            ProfileId::NewCluster => "new-cluster",
            ProfileId::Kafka4 => "kafka4",
        }
    }

    /// The profile spelled `name`, if any.
    pub fn parse(name: &str) -> Option<ProfileId> {
        ProfileId::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// Its summary and default targets.
    pub fn info(self) -> &'static Profile {
        PROFILES
            .iter()
            .find(|p| p.id == self)
            .expect("every ProfileId has a PROFILES row")
    }
}

impl fmt::Display for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub struct Profile {
    pub id: ProfileId,
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
        id: ProfileId::Inplace,
        name: "inplace",
        summary: "self-managed KIP-866 migration of the same cluster (on a 3.x bridge release, ideally 3.9)",
        default_target: ("3.9.2", "3.9.x"),
    },
    Profile {
        id: ProfileId::MskInplace,
        name: "msk-inplace",
        summary: "Amazon MSK UpdateClusterKafkaVersion from 3.9.x (ZooKeeper) to a .kraft version",
        default_target: ("3.9.x.kraft", "3.9.x.kraft"),
    },
    Profile {
        id: ProfileId::NewCluster,
        name: "new-cluster",
        summary: "move to a fresh KRaft cluster with MirrorMaker 2 or MSK Replicator",
        default_target: (NEWEST_KAFKA, "4.1.x.kraft"),
    },
    Profile {
        id: ProfileId::Kafka4,
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
pub fn infer(inv: &Inventory) -> Vec<ProfileId> {
    use ProfileId::*;
    if inv.cluster.kind == ClusterKind::Msk {
        vec![MskInplace, NewCluster, Kafka4]
    } else if inv.cluster.mode == "kraft" {
        vec![Kafka4]
    } else {
        vec![Inplace, Kafka4]
    }
}

/// The target version for `profile`: the user's, or the profile's default for this cluster
/// kind, raised to the version the cluster already runs when that is newer (a cluster on 4.4
/// is not "moving to" 4.3.1).
pub fn target_for(profile: &Profile, inv: &Inventory, user: Option<&str>) -> String {
    let default = match user {
        Some(t) => return t.to_string(),
        None if inv.cluster.kind == ClusterKind::Msk => profile.default_target.1,
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
        KafkaVersion::parse(t).map_err(|e| bad_input(Input::TargetVersion, e.to_string()))?;
        if let Some(running) = running_above(inv, t) {
            return Err(usage(
                format!("{{0}} {} is below the Kafka version the cluster already runs ({}); give the version it will run after the move", crate::settings::literal(t), crate::settings::literal(&running)),
                &[Input::TargetVersion],
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_ids_keep_their_spellings_everywhere() {
        use clap::ValueEnum;
        for (id, name) in [
            (ProfileId::Inplace, "inplace"),
            (ProfileId::MskInplace, "msk-inplace"),
            (ProfileId::NewCluster, "new-cluster"),
            (ProfileId::Kafka4, "kafka4"),
        ] {
            assert_eq!(id.as_str(), name);
            assert_eq!(id.info().name, name);
            assert_eq!(ProfileId::parse(name), Some(id));
            assert_eq!(ProfileId::from_str(name, false), Ok(id));
            assert_eq!(serde_json::to_value(id).unwrap(), name);
            assert_eq!(
                serde_json::from_value::<ProfileId>(serde_json::json!(name)).unwrap(),
                id
            );
        }
        assert_eq!(PROFILES.len(), ProfileId::ALL.len());
        assert_eq!(ProfileId::parse("bluegreen"), None);
    }

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
