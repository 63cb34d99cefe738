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
    /// A saved inventory file.
    Inventory,
    /// Broker config files (server.properties).
    BrokerConfig,
    /// The Java client properties file for Kafka connections.
    CommandConfig,
    /// KRaft controllers to ask as well.
    BootstrapController,
    /// Read every MSK cluster of the region.
    MskAll,
    /// One MSK cluster, read live.
    MskCluster,
    /// AWS CLI JSON output files.
    AwsJson,
    /// The AWS region.
    Region,
    /// The named AWS profile (credentials).
    AwsProfile,
    /// The Kafka version the cluster will run after the move.
    TargetVersion,
    /// A candidate target platform.
    TargetPlatform,
    /// The target platform's broker size.
    TargetSize,
    /// The target platform's broker count.
    TargetBrokers,
    /// The report formats.
    Format,
    /// The ZooKeeper ensemble to read (`HOST:PORT[,…][/chroot]`).
    Zookeeper,
    /// The JAAS file the KRaft controllers will log in to ZooKeeper with.
    ZkControllerJaas,
    /// ZooKeeper's Kerberos service name.
    ZkSaslClientUsername,
    /// A broker's log, read for its Kafka version.
    BrokerLog,
    /// The new (KRaft) MSK cluster of a move to a new cluster.
    NewMskCluster,
    /// A directory of rule files.
    Rules,
    /// Reading IAM switched off.
    NoIam,
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
            Input::Inventory => "saved inventory",
            Input::BrokerConfig => "broker config files",
            Input::CommandConfig => "client properties file",
            Input::BootstrapController => "KRaft controllers",
            Input::MskAll => "every MSK cluster",
            Input::MskCluster => "MSK cluster",
            Input::AwsJson => "AWS CLI JSON files",
            Input::Region => "AWS region",
            Input::AwsProfile => "AWS profile",
            Input::TargetVersion => "target version",
            Input::TargetPlatform => "target platform",
            Input::TargetSize => "target broker size",
            Input::TargetBrokers => "target broker count",
            Input::Format => "report formats",
            Input::Zookeeper => "ZooKeeper ensemble",
            Input::ZkControllerJaas => "controllers' ZooKeeper JAAS config",
            Input::ZkSaslClientUsername => "ZooKeeper Kerberos service name",
            Input::BrokerLog => "broker log",
            Input::NewMskCluster => "new MSK cluster",
            Input::Rules => "rule directory",
            Input::NoIam => "IAM switched off",
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

/// A message about how inputs are used together (or one that needs another), with each input
/// named where the template says `{0}`, `{1}`, … (indexes into `inputs`). Values from outside
/// (a user's value, an error) go into the template through [`literal`], so that braces in them
/// are never read as placeholders.
#[derive(Debug)]
pub struct Usage {
    pub inputs: Vec<Input>,
    pub template: String,
}

impl Usage {
    /// The message, with input `i` named by `name(i)` (its flag, in the CLI).
    pub fn render(&self, name: impl Fn(Input) -> String) -> String {
        // One pass: `{N}` is input N, `{{` and `}}` are braces; anything else stays as it is.
        let mut out = String::with_capacity(self.template.len());
        let mut rest = self.template.as_str();
        while let Some(at) = rest.find(['{', '}']) {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            if rest.starts_with("{{") || rest.starts_with("}}") {
                out.push_str(&rest[..1]);
                rest = &rest[2..];
                continue;
            }
            let placeholder = rest.strip_prefix('{').and_then(|r| {
                let end = r.find('}')?;
                let input = self.inputs.get(r[..end].parse::<usize>().ok()?)?;
                Some((*input, end + 2))
            });
            match placeholder {
                Some((input, len)) => {
                    out.push_str(&name(input));
                    rest = &rest[len..];
                }
                None => {
                    out.push_str(&rest[..1]);
                    rest = &rest[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(|i| i.describe().to_string()))
    }
}

impl std::error::Error for Usage {}

/// `text` as part of a [`usage`] template: its braces doubled, so that it reads as written.
pub fn literal(text: impl fmt::Display) -> String {
    text.to_string().replace('{', "{{").replace('}', "}}")
}

/// A usage error: `template` names `inputs` by index (`{0}`, `{1}`, …).
pub fn usage(template: impl Into<String>, inputs: &[Input]) -> anyhow::Error {
    Usage {
        inputs: inputs.to_vec(),
        template: template.into(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_in_values_are_not_placeholders() {
        let value = "a{0}b{1}c{x}}{";
        let e = usage(
            format!("{{0}} {}: not with {{1}}", literal(value)),
            &[Input::TargetSize, Input::TargetPlatform],
        );
        let u = e.downcast_ref::<Usage>().unwrap();
        assert_eq!(
            u.render(|i| format!("--{i:?}")),
            "--TargetSize a{0}b{1}c{x}}{: not with --TargetPlatform"
        );
        // Unknown indexes and stray braces stay as written.
        let u = Usage {
            inputs: vec![Input::TargetSize],
            template: "{0} {7} {x} } {".into(),
        };
        assert_eq!(u.render(|_| "F".into()), "F {7} {x} } {");
    }

    #[test]
    fn errors_name_inputs_as_the_caller_spells_them() {
        let e = bad(Input::TargetSize, "x1", "no such size");
        let bad = e.downcast_ref::<InputError>().unwrap();
        assert_eq!(
            bad.render("--target-size"),
            "--target-size x1: no such size"
        );
        assert_eq!(e.to_string(), "target broker size x1: no such size");
        let e = usage(
            "{0} and {1} need {2}",
            &[
                Input::TargetSize,
                Input::TargetBrokers,
                Input::TargetPlatform,
            ],
        );
        let u = e.downcast_ref::<Usage>().unwrap();
        assert_eq!(
            u.render(|i| format!("--{i:?}")),
            "--TargetSize and --TargetBrokers need --TargetPlatform"
        );
        assert_eq!(
            e.to_string(),
            "target broker size and target broker count need target platform"
        );
    }
}
