//! Evaluating the rule pack against an inventory.

use super::profiles::{profile, target_for};
use super::{celenv, Rule, RuleSet, Scope};
use crate::findings::{Finding, Location, Resource, Status};
use crate::inventory::{pointer_line, Inventory, LineIndex};
use cel::objects::{Key, Map};
use cel::{Context, Value};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// Selected profiles (already inferred when the user chose none).
    pub profiles: Vec<String>,
    /// `--target-version`, applied to every profile.
    pub target: Option<String>,
    /// The saved inventory file and its text, for locations.
    pub inventory_file: Option<(String, String)>,
    /// Evaluate only this rule (used by `rules test`).
    pub only: Option<String>,
}

/// The resource an item of `scope` stands for.
pub fn resource_of(scope: Scope, item: &Json) -> Resource {
    let s = |k: &str| {
        item.get(k)
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
            .unwrap_or_default()
    };
    let (kind, name) = match scope {
        Scope::Cluster => return Resource::cluster(),
        Scope::Broker => {
            let id = item.get("id").and_then(Json::as_i64).unwrap_or(-1);
            let name = if id >= 0 {
                id.to_string()
            } else {
                // No broker.id: name it after its file.
                let f = s("config_file");
                std::path::Path::new(&f)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or(f)
            };
            // Planned KRaft controllers (process.roles=controller) share the id space.
            let roles = item.get("roles").and_then(Json::as_str).unwrap_or_default();
            if roles.contains("controller") && !roles.contains("broker") {
                ("controller", name)
            } else {
                ("broker", name)
            }
        }
        Scope::Topic => ("topic", s("name")),
        Scope::Acl => (
            "acl",
            format!(
                "{} {} {} {}:{}:{} from {}",
                s("permission"),
                s("principal"),
                s("operation"),
                s("resource_type"),
                s("pattern_type"),
                s("resource_name"),
                s("host")
            ),
        ),
        Scope::ScramUser => ("scram-user", s("name")),
        Scope::Quota => {
            let entity = item
                .get("entity")
                .and_then(Json::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            let v = v.as_str().unwrap_or_default();
                            format!("{k}={}", if v.is_empty() { "<default>" } else { v })
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            ("quota", entity)
        }
        Scope::Group => ("group", s("id")),
        Scope::DelegationToken => ("delegation-token", s("token_id")),
        Scope::Reassignment => ("partition", format!("{}-{}", s("topic"), s("partition"))),
        Scope::Transaction => ("transactional-id", s("transactional_id")),
        Scope::IamStatement => ("iam-statement", s("id")),
        // Client items name themselves (`Produce v3`, `librdkafka 1.7.0`, `file:line library`).
        Scope::ClientRequest => ("request", s("label")),
        Scope::ClientSoftware => ("client-software", s("label")),
        Scope::Dependency => (
            "dependency",
            format!("{}/{}:{} {}", s("repo"), s("file"), s("line"), s("library")),
        ),
    };
    Resource {
        kind: kind.into(),
        name,
    }
}

struct Run<'a> {
    profile: String,
    target: String,
    ctx: Context<'a, 'static>,
}

/// What every rule shares: the inventory as JSON and as CEL values (converted once), the
/// items of every scope with their resources, and the line index of the inventory file.
struct Prepared {
    view: Json,
    items: HashMap<&'static str, Vec<(Resource, Value)>>,
    lines: Option<LineIndex>,
}

pub fn evaluate(set: &RuleSet, inv: &Inventory, opts: &EvalOptions) -> Vec<Finding> {
    let view = celenv::inventory_view(inv);
    let mut root = celenv::root_context();
    let mut top: HashMap<Key, Value> = HashMap::new();
    if let Json::Object(o) = &view {
        for (k, v) in o {
            let cel = celenv::to_cel(v);
            root.add_variable_from_value(k.clone(), cel.clone());
            top.insert(Key::String(Arc::new(k.clone())), cel);
        }
    }
    for k in ["msk", "iam", "clients"] {
        if view.get(k).is_none() {
            root.add_variable_from_value(k, Value::Null);
        }
    }
    let mut items = HashMap::new();
    for scope in Scope::ALL {
        let Some(list) = scope.list() else { continue };
        let json_items = view
            .get(list)
            .and_then(Json::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let cel_items: Vec<Value> = match top.get(&Key::String(Arc::new(list.to_string()))) {
            Some(Value::List(l)) => l.as_ref().clone(),
            _ => Vec::new(),
        };
        let prepared: Vec<(Resource, Value)> = json_items
            .iter()
            .zip(cel_items)
            .map(|(j, c)| (resource_of(scope, j), c))
            .collect();
        items.insert(list, prepared);
    }
    root.add_variable_from_value("inv", Value::Map(Map { map: Arc::new(top) }));
    let prep = Prepared {
        lines: opts
            .inventory_file
            .as_ref()
            .map(|(_, text)| LineIndex::build(text)),
        view,
        items,
    };
    let mut findings = Vec::new();
    for rule in &set.rules {
        if opts.only.as_ref().is_some_and(|id| *id != rule.id) {
            continue;
        }
        let selected: Vec<String> = rule
            .profiles
            .iter()
            .filter(|p| opts.profiles.contains(p))
            .cloned()
            .collect();
        if selected.is_empty() {
            continue;
        }
        let groups: Vec<Vec<String>> = if rule.per_profile {
            selected.iter().map(|p| vec![p.clone()]).collect()
        } else {
            vec![selected.clone()]
        };
        let mut per_rule: Vec<Finding> = Vec::new();
        for group in groups {
            let p = profile(&group[0]).expect("rule profiles are validated at load");
            let mut ctx = root.new_inner_scope();
            let target = target_for(p, inv, opts.target.as_deref());
            ctx.add_variable_from_value("target", Value::String(target.clone().into()));
            ctx.add_variable_from_value("profile", Value::String(p.name.to_string().into()));
            let run = Run {
                profile: p.name.to_string(),
                target,
                ctx,
            };
            for mut f in evaluate_rule(set, rule, inv, &prep, &run, opts) {
                f.profiles = group.clone();
                match per_rule
                    .iter_mut()
                    .find(|e| e.resource == f.resource && e.status == f.status)
                {
                    Some(e) => e.profiles.extend(f.profiles),
                    None => per_rule.push(f),
                }
            }
        }
        findings.extend(per_rule);
    }
    findings.sort_by_key(|f| f.sort_key());
    findings
}

fn evaluate_rule(
    set: &RuleSet,
    rule: &Rule,
    inv: &Inventory,
    prep: &Prepared,
    run: &Run,
    opts: &EvalOptions,
) -> Vec<Finding> {
    let view = &prep.view;
    // A part the rule needs is missing for the whole cluster: unknown, never pass.
    for need in &rule.needs {
        if let Some(g) = inv.gap_for(need, None).filter(|g| g.resource.is_empty()) {
            let ev = BTreeMap::from([
                ("missing".to_string(), json!(g.part)),
                ("reason".to_string(), json!(g.reason)),
                ("detail".to_string(), json!(g.detail)),
            ]);
            let msg = format!(
                "Not evaluated: `{}` is unknown ({}{}).",
                g.part,
                g.reason,
                if g.detail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", g.detail)
                }
            );
            let loc = location(rule, inv, prep, "", None, opts);
            return vec![finding(
                rule,
                Resource::cluster(),
                Status::Unknown,
                msg,
                ev,
                loc,
            )];
        }
    }
    let Some(list) = rule.scope.list() else {
        let (status, ev, msg) = match eval_item(set, rule, &run.ctx, None, Resource::cluster(), run)
        {
            Outcome::Fire(ev, msg) => (Status::Fail, ev, msg),
            Outcome::Quiet => (
                Status::Pass,
                BTreeMap::new(),
                format!("{}: not found.", rule.title),
            ),
            Outcome::Error(ev, msg) => (Status::Unknown, ev, msg),
        };
        let loc = location(rule, inv, prep, "", None, opts);
        return vec![finding(rule, Resource::cluster(), status, msg, ev, loc)];
    };
    let empty = Vec::new();
    let json_items = view.get(list).and_then(Json::as_array).unwrap_or(&empty);
    let items = prep.items.get(list).expect("every scope list is prepared");
    let var = rule.scope.variable().expect("item scopes bind a variable");
    let mut out = Vec::new();
    for (i, ((res, cel_item), item)) in items.iter().zip(json_items).enumerate() {
        let res = res.clone();
        // Derived items (IAM statements) say where they stand in the inventory.
        let pointer = item
            .get("pointer")
            .and_then(Json::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("/{list}/{i}"));
        let gap = rule.needs.iter().find_map(|n| {
            inv.gap_for(n, Some(&res.id()))
                .filter(|g| !g.resource.is_empty())
        });
        if let Some(g) = gap {
            let ev = BTreeMap::from([
                ("missing".to_string(), json!(g.part)),
                ("reason".to_string(), json!(g.reason)),
            ]);
            let msg = format!(
                "Not evaluated for {}: `{}` is unknown ({}).",
                res.id(),
                g.part,
                g.reason
            );
            out.push(finding(
                rule,
                res,
                Status::Unknown,
                msg,
                ev,
                location(rule, inv, prep, &pointer, Some(item), opts),
            ));
            continue;
        }
        let mut ctx = run.ctx.new_inner_scope();
        ctx.add_variable_from_value(var, cel_item.clone());
        ctx.add_variable_from_value("item", cel_item.clone());
        match eval_item(set, rule, &ctx, Some(item), res.clone(), run) {
            Outcome::Fire(ev, msg) => out.push(finding(
                rule,
                res,
                Status::Fail,
                msg,
                ev,
                location(rule, inv, prep, &pointer, Some(item), opts),
            )),
            Outcome::Quiet => {}
            Outcome::Error(ev, msg) => out.push(finding(
                rule,
                res,
                Status::Unknown,
                msg,
                ev,
                location(rule, inv, prep, &pointer, Some(item), opts),
            )),
        }
    }
    if out.is_empty() {
        let ev = BTreeMap::from([("checked".to_string(), json!(items.len()))]);
        let msg = format!(
            "{} {} checked; none matched.",
            items.len(),
            list.replace('_', " ")
        );
        out.push(finding(
            rule,
            Resource::cluster(),
            Status::Pass,
            msg,
            ev,
            location(rule, inv, prep, &format!("/{list}"), None, opts),
        ));
    }
    out
}

enum Outcome {
    Fire(BTreeMap<String, Json>, String),
    Quiet,
    Error(BTreeMap<String, Json>, String),
}

fn eval_item(
    set: &RuleSet,
    rule: &Rule,
    ctx: &Context,
    item: Option<&Json>,
    res: Resource,
    run: &Run,
) -> Outcome {
    let unknown = |why: String| {
        let ev = BTreeMap::from([("error".to_string(), json!(why))]);
        Outcome::Error(ev, format!("Could not be evaluated: {why}"))
    };
    match rule.when.execute(ctx) {
        Ok(Value::Bool(true)) => {}
        Ok(Value::Bool(false)) => return Outcome::Quiet,
        Ok(other) => {
            return unknown(format!(
                "condition returned {:?}, not a boolean",
                celenv::to_json(&other)
            ))
        }
        Err(e) => return unknown(e.to_string()),
    }
    let mut evidence = BTreeMap::new();
    for (name, (_, prog)) in &rule.evidence {
        let v = match prog.execute(ctx) {
            Ok(v) => celenv::to_json(&v),
            // A value the inventory does not have: say so rather than print the error.
            Err(_) => json!("unknown"),
        };
        evidence.insert(name.clone(), v);
    }
    let msg = set
        .templates
        .get_template(&rule.id)
        .and_then(|t| {
            t.render(minijinja::context! {
                resource => res.id(),
                item => minijinja::value::Serde(item.unwrap_or(&Json::Null)),
                evidence => minijinja::value::Serde(&evidence),
                target => &run.target,
                profile => &run.profile,
            })
        })
        .unwrap_or_else(|e| format!("{} (message template failed: {e})", rule.title));
    Outcome::Fire(evidence, msg.trim().to_string())
}

fn finding(
    rule: &Rule,
    resource: Resource,
    status: Status,
    message: String,
    evidence: BTreeMap<String, Json>,
    location: Location,
) -> Finding {
    Finding {
        rule_id: rule.id.clone(),
        title: rule.title.clone(),
        severity: rule.severity,
        status,
        area: rule.area.clone(),
        profiles: vec![],
        resource,
        message,
        evidence,
        why: rule.why.clone(),
        remediation: rule.remediation.clone(),
        references: rule.references.clone(),
        location,
        waiver: None,
    }
}

/// Where a finding points: the config line in server.properties when the rule names the key,
/// otherwise the item in the saved inventory file, otherwise the first source file.
fn location(
    rule: &Rule,
    inv: &Inventory,
    prep: &Prepared,
    pointer: &str,
    item: Option<&Json>,
    opts: &EvalOptions,
) -> Location {
    let mut pointer = pointer.to_string();
    if let Some(item) = item {
        let file = item.get("config_file").and_then(Json::as_str);
        for key in &rule.keys {
            if let Some(entry) = item.get("configs").and_then(|c| c.get(key)) {
                pointer = format!(
                    "{pointer}/configs/{}",
                    key.replace('~', "~0").replace('/', "~1")
                );
                let line = entry.get("line").and_then(Json::as_u64).map(|l| l as u32);
                if let (Some(f), Some(l)) = (file, line) {
                    return Location {
                        file: Some(f.to_string()),
                        line: Some(l),
                        pointer,
                    };
                }
                break;
            }
        }
        if let (Some(f), None) = (file, &opts.inventory_file) {
            return Location {
                file: Some(f.to_string()),
                // items found in a file at a line (dependencies) point at it
                line: Some(item.get("line").and_then(Json::as_u64).unwrap_or(1) as u32),
                pointer,
            };
        }
    }
    if let Some((file, text)) = &opts.inventory_file {
        // The deepest indexed value on the pointer's path (the item itself when its config
        // key is too deep to index).
        let line = match &prep.lines {
            Some(idx) => {
                let mut p = pointer.as_str();
                loop {
                    if let Some(l) = idx.get(p) {
                        break l;
                    }
                    match p.rfind('/') {
                        Some(cut) => p = &p[..cut],
                        None => break 1,
                    }
                }
            }
            None => pointer_line(text, &pointer).unwrap_or(1),
        };
        return Location {
            file: Some(file.clone()),
            line: Some(line),
            pointer,
        };
    }
    Location {
        file: inv.sources.first().cloned(),
        line: Some(1),
        pointer,
    }
}
