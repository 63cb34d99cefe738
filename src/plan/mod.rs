//! `kraftcheck plan`: the migration as ordered steps, each gated by the open findings of the
//! rules that name it (`steps = [...]` in the rule file), with the command that checks it, the
//! rollback available from it and the irreversible step marked; and (`-o DIR`) the scripts that
//! re-create on a new Kafka cluster what replication does not carry ([`scripts`]).

pub mod iam;
pub mod msk;
pub mod render;
pub mod scripts;
pub mod steps;

use crate::collect::phase;
use crate::findings::Status;
use crate::inventory::Inventory;
use crate::report::Report;
use crate::rules::RuleSet;
use serde::Serialize;
pub use steps::{step, steps_of, StepDef, PLAN_PROFILES, STEPS};

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub tool: String,
    pub generated_at: String,
    pub cluster_kind: String,
    pub cluster_id: Option<String>,
    pub version: Option<String>,
    pub phase: String,
    pub phase_label: String,
    pub paths: Vec<PathPlan>,
    /// With `--new-msk-cluster`: who would lose kafka-cluster access at cutover ([`iam`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iam_readiness: Option<iam::IamReadiness>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PathPlan {
    pub profile: String,
    pub summary: String,
    pub target: String,
    pub steps: Vec<PlanStep>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanStep {
    pub number: usize,
    pub id: String,
    pub title: String,
    /// `done` (the collected phase shows it), `in-progress`, `next`, `todo`, or `unknown`
    /// (the phase cannot tell).
    pub status: String,
    pub irreversible: bool,
    pub what: String,
    pub check: String,
    pub rollback: String,
    /// Open (failing or unknown) findings that must be closed before this step.
    pub gated_by: Vec<GateFinding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GateFinding {
    pub rule_id: String,
    pub severity: String,
    pub status: String,
    pub resource: String,
    pub title: String,
}

/// The step of `profile` a rule gates: the one its file names, else the path's first step
/// (a finding no step claims must be closed before starting).
fn gate_of(rules: &RuleSet, rule_id: &str, profile: &str) -> &'static str {
    rules
        .get(rule_id)
        .and_then(|r| {
            r.steps
                .iter()
                .filter_map(|s| step(s))
                .find(|s| s.profile == profile)
        })
        .or_else(|| steps_of(profile).next())
        .map(|s| s.id)
        .expect("every plan profile has steps")
}

/// The status of an in-place step from the collected phase.
fn inplace_status(s: &StepDef, phase_name: &str) -> &'static str {
    let idx = phase::PHASES.iter().position(|p| *p == phase_name);
    let Some(from) = s.done_from else {
        return "todo";
    };
    match (phase_name, idx) {
        // KRaft brokers, controllers not visible: finalized or not cannot be told.
        ("kraft", _) => {
            if matches!(s.id, "inplace.soak" | "inplace.finalize") {
                "unknown"
            } else {
                "done"
            }
        }
        (_, Some(i)) if i >= from => "done",
        // The step whose done-phase is the next one and that the current phase has begun.
        ("kraft-brokers", _) if s.id == "inplace.kraft-brokers" => "in-progress",
        ("dual-write", _) if s.id == "inplace.migration-complete" => "in-progress",
        _ => "todo",
    }
}

/// Build the plan of each chosen path from an audit report of the same inventory.
pub fn build(rules: &RuleSet, inv: &Inventory, report: &Report, profiles: &[String]) -> Plan {
    let phase_name = inv.cluster.phase.as_str();
    let msk_done = inv.cluster.kind == crate::inventory::ClusterKind::Msk
        && matches!(phase_name, "finalized" | "kraft");
    let paths = profiles
        .iter()
        .filter(|p| PLAN_PROFILES.contains(&p.as_str()))
        .map(|p| {
            let target = report
                .profiles
                .iter()
                .find(|v| &v.name == p)
                .map(|v| (v.summary.clone(), v.target.clone()))
                .unwrap_or_default();
            let mut steps: Vec<PlanStep> = steps_of(p)
                .enumerate()
                .map(|(i, s)| PlanStep {
                    number: i + 1,
                    id: s.id.into(),
                    title: s.title.into(),
                    status: match p.as_str() {
                        "inplace" => inplace_status(s, phase_name).into(),
                        "msk-inplace" if msk_done => "done".into(),
                        _ => "todo".into(),
                    },
                    irreversible: s.irreversible,
                    what: s.what.into(),
                    check: s.check.into(),
                    rollback: s.rollback.into(),
                    gated_by: vec![],
                })
                .collect();
            for f in &report.findings {
                if !matches!(f.status, Status::Fail | Status::Unknown) || !f.profiles.contains(p) {
                    continue;
                }
                let gate = gate_of(rules, &f.rule_id, p);
                if let Some(s) = steps.iter_mut().find(|s| s.id == gate) {
                    s.gated_by.push(GateFinding {
                        rule_id: f.rule_id.clone(),
                        severity: f.severity.as_str().into(),
                        status: f.status.as_str().into(),
                        resource: f.resource.id(),
                        title: f.title.to_string(),
                    });
                }
            }
            if let Some(s) = steps
                .iter_mut()
                .find(|s| s.status == "todo" || s.status == "in-progress")
            {
                if s.status == "todo" {
                    s.status = "next".into();
                }
            }
            PathPlan {
                profile: p.clone(),
                summary: target.0,
                target: target.1,
                steps,
            }
        })
        .collect();
    Plan {
        tool: report.tool.clone(),
        generated_at: report.generated_at.clone(),
        cluster_kind: inv.cluster.kind.to_string(),
        cluster_id: inv.cluster.id.clone(),
        version: report.summary.version.clone(),
        phase: phase_name.to_string(),
        phase_label: if phase_name.is_empty() {
            "unknown".into()
        } else {
            phase::label(phase_name).into()
        },
        paths,
        iam_readiness: None,
    }
}

/// The rule id IAM readiness findings carry in the plan's steps.
pub const IAM_READINESS_ID: &str = "IAM-READY";

/// Put the IAM readiness result into the plan: its findings (and an unknown result) gate the
/// new-cluster path's "IAM on the new ARN" step.
pub fn attach_iam(plan: &mut Plan, r: iam::IamReadiness) {
    if let Some(s) = plan
        .paths
        .iter_mut()
        .filter(|p| p.profile == "new-cluster")
        .flat_map(|p| p.steps.iter_mut())
        .find(|s| s.id == "new-cluster.iam")
    {
        if let Some(note) = &r.note {
            s.gated_by.push(GateFinding {
                rule_id: IAM_READINESS_ID.into(),
                severity: "blocking".into(),
                status: "unknown".into(),
                resource: r.new_cluster.clone(),
                title: format!("IAM readiness for the new cluster cannot be checked: {note}"),
            });
        }
        for f in &r.findings {
            s.gated_by.push(GateFinding {
                rule_id: IAM_READINESS_ID.into(),
                severity: "blocking".into(),
                status: f.status.clone(),
                resource: format!(
                    "{}/{} {} on {}",
                    f.principal_kind,
                    f.principal,
                    f.actions.join(","),
                    f.new_resource
                ),
                title: format!(
                    "{}/{} would lose access at cutover: {} (allowed on the old cluster by {})",
                    f.principal_kind,
                    f.principal,
                    f.reason,
                    f.allowed_by.join("; ")
                ),
            });
        }
    }
    plan.iam_readiness = Some(r);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_marks_steps_done() {
        let st = |id: &str, ph: &str| inplace_status(step(id).unwrap(), ph);
        assert_eq!(st("inplace.versions", "zookeeper"), "todo");
        assert_eq!(st("inplace.controllers", "pre-migration"), "done");
        assert_eq!(st("inplace.migration-mode", "pre-migration"), "todo");
        assert_eq!(st("inplace.migration-mode", "dual-write"), "done");
        assert_eq!(
            st("inplace.migration-complete", "dual-write"),
            "in-progress"
        );
        assert_eq!(st("inplace.kraft-brokers", "kraft-brokers"), "in-progress");
        assert_eq!(st("inplace.soak", "kraft-brokers"), "todo");
        assert_eq!(st("inplace.finalize", "finalized"), "done");
        assert_eq!(st("inplace.kraft-brokers", "kraft"), "done");
        assert_eq!(st("inplace.finalize", "kraft"), "unknown");
        assert_eq!(st("inplace.finalize", ""), "todo");
    }
}
