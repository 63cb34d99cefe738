//! Kerberos (SASL/GSSAPI) against a real MIT KDC and real brokers (rig/auth.sh; scripts/test-all
//! starts them): the KDC of `rig/rig.sh up kdc`, the GSSAPI listeners (SASL_PLAINTEXT and
//! SASL_SSL) of the ZooKeeper-mode auth39 broker and of the KRaft kraft39 node. kraftcheck logs in
//! through the system's GSSAPI library with a keytab and with a ticket cache that `kinit` filled,
//! and must collect the same inventory as through the PLAINTEXT listener. Every way the login
//! fails (no ticket, an expired one, an unknown service principal, an unreadable or wrong keytab,
//! no GSSAPI library) ends in exit 2 within the timeout, with one message, and no secret (the
//! keytab's contents, the principal's password) appears anywhere.
//!
//! Without the rig (`KRAFTCHECK_RIG_KDC_*`, `KRAFTCHECK_RIG_AUTH39_GSSAPI_*`,
//! `KRAFTCHECK_RIG_KRAFT39_GSSAPI_*`) these tests fail, like every live test.

mod common;

use assert_cmd::Command;
use base64::Engine;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run scripts/test-all, or `rig/rig.sh up kdc && rig/rig.sh up kraft39 && rig/rig.sh up auth39 && rig/rig.sh seed auth39 && eval \"$(rig/rig.sh env)\"`")
    })
}
fn kdc(key: &str) -> String {
    env(&format!("KRAFTCHECK_RIG_KDC_{key}"))
}
fn rig(name: &str, key: &str) -> String {
    env(&format!(
        "KRAFTCHECK_RIG_{}_{key}",
        name.to_ascii_uppercase()
    ))
}

/// The Kerberos client's password (rig/auth.sh); the keytab holds the keys made from it.
const PASSWORD: &str = "Krb-Pass-9w";
/// Every connection and request is bounded by this in the failure tests; the exit must follow
/// within it and a small margin.
const TIMEOUT_MS: u64 = 5000;
const MARGIN_MS: u128 = 2000;

/// What must never appear: the password, and the client keytab's bytes (whole, as base64 and
/// hex, and its key-bearing tail as base64).
fn secrets() -> Vec<String> {
    let kt = std::fs::read(kdc("CLIENT_KEYTAB")).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let hex: String = kt.iter().map(|b| format!("{b:02x}")).collect();
    vec![
        PASSWORD.to_string(),
        b64.encode(&kt),
        b64.encode(&kt[kt.len() - 32..]),
        hex[hex.len() - 64..].to_string(),
    ]
}

fn assert_no_secret(what: &str, text: &str) {
    for s in secrets() {
        assert!(!text.contains(&s), "a secret leaked in {what}");
    }
}

fn kc() -> Command {
    let mut c = Command::cargo_bin("kraftcheck").unwrap();
    c.env("KRB5_CONFIG", kdc("KRB5_CONFIG"))
        .env_remove("KRB5CCNAME")
        .env_remove("KRAFTCHECK_GSSAPI_LIBRARY");
    c
}

/// A client config in `dir`.
fn config(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn keytab_jaas(keytab: &str, principal: &str) -> String {
    format!("sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab=\"{keytab}\" principal=\"{principal}\";\n")
}

/// `kinit -kt` the rig's client keytab into a FILE: cache in `dir` (lifetime as kinit's -l).
fn kinit(dir: &Path, lifetime: &str) -> PathBuf {
    let cache = dir.join("krb5cc");
    let out = std::process::Command::new("kinit")
        .env("KRB5_CONFIG", kdc("KRB5_CONFIG"))
        .env("KRB5CCNAME", format!("FILE:{}", cache.display()))
        .args([
            "-l",
            lifetime,
            "-kt",
            &kdc("CLIENT_KEYTAB"),
            &kdc("CLIENT_PRINCIPAL"),
        ])
        .output()
        .expect("kinit (Debian's krb5-user) runs");
    assert!(
        out.status.success(),
        "kinit: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    cache
}

/// `collect` (with debug lines) through one listener with one config: (inventory, stderr, seconds).
fn collect(bootstrap: &str, config: &Path, extra_env: &[(&str, String)]) -> (Value, String, f64) {
    let mut cmd = kc();
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    cmd.env("KRAFTCHECK_DEBUG", "1")
        .args(["collect", "--bootstrap-server", bootstrap])
        .arg("--command-config")
        .arg(config);
    let t = Instant::now();
    let out = cmd.output().unwrap();
    let secs = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "collect via {} failed: {stderr}",
        config.display()
    );
    assert_no_secret(&format!("collect via {}", config.display()), &stdout);
    assert_no_secret(&format!("collect via {}", config.display()), &stderr);
    (serde_json::from_str(&stdout).unwrap(), stderr, secs)
}

/// The authenticated (SCRAM) inventory of a rig, checked equal to PLAINTEXT's but for the
/// delegation tokens, which Kafka shows only to authenticated connections: what every GSSAPI
/// login must collect.
fn authenticated_baseline(name: &str) -> Value {
    let out = kc()
        .args(["collect", "--bootstrap-server", &rig(name, "BOOTSTRAP")])
        .output()
        .unwrap();
    assert!(out.status.success());
    let plain: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        plain["brokers"].as_array().is_some_and(|b| !b.is_empty()),
        "{name} has brokers"
    );
    if name == "auth39" {
        assert!(
            plain["topics"].as_array().is_some_and(|t| !t.is_empty()),
            "{name} is seeded"
        );
    }
    let (scram, _, _) = collect(
        &rig(name, "SASL_BOOTSTRAP"),
        Path::new(&rig(name, "SCRAM_CONFIG")),
        &[],
    );
    let scram = common::comparable(scram);
    common::assert_same(
        &format!("{name} SCRAM"),
        &common::without_delegation_tokens(scram.clone()),
        &common::without_delegation_tokens(common::comparable(plain)),
    );
    scram
}

/// Keytab and ticket-cache logins over SASL_PLAINTEXT and SASL_SSL on one rig: each collects the
/// authenticated (SCRAM) inventory, which equals PLAINTEXT's but for delegation tokens.
fn gssapi_parity(name: &str) {
    let scram = authenticated_baseline(name);
    let dir = tempfile::TempDir::new().unwrap();
    let cache = kinit(dir.path(), "10m");
    let (plain_bs, ssl_bs) = (
        rig(name, "GSSAPI_BOOTSTRAP"),
        rig(name, "GSSAPI_SSL_BOOTSTRAP"),
    );
    let ssl_cfg = std::fs::read_to_string(rig(name, "GSSAPI_SSL_CONFIG")).unwrap();
    let trust: String = ssl_cfg
        .lines()
        .filter(|l| l.starts_with("ssl."))
        .map(|l| format!("{l}\n"))
        .collect();
    let cache_jaas = format!(
        "sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true ticketCache=\"{}\";\n",
        cache.display()
    );
    let head = "sasl.mechanism=GSSAPI\nsasl.kerberos.service.name=kafka\n";
    let cache_plain = config(
        dir.path(),
        "cache.properties",
        &format!("security.protocol=SASL_PLAINTEXT\n{head}{cache_jaas}"),
    );
    let cache_ssl = config(
        dir.path(),
        "cache-ssl.properties",
        &format!("security.protocol=SASL_SSL\n{head}{cache_jaas}{trust}"),
    );
    // The default cache (KRB5CCNAME), no ticketCache option.
    let env_cache = config(
        dir.path(),
        "env-cache.properties",
        &format!("security.protocol=SASL_PLAINTEXT\n{head}sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true;\n"),
    );
    let ccname = vec![("KRB5CCNAME", format!("FILE:{}", cache.display()))];
    for (label, bootstrap, cfg, extra) in [
        (
            "keytab SASL_PLAINTEXT",
            &plain_bs,
            PathBuf::from(rig(name, "GSSAPI_CONFIG")),
            vec![],
        ),
        (
            "keytab SASL_SSL",
            &ssl_bs,
            PathBuf::from(rig(name, "GSSAPI_SSL_CONFIG")),
            vec![],
        ),
        (
            "ticket cache SASL_PLAINTEXT",
            &plain_bs,
            cache_plain,
            vec![],
        ),
        ("ticket cache SASL_SSL", &ssl_bs, cache_ssl, vec![]),
        (
            "KRB5CCNAME SASL_PLAINTEXT",
            &plain_bs,
            env_cache,
            ccname.clone(),
        ),
    ] {
        let (inv, stderr, secs) = collect(bootstrap, &cfg, &extra);
        common::assert_same(&format!("{name} {label}"), &common::comparable(inv), &scram);
        let login = stderr
            .lines()
            .find(|l| l.contains("debug: connect "))
            .unwrap_or("(no connect line)");
        assert!(login.contains("authenticate GSSAPI"), "{label}: {login}");
        let creds = stderr
            .lines()
            .filter(|l| l.contains("debug: GSSAPI credentials for"))
            .collect::<Vec<_>>();
        // One login per run, shared by every connection.
        assert_eq!(creds.len(), 1, "{label}: {stderr}");
        assert!(creds[0].contains(&kdc("CLIENT_PRINCIPAL")), "{}", creds[0]);
        eprintln!("{name} {label}: collect {secs:.2} s; {login}; {}", creds[0]);
    }
}

#[test]
fn gssapi_on_the_zookeeper_mode_broker_collects_the_plaintext_inventory() {
    gssapi_parity("auth39");
}

#[test]
fn gssapi_on_the_kraft_node_collects_the_plaintext_inventory() {
    gssapi_parity("kraft39");
}

/// librdkafka's names: `sasl.kerberos.keytab` and `sasl.kerberos.principal` with `-X`.
#[test]
fn librdkafka_keytab_settings_log_in() {
    let x = |kv: String| ["-X".to_string(), kv];
    let args = [
        x("security.protocol=sasl_plaintext".into()),
        x("sasl.mechanisms=GSSAPI".into()),
        x("sasl.kerberos.service.name=kafka".into()),
        x(format!("sasl.kerberos.keytab={}", kdc("CLIENT_KEYTAB"))),
        x(format!(
            "sasl.kerberos.principal={}",
            kdc("CLIENT_PRINCIPAL")
        )),
    ]
    .concat();
    let out = kc()
        .env("KRAFTCHECK_DEBUG", "1")
        .args([
            "collect",
            "--bootstrap-server",
            &rig("auth39", "GSSAPI_BOOTSTRAP"),
        ])
        .args(&args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("authenticate GSSAPI"), "{err}");
    assert_no_secret("librdkafka settings", &err);
    let inv: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        inv["acls"].as_array().is_some_and(|a| !a.is_empty()),
        "the Kerberos client is a super user"
    );
}

/// `audit` and `diff` (both sides live) take the same settings: a keytab on one side, a ticket
/// cache on the other, the same cluster: parity.
#[test]
fn audit_and_diff_log_in_with_gssapi() {
    let dir = tempfile::TempDir::new().unwrap();
    let cache = kinit(dir.path(), "10m");
    let cache_cfg = config(
        dir.path(),
        "cache.properties",
        &format!("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=GSSAPI\nsasl.kerberos.service.name=kafka\nsasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true ticketCache=\"{}\";\n", cache.display()),
    );
    let bootstrap = rig("auth39", "GSSAPI_BOOTSTRAP");
    let out = kc()
        .args([
            "audit",
            "--format",
            "json",
            "--bootstrap-server",
            &bootstrap,
        ])
        .args(["--command-config", &rig("auth39", "GSSAPI_CONFIG")])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["findings"].as_array().is_some(), "{report}");
    assert_no_secret("audit", &String::from_utf8_lossy(&out.stdout));
    let out = kc()
        .args(["diff", "--format", "json"])
        .args(["--old-bootstrap-server", &bootstrap])
        .args(["--old-command-config", &rig("auth39", "GSSAPI_CONFIG")])
        .args([
            "--new-bootstrap-server",
            &rig("auth39", "GSSAPI_SSL_BOOTSTRAP"),
        ])
        .args(["--new-command-config"])
        .arg(config(
            dir.path(),
            "cache-ssl.properties",
            &format!(
                "{}ssl.truststore.type=PEM\nssl.truststore.location={}\n",
                std::fs::read_to_string(&cache_cfg)
                    .unwrap()
                    .replace("SASL_PLAINTEXT", "SASL_SSL"),
                Path::new(&rig("auth39", "RUN_DIR"))
                    .join("certs/ca.pem")
                    .display()
            ),
        ))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["verdict"], "parity", "{stdout}");
    assert_no_secret("diff", &stdout);
    assert_no_secret("diff", &stderr);
}

/// Run `collect` with `cfg_text` against the auth39 GSSAPI listener: exit 2 within the timeout
/// and a margin, one line on stderr, no secret; the message.
fn fails(cfg_text: &str, extra_env: &[(&str, String)]) -> String {
    let dir = tempfile::TempDir::new().unwrap();
    let p = config(dir.path(), "client.properties", cfg_text);
    let mut cmd = kc();
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    cmd.env("KRAFTCHECK_DEBUG", "1")
        .args([
            "collect",
            "--timeout-ms",
            &TIMEOUT_MS.to_string(),
            "--bootstrap-server",
            &rig("auth39", "GSSAPI_BOOTSTRAP"),
            "--command-config",
        ])
        .arg(&p);
    let t = Instant::now();
    let out = cmd.output().unwrap();
    let ms = t.elapsed().as_millis();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        ms < TIMEOUT_MS as u128 + MARGIN_MS,
        "exit after {ms} ms: {err}"
    );
    let errors: Vec<&str> = err
        .lines()
        .filter(|l| !l.starts_with("kraftcheck: debug:"))
        .collect();
    assert_eq!(errors.len(), 1, "one message: {err}");
    assert!(out.stdout.is_empty());
    assert_no_secret("an error", &err);
    eprintln!("exit 2 after {ms} ms: {}", errors[0]);
    errors[0].to_string()
}

const HEAD: &str =
    "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=GSSAPI\nsasl.kerberos.service.name=kafka\n";

#[test]
fn no_ticket_in_the_cache_exits_2() {
    let dir = tempfile::TempDir::new().unwrap();
    let missing = dir.path().join("no-such-cache");
    let e = fails(
        &format!("{HEAD}sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true ticketCache=\"{}\";\n", missing.display()),
        &[],
    );
    assert!(
        e.contains("no Kerberos ticket") && e.contains("kinit") && e.contains("no-such-cache"),
        "{e}"
    );
    // The default cache (KRB5CCNAME) empty: kinit, then kdestroy.
    let cache = kinit(dir.path(), "10m");
    let ccname = format!("FILE:{}", cache.display());
    let st = std::process::Command::new("kdestroy")
        .env("KRB5CCNAME", &ccname)
        .status()
        .unwrap();
    assert!(st.success());
    let e = fails(
        &format!("{HEAD}sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true;\n"),
        &[("KRB5CCNAME", ccname)],
    );
    assert!(e.contains("no Kerberos ticket"), "{e}");
}

#[test]
fn expired_ticket_exits_2() {
    let dir = tempfile::TempDir::new().unwrap();
    let cache = kinit(dir.path(), "2s");
    std::thread::sleep(std::time::Duration::from_millis(3000));
    let e = fails(
        &format!("{HEAD}sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true ticketCache=\"{}\";\n", cache.display()),
        &[],
    );
    assert!(e.contains("expired") && e.contains("kinit"), "{e}");
}

#[test]
fn unknown_service_principal_exits_2() {
    let e = fails(
        &format!(
            "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=GSSAPI\nsasl.kerberos.service.name=kafka-nope\n{}",
            keytab_jaas(&kdc("CLIENT_KEYTAB"), &kdc("CLIENT_PRINCIPAL"))
        ),
        &[],
    );
    assert!(
        e.contains("kafka-nope/localhost") && e.contains("sasl.kerberos.service.name"),
        "{e}"
    );
}

#[test]
fn unreadable_keytab_exits_2() {
    let dir = tempfile::TempDir::new().unwrap();
    let missing = dir.path().join("missing.keytab");
    let e = fails(
        &format!(
            "{HEAD}{}",
            keytab_jaas(&missing.display().to_string(), &kdc("CLIENT_PRINCIPAL"))
        ),
        &[],
    );
    assert!(
        e.contains("keyTab") && e.contains("missing.keytab") && e.contains("cannot read it"),
        "{e}"
    );
    // Not a keytab at all.
    let garbage = dir.path().join("garbage.keytab");
    std::fs::write(&garbage, b"this is not a keytab\n").unwrap();
    let e = fails(
        &format!(
            "{HEAD}{}",
            keytab_jaas(&garbage.display().to_string(), &kdc("CLIENT_PRINCIPAL"))
        ),
        &[],
    );
    assert!(
        e.contains("garbage.keytab") && e.contains("not a Kerberos keytab"),
        "{e}"
    );
}

#[test]
fn wrong_keytab_exits_2() {
    // Another principal's keytab.
    let e = fails(
        &format!(
            "{HEAD}{}",
            keytab_jaas(&kdc("INTRUDER_KEYTAB"), &kdc("CLIENT_PRINCIPAL"))
        ),
        &[],
    );
    assert!(
        e.contains("intruder.keytab") && e.contains("no key for this principal"),
        "{e}"
    );
    // The principal's old key (the KDC has a new one since).
    let e = fails(
        &format!(
            "{HEAD}{}",
            keytab_jaas(&kdc("ROTATED_KEYTAB"), &format!("rotated@{}", kdc("REALM")))
        ),
        &[],
    );
    assert!(
        e.contains("rotated-old.keytab") && e.contains("refused the keytab's key"),
        "{e}"
    );
}

#[test]
fn missing_gssapi_library_exits_2() {
    let e = fails(
        &format!(
            "{HEAD}{}",
            keytab_jaas(&kdc("CLIENT_KEYTAB"), &kdc("CLIENT_PRINCIPAL"))
        ),
        &[(
            "KRAFTCHECK_GSSAPI_LIBRARY",
            "/nonexistent/libgssapi_krb5.so.2".into(),
        )],
    );
    assert!(
        e.contains("/nonexistent/libgssapi_krb5.so.2") && e.contains("libgssapi-krb5-2"),
        "{e}"
    );
}

/// A KDC that accepts the connection and never answers: the login waits in the Kerberos library,
/// and `--timeout-ms` still ends the run (exit 2, one message).
#[test]
fn silent_kdc_is_bounded_by_the_timeout() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let dir = tempfile::TempDir::new().unwrap();
    let conf = std::fs::read_to_string(kdc("KRB5_CONFIG")).unwrap();
    let kdc_line = conf
        .lines()
        .find(|l| l.trim_start().starts_with("kdc ="))
        .unwrap()
        .trim()
        .to_string();
    let krb5 = config(
        dir.path(),
        "krb5.conf",
        &conf.replace(&kdc_line, &format!("kdc = 127.0.0.1:{port}")),
    );
    let e = fails(
        &format!(
            "{HEAD}{}",
            keytab_jaas(&kdc("CLIENT_KEYTAB"), &kdc("CLIENT_PRINCIPAL"))
        ),
        &[("KRB5_CONFIG", krb5.display().to_string())],
    );
    assert!(e.contains("no answer from the KDC within 5000 ms"), "{e}");
    drop(silent);
}

/// `--bootstrap-controller` takes the same settings: kraft39's second controller listener
/// (CONTROLLER_KRB, SASL_PLAINTEXT with Kerberos; the controller registers it with 127.0.0.1, so
/// the service principal is kafka/127.0.0.1) yields what the PLAINTEXT controller listener does.
#[test]
fn bootstrap_controller_logs_in_with_gssapi() {
    let run = |bootstrap: &str, controller: &str, config: Option<&str>| -> (Value, String) {
        let mut c = kc();
        c.env("KRAFTCHECK_DEBUG", "1").args([
            "collect",
            "--bootstrap-server",
            bootstrap,
            "--bootstrap-controller",
            controller,
        ]);
        if let Some(cfg) = config {
            c.args(["--command-config", cfg]);
        }
        let out = c.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{err}");
        assert_no_secret("--bootstrap-controller", &err);
        (serde_json::from_slice(&out.stdout).unwrap(), err)
    };
    let controller = rig("kraft39", "GSSAPI_CONTROLLER_BOOTSTRAP");
    let (krb, err) = run(
        &rig("kraft39", "GSSAPI_BOOTSTRAP"),
        &controller,
        Some(&rig("kraft39", "GSSAPI_CONFIG")),
    );
    assert!(
        err.lines().any(
            |l| l.contains(&format!("debug: connect {controller}: SaslPlaintext"))
                && l.contains("authenticate GSSAPI")
        ),
        "{err}"
    );
    assert!(krb["sources"]
        .as_array()
        .unwrap()
        .contains(&Value::from(format!("bootstrap-controller:{controller}"))));
    let (plain, _) = run(
        &rig("kraft39", "BOOTSTRAP"),
        &rig("kraft39", "CONTROLLER_BOOTSTRAP"),
        None,
    );
    let roles = |inv: &Value| -> Vec<Value> {
        inv["brokers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["roles"].clone())
            .collect()
    };
    assert_eq!(roles(&krb), roles(&plain));
    assert_eq!(roles(&krb), vec![Value::from("broker,controller")]);
    assert_eq!(krb["cluster"]["phase"], plain["cluster"]["phase"]);
}
