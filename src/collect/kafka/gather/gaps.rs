//! The gaps noted while the requests run, added to the inventory at the end.

use super::*;

/// A failure that becomes a gap of the inventory.
#[derive(Debug)]
pub(super) struct GapNote {
    pub(super) part: String,
    pub(super) resource: String,
    pub(super) reason: GapReason,
    pub(super) detail: String,
}

pub(super) fn gap(
    part: &str,
    resource: &str,
    reason: GapReason,
    detail: impl Into<String>,
) -> GapNote {
    GapNote {
        part: part.into(),
        resource: resource.into(),
        reason,
        detail: detail.into(),
    }
}

/// The gaps noted while the requests run (concurrently, per broker and cluster-wide), added to
/// the inventory at the end: the first note of a part and resource wins.
#[derive(Debug, Default)]
pub(super) struct Gaps(pub(super) Vec<GapNote>);

impl FromIterator<GapNote> for Gaps {
    fn from_iter<I: IntoIterator<Item = GapNote>>(it: I) -> Self {
        Gaps(it.into_iter().collect())
    }
}

impl Gaps {
    pub(super) fn push(&mut self, g: GapNote) {
        self.0.push(g);
    }
    pub(super) fn append(&mut self, other: &mut Gaps) {
        self.0.append(&mut other.0);
    }
    /// Whether a gap of this part (any resource) was noted.
    pub(super) fn has_part(&self, part: &str) -> bool {
        self.0.iter().any(|g| g.part == part)
    }
    pub(super) fn has(&self, part: &str, resource: &str) -> bool {
        self.0
            .iter()
            .any(|g| g.part == part && g.resource == resource)
    }
    /// Add the notes to the inventory, skipping a part and resource it already has a gap for.
    pub(super) fn record(self, inv: &mut Inventory) {
        for g in self.0 {
            if !inv
                .gaps
                .iter()
                .any(|x| x.part == g.part && x.resource == g.resource)
            {
                inv.add_gap(&g.part, &g.resource, g.reason, g.detail);
            }
        }
    }
}

/// The gap for a request that the broker refused (`Ok`: the response's error code, not 0) or
/// that got no answer (`Err`).
pub(super) fn failed_gap(part: &str, resource: &str, failed: Result<i16>) -> GapNote {
    match failed {
        Ok(code) => code_gap(part, resource, code),
        Err(e) => gap(part, resource, GapReason::Error, format!("{e:#}")),
    }
}

impl GapNote {
    /// The note with `what` (which broker or request) before its detail: `what: detail`.
    pub(super) fn after(mut self, what: &str) -> GapNote {
        self.detail = format!("{what}: {}", self.detail);
        self
    }
}

/// A gap for a Kafka error code: authorization failures are `unauthorized`, and so on.
pub(super) fn code_gap(part: &str, resource: &str, code: i16) -> GapNote {
    gap(part, resource, names::gap_reason(code), names::error(code))
}
