//! IAM access on a new MSK cluster: every user and role that the old inventory's IAM lets
//! reach the old cluster with a `kafka-cluster:` action, checked with the new inventory's IAM
//! on the new cluster's resources (the evaluation of `plan --new-msk-cluster`,
//! [`crate::plan::iam`]). A lost action is `missing`; one that depends on a condition, or IAM
//! missing on a side, is `unknown`. Only between two different MSK clusters.

use super::*;
use crate::plan::iam::check_between;
use crate::plan::msk::ClusterArn;

pub(super) fn iam_access(cx: &mut Ctx) {
    let (Some(om), Some(nm)) = (&cx.old.msk, &cx.new.msk) else {
        return;
    };
    if om.cluster_arn == nm.cluster_arn {
        return;
    }
    let (Ok(old), Ok(new)) = (
        ClusterArn::parse(&om.cluster_arn),
        ClusterArn::parse(&nm.cluster_arn),
    ) else {
        return;
    };
    if cx.unknown_if_gap(Category::IamAccess, "iam") {
        return;
    }
    let (Some(oi), Some(ni)) = (&cx.old.iam, &cx.new.iam) else {
        let side = if cx.old.iam.is_none() { "old" } else { "new" };
        let at = At::new(Category::IamAccess, "inventory", "/iam");
        cx.push(at.item(
            Status::Unknown,
            "iam",
            None,
            None,
            format!("Not compared: the {side} inventory has no IAM part, so IAM access on the new cluster cannot be shown."),
        ));
        return;
    };
    let r = check_between(oi, ni, &old, &new);
    for _ in &r.principals_ready {
        cx.same(Category::IamAccess);
    }
    for f in &r.findings {
        let pi = oi
            .principals
            .iter()
            .position(|p| p.arn == f.principal_arn)
            .unwrap_or(0);
        let at = At::new(
            Category::IamAccess,
            format!("iam:{}/{}", f.principal_kind, f.principal),
            format!("/iam/principals/{pi}"),
        );
        cx.push(at.item(
            if f.status == "fail" {
                Status::Missing
            } else {
                Status::Unknown
            },
            format!("{} on {}", f.actions.join(","), f.new_resource),
            Some(f.old_resource.clone()),
            None,
            format!(
                "{}/{} may do {} on the old cluster ({}) but not on the new one: {}{}.",
                f.principal_kind,
                f.principal,
                f.actions.join(", "),
                f.allowed_by.join("; "),
                f.reason,
                f.denied_by
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            ),
        ));
    }
}
