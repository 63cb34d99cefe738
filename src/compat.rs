//! Client compatibility tables for Kafka 4.x: which protocol versions 4.x removed (KIP-896, the
//! final state), which request versions identify old Java clients, the 4.x baselines of client
//! libraries and their known 4.0.0 traps, and the package names of Kafka and ZooKeeper client
//! libraries in each ecosystem.
//!
//! The rules read these through CEL helpers (`proto_removed`) and through the fields of the
//! `client_request`, `client_software` and `dependency` items ([`cel_lists`]).

use crate::inventory::{Dependency, Inventory};
use crate::version::KafkaVersion;
use serde_json::{json, Value as Json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

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
    pub only_400: bool,
    /// Sent by brokers, not clients: never a client finding.
    pub inter_broker: bool,
}

const fn rm(api: &'static str, key: i16, new_minimum: i16) -> Removal {
    Removal {
        api,
        key,
        new_minimum,
        only_400: false,
        inter_broker: false,
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
    Removal {
        inter_broker: true,
        ..rm("WriteTxnMarkers", 27, 1)
    },
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
    Removal {
        inter_broker: true,
        ..rm("LeaderAndIsr", 4, i16::MAX)
    },
    Removal {
        inter_broker: true,
        ..rm("StopReplica", 5, i16::MAX)
    },
    Removal {
        inter_broker: true,
        ..rm("UpdateMetadata", 6, i16::MAX)
    },
    Removal {
        inter_broker: true,
        ..rm("ControlledShutdown", 7, i16::MAX)
    },
];

/// APIs only brokers send to each other (never a client finding).
const INTER_BROKER: &[&str] = &[
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

fn v(s: &str) -> KafkaVersion {
    KafkaVersion::parse(s).expect("static version")
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

fn fingerprint_col(api: &str) -> Option<usize> {
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

// ------------------------------------------------------------------------------------------------
// Client libraries

/// A Kafka client library (or a family of wrappers around one engine).
#[derive(Debug)]
pub struct Family {
    pub id: &'static str,
    pub display: &'static str,
    /// KIP-511 `clientSoftwareName` values it sends.
    pub kip511: &'static [&'static str],
    /// (ecosystem, package) names.
    pub packages: &'static [(&'static str, &'static str)],
    /// Oldest version that works with Kafka 4.x (rules catalog K4-PROTO-002); `None`: no
    /// documented baseline.
    pub baseline: Option<&'static str>,
    /// Versions from the baseline up to (not including) this one are only partially compatible.
    pub partial_below: Option<&'static str>,
    /// The package version does not tell the client's own version (e.g. the librdkafka a Node
    /// or Ruby binding bundles): judge only with a version from elsewhere.
    pub opaque_version: bool,
    pub note: &'static str,
}

const JAVA_PKGS: &[(&str, &str)] = &[
    ("maven", "org.apache.kafka:kafka-clients"),
    ("maven", "org.apache.kafka:kafka-streams"),
    ("maven", "org.apache.kafka:connect-api"),
    ("maven", "org.apache.kafka:connect-runtime"),
    ("maven", "org.apache.kafka:kafka_2.10"),
    ("maven", "org.apache.kafka:kafka_2.11"),
    ("maven", "org.apache.kafka:kafka_2.12"),
    ("maven", "org.apache.kafka:kafka_2.13"),
];

pub const FAMILIES: &[Family] = &[
    Family {
        id: "java",
        display: "Apache Kafka Java client",
        kip511: &["apache-kafka-java"],
        packages: JAVA_PKGS,
        baseline: Some("2.1"),
        partial_below: Some("3.0"),
        opaque_version: false,
        note: "Kafka 4.0 requires Java clients, Streams and Connect 2.1 or newer (KIP-896, KIP-1124); 2.1–2.8 are partially compatible (4.0 compatibility matrix: some Admin, Streams and Connect APIs they use are gone). Confluent builds (-ccs/-ce) are judged by their Apache Kafka version.",
    },
    Family {
        id: "librdkafka",
        display: "librdkafka",
        kip511: &["librdkafka"],
        packages: &[],
        baseline: Some("1.8.2"),
        partial_below: None,
        opaque_version: false,
        note: "KIP-896 kept every version librdkafka 1.8.2 and newer uses. On Kafka 4.0.0 exactly, librdkafka older than 2.11.0 with SASL/GSSAPI fails JoinGroup (fixed in 4.0.1, KAFKA-19444).",
    },
    Family {
        id: "confluent-kafka-python",
        display: "confluent-kafka-python (librdkafka)",
        kip511: &["confluent-kafka-python"],
        packages: &[("pypi", "confluent-kafka")],
        baseline: Some("1.8.2"),
        partial_below: None,
        opaque_version: false,
        note: "Bundles librdkafka of the same version (since 1.0); KIP-511 reports <version>-rdkafka-<librdkafka version>.",
    },
    Family {
        id: "confluent-kafka-go",
        display: "confluent-kafka-go (librdkafka)",
        kip511: &["confluent-kafka-go"],
        packages: &[
            ("go", "github.com/confluentinc/confluent-kafka-go"),
            ("go", "github.com/confluentinc/confluent-kafka-go/v2"),
        ],
        baseline: Some("1.8.2"),
        partial_below: None,
        opaque_version: false,
        note: "Bundles librdkafka of the same version; KIP-511 reports the librdkafka version.",
    },
    Family {
        id: "confluent-kafka-dotnet",
        display: "Confluent.Kafka for .NET (librdkafka)",
        kip511: &["confluent-kafka-dotnet"],
        packages: &[("nuget", "Confluent.Kafka")],
        baseline: Some("1.8.2"),
        partial_below: None,
        opaque_version: false,
        note: "Depends on librdkafka.redist of the same version.",
    },
    Family {
        id: "confluent-kafka-javascript",
        display: "Confluent JavaScript client (librdkafka)",
        kip511: &["confluent-kafka-javascript"],
        packages: &[("npm", "@confluentinc/kafka-javascript")],
        baseline: Some("0.1"),
        partial_below: None,
        opaque_version: false,
        note: "Every release bundles a librdkafka 2.x.",
    },
    Family {
        id: "node-rdkafka",
        display: "node-rdkafka (librdkafka)",
        kip511: &["node-rdkafka"],
        packages: &[("npm", "node-rdkafka")],
        baseline: None,
        partial_below: None,
        opaque_version: true,
        note: "The package version is not the bundled librdkafka version: check it (librdkafka 1.8.2 or newer is needed).",
    },
    Family {
        id: "rdkafka-ruby",
        display: "rdkafka-ruby / karafka (librdkafka)",
        kip511: &[],
        packages: &[
            ("rubygems", "rdkafka"),
            ("rubygems", "karafka-rdkafka"),
            ("rubygems", "karafka"),
        ],
        baseline: None,
        partial_below: None,
        opaque_version: true,
        note: "The gem version is not the bundled librdkafka version: check it (librdkafka 1.8.2 or newer is needed).",
    },
    Family {
        id: "rust-rdkafka",
        display: "rust-rdkafka (librdkafka)",
        kip511: &[],
        packages: &[("cargo", "rdkafka"), ("cargo", "rdkafka-sys")],
        baseline: None,
        partial_below: None,
        opaque_version: true,
        note: "Judged by the librdkafka version rdkafka-sys bundles (Cargo.lock: rdkafka-sys <crate>+<librdkafka>); with a system librdkafka (dynamic-linking) check that library.",
    },
    Family {
        id: "kafkajs",
        display: "KafkaJS",
        kip511: &[],
        packages: &[("npm", "kafkajs")],
        baseline: Some("1.15.0"),
        partial_below: None,
        opaque_version: false,
        note: "KafkaJS sends no KIP-511 name (ApiVersions v0–2 only), so brokers count it as unknown; it is unmaintained.",
    },
    Family {
        id: "sarama",
        display: "Sarama (Go)",
        kip511: &["sarama"],
        packages: &[
            ("go", "github.com/Shopify/sarama"),
            ("go", "github.com/IBM/sarama"),
        ],
        baseline: Some("1.30.1"),
        partial_below: None,
        opaque_version: false,
        note: "Sarama speaks the protocol level of Config.Version, not the broker's: keep it at V2_1_0_0 or newer (older settings fail JoinGroup/ListOffsets on Kafka 4.0.0, e.g. telegraf's default kafka_version=0.10.2.0).",
    },
    Family {
        id: "kafka-python",
        display: "kafka-python",
        kip511: &["kafka-python"],
        packages: &[("pypi", "kafka-python"), ("pypi", "kafka-python-ng")],
        baseline: Some("2.0.2"),
        partial_below: None,
        opaque_version: false,
        note: "Do not pin an old api_version (e.g. (0, 10)). Sends a KIP-511 name from 2.1.3 on.",
    },
    Family {
        id: "kafka-go",
        display: "segmentio/kafka-go",
        kip511: &[],
        packages: &[("go", "github.com/segmentio/kafka-go")],
        baseline: None,
        partial_below: None,
        opaque_version: false,
        note: "No documented 4.x baseline; v0.4.47 and older fail JoinGroup on Kafka 4.0.0 (\"unsupported version 1\"). Sends no KIP-511 name.",
    },
    Family {
        id: "franz-go",
        display: "franz-go (kgo)",
        kip511: &["kgo", "kadm"],
        packages: &[
            ("go", "github.com/twmb/franz-go"),
            ("go", "github.com/twmb/franz-go/pkg/kadm"),
        ],
        baseline: None,
        partial_below: None,
        opaque_version: false,
        note: "Negotiates versions through ApiVersions and is believed fine on 4.x; no documented minimum.",
    },
    Family {
        id: "aiokafka",
        display: "aiokafka",
        kip511: &[],
        packages: &[("pypi", "aiokafka")],
        baseline: None,
        partial_below: None,
        opaque_version: false,
        note: "No documented 4.x baseline.",
    },
    Family {
        id: "ruby-kafka",
        display: "ruby-kafka",
        kip511: &[],
        packages: &[("rubygems", "ruby-kafka")],
        baseline: None,
        partial_below: None,
        opaque_version: false,
        note: "Unmaintained (archived); no documented 4.x baseline. Move to rdkafka-ruby/karafka.",
    },
    Family {
        id: "kafka-node",
        display: "kafka-node",
        kip511: &[],
        packages: &[("npm", "kafka-node")],
        baseline: None,
        partial_below: None,
        opaque_version: false,
        note: "Unmaintained; no documented 4.x baseline.",
    },
    Family {
        id: "kafka-rust",
        display: "kafka (kafka-rust)",
        kip511: &[],
        packages: &[("cargo", "kafka")],
        baseline: None,
        partial_below: None,
        opaque_version: false,
        note: "No documented 4.x baseline.",
    },
];

/// ZooKeeper client libraries: (ecosystem, package, display).
pub const ZK_PACKAGES: &[(&str, &str, &str)] = &[
    (
        "maven",
        "org.apache.zookeeper:zookeeper",
        "Apache ZooKeeper client",
    ),
    ("maven", "org.apache.curator:*", "Apache Curator"),
    ("maven", "com.101tec:zkclient", "zkclient"),
    ("maven", "com.github.sgroschupf:zkclient", "zkclient"),
    ("pypi", "kazoo", "kazoo"),
    ("go", "github.com/samuel/go-zookeeper", "go-zookeeper"),
    ("go", "github.com/go-zookeeper/zk", "go-zookeeper"),
    ("npm", "node-zookeeper-client", "node-zookeeper-client"),
    ("npm", "zookeeper", "zookeeper (Node)"),
    ("cargo", "zookeeper", "zookeeper (Rust)"),
    ("cargo", "zookeeper-async", "zookeeper-async"),
    ("cargo", "zookeeper-client", "zookeeper-client"),
    ("nuget", "ZooKeeperNetEx", "ZooKeeperNetEx"),
    ("rubygems", "zk", "zk"),
    ("rubygems", "zookeeper", "zookeeper (Ruby)"),
];

/// Gradle declares Maven coordinates.
fn eco_key(ecosystem: &str) -> &str {
    if ecosystem == "gradle" {
        "maven"
    } else {
        ecosystem
    }
}

fn same_package(ecosystem: &str, a: &str, b: &str) -> bool {
    match ecosystem {
        // PyPI and NuGet names are case-insensitive; PyPI treats -, _ and . alike.
        "pypi" => {
            let n = |s: &str| s.to_ascii_lowercase().replace(['_', '.'], "-");
            n(a) == n(b)
        }
        "nuget" => a.eq_ignore_ascii_case(b),
        _ => a == b,
    }
}

/// What kind of library a package is: (`kafka-client` | `zookeeper-client`, family id or ZK
/// display name).
pub fn classify_package(ecosystem: &str, package: &str) -> Option<(&'static str, &'static str)> {
    let eco = eco_key(ecosystem);
    for f in FAMILIES {
        if f.packages
            .iter()
            .any(|(e, p)| *e == eco && same_package(eco, p, package))
        {
            return Some(("kafka-client", f.id));
        }
    }
    for (e, p, display) in ZK_PACKAGES {
        if *e != eco {
            continue;
        }
        let hit = match p.strip_suffix('*') {
            Some(prefix) => package.starts_with(prefix),
            None => same_package(eco, p, package),
        };
        if hit {
            return Some(("zookeeper-client", display));
        }
    }
    None
}

/// The Maven packages (Kafka clients and ZooKeeper clients) whose artifactId is `artifact`: for a
/// jar known only by its file name.
pub fn packages_named(artifact: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let pkgs = FAMILIES
        .iter()
        .flat_map(|f| f.packages.iter().copied())
        .chain(ZK_PACKAGES.iter().map(|(e, p, _)| (*e, *p)));
    for (eco, p) in pkgs.filter(|(e, _)| *e == "maven") {
        let Some((g, a)) = p.split_once(':') else {
            continue;
        };
        if a == artifact
            || (a == "*" && artifact.starts_with("curator-") && g == "org.apache.curator")
        {
            out.push((eco, format!("{g}:{artifact}")));
        }
    }
    out
}

pub fn family(id: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.id == id)
}

pub fn family_of_kip511(name: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.kip511.contains(&name))
}

/// The lowest version a declaration allows: `^1.12.0` → `1.12.0`, `>=1.5,<2` → `1.5`,
/// `[2.0,3.0)` → `2.0`, `v1.30.1` → `1.30.1`, `~> 0.12` → `0.12`, `1.+` → `1.0`. `None` when no
/// version can be read (`*`, `latest`, a variable).
pub fn lowest_version(spec: &str) -> Option<String> {
    let s = spec.trim();
    let bytes: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let prev = if i > 0 { bytes[i - 1] } else { ' ' };
            // a digit inside a word (e.g. "py3") does not start a version
            if prev.is_ascii_alphabetic() && prev != 'v' && prev != 'V' {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || ".-+".contains(bytes[i]))
            {
                i += 1;
            }
            let mut out: String = bytes[start..i].iter().collect();
            // build metadata and trailing separators
            if let Some(p) = out.find('+') {
                out.truncate(p);
            }
            let out = out.trim_end_matches(['.', '-']).to_string();
            // a lone major (`1.+`, `~> 1`) means major.0
            let out = if out.chars().all(|c| c.is_ascii_digit()) {
                format!("{out}.0")
            } else {
                out
            };
            return Some(out);
        }
        i += 1;
    }
    None
}

/// Whether a declared version is an exact pin (not a range).
pub fn is_exact(spec: &str) -> bool {
    let s = spec.trim().trim_start_matches("==").trim_start_matches('=');
    let s = s.strip_prefix('v').unwrap_or(s);
    !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_digit())
        && !s.contains([
            ',', '*', '+', '<', '>', '^', '~', ' ', '|', '[', '(', ')', ']',
        ])
        && !s.ends_with(".x")
}

/// Confluent Platform builds of the Java client report `7.5.0-ccs`: the Apache Kafka release
/// they are built from (CP 5.x = AK 2.x, 6.0–6.2 = AK 2.6–2.8, 7.x = AK 3.x, 8.x = AK 4.x).
fn apache_version_of_confluent(v: &KafkaVersion, raw: &str) -> Option<String> {
    if !(v.suffix.contains("ccs") || v.suffix.contains("ce")) {
        return None;
    }
    let mut it = raw.split(['.', '-']);
    let major: u32 = it.next()?.parse().ok()?;
    let minor: u32 = it.next()?.parse().ok()?;
    let ak = match (major, minor) {
        (5, m) => format!("2.{m}"),
        (6, m) => format!("2.{}", m + 6),
        (7, m) => format!("3.{m}"),
        (8, m) => format!("4.{m}"),
        _ => return None,
    };
    Some(ak)
}

/// The 4.x verdict for one client: `below-baseline`, `partial`, `ok`, `no-baseline` (a library
/// without a documented baseline), `unknown-version`, or `unknown-software`.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub family: String,
    pub display: String,
    pub baseline: Option<String>,
    /// The version compared with the baseline.
    pub effective: Option<String>,
    pub verdict: &'static str,
    pub note: String,
}

/// Judge `family` at `version` (as reported or declared).
pub fn judge(fam: Option<&Family>, version: &str) -> Verdict {
    let Some(f) = fam else {
        return Verdict {
            family: String::new(),
            display: String::new(),
            baseline: None,
            effective: None,
            verdict: "unknown-software",
            note: "No KIP-511 software name: the client sent ApiVersions older than v3 (Java clients before 2.4, KafkaJS, kafka-go, kafka-python before 2.1.3, Sarama with Config.Version below 2.4), or it is a broker's own replica fetcher or controller connection.".into(),
        };
    };
    let mut verdict = Verdict {
        family: f.id.into(),
        display: f.display.into(),
        baseline: f.baseline.map(str::to_string),
        effective: None,
        verdict: "unknown-version",
        note: f.note.into(),
    };
    // confluent-kafka-python reports "2.3.0-rdkafka-2.3.0": judge the librdkafka part.
    let raw = match version.find("-rdkafka-") {
        Some(p) => &version[p + "-rdkafka-".len()..],
        None => version,
    };
    let raw = raw.trim().trim_start_matches(['v', 'V']);
    let parsed = KafkaVersion::parse(raw).ok();
    let Some(parsed) = parsed else {
        if f.baseline.is_none() || f.opaque_version {
            verdict.verdict = "no-baseline";
        }
        return verdict;
    };
    let effective = if f.id == "java" {
        apache_version_of_confluent(&parsed, raw).unwrap_or_else(|| raw.to_string())
    } else {
        raw.to_string()
    };
    verdict.effective = Some(effective.clone());
    let Ok(ev) = KafkaVersion::parse(&effective) else {
        return verdict;
    };
    if f.opaque_version {
        verdict.verdict = "no-baseline";
        return verdict;
    }
    let Some(base) = f.baseline else {
        verdict.verdict = "no-baseline";
        return verdict;
    };
    verdict.verdict = if ev < v(base) {
        "below-baseline"
    } else if f.partial_below.is_some_and(|p| ev < v(p)) {
        "partial"
    } else {
        "ok"
    };
    verdict
}

/// Judge a librdkafka version directly (rust-rdkafka: `rdkafka-sys 4.7.0+2.3.0`).
pub fn judge_librdkafka(version: &str) -> Verdict {
    let mut v = judge(family("librdkafka"), version);
    v.note = format!(
        "judged by the bundled librdkafka {version}. {}",
        family("librdkafka").map(|f| f.note).unwrap_or_default()
    );
    v
}

/// The librdkafka a wrapper package bundles, by package version: `(package version,
/// lowest librdkafka, highest librdkafka)`, oldest first. A row with equal bounds is what that
/// release bundles; a row with different bounds is a release that accepts a range (rust-rdkafka
/// depends on `rdkafka-sys` with a caret requirement, so the lock file decides); an empty
/// highest bound is open. Between rows, a release bundles at least its lower row's librdkafka
/// and at most the next row's (the wrappers only ever move librdkafka forward).
pub struct Bundle {
    pub ecosystem: &'static str,
    pub package: &'static str,
    pub rows: &'static [(&'static str, &'static str, &'static str)],
    /// Where the rows come from.
    pub source: &'static str,
}

pub const BUNDLES: &[Bundle] = &[
    Bundle {
        ecosystem: "npm",
        package: "node-rdkafka",
        // `npm view 'node-rdkafka@>=2.0.0' librdkafka`: the `librdkafka` field of each release's
        // package.json (releases without the field are not listed).
        rows: &[
            ("2.5.0", "0.11.5", "0.11.5"),
            ("2.5.1", "0.11.5", "0.11.5"),
            ("2.6.1", "0.11.6", "0.11.6"),
            ("2.7.0", "0.11.6", "0.11.6"),
            ("2.7.1", "1.1.0", "1.1.0"),
            ("2.7.4", "1.2.2", "1.2.2"),
            ("2.8.0", "1.3.0", "1.3.0"),
            ("2.8.1", "1.3.0", "1.3.0"),
            ("2.9.0", "1.4.2", "1.4.2"),
            ("2.9.1", "1.4.2", "1.4.2"),
            ("2.10.0", "1.5.2", "1.5.2"),
            ("2.10.1", "1.5.3", "1.5.3"),
            ("2.11.0", "1.6.1", "1.6.1"),
            ("2.12.0", "1.7.0", "1.7.0"),
            ("2.13.0", "1.8.2", "1.8.2"),
            ("2.14.4", "1.9.2", "1.9.2"),
            ("2.14.6", "1.9.2", "1.9.2"),
            ("2.15.0", "2.0.2", "2.0.2"),
            ("2.16.0", "2.1.1", "2.1.1"),
            ("2.16.1", "2.1.1", "2.1.1"),
            ("2.17.0", "2.2.0", "2.2.0"),
            ("2.18.0", "2.3.0", "2.3.0"),
            ("3.0.0", "2.3.0", "2.3.0"),
            ("3.0.1", "2.3.0", "2.3.0"),
            ("3.1.0", "2.5.0", "2.5.0"),
            ("3.1.1", "2.5.3", "2.5.3"),
            ("3.2.1", "2.6.1", "2.6.1"),
            ("3.3.0", "2.8.0", "2.8.0"),
            ("3.3.1", "2.8.0", "2.8.0"),
            ("3.4.0", "2.10.0", "2.10.0"),
            ("3.4.1", "2.10.1", "2.10.1"),
            ("3.5.0", "2.11.1", "2.11.1"),
            ("3.6.0", "2.12.0", "2.12.0"),
            ("3.6.1", "2.12.0", "2.12.0"),
        ],
        source: "npm registry, the `librdkafka` field of node-rdkafka's package.json per release (npm view node-rdkafka@<v> librdkafka); https://github.com/Blizzard/node-rdkafka",
    },
    Bundle {
        ecosystem: "npm",
        package: "@confluentinc/kafka-javascript",
        rows: &[
            ("0.2.0", "2.5.3", "2.5.3"),
            ("0.2.1", "2.5.3", "2.5.3"),
            ("0.3.0", "2.6.0", "2.6.0"),
            ("1.0.0", "2.6.1", "2.6.1"),
            ("1.2.0", "2.8.0", "2.8.0"),
            ("1.3.0", "2.10.0", "2.10.0"),
            ("1.3.1", "2.10.0", "2.10.0"),
            ("1.3.2", "2.10.1", "2.10.1"),
            ("1.4.0", "2.11.0", "2.11.0"),
            ("1.4.1", "2.11.1", "2.11.1"),
            ("1.5.0", "2.11.1", "2.11.1"),
            ("1.6.0", "2.12.0", "2.12.0"),
            ("1.7.0", "2.12.1", "2.12.1"),
            ("1.8.0", "2.13.0", "2.13.0"),
            ("1.8.2", "2.13.2", "2.13.2"),
            ("1.9.0", "2.14.0", "2.14.0"),
            ("1.9.1", "2.14.2", "2.14.2"),
            ("1.10.0", "2.15.0", "2.15.0"),
            ("1.10.1", "2.15.1", "2.15.1"),
        ],
        source: "npm registry, the `librdkafka` field of @confluentinc/kafka-javascript's package.json per release (npm view @confluentinc/kafka-javascript@<v> librdkafka); every release bundles librdkafka 2.x",
    },
    Bundle {
        ecosystem: "rubygems",
        package: "rdkafka",
        rows: &[
            ("0.10.0", "1.5.0", "1.5.0"),
            ("0.11.0", "1.8.2", "1.8.2"),
            ("0.12.0", "1.9.0", "1.9.0"),
            ("0.13.0", "2.0.2", "2.0.2"),
            ("0.14.0", "2.2.0", "2.2.0"),
            ("0.15.0", "2.3.0", "2.3.0"),
            ("0.16.0", "2.3.0", "2.3.0"),
            ("0.17.0", "2.4.0", "2.4.0"),
            ("0.18.0", "2.5.0", "2.5.0"),
            ("0.19.0", "2.5.3", "2.5.3"),
            ("0.20.0", "2.6.1", "2.6.1"),
            ("0.21.0", "2.8.0", "2.8.0"),
            ("0.23.0", "2.11.0", "2.11.0"),
            ("0.24.0", "2.11.1", "2.11.1"),
            ("0.25.0", "2.12.1", "2.12.1"),
            ("0.26.0", "2.13.2", "2.13.2"),
            ("0.27.0", "2.14.0", "2.14.0"),
            ("0.28.0", "2.14.1", "2.14.1"),
            ("0.29.0", "2.14.2", "2.14.2"),
        ],
        source: "rdkafka-ruby README \"Versions\" table (0.10–0.19) and CHANGELOG.md \"Bump librdkafka to\" entries (0.20–0.29), https://github.com/karafka/rdkafka-ruby",
    },
    Bundle {
        ecosystem: "cargo",
        package: "rdkafka-sys",
        // Before 2.0.0 the crate version was the librdkafka version (rust-rdkafka changelog
        // 0.11.0: "rdkafka-sys will verify that the crate version corresponds to the librdkafka
        // version"); since 2.0.0 it carries `+<librdkafka>` build metadata, which wins when
        // present.
        rows: &[
            ("0.9.2", "0.9.2", "0.9.2"),
            ("0.9.4", "0.9.4", "0.9.4"),
            ("0.9.5", "0.9.5", "0.9.5"),
            ("0.11.0", "0.11.0", "0.11.0"),
            ("0.11.1", "0.11.1", "0.11.1"),
            ("0.11.3", "0.11.3", "0.11.3"),
            ("0.11.4", "0.11.4", "0.11.4"),
            ("0.11.6", "0.11.6", "0.11.6"),
            ("1.0.0", "1.0.0", "1.0.0"),
            ("1.2.1", "1.2.1", "1.2.1"),
            ("1.2.2", "1.2.2", "1.2.2"),
            ("1.3.0", "1.3.0", "1.3.0"),
            ("2.0.0", "1.4.2", "1.4.2"),
            ("2.1.0", "1.5.0", "1.5.0"),
            ("2.1.1", "1.5.3", "1.5.3"),
            ("3.0.0", "1.6.0", "1.6.0"),
            ("4.0.0", "1.6.1", "1.6.1"),
            ("4.1.0", "1.7.0", "1.7.0"),
            ("4.2.0", "1.8.2", "1.8.2"),
            ("4.3.0", "1.9.2", "1.9.2"),
            ("4.6.0", "2.2.0", "2.2.0"),
            ("4.7.0", "2.3.0", "2.3.0"),
            ("4.8.0", "2.6.0", "2.6.0"),
            ("4.10.0", "2.12.1", "2.12.1"),
        ],
        source: "rust-rdkafka changelog.md (0.11.0: crate version = librdkafka version) and rdkafka-sys/changelog.md (v2.0.0+1.4.2 … v4.8.0+2.6.0), https://github.com/fede1024/rust-rdkafka",
    },
    Bundle {
        ecosystem: "cargo",
        package: "rdkafka",
        // The rdkafka-sys requirement in each rdkafka release's Cargo.toml (git tags v0.6.0 …
        // v0.37.0), as the librdkafka range it allows: before 0.24 rdkafka-sys 0.x/1.x (at most
        // librdkafka 1.3.0), 0.24 → 2.x, 0.25 → 3.x, 0.26/0.27 → ^4.0.0 (1.6.1 or newer: the
        // lock file decides), 0.28 → ^4.2.0 (1.8.2 or newer), …
        rows: &[
            ("0.6.0", "0.9.2", "0.9.5"),
            ("0.12.0", "0.11.0", "0.11.6"),
            ("0.21.0", "1.0.0", "1.3.0"),
            ("0.22.0", "1.2.1", "1.3.0"),
            ("0.23.0", "1.3.0", "1.3.0"),
            ("0.24.0", "1.4.2", "1.5.3"),
            ("0.25.0", "1.6.0", "1.6.0"),
            ("0.26.0", "1.6.1", ""),
            ("0.28.0", "1.8.2", ""),
            ("0.29.0", "1.9.2", ""),
            ("0.34.0", "2.2.0", ""),
            ("0.35.0", "2.3.0", ""),
            ("0.36.3", "2.6.0", ""),
        ],
        source: "the rdkafka-sys requirement in rust-rdkafka's Cargo.toml at each release tag, with rdkafka-sys/changelog.md, https://github.com/fede1024/rust-rdkafka",
    },
];

/// The librdkafka range `package` at `version` bundles: (lowest, highest or `None` when open).
pub fn bundled_librdkafka(
    ecosystem: &str,
    package: &str,
    version: &str,
) -> Option<(String, Option<String>, &'static str)> {
    let b = BUNDLES
        .iter()
        .find(|b| b.ecosystem == eco_key(ecosystem) && b.package == package)?;
    let pv = KafkaVersion::parse(version.trim().trim_start_matches(['v', 'V'])).ok()?;
    let idx = b.rows.iter().rposition(|(since, _, _)| v(since) <= pv);
    let open = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let (lo, hi) = match idx {
        // older than every listed release: at most what the first one bundles
        None => ("0.0.0".to_string(), open(b.rows[0].1)),
        Some(i) => {
            let (since, lo, hi) = b.rows[i];
            if v(since) == pv {
                (lo.to_string(), open(hi))
            } else {
                let hi = match (open(hi), b.rows.get(i + 1)) {
                    (None, _) | (_, None) => None,
                    (Some(h), Some(next)) => Some(if v(&h) >= v(next.1) {
                        h
                    } else {
                        next.1.to_string()
                    }),
                };
                (lo.to_string(), hi)
            }
        }
    };
    Some((lo, hi, b.source))
}

/// Known traps of `family` at `version` with a Kafka 4.0.0 broker (catalog K4-PROTO-003), which
/// 4.0.1 and 4.1.0 fixed by serving JoinGroup v0–1 again.
pub fn traps_400(family: &str, effective: Option<&str>) -> Vec<String> {
    let ver = effective.and_then(|e| KafkaVersion::parse(e).ok());
    let below = |x: &str| ver.as_ref().is_some_and(|v| *v < self::v(x));
    let at_most = |x: &str| ver.as_ref().is_some_and(|v| *v <= self::v(x));
    let rdkafka = [
        "librdkafka",
        "confluent-kafka-python",
        "confluent-kafka-go",
        "confluent-kafka-dotnet",
    ];
    let mut out = Vec::new();
    if rdkafka.contains(&family) && below("2.11.0") {
        out.push("librdkafka older than 2.11.0 with SASL/GSSAPI (Kerberos) sends JoinGroup v0/v1, which Kafka 4.0.0 refuses (KAFKA-19444; fixed in 4.0.1 and 4.1.0)".to_string());
    }
    if family == "sarama" {
        out.push("Sarama with Config.Version below V2_1_0_0 (e.g. telegraf's default kafka_version=0.10.2.0) fails JoinGroup and ListOffsets on Kafka 4.0.0 (telegraf#16691)".to_string());
    }
    if family == "kafka-go" && (ver.is_none() || at_most("0.4.47")) {
        out.push("kafka-go v0.4.47 and older fail with \"JoinGroup … unsupported version 1\" on Kafka 4.0.0 (kafka-go#1378; Kafka 4.0 support in kafka-go#1384)".to_string());
    }
    out
}

// ------------------------------------------------------------------------------------------------
// The CEL view: derived item lists for the client rules

fn label_of_broker(b: &crate::inventory::BrokerMetrics) -> String {
    match b.broker_id {
        Some(id) => format!("broker:{id}"),
        None => b.source.clone(),
    }
}

/// The inter-broker listener of the cluster, if the broker configs say.
fn inter_broker_listener(inv: &Inventory) -> Option<String> {
    for b in &inv.brokers {
        if let Some(n) = b
            .configs
            .get("inter.broker.listener.name")
            .and_then(|e| e.value.clone())
        {
            return Some(n.to_ascii_uppercase());
        }
    }
    for b in &inv.brokers {
        if let Some(p) = b
            .configs
            .get("security.inter.broker.protocol")
            .and_then(|e| e.value.clone())
        {
            return Some(p.to_ascii_uppercase());
        }
    }
    // Kafka's default when neither is set, but only if the configs were read at all.
    inv.brokers
        .iter()
        .any(|b| b.configs.contains_key("listeners"))
        .then(|| "PLAINTEXT".to_string())
}

fn is_broker_only_listener(name: &str) -> bool {
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
struct ReqAgg {
    count: Option<f64>,
    rate: Option<f64>,
    brokers: BTreeSet<String>,
    tags: BTreeSet<String>,
    software: BTreeMap<(String, String), f64>,
}

fn add(a: &mut Option<f64>, b: Option<f64>) {
    if let Some(b) = b {
        *a = Some(a.unwrap_or(0.0) + b);
    }
}

fn requests_view(c: &crate::inventory::Clients) -> Json {
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

fn software_view(inv: &Inventory, c: &crate::inventory::Clients) -> Json {
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
fn judged_through<'a>(d: &Dependency, deps: &'a [Dependency]) -> Option<&'a Dependency> {
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
        if v(&lo) >= v(baseline) {
            let mut verdict = judge_librdkafka(&lo);
            verdict.family = fam_id.to_string();
            verdict.display = fam.map(|f| f.display).unwrap_or_default().to_string();
            return DepJudgement {
                verdict,
                reason: String::new(),
                bundled,
            };
        }
        if let Some(h) = hi.as_deref().filter(|h| v(h) < v(baseline)) {
            let mut verdict = judge_librdkafka(h);
            verdict.family = fam_id.to_string();
            verdict.display = fam.map(|f| f.display).unwrap_or_default().to_string();
            return DepJudgement {
                verdict,
                reason: String::new(),
                bundled,
            };
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

fn dependencies_view(inv: &Inventory, deps: &[Dependency]) -> Json {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
