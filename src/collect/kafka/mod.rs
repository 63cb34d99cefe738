//! The live Kafka collector: a small read-only client on the `kafka-protocol` codec.
//!
//! Requests are batched (all topics' configs in a few DescribeConfigs requests, one ListOffsets
//! per leader, one OffsetFetch per coordinator where the broker allows it) and brokers are
//! queried concurrently; every request is bounded by the configured timeout. What the cluster
//! refuses or does not support becomes a gap in the inventory, never an assumed empty list.

pub mod config;
mod conn;
mod controllers;
mod gather;
pub mod gssapi;
pub mod mskiam;
mod names;
pub mod oauth;
pub mod providers;
mod scram;
pub(crate) mod stores;
pub(crate) mod tls;

pub use config::{build as build_config, https_trust, ConnConfig, DEFAULT_TIMEOUT_MS};
pub use conn::{
    decode_response_for_fuzzing, fuzz_seed_responses, request_counts, set_request_limits,
    DEFAULT_MAX_IN_FLIGHT, READ_ONLY_APIS,
};
pub use controllers::collect_controllers;
pub use gather::collect;
