//! moto in server mode for the AWS tests (tests/aws.rs, plan_moto.rs, hostile.rs): started through
//! scripts/moto-server.py (zone-fixed MSK timestamps, recorded answers for the MSK calls moto
//! lacks, AWS-style IAM pages, a request log), and the environment that points the AWS SDK and
//! CLI at it and nowhere else.
//!
//! Needs the venv that scripts/test-all creates (target/aws-venv with moto[server] and awscli),
//! or KRAFTCHECK_AWS_VENV pointing at one.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The Python venv with moto[server] and awscli.
pub fn venv() -> PathBuf {
    std::env::var_os("KRAFTCHECK_AWS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/aws-venv"))
}

/// A running moto server. It stops when its standard input closes: when this is dropped, or,
/// for one kept in a static, when the test binary exits.
pub struct Moto {
    pub port: u16,
    /// moto-server.py's ready line: `{"port": N, "clusters": {name: arn}, "secrets": {…}}`.
    pub ready: Value,
    /// One JSON line per request, with the operation name.
    pub log: PathBuf,
    _child: Child,
}

impl Moto {
    /// Start moto seeded from `seed` (a seed.json), with the request log in `dir` and
    /// `extra` arguments for moto-server.py (e.g. `--iam-roles N`).
    pub fn start(seed: &Path, dir: &Path, extra: &[&str]) -> Moto {
        let python = venv().join("bin/python");
        assert!(
            python.exists(),
            "{} is missing: the AWS tests need moto[server] and awscli in a venv; run scripts/test-all, or `python3 -m venv target/aws-venv && target/aws-venv/bin/pip install 'moto[server]==5.2.5' 'awscli==1.46.3'`",
            python.display()
        );
        let log = dir.join("requests.jsonl");
        let mut child = Command::new(&python)
            .arg(root().join("scripts/moto-server.py"))
            .arg("--seed")
            .arg(seed)
            .arg("--recorded")
            .arg(root().join("tests/fixtures/aws/recorded"))
            .arg("--log")
            .arg(&log)
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let ready: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("moto-server.py did not start ({e}): {line:?}"));
        Moto {
            port: ready["port"].as_u64().unwrap() as u16,
            ready,
            log,
            _child: child,
        }
    }

    /// The shared seed (tests/fixtures/aws/seed.json).
    pub fn start_seeded(dir: &Path, extra: &[&str]) -> Moto {
        Moto::start(&root().join("tests/fixtures/aws/seed.json"), dir, extra)
    }

    /// Point `cmd` at this server (see [`aws_env`]).
    pub fn env(&self, cmd: &mut Command, key: &str) {
        aws_env(cmd, self.port, key);
    }
}

/// Point `cmd` (kraftcheck or the AWS CLI) at the moto server on `port` and nothing else: no
/// profile, no shared config or credentials, no instance metadata, one attempt per call, and
/// the access key `key` (moto keys some answers on it).
pub fn aws_env(cmd: &mut Command, port: u16, key: &str) {
    let url = format!("http://127.0.0.1:{port}");
    for var in [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_ENDPOINT_URL_KAFKA", &url)
        .env("AWS_ENDPOINT_URL_IAM", &url)
        .env("AWS_ENDPOINT_URL_SECRETS_MANAGER", &url)
        .env("AWS_ENDPOINT_URL_KMS", &url)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", "kraftcheck-test-secret")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/kraftcheck-aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/kraftcheck-aws-credentials",
        );
}
