//! Blocking rules shown true on real Kafka (issue 17): each case plants the condition a
//! blocking rule of `inplace` describes in a real node configuration, starts that node with
//! the rig's Kafka 3.9 (`rig/rig.sh try-start`), and asserts that Kafka refuses it with the
//! failure the rule predicts; the same configuration without the plant is not refused that
//! way, and kraftcheck's audit of the planted configuration fails the rule. Rules that cannot
//! be planted this way are cited in docs/blocking-rules.md.
//!
//! Needs only the rig's Kafka classpath (`rig/rig.sh build 39`, done by scripts/test-all): no
//! cluster is started; the nodes fail at start-up or are stopped at the deadline.

mod common;

use assert_cmd::Command;
use common::{rig_sh, try_start};
use std::path::{Path, PathBuf};

struct Case {
    rule: &'static str,
    /// The node's configuration with the plant; `{dir}` is a fresh directory.
    planted: &'static str,
    /// The plant's lines, removed for the control run.
    plant: &'static [&'static str],
    /// Replacements for the control run (the plant undone).
    instead: &'static [&'static str],
    /// Kafka's own words for the refusal.
    refusal: &'static str,
    /// KRaft nodes are formatted first, so that start-up gets past the storage check.
    format: bool,
    /// Other nodes' files the audit sees beside this one (the rule compares with them).
    context: &'static [&'static str],
    /// How long a node may run before it counts as started.
    seconds: u32,
}

/// A ZooKeeper-mode broker in migration mode, wired to a (never started) KRaft quorum; no
/// ZooKeeper listens on 127.0.0.1:1, so an accepted configuration keeps retrying until the
/// deadline.
const ZK_BROKER: &str = "zookeeper.connect=127.0.0.1:1
zookeeper.connection.timeout.ms=3000
listeners=PLAINTEXT://127.0.0.1:19992
log.dirs={dir}/data
zookeeper.metadata.migration.enable=true
controller.quorum.voters=3000@127.0.0.1:19999
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
";

fn cases() -> Vec<Case> {
    vec![
        Case {
            rule: "KRAFT-CFG-001",
            planted: "broker.id.generation.enable=true\ninter.broker.protocol.version=3.9\n",
            plant: &["broker.id.generation.enable=true"],
            instead: &["broker.id=1"],
            refusal: "broker.id generation is incompatible with ZooKeeper migration",
            format: false,
            context: &[],
            seconds: 8,
        },
        Case {
            rule: "KRAFT-VER-004",
            planted: "broker.id=1\ninter.broker.protocol.version=3.3\n",
            plant: &["inter.broker.protocol.version=3.3"],
            instead: &["inter.broker.protocol.version=3.9"],
            refusal: "Cannot enable ZooKeeper migration without setting 'inter.broker.protocol.version' to 3.4 or higher",
            format: false,
            context: &[],
            seconds: 8,
        },
        Case {
            rule: "KRAFT-CFG-014",
            planted: "broker.id=1\ninter.broker.protocol.version=3.6\nlog.dirs={dir}/d1,{dir}/d2\n",
            plant: &["inter.broker.protocol.version=3.6"],
            instead: &["inter.broker.protocol.version=3.9"],
            refusal: "Cannot enable ZooKeeper migration with multiple log directories (aka JBOD) without setting 'inter.broker.protocol.version' to 3.7-IV2 or higher",
            format: false,
            context: &[],
            seconds: 8,
        },
        Case {
            rule: "KRAFT-CFG-004",
            planted: "broker.id=1\ninter.broker.protocol.version=3.9\ncontroller.quorum.voters=\n",
            plant: &["controller.quorum.voters="],
            instead: &["controller.quorum.voters=3000@127.0.0.1:19999"],
            refusal: "either controller.quorum.bootstrap.servers must contain the set of bootstrap controllers or controller.quorum.voters must contain a parseable set of controllers",
            format: false,
            context: &[],
            seconds: 8,
        },
        Case {
            rule: "KRAFT-CFG-003",
            planted: "process.roles=broker
node.id=1
controller.quorum.voters=3000@127.0.0.1:19999
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:19991,CONTROL_PLANE://127.0.0.1:19990
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,CONTROL_PLANE:PLAINTEXT
log.dirs={dir}/data
control.plane.listener.name=CONTROL_PLANE
",
            plant: &["control.plane.listener.name=CONTROL_PLANE"],
            instead: &[],
            refusal: "control.plane.listener.name is not supported in KRaft mode",
            format: false,
            context: &[],
            seconds: 8,
        },
        Case {
            rule: "KRAFT-CFG-006",
            planted: "process.roles=controller
node.id=3000
controller.quorum.voters=3000@127.0.0.1:19995
controller.listener.names=CONTROLLER
listeners=CONTROLLER://127.0.0.1:19995
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={dir}/data
zookeeper.metadata.migration.enable=true
",
            plant: &[],
            instead: &["zookeeper.connect=127.0.0.1:1"],
            refusal: "If using `zookeeper.metadata.migration.enable` in KRaft mode, `zookeeper.connect` must also be set",
            format: false,
            context: &["broker.id=1\nzookeeper.connect=127.0.0.1:1\nzookeeper.metadata.migration.enable=true\n"],
            seconds: 8,
        },
        Case {
            rule: "KRAFT-CFG-008",
            planted: "process.roles=broker
node.id=1
controller.quorum.voters=3000@127.0.0.1:19999
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:19991
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={dir}/data
authorizer.class.name=kafka.security.authorizer.AclAuthorizer
",
            plant: &["authorizer.class.name=kafka.security.authorizer.AclAuthorizer"],
            instead: &["authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer"],
            // AclAuthorizer on a KRaft broker: start-up fails when it opens its ZooKeeper client
            // (there is no zookeeper.connect in a KRaft config).
            refusal: "Fatal error during broker startup",
            format: true,
            context: &[],
            seconds: 40,
        },
    ]
}

fn format_storage(config: &Path) {
    let out = std::process::Command::new(rig_sh())
        .args(["tool", "kraft39", "kafka-storage", "format"])
        .args(["-t", "q1w2e3r4t5y6u7i8o9p0aa", "-c"])
        .arg(config)
        .output()
        .expect("rig/rig.sh runs");
    assert!(
        out.status.success(),
        "kafka-storage format: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write_config(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text.replace("{dir}", &dir.display().to_string())).unwrap();
    p
}

#[test]
fn blocking_rules_are_refusals_of_real_kafka() {
    let mut reproduced = Vec::new();
    for c in cases() {
        let kraft = c.planted.contains("process.roles=");
        let body = if kraft {
            c.planted.to_string()
        } else {
            format!("{ZK_BROKER}{}", c.planted)
        };
        // The plant: Kafka refuses the node with the rule's failure.
        let dir = tempfile::tempdir().unwrap();
        let cfg = write_config(dir.path(), "server.properties", &body);
        if c.format {
            format_storage(&cfg);
        }
        let (refused, out) = try_start(&cfg, c.seconds);
        assert!(
            refused && out.contains(c.refusal),
            "{}: Kafka did not refuse the planted node with '{}':\n{}",
            c.rule,
            c.refusal,
            out.lines()
                .filter(|l| !l.trim_start().starts_with("at "))
                .take(20)
                .collect::<Vec<_>>()
                .join("\n")
        );
        // kraftcheck's audit of the same file fails the rule.
        let mut audit = Command::cargo_bin("kraftcheck").unwrap();
        audit
            .args([
                "audit",
                "--profile",
                "inplace",
                "-f",
                "json",
                "--kafka-version",
                "3.9.2",
            ])
            .arg("--broker-config")
            .arg(&cfg);
        for (i, other) in c.context.iter().enumerate() {
            audit.arg("--broker-config").arg(write_config(
                dir.path(),
                &format!("context{i}.properties"),
                other,
            ));
        }
        let out = audit.output().unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}: {}", c.rule, String::from_utf8_lossy(&out.stderr)));
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule_id"] == c.rule && f["status"] == "fail"),
            "{}: kraftcheck does not fail the planted configuration",
            c.rule
        );
        // The control: without the plant, Kafka does not refuse it that way.
        let dir = tempfile::tempdir().unwrap();
        let mut control: String = body
            .lines()
            .filter(|l| !c.plant.contains(l))
            .map(|l| format!("{l}\n"))
            .collect();
        for l in c.instead {
            control.push_str(l);
            control.push('\n');
        }
        let cfg = write_config(dir.path(), "server.properties", &control);
        if c.format {
            format_storage(&cfg);
        }
        let (_, out) = try_start(&cfg, c.seconds.min(10));
        assert!(
            !out.contains(c.refusal),
            "{}: the control (no plant) fails the same way, so the plant proves nothing",
            c.rule
        );
        reproduced.push(c.rule);
    }
    eprintln!("reproduced on real Kafka 3.9: {}", reproduced.join(", "));
}

/// The other side of KRAFT-CFG-003: a ZooKeeper-mode broker of Kafka 3.9 in migration mode keeps
/// control.plane.listener.name (KAFKA-17788), so there it is a plan step (KRAFT-CFG-003b), not a
/// blocker. Its configuration passes Kafka's validation; it only waits for ZooKeeper (none runs).
#[test]
fn a_zookeeper_broker_in_migration_mode_on_3_9_keeps_control_plane_listener_name() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{}broker.id=1\ninter.broker.protocol.version=3.9\ncontrol.plane.listener.name=CONTROL_PLANE\n",
        ZK_BROKER
            .replace(
                "listeners=PLAINTEXT://127.0.0.1:19992",
                "listeners=PLAINTEXT://127.0.0.1:19992,CONTROL_PLANE://127.0.0.1:19989"
            )
            .replace(
                "CONTROLLER:PLAINTEXT\n",
                "CONTROLLER:PLAINTEXT,CONTROL_PLANE:PLAINTEXT\n"
            )
    );
    let cfg = write_config(dir.path(), "server.properties", &body);
    let (_, out) = try_start(&cfg, 8);
    assert!(
        !out.contains("requirement failed") && !out.contains("ConfigException"),
        "the 3.9 broker refused the configuration:\n{out}"
    );
    assert!(
        out.contains("ZooKeeper"),
        "the broker did not get as far as ZooKeeper:\n{out}"
    );
}
