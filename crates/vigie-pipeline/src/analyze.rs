//! One pass over a repository: lower every pipeline, then run the supply-chain checks.

use crate::model::Pipeline;
use crate::{checks, cloudbuild, github, gitlab, sup06, sup07};
use rayon::prelude::*;
use std::path::Path;
use vigie_core::{Diagnostic, Location, Verdict};
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

pub fn analyze(repo: &Repo<'_>) -> Output {
    let (pipelines, mut diagnostics) = lower_all(repo);
    type Per = (
        Vec<Verdict>,
        Vec<Location>,
        Vec<Location>,
        Option<checks::Enforcement>,
    );
    let per: Vec<Per> = pipelines
        .par_iter()
        .map(|p| {
            let mut v = Vec::new();
            let mut pushes = Vec::new();
            if !p.only_called() {
                checks::sup01_in(p, Some(crate::facts::RepoFiles { read: repo.read }), &mut v);
                checks::sup02_pipeline(p, &mut v);
                checks::sup04(p, &mut v);
                pushes = checks::sup05_sign(p, &mut v);
            }
            let (_, deploy_points) = checks::build_paths(p);
            let enf = checks::enforcement_in_pipeline(p, &deploy_points);
            let deploys = deploy_points
                .into_iter()
                .map(|d| crate::facts::point_loc(p, d))
                .collect();
            sup06::permissions(p, &mut v);
            sup06::pinning(p, &mut v);
            sup06::pull_request_target(p, &mut v);
            sup06::echoed_secrets(p, &mut v);
            sup06::cloudbuild_sa(p, &mut v);
            checks::sup04_verified(p, &mut v);
            sup06::keys_in_pipeline(p, &mut v);
            (v, pushes, deploys, enf)
        })
        .collect();
    let mut verdicts = Vec::new();
    let mut pushes = Vec::new();
    let mut deploys = Vec::new();
    let mut enf: Vec<checks::Enforcement> = Vec::new();
    for (v, p, d, e) in per {
        verdicts.extend(v);
        pushes.extend(p);
        deploys.extend(d);
        enf.extend(e);
    }
    let read = |p: &str| (repo.read)(p);
    if !verdicts.iter().any(|v| v.check == checks::SUP02_AUDIT.id) {
        checks::sup02_unaudited(&repo.files, &read, pipelines.is_empty(), &mut verdicts);
    }
    checks::sup02_dockerfiles(repo.dockerfiles, &mut verdicts);
    checks::sup02_lockfiles(&repo.files, &read, &mut verdicts);
    crate::sup02_cadence::sup02_cadence(&repo.files, &read, &mut verdicts);
    enf.extend(
        repo.objects
            .iter()
            .filter_map(checks::enforcement_of_object),
    );
    for f in repo.files.iter().filter(|f| f.ends_with(".tf")) {
        if let Some(t) = read(f) {
            enf.extend(checks::enforcement_in_terraform(f, &t));
        }
    }
    checks::sup05_verify(&pushes, &deploys, &enf, &mut verdicts);
    sup06::keys_in_files(&repo.files, &read, &mut verdicts);
    sup07::sup07_static(&repo.files, &read, &mut verdicts);
    if let Some(since) = repo.since {
        sup07::sup07_since(repo.root, since, &mut verdicts, &mut diagnostics);
    }
    Output {
        pipelines,
        verdicts,
        diagnostics,
    }
}
