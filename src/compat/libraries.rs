//! Client libraries: families and their package names per ecosystem, the ZooKeeper client
//! packages, declared version specs, the 4.x baselines and verdicts, the librdkafka that
//! wrappers bundle, and the known 4.0.0 traps.

use super::v;
use crate::version::KafkaVersion;

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

pub(super) const JAVA_PKGS: &[(&str, &str)] = &[
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
pub(super) fn eco_key(ecosystem: &str) -> &str {
    if ecosystem == "gradle" {
        "maven"
    } else {
        ecosystem
    }
}

pub(super) fn same_package(ecosystem: &str, a: &str, b: &str) -> bool {
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
pub(super) fn apache_version_of_confluent(v: &KafkaVersion, raw: &str) -> Option<String> {
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
