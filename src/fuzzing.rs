//! Fuzz targets (issue 15): one entry point per parser of outside input, shared by the two
//! drivers: the coverage-guided AFL++ harness in `fuzz/` (long runs, `scripts/fuzz`) and the
//! corpus replay plus short mutation run in `tests/fuzz.rs` (CI, a normal test build).
//!
//! A target takes arbitrary bytes and runs them through the same code a user's file or a
//! server's answer goes through; errors are the expected outcome, only a panic, a hang or an
//! unbounded allocation is a finding. Parsers that read a file are given one in a scratch
//! directory of their own (per thread and target), so that the path through `std::fs` and the
//! messages naming the file are the real ones.

use crate::collect::aws::model::{self, Kind as AwsKind};
use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// What one target feeds its bytes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parser {
    /// Java properties (`--broker-config`, client configs): `collect::properties::parse`.
    Properties,
    /// A saved inventory: `inventory::load_inventory`.
    Inventory,
    /// A `--rules` file: TOML, CEL compile, message template; the rule then runs on the
    /// bundled example inventory (CEL evaluation).
    Rule,
    /// `--waivers`: `waivers::load_waivers`.
    Waivers,
    /// One `--aws-json` file of this kind (the kind only chooses the seeds: the file's kind is
    /// recognised by content, as for a user's file), then the MSK/IAM model built from it.
    AwsJson(AwsKind),
    /// Prometheus text format: `collect::metrics::parse`.
    Metrics,
    /// A raw HTTP/1.1 response of a metrics endpoint (status line, headers, body).
    MetricsHttp,
    /// A dependency manifest, archive, SBOM or script at this path inside a scanned directory:
    /// `collect::deps::scan` (or `scan_sboms` for SBOMs), as `--scan-deps` reads it.
    Deps(&'static str),
    /// The bytes of a Kafka response after the length prefix: byte 0 picks one of the APIs
    /// kraftcheck sends, byte 1 its version, the rest is the response header and body.
    Kafka,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub parser: Parser,
}

/// Manifest and file kinds `--scan-deps` parses, as the path a scanned directory holds them at.
const DEPS_PATHS: &[&str] = &[
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "gradle.lockfile",
    "gradle/libs.versions.toml",
    "Cargo.toml",
    "Cargo.lock",
    "package.json",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "go.mod",
    "pyproject.toml",
    "poetry.lock",
    "Pipfile",
    "Pipfile.lock",
    "requirements.txt",
    "packages.config",
    "Directory.Packages.props",
    "App.csproj",
    "Gemfile",
    "Gemfile.lock",
    "node_modules/pkg/package.json",
    "venv/lib/python3.11/site-packages/pkg-1.0.dist-info/METADATA",
    "lib/app.jar",
    "app.cdx.json",
    "app.cdx.xml",
    "app.spdx.json",
    // Scripts, configuration and source files (ZooKeeper usage, bootstrap lists).
    "scripts/acls.sh",
    "config/app.yaml",
    "src/main/java/App.java",
];

/// Every target, in a stable order.
pub fn targets() -> Vec<Target> {
    let mut t = vec![
        Target {
            name: "properties".into(),
            parser: Parser::Properties,
        },
        Target {
            name: "inventory".into(),
            parser: Parser::Inventory,
        },
        Target {
            name: "rule".into(),
            parser: Parser::Rule,
        },
        Target {
            name: "waivers".into(),
            parser: Parser::Waivers,
        },
    ];
    for k in model::KINDS {
        t.push(Target {
            name: format!("aws-{}", kebab(&format!("{k:?}"))),
            parser: Parser::AwsJson(*k),
        });
    }
    t.push(Target {
        name: "metrics".into(),
        parser: Parser::Metrics,
    });
    t.push(Target {
        name: "metrics-http".into(),
        parser: Parser::MetricsHttp,
    });
    for p in DEPS_PATHS {
        let file = p.rsplit('/').next().unwrap_or(p);
        let name = if p.starts_with("node_modules/") {
            "npm-installed".to_string()
        } else if p.ends_with("METADATA") {
            "python-installed".to_string()
        } else {
            file.to_ascii_lowercase().replace('.', "-")
        };
        t.push(Target {
            name: format!("deps-{name}"),
            parser: Parser::Deps(p),
        });
    }
    t.push(Target {
        name: "kafka-response".into(),
        parser: Parser::Kafka,
    });
    t
}

pub fn target(name: &str) -> Option<Target> {
    targets().into_iter().find(|t| t.name == name)
}

fn kebab(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

thread_local! {
    static SCRATCH: RefCell<Option<PathBuf>> = const { RefCell::new(None) };
}

/// This thread's scratch directory for `target` (created on first use, emptied by the caller).
fn scratch(target: &str) -> PathBuf {
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        let base = s.get_or_insert_with(|| {
            let id = format!("{:?}", std::thread::current().id())
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>();
            std::env::temp_dir().join(format!("kraftcheck-fuzz-{}-{id}", std::process::id()))
        });
        base.join(target)
    })
}

/// Write `data` at `rel` inside a fresh scratch directory for `target`; returns (dir, file).
fn put(target: &str, rel: &str, data: &[u8]) -> (PathBuf, PathBuf) {
    let dir = scratch(target);
    let _ = std::fs::remove_dir_all(&dir);
    let file = dir.join(rel);
    std::fs::create_dir_all(file.parent().expect("a file in a directory"))
        .expect("scratch directory");
    std::fs::write(&file, data).expect("scratch file");
    (dir, file)
}

/// Remove this thread's scratch directories (the drivers call it at the end).
pub fn cleanup() {
    SCRATCH.with(|s| {
        if let Some(p) = s.borrow().as_ref() {
            let _ = std::fs::remove_dir_all(p);
        }
    })
}

/// Run one input through `t`. Errors are ignored (bad input is expected to be refused); a
/// panic propagates to the driver.
pub fn run(t: &Target, data: &[u8]) {
    match t.parser {
        Parser::Properties => {
            if let Ok(s) = std::str::from_utf8(data) {
                let _ = crate::collect::properties::parse(s, "fuzz.properties");
            }
        }
        Parser::Inventory => {
            let (_, f) = put(&t.name, "inventory.json", data);
            let _ = crate::inventory::load_inventory(&f);
        }
        Parser::Rule => {
            let Ok(s) = std::str::from_utf8(data) else {
                return;
            };
            if let Ok(set) = crate::rules::rule_set_from_text("fuzz.toml", s) {
                let inv = example_inventory();
                let _ = crate::rules::evaluate(&set, inv, &crate::rules::EvalOptions::default());
            }
        }
        Parser::Waivers => {
            let (_, f) = put(&t.name, "waivers.toml", data);
            let _ = crate::waivers::load_waivers(&f);
        }
        Parser::AwsJson(_) => {
            let (_, f) = put(&t.name, "aws.json", data);
            if let Ok(d) = crate::collect::aws::load_offline(&[f], None) {
                let _ = crate::collect::aws::apply(None, d);
            }
        }
        Parser::Metrics => {
            if let Ok(s) = std::str::from_utf8(data) {
                let _ = crate::collect::metrics::parse(s);
            }
        }
        Parser::MetricsHttp => {
            if let Ok((_, _, body)) =
                crate::collect::metrics::parse_response("http://127.0.0.1:1/metrics", data)
            {
                let _ = crate::collect::metrics::parse(&body);
            }
        }
        Parser::Deps(rel) => {
            let (dir, f) = put(&t.name, rel, data);
            if rel.contains(".cdx.") || rel.contains(".spdx.") {
                let _ = crate::collect::deps::scan_sboms(&[f]);
            }
            let _ = crate::collect::deps::scan(&[dir]);
        }
        Parser::Kafka => {
            let _ = crate::collect::kafka::decode_response_for_fuzzing(data);
        }
    }
}

/// The bundled example's inventory (examples/zk-cluster), embedded so that the rule target
/// needs no files.
fn example_inventory() -> &'static crate::inventory::Inventory {
    static INV: std::sync::OnceLock<crate::inventory::Inventory> = std::sync::OnceLock::new();
    INV.get_or_init(|| {
        serde_json::from_str(include_str!("../examples/zk-cluster/inventory.json"))
            .expect("the bundled example inventory parses")
    })
}

/// Seed inputs for `t`: matching files of the repository at `root` (tests/fixtures, examples,
/// the rule pack) and a few made here (Kafka responses, HTTP framing, a jar, the smallest file
/// of each AWS kind). Returned as (name, bytes).
pub fn seeds(root: &Path, t: &Target) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for d in ["tests/fixtures", "examples", "rules"] {
        walk(&root.join(d), &mut files);
    }
    files.sort();
    let rel = |p: &Path| {
        p.strip_prefix(root)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned()
    };
    let read = |p: &Path| std::fs::read(p).ok();
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let mut from_files = |pred: &dyn Fn(&str, &[u8]) -> bool| {
        for p in &files {
            let r = rel(p);
            if let Some(b) = read(p) {
                if pred(&r, &b) {
                    out.push((r, b));
                }
            }
        }
    };
    let name_of = |r: &str| r.rsplit('/').next().unwrap_or(r).to_string();
    match t.parser {
        Parser::Properties => from_files(&|r, _| r.ends_with(".properties")),
        Parser::Inventory => from_files(&|r, b| {
            r.ends_with(".json")
                && serde_json::from_slice::<serde_json::Value>(b)
                    .is_ok_and(|v| v.get("schema_version").is_some())
        }),
        Parser::Rule => from_files(&|r, _| {
            r.ends_with(".toml") && (r.starts_with("rules/") || r.contains("fixtures/rules/"))
        }),
        Parser::Waivers => from_files(&|r, _| r.ends_with(".toml") && r.contains("waiver")),
        Parser::AwsJson(k) => {
            from_files(&|r, b| {
                r.ends_with(".json")
                    && serde_json::from_slice::<serde_json::Value>(b)
                        .ok()
                        .and_then(|v| model::recognise(&v))
                        == Some(k)
            });
            out.push(("smallest".into(), smallest_aws(k).into_bytes()));
        }
        Parser::Metrics => from_files(&|r, _| r.contains("fixtures/metrics/")),
        Parser::MetricsHttp => {
            from_files(&|r, _| r.contains("fixtures/metrics/"));
            for (_, b) in out.iter_mut() {
                let mut h = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\n\r\n",
                    b.len()
                )
                .into_bytes();
                h.append(b);
                *b = h;
            }
            out.push((
                "chunked".into(),
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\na 1\n\r\n0\r\n\r\n"
                    .to_vec(),
            ));
            out.push(("500".into(), b"HTTP/1.1 500 Oops\r\n\r\n".to_vec()));
        }
        Parser::Deps(p) => {
            let want = name_of(p);
            let ext = want.rsplit('.').next().unwrap_or("").to_string();
            from_files(&|r, _| {
                let n = name_of(r);
                match p {
                    _ if p.starts_with("node_modules/") => {
                        r.contains("node_modules/") && n == "package.json"
                    }
                    _ if p.ends_with("METADATA") => n == "METADATA",
                    "package.json" => n == want && !r.contains("node_modules/"),
                    "App.csproj" => n.ends_with(".csproj"),
                    "requirements.txt" => n.starts_with("requirements") && n.ends_with(".txt"),
                    _ if p.starts_with("app.") => n.ends_with(want.trim_start_matches("app")),
                    _ if p.contains('/') && !p.starts_with("gradle/") => {
                        n.ends_with(&format!(".{ext}"))
                    }
                    _ => n == want,
                }
            });
            if p == "Directory.Packages.props" {
                out.push((
                    "central-versions".into(),
                    br#"<Project><ItemGroup><PackageVersion Include="Confluent.Kafka" Version="1.9.3" /></ItemGroup></Project>"#.to_vec(),
                ));
            }
            if p.ends_with(".jar") {
                out.push(("kafka-clients.jar".into(), small_jar()));
            }
        }
        Parser::Kafka => out.extend(kafka_seeds()),
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.metadata().is_ok_and(|m| m.len() <= 1 << 20) {
            out.push(p);
        }
    }
}

/// The smallest JSON each AWS kind is recognised by.
fn smallest_aws(k: AwsKind) -> String {
    match k {
        AwsKind::ListClusters => r#"{"ClusterInfoList":[{"ClusterArn":"arn:aws:kafka:eu-west-1:111122223333:cluster/c/1","ClusterName":"c"}]}"#,
        AwsKind::DescribeCluster => r#"{"ClusterInfo":{"ClusterArn":"arn:aws:kafka:eu-west-1:111122223333:cluster/c/1","ClusterName":"c","ClusterType":"PROVISIONED","Provisioned":{"CurrentBrokerSoftwareInfo":{"KafkaVersion":"3.6.0"},"NumberOfBrokerNodes":3}}}"#,
        AwsKind::ListNodes => r#"{"NodeInfoList":[{"BrokerNodeInfo":{"BrokerId":1.0,"Endpoints":["b-1.example"]},"NodeType":"BROKER"}]}"#,
        AwsKind::ListScramSecrets => r#"{"SecretArnList":["arn:aws:secretsmanager:eu-west-1:111122223333:secret:AmazonMSK_x"]}"#,
        AwsKind::DescribeConfigurationRevision => r#"{"Arn":"arn:aws:kafka:eu-west-1:111122223333:configuration/c/1","Revision":1,"ServerProperties":"YXV0by5jcmVhdGUudG9waWNzLmVuYWJsZT1mYWxzZQo="}"#,
        AwsKind::CompatibleKafkaVersions => r#"{"CompatibleKafkaVersions":[{"SourceVersion":"3.6.0","TargetVersions":["3.7.x"]}]}"#,
        AwsKind::BootstrapBrokers => r#"{"BootstrapBrokerStringSaslIam":"b-1.example:9098"}"#,
        AwsKind::ListClusterOperations => r#"{"ClusterOperationInfoList":[{"OperationArn":"arn:x","OperationState":"UPDATE_COMPLETE","OperationType":"UPDATE_CLUSTER_KAFKA_VERSION"}]}"#,
        AwsKind::DescribeClusterOperation => r#"{"ClusterOperationInfo":{"OperationArn":"arn:x","OperationState":"UPDATE_COMPLETE"}}"#,
        AwsKind::ClusterPolicy => r#"{"CurrentVersion":"1","Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[]}"}"#,
        AwsKind::ClientVpcConnections => r#"{"ClientVpcConnections":[{"VpcConnectionArn":"arn:x","Authentication":"SASL_IAM"}]}"#,
        AwsKind::ListReplicators => r#"{"Replicators":[{"ReplicatorArn":"arn:x","ReplicatorName":"r"}]}"#,
        AwsKind::DescribeReplicator => r#"{"ReplicatorArn":"arn:x","KafkaClusters":[],"ReplicationInfoList":[]}"#,
        AwsKind::DescribeSecret => r#"{"ARN":"arn:aws:secretsmanager:eu-west-1:111122223333:secret:AmazonMSK_x","Name":"AmazonMSK_x","KmsKeyId":"arn:aws:kms:eu-west-1:111122223333:key/k"}"#,
        AwsKind::DescribeKey => r#"{"KeyMetadata":{"KeyId":"k","Arn":"arn:aws:kms:eu-west-1:111122223333:key/k","KeyManager":"CUSTOMER"}}"#,
        AwsKind::AccountAuthorizationDetails => r#"{"UserDetailList":[],"GroupDetailList":[],"RoleDetailList":[{"RoleName":"r","Arn":"arn:aws:iam::111122223333:role/r","RolePolicyList":[{"PolicyName":"p","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kafka-cluster:*","Resource":"*"}]}}]}],"Policies":[]}"#,
    }
    .to_string()
}

/// A jar holding a Maven pom.properties for kafka-clients.
fn small_jar() -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        z.start_file(
            "META-INF/maven/org.apache.kafka/kafka-clients/pom.properties",
            o,
        )
        .expect("zip");
        z.write_all(b"groupId=org.apache.kafka\nartifactId=kafka-clients\nversion=2.8.1\n")
            .expect("zip");
        z.finish().expect("zip");
    }
    buf.into_inner()
}

/// Responses of every API kraftcheck sends, encoded by `kafka_protocol` at the highest
/// version it knows (empty responses and, for Metadata, one broker and one topic).
fn kafka_seeds() -> Vec<(String, Vec<u8>)> {
    crate::collect::kafka::fuzz_seed_responses()
}
