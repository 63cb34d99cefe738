//! Markdown for the change ticket: the verdict, counts per category, then every loss, what is
//! only on the new side, and the expected differences (long lists folded in `<details>`).
//! Every value is escaped: table cells cannot be broken by pipes, newlines or HTML.

use super::{Diff, Item, Side, Status};

/// Rows per table before the rest is left to the JSON and HTML reports (ticket size limits).
const ROWS: usize = 300;

/// Text safe in a table cell and in running text.
pub(super) fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.trim_end().chars() {
        match c {
            '\\' | '|' | '*' | '_' | '[' | ']' | '~' | '`' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// An inline code span (backticks longer than any run inside), safe in a table cell: `|`
/// shows as `¦`.
pub(super) fn code(s: &str) -> String {
    crate::report::markdown::code(&s.replace('|', "¦"))
}

fn side(name: &str, s: &Side) -> String {
    format!(
        "| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
        code(&s.source),
        s.cluster_id
            .as_deref()
            .map(code)
            .unwrap_or_else(|| "unknown".into()),
        md(if s.mode.is_empty() {
            "unknown"
        } else {
            &s.mode
        }),
        md(if s.phase.is_empty() {
            "unknown"
        } else {
            &s.phase
        }),
        s.brokers.len(),
        s.topics,
        s.acls,
        s.scram_users,
        s.quotas,
    )
}

fn table(items: &[&Item]) -> String {
    let mut out = String::from(
        "| Status | Category | What | Old | New | Detail |\n|---|---|---|---|---|---|\n",
    );
    for i in items.iter().take(ROWS) {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            i.status.as_str(),
            i.category.as_str(),
            code(&i.what()),
            i.old.as_deref().map(md).unwrap_or_default(),
            i.new.as_deref().map(md).unwrap_or_default(),
            md(&i.message)
        ));
    }
    if items.len() > ROWS {
        out.push_str(&format!(
            "\n… and {} more: the JSON, HTML, SARIF and JUnit reports list every item.\n",
            items.len() - ROWS
        ));
    }
    out
}

pub fn render(diff: &Diff) -> String {
    let parity = diff.verdict == "parity";
    let mut out = format!(
        "# kraftcheck diff: {} {}\n\n{}\n\n",
        if parity { "✅" } else { "⛔" },
        if parity { "PARITY" } else { "DIFFERENCES" },
        md(&diff.headline())
    );
    out.push_str(&format!(
        "Path: **{}** ({}).{}\n\n",
        md(diff.path.label()),
        md(&diff.path_reason),
        diff.source_alias
            .as_deref()
            .map(|a| format!(
                " Topics on the new side are named {}.",
                code(&format!("{a}.<topic>"))
            ))
            .unwrap_or_default()
    ));
    out.push_str("| Side | Source | Cluster id | Mode | Phase | Brokers | Topics | ACLs | SCRAM users | Quotas |\n|---|---|---|---|---|--:|--:|--:|--:|--:|\n");
    out.push_str(&side("old", &diff.old));
    out.push_str(&side("new", &diff.new));
    out.push_str("\n## Per category\n\n| Category | Compared | Same | Missing | Changed | Unknown | Added | Expected | Info |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (c, n) in &diff.categories {
        if n.compared == 0 {
            continue;
        }
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            md(c.label()),
            n.compared,
            n.same,
            if n.missing > 0 {
                format!("**{}**", n.missing)
            } else {
                "0".into()
            },
            if n.changed > 0 {
                format!("**{}**", n.changed)
            } else {
                "0".into()
            },
            if n.unknown > 0 {
                format!("**{}**", n.unknown)
            } else {
                "0".into()
            },
            n.added,
            n.expected,
            n.info
        ));
    }
    let failing: Vec<&Item> = diff.failing().collect();
    out.push_str(&format!(
        "\n## Missing or changed on the new side ({})\n\n",
        failing.len()
    ));
    if failing.is_empty() {
        out.push_str("Nothing: every item of the old side is on the new side, unchanged.\n");
    } else {
        out.push_str(&table(&failing));
    }
    for (title, status, open) in [
        ("Only on the new side", Status::Added, false),
        (
            "Expected differences (by design of the migration)",
            Status::Expected,
            false,
        ),
        ("Other differences (not losses)", Status::Info, false),
    ] {
        let items: Vec<&Item> = diff.with_status(status).collect();
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n<details{}><summary>{} ({})</summary>\n\n{}\n</details>\n",
            if open { " open" } else { "" },
            md(title),
            items.len(),
            table(&items)
        ));
    }
    out.push_str(&format!(
        "\nExit code {}: 0 in parity, 1 when anything is missing, changed or not comparable. Generated {} by {}.\n",
        diff.exit_code(),
        md(&diff.generated_at),
        md(&diff.tool)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_tables() {
        assert_eq!(md("a|b\nc<d>"), "a\\|b<br>c&lt;d&gt;");
        assert_eq!(code("x`y"), "``x`y``");
        assert!(!code("a|b").contains('|'));
    }
}
