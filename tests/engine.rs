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
        platforms: vec![],
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

/// The inventory reaches CEL as our own shared map values and lazily read partitions
/// (src/rules/celval.rs): every map operator must behave as on a built-in map.
#[test]
fn inventory_values_behave_like_cel_maps() {
    let conditions = [
        "topic.partitions[0].replicas == [1, 2, 3]",
        "!has(topic.partitions[0].log_end_offset) && has(topic.partitions[1].log_end_offset)",
        "!has(topic.partitions[0].adding_replicas) && topic.partitions[1].adding_replicas == [4]",
        "size(topic.partitions[0]) == 4 && size(topic.partitions[1]) == 6",
        "\"isr\" in topic.partitions[0] && !(\"nope\" in topic.partitions[0])",
        "topic.partitions[0].exists(k, k == \"leader\") && topic.partitions[0].all(k, k != \"log_end_offset\")",
        "topic.partitions.map(p, p.id) == [0, 1]",
        "size(topic.partitions) == 2 && topic.partitions == topics[0].partitions && topic.partitions != topics[1].partitions",
        "topic.partitions[0] in topic.partitions && !(topics[1].partitions[0] in topic.partitions)",
        "topic.partitions.exists(p, p.leader == 2) && topic.partitions.all(p, p.leader > 0) && topic.partitions.exists_one(p, p.id == 1)",
        "size(topic.partitions.filter(p, size(p.isr) < size(p.replicas))) == 1",
        "topic.partitions[1] == {\"id\": 1, \"leader\": 2, \"replicas\": [2, 3, 4], \"isr\": [2, 3], \"adding_replicas\": [4], \"log_end_offset\": 42}",
        "topic.partitions[0] != topic.partitions[1] && topic.partitions[0] == topics[0].partitions[0]",
        "topic == topics[0] && inv.topics[0] == topic && topic != topics[1]",
        "topic.configs[\"retention.ms\"].value == \"1000\" && \"retention.ms\" in topic.configs",
        "cfg(topic, \"retention.ms\") == \"1000\" && cfg(topic, \"x\") == null && cfg_or(topic, \"x\", \"d\") == \"d\"",
        "has_cfg(topic, \"retention.ms\") && !has_cfg(topic, \"x\") && cfg_source(topic, \"retention.ms\") == \"DYNAMIC_TOPIC_CONFIG\"",
        "topic.configs.exists(k, k == \"retention.ms\") && size(topic.configs) == 1",
        "topics.exists(t, t.name == \"orders\") && topics.map(t, t.name) == [\"orders\", \"audit\"]",
        "sorted(topic.replica_brokers) == [1, 2, 3, 4] && distinct(topics.map(t, t.partition_count)) == [1, 2]",
        "topic.replica_brokers.map(b, string(b)).join(\",\") == \"1,2,3,4\" && cluster.kind == \"self-managed\"",
        "has(topic.name) && !has(topic.nope) && has(topic.partitions[0].isr)",
    ];
    let d = tempfile::TempDir::new().unwrap();
    let files: Vec<(String, String)> = conditions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let id = format!("T-VAL-{i:02}");
            let mut text = rule(&id, "topic", "[]", c, "[\"inplace\"]");
            text.push_str("[evidence]\np = 'topic.partitions[size(topic.partitions) - 1]'\nt = 'topic.name'\n");
            (format!("{id}.toml"), text)
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let set = rules(d.path(), &refs);
    let i = inv(
        r#"{"cluster": {"kind": "self-managed"}, "brokers": [{"id": 1}, {"id": 2}],
        "topics": [
          {"name": "orders", "configs": {"retention.ms": {"value": "1000", "source": "DYNAMIC_TOPIC_CONFIG"}},
           "partitions": [{"id": 0, "leader": 1, "replicas": [1, 2, 3], "isr": [1, 2, 3]},
                          {"id": 1, "leader": 2, "replicas": [2, 3, 4], "isr": [2, 3], "adding_replicas": [4], "log_end_offset": 42}]},
          {"name": "audit", "partitions": [{"id": 0, "leader": 1, "replicas": [1], "isr": [1]}]}]}"#,
    );
    for (n, c) in conditions.iter().enumerate() {
        let id = format!("T-VAL-{n:02}");
        let opts = EvalOptions {
            profiles: vec!["inplace".into()],
            target: None,
            inventory_file: None,
            only: Some(id.clone()),
            platforms: vec![],
        };
        let found = evaluate(&set, &i, &opts);
        let orders = found
            .iter()
            .find(|f| f.resource.id() == "topic:orders")
            .unwrap_or_else(|| panic!("{id} `{c}` did not fire for orders: {found:?}"));
        assert_eq!(
            orders.status,
            Status::Fail,
            "{id} `{c}`: {:?}",
            orders.message
        );
        assert_eq!(
            orders.evidence["p"],
            serde_json::json!({"id": 1, "leader": 2, "replicas": [2, 3, 4], "isr": [2, 3], "adding_replicas": [4], "log_end_offset": 42}),
            "{id}: evidence is the partition as JSON"
        );
    }
}

/// A partition index past the end is an evaluation error: unknown, never pass.
#[test]
fn partition_index_out_of_range_is_unknown() {
    let d = tempfile::TempDir::new().unwrap();
    let set = rules(
        d.path(),
        &[(
            "T-OOB.toml",
            &rule(
                "T-OOB",
                "topic",
                "[]",
                "topic.partitions[7].leader == 1",
                "[\"inplace\"]",
            ),
        )],
    );
    let i = inv(
        r#"{"topics": [{"name": "orders", "partitions": [{"id": 0, "leader": 1, "replicas": [1], "isr": [1]}]}]}"#,
    );
    let found = run(&set, &i, "T-OOB", &["inplace"], None);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, Status::Unknown, "{found:?}");
}
