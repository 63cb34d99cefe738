//! kraftcheck command line. Thin: parses arguments and calls the library.

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand};
use kraftcheck::audit::{self, AuditOptions, FailOn};
use kraftcheck::collect::{self, kafka, OfflineSources};
use kraftcheck::report::{self, Format};
use kraftcheck::rules::{
    self,
    profiles::{ProfileId, PROFILES},
};
use kraftcheck::settings::{Input, InputError, Usage};
use kraftcheck::{output, waivers};
use std::path::PathBuf;
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Exit codes:
  0  no failing finding at or above --fail-on (default: blocking)
  1  at least one failing finding at or above --fail-on (or unknown, with --fail-on-unknown)
  2  kraftcheck could not do its job (bad arguments, unreadable or invalid input)

`kraftcheck diff`: 0 in parity, 1 when anything is missing, changed or not comparable,
2 on bad input.

Profiles (migration paths): inplace, msk-inplace, new-cluster, kafka4.
Run `kraftcheck rules list` to see the rule pack.

KRAFTCHECK_DEBUG=1 prints, on stderr, the requests sent per Kafka/AWS API and the time and
memory of every stage (collect, load, evaluate, the slowest rules, render, write).";

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
    /// No progress line on stderr (shown only when stderr is a terminal, during long work:
    /// brokers, MSK clusters, repositories).
    #[arg(short, long, global = true)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Collect an inventory (topics, configs, ACLs, …) and write it as JSON.
    Collect {
        #[command(flatten)]
        sources: Box<Sources>,
        /// Write the inventory here instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Evaluate the rule pack and report what blocks the migration.
    Audit(Box<AuditArgs>),
    /// Verify after the move: what the new side lacks or changed compared with the old one.
    #[command(after_help = DIFF_HELP)]
    Diff(Box<DiffArgs>),
    /// The migration as ordered steps gated by the open findings; with -o DIR also the scripts
    /// that re-create ACLs, SCRAM users, quotas and configs on a new Kafka cluster.
    #[command(after_help = PLAN_HELP)]
    Plan(Box<PlanArgs>),
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
    /// Java client properties, as Kafka's tools take them: security.protocol, sasl.mechanism,
    /// sasl.jaas.config, ssl.truststore.* / ssl.keystore.* (JKS, PKCS12, PEM), ssl.key.password,
    /// OAuth client credentials (sasl.oauthbearer.token.endpoint.url), Kerberos (GSSAPI:
    /// sasl.kerberos.service.name, Krb5LoginModule with a keytab or the ticket cache; the system's
    /// libgssapi_krb5.so.2, KRB5_CONFIG, KRB5CCNAME), config.providers (file, directory, env), …
    /// (README: Connecting).
    #[arg(long, value_name = "FILE", help_heading = "Live Kafka")]
    command_config: Option<PathBuf>,
    /// KRaft controller(s) HOST:PORT[,…] to ask too (Kafka 3.7+, same client settings): shows
    /// the migration phase (pre-migration, not yet finalized) that brokers cannot show.
    #[arg(long, value_name = "HOSTS", help_heading = "Live Kafka")]
    bootstrap_controller: Option<String>,
    /// Client setting KEY=VALUE (librdkafka or Java name), applied after --command-config.
    #[arg(short = 'X', value_name = "KEY=VALUE", help_heading = "Live Kafka")]
    client_settings: Vec<String>,
    /// Bound on every request and connection, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = kafka::DEFAULT_TIMEOUT_MS, help_heading = "Live Kafka")]
    timeout_ms: u64,
    /// Broker load cap: Kafka requests outstanding at once, all brokers together.
    #[arg(long, value_name = "N", default_value_t = kafka::DEFAULT_MAX_IN_FLIGHT as u16, value_parser = clap::value_parser!(u16).range(1..), help_heading = "Live Kafka")]
    max_in_flight: u16,
    /// Broker load cap: Kafka requests started per second, all brokers together (default: no
    /// limit beyond --max-in-flight). README: Performance shows what a cap costs in time.
    #[arg(long, value_name = "N", help_heading = "Live Kafka")]
    max_requests_per_sec: Option<f64>,
    /// ZooKeeper of a ZooKeeper-mode cluster, HOST:PORT[,HOST:PORT…][/chroot] as in
    /// zookeeper.connect: read-only znode reads (the /migration znode, topic ids, partition
    /// states, pending deletions, broker registrations, znode ACLs).
    #[arg(long, value_name = "HOSTS[/CHROOT]")]
    zookeeper: Option<String>,
    /// ZooKeeper client TLS settings, as Kafka's tools take them: zookeeper.ssl.client.enable,
    /// zookeeper.ssl.truststore.{location,password,type}, zookeeper.ssl.keystore.* (mutual
    /// TLS), zookeeper.ssl.endpoint.identification.algorithm; JKS, PKCS12 or PEM stores;
    /// ${file:…}/${env:…} references resolved. Give --zookeeper the ensemble's secure port.
    #[arg(long, value_name = "FILE", requires = "zookeeper")]
    zk_tls_config_file: Option<PathBuf>,
    /// JAAS file whose `Client` section logs in to ZooKeeper, as Kafka's brokers and tools read
    /// it (-Djava.security.auth.login.config): DIGEST-MD5 (DigestLoginModule username/password),
    /// or Kerberos (Krb5LoginModule useKeyTab=true keyTab=… principal=…, or useTicketCache=true;
    /// the KDC from KRB5_CONFIG, Java's -Djava.security.krb5.conf, else /etc/krb5.conf).
    #[arg(long, value_name = "FILE", requires = "zookeeper")]
    zk_jaas_config: Option<PathBuf>,
    /// ZooKeeper's Kerberos service name, as Java's -Dzookeeper.sasl.client.username (default
    /// zookeeper): the server principal is NAME/HOST@REALM with HOST as written in --zookeeper.
    #[arg(long, value_name = "NAME", requires = "zk_jaas_config")]
    zk_sasl_client_username: Option<String>,
    /// The planned KRaft controllers' JAAS file (its `Client` section: Krb5LoginModule
    /// principal or DigestLoginModule username): checks that this ZooKeeper identity has the
    /// rights the migration needs on Kafka's znodes (ZK-009; zookeeper.set.acl=true).
    #[arg(long, value_name = "FILE", requires = "zookeeper")]
    zk_controller_jaas: Option<PathBuf>,
    /// A saved inventory (from `kraftcheck collect`).
    #[arg(long, value_name = "FILE")]
    inventory: Option<PathBuf>,
    /// A broker's server.properties (repeatable, one per broker).
    #[arg(long = "broker-config", value_name = "FILE")]
    broker_configs: Vec<PathBuf>,
    /// Exact Kafka software version: V for every broker (e.g. 3.6.2), or ID=V for one broker
    /// (repeatable). A live audit otherwise knows only major.minor, and rules that depend on
    /// the patch level report unknown.
    #[arg(long, value_name = "[ID=]V")]
    kafka_version: Vec<String>,
    /// A broker's log file (server.log, or the service's stdout): the version of its last
    /// start (`Kafka version: X.Y.Z`) and its broker.id / node.id. Repeatable, one per broker.
    #[arg(long = "broker-log", value_name = "[ID=]FILE")]
    broker_logs: Vec<String>,
    /// A Kafka installation directory: the version in its libs/kafka_<scala>-<version>.jar,
    /// for every broker or for broker ID. Repeatable.
    #[arg(long = "kafka-home", value_name = "[ID=]DIR")]
    kafka_homes: Vec<String>,
    /// Broker metrics in Prometheus text format, as the JMX exporter serves them (MSK open
    /// monitoring: http://BROKER:11001/metrics): a URL to scrape or a saved file. Repeatable,
    /// one per broker; URLs are scraped concurrently, each bounded by --timeout-ms. https
    /// trusts the ssl.* settings of --command-config / -X (else the public roots).
    #[arg(long = "metrics", value_name = "URL|FILE", help_heading = "Clients")]
    metrics: Vec<String>,
    /// Application repository to scan for Kafka and ZooKeeper client libraries (Maven with
    /// parents, BOMs and ~/.m2/repository, Gradle, Cargo, npm/yarn/pnpm, Go, pip/poetry/Pipfile,
    /// NuGet, Bundler; SBOMs, jars and fat jars, node_modules, *.dist-info, Go binaries found
    /// there), ZooKeeper usage (not comments, docs or logger names; tests reported apart) and
    /// bootstrap lists. Repeatable.
    #[arg(long = "scan-deps", value_name = "DIR", help_heading = "Clients")]
    scan_deps: Vec<PathBuf>,
    /// An SBOM CI produced (CycloneDX JSON or XML, SPDX JSON), or a directory of them: its
    /// Kafka and ZooKeeper client libraries with exact versions, transitive ones included.
    /// Repeatable.
    #[arg(long = "sbom", value_name = "FILE|DIR", help_heading = "Clients")]
    sbom: Vec<PathBuf>,
    /// Amazon MSK cluster to read live (ARN or name); with --aws-json, which listed cluster.
    #[arg(long, value_name = "ARN|NAME", help_heading = "Amazon MSK and IAM")]
    msk_cluster: Option<String>,
    /// Every MSK cluster in the region, one inventory (and report) per cluster; needs -o DIR.
    #[arg(
        long,
        conflicts_with = "msk_cluster",
        help_heading = "Amazon MSK and IAM"
    )]
    msk_all: bool,
    /// AWS region (default: the standard chain: AWS_REGION, the profile's region).
    #[arg(long, value_name = "REGION", help_heading = "Amazon MSK and IAM")]
    region: Option<String>,
    /// Named AWS profile (`--profile` selects migration paths).
    #[arg(long, value_name = "NAME", help_heading = "Amazon MSK and IAM")]
    aws_profile: Option<String>,
    /// Do not read IAM (GetAccountAuthorizationDetails); IAM rules then report unknown.
    #[arg(long, help_heading = "Amazon MSK and IAM")]
    no_iam: bool,
    /// JSON printed by the AWS CLI (describe-cluster-v2, list-nodes, list-scram-secrets,
    /// describe-configuration-revision, describe-cluster-operation-v2, secretsmanager
    /// describe-secret, kms describe-key, get-account-authorization-details, …; repeatable).
    #[arg(
        long = "aws-json",
        value_name = "FILE",
        help_heading = "Amazon MSK and IAM"
    )]
    aws_json: Vec<PathBuf>,
}

/// The flags audit and plan share, with audit's help; plan words its own (`PlanArgs`).
#[derive(Args)]
struct Checked {
    #[command(flatten)]
    sources: Sources,
    /// Migration path(s) to check (repeatable): inplace, msk-inplace, new-cluster, kafka4.
    /// Default: those that apply (self-managed: inplace + kafka4; MSK: msk-inplace +
    /// new-cluster + kafka4; already KRaft: kafka4).
    #[arg(long = "profile", value_name = "P")]
    profiles: Vec<String>,
    /// Kafka version the cluster will run after the move (default per profile: inplace 3.9.2,
    /// msk-inplace 3.9.x.kraft, new-cluster and kafka4 4.4.0, or 4.1.x.kraft on MSK; raised to
    /// the version the cluster already runs when that is newer). A target below the running
    /// version is refused.
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
}

#[derive(Args)]
struct AuditArgs {
    #[command(flatten)]
    c: Checked,
    /// Lowest severity whose failing findings make the exit code 1.
    #[arg(long, value_enum, default_value = "blocking")]
    fail_on: FailOn,
    /// Count unknown findings (data missing) as failing too.
    #[arg(long)]
    fail_on_unknown: bool,
    #[command(flatten)]
    target_platform: TargetPlatformArgs,
}

/// Target platforms (issue 16): where the cluster goes, compared by their documented limits.
#[derive(Args)]
struct TargetPlatformArgs {
    /// Candidate target (repeatable; several give one compare table): apache-kafka,
    /// msk-standard, msk-express, msk-serverless, confluent-basic, confluent-standard,
    /// confluent-enterprise, confluent-dedicated. Runs that platform's rules (and the
    /// new-cluster profile) against its limits (platforms/*.toml); limits the sources leave
    /// uncertain are reported as "verify" (info), never enforced.
    #[arg(
        long = "target-platform",
        value_name = "NAME",
        help_heading = "Target platform"
    )]
    platforms: Vec<String>,
    /// Broker size where limits depend on it (partitions per broker): SIZE or PLATFORM=SIZE,
    /// e.g. express.m7g.xlarge, kafka.m7g.2xlarge (repeatable, one per platform).
    #[arg(
        long = "target-size",
        value_name = "[PLATFORM=]SIZE",
        help_heading = "Target platform"
    )]
    sizes: Vec<String>,
    /// Broker count of the target (default: the source cluster's).
    #[arg(
        long = "target-brokers",
        value_name = "N",
        help_heading = "Target platform"
    )]
    brokers: Option<i64>,
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
    kraftcheck::progress::set_quiet(cli.quiet);
    let result = run(cli);
    kraftcheck::progress::clear();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("kraftcheck: error: {}", error_text(&e));
            ExitCode::from(2)
        }
    }
}

/// The flag that sets a library input.
fn flag(input: Input) -> &'static str {
    match input {
        Input::BootstrapServer => "--bootstrap-server",
        Input::ScanDeps => "--scan-deps",
        Input::Sbom => "--sbom",
        Input::Metrics => "--metrics",
        Input::KafkaVersion => "--kafka-version",
        Input::KafkaHome => "--kafka-home",
        Input::ZkTlsConfig => "--zk-tls-config-file",
        Input::ZkJaasConfig => "--zk-jaas-config",
        Input::Inventory => "--inventory",
        Input::BrokerConfig => "--broker-config",
        Input::CommandConfig => "--command-config",
        Input::BootstrapController => "--bootstrap-controller",
        Input::MskAll => "--msk-all",
        Input::MskCluster => "--msk-cluster",
        Input::AwsJson => "--aws-json",
        Input::Region => "--region",
        Input::AwsProfile => "--aws-profile",
        Input::TargetVersion => "--target-version",
        Input::TargetPlatform => "--target-platform",
        Input::TargetSize => "--target-size",
        Input::TargetBrokers => "--target-brokers",
        Input::Format => "--format",
        Input::Zookeeper => "--zookeeper",
        Input::ZkControllerJaas => "--zk-controller-jaas",
        Input::ZkSaslClientUsername => "--zk-sasl-client-username",
        Input::BrokerLog => "--broker-log",
        Input::NewMskCluster => "--new-msk-cluster",
        Input::Rules => "--rules",
        Input::NoIam => "--no-iam",
    }
}

/// An error and its causes, as `{e:#}` shows them, with bad inputs named by their flags.
fn error_text(e: &anyhow::Error) -> String {
    e.chain()
        .map(|c| {
            if let Some(bad) = c.downcast_ref::<InputError>() {
                bad.render(flag(bad.input))
            } else if let Some(u) = c.downcast_ref::<Usage>() {
                u.render(|i| flag(i).to_string())
            } else {
                c.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(": ")
}

fn to_sources(s: &Sources) -> Result<collect::Sources> {
    if let Some(r) = s.max_requests_per_sec {
        if !(r.is_finite() && r > 0.0) {
            bail!("--max-requests-per-sec {r}: give a positive number");
        }
    }
    kafka::set_request_limits(s.max_in_flight as usize, s.max_requests_per_sec);
    let kafka = match &s.bootstrap_server {
        Some(b) => Some(
            kafka::build_config(
                b,
                s.command_config.as_deref(),
                &s.client_settings,
                s.timeout_ms,
            )?
            .with_aws(s.region.as_deref(), s.aws_profile.as_deref()),
        ),
        None if s.command_config.is_some()
            || !s.client_settings.is_empty()
            || s.bootstrap_controller.is_some() =>
        {
            bail!("--command-config, -X and --bootstrap-controller need --bootstrap-server")
        }
        None => None,
    };
    Ok(collect::Sources {
        offline: OfflineSources {
            inventory: s.inventory.clone(),
            broker_configs: s.broker_configs.clone(),
            msk_cluster: s.msk_cluster.clone(),
            inventory_lines: Default::default(),
        },
        kafka,
        aws: msk_target(s).map(|t| {
            let opts = collect::aws::AwsOptions {
                region: s.region.clone(),
                profile: s.aws_profile.clone(),
                timeout: Some(std::time::Duration::from_millis(s.timeout_ms)),
                iam: !s.no_iam,
            };
            (opts, t)
        }),
        aws_json: s.aws_json.clone(),
        clients: collect::clients::ClientSources {
            metrics: s.metrics.clone(),
            scan_deps: s.scan_deps.clone(),
            sbom: s.sbom.clone(),
            timeout: std::time::Duration::from_millis(s.timeout_ms),
            tls: kafka::https_trust(
                &s.metrics,
                s.command_config.as_deref(),
                &s.client_settings,
                s.timeout_ms,
            )?,
        },
        bootstrap_controllers: s
            .bootstrap_controller
            .iter()
            .flat_map(|b| b.split(','))
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .collect(),
        zookeeper: match &s.zookeeper {
            Some(z) => Some(collect::zookeeper::ZkSource {
                connect: z.clone(),
                timeout: std::time::Duration::from_millis(s.timeout_ms),
                tls: match &s.zk_tls_config_file {
                    Some(f) => collect::zookeeper::tls_settings(f)?,
                    None => None,
                },
                sasl: match &s.zk_jaas_config {
                    Some(f) => Some(collect::zookeeper::sasl_settings(
                        f,
                        s.zk_sasl_client_username.as_deref(),
                    )?),
                    None => None,
                },
                controller_identity: match &s.zk_controller_jaas {
                    Some(f) => collect::zookeeper::controller_identity(f)?,
                    None => Vec::new(),
                },
            }),
            None => None,
        },
        versions: collect::versions::VersionSources {
            kafka_version: s.kafka_version.clone(),
            broker_logs: s.broker_logs.clone(),
            kafka_homes: s.kafka_homes.clone(),
        },
    })
}

/// The MSK clusters to read live, if any (`--msk-cluster` names the offline one with
/// `--aws-json`).
fn msk_target(s: &Sources) -> Option<collect::aws::MskTarget> {
    match (&s.msk_cluster, s.msk_all) {
        (_, true) => Some(collect::aws::MskTarget::All),
        (Some(c), false) if s.aws_json.is_empty() => {
            Some(collect::aws::MskTarget::Cluster(c.clone()))
        }
        _ => None,
    }
}

/// A file or directory name for one cluster of `--msk-all`.
fn cluster_dir_name(inv: &kraftcheck::inventory::Inventory) -> String {
    let name = inv
        .msk
        .as_ref()
        .map(|m| format!("{}-{}", m.cluster_name, m.cluster_uuid))
        .unwrap_or_else(|| "cluster".into());
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Collect {
            sources,
            output: out,
        } => {
            if sources.msk_all {
                let Some(dir) = out else {
                    bail!("--msk-all writes one inventory per cluster: give -o DIR");
                };
                for inv in collect::collect_all(&to_sources(&sources)?)? {
                    let p = dir.join(format!("{}.json", cluster_dir_name(&inv)));
                    std::fs::create_dir_all(&dir)?;
                    output::write_atomic(&p, inv.to_json().as_bytes())?;
                    eprintln!("kraftcheck: wrote {}", p.display());
                }
                return Ok(0);
            }
            let inv = collect::collect(&to_sources(&sources)?)?;
            let _t = kraftcheck::debug::Stage::start("write inventory");
            let json = inv.to_json();
            match out {
                Some(p) => output::write_atomic(&p, json.as_bytes())?,
                None => output::to_stdout(&json)?,
            }
            Ok(0)
        }
        Command::Audit(a) => run_audit(*a),
        Command::Diff(d) => run_diff(*d),
        Command::Plan(p) => run_plan(*p),
        Command::Rules { command } => run_rules(command),
    }
}

/// `--profile` values: each a profile `allowed` takes, or the error `refusal` words.
fn profile_ids(
    given: &[String],
    allowed: impl Fn(ProfileId) -> bool,
    refusal: impl Fn(&str) -> String,
) -> Result<Vec<ProfileId>> {
    given
        .iter()
        .map(|p| match ProfileId::parse(p).filter(|&id| allowed(id)) {
            Some(id) => Ok(id),
            None => bail!("{}", refusal(p)),
        })
        .collect()
}

/// `--target-version V`: a Kafka version (checked against the cluster once it is collected).
fn check_target_version(target: Option<&str>) -> Result<()> {
    if let Some(t) = target {
        kraftcheck::version::KafkaVersion::parse(t)
            .map_err(|e| anyhow::anyhow!("--target-version: {e}"))?;
    }
    Ok(())
}

/// What audit and plan prepare alike before collecting: the target platforms, the rule pack
/// and the waivers (bad input exits 2 before anything is collected).
struct Prepared {
    rules: rules::RuleSet,
    waivers: Vec<waivers::Waiver>,
    platforms: Vec<kraftcheck::platform::Selected>,
}

impl Prepared {
    fn load(
        tp: &TargetPlatformArgs,
        rules_dir: Option<&std::path::Path>,
        waivers: Option<&std::path::Path>,
    ) -> Result<Prepared> {
        // Target platforms (issue 16): bad names or sizes exit 2 before anything is collected.
        let platforms = kraftcheck::platform::select(&tp.platforms, &tp.sizes, tp.brokers)?;
        let t = kraftcheck::debug::Stage::start("load rules");
        let rules = rules::load_rules(rules_dir)?;
        drop(t);
        let waivers = match waivers {
            Some(p) => waivers::load_waivers(p)?,
            None => vec![],
        };
        Ok(Prepared {
            rules,
            waivers,
            platforms,
        })
    }

    /// The audit of `inv` under `profiles` (empty: inferred), once `--target-version` is
    /// checked against the version the cluster runs.
    fn options(
        &self,
        inv: &kraftcheck::inventory::Inventory,
        profiles: Vec<ProfileId>,
        target: Option<&str>,
        fail_on: FailOn,
        fail_on_unknown: bool,
        inventory_file: Option<rules::InventoryFile>,
    ) -> Result<AuditOptions> {
        rules::profiles::check_target(inv, target)?;
        Ok(AuditOptions {
            profiles,
            target: target.map(str::to_string),
            waivers: self.waivers.clone(),
            fail_on,
            fail_on_unknown,
            today: chrono::Local::now().date_naive(),
            inventory_file,
            platforms: self.platforms.clone(),
        })
    }
}

fn run_audit(a: AuditArgs) -> Result<u8> {
    let profiles = profile_ids(
        &a.c.profiles,
        |_| true,
        |p| {
            format!(
                "--profile {p}: unknown profile (expected one of {})",
                PROFILES
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    )?;
    check_target_version(a.c.target_version.as_deref())?;
    let prep = Prepared::load(
        &a.target_platform,
        a.c.rules.as_deref(),
        a.c.waivers.as_deref(),
    )?;
    if a.c.sources.msk_all {
        // One report per cluster, each in its own directory under -o DIR.
        let Some(dir) = a.c.output.clone() else {
            bail!("--msk-all writes one report per cluster: give -o DIR");
        };
        let mut worst = 0u8;
        for inv in collect::collect_all(&to_sources(&a.c.sources)?)? {
            let sub = dir.join(cluster_dir_name(&inv));
            let code = audit_one(&a, &prep, &profiles, &inv, None, Some(&sub))?;
            eprintln!("kraftcheck: {}: exit {code}", sub.display());
            worst = worst.max(code);
        }
        return Ok(worst);
    }
    let sources = to_sources(&a.c.sources)?;
    let inv = collect::collect(&sources)?;
    let inventory_file = match (
        &a.c.sources.inventory,
        sources.offline.inventory_lines.get(),
    ) {
        (Some(p), Some(lines)) => Some(rules::InventoryFile {
            path: p.display().to_string(),
            lines: lines.clone(),
        }),
        (Some(p), None) => Some(rules::InventoryFile::load(p)?),
        (None, _) => None,
    };
    let code = audit_one(
        &a,
        &prep,
        &profiles,
        &inv,
        inventory_file,
        a.c.output.as_deref(),
    );
    // Freeing a million partitions one by one takes a noticeable part of a large audit, and
    // the process ends right after: leave that to the OS.
    std::mem::forget(inv);
    code
}

/// Audit one inventory and write its reports; the exit code.
fn audit_one(
    a: &AuditArgs,
    prep: &Prepared,
    profiles: &[ProfileId],
    inv: &kraftcheck::inventory::Inventory,
    inventory_file: Option<rules::InventoryFile>,
    out: Option<&std::path::Path>,
) -> Result<u8> {
    let opts = prep.options(
        inv,
        profiles.to_vec(),
        a.c.target_version.as_deref(),
        a.fail_on,
        a.fail_on_unknown,
        inventory_file,
    )?;
    let t = kraftcheck::debug::Stage::start("audit");
    let report = audit::run(&prep.rules, inv, &opts);
    drop(t);
    let mut formats = a.c.formats.clone();
    formats.dedup();
    let mut rendered = Vec::new();
    for f in &formats {
        let _t = kraftcheck::debug::Stage::start("render");
        rendered.push((f.file_name(), report::render(*f, &report)?));
    }
    let out = match out {
        // --msk-all: always a directory per cluster.
        Some(d) if a.c.sources.msk_all => {
            std::fs::create_dir_all(d)?;
            Some(d.to_path_buf())
        }
        other => other.map(|p| p.to_path_buf()),
    };
    let t = kraftcheck::debug::Stage::start("write reports");
    output::write_all(output::plan(rendered, out.as_deref())?)?;
    drop(t);
    for n in &report.waiver_notices {
        eprintln!("kraftcheck: waiver {}: {}", n.kind, n.message);
    }
    let code = audit::exit_code(&report, a.fail_on, a.fail_on_unknown) as u8;
    // As for the inventory (see run_audit): tens of thousands of findings are freed by the OS.
    std::mem::forget(report);
    Ok(code)
}

fn run_rules(cmd: RulesCommand) -> Result<u8> {
    match cmd {
        RulesCommand::List { rules: dir } => {
            let set = rules::load_rules(dir.as_deref())?;
            output::to_stdout(&kraftcheck::report::rules_table(&set))?;
            Ok(0)
        }
        RulesCommand::Explain { id, rules: dir } => {
            let set = rules::load_rules(dir.as_deref())?;
            let Some(r) = set.get(&id) else {
                bail!("no rule with id '{id}' (see `kraftcheck rules list`)");
            };
            output::to_stdout(&kraftcheck::report::explain(r))?;
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
            output::to_stdout(&format!(
                "rules test: {} rules, {} examples: {} passed, {} failed\n",
                set.rules.len(),
                outcomes.iter().filter(|o| o.index > 0).count(),
                outcomes.iter().filter(|o| o.ok).count(),
                failed.len()
            ))?;
            Ok(if failed.is_empty() { 0 } else { 1 })
        }
    }
}

const DIFF_HELP: &str = "\
Compares two inventories (kraftcheck collect -o FILE, taken before and after the move) or two
live clusters: topics (existence, partitions, replication factor, non-default configs, and in
place topic ids and log end offsets), internal topics, ACLs, SCRAM users and mechanisms, client
quotas, dynamic broker configs (per broker, matched by id, and cluster defaults), static broker
configs, consumer groups and committed offsets; between two MSK clusters with their IAM also
iam-access (users and roles that reach the old cluster and may not do the same on the new one).

In place (same cluster id) offsets must match exactly; on a new cluster (different id, or
--profile new-cluster) the committed offsets are translated, so each group's lag is compared
against each side's log end offsets. Broker ids and hosts, the cluster id, the migration's own
configs (zookeeper.*, controller.*, process.roles, node.id, …) and MirrorMaker 2's internal
topics and groups are listed as expected differences, not losses.

Exit codes: 0 in parity; 1 when anything is missing or changed, or a category could not be
compared (a gap in either inventory); 2 on bad input.

Examples:
  kraftcheck collect --bootstrap-server old:9092 -o before.json
  kraftcheck collect --bootstrap-server new:9092 -o after.json
  kraftcheck diff before.json after.json
  kraftcheck diff before.json after.json -f markdown -f html -f sarif -o diff/
  kraftcheck diff before.json --new-bootstrap-server new:9092 --new-command-config admin.properties";

#[derive(Args)]
struct DiffArgs {
    /// OLD.json then NEW.json (inventories from `kraftcheck collect`); a side given with
    /// --old-bootstrap-server / --new-bootstrap-server takes no file.
    #[arg(value_names = ["OLD.json", "NEW.json"], num_args = 0..=2)]
    files: Vec<PathBuf>,
    /// Collect the old side from this live cluster instead of a file.
    #[arg(long, value_name = "HOSTS", help_heading = "Live clusters")]
    old_bootstrap_server: Option<String>,
    /// Client properties for the old cluster (as --command-config).
    #[arg(long, value_name = "FILE", help_heading = "Live clusters")]
    old_command_config: Option<PathBuf>,
    /// Collect the new side from this live cluster instead of a file.
    #[arg(long, value_name = "HOSTS", help_heading = "Live clusters")]
    new_bootstrap_server: Option<String>,
    /// Client properties for the new cluster (as --command-config).
    #[arg(long, value_name = "FILE", help_heading = "Live clusters")]
    new_command_config: Option<PathBuf>,
    /// Bound on every request and connection, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = kafka::DEFAULT_TIMEOUT_MS, help_heading = "Live clusters")]
    timeout_ms: u64,
    /// The migration path: inplace (also msk-inplace: same cluster, exact offsets) or
    /// new-cluster (translated offsets). Default: inplace when both cluster ids are equal.
    #[arg(long = "profile", value_name = "P")]
    profile: Option<String>,
    /// New cluster fed by MirrorMaker 2 with its DefaultReplicationPolicy: topics (and their
    /// ACLs and offsets) are named ALIAS.<topic> on the new side.
    #[arg(long, value_name = "ALIAS")]
    source_alias: Option<String>,
    /// Report format (repeatable; several need -o DIR).
    #[arg(long = "format", short = 'f', value_enum, default_value = "table")]
    formats: Vec<Format>,
    /// Output file (one format) or directory (several formats). Default: stdout.
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
}

/// One side of a diff: (inventory, source label, file text).
fn diff_side(
    name: &str,
    bootstrap: Option<&str>,
    command_config: Option<&std::path::Path>,
    files: &mut std::vec::IntoIter<PathBuf>,
    timeout_ms: u64,
) -> Result<(
    kraftcheck::inventory::Inventory,
    String,
    Option<kraftcheck::inventory::LineIndex>,
)> {
    if let Some(b) = bootstrap {
        let src = collect::Sources {
            kafka: Some(kafka::build_config(b, command_config, &[], timeout_ms)?),
            ..Default::default()
        };
        let inv = collect::collect(&src)?;
        let label = inv
            .sources
            .first()
            .cloned()
            .unwrap_or_else(|| format!("bootstrap:{b}"));
        return Ok((inv, label, None));
    }
    if command_config.is_some() {
        bail!("--{name}-command-config needs --{name}-bootstrap-server");
    }
    let Some(path) = files.next() else {
        bail!(
            "give the {name} side: {}.json or --{name}-bootstrap-server",
            name.to_uppercase()
        );
    };
    // The line index is built while the inventory is parsed: the file is not read again.
    let (mut inv, lines) = kraftcheck::inventory::load_inventory(&path)?;
    collect::phase::infer(&mut inv);
    Ok((inv, path.display().to_string(), Some(lines)))
}

fn run_diff(d: DiffArgs) -> Result<u8> {
    use kraftcheck::diff;
    let path = match d.profile.as_deref() {
        None => None,
        Some("inplace" | "msk-inplace") => Some(diff::Path::Inplace),
        Some("new-cluster") => Some(diff::Path::NewCluster),
        Some(p) => bail!("--profile {p}: diff compares inplace, msk-inplace or new-cluster moves"),
    };
    if d.source_alias.is_some() && path == Some(diff::Path::Inplace) {
        bail!(
            "--source-alias is for a new cluster fed by MirrorMaker 2, not an in-place migration"
        );
    }
    let mut files = d.files.clone().into_iter();
    let (old, old_source, old_lines) = diff_side(
        "old",
        d.old_bootstrap_server.as_deref(),
        d.old_command_config.as_deref(),
        &mut files,
        d.timeout_ms,
    )?;
    let (new, new_source, _) = diff_side(
        "new",
        d.new_bootstrap_server.as_deref(),
        d.new_command_config.as_deref(),
        &mut files,
        d.timeout_ms,
    )?;
    if files.next().is_some() {
        bail!("too many files: a side given with --old/--new-bootstrap-server takes no file");
    }
    let opts = diff::DiffOptions {
        path: if d.source_alias.is_some() && path.is_none() {
            Some(diff::Path::NewCluster)
        } else {
            path
        },
        source_alias: d.source_alias.clone(),
        old_source,
        new_source,
        old_lines,
    };
    let result = diff::compare(&old, &new, &opts);
    let mut formats = d.formats.clone();
    formats.dedup();
    let mut rendered = Vec::new();
    for f in &formats {
        rendered.push((diff::file_name(*f), diff::render(*f, &result, &opts)?));
    }
    output::write_all(output::plan(rendered, d.output.as_deref())?)?;
    Ok(result.exit_code())
}

const PLAN_HELP: &str = "\
Paths and their steps (rule files name the step each rule gates; a rule that names none gates
the path's first step):
  inplace       versions -> broker configs -> controllers (formatted with the cluster id) ->
                brokers into migration mode -> migration complete -> brokers to KRaft -> soak ->
                finalize (irreversible)
  msk-inplace   prerequisites -> the MSK operation (irreversible) -> verify
  new-cluster   create the target -> re-create what is not replicated -> IAM on the new ARN ->
                replicate with offset sync -> move clients -> verify with diff -> soak ->
                decommission (irreversible)

Each step lists the open (failing or unknown) findings that gate it, the kraftcheck command that
checks it and the rollback available from it; steps the collected migration phase shows as done
are marked done. Default paths: those that apply to the cluster (as for audit).

-o DIR writes plan.txt / plan.md / plan.html / plan.json (the --format values) and DIR/recreate/:
shell scripts that re-create topics, dynamic broker configs, SCRAM users, quotas and ACLs on a new
Kafka cluster with Kafka's own tools (kafka-topics, kafka-configs, kafka-acls). Run them with
BOOTSTRAP=new:9092 COMMAND_CONFIG=admin.properties [KAFKA_BIN=DIR]; SCRAM passwords come from
SCRAM_PASSWORD_<USER> variables; each script checks the target's cluster id first and refuses to
run against the source cluster. kraftcheck itself never writes to a cluster.
On an MSK inventory DIR/msk/ also holds the AWS CLI commands (batch-associate-scram-secret,
create-configuration with server.properties minus the keys MSK-009 names) and, with
--new-msk-cluster, the IAM grants for the new cluster: for each policy naming the old cluster a
policy holding its statements rewritten for the new one (iam/NAME.json, iam/NAME.diff), and
iam/apply-iam.sh, which adds them beside the old policies (attached where the old one is) and
changes none.

IAM readiness (--new-msk-cluster ARN | describe-cluster-v2 JSON file | NAME with --msk-cluster):
every user and role whose policies (inline, managed, their groups') allow a kafka-cluster action
on the old cluster is checked for the same action on the new cluster's cluster, topic, group and
transactional-id resources (Allow/Deny, NotAction/NotResource, wildcards). Who would lose access
gates the step 'IAM on the new ARN' (IAM-READY) and is listed under 'IAM on the new cluster' and
in plan.json (iam_readiness). Not modelled: SCPs, permission boundaries, session policies,
resource policies; conditions are not evaluated (a result that depends on one is unknown, unless
the old cluster's depended on the same Condition blocks). Without IAM data it is unknown.

Exit codes: 0 the plan was written (open findings do not change it); 2 bad input.

Examples:
  kraftcheck plan --broker-config examples/zk-cluster --kafka-version 3.6.1
  kraftcheck plan --inventory before.json --profile new-cluster -f markdown -f html -o plan/
  kraftcheck plan --msk-cluster orders --profile new-cluster --new-msk-cluster orders-kraft -o plan/";

#[derive(Args)]
#[command(
    mut_arg("profiles", |a| a.help("Migration path(s) to plan (repeatable): inplace, msk-inplace, new-cluster. Default: those that apply to the cluster")),
    mut_arg("target_version", |a| a.help("Kafka version the cluster will run after the move (as for audit)")),
    mut_arg("rules", |a| a.help("Extra rule files (*.toml, searched recursively), as for audit")),
    mut_arg("waivers", |a| a.help("Waivers file (TOML): waived findings do not gate a step")),
    mut_arg("formats", |a| a.help("Plan format (repeatable; several need -o DIR): table, markdown, html or json")),
    mut_arg("output", |a| a.value_name("DIR").help("Directory for the plan files and the re-creation scripts (DIR/recreate/; MSK: DIR/msk/). Default: the plan on stdout, no scripts")),
)]
struct PlanArgs {
    /// As for audit, each flag with its plan help above.
    #[command(flatten)]
    c: Checked,
    /// The new MSK cluster: its ARN, a file with its `aws kafka describe-cluster-v2` output, or
    /// (with --msk-cluster, read live) its name. Checks IAM readiness (who would lose
    /// kafka-cluster access at cutover); with -o DIR also writes the IAM grants for it
    /// (DIR/msk/iam/: a policy per policy naming the old cluster, .diff each, apply-iam.sh).
    #[arg(
        long,
        value_name = "ARN|FILE|NAME",
        help_heading = "Amazon MSK and IAM"
    )]
    new_msk_cluster: Option<String>,
    /// As for audit: the target platforms' rules gate the new-cluster plan's first step.
    #[command(flatten)]
    target_platform: TargetPlatformArgs,
}

fn run_plan(a: PlanArgs) -> Result<u8> {
    use kraftcheck::plan;
    let planned = |id: ProfileId| plan::PLAN_PROFILES.contains(&id.as_str());
    let chosen = profile_ids(&a.c.profiles, planned, |p| {
        format!(
            "--profile {p}: plan covers {}",
            plan::PLAN_PROFILES.join(", ")
        )
    })?;
    if a.c.sources.msk_all {
        bail!("plan works on one cluster: give --msk-cluster instead of --msk-all");
    }
    check_target_version(a.c.target_version.as_deref())?;
    let mut formats = a.c.formats.clone();
    formats.dedup();
    if let Some(f) = formats
        .iter()
        .find(|f| matches!(f, Format::Sarif | Format::Junit))
    {
        bail!("--format {f:?}: plan is written as table, markdown, html or json");
    }
    let sources = to_sources(&a.c.sources)?;
    let new_msk = match a.new_msk_cluster.as_deref() {
        None => None,
        Some(arn) if arn.starts_with("arn:") => Some(plan::msk::ClusterArn::parse(arn)?),
        Some(f) if std::path::Path::new(f).is_file() => {
            Some(plan::msk::arn_from_json(std::path::Path::new(f))?)
        }
        Some(name) => match &sources.aws {
            Some((opts, _)) if !name.contains(['/', ':']) => Some(plan::msk::ClusterArn::parse(
                &collect::aws::cluster_arn_by_name(opts, name)
                    .map_err(|e| e.context(format!("--new-msk-cluster {name}")))?,
            )?),
            _ => bail!(
                "--new-msk-cluster {name}: expected arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID, a describe-cluster-v2 JSON file, or (with --msk-cluster, read live) a cluster name"
            ),
        },
    };
    let prep = Prepared::load(
        &a.target_platform,
        a.c.rules.as_deref(),
        a.c.waivers.as_deref(),
    )?;
    let inv = collect::collect(&sources)?;
    let mut profiles = if chosen.is_empty() {
        rules::profiles::infer(&inv)
            .into_iter()
            .filter(|&id| planned(id))
            .collect()
    } else {
        chosen
    };
    // A target platform is a new cluster (as in audit).
    if !prep.platforms.is_empty() && !profiles.contains(&ProfileId::NewCluster) {
        profiles.push(ProfileId::NewCluster);
    }
    // check_target before "no path applies", as before.
    let opts = prep.options(
        &inv,
        profiles.clone(),
        a.c.target_version.as_deref(),
        FailOn::Blocking,
        false,
        None,
    )?;
    if profiles.is_empty() {
        bail!("no migration path applies to this cluster (already on KRaft?): choose one with --profile");
    }
    let report = audit::run(&prep.rules, &inv, &opts);
    let names: Vec<String> = profiles.iter().map(|p| p.to_string()).collect();
    let mut the_plan = plan::build(&prep.rules, &inv, &report, &names);
    if let Some(new) = &new_msk {
        plan::attach_iam(&mut the_plan, plan::iam::for_inventory(&inv, new)?);
    }
    let mut rendered = Vec::new();
    for f in &formats {
        rendered.push((
            plan::render::file_name(*f),
            plan::render::render(*f, &the_plan)?,
        ));
    }
    if let Some(dir) = &a.c.output {
        if dir.exists() && !dir.is_dir() {
            bail!("-o {}: exists and is not a directory", dir.display());
        }
        let scripts_dir = dir.join("recreate");
        std::fs::create_dir_all(&scripts_dir)
            .map_err(|e| anyhow::anyhow!("-o {}: cannot create: {e}", scripts_dir.display()))?;
        for (name, body) in plan::scripts::generate(&inv) {
            let p = scripts_dir.join(name);
            output::write_atomic(&p, body.as_bytes())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755))?;
            }
        }
        for (name, body) in plan::msk::generate(&inv, &report, new_msk.as_ref())? {
            let p = dir.join("msk").join(name);
            if let Some(d) = p.parent() {
                std::fs::create_dir_all(d)?;
            }
            output::write_atomic(&p, body.as_bytes())?;
        }
        eprintln!("kraftcheck: wrote the plan and {}", scripts_dir.display());
    }
    output::write_all(output::plan(rendered, a.c.output.as_deref())?)?;
    Ok(0)
}
