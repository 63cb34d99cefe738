//! `kraftcheck plan`: ordered steps gated by findings, and the re-creation scripts (offline).
//! The scripts applied to a real KRaft cluster and checked with `kraftcheck diff`:
//! tests/plan_live.rs.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn kc() -> Command {
    Command::cargo_bin("kraftcheck").unwrap()
}

fn root(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn plan_json(args: &[&str]) -> Value {
    let out = kc()
        .arg("plan")
        .args(args)
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn gated(step: &Value) -> Vec<&str> {
    step["gated_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["rule_id"].as_str().unwrap())
        .collect()
}

#[test]
fn example_in_place_steps_in_order_with_blocking_findings_under_their_step() {
    let example = root("examples/zk-cluster");
    let p = plan_json(&[
        "--broker-config",
        example.to_str().unwrap(),
        "--kafka-version",
        "3.6.1",
    ]);
    let paths = p["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 1, "self-managed: the in-place path only");
    let steps = paths[0]["steps"].as_array().unwrap();
    let ids: Vec<&str> = steps.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "inplace.versions",
            "inplace.broker-configs",
            "inplace.controllers",
            "inplace.migration-mode",
            "inplace.migration-complete",
            "inplace.kraft-brokers",
            "inplace.soak",
            "inplace.finalize"
        ]
    );
    // The example's blocking findings sit under the step their rule file names.
    assert!(
        gated(&steps[0]).contains(&"KRAFT-VER-004"),
        "{:?}",
        gated(&steps[0])
    );
    assert!(gated(&steps[0]).contains(&"KRAFT-VER-005"));
    assert!(
        gated(&steps[1]).contains(&"KRAFT-CFG-014"),
        "{:?}",
        gated(&steps[1])
    );
    assert!(gated(&steps[1]).contains(&"KRAFT-CFG-001b"));
    assert!(!gated(&steps[0]).contains(&"KRAFT-CFG-014"));
    // Only the finalize step is irreversible; phase zookeeper: nothing done, step 1 next.
    let irr: Vec<&str> = steps
        .iter()
        .filter(|s| s["irreversible"] == true)
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(irr, ["inplace.finalize"]);
    assert_eq!(steps[0]["status"], "next");
    assert!(steps[1..].iter().all(|s| s["status"] == "todo"));
    // kafka4-only findings (K4-*) gate no in-place step.
    assert!(steps
        .iter()
        .all(|s| gated(s).iter().all(|g| !g.starts_with("K4-"))));

    // The table names the same steps and findings.
    let out = kc()
        .args([
            "plan",
            "--broker-config",
            example.to_str().unwrap(),
            "--kafka-version",
            "3.6.1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let a = text.find("Bring every broker").unwrap();
    let b = text.find("Fix broker configs").unwrap();
    let c = text.find("Soak").unwrap();
    let d = text.find("Finalize").unwrap();
    assert!(a < b && b < c && c < d);
    assert!(text.contains("KRAFT-VER-004 blocking fail broker:2"));
    assert!(text.contains("IRREVERSIBLE"));
}

#[test]
fn done_steps_come_from_the_collected_phase() {
    // A saved inventory in dual-write: brokers in migration mode.
    let tmp = TempDir::new().unwrap();
    let mut inv: Value = serde_json::from_str(
        &std::fs::read_to_string(root("tests/fixtures/diff/before.json")).unwrap(),
    )
    .unwrap();
    inv["cluster"]["phase"] = "".into();
    for b in inv["brokers"].as_array_mut().unwrap() {
        b["configs"]["zookeeper.metadata.migration.enable"] = serde_json::json!({"value": "true", "source": "STATIC_BROKER_CONFIG", "sensitive": false});
        b["configs"]["zookeeper.connect"] = serde_json::json!({"value": "zk:2181", "source": "STATIC_BROKER_CONFIG", "sensitive": false});
    }
    let f = tmp.path().join("inv.json");
    std::fs::write(&f, serde_json::to_string(&inv).unwrap()).unwrap();
    let p = plan_json(&["--inventory", f.to_str().unwrap(), "--profile", "inplace"]);
    assert_eq!(p["phase"], "dual-write", "{}", p["phase"]);
    let st: Vec<(&str, &str)> = p["paths"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        &st[..5],
        &[
            ("inplace.versions", "done"),
            ("inplace.broker-configs", "done"),
            ("inplace.controllers", "done"),
            ("inplace.migration-mode", "done"),
            ("inplace.migration-complete", "in-progress"),
        ]
    );
    assert_eq!(st[5].1, "todo");
}

#[test]
fn new_cluster_and_msk_paths_and_formats_written_with_o() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("plan");
    let inv = root("tests/fixtures/diff/before.json");
    kc().args([
        "plan",
        "--inventory",
        inv.to_str().unwrap(),
        "--profile",
        "new-cluster",
        "--profile",
        "msk-inplace",
    ])
    .args([
        "-f", "markdown", "-f", "html", "-f", "json", "-f", "table", "-o",
    ])
    .arg(&out)
    .assert()
    .code(0);
    for f in ["plan.md", "plan.html", "plan.json", "plan.txt"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let p: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    let profiles: Vec<&str> = p["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["profile"].as_str().unwrap())
        .collect();
    assert_eq!(profiles, ["new-cluster", "msk-inplace"]);
    let nc = &p["paths"][0]["steps"];
    let recreate = nc
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "new-cluster.recreate")
        .unwrap();
    // META-001c (SCRAM users must be re-created) gates the re-creation step.
    assert!(
        gated(recreate).contains(&"META-001c"),
        "{:?}",
        gated(recreate)
    );
    let html = std::fs::read_to_string(out.join("plan.html")).unwrap();
    assert!(html.contains("IRREVERSIBLE") && !html.contains("<script"));
    for s in [
        "10-topics.sh",
        "20-broker-configs.sh",
        "30-scram-users.sh",
        "40-quotas.sh",
        "50-acls.sh",
    ] {
        assert!(out.join("recreate").join(s).is_file(), "{s}");
    }
    // sarif is not a plan format: exit 2 with a message.
    kc().args(["plan", "--inventory", inv.to_str().unwrap(), "-f", "sarif"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--format sarif: plan is written as table, markdown, html or json",
        ));
    kc().args([
        "plan",
        "--inventory",
        inv.to_str().unwrap(),
        "--profile",
        "kafka4",
    ])
    .assert()
    .code(2)
    .stderr(predicates::str::contains("--profile kafka4"));
}

/// A rule file with these `steps` (see `common::test_rule`).
fn rule_with_steps(steps: &str) -> String {
    common::test_rule("TEST-STEP-001", &format!("{steps}\n"))
}

#[test]
fn rule_steps_are_validated_at_load() {
    for (steps, msg) in [
        (r#"steps = ["inplace.nope"]"#, "unknown step 'inplace.nope'"),
        (
            r#"steps = ["new-cluster.recreate"]"#,
            "not one of the rule's profiles",
        ),
        (
            r#"steps = ["inplace.versions", "inplace.soak"]"#,
            "two steps on path inplace",
        ),
    ] {
        let tmp = TempDir::new().unwrap();
        std::fs::write(tmp.path().join("r.toml"), rule_with_steps(steps)).unwrap();
        kc().args(["rules", "list", "--rules"])
            .arg(tmp.path())
            .assert()
            .code(2)
            .stderr(predicates::str::contains("r.toml"))
            .stderr(predicates::str::contains("field `steps`"))
            .stderr(predicates::str::contains(msg));
    }
    let tmp = TempDir::new().unwrap();
    std::fs::write(
        tmp.path().join("r.toml"),
        rule_with_steps(r#"steps = ["inplace.soak"]"#),
    )
    .unwrap();
    kc().args(["rules", "list", "--rules"])
        .arg(tmp.path())
        .assert()
        .code(0);
}

const SECRET: &str = "SEEDED-SECRET-7f3a9c";

/// A fake Kafka bin directory: every tool logs its arguments; kafka-cluster prints `id`.
fn fake_bin(dir: &Path, cluster_id: &str) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for t in ["kafka-acls", "kafka-configs", "kafka-topics"] {
        std::fs::write(
            bin.join(format!("{t}.sh")),
            format!(
                "#!/bin/sh\necho \"{t} $*\" >> \"{}\"\n",
                dir.join("calls.log").display()
            ),
        )
        .unwrap();
    }
    std::fs::write(
        bin.join("kafka-cluster.sh"),
        format!(
            "#!/bin/sh\necho \"kafka-cluster $*\" >> \"{}\"\necho 'Cluster ID: {cluster_id}'\n",
            dir.join("calls.log").display()
        ),
    )
    .unwrap();
    std::process::Command::new("chmod")
        .arg("-R")
        .arg("+x")
        .arg(&bin)
        .status()
        .unwrap();
    bin
}

#[test]
fn scripts_hold_no_secret_refuse_the_source_and_call_kafka_tools() {
    let tmp = TempDir::new().unwrap();
    // Seed secrets wherever an inventory could carry one: a sensitive dynamic broker config
    // with a value, a non-flagged key named like a password, a sensitive topic config.
    let mut inv: Value = serde_json::from_str(
        &std::fs::read_to_string(root("tests/fixtures/diff/before.json")).unwrap(),
    )
    .unwrap();
    inv["brokers"][0]["configs"]["listener.name.sasl_ssl.ssl.keystore.password"] =
        serde_json::json!({"value": SECRET, "source": "DYNAMIC_BROKER_CONFIG", "sensitive": true});
    inv["brokers"][0]["configs"]["ssl.key.password"] = serde_json::json!({"value": SECRET, "source": "DYNAMIC_DEFAULT_BROKER_CONFIG", "sensitive": false});
    inv["topics"][2]["configs"]["sasl.jaas.config"] =
        serde_json::json!({"value": SECRET, "source": "DYNAMIC_TOPIC_CONFIG", "sensitive": true});
    let f = tmp.path().join("inv.json");
    std::fs::write(&f, serde_json::to_string(&inv).unwrap()).unwrap();
    let out = tmp.path().join("out");
    kc().args([
        "plan",
        "--inventory",
        f.to_str().unwrap(),
        "--profile",
        "new-cluster",
        "-f",
        "json",
        "-f",
        "html",
        "-f",
        "markdown",
        "-f",
        "table",
        "-o",
    ])
    .arg(&out)
    .assert()
    .code(0);
    let mut n = 0;
    for e in walk(&out) {
        let text = std::fs::read_to_string(&e).unwrap();
        assert!(
            !text.contains(SECRET),
            "{} holds the seeded secret",
            e.display()
        );
        n += 1;
    }
    assert_eq!(n, 9, "4 plan files and 5 scripts");
    let scripts = out.join("recreate");
    let scram = std::fs::read_to_string(scripts.join("30-scram-users.sh")).unwrap();
    assert!(scram.contains("SCRAM_PASSWORD_ALICE"), "{scram}");
    let brokers = std::fs::read_to_string(scripts.join("20-broker-configs.sh")).unwrap();
    assert!(
        brokers.contains("CONFIG_DEFAULT_SSL_KEY_PASSWORD"),
        "{brokers}"
    );

    // Against the source cluster (same id): every script refuses before any change.
    let src_id = inv["cluster"]["id"].as_str().unwrap().to_string();
    let work = tmp.path().join("src");
    let bin = fake_bin(&work, &src_id);
    for s in std::fs::read_dir(&scripts).unwrap() {
        let s = s.unwrap().path();
        let o = std::process::Command::new("bash")
            .arg(&s)
            .env("BOOTSTRAP", "old:9092")
            .env("COMMAND_CONFIG", "admin.properties")
            .env("KAFKA_BIN", &bin)
            .env("SCRAM_PASSWORD_ALICE", "x")
            .env("SCRAM_PASSWORD_BOB", "x")
            .env("SCRAM_PASSWORD_CAROL", "x")
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(3),
            "{}: {}",
            s.display(),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(String::from_utf8_lossy(&o.stderr).contains("is the source cluster"));
    }
    let log = std::fs::read_to_string(work.join("calls.log")).unwrap();
    assert!(
        log.lines()
            .all(|l| l.starts_with("kafka-cluster cluster-id")),
        "{log}"
    );
    assert!(log.contains("--config admin.properties"));

    // Against another cluster: the ACL script adds each ACL with kafka-acls.
    let work = tmp.path().join("dst");
    let bin = fake_bin(&work, "NewClusterId000000000A");
    let o = std::process::Command::new("bash")
        .arg(scripts.join("50-acls.sh"))
        .env("BOOTSTRAP", "new:9092")
        .env("COMMAND_CONFIG", "admin.properties")
        .env("KAFKA_BIN", &bin)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let log = std::fs::read_to_string(work.join("calls.log")).unwrap();
    let acl_calls = log.lines().filter(|l| l.starts_with("kafka-acls")).count();
    assert_eq!(acl_calls, inv["acls"].as_array().unwrap().len());
    assert!(log.contains("kafka-acls --bootstrap-server new:9092 --command-config admin.properties --add --allow-principal User:alice --allow-host * --operation IdempotentWrite --cluster --resource-pattern-type literal"), "{log}");
    // A missing SCRAM password stops the SCRAM script before any user is written.
    let work = tmp.path().join("nopw");
    let bin = fake_bin(&work, "NewClusterId000000000A");
    let o = std::process::Command::new("bash")
        .arg(scripts.join("30-scram-users.sh"))
        .env("BOOTSTRAP", "new:9092")
        .env("KAFKA_BIN", &bin)
        .env_remove("SCRAM_PASSWORD_ALICE")
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SCRAM_PASSWORD_ALICE"));
    let log = std::fs::read_to_string(work.join("calls.log")).unwrap();
    assert!(!log.contains("kafka-configs"), "{log}");
}

fn walk(d: &Path) -> Vec<PathBuf> {
    let mut v = vec![];
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            v.extend(walk(&p));
        } else {
            v.push(p);
        }
    }
    v
}

const OLD_ARN: &str =
    "arn:aws:kafka:us-east-1:111122223333:cluster/orders/6357e0b2-0e6a-4b86-a0b4-70df934c2e31-5";
const NEW_ARN: &str = "arn:aws:kafka:us-east-1:111122223333:cluster/orders-kraft/11111111-2222-3333-4444-555555555555-1";

#[test]
fn msk_artifacts_scram_association_configuration_and_rewritten_iam_policies() {
    let tmp = TempDir::new().unwrap();
    let mut inv: Value = serde_json::from_str(
        &std::fs::read_to_string(root("tests/fixtures/diff/before.json")).unwrap(),
    )
    .unwrap();
    inv["cluster"]["kind"] = "msk".into();
    inv["msk"] = serde_json::json!({
        "cluster_arn": OLD_ARN, "cluster_name": "orders",
        "cluster_uuid": "6357e0b2-0e6a-4b86-a0b4-70df934c2e31-5", "partition": "aws",
        "region": "us-east-1", "account": "111122223333", "cluster_type": "PROVISIONED",
        "state": "ACTIVE", "mode": "zookeeper", "kafka_version": "3.9.x", "broker_type": "standard",
        "scram_secrets": ["arn:aws:secretsmanager:us-east-1:111122223333:secret:AmazonMSK_alice-AbCdEf"],
        "configuration": {"arn": "arn:aws:kafka:us-east-1:111122223333:configuration/c/1", "revision": 2,
            "properties": {"zookeeper.session.timeout.ms": "18000", "auto.create.topics.enable": "false",
                           "log.message.format.version": "2.8"}}
    });
    inv["iam"] = serde_json::json!({"account": "111122223333", "principals": [
        {"kind": "role", "name": "orders-app", "arn": "arn:aws:iam::111122223333:role/orders-app",
         "attached_policies": ["arn:aws:iam::111122223333:policy/orders-app"]}], "policies": [
        {"arn": "arn:aws:iam::111122223333:policy/orders-app", "name": "orders-app", "default_version": "v1",
         "statements": [
            {"index": 0, "sid": "Connect", "effect": "Allow", "actions": ["kafka-cluster:Connect"], "resources": [OLD_ARN]},
            {"index": 1, "effect": "Allow", "actions": ["kafka-cluster:ReadData"],
             "resources": ["arn:aws:kafka:us-east-1:111122223333:topic/orders/6357e0b2-0e6a-4b86-a0b4-70df934c2e31-5/orders*"]}]},
        {"arn": "arn:aws:iam::111122223333:policy/unrelated", "name": "unrelated", "default_version": "v1",
         "statements": [{"index": 0, "effect": "Allow", "actions": ["s3:GetObject"], "resources": ["*"]}]}
    ]});
    let f = tmp.path().join("msk.json");
    std::fs::write(&f, serde_json::to_string(&inv).unwrap()).unwrap();
    let out = tmp.path().join("out");
    kc().args([
        "plan",
        "--inventory",
        f.to_str().unwrap(),
        "--profile",
        "new-cluster",
    ])
    .args(["--new-msk-cluster", NEW_ARN, "-o"])
    .arg(&out)
    .assert()
    .code(0);
    let msk = out.join("msk");
    let props = std::fs::read_to_string(msk.join("server.properties")).unwrap();
    assert!(props.contains("auto.create.topics.enable=false\n"));
    assert!(
        !props.contains("zookeeper.session.timeout.ms=")
            && !props.contains("log.message.format.version="),
        "{props}"
    );
    let assoc = std::fs::read_to_string(msk.join("associate-scram-secrets.sh")).unwrap();
    assert!(
        assoc.contains("batch-associate-scram-secret") && assoc.contains("AmazonMSK_alice-AbCdEf")
    );
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(msk.join("iam/policy-orders-app.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(doc["Statement"][0]["Resource"], NEW_ARN);
    assert!(doc["Statement"][1]["Resource"]
        .as_str()
        .unwrap()
        .contains("topic/orders-kraft/11111111"));
    assert!(!doc.to_string().contains("6357e0b2"));
    let diff = std::fs::read_to_string(msk.join("iam/policy-orders-app.diff")).unwrap();
    assert!(
        diff.contains(&format!("\n {OLD_ARN}\n")) && diff.contains(&format!("+{NEW_ARN}")),
        "the old resource stays, the new one is added: {diff}"
    );
    // The apply script adds a policy next to the old one and attaches it where the old one is.
    let apply = std::fs::read_to_string(msk.join("iam/apply-iam.sh")).unwrap();
    assert!(
        apply.contains("aws iam create-policy --policy-name 'orders-app-orders-kraft'")
            && apply.contains("aws iam attach-role-policy --role-name 'orders-app' --policy-arn 'arn:aws:iam::111122223333:policy/orders-app-orders-kraft'")
            && !apply.contains("delete"),
        "{apply}"
    );
    // IAM readiness: the role reaches the old cluster; on the new one nothing allows it yet.
    let plan_json = |f: &Path| -> Value {
        let out = kc()
            .args([
                "plan",
                "--inventory",
                f.to_str().unwrap(),
                "--profile",
                "new-cluster",
            ])
            .args(["--new-msk-cluster", NEW_ARN, "-f", "json"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let before = plan_json(&f);
    let r = &before["iam_readiness"];
    assert_eq!(r["status"], "not-ready", "{r:#}");
    assert_eq!(
        r["principals_checked"],
        serde_json::json!(["role/orders-app"])
    );
    let lost: Vec<(String, String)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            f["actions"].as_array().unwrap().iter().map(|a| {
                (
                    a.as_str().unwrap().to_string(),
                    f["new_resource"].as_str().unwrap().to_string(),
                )
            })
        })
        .collect();
    assert!(
        lost.contains(&("kafka-cluster:Connect".into(), NEW_ARN.into())),
        "{lost:?}"
    );
    assert!(
        lost.iter().any(
            |(a, r)| a == "kafka-cluster:ReadData" && r.contains("topic/orders-kraft/11111111")
        ),
        "{lost:?}"
    );
    // They gate the step "IAM on the new ARN".
    let step = before["paths"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "new-cluster.iam")
        .unwrap()
        .clone();
    assert!(step["gated_by"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["rule_id"] == "IAM-READY"
            && g["status"] == "fail"
            && g["resource"]
                .as_str()
                .unwrap()
                .starts_with("role/orders-app kafka-cluster:Connect")));
    // Applied (offline: the generated policy added and attached as apply-iam.sh does): ready.
    let mut applied = inv.clone();
    let mut added: Value = doc.clone();
    for (i, st) in added["Statement"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        st["index"] = i.into();
    }
    let statements: Vec<Value> = added["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| {
            let list = |v: &Value| match v {
                Value::String(s) => serde_json::json!([s]),
                v => v.clone(),
            };
            serde_json::json!({"index": st["index"], "effect": st["Effect"],
                "actions": list(&st["Action"]), "resources": list(&st["Resource"])})
        })
        .collect();
    applied["iam"]["policies"].as_array_mut().unwrap().push(serde_json::json!({
        "arn": "arn:aws:iam::111122223333:policy/orders-app-orders-kraft", "name": "orders-app-orders-kraft",
        "default_version": "v1", "statements": statements}));
    applied["iam"]["principals"][0]["attached_policies"]
        .as_array_mut()
        .unwrap()
        .push("arn:aws:iam::111122223333:policy/orders-app-orders-kraft".into());
    let f2 = tmp.path().join("msk-applied.json");
    std::fs::write(&f2, serde_json::to_string(&applied).unwrap()).unwrap();
    let after = plan_json(&f2);
    assert_eq!(
        after["iam_readiness"]["status"], "ready",
        "{:#}",
        after["iam_readiness"]
    );
    assert_eq!(
        after["iam_readiness"]["principals_ready"],
        serde_json::json!(["role/orders-app"])
    );
    // The new cluster from its describe-cluster-v2 output, and the HTML section.
    let described = tmp.path().join("new-cluster.json");
    std::fs::write(
        &described,
        serde_json::json!({"ClusterInfo": {"ClusterArn": NEW_ARN, "ClusterName": "orders-kraft"}})
            .to_string(),
    )
    .unwrap();
    let html = kc()
        .args([
            "plan",
            "--inventory",
            f.to_str().unwrap(),
            "--profile",
            "new-cluster",
        ])
        .arg("--new-msk-cluster")
        .arg(&described)
        .args(["-f", "html"])
        .output()
        .unwrap();
    assert_eq!(html.status.code(), Some(0));
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(
        html.contains("IAM on the new cluster: not-ready") && html.contains("role/orders-app"),
        "{html}"
    );
    // diff between the old MSK inventory and the new cluster's: the IAM access category.
    let new_side = |iam_from: &Value, name: &str| -> PathBuf {
        let mut n = iam_from.clone();
        n["cluster"]["id"] = "new-cluster-id".into();
        n["msk"]["cluster_arn"] = NEW_ARN.into();
        n["msk"]["cluster_name"] = "orders-kraft".into();
        n["msk"]["cluster_uuid"] = "11111111-2222-3333-4444-555555555555-1".into();
        let p = tmp.path().join(name);
        std::fs::write(&p, serde_json::to_string(&n).unwrap()).unwrap();
        p
    };
    let diff_iam = |new: &Path| -> (i32, Vec<Value>, Value) {
        let out = kc()
            .args([
                "diff",
                f.to_str().unwrap(),
                new.to_str().unwrap(),
                "-f",
                "json",
            ])
            .output()
            .unwrap();
        let d: Value = serde_json::from_slice(&out.stdout).unwrap();
        let items = d["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["category"] == "iam-access")
            .cloned()
            .collect();
        (
            out.status.code().unwrap(),
            items,
            d["categories"]["iam-access"].clone(),
        )
    };
    let (code, items, counts) = diff_iam(&new_side(&inv, "new-not-granted.json"));
    assert_eq!(code, 1);
    assert!(
        items.iter().any(|i| i["status"] == "missing"
            && i["resource"] == "iam:role/orders-app"
            && i["key"]
                .as_str()
                .unwrap()
                .starts_with("kafka-cluster:Connect on ")),
        "{items:#?}"
    );
    assert_eq!(counts["same"], 0, "{counts}");
    let (_, items, counts) = diff_iam(&new_side(&applied, "new-granted.json"));
    assert!(items.is_empty(), "{items:#?}");
    assert_eq!(counts["same"], 1, "{counts}");
    // IAM not collected: unknown, never ready.
    let mut no_iam = inv.clone();
    no_iam.as_object_mut().unwrap().remove("iam");
    let f3 = tmp.path().join("msk-no-iam.json");
    std::fs::write(&f3, serde_json::to_string(&no_iam).unwrap()).unwrap();
    let r = plan_json(&f3);
    assert_eq!(r["iam_readiness"]["status"], "unknown", "{r:#}");
    assert!(
        !msk.join("iam/policy-unrelated.json").exists(),
        "a policy without the old cluster is left alone"
    );
    // The association script refuses the old cluster.
    let o = std::process::Command::new("bash")
        .arg(msk.join("associate-scram-secrets.sh"))
        .env("NEW_CLUSTER_ARN", OLD_ARN)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    // A malformed ARN is exit 2 with a message.
    kc().args([
        "plan",
        "--inventory",
        f.to_str().unwrap(),
        "--new-msk-cluster",
        "orders-kraft",
    ])
    .assert()
    .code(2)
    .stderr(predicates::str::contains("--new-msk-cluster orders-kraft"));
}

#[test]
fn target_platform_adds_the_new_cluster_path_with_its_limits_under_the_first_step() {
    let example = root("examples/zk-cluster");
    let args = [
        "--broker-config",
        example.to_str().unwrap(),
        "--kafka-version",
        "3.6.1",
    ];
    let new_cluster = |p: &Value| {
        p["paths"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["profile"] == "new-cluster")
            .cloned()
    };
    assert!(
        new_cluster(&plan_json(&args)).is_none(),
        "self-managed: in place only"
    );
    let mut with = args.to_vec();
    with.extend(["--target-platform", "msk-express"]);
    let path = new_cluster(&plan_json(&with)).expect("--target-platform adds new-cluster");
    let steps = path["steps"].as_array().unwrap();
    assert_eq!(steps[0]["id"], "new-cluster.create");
    let first = gated(&steps[0]);
    assert!(
        first.iter().any(|r| r.starts_with("TGT-")),
        "the target's limits gate its creation: {first:?}"
    );
    for s in &steps[1..] {
        assert!(
            !gated(s).iter().any(|r| r.starts_with("TGT-")),
            "{}: {:?}",
            s["id"],
            gated(s)
        );
    }
    kc().arg("plan")
        .args(args)
        .args(["--target-platform", "msk-nowhere"])
        .assert()
        .code(2);
}
