//! `plan --new-msk-cluster` proven against moto (issue 13): an old and a new MSK cluster and the
//! IAM users, roles and groups of tests/fixtures/aws/seed.json, whose policies name the old
//! cluster. kraftcheck plans live, the generated `msk/iam/apply-iam.sh` is run with the real AWS
//! CLI against moto for every principal but one, and the IAM readiness check, read live again,
//! passes for the principals whose grants were applied and fails for the one left alone.
//!
//! moto has no BatchAssociateScramSecret (500) and no CreateConfiguration (404): the generated
//! scripts for those are run too and must reach moto with the right operation and cluster, which
//! is all moto can show. This test starts its own moto server (it writes to moto's IAM, so it
//! does not share tests/aws.rs's, whose request log must show no write).
//!
//! Needs the venv that scripts/test-all creates (target/aws-venv with moto[server] and awscli),
//! or KRAFTCHECK_AWS_VENV pointing at one.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

mod common;

fn venv() -> PathBuf {
    common::moto::venv()
}

/// The seeded secrets' values (tests/fixtures/aws/seed.json): never in any generated file.
const SECRET_VALUES: &[&str] = &[
    "never-fetched-orders-app",
    "never-fetched-orders-etl",
    "never-fetched-orders-legacy",
    "never-fetched-payments-svc",
];

/// moto's endpoints, and the venv's `aws` first on PATH (for the generated scripts).
fn aws_env(cmd: &mut Command, port: u16) {
    common::moto::aws_env(cmd, port, "plan-moto");
    let path = format!(
        "{}:{}",
        venv().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    cmd.env("PATH", path);
}

fn readiness(port: u16, dir: Option<&Path>) -> Value {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kraftcheck"));
    aws_env(&mut c, port);
    c.args([
        "plan",
        "--msk-cluster",
        "orders",
        "--profile",
        "new-cluster",
    ])
    // By name: resolved live with ListClustersV2.
    .args(["--new-msk-cluster", "orders-kraft", "-f", "json"]);
    if let Some(d) = dir {
        c.arg("-o").arg(d);
    }
    let out = c.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: Value = match dir {
        Some(d) => {
            serde_json::from_str(&std::fs::read_to_string(d.join("plan.json")).unwrap()).unwrap()
        }
        None => serde_json::from_slice(&out.stdout).unwrap(),
    };
    plan["iam_readiness"].clone()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn losers(r: &Value) -> Vec<String> {
    let mut v: Vec<String> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}/{}",
                f["principal_kind"].as_str().unwrap(),
                f["principal"].as_str().unwrap()
            )
        })
        .collect();
    v.dedup();
    v
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            v.extend(walk(&p));
        } else {
            v.push(p);
        }
    }
    v
}

#[test]
fn rewritten_grants_applied_to_moto_make_principals_ready_and_one_left_alone_fails() {
    let python = venv().join("bin/python");
    assert!(
        python.exists() && venv().join("bin/aws").exists(),
        "{} is missing: run scripts/test-all, or `python3 -m venv target/aws-venv && target/aws-venv/bin/pip install 'moto[server]==5.2.5' 'awscli==1.46.3'`",
        python.display()
    );
    let tmp = tempfile::TempDir::new().unwrap();
    // The shared seed plus the new cluster, named differently (as MSK requires in one region).
    let mut seed: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/aws/seed.json")).unwrap(),
    )
    .unwrap();
    let node_group = seed["clusters"][0]["broker_node_group_info"].clone();
    seed["clusters"].as_array_mut().unwrap().push(serde_json::json!({
        "name": "orders-kraft", "kafka_version": "3.9.x.kraft", "brokers": 3,
        "broker_node_group_info": node_group,
        "client_authentication": {"sasl": {"iam": {"enabled": true}, "scram": {"enabled": true}}, "unauthenticated": {"enabled": false}}
    }));
    let seed_file = tmp.path().join("seed.json");
    std::fs::write(&seed_file, seed.to_string()).unwrap();
    let moto = common::moto::Moto::start(&seed_file, tmp.path(), &[]);
    let (port, ready, log) = (moto.port, &moto.ready, &moto.log);
    let new_arn = ready["clusters"]["orders-kraft"]
        .as_str()
        .unwrap()
        .to_string();

    // 1. Before any grant: every principal pinned to the old cluster would lose access.
    let out = tmp.path().join("plan");
    let before = readiness(port, Some(&out));
    assert_eq!(before["status"], "not-ready", "{before:#}");
    assert_eq!(before["new_cluster"], new_arn.as_str());
    let pinned = [
        "role/analytics",
        "role/orders-app",
        "user/alice",
        "user/bob",
        "user/carol",
    ];
    assert_eq!(losers(&before), pinned, "{before:#}");
    // Account-wide and tag-conditioned grants carry over as they are.
    assert_eq!(
        strings(&before["principals_ready"]),
        ["role/platform-admin", "role/tagged-readers"]
    );
    assert!(!before["not_modelled"].as_array().unwrap().is_empty());

    // The generated files hold no secret value.
    for f in walk(&out) {
        let text = std::fs::read_to_string(&f).unwrap();
        for v in SECRET_VALUES {
            assert!(!text.contains(v), "{} contains a secret value", f.display());
        }
    }

    // 2. Apply the generated grants with the AWS CLI, for everyone but bob.
    let iam = out.join("msk/iam");
    let script = std::fs::read_to_string(iam.join("apply-iam.sh")).unwrap();
    assert!(script.contains("--user-name 'bob'"), "{script}");
    let but_bob: String = script
        .lines()
        .filter(|l| !l.contains("'bob'"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(iam.join("apply-but-bob.sh"), but_bob).unwrap();
    for _ in 0..2 {
        // Twice: re-running it changes nothing and does not fail.
        let mut c = Command::new("bash");
        aws_env(&mut c, port);
        let o = c.arg(iam.join("apply-but-bob.sh")).output().unwrap();
        assert!(
            o.status.success(),
            "apply-iam.sh failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }

    // 3. Read live again: ready for the principals whose grants were applied, bob fails.
    let after = readiness(port, None);
    assert_eq!(after["status"], "not-ready", "{after:#}");
    assert_eq!(losers(&after), ["user/bob"], "{after:#}");
    let bob = &after["findings"][0];
    assert_eq!(bob["status"], "fail");
    assert_eq!(strings(&bob["actions"]), ["kafka-cluster:Connect"]);
    assert_eq!(bob["new_resource"], new_arn.as_str());
    assert_eq!(
        strings(&after["principals_ready"]),
        [
            "role/analytics",
            "role/orders-app",
            "role/platform-admin",
            "role/tagged-readers",
            "user/alice",
            "user/carol"
        ]
    );
    // The old policies are untouched: everyone who reached the old cluster still does.
    assert_eq!(
        strings(&after["principals_checked"]),
        strings(&before["principals_checked"])
    );

    // 4. The MSK commands moto does not implement: they reach it with the right operation.
    let mut c = Command::new("bash");
    aws_env(&mut c, port);
    let o = c
        .arg(out.join("msk/associate-scram-secrets.sh"))
        .env("NEW_CLUSTER_ARN", &new_arn)
        .output()
        .unwrap();
    assert!(
        !o.status.success(),
        "moto now implements BatchAssociateScramSecret: assert its effect here"
    );
    let mut c = Command::new("bash");
    aws_env(&mut c, port);
    let o = c
        .arg(out.join("msk/create-configuration.sh"))
        .env("KAFKA_VERSION", "3.9.x.kraft")
        .output()
        .unwrap();
    assert!(
        !o.status.success(),
        "moto now implements CreateConfiguration: assert its effect here"
    );
    let entries: Vec<Value> = std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(entries
        .iter()
        .any(|e| e["operation"] == "BatchAssociateScramSecret"
            && e["path"].as_str().unwrap().contains(&new_arn)));
    assert!(entries
        .iter()
        .any(|e| e["method"] == "POST" && e["path"] == "/v1/configurations"));
    // The writes came from the AWS CLI; kraftcheck itself only read.
    let by_kraftcheck: Vec<&str> = entries
        .iter()
        .filter(|e| e["kraftcheck"] == true)
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert!(!by_kraftcheck.is_empty());
    for op in by_kraftcheck {
        assert!(
            ["Describe", "List", "Get"]
                .iter()
                .any(|p| op.starts_with(p)),
            "kraftcheck sent {op}"
        );
    }
    assert!(entries
        .iter()
        .any(|e| e["kraftcheck"] == false && e["operation"] == "CreatePolicy"));
    drop(moto);
}
