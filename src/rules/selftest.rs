//! `kraftcheck rules test`: every rule's examples must behave as they say.

use super::{evaluate, EvalOptions, Expect, RuleSet};
use crate::findings::Status;
use crate::inventory::Inventory;

#[derive(Debug)]
pub struct ExampleOutcome {
    pub rule_id: String,
    pub origin: String,
    /// 1-based example number; 0 for a rule-level problem (missing examples).
    pub index: usize,
    pub expect: Expect,
    pub got: String,
    pub note: String,
    pub ok: bool,
}

/// The platform a target-platform rule's example runs on (issue 16): its own, else the rule's
/// first, with the example's size and broker count.
fn example_platform(rule: &super::Rule, ex: &super::Example) -> Vec<crate::platform::Selected> {
    let Some(name) = ex.platform.as_ref().or(rule.platforms.first()) else {
        return Vec::new();
    };
    crate::platform::platform(name)
        .map(|p| crate::platform::Selected {
            platform: p,
            size: ex.size.clone(),
            brokers: ex.brokers,
            overrides: ex.limits.as_object().cloned().unwrap_or_default(),
        })
        .into_iter()
        .collect()
}

pub fn run_examples(set: &RuleSet) -> Vec<ExampleOutcome> {
    let mut out = Vec::new();
    for rule in &set.rules {
        for want in [Expect::Fail, Expect::Pass] {
            if !rule.examples.iter().any(|e| e.expect == want) {
                out.push(ExampleOutcome {
                    rule_id: rule.id.clone(),
                    origin: rule.origin.clone(),
                    index: 0,
                    expect: want,
                    got: "no example".into(),
                    note: format!("every rule needs at least one example with expect = \"{want}\""),
                    ok: false,
                });
            }
        }
        for (i, ex) in rule.examples.iter().enumerate() {
            let mut o = ExampleOutcome {
                rule_id: rule.id.clone(),
                origin: rule.origin.clone(),
                index: i + 1,
                expect: ex.expect,
                got: String::new(),
                note: ex.note.clone(),
                ok: false,
            };
            let inv: Inventory = match serde_json::from_value(ex.inventory.clone()) {
                Ok(inv) => inv,
                Err(e) => {
                    o.got = format!("invalid example inventory: {e}");
                    out.push(o);
                    continue;
                }
            };
            let profile = ex
                .profile
                .clone()
                .unwrap_or_else(|| rule.profiles[0].clone());
            let opts = EvalOptions {
                profiles: vec![profile],
                target: ex.target.clone(),
                inventory_file: None,
                only: Some(rule.id.clone()),
                platforms: example_platform(rule, ex),
            };
            let findings = evaluate(set, &inv, &opts);
            let got = Expect::of(&findings);
            o.got = got.to_string();
            if got == Expect::Unknown && ex.expect != Expect::Unknown {
                if let Some(f) = findings.iter().find(|f| f.status == Status::Unknown) {
                    o.got = format!("unknown ({})", f.message);
                }
            }
            o.ok = got == ex.expect;
            out.push(o);
        }
    }
    out
}
