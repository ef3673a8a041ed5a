//! Subcharts as Helm enables them: `dependencies` matched to the charts under `charts/` by name
//! and version range, `alias` copies, `tags` and `condition` read from the coalesced values,
//! disabled subcharts removed, then `import-values` copied from children to parents.

use crate::chart::{Chart, Dependency};
use crate::values::{coalesce_tables, coalesce_values_of};
use std::collections::BTreeMap;
use std::rc::Rc;
use vigie_gotmpl::{Str, V, Value};

fn compatible(constraint: &str, version: &str) -> bool {
    vigie_gotmpl::funcs::semver_compare(constraint, version).unwrap_or(false)
}

/// Look a dotted path up in values (`PathValue`): the value if present.
fn path_value(v: &Value, path: &str) -> Option<Value> {
    let mut cur = v.clone();
    for k in path.split('.') {
        cur = cur.get(k)?;
    }
    Some(cur)
}

fn get_alias_dependency(charts: &[Chart], dep: &Dependency) -> Option<Chart> {
    for c in charts {
        if c.name() != dep.name || !compatible(&dep.version, &c.meta.version) {
            continue;
        }
        let mut out = c.clone();
        if !dep.alias.is_empty() {
            out.meta.name = dep.alias.clone();
        }
        return Some(out);
    }
    None
}

/// `processDependencyEnabled`.
pub fn process_enabled(c: &mut Chart, v: &Value, path: &str) -> Result<(), String> {
    if c.meta.dependencies.is_empty() {
        return Ok(());
    }
    let mut chart_deps: Vec<Chart> = Vec::new();
    'outer: for existing in &c.deps {
        for req in &c.meta.dependencies {
            if existing.name() == req.name && compatible(&req.version, &existing.meta.version) {
                continue 'outer;
            }
        }
        chart_deps.push(existing.clone());
    }
    for req in c.meta.dependencies.iter_mut() {
        if let Some(d) = get_alias_dependency(&c.deps, req) {
            chart_deps.push(d);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    c.deps = chart_deps;
    for r in c.meta.dependencies.iter_mut() {
        r.enabled = true;
    }
    let cvals = coalesce_values_of(c, v, false)?;
    // tags
    if let Some(tags) = cvals.get("tags").filter(|t| t.as_map().is_some()) {
        for r in c.meta.dependencies.iter_mut() {
            let (mut has_true, mut has_false) = (false, false);
            for k in &r.tags {
                if let Some(V::Bool(b)) = tags.get(k).map(|x| x.v) {
                    if b {
                        has_true = true;
                    } else {
                        has_false = true;
                    }
                }
            }
            // A true tag enables; only false tags disable.
            r.enabled = has_true || !has_false;
        }
    }
    // conditions
    for r in c.meta.dependencies.iter_mut() {
        for cond in r.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            if let Some(val) = path_value(&cvals, &format!("{path}{cond}"))
                && let V::Bool(b) = val.v
            {
                r.enabled = b;
                break;
            }
        }
    }
    let removed: Vec<String> = c
        .meta
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    c.deps.retain(|d| !removed.iter().any(|n| n == d.name()));
    c.meta.dependencies.retain(|r| !removed.contains(&r.name));
    for t in c.deps.iter_mut() {
        let sub = format!("{path}{}.", t.name());
        process_enabled(t, &cvals, &sub)?;
    }
    Ok(())
}

fn table(v: &Value, path: &str) -> Option<Value> {
    let t = path_value(v, path)?;
    t.as_map().is_some().then_some(t)
}

fn path_to_map(path: &str, data: Value) -> Value {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for k in path.split('.').rev() {
        let mut m = BTreeMap::new();
        m.insert(Rc::<str>::from(k), cur);
        cur = Value::map(m);
    }
    cur
}

/// `processImportValues` with Helm 4's merge semantics.
fn process_import_values(c: &mut Chart) -> Result<(), String> {
    if c.meta.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = coalesce_values_of(c, &Value::empty_map(), true)?;
    let b = Value::empty_map();
    let mut any = false;
    for r in c.meta.dependencies.iter_mut() {
        let mut out_iv = Vec::new();
        for riv in &r.import_values {
            match &riv.v {
                V::Map(m) => {
                    let m = m.borrow();
                    let child = m
                        .entries
                        .get("child")
                        .map(vigie_gotmpl::gofmt::to_v)
                        .unwrap_or_else(|| "<nil>".into());
                    let parent = m
                        .entries
                        .get("parent")
                        .map(vigie_gotmpl::gofmt::to_v)
                        .unwrap_or_else(|| "<nil>".into());
                    out_iv.push(riv.clone());
                    if let Some(vv) = table(&cvals, &format!("{}.{child}", r.name)) {
                        let src = path_to_map(&parent, vv.deep_copy());
                        merge_into(&b, &src);
                        any = true;
                    }
                }
                V::Str(s) => {
                    out_iv.push(riv.clone());
                    if let Some(vm) = table(&cvals, &format!("{}.exports.{s}", r.name)) {
                        merge_into(&b, &vm.deep_copy());
                        any = true;
                    }
                }
                _ => {}
            }
        }
        r.import_values = out_iv;
    }
    let base = cvals.deep_copy();
    if any && let (Some(dst), Some(src)) = (base.as_map(), b.as_map()) {
        coalesce_tables(dst, src, true);
    }
    c.values = base;
    Ok(())
}

/// `MergeTables(b, src)`: keys of `src` that `b` lacks are added, tables merged.
fn merge_into(b: &Value, src: &Value) {
    if let (Some(dst), Some(s)) = (b.as_map(), src.as_map()) {
        coalesce_tables(dst, s, true);
    }
}

/// `processDependencyImportValues`, children first.
pub fn process_import_values_tree(c: &mut Chart) -> Result<(), String> {
    for d in c.deps.iter_mut() {
        process_import_values_tree(d)?;
    }
    process_import_values(c)
}

/// Names of the dependencies that `Chart.yaml` declares but no chart under `charts/` provides.
pub fn missing(c: &Chart) -> Vec<Dependency> {
    c.meta
        .dependencies
        .iter()
        .filter(|r| {
            !c.deps
                .iter()
                .any(|d| d.name() == r.name || (!r.alias.is_empty() && d.name() == r.alias))
        })
        .cloned()
        .collect()
}

#[allow(dead_code)]
fn keys(v: &Value) -> Vec<Str> {
    v.as_map()
        .map(|m| m.borrow().entries.keys().cloned().collect())
        .unwrap_or_default()
}
