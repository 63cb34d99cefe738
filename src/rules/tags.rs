//! Rule tags: what the report sections select findings by (issue 14), never a rule id or the
//! words of a title. A rule file names its tags (`tags = ["msk-prereq-state"]`); each must be
//! one of [`Tag::ALL`] (an unknown tag is a load error naming the file and field). The Tags
//! section of `docs/rules.md` is generated from this table.

use std::fmt;

/// A tag a rule may carry. Spelled in kebab case in rule files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tag {
    MskPrereqVersion,
    MskPrereqZones,
    MskPrereqState,
    MskPrereqZookeeperAccess,
    MskPrereqPublicMonitoring,
    MskPrereqInstanceType,
    MskPrereqAdvertisedListeners,
    MskPrereqTargetVersion,
    ZookeeperDirectUse,
    MskSecretPrefix,
    MskSecretKmsKey,
    IamStatement,
    IamClusterUuid,
    ClientCompatibility,
}

/// One row of the tag table: the spelling, and what a rule carrying the tag is selected for.
pub struct TagDef {
    pub tag: Tag,
    pub name: &'static str,
    pub doc: &'static str,
}

impl Tag {
    /// Every tag, in the order `docs/rules.md` lists them.
    pub const ALL: &'static [TagDef] = &[
        TagDef {
            tag: Tag::MskPrereqVersion,
            name: "msk-prereq-version",
            doc: "MSK in-place migration checklist, prerequisite a (Kafka 3.9.x in ZooKeeper mode)",
        },
        TagDef {
            tag: Tag::MskPrereqZones,
            name: "msk-prereq-zones",
            doc: "MSK in-place checklist, prerequisite b (Standard brokers in three Availability Zones)",
        },
        TagDef {
            tag: Tag::MskPrereqState,
            name: "msk-prereq-state",
            doc: "MSK in-place checklist, prerequisite c (ACTIVE, no pending operation)",
        },
        TagDef {
            tag: Tag::MskPrereqZookeeperAccess,
            name: "msk-prereq-zookeeper-access",
            doc: "MSK in-place checklist, prerequisite e (ZooKeeper client access turned off)",
        },
        TagDef {
            tag: Tag::MskPrereqPublicMonitoring,
            name: "msk-prereq-public-monitoring",
            doc: "MSK in-place checklist, prerequisite g (not public access and open monitoring together)",
        },
        TagDef {
            tag: Tag::MskPrereqInstanceType,
            name: "msk-prereq-instance-type",
            doc: "MSK in-place checklist, prerequisite h (no kafka.t3.small brokers)",
        },
        TagDef {
            tag: Tag::MskPrereqAdvertisedListeners,
            name: "msk-prereq-advertised-listeners",
            doc: "MSK in-place checklist, prerequisite i (no dynamically set advertised.listeners)",
        },
        TagDef {
            tag: Tag::MskPrereqTargetVersion,
            name: "msk-prereq-target-version",
            doc: "MSK in-place checklist, the `target` line (MSK offers the `.kraft` version)",
        },
        TagDef {
            tag: Tag::ZookeeperDirectUse,
            name: "zookeeper-direct-use",
            doc: "MSK in-place checklist, prerequisites d (every finding) and f (findings with evidence `kind` = `zk-tool-usage`): code or scripts that reach ZooKeeper directly",
        },
        TagDef {
            tag: Tag::MskSecretPrefix,
            name: "msk-secret-prefix",
            doc: "MSK re-creation list, SCRAM secrets: failing findings' evidence `count` of secrets that cannot be associated for their name",
        },
        TagDef {
            tag: Tag::MskSecretKmsKey,
            name: "msk-secret-kms-key",
            doc: "MSK re-creation list, SCRAM secrets: failing findings' evidence `count` of secrets that cannot be associated for their KMS key",
        },
        TagDef {
            tag: Tag::IamStatement,
            name: "iam-statement",
            doc: "MSK IAM section (statements and principals, from evidence `principals`, `pinned`, `resources`, `actions`, `policy`) and the client checklist's re-apply item (failing statements)",
        },
        TagDef {
            tag: Tag::IamClusterUuid,
            name: "iam-cluster-uuid",
            doc: "MSK re-creation list: failing findings count the IAM statements that name the old cluster's UUID",
        },
        TagDef {
            tag: Tag::ClientCompatibility,
            name: "client-compatibility",
            doc: "client checklist, Compatibility Checks: client libraries, protocol versions and ZooKeeper access (with area `kafka4` for the removed-API item)",
        },
    ];

    pub fn def(self) -> &'static TagDef {
        Tag::ALL
            .iter()
            .find(|d| d.tag == self)
            .expect("every tag has a row in Tag::ALL")
    }

    pub fn name(self) -> &'static str {
        self.def().name
    }

    pub fn parse(s: &str) -> Option<Tag> {
        Tag::ALL.iter().find(|d| d.name == s).map(|d| d.tag)
    }

    /// "a, b, c" of every spelling, for error messages.
    pub fn names() -> String {
        Tag::ALL
            .iter()
            .map(|d| d.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A rule's `tags`, checked against [`Tag::ALL`]; a repeated tag is an error too.
pub fn parse_tags(tags: &[String]) -> Result<Vec<Tag>, String> {
    let mut out: Vec<Tag> = Vec::new();
    for t in tags {
        let tag = Tag::parse(t)
            .ok_or_else(|| format!("unknown tag '{t}' (expected one of {})", Tag::names()))?;
        if out.contains(&tag) {
            return Err(format!("tag '{t}' is given twice"));
        }
        out.push(tag);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tag_has_one_row_and_round_trips() {
        let mut names: Vec<&str> = Tag::ALL.iter().map(|d| d.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Tag::ALL.len());
        for d in Tag::ALL {
            assert_eq!(Tag::parse(d.name), Some(d.tag));
            assert_eq!(d.tag.name(), d.name);
            assert!(!d.doc.is_empty());
        }
    }

    #[test]
    fn unknown_and_repeated_tags_are_errors() {
        let e = parse_tags(&["msk-prereq-zone".into()]).unwrap_err();
        assert!(e.contains("unknown tag 'msk-prereq-zone'"), "{e}");
        assert!(e.contains("msk-prereq-zones"), "{e}");
        let e = parse_tags(&["iam-statement".into(), "iam-statement".into()]).unwrap_err();
        assert!(e.contains("twice"), "{e}");
        assert_eq!(
            parse_tags(&["iam-statement".into()]).unwrap(),
            vec![Tag::IamStatement]
        );
    }
}
