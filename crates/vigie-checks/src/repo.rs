//! Repository-level analyses: the domains that judge the repository as a whole rather than one
//! file at a time (who can reach a database, what a pipeline runs, which secrets the history
//! holds). Each is an [`Analyzer`]; the scan hands every analyzer the same [`RepoInput`] once
//! all files are read, and its verdicts then go through suppressions, waivers and the roll-up
//! like every other.

use crate::FileLookup;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vigie_core::catalog::Catalog;
use vigie_core::config::Config;
use vigie_core::model::Workload;
use vigie_core::{CheckDoc, Diagnostic, EvidenceTables, Verdict};
use vigie_parse::compose::Project;
use vigie_parse::dockerfile::Dockerfile;
use vigie_parse::kubernetes::Object;

/// A file of the repository, whatever its kind.
#[derive(Debug, Clone)]
pub struct RepoFile {
    /// Relative to the root, `/`-separated.
    pub rel: Arc<str>,
    pub abs: PathBuf,
    pub size: u64,
}

/// What the command line asked of the repository-level analyses.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Read the git history too (`vigie scan --history`).
    pub history: bool,
    /// Judge the changes since this revision (`vigie scan --since REV`).
    pub since: Option<String>,
}

/// Everything an analysis may read.
pub struct RepoInput<'a> {
    pub catalog: &'a Catalog,
    /// `vigie.toml`; [`Config::section`] gives an analysis its own raw section.
    pub config: &'a Config,
    /// Where the configuration was read from, for messages about it.
    pub config_path: Option<&'a str>,
    /// The scanned folder (for a one-file scan, that file's folder).
    pub root: &'a Path,
    /// Every file the walk kept (after `.gitignore` and excludes), sorted by path.
    pub files: &'a [RepoFile],
    /// Reads a file by relative path, within the root and the size limit.
    pub lookup: &'a dyn FileLookup,
    pub dockerfiles: &'a [Dockerfile],
    /// Compose projects, loaded and merged; for a per-unit run, the unit's own.
    pub compose: &'a [Project],
    /// Compose workloads (Kubernetes workloads are checked file by file and not kept); for a
    /// per-unit run, those of the unit's Compose project.
    pub workloads: &'a [Workload],
    pub today: time::Date,
    pub options: &'a RunOptions,
    /// For an analysis that runs once on everything ([`Analyzer::per_unit`] false): where each
    /// deployment unit's objects lie in the `objects` it is given, as consecutive ranges in unit
    /// order (an object of two units is in both). Empty when `objects` are one unit's, or when
    /// the caller does not know the units: [`RepoInput::units`] then gives one range over all.
    pub unit_ranges: &'a [std::ops::Range<usize>],
    /// The records the analysis made of the same objects ([`Analyzer::record`]).
    pub records: &'a [Record],
}

impl RepoInput<'_> {
    /// The deployment units of `objects`, as ranges of it: [`RepoInput::unit_ranges`], or one
    /// range over every object when there are none.
    pub fn units(&self, objects: &[Object]) -> Vec<std::ops::Range<usize>> {
        if self.unit_ranges.is_empty() {
            std::iter::once(0..objects.len()).collect()
        } else {
            self.unit_ranges.to_vec()
        }
    }
}

/// An analysis's own compact record of a Kubernetes object ([`Analyzer::record`]); the
/// analysis that made it downcasts it back to its type.
pub type Record = Arc<dyn std::any::Any + Send + Sync>;

/// What an analysis found.
#[derive(Debug, Default)]
pub struct RepoOutput {
    pub verdicts: Vec<Verdict>,
    pub diagnostics: Vec<Diagnostic>,
    /// Evidence shown as a table under its control (markdown roadmap, JSON).
    pub tables: EvidenceTables,
    /// Checks the analysis could not run on this repository, with the reason.
    pub unassessed: Vec<vigie_core::Unassessed>,
}

impl RepoOutput {
    /// Record that `check` could not run here and why; the requirements it alone decides are
    /// then reported as not assessed with this reason (not as not applicable).
    pub fn not_assessed(&mut self, check: &str, reason: impl Into<String>) {
        self.unassessed.push(vigie_core::Unassessed {
            check: check.to_string(),
            reason: reason.into(),
        });
    }
}

/// A repository-level analysis.
pub trait Analyzer: Sync {
    /// A short name (`network`, `secrets`), for timings and messages.
    fn name(&self) -> &'static str;
    /// Every check it may emit, with its documentation.
    fn checks(&self) -> &'static [&'static CheckDoc];
    /// Called on worker threads for every Kubernetes object of every manifest: return a copy
    /// (whole, or trimmed to the fields `run` reads) to receive it in `run`. Manifests are
    /// otherwise dropped once checked, so what is kept here is what the scan holds in memory.
    fn keep(&self, _object: &Object) -> Option<Object> {
        None
    }
    /// Like [`Analyzer::keep`], but what is kept is the analysis's own compact record of the
    /// object, received in [`RepoInput::records`]: for what it reads of every workload, where
    /// thousands of YAML trees would cost far more memory than the few facts it needs.
    fn record(&self, _object: &Object) -> Option<Record> {
        None
    }
    /// Whether the analysis judges each deployment unit on its own (who reaches whom, which
    /// TLS a route serves): it then runs once per unit with that unit's objects, Compose
    /// project and files, and once more for the files no unit holds. Otherwise it runs once
    /// with every object of every unit.
    fn per_unit(&self) -> bool {
        false
    }
    /// Runs once per scan (or once per unit, see [`Analyzer::per_unit`]), after every file is
    /// read, in parallel with the other analyses.
    fn run(&self, input: &RepoInput<'_>, objects: &[Object], out: &mut RepoOutput);
}
