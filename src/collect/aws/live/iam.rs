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

/// A user, group or role as the CLI prints it, its members named after the kind (`member`:
/// `UserName`, `UserId`, `UserPolicyList`, …): its path, name, id and ARN, the inline
/// policies, its groups (users only), the managed policies attached.
fn principal(
    member: &str,
    [path, name, id, arn]: [Option<&str>; 4],
    inline: &[aws_sdk_iam::types::PolicyDetail],
    groups: &[String],
    attached: &[aws_sdk_iam::types::AttachedPolicy],
) -> Value {
    Obj::new()
        .s("Path", path)
        .s(&format!("{member}Name"), name)
        .s(&format!("{member}Id"), id)
        .s("Arn", arn)
        .o(
            &format!("{member}PolicyList"),
            Some(iam_policy_list(inline)),
        )
        .l("GroupList", groups)
        .o("AttachedManagedPolicies", Some(iam_attached(attached)))
        .v()
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
            a.users.push(principal(
                "User",
                [u.path(), u.user_name(), u.user_id(), u.arn()],
                u.user_policy_list(),
                u.group_list(),
                u.attached_managed_policies(),
            ));
        }
        for g in page.group_detail_list() {
            a.groups.push(principal(
                "Group",
                [g.path(), g.group_name(), g.group_id(), g.arn()],
                g.group_policy_list(),
                &[],
                g.attached_managed_policies(),
            ));
        }
        for r in page.role_detail_list() {
            a.roles.push(principal(
                "Role",
                [r.path(), r.role_name(), r.role_id(), r.arn()],
                r.role_policy_list(),
                &[],
                r.attached_managed_policies(),
            ));
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
