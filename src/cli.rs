//! The command line's definition: its flags (clap structs), their help texts, and the flag
//! each library input is set by. Binary-only; `main.rs` runs the commands.

use clap::{Args, Parser, Subcommand};
use kraftcheck::audit::FailOn;
use kraftcheck::collect::kafka;
use kraftcheck::report::Format;
use kraftcheck::settings::Input;
use std::path::PathBuf;

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
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// No progress line on stderr (shown only when stderr is a terminal, during long work:
    /// brokers, MSK clusters, repositories).
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Subcommand)]
pub enum Command {
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
pub struct Sources {
    /// Kafka bootstrap server(s), HOST:PORT[,HOST:PORT…]: collect from the live cluster.
    #[arg(long, value_name = "HOSTS", help_heading = "Live Kafka")]
    pub bootstrap_server: Option<String>,
    /// Java client properties, as Kafka's tools take them: security.protocol, sasl.mechanism,
    /// sasl.jaas.config, ssl.truststore.* / ssl.keystore.* (JKS, PKCS12, PEM), ssl.key.password,
    /// OAuth client credentials (sasl.oauthbearer.token.endpoint.url), Kerberos (GSSAPI:
    /// sasl.kerberos.service.name, Krb5LoginModule with a keytab or the ticket cache; the system's
    /// libgssapi_krb5.so.2, KRB5_CONFIG, KRB5CCNAME), config.providers (file, directory, env), …
    /// (README: Connecting).
    #[arg(long, value_name = "FILE", help_heading = "Live Kafka")]
    pub command_config: Option<PathBuf>,
    /// KRaft controller(s) HOST:PORT[,…] to ask too (Kafka 3.7+, same client settings): shows
    /// the migration phase (pre-migration, not yet finalized) that brokers cannot show.
    #[arg(long, value_name = "HOSTS", help_heading = "Live Kafka")]
    pub bootstrap_controller: Option<String>,
    /// Client setting KEY=VALUE (librdkafka or Java name), applied after --command-config.
    #[arg(short = 'X', value_name = "KEY=VALUE", help_heading = "Live Kafka")]
    pub client_settings: Vec<String>,
    /// Bound on every request and connection, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = kafka::DEFAULT_TIMEOUT_MS, help_heading = "Live Kafka")]
    pub timeout_ms: u64,
    /// Broker load cap: Kafka requests outstanding at once, all brokers together.
    #[arg(long, value_name = "N", default_value_t = kafka::DEFAULT_MAX_IN_FLIGHT as u16, value_parser = clap::value_parser!(u16).range(1..), help_heading = "Live Kafka")]
    pub max_in_flight: u16,
    /// Broker load cap: Kafka requests started per second, all brokers together (default: no
    /// limit beyond --max-in-flight). README: Performance shows what a cap costs in time.
    #[arg(long, value_name = "N", help_heading = "Live Kafka")]
    pub max_requests_per_sec: Option<f64>,
    /// ZooKeeper of a ZooKeeper-mode cluster, HOST:PORT[,HOST:PORT…][/chroot] as in
    /// zookeeper.connect: read-only znode reads (the /migration znode, topic ids, partition
    /// states, pending deletions, broker registrations, znode ACLs).
    #[arg(long, value_name = "HOSTS[/CHROOT]")]
    pub zookeeper: Option<String>,
    /// ZooKeeper client TLS settings, as Kafka's tools take them: zookeeper.ssl.client.enable,
    /// zookeeper.ssl.truststore.{location,password,type}, zookeeper.ssl.keystore.* (mutual
    /// TLS), zookeeper.ssl.endpoint.identification.algorithm; JKS, PKCS12 or PEM stores;
    /// ${file:…}/${env:…} references resolved. Give --zookeeper the ensemble's secure port.
    #[arg(long, value_name = "FILE", requires = "zookeeper")]
    pub zk_tls_config_file: Option<PathBuf>,
    /// JAAS file whose `Client` section logs in to ZooKeeper, as Kafka's brokers and tools read
    /// it (-Djava.security.auth.login.config): DIGEST-MD5 (DigestLoginModule username/password),
    /// or Kerberos (Krb5LoginModule useKeyTab=true keyTab=… principal=…, or useTicketCache=true;
    /// the KDC from KRB5_CONFIG, Java's -Djava.security.krb5.conf, else /etc/krb5.conf).
    #[arg(long, value_name = "FILE", requires = "zookeeper")]
    pub zk_jaas_config: Option<PathBuf>,
    /// ZooKeeper's Kerberos service name, as Java's -Dzookeeper.sasl.client.username (default
    /// zookeeper): the server principal is NAME/HOST@REALM with HOST as written in --zookeeper.
    #[arg(long, value_name = "NAME", requires = "zk_jaas_config")]
    pub zk_sasl_client_username: Option<String>,
    /// The planned KRaft controllers' JAAS file (its `Client` section: Krb5LoginModule
    /// principal or DigestLoginModule username): checks that this ZooKeeper identity has the
    /// rights the migration needs on Kafka's znodes (ZK-009; zookeeper.set.acl=true).
    #[arg(long, value_name = "FILE", requires = "zookeeper")]
    pub zk_controller_jaas: Option<PathBuf>,
    /// A saved inventory (from `kraftcheck collect`).
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// A broker's server.properties (repeatable, one per broker).
    #[arg(long = "broker-config", value_name = "FILE")]
    pub broker_configs: Vec<PathBuf>,
    /// Exact Kafka software version: V for every broker (e.g. 3.6.2), or ID=V for one broker
    /// (repeatable). A live audit otherwise knows only major.minor, and rules that depend on
    /// the patch level report unknown.
    #[arg(long, value_name = "[ID=]V")]
    pub kafka_version: Vec<String>,
    /// A broker's log file (server.log, or the service's stdout): the version of its last
    /// start (`Kafka version: X.Y.Z`) and its broker.id / node.id. Repeatable, one per broker.
    #[arg(long = "broker-log", value_name = "[ID=]FILE")]
    pub broker_logs: Vec<String>,
    /// A Kafka installation directory: the version in its libs/kafka_<scala>-<version>.jar,
    /// for every broker or for broker ID. Repeatable.
    #[arg(long = "kafka-home", value_name = "[ID=]DIR")]
    pub kafka_homes: Vec<String>,
    /// Broker metrics in Prometheus text format, as the JMX exporter serves them (MSK open
    /// monitoring: http://BROKER:11001/metrics): a URL to scrape or a saved file. Repeatable,
    /// one per broker; URLs are scraped concurrently, each bounded by --timeout-ms. https
    /// trusts the ssl.* settings of --command-config / -X (else the public roots).
    #[arg(long = "metrics", value_name = "URL|FILE", help_heading = "Clients")]
    pub metrics: Vec<String>,
    /// Application repository to scan for Kafka and ZooKeeper client libraries (Maven with
    /// parents, BOMs and ~/.m2/repository, Gradle, Cargo, npm/yarn/pnpm, Go, pip/poetry/Pipfile,
    /// NuGet, Bundler; SBOMs, jars and fat jars, node_modules, *.dist-info, Go binaries found
    /// there), ZooKeeper usage (not comments, docs or logger names; tests reported apart) and
    /// bootstrap lists. Repeatable.
    #[arg(long = "scan-deps", value_name = "DIR", help_heading = "Clients")]
    pub scan_deps: Vec<PathBuf>,
    /// An SBOM CI produced (CycloneDX JSON or XML, SPDX JSON), or a directory of them: its
    /// Kafka and ZooKeeper client libraries with exact versions, transitive ones included.
    /// Repeatable.
    #[arg(long = "sbom", value_name = "FILE|DIR", help_heading = "Clients")]
    pub sbom: Vec<PathBuf>,
    /// Amazon MSK cluster to read live (ARN or name); with --aws-json, which listed cluster.
    #[arg(long, value_name = "ARN|NAME", help_heading = "Amazon MSK and IAM")]
    pub msk_cluster: Option<String>,
    /// Every MSK cluster in the region, one inventory (and report) per cluster; needs -o DIR.
    #[arg(
        long,
        conflicts_with = "msk_cluster",
        help_heading = "Amazon MSK and IAM"
    )]
    pub msk_all: bool,
    /// AWS region (default: the standard chain: AWS_REGION, the profile's region).
    #[arg(long, value_name = "REGION", help_heading = "Amazon MSK and IAM")]
    pub region: Option<String>,
    /// Named AWS profile (`--profile` selects migration paths).
    #[arg(long, value_name = "NAME", help_heading = "Amazon MSK and IAM")]
    pub aws_profile: Option<String>,
    /// Do not read IAM (GetAccountAuthorizationDetails); IAM rules then report unknown.
    #[arg(long, help_heading = "Amazon MSK and IAM")]
    pub no_iam: bool,
    /// JSON printed by the AWS CLI (describe-cluster-v2, list-nodes, list-scram-secrets,
    /// describe-configuration-revision, describe-cluster-operation-v2, secretsmanager
    /// describe-secret, kms describe-key, get-account-authorization-details, …; repeatable).
    #[arg(
        long = "aws-json",
        value_name = "FILE",
        help_heading = "Amazon MSK and IAM"
    )]
    pub aws_json: Vec<PathBuf>,
}

/// The flags audit and plan share, with audit's help; plan words its own (`PlanArgs`).
#[derive(Args)]
pub struct Checked {
    #[command(flatten)]
    pub sources: Sources,
    /// Migration path(s) to check (repeatable): inplace, msk-inplace, new-cluster, kafka4.
    /// Default: those that apply (self-managed: inplace + kafka4; MSK: msk-inplace +
    /// new-cluster + kafka4; already KRaft: kafka4).
    #[arg(long = "profile", value_name = "P")]
    pub profiles: Vec<String>,
    /// Kafka version the cluster will run after the move (default per profile: inplace 3.9.2,
    /// msk-inplace 3.9.x.kraft, new-cluster and kafka4 4.4.0, or 4.1.x.kraft on MSK; raised to
    /// the version the cluster already runs when that is newer). A target below the running
    /// version is refused.
    #[arg(long, value_name = "V")]
    pub target_version: Option<String>,
    /// Extra rule files (*.toml, searched recursively); same id replaces an embedded rule.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Waivers file (TOML): accepted findings with reason, owner and expiry date.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Report format (repeatable; several need -o DIR).
    #[arg(long = "format", short = 'f', value_enum, default_value = "table")]
    pub formats: Vec<Format>,
    /// Output file (one format) or directory (several formats). Default: stdout.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

#[derive(Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub c: Checked,
    /// Lowest severity whose failing findings make the exit code 1.
    #[arg(long, value_enum, default_value = "blocking")]
    pub fail_on: FailOn,
    /// Count unknown findings (data missing) as failing too.
    #[arg(long)]
    pub fail_on_unknown: bool,
    #[command(flatten)]
    pub target_platform: TargetPlatformArgs,
}

/// Target platforms (issue 16): where the cluster goes, compared by their documented limits.
#[derive(Args)]
pub struct TargetPlatformArgs {
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
    pub platforms: Vec<String>,
    /// Broker size where limits depend on it (partitions per broker): SIZE or PLATFORM=SIZE,
    /// e.g. express.m7g.xlarge, kafka.m7g.2xlarge (repeatable, one per platform).
    #[arg(
        long = "target-size",
        value_name = "[PLATFORM=]SIZE",
        help_heading = "Target platform"
    )]
    pub sizes: Vec<String>,
    /// Broker count of the target (default: the source cluster's).
    #[arg(
        long = "target-brokers",
        value_name = "N",
        help_heading = "Target platform"
    )]
    pub brokers: Option<i64>,
}

#[derive(Subcommand)]
pub enum RulesCommand {
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

/// The flag that sets a library input.
pub fn flag(input: Input) -> &'static str {
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
pub struct DiffArgs {
    /// OLD.json then NEW.json (inventories from `kraftcheck collect`); a side given with
    /// --old-bootstrap-server / --new-bootstrap-server takes no file.
    #[arg(value_names = ["OLD.json", "NEW.json"], num_args = 0..=2)]
    pub files: Vec<PathBuf>,
    /// Collect the old side from this live cluster instead of a file.
    #[arg(long, value_name = "HOSTS", help_heading = "Live clusters")]
    pub old_bootstrap_server: Option<String>,
    /// Client properties for the old cluster (as --command-config).
    #[arg(long, value_name = "FILE", help_heading = "Live clusters")]
    pub old_command_config: Option<PathBuf>,
    /// Collect the new side from this live cluster instead of a file.
    #[arg(long, value_name = "HOSTS", help_heading = "Live clusters")]
    pub new_bootstrap_server: Option<String>,
    /// Client properties for the new cluster (as --command-config).
    #[arg(long, value_name = "FILE", help_heading = "Live clusters")]
    pub new_command_config: Option<PathBuf>,
    /// Bound on every request and connection, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = kafka::DEFAULT_TIMEOUT_MS, help_heading = "Live clusters")]
    pub timeout_ms: u64,
    /// The migration path: inplace (also msk-inplace: same cluster, exact offsets) or
    /// new-cluster (translated offsets). Default: inplace when both cluster ids are equal.
    #[arg(long = "profile", value_name = "P")]
    pub profile: Option<String>,
    /// New cluster fed by MirrorMaker 2 with its DefaultReplicationPolicy: topics (and their
    /// ACLs and offsets) are named ALIAS.<topic> on the new side.
    #[arg(long, value_name = "ALIAS")]
    pub source_alias: Option<String>,
    /// Report format (repeatable; several need -o DIR).
    #[arg(long = "format", short = 'f', value_enum, default_value = "table")]
    pub formats: Vec<Format>,
    /// Output file (one format) or directory (several formats). Default: stdout.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
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
    mut_arg("formats", |a| a.help(format!("Plan format (repeatable; several need -o DIR): {}", kraftcheck::formats::plan_formats()))),
    mut_arg("output", |a| a.value_name("DIR").help("Directory for the plan files and the re-creation scripts (DIR/recreate/; MSK: DIR/msk/). Default: the plan on stdout, no scripts")),
)]
pub struct PlanArgs {
    /// As for audit, each flag with its plan help above.
    #[command(flatten)]
    pub c: Checked,
    /// The new MSK cluster: its ARN, a file with its `aws kafka describe-cluster-v2` output, or
    /// (with --msk-cluster, read live) its name. Checks IAM readiness (who would lose
    /// kafka-cluster access at cutover); with -o DIR also writes the IAM grants for it
    /// (DIR/msk/iam/: a policy per policy naming the old cluster, .diff each, apply-iam.sh).
    #[arg(
        long,
        value_name = "ARN|FILE|NAME",
        help_heading = "Amazon MSK and IAM"
    )]
    pub new_msk_cluster: Option<String>,
    /// As for audit: the target platforms' rules gate the new-cluster plan's first step.
    #[command(flatten)]
    pub target_platform: TargetPlatformArgs,
}
