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

mod artifacts;
mod maven;
mod sbom;
mod text;
use maven::{child_text, parse_pom, PomIndex};
pub use text::scan_text;

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
    /// Declared for tests only (test scope, dev-dependencies, a test source set).
    test: bool,
    /// Where the version came from, when not written next to the declaration.
    source: String,
    /// Why the version is not known.
    unresolved: String,
    /// Lock files that record the graph: the packages this one depends on.
    needs: Vec<String>,
}

/// Scan each directory; errors only for directories that do not exist.
pub fn scan(dirs: &[PathBuf]) -> Result<(Vec<Dependency>, Vec<ScannedDir>)> {
    let mut deps = Vec::new();
    let mut scanned = Vec::new();
    for (i, dir) in dirs.iter().enumerate() {
        if !dir.is_dir() {
            crate::progress::clear();
            bail!("--scan-deps {}: not a directory", dir.display());
        }
        crate::progress::show(|| {
            format!(
                "scanning {} ({} of {} repositories)",
                dir.display(),
                i + 1,
                dirs.len()
            )
        });
        let (d, s) = scan_one(dir);
        deps.extend(d);
        scanned.push(s);
    }
    crate::progress::clear();
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
            let name = name.to_string_lossy();
            if name == "node_modules" {
                installed_npm_packages(&p, out);
            } else if matches!(name.as_ref(), ".venv" | "venv") {
                installed_python_packages(&p, out);
            } else if name.ends_with(".dist-info") {
                let m = p.join("METADATA");
                if m.is_file() {
                    out.push(m);
                }
            } else if !SKIP_DIRS.contains(&name.as_ref()) {
                walk(root, &p, out, errors);
            }
        } else if ft.is_file() {
            out.push(p);
        }
    }
}

/// `node_modules/<name>/package.json` (and `@scope/<name>`) of the packages kraftcheck looks for:
/// installed versions, without descending into the rest of node_modules.
fn installed_npm_packages(nm: &Path, out: &mut Vec<PathBuf>) {
    let list = |d: &Path| -> Vec<(String, PathBuf)> {
        let mut v: Vec<(String, PathBuf)> = std::fs::read_dir(d)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .collect();
        v.sort();
        v
    };
    for (name, path) in list(nm) {
        let candidates = if name.starts_with('@') {
            list(&path)
                .into_iter()
                .map(|(n, p)| (format!("{name}/{n}"), p))
                .collect()
        } else {
            vec![(name, path)]
        };
        for (pkg, dir) in candidates {
            let pj = dir.join("package.json");
            if compat::classify_package("npm", &pkg).is_some() && pj.is_file() {
                out.push(pj);
            }
        }
    }
}

/// `lib/python*/site-packages/*.dist-info/METADATA` (and `Lib/site-packages` on Windows) of a
/// virtual environment, for the distributions kraftcheck looks for.
fn installed_python_packages(venv: &Path, out: &mut Vec<PathBuf>) {
    let mut sites = vec![venv.join("Lib/site-packages")];
    for e in std::fs::read_dir(venv.join("lib"))
        .into_iter()
        .flatten()
        .flatten()
    {
        sites.push(e.path().join("site-packages"));
    }
    for site in sites {
        let mut list: Vec<PathBuf> = std::fs::read_dir(&site)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().is_some_and(|n| {
                    let n = n.to_string_lossy();
                    n.ends_with(".dist-info")
                        && compat::classify_package("pypi", n.split('-').next().unwrap_or(""))
                            .is_some()
                })
            })
            .collect();
        list.sort();
        out.extend(
            list.into_iter()
                .map(|p| p.join("METADATA"))
                .filter(|m| m.is_file()),
        );
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
        let ext = f
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if artifacts::is_archive(&ext) {
            n_manifests += 1;
            match artifacts::read_archive(f) {
                Ok(ds) => decls.extend(ds.into_iter().map(|d| (f.clone(), d))),
                Err(e) => out.push(unreadable(&mut errors, &repo, &relp, "maven", &name, e)),
            }
            continue;
        }
        let kind = if relp.contains("node_modules/") && name == "package.json" {
            Some("npm-installed")
        } else if relp.ends_with(".dist-info/METADATA") {
            Some("python-installed")
        } else if sbom::is_sbom_name(&name) {
            Some("sbom")
        } else {
            manifest_kind(&name)
        };
        if let Some(kind) = kind {
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
                "gradle" => Ok(parse_gradle(&t, &props, f, &poms)),
                "gradle-lock" => Ok(parse_gradle_lock(&t)),
                "gradle-catalog" => parse_gradle_catalog(&t),
                "cargo" => parse_cargo(&t),
                "cargo-lock" => parse_cargo_lock(&t),
                "npm" => parse_package_json(&t),
                "npm-lock" => parse_package_lock(&t),
                "yarn-lock" => Ok(parse_yarn_lock(&t)),
                "pnpm-lock" => Ok(parse_pnpm_lock(&t)),
                "gomod" => Ok(parse_go_mod(&t)),
                "requirements" => {
                    let dev = ["dev", "test"]
                        .iter()
                        .any(|w| name.to_ascii_lowercase().contains(w));
                    Ok(parse_requirements(&t)
                        .into_iter()
                        .map(|mut d| {
                            d.test = dev;
                            d
                        })
                        .collect())
                }
                "pyproject" => parse_pyproject(&t),
                "poetry-lock" => parse_poetry_lock(&t),
                "pipfile" => parse_pipfile(&t),
                "pipfile-lock" => parse_pipfile_lock(&t),
                "csproj" | "nuget-config" | "nuget-props" => parse_nuget(&t, kind, &central),
                "gemfile" => Ok(parse_gemfile(&t)),
                "gemfile-lock" => Ok(parse_gemfile_lock(&t)),
                "npm-installed" => artifacts::installed_npm(&t),
                "python-installed" => artifacts::installed_python(&t),
                "sbom" => sbom::parse_sbom(&t),
                _ => Ok(vec![]),
            });
            match parsed {
                Ok(ds) => decls.extend(ds.into_iter().map(|d| (f.clone(), d))),
                Err(e) => out.push(unreadable(
                    &mut errors,
                    &repo,
                    &relp,
                    ecosystem_of_kind(kind),
                    &name,
                    e,
                )),
            }
            continue;
        }
        if BINARY_EXT.contains(&ext.as_str()) || name.ends_with(".lockfile") {
            continue;
        }
        if matches!(ext.as_str(), "" | "exe") && head_is_executable(f) {
            match artifacts::go_build_info(f) {
                Ok(Some(ds)) => {
                    n_manifests += 1;
                    decls.extend(ds.into_iter().map(|d| (f.clone(), d)));
                }
                Ok(None) => {}
                Err(e) => out.push(unreadable(&mut errors, &repo, &relp, "go", &name, e)),
            }
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
        for mut d in text::scan_file_text(&relp, &text) {
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

/// A file that could not be read: an `unreadable` item (its rules report unknown) and a warning.
fn unreadable(
    errors: &mut Vec<String>,
    repo: &str,
    relp: &str,
    ecosystem: &str,
    name: &str,
    e: String,
) -> Dependency {
    errors.push(format!("{relp}: {e}"));
    Dependency {
        repo: repo.to_string(),
        file: relp.to_string(),
        line: 1,
        ecosystem: ecosystem.into(),
        kind: "unreadable".into(),
        library: name.to_string(),
        text: e,
        ..Default::default()
    }
}

fn head_is_executable(f: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    std::fs::File::open(f)
        .and_then(|mut h| h.read_exact(&mut head))
        .is_ok()
        && artifacts::is_executable(&head)
}

/// `--sbom FILE|DIR`: every SBOM given, or found under a directory (recognised by content).
pub fn scan_sboms(paths: &[PathBuf]) -> Result<(Vec<Dependency>, Vec<ScannedDir>)> {
    let mut deps = Vec::new();
    let mut scanned = Vec::new();
    for p in paths {
        let (root, files) = if p.is_file() {
            (
                p.parent().unwrap_or(Path::new("")).to_path_buf(),
                vec![p.clone()],
            )
        } else if p.is_dir() {
            let mut files = Vec::new();
            let mut errors = Vec::new();
            walk(p, p, &mut files, &mut errors);
            (p.clone(), files)
        } else {
            bail!("--sbom {}: no such file or directory", p.display());
        };
        let repo = root.display().to_string();
        let mut errors = Vec::new();
        let mut out = Vec::new();
        let mut decls = Vec::new();
        let mut n = 0;
        for f in files {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let relp = rel(&root, &f);
            let size = f.metadata().map(|m| m.len()).unwrap_or(0);
            let explicit = f == *p;
            if !(explicit || name.ends_with(".json") || name.ends_with(".xml")) {
                continue;
            }
            if size > MAX_MANIFEST {
                out.push(unreadable(
                    &mut errors,
                    &repo,
                    &relp,
                    "sbom",
                    &name,
                    format!("larger than {} MiB, skipped", MAX_MANIFEST / 1024 / 1024),
                ));
                continue;
            }
            let text = match std::fs::read(&f)
                .map_err(|e| e.to_string())
                .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8".to_string()))
            {
                Ok(t) => t,
                Err(e) => {
                    out.push(unreadable(&mut errors, &repo, &relp, "sbom", &name, e));
                    continue;
                }
            };
            let head: String = text.chars().take(4096).collect();
            if !explicit && !sbom::looks_like_sbom(&head) {
                continue;
            }
            n += 1;
            match sbom::parse_sbom(&text) {
                Ok(ds) => decls.extend(ds.into_iter().map(|d| (f.clone(), d))),
                Err(e) => out.push(unreadable(&mut errors, &repo, &relp, "sbom", &name, e)),
            }
        }
        out.extend(merge(&root, &repo, decls));
        deps.extend(out);
        scanned.push(ScannedDir {
            path: format!("sbom:{}", p.display()),
            manifests: n,
            files: 0,
            errors,
        });
    }
    Ok((deps, scanned))
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
        "npm-installed" => "npm",
        "python-installed" => "pypi",
        "sbom" => "sbom",
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
    let test_only = test_only_lock_entries(&decls);
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
            test: d.test || text::is_test_path(&rel(root, f)),
            version_source: d.source.clone(),
            unresolved: d.unresolved.clone(),
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
            test: d.test
                || text::is_test_path(&rel(root, f))
                || test_only.contains(&(f.clone(), d.package.clone())),
            version_source: d.source.clone(),
            ..Default::default()
        });
    }
    out
}

/// Lock entries only the test dependencies of their manifests pull in, for lock files that record
/// the dependency graph (Cargo.lock, Gemfile.lock): reachable from a test-only declaration of a
/// manifest in the lock file's directory (or below), and from none of the others.
fn test_only_lock_entries(
    decls: &[(PathBuf, Decl)],
) -> std::collections::BTreeSet<(PathBuf, String)> {
    let mut out = std::collections::BTreeSet::new();
    for (lf, _) in decls.iter().filter(|(_, d)| d.lock && !d.needs.is_empty()) {
        if out.iter().any(|(f, _): &(PathBuf, String)| f == lf) {
            continue;
        }
        let ldir = lf.parent().unwrap_or(Path::new(""));
        let graph: BTreeMap<&str, &Vec<String>> = decls
            .iter()
            .filter(|(f, d)| f == lf && d.lock)
            .map(|(_, d)| (d.package.as_str(), &d.needs))
            .collect();
        let roots = |test: bool| -> Vec<&str> {
            decls
                .iter()
                .filter(|(f, d)| {
                    !d.lock && d.test == test && f.parent().is_some_and(|p| p.starts_with(ldir))
                })
                .map(|(_, d)| d.package.as_str())
                .collect()
        };
        let reach = |from: Vec<&str>| {
            let mut seen = std::collections::BTreeSet::new();
            let mut stack = from;
            while let Some(n) = stack.pop() {
                if seen.insert(n.to_string()) {
                    if let Some(next) = graph.get(n) {
                        stack.extend(next.iter().map(String::as_str));
                    }
                }
            }
            seen
        };
        let (prod, test) = (reach(roots(false)), reach(roots(true)));
        for name in test.difference(&prod) {
            out.insert((lf.clone(), name.clone()));
        }
        // a lock file without any test-only entry is still marked as done
        out.insert((lf.clone(), String::new()));
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
        test: false,
        source: String::new(),
        unresolved: String::new(),
        needs: Vec::new(),
    }
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

/// A Gradle configuration that only tests use (`testImplementation`, `integrationTestRuntimeOnly`,
/// `testFixturesApi`, `androidTestImplementation`, …).
fn gradle_test_configuration(line: &str) -> bool {
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
fn gradle_boms(text: &str, subst: &dyn Fn(&str) -> String) -> Vec<String> {
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

fn parse_gradle(
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
fn npm_name_of(spec: &str) -> &str {
    let s = spec.trim().trim_matches('"');
    // The first `@` after the first character (a scope's `@` comes first). Not `s[1..]`: an
    // empty or non-ASCII spec panicked there (found by fuzzing, issue 15).
    match s.char_indices().skip(1).find(|(_, c)| *c == '@') {
        Some((p, _)) => &s[..p],
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
fn is_dev_group(name: &str) -> bool {
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
    static GROUP: OnceLock<Regex> = OnceLock::new();
    let group = re(&GROUP, r"^\s*group\s+(.*?)\s+do\b");
    let mut out = Vec::new();
    // `group :test, :development do … end` blocks (one level; `end` at the block's indent)
    let mut test_block: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        if let Some(c) = group.captures(line) {
            let names = c[1].to_ascii_lowercase();
            if test_block.is_none()
                && names
                    .split(',')
                    .map(|n| n.trim().trim_start_matches(':').trim_matches(['\'', '"']))
                    .all(|n| matches!(n, "test" | "development" | "dev" | "ci"))
            {
                test_block = Some(indent);
            }
            continue;
        }
        if line.trim() == "end" && test_block == Some(indent) {
            test_block = None;
            continue;
        }
        if let Some(c) = gem.captures(line) {
            let v = c.get(2).map(|m| m.as_str()).unwrap_or("");
            let mut d = decl("rubygems", &c[1], v, i as u32 + 1, false);
            d.test = test_block.is_some()
                || line.contains("group: :test")
                || line.contains("group: [:test")
                || line.contains("group: :development");
            out.push(d);
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
        if in_specs && line.starts_with("      ") && !line.starts_with("       ") {
            if let (Some(last), Some(dep)) = (out.last_mut(), line.split_whitespace().next()) {
                let last: &mut Decl = last;
                last.needs.push(dep.to_string());
            }
        } else if in_specs && line.starts_with("    ") && !line.starts_with("      ") {
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

    #[test]
    fn npm_names() {
        assert_eq!(npm_name_of("kafkajs@^1.12.0"), "kafkajs");
        assert_eq!(
            npm_name_of("\"@confluentinc/kafka-javascript@npm:0.1.0\""),
            "@confluentinc/kafka-javascript"
        );
    }
}
