//! The name suffix Kustomize appends to generated ConfigMaps and Secrets, computed exactly as
//! Kustomize v5 computes it (`api/hasher`): the SHA-256 of a Go `json.Marshal` encoding of
//! `{"data", "kind", "name", …}` (keys sorted, `<`, `>`, `&` escaped as Go escapes them; the
//! name is always empty, a quirk of Kustomize's field lookup that is part of its output), the
//! first ten hex digits, with `0 1 3 a e` mapped to `g h k m t`.
//!
//! The Go encoding is written here by hand because serde_json does not escape HTML characters
//! as Go does, and the hash must match byte for byte.

use sha2::{Digest, Sha256};
use vigie_parse::yaml::Node;

/// The suffix for object `n` (a ConfigMap or a Secret).
pub(crate) fn suffix(n: &Node) -> String {
    let kind = n.get("kind").and_then(Node::as_str).unwrap_or("");
    let mut fields: Vec<(&str, String)> = vec![
        ("kind", go_string(kind)),
        ("name", go_string("")),
        ("data", data_json(n.get("data"))),
    ];
    if kind == "ConfigMap" {
        if let Some(b) = n.get("binaryData").filter(|b| b.as_map().is_some()) {
            fields.push(("binaryData", data_json(Some(b))));
        }
    } else {
        let t = n.get("type").and_then(Node::as_str).unwrap_or("");
        fields.push(("type", go_string(t)));
        if let Some(b) = n.get("stringData").filter(|b| b.as_map().is_some()) {
            fields.push(("stringData", data_json(Some(b))));
        }
    }
    fields.sort_by(|a, b| a.0.cmp(b.0));
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{v}", go_string(k)))
        .collect();
    encode(&format!("{{{}}}", body.join(",")))
}

fn encode(s: &str) -> String {
    let digest = Sha256::digest(s.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex[..10]
        .chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

/// A data map as Go's `json.Marshal` of the map Kustomize reads (absent: `""`).
fn data_json(n: Option<&Node>) -> String {
    let Some(n) = n.filter(|n| !n.is_null()) else {
        return go_string("");
    };
    go_json(&n.to_json())
}

fn go_json(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => go_string(s),
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", go_string(k), go_json(&m[*k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        serde_json::Value::Array(a) => {
            format!("[{}]", a.iter().map(go_json).collect::<Vec<_>>().join(","))
        }
        other => other.to_string(),
    }
}

/// A string as Go's `encoding/json` writes it (HTML-safe escaping, U+2028/2029 escaped).
pub(crate) fn go_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_map_suffix_matches_kustomize() {
        // `kubectl kustomize` (v5.5) names this ConfigMap `p-cfg-f986b78m9b`.
        let n = vigie_parse::yaml::parse(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p-cfg}\ndata: {a: \"1\", b: \"<&>\"}\n",
        )
        .documents
        .remove(0)
        .root;
        assert_eq!(suffix(&n), "f986b78m9b");
    }
}
