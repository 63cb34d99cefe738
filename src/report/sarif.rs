//! SARIF 2.1.0 for code scanning (GitHub and other SARIF viewers), built with serde-sarif.
//!
//! What goes in:
//! - one rule descriptor per rule evaluated in this run (every rule that produced any
//!   finding, including passes), with remediation as help, and severity, profiles, area and
//!   references as properties;
//! - a result per **fail** finding: level `error` for blocking and high, `warning` for
//!   medium, `note` for low and info;
//! - a result per **waived** finding, at its normal level and with an `external`, `accepted`
//!   suppression whose justification is the waiver's reason, owner and expiry: code scanning
//!   shows it as dismissed, and the risk stays on record;
//! - a result per **unknown** finding with `kind: "review"` and `level: "none"` (SARIF's
//!   way to say "a person must look": the rule could not be evaluated, which is not a pass);
//! - **pass** findings are left out (code scanning would open an alert per result); the
//!   counts are in the run's properties.
//!
//! Every result has a physical location: the finding's file (as given, relative paths stay
//! relative; absolute paths become `file://` URIs) and line (at least 1). A finding without a
//! file points at the report's inventory file, else the first source, else `inventory.json`
//! (then `properties.locationIsPlaceholder` is true). The JSON pointer and the resource id are
//! in the result's properties and logical location. `partialFingerprints` hold a stable hash
//! of rule id and resource id, so alerts survive line moves between scans.

use super::Report;
use crate::findings::{Finding, Severity, Status};
use serde_json::{json, Value};
use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result,
    ResultKind, ResultLevel, Run, Sarif, Suppression, Tool, ToolComponent,
};
use std::collections::BTreeMap;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key under `partialFingerprints`; bump the version if the hash input ever changes.
pub const FINGERPRINT_KEY: &str = "kraftcheckFinding/v1";

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Blocking | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

fn level_str(s: Severity) -> &'static str {
    match level(s) {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        _ => "note",
    }
}

/// 128-bit FNV-1a, hex. Stable across builds and platforms (unlike `DefaultHasher`).
pub fn fingerprint(rule_id: &str, resource_id: &str) -> String {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut h = OFFSET;
    for b in rule_id
        .bytes()
        .chain(std::iter::once(0u8))
        .chain(resource_id.bytes())
    {
        h ^= u128::from(b);
        h = h.wrapping_mul(PRIME);
    }
    format!("{h:032x}")
}

/// A file path as a URI reference: relative paths stay relative (percent-encoded where
/// needed), absolute ones become `file://` URIs, Windows separators become `/`.
pub fn path_to_uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    let mut out = String::with_capacity(p.len() + 8);
    let (prefix, rest) = if p.starts_with('/') {
        ("file://", p.as_str())
    } else if p.len() >= 2 && p.as_bytes()[1] == b':' && p.as_bytes()[0].is_ascii_alphabetic() {
        ("file:///", p.as_str())
    } else {
        ("", p.as_str())
    };
    out.push_str(prefix);
    for (i, b) in rest.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            // keep a drive letter's colon in file:///C:/…
            || (b == b':' && prefix == "file:///" && i == 1);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

fn props(map: BTreeMap<String, Value>) -> PropertyBag {
    PropertyBag::builder().additional_properties(map).build()
}

/// `Control plane listener name is set` → `ControlPlaneListenerNameIsSet`.
fn pascal(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn descriptor(f: &Finding, profiles: &[String]) -> ReportingDescriptor {
    let url = f
        .references
        .iter()
        .find(|r| r.starts_with("https://") || r.starts_with("http://"))
        .cloned();
    let refs_md: String = f.references.iter().map(|r| format!("- {r}\n")).collect();
    let help_text = format!(
        "{}\n\nReferences:\n{}",
        f.remediation.trim(),
        f.references
            .iter()
            .map(|r| format!("  - {r}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let help = MultiformatMessageString::builder()
        .text(help_text)
        .markdown(format!(
            "**Remediation:** {}\n\n**Why:** {}\n\n**References:**\n{}",
            f.remediation.trim(),
            f.why.trim(),
            refs_md
        ))
        .build();
    let mut p = BTreeMap::new();
    p.insert("severity".into(), json!(f.severity.as_str()));
    p.insert("area".into(), json!(f.area));
    p.insert("profiles".into(), json!(profiles));
    p.insert("references".into(), json!(f.references));
    // GitHub code scanning reads these two for non-security rules.
    p.insert("problem.severity".into(), json!(level_str(f.severity)));
    let tags = vec![
        "kafka".to_string(),
        "kraft-migration".to_string(),
        f.area.clone(),
    ];
    let builder = ReportingDescriptor::builder()
        .id(f.rule_id.clone())
        .name(pascal(&f.title))
        .short_description(text(&f.title))
        .full_description(text(if f.why.trim().is_empty() {
            &f.title
        } else {
            f.why.trim()
        }))
        .help(help)
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_str(f.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(p)
                .build(),
        );
    match url {
        Some(u) => builder.help_uri(u).build(),
        None => builder.build(),
    }
}

fn location(report: &Report, f: &Finding) -> (Location, bool) {
    let (file, placeholder) = match (&f.location.file, &report.inventory_file) {
        (Some(file), _) => (file.clone(), false),
        (None, Some(inv)) => (inv.clone(), false),
        (None, None) => match report.summary.sources.first() {
            Some(s) => (s.clone(), false),
            None => ("inventory.json".to_string(), true),
        },
    };
    let line = i64::from(f.location.line.unwrap_or(1).max(1));
    let physical = PhysicalLocation::builder()
        .artifact_location(ArtifactLocation::builder().uri(path_to_uri(&file)).build())
        .region(Region::builder().start_line(line).build())
        .build();
    let logical = LogicalLocation::builder()
        .name(if f.resource.name.is_empty() {
            f.resource.kind.clone()
        } else {
            f.resource.name.clone()
        })
        .fully_qualified_name(f.resource.id())
        .kind("resource")
        .build();
    (
        Location::builder()
            .physical_location(physical)
            .logical_locations(vec![logical])
            .build(),
        placeholder,
    )
}

pub fn render(report: &Report) -> anyhow::Result<String> {
    // Rules in first-seen order (the report is sorted worst first), with the profiles they
    // applied to in this run.
    let mut order: Vec<&Finding> = Vec::new();
    let mut profiles: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for f in &report.findings {
        let ps = profiles.entry(f.rule_id.as_str()).or_insert_with(|| {
            order.push(f);
            Vec::new()
        });
        for p in &f.profiles {
            if !ps.contains(p) {
                ps.push(p.clone());
            }
        }
    }
    let rules: Vec<ReportingDescriptor> = order
        .iter()
        .map(|f| descriptor(f, &profiles[f.rule_id.as_str()]))
        .collect();
    let index: BTreeMap<&str, i64> = order
        .iter()
        .enumerate()
        .map(|(i, f)| (f.rule_id.as_str(), i as i64))
        .collect();

    let mut results: Vec<Result> = Vec::new();
    for f in &report.findings {
        if f.status == Status::Pass {
            continue;
        }
        let (loc, placeholder) = location(report, f);
        let mut p = BTreeMap::new();
        p.insert("status".into(), json!(f.status.as_str()));
        p.insert("severity".into(), json!(f.severity.as_str()));
        p.insert("area".into(), json!(f.area));
        p.insert("profiles".into(), json!(f.profiles));
        p.insert("resource".into(), json!(f.resource.id()));
        p.insert("resourceKind".into(), json!(f.resource.kind));
        p.insert("jsonPointer".into(), json!(f.location.pointer));
        p.insert("evidence".into(), json!(f.evidence));
        if placeholder {
            p.insert("locationIsPlaceholder".into(), json!(true));
        }
        let fp = BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            fingerprint(&f.rule_id, &f.resource.id()),
        )]);
        let message = Message::builder()
            .text(format!("{} ({})", f.message, f.resource.id()))
            .build();
        let base = Result::builder()
            .rule_id(f.rule_id.clone())
            .rule_index(index[f.rule_id.as_str()])
            .message(message)
            .locations(vec![loc])
            .partial_fingerprints(fp)
            .properties(props(p));
        let r = match f.status {
            Status::Fail => base.level(level(f.severity)).kind(ResultKind::Fail).build(),
            Status::Unknown => base
                .level(ResultLevel::None)
                .kind(ResultKind::Review)
                .build(),
            Status::Waived => {
                let justification = match &f.waiver {
                    Some(w) => format!(
                        "{} (owner {}, waived until {})",
                        w.reason, w.owner, w.expires
                    ),
                    None => "waived".to_string(),
                };
                base.level(level(f.severity))
                    .kind(ResultKind::Fail)
                    .suppressions(vec![Suppression::builder()
                        .kind(json!("external"))
                        .status(json!("accepted"))
                        .justification(justification)
                        .build()])
                    .build()
            }
            Status::Pass => unreachable!("passes are skipped above"),
        };
        results.push(r);
    }

    let version = env!("CARGO_PKG_VERSION");
    let driver = ToolComponent::builder()
        .name("kraftcheck")
        .full_name(report.tool.clone())
        .version(version)
        .semantic_version(version)
        .rules(rules)
        .build();
    let mut run_props = BTreeMap::new();
    run_props.insert("verdict".into(), json!(report.verdict));
    run_props.insert("failOn".into(), json!(report.fail_on));
    run_props.insert("failOnUnknown".into(), json!(report.fail_on_unknown));
    run_props.insert("generatedAt".into(), json!(report.generated_at));
    run_props.insert("migrationPhase".into(), json!(report.summary.phase));
    run_props.insert("finalizeNote".into(), json!(report.finalize_note));
    run_props.insert(
        "profiles".into(),
        json!(report
            .profiles
            .iter()
            .map(|p| json!({
                "name": p.name,
                "target": p.target,
                "verdict": p.verdict,
                "failing": p.failing,
                "unknown": p.unknown,
                "waived": p.waived,
                "passed": p.passed,
            }))
            .collect::<Vec<_>>()),
    );
    run_props.insert(
        "counts".into(),
        json!({
            "fail": report.count(Status::Fail),
            "unknown": report.count(Status::Unknown),
            "waived": report.count(Status::Waived),
            "pass": report.count(Status::Pass),
        }),
    );
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .properties(props(run_props))
        .build();
    let sarif = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut s = serde_json::to_string_pretty(&sarif)?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        assert_eq!(fingerprint("R-1", "topic:a"), fingerprint("R-1", "topic:a"));
        assert_ne!(fingerprint("R-1", "topic:a"), fingerprint("R-1", "topic:b"));
        // The separator keeps ("R-1t", "opic") apart from ("R-1", "topic").
        assert_ne!(fingerprint("R-1t", "opic:a"), fingerprint("R-1", "topic:a"));
        assert_eq!(fingerprint("R-1", "topic:a").len(), 32);
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            path_to_uri("config/server 1.properties"),
            "config/server%201.properties"
        );
        assert_eq!(
            path_to_uri("/etc/kafka/server.properties"),
            "file:///etc/kafka/server.properties"
        );
        assert_eq!(
            path_to_uri("C:\\kafka\\a.properties"),
            "file:///C:/kafka/a.properties"
        );
        assert_eq!(path_to_uri("bootstrap:h:9092"), "bootstrap%3Ah%3A9092");
    }

    #[test]
    fn pascal_names() {
        assert_eq!(
            pascal("control.plane.listener.name is set"),
            "ControlPlaneListenerNameIsSet"
        );
    }
}
