//! Version semantics per ecosystem. npm, crates.io and Go order versions by SemVer 2.0 (the
//! `semver` crate: prereleases sort before their release, numeric identifiers numerically);
//! build metadata is ignored for ordering, as SemVer says, which also covers Go's
//! `+incompatible`. Go pseudo-versions (`v0.0.0-20240101120000-abcdef123456`) are SemVer
//! prereleases and sort by their timestamp. PyPI versions follow PEP 440 (`pep440_rs`).

use crate::Ecosystem;
use std::cmp::Ordering;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    Sem(semver::Version),
    Py(pep440_rs::Version),
}

impl Version {
    /// Reads a version as the ecosystem writes it; `None` when it is not a version of that
    /// ecosystem (a git URL, a `file:` path, a range).
    pub fn parse(eco: Ecosystem, s: &str) -> Option<Version> {
        let s = s.trim();
        match eco {
            Ecosystem::PyPI => pep440_rs::Version::from_str(s).ok().map(Version::Py),
            Ecosystem::Npm | Ecosystem::Go | Ecosystem::CratesIo => {
                let t = match eco {
                    // npm tolerates `v1.2.3` and `=1.2.3`; Go writes `v1.2.3`, OSV `1.2.3`.
                    Ecosystem::Npm | Ecosystem::Go => {
                        s.trim_start_matches('=').trim_start_matches('v')
                    }
                    _ => s,
                };
                let mut v = semver::Version::parse(t).ok()?;
                v.build = semver::BuildMetadata::EMPTY;
                Some(Version::Sem(v))
            }
        }
    }

    /// The lowest version of any ecosystem: OSV's `introduced: "0"`.
    pub fn is_zero_marker(s: &str) -> bool {
        s.trim() == "0"
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Version::Sem(a), Version::Sem(b)) => Some(a.cmp(b)),
            (Version::Py(a), Version::Py(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(e: Ecosystem, s: &str) -> Version {
        Version::parse(e, s).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn npm_prereleases_sort_before_the_release() {
        let e = Ecosystem::Npm;
        assert!(v(e, "1.0.0-alpha") < v(e, "1.0.0-alpha.1"));
        assert!(v(e, "1.0.0-alpha.1") < v(e, "1.0.0-beta"));
        assert!(v(e, "1.0.0-beta.2") < v(e, "1.0.0-beta.11"));
        assert!(v(e, "1.0.0-rc.1") < v(e, "1.0.0"));
        assert!(v(e, "v1.2.3") == v(e, "1.2.3"));
        assert!(Version::parse(e, "git+https://github.com/a/b.git").is_none());
    }

    #[test]
    fn go_versions() {
        let e = Ecosystem::Go;
        assert!(
            v(e, "v0.0.0-20200101000000-abcdef123456") < v(e, "v0.0.0-20210101000000-abcdef123456")
        );
        assert!(v(e, "v0.0.0-20210101000000-abcdef123456") < v(e, "0.0.1"));
        assert!(v(e, "v24.0.7+incompatible") == v(e, "24.0.7"));
        assert!(v(e, "v1.9.0") < v(e, "1.10.0"));
    }

    #[test]
    fn pep440() {
        let e = Ecosystem::PyPI;
        assert!(v(e, "1.0a1") < v(e, "1.0b1"));
        assert!(v(e, "1.0rc1") < v(e, "1.0"));
        assert!(v(e, "1.0") < v(e, "1.0.post1"));
        assert!(v(e, "1.0.dev0") < v(e, "1.0a1"));
        assert!(v(e, "2.0") == v(e, "2.0.0"));
        assert!(v(e, "1!0.5") > v(e, "2.0"));
    }

    #[test]
    fn crates() {
        let e = Ecosystem::CratesIo;
        assert!(v(e, "0.9.9") < v(e, "0.10.0"));
        assert!(Version::parse(e, "v1.0.0").is_none());
    }
}
