//! MSK artifacts for the new-cluster path (`plan -o DIR` on an MSK inventory, DIR/msk/): the AWS
//! CLI commands that associate the SCRAM secrets and create the configuration without the
//! ZooKeeper-only keys, and (with `--new-msk-cluster ARN`) every IAM policy that names the old
//! cluster rewritten for the new one, with a diff per policy. kraftcheck runs none of them.

use crate::inventory::{IamStatement, Inventory};
use crate::report::Report;
use anyhow::{bail, Result};
use serde_json::{json, Map, Value};

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
            bail!(
                "--new-msk-cluster {arn}: expected arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID"
            );
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
    let what = format!("--new-msk-cluster {}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{what}: {e}"))?;
    let v: Value =
        serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{what}: not JSON ({e})"))?;
    let arn = if let Some(a) = v.pointer("/ClusterInfo/ClusterArn").and_then(Value::as_str) {
        a.to_string()
    } else if let Some(a) = v.get("ClusterArn").and_then(Value::as_str) {
        a.to_string()
    } else if let Some(list) = v.get("ClusterInfoList").and_then(Value::as_array) {
        match list.as_slice() {
            [one] => match one.get("ClusterArn").and_then(Value::as_str) {
                Some(a) => a.to_string(),
                None => bail!("{what}: ClusterInfoList[0] has no ClusterArn"),
            },
            l => bail!(
                "{what}: lists {} clusters; give the new cluster's ARN or its describe-cluster-v2 output",
                l.len()
            ),
        }
    } else {
        bail!(
            "{what}: no ClusterInfo.ClusterArn (expected `aws kafka describe-cluster-v2` output)"
        );
    };
    ClusterArn::parse(&arn).map_err(|e| anyhow::anyhow!("{what}: {e}"))
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
        let mut docs: Vec<(String, &[IamStatement])> = iam
            .policies
            .iter()
            .map(|p| (format!("policy-{}", p.name), p.statements.as_slice()))
            .collect();
        for p in &iam.principals {
            for ip in &p.inline_policies {
                docs.push((
                    format!("{}-{}-inline-{}", p.kind, p.name, ip.name),
                    ip.statements.as_slice(),
                ));
            }
        }
        for (name, statements) in docs {
            let mut changed = false;
            let mut diff = String::new();
            let new_st: Vec<IamStatement> = statements
                .iter()
                .map(|s| {
                    let mut s = s.clone();
                    let at = format!(
                        "@@ statement {}{}",
                        s.index,
                        s.sid
                            .as_deref()
                            .map(|x| format!(" ({x})"))
                            .unwrap_or_default()
                    );
                    for list in [&mut s.resources, &mut s.not_resources] {
                        for r in list.iter_mut() {
                            if let Some(n) = rewrite_resource(r.as_str(), &old, new) {
                                diff.push_str(&format!("{at}\n-{r}\n+{n}\n"));
                                *r = n;
                                changed = true;
                            }
                        }
                    }
                    s
                })
                .collect();
            if changed {
                let file: String = name
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                out.push((
                    format!("iam/{file}.json"),
                    serde_json::to_string_pretty(&document(&new_st))? + "\n",
                ));
                out.push((
                    format!("iam/{file}.diff"),
                    format!(
                        "--- {name} ({})\n+++ {name} ({}:cluster/{}/{})\n{diff}",
                        m.cluster_arn, new.prefix, new.name, new.uuid
                    ),
                ));
            }
        }
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
}
