//! Exact broker software versions from what an operator already has.
//!
//! A live collection learns a broker's release from its ApiVersions answer, which tells only
//! major.minor (`3.9`): the patch level decides several migration bugs, so rules treat such a
//! version as the range 3.9.0 … 3.9.x (see `version::decide`). These sources settle it:
//!
//! - `--kafka-version V` (every broker) or `--kafka-version ID=V` (one broker, repeatable);
//! - `--broker-log [ID=]FILE`: a broker's log, where Kafka's `AppInfoParser` writes
//!   `Kafka version: 3.9.2` at every start and the `KafkaConfig values:` dump names
//!   `broker.id` / `node.id`;
//! - `--kafka-home [ID=]DIR`: an installation, whose `libs/kafka_<scala>-<version>.jar` names the
//!   release (Confluent Platform's `-ccs` jars name the CP release, mapped to its Apache Kafka
//!   major.minor).
//!
//! A version given for a broker that the live cluster answers with another major.minor is
//! refused: the file belongs to another broker or to an older start.

use crate::inventory::Inventory;
use crate::settings::{bad, Input};
use crate::version::KafkaVersion;
use anyhow::{anyhow, bail, Result};
use std::io::BufRead;
use std::path::Path;

/// Where a broker's version came from (`Broker::version_source`).
pub const FROM_FINGERPRINT: &str = "fingerprint";
pub const FROM_FLAG: &str = "--kafka-version";

#[derive(Debug, Default, Clone)]
pub struct VersionSources {
    /// `--kafka-version`: `V` or `ID=V`.
    pub kafka_version: Vec<String>,
    /// `--broker-log`: `FILE` or `ID=FILE`.
    pub broker_logs: Vec<String>,
    /// `--kafka-home`: `DIR` or `ID=DIR`.
    pub kafka_homes: Vec<String>,
}

impl VersionSources {
    pub fn is_empty(&self) -> bool {
        self.kafka_version.is_empty() && self.broker_logs.is_empty() && self.kafka_homes.is_empty()
    }
}

/// One broker's (or every broker's, `broker: None`) version from one source.
#[derive(Debug, Clone, PartialEq)]
pub struct Known {
    pub broker: Option<i64>,
    pub version: String,
    pub source: String,
}

/// `ID=REST` or `REST`; the id must be a whole number.
fn split_id(input: Input, spec: &str) -> Result<(Option<i64>, &str)> {
    match spec.split_once('=') {
        Some((id, rest)) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
            let id = id
                .parse::<i64>()
                .map_err(|_| bad(input, spec, format!("broker id '{id}' is too large")))?;
            Ok((Some(id), rest))
        }
        Some((id, _)) if !id.contains(['/', '\\', '.']) => Err(bad(
            input,
            spec,
            format!("'{id}' is not a broker id (give ID=… with a number, or no id)"),
        )),
        _ => Ok((None, spec)),
    }
}

/// Read every source; any that cannot be read or says nothing is an error (exit 2).
pub fn read(src: &VersionSources) -> Result<Vec<Known>> {
    let mut out = Vec::new();
    for spec in &src.kafka_version {
        let (broker, v) = split_id(Input::KafkaVersion, spec)?;
        KafkaVersion::parse(v).map_err(|e| bad(Input::KafkaVersion, spec, e.to_string()))?;
        out.push(Known {
            broker,
            version: v.trim().to_string(),
            source: FROM_FLAG.into(),
        });
    }
    for spec in &src.broker_logs {
        let (id, file) = split_id(Input::BrokerLog, spec)?;
        let (logged_id, version) = from_log(Path::new(file))?;
        out.push(Known {
            broker: id.or(logged_id),
            version,
            source: format!("broker-log:{file}"),
        });
    }
    for spec in &src.kafka_homes {
        let (broker, dir) = split_id(Input::KafkaHome, spec)?;
        out.push(Known {
            broker,
            version: from_home(Path::new(dir))?,
            source: format!("kafka-home:{dir}"),
        });
    }
    Ok(out)
}

/// The version of the broker's last start in its log, and the broker id it logged.
pub fn from_log(path: &Path) -> Result<(Option<i64>, String)> {
    let f = std::fs::File::open(path).map_err(|e| {
        bad(
            Input::BrokerLog,
            path.display(),
            format!("cannot open: {e}"),
        )
    })?;
    let mut r = std::io::BufReader::new(f);
    let mut version: Option<String> = None;
    let mut id: Option<i64> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = r.read_until(b'\n', &mut line).map_err(|e| {
            bad(
                Input::BrokerLog,
                path.display(),
                format!("cannot read: {e}"),
            )
        })?;
        if n == 0 {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        if let Some(rest) = text.split("Kafka version: ").nth(1) {
            let v = rest.split_whitespace().next().unwrap_or_default();
            if KafkaVersion::parse(v).is_ok() {
                version = Some(v.to_string());
            }
        }
        let t = text.trim();
        for key in ["broker.id = ", "node.id = "] {
            if let Some(v) = t.strip_prefix(key) {
                if let Ok(n) = v.trim().parse::<i64>() {
                    if n >= 0 {
                        id = Some(n);
                    }
                }
            }
        }
    }
    let version = version.ok_or_else(|| {
        bad(
            Input::BrokerLog,
            path.display(),
            "no 'Kafka version: X.Y.Z' line (Kafka's AppInfoParser logs it at INFO when the broker starts); give the log of the broker's last start",
        )
    })?;
    Ok((id, version))
}

/// The release of an installation from its `libs/` jar names.
pub fn from_home(dir: &Path) -> Result<String> {
    let libs = dir.join("libs");
    let entries = std::fs::read_dir(&libs).map_err(|e| {
        bad(
            Input::KafkaHome,
            dir.display(),
            format!(
                "cannot read {} (give the directory that holds bin/, config/ and libs/): {e}",
                libs.display()
            ),
        )
    })?;
    let mut core = None;
    let mut clients = None;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".jar") else {
            continue;
        };
        if ["-sources", "-javadoc", "-test", "-tests", "-scaladoc"]
            .iter()
            .any(|s| stem.ends_with(s))
        {
            continue;
        }
        // kafka_2.13-3.9.2.jar: the broker itself
        if let Some(rest) = stem.strip_prefix("kafka_") {
            if let Some((_, v)) = rest.split_once('-') {
                core = Some(v.to_string());
            }
        } else if let Some(v) = stem.strip_prefix("kafka-clients-") {
            clients = Some(v.to_string());
        }
    }
    let raw = core.or(clients).ok_or_else(|| {
        bad(
            Input::KafkaHome,
            dir.display(),
            format!(
                "no kafka_<scala>-<version>.jar or kafka-clients-<version>.jar in {}",
                libs.display()
            ),
        )
    })?;
    apache_version(&raw).map_err(|e| bad(Input::KafkaHome, dir.display(), e.to_string()))
}

/// An Apache Kafka version from a jar's version: as it is, or for Confluent Platform's
/// `X.Y.Z-ccs` the Apache Kafka major.minor it ships (CP 6.y = AK 2.(6+y), CP 7.y = AK 3.y,
/// CP 8.y = AK 4.y, per Confluent's "Supported Versions and Interoperability" table). The CP
/// patch level does not name an AK patch release, so only major.minor is kept.
fn apache_version(raw: &str) -> Result<String> {
    let v = KafkaVersion::parse(raw).map_err(|e| anyhow!("jar version: {e}"))?;
    if v.suffix != "ccs" {
        return Ok(raw.to_string());
    }
    let mm = v.major_minor();
    let (major, minor) = mm.split_once('.').unwrap_or(("0", "0"));
    let (major, minor): (u32, u32) = (major.parse()?, minor.parse()?);
    match major {
        6 if minor <= 2 => Ok(format!("2.{}", 6 + minor)),
        7 => Ok(format!("3.{minor}")),
        8 => Ok(format!("4.{minor}")),
        _ => bail!("Confluent Platform {raw}: no known Apache Kafka release for it"),
    }
}

/// Give the brokers the versions the sources name. A broker-specific version wins over one
/// for every broker; a later source of the same kind wins over an earlier one.
pub fn apply(inv: &mut Inventory, known: &[Known]) -> Result<()> {
    if known.is_empty() {
        return Ok(());
    }
    for k in known.iter().filter(|k| k.broker.is_some()) {
        let id = k.broker.expect("filtered");
        if !inv.brokers.iter().any(|b| b.id == id) {
            bail!(
                "{}: broker {id} is not in the inventory (brokers: {})",
                k.source,
                inv.brokers
                    .iter()
                    .map(|b| b.id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    for b in &mut inv.brokers {
        let pick = known
            .iter()
            .rev()
            .find(|k| k.broker == Some(b.id))
            .or_else(|| known.iter().rev().find(|k| k.broker.is_none()));
        let Some(k) = pick else { continue };
        // A live answer that disagrees on major.minor: the file is not this broker's now.
        if let (Some(seen), Some(src)) = (&b.version, &b.version_source) {
            if src == FROM_FINGERPRINT {
                let live = KafkaVersion::parse(seen).ok().map(|v| v.major_minor());
                let given = KafkaVersion::parse(&k.version)
                    .ok()
                    .map(|v| v.major_minor());
                if live.is_some() && live != given {
                    bail!(
                        "{}: says broker {} runs {}, but the broker answers as Kafka {seen}; the source belongs to another broker or an older start",
                        k.source,
                        b.id,
                        k.version
                    );
                }
            }
        }
        b.version = Some(k.version.clone());
        b.version_source = Some(k.source.clone());
        let res = format!("broker:{}", b.id);
        inv.gaps
            .retain(|g| !(g.part == "brokers.version" && g.resource == res));
    }
    if inv.brokers.iter().all(|b| b.version.is_some()) {
        inv.gaps.retain(|g| g.part != "brokers.version");
    }
    if let Some(v) = inv.lowest_broker_version() {
        inv.cluster.version = Some(v);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_a_broker_log() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("server.log");
        let mut f = std::fs::File::create(&p).unwrap();
        writeln!(f, "[2026-01-01 10:00:00,000] INFO KafkaConfig values: ").unwrap();
        writeln!(f, "\tbroker.id = 2").unwrap();
        writeln!(f, "[2026-01-01 10:00:01,000] INFO Kafka version: 3.6.1 (org.apache.kafka.common.utils.AppInfoParser)").unwrap();
        writeln!(f, "[2026-02-01 10:00:01,000] INFO Kafka version: 3.6.2 (org.apache.kafka.common.utils.AppInfoParser)").unwrap();
        drop(f);
        assert_eq!(from_log(&p).unwrap(), (Some(2), "3.6.2".to_string()));
        std::fs::write(&p, "nothing here\n").unwrap();
        let e = from_log(&p).unwrap_err().to_string();
        assert!(e.contains("no 'Kafka version"), "{e}");
    }

    #[test]
    fn reads_an_installation() {
        let dir = tempfile::tempdir().unwrap();
        let libs = dir.path().join("libs");
        std::fs::create_dir(&libs).unwrap();
        for j in [
            "kafka-clients-3.9.2.jar",
            "kafka_2.13-3.9.2-sources.jar",
            "kafka_2.13-3.9.2.jar",
        ] {
            std::fs::write(libs.join(j), b"").unwrap();
        }
        assert_eq!(from_home(dir.path()).unwrap(), "3.9.2");
        assert_eq!(apache_version("7.7.1-ccs").unwrap(), "3.7");
        assert_eq!(apache_version("6.2.0-ccs").unwrap(), "2.8");
        assert!(from_home(&dir.path().join("nope")).is_err());
    }

    #[test]
    fn broker_specific_versions_win_and_mismatches_are_refused() {
        let mut inv = Inventory::new();
        for id in [1, 2] {
            inv.brokers.push(crate::inventory::Broker {
                id,
                version: Some("3.6".into()),
                version_source: Some(FROM_FINGERPRINT.into()),
                ..Default::default()
            });
        }
        let src = VersionSources {
            kafka_version: vec!["3.6.2".into(), "2=3.6.1".into()],
            ..Default::default()
        };
        apply(&mut inv, &read(&src).unwrap()).unwrap();
        assert_eq!(inv.brokers[0].version.as_deref(), Some("3.6.2"));
        assert_eq!(inv.brokers[1].version.as_deref(), Some("3.6.1"));
        assert_eq!(inv.cluster.version.as_deref(), Some("3.6.1"));
        // One `--kafka-version` answer, and the error of applying it.
        let answer = |a: &str| VersionSources {
            kafka_version: vec![a.into()],
            ..Default::default()
        };
        let refused = |inv: &mut Inventory, a: &str| {
            apply(inv, &read(&answer(a)).unwrap())
                .unwrap_err()
                .to_string()
        };
        let mut inv2 = inv.clone();
        inv2.brokers[0].version_source = Some(FROM_FINGERPRINT.into());
        inv2.brokers[0].version = Some("3.9".into());
        let e = refused(&mut inv2, "1=3.6.2");
        assert!(e.contains("answers as Kafka 3.9"), "{e}");
        assert!(read(&answer("x=3.6.2")).is_err());
        let e = refused(&mut inv, "7=3.6.2");
        assert!(e.contains("broker 7 is not in the inventory"), "{e}");
    }
}
