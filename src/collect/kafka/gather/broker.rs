//! What each broker is asked on its own connection: its configs, log dirs, groups and topic
//! configs (batched over the reachable brokers).

use super::*;

pub(super) type TopicConfigs = (HashMap<String, BTreeMap<String, ConfigEntry>>, Gaps);

/// Topic configs, batches spread over the reachable brokers, on connections of their own:
/// TOPIC_CONFIG_LANES per broker, so that the brokers answer batches side by side (in
/// ZooKeeper mode each topic is a ZooKeeper read) while the broker connections do the rest.
pub(super) fn spawn_topic_configs(
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

pub(super) struct BrokerResult {
    pub(super) id: i64,
    pub(super) configs: BTreeMap<String, ConfigEntry>,
    pub(super) log_dirs: Vec<LogDir>,
    pub(super) api_ranges: Vec<ApiRange>,
    pub(super) groups: Vec<ConsumerGroup>,
    pub(super) transactions: Vec<Transaction>,
    pub(super) reassignments: Option<Vec<Reassignment>>,
    pub(super) gaps: Gaps,
    /// The connection, handed back for the log-end-offset round.
    pub(super) conn: Option<Conn>,
    /// Topics with replicas in this broker's log dirs (DescribeLogDirs is not filtered by
    /// topic permissions), to tell whether Metadata showed every topic.
    pub(super) logdir_topics: Option<std::collections::BTreeSet<String>>,
}

/// Non-default topic configs of these batches of topics, one DescribeConfigs request per
/// batch, on one connection.
pub(super) async fn topic_configs(
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

pub(super) async fn per_broker(id: i64, mut c: Conn, is_controller: bool) -> BrokerResult {
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
        failed => r.gaps.push(failed_gap(
            "brokers.log_dirs",
            &res,
            failed.map(|resp| resp.error_code),
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
            failed => r.gaps.push(
                failed_gap("transactions", "", failed.map(|resp| resp.error_code))
                    .after(&format!("broker {id}")),
            ),
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
            failed => r.gaps.push(failed_gap(
                "reassignments",
                "",
                failed.map(|resp| resp.error_code),
            )),
        }
    }
    r.conn = Some(c);
    r
}

pub(super) async fn describe_groups(
    c: &mut Conn,
    listed: &[(String, String)],
    r: &mut BrokerResult,
) {
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
    // One group's offsets are unknown: the gap for it.
    let unknown = |id: &str, reason: GapReason, detail: String| {
        gap("groups.offsets", &format!("group:{id}"), reason, detail)
    };
    // Every group's offsets are unknown, for one reason.
    let all_unknown = |reason: GapReason, detail: String| -> Vec<(String, Result<_, GapNote>)> {
        r.groups
            .iter()
            .map(|g| (g.id.clone(), Err(unknown(&g.id, reason, detail.clone()))))
            .collect()
    };
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
                Err(e) => all_unknown(GapReason::Error, format!("{e:#}")),
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
                    Err(e) => Err(unknown(&g.id, GapReason::Error, format!("{e:#}"))),
                };
                out.push((g.id.clone(), res));
            }
            out
        }
        None => all_unknown(GapReason::Unsupported, "OffsetFetch not supported".into()),
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
