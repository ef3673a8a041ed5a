//! Go's `text/template` builtins: comparisons with Go's kind rules, `len`, `index`, printing and
//! escaping.

use super::{FuncDef, Imp, defs};
use crate::gofmt;
use crate::value::{MapTy, V, Value};

pub(super) fn defs() -> Vec<FuncDef> {
    defs! {
        "and" [Any] ...Any => special Imp::And;
        "or" [Any] ...Any => special Imp::Or;
        "not" [Any] => pure |a| Ok(Value::bool(!a[0].truth()));
        "len" [Refl] => pure len;
        "index" [Refl] ...Refl => pure index;
        "print" [] ...Any => pure |a| Ok(Value::string(gofmt::sprint(a)));
        "println" [] ...Any => pure |a| Ok(Value::string(gofmt::sprintln(a)));
        "printf" [Str] ...Any => pure |a| Ok(Value::string(gofmt::sprintf(a[0].as_str().unwrap_or(""), &a[1..])));
        "eq" [Any] ...Any => pure eq;
        "ne" [Any, Any] => pure |a| cmp_eq(&a[0], &a[1]).map(|b| Value::bool(!b));
        "lt" [Any, Any] => pure |a| lt(&a[0], &a[1]).map(Value::bool);
        "le" [Any, Any] => pure |a| le(&a[0], &a[1]).map(Value::bool);
        "gt" [Any, Any] => pure |a| le(&a[0], &a[1]).map(|b| Value::bool(!b));
        "ge" [Any, Any] => pure |a| lt(&a[0], &a[1]).map(|b| Value::bool(!b));
        "html" [] ...Any => pure |a| Ok(Value::string(html_escape(&eval_args(a))));
        "js" [] ...Any => pure |a| Ok(Value::string(js_escape(&eval_args(a))));
        "urlquery" [] ...Any => pure |a| Ok(Value::string(query_escape(&eval_args(a))));
    }
}

/// Go's `evalArgs`: one string argument as is, otherwise `fmt.Sprint`.
fn eval_args(a: &[Value]) -> String {
    if a.len() == 1
        && let Some(s) = a[0].as_str()
    {
        return s.to_string();
    }
    gofmt::sprint(a)
}

fn len(a: &[Value]) -> Result<Value, String> {
    let v = &a[0];
    let n = match &v.v {
        V::Str(s) => s.len(),
        V::List(l) => l.items.len(),
        V::Map(m) => m.borrow().entries.len(),
        V::Obj(o) => match o.map_entries() {
            Some(e) => e.len(),
            None => return Err(format!("len of type {}", o.type_name())),
        },
        V::NilIface => return Err("len of nil pointer".into()),
        V::Nil => return Err("reflect: call of reflect.Value.Type on zero Value".into()),
        _ => return Err(format!("len of type {}", v.type_name())),
    };
    Ok(Value::int(n as i64))
}

/// Go's `indexArg` then `reflect.Value.Index`: past the end is "index out of range", exactly at
/// the end is reflect's own panic.
fn index_of(v: &Value, len: usize, what: &str) -> Result<usize, String> {
    let x = match &v.v {
        V::Int(i) | V::I64(i) => *i,
        V::U64(u) => *u as i64,
        V::Nil | V::NilIface => return Err("cannot index slice/array with nil".into()),
        _ => {
            return Err(format!(
                "cannot index slice/array with type {}",
                v.type_name()
            ));
        }
    };
    if x < 0 || x as usize > len {
        return Err(format!("index out of range: {x}"));
    }
    if x as usize == len {
        return Err(format!("reflect: {what} index out of range"));
    }
    Ok(x as usize)
}

fn index(a: &[Value]) -> Result<Value, String> {
    let mut item = a[0].clone();
    for ix in &a[1..] {
        item = match &item.v {
            V::Nil | V::NilIface => return Err("index of untyped nil".into()),
            V::List(l) => {
                let i = index_of(ix, l.items.len(), "slice")?;
                l.items[i].as_element()
            }
            V::Str(s) => {
                let i = index_of(ix, s.len(), "string")?;
                Value::new(V::Int(s.as_bytes()[i] as i64))
            }
            V::Map(m) => {
                let key = match &ix.v {
                    V::Str(k) => k.clone(),
                    V::Nil | V::NilIface => {
                        return Err("value is nil; should be of type string".into());
                    }
                    _ => {
                        return Err(format!(
                            "value has type {}; should be string",
                            ix.type_name()
                        ));
                    }
                };
                let m = m.borrow();
                match m.entries.get(&key) {
                    Some(v) => v.as_element(),
                    None => match m.ty {
                        MapTy::Any => Value::new(V::NilIface),
                        MapTy::Str => Value::str(""),
                    },
                }
            }
            V::Obj(o) => match (o.map_entries(), &ix.v) {
                (Some(e), V::Str(k)) => e
                    .into_iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v)
                    .unwrap_or_else(Value::nil),
                _ => return Err(format!("can't index item of type {}", o.type_name())),
            },
            _ => return Err(format!("can't index item of type {}", item.type_name())),
        };
    }
    Ok(item.unwrap_iface())
}

#[derive(PartialEq, Eq, Clone, Copy, Debug)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Uint,
    Float,
    Str,
    Other,
}

fn basic_kind(v: &Value) -> Kind {
    match &v.v {
        V::Nil | V::NilIface => Kind::Invalid,
        V::Bool(_) => Kind::Bool,
        V::Int(_) | V::I64(_) => Kind::Int,
        V::U64(_) => Kind::Uint,
        V::Float(_) => Kind::Float,
        V::Str(_) => Kind::Str,
        _ => Kind::Other,
    }
}

const BAD_CMP: &str = "incompatible types for comparison";
const BAD_CMP_TYPE: &str = "invalid type for comparison";

/// Go 1.18+ `eq` of two values.
fn cmp_eq(a: &Value, b: &Value) -> Result<bool, String> {
    let (k1, k2) = (basic_kind(a), basic_kind(b));
    if k1 != k2 {
        return match (&a.v, &b.v) {
            (V::Int(x) | V::I64(x), V::U64(y)) => Ok(*x >= 0 && *x as u64 == *y),
            (V::U64(x), V::Int(y) | V::I64(y)) => Ok(*y >= 0 && *x == *y as u64),
            _ => {
                if k1 != Kind::Invalid && k2 != Kind::Invalid {
                    Err(format!(
                        "{BAD_CMP}: {} and {}",
                        a.type_name(),
                        b.type_name()
                    ))
                } else {
                    Ok(false)
                }
            }
        };
    }
    Ok(match (&a.v, &b.v) {
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Int(x) | V::I64(x), V::Int(y) | V::I64(y)) => x == y,
        (V::U64(x), V::U64(y)) => x == y,
        (V::Float(x), V::Float(y)) => x == y,
        (V::Str(x), V::Str(y)) => x == y,
        (V::Nil | V::NilIface, V::Nil | V::NilIface) => true,
        // Maps, slices, objects: Go compares only comparable types; maps and slices are not.
        (V::Map(_), _) | (_, V::Map(_)) | (V::List(_), _) | (_, V::List(_)) => {
            return Err(format!(
                "non-comparable types {}: {}, {}: {}",
                gofmt::to_v(a),
                a.type_name(),
                b.type_name(),
                gofmt::to_v(b)
            ));
        }
        (V::Obj(x), V::Obj(y)) => std::rc::Rc::ptr_eq(x, y),
        _ => false,
    })
}

fn eq(a: &[Value]) -> Result<Value, String> {
    if a.len() < 2 {
        return Err("missing argument for comparison".into());
    }
    for b in &a[1..] {
        if cmp_eq(&a[0], b)? {
            return Ok(Value::bool(true));
        }
    }
    Ok(Value::bool(false))
}

fn lt(a: &Value, b: &Value) -> Result<bool, String> {
    let (k1, k2) = (basic_kind(a), basic_kind(b));
    if matches!(k1, Kind::Invalid | Kind::Other) || matches!(k2, Kind::Invalid | Kind::Other) {
        return Err(BAD_CMP_TYPE.into());
    }
    if k1 != k2 {
        return match (&a.v, &b.v) {
            (V::Int(x) | V::I64(x), V::U64(y)) => Ok(*x < 0 || (*x as u64) < *y),
            (V::U64(x), V::Int(y) | V::I64(y)) => Ok(*y >= 0 && *x < *y as u64),
            _ => Err(format!(
                "{BAD_CMP}: {} and {}",
                a.type_name(),
                b.type_name()
            )),
        };
    }
    match (&a.v, &b.v) {
        (V::Bool(_), _) => Err(BAD_CMP_TYPE.into()),
        (V::Int(x) | V::I64(x), V::Int(y) | V::I64(y)) => Ok(x < y),
        (V::U64(x), V::U64(y)) => Ok(x < y),
        (V::Float(x), V::Float(y)) => Ok(x < y),
        (V::Str(x), V::Str(y)) => Ok(x < y),
        _ => Err(BAD_CMP_TYPE.into()),
    }
}

fn le(a: &Value, b: &Value) -> Result<bool, String> {
    if lt(a, b)? {
        return Ok(true);
    }
    cmp_eq(a, b)
}

fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => o.push_str("&#34;"),
            '\'' => o.push_str("&#39;"),
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '\0' => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

fn js_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '\'' => o.push_str("\\'"),
            '"' => o.push_str("\\\""),
            '<' => o.push_str("\\u003C"),
            '>' => o.push_str("\\u003E"),
            '&' => o.push_str("\\u0026"),
            '=' => o.push_str("\\u003D"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04X}", c as u32)),
            c => o.push(c),
        }
    }
    o
}

/// Go's `url.QueryEscape`.
pub(crate) fn query_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                o.push(b as char)
            }
            b' ' => o.push('+'),
            b => o.push_str(&format!("%{b:02X}")),
        }
    }
    o
}
