//! The embedded rule pack: every rule's examples behave as they say (`kraftcheck rules test`),
//! and the pack is complete enough to ship.

use kraftcheck::rules::{load_rules, profiles::PROFILES, run_examples};
use std::collections::BTreeMap;

#[test]
fn every_rule_example_behaves() {
    let set = load_rules(None).expect("embedded rules load");
    let outcomes = run_examples(&set);
    let bad: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.ok)
        .map(|o| {
            format!(
                "{} example {} ({}): expected {}, got {}",
                o.rule_id, o.index, o.origin, o.expect, o.got
            )
        })
        .collect();
    assert!(
        bad.is_empty(),
        "rule examples misbehave:\n{}",
        bad.join("\n")
    );
}

#[test]
fn pack_has_forty_referenced_rules() {
    let set = load_rules(None).expect("embedded rules load");
    let mut per_profile: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &set.rules {
        assert!(!r.references.is_empty(), "{} has no reference", r.id);
        assert!(
            r.origin.ends_with(&format!("/{}.toml", r.id)),
            "{} lives in {}: name files after the rule id",
            r.id,
            r.origin
        );
        for p in &r.profiles {
            *per_profile.entry(p.as_str()).or_default() += 1;
        }
    }
    for p in PROFILES {
        eprintln!(
            "profile {:<12} {} rules",
            p.name,
            per_profile.get(p.name).copied().unwrap_or(0)
        );
    }
    assert!(set.rules.len() >= 40, "only {} rules", set.rules.len());
}

#[test]
fn rules_test_command_passes() {
    let out = assert_cmd::Command::cargo_bin("kraftcheck")
        .unwrap()
        .args(["rules", "test"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "rules test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(" 0 failed"), "{stdout}");
}
