//! Live tests against the real Apache Kafka rig (rig/rig.sh; scripts/test-all starts it and
//! exports KRAFTCHECK_RIG_* variables). Without the rig these tests fail: they are not optional.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

fn rig(name: &str, key: &str) -> String {
    let var = format!("KRAFTCHECK_RIG_{}_{}", name.to_uppercase(), key);
    std::env::var(&var).unwrap_or_else(|_| {
        panic!("{var} is not set: the live tests need the Kafka rig; run scripts/test-all, or `rig/rig.sh up all && rig/rig.sh seed zk39 && eval \"$(rig/rig.sh env)\"`")
    })
}

fn kc() -> Command {
    Command::cargo_bin("kraftcheck").unwrap()
}

fn collect(bootstrap: &str, config: Option<&str>) -> Value {
    let mut cmd = kc();
    cmd.args(["collect", "--bootstrap-server", bootstrap]);
    if let Some(c) = config {
        cmd.args(["--command-config", c]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "collect failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn audit_json(bootstrap: &str, config: Option<&str>, extra: &[&str]) -> (i32, Value) {
    let mut cmd = kc();
    cmd.args(["audit", "--format", "json", "--bootstrap-server", bootstrap])
        .args(extra);
    if let Some(c) = config {
        cmd.args(["--command-config", c]);
    }
    let out = cmd.output().unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code != 2,
        "audit could not run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .collect()
}

#[test]
fn mode_is_detected_on_every_rig() {
    for (name, mode) in [
        ("zk39", "zookeeper"),
        ("kraft39", "kraft"),
        ("kraft4", "kraft"),
    ] {
        let inv = collect(&rig(name, "BOOTSTRAP"), None);
        assert_eq!(inv["cluster"]["mode"], mode, "{name}");
        assert_eq!(
            inv["cluster"]["id"],
            rig(name, "CLUSTER_ID").as_str(),
            "{name}"
        );
        let ids: Vec<String> = inv["brokers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].to_string())
            .collect();
        assert_eq!(ids.join(","), rig(name, "BROKER_IDS"), "{name}");
        // The software version, fingerprinted from ApiVersions, is the rig's major.minor.
        let want = rig(name, "KAFKA_VERSION");
        let want_mm = want.split('.').take(2).collect::<Vec<_>>().join(".");
        for b in inv["brokers"].as_array().unwrap() {
            assert_eq!(b["version"], want_mm.as_str(), "{name} broker {}", b["id"]);
        }
        assert_eq!(inv["cluster"]["version"], want_mm.as_str(), "{name}");
        if mode == "kraft" {
            assert!(
                inv["cluster"]["features"]["metadata.version"]
                    .as_i64()
                    .unwrap()
                    > 0,
                "{name}"
            );
            assert!(
                inv["cluster"]["quorum"]["voters"]
                    .as_array()
                    .is_some_and(|v| !v.is_empty()),
                "{name}"
            );
        } else {
            assert!(inv["cluster"].get("quorum").is_none());
        }
    }
}

#[test]
fn planted_blocking_findings_are_raised_over_scram_and_mtls() {
    let scram = rig("zk39", "SCRAM_CONFIG");
    let ssl = rig("zk39", "SSL_PEM_CONFIG");
    for (bootstrap, config) in [
        (rig("zk39", "SASL_BOOTSTRAP"), scram),
        (rig("zk39", "SSL_BOOTSTRAP"), ssl),
    ] {
        let (code, report) = audit_json(
            &bootstrap,
            Some(&config),
            &["--profile", "inplace", "--profile", "kafka4"],
        );
        assert_eq!(code, 1, "blocking findings → exit 1");
        // control.plane.listener.name on both brokers (rig bait).
        let cpl: BTreeSet<String> = findings(&report, "KRAFT-CFG-003")
            .iter()
            .filter(|f| f["status"] == "fail")
            .map(|f| f["resource"]["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            cpl,
            BTreeSet::from(["1".to_string(), "2".to_string()]),
            "via {config}"
        );
        // inter.broker.protocol.version=3.3 (rig bait) is below what a migration needs.
        assert!(
            findings(&report, "KRAFT-VER-004")
                .iter()
                .any(|f| f["status"] == "fail"),
            "via {config}"
        );
        // AclAuthorizer (rig bait) must be replaced.
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["status"] == "fail"
                    && f["evidence"]
                        .to_string()
                        .contains("kafka.security.authorizer.AclAuthorizer")),
            "via {config}"
        );
    }
}

/// The parts a collect marked as gaps, part-wide, with their reasons.
fn gap_parts(inv: &Value) -> BTreeMap<String, String> {
    inv["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g.get("resource").is_none())
        .map(|g| {
            (
                g["part"].as_str().unwrap().to_string(),
                g["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Issue 17: with the rig's restricted principal (it may describe topics and groups, nothing
/// else), over SCRAM and over mutual TLS, the lists the broker filters are marked partial or
/// unauthorized, and no rule of any profile that reads such a part passes: checked over the
/// whole pack, with the parts each rule reads derived from its CEL.
#[test]
fn restricted_principal_never_gets_a_pass_on_what_it_cannot_see() {
    let rules = kraftcheck::rules::load_rules(None).unwrap();
    for (bootstrap, config) in [
        (
            rig("zk39", "SASL_BOOTSTRAP"),
            rig("zk39", "RESTRICTED_CONFIG"),
        ),
        (
            rig("zk39", "SSL_BOOTSTRAP"),
            rig("zk39", "RESTRICTED_SSL_CONFIG"),
        ),
    ] {
        let inv = collect(&bootstrap, Some(&config));
        let gaps = gap_parts(&inv);
        for part in ["acls", "scram_users", "quotas"] {
            assert_eq!(
                gaps.get(part).map(String::as_str),
                Some("unauthorized"),
                "{part} via {config}: {gaps:?}"
            );
        }
        // (Delegation tokens are disabled on the rig: the broker answers so, and "no tokens" is
        // then a fact, not a filtered list; gather/cluster.rs's unit test covers the enabled case.)
        for part in ["topics", "groups", "transactions"] {
            assert_eq!(
                gaps.get(part).map(String::as_str),
                Some("partial"),
                "{part} via {config}: {gaps:?}"
            );
        }
        let blind: BTreeSet<String> = inv["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["part"].as_str().unwrap().to_string())
            .collect();
        let (_, report) = audit_json(
            &bootstrap,
            Some(&config),
            &[
                "--profile",
                "inplace",
                "--profile",
                "msk-inplace",
                "--profile",
                "new-cluster",
                "--profile",
                "kafka4",
            ],
        );
        let mut checked = 0;
        for r in &rules.rules {
            let reads_blind = r.reads.iter().map(|p| p.name()).any(|p| {
                blind
                    .iter()
                    .any(|g| p == g || p.starts_with(&format!("{g}.")))
            });
            if !reads_blind {
                continue;
            }
            for f in findings(&report, &r.id) {
                checked += 1;
                assert_ne!(
                    f["status"], "pass",
                    "{} passed via {config} although it reads {:?} and the collect has gaps on {blind:?}: {}",
                    r.id, r.reads, f["message"]
                );
            }
        }
        assert!(
            checked > 40,
            "only {checked} findings of blind rules via {config}"
        );
        // KRAFT-FEAT-001 (SCRAM users and broker configs): the pass the issue found.
        let f = findings(&report, "KRAFT-FEAT-001");
        assert!(
            !f.is_empty() && f.iter().all(|f| f["status"] == "unknown"),
            "KRAFT-FEAT-001: {f:?}"
        );
    }
}

/// With the admin principal (a super user) nothing is partial, and with the brokers'
/// server.properties beside the live collect, the super.users the broker hides is read.
#[test]
fn admin_sees_everything_and_hidden_values_come_from_the_broker_configs() {
    let inv = collect(
        &rig("zk39", "SASL_BOOTSTRAP"),
        Some(&rig("zk39", "SCRAM_CONFIG")),
    );
    let gaps = gap_parts(&inv);
    assert!(
        !inv["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["reason"] == "partial"),
        "admin has partial gaps: {gaps:?}"
    );
    // The broker hides super.users (its type is unknown to it): set, no value.
    let su = &inv["brokers"][0]["configs"]["super.users"];
    assert!(su.is_object() && su["value"].is_null(), "super.users: {su}");
    let (_, report) = audit_json(
        &rig("zk39", "SASL_BOOTSTRAP"),
        Some(&rig("zk39", "SCRAM_CONFIG")),
        &["--profile", "inplace"],
    );
    for f in findings(&report, "KRAFT-CFG-009") {
        assert_ne!(f["status"], "fail", "claims super.users is missing: {f}");
        if f["status"] == "unknown" {
            assert!(
                f["message"].as_str().unwrap().contains("super.users"),
                "{f}"
            );
        }
    }
    // The same with the brokers' files: the value is read, and the rule passes.
    let confs: Vec<String> = rig("zk39", "BROKER_CONFIGS")
        .split(',')
        .map(str::to_string)
        .collect();
    let mut extra = vec!["--profile".to_string(), "inplace".to_string()];
    for c in &confs {
        extra.push("--broker-config".into());
        extra.push(c.clone());
    }
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let (_, report) = audit_json(
        &rig("zk39", "SASL_BOOTSTRAP"),
        Some(&rig("zk39", "SCRAM_CONFIG")),
        &extra,
    );
    let f = findings(&report, "KRAFT-CFG-009");
    assert!(
        !f.is_empty() && f.iter().all(|f| f["status"] == "pass"),
        "{f:?}"
    );
}

/// Issue 18: the brokers' logs turn the live "3.9" into the exact release.
#[test]
fn broker_logs_give_the_exact_version() {
    let live = collect(&rig("zk39", "BOOTSTRAP"), None);
    for b in live["brokers"].as_array().unwrap() {
        assert_eq!(b["version"], "3.9", "{b}");
        assert_eq!(b["version_source"], "fingerprint", "{b}");
    }
    let logs = rig("zk39", "LOG_DIR");
    let mut cmd = kc();
    cmd.args(["collect", "--bootstrap-server", &rig("zk39", "BOOTSTRAP")]);
    for id in rig("zk39", "BROKER_IDS").split(',') {
        cmd.args(["--broker-log", &format!("{logs}/broker{id}.out")]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv: Value = serde_json::from_slice(&out.stdout).unwrap();
    let want = rig("zk39", "KAFKA_VERSION");
    for b in inv["brokers"].as_array().unwrap() {
        assert_eq!(b["version"], want.as_str(), "{b}");
        assert!(
            b["version_source"]
                .as_str()
                .unwrap()
                .starts_with("broker-log:"),
            "{b}"
        );
    }
    assert_eq!(inv["cluster"]["version"], want.as_str());
    // A log from the other rig (Kafka 4.x) is refused: it is not these brokers' log.
    let k4 = rig("kraft4", "LOG_DIR");
    let out = kc()
        .args(["collect", "--bootstrap-server", &rig("zk39", "BOOTSTRAP")])
        .args(["--broker-log", &format!("1={k4}/node1.out")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("answers as Kafka 3.9"));
}

/// Issue 18: a cluster already on Kafka 4.x gets no finding about crossing into 4.0, and its
/// default target is not below what it runs.
#[test]
fn a_kafka4_cluster_is_not_told_about_crossing_into_4_0() {
    let (_, report) = audit_json(&rig("kraft4", "BOOTSTRAP"), None, &[]);
    for f in report["findings"].as_array().unwrap() {
        let id = f["rule_id"].as_str().unwrap();
        if id.starts_with("K4-CFG") || id.starts_with("K4-FMT") {
            assert_ne!(f["status"], "fail", "{f}");
        }
    }
    for p in report["profiles"].as_array().unwrap() {
        let t = p["target"].as_str().unwrap();
        assert!(
            kraftcheck::rules::celenv::version_ge(t, "4.4.0"),
            "{} targets {t}",
            p["name"]
        );
    }
}

#[test]
fn unreachable_bootstrap_fails_fast_with_exit_2() {
    // A listener that accepts connections and never answers, and a closed port.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_addr = silent.local_addr().unwrap().to_string();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    for addr in [silent_addr, closed] {
        let t = Instant::now();
        let out = kc()
            .args(["audit", "--timeout-ms", "1500", "--bootstrap-server", &addr])
            .output()
            .unwrap();
        let took = t.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("cannot reach any bootstrap server") && stderr.contains(&addr),
            "{stderr}"
        );
        assert!(took < Duration::from_secs(5), "took {took:?}");
        assert!(out.stdout.is_empty());
    }
}

/// kraftcheck never sends a mutating request: the brokers' own request logs list every request
/// kraftcheck's client id sent during the suite.
#[test]
fn only_read_only_requests_reach_the_brokers() {
    // Make sure this test sees traffic of every kind, whatever order tests run in.
    collect(
        &rig("zk39", "SASL_BOOTSTRAP"),
        Some(&rig("zk39", "SCRAM_CONFIG")),
    );
    collect(&rig("kraft4", "BOOTSTRAP"), None);
    let mut seen = BTreeSet::new();
    for name in ["zk39", "kraft39", "kraft4"] {
        for log in rig(name, "REQUEST_LOGS")
            .split(':')
            .filter(|s| !s.is_empty())
        {
            for (api, line) in common::kraftcheck_requests(std::path::Path::new(log)) {
                assert!(
                    common::READ_ONLY_REQUESTS.contains(&api.as_str()),
                    "kraftcheck sent {api} to {name}: {line}"
                );
                seen.insert(api);
            }
        }
    }
    for must in [
        "METADATA",
        "DESCRIBE_CONFIGS",
        "DESCRIBE_ACLS",
        "OFFSET_FETCH",
    ] {
        assert!(
            seen.contains(must),
            "the request logs show no {must} from kraftcheck: is request logging on? seen {seen:?}"
        );
    }
}

/// Issue 17: what one side could not see is not comparable. The restricted principal's
/// inventory diffed against the admin's: nothing it could not read (ACLs, SCRAM users, quotas,
/// broker configs and the cluster-wide defaults, the filtered lists) is reported missing.
#[test]
fn diff_against_a_restricted_view_reports_unknown_not_missing() {
    let dir = tempfile::tempdir().unwrap();
    let save = |name: &str, bootstrap: &str, config: &str| {
        let p = dir.path().join(name);
        let out = kc()
            .args([
                "collect",
                "--bootstrap-server",
                bootstrap,
                "--command-config",
                config,
            ])
            .args(["-o", p.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        p
    };
    let sasl = rig("zk39", "SASL_BOOTSTRAP");
    let admin = save("admin.json", &sasl, &rig("zk39", "SCRAM_CONFIG"));
    let restricted = save("restricted.json", &sasl, &rig("zk39", "RESTRICTED_CONFIG"));
    let out = kc()
        .args([
            "diff",
            admin.to_str().unwrap(),
            restricted.to_str().unwrap(),
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = d["items"].as_array().unwrap();
    let missing: Vec<&Value> = items.iter().filter(|i| i["status"] == "missing").collect();
    assert!(missing.is_empty(), "reported missing: {missing:#?}");
    let unknown: BTreeSet<&str> = items
        .iter()
        .filter(|i| i["status"] == "unknown")
        .map(|i| i["category"].as_str().unwrap())
        .collect();
    assert!(unknown.len() >= 4, "categories not compared: {unknown:?}");
}

fn zk_shell(args: &[&str]) {
    let out = std::process::Command::new(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rig/rig.sh"),
    )
    .args(["tool", "zk39", "zookeeper-shell"])
    .args(args)
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "zookeeper-shell {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Issue 12: `--zookeeper` reads ZooKeeper itself. On the clean zk39 cluster no ZooKeeper rule
/// fails and the counts equal the Admin API's; a /migration znode planted with zookeeper-shell
/// (empty, then with an earlier attempt's state) is found by its rule, naming the znode.
#[test]
fn zookeeper_is_read_and_the_clean_cluster_has_no_zookeeper_finding() {
    let zk = rig("zk39", "ZK_CONNECT");
    let bootstrap = rig("zk39", "BOOTSTRAP");
    let mut cmd = kc();
    cmd.args([
        "collect",
        "--bootstrap-server",
        &bootstrap,
        "--zookeeper",
        &zk,
    ]);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv: Value = serde_json::from_slice(&out.stdout).unwrap();
    let z = &inv["zookeeper"];
    assert_eq!(z["cluster_id"], inv["cluster"]["id"], "{z}");
    assert_eq!(
        z["topic_count"].as_u64().unwrap() as usize,
        inv["topics"].as_array().unwrap().len()
    );
    let partitions: usize = inv["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["partitions"].as_array().unwrap().len())
        .sum();
    assert_eq!(z["partition_count"].as_u64().unwrap() as usize, partitions);
    assert_eq!(z["brokers"].as_array().unwrap().len(), 2);
    assert_eq!(z["migration"], "absent");
    // Resources with ACLs, as ZooKeeper keeps them and as DescribeAcls shows them.
    let zk_resources: u64 = z["acl_resources"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    let api_resources: BTreeSet<String> = inv["acls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            format!(
                "{}:{}:{}",
                a["resource_type"], a["pattern_type"], a["resource_name"]
            )
        })
        .collect();
    assert_eq!(zk_resources as usize, api_resources.len());
    let zk_audit = |extra: &[&str]| -> Value {
        let (_, report) = audit_json(
            &bootstrap,
            None,
            &[&["--zookeeper", zk.as_str(), "--profile", "inplace"], extra].concat(),
        );
        report
    };
    let report = zk_audit(&[]);
    for f in report["findings"].as_array().unwrap() {
        if f["rule_id"].as_str().unwrap().starts_with("ZK-") {
            assert_eq!(f["status"], "pass", "{f}");
        }
    }
    // Planted: an empty /migration, as zookeeper-security-migration leaves it.
    zk_shell(&["create", "/migration"]);
    let report = zk_audit(&[]);
    zk_shell(&[
        "set",
        "/migration",
        r#"{"version":0,"kraft_metadata_offset":412,"kraft_controller_id":3000,"kraft_metadata_epoch":1,"kraft_controller_epoch":1}"#,
    ]);
    let report2 = zk_audit(&[]);
    zk_shell(&["delete", "/migration"]);
    let failed = |r: &Value, id: &str| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == id && f["status"] == "fail")
    };
    assert!(failed(&report, "ZK-001") && !failed(&report, "ZK-001b"));
    assert!(failed(&report2, "ZK-001b") && !failed(&report2, "ZK-001"));
    assert!(
        report2["summary"]["phase_evidence"]
            .to_string()
            .contains("/migration records a migration (KRaft controller 3000"),
        "{}",
        report2["summary"]
    );
    // Offline: the saved inventory (with its zookeeper part) audits the same.
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("zk.json");
    std::fs::write(&saved, serde_json::to_vec(&inv).unwrap()).unwrap();
    let out = kc()
        .args([
            "audit",
            "--inventory",
            saved.to_str().unwrap(),
            "--profile",
            "inplace",
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    let offline: Value = serde_json::from_slice(&out.stdout).unwrap();
    let zk_findings = |r: &Value| -> Vec<(String, String)> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"].as_str().unwrap().starts_with("ZK-"))
            .map(|f| (f["rule_id"].to_string(), f["status"].to_string()))
            .collect()
    };
    let live = zk_audit(&[]);
    assert_eq!(zk_findings(&offline), zk_findings(&live));
    assert!(!zk_findings(&offline).is_empty());
}
