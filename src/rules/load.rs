//! Loading rule files: the embedded pack plus `--rules DIR`, checked completely at load.

use super::{celenv, profiles::PROFILES, Example, Rule, Scope};
use crate::findings::Severity;
use crate::inventory::Part;
use crate::settings::{bad, Input};
use anyhow::{anyhow, bail, Context, Result};
use include_dir::{include_dir, Dir};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use toml::Spanned;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/rules");

pub const AREAS: &[&str] = &[
    "version", "config", "security", "metadata", "health", "msk", "clients", "kafka4",
    // target-platform rules (issue 16)
    "platform",
];

pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub templates: minijinja::Environment<'static>,
}

impl RuleSet {
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    /// The ids of the rules carrying `tag`, in id order.
    pub fn tagged(&self, tag: super::Tag) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| r.tags.contains(&tag))
            .map(|r| r.id.as_str())
            .collect()
    }
}

/// A rule file as written. The fields that describe a rule rather than its check are optional:
/// a rule with `extends` takes those it leaves out from the rule it names ([`RuleFile::inherit`]);
/// after that, `severity`, `area`, `profiles`, `why`, `remediation` and `references` are required.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    id: String,
    title: String,
    /// The id of a rule (of the pack or of `--rules`) whose descriptive fields this one shares.
    #[serde(default)]
    extends: Option<String>,
    severity: Option<String>,
    area: Option<String>,
    profiles: Option<Vec<String>>,
    scope: Option<String>,
    needs: Option<Vec<String>>,
    keys: Option<Vec<String>>,
    when: Spanned<String>,
    message: String,
    #[serde(default)]
    evidence: BTreeMap<String, Spanned<String>>,
    /// Named CEL expressions `when`, `evidence` and `message` share (see [`expand_lets`]).
    #[serde(default, rename = "let")]
    lets: BTreeMap<String, Spanned<String>>,
    why: Option<String>,
    remediation: Option<String>,
    references: Option<Vec<String>>,
    #[serde(default)]
    example: Vec<ExampleFile>,
    // Target-platform rules (issue 16): the platforms the rule applies to and the limits it reads.
    platforms: Option<Vec<String>>,
    limits: Option<Vec<String>>,
    /// The plan steps (`kraftcheck plan`) the rule's findings gate, at most one per profile.
    steps: Option<Vec<String>>,
    /// What report sections select the rule's findings by (`rules::tags`).
    tags: Option<Vec<String>>,
}

impl RuleFile {
    /// Take each descriptive field this file leaves out from `parent` (`extends`). The check
    /// itself (`when`, `evidence`, `let`, `message`), the title and the examples are never
    /// inherited: a variant states its own.
    fn inherit(&mut self, parent: &RuleFile) {
        fn take<T: Clone>(mine: &mut Option<T>, theirs: &Option<T>) {
            if mine.is_none() {
                mine.clone_from(theirs);
            }
        }
        take(&mut self.severity, &parent.severity);
        take(&mut self.area, &parent.area);
        take(&mut self.profiles, &parent.profiles);
        take(&mut self.scope, &parent.scope);
        take(&mut self.needs, &parent.needs);
        take(&mut self.keys, &parent.keys);
        take(&mut self.why, &parent.why);
        take(&mut self.remediation, &parent.remediation);
        take(&mut self.references, &parent.references);
        take(&mut self.platforms, &parent.platforms);
        take(&mut self.limits, &parent.limits);
        take(&mut self.steps, &parent.steps);
        take(&mut self.tags, &parent.tags);
    }
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
    // Target-platform examples (issue 16): which platform, size and broker count.
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    size: Option<String>,
    #[serde(default)]
    brokers: Option<i64>,
    #[serde(default)]
    limits: Option<toml::Table>,
}

/// Load the embedded pack, then every `*.toml` under `extra` (recursively), which may add
/// rules or replace embedded ones by id.
pub fn load_rules(extra: Option<&Path>) -> Result<RuleSet> {
    let mut files: Vec<(String, String)> = Vec::new();
    collect_embedded(&EMBEDDED, &mut files);
    let mut parsed = parse_all(files)?;
    if let Some(dir) = extra {
        let mut paths = Vec::new();
        collect_dir(dir, &mut paths)?;
        if paths.is_empty() {
            return Err(bad(
                Input::Rules,
                dir.display(),
                "no .toml rule files found",
            ));
        }
        let mut texts = Vec::new();
        for p in paths {
            let t = std::fs::read_to_string(&p)
                .with_context(|| format!("cannot read rule file {}", p.display()))?;
            texts.push((p.display().to_string(), t));
        }
        for r in parse_all(texts)? {
            parsed.retain(|e| e.file.id != r.file.id);
            parsed.push(r);
        }
    }
    let mut rules = build_all(parsed)?;
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
    let entries = std::fs::read_dir(dir).map_err(|e| {
        bad(
            Input::Rules,
            dir.display(),
            format!("cannot read directory: {e}"),
        )
    })?;
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

/// A rule file read but not yet checked: where it came from, its text (for line numbers) and
/// its fields.
struct Parsed {
    origin: String,
    text: String,
    file: RuleFile,
}

/// Read each file's fields; an id may stand in one file only.
fn parse_all(files: Vec<(String, String)>) -> Result<Vec<Parsed>> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut parsed = Vec::new();
    for (origin, text) in files {
        let file: RuleFile = toml::from_str(&text)
            .map_err(|e| anyhow!("{}", crate::textpos::toml_error(&origin, &text, &e)))?;
        if file.id.trim().is_empty() || file.id.contains(char::is_whitespace) {
            bail!("{origin}: field `id` must be a non-empty word");
        }
        if !seen.insert(file.id.clone()) {
            bail!("{origin}: rule id {} is defined twice", file.id);
        }
        parsed.push(Parsed { origin, text, file });
    }
    Ok(parsed)
}

/// Give each rule with `extends` the fields it leaves out, from the rule it names (which may
/// itself extend another). The parent is looked up among all loaded rules, after `--rules`
/// replaced any by id.
fn resolve_extends(parsed: &mut [Parsed]) -> Result<()> {
    let index: BTreeMap<String, usize> = parsed
        .iter()
        .enumerate()
        .map(|(i, p)| (p.file.id.clone(), i))
        .collect();
    let mut done: Vec<bool> = parsed.iter().map(|p| p.file.extends.is_none()).collect();
    loop {
        let mut progress = false;
        for i in 0..parsed.len() {
            let Some(parent) = parsed[i].file.extends.clone().filter(|_| !done[i]) else {
                continue;
            };
            let Some(&j) = index.get(&parent) else {
                let p = &parsed[i];
                bail!(
                    "{}: rule {}: field `extends`: no rule with id '{parent}' is loaded",
                    p.origin,
                    p.file.id
                );
            };
            if done[j] {
                let (child, parent) = if i < j {
                    let (a, b) = parsed.split_at_mut(j);
                    (&mut a[i], &b[0])
                } else {
                    let (a, b) = parsed.split_at_mut(i);
                    (&mut b[0], &a[j])
                };
                child.file.inherit(&parent.file);
                done[i] = true;
                progress = true;
            }
        }
        if !progress {
            break;
        }
    }
    match parsed.iter().zip(&done).find(|(_, d)| !**d) {
        Some((p, _)) => bail!(
            "{}: rule {}: field `extends`: the rules it extends come back to it (a circle)",
            p.origin,
            p.file.id
        ),
        None => Ok(()),
    }
}

/// How deeply a CEL expression may nest (brackets, unary operators, conditionals; see
/// [`nested_deeper_than`]). CEL's parser recurses several frames per level: a debug build
/// overflows the main thread's 8 MiB stack at between 40 and 60 nested parentheses (issue 15). The deepest
/// expression of the bundled pack nests 9 levels (11 with its lets expanded).
pub const MAX_CEL_NESTING: usize = 32;

/// Whether `src` nests deeper than `limit`: brackets `( [ {`, each unary `!` or `-` before an
/// operand, and each conditional `?` (its branches nest to the right) open a level; a closing
/// bracket returns to the level it opened at, a comma to the level inside its bracket. String literals are skipped. Stops at the first
/// level past `limit`, so a hostile expression costs one pass.
fn nested_deeper_than(src: &str, limit: usize) -> bool {
    let b = src.as_bytes();
    // Per open bracket: the level it returns to when closed, and the level inside it.
    let mut open = Vec::new();
    let (mut level, mut run, mut operand) = (0usize, 0usize, false);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' | b'\'' => {
                i = literal_end(b, i);
                (run, operand) = (0, true);
                continue;
            }
            b'(' | b'[' | b'{' => {
                let inside = level + run + 1;
                open.push((level, inside));
                level = inside;
                (run, operand) = (0, false);
            }
            b')' | b']' | b'}' => {
                level = open.pop().map_or(0, |(outside, _)| outside);
                (run, operand) = (0, true);
            }
            // The next argument or element starts afresh (conditionals do not carry over).
            b',' => {
                level = open.last().map_or(0, |&(_, inside)| inside);
                (run, operand) = (0, false);
            }
            b'!' if b.get(i + 1) != Some(&b'=') => run += 1,
            b'-' if !operand => run += 1,
            b'?' => {
                level += 1;
                operand = false;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => (run, operand) = (0, true),
            c if c.is_ascii_whitespace() => {}
            _ => operand = false,
        }
        if level + run > limit {
            return true;
        }
        i += 1;
    }
    false
}

/// The index just past the CEL string literal (also triple-quoted, also raw: `r'…'`, where a
/// backslash escapes nothing) that starts at `b[i]`.
fn literal_end(b: &[u8], i: usize) -> usize {
    let c = b[i];
    let raw = i > 0 && matches!(b[i - 1], b'r' | b'R');
    let triple = b[i..].starts_with(&[c, c, c]);
    let q = if triple { 3 } else { 1 };
    let mut j = i + q;
    while j < b.len() {
        if b[j] == b'\\' && !raw {
            j += 2;
            continue;
        }
        if b[j] == c && (!triple || b[j..].starts_with(&[c, c, c])) {
            j += q;
            break;
        }
        j += 1;
    }
    j.min(b.len())
}

/// The line of `text` where the expression `src` begins.
fn first_line(text: &str, src: &Spanned<String>) -> usize {
    let line = crate::textpos::line_col(text, src.span().start).0;
    // A multi-line string's content starts on the line after its opening quotes.
    let opener = &text[src.span().start..];
    if opener.starts_with("'''\n") || opener.starts_with("\"\"\"\n") {
        line + 1
    } else {
        line
    }
}

/// Refuse an expression nested deeper than [`MAX_CEL_NESTING`] before CEL's parser sees it.
fn check_nesting(origin: &str, text: &str, field: &str, src: &Spanned<String>) -> Result<()> {
    if nested_deeper_than(src.get_ref(), MAX_CEL_NESTING) {
        bail!(
            "{origin}:{}: field `{field}`: expression nested deeper than {MAX_CEL_NESTING} levels",
            first_line(text, src)
        );
    }
    Ok(())
}

/// Compile a CEL expression; errors give the file line and column.
fn compile(origin: &str, text: &str, field: &str, src: &Spanned<String>) -> Result<cel::Program> {
    check_nesting(origin, text, field, src)?;
    celenv::env().compile(src.get_ref()).map_err(|e| {
        let base = first_line(text, src);
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

/// `steps`: each names a step of `kraftcheck plan` on one of the rule's profiles, one per profile.
fn check_steps(steps: &[String], profiles: &[String]) -> std::result::Result<(), String> {
    let mut seen = HashSet::new();
    for s in steps {
        let Some(def) = crate::plan::step(s) else {
            return Err(format!(
                "unknown step '{s}' (expected one of {})",
                crate::plan::STEPS
                    .iter()
                    .map(|s| s.id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        if !profiles.iter().any(|p| p == def.profile) {
            return Err(format!(
                "step '{s}' is on path {}, which is not one of the rule's profiles",
                def.profile
            ));
        }
        if !seen.insert(def.profile) {
            return Err(format!("two steps on path {}", def.profile));
        }
    }
    Ok(())
}

/// One rule file on its own (an `extends` in it finds no rule).
fn parse_rule(origin: &str, text: &str) -> Result<Rule> {
    let parsed = parse_all(vec![(origin.to_string(), text.to_string())])?;
    Ok(build_all(parsed)?.remove(0))
}

/// The rules of a set of read files: `extends` resolved over the whole set, then each checked
/// and compiled.
fn build_all(mut parsed: Vec<Parsed>) -> Result<Vec<Rule>> {
    resolve_extends(&mut parsed)?;
    parsed
        .into_iter()
        .map(|p| build_rule(&p.origin, &p.text, p.file))
        .collect()
}

/// Check a rule file whose `extends` is resolved, compile its CEL and make the rule.
fn build_rule(origin: &str, text: &str, f: RuleFile) -> Result<Rule> {
    let id = f.id.clone();
    let at = |field: &str, msg: String| anyhow!("{origin}: rule {id}: field `{field}`: {msg}");
    let missing = |field: &str| {
        at(
            field,
            "missing (write it, or `extends` naming a rule that has it)".into(),
        )
    };
    let severity_text = f.severity.ok_or_else(|| missing("severity"))?;
    let area = f.area.ok_or_else(|| missing("area"))?;
    let profiles = f.profiles.ok_or_else(|| missing("profiles"))?;
    let why = f.why.ok_or_else(|| missing("why"))?;
    let remediation = f.remediation.ok_or_else(|| missing("remediation"))?;
    let references = f.references.ok_or_else(|| missing("references"))?;
    let (needs, keys) = (f.needs.unwrap_or_default(), f.keys.unwrap_or_default());
    let (platforms, limits) = (
        f.platforms.unwrap_or_default(),
        f.limits.unwrap_or_default(),
    );
    let (steps, tag_names) = (f.steps.unwrap_or_default(), f.tags.unwrap_or_default());
    let severity: Severity = severity_text
        .parse()
        .map_err(|e: String| at("severity", e))?;
    if !AREAS.contains(&area.as_str()) {
        return Err(at(
            "area",
            format!("'{area}' is not one of {}", AREAS.join(", ")),
        ));
    }
    if profiles.is_empty() {
        return Err(at("profiles", "must name at least one profile".into()));
    }
    for p in &profiles {
        if !PROFILES.iter().any(|x| x.name == p) {
            return Err(at("profiles", format!("unknown profile '{p}'")));
        }
    }
    check_steps(&steps, &profiles).map_err(|m| at("steps", m))?;
    let tags = super::tags::parse_tags(&tag_names).map_err(|m| at("tags", m))?;
    let scope = match &f.scope {
        None => Scope::Cluster,
        Some(s) => Scope::parse(s).ok_or_else(|| {
            at(
                "scope",
                format!(
                    "'{s}' is not one of {}",
                    Scope::all()
                        .map(|s| s.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?,
    };
    for n in &needs {
        if Part::parse(n).is_none() {
            return Err(at(
                "needs",
                format!(
                    "'{n}' is not an inventory part ({})",
                    Part::names().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    if references.is_empty() {
        return Err(at(
            "references",
            "at least one reference (KIP, doc section) is required".into(),
        ));
    }
    for (name, v) in [
        ("title", &f.title),
        ("why", &why),
        ("remediation", &remediation),
        ("message", &f.message),
    ] {
        if v.trim().is_empty() {
            return Err(at(name, "must not be empty".into()));
        }
    }
    // Each `let` on its own first, so a syntax error names its own line.
    for (name, v) in &f.lets {
        let ok_name = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let taken = super::variables().any(|(n, _)| n == name)
            || name == "item"
            || scope.variable() == Some(name.as_str())
            || celenv::HELPERS
                .iter()
                .any(|h| h.names.contains(&name.as_str()));
        if !ok_name || taken {
            return Err(at(
                &format!("let.{name}"),
                "a let name must be a word that is not a variable or helper name".into(),
            ));
        }
        compile(origin, text, &format!("let.{name}"), v)?;
    }
    let lets: BTreeMap<&str, &str> = f
        .lets
        .iter()
        .map(|(k, v)| (k.as_str(), v.get_ref().as_str()))
        .collect();
    let expanded = |field: &str, src: &Spanned<String>| -> Result<(String, cel::Program)> {
        if lets.is_empty() {
            return Ok((src.get_ref().clone(), compile(origin, text, field, src)?));
        }
        check_nesting(origin, text, field, src)?;
        let e = expand_lets(src.get_ref(), &lets, 0).map_err(|m| at(field, m))?;
        if nested_deeper_than(&e, MAX_CEL_NESTING) {
            return Err(at(
                field,
                format!(
                    "expression nested deeper than {MAX_CEL_NESTING} levels with its lets expanded"
                ),
            ));
        }
        let prog = celenv::env()
            .compile(&e)
            .map_err(|err| at(field, format!("CEL error with its lets expanded: {err}")))?;
        Ok((e, prog))
    };
    let (when_expanded, when) = expanded("when", &f.when)?;
    let mut evidence = BTreeMap::new();
    let mut expanded_srcs = vec![when_expanded];
    for (k, v) in &f.evidence {
        let (e, prog) = expanded(&format!("evidence.{k}"), v)?;
        expanded_srcs.push(e);
        evidence.insert(k.clone(), (v.get_ref().clone(), prog));
    }
    // The lets a message reads (`{{ let.name }}`), evaluated when the rule fires.
    let mut message_lets = Vec::new();
    for (name, v) in &f.lets {
        if f.message.contains(&format!("let.{name}")) {
            let (e, prog) = expanded(&format!("let.{name}"), v)?;
            expanded_srcs.push(e);
            message_lets.push((name.clone(), prog));
        }
    }
    let mut allowed: HashSet<&str> = super::variables().map(|(n, _)| n).collect();
    if let Some(var) = scope.variable() {
        allowed.insert(var);
        allowed.insert("item");
    }
    // Variables bound by comprehension macros (`brokers.exists(b, …)`) are not free variables.
    let bound = regex::Regex::new(r"(?:\.\s*(?:all|exists|exists_one|existsOne|map|filter)|\bcel\.bind)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,")
        .expect("valid regex");
    for src in &expanded_srcs {
        for c in bound.captures_iter(src) {
            if let Some(m) = c.get(1) {
                allowed.insert(m.as_str());
            }
        }
    }
    // Target-platform rules (issue 16): `platforms`/`limits` checked against platforms/*.toml.
    super::platform_check::check_rule(
        origin,
        &f.id,
        &platforms,
        &limits,
        &f.when,
        &f.evidence,
        &mut allowed,
    )?;
    let mut per_profile = false;
    for (field, prog) in std::iter::once(("when".to_string(), &when))
        .chain(
            evidence
                .iter()
                .map(|(k, (_, p))| (format!("evidence.{k}"), p)),
        )
        .chain(message_lets.iter().map(|(k, p)| (format!("let.{k}"), p)))
    {
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
        let expect: super::Expect = ex.expect.parse().map_err(|e| at(&where_, e))?;
        if let Some(p) = &ex.profile {
            if !profiles.contains(p) {
                return Err(at(
                    &where_,
                    format!("profile '{p}' is not one of the rule's profiles"),
                ));
            }
        }
        super::platform_check::check_example(
            origin,
            &f.id,
            &where_,
            &platforms,
            &limits,
            ex.platform.as_deref(),
            ex.size.as_deref(),
            ex.limits.as_ref(),
        )?;
        examples.push(Example {
            platform: ex.platform.clone(),
            size: ex.size.clone(),
            brokers: ex.brokers,
            limits: serde_json::to_value(&ex.limits).unwrap_or_default(),
            expect,
            note: ex.note.clone(),
            target: ex.target.clone(),
            profile: ex.profile.clone(),
            inventory: expand_example(ex.inventory.clone().unwrap_or_default()),
        });
    }
    // Lets are expanded in place: the reads analysis sees through them.
    let reads = super::reads::parts_read(
        scope,
        std::iter::once(&when)
            .chain(evidence.values().map(|(_, p)| p))
            .chain(message_lets.iter().map(|(_, p)| p)),
        &needs,
    );
    Ok(Rule {
        reads,
        id: f.id,
        title: f.title.into(),
        severity,
        area,
        profiles,
        scope,
        needs,
        keys,
        when_src: f.when.into_inner(),
        when,
        message: f.message,
        evidence,
        message_lets,
        lets: f
            .lets
            .iter()
            .map(|(k, v)| (k.clone(), v.get_ref().trim().to_string()))
            .collect(),
        why: why.trim().into(),
        remediation: remediation.trim().into(),
        references: references.into(),
        examples,
        origin: origin.to_string(),
        per_profile,
        platforms,
        limits,
        steps,
        tags: tags.into(),
    })
}

/// `src` with every reference to a let (an identifier not selected with `.` nor called)
/// replaced by its expression in parentheses, lets within lets too. String literals are
/// left alone. CEL has no side effects, so this means what a binding would.
fn expand_lets(src: &str, lets: &BTreeMap<&str, &str>, depth: usize) -> Result<String, String> {
    if depth > lets.len() {
        return Err("the lets refer to each other in a cycle".into());
    }
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'"' || c == b'\'' {
            // A string literal (also triple-quoted), copied as is.
            let j = literal_end(b, i);
            out.push_str(&src[i..j]);
            i = j;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let mut j = i;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            let word = &src[i..j];
            let selected = src[..i].trim_end().ends_with('.');
            let called = src[j..].trim_start().starts_with('(');
            match lets.get(word) {
                Some(body) if !selected && !called => {
                    out.push('(');
                    out.push_str(&expand_lets(body, lets, depth + 1)?);
                    out.push(')');
                }
                _ => out.push_str(word),
            }
            i = j;
        } else {
            let ch = src[i..].chars().next().expect("in bounds");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    Ok(out)
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

#[cfg(test)]
mod nesting_tests {
    use super::nested_deeper_than as deeper;

    #[test]
    fn levels_are_brackets_unary_operators_and_conditionals() {
        assert!(!deeper("f(a[0], {1: (2)})", 3));
        assert!(deeper("f(a[(0)])", 2));
        assert!(!deeper("!!a && !b", 2));
        assert!(deeper("!!!a", 2));
        // Binary minus and `!=` open nothing; unary minus does.
        assert!(!deeper("a - b - c != d", 0));
        assert!(deeper("- -a", 1));
        assert!(!deeper("a ? b : c", 1));
        assert!(deeper("a ? b : c ? d : e", 1));
        // A closing bracket returns to the level its bracket opened at, a comma to the level
        // inside its bracket.
        assert!(!deeper("(!(a)) || ((b))", 3));
        assert!(!deeper("[a ? b : c, d ? e : f, g ? h : i]", 2));
        assert!(deeper("[a ? b : c ? d : e]", 2));
    }

    #[test]
    fn string_literals_hide_nothing() {
        assert!(!deeper(
            r#"x == "((((" && y == '[[[[' && z == """{{{{""""#,
            0
        ));
        assert!(!deeper(r#"x == "a\"((((" "#, 0));
        // In a raw string a backslash escapes nothing: the brackets after it count.
        assert!(deeper(r"r'\' + ((((1)))) > 0", 3));
    }
}

#[cfg(test)]
mod let_tests {
    use super::*;

    const RULE: &str = r#"
id = "T-1"
title = "t"
severity = "low"
area = "config"
profiles = ["inplace"]
scope = "broker"
when = 'size(set_keys) > 0'
message = "{{ resource }} sets {{ let.set_keys | join(',') }} of {{ let.watched | length }}"
why = "w"
remediation = "r"
references = ["x"]

[let]
watched = '["a.b", "c"]'
set_keys = 'watched.filter(k, has_cfg(broker, k))'

[evidence]
keys = 'set_keys'
"#;

    #[test]
    fn lets_expand_outside_strings_fields_and_calls() {
        let lets = BTreeMap::from([("x", "1 + y"), ("y", "2")]);
        assert_eq!(
            expand_lets(r#"x + a.x + x(1) + "x" + 'x'"#, &lets, 0).unwrap(),
            r#"(1 + (2)) + a.x + x(1) + "x" + 'x'"#
        );
        let cycle = BTreeMap::from([("x", "y"), ("y", "x")]);
        assert!(expand_lets("x", &cycle, 0).unwrap_err().contains("cycle"));
    }

    #[test]
    fn lets_are_shared_by_when_evidence_and_message_and_seen_by_reads() {
        let set = {
            let r = parse_rule("t.toml", RULE).unwrap();
            assert_eq!(
                r.reads.iter().map(|p| p.name()).collect::<Vec<_>>(),
                ["brokers", "brokers.configs"]
            );
            let mut templates = minijinja::Environment::new();
            templates
                .add_template_owned(r.id.clone(), r.message.clone())
                .unwrap();
            RuleSet {
                rules: vec![r],
                templates,
            }
        };
        let inv: crate::inventory::Inventory = serde_json::from_value(expand_example(
            toml::from_str(r#"brokers = [{ id = 1, configs = { "c" = "1" } }]"#).unwrap(),
        ))
        .unwrap();
        let opts = super::super::EvalOptions {
            profiles: vec!["inplace".into()],
            ..Default::default()
        };
        let f = super::super::evaluate(&set, &inv, &opts);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].message, "broker:1 sets c of 2");
        assert_eq!(f[0].evidence["keys"], serde_json::json!(["c"]));
    }

    #[test]
    fn a_let_may_not_shadow_a_variable_and_a_rule_without_lets_loads() {
        let bad = RULE.replace("watched = ", "brokers = ");
        let e = parse_rule("t.toml", &bad).err().unwrap().to_string();
        assert!(e.contains("let.brokers"), "{e}");
        let plain = RULE
            .replace("size(set_keys) > 0", r#"has_cfg(broker, "c")"#)
            .replace("'set_keys'", r#"'"c"'"#)
            .replace(
                "{{ let.set_keys | join(',') }} of {{ let.watched | length }}",
                "c",
            );
        let plain = format!(
            "{}{}",
            &plain[..plain.find("[let]").unwrap()],
            &plain[plain.find("[evidence]").unwrap()..]
        );
        assert!(parse_rule("t.toml", &plain)
            .unwrap()
            .message_lets
            .is_empty());
    }
}

#[cfg(test)]
mod extends_tests {
    use super::*;

    const PARENT: &str = r#"
id = "P-1"
title = "parent"
severity = "high"
area = "config"
profiles = ["inplace", "kafka4"]
steps = ["inplace.broker-configs"]
scope = "broker"
needs = ["brokers.configs"]
when = 'has_cfg(broker, "a")'
message = "{{ resource }} sets a"
why = "parent why"
remediation = "parent fix"
references = ["KIP-866"]
"#;

    const CHILD: &str = r#"
id = "P-1b"
title = "child"
extends = "P-1"
scope = "topic"
needs = ["topics.configs"]
when = 'has_cfg(topic, "a")'
message = "{{ resource }} sets a"
"#;

    fn load(files: &[(&str, &str)]) -> Result<Vec<Rule>> {
        let texts = files.iter().map(|(o, t)| (o.to_string(), t.to_string()));
        build_all(parse_all(texts.collect())?)
    }

    #[test]
    fn a_variant_takes_what_it_leaves_out_and_keeps_what_it_writes() {
        // The child comes first: the order of the files does not matter.
        let rules = load(&[("c.toml", CHILD), ("p.toml", PARENT)]).unwrap();
        let c = &rules[0];
        assert_eq!(c.id, "P-1b");
        assert_eq!(&*c.title, "child");
        assert_eq!(c.severity, Severity::High);
        assert_eq!(c.profiles, ["inplace", "kafka4"]);
        assert_eq!(c.steps, ["inplace.broker-configs"]);
        assert_eq!(&*c.why, "parent why");
        assert_eq!(&*c.references, ["KIP-866".to_string()]);
        // Written by the child: its own.
        assert_eq!(c.scope.name(), "topic");
        assert_eq!(c.needs, ["topics.configs"]);
        assert_eq!(c.when_src, r#"has_cfg(topic, "a")"#);
        // Written empty: the parent's list is dropped.
        let c2 = CHILD.replace("id = \"P-1b\"", "id = \"P-1c\"\nsteps = []");
        let rules = load(&[("p.toml", PARENT), ("c.toml", &c2)]).unwrap();
        assert!(rules[1].steps.is_empty());
        // A chain: a grandchild takes the parent's texts through the child.
        let g = CHILD
            .replace("\"P-1b\"", "\"P-1g\"")
            .replace("extends = \"P-1\"", "extends = \"P-1b\"\nwhy = \"own why\"");
        let rules = load(&[("g.toml", &g), ("c.toml", CHILD), ("p.toml", PARENT)]).unwrap();
        assert_eq!(&*rules[0].why, "own why");
        assert_eq!(&*rules[0].remediation, "parent fix");
    }

    #[test]
    fn unknown_parents_circles_and_missing_fields_are_refused() {
        let e = load(&[("c.toml", CHILD)]).err().unwrap().to_string();
        assert!(
            e.contains("c.toml: rule P-1b: field `extends`: no rule with id 'P-1'"),
            "{e}"
        );
        let a = CHILD.replace("extends = \"P-1\"", "extends = \"P-1z\"");
        let z = CHILD
            .replace("\"P-1b\"", "\"P-1z\"")
            .replace("extends = \"P-1\"", "extends = \"P-1b\"");
        let e = load(&[("a.toml", &a), ("z.toml", &z)])
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("field `extends`: the rules it extends come back"),
            "{e}"
        );
        let e = load(&[("c.toml", &CHILD.replace("extends = \"P-1\"\n", ""))])
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("c.toml: rule P-1b: field `severity`: missing (write it, or `extends`"),
            "{e}"
        );
    }

    #[test]
    fn the_bundled_variants_load_with_their_parents_texts() {
        let set = load_rules(None).unwrap();
        let (p, c) = (
            set.get("KRAFT-FEAT-007").unwrap(),
            set.get("KRAFT-FEAT-007b").unwrap(),
        );
        assert_eq!(p.why, c.why);
        assert_eq!(p.steps, c.steps);
        assert_ne!(p.scope, c.scope);
    }
}
