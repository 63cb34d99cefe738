//! The output formats: one row per format with its file extension and how it renders each
//! document kraftcheck writes (the audit report, the plan, the diff). A new format is its
//! renderers, a [`Format`] variant (the name `--format` takes) and one row in [`FORMATS`].

use crate::diff::{self, Diff, DiffOptions};
use crate::plan::{self, Plan};
use crate::report::{self, Format, Report};
use anyhow::Result;

/// One output format.
pub struct FormatDef {
    pub format: Format,
    /// File name extension (after the document's stem: `kraftcheck.json`, `plan.md`).
    pub extension: &'static str,
    pub audit: fn(&Report) -> Result<String>,
    /// `None`: plans are not written in this format.
    pub plan: Option<fn(&Plan) -> Result<String>>,
    pub diff: fn(&Diff, &DiffOptions) -> Result<String>,
}

pub const FORMATS: &[FormatDef] = &[
    FormatDef {
        format: Format::Table,
        extension: "txt",
        audit: |r| Ok(report::table::render(r)),
        plan: Some(|p| Ok(plan::render::table(p))),
        diff: |d, _| Ok(diff::table::render(d)),
    },
    FormatDef {
        format: Format::Markdown,
        extension: "md",
        audit: report::markdown::render,
        plan: Some(|p| Ok(plan::render::markdown(p))),
        diff: |d, _| Ok(diff::markdown::render(d)),
    },
    FormatDef {
        format: Format::Html,
        extension: "html",
        audit: report::html::render,
        plan: Some(plan::render::html),
        diff: |d, _| diff::html::render(d),
    },
    FormatDef {
        format: Format::Json,
        extension: "json",
        audit: report::json::render,
        plan: Some(plan::render::json),
        diff: |d, _| diff::json::render(d),
    },
    FormatDef {
        format: Format::Sarif,
        extension: "sarif",
        audit: report::sarif::render,
        plan: None,
        diff: diff::sarif::render,
    },
    FormatDef {
        format: Format::Junit,
        extension: "junit.xml",
        audit: report::junit::render,
        plan: None,
        diff: |d, _| diff::junit::render(d),
    },
];

impl Format {
    /// This format's row in [`FORMATS`].
    pub fn def(self) -> &'static FormatDef {
        FORMATS
            .iter()
            .find(|d| d.format == self)
            .expect("every format has a row in FORMATS")
    }

    /// Its name on the command line (`--format NAME`).
    pub fn name(self) -> String {
        clap::ValueEnum::to_possible_value(&self)
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

/// The formats plans are written in, for messages: "table, markdown, html or json".
pub fn plan_formats() -> String {
    let names: Vec<String> = FORMATS
        .iter()
        .filter(|d| d.plan.is_some())
        .map(|d| d.format.name())
        .collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_one_row() {
        for f in <Format as clap::ValueEnum>::value_variants() {
            let rows = FORMATS.iter().filter(|d| d.format == *f).count();
            assert_eq!(rows, 1, "{f:?}");
        }
        assert_eq!(plan_formats(), "table, markdown, html or json");
    }
}
