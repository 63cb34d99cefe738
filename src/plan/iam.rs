//! IAM readiness for the new MSK cluster (`plan --new-msk-cluster`): for every user and role
//! whose policies let it reach the old cluster with a `kafka-cluster:*` action, is the same
//! action allowed on the corresponding resource of the new cluster (same topic, group or
//! transactional-id name; the new cluster's name and UUID)? Principals that would lose access
//! at cutover are the findings.
//!
//! What is evaluated: identity policies as the inventory holds them (customer managed policies'
//! default versions, inline policies, and for users the managed and inline policies of their
//! groups); Allow and Deny, an explicit Deny beating any Allow; Action/NotAction and
//! Resource/NotResource with IAM wildcards (the matcher of [`crate::inventory::iampattern`]).
//! What is not: see [`NOT_MODELLED`].
//!
//! Which resources are checked: each Allow statement's resource patterns, completed to
//! concrete resource names of the old cluster ([`iampattern::completions`]: `topic/orders/UUID/
//! orders.*` is probed as topic `orders.`), for each `kafka-cluster:` action the statement
//! covers and the resource kind that action is authorized on.

use super::msk::ClusterArn;
use crate::inventory::iampattern::{
    action_match, completions, wildcard_match, KAFKA_CLUSTER_ACTIONS,
};
use crate::inventory::{Iam, IamPrincipal, IamStatement, Inventory};
use crate::settings::{usage, Input};
use anyhow::Context;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What the evaluation leaves out, stated in every report of it.
pub const NOT_MODELLED: &[&str] = &[
    "Service control policies (AWS Organizations), permission boundaries and session policies are not read: they can only narrow access, so a principal reported ready may still be refused by them.",
    "Resource-based policies (the MSK cluster policy) are not evaluated for the account's own principals; cross-account access through a cluster policy is not checked.",
    "Conditions are not evaluated: a statement with a Condition is taken as possibly applying. A conditional Deny can make the result depend on the condition, and so can an Allow that has only conditional statements behind it. Such a result on the new cluster is a finding with status unknown, unless the old cluster's result depended on exactly the same Condition blocks (the same conditions, which may still read the resource's tags: aws:ResourceTag needs the same tags on the new cluster).",
    "AWS managed policies are not kept in the inventory (they name no customer cluster); one that allows kafka-cluster actions on every resource (e.g. AdministratorAccess) would cover a loss reported here.",
    "Policy variables (${aws:username}) are matched literally.",
    "Groups are evaluated through their member users (a group cannot connect itself).",
];

/// The resource kind a `kafka-cluster:` action is authorized on (MSK developer guide, "IAM
/// access control: actions" / Service Authorization Reference, resource types per action).
pub fn resource_kind(action: &str) -> &'static str {
    let a = action.to_ascii_lowercase();
    if a.ends_with("transactionalid") {
        "transactional-id"
    } else if a.ends_with("group") {
        "group"
    } else if a.contains("topic") || a.ends_with(":readdata") || a.ends_with(":writedata") {
        "topic"
    } else {
        "cluster"
    }
}

/// A statement with the policy it came from.
#[derive(Debug, Clone)]
struct Src<'a> {
    label: String,
    st: &'a IamStatement,
}

impl Src<'_> {
    fn action_in(&self, action: &str) -> bool {
        if !self.st.not_actions.is_empty() {
            !self.st.not_actions.iter().any(|p| action_match(p, action))
        } else {
            self.st.actions.iter().any(|p| action_match(p, action))
        }
    }
    fn resource_in(&self, resource: &str) -> bool {
        if !self.st.not_resources.is_empty() {
            !self
                .st
                .not_resources
                .iter()
                .any(|p| wildcard_match(p, resource))
        } else {
            self.st
                .resources
                .iter()
                .any(|p| wildcard_match(p, resource))
        }
    }
    fn applies(&self, action: &str, resource: &str) -> bool {
        self.action_in(action) && self.resource_in(resource)
    }
    fn conditional(&self) -> bool {
        !self.st.conditions.is_empty()
    }
    fn is_deny(&self) -> bool {
        self.st.effect.eq_ignore_ascii_case("deny")
    }
    fn describe(&self) -> String {
        format!(
            "{} statement {}{}",
            self.label,
            self.st.index,
            self.st
                .sid
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default()
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// Allowed only if conditions hold (or denied only if they hold).
    Conditional,
    Denied,
}

#[derive(Debug, Clone)]
struct Outcome {
    decision: Decision,
    /// The statements that allow it (unconditional first).
    allowed_by: Vec<String>,
    /// The unconditional Deny that refuses it, else a conditional one.
    denied_by: Option<String>,
    /// Condition blocks of every matching conditional statement (as JSON, sorted).
    conditions: BTreeSet<String>,
}

fn evaluate(set: &[Src], action: &str, resource: &str) -> Outcome {
    let matching: Vec<&Src> = set.iter().filter(|s| s.applies(action, resource)).collect();
    let deny = matching.iter().find(|s| s.is_deny() && !s.conditional());
    let cond_deny = matching.iter().find(|s| s.is_deny() && s.conditional());
    let allow_firm: Vec<&&Src> = matching
        .iter()
        .filter(|s| !s.is_deny() && !s.conditional())
        .collect();
    let allow_cond: Vec<&&Src> = matching
        .iter()
        .filter(|s| !s.is_deny() && s.conditional())
        .collect();
    let conditions = matching
        .iter()
        .filter(|s| s.conditional())
        .map(|s| serde_json::to_string(&s.st.conditions).unwrap_or_default())
        .collect();
    let allowed_by = allow_firm
        .iter()
        .chain(&allow_cond)
        .map(|s| s.describe())
        .collect();
    let decision = if deny.is_some() {
        Decision::Denied
    } else if !allow_firm.is_empty() && cond_deny.is_none() {
        Decision::Allowed
    } else if !allow_firm.is_empty() || !allow_cond.is_empty() {
        Decision::Conditional
    } else {
        Decision::Denied
    };
    Outcome {
        decision,
        allowed_by,
        denied_by: deny.or(cond_deny).map(|s| s.describe()),
        conditions,
    }
}

/// One principal's lost (or uncertain) access: the actions on one new-cluster resource.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IamLoss {
    /// `user` or `role`.
    pub principal_kind: String,
    pub principal: String,
    pub principal_arn: String,
    /// `fail` (the new cluster refuses it) or `unknown` (conditions decide).
    pub status: String,
    pub actions: Vec<String>,
    /// The resource on the old cluster that was checked (a concrete name for patterns).
    pub old_resource: String,
    /// The corresponding resource on the new cluster.
    pub new_resource: String,
    /// The statements that allow it on the old cluster: `managed POLICY statement N (Sid)`,
    /// `inline POLICY …`, `group G managed POLICY …`.
    pub allowed_by: Vec<String>,
    /// The Deny statement that refuses it on the new cluster, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denied_by: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IamReadiness {
    pub old_cluster: String,
    pub new_cluster: String,
    /// `ready`, `not-ready` (a principal loses access), `unknown` (IAM data missing, or only
    /// conditional results).
    pub status: String,
    /// Users and roles that can reach the old cluster with a kafka-cluster action.
    pub principals_checked: Vec<String>,
    /// Those with every such action also allowed on the new cluster.
    pub principals_ready: Vec<String>,
    pub findings: Vec<IamLoss>,
    /// Why the check could not be done (IAM not collected), when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub not_modelled: Vec<String>,
}

/// The statements in force for a principal: its inline and attached managed policies, and
/// for a user its groups' inline and attached managed policies.
fn statements_of<'a>(iam: &'a Iam, p: &'a IamPrincipal) -> Vec<Src<'a>> {
    let mut out = Vec::new();
    let mut add = |prefix: &str, q: &'a IamPrincipal| {
        for ip in &q.inline_policies {
            for st in &ip.statements {
                out.push(Src {
                    label: format!("{prefix}inline {}", ip.name),
                    st,
                });
            }
        }
        for arn in &q.attached_policies {
            if let Some(pol) = iam.policies.iter().find(|x| &x.arn == arn) {
                for st in &pol.statements {
                    out.push(Src {
                        label: format!("{prefix}managed {}", pol.name),
                        st,
                    });
                }
            }
        }
    };
    add("", p);
    if p.kind == "user" {
        for g in &p.groups {
            if let Some(gp) = iam
                .principals
                .iter()
                .find(|x| x.kind == "group" && &x.name == g)
            {
                add(&format!("group {g} "), gp);
            }
        }
    }
    out
}

fn base(c: &ClusterArn, kind: &str) -> String {
    format!("{}:{kind}/{}/{}", c.prefix, c.name, c.uuid)
}

/// The (action, old resource) pairs to check for one principal: every kafka-cluster action an
/// Allow statement grants, on the old cluster's resources its patterns match.
fn probes(set: &[Src], old: &ClusterArn) -> BTreeSet<(&'static str, String)> {
    let mut out = BTreeSet::new();
    for s in set.iter().filter(|s| !s.is_deny()) {
        for a in KAFKA_CLUSTER_ACTIONS.iter().copied() {
            if !s.action_in(a) {
                continue;
            }
            let kind = resource_kind(a);
            let b = base(old, kind);
            let candidates: Vec<String> = if kind == "cluster" {
                vec![b.clone()]
            } else if !s.st.not_resources.is_empty() {
                vec![format!("{b}/x")]
            } else {
                let prefix = format!("{b}/");
                s.st.resources
                    .iter()
                    .flat_map(|p| {
                        // `group/orders/*/app-*` also completes to `/app-` (the `*` still
                        // inside the UUID); a name is probed once, without the extra `/`.
                        let mut c = completions(p, &prefix);
                        if c.iter().any(|n| !n.starts_with('/')) {
                            c.retain(|n| !n.starts_with('/'));
                        }
                        c
                    })
                    .map(|n| format!("{prefix}{n}"))
                    .collect()
            };
            for r in candidates {
                if s.resource_in(&r) {
                    out.insert((a, r));
                }
            }
        }
    }
    out
}

/// Check every user and role of `iam` against the new cluster.
pub fn check(iam: &Iam, old: &ClusterArn, new: &ClusterArn) -> IamReadiness {
    check_between(iam, iam, old, new)
}

/// [`check`] with the IAM of two times (`diff` of two inventories): who reaches the old
/// cluster by `old_iam`, and whether the same principal (by ARN) may do the same on the new
/// cluster by `new_iam` (a principal missing from it may do nothing).
pub fn check_between(
    old_iam: &Iam,
    new_iam: &Iam,
    old: &ClusterArn,
    new: &ClusterArn,
) -> IamReadiness {
    let mut checked = Vec::new();
    let mut ready = Vec::new();
    // (principal arn, status, old resource, new resource, reason, allowed_by, denied_by) → actions
    type Key = (
        usize,
        String,
        String,
        String,
        String,
        Vec<String>,
        Option<String>,
    );
    let mut lost: BTreeMap<Key, Vec<String>> = BTreeMap::new();
    let principals: Vec<&IamPrincipal> = old_iam
        .principals
        .iter()
        .filter(|p| p.kind == "user" || p.kind == "role")
        .collect();
    for (pi, p) in principals.iter().enumerate() {
        let set = statements_of(old_iam, p);
        let new_set = if std::ptr::eq(old_iam, new_iam) {
            set.clone()
        } else {
            new_iam
                .principals
                .iter()
                .find(|q| q.arn == p.arn && q.kind == p.kind)
                .map(|q| statements_of(new_iam, q))
                .unwrap_or_default()
        };
        let mut reaches = false;
        let mut loses = false;
        for (action, r_old) in probes(&set, old) {
            let o = evaluate(&set, action, &r_old);
            if o.decision == Decision::Denied {
                continue;
            }
            reaches = true;
            let kind = resource_kind(action);
            let r_new = format!("{}{}", base(new, kind), &r_old[base(old, kind).len()..]);
            let n = evaluate(&new_set, action, &r_new);
            let (status, reason) = match n.decision {
                Decision::Allowed => continue,
                Decision::Conditional
                    if o.decision == Decision::Conditional && o.conditions == n.conditions =>
                {
                    continue
                }
                Decision::Conditional => (
                    "unknown",
                    "allowed on the new cluster only if a Condition holds (not evaluated)"
                        .to_string(),
                ),
                Decision::Denied if n.denied_by.is_some() => {
                    ("fail", "explicitly denied on the new cluster".to_string())
                }
                Decision::Denied => (
                    "fail",
                    "no statement allows it on the new cluster".to_string(),
                ),
            };
            loses = true;
            lost.entry((
                pi,
                status.to_string(),
                r_old.clone(),
                r_new,
                reason,
                o.allowed_by.clone(),
                n.denied_by.clone(),
            ))
            .or_default()
            .push(action.to_string());
        }
        if reaches {
            let id = format!("{}/{}", p.kind, p.name);
            if !loses {
                ready.push(id.clone());
            }
            checked.push(id);
        }
    }
    let findings: Vec<IamLoss> = lost
        .into_iter()
        .map(
            |((pi, status, old_resource, new_resource, reason, allowed_by, denied_by), actions)| {
                let p = principals[pi];
                IamLoss {
                    principal_kind: p.kind.clone(),
                    principal: p.name.clone(),
                    principal_arn: p.arn.clone(),
                    status,
                    actions,
                    old_resource,
                    new_resource,
                    allowed_by,
                    denied_by,
                    reason,
                }
            },
        )
        .collect();
    let status = if findings.iter().any(|f| f.status == "fail") {
        "not-ready"
    } else if findings.is_empty() {
        "ready"
    } else {
        "unknown"
    };
    IamReadiness {
        old_cluster: base(old, "cluster"),
        new_cluster: base(new, "cluster"),
        status: status.into(),
        principals_checked: checked,
        principals_ready: ready,
        findings,
        note: None,
        not_modelled: NOT_MODELLED.iter().map(|s| s.to_string()).collect(),
    }
}

/// The check for an MSK inventory: unknown when its IAM part is missing or has a gap.
pub fn for_inventory(inv: &Inventory, new: &ClusterArn) -> anyhow::Result<IamReadiness> {
    let Some(m) = &inv.msk else {
        return Err(usage(
            "{0}: the source is not an MSK cluster (give {1}, or {2} / {3} of an MSK cluster)",
            &[
                Input::NewMskCluster,
                Input::MskCluster,
                Input::AwsJson,
                Input::Inventory,
            ],
        ));
    };
    let old = ClusterArn::parse(&m.cluster_arn).context("the source cluster's ARN")?;
    if old == *new {
        return Err(usage(
            format!(
                "{{0}} names the source cluster itself ({})",
                crate::settings::literal(&m.cluster_arn)
            ),
            &[Input::NewMskCluster],
        ));
    }
    let gap = inv
        .gaps
        .iter()
        .find(|g| g.part == "iam" || g.part.starts_with("iam."));
    Ok(match (&inv.iam, gap) {
        (_, Some(g)) => unknown(
            &old,
            new,
            &format!("IAM could not be read ({}: {})", g.reason, g.detail),
        ),
        (None, None) => unknown(&old, new, "IAM was not collected"),
        (Some(iam), None) => check(iam, &old, new),
    })
}

/// The check when IAM could not be read: unknown, never ready.
pub fn unknown(old: &ClusterArn, new: &ClusterArn, why: &str) -> IamReadiness {
    IamReadiness {
        old_cluster: base(old, "cluster"),
        new_cluster: base(new, "cluster"),
        status: "unknown".into(),
        principals_checked: vec![],
        principals_ready: vec![],
        findings: vec![],
        note: Some(why.to_string()),
        not_modelled: NOT_MODELLED.iter().map(|s| s.to_string()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{IamInlinePolicy, IamPolicy};

    const P: &str = "arn:aws:kafka:us-east-1:111122223333";
    const OLD: &str = "arn:aws:kafka:us-east-1:111122223333:cluster/orders/aaaa-1";
    const NEW: &str = "arn:aws:kafka:us-east-1:111122223333:cluster/orders-kraft/bbbb-2";

    fn st(effect: &str, actions: &[&str], resources: &[&str]) -> IamStatement {
        IamStatement {
            effect: effect.into(),
            actions: actions.iter().map(|s| s.to_string()).collect(),
            resources: resources.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn inline(kind: &str, name: &str, sts: Vec<IamStatement>) -> IamPrincipal {
        IamPrincipal {
            kind: kind.into(),
            name: name.into(),
            arn: format!("arn:aws:iam::111122223333:{kind}/{name}"),
            inline_policies: vec![IamInlinePolicy {
                name: format!("{name}-policy"),
                statements: sts
                    .into_iter()
                    .enumerate()
                    .map(|(i, mut s)| {
                        s.index = i;
                        s
                    })
                    .collect(),
            }],
            ..Default::default()
        }
    }

    /// One role holding `statements` inline, no managed policies.
    fn run_role(name: &str, statements: Vec<IamStatement>) -> IamReadiness {
        run(vec![inline("role", name, statements)], vec![])
    }

    /// Every action some finding says is lost.
    fn lost_actions(r: &IamReadiness) -> BTreeSet<&str> {
        r.findings
            .iter()
            .flat_map(|f| f.actions.iter().map(String::as_str))
            .collect()
    }

    fn run(principals: Vec<IamPrincipal>, policies: Vec<IamPolicy>) -> IamReadiness {
        let iam = Iam {
            principals,
            policies,
            ..Default::default()
        };
        check(
            &iam,
            &ClusterArn::parse(OLD).unwrap(),
            &ClusterArn::parse(NEW).unwrap(),
        )
    }

    #[test]
    fn kinds_follow_the_msk_action_table() {
        for a in KAFKA_CLUSTER_ACTIONS {
            let k = resource_kind(a);
            let expect = match *a {
                "kafka-cluster:ReadData"
                | "kafka-cluster:WriteData"
                | "kafka-cluster:CreateTopic"
                | "kafka-cluster:DescribeTopic"
                | "kafka-cluster:AlterTopic"
                | "kafka-cluster:DeleteTopic"
                | "kafka-cluster:DescribeTopicDynamicConfiguration"
                | "kafka-cluster:AlterTopicDynamicConfiguration" => "topic",
                "kafka-cluster:DescribeGroup"
                | "kafka-cluster:AlterGroup"
                | "kafka-cluster:DeleteGroup" => "group",
                "kafka-cluster:DescribeTransactionalId" | "kafka-cluster:AlterTransactionalId" => {
                    "transactional-id"
                }
                _ => "cluster",
            };
            assert_eq!(k, expect, "{a}");
        }
    }

    #[test]
    fn pinned_policy_loses_access_and_rewritten_one_keeps_it() {
        let old_only = inline(
            "role",
            "app",
            vec![st(
                "Allow",
                &["kafka-cluster:Connect", "kafka-cluster:ReadData"],
                &[OLD, &format!("{P}:topic/orders/aaaa-1/orders.*")],
            )],
        );
        let r = run(vec![old_only], vec![]);
        assert_eq!(r.status, "not-ready");
        assert_eq!(r.principals_checked, vec!["role/app"]);
        assert!(r.principals_ready.is_empty());
        assert_eq!(r.findings.len(), 2, "{:#?}", r.findings);
        let f = &r.findings[0];
        assert_eq!(f.actions, vec!["kafka-cluster:Connect"]);
        assert_eq!(f.new_resource, NEW);
        assert_eq!(f.status, "fail");
        assert_eq!(f.allowed_by, vec!["inline app-policy statement 0"]);
        let t = &r.findings[1];
        assert_eq!(t.actions, vec!["kafka-cluster:ReadData"]);
        assert_eq!(
            t.new_resource,
            format!("{P}:topic/orders-kraft/bbbb-2/orders.")
        );

        let both = inline(
            "role",
            "app",
            vec![
                st("Allow", &["kafka-cluster:Connect"], &[OLD]),
                st("Allow", &["kafka-cluster:Connect"], &[NEW]),
            ],
        );
        let r = run(vec![both], vec![]);
        assert_eq!(r.status, "ready");
        assert_eq!(r.principals_ready, vec!["role/app"]);
    }

    #[test]
    fn deny_beats_allow() {
        let p = inline(
            "user",
            "bob",
            vec![
                st("Allow", &["kafka-cluster:*"], &[&format!("{P}:*")]),
                st(
                    "Deny",
                    &["kafka-cluster:WriteData"],
                    &[&format!("{P}:topic/orders-kraft/*")],
                ),
            ],
        );
        let r = run(vec![p], vec![]);
        assert_eq!(r.status, "not-ready");
        assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
        let f = &r.findings[0];
        assert_eq!(f.actions, vec!["kafka-cluster:WriteData"]);
        assert_eq!(
            f.denied_by.as_deref(),
            Some("inline bob-policy statement 1")
        );
        assert_eq!(f.reason, "explicitly denied on the new cluster");

        // A Deny on the old cluster only: the principal never reached it, no finding.
        let p = inline(
            "user",
            "eve",
            vec![
                st("Allow", &["kafka-cluster:Connect"], &[OLD]),
                st("Deny", &["kafka-cluster:*"], &["*"]),
            ],
        );
        let r = run(vec![p], vec![]);
        assert!(r.principals_checked.is_empty());
        assert_eq!(r.status, "ready");
    }

    #[test]
    fn not_action_and_not_resource() {
        // Allow everything but deletes, on every resource except the old cluster's topics.
        let mut s = st("Allow", &[], &[]);
        s.not_actions = vec!["kafka-cluster:Delete*".into()];
        s.not_resources = vec![format!("{P}:topic/orders-kraft/*")];
        let r = run_role("ops", vec![s]);
        // Cluster actions are fine on both; topic actions reach the old cluster but not the new.
        assert_eq!(r.status, "not-ready");
        let actions = lost_actions(&r);
        assert!(actions.contains("kafka-cluster:ReadData"));
        assert!(!actions.contains("kafka-cluster:DeleteTopic"), "NotAction");
        assert!(!actions.contains("kafka-cluster:Connect"));
        // A Deny with NotAction: denies everything but Connect.
        let mut d = st("Deny", &[], &[&format!("{P}:*/orders-kraft/*")]);
        d.not_actions = vec!["kafka-cluster:Connect".into()];
        let r = run_role("ops", vec![st("Allow", &["kafka-cluster:*"], &["*"]), d]);
        let lost = lost_actions(&r);
        assert!(!lost.contains("kafka-cluster:Connect"));
        assert!(lost.contains("kafka-cluster:DescribeCluster"));
        assert!(lost.contains("kafka-cluster:AlterGroup"));
    }

    #[test]
    fn wildcards_in_the_middle_of_an_arn() {
        // A role allowed to connect and read groups on the cluster and groups the patterns name.
        let analytics = |cluster: &str, group: &str| {
            run_role(
                "analytics",
                vec![st(
                    "Allow",
                    &["kafka-cluster:Connect", "kafka-cluster:DescribeGroup"],
                    &[&format!("{P}:{cluster}"), &format!("{P}:{group}")],
                )],
            )
        };
        // Any UUID of a cluster named orders: the renamed cluster is not covered.
        let r = analytics("cluster/orders/*", "group/orders/*/analytics-*");
        assert_eq!(r.findings.len(), 2);
        assert_eq!(
            r.findings[1].old_resource,
            format!("{P}:group/orders/aaaa-1/analytics-")
        );
        // Any cluster name starting with orders: covered.
        let r = analytics("cluster/orders*", "group/orders*/*/analytics-*");
        assert_eq!(r.status, "ready");
        // ? matches one character: `orders-kraft` is longer.
        let r = run_role(
            "q",
            vec![st(
                "Allow",
                &["kafka-cluster:Connect"],
                &[&format!("{P}:cluster/order?/*")],
            )],
        );
        assert_eq!(r.status, "not-ready");
    }

    #[test]
    fn group_membership_and_managed_policies() {
        let pol = IamPolicy {
            arn: "arn:aws:iam::111122223333:policy/txn".into(),
            name: "txn".into(),
            default_version: "v1".into(),
            statements: vec![st(
                "Allow",
                &["kafka-cluster:AlterTransactionalId"],
                &[&format!("{P}:transactional-id/orders/aaaa-1/*")],
            )],
        };
        let group = IamPrincipal {
            kind: "group".into(),
            name: "writers".into(),
            arn: "arn:aws:iam::111122223333:group/writers".into(),
            attached_policies: vec![pol.arn.clone()],
            ..Default::default()
        };
        let alice = IamPrincipal {
            kind: "user".into(),
            name: "alice".into(),
            arn: "arn:aws:iam::111122223333:user/alice".into(),
            groups: vec!["writers".into()],
            ..Default::default()
        };
        let r = run(vec![group, alice], vec![pol]);
        // The group itself is not a principal; alice gets its policy.
        assert_eq!(r.principals_checked, vec!["user/alice"]);
        assert_eq!(r.findings.len(), 1);
        assert_eq!(
            r.findings[0].allowed_by,
            vec!["group writers managed txn statement 0"]
        );
        assert_eq!(
            r.findings[0].new_resource,
            format!("{P}:transactional-id/orders-kraft/bbbb-2/x")
        );
    }

    #[test]
    fn conditions_are_conservative() {
        let mut c = st(
            "Allow",
            &["kafka-cluster:Connect"],
            &[&format!("{P}:cluster/*")],
        );
        c.conditions = BTreeMap::from([(
            "StringEquals".into(),
            BTreeMap::from([("aws:ResourceTag/env".into(), vec!["prod".into()])]),
        )]);
        // The same conditional statement decides on both sides: not a finding.
        let r = run_role("tagged", vec![c.clone()]);
        assert_eq!(r.status, "ready", "{:#?}", r.findings);
        assert_eq!(r.principals_checked, vec!["role/tagged"]);
        // A firm Allow on the old cluster, only a conditional one on the new: unknown.
        let r = run_role(
            "tagged",
            vec![st("Allow", &["kafka-cluster:Connect"], &[OLD]), c.clone()],
        );
        assert_eq!(r.status, "unknown");
        assert_eq!(r.findings[0].status, "unknown");
        // A conditional Deny on the new cluster only: unknown, not ready.
        let mut d = st("Deny", &["kafka-cluster:Connect"], &[NEW]);
        d.conditions = c.conditions.clone();
        let r = run_role(
            "x",
            vec![st("Allow", &["kafka-cluster:Connect"], &["*"]), d],
        );
        assert_eq!(r.status, "unknown");
        assert!(r.findings[0].denied_by.is_some());
    }
}
