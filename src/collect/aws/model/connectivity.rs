//! ZooKeeper client access as the cluster's UpdateConnectivity operations left it: which
//! operations to read (ListClusterOperationsV2) and what each set (DescribeClusterOperationV2).
//! Split out of `model.rs`; unchanged.

use super::*;

pub(super) fn completed(info: &Value) -> bool {
    st(info, &["OperationState"]).is_some_and(|s| s.ends_with("COMPLETE"))
}

/// The cluster's completed UpdateConnectivity operations (ListClusterOperationsV2 entries),
/// newest first: DescribeClusterOperationV2 of these shows what each set ZooKeeper access to.
pub fn connectivity_operations(ops: &[Value], cluster_arn: &str) -> Vec<String> {
    let mut found: Vec<(Option<String>, String)> = ops
        .iter()
        .filter(|o| st(o, &["ClusterArn"]).is_none_or(|c| c == cluster_arn))
        .filter(|o| st(o, &["OperationType"]).as_deref() == Some("UPDATE_CONNECTIVITY"))
        .filter(|o| completed(o))
        .filter_map(|o| Some((ts(o, "StartTime"), st(o, &["OperationArn"])?)))
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    found.into_iter().map(|(_, arn)| arn).collect()
}

/// What a DescribeClusterOperationV2 answer (or its `ClusterOperationInfo`) set ZooKeeper client
/// access to: `Provisioned.TargetClusterInfo.ZookeeperAccess.Enabled`, if the operation set it.
pub fn zookeeper_access_set(detail: &Value) -> Option<bool> {
    let info = detail.get("ClusterOperationInfo").unwrap_or(detail);
    info.get("Provisioned")?
        .get("TargetClusterInfo")?
        .get("ZookeeperAccess")?
        .get("Enabled")?
        .as_bool()
}

/// The newest completed UpdateConnectivity operation whose answer is needed to know ZooKeeper
/// access but is not among `a.operation_details` (none: decided, or nothing to read).
pub fn connectivity_unread(a: &MskAnswers, cluster_arn: &str) -> Option<String> {
    let ops = a.operations.as_ref()?;
    for op in connectivity_operations(ops, cluster_arn) {
        let detail = a.operation_details.iter().find(|d| {
            let i = d.get("ClusterOperationInfo").unwrap_or(d);
            st(i, &["OperationArn"]).as_deref() == Some(op.as_str())
        });
        match detail {
            Some(d) if zookeeper_access_set(d).is_some() => return None,
            Some(_) => {}
            None => return Some(op),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(arn: &str, kind: &str, state: &str, start: &str) -> Value {
        json!({"ClusterArn": "c", "OperationArn": arn, "OperationType": kind, "OperationState": state, "StartTime": start})
    }

    fn set_zk(arn: &str, enabled: Option<bool>) -> Value {
        let target = match enabled {
            Some(e) => json!({"ZookeeperAccess": {"Enabled": e}}),
            None => json!({"ConnectivityInfo": {"PublicAccess": {"Type": "DISABLED"}}}),
        };
        json!({"ClusterOperationInfo": {"ClusterArn": "c", "OperationArn": arn, "OperationState": "UPDATE_COMPLETE", "Provisioned": {"TargetClusterInfo": target}}})
    }

    #[test]
    fn zookeeper_access_is_what_the_newest_connectivity_operation_that_set_it_left() {
        let ops = vec![
            op(
                "old",
                "UPDATE_CONNECTIVITY",
                "UPDATE_COMPLETE",
                "2026-01-01T00:00:00Z",
            ),
            op(
                "failed",
                "UPDATE_CONNECTIVITY",
                "UPDATE_FAILED",
                "2026-03-01T00:00:00Z",
            ),
            op(
                "public",
                "UPDATE_CONNECTIVITY",
                "UPDATE_COMPLETE",
                "2026-02-01T00:00:00Z",
            ),
            op(
                "version",
                "UPDATE_CLUSTER_KAFKA_VERSION",
                "UPDATE_COMPLETE",
                "2026-04-01T00:00:00Z",
            ),
        ];
        assert_eq!(connectivity_operations(&ops, "c"), ["public", "old"]);
        let cluster = json!({"ClusterArn": "c", "Provisioned": {}});
        let mut a = MskAnswers {
            cluster: Some(cluster),
            operations: Some(ops),
            ..Default::default()
        };
        // Nothing read: unknown, and the newest is the one to read.
        assert_eq!(connectivity_unread(&a, "c").as_deref(), Some("public"));
        assert_eq!(build_msk(&a).unwrap().unwrap().zookeeper_access, None);
        // The newest changed public access only: the older one decides.
        a.operation_details = vec![set_zk("public", None)];
        assert_eq!(connectivity_unread(&a, "c").as_deref(), Some("old"));
        assert_eq!(build_msk(&a).unwrap().unwrap().zookeeper_access, None);
        a.operation_details.push(set_zk("old", Some(false)));
        assert_eq!(connectivity_unread(&a, "c"), None);
        let m = build_msk(&a).unwrap().unwrap();
        assert_eq!(m.zookeeper_access, Some(false));
        assert_eq!(m.zookeeper_access_operation.as_deref(), Some("old"));
        // The newest one set it: that wins, whatever older ones said.
        a.operation_details = vec![set_zk("public", Some(true)), set_zk("old", Some(false))];
        assert_eq!(build_msk(&a).unwrap().unwrap().zookeeper_access, Some(true));
    }
}
