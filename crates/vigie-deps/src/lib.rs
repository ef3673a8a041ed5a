//! Dependencies: lockfiles of every ecosystem vigie reads (with the line of each package),
//! version semantics (npm and crates semver, PEP 440, Go modules), an offline store of OSV
//! advisories, matching of locked packages against it (SUP-03), and CycloneDX SBOMs.

pub mod analyzer;
pub mod ecosystem;
pub mod lockfile;
pub mod matcher;
pub mod osv;
pub mod sbom;
pub mod store;
pub mod sup03;
pub mod version;

pub use ecosystem::Ecosystem;
pub use lockfile::{Lockfile, Package};
