//! Broker configs: the dynamic cluster-wide defaults (by key), each broker's dynamic configs
//! (by broker id, then key; carried by other means when every new broker has the value) and
//! the static `server.properties` values (by broker id, then key).

use super::*;
use crate::diff::expected::config_key_reason;

const DYNAMIC_BROKER: &str = "DYNAMIC_BROKER_CONFIG";
const DYNAMIC_DEFAULT: &str = "DYNAMIC_DEFAULT_BROKER_CONFIG";
const STATIC: &str = "STATIC_BROKER_CONFIG";

/// Brokers that are brokers (not KRaft controllers), with their inventory index.
fn data_brokers(inv: &Inventory) -> Vec<(usize, &Broker)> {
    inv.brokers
        .iter()
        .enumerate()
        .filter(|(_, b)| !is_controller_only(b))
        .collect()
}

/// The cluster-wide dynamic defaults, as the brokers report them.
fn dynamic_defaults(inv: &Inventory) -> BTreeMap<String, (usize, ConfigEntry)> {
    let mut out = BTreeMap::new();
    for (i, b) in data_brokers(inv) {
        for (k, e) in &b.configs {
            if e.source == DYNAMIC_DEFAULT {
                out.entry(k.clone()).or_insert((i, e.clone()));
            }
        }
    }
    out
}

/// A broker's configs from one source, keyed.
fn from_source<'b>(
    b: &'b Broker,
    source: &'b str,
) -> impl Iterator<Item = (&'b String, (&'b String, &'b ConfigEntry))> {
    b.configs
        .iter()
        .filter(move |(_, e)| e.source == source)
        .map(|(k, e)| (k, (k, e)))
}

pub(super) fn broker_configs<'a>(cx: &mut Ctx<'a>) {
    if cx.part_gap("brokers.configs").is_some() {
        cx.unknown_if_gap(Category::BrokerConfigs, "brokers.configs");
        cx.unknown_if_gap(Category::BrokerDefaults, "brokers.configs");
        return;
    }
    let (old_b, new_b) = (data_brokers(cx.old), data_brokers(cx.new));
    let new_defaults = dynamic_defaults(cx.new);
    // Carried by other means: every broker of the new side has the value, whatever its source.
    let everywhere = |k: &str, e: &ConfigEntry| {
        !new_b.is_empty()
            && new_b
                .iter()
                .all(|(_, b)| b.configs.get(k).is_some_and(|n| same_value(e, n)))
    };
    // Cluster-wide defaults.
    let at = At::new(Category::BrokerDefaults, "cluster", "");
    let old_defaults = dynamic_defaults(cx.old);
    fn keyed(
        m: &BTreeMap<String, (usize, ConfigEntry)>,
    ) -> impl Iterator<Item = (&String, (&String, usize, &ConfigEntry))> {
        m.iter().map(|(k, (i, e))| (k, (k, *i, e)))
    }
    for p in pair(keyed(&old_defaults), keyed(&new_defaults)) {
        let d = match p {
            Pair::Old((k, i, e)) | Pair::Both((k, i, e), _) => {
                let new_e = match p {
                    Pair::Both(_, (_, _, n)) => Some(n),
                    _ => None,
                };
                let at = at.pointer(format!("/brokers/{i}/configs/{}", ptr_key(k)));
                if new_e.is_some_and(|n| same_value(e, n)) || (new_e.is_none() && everywhere(k, e))
                {
                    None
                } else {
                    let nv = new_e.map(val);
                    Some(
                        match config_key_reason(k, e.value.as_deref(), nv.as_deref()) {
                            Some(why) => at.item(
                                Status::Expected,
                                k,
                                Some(val(e)),
                                nv,
                                format!("Dynamic default {k} differs: {why}."),
                            ),
                            None => {
                                let message = match &nv {
                                Some(n) => format!("The dynamic cluster default {k} is {n} instead of {}.", val(e)),
                                None => format!(
                                    "The dynamic cluster default {k}={} is missing on the new side (neither a dynamic default nor set on every broker), so Kafka's default applies.",
                                    val(e)
                                ),
                            };
                                let status = if nv.is_some() {
                                    Status::Changed
                                } else {
                                    Status::Missing
                                };
                                at.item(status, k, Some(val(e)), nv, message)
                            }
                        },
                    )
                }
            }
            Pair::New((k, i, e)) => Some(
                at.pointer(format!("/brokers/{i}/configs/{}", ptr_key(k)))
                    .item(
                        Status::Added,
                        k,
                        None,
                        Some(val(e)),
                        format!(
                            "The dynamic cluster default {k}={} is only on the new side.",
                            val(e)
                        ),
                    ),
            ),
        };
        cx.same_or(Category::BrokerDefaults, d);
    }
    // Per-broker dynamic configs, matched by broker id where the ids are kept.
    let broker_gap = |inv: &Inventory, id: i64| {
        inv.gap_for("brokers.configs", Some(&format!("broker:{id}")))
            .is_some()
    };
    let by_id = |&(i, b): &(usize, &'a Broker)| (b.id, (i, b));
    for p in pair(old_b.iter().map(by_id), new_b.iter().map(by_id)) {
        let (old, new) = match p {
            Pair::Old(o) => (Some(o), None),
            Pair::Both(o, n) => (Some(o), Some(n)),
            Pair::New(n) => (None, Some(n)),
        };
        let Some((i, b)) = old else {
            // a broker only on the new side: its dynamic configs are additions
            let (i, n) = new.expect("a pair has a side");
            let at = At::new(Category::BrokerConfigs, format!("broker:{}", n.id), "");
            for (k, e) in n.configs.iter().filter(|(_, e)| e.source == DYNAMIC_BROKER) {
                let at = at.pointer(format!("/brokers/{i}/configs/{}", ptr_key(k)));
                let message = format!(
                    "Broker {}: {k}={} is set dynamically on the new side only.",
                    n.id,
                    val(e)
                );
                cx.push(at.item(Status::Added, k, None, Some(val(e)), message));
            }
            continue;
        };
        let at = At::new(Category::BrokerConfigs, format!("broker:{}", b.id), "");
        let unknown = b.configs.values().any(|e| e.source == DYNAMIC_BROKER)
            && (broker_gap(cx.old, b.id) || new.is_some_and(|(_, n)| broker_gap(cx.new, n.id)));
        if unknown {
            // the new side's own dynamic configs are still compared below
            cx.push(at.pointer(format!("/brokers/{i}")).item(
                Status::Unknown,
                "configs",
                None,
                None,
                format!(
                    "Not compared: the configs of broker {} could not be read on one side.",
                    b.id
                ),
            ));
        }
        let new_dynamic: Vec<_> = new
            .map(|(_, n)| from_source(n, DYNAMIC_BROKER).collect())
            .unwrap_or_default();
        for p in pair(from_source(b, DYNAMIC_BROKER), new_dynamic) {
            let d = match p {
                Pair::Old((k, e)) | Pair::Both((k, e), _) => {
                    if unknown {
                        continue;
                    }
                    let at = at.pointer(format!("/brokers/{i}/configs/{}", ptr_key(k)));
                    let (status, nv, message) = match new {
                        Some((_, n)) => match n.configs.get(k) {
                            Some(ne) if same_value(e, ne) => {
                                cx.same(Category::BrokerConfigs);
                                continue;
                            }
                            Some(ne) => (
                                Status::Changed,
                                Some(val(ne)),
                                format!("Broker {}: {k} is {} instead of {} (set dynamically for this broker before).", b.id, val(ne), val(e)),
                            ),
                            None => (
                                Status::Missing,
                                None,
                                format!("Broker {}: the dynamic setting {k}={} is missing on the new side, so Kafka's default applies.", b.id, val(e)),
                            ),
                        },
                        None => {
                            let carried = new_defaults.get(k).is_some_and(|(_, n)| same_value(e, n)) || everywhere(k, e);
                            if carried {
                                cx.same(Category::BrokerConfigs);
                                continue;
                            }
                            (
                                Status::Missing,
                                new_defaults.get(k).map(|(_, n)| val(n)),
                                format!(
                                    "Broker {} is not on the new side (ids not kept) and its dynamic setting {k}={} is neither a dynamic default there nor set on every broker.",
                                    b.id,
                                    val(e)
                                ),
                            )
                        }
                    };
                    match config_key_reason(k, e.value.as_deref(), nv.as_deref()) {
                        Some(why) => at.item(
                            Status::Expected,
                            k,
                            Some(val(e)),
                            nv,
                            format!("Broker {}: {k} differs: {why}.", b.id),
                        ),
                        None => at.item(status, k, Some(val(e)), nv, message),
                    }
                }
                Pair::New((k, e)) => {
                    let (ni, n) = new.expect("a new-side config has a new broker");
                    let old_value = b.configs.get(k).map(val);
                    let at = at.pointer(format!("/brokers/{ni}/configs/{}", ptr_key(k)));
                    let message = format!(
                        "Broker {}: {k}={} is set dynamically on the new side only.",
                        n.id,
                        val(e)
                    );
                    at.item(Status::Added, k, old_value, Some(val(e)), message)
                }
            };
            cx.push(d);
        }
    }
}

pub(super) fn static_configs(cx: &mut Ctx) {
    if cx.part_gap("brokers.configs").is_some() {
        return; // reported by broker_configs
    }
    let (old_b, new_b) = (data_brokers(cx.old), data_brokers(cx.new));
    for (i, b) in &old_b {
        let Some((_, n)) = new_b.iter().find(|(_, n)| n.id == b.id) else {
            continue;
        };
        let at = At::new(Category::StaticConfigs, format!("broker:{}", b.id), "");
        for p in pair(from_source(b, STATIC), from_source(n, STATIC)) {
            let (k, oe, ne) = match p {
                Pair::Both((_, a), (_, z)) if same_value(a, z) => {
                    cx.same(Category::StaticConfigs);
                    continue;
                }
                Pair::Both((k, a), (_, z)) => (k, Some(a), Some(z)),
                Pair::Old((k, a)) => (k, Some(a), None),
                Pair::New((k, z)) => (k, None, Some(z)),
            };
            let (ov, nv) = (oe.map(val), ne.map(val));
            let (status, message) = match config_key_reason(k, ov.as_deref(), nv.as_deref()) {
                Some(why) => (Status::Expected, format!("Broker {}: {k} {}: {why}.", b.id, change_words(&ov, &nv))),
                None => (
                    Status::Info,
                    format!(
                        "Broker {}: static {k} {} (server.properties is not carried by any migration: check it is intended).",
                        b.id,
                        change_words(&ov, &nv)
                    ),
                ),
            };
            let at = at.pointer(format!("/brokers/{i}/configs/{}", ptr_key(k)));
            cx.push(at.item(status, k, ov, nv, message));
        }
    }
}
