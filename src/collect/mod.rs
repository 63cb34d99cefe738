//! Collectors: each fills one part of the inventory and never evaluates rules.
//! Only read-only sources exist; sensitive values are redacted as they are read.

pub mod offline;
pub mod properties;

pub use offline::{collect_offline, OfflineSources};
