//! The ZooKeeper collector (`--zookeeper HOST:PORT[,…][/chroot]`): read-only znode reads with
//! the `zookeeper-client` crate (get data, list children, check stat, get ACL; nothing that
//! writes, creates a session-owned node or sets a watch is ever called).
//!
//! The crate was chosen over `zookeeper` (synchronous, unmaintained since 2021) and
//! `zookeeper-async` (a port of it): `zookeeper-client` is async on tokio, maintained, speaks
//! ZooKeeper 3.4–3.9 with TLS and SASL (DIGEST-MD5, GSSAPI) as features, and orders requests
//! when they are created, so thousands of reads issued together travel pipelined on one session
//! instead of one round trip after another.

use crate::inventory::{Inventory, ZkBroker, ZooKeeper};
use anyhow::{anyhow, Result};
use futures::future::join_all;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use zookeeper_client as zk;

/// Root paths whose ACLs matter to the migration (the controllers read and write them).
const ACL_PATHS: &[&str] = &[
    "/",
    "/brokers",
    "/brokers/topics",
    "/brokers/ids",
    "/config",
    "/admin",
    "/controller",
    "/controller_epoch",
    "/cluster",
    "/kafka-acl",
    "/kafka-acl-extended",
    "/migration",
];

/// One read's failure: a gap for the part (NoAuth → unauthorized).
fn read_gap(inv: &mut Inventory, path: &str, e: &zk::Error) {
    let reason = match e {
        zk::Error::NoAuth => "unauthorized",
        _ => "error",
    };
    inv.add_gap(
        "zookeeper",
        &format!("znode:{path}"),
        reason,
        format!("{path}: {e}"),
    );
}

/// Read the cluster's znodes into `inv.zookeeper`; a znode that cannot be read is a gap.
pub async fn collect(inv: &mut Inventory, connect: &str, timeout: Duration) -> Result<()> {
    let work = async {
        let client = zk::Client::connector()
            .with_session_timeout(timeout.max(Duration::from_secs(2)))
            .with_connection_timeout(timeout)
            .connect(connect)
            .await
            .map_err(|e| anyhow!("--zookeeper {connect}: cannot connect: {e}"))?;
        read_all(inv, &client, connect).await;
        Ok::<(), anyhow::Error>(())
    };
    // Every read together is bounded: a stalled ensemble cannot hang the audit.
    tokio::time::timeout(timeout * 6, work).await.map_err(|_| {
        anyhow!(
            "--zookeeper {connect}: no answer within {} ms",
            timeout.as_millis() * 6
        )
    })?
}

fn json(data: &[u8]) -> Option<Json> {
    serde_json::from_slice(data).ok()
}

async fn read_all(inv: &mut Inventory, c: &zk::Client, connect: &str) {
    let mut z = ZooKeeper {
        connect: connect.to_string(),
        migration: "absent".into(),
        ..Default::default()
    };
    // Small single znodes, issued together.
    let (cluster, controller, migration, deletions, reassign) = futures::join!(
        c.get_data("/cluster/id"),
        c.get_data("/controller"),
        c.get_data("/migration"),
        c.list_children("/admin/delete_topics"),
        c.check_stat("/admin/reassign_partitions"),
    );
    match cluster {
        Ok((d, _)) => z.cluster_id = json(&d).and_then(|j| j["id"].as_str().map(str::to_string)),
        Err(zk::Error::NoNode) => {}
        Err(e) => read_gap(inv, "/cluster/id", &e),
    }
    match controller {
        Ok((d, _)) => {
            if let Some(j) = json(&d) {
                z.controller_id = j["brokerid"].as_i64();
                z.kraft_controller_epoch = j["kraftControllerEpoch"].as_i64();
            }
        }
        Err(zk::Error::NoNode) => {}
        Err(e) => read_gap(inv, "/controller", &e),
    }
    match migration {
        Ok((d, _)) => match json(&d).and_then(|j| j.as_object().cloned()) {
            Some(o) => {
                z.migration = "present".into();
                z.migration_state = o
                    .iter()
                    .filter_map(|(k, v)| v.as_i64().map(|n| (k.clone(), n)))
                    .collect();
            }
            None => z.migration = "null".into(),
        },
        Err(zk::Error::NoNode) => {}
        Err(e) => read_gap(inv, "/migration", &e),
    }
    match deletions {
        Ok(mut t) => {
            t.sort();
            z.pending_deletions = t;
        }
        Err(zk::Error::NoNode) => {}
        Err(e) => read_gap(inv, "/admin/delete_topics", &e),
    }
    match reassign {
        Ok(s) => z.legacy_reassignment = s.is_some(),
        Err(e) => read_gap(inv, "/admin/reassign_partitions", &e),
    }

    // Broker registrations.
    match c.list_children("/brokers/ids").await {
        Ok(ids) => {
            let reads = join_all(
                ids.iter()
                    .map(|id| c.get_data(&format!("/brokers/ids/{id}"))),
            )
            .await;
            for (id, r) in ids.iter().zip(reads) {
                let Ok(n) = id.parse::<i64>() else { continue };
                match r {
                    Ok((d, _)) => {
                        let j = json(&d).unwrap_or(Json::Null);
                        z.brokers.push(ZkBroker {
                            id: n,
                            version: j["version"].as_i64().unwrap_or(0),
                            endpoints: j["endpoints"]
                                .as_array()
                                .map(|a| {
                                    a.iter()
                                        .filter_map(|e| e.as_str().map(str::to_string))
                                        .collect()
                                })
                                .unwrap_or_default(),
                            rack: j["rack"].as_str().map(str::to_string),
                            features: j["features"]
                                .as_object()
                                .map(|o| o.keys().cloned().collect())
                                .unwrap_or_default(),
                        });
                    }
                    Err(zk::Error::NoNode) => {} // deregistered meanwhile
                    Err(e) => read_gap(inv, &format!("/brokers/ids/{id}"), &e),
                }
            }
            z.brokers.sort_by_key(|b| b.id);
        }
        Err(zk::Error::NoNode) => {}
        Err(e) => read_gap(inv, "/brokers/ids", &e),
    }

    // Topics: each topic znode, then each partition's state, all issued together.
    let registered: BTreeSet<i64> = z.brokers.iter().map(|b| b.id).collect();
    let mut unregistered = BTreeSet::new();
    match c.list_children("/brokers/topics").await {
        Ok(mut topics) => {
            topics.sort();
            let reads = join_all(
                topics
                    .iter()
                    .map(|t| c.get_data(&format!("/brokers/topics/{t}"))),
            )
            .await;
            let mut partitions: Vec<(String, String)> = Vec::new();
            for (t, r) in topics.iter().zip(reads) {
                match r {
                    Ok((d, _)) => {
                        let j = json(&d).unwrap_or(Json::Null);
                        if j["topic_id"].as_str().is_none_or(str::is_empty) {
                            z.topics_without_id.push(t.clone());
                        }
                        if let Some(p) = j["partitions"].as_object() {
                            for (n, replicas) in p {
                                partitions.push((t.clone(), n.clone()));
                                for r in replicas.as_array().into_iter().flatten() {
                                    if let Some(r) = r.as_i64() {
                                        if !registered.contains(&r) {
                                            unregistered.insert(r);
                                        }
                                    }
                                }
                            }
                        }
                    }
                    Err(zk::Error::NoNode) => {}
                    Err(e) => read_gap(inv, &format!("/brokers/topics/{t}"), &e),
                }
            }
            z.topic_count = topics.len();
            z.partition_count = partitions.len();
            let states =
                join_all(partitions.iter().map(|(t, n)| {
                    c.check_stat(&format!("/brokers/topics/{t}/partitions/{n}/state"))
                }))
                .await;
            for ((t, n), s) in partitions.iter().zip(states) {
                match s {
                    Ok(Some(_)) => {}
                    Ok(None) => z.partitions_without_state.push(format!("{t}-{n}")),
                    Err(e) => read_gap(
                        inv,
                        &format!("/brokers/topics/{t}/partitions/{n}/state"),
                        &e,
                    ),
                }
            }
        }
        Err(zk::Error::NoNode) => {}
        Err(e) => read_gap(inv, "/brokers/topics", &e),
    }
    z.unregistered_replica_brokers = unregistered.into_iter().collect();

    // ACLs of the root paths, and how many resources carry Kafka ACLs.
    let acls = join_all(ACL_PATHS.iter().map(|p| c.get_acl(p))).await;
    for (p, r) in ACL_PATHS.iter().zip(acls) {
        match r {
            Ok((acl, _)) => {
                z.znode_acls.insert(
                    p.to_string(),
                    acl.iter()
                        .map(|a| format!("{}:{}:{}", a.scheme(), a.id(), perms(a.permission())))
                        .collect(),
                );
            }
            Err(zk::Error::NoNode) => {}
            Err(e) => read_gap(inv, p, &e),
        }
    }
    let mut acl_resources = BTreeMap::new();
    for (root, label) in [
        ("/kafka-acl", "literal"),
        ("/kafka-acl-extended/prefixed", "prefixed"),
    ] {
        if let Ok(types) = c.list_children(root).await {
            let counts =
                join_all(types.iter().map(|t| c.get_children(&format!("{root}/{t}")))).await;
            for (t, n) in types.iter().zip(counts) {
                if let Ok((children, _)) = n {
                    acl_resources.insert(format!("{label}:{t}"), children.len());
                }
            }
        }
    }
    z.acl_resources = acl_resources;
    inv.zookeeper = Some(z);
}

/// `cdrwa` letters of a permission set, as zookeeper-shell prints them.
fn perms(p: zk::Permission) -> String {
    [
        (zk::Permission::CREATE, 'c'),
        (zk::Permission::DELETE, 'd'),
        (zk::Permission::READ, 'r'),
        (zk::Permission::WRITE, 'w'),
        (zk::Permission::ADMIN, 'a'),
    ]
    .iter()
    .filter(|(bit, _)| p.has(*bit))
    .map(|(_, c)| *c)
    .collect()
}
