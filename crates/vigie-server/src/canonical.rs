//! The canonical form of a JSON document, and the digest the history is built on.
//!
//! A report's digest must not depend on how it was formatted on the way in (pretty or compact,
//! key order), and it must be recomputable by an auditor from an export, long after the
//! upload. The canonical form is compact JSON with every object's keys sorted by their UTF-8
//! bytes, strings and numbers written as `serde_json` writes them. It is written here rather
//! than relying on `serde_json`'s map order because that order changes with a cargo feature
//! (`preserve_order`) that any crate of a build may turn on.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The canonical bytes of a value.
pub fn to_vec(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write(v, &mut out);
    out
}

/// Append the canonical bytes of a value.
pub fn write(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.push(b'{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                string(k, out);
                out.push(b':');
                write(&map[k], out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out);
            }
            out.push(b']');
        }
        // scalars: writing into memory cannot fail
        scalar => {
            let _ = serde_json::to_writer(&mut *out, scalar);
        }
    }
}

/// A JSON string literal.
pub fn string(s: &str, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(&mut *out, s);
}

/// The SHA-256 of some bytes, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}

/// Write an object from `(key, canonical value bytes)` pairs, sorting the keys.
pub fn object_from_parts(parts: &mut [(&str, &[u8])], out: &mut Vec<u8>) {
    parts.sort_unstable_by(|a, b| a.0.cmp(b.0));
    out.push(b'{');
    for (i, (k, v)) in parts.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(k, out);
        out.push(b':');
        out.extend_from_slice(v);
    }
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sorted_at_every_depth_and_formatting_does_not_matter() {
        let a: Value =
            serde_json::from_str(r#"{ "b": [ {"z": 1, "a": "x"} ], "a": null }"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":null,"b":[{"a":"x","z":1}]}"#).unwrap();
        assert_eq!(to_vec(&a), br#"{"a":null,"b":[{"a":"x","z":1}]}"#);
        assert_eq!(to_vec(&a), to_vec(&b));
    }

    #[test]
    fn strings_are_escaped_and_reparse_to_the_same_bytes() {
        let v: Value =
            serde_json::json!({"é": "quote \" \\ \n \u{1} <script>", "n": -12, "f": 1.5});
        let bytes = to_vec(&v);
        let again: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(to_vec(&again), bytes);
    }

    #[test]
    fn parts_make_the_same_object_as_the_whole() {
        let whole: Value = serde_json::json!({"b": [1, 2], "a": {"y": 1, "x": 2}});
        let a = to_vec(&whole["a"]);
        let b = to_vec(&whole["b"]);
        let mut out = Vec::new();
        object_from_parts(&mut [("b", &b), ("a", &a)], &mut out);
        assert_eq!(out, to_vec(&whole));
    }
}
