//! Sprig's `regex…` functions. Go's RE2 syntax is what the `regex` crate implements, except
//! that Go's Perl classes (`\d`, `\w`, `\s`, `\b`) are ASCII-only; patterns are rewritten so they
//! match what Go matches. Compiled patterns are cached per thread.

use super::{FuncDef, defs};
use crate::value::{V, Value};
use regex::Regex;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Compiled patterns, shared by every render of the process (charts repeat the same few).
fn cache() -> &'static Mutex<HashMap<String, Result<Regex, String>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Result<Regex, String>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Rewrite Go's ASCII Perl classes for the `regex` crate.
fn translate(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 8);
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('d') => out.push_str("[0-9]"),
            Some('D') => out.push_str("[^0-9]"),
            Some('w') => out.push_str("[0-9A-Za-z_]"),
            Some('W') => out.push_str("[^0-9A-Za-z_]"),
            Some('s') => out.push_str("[\\t\\n\\f\\r ]"),
            Some('S') => out.push_str("[^\\t\\n\\f\\r ]"),
            Some('b') => out.push_str("(?-u:\\b)"),
            Some('B') => out.push_str("(?-u:\\B)"),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

pub(crate) fn compile(p: &str) -> Result<Regex, String> {
    if let Ok(c) = cache().lock()
        && let Some(r) = c.get(p)
    {
        return r.clone();
    }
    let r = regex::RegexBuilder::new(&translate(p))
        .size_limit(10 << 20)
        .build()
        .map_err(|e| {
            format!(
                "error parsing regexp: {}",
                e.to_string().lines().last().unwrap_or("")
            )
        });
    if let Ok(mut c) = cache().lock()
        && c.len() < 10_000
    {
        c.insert(p.to_string(), r.clone());
    }
    r
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}
fn n(v: &Value) -> i64 {
    match v.v {
        V::Int(i) | V::I64(i) => i,
        _ => -1,
    }
}

fn must(p: &str) -> Result<Regex, String> {
    compile(p).map_err(|e| format!("regexp: Compile({}): {e}", crate::gofmt::go_quote(p)))
}

pub(super) fn defs() -> Vec<FuncDef> {
    defs! {
        "regexMatch" [Str, Str] => pure |a| Ok(Value::bool(compile(s(&a[0])).map(|r| r.is_match(s(&a[1]))).unwrap_or(false)));
        "mustRegexMatch" [Str, Str] => pure |a| Ok(Value::bool(compile(s(&a[0]))?.is_match(s(&a[1]))));
        "regexFind" [Str, Str] => pure |a| Ok(Value::str(must(s(&a[0]))?.find(s(&a[1])).map(|m| m.as_str()).unwrap_or("")));
        "mustRegexFind" [Str, Str] => pure |a| Ok(Value::str(compile(s(&a[0]))?.find(s(&a[1])).map(|m| m.as_str()).unwrap_or("")));
        "regexFindAll" [Str, Str, Int] => pure |a| Ok(find_all(&must(s(&a[0]))?, s(&a[1]), n(&a[2])));
        "mustRegexFindAll" [Str, Str, Int] => pure |a| Ok(find_all(&compile(s(&a[0]))?, s(&a[1]), n(&a[2])));
        "regexReplaceAll" [Str, Str, Str] => pure |a| Ok(Value::string(must(s(&a[0]))?.replace_all(s(&a[1]), s(&a[2])).into_owned()));
        "mustRegexReplaceAll" [Str, Str, Str] => pure |a| Ok(Value::string(compile(s(&a[0]))?.replace_all(s(&a[1]), s(&a[2])).into_owned()));
        "regexReplaceAllLiteral" [Str, Str, Str] => pure |a| Ok(Value::string(must(s(&a[0]))?.replace_all(s(&a[1]), regex::NoExpand(s(&a[2]))).into_owned()));
        "mustRegexReplaceAllLiteral" [Str, Str, Str] => pure |a| Ok(Value::string(compile(s(&a[0]))?.replace_all(s(&a[1]), regex::NoExpand(s(&a[2]))).into_owned()));
        "regexSplit" [Str, Str, Int] => pure |a| Ok(split(&must(s(&a[0]))?, s(&a[0]), s(&a[1]), n(&a[2])));
        "mustRegexSplit" [Str, Str, Int] => pure |a| Ok(split(&compile(s(&a[0]))?, s(&a[0]), s(&a[1]), n(&a[2])));
        "regexQuoteMeta" [Str] => pure |a| Ok(Value::string(quote_meta(s(&a[0]))));
    }
}

fn find_all(r: &Regex, text: &str, n: i64) -> Value {
    let it = r.find_iter(text).map(|m| m.as_str().to_string());
    let v: Vec<String> = if n < 0 {
        it.collect()
    } else {
        it.take(n as usize).collect()
    };
    Value::str_list(v)
}

fn split(r: &Regex, expr: &str, text: &str, n: i64) -> Value {
    if n == 0 {
        return Value::str_list(Vec::new());
    }
    if !expr.is_empty() && text.is_empty() {
        return Value::str_list(vec![String::new()]);
    }
    let matches: Vec<(usize, usize)> = if n < 0 {
        r.find_iter(text).map(|m| (m.start(), m.end())).collect()
    } else {
        r.find_iter(text)
            .take(n as usize)
            .map(|m| (m.start(), m.end()))
            .collect()
    };
    let mut out = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for (s, e) in matches {
        if n > 0 && out.len() == n as usize - 1 {
            break;
        }
        end = s;
        if e != 0 {
            out.push(text[beg..end].to_string());
        }
        beg = e;
    }
    if end != text.len() {
        out.push(text[beg..].to_string());
    }
    Value::str_list(out)
}

fn quote_meta(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            o.push('\\');
        }
        o.push(c);
    }
    o
}
