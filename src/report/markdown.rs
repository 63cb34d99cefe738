//! Markdown for the change ticket (GitHub, GitLab, Jira's Markdown paste): the verdict per
//! migration path first, then every failing finding with evidence and remediation, then
//! unknowns, waivers, the client checklist and the inventory, long parts in `<details>`.
//!
//! Rendered from `report-templates/report.md`. Markdown has no auto-escaping, so every value
//! from the report goes through one of the filters below: `md` (text; also safe in table
//! cells: pipes, newlines, emphasis, links and HTML are neutralised), `mdblock` (multi-line
//! text), `code` / `codecell` (inline code spans) and `fence` (a code fence longer than any
//! backtick run in the block).

use super::html::{area_label, checklist_sections, headline, rule_groups, RuleGroup};
use super::Report;
use crate::findings::{Severity, Status};
use minijinja::value::Serde;
use minijinja::Environment;

const TEMPLATE: &str = include_str!("../../report-templates/report.md");

/// Table rows per rule before the rest are listed by name only (tickets have size limits:
/// a Jira comment holds about 32 000 characters, a GitHub issue body 65 536).
const ROWS_PER_RULE: usize = 50;
/// Evidence blocks per rule.
const EVIDENCE_PER_RULE: usize = 10;
/// Resource names listed after the table; beyond that only a count (the HTML, JSON, SARIF
/// and JUnit reports name every resource).
const NAMES_PER_RULE: usize = 500;

fn escape_char(c: char, prev: Option<char>, next: Option<char>, out: &mut String) {
    match c {
        '\\' | '|' | '*' | '[' | ']' | '~' => {
            out.push('\\');
            out.push(c);
        }
        // `_` only delimits emphasis at a word boundary; `log_dirs` stays readable.
        '_' if !(prev.is_some_and(char::is_alphanumeric)
            && next.is_some_and(char::is_alphanumeric)) =>
        {
            out.push_str("\\_")
        }
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        '\r' => {}
        c => out.push(c),
    }
}

fn escape_line(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        escape_char(*c, prev, chars.get(i + 1).copied(), &mut out);
    }
    out
}

/// Text on one line, safe inside a table cell: newlines become `<br>`.
pub(crate) fn md(s: &str) -> String {
    s.trim_end()
        .lines()
        .map(escape_line)
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Multi-line text as paragraphs; block markers at a line start are escaped.
pub(super) fn mdblock(s: &str) -> String {
    s.trim()
        .lines()
        .map(|l| {
            let e = escape_line(l.trim_end());
            let t = e.trim_start();
            let indent = &e[..e.len() - t.len()];
            let ordered = {
                let digits = t.chars().take_while(char::is_ascii_digit).count();
                digits > 0 && matches!(t[digits..].chars().next(), Some('.' | ')'))
            };
            // Rule texts may hold lists (`- `, `1. `), kept as lists; anything else that
            // would start a block (heading, quote, rule, setext underline) is escaped.
            let list = t.starts_with("- ") || ordered;
            let rule_line = t.len() >= 3 && t.chars().all(|c| matches!(c, '-' | '=' | '_' | ' '));
            if (t.starts_with(['#', '-', '+', '=']) && !list) || rule_line {
                format!("{indent}\\{t}")
            } else {
                format!("{indent}{t}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn longest_backtick_run(s: &str) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        if c == '`' {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// An inline code span that holds any text (newlines become spaces).
pub(crate) fn code(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ");
    if s.is_empty() {
        return String::new();
    }
    let ticks = "`".repeat(longest_backtick_run(&s) + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}

/// An inline code span for a GFM table cell: pipes must be escaped even inside code.
pub(super) fn codecell(s: &str) -> String {
    code(s).replace('|', "\\|")
}

/// A code fence for `s`: at least three backticks, more than any run inside.
fn fence(s: &str) -> String {
    "`".repeat((longest_backtick_run(s) + 1).max(3))
}

/// A rule group cut to what a ticket can hold.
#[derive(serde::Serialize)]
struct MdRule {
    #[serde(flatten)]
    group: RuleGroup,
    area_label: String,
    /// Rows shown in the table.
    rows: usize,
    /// Resource ids not in the table (at most [`NAMES_PER_RULE`]).
    rest: Vec<String>,
    /// How many resources are neither in the table nor in `rest`.
    unnamed: usize,
    /// Evidence blocks shown.
    evidence: usize,
}

fn cut(groups: Vec<RuleGroup>) -> Vec<MdRule> {
    groups
        .into_iter()
        .map(|g| {
            let mut rest: Vec<String> = g
                .items
                .iter()
                .skip(ROWS_PER_RULE)
                .map(|i| i.resource.clone())
                .collect();
            rest.extend(g.overflow.iter().cloned());
            let unnamed = rest.len().saturating_sub(NAMES_PER_RULE);
            rest.truncate(NAMES_PER_RULE);
            MdRule {
                unnamed,
                area_label: area_label(&g.area),
                rows: g.items.len().min(ROWS_PER_RULE),
                evidence: g
                    .items
                    .iter()
                    .filter(|i| !i.evidence.is_empty())
                    .count()
                    .min(EVIDENCE_PER_RULE),
                rest,
                group: g,
            }
        })
        .collect()
}

pub fn render(report: &Report) -> anyhow::Result<String> {
    let mut env = Environment::new();
    env.add_filter("md", |s: String| md(&s));
    env.add_filter("mdblock", |s: String| mdblock(&s));
    env.add_filter("code", |s: String| code(&s));
    env.add_filter("codecell", |s: String| codecell(&s));
    env.add_filter("fence", |s: String| fence(&s));
    // `.md` gets no auto-escaping; the filters above do the escaping.
    env.add_template("report.md", TEMPLATE)?;
    let failing = rule_groups(report, Status::Fail);
    let (blocking, other): (Vec<RuleGroup>, Vec<RuleGroup>) = failing
        .into_iter()
        .partition(|g| g.severity == Severity::Blocking);
    let count = |gs: &[RuleGroup]| gs.iter().map(|g| g.count).sum::<usize>();
    let ctx = minijinja::context! {
        report => Serde(report.head()),
        verdict_word => report.verdict.as_str().to_uppercase(),
        headline => headline(report),
        targets_md => crate::platform::compare::markdown(&report.targets),
        blocking_count => count(&blocking),
        other_count => count(&other),
        blocking => Serde(cut(blocking)),
        other => Serde(cut(other)),
        unknown_count => report.count(Status::Unknown),
        unknown => Serde(cut(rule_groups(report, Status::Unknown))),
        waived_count => report.count(Status::Waived),
        waived => Serde(cut(rule_groups(report, Status::Waived))),
        passed => Serde(rule_groups(report, Status::Pass)),
        checklist => Serde(checklist_sections(report)),
    };
    let mut out = env.get_template("report.md")?.render(ctx)?;
    // Collapse the blank-line runs that template control flow leaves behind.
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    let mut out = out.trim().to_string();
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_tables_or_inject_html() {
        let s = md("a|b\nc <script>x</script> *y* [l](u) ~~s~~ \\");
        assert!(!s.contains('\n'));
        assert!(s.contains("a\\|b<br>c"));
        assert!(s.contains("&lt;script&gt;"));
        assert!(s.contains("\\*y\\*"));
        assert!(s.contains("\\[l\\](u)"));
        assert!(s.contains("\\~\\~s\\~\\~"));
        assert_eq!(md("log_dirs"), "log_dirs");
        assert_eq!(md("__consumer_offsets"), "\\_\\_consumer_offsets");
    }

    #[test]
    fn blocks_escape_line_starts() {
        assert_eq!(
            mdblock("# x\n- y\n1. z\n---\n+ w\nok"),
            "\\# x\n- y\n1. z\n\\---\n\\+ w\nok"
        );
    }

    #[test]
    fn code_spans_hold_backticks_and_pipes() {
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(codecell("x|y"), "`x\\|y`");
        assert_eq!(fence("a ```` b"), "`````");
        assert_eq!(fence("plain"), "```");
    }
}
