//! NuGet: SDK-style project files, `packages.config` and central package management
//! (`Directory.Packages.props`).

use super::*;

pub(super) fn nuget_central_versions(files: &[PathBuf]) -> BTreeMap<String, String> {
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

pub(super) fn parse_nuget(
    text: &str,
    kind: Manifest,
    central: &BTreeMap<String, String>,
) -> Result<Vec<Decl>, String> {
    // project files may start with a BOM
    let text_nb = text.trim_start_matches('\u{feff}');
    let doc = roxmltree::Document::parse(text_nb).map_err(|e| format!("invalid XML: {e}"))?;
    let offset = text.len() - text_nb.len();
    let mut out = Vec::new();
    if kind == Manifest::NugetProps {
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
            "package" if kind == Manifest::NugetConfig => {
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
