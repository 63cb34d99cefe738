//! Broker load caps (issue 15): `--max-requests-per-sec` spaces every Kafka request kraftcheck
//! sends, `--max-in-flight` bounds those outstanding at once; bad values exit 2. Against the rig's
//! zk39 (`rig/rig.sh up zk39`; scripts/test-all starts it). Also without a rig: the nesting bound
//! on rule expressions (issue 15), which keeps a hostile `--rules` file off CEL's recursive parser.

use std::time::Instant;

fn kc() -> std::process::Command {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("kraftcheck"))
}

fn bootstrap() -> String {
    std::env::var("KRAFTCHECK_RIG_ZK39_BOOTSTRAP")
        .expect("KRAFTCHECK_RIG_ZK39_BOOTSTRAP (eval \"$(rig/rig.sh env)\")")
}

/// Requests the collect sent, from its `KRAFTCHECK_DEBUG` lines: the capped ones, so not the
/// connection handshake (ApiVersions, SASL), which is part of opening a connection.
fn sent(stderr: &str) -> u64 {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("kraftcheck: debug: sent "))
        .filter(|l| !l.contains("AWS"))
        .filter(|l| !l.contains(" ApiVersions ") && !l.contains(" Sasl"))
        .filter_map(|l| l.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

#[test]
fn a_request_rate_cap_spaces_the_requests() {
    let rate = 20.0;
    let t = Instant::now();
    let out = kc()
        .env("KRAFTCHECK_DEBUG", "1")
        .args(["collect", "--bootstrap-server", &bootstrap()])
        .args(["--max-requests-per-sec", "20", "--max-in-flight", "2"])
        .output()
        .unwrap();
    let took = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let n = sent(&stderr);
    assert!(n >= 10, "only {n} requests counted: {stderr}");
    // n request starts at least 1/rate apart.
    let floor = (n - 1) as f64 / rate;
    assert!(took >= floor, "{n} requests in {took:.2} s at {rate}/s");
}

#[test]
fn bad_cap_values_exit_2() {
    for args in [
        &["--max-requests-per-sec", "0"][..],
        &["--max-requests-per-sec=-3"],
        &["--max-requests-per-sec", "inf"],
        &["--max-in-flight", "0"],
    ] {
        let out = kc()
            .args(["collect", "--bootstrap-server", "127.0.0.1:1"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        let flag = args[0].split('=').next().unwrap();
        assert!(stderr.contains(flag), "{stderr}");
        assert!(out.stdout.is_empty());
    }
}

/// A rule file whose `when` is `when`, in a fresh directory.
fn rule_dir(when: &str) -> tempfile::TempDir {
    let tmp = tempfile::TempDir::new().unwrap();
    let rule = format!(
        r#"
id = "TEST-NEST-001"
title = "test rule"
severity = "low"
area = "config"
profiles = ["inplace"]
when = '''{when}'''
message = "x"
why = "w"
remediation = "r"
references = ["KIP-866"]
"#
    );
    std::fs::write(tmp.path().join("deep.toml"), rule).unwrap();
    tmp
}

#[test]
fn a_deeply_nested_rule_expression_is_refused_at_load() {
    use kraftcheck::rules::MAX_CEL_NESTING;
    let n = 10_000;
    for (what, when) in [
        (
            "parentheses",
            format!("{}true{}", "(".repeat(n), ")".repeat(n)),
        ),
        ("negations", format!("{}true", "!".repeat(n))),
        (
            "lists",
            format!("size({}{}) > 0", "[".repeat(n), "]".repeat(n)),
        ),
        (
            "maps",
            format!("size({}1{}) > 0", "{1: ".repeat(n), "}".repeat(n)),
        ),
        (
            "conditionals",
            format!("{}true", "true ? true : ".repeat(n)),
        ),
    ] {
        let dir = rule_dir(&when);
        let t = Instant::now();
        let out = kc()
            .args(["rules", "test"])
            .arg(dir.path())
            .output()
            .unwrap();
        let took = t.elapsed().as_secs_f64();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
        let want = format!(
            "deep.toml:7: field `when`: expression nested deeper than {MAX_CEL_NESTING} levels"
        );
        assert!(stderr.contains(&want), "{what}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        // Loading the embedded pack dominates; the scan itself is one pass.
        assert!(took < 60.0, "{what}: {took:.1} s");
    }
}

#[test]
fn a_rule_expression_nested_up_to_the_bound_loads() {
    use kraftcheck::rules::MAX_CEL_NESTING;
    let n = MAX_CEL_NESTING;
    for when in [
        format!("{}true{}", "(".repeat(n), ")".repeat(n)),
        format!("size({}{}) > 0", "[".repeat(n - 1), "]".repeat(n - 1)),
        format!("{}true{}", "!(".repeat(n / 2), ")".repeat(n / 2)),
    ] {
        let dir = rule_dir(&when);
        let out = kc()
            .args(["rules", "list", "--rules"])
            .arg(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{when}: {stderr}");
    }
}
