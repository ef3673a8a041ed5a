//! Phase 1, discover: one walk of the root (excludes and `.gitignore` honoured), each file
//! classified by what vigie reads it as, then the small files read up front, in parallel:
//! Dockerfiles (parsed here) and Compose files, with the files given with `-f`.
//!
//! Kubernetes manifests are only listed: they are read by the workers that check them, so
//! their text is in memory only while they are checked. The next phase, [`super::build_units`],
//! gets the listing, the reader every later read goes through, the parsed Dockerfiles and the
//! Compose texts.

use super::{Scan, Tally};
use crate::files::RepoFiles;
use crate::{ScanError, ScanOptions};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use vigie_checks::FileLookup;
use vigie_core::glob::PathGlob;
use vigie_core::{DiagKind, Diagnostic, Location, SourceFile};
use vigie_parse::compose;
use vigie_parse::discover::{self, FileKind, Found, read_text};
use vigie_parse::dockerfile::Dockerfile;

/// What discovery hands on.
pub(crate) struct Discovered {
    /// Every file of the walk, sorted by path.
    pub files: Vec<Found>,
    /// The reader of the repository's files, which notes what it cannot read.
    pub repo: RepoFiles,
    pub dockerfiles: Vec<Dockerfile>,
    /// The Compose files of the walk that could be read, in path order.
    pub compose_files: Vec<String>,
    /// The text of each Compose file read, those given with `-f` included.
    pub compose_texts: HashMap<String, String>,
    /// The Compose files given with `-f`, relative to the root, in order.
    pub explicit: Vec<String>,
    /// The images the repository builds with Skaffold (`build.artifacts` of its
    /// `skaffold.yaml` files), which the Kubernetes containers that run them are joined with.
    pub artifacts: Vec<vigie_parse::skaffold::Artifact>,
    /// The images the repository's pipelines build from its Dockerfiles and push, which the
    /// Kubernetes containers that pull them are joined with.
    pub builds: Vec<vigie_core::model::BuiltImage>,
}

/// A file read up front: its text with the note of a lossy decoding, or why it could not be read.
type ReadResult = Result<(Option<Diagnostic>, String), Diagnostic>;

/// The walk of `opts.root` and the reader of its files (`vigie units` walks the same way).
pub(crate) fn walk(
    opts: &ScanOptions,
    excludes: Vec<PathGlob>,
    limit: u64,
) -> (discover::Discovered, RepoFiles) {
    let found = discover::discover(
        &opts.root,
        &discover::Options {
            gitignore: opts.gitignore.unwrap_or(opts.config.gitignore),
            excludes,
        },
    );
    (found, RepoFiles::new(&opts.root, limit))
}

pub(crate) fn discover(scan: &Scan<'_>, tally: &mut Tally) -> Result<Discovered, ScanError> {
    let (opts, limit) = (scan.opts, scan.limit);
    let (found, repo) = walk(opts, scan.excludes.clone(), limit);
    tally.diagnostics = found.diagnostics;
    tally.stats.files_seen = found.seen;

    vigie_core::timings::mark("discover");
    let early: Vec<&Found> = found
        .files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Dockerfile | FileKind::Compose))
        .collect();
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
            Err(d) => tally.diagnostics.push(d),
            Ok((note, t)) => {
                tally.diagnostics.extend(note);
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

    let mut dockerfiles = parse_dockerfiles(dockerfile_texts, tally);

    // Compose files given with -f
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
            match repo.read(e) {
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
    // Skaffold configurations, small, read up front: the manifests are lowered file by file
    // and each needs to know which of its images the repository builds
    let mut artifacts = Vec::new();
    for f in found
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Manifest && vigie_parse::skaffold::is_config(&f.rel))
    {
        if let Some(text) = repo.read(&f.rel) {
            let (a, d) = vigie_parse::skaffold::artifacts(&Arc::from(f.rel.as_str()), &text);
            artifacts.extend(a);
            tally.diagnostics.extend(d);
        }
    }
    let builds = pipeline_builds(scan, &found.files, &repo, &dockerfiles);
    mark_exported(
        &mut dockerfiles,
        &found.files,
        &repo,
        &artifacts,
        &builds,
        tally,
    );
    tally.stats.files_parsed += compose_texts.len();
    tally.stats.bytes_parsed += compose_texts.values().map(|t| t.len() as u64).sum::<u64>();
    Ok(Discovered {
        files: found.files,
        repo,
        dockerfiles,
        compose_files,
        compose_texts,
        explicit,
        artifacts,
        builds,
    })
}

/// The images the repository's pipelines build from its Dockerfiles. Manifests are lowered file
/// by file and each container needs to know whether its image is built here, so the pipelines
/// are lowered up front for this; the pipeline analysis lowers them again and reports what
/// lowering says, so files are read quietly here (a note would be given twice).
fn pipeline_builds(
    scan: &Scan<'_>,
    files: &[Found],
    repo: &RepoFiles,
    dockerfiles: &[Dockerfile],
) -> Vec<vigie_core::model::BuiltImage> {
    if dockerfiles.is_empty() {
        return Vec::new();
    }
    let read = |rel: &str| {
        let abs = repo.resolve(rel)?;
        read_text(&abs, repo.limit).ok().map(|t| t.text)
    };
    let pipelines_repo = vigie_pipeline::analyze::Repo {
        root: &scan.opts.root,
        files: files.iter().map(|f| f.rel.as_str()).collect(),
        read: &read,
        dockerfiles,
        objects: &[],
        runs_workloads: false,
        since: None,
    };
    let (pipelines, _said_again_by_the_analysis) =
        vigie_pipeline::analyze::lower_all(&pipelines_repo);
    vigie_pipeline::built::built_images(&pipelines, &|p| dockerfiles.iter().any(|d| *d.path == *p))
}

/// Mark the Dockerfiles the repository builds only to export files (`docker build
/// --output=DIR` in a Makefile, script or workflow; no pipeline pushes an image of it, no
/// Skaffold artifact builds it), with an info note each: the checks of a running image (its
/// user, its HEALTHCHECK) do not judge what never runs as a container. A Compose service that
/// builds one judges it through the service as usual.
fn mark_exported(
    dockerfiles: &mut [Dockerfile],
    files: &[Found],
    repo: &RepoFiles,
    artifacts: &[vigie_parse::skaffold::Artifact],
    builds: &[vigie_core::model::BuiltImage],
    tally: &mut Tally,
) {
    if dockerfiles.is_empty() {
        return;
    }
    let read = |rel: &str| {
        let abs = repo.resolve(rel)?;
        read_text(&abs, repo.limit).ok().map(|t| t.text)
    };
    let exists = |p: &str| dockerfiles.iter().any(|d| *d.path == *p);
    let exported = crate::launches::exported_dockerfiles(files, &read, &exists);
    for (path, by) in exported {
        let runs = builds.iter().any(|b| *b.dockerfile == *path)
            || artifacts
                .iter()
                .any(|a| a.dockerfile.as_deref() == Some(path.as_str()));
        let Some(d) = dockerfiles.iter_mut().find(|d| *d.path == *path) else {
            continue;
        };
        if runs {
            continue;
        }
        let mut note = Diagnostic::new(
            DiagKind::Skipped,
            Location::new(d.path.clone(), 1, 1),
            format!(
                "built only to export files (`docker build --output`, {by}): its final stage never runs as a container, so the checks of a running image (CNT-01 user, CNT-10.3 HEALTHCHECK) do not judge it"
            ),
        );
        note.severity = vigie_core::Severity::Info;
        tally.diagnostics.push(note);
        d.exported_by = Some(by);
    }
}

fn parse_dockerfiles(texts: Vec<(&Found, String)>, tally: &mut Tally) -> Vec<Dockerfile> {
    let parsed: Vec<Result<Dockerfile, Diagnostic>> = texts
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
            Err(d) => tally.diagnostics.push(d),
        }
    }
    tally.stats.dockerfiles = dockerfiles.len();
    tally.stats.files_parsed += dockerfiles.len();
    tally.stats.bytes_parsed += dockerfiles
        .iter()
        .map(|d| d.source.text.len() as u64)
        .sum::<u64>();
    dockerfiles
}
