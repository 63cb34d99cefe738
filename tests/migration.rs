//! Real migrations in the rig (rig/migration.sh; scripts/test-all starts `mig39` and
//! `mm2target` and exports KRAFTCHECK_RIG_MIG39_* / KRAFTCHECK_RIG_MM2TARGET_*):
//!
//! - **new cluster**: MirrorMaker 2 (connect-mirror 3.9.2 from Maven Central, dedicated mode)
//!   copies the seeded ZooKeeper cluster `mig39` to the empty KRaft cluster `mm2target`;
//!   `kraftcheck diff` must show what MirrorMaker 2 did not carry, and every such loss must
//!   have been predicted by a `new-cluster` finding of the audit taken before;
//! - **in place**: the same cluster goes through KIP-866 (controller with migration enabled →
//!   brokers in migration mode → brokers in KRaft mode → finalize); kraftcheck collects and
//!   audits at each phase, must detect the phase, and `diff` of before and after must show
//!   nothing lost;
//! - a deliberately damaged copy of the real inventory is caught item by item.
//!
//! The rig work runs once (the first test to need it does it, the others wait); each test
//! then checks one property of what was recorded. The inventories, reports and step timings
//! are kept in target/tmp/migration/. Without the rig these tests fail.

mod common;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

fn rig(name: &str, key: &str) -> String {
    let var = format!("KRAFTCHECK_RIG_{}_{}", name.to_uppercase(), key);
    std::env::var(&var).unwrap_or_else(|_| {
        panic!("{var} is not set: the migration tests need the rigs mig39 and mm2target; run scripts/test-all, or `rig/rig.sh up mig39 && rig/rig.sh seed mig39 && rig/rig.sh up mm2target && eval \"$(rig/rig.sh env)\"`")
    })
}

fn rig_sh(args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("rig/rig.sh");
    let t0 = Instant::now();
    let st = Command::new(&script)
        .args(args)
        .status()
        .unwrap_or_else(|e| panic!("{}: {e}", script.display()));
    assert!(st.success(), "rig/rig.sh {} failed", args.join(" "));
    eprintln!(
        "rig/rig.sh {}: {:.1} s",
        args.join(" "),
        t0.elapsed().as_secs_f64()
    );
}

fn kraftcheck(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kraftcheck"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Collect an inventory into DIR/NAME.json (with the controllers when given).
fn collect(dir: &Path, name: &str, bootstrap: &str, controller: Option<&str>) -> (PathBuf, Value) {
    let path = dir.join(format!("{name}.json"));
    let p = path.display().to_string();
    let mut args = vec!["collect", "--bootstrap-server", bootstrap, "-o", &p];
    if let Some(c) = controller {
        args.extend(["--bootstrap-controller", c]);
    }
    let (code, _, err) = kraftcheck(&args);
    assert_eq!(code, 0, "collect {name}: {err}");
    let v = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (path, v)
}

/// Audit a saved inventory: the JSON report and the other formats' texts.
fn audit(dir: &Path, name: &str, inv: &Path) -> Audit {
    let out = dir.join(format!("audit-{name}"));
    let (o, i) = (out.display().to_string(), inv.display().to_string());
    let (code, _, err) = kraftcheck(&[
        "audit",
        "--inventory",
        &i,
        "--profile",
        "inplace",
        "--profile",
        "new-cluster",
        "--profile",
        "kafka4",
        "-f",
        "json",
        "-f",
        "table",
        "-f",
        "markdown",
        "-f",
        "html",
        "-f",
        "sarif",
        "-f",
        "junit",
        "-o",
        &o,
    ]);
    assert!(code == 0 || code == 1, "audit {name}: exit {code}: {err}");
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    Audit {
        json: serde_json::from_str(&read("kraftcheck.json")).unwrap(),
        texts: [
            "kraftcheck.txt",
            "kraftcheck.md",
            "kraftcheck.html",
            "kraftcheck.sarif",
            "kraftcheck.junit.xml",
        ]
        .iter()
        .map(|f| (f.to_string(), read(f)))
        .collect(),
    }
}

fn diff(old: &Path, new: &Path, extra: &[&str]) -> (i32, Value) {
    let (o, n) = (old.display().to_string(), new.display().to_string());
    let mut args = vec!["diff", &o, &n, "-f", "json"];
    args.extend(extra);
    let (code, out, err) = kraftcheck(&args);
    assert!(code == 0 || code == 1, "diff: exit {code}: {err}");
    (code, serde_json::from_slice(&out).unwrap())
}

struct Audit {
    json: Value,
    texts: BTreeMap<String, String>,
}

/// One phase of the in-place migration as kraftcheck saw it.
struct Phase {
    step: &'static str,
    /// With --bootstrap-controller (once a controller exists) / brokers only.
    with_controller: (PathBuf, Value),
    brokers_only: Value,
    audit: Audit,
}

struct RigRun {
    dir: PathBuf,
    before: PathBuf,
    pre_audit: Audit,
    target: PathBuf,
    phases: Vec<Phase>,
    after: PathBuf,
    timings: Vec<(String, f64)>,
}

fn timed<T>(timings: &mut Vec<(String, f64)>, what: &str, f: impl FnOnce() -> T) -> T {
    let t0 = Instant::now();
    let r = f();
    timings.push((what.to_string(), t0.elapsed().as_secs_f64()));
    r
}

/// Everything done to the rigs, once per test process.
fn run() -> &'static RigRun {
    static RUN: OnceLock<RigRun> = OnceLock::new();
    static FAILED: Mutex<Option<String>> = Mutex::new(None);
    static LOCK: Mutex<()> = Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = RUN.get() {
        return r;
    }
    if let Some(msg) = FAILED.lock().unwrap().as_ref() {
        panic!("the rig run failed earlier: {msg}");
    }
    match std::panic::catch_unwind(do_run) {
        Ok(r) => RUN.get_or_init(|| r),
        Err(e) => {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into());
            *FAILED.lock().unwrap() = Some(msg.clone());
            panic!("{msg}");
        }
    }
}

fn do_run() -> RigRun {
    let brokers = rig("mig39", "BOOTSTRAP");
    let target_bs = rig("mm2target", "BOOTSTRAP");
    let controller = format!("127.0.0.1:{}", 19690);
    let run_dir = PathBuf::from(rig("mig39", "RUN_DIR"));
    let mut timings = Vec::new();
    // A previous run left the rigs migrated or mirrored: start them afresh.
    let phase = std::fs::read_to_string(run_dir.join("phase")).unwrap_or_default();
    if phase.trim() != "zookeeper" {
        timed(&mut timings, "reset mig39 (up + seed)", || {
            rig_sh(&["seed", "mig39", "--reset"])
        });
    }
    // Inventories, reports and timings stay for inspection (CI can keep them as artifacts).
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("migration");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (_, tgt0) = collect(&dir, "target-empty", &target_bs, None);
    if tgt0["topics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "heartbeats")
    {
        timed(&mut timings, "reset mm2target", || {
            rig_sh(&["down", "mm2target"]);
            rig_sh(&["up", "mm2target"]);
        });
    }

    // Before anything: the seeded ZooKeeper cluster and the pre-migration audit.
    let (before, before_v) = collect(&dir, "before", &brokers, None);
    assert_eq!(before_v["cluster"]["mode"], "zookeeper");
    let pre_audit = audit(&dir, "before", &before);

    // New cluster: MirrorMaker 2 from mig39 (still ZooKeeper) into mm2target.
    timed(&mut timings, "mirror (MirrorMaker 2 until in sync)", || {
        rig_sh(&["mirror", "mig39", "mm2target"])
    });
    let (target, _) = collect(&dir, "target", &target_bs, None);

    // In place: KIP-866, one phase at a time, collected and audited at each.
    let mut phases = Vec::new();
    let p0 = Phase {
        step: "zookeeper",
        with_controller: (before.clone(), before_v.clone()),
        brokers_only: before_v.clone(),
        audit: audit(&dir, "zookeeper", &before),
    };
    phases.push(p0);
    for step in [
        "controller",
        "brokers-migration",
        "brokers-kraft",
        "finalize",
    ] {
        timed(&mut timings, &format!("migrate {step}"), || {
            rig_sh(&["migrate", "mig39", step])
        });
        let t0 = Instant::now();
        let with = collect(
            &dir,
            &format!("{step}-with-controller"),
            &brokers,
            Some(&controller),
        );
        timings.push((
            format!("collect after {step} (with controller)"),
            t0.elapsed().as_secs_f64(),
        ));
        let (_, only) = collect(&dir, &format!("{step}-brokers-only"), &brokers, None);
        let a = audit(&dir, step, &with.0);
        phases.push(Phase {
            step,
            with_controller: with,
            brokers_only: only,
            audit: a,
        });
    }
    let after = phases.last().unwrap().with_controller.0.clone();
    let path = dir.join("timings.txt");
    let text: String = timings
        .iter()
        .map(|(w, s)| format!("{w}: {s:.1} s\n"))
        .collect();
    std::fs::write(&path, &text).unwrap();
    eprintln!("migration rig timings ({}):\n{text}", path.display());
    RigRun {
        dir,
        before,
        pre_audit,
        target,
        phases,
        after,
        timings,
    }
}

fn failing(d: &Value) -> Vec<&Value> {
    d["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| ["missing", "changed", "unknown"].contains(&i["status"].as_str().unwrap()))
        .collect()
}

fn finding_id(f: &Value) -> String {
    let (k, n) = (
        f["resource"]["kind"].as_str().unwrap(),
        f["resource"]["name"].as_str().unwrap(),
    );
    if n.is_empty() {
        k.to_string()
    } else {
        format!("{k}:{n}")
    }
}

/// Issue 17: a cluster the suite migrates in place is not BLOCKED for `inplace` before it is
/// migrated: a blocker that the project's own migration walks through is a false blocker.
#[test]
fn the_cluster_the_suite_migrates_is_not_blocked() {
    let r = run();
    let blockers: Vec<String> = r.pre_audit.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["status"] == "fail"
                && f["severity"] == "blocking"
                && f["profiles"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p == "inplace")
        })
        .map(|f| format!("{} {}: {}", f["rule_id"], finding_id(f), f["message"]))
        .collect();
    assert!(
        blockers.is_empty(),
        "the migration rig migrates this cluster, yet the audit blocks it:\n{}",
        blockers.join("\n")
    );
    // The plan step that replaced the false blocker is there.
    assert!(
        r.pre_audit.json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "KRAFT-CFG-008d" && f["status"] == "fail"),
        "KRAFT-CFG-008d (AclAuthorizer plan step) not raised"
    );
}

#[test]
fn the_phase_is_detected_at_every_step() {
    let r = run();
    let with: Vec<&str> = r
        .phases
        .iter()
        .map(|p| {
            p.with_controller.1["cluster"]["phase"]
                .as_str()
                .unwrap_or("")
        })
        .collect();
    assert_eq!(
        with,
        [
            "zookeeper",
            "pre-migration",
            "dual-write",
            "kraft-brokers",
            "finalized"
        ],
        "with --bootstrap-controller"
    );
    // From the brokers alone: pre-migration looks like ZooKeeper mode, and after the brokers
    // moved to KRaft, finalization is not visible.
    let only: Vec<&str> = r
        .phases
        .iter()
        .map(|p| p.brokers_only["cluster"]["phase"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        only,
        ["zookeeper", "zookeeper", "dual-write", "kraft", "kraft"],
        "brokers only"
    );
    for p in &r.phases {
        let c = &p.with_controller.1["cluster"];
        let ev = c["phase_evidence"].as_array().map(|a| a.len()).unwrap_or(0);
        assert!(ev > 0, "{}: no evidence for the phase", p.step);
        // The controller (node 3000) is in the inventory once it exists.
        let ctl = p.with_controller.1["brokers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["id"] == 3000 && b["roles"] == "controller");
        assert_eq!(
            ctl,
            p.step != "zookeeper",
            "{}: controller node listed",
            p.step
        );
    }
    let dual = &r.phases[2];
    assert_eq!(dual.brokers_only["cluster"]["zk_migration_ready"], true);
    assert_eq!(dual.brokers_only["cluster"]["mode"], "zookeeper");
    assert_eq!(r.phases[4].with_controller.1["cluster"]["mode"], "kraft");
}

#[test]
fn every_report_states_that_finalizing_is_irreversible() {
    let r = run();
    for p in &r.phases {
        let j = &p.audit.json;
        assert_eq!(
            j["summary"]["phase"], p.with_controller.1["cluster"]["phase"],
            "{}",
            p.step
        );
        let open = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == "fail" && f["severity"] == "blocking")
            .count();
        let note = j["finalize_note"].as_str().unwrap();
        let count = match open {
            0 => "No blocking finding is open".to_string(),
            1 => "1 blocking finding is open".to_string(),
            n => format!("{n} blocking findings are open"),
        };
        assert!(note.contains(&count), "{}: {note}", p.step);
        if p.step == "finalize" {
            assert!(note.contains("no way back"), "{note}");
        } else {
            assert!(note.contains("irreversible"), "{}: {note}", p.step);
        }
        for (f, text) in &p.audit.texts {
            // HTML and Markdown escape; check the words that need no escaping.
            assert!(
                text.contains("irreversible") || text.contains("no way back"),
                "{}: {f} does not state it",
                p.step
            );
            assert!(text.contains(&count), "{}: {f} lacks '{count}'", p.step);
        }
    }
    // The seeded cluster has blocking findings (an ongoing reassignment), so the statement
    // is a warning, not a formality.
    assert!(r.phases[0].audit.json["finalize_note"]
        .as_str()
        .unwrap()
        .contains("do not finalize"));
}

#[test]
fn the_in_place_migration_loses_nothing() {
    let r = run();
    let before: Value = serde_json::from_str(&std::fs::read_to_string(&r.before).unwrap()).unwrap();
    // At every phase, and after finalizing, nothing is lost.
    for p in &r.phases[1..] {
        let (code, d) = diff(&r.before, &p.with_controller.0, &[]);
        assert_eq!(d["path"], "inplace", "{}", p.step);
        assert_eq!(code, 0, "{}: {:#?}", p.step, failing(&d));
    }
    let (_, d) = diff(&r.before, &r.after, &[]);
    // Not vacuous: every ACL, SCRAM credential, quota value, group offset was compared equal.
    let counts: BTreeMap<&str, &Value> = d["categories"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, c)| (k.as_str(), c))
        .collect();
    let n = |k: &str| before[k].as_array().unwrap().len() as u64;
    assert_eq!(counts["acls"]["same"], n("acls"));
    let creds: u64 = before["scram_users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["credentials"].as_array().unwrap().len() as u64)
        .sum();
    assert_eq!(counts["scram-users"]["same"], creds);
    let quota_values: u64 = before["quotas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["values"].as_object().unwrap().len() as u64)
        .sum();
    assert_eq!(counts["quotas"]["same"], quota_values);
    let offsets: u64 = before["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["offsets"].as_array().unwrap().len() as u64)
        .sum();
    assert_eq!(counts["group-offsets"]["same"], offsets);
    for c in [
        "topic-configs",
        "broker-configs",
        "broker-defaults",
        "partition-data",
        "topic-ids",
    ] {
        assert!(counts[c]["same"].as_u64().unwrap() > 0, "{c} not compared");
    }
    // The migration's own changes are listed as expected.
    let expected: BTreeSet<String> = d["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == "expected")
        .map(|i| {
            format!(
                "{} {}",
                i["resource"].as_str().unwrap(),
                i["key"].as_str().unwrap_or("")
            )
        })
        .collect();
    for want in [
        "controller:3000 ",
        "broker:1 zookeeper.connect",
        "broker:2 process.roles",
        "broker:1 authorizer.class.name",
        "cluster mode",
    ] {
        assert!(expected.contains(want), "{want}: {expected:#?}");
    }
    // The same against the live cluster.
    let b = r.before.display().to_string();
    let (code, _, err) = kraftcheck(&[
        "diff",
        &b,
        "--new-bootstrap-server",
        &rig("mig39", "BOOTSTRAP"),
    ]);
    assert_eq!(code, 0, "live diff: {err}");
}

/// MirrorMaker 2 to a new cluster: the diff shows what it did not carry, and each loss was
/// predicted by a new-cluster finding of the audit taken before the move.
#[test]
fn mirrormaker2_losses_were_all_predicted() {
    let r = run();
    let (code, d) = diff(&r.before, &r.target, &[]);
    assert_eq!(code, 1);
    assert_eq!(d["path"], "new-cluster");
    let losses = failing(&d);
    assert!(!losses.is_empty());
    let predicted: BTreeMap<String, Vec<String>> = r.pre_audit.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["status"] == "fail"
                && f["profiles"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p == "new-cluster")
        })
        .fold(BTreeMap::new(), |mut m, f| {
            m.entry(finding_id(f))
                .or_insert_with(Vec::new)
                .push(f["rule_id"].as_str().unwrap().to_string());
            m
        });
    let mut unpredicted = Vec::new();
    for l in &losses {
        let res = l["resource"].as_str().unwrap();
        match predicted.get(res) {
            Some(rules) => eprintln!(
                "loss {} {} [{}] predicted by {}",
                l["category"],
                res,
                l["key"].as_str().unwrap_or(""),
                rules.join(", ")
            ),
            None => unpredicted.push(format!(
                "{} {} {} [{}]: {}",
                l["status"],
                l["category"],
                res,
                l["key"].as_str().unwrap_or(""),
                l["message"]
            )),
        }
    }
    assert!(
        unpredicted.is_empty(),
        "losses no finding predicted:\n{}",
        unpredicted.join("\n")
    );
    // What MirrorMaker 2 does not carry shows up...
    let cats: BTreeSet<&str> = losses
        .iter()
        .map(|l| l["category"].as_str().unwrap())
        .collect();
    for c in [
        "quotas",
        "scram-users",
        "acls",
        "broker-configs",
        "broker-defaults",
    ] {
        assert!(
            cats.contains(c),
            "no {c} loss: MirrorMaker 2 does not copy them: {cats:?}"
        );
    }
    // ...and what it does carry does not: every topic with its partitions, every literal
    // topic ACL that is not an ALLOW WRITE/ALL, and every topic config outside its default
    // config.properties.exclude.
    let excluded = [
        "min.insync.replicas",
        "unclean.leader.election.enable",
        "message.timestamp.type",
        "message.timestamp.difference.max.ms",
        "leader.replication.throttled.replicas",
        "follower.replication.throttled.replicas",
    ];
    for l in &losses {
        let cat = l["category"].as_str().unwrap();
        let res = l["resource"].as_str().unwrap();
        assert!(!["topics", "partitions"].contains(&cat), "{l}");
        if cat == "acls" {
            let literal_topic = res.contains(" TOPIC:LITERAL:");
            let allow_write = res.starts_with("acl:ALLOW ")
                && (res.contains(" WRITE TOPIC") || res.contains(" ALL TOPIC"));
            assert!(!literal_topic || allow_write, "MirrorMaker 2 copies {res}");
        }
        if cat == "topic-configs" {
            assert!(excluded.contains(&l["key"].as_str().unwrap()), "{l}");
        }
    }
    // Groups at the log end were translated exactly (offset.lag.max=0 in the rig), so the
    // offset comparison is not blind: some offsets compared equal.
    let counts: BTreeMap<&str, &Value> = d["categories"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, c)| (k.as_str(), c))
        .collect();
    assert!(counts["group-offsets"]["same"].as_u64().unwrap() > 0);
    assert!(
        counts["acls"]["same"].as_u64().unwrap() > 0,
        "no topic ACL was carried?"
    );
}

/// The damaged copy, made from the real inventory after the migration.
#[test]
fn a_damaged_copy_of_the_real_inventory_is_caught() {
    let r = run();
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&r.after).unwrap()).unwrap();
    let acl = v["acls"].as_array_mut().unwrap().remove(0);
    let quota = v["quotas"].as_array_mut().unwrap().remove(0);
    let topic = v["topics"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["internal"] != true && !t["configs"].as_object().unwrap().is_empty())
        .unwrap();
    let tname = topic["name"].as_str().unwrap().to_string();
    let key = topic["configs"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    topic["configs"].as_object_mut().unwrap().remove(&key);
    let group = v["groups"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|g| g["offsets"].as_array().unwrap().len() > 1)
        .unwrap();
    let gid = group["id"].as_str().unwrap().to_string();
    let off = group["offsets"].as_array_mut().unwrap().remove(0);
    let damaged = r.dir.join("damaged.json");
    std::fs::write(&damaged, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let (code, d) = diff(&r.before, &damaged, &[]);
    assert_eq!(code, 1);
    let got: BTreeSet<String> = failing(&d)
        .iter()
        .map(|i| {
            format!(
                "{} {} {}",
                i["category"].as_str().unwrap(),
                i["resource"].as_str().unwrap(),
                i["key"].as_str().unwrap_or("")
            )
        })
        .collect();
    let entity: Vec<String> = quota["entity"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                if v == "" {
                    "<default>"
                } else {
                    v.as_str().unwrap()
                }
            )
        })
        .collect();
    let want: BTreeSet<String> = [
        format!(
            "acls acl:{} {} {} {}:{}:{} from {} ",
            acl["permission"].as_str().unwrap(),
            acl["principal"].as_str().unwrap(),
            acl["operation"].as_str().unwrap(),
            acl["resource_type"].as_str().unwrap(),
            acl["pattern_type"].as_str().unwrap(),
            acl["resource_name"].as_str().unwrap(),
            acl["host"].as_str().unwrap()
        ),
        format!("quotas quota:{} ", entity.join(",")),
        format!("topic-configs topic:{tname} {key}"),
        format!(
            "group-offsets group:{gid} {}-{}",
            off["topic"].as_str().unwrap(),
            off["partition"]
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
}

/// kraftcheck stayed read-only on the migration rigs, the KRaft controller included.
#[test]
fn only_read_only_requests_reach_the_migrated_cluster() {
    let r = run();
    let mut seen_on_controller = BTreeSet::new();
    for name in ["mig39", "mm2target"] {
        let logs = Path::new(&rig(name, "LOG_DIR")).to_path_buf();
        for e in std::fs::read_dir(&logs).unwrap() {
            let p = e.unwrap().path();
            if !p.to_string_lossy().ends_with("-request.log") {
                continue;
            }
            for (api, line) in common::kraftcheck_requests(&p) {
                assert!(
                    common::READ_ONLY_REQUESTS.contains(&api.as_str()),
                    "kraftcheck sent {api} to {}: {line}",
                    p.display()
                );
                if p.to_string_lossy().ends_with("controller-request.log") {
                    seen_on_controller.insert(api);
                }
            }
        }
    }
    for must in ["API_VERSIONS", "DESCRIBE_CLUSTER", "DESCRIBE_CONFIGS"] {
        assert!(
            seen_on_controller.contains(must),
            "no {must} from kraftcheck in the controller's request log: {seen_on_controller:?}"
        );
    }
    assert!(!r.timings.is_empty());
}
