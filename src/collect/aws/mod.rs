//! Amazon MSK and IAM collectors: live through the AWS SDK (standard credential chain,
//! `--region`, `--aws-profile`, endpoints from `AWS_ENDPOINT_URL_*`), or offline from the JSON
//! the AWS CLI prints for the same calls (`--aws-json`).
//!
//! Read-only by construction: every SDK client carries the [`ReadOnly`] interceptor, which
//! refuses any operation not on [`ALLOWED_OPERATIONS`] before it is serialized, so no code
//! path can send a request that changes anything.

mod live;
pub mod model;

use crate::inventory::{Gap, Inventory, Part};
use crate::settings::{bad, bad_input, literal, usage, Input};
use anyhow::{anyhow, bail, Context, Result};
use aws_sdk_kafka::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_kafka::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_kafka::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
use model::{IamAnswers, Kind, MskAnswers};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// `Broker::version_source` of versions the MSK API names.
pub const FROM_MSK: &str = "msk";

/// The only AWS operations kraftcheck ever calls (service, operation), all reads.
pub const ALLOWED_OPERATIONS: &[(&str, &str)] = &[
    ("Kafka", "ListClustersV2"),
    ("Kafka", "DescribeClusterV2"),
    ("Kafka", "ListNodes"),
    ("Kafka", "DescribeConfigurationRevision"),
    ("Kafka", "ListScramSecrets"),
    ("Kafka", "GetCompatibleKafkaVersions"),
    ("Kafka", "GetBootstrapBrokers"),
    ("Kafka", "ListClusterOperationsV2"),
    ("Kafka", "DescribeClusterOperationV2"),
    ("Kafka", "GetClusterPolicy"),
    ("Kafka", "ListClientVpcConnections"),
    ("Kafka", "ListReplicators"),
    ("Kafka", "DescribeReplicator"),
    ("IAM", "GetAccountAuthorizationDetails"),
    // The SCRAM secrets' metadata, never their values (no GetSecretValue), and their keys.
    ("Secrets Manager", "DescribeSecret"),
    ("KMS", "DescribeKey"),
];

fn counts() -> &'static Mutex<HashMap<String, u64>> {
    static C: OnceLock<Mutex<HashMap<String, u64>>> = OnceLock::new();
    C.get_or_init(Default::default)
}

/// AWS operations attempted in this process, `Service:Operation` → count (refused ones too,
/// marked `refused `).
pub fn request_counts() -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts()
        .lock()
        .expect("count lock")
        .iter()
        .map(|(k, n)| (k.clone(), *n))
        .collect();
    v.sort();
    v
}

/// Refuses every operation that is not on [`ALLOWED_OPERATIONS`].
#[derive(Debug)]
pub struct ReadOnly;

impl ReadOnly {
    pub fn check(service: &str, operation: &str) -> Result<(), String> {
        if ALLOWED_OPERATIONS.contains(&(service, operation)) {
            Ok(())
        } else {
            Err(format!(
                "refusing to call {service}:{operation}: kraftcheck only calls read-only AWS operations"
            ))
        }
    }
}

impl Intercept for ReadOnly {
    fn name(&self) -> &'static str {
        "kraftcheck-read-only"
    }

    // After the operation's own configuration is applied (so its name is known), before the
    // request is serialized or sent.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, op) = match cfg.load::<Metadata>() {
            Some(m) => (m.service().to_string(), m.name().to_string()),
            None => return Err("refusing an AWS call whose operation is unknown".into()),
        };
        let verdict = ReadOnly::check(&service, &op);
        let key = match &verdict {
            Ok(()) => format!("{service}:{op}"),
            Err(_) => format!("refused {service}:{op}"),
        };
        *counts().lock().expect("count lock").entry(key).or_default() += 1;
        verdict.map_err(Into::into)
    }
}

/// How to reach AWS.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub region: Option<String>,
    pub profile: Option<String>,
    /// Bound on each attempt (and on connecting).
    pub timeout: Option<Duration>,
    /// Read IAM (GetAccountAuthorizationDetails) too.
    pub iam: bool,
}

/// Which clusters to collect live.
#[derive(Debug, Clone)]
pub enum MskTarget {
    /// One cluster, by ARN or by name.
    Cluster(String),
    /// Every cluster in the region.
    All,
}

/// A part that could not be read: (part, reason, detail). A part written `PART@RESOURCE` is
/// narrowed to that one resource (a SCRAM secret, by ARN).
pub type AwsGap = (String, String, String);

/// An [`AwsGap`]'s reason as the inventory records it. [`classify`] and the "not collected"
/// placeholders spell only the inventory's reasons; anything else would be a bug, recorded as
/// `error`.
fn gap_reason(reason: &str) -> crate::inventory::GapReason {
    crate::inventory::GapReason::parse(reason).unwrap_or_else(|| {
        debug_assert!(
            false,
            "AWS gap reason {reason} is not an inventory gap reason"
        );
        crate::inventory::GapReason::Error
    })
}

/// Reason and detail for a failed call. Authorization failures are `unauthorized`; nothing in
/// the detail is secret (AWS error messages name the caller's ARN, not its keys).
pub(crate) fn classify<E: ProvideErrorMetadata + std::error::Error + 'static>(
    part: &str,
    call: &str,
    e: &SdkError<E, HttpResponse>,
) -> AwsGap {
    const DENIED: &[&str] = &[
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedException",
        "ForbiddenException",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "SignatureDoesNotMatch",
    ];
    let status = e.raw_response().map(|r| r.status().as_u16());
    let code = e.code().unwrap_or_default().to_string();
    let msg = e.message().unwrap_or_default().to_string();
    let (reason, detail) = match e {
        SdkError::TimeoutError(_) => ("timeout", format!("{call}: no answer in time")),
        SdkError::DispatchFailure(d) => (
            "error",
            format!(
                "{call}: request not sent or no connection ({})",
                d.as_connector_error()
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "dispatch failure".into())
            ),
        ),
        SdkError::ConstructionFailure(_) => (
            "error",
            format!("{call}: request could not be built ({})", error_chain(e)),
        ),
        _ if DENIED.contains(&code.as_str()) || matches!(status, Some(401 | 403)) => (
            "unauthorized",
            format!(
                "{call}: {}{}",
                if code.is_empty() {
                    "access denied"
                } else {
                    &code
                },
                if msg.is_empty() {
                    String::new()
                } else {
                    format!(": {msg}")
                }
            ),
        ),
        _ if code == "BadRequestException" => (
            "unsupported",
            format!(
                "{call}: {code}{}",
                if msg.is_empty() {
                    String::new()
                } else {
                    format!(": {msg}")
                }
            ),
        ),
        _ => (
            "error",
            format!(
                "{call}: {}{}{}",
                if code.is_empty() {
                    "failed".to_string()
                } else {
                    code.clone()
                },
                status.map(|s| format!(" (HTTP {s})")).unwrap_or_default(),
                if msg.is_empty() {
                    String::new()
                } else {
                    format!(": {msg}")
                }
            ),
        ),
    };
    (part.to_string(), reason.to_string(), detail)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// The SDK clients, each with the read-only guard.
#[derive(Clone, Debug)]
pub struct Clients {
    pub kafka: aws_sdk_kafka::Client,
    pub iam: aws_sdk_iam::Client,
    pub secrets: aws_sdk_secretsmanager::Client,
    pub kms: aws_sdk_kms::Client,
    pub region: String,
}

/// Shared AWS configuration: the standard chain, `--region`, `--aws-profile`, and endpoint
/// overrides from `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>`; retries follow
/// `AWS_MAX_ATTEMPTS` / `AWS_RETRY_MODE` as for every SDK.
pub async fn sdk_config(opts: &AwsOptions) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .app_name(aws_config::AppName::new("kraftcheck").expect("valid app name"));
    if let Some(r) = &opts.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(t) = opts.timeout {
        loader = loader.timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(t)
                .operation_attempt_timeout(t)
                .build(),
        );
    }
    loader.load().await
}

impl Clients {
    pub async fn new(opts: &AwsOptions) -> Result<Clients> {
        let conf = sdk_config(opts).await;
        let region = conf.region().map(|r| r.to_string()).ok_or_else(|| {
            usage(
                "no AWS region: pass {0}, or set AWS_REGION or a region in the AWS profile",
                &[Input::Region],
            )
        })?;
        Ok(guarded_clients_in(&conf, region))
    }
}

/// MSK, IAM, Secrets Manager and KMS clients for `conf`, each with the [`ReadOnly`] guard.
pub fn guarded_clients(conf: &aws_config::SdkConfig) -> Clients {
    let region = conf.region().map(|r| r.to_string()).unwrap_or_default();
    guarded_clients_in(conf, region)
}

fn guarded_clients_in(conf: &aws_config::SdkConfig, region: String) -> Clients {
    // One client per service, each with the read-only guard.
    macro_rules! guarded {
        ($sdk:ident) => {
            $sdk::Client::from_conf(
                $sdk::config::Builder::from(conf)
                    .interceptor(ReadOnly)
                    .build(),
            )
        };
    }
    let kafka = guarded!(aws_sdk_kafka);
    let iam = guarded!(aws_sdk_iam);
    let secrets = guarded!(aws_sdk_secretsmanager);
    let kms = guarded!(aws_sdk_kms);
    Clients {
        kafka,
        iam,
        secrets,
        kms,
        region,
    }
}

/// Everything known about one cluster (and the account's IAM), before it becomes inventory.
#[derive(Debug, Default, Clone)]
pub struct ClusterData {
    pub msk: MskAnswers,
    /// `None`: IAM was not asked for.
    pub iam: Option<std::result::Result<IamAnswers, AwsGap>>,
    pub gaps: Vec<AwsGap>,
    pub sources: Vec<String>,
}

/// The ARN of the one cluster named `name` (ListClustersV2 with a name filter).
async fn find_by_name(clients: &Clients, name: &str) -> Result<String> {
    let found = live::list_clusters(clients, Some(name))
        .await
        .map_err(|g| {
            anyhow!(
                "cannot find MSK cluster '{name}': {} (pass its ARN instead)",
                g.2
            )
        })?;
    let mut arns: Vec<String> = found
        .iter()
        .filter(|c| str_member(c, "ClusterName") == Some(name))
        .filter_map(|c| str_member(c, "ClusterArn").map(str::to_string))
        .collect();
    match arns.len() {
        0 => bail!("no MSK cluster named '{name}' in {}", clients.region),
        1 => Ok(arns.remove(0)),
        n => bail!(
            "{n} MSK clusters are named '{name}' in {}: pass the ARN",
            clients.region
        ),
    }
}

/// The ARN of the one MSK cluster named `name`, read live (one ListClustersV2 call).
pub fn cluster_arn_by_name(opts: &AwsOptions, name: &str) -> Result<String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let clients = Clients::new(opts).await?;
        find_by_name(&clients, name).await
    })
}

/// Collect live: one [`ClusterData`] per cluster, clusters and IAM concurrently.
pub async fn collect_live(opts: &AwsOptions, target: &MskTarget) -> Result<Vec<ClusterData>> {
    let clients = Clients::new(opts).await?;
    let arns: Vec<String> = match target {
        MskTarget::Cluster(c) if c.starts_with("arn:") => vec![c.clone()],
        MskTarget::Cluster(name) => vec![find_by_name(&clients, name).await?],
        MskTarget::All => {
            let found = live::list_clusters(&clients, None)
                .await
                .map_err(|g| anyhow!("cannot list MSK clusters in {}: {}", clients.region, g.2))?;
            let arns: Vec<String> = found
                .iter()
                .filter_map(|c| str_member(c, "ClusterArn").map(str::to_string))
                .collect();
            if arns.is_empty() {
                bail!("no MSK clusters in {}", clients.region);
            }
            arns
        }
    };
    let iam = async {
        if opts.iam {
            Some(live::iam_answers(&clients).await)
        } else {
            None
        }
    };
    let mut set = tokio::task::JoinSet::new();
    for (i, arn) in arns.iter().enumerate() {
        let (c, arn) = (clients.clone(), arn.clone());
        set.spawn(async move {
            let mut gaps = Vec::new();
            let msk = live::cluster_answers(&c, &arn, &mut gaps).await;
            (i, arn, msk, gaps)
        });
    }
    let clusters = arns.len();
    crate::progress::show(|| format!("reading {clusters} MSK cluster(s)"));
    let (iam, mut done) = tokio::join!(iam, async {
        let mut out = Vec::new();
        while let Some(r) = set.join_next().await {
            out.push(r);
            crate::progress::show(|| format!("read {} of {clusters} MSK cluster(s)", out.len()));
        }
        out
    });
    crate::progress::clear();
    let mut results = Vec::new();
    for r in done.drain(..) {
        results.push(r.map_err(|e| anyhow!("internal error: {e}"))?);
    }
    results.sort_by_key(|r| r.0);
    // Without any answer at all (no connection, no credentials) there is nothing to audit.
    if let Some((_, arn, _, gaps)) = results.first() {
        if let Some(g) = gaps
            .iter()
            .find(|g| g.0 == "msk" && g.1 != "unauthorized" && results.len() == 1)
        {
            bail!("cannot read MSK cluster {arn}: {}", g.2);
        }
    }
    Ok(results
        .into_iter()
        .map(|(_, arn, msk, gaps)| {
            let mut sources = vec![format!("aws:msk:{arn}")];
            if iam.is_some() {
                sources.push("aws:iam".to_string());
            }
            ClusterData {
                msk,
                iam: iam.clone(),
                gaps,
                sources,
            }
        })
        .collect())
}

/// A string member of an answer.
fn str_member<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(|x| x.as_str())
}

/// Read `--aws-json` files: each file's kind by its content; one cluster per audit.
/// `cluster` picks a cluster from `list-clusters-v2` output (ARN or name).
pub fn load_offline(paths: &[PathBuf], cluster: Option<&str>) -> Result<ClusterData> {
    let mut d = ClusterData::default();
    let mut listed: Vec<serde_json::Value> = Vec::new();
    let mut iam: Option<IamAnswers> = None;
    let mut seen: Vec<Kind> = Vec::new();
    for p in paths {
        let (kind, v) = read_json(p)?;
        seen.push(kind);
        d.sources.push(p.display().to_string());
        let arr = |k: &str| -> Vec<serde_json::Value> {
            v.get(k)
                .and_then(|x| x.as_array())
                .cloned()
                .unwrap_or_default()
        };
        match kind {
            Kind::DescribeCluster => {
                let ci = v["ClusterInfo"].clone();
                if let Some(prev) = &d.msk.cluster {
                    if prev.get("ClusterArn") != ci.get("ClusterArn") {
                        bail!(
                            "{}: describes cluster {}, but another file describes {}; give one cluster's files per audit",
                            p.display(),
                            str_member(&ci, "ClusterArn").unwrap_or("?"),
                            str_member(prev, "ClusterArn").unwrap_or("?")
                        );
                    }
                }
                d.msk.cluster = Some(ci);
            }
            Kind::ListClusters => listed.extend(arr("ClusterInfoList")),
            Kind::ListNodes => d
                .msk
                .nodes
                .get_or_insert_with(Vec::new)
                .extend(arr("NodeInfoList")),
            Kind::ListScramSecrets => d.msk.scram_secrets.get_or_insert_with(Vec::new).extend(
                arr("SecretArnList")
                    .into_iter()
                    .filter_map(|s| s.as_str().map(str::to_string)),
            ),
            Kind::DescribeConfigurationRevision => d.msk.configuration_revision = Some(v.clone()),
            Kind::CompatibleKafkaVersions => d
                .msk
                .compatible_versions
                .get_or_insert_with(Vec::new)
                .extend(arr("CompatibleKafkaVersions")),
            Kind::BootstrapBrokers => d.msk.bootstrap = Some(v.clone()),
            Kind::ListClusterOperations => d
                .msk
                .operations
                .get_or_insert_with(Vec::new)
                .extend(arr("ClusterOperationInfoList")),
            Kind::DescribeClusterOperation => d.msk.operation_details.push(v.clone()),
            Kind::ClusterPolicy => d.msk.policy = Some(Some(v.clone())),
            Kind::ClientVpcConnections => d
                .msk
                .vpc_connections
                .get_or_insert_with(Vec::new)
                .extend(arr("ClientVpcConnections")),
            Kind::ListReplicators => d
                .msk
                .replicators
                .get_or_insert_with(Vec::new)
                .extend(arr("Replicators")),
            Kind::DescribeReplicator => d.msk.replicator_details.push(v.clone()),
            Kind::DescribeSecret => d.msk.secrets.push(v.clone()),
            Kind::DescribeKey => d.msk.keys.push((None, v.clone())),
            Kind::AccountAuthorizationDetails => {
                iam.get_or_insert_with(Default::default).add_page(&v)
            }
        }
    }
    if d.msk.cluster.is_none() && !listed.is_empty() {
        let pick: Vec<&serde_json::Value> = listed
            .iter()
            .filter(|c| match cluster {
                None => true,
                Some(x) => {
                    str_member(c, "ClusterArn") == Some(x)
                        || str_member(c, "ClusterName") == Some(x)
                }
            })
            .collect();
        match pick.len() {
            1 => d.msk.cluster = Some(pick[0].clone()),
            0 => {
                return Err(bad_input(
                    Input::AwsJson,
                    format!(
                        "no cluster{} in the list-clusters output",
                        cluster.map(|c| format!(" '{c}'")).unwrap_or_default()
                    ),
                ))
            }
            n => {
                return Err(usage(
                    format!(
                        "{{0}}: the list-clusters output has {n} clusters: name one with {{1}}"
                    ),
                    &[Input::AwsJson, Input::MskCluster],
                ))
            }
        }
    }
    if let (Some(want), Some(ci)) = (cluster, &d.msk.cluster) {
        let arn = str_member(ci, "ClusterArn").unwrap_or_default();
        let name = str_member(ci, "ClusterName").unwrap_or_default();
        if want != arn && want != name {
            return Err(usage(
                format!(
                    "{{0}} {}: the {{1}} files describe {}",
                    literal(want),
                    literal(arn)
                ),
                &[Input::MskCluster, Input::AwsJson],
            ));
        }
    }
    if d.msk.cluster.is_some() {
        // A list-replicators answer without describe-replicator still names the clusters.
        let missing = |k: Kind| !seen.contains(&k);
        let need: &[(Kind, &str)] = &[
            (Kind::ListNodes, "msk.nodes"),
            (Kind::ListScramSecrets, "msk.scram_secrets"),
            (Kind::CompatibleKafkaVersions, "msk.versions"),
            (Kind::BootstrapBrokers, "msk.bootstrap"),
            (Kind::ListClusterOperations, "msk.operations"),
            (Kind::ClusterPolicy, "msk.policy"),
            (Kind::ClientVpcConnections, "msk.vpc_connections"),
            (Kind::ListReplicators, "msk.replicators"),
        ];
        for (k, part) in need {
            if missing(*k) {
                d.gaps.push((
                    part.to_string(),
                    "not-collected".into(),
                    format!("no `{}` output among the --aws-json files", k.command()),
                ));
            }
        }
        let has_config = d
            .msk
            .cluster
            .as_ref()
            .and_then(|c| c.get("Provisioned").or(Some(c)))
            .and_then(|p| p.get("CurrentBrokerSoftwareInfo"))
            .and_then(|s| s.get("ConfigurationArn"))
            .is_some();
        let arn = d
            .msk
            .cluster
            .as_ref()
            .and_then(|c| str_member(c, "ClusterArn"))
            .unwrap_or_default()
            .to_string();
        if missing(Kind::ListClusterOperations) {
            d.gaps.push((
                "msk.connectivity".into(),
                "not-collected".into(),
                format!(
                    "no `{}` output among the --aws-json files: which UpdateConnectivity operation set ZooKeeper access last is unknown",
                    Kind::ListClusterOperations.command()
                ),
            ));
        } else if let Some(op) = model::connectivity_unread(&d.msk, &arn) {
            d.gaps.push((
                "msk.connectivity".into(),
                "not-collected".into(),
                format!(
                    "no `{} --cluster-operation-arn {op}` output among the --aws-json files (the newest UpdateConnectivity operation)",
                    Kind::DescribeClusterOperation.command()
                ),
            ));
        }
        if !missing(Kind::ListScramSecrets) {
            let unread = model::secrets_unread(&d.msk);
            let listed = d.msk.scram_secrets.as_ref().map_or(0, Vec::len);
            if listed > 0 && unread.len() == listed && d.msk.secrets.is_empty() {
                d.gaps.push((
                    "msk.secrets".into(),
                    "not-collected".into(),
                    format!(
                        "no `{}` output among the --aws-json files for the {listed} SCRAM secret(s)",
                        Kind::DescribeSecret.command()
                    ),
                ));
            } else {
                for (secret, cmd) in unread {
                    d.gaps.push((
                        format!("msk.secrets@{secret}"),
                        "not-collected".into(),
                        format!("{secret}: no `{cmd}` output among the --aws-json files"),
                    ));
                }
            }
        }
        if has_config && missing(Kind::DescribeConfigurationRevision) {
            d.gaps.push((
                "msk.configuration".into(),
                "not-collected".into(),
                format!(
                    "no `{}` output among the --aws-json files",
                    Kind::DescribeConfigurationRevision.command()
                ),
            ));
        }
    } else if seen.iter().any(|k| *k != Kind::AccountAuthorizationDetails) {
        return Err(bad_input(
            Input::AwsJson,
            "no cluster description among the files: add the output of `aws kafka describe-cluster-v2 --cluster-arn ARN`",
        ));
    }
    d.iam = iam.map(Ok);
    Ok(d)
}

fn read_json(p: &Path) -> Result<(Kind, serde_json::Value)> {
    let text = std::fs::read_to_string(p)
        .map_err(|e| bad(Input::AwsJson, p.display(), format!("cannot read: {e}")))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        bad(
            Input::AwsJson,
            p.display(),
            format!(
                "not valid JSON (line {}, column {}: {e})",
                e.line(),
                e.column()
            ),
        )
    })?;
    if model::holds_secret_value(&v) {
        return Err(bad(
            Input::AwsJson,
            p.display(),
            format!(
                "this output holds a secret's value (SecretString/SecretBinary); kraftcheck never reads secret values: give `{}` output instead (metadata only)",
                Kind::DescribeSecret.command()
            ),
        ));
    }
    let kind = model::recognise(&v).ok_or_else(|| {
        bad(
            Input::AwsJson,
            p.display(),
            format!(
                "not AWS CLI output that kraftcheck reads; expected the JSON printed by one of: {}",
                model::KINDS
                    .iter()
                    .map(|k| k.command())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    Ok((kind, v))
}

/// What an MSK-only inventory knows of the Kafka side (besides the `msk` and `iam` parts):
/// the rest is a gap.
const FILLS: &[Part] = &[
    Part::Cluster,
    Part::ClusterMode,
    Part::Brokers,
    Part::BrokersVersion,
    Part::Msk,
    Part::Iam,
];

/// Put one cluster's MSK and IAM facts into `base` (a Kafka inventory of the same cluster),
/// or into a new inventory when there is none.
pub fn apply(base: Option<Inventory>, d: ClusterData) -> Result<Inventory> {
    let kafka_side = base.is_some();
    let mut inv = base.unwrap_or_else(|| {
        let mut inv = Inventory::new();
        inv.generated_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        inv.add_gaps_not_filled(FILLS, "only AWS (MSK/IAM) sources were given");
        inv
    });
    let msk = model::build_msk(&d.msk)?;
    // The AWS answers replace any "not collected" placeholder for their parts.
    let aws_parts = |p: &str| p == "msk" || p.starts_with("msk.") || p == "iam";
    inv.gaps
        .retain(|g| !(aws_parts(&g.part) && g.reason == crate::inventory::GapReason::NotCollected));
    for (part, reason, detail) in &d.gaps {
        let (part, resource) = part.split_once('@').unwrap_or((part, ""));
        inv.gaps.push(Gap {
            part: part.to_string(),
            resource: resource.to_string(),
            reason: gap_reason(reason),
            detail: detail.clone(),
        });
    }
    match &d.iam {
        None => inv.add_gap(
            "iam",
            "",
            crate::inventory::GapReason::NotCollected,
            "IAM was not read (--no-iam, or no IAM source)",
        ),
        Some(Err((part, reason, detail))) => {
            inv.add_gap(part, "", gap_reason(reason), detail.clone())
        }
        Some(Ok(a)) => inv.iam = Some(model::build_iam(a).context("IAM policies")?),
    }
    if let Some(m) = msk {
        inv.cluster.kind = crate::inventory::ClusterKind::Msk;
        if inv.cluster.mode.is_empty() && !m.mode.is_empty() {
            inv.cluster.mode = m.mode.clone();
            inv.gaps.retain(|g| g.part != "cluster.mode");
        }
        if inv.cluster.version.is_none() {
            if let Some(v) = &m.kafka_version {
                if crate::version::KafkaVersion::parse(v).is_ok() {
                    inv.cluster.version = Some(v.clone());
                }
            }
        }
        let nodes_gap = d
            .gaps
            .iter()
            .find(|g| g.0 == "msk.nodes" || g.0 == "msk")
            .cloned();
        if !kafka_side {
            if let Some(g) = &nodes_gap {
                inv.add_gap(
                    "brokers",
                    "",
                    gap_reason(&g.1),
                    format!("from MSK ListNodes: {}", g.2),
                );
            }
            for n in &m.nodes {
                let (host, port) = n
                    .endpoints
                    .first()
                    .map(|e| (e.clone(), 0u16))
                    .unwrap_or_default();
                inv.brokers.push(crate::inventory::Broker {
                    id: n.broker_id,
                    host,
                    port,
                    version: n.kafka_version.clone().or_else(|| m.kafka_version.clone()),
                    version_source: Some(FROM_MSK.into()),
                    ..Default::default()
                });
            }
            if inv.cluster.mode.is_empty() {
                inv.add_gap(
                    "cluster.mode",
                    "",
                    crate::inventory::GapReason::NotCollected,
                    "MSK's answers do not show the metadata mode",
                );
            }
            if inv.cluster.version.is_none() {
                inv.add_gap(
                    "brokers.version",
                    "",
                    crate::inventory::GapReason::NotCollected,
                    "MSK did not report a Kafka version",
                );
            }
        } else {
            // MSK names the exact release; the live fingerprint only major.minor.
            for b in &mut inv.brokers {
                let fingerprint = b.version.is_none()
                    || b.version_source.as_deref()
                        == Some(crate::collect::versions::FROM_FINGERPRINT);
                if !fingerprint {
                    continue;
                }
                let exact = m
                    .nodes
                    .iter()
                    .find(|n| n.broker_id == b.id)
                    .and_then(|n| n.kafka_version.clone())
                    .or_else(|| m.kafka_version.clone())
                    .filter(|v| crate::version::KafkaVersion::parse(v).is_ok());
                if let Some(v) = exact {
                    b.version = Some(v);
                    b.version_source = Some(FROM_MSK.into());
                }
            }
            if let Some(v) = inv.lowest_broker_version() {
                inv.cluster.version = Some(v);
            }
        }
        inv.msk = Some(m);
    } else if !kafka_side {
        // IAM answers alone: nothing says what the cluster is.
        for part in ["msk", "brokers", "cluster.mode"] {
            inv.add_gap(
                part,
                "",
                crate::inventory::GapReason::NotCollected,
                "no cluster description (aws kafka describe-cluster-v2) was given",
            );
        }
    }
    inv.sources.extend(d.sources);
    inv.normalize();
    Ok(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reads_are_allowed() {
        for (svc, op) in ALLOWED_OPERATIONS {
            assert!(
                op.starts_with("List") || op.starts_with("Describe") || op.starts_with("Get"),
                "{svc}:{op} is not a read"
            );
            assert!(ReadOnly::check(svc, op).is_ok());
        }
        let refused: &[(&str, &[&str])] = &[
            (
                "Kafka",
                &[
                    "UpdateClusterKafkaVersion",
                    "UpdateConnectivity",
                    "DeleteCluster",
                    "PutClusterPolicy",
                    "BatchAssociateScramSecret",
                    "CreateReplicator",
                ],
            ),
            ("IAM", &["CreatePolicyVersion"]),
            // Secret values are never read, whatever the service calls them.
            (
                "Secrets Manager",
                &[
                    "GetSecretValue",
                    "BatchGetSecretValue",
                    "PutSecretValue",
                    "UpdateSecret",
                ],
            ),
            (
                "KMS",
                &[
                    "Decrypt",
                    "GenerateDataKey",
                    "DisableKey",
                    "ScheduleKeyDeletion",
                ],
            ),
        ];
        for (svc, ops) in refused {
            for op in *ops {
                assert!(ReadOnly::check(svc, op).is_err(), "{svc}:{op}");
            }
        }
        assert!(ReadOnly::check("Secrets Manager", "DescribeSecret").is_ok());
        assert!(ReadOnly::check("KMS", "DescribeKey").is_ok());
        assert!(ReadOnly::check("IAM", "DescribeClusterV2").is_err());
    }
}
