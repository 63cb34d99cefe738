//! KIP-896: the protocol versions Kafka 4.x removed, and the request versions that tell an old
//! Java client's generation apart.

use super::v;
use crate::version::KafkaVersion;

// ------------------------------------------------------------------------------------------------
// KIP-896: protocol versions removed in Kafka 4.x

/// One API whose oldest versions Kafka 4.x no longer serves.
#[derive(Debug, Clone, Copy)]
pub struct Removal {
    pub api: &'static str,
    pub key: i16,
    /// Versions below this one are removed (`i16::MAX`: the whole API is gone).
    pub new_minimum: i16,
    /// Removed in 4.0.0 only, served again from 4.0.1 and 4.1.0 (JoinGroup v0–1, KAFKA-19444).
    /// (Whether only brokers send the API, never a client finding, is [`is_inter_broker`].)
    pub only_400: bool,
}

pub(super) const fn rm(api: &'static str, key: i16, new_minimum: i16) -> Removal {
    Removal {
        api,
        key,
        new_minimum,
        only_400: false,
    }
}

/// The final 4.x table (rules catalog §E.1; Kafka 4.1.0/4.3 message schemas: "Versions X were
/// removed in Apache Kafka 4.0"). Not removed, although 3.7–3.9 flag them as deprecated:
/// Metadata v0–3, FindCoordinator v0, SaslHandshake v0, DeleteGroups v0, Produce v3–6.
pub const REMOVALS: &[Removal] = &[
    rm("Produce", 0, 3),
    rm("Fetch", 1, 4),
    rm("ListOffsets", 2, 1),
    rm("OffsetCommit", 8, 2),
    rm("OffsetFetch", 9, 1),
    Removal {
        only_400: true,
        ..rm("JoinGroup", 11, 2)
    },
    rm("CreateTopics", 19, 2),
    rm("DeleteTopics", 20, 1),
    rm("OffsetForLeaderEpoch", 23, 2),
    rm("WriteTxnMarkers", 27, 1),
    rm("DescribeAcls", 29, 1),
    rm("CreateAcls", 30, 1),
    rm("DeleteAcls", 31, 1),
    rm("DescribeConfigs", 32, 1),
    rm("AlterReplicaLogDirs", 34, 1),
    rm("DescribeLogDirs", 35, 1),
    rm("CreateDelegationToken", 38, 1),
    rm("RenewDelegationToken", 39, 1),
    rm("ExpireDelegationToken", 40, 1),
    rm("DescribeDelegationToken", 41, 1),
    // The ZooKeeper controller's RPCs: gone with ZooKeeper.
    rm("LeaderAndIsr", 4, i16::MAX),
    rm("StopReplica", 5, i16::MAX),
    rm("UpdateMetadata", 6, i16::MAX),
    rm("ControlledShutdown", 7, i16::MAX),
];

/// APIs only brokers send to each other (never a client finding).
pub(super) const INTER_BROKER: &[&str] = &[
    "FetchFollower",
    "LeaderAndIsr",
    "StopReplica",
    "UpdateMetadata",
    "ControlledShutdown",
    "WriteTxnMarkers",
    "AlterPartition",
    "AlterIsr",
    "BrokerRegistration",
    "BrokerHeartbeat",
    "AllocateProducerIds",
    "Vote",
    "BeginQuorumEpoch",
    "EndQuorumEpoch",
    "DescribeQuorum",
    "Envelope",
    "FetchSnapshot",
    "AddRaftVoter",
    "RemoveRaftVoter",
    "UpdateRaftVoter",
    "ControllerRegistration",
    "AssignReplicasToDirs",
];

/// The API a `request` tag stands for: `FetchConsumer`/`FetchFollower` are Fetch; older
/// brokers named ListOffsets `Offsets` and FindCoordinator `GroupCoordinator`.
pub fn canonical_api(name: &str) -> &str {
    match name {
        "FetchConsumer" | "FetchFollower" => "Fetch",
        "Offsets" => "ListOffsets",
        "GroupCoordinator" => "FindCoordinator",
        "AlterIsr" => "AlterPartition",
        other => other,
    }
}

pub fn is_inter_broker(api_tag: &str) -> bool {
    INTER_BROKER.contains(&api_tag)
}

pub fn removal(api: &str) -> Option<&'static Removal> {
    let api = canonical_api(api);
    REMOVALS.iter().find(|r| r.api == api)
}

/// Whether a request at `api` `version` is refused by a broker running `target`.
pub fn removed_in(api: &str, version: i16, target: &KafkaVersion) -> bool {
    if *target < v("4.0.0") {
        return false;
    }
    match removal(api) {
        Some(r) if version < r.new_minimum => !r.only_400 || *target < v("4.0.1"),
        _ => false,
    }
}
// ------------------------------------------------------------------------------------------------
// What old Java clients send

/// APIs whose version tells a Java client's generation apart, in [`JAVA_MAX`] column order.
pub const FINGERPRINT_APIS: [&str; 6] = [
    "Produce",
    "Fetch",
    "ListOffsets",
    "OffsetCommit",
    "OffsetFetch",
    "Metadata",
];

/// The version a Java kafka-clients release sends for each of [`FINGERPRINT_APIS`] to a broker
/// that supports newer ones (its newest). Measured: each release's producer and consumer
/// against a Kafka 3.9.2 broker, per-version request counters read before and after
/// (kafka-clients 0.10.0.1, 0.10.1.1, 0.10.2.2, 0.11.0.3, 1.0.2, 1.1.1, 2.0.1, 2.1.1 from Maven
/// Central); 2.0 and 2.1 also equal `collect::fingerprint`'s release table.
pub const JAVA_MAX: &[(&str, [i16; 6])] = &[
    ("0.10.0", [2, 2, 0, 2, 1, 1]),
    ("0.10.1", [2, 3, 1, 2, 1, 2]),
    ("0.10.2", [2, 3, 1, 2, 2, 2]),
    ("0.11.0", [3, 5, 2, 3, 3, 4]),
    ("1.0", [5, 6, 2, 3, 3, 5]),
    ("1.1", [5, 7, 2, 3, 3, 5]),
    ("2.0", [6, 8, 3, 4, 4, 6]),
    ("2.1", [7, 10, 4, 6, 5, 7]),
];

pub(super) fn fingerprint_col(api: &str) -> Option<usize> {
    FINGERPRINT_APIS
        .iter()
        .position(|a| *a == canonical_api(api))
}

/// The version every Java client from 2.1 on sends at least (the 4.x Java baseline).
pub fn java_21_level(api: &str) -> Option<i16> {
    let col = fingerprint_col(api)?;
    JAVA_MAX
        .iter()
        .find(|(r, _)| *r == "2.1")
        .map(|(_, m)| m[col])
}

/// Below the Java 2.1 level for an API that identifies client generations. Metadata is not one
/// of them here: kafka-python 2.0.2 and librdkafka send old Metadata versions whatever their age.
pub fn below_java_21(api: &str, version: i16) -> bool {
    canonical_api(api) != "Metadata" && java_21_level(api).is_some_and(|l| version < l)
}

/// The Java releases whose newest version of `api` is `version` (`0.11`, `1.0–1.1`), if any.
pub fn java_releases_at(api: &str, version: i16) -> Option<String> {
    let col = fingerprint_col(api)?;
    let hits: Vec<&str> = JAVA_MAX
        .iter()
        .filter(|(_, m)| m[col] == version)
        .map(|(r, _)| *r)
        .collect();
    match hits.as_slice() {
        [] => None,
        [one] => Some(one.to_string()),
        [first, .., last] => Some(format!("{first}–{last}")),
    }
}
