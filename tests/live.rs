//! Live tests against the real Apache Kafka rig (rig/rig.sh; scripts/test-all starts it and
//! exports KRAFTCHECK_RIG_* variables). Without the rig these tests fail: they are not optional.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
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

#[test]
fn restricted_principal_yields_gaps_and_unknowns_never_passes() {
    let inv = collect(
        &rig("zk39", "SASL_BOOTSTRAP"),
        Some(&rig("zk39", "RESTRICTED_CONFIG")),
    );
    let gaps: BTreeSet<String> = inv["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["part"].as_str().unwrap().to_string())
        .collect();
    for part in ["acls", "scram_users", "quotas", "brokers.configs"] {
        assert!(gaps.contains(part), "no gap for {part}: {gaps:?}");
    }
    let (_, report) = audit_json(
        &rig("zk39", "SASL_BOOTSTRAP"),
        Some(&rig("zk39", "RESTRICTED_CONFIG")),
        &[
            "--profile",
            "inplace",
            "--profile",
            "new-cluster",
            "--profile",
            "kafka4",
        ],
    );
    let rules = kraftcheck::rules::load_rules(None).unwrap();
    let mut checked = 0;
    for r in &rules.rules {
        let blind = r
            .needs
            .iter()
            .any(|n| ["acls", "scram_users", "quotas"].contains(&n.as_str()));
        if !blind {
            continue;
        }
        for f in findings(&report, &r.id) {
            checked += 1;
            assert_ne!(
                f["status"], "pass",
                "{} passed although its data ({:?}) was not readable",
                r.id, r.needs
            );
        }
    }
    assert!(
        checked > 0,
        "no rule needing ACLs/SCRAM/quotas was evaluated"
    );
    // Broker-config rules are unknown per broker, not pass.
    for f in findings(&report, "KRAFT-CFG-003") {
        assert_eq!(f["status"], "unknown", "{f}");
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
