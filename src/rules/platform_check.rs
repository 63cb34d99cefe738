//! Load-time checks of target-platform rules (issue 16): the platforms they name exist, the
//! limits they declare exist on every one of them, and the condition reads only declared
//! limits. Kept apart from `load` so the rule-engine refactor can merge it as one call.

use anyhow::{bail, Result};
use std::collections::{BTreeMap, HashSet};
use toml::Spanned;

/// Variables a target-platform rule may read besides the inventory: the platform's name, its
/// limits, and the `--target-size` / `--target-brokers` given (null when not).
/// `source` holds the totals the limits compare with (see `platform::source_totals`).
pub const PLATFORM_VARIABLES: &[&str] = &[
    "platform",
    "limits",
    "target_size",
    "target_brokers",
    "source",
];

pub fn check_rule(
    origin: &str,
    id: &str,
    platforms: &[String],
    limits: &[String],
    when: &Spanned<String>,
    evidence: &BTreeMap<String, Spanned<String>>,
    allowed: &mut HashSet<&str>,
) -> Result<()> {
    if platforms.is_empty() {
        if !limits.is_empty() {
            bail!("{origin}: rule {id}: field `limits`: only target-platform rules (with `platforms`) read limits");
        }
        return Ok(());
    }
    let known = crate::platform::platforms()?;
    for p in platforms {
        let Some(plat) = known.iter().find(|x| x.name == *p) else {
            bail!(
                "{origin}: rule {id}: field `platforms`: unknown platform '{p}' (known: {})",
                known
                    .iter()
                    .map(|x| x.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        };
        for l in limits {
            if plat.limit(l).is_none() {
                bail!(
                    "{origin}: rule {id}: field `limits`: {p} has no limit '{l}' ({})",
                    plat.origin
                );
            }
        }
    }
    let read = regex::Regex::new(r"\blimits\.([a-z0-9_]+)").expect("valid regex");
    for src in std::iter::once(when.get_ref()).chain(evidence.values().map(|v| v.get_ref())) {
        for c in read.captures_iter(src) {
            if !limits.iter().any(|l| l == &c[1]) {
                bail!(
                    "{origin}: rule {id}: field `when`/`evidence` reads limits.{} but `limits` does not declare it",
                    &c[1]
                );
            }
        }
    }
    allowed.extend(PLATFORM_VARIABLES.iter().copied());
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn check_example(
    origin: &str,
    id: &str,
    where_: &str,
    platforms: &[String],
    limits: &[String],
    platform: Option<&str>,
    size: Option<&str>,
    overrides: Option<&toml::Table>,
) -> Result<()> {
    for k in overrides.into_iter().flat_map(|t| t.keys()) {
        if !limits.iter().any(|l| l == k) {
            bail!("{origin}: rule {id}: field `{where_}`: limits.{k} is not one of the rule's `limits`");
        }
    }
    if let Some(p) = platform {
        if !platforms.iter().any(|x| x == p) {
            bail!("{origin}: rule {id}: field `{where_}`: platform '{p}' is not one of the rule's platforms");
        }
    }
    if let Some(s) = size {
        let p = platform.or(platforms.first().map(String::as_str));
        let ok = p
            .and_then(crate::platform::platform)
            .is_some_and(|p| p.sizes.iter().any(|z| z == s));
        if !ok {
            bail!("{origin}: rule {id}: field `{where_}`: size '{s}' is not a size of the example's platform");
        }
    }
    Ok(())
}
