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

mod broker;
mod cluster;
mod gaps;

use broker::*;
use cluster::*;
pub(super) use cluster::{quorum, quorum_request};
use gaps::*;

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
