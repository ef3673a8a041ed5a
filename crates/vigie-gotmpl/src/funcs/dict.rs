//! Sprig's dictionary functions. `set`, `unset`, `merge` and `mergeOverwrite` change the map
//! they are given, as Go maps are references; `merge` follows `mergo`'s rules (a destination key
//! that holds an empty value is filled, maps merge deeply, lists are not merged).

use super::conv::{empty, strval};
use super::{FuncDef, conversion_panic, defs};
use crate::value::{MapRef, Str, V, Value};
use std::collections::BTreeMap;
use std::rc::Rc;

fn map_of(v: &Value) -> Option<&MapRef> {
    v.as_map()
}

pub(super) fn defs() -> Vec<FuncDef> {
    defs! {
        "dict" [] ...Any => pure dict;
        "get" [Map, Str] => pure |a| Ok(match map_of(&a[0]) {
            Some(m) => m.borrow().entries.get(a[1].as_str().unwrap_or("")).cloned().unwrap_or_else(|| Value::str("")),
            None => Value::str(""),
        });
        "set" [Map, Str, Any] => pure |a| {
            match map_of(&a[0]) {
                Some(m) => { m.borrow_mut().entries.insert(Rc::from(a[1].as_str().unwrap_or("")), a[2].clone()); Ok(a[0].clone()) }
                None => Err("assignment to entry in nil map".into()),
            }
        };
        "unset" [Map, Str] => pure |a| {
            if let Some(m) = map_of(&a[0]) { m.borrow_mut().entries.remove(a[1].as_str().unwrap_or("")); }
            Ok(a[0].clone())
        };
        "hasKey" [Map, Str] => pure |a| Ok(Value::bool(map_of(&a[0]).is_some_and(|m| m.borrow().entries.contains_key(a[1].as_str().unwrap_or("")))));
        "pluck" [Str] ...Map => pure |a| {
            let k = a[0].as_str().unwrap_or("");
            Ok(Value::list(a[1..].iter().filter_map(|d| map_of(d).and_then(|m| m.borrow().entries.get(k).cloned())).collect()))
        };
        "keys" [] ...Map => pure |a| {
            let mut k = Vec::new();
            for d in a { if let Some(m) = map_of(d) { k.extend(m.borrow().entries.keys().map(|x| x.to_string())); } }
            Ok(Value::str_list(k))
        };
        "values" [Map] => pure |a| Ok(Value::list(map_of(&a[0]).map(|m| m.borrow().entries.values().cloned().collect()).unwrap_or_default()));
        "pick" [Map] ...Str => pure |a| {
            let mut out = BTreeMap::new();
            if let Some(m) = map_of(&a[0]) {
                let m = m.borrow();
                for k in &a[1..] { if let Some(ks) = k.as_str() && let Some(v) = m.entries.get(ks) { out.insert(Rc::from(ks), v.clone()); } }
            }
            Ok(Value::map(out))
        };
        "omit" [Map] ...Str => pure |a| {
            let mut out = BTreeMap::new();
            if let Some(m) = map_of(&a[0]) {
                for (k, v) in &m.borrow().entries {
                    if !a[1..].iter().any(|x| x.as_str() == Some(k)) { out.insert(k.clone(), v.clone()); }
                }
            }
            Ok(Value::map(out))
        };
        "merge" [Map] ...Map => pure |a| merge_all(a, false);
        "mustMerge" [Map] ...Map => pure |a| merge_all(a, false);
        "mergeOverwrite" [Map] ...Map => pure |a| merge_all(a, true);
        "mustMergeOverwrite" [Map] ...Map => pure |a| merge_all(a, true);
        "deepCopy" [Any] => pure |a| Ok(a[0].deep_copy());
        "mustDeepCopy" [Any] => pure |a| Ok(a[0].deep_copy());
        "dig" [] ...Any => pure dig;
    }
}

fn dict(a: &[Value]) -> Result<Value, String> {
    let mut m = BTreeMap::new();
    let mut i = 0;
    while i < a.len() {
        let k: Str = Rc::from(strval(&a[i]).as_str());
        let v = a.get(i + 1).cloned().unwrap_or_else(|| Value::str(""));
        m.insert(k, v.unwrap_iface());
        i += 2;
    }
    Ok(Value::map(m))
}

fn dig(a: &[Value]) -> Result<Value, String> {
    if a.len() < 3 {
        return Err("dig needs at least three arguments".into());
    }
    let dict = &a[a.len() - 1];
    let def = &a[a.len() - 2];
    let Some(mut m) = map_of(dict).cloned() else {
        return Err(conversion_panic(dict, "map[string]interface {}"));
    };
    let keys = &a[..a.len() - 2];
    for (n, k) in keys.iter().enumerate() {
        let Some(ks) = k.as_str() else {
            return Err(conversion_panic(k, "string"));
        };
        let step = m.borrow().entries.get(ks).cloned();
        let Some(step) = step else {
            return Ok(def.clone());
        };
        if n == keys.len() - 1 {
            return Ok(step);
        }
        match map_of(&step) {
            Some(next) => m = next.clone(),
            None => return Err(conversion_panic(&step, "map[string]interface {}")),
        }
    }
    Ok(def.clone())
}

fn merge_all(a: &[Value], overwrite: bool) -> Result<Value, String> {
    let Some(dst) = map_of(&a[0]) else {
        return Ok(a[0].clone());
    };
    for src in &a[1..] {
        if let Some(s) = map_of(src)
            && !Rc::ptr_eq(dst, s)
        {
            merge_maps(dst, s, overwrite, 0);
        }
    }
    Ok(a[0].clone())
}

/// `mergo.Merge` (with or without override) of two `map[string]interface{}`.
pub(crate) fn merge_maps(dst: &MapRef, src: &MapRef, overwrite: bool, depth: usize) {
    if depth > 64 {
        return;
    }
    let src_entries: Vec<(Str, Value)> = src
        .borrow()
        .entries
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, sv) in src_entries {
        if sv.is_nil() {
            if overwrite {
                dst.borrow_mut().entries.insert(k, Value::nil());
            }
            continue;
        }
        let dv = dst.borrow().entries.get(&k).cloned();
        if let (V::Map(sm), Some(V::Map(dm))) = (&sv.v, dv.as_ref().map(|d| &d.v))
            && !Rc::ptr_eq(sm, dm)
        {
            merge_maps(dm, sm, overwrite, depth + 1);
        }
        let dst_nonempty = dv.as_ref().is_some_and(|d| !empty(d));
        if dst_nonempty {
            let d = dv.as_ref().map(|d| &d.v);
            if matches!(sv.v, V::List(_)) {
                if overwrite {
                    dst.borrow_mut().entries.insert(k, sv);
                }
                continue;
            }
            if matches!(sv.v, V::Map(_)) && matches!(d, Some(V::Map(_))) {
                continue;
            }
        }
        if overwrite || dv.is_none() || !dst_nonempty {
            dst.borrow_mut().entries.insert(k, sv);
        }
    }
}
