//! SUP-04.2: a pipeline that publishes images produces build provenance.

use crate::analyze::{Analysis, Found, Lowered};
use crate::facts::{self};
use crate::model::System;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-04.2",
    title: "Image builds produce provenance",
    severity: Severity::Medium,
    applies_to: &["github-actions", "gitlab-ci", "cloudbuild"],
    what: "A pipeline that builds and publishes images (pushes them or deploys) produces build provenance: the SLSA GitHub generator, \
           `actions/attest-build-provenance`, `docker buildx build --provenance=mode=max`, \
           `docker/build-push-action` from v4 on (it attests provenance by default, read from its tag \
           or from the version a commit pin's comment names, unless `provenance: false` or `load: true`), \
           `cosign attest --type slsaprovenance`, or Cloud Build `options.requestedVerifyOption: VERIFIED`.",
    why: "Provenance is a signed statement of which source, builder and parameters produced an \
          artifact; without it nobody can show that the deployed image came from the reviewed code.",
    fix: "Add `--provenance=mode=max` to `docker buildx build`, or `requestedVerifyOption: VERIFIED` \
          to the Cloud Build options.",
    failing: (
        "cloudbuild.yaml",
        "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, -t, europe-docker.pkg.dev/acme/app/api:$SHORT_SHA, .]\nimages:\n  - europe-docker.pkg.dev/acme/app/api:$SHORT_SHA\n",
    ),
    passing: (
        "cloudbuild.yaml",
        "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, -t, europe-docker.pkg.dev/acme/app/api:$SHORT_SHA, .]\nimages:\n  - europe-docker.pkg.dev/acme/app/api:$SHORT_SHA\noptions:\n  requestedVerifyOption: VERIFIED\n",
    ),
};

fn provenance_in(l: &Lowered, out: &mut Vec<Verdict>) {
    let (p, paths) = (&l.pipeline, &l.paths);
    if paths.is_empty() {
        return;
    }
    let subject = format!("{} › image builds", p.file);
    let first = paths[0].at.clone();
    let mut prov = facts::find(
        p,
        |c, _, _| facts::provenance_of_command(c),
        facts::provenance_of_action,
    )
    .into_iter()
    .map(|(pt, w)| (facts::point_loc(p, pt), w))
    .collect::<Vec<_>>();
    for j in &p.jobs {
        if let Some(c) = &j.calls
            && c.value.starts_with("slsa-framework/slsa-github-generator/")
        {
            prov.push((
                c.at.clone(),
                format!(
                    "the SLSA generator ({})",
                    c.value.split('@').next().unwrap_or("")
                ),
            ));
        }
    }
    if let Some(v) = &p.verify_option
        && v.value == "VERIFIED"
    {
        prov.push((
            v.at.clone(),
            "Cloud Build `requestedVerifyOption: VERIFIED` (SLSA provenance)".into(),
        ));
    }
    if p.variables
        .iter()
        .any(|(k, v)| k == "RUNNER_GENERATE_ARTIFACTS_METADATA" && v == "true")
    {
        prov.push((
            p.at.clone(),
            "GitLab `RUNNER_GENERATE_ARTIFACTS_METADATA` (SLSA provenance)".into(),
        ));
    }
    match prov.into_iter().next() {
        Some((at, w)) => out.push(Verdict::pass(&DOC, subject, at, format!("{w} produces build provenance"))),
        None => out.push(Verdict::fail(
            &DOC,
            subject,
            match &p.verify_option {
                Some(v) => v.at.clone(),
                None => first,
            },
            match &p.verify_option {
                Some(v) => format!("`requestedVerifyOption: {}` produces no provenance, and nothing else does", v.value),
                None => "this pipeline builds images but produces no build provenance".to_string(),
            },
            match p.system {
                System::CloudBuild => "set `options.requestedVerifyOption: VERIFIED`",
                System::GitHub => "use `actions/attest-build-provenance` or `docker buildx build --provenance=mode=max`",
                System::GitLab => "set `RUNNER_GENERATE_ARTIFACTS_METADATA: \"true\"` or build with `--provenance=mode=max`",
            },
        )),
    }
}

pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    for l in m.pipelines.iter().filter(|l| l.judged()) {
        provenance_in(l, &mut out.verdicts);
    }
}
