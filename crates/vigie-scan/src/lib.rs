//! The scan pipeline: discover → parse → lower → check → suppress and waive → roll up.
//!
//! Memory stays bounded by the largest file, not the repository: each Kubernetes file is parsed,
//! lowered and checked on its own and its tree dropped; Dockerfiles and Compose projects, small
//! by nature, are kept for the checks that join them.

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
struct RepoFiles {
    root: PathBuf,
    canonical_root: PathBuf,
    limit: u64,
    single_file: bool,
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
        read_text(&self.resolve(path)?, self.limit).ok()
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
    };
    let text = match read_text(&f.abs, cx_base.limit) {
        Ok(t) => t,
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
    for o in &objects {
        for (i, a) in cx_base.analyzers.iter().enumerate() {
            if let Some(k) = a.keep(o) {
                out.kept.push((i, k));
            }
        }
        let (s, d) = suppress::annotation(o);
        out.diagnostics.extend(d);
        if !s.is_empty() {
            out.suppressions.push((Arc::from(o.id().as_str()), s));
        }
    }
    let workloads: Vec<Workload> = objects
        .iter()
        .flat_map(|o| kubernetes::workloads(o, cx_base.catalog))
        .collect();
    out.workloads = workloads.len();
    if objects.is_empty() {
        return out;
    }
    let cx = Context {
        catalog: cx_base.catalog,
        dockerfiles: &[],
        workloads: &workloads,
        objects: &objects,
        files: cx_base.files,
        built_by_compose: cx_base.built,
        cache: Default::default(),
    };
    out.verdicts = vigie_checks::run_all_sequential(&cx);
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
    let texts: Vec<(&Found, Result<String, Diagnostic>)> = early
        .par_iter()
        .map(|f| {
            let r = read_text(&f.abs, limit)
                .map_err(|e| e.into_diagnostic(Arc::from(f.rel.as_str()), limit));
            (*f, r)
        })
        .collect();
    let mut dockerfile_texts = Vec::new();
    let mut compose_files = Vec::new();
    let mut compose_texts: HashMap<String, String> = HashMap::new();
    for (f, r) in texts {
        match r {
            Err(d) => diagnostics.push(d),
            Ok(t) => match f.kind {
                FileKind::Dockerfile => dockerfile_texts.push((f, t)),
                _ => {
                    compose_files.push(f.rel.clone());
                    compose_texts.insert(f.rel.clone(), t);
                }
            },
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
    let explicit: Vec<String> = opts
        .compose_files
        .iter()
        .filter_map(|f| compose::join("", f))
        .collect();
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
    let reader =
        |p: &str| -> Option<String> { compose_texts.get(p).cloned().or_else(|| files.read(p)) };
    let df_map: HashMap<&str, &Dockerfile> = dockerfiles.iter().map(|d| (&*d.path, d)).collect();
    // each project is loaded and lowered in one go, so its merged tree is dropped at once
    let lowered: Vec<(compose::Project, compose::Lowered)> =
        compose::group_projects(&compose_files, &explicit)
            .par_iter()
            .map(|p| {
                let project = compose::load(p, &reader);
                let l = compose::lower(&project, &df_map, catalog);
                (project, l)
            })
            .collect();
    stats.compose_projects = lowered.len();
    let mut compose_workloads = Vec::new();
    let mut compose_projects = Vec::new();
    let mut built = BTreeSet::new();
    for (mut p, l) in lowered {
        diagnostics.append(&mut p.diagnostics);
        compose_projects.push(p);
        diagnostics.extend(l.diagnostics);
        built.extend(l.builds);
        compose_workloads.extend(l.workloads);
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
    // Repository-level analyses, in parallel with each other, once every file is read
    let repo_files: Vec<RepoFile> = found
        .files
        .iter()
        .map(|f| RepoFile {
            rel: Arc::from(f.rel.as_str()),
            abs: f.abs.clone(),
            size: f.size,
        })
        .collect();
    let scan_root = if single_file {
        opts.root.parent().unwrap_or(Path::new("."))
    } else {
        opts.root.as_path()
    };
    let input = RepoInput {
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
        let per: Vec<String> = analyzers
            .iter()
            .zip(&kept)
            .map(|(a, k)| format!("{} {}", a.name(), k.len()))
            .collect();
        format!("objects kept by the analyses: {}", per.join(", "))
    });
    let outputs: Vec<RepoOutput> = analyzers
        .par_iter()
        .zip(kept.par_iter())
        .map(|(a, objects)| {
            let mut out = RepoOutput::default();
            a.run(&input, objects, &mut out);
            out
        })
        .collect();
    drop(kept);
    let mut tables = Vec::new();
    let mut repo_verdicts = Vec::new();
    let mut unassessed = Vec::new();
    for o in outputs {
        repo_verdicts.extend(o.verdicts);
        diagnostics.extend(o.diagnostics);
        tables.extend(o.tables);
        unassessed.extend(o.unassessed);
    }
    tables.sort_by(|a, b| a.control.cmp(&b.control));
    unassessed.sort_by(|a, b| a.check.cmp(&b.check));
    unassessed.dedup();
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
    Ok(ScanReport {
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
    })
}
