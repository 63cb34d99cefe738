//! Rules are data: one TOML file per rule, with a CEL condition compiled at load time.
//!
//! The pack under `rules/` is embedded in the binary; `--rules DIR` adds rules or overrides
//! embedded ones with the same id.

pub mod celenv;
pub mod celval;
pub mod docs;
mod eval;
mod load;
mod platform_check;
pub mod profiles;
pub mod reads;
mod scope;
mod selftest;
pub mod tags;
pub mod topic;

pub use eval::{evaluate, EvalOptions, InventoryFile};
pub use load::{load_rules, rule_set_from_text, RuleSet, MAX_CEL_NESTING};
pub use scope::{
    part_fields, part_of_variable, variables, Global, Scope, ScopeDef, View, GLOBALS, SCOPES,
};
pub use selftest::{run_examples, ExampleOutcome};
pub use tags::Tag;

use crate::findings::Severity;
use std::collections::BTreeMap;

/// What an example says the rule does on its inventory (`expect` in rule files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    Fail,
    Pass,
    Unknown,
}

impl Expect {
    pub const ALL: [Expect; 3] = [Expect::Fail, Expect::Pass, Expect::Unknown];

    pub fn as_str(self) -> &'static str {
        match self {
            Expect::Fail => "fail",
            Expect::Pass => "pass",
            Expect::Unknown => "unknown",
        }
    }

    /// The result a rule's findings add up to: any fail, else any unknown, else pass.
    pub fn of(findings: &[crate::findings::Finding]) -> Expect {
        use crate::findings::Status;
        if findings.iter().any(|f| f.status == Status::Fail) {
            Expect::Fail
        } else if findings.iter().any(|f| f.status == Status::Unknown) {
            Expect::Unknown
        } else {
            Expect::Pass
        }
    }
}

impl std::str::FromStr for Expect {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Expect::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| format!("expect = '{s}' must be fail, pass or unknown"))
    }
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Example {
    pub expect: Expect,
    pub note: String,
    pub target: Option<String>,
    pub profile: Option<String>,
    /// The inventory JSON the example runs against (shorthand already expanded).
    pub inventory: serde_json::Value,
    /// Target-platform rules: the platform (default: the rule's first), size and broker count.
    pub platform: Option<String>,
    pub size: Option<String>,
    pub brokers: Option<i64>,
    /// Limit values the example replaces (to test a large limit's boundary), or null.
    pub limits: serde_json::Value,
}

#[derive(Debug)]
pub struct Rule {
    pub id: String,
    /// Texts shared with every finding of the rule.
    pub title: std::sync::Arc<str>,
    pub severity: Severity,
    pub area: String,
    pub profiles: Vec<String>,
    pub scope: Scope,
    pub needs: Vec<String>,
    pub keys: Vec<String>,
    pub when_src: String,
    pub when: cel::Program,
    pub message: String,
    pub evidence: BTreeMap<String, (String, cel::Program)>,
    /// The rule's `[let]` table as written (name, expression), for `rules explain`.
    pub lets: Vec<(String, String)>,
    /// The lets the message reads (`{{ let.name }}`), their expressions expanded.
    pub message_lets: Vec<(String, cel::Program)>,
    pub why: std::sync::Arc<str>,
    pub remediation: std::sync::Arc<str>,
    pub references: std::sync::Arc<[String]>,
    pub examples: Vec<Example>,
    /// Where the rule came from: `embedded:rules/…` or a file path.
    pub origin: String,
    /// True when the condition or evidence reads `target` or `profile`, so it is evaluated
    /// once per selected profile.
    pub per_profile: bool,
    /// The inventory parts the condition, evidence and `needs` read (see [`reads`]): a rule
    /// never passes while one of them has a gap.
    pub reads: Vec<crate::inventory::Part>,
    /// Target-platform rules (issue 16): evaluated only for these `--target-platform`s (empty:
    /// an ordinary rule), reading these limits of `platforms/*.toml`.
    pub platforms: Vec<String>,
    pub limits: Vec<String>,
    /// The `kraftcheck plan` steps this rule gates (validated against `plan::STEPS` at load).
    pub steps: Vec<String>,
    /// What report sections select the rule's findings by (see [`tags`]), shared with them.
    pub tags: std::sync::Arc<[Tag]>,
}

#[cfg(test)]
mod tests {
    use super::Expect;

    #[test]
    fn expectations_keep_their_spellings() {
        for (e, s) in [
            (Expect::Fail, "fail"),
            (Expect::Pass, "pass"),
            (Expect::Unknown, "unknown"),
        ] {
            assert_eq!(serde_json::to_value(e).unwrap(), serde_json::json!(s));
            assert_eq!(serde_json::from_value::<Expect>(s.into()).unwrap(), e);
            assert_eq!(s.parse::<Expect>(), Ok(e));
        }
        assert!("Fail"
            .parse::<Expect>()
            .unwrap_err()
            .contains("fail, pass or unknown"));
    }
}
