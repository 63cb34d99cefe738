//! The CEL environment rules run in: helper functions, and the conversion of the inventory
//! into CEL values (with a few derived fields that keep rule conditions short).

use super::celval;
use crate::inventory::Inventory;
use crate::version::{self, KafkaVersion};
use cel::common::functions::Function;
use cel::common::types::{
    CelBool, CelList, CelNull, CelString, Type, BOOL_TYPE, DYN_TYPE, LIST_TYPE, STRING_TYPE,
};
use cel::common::value::{CowVal, Val};
use cel::{Context, Env, ExecutionError, Value};
use serde_json::{json, Value as Json};
use std::cmp::Ordering;
use std::sync::{Arc, OnceLock};

/// A helper function rules may call: the names it registers, how it is called, and what it
/// does (the Helpers section of `docs/rules.md` and `rules explain` show these).
pub struct Helper {
    pub names: &'static [&'static str],
    pub call: &'static str,
    pub doc: &'static str,
}

/// Every helper registered in [`env`] and [`root_context`] (a test checks both ways).
pub const HELPERS: &[Helper] = &[
    Helper {
        names: &["cfg"],
        call: "cfg(item, key)",
        doc: "config value as a string, or null when unset; an error (→ unknown, naming the key) when the broker reports it set but hides the value (sensitive, or a type it does not know such as `super.users`), or when the item's configs were not collected",
    },
    Helper {
        names: &["has_cfg"],
        call: "has_cfg(item, key)",
        doc: "true when the key is set (even if its value is hidden)",
    },
    Helper {
        names: &["cfg_or"],
        call: "cfg_or(item, key, default)",
        doc: "config value, or `default` when unset; hidden values as for `cfg`",
    },
    Helper {
        names: &["cfg_bool"],
        call: "cfg_bool(item, key, default)",
        doc: "a boolean config as Kafka reads it: true when the value, trimmed, is `true` in any case; `default` (a bool) when unset; hidden values as for `cfg`",
    },
    Helper {
        names: &["is_kraft_node"],
        call: "is_kraft_node(item)",
        doc: "the node runs (or is configured for) KRaft: its `roles` are set (`broker`, `controller` or both); false for a ZooKeeper-mode broker, whose `roles` are absent",
    },
    Helper {
        names: &["cfg_source"],
        call: "cfg_source(item, key)",
        doc: "Kafka config source (`STATIC_BROKER_CONFIG`, `DYNAMIC_TOPIC_CONFIG`, …), or null",
    },
    Helper {
        names: &["version_lt", "version_le", "version_gt", "version_ge", "version_eq"],
        call: "version_lt(a, b), version_le, version_gt, version_ge, version_eq",
        doc: "Kafka/MSK version comparison: `3.9.1`, `3.7.x.kraft` (`x` = newest patch), `2.8.2.tiered`, `3.6-IV1` (a bare `3.6` is above `3.6-IV2`). A major.minor-only version (`3.6`, what a live fingerprint knows) is the range 3.6.0 … 3.6.x: the answer is true or false only when the whole range agrees, otherwise an error (→ unknown, \"patch level unknown … give --kafka-version, --broker-log or --kafka-home\"); two equal major.minor versions are equal. Null or garbage → error → unknown",
    },
    Helper {
        names: &["crosses"],
        call: "crosses(running, target, v)",
        doc: "the move to `target` crosses release `v`: `target ≥ v` and `running` (the cluster's version, null when unknown) below `v`; a cluster already past `v` crosses nothing. `kafka4` rules use `crosses(has(cluster.version) ? cluster.version : null, target, \"4.0\")`",
    },
    Helper {
        names: &["version_valid"],
        call: "version_valid(s)",
        doc: "s parses as a version",
    },
    Helper {
        names: &["is_kraft_version"],
        call: "is_kraft_version(s)",
        doc: "MSK `.kraft` version string",
    },
    Helper {
        names: &["major_minor"],
        call: "major_minor(s)",
        doc: "`3.9` for `3.9.1`",
    },
    Helper {
        names: &["split_list"],
        call: "split_list(s)",
        doc: "comma-separated value as a list of trimmed, non-empty strings (null → `[]`)",
    },
    Helper {
        names: &["sorted", "distinct"],
        call: "sorted(list), distinct(list)",
        doc: "the list sorted (and deduplicated): maps iterate in no fixed order, so sort lists built from them before using them as evidence",
    },
    Helper {
        names: &["iam_match"],
        call: "iam_match(pattern, value)",
        doc: "IAM wildcard match: `*` any run of characters (also `/`, `:`), `?` one character; case-sensitive",
    },
    Helper {
        names: &["kafka_actions"],
        call: "kafka_actions(stmt)",
        doc: "the Kafka actions (`kafka-cluster:*` data plane, `kafka:*` control plane) a statement's `actions` / `not_actions` cover, wildcards expanded",
    },
    Helper {
        names: &["msk_pin"],
        call: "msk_pin(resource, cluster_arn)",
        doc: "`uuid` when the Resource matches the cluster's cluster/topic/group/transactional-id ARNs only with its UUID (so not a new cluster's), `name` when only with its name, else ``",
    },
    Helper {
        names: &["proto_removed"],
        call: "proto_removed(api, version, target)",
        doc: "true when Kafka `target` refuses `api` at `version` (KIP-896 final table: Metadata v0–3 stays; JoinGroup v0–1 only on 4.0.0)",
    },
    Helper {
        names: &["unknown"],
        call: "unknown(\"reason\")",
        doc: "stop here: the result is `unknown` with this reason (for data the inventory cannot show)",
    },
];

/// The helpers an expression calls, in [`HELPERS`] order.
pub fn helpers_called<'a>(functions: impl IntoIterator<Item = &'a str>) -> Vec<&'static Helper> {
    let called: std::collections::HashSet<&str> = functions.into_iter().collect();
    HELPERS
        .iter()
        .filter(|h| h.names.iter().any(|n| called.contains(n)))
        .collect()
}

pub fn env() -> Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        env.add_extension(cel::extensions::strings)
            .expect("strings extension");
        // Helpers that take maps or lists work on the values in place (see celval): going
        // through `Value` would copy the whole item on every call.
        let overloads: [(&str, Vec<Type>, Function); 9] = [
            ("cfg", vec![DYN_TYPE, STRING_TYPE], cfg),
            ("has_cfg", vec![DYN_TYPE, STRING_TYPE], has_cfg),
            ("cfg_or", vec![DYN_TYPE, STRING_TYPE, DYN_TYPE], cfg_or),
            ("cfg_bool", vec![DYN_TYPE, STRING_TYPE, BOOL_TYPE], cfg_bool),
            ("is_kraft_node", vec![DYN_TYPE], is_kraft_node),
            ("cfg_source", vec![DYN_TYPE, STRING_TYPE], cfg_source),
            ("sorted", vec![LIST_TYPE], sorted),
            ("distinct", vec![LIST_TYPE], distinct),
            ("kafka_actions", vec![DYN_TYPE], kafka_actions),
        ];
        for (name, args, f) in overloads {
            env.add_overload(name, &format!("kraftcheck_{name}"), args, f)
                .expect(name);
        }
        Arc::new(env)
    })
    .clone()
}

fn err(f: &str, msg: impl ToString) -> ExecutionError {
    ExecutionError::function_error(f, msg)
}

fn null<'b, 'v>() -> CowVal<'b, 'v> {
    CowVal::owned(CelNull)
}

fn boolean<'b, 'v>(b: bool) -> CowVal<'b, 'v> {
    CowVal::owned(CelBool::from(b))
}

/// The config entry `key` of `item` (`item.configs[key]`), borrowed when `item` is.
/// The config entry `key` of `item` (`item.configs[key]`, `None` when unset), borrowed when
/// `item` is. An item without `configs` is one whose configs could not be collected (the
/// engine takes them out, see `eval::hide_gaps`): an error, so the rule is `unknown`.
fn config_entry<'b, 'v>(
    f: &str,
    args: &mut std::vec::IntoIter<CowVal<'b, 'v>>,
) -> Result<(String, Option<CowVal<'b, 'v>>), ExecutionError> {
    let item = args.next().ok_or_else(|| err(f, "expected an item"))?;
    let key = args.next().ok_or_else(|| err(f, "expected a key"))?;
    let key = key
        .downcast_ref::<CelString>()
        .ok_or_else(|| err(f, "the key must be a string"))?
        .inner()
        .to_string();
    let configs = celval::select(item, "configs").ok_or_else(|| {
        err(
            f,
            format!("{key}: this item's configs are unknown (a gap in the inventory)"),
        )
    })?;
    let entry = celval::select(configs, &key);
    Ok((key, entry))
}

/// The value of a set config entry; an error when the broker hides it.
fn config_value<'b, 'v>(
    f: &str,
    key: &str,
    entry: CowVal<'b, 'v>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    match celval::select(entry, "value") {
        Some(v) if v.downcast_ref::<CelString>().is_some() => Ok(v),
        _ => Err(err(
            f,
            format!("the value of {key} is hidden: it is set, but the broker returned no value (a sensitive setting, or one whose type the broker does not know, such as super.users); give the broker's server.properties with --broker-config to read it"),
        )),
    }
}

fn cfg<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    match config_entry("cfg", &mut args.into_iter())? {
        (key, Some(e)) => config_value("cfg", &key, e),
        (_, None) => Ok(null()),
    }
}

fn has_cfg<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    Ok(boolean(
        config_entry("has_cfg", &mut args.into_iter())?.1.is_some(),
    ))
}

fn cfg_or<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let mut args = args.into_iter();
    let (key, entry) = config_entry("cfg_or", &mut args)?;
    let default = args.next().unwrap_or_else(null);
    match entry {
        Some(e) => config_value("cfg_or", &key, e),
        None => Ok(default),
    }
}

fn cfg_bool<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let mut args = args.into_iter();
    let (key, entry) = config_entry("cfg_bool", &mut args)?;
    let default = args
        .next()
        .and_then(|d| d.downcast_ref::<CelBool>().map(|b| *b.inner()))
        .ok_or_else(|| err("cfg_bool", "the default must be a bool"))?;
    Ok(boolean(match entry {
        Some(e) => {
            let v = config_value("cfg_bool", &key, e)?;
            let s = v
                .downcast_ref::<CelString>()
                .expect("config_value is a string");
            s.inner().trim().eq_ignore_ascii_case("true")
        }
        None => default,
    }))
}

fn is_kraft_node<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let item = args
        .into_iter()
        .next()
        .ok_or_else(|| err("is_kraft_node", "expected a node"))?;
    match celval::select(item, "roles") {
        None => Ok(boolean(false)),
        Some(r) => match r.downcast_ref::<CelString>() {
            Some(s) => Ok(boolean(!s.inner().is_empty())),
            None => Err(err("is_kraft_node", "`roles` is not a string")),
        },
    }
}

fn cfg_source<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    Ok(config_entry("cfg_source", &mut args.into_iter())?
        .1
        .and_then(|e| celval::select(e, "source"))
        .unwrap_or_else(null))
}

/// Sort order of `sorted`/`distinct`: numbers, then strings, then anything else by its JSON.
fn sort_key(v: &dyn Val) -> (u8, String, f64) {
    match celval::to_json(v) {
        Json::Number(n) => (0, String::new(), n.as_f64().unwrap_or(f64::NAN)),
        Json::String(s) => (1, s, 0.0),
        other => (2, other.to_string(), 0.0),
    }
}

fn sorted_elements<'b, 'v>(
    f: &str,
    list: &'b (dyn Val + 'v),
) -> Result<Vec<&'b (dyn Val + 'v)>, ExecutionError> {
    let mut v = celval::elements(list).ok_or_else(|| err(f, "expected a list"))?;
    let mut keyed: Vec<_> = v.drain(..).map(|x| (sort_key(x), x)).collect();
    keyed.sort_by(|(a, _), (b, _)| {
        a.0.cmp(&b.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.partial_cmp(&b.2).unwrap_or(Ordering::Equal))
    });
    Ok(keyed.into_iter().map(|(_, x)| x).collect())
}

fn list_of<'b, 'v>(items: Vec<&(dyn Val + 'v)>) -> CowVal<'b, 'v> {
    CowVal::owned(CelList::from(
        items
            .into_iter()
            .map(|x| x.clone_as_boxed())
            .collect::<Vec<_>>(),
    ))
}

fn sorted<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = args
        .first()
        .ok_or_else(|| err("sorted", "expected a list"))?;
    Ok(list_of(sorted_elements("sorted", list.as_ref())?))
}

fn distinct<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = args
        .first()
        .ok_or_else(|| err("distinct", "expected a list"))?;
    let mut v = sorted_elements("distinct", list.as_ref())?;
    v.dedup_by(|a, b| a.equals(*b));
    Ok(list_of(v))
}

fn kafka_actions<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let stmt = args
        .into_iter()
        .next()
        .ok_or_else(|| err("kafka_actions", "expected a statement"))?;
    let st = statement_of(&celval::to_json(stmt.as_ref()));
    Ok(CowVal::owned(CelList::from(
        crate::inventory::iampattern::kafka_actions(&st)
            .into_iter()
            .map(|a| Box::new(CelString::from(a.to_string())) as Box<dyn Val + 'v>)
            .collect::<Vec<_>>(),
    )))
}

fn ver(f: &str, v: &Value) -> Result<KafkaVersion, ExecutionError> {
    match v {
        Value::String(s) => KafkaVersion::parse(s).map_err(|e| err(f, e)),
        Value::Null => Err(err(f, "version is unknown (null)")),
        other => Err(err(f, format!("expected a version string, got {other:?}"))),
    }
}

/// `pred` over the order of `a` and `b`; an error (so the rule is `unknown`) when a
/// major.minor-only version makes the answer depend on the patch level.
fn version_pred(
    f: &str,
    a: &Value,
    b: &Value,
    pred: impl Fn(Ordering) -> bool,
) -> Result<bool, ExecutionError> {
    let (a, b) = (ver(f, a)?, ver(f, b)?);
    version::decide(&a, &b, pred).ok_or_else(|| err(f, version::undecided(&a, &b)))
}

/// A root context with every helper function registered; its values may borrow for `'v`.
pub fn root_context<'v>() -> Context<'static, 'v> {
    let mut ctx = Context::with_env(env());
    macro_rules! cmp_fn {
        ($name:literal, $pred:expr) => {
            ctx.add_function(
                $name,
                |a: Value, b: Value| -> Result<Value, ExecutionError> {
                    Ok(Value::Bool(version_pred($name, &a, &b, $pred)?))
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
    ctx.add_function(
        "crosses",
        |running: Value, target: Value, v: Value| -> Result<Value, ExecutionError> {
            if !version_pred("crosses", &target, &v, |o| o != Ordering::Less)? {
                return Ok(Value::Bool(false));
            }
            // Unknown running version: the move is taken to cross (offline audits of
            // ZooKeeper-era configs).
            if matches!(running, Value::Null) {
                return Ok(Value::Bool(true));
            }
            Ok(Value::Bool(version_pred("crosses", &running, &v, |o| {
                o == Ordering::Less
            })?))
        },
    )
    .expect("crosses");
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
    ctx.add_function(
        "iam_match",
        |pattern: Arc<String>, value: Arc<String>| -> Value {
            Value::Bool(crate::inventory::iampattern::wildcard_match(
                &pattern, &value,
            ))
        },
    )
    .expect("iam_match");
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

/// An IAM statement (as JSON) as the typed statement the IAM helpers take.
fn statement_of(v: &Json) -> crate::inventory::IamStatement {
    let list = |k: &str| -> Vec<String> {
        match v.get(k) {
            Some(Json::Array(l)) => l
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            Some(Json::String(s)) => vec![s.to_string()],
            _ => vec![],
        }
    };
    crate::inventory::IamStatement {
        effect: v
            .get("effect")
            .and_then(Json::as_str)
            .unwrap_or("Allow")
            .to_string(),
        actions: list("actions"),
        not_actions: list("not_actions"),
        resources: list("resources"),
        not_resources: list("not_resources"),
        ..Default::default()
    }
}

/// IAM statements flattened for the `iam_statement` scope: one item per Kafka statement of a
/// customer managed policy or an inline policy, with the principals it reaches.
pub fn iam_statements(inv: &Inventory) -> Json {
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
    // Who a policy attached to `who` reaches: `who`, and for a group its members.
    let reached = |who: &crate::inventory::IamPrincipal| -> Vec<String> {
        let mut out = vec![format!("{}:{}", who.kind, who.name)];
        if who.kind == "group" {
            for u in iam
                .principals
                .iter()
                .filter(|u| u.groups.contains(&who.name))
            {
                out.push(format!("{}:{} (via group {})", u.kind, u.name, who.name));
            }
        }
        out
    };
    for (pi, p) in iam.policies.iter().enumerate() {
        // Who gets the policy: directly attached, and users through groups that attach it.
        let mut principals: Vec<String> = iam
            .principals
            .iter()
            .filter(|who| who.attached_policies.contains(&p.arn))
            .flat_map(reached)
            .collect();
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
        let principals = reached(who);
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

/// The inventory as JSON without its topics (see [`topic_view`]), with derived fields rules
/// use often: the root gets `broker_ids` and the items of every derived scope (`iam_statements`,
/// `client_requests`, `client_software`, `dependencies`: see `rules::SCOPES`).
///
/// Topics are the part that grows with the cluster: each is made on its own from the typed
/// inventory, for CEL once and for a message again only when a rule fires on it.
pub fn inventory_view(inv: &Inventory) -> Json {
    // Every field listed (no `..`), so a new inventory field cannot be forgotten here.
    let shallow = Inventory {
        schema_version: inv.schema_version,
        generated_by: inv.generated_by.clone(),
        generated_at: inv.generated_at.clone(),
        sources: inv.sources.clone(),
        cluster: inv.cluster.clone(),
        brokers: inv.brokers.clone(),
        topics: Vec::new(),
        acls: inv.acls.clone(),
        scram_users: inv.scram_users.clone(),
        quotas: inv.quotas.clone(),
        groups: inv.groups.clone(),
        delegation_tokens: inv.delegation_tokens.clone(),
        reassignments: inv.reassignments.clone(),
        transactions: inv.transactions.clone(),
        msk: inv.msk.clone(),
        iam: inv.iam.clone(),
        clients: inv.clients.clone(),
        zookeeper: inv.zookeeper.clone(),
        gaps: inv.gaps.clone(),
    };
    let mut root = serde_json::to_value(&shallow).expect("inventory serializes");
    drop(shallow);
    let ids: Vec<i64> = inv.brokers.iter().map(|b| b.id).collect();
    let o = root.as_object_mut().expect("object");
    o.remove("topics");
    o.insert("broker_ids".into(), json!(ids));
    // The scopes whose items are derived (IAM statements, client requests and software,
    // dependencies with their 4.x verdicts).
    for d in super::SCOPES {
        if let (super::View::Derived(view), Some(list)) = (d.view, d.list) {
            o.insert(list.into(), view(inv));
        }
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

#[cfg(test)]
mod topic_tests {
    use super::*;

    #[test]
    fn every_helper_is_registered_and_documented() {
        let documented: Vec<&str> = HELPERS
            .iter()
            .flat_map(|h| h.names.iter().copied())
            .collect();
        let ctx = root_context();
        let env = env();
        let undeclared = |name: &str| {
            // Called with no arguments: an arity or type error, unless there is no such function.
            let p = env.compile(&format!("{name}()")).unwrap();
            let e = Value::resolve(p.expression(), &ctx)
                .unwrap_err()
                .to_string();
            e.to_lowercase().contains("undeclared") || e.contains("no such")
        };
        assert!(undeclared("no_such_helper"));
        for name in &documented {
            assert!(!undeclared(name), "{name} is documented but not registered");
        }
        // Every registered name is documented: read from this file's registrations.
        let re = regex::Regex::new(r#"(?:add_function\(\s*|cmp_fn!\()"(\w+)"|\("(\w+)", vec!\["#)
            .unwrap();
        let src = include_str!("celenv.rs");
        let registered: Vec<&str> = re
            .captures_iter(src)
            .filter_map(|c| c.get(1).or(c.get(2)).map(|m| m.as_str()))
            .collect();
        assert!(registered.len() > 15, "{registered:?}");
        for name in registered {
            assert!(documented.contains(&name), "{name}");
        }
    }
}

#[cfg(test)]
mod helper_tests {
    use super::*;

    /// `expr` over one broker item (JSON) as CEL sees it.
    fn eval(expr: &str, broker: Json) -> Result<Value, String> {
        let p = env().compile(expr).map_err(|e| e.to_string())?;
        let mut ctx = root_context();
        ctx.add_variable("broker", broker).unwrap();
        Value::resolve(p.expression(), &ctx).map_err(|e| e.to_string())
    }

    fn cfgs(pairs: &[(&str, &str)]) -> Json {
        let mut m = serde_json::Map::new();
        for (k, v) in pairs {
            m.insert(
                (*k).into(),
                json!({ "value": v, "source": "STATIC_BROKER_CONFIG" }),
            );
        }
        json!({ "id": 1, "configs": m })
    }

    #[test]
    fn cfg_bool_is_the_trimmed_case_insensitive_true_it_replaces() {
        let old = |d: &str| format!(r#"cfg_or(broker, "k", "{d}").trim().lowerAscii() == "true""#);
        for v in ["true", " TRUE ", "True\n", "false", "yes", "1", ""] {
            for (d, db) in [("false", "false"), ("true", "true")] {
                let b = cfgs(&[("k", v)]);
                assert_eq!(
                    eval(&format!(r#"cfg_bool(broker, "k", {db})"#), b.clone()),
                    eval(&old(d), b),
                    "{v:?} default {d}"
                );
            }
        }
        // Unset: the default.
        assert_eq!(
            eval(r#"cfg_bool(broker, "k", true)"#, cfgs(&[])),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            eval(r#"cfg_bool(broker, "k", false)"#, cfgs(&[])),
            Ok(Value::Bool(false))
        );
        // Hidden value or configs not collected: an error (→ unknown), never the default.
        let hidden = json!({ "id": 1, "configs": { "k": { "source": "STATIC_BROKER_CONFIG", "sensitive": true } } });
        assert!(eval(r#"cfg_bool(broker, "k", false)"#, hidden)
            .unwrap_err()
            .contains("hidden"));
        assert!(eval(r#"cfg_bool(broker, "k", false)"#, json!({ "id": 1 })).is_err());
    }

    #[test]
    fn is_kraft_node_is_roles_set() {
        let old = r#"has(broker.roles) && broker.roles != """#;
        for b in [
            json!({ "id": 1 }),
            json!({ "id": 1, "roles": "" }),
            json!({ "id": 1, "roles": "broker" }),
            json!({ "id": 1, "roles": "controller" }),
            json!({ "id": 1, "roles": "broker,controller" }),
        ] {
            assert_eq!(eval("is_kraft_node(broker)", b.clone()), eval(old, b));
        }
    }
}
