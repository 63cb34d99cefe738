//! Unit tests of the compatibility tables and the views built from them.

use super::libraries::*;
use super::protocol::*;
use super::views::*;
use super::*;
use crate::inventory::Dependency;
use crate::version::KafkaVersion;

fn t(s: &str) -> KafkaVersion {
    KafkaVersion::parse(s).unwrap()
}

/// The final KIP-896 table (rules catalog §E.1, facts-check §3), version by version.
#[test]
fn removed_versions_follow_the_final_table() {
    let t43 = t("4.3.1");
    for (api, version) in [
        ("Produce", 0),
        ("Produce", 2),
        ("Fetch", 3),
        ("FetchConsumer", 0),
        ("ListOffsets", 0),
        ("Offsets", 0),
        ("OffsetCommit", 1),
        ("OffsetFetch", 0),
        ("CreateTopics", 1),
        ("DeleteTopics", 0),
        ("OffsetForLeaderEpoch", 1),
        ("DescribeAcls", 0),
        ("CreateAcls", 0),
        ("DeleteAcls", 0),
        ("DescribeConfigs", 0),
        ("AlterReplicaLogDirs", 0),
        ("DescribeLogDirs", 0),
        ("CreateDelegationToken", 0),
        ("DescribeDelegationToken", 0),
    ] {
        assert!(
            removed_in(api, version, &t43),
            "{api} v{version} is removed in 4.x"
        );
        assert!(
            removed_in(api, version, &t("4.0.0")),
            "{api} v{version} is removed in 4.0.0"
        );
    }
}

/// What must NOT be blocking: versions 4.x still serves although 3.x flagged them.
#[test]
fn kept_versions_are_not_removed() {
    for target in ["4.0.0", "4.0.1", "4.1.0", "4.3.1", "4.1.x.kraft"] {
        let tv = t(target);
        for (api, version) in [
            ("Metadata", 0),
            ("Metadata", 3),
            ("FindCoordinator", 0),
            ("SaslHandshake", 0),
            ("DeleteGroups", 0),
            ("Produce", 3),
            ("Produce", 6),
            ("Fetch", 4),
            ("ListOffsets", 1),
            ("OffsetCommit", 2),
            ("OffsetFetch", 1),
            ("JoinGroup", 2),
            ("ApiVersions", 0),
            ("Heartbeat", 0),
            ("SyncGroup", 0),
        ] {
            assert!(
                !removed_in(api, version, &tv),
                "{api} v{version} on {target}"
            );
        }
    }
}

#[test]
fn joingroup_v0_v1_only_on_4_0_0() {
    for v in [0, 1] {
        assert!(removed_in("JoinGroup", v, &t("4.0.0")));
        assert!(removed_in("JoinGroup", v, &t("4.0")));
        assert!(!removed_in("JoinGroup", v, &t("4.0.1")));
        assert!(!removed_in("JoinGroup", v, &t("4.0.x")));
        assert!(!removed_in("JoinGroup", v, &t("4.1.0")));
        assert!(!removed_in("JoinGroup", v, &t("4.3.1")));
    }
}

#[test]
fn nothing_is_removed_before_4_0() {
    for target in ["3.9.2", "3.9.x.kraft", "3.7.x.kraft"] {
        assert!(!removed_in("Produce", 0, &t(target)));
        assert!(!removed_in("Fetch", 0, &t(target)));
    }
}

#[test]
fn java_fingerprint_names_releases() {
    assert_eq!(java_releases_at("Produce", 3).as_deref(), Some("0.11.0"));
    assert_eq!(java_releases_at("Produce", 6).as_deref(), Some("2.0"));
    assert_eq!(java_releases_at("Produce", 5).as_deref(), Some("1.0–1.1"));
    assert_eq!(
        java_releases_at("FetchConsumer", 5).as_deref(),
        Some("0.11.0")
    );
    assert_eq!(java_releases_at("Fetch", 8).as_deref(), Some("2.0"));
    assert_eq!(java_releases_at("Produce", 4), None);
    assert!(below_java_21("Produce", 6));
    assert!(!below_java_21("Produce", 7));
    assert!(!below_java_21("Produce", 11));
    assert!(below_java_21("FetchConsumer", 8));
    assert!(!below_java_21("Fetch", 17));
    // Metadata says nothing about the client's age (kafka-python sends v1).
    assert!(!below_java_21("Metadata", 1));
    assert!(!below_java_21("ApiVersions", 0));
    // the 2.1 row equals the broker release table of collect::fingerprint
    assert_eq!(java_21_level("Produce"), Some(7));
    assert_eq!(java_21_level("Fetch"), Some(10));
    assert_eq!(java_21_level("ListOffsets"), Some(4));
    assert_eq!(java_21_level("OffsetCommit"), Some(6));
    assert_eq!(java_21_level("OffsetFetch"), Some(5));
}

fn verdict(name: &str, version: &str) -> &'static str {
    judge(family_of_kip511(name), version).verdict
}

#[test]
fn client_baselines() {
    // Java: below 2.1 unsupported, 2.1–2.8 partial, 3.0+ fine
    assert_eq!(verdict("apache-kafka-java", "2.0.1"), "below-baseline");
    assert_eq!(verdict("apache-kafka-java", "2.1.0"), "partial");
    assert_eq!(verdict("apache-kafka-java", "2.8.2"), "partial");
    assert_eq!(verdict("apache-kafka-java", "3.0.0"), "ok");
    assert_eq!(verdict("apache-kafka-java", "4.4.0"), "ok");
    // Confluent builds: 5.0.x-ccs = AK 2.0, 6.2.x-ccs = AK 2.8, 7.5.0-ccs = AK 3.5
    assert_eq!(verdict("apache-kafka-java", "5.0.1-ccs"), "below-baseline");
    assert_eq!(verdict("apache-kafka-java", "6.2.0-ccs"), "partial");
    assert_eq!(verdict("apache-kafka-java", "7.5.0-ccs"), "ok");
    // librdkafka and its wrappers: 1.8.2
    assert_eq!(verdict("librdkafka", "1.8.0"), "below-baseline");
    assert_eq!(verdict("librdkafka", "1.8.2"), "ok");
    assert_eq!(verdict("librdkafka", "2.3.0"), "ok");
    assert_eq!(
        verdict("confluent-kafka-python", "1.7.0-rdkafka-1.7.0"),
        "below-baseline"
    );
    assert_eq!(
        verdict("confluent-kafka-python", "2.3.0-rdkafka-2.3.0"),
        "ok"
    );
    assert_eq!(verdict("confluent-kafka-go", "1.9.2"), "ok");
    // Sarama 1.30.1, kafka-python 2.0.2, KafkaJS 1.15.0
    assert_eq!(verdict("sarama", "v1.30.0"), "below-baseline");
    assert_eq!(verdict("sarama", "v1.30.1"), "ok");
    assert_eq!(verdict("sarama", "dev"), "unknown-version");
    assert_eq!(verdict("kafka-python", "2.0.1"), "below-baseline");
    assert_eq!(verdict("kafka-python", "2.2.15"), "ok");
    assert_eq!(judge(family("kafkajs"), "1.14.0").verdict, "below-baseline");
    assert_eq!(judge(family("kafkajs"), "1.15.0").verdict, "ok");
    assert_eq!(verdict("kgo", "v1.18.0"), "no-baseline");
    assert_eq!(judge(None, "unknown").verdict, "unknown-software");
    assert_eq!(verdict("my-own-client", "1.0"), "unknown-software");
}

#[test]
fn bundled_librdkafka_of_wrappers() {
    let b = |e: &str, p: &str, v: &str| bundled_librdkafka(e, p, v).map(|(lo, hi, _)| (lo, hi));
    let s = |x: &str| x.to_string();
    // a listed release: exactly what it bundles
    assert_eq!(
        b("npm", "node-rdkafka", "2.5.1"),
        Some((s("0.11.5"), Some(s("0.11.5"))))
    );
    assert_eq!(
        b("npm", "node-rdkafka", "2.13.0"),
        Some((s("1.8.2"), Some(s("1.8.2"))))
    );
    // between listed releases: at least the lower row, at most the next one
    assert_eq!(
        b("npm", "node-rdkafka", "2.14.0"),
        Some((s("1.8.2"), Some(s("1.9.2"))))
    );
    // newer than the table: open
    assert_eq!(b("npm", "node-rdkafka", "9.0.0"), Some((s("2.12.0"), None)));
    // older than the table: at most the first row
    assert_eq!(
        b("npm", "node-rdkafka", "1.0.0"),
        Some((s("0.0.0"), Some(s("0.11.5"))))
    );
    assert_eq!(
        b("cargo", "rdkafka-sys", "1.0.0"),
        Some((s("1.0.0"), Some(s("1.0.0"))))
    );
    assert_eq!(
        b("cargo", "rdkafka", "0.21.0"),
        Some((s("1.0.0"), Some(s("1.3.0"))))
    );
    assert_eq!(b("cargo", "rdkafka", "0.26.0"), Some((s("1.6.1"), None)));
    assert_eq!(
        b("rubygems", "rdkafka", "0.11.0"),
        Some((s("1.8.2"), Some(s("1.8.2"))))
    );
    assert_eq!(b("npm", "kafkajs", "2.0.0"), None);
    // every table is ordered and its rows parse
    for t in BUNDLES {
        for w in t.rows.windows(2) {
            assert!(
                v(w[0].0) < v(w[1].0),
                "{} rows out of order at {}",
                t.package,
                w[1].0
            );
            assert!(
                v(w[0].1) <= v(w[1].1),
                "{}: librdkafka goes back at {}",
                t.package,
                w[1].0
            );
        }
    }
}

fn dep(
    eco: &str,
    lib: &str,
    version: &str,
    resolved: Option<&str>,
    lock: Option<&str>,
) -> Dependency {
    Dependency {
        repo: "r".into(),
        file: "f".into(),
        ecosystem: eco.into(),
        kind: "kafka-client".into(),
        library: lib.into(),
        version: version.into(),
        resolved: resolved.map(str::to_string),
        lock_file: lock.map(str::to_string),
        ..Default::default()
    }
}

#[test]
fn wrappers_never_go_silent() {
    let j = |d: &Dependency, all: &[Dependency]| judge_dependency(d, all);
    // rust rdkafka judged through the rdkafka-sys of its lock file
    let all = vec![
        dep(
            "cargo",
            "rdkafka",
            "0.26",
            Some("0.26.0"),
            Some("Cargo.lock"),
        ),
        dep(
            "cargo",
            "rdkafka-sys",
            "4.0.0+1.6.1",
            Some("4.0.0+1.6.1"),
            Some("Cargo.lock"),
        ),
    ];
    assert_eq!(j(&all[0], &all).verdict.verdict, "below-baseline");
    // without a lock file, rdkafka 0.26 straddles the baseline: unknown with a reason
    let alone = dep("cargo", "rdkafka", "0.26", None, None);
    let r = j(&alone, &[]);
    assert_eq!(r.verdict.verdict, "unknown-version");
    assert!(r.reason.contains("1.6.1 or newer"), "{}", r.reason);
    assert_eq!(
        j(&dep("cargo", "rdkafka", "0.29", None, None), &[])
            .verdict
            .verdict,
        "ok"
    );
    // no version at all: unknown, naming the file
    let r = j(&dep("npm", "node-rdkafka", "", None, None), &[]);
    assert_eq!(r.verdict.verdict, "unknown-version");
    assert!(!r.reason.is_empty());
    // libraries without a baseline carry a reason (CLIENT-006 reports them unknown)
    let r = j(
        &dep("go", "github.com/twmb/franz-go", "v1.18.0", None, None),
        &[],
    );
    assert_eq!(r.verdict.verdict, "no-baseline");
    assert!(r.reason.contains("no documented"));
    // the librdkafka traps of 4.0.0 apply to wrappers by their bundled version
    let r = j(&dep("npm", "node-rdkafka", "3.0.0", None, None), &[]);
    assert_eq!(r.verdict.verdict, "ok");
    assert_eq!(r.verdict.effective.as_deref(), Some("2.3.0"));
}

#[test]
fn traps_of_4_0_0() {
    assert_eq!(traps_400("librdkafka", Some("2.10.1")).len(), 1);
    assert!(traps_400("librdkafka", Some("2.11.0")).is_empty());
    assert_eq!(traps_400("sarama", Some("1.45.0")).len(), 1);
    assert_eq!(traps_400("kafka-go", Some("0.4.47")).len(), 1);
    assert!(traps_400("kafka-go", Some("0.4.48")).is_empty());
    assert!(traps_400("java", Some("3.9.0")).is_empty());
}

#[test]
fn packages_are_classified() {
    assert_eq!(
        classify_package("maven", "org.apache.kafka:kafka-clients"),
        Some(("kafka-client", "java"))
    );
    assert_eq!(
        classify_package("gradle", "org.apache.curator:curator-framework"),
        Some(("zookeeper-client", "Apache Curator"))
    );
    assert_eq!(
        classify_package("pypi", "Kafka_Python"),
        Some(("kafka-client", "kafka-python"))
    );
    assert_eq!(
        classify_package("nuget", "confluent.kafka"),
        Some(("kafka-client", "confluent-kafka-dotnet"))
    );
    assert_eq!(
        classify_package("go", "github.com/go-zookeeper/zk"),
        Some(("zookeeper-client", "go-zookeeper"))
    );
    assert_eq!(classify_package("npm", "kafka"), None);
    assert_eq!(
        classify_package("maven", "org.apache.kafka:kafka-tools"),
        None
    );
}

#[test]
fn lowest_versions_of_declarations() {
    for (spec, want) in [
        ("2.0.1", Some("2.0.1")),
        ("^1.12.0", Some("1.12.0")),
        ("~1.12", Some("1.12")),
        (">=1.5,<2", Some("1.5")),
        ("==2.0.2", Some("2.0.2")),
        ("~> 0.12", Some("0.12")),
        ("[2.0,3.0)", Some("2.0")),
        ("v1.30.1", Some("1.30.1")),
        ("1.+", Some("1.0")),
        ("4.7.0+2.3.0", Some("4.7.0")),
        ("*", None),
        ("latest.release", None),
        ("", None),
    ] {
        assert_eq!(lowest_version(spec).as_deref(), want, "{spec}");
    }
    assert!(is_exact("2.0.1"));
    assert!(is_exact("==2.0.2"));
    assert!(is_exact("v1.30.1"));
    assert!(!is_exact("^1.12.0"));
    assert!(!is_exact(">=1.5"));
    assert!(!is_exact("1.+"));
}

#[test]
fn hosts_of_bootstrap_entries() {
    assert_eq!(
        host_of("b-1.demo.kafka.us-east-1.amazonaws.com:9092"),
        "b-1.demo.kafka.us-east-1.amazonaws.com"
    );
    assert_eq!(host_of("SASL_SSL://Kafka1.Corp:9093"), "kafka1.corp");
    assert_eq!(host_of("[::1]:9092"), "::1");
    assert_eq!(host_of("kafka"), "kafka");
}
