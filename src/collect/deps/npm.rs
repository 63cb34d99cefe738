//! npm, yarn and pnpm: `package.json`, `package-lock.json`/`npm-shrinkwrap.json`, `yarn.lock`,
//! `pnpm-lock.yaml`.

use super::*;

pub(super) fn parse_package_json(text: &str) -> Result<Vec<Decl>, String> {
    let v = json_doc(text)?;
    let mut out = Vec::new();
    for k in [
        "dependencies",
        "devDependencies",
        "optionalDependencies",
        "peerDependencies",
    ] {
        if let Some(m) = v.get(k).and_then(|x| x.as_object()) {
            for (name, ver) in m {
                let needle = format!("\"{name}\"");
                let mut d = decl(
                    "npm",
                    name,
                    ver.as_str().unwrap_or(""),
                    line_of(text, &[needle.as_str(), ":"]),
                    false,
                );
                d.test = k == "devDependencies";
                out.push(d);
            }
        }
    }
    Ok(out)
}

pub(super) fn parse_package_lock(text: &str) -> Result<Vec<Decl>, String> {
    let v = json_doc(text)?;
    let mut out = Vec::new();
    if let Some(pkgs) = v.get("packages").and_then(|x| x.as_object()) {
        for (path, p) in pkgs {
            let Some(idx) = path.rfind("node_modules/") else {
                continue;
            };
            let name = &path[idx + "node_modules/".len()..];
            if let Some(ver) = p.get("version").and_then(|x| x.as_str()) {
                let needle = format!("\"{path}\"");
                let mut d = decl("npm", name, ver, line_of(text, &[needle.as_str()]), true);
                // npm marks packages only development needs
                d.test = p.get("dev").and_then(|x| x.as_bool()) == Some(true);
                out.push(d);
            }
        }
    } else if let Some(deps) = v.get("dependencies").and_then(|x| x.as_object()) {
        fn walk(m: &serde_json::Map<String, serde_json::Value>, text: &str, out: &mut Vec<Decl>) {
            for (name, p) in m {
                if let Some(ver) = p.get("version").and_then(|x| x.as_str()) {
                    let needle = format!("\"{name}\"");
                    out.push(decl(
                        "npm",
                        name,
                        ver,
                        line_of(text, &[needle.as_str(), "{"]),
                        true,
                    ));
                }
                if let Some(sub) = p.get("dependencies").and_then(|x| x.as_object()) {
                    walk(sub, text, out);
                }
            }
        }
        walk(deps, text, &mut out);
    }
    Ok(out)
}

/// `name@range` → name (scoped names keep their leading `@`).
pub(super) fn npm_name_of(spec: &str) -> &str {
    let s = spec.trim().trim_matches('"');
    // The first `@` after the first character (a scope's `@` comes first). Not `s[1..]`: an
    // empty or non-ASCII spec panicked there (found by fuzzing, issue 15).
    match s.char_indices().skip(1).find(|(_, c)| *c == '@') {
        Some((p, _)) => &s[..p],
        None => s,
    }
}

pub(super) fn parse_yarn_lock(text: &str) -> Vec<Decl> {
    let mut out = Vec::new();
    let mut current: Option<(Vec<String>, u32)> = None;
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') && line.trim_end().ends_with(':') {
            let head = line.trim_end().trim_end_matches(':');
            let names: Vec<String> = head
                .split(", ")
                .map(|s| npm_name_of(s).to_string())
                .collect();
            current = Some((names, i as u32 + 1));
            continue;
        }
        let t = line.trim();
        if let Some((names, at)) = &current {
            let ver = t
                .strip_prefix("version ")
                .or_else(|| t.strip_prefix("version: "))
                .map(|v| v.trim().trim_matches('"'));
            if let Some(ver) = ver {
                let mut seen = Vec::new();
                for n in names {
                    if !seen.contains(n) {
                        out.push(decl("npm", n, ver, *at, true));
                        seen.push(n.clone());
                    }
                }
                current = None;
            }
        }
    }
    out
}

pub(super) fn parse_pnpm_lock(text: &str) -> Vec<Decl> {
    let mut out: Vec<Decl> = Vec::new();
    let mut in_packages = false;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            in_packages = matches!(line.trim_end(), "packages:" | "snapshots:");
            continue;
        }
        if !in_packages || !line.starts_with("  ") || line.starts_with("   ") {
            continue;
        }
        let key = line.trim().trim_end_matches(':').trim_matches(['\'', '"']);
        let key = key.trim_start_matches('/');
        // drop peer-dependency suffixes: name@1.0.0(peer@2) or name@1.0.0_peer@2
        let key = key.split('(').next().unwrap_or(key);
        // The first `@` after the first character; by char, not `key[1..]`, which panicked on a
        // non-ASCII first character (found by fuzzing, issue 15).
        let (name, ver) = match key.char_indices().skip(1).find(|(_, c)| *c == '@') {
            Some((p, _)) => (&key[..p], &key[p + 1..]),
            None => match key.rfind('/') {
                // pnpm v5: /name/1.0.0
                Some(p) => (&key[..p], &key[p + 1..]),
                None => continue,
            },
        };
        let ver = ver.split('_').next().unwrap_or(ver);
        if out.iter().any(|d| d.package == name && d.version == ver) {
            continue;
        }
        out.push(decl("npm", name, ver, i as u32 + 1, true));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_names() {
        assert_eq!(npm_name_of("kafkajs@^1.12.0"), "kafkajs");
        assert_eq!(
            npm_name_of("\"@confluentinc/kafka-javascript@npm:0.1.0\""),
            "@confluentinc/kafka-javascript"
        );
    }
}
