//! TODO(report helper): html renderer.

use super::Report;

pub fn render(_report: &Report) -> anyhow::Result<String> {
    anyhow::bail!("the html format is not built yet")
}
