//! `toToml`: the TOML encoding BurntSushi/toml gives Helm's values (plain keys first, then
//! tables, arrays of tables), for the simple value trees charts pass it.

use crate::value::{V, Value};

fn key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        k.to_string()
    } else {
        quote(k)
    }
}

fn quote(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            '\r' => o.push_str("\\r"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04X}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn scalar(v: &Value) -> Option<String> {
    Some(match &v.v {
        V::Bool(b) => b.to_string(),
        V::Int(i) | V::I64(i) => i.to_string(),
        V::U64(u) => u.to_string(),
        V::Float(f) => {
            if f.fract() == 0.0 && f.is_finite() && f.abs() < 1e17 {
                format!("{f:.1}")
            } else {
                crate::gofmt::format_float(*f, 'f', -1)
            }
        }
        V::Str(s) => quote(s),
        V::List(l) if !l.items.iter().any(|x| matches!(x.v, V::Map(_))) => {
            let parts: Vec<String> = l.items.iter().filter_map(scalar).collect();
            format!("[{}]", parts.join(", "))
        }
        _ => return None,
    })
}

fn table(v: &Value, prefix: &str, out: &mut String, depth: usize) {
    let Some(m) = v.as_map() else {
        return;
    };
    let m = m.borrow();
    let indent = "  ".repeat(depth.saturating_sub(1));
    for (k, x) in &m.entries {
        if let Some(s) = scalar(x) {
            out.push_str(&format!("{indent}{} = {s}\n", key(k)));
        }
    }
    for (k, x) in &m.entries {
        let name = if prefix.is_empty() {
            key(k)
        } else {
            format!("{prefix}.{}", key(k))
        };
        match &x.v {
            V::Map(_) => {
                out.push_str(&format!("\n{}[{name}]\n", "  ".repeat(depth)));
                table(x, &name, out, depth + 1);
            }
            V::List(l) if l.items.iter().any(|i| matches!(i.v, V::Map(_))) => {
                for item in &l.items {
                    out.push_str(&format!("\n{}[[{name}]]\n", "  ".repeat(depth)));
                    table(item, &name, out, depth + 1);
                }
            }
            _ => {}
        }
    }
}

pub fn to_toml(v: &Value) -> String {
    let mut out = String::new();
    table(v, "", &mut out, 0);
    out
}
