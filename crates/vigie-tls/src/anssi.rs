//! The ANSSI lists (`data/anssi_tls.toml`) and how a suite, a protocol version or a group fares.

use crate::cipher::Suite;
use serde::Deserialize;
use std::sync::OnceLock;

const DATA: &str = include_str!("../data/anssi_tls.toml");

#[derive(Debug, Deserialize)]
pub struct Policy {
    pub source: String,
    pub as_of: String,
    pub protocols: Protocols,
    pub tls13: Lists,
    pub tls12: Lists,
    pub groups: Lists,
    #[serde(default)]
    pub legacy: Vec<Legacy>,
}

#[derive(Debug, Deserialize)]
pub struct Protocols {
    pub forbidden: Vec<String>,
    pub accepted: Vec<String>,
    pub preferred: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Lists {
    pub recommended: Vec<String>,
    pub degraded: Vec<String>,
    /// CBC suites are acceptable only with encrypt_then_mac.
    #[serde(default)]
    pub cbc_needs_encrypt_then_mac: bool,
}

#[derive(Debug, Deserialize)]
pub struct Legacy {
    pub names: Vec<String>,
    pub reason: String,
}

pub fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| toml::from_str(DATA).expect("data/anssi_tls.toml is valid (tested)"))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Class {
    Recommended,
    /// Tolerated for compatibility, with why it is not recommended.
    Degraded(&'static str),
    /// Not acceptable, with why.
    Forbidden(&'static str),
}

/// How ANSSI classes a TLS 1.2-and-below suite.
pub fn classify(s: &Suite) -> Class {
    let p = policy();
    if p.tls12.recommended.contains(&s.iana) {
        return Class::Recommended;
    }
    if p.tls12.degraded.contains(&s.iana) {
        return Class::Degraded(if s.kx == "DH" {
            "finite-field DHE"
        } else if s.enc == "AESCCM8" {
            "truncated CCM_8 tag"
        } else if s.enc == "ARIAGCM" || s.enc == "Camellia" {
            "ARIA/Camellia"
        } else if s.mac == "SHA1" {
            "CBC with HMAC-SHA1"
        } else {
            "CBC mode"
        });
    }
    Class::Forbidden(if s.enc == "None" {
        "no encryption"
    } else if s.au == "None" {
        "anonymous, no authentication"
    } else if s.mac == "MD5" {
        "MD5"
    } else if matches!(s.kx.as_str(), "RSA" | "PSK" | "RSAPSK") {
        "no forward secrecy"
    } else if matches!(s.kx.as_str(), "ECDHEPSK" | "DHEPSK" | "SRP") {
        "pre-shared key or SRP, no certificate"
    } else if s.au == "DSS" {
        "DSA authentication"
    } else {
        "not on the ANSSI lists"
    })
}

/// How ANSSI classes a TLS 1.2 suite on a TLS stack without encrypt_then_mac (Go's): its CBC
/// suites, degraded elsewhere, are not acceptable.
pub fn classify_without_etm(s: &Suite) -> Class {
    match classify(s) {
        Class::Degraded(_) if s.mac != "AEAD" && policy().tls12.cbc_needs_encrypt_then_mac => {
            Class::Forbidden("CBC without encrypt_then_mac, which Go's TLS does not implement")
        }
        c => c,
    }
}

pub fn classify_tls13(name: &str) -> Class {
    let p = policy();
    if p.tls13.recommended.iter().any(|n| n == name) {
        Class::Recommended
    } else if p.tls13.degraded.iter().any(|n| n == name) {
        Class::Degraded("truncated CCM_8 tag")
    } else {
        Class::Forbidden("not on the ANSSI lists")
    }
}

/// A key-exchange group by any of its spellings.
pub fn classify_group(name: &str) -> Class {
    let p = policy();
    if p.groups
        .recommended
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
    {
        Class::Recommended
    } else if p
        .groups
        .degraded
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
    {
        Class::Degraded("group of lesser strength or left to the library")
    } else {
        Class::Forbidden("not on the ANSSI lists")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cipher::{by_name, suites};

    #[test]
    fn data_parses_and_names_exist() {
        let p = policy();
        assert!(p.source.contains("ANSSI"));
        for n in p.tls12.recommended.iter().chain(&p.tls12.degraded) {
            assert!(by_name(n).is_some(), "{n} is not in the suite table");
        }
    }

    #[test]
    fn classes() {
        let c = |n: &str| classify(&suites()[by_name(n).unwrap()]);
        assert_eq!(c("ECDHE-RSA-AES128-GCM-SHA256"), Class::Recommended);
        assert!(matches!(c("DHE-RSA-AES128-GCM-SHA256"), Class::Degraded(_)));
        assert_eq!(
            c("AES128-GCM-SHA256"),
            Class::Forbidden("no forward secrecy")
        );
        assert_eq!(
            c("ADH-AES128-SHA"),
            Class::Forbidden("anonymous, no authentication")
        );
        assert_eq!(c("NULL-SHA256"), Class::Forbidden("no encryption"));
        assert_eq!(classify_group("x25519"), Class::Recommended);
        // hybrid post-quantum groups are not off the list
        assert_eq!(classify_group("X25519MLKEM768"), Class::Recommended);
        assert_eq!(classify_group("SecP256r1MLKEM768"), Class::Recommended);
        assert!(matches!(classify_group("secp192r1"), Class::Forbidden(_)));
    }

    #[test]
    fn cbc_without_encrypt_then_mac_is_not_acceptable() {
        let s = &suites()[by_name("ECDHE-RSA-AES128-SHA").unwrap()];
        assert!(matches!(classify(s), Class::Degraded(_)));
        assert!(matches!(classify_without_etm(s), Class::Forbidden(_)));
        // AEAD suites are unaffected
        let g = &suites()[by_name("DHE-RSA-AES128-GCM-SHA256").unwrap()];
        assert!(matches!(classify_without_etm(g), Class::Degraded(_)));
    }
}
