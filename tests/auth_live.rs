//! Enterprise logins against the real auth39 rig (rig/auth.sh; scripts/test-all starts it):
//! TLS and mutual TLS through client stores made with the JDK's keytool (JKS, PKCS12 as
//! Java 17 writes it, legacy PKCS12, a PKCS12 key whose password differs from the store's,
//! encrypted PKCS#8 PEM). Kafka's own Java client logged in with every one of these configs
//! when the rig started; here kraftcheck must collect the same inventory through each as
//! through the PLAINTEXT listener, reveal no password, and send only read-only requests.
//!
//! Without the rig (`KRAFTCHECK_RIG_AUTH39_*`) these tests fail, like every live test.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::time::Instant;

fn rig(key: &str) -> String {
    let var = format!("KRAFTCHECK_RIG_AUTH39_{key}");
    std::env::var(&var).unwrap_or_else(|_| {
        panic!("{var} is not set: run scripts/test-all, or `rig/rig.sh up auth39 && rig/rig.sh seed auth39 && eval \"$(rig/rig.sh env auth39)\"`")
    })
}

/// Store and key passwords and the OAuth client secret of the rig (rig/auth.sh), and the start
/// of every JWT the OAuth server issues: none may appear in any output.
const SECRETS: &[&str] = &["Store-Pass-4q", "Key-Pass-7z", "Client-Secret-5x", "eyJ"];

/// `collect --timeout-ms 5000` through one listener with one client config.
fn collect_cmd(bootstrap: &str, config: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("kraftcheck").unwrap();
    c.args([
        "collect",
        "--timeout-ms",
        "5000",
        "--bootstrap-server",
        bootstrap,
        "--command-config",
    ])
    .arg(config);
    c
}

/// `collect` through one listener and config: (inventory, stderr, seconds).
fn collect(bootstrap: &str, config: Option<&str>) -> (Value, String, f64) {
    let mut cmd = Command::cargo_bin("kraftcheck").unwrap();
    cmd.env("KRAFTCHECK_DEBUG", "1")
        .args(["collect", "--bootstrap-server", bootstrap]);
    if let Some(c) = config {
        cmd.args(["--command-config", c]);
    }
    let t = Instant::now();
    let out = cmd.output().unwrap();
    let secs = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "collect via {config:?} failed: {stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for s in SECRETS {
        assert!(
            !stdout.contains(s) && !stderr.contains(s),
            "{s} leaked via {config:?}"
        );
    }
    (serde_json::from_str(&stdout).unwrap(), stderr, secs)
}

#[test]
fn every_store_login_collects_the_plaintext_inventory() {
    let (plain, _, _) = collect(&rig("BOOTSTRAP"), None);
    assert_eq!(plain["cluster"]["mode"], "zookeeper");
    assert!(
        plain["topics"].as_array().is_some_and(|t| !t.is_empty()),
        "the rig is seeded"
    );
    let plain = common::comparable(plain);
    // An authenticated baseline (SCRAM admin) for the mTLS logins; it equals PLAINTEXT's but for
    // the delegation tokens.
    let (scram, _, _) = collect(&rig("SASL_BOOTSTRAP"), Some(&rig("SCRAM_CONFIG")));
    let scram = common::comparable(scram);
    common::assert_same(
        "SCRAM_CONFIG",
        &common::without_delegation_tokens(scram.clone()),
        &common::without_delegation_tokens(plain.clone()),
    );
    let tls = rig("TLS_BOOTSTRAP");
    let mtls = rig("SSL_BOOTSTRAP");
    let oauth = rig("OAUTH_BOOTSTRAP");
    for (bootstrap, key, want) in [
        (&tls, "TLS_JKS_CONFIG", &plain),
        (&tls, "TLS_P12_CONFIG", &plain),
        (&tls, "TLS_P12_LEGACY_CONFIG", &plain),
        (&mtls, "MTLS_JKS_CONFIG", &scram),
        (&mtls, "MTLS_P12_CONFIG", &scram),
        (&mtls, "MTLS_P12_LEGACY_CONFIG", &scram),
        (&mtls, "MTLS_P12_KEYPASS_CONFIG", &scram),
        (&mtls, "MTLS_PEM_ENCRYPTED_CONFIG", &scram),
        (&mtls, "MTLS_PEM_PBES2_CONFIG", &scram),
        (&oauth, "OAUTH_CONFIG", &scram),
    ] {
        let config = rig(key);
        let (inv, stderr, secs) = collect(bootstrap, Some(&config));
        common::assert_same(key, &common::comparable(inv), want);
        // The cost of the login path, from kraftcheck's own debug line (first connection).
        let login = stderr
            .lines()
            .find(|l| l.contains("debug: connect "))
            .unwrap_or("(no connect line)");
        eprintln!("{key}: collect {secs:.2} s; {login}");
        if key.starts_with("MTLS") {
            assert!(login.contains("(mTLS)"), "{key}: {login}");
        }
        if key == "OAUTH_CONFIG" {
            // One token from the real OAuth server for the whole run, validated by the broker
            // against the server's JWKS.
            let fetched = stderr
                .lines()
                .filter(|l| l.contains("debug: OAuth token from"))
                .count();
            assert_eq!(fetched, 1, "{stderr}");
            assert!(login.contains("authenticate OAUTHBEARER"), "{login}");
            eprintln!(
                "{key}: {}",
                stderr
                    .lines()
                    .find(|l| l.contains("OAuth token from"))
                    .unwrap()
            );
        }
    }
}

#[test]
fn wrong_key_password_against_the_rig_store_exits_2_without_connecting() {
    let config = std::fs::read_to_string(rig("MTLS_P12_KEYPASS_CONFIG")).unwrap();
    // The store password opens the store, but the key has its own password.
    let without: String = config
        .lines()
        .filter(|l| !l.starts_with("ssl.key.password"))
        .map(|l| format!("{l}\n"))
        .collect();
    let d = tempfile::TempDir::new().unwrap();
    let p = d.path().join("client.properties");
    std::fs::write(&p, without).unwrap();
    let t = Instant::now();
    let out = collect_cmd(&rig("SSL_BOOTSTRAP"), &p).output().unwrap();
    assert!(t.elapsed().as_millis() < 5000 + 2000);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("ssl.keystore.location")
            && err.contains("client-keypass.p12")
            && err.contains("set ssl.key.password"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one message: {err}");
    for s in SECRETS {
        assert!(!err.contains(s));
    }
}

#[test]
fn only_read_only_requests_reach_the_auth_broker() {
    // Make sure this test's own requests are in the log, whatever order the tests run in.
    collect(&rig("SSL_BOOTSTRAP"), Some(&rig("MTLS_JKS_CONFIG")));
    let logs = rig("REQUEST_LOGS");
    let mut seen = 0;
    for log in logs.split(':').filter(|l| !l.is_empty()) {
        for (api, line) in common::kraftcheck_requests(std::path::Path::new(log)) {
            seen += 1;
            assert!(
                common::READ_ONLY_REQUESTS.contains(&api.as_str()),
                "kraftcheck sent {api}: {line}"
            );
        }
    }
    assert!(seen > 0, "no kraftcheck request in {logs}");
}

/// A token the real OAuth server issues but the broker must refuse (audience `other`, the
/// listener expects `kafka`): kraftcheck reports the broker's verdict, exit 2, one message.
#[test]
fn token_for_another_audience_is_refused_by_the_broker() {
    let config = std::fs::read_to_string(rig("OAUTH_CONFIG"))
        .unwrap()
        .replace("scope=\"kafka\"", "scope=\"other\"");
    let d = tempfile::TempDir::new().unwrap();
    let p = d.path().join("client.properties");
    std::fs::write(&p, config).unwrap();
    let out = collect_cmd(&rig("OAUTH_BOOTSTRAP"), &p).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("OAUTHBEARER token rejected"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    for s in SECRETS {
        assert!(!err.contains(s), "{s} in {err}");
    }
}

/// `diff` with both sides collected live, each through its own enterprise login (a PKCS12 key
/// whose password differs from the store's, and OAuth client credentials): the same cluster,
/// so parity, exit 0.
#[test]
fn diff_collects_both_sides_through_enterprise_logins() {
    let out = Command::cargo_bin("kraftcheck")
        .unwrap()
        .args([
            "diff",
            "--format",
            "json",
            "--old-bootstrap-server",
            &rig("SSL_BOOTSTRAP"),
            "--old-command-config",
            &rig("MTLS_P12_KEYPASS_CONFIG"),
            "--new-bootstrap-server",
            &rig("OAUTH_BOOTSTRAP"),
            "--new-command-config",
            &rig("OAUTH_CONFIG"),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["verdict"], "parity", "{stdout}");
    assert!(report["old"]["topics"].as_u64().unwrap() > 0);
    for s in SECRETS {
        assert!(!stdout.contains(s) && !stderr.contains(s), "{s}");
    }
}

/// librdkafka's names (`-X ssl.ca.location`, `ssl.certificate.location`, `ssl.key.location`) and
/// Kafka's inline PEM settings (`ssl.truststore.certificates`, `ssl.keystore.certificate.chain`,
/// `ssl.keystore.key`) reach the mTLS listener as the stores do.
#[test]
fn librdkafka_and_inline_pem_settings_log_in_with_mtls() {
    let (ca, cert, key) = (rig("SSL_CA_PEM"), rig("SSL_CERT_PEM"), rig("SSL_KEY_PEM"));
    let d = tempfile::TempDir::new().unwrap();
    let inline = |p: &str| std::fs::read_to_string(p).unwrap().replace('\n', "\\n");
    let p = d.path().join("inline.properties");
    std::fs::write(
        &p,
        format!(
            "security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.certificates={}\nssl.keystore.type=PEM\nssl.keystore.certificate.chain={}\nssl.keystore.key={}\n",
            inline(&ca),
            inline(&cert),
            inline(&key)
        ),
    )
    .unwrap();
    let x = |k: &str, v: &str| ["-X".to_string(), format!("{k}={v}")];
    let runs: Vec<Vec<String>> = vec![
        [
            x("security.protocol", "ssl"),
            x("ssl.ca.location", &ca),
            x("ssl.certificate.location", &cert),
            x("ssl.key.location", &key),
        ]
        .concat(),
        vec!["--command-config".into(), p.display().to_string()],
    ];
    for extra in runs {
        let out = Command::cargo_bin("kraftcheck")
            .unwrap()
            .env("KRAFTCHECK_DEBUG", "1")
            .args(["collect", "--bootstrap-server", &rig("SSL_BOOTSTRAP")])
            .args(&extra)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{extra:?}: {err}");
        assert!(err.contains("Ssl (mTLS)"), "{err}");
        let inv: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            inv["acls"].as_array().is_some_and(|a| !a.is_empty()),
            "a super user sees the ACLs"
        );
        assert!(!err.contains("PRIVATE KEY"), "no key material in messages");
    }
}

/// `ssl.endpoint.identification.algorithm`: a broker whose certificate (signed by the trusted CA)
/// names another host is refused by default, as by Kafka's client, and accepted when the setting
/// is empty (chain checked, host name not).
#[test]
fn host_name_verification_follows_endpoint_identification_algorithm() {
    let bootstrap = rig("WRONGNAME_BOOTSTRAP");
    let run = |extra: &[&str]| {
        collect_cmd(&bootstrap, std::path::Path::new(&rig("TLS_JKS_CONFIG")))
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("TLS handshake failed") && err.contains("not valid for name"),
        "{err}"
    );
    let out = run(&["-X", "ssl.endpoint.identification.algorithm="]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `--metrics` over https trusts the client config's stores, as the Kafka connection does: a real
/// TLS server (`openssl s_server -WWW`, the rig CA's certificate for 127.0.0.1) serving a JMX
/// exporter page is scraped through a JKS trust store and through PEM trust given with `-X` to a
/// SASL_PLAINTEXT config (the trust is read for https whatever `security.protocol`); without
/// them the public roots do not trust it and the metrics are a gap, not a pass.
#[test]
fn https_metrics_trust_the_client_config_stores() {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/metrics/kafka392-jmx-exporter-default.txt"
        ),
        dir.path().join("metrics.txt"),
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let certs = std::path::Path::new(&rig("RUN_DIR")).join("certs");
    struct Server(std::process::Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _server = Server(
        std::process::Command::new("openssl")
            .current_dir(dir.path())
            .args(["s_server", "-quiet", "-WWW", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(certs.join("broker-cert.pem"))
            .arg("-key")
            .arg(certs.join("broker-key.pem"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("openssl runs"),
    );
    let t = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t.elapsed().as_secs() < 10, "openssl s_server did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let url = format!("https://127.0.0.1:{port}/metrics.txt");
    let scrape = |args: &[&str]| -> Value {
        let out = Command::cargo_bin("kraftcheck")
            .unwrap()
            .args(["collect", "--timeout-ms", "5000", "--metrics", &url])
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {err}");
        for s in SECRETS {
            assert!(!err.contains(s), "{s} in {err}");
        }
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let metrics_gap = |inv: &Value| {
        inv["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["part"] == "metrics")
            .cloned()
    };
    let jks = rig("TLS_JKS_CONFIG");
    let inv = scrape(&[
        "--bootstrap-server",
        &rig("TLS_BOOTSTRAP"),
        "--command-config",
        &jks,
    ]);
    assert_eq!(
        metrics_gap(&inv),
        None,
        "scraped through the JKS trust store"
    );
    assert!(
        inv["clients"]["brokers"]
            .as_array()
            .is_some_and(|b| !b.is_empty()),
        "{}",
        inv["clients"]
    );
    let scram = rig("SCRAM_CONFIG");
    let inv = scrape(&[
        "--bootstrap-server",
        &rig("SASL_BOOTSTRAP"),
        "--command-config",
        &scram,
        "-X",
        "ssl.truststore.type=PEM",
        "-X",
        &format!("ssl.truststore.location={}", rig("SSL_CA_PEM")),
    ]);
    assert_eq!(metrics_gap(&inv), None, "scraped through -X PEM trust");
    // The public roots: the rig CA is not among them.
    let inv = scrape(&["--bootstrap-server", &rig("BOOTSTRAP")]);
    let gap = metrics_gap(&inv).expect("an untrusted metrics endpoint is a gap");
    assert!(
        gap["detail"]
            .as_str()
            .is_some_and(|d| d.contains("TLS handshake failed")),
        "{gap}"
    );
}

/// The token endpoint over https (a second real mock-oauth2-server, with the rig CA's broker
/// certificate): its TLS trust follows Kafka's client, which builds it from the JAAS options
/// `ssl.truststore.*` of `sasl.jaas.config` only (`JaasOptionsUtils`), not from the top-level
/// `ssl.*` settings. With the JAAS trust store the token is fetched and checked (the broker then
/// refuses it: it trusts only the http server's keys and issuer); without it, or with the trust
/// given only at the top level, exit 2 at the token endpoint, before any broker is asked.
#[test]
fn https_token_endpoint_trusts_the_jaas_trust_store() {
    let https = rig("OAUTH_HTTPS_TOKEN_URL");
    let ca = rig("SSL_CA_PEM");
    let base = std::fs::read_to_string(rig("OAUTH_CONFIG"))
        .unwrap()
        .replace(&rig("OAUTH_TOKEN_URL"), &https);
    assert!(base.contains(&https));
    let d = tempfile::TempDir::new().unwrap();
    let run = |name: &str, text: &str| {
        let p = d.path().join(name);
        std::fs::write(&p, text).unwrap();
        let t = Instant::now();
        let out = collect_cmd(&rig("OAUTH_BOOTSTRAP"), &p)
            .env("KRAFTCHECK_DEBUG", "1")
            .output()
            .unwrap();
        assert!(t.elapsed().as_millis() < 5000 + 2000);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{err}");
        for s in SECRETS {
            assert!(!err.contains(s), "{s} in {err}");
        }
        err
    };
    let jaas_trust = base.replace(
        "scope=\"kafka\";",
        &format!("scope=\"kafka\" ssl.truststore.type=\"PEM\" ssl.truststore.location=\"{ca}\";"),
    );
    let err = run("jaas-trust.properties", &jaas_trust);
    assert!(
        err.lines()
            .any(|l| l.contains(&format!("debug: OAuth token from {https}"))),
        "the token came over https: {err}"
    );
    assert!(err.contains("OAUTHBEARER token rejected"), "{err}");
    let top_level = format!("{base}ssl.truststore.type=PEM\nssl.truststore.location={ca}\n");
    for (name, text) in [
        ("no-trust.properties", base.as_str()),
        ("top-level-trust.properties", top_level.as_str()),
    ] {
        let err = run(name, text);
        assert!(
            err.contains("TLS handshake failed") && !err.contains("debug: connect "),
            "{name}: {err}"
        );
    }
}
