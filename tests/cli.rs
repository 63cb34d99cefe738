//! The command-line contract: exit codes, bad input, secrets, outputs.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn kc() -> Command {
    Command::cargo_bin("kraftcheck").unwrap()
}

fn example(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/zk-cluster")
        .join(p)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

const GOOD_RULE: &str = r#"
id = "TEST-001"
title = "test rule"
severity = "low"
area = "config"
profiles = ["inplace"]
scope = "broker"
when = 'has_cfg(broker, "x")'
message = "x"
why = "w"
remediation = "r"
references = ["KIP-866"]
"#;

#[test]
fn example_audit_follows_exit_code_contract() {
    let out = kc()
        .args(["audit", "--broker-config"])
        .arg(example(""))
        .args(["--kafka-version", "3.6.1"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "blocking findings → exit 1; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Verdict: BLOCKED"), "{stdout}");
    // The same audit with --fail-on never exits 0.
    let out = kc()
        .args(["audit", "--broker-config"])
        .arg(example(""))
        .args(["--kafka-version", "3.6.1", "--fail-on", "never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn clean_config_exits_zero_and_unknowns_can_fail() {
    let d = TempDir::new().unwrap();
    let p = write(
        d.path(),
        "server.properties",
        "process.roles=broker\nnode.id=1\ncontroller.quorum.voters=9@localhost:9093\ncontroller.listener.names=CONTROLLER\nlisteners=PLAINTEXT://:9092\n",
    );
    let out = kc()
        .args(["audit", "--kafka-version", "4.1.0", "--broker-config"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Topics were never collected: a rule that needs them is unknown, which counts with
    // --fail-on-unknown (and only then).
    let rules = d.path().join("rules");
    write(
        &rules,
        "TEST-001.toml",
        &GOOD_RULE
            .replace(
                "scope = \"broker\"",
                "scope = \"topic\"\nneeds = [\"topics\"]",
            )
            .replace(r#"has_cfg(broker, "x")"#, "topic.partition_count > 100"),
    );
    let audit = |extra: &[&str]| {
        kc().args([
            "audit",
            "--kafka-version",
            "4.1.0",
            "--profile",
            "inplace",
            "--fail-on",
            "low",
            "--rules",
        ])
        .arg(&rules)
        .args(extra)
        .arg("--broker-config")
        .arg(&p)
        .output()
        .unwrap()
    };
    assert_eq!(audit(&[]).status.code(), Some(0));
    let out = audit(&["--fail-on-unknown"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Every malformed input: exit 2, one clear message naming the place, no panic, nothing written.
#[test]
fn malformed_inputs_exit_2_with_one_clear_message() {
    let d = TempDir::new().unwrap();
    let dir = d.path();
    let bad_props = write(
        dir,
        "bad.properties",
        "broker.id=1\nlisteners=PLAINTEXT://:9092\nfoo=\\u12G4\n",
    );
    let bad_id = write(dir, "badid.properties", "broker.id=one\n");
    let binary = dir.join("binary.properties");
    std::fs::write(&binary, b"broker.id=1\n\0\0\x01").unwrap();
    let wrong_schema = write(dir, "old.json", r#"{"schema_version": 99, "brokers": []}"#);
    let not_json = write(dir, "notjson.json", "{ this is not json");
    let bad_field = write(
        dir,
        "badfield.json",
        "{\"schema_version\": 1,\n \"brokers\": [{\"id\": \"one\"}]}",
    );
    let toml_dir = dir.join("rules-toml");
    write(
        &toml_dir,
        "BROKEN.toml",
        "id = \"BROKEN\"\ntitle = \"unterminated\n",
    );
    let cel_dir = dir.join("rules-cel");
    write(
        &cel_dir,
        "TEST-001.toml",
        &GOOD_RULE.replace(
            r#"when = 'has_cfg(broker, "x")'"#,
            "when = '''\nbroker.id == 1 &&\n  (broker.id >'''",
        ),
    );
    let var_dir = dir.join("rules-var");
    write(
        &var_dir,
        "TEST-001.toml",
        &GOOD_RULE.replace(r#"has_cfg(broker, "x")"#, "topic.name == \"x\""),
    );
    let sev_dir = dir.join("rules-sev");
    write(
        &sev_dir,
        "TEST-001.toml",
        &GOOD_RULE.replace("severity = \"low\"", "severity = \"critical\""),
    );
    let waiver_date = write(
        dir,
        "waivers.toml",
        "[[waiver]]\nrule = \"KRAFT-CFG-003\"\nresource = \"broker:1\"\nreason = \"r\"\nowner = \"o\"\nexpires = \"next week\"\n",
    );
    let waiver_missing = write(
        dir,
        "waivers2.toml",
        "[[waiver]]\nrule = \"KRAFT-CFG-003\"\nreason = \"r\"\nexpires = 2027-01-01\n",
    );
    let good = example("broker-1.properties");
    let g = good.to_str().unwrap();
    let s = |p: &Path| p.to_str().unwrap().to_string();

    // (arguments, text the message must contain)
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--broker-config".into(), s(&bad_props)],
            "bad.properties:3: malformed \\uxxxx",
        ),
        (
            vec!["--broker-config".into(), s(&bad_id)],
            "broker.id must be an integer",
        ),
        (vec!["--broker-config".into(), s(&binary)], "NUL"),
        (
            vec!["--inventory".into(), s(&wrong_schema)],
            "schema_version 99 is not supported",
        ),
        (
            vec!["--inventory".into(), s(&not_json)],
            "notjson.json is not valid JSON",
        ),
        (
            vec!["--inventory".into(), s(&bad_field)],
            "badfield.json: line 2",
        ),
        (
            vec![
                "--broker-config".into(),
                g.into(),
                "--rules".into(),
                s(&toml_dir),
            ],
            "BROKEN.toml",
        ),
        (
            vec![
                "--broker-config".into(),
                g.into(),
                "--rules".into(),
                s(&cel_dir),
            ],
            "TEST-001.toml:10: field `when`: CEL syntax error",
        ),
        (
            vec![
                "--broker-config".into(),
                g.into(),
                "--rules".into(),
                s(&var_dir),
            ],
            "unknown variable 'topic'",
        ),
        (
            vec![
                "--broker-config".into(),
                g.into(),
                "--rules".into(),
                s(&sev_dir),
            ],
            "unknown severity 'critical'",
        ),
        (
            vec![
                "--broker-config".into(),
                g.into(),
                "--format".into(),
                "xml".into(),
            ],
            "invalid value 'xml'",
        ),
        (
            vec!["--broker-config".into(), s(&dir.join("missing.properties"))],
            "cannot read broker config",
        ),
        (vec!["--inventory".into(), s(dir)], "cannot read inventory"),
        (
            vec![
                "--broker-config".into(),
                g.into(),
                "--waivers".into(),
                s(&waiver_date),
            ],
            "field `expires`: 'next week' is not a date",
        ),
        (
            vec![
                "--broker-config".into(),
                g.into(),
                "--waivers".into(),
                s(&waiver_missing),
            ],
            "missing field `owner`",
        ),
        (
            vec![
                "--broker-config".into(),
                g.into(),
                "--profile".into(),
                "bluegreen".into(),
            ],
            "unknown profile",
        ),
        (
            vec![
                "--broker-config".into(),
                g.into(),
                "--kafka-version".into(),
                "latest".into(),
            ],
            "--kafka-version",
        ),
        (
            vec![
                "--broker-config".into(),
                g.into(),
                "--target-version".into(),
                "four".into(),
            ],
            "--target-version",
        ),
        (vec![], "nothing to audit"),
    ];
    for (i, (args, want)) in cases.iter().enumerate() {
        let out_file = dir.join(format!("out-{i}.html"));
        let out = kc()
            .arg("audit")
            .args(args)
            .arg("-o")
            .arg(&out_file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "case {i} {args:?}: exit {:?}, stderr: {stderr}",
            out.status.code()
        );
        assert!(
            stderr.contains(want),
            "case {i} {args:?}: message should contain {want:?}, got: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "case {i}: panic: {stderr}");
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("kraftcheck: error:") || first.starts_with("error:"),
            "case {i}: {stderr}"
        );
        if first.starts_with("kraftcheck: error:") {
            assert_eq!(
                stderr.lines().count(),
                1,
                "case {i}: one message, got: {stderr}"
            );
        }
        assert!(
            !out_file.exists(),
            "case {i}: output written despite the error"
        );
        assert!(out.stdout.is_empty(), "case {i}: stdout not empty");
    }
    // Nothing half-written anywhere in the directory.
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            !name.starts_with("out-") && !name.contains("kraftcheck-tmp"),
            "left behind: {name}"
        );
    }
}

#[test]
fn several_formats_need_a_directory() {
    let out = kc()
        .args(["audit", "--broker-config"])
        .arg(example("broker-1.properties"))
        .args(["--format", "json", "--format", "table"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("need -o DIR"));
}

#[test]
fn rules_explain_and_unknown_rule() {
    let out = kc()
        .args(["rules", "explain", "KRAFT-CFG-003"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Remediation:") && text.contains("References:"),
        "{text}"
    );
    let out = kc().args(["rules", "explain", "NOPE-1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn broker_config_line_is_the_location() {
    let d = TempDir::new().unwrap();
    let p = write(
        d.path(),
        "s.properties",
        "broker.id=7\n# comment\n\ncontrol.plane.listener.name=CONTROL\n",
    );
    let out = kc()
        .args(["audit", "--format", "json", "--broker-config"])
        .arg(&p)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "KRAFT-CFG-003" && f["status"] == "fail")
        .expect("finding");
    assert_eq!(f["resource"]["name"], "7");
    assert_eq!(f["location"]["line"], 4);
    assert!(f["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("s.properties"));
}

#[test]
fn inventory_findings_point_into_the_inventory_file() {
    let out = kc()
        .args(["audit", "--format", "json", "--inventory"])
        .arg(example("inventory.json"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = std::fs::read_to_string(example("inventory.json")).unwrap();
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "KRAFT-CFG-003")
        .unwrap();
    let line = f["location"]["line"].as_u64().unwrap() as usize;
    assert!(
        text.lines()
            .nth(line - 1)
            .unwrap()
            .contains("control.plane.listener.name"),
        "line {line}"
    );
}

/// Secret values from server.properties never reach any report or the saved inventory.
#[test]
fn secrets_never_leave() {
    let d = TempDir::new().unwrap();
    let secrets = [
        "Pa55-keystore-Xq1",
        "Pa55-key-Zr2",
        "Pa55-truststore-Wt3",
        "jaas-Secret-Vu4",
        "EncoderSecret-Ys5",
        "TokenMaster-Ab6",
        "TokenSecret-Cd7",
        "ZkKeystore-Ef8",
        "OauthClient-Gh9",
    ];
    let text = format!(
        "broker.id=1\nzookeeper.connect=zk:2181\ncontrol.plane.listener.name=CONTROL\n\
         ssl.keystore.password={}\nssl.key.password={}\nssl.truststore.password={}\n\
         listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n  username=\"admin\" password=\"{}\";\n\
         password.encoder.secret={}\ndelegation.token.master.key={}\ndelegation.token.secret.key={}\n\
         zookeeper.ssl.keystore.password={}\nsasl.oauthbearer.client.secret={}\n",
        secrets[0], secrets[1], secrets[2], secrets[3], secrets[4], secrets[5], secrets[6], secrets[7], secrets[8]
    );
    let p = write(d.path(), "server.properties", &text);
    let out_dir = d.path().join("reports");
    let mut cmd = kc();
    cmd.args(["audit", "--kafka-version", "3.6.1", "-o"])
        .arg(&out_dir)
        .arg("--broker-config")
        .arg(&p);
    for f in ["table", "markdown", "html", "json", "sarif", "junit"] {
        cmd.args(["--format", f]);
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv_path = d.path().join("inventory.json");
    let c = kc()
        .args(["collect", "--broker-config"])
        .arg(&p)
        .arg("-o")
        .arg(&inv_path)
        .output()
        .unwrap();
    assert!(c.status.success());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 6, "six formats written: {files:?}");
    files.push(inv_path);
    for f in files {
        let body = std::fs::read_to_string(&f).unwrap();
        assert!(body.len() > 100, "{} is suspiciously small", f.display());
        for s in secrets {
            assert!(!body.contains(s), "{} leaks {s}", f.display());
        }
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    for s in secrets {
        assert!(!stderr.contains(s));
    }
}

/// Issue 18: a saved live inventory whose brokers read "3.6" (the ApiVersions fingerprint) does
/// not accuse or clear the cluster of the 3.6.0–3.6.1 migration bugs; the exact version, from
/// --kafka-version or a broker log, settles it.
#[test]
fn a_major_minor_version_leaves_patch_rules_unknown_until_settled() {
    let dir = TempDir::new().unwrap();
    let inv = write(
        dir.path(),
        "live.json",
        r#"{"schema_version": 1, "sources": ["bootstrap:127.0.0.1:9092"],
            "cluster": {"kind": "self-managed", "mode": "zookeeper", "version": "3.6"},
            "brokers": [{"id": 1, "version": "3.6", "version_source": "fingerprint"},
                        {"id": 2, "version": "3.6", "version_source": "fingerprint"}]}"#,
    );
    let ver002 = |extra: &[&str]| -> serde_json::Value {
        let out = kc()
            .args([
                "audit",
                "--inventory",
                inv.to_str().unwrap(),
                "--profile",
                "inplace",
            ])
            .args(["-f", "json"])
            .args(extra)
            .output()
            .unwrap();
        assert_ne!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let f: Vec<serde_json::Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == "KRAFT-VER-002")
            .cloned()
            .collect();
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            report["summary"]["version_note"].is_string(),
            "{}",
            report["summary"]
        );
        f[0].clone()
    };
    let f = ver002(&[]);
    assert_eq!(f["status"], "unknown", "{f}");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("patch level unknown") && msg.contains("--kafka-version"),
        "{msg}"
    );
    assert_eq!(ver002(&["--kafka-version", "3.6.2"])["status"], "pass");
    assert_eq!(ver002(&["--kafka-version", "3.6.1"])["status"], "fail");
    // One broker at 3.6.1 is enough to be affected.
    assert_eq!(
        ver002(&["--kafka-version", "1=3.6.2", "--kafka-version", "2=3.6.1"])["status"],
        "fail"
    );
    // A broker log settles it the same way.
    let log = write(
        dir.path(),
        "server.log",
        "[2026-11-02 09:00:00,000] INFO KafkaConfig values: \n\tbroker.id = 1\n\
         [2026-11-02 09:00:01,000] INFO Kafka version: 3.6.2 (org.apache.kafka.common.utils.AppInfoParser)\n",
    );
    let log2 = write(
        dir.path(),
        "server2.log",
        "[2026-11-02 09:00:01,000] INFO Kafka version: 3.6.2 (org.apache.kafka.common.utils.AppInfoParser)\n",
    );
    let l1 = log.to_str().unwrap().to_string();
    let l2 = format!("2={}", log2.to_str().unwrap());
    assert_eq!(
        ver002(&["--broker-log", &l1, "--broker-log", &l2])["status"],
        "pass"
    );
    // A log of another release line is refused, naming the file.
    let other = write(
        dir.path(),
        "other.log",
        "\tbroker.id = 1\nINFO Kafka version: 3.9.2 (org.apache.kafka.common.utils.AppInfoParser)\n",
    );
    let out = kc()
        .args(["audit", "--inventory", inv.to_str().unwrap()])
        .args(["--broker-log", other.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("other.log") && err.contains("answers as Kafka 3.6"),
        "{err}"
    );
    // A target below what the cluster runs is refused.
    let out = kc()
        .args([
            "audit",
            "--inventory",
            inv.to_str().unwrap(),
            "--target-version",
            "3.5.2",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Issue 18: on MSK the exact version (DescribeClusterV2's CurrentBrokerSoftwareInfo) replaces
/// the live fingerprint's major.minor.
#[test]
fn msk_names_the_exact_version_a_live_fingerprint_cannot() {
    let dir = TempDir::new().unwrap();
    let inv = write(
        dir.path(),
        "live.json",
        r#"{"schema_version": 1, "sources": ["bootstrap:127.0.0.1:9092"],
            "cluster": {"kind": "self-managed", "mode": "zookeeper", "version": "3.6"},
            "brokers": [{"id": 1, "version": "3.6", "version_source": "fingerprint"},
                        {"id": 2, "version": "3.6", "version_source": "fingerprint"}]}"#,
    );
    let dc = write(
        dir.path(),
        "describe-cluster-v2.json",
        r#"{"ClusterInfo": {"ClusterArn": "arn:aws:kafka:eu-west-1:123456789012:cluster/orders/11111111-2222-3333-4444-555555555555-1",
            "ClusterName": "orders", "ClusterType": "PROVISIONED", "State": "ACTIVE", "CurrentVersion": "K1",
            "Provisioned": {"CurrentBrokerSoftwareInfo": {"KafkaVersion": "3.6.0"}, "NumberOfBrokerNodes": 2,
              "BrokerNodeGroupInfo": {"InstanceType": "kafka.m5.large", "ClientSubnets": ["a", "b", "c"]}}}}"#,
    );
    let out = kc()
        .args(["collect", "--inventory", inv.to_str().unwrap()])
        .args(["--aws-json", dc.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cluster"]["version"], "3.6.0");
    for b in v["brokers"].as_array().unwrap() {
        assert_eq!(b["version"], "3.6.0", "{b}");
        assert_eq!(b["version_source"], "msk", "{b}");
    }
}
