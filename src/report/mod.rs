//! Reports: every format renders the same [`Report`] (findings + inventory summary).

pub mod checklist;
pub mod clients;
pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod markdown;
pub mod msk;
pub(crate) mod sarif;
pub(crate) mod table;

use crate::findings::{Finding, Severity, Status};
use crate::inventory::{Gap, Inventory};
use crate::waivers::WaiverNotice;
use serde::Serialize;
use std::collections::BTreeMap;

/// An output format (a row of [`crate::formats::FORMATS`]).
pub use crate::formats::Format;

/// Where the brokers' versions came from, and whether the patch level is known.
fn version_note(inv: &Inventory) -> String {
    let mut kinds: Vec<&str> = inv
        .brokers
        .iter()
        .filter(|b| b.version.is_some())
        .map(|b| {
            let src = b.version_source.as_deref().unwrap_or("");
            match src.split(':').next().unwrap_or("") {
                "fingerprint" => "the live ApiVersions fingerprint",
                "--kafka-version" => "--kafka-version",
                "broker-log" => "broker logs",
                "kafka-home" => "the installation's libs/",
                "msk" => "the MSK API",
                _ => "the broker configs or inventory",
            }
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    if kinds.is_empty() {
        return String::new();
    }
    let rough = inv.brokers.iter().any(|b| {
        b.version
            .as_deref()
            .and_then(|v| crate::version::KafkaVersion::parse(v).ok())
            .is_some_and(|v| v.is_major_minor_only())
    });
    if rough {
        format!(
            "major.minor only (from {}): rules that depend on the patch level are unknown; give --kafka-version, --broker-log or --kafka-home",
            kinds.join(", ")
        )
    } else {
        format!("from {}", kinds.join(", "))
    }
}

/// How ready a migration path is, worst first: the report's verdict is the worst of its
/// profiles'. Spelled in lower case in every format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// A finding at or above the fail-on threshold fails.
    Blocked,
    /// Nothing fails, but unknowns at or above the threshold remain.
    Incomplete,
    Ready,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Blocked => "blocked",
            Verdict::Incomplete => "incomplete",
            Verdict::Ready => "ready",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfileVerdict {
    pub name: String,
    pub summary: String,
    pub target: String,
    pub verdict: Verdict,
    pub failing: usize,
    pub unknown: usize,
    pub waived: usize,
    pub passed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct InventorySummary {
    pub cluster_id: Option<String>,
    pub kind: String,
    pub mode: String,
    pub version: Option<String>,
    /// Where the version came from and how precise it is ("major.minor only (live ApiVersions
    /// fingerprint) …", "from broker logs"); empty when no broker has a version.
    pub version_note: String,
    pub brokers: usize,
    pub topics: usize,
    pub partitions: usize,
    pub acls: usize,
    pub scram_users: usize,
    pub quotas: usize,
    pub groups: usize,
    pub sources: Vec<String>,
    pub gaps: Vec<Gap>,
    /// Migration phase (`collect::phase`), its label and what it was told from.
    pub phase: String,
    pub phase_label: String,
    pub phase_evidence: Vec<String>,
}

impl InventorySummary {
    pub fn of(inv: &Inventory) -> Self {
        InventorySummary {
            cluster_id: inv.cluster.id.clone(),
            kind: inv.cluster.kind.to_string(),
            mode: inv.cluster.mode.clone(),
            version: inv.cluster.version.clone(),
            version_note: version_note(inv),
            brokers: inv.brokers.len(),
            topics: inv.topics.len(),
            partitions: inv.topics.iter().map(|t| t.partitions.len()).sum(),
            acls: inv.acls.len(),
            scram_users: inv.scram_users.len(),
            quotas: inv.quotas.len(),
            groups: inv.groups.len(),
            sources: inv.sources.clone(),
            gaps: inv.gaps.clone(),
            phase: inv.cluster.phase.clone(),
            phase_label: crate::collect::phase::label(&inv.cluster.phase).to_string(),
            phase_evidence: inv.cluster.phase_evidence.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub tool: String,
    pub generated_at: String,
    /// The worst over the profiles.
    pub verdict: Verdict,
    pub fail_on: String,
    pub fail_on_unknown: bool,
    pub profiles: Vec<ProfileVerdict>,
    pub summary: InventorySummary,
    /// Findings, worst first.
    pub findings: Vec<Finding>,
    pub waiver_notices: Vec<WaiverNotice>,
    /// The seed article's client-migration checklist, marked from the data where known.
    pub checklist: Vec<checklist::ChecklistItem>,
    /// The inventory file findings point into, when there is one.
    pub inventory_file: Option<String>,
    /// The plain statement on finalizing the migration (irreversible) and the blocking
    /// findings still open, shown in every format.
    pub finalize_note: String,
    /// Amazon MSK cluster facts, in-place checklist, re-creation list and IAM (MSK clusters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msk: Option<msk::MskSection>,
    /// Client software, request versions, repositories and group members (issue 5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clients: Option<clients::ClientsSection>,
    /// The compare view of `--target-platform`s (issue 16); empty without one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<crate::platform::compare::TargetVerdict>,
}

/// The report without its findings, for templates: they get the findings
/// grouped (see `html::rule_groups`), and converting tens of thousands of findings into
/// template values only to skip them was most of the rendering time of a large report.
#[derive(Serialize)]
pub(crate) struct ReportHead<'a> {
    tool: &'a str,
    generated_at: &'a str,
    verdict: Verdict,
    fail_on: &'a str,
    fail_on_unknown: bool,
    profiles: &'a [ProfileVerdict],
    summary: &'a InventorySummary,
    waiver_notices: &'a [WaiverNotice],
    checklist: &'a [checklist::ChecklistItem],
    inventory_file: &'a Option<String>,
    finalize_note: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    msk: &'a Option<msk::MskSection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    clients: &'a Option<clients::ClientsSection>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    targets: &'a [crate::platform::compare::TargetVerdict],
}

impl Report {
    /// Everything but the findings (every field named, so that a new one
    /// is not forgotten here).
    pub(crate) fn head(&self) -> ReportHead<'_> {
        let Report {
            tool,
            generated_at,
            verdict,
            fail_on,
            fail_on_unknown,
            profiles,
            summary,
            findings: _,
            waiver_notices,
            checklist,
            inventory_file,
            finalize_note,
            msk,
            clients,
            targets,
        } = self;
        ReportHead {
            tool,
            generated_at,
            verdict: *verdict,
            fail_on,
            fail_on_unknown: *fail_on_unknown,
            profiles,
            summary,
            waiver_notices,
            checklist,
            inventory_file,
            finalize_note,
            msk,
            clients,
            targets,
        }
    }

    /// Counts of failing findings by severity (for charts and summaries).
    pub fn failing_by_severity(&self) -> BTreeMap<Severity, usize> {
        let mut m: BTreeMap<Severity, usize> = Severity::ALL.iter().map(|s| (*s, 0)).collect();
        for f in self.findings.iter().filter(|f| f.status == Status::Fail) {
            *m.entry(f.severity).or_default() += 1;
        }
        m
    }

    pub fn count(&self, status: Status) -> usize {
        self.findings.iter().filter(|f| f.status == status).count()
    }
}

/// Render one format. Renderers only read the report and the inventory summary.
pub fn render(format: Format, report: &Report) -> anyhow::Result<String> {
    (format.def().audit)(report)
}

/// "a, b, c, … (+4 more)": the first `max` of `items`, and how many more there are.
pub(crate) fn list(items: &[String], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(", … (+{} more)", items.len() - max));
    }
    s
}

/// A gap that makes the whole `part` unknown (not just one resource of it).
pub(crate) fn whole_gap<'a>(inv: &'a Inventory, part: &str) -> Option<&'a Gap> {
    inv.gap_for(part, None).filter(|g| g.resource.is_empty())
}

/// Why a gap is there: its reason, and its detail when it has one (`timeout: 30 s`).
pub(crate) fn gap_why(g: &Gap) -> String {
    if g.detail.is_empty() {
        g.reason.to_string()
    } else {
        format!("{}: {}", g.reason, g.detail)
    }
}

/// `rules list`: one line per rule.
pub fn rules_table(set: &crate::rules::RuleSet) -> String {
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::NOTHING);
    t.set_header(["id", "severity", "area", "scope", "profiles", "title"]);
    for r in &set.rules {
        t.add_row([
            r.id.as_str(),
            r.severity.as_str(),
            &r.area,
            r.scope.name(),
            &r.profiles.join(","),
            &r.title,
        ]);
    }
    format!("{t}\n{} rules\n", set.rules.len())
}

/// `rules explain ID`.
pub fn explain(r: &crate::rules::Rule) -> String {
    let mut s = format!("{} — {}\n\n", r.id, r.title);
    s.push_str(&format!(
        "severity: {}   area: {}   scope: {}\n",
        r.severity,
        r.area,
        r.scope.name()
    ));
    s.push_str(&format!("profiles: {}\n", r.profiles.join(", ")));
    if !r.tags.is_empty() {
        let tags: Vec<&str> = r.tags.iter().map(|t| t.name()).collect();
        s.push_str(&format!(
            "tags:     {} (report sections)\n",
            tags.join(", ")
        ));
    }
    // Target-platform rules (issue 16).
    if !r.platforms.is_empty() {
        s.push_str(&format!(
            "platforms: {} (with --target-platform)\nlimits:   {} (platforms/*.toml)\n",
            r.platforms.join(", "),
            r.limits.join(", ")
        ));
    }
    if !r.needs.is_empty() {
        s.push_str(&format!(
            "needs:    {} (unknown when not collected)\n",
            r.needs.join(", ")
        ));
    }
    if !r.reads.is_empty() {
        s.push_str(&format!(
            "reads:    {} (never a pass while one has a gap)\n",
            r.reads
                .iter()
                .map(|p| p.name())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    s.push_str(&format!(
        "source:   {}\n\ncondition:\n  {}\n\n",
        r.origin,
        r.when_src.trim().replace('\n', "\n  ")
    ));
    if !r.lets.is_empty() {
        s.push_str("lets (named expressions the condition, evidence and message share):\n");
        for (name, expr) in &r.lets {
            s.push_str(&format!("  {name} = {}\n", expr.replace('\n', "\n    ")));
        }
        s.push('\n');
    }
    // The helpers it calls, with the docs `docs/rules.md` shows for them.
    let called: Vec<String> = std::iter::once(&r.when)
        .chain(r.evidence.values().map(|(_, p)| p))
        .chain(r.message_lets.iter().map(|(_, p)| p))
        .flat_map(|p| {
            p.references()
                .functions()
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let helpers = crate::rules::celenv::helpers_called(called.iter().map(String::as_str));
    if !helpers.is_empty() {
        s.push_str("helpers:\n");
        for h in helpers {
            s.push_str(&format!("  {}: {}\n", h.call, h.doc));
        }
        s.push('\n');
    }
    s.push_str(&format!(
        "Why:\n  {}\n\nRemediation:\n  {}\n\nReferences:\n",
        r.why.replace('\n', "\n  "),
        r.remediation.replace('\n', "\n  ")
    ));
    for reference in r.references.iter() {
        s.push_str(&format!("  - {reference}\n"));
    }
    s
}

#[cfg(test)]
mod verdict_tests {
    use super::Verdict;

    #[test]
    fn verdicts_keep_their_spelling_on_the_wire() {
        for (v, s) in [
            (Verdict::Blocked, "blocked"),
            (Verdict::Incomplete, "incomplete"),
            (Verdict::Ready, "ready"),
        ] {
            assert_eq!(serde_json::to_string(&v).unwrap(), format!("\"{s}\""));
            assert_eq!(
                serde_json::from_str::<Verdict>(&format!("\"{s}\"")).unwrap(),
                v
            );
            assert_eq!(v.to_string(), s);
        }
        // the report's verdict is the worst of its profiles'
        assert!(Verdict::Blocked < Verdict::Incomplete && Verdict::Incomplete < Verdict::Ready);
    }
}

#[cfg(test)]
mod explain_tests {
    #[test]
    fn explain_shows_tags_lets_and_the_helpers_lets_call() {
        let set = crate::rules::load_rules(None).unwrap();
        let text = super::explain(set.get("KRAFT-CFG-006").unwrap());
        assert!(text.contains("\nlets ("), "{text}");
        assert!(
            text.contains("\n  mine = cfg(broker, \"zookeeper.connect\").trim()\n"),
            "{text}"
        );
        // cfg_bool and is_kraft_node are called through lets only.
        for name in ["cfg_bool", "is_kraft_node"] {
            let h = crate::rules::celenv::HELPERS
                .iter()
                .find(|h| h.names.contains(&name))
                .unwrap();
            assert!(
                text.contains(&format!("\n  {}: {}\n", h.call, h.doc)),
                "{name}: {text}"
            );
        }
        let text = super::explain(set.get("MSK-006").unwrap());
        assert!(
            text.contains("\ntags:     iam-statement, iam-cluster-uuid (report sections)\n"),
            "{text}"
        );
    }
}
