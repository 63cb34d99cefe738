//! The compare view (issue 16): one row per `--target-platform` with its blocking/high counts
//! and top reasons, and the limits its rules used with their sources and dates.

use super::Selected;
use crate::findings::{Finding, Severity, Status};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct LimitUsed {
    pub name: String,
    /// Value and unit as printed (`8,388,608 bytes`), or what is missing (`depends on --target-size`).
    pub value: String,
    pub source: String,
    pub read: String,
    pub certainty: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetVerdict {
    pub name: String,
    pub title: String,
    pub size: Option<String>,
    pub brokers: Option<i64>,
    /// `ready`, `blocked` or `incomplete`, as for profiles (at or above `--fail-on`).
    pub verdict: String,
    /// Failing findings of the target's own rules, by severity.
    pub blocking: usize,
    pub high: usize,
    pub other: usize,
    /// "Verify" notes: rules that would fire on a limit the sources leave uncertain.
    pub verify: usize,
    pub unknown: usize,
    /// The rules that failed most, worst first: `ID title (n)`.
    pub reasons: Vec<String>,
    pub limits: Vec<LimitUsed>,
}

/// The compare rows, and the counts of the new-cluster findings every target shares.
pub fn build(
    selected: &[Selected],
    findings: &[Finding],
    threshold: Option<Severity>,
) -> Vec<TargetVerdict> {
    let counts = |f: &Finding| threshold.is_some_and(|t| f.severity >= t);
    selected
        .iter()
        .map(|sel| {
            let name = &sel.platform.name;
            let mine: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.platform.as_deref() == Some(name.as_str()))
                .collect();
            let failing = |s: Severity| {
                mine.iter()
                    .filter(|f| {
                        f.status == Status::Fail
                            && f.severity == s
                            && !f.evidence.contains_key("verify")
                    })
                    .count()
            };
            let verify = mine
                .iter()
                .filter(|f| f.status == Status::Fail && f.evidence.contains_key("verify"))
                .count();
            let unknown = mine.iter().filter(|f| f.status == Status::Unknown).count();
            let failing_counted = mine
                .iter()
                .filter(|f| f.status == Status::Fail && counts(f))
                .count();
            let unknown_counted = mine
                .iter()
                .filter(|f| f.status == Status::Unknown && counts(f))
                .count();
            let verdict = if failing_counted > 0 {
                "blocked"
            } else if unknown_counted > 0 {
                "incomplete"
            } else {
                "ready"
            };
            // Top reasons: rules with failing findings, worst severity then most findings.
            let mut by_rule: BTreeMap<&str, (Severity, usize, &str)> = BTreeMap::new();
            for f in mine
                .iter()
                .filter(|f| f.status == Status::Fail && !f.evidence.contains_key("verify"))
            {
                let e = by_rule
                    .entry(&f.rule_id)
                    .or_insert((f.severity, 0, &f.title));
                e.1 += 1;
            }
            let mut ranked: Vec<(&str, (Severity, usize, &str))> = by_rule.into_iter().collect();
            ranked.sort_by(|a, b| {
                b.1 .0
                    .cmp(&a.1 .0)
                    .then(b.1 .1.cmp(&a.1 .1))
                    .then(a.0.cmp(b.0))
            });
            let reasons = ranked
                .iter()
                .take(3)
                .map(|(id, (sev, n, title))| format!("{id} {title} ({n} {sev})"))
                .collect();
            let mut names: Vec<String> = mine
                .iter()
                .flat_map(|f| f.evidence.keys())
                .filter_map(|k| k.strip_prefix("limit.").map(str::to_string))
                .collect();
            names.sort();
            names.dedup();
            let limits = names
                .iter()
                .filter_map(|n| sel.platform.limit(n))
                .map(|l| LimitUsed {
                    name: l.name.clone(),
                    value: match l.value_for(sel.size.as_deref()) {
                        Some(v) => format!("{} {}", super::display_value(v), l.unit),
                        None => format!(
                            "depends on --target-size ({})",
                            sel.platform.sizes.join(", ")
                        ),
                    },
                    source: l.source.clone(),
                    read: l.read.clone(),
                    certainty: l.certainty.clone(),
                    note: l.note.clone(),
                })
                .collect();
            TargetVerdict {
                name: name.clone(),
                title: sel.platform.title.clone(),
                size: sel.size.clone(),
                brokers: sel.brokers,
                verdict: verdict.into(),
                blocking: failing(Severity::Blocking),
                high: failing(Severity::High),
                other: failing(Severity::Medium) + failing(Severity::Low),
                verify,
                unknown,
                reasons,
                limits,
            }
        })
        .collect()
}

fn label(t: &TargetVerdict) -> String {
    match &t.size {
        Some(s) => format!("{} ({s})", t.name),
        None => t.name.clone(),
    }
}

/// The compare table for the terminal.
pub fn text(targets: &[TargetVerdict]) -> String {
    if targets.is_empty() {
        return String::new();
    }
    let mut t = crate::report::table::terminal_table(
        120,
        [
            "target",
            "verdict",
            "blocking",
            "high",
            "other",
            "verify",
            "unknown",
            "top reasons",
        ],
    );
    for v in targets {
        t.add_row([
            label(v),
            v.verdict.to_uppercase(),
            v.blocking.to_string(),
            v.high.to_string(),
            v.other.to_string(),
            v.verify.to_string(),
            v.unknown.to_string(),
            if v.reasons.is_empty() {
                "-".into()
            } else {
                v.reasons.join("\n")
            },
        ]);
    }
    let mut out = format!("\nCandidate targets (--target-platform; counts are the target's own rules, the new-cluster profile above holds for all):\n{t}\n");
    out.push_str(&limits_text(targets));
    out
}

fn limits_text(targets: &[TargetVerdict]) -> String {
    let mut out = String::from("Limits used:\n");
    for v in targets {
        for l in &v.limits {
            out.push_str(&format!(
                "  {:<22} {:<34} {}: {} ({}; read {}){}\n",
                v.name,
                l.name,
                if l.certainty == "uncertain" {
                    "VERIFY"
                } else {
                    "limit"
                },
                l.value,
                l.source,
                l.read,
                after(" — ", &l.note)
            ));
        }
    }
    out
}

/// `text` after `sep`, or nothing when there is no text.
fn after(sep: &str, text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("{sep}{text}")
    }
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

/// The compare table in Markdown.
pub fn markdown(targets: &[TargetVerdict]) -> String {
    if targets.is_empty() {
        return String::new();
    }
    let mut out = String::from("## Candidate targets\n\nCounts are each target's own rules (`--target-platform`); the new-cluster profile's findings hold for every target.\n\n| Target | Verdict | Blocking | High | Other | Verify | Unknown | Top reasons |\n|---|---|---:|---:|---:|---:|---:|---|\n");
    for v in targets {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            md_cell(&label(v)),
            v.verdict.to_uppercase(),
            v.blocking,
            v.high,
            v.other,
            v.verify,
            v.unknown,
            if v.reasons.is_empty() {
                "–".into()
            } else {
                md_cell(&v.reasons.join("\n"))
            }
        ));
    }
    out.push_str("\n<details><summary>Limits used (value, source, date read)</summary>\n\n| Target | Limit | Value | Source | Read | Certainty |\n|---|---|---|---|---|---|\n");
    for v in targets {
        for l in &v.limits {
            out.push_str(&format!(
                "| {} | `{}` | {} | {} | {} | {}{} |\n",
                v.name,
                l.name,
                md_cell(&l.value),
                md_cell(&l.source),
                l.read,
                if l.certainty == "uncertain" {
                    "**verify**"
                } else {
                    "confirmed"
                },
                after(": ", &md_cell(&l.note))
            ));
        }
    }
    out.push_str("\n</details>\n\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Location, Resource};

    fn finding(rule: &str, sev: Severity, status: Status, platform: &str, verify: bool) -> Finding {
        let mut evidence = BTreeMap::new();
        evidence.insert(
            "limit.max_message_bytes".to_string(),
            serde_json::json!("x"),
        );
        if verify {
            evidence.insert("verify".to_string(), serde_json::json!(["why"]));
        }
        Finding {
            rule_id: rule.into(),
            title: "t".into(),
            severity: sev,
            status,
            area: "platform".into(),
            profiles: vec!["new-cluster".into()],
            resource: Resource {
                kind: "topic".into(),
                name: "a".into(),
            },
            message: String::new(),
            evidence,
            why: "".into(),
            remediation: "".into(),
            references: vec![].into(),
            tags: Default::default(),
            location: Location {
                file: None,
                line: None,
                pointer: String::new(),
            },
            waiver: None,
            platform: Some(platform.into()),
        }
    }

    #[test]
    fn counts_per_target_and_verify_is_not_enforced() {
        let sel = super::super::select(
            &["msk-serverless".into(), "confluent-dedicated".into()],
            &[],
            None,
        )
        .unwrap();
        let fs = vec![
            finding(
                "TGT-X",
                Severity::Blocking,
                Status::Fail,
                "msk-serverless",
                false,
            ),
            finding(
                "TGT-Y",
                Severity::Info,
                Status::Fail,
                "confluent-dedicated",
                true,
            ),
        ];
        let rows = build(&sel, &fs, Some(Severity::Blocking));
        assert_eq!(rows[0].verdict, "blocked");
        assert_eq!(rows[0].blocking, 1);
        assert_eq!(rows[0].limits[0].name, "max_message_bytes");
        assert_eq!(rows[1].verdict, "ready");
        assert_eq!(rows[1].verify, 1);
        assert!(text(&rows).contains("msk-serverless"));
        assert!(markdown(&rows).contains("| confluent-dedicated | READY |"));
    }
}
