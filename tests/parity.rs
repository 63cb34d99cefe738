//! Parity with Kafka's own tools: what `kraftcheck collect` gathers from the seeded ZooKeeper
//! rig equals what kafka-topics, kafka-configs, kafka-acls and kafka-consumer-groups report
//! for the same cluster, field by field.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

fn env(key: &str) -> String {
    let var = format!("KRAFTCHECK_RIG_ZK39_{key}");
    std::env::var(&var).unwrap_or_else(|_| {
        panic!("{var} is not set: run scripts/test-all (it starts the Kafka rig)")
    })
}

fn tool(name: &str, args: &[&str]) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new(format!("{root}/rig/rig.sh"))
        .args([
            "tool",
            "zk39",
            name,
            "--bootstrap-server",
            &env("BOOTSTRAP"),
        ])
        .args(args)
        .output()
        .expect("rig/rig.sh runs");
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn inventory() -> Value {
    let out = assert_cmd::Command::cargo_bin("kraftcheck")
        .unwrap()
        .args(["collect", "--bootstrap-server", &env("BOOTSTRAP")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// topic → (topic id, partition → (leader, replicas, isr))
type Assignment = BTreeMap<String, (String, BTreeMap<i64, (i64, Vec<i64>, Vec<i64>)>)>;

fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    line.split('\t')
        .map(str::trim)
        .find_map(|p| p.strip_prefix(&format!("{name}: ")))
}

fn ids(s: &str) -> Vec<i64> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(|x| x.trim().parse().unwrap())
        .collect()
}

#[test]
fn topics_and_partitions_match_kafka_topics() {
    let inv = inventory();
    let text = tool("kafka-topics", &["--describe", "--exclude-internal"]);
    // topic → (id, partition → (leader, replicas, isr))
    let mut cli: Assignment = BTreeMap::new();
    for line in text.lines() {
        let Some(topic) = field(line, "Topic") else {
            continue;
        };
        if let Some(p) = field(line, "Partition") {
            let leader = field(line, "Leader")
                .map(|l| if l == "none" { -1 } else { l.parse().unwrap() })
                .unwrap();
            let entry = cli
                .get_mut(topic)
                .expect("topic line precedes its partitions");
            entry.1.insert(
                p.parse().unwrap(),
                (
                    leader,
                    ids(field(line, "Replicas").unwrap()),
                    ids(field(line, "Isr").unwrap()),
                ),
            );
        } else {
            cli.insert(
                topic.to_string(),
                (
                    field(line, "TopicId").unwrap_or_default().to_string(),
                    BTreeMap::new(),
                ),
            );
        }
    }
    assert!(cli.len() >= 5, "the seeded rig should have topics: {text}");
    let mut ours: Assignment = BTreeMap::new();
    for t in inv["topics"].as_array().unwrap() {
        if t["internal"].as_bool().unwrap() {
            continue;
        }
        let parts = t["partitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let v = |k: &str| {
                    p[k].as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_i64().unwrap())
                        .collect::<Vec<_>>()
                };
                (
                    p["id"].as_i64().unwrap(),
                    (p["leader"].as_i64().unwrap(), v("replicas"), v("isr")),
                )
            })
            .collect();
        ours.insert(
            t["name"].as_str().unwrap().to_string(),
            (t["id"].as_str().unwrap_or_default().to_string(), parts),
        );
    }
    assert_eq!(ours, cli);
}

#[test]
fn topic_configs_match_kafka_configs() {
    let inv = inventory();
    let text = tool("kafka-configs", &["--describe", "--entity-type", "topics"]);
    let mut cli: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("Dynamic configs for topic ") {
            let name = rest.trim_end_matches(" are:").to_string();
            cli.entry(name.clone()).or_default();
            current = Some(name);
        } else if let (Some(t), Some(kv)) = (&current, line.strip_prefix("  ")) {
            let kv = kv.split(" sensitive=").next().unwrap();
            let (k, v) = kv.split_once('=').unwrap();
            cli.get_mut(t).unwrap().insert(k.to_string(), v.to_string());
        }
    }
    cli.retain(|_, v| !v.is_empty());
    let mut ours: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for t in inv["topics"].as_array().unwrap() {
        let cfgs: BTreeMap<String, String> = t["configs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, e)| (k.clone(), e["value"].as_str().unwrap_or("null").to_string()))
            .collect();
        if !cfgs.is_empty() {
            ours.insert(t["name"].as_str().unwrap().to_string(), cfgs);
        }
    }
    assert!(
        cli.values()
            .any(|c| c.contains_key("message.format.version")),
        "seeded message.format.version override missing: {text}"
    );
    assert_eq!(ours, cli);
}

#[test]
fn dynamic_broker_configs_match_kafka_configs() {
    let inv = inventory();
    for b in inv["brokers"].as_array().unwrap() {
        let id = b["id"].to_string();
        let text = tool(
            "kafka-configs",
            &[
                "--describe",
                "--entity-type",
                "brokers",
                "--entity-name",
                &id,
            ],
        );
        let cli: BTreeMap<String, String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("  "))
            .map(|kv| {
                let kv = kv.split(" sensitive=").next().unwrap();
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_string(), v.to_string())
            })
            .collect();
        let ours: BTreeMap<String, String> = b["configs"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, e)| e["source"] == "DYNAMIC_BROKER_CONFIG")
            .map(|(k, e)| (k.clone(), e["value"].as_str().unwrap_or("null").to_string()))
            .collect();
        assert_eq!(ours, cli, "broker {id}");
    }
}

#[test]
fn acls_match_kafka_acls() {
    let inv = inventory();
    let text = tool("kafka-acls", &["--list"]);
    let mut cli = BTreeSet::new();
    let mut pattern: Option<(String, String, String)> = None;
    for line in text.lines() {
        if let Some(rest) = line.split("ResourcePattern(").nth(1) {
            let inner = rest.split(")`").next().unwrap();
            let get = |k: &str| {
                inner
                    .split(", ")
                    .find_map(|p| p.strip_prefix(&format!("{k}=")))
                    .unwrap()
                    .to_string()
            };
            pattern = Some((get("resourceType"), get("name"), get("patternType")));
        } else if let (Some((rt, name, pt)), Some(inner)) =
            (&pattern, line.trim().strip_prefix("(principal="))
        {
            let inner = inner.trim_end_matches(')');
            let mut parts = inner.split(", ");
            let principal = parts.next().unwrap().to_string();
            let get = |p: Option<&str>, k: &str| {
                p.unwrap()
                    .strip_prefix(&format!("{k}="))
                    .unwrap()
                    .to_string()
            };
            let host = get(parts.next(), "host");
            let op = get(parts.next(), "operation");
            let perm = get(parts.next(), "permissionType");
            cli.insert((
                principal,
                host,
                rt.clone(),
                name.clone(),
                pt.clone(),
                op,
                perm,
            ));
        }
    }
    let ours: BTreeSet<_> = inv["acls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let s = |k: &str| a[k].as_str().unwrap().to_string();
            (
                s("principal"),
                s("host"),
                s("resource_type"),
                s("resource_name"),
                s("pattern_type"),
                s("operation"),
                s("permission"),
            )
        })
        .collect();
    assert!(
        cli.iter().any(|a| a.4 == "PREFIXED") && cli.iter().any(|a| a.2 == "TRANSACTIONAL_ID"),
        "seeded ACLs missing: {text}"
    );
    assert_eq!(ours, cli);
}

#[test]
fn scram_users_and_quotas_match_kafka_configs() {
    let inv = inventory();
    let mut cli_scram: BTreeMap<String, BTreeSet<(String, i64)>> = BTreeMap::new();
    let mut cli_quotas: BTreeSet<(String, String)> = BTreeSet::new();
    for args in [
        vec!["--describe", "--entity-type", "users"],
        vec!["--describe", "--entity-type", "clients"],
        vec!["--describe", "--entity-type", "ips"],
        vec![
            "--describe",
            "--entity-type",
            "users",
            "--entity-type",
            "clients",
        ],
    ] {
        for line in tool("kafka-configs", &args).lines() {
            if let Some(rest) = line.strip_prefix("SCRAM credential configs for user-principal '") {
                let (user, creds) = rest.split_once("' are ").unwrap();
                for c in creds.split(", ") {
                    let (mech, it) = c.split_once("=iterations=").unwrap();
                    cli_scram
                        .entry(user.to_string())
                        .or_default()
                        .insert((mech.to_string(), it.parse().unwrap()));
                }
            } else if let Some(rest) = line.strip_prefix("Quota configs for ") {
                let (entity, values) = rest.split_once(" are ").unwrap();
                let mut e: Vec<String> = entity
                    .split(", ")
                    .map(|p| {
                        let (kind, name) = match p.strip_prefix("the default ") {
                            Some(k) => (k.to_string(), String::new()),
                            None => {
                                let (k, n) = p.split_once(" '").unwrap();
                                (k.to_string(), n.trim_end_matches('\'').to_string())
                            }
                        };
                        format!("{}={name}", kind.replace("user-principal", "user"))
                    })
                    .collect();
                e.sort();
                // Java prints doubles its own way (1.048576E8): compare the numbers.
                let mut v: Vec<String> = values
                    .split(", ")
                    .map(|x| {
                        let (k, n) = x.split_once('=').unwrap();
                        format!("{k}={:?}", n.parse::<f64>().unwrap())
                    })
                    .collect();
                v.sort();
                cli_quotas.insert((e.join(","), v.join(",")));
            }
        }
    }
    let ours_scram: BTreeMap<String, BTreeSet<(String, i64)>> = inv["scram_users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let creds = u["credentials"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["mechanism"].as_str().unwrap().to_string(),
                        c["iterations"].as_i64().unwrap(),
                    )
                })
                .collect();
            (u["name"].as_str().unwrap().to_string(), creds)
        })
        .collect();
    let ours_quotas: BTreeSet<(String, String)> = inv["quotas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let mut e: Vec<String> = q["entity"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
                .collect();
            e.sort();
            let mut v: Vec<String> = q["values"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| format!("{k}={:?}", v.as_f64().unwrap()))
                .collect();
            v.sort();
            (e.join(","), v.join(","))
        })
        .collect();
    assert!(ours_scram.len() >= 3, "seeded SCRAM users missing");
    assert_eq!(ours_scram, cli_scram);
    assert!(!cli_quotas.is_empty(), "seeded quotas missing");
    assert_eq!(ours_quotas, cli_quotas);
}

#[test]
fn groups_and_offsets_match_kafka_consumer_groups() {
    let inv = inventory();
    let text = tool("kafka-consumer-groups", &["--describe", "--all-groups"]);
    let mut cli = BTreeSet::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() >= 6 && cols[0] != "GROUP" && cols[2].parse::<i32>().is_ok() {
            if let Ok(off) = cols[3].parse::<i64>() {
                cli.insert((
                    cols[0].to_string(),
                    cols[1].to_string(),
                    cols[2].parse::<i32>().unwrap(),
                    off,
                ));
            }
        }
    }
    let ours: BTreeSet<(String, String, i32, i64)> = inv["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| {
            let id = g["id"].as_str().unwrap().to_string();
            g["offsets"].as_array().unwrap().iter().map(move |o| {
                (
                    id.clone(),
                    o["topic"].as_str().unwrap().to_string(),
                    o["partition"].as_i64().unwrap() as i32,
                    o["offset"].as_i64().unwrap(),
                )
            })
        })
        .collect();
    assert!(!cli.is_empty(), "seeded group offsets missing: {text}");
    assert_eq!(ours, cli);
    // Lag as the tool computes it (log end offset − committed offset).
    let states = tool(
        "kafka-consumer-groups",
        &["--describe", "--all-groups", "--state"],
    );
    for g in inv["groups"].as_array().unwrap() {
        let id = g["id"].as_str().unwrap();
        let row = states
            .lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("{id} not in {states}"));
        let cols: Vec<&str> = row.split_whitespace().collect();
        let members: usize = cols.last().unwrap().parse().unwrap();
        assert_eq!(
            g["members"].as_array().unwrap().len(),
            members,
            "{id}: {row}"
        );
        assert!(
            row.contains(g["state"].as_str().unwrap()),
            "{id}: state {} vs {row}",
            g["state"]
        );
    }
}
