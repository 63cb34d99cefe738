//! Which inventory parts a rule reads, derived from its compiled CEL.
//!
//! A rule's hand-kept `needs` list was the only guard against a verdict on data that was not
//! collected; a part read by the condition but missing from `needs` let the rule pass on an
//! empty list. The engine now walks the condition and evidence expressions: every variable
//! (`brokers`, `scram_users`, the scope's item), every field selected from it (`b.configs`,
//! `cluster.version`), the config helpers (`cfg(b, k)` reads `b.configs`) and the variables
//! comprehensions bind (`brokers.exists(b, …)` makes `b` a broker) name a path, and each
//! path is the part of [`super::variables`] / [`super::part_fields`] it falls in.

use super::{part_fields, part_of_variable, Scope};
use crate::inventory::Part;
use cel::common::ast::{EntryExpr, Expr};
use cel::IdedExpr;
use std::collections::BTreeSet;

/// Helpers that read their first argument's `configs`.
const CONFIG_HELPERS: &[&str] = &["cfg", "has_cfg", "cfg_or", "cfg_bool", "cfg_source"];

/// The parts read by `programs` (condition and evidence) of a rule of `scope`, with `needs`.
pub fn parts_read<'p>(
    scope: Scope,
    programs: impl Iterator<Item = &'p cel::Program>,
    needs: &[String],
) -> Vec<Part> {
    let mut paths = BTreeSet::new();
    let mut bound: Vec<(String, String)> = Vec::new();
    if let (Some(var), Some(list)) = (scope.variable(), scope.list()) {
        bound.push((var.to_string(), list.to_string()));
        bound.push(("item".to_string(), list.to_string()));
    }
    for p in programs {
        walk(p.expression(), &mut bound, &mut paths);
    }
    let mut parts: BTreeSet<Part> = paths.iter().filter_map(|p| part_of_path(p)).collect();
    parts.extend(needs.iter().filter_map(|n| Part::parse(n)));
    // By name, as `rules explain` lists them.
    let mut parts: Vec<Part> = parts.into_iter().collect();
    parts.sort_by_key(|p| p.name());
    parts
}

/// The part a path such as `brokers.configs.log.dirs` or `cluster.version` falls in.
pub fn part_of_path(path: &str) -> Option<Part> {
    let path = path.strip_prefix("inv.").unwrap_or(path);
    let (root, rest) = path.split_once('.').unwrap_or((path, ""));
    let field = rest.split('.').next().unwrap_or("");
    part_fields()
        .find(|(_, var, f)| *var == root && *f == field)
        .map(|(part, _, _)| part)
        .or_else(|| part_of_variable(root))
}

/// The inventory path an expression stands for, if any.
fn path_of(e: &IdedExpr, bound: &[(String, String)]) -> Option<String> {
    match &e.expr {
        Expr::Ident(name) => bound
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.clone())
            .or_else(|| (name == "inv" || part_of_variable(name).is_some()).then(|| name.clone())),
        Expr::Select(s) => path_of(&s.operand, bound).map(|p| format!("{p}.{}", s.field)),
        Expr::Call(c) if c.func_name == "_[_]" || c.func_name == "_[?_]" => {
            let base = path_of(c.args.first()?, bound)?;
            // A literal key names the field (`inv["topics"]`, `b.configs["x"]`).
            match c.args.get(1).map(|a| &a.expr) {
                Some(Expr::Literal(cel::common::ast::LiteralValue::String(k))) => {
                    Some(format!("{base}.{}", k.inner()))
                }
                _ => Some(base),
            }
        }
        Expr::Call(c) if CONFIG_HELPERS.contains(&c.func_name.as_str()) => {
            let item = c.args.first().or(c.target.as_deref())?;
            path_of(item, bound).map(|p| format!("{p}.configs"))
        }
        _ => None,
    }
}

fn walk(e: &IdedExpr, bound: &mut Vec<(String, String)>, out: &mut BTreeSet<String>) {
    if let Some(p) = path_of(e, bound) {
        out.insert(p);
    }
    match &e.expr {
        Expr::Call(c) => {
            if let Some(t) = &c.target {
                walk(t, bound, out);
            }
            for a in &c.args {
                walk(a, bound, out);
            }
        }
        Expr::Select(s) => walk(&s.operand, bound, out),
        Expr::List(l) => l.elements.iter().for_each(|x| walk(x, bound, out)),
        Expr::Map(m) => {
            for entry in &m.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    walk(&me.key, bound, out);
                    walk(&me.value, bound, out);
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &s.entries {
                if let EntryExpr::StructField(f) = &entry.expr {
                    walk(&f.value, bound, out);
                }
            }
        }
        Expr::Comprehension(c) => {
            walk(&c.iter_range, bound, out);
            walk(&c.accu_init, bound, out);
            // The loop variable(s) stand for the elements (or keys) of the range.
            let range = path_of(&c.iter_range, bound);
            let before = bound.len();
            if let Some(r) = &range {
                bound.push((c.iter_var.clone(), r.clone()));
                if let Some(v2) = &c.iter_var2 {
                    bound.push((v2.clone(), r.clone()));
                }
            }
            walk(&c.loop_cond, bound, out);
            walk(&c.loop_step, bound, out);
            walk(&c.result, bound, out);
            bound.truncate(before);
        }
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(scope: Scope, src: &str) -> Vec<&'static str> {
        let p = super::super::celenv::env().compile(src).unwrap();
        parts_read(scope, std::iter::once(&p), &[])
            .into_iter()
            .map(Part::name)
            .collect()
    }

    #[test]
    fn finds_parts_through_fields_helpers_and_comprehensions() {
        assert_eq!(
            reads(
                Scope::Cluster,
                r#"size(scram_users) > 0 || brokers.exists(b, cfg_or(b, "x", "") == "y")"#
            ),
            vec!["brokers", "brokers.configs", "scram_users"]
        );
        assert_eq!(
            reads(
                Scope::Broker,
                r#"has_cfg(broker, "a") && version_lt(cluster.version, "3.6")"#
            ),
            vec!["brokers", "brokers.configs", "brokers.version", "cluster"]
        );
        assert_eq!(
            reads(
                Scope::Topic,
                r#"topic.partitions.exists(p, p.leader < 0) && inv.acls.size() == 0"#
            ),
            vec!["acls", "topics"]
        );
        assert_eq!(
            reads(
                Scope::Cluster,
                r#"groups.all(g, g.offsets.all(o, o.lag < 10))"#
            ),
            vec!["groups", "groups.offsets"]
        );
        assert_eq!(
            reads(
                Scope::Cluster,
                r#"brokers.exists(b, !is_kraft_node(b) && cfg_bool(b, "x", false))"#
            ),
            vec!["brokers", "brokers.configs"]
        );
        assert_eq!(
            reads(Scope::Cluster, r#"target == "4.0""#),
            Vec::<&str>::new()
        );
        assert_eq!(
            reads(
                Scope::Cluster,
                r#"msk.compatible_versions.exists(v, v == target)"#
            ),
            vec!["msk", "msk.versions"]
        );
    }
}
