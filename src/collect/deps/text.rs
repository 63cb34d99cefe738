//! Scripts and configuration files: ZooKeeper usage and bootstrap lists.

use super::*;

// ------------------------------------------------------------------------------------------------
// Scripts and configuration files

struct TextPattern {
    kind: &'static str,
    /// What is reported as the `library` of the finding.
    what: &'static str,
    re: &'static str,
}

/// ZooKeeper-direct usage (catalog E.4 K4-TOOL-001, I CLIENT-005).
const ZK_PATTERNS: &[TextPattern] = &[
    TextPattern {
        kind: "zk-tool-usage",
        what: "kafka-acls --authorizer-properties (ZooKeeper authorizer tool mode)",
        re: r"--authorizer-properties\b|--zk-tls-config-file\b",
    },
    TextPattern {
        kind: "zk-tool-usage",
        what: "--zookeeper (Kafka tool talking to ZooKeeper)",
        re: r"(?:^|[\s'\x22,\[])--zookeeper(?:[=\s'\x22,\]]|$)",
    },
    TextPattern {
        kind: "zk-tool-usage",
        what: "zookeeper.connect (client or tool configured with ZooKeeper)",
        re: r"\bzookeeper\.connect(?:[^a-zA-Z.\-_]|$)",
    },
    TextPattern {
        kind: "zk-tool-usage",
        what: "zk.connect (old Scala consumer/producer)",
        re: r"\bzk\.connect\b",
    },
    TextPattern {
        kind: "zk-tool-usage",
        what: "zkhosts (CMAK / Kafka Manager)",
        re: r"(?i)\b(?:cmak|kafka-manager)\.zkhosts\b|\bZK_HOSTS\b",
    },
    TextPattern {
        kind: "zk-tool-usage",
        what: "zookeeper-shell",
        re: r"\bzookeeper-shell(?:\.sh)?\b",
    },
    TextPattern {
        kind: "zk-tool-usage",
        what: "zookeeper-security-migration (ZkSecurityMigrator)",
        re: r"\bzookeeper-security-migration(?:\.sh)?\b|\bZkSecurityMigrator\b",
    },
    TextPattern {
        kind: "zk-tool-usage",
        what: "old Scala consumer API (ZooKeeper-based, removed in Kafka 2.0)",
        re: r"\bkafka\.javaapi\.consumer\b|\bZookeeperConsumerConnector\b|\bkafka\.consumer\.ConsumerConfig\b",
    },
];

/// Keys and flags that hold a bootstrap list.
const BOOTSTRAP_RE: &str = r#"(?i)(?:bootstrap[._\-]?servers?|metadata\.broker\.list|--broker-list|KAFKA_BROKERS|kafka\.brokers|\bbrokers)\b['"]?\s*[:=\s]\s*(.*)"#;

fn compiled_zk() -> &'static [(usize, Regex)] {
    static RES: OnceLock<Vec<(usize, Regex)>> = OnceLock::new();
    RES.get_or_init(|| {
        ZK_PATTERNS
            .iter()
            .enumerate()
            .map(|(i, p)| (i, Regex::new(p.re).expect("static regex")))
            .collect()
    })
}

/// Whether a properties file is a broker's own config (its zookeeper.connect is audited by the
/// broker-config rules, not here).
fn is_broker_config(text: &str) -> bool {
    let has = |k: &str| {
        text.lines().any(|l| {
            l.trim_start().starts_with(k) && l.trim_start()[k.len()..].trim_start().starts_with('=')
        })
    };
    has("broker.id") || has("log.dirs") || has("process.roles") || has("node.id")
}

/// A matched line, shortened, with anything that looks like a secret removed.
fn clean_line(l: &str) -> String {
    static SECRET: OnceLock<Regex> = OnceLock::new();
    let secret = re(
        &SECRET,
        r#"(?i)((?:password|secret|token|jaas\.config|credentials?)[^=:\s]*\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)"#,
    );
    let t = secret.replace_all(l.trim(), "${1}[redacted]").to_string();
    if t.chars().count() > 200 {
        format!("{}…", t.chars().take(200).collect::<String>())
    } else {
        t
    }
}

/// How a file's comments are written, by its name.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Comments {
    /// `#` to the end of the line (shell, properties, YAML, TOML, Python, Ruby, …).
    Hash,
    /// `//` and `/* … */` (Java, Kotlin, Scala, Groovy, Go, JavaScript, Rust, C#, …).
    Slash,
    /// `<!-- … -->` (XML).
    Xml,
    /// Both `#` and `//`/`/* */` are possible (unknown kind): only whole-line comments count.
    Unknown,
}

/// What a file is for the ZooKeeper usage heuristics.
#[derive(Debug, Clone, Copy)]
struct FileClass {
    comments: Comments,
    /// Documentation (Markdown, reStructuredText, AsciiDoc, HTML, plain text): mentions only.
    doc: bool,
    /// A logging configuration (log4j, log4j2, logback, java.util.logging): logger names only.
    logging: bool,
}

fn classify_file(rel: &str) -> FileClass {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    let ext = name.rsplit_once('.').map(|x| x.1).unwrap_or("");
    let comments = match ext {
        "sh" | "bash" | "zsh" | "ksh" | "properties" | "conf" | "cfg" | "ini" | "yaml" | "yml"
        | "toml" | "py" | "rb" | "pl" | "env" | "tf" | "hcl" | "r" | "service" | "j2" => {
            Comments::Hash
        }
        "java" | "kt" | "kts" | "scala" | "sc" | "groovy" | "gradle" | "go" | "js" | "mjs"
        | "cjs" | "ts" | "tsx" | "jsx" | "rs" | "c" | "cc" | "cpp" | "h" | "hpp" | "cs"
        | "swift" | "php" | "dart" | "json5" | "jsonc" => Comments::Slash,
        "xml" | "xsd" | "xsl" | "pom" => Comments::Xml,
        _ if name == "dockerfile" || name == "makefile" || name.ends_with(".dockerfile") => {
            Comments::Hash
        }
        _ => Comments::Unknown,
    };
    let doc = matches!(
        ext,
        "md" | "markdown" | "rst" | "adoc" | "asciidoc" | "txt" | "html" | "htm" | "textile"
    ) || name.starts_with("readme")
        || name.starts_with("changelog")
        || name.starts_with("license")
        || name.starts_with("notice");
    let logging = name.starts_with("log4j")
        || name.starts_with("logback")
        || name == "logging.properties"
        || name.starts_with("tools-log4j")
        || name.starts_with("connect-log4j");
    FileClass {
        comments,
        doc,
        logging,
    }
}

/// Whether a path (relative, `/`-separated) lies in a test source set or is a test file.
pub(super) fn is_test_path(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let with_slash = format!("/{lower}");
    const DIRS: &[&str] = &[
        "/src/test/",
        "/src/tests/",
        "/src/it/",
        "/src/integrationtest/",
        "/src/inttest/",
        "/src/testfixtures/",
        "/src/androidtest/",
        "/test/",
        "/tests/",
        "/__tests__/",
        "/spec/",
        "/testdata/",
        "/test-data/",
        "/it/",
        "/e2e/",
    ];
    if DIRS.iter().any(|d| with_slash.contains(d)) {
        return true;
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.split('.').next().unwrap_or(name);
    name.ends_with("_test.go")
        || name.ends_with("_test.py")
        || name.starts_with("test_") && name.ends_with(".py")
        || name == "conftest.py"
        || name.ends_with("_spec.rb")
        || name.ends_with("_test.rb")
        || [
            ".test.js",
            ".test.ts",
            ".spec.js",
            ".spec.ts",
            ".test.mjs",
            ".spec.mjs",
        ]
        .iter()
        .any(|s| name.ends_with(s))
        || (stem.ends_with("Test")
            || stem.ends_with("Tests")
            || stem.ends_with("IT")
            || stem.ends_with("Spec")
            || stem.ends_with("TestCase")
            || stem.ends_with("TestBase")
            || stem.ends_with("TestHarness"))
            && matches!(
                name.rsplit_once('.').map(|x| x.1),
                Some("java" | "kt" | "scala" | "groovy" | "cs")
            )
}

/// A logger name or level setting, as logging frameworks and Spring configure them: names a
/// class, never connects anywhere.
fn is_logger_setting(line: &str) -> bool {
    let t = line.trim_start();
    let lower = t.to_ascii_lowercase();
    [
        "log4j.logger.",
        "log4j.additivity.",
        "log4j.category.",
        "log4j2.logger.",
        "logger.",
        "logging.level.",
        "quarkus.log.category.",
        "<logger ",
        "<asynclogger ",
        "<category ",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
        || lower.contains("loggerfactory.getlogger(")
        || lower.contains("logger.getlogger(")
        || lower.contains("logmanager.getlogger(")
}

/// The code part of a line: comments removed (`in_block` carries a `/* … */` or `<!-- … -->`
/// across lines). String contents are not parsed: a `//` inside a string literal ends the code
/// part early (a URL `scheme://` does not).
fn code_part(line: &str, c: Comments, in_block: &mut bool) -> String {
    let t = line.trim_start();
    match c {
        Comments::Hash => {
            if t.starts_with('#') || t.starts_with('!') && !t.starts_with("!=") {
                return String::new();
            }
            // ` # comment` (a `#` after whitespace); `a#b` stays
            match line.find(" #").or_else(|| line.find("	#")) {
                Some(p) => line[..p].to_string(),
                None => line.to_string(),
            }
        }
        Comments::Slash | Comments::Xml => {
            let (open, close) = if c == Comments::Slash {
                ("/*", "*/")
            } else {
                ("<!--", "-->")
            };
            let mut out = String::new();
            let mut rest = line;
            loop {
                if *in_block {
                    match rest.find(close) {
                        Some(p) => {
                            rest = &rest[p + close.len()..];
                            *in_block = false;
                        }
                        None => return out,
                    }
                }
                let next_open = rest.find(open);
                let line_comment = if c == Comments::Slash {
                    find_line_comment(rest)
                } else {
                    None
                };
                match (next_open, line_comment) {
                    (Some(o), Some(l)) if l < o => {
                        out.push_str(&rest[..l]);
                        return out;
                    }
                    (Some(o), _) => {
                        out.push_str(&rest[..o]);
                        rest = &rest[o + open.len()..];
                        *in_block = true;
                    }
                    (None, Some(l)) => {
                        out.push_str(&rest[..l]);
                        return out;
                    }
                    (None, None) => {
                        out.push_str(rest);
                        return out;
                    }
                }
            }
        }
        Comments::Unknown => {
            if t.starts_with('#')
                || t.starts_with("//")
                || t.starts_with("* ")
                || t == "*"
                || t.starts_with("/*")
                || t.starts_with("<!--")
                || t.starts_with("--")
                    && !t.starts_with("--zookeeper")
                    && !t.starts_with("--authorizer")
                    && !t.starts_with("--zk")
            {
                String::new()
            } else {
                line.to_string()
            }
        }
    }
}

/// Where a `//` line comment starts (not the `//` of `scheme://`).
fn find_line_comment(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(p) = s[i..].find("//") {
        let at = i + p;
        if at > 0 && b[at - 1] == b':' {
            i = at + 2;
            continue;
        }
        return Some(at);
    }
    None
}

/// ZooKeeper usage and bootstrap lists in one text file, with no knowledge of its name (every
/// line is code).
pub fn scan_text(text: &str) -> Vec<Dependency> {
    scan_file_text("", text)
}

/// ZooKeeper usage and bootstrap lists in one text file. Usage, not mentions: comments are
/// removed first, documentation files and logger names in logging configurations are not
/// usage, and files in test source sets are marked `test`.
pub(super) fn scan_file_text(rel: &str, text: &str) -> Vec<Dependency> {
    let class = if rel.is_empty() {
        FileClass {
            comments: Comments::Unknown,
            doc: false,
            logging: false,
        }
    } else {
        classify_file(rel)
    };
    if class.doc {
        return Vec::new();
    }
    let test = !rel.is_empty() && is_test_path(rel);
    let mut out = scan_lines(text, class);
    for d in &mut out {
        d.test = test;
    }
    out
}

fn scan_lines(text: &str, class: FileClass) -> Vec<Dependency> {
    static BOOT: OnceLock<Regex> = OnceLock::new();
    static HOSTPORT: OnceLock<Regex> = OnceLock::new();
    let boot = re(&BOOT, BOOTSTRAP_RE);
    let hostport = re(
        &HOSTPORT,
        r"(?:[A-Za-z][A-Za-z0-9+.\-]*://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*):(\d{2,5})\b",
    );
    // Cheap pre-check: most files mention neither ZooKeeper nor brokers.
    const ZK_HINTS: &[&str] = &[
        "zookeeper",
        "Zookeeper",
        "ZooKeeper",
        "zk.connect",
        "zkhosts",
        "ZK_HOSTS",
        "--authorizer-properties",
        "--zk-tls-config-file",
        "ZkSecurityMigrator",
        "kafka.javaapi.consumer",
        "kafka.consumer.ConsumerConfig",
    ];
    const BOOT_HINTS: &[&str] = &["ootstrap", "OOTSTRAP", "roker", "ROKER"];
    let zk_hint = ZK_HINTS.iter().any(|h| text.contains(h));
    let boot_hint = BOOT_HINTS.iter().any(|h| text.contains(h));
    if !zk_hint && !boot_hint {
        return Vec::new();
    }
    let broker_cfg = is_broker_config(text);
    let mut out = Vec::new();
    let mut in_block = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let code = code_part(raw, class.comments, &mut in_block);
        let line = code.as_str();
        if line.trim().is_empty() {
            continue;
        }
        let zk_line = zk_hint
            && !class.logging
            && !is_logger_setting(line)
            && ZK_HINTS.iter().any(|h| line.contains(h));
        for (pi, r) in compiled_zk().iter().filter(|_| zk_line) {
            let p = &ZK_PATTERNS[*pi];
            if broker_cfg && p.what.starts_with("zookeeper.connect") {
                continue;
            }
            // one finding per line: the first (most specific) pattern wins
            if r.is_match(line)
                && !out
                    .iter()
                    .any(|d: &Dependency| d.line == n && d.kind == p.kind)
            {
                out.push(Dependency {
                    line: n,
                    ecosystem: "text".into(),
                    kind: p.kind.into(),
                    library: p.what.into(),
                    text: clean_line(raw),
                    ..Default::default()
                });
            }
        }
        if broker_cfg {
            continue;
        }
        if !boot_hint || !BOOT_HINTS.iter().any(|h| line.contains(h)) {
            continue;
        }
        if let Some(c) = boot.captures(line) {
            let rest = c.get(1).map(|m| m.as_str()).unwrap_or("");
            let hosts: Vec<String> = hostport
                .captures_iter(rest)
                .map(|h| compat::host_of(&format!("{}:{}", &h[1], &h[2])))
                .filter(|h| !h.is_empty())
                .collect();
            if !hosts.is_empty() {
                let mut hosts = hosts;
                hosts.dedup();
                out.push(Dependency {
                    line: n,
                    ecosystem: "text".into(),
                    kind: "bootstrap".into(),
                    library: "bootstrap servers".into(),
                    text: clean_line(raw),
                    hosts,
                    ..Default::default()
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zk_usage_in_scripts() {
        let text = "#!/bin/sh\nkafka-topics.sh --zookeeper zk1:2181 --list\nkafka-acls --authorizer-properties zookeeper.connect=zk1:2181 --list\nzookeeper.connection.timeout.ms=6000\nbin/zookeeper-shell.sh zk:2181 ls /brokers/ids\n";
        let d = scan_text(text);
        let lines: Vec<(u32, &str)> = d.iter().map(|x| (x.line, x.library.as_str())).collect();
        assert!(lines.contains(&(2, "--zookeeper (Kafka tool talking to ZooKeeper)")));
        assert!(lines
            .iter()
            .any(|(l, w)| *l == 3 && w.starts_with("kafka-acls")));
        // one finding per line: the specific tool usage, not also its zookeeper.connect
        assert_eq!(lines.iter().filter(|(l, _)| *l == 3).count(), 1);
        assert!(
            !lines.iter().any(|(l, _)| *l == 4),
            "zookeeper.connection.timeout.ms is not zookeeper.connect"
        );
        assert!(lines
            .iter()
            .any(|(l, w)| *l == 5 && *w == "zookeeper-shell"));
    }

    #[test]
    fn usage_not_mentions() {
        let java = "/**\n * Needs no {@code zookeeper.connect}.\n */\nclass A {\n  // zookeeper.connect=zk:2181\n  String s = \"x\"; /* zookeeper.connect */ int y;\n  void f() { p.put(\"zookeeper.connect\", zk); }\n  String url = \"http://zookeeper.connect.example\"; // --zookeeper\n}\n";
        let d = scan_file_text("src/main/java/A.java", java);
        let lines: Vec<u32> = d.iter().map(|x| x.line).collect();
        assert_eq!(lines, vec![7], "{d:?}");
        let props = "# zookeeper.connect=zk:2181\nlog4j.additivity.kafka.consumer.ZookeeperConsumerConnector=false\nzookeeper.connect=zk:2181 # old\n";
        let d = scan_file_text("conf/consumer.properties", props);
        assert_eq!(d.iter().map(|x| x.line).collect::<Vec<_>>(), vec![3]);
        assert!(scan_file_text(
            "src/main/resources/log4j.properties",
            "log4j.logger.kafka.consumer.ZookeeperConsumerConnector=WARN\n"
        )
        .is_empty());
        assert!(scan_file_text("docs/upgrade.md", "kafka-topics --zookeeper zk:2181\n").is_empty());
        let xml = "<!-- <zookeeper.connect>zk:2181</zookeeper.connect>\n -->\n<logger name=\"org.apache.zookeeper\" level=\"WARN\"/>\n";
        assert!(scan_file_text("conf/app.xml", xml).is_empty());
        // in a test source set: reported, marked test
        let d = scan_file_text(
            "src/test/java/H.java",
            "p.put(\"zookeeper.connect\", zk);\n",
        );
        assert!(d.len() == 1 && d[0].test);
    }

    #[test]
    fn test_paths() {
        for p in [
            "src/test/java/a/B.java",
            "svc/src/it/java/X.java",
            "tests/conftest.py",
            "pkg/zk_test.go",
            "app/src/main/java/FooIT.java",
            "web/src/a.spec.ts",
            "spec/models/user_spec.rb",
            "test_zk.py",
        ] {
            assert!(is_test_path(p), "{p}");
        }
        for p in [
            "src/main/java/Latest.java",
            "bin/kafka-topics.sh",
            "contest/app.py",
            "src/main/java/Testimony.java",
        ] {
            assert!(!is_test_path(p), "{p}");
        }
    }

    #[test]
    fn broker_configs_are_not_client_findings() {
        let text = "broker.id=1\nlog.dirs=/data\nzookeeper.connect=zk:2181\nlisteners=PLAINTEXT://b1:9092\n";
        assert!(scan_text(text).is_empty());
    }

    #[test]
    fn bootstrap_lists() {
        let d = scan_text("bootstrap.servers=b-1.demo.kafka.eu-west-1.amazonaws.com:9092, b-2.demo.kafka.eu-west-1.amazonaws.com:9092\nKAFKA_BOOTSTRAP_SERVERS: \"kafka-1:9092\"\nbrokers: ['10.0.0.5:9092']\nbootstrap.servers=${KAFKA}\n");
        let b: Vec<_> = d.iter().filter(|x| x.kind == "bootstrap").collect();
        assert_eq!(b.len(), 3);
        assert_eq!(
            b[0].hosts,
            vec![
                "b-1.demo.kafka.eu-west-1.amazonaws.com",
                "b-2.demo.kafka.eu-west-1.amazonaws.com"
            ]
        );
        assert_eq!(b[1].hosts, vec!["kafka-1"]);
        assert_eq!(b[2].hosts, vec!["10.0.0.5"]);
    }

    #[test]
    fn secrets_are_not_copied() {
        let l = clean_line("kafka-acls --authorizer-properties zookeeper.connect=zk:2181 --password=hunter2 sasl.jaas.config=\"x y\"");
        assert!(!l.contains("hunter2") && !l.contains("x y"), "{l}");
    }
}
