//! Waivers: accepted risks. A waived finding stays in every report with its reason; an
//! expired waiver no longer applies and is reported; one expiring within 14 days is flagged.

use crate::findings::{AppliedWaiver, Finding, Status};
use anyhow::{anyhow, bail, Context, Result};
use chrono::NaiveDate;
use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const EXPIRY_WARNING_DAYS: i64 = 14;

#[derive(Debug, Clone)]
pub struct Waiver {
    pub rule: String,
    pub resource: String,
    pub reason: String,
    pub owner: String,
    pub expires: NaiveDate,
    rule_glob: GlobMatcher,
    resource_glob: GlobMatcher,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverFile {
    #[serde(default)]
    waiver: Vec<WaiverEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverEntry {
    rule: String,
    #[serde(default = "any")]
    resource: String,
    reason: String,
    owner: String,
    expires: toml::Value,
}

fn any() -> String {
    "*".into()
}

/// A note about a waiver itself (expired, expiring soon, or matching nothing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaiverNotice {
    pub rule: String,
    pub resource: String,
    pub owner: String,
    pub expires: String,
    /// `expired`, `expiring` or `unused`.
    pub kind: String,
    pub message: String,
}

pub fn load_waivers(path: &Path) -> Result<Vec<Waiver>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read waivers file {}", path.display()))?;
    let f: WaiverFile = toml::from_str(&text).map_err(|e| {
        let name = path.display().to_string();
        anyhow!(
            "waivers file {}",
            crate::textpos::toml_error(&name, &text, &e)
        )
    })?;
    let mut out = Vec::new();
    for (i, w) in f.waiver.into_iter().enumerate() {
        let at = |field: &str| {
            format!(
                "waivers file {}: waiver {} (rule {}): field `{field}`",
                path.display(),
                i + 1,
                w.rule
            )
        };
        let expires = match &w.expires {
            toml::Value::Datetime(d) if d.date.is_some() && d.time.is_none() => {
                let d = d.date.expect("checked");
                NaiveDate::from_ymd_opt(d.year as i32, d.month as u32, d.day as u32)
            }
            toml::Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
            _ => None,
        }
        .ok_or_else(|| {
            let shown = match &w.expires {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            anyhow!(
                "{}: '{shown}' is not a date (write YYYY-MM-DD)",
                at("expires")
            )
        })?;
        for (name, v) in [
            ("rule", &w.rule),
            ("reason", &w.reason),
            ("owner", &w.owner),
            ("resource", &w.resource),
        ] {
            if v.trim().is_empty() {
                bail!("{}: must not be empty", at(name));
            }
        }
        let glob = |field: &str, p: &str| -> Result<GlobMatcher> {
            Ok(Glob::new(p)
                .map_err(|e| anyhow!("{}: bad pattern: {e}", at(field)))?
                .compile_matcher())
        };
        out.push(Waiver {
            rule_glob: glob("rule", &w.rule)?,
            resource_glob: glob("resource", &w.resource)?,
            rule: w.rule,
            resource: w.resource,
            reason: w.reason,
            owner: w.owner,
            expires,
        });
    }
    Ok(out)
}

/// Apply waivers to failing and unknown findings as of `today`.
pub fn apply(findings: &mut [Finding], waivers: &[Waiver], today: NaiveDate) -> Vec<WaiverNotice> {
    let mut notices = Vec::new();
    for w in waivers {
        let days_left = (w.expires - today).num_days();
        let notice = |kind: &str, message: String| WaiverNotice {
            rule: w.rule.clone(),
            resource: w.resource.clone(),
            owner: w.owner.clone(),
            expires: w.expires.to_string(),
            kind: kind.into(),
            message,
        };
        let matches = |f: &Finding| {
            matches!(f.status, Status::Fail | Status::Unknown)
                && w.rule_glob.is_match(&f.rule_id)
                && w.resource_glob.is_match(f.resource.id())
        };
        if days_left < 0 {
            let hit = if findings.iter().any(matches) {
                "; its findings count again"
            } else {
                ""
            };
            notices.push(notice(
                "expired",
                format!(
                    "waiver for {} on {} expired on {}{hit}",
                    w.rule, w.resource, w.expires
                ),
            ));
            continue;
        }
        let mut used = false;
        for f in findings.iter_mut().filter(|f| matches(f)) {
            used = true;
            f.status = Status::Waived;
            f.waiver = Some(AppliedWaiver {
                reason: w.reason.clone(),
                owner: w.owner.clone(),
                expires: w.expires.to_string(),
                expiring_soon: days_left <= EXPIRY_WARNING_DAYS,
            });
        }
        if !used {
            notices.push(notice(
                "unused",
                format!("waiver for {} on {} matches no finding", w.rule, w.resource),
            ));
        } else if days_left <= EXPIRY_WARNING_DAYS {
            notices.push(notice(
                "expiring",
                format!(
                    "waiver for {} on {} expires on {} ({} days left)",
                    w.rule, w.resource, w.expires, days_left
                ),
            ));
        }
    }
    notices
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Location, Resource, Severity};

    fn finding(rule: &str, res: &str, status: Status) -> Finding {
        Finding {
            rule_id: rule.into(),
            title: "t".into(),
            severity: Severity::High,
            status,
            area: "config".into(),
            profiles: vec!["inplace".into()],
            platform: None,
            resource: Resource {
                kind: "broker".into(),
                name: res.into(),
            },
            message: "m".into(),
            evidence: Default::default(),
            why: "".into(),
            remediation: "".into(),
            references: Vec::new().into(),
            location: Location::default(),
            waiver: None,
            tags: Default::default(),
        }
    }

    fn waivers(text: &str) -> Vec<Waiver> {
        let d = tempfile::TempDir::new().unwrap();
        let p = d.path().join("w.toml");
        std::fs::write(&p, text).unwrap();
        load_waivers(&p).unwrap()
    }

    #[test]
    fn applies_expires_and_warns() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let ws = waivers(
            r#"
[[waiver]]
rule = "R-1"
resource = "broker:1"
reason = "accepted"
owner = "team-a"
expires = 2027-06-30

[[waiver]]
rule = "R-2"
resource = "broker:*"
reason = "soon"
owner = "team-b"
expires = "2026-12-05"

[[waiver]]
rule = "R-3"
reason = "old"
owner = "team-c"
expires = 2026-11-26

[[waiver]]
rule = "R-9"
reason = "nothing matches"
owner = "team-d"
expires = 2027-01-01
"#,
        );
        let mut fs = vec![
            finding("R-1", "1", Status::Fail),
            finding("R-1", "2", Status::Fail),
            finding("R-2", "5", Status::Unknown),
            finding("R-3", "1", Status::Fail),
            finding("R-1", "1", Status::Pass),
        ];
        let notices = apply(&mut fs, &ws, today);
        assert_eq!(fs[0].status, Status::Waived);
        assert!(!fs[0].waiver.as_ref().unwrap().expiring_soon);
        assert_eq!(fs[1].status, Status::Fail, "other resource not waived");
        assert_eq!(fs[2].status, Status::Waived);
        assert!(fs[2].waiver.as_ref().unwrap().expiring_soon);
        assert_eq!(
            fs[3].status,
            Status::Fail,
            "expired waiver no longer applies"
        );
        assert_eq!(fs[4].status, Status::Pass, "passes are never waived");
        let kinds: Vec<(&str, &str)> = notices
            .iter()
            .map(|n| (n.rule.as_str(), n.kind.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [("R-2", "expiring"), ("R-3", "expired"), ("R-9", "unused")]
        );
    }
}
