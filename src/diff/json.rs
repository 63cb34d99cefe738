//! JSON: the whole diff, for scripts.

use super::Diff;

pub fn render(diff: &Diff) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(diff)?;
    s.push('\n');
    Ok(s)
}
