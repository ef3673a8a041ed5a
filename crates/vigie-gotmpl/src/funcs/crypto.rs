//! Hashes (exact), and Sprig's generators of secrets, keys and certificates. A scanner must not
//! invent key material that looks real, and a render must be reproducible, so the generators
//! return fixed, clearly marked placeholders and the render records that its output contains
//! values Helm would generate at random (`nondeterministic`).

use super::{FuncDef, defs};
use crate::exec::Exec;
use crate::value::{Object, Value};
use sha2::Digest;
use std::rc::Rc;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + x as u32) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

pub(super) fn defs() -> Vec<FuncDef> {
    defs! {
        "sha1sum" [Str] => pure |a| Ok(Value::string(hex(&sha1::Sha1::digest(a[0].as_str().unwrap_or("").as_bytes()))));
        "sha256sum" [Str] => pure |a| Ok(Value::string(hex(&sha2::Sha256::digest(a[0].as_str().unwrap_or("").as_bytes()))));
        "sha512sum" [Str] => pure |a| Ok(Value::string(hex(&sha2::Sha512::digest(a[0].as_str().unwrap_or("").as_bytes()))));
        "adler32sum" [Str] => pure |a| Ok(Value::string(adler32(a[0].as_str().unwrap_or("").as_bytes()).to_string()));
        "htpasswd" [Str, Str] => ctx |ex, a| { ex.nondeterministic.push("htpasswd"); Ok(Value::string(format!("{}:$2a$10$vigieplaceholderbcrypthashnotarealpasswordhash", a[0].as_str().unwrap_or("")))) };
        "bcrypt" [Str] => ctx |ex, _| { ex.nondeterministic.push("bcrypt"); Ok(Value::str("$2a$10$vigieplaceholderbcrypthashnotarealpasswordhash")) };
        "genPrivateKey" [Str] => ctx |ex, a| { ex.nondeterministic.push("genPrivateKey"); Ok(Value::string(pem(key_label(a[0].as_str().unwrap_or("")), "genPrivateKey"))) };
        "genCA" [Str, Int] => ctx |ex, a| cert(ex, "genCA", a);
        "genCAWithKey" [Str, Int, Str] => ctx |ex, a| cert(ex, "genCAWithKey", a);
        "genSelfSignedCert" [Str, List, List, Int] => ctx |ex, a| cert(ex, "genSelfSignedCert", a);
        "genSelfSignedCertWithKey" [Str, List, List, Int, Str] => ctx |ex, a| cert(ex, "genSelfSignedCertWithKey", a);
        "genSignedCert" [Str, List, List, Int, Any] => ctx |ex, a| cert(ex, "genSignedCert", a);
        "genSignedCertWithKey" [Str, List, List, Int, Any, Str] => ctx |ex, a| cert(ex, "genSignedCertWithKey", a);
        "buildCustomCert" [Str, Str] => ctx |_ex, a| Ok(Value::obj(Rc::new(Certificate {
            cert: decode_b64(a[0].as_str().unwrap_or("")),
            key: decode_b64(a[1].as_str().unwrap_or("")),
        })));
        "derivePassword" [U32, Str, Str, Str, Str] => ctx |ex, _| { ex.nondeterministic.push("derivePassword"); Ok(Value::str("vigie-placeholder-password")) };
        "encryptAES" [Str, Str] => ctx |ex, _| { ex.nondeterministic.push("encryptAES"); Ok(Value::str("dmlnaWUtcGxhY2Vob2xkZXI=")) };
        "decryptAES" [Str, Str] => ctx |ex, _| { ex.nondeterministic.push("decryptAES"); Ok(Value::str("")) };
        "randBytes" [Int] => ctx |ex, a| {
            ex.nondeterministic.push("randBytes");
            use base64::Engine;
            let n = super::to_int64(&a[0]).clamp(0, 1 << 20) as usize;
            Ok(Value::string(base64::engine::general_purpose::STANDARD.encode(vec![0u8; n])))
        };
    }
}

fn decode_b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

fn key_label(t: &str) -> &'static str {
    match t {
        "ecdsa" => "EC PRIVATE KEY",
        "ed25519" => "PRIVATE KEY",
        "dsa" => "DSA PRIVATE KEY",
        _ => "RSA PRIVATE KEY",
    }
}

fn pem(label: &str, what: &str) -> String {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(format!(
        "vigie placeholder: {what} generates this at install time"
    ));
    format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
}

fn cert(ex: &mut Exec<'_>, what: &'static str, _a: &[Value]) -> Result<Value, String> {
    ex.nondeterministic.push(what);
    Ok(Value::obj(Rc::new(Certificate {
        cert: pem("CERTIFICATE", what),
        key: pem("RSA PRIVATE KEY", what),
    })))
}

/// Sprig's `certificate` struct: `.Cert` and `.Key` in PEM.
#[derive(Debug)]
struct Certificate {
    cert: String,
    key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::str(&self.cert)),
            "Key" => Some(Value::str(&self.key)),
            _ => None,
        }
    }
    fn fmt_v(&self, out: &mut String) {
        out.push('{');
        out.push_str(&self.cert);
        out.push(' ');
        out.push_str(&self.key);
        out.push('}');
    }
    fn to_data(&self) -> Value {
        let mut m = std::collections::BTreeMap::new();
        m.insert(Rc::from("Cert"), Value::str(&self.cert));
        m.insert(Rc::from("Key"), Value::str(&self.key));
        Value::map(m)
    }
}
