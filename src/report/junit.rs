//! TODO(report helper): junit renderer.

use super::Report;

pub fn render(_report: &Report) -> anyhow::Result<String> {
    anyhow::bail!("the junit format is not built yet")
}
