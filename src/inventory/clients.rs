//! Client software and protocol usage: what the brokers' metrics say about the clients that talk
//! to them (`--metrics`), and what application repositories declare (`--scan-deps`).
//!
//! Gaps: `metrics` (with `metrics.requests` and `metrics.connections`) when no metrics were given
//! or they lack a series; `clients` when no repository was scanned.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Clients {
    /// One entry per metrics source (one broker's exporter endpoint or a saved scrape).
    pub brokers: Vec<BrokerMetrics>,
    /// Kafka and ZooKeeper client libraries, ZooKeeper tool usage and bootstrap lists found in
    /// application repositories.
    pub dependencies: Vec<Dependency>,
    /// The directories given to `--scan-deps`, with what was read there.
    pub scanned: Vec<ScannedDir>,
}

/// What one broker's metrics endpoint (or saved scrape) reported.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BrokerMetrics {
    /// The URL or file the metrics came from.
    pub source: String,
    /// The broker id, from `kafka.server:type=app-info,id=N` (or a `broker_id` label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker_id: Option<i64>,
    /// How the series were named: `jmx-exporter-default` (domain_type_Attribute, as MSK open
    /// monitoring serves it), `lowercase`, or `custom` (renamed by exporter rules).
    #[serde(default)]
    pub naming: String,
    /// Per API and version request counters (`kafka.network:type=RequestMetrics`).
    #[serde(default)]
    pub requests: Vec<RequestCount>,
    /// Open connections by KIP-511 client software (`socket-server-metrics`, `connections`),
    /// summed over network processors.
    #[serde(default)]
    pub connections: Vec<SoftwareConnections>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RequestCount {
    /// The `request` tag: an API name (`Produce`, `Metadata`, …) or `FetchConsumer` /
    /// `FetchFollower`.
    pub api: String,
    pub version: i16,
    /// `RequestsPerSec` (every request) or `DeprecatedRequestsPerSec` (Kafka 3.7+: requests at
    /// versions the broker's release flags as deprecated, tagged with the client software).
    pub meter: String,
    /// Requests since the broker started (the meter's `Count`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<f64>,
    /// Requests per second over the last minute (`OneMinuteRate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// KIP-511 client software name and version (only on the deprecated-requests meter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SoftwareConnections {
    /// KIP-511 `clientSoftwareName`; `unknown` when the client sent no name (ApiVersions < v3:
    /// Java clients before 2.4, KafkaJS, kafka-go, kafka-python before 2.1.3, and the brokers'
    /// own replica fetchers and controller channel).
    pub name: String,
    pub version: String,
    pub listener: String,
    pub connections: f64,
}

/// One finding in an application repository.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    /// The `--scan-deps` directory it was found under.
    pub repo: String,
    /// Path relative to `repo`.
    pub file: String,
    /// 1-based line of the declaration (or of the usage).
    pub line: u32,
    /// `maven`, `gradle`, `cargo`, `npm`, `go`, `pypi`, `nuget`, `rubygems`, or `text` for
    /// scripts and configuration files.
    pub ecosystem: String,
    /// `kafka-client`, `zookeeper-client`, `zk-tool-usage` or `bootstrap`.
    pub kind: String,
    /// Package name as the ecosystem spells it (`org.apache.kafka:kafka-clients`, `kafkajs`,
    /// `github.com/IBM/sarama`); for `zk-tool-usage` and `bootstrap`, what was matched.
    pub library: String,
    /// The version as declared (`2.0.1`, `^1.12.0`, `>=1.5,<2`), empty when none.
    #[serde(default)]
    pub version: String,
    /// The exact version a lock file resolved, when the repository has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    /// The lock file (relative to `repo`) that resolved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_file: Option<String>,
    /// Declared in the manifest (`direct`) or only present in a lock file (`transitive`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
    /// The matched line (trimmed, secrets never included: bootstrap lists and tool flags only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// Only used by tests: a test-scope dependency (Maven `test`, Gradle `test*`/`integrationTest*`
    /// configurations, Cargo dev-dependencies, npm devDependencies, Poetry/Pipfile dev groups,
    /// Bundler `:test`/`:development` groups) or a file under a test source set (`src/test/`,
    /// `tests/`, `*_test.go`, `*Test.java`, …). Reported apart, never blocking.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub test: bool,
    /// Where the version came from when not written next to the dependency: a parent POM's
    /// property, a dependencyManagement entry, an imported BOM, a version catalog, an SBOM, a jar.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version_source: String,
    /// Why the version could not be resolved, and what would settle it (the property or BOM
    /// that was not found).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unresolved: String,
    /// `bootstrap`: the host names or addresses listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScannedDir {
    pub path: String,
    /// Manifests and lock files parsed.
    pub manifests: u32,
    /// Other text files searched for ZooKeeper tool usage and bootstrap lists.
    pub files: u32,
    /// Files that could not be parsed (path: reason); the scan went on without them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl Clients {
    pub fn normalize(&mut self) {
        self.brokers.sort_by(|a, b| {
            (a.broker_id, &a.source)
                .partial_cmp(&(b.broker_id, &b.source))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        for b in &mut self.brokers {
            b.requests.sort_by(|x, y| {
                (
                    &x.api,
                    x.version,
                    &x.meter,
                    &x.software_name,
                    &x.software_version,
                )
                    .cmp(&(
                        &y.api,
                        y.version,
                        &y.meter,
                        &y.software_name,
                        &y.software_version,
                    ))
            });
            b.connections.sort_by(|x, y| {
                (&x.name, &x.version, &x.listener).cmp(&(&y.name, &y.version, &y.listener))
            });
        }
        self.dependencies.sort_by(|a, b| {
            (&a.repo, &a.file, a.line, &a.kind, &a.library)
                .cmp(&(&b.repo, &b.file, b.line, &b.kind, &b.library))
        });
        self.dependencies.dedup();
        self.scanned.sort_by(|a, b| a.path.cmp(&b.path));
    }
}
