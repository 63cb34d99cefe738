//! The terminal table: the verdict, counts per category, then every difference.

use super::{Diff, Side, Status};
use crate::report::table::terminal_table;

fn side_line(name: &str, s: &Side) -> String {
    format!(
        "  {name}: {} — cluster {}, mode {}{}, Kafka {}, {} brokers, {} topics, {} ACLs, {} SCRAM users, {} quotas, {} groups\n",
        s.source,
        s.cluster_id.as_deref().unwrap_or("unknown"),
        if s.mode.is_empty() { "unknown" } else { &s.mode },
        if s.phase.is_empty() { String::new() } else { format!(" (phase {})", s.phase) },
        s.version.as_deref().unwrap_or("unknown"),
        s.brokers.len(),
        s.topics,
        s.acls,
        s.scram_users,
        s.quotas,
        s.groups
    )
}

pub fn render(diff: &Diff) -> String {
    let mut out = format!("kraftcheck diff: {}\n", diff.path.label());
    out.push_str(&side_line("old", &diff.old));
    out.push_str(&side_line("new", &diff.new));
    out.push_str(&format!(
        "  path: {} ({})\n",
        diff.path.as_str(),
        diff.path_reason
    ));
    if let Some(a) = &diff.source_alias {
        out.push_str(&format!("  topics on the new side: {a}.<topic>\n"));
    }
    let mut t = terminal_table(
        160,
        [
            "category", "compared", "same", "missing", "changed", "unknown", "added", "expected",
            "info",
        ],
    );
    for (c, n) in &diff.categories {
        if n.compared == 0 {
            continue;
        }
        t.add_row([
            c.as_str().to_string(),
            n.compared.to_string(),
            n.same.to_string(),
            n.missing.to_string(),
            n.changed.to_string(),
            n.unknown.to_string(),
            n.added.to_string(),
            n.expected.to_string(),
            n.info.to_string(),
        ]);
    }
    out.push('\n');
    out.push_str(&t.to_string());
    out.push('\n');
    let losses: Vec<_> = diff.failing().collect();
    if !losses.is_empty() {
        let mut t = terminal_table(160, ["status", "category", "what", "old", "new", "detail"]);
        for i in &losses {
            t.add_row([
                i.status.as_str().to_string(),
                i.category.as_str().to_string(),
                i.what(),
                i.old.clone().unwrap_or_default(),
                i.new.clone().unwrap_or_default(),
                i.message.clone(),
            ]);
        }
        out.push_str(&format!(
            "\nMissing, changed or not comparable on the new side ({}):\n{t}\n",
            losses.len()
        ));
    }
    for (title, status) in [
        ("Only on the new side", Status::Added),
        (
            "Expected differences (by design of the migration)",
            Status::Expected,
        ),
        ("Other differences (not losses)", Status::Info),
    ] {
        let items: Vec<_> = diff.with_status(status).collect();
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title} ({}):\n", items.len()));
        for i in items {
            out.push_str(&format!("  - {}: {}\n", i.what(), i.message));
        }
    }
    out.push_str(&format!(
        "\nVerdict: {} — {}\n",
        if diff.verdict == "parity" {
            "PARITY"
        } else {
            "DIFFERENCES"
        },
        diff.headline()
    ));
    out
}
