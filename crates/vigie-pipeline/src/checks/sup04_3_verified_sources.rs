//! SUP-04.3: a Cloud Build configuration asks for verified sources and provenance. Every Cloud\n//! Build configuration is judged, not only those that build images: the option is what makes\n//! Cloud Build check the sources of any build.

use crate::analyze::{Analysis, Found};
use crate::model::{Pipeline, System};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-04.3",
    title: "Cloud Build enforces requestedVerifyOption: VERIFIED",
    severity: Severity::Medium,
    applies_to: &["cloudbuild"],
    what: "Every Cloud Build configuration sets `options.requestedVerifyOption: VERIFIED`, so that \
           Cloud Build verifies the build's sources and records signed SLSA provenance for the \
           images it pushes, whatever the configuration builds.",
    why: "Without it Cloud Build neither checks where the build's sources came from nor vouches \
          for them: an image built from an unverified source is indistinguishable from one built \
          from the reviewed repository.",
    fix: "Add `options:` `requestedVerifyOption: VERIFIED` to the build configuration.",
    failing: (
        "cloudbuild.yaml",
        "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, -t, europe-docker.pkg.dev/acme/app/api:$SHORT_SHA, .]\noptions:\n  requestedVerifyOption: NOT_VERIFIED\n",
    ),
    passing: (
        "cloudbuild.yaml",
        "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, -t, europe-docker.pkg.dev/acme/app/api:$SHORT_SHA, .]\noptions:\n  requestedVerifyOption: VERIFIED\n",
    ),
};

/// SUP-04.3: a Cloud Build configuration asks for verified sources and provenance. Every Cloud
/// Build configuration is judged, not only those that build images: the option is what makes
/// Cloud Build check the sources of any build.
fn sup04_verified(p: &Pipeline, out: &mut Vec<Verdict>) {
    if p.system != System::CloudBuild {
        return;
    }
    let subject = format!("{} › options.requestedVerifyOption", p.file);
    match &p.verify_option {
        Some(v) if v.value == "VERIFIED" => out.push(Verdict::pass(
            &DOC,
            subject,
            v.at.clone(),
            "`requestedVerifyOption: VERIFIED`: Cloud Build verifies the sources and records provenance",
        )),
        Some(v) => out.push(Verdict::fail(
            &DOC,
            subject,
            v.at.clone(),
            format!("`requestedVerifyOption: {}` lets unverified sources be built", v.value),
            "set `requestedVerifyOption: VERIFIED`",
        )),
        None => out.push(Verdict::fail(
            &DOC,
            subject,
            p.at.clone(),
            "no `options.requestedVerifyOption`: Cloud Build builds unverified sources",
            "add `options:` `requestedVerifyOption: VERIFIED`",
        )),
    }
}

pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    for l in m.pipelines.iter() {
        sup04_verified(&l.pipeline, &mut out.verdicts);
    }
}
