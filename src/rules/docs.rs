//! The generated part of `docs/rules.md`: the Variables, Fields, Parts, Tags and Helpers
//! sections, written from the tables rules are checked and evaluated with ([`super::SCOPES`],
//! [`super::GLOBALS`], [`crate::inventory::PARTS`], [`super::Tag::ALL`],
//! [`super::celenv::HELPERS`]).
//!
//! A unit test fails when the committed file differs; `UPDATE_DOCS=1 cargo test --lib
//! rules::docs` rewrites it.

use super::celenv::HELPERS;
use super::{GLOBALS, SCOPES};
use crate::inventory::PARTS;

pub const BEGIN: &str = "<!-- BEGIN GENERATED from src/rules/scope.rs, src/inventory/schema.rs, src/rules/tags.rs and src/rules/celenv.rs: do not edit by hand; regenerate with `UPDATE_DOCS=1 cargo test --lib rules::docs` -->";
pub const END: &str = "<!-- END GENERATED -->";

/// Markdown table cells must not break the row.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The generated sections, between [`BEGIN`] and [`END`].
pub fn generated() -> String {
    let mut out = String::new();
    out.push_str("## Variables\n\n");
    out.push_str(
        "Every condition can read these, whatever its scope; a variable whose part has a \
         part-wide gap is undeclared (reading it is an error, so the rule is `unknown`). \
         A rule that reads `target` or `profile` is evaluated once per selected profile.\n\n",
    );
    out.push_str("| variable | part | what |\n|---|---|---|\n");
    for g in GLOBALS {
        let what = format!(
            "{}{}{}",
            g.doc,
            null_note(g.nullable),
            if g.fields.is_empty() {
                ""
            } else {
                "; fields below"
            }
        );
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            g.name,
            g.part.map_or("—".to_string(), |p| format!("`{p}`")),
            cell(&what)
        ));
    }
    for d in SCOPES {
        if let (Some(list), Some(var)) = (d.list, d.variable) {
            out.push_str(&format!(
                "| `{list}` | {} | list of {} items (scope `{}`, item `{var}`) |\n",
                d.part.map_or("—".to_string(), |p| format!("`{p}`")),
                d.name.replace('_', " "),
                d.name
            ));
        }
    }
    out.push_str("\n### Scopes\n\n");
    out.push_str(
        "A rule's `scope` (default `cluster`). An item rule is evaluated once per item of its \
         list, with the item bound to its variable and to `item`; its findings name the \
         resource `kind:name`.\n\n",
    );
    out.push_str("| scope | item variable | list | resource kind |\n|---|---|---|---|\n");
    for d in SCOPES {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            d.name,
            d.variable.map_or("—".to_string(), |v| format!("`{v}`")),
            d.list.map_or("—".to_string(), |l| format!("`{l}`")),
            d.kind
        ));
    }
    out.push_str("\n## Fields\n\n");
    out.push_str("Shapes (see `src/inventory/mod.rs`):\n\n");
    for g in GLOBALS.iter().filter(|g| !g.fields.is_empty()) {
        out.push_str(&format!("- `{}`: {}\n", g.name, g.fields));
    }
    for d in SCOPES.iter().filter(|d| !d.fields.is_empty()) {
        out.push_str(&format!(
            "- {} (`{}`, scope `{}`): {}\n",
            d.name.replace('_', " "),
            d.list.unwrap_or_default(),
            d.name,
            d.fields
        ));
    }
    out.push_str("\n## Parts\n\n");
    out.push_str(
        "What `needs` names and a gap covers. A gap on a part covers its children (`topics` \
         covers `topics.configs`, `msk` every `msk.*`). A source that does not fill an \
         optional part leaves it absent (null) rather than a gap.\n\n",
    );
    out.push_str("| part | read in CEL as | what |\n|---|---|---|\n");
    for d in PARTS {
        let read = if d.fields.is_empty() {
            let vars: Vec<String> = super::variables()
                .filter(|(_, p)| *p == Some(d.part))
                .map(|(n, _)| format!("`{n}`"))
                .collect();
            if vars.is_empty() {
                "—".to_string()
            } else {
                vars.join(", ")
            }
        } else {
            d.fields
                .iter()
                .map(|(v, f)| format!("`{v}.{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "| `{}` | {} | {}{} |\n",
            d.name,
            read,
            cell(d.doc),
            if d.optional { " (optional)" } else { "" }
        ));
    }
    out.push_str("\n## Tags\n\n");
    out.push_str(
        "A rule's `tags` say which report section lines select its findings (the report code \
         names no rule id). A tag not listed here is an error at load.\n\n",
    );
    out.push_str("| tag | selects the rule's findings for |\n|---|---|\n");
    for d in super::Tag::ALL {
        out.push_str(&format!("| `{}` | {} |\n", d.name, cell(d.doc)));
    }
    out.push_str("\n## Helpers\n\n");
    out.push_str("| function | meaning |\n|---|---|\n");
    for h in HELPERS {
        let call = h
            .call
            .split(", ")
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push_str(&format!("| {call} | {} |\n", cell(h.doc)));
    }
    out
}

fn null_note(nullable: bool) -> &'static str {
    if nullable {
        " (null when absent)"
    } else {
        ""
    }
}

/// `text` (the docs file) with its generated block replaced by [`generated`].
pub fn render(text: &str) -> Option<String> {
    let start = text.find(BEGIN)?;
    let end = text[start..].find(END)? + start;
    Some(format!(
        "{}{BEGIN}\n\n{}\n{END}{}",
        &text[..start],
        generated(),
        &text[end + END.len()..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_rules_md_is_generated_from_the_tables() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
        let text = std::fs::read_to_string(path).unwrap();
        let want = render(&text).expect("docs/rules.md has the generated markers");
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &want).unwrap();
            return;
        }
        assert!(
            text == want,
            "docs/rules.md differs from the tables it is generated from: run `UPDATE_DOCS=1 cargo test --lib rules::docs` and commit the result"
        );
    }
}
