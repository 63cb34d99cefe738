//! The plan as a terminal table, Markdown, HTML (minijinja auto-escaping, as the audit report)
//! and JSON.

use super::{Plan, PlanStep};
use crate::report::markdown::md;
use crate::report::table::terminal_table;
use crate::report::Format;
use minijinja::value::Serde;
use minijinja::Environment;

const TEMPLATE: &str = include_str!("../../report-templates/plan.html");
/// Findings listed per step in the table and Markdown (HTML and JSON list all).
const FINDINGS_PER_STEP: usize = 25;

pub fn render(f: Format, plan: &Plan) -> anyhow::Result<String> {
    f.plan_renderer()?(plan)
}

pub(crate) fn json(plan: &Plan) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(plan)? + "\n")
}

fn status_label(status: &str, irreversible: bool) -> String {
    let s = status.to_uppercase();
    if irreversible {
        format!("{s}\nIRREVERSIBLE")
    } else {
        s
    }
}

/// "RULE severity status resource" per gating finding, at most [`FINDINGS_PER_STEP`], each
/// field passed through `esc`.
fn gate_lines(s: &PlanStep, esc: impl Fn(&str) -> String) -> Vec<String> {
    let mut gates: Vec<String> = s
        .gated_by
        .iter()
        .take(FINDINGS_PER_STEP)
        .map(|g| {
            [&g.rule_id, &g.severity, &g.status, &g.resource]
                .map(|f| esc(f))
                .join(" ")
        })
        .collect();
    if s.gated_by.len() > FINDINGS_PER_STEP {
        gates.push(format!(
            "… (+{} more)",
            s.gated_by.len() - FINDINGS_PER_STEP
        ));
    }
    gates
}

fn header(plan: &Plan) -> String {
    format!(
        "kraftcheck plan: {} cluster{}, version {}; migration phase: {}{}\n",
        if plan.cluster_kind.is_empty() {
            "unknown"
        } else {
            &plan.cluster_kind
        },
        plan.cluster_id
            .as_deref()
            .map(|i| format!(" {i}"))
            .unwrap_or_default(),
        plan.version.as_deref().unwrap_or("unknown"),
        if plan.phase.is_empty() {
            "unknown"
        } else {
            &plan.phase
        },
        if plan.phase.is_empty() {
            String::new()
        } else {
            format!(" ({})", plan.phase_label)
        }
    )
}

/// The IAM readiness result under `heading`, one line each (table and Markdown pass `esc` for
/// their escaping); empty without `--new-msk-cluster`.
fn iam_section(plan: &Plan, heading: &str, esc: impl Fn(&str) -> String) -> String {
    let Some(r) = &plan.iam_readiness else {
        return String::new();
    };
    let mut out = vec![format!(
        "New cluster {} (old {}): {}.{} {} user(s)/role(s) reach the old cluster; ready on the new one: {}.",
        esc(&r.new_cluster),
        esc(&r.old_cluster),
        esc(&r.status),
        r.note
            .as_deref()
            .map(|n| format!(" {}.", esc(n)))
            .unwrap_or_default(),
        r.principals_checked.len(),
        if r.principals_ready.is_empty() {
            "none".to_string()
        } else {
            esc(&r.principals_ready.join(", "))
        }
    )];
    if !r.findings.is_empty() {
        out.push(String::new());
    }
    for f in &r.findings {
        out.push(format!(
            "- {} {}/{}: {} on {}: {}{} (allowed on the old cluster by {})",
            esc(&f.status.to_uppercase()),
            esc(&f.principal_kind),
            esc(&f.principal),
            esc(&f.actions.join(", ")),
            esc(&f.new_resource),
            esc(&f.reason),
            f.denied_by
                .as_deref()
                .map(|d| format!(" by {}", esc(d)))
                .unwrap_or_default(),
            esc(&f.allowed_by.join("; "))
        ));
    }
    out.push(String::new());
    out.push("Not modelled:".into());
    out.push(String::new());
    out.extend(r.not_modelled.iter().map(|n| format!("- {}", esc(n))));
    let mut text = heading.to_string();
    for l in out {
        text.push_str(&l);
        text.push('\n');
    }
    text
}

pub(crate) fn table(plan: &Plan) -> String {
    let mut out = header(plan);
    for p in &plan.paths {
        out.push_str(&format!(
            "\nPath {} (target {}): {}\n",
            p.profile, p.target, p.summary
        ));
        let mut t = terminal_table(160, ["#", "Step", "Status", "Open findings gating it"]);
        for s in &p.steps {
            let gates = gate_lines(s, |t| t.to_string());
            t.add_row(vec![
                s.number.to_string(),
                format!("{}\ncheck: {}\nrollback: {}", s.title, s.check, s.rollback),
                status_label(&s.status, s.irreversible),
                if gates.is_empty() {
                    "none".into()
                } else {
                    gates.join("\n")
                },
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    out.push_str(&iam_section(
        plan,
        "\nIAM on the new cluster\n",
        str::to_string,
    ));
    out
}

pub(crate) fn markdown(plan: &Plan) -> String {
    let mut out = format!("# kraftcheck plan\n\n{}", md(&header(plan)));
    out.push('\n');
    for p in &plan.paths {
        out.push_str(&format!(
            "\n## Path `{}` (target {})\n\n{}\n\n",
            p.profile,
            md(&p.target),
            md(&p.summary)
        ));
        out.push_str("| # | Step | Status | Open findings gating it |\n|---|---|---|---|\n");
        for s in &p.steps {
            let gates = gate_lines(s, md);
            out.push_str(&format!(
                "| {} | **{}**{} | {} | {} |\n",
                s.number,
                md(&s.title),
                if s.irreversible {
                    " (irreversible)"
                } else {
                    ""
                },
                md(&s.status),
                if gates.is_empty() {
                    "none".into()
                } else {
                    gates.join("<br>")
                }
            ));
        }
        out.push_str("\n### What to do, how to check, how to roll back\n\n");
        for s in &p.steps {
            out.push_str(&format!(
                "{}. **{}**: {}<br>Check: {}<br>Rollback: {}\n",
                s.number,
                md(&s.title),
                md(&s.what),
                md(&s.check),
                md(&s.rollback)
            ));
        }
    }
    out.push_str(&iam_section(plan, "\n## IAM on the new cluster\n\n", md));
    out
}

pub(crate) fn html(plan: &Plan) -> anyhow::Result<String> {
    let mut env = Environment::new();
    // The name ends in .html, so minijinja escapes every value it prints.
    env.add_template("plan.html", TEMPLATE)?;
    let ctx = minijinja::context! { plan => Serde(plan) };
    Ok(env.get_template("plan.html")?.render(ctx)?)
}
