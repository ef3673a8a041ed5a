//! The phases of a scan, in the order [`crate::scan_with`] runs them. Each phase is a function
//! that takes what the phases before it produced and returns one struct of its own:
//!
//! 1. [`discover()`] walks the root and reads the small files up front → [`Discovered`];
//! 2. [`build_units()`] plans the deployment units their declarations form → [`Planned`], and,
//!    once the loose manifests are read, [`Planned::complete`] groups them → [`Units`];
//! 3. [`lower()`] lowers Dockerfiles and Compose projects into the platform model → [`Lowered`]
//!    (Kubernetes objects are lowered by the same module, file by file as they are checked);
//! 4. [`check_files()`], [`check_units()`] and [`analyse()`] judge the files, the built units
//!    and the repository as a whole → [`Findings`];
//! 5. [`roll_up()`] reports once what several units share, applies suppressions, waivers and
//!    severity overrides, lists once a gap two checks judge ([`same_gap`]), and rolls the
//!    verdicts up per framework → `RolledUp`, which
//!    [`report()`] turns into the report every format renders.
//!
//! Diagnostics and counts are added by every phase to one [`Tally`].

mod analyse;
mod build_units;
mod check;
mod discover;
mod generated;
mod lower;
mod roll_up;
mod same_gap;

pub(crate) use analyse::analyse;
pub(crate) use build_units::{Planned, Units, build_units, find_unit, with_loose_read_ahead};
pub(crate) use check::{Findings, check_files, check_units, check_unrun_artifacts};
pub(crate) use discover::{Discovered, discover, walk};
pub(crate) use lower::{Lowered, lower};
pub(crate) use roll_up::{report, roll_up};

use crate::{ScanError, ScanOptions};
use std::path::Path;
use vigie_checks::repo::Analyzer;
use vigie_core::catalog::Catalog;
use vigie_core::config::Config;
use vigie_core::glob::PathGlob;
use vigie_core::{Diagnostic, Stats};

/// The options of a scan, checked before anything is read, with what every phase reads.
pub(crate) struct Scan<'a> {
    pub opts: &'a ScanOptions,
    pub cfg: &'a Config,
    pub catalog: &'static Catalog,
    pub analyzers: &'a [&'static dyn Analyzer],
    /// The size limit of a file.
    pub limit: u64,
    /// Whether the root is one file rather than a folder.
    pub single_file: bool,
    pub excludes: Vec<PathGlob>,
    /// The frameworks the command line or the configuration ask for, all known.
    pub frameworks_asked: Option<Vec<String>>,
}

impl<'a> Scan<'a> {
    pub fn new(
        opts: &'a ScanOptions,
        analyzers: &'a [&'static dyn Analyzer],
    ) -> Result<Self, ScanError> {
        let catalog = Catalog::embedded();
        let cfg = &opts.config;
        if !opts.root.exists() {
            return Err(ScanError(format!(
                "`{}` does not exist",
                opts.root.display()
            )));
        }
        let frameworks_asked = opts.frameworks.clone().or_else(|| cfg.frameworks.clone());
        let scan = Scan {
            opts,
            cfg,
            catalog,
            analyzers,
            limit: opts.limit(),
            single_file: opts.root.is_file(),
            excludes: opts.excludes()?,
            frameworks_asked,
        };
        if let Some(list) = &scan.frameworks_asked {
            for f in list {
                if catalog.framework(f).is_none() {
                    return Err(ScanError(format!(
                        "unknown framework `{f}` (`vigie frameworks` lists them: {})",
                        catalog
                            .frameworks
                            .iter()
                            .map(|f| f.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            }
        }
        Ok(scan)
    }

    /// The folder the repository-level analyses see as the root (a file's folder when the
    /// root is one file).
    pub fn scan_root(&self) -> &'a Path {
        if self.single_file {
            self.opts.root.parent().unwrap_or(Path::new("."))
        } else {
            self.opts.root.as_path()
        }
    }
}

/// What every phase adds to: the scan's diagnostics and its counts.
#[derive(Default)]
pub(crate) struct Tally {
    pub diagnostics: Vec<Diagnostic>,
    pub stats: Stats,
}
