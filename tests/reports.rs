//! Report formats: Markdown, HTML (also in real headless Chromium), SARIF (against the
//! official 2.1.0 schema), JUnit XML, and the client checklist, on a report built through
//! the library with findings of every status (fail, pass, unknown, waived).
//!
//! The test data: the embedded rule pack plus test-only rules in `tests/fixtures/rules/`
//! (ids `KCTEST-*`), an inventory built here (3 brokers, 30 under-replicated topics, an ACL
//! whose principal carries HTML and Markdown metacharacters, a gap on `scram_users` and on
//! broker 3's configs) and a waivers file with an applied, an expiring, an expired and an
//! unused waiver. Other rules in the pack may add findings; assertions look only at the rules
//! named here, or hold for any finding.
//!
//! The SARIF schema in `tests/fixtures/sarif-schema-2.1.0.json` is the OASIS SARIF 2.1.0
//! JSON schema (`$id` …/oasis-tcs/sarif-spec/…/sarif-schema-2.1.0.json, draft-07) as shipped in
//! the `serde-sarif` 0.8.0 crate on crates.io (`src/schema.json`); it matches the schema in the
//! npm package `@microsoft/jest-sarif` (`lib/schemas/sarif-2.1.0-rtm.5.json`) apart from
//! title, spelling and draft version.

#[path = "browser/cdp.rs"]
mod cdp;

use base64::Engine;
use kraftcheck::audit::{self, AuditOptions, FailOn};
use kraftcheck::findings::Status;
use kraftcheck::inventory::{
    Acl, Broker, ConfigEntry, ConsumerGroup, GroupMember, GroupOffset, Inventory, Partition, Topic,
};
use kraftcheck::report::{self, Format, Report};
use kraftcheck::rules::profiles::ProfileId;
use regex::Regex;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

const EVIL_PRINCIPAL: &str = "User:evil|x<script>alert(1)</script>";
const EVIL_RESOURCE: &str = "orders\n| injected | row |\n# heading </details>";

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(p)
}

fn broker(id: i64, file: &str, cpl: bool) -> Broker {
    let mut configs = BTreeMap::new();
    configs.insert(
        "broker.id".to_string(),
        ConfigEntry {
            value: Some(id.to_string()),
            source: "STATIC_BROKER_CONFIG".into(),
            sensitive: false,
            line: Some(1),
        },
    );
    if cpl {
        configs.insert(
            "control.plane.listener.name".to_string(),
            ConfigEntry {
                value: Some("CONTROLLER".into()),
                source: "STATIC_BROKER_CONFIG".into(),
                sensitive: false,
                line: Some(7),
            },
        );
    }
    Broker {
        id,
        host: format!("kafka-{id}.example.internal"),
        port: 9092,
        version: Some("3.8.1".into()),
        config_file: Some(file.to_string()),
        configs,
        ..Default::default()
    }
}

fn topic(name: &str, isr: Vec<i64>) -> Topic {
    Topic {
        name: name.to_string(),
        partitions: vec![Partition {
            id: 0,
            leader: 1,
            replicas: vec![1, 2, 3],
            isr,
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn acl(principal: &str, name: &str, op: &str) -> Acl {
    Acl {
        principal: principal.into(),
        host: "*".into(),
        resource_type: "TOPIC".into(),
        resource_name: name.into(),
        pattern_type: "LITERAL".into(),
        operation: op.into(),
        permission: "ALLOW".into(),
    }
}

/// `under_replicated` topics named orders-NN with one replica out of sync.
fn inventory(under_replicated: usize) -> Inventory {
    let mut inv = Inventory::new();
    inv.generated_at = "2026-01-10T08:00:00Z".into();
    inv.sources = vec!["config/broker-1.properties".into()];
    inv.cluster.id = Some("Xq3-test-cluster".into());
    inv.cluster.kind = kraftcheck::inventory::ClusterKind::SelfManaged;
    inv.cluster.mode = "zookeeper".into();
    // 3.8: control.plane.listener.name (the brokers' planted blocker) still blocks migration mode.
    inv.cluster.version = Some("3.8.1".into());
    inv.brokers = vec![
        broker(1, "config/broker-1.properties", true),
        broker(2, "config/broker 2.properties", true),
        broker(3, "config/broker-3.properties", true),
    ];
    inv.add_gap(
        "brokers.configs",
        "broker:3",
        kraftcheck::inventory::GapReason::Unauthorized,
        "DescribeConfigs denied",
    );
    inv.add_gap(
        "scram_users",
        "",
        kraftcheck::inventory::GapReason::NotCollected,
        "offline audit",
    );
    for i in 0..under_replicated {
        inv.topics
            .push(topic(&format!("orders-{i:02}"), vec![1, 2]));
    }
    inv.topics.push(topic("payments", vec![1, 2, 3]));
    let mut changelog = topic("billing-app-store-changelog", vec![1, 2, 3]);
    changelog.framework = Some("streams".into());
    inv.topics.push(changelog);
    inv.acls = vec![
        acl("User:alice", "orders", "READ"),
        acl(EVIL_PRINCIPAL, EVIL_RESOURCE, "ALL"),
    ];
    inv.groups = vec![
        ConsumerGroup {
            id: "billing".into(),
            state: "Stable".into(),
            protocol_type: "consumer".into(),
            members: vec![GroupMember {
                client_id: "billing-app".into(),
                host: "/10.1.2.3".into(),
            }],
            offsets: vec![GroupOffset {
                topic: "orders-00".into(),
                partition: 0,
                offset: 42,
                lag: Some(0),
            }],
        },
        ConsumerGroup {
            id: "idle-group".into(),
            state: "Empty".into(),
            protocol_type: "consumer".into(),
            members: vec![],
            offsets: vec![GroupOffset {
                topic: "payments".into(),
                partition: 0,
                offset: 7,
                lag: Some(3),
            }],
        },
    ];
    inv.normalize();
    inv
}

const WAIVERS: &str = r#"
[[waiver]]
rule = "KRAFT-CFG-003"
resource = "broker:2"
reason = "Broker 2 is decommissioned | before the migration"
owner = "platform-team"
expires = 2026-01-15

[[waiver]]
rule = "KCTEST-TOPIC-001"
resource = "topic:orders-07"
reason = "Replica 3 is being rebuilt on new disks"
owner = "storage-team"
expires = 2027-06-30

[[waiver]]
rule = "KCTEST-GRP-001"
resource = "*"
reason = "Old exception"
owner = "someone"
expires = 2025-01-01

[[waiver]]
rule = "NOPE-*"
reason = "Matches nothing"
owner = "nobody"
expires = 2027-01-01
"#;

fn build(under_replicated: usize) -> Report {
    let rules =
        kraftcheck::rules::load_rules(Some(&fixture("rules"))).expect("rules load with fixtures");
    let dir = tempfile::tempdir().unwrap();
    let wpath = dir.path().join("waivers.toml");
    std::fs::write(&wpath, WAIVERS).unwrap();
    let waivers = kraftcheck::waivers::load_waivers(&wpath).expect("waivers load");
    let inv = inventory(under_replicated);
    let opts = AuditOptions {
        profiles: vec![ProfileId::Inplace, ProfileId::NewCluster, ProfileId::Kafka4],
        target: None,
        waivers,
        fail_on: FailOn::Blocking,
        fail_on_unknown: false,
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
        inventory_file: Some(kraftcheck::rules::InventoryFile::new(
            "inventory.json".into(),
            &inv.to_json(),
        )),
        platforms: vec![],
    };
    audit::run(&rules, &inv, &opts)
}

fn status_of(r: &Report, rule: &str, resource: &str) -> Option<Status> {
    r.findings
        .iter()
        .find(|f| f.rule_id == rule && f.resource.id() == resource)
        .map(|f| f.status)
}

/// The test data really has every status, and the verdict the assertions rely on.
#[test]
fn test_report_has_every_status() {
    let r = build(30);
    assert_eq!(
        status_of(&r, "KRAFT-CFG-003", "broker:1"),
        Some(Status::Fail)
    );
    assert_eq!(
        status_of(&r, "KRAFT-CFG-003", "broker:2"),
        Some(Status::Waived)
    );
    assert_eq!(
        status_of(&r, "KRAFT-CFG-003", "broker:3"),
        Some(Status::Unknown)
    );
    assert_eq!(
        status_of(&r, "KCTEST-SCRAM-001", "cluster"),
        Some(Status::Unknown)
    );
    assert_eq!(
        status_of(&r, "KCTEST-CL-001", "cluster"),
        Some(Status::Pass)
    );
    assert_eq!(
        status_of(&r, "KCTEST-GRP-001", "group:idle-group"),
        Some(Status::Fail)
    );
    for s in [Status::Fail, Status::Pass, Status::Unknown, Status::Waived] {
        assert!(r.count(s) > 0, "no {s} finding");
    }
    assert_eq!(r.verdict.as_str(), "blocked");
    let kinds: Vec<&str> = r.waiver_notices.iter().map(|n| n.kind.as_str()).collect();
    for k in ["expiring", "expired", "unused"] {
        assert!(kinds.contains(&k), "no {k} waiver notice in {kinds:?}");
    }
    assert_eq!(r.checklist.len(), 10, "the seed's checklist has 10 items");
}

// ---------------------------------------------------------------------------- Markdown

/// Unescaped `|` in a Markdown table line.
fn cells(line: &str) -> usize {
    let mut n = 0;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => n += 1,
            _ => escaped = false,
        }
    }
    n
}

/// Markdown without fenced code blocks and inline code spans (where text is literal).
fn outside_code(md: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in md.lines() {
        let t = line.trim_start();
        match &fence {
            Some(f) if t.starts_with(f.as_str()) && t.trim_end() == f.as_str() => fence = None,
            Some(_) => {}
            None if t.starts_with("```") => {
                fence = Some(t.chars().take_while(|c| *c == '`').collect());
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    let span = Regex::new(r"(`+)[^`]*?(`+)").unwrap();
    span.replace_all(&out, "").into_owned()
}

#[test]
fn markdown_starts_with_the_verdict_and_lists_every_failing_finding() {
    let r = build(30);
    let md = report::render(Format::named("markdown").unwrap(), &r).unwrap();
    std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("report.md"),
        &md,
    )
    .unwrap();
    let first = md.lines().next().unwrap();
    assert!(
        first.starts_with("# kraftcheck verdict:") && first.ends_with("BLOCKED"),
        "first line: {first}"
    );
    // The verdict per profile with its target version comes before any finding.
    let head = &md[..md.find("\n## ").expect("sections")];
    for p in &r.profiles {
        let row = head
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` ", p.name)))
            .unwrap_or_else(|| panic!("no row for {} in\n{head}", p.name));
        assert!(row.contains(&format!("`{}`", p.target)), "{row}");
        assert!(row.contains(&p.verdict.as_str().to_uppercase()), "{row}");
    }
    let blocking = md.find("## Blocking findings").unwrap();
    let other = md.find("## Other failing findings").unwrap();
    let unknown = md.find("## Unknown").unwrap();
    let waivers = md.find("## Waivers").unwrap();
    assert!(blocking < other && other < unknown && unknown < waivers);
    // The blocking finding, with evidence and remediation, in the blocking section.
    let bsec = &md[blocking..other];
    assert!(bsec.contains("### `KRAFT-CFG-003`"), "{bsec}");
    assert!(bsec.contains("| `broker:1` |"));
    assert!(bsec.contains("`config/broker-1.properties:7`"));
    assert!(bsec.contains("\"value\": \"CONTROLLER\""), "evidence block");
    assert!(bsec.contains("**Remediation:** Remove control.plane.listener.name"));
    // Every failing finding of a rule with few enough resources is named.
    for f in r.findings.iter().filter(|f| f.status == Status::Fail) {
        // As a table cell's code span: newlines become spaces, pipes are escaped.
        let id = f.resource.id().replace('\n', " ").replace('|', "\\|");
        assert!(md.contains(&id), "failing {} {} missing", f.rule_id, id);
    }
    let osec = &md[other..unknown];
    assert!(osec.contains("`KCTEST-TOPIC-001`") && osec.contains("`topic:orders-29`"));
    assert!(osec.contains("[https://kafka.apache.org/documentation/#replication]"));
    // Unknowns and waivers with their reasons; waiver notices.
    let usec = &md[unknown..waivers];
    assert!(usec.contains("KCTEST-SCRAM-001") && usec.contains("`broker:3`"));
    let wsec = &md[waivers..];
    assert!(wsec.contains("Broker 2 is decommissioned \\| before the migration"));
    assert!(wsec.contains("platform-team"));
    for k in ["**expiring**", "**expired**", "**unused**"] {
        assert!(wsec.contains(k), "notice {k}");
    }
    // Checklist sections.
    for s in kraftcheck::report::checklist::SECTIONS {
        assert!(md.contains(&format!("**{s}**")), "checklist section {s}");
    }
    // Hostile data cannot break tables, open HTML or close <details> early.
    let prose = outside_code(&md);
    assert!(!prose.contains("<script>"), "raw HTML from user data");
    assert!(
        !prose.contains("heading </details>"),
        "raw </details> from user data"
    );
    assert!(
        !prose
            .lines()
            .any(|l| l.trim_start().starts_with("# heading")),
        "user data started a heading"
    );
    assert!(
        md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "escaped in prose"
    );
    assert_eq!(
        prose.matches("<details>").count(),
        prose.matches("</details>").count()
    );
    let mut in_table: Option<usize> = None;
    for line in md.lines() {
        if line.starts_with('|') {
            match in_table {
                None => in_table = Some(cells(line)),
                Some(n) => assert_eq!(cells(line), n, "broken table row: {line}"),
            }
        } else {
            in_table = None;
        }
    }
}

// ---------------------------------------------------------------------------- HTML (static)

#[test]
fn html_is_self_contained_and_escapes_user_data() {
    let r = build(30);
    let html = report::render(Format::named("html").unwrap(), &r).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none';"));
    // Nothing that loads anything: no src/srcset/poster/action/data attributes, no CSS url()
    // or @import, no embedded-content elements; the only <link> is the empty data: icon.
    let loaders = Regex::new(
        r#"(?i)\s(src|srcset|poster|action|formaction|data|background|ping|xlink:href)\s*="#,
    )
    .unwrap();
    assert!(loaders.find(&html).is_none(), "{:?}", loaders.find(&html));
    let lower = html.to_ascii_lowercase();
    for bad in [
        "url(", "@import", "<img", "<iframe", "<object", "<embed", "<video", "<audio", "<base",
    ] {
        assert!(!lower.contains(bad), "found {bad}");
    }
    let links: Vec<&str> = Regex::new(r"(?i)<link[^>]*>")
        .unwrap()
        .find_iter(&html)
        .map(|m| m.as_str())
        .collect();
    assert_eq!(links, vec![r#"<link rel="icon" href="data:,">"#]);
    assert_eq!(
        lower.matches("<script").count(),
        1,
        "only our inline script"
    );
    // User data is escaped.
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("User:evil|x&lt;script&gt;alert(1)&lt;"));
    // Verdict first, per profile with target.
    let verdict = html.find("id=\"verdict\"").unwrap();
    assert!(verdict < html.find("id=\"findings\"").unwrap());
    for p in &r.profiles {
        assert!(html.contains(&format!("data-profile=\"{}\"", p.name)));
        assert!(html.contains(&format!("<code>{}</code>", p.target)));
    }
    // The chart's bars carry the failing counts per severity.
    for (sev, n) in r.failing_by_severity() {
        assert!(
            html.contains(&format!("data-severity=\"{sev}\" data-count=\"{n}\"")),
            "bar {sev}={n}"
        );
    }
    for id in [
        "findings",
        "unknown",
        "waived",
        "inventory",
        "checklist",
        "passed",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{id}\"")),
            "section {id}"
        );
    }
    // Rules group their resources: one block for the 29 failing topics, collapsed.
    assert_eq!(html.matches("id=\"fail-KCTEST-TOPIC-001\"").count(), 1);
    assert!(html.contains("<details class=\"rule sev-high st-fail\" id=\"fail-KCTEST-TOPIC-001\">"));
    assert!(html.contains("29 resources"));
    // Waivers, notices and the checklist.
    assert!(html.contains("Broker 2 is decommissioned | before the migration"));
    assert!(html.contains("expires soon"));
    for k in ["expired", "expiring", "unused"] {
        assert!(
            html.contains(&format!("class=\"notice-{k}\"")),
            "notice {k}"
        );
    }
    for i in &r.checklist {
        assert!(html.contains(&format!("ck ck-{}", i.status)));
    }
    assert!(html.contains("Consumer Offsets and State"));
}

/// A rule that fires on 1200 topics: the renderers, not the rule engine, are under test, so
/// the findings are copies of one real finding with other topic names.
fn large_report() -> Report {
    let mut r = build(30);
    let is_topic_fail = |f: &kraftcheck::findings::Finding| {
        f.rule_id == "KCTEST-TOPIC-001" && f.status == Status::Fail
    };
    let template = r
        .findings
        .iter()
        .find(|f| is_topic_fail(f))
        .unwrap()
        .clone();
    r.findings.retain(|f| !is_topic_fail(f));
    for i in 0..1200 {
        let mut f = template.clone();
        f.resource.name = format!("orders-{i:04}");
        f.message = format!("Topic orders-{i:04} has 1 under-replicated partition(s).");
        r.findings.push(f);
    }
    r.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    r
}

#[test]
fn large_rules_stay_one_group_and_name_every_resource() {
    let r = large_report();
    let html = report::render(Format::named("html").unwrap(), &r).unwrap();
    assert_eq!(html.matches("id=\"fail-KCTEST-TOPIC-001\"").count(), 1);
    // 500 detailed rows, the rest by name; every failing topic is named.
    let block = &html[html.find("id=\"fail-KCTEST-TOPIC-001\"").unwrap()..];
    let block = &block[..block.find("</details>\n").unwrap()];
    assert!(block.contains("1200 resources"));
    assert_eq!(
        block.matches("under-replicated partition(s).</td>").count(),
        500
    );
    assert!(block.contains("700 more resources (names only"));
    for i in 0..1200 {
        assert!(
            block.contains(&format!("topic:orders-{i:04}")),
            "orders-{i:04}"
        );
    }
    assert!(html.len() < 3_000_000, "HTML is {} bytes", html.len());
    // Markdown: 50 rows, 10 evidence blocks, 500 more names, then a count.
    let md = report::render(Format::named("markdown").unwrap(), &r).unwrap();
    let start = md.find("### `KCTEST-TOPIC-001`").unwrap();
    let section = &md[start..];
    let section = &section[..section[4..].find("\n#").map_or(section.len(), |i| i + 4)];
    assert_eq!(section.matches("| `topic:orders-").count(), 50);
    assert!(section.contains("<details><summary>1150 more resources</summary>"));
    assert!(section.contains("`topic:orders-0549`") && !section.contains("`topic:orders-0550`"));
    assert!(section.contains("… and 650 more: the HTML, JSON, SARIF and JUnit reports"));
    assert!(section.contains("(first 10 of 1200)"));
    assert!(
        section.len() < 25_000,
        "the rule's section is {} bytes",
        section.len()
    );
}

// ---------------------------------------------------------------------------- HTML (browser)

/// Opens the HTML report in the system's headless Chromium and checks, through the DevTools
/// protocol: the page loads with no console error, no exception and no network request
/// besides the file itself; the inline script ran; the verdict banner and every profile's
/// verdict lie inside the first screen; and in the screenshot (PNG) the banner has the
/// verdict's colour with light text drawn on it. Then the same for a "ready" report (green),
/// and print media: white background, collapsed blocks expanded.
///
/// Why CDP and pixels rather than OCR: the bounding box, `elementFromPoint` (not covered by
/// anything) and the banner's pixel colours are exact and take milliseconds; OCR of a
/// screenshot depends on fonts and tesseract's models and is slow on 2 cores. The whole test
/// takes a few seconds.
/// A new page (1280×800) in `b` with the Page, Runtime, Log and Network domains on; its
/// session id.
fn new_page(b: &mut cdp::Browser) -> String {
    let target = b
        .call(None, "Target.createTarget", json!({"url": "about:blank"}))
        .unwrap();
    let session = b
        .call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        )
        .unwrap()["sessionId"]
        .as_str()
        .unwrap()
        .to_string();
    let s = Some(session.as_str());
    for m in [
        "Page.enable",
        "Runtime.enable",
        "Log.enable",
        "Network.enable",
    ] {
        b.call(s, m, json!({})).unwrap();
    }
    b.call(
        s,
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": false}),
    )
    .unwrap();
    session
}

/// Opens `path` in the page and checks that it loads with no console error, exception,
/// failed load or dialog, and requests nothing but the file itself.
fn open_clean(b: &mut cdp::Browser, session: &str, path: &Path, verdict: &str) {
    let s = Some(session);
    let url = format!("file://{}", path.display());
    let since = b.events.len();
    b.call(s, "Page.navigate", json!({"url": url})).unwrap();
    b.wait_event("Page.loadEventFired", since).unwrap();
    b.settle(Duration::from_millis(300)).unwrap();
    let events: Vec<Value> = b.events[since..]
        .iter()
        .filter(|e| e["sessionId"] == session)
        .cloned()
        .collect();
    // No console errors, exceptions, failed loads or dialogs.
    let mut problems = Vec::new();
    for e in &events {
        let p = &e["params"];
        match e["method"].as_str().unwrap_or("") {
            "Runtime.consoleAPICalled"
                if matches!(p["type"].as_str(), Some("error" | "assert" | "warning")) =>
            {
                problems.push(format!("console {}: {}", p["type"], p["args"]))
            }
            "Runtime.exceptionThrown" => problems.push(format!("exception: {p}")),
            "Log.entryAdded"
                if matches!(p["entry"]["level"].as_str(), Some("error" | "warning")) =>
            {
                problems.push(format!("log: {}", p["entry"]))
            }
            "Network.loadingFailed" => problems.push(format!("load failed: {p}")),
            "Page.javascriptDialogOpening" => problems.push(format!("dialog: {p}")),
            _ => {}
        }
    }
    assert!(problems.is_empty(), "{verdict}: {problems:#?}");
    // No network request except the report itself.
    let requests: Vec<String> = events
        .iter()
        .filter(|e| e["method"] == "Network.requestWillBeSent")
        .map(|e| {
            e["params"]["request"]["url"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .filter(|u| *u != url)
        .collect();
    assert!(requests.is_empty(), "{verdict}: requests {requests:?}");
}

#[test]
fn html_in_headless_chromium() {
    let chromium = cdp::find_chromium().expect(
        "headless Chromium is needed for this test: apt-get install -y chromium (or set CHROMIUM)",
    );
    let r = build(30);
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join("blocked.html");
    std::fs::write(
        &blocked,
        report::render(Format::named("html").unwrap(), &r).unwrap(),
    )
    .unwrap();
    let mut ready = r.clone();
    ready.findings.retain(|f| f.status == Status::Pass);
    ready.verdict = kraftcheck::report::Verdict::Ready;
    for p in &mut ready.profiles {
        p.verdict = kraftcheck::report::Verdict::Ready;
        (p.failing, p.unknown, p.waived) = (0, 0, 0);
    }
    ready.waiver_notices.clear();
    let ready_path = dir.path().join("ready.html");
    std::fs::write(
        &ready_path,
        report::render(Format::named("html").unwrap(), &ready).unwrap(),
    )
    .unwrap();

    // Kept next to the screenshots for a person to look at when the test fails.
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::copy(&blocked, shots.join("report-blocked.html")).unwrap();
    let mut b = cdp::Browser::launch(&chromium).unwrap();
    let session = new_page(&mut b);
    let s = Some(session.as_str());

    for (path, verdict, rgb) in [
        (&blocked, "blocked", [0xb4, 0x23, 0x18]),
        (&ready_path, "ready", [0x06, 0x76, 0x47]),
    ] {
        open_clean(&mut b, &session, path, verdict);
        assert_eq!(
            b.eval(&session, "document.documentElement.dataset.ready")
                .unwrap(),
            json!("true"),
            "the inline script did not run"
        );
        assert_eq!(
            b.eval(&session, "document.querySelectorAll('script').length")
                .unwrap(),
            json!(1)
        );
        if verdict == "blocked" {
            // The filter box narrows the rule blocks; "Expand all" opens every block.
            let shown = b
                .eval(
                    &session,
                    r#"(() => { const i = document.getElementById('filter');
                        i.value = 'kctest-acl'; i.dispatchEvent(new Event('input'));
                        const ids = [...document.querySelectorAll('details.rule')]
                            .filter(d => !d.hidden).map(d => d.id);
                        i.value = ''; i.dispatchEvent(new Event('input'));
                        document.getElementById('expand-all').click();
                        const closed = document.querySelectorAll('details:not([open])').length;
                        document.getElementById('collapse-all').click();
                        return { ids, closed }; })()"#,
                )
                .unwrap();
            assert_eq!(shown["ids"], json!(["fail-KCTEST-ACL-001"]), "{shown}");
            assert_eq!(shown["closed"], json!(0), "{shown}");
        }

        // Geometry: the verdict and each profile verdict are on the first screen, uncovered.
        let geo = b
            .eval(
                &session,
                r#"(() => {
                    const box = (e) => { const r = e.getBoundingClientRect();
                        const c = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                        return { x: r.x, y: r.y, w: r.width, h: r.height, text: e.innerText.trim(),
                                 covered: !(c && (e === c || e.contains(c))) }; };
                    return { vw: innerWidth, vh: innerHeight,
                             verdict: box(document.getElementById('verdict')),
                             banner: box(document.getElementById('verdict-banner')),
                             profiles: [...document.querySelectorAll('.pv')].map(box) };
                })()"#,
            )
            .unwrap();
        let (vw, vh) = (geo["vw"].as_f64().unwrap(), geo["vh"].as_f64().unwrap());
        let inside = |bx: &Value| {
            let (x, y, w, h) = (
                bx["x"].as_f64().unwrap(),
                bx["y"].as_f64().unwrap(),
                bx["w"].as_f64().unwrap(),
                bx["h"].as_f64().unwrap(),
            );
            w > 0.0 && h > 0.0 && x >= 0.0 && y >= 0.0 && x + w <= vw && y + h <= vh
        };
        let v = &geo["verdict"];
        assert_eq!(v["text"], json!(verdict.to_uppercase()));
        assert!(inside(v), "verdict off screen: {geo}");
        assert_eq!(v["covered"], json!(false), "verdict covered: {geo}");
        let profiles = geo["profiles"].as_array().unwrap();
        assert_eq!(profiles.len(), r.profiles.len());
        for p in profiles {
            assert!(inside(p), "profile verdict off screen: {p}");
            assert_eq!(p["covered"], json!(false), "{p}");
        }

        // The screenshot: the banner has the verdict's colour and the verdict word is drawn
        // on it in a light colour.
        let shot = b
            .call(
                s,
                "Page.captureScreenshot",
                json!({"format": "png", "fromSurface": true}),
            )
            .unwrap();
        let png_bytes = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        let shot_path = shots.join(format!("report-{verdict}.png"));
        std::fs::write(&shot_path, &png_bytes).unwrap();
        let img = decode_png(&png_bytes);
        assert_eq!((img.width as f64, img.height as f64), (vw, vh));
        let banner = &geo["banner"];
        let near = |a: [u8; 3], b: [u8; 3], tol: i32| {
            a.iter()
                .zip(b.iter())
                .all(|(x, y)| (i32::from(*x) - i32::from(*y)).abs() <= tol)
        };
        let bx = banner["x"].as_f64().unwrap() as u32 + 6;
        let by = banner["y"].as_f64().unwrap() as u32 + 6;
        assert!(
            near(img.rgb(bx, by), rgb, 6),
            "{verdict}: banner pixel {:?} at ({bx},{by}) is not {:?}; see {}",
            img.rgb(bx, by),
            rgb,
            shot_path.display()
        );
        let (vx, vy, vw2, vh2) = (
            v["x"].as_f64().unwrap() as u32,
            v["y"].as_f64().unwrap() as u32,
            v["w"].as_f64().unwrap() as u32,
            v["h"].as_f64().unwrap() as u32,
        );
        let (mut bg, mut light, mut total) = (0u32, 0u32, 0u32);
        for y in vy..vy + vh2 {
            for x in vx..vx + vw2 {
                let p = img.rgb(x, y);
                total += 1;
                if near(p, rgb, 10) {
                    bg += 1;
                } else if p.iter().all(|c| *c > 200) {
                    light += 1;
                }
            }
        }
        assert!(
            bg * 2 > total && light * 50 > total,
            "{verdict}: verdict box has {bg} banner and {light} light pixels of {total}; see {}",
            shot_path.display()
        );
    }

    // Print media: white page, light banner, collapsed rule blocks expanded.
    b.call(
        s,
        "Page.navigate",
        json!({"url": format!("file://{}", blocked.display())}),
    )
    .unwrap();
    let since = b.events.len();
    b.wait_event("Page.loadEventFired", since.saturating_sub(4))
        .unwrap();
    // A collapsed rule block: its body is not rendered on screen, and is in print.
    let collapsed = r#"(() => { const d = document.getElementById('fail-KCTEST-TOPIC-001');
        return [d.open, d.getBoundingClientRect().height,
                d.querySelector('.rule-body').checkVisibility()]; })()"#;
    let screen = b.eval(&session, collapsed).unwrap();
    assert_eq!(screen[0], json!(false), "{screen}");
    assert_eq!(screen[2], json!(false), "collapsed on screen: {screen}");
    b.call(s, "Emulation.setEmulatedMedia", json!({"media": "print"}))
        .unwrap();
    let print = b.eval(&session, collapsed).unwrap();
    assert_eq!(print[2], json!(true), "expanded in print: {print}");
    assert!(
        print[1].as_f64().unwrap() > screen[1].as_f64().unwrap() + 200.0,
        "screen {screen}, print {print}"
    );
    let colours = b
        .eval(
            &session,
            "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.getElementById('verdict-banner')).backgroundColor]",
        )
        .unwrap();
    assert_eq!(
        colours,
        json!(["rgb(255, 255, 255)", "rgb(255, 255, 255)"]),
        "print background"
    );
    let pdf = b
        .call(s, "Page.printToPDF", json!({"printBackground": true}))
        .unwrap();
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(pdf["data"].as_str().unwrap())
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    std::fs::write(shots.join("report-blocked.pdf"), pdf).unwrap();
}

struct Image {
    width: u32,
    height: u32,
    channels: usize,
    data: Vec<u8>,
}

impl Image {
    fn rgb(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * self.channels;
        [self.data[i], self.data[i + 1], self.data[i + 2]]
    }
}

fn decode_png(bytes: &[u8]) -> Image {
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = dec.read_info().unwrap();
    let mut data = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut data).unwrap();
    let channels = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    data.truncate(info.buffer_size());
    Image {
        width: info.width,
        height: info.height,
        channels,
        data,
    }
}

// ---------------------------------------------------------------------------- SARIF

#[test]
fn sarif_validates_against_the_official_schema() {
    let r = build(30);
    let text = report::render(Format::named("sarif").unwrap(), &r).unwrap();
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    // The schema's own `run.language` pattern (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`)
    // has a stray `]`: a literal in ECMA-262's Annex B syntax, but the validator checks a
    // schema's patterns strictly and refuses to compile it. Escaping it (`\]`) keeps the
    // meaning; nothing else in the schema is touched, and every format (uri, uri-reference,
    // date-time, …) is checked.
    fn fix_patterns(v: &mut Value) -> usize {
        const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
        match v {
            Value::Object(m) => {
                let mut n = 0;
                if m.get("pattern") == Some(&json!(STRAY)) {
                    m.insert("pattern".into(), json!(STRAY.replace("}]?", "}\\]?")));
                    n += 1;
                }
                n + m.values_mut().map(fix_patterns).sum::<usize>()
            }
            Value::Array(a) => a.iter_mut().map(fix_patterns).sum(),
            _ => 0,
        }
    }
    let mut schema = schema;
    assert!(fix_patterns(&mut schema) >= 1);
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
    // The validator does reject invalid SARIF (so the check above can fail).
    let mut bad = sarif.clone();
    bad["runs"][0]["results"][0]["level"] = json!("fatal");
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        json!(0);
    assert!(validator.iter_errors(&bad).count() >= 2);

    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &sarif["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "kraftcheck");
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|x| x["id"].as_str().unwrap()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "one descriptor per rule");
    for f in &r.findings {
        assert!(
            ids.contains(&f.rule_id.as_str()),
            "no descriptor for {}",
            f.rule_id
        );
    }
    let topic = rules
        .iter()
        .find(|x| x["id"] == "KCTEST-TOPIC-001")
        .unwrap();
    assert_eq!(
        topic["helpUri"],
        "https://kafka.apache.org/documentation/#replication"
    );
    assert!(topic["help"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Bring every replica back"));
    assert_eq!(topic["properties"]["severity"], "high");
    assert_eq!(
        topic["properties"]["profiles"],
        json!(["inplace", "new-cluster"])
    );

    let results = run["results"].as_array().unwrap();
    let expected = r
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .count();
    assert_eq!(results.len(), expected, "fail, waived and unknown results");
    for res in results {
        let loc = &res["locations"][0]["physicalLocation"];
        assert!(
            !loc["artifactLocation"]["uri"].as_str().unwrap().is_empty(),
            "{res}"
        );
        assert!(loc["region"]["startLine"].as_i64().unwrap() >= 1, "{res}");
        assert_eq!(
            res["partialFingerprints"]["kraftcheckFinding/v1"]
                .as_str()
                .unwrap()
                .len(),
            32
        );
        let rule_index = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[rule_index]["id"], res["ruleId"]);
        assert!(res["properties"]["jsonPointer"].is_string());
    }
    let find = |rule: &str, resource: &str| {
        results
            .iter()
            .find(|x| x["ruleId"] == rule && x["properties"]["resource"] == resource)
            .unwrap_or_else(|| panic!("no result {rule} {resource}"))
    };
    let b1 = find("KRAFT-CFG-003", "broker:1");
    assert_eq!(b1["level"], "error");
    assert_eq!(b1["kind"], "fail");
    let loc = &b1["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "config/broker-1.properties");
    assert_eq!(loc["region"]["startLine"], 7);
    assert_eq!(
        b1["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "broker:1"
    );
    let b2 = find("KRAFT-CFG-003", "broker:2");
    assert_eq!(
        b2["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "config/broker%202.properties"
    );
    let sup = &b2["suppressions"][0];
    assert_eq!(sup["kind"], "external");
    assert_eq!(sup["status"], "accepted");
    assert!(sup["justification"]
        .as_str()
        .unwrap()
        .contains("Broker 2 is decommissioned"));
    let b3 = find("KRAFT-CFG-003", "broker:3");
    assert_eq!(b3["level"], "none");
    assert_eq!(b3["kind"], "review");
    assert_eq!(
        find(
            "KCTEST-ACL-001",
            &format!("acl:ALLOW {EVIL_PRINCIPAL} ALL TOPIC:LITERAL:{EVIL_RESOURCE} from *")
        )["level"],
        "warning"
    );
    assert_eq!(find("KCTEST-GRP-001", "group:idle-group")["level"], "note");
    // Topics have no file of their own: they point into the inventory file, at their line.
    let t = find("KCTEST-TOPIC-001", "topic:orders-03");
    let tl = &t["locations"][0]["physicalLocation"];
    assert_eq!(tl["artifactLocation"]["uri"], "inventory.json");
    assert!(tl["region"]["startLine"].as_i64().unwrap() > 1);
    // Topics are sorted by name: billing-app-store-changelog, orders-00, …
    assert_eq!(t["properties"]["jsonPointer"], "/topics/4");
    // Without any file to point at, results still get a (placeholder) physical location.
    let mut bare = r.clone();
    bare.inventory_file = None;
    bare.summary.sources.clear();
    for f in &mut bare.findings {
        f.location.file = None;
        f.location.line = None;
    }
    let bare: Value =
        serde_json::from_str(&report::render(Format::named("sarif").unwrap(), &bare).unwrap())
            .unwrap();
    assert_eq!(validator.iter_errors(&bare).count(), 0);
    for res in bare["runs"][0]["results"].as_array().unwrap() {
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "inventory.json");
        assert_eq!(loc["region"]["startLine"], 1);
        assert_eq!(res["properties"]["locationIsPlaceholder"], true);
    }
    // Fingerprints are stable between runs and differ between resources.
    let again: Value =
        serde_json::from_str(&report::render(Format::named("sarif").unwrap(), &build(30)).unwrap())
            .unwrap();
    assert_eq!(
        again["runs"][0]["results"][0]["partialFingerprints"],
        results[0]["partialFingerprints"]
    );
    assert_ne!(
        find("KCTEST-TOPIC-001", "topic:orders-03")["partialFingerprints"],
        find("KCTEST-TOPIC-001", "topic:orders-04")["partialFingerprints"]
    );
}

// ---------------------------------------------------------------------------- JUnit

#[test]
fn junit_is_valid_xml_with_a_case_per_rule_and_resource() {
    let r = build(30);
    let xml = report::render(Format::named("junit").unwrap(), &r).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let cases: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), r.findings.len());
    let with = |tag: &str| {
        cases
            .iter()
            .filter(|c| c.children().any(|x| x.has_tag_name(tag)))
            .count()
    };
    assert_eq!(with("failure"), r.count(Status::Fail));
    assert_eq!(
        with("skipped"),
        r.count(Status::Waived) + r.count(Status::Unknown)
    );
    assert_eq!(
        root.attribute("tests").unwrap(),
        r.findings.len().to_string()
    );
    assert_eq!(
        root.attribute("failures").unwrap(),
        r.count(Status::Fail).to_string()
    );
    // One suite per area, named after it; cases carry the rule and area in the class name.
    let suites: Vec<&str> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    for area in ["config", "health", "security", "clients"] {
        assert!(
            suites.contains(&format!("kraftcheck.{area}").as_str()),
            "{suites:?}"
        );
    }
    let case = |name: &str| {
        *cases
            .iter()
            .find(|c| c.attribute("name") == Some(name))
            .unwrap_or_else(|| panic!("no case {name}"))
    };
    let b1 = case("KRAFT-CFG-003 broker:1");
    assert_eq!(
        b1.attribute("classname"),
        Some("kraftcheck.config.KRAFT-CFG-003")
    );
    let fail = b1.children().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(fail.attribute("type"), Some("blocking"));
    assert!(fail.attribute("message").unwrap().contains("broker:1"));
    let body = fail.text().unwrap();
    assert!(body.contains("value: CONTROLLER") && body.contains("remediation: Remove"));
    let skip = |name: &str| {
        case(name)
            .children()
            .find(|n| n.has_tag_name("skipped"))
            .unwrap_or_else(|| panic!("{name} not skipped"))
            .attribute("message")
            .unwrap()
            .to_string()
    };
    assert!(skip("KRAFT-CFG-003 broker:2").starts_with("waived: Broker 2 is decommissioned"));
    assert!(skip("KRAFT-CFG-003 broker:3").starts_with("unknown: "));
    assert!(skip("KCTEST-SCRAM-001 cluster").starts_with("unknown: "));
    let pass = case("KCTEST-CL-001 cluster");
    assert!(!pass
        .children()
        .any(|n| n.has_tag_name("failure") || n.has_tag_name("skipped")));
    // Hostile data survives as text.
    let evil = format!("KCTEST-ACL-001 acl:ALLOW {EVIL_PRINCIPAL} ALL");
    assert!(cases
        .iter()
        .any(|c| c.attribute("name").unwrap().starts_with(&evil)));
}

// ---------------------------------------------------------------------------- checklist

#[test]
fn checklist_is_marked_from_the_inventory() {
    let r = build(30);
    let item = |start: &str| {
        r.checklist
            .iter()
            .find(|i| i.item.starts_with(start))
            .unwrap_or_else(|| panic!("no item {start}"))
    };
    for s in kraftcheck::report::checklist::SECTIONS {
        assert!(r.checklist.iter().any(|i| i.section == s), "{s}");
    }
    let acls = item("Reapply IAM roles, ACLs");
    assert_eq!(acls.status, "todo");
    assert!(acls.detail.contains("2 ACLs"), "{}", acls.detail);
    assert!(
        acls.detail.contains("scram_users"),
        "gap named: {}",
        acls.detail
    );
    let offsets = item("Migrate consumer offsets");
    assert_eq!(offsets.status, "todo");
    assert!(offsets
        .detail
        .contains("2 consumer groups have committed offsets"));
    let state = item("For stateful stream processing");
    assert_eq!(state.status, "todo");
    assert!(state.detail.contains("billing-app-store-changelog"));
    // No client data was collected: compatibility is unknown, never done.
    assert_ne!(item("Validate that client libraries").status, "done");
    assert_eq!(item("Run integration tests").status, "manual");
    assert!(r.checklist.iter().all(|i| !i.detail.is_empty()));
}

// ---------------------------------------------------------------------------- CLI

#[test]
fn cli_writes_every_report_format() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inventory.json");
    std::fs::write(&inv, inventory(3).to_json()).unwrap();
    let out = dir.path().join("out");
    let assert = assert_cmd::Command::cargo_bin("kraftcheck")
        .unwrap()
        .args(["audit", "--inventory"])
        .arg(&inv)
        .arg("--rules")
        .arg(fixture("rules"))
        .args([
            "--profile",
            "inplace",
            "-f",
            "markdown",
            "-f",
            "html",
            "-f",
            "sarif",
            "-f",
            "junit",
            "-o",
        ])
        .arg(&out)
        .assert();
    assert.code(1);
    let md = std::fs::read_to_string(out.join("kraftcheck.md")).unwrap();
    assert!(md.starts_with("# kraftcheck verdict: ⛔ BLOCKED"));
    let html = std::fs::read_to_string(out.join("kraftcheck.html")).unwrap();
    assert!(html.contains("id=\"verdict\" data-verdict=\"blocked\""));
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("kraftcheck.sarif")).unwrap())
            .unwrap();
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
    let xml = std::fs::read_to_string(out.join("kraftcheck.junit.xml")).unwrap();
    roxmltree::Document::parse(&xml).unwrap();
    // Severity of the failing finding the verdict rests on.
    assert!(md.contains("**blocking**"));
}

/// A synthetic cluster (src/inventory/synth.rs) audited with every profile: thousands of
/// failing topics. The HTML report stays small, opens cleanly in headless Chromium, and shows
/// one block per rule (at most 500 detailed rows each), naming every failing resource.
/// `benches/scale.sh` does the same at a million partitions and prints the numbers.
#[test]
fn synthetic_cluster_report_groups_thousands_of_findings() {
    let chromium = cdp::find_chromium().expect(
        "headless Chromium is needed for this test: apt-get install -y chromium (or set CHROMIUM)",
    );
    let inv = kraftcheck::inventory::synth::synthetic(60_000);
    let rules = kraftcheck::rules::load_rules(None).unwrap();
    let opts = AuditOptions {
        profiles: vec![
            ProfileId::Inplace,
            ProfileId::Kafka4,
            ProfileId::NewCluster,
            ProfileId::MskInplace,
        ],
        target: None,
        waivers: vec![],
        fail_on: FailOn::Blocking,
        fail_on_unknown: false,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        inventory_file: None,
        platforms: vec![],
    };
    let r = audit::run(&rules, &inv, &opts);
    let failing: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    let mut rules_failing: Vec<&str> = failing.iter().map(|f| f.rule_id.as_str()).collect();
    rules_failing.sort();
    rules_failing.dedup();
    let topics_failing = failing
        .iter()
        .filter(|f| f.resource.kind == "topic")
        .count();
    assert!(
        topics_failing >= 3000,
        "{topics_failing} failing topic findings"
    );
    let html = report::render(Format::named("html").unwrap(), &r).unwrap();
    assert!(
        html.len() < 8 * 1024 * 1024,
        "HTML is {} bytes for {} failing findings",
        html.len(),
        failing.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("synthetic.html");
    std::fs::write(&path, &html).unwrap();
    let mut b = cdp::Browser::launch(&chromium).unwrap();
    let session = new_page(&mut b);
    open_clean(&mut b, &session, &path, "synthetic");
    let page = b
        .eval(
            &session,
            r#"(() => {
                const blocks = [...document.querySelectorAll('details.rule.st-fail')];
                return {
                    ids: blocks.map(d => d.id.replace('fail-', '')),
                    most_rows: Math.max(...blocks.map(d => d.querySelectorAll('table.res tbody tr').length)),
                    named: blocks.map(d => d.querySelectorAll('table.res tbody tr').length
                        + d.querySelectorAll('ul.names li').length).reduce((a, b) => a + b, 0),
                    open: blocks.filter(d => d.open).length,
                    verdict: document.getElementById('verdict').innerText.trim(),
                };
            })()"#,
        )
        .unwrap();
    let mut ids: Vec<String> = serde_json::from_value(page["ids"].clone()).unwrap();
    ids.sort();
    assert_eq!(ids, rules_failing, "one block per failing rule: {page}");
    assert!(page["most_rows"].as_u64().unwrap() <= 500, "{page}");
    assert_eq!(page["named"], json!(failing.len()), "{page}");
    assert_eq!(page["verdict"], json!("BLOCKED"), "{page}");
}
