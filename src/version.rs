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

    /// True when only major.minor is known (`3.6`, as a live ApiVersions fingerprint gives):
    /// the version stands for the whole range 3.6.0 … 3.6.x. Metadata versions (`3.6-IV1`),
    /// MSK wildcards (`3.7.x`) and suffixed strings are not ranges.
    pub fn is_major_minor_only(&self) -> bool {
        self.parts.len() == 2
            && self.parts.iter().all(Option::is_some)
            && self.iv.is_none()
            && self.suffix.is_empty()
    }

    /// The lowest and highest release a version may stand for: itself, or for a major.minor-only
    /// version its `.0` and its newest patch.
    fn bounds(&self) -> (KafkaVersion, KafkaVersion) {
        if !self.is_major_minor_only() {
            return (self.clone(), self.clone());
        }
        let with = |patch: Option<u32>| KafkaVersion {
            parts: vec![self.parts[0], self.parts[1], patch],
            iv: None,
            suffix: String::new(),
            raw: self.raw.clone(),
        };
        (with(Some(0)), with(None))
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

/// How `a` orders against `b` when either may be a major.minor-only range: `Some` when every
/// release in the range(s) gives the same answer to `pred`, `None` when the answer depends on
/// the patch level. Two equal major.minor-only versions are the same version (`3.6` = `3.6`).
pub fn decide(a: &KafkaVersion, b: &KafkaVersion, pred: impl Fn(Ordering) -> bool) -> Option<bool> {
    let ranged = a.is_major_minor_only() || b.is_major_minor_only();
    if !ranged || (a.is_major_minor_only() && b.is_major_minor_only() && a.parts == b.parts) {
        return Some(pred(a.cmp(b)));
    }
    let (alo, ahi) = a.bounds();
    let (blo, bhi) = b.bounds();
    // Overlapping ranges hold releases that are equal (3.9.1 lies inside 3.9.0 … 3.9.x).
    let overlap = alo <= bhi && blo <= ahi;
    let answers = [
        pred(alo.cmp(&blo)),
        pred(alo.cmp(&bhi)),
        pred(ahi.cmp(&blo)),
        pred(ahi.cmp(&bhi)),
        if overlap {
            pred(Ordering::Equal)
        } else {
            pred(alo.cmp(&blo))
        },
    ];
    answers
        .iter()
        .all(|x| *x == answers[0])
        .then_some(answers[0])
}

/// Why a comparison could not be decided, and what settles it.
pub fn undecided(a: &KafkaVersion, b: &KafkaVersion) -> String {
    let v = if a.is_major_minor_only() { a } else { b };
    format!(
        "patch level unknown: {v} is known only as major.minor ({}.0 … {}.x) and the answer differs within that range; give --kafka-version, --broker-log or --kafka-home to settle it",
        v.major_minor(),
        v.major_minor()
    )
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
    fn major_minor_only_is_a_range() {
        let p = |s: &str| KafkaVersion::parse(s).unwrap();
        let lt = |o: Ordering| o == Less;
        let ge = |o: Ordering| o != Less;
        assert!(p("3.6").is_major_minor_only());
        for s in ["3.6.0", "3.6-IV1", "3.7.x", "2.8.tiered", "3.6.0.1"] {
            assert!(!p(s).is_major_minor_only(), "{s}");
        }
        // 3.6.0 … 3.6.x against 3.6.2: some below, some not
        assert_eq!(decide(&p("3.6"), &p("3.6.2"), lt), None);
        assert_eq!(decide(&p("3.6"), &p("3.6.0"), ge), Some(true));
        assert_eq!(decide(&p("3.6"), &p("3.7.0"), lt), Some(true));
        assert_eq!(decide(&p("3.6"), &p("3.5.2"), lt), Some(false));
        assert_eq!(decide(&p("3.5.2"), &p("3.6"), lt), Some(true));
        // IBP-style comparisons keep their meaning
        assert_eq!(decide(&p("3.6"), &p("3.5-IV2"), lt), Some(false));
        assert_eq!(decide(&p("3.5"), &p("3.5-IV2"), lt), Some(false));
        assert_eq!(decide(&p("3.4"), &p("3.4"), ge), Some(true));
        assert_eq!(decide(&p("3.4"), &p("3.6"), lt), Some(true));
        // exact versions as before
        assert_eq!(decide(&p("3.6.1"), &p("3.6.2"), lt), Some(true));
        // equality inside a range is open, outside it is not
        let eq = |o: Ordering| o == Equal;
        assert_eq!(decide(&p("3.9"), &p("3.9.1"), eq), None);
        assert_eq!(decide(&p("3.9"), &p("3.8.1"), eq), Some(false));
        assert!(undecided(&p("3.6"), &p("3.6.2")).contains("3.6.0 … 3.6.x"));
    }

    #[test]
    fn rejects_garbage() {
        for s in ["", "abc", "v3.9", "3", "x.1", "3.6-IVx"] {
            assert!(KafkaVersion::parse(s).is_err(), "{s}");
        }
    }
}
