//! HTML: one self-contained file for the change ticket (inline CSS, JS and SVG; a
//! Content-Security-Policy that forbids every request), rendered from
//! `report-templates/report.html` with minijinja's HTML auto-escaping (never disabled; no
//! user data is marked safe).
//!
//! Also holds the view model shared with the Markdown renderer: findings grouped by rule
//! (one group lists all resources a rule fired on, so a rule that fires on 10 000 topics is
//! one collapsible block, not 10 000 sections) and rules grouped by area.

use super::checklist::{ChecklistItem, SECTIONS};
use super::{Report, Verdict};
use crate::findings::{AppliedWaiver, Finding, Severity, Status};
use minijinja::value::Serde;
use minijinja::Environment;
use serde::Serialize;
use std::collections::BTreeMap;

const TEMPLATE: &str = include_str!("../../report-templates/report.html");

/// Resources shown with message and evidence per rule; the rest are listed by name only.
/// Keeps a report with a very noisy rule at a size a browser and a ticket system handle.
pub(super) const MAX_DETAILED_PER_RULE: usize = 500;
/// Rule blocks with more resources than this start collapsed.
const OPEN_UP_TO: usize = 5;

#[derive(Debug, Clone, Serialize)]
pub(super) struct RefLink {
    pub text: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Evidence {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Item {
    pub resource: String,
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// Pretty JSON of the evidence (for code blocks).
    pub evidence_json: String,
    /// `file:line`, or empty.
    pub location: String,
    pub pointer: String,
    pub profiles: Vec<String>,
    pub waiver: Option<AppliedWaiver>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct RuleGroup {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub area: String,
    pub profiles: Vec<String>,
    pub why: String,
    pub remediation: String,
    pub references: Vec<RefLink>,
    /// All resources, worst first as in the report.
    pub count: usize,
    /// The first [`MAX_DETAILED_PER_RULE`] resources, with message and evidence.
    pub items: Vec<Item>,
    /// Resource ids beyond those.
    pub overflow: Vec<String>,
    /// Whether the block starts expanded.
    pub open: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct AreaGroup {
    pub area: String,
    pub label: String,
    pub count: usize,
    /// e.g. "2 blocking, 1 medium".
    pub breakdown: String,
    pub rules: Vec<RuleGroup>,
}

pub(super) fn area_label(area: &str) -> String {
    match area {
        "version" => "Kafka versions",
        "config" => "Broker configuration",
        "security" => "Security (ACLs, SCRAM, IAM)",
        "metadata" => "Metadata",
        "health" => "Cluster health",
        "msk" => "Amazon MSK",
        "clients" => "Clients",
        "kafka4" => "Kafka 4.x readiness",
        other => other,
    }
    .to_string()
}

/// A reference as a link when it is a URL or a Kafka JIRA key.
pub(super) fn ref_link(r: &str) -> RefLink {
    let t = r.trim();
    let url = if t.starts_with("https://") || t.starts_with("http://") {
        Some(t.to_string())
    } else if let Some(n) = t.strip_prefix("KAFKA-") {
        // "KAFKA-17457" or "KAFKA-17457 (what it is about)".
        let digits = n.chars().take_while(char::is_ascii_digit).count();
        let key_ends = n[digits..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric() && c != '-');
        (digits > 0 && key_ends).then(|| {
            format!(
                "https://issues.apache.org/jira/browse/KAFKA-{}",
                &n[..digits]
            )
        })
    } else {
        None
    };
    RefLink {
        text: t.to_string(),
        url,
    }
}

/// An evidence value as text: strings as they are, lists of scalars comma-separated,
/// anything else as compact JSON.
pub(super) fn evidence_value(v: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match v {
        J::String(s) => s.clone(),
        J::Array(items)
            if !items.is_empty() && items.iter().all(|i| !i.is_array() && !i.is_object()) =>
        {
            items
                .iter()
                .map(|i| match i {
                    J::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
        other => other.to_string(),
    }
}

/// Rule texts (why, remediation) are hard-wrapped in their TOML files: join wrapped lines,
/// keep blank lines (paragraphs) and list items (`- `, `* `, `1. `) on their own lines.
pub(super) fn reflow(s: &str) -> String {
    let mut out = String::new();
    for line in s.trim().lines() {
        let t = line.trim();
        if t.is_empty() {
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push_str("\n\n");
            }
            continue;
        }
        let digits = t.chars().take_while(char::is_ascii_digit).count();
        let item = t.starts_with("- ")
            || t.starts_with("* ")
            || t.starts_with("• ")
            || (digits > 0 && (t[digits..].starts_with(". ") || t[digits..].starts_with(") ")));
        if !out.is_empty() && !out.ends_with('\n') {
            out.push(if item { '\n' } else { ' ' });
        }
        out.push_str(t);
    }
    out
}

fn item(f: &Finding) -> Item {
    Item {
        resource: f.resource.id(),
        message: f.message.clone(),
        evidence: f
            .evidence
            .iter()
            .map(|(k, v)| Evidence {
                key: k.clone(),
                value: evidence_value(v),
            })
            .collect(),
        evidence_json: serde_json::to_string_pretty(&f.evidence).unwrap_or_default(),
        location: match (&f.location.file, f.location.line) {
            (Some(file), Some(line)) => format!("{file}:{line}"),
            (Some(file), None) => file.clone(),
            _ => String::new(),
        },
        pointer: f.location.pointer.clone(),
        profiles: f.profiles.clone(),
        waiver: f.waiver.clone(),
    }
}

/// Findings of one status grouped by rule, in report order (worst severity first).
pub(super) fn rule_groups(report: &Report, status: Status) -> Vec<RuleGroup> {
    let mut groups: Vec<RuleGroup> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| f.status == status) {
        let i = *index.entry(f.rule_id.clone()).or_insert_with(|| {
            groups.push(RuleGroup {
                rule_id: f.rule_id.clone(),
                title: f.title.to_string(),
                severity: f.severity,
                status,
                area: f.area.clone(),
                profiles: Vec::new(),
                why: reflow(&f.why),
                remediation: reflow(&f.remediation),
                references: f.references.iter().map(|r| ref_link(r)).collect(),
                count: 0,
                items: Vec::new(),
                overflow: Vec::new(),
                open: false,
            });
            groups.len() - 1
        });
        let g = &mut groups[i];
        g.count += 1;
        for p in &f.profiles {
            if !g.profiles.contains(p) {
                g.profiles.push(p.clone());
            }
        }
        if g.items.len() < MAX_DETAILED_PER_RULE {
            g.items.push(item(f));
        } else {
            g.overflow.push(f.resource.id());
        }
    }
    for g in &mut groups {
        g.open = g.count <= OPEN_UP_TO;
    }
    groups
}

/// Rule groups by area, areas ordered by their worst rule (groups come worst first).
pub(super) fn area_groups(groups: Vec<RuleGroup>) -> Vec<AreaGroup> {
    let mut areas: Vec<AreaGroup> = Vec::new();
    for g in groups {
        let pos = match areas.iter().position(|a| a.area == g.area) {
            Some(p) => p,
            None => {
                areas.push(AreaGroup {
                    area: g.area.clone(),
                    label: area_label(&g.area),
                    count: 0,
                    breakdown: String::new(),
                    rules: Vec::new(),
                });
                areas.len() - 1
            }
        };
        areas[pos].count += g.count;
        areas[pos].rules.push(g);
    }
    for a in &mut areas {
        a.breakdown = Severity::ALL
            .iter()
            .filter_map(|s| {
                let n: usize = a
                    .rules
                    .iter()
                    .filter(|r| r.severity == *s)
                    .map(|r| r.count)
                    .sum();
                (n > 0).then(|| format!("{n} {s}"))
            })
            .collect::<Vec<_>>()
            .join(", ");
    }
    areas
}

/// One sentence under the verdict.
pub(super) fn headline(report: &Report) -> String {
    let threshold: Option<Severity> = report.fail_on.parse().ok();
    let at = match threshold {
        Some(s) => format!("{s} or worse"),
        None => "any severity".to_string(),
    };
    let counted = |status: Status| {
        report
            .findings
            .iter()
            .filter(|f| f.status == status && threshold.is_some_and(|t| f.severity >= t))
            .count()
    };
    let names = |verdict: Verdict| {
        report
            .profiles
            .iter()
            .filter(|p| p.verdict == verdict)
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let n = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    match report.verdict {
        Verdict::Blocked => format!(
            "Not ready: {} at {at} must be fixed first ({}).",
            n(counted(Status::Fail), "failing finding", "failing findings"),
            names(Verdict::Blocked)
        ),
        Verdict::Incomplete => format!(
            "Nothing fails at {at}, but {} could not be evaluated ({}): collect the missing data before relying on this.",
            n(counted(Status::Unknown), "check", "checks"),
            names(Verdict::Incomplete)
        ),
        _ if threshold.is_none() => {
            "Ready: the exit code is set to never fail; read the findings below.".to_string()
        }
        _ => format!("Ready: no failing finding at {at} for the selected migration paths."),
    }
}

/// The same colours as the CSS variables in the template.
pub(super) fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Blocking => "#b42318",
        Severity::High => "#d6450b",
        Severity::Medium => "#b88700",
        Severity::Low => "#2e6bd1",
        Severity::Info => "#6b7280",
    }
}

#[derive(Serialize)]
struct Bar {
    severity: &'static str,
    color: &'static str,
    count: usize,
    y: usize,
    width: usize,
    text_x: usize,
}

#[derive(Serialize)]
struct Chart {
    width: usize,
    height: usize,
    label_width: usize,
    bar_height: usize,
    bars: Vec<Bar>,
    total: usize,
}

fn chart(report: &Report) -> Chart {
    let counts = report.failing_by_severity();
    let max = counts.values().copied().max().unwrap_or(0).max(1);
    let (label_width, bar_area, bar_height, gap) = (76usize, 240usize, 22usize, 8usize);
    let bars: Vec<Bar> = Severity::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let count = counts.get(s).copied().unwrap_or(0);
            let width = if count == 0 {
                0
            } else {
                (count * bar_area).div_ceil(max).max(3)
            };
            Bar {
                severity: s.as_str(),
                color: severity_color(*s),
                count,
                y: i * (bar_height + gap),
                width,
                text_x: label_width + width + 6,
            }
        })
        .collect();
    Chart {
        width: label_width + bar_area + 48,
        height: Severity::ALL.len() * (bar_height + gap) - gap,
        label_width,
        bar_height,
        total: counts.values().sum(),
        bars,
    }
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct ChecklistSection {
    pub name: &'static str,
    pub items: Vec<ChecklistItem>,
}

/// The checklist in the article's section order.
pub(super) fn checklist_sections(report: &Report) -> Vec<ChecklistSection> {
    SECTIONS
        .iter()
        .map(|name| ChecklistSection {
            name,
            items: report
                .checklist
                .iter()
                .filter(|i| i.section == *name)
                .cloned()
                .collect(),
        })
        .filter(|s| !s.items.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflow_joins_wrapped_lines_and_keeps_lists() {
        assert_eq!(
            reflow("one\ntwo\n\nthree\n- a\n  more\n- b\n1. c"),
            "one two\n\nthree\n- a more\n- b\n1. c"
        );
    }

    #[test]
    fn references_link_urls_and_jira_keys() {
        assert_eq!(
            ref_link("KAFKA-17788").url.as_deref(),
            Some("https://issues.apache.org/jira/browse/KAFKA-17788")
        );
        assert!(ref_link("KIP-866").url.is_none());
        assert!(ref_link("KAFKA-x").url.is_none());
        assert!(ref_link("KAFKA-12a").url.is_none());
        assert_eq!(
            ref_link("KAFKA-17457 (3.6.0 notes)").url.as_deref(),
            Some("https://issues.apache.org/jira/browse/KAFKA-17457")
        );
        assert_eq!(
            ref_link("https://example.org/a").url.as_deref(),
            Some("https://example.org/a")
        );
    }
}

#[derive(Serialize)]
struct Counts {
    fail: usize,
    unknown: usize,
    waived: usize,
    pass: usize,
}

pub fn render(report: &Report) -> anyhow::Result<String> {
    let mut env = Environment::new();
    // The name ends in .html, so minijinja escapes every value it prints.
    env.add_template("report.html", TEMPLATE)?;
    let tmpl = env.get_template("report.html")?;
    let failing = rule_groups(report, Status::Fail);
    let ctx = minijinja::context! {
        report => Serde(report.head()),
        verdict_word => report.verdict.as_str().to_uppercase(),
        headline => headline(report),
        counts => Serde(Counts {
            fail: report.count(Status::Fail),
            unknown: report.count(Status::Unknown),
            waived: report.count(Status::Waived),
            pass: report.count(Status::Pass),
        }),
        chart => Serde(chart(report)),
        failing_rules => failing.len(),
        areas => Serde(area_groups(failing)),
        unknown => Serde(rule_groups(report, Status::Unknown)),
        waived => Serde(rule_groups(report, Status::Waived)),
        passed => Serde(rule_groups(report, Status::Pass)),
        checklist => Serde(checklist_sections(report)),
        max_detailed => MAX_DETAILED_PER_RULE,
    };
    let mut out = tmpl.render(ctx)?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}
