//! Evaluating the rule pack against an inventory.

use super::celval;
use super::profiles::{profile, target_for};
use super::{celenv, topic, Rule, RuleSet, Scope};
use crate::findings::{Finding, Location, Resource, Status};
use crate::inventory::{Gap, Inventory, LineIndex};
use cel::common::types::{CelBool, CelList, CelNull, CelString};
use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;
use cel::{Context, Value};
use serde_json::{json, Value as Json};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::collections::HashMap;

/// A saved inventory file: its path and the line index of its text.
#[derive(Debug, Clone)]
pub struct InventoryFile {
    pub path: String,
    pub lines: LineIndex,
}

impl InventoryFile {
    pub fn new(path: String, text: &str) -> Self {
        InventoryFile {
            lines: LineIndex::build(text),
            path,
        }
    }

    /// The file at `path`, read again for its line index (`load_inventory` returns the index
    /// it built while parsing: prefer that).
    pub fn load(path: &std::path::Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read inventory {}: {e}", path.display()))?;
        Ok(InventoryFile::new(path.display().to_string(), &text))
    }
}

#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// Selected profiles (already inferred when the user chose none).
    pub profiles: Vec<String>,
    /// `--target-version`, applied to every profile.
    pub target: Option<String>,
    /// The saved inventory file and where its values stand, for locations.
    pub inventory_file: Option<InventoryFile>,
    /// Evaluate only this rule (used by `rules test`).
    pub only: Option<String>,
    /// `--target-platform`s (issue 16): target-platform rules run once per selected platform
    /// they apply to, and not at all when none is selected.
    pub platforms: Vec<crate::platform::Selected>,
}

struct Run<'p, 'v> {
    profile: String,
    target: String,
    ctx: Context<'p, 'v>,
}

impl<'p, 'v> Run<'p, 'v> {
    /// A run of a rule under profile `p`: `target` and `profile` bound in a scope of `root`.
    fn new(
        root: &'p Context<'_, 'v>,
        p: &super::profiles::Profile,
        inv: &Inventory,
        opts: &EvalOptions,
    ) -> Self {
        let mut ctx = root.new_inner_scope();
        let target = target_for(p, inv, opts.target.as_deref());
        ctx.add_variable_as_val("target", Box::new(CelString::from(target.clone())));
        ctx.add_variable_as_val("profile", Box::new(CelString::from(p.name)));
        Run {
            profile: p.name.to_string(),
            target,
            ctx,
        }
    }
}

/// The inventory's top-level values (and `inv` itself) for CEL, resolved by name. `inv` holds
/// every value (scoped rules take their items from it); `visible` leaves out the variables
/// whose part could not be collected (or only in part), so reading one is an error and the
/// rule `unknown` unless what it could see decides it (`a || b` with `b` true).
struct Globals<'a> {
    inv: celval::Obj<'a>,
    visible: celval::Obj<'a>,
}

impl VariableResolver for Globals<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        if variable == "inv" {
            return Some(CowVal::Borrowed(&self.visible));
        }
        self.visible.get(variable).map(CowVal::Borrowed)
    }
}

/// What the gaps hide from CEL: whole variables, and fields of some items.
#[derive(Default)]
struct Hidden {
    /// Variables whose part has a part-wide gap.
    vars: std::collections::HashSet<&'static str>,
    /// Topic configs: of every topic, or of these topics.
    all_topic_configs: bool,
    topic_configs: std::collections::HashSet<String>,
}

/// Take out of the JSON view what the gaps say is unknown, so that reading it is an error
/// rather than an empty list or a default value.
fn hide_gaps(view: &mut Json, inv: &Inventory) -> Hidden {
    let mut hidden = Hidden::default();
    for (name, part) in super::variables() {
        if let Some(part) = part {
            if inv
                .gaps
                .iter()
                .any(|g| g.resource.is_empty() && g.covers(part.name()))
            {
                hidden.vars.insert(name);
            }
        }
    }
    for (part, var, field) in super::part_fields() {
        for g in inv.gaps.iter().filter(|g| g.covers(part.name())) {
            // The lowest broker version is unknown when any broker's is.
            let whole = g.resource.is_empty() || var == "cluster";
            if var == "topics" {
                if whole {
                    hidden.all_topic_configs = true;
                } else if let Some(name) = g.resource.strip_prefix("topic:") {
                    hidden.topic_configs.insert(name.to_string());
                }
                continue;
            }
            let scope = Scope::all().find(|s| s.list() == Some(var));
            match view.get_mut(var) {
                Some(Json::Array(items)) => {
                    for item in items {
                        let this =
                            whole || scope.is_some_and(|s| s.resource(item).id() == g.resource);
                        if this {
                            if let Some(o) = item.as_object_mut() {
                                o.remove(field);
                            }
                        }
                    }
                }
                Some(Json::Object(o)) if whole => {
                    o.remove(field);
                }
                _ => {}
            }
        }
    }
    hidden
}

/// The item a scoped rule is looking at, under its scope's name and as `item`.
struct ItemVars<'x> {
    var: &'static str,
    val: &'x (dyn Val + 'x),
}

impl VariableResolver for ItemVars<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        (variable == self.var || variable == "item").then_some(CowVal::Borrowed(self.val))
    }
}

/// What every rule shares: the rule set, the inventory (typed, and as JSON for messages and
/// locations), the items of every scope as CEL values with their resources, and the options.
struct Prepared<'g> {
    set: &'g RuleSet,
    inv: &'g Inventory,
    opts: &'g EvalOptions,
    view: &'g Json,
    topic_cx: &'g topic::TopicContext,
    items: HashMap<&'static str, Vec<(Resource, ItemVars<'g>)>>,
}

/// The CEL values of the inventory view: topics get their partitions from the typed inventory.
fn globals<'a>(
    view: &'a Json,
    inv: &'a Inventory,
    cx: &topic::TopicContext,
    hidden: &Hidden,
) -> Globals<'a> {
    let mut entries: Vec<(CelString<'a>, Box<dyn Val + 'a>)> = Vec::new();
    if let Json::Object(o) = view {
        for (k, v) in o {
            entries.push((CelString::from(k.as_str()), celval::from_json(v)));
        }
    }
    let topic = |t: &'a crate::inventory::Topic| {
        let hide = hidden.all_topic_configs || hidden.topic_configs.contains(&t.name);
        topic::topic_value(t, cx, !hide)
    };
    let topics = on_all_cores(&inv.topics, topic);
    entries.push((CelString::from("topics"), Box::new(CelList::from(topics))));
    for k in super::GLOBALS.iter().filter(|g| g.nullable).map(|g| g.name) {
        if view.get(k).is_none() {
            entries.push((CelString::from(k), Box::new(CelNull)));
        }
    }
    let visible = entries
        .iter()
        .filter(|(k, _)| !hidden.vars.contains(k.inner()))
        .map(|(k, v)| (k.clone(), v.clone_as_boxed()))
        .collect();
    Globals {
        inv: celval::Obj::new(entries),
        visible: celval::Obj::new(visible),
    }
}

/// `f` of every item, in order, on all cores when the list is long (a large cluster's tens of
/// thousands of topics); on this thread otherwise.
fn on_all_cores<'a, T: Sync, R: Send>(items: &'a [T], f: impl Fn(&'a T) -> R + Sync) -> Vec<R> {
    const ALONE: usize = 4096;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || items.len() < ALONE {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(cores);
    let f = &f;
    std::thread::scope(|s| {
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|c| s.spawn(move || c.iter().map(f).collect::<Vec<R>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().expect("making CEL values does not panic"))
            .collect()
    })
}

pub fn evaluate(set: &RuleSet, inv: &Inventory, opts: &EvalOptions) -> Vec<Finding> {
    let t = crate::debug::Stage::start("inventory view");
    let mut view = celenv::inventory_view(inv);
    let hidden = hide_gaps(&mut view, inv);
    let view = view;
    drop(t);
    let t = crate::debug::Stage::start("CEL values");
    let topic_cx = topic::TopicContext::new(inv, &hidden.vars);
    let globals = globals(&view, inv, &topic_cx, &hidden);
    let mut items = HashMap::new();
    for scope in Scope::all() {
        let Some(list) = scope.list() else { continue };
        let cel_items = globals
            .inv
            .get(list)
            .and_then(celval::elements)
            .unwrap_or_default();
        let var = scope.variable().expect("item scopes bind a variable");
        let resources: Vec<Resource> = match view.get(list).and_then(Json::as_array) {
            Some(json_items) => json_items.iter().map(|j| scope.resource(j)).collect(),
            // Topics are not in the JSON view (see topic::topic_view).
            None => inv
                .topics
                .iter()
                .filter(|_| matches!(scope.def().view, super::View::Topics))
                .map(|t| Resource {
                    kind: "topic".into(),
                    name: t.name.clone(),
                })
                .collect(),
        };
        let prepared: Vec<(Resource, ItemVars)> = resources
            .into_iter()
            .zip(cel_items)
            .map(|(res, val)| (res, ItemVars { var, val }))
            .collect();
        items.insert(list, prepared);
    }
    let prep = Prepared {
        set,
        inv,
        opts,
        topic_cx: &topic_cx,
        view: &view,
        items,
    };
    drop(t);
    let mut root = celenv::root_context();
    root.set_variable_resolver(&globals);
    let t = crate::debug::Stage::start("evaluate");
    let mut selected: Vec<(usize, &Rule)> = set
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| opts.only.as_ref().is_none_or(|id| *id == r.id))
        .collect();
    // Rules over the longest lists first, so that the workers end together (results are put
    // back in rule order below).
    let size_of = |r: &Rule| {
        r.scope
            .list()
            .and_then(|l| prep.items.get(l))
            .map_or(0, Vec::len)
    };
    selected.sort_by_key(|(_, r)| std::cmp::Reverse(size_of(r)));
    // Rules are independent: the workers take the next rule until none is left.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(selected.len().max(1));
    let work = || {
        let mut done = Vec::new();
        loop {
            let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some((i, rule)) = selected.get(n) else {
                break;
            };
            let started = std::time::Instant::now();
            let found = evaluate_one(rule, &prep, &root);
            done.push((*i, found, started.elapsed()));
        }
        done
    };
    let mut results: Vec<(usize, Vec<Finding>, std::time::Duration)> = if workers > 1 {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers).map(|_| s.spawn(work)).collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("rule evaluation does not panic"))
                .collect()
        })
    } else {
        work()
    };
    // Same order whatever the scheduling: by rule, as loaded.
    results.sort_by_key(|(i, _, _)| *i);
    if crate::debug::enabled() {
        let mut slowest: Vec<_> = results.iter().map(|(i, _, d)| (*d, *i)).collect();
        slowest.sort_by(|a, b| b.cmp(a));
        for (d, i) in slowest.iter().take(5) {
            crate::debug::note(|| {
                format!(
                    "rule {}: {:.0} ms",
                    set.rules[*i].id,
                    d.as_secs_f64() * 1000.0
                )
            });
        }
    }
    let mut findings: Vec<Finding> = results.into_iter().flat_map(|(_, f, _)| f).collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    drop(t);
    let _t = crate::debug::Stage::start("evaluate: free CEL values");
    drop(root);
    drop(prep);
    drop(globals);
    findings
}

/// One rule, once per profile group (rules reading `target`/`profile` run per profile).
fn evaluate_one<'v>(rule: &Rule, prep: &'v Prepared<'v>, root: &Context<'_, 'v>) -> Vec<Finding> {
    let (inv, opts) = (prep.inv, prep.opts);
    let selected: Vec<String> = rule
        .profiles
        .iter()
        .filter(|p| opts.profiles.contains(p))
        .cloned()
        .collect();
    if selected.is_empty() {
        return Vec::new();
    }
    if !rule.platforms.is_empty() {
        return evaluate_platform_rule(rule, prep, root, selected);
    }
    let groups: Vec<Vec<String>> = if rule.per_profile {
        selected.iter().map(|p| vec![p.clone()]).collect()
    } else {
        vec![selected.clone()]
    };
    let mut per_rule: Vec<Finding> = Vec::new();
    // (resource, status) → its finding in per_rule: the same finding from another profile
    // group only adds that profile.
    let mut seen: HashMap<(String, Status), usize> = HashMap::new();
    for group in groups {
        let p = profile(&group[0]).expect("rule profiles are validated at load");
        let run = Run::new(root, p, inv, opts);
        for mut f in evaluate_rule(rule, prep, &run) {
            f.profiles = group.clone();
            match seen.entry((f.resource.id(), f.status)) {
                std::collections::hash_map::Entry::Occupied(e) => {
                    per_rule[*e.get()].profiles.extend(f.profiles)
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(per_rule.len());
                    per_rule.push(f);
                }
            }
        }
    }
    per_rule
}

/// A target-platform rule (issue 16), once per selected `--target-platform` it applies to,
/// with `platform`, `limits`, `target_size` and `target_brokers` bound. Every finding names
/// its platform and carries the limits the rule read (value, unit, source, date read); a
/// failing finding that read an uncertain limit is a "verify" note (info), never enforced.
fn evaluate_platform_rule<'v>(
    rule: &Rule,
    prep: &'v Prepared<'v>,
    root: &Context<'_, 'v>,
    profiles: Vec<String>,
) -> Vec<Finding> {
    let (inv, opts) = (prep.inv, prep.opts);
    let applies: Vec<&crate::platform::Selected> = opts
        .platforms
        .iter()
        .filter(|s| rule.platforms.contains(&s.platform.name))
        .collect();
    if applies.is_empty() {
        return Vec::new();
    }
    let p = profile(&profiles[0]).expect("rule profiles are validated at load");
    let source = crate::platform::source_totals(inv);
    let mut out = Vec::new();
    for sel in applies {
        let mut run = Run::new(root, p, inv, opts);
        let ctx = &mut run.ctx;
        ctx.add_variable_as_val(
            "platform",
            Box::new(CelString::from(sel.platform.name.clone())),
        );
        ctx.add_variable_as_val("limits", celval::from_json_owned(sel.cel_limits()));
        ctx.add_variable_as_val(
            "target_size",
            celval::from_json_owned(json!(sel.size.clone())),
        );
        ctx.add_variable_as_val(
            "target_brokers",
            celval::from_json_owned(json!(sel.brokers)),
        );
        ctx.add_variable_as_val("source", celval::from_json_owned(source.clone()));
        let used: Vec<&crate::platform::Limit> = rule
            .limits
            .iter()
            .filter_map(|l| sel.platform.limit(l))
            .collect();
        let uncertain: Vec<&&crate::platform::Limit> =
            used.iter().filter(|l| l.uncertain()).collect();
        for mut f in evaluate_rule(rule, prep, &run) {
            f.profiles = profiles.clone();
            f.platform = Some(sel.platform.name.clone());
            for l in &used {
                f.evidence
                    .insert(format!("limit.{}", l.name), json!(sel.describe(l)));
            }
            // An unknown that rests on an uncertain limit is not enforced either.
            if f.status == Status::Unknown && !uncertain.is_empty() {
                f.severity = crate::findings::Severity::Info;
            }
            if f.status == Status::Fail && !uncertain.is_empty() {
                f.severity = crate::findings::Severity::Info;
                let why: Vec<String> = uncertain
                    .iter()
                    .map(|l| format!("{}: {}", l.name, l.note))
                    .collect();
                f.message = format!(
                    "Verify (not enforced: uncertain limit): {} [{}]",
                    f.message,
                    why.join("; ")
                );
                f.evidence.insert("verify".into(), json!(why));
            }
            out.push(f);
        }
    }
    out
}

fn evaluate_rule<'v>(rule: &Rule, prep: &'v Prepared<'v>, run: &Run<'_, 'v>) -> Vec<Finding> {
    let (set, inv, view) = (prep.set, prep.inv, prep.view);
    // A part the rule needs is missing for the whole cluster: unknown, never pass.
    for need in &rule.needs {
        // (A partial list still has real items: scoped rules judge those.)
        let whole = inv.gaps.iter().find(|g| {
            g.covers(need) && g.resource.is_empty() && g.reason != crate::inventory::PARTIAL
        });
        if let Some(g) = whole {
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
            let loc = location(rule, prep, "", None);
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
    // Gaps on parts the rule reads: no pass while any is there. (A fail stands: what the
    // gaps hide is an error in CEL, so a rule fires only on what it could see.)
    let read_gaps: Vec<&Gap> = inv
        .gaps
        .iter()
        .filter(|g| rule.reads.iter().any(|p| g.covers(p.name())))
        .collect();
    let Some(list) = rule.scope.list() else {
        let (status, ev, msg) = match eval_item(
            set,
            rule,
            &run.ctx,
            &|| Cow::Owned(Json::Null),
            &Resource::cluster(),
            run,
        ) {
            Outcome::Fire(ev, msg) => (Status::Fail, ev, msg),
            Outcome::Quiet => match read_gaps.first() {
                Some(g) => not_a_pass(g, format!("{}: not found", rule.title)),
                None => (
                    Status::Pass,
                    BTreeMap::new(),
                    format!("{}: not found.", rule.title),
                ),
            },
            Outcome::Error(ev, msg) => (Status::Unknown, ev, msg),
        };
        let loc = location(rule, prep, "", None);
        return vec![finding(rule, Resource::cluster(), status, msg, ev, loc)];
    };
    let items = prep.items.get(list).expect("every scope list is prepared");
    let json_items = view.get(list).and_then(Json::as_array);
    // The item as JSON, for messages and locations, made only for items that are reported:
    // topics come from the typed inventory (with their partitions when the message reads them:
    // a topic's partitions are most of its JSON).
    let message_reads_partitions = set.templates.get_template(&rule.id).is_ok_and(|t| {
        let vars = t.undeclared_variables(true);
        vars.contains("item") || vars.contains("item.partitions")
    });
    let item_json = |i: usize| -> Cow<Json> {
        match json_items.and_then(|a| a.get(i)) {
            Some(j) => Cow::Borrowed(j),
            None => match inv.topics.get(i).filter(|_| list == "topics") {
                Some(t) => {
                    let mut v = topic::topic_view(t, prep.topic_cx);
                    if message_reads_partitions {
                        if let Some(o) = v.as_object_mut() {
                            o.insert("partitions".into(), json!(t.partitions));
                        }
                    }
                    Cow::Owned(v)
                }
                None => Cow::Owned(Json::Null),
            },
        }
    };
    // Derived items (IAM statements) say where they stand in the inventory.
    let pointer_of = |i: usize, item: &Json| -> String {
        item.get("pointer")
            .and_then(Json::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("/{list}/{i}"))
    };
    // Gaps narrowed to one resource, of the parts the rule reads: looked up per item only
    // when there are any (building every item's resource id would be a cost per item).
    let resource_gaps: Vec<&Gap> = read_gaps
        .iter()
        .copied()
        .filter(|g| !g.resource.is_empty())
        .collect();
    // Gaps that do not name one of this rule's items: part-wide (or partial) gaps, and gaps on
    // resources of other lists. They leave every item's "no match" open.
    let other_gaps: Vec<&Gap> = {
        let ids: std::collections::HashSet<String> = if resource_gaps.is_empty() {
            Default::default()
        } else {
            items.iter().map(|(r, _)| r.id()).collect()
        };
        read_gaps
            .iter()
            .copied()
            .filter(|g| g.resource.is_empty() || !ids.contains(&g.resource))
            .collect()
    };
    let mut errors = 0usize;
    let mut out = Vec::new();
    for (i, (res, vars)) in items.iter().enumerate() {
        let gap = resource_gaps
            .iter()
            .find(|g| g.resource == res.id())
            .copied();
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
            let item = item_json(i);
            let loc = location(rule, prep, &pointer_of(i, &item), Some(&item));
            out.push(finding(rule, res.clone(), Status::Unknown, msg, ev, loc));
            continue;
        }
        let mut ctx = run.ctx.new_inner_scope();
        ctx.set_variable_resolver(vars);
        // Made once, for the message and the location.
        let item = std::cell::OnceCell::new();
        let (status, ev, msg) = match eval_item(
            set,
            rule,
            &ctx,
            &|| Cow::Borrowed(item.get_or_init(|| item_json(i)).as_ref()),
            res,
            run,
        ) {
            Outcome::Fire(ev, msg) => (Status::Fail, ev, msg),
            Outcome::Quiet => continue,
            Outcome::Error(ev, msg) => {
                errors += 1;
                (Status::Unknown, ev, msg)
            }
        };
        let item = item.get_or_init(|| item_json(i));
        let loc = location(rule, prep, &pointer_of(i, item), Some(item));
        out.push(finding(rule, res.clone(), status, msg, ev, loc));
    }
    let checked = format!("{} {} checked", items.len(), list.replace('_', " "));
    // Every item unknown because of one part-wide gap: one finding says so, not one per item.
    let all_unknown = errors > 1 && errors == items.len();
    if let Some(g) = other_gaps.first().filter(|_| out.is_empty() || all_unknown) {
        let (status, ev, msg) = not_a_pass(g, format!("{checked}; none matched"));
        return vec![finding(
            rule,
            Resource::cluster(),
            status,
            msg,
            ev,
            location(rule, prep, &format!("/{list}"), None),
        )];
    }
    if out.is_empty() {
        let ev = BTreeMap::from([("checked".to_string(), json!(items.len()))]);
        let msg = format!("{checked}; none matched.");
        out.push(finding(
            rule,
            Resource::cluster(),
            Status::Pass,
            msg,
            ev,
            location(rule, prep, &format!("/{list}"), None),
        ));
    }
    out
}

/// An `unknown` in place of a pass that a gap leaves open.
fn not_a_pass(g: &Gap, seen: String) -> (Status, BTreeMap<String, Json>, String) {
    let ev = BTreeMap::from([
        ("missing".to_string(), json!(g.part)),
        ("reason".to_string(), json!(g.reason)),
        ("detail".to_string(), json!(g.detail)),
    ]);
    let what = if g.resource.is_empty() {
        format!("`{}`", g.part)
    } else {
        format!("`{}` of {}", g.part, g.resource)
    };
    let msg = format!(
        "Not a pass: {seen} in what could be seen, but {what} is {} ({}{}).",
        if g.reason == crate::inventory::PARTIAL {
            "only partly visible"
        } else {
            "unknown"
        },
        g.reason,
        if g.detail.is_empty() {
            String::new()
        } else {
            format!(": {}", g.detail)
        }
    );
    (Status::Unknown, ev, msg)
}

enum Outcome {
    Fire(BTreeMap<String, Json>, String),
    Quiet,
    Error(BTreeMap<String, Json>, String),
}

fn eval_item<'i>(
    set: &RuleSet,
    rule: &Rule,
    ctx: &Context,
    item: &dyn Fn() -> Cow<'i, Json>,
    res: &Resource,
    run: &Run,
) -> Outcome {
    let unknown = |why: String| {
        let ev = BTreeMap::from([("error".to_string(), json!(why))]);
        Outcome::Error(ev, format!("Could not be evaluated: {why}"))
    };
    match Value::resolve_val(rule.when.expression(), ctx) {
        Ok(v) => match v.downcast_ref::<CelBool>().map(|b| *b.inner()) {
            Some(true) => {}
            Some(false) => return Outcome::Quiet,
            None => {
                return unknown(format!(
                    "condition returned {}, not a boolean",
                    celval::to_json(v.as_ref())
                ))
            }
        },
        Err(e) => return unknown(e.to_string()),
    }
    let mut evidence = BTreeMap::new();
    for (name, (_, prog)) in &rule.evidence {
        let v = match Value::resolve_val(prog.expression(), ctx) {
            Ok(v) => celval::to_json(v.as_ref()),
            // A value the inventory does not have: say so rather than print the error.
            Err(_) => json!("unknown"),
        };
        evidence.insert(name.clone(), v);
    }
    let mut lets = BTreeMap::new();
    for (name, prog) in &rule.message_lets {
        let v = match Value::resolve_val(prog.expression(), ctx) {
            Ok(v) => celval::to_json(v.as_ref()),
            Err(_) => json!("unknown"),
        };
        lets.insert(name.clone(), v);
    }
    let item = item();
    let msg = set
        .templates
        .get_template(&rule.id)
        .and_then(|t| {
            t.render(minijinja::context! {
                resource => res.id(),
                item => minijinja::value::Serde(item.as_ref()),
                evidence => minijinja::value::Serde(&evidence),
                let => minijinja::value::Serde(&lets),
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
        platform: None,
        tags: rule.tags.clone(),
    }
}

/// Where a finding points: the config line in server.properties when the rule names the key,
/// otherwise the item in the saved inventory file, otherwise the first source file.
fn location(rule: &Rule, prep: &Prepared, pointer: &str, item: Option<&Json>) -> Location {
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
        if let (Some(f), None) = (file, &prep.opts.inventory_file) {
            return Location {
                file: Some(f.to_string()),
                // items found in a file at a line (dependencies) point at it
                line: Some(item.get("line").and_then(Json::as_u64).unwrap_or(1) as u32),
                pointer,
            };
        }
    }
    if let Some(f) = &prep.opts.inventory_file {
        // The deepest indexed value on the pointer's path (the item itself when its config
        // key is too deep to index).
        let mut p = pointer.as_str();
        let line = loop {
            if let Some(l) = f.lines.get(p) {
                break l;
            }
            match p.rfind('/') {
                Some(cut) => p = &p[..cut],
                None => break 1,
            }
        };
        return Location {
            file: Some(f.path.clone()),
            line: Some(line),
            pointer,
        };
    }
    Location {
        file: prep.inv.sources.first().cloned(),
        line: Some(1),
        pointer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A topic rule that fires on every topic, with `message`.
    fn fire_on_topics(message: &str) -> RuleSet {
        let text = format!(
            r#"
id = "TEST-PARTS"
title = "t"
severity = "low"
area = "health"
profiles = ["inplace"]
scope = "topic"
when = 'true'
message = "{message}"
why = "w"
remediation = "r"
references = ["x"]
"#
        );
        super::super::rule_set_from_text("test.toml", &text).unwrap()
    }

    /// A topic's partitions are in `item` when the message reads them (they are left out of the
    /// JSON otherwise, being most of it): whether it does is asked of the template.
    #[test]
    fn item_partitions_for_messages_that_read_them() {
        let inv = crate::inventory::synth::synthetic(40);
        let opts = EvalOptions {
            profiles: vec!["inplace".into()],
            ..Default::default()
        };
        let messages = |rule: &str| -> Vec<String> {
            evaluate(&fire_on_topics(rule), &inv, &opts)
                .into_iter()
                .filter(|f| f.status == Status::Fail)
                .map(|f| f.message)
                .collect()
        };
        let read = messages("{{ item.partitions | length }} partitions");
        assert!(!read.is_empty());
        assert!(read.iter().all(|m| m != "0 partitions"), "{read:?}");
        assert!(read.iter().all(|m| m == "20 partitions"), "{read:?}");
        let tested = messages("{{ item.partitions is defined }}");
        assert!(tested.iter().all(|m| m == "True"), "{tested:?}");
    }
}
