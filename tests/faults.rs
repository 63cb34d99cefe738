//! Faults on the real rig (issue 15, item 3): a broker of a ZooKeeper-mode cluster stopped
//! (SIGSTOP) or killed during a collect, the controller moved during a collect, ZooKeeper paused
//! during a `--zookeeper` collect.
//!
//! The rig is `fault39` (rig/rig.sh: ZooKeeper + 3 Kafka 3.9 brokers on 192xx), which no other
//! test uses; this test starts it (unless it is up already) and stops it again if it started it.
//! Each case asserts the wall time (against a healthy run plus the time-outs), the exit code, the
//! other brokers' data, and that the gaps and `unknown` results name the missing broker.

mod common;

use serde_json::Value;
use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT_MS: u64 = 2000;

fn kc() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("kraftcheck"));
    c.env_remove("RUST_BACKTRACE");
    c
}

fn rig(args: &[&str]) -> String {
    let out = Command::new(common::rig_sh())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("rig/rig.sh runs");
    assert!(
        out.status.success(),
        "rig/rig.sh {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `rig/rig.sh env fault39` as (name, value) pairs, without the prefix.
fn env_of(text: &str, key: &str) -> String {
    let want = format!("export KRAFTCHECK_RIG_FAULT39_{key}=");
    text.lines()
        .find_map(|l| l.strip_prefix(&want))
        .unwrap_or_else(|| panic!("{want} not in rig env"))
        .to_string()
}

fn pid_of(pids_file: &str, name: &str) -> i32 {
    std::fs::read_to_string(pids_file)
        .unwrap()
        .lines()
        .rev()
        .filter_map(|l| l.split_once(' '))
        .find(|(n, _)| *n == name)
        .map(|(_, p)| p.trim().parse().unwrap())
        .unwrap_or_else(|| panic!("no {name} in {pids_file}"))
}

fn signal(pid: i32, sig: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{sig} {pid}");
}

/// SIGCONT on drop: a failing assertion must not leave a process stopped.
struct Stopped(i32);
impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-CONT", &self.0.to_string()])
            .status();
    }
}

struct Run {
    code: i32,
    json: Value,
    stderr: String,
    took: Duration,
}

fn audit(bootstrap: &str, extra: &[&str]) -> Run {
    let t = Instant::now();
    let out = kc()
        .args(["audit", "--format", "json", "--fail-on-unknown"])
        .args(["--timeout-ms", &TIMEOUT_MS.to_string()])
        .args(["--bootstrap-server", bootstrap])
        .args(extra)
        .output()
        .unwrap();
    finish(out, t)
}

fn finish(out: std::process::Output, t: Instant) -> Run {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    Run {
        code: out.status.code().unwrap_or(-1),
        json: serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        stderr,
        took: t.elapsed(),
    }
}

/// (rule, broker) of every finding `unknown` for a broker.
fn unknown_brokers(report: &Value) -> BTreeSet<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "unknown" && f["resource"]["kind"] == "broker")
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["resource"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

/// The inventory's gaps about broker `id`.
fn broker_gaps(inv: &Value, id: &str) -> Vec<Value> {
    inv["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["resource"] == format!("broker:{id}").as_str())
        .cloned()
        .collect()
}

fn collect(bootstrap: &str, extra: &[&str]) -> Run {
    let t = Instant::now();
    let out = kc()
        .args(["collect", "--timeout-ms", &TIMEOUT_MS.to_string()])
        .args(["--bootstrap-server", bootstrap])
        .args(extra)
        .output()
        .unwrap();
    finish(out, t)
}

/// The parts of one broker kraftcheck reads from that broker itself.
fn has_configs(inv: &Value, id: i64) -> bool {
    inv["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["id"] == id && b["configs"].as_object().is_some_and(|c| !c.is_empty()))
}

#[test]
fn faults_on_the_fault39_rig() {
    let was_up = Command::new(common::rig_sh())
        .args(["env", "fault39"])
        .output()
        .unwrap()
        .status
        .success();
    rig(&["up", "fault39"]);
    struct Down(bool);
    impl Drop for Down {
        fn drop(&mut self) {
            if !self.0 {
                let _ = Command::new(common::rig_sh())
                    .args(["down", "fault39"])
                    .output();
            }
        }
    }
    let _down = Down(was_up);
    let env = rig(&["env", "fault39"]);
    let boot = env_of(&env, "BOOTSTRAP");
    let first = boot.split(',').next().unwrap().to_string();
    let pids = env_of(&env, "PIDS");
    let zk = env_of(&env, "ZK_CONNECT");

    // Healthy: the yardstick for time, and every broker's data.
    let healthy = collect(&first, &[]);
    assert_eq!(healthy.code, 0, "{}", healthy.stderr);
    for id in 1..=3 {
        assert!(has_configs(&healthy.json, id), "broker {id} configs");
        assert!(broker_gaps(&healthy.json, &id.to_string()).is_empty());
    }
    let healthy_audit = audit(&first, &[]);
    assert_ne!(healthy_audit.code, 2, "{}", healthy_audit.stderr);
    let healthy_unknown = unknown_brokers(&healthy_audit.json);
    // What a fault may add: a connection's time-out per phase, and start-up noise.
    let bound =
        |base: Duration| base + Duration::from_millis(3 * TIMEOUT_MS) + Duration::from_secs(5);
    eprintln!(
        "healthy: collect {:?}, audit {:?}",
        healthy.took, healthy_audit.took
    );

    // 1. Broker 3 stopped (SIGSTOP: the port accepts, nothing answers).
    {
        let _cont = Stopped(pid_of(&pids, "broker3"));
        signal(pid_of(&pids, "broker3"), "STOP");
        let r = audit(&first, &[]);
        eprintln!("broker 3 stopped: audit {:?}, exit {}", r.took, r.code);
        assert!(r.took < bound(healthy_audit.took), "took {:?}", r.took);
        // --fail-on-unknown: the rules that need broker 3 are unknown, so the exit code is 1.
        assert_eq!(r.code, 1, "{}", r.stderr);
        // What became unknown is about broker 3, and only broker 3.
        let new: Vec<_> = unknown_brokers(&r.json)
            .difference(&healthy_unknown)
            .cloned()
            .collect();
        assert!(!new.is_empty(), "no rule became unknown for broker 3");
        assert!(
            new.iter().all(|(_, b)| b == "3"),
            "unknown for other brokers: {new:?}"
        );
        let c = collect(&first, &[]);
        assert_eq!(c.code, 0, "{}", c.stderr);
        assert!(c.took < bound(healthy.took), "collect took {:?}", c.took);
        assert!(has_configs(&c.json, 1) && has_configs(&c.json, 2));
        let gaps = broker_gaps(&c.json, "3");
        let parts: Vec<&str> = gaps.iter().filter_map(|g| g["part"].as_str()).collect();
        for p in ["brokers.configs", "brokers.log_dirs", "brokers.version"] {
            assert!(parts.contains(&p), "no {p} gap for broker 3: {gaps:?}");
        }
        for g in &gaps {
            let d = g["detail"].as_str().unwrap_or_default();
            assert!(
                d.contains(":19231") && d.contains("no answer within"),
                "gap does not say why broker 3 is missing: {g}"
            );
        }
    }

    // 2. Broker 2 killed in the middle of a collect: stopped first so that the collect is
    // waiting on it, then SIGKILLed; the reset must end the wait well before the time-out.
    {
        let p2 = pid_of(&pids, "broker2");
        let _cont = Stopped(p2);
        signal(p2, "STOP");
        let t = Instant::now();
        let child = kc()
            .args([
                "collect",
                "--timeout-ms",
                "20000",
                "--bootstrap-server",
                &first,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        signal(p2, "KILL");
        let r = finish(child.wait_with_output().unwrap(), t);
        eprintln!("broker 2 killed: collect {:?}, exit {}", r.took, r.code);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            r.took < Duration::from_secs(15),
            "a dead broker's reset did not end the wait: {:?}",
            r.took
        );
        assert!(has_configs(&r.json, 1) && has_configs(&r.json, 3));
        let gaps = broker_gaps(&r.json, "2");
        assert!(
            gaps.iter().any(|g| g["part"] == "brokers.configs"),
            "no gap for broker 2: {}",
            r.json["gaps"]
        );
        // Back for the next cases, once ZooKeeper has expired the dead broker's session: its
        // ephemeral registration makes a restart fail until then, and a failed start stops the
        // whole rig (rig.sh's fail_start). So wait, reading /brokers/ids, until it is gone.
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let z = collect(&first, &["--zookeeper", &zk]);
            let registered = z.json["zookeeper"]["brokers"]
                .as_array()
                .is_none_or(|b| b.iter().any(|b| b["id"] == 2));
            if !registered {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "broker 2's ZooKeeper registration did not expire: {}",
                z.stderr
            );
            std::thread::sleep(Duration::from_secs(2));
        }
        let restart = Command::new(common::rig_sh())
            .args(["start-broker", "fault39", "2"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            restart.status.success(),
            "broker 2 did not start again: {}",
            String::from_utf8_lossy(&restart.stderr)
        );
    }

    // 3. The controller moves during a collect: the controller is paused, so the collect waits
    // on it, and its /controller znode is deleted (another broker takes over); then it resumes.
    {
        let before = collect(&first, &[]);
        let ctl = before.json["cluster"]["controller_id"].as_i64().unwrap();
        let p = pid_of(&pids, &format!("broker{ctl}"));
        let _cont = Stopped(p);
        signal(p, "STOP");
        let t = Instant::now();
        // A longer time-out here: zookeeper-shell (a JVM) takes seconds to delete the znode,
        // and the collect must still be waiting on the paused controller when it does.
        let child = kc()
            .args(["collect", "--timeout-ms", "10000"])
            .args(["--bootstrap-server", &boot])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        rig(&[
            "tool",
            "fault39",
            "zookeeper-shell",
            "delete",
            "/controller",
        ]);
        let tool_took = t.elapsed().as_millis() as u64;
        let r = finish(child.wait_with_output().unwrap(), t);
        signal(p, "CONT");
        eprintln!(
            "controller {ctl} paused and moved: collect {:?}, exit {}",
            r.took, r.code
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            r.took > Duration::from_millis(tool_took)
                && r.took < healthy.took + Duration::from_secs(35),
            "took {:?} (the znode was deleted after {tool_took} ms)",
            r.took
        );
        for id in (1..=3).filter(|i| *i != ctl) {
            assert!(has_configs(&r.json, id), "broker {id}");
        }
        let gaps = broker_gaps(&r.json, &ctl.to_string());
        assert!(
            gaps.iter().any(|g| g["part"] == "brokers.configs"),
            "no gap for the paused controller {ctl}: {}",
            r.json["gaps"]
        );
        // The move itself: a new controller within ZooKeeper's watch.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let now = collect(&first, &[]);
            if now.code == 0 && now.json["cluster"]["controller_id"].as_i64().is_some() {
                break;
            }
            assert!(Instant::now() < deadline, "no controller after the move");
            std::thread::sleep(Duration::from_secs(1));
        }
    }

    // 4. ZooKeeper paused during a --zookeeper collect: exit 2 ("no connection") in bounded
    // time, naming the ZooKeeper address.
    {
        let pz = pid_of(&pids, "zookeeper");
        let _cont = Stopped(pz);
        signal(pz, "STOP");
        let r = collect(&first, &["--zookeeper", &zk]);
        signal(pz, "CONT");
        eprintln!("ZooKeeper paused: collect {:?}, exit {}", r.took, r.code);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains(&zk), "{}", r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
        assert!(
            r.took < bound(healthy.took) + Duration::from_millis(3 * TIMEOUT_MS),
            "took {:?}",
            r.took
        );
    }
}
