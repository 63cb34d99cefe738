//! What a broker's ApiVersions answer says about its software, and metadata.version names.

use std::collections::HashMap;

/// `metadata.version` feature level → name (MetadataVersion.java).
pub fn metadata_version_name(level: i64) -> Option<String> {
    const NAMES: &[(i64, &str)] = &[
        (1, "3.0-IV1"),
        (2, "3.1-IV0"),
        (3, "3.2-IV0"),
        (4, "3.3-IV0"),
        (5, "3.3-IV1"),
        (6, "3.3-IV2"),
        (7, "3.3-IV3"),
        (8, "3.4-IV0"),
        (9, "3.5-IV0"),
        (10, "3.5-IV1"),
        (11, "3.5-IV2"),
        (12, "3.6-IV0"),
        (13, "3.6-IV1"),
        (14, "3.6-IV2"),
        (15, "3.7-IV0"),
        (16, "3.7-IV1"),
        (17, "3.7-IV2"),
        (18, "3.7-IV3"),
        (19, "3.7-IV4"),
        (20, "3.8-IV0"),
        (21, "3.9-IV0"),
    ];
    NAMES
        .iter()
        .find(|(l, _)| *l == level)
        .map(|(_, n)| n.to_string())
}

/// The Kafka release a broker runs, judged from the versions it supports (`major.minor`), or
/// `None` when the answer matches no known release.
pub fn software_version(_versions: &HashMap<i16, (i16, i16)>) -> Option<String> {
    None
}
