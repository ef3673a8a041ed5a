//! Phase 3, lower: each source becomes the platform model once — Compose projects merged as
//! `docker compose` merges them and lowered into workloads (here, before any check, since the
//! checks join them with the Dockerfiles that build their images), Kubernetes manifests and
//! built units into objects (by [`manifest`] and [`built_unit`], which the check phase calls
//! file by file and unit by unit, so a parse tree lives only while it is checked).
//!
//! [`super::check_files`] gets the [`Lowered`] Compose projects and their workloads; the
//! analyses get each project with its own workloads.

use super::{Discovered, Planned, Scan, Tally};
use crate::units::{self, Unit};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;
use vigie_checks::FileLookup;
use vigie_core::model::Workload;
use vigie_core::{DiagKind, Diagnostic, Location, SourceFile};
use vigie_parse::compose;
use vigie_parse::discover::{Found, read_text};
use vigie_parse::dockerfile::Dockerfile;
use vigie_parse::kubernetes::{self, Object};
use vigie_parse::suppress::{self, Suppression};
use vigie_parse::yaml;

/// A file's suppression comments by the lines they cover, and the malformed ones.
pub(crate) type CommentSuppressions = (Vec<(u32, Suppression)>, Vec<Diagnostic>);

/// The Compose projects lowered.
pub(crate) struct Lowered {
    /// One per Compose unit, in the order of [`super::Units::compose`].
    pub compose_projects: Vec<compose::Project>,
    /// The workloads of each project.
    pub project_workloads: Vec<Vec<Workload>>,
    /// The workloads of every project.
    pub compose_workloads: Vec<Workload>,
    /// The images Compose builds.
    pub built: BTreeSet<String>,
    /// The Dockerfiles of Skaffold artifacts that a Kubernetes container of the scan was found
    /// to run, filled as manifests and units are judged: those are judged through their
    /// containers; the others on their own ([`super::check_unrun_artifacts`]).
    pub run_by_kubernetes: std::sync::Mutex<BTreeSet<Arc<str>>>,
}

pub(crate) fn lower(
    scan: &Scan<'_>,
    found: &Discovered,
    planned: &Planned<'_>,
    tally: &mut Tally,
) -> Lowered {
    let reader = |p: &str| -> Option<String> {
        found
            .compose_texts
            .get(p)
            .cloned()
            .or_else(|| found.repo.read(p))
    };
    let df_map: HashMap<&str, &Dockerfile> =
        found.dockerfiles.iter().map(|d| (&*d.path, d)).collect();
    let compose_units: Vec<&Unit> = planned.compose().collect();
    // each project is loaded and lowered in one go, so its merged tree is dropped at once
    let lowered: Vec<(compose::Project, compose::Lowered)> = compose_units
        .par_iter()
        .map(|u| {
            let project = compose::load(&u.files, &reader);
            let l = compose::lower(&project, &df_map, scan.catalog);
            (project, l)
        })
        .collect();
    tally.stats.compose_projects = lowered.len();
    let mut out = Lowered {
        compose_projects: Vec::new(),
        project_workloads: Vec::new(),
        compose_workloads: Vec::new(),
        built: BTreeSet::new(),
        run_by_kubernetes: Default::default(),
    };
    for (mut p, l) in lowered {
        tally.diagnostics.append(&mut p.diagnostics);
        out.compose_projects.push(p);
        tally.diagnostics.extend(l.diagnostics);
        out.built.extend(l.builds);
        out.compose_workloads.extend(l.workloads.iter().cloned());
        out.project_workloads.push(l.workloads);
    }
    out
}

/// One Kubernetes manifest file lowered: its objects and what reading and parsing it said.
pub(crate) struct LoweredFile {
    pub path: Arc<str>,
    /// Every object, those of removed API versions included.
    pub objects: Vec<Object>,
    pub diagnostics: Vec<Diagnostic>,
    /// `vigie:ignore` comments of the file, with their diagnostics, when it has any.
    pub comments: Option<CommentSuppressions>,
    pub bytes: u64,
    /// Whether it was parsed as Kubernetes YAML (it names `apiVersion` and `kind`).
    pub parsed: bool,
}

/// Read, parse and lower one Kubernetes manifest file.
pub(crate) fn manifest(f: &Found, limit: u64) -> LoweredFile {
    let path: Arc<str> = Arc::from(f.rel.as_str());
    let mut out = LoweredFile {
        path: path.clone(),
        objects: Vec::new(),
        diagnostics: Vec::new(),
        comments: None,
        bytes: 0,
        parsed: false,
    };
    let text = match read_text(&f.abs, limit) {
        Ok(t) => t.noted(&path, &mut out.diagnostics),
        Err(e) => {
            out.diagnostics.push(e.into_diagnostic(path, limit));
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
    out.objects = kubernetes::objects(
        &path,
        stream.documents.into_iter().map(|d| d.root).collect(),
    );
    out
}

fn is_helm_template(rel: &str, text: &str) -> bool {
    (rel.starts_with("templates/") || rel.contains("/templates/")) && text.contains("{{")
}

/// The namespaces `objects` declare, `default` for those that declare none.
pub(crate) fn namespaces(objects: &[Object]) -> BTreeSet<String> {
    objects
        .iter()
        .map(|o| o.namespace.clone().unwrap_or_else(|| "default".into()))
        .collect()
}

/// Whether some of `objects` run pods (a workload: an object with a pod template).
pub(crate) fn declares_workloads(objects: &[Object]) -> bool {
    objects
        .iter()
        .any(|o| !vigie_parse::kubernetes::PodTemplate::all(o).is_empty())
}

/// Build a Kustomize or Helm unit and lower what it creates: its objects, what building said,
/// and why it could not be built, if it could not.
/// A built unit's objects, what building said, and, for a chart, where its values came from.
pub(crate) fn built_unit(
    unit: &Unit,
    root: &Path,
) -> (
    Vec<Object>,
    Vec<Diagnostic>,
    Option<crate::provenance::Provenance>,
) {
    let built = units::build(unit, root);
    let mut diagnostics = built.diagnostics;
    if let Some(f) = &built.failure {
        let cause = f.lines().next().unwrap_or(f);
        // the build's own diagnostic for the problem is located where it was written: it says
        // that the unit is incomplete, instead of a second, unlocated diagnostic of one cause
        let located = diagnostics
            .iter_mut()
            .find(|d| d.location.line > 0 && d.message.contains(cause));
        match located {
            Some(d) => {
                d.message = format!(
                    "{}; unit {} could not be built fully ({}): what this names is not judged, and its files are not judged as loose manifests",
                    d.message,
                    unit.name,
                    unit.kind.as_str()
                );
            }
            None => diagnostics.push(Diagnostic::new(
                DiagKind::Render,
                Location::file(Arc::from(unit.anchor().as_str())),
                format!(
                    "unit {} could not be built ({}): {cause}; its files are not judged as loose manifests",
                    unit.name,
                    unit.kind.as_str(),
                ),
            )),
        }
    }
    (built.objects, diagnostics, built.provenance)
}
