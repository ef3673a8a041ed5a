//! Sprig's string functions, with Go's byte-oriented slicing (`trunc`, `substr`) and its
//! simple Unicode case mappings.

use super::conv::{strslice, strval};
use super::{FuncDef, defs};
use crate::gofmt;
use crate::value::{Str, V, Value};
use base64::Engine;
use std::collections::BTreeMap;
use std::rc::Rc;

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}
fn i(v: &Value) -> i64 {
    match v.v {
        V::Int(i) | V::I64(i) => i,
        V::U64(u) => u as i64,
        _ => 0,
    }
}

pub(super) fn defs() -> Vec<FuncDef> {
    defs! {
        "quote" [] ...Any => pure |a| Ok(Value::string(a.iter().filter(|v| !v.is_nil()).map(|v| gofmt::go_quote(&strval(v))).collect::<Vec<_>>().join(" ")));
        "squote" [] ...Any => pure |a| Ok(Value::string(a.iter().filter(|v| !v.is_nil()).map(|v| format!("'{}'", gofmt::to_v(v))).collect::<Vec<_>>().join(" ")));
        "cat" [] ...Any => pure |a| {
            let parts: Vec<Value> = a.iter().filter(|v| !v.is_nil()).cloned().collect();
            Ok(Value::string(parts.iter().map(gofmt::to_v).collect::<Vec<_>>().join(" ")))
        };
        "upper" [Str] => pure |a| Ok(Value::string(s(&a[0]).chars().map(simple_upper).collect()));
        "lower" [Str] => pure |a| Ok(Value::string(s(&a[0]).chars().map(simple_lower).collect()));
        "title" [Str] => pure |a| Ok(Value::string(title(s(&a[0]))));
        "untitle" [Str] => pure |a| Ok(Value::string(untitle(s(&a[0]))));
        "swapcase" [Str] => pure |a| Ok(Value::string(swapcase(s(&a[0]))));
        "trim" [Str] => pure |a| Ok(Value::str(s(&a[0]).trim_matches(crate::parse::go_is_space)));
        "trimAll" [Str, Str] => pure |a| Ok(Value::str(trim_set(s(&a[1]), s(&a[0]))));
        "trimall" [Str, Str] => pure |a| Ok(Value::str(trim_set(s(&a[1]), s(&a[0]))));
        "trimSuffix" [Str, Str] => pure |a| Ok(Value::str(s(&a[1]).strip_suffix(s(&a[0])).unwrap_or(s(&a[1]))));
        "trimPrefix" [Str, Str] => pure |a| Ok(Value::str(s(&a[1]).strip_prefix(s(&a[0])).unwrap_or(s(&a[1]))));
        "trunc" [Int, Str] => pure |a| Ok(Value::string(trunc(i(&a[0]), s(&a[1]))));
        "substr" [Int, Int, Str] => pure |a| substr(i(&a[0]), i(&a[1]), s(&a[2])).map(Value::string);
        "contains" [Str, Str] => pure |a| Ok(Value::bool(s(&a[1]).contains(s(&a[0]))));
        "hasPrefix" [Str, Str] => pure |a| Ok(Value::bool(s(&a[1]).starts_with(s(&a[0]))));
        "hasSuffix" [Str, Str] => pure |a| Ok(Value::bool(s(&a[1]).ends_with(s(&a[0]))));
        "replace" [Str, Str, Str] => pure |a| Ok(Value::string(go_replace(s(&a[2]), s(&a[0]), s(&a[1]))));
        "indent" [Int, Str] => pure |a| Ok(Value::string(indent(i(&a[0]), s(&a[1]))));
        "nindent" [Int, Str] => pure |a| Ok(Value::string(format!("\n{}", indent(i(&a[0]), s(&a[1])))));
        "repeat" [Int, Str] => pure |a| repeat(i(&a[0]), s(&a[1])).map(Value::string);
        "nospace" [Str] => pure |a| Ok(Value::string(s(&a[0]).chars().filter(|c| !crate::parse::go_is_space(*c)).collect()));
        "plural" [Str, Str, Int] => pure |a| Ok(if i(&a[2]) == 1 { a[0].clone() } else { a[1].clone() });
        "initials" [Str] => pure |a| Ok(Value::string(s(&a[0]).split(crate::parse::go_is_space).filter_map(|w| w.chars().next()).collect()));
        "abbrev" [Int, Str] => pure |a| Ok(Value::string(abbrev(i(&a[0]), s(&a[1]))));
        "wrap" [Int, Str] => pure |a| Ok(Value::string(wrap(s(&a[1]), i(&a[0]), "\n", false)));
        "wrapWith" [Int, Str, Str] => pure |a| Ok(Value::string(wrap(s(&a[2]), i(&a[0]), s(&a[1]), true)));
        "snakecase" [Str] => pure |a| Ok(Value::string(delimited_case(s(&a[0]), '_')));
        "kebabcase" [Str] => pure |a| Ok(Value::string(delimited_case(s(&a[0]), '-')));
        "camelcase" [Str] => pure |a| Ok(Value::string(pascal_case(s(&a[0]))));
        "split" [Str, Str] => pure |a| Ok(split_map(go_split(s(&a[1]), s(&a[0]), -1)));
        "splitn" [Str, Int, Str] => pure |a| Ok(split_map(go_split(s(&a[2]), s(&a[0]), i(&a[1]))));
        "splitList" [Str, Str] => pure |a| Ok(Value::str_list(go_split(s(&a[1]), s(&a[0]), -1)));
        "join" [Str, Any] => pure |a| Ok(Value::string(strslice(&a[1]).join(s(&a[0]))));
        "sortAlpha" [Any] => pure |a| {
            let mut v = match &a[0].v { V::List(_) => strslice(&a[0]), _ => vec![strval(&a[0])] };
            v.sort();
            Ok(Value::str_list(v))
        };
        "b64enc" [Str] => pure |a| Ok(Value::string(base64::engine::general_purpose::STANDARD.encode(s(&a[0]))));
        "b64dec" [Str] => pure |a| Ok(Value::string(b64dec(s(&a[0]))));
        "b32enc" [Str] => pure |a| Ok(Value::string(b32enc(s(&a[0]).as_bytes())));
        "b32dec" [Str] => pure |a| Ok(Value::string(b32dec(s(&a[0]))));
        "seq" [] ...Int => pure |a| Ok(Value::string(seq(&a.iter().map(i).collect::<Vec<_>>())));
    }
}

fn simple_upper(c: char) -> char {
    let mut u = c.to_uppercase();
    match (u.next(), u.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}
fn simple_lower(c: char) -> char {
    let mut u = c.to_lowercase();
    match (u.next(), u.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

/// Go's `strings.Title`: upper-case letters that begin words.
fn title(s: &str) -> String {
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let sep = is_separator(prev);
            prev = c;
            if sep { simple_upper(c) } else { c }
        })
        .collect()
}

fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphanumeric() {
        return false;
    }
    c.is_whitespace()
}

/// goutils `Uncapitalize`: lower-case the first letter of each space-delimited word.
fn untitle(s: &str) -> String {
    let mut prev_space = true;
    s.chars()
        .map(|c| {
            let r = if prev_space { simple_lower(c) } else { c };
            prev_space = c.is_whitespace();
            r
        })
        .collect()
}

fn swapcase(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_uppercase() {
                simple_lower(c)
            } else if c.is_lowercase() {
                simple_upper(c)
            } else {
                c
            }
        })
        .collect()
}

/// Go's `strings.Trim(s, cutset)`.
fn trim_set<'a>(s: &'a str, cutset: &str) -> &'a str {
    s.trim_matches(|c| cutset.contains(c))
}

fn byte_prefix(s: &str, n: usize) -> String {
    String::from_utf8_lossy(&s.as_bytes()[..n.min(s.len())]).into_owned()
}
fn byte_suffix(s: &str, n: usize) -> String {
    String::from_utf8_lossy(&s.as_bytes()[n.min(s.len())..]).into_owned()
}

fn trunc(c: i64, s: &str) -> String {
    let len = s.len() as i64;
    if c < 0 && len + c > 0 {
        return byte_suffix(s, (len + c) as usize);
    }
    if c >= 0 && len > c {
        return byte_prefix(s, c as usize);
    }
    s.to_string()
}

fn substr(start: i64, end: i64, s: &str) -> Result<String, String> {
    let len = s.len() as i64;
    if start < 0 {
        if end < 0 || end > len {
            return Err(format!(
                "runtime error: slice bounds out of range [:{end}] with length {len}"
            ));
        }
        return Ok(byte_prefix(s, end as usize));
    }
    if end < 0 || end > len {
        if start > len {
            return Err(format!(
                "runtime error: slice bounds out of range [{start}:{len}]"
            ));
        }
        return Ok(byte_suffix(s, start as usize));
    }
    if start > end {
        return Err(format!(
            "runtime error: slice bounds out of range [{start}:{end}]"
        ));
    }
    Ok(String::from_utf8_lossy(&s.as_bytes()[start as usize..end as usize]).into_owned())
}

/// Go's `strings.Replace(s, old, new, -1)` (an empty `old` inserts between characters).
fn go_replace(s: &str, old: &str, new: &str) -> String {
    if old.is_empty() {
        let mut out = String::from(new);
        for c in s.chars() {
            out.push(c);
            out.push_str(new);
        }
        return out;
    }
    s.replace(old, new)
}

fn indent(n: i64, s: &str) -> String {
    let pad = " ".repeat(n.max(0) as usize);
    let mut out = String::with_capacity(s.len() + pad.len() * 4);
    out.push_str(&pad);
    for (k, part) in s.split('\n').enumerate() {
        if k > 0 {
            out.push('\n');
            out.push_str(&pad);
        }
        out.push_str(part);
    }
    out
}

fn repeat(n: i64, s: &str) -> Result<String, String> {
    if n < 0 {
        return Err("strings: negative Repeat count".into());
    }
    if (n as u128) * (s.len() as u128) > (64u128 << 20) {
        return Err(format!(
            "result of {} bytes is larger than the output limit",
            (n as u128) * (s.len() as u128)
        ));
    }
    Ok(s.repeat(n as usize))
}

/// goutils `Abbreviate(s, width)`.
fn abbrev(width: i64, s: &str) -> String {
    if width < 4 {
        return s.to_string();
    }
    let w = width as usize;
    let n = s.chars().count();
    if n <= w {
        return s.to_string();
    }
    let head: String = s.chars().take(w - 3).collect();
    format!("{head}...")
}

/// goutils `WrapCustom`.
fn wrap(s: &str, width: i64, sep: &str, long_words: bool) -> String {
    let width = width.max(1) as usize;
    let mut out = String::new();
    for (li, line) in s.split('\n').enumerate() {
        if li > 0 {
            out.push_str(sep);
        }
        let chars: Vec<char> = line.chars().collect();
        let mut offset = 0;
        let mut parts: Vec<String> = Vec::new();
        while chars.len() - offset > width {
            if chars[offset] == ' ' {
                offset += 1;
                continue;
            }
            let window = &chars[offset..=offset + width];
            match window.iter().rposition(|&c| c == ' ') {
                Some(sp) if sp > 0 => {
                    parts.push(chars[offset..offset + sp].iter().collect());
                    offset += sp + 1;
                }
                _ => {
                    if long_words {
                        parts.push(chars[offset..offset + width].iter().collect());
                        offset += width;
                    } else {
                        match chars[offset + width..].iter().position(|&c| c == ' ') {
                            Some(p) => {
                                parts.push(chars[offset..offset + width + p].iter().collect());
                                offset += width + p + 1;
                            }
                            None => {
                                parts.push(chars[offset..].iter().collect());
                                offset = chars.len();
                            }
                        }
                    }
                }
            }
        }
        if offset < chars.len() {
            parts.push(chars[offset..].iter().collect());
        }
        out.push_str(&parts.join(sep));
    }
    out
}

fn words(s: &str) -> Vec<String> {
    // Split on non-alphanumerics and on lower→upper case changes (xstrings' rules, simplified).
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (k, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_uppercase() && !cur.is_empty() {
            let prev = chars[k - 1];
            let next_lower = chars.get(k + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn delimited_case(s: &str, d: char) -> String {
    words(s)
        .iter()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join(&d.to_string())
}

fn pascal_case(s: &str) -> String {
    s.split(['_', ' ', '-'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => simple_upper(f).to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Go's `strings.SplitN` (n < 0: all).
fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let mut v: Vec<String> = s.chars().map(String::from).collect();
        if n > 0 && v.len() > n as usize {
            let rest: String = v[n as usize - 1..].concat();
            v.truncate(n as usize - 1);
            v.push(rest);
        }
        return v;
    }
    if n < 0 {
        return s.split(sep).map(String::from).collect();
    }
    s.splitn(n as usize, sep).map(String::from).collect()
}

fn split_map(parts: Vec<String>) -> Value {
    let m: BTreeMap<Str, Value> = parts
        .into_iter()
        .enumerate()
        .map(|(k, p)| (Rc::from(format!("_{k}").as_str()), Value::string(p)))
        .collect();
    Value::str_map(m)
}

fn b64dec(s: &str) -> String {
    match base64::engine::general_purpose::STANDARD.decode(s) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => go_base64_error(s, e),
    }
}

/// Go's `base64.CorruptInputError` text.
fn go_base64_error(s: &str, e: base64::DecodeError) -> String {
    let off = match e {
        base64::DecodeError::InvalidByte(o, _) => o,
        base64::DecodeError::InvalidLength(_) => s.len() / 4 * 4,
        base64::DecodeError::InvalidLastSymbol(o, _) => o,
        base64::DecodeError::InvalidPadding => s.len().saturating_sub(1),
    };
    format!("illegal base64 data at input byte {off}")
}

const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn b32enc(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let n = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for k in 0..8 {
            if k < n {
                out.push(B32[((bits >> (35 - 5 * k)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b32dec(s: &str) -> String {
    let mut bits: u64 = 0;
    let mut nbits = 0;
    let mut out = Vec::new();
    for (k, c) in s.bytes().enumerate() {
        if c == b'=' {
            break;
        }
        let Some(v) = B32.iter().position(|&x| x == c) else {
            return format!("illegal base32 data at input byte {k}");
        };
        bits = (bits << 5) | v as u64;
        nbits += 5;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn seq(p: &[i64]) -> String {
    let (start, step, end) = match p.len() {
        0 => return String::new(),
        1 => (1, if p[0] < 1 { -1 } else { 1 }, p[0]),
        2 => (p[0], if p[1] < p[0] { -1 } else { 1 }, p[1]),
        3 => {
            if p[2] < p[0] && p[1] > 0 {
                return String::new();
            }
            (p[0], p[1], p[2])
        }
        _ => return String::new(),
    };
    let inc = if end < start { -1 } else { 1 };
    let stop = end + inc;
    let mut v = Vec::new();
    let step = if p.len() == 3 { step } else { inc };
    if stop < start {
        if step >= 0 {
            return String::new();
        }
        let mut x = start;
        while x > stop && v.len() < 1_000_000 {
            v.push(x.to_string());
            x += step;
        }
    } else {
        if step <= 0 {
            return String::new();
        }
        let mut x = start;
        while x < stop && v.len() < 1_000_000 {
            v.push(x.to_string());
            x += step;
        }
    }
    v.join(" ")
}
