//! `kraftcheck diff` offline: a fixture inventory (tests/fixtures/diff/before.json) against
//! copies of itself, each damaged or migrated in one known way. Every expectation is derived
//! from the change the test made, never from a stored output.

use assert_cmd::Command;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixture_path(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(p)
}

fn before() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture_path("diff/before.json")).unwrap())
        .unwrap()
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

/// Run `kraftcheck diff OLD NEW -f json [extra]`: exit code and the parsed diff.
fn diff(old: &Value, new: &Value, extra: &[&str]) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let (o, n) = (
        write(dir.path(), "old.json", old),
        write(dir.path(), "new.json", new),
    );
    let out = Command::cargo_bin("kraftcheck")
        .unwrap()
        .arg("diff")
        .arg(&o)
        .arg(&n)
        .args(["-f", "json"])
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code != 2,
        "diff could not run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

fn failing(d: &Value) -> Vec<&Value> {
    d["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| ["missing", "changed", "unknown"].contains(&i["status"].as_str().unwrap()))
        .collect()
}

fn items_with<'a>(d: &'a Value, status: &str) -> Vec<&'a Value> {
    d["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == status)
        .collect()
}

/// The resource name audit findings give an ACL (so losses and findings can be matched).
fn acl_resource(a: &Value) -> String {
    format!(
        "acl:{} {} {} {}:{}:{} from {}",
        a["permission"].as_str().unwrap(),
        a["principal"].as_str().unwrap(),
        a["operation"].as_str().unwrap(),
        a["resource_type"].as_str().unwrap(),
        a["pattern_type"].as_str().unwrap(),
        a["resource_name"].as_str().unwrap(),
        a["host"].as_str().unwrap()
    )
}

fn quota_resource(q: &Value) -> String {
    let parts: Vec<String> = q["entity"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let v = v.as_str().unwrap();
            format!("{k}={}", if v.is_empty() { "<default>" } else { v })
        })
        .collect();
    format!("quota:{}", parts.join(","))
}

fn topic_mut<'a>(inv: &'a mut Value, name: &str) -> &'a mut Value {
    inv["topics"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["name"] == name)
        .unwrap()
}

fn group_mut<'a>(inv: &'a mut Value, id: &str) -> &'a mut Value {
    inv["groups"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|g| g["id"] == id)
        .unwrap()
}

#[test]
fn an_inventory_is_in_parity_with_itself() {
    let b = before();
    let (code, d) = diff(&b, &b, &[]);
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["verdict"], "parity");
    assert_eq!(d["path"], "inplace");
    assert!(d["items"].as_array().unwrap().is_empty(), "{d:#}");
    // Every category that has data was compared, and all of it was the same.
    let compared: BTreeSet<&str> = d["categories"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, c)| c["compared"].as_u64().unwrap() > 0)
        .map(|(k, _)| k.as_str())
        .collect();
    for c in [
        "topics",
        "partitions",
        "replication-factor",
        "topic-configs",
        "topic-ids",
        "partition-data",
        "internal-topics",
        "acls",
        "scram-users",
        "quotas",
        "broker-configs",
        "broker-defaults",
        "static-configs",
        "consumer-groups",
        "group-offsets",
    ] {
        assert!(compared.contains(c), "{c} not compared: {compared:?}");
    }
}

/// The "deliberately damaged copy": one ACL, one quota, one topic config and one
/// committed offset removed; each is caught, and nothing else is reported.
#[test]
fn a_damaged_copy_is_caught_item_by_item() {
    let b = before();
    let mut damaged = b.clone();
    // a prefixed topic ACL (MirrorMaker 2 and MSK Replicator never copy those)
    let acls = damaged["acls"].as_array_mut().unwrap();
    let i = acls
        .iter()
        .position(|a| a["pattern_type"] == "PREFIXED" && a["resource_type"] == "TOPIC")
        .unwrap();
    let acl = acls.remove(i);
    // the user+client-id quota
    let quotas = damaged["quotas"].as_array_mut().unwrap();
    let i = quotas
        .iter()
        .position(|q| q["entity"].as_object().unwrap().len() == 2)
        .unwrap();
    let quota = quotas.remove(i);
    // one topic config override
    let orders = topic_mut(&mut damaged, "orders");
    let removed_cfg = "min.insync.replicas";
    assert!(orders["configs"]
        .as_object_mut()
        .unwrap()
        .remove(removed_cfg)
        .is_some());
    // one committed offset of a group that keeps its others
    let g = group_mut(&mut damaged, "app1");
    let offs = g["offsets"].as_array_mut().unwrap();
    let off = offs.remove(offs.len() - 1);
    assert!(!offs.is_empty());

    let (code, d) = diff(&b, &damaged, &[]);
    assert_eq!(code, 1);
    assert_eq!(d["verdict"], "differences");
    let got: BTreeSet<(String, String, String, String)> = failing(&d)
        .iter()
        .map(|i| {
            (
                i["status"].as_str().unwrap().to_string(),
                i["category"].as_str().unwrap().to_string(),
                i["resource"].as_str().unwrap().to_string(),
                i["key"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String, String, String)> = [
        ("missing", "acls", acl_resource(&acl), String::new()),
        ("missing", "quotas", quota_resource(&quota), String::new()),
        (
            "missing",
            "topic-configs",
            "topic:orders".to_string(),
            removed_cfg.to_string(),
        ),
        (
            "missing",
            "group-offsets",
            "group:app1".to_string(),
            format!(
                "{}-{}",
                off["topic"].as_str().unwrap(),
                off["partition"].as_i64().unwrap()
            ),
        ),
    ]
    .into_iter()
    .map(|(a, b, c, e)| (a.to_string(), b.to_string(), c, e))
    .collect();
    assert_eq!(got, want, "{d:#}");
}

/// Remove every single ACL, quota, SCRAM user, topic config, committed offset and dynamic
/// broker config in turn: each removal is exactly one loss, naming what was removed.
#[test]
fn every_single_removal_is_exactly_one_loss() {
    let b = before();
    let mut cases: Vec<(Value, &str, String, String)> = Vec::new();
    for (i, a) in b["acls"].as_array().unwrap().iter().enumerate() {
        let mut v = b.clone();
        v["acls"].as_array_mut().unwrap().remove(i);
        cases.push((v, "acls", acl_resource(a), String::new()));
    }
    for (i, q) in b["quotas"].as_array().unwrap().iter().enumerate() {
        let mut v = b.clone();
        v["quotas"].as_array_mut().unwrap().remove(i);
        cases.push((v, "quotas", quota_resource(q), String::new()));
    }
    for (i, u) in b["scram_users"].as_array().unwrap().iter().enumerate() {
        let mut v = b.clone();
        v["scram_users"].as_array_mut().unwrap().remove(i);
        cases.push((
            v,
            "scram-users",
            format!("scram-user:{}", u["name"].as_str().unwrap()),
            String::new(),
        ));
    }
    for t in b["topics"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        let internal = t["internal"] == true;
        for k in t["configs"].as_object().unwrap().keys() {
            let mut v = b.clone();
            topic_mut(&mut v, name)["configs"]
                .as_object_mut()
                .unwrap()
                .remove(k);
            let cat = if internal {
                "internal-topics"
            } else {
                "topic-configs"
            };
            cases.push((v, cat, format!("topic:{name}"), k.clone()));
        }
    }
    for g in b["groups"].as_array().unwrap() {
        let id = g["id"].as_str().unwrap();
        for (i, o) in g["offsets"].as_array().unwrap().iter().enumerate() {
            let mut v = b.clone();
            let offs = group_mut(&mut v, id)["offsets"].as_array_mut().unwrap();
            offs.remove(i);
            let (cat, key) = if offs.is_empty() {
                ("consumer-groups", String::new())
            } else {
                (
                    "group-offsets",
                    format!(
                        "{}-{}",
                        o["topic"].as_str().unwrap(),
                        o["partition"].as_i64().unwrap()
                    ),
                )
            };
            cases.push((v, cat, format!("group:{id}"), key));
        }
    }
    for (bi, br) in b["brokers"].as_array().unwrap().iter().enumerate() {
        for (k, e) in br["configs"].as_object().unwrap() {
            if e["source"] != "DYNAMIC_BROKER_CONFIG" {
                continue;
            }
            let mut v = b.clone();
            v["brokers"][bi]["configs"]
                .as_object_mut()
                .unwrap()
                .remove(k);
            cases.push((
                v,
                "broker-configs",
                format!("broker:{}", br["id"]),
                k.clone(),
            ));
        }
    }
    assert!(cases.len() >= 30, "too few cases: {}", cases.len());
    for (v, cat, resource, key) in cases {
        let (code, d) = diff(&b, &v, &[]);
        let f = failing(&d);
        assert_eq!(code, 1, "{cat} {resource} {key}: not caught");
        assert_eq!(f.len(), 1, "{cat} {resource} {key}: {f:#?}");
        assert_eq!(f[0]["status"], "missing", "{resource} {key}");
        assert_eq!(f[0]["category"], cat, "{resource} {key}");
        assert_eq!(f[0]["resource"], resource.as_str(), "{cat} {key}");
        assert_eq!(f[0]["key"].as_str().unwrap_or(""), key, "{cat} {resource}");
    }
}

/// Changes that keep an item but alter it: each is one `changed` loss (or, where it is not a
/// loss, not failing at all).
#[test]
fn each_kind_of_change_is_reported_as_such() {
    let b = before();
    type Mutation = Box<dyn Fn(&mut Value)>;
    /// (status, category, resource) of the one loss, or None when it is not a loss.
    type Want = Option<(&'static str, &'static str, &'static str)>;
    let cases: Vec<(&str, Mutation, Want)> = vec![
        (
            "fewer partitions",
            Box::new(|v| {
                topic_mut(v, "orders")["partitions"]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            }),
            Some(("changed", "partitions", "topic:orders")),
        ),
        (
            "lower replication factor",
            Box::new(|v| {
                for p in topic_mut(v, "payments")["partitions"]
                    .as_array_mut()
                    .unwrap()
                {
                    p["replicas"].as_array_mut().unwrap().pop();
                }
            }),
            Some(("changed", "replication-factor", "topic:payments")),
        ),
        (
            "config value",
            Box::new(|v| {
                topic_mut(v, "orders")["configs"]["retention.ms"]["value"] = json!("3600000")
            }),
            Some(("changed", "topic-configs", "topic:orders")),
        ),
        (
            "topic deleted",
            Box::new(|v| {
                v["topics"]
                    .as_array_mut()
                    .unwrap()
                    .retain(|t| t["name"] != "orders-eu")
            }),
            Some(("missing", "topics", "topic:orders-eu")),
        ),
        (
            "topic re-created (new id)",
            Box::new(|v| topic_mut(v, "payments")["id"] = json!("ZZZZZZZZZZZZZZZZZZZZZQ")),
            Some(("changed", "topic-ids", "topic:payments")),
        ),
        (
            "records lost (log end offset went back)",
            Box::new(|v| topic_mut(v, "orders")["partitions"][1]["log_end_offset"] = json!(50)),
            Some(("changed", "partition-data", "topic:orders")),
        ),
        (
            "SCRAM iterations",
            Box::new(|v| v["scram_users"][0]["credentials"][0]["iterations"] = json!(4096)),
            Some(("changed", "scram-users", "scram-user:alice")),
        ),
        (
            "SCRAM mechanism removed",
            Box::new(|v| {
                v["scram_users"][2]["credentials"]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            }),
            Some(("missing", "scram-users", "scram-user:carol")),
        ),
        (
            "quota value",
            Box::new(|v| {
                let q = v["quotas"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .find(|q| q["entity"] == json!({"user": "alice"}))
                    .unwrap();
                q["values"]["producer_byte_rate"] = json!(1.0)
            }),
            Some(("changed", "quotas", "quota:user=alice")),
        ),
        (
            "per-broker dynamic value",
            Box::new(|v| {
                v["brokers"][1]["configs"]["log.cleaner.backoff.ms"]["value"] = json!("1000")
            }),
            Some(("changed", "broker-configs", "broker:2")),
        ),
        (
            "dynamic cluster default gone",
            Box::new(|v| {
                for br in v["brokers"].as_array_mut().unwrap() {
                    br["configs"]
                        .as_object_mut()
                        .unwrap()
                        .remove("message.max.bytes");
                }
            }),
            Some(("missing", "broker-defaults", "cluster")),
        ),
        (
            "committed offset went back (in place)",
            Box::new(|v| group_mut(v, "app-billing")["offsets"][0]["offset"] = json!(3)),
            Some(("changed", "group-offsets", "group:app-billing")),
        ),
        (
            "committed offset moved on: consumption continued, not a loss",
            Box::new(|v| group_mut(v, "app1")["offsets"][0]["offset"] = json!(110)),
            None,
        ),
        (
            "a topic only on the new side: not a loss",
            Box::new(|v| {
                let mut t = topic_mut(v, "orders-eu").clone();
                t["name"] = json!("orders-us");
                v["topics"].as_array_mut().unwrap().push(t);
            }),
            None,
        ),
    ];
    for (what, mutate, want) in cases {
        let mut v = b.clone();
        mutate(&mut v);
        let (code, d) = diff(&b, &v, &[]);
        let f = failing(&d);
        match want {
            Some((status, cat, resource)) => {
                assert_eq!(code, 1, "{what}: not caught");
                assert_eq!(f.len(), 1, "{what}: {f:#?}");
                assert_eq!(f[0]["status"], status, "{what}");
                assert_eq!(f[0]["category"], cat, "{what}");
                assert_eq!(f[0]["resource"], resource, "{what}");
            }
            None => {
                assert_eq!(code, 0, "{what}: {f:#?}");
                assert!(
                    !d["items"].as_array().unwrap().is_empty(),
                    "{what}: the difference is not listed at all"
                );
            }
        }
    }
}

/// What an in-place migration does by design (KRaft configs, new controller, authorizer,
/// ZooKeeper settings gone) is listed as expected, and the diff stays in parity.
#[test]
fn an_in_place_migration_by_design_is_expected_not_lost() {
    let b = before();
    let mut after = b.clone();
    after["cluster"]["mode"] = json!("kraft");
    after["cluster"]["phase"] = json!("finalized");
    for br in after["brokers"].as_array_mut().unwrap() {
        let c = br["configs"].as_object_mut().unwrap();
        c.remove("zookeeper.connect");
        c.remove("inter.broker.protocol.version");
        c.remove("broker.id");
        c.insert(
            "process.roles".into(),
            json!({"value": "broker", "source": "STATIC_BROKER_CONFIG", "sensitive": false}),
        );
        c.insert(
            "controller.quorum.voters".into(),
            json!({"value": "3000@ctl:9093", "source": "STATIC_BROKER_CONFIG", "sensitive": false}),
        );
        c.insert("authorizer.class.name".into(), json!({"value": "org.apache.kafka.metadata.authorizer.StandardAuthorizer", "source": "STATIC_BROKER_CONFIG", "sensitive": false}));
    }
    after["brokers"].as_array_mut().unwrap().push(json!({
        "id": 3000, "host": "ctl", "port": 9093, "roles": "controller",
        "configs": {"process.roles": {"value": "controller", "source": "STATIC_BROKER_CONFIG", "sensitive": false}}
    }));
    let (code, d) = diff(&b, &after, &[]);
    assert_eq!(code, 0, "{:#?}", failing(&d));
    let expected: BTreeSet<String> = items_with(&d, "expected")
        .iter()
        .map(|i| {
            format!(
                "{} {}",
                i["resource"].as_str().unwrap(),
                i["key"].as_str().unwrap_or("")
            )
        })
        .collect();
    for want in [
        "cluster mode",
        "controller:3000 ",
        "broker:1 zookeeper.connect",
        "broker:2 process.roles",
        "broker:1 authorizer.class.name",
        "broker:2 inter.broker.protocol.version",
    ] {
        assert!(
            expected.contains(want),
            "{want} not expected: {expected:#?}"
        );
    }
    // But dropping the authorizer altogether is not the migration's doing: it is reported
    // (as a static change, which is not counted as a loss), not excused as expected.
    let mut no_auth = after.clone();
    no_auth["brokers"][0]["configs"]
        .as_object_mut()
        .unwrap()
        .remove("authorizer.class.name");
    let (_, d) = diff(&b, &no_auth, &[]);
    assert!(items_with(&d, "info")
        .iter()
        .any(|i| i["key"] == "authorizer.class.name" && i["resource"] == "broker:1"));
}

/// A new cluster: committed offsets are translated, so lags are compared; Kafka's internal
/// topics and MirrorMaker 2's own topics and groups are the new cluster's business.
#[test]
fn a_new_cluster_compares_lag_and_expects_its_own_internals() {
    let b = before();
    let mut new = b.clone();
    new["cluster"]["id"] = json!("NewKraftCluster0000000A");
    // offsets shift on a new cluster: shift orders' end offsets and app-billing's offsets by
    // the same amount (lag kept), and app1's orders-0 by less (lag grows: re-reads)
    for p in topic_mut(&mut new, "orders")["partitions"]
        .as_array_mut()
        .unwrap()
    {
        let leo = p["log_end_offset"].as_i64().unwrap();
        p["log_end_offset"] = json!(leo - 7);
    }
    for o in group_mut(&mut new, "app-billing")["offsets"]
        .as_array_mut()
        .unwrap()
    {
        let x = o["offset"].as_i64().unwrap();
        o["offset"] = json!(x - 7);
    }
    group_mut(&mut new, "app1")["offsets"][0]["offset"] = json!(90);
    // app-live was not translated at all
    new["groups"]
        .as_array_mut()
        .unwrap()
        .retain(|g| g["id"] != "app-live");
    // Kafka creates __consumer_offsets on first use; MirrorMaker 2 brings its own topics/group
    new["topics"]
        .as_array_mut()
        .unwrap()
        .retain(|t| t["name"] != "__consumer_offsets");
    let mut hb = topic_mut(&mut new, "orders-eu").clone();
    hb["name"] = json!("heartbeats");
    hb["id"] = json!(null);
    new["topics"].as_array_mut().unwrap().push(hb);
    new["groups"].as_array_mut().unwrap().push(json!({
        "id": "source-mm2", "state": "Empty", "protocol_type": "", "members": [],
        "offsets": [{"topic": "heartbeats", "partition": 0, "offset": 1}]
    }));
    let (code, d) = diff(&b, &new, &[]);
    assert_eq!(code, 1);
    assert_eq!(d["path"], "new-cluster");
    let f: BTreeSet<(String, String, String)> = failing(&d)
        .iter()
        .map(|i| {
            (
                i["category"].as_str().unwrap().into(),
                i["resource"].as_str().unwrap().into(),
                i["key"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String, String)> = [
        ("group-offsets", "group:app1", "orders-0"),
        ("consumer-groups", "group:app-live", ""),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(f, want, "{d:#}");
    let app1 = failing(&d)
        .into_iter()
        .find(|i| i["resource"] == "group:app1")
        .unwrap();
    // lag 20 on the old side; 113 - 90 = 23 on the new one: 3 records read again
    assert!(
        app1["message"]
            .as_str()
            .unwrap()
            .contains("3 records would be read again"),
        "{app1}"
    );
    let expected: BTreeSet<&str> = items_with(&d, "expected")
        .iter()
        .map(|i| i["resource"].as_str().unwrap())
        .collect();
    for r in [
        "cluster",
        "topic:__consumer_offsets",
        "topic:heartbeats",
        "group:source-mm2",
    ] {
        assert!(expected.contains(r), "{r}: {expected:?}");
    }
    // Forcing the in-place path on the same data makes the shifted offsets losses.
    let (_, d) = diff(&b, &new, &["--profile", "inplace"]);
    assert!(failing(&d).len() > 2);
}

/// MirrorMaker 2 with its DefaultReplicationPolicy renames topics: --source-alias maps them.
#[test]
fn source_alias_maps_topics_acls_and_offsets() {
    let b = before();
    let mut new = b.clone();
    new["cluster"]["id"] = json!("NewKraftCluster0000000A");
    for t in new["topics"].as_array_mut().unwrap() {
        if t["internal"] != true {
            let n = format!("src.{}", t["name"].as_str().unwrap());
            t["name"] = json!(n);
        }
    }
    for a in new["acls"].as_array_mut().unwrap() {
        if a["resource_type"] == "TOPIC" && a["resource_name"] != "*" {
            let n = format!("src.{}", a["resource_name"].as_str().unwrap());
            a["resource_name"] = json!(n);
        }
    }
    for g in new["groups"].as_array_mut().unwrap() {
        for o in g["offsets"].as_array_mut().unwrap() {
            let n = format!("src.{}", o["topic"].as_str().unwrap());
            o["topic"] = json!(n);
        }
    }
    let (code, d) = diff(&b, &new, &["--source-alias", "src"]);
    assert_eq!(code, 0, "{:#?}", failing(&d));
    // Without the alias every topic is missing.
    let (code, d) = diff(&b, &new, &[]);
    assert_eq!(code, 1);
    assert!(failing(&d).iter().any(|i| i["category"] == "topics"));
}

/// Ids not kept on the new cluster: a per-broker dynamic config counts as carried when it is
/// a dynamic default there, and as missing otherwise.
#[test]
fn per_broker_configs_fall_back_to_defaults_when_ids_change() {
    let b = before();
    let mut new = b.clone();
    new["cluster"]["id"] = json!("NewKraftCluster0000000A");
    for (i, br) in new["brokers"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        br["id"] = json!(101 + i);
        let c = br["configs"].as_object_mut().unwrap();
        c.remove("log.cleaner.io.max.bytes.per.second");
        c.remove("log.cleaner.backoff.ms");
        c.remove("listener.name.sasl_ssl.ssl.keystore.password");
        c.insert(
            "log.cleaner.backoff.ms".into(),
            json!({"value": "30000", "source": "DYNAMIC_DEFAULT_BROKER_CONFIG", "sensitive": false}),
        );
    }
    let (_, d) = diff(&b, &new, &[]);
    let lost: BTreeSet<(String, String)> = failing(&d)
        .iter()
        .filter(|i| i["category"] == "broker-configs")
        .map(|i| {
            (
                i["resource"].as_str().unwrap().into(),
                i["key"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String)> = [
        ("broker:1", "log.cleaner.io.max.bytes.per.second"),
        ("broker:1", "listener.name.sasl_ssl.ssl.keystore.password"),
        ("broker:2", "listener.name.sasl_ssl.ssl.keystore.password"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(
        lost, want,
        "broker 2's log.cleaner.backoff.ms is a default on the new side"
    );
}

/// A part the new inventory could not collect makes its category not comparable: exit 1,
/// never a silent pass.
#[test]
fn gaps_are_unknown_never_parity() {
    let b = before();
    let mut new = b.clone();
    new["acls"] = json!([]);
    new["gaps"] = json!([{"part": "acls", "reason": "unauthorized", "detail": "DescribeAcls needs DESCRIBE on CLUSTER"}]);
    let (code, d) = diff(&b, &new, &[]);
    assert_eq!(code, 1);
    let f = failing(&d);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0]["status"], "unknown");
    assert_eq!(f[0]["category"], "acls");
    assert!(f[0]["message"].as_str().unwrap().contains("unauthorized"));
}

#[test]
fn bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", &before());
    let not_json = dir.path().join("bad.json");
    std::fs::write(&not_json, "{ not json").unwrap();
    let mut old_schema = before();
    old_schema["schema_version"] = json!(99);
    let old_schema = write(dir.path(), "v99.json", &old_schema);
    let missing = dir.path().join("nope.json");
    let cases: Vec<Vec<String>> = vec![
        vec![good.display().to_string(), missing.display().to_string()],
        vec![good.display().to_string(), not_json.display().to_string()],
        vec![old_schema.display().to_string(), good.display().to_string()],
        vec![good.display().to_string()],
        vec![
            good.display().to_string(),
            good.display().to_string(),
            "--profile".into(),
            "kafka4".into(),
        ],
        vec![
            good.display().to_string(),
            good.display().to_string(),
            "--profile".into(),
            "inplace".into(),
            "--source-alias".into(),
            "src".into(),
        ],
    ];
    for args in cases {
        let out = Command::cargo_bin("kraftcheck")
            .unwrap()
            .arg("diff")
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("error"),
            "{args:?}"
        );
    }
}

/// Every format renders, SARIF validates against the official schema, JUnit is well-formed
/// XML with one failure per loss, and hostile names are escaped in HTML and Markdown.
#[test]
fn every_format_renders_and_escapes() {
    let b = before();
    let mut new = b.clone();
    // a hostile topic name only on the old side, and one ACL lost
    let mut evil = topic_mut(&mut new, "orders-eu").clone();
    evil["name"] = json!("<script>alert(1)</script>|x");
    let mut old = b.clone();
    old["topics"].as_array_mut().unwrap().push(evil);
    new["acls"].as_array_mut().unwrap().remove(0);
    let dir = tempfile::tempdir().unwrap();
    let (o, n) = (
        write(dir.path(), "old.json", &old),
        write(dir.path(), "new.json", &new),
    );
    let outdir = dir.path().join("out");
    let out = Command::cargo_bin("kraftcheck")
        .unwrap()
        .arg("diff")
        .arg(&o)
        .arg(&n)
        .args([
            "-f", "table", "-f", "markdown", "-f", "html", "-f", "json", "-f", "sarif", "-f",
            "junit", "-o",
        ])
        .arg(&outdir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |f: &str| std::fs::read_to_string(outdir.join(f)).unwrap();
    let json: Value = serde_json::from_str(&read("kraftcheck-diff.json")).unwrap();
    let losses = failing(&json).len();
    assert_eq!(losses, 2, "{json:#}");

    let html = read("kraftcheck-diff.html");
    assert!(!html.contains("<script>"), "unescaped HTML");
    assert!(html.contains("&lt;script&gt;"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "not self-contained"
    );
    assert!(html.contains("DIFFERENCES"));

    let md = read("kraftcheck-diff.md");
    // Outside code spans (where CommonMark shows HTML literally), no raw HTML.
    let outside_code: String = md
        .lines()
        .flat_map(|l| {
            l.split('`')
                .step_by(2)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(!outside_code.contains("<script>"), "{md}");
    assert!(
        md.contains("<script>alert(1)</script>"),
        "the name is shown, in a code span"
    );
    assert!(md.contains("DIFFERENCES"));
    // every table row has the same number of cells despite the `|` in the name
    for line in md.lines().filter(|l| l.starts_with("| missing")) {
        let cells = line.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 7, "{line}");
    }
    assert!(read("kraftcheck-diff.txt").contains("Verdict: DIFFERENCES"));

    let xml = read("kraftcheck-diff.junit.xml");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed JUnit XML");
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failures, losses);

    let sarif: Value = serde_json::from_str(&read("kraftcheck-diff.sarif")).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        losses
    );
    for r in sarif["runs"][0]["results"].as_array().unwrap() {
        assert_eq!(r["level"], "error");
        // points at the old inventory file, on the line of the lost item
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("old.json"));
        assert!(loc["region"]["startLine"].as_u64().unwrap() > 1);
    }
    let mut schema: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture_path("sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    // the schema's one malformed pattern, escaped as tests/reports.rs does
    fn fix(v: &mut Value) {
        const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
        match v {
            Value::Object(m) => {
                if m.get("pattern") == Some(&json!(STRAY)) {
                    m.insert("pattern".into(), json!(STRAY.replace("}]?", "}\\]?")));
                }
                m.values_mut().for_each(fix);
            }
            Value::Array(a) => a.iter_mut().for_each(fix),
            _ => {}
        }
    }
    fix(&mut schema);
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// A large inventory (20 000 partitions, 2 000 groups) diffs quickly: the comparison is
/// hash-based, not quadratic.
#[test]
fn large_inventories_diff_quickly() {
    let mut big = before();
    let template = topic_mut(&mut big, "orders").clone();
    let mut topics = Vec::new();
    for i in 0..2000 {
        let mut t = template.clone();
        t["name"] = json!(format!("topic-{i:05}"));
        t["id"] = json!(null);
        let parts: Vec<Value> = (0..10)
            .map(|p| json!({"id": p, "leader": 1, "replicas": [1, 2], "isr": [1, 2], "log_end_offset": 1000 + p}))
            .collect();
        t["partitions"] = json!(parts);
        topics.push(t);
    }
    big["topics"].as_array_mut().unwrap().extend(topics);
    let mut groups = Vec::new();
    for g in 0..2000 {
        let offs: Vec<Value> = (0..10)
            .map(|p| json!({"topic": format!("topic-{:05}", g % 2000), "partition": p, "offset": 900 + p}))
            .collect();
        groups.push(json!({"id": format!("group-{g:05}"), "state": "Empty", "protocol_type": "consumer", "members": [], "offsets": offs}));
    }
    big["groups"].as_array_mut().unwrap().extend(groups);
    let mut damaged = big.clone();
    damaged["groups"].as_array_mut().unwrap().pop();
    let t0 = std::time::Instant::now();
    let (code, d) = diff(&big, &damaged, &[]);
    let took = t0.elapsed();
    assert_eq!(code, 1);
    assert_eq!(failing(&d).len(), 1);
    eprintln!("diff of 2 005 topics / 20 000+ partitions / 2 003 groups: {took:?}");
    assert!(took.as_secs() < 20, "took {took:?}");
}
