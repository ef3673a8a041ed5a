//! The package ecosystems lockfiles name, as OSV spells them, with name normalisation and purls.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Ecosystem {
    #[serde(rename = "npm")]
    Npm,
    #[serde(rename = "crates.io")]
    CratesIo,
    #[serde(rename = "PyPI")]
    PyPI,
    #[serde(rename = "Go")]
    Go,
}

impl Ecosystem {
    pub const ALL: [Ecosystem; 4] = [
        Ecosystem::Npm,
        Ecosystem::CratesIo,
        Ecosystem::PyPI,
        Ecosystem::Go,
    ];

    /// The name OSV gives the ecosystem.
    pub fn osv(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
        }
    }

    pub fn from_osv(s: &str) -> Option<Ecosystem> {
        Ecosystem::ALL.into_iter().find(|e| e.osv() == s)
    }

    /// The purl type (https://github.com/package-url/purl-spec).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::CratesIo => "cargo",
            Ecosystem::PyPI => "pypi",
            Ecosystem::Go => "golang",
        }
    }

    /// The name as the registry compares it: PyPI names are normalised as PEP 503 says
    /// (case-insensitive, runs of `-`, `_`, `.` are one `-`); crates.io names are
    /// case-insensitive; npm and Go names are compared as written.
    pub fn normalise(self, name: &str) -> String {
        match self {
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                let mut sep = false;
                for c in name.trim().chars() {
                    if matches!(c, '-' | '_' | '.') {
                        sep = true;
                    } else {
                        if sep && !out.is_empty() {
                            out.push('-');
                        }
                        sep = false;
                        out.extend(c.to_lowercase());
                    }
                }
                out
            }
            Ecosystem::CratesIo => name.trim().to_ascii_lowercase(),
            Ecosystem::Npm | Ecosystem::Go => name.trim().to_string(),
        }
    }

    /// The package URL of a package.
    pub fn purl(self, name: &str, version: &str) -> String {
        let mut out = format!("pkg:{}/", self.purl_type());
        match self {
            Ecosystem::Npm => {
                // `@scope/name`: the scope is the namespace, `@` percent-encoded.
                if let Some((scope, n)) = name.split_once('/') {
                    encode_into(&mut out, scope);
                    out.push('/');
                    encode_into(&mut out, n);
                } else {
                    encode_into(&mut out, name);
                }
            }
            Ecosystem::PyPI => encode_into(&mut out, &self.normalise(name)),
            Ecosystem::CratesIo => encode_into(&mut out, name),
            Ecosystem::Go => {
                // Every segment of the module path but the last is the namespace.
                for (i, seg) in name.split('/').enumerate() {
                    if i > 0 {
                        out.push('/');
                    }
                    encode_into(&mut out, seg);
                }
            }
        }
        if !version.is_empty() {
            out.push('@');
            encode_into(&mut out, version);
        }
        out
    }
}

/// Percent-encoding of a purl segment: everything but RFC 3986's unreserved characters is
/// encoded (`@` of an npm scope, `+` of Go's `+incompatible`, `:`).
fn encode_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pypi_names_are_normalised() {
        assert_eq!(
            Ecosystem::PyPI.normalise("Django_REST.framework"),
            "django-rest-framework"
        );
        assert_eq!(
            Ecosystem::PyPI.normalise("zope.interface"),
            "zope-interface"
        );
        assert_eq!(Ecosystem::CratesIo.normalise("Serde"), "serde");
        assert_eq!(Ecosystem::Npm.normalise("JSONStream"), "JSONStream");
    }

    #[test]
    fn purls() {
        assert_eq!(
            Ecosystem::Npm.purl("@babel/core", "7.24.0"),
            "pkg:npm/%40babel/core@7.24.0"
        );
        assert_eq!(
            Ecosystem::Npm.purl("lodash", "4.17.21"),
            "pkg:npm/lodash@4.17.21"
        );
        assert_eq!(
            Ecosystem::CratesIo.purl("serde", "1.0.1"),
            "pkg:cargo/serde@1.0.1"
        );
        assert_eq!(
            Ecosystem::PyPI.purl("Flask_Login", "0.6.3"),
            "pkg:pypi/flask-login@0.6.3"
        );
        assert_eq!(
            Ecosystem::Go.purl("github.com/gin-gonic/gin", "v1.9.1"),
            "pkg:golang/github.com/gin-gonic/gin@v1.9.1"
        );
        assert_eq!(
            Ecosystem::Go.purl("github.com/docker/docker", "v24.0.7+incompatible"),
            "pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible"
        );
    }
}
