//! Go's `fmt` printing rules: `%v` of every value kind (`map[a:1 b:2]`, `[a b]`, `<nil>`, floats
//! as `%g` with the shortest representation, so `1e+06`), `Sprint`'s spacing, and `Sprintf` with
//! its verbs, flags, widths, precisions, argument indexes and its in-band errors (`%!d(string=x)`).
//! Charts print values through these rules, so they decide the rendered bytes.

use crate::value::{ListTy, V, Value};

/// Shortest decimal digits of a finite positive float and the decimal point position
/// (`digits` × 10^(dp − len)), as Go's `strconv` computes them.
fn shortest_digits(f: f64) -> (Vec<u8>, i32) {
    let s = format!("{:e}", f.abs());
    split_exp(&s)
}

/// Digits of `f` rounded to `n` significant digits (n ≥ 1).
fn rounded_digits(f: f64, n: usize) -> (Vec<u8>, i32) {
    let s = format!("{:.*e}", n.saturating_sub(1), f.abs());
    split_exp(&s)
}

fn split_exp(s: &str) -> (Vec<u8>, i32) {
    let (m, e) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = e.parse().unwrap_or(0);
    let digits: Vec<u8> = m.bytes().filter(u8::is_ascii_digit).collect();
    if digits.iter().all(|&d| d == b'0') {
        return (vec![b'0'], 1);
    }
    (digits, exp + 1)
}

fn trim_zeros(mut d: Vec<u8>) -> Vec<u8> {
    while d.len() > 1 && d.last() == Some(&b'0') {
        d.pop();
    }
    d
}

fn fmt_e(out: &mut String, d: &[u8], dp: i32, prec: i32, e: char) {
    out.push(d[0] as char);
    if prec > 0 {
        out.push('.');
        for i in 1..=prec as usize {
            out.push(*d.get(i).unwrap_or(&b'0') as char);
        }
    }
    out.push(e);
    let exp = if d == [b'0'] { 0 } else { dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
}

fn fmt_f(out: &mut String, d: &[u8], dp: i32, prec: i32) {
    if dp > 0 {
        for i in 0..dp as usize {
            out.push(*d.get(i).unwrap_or(&b'0') as char);
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            let j = dp + i - 1;
            let c = if j >= 0 && (j as usize) < d.len() {
                d[j as usize]
            } else {
                b'0'
            };
            out.push(c as char);
        }
    }
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)` for `fmt` in `e E f g G`; `prec` < 0 is shortest.
pub fn format_float(f: f64, fmt: char, prec: i32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let mut out = String::new();
    if f.is_sign_negative() {
        out.push('-');
    }
    let shortest = prec < 0;
    match fmt {
        'e' | 'E' => {
            let (d, dp) = if shortest {
                shortest_digits(f)
            } else {
                rounded_digits(f, prec as usize + 1)
            };
            let p = if shortest { d.len() as i32 - 1 } else { prec };
            fmt_e(&mut out, &d, dp, p, fmt);
        }
        'f' => {
            if shortest {
                let (d, dp) = shortest_digits(f);
                let p = (d.len() as i32 - dp).max(0);
                fmt_f(&mut out, &d, dp, p);
            } else {
                let s = format!("{:.*}", prec as usize, f.abs());
                out.push_str(&s);
            }
        }
        _ => {
            // g / G
            let (d, dp) = if shortest {
                shortest_digits(f)
            } else {
                let p = if prec == 0 { 1 } else { prec };
                let (d, dp) = rounded_digits(f, p as usize);
                (trim_zeros(d), dp)
            };
            let mut prec = if shortest {
                d.len() as i32
            } else {
                prec.max(1)
            };
            let mut eprec = prec;
            if eprec > d.len() as i32 && d.len() as i32 >= dp {
                eprec = d.len() as i32;
            }
            if shortest {
                eprec = 6;
            }
            let exp = dp - 1;
            let e = if fmt == 'G' { 'E' } else { 'e' };
            if d == [b'0'] {
                out.push('0');
                return out;
            }
            if exp < -4 || exp >= eprec {
                if prec > d.len() as i32 {
                    prec = d.len() as i32;
                }
                fmt_e(&mut out, &d, dp, prec - 1, e);
            } else {
                if prec > dp {
                    prec = d.len() as i32;
                }
                fmt_f(&mut out, &d, dp, (prec - dp).max(0));
            }
        }
    }
    out
}

/// `%v` of a float64.
pub fn float_v(f: f64) -> String {
    format_float(f, 'g', -1)
}

/// Go's `unicode.IsPrint`, close enough for quoting: graphic characters and the ASCII space.
fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF | 0xD800..=0xDFFF | 0xFFFE | 0xFFFF)
}

/// Go's `strconv.Quote`.
pub fn go_quote(s: &str) -> String {
    quote_with(s, '"', false)
}

fn quote_with(s: &str, q: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        if c == q || c == '\\' {
            out.push('\\');
            out.push(c);
            continue;
        }
        if (!ascii_only || c.is_ascii()) && is_print(c) {
            out.push(c);
            continue;
        }
        match c {
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(q);
    out
}

/// `%v` of a value, appended to `out`. `top` is false inside a composite (nil prints `<nil>`
/// everywhere in fmt; the template engine's `<no value>` is handled by its caller).
pub fn write_v(v: &Value, out: &mut String) {
    write_v_depth(v, out, 0)
}

/// Nesting printed before giving up: a map holding itself (`set $d "x" $d`) would never end.
const MAX_PRINT_DEPTH: usize = 1_000;

fn write_v_depth(v: &Value, out: &mut String, depth: usize) {
    if depth > MAX_PRINT_DEPTH || out.len() > (256 << 20) {
        out.push_str("...");
        return;
    }
    match &v.v {
        V::Nil | V::NilIface => out.push_str("<nil>"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Int(i) | V::I64(i) => out.push_str(&i.to_string()),
        V::U64(u) => out.push_str(&u.to_string()),
        V::Float(f) => out.push_str(&float_v(*f)),
        V::Str(s) => out.push_str(s),
        V::List(l) => {
            out.push('[');
            for (i, x) in l.items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v_depth(x, out, depth + 1);
            }
            out.push(']');
        }
        V::Map(m) => {
            out.push_str("map[");
            for (i, (k, x)) in m.borrow().entries.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v_depth(x, out, depth + 1);
            }
            out.push(']');
        }
        V::Obj(o) => o.fmt_v(out),
    }
}

pub fn to_v(v: &Value) -> String {
    let mut s = String::new();
    write_v(v, &mut s);
    s
}

/// `fmt.Sprint`: spaces between operands when neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a.v, V::Str(_));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        write_v(a, &mut out);
        prev_string = is_string;
    }
    out
}

/// `fmt.Sprintln`: spaces between all operands, a newline at the end.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_v(a, &mut out);
    }
    out.push('\n');
    out
}

#[derive(Default, Clone, Copy)]
struct Flags {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

fn pad(out: &mut String, s: &str, f: &Flags) {
    let n = s.chars().count();
    let w = f.width.unwrap_or(0);
    if n >= w {
        out.push_str(s);
        return;
    }
    let fill = w - n;
    if f.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', fill));
    } else if f.zero {
        // Zero padding goes after a sign.
        let (sign, rest) = match s.as_bytes().first() {
            Some(b'+' | b'-' | b' ') => s.split_at(1),
            _ => ("", s),
        };
        out.push_str(sign);
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(rest);
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(s);
    }
}

fn bad_verb(out: &mut String, verb: char, v: &Value) {
    out.push_str("%!");
    out.push(verb);
    out.push('(');
    match &v.v {
        V::Nil | V::NilIface => out.push_str("<nil>"),
        _ => {
            out.push_str(&v.type_name());
            out.push('=');
            write_v(v, out);
        }
    }
    out.push(')');
}

fn fmt_integer(out: &mut String, neg: bool, mag: u128, verb: char, f: &Flags) {
    let mut digits = match verb {
        'd' | 'v' => mag.to_string(),
        'x' => format!("{mag:x}"),
        'X' => format!("{mag:X}"),
        'o' | 'O' => format!("{mag:o}"),
        'b' => format!("{mag:b}"),
        _ => mag.to_string(),
    };
    if let Some(p) = f.prec {
        if p == 0 && mag == 0 {
            digits.clear();
        }
        while digits.len() < p {
            digits.insert(0, '0');
        }
    }
    let mut prefix = String::new();
    if f.sharp {
        match verb {
            'x' => prefix.push_str("0x"),
            'X' => prefix.push_str("0X"),
            'o' if !digits.starts_with('0') => prefix.push('0'),
            'b' => prefix.push_str("0b"),
            _ => {}
        }
    }
    if verb == 'O' {
        prefix.push_str("0o");
    }
    let sign = if neg {
        "-"
    } else if f.plus {
        "+"
    } else if f.space {
        " "
    } else {
        ""
    };
    let body = format!("{prefix}{digits}");
    let mut ff = *f;
    if f.prec.is_some() {
        ff.zero = false;
    }
    if ff.zero && !ff.minus {
        let w = f.width.unwrap_or(0);
        let n = sign.len() + body.chars().count();
        out.push_str(sign);
        for _ in n..w {
            out.push('0');
        }
        out.push_str(&body);
    } else {
        pad(out, &format!("{sign}{body}"), &ff);
    }
}

fn fmt_float_verb(out: &mut String, x: f64, verb: char, f: &Flags) {
    let prec = f.prec.map(|p| p as i32);
    let mut s = match verb {
        'v' | 'g' => format_float(x, 'g', prec.unwrap_or(-1)),
        'G' => format_float(x, 'G', prec.unwrap_or(-1)),
        'e' | 'E' => format_float(x, verb, prec.unwrap_or(6)),
        'f' | 'F' => format_float(x, 'f', prec.unwrap_or(6)),
        _ => unreachable!(),
    };
    if f.sharp && matches!(verb, 'v' | 'g' | 'G') && !s.contains('.') && x.is_finite() {
        // %#g keeps a decimal point.
        if let Some(i) = s.find(['e', 'E']) {
            s.insert(i, '.');
        } else {
            s.push('.');
        }
    }
    if s == "+Inf" && !f.plus {
        s = "Inf".into();
    }
    if f.plus && !s.starts_with(['-', '+']) {
        s.insert(0, '+');
    } else if f.space && !s.starts_with(['-', '+']) {
        s.insert(0, ' ');
    }
    let mut ff = *f;
    if !x.is_finite() {
        ff.zero = false;
    }
    pad(out, &s, &ff);
}

fn fmt_string_verb(out: &mut String, s: &str, verb: char, f: &Flags) {
    match verb {
        's' | 'v' => {
            let s: String = match f.prec {
                Some(p) => s.chars().take(p).collect(),
                None => s.to_string(),
            };
            pad(out, &s, f);
        }
        'q' => {
            let q = if f.sharp && !s.contains('`') && s.chars().all(|c| c == '\t' || is_print(c)) {
                format!("`{s}`")
            } else {
                quote_with(s, '"', f.plus)
            };
            pad(out, &q, f);
        }
        'x' | 'X' => {
            let bytes = match f.prec {
                Some(p) => &s.as_bytes()[..p.min(s.len())],
                None => s.as_bytes(),
            };
            let mut h = String::new();
            for (i, b) in bytes.iter().enumerate() {
                if f.space && i > 0 {
                    h.push(' ');
                }
                if f.sharp && (f.space || i == 0) {
                    h.push_str(if verb == 'x' { "0x" } else { "0X" });
                }
                if verb == 'x' {
                    h.push_str(&format!("{b:02x}"));
                } else {
                    h.push_str(&format!("{b:02X}"));
                }
            }
            pad(out, &h, f);
        }
        _ => unreachable!(),
    }
}

/// Format one argument with one verb, as Go's `printArg`.
fn fmt_arg(out: &mut String, v: &Value, verb: char, f: &Flags) {
    fmt_arg_depth(out, v, verb, f, 0)
}

fn fmt_arg_depth(out: &mut String, v: &Value, verb: char, f: &Flags, depth: usize) {
    if depth > MAX_PRINT_DEPTH || out.len() > (256 << 20) {
        out.push_str("...");
        return;
    }
    if verb == 'T' {
        pad(out, &v.type_name(), f);
        return;
    }
    match &v.v {
        V::Nil | V::NilIface => match verb {
            'v' => pad(out, "<nil>", f),
            _ => bad_verb(out, verb, v),
        },
        V::Bool(b) => match verb {
            't' | 'v' => pad(out, if *b { "true" } else { "false" }, f),
            _ => bad_verb(out, verb, v),
        },
        V::Int(i) | V::I64(i) => match verb {
            'd' | 'v' | 'x' | 'X' | 'o' | 'O' | 'b' => {
                fmt_integer(out, *i < 0, (*i as i128).unsigned_abs(), verb, f)
            }
            'c' => pad(
                out,
                &char::from_u32(*i as u32).unwrap_or('\u{FFFD}').to_string(),
                f,
            ),
            'q' => {
                let c = char::from_u32(*i as u32).unwrap_or('\u{FFFD}');
                pad(out, &quote_with(&c.to_string(), '\'', f.plus), f)
            }
            'U' => {
                let s = format!("U+{:04X}", *i);
                pad(out, &s, f)
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 's' | 't' => bad_verb(out, verb, v),
            _ => bad_verb(out, verb, v),
        },
        V::U64(u) => match verb {
            'd' | 'v' | 'x' | 'X' | 'o' | 'O' | 'b' => fmt_integer(out, false, *u as u128, verb, f),
            _ => bad_verb(out, verb, v),
        },
        V::Float(x) => match verb {
            'v' | 'g' | 'G' | 'e' | 'E' | 'f' | 'F' => fmt_float_verb(out, *x, verb, f),
            _ => bad_verb(out, verb, v),
        },
        V::Str(s) => match verb {
            's' | 'v' | 'q' | 'x' | 'X' => fmt_string_verb(out, s, verb, f),
            _ => bad_verb(out, verb, v),
        },
        V::List(l) => {
            if l.ty == ListTy::Bytes && matches!(verb, 's' | 'q' | 'x' | 'X') {
                let bytes: Vec<u8> = l
                    .items
                    .iter()
                    .map(|x| match x.v {
                        V::Int(i) => i as u8,
                        _ => 0,
                    })
                    .collect();
                let s = String::from_utf8_lossy(&bytes).into_owned();
                fmt_string_verb(out, &s, verb, f);
                return;
            }
            out.push('[');
            for (i, x) in l.items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                fmt_arg_depth(out, x, verb, f, depth + 1);
            }
            out.push(']');
        }
        V::Map(m) => {
            out.push_str("map[");
            for (i, (k, x)) in m.borrow().entries.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                fmt_string_or_bad(out, k, verb, f);
                out.push(':');
                fmt_arg_depth(out, x, verb, f, depth + 1);
            }
            out.push(']');
        }
        V::Obj(o) => {
            if matches!(verb, 'v' | 's') {
                let mut s = String::new();
                o.fmt_v(&mut s);
                pad(out, &s, f);
            } else {
                bad_verb(out, verb, v);
            }
        }
    }
}

fn fmt_string_or_bad(out: &mut String, k: &str, verb: char, f: &Flags) {
    match verb {
        's' | 'v' | 'q' | 'x' | 'X' => fmt_string_verb(out, k, verb, f),
        _ => {
            out.push_str("%!");
            out.push(verb);
            out.push_str("(string=");
            out.push_str(k);
            out.push(')');
        }
    }
}

/// `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let b = format.as_bytes();
    let mut i = 0;
    let mut argn = 0usize;
    let mut reordered = false;
    let mut good_argnum = true;
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i] != b'%' {
            i += 1;
        }
        out.push_str(&format[start..i]);
        if i >= b.len() {
            break;
        }
        i += 1; // skip %
        let mut f = Flags::default();
        // flags
        while i < b.len() {
            match b[i] {
                b'#' => f.sharp = true,
                b'0' => f.zero = !f.minus,
                b'+' => f.plus = true,
                b'-' => {
                    f.minus = true;
                    f.zero = false;
                }
                b' ' => f.space = true,
                _ => break,
            }
            i += 1;
        }
        // argument index for width
        let (ni, na, ok, found) = arg_number(b, i, argn, args.len());
        if found {
            i = ni;
            argn = na;
            reordered = true;
            good_argnum = ok;
        }
        // width
        if i < b.len() && b[i] == b'*' {
            i += 1;
            match args.get(argn).map(|a| &a.v) {
                Some(V::Int(w)) | Some(V::I64(w)) => {
                    if *w < 0 {
                        f.minus = true;
                        f.zero = false;
                        f.width = Some(w.unsigned_abs() as usize);
                    } else {
                        f.width = Some(*w as usize);
                    }
                    if f.width.unwrap_or(0) > 1_000_000 {
                        out.push_str("%!(BADWIDTH)");
                        f.width = None;
                    }
                }
                _ => out.push_str("%!(BADWIDTH)"),
            }
            argn += 1;
            reordered = false;
        } else {
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i > s {
                f.width = format[s..i]
                    .parse()
                    .ok()
                    .filter(|&w: &usize| w <= 1_000_000);
                if reordered {
                    good_argnum = false;
                }
            }
        }
        // precision
        if i < b.len() && b[i] == b'.' {
            i += 1;
            if reordered {
                good_argnum = false;
            }
            let (ni, na, ok, found) = arg_number(b, i, argn, args.len());
            if found {
                i = ni;
                argn = na;
                reordered = true;
                good_argnum = ok;
            }
            if i < b.len() && b[i] == b'*' {
                i += 1;
                match args.get(argn).map(|a| &a.v) {
                    Some(V::Int(p)) | Some(V::I64(p)) if *p >= 0 => f.prec = Some(*p as usize),
                    Some(V::Int(_)) | Some(V::I64(_)) => f.prec = None,
                    _ => out.push_str("%!(BADPREC)"),
                }
                argn += 1;
                reordered = false;
            } else {
                let s = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                f.prec = Some(format[s..i].parse().unwrap_or(0).min(1_000_000));
            }
        }
        if !reordered {
            let (ni, na, ok, found) = arg_number(b, i, argn, args.len());
            if found {
                i = ni;
                argn = na;
                reordered = true;
                good_argnum = ok;
            }
        }
        if i >= b.len() {
            out.push_str("%!(NOVERB)");
            break;
        }
        let verb = format[i..].chars().next().unwrap_or('?');
        i += verb.len_utf8();
        if verb == '%' {
            out.push('%');
            continue;
        }
        if !good_argnum {
            out.push_str("%!");
            out.push(verb);
            out.push_str("(BADINDEX)");
            continue;
        }
        if argn >= args.len() {
            out.push_str("%!");
            out.push(verb);
            out.push_str("(MISSING)");
            continue;
        }
        let a = &args[argn];
        argn += 1;
        if verb == 'w' {
            bad_verb(&mut out, verb, a);
            continue;
        }
        fmt_arg(&mut out, a, verb, &f);
    }
    if !reordered && argn < args.len() {
        out.push_str("%!(EXTRA ");
        for (j, a) in args[argn..].iter().enumerate() {
            if j > 0 {
                out.push_str(", ");
            }
            if a.is_nil() {
                out.push_str("<nil>");
            } else {
                out.push_str(&a.type_name());
                out.push('=');
                write_v(a, &mut out);
            }
        }
        out.push(')');
    }
    out
}

/// `[n]` argument index: (new position, new arg number, ok, found).
fn arg_number(b: &[u8], i: usize, argn: usize, nargs: usize) -> (usize, usize, bool, bool) {
    if i >= b.len() || b[i] != b'[' {
        return (i, argn, true, false);
    }
    let mut j = i + 1;
    while j < b.len() && b[j] != b']' {
        j += 1;
    }
    if j >= b.len() {
        return (i + 1, argn, false, true);
    }
    let n: Option<usize> = std::str::from_utf8(&b[i + 1..j])
        .ok()
        .and_then(|s| s.parse().ok());
    match n {
        Some(n) if n >= 1 && n <= nargs => (j + 1, n - 1, true, true),
        _ => (j + 1, argn, false, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_does() {
        assert_eq!(float_v(1_000_000.0), "1e+06");
        assert_eq!(float_v(100_000.0), "100000");
        assert_eq!(float_v(1.5), "1.5");
        assert_eq!(float_v(3.0), "3");
        assert_eq!(float_v(0.0001), "0.0001");
        assert_eq!(float_v(0.00001), "1e-05");
        assert_eq!(float_v(123456789.0), "1.23456789e+08");
        assert_eq!(float_v(-2.5), "-2.5");
        assert_eq!(float_v(f64::INFINITY), "+Inf");
        assert_eq!(format_float(1e21, 'f', -1), "1000000000000000000000");
        assert_eq!(format_float(1.23456, 'f', 2), "1.23");
        assert_eq!(format_float(1234.5678, 'e', 3), "1.235e+03");
        assert_eq!(format_float(0.0, 'e', -1), "0e+00");
        assert_eq!(format_float(100.0, 'g', 2), "1e+02");
        assert_eq!(format_float(123.456, 'g', 4), "123.5");
    }

    #[test]
    fn sprintf_verbs_and_errors() {
        let s = |x: &str| Value::str(x);
        assert_eq!(sprintf("%s-%d", &[s("a"), Value::int(3)]), "a-3");
        assert_eq!(sprintf("%d", &[Value::float(3.0)]), "%!d(float64=3)");
        assert_eq!(sprintf("%s", &[Value::nil()]), "%!s(<nil>)");
        assert_eq!(sprintf("%v", &[Value::nil()]), "<nil>");
        assert_eq!(sprintf("%s %s", &[s("a")]), "a %!s(MISSING)");
        assert_eq!(sprintf("%s", &[s("a"), s("b")]), "a%!(EXTRA string=b)");
        assert_eq!(
            sprintf("%05d|%-4s|%4s", &[Value::int(42), s("ab"), s("ab")]),
            "00042|ab  |  ab"
        );
        assert_eq!(sprintf("%q", &[s("a\"b\n")]), "\"a\\\"b\\n\"");
        assert_eq!(sprintf("%x", &[s("hi")]), "6869");
        assert_eq!(sprintf("%.2f", &[Value::float(2.0 / 3.0)]), "0.67");
        assert_eq!(sprintf("%[2]s %[1]s", &[s("a"), s("b")]), "b a");
        assert_eq!(
            sprintf("%T %T", &[Value::float(1.0), Value::list(vec![])]),
            "float64 []interface {}"
        );
        assert_eq!(sprintf("100%%", &[]), "100%");
        assert_eq!(sprintf("%", &[]), "%!(NOVERB)");
        assert_eq!(
            sprintf(
                "%+d %x %X %o %b",
                &[
                    Value::int(5),
                    Value::int(255),
                    Value::int(255),
                    Value::int(8),
                    Value::int(5)
                ]
            ),
            "+5 ff FF 10 101"
        );
    }

    #[test]
    fn composites_print_like_fmt() {
        let m = Value::map(
            [
                ("b".into(), Value::list(vec![Value::int(1), Value::nil()])),
                ("a".into(), Value::str("x")),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(to_v(&m), "map[a:x b:[1 <nil>]]");
        assert_eq!(
            sprint(&[Value::int(1), Value::int(2), Value::str("a"), Value::int(3)]),
            "1 2a3"
        );
    }
}
