//! SBOMs that CI already produces: CycloneDX (JSON and XML) and SPDX (JSON). Their components
//! carry exact versions, transitive ones included; packages are recognised by their purl
//! (`pkg:maven/org.apache.kafka/kafka-clients@2.0.1`).

use super::*;

/// Whether a file's content is an SBOM kraftcheck reads (a cheap look at its first bytes).
pub(super) fn looks_like_sbom(head: &str) -> bool {
    (head.contains("\"bomFormat\"") && head.contains("CycloneDX"))
        || head.contains("\"spdxVersion\"")
        || head.contains("cyclonedx.org/schema/bom")
}

/// File names that are SBOMs by convention (looked at while scanning a repository).
pub(super) fn is_sbom_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".cdx.json")
        || n.ends_with(".cdx.xml")
        || n.ends_with(".spdx.json")
        || n.ends_with(".bom.json")
        || n.ends_with(".bom.xml")
        || matches!(
            n.as_str(),
            "bom.json" | "bom.xml" | "sbom.json" | "sbom.xml"
        )
        || (n.contains("sbom") && (n.ends_with(".json") || n.ends_with(".xml")))
        || (n.starts_with("cyclonedx") && (n.ends_with(".json") || n.ends_with(".xml")))
}

/// `pkg:maven/org.apache.kafka/kafka-clients@2.0.1?type=jar` → (ecosystem, package, version).
pub(super) fn purl(p: &str) -> Option<(&'static str, String, String)> {
    let rest = p.strip_prefix("pkg:")?;
    let rest = rest.split(['?', '#']).next()?;
    let (ty, path) = rest.split_once('/')?;
    let (path, version) = match path.rsplit_once('@') {
        // a scoped npm name starts with %40 (or @): the version @ is the last one
        Some((p, v)) if !p.is_empty() => (p, v),
        _ => (path, ""),
    };
    let dec = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let path = dec(path);
    let version = dec(version);
    let eco = match ty.to_ascii_lowercase().as_str() {
        "maven" => "maven",
        "npm" => "npm",
        "pypi" => "pypi",
        "golang" => "go",
        "cargo" => "cargo",
        "gem" => "rubygems",
        "nuget" => "nuget",
        _ => return None,
    };
    let package = match eco {
        "maven" => path.replacen('/', ":", 1),
        _ => path,
    };
    Some((eco, package, version))
}

fn from_purl(text: &str, p: &str, out: &mut Vec<Decl>) -> bool {
    match purl(p) {
        Some((eco, package, version)) => {
            let mut d = decl(eco, &package, &version, line_of(text, &[p]), true);
            d.source = "SBOM".into();
            out.push(d);
            true
        }
        None => false,
    }
}

/// Components of a CycloneDX JSON document (nested components included).
fn cyclonedx_json(text: &str, v: &serde_json::Value, out: &mut Vec<Decl>) {
    fn walk(text: &str, comps: &serde_json::Value, out: &mut Vec<Decl>, depth: usize) {
        let Some(list) = comps.as_array() else {
            return;
        };
        for c in list {
            let s = |k: &str| c.get(k).and_then(|x| x.as_str()).unwrap_or("");
            if !from_purl(text, s("purl"), out) && !s("group").is_empty() {
                // no purl: a group means Maven coordinates
                let coord = format!("{}:{}", s("group"), s("name"));
                let mut d = decl(
                    "maven",
                    &coord,
                    s("version"),
                    line_of(text, &[&format!("\"{}\"", s("name"))]),
                    true,
                );
                d.source = "SBOM".into();
                out.push(d);
            }
            if depth < 16 {
                if let Some(sub) = c.get("components") {
                    walk(text, sub, out, depth + 1);
                }
            }
        }
    }
    if let Some(c) = v.get("components") {
        walk(text, c, out, 0);
    }
}

fn spdx_json(text: &str, v: &serde_json::Value, out: &mut Vec<Decl>) {
    for p in v
        .get("packages")
        .and_then(|x| x.as_array())
        .into_iter()
        .flatten()
    {
        let refs = p
            .get("externalRefs")
            .and_then(|x| x.as_array())
            .into_iter()
            .flatten();
        for r in refs {
            if r.get("referenceType").and_then(|x| x.as_str()) == Some("purl") {
                if let Some(loc) = r.get("referenceLocator").and_then(|x| x.as_str()) {
                    from_purl(text, loc, out);
                }
            }
        }
    }
}

fn cyclonedx_xml(text: &str) -> Result<Vec<Decl>, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("invalid XML: {e}"))?;
    let mut out = Vec::new();
    for c in doc.descendants().filter(|n| n.has_tag_name("component")) {
        let line = doc.text_pos_at(c.range().start).row;
        let purl_text = child_text(c, "purl").unwrap_or_default();
        if let Some((eco, package, version)) = purl(&purl_text) {
            let mut d = decl(eco, &package, &version, line, true);
            d.source = "SBOM".into();
            out.push(d);
        } else if let (Some(g), Some(n)) = (child_text(c, "group"), child_text(c, "name")) {
            let v = child_text(c, "version").unwrap_or_default();
            let mut d = decl("maven", &format!("{g}:{n}"), &v, line, true);
            d.source = "SBOM".into();
            out.push(d);
        }
    }
    Ok(out)
}

/// The packages an SBOM lists, each as a resolved (lock-file-like) declaration.
pub(super) fn parse_sbom(text: &str) -> Result<Vec<Decl>, String> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('<') {
        if !t.contains("cyclonedx.org/schema/bom") {
            return Err("XML that is not a CycloneDX BOM".into());
        }
        return cyclonedx_xml(t);
    }
    let v = json_doc(t)?;
    let mut out = Vec::new();
    if v.get("bomFormat").and_then(|x| x.as_str()) == Some("CycloneDX") {
        cyclonedx_json(text, &v, &mut out);
    } else if v.get("spdxVersion").is_some() {
        spdx_json(text, &v, &mut out);
    } else {
        return Err(
            "JSON that is neither a CycloneDX BOM (bomFormat) nor an SPDX document (spdxVersion)"
                .into(),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls() {
        assert_eq!(
            purl("pkg:maven/org.apache.kafka/kafka-clients@2.0.1?type=jar"),
            Some((
                "maven",
                "org.apache.kafka:kafka-clients".into(),
                "2.0.1".into()
            ))
        );
        assert_eq!(
            purl("pkg:npm/%40confluentinc/kafka-javascript@1.0.0"),
            Some((
                "npm",
                "@confluentinc/kafka-javascript".into(),
                "1.0.0".into()
            ))
        );
        assert_eq!(
            purl("pkg:cargo/rdkafka-sys@4.7.0%2B2.3.0"),
            Some(("cargo", "rdkafka-sys".into(), "4.7.0+2.3.0".into()))
        );
        assert_eq!(
            purl("pkg:golang/github.com/IBM/sarama@v1.43.0"),
            Some(("go", "github.com/IBM/sarama".into(), "v1.43.0".into()))
        );
        assert_eq!(purl("pkg:deb/debian/libc6@2.36"), None);
        assert_eq!(purl("not a purl"), None);
    }

    #[test]
    fn bad_sboms_are_errors_not_panics() {
        assert!(
            parse_sbom("{\"bomFormat\": \"CycloneDX\", \"components\": 3}")
                .unwrap()
                .is_empty()
        );
        assert!(parse_sbom("{\"components\": []").is_err());
        assert!(parse_sbom("{}").is_err());
        assert!(
            parse_sbom("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"><components>").is_err()
        );
    }
}
