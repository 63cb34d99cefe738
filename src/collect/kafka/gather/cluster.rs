//! What one broker answers for the whole cluster: ACLs, SCRAM users, quotas, delegation
//! tokens, reassignments, transactions, and whether the filtered lists are whole.

use super::*;

/// DescribeQuorum of the metadata log (`__cluster_metadata`, partition 0).
pub(in crate::collect::kafka) fn quorum_request() -> DescribeQuorumRequest {
    let partition = describe_quorum_request::PartitionData::default().with_partition_index(0);
    let topic = describe_quorum_request::TopicData::default()
        .with_topic_name(TopicName(StrBytes::from_static_str("__cluster_metadata")))
        .with_partitions(vec![partition]);
    DescribeQuorumRequest::default().with_topics(vec![topic])
}

/// The quorum a DescribeQuorum answer's metadata-log partition names.
pub(in crate::collect::kafka) fn quorum(p: &describe_quorum_response::PartitionData) -> Quorum {
    Quorum {
        leader_id: p.leader_id.0 as i64,
        voters: p
            .current_voters
            .iter()
            .map(|v| v.replica_id.0 as i64)
            .collect(),
        observers: p.observers.iter().map(|v| v.replica_id.0 as i64).collect(),
        high_watermark: p.high_watermark,
    }
}

pub(super) struct ClusterWide {
    pub(super) acls: Vec<Acl>,
    pub(super) scram: Vec<ScramUser>,
    pub(super) quotas: Vec<Quota>,
    pub(super) tokens: Vec<DelegationToken>,
    pub(super) quorum: Option<Quorum>,
    /// What the principal may do on the cluster (KIP-430 bit set), when the broker said.
    pub(super) cluster_ops: Option<i32>,
    /// False when the brokers answered that delegation tokens are not enabled.
    pub(super) tokens_enabled: bool,
    pub(super) gaps: Gaps,
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
pub(super) fn partial_lists(
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

pub(super) async fn cluster_wide(c: &mut Conn) -> ClusterWide {
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
        failed => out
            .gaps
            .push(failed_gap("acls", "", failed.map(|resp| resp.error_code))),
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
            failed => out.gaps.push(failed_gap(
                "scram_users",
                "",
                failed.map(|resp| resp.error_code),
            )),
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
            failed => out
                .gaps
                .push(failed_gap("quotas", "", failed.map(|resp| resp.error_code))),
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
        failed => out.gaps.push(failed_gap(
            "delegation_tokens",
            "",
            failed.map(|resp| resp.error_code),
        )),
    }

    // KRaft quorum (answered by KRaft clusters; ZooKeeper brokers do not know the API).
    if c.version::<DescribeQuorumRequest>().is_some() {
        match c.send(quorum_request()).await {
            Ok(resp) if resp.error_code == 0 => {
                if let Some(p) = resp
                    .topics
                    .first()
                    .and_then(|t| t.partitions.first())
                    .filter(|p| p.error_code == 0)
                {
                    out.quorum = Some(quorum(p));
                }
            }
            failed => out.gaps.push(
                failed_gap("cluster.controller", "", failed.map(|resp| resp.error_code))
                    .after("DescribeQuorum"),
            ),
        }
    }
    out
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
