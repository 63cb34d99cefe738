//! The command-line contract: exit codes, bad input, secrets, outputs.

mod common;

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

/// A rule file that loads (see `common::test_rule`).
fn good_rule() -> String {
    common::test_rule("TEST-001", "")
}

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
        &good_rule()
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
        &good_rule().replace(
            r#"when = 'has_cfg(broker, "x")'"#,
            "when = '''\nbroker.id == 1 &&\n  (broker.id >'''",
        ),
    );
    let var_dir = dir.join("rules-var");
    write(
        &var_dir,
        "TEST-001.toml",
        &good_rule().replace(r#"has_cfg(broker, "x")"#, "topic.name == \"x\""),
    );
    let sev_dir = dir.join("rules-sev");
    write(
        &sev_dir,
        "TEST-001.toml",
        &good_rule().replace("severity = \"low\"", "severity = \"critical\""),
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
    // The helpers it calls, with the docs docs/rules.md shows (one registry).
    let has_cfg = kraftcheck::rules::celenv::HELPERS
        .iter()
        .find(|h| h.names == ["has_cfg"])
        .unwrap();
    assert!(
        text.contains("\nhelpers:\n")
            && text.contains(&format!("\n  {}: {}\n", has_cfg.call, has_cfg.doc)),
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
    // Client-side secrets (issue 11): store and key passwords, a SASL password, in a client
    // config whose store cannot be read, and in one that gets as far as connecting; with debug
    // output on, neither stderr nor stdout shows them.
    let client_secrets = [
        "Ts-Pass-Qa1",
        "Ks-Pass-Wb2",
        "Key-Pass-Ec3",
        "Sasl-Pass-Rd4",
    ];
    for store in ["/nonexistent/truststore.jks", ""] {
        let mut text = format!(
            "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"{}\";\n",
            client_secrets[3]
        );
        if !store.is_empty() {
            text.push_str(&format!(
                "ssl.truststore.location={store}\nssl.truststore.password={}\nssl.keystore.password={}\nssl.key.password={}\n",
                client_secrets[0], client_secrets[1], client_secrets[2]
            ));
        }
        let p = write(d.path(), "client.properties", &text);
        let (code, err, _) = collect_with(&p);
        assert_eq!(code, Some(2), "{err}");
        for s in client_secrets {
            assert!(!err.contains(s), "{s} in: {err}");
        }
    }
}

// ---- issue 11: key and trust stores, config providers ----------------------------------------

const STORE_PW: &str = "Store-Secret-81";
const KEY_PW: &str = "Key-Secret-92";

fn tool(dir: &Path, prog: &str, args: &[&str]) {
    let out = std::process::Command::new(prog)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{prog} (the JDK's keytool / openssl) must be installed: {e}"));
    assert!(
        out.status.success(),
        "{prog} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `collect` with debug output and a client config, against a closed local port.
fn collect_closed_port(config: &Path) -> Command {
    let mut c = kc();
    c.env("KRAFTCHECK_DEBUG", "1")
        .args([
            "collect",
            "--timeout-ms",
            "2000",
            "--bootstrap-server",
            "127.0.0.1:9",
            "--command-config",
        ])
        .arg(config);
    c
}

/// [`collect_closed_port`]: (exit code, stderr, ms).
fn collect_with(config: &Path) -> (Option<i32>, String, u128) {
    let t = std::time::Instant::now();
    let out = collect_closed_port(config).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        t.elapsed().as_millis(),
    )
}

/// Stores made with the JDK's keytool (and keys with openssl): every way one can be wrong exits 2
/// with one message naming the setting and the file, never a password, before any connection;
/// good stores get past loading (only the connection to a closed port fails).
#[test]
fn store_failures_exit_2_naming_file_and_setting() {
    let d = TempDir::new().unwrap();
    let dir = d.path();
    // Whitespace-separated arguments; the passwords have no spaces.
    let kt = |args: &str| {
        let mut a = vec!["-noprompt"];
        a.extend(args.split_whitespace());
        tool(dir, "keytool", &a)
    };
    let sp = STORE_PW;
    kt(&format!("-genkeypair -alias me -keyalg RSA -keysize 2048 -dname CN=me -keystore ks.jks -storetype JKS -storepass {sp} -keypass {KEY_PW}"));
    kt(&format!("-genkeypair -alias me -keyalg EC -dname CN=me -keystore ks.p12 -storetype PKCS12 -storepass {sp}"));
    kt(&format!("-genkeypair -alias dsa -keyalg DSA -keysize 2048 -dname CN=dsa -keystore dsa.jks -storetype JKS -storepass {sp} -keypass {sp}"));
    kt(&format!(
        "-exportcert -alias me -keystore ks.jks -storepass {sp} -file me.cer"
    ));
    kt(&format!(
        "-importcert -alias ca -file me.cer -keystore trust.p12 -storetype PKCS12 -storepass {sp}"
    ));
    kt(&format!("-genkeypair -alias me -keyalg RSA -dname CN=me -keystore ks.jceks -storetype JCEKS -storepass {sp} -keypass {sp}"));
    let openssl = |args: &str| tool(dir, "openssl", &args.split_whitespace().collect::<Vec<_>>());
    openssl("req -x509 -newkey rsa:2048 -nodes -keyout plain.key -out me.pem -days 2 -subj /CN=me");
    openssl(&format!(
        "pkcs8 -topk8 -v2 aes-256-cbc -in plain.key -passout pass:{KEY_PW} -out enc.key"
    ));
    let enc = std::fs::read_to_string(dir.join("enc.key")).unwrap();
    let cert = std::fs::read_to_string(dir.join("me.pem")).unwrap();
    write(dir, "enc-bundle.pem", &format!("{enc}{cert}"));
    let mut b = std::fs::read(dir.join("ks.jks")).unwrap();
    let mid = b.len() / 2;
    b[mid] ^= 0x55;
    std::fs::write(dir.join("altered.jks"), b).unwrap();
    let b = std::fs::read(dir.join("ks.p12")).unwrap();
    std::fs::write(dir.join("short.p12"), &b[..b.len() / 2]).unwrap();

    let ks = |file: &str, extra: &str| {
        format!(
            "security.protocol=SSL\nssl.keystore.location={}/{file}\n{extra}",
            dir.display()
        )
    };
    let sp = format!("ssl.keystore.password={STORE_PW}\n");
    let cases: Vec<(String, &str, &[&str])> = vec![
        (ks("ks.jks", &format!("ssl.keystore.password=wrong-{STORE_PW}\nssl.key.password={KEY_PW}\n")),
            "ks.jks", &["ssl.keystore.location", "ssl.keystore.password is wrong"]),
        (ks("ks.jks", &format!("{sp}ssl.key.password=x{KEY_PW}\n")),
            "ks.jks", &["ssl.key.password is wrong"]),
        (ks("ks.jks", &sp), "ks.jks", &["set ssl.key.password"]),
        (ks("altered.jks", &format!("{sp}ssl.key.password={KEY_PW}\n")),
            "altered.jks", &["integrity check failed", "altered"]),
        (ks("short.p12", &format!("ssl.keystore.type=PKCS12\n{sp}")),
            "short.p12", &["not a valid key store"]),
        (ks("trust.p12", &format!("ssl.keystore.type=PKCS12\n{sp}")),
            "trust.p12", &["no private key entry"]),
        (ks("dsa.jks", &sp), "dsa.jks", &["unsupported algorithm: DSA"]),
        (ks("ks.jceks", &sp), "ks.jceks", &["unsupported", "JCEKS"]),
        (ks("missing.jks", &sp), "missing.jks", &["cannot read it"]),
        (ks("ks.p12", &format!("ssl.keystore.type=BCFKS\n{sp}")),
            "client.properties:3", &["ssl.keystore.type BCFKS is not supported"]),
        (format!("security.protocol=SSL\nssl.truststore.type=PKCS12\nssl.truststore.location={}/trust.p12\nssl.truststore.password=no-{STORE_PW}\n", dir.display()),
            "trust.p12", &["ssl.truststore.location", "ssl.truststore.password is wrong"]),
        (format!("security.protocol=SSL\nssl.truststore.location={}/me.pem\n", dir.display()),
            "me.pem", &["ssl.truststore.location", "(JKS)", "set the type to PEM"]),
        (ks("enc-bundle.pem", "ssl.keystore.type=PEM\n"),
            "enc-bundle.pem", &["ssl.key.password is needed"]),
        (ks("enc-bundle.pem", &format!("ssl.keystore.type=PEM\nssl.key.password=no-{KEY_PW}\n")),
            "enc-bundle.pem", &["ssl.key.password is wrong"]),
    ];
    for (text, file, want) in &cases {
        let p = write(dir, "client.properties", text);
        let (code, err, ms) = collect_with(&p);
        assert_eq!(code, Some(2), "{text}\n{err}");
        assert_eq!(err.trim().lines().count(), 1, "one message: {err}");
        assert!(err.contains(file), "names the file {file}: {err}");
        for w in *want {
            assert!(err.contains(w), "{w:?} in: {err}");
        }
        assert!(
            !err.contains(STORE_PW) && !err.contains(KEY_PW),
            "no password: {err}"
        );
        assert!(ms < 2000, "fails before any connection ({ms} ms)");
    }
    // The same stores, rightly configured, load: what fails then is the connection.
    for text in [
        ks("ks.jks", &format!("{sp}ssl.key.password={KEY_PW}\nssl.truststore.location={}/trust.p12\nssl.truststore.password={STORE_PW}\n", dir.display())),
        ks("ks.p12", &format!("ssl.keystore.type=PKCS12\n{sp}")),
        ks("enc-bundle.pem", &format!("ssl.keystore.type=PEM\nssl.key.password={KEY_PW}\n")),
    ] {
        let p = write(dir, "client.properties", &text);
        let (code, err, _) = collect_with(&p);
        assert_eq!(code, Some(2));
        assert!(err.contains("cannot connect") && !err.contains("ssl."), "{text}\n{err}");
        assert!(!err.contains(STORE_PW) && !err.contains(KEY_PW), "{err}");
    }
}

/// KIP-297/421 config providers in `--command-config` and `-X`: resolved before use, an
/// unknown provider or an unresolvable reference is one clear message, and no resolved value
/// appears in any output or debug line.
#[test]
fn config_providers_in_client_configs() {
    let d = TempDir::new().unwrap();
    let dir = d.path();
    write(dir, "secrets.properties", "jaas=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"Prov-Jaas-Secret-3\";\n");
    write(dir, "pw/truststore", "Prov-Dir-Secret-4");
    let providers = "config.providers=file,directory,env\n\
        config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider\n\
        config.providers.directory.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider\n\
        config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider\n";
    let good = write(
        dir,
        "good.properties",
        &format!(
            "{providers}security.protocol=SASL_PLAINTEXT\nsasl.mechanism=${{env:KC_TEST_MECH}}\nsasl.jaas.config=${{file:{0}/secrets.properties:jaas}}\nssl.truststore.password=${{directory:{0}/pw:truststore}}\n",
            dir.display()
        ),
    );
    let out = collect_closed_port(&good)
        .env("KC_TEST_MECH", "SCRAM-SHA-512")
        .args([
            "-X",
            &format!(
                "sasl.password=${{file:{}/secrets.properties:jaas}}",
                dir.display()
            ),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("cannot connect"),
        "resolved, then the connection failed: {err}"
    );
    for s in ["Prov-Jaas-Secret-3", "Prov-Dir-Secret-4"] {
        assert!(
            !err.contains(s) && !String::from_utf8_lossy(&out.stdout).contains(s),
            "{s} leaked: {err}"
        );
    }
    for (text, want) in [
        (format!("{providers}sasl.jaas.config=${{vault:kv/kafka:jaas}}\n"), "no config provider 'vault'"),
        (format!("{providers}sasl.jaas.config=${{file:{}/secrets.properties:nokey}}\n", dir.display()), "has no key 'nokey'"),
        (format!("{providers}sasl.jaas.config=${{env:KC_TEST_SURELY_UNSET}}\n"), "KC_TEST_SURELY_UNSET is not set"),
        ("config.providers=vault\nconfig.providers.vault.class=io.example.VaultConfigProvider\nsasl.jaas.config=${vault:kv/kafka:jaas}\n".to_string(), "io.example.VaultConfigProvider, which kraftcheck cannot run"),
        ("config.providers=file\nsasl.jaas.config=x\n".to_string(), "config.providers.file.class is not set"),
    ] {
        let p = write(dir, "bad.properties", &text);
        let (code, err, _) = collect_with(&p);
        assert_eq!(code, Some(2), "{text}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("bad.properties:") && err.contains(want), "{want:?} in {err}");
    }
}

/// KIP-421 in server.properties: references are resolved for the audit; sensitive keys are
/// never resolved (their secret is never read); an unresolvable reference is a gap for that
/// broker's configs (its config rules are unknown), not a failure; no secret reaches output.
#[test]
fn config_providers_in_broker_configs() {
    let d = TempDir::new().unwrap();
    let dir = d.path();
    write(
        dir,
        "secrets.properties",
        "ibp=3.9\nks=Prov-Broker-Secret-5\n",
    );
    let p = write(
        dir,
        "server.properties",
        &format!(
            "config.providers=file,env\n\
             config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider\n\
             config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider\n\
             broker.id=1\nzookeeper.connect=zk:2181\n\
             inter.broker.protocol.version=${{file:{0}/secrets.properties:ibp}}\n\
             ssl.keystore.password=${{file:{0}/secrets.properties:ks}}\n\
             ssl.key.password=${{env:KC_TEST_BROKER_KEY_PW}}\n\
             log.message.format.version=${{file:{0}/missing.properties:lmf}}\n",
            dir.display()
        ),
    );
    let out = kc()
        .env("KC_TEST_BROKER_KEY_PW", "Prov-Broker-Env-6")
        .args(["collect", "--kafka-version", "3.9.0", "--broker-config"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for s in ["Prov-Broker-Secret-5", "Prov-Broker-Env-6"] {
        assert!(!text.contains(s), "{s} in the inventory");
    }
    let inv: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cfg = &inv["brokers"][0]["configs"];
    assert_eq!(
        cfg["inter.broker.protocol.version"]["value"], "3.9",
        "resolved"
    );
    assert!(cfg["ssl.keystore.password"]["value"].is_null());
    assert!(cfg["log.message.format.version"]["value"].is_null());
    let gap = inv["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["part"] == "brokers.configs" && g["resource"] == "broker:1")
        .unwrap_or_else(|| panic!("no gap: {}", inv["gaps"]));
    let detail = gap["detail"].as_str().unwrap();
    assert!(
        detail.contains("server.properties:9: log.message.format.version")
            && detail.contains("missing.properties"),
        "{detail}"
    );
    // The audit still runs; this broker's config rules are unknown rather than passing.
    let out = kc()
        .env("KC_TEST_BROKER_KEY_PW", "Prov-Broker-Env-6")
        .args([
            "audit",
            "--format",
            "json",
            "--kafka-version",
            "3.9.0",
            "--broker-config",
        ])
        .arg(&p)
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8_lossy(&out.stdout);
    for s in ["Prov-Broker-Secret-5", "Prov-Broker-Env-6"] {
        assert!(!report.contains(s), "{s} in the report");
    }
}

/// A token endpoint that misbehaves in one way (the real OAuth server of the rig cannot be made
/// to): answers every connection with `reply`, or never answers when `reply` is `None`.
fn bad_token_endpoint(reply: Option<&'static str>) -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            use std::io::{Read, Write};
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            match reply {
                Some(r) => {
                    let _ = s.write_all(r.as_bytes());
                }
                None => held.push(s),
            }
        }
    });
    format!("http://127.0.0.1:{port}/token")
}

/// OAuth client credentials (KIP-768): a token endpoint that is down, slow, refuses the client
/// or answers garbage stops kraftcheck with exit 2 within --timeout-ms, one message, and neither
/// the client secret nor a token in it.
#[test]
fn failing_token_endpoints_exit_2_with_one_message() {
    let d = TempDir::new().unwrap();
    let secret = "Oauth-Client-Secret-Fk7";
    let cases = [
        ("http://127.0.0.1:9/token".to_string(), "cannot connect"),
        (bad_token_endpoint(None), "no answer within 1500 ms"),
        (
            bad_token_endpoint(Some("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n{\"error\":\"invalid_client\",\"error_description\":\"bad secret\"}")),
            "HTTP 401 Unauthorized (invalid_client: bad secret)",
        ),
        (bad_token_endpoint(Some("HTTP/1.1 200 OK\r\n\r\n<html>login</html>")), "the answer is not JSON"),
        (bad_token_endpoint(Some("HTTP/1.1 200 OK\r\n\r\n{\"token_type\":\"Bearer\"}")), "has no access_token"),
        (
            bad_token_endpoint(Some("HTTP/1.1 200 OK\r\n\r\n{\"access_token\":\"eyJopaque-Tok3n\",\"expires_in\":60}")),
            "is not a JWT",
        ),
        (bad_token_endpoint(Some("garbage\r\n\r\n")), "not an HTTP response"),
    ];
    for (url, want) in cases {
        let p = write(
            d.path(),
            "oauth.properties",
            &format!(
                "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=OAUTHBEARER\nsasl.oauthbearer.token.endpoint.url={url}\n\
                 sasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler\n\
                 sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId=\"kc\" clientSecret=\"{secret}\" scope=\"kafka\";\n"
            ),
        );
        let t = std::time::Instant::now();
        let out = kc()
            .env("KRAFTCHECK_DEBUG", "1")
            .args([
                "collect",
                "--timeout-ms",
                "1500",
                "--bootstrap-server",
                "127.0.0.1:9",
                "--command-config",
            ])
            .arg(&p)
            .output()
            .unwrap();
        let ms = t.elapsed().as_millis();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{url}: {err}");
        assert!(
            err.contains("OAuth token endpoint") && err.contains(want),
            "{want:?} in {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "one message: {err}");
        assert!(!err.contains(secret) && !err.contains("Tok3n"), "{err}");
        assert!(ms < 1500 + 1500, "{url}: {ms} ms");
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
