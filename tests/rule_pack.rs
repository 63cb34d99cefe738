//! The embedded rule pack: every rule's examples behave as they say (`kraftcheck rules test`),
//! and the pack is complete enough to ship.

mod common;

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

/// Issue 17: a rule never passes on data it could not see. For every rule, every part it reads
/// (derived from its CEL, with `needs`) and every example of the rule and every profile it
/// belongs to: the example's inventory with that part gapped — part-wide, as "partial" (a list
/// the broker filtered), and on each of the example's resources — yields no pass. The unknowns
/// name what is missing.
#[test]
fn a_gap_on_any_part_a_rule_reads_never_yields_pass() {
    use kraftcheck::findings::Status;
    use kraftcheck::inventory::{Gap, GapReason, Inventory};
    use kraftcheck::rules::{evaluate, EvalOptions};
    let set = load_rules(None).expect("embedded rules load");
    let mut checked = 0usize;
    let mut bad = Vec::new();
    for rule in &set.rules {
        assert!(
            !rule.reads.is_empty() || rule.needs.is_empty(),
            "{}: reads nothing",
            rule.id
        );
        for ex in &rule.examples {
            let base: Inventory = serde_json::from_value(ex.inventory.clone()).unwrap();
            for part in &rule.reads {
                let mut variants: Vec<Gap> = [GapReason::Unauthorized, GapReason::Partial]
                    .into_iter()
                    .map(|reason| Gap {
                        part: part.to_string(),
                        resource: String::new(),
                        reason,
                        detail: String::new(),
                    })
                    .collect();
                // One resource of the part: each broker of the example.
                for b in &base.brokers {
                    variants.push(Gap {
                        part: part.to_string(),
                        resource: format!("broker:{}", b.id),
                        reason: GapReason::Error,
                        detail: String::new(),
                    });
                }
                for t in &base.topics {
                    variants.push(Gap {
                        part: part.to_string(),
                        resource: format!("topic:{}", t.name),
                        reason: GapReason::Error,
                        detail: String::new(),
                    });
                }
                for gap in variants {
                    let mut inv = base.clone();
                    inv.gaps.push(gap.clone());
                    for profile in &rule.profiles {
                        let opts = EvalOptions {
                            profiles: vec![profile.clone()],
                            target: ex.target.clone(),
                            inventory_file: None,
                            only: Some(rule.id.clone()),
                            platforms: vec![],
                        };
                        checked += 1;
                        let findings = evaluate(&set, &inv, &opts);
                        if let Some(p) = findings.iter().find(|f| f.status == Status::Pass) {
                            bad.push(format!(
                                "{} ({profile}) passes with a gap on {} [{} {}]: {}",
                                rule.id, part, gap.reason, gap.resource, p.message
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 1000, "only {checked} cases checked");
    assert!(
        bad.is_empty(),
        "{} of {checked} cases pass on a gap:\n{}",
        bad.len(),
        bad.join("\n")
    );
    eprintln!("gap-never-passes: {checked} cases checked");
}

/// docs/blocking-rules.md lists every blocking rule with how it is known to be true.
#[test]
fn every_blocking_rule_is_in_the_evidence_table() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/blocking-rules.md"
    ))
    .expect("docs/blocking-rules.md");
    let set = load_rules(None).expect("embedded rules load");
    for r in set
        .rules
        .iter()
        .filter(|r| r.severity == kraftcheck::findings::Severity::Blocking)
    {
        assert!(
            doc.contains(&format!("| {} |", r.id)),
            "{} is blocking but not in docs/blocking-rules.md",
            r.id
        );
    }
}

/// Issue 14: report sections select findings by the rules' `tags`. Every tag is carried by a
/// rule of the pack (a tag no rule carries would leave its report line empty), each MSK
/// prerequisite line by exactly one rule, and the report code names no rule id.
#[test]
fn every_tag_is_carried_and_report_code_names_no_rule_id() {
    use kraftcheck::rules::Tag;
    let set = load_rules(None).expect("embedded rules load");
    for d in Tag::ALL {
        let ids = set.tagged(d.tag);
        assert!(!ids.is_empty(), "no rule carries tag {}", d.name);
        if d.name.starts_with("msk-prereq-") {
            assert_eq!(ids.len(), 1, "tag {}: {ids:?}", d.name);
        }
    }
    // The families of rule ids (`MSK`, `CLIENT`, `K4`, …) as string literals in src/report.
    let families: std::collections::BTreeSet<String> = set
        .rules
        .iter()
        .map(|r| format!("\"{}-", r.id.split('-').next().unwrap()))
        .collect();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/report");
    let mut read = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        // Unit tests may build findings with made-up ids.
        let code = text.split("#[cfg(test)]").next().unwrap();
        for f in &families {
            assert!(
                !code.contains(f.as_str()),
                "{} names a rule id ({f}…): select by tag",
                path.display()
            );
        }
        read += 1;
    }
    assert!(read >= 8, "{read} files read in {dir}");
}

#[test]
fn an_unknown_tag_is_exit_2_naming_the_file_and_field() {
    let tmp = tempfile::TempDir::new().unwrap();
    let rule = common::test_rule("TEST-TAG-001", "tags = [\"msk-prereq-zone\"]\n");
    std::fs::write(tmp.path().join("r.toml"), &rule).unwrap();
    assert_cmd::Command::cargo_bin("kraftcheck")
        .unwrap()
        .args(["rules", "list", "--rules"])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("r.toml"))
        .stderr(predicates::str::contains("field `tags`"))
        .stderr(predicates::str::contains("unknown tag 'msk-prereq-zone'"));
    std::fs::write(
        tmp.path().join("r.toml"),
        rule.replace("msk-prereq-zone", "msk-prereq-zones"),
    )
    .unwrap();
    assert_cmd::Command::cargo_bin("kraftcheck")
        .unwrap()
        .args(["rules", "list", "--rules"])
        .arg(tmp.path())
        .assert()
        .code(0);
}
