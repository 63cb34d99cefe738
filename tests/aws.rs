//! Amazon MSK and IAM: the real AWS SDK clients against moto in server mode (started here
//! through scripts/moto-server.py, which fixes moto's zone-less MSK timestamps and serves
//! recorded answers, checked against botocore's model, for the MSK calls moto lacks), the AWS
//! CLI's JSON for the offline path, AccessDenied on demand, and the request log that proves
//! kraftcheck calls only read operations.
//!
//! Needs the Python venv that scripts/test-all creates (target/aws-venv with moto[server] and
//! awscli), or KRAFTCHECK_AWS_VENV pointing at one.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod common;

/// The one moto server of this test binary, and the seeded names it reported.
struct Moto {
    server: common::moto::Moto,
    port: u16,
    clusters: BTreeMap<String, String>,
    /// Seeded Secrets Manager secrets: name → ARN.
    secrets: BTreeMap<String, String>,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn venv() -> PathBuf {
    common::moto::venv()
}

fn moto() -> &'static Moto {
    static M: OnceLock<Moto> = OnceLock::new();
    M.get_or_init(|| {
        let dir = tempfile::TempDir::new().unwrap();
        let server = common::moto::Moto::start_seeded(dir.path(), &[]);
        let map = |key: &str| -> BTreeMap<String, String> {
            server.ready[key]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect()
        };
        let (clusters, secrets) = (map("clusters"), map("secrets"));
        Moto {
            port: server.port,
            log: server.log.clone(),
            clusters,
            secrets,
            server,
            _dir: dir,
        }
    })
}

fn aws_env(cmd: &mut std::process::Command, key: &str) {
    moto().server.env(cmd, key);
}

fn kc(key: &str) -> Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_kraftcheck"));
    aws_env(&mut c, key);
    Command::from_std(c)
}

fn run_json(cmd: &mut Command) -> (i32, Value) {
    let out = cmd.output().unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code != 2,
        "kraftcheck could not run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

fn arn(name: &str) -> String {
    moto().clusters[name].clone()
}

fn secret(name: &str) -> String {
    moto().secrets[name].clone()
}

/// The seeded secrets' values: never fetched, so never in any output.
const SECRET_VALUES: &[&str] = &[
    "never-fetched-orders-app",
    "never-fetched-orders-etl",
    "never-fetched-orders-legacy",
    "never-fetched-payments-svc",
];

/// The operations kraftcheck sent to moto (User-Agent app/kraftcheck), from the request log.
fn sent_by_kraftcheck() -> BTreeSet<String> {
    let log = std::fs::read_to_string(&moto().log).unwrap_or_default();
    log.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["kraftcheck"] == true)
        .map(|e| {
            format!(
                "{}:{}",
                e["service"].as_str().unwrap(),
                e["operation"].as_str().unwrap()
            )
        })
        .collect()
}

/// The in-place checklist line of one prerequisite (a–i) in a JSON report.
fn prerequisite<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["msk"]["inplace"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("no prerequisite {key}"))
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .collect()
}

fn statuses(report: &Value, rule: &str) -> BTreeSet<String> {
    findings(report, rule)
        .iter()
        .map(|f| f["status"].as_str().unwrap().to_string())
        .collect()
}

fn failing_resources(report: &Value, rule: &str) -> BTreeSet<String> {
    findings(report, rule)
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| {
            format!(
                "{}:{}",
                f["resource"]["kind"].as_str().unwrap(),
                f["resource"]["name"].as_str().unwrap()
            )
        })
        .collect()
}

/// What must be equal between two audits of the same cluster: everything but where the data
/// came from.
fn comparable(report: &Value) -> Vec<Value> {
    let mut v: Vec<Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            serde_json::json!({
                "rule": f["rule_id"], "status": f["status"], "resource": f["resource"],
                "message": f["message"], "evidence": f["evidence"], "profiles": f["profiles"],
            })
        })
        .collect();
    v.sort_by_key(|x| x.to_string());
    v
}

#[test]
fn live_collection_reads_moto_and_recorded_answers() {
    let (_, inv) = run_json(kc("testing").args(["collect", "--msk-cluster", "orders"]));
    assert_eq!(inv["cluster"]["kind"], "msk");
    assert_eq!(inv["cluster"]["mode"], "zookeeper");
    assert_eq!(inv["cluster"]["version"], "3.9.x");
    let m = &inv["msk"];
    assert_eq!(m["cluster_arn"], arn("orders").as_str());
    assert_eq!(m["cluster_name"], "orders");
    assert_eq!(
        m["cluster_uuid"].as_str().unwrap(),
        arn("orders").rsplit('/').next().unwrap()
    );
    assert_eq!(m["state"], "ACTIVE");
    assert_eq!(m["client_subnets"].as_array().unwrap().len(), 3);
    assert!(m["client_authentication"]["iam"].as_bool().unwrap());
    assert_eq!(
        m["nodes"].as_array().unwrap().len(),
        3,
        "ListNodes (recorded)"
    );
    assert_eq!(inv["brokers"].as_array().unwrap().len(), 3);
    assert_eq!(m["scram_secrets"].as_array().unwrap().len(), 3);
    // The secrets' metadata (DescribeSecret, DescribeKey), never their values.
    let secrets: BTreeMap<&str, &Value> = m["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s))
        .collect();
    assert_eq!(secrets.len(), 3, "{secrets:?}");
    let app = secrets["AmazonMSK_orders-app"];
    assert_eq!(app["arn"], secret("AmazonMSK_orders-app").as_str());
    assert_eq!(app["key_manager"], "CUSTOMER");
    assert_eq!(app["key_state"], "Enabled");
    // No KmsKeyId: the AWS managed key aws/secretsmanager.
    let etl = secrets["AmazonMSK_orders-etl"];
    assert!(
        etl["kms_key_id"].is_null() && etl["key_manager"] == "AWS",
        "{etl}"
    );
    // A key ARN that DescribeKey says is AWS managed.
    let legacy = secrets["orders-legacy"];
    assert!(legacy["kms_key_id"].as_str().unwrap().contains(":key/"));
    assert_eq!(legacy["key_manager"], "AWS");
    // ZooKeeper access: the newest connectivity operation changed public access only; the one
    // before it turned ZooKeeper access off.
    assert_eq!(m["zookeeper_access"], false);
    assert!(m["zookeeper_access_operation"]
        .as_str()
        .unwrap()
        .ends_with("/1a2b3c4d-0000-1111-2222-333344445555"));
    assert_eq!(m["compatible_versions"], serde_json::json!(["3.9.x.kraft"]));
    assert!(m["bootstrap_brokers"]["sasl_iam"]
        .as_str()
        .unwrap()
        .contains(":9098"));
    assert_eq!(m["operations"].as_array().unwrap().len(), 3);
    assert_eq!(m["client_vpc_connections"].as_array().unwrap().len(), 1);
    assert_eq!(m["replicators"][0]["role"], "source");
    assert_eq!(
        m["cluster_policy"]["statements"][0]["sid"],
        "CrossAccountConsumers"
    );
    // server.properties from DescribeConfigurationRevision, secrets redacted at collection.
    let props = &m["configuration"]["properties"];
    assert_eq!(props["allow.everyone.if.no.acl.found"], "false");
    assert!(props["ssl.keystore.password"].is_null());
    let text = inv.to_string();
    for secret in ["not-in-the-inventory", "kraftcheck-test-secret"]
        .iter()
        .chain(SECRET_VALUES)
    {
        assert!(!text.contains(secret), "{secret} must never be stored");
    }
    // IAM: only Kafka statements of default versions; principals that get them.
    let iam = &inv["iam"];
    assert_eq!(iam["account"], "123456789012");
    let names: BTreeSet<&str> = iam["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains("orders-app") && names.contains("alice") && names.contains("bob"));
    // MSK facts and no Kafka connection: Kafka-side parts are gaps, the MSK parts are not.
    let gaps: BTreeSet<&str> = inv["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["part"].as_str().unwrap())
        .collect();
    assert!(gaps.contains("topics") && gaps.contains("brokers.configs"));
    assert!(
        !gaps.iter().any(|g| g.starts_with("msk") || *g == "iam"),
        "{gaps:?}"
    );
}

#[test]
fn in_place_checklist_and_new_cluster_findings() {
    let (_, r) = run_json(kc("testing").args([
        "audit",
        "--msk-cluster",
        &arn("orders"),
        "--format",
        "json",
    ]));
    let profiles: Vec<&str> = r["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(profiles, ["msk-inplace", "new-cluster", "kafka4"]);
    // orders meets the in-place prerequisites kraftcheck can see, ZooKeeper access off (e) read
    // live from its last connectivity operations …
    for rule in [
        "MSK-003a", "MSK-003b", "MSK-003c", "MSK-003e", "MSK-003g", "MSK-003h", "MSK-002b",
    ] {
        assert_eq!(
            statuses(&r, rule),
            BTreeSet::from(["pass".into()]),
            "{rule}: {:?}",
            findings(&r, rule)
        );
    }
    assert_eq!(prerequisite(&r, "e")["status"], "pass");
    // … but dynamic broker configs need Kafka, and no dependency scan was given for d and f.
    assert_eq!(statuses(&r, "MSK-003i"), BTreeSet::from(["unknown".into()]));
    for key in ["d", "f"] {
        let p = prerequisite(&r, key);
        assert_eq!(p["status"], "manual", "{p}");
        assert!(p["detail"].as_str().unwrap().contains("--scan-deps"), "{p}");
    }
    // SCRAM: orders-legacy lacks the prefix; orders-etl (no KmsKeyId) and orders-legacy (a key
    // DescribeKey reports as AWS managed) cannot be associated with a new cluster.
    let prefix = findings(&r, "MSK-008b");
    assert_eq!(prefix.len(), 1);
    assert_eq!(prefix[0]["status"], "fail");
    assert_eq!(
        prefix[0]["evidence"]["names"],
        serde_json::json!([secret("orders-legacy").rsplit(':').next().unwrap()])
    );
    let key = findings(&r, "MSK-008c");
    assert_eq!(key.len(), 1);
    assert_eq!(key[0]["status"], "fail");
    let named: Vec<&str> = key[0]["evidence"]["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(named.len(), 2, "{named:?}");
    assert!(
        named[0].starts_with("AmazonMSK_orders-etl (aws/secretsmanager)"),
        "{named:?}"
    );
    assert!(
        named[1].starts_with("orders-legacy (arn:aws:kms:"),
        "{named:?}"
    );
    for rule in [
        "MSK-001", "MSK-008", "MSK-008b", "MSK-008c", "MSK-009", "MSK-009b", "MSK-010", "MSK-010b",
        "MSK-005b", "MSK-007",
    ] {
        assert!(
            statuses(&r, rule).contains("fail"),
            "{rule}: {:?}",
            findings(&r, rule)
        );
    }
    let sections = &r["msk"];
    assert_eq!(sections["cluster"]["name"], "orders");
    assert!(sections["inplace"].as_array().unwrap().len() >= 8);
    assert!(!sections["recreate"].as_array().unwrap().is_empty());

    // payments fails the prerequisites it can be checked for.
    let (code, r) =
        run_json(kc("testing").args(["audit", "--msk-cluster", "payments", "--format", "json"]));
    assert_eq!(code, 1, "blocking findings");
    for rule in [
        "MSK-003a", "MSK-003b", "MSK-003c", "MSK-003g", "MSK-003h", "MSK-002b",
    ] {
        assert_eq!(
            statuses(&r, rule),
            BTreeSet::from(["fail".into()]),
            "{rule}"
        );
    }
    assert!(statuses(&r, "MSK-005").contains("fail"));
    // Its newest connectivity operation turned ZooKeeper access back on.
    assert_eq!(statuses(&r, "MSK-003e"), BTreeSet::from(["fail".into()]));
    assert!(findings(&r, "MSK-003e")[0]["message"]
        .as_str()
        .unwrap()
        .contains("/2b2b2b2b-0000-1111-2222-333344445555"));
    assert_eq!(prerequisite(&r, "e")["status"], "fail");
    // Its one SCRAM secret is named and encrypted as MSK requires.
    for rule in ["MSK-008b", "MSK-008c"] {
        assert_eq!(
            statuses(&r, rule),
            BTreeSet::from(["pass".into()]),
            "{rule}"
        );
    }
    assert!(
        statuses(&r, "MSK-002").contains("fail"),
        "ACTION_RECOMMENDED"
    );
}

#[test]
fn iam_matrix() {
    let (_, r) = run_json(kc("testing").args([
        "audit",
        "--msk-cluster",
        "orders",
        "--profile",
        "new-cluster",
        "--format",
        "json",
    ]));
    let pinned = failing_resources(&r, "MSK-006");
    let expected: BTreeSet<String> = [
        // cluster ARN, topic ARN, group ARN (managed policy on a role)
        "iam-statement:policy/orders-app-access:ConnectOrders",
        "iam-statement:policy/orders-app-access:OrdersTopics",
        "iam-statement:policy/orders-app-access:OrdersGroups",
        // transactional-id ARN (managed policy on a group)
        "iam-statement:policy/orders-transactions:Txn",
        // inline user policy (URL-encoded by IAM)
        "iam-statement:user/bob/bob-orders-connect:BobConnect",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(pinned, expected);
    // Not flagged: UUID wildcarded, account-wide, non-Kafka statements, non-default versions.
    for quiet in [
        "analytics-any-orders-cluster",
        "platform-admin-kafka",
        "non-kafka-named-after-cluster",
        "reworked-policy",
    ] {
        assert!(!pinned.iter().any(|p| p.contains(quiet)), "{quiet}");
    }
    // The non-Kafka statements are not even kept in the inventory.
    let (_, inv) = run_json(kc("testing").args(["collect", "--msk-cluster", "orders"]));
    let kept = inv["iam"].to_string();
    assert!(!kept.contains("sqs:SendMessage") && !kept.contains("s3:GetObject"));
    assert!(
        !kept.contains("OldPinned"),
        "only the default version is kept"
    );
    // The principals affected, including users through groups.
    let txn = findings(&r, "MSK-006")
        .into_iter()
        .find(|f| f["resource"]["name"] == "policy/orders-transactions:Txn")
        .unwrap();
    let who: Vec<&str> = txn["evidence"]["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        who,
        ["group:txn-writers", "user:alice (via group txn-writers)"]
    );
    // Name-only pins, pinned denies, tag conditions.
    assert_eq!(
        failing_resources(&r, "MSK-006b"),
        BTreeSet::from([
            "iam-statement:policy/analytics-any-orders-cluster:AnyUuid".to_string(),
            "iam-statement:policy/reworked-policy:NowWildcard".to_string()
        ])
    );
    assert_eq!(
        failing_resources(&r, "MSK-006c"),
        BTreeSet::from([
            "iam-statement:role/orders-app/orders-app-guardrails:NoTopicDeletes".to_string()
        ])
    );
    assert_eq!(
        failing_resources(&r, "MSK-006d"),
        BTreeSet::from(["iam-statement:policy/tagged-cluster-access:ByTag".to_string()])
    );
    // The report's IAM section names principals and statements.
    let iam = &r["msk"]["iam"];
    assert!(iam["statements"].as_array().unwrap().len() >= 5);
    let principals = iam["principals"].to_string();
    for p in ["role:orders-app", "user:bob", "group:txn-writers"] {
        assert!(principals.contains(p), "{p}: {principals}");
    }
}

#[test]
fn access_denied_becomes_gaps_and_unknown_never_pass() {
    let key = "DENY-ListNodes-ListScramSecrets-GetAccountAuthorizationDetails-GetClusterPolicy";
    let (_, inv) = run_json(kc(key).args(["collect", "--msk-cluster", "orders"]));
    let gaps: BTreeMap<String, String> = inv["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["part"].as_str().unwrap().to_string(),
                g["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for part in ["msk.nodes", "msk.scram_secrets", "iam", "msk.policy"] {
        assert_eq!(
            gaps.get(part).map(String::as_str),
            Some("unauthorized"),
            "{part}: {gaps:?}"
        );
    }
    assert_eq!(
        gaps.get("brokers").map(String::as_str),
        Some("unauthorized")
    );
    let (_, r) = run_json(kc(key).args(["audit", "--msk-cluster", "orders", "--format", "json"]));
    for rule in [
        "MSK-006", "MSK-006b", "MSK-006c", "MSK-006d", "MSK-008", "MSK-008b", "MSK-008c", "MSK-010",
    ] {
        assert_eq!(
            statuses(&r, rule),
            BTreeSet::from(["unknown".into()]),
            "{rule}"
        );
    }
    // Rules that need only DescribeClusterV2 still evaluate.
    assert_eq!(statuses(&r, "MSK-003a"), BTreeSet::from(["pass".into()]));

    // Without the secrets list, DescribeSecret has nothing to describe.
    assert_eq!(
        gaps.get("msk.secrets").map(String::as_str),
        Some("unauthorized")
    );

    // DescribeClusterV2 itself denied: every MSK rule is unknown.
    let (_, r) = run_json(kc("DENY-DescribeClusterV2").args([
        "audit",
        "--msk-cluster",
        &arn("orders"),
        "--format",
        "json",
    ]));
    for f in r["findings"].as_array().unwrap() {
        if f["area"] == "msk" {
            assert_eq!(f["status"], "unknown", "{f}");
        }
    }
}

#[test]
fn zookeeper_access_is_read_live_and_a_denied_operation_read_is_unknown() {
    // orders: the newest UpdateConnectivity changed public access only, the one before it turned
    // ZooKeeper access off: both are described, newest first, and e passes.
    let (_, r) =
        run_json(kc("testing").args(["audit", "--msk-cluster", "orders", "--format", "json"]));
    assert_eq!(statuses(&r, "MSK-003e"), BTreeSet::from(["pass".into()]));
    // payments: the newest one turned it back on: e fails.
    let (_, r) =
        run_json(kc("testing").args(["audit", "--msk-cluster", "payments", "--format", "json"]));
    assert_eq!(statuses(&r, "MSK-003e"), BTreeSet::from(["fail".into()]));
    // DescribeClusterOperationV2 denied: unknown (never a pass), the gap names the call.
    for cluster in ["orders", "payments"] {
        let key = "DENY-DescribeClusterOperationV2";
        let (_, r) =
            run_json(kc(key).args(["audit", "--msk-cluster", cluster, "--format", "json"]));
        let f = findings(&r, "MSK-003e");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0]["status"], "unknown", "{cluster}: {}", f[0]);
        assert!(
            f[0]["message"]
                .as_str()
                .unwrap()
                .contains("DescribeClusterOperationV2"),
            "{}",
            f[0]
        );
        assert_eq!(prerequisite(&r, "e")["status"], "unknown");
        let (_, inv) = run_json(kc(key).args(["collect", "--msk-cluster", cluster]));
        let g = inv["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["part"] == "msk.connectivity")
            .unwrap_or_else(|| panic!("{cluster}: no msk.connectivity gap"));
        assert_eq!(g["reason"], "unauthorized");
        assert!(inv["msk"].get("zookeeper_access").is_none());
    }
    // The operations list denied: the connectivity operations cannot even be found.
    let (_, r) = run_json(kc("DENY-ListClusterOperationsV2").args([
        "audit",
        "--msk-cluster",
        "orders",
        "--format",
        "json",
    ]));
    assert_eq!(statuses(&r, "MSK-003e"), BTreeSet::from(["unknown".into()]));
}

#[test]
fn scram_secret_metadata_without_their_values() {
    // DescribeSecret denied: the key rule is unknown; the prefix rule still reads the ARNs.
    let (_, r) = run_json(kc("DENY-DescribeSecret").args([
        "audit",
        "--msk-cluster",
        "orders",
        "--format",
        "json",
    ]));
    assert_eq!(statuses(&r, "MSK-008c"), BTreeSet::from(["unknown".into()]));
    assert_eq!(statuses(&r, "MSK-008b"), BTreeSet::from(["fail".into()]));
    // DescribeKey denied: orders-etl needs no key read (aws/secretsmanager) and still fails;
    // payments' only secret has a customer-chosen key that cannot be checked: unknown.
    let (_, r) = run_json(kc("DENY-DescribeKey").args([
        "audit",
        "--msk-cluster",
        "orders",
        "--format",
        "json",
    ]));
    let f = findings(&r, "MSK-008c");
    assert_eq!(f[0]["status"], "fail");
    assert_eq!(f[0]["evidence"]["count"], 1, "{}", f[0]);
    let (_, r) = run_json(kc("DENY-DescribeKey").args([
        "audit",
        "--msk-cluster",
        "payments",
        "--format",
        "json",
    ]));
    assert_eq!(statuses(&r, "MSK-008c"), BTreeSet::from(["unknown".into()]));
    let (_, inv) = run_json(kc("DENY-DescribeKey").args(["collect", "--msk-cluster", "payments"]));
    let g: Vec<&Value> = inv["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["part"] == "msk.secrets")
        .collect();
    assert_eq!(g.len(), 1, "{g:?}");
    assert_eq!(g[0]["resource"], secret("AmazonMSK_payments-svc").as_str());
    assert_eq!(g[0]["reason"], "unauthorized");

    // Every report format and the inventory: no secret value anywhere, and moto's log shows
    // that nothing asked for one.
    let d = tempfile::TempDir::new().unwrap();
    let out = kc("testing")
        .args([
            "audit",
            "--msk-all",
            "-f",
            "json",
            "-f",
            "html",
            "-f",
            "markdown",
            "-f",
            "sarif",
            "-o",
        ])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut texts = vec![
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ];
    for dir in std::fs::read_dir(d.path()).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            texts.push(std::fs::read_to_string(f.unwrap().path()).unwrap());
        }
    }
    for t in &texts {
        for v in SECRET_VALUES {
            assert!(!t.contains(v), "{v} leaked");
        }
    }
    let sent = sent_by_kraftcheck();
    assert!(
        sent.contains("Secrets Manager:DescribeSecret") && sent.contains("KMS:DescribeKey"),
        "{sent:?}"
    );
    let log = std::fs::read_to_string(&moto().log).unwrap();
    assert!(
        !log.contains("GetSecretValue"),
        "a secret value was asked for"
    );
}

#[test]
fn dependency_scan_settles_prerequisites_d_and_f() {
    let repo = root().join("tests/fixtures/aws-ops-repo");
    let (_, r) = run_json(
        kc("testing")
            .args([
                "audit",
                "--msk-cluster",
                "orders",
                "--format",
                "json",
                "--scan-deps",
            ])
            .arg(&repo),
    );
    let f = prerequisite(&r, "f");
    assert_eq!(f["status"], "fail", "{f}");
    assert_eq!(f["rule"], "CLIENT-005");
    let detail = f["detail"].as_str().unwrap();
    assert!(detail.contains("scripts/create-topics.sh:4"), "{detail}");
    assert!(
        !detail.contains("curator"),
        "a library is d's, not f's: {detail}"
    );
    // d: every tool that reaches ZooKeeper, the Curator-based admin tool too.
    let d = prerequisite(&r, "d");
    assert_eq!(d["status"], "fail", "{d}");
    let detail = d["detail"].as_str().unwrap();
    assert!(
        detail.contains("scripts/create-topics.sh:4") && detail.contains("curator-framework"),
        "{detail}"
    );
    // A scan that finds nothing passes both, naming what was scanned.
    let clean = root().join("tests/fixtures/aws-ops-repo/clean");
    let (_, r) = run_json(
        kc("testing")
            .args([
                "audit",
                "--msk-cluster",
                "orders",
                "--format",
                "json",
                "--scan-deps",
            ])
            .arg(&clean),
    );
    for key in ["d", "f"] {
        let p = prerequisite(&r, key);
        assert_eq!(p["status"], "pass", "{p}");
        assert!(p["detail"].as_str().unwrap().contains("clean"), "{p}");
    }
}

/// Run the AWS CLI against moto and save its JSON output, as a user would.
fn cli(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let mut c = std::process::Command::new(venv().join("bin/aws"));
    aws_env(&mut c, "testing");
    c.env_remove("AWS_ENDPOINT_URL_KAFKA")
        .env_remove("AWS_ENDPOINT_URL_IAM")
        .env_remove("AWS_ENDPOINT_URL_SECRETS_MANAGER")
        .env_remove("AWS_ENDPOINT_URL_KMS");
    let out = c
        .args(args)
        .args([
            "--endpoint-url",
            &format!("http://127.0.0.1:{}", moto().port),
            "--output",
            "json",
        ])
        .output()
        .expect("run aws");
    assert!(
        out.status.success(),
        "aws {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p = dir.join(format!("{name}.json"));
    std::fs::write(&p, &out.stdout).unwrap();
    p
}

#[test]
fn offline_aws_cli_json_gives_the_same_findings_as_live() {
    let d = tempfile::TempDir::new().unwrap();
    let a = arn("orders");
    let mut files = vec![
        cli(
            d.path(),
            "describe",
            &["kafka", "describe-cluster-v2", "--cluster-arn", &a],
        ),
        cli(
            d.path(),
            "nodes",
            &["kafka", "list-nodes", "--cluster-arn", &a],
        ),
        cli(
            d.path(),
            "scram",
            &["kafka", "list-scram-secrets", "--cluster-arn", &a],
        ),
        cli(
            d.path(),
            "versions",
            &[
                "kafka",
                "get-compatible-kafka-versions",
                "--cluster-arn",
                &a,
            ],
        ),
        cli(
            d.path(),
            "bootstrap",
            &["kafka", "get-bootstrap-brokers", "--cluster-arn", &a],
        ),
        cli(
            d.path(),
            "operations",
            &["kafka", "list-cluster-operations-v2", "--cluster-arn", &a],
        ),
        cli(
            d.path(),
            "policy",
            &["kafka", "get-cluster-policy", "--cluster-arn", &a],
        ),
        cli(
            d.path(),
            "vpc",
            &["kafka", "list-client-vpc-connections", "--cluster-arn", &a],
        ),
        cli(d.path(), "replicators", &["kafka", "list-replicators"]),
        cli(
            d.path(),
            "gaad",
            &["iam", "get-account-authorization-details"],
        ),
    ];
    let describe: Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    let sw = &describe["ClusterInfo"]["Provisioned"]["CurrentBrokerSoftwareInfo"];
    files.push(cli(
        d.path(),
        "config",
        &[
            "kafka",
            "describe-configuration-revision",
            "--arn",
            sw["ConfigurationArn"].as_str().unwrap(),
            "--revision",
            &sw["ConfigurationRevision"].to_string(),
        ],
    ));
    let replicators: Value =
        serde_json::from_str(&std::fs::read_to_string(&files[8]).unwrap()).unwrap();
    let rarn = replicators["Replicators"][0]["ReplicatorArn"]
        .as_str()
        .unwrap();
    files.push(cli(
        d.path(),
        "replicator",
        &["kafka", "describe-replicator", "--replicator-arn", rarn],
    ));
    // The connectivity operations (ZooKeeper access), newest first, as the live audit reads
    // them.
    let uuid = a.rsplit('/').next().unwrap();
    for (i, op) in [
        "9c8d7e6f-0000-1111-2222-333344445555",
        "1a2b3c4d-0000-1111-2222-333344445555",
    ]
    .iter()
    .enumerate()
    {
        files.push(cli(
            d.path(),
            &format!("operation{i}"),
            &[
                "kafka",
                "describe-cluster-operation-v2",
                "--cluster-operation-arn",
                &format!(
                    "arn:aws:kafka:us-east-1:123456789012:cluster-operation/orders/{uuid}/{op}"
                ),
            ],
        ));
    }
    // The SCRAM secrets' metadata and their keys' (describe-secret, never get-secret-value).
    let mut keys = BTreeSet::new();
    for name in [
        "AmazonMSK_orders-app",
        "AmazonMSK_orders-etl",
        "orders-legacy",
    ] {
        let f = cli(
            d.path(),
            &format!("secret-{name}"),
            &[
                "secretsmanager",
                "describe-secret",
                "--secret-id",
                &secret(name),
            ],
        );
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        if let Some(k) = v["KmsKeyId"].as_str() {
            keys.insert(k.to_string());
        }
        files.push(f);
    }
    assert_eq!(
        keys.len(),
        2,
        "orders-app and orders-legacy name their keys"
    );
    for (i, k) in keys.iter().enumerate() {
        files.push(cli(
            d.path(),
            &format!("key{i}"),
            &["kms", "describe-key", "--key-id", k],
        ));
    }
    // The CLI prints IAM policy documents decoded, as JSON objects.
    let gaad = std::fs::read_to_string(&files[9]).unwrap();
    assert!(gaad.contains("\"Statement\""));

    let mut offline = Command::cargo_bin("kraftcheck").unwrap();
    offline.args(["audit", "--format", "json"]);
    for f in &files {
        offline.arg("--aws-json").arg(f);
    }
    let (off_code, off) = run_json(&mut offline);
    let (live_code, live) =
        run_json(kc("testing").args(["audit", "--msk-cluster", &a, "--format", "json"]));
    assert_eq!(off_code, live_code);
    assert_eq!(comparable(&off), comparable(&live));
    assert!(findings(&off, "MSK-006")
        .iter()
        .any(|f| f["status"] == "fail"));

    // The inventories agree too, apart from where the data came from.
    let mut offline = Command::cargo_bin("kraftcheck").unwrap();
    offline.arg("collect");
    for f in &files {
        offline.arg("--aws-json").arg(f);
    }
    let (_, mut inv_off) = run_json(&mut offline);
    let (_, mut inv_live) = run_json(kc("testing").args(["collect", "--msk-cluster", &a]));
    for inv in [&mut inv_off, &mut inv_live] {
        let o = inv.as_object_mut().unwrap();
        o.remove("sources");
        o.remove("generated_at");
    }
    assert_eq!(inv_off, inv_live);

    // Without the secrets' and the operations' outputs: those findings are unknown, each gap
    // naming the command whose output is missing (never a pass).
    let fewer: Vec<&PathBuf> = files
        .iter()
        .filter(|f| {
            let n = f.file_name().unwrap().to_string_lossy();
            !n.starts_with("secret-") && !n.starts_with("key") && n != "operation1.json"
        })
        .collect();
    let mut offline = Command::cargo_bin("kraftcheck").unwrap();
    offline.args(["audit", "--format", "json"]);
    for f in &fewer {
        offline.arg("--aws-json").arg(f);
    }
    let (_, r) = run_json(&mut offline);
    for rule in ["MSK-003e", "MSK-008c"] {
        let f = findings(&r, rule);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0]["status"], "unknown", "{rule}: {}", f[0]);
    }
    let e = findings(&r, "MSK-003e")[0]["message"].as_str().unwrap();
    assert!(
        e.contains("describe-cluster-operation-v2 --cluster-operation-arn")
            && e.contains("1a2b3c4d"),
        "{e}"
    );
    assert_eq!(statuses(&r, "MSK-008b"), BTreeSet::from(["fail".into()]));
}

#[test]
fn unrecognised_aws_json_is_exit_2_naming_the_file() {
    let d = tempfile::TempDir::new().unwrap();
    let p = d.path().join("topics.json");
    std::fs::write(&p, r#"{"TopicInfoList": []}"#).unwrap();
    let out = Command::cargo_bin("kraftcheck")
        .unwrap()
        .args(["audit", "--aws-json"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("topics.json") && err.contains("describe-cluster-v2"),
        "{err}"
    );
    std::fs::write(&p, "{ not json").unwrap();
    let out = Command::cargo_bin("kraftcheck")
        .unwrap()
        .args(["collect", "--aws-json"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("topics.json"));
}

#[test]
fn secret_and_key_json_that_is_not_metadata_is_exit_2_naming_the_file() {
    let d = tempfile::TempDir::new().unwrap();
    let run = |name: &str, text: &str| -> (Option<i32>, String) {
        let p = d.path().join(name);
        std::fs::write(&p, text).unwrap();
        let out = Command::cargo_bin("kraftcheck")
            .unwrap()
            .args(["audit", "--aws-json"])
            .arg(&p)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(err.trim().lines().count(), 1, "one message: {err}");
        (out.status.code(), err)
    };
    // get-secret-value output holds the value: refused, the value never echoed.
    let (code, err) = run(
        "get-secret-value.json",
        r#"{"ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_x-AbCdEf", "Name": "AmazonMSK_x", "SecretString": "{\"username\":\"x\",\"password\":\"hunter2-value\"}"}"#,
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("get-secret-value.json") && err.contains("describe-secret"),
        "{err}"
    );
    assert!(!err.contains("hunter2-value"));
    // A KeyMetadata that is not an object, a secret ARN of another service: not recognised.
    for (name, text) in [
        (
            "describe-key.json",
            r#"{"KeyMetadata": "arn:aws:kms:us-east-1:123456789012:key/x"}"#,
        ),
        (
            "describe-secret.json",
            r#"{"ARN": "arn:aws:s3:::bucket", "Name": "bucket"}"#,
        ),
    ] {
        let (code, err) = run(name, text);
        assert_eq!(code, Some(2), "{name}");
        assert!(
            err.contains(name) && err.contains("aws kms describe-key"),
            "{err}"
        );
    }
}

#[test]
fn msk_all_writes_one_inventory_and_report_per_cluster() {
    let d = tempfile::TempDir::new().unwrap();
    let out = kc("testing")
        .args(["collect", "--msk-all", "-o"])
        .arg(d.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].starts_with("orders-") && names[1].starts_with("payments-"));
    let r = tempfile::TempDir::new().unwrap();
    let out = kc("testing")
        .args([
            "audit",
            "--msk-all",
            "--format",
            "json",
            "--format",
            "html",
            "-o",
        ])
        .arg(r.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "payments has blocking findings");
    let dirs: Vec<PathBuf> = std::fs::read_dir(r.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 2);
    for d in dirs {
        assert!(d.join("kraftcheck.json").exists() && d.join("kraftcheck.html").exists());
    }
    // --msk-all without -o cannot write several reports to stdout.
    let out = kc("testing").args(["audit", "--msk-all"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn no_mutating_aws_request_is_ever_sent() {
    // A live audit, then every request kraftcheck made in this test binary (User-Agent
    // app/kraftcheck in moto's log) must be one of the read operations on the allowlist.
    run_json(kc("testing").args(["audit", "--msk-cluster", "orders", "--format", "json"]));
    let allowed: BTreeSet<String> = kraftcheck::collect::aws::ALLOWED_OPERATIONS
        .iter()
        .map(|(_, op)| op.to_string())
        .collect();
    assert_eq!(
        allowed,
        [
            "ListClustersV2",
            "DescribeClusterV2",
            "ListNodes",
            "DescribeConfigurationRevision",
            "ListScramSecrets",
            "GetCompatibleKafkaVersions",
            "GetBootstrapBrokers",
            "ListClusterOperationsV2",
            "GetClusterPolicy",
            "ListClientVpcConnections",
            "ListReplicators",
            "DescribeReplicator",
            "GetAccountAuthorizationDetails",
            "DescribeClusterOperationV2",
            "DescribeSecret",
            "DescribeKey",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        "the allowlist is the issue's list of read calls"
    );
    // The guard itself: a mutating call through kraftcheck's clients never reaches the wire.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let m = moto();
    let url = format!("http://127.0.0.1:{}", m.port);
    let before = std::fs::read_to_string(&m.log)
        .unwrap_or_default()
        .lines()
        .count();
    let conf = rt.block_on(aws_sdk_kafka_config(&url));
    let clients = kraftcheck::collect::aws::guarded_clients(&conf);
    let refused = rt.block_on(
        clients
            .kafka
            .update_cluster_kafka_version()
            .cluster_arn(arn("orders"))
            .current_version("1.0")
            .target_kafka_version("3.9.x.kraft")
            .send(),
    );
    let err = format!("{:?}", refused.unwrap_err());
    assert!(
        err.contains("refusing to call Kafka:UpdateClusterKafkaVersion"),
        "{err}"
    );
    // The secret's value: refused by the same guard before it is sent.
    let value = clients
        .secrets
        .get_secret_value()
        .secret_id(secret("AmazonMSK_orders-app"));
    let err = format!("{:?}", rt.block_on(value.send()).unwrap_err());
    assert!(
        err.contains("refusing to call Secrets Manager:GetSecretValue"),
        "{err}"
    );
    // Unguarded, the same configuration does reach moto: the guard, not the set-up, stopped it.
    let reached = rt.block_on(
        aws_sdk_secretsmanager::Client::new(&conf)
            .describe_secret()
            .secret_id(secret("AmazonMSK_orders-app"))
            .send(),
    );
    assert!(reached.is_ok(), "{reached:?}");
    let log = std::fs::read_to_string(&m.log).unwrap();
    let mut sent: BTreeSet<String> = BTreeSet::new();
    for line in log.lines() {
        let e: Value = serde_json::from_str(line).unwrap();
        if e["kraftcheck"] == true {
            sent.insert(e["operation"].as_str().unwrap().to_string());
        }
    }
    assert!(log.lines().count() >= before);
    assert!(
        !sent.contains("UpdateClusterKafkaVersion"),
        "refused before sending"
    );
    assert!(!log.contains("GetSecretValue"), "refused before sending");
    assert!(sent.contains("DescribeClusterV2") && sent.contains("GetAccountAuthorizationDetails"));
    let unexpected: Vec<&String> = sent.iter().filter(|op| !allowed.contains(*op)).collect();
    assert!(unexpected.is_empty(), "kraftcheck sent {unexpected:?}");
}

async fn aws_sdk_kafka_config(url: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(url)
        .app_name(aws_config::AppName::new("kraftcheck").unwrap())
        .credentials_provider(aws_sdk_kafka::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .load()
        .await
}

#[test]
fn reports_have_msk_and_iam_sections() {
    let d = tempfile::TempDir::new().unwrap();
    let out = kc("testing")
        .args([
            "audit",
            "--msk-cluster",
            "orders",
            "-f",
            "html",
            "-f",
            "markdown",
            "-o",
        ])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(d.path().join("kraftcheck.html")).unwrap();
    for s in [
        r#"<section id="msk""#,
        r#"<section id="iam">"#,
        "In-place migration prerequisites",
        r#"data-rule="MSK-003a""#,
        "New-cluster path: what to re-create",
        "Affected principals",
        "user:alice (via group txn-writers)",
        "orders-transactions:Txn",
    ] {
        assert!(html.contains(s), "HTML lacks {s}");
    }
    // Still self-contained: no external resource in the added sections.
    assert!(!html.contains("src=\"http") && !html.contains("href=\"//"));
    let md = std::fs::read_to_string(d.path().join("kraftcheck.md")).unwrap();
    for s in [
        "## Amazon MSK: orders",
        "**In-place migration prerequisites**",
        "## IAM",
        "`role:orders-app`",
    ] {
        assert!(md.contains(s), "Markdown lacks {s}");
    }
}
