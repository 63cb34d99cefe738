//! JUnit XML for CI dashboards: one test suite per category (`kraftcheck-diff.<category>`),
//! one test case per difference (`missing`/`changed` → failure, `unknown` → skipped, never a
//! pass; `added`/`expected`/`info` → a passing case with the detail as output), and one passing
//! case per category for the items that compared equal.

use super::{Diff, Item, Status};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

fn case(i: &Item) -> TestCase {
    let details = format!(
        "{}\n\ncategory: {}\nresource: {}\n{}{}{}{}",
        i.message,
        i.category.as_str(),
        i.resource,
        if i.key.is_empty() {
            String::new()
        } else {
            format!("key:      {}\n", i.key)
        },
        i.old
            .as_ref()
            .map(|o| format!("old:      {o}\n"))
            .unwrap_or_default(),
        i.new
            .as_ref()
            .map(|n| format!("new:      {n}\n"))
            .unwrap_or_default(),
        if i.pointer.is_empty() {
            String::new()
        } else {
            format!("pointer:  {}\n", i.pointer)
        },
    );
    let status = match i.status {
        Status::Missing | Status::Changed => {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            st.set_message(i.message.clone())
                .set_type(i.status.as_str())
                .set_description(details.clone());
            st
        }
        Status::Unknown => {
            let mut st = TestCaseStatus::skipped();
            st.set_message(format!("unknown: {}", i.message))
                .set_type("unknown")
                .set_description(details.clone());
            st
        }
        Status::Added | Status::Expected | Status::Info => TestCaseStatus::success(),
    };
    let mut tc = TestCase::new(format!("{} {}", i.status.as_str(), i.what()), status);
    tc.set_classname(format!("kraftcheck-diff.{}", i.category.as_str()));
    tc.add_property(Property::new("status", i.status.as_str()));
    tc.add_property(Property::new("resource", i.resource.clone()));
    if matches!(i.status, Status::Added | Status::Expected | Status::Info) {
        tc.set_system_out(details);
    }
    tc
}

pub fn render(diff: &Diff) -> anyhow::Result<String> {
    let mut junit = quick_junit::Report::new("kraftcheck-diff");
    let stamp = chrono::DateTime::parse_from_rfc3339(&diff.generated_at).ok();
    if let Some(t) = stamp {
        junit.set_timestamp(t);
    }
    for (c, n) in &diff.categories {
        if n.compared == 0 {
            continue;
        }
        let mut suite = TestSuite::new(format!("kraftcheck-diff.{}", c.as_str()));
        if let Some(t) = stamp {
            suite.set_timestamp(t);
        }
        suite.add_property(Property::new("category", c.label()));
        suite.add_property(Property::new("path", diff.path.as_str()));
        suite.add_property(Property::new("verdict", diff.verdict.clone()));
        if n.same > 0 {
            let mut tc = TestCase::new(
                format!("{} items equal on both sides", n.same),
                TestCaseStatus::success(),
            );
            tc.set_classname(format!("kraftcheck-diff.{}", c.as_str()));
            suite.add_test_case(tc);
        }
        suite.add_test_cases(diff.items.iter().filter(|i| i.category == *c).map(case));
        junit.add_test_suite(suite);
    }
    let mut s = junit.to_string()?;
    if !s.ends_with('\n') {
        s.push('\n');
    }
    Ok(s)
}
