//! vigie-core: the types every other part of vigie shares.
//!
//! - [`source`]: source files, locations and the line index computed once per file.
//! - [`check`]: how a check is written (one file: documentation and judge) and registered.
//! - [`verdict`]: what a check says about one subject (pass or fail, with evidence), and
//!   [`diag`]: what the scan itself has to say (a file it could not read, a limit hit).
//! - [`catalog`]: controls and frameworks, data embedded at build time.
//! - [`config`]: `vigie.toml`, waivers and severity overrides.
//! - [`rollup`]: from verdicts to per-control and per-requirement statuses.
//! - [`changes`]: what changed since a previous report (`--compare`).
//! - [`redact`]: credentials in URLs masked in every report and message.

pub mod atomic;
pub mod catalog;
pub mod changes;
pub mod check;
pub mod config;
pub mod diag;
pub mod glob;
pub mod model;
pub mod redact;
pub mod report;
pub mod rollup;
pub mod severity;
pub mod source;
pub mod timings;
pub mod verdict;

pub use diag::{DiagKind, Diagnostic};
pub use report::{EvidenceTable, EvidenceTables, ScanReport, Stats, Unassessed};
pub use severity::Severity;
pub use source::{Location, SourceFile};
pub use verdict::{CheckDoc, Outcome, Verdict};
