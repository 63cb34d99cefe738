//! The ZooKeeper collector (`--zookeeper HOST:PORT[,…][/chroot]`): read-only znode reads with
//! the `zookeeper-client` crate (get data, list children, check stat, get ACL; nothing that
//! writes, creates a session-owned node or sets a watch is ever called).
//!
//! The crate was chosen over `zookeeper` (synchronous, unmaintained since 2021) and
//! `zookeeper-async` (a port of it): `zookeeper-client` is async on tokio, maintained, speaks
//! ZooKeeper 3.4–3.9 with TLS and SASL (DIGEST-MD5, GSSAPI) as features, and orders requests
//! when they are created, so thousands of reads issued together travel pipelined on one session
//! instead of one round trip after another.

use crate::inventory::{Inventory, Part, ZkBroker, ZkMissingRights, ZooKeeper};
use crate::settings::{bad, literal, usage, Input};
use anyhow::{anyhow, bail, Result};
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
        zk::Error::NoAuth => crate::inventory::GapReason::Unauthorized,
        _ => crate::inventory::GapReason::Error,
    };
    inv.add_gap(
        "zookeeper",
        &format!("znode:{path}"),
        reason,
        format!("{path}: {e}"),
    );
}

/// Where ZooKeeper is and how to reach it.
#[derive(Clone)]
pub struct ZkSource {
    /// `HOST:PORT[,…][/chroot]`, as in `zookeeper.connect`.
    pub connect: String,
    /// The bound on connecting and on each read (all reads together: six times it).
    pub timeout: Duration,
    /// TLS to the ensemble's secure port (`--zk-tls-config-file`), see [`tls_settings`].
    pub tls: Option<zk::TlsOptions>,
    /// SASL (DIGEST-MD5 or Kerberos) from a JAAS file's `Client` section (`--zk-jaas-config`),
    /// see [`sasl_settings`].
    pub sasl: Option<ZkSasl>,
    /// The planned KRaft controllers' ZooKeeper identities (`--zk-controller-jaas`), see
    /// [`controller_identity`].
    pub controller_identity: Vec<String>,
}

/// How kraftcheck logs in to ZooKeeper with SASL.
#[derive(Clone, Debug)]
pub enum ZkSasl {
    /// DigestLoginModule `username`/`password` (the crate's DIGEST-MD5).
    Digest(zk::SaslOptions),
    /// Krb5LoginModule: GSSAPI through kraftcheck's run-time GSSAPI library (`zk_gssapi`).
    Kerberos(std::sync::Arc<crate::collect::kafka::gssapi::Kerberos>),
}

/// Key material is never shown: only whether TLS is on.
impl std::fmt::Debug for ZkSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZkSource")
            .field("connect", &self.connect)
            .field("timeout", &self.timeout)
            .field("tls", &self.tls.is_some())
            .field("sasl", &self.sasl.is_some())
            .field("controller_identity", &self.controller_identity)
            .finish()
    }
}

/// `--zookeeper` given: its znodes; not given, a ZooKeeper-mode cluster shows ZooKeeper as not
/// collected (a saved inventory may carry it already).
impl super::Collector for ZkSource {
    const NAME: &'static str = "zookeeper";
    const FILLS: &'static [Part] = &[Part::Zookeeper, Part::ZookeeperEnsemble];

    fn given(src: &super::Sources) -> Option<&Self> {
        src.zookeeper.as_ref()
    }

    fn collect(&self, inv: &mut Inventory, rt: &tokio::runtime::Runtime) -> Result<()> {
        rt.block_on(collect(inv, self))
    }

    fn missing(inv: &Inventory) -> Option<(Part, &'static str)> {
        (inv.zookeeper.is_none()
            && inv.cluster.kind != crate::inventory::ClusterKind::Msk
            && inv.cluster.mode != "kraft")
            .then_some((
                Part::Zookeeper,
                "give --zookeeper HOST:PORT[/chroot] to read it",
            ))
    }
}

/// Read the cluster's znodes into `inv.zookeeper`; a znode that cannot be read is a gap.
pub async fn collect(inv: &mut Inventory, src: &ZkSource) -> Result<()> {
    let (connect, timeout) = (src.connect.as_str(), src.timeout);
    let work = async {
        let mut connector = zk::Client::connector()
            .with_session_timeout(timeout.max(Duration::from_secs(2)))
            .with_connection_timeout(timeout);
        match &src.sasl {
            Some(ZkSasl::Digest(sasl)) => connector = connector.with_sasl(sasl.clone()),
            Some(ZkSasl::Kerberos(krb)) => {
                super::zk_gssapi::prepare(krb, connect, timeout).await?;
                connector = connector.with_sasl(zk::SaslOptions::custom(std::sync::Arc::new(
                    super::zk_gssapi::ZkKerberos(krb.clone()),
                )));
            }
            None => {}
        }
        let connected = match &src.tls {
            Some(tls) => {
                // The crate builds its rustls config with the process's provider.
                let _ = rustls::crypto::ring::default_provider().install_default();
                connector = connector.with_tls(tls.clone());
                connector.secure_connect(connect).await
            }
            None => connector.connect(connect).await,
        };
        let client = connected.map_err(|e| {
            usage(
                format!(
                "{{0}} {}: cannot connect{}{}: {}",
                literal(connect),
                if src.tls.is_some() {
                    " (TLS; a handshake the ensemble refuses, such as a missing or untrusted client certificate or a plain port, ends this way too)"
                } else {
                    ""
                },
                match (&e, &src.sasl) {
                    (zk::Error::AuthFailed, Some(ZkSasl::Kerberos(k))) => format!(
                        " (the ensemble refused the Kerberos login of {})",
                        literal(format!("{k:?}"))
                    ),
                    (zk::Error::AuthFailed, Some(ZkSasl::Digest(_))) =>
                        " (the ensemble refused the DIGEST-MD5 login of {1})".to_string(),
                    (zk::Error::AuthFailed, None) =>
                        " (the ensemble may require a SASL login: give {1})".to_string(),
                    _ => String::new(),
                },
                literal(&e)
                ),
                &[Input::Zookeeper, Input::ZkJaasConfig],
            )
        })?;
        crate::debug::note(|| {
            format!(
                "zookeeper: session {} on {connect} (its ensemble's audit log names it)",
                client.session_id()
            )
        });
        read_all(inv, &client, connect).await;
        if let Some(z) = inv.zookeeper.as_mut() {
            // Without the controllers' identity only what everyone may do is known: enough
            // when everyone has every right the migration needs (no zookeeper.set.acl).
            let missing = missing_rights(&z.znode_acls, &src.controller_identity);
            if !src.controller_identity.is_empty() {
                z.controller_identity = src.controller_identity.clone();
                z.controller_missing_rights = Some(missing);
            } else if missing.is_empty() && !z.znode_acls.is_empty() {
                z.controller_missing_rights = Some(missing);
            }
        }
        if src.tls.is_none() {
            ensemble(inv, connect, timeout).await;
        } else {
            // Four-letter words are answered on the plain client port only.
            inv.add_gap(
                "zookeeper.ensemble",
                "",
                crate::inventory::GapReason::Unsupported,
                "srvr is not sent over TLS (ZooKeeper answers four-letter words on its plain port)",
            );
        }
        if let Some(z) = &inv.zookeeper {
            crate::debug::note(|| format!("zookeeper: {} znode reads", z.reads));
        }
        Ok::<(), anyhow::Error>(())
    };
    // Every read together is bounded: a stalled ensemble cannot hang the audit.
    tokio::time::timeout(timeout * 6, work).await.map_err(|_| {
        bad(
            Input::Zookeeper,
            connect,
            format!("no answer within {} ms", timeout.as_millis() * 6),
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
    let (cluster, controller, migration, deletions, reassign, seqid) = futures::join!(
        c.get_data("/cluster/id"),
        c.get_data("/controller"),
        c.get_data("/migration"),
        c.list_children("/admin/delete_topics"),
        c.check_stat("/admin/reassign_partitions"),
        c.check_stat("/brokers/seqid"),
    );
    z.reads += 6;
    match seqid {
        Ok(s) => z.broker_seqid = s.map(|s| i64::from(s.version)),
        Err(e) => read_gap(inv, "/brokers/seqid", &e),
    }
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
    z.reads += 1;
    match c.list_children("/brokers/ids").await {
        Ok(ids) => {
            z.reads += ids.len();
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
    z.reads += 1;
    match c.list_children("/brokers/topics").await {
        Ok(mut topics) => {
            topics.sort();
            z.reads += topics.len();
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
            z.reads += partitions.len();
            let states =
                join_all(partitions.iter().map(|(t, n)| {
                    c.check_stat(&format!("/brokers/topics/{t}/partitions/{n}/state"))
                }))
                .await;
            for ((t, n), s) in partitions.iter().zip(states) {
                match s {
                    Ok(Some(_)) => {}
                    // A topic pending deletion is not migrated: its partitions' state is moot.
                    Ok(None) if z.pending_deletions.contains(t) => {}
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
    z.reads += ACL_PATHS.len();
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
        z.reads += 1;
        if let Ok(types) = c.list_children(root).await {
            z.reads += types.len();
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
    dynamic_configs(inv, c, &mut z).await;
    inv.zookeeper = Some(z);
}

/// Which entities carry dynamic configs (`/config/<type>/*`), and which dynamic broker configs
/// are stored encrypted. Broker entities are few (one per broker and `<default>`): their data
/// is read to find the encoder's shape; only the config names are kept.
async fn dynamic_configs(inv: &mut Inventory, c: &zk::Client, z: &mut ZooKeeper) {
    const TYPES: &[&str] = &["topics", "brokers", "users", "clients", "ips"];
    let lists = join_all(
        TYPES
            .iter()
            .map(|t| c.list_children(&format!("/config/{t}"))),
    )
    .await;
    z.reads += TYPES.len();
    let mut brokers = Vec::new();
    for (t, r) in TYPES.iter().zip(lists) {
        match r {
            Ok(children) => {
                if *t == "brokers" {
                    brokers.clone_from(&children);
                }
                z.config_entities.insert(t.to_string(), children.len());
            }
            Err(zk::Error::NoNode) => {}
            Err(e) => read_gap(inv, &format!("/config/{t}"), &e),
        }
    }
    brokers.sort();
    let reads = join_all(
        brokers
            .iter()
            .map(|b| c.get_data(&format!("/config/brokers/{b}"))),
    )
    .await;
    z.reads += brokers.len();
    for (b, r) in brokers.iter().zip(reads) {
        match r {
            Ok((d, _)) => {
                let j = json(&d).unwrap_or(Json::Null);
                for (k, v) in j["config"].as_object().into_iter().flatten() {
                    if v.as_str().is_some_and(|v| v.contains("encryptedPassword:")) {
                        z.encrypted_broker_configs.push(format!("{b}:{k}"));
                    }
                }
            }
            Err(zk::Error::NoNode) => {}
            Err(e) => read_gap(inv, &format!("/config/brokers/{b}"), &e),
        }
    }
}

/// The ensemble member's version and mode from the `srvr` four-letter word, sent to the first
/// host of the connect string. Ensembles that do not allow it (`4lw.commands.whitelist`)
/// answer that it is not executed: a gap for `zookeeper.ensemble`, nothing else.
async fn ensemble(inv: &mut Inventory, connect: &str, timeout: Duration) {
    let host = connect
        .split('/')
        .next()
        .unwrap_or_default()
        .split(',')
        .next()
        .unwrap_or_default()
        .to_string();
    let answer = tokio::time::timeout(timeout, four_letter_word(&host, "srvr")).await;
    let text = match answer {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => {
            inv.add_gap(
                "zookeeper.ensemble",
                "",
                crate::inventory::GapReason::Error,
                format!("srvr to {host}: {e}"),
            );
            return;
        }
        Err(_) => {
            inv.add_gap(
                "zookeeper.ensemble",
                "",
                crate::inventory::GapReason::Timeout,
                format!(
                    "srvr to {host}: no answer within {} ms",
                    timeout.as_millis()
                ),
            );
            return;
        }
    };
    let (version, mode) = parse_srvr(&text);
    if version.is_none() {
        let first = text.lines().next().unwrap_or_default().trim();
        inv.add_gap(
            "zookeeper.ensemble",
            "",
            crate::inventory::GapReason::Unsupported,
            format!("srvr to {host} answered {first:?}: allow it with 4lw.commands.whitelist=srvr on the ensemble"),
        );
    }
    if let Some(z) = inv.zookeeper.as_mut() {
        z.version = version;
        z.mode = mode;
    }
}

/// Send a four-letter word and read the answer (the server closes the connection after it);
/// at most 64 KiB are kept.
async fn four_letter_word(host: &str, word: &str) -> std::io::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(host).await?;
    s.write_all(word.as_bytes()).await?;
    let mut buf = Vec::new();
    s.take(64 * 1024).read_to_end(&mut buf).await?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// `Zookeeper version: 3.8.4-9316c2a…, built on …` and `Mode: standalone` from `srvr`.
fn parse_srvr(text: &str) -> (Option<String>, Option<String>) {
    let mut version = None;
    let mut mode = None;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("Zookeeper version: ") {
            let v = v.split([',', '-']).next().unwrap_or_default().trim();
            if !v.is_empty() {
                version = Some(v.to_string());
            }
        } else if let Some(m) = line.strip_prefix("Mode: ") {
            mode = Some(m.trim().to_string());
        }
    }
    (version, mode)
}

/// ZooKeeper client TLS as Kafka and its tools take it (`--zk-tls-config-file`, the keys of
/// Kafka's ZkConfigs): `zookeeper.ssl.client.enable=true` turns it on;
/// `zookeeper.ssl.truststore.*` and `zookeeper.ssl.keystore.*` (JKS, PKCS12 or PEM, read by
/// the same store readers as the Kafka connection), `zookeeper.ssl.endpoint.identification.algorithm`
/// (empty: no host name check). Config-provider references are resolved as in
/// `--command-config`. `None` when TLS is not enabled in the file.
pub fn tls_settings(path: &std::path::Path) -> Result<Option<zk::TlsOptions>> {
    use crate::collect::kafka::{providers, stores};
    use base64::Engine;
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(Input::ZkTlsConfig, &name, format!("cannot read it: {e}")))?;
    let props = crate::collect::properties::parse(&text, &name)?;
    let at: Vec<(String, String, String)> = props
        .iter()
        .map(|p| (p.key.clone(), p.value.clone(), format!("{name}:{}", p.line)))
        .collect();
    let resolver = providers::Providers::from_settings(
        at.iter()
            .map(|(k, v, w)| (k.as_str(), v.as_str(), w.as_str())),
    )?;
    let mut settings: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (k, v, w) in at {
        if providers::is_provider_key(&k) {
            continue;
        }
        let v = resolver
            .resolve(&v)
            .map_err(|e| anyhow!("{w}: {k}: {e}"))?
            .unwrap_or(v);
        settings.insert(k, (v, w));
    }
    let get = |k: &str| settings.get(k).map(|(v, _)| v.trim().to_string());
    let place = |k: &str| {
        settings
            .get(k)
            .map(|(_, w)| w.clone())
            .unwrap_or_else(|| name.clone())
    };
    if !get("zookeeper.ssl.client.enable").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return Ok(None);
    }
    // The store readers name Kafka's client keys; here they are the zookeeper.ssl.* ones.
    let zk_names = |e: anyhow::Error| format!("{e:#}").replace("ssl.", "zookeeper.ssl.");
    let pem = |label: &str, der: &[u8]| {
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let mut out = format!("-----BEGIN {label}-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
            out.push('\n');
        }
        out.push_str(&format!("-----END {label}-----\n"));
        out
    };
    let store_type = |k: &str| -> Result<stores::StoreType> {
        match get(k) {
            Some(t) if !t.is_empty() => {
                stores::StoreType::parse(&t).map_err(|e| anyhow!("{}: {k}: {e}", place(k)))
            }
            _ => Ok(stores::StoreType::Jks),
        }
    };
    let mut options = zk::TlsOptions::new();
    match get("zookeeper.ssl.truststore.location") {
        Some(loc) if !loc.is_empty() => {
            let ty = store_type("zookeeper.ssl.truststore.type")?;
            let password = get("zookeeper.ssl.truststore.password");
            let certs = stores::trust_store(std::path::Path::new(&loc), ty, password.as_deref())
                .map_err(|e| {
                    anyhow!(
                        "{}: zookeeper.ssl.truststore.location {loc}: {}",
                        place("zookeeper.ssl.truststore.location"),
                        zk_names(e)
                    )
                })?;
            let text: String = certs.iter().map(|c| pem("CERTIFICATE", c)).collect();
            options = options
                .with_pem_ca(&text)
                .map_err(|e| anyhow!("{name}: zookeeper.ssl.truststore.location {loc}: {e}"))?;
        }
        // A JVM would fall back to its default trust store; the ensemble's CA is asked for
        // instead of guessing (the bundled public roots cannot be handed to the ZooKeeper client).
        _ => bail!(
            "{name}: zookeeper.ssl.truststore.location is not set: give the trust store that holds the ensemble's CA"
        ),
    }
    if let Some(loc) = get("zookeeper.ssl.keystore.location").filter(|l| !l.is_empty()) {
        let ty = store_type("zookeeper.ssl.keystore.type")?;
        let password = get("zookeeper.ssl.keystore.password");
        let id = stores::key_store(std::path::Path::new(&loc), ty, password.as_deref(), None)
            .map_err(|e| {
                anyhow!(
                    "{}: zookeeper.ssl.keystore.location {loc}: {}",
                    place("zookeeper.ssl.keystore.location"),
                    zk_names(e)
                )
            })?;
        let chain: String = id.chain.iter().map(|c| pem("CERTIFICATE", c)).collect();
        let key = match &id.key {
            rustls_pki_types::PrivateKeyDer::Pkcs1(k) => {
                pem("RSA PRIVATE KEY", k.secret_pkcs1_der())
            }
            rustls_pki_types::PrivateKeyDer::Sec1(k) => pem("EC PRIVATE KEY", k.secret_sec1_der()),
            other => pem("PRIVATE KEY", other.secret_der()),
        };
        options = options
            .with_pem_identity(&chain, &key)
            .map_err(|e| anyhow!("{name}: zookeeper.ssl.keystore.location {loc}: {e}"))?;
    }
    let algorithm = get("zookeeper.ssl.endpoint.identification.algorithm");
    let hostname_check = get("zookeeper.ssl.hostnameVerification");
    if algorithm.as_deref() == Some("")
        || hostname_check.is_some_and(|v| v.eq_ignore_ascii_case("false"))
    {
        // SAFETY (the crate's word for it): Kafka's empty endpoint identification algorithm
        // means "verify the chain, not the host name", which this is.
        options = unsafe { options.with_no_hostname_verification() };
    }
    Ok(Some(options))
}

/// ZooKeeper SASL as Kafka's brokers and tools take it: the `Client` section of a JAAS file
/// (what `-Djava.security.auth.login.config` names for them). DIGEST-MD5
/// (`org.apache.zookeeper.server.auth.DigestLoginModule` with `username` and `password`), or
/// Kerberos (`com.sun.security.auth.module.Krb5LoginModule` with `useKeyTab=true keyTab=…
/// principal=…` or `useTicketCache=true`) to the service `service` (Java's
/// `zookeeper.sasl.client.username`, default `zookeeper`); the realm's KDC comes from
/// `KRB5_CONFIG` (what Java takes as `-Djava.security.krb5.conf`) or /etc/krb5.conf.
pub fn sasl_settings(path: &std::path::Path, service: Option<&str>) -> Result<ZkSasl> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(Input::ZkJaasConfig, &name, format!("cannot read it: {e}")))?;
    let section = client_section(&text).ok_or_else(|| {
        bad(
            Input::ZkJaasConfig,
            &name,
            "no `Client { … };` section (the one ZooKeeper clients use)",
        )
    })?;
    if section.contains("Krb5LoginModule") {
        let login = crate::collect::kafka::config::krb5_login(section, "Client section")
            .map_err(|e| bad(Input::ZkJaasConfig, &name, format!("{e:#}")))?;
        let service = service.unwrap_or("zookeeper").trim();
        if service.is_empty() {
            return Err(usage(
                format!("{{0}} {}: {{1}} is empty: give ZooKeeper's Kerberos service name (zookeeper.sasl.client.username, default zookeeper)", literal(&name)),
                &[Input::ZkJaasConfig, Input::ZkSaslClientUsername],
            ));
        }
        return Ok(ZkSasl::Kerberos(
            crate::collect::kafka::gssapi::Kerberos::new(
                service.to_string(),
                login,
                format!("--zk-jaas-config {name}"),
                "check zookeeper.sasl.client.username (--zk-sasl-client-username) and that ZooKeeper is reached by the host name in its principal (as written in --zookeeper)",
            ),
        ));
    }
    if !section.contains("DigestLoginModule") {
        return Err(bad(Input::ZkJaasConfig, &name, "the Client section names no login module kraftcheck knows (org.apache.zookeeper.server.auth.DigestLoginModule, com.sun.security.auth.module.Krb5LoginModule)"));
    }
    let get = |k: &str| crate::collect::kafka::config::jaas_option(section, k);
    let user = get("username").ok_or_else(|| {
        bad(
            Input::ZkJaasConfig,
            &name,
            "the Client section has no username",
        )
    })?;
    let password = get("password").ok_or_else(|| {
        bad(
            Input::ZkJaasConfig,
            &name,
            "the Client section has no password",
        )
    })?;
    Ok(ZkSasl::Digest(
        zk::SaslOptions::digest_md5(user, password).into(),
    ))
}

/// The body of the `Client { … };` section of a JAAS file (comments are not expected there).
fn client_section(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(pos) = rest.find("Client") {
        let before_ok = pos == 0 || !rest.as_bytes()[pos - 1].is_ascii_alphanumeric();
        let after = rest[pos + "Client".len()..].trim_start();
        if before_ok {
            if let Some(body) = after.strip_prefix('{') {
                return body
                    .find("};")
                    .or_else(|| body.find('}'))
                    .map(|end| &body[..end]);
            }
        }
        rest = &rest[pos + "Client".len()..];
    }
    None
}

/// The rights the KRaft controllers use on Kafka's root znodes during the migration (Kafka 3.9:
/// `ZkMigrationClient` and its topic, config and ACL clients read every path and create, write
/// and delete topics, configs and ACLs; `KafkaZkClient.tryRegisterKRaftControllerAsActiveController`
/// creates `/controller` and writes `/controller_epoch`; the migration state is written to
/// `/migration`, created at the root). Paths not listed are only read.
const CONTROLLER_NEEDS: &[(&str, &str)] = &[
    ("/", "cr"),
    ("/brokers/topics", "cdrw"),
    ("/config", "cdrw"),
    ("/kafka-acl", "cdrw"),
    ("/kafka-acl-extended", "cdrw"),
    ("/controller_epoch", "rw"),
    ("/migration", "rw"),
];

/// Per path of `acls`, the needed rights that no entry grants to `identity` or to everyone.
fn missing_rights(
    acls: &BTreeMap<String, Vec<String>>,
    identity: &[String],
) -> Vec<ZkMissingRights> {
    let mut out = Vec::new();
    for (path, entries) in acls {
        let need = CONTROLLER_NEEDS
            .iter()
            .find(|(p, _)| p == path)
            .map_or("r", |(_, n)| n);
        let granted: String = entries
            .iter()
            .filter_map(|a| a.rsplit_once(':'))
            .filter(|(id, _)| *id == "world:anyone" || identity.iter().any(|i| i == id))
            .map(|(_, perms)| perms)
            .collect();
        let missing: String = need.chars().filter(|c| !granted.contains(*c)).collect();
        if !missing.is_empty() {
            out.push(ZkMissingRights {
                path: path.clone(),
                missing,
            });
        }
    }
    out
}

/// The ZooKeeper identities of the planned KRaft controllers, from the `Client` section of
/// their JAAS file (`--zk-controller-jaas`), as the ensemble records a SASL login: DigestLoginModule
/// `username` → `sasl:USER`; Krb5LoginModule `principal` → `sasl:` with the principal as
/// written, without its realm, without its host, and without both (the ensemble's
/// `kerberos.removeHostFromPrincipal` / `kerberos.removeRealmFromPrincipal` decide which one
/// it records; each is taken as the controllers' own). Nothing of the file but those names is
/// kept.
pub fn controller_identity(path: &std::path::Path) -> Result<Vec<String>> {
    let name = path.display().to_string();
    let bad = |message: &str| bad(Input::ZkControllerJaas, &name, message);
    let text = std::fs::read_to_string(path).map_err(|e| bad(&format!("cannot read it: {e}")))?;
    let section = client_section(&text).ok_or_else(|| {
        bad("no `Client { … };` section (the one the controllers use for ZooKeeper)")
    })?;
    let get = |k: &str| crate::collect::kafka::config::jaas_option(section, k);
    if section.contains("Krb5LoginModule") {
        let principal = get("principal").filter(|p| !p.trim().is_empty()).ok_or_else(|| {
            bad("the Client section's Krb5LoginModule has no principal: write the principal the controllers log in as")
        })?;
        let (user, realm) = match principal.split_once('@') {
            Some((u, r)) => (u.to_string(), Some(r.to_string())),
            None => (principal.clone(), None),
        };
        let primary = user.split('/').next().unwrap_or_default().to_string();
        let mut ids = vec![principal.clone(), user.clone(), primary.clone()];
        if let Some(r) = realm {
            ids.push(format!("{primary}@{r}"));
        }
        let mut ids: Vec<String> = ids.into_iter().map(|i| format!("sasl:{i}")).collect();
        ids.sort();
        ids.dedup();
        return Ok(ids);
    }
    if section.contains("DigestLoginModule") {
        let user = get("username")
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| bad("the Client section's DigestLoginModule has no username"))?;
        return Ok(vec![format!("sasl:{user}")]);
    }
    Err(bad("the Client section names no login module kraftcheck knows (org.apache.zookeeper.server.auth.DigestLoginModule, com.sun.security.auth.module.Krb5LoginModule)"))
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

#[cfg(test)]
mod tests {
    use super::{controller_identity, missing_rights, parse_srvr};
    use std::collections::BTreeMap;

    #[test]
    fn controller_rights_on_znodes_set_acl_made() {
        let acls = BTreeMap::from([
            ("/".to_string(), vec!["world:anyone:cdrwa".to_string()]),
            (
                "/brokers/topics".to_string(),
                vec!["sasl:kafka:cdrwa".to_string(), "world:anyone:r".to_string()],
            ),
            ("/cluster".to_string(), vec!["sasl:kafka:cdrwa".to_string()]),
        ]);
        let other = missing_rights(&acls, &["sasl:controller".to_string()]);
        let other: Vec<(&str, &str)> = other
            .iter()
            .map(|m| (m.path.as_str(), m.missing.as_str()))
            .collect();
        assert_eq!(other, vec![("/brokers/topics", "cdw"), ("/cluster", "r")]);
        assert!(missing_rights(&acls, &["sasl:kafka".to_string()]).is_empty());
        // Everyone's rights alone: enough only where everyone has all.
        assert!(!missing_rights(&acls, &[]).is_empty());
        let open = BTreeMap::from([("/".to_string(), vec!["world:anyone:cdrwa".to_string()])]);
        assert!(missing_rights(&open, &[]).is_empty());
    }

    #[test]
    fn controller_identity_from_a_jaas_client_section() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.jaas");
        std::fs::write(&p, "Client {\n com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true keyTab=\"/k\" principal=\"kafka/ctrl-1.example.com@EXAMPLE.COM\";\n};\n").unwrap();
        assert_eq!(
            controller_identity(&p).unwrap(),
            vec![
                "sasl:kafka",
                "sasl:kafka/ctrl-1.example.com",
                "sasl:kafka/ctrl-1.example.com@EXAMPLE.COM",
                "sasl:kafka@EXAMPLE.COM"
            ]
        );
        std::fs::write(&p, "Client {\n org.apache.zookeeper.server.auth.DigestLoginModule required username=\"ctl\" password=\"s3cret\";\n};\n").unwrap();
        assert_eq!(controller_identity(&p).unwrap(), vec!["sasl:ctl"]);
        std::fs::write(&p, "KafkaServer {\n};\n").unwrap();
        let e = controller_identity(&p).unwrap_err();
        let bad = e.downcast_ref::<crate::settings::InputError>().unwrap();
        assert_eq!(bad.input, crate::settings::Input::ZkControllerJaas);
        assert!(
            bad.render("--zk-controller-jaas")
                .starts_with(&format!("--zk-controller-jaas {}: no `Client", p.display())),
            "{e}"
        );
    }

    #[test]
    fn srvr_answers_give_version_and_mode() {
        let text = "Zookeeper version: 3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on 2024-02-12 22:16 UTC\nLatency min/avg/max: 0/0.5/12\nReceived: 120\nSent: 119\nConnections: 2\nOutstanding: 0\nZxid: 0x1a2\nMode: standalone\nNode count: 140\n";
        assert_eq!(
            parse_srvr(text),
            (Some("3.8.4".into()), Some("standalone".into()))
        );
        let refused = "srvr is not executed because it is not in the whitelist.\n";
        assert_eq!(parse_srvr(refused), (None, None));
    }
}
