//! YAML printing in `kubectl kustomize`'s layout: mapping keys sorted, sequences not indented
//! under their key, strings quoted only when they would otherwise read back as another type.
//!
//! Written by hand because the trees are vigie's positioned [`Node`]s (no serde model), and
//! because the printed text must read back as the same values: a scalar written plain in the
//! source is printed plain, a quoted one is quoted unless plain text reads back as the same
//! string.

use vigie_parse::yaml::{Node, Value};

/// One document, ending with a newline.
pub(crate) fn document(n: &Node) -> String {
    let mut out = String::new();
    match &n.value {
        Value::Map(es) if !es.is_empty() => write_map(n, 0, &mut out),
        Value::Seq(items) if !items.is_empty() => write_seq(n, 0, &mut out),
        _ => {
            out.push_str(&scalar_text(n));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn write_map(n: &Node, ind: usize, out: &mut String) {
    let mut es: Vec<_> = n.entries().iter().collect();
    es.sort_by(|a, b| a.key.cmp(&b.key));
    for (i, e) in es.iter().enumerate() {
        if i > 0 {
            indent(out, ind);
        }
        out.push_str(&key_text(&e.key));
        out.push(':');
        write_value_after_key(&e.value, ind, out);
    }
}

fn write_value_after_key(v: &Node, ind: usize, out: &mut String) {
    match &v.value {
        Value::Map(es) if !es.is_empty() => {
            out.push('\n');
            indent(out, ind + 2);
            write_map(v, ind + 2, out);
        }
        Value::Seq(items) if !items.is_empty() => {
            out.push('\n');
            indent(out, ind);
            write_seq(v, ind, out);
        }
        _ => {
            out.push(' ');
            write_scalar(v, ind + 2, out);
        }
    }
}

fn write_seq(n: &Node, ind: usize, out: &mut String) {
    for (i, it) in n.items().iter().enumerate() {
        if i > 0 {
            indent(out, ind);
        }
        out.push_str("- ");
        match &it.value {
            Value::Map(es) if !es.is_empty() => write_map(it, ind + 2, out),
            Value::Seq(items) if !items.is_empty() => write_seq(it, ind + 2, out),
            _ => write_scalar(it, ind + 2, out),
        }
    }
}

fn write_scalar(n: &Node, ind: usize, out: &mut String) {
    match &n.value {
        Value::Map(_) => out.push_str("{}\n"),
        Value::Seq(_) => out.push_str("[]\n"),
        Value::Scalar { text, .. } if text.contains('\n') && block_safe(text) => {
            write_block(text, ind, out)
        }
        Value::Scalar { .. } => {
            out.push_str(&scalar_text(n));
            out.push('\n');
        }
    }
}

fn scalar_text(n: &Node) -> String {
    match &n.value {
        Value::Scalar { text, plain: true } if n.is_null() => {
            let _ = text;
            "null".into()
        }
        Value::Scalar { text, plain: true } if !text.contains('\n') && plain_ok(text, true) => {
            text.clone()
        }
        Value::Scalar { text, .. } if plain_ok(text, false) => text.clone(),
        Value::Scalar { text, .. } => quote(text),
        _ => String::new(),
    }
}

fn key_text(k: &str) -> String {
    if plain_ok(k, false) {
        k.to_string()
    } else {
        quote(k)
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// Whether `s` may be printed as a plain scalar. With `typed`, the source wrote it plain, so
/// reading it back as a number or boolean is what it meant.
fn plain_ok(s: &str, typed: bool) -> bool {
    if s.is_empty() || s.trim() != s {
        return false;
    }
    if (!typed && resolves_to_non_string(s)) || looks_like_timestamp(s) {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) && !(first == '-' && s.len() > 1 && typed) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    s.chars().all(|c| !c.is_control())
}

fn resolves_to_non_string(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    matches!(
        l.as_str(),
        "null"
            | "~"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | ".inf"
            | "-.inf"
            | "+.inf"
            | ".nan"
    ) || looks_numeric(s)
}

/// `2019-03-20` or `2019-03-20T17:54:53Z`: YAML 1.1 timestamps, which `kubectl kustomize`
/// prints quoted (Kubernetes fields hold them as strings).
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || matches!(b[10], b'T' | b't' | b' '))
}

fn looks_numeric(s: &str) -> bool {
    let t = s.trim_start_matches(['+', '-']);
    if t.is_empty() {
        return false;
    }
    let t = t.replace('_', "");
    t.parse::<f64>().is_ok()
        || t.starts_with("0x")
        || t.starts_with("0o")
        || (t.chars().all(|c| c.is_ascii_digit() || c == ':') && t.contains(':'))
}

fn block_safe(s: &str) -> bool {
    !s.starts_with(' ')
        && !s.starts_with('\n')
        && !s.contains('\r')
        && !s.contains('\t')
        && s.lines().all(|l| l.trim_end() == l)
        && s.chars().all(|c| c == '\n' || !c.is_control())
}

fn write_block(s: &str, ind: usize, out: &mut String) {
    let trailing = s.len() - s.trim_end_matches('\n').len();
    out.push_str(match trailing {
        0 => "|-",
        1 => "|",
        _ => "|+",
    });
    out.push('\n');
    let body = s.trim_end_matches('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            indent(out, ind);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..trailing {
        out.push('\n');
    }
}
