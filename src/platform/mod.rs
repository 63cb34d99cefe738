//! Target platforms (issue 16): the documented limits of the places a cluster can move to,
//! as data. One reviewed TOML file per platform under `platforms/` (value, unit, source page,
//! date read, certainty), embedded and validated at load like the rule pack. Rules under
//! `rules/platform/` name the platforms they apply to and read the limits as the CEL variable
//! `limits` (see [`Selected::cel_limits`]). A limit marked `uncertain` is never enforced: a
//! finding that used one is reported as "verify" (info).

use crate::settings::{bad, literal, usage, Input};
use anyhow::{anyhow, bail, Context, Result};
use include_dir::{include_dir, Dir};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/platforms");

pub const CERTAINTIES: &[&str] = &["confirmed", "uncertain"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformFile {
    name: String,
    title: String,
    #[serde(default)]
    sizes: Vec<String>,
    #[serde(default)]
    limit: Vec<LimitFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitFile {
    name: String,
    #[serde(default)]
    value: Option<toml::Value>,
    #[serde(default)]
    by_size: BTreeMap<String, toml::Value>,
    unit: String,
    source: String,
    read: String,
    certainty: String,
    #[serde(default)]
    note: String,
}

/// One documented limit of a platform.
#[derive(Debug, Clone, Serialize)]
pub struct Limit {
    pub name: String,
    /// The value when it does not depend on the size (or none is given).
    pub value: Option<serde_json::Value>,
    /// Values per `--target-size`.
    pub by_size: BTreeMap<String, serde_json::Value>,
    pub unit: String,
    pub source: String,
    /// When the source was read (YYYY-MM or YYYY-MM-DD).
    pub read: String,
    /// `confirmed` or `uncertain` (uncertain limits are reported as "verify", never enforced).
    pub certainty: String,
    pub note: String,
}

impl Limit {
    pub fn uncertain(&self) -> bool {
        self.certainty == "uncertain"
    }
    /// The value for `size`: its own when the limit depends on the size, else the plain value.
    pub fn value_for(&self, size: Option<&str>) -> Option<&serde_json::Value> {
        if self.by_size.is_empty() {
            return self.value.as_ref();
        }
        size.and_then(|s| self.by_size.get(s))
    }
}

#[derive(Debug, Clone)]
pub struct Platform {
    pub name: String,
    pub title: String,
    pub sizes: Vec<String>,
    pub limits: Vec<Limit>,
    pub origin: String,
}

impl Platform {
    pub fn limit(&self, name: &str) -> Option<&Limit> {
        self.limits.iter().find(|l| l.name == name)
    }
}

/// A platform chosen with `--target-platform`, with its size (`--target-size`) and broker
/// count (`--target-brokers`) when given.
#[derive(Debug, Clone)]
pub struct Selected {
    pub platform: &'static Platform,
    pub size: Option<String>,
    pub brokers: Option<i64>,
    /// Limit values replaced by a rule example (`limits = { acls_max = 2 }`), so that the
    /// boundary of a large limit can be tested on a small inventory; empty on the command line.
    pub overrides: serde_json::Map<String, serde_json::Value>,
}

/// What the platform rules compare with the limits, counted from the inventory: `partitions`
/// and `partition_replicas` of the topics that move (not internal ones: the target has its
/// own), and the source's `brokers`.
pub fn source_totals(inv: &crate::inventory::Inventory) -> serde_json::Value {
    let moving = || {
        inv.topics
            .iter()
            .filter(|t| !t.internal && !t.name.starts_with("__"))
    };
    let partitions: usize = moving().map(|t| t.partitions.len()).sum();
    let replicas: usize = moving()
        .flat_map(|t| t.partitions.iter())
        .map(|p| p.replicas.len())
        .sum();
    serde_json::json!({
        "partitions": partitions,
        "partition_replicas": replicas,
        "brokers": inv.brokers.len(),
    })
}

impl Selected {
    /// `limits` for CEL: name → value; a size-dependent limit is absent without a size (the
    /// rule says so with `unknown(…)`).
    pub fn cel_limits(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for l in &self.platform.limits {
            if let Some(v) = l.value_for(self.size.as_deref()) {
                m.insert(l.name.clone(), v.clone());
            }
        }
        for (k, v) in &self.overrides {
            m.insert(k.clone(), v.clone());
        }
        serde_json::Value::Object(m)
    }

    /// How a used limit reads in a finding and in the report.
    pub fn describe(&self, l: &Limit) -> String {
        let value = match l.value_for(self.size.as_deref()) {
            Some(v) => display_value(v),
            None => format!(
                "depends on --target-size ({})",
                self.platform.sizes.join(", ")
            ),
        };
        let size = match (&self.size, l.by_size.is_empty()) {
            (Some(s), false) => format!(" for {s}"),
            _ => String::new(),
        };
        format!(
            "{value} {}{size} ({}; read {}; {})",
            l.unit, l.source, l.read, l.certainty
        )
    }
}

pub fn display_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => {
            let items: Vec<String> = a.iter().map(display_value).collect();
            if items.is_empty() {
                "none".into()
            } else {
                items.join(", ")
            }
        }
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => group_digits(i),
            None => n.to_string(),
        },
        other => other.to_string(),
    }
}

fn group_digits(i: i64) -> String {
    let s = i.unsigned_abs().to_string();
    let mut out = String::new();
    for (n, c) in s.chars().enumerate() {
        if n > 0 && (s.len() - n).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if i < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// The embedded platform files, loaded and validated once.
pub fn platforms() -> Result<&'static [Platform]> {
    static LOADED: OnceLock<std::result::Result<Vec<Platform>, String>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            let mut files = Vec::new();
            for f in EMBEDDED.files() {
                if f.path().extension().is_some_and(|e| e == "toml") {
                    let text = f.contents_utf8().unwrap_or_default();
                    files.push((
                        format!("platforms/{}", f.path().display()),
                        text.to_string(),
                    ));
                }
            }
            load_all(files).map_err(|e| format!("{e:#}"))
        })
        .as_deref()
        .map_err(|e| anyhow!("{e}"))
}

pub fn platform(name: &str) -> Option<&'static Platform> {
    platforms().ok()?.iter().find(|p| p.name == name)
}

pub fn names() -> Vec<&'static str> {
    platforms()
        .map(|ps| ps.iter().map(|p| p.name.as_str()).collect())
        .unwrap_or_default()
}

pub fn load_all(files: Vec<(String, String)>) -> Result<Vec<Platform>> {
    let mut out: Vec<Platform> = Vec::new();
    for (origin, text) in files {
        let p = parse(&origin, &text)?;
        if out.iter().any(|q| q.name == p.name) {
            bail!("{origin}: platform {} is defined twice", p.name);
        }
        out.push(p);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn to_json(origin: &str, field: &str, v: &toml::Value) -> Result<serde_json::Value> {
    match v {
        toml::Value::Integer(_) | toml::Value::Boolean(_) | toml::Value::String(_) => {
            Ok(serde_json::to_value(v)?)
        }
        toml::Value::Array(a)
            if a.iter()
                .all(|x| matches!(x, toml::Value::String(_) | toml::Value::Integer(_))) =>
        {
            Ok(serde_json::to_value(v)?)
        }
        _ => bail!("{origin}: field `{field}`: a limit is an integer, a boolean, a string or a list of strings"),
    }
}

fn parse(origin: &str, text: &str) -> Result<Platform> {
    let f: PlatformFile = toml::from_str(text)
        .map_err(|e| anyhow!("{}", crate::textpos::toml_error(origin, text, &e)))?;
    let stem = std::path::Path::new(origin)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if f.name != stem {
        bail!(
            "{origin}: field `name`: '{}' must match the file name '{stem}'",
            f.name
        );
    }
    if f.title.trim().is_empty() {
        bail!("{origin}: field `title` must not be empty");
    }
    let date = regex::Regex::new(r"^\d{4}-\d{2}(-\d{2})?$").expect("valid regex");
    let mut limits: Vec<Limit> = Vec::new();
    for l in &f.limit {
        let at = |field: &str| format!("limit.{}.{field}", l.name);
        if l.name.is_empty()
            || !l
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            bail!(
                "{origin}: field `limit.name`: '{}' must be a lower_snake_case word",
                l.name
            );
        }
        if limits.iter().any(|x| x.name == l.name) {
            bail!("{origin}: limit {} is defined twice", l.name);
        }
        for (field, v) in [("unit", &l.unit), ("source", &l.source)] {
            if v.trim().is_empty() {
                bail!("{origin}: field `{}` must not be empty", at(field));
            }
        }
        if !date.is_match(&l.read) {
            bail!(
                "{origin}: field `{}`: '{}' is not a date (YYYY-MM or YYYY-MM-DD)",
                at("read"),
                l.read
            );
        }
        if !CERTAINTIES.contains(&l.certainty.as_str()) {
            bail!(
                "{origin}: field `{}`: '{}' is not one of {}",
                at("certainty"),
                l.certainty,
                CERTAINTIES.join(", ")
            );
        }
        if l.certainty == "uncertain" && l.note.trim().is_empty() {
            bail!(
                "{origin}: field `{}`: an uncertain limit says why in `note`",
                at("note")
            );
        }
        let value = l
            .value
            .as_ref()
            .map(|v| to_json(origin, &at("value"), v))
            .transpose()?;
        let mut by_size = BTreeMap::new();
        for (s, v) in &l.by_size {
            if !f.sizes.contains(s) {
                bail!(
                    "{origin}: field `{}`: '{s}' is not one of the platform's sizes ({})",
                    at("by_size"),
                    f.sizes.join(", ")
                );
            }
            by_size.insert(s.clone(), to_json(origin, &at("by_size"), v)?);
        }
        match (&value, by_size.is_empty()) {
            (None, true) => bail!("{origin}: limit {}: give `value` or `by_size`", l.name),
            (Some(_), false) => {
                bail!(
                    "{origin}: limit {}: give `value` or `by_size`, not both",
                    l.name
                )
            }
            _ => {}
        }
        if !by_size.is_empty() && by_size.len() != f.sizes.len() {
            let missing: Vec<&str> = f
                .sizes
                .iter()
                .filter(|s| !by_size.contains_key(*s))
                .map(String::as_str)
                .collect();
            bail!(
                "{origin}: field `{}`: no value for {}",
                at("by_size"),
                missing.join(", ")
            );
        }
        limits.push(Limit {
            name: l.name.clone(),
            value,
            by_size,
            unit: l.unit.clone(),
            source: l.source.clone(),
            read: l.read.clone(),
            certainty: l.certainty.clone(),
            note: l.note.trim().to_string(),
        });
    }
    Ok(Platform {
        name: f.name,
        title: f.title,
        sizes: f.sizes,
        limits,
        origin: origin.to_string(),
    })
}

/// `--target-platform` / `--target-size` / `--target-brokers` as the user gave them: every
/// name known, a size given as `SIZE` or `PLATFORM=SIZE` and known to the platform(s) it is
/// for. Bad input is one message naming the option.
pub fn select(names: &[String], sizes: &[String], brokers: Option<i64>) -> Result<Vec<Selected>> {
    let all = platforms().context("the embedded platform files")?;
    if names.is_empty() {
        if !sizes.is_empty() || brokers.is_some() {
            return Err(usage(
                "{0} and {1} need {2}",
                &[
                    Input::TargetSize,
                    Input::TargetBrokers,
                    Input::TargetPlatform,
                ],
            ));
        }
        return Ok(Vec::new());
    }
    let mut out: Vec<Selected> = Vec::new();
    for n in names {
        let Some(p) = all.iter().find(|p| p.name == *n) else {
            return Err(bad(
                Input::TargetPlatform,
                n,
                format!(
                    "unknown platform (expected one of {})",
                    all.iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        };
        if !out.iter().any(|s| s.platform.name == p.name) {
            out.push(Selected {
                platform: p,
                size: None,
                brokers,
                overrides: Default::default(),
            });
        }
    }
    if let Some(b) = brokers {
        if b < 1 {
            return Err(bad(
                Input::TargetBrokers,
                b,
                "give a broker count of 1 or more",
            ));
        }
    }
    for s in sizes {
        let (plat, size) = match s.split_once('=') {
            Some((p, z)) => (Some(p.trim()), z.trim()),
            None => (None, s.trim()),
        };
        let mut used = false;
        for sel in out.iter_mut() {
            if plat.is_some_and(|p| p != sel.platform.name) {
                continue;
            }
            if sel.platform.sizes.iter().any(|z| z == size) {
                sel.size = Some(size.to_string());
                used = true;
            } else if plat.is_some() {
                return Err(bad(
                    Input::TargetSize,
                    s,
                    format!(
                        "{} has no size '{size}' (expected one of {})",
                        sel.platform.name,
                        sel.platform.sizes.join(", ")
                    ),
                ));
            }
        }
        if !used {
            return Err(usage(
                format!(
                    "{{0}} {}: no selected {{1}} has this size ({})",
                    literal(s),
                    literal(
                        out.iter()
                            .filter(|x| !x.platform.sizes.is_empty())
                            .map(|x| format!(
                                "{}: {}",
                                x.platform.name,
                                x.platform.sizes.join(", ")
                            ))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                ),
                &[Input::TargetSize, Input::TargetPlatform],
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_platform_files_load() {
        let all = platforms().unwrap();
        for n in [
            "apache-kafka",
            "msk-standard",
            "msk-express",
            "msk-serverless",
            "confluent-basic",
            "confluent-standard",
            "confluent-enterprise",
            "confluent-dedicated",
        ] {
            assert!(all.iter().any(|p| p.name == n), "{n} missing");
        }
    }

    /// Issue 16: every limit of every platform file is read by at least one rule that applies
    /// to that platform (a limit no rule uses is unreviewed data).
    #[test]
    fn every_limit_is_used_by_a_rule() {
        let rules = crate::rules::load_rules(None).unwrap();
        let mut unused = Vec::new();
        for p in platforms().unwrap() {
            for l in &p.limits {
                let used = rules
                    .rules
                    .iter()
                    .any(|r| r.platforms.contains(&p.name) && r.limits.contains(&l.name));
                if !used {
                    unused.push(format!("{}: {}", p.name, l.name));
                }
            }
        }
        assert!(unused.is_empty(), "limits no rule uses: {unused:?}");
    }

    /// Every platform rule has a firing, a passing and an unknown example, and the numeric
    /// ones test the boundary: at least three non-unknown examples.
    #[test]
    fn platform_rules_cover_fire_pass_unknown() {
        let rules = crate::rules::load_rules(None).unwrap();
        let mut bad = Vec::new();
        for r in rules.rules.iter().filter(|r| !r.platforms.is_empty()) {
            use crate::rules::Expect;
            for want in [Expect::Fail, Expect::Pass, Expect::Unknown] {
                if !r.examples.iter().any(|e| e.expect == want) {
                    bad.push(format!("{}: no {want} example", r.id));
                }
            }
            if r.examples
                .iter()
                .filter(|e| e.expect != crate::rules::Expect::Unknown)
                .count()
                < 3
            {
                bad.push(format!("{}: fewer than 3 boundary examples", r.id));
            }
        }
        assert!(bad.is_empty(), "{bad:?}");
    }

    fn one(text: &str) -> Result<Vec<Platform>> {
        load_all(vec![("platforms/x.toml".into(), text.into())])
    }

    #[test]
    fn bad_files_are_refused_naming_the_field() {
        let head = "name = \"x\"\ntitle = \"X\"\nsizes = [\"s\"]\n";
        let ok = "[[limit]]\nname = \"a\"\nvalue = 1\nunit = \"u\"\nsource = \"S\"\nread = \"2026-12\"\ncertainty = \"confirmed\"\n";
        assert!(one(&format!("{head}{ok}")).is_ok());
        for (bad, want) in [
            (ok.replace("2026-12", "last week"), "limit.a.read"),
            (ok.replace("confirmed", "probably"), "limit.a.certainty"),
            (ok.replace("confirmed", "uncertain"), "limit.a.note"),
            (
                ok.replace("value = 1", "by_size = { m = 1 }"),
                "limit.a.by_size",
            ),
            (ok.replace("value = 1\n", ""), "give `value` or `by_size`"),
            (
                ok.replace("source = \"S\"", "source = \"\""),
                "limit.a.source",
            ),
        ] {
            let e = one(&format!("{head}{bad}")).unwrap_err().to_string();
            assert!(e.contains(want), "{e} lacks {want}");
        }
        let e = one("name = \"y\"\ntitle = \"Y\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("must match the file name"), "{e}");
    }

    #[test]
    fn select_checks_names_and_sizes() {
        assert!(select(&["nope".into()], &[], None)
            .unwrap_err()
            .to_string()
            .contains("target platform nope: unknown platform"));
        let s = select(
            &["msk-express".into(), "confluent-basic".into()],
            &["express.m7g.xlarge".into()],
            Some(3),
        )
        .unwrap();
        assert_eq!(s[0].size.as_deref(), Some("express.m7g.xlarge"));
        assert_eq!(s[1].size, None);
        assert!(select(
            &["confluent-basic".into()],
            &["express.m7g.xlarge".into()],
            None
        )
        .is_err());
        assert!(select(&[], &["x".into()], None).is_err());
    }
}
pub mod compare;
