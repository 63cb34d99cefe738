//! Rules are data: one TOML file per rule, with a CEL condition compiled at load time.
//!
//! The pack under `rules/` is embedded in the binary; `--rules DIR` adds rules or overrides
//! embedded ones with the same id.

pub mod celenv;
pub mod celval;
mod eval;
mod load;
pub mod profiles;
pub mod reads;
mod scope;
mod selftest;

pub use eval::{evaluate, EvalOptions, InventoryFile};
pub use load::{load_rules, RuleSet};
pub use scope::{
    part_fields, part_of_variable, variables, Global, Scope, ScopeDef, View, GLOBALS, SCOPES,
};
pub use selftest::{run_examples, ExampleOutcome};

use crate::findings::Severity;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct Example {
    /// `fail`, `pass` or `unknown`.
    pub expect: String,
    pub note: String,
    pub target: Option<String>,
    pub profile: Option<String>,
    /// The inventory JSON the example runs against (shorthand already expanded).
    pub inventory: serde_json::Value,
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
}
