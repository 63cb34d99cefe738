//! Rule engine semantics: unknown on missing data, per-resource gaps, evaluation errors,
//! per-profile targets.

use kraftcheck::findings::Status;
use kraftcheck::inventory::Inventory;
use kraftcheck::rules::{evaluate, load_rules, EvalOptions};
use std::path::Path;

fn rules(dir: &Path, files: &[(&str, &str)]) -> kraftcheck::rules::RuleSet {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    load_rules(Some(dir)).unwrap()
}

fn rule(id: &str, scope: &str, needs: &str, when: &str, profiles: &str) -> String {
    format!(
        "id = \"{id}\"\ntitle = \"t\"\nseverity = \"high\"\narea = \"config\"\nprofiles = {profiles}\nscope = \"{scope}\"\nneeds = {needs}\nwhen = '{when}'\nmessage = \"{{{{ resource }}}} at {{{{ target }}}}\"\nwhy = \"w\"\nremediation = \"r\"\nreferences = [\"KIP-866\"]\n"
    )
}

fn inv(json: &str) -> Inventory {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["schema_version"] = 1.into();
    serde_json::from_value(v).unwrap()
}

fn run(
    set: &kraftcheck::rules::RuleSet,
    inv: &Inventory,
    id: &str,
    profiles: &[&str],
    target: Option<&str>,
) -> Vec<(Status, String, Vec<String>)> {
    let opts = EvalOptions {
        profiles: profiles.iter().map(|s| s.to_string()).collect(),
        target: target.map(str::to_string),
        inventory_file: None,
        only: Some(id.into()),
    };
    evaluate(set, inv, &opts)
        .into_iter()
        .map(|f| (f.status, f.resource.id(), f.profiles))
        .collect()
}

#[test]
fn missing_data_is_unknown_never_pass() {
    let d = tempfile::TempDir::new().unwrap();
    let set = rules(
        d.path(),
        &[
            (
                "T-TOPIC.toml",
                &rule(
                    "T-TOPIC",
                    "topic",
                    "[\"topics\"]",
                    "topic.partition_count > 3",
                    "[\"inplace\"]",
                ),
            ),
            (
                "T-ERR.toml",
                &rule(
                    "T-ERR",
                    "broker",
                    "[]",
                    "version_lt(broker.version, \"3.4\")",
                    "[\"inplace\"]",
                ),
            ),
            (
                "T-BAD.toml",
                &rule("T-BAD", "cluster", "[]", "cluster.mode", "[\"inplace\"]"),
            ),
        ],
    );
    // Topics never collected → unknown, whatever the (empty) list says.
    let i = inv(r#"{"gaps": [{"part": "topics", "reason": "unauthorized"}]}"#);
    assert_eq!(
        run(&set, &i, "T-TOPIC", &["inplace"], None),
        [(Status::Unknown, "cluster".into(), vec!["inplace".into()])]
    );
    // Collected and empty → pass.
    let i = inv(r#"{}"#);
    assert_eq!(
        run(&set, &i, "T-TOPIC", &["inplace"], None)[0].0,
        Status::Pass
    );
    // A broker without a version: the comparison errors → unknown for that broker only.
    let i = inv(
        r#"{"brokers": [{"id": 1, "version": "3.3.2"}, {"id": 2}, {"id": 3, "version": "3.9.0"}]}"#,
    );
    let got = run(&set, &i, "T-ERR", &["inplace"], None);
    assert!(
        got.contains(&(Status::Fail, "broker:1".into(), vec!["inplace".into()])),
        "{got:?}"
    );
    assert!(
        got.contains(&(Status::Unknown, "broker:2".into(), vec!["inplace".into()])),
        "{got:?}"
    );
    assert_eq!(
        got.len(),
        2,
        "broker 3 passes silently, no overall pass while one is unknown: {got:?}"
    );
    // A condition that is not a boolean is unknown, not pass.
    assert_eq!(
        run(&set, &i, "T-BAD", &["inplace"], None)[0].0,
        Status::Unknown
    );
}

#[test]
fn gap_for_one_resource_only_affects_it() {
    let d = tempfile::TempDir::new().unwrap();
    let set = rules(
        d.path(),
        &[(
            "T-CFG.toml",
            &rule(
                "T-CFG",
                "broker",
                "[\"brokers.configs\"]",
                "has_cfg(broker, \"x\")",
                "[\"inplace\"]",
            ),
        )],
    );
    let i = inv(
        r#"{"brokers": [{"id": 1, "configs": {"x": {"value": "1", "source": "STATIC_BROKER_CONFIG"}}}, {"id": 2}],
            "gaps": [{"part": "brokers.configs", "resource": "broker:2", "reason": "timeout"}]}"#,
    );
    let got = run(&set, &i, "T-CFG", &["inplace"], None);
    assert_eq!(got.len(), 2);
    assert!(got.contains(&(Status::Fail, "broker:1".into(), vec!["inplace".into()])));
    assert!(got.contains(&(Status::Unknown, "broker:2".into(), vec!["inplace".into()])));
}

#[test]
fn target_rules_run_per_profile() {
    let d = tempfile::TempDir::new().unwrap();
    let set = rules(
        d.path(),
        &[(
            "T-TGT.toml",
            &rule(
                "T-TGT",
                "cluster",
                "[]",
                "version_ge(target, \"4.0\")",
                "[\"inplace\", \"kafka4\"]",
            ),
        )],
    );
    let i = inv("{}");
    let got = run(&set, &i, "T-TGT", &["inplace", "kafka4"], None);
    assert!(
        got.contains(&(Status::Pass, "cluster".into(), vec!["inplace".into()])),
        "{got:?}"
    );
    assert!(
        got.contains(&(Status::Fail, "cluster".into(), vec!["kafka4".into()])),
        "{got:?}"
    );
    // --target-version applies to every profile.
    let got = run(&set, &i, "T-TGT", &["inplace", "kafka4"], Some("3.9.1"));
    assert_eq!(
        got,
        [(
            Status::Pass,
            "cluster".into(),
            vec!["inplace".into(), "kafka4".into()]
        )]
    );
}

#[test]
fn helper_functions_sort_and_stop() {
    let d = tempfile::TempDir::new().unwrap();
    let set = rules(
        d.path(),
        &[
            ("T-SORT.toml", &rule("T-SORT", "cluster", "[]", "sorted([3, 1, 2]) == [1, 2, 3] && distinct([\"b\", \"a\", \"b\"]) == [\"a\", \"b\"]", "[\"inplace\"]")),
            ("T-STOP.toml", &rule("T-STOP", "cluster", "[]", "unknown(\"cannot be seen\")", "[\"inplace\"]")),
        ],
    );
    let i = inv("{}");
    assert_eq!(
        run(&set, &i, "T-SORT", &["inplace"], None)[0].0,
        Status::Fail
    );
    assert_eq!(
        run(&set, &i, "T-STOP", &["inplace"], None)[0].0,
        Status::Unknown
    );
}
