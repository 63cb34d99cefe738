//! `--scan-deps DIR`: Kafka and ZooKeeper client libraries declared in application repositories
//! (Maven, Gradle, Cargo, npm/yarn/pnpm, Go modules, pip/poetry/Pipfile, NuGet, Bundler), and
//! scripts or configuration files that talk to ZooKeeper (`--zookeeper`, `zookeeper.connect`,
//! `kafka-acls --authorizer-properties`, …) or list bootstrap servers. Every finding has a file
//! and a line. Read-only; a file that cannot be parsed becomes an `unreadable` item (its rules
//! report unknown), never a crash.

use crate::compat;
use crate::inventory::{Dependency, ScannedDir};
use crate::settings::{bad, Input};
use anyhow::Result;
use regex::Regex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod artifacts;
mod cargo;
mod golang;
mod gradle;
mod maven;
mod npm;
mod nuget;
mod python;
mod ruby;
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
            return Err(bad(Input::ScanDeps, dir.display(), "not a directory"));
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

/// What a manifest, lock file or installed-package record is, by its name. Every kind names its
/// ecosystem and its parser in one exhaustive `match` each, so a new kind cannot be half-wired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Manifest {
    Pom,
    Gradle,
    GradleLock,
    GradleCatalog,
    Cargo,
    CargoLock,
    Npm,
    NpmLock,
    YarnLock,
    PnpmLock,
    GoMod,
    Requirements,
    Pyproject,
    PoetryLock,
    Pipfile,
    PipfileLock,
    NugetProject,
    NugetConfig,
    NugetProps,
    Gemfile,
    GemfileLock,
    NpmInstalled,
    PythonInstalled,
    Sbom,
}

/// What the parsers of one repository share: versions declared in other files.
struct Context<'a> {
    gradle_props: &'a BTreeMap<PathBuf, BTreeMap<String, String>>,
    poms: &'a PomIndex,
    nuget_central: &'a BTreeMap<String, String>,
}

impl Manifest {
    /// The kind of a file, from its path relative to the repository and its name.
    fn of(relp: &str, name: &str) -> Option<Self> {
        use Manifest::*;
        if relp.contains("node_modules/") && name == "package.json" {
            return Some(NpmInstalled);
        }
        if relp.ends_with(".dist-info/METADATA") {
            return Some(PythonInstalled);
        }
        if sbom::is_sbom_name(name) {
            return Some(Sbom);
        }
        let lower = name.to_ascii_lowercase();
        Some(match name {
            "pom.xml" => Pom,
            "build.gradle" | "build.gradle.kts" => Gradle,
            "gradle.lockfile" => GradleLock,
            "libs.versions.toml" => GradleCatalog,
            "Cargo.toml" => Cargo,
            "Cargo.lock" => CargoLock,
            "package.json" => Npm,
            "package-lock.json" | "npm-shrinkwrap.json" => NpmLock,
            "yarn.lock" => YarnLock,
            "pnpm-lock.yaml" => PnpmLock,
            "go.mod" => GoMod,
            "pyproject.toml" => Pyproject,
            "poetry.lock" => PoetryLock,
            "Pipfile" => Pipfile,
            "Pipfile.lock" => PipfileLock,
            "packages.config" => NugetConfig,
            "Directory.Packages.props" => NugetProps,
            "Gemfile" => Gemfile,
            "Gemfile.lock" => GemfileLock,
            _ if lower.starts_with("requirements") && lower.ends_with(".txt") => Requirements,
            _ if lower.ends_with(".csproj")
                || lower.ends_with(".fsproj")
                || lower.ends_with(".vbproj") =>
            {
                NugetProject
            }
            _ => return None,
        })
    }

    /// The ecosystem an unreadable file of this kind is reported under.
    fn ecosystem(self) -> &'static str {
        use Manifest::*;
        match self {
            Pom => "maven",
            Gradle | GradleLock | GradleCatalog => "gradle",
            Cargo | CargoLock => "cargo",
            Npm | NpmLock | YarnLock | PnpmLock | NpmInstalled => "npm",
            GoMod => "go",
            Requirements | Pyproject | PoetryLock | Pipfile | PipfileLock | PythonInstalled => {
                "pypi"
            }
            NugetProject | NugetConfig | NugetProps => "nuget",
            Gemfile | GemfileLock => "rubygems",
            Sbom => "sbom",
        }
    }

    /// The declarations of one file of this kind (`name` is the file's name, `file` its path).
    fn parse(self, text: &str, name: &str, file: &Path, cx: &Context) -> Result<Vec<Decl>, String> {
        use Manifest::*;
        match self {
            Pom => parse_pom(text, file, cx.poms),
            Gradle => Ok(gradle::parse_gradle(text, cx.gradle_props, file, cx.poms)),
            GradleLock => Ok(gradle::parse_gradle_lock(text)),
            GradleCatalog => gradle::parse_gradle_catalog(text),
            Cargo => cargo::parse_cargo(text),
            CargoLock => cargo::parse_cargo_lock(text),
            Npm => npm::parse_package_json(text),
            NpmLock => npm::parse_package_lock(text),
            YarnLock => Ok(npm::parse_yarn_lock(text)),
            PnpmLock => Ok(npm::parse_pnpm_lock(text)),
            GoMod => Ok(golang::parse_go_mod(text)),
            Requirements => {
                let dev = ["dev", "test"]
                    .iter()
                    .any(|w| name.to_ascii_lowercase().contains(w));
                Ok(python::parse_requirements(text)
                    .into_iter()
                    .map(|mut d| {
                        d.test = dev;
                        d
                    })
                    .collect())
            }
            Pyproject => python::parse_pyproject(text),
            PoetryLock => python::parse_poetry_lock(text),
            Pipfile => python::parse_pipfile(text),
            PipfileLock => python::parse_pipfile_lock(text),
            NugetProject | NugetConfig | NugetProps => {
                nuget::parse_nuget(text, self, cx.nuget_central)
            }
            Gemfile => Ok(ruby::parse_gemfile(text)),
            GemfileLock => Ok(ruby::parse_gemfile_lock(text)),
            NpmInstalled => artifacts::installed_npm(text),
            PythonInstalled => artifacts::installed_python(text),
            Sbom => sbom::parse_sbom(text),
        }
    }
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
    let (props, poms, central) = (
        gradle::gradle_properties(root, &files),
        PomIndex::build(&files),
        nuget::nuget_central_versions(&files),
    );
    let cx = Context {
        gradle_props: &props,
        poms: &poms,
        nuget_central: &central,
    };
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
        let kind = Manifest::of(&relp, &name);
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
            let parsed = text.and_then(|t| {
                if t.is_empty() {
                    Ok(vec![])
                } else {
                    kind.parse(&t, &name, f, &cx)
                }
            });
            match parsed {
                Ok(ds) => decls.extend(ds.into_iter().map(|d| (f.clone(), d))),
                Err(e) => out.push(unreadable(
                    &mut errors,
                    &repo,
                    &relp,
                    kind.ecosystem(),
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
            return Err(bad(Input::Sbom, p.display(), "no such file or directory"));
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
    // What a declaration says of itself, wherever it stands.
    let declared = |f: &Path, d: &Decl, kind: &str| Dependency {
        repo: repo.to_string(),
        file: rel(root, f),
        line: d.line,
        ecosystem: d.ecosystem.into(),
        kind: kind.into(),
        library: d.package.clone(),
        version: d.version.clone(),
        version_source: d.source.clone(),
        ..Default::default()
    };
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
            resolved,
            lock_file,
            scope: if d.indirect { "transitive" } else { "direct" }.into(),
            test: d.test || text::is_test_path(&rel(root, f)),
            unresolved: d.unresolved.clone(),
            ..declared(f, d, kind)
        });
    }
    for (i, (f, d, kind)) in locks.iter().enumerate() {
        if used[i] {
            continue;
        }
        out.push(Dependency {
            resolved: Some(d.version.clone()),
            lock_file: Some(rel(root, f)),
            scope: "transitive".into(),
            test: d.test
                || text::is_test_path(&rel(root, f))
                || test_only.contains(&(f.clone(), d.package.clone())),
            ..declared(f, d, kind)
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

fn re(cell: &'static OnceLock<Regex>, pat: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pat).expect("static regex"))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn toml_doc(text: &str) -> Result<toml::Table, String> {
    toml::from_str(text).map_err(|e| format!("invalid TOML: {}", one_line(&e.to_string())))
}

fn json_doc(text: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))
}
