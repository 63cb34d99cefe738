//! HTML: one self-contained file (inline CSS, no script, no network) from
//! `report-templates/diff.html`; minijinja escapes every value (the name ends in `.html`).

use super::{Category, Diff, Item, Status};
use minijinja::value::Serde;
use minijinja::Environment;
use serde::Serialize;

const TEMPLATE: &str = include_str!("../../report-templates/diff.html");

#[derive(Serialize)]
struct Row<'a> {
    category: &'a str,
    label: &'a str,
    counts: &'a super::Counts,
}

#[derive(Serialize)]
struct Section<'a> {
    id: &'static str,
    title: &'static str,
    open: bool,
    items: Vec<&'a Item>,
}

pub fn render(diff: &Diff) -> anyhow::Result<String> {
    let mut env = Environment::new();
    env.add_template("diff.html", TEMPLATE)?;
    let tmpl = env.get_template("diff.html")?;
    let rows: Vec<Row> = diff
        .categories
        .iter()
        .filter(|(_, n)| n.compared > 0)
        .map(|(c, n)| Row {
            category: c.as_str(),
            label: c.label(),
            counts: n,
        })
        .collect();
    let sections = vec![
        Section {
            id: "losses",
            title: "Missing, changed or not comparable on the new side",
            open: true,
            items: diff.failing().collect(),
        },
        Section {
            id: "added",
            title: "Only on the new side",
            open: false,
            items: diff.with_status(Status::Added).collect(),
        },
        Section {
            id: "expected",
            title: "Expected differences (by design of the migration)",
            open: false,
            items: diff.with_status(Status::Expected).collect(),
        },
        Section {
            id: "info",
            title: "Other differences (not losses)",
            open: false,
            items: diff.with_status(Status::Info).collect(),
        },
    ];
    let labels: std::collections::BTreeMap<&str, &str> = Category::ALL
        .iter()
        .map(|c| (c.as_str(), c.label()))
        .collect();
    let ctx = minijinja::context! {
        diff => Serde(diff),
        headline => diff.headline(),
        path_label => diff.path.label(),
        rows => Serde(rows),
        sections => Serde(sections),
        labels => Serde(labels),
        exit_code => diff.exit_code(),
    };
    let mut out = tmpl.render(ctx)?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}
