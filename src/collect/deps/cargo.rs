//! Cargo: `Cargo.toml` (dependencies, dev-, build- and target-specific tables, workspace) and
//! `Cargo.lock` (with its dependency graph).

use super::*;

pub(super) fn parse_cargo(text: &str) -> Result<Vec<Decl>, String> {
    let doc = toml_doc(text)?;
    // (table, dev-dependencies: tests and examples only)
    let mut tables: Vec<(&toml::Table, bool)> = Vec::new();
    for k in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(t) = doc.get(k).and_then(|v| v.as_table()) {
            tables.push((t, k == "dev-dependencies"));
        }
    }
    if let Some(t) = doc
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|v| v.as_table())
    {
        tables.push((t, false));
    }
    if let Some(targets) = doc.get("target").and_then(|v| v.as_table()) {
        for t in targets.values() {
            for k in ["dependencies", "dev-dependencies", "build-dependencies"] {
                if let Some(x) = t.get(k).and_then(|v| v.as_table()) {
                    tables.push((x, k == "dev-dependencies"));
                }
            }
        }
    }
    let mut out = Vec::new();
    for (t, dev) in tables {
        for (name, v) in t {
            let (pkg, version) = match v {
                toml::Value::String(s) => (name.clone(), s.clone()),
                toml::Value::Table(d) => (
                    d.get("package")
                        .and_then(|p| p.as_str())
                        .unwrap_or(name)
                        .to_string(),
                    d.get("version")
                        .and_then(|p| p.as_str())
                        .unwrap_or("")
                        .to_string(),
                ),
                _ => continue,
            };
            let line = text
                .lines()
                .position(|l| {
                    let l = l.trim_start();
                    (l.starts_with(name.as_str()) && l[name.len()..].trim_start().starts_with('='))
                        || l.contains(&format!("dependencies.{name}]"))
                })
                .map(|p| p as u32 + 1)
                .unwrap_or(1);
            let mut d = decl("cargo", &pkg, &version, line, false);
            d.test = dev;
            out.push(d);
        }
    }
    Ok(out)
}

pub(super) fn parse_cargo_lock(text: &str) -> Result<Vec<Decl>, String> {
    let doc = toml_doc(text)?;
    let mut out = Vec::new();
    let pkgs = doc
        .get("package")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    for p in pkgs {
        let (Some(name), Some(ver)) = (
            p.get("name").and_then(|v| v.as_str()),
            p.get("version").and_then(|v| v.as_str()),
        ) else {
            continue;
        };
        let needle = format!("name = \"{name}\"");
        let mut d = decl("cargo", name, ver, line_of(text, &[needle.as_str()]), true);
        // "rdkafka-sys 1.0.0 (registry+…)" or "rdkafka-sys"
        d.needs = p
            .get("dependencies")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str())
            .filter_map(|x| x.split_whitespace().next())
            .map(str::to_string)
            .collect();
        out.push(d);
    }
    Ok(out)
}
