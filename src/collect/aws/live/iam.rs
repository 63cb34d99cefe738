//! Live IAM: GetAccountAuthorizationDetails, all pages, as the AWS CLI prints it. Split out of
//! `live.rs`; unchanged.

use super::*;

fn iam_policy_list(list: &[aws_sdk_iam::types::PolicyDetail]) -> Value {
    json!(list
        .iter()
        .map(|p| Obj::new()
            .s("PolicyName", p.policy_name())
            .s("PolicyDocument", p.policy_document())
            .v())
        .collect::<Vec<_>>())
}

fn iam_attached(list: &[aws_sdk_iam::types::AttachedPolicy]) -> Value {
    json!(list
        .iter()
        .map(|p| Obj::new()
            .s("PolicyName", p.policy_name())
            .s("PolicyArn", p.policy_arn())
            .v())
        .collect::<Vec<_>>())
}

/// GetAccountAuthorizationDetails, every page, users, groups, roles and customer managed
/// policies (AWS managed policies name no customer resource).
pub async fn iam_answers(c: &Clients) -> Result<IamAnswers, AwsGap> {
    use aws_sdk_iam::types::EntityType;
    let mut a = IamAnswers::default();
    let mut p = c
        .iam
        .get_account_authorization_details()
        .filter(EntityType::User)
        .filter(EntityType::Group)
        .filter(EntityType::Role)
        .filter(EntityType::LocalManagedPolicy)
        .into_paginator()
        .send();
    while let Some(page) = p.next().await {
        let page = page.map_err(|e| classify("iam", "GetAccountAuthorizationDetails", &e))?;
        for u in page.user_detail_list() {
            a.users.push(
                Obj::new()
                    .s("Path", u.path())
                    .s("UserName", u.user_name())
                    .s("UserId", u.user_id())
                    .s("Arn", u.arn())
                    .o(
                        "UserPolicyList",
                        Some(iam_policy_list(u.user_policy_list())),
                    )
                    .l("GroupList", u.group_list())
                    .o(
                        "AttachedManagedPolicies",
                        Some(iam_attached(u.attached_managed_policies())),
                    )
                    .v(),
            );
        }
        for g in page.group_detail_list() {
            a.groups.push(
                Obj::new()
                    .s("Path", g.path())
                    .s("GroupName", g.group_name())
                    .s("GroupId", g.group_id())
                    .s("Arn", g.arn())
                    .o(
                        "GroupPolicyList",
                        Some(iam_policy_list(g.group_policy_list())),
                    )
                    .o(
                        "AttachedManagedPolicies",
                        Some(iam_attached(g.attached_managed_policies())),
                    )
                    .v(),
            );
        }
        for r in page.role_detail_list() {
            a.roles.push(
                Obj::new()
                    .s("Path", r.path())
                    .s("RoleName", r.role_name())
                    .s("RoleId", r.role_id())
                    .s("Arn", r.arn())
                    .o(
                        "RolePolicyList",
                        Some(iam_policy_list(r.role_policy_list())),
                    )
                    .o(
                        "AttachedManagedPolicies",
                        Some(iam_attached(r.attached_managed_policies())),
                    )
                    .v(),
            );
        }
        for pol in page.policies() {
            let versions: Vec<Value> = pol
                .policy_version_list()
                .iter()
                .map(|v| {
                    Obj::new()
                        .s("Document", v.document())
                        .s("VersionId", v.version_id())
                        .b("IsDefaultVersion", Some(v.is_default_version()))
                        .v()
                })
                .collect();
            a.policies.push(
                Obj::new()
                    .s("PolicyName", pol.policy_name())
                    .s("PolicyId", pol.policy_id())
                    .s("Arn", pol.arn())
                    .s("Path", pol.path())
                    .s("DefaultVersionId", pol.default_version_id())
                    .o("PolicyVersionList", Some(json!(versions)))
                    .v(),
            );
        }
    }
    Ok(a)
}
