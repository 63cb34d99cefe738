//! Loading rule files: the embedded pack plus `--rules DIR`, checked completely at load.

use super::{celenv, profiles::PROFILES, Example, Rule, Scope, VARIABLES};
use crate::findings::Severity;
use crate::inventory::PARTS;
use anyhow::{anyhow, bail, Context, Result};
use include_dir::{include_dir, Dir};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use toml::Spanned;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/rules");

pub const AREAS: &[&str] = &[
    "version", "config", "security", "metadata", "health", "msk", "clients", "kafka4",
];

pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub templates: minijinja::Environment<'static>,
}

impl RuleSet {
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    id: String,
    title: String,
    severity: String,
    area: String,
    profiles: Vec<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    needs: Vec<String>,
    #[serde(default)]
    keys: Vec<String>,
    when: Spanned<String>,
    message: String,
    #[serde(default)]
    evidence: BTreeMap<String, Spanned<String>>,
    why: String,
    remediation: String,
    references: Vec<String>,
    #[serde(default)]
    example: Vec<ExampleFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExampleFile {
    expect: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    inventory: Option<toml::Table>,
}

/// Load the embedded pack, then every `*.toml` under `extra` (recursively), which may add
/// rules or replace embedded ones by id.
pub fn load_rules(extra: Option<&Path>) -> Result<RuleSet> {
    let mut files: Vec<(String, String)> = Vec::new();
    collect_embedded(&EMBEDDED, &mut files);
    let mut rules = parse_all(files)?;
    if let Some(dir) = extra {
        let mut paths = Vec::new();
        collect_dir(dir, &mut paths)?;
        if paths.is_empty() {
            bail!("--rules {}: no .toml rule files found", dir.display());
        }
        let mut texts = Vec::new();
        for p in paths {
            let t = std::fs::read_to_string(&p)
                .with_context(|| format!("cannot read rule file {}", p.display()))?;
            texts.push((p.display().to_string(), t));
        }
        for r in parse_all(texts)? {
            rules.retain(|e| e.id != r.id);
            rules.push(r);
        }
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let mut templates = minijinja::Environment::new();
    templates.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    for r in &rules {
        templates
            .add_template_owned(r.id.clone(), r.message.clone())
            .map_err(|e| anyhow!("{}: field `message`: template error: {e}", r.origin))?;
    }
    Ok(RuleSet { rules, templates })
}

/// One rule file's text as `--rules` would take it (parse, CEL compile, message template), as a
/// set of that one rule: the fuzz target for rule files (src/fuzzing.rs, issue 15).
#[doc(hidden)]
pub fn rule_set_from_text(origin: &str, text: &str) -> Result<RuleSet> {
    let r = parse_rule(origin, text)?;
    let mut templates = minijinja::Environment::new();
    templates.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    templates
        .add_template_owned(r.id.clone(), r.message.clone())
        .map_err(|e| anyhow!("{}: field `message`: template error: {e}", r.origin))?;
    Ok(RuleSet {
        rules: vec![r],
        templates,
    })
}

fn collect_embedded(dir: &Dir<'static>, out: &mut Vec<(String, String)>) {
    for f in dir.files() {
        if f.path().extension().is_some_and(|e| e == "toml") {
            let text = f.contents_utf8().expect("embedded rule files are UTF-8");
            out.push((format!("rules/{}", f.path().display()), text.to_string()));
        }
    }
    for d in dir.dirs() {
        collect_embedded(d, out);
    }
}

fn collect_dir(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("--rules {}: cannot read directory", dir.display()))?;
    for e in entries {
        let p = e?.path();
        if p.is_dir() {
            collect_dir(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
    out.sort();
    Ok(())
}

fn parse_all(files: Vec<(String, String)>) -> Result<Vec<Rule>> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut rules = Vec::new();
    for (origin, text) in files {
        let r = parse_rule(&origin, &text)?;
        if !seen.insert(r.id.clone()) {
            bail!("{origin}: rule id {} is defined twice", r.id);
        }
        rules.push(r);
    }
    Ok(rules)
}

/// Compile a CEL expression; errors give the file line and column.
fn compile(origin: &str, text: &str, field: &str, src: &Spanned<String>) -> Result<cel::Program> {
    celenv::env().compile(src.get_ref()).map_err(|e| {
        let base = crate::textpos::line_col(text, src.span().start).0;
        // A multi-line string's content starts on the line after its opening quotes.
        let opener = &text[src.span().start..];
        let base = if opener.starts_with("'''\n") || opener.starts_with("\"\"\"\n") {
            base + 1
        } else {
            base
        };
        let first = e.errors.first();
        let (l, c, msg) = match first {
            Some(pe) => (
                pe.pos.0.max(1) as usize,
                pe.pos.1.max(1) as usize,
                pe.msg.clone(),
            ),
            None => (1, 1, e.to_string()),
        };
        anyhow!(
            "{origin}:{}: field `{field}`: CEL syntax error at column {c}: {msg}",
            base + l - 1
        )
    })
}

fn parse_rule(origin: &str, text: &str) -> Result<Rule> {
    let f: RuleFile = toml::from_str(text)
        .map_err(|e| anyhow!("{}", crate::textpos::toml_error(origin, text, &e)))?;
    let at = |field: &str, msg: String| anyhow!("{origin}: rule {}: field `{field}`: {msg}", f.id);
    if f.id.trim().is_empty() || f.id.contains(char::is_whitespace) {
        bail!("{origin}: field `id` must be a non-empty word");
    }
    let severity: Severity = f.severity.parse().map_err(|e: String| at("severity", e))?;
    if !AREAS.contains(&f.area.as_str()) {
        return Err(at(
            "area",
            format!("'{}' is not one of {}", f.area, AREAS.join(", ")),
        ));
    }
    if f.profiles.is_empty() {
        return Err(at("profiles", "must name at least one profile".into()));
    }
    for p in &f.profiles {
        if !PROFILES.iter().any(|x| x.name == p) {
            return Err(at("profiles", format!("unknown profile '{p}'")));
        }
    }
    let scope = match &f.scope {
        None => Scope::Cluster,
        Some(s) => Scope::parse(s).ok_or_else(|| {
            at(
                "scope",
                format!(
                    "'{s}' is not one of {}",
                    Scope::ALL.map(|s| s.name()).join(", ")
                ),
            )
        })?,
    };
    for n in &f.needs {
        if !PARTS.contains(&n.as_str()) {
            return Err(at(
                "needs",
                format!("'{n}' is not an inventory part ({})", PARTS.join(", ")),
            ));
        }
    }
    if f.references.is_empty() {
        return Err(at(
            "references",
            "at least one reference (KIP, doc section) is required".into(),
        ));
    }
    for (name, v) in [
        ("title", &f.title),
        ("why", &f.why),
        ("remediation", &f.remediation),
        ("message", &f.message),
    ] {
        if v.trim().is_empty() {
            return Err(at(name, "must not be empty".into()));
        }
    }
    let when = compile(origin, text, "when", &f.when)?;
    let mut evidence = BTreeMap::new();
    for (k, v) in &f.evidence {
        evidence.insert(
            k.clone(),
            (
                v.get_ref().clone(),
                compile(origin, text, &format!("evidence.{k}"), v)?,
            ),
        );
    }
    let mut allowed: HashSet<&str> = VARIABLES.iter().map(|(n, _)| *n).collect();
    if let Some(var) = scope.variable() {
        allowed.insert(var);
        allowed.insert("item");
    }
    // Variables bound by comprehension macros (`brokers.exists(b, …)`) are not free variables.
    let bound = regex::Regex::new(r"(?:\.\s*(?:all|exists|exists_one|existsOne|map|filter)|\bcel\.bind)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,")
        .expect("valid regex");
    for src in std::iter::once(f.when.get_ref()).chain(f.evidence.values().map(|v| v.get_ref())) {
        for c in bound.captures_iter(src) {
            if let Some(m) = c.get(1) {
                allowed.insert(m.as_str());
            }
        }
    }
    let mut per_profile = false;
    for (field, prog) in std::iter::once(("when".to_string(), &when)).chain(
        evidence
            .iter()
            .map(|(k, (_, p))| (format!("evidence.{k}"), p)),
    ) {
        for v in prog.references().variables() {
            if v == "target" || v == "profile" {
                per_profile = true;
            }
            if !allowed.contains(v) {
                return Err(at(
                    &field,
                    format!(
                        "unknown variable '{v}' for scope '{}' (known: {})",
                        scope.name(),
                        {
                            let mut a: Vec<_> = allowed.iter().copied().collect();
                            a.sort();
                            a.join(", ")
                        }
                    ),
                ));
            }
        }
    }
    let mut examples = Vec::new();
    for (i, ex) in f.example.iter().enumerate() {
        let where_ = format!("example {}", i + 1);
        if !["fail", "pass", "unknown"].contains(&ex.expect.as_str()) {
            return Err(at(
                &where_,
                format!("expect = '{}' must be fail, pass or unknown", ex.expect),
            ));
        }
        if let Some(p) = &ex.profile {
            if !f.profiles.contains(p) {
                return Err(at(
                    &where_,
                    format!("profile '{p}' is not one of the rule's profiles"),
                ));
            }
        }
        examples.push(Example {
            expect: ex.expect.clone(),
            note: ex.note.clone(),
            target: ex.target.clone(),
            profile: ex.profile.clone(),
            inventory: expand_example(ex.inventory.clone().unwrap_or_default()),
        });
    }
    let reads = super::reads::parts_read(
        scope,
        std::iter::once(&when).chain(evidence.values().map(|(_, p)| p)),
        &f.needs,
    );
    Ok(Rule {
        reads,
        id: f.id,
        title: f.title.into(),
        severity,
        area: f.area,
        profiles: f.profiles,
        scope,
        needs: f.needs,
        keys: f.keys,
        when_src: f.when.into_inner(),
        when,
        message: f.message,
        evidence,
        why: f.why.trim().into(),
        remediation: f.remediation.trim().into(),
        references: f.references.into(),
        examples,
        origin: origin.to_string(),
        per_profile,
    })
}

/// Example inventories may write configs as plain strings (`"log.dirs" = "/a,/b"`); expand
/// them to config entries, and fill `schema_version`.
fn expand_example(t: toml::Table) -> serde_json::Value {
    let mut v = serde_json::to_value(t).expect("toml converts to json");
    let o = v.as_object_mut().expect("table");
    o.entry("schema_version")
        .or_insert(serde_json::json!(crate::inventory::SCHEMA_VERSION));
    for (list, source) in [
        ("brokers", "STATIC_BROKER_CONFIG"),
        ("topics", "DYNAMIC_TOPIC_CONFIG"),
    ] {
        if let Some(items) = o.get_mut(list).and_then(|x| x.as_array_mut()) {
            for item in items {
                if let Some(cfgs) = item.get_mut("configs").and_then(|c| c.as_object_mut()) {
                    for (_, val) in cfgs.iter_mut() {
                        if let serde_json::Value::String(s) = val {
                            *val = serde_json::json!({ "value": s, "source": source, "sensitive": false });
                        }
                    }
                }
            }
        }
    }
    v
}
