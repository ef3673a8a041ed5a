//! The scan: one data flow, in five phases, each a function of [`phase`] that takes what the
//! phases before it produced and hands on one struct of its own.
//!
//! 1. **discover** (`phase::discover`): one walk of the root, each file
//!    classified; Dockerfiles (parsed) and Compose files read up front → `Discovered`.
//! 2. **build units** (`phase::build_units`): the deployment units the repository declares
//!    ([`units`]: kustomizations, charts × values sets, Compose projects), the files they read
//!    taken out of the loose manifests → `Planned`; once the loose manifests are read, they are
//!    grouped into units too (`Planned::complete`) → `Units`.
//! 3. **lower** (`phase::lower`): each source lowered once into the platform model — Compose
//!    projects into workloads → `Lowered`; Kubernetes manifests and built units into objects,
//!    file by file and unit by unit as the next phase checks them.
//! 4. **check** (`phase::check`, `phase::analyse`): Dockerfiles and Compose workloads, then each
//!    loose manifest, then each built unit, judged by the per-object checks; then the
//!    repository-level analyses, once, or once per unit for those that match objects with each
//!    other → `Findings`.
//! 5. **roll up** (`phase::roll_up`): what several units share reported once, suppressions and
//!    waivers applied, the verdicts rolled up per framework → `RolledUp`, which becomes the
//!    [`ScanReport`] every format of `vigie-report` renders.
//!
//! Diagnostics and counts are added by every phase to one `Tally`. Files are read through one
//! reader (`files::RepoFiles`), which notes every file it cannot read.
//!
//! Memory stays bounded by the largest file, not the repository: each loose Kubernetes file is
//! parsed, lowered and checked on its own and its tree dropped; Dockerfiles and Compose
//! projects, small by nature, are kept for the checks that join them; a built unit's objects
//! are held while it is checked.

use std::path::PathBuf;
use std::sync::Arc;
use time::Date;
use vigie_checks::FileLookup;
use vigie_checks::repo::{Analyzer, RunOptions};
use vigie_core::config::Config;
use vigie_core::glob::PathGlob;
use vigie_core::{CheckDoc, Diagnostic, ScanReport, Severity};
use vigie_parse::compose;
use vigie_parse::discover::{FileKind, Found, read_text};

mod files;
mod launches;
mod phase;
mod provenance;
pub mod units;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The repository-level analyses of this build, each judging the repository as a whole.
pub fn analyzers() -> Vec<&'static dyn Analyzer> {
    vec![
        &vigie_net::ANALYZER,
        &vigie_pipeline::ANALYZER,
        &vigie_deps::analyzer::ANALYZER,
        &vigie_tls::analyzer::ANALYZER,
        &vigie_terraform::ANALYZER,
        &vigie_governance::ANALYZER,
        &vigie_secrets::ANALYZER,
    ]
}

/// Every check of this build, per-file checks and analyses' alike, sorted by id.
pub fn all_checks() -> Vec<&'static CheckDoc> {
    checks_of(&analyzers())
}

pub(crate) fn checks_of(analyzers: &[&'static dyn Analyzer]) -> Vec<&'static CheckDoc> {
    let mut all: Vec<&'static CheckDoc> = vigie_checks::registry().iter().map(|c| c.doc).collect();
    for a in analyzers {
        all.extend(a.checks().iter().copied());
    }
    all.sort_by(|a, b| a.id.cmp(b.id));
    all.dedup_by(|a, b| a.id == b.id);
    all
}

pub struct ScanOptions {
    pub root: PathBuf,
    /// The root as the user wrote it, for reports.
    pub display_root: String,
    pub config: Config,
    /// Compose files given with `-f`, relative to the root, merged in order as one project.
    pub compose_files: Vec<String>,
    /// Frameworks asked for on the command line (overrides the configuration).
    pub frameworks: Option<Vec<String>>,
    pub fail_on: Option<Severity>,
    pub gitignore: Option<bool>,
    pub extra_excludes: Vec<String>,
    pub max_file_size: Option<u64>,
    /// The date waivers are judged against.
    pub today: Date,
    /// What the repository-level analyses are asked (history, changes since a revision).
    pub run: RunOptions,
    /// Judge this deployment unit alone (`vigie scan --unit NAME`): its name, or its path.
    pub unit: Option<String>,
}

impl ScanOptions {
    /// A scan of `root` as of `today` with everything else at its default: the configuration
    /// empty, every framework, `.gitignore` honoured, no history.
    pub fn new(root: impl Into<PathBuf>, today: Date) -> Self {
        let root = root.into();
        ScanOptions {
            display_root: root.display().to_string(),
            root,
            config: Config::default(),
            compose_files: Vec::new(),
            frameworks: None,
            fail_on: None,
            gitignore: None,
            extra_excludes: Vec::new(),
            max_file_size: None,
            today,
            run: RunOptions::default(),
            unit: None,
        }
    }

    /// The size limit of a file: the command line's, else the configuration's.
    fn limit(&self) -> u64 {
        self.max_file_size.unwrap_or(self.config.max_file_size)
    }

    /// The exclude globs of the configuration and the command line, compiled.
    fn excludes(&self) -> Result<Vec<PathGlob>, ScanError> {
        self.config
            .exclude
            .iter()
            .chain(&self.extra_excludes)
            .map(|g| PathGlob::new(g).map_err(ScanError))
            .collect()
    }
}

/// A fatal error: nothing could be scanned, or the options are wrong.
#[derive(Debug)]
pub struct ScanError(pub String);

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The deployment units of a repository, as a scan forms them.
pub struct UnitsFound {
    pub units: Vec<units::Unit>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Discover the deployment units under `opts.root` (what `vigie units` lists) without
/// judging them.
pub fn discover_units(opts: &ScanOptions) -> Result<UnitsFound, ScanError> {
    if !opts.root.is_dir() {
        return Err(ScanError(format!(
            "`{}` is not a folder",
            opts.root.display()
        )));
    }
    let cfg = &opts.config;
    let limit = opts.limit();
    let (found, files) = phase::walk(opts, opts.excludes()?, limit);
    let compose_files: Vec<String> = found
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Compose)
        .map(|f| f.rel.clone())
        .collect();
    let explicit: Vec<String> = opts
        .compose_files
        .iter()
        .filter_map(|f| compose::join("", f))
        .collect();
    let plan = units::plan(
        &found.files,
        &|p: &str| files.read(p),
        &cfg.units,
        &compose_files,
        &explicit,
    );
    let manifests: Vec<&Found> = found
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Manifest && !plan.consumed.contains(&f.rel))
        .collect();
    Ok(UnitsFound {
        units: phase::with_loose_read_ahead(plan.units, &manifests, limit, &cfg.units),
        diagnostics: plan.diagnostics,
    })
}

/// Build the unit `want` names (by name or path) as `vigie render` prints it: a kustomization
/// as `kubectl kustomize`, a chart as `helm template`, loose manifests as written.
pub fn render_unit(
    opts: &ScanOptions,
    want: &str,
) -> Result<(units::Unit, units::Built), ScanError> {
    let found = discover_units(opts)?;
    let unit = phase::find_unit(&found.units, want)?;
    let built = match unit.kind {
        units::UnitKind::Kustomize | units::UnitKind::Helm => units::build(unit, &opts.root),
        units::UnitKind::Manifests => {
            let limit = opts.limit();
            let mut yaml = String::new();
            for f in &unit.files {
                let text = read_text(&opts.root.join(f), limit).map_err(|e| {
                    ScanError(e.into_diagnostic(Arc::from(f.as_str()), limit).message)
                })?;
                yaml.push_str(&format!("---\n# Source: {f}\n{}\n", text.text.trim()));
            }
            units::Built {
                yaml,
                ..units::Built::default()
            }
        }
        units::UnitKind::Compose => {
            return Err(ScanError(format!(
                "unit {} is a Compose project: `docker compose {} config` prints it merged",
                unit.name,
                unit.files
                    .iter()
                    .map(|f| format!("-f {f}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )));
        }
    };
    Ok((unit.clone(), built))
}

/// Run a whole scan with this build's analyses.
pub fn scan(opts: &ScanOptions) -> Result<ScanReport, ScanError> {
    scan_with(opts, &analyzers())
}

/// Run a whole scan with the given repository-level analyses: the five phases in order (see
/// the module documentation).
pub fn scan_with(
    opts: &ScanOptions,
    analyzers: &[&'static dyn Analyzer],
) -> Result<ScanReport, ScanError> {
    let scan = phase::Scan::new(opts, analyzers)?;
    vigie_core::timings::mark("start");
    let mut tally = phase::Tally::default();

    // 1. discover: the walk, Dockerfiles and Compose files read
    let found = phase::discover(&scan, &mut tally)?;

    // 2. build units: those the repository declares; the loose manifests left to check
    let planned = phase::build_units(&scan, &found, &mut tally)?;

    // 3. lower: Compose projects into workloads (manifests are lowered as they are checked)
    let lowered = phase::lower(&scan, &found, &planned, &mut tally);
    vigie_core::timings::mark("dockerfiles+compose");

    // 4. check: Dockerfiles, Compose workloads and loose manifests, each file on its own…
    let (mut findings, files) = phase::check_files(&scan, &found, &planned, &lowered, &mut tally);
    vigie_core::timings::mark("manifests");
    // … the loose manifests grouped into units (2, completed), each built unit…
    let units = planned.complete(&files.loose, &scan.cfg.units);
    let kept = phase::check_units(
        &scan,
        &found,
        &lowered,
        &units,
        files.kept,
        &mut findings,
        &mut tally,
    );
    // … the Dockerfiles Skaffold builds that no container was found to run…
    phase::check_unrun_artifacts(&scan, &found, &lowered, &mut findings);
    // … and the repository-level analyses, per unit where they match objects with each other
    phase::analyse(
        &scan,
        &found,
        &units,
        &lowered,
        kept,
        &mut findings,
        &mut tally,
    );

    // 5. roll up: across units, suppressions and waivers, per framework
    let rolled = phase::roll_up(&scan, &found, &units, findings, &mut tally)?;
    Ok(phase::report(&scan, tally, rolled))
}

/// The commit checked out in the scanned folder, when it is itself a git work tree: `.git/HEAD`, followed through its branch's loose
/// ref or `packed-refs`. Read by hand because the three files are all there is to it; `None`
/// outside a repository or for a worktree's `.git` file.
pub fn head_commit(root: &std::path::Path) -> Option<String> {
    let git = root.join(".git");
    let head = std::fs::read_to_string(git.join("HEAD")).ok()?;
    let head = head.trim();
    let is_id = |s: &str| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit());
    let Some(name) = head.strip_prefix("ref: ") else {
        return is_id(head).then(|| head.to_string());
    };
    if let Ok(id) = std::fs::read_to_string(git.join(name)) {
        let id = id.trim();
        return is_id(id).then(|| id.to_string());
    }
    let packed = std::fs::read_to_string(git.join("packed-refs")).ok()?;
    packed.lines().find_map(|l| {
        let (id, r) = l.split_once(' ')?;
        (r == name && is_id(id)).then(|| id.to_string())
    })
}
