//! GetAccountAuthorizationDetails and policy documents (AWS CLI / IAM API JSON) to the
//! inventory's IAM part: principals, customer managed policies and the statements that
//! concern Kafka. Split out of `model.rs`; the mapping is unchanged.

use super::*;

/// The answers of GetAccountAuthorizationDetails (all pages merged).
#[derive(Debug, Default, Clone)]
pub struct IamAnswers {
    pub users: Vec<Value>,
    pub groups: Vec<Value>,
    pub roles: Vec<Value>,
    pub policies: Vec<Value>,
}

impl IamAnswers {
    pub fn add_page(&mut self, v: &Value) {
        let list = |k: &str| {
            v.get(k)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        self.users.extend(list("UserDetailList"));
        self.groups.extend(list("GroupDetailList"));
        self.roles.extend(list("RoleDetailList"));
        self.policies.extend(list("Policies"));
    }
}

/// A policy document: a JSON object, JSON text, or URL-encoded JSON text (as IAM's API
/// returns it).
pub fn policy_document(v: &Value) -> Result<Value> {
    match v {
        Value::Object(_) => Ok(v.clone()),
        Value::String(s) => {
            let t = s.trim();
            if t.starts_with('{') {
                if let Ok(j) = serde_json::from_str::<Value>(t) {
                    return Ok(j);
                }
            }
            let decoded = percent_encoding::percent_decode_str(t)
                .decode_utf8()
                .map_err(|e| anyhow!("policy document is not UTF-8 after URL-decoding: {e}"))?;
            serde_json::from_str(&decoded).context("policy document is not JSON")
        }
        _ => bail!("policy document is neither a JSON object nor a string"),
    }
}

fn one_or_many(v: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = match v {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| x.to_string())
            })
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(other) => vec![other.to_string()],
    };
    out.sort();
    out.dedup();
    out
}

/// The statements of a policy document, normalized.
pub fn statements(doc: &Value) -> Result<Vec<IamStatement>> {
    let doc = policy_document(doc)?;
    let raw: Vec<Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(o @ Value::Object(_)) => vec![o.clone()],
        None => vec![],
        Some(_) => bail!("Statement is neither an object nor a list"),
    };
    let mut out = Vec::new();
    for (index, s) in raw.iter().enumerate() {
        let mut principals = Vec::new();
        match s.get("Principal") {
            Some(Value::String(p)) => principals.push(p.clone()),
            Some(Value::Object(o)) => {
                for (kind, v) in o {
                    for p in one_or_many(Some(v)) {
                        principals.push(format!("{kind}:{p}"));
                    }
                }
            }
            _ => {}
        }
        principals.sort();
        let mut conditions: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        if let Some(c) = s.get("Condition").and_then(Value::as_object) {
            for (op, keys) in c {
                if let Some(k) = keys.as_object() {
                    for (key, vals) in k {
                        conditions
                            .entry(op.clone())
                            .or_default()
                            .insert(key.clone(), one_or_many(Some(vals)));
                    }
                }
            }
        }
        out.push(IamStatement {
            index,
            sid: s
                .get("Sid")
                .and_then(Value::as_str)
                .filter(|x| !x.is_empty())
                .map(str::to_string),
            effect: s
                .get("Effect")
                .and_then(Value::as_str)
                .unwrap_or("Allow")
                .to_string(),
            actions: one_or_many(s.get("Action")),
            not_actions: one_or_many(s.get("NotAction")),
            resources: one_or_many(s.get("Resource")),
            not_resources: one_or_many(s.get("NotResource")),
            principals,
            conditions,
        });
    }
    Ok(out)
}

fn kafka_statements(doc: &Value, what: &str) -> Result<Vec<IamStatement>> {
    Ok(statements(doc)
        .with_context(|| what.to_string())?
        .into_iter()
        .filter(concerns_kafka)
        .collect())
}

fn inline(v: &Value, list_key: &str, owner: &str) -> Result<Vec<IamInlinePolicy>> {
    let mut out = Vec::new();
    for p in list(v, list_key) {
        let name = st(p, &["PolicyName"]).unwrap_or_default();
        let doc = p.get("PolicyDocument").cloned().unwrap_or(Value::Null);
        let sts = kafka_statements(&doc, &format!("inline policy {name} of {owner}"))?;
        if !sts.is_empty() {
            out.push(IamInlinePolicy {
                name,
                statements: sts,
            });
        }
    }
    Ok(out)
}

/// The IAM part: customer managed policies (default version only) and the principals that
/// get Kafka statements.
pub fn build_iam(a: &IamAnswers) -> Result<Iam> {
    let mut iam = Iam::default();
    iam.scanned.users = a.users.len();
    iam.scanned.roles = a.roles.len();
    iam.scanned.groups = a.groups.len();
    // Customer managed policies only (live collection does not fetch AWS managed ones).
    iam.scanned.policies = a
        .policies
        .iter()
        .filter(|p| {
            st(p, &["Arn"]).and_then(|a| a.split(':').nth(4).map(|x| x != "aws")) == Some(true)
        })
        .count();
    let mut kept: BTreeSet<String> = BTreeSet::new();
    for p in &a.policies {
        let arn = st(p, &["Arn"]).unwrap_or_default();
        if iam.account.is_none() {
            iam.account = arn
                .split(':')
                .nth(4)
                .filter(|x| !x.is_empty() && *x != "aws")
                .map(str::to_string);
        }
        // AWS managed policies (arn:aws:iam::aws:policy/…) name no customer resource.
        if arn.split(':').nth(4) == Some("aws") {
            continue;
        }
        let default = st(p, &["DefaultVersionId"]);
        let version = list(p, "PolicyVersionList").iter().find(|v| {
            v.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true)
                || (default.is_some() && st(v, &["VersionId"]) == default)
        });
        let Some(version) = version else { continue };
        let name = st(p, &["PolicyName"])
            .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default().to_string());
        let doc = version.get("Document").cloned().unwrap_or(Value::Null);
        let sts = kafka_statements(&doc, &format!("managed policy {arn}"))?;
        if sts.is_empty() {
            continue;
        }
        kept.insert(arn.clone());
        iam.policies.push(IamPolicy {
            arn,
            name,
            default_version: st(version, &["VersionId"]).or(default).unwrap_or_default(),
            statements: sts,
        });
    }
    let attached = |v: &Value| -> Vec<String> {
        list(v, "AttachedManagedPolicies")
            .iter()
            .filter_map(|x| st(x, &["PolicyArn"]))
            .filter(|arn| kept.contains(arn))
            .collect()
    };
    // A user, group or role (`kind`), whose members are named after it: `UserName`,
    // `UserPolicyList`, … (`member`).
    let principal = |v: &Value, kind: &str, member: &str| -> Result<IamPrincipal> {
        let name = st(v, &[format!("{member}Name").as_str()]).unwrap_or_default();
        Ok(IamPrincipal {
            kind: kind.into(),
            arn: st(v, &["Arn"]).unwrap_or_default(),
            attached_policies: attached(v),
            groups: vec![],
            inline_policies: inline(v, &format!("{member}PolicyList"), &format!("{kind} {name}"))?,
            name,
        })
    };
    let kept_principal = |p: &IamPrincipal| {
        !p.attached_policies.is_empty() || !p.inline_policies.is_empty() || !p.groups.is_empty()
    };
    let mut kafka_groups: BTreeSet<String> = BTreeSet::new();
    for g in &a.groups {
        let p = principal(g, "group", "Group")?;
        if kept_principal(&p) {
            kafka_groups.insert(p.name.clone());
            iam.principals.push(p);
        }
    }
    for u in &a.users {
        let mut p = principal(u, "user", "User")?;
        p.groups = strings(u, &["GroupList"])
            .into_iter()
            .filter(|g| kafka_groups.contains(g))
            .collect();
        if kept_principal(&p) {
            iam.principals.push(p);
        }
    }
    for r in &a.roles {
        let p = principal(r, "role", "Role")?;
        if kept_principal(&p) {
            iam.principals.push(p);
        }
    }
    if iam.account.is_none() {
        iam.account = a
            .users
            .iter()
            .chain(&a.roles)
            .chain(&a.groups)
            .find_map(|x| st(x, &["Arn"]))
            .and_then(|arn| arn.split(':').nth(4).map(str::to_string));
    }
    iam.normalize();
    Ok(iam)
}
