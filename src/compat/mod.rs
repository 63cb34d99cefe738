//! Client compatibility tables for Kafka 4.x: which protocol versions 4.x removed (KIP-896, the
//! final state), which request versions identify old Java clients, the 4.x baselines of client
//! libraries and their known 4.0.0 traps, and the package names of Kafka and ZooKeeper client
//! libraries in each ecosystem.
//!
//! The rules read these through CEL helpers (`proto_removed`) and through the fields of the
//! `client_request`, `client_software` and `dependency` items ([`cel_lists`]).
//!
//! Split by what the tables are about: [`protocol`] (KIP-896 removals, the Java client
//! fingerprint), [`libraries`] (client families, package names, 4.x baselines, verdicts,
//! bundled librdkafka, 4.0.0 traps) and [`views`] (the CEL item lists built from an
//! inventory). Everything is re-exported here: callers say `compat::judge`.

pub mod libraries;
pub mod protocol;
pub mod views;

pub use libraries::*;
pub use protocol::*;
pub use views::*;

use crate::version::KafkaVersion;

/// A version written in these tables (always valid).
pub(crate) fn v(s: &str) -> KafkaVersion {
    KafkaVersion::parse(s).expect("static version")
}

#[cfg(test)]
mod tests;
