//! Maven: a pom's dependencies with their versions resolved as Maven resolves them, without
//! running Maven: properties from the pom and its parents (found by `relativePath`, by
//! coordinates in the scanned tree, or in the local repository `~/.m2/repository`),
//! `dependencyManagement` inherited from the parents, and imported BOMs (`<scope>import</scope>`),
//! read from the tree or the local repository, else from [`KNOWN_BOMS`]. A version that stays
//! unknown says which property or BOM would settle it.

use super::*;
use std::cell::RefCell;

/// Parents and imports followed at most this deep (a cycle or a very deep chain stops there).
const MAX_DEPTH: usize = 12;

/// BOMs that manage the Kafka client version, for when the BOM is neither in the scanned tree
/// nor in the local Maven repository: (group, artifact, version line, property, Kafka version).
/// Spring Boot's `spring-boot-dependencies` sets `kafka.version` and manages the Apache Kafka
/// artifacts with it (Spring Boot 2.0 did not manage kafka-clients: it came with spring-kafka).
/// Within a Spring Boot line, dependency upgrades are patch releases, so the line tells the
/// Kafka minor; the patch is the one of the line's first release.
/// Source: `kafka.version` in spring-boot-dependencies-<line>.0.pom on Maven Central (read with
/// `mvn dependency:get -Dartifact=org.springframework.boot:spring-boot-dependencies:<v>:pom`).
pub const KNOWN_BOMS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "org.springframework.boot",
        "spring-boot-dependencies",
        "2.1",
        "kafka.version",
        "2.0.0",
    ),
    (
        "org.springframework.boot",
        "spring-boot-dependencies",
        "2.2",
        "kafka.version",
        "2.3.0",
    ),
    (
        "org.springframework.boot",
        "spring-boot-dependencies",
        "2.3",
        "kafka.version",
        "2.5.0",
    ),
    (
        "org.springframework.boot",
        "spring-boot-dependencies",
        "2.4",
        "kafka.version",
        "2.6.0",
    ),
    (
        "org.springframework.boot",
        "spring-boot-dependencies",
        "2.5",
        "kafka.version",
        "2.7.1",
    ),
    (
        "org.springframework.boot",
        "spring-boot-dependencies",
        "2.6",
        "kafka.version",
        "3.0.0",
    ),
    (
        "org.springframework.boot",
        "spring-boot-dependencies",
        "2.7",
        "kafka.version",
        "3.1.1",
    ),
    (
        "org.springframework.boot",
        "spring-boot-dependencies",
        "3.0",
        "kafka.version",
        "3.3.1",
    ),
    (
        "org.springframework.boot",
        "spring-boot-dependencies",
        "3.1",
        "kafka.version",
        "3.4.0",
    ),
    (
        "org.springframework.boot",
        "spring-boot-dependencies",
        "3.2",
        "kafka.version",
        "3.6.0",
    ),
    (
        "org.springframework.boot",
        "spring-boot-dependencies",
        "3.3",
        "kafka.version",
        "3.7.0",
    ),
    (
        "org.springframework.boot",
        "spring-boot-dependencies",
        "3.4",
        "kafka.version",
        "3.8.1",
    ),
    (
        "org.springframework.boot",
        "spring-boot-dependencies",
        "3.5",
        "kafka.version",
        "3.9.1",
    ),
    (
        "org.springframework.boot",
        "spring-boot-dependencies",
        "4.0",
        "kafka.version",
        "4.1.1",
    ),
];

/// The Apache Kafka artifacts a Kafka-managing BOM manages with its Kafka property.
const KAFKA_ARTIFACTS: &[&str] = &[
    "kafka-clients",
    "kafka-streams",
    "connect-api",
    "connect-runtime",
    "connect-json",
    "kafka_2.11",
    "kafka_2.12",
    "kafka_2.13",
];

/// Parents that are the Spring Boot BOM under another name.
fn bom_alias(g: &str, a: &str) -> Option<(&'static str, &'static str)> {
    match (g, a) {
        ("org.springframework.boot", "spring-boot-starter-parent" | "spring-boot-parent") => {
            Some(("org.springframework.boot", "spring-boot-dependencies"))
        }
        _ => None,
    }
}

/// A pom as written (nothing interpolated yet).
#[derive(Debug, Clone, Default)]
struct Pom {
    /// Where it was read: a path in the tree, `~/.m2/…`, or `table:…`.
    origin: String,
    file: Option<PathBuf>,
    group: String,
    artifact: String,
    version: String,
    /// (group, artifact, version, relativePath)
    parent: Option<(String, String, String, Option<String>)>,
    props: BTreeMap<String, String>,
    /// dependencyManagement entries: (group, artifact, version, scope, type)
    managed: Vec<(String, String, String, String, String)>,
}

fn parse_pom_model(text: &str, origin: String, file: Option<PathBuf>) -> Option<Pom> {
    let doc = roxmltree::Document::parse(text).ok()?;
    let root = doc.root_element();
    let mut p = Pom {
        origin,
        file,
        ..Default::default()
    };
    if let Some(par) = root.children().find(|n| n.has_tag_name("parent")) {
        let g = child_text(par, "groupId").unwrap_or_default();
        let a = child_text(par, "artifactId").unwrap_or_default();
        let v = child_text(par, "version").unwrap_or_default();
        p.parent = Some((g, a, v, child_text(par, "relativePath")));
    }
    p.group = child_text(root, "groupId")
        .or_else(|| p.parent.as_ref().map(|x| x.0.clone()))
        .unwrap_or_default();
    p.artifact = child_text(root, "artifactId").unwrap_or_default();
    p.version = child_text(root, "version")
        .or_else(|| p.parent.as_ref().map(|x| x.2.clone()))
        .unwrap_or_default();
    for n in root.children().filter(|n| n.has_tag_name("properties")) {
        for c in n.children().filter(|c| c.is_element()) {
            p.props.insert(
                c.tag_name().name().to_string(),
                c.text().unwrap_or("").trim().to_string(),
            );
        }
    }
    for dm in root
        .children()
        .filter(|n| n.has_tag_name("dependencyManagement"))
    {
        for dep in dm.descendants().filter(|n| n.has_tag_name("dependency")) {
            let (Some(g), Some(a)) = (child_text(dep, "groupId"), child_text(dep, "artifactId"))
            else {
                continue;
            };
            p.managed.push((
                g,
                a,
                child_text(dep, "version").unwrap_or_default(),
                child_text(dep, "scope").unwrap_or_default(),
                child_text(dep, "type").unwrap_or_default(),
            ));
        }
    }
    Some(p)
}

/// A BOM from [`KNOWN_BOMS`], as a pom.
fn table_pom(g: &str, a: &str, v: &str) -> Option<Pom> {
    let (g, a) = bom_alias(g, a).unwrap_or((g, a));
    let (_, _, line, prop, kafka) = KNOWN_BOMS.iter().find(|(bg, ba, line, _, _)| {
        *bg == g && *ba == a && (v == *line || v.starts_with(&format!("{line}.")))
    })?;
    let exact_line_start = v == format!("{line}.0") || v == format!("{line}.0.RELEASE");
    let kafka = if exact_line_start {
        kafka.to_string()
    } else {
        // the line's Kafka minor; the patch may be newer than the line's first release
        let mut it = kafka.split('.');
        format!(
            "{}.{}.x",
            it.next().unwrap_or("0"),
            it.next().unwrap_or("0")
        )
    };
    let mut p = Pom {
        origin: format!("{g}:{a}:{v} (kraftcheck's table of Kafka-managing BOMs: {prop}={kafka})"),
        group: g.to_string(),
        artifact: a.to_string(),
        version: v.to_string(),
        ..Default::default()
    };
    p.props.insert(prop.to_string(), kafka);
    for art in KAFKA_ARTIFACTS {
        p.managed.push((
            "org.apache.kafka".into(),
            art.to_string(),
            format!("${{{prop}}}"),
            String::new(),
            String::new(),
        ));
    }
    Some(p)
}

/// Every pom of the scanned tree, plus those read from the local repository on demand.
pub(super) struct PomIndex {
    tree: Vec<Pom>,
    by_file: BTreeMap<PathBuf, usize>,
    m2: Option<PathBuf>,
    m2_cache: RefCell<BTreeMap<String, Option<Pom>>>,
}

/// The local Maven repository: `$HOME/.m2/repository` when it exists.
fn local_repository() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let p = PathBuf::from(home).join(".m2/repository");
    p.is_dir().then_some(p)
}

/// A pom and where each of its values came from, after inheritance.
struct Effective {
    props: BTreeMap<String, (String, String)>,
    /// `group:artifact` → (raw version, where it is managed)
    managed: BTreeMap<String, (String, String)>,
    /// Parents or BOMs that could not be found.
    missing: Vec<String>,
}

impl PomIndex {
    pub(super) fn build(files: &[PathBuf]) -> Self {
        let mut tree = Vec::new();
        let mut by_file = BTreeMap::new();
        for f in files
            .iter()
            .filter(|f| f.file_name().is_some_and(|n| n == "pom.xml"))
        {
            if f.metadata().map(|m| m.len()).unwrap_or(u64::MAX) > MAX_MANIFEST {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(f) else {
                continue;
            };
            if let Some(p) = parse_pom_model(&text, f.display().to_string(), Some(f.clone())) {
                by_file.insert(f.clone(), tree.len());
                tree.push(p);
            }
        }
        PomIndex {
            tree,
            by_file,
            m2: local_repository(),
            m2_cache: RefCell::new(BTreeMap::new()),
        }
    }

    /// A pom by coordinates: the scanned tree, then the local repository, then the table.
    fn find(&self, g: &str, a: &str, v: &str) -> Option<Pom> {
        if let Some(p) = self
            .tree
            .iter()
            .find(|p| p.group == g && p.artifact == a && (v.is_empty() || p.version == v))
        {
            return Some(p.clone());
        }
        if let Some(m2) = &self.m2 {
            let key = format!("{g}:{a}:{v}");
            let cached = self.m2_cache.borrow().get(&key).cloned();
            if let Some(hit) = cached {
                if hit.is_some() {
                    return hit;
                }
            } else {
                let path = m2
                    .join(g.replace('.', "/"))
                    .join(a)
                    .join(v)
                    .join(format!("{a}-{v}.pom"));
                let pom = (path.metadata().map(|m| m.len()).unwrap_or(u64::MAX) <= MAX_MANIFEST)
                    .then(|| std::fs::read_to_string(&path).ok())
                    .flatten()
                    .and_then(|t| {
                        parse_pom_model(&t, format!("~/.m2/repository/…/{a}-{v}.pom"), None)
                    });
                self.m2_cache.borrow_mut().insert(key, pom.clone());
                if pom.is_some() {
                    return pom;
                }
            }
        }
        // spring-boot-starter-parent's versions are those of its parent, the Spring Boot BOM
        if let Some((ag, aa)) = bom_alias(g, a) {
            return self.find(ag, aa, v);
        }
        table_pom(g, a, v)
    }

    /// The parent of `p`: `relativePath` (default `../pom.xml`) when it is that artifact, else
    /// by coordinates.
    fn parent_of(
        &self,
        p: &Pom,
        props: &BTreeMap<String, (String, String)>,
    ) -> Result<Pom, String> {
        let Some((g, a, v, rel)) = &p.parent else {
            return Err(String::new());
        };
        let v = interpolate(v, props).0;
        if let Some(dir) = p.file.as_ref().and_then(|f| f.parent()) {
            let rel = rel.clone().unwrap_or_else(|| "../pom.xml".into());
            if !rel.is_empty() {
                let mut cand = dir.join(&rel);
                if cand.is_dir() {
                    cand = cand.join("pom.xml");
                }
                let cand = normalize(&cand);
                if let Some(&i) = self.by_file.get(&cand) {
                    let q = &self.tree[i];
                    if q.group == *g && q.artifact == *a {
                        return Ok(q.clone());
                    }
                }
            }
        }
        self.find(g, a, &v).ok_or_else(|| {
            format!("parent {g}:{a}:{v} (not in the scanned tree or ~/.m2/repository)")
        })
    }

    /// Properties and managed versions of `p` after inheritance and BOM imports.
    fn effective(&self, p: &Pom, depth: usize) -> Effective {
        let mut eff = Effective {
            props: BTreeMap::new(),
            managed: BTreeMap::new(),
            missing: Vec::new(),
        };
        // the chain: p, its parent, … (child values win)
        let mut chain = vec![p.clone()];
        let mut cur = p.clone();
        for _ in 0..MAX_DEPTH {
            let props_so_far = chain_props(&chain);
            match self.parent_of(&cur, &props_so_far) {
                Ok(q) => {
                    chain.push(q.clone());
                    cur = q;
                }
                Err(e) => {
                    if !e.is_empty() {
                        eff.missing.push(e);
                    }
                    break;
                }
            }
        }
        eff.props = chain_props(&chain);
        // project.* of the pom itself
        for (k, val) in [
            ("project.version", &p.version),
            ("version", &p.version),
            ("pom.version", &p.version),
            ("project.groupId", &p.group),
            ("project.artifactId", &p.artifact),
        ] {
            eff.props
                .entry(k.to_string())
                .or_insert((val.clone(), p.origin.clone()));
        }
        if let Some((_, _, v, _)) = &p.parent {
            eff.props
                .entry("project.parent.version".into())
                .or_insert((v.clone(), p.origin.clone()));
        }
        // declared management first (child first), then imported BOMs in order
        let mut imports = Vec::new();
        for q in &chain {
            for (g, a, v, scope, ty) in &q.managed {
                let g = interpolate(g, &eff.props).0;
                let a = interpolate(a, &eff.props).0;
                if scope == "import" && (ty == "pom" || ty.is_empty()) {
                    imports.push((g, a, interpolate(v, &eff.props).0));
                    continue;
                }
                eff.managed
                    .entry(format!("{g}:{a}"))
                    .or_insert((v.clone(), q.origin.clone()));
            }
        }
        for (g, a, v) in imports {
            if depth >= MAX_DEPTH {
                break;
            }
            let Some(bom) = self.find(&g, &a, &v) else {
                eff.missing.push(format!(
                    "imported BOM {g}:{a}:{v} (not in the scanned tree or ~/.m2/repository, and not a BOM kraftcheck knows)"
                ));
                continue;
            };
            let be = self.effective(&bom, depth + 1);
            eff.missing.extend(be.missing);
            for (coord, (raw, origin)) in be.managed {
                // a BOM's versions are interpolated with the BOM's own properties
                let (val, _, _) = interpolate(&raw, &be.props);
                let bom_id = format!("{g}:{a}:{v}");
                let origin = if origin.starts_with(&bom_id) {
                    format!("imported BOM {origin}")
                } else {
                    format!("imported BOM {bom_id} ({origin})")
                };
                eff.managed.entry(coord).or_insert((val, origin));
            }
        }
        eff
    }
}

impl PomIndex {
    /// The version a BOM (`group:artifact:version`, e.g. a Gradle `platform(…)` or the Spring
    /// Boot plugin's BOM) manages for `coord`, with where it came from.
    pub(super) fn managed_by_bom(&self, bom: &str, coord: &str) -> Option<(String, String)> {
        let mut it = bom.splitn(3, ':');
        let (g, a, v) = (it.next()?, it.next()?, it.next()?);
        let pom = self.find(g, a, v)?;
        let eff = self.effective(&pom, 0);
        let (raw, origin) = eff.managed.get(coord)?;
        let (val, undefined, _) = interpolate(raw, &eff.props);
        if undefined.is_some() {
            return None;
        }
        Some((
            val,
            if origin.starts_with(bom) {
                format!("BOM {origin}")
            } else {
                format!("BOM {bom} ({origin})")
            },
        ))
    }
}

fn chain_props(chain: &[Pom]) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for q in chain {
        for (k, v) in &q.props {
            out.entry(k.clone())
                .or_insert((v.clone(), q.origin.clone()));
        }
    }
    out
}

/// `a/b/../c` → `a/c` (no file system access).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `${x}` replaced from `props` (nested up to 8 rounds). Returns the value, the first property
/// left undefined, and where the last substituted property was defined.
fn interpolate(
    v: &str,
    props: &BTreeMap<String, (String, String)>,
) -> (String, Option<String>, Option<String>) {
    let mut out = v.to_string();
    let mut from = None;
    for _ in 0..8 {
        let Some(start) = out.find("${") else {
            return (out, None, from);
        };
        let Some(end) = out[start..].find('}') else {
            break;
        };
        let key = out[start + 2..start + end].to_string();
        match props.get(&key) {
            Some((val, origin)) => {
                from = Some(format!("{key} from {origin}"));
                out.replace_range(start..start + end + 1, val);
            }
            None => return (out, Some(key), from),
        }
    }
    let undefined = out
        .find("${")
        .and_then(|s| out[s + 2..].split('}').next().map(str::to_string));
    (out, undefined, from)
}

pub(super) fn child_text(n: roxmltree::Node, tag: &str) -> Option<String> {
    n.children()
        .find(|c| c.has_tag_name(tag))
        .and_then(|c| c.text())
        .map(|t| t.trim().to_string())
}

/// Test-only Maven artifacts (an embedded ZooKeeper or Kafka for tests), whatever their scope.
fn is_test_artifact(g: &str, a: &str) -> bool {
    matches!(
        (g, a),
        ("org.apache.curator", "curator-test") | ("org.springframework.kafka", "spring-kafka-test")
    ) || a.ends_with("-test-utils")
        || a == "kafka-streams-test-utils"
}

pub(super) fn parse_pom(text: &str, file: &Path, idx: &PomIndex) -> Result<Vec<Decl>, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("invalid XML: {e}"))?;
    let me = idx
        .by_file
        .get(file)
        .map(|&i| idx.tree[i].clone())
        .or_else(|| parse_pom_model(text, file.display().to_string(), Some(file.to_path_buf())))
        .unwrap_or_default();
    let eff = idx.effective(&me, 0);
    let missing = if eff.missing.is_empty() {
        String::new()
    } else {
        format!("; not found: {}", eff.missing.join(", "))
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
        let (g, a) = (interpolate(&g, &eff.props).0, interpolate(&a, &eff.props).0);
        let coord = format!("{g}:{a}");
        let line = doc.text_pos_at(dep.range().start).row;
        let (version, source, unresolved) = match child_text(dep, "version") {
            Some(raw) => {
                let (val, undefined, from) = interpolate(&raw, &eff.props);
                match undefined {
                    Some(k) => (
                        raw.clone(),
                        String::new(),
                        format!("property ${{{k}}} is not defined in this pom or its parents{missing}"),
                    ),
                    None => (val, from.unwrap_or_default(), String::new()),
                }
            }
            None => match eff.managed.get(&coord) {
                Some((raw, origin)) => {
                    let (val, undefined, from) = interpolate(raw, &eff.props);
                    match undefined {
                        Some(k) => (
                            String::new(),
                            format!("dependencyManagement of {origin}"),
                            format!("managed as {raw} by {origin}, but property ${{{k}}} is not defined{missing}"),
                        ),
                        None => (
                            val,
                            match from {
                                Some(f) if !f.ends_with(origin.as_str()) => {
                                    format!("dependencyManagement of {origin}; {f}")
                                }
                                _ => format!("dependencyManagement of {origin}"),
                            },
                            String::new(),
                        ),
                    }
                }
                None => (
                    String::new(),
                    String::new(),
                    format!("no <version> and no dependencyManagement entry for {coord} in this pom, its parents or imported BOMs{missing}"),
                ),
            },
        };
        let scope = child_text(dep, "scope").unwrap_or_default();
        let test = scope == "test"
            || child_text(dep, "type").is_some_and(|t| t == "test-jar")
            || child_text(dep, "classifier").is_some_and(|c| c == "test" || c == "tests")
            || is_test_artifact(&g, &a);
        let mut d = decl("maven", &coord, &version, line, false);
        d.test = test;
        d.source = source;
        d.unresolved = unresolved;
        out.push(d);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spring_boot_table_lines() {
        for (artifact, version, kafka) in [
            ("spring-boot-starter-parent", "3.2.0", Some("3.6.0")),
            ("spring-boot-dependencies", "3.2.5", Some("3.6.x")),
            ("spring-boot-dependencies", "2.1.0.RELEASE", Some("2.0.0")),
            ("spring-boot-dependencies", "2.0.9.RELEASE", None),
            ("spring-boot-dependencies", "3.20.0", None),
        ] {
            let p = table_pom("org.springframework.boot", artifact, version);
            assert_eq!(
                p.map(|p| p.props["kafka.version"].clone()).as_deref(),
                kafka,
                "{artifact} {version}"
            );
        }
    }

    #[test]
    fn interpolation_reports_the_missing_property() {
        let mut props = BTreeMap::new();
        props.insert("a".to_string(), ("${b}".to_string(), "x".to_string()));
        props.insert("b".to_string(), ("1.2".to_string(), "y".to_string()));
        assert_eq!(interpolate("${a}", &props).0, "1.2");
        assert_eq!(interpolate("${nope}", &props).1.as_deref(), Some("nope"));
        // a self-reference stops
        props.insert("c".to_string(), ("${c}".to_string(), "z".to_string()));
        assert!(interpolate("${c}", &props).1.is_some());
    }
}
