//! Conversions as Sprig does them (through `spf13/cast`): `int`, `int64`, `float64`, `toString`,
//! `toStrings`, `atoi`, `toDecimal`, and the type predicates (`typeOf`, `kindIs`…), `default`,
//! `empty`, `coalesce`, `ternary`.

use super::{FuncDef, defs};
use crate::gofmt;
use crate::value::{ListTy, V, Value};

pub(super) fn defs() -> Vec<FuncDef> {
    defs! {
        "toString" [Any] => pure |a| Ok(Value::string(strval(&a[0])));
        "toStrings" [Any] => pure |a| Ok(Value::str_list(strslice(&a[0])));
        "int" [Any] => pure |a| Ok(Value::int(to_int64(&a[0])));
        "int64" [Any] => pure |a| Ok(Value::i64(to_int64(&a[0])));
        "float64" [Any] => pure |a| Ok(Value::float(to_float64(&a[0])));
        "atoi" [Str] => pure |a| Ok(Value::int(atoi(a[0].as_str().unwrap_or(""))));
        "toDecimal" [Any] => pure |a| Ok(Value::i64(i64::from_str_radix(&gofmt::sprint(&a[..1]), 8).unwrap_or(0)));
        "typeOf" [Any] => pure |a| Ok(Value::string(a[0].type_name()));
        "typeIs" [Str, Any] => pure |a| Ok(Value::bool(a[0].as_str() == Some(a[1].type_name().as_str())));
        "typeIsLike" [Str, Any] => pure |a| {
            let t = a[1].type_name();
            let target = a[0].as_str().unwrap_or("");
            Ok(Value::bool(target == t || format!("*{target}") == t))
        };
        "kindOf" [Any] => pure |a| Ok(Value::str(a[0].kind_name()));
        "kindIs" [Str, Any] => pure |a| Ok(Value::bool(a[0].as_str() == Some(a[1].kind_name())));
        "deepEqual" [Any, Any] => pure |a| Ok(Value::bool(a[0] == a[1]));
        "default" [Any] ...Any => pure |a| {
            if a.len() < 2 || empty(&a[1]) { Ok(a[0].clone()) } else { Ok(a[1].clone()) }
        };
        "empty" [Any] => pure |a| Ok(Value::bool(empty(&a[0])));
        "coalesce" [] ...Any => pure |a| Ok(a.iter().find(|v| !empty(v)).cloned().unwrap_or_else(Value::nil));
        "all" [] ...Any => pure |a| Ok(Value::bool(a.iter().all(|v| !empty(v))));
        "any" [] ...Any => pure |a| Ok(Value::bool(a.iter().any(|v| !empty(v))));
        "ternary" [Any, Any, Bool] => pure |a| Ok(if a[2].truth() { a[0].clone() } else { a[1].clone() });
    }
}

/// Sprig's `empty`: Go's zero values, empty strings, collections and nil.
pub fn empty(v: &Value) -> bool {
    !v.truth()
}

/// Sprig's `strval`: strings as is, everything else `%v`.
pub fn strval(v: &Value) -> String {
    match &v.v {
        V::Str(s) => s.to_string(),
        V::List(l) if l.ty == ListTy::Bytes => String::from_utf8_lossy(
            &l.items
                .iter()
                .map(|x| match x.v {
                    V::Int(i) => i as u8,
                    _ => 0,
                })
                .collect::<Vec<u8>>(),
        )
        .into_owned(),
        _ => gofmt::to_v(v),
    }
}

/// Sprig's `strslice`: a list's non-nil elements as strings, or a one-element list.
pub fn strslice(v: &Value) -> Vec<String> {
    match &v.v {
        V::List(l) => l.items.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        V::Nil | V::NilIface => Vec::new(),
        _ => vec![strval(v)],
    }
}

/// `cast`'s `trimZeroDecimal`: `"3.00"` → `"3"`.
fn trim_zero_decimal(s: &str) -> &str {
    let b = s.as_bytes();
    let mut found_zero = false;
    for i in (1..=b.len()).rev() {
        match b[i - 1] {
            b'.' => {
                if found_zero {
                    return &s[..i - 1];
                }
            }
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, base prefixes, underscores only with a prefix.
pub fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, t) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits, prefixed) = if let Some(r) = t.strip_prefix("0x").or(t.strip_prefix("0X")) {
        (16, r, true)
    } else if let Some(r) = t.strip_prefix("0o").or(t.strip_prefix("0O")) {
        (8, r, true)
    } else if let Some(r) = t.strip_prefix("0b").or(t.strip_prefix("0B")) {
        (2, r, true)
    } else if t.len() > 1 && t.starts_with('0') {
        (8, &t[1..], true)
    } else {
        (10, t, false)
    };
    if digits.is_empty() || (!prefixed && digits.contains('_')) {
        return None;
    }
    if digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let digits = digits.replace('_', "");
    let mag = u64::from_str_radix(&digits, radix).ok()?;
    if neg {
        if mag > i64::MAX as u64 + 1 {
            return None;
        }
        Some((mag as i64).wrapping_neg())
    } else {
        i64::try_from(mag).ok()
    }
}

/// `cast.ToInt64`: numbers truncated, strings parsed (base prefixes, `"3.0"`), bools 0/1, else 0.
pub fn to_int64(v: &Value) -> i64 {
    match &v.v {
        V::Int(i) | V::I64(i) => *i,
        V::U64(u) => *u as i64,
        V::Float(f) => {
            if f.is_nan() {
                i64::MIN
            } else {
                *f as i64
            }
        }
        V::Bool(b) => i64::from(*b),
        V::Str(s) => parse_int_base0(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// `cast.ToFloat64`.
pub fn to_float64(v: &Value) -> f64 {
    match &v.v {
        V::Int(i) | V::I64(i) => *i as f64,
        V::U64(u) => *u as f64,
        V::Float(f) => *f,
        V::Bool(b) => f64::from(u8::from(*b)),
        V::Str(s) => go_parse_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal syntax (with `inf`/`nan` spellings).
pub(crate) fn go_parse_float(s: &str) -> Option<f64> {
    let t = s.trim_start_matches(['+', '-']);
    match t.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => {
            return Some(if s.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-' | b'_'))
    {
        if t.starts_with("0x") || t.starts_with("0X") {
            return None;
        }
        return None;
    }
    let clean = if s.contains('_') {
        s.replace('_', "")
    } else {
        s.to_string()
    };
    clean.parse::<f64>().ok()
}

/// Go's `strconv.Atoi` (0 on error).
fn atoi(s: &str) -> i64 {
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    s.parse::<i64>().unwrap_or(0)
}
