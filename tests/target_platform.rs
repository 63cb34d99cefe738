//! `--target-platform` (issue 16): the compare view of candidate targets, its limits with their
//! sources, "verify" for uncertain limits, and no change without the option.

use std::process::Command;

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/zk-cluster/inventory.json"
);
const ALL: [&str; 8] = [
    "apache-kafka",
    "msk-standard",
    "msk-express",
    "msk-serverless",
    "confluent-basic",
    "confluent-standard",
    "confluent-enterprise",
    "confluent-dedicated",
];

fn audit(extra: &[&str]) -> (i32, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kraftcheck"))
        .args(["audit", "--inventory", EXAMPLE, "-f", "json"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap(), json, stderr)
}

/// The first finding of rule `id`.
fn finding<'a>(r: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == id)
        .unwrap_or_else(|| panic!("{id} evaluated"))
}

fn all_platforms() -> Vec<&'static str> {
    ALL.iter().flat_map(|p| ["--target-platform", p]).collect()
}

#[test]
fn every_platform_gets_a_row_with_its_limits_and_sources() {
    let mut args = all_platforms();
    args.extend([
        "--target-size",
        "express.m7g.large",
        "--target-size",
        "kafka.m7g.large",
    ]);
    let (code, r, err) = audit(&args);
    assert_eq!(code, 1, "the example has blocking findings: {err}");
    let targets = r["targets"].as_array().expect("targets in JSON");
    let names: Vec<&str> = targets
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ALL);
    for t in targets {
        let limits = t["limits"].as_array().unwrap();
        assert!(!limits.is_empty(), "{} used no limit", t["name"]);
        for l in limits {
            assert!(!l["source"].as_str().unwrap().is_empty());
            assert!(l["read"].as_str().unwrap().starts_with("2026-"));
        }
    }
    let row = |n: &str| targets.iter().find(|t| t["name"] == n).unwrap();
    // The example has Kafka Streams internal topics: Express needs them pre-created.
    assert!(row("msk-express")["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r.as_str().unwrap().starts_with("TGT-STREAMS")));
    // SCRAM users cannot move to Serverless or Confluent Cloud; self-managed Kafka keeps them.
    assert!(row("msk-serverless")["high"].as_u64().unwrap() > 0);
    assert_eq!(row("apache-kafka")["high"], 0);
    // Findings of platform rules name their target and carry the limits they read.
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule_id"] == "TGT-SCRAM"
                && f["platform"] == "confluent-basic"
                && f["status"] == "fail"
        })
        .expect("TGT-SCRAM fails on confluent-basic");
    assert!(f["evidence"]["limit.scram_mechanisms"]
        .as_str()
        .unwrap()
        .contains("read 2026-12"));
}

#[test]
fn uncertain_limits_are_verify_notes_not_enforced() {
    // The example has an ongoing transaction; MSK Serverless transaction support is uncertain.
    let (_, r, _) = audit(&["--target-platform", "msk-serverless"]);
    let f = finding(&r, "TGT-TXN");
    assert_eq!(f["status"], "fail");
    assert_eq!(
        f["severity"], "info",
        "an uncertain limit is never enforced"
    );
    assert!(f["message"].as_str().unwrap().starts_with("Verify"));
    assert!(r["targets"][0]["verify"].as_u64().unwrap() >= 1);
}

#[test]
fn without_the_option_nothing_changes_and_bad_names_exit_2() {
    let (_, r, _) = audit(&[]);
    assert!(r.get("targets").is_none());
    assert!(r["findings"].as_array().unwrap().iter().all(
        |f| f.get("platform").is_none() && !f["rule_id"].as_str().unwrap().starts_with("TGT-")
    ));
    let (code, _, err) = audit(&["--target-platform", "msk-expres"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--target-platform msk-expres: unknown platform"),
        "{err}"
    );
    let (code, _, err) = audit(&[
        "--target-platform",
        "confluent-basic",
        "--target-size",
        "kafka.m5.large",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--target-size kafka.m5.large"), "{err}");
}

#[test]
fn the_per_broker_limit_needs_a_size() {
    let (_, r, _) = audit(&["--target-platform", "msk-standard"]);
    let f = finding(&r, "TGT-PART-BROKER");
    assert_eq!(f["status"], "unknown");
    assert!(f["message"].as_str().unwrap().contains("--target-size"));
    // With a size: the example's partition replicas fit 3 kafka.m7g.large brokers (1,500
    // each), and the limit shows in the evidence.
    let (_, r, _) = audit(&[
        "--target-platform",
        "msk-standard",
        "--target-size",
        "kafka.m7g.large",
    ]);
    let f = finding(&r, "TGT-PART-BROKER");
    assert_eq!(f["status"], "pass");
    assert!(f["evidence"]["limit.partitions_per_broker_max"]
        .as_str()
        .unwrap()
        .starts_with("1,500"));
}

#[test]
fn serverless_compaction_and_retention_defaults() {
    let (_, r, _) = audit(&["--target-platform", "msk-serverless"]);
    let of = |id: &str| -> Vec<&serde_json::Value> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == id)
            .collect()
    };
    // Compacted user topics must be created compacted (cleanup.policy only at creation);
    // Kafka's internal topics are the target's own.
    let compact: Vec<&str> = of("TGT-COMPACT-SLS")
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| f["resource"]["name"].as_str().unwrap())
        .collect();
    assert!(compact.contains(&"payments.audit-log"), "{compact:?}");
    assert!(!compact.contains(&"__consumer_offsets"), "{compact:?}");
    // The example's brokers keep log.retention.hours=168: the target's 7 days, nothing to say.
    let ms = of("TGT-RETENTION-MS");
    assert!(ms.iter().all(|f| f["status"] == "pass"), "{ms:?}");
    // Its default log.retention.bytes (-1) becomes 250 GiB per partition on Serverless, for
    // topics that delete by time and size only; compacted-only topics are left out.
    let bytes = of("TGT-RETENTION-BYTES");
    assert!(bytes
        .iter()
        .any(|f| f["status"] == "fail" && f["severity"] == "low"));
    assert!(bytes
        .iter()
        .all(|f| f["resource"]["name"] != "payments.audit-log"));
    let f = bytes.iter().find(|f| f["status"] == "fail").unwrap();
    assert!(f["evidence"]["limit.default_retention_bytes"]
        .as_str()
        .unwrap()
        .contains("serverless-config.html"));
}

#[test]
fn confluent_refuses_clients_below_its_baseline() {
    // Without broker metrics the client check is unknown, never a pass.
    let (_, r, _) = audit(&["--target-platform", "confluent-basic"]);
    assert_eq!(finding(&r, "TGT-CLIENT-PROTO")["status"], "unknown");
    // A Kafka 3.9.2 broker's metrics with 0.10-era clients (Produce v2): refused by
    // Confluent Cloud whatever Kafka version the team plans for.
    let metrics = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/metrics/kafka392-lower.txt"
    );
    let (_, r, err) = audit(&["--target-platform", "confluent-basic", "--metrics", metrics]);
    let fails: Vec<&serde_json::Value> = r["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{err}"))
        .iter()
        .filter(|f| f["rule_id"] == "TGT-CLIENT-PROTO" && f["status"] == "fail")
        .collect();
    assert!(
        fails
            .iter()
            .any(|f| f["message"].as_str().unwrap().starts_with("Produce v2")),
        "{fails:?}"
    );
    assert!(fails.iter().all(|f| f["platform"] == "confluent-basic"));
}

/// A saved rig inventory (real Kafka 3.9.2, seeded) against every platform: each target's
/// failing findings are explained by the limits they hit, each printed with its source.
#[test]
fn a_saved_rig_inventory_against_every_platform_explains_each_verdict_by_its_limits() {
    let inv = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rig/zk39-inventory.json"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_kraftcheck"))
        .args(["audit", "--inventory", inv, "-f", "json"])
        .args(all_platforms())
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let targets = r["targets"].as_array().expect("targets in JSON");
    assert_eq!(targets.len(), ALL.len());
    let findings = r["findings"].as_array().unwrap();
    let mut explained = 0;
    for t in targets {
        let name = t["name"].as_str().unwrap();
        for l in t["limits"].as_array().unwrap() {
            assert!(!l["source"].as_str().unwrap().is_empty(), "{name}: {l}");
        }
        let failing: Vec<&serde_json::Value> = findings
            .iter()
            .filter(|f| f["platform"] == name && f["status"] == "fail")
            .collect();
        let counted = t["blocking"].as_u64().unwrap() + t["high"].as_u64().unwrap();
        if counted > 0 {
            assert!(!t["reasons"].as_array().unwrap().is_empty(), "{name}");
        }
        for f in &failing {
            let ev = f["evidence"].as_object().unwrap();
            let limit = ev
                .iter()
                .find(|(k, _)| k.starts_with("limit."))
                .unwrap_or_else(|| panic!("{name} {}: no limit in evidence", f["rule_id"]));
            assert!(
                limit.1.as_str().unwrap().contains("read 20"),
                "{name} {}: {}",
                f["rule_id"],
                limit.1
            );
            explained += 1;
        }
    }
    assert!(explained > 0, "the seeded rig hits some target's limits");
    let row = |n: &str| targets.iter().find(|t| t["name"] == n).unwrap();
    // Self-managed Kafka keeps everything the rig has; Serverless cannot hold its SCRAM users.
    assert_eq!(row("apache-kafka")["high"], 0);
    assert!(row("msk-serverless")["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r.as_str().unwrap().starts_with("TGT-SCRAM")));
}
