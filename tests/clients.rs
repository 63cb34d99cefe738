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
// Issue 19: repositories shaped like real ones (tests/fixtures/repos)

/// Whether a finding's resource name in `set` ends with `suffix`.
fn ends(set: &BTreeSet<String>, suffix: &str) -> bool {
    set.iter().any(|n| n.ends_with(suffix))
}

/// Whether a finding's resource name in `set` contains `part`.
fn mentions(set: &BTreeSet<String>, part: &str) -> bool {
    set.iter().any(|n| n.contains(part))
}

/// `kraftcheck <args>` with `HOME` set, so the local Maven repository (`~/.m2/repository`) is
/// the one the test chooses (an empty home: none).
fn run_home(home: &Path, args: &[&str]) -> (i32, Value) {
    let out = kc().env("HOME", home).args(args).output().unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code != 2,
        "kraftcheck failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

/// (collected inventory, JSON report for kafka4 + new-cluster + inplace) of `dirs`, without a
/// local Maven repository.
fn scan_and_audit(home: &Path, dirs: &[&str]) -> (Value, Value) {
    let mut args: Vec<String> = vec!["collect".into()];
    for d in dirs {
        args.push("--scan-deps".into());
        args.push(fx(d));
    }
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, inv) = run_home(home, &a);
    let mut args: Vec<String> = vec!["audit".into(), "--format".into(), "json".into()];
    for p in ["kafka4", "new-cluster", "inplace"] {
        args.push("--profile".into());
        args.push(p.into());
    }
    for d in dirs {
        args.push("--scan-deps".into());
        args.push(fx(d));
    }
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, report) = run_home(home, &a);
    (inv, report)
}

/// The statuses the report gives one dependency (its findings name `<repo>/<file>:<line> <lib>`).
fn statuses_of(report: &Value, d: &Value) -> BTreeSet<(String, String)> {
    let name = format!(
        "{}/{}:{} {}",
        d["repo"].as_str().unwrap(),
        d["file"].as_str().unwrap(),
        d["line"],
        d["library"].as_str().unwrap()
    );
    findings(report)
        .into_iter()
        .filter(|(_, _, n)| *n == name)
        .map(|(s, id, _)| (s, id))
        .collect()
}

#[test]
fn repos_every_detected_library_is_judged_fail_pass_or_unknown() {
    let home = tempfile::tempdir().unwrap();
    let t0 = Instant::now();
    // every fixture folder of the client scan
    let (inv, report) = scan_and_audit(home.path(), &["deps", "repos", "sbom", "artifacts"]);
    eprintln!(
        "collect + audit of deps, repos, sbom and artifacts: {} ms",
        t0.elapsed().as_millis()
    );
    let deps = inv["clients"]["dependencies"].as_array().unwrap();
    let libs: Vec<&Value> = deps
        .iter()
        .filter(|d| {
            matches!(
                d["kind"].as_str(),
                Some("kafka-client" | "zookeeper-client")
            )
        })
        .collect();
    assert!(libs.len() >= 40, "{} libraries", libs.len());
    let report_rows = report["clients"]["dependencies"].as_array().unwrap();
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for d in libs {
        let st = statuses_of(&report, d);
        let has = |s: &str, id: &str| st.contains(&(s.to_string(), id.to_string()));
        let test = d["test"].as_bool() == Some(true);
        let what = format!("{}:{} {}", d["file"], d["line"], d["library"]);
        // the report's client section lists it with a verdict
        let row = report_rows
            .iter()
            .find(|r| {
                r["location"].as_str().unwrap().ends_with(&format!(
                    "{}:{}",
                    d["file"].as_str().unwrap(),
                    d["line"]
                )) && r["library"] == d["library"]
            })
            .unwrap_or_else(|| panic!("{what} missing from the report's client section"));
        assert!(!row["verdict"].as_str().unwrap().is_empty(), "{what}");
        let status = if d["kind"] == "zookeeper-client" {
            // ZooKeeper libraries: blocking in production code, info in tests, never silent
            let rule = if test { "CLIENT-005b" } else { "CLIENT-005" };
            assert!(has("fail", rule), "{what}: {rule} should fail: {st:?}");
            assert!(
                !(test && has("fail", "CLIENT-005")),
                "{what}: a test dependency blocks"
            );
            "fail"
        } else if test {
            assert!(
                !st.iter()
                    .any(|(s, id)| s == "fail" && id.starts_with("CLIENT-006")),
                "{what}: a test dependency is judged as blocking"
            );
            "pass (tests only)"
        } else {
            let verdict = row["verdict"].as_str().unwrap();
            match verdict {
                "below baseline" => {
                    assert!(has("fail", "CLIENT-006"), "{what}: {st:?}");
                    "fail"
                }
                "partial" => {
                    assert!(has("fail", "CLIENT-006b"), "{what}: {st:?}");
                    "fail"
                }
                "ok" => {
                    assert!(st.is_empty(), "{what} is ok but has {st:?}");
                    "pass"
                }
                _ => {
                    assert!(
                        has("unknown", "CLIENT-006"),
                        "{what} ({verdict}) must be unknown, never silently absent: {st:?}"
                    );
                    "unknown"
                }
            }
        };
        *counts.entry(status).or_default() += 1;
    }
    eprintln!("libraries by status: {counts:?}");
    for s in ["fail", "pass", "unknown", "pass (tests only)"] {
        assert!(
            counts.get(s).copied().unwrap_or(0) > 0,
            "no {s}: {counts:?}"
        );
    }
}

#[test]
fn repos_rdkafka_wrappers_are_judged_by_the_librdkafka_they_bundle() {
    let home = tempfile::tempdir().unwrap();
    let (_, r) = scan_and_audit(home.path(), &["repos"]);
    let root = fx("repos");
    let short = |s: &String| s.strip_prefix(&format!("{root}/")).unwrap_or(s).to_string();
    let old: BTreeSet<String> = failing(&r, "CLIENT-006").iter().map(short).collect();
    for want in [
        // rdkafka-sys 1.0.0 has no +librdkafka metadata: it is librdkafka 1.0.0
        "rust-old/Cargo.lock:23 rdkafka-sys",
        // rdkafka ~0.21 judged through the rdkafka-sys its Cargo.lock resolved
        "rust-old/Cargo.toml:7 rdkafka",
        // node-rdkafka 2.5.1 bundles librdkafka 0.11.5
        "node-svc/package.json:7 node-rdkafka",
        // the rdkafka gem 0.10.0 bundles librdkafka 1.5.0
        "ruby-svc/Gemfile:4 rdkafka",
    ] {
        assert!(
            old.contains(want),
            "CLIENT-006 should flag {want}: {old:#?}"
        );
    }
    let msg = |name: &str| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| {
                f["rule_id"] == "CLIENT-006"
                    && f["resource"]["name"].as_str().unwrap().ends_with(name)
            })
            .map(|f| f["message"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert!(msg("Cargo.lock:23 rdkafka-sys").contains("librdkafka 1.0.0"));
    assert!(msg("package.json:7 node-rdkafka").contains("librdkafka 0.11.5"));
    assert!(msg("Gemfile:4 rdkafka").contains("librdkafka 1.5.0"));
    // karafka runs on karafka-rdkafka, which kraftcheck has no table for: unknown with the reason
    let unknown: Vec<(String, String)> = findings(&r)
        .into_iter()
        .filter(|(s, id, _)| s == "unknown" && id == "CLIENT-006")
        .map(|(_, _, n)| (short(&n), String::new()))
        .collect();
    for want in [
        "ruby-svc/Gemfile:5 karafka",
        "ruby-svc/Gemfile.lock:12 karafka-rdkafka",
    ] {
        assert!(
            unknown.iter().any(|(n, _)| n == want),
            "{want} should be unknown: {unknown:?}"
        );
    }
}

#[test]
fn repos_maven_and_gradle_versions_are_resolved_as_the_build_tool_would() {
    // no local Maven repository: parents from the tree, Spring Boot from kraftcheck's table
    let home = tempfile::tempdir().unwrap();
    let (inv, r) = scan_and_audit(home.path(), &["repos"]);
    let dep = |file: &str, lib: &str| -> Value {
        inv["clients"]["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["file"] == file && d["library"] == lib)
            .cloned()
            .unwrap_or_else(|| panic!("{file} {lib} not found"))
    };
    // ${kafka.version} from the parent POM found by relativePath
    let d = dep(
        "java-multi/orders-service/pom.xml",
        "org.apache.kafka:kafka-clients",
    );
    assert_eq!(d["version"], "1.1.1");
    assert!(
        d["version_source"]
            .as_str()
            .unwrap()
            .contains("java-multi/parent/pom.xml"),
        "{d}"
    );
    // managed by spring-boot-starter-parent 2.1.18.RELEASE (Kafka 2.0.x): blocking
    let d = dep("spring-boot-svc/pom.xml", "org.apache.kafka:kafka-streams");
    assert_eq!(d["version"], "2.0.x");
    assert!(d["version_source"]
        .as_str()
        .unwrap()
        .contains("spring-boot-dependencies:2.1.18.RELEASE"));
    // the Spring Boot BOM imported in dependencyManagement (2.2.x manages Kafka 2.3.x): partial
    let d = dep("spring-bom-svc/pom.xml", "org.apache.kafka:kafka-clients");
    assert_eq!(d["version"], "2.3.x");
    // Gradle with the Spring Boot plugin 3.2.5 and io.spring.dependency-management
    let d = dep(
        "gradle-boot-svc/build.gradle",
        "org.apache.kafka:kafka-streams",
    );
    assert_eq!(d["version"], "3.6.x");
    // what stays unknown says what would settle it
    let d = dep("spring-bom-svc/pom.xml", "org.apache.kafka:connect-api");
    let why = d["unresolved"].as_str().unwrap();
    assert!(
        why.contains("${connect.version}") && why.contains("com.acme.internal:acme-bom:12"),
        "{why}"
    );
    let root = fx("repos");
    let short = |s: &String| s.strip_prefix(&format!("{root}/")).unwrap_or(s).to_string();
    let old: BTreeSet<String> = failing(&r, "CLIENT-006").iter().map(short).collect();
    assert!(old.contains("java-multi/orders-service/pom.xml:13 org.apache.kafka:kafka-clients"));
    assert!(old.contains("spring-boot-svc/pom.xml:22 org.apache.kafka:kafka-streams"));
    assert!(
        !old.iter().any(|n| n.starts_with("gradle-boot-svc/")),
        "{old:?}"
    );
    let partial: BTreeSet<String> = failing(&r, "CLIENT-006b").iter().map(short).collect();
    assert!(partial.contains("spring-bom-svc/pom.xml:29 org.apache.kafka:kafka-clients"));
    assert!(findings(&r).iter().any(|(s, id, n)| s == "unknown"
        && id == "CLIENT-006"
        && n.ends_with("spring-bom-svc/pom.xml:33 org.apache.kafka:connect-api")));
}

#[test]
fn repos_spring_boot_bom_is_read_from_the_local_maven_repository() {
    // Maven itself downloads the real BOM from Maven Central into the user's local repository;
    // kraftcheck then reads it there (a home whose .m2 is that repository) instead of its table.
    let real_home = PathBuf::from(std::env::var("HOME").unwrap());
    let st = std::process::Command::new("mvn")
        .args([
            "-q",
            "-B",
            "dependency:get",
            "-Dtransitive=false",
            "-Dartifact=org.springframework.boot:spring-boot-dependencies:2.1.18.RELEASE:pom",
        ])
        .status()
        .expect("mvn (Maven) is needed for this test");
    assert!(st.success(), "mvn dependency:get failed");
    let home = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(real_home.join(".m2"), home.path().join(".m2")).unwrap();
    let (inv, _) = scan_and_audit(home.path(), &["repos/spring-boot-svc"]);
    let d = inv["clients"]["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["library"] == "org.apache.kafka:kafka-streams")
        .cloned()
        .unwrap();
    let v = d["version"].as_str().unwrap();
    let pom = std::fs::read_to_string(real_home.join(
        ".m2/repository/org/springframework/boot/spring-boot-dependencies/2.1.18.RELEASE/spring-boot-dependencies-2.1.18.RELEASE.pom",
    ))
    .unwrap();
    let want = pom
        .split("<kafka.version>")
        .nth(1)
        .and_then(|x| x.split('<').next())
        .unwrap();
    assert_eq!(v, want, "the BOM's own kafka.version, exact: {d}");
    assert!(
        d["version_source"]
            .as_str()
            .unwrap()
            .contains("~/.m2/repository"),
        "{d}"
    );
}

#[test]
fn repos_zookeeper_mentions_are_not_usage_and_tests_never_block() {
    let home = tempfile::tempdir().unwrap();
    let (inv, r) = scan_and_audit(home.path(), &["repos/java-multi"]);
    let files: BTreeSet<String> = inv["clients"]["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect();
    // a log4j config naming the old consumer's logger, Javadoc/comments, Markdown docs
    for f in [
        "orders-service/src/main/resources/log4j.properties",
        "orders-service/src/main/java/com/acme/orders/OrdersConsumer.java",
        "docs/MIGRATION.md",
    ] {
        assert!(!files.contains(f), "{f} only mentions ZooKeeper: {files:?}");
    }
    // the embedded-ZooKeeper test harness and curator-test: info, not blocking
    assert!(
        failing(&r, "CLIENT-005").is_empty(),
        "{:?}",
        failing(&r, "CLIENT-005")
    );
    let info = failing(&r, "CLIENT-005b");
    assert!(ends(&info, "EmbeddedKafkaHarness.java:10 zookeeper.connect (client or tool configured with ZooKeeper)"), "{info:?}");
    assert!(
        ends(
            &info,
            "orders-service/pom.xml:23 org.apache.curator:curator-test"
        ),
        "{info:?}"
    );
    assert!(r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule_id"] == "CLIENT-005b" && f["severity"] == "info"));
    // the same lines outside comments, docs and tests are still usage
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src/main/java")).unwrap();
    std::fs::write(
        dir.path().join("src/main/java/Legacy.java"),
        "class Legacy {\n  /* old */ void f(java.util.Properties p) {\n    p.put(\"zookeeper.connect\", \"zk:2181\"); // legacy\n  }\n}\n",
    )
    .unwrap();
    let (_, r) = run_home(
        home.path(),
        &[
            "audit",
            "--format",
            "json",
            "--profile",
            "inplace",
            "--scan-deps",
            dir.path().to_str().unwrap(),
        ],
    );
    let hits = failing(&r, "CLIENT-005");
    assert!(ends(&hits, "src/main/java/Legacy.java:3 zookeeper.connect (client or tool configured with ZooKeeper)"), "{hits:?}");
}

#[test]
fn sboms_cyclonedx_and_spdx_are_read_and_judged() {
    let home = tempfile::tempdir().unwrap();
    // given with --sbom (a directory of them), and found while scanning a repository
    for args in [
        vec!["--sbom".to_string(), fx("sbom")],
        vec!["--sbom".to_string(), fx("sbom/billing-service.cdx.json")],
        vec!["--scan-deps".to_string(), fx("sbom")],
    ] {
        let mut a = vec![
            "audit",
            "--format",
            "json",
            "--profile",
            "kafka4",
            "--profile",
            "inplace",
        ];
        a.extend(args.iter().map(String::as_str));
        let (code, r) = run_home(home.path(), &a);
        assert_eq!(code, 1, "{args:?}");
        let old = failing(&r, "CLIENT-006");
        assert!(
            ends(
                &old,
                "billing-service.cdx.json:29 org.apache.kafka:kafka-clients"
            ),
            "{args:?}: the Java service's CycloneDX SBOM: kafka-clients 2.0.1 {old:?}"
        );
        let zk = failing(&r, "CLIENT-005");
        assert!(
            ends(
                &zk,
                "billing-service.cdx.json:40 org.apache.zookeeper:zookeeper"
            ),
            "{zk:?}"
        );
        if args[1].ends_with(".cdx.json") {
            continue;
        }
        // CycloneDX XML: node-rdkafka 2.18.0 (librdkafka 2.3.0) passes, kafkajs 1.12.0 fails
        assert!(ends(&old, "web-frontend.cdx.xml:15 kafkajs"), "{old:?}");
        assert!(!mentions(&old, "node-rdkafka"), "{old:?}");
        // SPDX JSON: confluent-kafka 1.7.0 fails, kazoo is ZooKeeper access
        assert!(ends(&old, "ingest.spdx.json:15 confluent-kafka"), "{old:?}");
        assert!(ends(&zk, "ingest.spdx.json:33 kazoo"), "{zk:?}");
        // a malformed SBOM: unknown naming the file, not a crash and not a pass
        assert!(findings(&r).iter().any(|(s, id, n)| s == "unknown"
            && id == "CLIENT-006"
            && n.ends_with("broken-sbom.json:1 broken-sbom.json")));
    }
    // an SBOM path that does not exist: exit 2
    kc().args(["collect", "--sbom", "/nonexistent/bom.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--sbom /nonexistent/bom.json"));
}

#[test]
fn installed_packages_are_read_from_node_modules_and_dist_info() {
    let home = tempfile::tempdir().unwrap();
    let (inv, r) = scan_and_audit(home.path(), &["artifacts"]);
    let got: BTreeSet<(String, String)> = inv["clients"]["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["library"].as_str().unwrap().to_string(),
                d["resolved"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    for (lib, v) in [
        ("node-rdkafka", "2.11.0"),
        ("@confluentinc/kafka-javascript", "1.4.0"),
        ("confluent-kafka", "1.7.0"),
        ("kazoo", "2.8.0"),
    ] {
        assert!(
            got.contains(&(lib.to_string(), v.to_string())),
            "{lib} {v}: {got:?}"
        );
    }
    assert!(!got.iter().any(|(l, _)| l == "express"));
    let old = failing(&r, "CLIENT-006");
    // node-rdkafka 2.11.0 bundles librdkafka 1.6.1; confluent-kafka 1.7.0 is librdkafka 1.7.0
    assert!(
        ends(
            &old,
            "node_modules/node-rdkafka/package.json:3 node-rdkafka"
        ),
        "{old:?}"
    );
    assert!(
        mentions(&old, "confluent_kafka-1.7.0.dist-info/METADATA"),
        "{old:?}"
    );
    assert!(!mentions(&old, "kafka-javascript"), "{old:?}");
}

/// A jar of Maven Central, fetched by Maven into the local repository.
fn maven_central_jar(g: &str, a: &str, v: &str) -> PathBuf {
    let st = std::process::Command::new("mvn")
        .args(["-q", "-B", "dependency:get", "-Dtransitive=false"])
        .arg(format!("-Dartifact={g}:{a}:{v}"))
        .status()
        .expect("mvn (Maven) is needed for this test");
    assert!(st.success(), "mvn dependency:get {g}:{a}:{v} failed");
    PathBuf::from(std::env::var("HOME").unwrap())
        .join(".m2/repository")
        .join(g.replace('.', "/"))
        .join(a)
        .join(v)
        .join(format!("{a}-{v}.jar"))
}

#[test]
fn fat_jar_built_from_maven_central_artifacts_is_read_and_judged() {
    let kafka = maven_central_jar("org.apache.kafka", "kafka-clients", "2.0.1");
    // Kafka's jars are built with Gradle (no pom.properties: known by file name); ZooKeeper
    // 3.6 is built with Maven (its pom.properties tells)
    let zk = maven_central_jar("org.apache.zookeeper", "zookeeper", "3.6.4");
    let streams = maven_central_jar("org.apache.kafka", "kafka-streams", "3.7.0");
    // a Spring Boot fat jar: the dependencies stored as nested jars under BOOT-INF/lib
    let work = tempfile::tempdir().unwrap();
    let stage = work.path().join("stage");
    std::fs::create_dir_all(stage.join("BOOT-INF/lib")).unwrap();
    std::fs::create_dir_all(stage.join("BOOT-INF/classes/com/acme")).unwrap();
    std::fs::write(stage.join("BOOT-INF/classes/com/acme/App.txt"), "app").unwrap();
    for j in [&kafka, &zk, &streams] {
        std::fs::copy(j, stage.join("BOOT-INF/lib").join(j.file_name().unwrap())).unwrap();
    }
    let repo = work.path().join("deploy");
    std::fs::create_dir_all(&repo).unwrap();
    let st = std::process::Command::new("jar")
        .args(["--create", "--no-compress", "--file"])
        .arg(repo.join("payments-app.jar"))
        .arg("-C")
        .arg(&stage)
        .arg(".")
        .status()
        .expect("the JDK's jar tool is needed for this test");
    assert!(st.success());
    // and a plain dependency jar next to it, and a corrupt one
    std::fs::copy(&kafka, repo.join("kafka-clients-2.0.1.jar")).unwrap();
    std::fs::write(repo.join("corrupt.jar"), b"PK\x03\x04truncated").unwrap();
    let home = tempfile::tempdir().unwrap();
    let t0 = Instant::now();
    let (code, r) = run_home(
        home.path(),
        &[
            "audit",
            "--format",
            "json",
            "--profile",
            "kafka4",
            "--profile",
            "inplace",
            "--scan-deps",
            repo.to_str().unwrap(),
        ],
    );
    eprintln!("audit of a fat jar: {} ms", t0.elapsed().as_millis());
    assert_eq!(code, 1);
    let old = failing(&r, "CLIENT-006");
    assert!(
        ends(&old, "payments-app.jar:1 org.apache.kafka:kafka-clients"),
        "{old:?}"
    );
    assert!(
        ends(
            &old,
            "kafka-clients-2.0.1.jar:1 org.apache.kafka:kafka-clients"
        ),
        "{old:?}"
    );
    assert!(
        !mentions(&old, "kafka-streams"),
        "kafka-streams 3.7.0 is fine: {old:?}"
    );
    let zk_hits = failing(&r, "CLIENT-005");
    assert!(
        ends(
            &zk_hits,
            "payments-app.jar:1 org.apache.zookeeper:zookeeper"
        ),
        "{zk_hits:?}"
    );
    let msg = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule_id"] == "CLIENT-006"
                && f["resource"]["name"]
                    .as_str()
                    .unwrap()
                    .ends_with("payments-app.jar:1 org.apache.kafka:kafka-clients")
        })
        .map(|f| f["message"].as_str().unwrap().to_string())
        .unwrap();
    assert!(
        msg.contains("BOOT-INF/lib/kafka-clients-2.0.1.jar"),
        "{msg}"
    );
    let (_, inv) = run_home(
        home.path(),
        &["collect", "--scan-deps", repo.to_str().unwrap()],
    );
    let zk_dep = inv["clients"]["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["library"] == "org.apache.zookeeper:zookeeper")
        .cloned()
        .unwrap();
    assert_eq!(zk_dep["version"], "3.6.4");
    assert_eq!(
        zk_dep["version_source"],
        "BOOT-INF/lib/zookeeper-3.6.4.jar!/META-INF/maven/org.apache.zookeeper/zookeeper/pom.properties"
    );
    assert!(findings(&r).iter().any(|(s, id, n)| s == "unknown"
        && id == "CLIENT-006"
        && n.ends_with("corrupt.jar:1 corrupt.jar")));
}

#[test]
fn go_binary_build_info_is_read() {
    // a real `go build`: the module requires kafka-go v0.4.47, replaced by a local copy so that
    // nothing is downloaded; the binary's build info records both
    let work = tempfile::tempdir().unwrap();
    let m = work.path().join("src");
    std::fs::create_dir_all(m.join("kafkago")).unwrap();
    std::fs::write(
        m.join("kafkago/go.mod"),
        "module github.com/segmentio/kafka-go\n\ngo 1.18\n",
    )
    .unwrap();
    std::fs::write(
        m.join("kafkago/kafka.go"),
        "package kafka\n\nfunc Version() string { return \"0.4.47\" }\n",
    )
    .unwrap();
    std::fs::write(
        m.join("go.mod"),
        "module example.com/orders\n\ngo 1.18\n\nrequire github.com/segmentio/kafka-go v0.4.47\n\nreplace github.com/segmentio/kafka-go => ./kafkago\n",
    )
    .unwrap();
    std::fs::write(
        m.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\tkafka \"github.com/segmentio/kafka-go\"\n)\n\nfunc main() { fmt.Println(kafka.Version()) }\n",
    )
    .unwrap();
    let out_dir = work.path().join("dist");
    std::fs::create_dir_all(&out_dir).unwrap();
    let st = std::process::Command::new("go")
        .args(["build", "-o"])
        .arg(out_dir.join("orders"))
        .arg(".")
        .current_dir(&m)
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOCACHE", work.path().join("gocache"))
        .env("GOPATH", work.path().join("gopath"))
        .status()
        .expect("go is needed for this test");
    assert!(st.success(), "go build failed");
    let home = tempfile::tempdir().unwrap();
    let (_, inv) = run_home(
        home.path(),
        &["collect", "--scan-deps", out_dir.to_str().unwrap()],
    );
    let d = inv["clients"]["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["library"] == "github.com/segmentio/kafka-go")
        .cloned()
        .unwrap_or_else(|| panic!("kafka-go not found in the binary: {inv}"));
    assert_eq!(d["file"], "orders");
    assert_eq!(d["version"], "v0.4.47");
    assert!(
        d["version_source"]
            .as_str()
            .unwrap()
            .contains("replaced by ./kafkago"),
        "{d}"
    );
    let _ = std::fs::remove_dir_all(work.path().join("gopath"));
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
