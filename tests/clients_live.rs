//! Live client audit on the ZooKeeper-mode Kafka 3.9 rig with the Prometheus JMX exporter agent
//! (rig/rig.sh attaches it when `rig/clients/clients.sh prepare` ran first; scripts/test-all does
//! both). Real Java clients from Maven Central (kafka-clients 0.11.0.3, 2.0.1 and 4.4.0) produce
//! and consume; kraftcheck scrapes both brokers' exporters and must flag the two old clients with
//! the APIs and versions the brokers' own request logs show they sent, and not the current one.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn rig(key: &str) -> String {
    let var = format!("KRAFTCHECK_RIG_ZK39_{key}");
    std::env::var(&var).unwrap_or_else(|_| {
        panic!("{var} is not set: this test needs the zk39 rig with the JMX exporter agent; run scripts/test-all, or `rig/clients/clients.sh prepare && rig/rig.sh up zk39 && eval \"$(rig/rig.sh env)\"` (a zk39 started before `prepare` has no exporter: `rig/rig.sh down zk39` first)")
    })
}

fn kc() -> Command {
    Command::cargo_bin("kraftcheck").unwrap()
}

/// (client id, API key name) → request versions, from the brokers' request logs.
fn logged_versions(clients: &[&str]) -> BTreeMap<(String, String), BTreeSet<i64>> {
    let mut out: BTreeMap<(String, String), BTreeSet<i64>> = BTreeMap::new();
    for log in rig("REQUEST_LOGS").split(':').filter(|s| !s.is_empty()) {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        for line in text.lines() {
            if !clients
                .iter()
                .any(|c| line.contains(&format!("\"clientId\":\"{c}\"")))
            {
                continue;
            }
            let Some(json) = line.split_once("Completed request:").map(|x| x.1) else {
                continue;
            };
            let Ok(v) = serde_json::from_str::<Value>(json) else {
                continue;
            };
            let h = &v["requestHeader"];
            out.entry((
                h["clientId"].as_str().unwrap_or("").to_string(),
                h["requestApiKeyName"].as_str().unwrap_or("").to_string(),
            ))
            .or_default()
            .insert(h["requestApiVersion"].as_i64().unwrap_or(-1));
        }
    }
    out
}

#[test]
fn old_java_clients_are_flagged_from_the_exporter_and_the_current_one_is_not() {
    let urls: Vec<String> = rig("METRICS_URLS").split(',').map(str::to_string).collect();
    assert_eq!(urls.len(), 2, "one exporter per zk39 broker");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/rig/clients/clients.sh");
    // The clients use the mTLS listener (the 0.11 client's SCRAM login fails against 3.9).
    let mut child = std::process::Command::new("bash")
        .args([
            script,
            "run",
            &rig("SSL_BOOTSTRAP"),
            &rig("SSL_CONFIG"),
            "20",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let t0 = Instant::now();
    let mut ready = BTreeSet::new();
    while ready.len() < 3 {
        let left = Duration::from_secs(240).saturating_sub(t0.elapsed());
        match rx.recv_timeout(left) {
            Ok(l) if l.starts_with("READY ") => {
                ready.insert(l[6..].to_string());
            }
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                panic!("the rig clients did not all get ready in 240 s: {ready:?}");
            }
        }
    }
    eprintln!(
        "3 clients produced, consumed and connected in {} ms",
        t0.elapsed().as_millis()
    );

    // While they hold their connections: scrape alone (timed), then the full audit.
    let mut metrics_args = Vec::new();
    for u in &urls {
        metrics_args.push("--metrics".to_string());
        metrics_args.push(u.clone());
    }
    let t1 = Instant::now();
    let out = kc().arg("collect").args(&metrics_args).output().unwrap();
    let scrape_ms = t1.elapsed().as_millis();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv: Value = serde_json::from_slice(&out.stdout).unwrap();
    eprintln!("kraftcheck collect --metrics (2 brokers): {scrape_ms} ms");
    let out = kc()
        .args([
            "audit",
            "-f",
            "json",
            "--profile",
            "kafka4",
            "--bootstrap-server",
            &rig("BOOTSTRAP"),
        ])
        .args(&metrics_args)
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(child.wait().unwrap().success(), "a rig client failed");

    // Both brokers answered, by broker id, with the request counters and KIP-511 gauges.
    let brokers = inv["clients"]["brokers"].as_array().unwrap();
    let ids: BTreeSet<i64> = brokers
        .iter()
        .filter_map(|b| b["broker_id"].as_i64())
        .collect();
    assert_eq!(ids, BTreeSet::from([1, 2]));
    assert!(inv["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| !g["part"].as_str().unwrap().starts_with("metrics")));
    let conn = |name: &str, ver: &str| -> f64 {
        brokers
            .iter()
            .flat_map(|b| b["connections"].as_array().unwrap())
            .filter(|c| c["name"] == name && c["version"] == ver)
            .map(|c| c["connections"].as_f64().unwrap())
            .sum()
    };
    assert!(
        conn("apache-kafka-java", "4.4.0") > 0.0,
        "the current client identifies itself"
    );
    assert!(
        conn("unknown", "unknown") >= 2.0,
        "0.11 and 2.0 clients send no KIP-511 name"
    );

    let findings = report["findings"].as_array().unwrap();
    let named = |rule: &str, status: &str| -> BTreeMap<String, String> {
        findings
            .iter()
            .filter(|f| f["rule_id"] == rule && f["status"] == status)
            .map(|f| {
                (
                    f["resource"]["name"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let old = named("K4-PROTO-001b", "fail");
    let removed = named("K4-PROTO-001", "fail");

    // What the brokers logged for each client: the oracle for "the right APIs and versions".
    let ids = [
        "rig-client-0.11.0.3",
        "rig-client-2.0.1",
        "rig-client-4.4.0",
    ];
    let logged = logged_versions(&ids);
    let versions = |client: &str, api: &str| -> BTreeSet<i64> {
        logged
            .get(&(client.to_string(), api.to_string()))
            .cloned()
            .unwrap_or_default()
    };
    for (client, release, expect) in [
        (
            "rig-client-0.11.0.3",
            "0.11.0",
            &[
                ("PRODUCE", "Produce", 3),
                ("FETCH", "Fetch", 5),
                ("LIST_OFFSETS", "ListOffsets", 2),
                ("OFFSET_COMMIT", "OffsetCommit", 3),
                ("OFFSET_FETCH", "OffsetFetch", 3),
            ][..],
        ),
        (
            "rig-client-2.0.1",
            "2.0",
            &[
                ("PRODUCE", "Produce", 6),
                ("FETCH", "Fetch", 8),
                ("LIST_OFFSETS", "ListOffsets", 3),
                ("OFFSET_COMMIT", "OffsetCommit", 4),
                ("OFFSET_FETCH", "OffsetFetch", 4),
            ][..],
        ),
    ] {
        for (key, api, v) in expect {
            assert_eq!(
                versions(client, key),
                BTreeSet::from([*v as i64]),
                "{client} {key}: the broker's request log"
            );
            let label = format!("{api} v{v}");
            let msg = old
                .get(&label)
                .unwrap_or_else(|| panic!("{label} ({client}) is not flagged: {:?}", old.keys()));
            if *api == "Produce" || *api == "Fetch" {
                assert!(
                    msg.contains(&format!("Java clients {release}")),
                    "{label} names the Java release: {msg}"
                );
            }
        }
    }
    // The current client: none of the versions it sent is flagged.
    let current: Vec<(String, i64)> = logged
        .iter()
        .filter(|((c, _), _)| c == "rig-client-4.4.0")
        .flat_map(|((_, k), vs)| vs.iter().map(move |v| (k.clone(), *v)))
        .collect();
    assert!(
        current.iter().any(|(k, _)| k == "PRODUCE"),
        "the 4.4.0 client's requests are in the log"
    );
    let api_name = |key: &str| -> String {
        key.split('_')
            .map(|w| {
                let w = w.to_ascii_lowercase();
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect()
    };
    for (key, v) in &current {
        let label = format!("{} v{v}", api_name(key));
        assert!(
            !old.contains_key(&label) && !removed.contains_key(&label),
            "{label} of the 4.4.0 client must not be flagged"
        );
    }
    assert!(
        removed.is_empty(),
        "nothing on the rig sends versions 4.x removed: {removed:?}"
    );
    // KIP-511: the 4.4.0 client passes, the unnamed old clients are unknown, never pass.
    assert!(!findings.iter().any(|f| f["rule_id"] == "K4-PROTO-002"
        && f["status"] == "fail"
        && f["resource"]["name"].as_str().unwrap().contains("4.4.0")));
    let unknown = named("K4-PROTO-002", "unknown");
    assert!(unknown.contains_key("unknown unknown"), "{unknown:?}");
}
