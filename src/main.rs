//! kraftcheck command line. Thin: parses arguments and calls the library.

mod cli;

use anyhow::{bail, Result};
use clap::Parser;
use cli::{
    flag, AuditArgs, Cli, Command, DiffArgs, PlanArgs, RulesCommand, Sources, TargetPlatformArgs,
};
use kraftcheck::audit::{self, AuditOptions, FailOn};
use kraftcheck::collect::{self, kafka, OfflineSources};
use kraftcheck::report;
use kraftcheck::rules::{
    self,
    profiles::{ProfileId, PROFILES},
};
use kraftcheck::settings::{InputError, Usage};
use kraftcheck::{output, waivers};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    kraftcheck::progress::set_quiet(cli.quiet);
    let result = run(cli);
    kraftcheck::progress::clear();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("kraftcheck: error: {}", error_text(&e));
            ExitCode::from(2)
        }
    }
}

/// An error and its causes, as `{e:#}` shows them, with bad inputs named by their flags.
fn error_text(e: &anyhow::Error) -> String {
    e.chain()
        .map(|c| {
            if let Some(bad) = c.downcast_ref::<InputError>() {
                bad.render(flag(bad.input))
            } else if let Some(u) = c.downcast_ref::<Usage>() {
                u.render(|i| flag(i).to_string())
            } else {
                c.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(": ")
}

fn to_sources(s: &Sources) -> Result<collect::Sources> {
    if let Some(r) = s.max_requests_per_sec {
        if !(r.is_finite() && r > 0.0) {
            bail!("--max-requests-per-sec {r}: give a positive number");
        }
    }
    kafka::set_request_limits(s.max_in_flight as usize, s.max_requests_per_sec);
    let kafka = match &s.bootstrap_server {
        Some(b) => Some(
            kafka::build_config(
                b,
                s.command_config.as_deref(),
                &s.client_settings,
                s.timeout_ms,
            )?
            .with_aws(s.region.as_deref(), s.aws_profile.as_deref()),
        ),
        None if s.command_config.is_some()
            || !s.client_settings.is_empty()
            || s.bootstrap_controller.is_some() =>
        {
            bail!("--command-config, -X and --bootstrap-controller need --bootstrap-server")
        }
        None => None,
    };
    Ok(collect::Sources {
        offline: OfflineSources {
            inventory: s.inventory.clone(),
            broker_configs: s.broker_configs.clone(),
            msk_cluster: s.msk_cluster.clone(),
            inventory_lines: Default::default(),
        },
        kafka,
        aws: msk_target(s).map(|t| {
            let opts = collect::aws::AwsOptions {
                region: s.region.clone(),
                profile: s.aws_profile.clone(),
                timeout: Some(std::time::Duration::from_millis(s.timeout_ms)),
                iam: !s.no_iam,
            };
            (opts, t)
        }),
        aws_json: s.aws_json.clone(),
        clients: collect::clients::ClientSources {
            metrics: s.metrics.clone(),
            scan_deps: s.scan_deps.clone(),
            sbom: s.sbom.clone(),
            timeout: std::time::Duration::from_millis(s.timeout_ms),
            tls: kafka::https_trust(
                &s.metrics,
                s.command_config.as_deref(),
                &s.client_settings,
                s.timeout_ms,
            )?,
        },
        bootstrap_controllers: s
            .bootstrap_controller
            .iter()
            .flat_map(|b| b.split(','))
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .collect(),
        zookeeper: match &s.zookeeper {
            Some(z) => Some(collect::zookeeper::ZkSource {
                connect: z.clone(),
                timeout: std::time::Duration::from_millis(s.timeout_ms),
                tls: match &s.zk_tls_config_file {
                    Some(f) => collect::zookeeper::tls_settings(f)?,
                    None => None,
                },
                sasl: match &s.zk_jaas_config {
                    Some(f) => Some(collect::zookeeper::sasl_settings(
                        f,
                        s.zk_sasl_client_username.as_deref(),
                    )?),
                    None => None,
                },
                controller_identity: match &s.zk_controller_jaas {
                    Some(f) => collect::zookeeper::controller_identity(f)?,
                    None => Vec::new(),
                },
            }),
            None => None,
        },
        versions: collect::versions::VersionSources {
            kafka_version: s.kafka_version.clone(),
            broker_logs: s.broker_logs.clone(),
            kafka_homes: s.kafka_homes.clone(),
        },
    })
}

/// The MSK clusters to read live, if any (`--msk-cluster` names the offline one with
/// `--aws-json`).
fn msk_target(s: &Sources) -> Option<collect::aws::MskTarget> {
    match (&s.msk_cluster, s.msk_all) {
        (_, true) => Some(collect::aws::MskTarget::All),
        (Some(c), false) if s.aws_json.is_empty() => {
            Some(collect::aws::MskTarget::Cluster(c.clone()))
        }
        _ => None,
    }
}

/// A file or directory name for one cluster of `--msk-all`.
fn cluster_dir_name(inv: &kraftcheck::inventory::Inventory) -> String {
    let name = inv
        .msk
        .as_ref()
        .map(|m| format!("{}-{}", m.cluster_name, m.cluster_uuid))
        .unwrap_or_else(|| "cluster".into());
    output::file_safe(&name)
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Collect {
            sources,
            output: out,
        } => {
            if sources.msk_all {
                let Some(dir) = out else {
                    bail!("--msk-all writes one inventory per cluster: give -o DIR");
                };
                for inv in collect::collect_all(&to_sources(&sources)?)? {
                    let p = dir.join(format!("{}.json", cluster_dir_name(&inv)));
                    std::fs::create_dir_all(&dir)?;
                    output::write_atomic(&p, inv.to_json().as_bytes())?;
                    eprintln!("kraftcheck: wrote {}", p.display());
                }
                return Ok(0);
            }
            let inv = collect::collect(&to_sources(&sources)?)?;
            let _t = kraftcheck::debug::Stage::start("write inventory");
            let json = inv.to_json();
            match out {
                Some(p) => output::write_atomic(&p, json.as_bytes())?,
                None => output::to_stdout(&json)?,
            }
            Ok(0)
        }
        Command::Audit(a) => run_audit(*a),
        Command::Diff(d) => run_diff(*d),
        Command::Plan(p) => run_plan(*p),
        Command::Rules { command } => run_rules(command),
    }
}

/// `--profile` values: each a profile `allowed` takes, or the error `refusal` words.
fn profile_ids(
    given: &[String],
    allowed: impl Fn(ProfileId) -> bool,
    refusal: impl Fn(&str) -> String,
) -> Result<Vec<ProfileId>> {
    given
        .iter()
        .map(|p| match ProfileId::parse(p).filter(|&id| allowed(id)) {
            Some(id) => Ok(id),
            None => bail!("{}", refusal(p)),
        })
        .collect()
}

/// `--target-version V`: a Kafka version (checked against the cluster once it is collected).
fn check_target_version(target: Option<&str>) -> Result<()> {
    if let Some(t) = target {
        kraftcheck::version::KafkaVersion::parse(t)
            .map_err(|e| anyhow::anyhow!("--target-version: {e}"))?;
    }
    Ok(())
}

/// What audit and plan prepare alike before collecting: the target platforms, the rule pack
/// and the waivers (bad input exits 2 before anything is collected).
struct Prepared {
    rules: rules::RuleSet,
    waivers: Vec<waivers::Waiver>,
    platforms: Vec<kraftcheck::platform::Selected>,
}

impl Prepared {
    fn load(
        tp: &TargetPlatformArgs,
        rules_dir: Option<&std::path::Path>,
        waivers: Option<&std::path::Path>,
    ) -> Result<Prepared> {
        // Target platforms (issue 16): bad names or sizes exit 2 before anything is collected.
        let platforms = kraftcheck::platform::select(&tp.platforms, &tp.sizes, tp.brokers)?;
        let t = kraftcheck::debug::Stage::start("load rules");
        let rules = rules::load_rules(rules_dir)?;
        drop(t);
        let waivers = match waivers {
            Some(p) => waivers::load_waivers(p)?,
            None => vec![],
        };
        Ok(Prepared {
            rules,
            waivers,
            platforms,
        })
    }

    /// The audit of `inv` under `profiles` (empty: inferred), once `--target-version` is
    /// checked against the version the cluster runs.
    fn options(
        &self,
        inv: &kraftcheck::inventory::Inventory,
        profiles: Vec<ProfileId>,
        target: Option<&str>,
        fail_on: FailOn,
        fail_on_unknown: bool,
        inventory_file: Option<rules::InventoryFile>,
    ) -> Result<AuditOptions> {
        rules::profiles::check_target(inv, target)?;
        Ok(AuditOptions {
            profiles,
            target: target.map(str::to_string),
            waivers: self.waivers.clone(),
            fail_on,
            fail_on_unknown,
            today: chrono::Local::now().date_naive(),
            inventory_file,
            platforms: self.platforms.clone(),
        })
    }
}

fn run_audit(a: AuditArgs) -> Result<u8> {
    let profiles = profile_ids(
        &a.c.profiles,
        |_| true,
        |p| {
            format!(
                "--profile {p}: unknown profile (expected one of {})",
                PROFILES
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    )?;
    check_target_version(a.c.target_version.as_deref())?;
    let prep = Prepared::load(
        &a.target_platform,
        a.c.rules.as_deref(),
        a.c.waivers.as_deref(),
    )?;
    if a.c.sources.msk_all {
        // One report per cluster, each in its own directory under -o DIR.
        let Some(dir) = a.c.output.clone() else {
            bail!("--msk-all writes one report per cluster: give -o DIR");
        };
        let mut worst = 0u8;
        for inv in collect::collect_all(&to_sources(&a.c.sources)?)? {
            let sub = dir.join(cluster_dir_name(&inv));
            let code = audit_one(&a, &prep, &profiles, &inv, None, Some(&sub))?;
            eprintln!("kraftcheck: {}: exit {code}", sub.display());
            worst = worst.max(code);
        }
        return Ok(worst);
    }
    let sources = to_sources(&a.c.sources)?;
    let inv = collect::collect(&sources)?;
    let inventory_file = match (
        &a.c.sources.inventory,
        sources.offline.inventory_lines.get(),
    ) {
        (Some(p), Some(lines)) => Some(rules::InventoryFile {
            path: p.display().to_string(),
            lines: lines.clone(),
        }),
        (Some(p), None) => Some(rules::InventoryFile::load(p)?),
        (None, _) => None,
    };
    let code = audit_one(
        &a,
        &prep,
        &profiles,
        &inv,
        inventory_file,
        a.c.output.as_deref(),
    );
    // Freeing a million partitions one by one takes a noticeable part of a large audit, and
    // the process ends right after: leave that to the OS.
    std::mem::forget(inv);
    code
}

/// Audit one inventory and write its reports; the exit code.
fn audit_one(
    a: &AuditArgs,
    prep: &Prepared,
    profiles: &[ProfileId],
    inv: &kraftcheck::inventory::Inventory,
    inventory_file: Option<rules::InventoryFile>,
    out: Option<&std::path::Path>,
) -> Result<u8> {
    let opts = prep.options(
        inv,
        profiles.to_vec(),
        a.c.target_version.as_deref(),
        a.fail_on,
        a.fail_on_unknown,
        inventory_file,
    )?;
    let t = kraftcheck::debug::Stage::start("audit");
    let report = audit::run(&prep.rules, inv, &opts);
    drop(t);
    let mut formats = a.c.formats.clone();
    formats.dedup();
    let mut rendered = Vec::new();
    for f in &formats {
        let _t = kraftcheck::debug::Stage::start("render");
        rendered.push((f.file_name("kraftcheck"), report::render(*f, &report)?));
    }
    let out = match out {
        // --msk-all: always a directory per cluster.
        Some(d) if a.c.sources.msk_all => {
            std::fs::create_dir_all(d)?;
            Some(d.to_path_buf())
        }
        other => other.map(|p| p.to_path_buf()),
    };
    let t = kraftcheck::debug::Stage::start("write reports");
    output::write_all(output::plan(rendered, out.as_deref())?)?;
    drop(t);
    for n in &report.waiver_notices {
        eprintln!("kraftcheck: waiver {}: {}", n.kind, n.message);
    }
    let code = audit::exit_code(&report, a.fail_on, a.fail_on_unknown) as u8;
    // As for the inventory (see run_audit): tens of thousands of findings are freed by the OS.
    std::mem::forget(report);
    Ok(code)
}

fn run_rules(cmd: RulesCommand) -> Result<u8> {
    match cmd {
        RulesCommand::List { rules: dir } => {
            let set = rules::load_rules(dir.as_deref())?;
            output::to_stdout(&kraftcheck::report::rules_table(&set))?;
            Ok(0)
        }
        RulesCommand::Explain { id, rules: dir } => {
            let set = rules::load_rules(dir.as_deref())?;
            let Some(r) = set.get(&id) else {
                bail!("no rule with id '{id}' (see `kraftcheck rules list`)");
            };
            output::to_stdout(&kraftcheck::report::explain(r))?;
            Ok(0)
        }
        RulesCommand::Test { dir } => {
            let set = rules::load_rules(dir.as_deref())?;
            let outcomes = rules::run_examples(&set);
            let failed: Vec<_> = outcomes.iter().filter(|o| !o.ok).collect();
            for o in &failed {
                eprintln!(
                    "FAIL {} ({}) example {}: expected {}, got {}{}",
                    o.rule_id,
                    o.origin,
                    o.index,
                    o.expect,
                    o.got,
                    if o.note.is_empty() {
                        String::new()
                    } else {
                        format!(" — {}", o.note)
                    }
                );
            }
            output::to_stdout(&format!(
                "rules test: {} rules, {} examples: {} passed, {} failed\n",
                set.rules.len(),
                outcomes.iter().filter(|o| o.index > 0).count(),
                outcomes.iter().filter(|o| o.ok).count(),
                failed.len()
            ))?;
            Ok(if failed.is_empty() { 0 } else { 1 })
        }
    }
}

/// One side of a diff: (inventory, source label, file text).
fn diff_side(
    name: &str,
    bootstrap: Option<&str>,
    command_config: Option<&std::path::Path>,
    files: &mut std::vec::IntoIter<PathBuf>,
    timeout_ms: u64,
) -> Result<(
    kraftcheck::inventory::Inventory,
    String,
    Option<kraftcheck::inventory::LineIndex>,
)> {
    if let Some(b) = bootstrap {
        let src = collect::Sources {
            kafka: Some(kafka::build_config(b, command_config, &[], timeout_ms)?),
            ..Default::default()
        };
        let inv = collect::collect(&src)?;
        let label = inv
            .sources
            .first()
            .cloned()
            .unwrap_or_else(|| format!("bootstrap:{b}"));
        return Ok((inv, label, None));
    }
    if command_config.is_some() {
        bail!("--{name}-command-config needs --{name}-bootstrap-server");
    }
    let Some(path) = files.next() else {
        bail!(
            "give the {name} side: {}.json or --{name}-bootstrap-server",
            name.to_uppercase()
        );
    };
    // The line index is built while the inventory is parsed: the file is not read again.
    let (mut inv, lines) = kraftcheck::inventory::load_inventory(&path)?;
    collect::phase::infer(&mut inv);
    Ok((inv, path.display().to_string(), Some(lines)))
}

fn run_diff(d: DiffArgs) -> Result<u8> {
    use kraftcheck::diff;
    let path = match d.profile.as_deref() {
        None => None,
        Some("inplace" | "msk-inplace") => Some(diff::Path::Inplace),
        Some("new-cluster") => Some(diff::Path::NewCluster),
        Some(p) => bail!("--profile {p}: diff compares inplace, msk-inplace or new-cluster moves"),
    };
    if d.source_alias.is_some() && path == Some(diff::Path::Inplace) {
        bail!(
            "--source-alias is for a new cluster fed by MirrorMaker 2, not an in-place migration"
        );
    }
    let mut files = d.files.clone().into_iter();
    let (old, old_source, old_lines) = diff_side(
        "old",
        d.old_bootstrap_server.as_deref(),
        d.old_command_config.as_deref(),
        &mut files,
        d.timeout_ms,
    )?;
    let (new, new_source, _) = diff_side(
        "new",
        d.new_bootstrap_server.as_deref(),
        d.new_command_config.as_deref(),
        &mut files,
        d.timeout_ms,
    )?;
    if files.next().is_some() {
        bail!("too many files: a side given with --old/--new-bootstrap-server takes no file");
    }
    let opts = diff::DiffOptions {
        path: if d.source_alias.is_some() && path.is_none() {
            Some(diff::Path::NewCluster)
        } else {
            path
        },
        source_alias: d.source_alias.clone(),
        old_source,
        new_source,
        old_lines,
    };
    let result = diff::compare(&old, &new, &opts);
    let mut formats = d.formats.clone();
    formats.dedup();
    let mut rendered = Vec::new();
    for f in &formats {
        rendered.push((
            f.file_name("kraftcheck-diff"),
            diff::render(*f, &result, &opts)?,
        ));
    }
    output::write_all(output::plan(rendered, d.output.as_deref())?)?;
    Ok(result.exit_code())
}

fn run_plan(a: PlanArgs) -> Result<u8> {
    use kraftcheck::plan;
    let planned = |id: ProfileId| plan::PLAN_PROFILES.contains(&id.as_str());
    let chosen = profile_ids(&a.c.profiles, planned, |p| {
        format!(
            "--profile {p}: plan covers {}",
            plan::PLAN_PROFILES.join(", ")
        )
    })?;
    if a.c.sources.msk_all {
        bail!("plan works on one cluster: give --msk-cluster instead of --msk-all");
    }
    check_target_version(a.c.target_version.as_deref())?;
    let mut formats = a.c.formats.clone();
    formats.dedup();
    // Before collecting: a format plans are not written in is refused at once.
    for f in &formats {
        f.plan_renderer()?;
    }
    let sources = to_sources(&a.c.sources)?;
    let new_msk = match a.new_msk_cluster.as_deref() {
        None => None,
        Some(arn) if arn.starts_with("arn:") => Some(plan::msk::ClusterArn::parse(arn)?),
        Some(f) if std::path::Path::new(f).is_file() => {
            Some(plan::msk::arn_from_json(std::path::Path::new(f))?)
        }
        Some(name) => match &sources.aws {
            Some((opts, _)) if !name.contains(['/', ':']) => Some(plan::msk::ClusterArn::parse(
                &collect::aws::cluster_arn_by_name(opts, name)
                    .map_err(|e| e.context(format!("--new-msk-cluster {name}")))?,
            )?),
            _ => bail!(
                "--new-msk-cluster {name}: expected arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID, a describe-cluster-v2 JSON file, or (with --msk-cluster, read live) a cluster name"
            ),
        },
    };
    let prep = Prepared::load(
        &a.target_platform,
        a.c.rules.as_deref(),
        a.c.waivers.as_deref(),
    )?;
    let inv = collect::collect(&sources)?;
    let mut profiles = if chosen.is_empty() {
        rules::profiles::infer(&inv)
            .into_iter()
            .filter(|&id| planned(id))
            .collect()
    } else {
        chosen
    };
    // A target platform is a new cluster (as in audit).
    if !prep.platforms.is_empty() && !profiles.contains(&ProfileId::NewCluster) {
        profiles.push(ProfileId::NewCluster);
    }
    // check_target before "no path applies", as before.
    let opts = prep.options(
        &inv,
        profiles.clone(),
        a.c.target_version.as_deref(),
        FailOn::Blocking,
        false,
        None,
    )?;
    if profiles.is_empty() {
        bail!("no migration path applies to this cluster (already on KRaft?): choose one with --profile");
    }
    let report = audit::run(&prep.rules, &inv, &opts);
    let names: Vec<String> = profiles.iter().map(|p| p.to_string()).collect();
    let mut the_plan = plan::build(&prep.rules, &inv, &report, &names);
    if let Some(new) = &new_msk {
        plan::attach_iam(&mut the_plan, plan::iam::for_inventory(&inv, new)?);
    }
    let mut rendered = Vec::new();
    for f in &formats {
        rendered.push((f.file_name("plan"), plan::render::render(*f, &the_plan)?));
    }
    if let Some(dir) = &a.c.output {
        if dir.exists() && !dir.is_dir() {
            bail!("-o {}: exists and is not a directory", dir.display());
        }
        let scripts_dir = dir.join("recreate");
        std::fs::create_dir_all(&scripts_dir)
            .map_err(|e| anyhow::anyhow!("-o {}: cannot create: {e}", scripts_dir.display()))?;
        for (name, body) in plan::scripts::generate(&inv) {
            let p = scripts_dir.join(name);
            output::write_atomic(&p, body.as_bytes())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755))?;
            }
        }
        for (name, body) in plan::msk::generate(&inv, &report, new_msk.as_ref())? {
            let p = dir.join("msk").join(name);
            if let Some(d) = p.parent() {
                std::fs::create_dir_all(d)?;
            }
            output::write_atomic(&p, body.as_bytes())?;
        }
        eprintln!("kraftcheck: wrote the plan and {}", scripts_dir.display());
    }
    output::write_all(output::plan(rendered, a.c.output.as_deref())?)?;
    Ok(0)
}
