//! YAML and JSON exactly as Helm reads and writes them.
//!
//! Helm reads values and `fromYaml` input with `sigs.k8s.io/yaml`: YAML 1.1 scalar resolution
//! (go-yaml v2: `yes`/`on` are booleans, `0x1F` and `0o17` are integers, timestamps stay strings),
//! then a JSON round trip, so every number becomes a `float64`. It writes `toYaml` the same way
//! back: `encoding/json` first (sorted keys, numbers as JSON prints them), then go-yaml v2's
//! emitter (its "natural" key order where digit runs compare as numbers, indentless sequences,
//! 80-column folding of long plain scalars, `|-` literal blocks, quoting when a string would read
//! back as another type). Charts `nindent` this output into manifests, so it must match byte for
//! byte; no Rust YAML library reproduces go-yaml v2's emitter, hence this module. Parsing uses
//! saphyr-parser's event stream with go-yaml v2's resolution rules applied on top.

use crate::gofmt;
use crate::value::{Origin, Str, V, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

// ---------------------------------------------------------------- data model after JSON

/// A value as JSON would carry it into go-yaml's encoder.
#[derive(Debug, Clone)]
enum Yd {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(Str),
    /// Items with the origin of each.
    Seq(Vec<(Yd, Origin)>),
    /// Entries with the origin of each value.
    Map(Vec<(Str, Yd, Origin)>),
}

/// `json.Marshal` of a float64: `None` for NaN and infinities (a marshalling error).
pub fn go_json_float(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    let a = f.abs();
    let mut s = if a != 0.0 && !(1e-6..1e21).contains(&a) {
        gofmt::format_float(f, 'e', -1)
    } else {
        gofmt::format_float(f, 'f', -1)
    };
    // Go cleans e-09 to e-9.
    if let Some(i) = s.find("e-0") {
        s.remove(i + 2);
    } else if let Some(i) = s.find("e+0") {
        s.remove(i + 2);
    }
    Some(s)
}

fn to_yd(v: &Value, depth: usize) -> Result<Yd, String> {
    if depth > 1_000 {
        return Err("json: unsupported value: encountered a cycle".into());
    }
    Ok(match &v.v {
        V::Nil | V::NilIface => Yd::Null,
        V::Bool(b) => Yd::Bool(*b),
        V::Int(i) | V::I64(i) => Yd::Int(*i),
        V::U64(u) => Yd::Uint(*u),
        V::Float(f) => {
            let t = go_json_float(*f)
                .ok_or_else(|| format!("json: unsupported value: {}", gofmt::float_v(*f)))?;
            // The JSON text is read back by go-yaml: integers stay integers.
            if !t.contains(['.', 'e', 'E']) {
                if let Ok(i) = t.parse::<i64>() {
                    Yd::Int(i)
                } else if let Ok(u) = t.parse::<u64>() {
                    Yd::Uint(u)
                } else {
                    Yd::Float(*f)
                }
            } else {
                Yd::Float(*f)
            }
        }
        V::Str(s) => Yd::Str(s.clone()),
        V::List(l) => Yd::Seq(
            l.items
                .iter()
                .map(|x| Ok((to_yd(x, depth + 1)?, x.origin)))
                .collect::<Result<_, String>>()?,
        ),
        V::Map(m) => Yd::Map(
            m.borrow()
                .entries
                .iter()
                .map(|(k, x)| Ok((k.clone(), to_yd(x, depth + 1)?, x.origin)))
                .collect::<Result<_, String>>()?,
        ),
        V::Obj(o) => to_yd(&o.to_data(), depth + 1)?,
    })
}

// ---------------------------------------------------------------- go-yaml v2 resolution

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Str,
    Bool,
    Int,
    Float,
    Null,
    Timestamp,
    Merge,
}

/// The value a plain scalar resolves to in go-yaml v2.
#[derive(Debug, Clone)]
enum Resolved {
    Str,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Null,
    Timestamp,
    Merge,
}

impl Resolved {
    fn tag(&self) -> Tag {
        match self {
            Resolved::Str => Tag::Str,
            Resolved::Bool(_) => Tag::Bool,
            Resolved::Int(_) | Resolved::Uint(_) => Tag::Int,
            Resolved::Float(_) => Tag::Float,
            Resolved::Null => Tag::Null,
            Resolved::Timestamp => Tag::Timestamp,
            Resolved::Merge => Tag::Merge,
        }
    }
}

fn yaml_style_float(s: &str) -> bool {
    // ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `time.Parse` against go-yaml v2's timestamp layouts (shape check only: the value stays
/// a string when decoded, only the quoting on output depends on it).
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i != 4 || i == b.len() || b[i] != b'-' {
        return false;
    }
    // date: YYYY-M(M)-D(D)
    let num = |i: &mut usize, min: usize, max: usize| -> Option<u32> {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - s < max {
            *i += 1;
        }
        if *i - s < min {
            return None;
        }
        std::str::from_utf8(&b[s..*i]).ok()?.parse().ok()
    };
    i += 1;
    let Some(m) = num(&mut i, 1, 2) else {
        return false;
    };
    if i >= b.len() || b[i] != b'-' || !(1..=12).contains(&m) {
        return false;
    }
    i += 1;
    let Some(d) = num(&mut i, 1, 2) else {
        return false;
    };
    if !(1..=31).contains(&d) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    // time part: [Tt ]H(H):M(M):S(S)[.frac][zone]
    if !matches!(b[i], b'T' | b't' | b' ') {
        return false;
    }
    let sep = b[i];
    i += 1;
    let ok_time = (|| {
        let h = num(&mut i, 1, 2)?;
        if i >= b.len() || b[i] != b':' || h > 23 {
            return None;
        }
        i += 1;
        let mi = num(&mut i, 1, 2)?;
        if i >= b.len() || b[i] != b':' || mi > 59 {
            return None;
        }
        i += 1;
        let sec = num(&mut i, 1, 2)?;
        if sec > 59 {
            return None;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == s {
                return None;
            }
        }
        Some(())
    })();
    if ok_time.is_none() {
        return false;
    }
    if i == b.len() {
        return sep == b' ';
    }
    if sep == b' ' {
        return false;
    }
    // zone: Z or ±hh:mm
    let z = &s[i..];
    if z == "Z" {
        return true;
    }
    let zb = z.as_bytes();
    zb.len() == 6
        && (zb[0] == b'+' || zb[0] == b'-')
        && zb[1].is_ascii_digit()
        && zb[2].is_ascii_digit()
        && zb[3] == b':'
        && zb[4].is_ascii_digit()
        && zb[5].is_ascii_digit()
}

/// Go's `strconv.ParseInt(s, 0, 64)` after go-yaml removed underscores.
fn go_parse_int(plain: &str) -> Option<i64> {
    crate::funcs::parse_int_base0(plain)
}

fn go_parse_uint(plain: &str) -> Option<u64> {
    let t = plain.strip_prefix('+').unwrap_or(plain);
    let (radix, d) = if let Some(r) = t.strip_prefix("0x").or(t.strip_prefix("0X")) {
        (16, r)
    } else if let Some(r) = t.strip_prefix("0o").or(t.strip_prefix("0O")) {
        (8, r)
    } else if let Some(r) = t.strip_prefix("0b").or(t.strip_prefix("0B")) {
        (2, r)
    } else if t.len() > 1 && t.starts_with('0') {
        (8, &t[1..])
    } else {
        (10, t)
    };
    if d.is_empty() || d.starts_with(['+', '-']) {
        return None;
    }
    u64::from_str_radix(d, radix).ok()
}

/// go-yaml v2's `resolve("", s)` for a plain scalar.
fn resolve(s: &str) -> Resolved {
    let hint = s.as_bytes().first().copied();
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Resolved::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        "<<" => return Resolved::Merge,
        _ => {}
    }
    match hint {
        Some(b'.') => {
            if let Ok(f) = s.parse::<f64>()
                && !s.contains(['i', 'I', 'n', 'N'])
            {
                return Resolved::Float(f);
            }
        }
        Some(b'0'..=b'9' | b'+' | b'-') => {
            if looks_like_timestamp(s) {
                return Resolved::Timestamp;
            }
            let plain = s.replace('_', "");
            if let Some(i) = go_parse_int(&plain) {
                return Resolved::Int(i);
            }
            if let Some(u) = go_parse_uint(&plain) {
                return Resolved::Uint(u);
            }
            if yaml_style_float(&plain)
                && let Ok(f) = plain.parse::<f64>()
            {
                return Resolved::Float(f);
            }
            if let Some(b) = plain.strip_prefix("0b") {
                if let Ok(i) = i64::from_str_radix(b, 2) {
                    return Resolved::Int(i);
                }
                if let Ok(u) = u64::from_str_radix(b, 2) {
                    return Resolved::Uint(u);
                }
            } else if let Some(b) = plain.strip_prefix("-0b")
                && let Ok(i) = i64::from_str_radix(&format!("-{b}"), 2)
            {
                return Resolved::Int(i);
            }
        }
        _ => {}
    }
    Resolved::Str
}

/// go-yaml v2's `isBase60Float`: `1:20` is quoted on output.
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&c) = b.first() else {
        return false;
    };
    if !(c == b'+' || c == b'-' || c.is_ascii_digit()) || !s.contains(':') {
        return false;
    }
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let mut i = usize::from(c == b'+' || c == b'-');
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() && i - s < 2 {
            i += 1;
        }
        let g = &b[s..i];
        let ok = match g.len() {
            1 => true,
            2 => g[0] <= b'5',
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

// ---------------------------------------------------------------- go-yaml v2 emitter

const BEST_WIDTH: usize = 80;
const BEST_INDENT: usize = 2;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

struct Analysis {
    multiline: bool,
    flow_plain: bool,
    block_plain: bool,
    single_ok: bool,
    block_ok: bool,
}

fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: Option<char>) -> bool {
    matches!(c, Some(' ' | '\t'))
}

fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain: false,
            block_plain: true,
            single_ok: true,
            block_ok: false,
        };
    }
    let (mut block_ind, mut flow_ind, mut line_breaks, mut special) = (false, false, false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    if value.starts_with("---") || value.starts_with("...") {
        block_ind = true;
        flow_ind = true;
    }
    let chars: Vec<char> = value.chars().collect();
    let mut preceded_by_ws = true;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let followed_by_ws = next.is_none() || is_blank(next) || next.is_some_and(is_break);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    flow_ind = true;
                    block_ind = true;
                }
                '?' | ':' => {
                    flow_ind = true;
                    block_ind |= followed_by_ws;
                }
                '-' if followed_by_ws => {
                    flow_ind = true;
                    block_ind = true;
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_ind = true,
                ':' => {
                    flow_ind = true;
                    block_ind |= followed_by_ws;
                }
                '#' if preceded_by_ws => {
                    flow_ind = true;
                    block_ind = true;
                }
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i == chars.len() - 1 {
                trailing_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i == chars.len() - 1 {
                trailing_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_by_ws = c == ' ' || c == '\t' || is_break(c);
    }
    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain: true,
        block_plain: true,
        single_ok: true,
        block_ok: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain = false;
        a.block_plain = false;
    }
    if trailing_space {
        a.block_ok = false;
    }
    if break_space {
        a.flow_plain = false;
        a.block_plain = false;
        a.single_ok = false;
    }
    if space_break || special {
        a.flow_plain = false;
        a.block_plain = false;
        a.single_ok = false;
        a.block_ok = false;
    }
    if line_breaks {
        a.flow_plain = false;
        a.block_plain = false;
    }
    if flow_ind {
        a.flow_plain = false;
    }
    if block_ind {
        a.block_plain = false;
    }
    a
}

struct Emitter {
    out: String,
    column: usize,
    indent: usize,
    whitespace: bool,
    indention: bool,
    /// No collection started yet (libyaml's indent of -1).
    top: bool,
    /// Output lines where a traced value starts: (line index, origin).
    traced: Vec<(u32, Origin)>,
    lines: u32,
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }
    fn put_str(&mut self, s: &str) {
        for c in s.chars() {
            self.put(c);
        }
    }
    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
        self.lines += 1;
    }

    fn trace(&mut self, o: Origin) {
        if o.is_some() {
            self.traced.push((self.lines, o));
        }
    }
    fn write_indent(&mut self) {
        let indent = self.indent;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }
    fn indicator(&mut self, s: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        self.put_str(s);
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
    }

    fn plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn single(&mut self, value: &str, allow_breaks: bool) {
        self.indicator("'", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < chars.len() - 1
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
            }
        }
        self.indicator("'", false, false, false);
    }

    fn double(&mut self, value: &str, allow_breaks: bool) {
        self.indicator("\"", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !is_printable(c) || c == '\u{FEFF}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\x07' => self.put('a'),
                    '\x08' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\x0b' => self.put('v'),
                    '\x0c' => self.put('f'),
                    '\r' => self.put('r'),
                    '\x1b' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{A0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    c => {
                        let u = c as u32;
                        let s = if u <= 0xFF {
                            format!("x{u:02X}")
                        } else if u <= 0xFFFF {
                            format!("u{u:04X}")
                        } else {
                            format!("U{u:08X}")
                        };
                        self.put_str(&s);
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i != 0
                    && i != chars.len() - 1
                {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
            i += 1;
        }
        self.indicator("\"", false, false, false);
    }

    fn literal(&mut self, value: &str) {
        self.indicator("|", true, false, false);
        let first = value.chars().next();
        if first.is_some_and(|c| c == ' ' || is_break(c)) {
            self.put_str(&BEST_INDENT.to_string());
        }
        let chars: Vec<char> = value.chars().collect();
        let chomp = if chars.is_empty() || !is_break(chars[chars.len() - 1]) {
            Some('-')
        } else if chars.len() == 1 || is_break(chars[chars.len() - 2]) {
            Some('+')
        } else {
            None
        };
        if let Some(c) = chomp {
            self.put(c);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.put_break();
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }

    /// Write a scalar; `key` is the simple-key context.
    fn scalar(&mut self, value: &str, requested: Style, key: bool) {
        let a = analyze(value);
        let mut style = requested;
        if style == Style::Plain && (!a.block_plain || (value.is_empty() && key)) {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_ok {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_ok || key) {
            style = Style::Double;
        }
        let _ = a.multiline;
        let saved = self.indent;
        self.indent += BEST_INDENT;
        match style {
            Style::Plain => self.plain(value, !key),
            Style::Single => self.single(value, !key),
            Style::Double => self.double(value, !key),
            Style::Literal => self.literal(value),
        }
        self.indent = saved;
    }

    fn string(&mut self, s: &str, key: bool) {
        let style = if s.contains('\n') {
            Style::Literal
        } else if matches!(resolve(s), Resolved::Str) && !is_base60_float(s) {
            Style::Plain
        } else {
            Style::Double
        };
        self.scalar(s, style, key);
    }

    fn plain_token(&mut self, s: &str) {
        self.scalar(s, Style::Plain, false);
    }

    fn node(&mut self, d: &Yd, in_mapping: bool) {
        match d {
            Yd::Null => self.plain_token("null"),
            Yd::Bool(b) => self.plain_token(if *b { "true" } else { "false" }),
            Yd::Int(i) => self.plain_token(&i.to_string()),
            Yd::Uint(u) => self.plain_token(&u.to_string()),
            Yd::Float(f) => {
                let s = match gofmt::format_float(*f, 'g', -1).as_str() {
                    "+Inf" => ".inf".to_string(),
                    "-Inf" => "-.inf".to_string(),
                    "NaN" => ".nan".to_string(),
                    s => s.to_string(),
                };
                self.plain_token(&s)
            }
            Yd::Str(s) => self.string(s, false),
            Yd::Seq(items) => {
                if items.is_empty() {
                    self.indicator("[", true, true, false);
                    self.indicator("]", false, false, false);
                    return;
                }
                let saved = self.indent;
                let indentless = in_mapping && !self.indention;
                if !indentless {
                    self.indent = saved_indent_next(saved, self.top);
                }
                self.top = false;
                for (it, o) in items {
                    self.write_indent();
                    self.trace(*o);
                    self.indicator("-", true, false, true);
                    self.node(it, false);
                }
                self.indent = saved;
            }
            Yd::Map(entries) => {
                if entries.is_empty() {
                    self.indicator("{", true, true, false);
                    self.indicator("}", false, false, false);
                    return;
                }
                let saved = self.indent;
                self.indent = saved_indent_next(saved, self.top);
                self.top = false;
                let mut entries: Vec<&(Str, Yd, Origin)> = entries.iter().collect();
                merge_sort(&mut entries, &|a, b| natural_cmp(&a.0, &b.0).is_lt());
                for (k, v, o) in entries {
                    self.write_indent();
                    self.trace(*o);
                    let simple = k.chars().count() <= 128 && !k.contains('\n');
                    if simple {
                        self.string(k, true);
                        self.indicator(":", false, false, false);
                    } else {
                        self.indicator("?", true, false, true);
                        let saved_k = self.indent;
                        self.string(k, false);
                        self.indent = saved_k;
                        self.write_indent();
                        self.indicator(":", true, false, true);
                    }
                    self.node(v, true);
                }
                self.indent = saved;
            }
        }
    }
}

/// The emitter's first collection sits at column 0; nested ones two further.
fn saved_indent_next(saved: usize, top: bool) -> usize {
    if top { 0 } else { saved + BEST_INDENT }
}

/// A stable merge sort that accepts an inconsistent order: go-yaml's key order is not transitive
/// for some keys (`1a` < `9` < `10` < `1a`), and the standard sorts may panic on such orders.
fn merge_sort<T: Copy>(v: &mut [T], less: &dyn Fn(&T, &T) -> bool) {
    let n = v.len();
    if n <= 1 {
        return;
    }
    let mid = n / 2;
    merge_sort(&mut v[..mid], less);
    merge_sort(&mut v[mid..], less);
    let mut out = Vec::with_capacity(n);
    let (mut i, mut j) = (0, mid);
    while i < mid && j < n {
        if less(&v[j], &v[i]) {
            out.push(v[j]);
            j += 1;
        } else {
            out.push(v[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&v[i..mid]);
    out.extend_from_slice(&v[j..n]);
    v.copy_from_slice(&out);
}

/// go-yaml v2's key order: letters before other characters, digit runs compared as numbers.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let less = |x: bool| if x { Ordering::Less } else { Ordering::Greater };
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return less(bl);
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 {
                j -= 1;
                if !ar[j].is_ascii_digit() {
                    break;
                }
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.wrapping_mul(10).wrapping_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.wrapping_mul(10).wrapping_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

/// `toYaml`: sigs.k8s.io/yaml's `Marshal`, without the final newline (Helm trims it).
pub fn to_yaml(v: &Value) -> Result<String, String> {
    to_yaml_traced(v).map(|(s, _)| s)
}

/// [`to_yaml`], with the output lines where each traced value starts (line index, origin).
pub fn to_yaml_traced(v: &Value) -> Result<(String, Vec<(u32, Origin)>), String> {
    let d = to_yd(v, 0)?;
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        indent: 0,
        whitespace: true,
        indention: true,
        top: true,
        traced: Vec::new(),
        lines: 0,
    };
    e.trace(v.origin);
    match &d {
        Yd::Seq(items) if !items.is_empty() => e.node(&d, false),
        Yd::Map(entries) if !entries.is_empty() => e.node(&d, false),
        _ => {
            // A root scalar is indented as in a flow context (libyaml's first indent).
            e.top = false;
            e.node(&d, false);
        }
    }
    let mut out = e.out;
    if out.ends_with('\n') {
        out.pop();
    }
    Ok((out, e.traced))
}

// ---------------------------------------------------------------- reading YAML as Helm does

/// Nodes one document may produce, aliases expanded included.
pub const MAX_NODES: usize = 5_000_000;
/// Nesting deeper than this is an error.
pub const MAX_DEPTH: usize = 1_000;

/// A YAML reading error, located.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub line: u32,
    pub col: u32,
    pub message: String,
    /// A conversion error (not YAML syntax): shown without the `yaml: line N:` prefix.
    pub bare: bool,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.bare {
            return write!(f, "{}", self.message);
        }
        write!(f, "yaml: line {}: {}", self.line, self.message)
    }
}

/// Go's `%#v` of a decoded scalar, for conversion errors.
fn go_sharp_v(v: &Value) -> String {
    match &v.v {
        V::Str(s) => gofmt::go_quote(s),
        V::Nil | V::NilIface => "<nil>".into(),
        _ => gofmt::to_v(v),
    }
}

/// Where a node was read: its key path, 1-based line and column.
pub struct NodeAt<'a> {
    pub path: &'a [Str],
    pub line: u32,
    pub col: u32,
    /// Line and column of the key naming the node (its own position for list items and the root).
    pub key_line: u32,
    pub key_col: u32,
}

enum Key {
    Str(Str),
    Merge,
}

enum Frame {
    Seq {
        anchor: usize,
        items: Vec<Value>,
        origin: Origin,
    },
    Map {
        anchor: usize,
        entries: BTreeMap<Str, Value>,
        pending: Option<(Key, u32, u32)>,
        origin: Origin,
    },
}

fn span_pos(s: &Span) -> (u32, u32) {
    (s.start.line() as u32, s.start.col() as u32 + 1)
}

fn float32_key(f: f64) -> String {
    let f = f as f32;
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    // Shortest float32 digits, formatted as %g would.
    let s = format!("{f:e}");
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = e.parse().unwrap_or(0);
    let neg = m.starts_with('-');
    let digits: String = m.chars().filter(char::is_ascii_digit).collect();
    let v: f64 = format!(
        "{}{}e{}",
        if neg { "-" } else { "" },
        m.trim_start_matches('-'),
        exp
    )
    .parse()
    .unwrap_or(0.0);
    let _ = digits;
    // Reuse the float64 formatter on the decimal value the float32 digits denote.
    gofmt::format_float(v, 'g', -1)
}

fn scalar_key(text: &str, style: ScalarStyle, tagged_str: bool) -> Result<Key, String> {
    if !matches!(style, ScalarStyle::Plain) || tagged_str {
        return Ok(Key::Str(Rc::from(text)));
    }
    Ok(match resolve(text) {
        Resolved::Str | Resolved::Timestamp => Key::Str(Rc::from(text)),
        Resolved::Bool(b) => Key::Str(Rc::from(if b { "true" } else { "false" })),
        Resolved::Int(i) => Key::Str(Rc::from(i.to_string().as_str())),
        Resolved::Uint(u) => {
            return Err(format!("unsupported map key of type: uint64, key: 0x{u:x}"));
        }
        Resolved::Float(f) => Key::Str(Rc::from(float32_key(f).as_str())),
        Resolved::Null => {
            return Err("unsupported map key of type: %!s(<nil>), key: <nil>".into());
        }
        Resolved::Merge => Key::Merge,
    })
}

fn scalar_value(
    text: &str,
    style: ScalarStyle,
    tag: Option<&saphyr_parser::Tag>,
) -> Result<Value, String> {
    let core = tag
        .filter(|t| t.is_yaml_core_schema())
        .map(|t| t.suffix.as_str());
    if tag.is_some() && core.is_none() {
        // An application tag: go-yaml keeps the text.
        return Ok(Value::str(text));
    }
    match core {
        Some("str") => return Ok(Value::str(text)),
        Some("binary") => {
            use base64::Engine;
            let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            return base64::engine::general_purpose::STANDARD
                .decode(clean)
                .map(|b| Value::string(String::from_utf8_lossy(&b).into_owned()))
                .map_err(|e| format!("!!binary value contains invalid base64 data: {e}"));
        }
        _ => {}
    }
    if !matches!(style, ScalarStyle::Plain) && core.is_none() {
        return Ok(Value::str(text));
    }
    let r = resolve(text);
    if let Some(t) = core {
        let want = match t {
            "int" => Some(Tag::Int),
            "float" => Some(Tag::Float),
            "bool" => Some(Tag::Bool),
            "null" => Some(Tag::Null),
            "timestamp" => Some(Tag::Timestamp),
            _ => None,
        };
        if let Some(w) = want
            && r.tag() != w
            && !(w == Tag::Float && r.tag() == Tag::Int)
        {
            return Err(format!(
                "cannot decode !!{} `{text}` as a !!{t}",
                tag_name(r.tag())
            ));
        }
    }
    Ok(match r {
        Resolved::Str | Resolved::Timestamp | Resolved::Merge => Value::str(text),
        Resolved::Bool(b) => Value::bool(b),
        Resolved::Int(i) => Value::float(i as f64),
        Resolved::Uint(u) => Value::float(u as f64),
        Resolved::Float(f) => {
            if !f.is_finite() {
                return Err(format!("json: unsupported value: {}", gofmt::float_v(f)));
            }
            Value::float(f)
        }
        Resolved::Null => Value::nil(),
    })
}

fn tag_name(t: Tag) -> &'static str {
    match t {
        Tag::Str => "str",
        Tag::Bool => "bool",
        Tag::Int => "int",
        Tag::Float => "float",
        Tag::Null => "null",
        Tag::Timestamp => "timestamp",
        Tag::Merge => "merge",
    }
}

fn count_nodes(v: &Value) -> usize {
    match &v.v {
        V::List(l) => 1 + l.items.iter().map(count_nodes).sum::<usize>(),
        V::Map(m) => 1 + m.borrow().entries.values().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

/// Merge a `<<` value into a mapping being built, as go-yaml v2 does (in place of the key).
fn apply_merge(entries: &mut BTreeMap<Str, Value>, v: &Value) -> Result<(), String> {
    match &v.v {
        V::Map(m) => {
            for (k, x) in &m.borrow().entries {
                entries.insert(k.clone(), x.clone());
            }
            Ok(())
        }
        V::List(l) => {
            for item in l.items.iter().rev() {
                match &item.v {
                    V::Map(m) => {
                        for (k, x) in &m.borrow().entries {
                            entries.insert(k.clone(), x.clone());
                        }
                    }
                    _ => {
                        return Err(
                            "map merge requires map or sequence of maps as the value".into()
                        );
                    }
                }
            }
            Ok(())
        }
        _ => Err("map merge requires map or sequence of maps as the value".into()),
    }
}

/// Read the first YAML document of `text` as Helm's loader does (numbers become float64).
/// `origin` is called for every node, with its key path and position, and returns the origin
/// recorded on the value.
pub fn parse_yaml(
    text: &str,
    origin: &mut dyn FnMut(NodeAt<'_>) -> Origin,
) -> Result<Value, YamlError> {
    parse_yaml_with(text, false, origin)
}

/// [`parse_yaml`]; with `raw`, plain scalars keep their text (as `Chart.yaml`'s string fields do:
/// `appVersion: 1.10` is `"1.10"`), only nulls become nil.
pub fn parse_yaml_with(
    text: &str,
    raw: bool,
    origin: &mut dyn FnMut(NodeAt<'_>) -> Origin,
) -> Result<Value, YamlError> {
    match parse_yaml_inner(text, raw, origin) {
        Err(e) if e.message.contains("indentation") => {
            // libyaml accepts a flow collection's closing bracket on a line indented no more
            // than its key; the parser used here does not. Indent such lines and read again.
            let fixed = indent_closing_brackets(text);
            if fixed == text {
                return Err(e);
            }
            parse_yaml_inner(&fixed, raw, origin).map_err(|_| e)
        }
        r => r,
    }
}

fn indent_closing_brackets(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let t = line.trim_start_matches([' ', '\t']);
        let body = t.trim_end();
        if !body.is_empty() && body.bytes().all(|b| matches!(b, b']' | b'}' | b',' | b' ')) {
            out.push_str(&" ".repeat(line.len() - t.len() + 64));
            out.push_str(t);
        } else {
            out.push_str(line);
        }
    }
    out
}

fn parse_yaml_inner(
    text: &str,
    raw: bool,
    origin: &mut dyn FnMut(NodeAt<'_>) -> Origin,
) -> Result<Value, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut path: Vec<Str> = Vec::new();
    let mut anchors: HashMap<usize, Value> = HashMap::new();
    let mut nodes = 0usize;
    let mut root: Option<Value> = None;
    let mut started = false;
    let err = |line: u32, col: u32, message: String| YamlError {
        line,
        col,
        message,
        bare: false,
    };
    // A key that cannot become a JSON key: reported with its value, as sigs.k8s.io/yaml does.
    let mut bad_key: Option<(u32, u32, String)> = None;
    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => {
                let m = e.marker();
                return Err(err(
                    m.line() as u32,
                    m.col() as u32 + 1,
                    e.info().to_string(),
                ));
            }
        };
        let (line, col) = span_pos(&span);
        let done: Option<(Value, usize)> = match event {
            Event::StreamStart | Event::Nothing => None,
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                if started {
                    break;
                }
                started = true;
                None
            }
            Event::DocumentEnd => break,
            Event::Alias(id) => match anchors.get(&id) {
                Some(v) => {
                    nodes += count_nodes(v);
                    if nodes > MAX_NODES {
                        return Err(err(
                            line,
                            col,
                            "document contains excessive aliasing".into(),
                        ));
                    }
                    Some((v.deep_copy(), 0))
                }
                None => return Err(err(line, col, "unknown anchor referenced".to_string())),
            },
            Event::Scalar(t, style, anchor, tag) => {
                nodes += 1;
                // A mapping key?
                if let Some(Frame::Map { pending, .. }) = stack.last_mut()
                    && pending.is_none()
                {
                    let tagged_str = tag
                        .as_ref()
                        .is_some_and(|t| t.is_yaml_core_schema() && t.suffix == "str");
                    let k = match scalar_key(&t, style, tagged_str) {
                        Ok(k) => k,
                        Err(m) => {
                            bad_key = Some((line, col, m));
                            Key::Str(Rc::from(""))
                        }
                    };
                    *pending = Some((k, line, col));
                    if let Some(Frame::Map {
                        pending: Some((Key::Str(k), _, _)),
                        ..
                    }) = stack.last()
                    {
                        path.push(k.clone());
                    }
                    continue;
                }
                let v = if raw {
                    if matches!(style, ScalarStyle::Plain) && matches!(resolve(&t), Resolved::Null)
                    {
                        Value::nil()
                    } else {
                        Value::str(&t)
                    }
                } else {
                    scalar_value(&t, style, tag.as_deref()).map_err(|m| err(line, col, m))?
                };
                Some((v, anchor))
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(err(
                        line,
                        col,
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    ));
                }
                if let Some(Frame::Map { pending: None, .. }) = stack.last() {
                    return Err(err(
                        line,
                        col,
                        "unsupported map key: a collection used as a key".into(),
                    ));
                }
                let (kl, kc) = key_pos(&stack, line, col);
                let o = origin(NodeAt {
                    path: &path,
                    line,
                    col,
                    key_line: kl,
                    key_col: kc,
                });
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        anchor,
                        items: Vec::new(),
                        origin: o,
                    }
                } else {
                    Frame::Map {
                        anchor,
                        entries: BTreeMap::new(),
                        pending: None,
                        origin: o,
                    }
                });
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq {
                    anchor,
                    items,
                    origin,
                }) => Some((Value::list(items).with_origin(origin), anchor)),
                _ => return Err(err(line, col, "unbalanced sequence".into())),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    anchor,
                    entries,
                    origin,
                    ..
                }) => Some((Value::map(entries).with_origin(origin), anchor)),
                _ => return Err(err(line, col, "unbalanced mapping".into())),
            },
        };
        if nodes > MAX_NODES {
            return Err(err(line, col, format!("more than {MAX_NODES} nodes")));
        }
        let Some((mut v, anchor)) = done else {
            continue;
        };
        if !matches!(v.v, V::List(_) | V::Map(_)) {
            let (kl, kc) = key_pos(&stack, line, col);
            v.origin = origin(NodeAt {
                path: &path,
                line,
                col,
                key_line: kl,
                key_col: kc,
            });
        }
        if anchor != 0 {
            anchors.insert(anchor, v.clone());
        }
        if let Some((l, c, m)) = bad_key.take() {
            let value = if matches!(v.v, V::List(_) | V::Map(_)) {
                gofmt::to_v(&v)
            } else {
                go_sharp_v(&v)
            };
            return Err(YamlError {
                line: l,
                col: c,
                message: format!("{m}, value: {value}"),
                bare: true,
            });
        }
        match stack.last_mut() {
            None => {
                root = Some(v);
            }
            Some(Frame::Seq { items, .. }) => items.push(v),
            Some(Frame::Map {
                entries, pending, ..
            }) => match pending.take() {
                Some((Key::Str(k), _, _)) => {
                    path.pop();
                    entries.insert(k, v);
                }
                Some((Key::Merge, _, _)) => {
                    apply_merge(entries, &v).map_err(|m| err(line, col, m))?;
                }
                None => {
                    return Err(err(line, col, "unsupported map key".into()));
                }
            },
        }
    }
    Ok(root.unwrap_or_else(Value::nil))
}

fn key_pos(stack: &[Frame], line: u32, col: u32) -> (u32, u32) {
    match stack.last() {
        Some(Frame::Map {
            pending: Some((_, l, c)),
            ..
        }) => (*l, *c),
        _ => (line, col),
    }
}

/// `fromYaml`: a map, or `{"Error": message}` when the text is not a YAML mapping.
pub fn from_yaml(text: &str) -> Value {
    match parse_yaml(text, &mut |_| Origin::NONE) {
        Ok(v) => match &v.v {
            V::Map(_) => v,
            V::Nil => Value::empty_map(),
            _ => error_map(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                json_kind(&v)
            )),
        },
        Err(e) => error_map(format!("error converting YAML to JSON: {e}")),
    }
}

/// `fromYamlArray`: a list, or a list holding the error message.
pub fn from_yaml_array(text: &str) -> Value {
    match parse_yaml(text, &mut |_| Origin::NONE) {
        Ok(v) => match &v.v {
            V::List(_) => v,
            V::Nil => Value::list(Vec::new()),
            _ => Value::list(vec![Value::string(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
                json_kind(&v)
            ))]),
        },
        Err(e) => Value::list(vec![Value::string(format!(
            "error converting YAML to JSON: {e}"
        ))]),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match &v.v {
        V::Map(_) => "object",
        V::List(_) => "array",
        V::Str(_) => "string",
        V::Bool(_) => "bool",
        V::Float(_) | V::Int(_) | V::I64(_) | V::U64(_) => "number",
        _ => "null",
    }
}

fn error_map(msg: String) -> Value {
    let mut m = BTreeMap::new();
    m.insert(Rc::from("Error"), Value::string(msg));
    Value::map(m)
}

// ---------------------------------------------------------------- JSON as encoding/json

fn json_string(s: &str, html: bool, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_write(
    v: &Value,
    html: bool,
    indent: Option<&str>,
    level: usize,
    out: &mut String,
) -> Result<(), String> {
    if level > 1_000 {
        return Err("json: unsupported value: encountered a cycle".into());
    }
    let nl = |out: &mut String, level: usize| {
        if let Some(ind) = indent {
            out.push('\n');
            for _ in 0..level {
                out.push_str(ind);
            }
        }
    };
    match &v.v {
        V::Nil | V::NilIface => out.push_str("null"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Int(i) | V::I64(i) => out.push_str(&i.to_string()),
        V::U64(u) => out.push_str(&u.to_string()),
        V::Float(f) => out.push_str(
            &go_json_float(*f)
                .ok_or_else(|| format!("json: unsupported value: {}", gofmt::float_v(*f)))?,
        ),
        V::Str(s) => json_string(s, html, out),
        V::List(l) => {
            if l.items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, x) in l.items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, level + 1);
                json_write(x, html, indent, level + 1, out)?;
            }
            nl(out, level);
            out.push(']');
        }
        V::Map(m) => {
            let m = m.borrow();
            if m.entries.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, x)) in m.entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, level + 1);
                json_string(k, html, out);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                json_write(x, html, indent, level + 1, out)?;
            }
            nl(out, level);
            out.push('}');
        }
        V::Obj(o) => json_write(&o.to_data(), html, indent, level, out)?,
    }
    Ok(())
}

/// `json.Marshal` (`html`: escape `<>&`), or `MarshalIndent` with `indent`.
pub fn to_json(v: &Value, html: bool, indent: Option<&str>) -> Result<String, String> {
    let mut out = String::new();
    json_write(v, html, indent, 0, &mut out)?;
    Ok(out)
}

/// `json.Unmarshal` into `interface{}`.
pub fn parse_json(text: &str) -> Result<Value, String> {
    let j: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(Value::from_json(&j))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(text: &str) -> Value {
        parse_yaml(text, &mut |_| Origin::NONE).unwrap()
    }

    #[test]
    fn yaml_1_1_resolution_and_float_numbers() {
        let v = y("a: yes\nb: 0x1F\nc: 1e3\nd: '1'\ne: 2001-12-14\nf: ~\ng: 08\nh: 1_000\n");
        assert!(matches!(v.get("a").unwrap().v, V::Bool(true)));
        assert!(matches!(v.get("b").unwrap().v, V::Float(f) if f == 31.0));
        assert!(matches!(v.get("c").unwrap().v, V::Float(f) if f == 1000.0));
        assert!(matches!(v.get("d").unwrap().v, V::Str(_)));
        assert!(matches!(v.get("e").unwrap().v, V::Str(_)));
        assert!(v.get("f").unwrap().is_nil());
        assert!(matches!(v.get("g").unwrap().v, V::Float(f) if f == 8.0));
        assert!(matches!(v.get("h").unwrap().v, V::Float(f) if f == 1000.0));
        let v = y("y: 1\n1.5: a\ntrue: b\n");
        assert!(v.get("true").is_some() && v.get("1.5").is_some());
    }

    #[test]
    fn to_yaml_matches_go_yaml_v2() {
        let v = y(
            "b: [1, {x: 1, y: [a]}]\nK: 4\nk10: 1\nk2: 2\nk_1: 3\ns: 'yes'\nm: \"l1\\nl2\\n\"\nn: \"l1\\nl2\"\ne: {}\nl: []\nq: \"a: b\"\nt: \"a\\tb\"\n",
        );
        let out = to_yaml(&v).unwrap();
        assert_eq!(
            out,
            "K: 4\nb:\n- 1\n- \"true\":\n  - a\n  x: 1\ne: {}\n\"false\": |-\n  l1\n  l2\nk_1: 3\nk2: 2\nk10: 1\nl: []\nm: |\n  l1\n  l2\nq: 'a: b'\ns: \"yes\"\nt: \"a\\tb\""
        );
        assert_eq!(to_yaml(&Value::str("x")).unwrap(), "x");
        assert_eq!(to_yaml(&Value::float(1e6)).unwrap(), "1000000");
        assert_eq!(to_yaml(&Value::float(1e21)).unwrap(), "1e+21");
        assert_eq!(to_yaml(&Value::nil()).unwrap(), "null");
    }

    #[test]
    fn long_plain_scalars_fold_at_80_columns() {
        let long = "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr ssss tttt";
        let mut m = BTreeMap::new();
        m.insert(Rc::from("long"), Value::str(long));
        let out = to_yaml(&Value::map(m)).unwrap();
        assert_eq!(
            out,
            "long: aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp\n  qqqq rrrr ssss tttt"
        );
    }

    #[test]
    fn json_like_go() {
        let v = y("a: 1\nb: 1.5\nc: '<x>'\nd: [1e21, 0.000001, 1e-7]\n");
        assert_eq!(
            to_json(&v, true, None).unwrap(),
            "{\"a\":1,\"b\":1.5,\"c\":\"\\u003cx\\u003e\",\"d\":[1e+21,0.000001,1e-7]}"
        );
        assert_eq!(natural_cmp("a10", "a9"), std::cmp::Ordering::Greater);
    }
}
