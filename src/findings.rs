//! The findings model: what every report format renders.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Blocking,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Blocking,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Blocking => "blocking",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!("unknown severity '{s}' (expected blocking, high, medium, low or info)")
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Fail,
    Unknown,
    Waived,
    Pass,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::Waived => "waived",
            Status::Pass => "pass",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding is about: `kind:name`, e.g. `broker:1`, `topic:orders`, `cluster`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Resource {
    pub kind: String,
    pub name: String,
}

impl Resource {
    pub fn cluster() -> Self {
        Resource {
            kind: "cluster".into(),
            name: String::new(),
        }
    }
    /// The id used in reports and matched by waiver patterns.
    pub fn id(&self) -> String {
        if self.name.is_empty() {
            self.kind.clone()
        } else {
            format!("{}:{}", self.kind, self.name)
        }
    }
}

/// Where the evidence stands: a file and line (server.properties or the inventory), and a
/// JSON pointer into the inventory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// RFC 6901 pointer into the inventory.
    pub pointer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedWaiver {
    pub reason: String,
    pub owner: String,
    pub expires: String,
    /// Expires within 14 days of the audit.
    pub expiring_soon: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    /// The rule's texts are shared by all its findings (a rule can fire on 50,000 topics).
    pub title: Arc<str>,
    pub severity: Severity,
    pub status: Status,
    pub area: String,
    /// The selected profiles this result holds for.
    pub profiles: Vec<String>,
    pub resource: Resource,
    pub message: String,
    /// The values that made the rule fire (or, for unknown, what was missing).
    pub evidence: BTreeMap<String, serde_json::Value>,
    pub why: Arc<str>,
    pub remediation: Arc<str>,
    pub references: Arc<[String]>,
    pub location: Location,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
    /// The `--target-platform` a target-platform rule's result holds for (issue 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The rule's tags (issue 14): what report sections select the finding by. Internal: not
    /// written to the JSON report (its findings stay as they were).
    #[serde(skip)]
    pub tags: Arc<[crate::rules::Tag]>,
}

impl Finding {
    pub fn has_tag(&self, tag: crate::rules::Tag) -> bool {
        self.tags.contains(&tag)
    }
}

impl Finding {
    /// Sort key: worst first, then rule, then resource (borrowed: sorting copies nothing).
    pub fn sort_key(&self) -> (Status, std::cmp::Reverse<Severity>, &str, &Resource) {
        (
            self.status,
            std::cmp::Reverse(self.severity),
            &self.rule_id,
            &self.resource,
        )
    }
}
