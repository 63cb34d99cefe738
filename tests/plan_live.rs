//! `kraftcheck plan -o DIR` re-creation scripts proven on the rig (issue 13): generated from
//! the seeded zk39 inventory, applied with Kafka's own CLI tools (the rig's `rig.sh tool`, the
//! same classes as kafka-*.sh) to the empty KRaft cluster recreate39, then `kraftcheck diff`
//! shows parity for every category the scripts cover; one broken generated line is caught.
//! Needs the rigs zk39 (seeded) and recreate39: scripts/test-all starts both (`up all`).

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn kc() -> Command {
    Command::cargo_bin("kraftcheck").unwrap()
}

fn rig(name: &str) -> String {
    let var = format!("KRAFTCHECK_RIG_{name}_BOOTSTRAP");
    std::env::var(&var).unwrap_or_else(|_| {
        panic!("{var} is not set: this test needs the rigs zk39 (seeded) and recreate39; run scripts/test-all, or `rig/rig.sh up zk39 && rig/rig.sh seed zk39 && rig/rig.sh up recreate39 && eval \"$(rig/rig.sh env)\"`")
    })
}

/// The categories the scripts re-create.
const COVERED: &[&str] = &[
    "topics",
    "partitions",
    "replication-factor",
    "topic-configs",
    "acls",
    "scram-users",
    "quotas",
    "broker-configs",
    "broker-defaults",
];

/// A KAFKA_BIN whose kafka-*.sh run Kafka's tool classes through `rig.sh tool`.
fn kafka_bin(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let rig_sh = Path::new(env!("CARGO_MANIFEST_DIR")).join("rig/rig.sh");
    for t in [
        "kafka-acls",
        "kafka-configs",
        "kafka-topics",
        "kafka-cluster",
    ] {
        // The scripts always pass --bootstrap-server, so rig.sh adds nothing.
        std::fs::write(
            bin.join(format!("{t}.sh")),
            format!(
                "#!/bin/sh\nexec '{}' tool recreate39 {t} \"$@\"\n",
                rig_sh.display()
            ),
        )
        .unwrap();
    }
    assert!(std::process::Command::new("chmod")
        .arg("-R")
        .arg("+x")
        .arg(&bin)
        .status()
        .unwrap()
        .success());
    bin
}

/// Run one script against `bootstrap`; (exit code, stderr).
fn run_script(script: &Path, bootstrap: &str, bin: &Path, scram_vars: &[String]) -> (i32, String) {
    let mut c = std::process::Command::new("bash");
    // The --command-config placeholder, filled as an operator would (the rig's admin listener).
    let cc = bin.parent().unwrap().join("admin.properties");
    std::fs::write(&cc, "security.protocol=PLAINTEXT\n").unwrap();
    c.arg(script)
        .env("BOOTSTRAP", bootstrap)
        .env("KAFKA_BIN", bin)
        .env("COMMAND_CONFIG", &cc);
    for v in scram_vars {
        // The rig's SCRAM users (admin, restricted) log in with this password.
        c.env(v, "rigpass");
    }
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn collect(bootstrap: &str, out: &Path) {
    kc().args(["collect", "--bootstrap-server", bootstrap, "-o"])
        .arg(out)
        .assert()
        .code(0);
}

fn diff(old: &Path, new: &Path) -> (i32, Value) {
    let o = kc()
        .arg("diff")
        .arg(old)
        .arg(new)
        .args(["--profile", "new-cluster", "-f", "json"])
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        serde_json::from_slice(&o.stdout).unwrap(),
    )
}

#[test]
fn scripts_applied_with_kafka_tools_give_parity_and_a_broken_line_is_caught() {
    let source = rig("ZK39");
    let target = rig("RECREATE39");
    let tmp = TempDir::new().unwrap();
    let before = tmp.path().join("before.json");
    collect(&source, &before);
    let out = tmp.path().join("plan");
    kc().args(["plan", "--inventory"])
        .arg(&before)
        .args(["--profile", "new-cluster", "-f", "json", "-o"])
        .arg(&out)
        .assert()
        .code(0);
    let dir = out.join("recreate");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    scripts.sort();
    assert_eq!(scripts.len(), 5);
    let scram = std::fs::read_to_string(dir.join("30-scram-users.sh")).unwrap();
    let mut vars: Vec<String> = scram
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("SCRAM_PASSWORD_"))
        .map(str::to_string)
        .collect();
    vars.sort();
    vars.dedup();
    assert!(vars.len() >= 3, "the seeded SCRAM users: {vars:?}");
    let bin = kafka_bin(tmp.path());

    // Against the source cluster every script refuses after reading its cluster id.
    let (code, err) = run_script(&dir.join("50-acls.sh"), &source, &bin, &vars);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("is the source cluster"), "{err}");

    // Apply everything to the KRaft target (idempotent: a second run of the test re-applies).
    let t0 = std::time::Instant::now();
    for s in &scripts {
        let (code, err) = run_script(s, &target, &bin, &vars);
        assert_eq!(code, 0, "{}: {err}", s.display());
    }
    eprintln!(
        "plan_live: 5 scripts applied in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    let after = tmp.path().join("after.json");
    collect(&target, &after);
    let (_, d) = diff(&before, &after);
    for c in COVERED {
        let cat = &d["categories"][*c];
        for k in ["missing", "changed", "unknown"] {
            assert_eq!(
                cat[k],
                0,
                "{c}: {k}: {}",
                serde_json::to_string_pretty(&d["items"]).unwrap()
            );
        }
    }
    for c in [
        "topics",
        "topic-configs",
        "acls",
        "scram-users",
        "quotas",
        "broker-configs",
        "broker-defaults",
    ] {
        assert!(
            d["categories"][c]["same"].as_u64().unwrap() > 0,
            "{c}: nothing compared"
        );
    }

    // Break one generated line (a quota value), apply it: diff sees the change.
    let quotas = dir.join("40-quotas.sh");
    let text = std::fs::read_to_string(&quotas).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("tool kafka-configs") && l.contains("--add-config '"))
        .expect("a quota line")
        .to_string();
    let (head, rest) = line.split_once("--add-config '").unwrap();
    let (kv, tail) = rest.split_once(['\'', ',']).unwrap();
    let (k, v) = kv.split_once('=').unwrap();
    let broken_line = format!(
        "{head}--add-config '{k}={}1{}{tail}",
        v,
        &rest[kv.len()..kv.len() + 1]
    );
    assert_ne!(broken_line, line);
    let broken = tmp.path().join("40-quotas-broken.sh");
    std::fs::write(&broken, text.replacen(&line, &broken_line, 1)).unwrap();
    let (code, err) = run_script(&broken, &target, &bin, &vars);
    assert_eq!(code, 0, "{err}");
    let after_broken = tmp.path().join("after-broken.json");
    collect(&target, &after_broken);
    let (code, d) = diff(&before, &after_broken);
    assert_eq!(code, 1);
    assert_eq!(
        d["categories"]["quotas"]["changed"], 1,
        "{}",
        d["categories"]["quotas"]
    );
    let item = d["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["category"] == "quotas" && i["status"] == "changed")
        .unwrap();
    assert!(item.to_string().contains(k), "{item}");

    // Put the target back in parity (the original line again).
    let (code, err) = run_script(&quotas, &target, &bin, &vars);
    assert_eq!(code, 0, "{err}");
}

fn live_plan(args: &[&str]) -> Value {
    let o = kc()
        .arg("plan")
        .args(args)
        .args(["--profile", "inplace", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn statuses(p: &Value) -> Vec<String> {
    p["paths"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap().to_string())
        .collect()
}

/// Done steps come from the phase collected live: the ZooKeeper-mode zk39 (nothing done, step 1
/// next) and the KRaft-only recreate39 (`finalized`: every step done). The phases between are
/// checked offline (tests/plan.rs, src/plan unit tests).
#[test]
fn plan_on_live_rigs_marks_steps_done_from_the_phase() {
    let p = live_plan(&["--bootstrap-server", &rig("ZK39")]);
    assert_eq!(p["phase"], "zookeeper");
    let st = statuses(&p);
    assert_eq!(st[0], "next");
    assert!(st[1..].iter().all(|s| s == "todo"), "{st:?}");

    // recreate39's node 1 is broker and controller: the quorum is seen through the brokers.
    let target = rig("RECREATE39");
    let ctl = std::env::var("KRAFTCHECK_RIG_RECREATE39_CONTROLLER_BOOTSTRAP").unwrap();
    let p = live_plan(&[
        "--bootstrap-server",
        &target,
        "--bootstrap-controller",
        &ctl,
    ]);
    assert_eq!(p["phase"], "finalized");
    assert!(statuses(&p).iter().all(|s| s == "done"));
}
