//! One pass over a repository: lower every pipeline, compute what several checks read of it
//! (release paths, deployments, signature enforcement) once, then run the supply-chain checks.

use crate::model::{Pipeline, Point};
use crate::release::{self, BuildPath, Enforcement};
use crate::{checks, cloudbuild, github, gitlab};
use rayon::prelude::*;
use std::path::Path;
use vigie_core::{Diagnostic, Verdict};
use vigie_parse::dockerfile::Dockerfile;
use vigie_parse::kubernetes::Object;

/// What the analysis reads of the repository.
pub struct Repo<'a> {
    pub root: &'a Path,
    /// Every file, relative to the root, sorted.
    pub files: Vec<&'a str>,
    pub read: &'a (dyn Fn(&str) -> Option<String> + Sync),
    pub dockerfiles: &'a [Dockerfile],
    /// Kubernetes objects kept by the analyzer (admission policies).
    pub objects: &'a [Object],
    /// Whether the repository deploys Kubernetes workloads of its own (manifests, charts,
    /// kustomizations with a pod template): where an admission policy would verify images.
    pub runs_workloads: bool,
    pub since: Option<&'a str>,
}

#[derive(Default)]
pub struct Output {
    pub pipelines: Vec<Pipeline>,
    pub verdicts: Vec<Verdict>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Lower every pipeline file of the repository (in parallel).
pub fn lower_all(repo: &Repo<'_>) -> (Vec<Pipeline>, Vec<Diagnostic>) {
    let results: Vec<(Option<Pipeline>, Vec<Diagnostic>)> = repo
        .files
        .par_iter()
        .filter(|f| github::is_workflow(f) || gitlab::is_gitlab(f) || cloudbuild::is_cloudbuild(f))
        .map(|f| {
            let mut diags = Vec::new();
            let Some(text) = (repo.read)(f) else {
                return (None, diags);
            };
            let read = |p: &str| (repo.read)(p);
            let p = if github::is_workflow(f) {
                github::lower(
                    f,
                    &text,
                    &mut github::Reader {
                        read: &read,
                        diags: &mut diags,
                    },
                )
            } else if gitlab::is_gitlab(f) {
                gitlab::lower(f, &text, &read, &repo.files, &mut diags)
            } else {
                cloudbuild::lower(f, &text, &mut diags)
            };
            (p, diags)
        })
        .collect();
    let mut pipelines = Vec::new();
    let mut diags = Vec::new();
    for (p, d) in results {
        pipelines.extend(p);
        diags.extend(d);
    }
    (pipelines, diags)
}

/// A pipeline and its release facts, computed once for every check that reads them.
pub(crate) struct Lowered {
    pub(crate) pipeline: Pipeline,
    /// Its image release paths ([`release::build_paths`]).
    pub(crate) paths: Vec<BuildPath>,
    /// Its deployments.
    pub(crate) deploys: Vec<Point>,
}

impl Lowered {
    /// Whether its own release gates are judged: a pipeline only ever called by another is
    /// judged through its caller.
    pub(crate) fn judged(&self) -> bool {
        !self.pipeline.only_called()
    }
}

/// What the supply-chain checks read: the repository, every pipeline lowered with its release
/// paths, and every place that enforces image signatures at deployment.
pub(crate) struct Analysis<'a> {
    pub(crate) repo: &'a Repo<'a>,
    pub(crate) pipelines: Vec<Lowered>,
    /// Admission policies, pipeline steps and Terraform resources that verify signatures.
    pub(crate) enforcement: Vec<Enforcement>,
}

impl<'a> Analysis<'a> {
    fn new(repo: &'a Repo<'a>, pipelines: Vec<Pipeline>) -> Self {
        let pipelines: Vec<Lowered> = pipelines
            .into_par_iter()
            .map(|pipeline| {
                let (paths, deploys) = release::build_paths(&pipeline);
                Lowered {
                    pipeline,
                    paths,
                    deploys,
                }
            })
            .collect();
        let mut enforcement: Vec<Enforcement> = pipelines
            .iter()
            .filter_map(|l| release::enforcement_in_pipeline(&l.pipeline, &l.deploys))
            .collect();
        enforcement.extend(
            repo.objects
                .iter()
                .filter_map(release::enforcement_of_object),
        );
        for f in repo.files.iter().filter(|f| f.ends_with(".tf")) {
            if let Some(t) = (repo.read)(f) {
                enforcement.extend(release::enforcement_in_terraform(f, &t));
            }
        }
        Analysis {
            repo,
            pipelines,
            enforcement,
        }
    }

    /// Reads a file of the repository.
    pub(crate) fn read(&self, rel: &str) -> Option<String> {
        (self.repo.read)(rel)
    }
}

/// What the checks found.
#[derive(Default)]
pub(crate) struct Found {
    pub(crate) verdicts: Vec<Verdict>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Lower every pipeline, then run every supply-chain check (in parallel) on the analysis.
pub fn analyze(repo: &Repo<'_>) -> Output {
    let (pipelines, mut diagnostics) = lower_all(repo);
    let analysis = Analysis::new(repo, pipelines);
    let found: Vec<Found> = checks::CHECKS
        .par_iter()
        .map(|c| {
            let mut found = Found::default();
            (c.judge)(&analysis, &mut found);
            found
        })
        .collect();
    let mut verdicts = Vec::new();
    for f in found {
        verdicts.extend(f.verdicts);
        diagnostics.extend(f.diagnostics);
    }
    Output {
        pipelines: analysis.pipelines.into_iter().map(|l| l.pipeline).collect(),
        verdicts,
        diagnostics,
    }
}
