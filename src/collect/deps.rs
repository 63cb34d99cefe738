//! `--scan-deps DIR`: Kafka and ZooKeeper client libraries declared in application repositories
//! (Maven, Gradle, Cargo, npm/yarn/pnpm, Go modules, pip/poetry/Pipfile, NuGet, Bundler), and
//! scripts or configuration files that talk to ZooKeeper (`--zookeeper`, `zookeeper.connect`,
//! `kafka-acls --authorizer-properties`, …) or list bootstrap servers. Every finding has a file
//! and a line. Read-only; a file that cannot be parsed becomes an `unreadable` item (its rules
//! report unknown), never a crash.

use crate::compat;
use crate::inventory::{Dependency, ScannedDir};
use anyhow::{bail, Result};
use regex::Regex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Directories never descended into (build output, vendored packages, VCS data).
const SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "target",
    "build",
    "dist",
    "out",
    ".gradle",
    ".mvn",
    "vendor",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".idea",
    ".vscode",
    "bin",
    "obj",
    ".terraform",
];

const BINARY_EXT: &[&str] = &[
    "jar", "class", "war", "ear", "zip", "gz", "tgz", "bz2", "xz", "7z", "png", "jpg", "jpeg",
    "gif", "ico", "svg", "pdf", "so", "dll", "dylib", "exe", "o", "a", "woff", "woff2", "ttf",
    "eot", "pyc", "wasm", "lock", "bin", "dat", "db", "sqlite", "p12", "jks", "keystore", "pem",
    "crt", "key", "der",
];

/// Largest manifest or lock file read, and largest other text file searched.
const MAX_MANIFEST: u64 = 32 * 1024 * 1024;
const MAX_TEXT: u64 = 2 * 1024 * 1024;

/// One declaration found in a manifest or lock file, before classification.
#[derive(Debug, Clone)]
struct Decl {
    ecosystem: &'static str,
    package: String,
    version: String,
    line: u32,
    lock: bool,
    indirect: bool,
}

/// Scan each directory; errors only for directories that do not exist.
pub fn scan(dirs: &[PathBuf]) -> Result<(Vec<Dependency>, Vec<ScannedDir>)> {
    let mut deps = Vec::new();
    let mut scanned = Vec::new();
    for dir in dirs {
        if !dir.is_dir() {
            bail!("--scan-deps {}: not a directory", dir.display());
        }
        let (d, s) = scan_one(dir);
        deps.extend(d);
        scanned.push(s);
    }
    Ok((deps, scanned))
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<String>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(format!("{}: {e}", rel(root, dir)));
            return;
        }
    };
    let mut list: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    list.sort_by_key(|e| e.file_name());
    for e in list {
        let Ok(ft) = e.file_type() else { continue };
        let p = e.path();
        if ft.is_symlink() {
            continue;
        }
        if ft.is_dir() {
            let name = e.file_name();
            if !SKIP_DIRS.contains(&name.to_string_lossy().as_ref()) {
                walk(root, &p, out, errors);
            }
        } else if ft.is_file() {
            out.push(p);
        }
    }
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// What a file is, by its name.
fn manifest_kind(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    Some(match name {
        "pom.xml" => "pom",
        "build.gradle" | "build.gradle.kts" => "gradle",
        "gradle.lockfile" => "gradle-lock",
        "libs.versions.toml" => "gradle-catalog",
        "Cargo.toml" => "cargo",
        "Cargo.lock" => "cargo-lock",
        "package.json" => "npm",
        "package-lock.json" | "npm-shrinkwrap.json" => "npm-lock",
        "yarn.lock" => "yarn-lock",
        "pnpm-lock.yaml" => "pnpm-lock",
        "go.mod" => "gomod",
        "pyproject.toml" => "pyproject",
        "poetry.lock" => "poetry-lock",
        "Pipfile" => "pipfile",
        "Pipfile.lock" => "pipfile-lock",
        "packages.config" => "nuget-config",
        "Directory.Packages.props" => "nuget-props",
        "Gemfile" => "gemfile",
        "Gemfile.lock" => "gemfile-lock",
        _ if lower.starts_with("requirements") && lower.ends_with(".txt") => "requirements",
        _ if lower.ends_with(".csproj")
            || lower.ends_with(".fsproj")
            || lower.ends_with(".vbproj") =>
        {
            "csproj"
        }
        _ if lower.ends_with(".lockfile") && name != "gradle.lockfile" => return None,
        _ => return None,
    })
}

fn scan_one(root: &Path) -> (Vec<Dependency>, ScannedDir) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    walk(root, root, &mut files, &mut errors);
    let mut decls: Vec<(PathBuf, Decl)> = Vec::new();
    let mut out = Vec::new();
    let mut n_manifests = 0;
    let mut n_text = 0;
    let repo = root.display().to_string();
    let props = gradle_properties(root, &files);
    let poms = PomIndex::build(&files);
    let central = nuget_central_versions(&files);
    for f in &files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let relp = rel(root, f);
        if let Some(kind) = manifest_kind(&name) {
            n_manifests += 1;
            let size = f.metadata().map(|m| m.len()).unwrap_or(0);
            let text = if size > MAX_MANIFEST {
                Err(format!(
                    "larger than {} MiB, skipped",
                    MAX_MANIFEST / 1024 / 1024
                ))
            } else {
                std::fs::read(f)
                    .map_err(|e| e.to_string())
                    .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8".to_string()))
            };
            // Every package kraftcheck looks for has one of these in its name: skip parsing
            // manifests that mention none of them (most of a large tree).
            const PKG_HINTS: &[&str] = &[
                "kafka",
                "zookeeper",
                "zk",
                "kazoo",
                "curator",
                "sarama",
                "franz",
                "karafka",
            ];
            let text = text.map(|t| {
                let lower = t.to_ascii_lowercase();
                if PKG_HINTS.iter().any(|h| lower.contains(h)) {
                    t
                } else {
                    String::new()
                }
            });
            let parsed = text.and_then(|t| match kind {
                _ if t.is_empty() => Ok(vec![]),
                "pom" => parse_pom(&t, f, &poms),
                "gradle" => Ok(parse_gradle(&t, &props, f)),
                "gradle-lock" => Ok(parse_gradle_lock(&t)),
                "gradle-catalog" => parse_gradle_catalog(&t),
                "cargo" => parse_cargo(&t),
                "cargo-lock" => parse_cargo_lock(&t),
                "npm" => parse_package_json(&t),
                "npm-lock" => parse_package_lock(&t),
                "yarn-lock" => Ok(parse_yarn_lock(&t)),
                "pnpm-lock" => Ok(parse_pnpm_lock(&t)),
                "gomod" => Ok(parse_go_mod(&t)),
                "requirements" => Ok(parse_requirements(&t)),
                "pyproject" => parse_pyproject(&t),
                "poetry-lock" => parse_poetry_lock(&t),
                "pipfile" => parse_pipfile(&t),
                "pipfile-lock" => parse_pipfile_lock(&t),
                "csproj" | "nuget-config" | "nuget-props" => parse_nuget(&t, kind, &central),
                "gemfile" => Ok(parse_gemfile(&t)),
                "gemfile-lock" => Ok(parse_gemfile_lock(&t)),
                _ => Ok(vec![]),
            });
            match parsed {
                Ok(ds) => decls.extend(ds.into_iter().map(|d| (f.clone(), d))),
                Err(e) => {
                    errors.push(format!("{relp}: {e}"));
                    out.push(Dependency {
                        repo: repo.clone(),
                        file: relp,
                        line: 1,
                        ecosystem: ecosystem_of_kind(kind).into(),
                        kind: "unreadable".into(),
                        library: name,
                        text: e,
                        ..Default::default()
                    });
                }
            }
            continue;
        }
        let ext = f
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if BINARY_EXT.contains(&ext.as_str()) || name.ends_with(".lockfile") {
            continue;
        }
        if f.metadata().map(|m| m.len()).unwrap_or(u64::MAX) > MAX_TEXT {
            continue;
        }
        let Ok(bytes) = std::fs::read(f) else {
            continue;
        };
        if bytes[..bytes.len().min(8192)].contains(&0) {
            continue;
        }
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        n_text += 1;
        for mut d in scan_text(&text) {
            d.repo = repo.clone();
            d.file = relp.clone();
            out.push(d);
        }
    }
    out.extend(merge(root, &repo, decls));
    (
        out,
        ScannedDir {
            path: repo,
            manifests: n_manifests,
            files: n_text,
            errors,
        },
    )
}

fn ecosystem_of_kind(kind: &str) -> &'static str {
    match kind {
        "pom" => "maven",
        "gradle" | "gradle-lock" | "gradle-catalog" => "gradle",
        "cargo" | "cargo-lock" => "cargo",
        "npm" | "npm-lock" | "yarn-lock" | "pnpm-lock" => "npm",
        "gomod" => "go",
        "requirements" | "pyproject" | "poetry-lock" | "pipfile" | "pipfile-lock" => "pypi",
        "csproj" | "nuget-config" | "nuget-props" => "nuget",
        "gemfile" | "gemfile-lock" => "rubygems",
        _ => "text",
    }
}

/// Classify declarations, and give each manifest declaration the version its nearest lock file
/// (same directory or above) resolved. Lock entries no manifest declares stay as `transitive`.
fn merge(root: &Path, repo: &str, decls: Vec<(PathBuf, Decl)>) -> Vec<Dependency> {
    fn key(e: &str) -> &str {
        if e == "gradle" {
            "maven"
        } else {
            e
        }
    }
    let classified: Vec<(PathBuf, Decl, &'static str)> = decls
        .into_iter()
        .filter_map(|(f, d)| {
            compat::classify_package(d.ecosystem, &d.package).map(|(kind, _)| (f, d, kind))
        })
        .collect();
    let locks: Vec<&(PathBuf, Decl, &str)> = classified.iter().filter(|(_, d, _)| d.lock).collect();
    let mut used = vec![false; locks.len()];
    let mut out = Vec::new();
    for (f, d, kind) in classified.iter().filter(|(_, d, _)| !d.lock) {
        let dir = f.parent().unwrap_or(root);
        // nearest lock file at or above the manifest's directory
        let mut best: Option<(usize, usize)> = None;
        for (i, (lf, ld, _)) in locks.iter().enumerate() {
            let ldir = lf.parent().unwrap_or(root);
            if key(ld.ecosystem) != key(d.ecosystem)
                || !compat_same(d.ecosystem, &ld.package, &d.package)
                || !dir.starts_with(ldir)
            {
                continue;
            }
            let depth = ldir.components().count();
            if best.is_none_or(|(_, bd)| depth > bd) {
                best = Some((i, depth));
            }
        }
        let (resolved, lock_file) = match best {
            Some((i, _)) => {
                used[i] = true;
                // every lock entry of that file for this package counts as used
                let lf = &locks[i].0;
                for (j, (lf2, ld2, _)) in locks.iter().enumerate() {
                    if lf2 == lf && compat_same(d.ecosystem, &ld2.package, &d.package) {
                        used[j] = true;
                    }
                }
                (
                    Some(locks[i].1.version.clone()),
                    Some(rel(root, &locks[i].0)),
                )
            }
            None => (None, None),
        };
        out.push(Dependency {
            repo: repo.to_string(),
            file: rel(root, f),
            line: d.line,
            ecosystem: d.ecosystem.into(),
            kind: (*kind).into(),
            library: d.package.clone(),
            version: d.version.clone(),
            resolved,
            lock_file,
            scope: if d.indirect { "transitive" } else { "direct" }.into(),
            ..Default::default()
        });
    }
    for (i, (f, d, kind)) in locks.iter().enumerate() {
        if used[i] {
            continue;
        }
        out.push(Dependency {
            repo: repo.to_string(),
            file: rel(root, f),
            line: d.line,
            ecosystem: d.ecosystem.into(),
            kind: (*kind).into(),
            library: d.package.clone(),
            version: d.version.clone(),
            resolved: Some(d.version.clone()),
            lock_file: Some(rel(root, f)),
            scope: "transitive".into(),
            ..Default::default()
        });
    }
    out
}

fn compat_same(eco: &str, a: &str, b: &str) -> bool {
    match eco {
        "pypi" => {
            let n = |s: &str| s.to_ascii_lowercase().replace(['_', '.'], "-");
            n(a) == n(b)
        }
        "nuget" => a.eq_ignore_ascii_case(b),
        _ => a == b,
    }
}

/// 1-based line of the first line containing every needle (in order of appearance), else 1.
fn line_of(text: &str, needles: &[&str]) -> u32 {
    for (i, l) in text.lines().enumerate() {
        if needles.iter().all(|n| l.contains(n)) {
            return i as u32 + 1;
        }
    }
    1
}

/// 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> u32 {
    text[..offset.min(text.len())].matches('\n').count() as u32 + 1
}

fn decl(eco: &'static str, package: &str, version: &str, line: u32, lock: bool) -> Decl {
    Decl {
        ecosystem: eco,
        package: package.to_string(),
        version: version.trim().to_string(),
        line,
        lock,
        indirect: false,
    }
}

// ------------------------------------------------------------------------------------------------
// Maven

/// A pom's `<properties>` and its dependencyManagement versions (`group:artifact` → version).
type PomFacts = (BTreeMap<String, String>, BTreeMap<String, String>);

/// Properties and managed versions of every pom, for `${…}` and parent dependencyManagement.
struct PomIndex {
    by_dir: BTreeMap<PathBuf, PomFacts>,
}

impl PomIndex {
    fn build(files: &[PathBuf]) -> Self {
        let mut by_dir = BTreeMap::new();
        for f in files
            .iter()
            .filter(|f| f.file_name().is_some_and(|n| n == "pom.xml"))
        {
            let Ok(text) = std::fs::read_to_string(f) else {
                continue;
            };
            let Ok(doc) = roxmltree::Document::parse(&text) else {
                continue;
            };
            let mut props = BTreeMap::new();
            let mut managed = BTreeMap::new();
            let root = doc.root_element();
            for n in root.children().filter(|n| n.has_tag_name("properties")) {
                for p in n.children().filter(|c| c.is_element()) {
                    props.insert(
                        p.tag_name().name().to_string(),
                        p.text().unwrap_or("").trim().to_string(),
                    );
                }
            }
            for p in ["project.version", "version"] {
                if let Some(v) = child_text(root, "version") {
                    props.entry(p.to_string()).or_insert(v);
                }
            }
            for dm in root
                .children()
                .filter(|n| n.has_tag_name("dependencyManagement"))
            {
                for dep in dm.descendants().filter(|n| n.has_tag_name("dependency")) {
                    if let (Some(g), Some(a), Some(v)) = (
                        child_text(dep, "groupId"),
                        child_text(dep, "artifactId"),
                        child_text(dep, "version"),
                    ) {
                        managed.insert(format!("{g}:{a}"), v);
                    }
                }
            }
            if let Some(dir) = f.parent() {
                by_dir.insert(dir.to_path_buf(), (props, managed));
            }
        }
        PomIndex { by_dir }
    }

    /// Properties and managed versions visible from `dir` (its pom first, then ancestors).
    fn lookup<'a>(
        &'a self,
        dir: &Path,
        f: impl Fn(&'a PomFacts) -> Option<&'a String>,
    ) -> Option<&'a String> {
        let mut d = Some(dir);
        while let Some(x) = d {
            if let Some(hit) = self.by_dir.get(x).and_then(&f) {
                return Some(hit);
            }
            d = x.parent();
        }
        None
    }
}

fn child_text(n: roxmltree::Node, tag: &str) -> Option<String> {
    n.children()
        .find(|c| c.has_tag_name(tag))
        .and_then(|c| c.text())
        .map(|t| t.trim().to_string())
}

fn parse_pom(text: &str, file: &Path, idx: &PomIndex) -> Result<Vec<Decl>, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("invalid XML: {e}"))?;
    let dir = file.parent().unwrap_or(Path::new("."));
    let resolve = |v: &str| -> String {
        let mut out = v.to_string();
        for _ in 0..5 {
            let Some(start) = out.find("${") else { break };
            let Some(end) = out[start..].find('}') else {
                break;
            };
            let key = out[start + 2..start + end].to_string();
            match idx.lookup(dir, |(p, _)| p.get(&key)) {
                Some(val) => out.replace_range(start..start + end + 1, val),
                None => break,
            }
        }
        out
    };
    let mut out = Vec::new();
    for dep in doc.descendants().filter(|n| n.has_tag_name("dependency")) {
        // managed versions are not dependencies of this module
        if dep
            .ancestors()
            .any(|a| a.has_tag_name("dependencyManagement"))
        {
            continue;
        }
        let (Some(g), Some(a)) = (child_text(dep, "groupId"), child_text(dep, "artifactId")) else {
            continue;
        };
        let (g, a) = (resolve(&g), resolve(&a));
        let coord = format!("{g}:{a}");
        let version = match child_text(dep, "version") {
            Some(v) => resolve(&v),
            None => idx
                .lookup(dir, |(_, m)| m.get(&coord))
                .map(|v| resolve(v))
                .unwrap_or_default(),
        };
        let line = doc.text_pos_at(dep.range().start).row;
        out.push(decl("maven", &coord, &version, line, false));
    }
    Ok(out)
}

// ------------------------------------------------------------------------------------------------
// Gradle

fn gradle_properties(
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

fn re(cell: &'static OnceLock<Regex>, pat: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pat).expect("static regex"))
}

fn parse_gradle(
    text: &str,
    props: &BTreeMap<PathBuf, BTreeMap<String, String>>,
    file: &Path,
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
        if found {
            continue;
        }
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
    out
}

fn parse_gradle_lock(text: &str) -> Vec<Decl> {
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

fn parse_gradle_catalog(text: &str) -> Result<Vec<Decl>, String> {
    let doc: toml::Table =
        toml::from_str(text).map_err(|e| format!("invalid TOML: {}", one_line(&e.to_string())))?;
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

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ------------------------------------------------------------------------------------------------
// Cargo

fn parse_cargo(text: &str) -> Result<Vec<Decl>, String> {
    let doc: toml::Table =
        toml::from_str(text).map_err(|e| format!("invalid TOML: {}", one_line(&e.to_string())))?;
    let mut tables: Vec<&toml::Table> = Vec::new();
    for k in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(t) = doc.get(k).and_then(|v| v.as_table()) {
            tables.push(t);
        }
    }
    if let Some(t) = doc
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|v| v.as_table())
    {
        tables.push(t);
    }
    if let Some(targets) = doc.get("target").and_then(|v| v.as_table()) {
        for t in targets.values() {
            for k in ["dependencies", "dev-dependencies", "build-dependencies"] {
                if let Some(x) = t.get(k).and_then(|v| v.as_table()) {
                    tables.push(x);
                }
            }
        }
    }
    let mut out = Vec::new();
    for t in tables {
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
            out.push(decl("cargo", &pkg, &version, line, false));
        }
    }
    Ok(out)
}

fn parse_cargo_lock(text: &str) -> Result<Vec<Decl>, String> {
    let doc: toml::Table =
        toml::from_str(text).map_err(|e| format!("invalid TOML: {}", one_line(&e.to_string())))?;
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
        out.push(decl(
            "cargo",
            name,
            ver,
            line_of(text, &[needle.as_str()]),
            true,
        ));
    }
    Ok(out)
}

// ------------------------------------------------------------------------------------------------
// npm, yarn, pnpm

fn parse_package_json(text: &str) -> Result<Vec<Decl>, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
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
                out.push(decl(
                    "npm",
                    name,
                    ver.as_str().unwrap_or(""),
                    line_of(text, &[needle.as_str(), ":"]),
                    false,
                ));
            }
        }
    }
    Ok(out)
}

fn parse_package_lock(text: &str) -> Result<Vec<Decl>, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let mut out = Vec::new();
    if let Some(pkgs) = v.get("packages").and_then(|x| x.as_object()) {
        for (path, p) in pkgs {
            let Some(idx) = path.rfind("node_modules/") else {
                continue;
            };
            let name = &path[idx + "node_modules/".len()..];
            if let Some(ver) = p.get("version").and_then(|x| x.as_str()) {
                let needle = format!("\"{path}\"");
                out.push(decl(
                    "npm",
                    name,
                    ver,
                    line_of(text, &[needle.as_str()]),
                    true,
                ));
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
fn npm_name_of(spec: &str) -> &str {
    let s = spec.trim().trim_matches('"');
    match s[1..].find('@') {
        Some(p) => &s[..p + 1],
        None => s,
    }
}

fn parse_yarn_lock(text: &str) -> Vec<Decl> {
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

fn parse_pnpm_lock(text: &str) -> Vec<Decl> {
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
        let (name, ver) = match key[1.min(key.len())..].find('@') {
            Some(p) => (&key[..p + 1], &key[p + 2..]),
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

// ------------------------------------------------------------------------------------------------
// Go

fn parse_go_mod(text: &str) -> Vec<Decl> {
    let mut out = Vec::new();
    let mut in_block = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        let body = if in_block {
            if t.starts_with(')') {
                in_block = false;
                continue;
            }
            t
        } else if let Some(r) = t.strip_prefix("require") {
            let r = r.trim();
            if r.starts_with('(') {
                in_block = true;
                continue;
            }
            r
        } else {
            continue;
        };
        let indirect = body.contains("// indirect");
        let body = body.split("//").next().unwrap_or("").trim();
        let mut parts = body.split_whitespace();
        if let (Some(m), Some(v)) = (parts.next(), parts.next()) {
            let mut d = decl("go", m, v, i as u32 + 1, false);
            d.indirect = indirect;
            out.push(d);
        }
    }
    out
}

// ------------------------------------------------------------------------------------------------
// Python

/// `kafka-python[extra]==2.0.1 ; python_version>'3'` → (name, spec).
fn pep508(s: &str) -> Option<(String, String)> {
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

fn parse_requirements(text: &str) -> Vec<Decl> {
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

fn toml_doc(text: &str) -> Result<toml::Table, String> {
    toml::from_str(text).map_err(|e| format!("invalid TOML: {}", one_line(&e.to_string())))
}

fn poetry_spec(v: &toml::Value) -> String {
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

fn parse_pyproject(text: &str) -> Result<Vec<Decl>, String> {
    let doc = toml_doc(text)?;
    let mut out = Vec::new();
    let pep = |s: &str, out: &mut Vec<Decl>| {
        if let Some((n, v)) = pep508(s) {
            let needle = format!("\"{s}");
            let line = match line_of(text, &[needle.as_str()]) {
                1 => line_of(text, &[n.as_str()]),
                l => l,
            };
            out.push(decl("pypi", &n, &v, line, false));
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
                pep(s, &mut out);
            }
        }
        if let Some(opt) = p.get("optional-dependencies").and_then(|x| x.as_table()) {
            for list in opt.values() {
                for d in list.as_array().into_iter().flatten() {
                    if let Some(s) = d.as_str() {
                        pep(s, &mut out);
                    }
                }
            }
        }
    }
    if let Some(poetry) = doc.get("tool").and_then(|t| t.get("poetry")) {
        let mut tables: Vec<&toml::Table> = Vec::new();
        for k in ["dependencies", "dev-dependencies"] {
            if let Some(t) = poetry.get(k).and_then(|x| x.as_table()) {
                tables.push(t);
            }
        }
        if let Some(groups) = poetry.get("group").and_then(|x| x.as_table()) {
            for g in groups.values() {
                if let Some(t) = g.get("dependencies").and_then(|x| x.as_table()) {
                    tables.push(t);
                }
            }
        }
        for t in tables {
            for (name, v) in t {
                if name == "python" {
                    continue;
                }
                let line = line_of(text, &[name.as_str(), "="]);
                out.push(decl("pypi", name, &poetry_spec(v), line, false));
            }
        }
    }
    Ok(out)
}

fn parse_poetry_lock(text: &str) -> Result<Vec<Decl>, String> {
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

fn parse_pipfile(text: &str) -> Result<Vec<Decl>, String> {
    let doc = toml_doc(text)?;
    let mut out = Vec::new();
    for k in ["packages", "dev-packages"] {
        if let Some(t) = doc.get(k).and_then(|x| x.as_table()) {
            for (name, v) in t {
                let spec = poetry_spec(v);
                let spec = if spec == "*" { String::new() } else { spec };
                out.push(decl(
                    "pypi",
                    name,
                    &spec,
                    line_of(text, &[name.as_str(), "="]),
                    false,
                ));
            }
        }
    }
    Ok(out)
}

fn parse_pipfile_lock(text: &str) -> Result<Vec<Decl>, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
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

// ------------------------------------------------------------------------------------------------
// NuGet

fn nuget_central_versions(files: &[PathBuf]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for f in files.iter().filter(|f| {
        f.file_name()
            .is_some_and(|n| n == "Directory.Packages.props")
    }) {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let Ok(doc) = roxmltree::Document::parse(&text) else {
            continue;
        };
        for n in doc
            .descendants()
            .filter(|n| n.has_tag_name("PackageVersion"))
        {
            if let (Some(id), Some(v)) = (n.attribute("Include"), n.attribute("Version")) {
                out.insert(id.to_ascii_lowercase(), v.to_string());
            }
        }
    }
    out
}

fn parse_nuget(
    text: &str,
    kind: &str,
    central: &BTreeMap<String, String>,
) -> Result<Vec<Decl>, String> {
    // project files may start with a BOM
    let text_nb = text.trim_start_matches('\u{feff}');
    let doc = roxmltree::Document::parse(text_nb).map_err(|e| format!("invalid XML: {e}"))?;
    let offset = text.len() - text_nb.len();
    let mut out = Vec::new();
    if kind == "nuget-props" {
        return Ok(out); // versions only; applied through the projects that reference them
    }
    for n in doc.descendants().filter(|n| n.is_element()) {
        let (id, version) = match n.tag_name().name() {
            "PackageReference" => {
                let Some(id) = n.attribute("Include").or(n.attribute("Update")) else {
                    continue;
                };
                let v = n
                    .attribute("Version")
                    .or(n.attribute("VersionOverride"))
                    .map(str::to_string)
                    .or_else(|| child_text(n, "Version"))
                    .or_else(|| central.get(&id.to_ascii_lowercase()).cloned())
                    .unwrap_or_default();
                (id, v)
            }
            "package" if kind == "nuget-config" => {
                let Some(id) = n.attribute("id") else {
                    continue;
                };
                (id, n.attribute("version").unwrap_or("").to_string())
            }
            _ => continue,
        };
        let line = line_at(text, offset + n.range().start);
        out.push(decl("nuget", id, &version, line, false));
    }
    Ok(out)
}

// ------------------------------------------------------------------------------------------------
// Bundler

fn parse_gemfile(text: &str) -> Vec<Decl> {
    static GEM: OnceLock<Regex> = OnceLock::new();
    let gem = re(
        &GEM,
        r#"^\s*gem\s+['"]([^'"]+)['"](?:\s*,\s*['"]([^'"]+)['"])?"#,
    );
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(c) = gem.captures(line) {
            let v = c.get(2).map(|m| m.as_str()).unwrap_or("");
            out.push(decl("rubygems", &c[1], v, i as u32 + 1, false));
        }
    }
    out
}

fn parse_gemfile_lock(text: &str) -> Vec<Decl> {
    let mut out = Vec::new();
    let mut in_specs = false;
    for (i, line) in text.lines().enumerate() {
        if !line.starts_with(' ') {
            in_specs = false;
            continue;
        }
        if line.trim() == "specs:" {
            in_specs = true;
            continue;
        }
        // top-level specs have 4 spaces; their dependencies 6
        if in_specs && line.starts_with("    ") && !line.starts_with("      ") {
            let t = line.trim();
            if let Some((name, rest)) = t.split_once(" (") {
                let ver = rest.trim_end_matches(')');
                // platform gems: 1.2.3-x86_64-linux
                let ver = ver.split('-').next().unwrap_or(ver);
                out.push(decl("rubygems", name, ver, i as u32 + 1, true));
            }
        }
    }
    out
}

// ------------------------------------------------------------------------------------------------
// Scripts and configuration files

struct TextPattern {
    kind: &'static str,
    /// What is reported as the `library` of the finding.
    what: &'static str,
    re: &'static str,
}

/// ZooKeeper-direct usage (catalog E.4 K4-TOOL-001, I CLIENT-005).
const ZK_PATTERNS: &[TextPattern] = &[
    TextPattern {
        kind: "zk-tool-usage",
        what: "kafka-acls --authorizer-properties (ZooKeeper authorizer tool mode)",
        re: r"--authorizer-properties\b|--zk-tls-config-file\b",
    },
    TextPattern {
        kind: "zk-tool-usage",
        what: "--zookeeper (Kafka tool talking to ZooKeeper)",
        re: r"(?:^|[\s'\x22,\[])--zookeeper(?:[=\s'\x22,\]]|$)",
    },
    TextPattern {
        kind: "zk-tool-usage",
        what: "zookeeper.connect (client or tool configured with ZooKeeper)",
        re: r"\bzookeeper\.connect(?:[^a-zA-Z.\-_]|$)",
    },
    TextPattern {
        kind: "zk-tool-usage",
        what: "zk.connect (old Scala consumer/producer)",
        re: r"\bzk\.connect\b",
    },
    TextPattern {
        kind: "zk-tool-usage",
        what: "zkhosts (CMAK / Kafka Manager)",
        re: r"(?i)\b(?:cmak|kafka-manager)\.zkhosts\b|\bZK_HOSTS\b",
    },
    TextPattern {
        kind: "zk-tool-usage",
        what: "zookeeper-shell",
        re: r"\bzookeeper-shell(?:\.sh)?\b",
    },
    TextPattern {
        kind: "zk-tool-usage",
        what: "zookeeper-security-migration (ZkSecurityMigrator)",
        re: r"\bzookeeper-security-migration(?:\.sh)?\b|\bZkSecurityMigrator\b",
    },
    TextPattern {
        kind: "zk-tool-usage",
        what: "old Scala consumer API (ZooKeeper-based, removed in Kafka 2.0)",
        re: r"\bkafka\.javaapi\.consumer\b|\bZookeeperConsumerConnector\b|\bkafka\.consumer\.ConsumerConfig\b",
    },
];

/// Keys and flags that hold a bootstrap list.
const BOOTSTRAP_RE: &str = r#"(?i)(?:bootstrap[._\-]?servers?|metadata\.broker\.list|--broker-list|KAFKA_BROKERS|kafka\.brokers|\bbrokers)\b['"]?\s*[:=\s]\s*(.*)"#;

fn compiled_zk() -> &'static [(usize, Regex)] {
    static RES: OnceLock<Vec<(usize, Regex)>> = OnceLock::new();
    RES.get_or_init(|| {
        ZK_PATTERNS
            .iter()
            .enumerate()
            .map(|(i, p)| (i, Regex::new(p.re).expect("static regex")))
            .collect()
    })
}

/// Whether a properties file is a broker's own config (its zookeeper.connect is audited by the
/// broker-config rules, not here).
fn is_broker_config(text: &str) -> bool {
    let has = |k: &str| {
        text.lines().any(|l| {
            l.trim_start().starts_with(k) && l.trim_start()[k.len()..].trim_start().starts_with('=')
        })
    };
    has("broker.id") || has("log.dirs") || has("process.roles") || has("node.id")
}

/// A matched line, shortened, with anything that looks like a secret removed.
fn clean_line(l: &str) -> String {
    static SECRET: OnceLock<Regex> = OnceLock::new();
    let secret = re(
        &SECRET,
        r#"(?i)((?:password|secret|token|jaas\.config|credentials?)[^=:\s]*\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)"#,
    );
    let t = secret.replace_all(l.trim(), "${1}[redacted]").to_string();
    if t.chars().count() > 200 {
        format!("{}…", t.chars().take(200).collect::<String>())
    } else {
        t
    }
}

/// ZooKeeper usage and bootstrap lists in one text file.
pub fn scan_text(text: &str) -> Vec<Dependency> {
    static BOOT: OnceLock<Regex> = OnceLock::new();
    static HOSTPORT: OnceLock<Regex> = OnceLock::new();
    let boot = re(&BOOT, BOOTSTRAP_RE);
    let hostport = re(
        &HOSTPORT,
        r"(?:[A-Za-z][A-Za-z0-9+.\-]*://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*):(\d{2,5})\b",
    );
    // Cheap pre-check: most files mention neither ZooKeeper nor brokers.
    const ZK_HINTS: &[&str] = &[
        "zookeeper",
        "Zookeeper",
        "ZooKeeper",
        "zk.connect",
        "zkhosts",
        "ZK_HOSTS",
        "--authorizer-properties",
        "--zk-tls-config-file",
        "ZkSecurityMigrator",
        "kafka.javaapi.consumer",
        "kafka.consumer.ConsumerConfig",
    ];
    const BOOT_HINTS: &[&str] = &["ootstrap", "OOTSTRAP", "roker", "ROKER"];
    let zk_hint = ZK_HINTS.iter().any(|h| text.contains(h));
    let boot_hint = BOOT_HINTS.iter().any(|h| text.contains(h));
    if !zk_hint && !boot_hint {
        return Vec::new();
    }
    let broker_cfg = is_broker_config(text);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let zk_line = zk_hint && ZK_HINTS.iter().any(|h| line.contains(h));
        for (pi, r) in compiled_zk().iter().filter(|_| zk_line) {
            let p = &ZK_PATTERNS[*pi];
            if broker_cfg && p.what.starts_with("zookeeper.connect") {
                continue;
            }
            // one finding per line: the first (most specific) pattern wins
            if r.is_match(line)
                && !out
                    .iter()
                    .any(|d: &Dependency| d.line == n && d.kind == p.kind)
            {
                out.push(Dependency {
                    line: n,
                    ecosystem: "text".into(),
                    kind: p.kind.into(),
                    library: p.what.into(),
                    text: clean_line(line),
                    ..Default::default()
                });
            }
        }
        if broker_cfg {
            continue;
        }
        if !boot_hint || !BOOT_HINTS.iter().any(|h| line.contains(h)) {
            continue;
        }
        if let Some(c) = boot.captures(line) {
            let rest = c.get(1).map(|m| m.as_str()).unwrap_or("");
            let hosts: Vec<String> = hostport
                .captures_iter(rest)
                .map(|h| compat::host_of(&format!("{}:{}", &h[1], &h[2])))
                .filter(|h| !h.is_empty())
                .collect();
            if !hosts.is_empty() {
                let mut hosts = hosts;
                hosts.dedup();
                out.push(Dependency {
                    line: n,
                    ecosystem: "text".into(),
                    kind: "bootstrap".into(),
                    library: "bootstrap servers".into(),
                    text: clean_line(line),
                    hosts,
                    ..Default::default()
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zk_usage_in_scripts() {
        let text = "#!/bin/sh\nkafka-topics.sh --zookeeper zk1:2181 --list\nkafka-acls --authorizer-properties zookeeper.connect=zk1:2181 --list\nzookeeper.connection.timeout.ms=6000\nbin/zookeeper-shell.sh zk:2181 ls /brokers/ids\n";
        let d = scan_text(text);
        let lines: Vec<(u32, &str)> = d.iter().map(|x| (x.line, x.library.as_str())).collect();
        assert!(lines.contains(&(2, "--zookeeper (Kafka tool talking to ZooKeeper)")));
        assert!(lines
            .iter()
            .any(|(l, w)| *l == 3 && w.starts_with("kafka-acls")));
        // one finding per line: the specific tool usage, not also its zookeeper.connect
        assert_eq!(lines.iter().filter(|(l, _)| *l == 3).count(), 1);
        assert!(
            !lines.iter().any(|(l, _)| *l == 4),
            "zookeeper.connection.timeout.ms is not zookeeper.connect"
        );
        assert!(lines
            .iter()
            .any(|(l, w)| *l == 5 && *w == "zookeeper-shell"));
    }

    #[test]
    fn broker_configs_are_not_client_findings() {
        let text = "broker.id=1\nlog.dirs=/data\nzookeeper.connect=zk:2181\nlisteners=PLAINTEXT://b1:9092\n";
        assert!(scan_text(text).is_empty());
    }

    #[test]
    fn bootstrap_lists() {
        let d = scan_text("bootstrap.servers=b-1.demo.kafka.eu-west-1.amazonaws.com:9092, b-2.demo.kafka.eu-west-1.amazonaws.com:9092\nKAFKA_BOOTSTRAP_SERVERS: \"kafka-1:9092\"\nbrokers: ['10.0.0.5:9092']\nbootstrap.servers=${KAFKA}\n");
        let b: Vec<_> = d.iter().filter(|x| x.kind == "bootstrap").collect();
        assert_eq!(b.len(), 3);
        assert_eq!(
            b[0].hosts,
            vec![
                "b-1.demo.kafka.eu-west-1.amazonaws.com",
                "b-2.demo.kafka.eu-west-1.amazonaws.com"
            ]
        );
        assert_eq!(b[1].hosts, vec!["kafka-1"]);
        assert_eq!(b[2].hosts, vec!["10.0.0.5"]);
    }

    #[test]
    fn secrets_are_not_copied() {
        let l = clean_line("kafka-acls --authorizer-properties zookeeper.connect=zk:2181 --password=hunter2 sasl.jaas.config=\"x y\"");
        assert!(!l.contains("hunter2") && !l.contains("x y"), "{l}");
    }

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

    #[test]
    fn npm_names() {
        assert_eq!(npm_name_of("kafkajs@^1.12.0"), "kafkajs");
        assert_eq!(
            npm_name_of("\"@confluentinc/kafka-javascript@npm:0.1.0\""),
            "@confluentinc/kafka-javascript"
        );
    }
}
