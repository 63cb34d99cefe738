//! The migration steps of each path, in order. Rule files name the step they gate
//! (`steps = ["inplace.broker-configs"]`); the loader checks those names against [`STEPS`].
//!
//! Rollbacks for the in-place path follow the revert table of the Kafka 3.9 documentation
//! (ops.html, "Reverting to ZooKeeper mode During the Migration").

/// One step of a migration path.
pub struct StepDef {
    /// `PROFILE.step`, the name rule files use.
    pub id: &'static str,
    /// The path (rule profile) the step belongs to.
    pub profile: &'static str,
    pub title: &'static str,
    /// What to do.
    pub what: &'static str,
    /// The kraftcheck command that checks the step.
    pub check: &'static str,
    /// The rollback available once this step is done.
    pub rollback: &'static str,
    /// No way back once this step is done.
    pub irreversible: bool,
    /// In-place path: the first migration phase at which this step is done (index into
    /// [`crate::collect::phase::PHASES`]); `None` when the collected phase cannot tell.
    pub done_from: Option<usize>,
}

/// Phase indexes (see `collect::phase::PHASES`).
const PRE_MIGRATION: usize = 1;
const DUAL_WRITE: usize = 2;
const KRAFT_BROKERS: usize = 3;
const FINALIZED: usize = 4;

const REVERT_NOTHING: &str = "Nothing to revert: the cluster has not left ZooKeeper mode.";
const REVERT_CONTROLLERS: &str =
    "Deprovision the KRaft controller quorum (stop the controllers, delete their log directories).";
const REVERT_MIGRATION_MODE: &str = "Deprovision the KRaft controller quorum; in zookeeper-shell.sh run `rmr /controller` (quickly: the cluster has no controller meanwhile), then `get /migration` (keep it for debugging) and `rmr /migration`; on each broker remove zookeeper.metadata.migration.enable, controller.listener.names and controller.quorum.bootstrap.servers (or voters), replace node.id with broker.id, and roll the brokers. Before 3.7.1 also delete each broker's __cluster_metadata log before a retry (KAFKA-16463).";
const REVERT_KRAFT_BROKERS: &str = "On each broker remove process.roles, replace node.id with broker.id, restore zookeeper.connect (and other zookeeper.* settings), roll the brokers; deprovision the controllers; `rmr /controller`; remove zookeeper.metadata.migration.enable, controller.listener.names and controller.quorum.bootstrap.servers and roll the brokers a second time (in this order).";

pub const STEPS: &[StepDef] = &[
    // --- in place (KIP-866) -----------------------------------------------------------------
    StepDef {
        id: "inplace.versions",
        profile: "inplace",
        title: "Bring every broker to the same 3.9.x and inter.broker.protocol.version",
        what: "Rolling upgrade of every broker to one 3.9.x release, then set inter.broker.protocol.version to the same 3.9 value everywhere (metadata.version the controllers will use).",
        check: "kraftcheck audit --bootstrap-server B --kafka-home DIR --profile inplace   (exact versions: --kafka-version / --broker-log / --kafka-home)",
        rollback: "Rolling downgrade is possible while inter.broker.protocol.version has not been raised (Kafka upgrade notes); nothing of the migration has started.",
        irreversible: false,
        done_from: Some(PRE_MIGRATION),
    },
    StepDef {
        id: "inplace.broker-configs",
        profile: "inplace",
        title: "Fix broker configs for the migration",
        what: "Broker ids, listeners, authorizer, JBOD, delegation tokens and other broker settings the migration needs (the findings below); roll the brokers.",
        check: "kraftcheck audit --broker-config server.properties… --profile inplace",
        rollback: REVERT_NOTHING,
        irreversible: false,
        done_from: Some(PRE_MIGRATION),
    },
    StepDef {
        id: "inplace.controllers",
        profile: "inplace",
        title: "Provision the KRaft controllers (formatted with the cluster id)",
        what: "`kafka-storage.sh format -t <the /cluster/id of ZooKeeper> -c controller.properties` on each controller; controllers carry zookeeper.metadata.migration.enable=true, zookeeper.connect (and the brokers' ZooKeeper identity), the brokers' inter-broker listener, authorizer and super.users. Start them.",
        check: "kraftcheck audit --bootstrap-server B --bootstrap-controller C --zookeeper Z --profile inplace   (phase: pre-migration; ZK-007 compares cluster ids)",
        rollback: REVERT_CONTROLLERS,
        irreversible: false,
        done_from: Some(PRE_MIGRATION),
    },
    StepDef {
        id: "inplace.migration-mode",
        profile: "inplace",
        title: "Brokers into migration mode",
        what: "On each broker set zookeeper.metadata.migration.enable=true, controller.quorum.bootstrap.servers (or voters) and controller.listener.names; rolling restart. The controller starts copying the metadata once every broker has registered.",
        check: "kraftcheck audit --bootstrap-server B --bootstrap-controller C --zookeeper Z --profile inplace   (phase: dual-write)",
        rollback: REVERT_MIGRATION_MODE,
        irreversible: false,
        done_from: Some(DUAL_WRITE),
    },
    StepDef {
        id: "inplace.migration-complete",
        profile: "inplace",
        title: "Wait for the metadata migration to complete",
        what: "The active controller logs \"Completed migration of metadata from ZooKeeper to KRaft\"; ZkMigrationState is MIGRATION. Take an inventory and compare it with the one taken before.",
        check: "kraftcheck collect --bootstrap-server B -o migrated.json && kraftcheck diff before.json migrated.json",
        rollback: REVERT_MIGRATION_MODE,
        irreversible: false,
        done_from: Some(KRAFT_BROKERS),
    },
    StepDef {
        id: "inplace.kraft-brokers",
        profile: "inplace",
        title: "Restart the brokers in KRaft mode",
        what: "On each broker: process.roles=broker, node.id=<broker.id>, remove zookeeper.connect and the ZooKeeper-only settings (control.plane.listener.name too), switch the authorizer to StandardAuthorizer; rolling restart.",
        check: "kraftcheck audit --bootstrap-server B --bootstrap-controller C --profile inplace   (phase: kraft-brokers)",
        rollback: REVERT_KRAFT_BROKERS,
        irreversible: false,
        done_from: Some(FINALIZED),
    },
    StepDef {
        id: "inplace.soak",
        profile: "inplace",
        title: "Soak: run on KRaft brokers with the migration still revertible",
        what: "Run production traffic for an agreed period (the Kafka docs mention users who wait a week or two) with the controllers still writing to ZooKeeper; watch clients, consumer lag and controller logs. Decide to finalize only after this.",
        check: "kraftcheck collect --bootstrap-server B -o soak.json && kraftcheck diff before.json soak.json; kraftcheck audit --bootstrap-server B --bootstrap-controller C",
        rollback: REVERT_KRAFT_BROKERS,
        irreversible: false,
        done_from: Some(FINALIZED),
    },
    StepDef {
        id: "inplace.finalize",
        profile: "inplace",
        title: "Finalize: restart the controllers without the migration (POINT OF NO RETURN)",
        what: "On each controller remove zookeeper.metadata.migration.enable and the zookeeper.* settings; rolling restart of the controllers. ZooKeeper is no longer written to and can be decommissioned afterwards.",
        check: "kraftcheck audit --bootstrap-server B --bootstrap-controller C   (phase: finalized)",
        rollback: "None: a finalized migration cannot be reverted to ZooKeeper.",
        irreversible: true,
        done_from: Some(FINALIZED),
    },
    // --- MSK in place --------------------------------------------------------------------------
    StepDef {
        id: "msk-inplace.prerequisites",
        profile: "msk-inplace",
        title: "Meet MSK's prerequisites for the in-place move",
        what: "Kafka 3.9.x on ZooKeeper, Standard brokers in three Availability Zones, ACTIVE with no operation running, ZooKeeper client access off, and the other findings below.",
        check: "kraftcheck audit --msk-cluster ARN --profile msk-inplace",
        rollback: "Nothing to revert: the cluster is unchanged.",
        irreversible: false,
        done_from: None,
    },
    StepDef {
        id: "msk-inplace.operation",
        profile: "msk-inplace",
        title: "Run the MSK operation to the .kraft version (includes finalize: irreversible)",
        what: "`aws kafka update-cluster-kafka-version --cluster-arn ARN --current-version V --target-kafka-version 3.9.x.kraft`. MSK migrates and finalizes in one operation; there is no soak stop on KRaft brokers with ZooKeeper still written, so rehearse on a staging copy of the cluster first.",
        check: "kraftcheck audit --msk-cluster ARN   (MSK-003c shows the running operation)",
        rollback: "None documented: treat the operation as irreversible (Kafka's finalize is part of it).",
        irreversible: true,
        done_from: None,
    },
    StepDef {
        id: "msk-inplace.verify",
        profile: "msk-inplace",
        title: "Verify nothing was lost",
        what: "Collect an inventory after the operation and compare it with the one taken before.",
        check: "kraftcheck collect --bootstrap-server B -o after.json && kraftcheck diff before.json after.json",
        rollback: "None (the cluster is on KRaft).",
        irreversible: false,
        done_from: None,
    },
    // --- new cluster -----------------------------------------------------------------------------
    StepDef {
        id: "new-cluster.create",
        profile: "new-cluster",
        title: "Create the KRaft target with matching settings",
        what: "Same or larger broker count and storage, the same authentication methods and listeners, the configuration (MSK: create-configuration from the old revision minus ZooKeeper-only keys), networking and encryption.",
        check: "kraftcheck audit --bootstrap-server NEW --profile kafka4",
        rollback: "Delete the new cluster; the old one is untouched.",
        irreversible: false,
        done_from: None,
    },
    StepDef {
        id: "new-cluster.recreate",
        profile: "new-cluster",
        title: "Re-create what replication does not carry",
        what: "ACLs, SCRAM users, client quotas, dynamic broker configs and topic configs: run the scripts `kraftcheck plan … -o DIR` writes (DIR/recreate/), with the new cluster's bootstrap and admin client config; SCRAM passwords come from environment variables.",
        check: "kraftcheck collect --bootstrap-server NEW -o new.json && kraftcheck diff old.json new.json --profile new-cluster",
        rollback: "Remove what was created on the new cluster; the old one is untouched.",
        irreversible: false,
        done_from: None,
    },
    StepDef {
        id: "new-cluster.iam",
        profile: "new-cluster",
        title: "Grant IAM access on the new cluster's ARN",
        what: "Every policy that names the old cluster's ARN, UUID or name gets the new cluster's (cluster, topic, group and transactional-id resources); Deny statements too. `plan -o DIR --new-msk-cluster NEW` writes them as policies added beside the old ones (DIR/msk/iam/apply-iam.sh); the old cluster keeps its grants until decommission.",
        check: "kraftcheck plan --msk-cluster OLD --profile new-cluster --new-msk-cluster NEW   (IAM readiness: every user and role that reaches the old cluster is allowed the same on the new one); kraftcheck audit --msk-cluster OLD --profile new-cluster   (MSK-006*)",
        rollback: "Detach and delete the added NAME-NEWCLUSTER policies (and inline policies); the old ones were not changed.",
        irreversible: false,
        done_from: None,
    },
    StepDef {
        id: "new-cluster.replicate",
        profile: "new-cluster",
        title: "Replicate with offset sync (MirrorMaker 2 / MSK Replicator)",
        what: "Start MirrorMaker 2 (sync.group.offsets.enabled=true, emit.checkpoints.enabled=true) or MSK Replicator with consumer group offset sync; wait until lag is near zero.",
        check: "kraftcheck diff old.json new.json --profile new-cluster [--source-alias A]",
        rollback: "Stop replication; the old cluster is still the one clients use.",
        irreversible: false,
        done_from: None,
    },
    StepDef {
        id: "new-cluster.move-clients",
        profile: "new-cluster",
        title: "Move clients group by group",
        what: "Per consumer group: stop the consumers, check the translated offsets on the new cluster, start them against the new bootstrap; then move their producers.",
        check: "kraftcheck audit --scan-deps REPO --metrics URL --profile new-cluster   (CLIENT-007: hard-coded bootstraps); kraftcheck diff old.json new.json --profile new-cluster",
        rollback: "Point the group back at the old cluster (it still has its data while replication runs).",
        irreversible: false,
        done_from: None,
    },
    StepDef {
        id: "new-cluster.verify",
        profile: "new-cluster",
        title: "Verify parity with kraftcheck diff",
        what: "Compare the old and new inventories: topics, configs, ACLs, SCRAM users, quotas, groups and translated offsets.",
        check: "kraftcheck diff old.json new.json --profile new-cluster",
        rollback: "Clients can still go back to the old cluster.",
        irreversible: false,
        done_from: None,
    },
    StepDef {
        id: "new-cluster.soak",
        profile: "new-cluster",
        title: "Soak with the old cluster kept",
        what: "Run on the new cluster for an agreed period with the old cluster (and, if wanted, reverse replication) kept, before anything is deleted.",
        check: "kraftcheck diff old.json new.json --profile new-cluster",
        rollback: "Move clients back to the old cluster.",
        irreversible: false,
        done_from: None,
    },
    StepDef {
        id: "new-cluster.decommission",
        profile: "new-cluster",
        title: "Decommission the old cluster (POINT OF NO RETURN)",
        what: "Stop replication, delete the old cluster and its ZooKeeper.",
        check: "kraftcheck diff old.json new.json --profile new-cluster   (last time, before deleting)",
        rollback: "None: the old cluster and its data are gone.",
        irreversible: true,
        done_from: None,
    },
];

/// The profiles that have a plan.
pub const PLAN_PROFILES: &[&str] = &["inplace", "msk-inplace", "new-cluster"];

pub fn step(id: &str) -> Option<&'static StepDef> {
    STEPS.iter().find(|s| s.id == id)
}

pub fn steps_of(profile: &str) -> impl Iterator<Item = &'static StepDef> + '_ {
    STEPS.iter().filter(move |s| s.profile == profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_prefixed_by_their_profile() {
        let mut seen = std::collections::HashSet::new();
        for s in STEPS {
            assert!(seen.insert(s.id), "{} twice", s.id);
            assert!(s.id.starts_with(&format!("{}.", s.profile)), "{}", s.id);
            assert!(PLAN_PROFILES.contains(&s.profile));
        }
        for p in PLAN_PROFILES {
            let n = steps_of(p).filter(|s| s.irreversible).count();
            assert_eq!(n, 1, "{p}: exactly one irreversible step");
        }
        // The soak step comes right before finalize.
        let ids: Vec<_> = steps_of("inplace").map(|s| s.id).collect();
        let f = ids.iter().position(|i| *i == "inplace.finalize").unwrap();
        assert_eq!(ids[f - 1], "inplace.soak");
    }
}
