//! Kafka and Amazon MSK version strings, compared the way an operator reads them.
//!
//! Accepted shapes: `3.9.1`, `3.9`, `0.10.2.0`, `2.4.1.1` (MSK), `3.7.x` and `3.7.x.kraft` (MSK
//! "latest patch" versions, `x` sorts above every patch), `2.8.2.tiered` / `2.8.2-tiered`,
//! and metadata/IBP versions `3.6-IV1` (a bare `3.6` is the newest IV of 3.6, above `3.6-IV2`).
//! Vendor suffixes such as `-ccs` or `-SNAPSHOT` are kept but do not affect ordering.

use std::cmp::Ordering;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaVersion {
    /// Numeric components; `None` for an `x` wildcard.
    parts: Vec<Option<u32>>,
    /// `IVn` of a metadata version; `None` when absent.
    iv: Option<u32>,
    /// Anything after the numbers (`kraft`, `tiered`, `ccs`, …), lower-cased.
    pub suffix: String,
    raw: String,
}

impl KafkaVersion {
    pub fn parse(s: &str) -> Result<Self, String> {
        let raw = s.trim();
        if raw.is_empty() {
            return Err("empty version string".into());
        }
        let mut parts = Vec::new();
        let mut iv = None;
        let mut suffix = String::new();
        let mut rest = raw;
        loop {
            let end = rest.find(['.', '-']).unwrap_or(rest.len());
            let comp = &rest[..end];
            let parsed = if comp.eq_ignore_ascii_case("x") && !parts.is_empty() {
                Some(None)
            } else if !comp.is_empty() && comp.bytes().all(|b| b.is_ascii_digit()) {
                comp.parse::<u32>().ok().map(Some)
            } else {
                None
            };
            match parsed {
                Some(p) if parts.len() < 4 => parts.push(p),
                _ => {
                    if parts.is_empty() {
                        return Err(format!("'{raw}' does not start with a version number"));
                    }
                    let tail = comp.to_ascii_lowercase();
                    if let Some(n) = tail.strip_prefix("iv") {
                        iv = Some(n.parse::<u32>().map_err(|_| format!("bad IV in '{raw}'"))?);
                        rest = &rest[end..];
                        if let Some(r) = rest.strip_prefix(['.', '-']) {
                            suffix = r.to_ascii_lowercase();
                        }
                    } else {
                        suffix = rest.to_ascii_lowercase();
                    }
                    break;
                }
            }
            if end == rest.len() {
                break;
            }
            rest = &rest[end + 1..];
        }
        if parts.len() < 2 && iv.is_none() && suffix.is_empty() && parts.len() == 1 {
            // "3" alone is too vague to be a Kafka version.
            return Err(format!("'{raw}' needs at least major.minor"));
        }
        Ok(KafkaVersion {
            parts,
            iv,
            suffix,
            raw: raw.to_string(),
        })
    }

    /// True for MSK version strings of KRaft clusters (`3.7.x.kraft`).
    pub fn is_kraft(&self) -> bool {
        self.suffix.split(['.', '-']).any(|p| p == "kraft")
    }

    pub fn major_minor(&self) -> String {
        let c = |i: usize| self.parts.get(i).copied().flatten().unwrap_or(0);
        format!("{}.{}", c(0), c(1))
    }

    fn key(&self, i: usize) -> u64 {
        match self.parts.get(i) {
            Some(Some(n)) => *n as u64,
            Some(None) => u64::MAX,
            None => 0,
        }
    }
}

impl Ord for KafkaVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for i in 0..4 {
            match self.key(i).cmp(&other.key(i)) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        self.iv
            .unwrap_or(u32::MAX)
            .cmp(&other.iv.unwrap_or(u32::MAX))
    }
}

impl PartialOrd for KafkaVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for KafkaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Compare two version strings; an error names the one that does not parse.
pub fn compare(a: &str, b: &str) -> Result<Ordering, String> {
    Ok(KafkaVersion::parse(a)?.cmp(&KafkaVersion::parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::*;

    fn c(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap()
    }

    #[test]
    fn orders_plain_versions() {
        assert_eq!(c("3.9.1", "3.9.0"), Greater);
        assert_eq!(c("3.10.0", "3.9.2"), Greater);
        assert_eq!(c("10.0", "9.0"), Greater);
        assert_eq!(c("3.9", "3.9.0"), Equal);
        assert_eq!(c("0.10.2.0", "0.11.0"), Less);
        assert_eq!(c("2.4.1.1", "2.4.1"), Greater);
    }

    #[test]
    fn msk_strings() {
        let v = KafkaVersion::parse("3.7.x.kraft").unwrap();
        assert!(v.is_kraft());
        assert_eq!(v.major_minor(), "3.7");
        assert_eq!(c("3.7.x.kraft", "3.7.1"), Greater);
        assert_eq!(c("3.7.x", "3.8.0"), Less);
        assert_eq!(c("3.9.x", "3.9.x.kraft"), Equal);
        assert!(!KafkaVersion::parse("3.9.x").unwrap().is_kraft());
        assert_eq!(c("2.8.2.tiered", "2.8.2"), Equal);
        assert_eq!(c("2.8.2-tiered", "2.8.3"), Less);
        assert_eq!(
            KafkaVersion::parse("2.8.2.tiered").unwrap().suffix,
            "tiered"
        );
    }

    #[test]
    fn metadata_versions() {
        assert_eq!(c("3.6-IV1", "3.6-IV2"), Less);
        assert_eq!(c("3.6", "3.6-IV2"), Greater);
        assert_eq!(c("3.5-IV2", "3.6-IV1"), Less);
        assert_eq!(c("3.4-IV0", "3.4"), Less);
        assert_eq!(c("2.8-IV1", "3.0-IV1"), Less);
        assert_eq!(c("3.6.0", "3.6-IV1"), Greater);
    }

    #[test]
    fn vendor_suffixes() {
        assert_eq!(c("7.7.0-ccs", "7.7.0"), Equal);
        assert_eq!(
            KafkaVersion::parse("3.9.0-SNAPSHOT").unwrap().suffix,
            "snapshot"
        );
    }

    #[test]
    fn rejects_garbage() {
        for s in ["", "abc", "v3.9", "3", "x.1", "3.6-IVx"] {
            assert!(KafkaVersion::parse(s).is_err(), "{s}");
        }
    }
}
