//! MSK artifacts for the new-cluster path (`plan -o DIR` on an MSK inventory, DIR/msk/): the AWS
//! CLI commands that associate the SCRAM secrets and create the configuration without the
//! ZooKeeper-only keys, and (with `--new-msk-cluster ARN`) every IAM policy that names the old
//! cluster rewritten for the new one, with a diff per policy. kraftcheck runs none of them.

use crate::inventory::{IamStatement, Inventory};
use crate::report::Report;
use crate::settings::{bad, Input};
use anyhow::{bail, Result};
use serde_json::{json, Map, Value};

/// What a cluster ARN must look like, in errors.
const EXPECTED_ARN: &str = "expected arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID";

/// A cluster ARN's parts: `arn:PARTITION:kafka:REGION:ACCOUNT:cluster/NAME/UUID`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterArn {
    pub prefix: String,
    pub name: String,
    pub uuid: String,
}

impl ClusterArn {
    pub fn parse(arn: &str) -> Result<Self> {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let rest: Vec<&str> = parts
            .get(5)
            .map(|r| r.split('/').collect())
            .unwrap_or_default();
        if parts.len() != 6
            || parts[0] != "arn"
            || parts[2] != "kafka"
            || rest.len() != 3
            || rest[0] != "cluster"
            || rest[1].is_empty()
            || rest[2].is_empty()
        {
            return Err(bad(Input::NewMskCluster, arn, EXPECTED_ARN));
        }
        Ok(ClusterArn {
            prefix: parts[..5].join(":"),
            name: rest[1].into(),
            uuid: rest[2].into(),
        })
    }
}

/// The new cluster's ARN from a file the AWS CLI wrote: `describe-cluster-v2` /
/// `describe-cluster` (`ClusterInfo.ClusterArn`), `create-cluster(-v2)` (`ClusterArn`), or
/// `list-clusters-v2` / `list-clusters` holding exactly one cluster.
pub fn arn_from_json(path: &std::path::Path) -> Result<ClusterArn> {
    let bad_file = |message: String| bad(Input::NewMskCluster, path.display(), message);
    let text = std::fs::read_to_string(path).map_err(|e| bad_file(e.to_string()))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| bad_file(format!("not JSON ({e})")))?;
    let arn = if let Some(a) = v.pointer("/ClusterInfo/ClusterArn").and_then(Value::as_str) {
        a.to_string()
    } else if let Some(a) = v.get("ClusterArn").and_then(Value::as_str) {
        a.to_string()
    } else if let Some(list) = v.get("ClusterInfoList").and_then(Value::as_array) {
        match list.as_slice() {
            [one] => match one.get("ClusterArn").and_then(Value::as_str) {
                Some(a) => a.to_string(),
                None => return Err(bad_file("ClusterInfoList[0] has no ClusterArn".into())),
            },
            l => {
                let hint = "give the new cluster's ARN or its describe-cluster-v2 output";
                return Err(bad_file(format!("lists {} clusters; {hint}", l.len())));
            }
        }
    } else {
        return Err(bad_file(
            "no ClusterInfo.ClusterArn (expected `aws kafka describe-cluster-v2` output)".into(),
        ));
    };
    ClusterArn::parse(&arn).map_err(|_| bad_file(format!("{arn}: {EXPECTED_ARN}")))
}

/// The resource rewritten for the new cluster, when it names the old one (by name and UUID, or
/// by name with a wildcard UUID): cluster, topic, group and transactional-id ARNs.
pub fn rewrite_resource(r: &str, old: &ClusterArn, new: &ClusterArn) -> Option<String> {
    let rest = r.strip_prefix(&format!("{}:", old.prefix))?;
    let mut seg: Vec<&str> = rest.split('/').collect();
    if seg.len() < 3 || seg[1] != old.name || !(seg[2] == old.uuid || seg[2] == "*") {
        return None;
    }
    seg[1] = &new.name;
    if seg[2] == old.uuid {
        seg[2] = &new.uuid;
    }
    Some(format!("{}:{}", new.prefix, seg.join("/")))
}

fn one_or_many(v: &[String]) -> Value {
    if v.len() == 1 {
        json!(v[0])
    } else {
        json!(v)
    }
}

/// A policy document from its parsed statements.
fn document(statements: &[IamStatement]) -> Value {
    let st: Vec<Value> = statements
        .iter()
        .map(|s| {
            let mut m = Map::new();
            if let Some(sid) = &s.sid {
                m.insert("Sid".into(), json!(sid));
            }
            m.insert("Effect".into(), json!(s.effect));
            for (k, v) in [
                ("Action", &s.actions),
                ("NotAction", &s.not_actions),
                ("Resource", &s.resources),
                ("NotResource", &s.not_resources),
            ] {
                if !v.is_empty() {
                    m.insert(k.into(), one_or_many(v));
                }
            }
            if !s.conditions.is_empty() {
                m.insert("Condition".into(), json!(s.conditions));
            }
            Value::Object(m)
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": st})
}

fn sh_q(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Where a policy document lives: a customer managed policy (and who it is attached to) or
/// one principal's inline policy.
enum Doc<'a> {
    Managed(&'a crate::inventory::IamPolicy),
    Inline(&'a crate::inventory::IamPrincipal, &'a str),
}

/// The IAM grants for the new cluster, added beside the old ones: for every policy with a
/// statement whose Resource names the old cluster, a policy `NAME-NEWCLUSTER` holding those
/// statements with only the rewritten resources (same Effect, Action/NotAction and Condition,
/// so Deny statements carry over too), `iam/apply-iam.sh` that creates it and attaches it where
/// the old one is attached (inline policies: put on the same principal), and a diff per policy.
/// The old policies are left as they are: clients still on the old cluster keep their access
/// until decommission, and statements the inventory does not hold (non-Kafka ones) are untouched.
/// A NotResource naming the old cluster cannot be widened by an added policy; the diff names it
/// for a change by hand.
fn iam_grants(
    iam: &crate::inventory::Iam,
    old_arn: &str,
    old: &ClusterArn,
    new: &ClusterArn,
) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut docs: Vec<(String, Doc, &[IamStatement])> = iam
        .policies
        .iter()
        .map(|p| {
            (
                format!("policy-{}", p.name),
                Doc::Managed(p),
                p.statements.as_slice(),
            )
        })
        .collect();
    for p in &iam.principals {
        for ip in &p.inline_policies {
            docs.push((
                format!("{}-{}-inline-{}", p.kind, p.name, ip.name),
                Doc::Inline(p, &ip.name),
                ip.statements.as_slice(),
            ));
        }
    }
    let new_arn = format!("{}:cluster/{}/{}", new.prefix, new.name, new.uuid);
    let mut apply = format!(
        "#!/usr/bin/env bash\n# Generated by kraftcheck: grant on the new cluster {new_arn} what the policies\n# grant on the old cluster {old_arn}. Adds policies next to the old ones and changes none:\n# clients still on the old cluster keep their access. Re-running it gives the same grants (an existing added\n# managed policy gets a new default version with the same document; IAM keeps at most five).\nset -euo pipefail\ncd \"$(dirname \"$0\")\"\n"
    );
    let mut any = false;
    for (name, doc, statements) in docs {
        let mut diff = String::new();
        let mut added: Vec<IamStatement> = Vec::new();
        for s in statements {
            let at = format!(
                "@@ statement {}{}",
                s.index,
                s.sid
                    .as_deref()
                    .map(|x| format!(" ({x})"))
                    .unwrap_or_default()
            );
            for r in &s.not_resources {
                if let Some(n) = rewrite_resource(r, old, new) {
                    diff.push_str(&format!(
                        "{at}\n# NotResource names the old cluster: add {n} to it by hand (an added policy cannot do it)\n"
                    ));
                }
            }
            if !s.not_resources.is_empty() {
                continue;
            }
            let rewritten: Vec<String> = s
                .resources
                .iter()
                .filter_map(|r| rewrite_resource(r, old, new))
                .collect();
            if rewritten.is_empty() {
                continue;
            }
            for (r, n) in s
                .resources
                .iter()
                .filter_map(|r| rewrite_resource(r, old, new).map(|n| (r, n)))
            {
                diff.push_str(&format!("{at}\n {r}\n+{n}\n"));
            }
            let mut st = s.clone();
            st.index = added.len();
            st.sid = s.sid.as_ref().map(|x| format!("{x}NewCluster"));
            st.resources = rewritten;
            st.principals.clear();
            added.push(st);
        }
        if diff.is_empty() {
            continue;
        }
        let file = crate::output::file_safe(&name);
        out.push((
            format!("iam/{file}.diff"),
            format!("--- {name} (grants on {old_arn})\n+++ {name} (also on {new_arn})\n{diff}"),
        ));
        if added.is_empty() {
            continue;
        }
        any = true;
        out.push((
            format!("iam/{file}.json"),
            serde_json::to_string_pretty(&document(&added))? + "\n",
        ));
        let json = sh_q(&format!("file://{file}.json"));
        match doc {
            Doc::Managed(p) => {
                let new_name = format!("{}-{}", p.name, new.name);
                // Same partition, account and path as the old policy.
                let new_policy_arn = match p.arn.rsplit_once('/') {
                    Some((head, _)) => format!("{head}/{new_name}"),
                    None => bail!("policy ARN {}: no name", p.arn),
                };
                let path = p
                    .arn
                    .split_once(":policy")
                    .map(|(_, rest)| rest.rsplit_once('/').map(|(path, _)| path).unwrap_or(""))
                    .unwrap_or("");
                let path = if path.is_empty() {
                    "/".to_string()
                } else {
                    format!("{path}/")
                };
                apply.push_str(&format!(
                    "\n# managed policy {} -> {new_name}\nif aws iam get-policy --policy-arn {a} >/dev/null 2>&1; then\n  aws iam create-policy-version --policy-arn {a} --policy-document {json} --set-as-default >/dev/null\nelse\n  aws iam create-policy --policy-name {n} --path {path} --policy-document {json} >/dev/null\nfi\n",
                    p.name,
                    a = sh_q(&new_policy_arn),
                    n = sh_q(&new_name),
                    path = sh_q(&path),
                ));
                for q in iam
                    .principals
                    .iter()
                    .filter(|q| q.attached_policies.contains(&p.arn))
                {
                    apply.push_str(&format!(
                        "aws iam attach-{}-policy --{}-name {} --policy-arn {}\n",
                        q.kind,
                        q.kind,
                        sh_q(&q.name),
                        sh_q(&new_policy_arn)
                    ));
                }
            }
            Doc::Inline(q, policy) => {
                apply.push_str(&format!(
                    "\n# inline policy {policy} of {} {}\naws iam put-{}-policy --{}-name {} --policy-name {} --policy-document {json}\n",
                    q.kind,
                    q.name,
                    q.kind,
                    q.kind,
                    sh_q(&q.name),
                    sh_q(&format!("{policy}-{}", new.name)),
                ));
            }
        }
    }
    if any {
        out.push(("iam/apply-iam.sh".into(), apply));
    }
    Ok(out)
}

/// (path under DIR/msk/, contents).
pub fn generate(
    inv: &Inventory,
    report: &Report,
    new_cluster: Option<&ClusterArn>,
) -> Result<Vec<(String, String)>> {
    let Some(m) = &inv.msk else {
        return Ok(vec![]);
    };
    let mut out = Vec::new();
    let guard = format!(
        "set -euo pipefail\nOLD_CLUSTER_ARN={}\n: \"${{NEW_CLUSTER_ARN:?set NEW_CLUSTER_ARN to the new cluster ARN}}\"\nif [ \"$NEW_CLUSTER_ARN\" = \"$OLD_CLUSTER_ARN\" ]; then echo \"$0: NEW_CLUSTER_ARN is the source cluster: refusing to run\" >&2; exit 3; fi\n",
        sh_q(&m.cluster_arn)
    );
    if !m.scram_secrets.is_empty() {
        let list: Vec<String> = m.scram_secrets.iter().map(|s| sh_q(s)).collect();
        out.push((
            "associate-scram-secrets.sh".into(),
            format!(
                "#!/usr/bin/env bash\n# Generated by kraftcheck: associate the old cluster's SCRAM secrets with the new cluster.\n# The secrets must use a customer managed KMS key and the AmazonMSK_ prefix (MSK-008b/c).\n{guard}aws kafka batch-associate-scram-secret --cluster-arn \"$NEW_CLUSTER_ARN\" --secret-arn-list {}\n",
                list.join(" ")
            ),
        ));
    }
    if let Some(c) = &m.configuration {
        // The keys MSK-009 names (ZooKeeper-only or removed), as the audit found them.
        let drop: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.rule_id == "MSK-009")
            .filter_map(|f| f.evidence.get("keys"))
            .filter_map(|v| v.as_array())
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let mut props = String::new();
        for (k, v) in &c.properties {
            match v {
                _ if drop.contains(k) => {
                    props.push_str(&format!("# dropped for KRaft (MSK-009): {k}\n"))
                }
                Some(v) => props.push_str(&format!("{k}={v}\n")),
                None => props.push_str(&format!("# {k}: value not collected\n")),
            }
        }
        out.push(("server.properties".into(), props));
        out.push((
            "create-configuration.sh".into(),
            format!(
                "#!/usr/bin/env bash\n# Generated by kraftcheck: the configuration {} revision {} without the ZooKeeper-only keys.\nset -euo pipefail\n: \"${{KAFKA_VERSION:?set KAFKA_VERSION to the new cluster version (e.g. 3.9.x.kraft)}}\"\ncd \"$(dirname \"$0\")\"\naws kafka create-configuration --name \"${{CONFIG_NAME:-{}-kraft}}\" --kafka-versions \"$KAFKA_VERSION\" --server-properties fileb://server.properties\n",
                c.arn, c.revision, m.cluster_name
            ),
        ));
    }
    if let (Some(new), Some(iam)) = (new_cluster, &inv.iam) {
        let old = ClusterArn::parse(&m.cluster_arn)?;
        out.extend(iam_grants(iam, &m.cluster_arn, &old, new)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_of_the_old_cluster_are_rewritten() {
        let old = ClusterArn::parse("arn:aws:kafka:us-east-1:111122223333:cluster/orders/aaaa-1")
            .unwrap();
        let new =
            ClusterArn::parse("arn:aws:kafka:us-east-1:111122223333:cluster/orders-kraft/bbbb-2")
                .unwrap();
        let p = "arn:aws:kafka:us-east-1:111122223333";
        assert_eq!(
            rewrite_resource(&format!("{p}:cluster/orders/aaaa-1"), &old, &new).unwrap(),
            format!("{p}:cluster/orders-kraft/bbbb-2")
        );
        assert_eq!(
            rewrite_resource(&format!("{p}:topic/orders/aaaa-1/payments-*"), &old, &new).unwrap(),
            format!("{p}:topic/orders-kraft/bbbb-2/payments-*")
        );
        assert_eq!(
            rewrite_resource(&format!("{p}:group/orders/*/app"), &old, &new).unwrap(),
            format!("{p}:group/orders-kraft/*/app")
        );
        assert_eq!(
            rewrite_resource(&format!("{p}:cluster/other/aaaa-1"), &old, &new),
            None
        );
        assert_eq!(rewrite_resource("*", &old, &new), None);
        assert!(ClusterArn::parse("arn:aws:kafka:us-east-1:1:topic/x/y").is_err());
    }

    #[test]
    fn bad_new_clusters_name_the_input_not_a_flag() {
        use crate::settings::InputError;
        let named = |e: anyhow::Error| {
            let bad = e.downcast_ref::<InputError>().expect("an input error");
            assert_eq!(bad.input, Input::NewMskCluster);
            bad.render("--flag")
        };
        assert_eq!(
            named(ClusterArn::parse("orders").unwrap_err()),
            "--flag orders: expected arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID"
        );
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("new.json");
        for (json, message) in [
            ("{", "not JSON"),
            ("{}", "no ClusterInfo.ClusterArn"),
            (r#"{"ClusterInfoList": [{}, {}]}"#, "lists 2 clusters"),
            (
                r#"{"ClusterArn": "arn:aws:kafka:r:1:topic/x/y"}"#,
                "arn:aws:kafka:r:1:topic/x/y: expected arn:aws:kafka:",
            ),
        ] {
            std::fs::write(&f, json).unwrap();
            let text = named(arn_from_json(&f).unwrap_err());
            assert!(
                text.starts_with(&format!("--flag {}: {message}", f.display())),
                "{text}"
            );
        }
    }
}
