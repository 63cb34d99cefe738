//! The KRaft controllers, reached with `--bootstrap-controller` (KIP-919, Kafka 3.7+), as
//! Kafka's own tools do: ApiVersions (`ZkMigrationReady`, finalized features),
//! DescribeCluster with the controller endpoint type (the controller nodes), each controller's
//! own configs (DescribeConfigs on its node id: `process.roles`,
//! `zookeeper.metadata.migration.enable`, …) and DescribeQuorum. Read-only, like the rest.
//!
//! `cluster.zk_migration_ready` stays the brokers' (ZooKeeper-mode brokers in migration mode
//! announce it); a controller's migration setting is read from its own configs.
//!
//! Controllers join the inventory's `brokers` with `roles` from their `process.roles`, as the
//! offline collector adds them from their `server.properties`; a combined node already listed
//! as a broker gets its roles filled in.

use super::conn::Conn;
use super::gather::{api_ranges, node_configs, quorum, quorum_request, s};
use super::names;
use super::ConnConfig;
use crate::inventory::{Broker, ConfigEntry, GapReason, Inventory};
use anyhow::{anyhow, bail, Result};
use kafka_protocol::messages::{
    describe_configs_request::DescribeConfigsResource, DescribeClusterRequest,
    DescribeConfigsRequest, DescribeQuorumRequest,
};
use kafka_protocol::protocol::StrBytes;
use std::collections::BTreeMap;

/// Collect the controllers reachable through `bootstrap` into `inv`.
pub async fn collect_controllers(
    inv: &mut Inventory,
    cfg: &ConnConfig,
    bootstrap: &[String],
) -> Result<()> {
    let mut errors = Vec::new();
    let mut boot = None;
    for b in bootstrap {
        match Conn::connect(b, cfg).await {
            Ok(c) => {
                boot = Some(c);
                break;
            }
            Err(e) => errors.push(format!("{e:#}")),
        }
    }
    let Some(mut boot) = boot else {
        return Err(crate::settings::usage(
            format!(
                "cannot reach any {{0}}: {}",
                crate::settings::literal(errors.join("; "))
            ),
            &[crate::settings::Input::BootstrapController],
        ));
    };
    inv.sources
        .push(format!("bootstrap-controller:{}", boot.addr));
    // The controller nodes (DescribeCluster v1+, endpoint type 2 = controllers).
    let mut nodes: Vec<(i64, String, u16)> = Vec::new();
    match boot.version::<DescribeClusterRequest>() {
        Some(v) if v >= 1 => {
            let resp = boot
                .send_at(DescribeClusterRequest::default().with_endpoint_type(2), v)
                .await?;
            if resp.error_code != 0 {
                bail!(
                    "{}: DescribeCluster (controllers) failed: {}",
                    boot.addr,
                    names::error(resp.error_code)
                );
            }
            for b in &resp.brokers {
                nodes.push((b.broker_id.0 as i64, s(&b.host), b.port as u16));
            }
            let id = s(&resp.cluster_id);
            if !id.is_empty() {
                inv.cluster.controller_cluster_id = Some(id);
            }
        }
        _ => bail!(
            "{}: this node does not describe its controllers (DescribeCluster v1, Kafka 3.7+); is it a KRaft controller?",
            boot.addr
        ),
    }
    // The quorum, when the brokers did not already tell it.
    if inv.cluster.quorum.is_none() && boot.version::<DescribeQuorumRequest>().is_some() {
        if let Ok(resp) = boot.send(quorum_request()).await {
            if let Some(p) = resp
                .topics
                .first()
                .and_then(|t| t.partitions.first())
                .filter(|p| resp.error_code == 0 && p.error_code == 0)
            {
                inv.cluster.quorum = Some(quorum(p));
            }
        }
    }
    // Each controller's own configs and API versions.
    for (id, host, port) in nodes {
        let addr = format!("{host}:{port}");
        // This controller's configs cannot be read.
        let configs_gap = |inv: &mut Inventory, e: anyhow::Error| {
            inv.add_gap(
                "brokers.configs",
                &format!("controller:{id}"),
                GapReason::Error,
                format!("{e:#}"),
            )
        };
        let mut c = if addr == boot.addr {
            None
        } else {
            match Conn::connect(&addr, cfg).await {
                Ok(c) => Some(c),
                Err(e) => {
                    configs_gap(inv, e);
                    None
                }
            }
        };
        let conn = c.as_mut().unwrap_or(&mut boot);
        let version = crate::collect::fingerprint::software_version(&conn.versions);
        let configs = describe_own_configs(conn, id).await;
        let api = api_ranges(conn);
        let configs = match configs {
            Ok(c) => c,
            Err(e) => {
                configs_gap(inv, e);
                BTreeMap::new()
            }
        };
        let roles = configs
            .get("process.roles")
            .and_then(|e| e.value.clone())
            .unwrap_or_else(|| "controller".into())
            .replace(' ', "");
        match inv.brokers.iter_mut().find(|b| b.id == id) {
            // A combined node: already collected as a broker.
            Some(b) => {
                if b.roles.is_empty() {
                    b.roles = roles;
                }
            }
            None => inv.brokers.push(Broker {
                id,
                host,
                port,
                roles,
                version,
                configs,
                api_versions: api,
                ..Default::default()
            }),
        }
    }
    Ok(())
}

async fn describe_own_configs(c: &mut Conn, id: i64) -> Result<BTreeMap<String, ConfigEntry>> {
    let req =
        DescribeConfigsRequest::default().with_resources(vec![DescribeConfigsResource::default()
            .with_resource_type(4)
            .with_resource_name(StrBytes::from_string(id.to_string()))
            .with_configuration_keys(None)]);
    let resp = c.send(req).await?;
    let x = resp
        .results
        .first()
        .ok_or_else(|| anyhow!("{}: empty DescribeConfigs response", c.addr))?;
    if x.error_code != 0 {
        bail!(
            "{}: DescribeConfigs of controller {id}: {}",
            c.addr,
            names::error(x.error_code)
        );
    }
    Ok(node_configs(&x.configs))
}
