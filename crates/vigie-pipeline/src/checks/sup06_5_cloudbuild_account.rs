//! SUP-06.5: Cloud Build runs as a dedicated service account.

use crate::analyze::{Analysis, Found};
use crate::model::{Pipeline, System};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-06.5",
    title: "Cloud Build runs as a dedicated service account",
    severity: Severity::Medium,
    applies_to: &["cloudbuild"],
    what: "Every Cloud Build configuration sets `serviceAccount:` to a dedicated, least-privilege \
           service account.",
    why: "Without it the build runs as the default Cloud Build (or Compute Engine) service account, \
          which holds broad project roles: any build step can modify the project.",
    fix: "Create a service account with only the roles the build needs and set \
          `serviceAccount: projects/PROJECT/serviceAccounts/builder@PROJECT.iam.gserviceaccount.com` \
          (with `options.logging: CLOUD_LOGGING_ONLY`).",
    failing: (
        "cloudbuild.yaml",
        "steps:\n  - name: gcr.io/cloud-builders/npm\n    args: [ci]\n",
    ),
    passing: (
        "cloudbuild.yaml",
        "steps:\n  - name: gcr.io/cloud-builders/npm\n    args: [ci]\nserviceAccount: projects/acme/serviceAccounts/builder@acme.iam.gserviceaccount.com\noptions:\n  logging: CLOUD_LOGGING_ONLY\n",
    ),
};

fn cloudbuild_sa(p: &Pipeline, out: &mut Vec<Verdict>) {
    if p.system != System::CloudBuild {
        return;
    }
    let subject = format!("{} › serviceAccount", p.file);
    match &p.service_account {
        Some(sa) if !sa.value.contains("@cloudbuild.gserviceaccount.com") && !sa.value.contains("-compute@developer.gserviceaccount.com") => {
            out.push(Verdict::pass(&DOC, subject, sa.at.clone(), format!("the build runs as `{}`", sa.value.rsplit('/').next().unwrap_or(&sa.value))))
        }
        Some(sa) => out.push(Verdict::fail(
            &DOC,
            subject,
            sa.at.clone(),
            "`serviceAccount` names a default service account, which holds broad project roles",
            "create a dedicated least-privilege service account for the build",
        )),
        None => out.push(Verdict::fail(
            &DOC,
            subject,
            p.at.clone(),
            "no `serviceAccount`: the build runs as the default Cloud Build service account, with broad project roles",
            "set `serviceAccount:` to a dedicated least-privilege service account (and `options.logging`)",
        )),
    }
}

pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    for l in m.pipelines.iter() {
        cloudbuild_sa(&l.pipeline, &mut out.verdicts);
    }
}
