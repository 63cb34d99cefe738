//! TODO(report helper): markdown renderer.

use super::Report;

pub fn render(_report: &Report) -> anyhow::Result<String> {
    anyhow::bail!("the markdown format is not built yet")
}
