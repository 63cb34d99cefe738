//! Gradle: build scripts (Groovy and Kotlin DSL, with `gradle.properties` variables and applied
//! BOMs), `gradle.lockfile` and version catalogs (`libs.versions.toml`).

use super::*;

pub(super) fn gradle_properties(
    root: &Path,
    files: &[PathBuf],
) -> BTreeMap<PathBuf, BTreeMap<String, String>> {
    let _ = root;
    let mut out = BTreeMap::new();
    for f in files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n == "gradle.properties"))
    {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let mut m = BTreeMap::new();
        for l in text.lines() {
            let l = l.trim();
            if l.starts_with('#') || l.starts_with('!') {
                continue;
            }
            if let Some((k, v)) = l.split_once(['=', ':']) {
                m.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
        if let Some(d) = f.parent() {
            out.insert(d.to_path_buf(), m);
        }
    }
    out
}

/// A Gradle configuration that only tests use (`testImplementation`, `integrationTestRuntimeOnly`,
/// `testFixturesApi`, `androidTestImplementation`, …).
pub(super) fn gradle_test_configuration(line: &str) -> bool {
    let name: String = line
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    name.starts_with("test") || name.contains("Test")
}

/// BOMs a Gradle build applies: `platform(…)`/`enforcedPlatform(…)`, the dependency-management
/// plugin's `mavenBom …`, and the Spring Boot plugin's own version (with
/// `io.spring.dependency-management`, it manages versions from spring-boot-dependencies).
pub(super) fn gradle_boms(text: &str, subst: &dyn Fn(&str) -> String) -> Vec<String> {
    static PLATFORM: OnceLock<Regex> = OnceLock::new();
    static BOOT: OnceLock<Regex> = OnceLock::new();
    let platform = re(
        &PLATFORM,
        r#"(?:platform|enforcedPlatform|mavenBom)\s*\(?\s*['"]([A-Za-z0-9_.\-]+:[A-Za-z0-9_.\-]+:[^'"]+)['"]"#,
    );
    let boot = re(
        &BOOT,
        r#"id\s*\(?\s*['"]org\.springframework\.boot['"]\s*\)?\s*version\s*\(?\s*['"]([^'"]+)['"]"#,
    );
    let mut out: Vec<String> = platform
        .captures_iter(text)
        .map(|c| subst(&c[1]))
        .filter(|b| !b.contains('$'))
        .collect();
    for c in boot.captures_iter(text) {
        let v = subst(&c[1]);
        if !v.contains('$') {
            out.push(format!(
                "org.springframework.boot:spring-boot-dependencies:{v}"
            ));
        }
    }
    out
}

pub(super) fn parse_gradle(
    text: &str,
    props: &BTreeMap<PathBuf, BTreeMap<String, String>>,
    file: &Path,
    poms: &PomIndex,
) -> Vec<Decl> {
    static VAR: OnceLock<Regex> = OnceLock::new();
    static COORD: OnceLock<Regex> = OnceLock::new();
    static MAP: OnceLock<Regex> = OnceLock::new();
    // variables: `kafkaVersion = '2.0.1'`, `def x = "…"`, `val x = "…"`, `ext.x = '…'`,
    // `set("x", "…")`
    let var = re(
        &VAR,
        r#"(?:^|\s|\.)(?:def\s+|val\s+|var\s+|ext\.)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*['"]([^'"$]+)['"]|set\(\s*['"]([A-Za-z0-9_.]+)['"]\s*,\s*['"]([^'"$]+)['"]"#,
    );
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    let mut d = file.parent();
    while let Some(x) = d {
        if let Some(m) = props.get(x) {
            for (k, v) in m {
                vars.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        d = x.parent();
    }
    for c in var.captures_iter(text) {
        if let (Some(k), Some(v)) = (c.get(1), c.get(2)) {
            vars.insert(k.as_str().to_string(), v.as_str().to_string());
        }
        if let (Some(k), Some(v)) = (c.get(3), c.get(4)) {
            vars.insert(k.as_str().to_string(), v.as_str().to_string());
        }
    }
    let subst = |v: &str| -> String {
        let mut out = v.to_string();
        for (k, val) in &vars {
            out = out
                .replace(&format!("${{{k}}}"), val)
                .replace(&format!("${{project.{k}}}"), val)
                .replace(&format!("${{rootProject.ext.{k}}}"), val);
            if out.contains(&format!("${k}")) {
                out = out.replace(&format!("${k}"), val);
            }
        }
        out
    };
    let coord = re(
        &COORD,
        r#"['"]([A-Za-z0-9_.\-]+):([A-Za-z0-9_.\-]+)(?::([^'":@]+))?(?:@[a-z]+)?['"]"#,
    );
    let map = re(
        &MAP,
        r#"group\s*[:=]\s*['"]([^'"]+)['"]\s*,\s*name\s*[:=]\s*['"]([^'"]+)['"](?:\s*,\s*version\s*[:=]\s*['"]([^'"]+)['"])?"#,
    );
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim_start();
        if l.starts_with("//") || l.starts_with('*') || l.starts_with("/*") {
            continue;
        }
        let n = i as u32 + 1;
        let before = out.len();
        let test = gradle_test_configuration(l);
        let mut found = false;
        for c in map.captures_iter(line) {
            let v = c.get(3).map(|m| subst(m.as_str())).unwrap_or_default();
            out.push(decl(
                "gradle",
                &format!("{}:{}", &c[1], &c[2]),
                &v,
                n,
                false,
            ));
            found = true;
        }
        if !found && !line.contains("platform(") && !line.contains("mavenBom") {
            for c in coord.captures_iter(line) {
                // plugin ids and repository URLs have no group:artifact shape with a dot group
                let g = &c[1];
                if !g.contains('.') {
                    continue;
                }
                let v = c.get(3).map(|m| subst(m.as_str())).unwrap_or_default();
                out.push(decl("gradle", &format!("{g}:{}", &c[2]), &v, n, false));
            }
        }
        for d in &mut out[before..] {
            d.test = test;
        }
    }
    // versionless declarations: the platforms and BOMs the build applies
    let boms = gradle_boms(text, &subst);
    for d in out.iter_mut().filter(|d| d.version.is_empty()) {
        let hit = boms.iter().find_map(|b| poms.managed_by_bom(b, &d.package));
        match hit {
            Some((v, src)) => {
                d.version = v;
                d.source = src;
            }
            None if boms.is_empty() => {
                d.unresolved = "no version, and the build file applies no platform or BOM (a version catalog, a settings plugin or a convention plugin may set it)".into();
            }
            None => {
                d.unresolved = format!(
                    "no version, and none of the BOMs applied manages it: {}",
                    boms.join(", ")
                );
            }
        }
    }
    out
}

pub(super) fn parse_gradle_lock(text: &str) -> Vec<Decl> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let l = l.trim();
        if l.starts_with('#') || l.starts_with("empty=") {
            continue;
        }
        let coord = l.split('=').next().unwrap_or("");
        let parts: Vec<&str> = coord.split(':').collect();
        if parts.len() == 3 {
            out.push(decl(
                "gradle",
                &format!("{}:{}", parts[0], parts[1]),
                parts[2],
                i as u32 + 1,
                true,
            ));
        }
    }
    out
}

pub(super) fn parse_gradle_catalog(text: &str) -> Result<Vec<Decl>, String> {
    let doc = toml_doc(text)?;
    let versions = doc.get("versions").and_then(|v| v.as_table());
    let vref = |r: &str| -> String {
        versions
            .and_then(|t| t.get(r))
            .and_then(|v| {
                v.as_str().map(str::to_string).or_else(|| {
                    v.get("strictly")
                        .or(v.get("require"))
                        .and_then(|x| x.as_str())
                        .map(str::to_string)
                })
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let Some(libs) = doc.get("libraries").and_then(|v| v.as_table()) else {
        return Ok(out);
    };
    for (key, v) in libs {
        let (coord, version) = match v {
            toml::Value::String(s) => {
                let p: Vec<&str> = s.split(':').collect();
                if p.len() < 2 {
                    continue;
                }
                (
                    format!("{}:{}", p[0], p[1]),
                    p.get(2).unwrap_or(&"").to_string(),
                )
            }
            toml::Value::Table(t) => {
                let coord = match (t.get("module"), t.get("group"), t.get("name")) {
                    (Some(m), _, _) => m.as_str().unwrap_or("").to_string(),
                    (None, Some(g), Some(n)) => {
                        format!("{}:{}", g.as_str().unwrap_or(""), n.as_str().unwrap_or(""))
                    }
                    _ => continue,
                };
                let version = match t.get("version") {
                    Some(toml::Value::String(s)) => s.clone(),
                    Some(toml::Value::Table(vt)) => match vt.get("ref").and_then(|r| r.as_str()) {
                        Some(r) => vref(r),
                        None => vt
                            .get("strictly")
                            .or(vt.get("require"))
                            .and_then(|x| x.as_str())
                            .unwrap_or("")
                            .to_string(),
                    },
                    _ => t
                        .get("version.ref")
                        .and_then(|r| r.as_str())
                        .map(vref)
                        .unwrap_or_default(),
                };
                (coord, version)
            }
            _ => continue,
        };
        let line = line_of(text, &[key.as_str(), "="]);
        out.push(decl("gradle", &coord, &version, line, false));
    }
    Ok(out)
}
