//! SARIF 2.1.0: one result per loss, so code scanning shows what the new side lacks.
//!
//! - One rule per category that has a result (`kraftcheck-diff/<category>`).
//! - `missing` and `changed` items are results with level `error`; `unknown` items (a
//!   category that could not be compared) have `kind: "review"` and level `none`.
//! - `added`, `expected` and `info` items are not results; every count is in the run's
//!   properties.
//! - Each result points at the old inventory file (where the lost item is recorded) and the
//!   line of its JSON pointer; with a live old side, a placeholder file name
//!   (`properties.locationIsPlaceholder`). `partialFingerprints` hash category, resource and key.

use super::{Diff, DiffOptions, Item, Status};
use crate::report::sarif::{fingerprint, path_to_uri, SCHEMA_URI};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The part of a pointer the line index knows (depth 2; depth 4 under /brokers).
fn indexed(pointer: &str) -> String {
    let depth = if pointer.starts_with("/brokers") {
        4
    } else {
        2
    };
    pointer
        .split('/')
        .skip(1)
        .take(depth)
        .fold(String::new(), |acc, t| format!("{acc}/{t}"))
}

pub fn render(diff: &Diff, opts: &DiffOptions) -> anyhow::Result<String> {
    let failing: Vec<&Item> = diff.failing().collect();
    let mut rule_ids: Vec<&'static str> = failing.iter().map(|i| i.category.as_str()).collect();
    rule_ids.sort();
    rule_ids.dedup();
    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|c| {
            let label = super::Category::ALL
                .iter()
                .find(|x| x.as_str() == *c)
                .map(|x| x.label())
                .unwrap_or(c);
            json!({
                "id": format!("kraftcheck-diff/{c}"),
                "name": format!("DiffLoss{}", c.split('-').map(|w| {
                    let mut s = w.to_string();
                    if let Some(f) = s.get_mut(0..1) { f.make_ascii_uppercase(); }
                    s
                }).collect::<String>()),
                "shortDescription": {"text": format!("{label}: missing or changed on the new side")},
                "fullDescription": {"text": format!("kraftcheck diff compares {} of the old and the new cluster; a result is an item the new side lacks or changed.", label.to_lowercase())},
                "defaultConfiguration": {"level": "error"},
                "help": {"text": "Re-create the item on the new cluster (or explain the difference), then collect the new inventory again and re-run kraftcheck diff."},
                "properties": {"category": c}
            })
        })
        .collect();
    let (file, placeholder) = if opts.old_lines.is_some() {
        (opts.old_source.clone(), false)
    } else {
        ("old-inventory.json".to_string(), true)
    };
    let lines = opts.old_lines.as_ref();
    let results: Vec<Value> = failing
        .iter()
        .map(|i| {
            let line = lines
                .and_then(|l| l.get(&indexed(&i.pointer)).or_else(|| l.get("")))
                .unwrap_or(1)
                .max(1);
            let rule = format!("kraftcheck-diff/{}", i.category.as_str());
            let index = rule_ids.iter().position(|c| *c == i.category.as_str()).unwrap_or(0);
            let mut props: BTreeMap<&str, Value> = BTreeMap::new();
            props.insert("status", json!(i.status.as_str()));
            props.insert("category", json!(i.category.as_str()));
            props.insert("resource", json!(i.resource));
            if !i.key.is_empty() {
                props.insert("key", json!(i.key));
            }
            if let Some(o) = &i.old {
                props.insert("old", json!(o));
            }
            if let Some(n) = &i.new {
                props.insert("new", json!(n));
            }
            if !i.pointer.is_empty() {
                props.insert("pointer", json!(i.pointer));
            }
            if placeholder {
                props.insert("locationIsPlaceholder", json!(true));
            }
            let mut r = json!({
                "ruleId": rule,
                "ruleIndex": index,
                "message": {"text": i.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": path_to_uri(&file)},
                        "region": {"startLine": line}
                    },
                    "logicalLocations": [{"fullyQualifiedName": i.what(), "kind": "resource"}]
                }],
                "partialFingerprints": {
                    "kraftcheckDiff/v1": fingerprint(i.category.as_str(), &format!("{}\u{0}{}", i.resource, i.key))
                },
                "properties": props
            });
            if i.status == Status::Unknown {
                r["kind"] = json!("review");
                r["level"] = json!("none");
            } else {
                r["level"] = json!("error");
            }
            r
        })
        .collect();
    let mut counts = serde_json::Map::new();
    for (c, n) in &diff.categories {
        counts.insert(c.as_str().into(), serde_json::to_value(n)?);
    }
    let sarif = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kraftcheck",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules
            }},
            "automationDetails": {"id": "kraftcheck-diff/"},
            "results": results,
            "properties": {
                "verdict": diff.verdict,
                "path": diff.path.as_str(),
                "old": diff.old.source,
                "new": diff.new.source,
                "categories": counts
            }
        }]
    });
    let mut s = serde_json::to_string_pretty(&sarif)?;
    s.push('\n');
    Ok(s)
}
