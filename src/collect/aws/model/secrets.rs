//! The SCRAM secrets' metadata (Secrets Manager DescribeSecret, KMS DescribeKey): which key
//! protects each secret and who manages it, and which answers are still missing. Split out
//! of `model.rs`; unchanged.

use super::*;

/// The key id a secret's DescribeSecret answer names (`None`: the AWS managed key).
pub fn secret_key_id(describe: &Value) -> Option<String> {
    st(describe, &["KmsKeyId"])
}

/// The KMS key behind an alias of the reserved `aws/` namespace is AWS managed: customers
/// cannot create such aliases.
fn aws_alias(key_id: &str) -> bool {
    key_id
        .rsplit_once(":alias/")
        .map(|(_, a)| a)
        .or_else(|| key_id.strip_prefix("alias/"))
        .is_some_and(|a| a.starts_with("aws/"))
}

/// The SCRAM secrets whose metadata the answers leave incomplete: (secret ARN, the command
/// whose output is missing).
pub fn secrets_unread(a: &MskAnswers) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for arn in a.scram_secrets.iter().flatten() {
        let s = secret_facts(arn, a);
        if s.name.is_none() {
            out.push((
                arn.clone(),
                format!("{} --secret-id {arn}", Kind::DescribeSecret.command()),
            ));
        } else if s.key_manager.is_none() {
            out.push((
                arn.clone(),
                format!(
                    "{} --key-id {}",
                    Kind::DescribeKey.command(),
                    s.kms_key_id.unwrap_or_default()
                ),
            ));
        }
    }
    out
}

pub(super) fn secret_facts(arn: &str, a: &MskAnswers) -> MskSecret {
    let mut s = MskSecret {
        arn: arn.to_string(),
        ..Default::default()
    };
    let Some(d) = a
        .secrets
        .iter()
        .find(|d| st(d, &["ARN"]).as_deref() == Some(arn))
    else {
        return s;
    };
    s.name = st(d, &["Name"]);
    s.deleted_date = ts(d, "DeletedDate");
    s.kms_key_id = secret_key_id(d);
    let Some(kid) = &s.kms_key_id else {
        // DescribeSecret omits KmsKeyId for the AWS managed key aws/secretsmanager.
        s.key_manager = Some("AWS".into());
        return s;
    };
    let key = a.keys.iter().find_map(|(asked, k)| {
        let md = k.get("KeyMetadata").unwrap_or(k);
        let hit = asked.as_deref() == Some(kid.as_str())
            || st(md, &["Arn"]).as_deref() == Some(kid.as_str())
            || st(md, &["KeyId"]).as_deref() == Some(kid.as_str());
        hit.then_some(md)
    });
    match key {
        Some(md) => {
            s.key_manager = st(md, &["KeyManager"]);
            s.key_state = st(md, &["KeyState"]);
        }
        None if aws_alias(kid) => s.key_manager = Some("AWS".into()),
        None => {}
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_keys_are_aws_managed_when_omitted_reserved_or_described_so() {
        let s = |n: &str| format!("arn:aws:secretsmanager:us-east-1:1:secret:{n}-AbCdEf");
        let a = MskAnswers {
            scram_secrets: Some(vec![s("a"), s("b"), s("c"), s("d"), s("e")]),
            secrets: vec![
                json!({"ARN": s("a"), "Name": "a"}),
                json!({"ARN": s("b"), "Name": "b", "KmsKeyId": "arn:aws:kms:us-east-1:1:alias/aws/secretsmanager"}),
                json!({"ARN": s("c"), "Name": "c", "KmsKeyId": "arn:aws:kms:us-east-1:1:key/k1"}),
                json!({"ARN": s("d"), "Name": "d", "KmsKeyId": "alias/mine"}),
            ],
            keys: vec![
                (
                    None,
                    json!({"KeyMetadata": {"KeyId": "k1", "Arn": "arn:aws:kms:us-east-1:1:key/k1", "KeyManager": "CUSTOMER", "KeyState": "Enabled"}}),
                ),
                (
                    Some("alias/mine".into()),
                    json!({"KeyMetadata": {"KeyId": "k2", "KeyManager": "AWS"}}),
                ),
            ],
            ..Default::default()
        };
        let got: Vec<Option<String>> = a
            .scram_secrets
            .iter()
            .flatten()
            .map(|arn| secret_facts(arn, &a).key_manager)
            .collect();
        let want = |x: &str| Some(x.to_string());
        assert_eq!(
            got,
            [
                want("AWS"),
                want("AWS"),
                want("CUSTOMER"),
                want("AWS"),
                None
            ]
        );
        let unread: Vec<String> = secrets_unread(&a).into_iter().map(|(arn, _)| arn).collect();
        assert_eq!(unread, [s("e")]);
    }
}
