//! The terminal table: verdict per profile, then failing, unknown and waived findings.

use super::Report;
use crate::findings::Status;
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Row, Table};

/// A table for the terminal: condensed UTF-8 lines, cells wrapped to fit `width` columns.
pub(crate) fn terminal_table(width: u16, header: impl Into<Row>) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width)
        .set_header(header);
    t
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.summary;
    out.push_str(&format!(
        "kraftcheck: {} cluster, mode {}, version {}{}; {} brokers, {} topics, {} partitions\n",
        if s.kind.is_empty() {
            "unknown"
        } else {
            &s.kind
        },
        if s.mode.is_empty() {
            "unknown"
        } else {
            &s.mode
        },
        s.version.as_deref().unwrap_or("unknown"),
        if s.version_note.is_empty() {
            String::new()
        } else {
            format!(" ({})", s.version_note)
        },
        s.brokers,
        s.topics,
        s.partitions
    ));
    out.push_str(&format!(
        "Migration phase: {}\n{}\n",
        if s.phase.is_empty() {
            "unknown".to_string()
        } else {
            format!("{} ({})", s.phase, s.phase_label)
        },
        report.finalize_note
    ));
    for p in &report.profiles {
        out.push_str(&format!(
            "  {:<12} target {:<12} {:<10} ({} failing and {} unknown at or above {}; {} waived, {} passed)\n",
            p.name,
            p.target,
            p.verdict.as_str().to_uppercase(),
            p.failing,
            p.unknown,
            report.fail_on,
            p.waived,
            p.passed
        ));
    }
    // Target platforms (issue 16).
    out.push_str(&crate::platform::compare::text(&report.targets));
    let shown: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .collect();
    if shown.is_empty() {
        out.push_str("\nNo failing, unknown or waived findings.\n");
    } else {
        let mut t = terminal_table(160, ["status", "severity", "rule", "resource", "message"]);
        for f in shown {
            let mut msg = f.message.clone();
            if let Some(w) = &f.waiver {
                msg.push_str(&format!(
                    " [waived: {} — {} until {}]",
                    w.reason, w.owner, w.expires
                ));
            }
            t.add_row([
                f.status.as_str(),
                f.severity.as_str(),
                &f.rule_id,
                &f.resource.id(),
                &msg,
            ]);
        }
        out.push('\n');
        out.push_str(&t.to_string());
        out.push('\n');
    }
    for n in &report.waiver_notices {
        out.push_str(&format!("waiver {}: {}\n", n.kind, n.message));
    }
    out.push_str(&format!(
        "\nVerdict: {} (fail on {}{}); {} failing, {} unknown, {} waived, {} passed\n",
        report.verdict.as_str().to_uppercase(),
        report.fail_on,
        if report.fail_on_unknown {
            " and unknown"
        } else {
            ""
        },
        report.count(Status::Fail),
        report.count(Status::Unknown),
        report.count(Status::Waived),
        report.count(Status::Pass)
    ));
    out
}
