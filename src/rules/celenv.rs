//! The CEL environment rules run in: helper functions, and the conversion of the inventory
//! into CEL values (with a few derived fields that keep rule conditions short).

use crate::inventory::Inventory;
use crate::version::{self, KafkaVersion};
use cel::objects::{Key, Map};
use cel::{Context, Env, ExecutionError, Value};
use serde_json::{json, Value as Json};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Helper functions rules may call, with a one-line description each (`rules explain` and
/// the README list them).
pub const FUNCTIONS: &[(&str, &str)] = &[
    (
        "cfg(item, key)",
        "config value as a string, or null when unset or redacted",
    ),
    (
        "has_cfg(item, key)",
        "true when the key is set (even if its value is redacted)",
    ),
    (
        "cfg_or(item, key, default)",
        "config value, or `default` when unset",
    ),
    (
        "cfg_source(item, key)",
        "Kafka config source of the key (STATIC_BROKER_CONFIG, DYNAMIC_TOPIC_CONFIG, …), or null",
    ),
    (
        "version_lt(a, b) / version_le / version_gt / version_ge / version_eq",
        "Kafka/MSK version comparison (3.9.1, 3.7.x.kraft, 2.8.2.tiered, 3.6-IV1)",
    ),
    (
        "version_valid(s)",
        "true when s parses as a Kafka/MSK version",
    ),
    (
        "is_kraft_version(s)",
        "true for MSK `.kraft` version strings",
    ),
    ("major_minor(s)", "`3.9` for `3.9.1`"),
    (
        "split_list(s)",
        "comma-separated config value as a list of trimmed, non-empty strings",
    ),
    (
        "proto_removed(api, version, target)",
        "true when Kafka `target` refuses requests at that API version (KIP-896 final table; JoinGroup v0–1 only in 4.0.0)",
    ),
    (
        "iam_match(pattern, value)",
        "IAM wildcard match (`*` any run, `?` one character; case-sensitive, as for Resource)",
    ),
    (
        "kafka_actions(stmt)",
        "the Kafka actions (kafka-cluster:* and kafka:*) an IAM statement's Action/NotAction covers",
    ),
    (
        "msk_pin(resource, cluster_arn)",
        "`uuid` when an IAM Resource matches the cluster's resources only with its UUID, `name` when only with its name, else ``",
    ),
];

pub fn env() -> Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        env.add_extension(cel::extensions::strings)
            .expect("strings extension");
        Arc::new(env)
    })
    .clone()
}

fn err(f: &str, msg: impl ToString) -> ExecutionError {
    ExecutionError::function_error(f, msg)
}

fn config_entry<'a>(item: &'a Value, key: &str) -> Option<&'a Value> {
    let Value::Map(m) = item else { return None };
    let Value::Map(configs) = m.map.get(&Key::String(Arc::new("configs".into())))? else {
        return None;
    };
    configs.map.get(&Key::String(Arc::new(key.to_string())))
}

fn field<'a>(entry: &'a Value, name: &str) -> Option<&'a Value> {
    let Value::Map(m) = entry else { return None };
    m.map.get(&Key::String(Arc::new(name.to_string())))
}

fn ver(f: &str, v: &Value) -> Result<KafkaVersion, ExecutionError> {
    match v {
        Value::String(s) => KafkaVersion::parse(s).map_err(|e| err(f, e)),
        Value::Null => Err(err(f, "version is unknown (null)")),
        other => Err(err(f, format!("expected a version string, got {other:?}"))),
    }
}

fn version_cmp(f: &str, a: &Value, b: &Value) -> Result<Ordering, ExecutionError> {
    Ok(ver(f, a)?.cmp(&ver(f, b)?))
}

/// A root context with every helper function registered.
pub fn root_context() -> Context<'static, 'static> {
    let mut ctx = Context::with_env(env());
    ctx.add_function("cfg", |item: Value, key: Arc<String>| -> Value {
        config_entry(&item, &key)
            .and_then(|e| field(e, "value"))
            .cloned()
            .unwrap_or(Value::Null)
    })
    .expect("cfg");
    ctx.add_function("has_cfg", |item: Value, key: Arc<String>| -> Value {
        Value::Bool(config_entry(&item, &key).is_some())
    })
    .expect("has_cfg");
    ctx.add_function(
        "cfg_or",
        |item: Value, key: Arc<String>, default: Value| -> Value {
            match config_entry(&item, &key).and_then(|e| field(e, "value")) {
                Some(v @ Value::String(_)) => v.clone(),
                _ => default,
            }
        },
    )
    .expect("cfg_or");
    ctx.add_function("cfg_source", |item: Value, key: Arc<String>| -> Value {
        config_entry(&item, &key)
            .and_then(|e| field(e, "source"))
            .cloned()
            .unwrap_or(Value::Null)
    })
    .expect("cfg_source");
    macro_rules! cmp_fn {
        ($name:literal, $pred:expr) => {
            ctx.add_function(
                $name,
                |a: Value, b: Value| -> Result<Value, ExecutionError> {
                    let o = version_cmp($name, &a, &b)?;
                    #[allow(clippy::redundant_closure_call)]
                    Ok(Value::Bool(($pred)(o)))
                },
            )
            .expect($name);
        };
    }
    cmp_fn!("version_lt", |o| o == Ordering::Less);
    cmp_fn!("version_le", |o| o != Ordering::Greater);
    cmp_fn!("version_gt", |o| o == Ordering::Greater);
    cmp_fn!("version_ge", |o| o != Ordering::Less);
    cmp_fn!("version_eq", |o| o == Ordering::Equal);
    ctx.add_function("version_valid", |v: Value| -> Value {
        Value::Bool(matches!(&v, Value::String(s) if KafkaVersion::parse(s).is_ok()))
    })
    .expect("version_valid");
    ctx.add_function(
        "is_kraft_version",
        |v: Value| -> Result<Value, ExecutionError> {
            Ok(Value::Bool(ver("is_kraft_version", &v)?.is_kraft()))
        },
    )
    .expect("is_kraft_version");
    ctx.add_function("major_minor", |v: Value| -> Result<Value, ExecutionError> {
        Ok(Value::String(Arc::new(
            ver("major_minor", &v)?.major_minor(),
        )))
    })
    .expect("major_minor");
    ctx.add_function("split_list", |v: Value| -> Result<Value, ExecutionError> {
        match v {
            Value::Null => Ok(Value::List(Arc::new(vec![]))),
            Value::String(s) => Ok(Value::List(Arc::new(
                s.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| Value::String(Arc::new(p.to_string())))
                    .collect(),
            ))),
            other => Err(err(
                "split_list",
                format!("expected a string, got {other:?}"),
            )),
        }
    })
    .expect("split_list");
    fn sort_key(v: &Value) -> (u8, String, f64) {
        match v {
            Value::Int(i) => (0, String::new(), *i as f64),
            Value::UInt(u) => (0, String::new(), *u as f64),
            Value::Float(f) => (0, String::new(), *f),
            Value::String(s) => (1, s.to_string(), 0.0),
            other => (2, format!("{other:?}"), 0.0),
        }
    }
    fn sorted_values(l: &[Value]) -> Vec<Value> {
        let mut v = l.to_vec();
        v.sort_by(|a, b| {
            let (ka, kb) = (sort_key(a), sort_key(b));
            ka.0.cmp(&kb.0)
                .then(ka.1.cmp(&kb.1))
                .then(ka.2.partial_cmp(&kb.2).unwrap_or(Ordering::Equal))
        });
        v
    }
    ctx.add_function("sorted", |l: Arc<Vec<Value>>| -> Value {
        Value::List(Arc::new(sorted_values(&l)))
    })
    .expect("sorted");
    ctx.add_function("distinct", |l: Arc<Vec<Value>>| -> Value {
        let mut v = sorted_values(&l);
        v.dedup();
        Value::List(Arc::new(v))
    })
    .expect("distinct");
    ctx.add_function(
        "iam_match",
        |pattern: Arc<String>, value: Arc<String>| -> Value {
            Value::Bool(crate::inventory::iampattern::wildcard_match(
                &pattern, &value,
            ))
        },
    )
    .expect("iam_match");
    ctx.add_function("kafka_actions", |stmt: Value| -> Value {
        let st = statement_of(&stmt);
        Value::List(Arc::new(
            crate::inventory::iampattern::kafka_actions(&st)
                .into_iter()
                .map(|a| Value::String(Arc::new(a.to_string())))
                .collect(),
        ))
    })
    .expect("kafka_actions");
    ctx.add_function(
        "msk_pin",
        |resource: Arc<String>, arn: Value| -> Result<Value, ExecutionError> {
            let Value::String(arn) = arn else {
                return Err(err("msk_pin", "the cluster ARN is unknown (null)"));
            };
            let by = crate::inventory::iampattern::msk_pin(&resource, &arn)
                .map(|(_, by)| by)
                .unwrap_or("");
            Ok(Value::String(Arc::new(by.to_string())))
        },
    )
    .expect("msk_pin");
    ctx.add_function(
        "proto_removed",
        |api: Arc<String>, version: i64, target: Value| -> Result<Value, ExecutionError> {
            let t = ver("proto_removed", &target)?;
            let v = i16::try_from(version).map_err(|_| err("proto_removed", "bad version"))?;
            Ok(Value::Bool(crate::compat::removed_in(&api, v, &t)))
        },
    )
    .expect("proto_removed");
    ctx.add_function(
        "unknown",
        |reason: Arc<String>| -> Result<Value, ExecutionError> {
            Err(ExecutionError::function_error("unknown", reason.as_str()))
        },
    )
    .expect("unknown");
    ctx
}

/// An IAM statement (CEL map) as the typed statement the IAM helpers take.
fn statement_of(v: &Value) -> crate::inventory::IamStatement {
    let list = |k: &str| -> Vec<String> {
        match field(v, k) {
            Some(Value::List(l)) => l
                .iter()
                .filter_map(|x| match x {
                    Value::String(s) => Some(s.to_string()),
                    _ => None,
                })
                .collect(),
            Some(Value::String(s)) => vec![s.to_string()],
            _ => vec![],
        }
    };
    crate::inventory::IamStatement {
        effect: match field(v, "effect") {
            Some(Value::String(s)) => s.to_string(),
            _ => "Allow".into(),
        },
        actions: list("actions"),
        not_actions: list("not_actions"),
        resources: list("resources"),
        not_resources: list("not_resources"),
        ..Default::default()
    }
}

/// IAM statements flattened for the `iam_statement` scope: one item per Kafka statement of a
/// customer managed policy or an inline policy, with the principals it reaches.
fn iam_statements(inv: &Inventory) -> Json {
    let Some(iam) = &inv.iam else {
        return json!([]);
    };
    let mut out = Vec::new();
    let item = |st: &crate::inventory::IamStatement,
                id: String,
                pointer: String,
                policy: &str,
                policy_arn: &str,
                kind: &str,
                principals: Vec<String>| {
        json!({
            "id": id,
            "pointer": pointer,
            "policy": policy,
            "policy_arn": policy_arn,
            "policy_kind": kind,
            "principals": principals,
            "index": st.index,
            "sid": st.sid.clone().unwrap_or_default(),
            "effect": st.effect,
            "actions": st.actions,
            "not_actions": st.not_actions,
            "resources": st.resources,
            "not_resources": st.not_resources,
            "conditions": st.conditions,
        })
    };
    let label = |st: &crate::inventory::IamStatement| match &st.sid {
        Some(sid) => sid.clone(),
        None => format!("#{}", st.index),
    };
    for (pi, p) in iam.policies.iter().enumerate() {
        // Who gets the policy: directly attached, and users through groups that attach it.
        let mut principals: Vec<String> = Vec::new();
        for who in &iam.principals {
            if who.attached_policies.contains(&p.arn) {
                principals.push(format!("{}:{}", who.kind, who.name));
                if who.kind == "group" {
                    for u in iam
                        .principals
                        .iter()
                        .filter(|u| u.groups.contains(&who.name))
                    {
                        principals.push(format!("{}:{} (via group {})", u.kind, u.name, who.name));
                    }
                }
            }
        }
        principals.sort();
        principals.dedup();
        for (si, st) in p.statements.iter().enumerate() {
            out.push(item(
                st,
                format!("policy/{}:{}", p.name, label(st)),
                format!("/iam/policies/{pi}/statements/{si}"),
                &p.name,
                &p.arn,
                "managed",
                principals.clone(),
            ));
        }
    }
    for (wi, who) in iam.principals.iter().enumerate() {
        let mut principals = vec![format!("{}:{}", who.kind, who.name)];
        if who.kind == "group" {
            for u in iam
                .principals
                .iter()
                .filter(|u| u.groups.contains(&who.name))
            {
                principals.push(format!("{}:{} (via group {})", u.kind, u.name, who.name));
            }
        }
        for (ii, ip) in who.inline_policies.iter().enumerate() {
            for (si, st) in ip.statements.iter().enumerate() {
                out.push(item(
                    st,
                    format!("{}/{}/{}:{}", who.kind, who.name, ip.name, label(st)),
                    format!("/iam/principals/{wi}/inline_policies/{ii}/statements/{si}"),
                    &ip.name,
                    "",
                    "inline",
                    principals.clone(),
                ));
            }
        }
    }
    Json::Array(out)
}

/// A JSON value as a CEL value.
pub fn to_cel(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(Arc::new(s.clone())),
        Json::Array(a) => Value::List(Arc::new(a.iter().map(to_cel).collect())),
        Json::Object(o) => {
            let map: HashMap<Key, Value> = o
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), to_cel(v)))
                .collect();
            Value::Map(Map { map: Arc::new(map) })
        }
    }
}

/// A CEL value as JSON (for evidence).
pub fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::UInt(u) => json!(u),
        Value::Float(f) => json!(f),
        Value::String(s) => json!(s.as_str()),
        Value::List(l) => Json::Array(l.iter().map(to_json).collect()),
        Value::Map(m) => {
            let mut entries: Vec<(String, Json)> = m
                .map
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        Key::String(s) => s.to_string(),
                        Key::Int(i) => i.to_string(),
                        Key::Uint(u) => u.to_string(),
                        Key::Bool(b) => b.to_string(),
                    };
                    (key, to_json(v))
                })
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Object(entries.into_iter().collect())
        }
        other => json!(format!("{other:?}")),
    }
}

/// The inventory as JSON, with derived fields rules use often:
/// topics get `partition_count`, `replication_factor`, `offline_partitions`,
/// `under_replicated_partitions`, `min_isr` and `under_min_isr_partitions`;
/// the root gets `broker_ids`.
pub fn inventory_view(inv: &Inventory) -> Json {
    let mut root = serde_json::to_value(inv).expect("inventory serializes");
    let default_min_isr: i64 = inv
        .brokers
        .iter()
        .find_map(|b| {
            b.configs
                .get("min.insync.replicas")
                .and_then(|e| e.value.as_deref())
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(1);
    if let Some(topics) = root.get_mut("topics").and_then(Json::as_array_mut) {
        for (t, src) in topics.iter_mut().zip(&inv.topics) {
            let min_isr: i64 = src
                .configs
                .get("min.insync.replicas")
                .and_then(|e| e.value.as_deref())
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(default_min_isr);
            let o = t.as_object_mut().expect("topic is an object");
            o.insert("partition_count".into(), json!(src.partitions.len()));
            o.insert(
                "replication_factor".into(),
                json!(src
                    .partitions
                    .iter()
                    .map(|p| p.replicas.len())
                    .max()
                    .unwrap_or(0)),
            );
            o.insert(
                "offline_partitions".into(),
                json!(src.partitions.iter().filter(|p| p.leader < 0).count()),
            );
            o.insert(
                "under_replicated_partitions".into(),
                json!(src
                    .partitions
                    .iter()
                    .filter(|p| p.isr.len() < p.replicas.len())
                    .count()),
            );
            o.insert("min_isr".into(), json!(min_isr));
            o.insert(
                "under_min_isr_partitions".into(),
                json!(src
                    .partitions
                    .iter()
                    .filter(|p| (p.isr.len() as i64) < min_isr)
                    .count()),
            );
        }
    }
    let ids: Vec<i64> = inv.brokers.iter().map(|b| b.id).collect();
    let o = root.as_object_mut().expect("object");
    o.insert("broker_ids".into(), json!(ids));
    o.insert("iam_statements".into(), iam_statements(inv));
    // Client software and protocol usage (issue 5): `client_requests`, `client_software`,
    // `dependencies`, with their 4.x verdicts.
    for (k, v) in crate::compat::cel_lists(inv) {
        o.insert(k.into(), v);
    }
    root
}

/// Compare two version strings for Rust callers (profiles, reports).
pub fn version_ge(a: &str, b: &str) -> bool {
    matches!(
        version::compare(a, b),
        Ok(Ordering::Greater | Ordering::Equal)
    )
}
