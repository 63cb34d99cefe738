//! IAM policy semantics the MSK rules need: wildcard matching (`*` any run of characters,
//! `?` exactly one, as IAM evaluates Action and Resource values), which statements concern
//! Kafka, and whether a Resource pins one MSK cluster's name or UUID.
//!
//! Shared by the IAM collector (to keep only Kafka statements) and the rule engine (CEL
//! helpers), so both agree on what a statement means.

use super::msk::{ClusterArn, IamStatement};

/// IAM wildcard match: `*` matches any run of characters (also `/` and `:`), `?` exactly one.
pub fn wildcard_match(pattern: &str, value: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let v: Vec<char> = value.chars().collect();
    let (mut pi, mut vi) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = vi;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            vi = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Actions are matched without regard to case (`kafka-cluster:readdata` = `ReadData`).
pub fn action_match(pattern: &str, action: &str) -> bool {
    wildcard_match(&pattern.to_ascii_lowercase(), &action.to_ascii_lowercase())
}

/// The Apache Kafka data-plane actions of MSK IAM access control (Service Authorization
/// Reference, "Apache Kafka APIs for Amazon MSK clusters").
pub const KAFKA_CLUSTER_ACTIONS: &[&str] = &[
    "kafka-cluster:Connect",
    "kafka-cluster:DescribeCluster",
    "kafka-cluster:AlterCluster",
    "kafka-cluster:DescribeClusterDynamicConfiguration",
    "kafka-cluster:AlterClusterDynamicConfiguration",
    "kafka-cluster:WriteDataIdempotently",
    "kafka-cluster:CreateTopic",
    "kafka-cluster:DescribeTopic",
    "kafka-cluster:AlterTopic",
    "kafka-cluster:DeleteTopic",
    "kafka-cluster:DescribeTopicDynamicConfiguration",
    "kafka-cluster:AlterTopicDynamicConfiguration",
    "kafka-cluster:ReadData",
    "kafka-cluster:WriteData",
    "kafka-cluster:DescribeGroup",
    "kafka-cluster:AlterGroup",
    "kafka-cluster:DeleteGroup",
    "kafka-cluster:DescribeTransactionalId",
    "kafka-cluster:AlterTransactionalId",
];

/// MSK control-plane actions (`kafka:` + the operation names of the MSK API, botocore model
/// kafka 2018-11-14).
pub const KAFKA_CONTROL_ACTIONS: &[&str] = &[
    "kafka:BatchAssociateScramSecret",
    "kafka:BatchDisassociateScramSecret",
    "kafka:CreateChannel",
    "kafka:CreateCluster",
    "kafka:CreateClusterV2",
    "kafka:CreateConfiguration",
    "kafka:CreateReplicator",
    "kafka:CreateTopic",
    "kafka:CreateVpcConnection",
    "kafka:DeleteChannel",
    "kafka:DeleteCluster",
    "kafka:DeleteClusterPolicy",
    "kafka:DeleteConfiguration",
    "kafka:DeleteReplicator",
    "kafka:DeleteTopic",
    "kafka:DeleteVpcConnection",
    "kafka:DescribeChannel",
    "kafka:DescribeCluster",
    "kafka:DescribeClusterOperation",
    "kafka:DescribeClusterOperationV2",
    "kafka:DescribeClusterV2",
    "kafka:DescribeConfiguration",
    "kafka:DescribeConfigurationRevision",
    "kafka:DescribeReplicator",
    "kafka:DescribeTopic",
    "kafka:DescribeTopicPartitions",
    "kafka:DescribeVpcConnection",
    "kafka:GetBootstrapBrokers",
    "kafka:GetClusterPolicy",
    "kafka:GetCompatibleKafkaVersions",
    "kafka:ListChannels",
    "kafka:ListClientVpcConnections",
    "kafka:ListClusterOperations",
    "kafka:ListClusterOperationsV2",
    "kafka:ListClusters",
    "kafka:ListClustersV2",
    "kafka:ListConfigurationRevisions",
    "kafka:ListConfigurations",
    "kafka:ListKafkaVersions",
    "kafka:ListNodes",
    "kafka:ListReplicators",
    "kafka:ListScramSecrets",
    "kafka:ListTagsForResource",
    "kafka:ListTopics",
    "kafka:ListVpcConnections",
    "kafka:PutClusterPolicy",
    "kafka:RebootBroker",
    "kafka:RejectClientVpcConnection",
    "kafka:TagResource",
    "kafka:UntagResource",
    "kafka:UpdateBrokerCount",
    "kafka:UpdateBrokerStorage",
    "kafka:UpdateBrokerType",
    "kafka:UpdateChannel",
    "kafka:UpdateClusterConfiguration",
    "kafka:UpdateClusterKafkaVersion",
    "kafka:UpdateConfiguration",
    "kafka:UpdateConnectivity",
    "kafka:UpdateMonitoring",
    "kafka:UpdateRebalancing",
    "kafka:UpdateReplicationInfo",
    "kafka:UpdateSecurity",
    "kafka:UpdateStorage",
    "kafka:UpdateTopic",
];

/// The Kafka actions (data and control plane) a statement's Action or NotAction covers,
/// in the order of the lists above.
pub fn kafka_actions(st: &IamStatement) -> Vec<&'static str> {
    KAFKA_CLUSTER_ACTIONS
        .iter()
        .chain(KAFKA_CONTROL_ACTIONS)
        .copied()
        .filter(|a| {
            if !st.not_actions.is_empty() {
                !st.not_actions.iter().any(|p| action_match(p, a))
            } else {
                st.actions.iter().any(|p| action_match(p, a))
            }
        })
        .collect()
}

/// True when the statement grants or denies any Kafka action.
pub fn concerns_kafka(st: &IamStatement) -> bool {
    !kafka_actions(st).is_empty()
}

/// The MSK resource kinds whose ARNs embed the cluster name and UUID.
pub const PINNABLE_KINDS: &[&str] = &["cluster", "topic", "group", "transactional-id"];

/// A cluster UUID of the same shape with every character changed (hex digits and decimal
/// digits shifted by one): what a new cluster's UUID is like, as far as wildcards can tell.
fn other_uuid(uuid: &str) -> String {
    uuid.chars()
        .map(|c| match c {
            '0'..='8' => ((c as u8) + 1) as char,
            '9' => '0',
            'a'..='e' => ((c as u8) + 1) as char,
            'f' => 'a',
            'A'..='E' => ((c as u8) + 1) as char,
            'F' => 'A',
            '-' => '-',
            _ => 'z',
        })
        .collect()
}

/// A name that differs from `name` in every character but keeps its length.
fn other_name(name: &str) -> String {
    name.chars()
        .map(|c| if c == 'q' { 'w' } else { 'q' })
        .collect()
}

/// Pattern positions reachable after matching `pattern[..]` against all of `prefix`.
fn states_after(p: &[char], prefix: &str) -> Vec<usize> {
    let mut states = vec![0usize];
    // ε-closure over `*` (a star may match nothing).
    let close = |mut s: Vec<usize>| {
        let mut i = 0;
        while i < s.len() {
            let at = s[i];
            if at < p.len() && p[at] == '*' && !s.contains(&(at + 1)) {
                s.push(at + 1);
            }
            i += 1;
        }
        s.sort_unstable();
        s.dedup();
        s
    };
    states = close(states);
    for c in prefix.chars() {
        let mut next = Vec::new();
        for &at in &states {
            if at < p.len() {
                match p[at] {
                    '*' => next.push(at),
                    '?' => next.push(at + 1),
                    x if x == c => next.push(at + 1),
                    _ => {}
                }
            }
        }
        states = close(next);
        if states.is_empty() {
            break;
        }
    }
    states
}

/// Resource names that complete `pattern` after `prefix` (one per reachable state): the
/// rest of the pattern with `*` dropped and `?` as `x`, or `x` when nothing is left.
/// Also the probes of the IAM readiness check (`plan::iam`).
pub fn completions(pattern: &str, prefix: &str) -> Vec<String> {
    let p: Vec<char> = pattern.chars().collect();
    let mut out: Vec<String> = states_after(&p, prefix)
        .into_iter()
        .map(|at| {
            let rest: String = p[at..]
                .iter()
                .filter(|c| **c != '*')
                .map(|c| if *c == '?' { 'x' } else { *c })
                .collect();
            if rest.is_empty() {
                "x".to_string()
            } else {
                rest
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// How a Resource pattern depends on one cluster: the kind of resource it matches on that
/// cluster (`cluster`, `topic`, `group`, `transactional-id`) where the match would be lost on
/// a cluster with another UUID (`by = "uuid"`), or — UUID wildcarded — with another name
/// (`by = "name"`). `None` when the pattern matches no resource of the cluster, or matches it
/// whatever its name and UUID.
pub fn msk_pin(pattern: &str, cluster_arn: &str) -> Option<(&'static str, &'static str)> {
    let c = ClusterArn::parse(cluster_arn)?;
    let base = |kind: &str, name: &str, uuid: &str| {
        format!(
            "arn:{}:kafka:{}:{}:{kind}/{name}/{uuid}",
            c.partition, c.region, c.account
        )
    };
    let mut by_name = None;
    for kind in PINNABLE_KINDS {
        let old = base(kind, &c.name, &c.uuid);
        let new_uuid = base(kind, &c.name, &other_uuid(&c.uuid));
        let new_name = base(kind, &other_name(&c.name), &c.uuid);
        // Resource names on the old cluster that the pattern matches (none for `cluster`).
        let names: Vec<String> = if *kind == "cluster" {
            vec![String::new()]
        } else {
            completions(pattern, &format!("{old}/"))
                .into_iter()
                .map(|n| format!("/{n}"))
                .collect()
        };
        for n in names {
            if !wildcard_match(pattern, &format!("{old}{n}")) {
                continue;
            }
            if !wildcard_match(pattern, &format!("{new_uuid}{n}")) {
                return Some((kind, "uuid"));
            }
            if by_name.is_none() && !wildcard_match(pattern, &format!("{new_name}{n}")) {
                by_name = Some((*kind, "name"));
            }
        }
    }
    by_name
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:kafka:us-east-1:111122223333:cluster/orders/6357e0b2-0e6a-4b86-a0b4-70df934c2e31-5";
    const UUID: &str = "6357e0b2-0e6a-4b86-a0b4-70df934c2e31-5";

    #[test]
    fn wildcards_follow_iam() {
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*c", "abbbc"));
        assert!(wildcard_match("a?c", "abc"));
        assert!(!wildcard_match("a?c", "ac"));
        assert!(wildcard_match(
            "arn:aws:kafka:*:1:*",
            "arn:aws:kafka:eu-west-1:1:topic/a/b/c"
        ));
        assert!(!wildcard_match(
            "arn:aws:kafka:*:1:*",
            "arn:aws:kafka:eu-west-1:2:topic/a/b/c"
        ));
        assert!(wildcard_match("a*b*c", "a-b-b-c"));
        assert!(
            !wildcard_match("Topic", "topic"),
            "resources are case-sensitive"
        );
        assert!(action_match(
            "kafka-cluster:read*",
            "kafka-cluster:ReadData"
        ));
    }

    fn pin(p: &str) -> Option<(&'static str, &'static str)> {
        msk_pin(p, ARN)
    }

    #[test]
    fn literal_arns_pin_the_uuid() {
        assert_eq!(pin(ARN), Some(("cluster", "uuid")));
        let t = format!("arn:aws:kafka:us-east-1:111122223333:topic/orders/{UUID}/payments");
        assert_eq!(pin(&t), Some(("topic", "uuid")));
        let t = format!("arn:aws:kafka:us-east-1:111122223333:topic/orders/{UUID}/*");
        assert_eq!(pin(&t), Some(("topic", "uuid")));
        let g = format!("arn:aws:kafka:us-east-1:111122223333:group/orders/{UUID}/billing-*");
        assert_eq!(pin(&g), Some(("group", "uuid")));
        let x = format!("arn:aws:kafka:us-east-1:111122223333:transactional-id/orders/{UUID}/tx");
        assert_eq!(pin(&x), Some(("transactional-id", "uuid")));
        // Part of the UUID is still the old one.
        assert_eq!(
            pin("arn:aws:kafka:us-east-1:111122223333:cluster/orders/6357e0b2-*"),
            Some(("cluster", "uuid"))
        );
    }

    #[test]
    fn wildcarded_uuids_do_not_pin_it() {
        assert_eq!(
            pin("arn:aws:kafka:us-east-1:111122223333:topic/orders/*/payments"),
            Some(("topic", "name"))
        );
        assert_eq!(
            pin("arn:aws:kafka:us-east-1:111122223333:cluster/orders/*"),
            Some(("cluster", "name"))
        );
        assert_eq!(
            pin("arn:aws:kafka:us-east-1:111122223333:cluster/orders/????????-????-????-????-????????????-?"),
            Some(("cluster", "name"))
        );
        assert_eq!(pin("arn:aws:kafka:*:111122223333:*"), None);
        assert_eq!(pin("arn:aws:kafka:us-east-1:111122223333:*/*/*"), None);
        assert_eq!(pin("*"), None);
        assert_eq!(
            pin("arn:aws:kafka:us-east-1:111122223333:topic/*/*/payments"),
            None
        );
        // Another cluster's ARN: nothing of this one.
        assert_eq!(
            pin("arn:aws:kafka:us-east-1:111122223333:cluster/other/0000-1"),
            None
        );
        assert_eq!(pin("arn:aws:s3:::orders/*"), None);
    }

    #[test]
    fn kafka_statements_are_recognised() {
        let st = |actions: &[&str], not: &[&str]| IamStatement {
            effect: "Allow".into(),
            actions: actions.iter().map(|s| s.to_string()).collect(),
            not_actions: not.iter().map(|s| s.to_string()).collect(),
            resources: vec!["*".into()],
            ..Default::default()
        };
        assert!(concerns_kafka(&st(&["kafka-cluster:Connect"], &[])));
        assert!(concerns_kafka(&st(&["kafka-cluster:*"], &[])));
        assert!(concerns_kafka(&st(&["*"], &[])));
        assert!(concerns_kafka(&st(&["kafka:Describe*"], &[])));
        assert!(!concerns_kafka(&st(&["s3:GetObject", "sqs:*"], &[])));
        assert!(concerns_kafka(&st(&[], &["s3:*"])));
        assert!(!concerns_kafka(&st(&[], &["kafka*"])));
        assert_eq!(
            kafka_actions(&st(&["kafka-cluster:*TransactionalId"], &[])),
            vec![
                "kafka-cluster:DescribeTransactionalId",
                "kafka-cluster:AlterTransactionalId"
            ]
        );
    }
}
