//! kraftcheck's Kafka client over SASL/OAUTHBEARER against the real rig broker: an unsecured
//! JWT (Kafka's OAuthBearerUnsecuredValidatorCallbackHandler on the broker) must authenticate
//! and collect, and an MSK IAM token (`sasl.mechanism=AWS_MSK_IAM`) must be signed and sent as
//! an OAUTHBEARER token — the unsecured validator then rejects it, because it is not a JWT,
//! which proves the whole path up to the broker's verdict.
//!
//! Needs `KRAFTCHECK_RIG_KRAFT4_OAUTH_BOOTSTRAP` (the OAUTHBEARER listener of the rig's KRaft 4.x
//! broker, exported by `rig/rig.sh env`); without it these tests fail, like every live test.

use assert_cmd::Command;
use serde_json::Value;

fn bootstrap() -> String {
    std::env::var("KRAFTCHECK_RIG_KRAFT4_OAUTH_BOOTSTRAP").unwrap_or_else(|_| {
        panic!("KRAFTCHECK_RIG_KRAFT4_OAUTH_BOOTSTRAP is not set: run scripts/test-all (it starts the Kafka rig)")
    })
}

fn config(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let d = tempfile::TempDir::new().unwrap();
    let p = d.path().join("client.properties");
    std::fs::write(&p, text).unwrap();
    (d, p)
}

#[test]
fn unsecured_jwt_over_oauthbearer_collects() {
    let b = bootstrap();
    let (_d, p) = config(
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=OAUTHBEARER\nsasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"admin\";\n",
    );
    let out = Command::cargo_bin("kraftcheck")
        .unwrap()
        .args(["collect", "--bootstrap-server", &b, "--command-config"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(inv["cluster"]["mode"], "kraft");
    assert!(!inv["brokers"].as_array().unwrap().is_empty());
}

#[test]
fn msk_iam_token_is_sent_as_oauthbearer() {
    let b = bootstrap();
    let (_d, p) = config(
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=AWS_MSK_IAM\nsasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;\nsasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler\n",
    );
    let out = Command::cargo_bin("kraftcheck")
        .unwrap()
        .env("AWS_ACCESS_KEY_ID", "AKIDKRAFTCHECKTEST")
        .env("AWS_SECRET_ACCESS_KEY", "kraftcheck-test-secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/kraftcheck-aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/kraftcheck-aws-credentials",
        )
        .env_remove("AWS_PROFILE")
        .args([
            "collect",
            "--region",
            "us-east-1",
            "--bootstrap-server",
            &b,
            "--command-config",
        ])
        .arg(&p)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    // The broker accepted the OAUTHBEARER handshake and judged the token itself.
    assert!(err.contains("authentication failed"), "{err}");
    assert!(
        !err.contains("kraftcheck-test-secret"),
        "no secret in messages"
    );
}
