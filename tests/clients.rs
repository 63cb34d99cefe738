//! Client audit, offline: `--scan-deps` over the sample repositories in tests/fixtures/deps (one
//! per ecosystem), `--metrics` over real JMX exporter scrapes of a Kafka 3.9.2 broker
//! (tests/fixtures/metrics: default naming, lowercase names, Strimzi-style rules), malformed and
//! unknown shapes, and concurrent scraping of local HTTP endpoints with a timeout.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn kc() -> Command {
    Command::cargo_bin("kraftcheck").unwrap()
}

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(p)
}

fn fx(p: &str) -> String {
    fixture(p).display().to_string()
}

fn collect(args: &[&str]) -> Value {
    let out = kc().arg("collect").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "collect failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn audit(args: &[&str]) -> (i32, Value) {
    let out = kc()
        .args(["audit", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code != 2,
        "audit failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

/// (status, rule, resource name) of every finding.
fn findings(r: &Value) -> Vec<(String, String, String)> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["status"].as_str().unwrap().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
                f["resource"]["name"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn failing(r: &Value, rule: &str) -> BTreeSet<String> {
    findings(r)
        .into_iter()
        .filter(|(s, id, _)| s == "fail" && id == rule)
        .map(|(_, _, n)| n)
        .collect()
}

// ------------------------------------------------------------------------------------------------
// --scan-deps

#[test]
fn scan_deps_finds_libraries_of_every_ecosystem_with_file_and_line() {
    let t0 = Instant::now();
    let inv = collect(&["--scan-deps", &fx("deps")]);
    eprintln!(
        "scan of tests/fixtures/deps: {} ms",
        t0.elapsed().as_millis()
    );
    let deps = inv["clients"]["dependencies"].as_array().unwrap();
    let got: BTreeSet<(String, u64, String, String, String, String)> = deps
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["kind"].as_str().unwrap().to_string(),
                d["library"].as_str().unwrap().to_string(),
                d["version"].as_str().unwrap_or("").to_string(),
                d["resolved"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want: &[(&str, u64, &str, &str, &str, &str)] = &[
        // Maven: version from the parent's dependencyManagement and ${kafka.version}
        (
            "maven/service/pom.xml",
            11,
            "kafka-client",
            "org.apache.kafka:kafka-clients",
            "2.0.1",
            "",
        ),
        (
            "maven/service/pom.xml",
            15,
            "kafka-client",
            "org.apache.kafka:kafka-streams",
            "2.8.2",
            "",
        ),
        (
            "maven/pom.xml",
            21,
            "zookeeper-client",
            "org.apache.curator:curator-recipes",
            "5.5.0",
            "",
        ),
        // Gradle: $kafkaVersion, map notation, lock file, version catalog, Kotlin DSL
        (
            "gradle/build.gradle",
            10,
            "kafka-client",
            "org.apache.kafka:kafka-clients",
            "1.1.1",
            "1.1.1",
        ),
        (
            "gradle/build.gradle",
            11,
            "zookeeper-client",
            "com.101tec:zkclient",
            "0.11",
            "0.11",
        ),
        (
            "gradle/gradle.lockfile",
            6,
            "zookeeper-client",
            "org.apache.zookeeper:zookeeper",
            "3.4.14",
            "3.4.14",
        ),
        (
            "gradle/gradle/libs.versions.toml",
            6,
            "kafka-client",
            "org.apache.kafka:kafka-streams",
            "3.9.1",
            "",
        ),
        (
            "gradle/app/build.gradle.kts",
            7,
            "kafka-client",
            "org.apache.kafka:connect-api",
            "3.7.0",
            "",
        ),
        // Cargo: manifest resolved by Cargo.lock; rdkafka-sys carries the librdkafka version
        (
            "cargo/Cargo.toml",
            8,
            "kafka-client",
            "rdkafka",
            "0.25",
            "0.25.0",
        ),
        (
            "cargo/Cargo.toml",
            9,
            "zookeeper-client",
            "zookeeper",
            "0.8",
            "0.8.0",
        ),
        (
            "cargo/Cargo.lock",
            14,
            "kafka-client",
            "rdkafka-sys",
            "3.0.0+1.6.0",
            "3.0.0+1.6.0",
        ),
        // npm, yarn, pnpm
        (
            "npm/web/package.json",
            6,
            "kafka-client",
            "kafkajs",
            "^1.12.0",
            "1.12.0",
        ),
        (
            "npm/web/package.json",
            7,
            "zookeeper-client",
            "node-zookeeper-client",
            "^1.1.3",
            "1.1.3",
        ),
        (
            "npm/yarn-app/package.json",
            4,
            "kafka-client",
            "kafkajs",
            "^2.2.0",
            "2.2.4",
        ),
        (
            "npm/pnpm-app/package.json",
            4,
            "kafka-client",
            "@confluentinc/kafka-javascript",
            "^1.0.0",
            "1.0.0",
        ),
        (
            "npm/pnpm-app/package.json",
            5,
            "kafka-client",
            "node-rdkafka",
            "^2.18.0",
            "2.18.0",
        ),
        // Go modules
        (
            "go/go.mod",
            6,
            "kafka-client",
            "github.com/Shopify/sarama",
            "v1.27.2",
            "",
        ),
        (
            "go/go.mod",
            7,
            "zookeeper-client",
            "github.com/go-zookeeper/zk",
            "v1.0.3",
            "",
        ),
        (
            "go/go.mod",
            8,
            "kafka-client",
            "github.com/segmentio/kafka-go",
            "v0.4.47",
            "",
        ),
        (
            "go/go.mod",
            11,
            "kafka-client",
            "github.com/IBM/sarama",
            "v1.43.0",
            "",
        ),
        // pip, poetry, Pipfile
        (
            "python/requirements.txt",
            2,
            "kafka-client",
            "kafka-python",
            "==1.4.7",
            "",
        ),
        (
            "python/requirements.txt",
            3,
            "zookeeper-client",
            "kazoo",
            ">=2.8",
            "",
        ),
        (
            "python/poetry-app/pyproject.toml",
            7,
            "kafka-client",
            "confluent-kafka",
            "^1.7.0",
            "1.7.0",
        ),
        (
            "python/pipenv-app/Pipfile",
            2,
            "kafka-client",
            "kafka-python",
            "",
            "2.0.2",
        ),
        // NuGet
        (
            "dotnet/Orders.csproj",
            6,
            "kafka-client",
            "Confluent.Kafka",
            "1.5.3",
            "",
        ),
        (
            "dotnet/legacy/packages.config",
            3,
            "kafka-client",
            "Confluent.Kafka",
            "1.9.0",
            "",
        ),
        (
            "dotnet/legacy/packages.config",
            4,
            "zookeeper-client",
            "ZooKeeperNetEx",
            "3.4.12.4",
            "",
        ),
        // Bundler
        (
            "ruby/Gemfile",
            3,
            "kafka-client",
            "ruby-kafka",
            "~> 1.5",
            "1.5.0",
        ),
        ("ruby/Gemfile", 4, "zookeeper-client", "zk", "", "1.9.6"),
        (
            "ruby/Gemfile.lock",
            11,
            "zookeeper-client",
            "zookeeper",
            "1.4.11",
            "1.4.11",
        ),
    ];
    for (file, line, kind, lib, ver, res) in want {
        let key = (
            file.to_string(),
            *line,
            kind.to_string(),
            lib.to_string(),
            ver.to_string(),
            res.to_string(),
        );
        assert!(got.contains(&key), "missing {key:?} in {got:#?}");
    }
    // scripts and configuration files
    let text: BTreeSet<(String, u64, String)> = deps
        .iter()
        .filter(|d| d["ecosystem"] == "text")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (file, line, kind) in [
        ("maven/scripts/create-topics.sh", 3, "zk-tool-usage"),
        ("ops/acls.sh", 4, "zk-tool-usage"),
        ("ops/cmak/application.conf", 2, "zk-tool-usage"),
        ("ops/config/consumer.properties", 4, "zk-tool-usage"),
        ("ops/config/consumer.properties", 2, "bootstrap"),
        ("ops/config/app.yaml", 2, "bootstrap"),
    ] {
        assert!(
            text.contains(&(file.to_string(), line, kind.to_string())),
            "missing {file}:{line} {kind} in {text:?}"
        );
    }
    // a broker's own server.properties is not a client using ZooKeeper
    assert!(!text.iter().any(|(f, _, _)| f.starts_with("ops/broker/")));
    // not Kafka or ZooKeeper: never reported
    assert!(!got
        .iter()
        .any(|d| d.3.contains("jackson") || d.3 == "express" || d.3 == "requests"));
    // secrets on a matched line are never copied
    let all = serde_json::to_string(&inv).unwrap();
    assert!(!all.contains("s3cret") && !all.contains("changeme-not-a-real-secret"));
    // the broken manifest is an unreadable item, not a crash
    assert!(deps
        .iter()
        .any(|d| d["kind"] == "unreadable" && d["file"] == "broken/package.json"));
    let scanned = &inv["clients"]["scanned"][0];
    assert_eq!(scanned["errors"].as_array().unwrap().len(), 1);
    assert!(inv["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["part"] != "clients"));
}

#[test]
fn scan_deps_rules_flag_old_clients_and_zookeeper_access_but_not_current_clients() {
    let (code, r) = audit(&[
        "--scan-deps",
        &fx("deps"),
        "--profile",
        "kafka4",
        "--profile",
        "new-cluster",
    ]);
    assert_eq!(code, 1, "blocking findings make the exit code 1");
    let root = fx("deps");
    let short = |s: &String| s.strip_prefix(&format!("{root}/")).unwrap_or(s).to_string();
    let old: BTreeSet<String> = failing(&r, "CLIENT-006").iter().map(short).collect();
    for want in [
        "maven/service/pom.xml:11 org.apache.kafka:kafka-clients",
        "gradle/build.gradle:10 org.apache.kafka:kafka-clients",
        "cargo/Cargo.lock:14 rdkafka-sys",
        "npm/web/package.json:6 kafkajs",
        "go/go.mod:6 github.com/Shopify/sarama",
        "python/requirements.txt:2 kafka-python",
        "python/poetry-app/pyproject.toml:7 confluent-kafka",
        "dotnet/Orders.csproj:6 Confluent.Kafka",
    ] {
        assert!(
            old.contains(want),
            "CLIENT-006 should flag {want}: {old:#?}"
        );
    }
    // at or above the baselines, or without a documented one: not blocking
    for not in [
        "npm/yarn-app/package.json:4 kafkajs",
        "go/go.mod:11 github.com/IBM/sarama",
        "python/pipenv-app/Pipfile:2 kafka-python",
        "dotnet/legacy/packages.config:3 Confluent.Kafka",
        "gradle/gradle/libs.versions.toml:6 org.apache.kafka:kafka-streams",
        "npm/pnpm-app/package.json:4 @confluentinc/kafka-javascript",
        "go/go.mod:8 github.com/segmentio/kafka-go",
    ] {
        assert!(!old.contains(not), "CLIENT-006 must not flag {not}");
    }
    let partial: BTreeSet<String> = failing(&r, "CLIENT-006b").iter().map(short).collect();
    assert!(partial.contains("maven/service/pom.xml:15 org.apache.kafka:kafka-streams"));
    let zk: BTreeSet<String> = failing(&r, "CLIENT-005").iter().map(short).collect();
    for want in [
        "maven/pom.xml:21 org.apache.curator:curator-recipes",
        "gradle/build.gradle:11 com.101tec:zkclient",
        "cargo/Cargo.toml:9 zookeeper",
        "npm/web/package.json:7 node-zookeeper-client",
        "go/go.mod:7 github.com/go-zookeeper/zk",
        "python/requirements.txt:3 kazoo",
        "dotnet/legacy/packages.config:4 ZooKeeperNetEx",
        "ruby/Gemfile:4 zk",
        "maven/scripts/create-topics.sh:3 --zookeeper (Kafka tool talking to ZooKeeper)",
        "ops/acls.sh:4 kafka-acls --authorizer-properties (ZooKeeper authorizer tool mode)",
        "ops/cmak/application.conf:2 zkhosts (CMAK / Kafka Manager)",
        "ops/config/consumer.properties:4 zookeeper.connect (client or tool configured with ZooKeeper)",
    ] {
        assert!(zk.contains(want), "CLIENT-005 should flag {want}: {zk:#?}");
    }
    // the unparsable manifest: unknown, never pass
    assert!(findings(&r).iter().any(|(s, id, n)| s == "unknown"
        && id == "CLIENT-006"
        && n.ends_with("broken/package.json:1 package.json")));
    // ZooKeeper access blocks every path, the in-place one too
    let (_, r) = audit(&["--scan-deps", &fx("deps/ops"), "--profile", "inplace"]);
    assert!(!failing(&r, "CLIENT-005").is_empty());
}

#[test]
fn new_cluster_flags_bootstrap_lists_naming_the_old_brokers() {
    // the old cluster's brokers are 127.0.0.1 (a saved inventory of them)
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inv.json");
    std::fs::write(
        &inv,
        r#"{"schema_version":1,"brokers":[{"id":1,"host":"127.0.0.1","port":19111}]}"#,
    )
    .unwrap();
    let (_, r) = audit(&[
        "--inventory",
        inv.to_str().unwrap(),
        "--scan-deps",
        &fx("deps/ops"),
        "--profile",
        "new-cluster",
    ]);
    let hits = failing(&r, "CLIENT-007");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits
        .iter()
        .next()
        .unwrap()
        .ends_with("config/consumer.properties:2 bootstrap servers"));
}

#[test]
fn missing_scan_directory_is_exit_2() {
    kc().args(["collect", "--scan-deps", "/nonexistent/kraftcheck-repo"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a directory"));
}

// ------------------------------------------------------------------------------------------------
// --metrics

#[test]
fn exporter_naming_variants_are_recognised() {
    for (file, naming, broker_id) in [
        (
            "metrics/kafka392-jmx-exporter-default.txt",
            "jmx-exporter-default",
            Some(1),
        ),
        ("metrics/kafka392-lower.txt", "lowercase", Some(1)),
        ("metrics/kafka392-strimzi.txt", "lowercase", None),
    ] {
        let inv = collect(&["--metrics", &fx(file)]);
        let b = &inv["clients"]["brokers"][0];
        assert_eq!(b["naming"], naming, "{file}");
        assert_eq!(b["broker_id"].as_i64(), broker_id, "{file}");
        let reqs = b["requests"].as_array().unwrap();
        let has = |api: &str, v: i64, meter: &str| {
            reqs.iter().any(|r| {
                r["api"] == api
                    && r["version"] == v
                    && r["meter"] == meter
                    && r["count"].as_f64() > Some(0.0)
            })
        };
        assert!(has("Produce", 2, "RequestsPerSec"), "{file}: Produce v2");
        assert!(
            has("Produce", 2, "DeprecatedRequestsPerSec"),
            "{file}: deprecated Produce v2"
        );
        assert!(has("Produce", 11, "RequestsPerSec"), "{file}: Produce v11");
        let conns = b["connections"].as_array().unwrap();
        assert!(
            conns
                .iter()
                .any(|c| c["name"] == "apache-kafka-java" && c["version"] == "3.9.2"),
            "{file}: KIP-511 connections {conns:?}"
        );
        let gaps: Vec<&str> = inv["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|g| g["part"].as_str())
            .filter(|p| p.starts_with("metrics"))
            .collect();
        assert!(gaps.is_empty(), "{file}: {gaps:?}");
    }
}

#[test]
fn removed_versions_are_blocking_and_kept_versions_are_not() {
    // a real scrape: kafka-clients 0.10.0.1 … 4.4.0 against Kafka 3.9.2
    let file = fx("metrics/kafka392-jmx-exporter-default.txt");
    let (code, r) = audit(&["--metrics", &file, "--profile", "kafka4"]);
    assert_eq!(code, 1);
    let removed = failing(&r, "K4-PROTO-001");
    let want: BTreeSet<String> = ["Fetch v2", "Fetch v3", "ListOffsets v0", "Produce v2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        removed, want,
        "4.3.1: JoinGroup v0–1, Metadata v1–2, FindCoordinator v0 stay"
    );
    let old = failing(&r, "K4-PROTO-001b");
    for v in [
        "Produce v3",
        "Produce v6",
        "Fetch v5",
        "Fetch v8",
        "OffsetCommit v4",
    ] {
        assert!(old.contains(v), "{v}: {old:?}");
    }
    for v in [
        "Produce v7",
        "Produce v11",
        "Fetch v17",
        "Metadata v1",
        "JoinGroup v0",
    ] {
        assert!(
            !old.contains(v) && !removed.contains(v),
            "{v} must not be flagged"
        );
    }
    // 4.0.0 exactly: JoinGroup v0 and v1 are refused too
    let (_, r) = audit(&[
        "--metrics",
        &file,
        "--profile",
        "kafka4",
        "--target-version",
        "4.0.0",
    ]);
    let removed = failing(&r, "K4-PROTO-001");
    assert!(removed.contains("JoinGroup v0") && removed.contains("JoinGroup v1"));
    // 4.0.1 serves them again; a 3.9 target removes nothing
    let (_, r) = audit(&[
        "--metrics",
        &file,
        "--profile",
        "kafka4",
        "--target-version",
        "4.0.1",
    ]);
    assert!(!failing(&r, "K4-PROTO-001")
        .iter()
        .any(|n| n.starts_with("JoinGroup")));
    let (_, r) = audit(&[
        "--metrics",
        &file,
        "--profile",
        "kafka4",
        "--target-version",
        "3.9.2",
    ]);
    assert!(failing(&r, "K4-PROTO-001").is_empty());
    // the message names API, version, count and (3.7+ brokers) the client software
    let (_, r) = audit(&["--metrics", &file, "--profile", "kafka4"]);
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "K4-PROTO-001" && f["resource"]["name"] == "Produce v2")
        .unwrap();
    let m = f["message"].as_str().unwrap();
    assert!(
        m.contains("15 request(s)") && m.contains("unknown unknown"),
        "{m}"
    );
}

#[test]
fn unknown_metric_shapes_are_gaps_not_passes() {
    let inv = collect(&["--metrics", &fx("metrics/jvm-only.txt")]);
    let parts: Vec<&str> = inv["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["part"].as_str())
        .collect();
    assert!(
        parts.contains(&"metrics.requests") && parts.contains(&"metrics.connections"),
        "{parts:?}"
    );
    let (_, r) = audit(&[
        "--metrics",
        &fx("metrics/jvm-only.txt"),
        "--profile",
        "kafka4",
    ]);
    for rule in ["K4-PROTO-001", "K4-PROTO-001b", "K4-PROTO-002"] {
        let st: Vec<String> = findings(&r)
            .into_iter()
            .filter(|(_, id, _)| id == rule)
            .map(|(s, _, _)| s)
            .collect();
        assert_eq!(st, vec!["unknown".to_string()], "{rule}");
    }
    // request counters without a version label (Kafka before 2.0, or rules that drop it)
    let inv = collect(&["--metrics", &fx("metrics/msk-no-version-label.txt")]);
    let g = inv["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["part"] == "metrics.requests")
        .unwrap();
    assert!(g["detail"].as_str().unwrap().contains("version"));
}

#[test]
fn malformed_metrics_file_is_exit_2_with_the_line() {
    kc().args(["collect", "--metrics", &fx("metrics/malformed.txt")])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("line 2"));
    kc().args(["collect", "--metrics", "/nonexistent/metrics.txt"])
        .assert()
        .code(2);
}

/// A local HTTP endpoint: answers every request with `body` after `delay` (or never).
fn serve(body: String, delay: Option<Duration>) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let body = body.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                match delay {
                    None => std::thread::sleep(Duration::from_secs(30)),
                    Some(d) => {
                        std::thread::sleep(d);
                        let _ = write!(
                            s,
                            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                    }
                }
            });
        }
    });
    format!("http://{addr}/metrics")
}

#[test]
fn urls_are_scraped_concurrently_and_a_silent_one_is_a_timeout_gap() {
    let text =
        std::fs::read_to_string(fixture("metrics/kafka392-jmx-exporter-default.txt")).unwrap();
    let a = serve(text.clone(), Some(Duration::from_millis(800)));
    let b = serve(
        text.replace("id=\"1\"", "id=\"2\""),
        Some(Duration::from_millis(800)),
    );
    let silent = serve(String::new(), None);
    let html = serve(
        "<html><body>login</body></html>".into(),
        Some(Duration::ZERO),
    );
    let t0 = Instant::now();
    let inv = collect(&[
        "--metrics",
        &a,
        "--metrics",
        &b,
        "--metrics",
        &silent,
        "--metrics",
        &html,
        "--timeout-ms",
        "1500",
    ]);
    let took = t0.elapsed();
    eprintln!(
        "4 endpoints (2 × 0.8 s, 1 silent, 1 HTML) with a 1.5 s timeout: {} ms",
        took.as_millis()
    );
    // concurrent: one timeout (1.5 s), not 0.8 + 0.8 + 1.5
    assert!(took < Duration::from_millis(2900), "{took:?}");
    let brokers = inv["clients"]["brokers"].as_array().unwrap();
    let ids: BTreeSet<i64> = brokers
        .iter()
        .filter_map(|b| b["broker_id"].as_i64())
        .collect();
    assert_eq!(ids, BTreeSet::from([1, 2]));
    let g = inv["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["part"] == "metrics")
        .expect("a failed source makes `metrics` a gap");
    assert_eq!(g["reason"], "timeout");
    let detail = g["detail"].as_str().unwrap();
    assert!(
        detail.contains(&silent) && detail.contains("HTML"),
        "{detail}"
    );
    // with one broker unheard, the metrics rules say unknown, never pass
    let (_, r) = audit(&[
        "--metrics",
        &a,
        "--metrics",
        &silent,
        "--timeout-ms",
        "500",
        "--profile",
        "kafka4",
    ]);
    assert!(findings(&r)
        .iter()
        .filter(|(_, id, _)| id == "K4-PROTO-001")
        .all(|(s, _, _)| s == "unknown"));
}
