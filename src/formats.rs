//! The output formats: one row per format with its name (the value `--format` takes), its file
//! extension and how it renders each document kraftcheck writes (the audit report, the plan, the
//! diff). A new format is its renderers and one row in [`FORMATS`]: [`Format`] is a handle on a
//! row, and the `--format` values (their names and order) are read from the table.

use crate::diff::{self, Diff, DiffOptions};
use crate::plan::{self, Plan};
use crate::report::{self, Report};
use crate::settings::{bad, Input};
use anyhow::Result;
use std::sync::LazyLock;

/// One output format.
pub struct FormatDef {
    /// Its name on the command line (`--format NAME`), in lower case.
    pub name: &'static str,
    /// File name extension (after the document's stem: `kraftcheck.json`, `plan.md`).
    pub extension: &'static str,
    pub audit: fn(&Report) -> Result<String>,
    /// `None`: plans are not written in this format.
    pub plan: Option<fn(&Plan) -> Result<String>>,
    pub diff: fn(&Diff, &DiffOptions) -> Result<String>,
}

/// Every format, in the order `--help` lists them.
pub static FORMATS: &[FormatDef] = &[
    FormatDef {
        name: "table",
        extension: "txt",
        audit: |r| Ok(report::table::render(r)),
        plan: Some(|p| Ok(plan::render::table(p))),
        diff: |d, _| Ok(diff::table::render(d)),
    },
    FormatDef {
        name: "markdown",
        extension: "md",
        audit: report::markdown::render,
        plan: Some(|p| Ok(plan::render::markdown(p))),
        diff: |d, _| Ok(diff::markdown::render(d)),
    },
    FormatDef {
        name: "html",
        extension: "html",
        audit: report::html::render,
        plan: Some(plan::render::html),
        diff: |d, _| diff::html::render(d),
    },
    FormatDef {
        name: "json",
        extension: "json",
        audit: report::json::render,
        plan: Some(plan::render::json),
        diff: |d, _| diff::json::render(d),
    },
    FormatDef {
        name: "sarif",
        extension: "sarif",
        audit: report::sarif::render,
        plan: None,
        diff: diff::sarif::render,
    },
    FormatDef {
        name: "junit",
        extension: "junit.xml",
        audit: report::junit::render,
        plan: None,
        diff: |d, _| diff::junit::render(d),
    },
];

/// An output format: a handle on its row in [`FORMATS`]. It is the type `--format` parses into
/// (`clap::ValueEnum`, with the rows' names as the values).
#[derive(Clone, Copy)]
pub struct Format(&'static FormatDef);

/// One handle per row, in the table's order (what `clap::ValueEnum::value_variants` lends out).
static ALL: LazyLock<Vec<Format>> = LazyLock::new(|| FORMATS.iter().map(Format).collect());

impl Format {
    /// The format called `name` (`--format NAME`), if there is one.
    pub fn named(name: &str) -> Option<Format> {
        <Format as clap::ValueEnum>::from_str(name, false).ok()
    }

    /// This format's row in [`FORMATS`].
    pub fn def(self) -> &'static FormatDef {
        self.0
    }

    /// Its name on the command line (`--format NAME`).
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// The file name extension of this format.
    pub fn extension(self) -> &'static str {
        self.0.extension
    }

    /// File name used when several formats are written into one directory: `stem` (what the
    /// document is: `kraftcheck`, `plan`, `kraftcheck-diff`) and this format's extension.
    pub fn file_name(self, stem: &str) -> String {
        format!("{stem}.{}", self.extension())
    }

    /// How this format writes a plan; a bad input when plans are not written in it.
    pub fn plan_renderer(self) -> Result<fn(&Plan) -> Result<String>> {
        self.0.plan.ok_or_else(|| {
            bad(
                Input::Format,
                self,
                format!("plan is written as {}", plan_formats()),
            )
        })
    }
}

/// Rows are unique by name (a test checks it), so two handles on the same row are equal.
impl PartialEq for Format {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Format {}

/// The name the user types (`sarif`), as messages show it.
impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::fmt::Debug for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl clap::ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

/// The formats plans are written in, for messages: "table, markdown, html or json".
pub fn plan_formats() -> String {
    let names: Vec<&str> = FORMATS
        .iter()
        .filter(|d| d.plan.is_some())
        .map(|d| d.name)
        .collect();
    match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;
    use std::collections::HashSet;

    #[test]
    fn every_row_is_one_format() {
        let names: HashSet<&str> = FORMATS.iter().map(|d| d.name).collect();
        assert_eq!(names.len(), FORMATS.len(), "format names repeat");
        let extensions: HashSet<&str> = FORMATS.iter().map(|d| d.extension).collect();
        assert_eq!(extensions.len(), FORMATS.len(), "extensions repeat");
        // Every row is a `--format` value, in the table's order, and its name parses back to it.
        let values = Format::value_variants();
        assert_eq!(values.len(), FORMATS.len());
        for (f, d) in values.iter().zip(FORMATS) {
            assert!(std::ptr::eq(f.def(), d), "{}", d.name);
            let parsed = Format::from_str(d.name, false).unwrap();
            assert!(std::ptr::eq(parsed.def(), d), "{}", d.name);
            assert_eq!(d.name, d.name.to_lowercase(), "names are lower case");
        }
        assert_eq!(Format::named("sarif").map(|f| f.extension()), Some("sarif"));
        assert!(Format::named("Sarif").is_none());
        assert_eq!(plan_formats(), "table, markdown, html or json");
    }

    #[test]
    fn a_format_plans_are_not_written_in_is_named_as_typed() {
        let e = Format::named("sarif").unwrap().plan_renderer().unwrap_err();
        let bad = e.downcast_ref::<crate::settings::InputError>().unwrap();
        assert_eq!(
            bad.render("--format"),
            "--format sarif: plan is written as table, markdown, html or json"
        );
        assert!(Format::named("json").unwrap().plan_renderer().is_ok());
    }
}
