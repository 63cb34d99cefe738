//! Python: requirements files, `pyproject.toml` (PEP 621 and Poetry), `poetry.lock`, `Pipfile`,
//! `Pipfile.lock`.

use super::*;

/// `kafka-python[extra]==2.0.1 ; python_version>'3'` → (name, spec).
pub(super) fn pep508(s: &str) -> Option<(String, String)> {
    let s = s.split(';').next()?.trim();
    if s.is_empty() {
        return None;
    }
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
        .unwrap_or(s.len());
    let name = &s[..end];
    if name.is_empty() {
        return None;
    }
    let mut rest = s[end..].trim();
    if rest.starts_with('[') {
        rest = rest.split_once(']').map(|x| x.1).unwrap_or("").trim();
    }
    if rest.starts_with('@') {
        rest = "";
    }
    Some((
        name.to_string(),
        rest.trim_matches(['(', ')']).trim().to_string(),
    ))
}

pub(super) fn parse_requirements(text: &str) -> Vec<Decl> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.split(" #").next().unwrap_or("").trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with('-') {
            continue;
        }
        if let Some((n, v)) = pep508(t) {
            out.push(decl("pypi", &n, &v, i as u32 + 1, false));
        }
    }
    out
}

pub(super) fn poetry_spec(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Table(t) => t
            .get("version")
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .to_string(),
        _ => String::new(),
    }
}

pub(super) fn parse_pyproject(text: &str) -> Result<Vec<Decl>, String> {
    let doc = toml_doc(text)?;
    let mut out = Vec::new();
    let pep = |s: &str, test: bool, out: &mut Vec<Decl>| {
        if let Some((n, v)) = pep508(s) {
            let needle = format!("\"{s}");
            let line = match line_of(text, &[needle.as_str()]) {
                1 => line_of(text, &[n.as_str()]),
                l => l,
            };
            let mut d = decl("pypi", &n, &v, line, false);
            d.test = test;
            out.push(d);
        }
    };
    if let Some(p) = doc.get("project") {
        for d in p
            .get("dependencies")
            .and_then(|x| x.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(s) = d.as_str() {
                pep(s, false, &mut out);
            }
        }
        if let Some(opt) = p.get("optional-dependencies").and_then(|x| x.as_table()) {
            for (extra, list) in opt {
                for d in list.as_array().into_iter().flatten() {
                    if let Some(s) = d.as_str() {
                        pep(s, is_dev_group(extra), &mut out);
                    }
                }
            }
        }
    }
    if let Some(poetry) = doc.get("tool").and_then(|t| t.get("poetry")) {
        let mut tables: Vec<(&toml::Table, bool)> = Vec::new();
        for k in ["dependencies", "dev-dependencies"] {
            if let Some(t) = poetry.get(k).and_then(|x| x.as_table()) {
                tables.push((t, k == "dev-dependencies"));
            }
        }
        if let Some(groups) = poetry.get("group").and_then(|x| x.as_table()) {
            for (name, g) in groups {
                if let Some(t) = g.get("dependencies").and_then(|x| x.as_table()) {
                    tables.push((t, is_dev_group(name)));
                }
            }
        }
        for (t, test) in tables {
            for (name, v) in t {
                if name == "python" {
                    continue;
                }
                let line = line_of(text, &[name.as_str(), "="]);
                let mut d = decl("pypi", name, &poetry_spec(v), line, false);
                d.test = test;
                out.push(d);
            }
        }
    }
    Ok(out)
}

/// A dependency group or extra only development and tests use.
pub(super) fn is_dev_group(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "dev",
        "test",
        "tests",
        "testing",
        "lint",
        "docs",
        "develop",
        "development",
    ]
    .contains(&n.as_str())
}

pub(super) fn parse_poetry_lock(text: &str) -> Result<Vec<Decl>, String> {
    let doc = toml_doc(text)?;
    let mut out = Vec::new();
    for p in doc
        .get("package")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        let (Some(n), Some(v)) = (
            p.get("name").and_then(|x| x.as_str()),
            p.get("version").and_then(|x| x.as_str()),
        ) else {
            continue;
        };
        let needle = format!("name = \"{n}\"");
        out.push(decl("pypi", n, v, line_of(text, &[needle.as_str()]), true));
    }
    Ok(out)
}

pub(super) fn parse_pipfile(text: &str) -> Result<Vec<Decl>, String> {
    let doc = toml_doc(text)?;
    let mut out = Vec::new();
    for k in ["packages", "dev-packages"] {
        if let Some(t) = doc.get(k).and_then(|x| x.as_table()) {
            for (name, v) in t {
                let spec = poetry_spec(v);
                let spec = if spec == "*" { String::new() } else { spec };
                let mut d = decl(
                    "pypi",
                    name,
                    &spec,
                    line_of(text, &[name.as_str(), "="]),
                    false,
                );
                d.test = k == "dev-packages";
                out.push(d);
            }
        }
    }
    Ok(out)
}

pub(super) fn parse_pipfile_lock(text: &str) -> Result<Vec<Decl>, String> {
    let v = json_doc(text)?;
    let mut out = Vec::new();
    for k in ["default", "develop"] {
        if let Some(m) = v.get(k).and_then(|x| x.as_object()) {
            for (name, p) in m {
                let ver = p
                    .get("version")
                    .and_then(|x| x.as_str())
                    .unwrap_or("")
                    .trim_start_matches("==");
                let needle = format!("\"{name}\"");
                out.push(decl(
                    "pypi",
                    name,
                    ver,
                    line_of(text, &[needle.as_str(), "{"]),
                    true,
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep508_names() {
        assert_eq!(
            pep508("kafka-python==2.0.1"),
            Some(("kafka-python".into(), "==2.0.1".into()))
        );
        assert_eq!(
            pep508("confluent-kafka[avro] >=1.5,<2 ; python_version>'3'"),
            Some(("confluent-kafka".into(), ">=1.5,<2".into()))
        );
        assert_eq!(pep508("kazoo"), Some(("kazoo".into(), String::new())));
    }
}
