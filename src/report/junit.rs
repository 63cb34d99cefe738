//! JUnit XML for CI dashboards (quick-junit).
//!
//! One test suite per rule area (`kraftcheck.config`, `kraftcheck.security`, …), one test case
//! per rule and resource, named `RULE-ID resource` with class name `kraftcheck.AREA.RULE-ID`:
//! - fail → `<failure>` with the message, the severity as type, and evidence, location and
//!   remediation as text;
//! - waived → `<skipped>` with the waiver's reason, owner and expiry;
//! - unknown → `<skipped>` with what could not be evaluated (never a pass);
//! - pass → a successful case.
//!
//! Failures of every severity are failures here; the exit code (`--fail-on`) decides what
//! stops the pipeline.

use super::html::{area_label, evidence_value};
use super::Report;
use crate::findings::{Finding, Status};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;

fn details(f: &Finding) -> String {
    let mut s = format!(
        "{}\n\nrule:      {} — {}\nseverity:  {}\nresource:  {}\nprofiles:  {}\n",
        f.message,
        f.rule_id,
        f.title,
        f.severity,
        f.resource.id(),
        f.profiles.join(", ")
    );
    if let Some(file) = &f.location.file {
        s.push_str(&format!(
            "location:  {file}:{}\n",
            f.location.line.unwrap_or(1)
        ));
    }
    if !f.location.pointer.is_empty() {
        s.push_str(&format!("pointer:   {}\n", f.location.pointer));
    }
    if !f.evidence.is_empty() {
        s.push_str("evidence:\n");
        for (k, v) in &f.evidence {
            s.push_str(&format!("  {k}: {}\n", evidence_value(v)));
        }
    }
    if f.status == Status::Fail {
        s.push_str(&format!("\nremediation: {}\n", f.remediation.trim()));
    }
    if !f.references.is_empty() {
        s.push_str(&format!("references: {}\n", f.references.join("; ")));
    }
    s
}

fn case(f: &Finding) -> TestCase {
    let status = match f.status {
        Status::Pass => TestCaseStatus::success(),
        Status::Fail => {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            st.set_message(f.message.clone())
                .set_type(f.severity.as_str())
                .set_description(details(f));
            st
        }
        Status::Waived => {
            let mut st = TestCaseStatus::skipped();
            let msg = match &f.waiver {
                Some(w) => format!(
                    "waived: {} (owner {}, until {}{})",
                    w.reason,
                    w.owner,
                    w.expires,
                    if w.expiring_soon {
                        ", expires soon"
                    } else {
                        ""
                    }
                ),
                None => "waived".to_string(),
            };
            st.set_message(msg)
                .set_type("waived")
                .set_description(details(f));
            st
        }
        Status::Unknown => {
            let mut st = TestCaseStatus::skipped();
            st.set_message(format!("unknown: {}", f.message))
                .set_type("unknown")
                .set_description(details(f));
            st
        }
    };
    let mut tc = TestCase::new(format!("{} {}", f.rule_id, f.resource.id()), status);
    tc.set_classname(format!("kraftcheck.{}.{}", f.area, f.rule_id));
    tc.add_property(Property::new("severity", f.severity.as_str()));
    tc.add_property(Property::new("status", f.status.as_str()));
    tc.add_property(Property::new("resource", f.resource.id()));
    tc.add_property(Property::new("profiles", f.profiles.join(",")));
    if f.status == Status::Pass {
        tc.set_system_out(f.message.clone());
    }
    tc
}

pub fn render(report: &Report) -> anyhow::Result<String> {
    let mut junit = quick_junit::Report::new("kraftcheck");
    let stamp = chrono::DateTime::parse_from_rfc3339(&report.generated_at).ok();
    if let Some(t) = stamp {
        junit.set_timestamp(t);
    }
    let mut by_area: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_area.entry(f.area.as_str()).or_default().push(f);
    }
    for (area, findings) in by_area {
        let mut suite = TestSuite::new(format!("kraftcheck.{area}"));
        if let Some(t) = stamp {
            suite.set_timestamp(t);
        }
        suite.add_property(Property::new("area", area_label(area)));
        suite.add_property(Property::new("verdict", report.verdict.to_string()));
        suite.add_property(Property::new("fail_on", report.fail_on.clone()));
        suite.add_property(Property::new(
            "migration_phase",
            report.summary.phase.clone(),
        ));
        suite.add_property(Property::new("finalize", report.finalize_note.clone()));
        for p in &report.profiles {
            suite.add_property(Property::new(
                format!("profile.{}", p.name),
                format!("{} (target {})", p.verdict, p.target),
            ));
        }
        suite.add_test_cases(findings.into_iter().map(case));
        junit.add_test_suite(suite);
    }
    let mut s = junit.to_string()?;
    if !s.ends_with('\n') {
        s.push('\n');
    }
    Ok(s)
}
