//! kraftcheck command line. Thin: parses arguments and calls the library.

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand};
use kraftcheck::audit::{self, AuditOptions, FailOn};
use kraftcheck::collect::{self, kafka, OfflineSources};
use kraftcheck::report::{self, Format};
use kraftcheck::rules::{self, profiles::PROFILES};
use kraftcheck::{output, waivers};
use std::path::PathBuf;
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Exit codes:
  0  no failing finding at or above --fail-on (default: blocking)
  1  at least one failing finding at or above --fail-on (or unknown, with --fail-on-unknown)
  2  kraftcheck could not do its job (bad arguments, unreadable or invalid input)

Profiles (migration paths): inplace, msk-inplace, new-cluster, kafka4.
Run `kraftcheck rules list` to see the rule pack.";

#[derive(Parser)]
#[command(
    name = "kraftcheck",
    version,
    about = "Check that a Kafka cluster and its clients are ready to leave ZooKeeper for KRaft",
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Collect an inventory (topics, configs, ACLs, …) and write it as JSON.
    Collect {
        #[command(flatten)]
        sources: Sources,
        /// Write the inventory here instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Evaluate the rule pack and report what blocks the migration.
    Audit(Box<AuditArgs>),
    /// Inspect and test the rule pack.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Args)]
struct Sources {
    /// Kafka bootstrap server(s), HOST:PORT[,HOST:PORT…]: collect from the live cluster.
    #[arg(long, value_name = "HOSTS", help_heading = "Live Kafka")]
    bootstrap_server: Option<String>,
    /// Java client properties (security.protocol, sasl.mechanism, sasl.jaas.config,
    /// ssl.truststore.location with ssl.truststore.type=PEM, …), as Kafka's tools take them.
    #[arg(long, value_name = "FILE", help_heading = "Live Kafka")]
    command_config: Option<PathBuf>,
    /// Client setting KEY=VALUE (librdkafka or Java name), applied after --command-config.
    #[arg(short = 'X', value_name = "KEY=VALUE", help_heading = "Live Kafka")]
    client_settings: Vec<String>,
    /// Bound on every request and connection, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = kafka::DEFAULT_TIMEOUT_MS, help_heading = "Live Kafka")]
    timeout_ms: u64,
    /// A saved inventory (from `kraftcheck collect`).
    #[arg(long, value_name = "FILE")]
    inventory: Option<PathBuf>,
    /// A broker's server.properties (repeatable, one per broker).
    #[arg(long = "broker-config", value_name = "FILE")]
    broker_configs: Vec<PathBuf>,
    /// Kafka software version of the brokers, when it cannot be detected (e.g. 3.6.2).
    #[arg(long, value_name = "V")]
    kafka_version: Option<String>,
}

#[derive(Args)]
struct AuditArgs {
    #[command(flatten)]
    sources: Sources,
    /// Migration path(s) to check (repeatable): inplace, msk-inplace, new-cluster, kafka4.
    /// Default: those that apply (self-managed: inplace + kafka4; MSK: msk-inplace +
    /// new-cluster + kafka4; already KRaft: kafka4).
    #[arg(long = "profile", value_name = "P")]
    profiles: Vec<String>,
    /// Kafka version the cluster will run after the move (default per profile: inplace 3.9.2,
    /// msk-inplace 3.9.x.kraft, new-cluster and kafka4 4.3.1, or 4.1.x.kraft on MSK).
    #[arg(long, value_name = "V")]
    target_version: Option<String>,
    /// Extra rule files (*.toml, searched recursively); same id replaces an embedded rule.
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// Waivers file (TOML): accepted findings with reason, owner and expiry date.
    #[arg(long, value_name = "FILE")]
    waivers: Option<PathBuf>,
    /// Report format (repeatable; several need -o DIR).
    #[arg(long = "format", short = 'f', value_enum, default_value = "table")]
    formats: Vec<Format>,
    /// Output file (one format) or directory (several formats). Default: stdout.
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
    /// Lowest severity whose failing findings make the exit code 1.
    #[arg(long, value_enum, default_value = "blocking")]
    fail_on: FailOn,
    /// Count unknown findings (data missing) as failing too.
    #[arg(long)]
    fail_on_unknown: bool,
}

#[derive(Subcommand)]
enum RulesCommand {
    /// List every rule with severity, profiles and title.
    List {
        /// Extra rule directory, as for `audit --rules`.
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
    /// What a rule checks, why, how to fix it, and references.
    Explain {
        id: String,
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
    /// Run every rule's examples (fire / don't fire); exit 1 if any misbehaves.
    Test {
        /// Extra rule directory to load and test with the embedded pack.
        dir: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("kraftcheck: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn to_sources(s: &Sources) -> Result<collect::Sources> {
    let kafka = match &s.bootstrap_server {
        Some(b) => Some(kafka::build_config(
            b,
            s.command_config.as_deref(),
            &s.client_settings,
            s.timeout_ms,
        )?),
        None if s.command_config.is_some() || !s.client_settings.is_empty() => {
            bail!("--command-config and -X need --bootstrap-server")
        }
        None => None,
    };
    Ok(collect::Sources {
        offline: OfflineSources {
            inventory: s.inventory.clone(),
            broker_configs: s.broker_configs.clone(),
            kafka_version: s.kafka_version.clone(),
        },
        kafka,
    })
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Collect {
            sources,
            output: out,
        } => {
            let inv = collect::collect(&to_sources(&sources)?)?;
            let json = inv.to_json();
            match out {
                Some(p) => output::write_atomic(&p, json.as_bytes())?,
                None => print!("{json}"),
            }
            Ok(0)
        }
        Command::Audit(a) => run_audit(*a),
        Command::Rules { command } => run_rules(command),
    }
}

fn run_audit(a: AuditArgs) -> Result<u8> {
    for p in &a.profiles {
        if !PROFILES.iter().any(|x| x.name == p) {
            bail!(
                "--profile {p}: unknown profile (expected one of {})",
                PROFILES
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    if let Some(t) = &a.target_version {
        kraftcheck::version::KafkaVersion::parse(t)
            .map_err(|e| anyhow::anyhow!("--target-version: {e}"))?;
    }
    let rules = rules::load_rules(a.rules.as_deref())?;
    let waivers = match &a.waivers {
        Some(p) => waivers::load_waivers(p)?,
        None => vec![],
    };
    let inv = collect::collect(&to_sources(&a.sources)?)?;
    let inventory_file = match &a.sources.inventory {
        Some(p) => Some((p.display().to_string(), std::fs::read_to_string(p)?)),
        None => None,
    };
    let opts = AuditOptions {
        profiles: a.profiles.clone(),
        target: a.target_version.clone(),
        waivers,
        fail_on: a.fail_on,
        fail_on_unknown: a.fail_on_unknown,
        today: chrono::Local::now().date_naive(),
        inventory_file,
    };
    let report = audit::run(&rules, &inv, &opts);
    let mut formats = a.formats.clone();
    formats.dedup();
    let mut rendered = Vec::new();
    for f in &formats {
        rendered.push((f.file_name(), report::render(*f, &report)?));
    }
    output::write_all(output::plan(&rendered, a.output.as_deref())?)?;
    for n in &report.waiver_notices {
        eprintln!("kraftcheck: waiver {}: {}", n.kind, n.message);
    }
    Ok(audit::exit_code(&report, a.fail_on, a.fail_on_unknown) as u8)
}

fn run_rules(cmd: RulesCommand) -> Result<u8> {
    match cmd {
        RulesCommand::List { rules: dir } => {
            let set = rules::load_rules(dir.as_deref())?;
            print!("{}", kraftcheck::report::rules_table(&set));
            Ok(0)
        }
        RulesCommand::Explain { id, rules: dir } => {
            let set = rules::load_rules(dir.as_deref())?;
            let Some(r) = set.get(&id) else {
                bail!("no rule with id '{id}' (see `kraftcheck rules list`)");
            };
            print!("{}", kraftcheck::report::explain(r));
            Ok(0)
        }
        RulesCommand::Test { dir } => {
            let set = rules::load_rules(dir.as_deref())?;
            let outcomes = rules::run_examples(&set);
            let failed: Vec<_> = outcomes.iter().filter(|o| !o.ok).collect();
            for o in &failed {
                eprintln!(
                    "FAIL {} ({}) example {}: expected {}, got {}{}",
                    o.rule_id,
                    o.origin,
                    o.index,
                    o.expect,
                    o.got,
                    if o.note.is_empty() {
                        String::new()
                    } else {
                        format!(" — {}", o.note)
                    }
                );
            }
            println!(
                "rules test: {} rules, {} examples: {} passed, {} failed",
                set.rules.len(),
                outcomes.iter().filter(|o| o.index > 0).count(),
                outcomes.iter().filter(|o| o.ok).count(),
                failed.len()
            );
            Ok(if failed.is_empty() { 0 } else { 1 })
        }
    }
}
