//! kraftcheck: audit Apache Kafka and Amazon MSK clusters and their clients for the move
//! from ZooKeeper to KRaft, and prove afterwards that nothing was lost.
//!
//! Pipeline: collect → [`inventory::Inventory`] → [`rules::evaluate`] → [`findings::Finding`]s
//! → [`report::render`].

pub mod audit;
pub mod collect;
pub mod compat;
pub mod debug;
pub mod diff;
pub mod findings;
pub mod formats;
#[doc(hidden)]
pub mod fuzzing;
pub mod inventory;
pub mod output;
pub mod plan;
pub mod platform;
pub mod progress;
pub mod report;
pub mod rules;
pub mod settings;
pub mod textpos;
pub mod version;
pub mod waivers;
