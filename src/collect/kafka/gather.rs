//! Gathering the inventory from a live cluster.

use super::config::ConnConfig;
use super::conn::Conn;
use super::names;
use crate::inventory::{
    Acl, ApiRange, Broker, ConfigEntry, ConsumerGroup, DelegationToken, GapReason, GroupMember,
    GroupOffset, Inventory, LogDir, Partition, Quorum, Quota, Reassignment, ScramCredential,
    ScramUser, Topic, Transaction,
};
use anyhow::{anyhow, bail, Result};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestGroup;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;
use std::collections::{BTreeMap, HashMap};
use tokio::task::JoinSet;

/// How many topics go into one DescribeConfigs request.
const TOPIC_CONFIG_BATCH: usize = 200;
/// Connections per broker that describe topic configs side by side.
const TOPIC_CONFIG_LANES: usize = 4;
/// Cluster-level operation bit for DESCRIBE in authorized-operations bitfields.
const OP_DESCRIBE: i32 = 1 << 8;
/// Every operation on the CLUSTER resource (KIP-430 bits: CREATE 5, ALTER 7, DESCRIBE 8,
/// CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12): a principal
/// allowed all of them is a super user as far as the broker shows (or the cluster has no
/// authorizer).
const ALL_CLUSTER_OPS: i32 =
    (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

pub(super) fn s(b: &StrBytes) -> String {
    b.to_string()
}

/// A node's configs as DescribeConfigs returned them, without Kafka's defaults (set by
/// nobody): static, dynamic per-node and dynamic default entries, sensitive ones redacted.
pub(super) fn node_configs(
    entries: &[describe_configs_response::DescribeConfigsResourceResult],
) -> BTreeMap<String, ConfigEntry> {
    entries
        .iter()
        .filter(|e| !(e.config_source == 5 || (e.value.is_none() && !e.is_sensitive)))
        .map(|e| {
            let name = s(&e.name);
            let entry = ConfigEntry::new(
                &name,
                e.value.as_ref().map(s),
                names::config_source(e.config_source),
                e.is_sensitive,
            );
            (name, entry)
        })
        .collect()
}

/// The API version ranges a connection's broker announced, by API key.
pub(super) fn api_ranges(c: &Conn) -> Vec<ApiRange> {
    let mut api: Vec<ApiRange> = c
        .versions
        .iter()
        .map(|(k, (min, max))| ApiRange {
            key: *k,
            name: names::api_name(*k),
            min: *min,
            max: *max,
        })
        .collect();
    api.sort_by_key(|a| a.key);
    api
}

fn topic_id(u: &uuid::Uuid) -> Option<String> {
    use base64::Engine;
    (!u.is_nil()).then(|| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(u.as_bytes()))
}

/// A failure that becomes a gap of the inventory.
#[derive(Debug)]
struct GapNote {
    part: String,
    resource: String,
    reason: GapReason,
    detail: String,
}

fn gap(part: &str, resource: &str, reason: GapReason, detail: impl Into<String>) -> GapNote {
    GapNote {
        part: part.into(),
        resource: resource.into(),
        reason,
        detail: detail.into(),
    }
}

/// The gaps noted while the requests run (concurrently, per broker and cluster-wide), added to
/// the inventory at the end: the first note of a part and resource wins.
#[derive(Debug, Default)]
struct Gaps(Vec<GapNote>);

impl FromIterator<GapNote> for Gaps {
    fn from_iter<I: IntoIterator<Item = GapNote>>(it: I) -> Self {
        Gaps(it.into_iter().collect())
    }
}

impl Gaps {
    fn push(&mut self, g: GapNote) {
        self.0.push(g);
    }
    fn append(&mut self, other: &mut Gaps) {
        self.0.append(&mut other.0);
    }
    /// Whether a gap of this part (any resource) was noted.
    fn has_part(&self, part: &str) -> bool {
        self.0.iter().any(|g| g.part == part)
    }
    fn has(&self, part: &str, resource: &str) -> bool {
        self.0
            .iter()
            .any(|g| g.part == part && g.resource == resource)
    }
    /// Add the notes to the inventory, skipping a part and resource it already has a gap for.
    fn record(self, inv: &mut Inventory) {
        for g in self.0 {
            if !inv
                .gaps
                .iter()
                .any(|x| x.part == g.part && x.resource == g.resource)
            {
                inv.add_gap(&g.part, &g.resource, g.reason, g.detail);
            }
        }
    }
}

/// A gap for a Kafka error code: authorization failures are `unauthorized`, and so on.
fn code_gap(part: &str, resource: &str, code: i16) -> GapNote {
    gap(part, resource, names::gap_reason(code), names::error(code))
}

/// Try each bootstrap server in turn; the first that answers wins.
async fn connect_bootstrap(cfg: &ConnConfig) -> Result<Conn> {
    let mut errors = Vec::new();
    for b in &cfg.bootstrap {
        match Conn::connect(b, cfg).await {
            Ok(c) => return Ok(c),
            Err(e) => errors.push(format!("{e:#}")),
        }
    }
    bail!("cannot reach any bootstrap server: {}", errors.join("; "))
}

pub async fn collect(cfg: &ConnConfig) -> Result<Inventory> {
    crate::progress::show(|| format!("connecting to {}", cfg.bootstrap.join(",")));
    let inv = collect_inner(cfg).await;
    crate::progress::clear();
    inv
}

async fn collect_inner(cfg: &ConnConfig) -> Result<Inventory> {
    let mut boot = connect_bootstrap(cfg).await?;
    let mut inv = Inventory::new();
    inv.generated_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    inv.sources.push(format!("bootstrap:{}", boot.addr));
    inv.cluster.kind = crate::inventory::ClusterKind::SelfManaged;
    let mut gaps = Gaps::default();

    let t = crate::debug::Stage::start("collect: connect + metadata");
    let addrs = metadata(&mut boot, &mut inv, &mut gaps).await?;
    drop(t);

    let t = crate::debug::Stage::start("collect: broker connections");
    let conns = connect_brokers(&addrs, cfg, &mut gaps).await?;
    drop(t);
    // Mode, features and API ranges from ApiVersions.
    detect_mode(&mut inv, &conns, &boot);

    let t = crate::debug::Stage::start("collect: configs, groups, ACLs, users, quotas");
    let config_work = spawn_topic_configs(&inv, &addrs, &conns, cfg);
    let controller = inv.cluster.controller_id;
    let mut work = JoinSet::new();
    for (id, conn) in conns {
        work.spawn(per_broker(id, conn, controller == Some(id)));
    }
    // Cluster-wide requests on the bootstrap connection meanwhile.
    let cluster = cluster_wide(&mut boot).await;
    let brokers = work.len();
    crate::progress::show(|| {
        format!("reading {brokers} broker(s): configs, log dirs, groups, ACLs, users, quotas")
    });
    let mut results = Vec::new();
    while let Some(r) = work.join_next().await {
        results.push(r.map_err(|e| anyhow!("internal error: {e}"))?);
        crate::progress::show(|| format!("read {} of {brokers} broker(s)", results.len()));
    }
    results.sort_by_key(|r| r.id);
    let mut topic_cfgs: HashMap<String, BTreeMap<String, ConfigEntry>> = HashMap::new();
    let mut config_work = config_work;
    while let Some(r) = config_work.join_next().await {
        let (cfgs, mut g) = r.map_err(|e| anyhow!("internal error: {e}"))?;
        topic_cfgs.extend(cfgs);
        gaps.append(&mut g);
    }
    for t in &mut inv.topics {
        if let Some(c) = topic_cfgs.remove(&t.name) {
            t.configs = c;
        }
    }
    let conns = merge_brokers(&mut inv, &mut results, &mut gaps);
    merge_cluster_wide(&mut inv, cluster, &results, &mut gaps);
    drop(t);

    // Log end offsets (one ListOffsets per leader) and consumer lag.
    let t = crate::debug::Stage::start("collect: log end offsets");
    crate::progress::show(|| "reading log end offsets".to_string());
    log_end_offsets(&mut inv, conns, &mut gaps).await;
    drop(t);

    gaps.record(&mut inv);
    for part in ["iam", "clients", "metrics"] {
        inv.add_gap(
            part,
            "",
            GapReason::NotCollected,
            "no source for this part was given",
        );
    }
    inv.normalize();
    Ok(inv)
}

/// Metadata: the cluster id, controller, brokers, topics and partitions. Returns each broker's
/// address.
async fn metadata(
    boot: &mut Conn,
    inv: &mut Inventory,
    gaps: &mut Gaps,
) -> Result<BTreeMap<i64, String>> {
    let md = boot
        .send(
            MetadataRequest::default()
                .with_topics(None)
                .with_allow_auto_topic_creation(false),
        )
        .await
        .map_err(|e| anyhow!("metadata request failed: {e:#}"))?;
    inv.cluster.id = md.cluster_id.as_ref().map(s);
    inv.cluster.controller_id = (md.controller_id.0 >= 0).then_some(md.controller_id.0 as i64);
    let mut addrs = BTreeMap::new();
    for b in &md.brokers {
        inv.brokers.push(Broker {
            id: b.node_id.0 as i64,
            host: s(&b.host),
            port: b.port as u16,
            rack: b.rack.as_ref().map(s),
            ..Default::default()
        });
        addrs
            .entry(b.node_id.0 as i64)
            .or_insert_with(|| format!("{}:{}", s(&b.host), b.port));
    }
    for t in &md.topics {
        let Some(name) = t.name.as_ref().map(|n| s(&n.0)) else {
            continue;
        };
        if t.error_code != 0 {
            gaps.push(code_gap("topics", &format!("topic:{name}"), t.error_code));
            continue;
        }
        inv.topics.push(Topic {
            name,
            id: topic_id(&t.topic_id),
            internal: t.is_internal,
            partitions: t
                .partitions
                .iter()
                .map(|p| Partition {
                    id: p.partition_index,
                    leader: p.leader_id.0 as i64,
                    replicas: p.replica_nodes.iter().map(|r| r.0 as i64).collect(),
                    isr: p.isr_nodes.iter().map(|r| r.0 as i64).collect(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        });
    }
    Ok(addrs)
}

/// Connect to every broker concurrently; one that cannot be reached leaves gaps for what only
/// it could tell.
async fn connect_brokers(
    addrs: &BTreeMap<i64, String>,
    cfg: &ConnConfig,
    gaps: &mut Gaps,
) -> Result<BTreeMap<i64, Conn>> {
    crate::progress::show(|| format!("connecting to {} broker(s)", addrs.len()));
    let mut connecting = JoinSet::new();
    for (&id, addr) in addrs {
        let (addr, cfg) = (addr.clone(), cfg.clone());
        connecting.spawn(async move { (id, Conn::connect(&addr, &cfg).await) });
    }
    let mut conns: BTreeMap<i64, Conn> = BTreeMap::new();
    while let Some(r) = connecting.join_next().await {
        let (id, c) = r.map_err(|e| anyhow!("internal error: {e}"))?;
        match c {
            Ok(c) => {
                conns.insert(id, c);
            }
            Err(e) => {
                for part in ["brokers.configs", "brokers.log_dirs", "brokers.version"] {
                    gaps.push(gap(
                        part,
                        &format!("broker:{id}"),
                        GapReason::Error,
                        format!("{e:#}"),
                    ));
                }
                gaps.push(gap(
                    "groups",
                    "",
                    GapReason::Error,
                    format!("broker {id} unreachable, groups it coordinates are unknown: {e:#}"),
                ));
                gaps.push(gap(
                    "transactions",
                    "",
                    GapReason::Error,
                    format!("broker {id} unreachable: {e:#}"),
                ));
            }
        }
    }
    Ok(conns)
}

type TopicConfigs = (HashMap<String, BTreeMap<String, ConfigEntry>>, Gaps);

/// Topic configs, batches spread over the reachable brokers, on connections of their own:
/// TOPIC_CONFIG_LANES per broker, so that the brokers answer batches side by side (in
/// ZooKeeper mode each topic is a ZooKeeper read) while the broker connections do the rest.
fn spawn_topic_configs(
    inv: &Inventory,
    addrs: &BTreeMap<i64, String>,
    conns: &BTreeMap<i64, Conn>,
    cfg: &ConnConfig,
) -> JoinSet<TopicConfigs> {
    let topic_names: Vec<String> = inv.topics.iter().map(|t| t.name.clone()).collect();
    let ids: Vec<i64> = conns.keys().copied().collect();
    let mut assigned: BTreeMap<i64, Vec<Vec<String>>> = BTreeMap::new();
    for (i, b) in topic_names.chunks(TOPIC_CONFIG_BATCH).enumerate() {
        if ids.is_empty() {
            break;
        }
        assigned
            .entry(ids[i % ids.len()])
            .or_default()
            .push(b.to_vec());
    }
    let mut config_work = JoinSet::new();
    for (id, batches) in assigned {
        let addr = addrs.get(&id).cloned().unwrap_or_default();
        let mut lanes: Vec<Vec<Vec<String>>> = vec![Vec::new(); TOPIC_CONFIG_LANES];
        for (i, b) in batches.into_iter().enumerate() {
            lanes[i % TOPIC_CONFIG_LANES].push(b);
        }
        for lane in lanes.into_iter().filter(|l| !l.is_empty()) {
            let (addr, cfg) = (addr.clone(), cfg.clone());
            config_work.spawn(async move {
                match Conn::connect(&addr, &cfg).await {
                    Ok(mut c) => topic_configs(&mut c, lane).await,
                    Err(e) => {
                        let gaps = lane
                            .iter()
                            .flatten()
                            .map(|t| {
                                gap(
                                    "topics.configs",
                                    &format!("topic:{t}"),
                                    GapReason::Error,
                                    format!("{e:#}"),
                                )
                            })
                            .collect();
                        (HashMap::new(), gaps)
                    }
                }
            });
        }
    }
    config_work
}

/// Each broker's results into the inventory; returns the connections handed back.
fn merge_brokers(
    inv: &mut Inventory,
    results: &mut [BrokerResult],
    gaps: &mut Gaps,
) -> BTreeMap<i64, Conn> {
    let mut reassign_seen = false;
    let mut conns: BTreeMap<i64, Conn> = BTreeMap::new();
    for r in results.iter_mut() {
        if let Some(c) = r.conn.take() {
            conns.insert(r.id, c);
        }
        if let Some(b) = inv.brokers.iter_mut().find(|b| b.id == r.id) {
            b.configs = std::mem::take(&mut r.configs);
            b.log_dirs = std::mem::take(&mut r.log_dirs);
            b.api_versions = std::mem::take(&mut r.api_ranges);
        }
        inv.groups.append(&mut r.groups);
        inv.transactions.append(&mut r.transactions);
        gaps.append(&mut r.gaps);
        if let Some(ra) = r.reassignments.take() {
            reassign_seen = true;
            inv.reassignments = ra;
        }
    }
    if !reassign_seen && !gaps.has_part("reassignments") {
        gaps.push(gap(
            "reassignments",
            "",
            GapReason::Error,
            "the controller was not reachable for ListPartitionReassignments",
        ));
    }
    conns
}

/// The cluster-wide answers into the inventory, and which lists the principal sees only part of.
fn merge_cluster_wide(
    inv: &mut Inventory,
    cluster: ClusterWide,
    results: &[BrokerResult],
    gaps: &mut Gaps,
) {
    let ClusterWide {
        acls,
        scram,
        quotas,
        tokens,
        quorum,
        cluster_ops,
        tokens_enabled,
        gaps: mut cgaps,
    } = cluster;
    inv.acls = acls;
    inv.scram_users = scram;
    inv.quotas = quotas;
    inv.delegation_tokens = tokens;
    inv.cluster.quorum = quorum;
    gaps.append(&mut cgaps);
    let logdir_topics: Option<std::collections::BTreeSet<String>> =
        results
            .iter()
            .try_fold(std::collections::BTreeSet::new(), |mut all, r| {
                all.extend(r.logdir_topics.iter().flatten().cloned());
                r.logdir_topics.as_ref().map(|_| all)
            });
    partial_lists(
        inv,
        cluster_ops,
        tokens_enabled,
        logdir_topics.as_ref(),
        gaps,
    );
}

fn detect_mode(inv: &mut Inventory, conns: &BTreeMap<i64, Conn>, boot: &Conn) {
    let mut zk = 0;
    let mut kraft = 0;
    for (id, c) in conns {
        // ZooKeeper-mode brokers serve the ZooKeeper-era controller RPCs (LeaderAndIsr = 4).
        if c.versions.contains_key(&4) {
            zk += 1;
        } else {
            kraft += 1;
        }
        if let Some(b) = inv.brokers.iter_mut().find(|b| b.id == *id) {
            b.version = super::super::fingerprint::software_version(&c.versions);
            b.version_source = b
                .version
                .as_ref()
                .map(|_| crate::collect::versions::FROM_FINGERPRINT.to_string());
        }
    }
    inv.cluster.mode = match (zk, kraft) {
        (0, 0) => String::new(),
        (_, 0) => "zookeeper".into(),
        (0, _) => "kraft".into(),
        _ => "migrating".into(),
    };
    let av = &boot.api_versions;
    for f in &av.finalized_features {
        inv.cluster
            .features
            .insert(s(&f.name), f.max_version_level as i64);
    }
    if let Some(level) = inv.cluster.features.get("metadata.version") {
        inv.cluster.metadata_version = super::super::fingerprint::metadata_version_name(*level);
    }
    if av.zk_migration_ready {
        inv.cluster.zk_migration_ready = Some(true);
    }
    inv.cluster.version = inv.lowest_broker_version();
    let unknown: Vec<i64> = inv
        .brokers
        .iter()
        // An unreachable broker's gap says why (connect error), not "unsupported" (issue 15).
        .filter(|b| b.version.is_none() && conns.contains_key(&b.id))
        .map(|b| b.id)
        .collect();
    for id in unknown {
        inv.add_gap(
            "brokers.version",
            &format!("broker:{id}"),
            GapReason::Unsupported,
            "the broker's API versions match no known Kafka release",
        );
    }
    if inv.cluster.mode.is_empty() {
        inv.add_gap(
            "cluster.mode",
            "",
            GapReason::Error,
            "no broker answered ApiVersions",
        );
    }
}

struct BrokerResult {
    id: i64,
    configs: BTreeMap<String, ConfigEntry>,
    log_dirs: Vec<LogDir>,
    api_ranges: Vec<ApiRange>,
    groups: Vec<ConsumerGroup>,
    transactions: Vec<Transaction>,
    reassignments: Option<Vec<Reassignment>>,
    gaps: Gaps,
    /// The connection, handed back for the log-end-offset round.
    conn: Option<Conn>,
    /// Topics with replicas in this broker's log dirs (DescribeLogDirs is not filtered by
    /// topic permissions), to tell whether Metadata showed every topic.
    logdir_topics: Option<std::collections::BTreeSet<String>>,
}

/// Non-default topic configs of these batches of topics, one DescribeConfigs request per
/// batch, on one connection.
async fn topic_configs(
    c: &mut Conn,
    topic_batches: Vec<Vec<String>>,
) -> (HashMap<String, BTreeMap<String, ConfigEntry>>, Gaps) {
    let mut out = HashMap::new();
    let mut gaps = Gaps::default();
    for batch in topic_batches {
        let req = DescribeConfigsRequest::default().with_resources(
            batch
                .iter()
                .map(|t| {
                    DescribeConfigsResource::default()
                        .with_resource_type(2)
                        .with_resource_name(StrBytes::from_string(t.clone()))
                        .with_configuration_keys(None)
                })
                .collect(),
        );
        match c.send(req).await {
            Ok(resp) => {
                for x in resp.results {
                    let topic = s(&x.resource_name);
                    if x.error_code != 0 {
                        gaps.push(code_gap(
                            "topics.configs",
                            &format!("topic:{topic}"),
                            x.error_code,
                        ));
                        continue;
                    }
                    let cfgs = x
                        .configs
                        .iter()
                        .filter(|e| e.config_source == 1)
                        .map(|e| {
                            let name = s(&e.name);
                            let entry = ConfigEntry::new(
                                &name,
                                e.value.as_ref().map(s),
                                "DYNAMIC_TOPIC_CONFIG",
                                e.is_sensitive,
                            );
                            (name, entry)
                        })
                        .collect();
                    out.insert(topic, cfgs);
                }
            }
            Err(e) => {
                for t in &batch {
                    gaps.push(gap(
                        "topics.configs",
                        &format!("topic:{t}"),
                        GapReason::Error,
                        format!("{e:#}"),
                    ));
                }
            }
        }
    }

    (out, gaps)
}

async fn per_broker(id: i64, mut c: Conn, is_controller: bool) -> BrokerResult {
    let res = format!("broker:{id}");
    let mut r = BrokerResult {
        id,
        configs: BTreeMap::new(),
        log_dirs: vec![],
        api_ranges: api_ranges(&c),
        groups: vec![],
        transactions: vec![],
        reassignments: None,
        conn: None,
        gaps: Gaps::default(),
        logdir_topics: None,
    };

    // This broker's own configs (static, dynamic per-broker, dynamic default).
    let req =
        DescribeConfigsRequest::default().with_resources(vec![DescribeConfigsResource::default()
            .with_resource_type(4)
            .with_resource_name(StrBytes::from_string(id.to_string()))
            .with_configuration_keys(None)]);
    match c.send(req).await {
        Ok(resp) => match resp.results.first() {
            Some(x) if x.error_code == 0 => r.configs = node_configs(&x.configs),
            Some(x) => r.gaps.push(code_gap("brokers.configs", &res, x.error_code)),
            None => r.gaps.push(gap(
                "brokers.configs",
                &res,
                GapReason::Error,
                "empty DescribeConfigs response",
            )),
        },
        Err(e) => r.gaps.push(gap(
            "brokers.configs",
            &res,
            GapReason::Error,
            format!("{e:#}"),
        )),
    }

    // Log directories.
    match c
        .send(DescribeLogDirsRequest::default().with_topics(None))
        .await
    {
        Ok(resp) if resp.error_code == 0 => {
            r.logdir_topics = Some(
                resp.results
                    .iter()
                    .flat_map(|d| d.topics.iter().map(|t| s(&t.name.0)))
                    .collect(),
            );
            for d in resp.results {
                let size: i64 = d
                    .topics
                    .iter()
                    .flat_map(|t| t.partitions.iter())
                    .map(|p| p.partition_size)
                    .sum();
                r.log_dirs.push(LogDir {
                    path: s(&d.log_dir),
                    error: (d.error_code != 0).then(|| names::error(d.error_code)),
                    size_bytes: Some(size),
                });
            }
        }
        Ok(resp) => r
            .gaps
            .push(code_gap("brokers.log_dirs", &res, resp.error_code)),
        Err(e) => r.gaps.push(gap(
            "brokers.log_dirs",
            &res,
            GapReason::Error,
            format!("{e:#}"),
        )),
    }

    // Consumer groups this broker coordinates: list, describe, committed offsets.
    match c.send(ListGroupsRequest::default()).await {
        Ok(resp) if resp.error_code == 0 => {
            let listed: Vec<(String, String)> = resp
                .groups
                .iter()
                .map(|g| (s(&g.group_id.0), s(&g.protocol_type)))
                .collect();
            describe_groups(&mut c, &listed, &mut r).await;
        }
        Ok(resp) => r.gaps.push(gap(
            "groups",
            "",
            names::gap_reason(resp.error_code),
            format!(
                "ListGroups on broker {id}: {}",
                names::error(resp.error_code)
            ),
        )),
        Err(e) => r.gaps.push(gap(
            "groups",
            "",
            GapReason::Error,
            format!("ListGroups on broker {id}: {e:#}"),
        )),
    }

    // Transactions this broker coordinates (Kafka 3.0+).
    if c.version::<ListTransactionsRequest>().is_some() {
        match c.send(ListTransactionsRequest::default()).await {
            Ok(resp) if resp.error_code == 0 => {
                r.transactions = resp
                    .transaction_states
                    .iter()
                    .map(|t| Transaction {
                        transactional_id: s(&t.transactional_id.0),
                        state: s(&t.transaction_state),
                        producer_id: t.producer_id.0,
                    })
                    .collect();
            }
            Ok(resp) => r.gaps.push(gap(
                "transactions",
                "",
                names::gap_reason(resp.error_code),
                format!("broker {id}: {}", names::error(resp.error_code)),
            )),
            Err(e) => r.gaps.push(gap(
                "transactions",
                "",
                GapReason::Error,
                format!("broker {id}: {e:#}"),
            )),
        }
    } else {
        r.gaps.push(gap(
            "transactions",
            "",
            GapReason::Unsupported,
            format!("broker {id} does not support ListTransactions (Kafka < 3.0)"),
        ));
    }

    // In-progress reassignments, from the controller (ZooKeeper mode) or any broker (KRaft).
    if is_controller {
        match c
            .send(
                ListPartitionReassignmentsRequest::default()
                    .with_topics(None)
                    .with_timeout_ms(10_000),
            )
            .await
        {
            Ok(resp) if resp.error_code == 0 => {
                r.reassignments = Some(
                    resp.topics
                        .iter()
                        .flat_map(|t| {
                            t.partitions.iter().map(move |p| Reassignment {
                                topic: s(&t.name.0),
                                partition: p.partition_index,
                                adding_replicas: p
                                    .adding_replicas
                                    .iter()
                                    .map(|b| b.0 as i64)
                                    .collect(),
                                removing_replicas: p
                                    .removing_replicas
                                    .iter()
                                    .map(|b| b.0 as i64)
                                    .collect(),
                            })
                        })
                        .collect(),
                )
            }
            Ok(resp) => r.gaps.push(code_gap("reassignments", "", resp.error_code)),
            Err(e) => r
                .gaps
                .push(gap("reassignments", "", GapReason::Error, format!("{e:#}"))),
        }
    }
    r.conn = Some(c);
    r
}

async fn describe_groups(c: &mut Conn, listed: &[(String, String)], r: &mut BrokerResult) {
    if listed.is_empty() {
        return;
    }
    let ids: Vec<GroupId> = listed
        .iter()
        .map(|(g, _)| GroupId(StrBytes::from_string(g.clone())))
        .collect();
    let described = match c
        .send(DescribeGroupsRequest::default().with_groups(ids))
        .await
    {
        Ok(d) => d.groups,
        Err(e) => {
            r.gaps.push(gap(
                "groups",
                "",
                GapReason::Error,
                format!("DescribeGroups: {e:#}"),
            ));
            return;
        }
    };
    for g in described {
        let id = s(&g.group_id.0);
        if g.error_code != 0 {
            r.gaps
                .push(code_gap("groups", &format!("group:{id}"), g.error_code));
            continue;
        }
        r.groups.push(ConsumerGroup {
            id,
            state: s(&g.group_state),
            protocol_type: s(&g.protocol_type),
            members: g
                .members
                .iter()
                .map(|m| GroupMember {
                    client_id: s(&m.client_id),
                    host: s(&m.client_host),
                })
                .collect(),
            offsets: vec![],
        });
    }
    // Committed offsets: one request for all groups where the broker supports it (v8+).
    let v = c.version::<OffsetFetchRequest>().map(|v| v.min(9));
    let fetched: Vec<(String, Result<Vec<GroupOffset>, GapNote>)> = match v {
        Some(v) if v >= 8 => {
            let req = OffsetFetchRequest::default().with_groups(
                r.groups
                    .iter()
                    .map(|g| {
                        OffsetFetchRequestGroup::default()
                            .with_group_id(GroupId(StrBytes::from_string(g.id.clone())))
                            .with_topics(None)
                    })
                    .collect(),
            );
            match c.send_at(req, v).await {
                Ok(resp) => resp
                    .groups
                    .iter()
                    .map(|g| {
                        let id = s(&g.group_id.0);
                        let res = if g.error_code != 0 {
                            Err(code_gap(
                                "groups.offsets",
                                &format!("group:{id}"),
                                g.error_code,
                            ))
                        } else {
                            Ok(g.topics
                                .iter()
                                .flat_map(|t| {
                                    t.partitions.iter().filter(|p| p.committed_offset >= 0).map(
                                        move |p| GroupOffset {
                                            topic: s(&t.name.0),
                                            partition: p.partition_index,
                                            offset: p.committed_offset,
                                            lag: None,
                                        },
                                    )
                                })
                                .collect())
                        };
                        (id, res)
                    })
                    .collect(),
                Err(e) => r
                    .groups
                    .iter()
                    .map(|g| {
                        (
                            g.id.clone(),
                            Err(gap(
                                "groups.offsets",
                                &format!("group:{}", g.id),
                                GapReason::Error,
                                format!("{e:#}"),
                            )),
                        )
                    })
                    .collect(),
            }
        }
        Some(v) => {
            let mut out = Vec::new();
            for g in &r.groups {
                let req = OffsetFetchRequest::default()
                    .with_group_id(GroupId(StrBytes::from_string(g.id.clone())))
                    .with_topics(None);
                let res = match c.send_at(req, v.max(2)).await {
                    Ok(resp) if resp.error_code != 0 => Err(code_gap(
                        "groups.offsets",
                        &format!("group:{}", g.id),
                        resp.error_code,
                    )),
                    Ok(resp) => Ok(resp
                        .topics
                        .iter()
                        .flat_map(|t| {
                            t.partitions
                                .iter()
                                .filter(|p| p.committed_offset >= 0)
                                .map(move |p| GroupOffset {
                                    topic: s(&t.name.0),
                                    partition: p.partition_index,
                                    offset: p.committed_offset,
                                    lag: None,
                                })
                        })
                        .collect()),
                    Err(e) => Err(gap(
                        "groups.offsets",
                        &format!("group:{}", g.id),
                        GapReason::Error,
                        format!("{e:#}"),
                    )),
                };
                out.push((g.id.clone(), res));
            }
            out
        }
        None => r
            .groups
            .iter()
            .map(|g| {
                (
                    g.id.clone(),
                    Err(gap(
                        "groups.offsets",
                        &format!("group:{}", g.id),
                        GapReason::Unsupported,
                        "OffsetFetch not supported",
                    )),
                )
            })
            .collect(),
    };
    for (id, res) in fetched {
        match res {
            Ok(offsets) => {
                if let Some(g) = r.groups.iter_mut().find(|g| g.id == id) {
                    g.offsets = offsets;
                }
            }
            Err(note) => r.gaps.push(note),
        }
    }
}

struct ClusterWide {
    acls: Vec<Acl>,
    scram: Vec<ScramUser>,
    quotas: Vec<Quota>,
    tokens: Vec<DelegationToken>,
    quorum: Option<Quorum>,
    /// What the principal may do on the cluster (KIP-430 bit set), when the broker said.
    cluster_ops: Option<i32>,
    /// False when the brokers answered that delegation tokens are not enabled.
    tokens_enabled: bool,
    gaps: Gaps,
}

/// Lists the brokers filter by the principal's permissions, marked `partial` unless the
/// principal can be shown to see them whole:
/// - topics (Metadata shows the topics one may Describe): whole when every topic with replicas
///   in the log dirs (DescribeLogDirs, which is not filtered by topic) is shown, or when the
///   principal holds every cluster operation;
/// - groups (ListGroups is whole with Describe on the cluster);
/// - delegation tokens (DescribeDelegationToken shows one's own tokens and those one may
///   describe) and transactions (ListTransactions, per transactional id): whole only for a
///   principal that holds every cluster operation (a super user, or no authorizer).
///
/// ACLs, SCRAM users and quotas are answered whole or refused (an `unauthorized` gap).
fn partial_lists(
    inv: &Inventory,
    cluster_ops: Option<i32>,
    tokens_enabled: bool,
    logdir_topics: Option<&std::collections::BTreeSet<String>>,
    gaps: &mut Gaps,
) {
    let ops = cluster_ops.unwrap_or(0);
    let all_ops = ops & ALL_CLUSTER_OPS == ALL_CLUSTER_OPS;
    let asked = if cluster_ops.is_some() {
        String::new()
    } else {
        " (the broker did not say what this principal may do on the cluster)".to_string()
    };
    let partial = |part: &str, why: String| gap(part, "", crate::inventory::PARTIAL, why);
    let shown: std::collections::HashSet<&str> =
        inv.topics.iter().map(|t| t.name.as_str()).collect();
    let errored = |t: &str| gaps.has("topics", &format!("topic:{t}"));
    match logdir_topics {
        Some(on_disk) => {
            let hidden = on_disk
                .iter()
                .filter(|t| !shown.contains(t.as_str()) && !errored(t))
                .count();
            if hidden > 0 {
                gaps.push(partial(
                    "topics",
                    format!("{hidden} topic(s) with replicas on the brokers are not shown to this principal (no Describe on them)"),
                ));
            }
        }
        None if !all_ops => gaps.push(partial(
            "topics",
            format!("Metadata shows only the topics this principal may describe, and without DescribeLogDirs nothing shows whether others exist{asked}"),
        )),
        None => {}
    }
    if ops & OP_DESCRIBE == 0 {
        gaps.push(partial(
            "groups",
            format!("no Describe permission on the cluster: ListGroups shows only the groups this principal may describe{asked}"),
        ));
    }
    if !all_ops {
        if tokens_enabled && !gaps.has_part("delegation_tokens") {
            gaps.push(partial(
                "delegation_tokens",
                format!("DescribeDelegationToken shows only the tokens this principal owns or may describe, and it is not a super user{asked}"),
            ));
        }
        if !gaps.has_part("transactions") {
            gaps.push(partial(
                "transactions",
                format!("ListTransactions shows only the transactional ids this principal may describe, and it is not a super user{asked}"),
            ));
        }
    }
}

async fn cluster_wide(c: &mut Conn) -> ClusterWide {
    let mut out = ClusterWide {
        acls: vec![],
        scram: vec![],
        quotas: vec![],
        tokens: vec![],
        quorum: None,
        cluster_ops: None,
        tokens_enabled: true,
        gaps: Gaps::default(),
    };

    // What the principal may do on the cluster (DescribeCluster, Kafka 2.8+; else Metadata v8–10).
    if c.version::<DescribeClusterRequest>().is_some() {
        if let Ok(d) = c
            .send(
                DescribeClusterRequest::default().with_include_cluster_authorized_operations(true),
            )
            .await
        {
            if d.error_code == 0 && d.cluster_authorized_operations != i32::MIN {
                out.cluster_ops = Some(d.cluster_authorized_operations);
            }
        }
    }

    let acl_req = DescribeAclsRequest::default()
        .with_resource_type_filter(1)
        .with_resource_name_filter(None)
        .with_pattern_type_filter(1)
        .with_principal_filter(None)
        .with_host_filter(None)
        .with_operation(1)
        .with_permission_type(1);
    match c.send(acl_req).await {
        Ok(resp) if resp.error_code == 0 => {
            for res in &resp.resources {
                for a in &res.acls {
                    out.acls.push(Acl {
                        principal: s(&a.principal),
                        host: s(&a.host),
                        resource_type: names::resource_type(res.resource_type),
                        resource_name: s(&res.resource_name),
                        pattern_type: names::pattern_type(res.pattern_type),
                        operation: names::operation(a.operation),
                        permission: names::permission(a.permission_type),
                    });
                }
            }
        }
        // No authorizer configured: there are no ACLs, which is a fact, not a gap.
        Ok(resp) if resp.error_code == 54 => {}
        Ok(resp) => out.gaps.push(code_gap("acls", "", resp.error_code)),
        Err(e) => out
            .gaps
            .push(gap("acls", "", GapReason::Error, format!("{e:#}"))),
    }

    // An empty user list means "all users" (as the Java admin client sends it); a null list
    // makes 3.x brokers fail with a NullPointerException on an authorization error and never
    // answer.
    if c.version::<DescribeUserScramCredentialsRequest>().is_some() {
        match c
            .send(DescribeUserScramCredentialsRequest::default().with_users(Some(vec![])))
            .await
        {
            Ok(resp) if resp.error_code == 0 => {
                for u in resp.results {
                    if u.error_code != 0 {
                        out.gaps.push(gap(
                            "scram_users",
                            &format!("scram-user:{}", s(&u.user)),
                            names::gap_reason(u.error_code),
                            names::error(u.error_code),
                        ));
                        continue;
                    }
                    out.scram.push(ScramUser {
                        name: s(&u.user),
                        credentials: u
                            .credential_infos
                            .iter()
                            .map(|ci| ScramCredential {
                                mechanism: names::scram_mechanism(ci.mechanism),
                                iterations: ci.iterations as i64,
                            })
                            .collect(),
                    });
                }
            }
            Ok(resp) => out.gaps.push(code_gap("scram_users", "", resp.error_code)),
            Err(e) => out
                .gaps
                .push(gap("scram_users", "", GapReason::Error, format!("{e:#}"))),
        }
    } else {
        out.gaps.push(gap(
            "scram_users",
            "",
            GapReason::Unsupported,
            "DescribeUserScramCredentials needs Kafka 2.7+",
        ));
    }

    if c.version::<DescribeClientQuotasRequest>().is_some() {
        match c
            .send(
                DescribeClientQuotasRequest::default()
                    .with_components(vec![])
                    .with_strict(false),
            )
            .await
        {
            Ok(resp) if resp.error_code == 0 => {
                for e in resp.entries.unwrap_or_default() {
                    out.quotas.push(Quota {
                        entity: e
                            .entity
                            .iter()
                            .map(|x| {
                                (
                                    s(&x.entity_type),
                                    x.entity_name.as_ref().map(s).unwrap_or_default(),
                                )
                            })
                            .collect(),
                        values: e.values.iter().map(|v| (s(&v.key), v.value)).collect(),
                    });
                }
            }
            Ok(resp) => out.gaps.push(code_gap("quotas", "", resp.error_code)),
            Err(e) => out
                .gaps
                .push(gap("quotas", "", GapReason::Error, format!("{e:#}"))),
        }
    } else {
        out.gaps.push(gap(
            "quotas",
            "",
            GapReason::Unsupported,
            "DescribeClientQuotas needs Kafka 2.6+",
        ));
    }

    match c
        .send(DescribeDelegationTokenRequest::default().with_owners(None))
        .await
    {
        Ok(resp) if resp.error_code == 0 => {
            out.tokens = resp
                .tokens
                .iter()
                .map(|t| DelegationToken {
                    token_id: s(&t.token_id),
                    owner: format!("{}:{}", s(&t.principal_type), s(&t.principal_name)),
                    expiry: chrono::DateTime::from_timestamp_millis(t.expiry_timestamp)
                        .map(|d| d.to_rfc3339())
                        .unwrap_or_default(),
                })
                .collect();
        }
        // Delegation tokens not enabled: none can exist.
        Ok(resp) if resp.error_code == 61 => out.tokens_enabled = false,
        Ok(resp) => out
            .gaps
            .push(code_gap("delegation_tokens", "", resp.error_code)),
        Err(e) => out.gaps.push(gap(
            "delegation_tokens",
            "",
            GapReason::Error,
            format!("{e:#}"),
        )),
    }

    // KRaft quorum (answered by KRaft clusters; ZooKeeper brokers do not know the API).
    if c.version::<DescribeQuorumRequest>().is_some() {
        let req = DescribeQuorumRequest::default().with_topics(vec![
            describe_quorum_request::TopicData::default()
                .with_topic_name(TopicName(StrBytes::from_static_str("__cluster_metadata")))
                .with_partitions(vec![
                    describe_quorum_request::PartitionData::default().with_partition_index(0)
                ]),
        ]);
        match c.send(req).await {
            Ok(resp) if resp.error_code == 0 => {
                if let Some(p) = resp
                    .topics
                    .first()
                    .and_then(|t| t.partitions.first())
                    .filter(|p| p.error_code == 0)
                {
                    out.quorum = Some(Quorum {
                        leader_id: p.leader_id.0 as i64,
                        voters: p
                            .current_voters
                            .iter()
                            .map(|v| v.replica_id.0 as i64)
                            .collect(),
                        observers: p.observers.iter().map(|v| v.replica_id.0 as i64).collect(),
                        high_watermark: p.high_watermark,
                    });
                }
            }
            Ok(resp) => out.gaps.push(gap(
                "cluster.controller",
                "",
                names::gap_reason(resp.error_code),
                format!("DescribeQuorum: {}", names::error(resp.error_code)),
            )),
            Err(e) => out.gaps.push(gap(
                "cluster.controller",
                "",
                GapReason::Error,
                format!("DescribeQuorum: {e:#}"),
            )),
        }
    }
    out
}

/// Latest offsets for every partition (one ListOffsets request per leader, concurrently, on
/// the connections already open), then consumer lag for committed offsets.
async fn log_end_offsets(inv: &mut Inventory, mut conns: BTreeMap<i64, Conn>, gaps: &mut Gaps) {
    let mut by_leader: BTreeMap<i64, BTreeMap<String, Vec<i32>>> = BTreeMap::new();
    for t in &inv.topics {
        for p in &t.partitions {
            if p.leader >= 0 {
                by_leader
                    .entry(p.leader)
                    .or_default()
                    .entry(t.name.clone())
                    .or_default()
                    .push(p.id);
            }
        }
    }
    let mut set = JoinSet::new();
    for (leader, topics) in by_leader {
        let Some(mut c) = conns.remove(&leader) else {
            gaps.push(gap(
                "groups.offsets",
                "",
                GapReason::Error,
                format!("broker {leader} leads partitions but was not reachable: their log end offsets and lag are unknown"),
            ));
            continue;
        };
        set.spawn(async move {
            let req = ListOffsetsRequest::default()
                .with_replica_id(BrokerId(-1))
                .with_isolation_level(0)
                .with_topics(
                    topics
                        .iter()
                        .map(|(t, ps)| {
                            ListOffsetsTopic::default()
                                .with_name(TopicName(StrBytes::from_string(t.clone())))
                                .with_partitions(
                                    ps.iter()
                                        .map(|p| {
                                            ListOffsetsPartition::default()
                                                .with_partition_index(*p)
                                                .with_timestamp(-1)
                                        })
                                        .collect(),
                                )
                        })
                        .collect(),
                );
            let result: Result<Vec<(String, i32, i64)>> = c.send(req).await.map(|resp| {
                resp.topics
                    .iter()
                    .flat_map(|t| {
                        t.partitions
                            .iter()
                            .filter(|p| p.error_code == 0)
                            .map(move |p| (s(&t.name.0), p.partition_index, p.offset))
                    })
                    .collect()
            });
            (leader, result)
        });
    }
    let mut leo: HashMap<(String, i32), i64> = HashMap::new();
    while let Some(joined) = set.join_next().await {
        let Ok((leader, r)) = joined else {
            gaps.push(gap(
                "groups.offsets",
                "",
                GapReason::Error,
                "internal error while reading log end offsets",
            ));
            continue;
        };
        match r {
            Ok(v) => leo.extend(v.into_iter().map(|(t, p, o)| ((t, p), o))),
            Err(e) => gaps.push(gap(
                "groups.offsets",
                "",
                GapReason::Error,
                format!("log end offsets from broker {leader}: {e:#}"),
            )),
        }
    }
    for t in &mut inv.topics {
        for p in &mut t.partitions {
            p.log_end_offset = leo.get(&(t.name.clone(), p.id)).copied();
        }
    }
    for g in &mut inv.groups {
        for o in &mut g.offsets {
            o.lag = leo
                .get(&(o.topic.clone(), o.partition))
                .map(|end| (end - o.offset).max(0));
        }
    }
}

#[cfg(test)]
mod partial_tests {
    use super::*;

    fn parts(gaps: &Gaps) -> Vec<(String, GapReason)> {
        gaps.0.iter().map(|g| (g.part.clone(), g.reason)).collect()
    }

    #[test]
    fn filtered_lists_are_partial_unless_shown_whole() {
        let mut inv = Inventory::new();
        inv.topics.push(Topic {
            name: "shown".into(),
            ..Default::default()
        });
        let on_disk: std::collections::BTreeSet<String> =
            ["shown".to_string(), "hidden".to_string()].into();
        // A super user (every cluster operation) with a hidden topic on disk: topics partial only.
        let mut g = Gaps::default();
        partial_lists(&inv, Some(ALL_CLUSTER_OPS), true, Some(&on_disk), &mut g);
        assert_eq!(parts(&g), vec![("topics".into(), GapReason::Partial)]);
        // Describe on the cluster only, no log dirs, tokens enabled: all but groups partial.
        let mut g = Gaps::default();
        partial_lists(&inv, Some(OP_DESCRIBE), true, None, &mut g);
        let p: Vec<String> = parts(&g).into_iter().map(|(p, _)| p).collect();
        assert_eq!(p, ["topics", "delegation_tokens", "transactions"]);
        // Nothing known about the principal, tokens disabled: no token gap.
        let mut g = Gaps::default();
        partial_lists(&inv, None, false, None, &mut g);
        let p: Vec<String> = parts(&g).into_iter().map(|(p, _)| p).collect();
        assert_eq!(p, ["topics", "groups", "transactions"]);
        // A super user who sees every topic on disk: nothing partial.
        let mut g = Gaps::default();
        let whole: std::collections::BTreeSet<String> = ["shown".to_string()].into();
        partial_lists(&inv, Some(ALL_CLUSTER_OPS), true, Some(&whole), &mut g);
        assert!(g.0.is_empty(), "{g:?}");
    }
}
