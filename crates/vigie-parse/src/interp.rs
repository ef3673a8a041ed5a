//! Variable substitution as Compose and Dockerfiles do it: `$VAR`, `${VAR}`, `${VAR:-default}`,
//! `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`, `${VAR:?message}`, `${VAR?message}`, and `$$`
//! for a literal `$` (Compose only). Defaults may hold nested substitutions.

use std::collections::BTreeMap;

/// The outcome of substituting one string.
#[derive(Debug, Default, PartialEq)]
pub struct Substituted {
    pub text: String,
    /// Variables referenced with no value and no default.
    pub unresolved: Vec<String>,
    /// `${VAR:?message}` that fired: the variable is required and missing.
    pub required: Vec<(String, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `$$` is a literal `$`.
    Compose,
    /// Dockerfile: `\$` escapes; `$$` has no meaning.
    Dockerfile,
}

/// Substitute variables in `input` with `vars`.
pub fn substitute(input: &str, vars: &BTreeMap<String, String>, dialect: Dialect) -> Substituted {
    let mut out = Substituted::default();
    if !input.contains('$') {
        out.text = input.to_string();
        return out;
    }
    let mut text = String::with_capacity(input.len());
    sub_into(input, vars, dialect, &mut text, &mut out, 0);
    out.text = text;
    out
}

fn sub_into(
    input: &str,
    vars: &BTreeMap<String, String>,
    dialect: Dialect,
    text: &mut String,
    out: &mut Substituted,
    depth: usize,
) {
    let b = input.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' && dialect == Dialect::Dockerfile && b.get(i + 1) == Some(&b'$') {
            text.push('$');
            i += 2;
            continue;
        }
        if c != b'$' {
            let ch_len = utf8_len(c);
            text.push_str(&input[i..(i + ch_len).min(input.len())]);
            i += ch_len;
            continue;
        }
        match b.get(i + 1) {
            Some(b'$') if dialect == Dialect::Compose => {
                text.push('$');
                i += 2;
            }
            Some(b'{') => {
                // find the matching brace
                let start = i + 2;
                let mut level = 1;
                let mut j = start;
                while j < b.len() {
                    match b[j] {
                        b'{' => level += 1,
                        b'}' => {
                            level -= 1;
                            if level == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if j >= b.len() {
                    // unterminated: keep as is
                    text.push_str(&input[i..]);
                    return;
                }
                let inner = &input[start..j];
                expand_braced(inner, vars, dialect, text, out, depth);
                i = j + 1;
            }
            Some(&n) if n == b'_' || n.is_ascii_alphabetic() => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && (b[j] == b'_' || b[j].is_ascii_alphanumeric()) {
                    j += 1;
                }
                let name = &input[start..j];
                match vars.get(name) {
                    Some(v) => text.push_str(v),
                    None => out.unresolved.push(name.to_string()),
                }
                i = j;
            }
            _ => {
                text.push('$');
                i += 1;
            }
        }
    }
}

fn expand_braced(
    inner: &str,
    vars: &BTreeMap<String, String>,
    dialect: Dialect,
    text: &mut String,
    out: &mut Substituted,
    depth: usize,
) {
    let name_end = inner
        .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .unwrap_or(inner.len());
    let name = &inner[..name_end];
    let rest = &inner[name_end..];
    let value = vars.get(name);
    let nested = |s: &str, text: &mut String, out: &mut Substituted| {
        if depth < 8 {
            sub_into(s, vars, dialect, text, out, depth + 1);
        } else {
            text.push_str(s);
        }
    };
    let (op, arg) = if let Some(a) = rest.strip_prefix(":-") {
        (":-", a)
    } else if let Some(a) = rest.strip_prefix(":+") {
        (":+", a)
    } else if let Some(a) = rest.strip_prefix(":?") {
        (":?", a)
    } else if let Some(a) = rest.strip_prefix('-') {
        ("-", a)
    } else if let Some(a) = rest.strip_prefix('+') {
        ("+", a)
    } else if let Some(a) = rest.strip_prefix('?') {
        ("?", a)
    } else {
        ("", rest)
    };
    let set_nonempty = value.is_some_and(|v| !v.is_empty());
    match op {
        "" => match value {
            Some(v) => text.push_str(v),
            None => out.unresolved.push(name.to_string()),
        },
        ":-" => match value {
            Some(v) if set_nonempty => text.push_str(v),
            _ => nested(arg, text, out),
        },
        "-" => match value {
            Some(v) => text.push_str(v),
            None => nested(arg, text, out),
        },
        ":+" if set_nonempty => nested(arg, text, out),
        "+" if value.is_some() => nested(arg, text, out),
        ":?" | "?" => {
            let ok = if op == ":?" {
                set_nonempty
            } else {
                value.is_some()
            };
            match value {
                Some(v) if ok => text.push_str(v),
                _ => out.required.push((name.to_string(), arg.to_string())),
            }
        }
        _ => {}
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// Parse a `.env` file: `KEY=value`, `export KEY=value`, quotes, comments.
pub fn parse_env_file(text: &str) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let l = l.strip_prefix("export ").unwrap_or(l);
        let Some((k, v)) = l.split_once('=') else {
            continue;
        };
        let k = k.trim();
        if k.is_empty() || !k.chars().all(|c| c == '_' || c.is_ascii_alphanumeric()) {
            continue;
        }
        let v = v.trim();
        let v = if let Some(q) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            q.to_string()
        } else if let Some(q) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            q.to_string()
        } else {
            // an unquoted value ends at ` #`
            v.split(" #").next().unwrap_or(v).trim().to_string()
        };
        m.insert(k.to_string(), v);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        [("A", "1"), ("E", ""), ("TAG", "16.4")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn compose_forms() {
        let v = vars();
        let s = |x: &str| substitute(x, &v, Dialect::Compose).text;
        assert_eq!(s("postgres:${TAG}"), "postgres:16.4");
        assert_eq!(s("$A-$B"), "1-");
        assert_eq!(s("${E:-d}"), "d");
        assert_eq!(s("${E-d}"), "");
        assert_eq!(s("${X:-${A}}"), "1");
        assert_eq!(s("${A:+set}"), "set");
        assert_eq!(s("${E:+set}"), "");
        assert_eq!(s("$$HOME"), "$HOME");
        assert_eq!(s("cost $"), "cost $");
        let r = substitute("${X:?X is required}", &v, Dialect::Compose);
        assert_eq!(
            r.required,
            vec![("X".to_string(), "X is required".to_string())]
        );
        let r = substitute("${NOPE}", &v, Dialect::Compose);
        assert_eq!(r.unresolved, vec!["NOPE".to_string()]);
        assert_eq!(s("é${A}ü"), "é1ü");
        assert_eq!(s("${unterminated"), "${unterminated");
    }

    #[test]
    fn env_files() {
        let m =
            parse_env_file("# c\nA=1\nexport B=\"two words\"\nC='x' \nD=v # comment\nbad line\n");
        assert_eq!(m["A"], "1");
        assert_eq!(m["B"], "two words");
        assert_eq!(m["C"], "x");
        assert_eq!(m["D"], "v");
        assert_eq!(m.len(), 4);
    }
}
