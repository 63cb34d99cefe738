//! The inventory as CEL values, built once per evaluation and borrowed by every rule.
//!
//! `cel` copies a built-in map every time a comprehension binds it (`topics.exists(t, …)`
//! clones each topic) and converts `Value`s into its internal values on every variable
//! binding. At a million partitions that dominated the audit. So the inventory is held in
//! two cheap-to-clone shapes of our own:
//!
//! - [`Obj`]: a JSON object as a sorted, shared slice of entries (cloning it is one `Arc`
//!   increment). Strings borrow from the JSON view, numbers and lists are the built-in types.
//! - [`PartitionVal`]: a partition read straight from the typed inventory (one pointer),
//!   whose fields are made on access, so a million partitions cost a few MB here instead of
//!   a JSON and a CEL copy each.
//!
//! Both answer the map operators (`.field`, `[key]`, `in`, `has()`, `size()`, iteration over
//! keys, `==`), so rules cannot tell them from built-in maps. Values leave CEL through
//! [`to_json`], which works on any of them.

use crate::inventory::Partition;
use cel::common::traits::{self, Container, Indexer, Iterable, Sizer, Zeroer};
use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelNull, CelString, CelUInt, Kind, Type, LIST_TYPE,
    MAP_TYPE,
};
use cel::common::value::{CowVal, Val};
use cel::ExecutionError;
use serde_json::Value as Json;
use std::sync::{Arc, LazyLock};

/// A JSON value as a CEL value; strings borrow from `v`.
pub fn from_json(v: &Json) -> Box<dyn Val + '_> {
    match v {
        Json::Null => Box::new(CelNull),
        Json::Bool(b) => Box::new(CelBool::from(*b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Box::new(CelInt::from(i)),
            None => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
        Json::String(s) => Box::new(CelString::from(s.as_str())),
        Json::Array(a) => Box::new(CelList::from(a.iter().map(from_json).collect::<Vec<_>>())),
        Json::Object(o) => Box::new(Obj::new(
            o.iter()
                .map(|(k, v)| (CelString::from(k.as_str()), from_json(v)))
                .collect(),
        )),
    }
}

/// A JSON value as a CEL value that owns its strings (moved, not copied).
pub fn from_json_owned(v: Json) -> Box<dyn Val + 'static> {
    match v {
        Json::String(s) => Box::new(CelString::from(s)),
        Json::Array(a) => Box::new(CelList::from(
            a.into_iter().map(from_json_owned).collect::<Vec<_>>(),
        )),
        Json::Object(o) => Box::new(Obj::new(entries_owned(o))),
        Json::Null => Box::new(CelNull),
        Json::Bool(b) => Box::new(CelBool::from(b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Box::new(CelInt::from(i)),
            None => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
    }
}

/// The entries of a JSON object as CEL map entries that own their strings.
pub fn entries_owned(
    o: serde_json::Map<String, Json>,
) -> Vec<(CelString<'static>, Box<dyn Val + 'static>)> {
    o.into_iter()
        .map(|(k, v)| (CelString::from(k), from_json_owned(v)))
        .collect()
}

/// The `Val` of our container types: a map or list type whose operators are its `Container`,
/// `Indexer`, `Iterable`, `Sizer` and `Zeroer` impls, equality its `equal_to`, and whose clone
/// is cheap (shared or borrowed data).
macro_rules! container_val {
    ($ty:ident, $cel_type:expr) => {
        impl<'a> Val for $ty<'a> {
            fn get_type(&self) -> &Type {
                &$cel_type
            }

            fn cel_type() -> &'static Type {
                &$cel_type
            }

            fn as_container(&self) -> Option<&dyn Container> {
                Some(self)
            }

            fn as_indexer<'b, 'w>(&'b self) -> Option<&'b (dyn Indexer + 'w)>
            where
                Self: 'w,
            {
                Some(self)
            }

            fn as_iterable<'b, 'w>(&'b self) -> Option<&'b (dyn Iterable + 'w)>
            where
                Self: 'w,
            {
                Some(self)
            }

            fn as_sizer(&self) -> Option<&dyn Sizer> {
                Some(self)
            }

            fn as_zeroer(&self) -> Option<&dyn Zeroer> {
                Some(self)
            }

            fn equals(&self, other: &dyn Val) -> bool {
                self.equal_to(other)
            }

            fn clone_as_boxed<'w>(&self) -> Box<dyn Val + 'w>
            where
                Self: 'w,
            {
                Box::new(self.clone())
            }
        }
    };
}

/// A map with string keys, shared: cloning it does not copy the entries.
#[derive(Debug, Clone)]
pub struct Obj<'a>(Arc<[(CelString<'a>, Box<dyn Val + 'a>)]>);

impl<'a> Obj<'a> {
    /// A map of these entries (sorted here; a repeated key keeps its last value).
    pub fn new(mut entries: Vec<(CelString<'a>, Box<dyn Val + 'a>)>) -> Self {
        entries.reverse();
        entries.sort_by(|a, b| key_order(a.0.inner(), b.0.inner()));
        entries.dedup_by(|a, b| a.0.inner() == b.0.inner());
        Obj(entries.into())
    }

    /// The value at `key`.
    pub fn get(&self, key: &str) -> Option<&(dyn Val + 'a)> {
        self.0
            .binary_search_by(|(k, _)| key_order(k.inner(), key))
            .ok()
            .map(|i| self.0[i].1.as_ref())
    }
}

/// The order entries are kept in: by length first, so that most comparisons of a lookup are
/// decided without comparing bytes (field lookups are the hottest path of rule evaluation).
fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// The string a key value names, if it is a string.
fn key_str(key: &dyn Val) -> Option<&str> {
    key.downcast_ref::<CelString>().map(|s| s.inner())
}

fn no_such_key(key: &dyn Val) -> ExecutionError {
    match key_str(key) {
        Some(s) => ExecutionError::NoSuchKey(Arc::new(s.to_string())),
        None => ExecutionError::UnexpectedType {
            got: key.get_type().name().to_owned(),
            want: "string map key".to_owned(),
        },
    }
}

/// Whether `key` may be looked up in a string-keyed map (other key types simply miss).
fn lookup_key(key: &dyn Val) -> Result<Option<&str>, ExecutionError> {
    if let Some(s) = key_str(key) {
        return Ok(Some(s));
    }
    let any_key = key.downcast_ref::<CelInt>().is_some()
        || key.downcast_ref::<CelUInt>().is_some()
        || key.downcast_ref::<CelBool>().is_some()
        || key.downcast_ref::<CelDouble>().is_some();
    if any_key {
        Ok(None)
    } else {
        Err(no_such_key(key))
    }
}

/// Lends out a list of borrowed values.
struct Lend<'b, 'v>(std::vec::IntoIter<&'b (dyn Val + 'v)>);

impl<'b, 'v: 'w, 'w> traits::Iterator<'b, 'w> for Lend<'b, 'v> {
    fn next(&mut self) -> Option<&'b (dyn Val + 'w)> {
        self.0.next().map(|v| v as _)
    }
}

/// Map equality for any two map-like values: same keys, equal values.
fn map_equals(a: &dyn Val, b: &dyn Val) -> bool {
    if b.get_type().kind() != Kind::Map {
        return false;
    }
    let (Some(sa), Some(sb)) = (a.as_sizer(), b.as_sizer()) else {
        return false;
    };
    if sa.size().inner() != sb.size().inner() {
        return false;
    }
    let (Some(ia), Some(xa), Some(xb)) = (a.as_iterable(), a.as_indexer(), b.as_indexer()) else {
        return false;
    };
    let mut keys = ia.iter();
    while let Some(k) = keys.next() {
        match (xa.get(k), xb.get(k)) {
            (Ok(va), Ok(vb)) if va.equals(vb.as_ref()) => {}
            _ => return false,
        }
    }
    true
}

container_val!(Obj, MAP_TYPE);

impl Obj<'_> {
    fn equal_to(&self, other: &dyn Val) -> bool {
        map_equals(self, other)
    }
}

impl Container for Obj<'_> {
    fn contains(&self, key: &dyn Val) -> Result<bool, ExecutionError> {
        Ok(lookup_key(key)?.is_some_and(|k| self.get(k).is_some()))
    }
}

impl<'a> Indexer for Obj<'a> {
    fn get<'b, 'w>(&'b self, key: &dyn Val) -> Result<CowVal<'b, 'w>, ExecutionError>
    where
        Self: 'w,
    {
        match lookup_key(key)?.and_then(|k| Obj::get(self, k)) {
            Some(v) => Ok(CowVal::Borrowed(v)),
            None => Err(no_such_key(key)),
        }
    }

    fn steal<'w>(self: Box<Self>, key: &dyn Val) -> Result<Box<dyn Val + 'w>, ExecutionError>
    where
        Self: 'w,
    {
        match lookup_key(key)?.and_then(|k| Obj::get(&self, k)) {
            Some(v) => Ok(v.clone_as_boxed()),
            None => Err(no_such_key(key)),
        }
    }
}

impl<'a> Iterable for Obj<'a> {
    fn iter<'b, 'w>(&'b self) -> Box<dyn traits::Iterator<'b, 'w> + 'b>
    where
        Self: 'w,
    {
        let keys: Vec<&'b (dyn Val + 'a)> = self.0.iter().map(|(k, _)| k as _).collect();
        Box::new(Lend(keys.into_iter()))
    }
}

impl Sizer for Obj<'_> {
    fn size(&self) -> CelInt {
        (self.0.len() as i64).into()
    }
}

impl Zeroer for Obj<'_> {
    fn is_zero_value(&self) -> bool {
        self.0.is_empty()
    }
}

/// A partition of the typed inventory as a CEL map with the fields the inventory JSON has:
/// `id`, `leader`, `replicas`, `isr`, and when set `adding_replicas`, `removing_replicas`,
/// `log_end_offset`.
#[derive(Debug, Clone, Copy)]
pub struct PartitionVal<'a>(pub &'a Partition);

const PARTITION_FIELDS: [&str; 7] = [
    "adding_replicas",
    "id",
    "isr",
    "leader",
    "log_end_offset",
    "removing_replicas",
    "replicas",
];

static PARTITION_KEYS: LazyLock<Vec<CelString<'static>>> = LazyLock::new(|| {
    PARTITION_FIELDS
        .iter()
        .map(|k| CelString::from(*k))
        .collect()
});

fn int_list<'w>(ids: &[i64]) -> Box<dyn Val + 'w> {
    Box::new(CelList::from(
        ids.iter()
            .map(|i| Box::new(CelInt::from(*i)) as Box<dyn Val + 'w>)
            .collect::<Vec<_>>(),
    ))
}

impl<'a> PartitionVal<'a> {
    fn field<'w>(&self, key: &str) -> Option<Box<dyn Val + 'w>> {
        let p = self.0;
        Some(match key {
            "id" => Box::new(CelInt::from(p.id as i64)),
            "leader" => Box::new(CelInt::from(p.leader)),
            "replicas" => int_list(&p.replicas),
            "isr" => int_list(&p.isr),
            "adding_replicas" if !p.adding_replicas.is_empty() => int_list(&p.adding_replicas),
            "removing_replicas" if !p.removing_replicas.is_empty() => {
                int_list(&p.removing_replicas)
            }
            "log_end_offset" => Box::new(CelInt::from(p.log_end_offset?)),
            _ => return None,
        })
    }

    fn present(&self) -> impl std::iter::Iterator<Item = usize> + '_ {
        PARTITION_FIELDS
            .iter()
            .enumerate()
            .filter(|(_, k)| match **k {
                "adding_replicas" => !self.0.adding_replicas.is_empty(),
                "removing_replicas" => !self.0.removing_replicas.is_empty(),
                "log_end_offset" => self.0.log_end_offset.is_some(),
                _ => true,
            })
            .map(|(i, _)| i)
    }
}

container_val!(PartitionVal, MAP_TYPE);

impl PartitionVal<'_> {
    fn equal_to(&self, other: &dyn Val) -> bool {
        map_equals(self, other)
    }
}

impl Zeroer for PartitionVal<'_> {
    fn is_zero_value(&self) -> bool {
        false
    }
}

impl Container for PartitionVal<'_> {
    fn contains(&self, key: &dyn Val) -> Result<bool, ExecutionError> {
        Ok(lookup_key(key)?.is_some_and(|k| self.field(k).is_some()))
    }
}

impl<'a> Indexer for PartitionVal<'a> {
    fn get<'b, 'w>(&'b self, key: &dyn Val) -> Result<CowVal<'b, 'w>, ExecutionError>
    where
        Self: 'w,
    {
        match lookup_key(key)?.and_then(|k| self.field(k)) {
            Some(v) => Ok(CowVal::Owned(v)),
            None => Err(no_such_key(key)),
        }
    }

    fn steal<'w>(self: Box<Self>, key: &dyn Val) -> Result<Box<dyn Val + 'w>, ExecutionError>
    where
        Self: 'w,
    {
        lookup_key(key)?
            .and_then(|k| self.field(k))
            .ok_or_else(|| no_such_key(key))
    }
}

impl<'a> Iterable for PartitionVal<'a> {
    fn iter<'b, 'w>(&'b self) -> Box<dyn traits::Iterator<'b, 'w> + 'b>
    where
        Self: 'w,
    {
        let keys: Vec<&'b (dyn Val + 'static)> = self
            .present()
            .map(|i| &PARTITION_KEYS[i] as &(dyn Val + 'static))
            .collect();
        Box::new(Lend(keys.into_iter()))
    }
}

impl Sizer for PartitionVal<'_> {
    fn size(&self) -> CelInt {
        (self.present().count() as i64).into()
    }
}

/// The partitions of a topic as a CEL list: one pointer per partition (a built-in list would
/// box each element). It answers the list operators (`[i]`, `size()`, `in`, `==`, and the
/// comprehensions `exists`, `all`, `filter`, `map`…).
pub fn partitions(parts: &[Partition]) -> Box<dyn Val + '_> {
    Box::new(PartitionList(parts.iter().map(PartitionVal).collect()))
}

#[derive(Debug, Clone)]
struct PartitionList<'a>(Arc<[PartitionVal<'a>]>);

container_val!(PartitionList, LIST_TYPE);

impl PartitionList<'_> {
    fn equal_to(&self, other: &dyn Val) -> bool {
        if other.get_type().kind() != Kind::List {
            return false;
        }
        match elements(other) {
            Some(o) => o.len() == self.0.len() && self.0.iter().zip(o).all(|(a, b)| a.equals(b)),
            None => false,
        }
    }
}

impl<'a> PartitionList<'a> {
    fn at(&self, idx: &dyn Val) -> Result<&PartitionVal<'a>, ExecutionError> {
        let i = if let Some(i) = idx.downcast_ref::<CelInt>() {
            *i.inner()
        } else if let Some(u) = idx.downcast_ref::<CelUInt>() {
            i64::try_from(*u.inner()).unwrap_or(i64::MAX)
        } else {
            return Err(ExecutionError::UnexpectedType {
                got: idx.get_type().name().to_owned(),
                want: "int".to_owned(),
            });
        };
        usize::try_from(i)
            .ok()
            .and_then(|i| self.0.get(i))
            .ok_or(ExecutionError::IndexOutOfBounds(cel::Value::Int(i)))
    }
}

impl Container for PartitionList<'_> {
    fn contains(&self, value: &dyn Val) -> Result<bool, ExecutionError> {
        Ok(self.0.iter().any(|p| p.equals(value)))
    }
}

impl<'a> Indexer for PartitionList<'a> {
    fn get<'b, 'w>(&'b self, idx: &dyn Val) -> Result<CowVal<'b, 'w>, ExecutionError>
    where
        Self: 'w,
    {
        Ok(CowVal::Borrowed(self.at(idx)?))
    }

    fn steal<'w>(self: Box<Self>, idx: &dyn Val) -> Result<Box<dyn Val + 'w>, ExecutionError>
    where
        Self: 'w,
    {
        Ok(Box::new(*self.at(idx)?))
    }
}

impl<'a> Iterable for PartitionList<'a> {
    fn iter<'b, 'w>(&'b self) -> Box<dyn traits::Iterator<'b, 'w> + 'b>
    where
        Self: 'w,
    {
        let items: Vec<&'b (dyn Val + 'a)> = self.0.iter().map(|p| p as _).collect();
        Box::new(Lend(items.into_iter()))
    }
}

impl Sizer for PartitionList<'_> {
    fn size(&self) -> CelInt {
        (self.0.len() as i64).into()
    }
}

impl Zeroer for PartitionList<'_> {
    fn is_zero_value(&self) -> bool {
        self.0.is_empty()
    }
}

/// Any CEL value as JSON (evidence, messages). Maps come out with sorted keys.
pub fn to_json(v: &dyn Val) -> Json {
    if let Some(b) = v.downcast_ref::<CelBool>() {
        return Json::Bool(*b.inner());
    }
    if let Some(i) = v.downcast_ref::<CelInt>() {
        return Json::from(*i.inner());
    }
    if let Some(u) = v.downcast_ref::<CelUInt>() {
        return Json::from(*u.inner());
    }
    if let Some(d) = v.downcast_ref::<CelDouble>() {
        return Json::from(*d.inner());
    }
    if let Some(s) = v.downcast_ref::<CelString>() {
        return Json::String(s.inner().to_string());
    }
    match v.get_type().kind() {
        Kind::NullType => Json::Null,
        Kind::List => {
            let mut out = Vec::new();
            if let Some(it) = v.as_iterable() {
                let mut items = it.iter();
                while let Some(x) = items.next() {
                    out.push(to_json(x));
                }
            }
            Json::Array(out)
        }
        Kind::Map => {
            let mut entries: Vec<(String, Json)> = Vec::new();
            if let (Some(it), Some(ix)) = (v.as_iterable(), v.as_indexer()) {
                let mut keys = it.iter();
                while let Some(k) = keys.next() {
                    let key = match to_json(k) {
                        Json::String(s) => s,
                        other => other.to_string(),
                    };
                    let val = ix.get(k).map(|x| to_json(x.as_ref())).unwrap_or(Json::Null);
                    entries.push((key, val));
                }
            }
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Object(entries.into_iter().collect())
        }
        _ => Json::String(format!("{v:?}")),
    }
}

/// `v.key` when `v` is a map that has it. The result borrows from `v` when `v` is borrowed.
pub fn select<'b, 'v>(v: CowVal<'b, 'v>, key: &str) -> Option<CowVal<'b, 'v>> {
    let k = CelString::from(key);
    match v {
        CowVal::Borrowed(r) => r.as_indexer()?.get(&k).ok(),
        CowVal::Owned(b) => b
            .as_indexer()?
            .get(&k)
            .ok()
            .map(|x| CowVal::Owned(x.into_owned())),
    }
}

/// The elements of a list value (borrowed), or `None` when it is not iterable.
pub fn elements<'b, 'v>(v: &'b (dyn Val + 'v)) -> Option<Vec<&'b (dyn Val + 'v)>> {
    let mut out = Vec::new();
    let mut it = v.as_iterable()?.iter();
    while let Some(x) = it.next() {
        out.push(x);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_and_partitions_round_trip_to_json() {
        let j = json!({"b": [1, "x", null, true, 1.5], "a": {"k": "v"}});
        let v = from_json(&j);
        assert_eq!(to_json(v.as_ref()), j);
        let p = Partition {
            id: 3,
            leader: 1,
            replicas: vec![1, 2],
            isr: vec![1],
            log_end_offset: Some(7),
            ..Default::default()
        };
        assert_eq!(
            to_json(&PartitionVal(&p)),
            serde_json::to_value(&p).unwrap()
        );
        assert!(PartitionVal(&p).equals(from_json(&serde_json::to_value(&p).unwrap()).as_ref()));
    }
}
