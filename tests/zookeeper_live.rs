//! ZooKeeper itself, with the states only ZooKeeper shows planted the way they arise (issue 12).
//!
//! A real ZooKeeper-mode Kafka 3.9 broker runs in its own chroot of the zk39 rig's ZooKeeper, on
//! inter.broker.protocol.version 2.7 (a cluster whose IBP was never raised past 2.7 has topics
//! without topic ids: the controller adds ids only from IBP 2.8). Then, with the broker's own
//! controller running, the test does what old tools and half-finished operations leave behind:
//! a topic znode written straight into ZooKeeper with its replica on a broker id that never
//! registers (as `kafka-topics --zookeeper --replica-assignment` did: no partition state can be
//! made for it), a deletion queued under /admin/delete_topics that cannot finish, a legacy
//! reassignment through /admin/reassign_partitions that cannot complete, and /migration with no
//! data (what `zookeeper-security-migration.sh` without `--enable.path.check` leaves), then with
//! an earlier attempt's state. kraftcheck's audit must report each, naming the znode; the
//! clean zk39 cluster raises none of them (tests/live.rs).
//!
//! Read-only from ZooKeeper's side: the ensemble's audit log (`audit.enable=true` in the rig)
//! records every write with its session; kraftcheck names its session under KRAFTCHECK_DEBUG,
//! and no audit line carries it, while the test's own writes are there (the check can fail).

mod common;

use common::{rig_sh, try_start};
use serde_json::Value;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROOT: &str = "/kraftcheck-planted";
const PORT: u16 = 19985;
const CONTROLLER_PORT: u16 = 19986;

fn rig(key: &str) -> String {
    let var = format!("KRAFTCHECK_RIG_ZK39_{key}");
    std::env::var(&var).unwrap_or_else(|_| {
        panic!("{var} is not set: the ZooKeeper tests need the rig; run scripts/test-all, or `rig/rig.sh up zk39 && eval \"$(rig/rig.sh env)\"`")
    })
}

/// A Kafka CLI tool of the rig's Kafka 3.9 (no rig's address added).
fn tool(args: &[&str]) -> std::process::Output {
    Command::new(rig_sh())
        .args(["tool", "39"])
        .args(args)
        .output()
        .expect("rig/rig.sh runs")
}

fn zk_shell(args: &[&str]) -> std::process::Output {
    let server = rig("ZK_CONNECT");
    tool(&[&["zookeeper-shell", "-server", server.as_str()], args].concat())
}

fn zk_shell_ok(args: &[&str]) {
    let out = zk_shell(args);
    assert!(
        out.status.success(),
        "zookeeper-shell {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A node of the planted cluster: `rig/rig.sh try-start` in its own process group, stopped
/// when dropped: SIGTERM (a controlled shutdown) to the group and to the JVM itself, found by
/// its configuration file (`timeout` in try-start puts the JVM in a process group of its own).
struct Broker {
    child: Child,
    _dir: tempfile::TempDir,
    config: PathBuf,
}

impl Broker {
    /// The planted cluster's broker.
    fn start() -> Broker {
        let body = format!(
            "broker.id=1
listeners=PLAINTEXT://127.0.0.1:{PORT}
zookeeper.connect={}{CHROOT}
inter.broker.protocol.version=2.7
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
auto.create.topics.enable=false
delete.topic.enable=true
",
            rig("ZK_CONNECT")
        );
        let bootstrap = format!("127.0.0.1:{PORT}");
        Broker::run(
            &body,
            None,
            PORT,
            &["kafka-topics", "--bootstrap-server", &bootstrap, "--list"],
        )
    }

    /// A KRaft controller for the planted cluster in migration mode, formatted with `cluster_id`.
    fn controller(cluster_id: &str) -> Broker {
        let body = format!(
            "process.roles=controller
node.id=3000
listeners=CONTROLLER://127.0.0.1:{CONTROLLER_PORT}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT
controller.quorum.voters=3000@127.0.0.1:{CONTROLLER_PORT}
zookeeper.metadata.migration.enable=true
zookeeper.connect={}{CHROOT}
",
            rig("ZK_CONNECT")
        );
        let bootstrap = format!("127.0.0.1:{CONTROLLER_PORT}");
        Broker::run(
            &body,
            Some(cluster_id),
            CONTROLLER_PORT,
            &[
                "kafka-metadata-quorum",
                "--bootstrap-controller",
                &bootstrap,
                "describe",
                "--status",
            ],
        )
    }

    /// Start a node with `body` (plus its own log.dirs), formatted first when a cluster id is
    /// given; `ready` is a CLI command that succeeds once it answers.
    fn run(body: &str, format: Option<&str>, port: u16, ready: &[&str]) -> Broker {
        Broker::run_with(body, format, port, ready, &[])
    }

    /// [`Broker::run`] with environment variables for rig.sh (`KRAFTCHECK_RIG_JVM_OPTS`).
    fn run_with(
        body: &str,
        format: Option<&str>,
        port: u16,
        ready: &[&str],
        env: &[(&str, String)],
    ) -> Broker {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("server.properties");
        std::fs::write(
            &cfg,
            format!("{body}log.dirs={}/data\n", dir.path().display()),
        )
        .unwrap();
        if let Some(id) = format {
            let out = tool(&[
                "kafka-storage",
                "format",
                "-t",
                id,
                "-c",
                cfg.to_str().unwrap(),
            ]);
            assert!(
                out.status.success(),
                "kafka-storage format: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let log = std::fs::File::create(dir.path().join("node.out")).unwrap();
        let child = Command::new(rig_sh())
            .envs(env.iter().map(|(k, v)| (k, v)))
            .args(["try-start", "39"])
            .arg(&cfg)
            .arg("900")
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .process_group(0)
            .spawn()
            .expect("rig/rig.sh try-start");
        let mut b = Broker {
            child,
            _dir: dir,
            config: cfg.clone(),
        };
        // try-start logs only warnings: wait for the listener, then for the node to answer.
        let t0 = Instant::now();
        loop {
            if let Ok(Some(status)) = b.child.try_wait() {
                panic!(
                    "the planted node stopped ({status}):\n{}",
                    std::fs::read_to_string(b._dir.path().join("node.out")).unwrap_or_default()
                );
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
                && tool(ready).status.success()
            {
                break;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(120),
                "the planted node did not answer in 120 s"
            );
            std::thread::sleep(Duration::from_millis(500));
        }
        b
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let jvm = format!("kafka.Kafka {}", self.config.display());
        let signal = |sig: &str| {
            let _ = Command::new("kill").args([sig, "--", &group]).status();
            let _ = Command::new("pkill").args([sig, "-f", &jvm]).status();
        };
        let running = || {
            Command::new("pgrep")
                .args(["-f", &jvm])
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        };
        signal("-TERM");
        for _ in 0..150 {
            if !running() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        if running() {
            signal("-KILL");
        }
        let _ = self.child.wait();
    }
}

/// `kraftcheck audit` of the planted cluster with its ZooKeeper; (report, kraftcheck's
/// ZooKeeper session id from its debug line).
fn audit(extra: &[&str]) -> (Value, String) {
    let zk = format!("{}{CHROOT}", rig("ZK_CONNECT"));
    let out = assert_cmd::Command::cargo_bin("kraftcheck")
        .unwrap()
        .env("KRAFTCHECK_DEBUG", "1")
        .args([
            "audit",
            "--format",
            "json",
            "--profile",
            "inplace",
            "--bootstrap-server",
            &format!("127.0.0.1:{PORT}"),
            "--zookeeper",
            &zk,
        ])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(2), "audit could not run: {stderr}");
    let session = stderr
        .lines()
        .find_map(|l| {
            l.split("zookeeper: session ")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
        })
        .unwrap_or_else(|| panic!("no ZooKeeper session in the debug output: {stderr}"))
        .to_string();
    (serde_json::from_slice(&out.stdout).unwrap(), session)
}

fn failing<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule && f["status"] == "fail")
        .collect()
}

fn message(report: &Value, rule: &str) -> String {
    let f = failing(report, rule);
    assert!(
        !f.is_empty(),
        "{rule} does not fail: {}",
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == rule)
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    f.iter()
        .map(|f| f["message"].as_str().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_planted_zookeeper_state_is_found_and_kraftcheck_writes_nothing() {
    let _ = zk_shell(&["deleteall", CHROOT]);
    let broker = Broker::start();
    let bootstrap = format!("127.0.0.1:{PORT}");
    // A topic created the ordinary way: on IBP 2.7 its znode gets no topic id.
    let out = tool(&[
        "kafka-topics",
        "--bootstrap-server",
        &bootstrap,
        "--create",
        "--topic",
        "legacy",
        "--partitions",
        "2",
        "--replication-factor",
        "1",
    ]);
    assert!(
        out.status.success(),
        "kafka-topics: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Topics written straight into ZooKeeper on broker id 7, which never registers: the
    // controller can elect no leader, so no partition state is ever written.
    let assignment =
        r#"{"version":2,"partitions":{"0":[7]},"adding_replicas":{},"removing_replicas":{}}"#;
    zk_shell_ok(&[
        "create",
        &format!("{CHROOT}/brokers/topics/orphan"),
        assignment,
    ]);
    zk_shell_ok(&[
        "create",
        &format!("{CHROOT}/brokers/topics/doomed"),
        assignment,
    ]);
    // Its deletion, queued as `kafka-topics --zookeeper --delete` did: it cannot finish while a
    // replica's broker is away.
    zk_shell_ok(&["create", &format!("{CHROOT}/admin/delete_topics/doomed")]);
    // A reassignment the pre-2.4 way, onto the missing broker: it never completes.
    zk_shell_ok(&[
        "create",
        &format!("{CHROOT}/admin/reassign_partitions"),
        r#"{"version":1,"partitions":[{"topic":"legacy","partition":0,"replicas":[7]}]}"#,
    ]);
    // /migration with no data.
    zk_shell_ok(&["create", &format!("{CHROOT}/migration")]);
    // Give the broker's controller time to act on what it can (it cannot finish any of it).
    std::thread::sleep(Duration::from_secs(3));

    let (report, session1) = audit(&[]);
    let m = message(&report, "ZK-001");
    assert!(m.contains("/migration"), "{m}");
    let m = message(&report, "ZK-002");
    assert!(
        m.contains("legacy") && m.contains("orphan") && !m.contains("doomed"),
        "topics without an id, not the one pending deletion: {m}"
    );
    let m = message(&report, "ZK-003");
    assert!(
        m.contains("orphan-0") && !m.contains("doomed") && !m.contains("legacy-"),
        "{m}"
    );
    let m = message(&report, "ZK-004");
    assert!(m.contains('7') && m.contains("/brokers/ids"), "{m}");
    let m = message(&report, "ZK-005");
    assert!(m.contains("/admin/reassign_partitions"), "{m}");
    let m = message(&report, "HEALTH-005");
    assert!(m.contains("doomed"), "{m}");
    // Kafka 3.9.2 is past every version bug these states meet.
    for rule in ["KRAFT-VER-010", "KRAFT-VER-012", "KRAFT-VER-013"] {
        assert!(failing(&report, rule).is_empty(), "{rule} fails on 3.9.2");
    }

    // An earlier attempt's state in /migration.
    zk_shell_ok(&[
        "set",
        &format!("{CHROOT}/migration"),
        r#"{"version":0,"kraft_metadata_offset":412,"kraft_controller_id":3000,"kraft_metadata_epoch":1,"kraft_controller_epoch":1}"#,
    ]);
    let (report2, session2) = audit(&[]);
    assert!(failing(&report2, "ZK-001").is_empty());
    let m = message(&report2, "ZK-001b");
    assert!(m.contains("earlier attempt"), "{m}");
    let z = {
        let out = assert_cmd::Command::cargo_bin("kraftcheck")
            .unwrap()
            .args([
                "collect",
                "--bootstrap-server",
                &bootstrap,
                "--zookeeper",
                &format!("{}{CHROOT}", rig("ZK_CONNECT")),
            ])
            .output()
            .unwrap();
        let inv: Value = serde_json::from_slice(&out.stdout).unwrap();
        inv["zookeeper"].clone()
    };
    assert_eq!(z["mode"], "standalone", "{z}");
    assert!(z["version"].as_str().unwrap().starts_with("3."), "{z}");
    assert!(z["reads"].as_u64().unwrap() > 10, "{z}");
    assert!(
        failing(&report2, "ZK-007").is_empty(),
        "no controllers given yet"
    );

    // KRaft controllers formatted with another cluster id than /cluster/id (ZK-007).
    let zk_id = z["cluster_id"].as_str().unwrap().to_string();
    let wrong = "Wr0ngC1usterIdAAAAAAAA";
    let controller = Broker::controller(wrong);
    let (report3, session3) = audit(&[
        "--bootstrap-controller",
        &format!("127.0.0.1:{CONTROLLER_PORT}"),
    ]);
    let m = message(&report3, "ZK-007");
    assert!(m.contains(wrong) && m.contains(&zk_id), "{m}");
    drop(controller);
    drop(broker);
    zk_shell_ok(&["deleteall", CHROOT]);

    // ZooKeeper's own record: the test's writes are there, kraftcheck's sessions wrote nothing.
    let audit_log = std::fs::read_to_string(rig("ZK_AUDIT_LOG")).expect("ZooKeeper audit log");
    assert!(
        audit_log.contains("znode=/kraftcheck-planted/admin/reassign_partitions")
            && audit_log.contains("operation=create"),
        "the audit log does not record the test's own writes: is audit.enable on?"
    );
    assert_sessions_wrote_nothing(&audit_log, &[&session1, &session2, &session3]);
}

/// The auth39 rig's variables (its ZooKeeper has a TLS port that requires client certificates).
fn auth_rig(key: &str) -> String {
    let var = format!("KRAFTCHECK_RIG_AUTH39_{key}");
    std::env::var(&var).unwrap_or_else(|_| {
        panic!("{var} is not set: this test needs the auth39 rig; run scripts/test-all, or `rig/rig.sh up auth39 && eval \"$(rig/rig.sh env)\"`")
    })
}

fn collect_zk(connect: &str, tls: Option<&Path>) -> (Option<i32>, Value, String, Duration) {
    let mut cmd = assert_cmd::Command::cargo_bin("kraftcheck").unwrap();
    cmd.args([
        "collect",
        "--timeout-ms",
        "3000",
        "--bootstrap-server",
        &auth_rig("BOOTSTRAP"),
        "--zookeeper",
        connect,
    ]);
    if let Some(f) = tls {
        cmd.arg("--zk-tls-config-file").arg(f);
    }
    let t0 = Instant::now();
    let out = cmd.output().unwrap();
    let took = t0.elapsed();
    let inv = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        inv,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        took,
    )
}

/// `--zk-tls-config-file` with Kafka's zookeeper.ssl.* keys: a JKS trust store and a PKCS12 key
/// store reach ZooKeeper's TLS port (client certificates required) and read what the plain port
/// gives; a missing client certificate, a wrong store password and TLS to the plain port end
/// with exit 2 within the timeout and one message, never the password.
#[test]
fn zookeeper_over_tls_reads_what_the_plain_port_gives() {
    let stores = PathBuf::from(auth_rig("STORES_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, lines: &[String]| {
        let p = dir.path().join(name);
        std::fs::write(&p, lines.join("\n")).unwrap();
        p
    };
    let base = vec![
        "zookeeper.ssl.client.enable=true".to_string(),
        "zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty".to_string(),
        format!(
            "zookeeper.ssl.truststore.location={}",
            stores.join("truststore.jks").display()
        ),
        "zookeeper.ssl.truststore.password=Store-Pass-4q".to_string(),
    ];
    let with_key = [
        base.clone(),
        vec![
            format!(
                "zookeeper.ssl.keystore.location={}",
                stores.join("client.p12").display()
            ),
            "zookeeper.ssl.keystore.type=PKCS12".to_string(),
            "zookeeper.ssl.keystore.password=Store-Pass-4q".to_string(),
        ],
    ]
    .concat();
    let tls = write("zk-tls.properties", &with_key);
    let (code, plain, err, _) = collect_zk(&auth_rig("ZK_CONNECT"), None);
    assert_eq!(code, Some(0), "{err}");
    let (code, secure, err, _) = collect_zk(&auth_rig("ZK_TLS_CONNECT"), Some(&tls));
    assert_eq!(code, Some(0), "{err}");
    for k in [
        "cluster_id",
        "topic_count",
        "partition_count",
        "brokers",
        "acl_resources",
        "znode_acls",
        "config_entities",
        "reads",
    ] {
        assert_eq!(plain["zookeeper"][k], secure["zookeeper"][k], "{k}");
    }
    assert!(secure["zookeeper"]["topic_count"].as_u64().unwrap() > 0);

    let bound = Duration::from_millis(3000 + 2000);
    let no_key = write("zk-tls-nokey.properties", &base);
    let (code, _, err, took) = collect_zk(&auth_rig("ZK_TLS_CONNECT"), Some(&no_key));
    assert_eq!(code, Some(2), "{err}");
    assert!(took < bound, "{took:?}");
    assert!(err.contains("(TLS") && err.lines().count() == 1, "{err}");

    let secret = "Nope-Secret-913";
    let bad = write(
        "zk-tls-badpw.properties",
        &with_key
            .iter()
            .map(|l| {
                if l.starts_with("zookeeper.ssl.truststore.password") {
                    format!("zookeeper.ssl.truststore.password={secret}")
                } else {
                    l.clone()
                }
            })
            .collect::<Vec<_>>(),
    );
    let (code, _, err, took) = collect_zk(&auth_rig("ZK_TLS_CONNECT"), Some(&bad));
    assert_eq!(code, Some(2), "{err}");
    assert!(took < bound, "{took:?}");
    assert!(
        err.contains("zookeeper.ssl.truststore.password is wrong") && !err.contains(secret),
        "{err}"
    );

    let (code, _, err, took) = collect_zk(&auth_rig("ZK_CONNECT"), Some(&tls));
    assert_eq!(code, Some(2), "{err}");
    assert!(took < bound, "{took:?}");
}

/// KRAFT-CFG-017 reproduced: a KRaft controller whose first start was without
/// zookeeper.metadata.migration.enable records the migration state NONE; started again with the
/// flag (and a reachable ZooKeeper), Kafka 3.9 refuses it. kraftcheck fails the first
/// configuration beside a ZooKeeper-mode broker's, and not the second.
#[test]
fn a_controller_first_started_without_the_migration_flag_can_never_migrate() {
    const PORT: u16 = 19987;
    let dir = tempfile::tempdir().unwrap();
    let base = format!(
        "process.roles=controller
node.id=3000
listeners=CONTROLLER://127.0.0.1:{PORT}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT
controller.quorum.voters=3000@127.0.0.1:{PORT}
log.dirs={}/data
",
        dir.path().display()
    );
    let flag = format!(
        "zookeeper.metadata.migration.enable=true\nzookeeper.connect={}/kraftcheck-none\n",
        rig("ZK_CONNECT")
    );
    let cfg = dir.path().join("controller.properties");
    std::fs::write(&cfg, &base).unwrap();
    let out = tool(&[
        "kafka-storage",
        "format",
        "-t",
        "N0neStateC1usterIdAAAA",
        "-c",
        cfg.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "kafka-storage format: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // First start without the flag: a de-novo KRaft quorum (runs until stopped).
    let (refused, out) = try_start(&cfg, 25);
    assert!(!refused, "the controller did not start:\n{out}");
    // Again with the flag: refused for good.
    std::fs::write(&cfg, format!("{base}{flag}")).unwrap();
    let (refused, out) = try_start(&cfg, 60);
    let _ = zk_shell(&["deleteall", "/kraftcheck-none"]);
    assert!(
        refused
            && out.contains(
                "Should not have ZK migrations enabled on a cluster that was created in KRaft mode"
            ),
        "Kafka did not refuse the controller:\n{}",
        out.lines()
            .filter(|l| !l.trim_start().starts_with("at "))
            .take(30)
            .collect::<Vec<_>>()
            .join("\n")
    );
    // kraftcheck, beside a ZooKeeper-mode broker's configuration.
    let broker = dir.path().join("broker.properties");
    std::fs::write(
        &broker,
        format!(
            "broker.id=1\nzookeeper.connect={}/kraftcheck-none\nlisteners=PLAINTEXT://127.0.0.1:9092\n",
            rig("ZK_CONNECT")
        ),
    )
    .unwrap();
    let audit = |controller: &str| -> bool {
        std::fs::write(&cfg, controller).unwrap();
        let out = assert_cmd::Command::cargo_bin("kraftcheck")
            .unwrap()
            .args([
                "audit",
                "--profile",
                "inplace",
                "-f",
                "json",
                "--kafka-version",
                "3.9.2",
                "--broker-config",
            ])
            .arg(&broker)
            .arg("--broker-config")
            .arg(&cfg)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        !failing(&report, "KRAFT-CFG-017").is_empty()
    };
    assert!(audit(&base), "KRAFT-CFG-017 does not fail without the flag");
    assert!(
        !audit(&format!("{base}{flag}")),
        "KRAFT-CFG-017 fails with the flag set"
    );
}

/// `--zk-jaas-config`: DIGEST-MD5 from a JAAS file's `Client` section, as Kafka reads it. A
/// znode that only the SASL user may read (ACL `sasl:<user>:cdrwa`, set by zookeeper-shell
/// logged in with the same JAAS file) is read with the login and is an unauthorized gap
/// without it; a wrong password exits 2 within the timeout, without the password.
#[test]
fn zookeeper_sasl_digest_reads_what_only_its_user_may_read() {
    let dir = tempfile::tempdir().unwrap();
    let user = auth_rig("ZK_SASL_USER");
    let password = auth_rig("ZK_SASL_PASSWORD");
    let jaas = |pw: &str| {
        let p = dir.path().join(format!("client-{}.jaas", pw.len()));
        std::fs::write(
            &p,
            format!(
                "Client {{\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  username=\"{user}\"\n  password=\"{pw}\";\n}};\n"
            ),
        )
        .unwrap();
        p
    };
    let good = jaas(&password);
    let root = "/kraftcheck-sasl";
    let shell = |args: &[&str]| {
        let out = Command::new(rig_sh())
            .env(
                "KRAFTCHECK_RIG_JVM_OPTS",
                format!(
                    "-XX:+UseSerialGC -Djava.security.auth.login.config={}",
                    good.display()
                ),
            )
            .args(["tool", "39", "zookeeper-shell", "-server"])
            .arg(auth_rig("ZK_CONNECT"))
            .args(args)
            .output()
            .expect("rig/rig.sh runs");
        assert!(
            out.status.success(),
            "zookeeper-shell {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let _ = Command::new(rig_sh())
        .env(
            "KRAFTCHECK_RIG_JVM_OPTS",
            format!("-Djava.security.auth.login.config={}", good.display()),
        )
        .args(["tool", "39", "zookeeper-shell", "-server"])
        .arg(auth_rig("ZK_CONNECT"))
        .args(["deleteall", root])
        .output();
    shell(&["create", root]);
    shell(&["create", &format!("{root}/cluster")]);
    shell(&[
        "create",
        &format!("{root}/cluster/id"),
        r#"{"version":"1","id":"SaslOnlyClusterIdAAAAA"}"#,
    ]);
    shell(&[
        "setAcl",
        &format!("{root}/cluster/id"),
        &format!("sasl:{user}:cdrwa"),
    ]);
    // Kafka's own paths restricted the way zookeeper.set.acl does it (ZK-008's plan step).
    shell(&[
        "setAcl",
        &format!("{root}/cluster"),
        &format!("sasl:{user}:cdrwa,world:anyone:r"),
    ]);
    let collect = |jaas: Option<&Path>| {
        let mut cmd = assert_cmd::Command::cargo_bin("kraftcheck").unwrap();
        cmd.args([
            "collect",
            "--timeout-ms",
            "3000",
            "--bootstrap-server",
            &auth_rig("BOOTSTRAP"),
            "--zookeeper",
            &format!("{}{root}", auth_rig("ZK_CONNECT")),
        ]);
        if let Some(j) = jaas {
            cmd.arg("--zk-jaas-config").arg(j);
        }
        let t0 = Instant::now();
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            serde_json::from_slice::<Value>(&out.stdout).unwrap_or(Value::Null),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            t0.elapsed(),
        )
    };
    let (code, inv, err, _) = collect(Some(&good));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        inv["zookeeper"]["cluster_id"], "SaslOnlyClusterIdAAAAA",
        "{}",
        inv["gaps"]
    );
    let out = assert_cmd::Command::cargo_bin("kraftcheck")
        .unwrap()
        .args([
            "audit",
            "-f",
            "json",
            "--profile",
            "inplace",
            "--timeout-ms",
            "3000",
            "--bootstrap-server",
            &auth_rig("BOOTSTRAP"),
            "--zookeeper",
            &format!("{}{root}", auth_rig("ZK_CONNECT")),
            "--zk-jaas-config",
        ])
        .arg(&good)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let m = message(&report, "ZK-008");
    assert!(m.contains(&format!("sasl:{user}:cdrwa")), "{m}");
    let (code, inv, err, _) = collect(None);
    assert_eq!(code, Some(0), "{err}");
    assert!(inv["zookeeper"]["cluster_id"].is_null());
    assert_unauthorized_gap(&inv, "/cluster/id");
    let secret = "Wrong-Digest-77";
    let (code, _, err, took) = collect(Some(&jaas(secret)));
    shell(&["deleteall", root]);
    assert_eq!(code, Some(2), "{err}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert!(!err.contains(secret) && !err.contains(&password), "{err}");
}

/// The Kerberos ZooKeeper rig (rig/zkkrb.sh: ZooKeeper 3.8 requiring a SASL login, server
/// principal zookeeper/localhost, the rig's MIT KDC). Started here when it is not up (a few
/// seconds) and then stopped when the test ends; one Kerberos test at a time uses it.
struct KrbZk {
    started: bool,
    env: std::collections::HashMap<String, String>,
    _lock: std::sync::MutexGuard<'static, ()>,
}

static KRB_ZK: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn zkkrb_sh() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rig/zkkrb.sh")
}

impl KrbZk {
    fn up() -> KrbZk {
        let lock = KRB_ZK.lock().unwrap_or_else(|e| e.into_inner());
        let env = || Command::new(zkkrb_sh()).arg("env").output().unwrap();
        let mut out = env();
        let started = !out.status.success();
        if started {
            let up = Command::new(zkkrb_sh()).arg("up").output().unwrap();
            assert!(
                up.status.success(),
                "rig/zkkrb.sh up: {}",
                String::from_utf8_lossy(&up.stderr)
            );
            out = env();
        }
        let env = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("export KRAFTCHECK_RIG_ZKKRB_"))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        KrbZk {
            started,
            env,
            _lock: lock,
        }
    }

    fn get(&self, key: &str) -> String {
        self.env
            .get(key)
            .cloned()
            .unwrap_or_else(|| panic!("rig/zkkrb.sh env has no {key}"))
    }

    /// zookeeper-shell logged in as kafka@KRAFTCHECK.RIG.
    fn shell(&self, args: &[&str]) -> String {
        let out = Command::new(zkkrb_sh())
            .arg("shell")
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "zookeeper-shell {args:?}: {text}");
        text
    }

    /// A JAAS file with a Krb5LoginModule `Client` section (`options` after `required`).
    fn jaas(&self, dir: &Path, name: &str, options: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(
            &p,
            format!("Client {{\n  com.sun.security.auth.module.Krb5LoginModule required\n  {options};\n}};\n"),
        )
        .unwrap();
        p
    }

    /// `kraftcheck collect` of a server.properties plus this ZooKeeper under `root`:
    /// (exit code, inventory, stderr, time taken).
    fn collect(&self, root: &str, extra: &[&str]) -> (Option<i32>, Value, String, Duration) {
        let dir = tempfile::tempdir().unwrap();
        let props = dir.path().join("server.properties");
        std::fs::write(
            &props,
            format!(
                "broker.id=1\nzookeeper.connect={}{root}\nzookeeper.set.acl=true\nlisteners=PLAINTEXT://:9092\n",
                self.get("CONNECT")
            ),
        )
        .unwrap();
        let t0 = Instant::now();
        let out = assert_cmd::Command::cargo_bin("kraftcheck")
            .unwrap()
            .env("KRB5_CONFIG", self.get("KRB5_CONFIG"))
            .env("KRAFTCHECK_DEBUG", "1")
            .env_remove("KRB5CCNAME")
            .args(["collect", "--timeout-ms", "5000", "--broker-config"])
            .arg(&props)
            .args(["--zookeeper", &format!("{}{root}", self.get("CONNECT"))])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            serde_json::from_slice::<Value>(&out.stdout).unwrap_or(Value::Null),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            t0.elapsed(),
        )
    }
}

impl Drop for KrbZk {
    fn drop(&mut self) {
        if self.started {
            let _ = Command::new(zkkrb_sh()).arg("down").output();
        }
    }
}

/// The session id kraftcheck names under KRAFTCHECK_DEBUG.
fn debug_session(err: &str) -> String {
    err.lines()
        .find_map(|l| l.split("zookeeper: session ").nth(1))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no session named in: {err}"))
        .to_string()
}

/// Kerberos to ZooKeeper (issue 12): a znode ACL'd to `sasl:kafka` is read when kraftcheck logs
/// in as kafka@REALM from a keytab or from a ticket cache `kinit` filled; another principal
/// that logs in gets an unauthorized gap for it (the ACL decides, not the login alone); without
/// a login the ensemble (SASL required) refuses the session; a keytab without the principal's
/// key and an unknown server principal exit 2 within the timeout, with one message naming the
/// file, and no key material. kraftcheck's sessions write nothing (the ensemble's audit log).
#[test]
fn zookeeper_kerberos_reads_what_only_its_principal_may_read() {
    let zk = KrbZk::up();
    let dir = tempfile::tempdir().unwrap();
    let root = "/kraftcheck-krb";
    let _ = Command::new(zkkrb_sh())
        .args(["shell", "deleteall", root])
        .output();
    zk.shell(&["create", root]);
    zk.shell(&["create", &format!("{root}/cluster")]);
    zk.shell(&[
        "create",
        &format!("{root}/cluster/id"),
        r#"{"version":"1","id":"KrbOnlyClusterIdAAAAAA"}"#,
        "sasl:kafka:cdrwa",
    ]);
    assert!(zk
        .shell(&["getAcl", &format!("{root}/cluster/id")])
        .contains("'sasl,'kafka"));
    let keytab = zk.get("KAFKA_KEYTAB");
    let principal = zk.get("KAFKA_PRINCIPAL");
    let kdc_dir = Path::new(&zk.get("KRB5_CONFIG"))
        .parent()
        .unwrap()
        .to_path_buf();
    let mut sessions = Vec::new();

    // The keytab login: the znode is read.
    let good = zk.jaas(
        dir.path(),
        "keytab.jaas",
        &format!("useKeyTab=true storeKey=true keyTab=\"{keytab}\" principal=\"{principal}\""),
    );
    let (code, inv, err, _) = zk.collect(root, &["--zk-jaas-config", good.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        inv["zookeeper"]["cluster_id"], "KrbOnlyClusterIdAAAAAA",
        "{}",
        inv["gaps"]
    );
    // Kafka's root znodes here are open to everyone: any controller identity has every right
    // the migration needs (ZK-009 can pass without --zk-controller-jaas).
    assert_eq!(
        inv["zookeeper"]["controller_missing_rights"],
        serde_json::json!([]),
        "{}",
        inv["zookeeper"]["znode_acls"]
    );
    sessions.push(debug_session(&err));

    // A ticket cache filled by kinit (useTicketCache=true ticketCache=…).
    let cache = dir.path().join("krb5cc");
    let kinit = Command::new("kinit")
        .env("KRB5_CONFIG", zk.get("KRB5_CONFIG"))
        .args(["-k", "-t", &keytab, "-c"])
        .arg(format!("FILE:{}", cache.display()))
        .arg(&principal)
        .output()
        .unwrap();
    assert!(
        kinit.status.success(),
        "kinit: {}",
        String::from_utf8_lossy(&kinit.stderr)
    );
    let cached = zk.jaas(
        dir.path(),
        "cache.jaas",
        &format!("useTicketCache=true ticketCache=\"{}\"", cache.display()),
    );
    let (code, inv, err, _) = zk.collect(root, &["--zk-jaas-config", cached.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(inv["zookeeper"]["cluster_id"], "KrbOnlyClusterIdAAAAAA");
    sessions.push(debug_session(&err));

    // Another principal logs in, but the ACL is not its: an unauthorized gap, never a value.
    let other = zk.jaas(
        dir.path(),
        "other.jaas",
        &format!(
            "useKeyTab=true keyTab=\"{}\" principal=\"kraftcheck@KRAFTCHECK.RIG\"",
            kdc_dir.join("client.keytab").display()
        ),
    );
    let (code, inv, err, _) = zk.collect(root, &["--zk-jaas-config", other.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(inv["zookeeper"]["cluster_id"].is_null());
    assert_unauthorized_gap(&inv, "/cluster/id");
    sessions.push(debug_session(&err));

    // No login: SASL is required by the ensemble.
    let (code, _, err, took) = zk.collect(root, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("authentication failed") && err.contains("--zk-jaas-config"),
        "{err}"
    );
    assert!(took < Duration::from_secs(7), "{took:?}");

    // A keytab without the principal's key (another principal's keytab).
    let intruder = kdc_dir.join("intruder.keytab");
    let wrong = zk.jaas(
        dir.path(),
        "wrong.jaas",
        &format!(
            "useKeyTab=true keyTab=\"{}\" principal=\"{principal}\"",
            intruder.display()
        ),
    );
    let (code, _, err, took) = zk.collect(root, &["--zk-jaas-config", wrong.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].contains("--zk-jaas-config") && lines[0].contains("keytab holds no key"),
        "{err}"
    );
    assert!(took < Duration::from_secs(7), "{took:?}");
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    for kt in [
        std::fs::read(&keytab).unwrap(),
        std::fs::read(&intruder).unwrap(),
    ] {
        let hex: String = kt.iter().map(|b| format!("{b:02x}")).collect();
        assert!(!err.contains(&b64.encode(&kt)), "keytab leaked");
        assert!(
            !err.contains(&b64.encode(&kt[kt.len() - 32..])),
            "key leaked"
        );
        assert!(!err.contains(&hex[hex.len() - 64..]), "key leaked");
    }

    // An unknown server principal (zookeeper.sasl.client.username).
    let (code, _, err, _) = zk.collect(
        root,
        &[
            "--zk-jaas-config",
            good.to_str().unwrap(),
            "--zk-sasl-client-username",
            "zk",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("zk/localhost") && err.contains("--zk-sasl-client-username"),
        "{err}"
    );

    let _ = Command::new(zkkrb_sh())
        .args(["shell", "deleteall", root])
        .output();
    let audit_log = std::fs::read_to_string(zk.get("AUDIT_LOG")).expect("ZooKeeper audit log");
    assert!(
        audit_log.contains(&format!("znode={root}/cluster/id")),
        "the audit log does not record the test's own writes"
    );
    let sessions: Vec<&str> = sessions.iter().map(String::as_str).collect();
    assert_sessions_wrote_nothing(&audit_log, &sessions);
}

/// The controllers' ZooKeeper identity against the znode ACLs (ZK-009): a real ZooKeeper-mode
/// Kafka 3.9 broker with zookeeper.set.acl=true, logged in to the Kerberos ZooKeeper as
/// kafka@KRAFTCHECK.RIG, creates Kafka's znodes ACL'd to `sasl:kafka` (read for everyone on the
/// non-sensitive ones). Controllers planned with another principal (the JAAS file of
/// kraftcheck@) fail ZK-009 naming the znode and the missing rights; with the brokers' JAAS
/// file it passes; without --zk-controller-jaas it is unknown.
#[test]
fn controller_identity_without_rights_on_set_acl_znodes_is_blocking() {
    const BROKER_PORT: u16 = 18791;
    let zk = KrbZk::up();
    let dir = tempfile::tempdir().unwrap();
    let root = format!("/kraftcheck-setacl-{}", std::process::id());
    let connect = format!("{}{root}", zk.get("CONNECT"));
    let brokers_jaas = zk.get("CLIENT_JAAS");
    let body = format!(
        "broker.id=1
listeners=PLAINTEXT://127.0.0.1:{BROKER_PORT}
zookeeper.connect={connect}
zookeeper.set.acl=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
"
    );
    let bootstrap = format!("127.0.0.1:{BROKER_PORT}");
    let broker = Broker::run_with(
        &body,
        None,
        BROKER_PORT,
        &["kafka-topics", "--bootstrap-server", &bootstrap, "--list"],
        &[(
            "KRAFTCHECK_RIG_JVM_OPTS",
            format!(
                "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true -Djava.security.auth.login.config={brokers_jaas} -Djava.security.krb5.conf={}",
                zk.get("KRB5_CONFIG")
            ),
        )],
    );
    // What zookeeper.set.acl made (read with zookeeper-shell as kafka@).
    let acl = zk.shell(&["getAcl", &format!("{root}/brokers/topics")]);
    assert!(
        acl.contains("'sasl,'kafka") && acl.contains("'world,'anyone"),
        "{acl}"
    );
    let kdc_dir = Path::new(&zk.get("KRB5_CONFIG"))
        .parent()
        .unwrap()
        .to_path_buf();
    let other = zk.jaas(
        dir.path(),
        "controller.jaas",
        &format!(
            "useKeyTab=true keyTab=\"{}\" principal=\"kraftcheck@KRAFTCHECK.RIG\"",
            kdc_dir.join("client.keytab").display()
        ),
    );
    let audit = |controller: Option<&Path>| -> Value {
        let mut cmd = assert_cmd::Command::cargo_bin("kraftcheck").unwrap();
        cmd.env("KRB5_CONFIG", zk.get("KRB5_CONFIG")).args([
            "audit",
            "-f",
            "json",
            "--profile",
            "inplace",
            "--timeout-ms",
            "5000",
            "--bootstrap-server",
            &bootstrap,
            "--zookeeper",
            &connect,
            "--zk-jaas-config",
            &brokers_jaas,
        ]);
        if let Some(c) = controller {
            cmd.arg("--zk-controller-jaas").arg(c);
        }
        let out = cmd.output().unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("no report: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let status = |report: &Value| -> String {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == "ZK-009")
            .map(|f| f["status"].as_str().unwrap_or_default().to_string())
            .unwrap_or_default()
    };
    let lacking = audit(Some(&other));
    let m = message(&lacking, "ZK-009");
    assert!(
        m.contains("sasl:kraftcheck")
            && m.contains("/brokers/topics needs cdw")
            && m.contains("/config needs cdw"),
        "{m}"
    );
    let same = audit(Some(Path::new(&brokers_jaas)));
    assert_eq!(status(&same), "pass", "{}", message(&same, "ZK-009"));
    let none = audit(None);
    assert_eq!(status(&none), "unknown");
    drop(broker);
    let _ = Command::new(zkkrb_sh())
        .args(["shell", "deleteall", &root])
        .output();
}

/// A `zookeeper` gap for `znode` with reason `unauthorized` (a read the ACL refused).
fn assert_unauthorized_gap(inv: &Value, znode: &str) {
    assert!(
        inv["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["part"] == "zookeeper"
                && g["reason"] == "unauthorized"
                && g["resource"] == format!("znode:{znode}")),
        "{}",
        inv["gaps"]
    );
}

/// No line of ZooKeeper's audit log (which records every write with its session) names one of
/// kraftcheck's sessions.
fn assert_sessions_wrote_nothing(audit_log: &str, sessions: &[&str]) {
    for s in sessions {
        let writes: Vec<&str> = audit_log
            .lines()
            .filter(|l| {
                l.contains(&format!("session={s}\t")) || l.ends_with(&format!("session={s}"))
            })
            .collect();
        assert!(
            writes.is_empty(),
            "kraftcheck's ZooKeeper session {s} wrote: {writes:?}"
        );
    }
}
