//! The client-migration checklist from the seed article, marked from the data where known.

use crate::findings::Finding;
use crate::inventory::Inventory;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ChecklistItem {
    pub section: String,
    pub item: String,
    /// `done`, `todo`, `unknown` or `manual`.
    pub status: String,
    pub detail: String,
}

pub fn build(_inv: &Inventory, _findings: &[Finding]) -> Vec<ChecklistItem> {
    Vec::new()
}
