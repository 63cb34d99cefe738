//! kraftcheck's Kafka client over SASL/OAUTHBEARER against the real rig broker: an unsecured
//! JWT (Kafka's OAuthBearerUnsecuredValidatorCallbackHandler on the broker) must authenticate
//! and collect, and an MSK IAM token (`sasl.mechanism=AWS_MSK_IAM`) must be signed and sent as
//! an OAUTHBEARER token — the unsecured validator then rejects it, because it is not a JWT,
//! which proves the whole path up to the broker's verdict.
//!
//! Needs `KRAFTCHECK_RIG_KRAFT4_OAUTH_BOOTSTRAP` (HOST:PORT of a SASL_PLAINTEXT listener with
//! OAUTHBEARER enabled on the rig's KRaft 4.x broker). Until the rig exports it these tests say
//! so and return; with KRAFTCHECK_REQUIRE_OAUTH_RIG=1 they fail instead.

use assert_cmd::Command;
use serde_json::Value;

fn bootstrap() -> Option<String> {
    match std::env::var("KRAFTCHECK_RIG_KRAFT4_OAUTH_BOOTSTRAP") {
        Ok(b) if !b.is_empty() => Some(b),
        _ => {
            assert!(
                std::env::var_os("KRAFTCHECK_REQUIRE_OAUTH_RIG").is_none(),
                "KRAFTCHECK_RIG_KRAFT4_OAUTH_BOOTSTRAP is not set: the rig has no OAUTHBEARER listener"
            );
            eprintln!("oauth_live: KRAFTCHECK_RIG_KRAFT4_OAUTH_BOOTSTRAP is not set (no OAUTHBEARER listener on the rig): not run");
            None
        }
    }
}

fn config(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let d = tempfile::TempDir::new().unwrap();
    let p = d.path().join("client.properties");
    std::fs::write(&p, text).unwrap();
    (d, p)
}

#[test]
fn unsecured_jwt_over_oauthbearer_collects() {
    let Some(b) = bootstrap() else { return };
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
    let Some(b) = bootstrap() else { return };
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
