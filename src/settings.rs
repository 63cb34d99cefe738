//! The inputs a caller hands the library, named by what they are, not by how a command line
//! spells them. A bad input is an [`InputError`] that says which input, its value and what is
//! wrong; the CLI (`main.rs`) renders it with its flag name (`--scan-deps DIR: not a
//! directory`), so no library error names a CLI flag and another front end can name its own.

use std::fmt;

/// An input of the library that a caller chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Kafka bootstrap servers, `host:port` each.
    BootstrapServer,
    /// An application repository scanned for client libraries.
    ScanDeps,
    /// A software bill of materials, or a directory of them.
    Sbom,
    /// A Prometheus metrics source (a scrape file or an endpoint).
    Metrics,
    /// A Kafka version given by hand, for the cluster or one broker.
    KafkaVersion,
    /// A Kafka installation directory, read for its version.
    KafkaHome,
    /// ZooKeeper client TLS settings (a Java properties file).
    ZkTlsConfig,
    /// ZooKeeper client SASL settings (a JAAS file).
    ZkJaasConfig,
}

impl Input {
    /// What the input is, in words (for front ends other than the CLI).
    pub fn describe(self) -> &'static str {
        match self {
            Input::BootstrapServer => "bootstrap servers",
            Input::ScanDeps => "repository to scan",
            Input::Sbom => "SBOM",
            Input::Metrics => "metrics source",
            Input::KafkaVersion => "Kafka version",
            Input::KafkaHome => "Kafka installation",
            Input::ZkTlsConfig => "ZooKeeper TLS config",
            Input::ZkJaasConfig => "ZooKeeper JAAS config",
        }
    }
}

/// A bad input: which, its value (when one names the culprit), and what is wrong with it.
#[derive(Debug)]
pub struct InputError {
    pub input: Input,
    pub value: Option<String>,
    pub message: String,
}

impl InputError {
    /// The error, with the input named by `name` (a flag, in the CLI).
    pub fn render(&self, name: &str) -> String {
        match &self.value {
            Some(v) => format!("{name} {v}: {}", self.message),
            None => format!("{name}: {}", self.message),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(self.input.describe()))
    }
}

impl std::error::Error for InputError {}

/// A bad input with a value, as an error to return.
pub fn bad(input: Input, value: impl fmt::Display, message: impl Into<String>) -> anyhow::Error {
    InputError {
        input,
        value: Some(value.to_string()),
        message: message.into(),
    }
    .into()
}

/// A bad input, named without a value.
pub fn bad_input(input: Input, message: impl Into<String>) -> anyhow::Error {
    InputError {
        input,
        value: None,
        message: message.into(),
    }
    .into()
}
