//! Values as Helm computes them: files read with Helm's YAML rules (every document of
//! `values.yaml` merged), user values files merged in order, `--set` expressions in Helm's
//! `strvals` syntax, and chart defaults coalesced under them (a null deletes a key, lists
//! replace, maps merge, `global` flows into subcharts). Every value read from a file keeps its
//! origin: file, line and key path.

use std::collections::BTreeMap;
use std::rc::Rc;
use vigie_gotmpl::value::MapRef;
use vigie_gotmpl::{Origin, Str, V, Value};

/// The files a render read, indexed by `Pos::src` and by origins.
#[derive(Debug, Default, Clone)]
pub struct FileTable {
    pub paths: Vec<String>,
}

impl FileTable {
    pub fn add(&mut self, path: &str) -> u16 {
        if let Some(i) = self.paths.iter().position(|p| p == path) {
            return i as u16;
        }
        self.paths.push(path.to_string());
        (self.paths.len() - 1).min(u16::MAX as usize) as u16
    }
    pub fn path(&self, id: u16) -> &str {
        self.paths
            .get(id as usize)
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// Where a value was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueOrigin {
    /// Index in the file table.
    pub file: u16,
    pub line: u32,
    pub col: u32,
    /// Dotted key path (`image.tag`).
    pub key: String,
}

#[derive(Debug, Default, Clone)]
pub struct OriginTable {
    pub entries: Vec<ValueOrigin>,
}

impl OriginTable {
    pub fn add(&mut self, o: ValueOrigin) -> Origin {
        self.entries.push(o);
        Origin(self.entries.len() as u32)
    }
    pub fn get(&self, o: Origin) -> Option<&ValueOrigin> {
        if o.0 == 0 {
            return None;
        }
        self.entries.get(o.0 as usize - 1)
    }
}

fn dotted(path: &[Str]) -> String {
    path.iter().map(|s| &**s).collect::<Vec<_>>().join(".")
}

/// Split a values file into its `---`-separated documents, with each document's first line.
fn documents(text: &str) -> Vec<(u32, String)> {
    let mut docs = Vec::new();
    let mut cur = String::new();
    let mut start = 1u32;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let l = line.trim_end_matches(['\n', '\r']);
        if let Some(rest) = l.strip_prefix("---") {
            let t = rest.trim();
            if t.is_empty() || t.starts_with('#') {
                if !cur.trim().is_empty() {
                    docs.push((start, std::mem::take(&mut cur)));
                } else {
                    cur.clear();
                }
                start = i as u32 + 2;
                continue;
            }
        }
        cur.push_str(line);
    }
    if !cur.trim().is_empty() {
        docs.push((start, cur));
    }
    docs
}

/// Read a values file: every document merged (Helm's `LoadValues`), origins recorded.
pub fn load_values_file(
    data: &[u8],
    file: u16,
    origins: &mut OriginTable,
) -> Result<Value, (u32, String)> {
    let text = String::from_utf8_lossy(data);
    let mut out = Value::empty_map();
    for (first_line, doc) in documents(&text) {
        let offset = first_line - 1;
        let v = vigie_gotmpl::yaml::parse_yaml(&doc, &mut |at| {
            origins.add(ValueOrigin {
                file,
                line: at.key_line + offset,
                col: at.key_col,
                key: dotted(at.path),
            })
        })
        .map_err(|e| {
            (
                e.line + offset,
                format!("cannot unmarshal yaml document: error converting YAML to JSON: {e}"),
            )
        })?;
        match &v.v {
            V::Map(_) => out = merge_maps(&out, &v),
            V::Nil => {}
            _ => {
                return Err((
                    first_line,
                    "cannot unmarshal yaml document: values must be a mapping".into(),
                ));
            }
        }
    }
    Ok(out)
}

/// Helm's `MergeMaps` / the CLI's `mergeMaps`: maps merge deeply, everything else replaces.
pub fn merge_maps(a: &Value, b: &Value) -> Value {
    let (Some(am), Some(bm)) = (a.as_map(), b.as_map()) else {
        return b.clone();
    };
    let mut out: BTreeMap<Str, Value> = am.borrow().entries.clone();
    for (k, v) in &bm.borrow().entries {
        let merged = match (out.get(k), &v.v) {
            (Some(old), V::Map(_)) if old.as_map().is_some() => merge_maps(old, v),
            _ => v.clone(),
        };
        out.insert(k.clone(), merged);
    }
    Value::map(out).with_origin(b.origin)
}

fn is_table(v: &Value) -> bool {
    v.as_map().is_some()
}

fn map_of(v: &Value) -> Option<MapRef> {
    v.as_map().cloned()
}

/// Remove nil values, deeply (`cleanNilValues`).
fn clean_nil(m: &MapRef) {
    let keys: Vec<Str> = m.borrow().entries.keys().cloned().collect();
    for k in keys {
        let v = m.borrow().entries.get(&k).cloned();
        match v {
            Some(v) if v.is_nil() => {
                m.borrow_mut().entries.remove(&k);
            }
            Some(v) => {
                if let Some(sub) = v.as_map() {
                    clean_nil(sub);
                }
            }
            None => {}
        }
    }
}

/// `coalesceTablesFullKey`: fill `dst` with what `src` has that `dst` lacks.
pub fn coalesce_tables(dst: &MapRef, src: &MapRef, merge: bool) {
    if Rc::ptr_eq(dst, src) {
        return;
    }
    let src_non_nil: Vec<Str> = src
        .borrow()
        .entries
        .iter()
        .filter(|(_, v)| !v.is_nil())
        .map(|(k, _)| k.clone())
        .collect();
    let dst_nils: Vec<Str> = dst
        .borrow()
        .entries
        .iter()
        .filter(|(_, v)| v.is_nil())
        .map(|(k, _)| k.clone())
        .collect();
    for k in dst_nils {
        src.borrow_mut().entries.insert(k, Value::nil());
    }
    let src_entries: Vec<(Str, Value)> = src
        .borrow()
        .entries
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, val) in src_entries {
        let dv = dst.borrow().entries.get(&k).cloned();
        match dv {
            Some(dv) if !merge && dv.is_nil() && src_non_nil.contains(&k) => {
                dst.borrow_mut().entries.remove(&k);
            }
            None => {
                dst.borrow_mut().entries.insert(k, val);
            }
            Some(dv) => {
                if let (Some(dm), Some(sm)) = (dv.as_map(), val.as_map()) {
                    coalesce_tables(dm, sm, merge);
                }
            }
        }
    }
}

/// `coalesceValues`: the chart's defaults under the given values `v`.
fn coalesce_values(chart: &crate::chart::Chart, v: &MapRef, merge: bool) {
    let defaults = chart.values.deep_copy();
    let Some(vc) = defaults.as_map() else {
        return;
    };
    let entries: Vec<(Str, Value)> = vc
        .borrow()
        .entries
        .iter()
        .map(|(k, x)| (k.clone(), x.clone()))
        .collect();
    for (key, val) in entries {
        let existing = v.borrow().entries.get(&key).cloned();
        match existing {
            Some(value) => {
                if value.is_nil() && !merge {
                    v.borrow_mut().entries.remove(&key);
                } else if let (Some(dest), Some(src)) = (value.as_map(), val.as_map()) {
                    let m = merge || chart.deps.iter().any(|d| d.name() == &*key);
                    if !m {
                        clean_nil(src);
                    }
                    coalesce_tables(dest, src, m);
                }
            }
            None => {
                if !merge {
                    if val.is_nil() {
                        continue;
                    }
                    if let Some(sub) = val.as_map() {
                        clean_nil(sub);
                    }
                }
                v.borrow_mut().entries.insert(key, val);
            }
        }
    }
}

/// `coalesceGlobals`: the parent's `global` flows into the subchart's.
fn coalesce_globals(dest: &MapRef, src: &MapRef) {
    let dg = match dest.borrow().entries.get("global").cloned() {
        None => Value::empty_map(),
        Some(g) if is_table(&g) => g,
        Some(_) => return,
    };
    let sg = match src.borrow().entries.get("global").cloned() {
        None => Value::empty_map(),
        Some(g) if is_table(&g) => g,
        Some(_) => return,
    };
    let (Some(dgm), Some(sgm)) = (map_of(&dg), map_of(&sg)) else {
        return;
    };
    let s_entries: Vec<(Str, Value)> = sgm
        .borrow()
        .entries
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, val) in s_entries {
        if let Some(vm) = val.as_map() {
            let vv = Value::map(vm.borrow().entries.clone()).with_origin(val.origin);
            let existing = dgm.borrow().entries.get(&key).cloned();
            match existing {
                None => {
                    dgm.borrow_mut().entries.insert(key, vv);
                }
                Some(destv) => {
                    if let Some(dvm) = destv.as_map() {
                        if let Some(vvm) = vv.as_map() {
                            coalesce_tables(vvm, dvm, true);
                        }
                        dgm.borrow_mut().entries.insert(key, vv);
                    }
                }
            }
        } else {
            let existing = dgm.borrow().entries.get(&key).cloned();
            if existing.as_ref().is_some_and(is_table) {
                continue;
            }
            dgm.borrow_mut().entries.insert(key, val);
        }
    }
    dest.borrow_mut().entries.insert(Rc::from("global"), dg);
}

/// `coalesce`: the chart's defaults and its subcharts', recursively.
pub fn coalesce(chart: &crate::chart::Chart, dest: &MapRef, merge: bool) -> Result<(), String> {
    coalesce_values(chart, dest, merge);
    for sub in &chart.deps {
        let name: Str = Rc::from(sub.name());
        let existing = dest.borrow().entries.get(&name).cloned();
        let dv = match existing {
            None => {
                let m = Value::empty_map();
                dest.borrow_mut().entries.insert(name.clone(), m.clone());
                m
            }
            Some(v) if is_table(&v) => v,
            Some(v) => {
                return Err(format!(
                    "type mismatch on {}: %!t({}={})",
                    sub.name(),
                    v.type_name(),
                    vigie_gotmpl::gofmt::to_v(&v)
                ));
            }
        };
        let Some(dvm) = map_of(&dv) else {
            continue;
        };
        coalesce_globals(&dvm, dest);
        coalesce(sub, &dvm, merge)?;
    }
    Ok(())
}

/// `CoalesceValues` / `MergeValues` of user values over a chart: a copy, then defaults filled in.
pub fn coalesce_values_of(
    chart: &crate::chart::Chart,
    vals: &Value,
    merge: bool,
) -> Result<Value, String> {
    let copy = if vals.as_map().is_some() {
        vals.deep_copy()
    } else {
        Value::empty_map()
    };
    let m = map_of(&copy).ok_or("values are not a map")?;
    coalesce(chart, &m, merge)?;
    Ok(copy)
}

// ---------------------------------------------------------------- --set (strvals)

/// Parse one `--set` expression (`a.b=1,list={x,y},arr[0].k=v`) into `into`, as Helm's `strvals`.
pub fn parse_set(expr: &str, into: &Value, origin: Origin) -> Result<(), String> {
    let Some(root) = into.as_map().cloned() else {
        return Err("values are not a map".into());
    };
    let mut p = SetParser {
        s: expr.chars().collect(),
        i: 0,
        origin,
    };
    while p.i < p.s.len() {
        p.key(&root)?;
    }
    Ok(())
}

struct SetParser {
    s: Vec<char>,
    i: usize,
    origin: Origin,
}

/// The typed value of a `--set` scalar: booleans, null, int64, else a string.
fn typed(v: &str, origin: Origin) -> Value {
    let x = if v.eq_ignore_ascii_case("true") {
        Value::bool(true)
    } else if v.eq_ignore_ascii_case("false") {
        Value::bool(false)
    } else if v.eq_ignore_ascii_case("null") {
        Value::nil()
    } else if v == "0" {
        Value::i64(0)
    } else if v.len() > 1 && v.starts_with('0') {
        Value::str(v)
    } else if let Ok(i) = v.parse::<i64>() {
        Value::i64(i)
    } else {
        Value::str(v)
    };
    x.with_origin(origin)
}

impl SetParser {
    /// Read up to one of `stops`, handling `\` escapes; returns the text and the stop found.
    fn until(&mut self, stops: &[char]) -> (String, Option<char>) {
        let mut out = String::new();
        while self.i < self.s.len() {
            let c = self.s[self.i];
            self.i += 1;
            if c == '\\' {
                if self.i < self.s.len() {
                    out.push(self.s[self.i]);
                    self.i += 1;
                }
                continue;
            }
            if stops.contains(&c) {
                return (out, Some(c));
            }
            out.push(c);
        }
        (out, None)
    }

    fn key(&mut self, data: &MapRef) -> Result<(), String> {
        let (k, stop) = self.until(&['=', '[', ',', '.']);
        match stop {
            None => {
                if k.is_empty() {
                    return Ok(());
                }
                Err(format!("key {k:?} has no value"))
            }
            Some(',') => {
                if k.is_empty() {
                    return Ok(());
                }
                Err(format!("key {k:?} has no value (cannot end with ,)"))
            }
            Some('=') => {
                if self.i < self.s.len() && self.s[self.i] == '{' {
                    self.i += 1;
                    let list = self.list_values()?;
                    data.borrow_mut().entries.insert(Rc::from(k.as_str()), list);
                    if self.i < self.s.len() && self.s[self.i] == ',' {
                        self.i += 1;
                    }
                    return Ok(());
                }
                let (v, _) = self.until(&[',']);
                data.borrow_mut()
                    .entries
                    .insert(Rc::from(k.as_str()), typed(&v, self.origin));
                Ok(())
            }
            Some('.') => {
                if k.is_empty() {
                    return Err("key has no name (a leading dot?)".into());
                }
                let existing = data.borrow().entries.get(k.as_str()).cloned();
                let inner = match existing.and_then(|e| e.as_map().cloned()) {
                    Some(m) => m,
                    None => {
                        let m = Value::empty_map();
                        let r = m.as_map().cloned().ok_or("internal")?;
                        data.borrow_mut().entries.insert(Rc::from(k.as_str()), m);
                        r
                    }
                };
                self.key(&inner)
            }
            Some('[') => {
                let (idx, _) = self.until(&[']']);
                let idx: usize = idx
                    .parse()
                    .map_err(|_| format!("failed to parse index {idx:?}"))?;
                if idx > 65_536 {
                    return Err(format!(
                        "index of {idx} is greater than maximum supported index 65536"
                    ));
                }
                let existing = data.borrow().entries.get(k.as_str()).cloned();
                let mut items = existing
                    .and_then(|e| e.as_list().map(|l| l.items.clone()))
                    .unwrap_or_default();
                self.list_item(&mut items, idx)?;
                data.borrow_mut()
                    .entries
                    .insert(Rc::from(k.as_str()), Value::list(items));
                Ok(())
            }
            Some(c) => Err(format!("unexpected {c:?}")),
        }
    }

    fn list_item(&mut self, items: &mut Vec<Value>, idx: usize) -> Result<(), String> {
        while items.len() <= idx {
            items.push(Value::nil());
        }
        match self.s.get(self.i) {
            Some('=') => {
                self.i += 1;
                if self.s.get(self.i) == Some(&'{') {
                    self.i += 1;
                    items[idx] = self.list_values()?;
                    if self.s.get(self.i) == Some(&',') {
                        self.i += 1;
                    }
                    return Ok(());
                }
                let (v, _) = self.until(&[',']);
                items[idx] = typed(&v, self.origin);
                Ok(())
            }
            Some('.') => {
                self.i += 1;
                let m = match items[idx].as_map().cloned() {
                    Some(m) => m,
                    None => {
                        let v = Value::empty_map();
                        let m = v.as_map().cloned().ok_or("internal")?;
                        items[idx] = v;
                        m
                    }
                };
                self.key(&m)
            }
            Some('[') => {
                self.i += 1;
                let (n, _) = self.until(&[']']);
                let n: usize = n
                    .parse()
                    .map_err(|_| format!("failed to parse index {n:?}"))?;
                if n > 65_536 {
                    return Err(format!(
                        "index of {n} is greater than maximum supported index 65536"
                    ));
                }
                let mut inner = items[idx]
                    .as_list()
                    .map(|l| l.items.clone())
                    .unwrap_or_default();
                self.list_item(&mut inner, n)?;
                items[idx] = Value::list(inner);
                Ok(())
            }
            _ => Err("list index must be followed by =, . or [".into()),
        }
    }

    fn list_values(&mut self) -> Result<Value, String> {
        let mut items = Vec::new();
        loop {
            let (v, stop) = self.until(&[',', '}']);
            match stop {
                Some(',') => items.push(typed(&v, self.origin)),
                Some('}') => {
                    if !v.is_empty() || !items.is_empty() {
                        items.push(typed(&v, self.origin));
                    }
                    return Ok(Value::list(items));
                }
                _ => return Err("list must terminate with '}'".into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_expressions_like_strvals() {
        let v = Value::empty_map();
        parse_set(
            "a.b=1,c=true,d={x,y},e[1]=z,f=007,g=null,h=a\\,b",
            &v,
            Origin::NONE,
        )
        .unwrap();
        assert_eq!(
            vigie_gotmpl::yaml::to_json(&v, false, None).unwrap(),
            r#"{"a":{"b":1},"c":true,"d":["x","y"],"e":[null,"z"],"f":"007","g":null,"h":"a,b"}"#
        );
    }

    #[test]
    fn values_documents_merge_and_keep_origins() {
        let mut o = OriginTable::default();
        let v = load_values_file(b"a: 1\nb: {c: 2}\n---\nb: {d: 3}\n", 0, &mut o).unwrap();
        assert_eq!(
            vigie_gotmpl::yaml::to_json(&v, false, None).unwrap(),
            r#"{"a":1,"b":{"c":2,"d":3}}"#
        );
        let d = v.path(&["b", "d"]).unwrap();
        let origin = o.get(d.origin).unwrap();
        assert_eq!((origin.line, origin.key.as_str()), (4, "b.d"));
    }
}
