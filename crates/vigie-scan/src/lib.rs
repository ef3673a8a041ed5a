//! The scan pipeline, in phases: discover (one walk, files classified) → plan the deployment
//! units ([`units`]: kustomizations, charts × values sets, Compose projects) → read Dockerfiles
//! and lower Compose projects → check loose manifests file by file → build, lower and check
//! each Kustomize or Helm unit → group the loose manifests into units → repository-level
//! analyses (once, or once per unit for those that match objects with each other) → roll up
//! what several units share → suppress and waive → roll up per framework.
//!
//! Memory stays bounded by the largest file, not the repository: each loose Kubernetes file is
//! parsed, lowered and checked on its own and its tree dropped; Dockerfiles and Compose
//! projects, small by nature, are kept for the checks that join them; a built unit's objects
//! are held while it is checked.

use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use time::Date;
use vigie_checks::repo::{Analyzer, RepoFile, RepoInput, RepoOutput, RunOptions};
use vigie_checks::{Context, FileLookup};
use vigie_core::catalog::Catalog;
use vigie_core::config::Config;
use vigie_core::glob::PathGlob;
use vigie_core::model::Workload;
use vigie_core::rollup::roll_up;
use vigie_core::verdict::Waiver;
use vigie_core::{
    CheckDoc, DiagKind, Diagnostic, Location, ScanReport, Severity, SourceFile, Stats, Verdict,
};
use vigie_parse::compose;
use vigie_parse::discover::{self, FileKind, Found, read_text};
use vigie_parse::dockerfile::Dockerfile;
use vigie_parse::kubernetes;
use vigie_parse::suppress::{self, Suppression};
use vigie_parse::yaml;

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

fn checks_of(analyzers: &[&'static dyn Analyzer]) -> Vec<&'static CheckDoc> {
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
}

/// A fatal error: nothing could be scanned, or the options are wrong.
#[derive(Debug)]
pub struct ScanError(pub String);

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The repository's files, read on demand within the root and the size limit.
///
/// Every analysis reads through here, so this is where a file that cannot be read is never
/// lost: each failure (too large, binary, not a regular file, I/O) and each lossy decoding
/// becomes a located diagnostic of the scan, whichever analysis asked.
/// A file read up front: its text with the note of a lossy decoding, or why it could not be read.
type ReadResult = Result<(Option<Diagnostic>, String), Diagnostic>;

struct RepoFiles {
    root: PathBuf,
    canonical_root: PathBuf,
    limit: u64,
    single_file: bool,
    notes: std::sync::Mutex<Vec<Diagnostic>>,
}

impl RepoFiles {
    fn resolve(&self, rel: &str) -> Option<PathBuf> {
        if self.single_file {
            return None;
        }
        let norm = compose::join("", rel)?;
        let p = self.root.join(&norm);
        let c = p.canonicalize().ok()?;
        c.starts_with(&self.canonical_root).then_some(p)
    }
}

impl FileLookup for RepoFiles {
    fn exists(&self, path: &str) -> bool {
        self.resolve(path).is_some_and(|p| p.is_file())
    }

    fn read(&self, path: &str) -> Option<String> {
        let abs = self.resolve(path)?;
        let rel: Arc<str> = Arc::from(path);
        let mut notes = Vec::new();
        let text = match read_text(&abs, self.limit) {
            Ok(t) => Some(t.noted(&rel, &mut notes)),
            Err(e) => {
                notes.push(e.into_diagnostic(rel, self.limit));
                None
            }
        };
        if !notes.is_empty()
            && let Ok(mut g) = self.notes.lock()
        {
            g.extend(notes);
        }
        text
    }
}

fn is_helm_template(rel: &str, text: &str) -> bool {
    (rel.starts_with("templates/") || rel.contains("/templates/")) && text.contains("{{")
}

/// A file's suppression comments by the lines they cover, and the malformed ones.
type CommentSuppressions = (Vec<(u32, Suppression)>, Vec<Diagnostic>);

struct FileOutput {
    path: Arc<str>,
    verdicts: Vec<Verdict>,
    diagnostics: Vec<Diagnostic>,
    suppressions: Vec<(Arc<str>, Vec<Suppression>)>,
    /// `vigie:ignore` comments of the file, with their diagnostics, when it has any.
    comments: Option<CommentSuppressions>,
    objects: usize,
    workloads: usize,
    bytes: u64,
    parsed: bool,
    /// Objects the analyses asked to keep, by analysis index.
    kept: Vec<(usize, kubernetes::Object)>,
    /// The namespaces the file's objects declare, for grouping loose manifests into units.
    namespaces: BTreeSet<String>,
}

/// One copy of each string the verdicts repeat: many verdicts say the same thing about the
/// same kind of object, and every verdict on a subject names it.
///
/// It runs on the thread that merges the workers' results.
#[derive(Default)]
struct Interner {
    set: HashSet<Arc<str>, foldhash::fast::RandomState>,
    /// The last string looked up and its shared copy: a file's verdicts share its path, and
    /// an object's verdicts its subject, so most lookups need no hashing.
    last: Option<(Arc<str>, Arc<str>)>,
}

impl Interner {
    fn intern(&mut self, s: &mut Arc<str>) {
        match self.set.get(&**s) {
            Some(x) => *s = x.clone(),
            None => {
                self.set.insert(s.clone());
            }
        }
    }

    fn intern_repeated(&mut self, s: &mut Arc<str>) {
        if let Some((seen, shared)) = &self.last
            && Arc::ptr_eq(seen, s)
        {
            *s = shared.clone();
            return;
        }
        let seen = s.clone();
        self.intern(s);
        self.last = Some((seen, s.clone()));
    }

    fn verdicts(&mut self, verdicts: &mut [Verdict]) {
        for v in verdicts.iter_mut() {
            self.intern_repeated(&mut v.location.path);
        }
        for v in verdicts.iter_mut() {
            self.intern_repeated(&mut v.subject);
        }
        self.last = None;
        for v in verdicts {
            self.intern(&mut v.message);
            if let Some(f) = v.fix_mut() {
                self.intern(f);
            }
        }
    }
}

/// Read, parse, lower and check one Kubernetes manifest file; its verdicts come back sorted.
fn scan_manifest(f: &Found, cx_base: &ContextBase<'_>) -> FileOutput {
    let path: Arc<str> = Arc::from(f.rel.as_str());
    let mut out = FileOutput {
        path: path.clone(),
        verdicts: Vec::new(),
        diagnostics: Vec::new(),
        suppressions: Vec::new(),
        comments: None,
        objects: 0,
        workloads: 0,
        bytes: 0,
        parsed: false,
        kept: Vec::new(),
        namespaces: BTreeSet::new(),
    };
    let text = match read_text(&f.abs, cx_base.limit) {
        Ok(t) => t.noted(&path, &mut out.diagnostics),
        Err(e) => {
            out.diagnostics.push(e.into_diagnostic(path, cx_base.limit));
            return out;
        }
    };
    out.bytes = text.len() as u64;
    let bytes = text.as_bytes();
    if memchr::memmem::find(bytes, b"apiVersion").is_none()
        || memchr::memmem::find(bytes, b"kind").is_none()
    {
        return out;
    }
    if is_helm_template(&f.rel, &text) {
        out.diagnostics.push(Diagnostic::new(
            DiagKind::Skipped,
            Location::file(path),
            "Helm template: render it (helm template) and scan the output",
        ));
        return out;
    }
    out.parsed = true;
    if memchr::memmem::find(bytes, b"vigie:ignore").is_some() {
        out.comments = Some(suppress::comments(&SourceFile::new(
            path.clone(),
            text.clone(),
        )));
    }
    let stream = yaml::parse(&text);
    for w in &stream.warnings {
        out.diagnostics.push(Diagnostic::new(
            DiagKind::Parse,
            Location::new(path.clone(), w.pos.line, w.pos.col),
            w.message.clone(),
        ));
    }
    if let Some(e) = &stream.error {
        out.diagnostics.push(Diagnostic::new(
            DiagKind::Parse,
            Location::new(path.clone(), e.pos.line, e.pos.col),
            format!(
                "invalid YAML: {}{}",
                e.message,
                if stream.documents.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({} document(s) before it were evaluated)",
                        stream.documents.len()
                    )
                }
            ),
        ));
    }
    // objects of API versions no supported cluster serves are reported once, not judged
    let (objects, removed) = vigie_parse::removed_apis::split(kubernetes::objects(
        &path,
        stream.documents.into_iter().map(|d| d.root).collect(),
    ));
    out.diagnostics.extend(removed);
    out.objects = objects.len();
    out.namespaces = objects
        .iter()
        .map(|o| o.namespace.clone().unwrap_or_else(|| "default".into()))
        .collect();
    let judged = judge_objects(&objects, cx_base);
    out.diagnostics.extend(judged.diagnostics);
    out.kept.extend(judged.kept);
    out.suppressions.extend(judged.suppressions);
    out.workloads = judged.workloads;
    out.verdicts = judged.verdicts;
    out.verdicts
        .sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out
}

struct ContextBase<'a> {
    catalog: &'a Catalog,
    analyzers: &'a [&'static dyn Analyzer],
    files: &'a dyn FileLookup,
    built: &'a BTreeSet<String>,
    limit: u64,
}

use units::is_under;

/// The loose manifests among `manifests` with the namespaces their objects declare, read ahead
/// of the scan when one unit is asked for (its files must be known before they are checked).
fn loose_files(manifests: &[&Found], limit: u64) -> Vec<units::LooseFile> {
    manifests
        .par_iter()
        .filter_map(|f| {
            // read ahead only to know the unit's files: the scan reads them again and notes any
            // lossy decoding then
            let text = read_text(&f.abs, limit).ok()?.text;
            if memchr::memmem::find(text.as_bytes(), b"apiVersion").is_none()
                || is_helm_template(&f.rel, &text)
            {
                return None;
            }
            let path: Arc<str> = Arc::from(f.rel.as_str());
            let objects = kubernetes::objects(
                &path,
                yaml::parse(&text)
                    .documents
                    .into_iter()
                    .map(|d| d.root)
                    .collect(),
            );
            (!objects.is_empty()).then(|| units::LooseFile {
                rel: f.rel.clone(),
                namespaces: objects
                    .iter()
                    .map(|o| o.namespace.clone().unwrap_or_else(|| "default".into()))
                    .collect(),
            })
        })
        .collect()
}

/// Objects lowered once and judged: what the analyses keep, the suppressions their annotations
/// declare, how many workloads they run and the verdicts of the per-object checks. Loose
/// manifests and built units both go through it, so both are judged alike.
struct Judged {
    verdicts: Vec<Verdict>,
    diagnostics: Vec<Diagnostic>,
    suppressions: Vec<(Arc<str>, Vec<Suppression>)>,
    kept: Vec<(usize, kubernetes::Object)>,
    workloads: usize,
}

fn judge_objects(objects: &[kubernetes::Object], cx_base: &ContextBase<'_>) -> Judged {
    let mut judged = Judged {
        verdicts: Vec::new(),
        diagnostics: Vec::new(),
        suppressions: Vec::new(),
        kept: Vec::new(),
        workloads: 0,
    };
    for o in objects {
        for (i, a) in cx_base.analyzers.iter().enumerate() {
            if let Some(k) = a.keep(o) {
                judged.kept.push((i, k));
            }
        }
        let (s, d) = suppress::annotation(o);
        judged.diagnostics.extend(d);
        if !s.is_empty() {
            judged.suppressions.push((Arc::from(o.id().as_str()), s));
        }
    }
    let workloads: Vec<Workload> = objects
        .iter()
        .flat_map(|o| kubernetes::workloads(o, cx_base.catalog))
        .collect();
    judged.workloads = workloads.len();
    if objects.is_empty() {
        return judged;
    }
    let cx = Context {
        catalog: cx_base.catalog,
        dockerfiles: &[],
        workloads: &workloads,
        objects,
        files: cx_base.files,
        built_by_compose: cx_base.built,
        cache: Default::default(),
    };
    judged.verdicts = vigie_checks::run_all_sequential(&cx);
    judged
}

/// What checking one built unit gave.
struct UnitRun {
    verdicts: Vec<Verdict>,
    diagnostics: Vec<Diagnostic>,
    suppressions: Vec<(Arc<str>, Vec<Suppression>)>,
    /// Objects the analyses asked to keep, by analysis index.
    kept: Vec<(usize, kubernetes::Object)>,
    objects: usize,
    workloads: usize,
}

/// Build a Kustomize or Helm unit, then lower and check its objects as one manifest's.
fn check_built_unit(unit: &units::Unit, root: &Path, cx_base: &ContextBase<'_>) -> UnitRun {
    let built = units::build(unit, root);
    let mut run = UnitRun {
        verdicts: Vec::new(),
        diagnostics: built.diagnostics,
        suppressions: Vec::new(),
        kept: Vec::new(),
        objects: 0,
        workloads: 0,
    };
    if let Some(f) = &built.failure {
        run.diagnostics.push(Diagnostic::new(
            DiagKind::Render,
            Location::file(Arc::from(unit.anchor().as_str())),
            format!(
                "unit {} could not be built ({}): {}; its files are not judged as loose manifests",
                unit.name,
                unit.kind.as_str(),
                first_line(f)
            ),
        ));
    }
    let (objects, removed) = vigie_parse::removed_apis::split(built.objects);
    run.diagnostics.extend(removed);
    run.objects = objects.len();
    let judged = judge_objects(&objects, cx_base);
    run.diagnostics.extend(judged.diagnostics);
    run.kept = judged.kept;
    run.suppressions = judged.suppressions;
    run.workloads = judged.workloads;
    run.verdicts = match &built.provenance {
        Some(p) => judged.verdicts.into_iter().map(|v| p.annotate(v)).collect(),
        None => judged.verdicts,
    };
    run
}

/// A configuration diagnostic saying a name matches nothing the analysis saw.
fn is_unknown_name(d: &Diagnostic) -> bool {
    d.kind == DiagKind::Config && d.message.contains("which is no workload")
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// One verdict for each failure (or pass) that several units share: the same check at the
/// same source location saying the same thing holds in every unit that includes a base, or in
/// every copy of one application, and is reported once with the units listed and their
/// declarations as related locations. Verdicts of built units name their unit, since the
/// location (a base shared by `staging` and `prod`) does not say which environment it is about.
fn roll_up_units(tagged: Vec<(Verdict, Option<usize>)>, units: &[units::Unit]) -> Vec<Verdict> {
    type Key = (&'static str, Location, bool, Arc<str>);
    let mut groups: HashMap<Key, Vec<usize>> = HashMap::new();
    let mut out: Vec<(Verdict, Vec<usize>)> = Vec::new();
    for (v, u) in tagged {
        let key = (v.check, v.location.clone(), v.is_fail(), v.message.clone());
        let candidates = groups.entry(key).or_default();
        // the same subject is the same finding; another subject at the same line is the same
        // finding only when it comes from another unit (a copy of the object), never two
        // objects of one unit (two instances of a Terraform module, two routes of one proxy)
        let same = candidates.iter().copied().find(|&g| {
            let (first, us) = &out[g];
            first.subject == v.subject || u.is_some_and(|u| !us.is_empty() && !us.contains(&u))
        });
        match same {
            Some(g) => {
                if let Some(u) = u
                    && !out[g].1.contains(&u)
                {
                    out[g].1.push(u);
                }
            }
            None => {
                candidates.push(out.len());
                out.push((v, u.into_iter().collect()));
            }
        }
    }
    out.into_iter()
        .map(|(mut v, mut us)| {
            us.sort_by(|a, b| units[*a].name.cmp(&units[*b].name));
            let named = us.len() > 1 || us.iter().any(|u| units[*u].kind.is_built());
            if named {
                let names: Vec<&str> = us.iter().map(|u| units[*u].name.as_str()).collect();
                let label = if names.len() == 1 { "unit" } else { "units" };
                v.message = format!("{} ({label} {})", v.message, names.join(", ")).into();
                for u in &us {
                    let anchor = units[*u].anchor();
                    v = v.with_related(Some(Location::file(Arc::from(anchor.as_str()))));
                }
            }
            v
        })
        .collect()
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
    let limit = opts.max_file_size.unwrap_or(cfg.max_file_size);
    let mut excludes = Vec::new();
    for g in cfg.exclude.iter().chain(&opts.extra_excludes) {
        excludes.push(PathGlob::new(g).map_err(ScanError)?);
    }
    let found = discover::discover(
        &opts.root,
        &discover::Options {
            gitignore: opts.gitignore.unwrap_or(cfg.gitignore),
            excludes,
        },
    );
    let files = RepoFiles {
        canonical_root: opts
            .root
            .canonicalize()
            .unwrap_or_else(|_| opts.root.clone()),
        root: opts.root.clone(),
        limit,
        single_file: false,
        notes: Default::default(),
    };
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
    let groups = compose::group_projects(&compose_files, &explicit);
    let plan = units::plan(&found.files, &|p: &str| files.read(p), &cfg.units, &groups);
    let manifests: Vec<&Found> = found
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Manifest && !plan.consumed.contains(&f.rel))
        .collect();
    let mut all = plan.units;
    all.extend(units::group_loose(
        &loose_files(&manifests, limit),
        &cfg.units,
    ));
    units::unique_names(&mut all);
    Ok(UnitsFound {
        units: all,
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
    let Some(unit) = units::find(&found.units, want) else {
        return Err(ScanError(format!(
            "no deployment unit `{want}` (`vigie units` lists them: {})",
            found
                .units
                .iter()
                .map(|u| u.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let built = match unit.kind {
        units::UnitKind::Kustomize | units::UnitKind::Helm => units::build(unit, &opts.root),
        units::UnitKind::Manifests => {
            let limit = opts.max_file_size.unwrap_or(opts.config.max_file_size);
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

/// Run a whole scan with the given repository-level analyses.
pub fn scan_with(
    opts: &ScanOptions,
    analyzers: &[&'static dyn Analyzer],
) -> Result<ScanReport, ScanError> {
    let catalog = Catalog::embedded();
    let cfg = &opts.config;
    if !opts.root.exists() {
        return Err(ScanError(format!(
            "`{}` does not exist",
            opts.root.display()
        )));
    }
    let single_file = opts.root.is_file();
    let limit = opts.max_file_size.unwrap_or(cfg.max_file_size);
    let mut excludes = Vec::new();
    for g in cfg.exclude.iter().chain(&opts.extra_excludes) {
        excludes.push(PathGlob::new(g).map_err(ScanError)?);
    }
    let frameworks_asked = opts.frameworks.clone().or_else(|| cfg.frameworks.clone());
    if let Some(list) = &frameworks_asked {
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
    vigie_core::timings::mark("start");
    let found = discover::discover(
        &opts.root,
        &discover::Options {
            gitignore: opts.gitignore.unwrap_or(cfg.gitignore),
            excludes,
        },
    );
    let mut diagnostics = found.diagnostics;
    let mut stats = Stats {
        files_seen: found.seen,
        ..Stats::default()
    };
    let canonical_root = if single_file {
        opts.root
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    } else {
        opts.root
            .canonicalize()
            .unwrap_or_else(|_| opts.root.clone())
    };
    let files = RepoFiles {
        root: opts.root.clone(),
        canonical_root,
        limit,
        single_file,
        notes: Default::default(),
    };

    vigie_core::timings::mark("discover");
    // Dockerfiles and Compose files are read up front, in parallel; manifests are read by the
    // workers that check them, so their text is in memory only while they are checked.
    let mut manifests: Vec<&Found> = Vec::new();
    let mut early: Vec<&Found> = Vec::new();
    for f in &found.files {
        match f.kind {
            FileKind::Manifest => manifests.push(f),
            FileKind::Dockerfile | FileKind::Compose => early.push(f),
            FileKind::Other => {}
        }
    }
    let texts: Vec<(&Found, ReadResult)> = early
        .par_iter()
        .map(|f| {
            let rel: Arc<str> = Arc::from(f.rel.as_str());
            let r = read_text(&f.abs, limit).map_err(|e| e.into_diagnostic(rel.clone(), limit));
            (*f, r.map(|t| (t.note(&rel), t.text)))
        })
        .collect();
    let mut dockerfile_texts = Vec::new();
    let mut compose_files = Vec::new();
    let mut compose_texts: HashMap<String, String> = HashMap::new();
    for (f, r) in texts {
        match r {
            Err(d) => diagnostics.push(d),
            Ok((note, t)) => {
                diagnostics.extend(note);
                match f.kind {
                    FileKind::Dockerfile => dockerfile_texts.push((f, t)),
                    _ => {
                        compose_files.push(f.rel.clone());
                        compose_texts.insert(f.rel.clone(), t);
                    }
                }
            }
        }
    }

    // Dockerfiles
    let parsed: Vec<Result<Dockerfile, Diagnostic>> = dockerfile_texts
        .into_par_iter()
        .map(|(f, t)| {
            let src = Arc::new(SourceFile::new(f.rel.as_str(), t));
            Dockerfile::parse(src).map_err(|e| {
                Diagnostic::new(
                    DiagKind::Parse,
                    Location::new(Arc::from(f.rel.as_str()), e.line.max(1), e.column.max(1)),
                    format!("invalid Dockerfile: {}", e.message),
                )
            })
        })
        .collect();
    let mut dockerfiles = Vec::new();
    for p in parsed {
        match p {
            Ok(d) => dockerfiles.push(d),
            Err(d) => diagnostics.push(d),
        }
    }
    stats.dockerfiles = dockerfiles.len();
    stats.files_parsed += dockerfiles.len();
    stats.bytes_parsed += dockerfiles
        .iter()
        .map(|d| d.source.text.len() as u64)
        .sum::<u64>();

    // Compose projects
    let mut explicit: Vec<String> = Vec::new();
    for f in &opts.compose_files {
        match compose::join("", f) {
            Some(rel) => explicit.push(rel),
            None => {
                return Err(ScanError(format!(
                    "compose file `{f}` (given with -f) is outside the scanned folder `{}`: name it relative to the folder",
                    opts.display_root
                )));
            }
        }
    }
    for e in &explicit {
        if !compose_texts.contains_key(e) {
            match files.read(e) {
                Some(t) => {
                    compose_texts.insert(e.clone(), t);
                }
                None => {
                    return Err(ScanError(format!(
                        "compose file `{e}` (given with -f) cannot be read"
                    )));
                }
            }
        }
    }
    stats.files_parsed += compose_texts.len();
    stats.bytes_parsed += compose_texts.values().map(|t| t.len() as u64).sum::<u64>();

    // Deployment units: kustomizations, charts and Compose projects now; loose manifests once
    // their namespaces are read
    let compose_groups = compose::group_projects(&compose_files, &explicit);
    let mut plan = units::plan(
        &found.files,
        &|p: &str| files.read(p),
        &cfg.units,
        &compose_groups,
    );
    diagnostics.append(&mut plan.diagnostics);
    // the files of kustomizations and charts are read through their units
    for f in found
        .files
        .iter()
        .filter(|f| plan.consumed.contains(&f.rel) && f.kind == FileKind::Manifest)
    {
        stats.files_parsed += 1;
        stats.bytes_parsed += f.size;
    }
    let mut manifests: Vec<&Found> = manifests
        .into_iter()
        .filter(|f| !plan.consumed.contains(&f.rel))
        .collect();
    let selected = match &opts.unit {
        None => None,
        Some(want) => {
            let loose = units::group_loose(&loose_files(&manifests, limit), &cfg.units);
            let mut all = plan.units.clone();
            all.extend(loose);
            units::unique_names(&mut all);
            let Some(u) = units::find(&all, want) else {
                return Err(ScanError(format!(
                    "no deployment unit `{want}` (`vigie units` lists them: {})",
                    all.iter()
                        .map(|u| u.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            };
            Some(u.clone())
        }
    };
    if let Some(u) = &selected {
        manifests.retain(|f| u.kind == units::UnitKind::Manifests && u.files.contains(&f.rel));
        plan.units.retain(|p| p.kind == u.kind && p.name == u.name);
    }
    let built_units: Vec<usize> = (0..plan.units.len())
        .filter(|&i| plan.units[i].kind.is_built())
        .collect();
    let compose_units: Vec<usize> = (0..plan.units.len())
        .filter(|&i| plan.units[i].kind == units::UnitKind::Compose)
        .collect();

    let reader =
        |p: &str| -> Option<String> { compose_texts.get(p).cloned().or_else(|| files.read(p)) };
    let df_map: HashMap<&str, &Dockerfile> = dockerfiles.iter().map(|d| (&*d.path, d)).collect();
    // each project is loaded and lowered in one go, so its merged tree is dropped at once
    let lowered: Vec<(compose::Project, compose::Lowered)> = compose_units
        .par_iter()
        .map(|&i| {
            let project = compose::load(&plan.units[i].files, &reader);
            let l = compose::lower(&project, &df_map, catalog);
            (project, l)
        })
        .collect();
    stats.compose_projects = lowered.len();
    let mut compose_workloads = Vec::new();
    let mut project_workloads: Vec<Vec<Workload>> = Vec::new();
    let mut compose_projects = Vec::new();
    let mut built = BTreeSet::new();
    for (mut p, l) in lowered {
        diagnostics.append(&mut p.diagnostics);
        compose_projects.push(p);
        diagnostics.extend(l.diagnostics);
        built.extend(l.builds);
        compose_workloads.extend(l.workloads.iter().cloned());
        project_workloads.push(l.workloads);
    }

    vigie_core::timings::mark("dockerfiles+compose");
    // Dockerfiles and Compose workloads, together
    let cx = Context {
        catalog,
        dockerfiles: &dockerfiles,
        workloads: &compose_workloads,
        objects: &[],
        files: &files,
        built_by_compose: &built,
        cache: Default::default(),
    };
    let mut early_verdicts = vigie_checks::run_all(&cx);
    early_verdicts.sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    stats.workloads += compose_workloads.len();

    vigie_core::timings::mark("early checks");
    // Kubernetes manifests, each read, parsed, lowered, checked and sorted on its own by a pool
    // of workers taking files in path order. Results are merged in that order, with the
    // Dockerfile and Compose verdicts slotted in between, so the report is sorted without a
    // global sort and each file's buffers are freed as soon as they are merged.
    let base = ContextBase {
        catalog,
        analyzers,
        files: &files,
        built: &built,
        limit,
    };
    let mut verdicts: Vec<Verdict> = Vec::new();
    let mut object_suppressions: HashMap<Arc<str>, Vec<Suppression>> = HashMap::new();
    let mut manifest_comments: HashMap<Arc<str>, CommentSuppressions> = HashMap::new();
    let manifest_paths: HashSet<&str> = manifests.iter().map(|f| f.rel.as_str()).collect();
    let mut early_verdicts = early_verdicts.into_iter().peekable();
    let mut interner = Interner::default();
    let mut kept: Vec<Vec<kubernetes::Object>> = analyzers.iter().map(|_| Vec::new()).collect();
    let mut loose: Vec<units::LooseFile> = Vec::new();
    let mut merge = |mut o: FileOutput| {
        for (i, k) in o.kept.drain(..) {
            kept[i].push(k);
        }
        interner.verdicts(&mut o.verdicts);
        while let Some(v) = early_verdicts.next_if(|v| *v.location.path < *o.path) {
            verdicts.push(v);
        }
        if o.parsed {
            stats.files_parsed += 1;
            stats.bytes_parsed += o.bytes;
        }
        if o.objects > 0 {
            loose.push(units::LooseFile {
                rel: o.path.to_string(),
                namespaces: std::mem::take(&mut o.namespaces),
            });
        }
        stats.kubernetes_objects += o.objects;
        stats.workloads += o.workloads;
        verdicts.extend(o.verdicts);
        diagnostics.extend(o.diagnostics);
        for (id, list) in o.suppressions {
            // the first declaration of an object wins
            object_suppressions.entry(id).or_insert(list);
        }
        if let Some(c) = o.comments {
            manifest_comments.insert(o.path, c);
        }
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(manifests.len().max(1));
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, FileOutput)>(64);
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, manifests, base) = (&next, &manifests, &base);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(f) = manifests.get(i) else { break };
                    let out = scan_manifest(f, base);
                    if tx.send((i, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // files finish out of order; hold the early ones until those before them arrive
        let mut pending: BTreeMap<usize, FileOutput> = BTreeMap::new();
        let mut want = 0;
        for (i, out) in rx {
            pending.insert(i, out);
            while let Some(o) = pending.remove(&want) {
                merge(o);
                want += 1;
            }
        }
    });
    verdicts.extend(early_verdicts);

    vigie_core::timings::mark("manifests");
    // Loose manifests into units, beside the units discovered from their declarations
    let mut all_units = plan.units;
    let first_loose = all_units.len();
    match &selected {
        Some(u) if u.kind == units::UnitKind::Manifests => all_units.push(u.clone()),
        Some(_) => {}
        None => all_units.extend(units::group_loose(&loose, &cfg.units)),
    }
    if selected.is_none() {
        units::unique_names(&mut all_units);
    }
    let mut unit_of_file: HashMap<&str, usize> = HashMap::new();
    for (i, u) in all_units.iter().enumerate().skip(first_loose) {
        for f in &u.files {
            unit_of_file.insert(f.as_str(), i);
        }
    }
    // Built units (Kustomize overlays, Helm charts with a values set): built, lowered and
    // checked each on its own
    let scan_root = if single_file {
        opts.root.parent().unwrap_or(Path::new("."))
    } else {
        opts.root.as_path()
    };
    let unit_runs: Vec<(usize, UnitRun)> = built_units
        .par_iter()
        .map(|&i| (i, check_built_unit(&all_units[i], scan_root, &base)))
        .collect();
    // per analysis, per unit: the objects kept
    let mut unit_kept: Vec<Vec<Vec<kubernetes::Object>>> = analyzers
        .iter()
        .map(|_| all_units.iter().map(|_| Vec::new()).collect())
        .collect();
    let mut tagged: Vec<(Verdict, Option<usize>)> = Vec::new();
    for (u, run) in unit_runs {
        stats.kubernetes_objects += run.objects;
        stats.workloads += run.workloads;
        diagnostics.extend(run.diagnostics);
        for (id, list) in run.suppressions {
            object_suppressions.entry(id).or_insert(list);
        }
        for (a, o) in run.kept {
            unit_kept[a][u].push(o);
        }
        tagged.extend(run.verdicts.into_iter().map(|v| (v, Some(u))));
    }
    for (a, objects) in kept.into_iter().enumerate() {
        for o in objects {
            match unit_of_file.get(&*o.file) {
                Some(&u) => unit_kept[a][u].push(o),
                None => {
                    if let Some(list) = unit_kept[a].first_mut() {
                        list.push(o);
                    }
                }
            }
        }
    }

    // Repository-level analyses, in parallel with each other and, for those that judge units,
    // once per unit
    let repo_files: Vec<RepoFile> = found
        .files
        .iter()
        .filter(|f| {
            selected
                .as_ref()
                .is_none_or(|u| is_under(&f.rel, u.folder()) || u.files.contains(&f.rel))
        })
        .map(|f| RepoFile {
            rel: Arc::from(f.rel.as_str()),
            abs: f.abs.clone(),
            size: f.size,
        })
        .collect();
    let project_of_unit: HashMap<usize, usize> = compose_units
        .iter()
        .enumerate()
        .map(|(k, &u)| (u, k))
        .collect();
    let unit_files: Vec<Vec<RepoFile>> = all_units
        .iter()
        .map(|u| {
            repo_files
                .iter()
                .filter(|f| is_under(&f.rel, u.folder()) || u.files.iter().any(|x| **x == *f.rel))
                .cloned()
                .collect()
        })
        .collect();
    let rest_files: Vec<RepoFile> = repo_files
        .iter()
        .filter(|f| !all_units.iter().any(|u| is_under(&f.rel, u.folder())))
        .cloned()
        .collect();
    let whole = RepoInput {
        catalog,
        config: cfg,
        config_path: cfg.path.as_deref(),
        root: scan_root,
        files: &repo_files,
        lookup: &files,
        dockerfiles: &dockerfiles,
        compose: &compose_projects,
        workloads: &compose_workloads,
        today: opts.today,
        options: &opts.run,
    };
    vigie_core::timings::note(|| {
        format!(
            "{} deployment units ({} built)",
            all_units.len(),
            built_units.len()
        )
    });
    // (analysis, unit or the rest) jobs
    let mut jobs: Vec<(usize, Option<usize>)> = Vec::new();
    for (a, an) in analyzers.iter().enumerate() {
        if an.per_unit() {
            jobs.extend((0..all_units.len()).map(|u| (a, Some(u))));
            if selected.is_none() {
                jobs.push((a, None));
            }
        } else {
            jobs.push((a, None));
        }
    }
    let no_objects: Vec<kubernetes::Object> = Vec::new();
    let whole_objects: Vec<Vec<kubernetes::Object>> = analyzers
        .iter()
        .enumerate()
        .map(|(a, an)| {
            if an.per_unit() {
                Vec::new()
            } else {
                unit_kept[a].iter().flatten().cloned().collect()
            }
        })
        .collect();
    let outputs: Vec<(Option<usize>, RepoOutput)> = jobs
        .par_iter()
        .map(|&(a, unit)| {
            let an = analyzers[a];
            let mut out = RepoOutput::default();
            if !an.per_unit() {
                an.run(&whole, &whole_objects[a], &mut out);
                return (None, out);
            }
            let (compose_slice, workloads, files_slice, objects): (
                &[compose::Project],
                &[Workload],
                &[RepoFile],
                &[kubernetes::Object],
            ) = match unit {
                None => (&[], &[], &rest_files, &no_objects),
                Some(u) => match project_of_unit.get(&u) {
                    Some(&k) => (
                        std::slice::from_ref(&compose_projects[k]),
                        &project_workloads[k],
                        &unit_files[u],
                        &unit_kept[a][u],
                    ),
                    None => (&[], &[], &unit_files[u], &unit_kept[a][u]),
                },
            };
            let input = RepoInput {
                compose: compose_slice,
                workloads,
                files: files_slice,
                ..whole
            };
            an.run(&input, objects, &mut out);
            (unit, out)
        })
        .collect();
    drop(unit_kept);
    let mut tables: Vec<vigie_core::EvidenceTable> = Vec::new();
    let mut unassessed = Vec::new();
    // A name of the configuration that one unit's run does not know (roles naming a workload
    // of another unit) is no problem of the configuration: kept when every run of the analysis
    // reports it.
    let mut config_seen: HashMap<(usize, Location, String), usize> = HashMap::new();
    let mut runs_of: HashMap<usize, usize> = HashMap::new();
    for (&(a, _), (_, o)) in jobs.iter().zip(&outputs) {
        if analyzers[a].per_unit() {
            *runs_of.entry(a).or_default() += 1;
            let mut seen_here: Vec<&Diagnostic> = Vec::new();
            for d in o.diagnostics.iter().filter(|d| is_unknown_name(d)) {
                if !seen_here.contains(&d) {
                    seen_here.push(d);
                    *config_seen
                        .entry((a, d.location.clone(), d.message.clone()))
                        .or_default() += 1;
                }
            }
        }
    }
    for (&(a, _), (unit, o)) in jobs.iter().zip(outputs) {
        tagged.extend(o.verdicts.into_iter().map(|v| (v, unit)));
        let per_unit = analyzers[a].per_unit();
        diagnostics.extend(o.diagnostics.into_iter().filter(|d| {
            !per_unit
                || !is_unknown_name(d)
                || config_seen.get(&(a, d.location.clone(), d.message.clone())) == runs_of.get(&a)
        }));
        for t in o.tables {
            match tables
                .iter_mut()
                .find(|x| x.control == t.control && x.title == t.title && x.columns == t.columns)
            {
                Some(x) => {
                    for r in t.rows {
                        if !x.rows.contains(&r) {
                            x.rows.push(r);
                        }
                    }
                }
                None => tables.push(t),
            }
        }
        unassessed.extend(o.unassessed);
    }
    tables.sort_by(|a, b| a.control.cmp(&b.control));
    unassessed.sort_by(|a, b| a.check.cmp(&b.check));
    unassessed.dedup();
    let mut repo_verdicts = roll_up_units(tagged, &all_units);
    if !repo_verdicts.is_empty() {
        interner.verdicts(&mut repo_verdicts);
        repo_verdicts.sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        vigie_core::verdict::merge_sorted_into(&mut verdicts, repo_verdicts);
    }
    vigie_core::timings::mark("analyses");
    if stats.files_parsed == 0 && !diagnostics.is_empty() && stats.files_seen <= diagnostics.len() {
        // nothing readable at all
        if single_file {
            return Err(ScanError(format!(
                "`{}` could not be read: {}",
                opts.display_root,
                diagnostics
                    .first()
                    .map(|d| d.message.as_str())
                    .unwrap_or("unknown error")
            )));
        }
    }

    // Inline suppressions in the files the failures point at
    let all_checks = checks_of(analyzers);
    let known_check = |id: &str| {
        all_checks.iter().any(|c| c.id.eq_ignore_ascii_case(id)) || catalog.control(id).is_some()
    };
    let mut comment_sups: HashMap<Arc<str>, Vec<(u32, Suppression)>> = HashMap::new();
    let fail_files: BTreeSet<Arc<str>> = verdicts
        .iter()
        .filter(|v| v.is_fail())
        .map(|v| v.location.path.clone())
        .collect();
    let mut sources: HashMap<&str, &SourceFile> = HashMap::new();
    for d in &dockerfiles {
        sources.insert(&d.path, &d.source);
    }
    for path in fail_files {
        // manifests had their comments read while they were parsed; a manifest without the
        // marker has none, so it is not read again
        if let Some((s, d)) = manifest_comments.remove(&path) {
            diagnostics.extend(d);
            comment_sups.insert(path, s);
            continue;
        }
        if manifest_paths.contains(&*path) {
            continue;
        }
        let owned;
        let src = match sources.get(&*path) {
            Some(s) => *s,
            None => match files
                .read(&path)
                .or_else(|| compose_texts.get(&*path).cloned())
            {
                Some(t) => {
                    owned = SourceFile::new(path.clone(), t);
                    &owned
                }
                None => continue,
            },
        };
        let (s, d) = suppress::comments(src);
        diagnostics.extend(d);
        comment_sups.insert(path, s);
    }
    for (_, list) in comment_sups.iter() {
        for (_, s) in list {
            if !known_check(&s.check) {
                diagnostics.push(Diagnostic::new(
                    DiagKind::Suppression,
                    s.at.clone(),
                    format!("`vigie:ignore {}` names no known check or control", s.check),
                ));
            }
        }
    }
    let covers = |sup_check: &str, check: &str| {
        sup_check.eq_ignore_ascii_case(check)
            || catalog
                .control(sup_check)
                .is_some_and(|c| c.checks.iter().any(|k| k == check))
    };
    let overrides = !cfg.severity.is_empty();
    for v in verdicts.iter_mut() {
        if overrides && let Some(sev) = cfg.severity.get(v.check) {
            v.severity = *sev;
        }
        if !v.is_fail() {
            continue;
        }
        let inline = comment_sups
            .get(&v.location.path)
            .and_then(|list| {
                list.iter()
                    .find(|(line, s)| *line == v.location.line && covers(&s.check, v.check))
            })
            .map(|(_, s)| s.clone())
            .or_else(|| {
                // a Kubernetes subject is the object's id, or the id followed by ` › container x`
                let object = v.subject.split(" › ").next().unwrap_or(&v.subject);
                object_suppressions
                    .get(object)
                    .and_then(|list| list.iter().find(|s| covers(&s.check, v.check)).cloned())
            });
        if let Some(s) = inline {
            v.waive(Waiver {
                reason: s.reason,
                owner: None,
                expires: None,
                source: s.at,
            });
            continue;
        }
        let waiver = cfg.waivers.iter().find(|w| {
            covers(&w.check, v.check)
                && w.path.as_ref().is_none_or(|g| {
                    g.is_match(&v.location.path)
                        || v.related().iter().any(|r| g.is_match(&r.path))
                        || v.subject
                            .split(" › ")
                            .next()
                            .is_some_and(|f| f.split('+').any(|f| g.is_match(f)))
                })
                && w.subject_matches(&v.subject)
        });
        if let Some(w) = waiver {
            if w.is_expired(opts.today) {
                v.set_expired_waiver(w.as_waiver());
                v.message = format!(
                    "{} — the waiver at {} expired on {}",
                    v.message,
                    w.location,
                    w.expires.map(|d| d.to_string()).unwrap_or_default()
                )
                .into();
            } else {
                v.waive(w.as_waiver());
            }
        }
    }
    for (id, at) in &cfg.severity_locations {
        if !all_checks.iter().any(|c| c.id == id) {
            diagnostics.push(Diagnostic::new(
                DiagKind::Config,
                at.clone(),
                format!(
                    "[severity] names `{id}`, which is no check of this version of vigie (`vigie controls` lists them); its severity was not changed"
                ),
            ));
        }
    }
    for w in &cfg.waivers {
        if !known_check(&w.check) {
            diagnostics.push(Diagnostic::new(
                DiagKind::Config,
                w.location.clone(),
                format!(
                    "waiver names `{}`, which is no known check or control",
                    w.check
                ),
            ));
        }
    }

    // merged in path order, each file sorted by its worker; a verdict that points outside its
    // own file would break that order, so check and sort if needed
    if !verdicts.is_sorted_by(|a, b| a.sort_key() <= b.sort_key()) {
        verdicts.sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    if let Ok(mut notes) = files.notes.lock() {
        diagnostics.append(&mut notes);
    }
    diagnostics
        .sort_by(|a, b| (&a.location, a.code, &a.message).cmp(&(&b.location, b.code, &b.message)));
    diagnostics.dedup();

    vigie_core::timings::mark("waivers+sort");
    // Frameworks: those asked for, else every framework that applies
    let checks_with_verdicts = vigie_core::verdict::distinct_checks(&verdicts);
    let selected: Vec<&vigie_core::catalog::Framework> = match &frameworks_asked {
        Some(list) => catalog
            .frameworks
            .iter()
            .filter(|f| list.iter().any(|l| l.eq_ignore_ascii_case(&f.id)))
            .collect(),
        None => catalog
            .frameworks
            .iter()
            .filter(|f| {
                f.document
                    || f.sections.iter().any(|s| {
                        s.requirements.iter().any(|r| {
                            catalog
                                .requirement_checks(r)
                                .iter()
                                .any(|c| checks_with_verdicts.contains(c))
                        })
                    })
            })
            .collect(),
    };
    // a check that could not run here decides nothing: its requirements are not assessed
    let implemented: BTreeSet<&str> = all_checks
        .iter()
        .map(|c| c.id)
        .filter(|id| !unassessed.iter().any(|u| u.check == *id))
        .collect();
    let rollup = roll_up(catalog, &verdicts, &implemented, &selected);
    vigie_core::timings::mark("roll-up");
    let mut report = ScanReport {
        tool_version: VERSION,
        root: opts.display_root.clone(),
        as_of: opts.today.to_string(),
        frameworks: selected.iter().map(|f| f.id.clone()).collect(),
        fail_on: opts.fail_on.or(cfg.fail_on).unwrap_or(Severity::High),
        stats,
        verdicts,
        diagnostics,
        rollup,
        checks: all_checks,
        tables,
        unassessed,
        scope: Default::default(),
    };
    // the one place every report passes before any format renders it
    report.redact_credentials();
    Ok(report)
}
