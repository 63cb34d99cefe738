//! What a broker's ApiVersions answer says about its software, and metadata.version names.
//!
//! Kafka has no request that reports the broker's software version, but every Apache Kafka minor
//! release raises the highest supported version of some APIs. `software_version` compares the
//! answer with a table of those highest versions, one row per minor release from 2.0 to 4.4.

use std::collections::HashMap;

/// `metadata.version` feature level → name (`MetadataVersion.java` in server-common).
///
/// Levels 1–21 were checked against kafka-server-common 3.9.2, and levels 7–33 against 4.4.0.
/// (4.0 removed the levels below 3.3-IV3.) The table ends at the newest production level of 4.4,
/// which is 4.4-IV2. Kafka 4.4 also defines level 34 as "4.5-IV0", but that level is unstable and
/// can be renumbered before 4.5 is released, so it is not in the table.
pub fn metadata_version_name(level: i64) -> Option<String> {
    const NAMES: &[(i64, &str)] = &[
        (1, "3.0-IV1"),
        (2, "3.1-IV0"),
        (3, "3.2-IV0"),
        (4, "3.3-IV0"),
        (5, "3.3-IV1"),
        (6, "3.3-IV2"),
        (7, "3.3-IV3"),
        (8, "3.4-IV0"),
        (9, "3.5-IV0"),
        (10, "3.5-IV1"),
        (11, "3.5-IV2"),
        (12, "3.6-IV0"),
        (13, "3.6-IV1"),
        (14, "3.6-IV2"),
        (15, "3.7-IV0"),
        (16, "3.7-IV1"),
        (17, "3.7-IV2"),
        (18, "3.7-IV3"),
        (19, "3.7-IV4"),
        (20, "3.8-IV0"),
        (21, "3.9-IV0"),
        (22, "4.0-IV0"),
        (23, "4.0-IV1"),
        (24, "4.0-IV2"),
        (25, "4.0-IV3"),
        (26, "4.1-IV0"),
        (27, "4.1-IV1"),
        (28, "4.2-IV0"),
        (29, "4.2-IV1"),
        (30, "4.3-IV0"),
        (31, "4.4-IV0"),
        (32, "4.4-IV1"),
        (33, "4.4-IV2"),
    ];
    NAMES
        .iter()
        .find(|(l, _)| *l == level)
        .map(|(_, n)| n.to_string())
}

/// The APIs whose highest version identifies the release. Each of them is served by every broker
/// from 2.0 on, in both ZooKeeper and KRaft mode (2.8's early-access KRaft brokers lack a few, see
/// `-1` in the table). None of them is forwarded to the controller, so a KRaft broker does not
/// lower its answer to what the controller supports. None of them depends on broker
/// configuration or features. So these APIs leave out, for example, CreateTopics (forwarded),
/// ConsumerGroupHeartbeat, the share-group and streams-group APIs (depend on features and
/// configuration), and GetTelemetrySubscriptions/PushTelemetry (only with a telemetry reporter).
const KEYS: [i16; 26] = [
    0,  // Produce
    1,  // Fetch
    2,  // ListOffsets
    3,  // Metadata
    8,  // OffsetCommit
    9,  // OffsetFetch
    10, // FindCoordinator
    11, // JoinGroup
    12, // Heartbeat
    13, // LeaveGroup
    14, // SyncGroup
    15, // DescribeGroups
    16, // ListGroups
    18, // ApiVersions
    21, // DeleteRecords
    22, // InitProducerId
    23, // OffsetForLeaderEpoch
    24, // AddPartitionsToTxn
    25, // AddOffsetsToTxn
    26, // EndTxn
    28, // TxnOffsetCommit
    29, // DescribeAcls
    32, // DescribeConfigs
    35, // DescribeLogDirs
    36, // SaslAuthenticate
    42, // DeleteGroups
];

/// The APIs that every answer must contain. Without them, the answer does not come from a broker:
/// a KRaft controller, for example, serves neither Produce nor Metadata.
const ESSENTIAL: [i16; 4] = [0, 1, 3, 18];

struct Release {
    name: &'static str,
    /// The highest version that a release broker advertises for each API in `KEYS`, as the
    /// broker advertises it by default (an unstable latest version is not advertised). `-1`: not
    /// every broker of this release serves the API.
    max: [i16; KEYS.len()],
    /// More `(key, version)` pairs that the release must advertise. These are APIs that only
    /// some brokers serve.
    also: &'static [(i16, i16)],
}

const fn rel(name: &'static str, max: [i16; KEYS.len()], also: &'static [(i16, i16)]) -> Release {
    Release { name, max, also }
}

/// One row per minor release, oldest first. Each value is the lowest that the broker modes of
/// the release advertise: ZooKeeper for 2.0–3.9, KRaft for 2.8–4.4. Patch releases do not change
/// these values. For each minor release from 2.2 to 4.3, the schemas of the first and the last
/// patch release are the same. (For 3.7 and 3.8, the last patch release was read from the
/// release branch and from 3.8.1-rc1.) The only difference is the JoinGroup minimum
/// (4.0.0: 2, 4.0.2: 0), and the table does not use it.
///
/// Source: the request message schemas of each release
/// (`clients/src/main/resources/common/message/*Request.json`: `validVersions`, `listeners`,
/// `latestVersionUnstable`). They were read in the apache/kafka git repository at the tag or
/// branch named in the row, or in the kafka-clients jar from Maven Central. 2.0 and 2.1 have no
/// JSON schemas, so those rows were counted from `*Request.schemaVersions()` at the tag. The
/// answers derived from the schemas equal real broker answers. Those are the rig's 3.9.2 (zk,
/// kraft) and 4.4.0 answers in `tests/fixtures/apiversions/`, and the answers that kafka-python
/// recorded for 2.0–4.3.
///
/// No API in `KEYS` separates 3.4 from 3.3. 3.4 raised only the ZooKeeper-mode controller RPCs
/// LeaderAndIsr (v7), StopReplica (v4) and UpdateMetadata (v8). So a ZooKeeper broker is
/// recognised as 3.4 by LeaderAndIsr v7, and a KRaft 3.4 broker is reported as "3.3".
#[rustfmt::skip]
const RELEASES: &[Release] = &[
    // key:      0   1   2   3   8   9  10  11  12  13  14  15  16  18  21  22  23  24  25  26  28  29  32  35  36  42
    rel("2.0", [ 6,  8,  3,  6,  4,  4,  2,  3,  2,  2,  2,  2,  2,  2,  1,  1,  1,  1,  1,  1,  1,  1,  2,  1,  0,  1], &[]), // tag 2.0.1
    rel("2.1", [ 7, 10,  4,  7,  6,  5,  2,  3,  2,  2,  2,  2,  2,  2,  1,  1,  2,  1,  1,  1,  2,  1,  2,  1,  0,  1], &[]), // tag 2.1.1
    rel("2.2", [ 7, 10,  5,  7,  6,  5,  2,  4,  2,  2,  2,  2,  2,  2,  1,  1,  2,  1,  1,  1,  2,  1,  2,  1,  1,  1], &[]), // tag 2.2.2
    rel("2.3", [ 7, 11,  5,  8,  7,  5,  2,  5,  3,  2,  3,  3,  2,  2,  1,  1,  3,  1,  1,  1,  2,  1,  2,  1,  1,  1], &[]), // tag 2.3.1
    rel("2.4", [ 8, 11,  5,  9,  8,  6,  3,  6,  4,  4,  4,  5,  3,  3,  1,  2,  3,  1,  1,  1,  2,  1,  2,  1,  1,  2], &[]), // tag 2.4.1
    rel("2.5", [ 8, 11,  5,  9,  8,  7,  3,  7,  4,  4,  5,  5,  3,  3,  1,  3,  3,  1,  1,  1,  3,  2,  2,  1,  2,  2], &[]), // tag 2.5.1
    rel("2.6", [ 8, 11,  5,  9,  8,  7,  3,  7,  4,  4,  5,  5,  4,  3,  2,  3,  3,  1,  1,  1,  3,  2,  3,  2,  2,  2], &[]), // tag 2.6.3
    rel("2.7", [ 8, 12,  5,  9,  8,  7,  3,  7,  4,  4,  5,  5,  4,  3,  2,  4,  3,  2,  2,  2,  3,  2,  3,  2,  2,  2], &[]), // tag 2.7.2
    rel("2.8", [ 9, 12,  6, 11,  8,  7,  3,  7,  4,  4,  5,  5,  4,  3,  2, -1,  4, -1, -1, -1, -1, -1,  4,  2,  2,  2], &[]), // tag 2.8.2
    rel("3.0", [ 9, 12,  7, 11,  8,  8,  4,  7,  4,  4,  5,  5,  4,  3,  2,  4,  4,  3,  3,  3,  3,  2,  4,  2,  2,  2], &[]), // tag 3.0.2
    rel("3.1", [ 9, 13,  7, 12,  8,  8,  4,  7,  4,  4,  5,  5,  4,  3,  2,  4,  4,  3,  3,  3,  3,  2,  4,  2,  2,  2], &[]), // tag 3.1.2
    rel("3.2", [ 9, 13,  7, 12,  8,  8,  4,  9,  4,  5,  5,  5,  4,  3,  2,  4,  4,  3,  3,  3,  3,  2,  4,  3,  2,  2], &[]), // tag 3.2.3
    rel("3.3", [ 9, 13,  7, 12,  8,  8,  4,  9,  4,  5,  5,  5,  4,  3,  2,  4,  4,  3,  3,  3,  3,  3,  4,  4,  2,  2], &[]), // tag 3.3.2
    rel("3.4", [ 9, 13,  7, 12,  8,  8,  4,  9,  4,  5,  5,  5,  4,  3,  2,  4,  4,  3,  3,  3,  3,  3,  4,  4,  2,  2], &[(4, 7)]), // tag 3.4.1
    rel("3.5", [ 9, 15,  8, 12,  8,  8,  4,  9,  4,  5,  5,  5,  4,  3,  2,  4,  4,  3,  3,  3,  3,  3,  4,  4,  2,  2], &[]), // tag 3.5.2
    rel("3.6", [ 9, 15,  8, 12,  8,  8,  4,  9,  4,  5,  5,  5,  4,  3,  2,  4,  4,  4,  3,  3,  3,  3,  4,  4,  2,  2], &[]), // tag 3.6.2
    rel("3.7", [10, 16,  8, 12,  9,  9,  4,  9,  4,  5,  5,  5,  4,  3,  2,  4,  4,  4,  3,  3,  3,  3,  4,  4,  2,  2], &[]), // branch 3.7 (= tag 3.7.1)
    rel("3.8", [11, 16,  8, 12,  9,  9,  5,  9,  4,  5,  5,  5,  5,  3,  2,  5,  4,  5,  4,  4,  4,  3,  4,  4,  2,  2], &[]), // branch 3.8 (= tag 3.8.0)
    rel("3.9", [11, 17,  9, 12,  9,  9,  6,  9,  4,  5,  5,  5,  5,  4,  2,  5,  4,  5,  4,  4,  4,  3,  4,  4,  2,  2], &[]), // kafka-clients 3.9.2 (= branch 3.9)
    rel("4.0", [12, 17, 10, 13,  9,  9,  6,  9,  4,  5,  5,  6,  5,  4,  2,  5,  4,  5,  4,  5,  5,  3,  4,  4,  2,  2], &[]), // kafka-clients 4.0.2
    rel("4.1", [13, 18, 10, 13,  9,  9,  6,  9,  4,  5,  5,  6,  5,  4,  2,  5,  4,  5,  4,  5,  5,  3,  4,  4,  2,  2], &[]), // kafka-clients 4.1.2
    rel("4.2", [13, 18, 11, 13, 10, 10,  6,  9,  4,  5,  5,  6,  5,  4,  2,  5,  4,  5,  4,  5,  5,  3,  4,  4,  2,  2], &[]), // kafka-clients 4.2.2
    rel("4.3", [13, 18, 11, 13, 10, 10,  6,  9,  4,  5,  5,  6,  5,  4,  2,  5,  4,  5,  4,  5,  5,  3,  4,  5,  2,  2], &[]), // kafka-clients 4.3.1
    rel("4.4", [13, 18, 11, 13, 10, 10,  6,  9,  4,  5,  5,  6,  5,  5,  2,  5,  4,  5,  4,  5,  6,  3,  4,  5,  2,  3], &[]), // kafka-clients 4.4.0
];

/// The highest version of `key` that the broker advertises.
fn max_of(versions: &HashMap<i16, (i16, i16)>, key: i16) -> Option<i16> {
    versions.get(&key).map(|&(_, max)| max)
}

/// Does the broker advertise at least what every broker of `r` advertises?
fn satisfies(r: &Release, versions: &HashMap<i16, (i16, i16)>) -> bool {
    let at_least =
        |key: i16, want: i16| want < 0 || max_of(versions, key).is_some_and(|m| m >= want);
    KEYS.iter()
        .zip(r.max)
        .all(|(&key, want)| at_least(key, want))
        && r.also.iter().all(|&(key, want)| at_least(key, want))
}

/// The release (index into `RELEASES`) that first advertised `version` of the API in column
/// `col`. `None` means no known release advertises it. Either the broker is newer than the table,
/// or the broker advertises an unstable version.
fn first_with(col: usize, version: i16) -> Option<usize> {
    RELEASES
        .iter()
        .position(|r| r.max[col] >= 0 && r.max[col] >= version)
}

/// The Kafka release a broker runs, judged from the versions it supports (`major.minor`), or
/// `None` when the answer matches no known release.
///
/// The answer is the newest release whose every table version the broker advertises too, so it
/// is a lower bound. The brokers of one minor release answer the same, so the patch release
/// cannot be told. A broker newer than the table is reported as the newest release in the table.
/// A KRaft 3.4 broker is reported as "3.3" (see `RELEASES`).
///
/// The result is `None` in these cases: the answer is not well formed (a negative or inverted
/// range), it lacks Produce, Fetch, Metadata or ApiVersions (it is not a broker, for example a
/// KRaft controller), it is older than 2.0, or it is inconsistent. An inconsistent answer matches
/// release R, but some table API is at a version that first came two or more releases after R.
/// Apache Kafka raises versions only upwards, so no release gives such an answer. It can come from
/// another implementation of the protocol, or from a proxy that lowers some versions. A version
/// newer than any in the table is allowed: it can come from a newer release or from
/// `unstable.api.versions.enable`.
/// The newest release (major.minor) the table knows.
pub fn newest_release() -> &'static str {
    RELEASES
        .last()
        .expect("the release table is not empty")
        .name
}

pub fn software_version(versions: &HashMap<i16, (i16, i16)>) -> Option<String> {
    if versions.values().any(|&(min, max)| min < 0 || min > max) {
        return None;
    }
    if ESSENTIAL.iter().any(|key| !versions.contains_key(key)) {
        return None;
    }
    let found = RELEASES.iter().rposition(|r| satisfies(r, versions))?;
    let consistent = KEYS.iter().enumerate().all(|(col, &key)| {
        match max_of(versions, key).and_then(|m| first_with(col, m)) {
            Some(first) => first <= found + 1,
            None => true,
        }
    });
    consistent.then(|| RELEASES[found].name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    type Answer = HashMap<i16, (i16, i16)>;

    const ZK_392: &str = include_str!("../../tests/fixtures/apiversions/kafka-3.9.2-zk.txt");
    const KRAFT_392: &str = include_str!("../../tests/fixtures/apiversions/kafka-3.9.2-kraft.txt");
    const KRAFT_440: &str = include_str!("../../tests/fixtures/apiversions/kafka-4.4.0-kraft.txt");

    /// The answer that the table says a broker of `release` gives, limited to the table APIs.
    fn signature(release: &str) -> Answer {
        let r = RELEASES.iter().find(|r| r.name == release).unwrap();
        let mut m: Answer = KEYS
            .iter()
            .zip(r.max)
            .filter(|(_, max)| *max >= 0)
            .map(|(&k, max)| (k, (0, max)))
            .collect();
        m.extend(r.also.iter().map(|&(k, v)| (k, (0, v))));
        m
    }

    /// `model.txt`: `<release> <mode> <key>:<min>-<max> ...` per line.
    fn model() -> Vec<(String, String, Answer)> {
        let text = include_str!("../../tests/fixtures/apiversions/model.txt");
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let mut it = l.split_whitespace();
                let release = it.next().unwrap().to_string();
                let mode = it.next().unwrap().to_string();
                let map = it
                    .map(|kv| {
                        let (k, r) = kv.split_once(':').unwrap();
                        let (lo, hi) = r.split_once('-').unwrap();
                        (
                            k.parse().unwrap(),
                            (lo.parse().unwrap(), hi.parse().unwrap()),
                        )
                    })
                    .collect();
                (release, mode, map)
            })
            .collect()
    }

    /// The output of `kafka-broker-api-versions`: one map per broker. Lines read like
    /// `Fetch(1): 4 to 18 [usable: 18],` or `OffsetDelete(47): 0 [usable: 0],`. Lines with
    /// `UNSUPPORTED` are APIs that the broker does not advertise.
    fn recorded(text: &str) -> Vec<Answer> {
        let mut out: Vec<Answer> = Vec::new();
        for line in text.lines() {
            if line.contains(" -> (") {
                out.push(HashMap::new());
                continue;
            }
            let Some((head, rest)) = line.trim().split_once("): ") else {
                continue;
            };
            let Some((_, key)) = head.rsplit_once('(') else {
                continue;
            };
            let Some((range, _)) = rest.split_once(" [usable") else {
                continue;
            };
            let (lo, hi) = range.split_once(" to ").unwrap_or((range, range));
            let entry = (
                key.parse().unwrap(),
                (lo.parse().unwrap(), hi.parse().unwrap()),
            );
            out.last_mut().unwrap().insert(entry.0, entry.1);
        }
        out
    }

    #[test]
    fn table_is_ordered_and_every_release_differs_from_the_one_before() {
        for pair in RELEASES.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            for (col, (x, y)) in a.max.iter().zip(b.max).enumerate() {
                assert!(
                    *x < 0 || y < 0 || y >= *x,
                    "api {} goes down from {} to {}",
                    KEYS[col],
                    a.name,
                    b.name
                );
            }
            assert!(
                !satisfies(b, &signature(a.name)),
                "{} cannot be told from {}",
                b.name,
                a.name
            );
        }
    }

    #[test]
    fn every_table_release_is_recognised_from_its_signature() {
        for r in RELEASES {
            assert_eq!(
                software_version(&signature(r.name)).as_deref(),
                Some(r.name)
            );
        }
    }

    #[test]
    fn every_modelled_broker_answer_is_recognised() {
        let model = model();
        assert_eq!(model.len(), 36);
        for (release, mode, map) in &model {
            let want = match (release.as_str(), mode.as_str()) {
                ("1.1", _) => None,
                // 3.4 raised only ZooKeeper-mode RPCs; a KRaft 3.4 broker answers as 3.3 does.
                ("3.4", "kraft") => Some("3.3"),
                (r, _) => Some(r),
            };
            assert_eq!(software_version(map).as_deref(), want, "{release} {mode}");
        }
    }

    #[test]
    fn real_broker_answers_from_the_rig() {
        for (text, want, brokers) in [
            (ZK_392, "3.9", 2),
            (KRAFT_392, "3.9", 1),
            (KRAFT_440, "4.4", 1),
        ] {
            let answers = recorded(text);
            assert_eq!(answers.len(), brokers);
            for a in answers {
                assert!(a.len() > 50);
                assert_eq!(software_version(&a).as_deref(), Some(want));
            }
        }
    }

    #[test]
    fn derived_answers_equal_the_recorded_ones() {
        let model = model();
        let get = |r: &str, m: &str| {
            model
                .iter()
                .find(|(rr, mm, _)| rr == r && mm == m)
                .map(|(_, _, map)| map.clone())
                .unwrap()
        };
        let zk = recorded(ZK_392);
        assert_eq!(zk[0], get("3.9", "zk"));
        assert_eq!(zk[1], get("3.9", "zk"));
        assert_eq!(recorded(KRAFT_392)[0], get("3.9", "kraft"));
        assert_eq!(recorded(KRAFT_440)[0], get("4.4", "kraft"));
    }

    #[test]
    fn a_broker_newer_than_the_table_is_the_newest_known_release() {
        let mut m = signature("4.4");
        m.insert(1, (4, 19));
        m.insert(0, (0, 14));
        m.insert(99, (0, 0));
        assert_eq!(software_version(&m).as_deref(), Some("4.4"));
    }

    #[test]
    fn unstable_versions_do_not_hide_the_release() {
        // unstable.api.versions.enable=true on 4.2: InitProducerId v6 (never stable up to 4.4).
        let mut m = signature("4.2");
        m.insert(22, (0, 6));
        assert_eq!(software_version(&m).as_deref(), Some("4.2"));
        // ... on 3.6: OffsetCommit v9 (stable in 3.7), ConsumerGroupHeartbeat v0.
        let mut m = signature("3.6");
        m.insert(8, (0, 9));
        m.insert(68, (0, 0));
        assert_eq!(software_version(&m).as_deref(), Some("3.6"));
    }

    #[test]
    fn zookeeper_3_4_is_told_from_3_3_by_leader_and_isr() {
        let mut m = signature("3.3");
        assert_eq!(software_version(&m).as_deref(), Some("3.3"));
        m.insert(4, (0, 6));
        assert_eq!(software_version(&m).as_deref(), Some("3.3"));
        m.insert(4, (0, 7));
        assert_eq!(software_version(&m).as_deref(), Some("3.4"));
    }

    #[test]
    fn garbled_or_foreign_answers_give_none() {
        assert_eq!(software_version(&HashMap::new()), None);
        // no Produce: not a broker (a KRaft controller answers like this)
        let mut m = signature("3.9");
        m.remove(&0);
        assert_eq!(software_version(&m), None);
        // an inverted or negative range
        let mut m = signature("3.9");
        m.insert(1, (5, 3));
        assert_eq!(software_version(&m), None);
        let mut m = signature("3.9");
        m.insert(60, (-1, 0));
        assert_eq!(software_version(&m), None);
        // Fetch v18 (first in 4.1) next to Produce v7 (a 2.3 signature): no release answers so
        let mut m = signature("2.3");
        m.insert(1, (0, 18));
        assert_eq!(software_version(&m), None);
    }

    #[test]
    fn a_one_release_step_ahead_is_still_a_lower_bound() {
        // Fetch v12 (2.7) on a 2.6 answer: a 2.6-era build or unstable version; still "2.6".
        let mut m = signature("2.6");
        m.insert(1, (0, 12));
        assert_eq!(software_version(&m).as_deref(), Some("2.6"));
    }

    #[test]
    fn metadata_version_names() {
        assert_eq!(metadata_version_name(1).as_deref(), Some("3.0-IV1"));
        assert_eq!(metadata_version_name(7).as_deref(), Some("3.3-IV3"));
        assert_eq!(metadata_version_name(21).as_deref(), Some("3.9-IV0"));
        assert_eq!(metadata_version_name(22).as_deref(), Some("4.0-IV0"));
        assert_eq!(metadata_version_name(25).as_deref(), Some("4.0-IV3"));
        assert_eq!(metadata_version_name(27).as_deref(), Some("4.1-IV1"));
        assert_eq!(metadata_version_name(29).as_deref(), Some("4.2-IV1"));
        assert_eq!(metadata_version_name(30).as_deref(), Some("4.3-IV0"));
        assert_eq!(metadata_version_name(33).as_deref(), Some("4.4-IV2"));
        assert_eq!(metadata_version_name(0), None);
        assert_eq!(metadata_version_name(34), None);
    }
}
