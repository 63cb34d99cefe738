//! Who may do what: ACLs (by their full binding), SCRAM users (by name, then mechanism) and
//! client quotas (by entity, then quota name).

use super::*;
use crate::inventory::{Acl, Quota, ScramCredential, ScramUser};

pub(super) fn acl_resource(a: &Acl) -> String {
    format!(
        "acl:{} {} {} {}:{}:{} from {}",
        a.permission,
        a.principal,
        a.operation,
        a.resource_type,
        a.pattern_type,
        a.resource_name,
        a.host
    )
}

pub(super) fn quota_resource(entity: &BTreeMap<String, String>) -> String {
    let parts: Vec<String> = entity
        .iter()
        .map(|(k, v)| format!("{k}={}", if v.is_empty() { "<default>" } else { v }))
        .collect();
    format!("quota:{}", parts.join(","))
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

pub(super) fn acls(cx: &mut Ctx) {
    if cx.unknown_if_gap(Category::Acls, "acls") {
        return;
    }
    // an old ACL on a topic is looked for under the topic's name on the new side
    let mapped = |a: &Acl| -> Acl {
        let mut a = a.clone();
        if a.resource_type == "TOPIC" && a.resource_name != "*" {
            a.resource_name = cx.map_topic(&a.resource_name);
        }
        a
    };
    let old = cx.old.acls.iter().enumerate().map(|(i, a)| {
        let m = mapped(a);
        (acl_resource(&m), (i, a, m))
    });
    let new = cx
        .new
        .acls
        .iter()
        .enumerate()
        .map(|(i, a)| (acl_resource(a), (i, a)));
    let pairs: Vec<_> = pair(old.collect::<Vec<_>>(), new);
    for p in pairs {
        let d = match p {
            Pair::Both(..) => None,
            Pair::Old((i, a, m)) => {
                let at = At::new(Category::Acls, acl_resource(a), format!("/acls/{i}"));
                Some(at.item(
                    Status::Missing,
                    "",
                    Some(format!(
                        "{} {} on {} {} '{}'",
                        a.permission, a.operation, a.resource_type, a.pattern_type, a.resource_name
                    )),
                    None,
                    format!(
                        "ACL {} {} for {} (host {}) on {} {} '{}' is missing on the new side{}.",
                        a.permission,
                        a.operation,
                        a.principal,
                        a.host,
                        a.resource_type,
                        a.pattern_type,
                        m.resource_name,
                        if a.permission == "DENY" {
                            ": what it denied is allowed again"
                        } else {
                            ": the principal loses this right"
                        }
                    ),
                ))
            }
            Pair::New((i, a)) => {
                let at = At::new(Category::Acls, acl_resource(a), format!("/acls/{i}"));
                Some(at.item(
                    Status::Added,
                    "",
                    None,
                    Some(format!("{} {}", a.permission, a.operation)),
                    format!(
                        "ACL {} {} for {} on {} {} '{}' is only on the new side.",
                        a.permission,
                        a.operation,
                        a.principal,
                        a.resource_type,
                        a.pattern_type,
                        a.resource_name
                    ),
                ))
            }
        };
        cx.same_or(Category::Acls, d);
    }
}

pub(super) fn scram<'a>(cx: &mut Ctx<'a>) {
    if cx.unknown_if_gap(Category::ScramUsers, "scram_users") {
        return;
    }
    let side = |inv: &'a Inventory| indexed(&inv.scram_users, |u| u.name.clone());
    let mechs = |u: &ScramUser| {
        u.credentials
            .iter()
            .map(|c| format!("{} ({} iterations)", c.mechanism, c.iterations))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for p in pair(side(cx.old), side(cx.new)) {
        match p {
            Pair::Old((i, u)) => {
                let at = At::new(
                    Category::ScramUsers,
                    format!("scram-user:{}", u.name),
                    format!("/scram_users/{i}"),
                );
                cx.push(at.item(
                    Status::Missing,
                    "",
                    Some(mechs(u)),
                    None,
                    format!(
                        "SCRAM user {} ({}) is missing on the new side: clients that log in as {} are refused.",
                        u.name,
                        mechs(u),
                        u.name
                    ),
                ));
            }
            Pair::Both((i, u), (ni, nu)) => {
                let at = At::new(
                    Category::ScramUsers,
                    format!("scram-user:{}", u.name),
                    format!("/scram_users/{i}"),
                );
                let mechanism = |c: &ScramCredential| c.mechanism.clone();
                for p in pair(
                    indexed(&u.credentials, mechanism),
                    indexed(&nu.credentials, mechanism),
                ) {
                    let d = match p {
                        Pair::Both((_, c), (_, n)) if n.iterations == c.iterations => None,
                        Pair::Both((_, c), (_, n)) => Some(at.item(
                            Status::Changed,
                            &c.mechanism,
                            Some(format!("{} iterations", c.iterations)),
                            Some(format!("{} iterations", n.iterations)),
                            format!(
                                "SCRAM user {} {}: {} iterations instead of {}: the credential was re-created (with which password?).",
                                u.name, c.mechanism, n.iterations, c.iterations
                            ),
                        )),
                        Pair::Old((_, c)) => Some(at.item(
                            Status::Missing,
                            &c.mechanism,
                            Some(format!("{} iterations", c.iterations)),
                            None,
                            format!(
                                "SCRAM user {} has no {} credential on the new side: clients using {} cannot log in.",
                                u.name, c.mechanism, c.mechanism
                            ),
                        )),
                        Pair::New((_, n)) => Some(at.pointer(format!("/scram_users/{ni}")).item(
                            Status::Added,
                            &n.mechanism,
                            None,
                            Some(format!("{} iterations", n.iterations)),
                            format!(
                                "SCRAM user {} has a {} credential on the new side only.",
                                u.name, n.mechanism
                            ),
                        )),
                    };
                    cx.same_or(Category::ScramUsers, d);
                }
            }
            Pair::New((i, u)) => {
                let at = At::new(
                    Category::ScramUsers,
                    format!("scram-user:{}", u.name),
                    format!("/scram_users/{i}"),
                );
                let mechanisms = u
                    .credentials
                    .iter()
                    .map(|c| c.mechanism.clone())
                    .collect::<Vec<_>>()
                    .join(", ");
                let message = format!("SCRAM user {} is only on the new side.", u.name);
                cx.push(at.item(Status::Added, "", None, Some(mechanisms), message));
            }
        }
    }
}

pub(super) fn quotas<'a>(cx: &mut Ctx<'a>) {
    if cx.unknown_if_gap(Category::Quotas, "quotas") {
        return;
    }
    let side = |inv: &'a Inventory| indexed(&inv.quotas, |q| q.entity.clone());
    let settings = |v: &BTreeMap<String, f64>| {
        v.iter()
            .map(|(k, x)| format!("{k}={}", fmt_num(*x)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for p in pair(side(cx.old), side(cx.new)) {
        match p {
            Pair::Old((i, q)) => {
                let resource = quota_resource(&q.entity);
                let who = resource.trim_start_matches("quota:").to_string();
                let at = At::new(Category::Quotas, resource, format!("/quotas/{i}"));
                cx.push(at.item(
                    Status::Missing,
                    "",
                    Some(settings(&q.values)),
                    None,
                    format!(
                        "The quota for {who} ({}) is missing on the new side: those clients are no longer throttled.",
                        settings(&q.values)
                    ),
                ));
            }
            Pair::Both((i, q), (_, nq)) => {
                let resource = quota_resource(&q.entity);
                let who = resource.trim_start_matches("quota:").to_string();
                let at = At::new(Category::Quotas, resource, format!("/quotas/{i}"));
                fn values(q: &Quota) -> impl Iterator<Item = (&String, (&String, f64))> {
                    q.values.iter().map(|(k, v)| (k, (k, *v)))
                }
                for p in pair(values(q), values(nq)) {
                    let d = match p {
                        Pair::Both((_, v), (_, n)) if (n - v).abs() <= 1e-9 * v.abs().max(1.0) => {
                            None
                        }
                        Pair::Both((k, v), (_, n)) => Some(at.item(
                            Status::Changed,
                            k,
                            Some(fmt_num(v)),
                            Some(fmt_num(n)),
                            format!(
                                "The quota {k} for {who} is {} instead of {}.",
                                fmt_num(n),
                                fmt_num(v)
                            ),
                        )),
                        Pair::Old((k, v)) => Some(at.item(
                            Status::Missing,
                            k,
                            Some(fmt_num(v)),
                            None,
                            format!(
                                "The quota {k}={} for {who} is missing on the new side.",
                                fmt_num(v)
                            ),
                        )),
                        Pair::New((k, n)) => Some(at.item(
                            Status::Added,
                            k,
                            None,
                            Some(fmt_num(n)),
                            format!(
                                "The quota {k}={} for {who} is only on the new side.",
                                fmt_num(n)
                            ),
                        )),
                    };
                    cx.same_or(Category::Quotas, d);
                }
            }
            Pair::New((i, q)) => {
                let resource = quota_resource(&q.entity);
                let who = resource.trim_start_matches("quota:").to_string();
                let at = At::new(Category::Quotas, resource, format!("/quotas/{i}"));
                let message = format!("The quota for {who} is only on the new side.");
                cx.push(at.item(Status::Added, "", None, Some(settings(&q.values)), message));
            }
        }
    }
}
