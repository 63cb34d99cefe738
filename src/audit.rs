//! The audit job: evaluate rules, apply waivers, decide verdicts and the exit code.

use crate::findings::{Finding, Severity, Status};
use crate::inventory::Inventory;
use crate::report::{checklist, InventorySummary, ProfileVerdict, Report, Verdict};
use crate::rules::profiles::{target_for, ProfileId};
use crate::rules::{evaluate, EvalOptions, RuleSet};
use crate::waivers::{self, Waiver};
use chrono::NaiveDate;

/// `--fail-on`: the lowest severity whose failing findings make the exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Blocking,
    High,
    Medium,
    Low,
    Info,
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Blocking => Some(Severity::Blocking),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Blocking => "blocking",
            FailOn::High => "high",
            FailOn::Medium => "medium",
            FailOn::Low => "low",
            FailOn::Info => "info",
            FailOn::Never => "never",
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// Chosen profiles; empty means "infer from the inventory".
    pub profiles: Vec<ProfileId>,
    pub target: Option<String>,
    pub waivers: Vec<Waiver>,
    pub fail_on: FailOn,
    pub fail_on_unknown: bool,
    pub today: NaiveDate,
    /// The saved inventory file and its line index, so findings can point into it.
    pub inventory_file: Option<crate::rules::InventoryFile>,
    /// `--target-platform`s (issue 16): their rules run, under the new-cluster profile (added
    /// when not chosen), and the report compares them.
    pub platforms: Vec<crate::platform::Selected>,
}

fn counts(f: &Finding, fail_on: FailOn) -> bool {
    fail_on.threshold().is_some_and(|t| f.severity >= t)
}

pub fn run(rules: &RuleSet, inv: &Inventory, opts: &AuditOptions) -> Report {
    let mut profiles = if opts.profiles.is_empty() {
        crate::rules::profiles::infer(inv)
    } else {
        opts.profiles.clone()
    };
    // A target platform is a new cluster (issue 16).
    if !opts.platforms.is_empty() && !profiles.contains(&ProfileId::NewCluster) {
        profiles.push(ProfileId::NewCluster);
    }
    let eval_opts = EvalOptions {
        profiles: profiles.iter().map(|p| p.to_string()).collect(),
        target: opts.target.clone(),
        inventory_file: opts.inventory_file.clone(),
        only: None,
        platforms: opts.platforms.clone(),
    };
    let mut findings = evaluate(rules, inv, &eval_opts);
    let _t = crate::debug::Stage::start("audit: waivers, verdicts, summaries");
    let notices = waivers::apply(&mut findings, &opts.waivers, opts.today);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let verdicts: Vec<ProfileVerdict> = profiles
        .iter()
        .map(|&id| {
            let p = id.info();
            let mine = || {
                findings
                    .iter()
                    .filter(|f| f.profiles.iter().any(|x| x == p.name))
            };
            let failing = mine()
                .filter(|f| f.status == Status::Fail && counts(f, opts.fail_on))
                .count();
            let unknown = mine()
                .filter(|f| f.status == Status::Unknown && counts(f, opts.fail_on))
                .count();
            let verdict = if failing > 0 {
                Verdict::Blocked
            } else if unknown > 0 {
                Verdict::Incomplete
            } else {
                Verdict::Ready
            };
            ProfileVerdict {
                name: p.name.to_string(),
                summary: p.summary.to_string(),
                target: target_for(p, inv, opts.target.as_deref()),
                verdict,
                failing,
                unknown,
                waived: mine().filter(|f| f.status == Status::Waived).count(),
                passed: mine().filter(|f| f.status == Status::Pass).count(),
            }
        })
        .collect();
    let verdict = verdicts
        .iter()
        .map(|p| p.verdict)
        .min()
        .unwrap_or(Verdict::Ready);
    let open_blocking = findings
        .iter()
        .filter(|f| f.status == Status::Fail && f.severity == Severity::Blocking)
        .count();
    Report {
        finalize_note: crate::collect::phase::finalize_statement(
            inv.cluster.kind,
            &inv.cluster.phase,
            open_blocking,
        ),
        tool: format!("kraftcheck {}", env!("CARGO_PKG_VERSION")),
        generated_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        verdict,
        fail_on: opts.fail_on.as_str().into(),
        fail_on_unknown: opts.fail_on_unknown,
        profiles: verdicts,
        summary: InventorySummary::of(inv),
        checklist: checklist::build(inv, &findings),
        msk: crate::report::msk::build(inv, &findings, rules),
        clients: crate::report::clients::build(
            inv,
            &target_for(ProfileId::Kafka4.info(), inv, opts.target.as_deref()),
        ),
        targets: crate::platform::compare::build(
            &opts.platforms,
            &findings,
            opts.fail_on.threshold(),
        ),
        findings,
        waiver_notices: notices,
        inventory_file: opts.inventory_file.as_ref().map(|f| f.path.clone()),
    }
}

/// 0: nothing failing at or above the threshold; 1: something is (or, with
/// `--fail-on-unknown`, is unknown).
pub fn exit_code(report: &Report, fail_on: FailOn, fail_on_unknown: bool) -> i32 {
    let bad = report.findings.iter().any(|f| {
        counts(f, fail_on)
            && (f.status == Status::Fail || (fail_on_unknown && f.status == Status::Unknown))
    });
    i32::from(bad)
}
