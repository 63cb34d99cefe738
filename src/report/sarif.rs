//! TODO(report helper): sarif renderer.

use super::Report;

pub fn render(_report: &Report) -> anyhow::Result<String> {
    anyhow::bail!("the sarif format is not built yet")
}
