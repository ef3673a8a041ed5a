//! Phase 4, check: every object and workload of the model is judged by the per-object checks.
//!
//! [`check_files`] judges Dockerfiles and Compose workloads together, then streams the loose
//! Kubernetes manifests through a pool of workers that each read, lower ([`super::lower`]),
//! check and sort one file; their results are merged in path order with the Dockerfile and
//! Compose verdicts slotted in between, so the verdicts come out sorted without a global sort
//! and each file's buffers are freed as soon as they are merged. [`check_units`] builds, lowers
//! and checks each Kustomize or Helm unit on its own.
//!
//! Both hand on [`Findings`] (the verdicts so far and what suppresses them) and, for the
//! repository-level analyses ([`super::analyse`]), the objects each analysis asked to keep.

use super::lower::{self, CommentSuppressions};
use super::{Discovered, Lowered, Planned, Scan, Tally, Units};
use crate::files::RepoFiles;
use crate::units::{LooseFile, Unit};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use vigie_checks::repo::{Analyzer, Record};
use vigie_checks::{Context, FileLookup};
use vigie_core::catalog::Catalog;
use vigie_core::model::Workload;
use vigie_core::{DiagKind, Diagnostic, EvidenceTable, Unassessed, Verdict};
use vigie_parse::discover::Found;
use vigie_parse::kubernetes::{self, Object};
use vigie_parse::suppress::{self, Suppression};
use vigie_parse::yaml;

/// What the checks found, which [`super::roll_up`] turns into the report's verdicts.
pub(crate) struct Findings<'a> {
    /// The verdicts of Dockerfiles, Compose workloads and loose manifests, sorted.
    pub verdicts: Vec<Verdict>,
    /// The verdicts of built units and analyses, with the unit each is about, to roll up.
    pub tagged: Vec<(Verdict, Option<usize>)>,
    /// The suppressions objects declare in their annotations, by object id.
    pub object_suppressions: HashMap<Arc<str>, Vec<Suppression>>,
    /// The `vigie:ignore` comments of the loose manifests that have any.
    pub manifest_comments: HashMap<Arc<str>, CommentSuppressions>,
    /// The loose manifests checked (those without comments need no second reading).
    pub manifest_paths: HashSet<&'a str>,
    /// One copy of each string the verdicts repeat.
    pub interner: Interner,
    /// The analyses' evidence tables, sorted by control.
    pub tables: Vec<EvidenceTable>,
    /// The checks that could not run, sorted by check.
    pub unassessed: Vec<Unassessed>,
}

/// What an analysis kept of one object: the object (whole or trimmed) or its own record of it.
#[derive(Clone)]
pub(crate) enum Kept {
    Object(Box<Object>),
    Record(Record),
}

/// What one analysis kept of the objects of one unit.
#[derive(Default)]
pub(crate) struct UnitKept {
    pub objects: Vec<Object>,
    pub records: Vec<Record>,
}

impl UnitKept {
    fn push(&mut self, kept: Kept) {
        match kept {
            Kept::Object(o) => self.objects.push(*o),
            Kept::Record(r) => self.records.push(r),
        }
    }
}

/// What [`check_files`] found beside the verdicts.
pub(crate) struct FilesChecked {
    /// What the analyses kept, by analysis index, with the file it comes from.
    pub kept: Vec<Vec<(Arc<str>, Kept)>>,
    /// The loose manifests with objects, for grouping into units.
    pub loose: Vec<LooseFile>,
}

/// What the per-object checks need besides the objects.
struct ContextBase<'a> {
    catalog: &'a Catalog,
    analyzers: &'a [&'static dyn Analyzer],
    files: &'a dyn FileLookup,
    /// The same files, for the folders a GitOps object names.
    repo: &'a RepoFiles,
    built: &'a BTreeSet<String>,
    /// The Skaffold artifacts and the Dockerfiles they build, joined with the containers.
    artifacts: &'a [vigie_parse::skaffold::Artifact],
    /// The images pipelines build, joined with the containers that pull them.
    builds: &'a [vigie_core::model::BuiltImage],
    dockerfiles: &'a [vigie_parse::dockerfile::Dockerfile],
    /// Where the Dockerfiles found to be run by a container are recorded.
    run_by_kubernetes: &'a std::sync::Mutex<BTreeSet<Arc<str>>>,
    limit: u64,
}

impl<'a> ContextBase<'a> {
    fn new(scan: &'a Scan<'_>, found: &'a Discovered, lowered: &'a Lowered) -> Self {
        ContextBase {
            catalog: scan.catalog,
            analyzers: scan.analyzers,
            files: &found.repo,
            repo: &found.repo,
            built: &lowered.built,
            artifacts: &found.artifacts,
            builds: &found.builds,
            dockerfiles: &found.dockerfiles,
            run_by_kubernetes: &lowered.run_by_kubernetes,
            limit: scan.limit,
        }
    }
}

/// Objects lowered once and judged: what the analyses keep, the suppressions their annotations
/// declare, how many workloads they run and the verdicts of the per-object checks. Loose
/// manifests and built units both go through [`judge`], so both are judged alike.
struct Judged {
    verdicts: Vec<Verdict>,
    diagnostics: Vec<Diagnostic>,
    suppressions: Vec<(Arc<str>, Vec<Suppression>)>,
    /// What the analyses asked to keep, by analysis index.
    kept: Vec<(usize, Kept)>,
    objects: usize,
    workloads: usize,
}

/// Judge `objects`; those of API versions no supported cluster serves are reported once, not
/// judged. The objects judged come back.
fn judge(objects: Vec<Object>, cx_base: &ContextBase<'_>) -> (Judged, Vec<Object>) {
    let (objects, removed) = vigie_parse::removed_apis::split(objects);
    let (tests, objects): (Vec<_>, Vec<_>) = objects.into_iter().partition(is_helm_test_hook);
    let mut diagnostics = removed;
    diagnostics.extend(test_hooks_note(&tests));
    let is_folder = |rel: &str| cx_base.repo.resolve(rel).is_some_and(|p| p.is_dir());
    diagnostics.extend(
        objects
            .iter()
            .filter_map(|o| remote_deployment_note(o, &is_folder)),
    );
    let mut judged = Judged {
        verdicts: Vec::new(),
        diagnostics,
        suppressions: Vec::new(),
        kept: Vec::new(),
        objects: objects.len(),
        workloads: 0,
    };
    for o in &objects {
        for (i, a) in cx_base.analyzers.iter().enumerate() {
            if let Some(k) = a.keep(o) {
                judged.kept.push((i, Kept::Object(Box::new(k))));
            }
            if let Some(r) = a.record(o) {
                judged.kept.push((i, Kept::Record(r)));
            }
        }
        let (s, d) = suppress::annotation(o);
        judged.diagnostics.extend(d);
        if !s.is_empty() {
            judged.suppressions.push((Arc::from(o.id().as_str()), s));
        }
    }
    let mut workloads: Vec<Workload> = objects
        .iter()
        .flat_map(|o| kubernetes::workloads(o, cx_base.catalog))
        .collect();
    // the containers that run an image the repository builds run what its Dockerfile says
    vigie_checks::container::image_ref::join_artifacts(
        &mut workloads,
        cx_base.artifacts,
        cx_base.dockerfiles,
        cx_base.catalog,
    );
    // and those that pull an image a pipeline of the repository builds run its Dockerfile's user
    vigie_checks::container::image_ref::join_pipeline_builds(
        &mut workloads,
        cx_base.builds,
        cx_base.dockerfiles,
        cx_base.catalog,
    );
    record_run_artifacts(&workloads, cx_base.run_by_kubernetes);
    judged.workloads = workloads.len();
    if objects.is_empty() {
        return (judged, objects);
    }
    let cx = Context {
        catalog: cx_base.catalog,
        dockerfiles: &[],
        workloads: &workloads,
        objects: &objects,
        files: cx_base.files,
        built_by_compose: cx_base.built,
        artifacts: cx_base.artifacts,
        cache: Default::default(),
    };
    judged.verdicts = vigie_checks::run_all_sequential(&cx);
    (judged, objects)
}

/// Record the Dockerfiles of Skaffold artifacts these containers run.
fn record_run_artifacts(workloads: &[Workload], run: &std::sync::Mutex<BTreeSet<Arc<str>>>) {
    let mut built = workloads
        .iter()
        .filter(|w| w.built_by.is_some())
        .filter_map(|w| w.build.as_ref().map(|b| b.dockerfile.clone()))
        .peekable();
    if built.peek().is_some()
        && let Ok(mut run) = run.lock()
    {
        run.extend(built);
    }
}

/// A Dockerfile a Skaffold artifact builds is judged through the containers that run its image
/// (their user overrides its `USER`; Kubernetes ignores its `HEALTHCHECK`). One that no
/// container of the scan was found to run — its manifests are elsewhere, or not in the
/// artifact's folder — would then be judged by nothing: once every manifest and unit is
/// checked, such Dockerfiles are judged on their own, as any other.
pub(crate) fn check_unrun_artifacts(
    scan: &Scan<'_>,
    found: &Discovered,
    lowered: &Lowered,
    findings: &mut Findings<'_>,
) {
    if found.artifacts.is_empty() {
        return;
    }
    let run = lowered
        .run_by_kubernetes
        .lock()
        .map(|r| r.clone())
        .unwrap_or_default();
    let unrun: Vec<&str> = found
        .dockerfiles
        .iter()
        .map(|d| &*d.path)
        .filter(|p| {
            !run.contains(*p)
                && found
                    .artifacts
                    .iter()
                    .any(|a| a.dockerfile.as_deref() == Some(*p))
        })
        .collect();
    if unrun.is_empty() {
        return;
    }
    // judged with no artifact: as any Dockerfile; only the verdicts on these are kept
    let cx = Context {
        catalog: scan.catalog,
        dockerfiles: &found.dockerfiles,
        workloads: &[],
        objects: &[],
        files: &found.repo,
        built_by_compose: &lowered.built,
        artifacts: &[],
        cache: Default::default(),
    };
    let mut verdicts = Vec::new();
    vigie_checks::container::cnt01_non_root::run(&cx, &mut verdicts);
    vigie_checks::container::cnt10_3_healthcheck::run(&cx, &mut verdicts);
    verdicts.retain(|v| {
        let of = v.subject.split(" › ").next().unwrap_or(&v.subject);
        unrun.contains(&of)
    });
    findings.interner.verdicts(&mut verdicts);
    findings.verdicts.extend(verdicts);
}

/// Helm's test hook events: an object annotated with them only is created by `helm test`, never
/// by `helm install` or `helm upgrade` (`test-failure` is the Helm 2 spelling, still written).
const HELM_TEST_EVENTS: [&str; 3] = ["test", "test-success", "test-failure"];

/// An object that runs only on `helm test`: its `helm.sh/hook` annotation names test events
/// and nothing else. A hook that also runs on install or upgrade is judged like any object.
fn is_helm_test_hook(o: &kubernetes::Object) -> bool {
    let Some(events) = o
        .annotations()
        .and_then(|a| a.get("helm.sh/hook"))
        .and_then(|n| n.as_str())
    else {
        return false;
    };
    let mut any = false;
    for e in events.split(',').map(|e| e.trim().to_ascii_lowercase()) {
        if e.is_empty() {
            continue;
        }
        if !HELM_TEST_EVENTS.contains(&e.as_str()) {
            return false;
        }
        any = true;
    }
    any
}

/// One info note for the test hooks left out of a unit's (or a file's) checks, located at the
/// first, so a chart whose test pods fail nothing is not read as having judged them.
fn test_hooks_note(tests: &[kubernetes::Object]) -> Option<Diagnostic> {
    let first = tests.first()?;
    let names: Vec<String> = tests.iter().map(|o| o.id()).collect();
    Some(Diagnostic::new(
        DiagKind::Skipped,
        first.at.clone(),
        format!(
            "Helm test hook{} {} (helm.sh/hook: test) not judged: Helm creates {} only on `helm test`, never on install or upgrade",
            if names.len() == 1 { "" } else { "s" },
            names.join(", "),
            if names.len() == 1 { "it" } else { "them" },
        ),
    ))
}

/// `a/./b/` → `a/b`: a folder a GitOps object names, relative to the repository root.
fn repo_folder(path: &str) -> String {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// For a GitOps object that deploys something vigie does not read — a Flux `HelmRelease` of a
/// chart from a Helm or OCI repository, a Flux `Kustomization` of an OCI artifact or a bucket,
/// or of a Git repository folder that is not in this repository, an Argo CD `Application` of a
/// chart or of a folder that is not in this repository — one located info note saying it is
/// not assessed, so an empty result is never read as a pass. A source that is a folder of the
/// repository is assessed through that folder's own units, and gets no note.
fn remote_deployment_note(
    o: &kubernetes::Object,
    is_folder: &dyn Fn(&str) -> bool,
) -> Option<Diagnostic> {
    let group = o.api_version.split('/').next().unwrap_or("");
    let spec = o.node.get("spec")?;
    let text = |n: Option<&yaml::Node>| n.and_then(|n| n.as_str()).unwrap_or("").to_string();
    let what = match (group, o.kind.as_str()) {
        ("helm.toolkit.fluxcd.io", "HelmRelease") => {
            if let Some(r) = spec.get("chartRef") {
                format!(
                    "the chart of {} {}",
                    text(r.get("kind")),
                    text(r.get("name"))
                )
            } else {
                let chart = spec.path(&["chart", "spec"])?;
                let name = text(chart.get("chart"));
                let source = chart.get("sourceRef");
                let kind = text(source.and_then(|s| s.get("kind")));
                if matches!(kind.as_str(), "GitRepository" | "Bucket")
                    && is_folder(&repo_folder(&name))
                {
                    return None;
                }
                format!(
                    "the chart `{name}` from {kind} {}",
                    text(source.and_then(|s| s.get("name")))
                )
            }
        }
        ("kustomize.toolkit.fluxcd.io", "Kustomization") => {
            let path = text(spec.get("path"));
            let source = spec.get("sourceRef");
            let kind = text(source.and_then(|s| s.get("kind")));
            // an ExternalArtifact is assembled in the cluster from other sources (most often
            // folders of this repository, which vigie judges as units of their own): nothing
            // says it is remote, so it gets no note
            if kind == "ExternalArtifact"
                || (kind != "OCIRepository" && kind != "Bucket" && is_folder(&repo_folder(&path)))
            {
                return None;
            }
            format!(
                "the folder `{}` of {kind} {}",
                if path.is_empty() { "./" } else { path.as_str() },
                text(source.and_then(|s| s.get("name")))
            )
        }
        ("argoproj.io", "Application") => {
            let sources: Vec<&yaml::Node> = match spec.get("sources") {
                Some(list) => list.items().iter().collect(),
                None => spec.get("source").into_iter().collect(),
            };
            let remote: Vec<String> = sources
                .iter()
                .filter(|s| {
                    let path = text(s.get("path"));
                    s.get("chart").is_some() || path.is_empty() || !is_folder(&repo_folder(&path))
                })
                .map(|s| {
                    let repo = text(s.get("repoURL"));
                    match s.get("chart") {
                        Some(c) => format!("the chart `{}` of {repo}", text(Some(c))),
                        None => format!("`{}` of {repo}", text(s.get("path"))),
                    }
                })
                .collect();
            if remote.is_empty() {
                return None;
            }
            remote.join(" and ")
        }
        _ => return None,
    };
    Some(Diagnostic::new(
        DiagKind::Skipped,
        o.at.clone(),
        format!(
            "{} {} deploys {what}, a remote source vigie cannot read: not assessed",
            o.kind,
            o.id()
                .split_once('/')
                .map_or(o.name.as_str(), |(_, rest)| rest)
        ),
    ))
}

impl Findings<'_> {
    /// Count what `judged` says and keep its diagnostics and suppressions; its verdicts and
    /// kept objects come back for the caller to place.
    fn absorb(&mut self, judged: Judged, tally: &mut Tally) -> (Vec<Verdict>, Vec<(usize, Kept)>) {
        tally.stats.kubernetes_objects += judged.objects;
        tally.stats.workloads += judged.workloads;
        tally.diagnostics.extend(judged.diagnostics);
        for (id, list) in judged.suppressions {
            // the first declaration of an object wins
            self.object_suppressions.entry(id).or_insert(list);
        }
        (judged.verdicts, judged.kept)
    }
}

/// One loose manifest file checked.
struct FileOutput {
    file: lower::LoweredFile,
    judged: Judged,
    /// The namespaces the file's objects declare, for grouping loose manifests into units.
    namespaces: BTreeSet<String>,
    /// Whether the file declares a workload, for grouping too.
    workloads: bool,
}

/// Read, parse, lower and check one Kubernetes manifest file; its verdicts come back sorted.
fn scan_manifest(f: &Found, cx_base: &ContextBase<'_>) -> FileOutput {
    let mut file = lower::manifest(f, cx_base.limit);
    let (mut judged, objects) = judge(std::mem::take(&mut file.objects), cx_base);
    judged
        .verdicts
        .sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    FileOutput {
        namespaces: lower::namespaces(&objects),
        workloads: lower::declares_workloads(&objects),
        file,
        judged,
    }
}

/// Judge the Dockerfiles and Compose workloads together, then each loose manifest on its own.
pub(crate) fn check_files<'a>(
    scan: &Scan<'_>,
    found: &Discovered,
    planned: &Planned<'a>,
    lowered: &Lowered,
    tally: &mut Tally,
) -> (Findings<'a>, FilesChecked) {
    let cx = Context {
        catalog: scan.catalog,
        dockerfiles: &found.dockerfiles,
        workloads: &lowered.compose_workloads,
        objects: &[],
        files: &found.repo,
        built_by_compose: &lowered.built,
        artifacts: &found.artifacts,
        cache: Default::default(),
    };
    let mut early_verdicts = vigie_checks::run_all(&cx);
    early_verdicts.sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    tally.stats.workloads += lowered.compose_workloads.len();

    vigie_core::timings::mark("early checks");
    let manifests = &planned.manifests;
    let base = ContextBase::new(scan, found, lowered);
    let mut findings = Findings {
        verdicts: Vec::new(),
        tagged: Vec::new(),
        object_suppressions: HashMap::new(),
        manifest_comments: HashMap::new(),
        manifest_paths: manifests.iter().map(|f| f.rel.as_str()).collect(),
        interner: Interner::default(),
        tables: Vec::new(),
        unassessed: Vec::new(),
    };
    let mut checked = FilesChecked {
        kept: scan.analyzers.iter().map(|_| Vec::new()).collect(),
        loose: Vec::new(),
    };
    let mut early_verdicts = early_verdicts.into_iter().peekable();
    let mut merge = |o: FileOutput| {
        let FileOutput {
            file,
            judged,
            namespaces,
            workloads,
        } = o;
        if file.parsed {
            tally.stats.files_parsed += 1;
            tally.stats.bytes_parsed += file.bytes;
        }
        if judged.objects > 0 {
            checked.loose.push(LooseFile {
                rel: file.path.to_string(),
                namespaces,
                workloads,
            });
        }
        // what reading and parsing said comes before what judging said
        tally.diagnostics.extend(file.diagnostics);
        let (mut verdicts, kept) = findings.absorb(judged, tally);
        for (i, k) in kept {
            checked.kept[i].push((file.path.clone(), k));
        }
        findings.interner.verdicts(&mut verdicts);
        while let Some(v) = early_verdicts.next_if(|v| *v.location.path < *file.path) {
            findings.verdicts.push(v);
        }
        findings.verdicts.extend(verdicts);
        if let Some(c) = file.comments {
            findings.manifest_comments.insert(file.path, c);
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
            let (next, base) = (&next, &base);
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
    findings.verdicts.extend(early_verdicts);
    (findings, checked)
}

/// Build, lower and check each Kustomize or Helm unit on its own, and hand each analysis the
/// objects it keeps, per unit (`kept` of the loose manifests to the unit of their file).
pub(crate) fn check_units(
    scan: &Scan<'_>,
    found: &Discovered,
    lowered: &Lowered,
    units: &Units,
    kept: Vec<Vec<(Arc<str>, Kept)>>,
    findings: &mut Findings<'_>,
    tally: &mut Tally,
) -> Vec<Vec<UnitKept>> {
    let base = ContextBase::new(scan, found, lowered);
    let root = scan.scan_root();
    let mut unit_runs: Vec<(usize, Judged)> = units
        .built
        .par_iter()
        .map(|&i| (i, check_built_unit(&units.all[i], root, &base)))
        .collect();
    keep_patches_that_match_nowhere(&mut unit_runs, units);
    // per analysis, per unit: what it kept
    let mut unit_kept: Vec<Vec<UnitKept>> = scan
        .analyzers
        .iter()
        .map(|_| units.all.iter().map(|_| UnitKept::default()).collect())
        .collect();
    for (u, run) in unit_runs {
        let (verdicts, kept) = findings.absorb(run, tally);
        for (a, o) in kept {
            unit_kept[a][u].push(o);
        }
        findings
            .tagged
            .extend(verdicts.into_iter().map(|v| (v, Some(u))));
    }
    let units_of_file = super::build_units::units_of_file(units);
    for (a, list) in kept.into_iter().enumerate() {
        for (file, k) in list {
            match units_of_file.get(&*file).map(Vec::as_slice) {
                Some([rest @ .., last]) => {
                    for &u in rest {
                        unit_kept[a][u].push(k.clone());
                    }
                    unit_kept[a][*last].push(k);
                }
                _ => {
                    if let Some(first) = unit_kept[a].first_mut() {
                        first.push(k);
                    }
                }
            }
        }
    }
    unit_kept
}

/// A component's patch "matches no object" only where it matches in none of the units that
/// read its file ([`crate::units::drop_patch_notes_matched_elsewhere`]).
fn keep_patches_that_match_nowhere(runs: &mut [(usize, Judged)], units: &Units) {
    let mut builds: Vec<crate::units::BuildNotes<'_>> = runs
        .iter_mut()
        .map(|(u, run)| {
            let files = &units.all[*u].files;
            let reads: Box<dyn Fn(&str) -> bool + '_> =
                Box::new(move |p: &str| files.iter().any(|f| f == p));
            (&mut run.diagnostics, reads)
        })
        .collect();
    crate::units::drop_patch_notes_matched_elsewhere(&mut builds);
}

/// Build a Kustomize or Helm unit, then lower and check its objects as one manifest's.
fn check_built_unit(unit: &Unit, root: &std::path::Path, cx_base: &ContextBase<'_>) -> Judged {
    let (objects, diagnostics, provenance) = lower::built_unit(unit, root);
    let (mut judged, _) = judge(objects, cx_base);
    // a chart's failures name the values key and line behind the field they judge
    if let Some(p) = provenance {
        judged.verdicts = std::mem::take(&mut judged.verdicts)
            .into_iter()
            .map(|v| p.annotate(v))
            .collect();
    }
    // what building said comes before what judging said
    let mut all = diagnostics;
    all.append(&mut judged.diagnostics);
    judged.diagnostics = all;
    judged
}

/// One copy of each string the verdicts repeat: many verdicts say the same thing about the
/// same kind of object, and every verdict on a subject names it.
///
/// It runs on the thread that merges the workers' results.
#[derive(Default)]
pub(crate) struct Interner {
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

    pub(crate) fn verdicts(&mut self, verdicts: &mut [Verdict]) {
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
