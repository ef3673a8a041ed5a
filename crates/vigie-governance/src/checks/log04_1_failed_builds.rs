//! LOG-04.1: failed builds are counted or alerted on.

use crate::Out;
use crate::Repo;
use crate::logging::*;
use crate::model::Model;
use crate::tf::blocks;
use std::sync::Arc;
use vigie_core::{CheckDoc, Severity};
use vigie_core::{Location, Verdict};
use vigie_parse::yaml::{self, Node};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "LOG-04.1",
    title: "Failed builds are counted or alerted on",
    severity: Severity::Low,
    applies_to: &["prometheus", "kubernetes", "terraform", "github-actions"],
    what: "When the repository has build pipelines (GitHub workflows, `.gitlab-ci.yml`, Cloud Build \
           configurations or triggers), something watches their failures: a Cloud Logging metric or \
           alert policy whose filter selects failed Cloud Build builds (`resource.type=\"build\"` \
           with `FAILURE`), a Prometheus alerting rule on a failed-build, failed-pipeline or \
           failed-workflow series, or a GitHub workflow run on `workflow_run` for failed runs.",
    why: "A failing pipeline stops fixes and security updates from reaching production; unwatched, \
          it is found at the next urgent deployment, when it costs most.",
    fix: "Add a `google_logging_metric` with the filter `resource.type=\"build\" AND \
          jsonPayload.status=\"FAILURE\"` and an alert policy on it, or an alerting rule on your CI \
          exporter's failed-pipeline series.",
    failing: (
        "cloudbuild.yaml",
        "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, -t, europe-docker.pkg.dev/acme/app/api:$SHORT_SHA, .]\n",
    ),
    passing: (
        "infra/monitoring.tf",
        "resource \"google_cloudbuild_trigger\" \"api\" {\n  name     = \"api\"\n  filename = \"cloudbuild.yaml\"\n}\n\nresource \"google_logging_metric\" \"failed_builds\" {\n  name   = \"failed-builds\"\n  filter = \"resource.type=\\\"build\\\" AND jsonPayload.status=\\\"FAILURE\\\"\"\n  metric_descriptor {\n    metric_kind = \"DELTA\"\n    value_type  = \"INT64\"\n  }\n}\n",
    ),
};

/// LOG-04.1: something counts or alerts on failed builds, where the repository has pipelines.
pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    let (repo, objects, docs, tf) = (m.repo, m.objects, &m.logging, &m.tf);
    let pipelines = pipeline_files(repo);
    let triggers: Vec<_> = tf.resources("google_cloudbuild_trigger").collect();
    if pipelines.is_empty() && triggers.is_empty() {
        return;
    }
    let before = out.verdicts.len();
    for r in tf.resources("google_logging_metric") {
        if let Some((filter, at)) = r.file.attr(&r.block.body, "filter")
            && selects_failed_builds(&filter)
        {
            out.verdicts.push(Verdict::pass(
                &DOC,
                r.id(),
                at,
                format!("{} counts failed Cloud Build builds", r.id()),
            ));
        }
    }
    for r in tf.resources("google_monitoring_alert_policy") {
        for c in blocks(&r.block.body, "conditions") {
            for t in blocks(&c.body, "condition_matched_log") {
                if let Some((filter, at)) = r.file.attr(&t.body, "filter")
                    && selects_failed_builds(&filter)
                {
                    out.verdicts.push(Verdict::pass(
                        &DOC,
                        r.id(),
                        at,
                        format!("{} alerts on failed Cloud Build builds", r.id()),
                    ));
                }
            }
        }
    }
    let mut rules = Vec::new();
    for d in docs {
        if (d.key.ends_with(".yml") || d.key.ends_with(".yaml")) && d.src.text.contains("groups") {
            for doc in &yaml::parse(&d.src.text).documents {
                rules_of(
                    &doc.root,
                    &|n: &Node| d.at(n.pos.line, n.pos.col),
                    &mut rules,
                );
            }
        }
    }
    for o in objects.iter().filter(|o| o.kind == "PrometheusRule") {
        if let Some(spec) = o.node.get("spec") {
            rules_of(spec, &|n: &Node| o.loc(n.pos), &mut rules);
        }
    }
    for r in rules.iter().filter(|r| watches_failed_builds(&r.expr)) {
        out.verdicts.push(Verdict::pass(
            &DOC,
            format!("alert {}", r.name),
            r.at.clone(),
            format!(
                "the alert `{}` watches failed builds: `{}`",
                r.name,
                r.expr.trim()
            ),
        ));
    }
    for f in pipelines
        .iter()
        .filter(|f| f.starts_with(".github/workflows/"))
    {
        let Some(text) = (repo.read)(f) else { continue };
        if text.contains("workflow_run") && text.contains("conclusion") && text.contains("failure")
        {
            out.verdicts.push(Verdict::pass(
                &DOC,
                *f,
                Location::file(Arc::from(*f)),
                "this workflow runs on `workflow_run` and acts on failed runs",
            ));
        }
    }
    if out.verdicts.len() > before {
        return;
    }
    let at = pipelines
        .first()
        .map(|f| Location::file(Arc::from(*f)))
        .or_else(|| triggers.first().map(|t| t.at()))
        .unwrap_or_else(|| Location::file(Arc::from("")));
    out.verdicts.push(Verdict::fail(
        &DOC,
        "failed builds",
        at,
        "nothing in the repository counts or alerts on failed builds (no log-based metric or alert policy on Cloud Build failures, no alerting rule on a failed-pipeline series, no `workflow_run` notification)",
        fix_for(&pipelines, !triggers.is_empty()),
    ));
}

/// The fix that fits the pipelines the repository runs: a Cloud Build metric only where Cloud
/// Build runs, a `workflow_run` notification where GitHub Actions runs, an exporter's series
/// for GitLab CI.
fn fix_for(pipelines: &[&str], cloud_build_triggers: bool) -> String {
    let runs = |p: fn(&str) -> bool| pipelines.iter().any(|f| p(f));
    let mut ways = Vec::new();
    if cloud_build_triggers || runs(|f| f.rsplit('/').next().unwrap_or(f).starts_with("cloudbuild"))
    {
        ways.push("a `google_logging_metric` on `resource.type=\"build\" AND jsonPayload.status=\"FAILURE\"` with an alert policy on it");
    }
    if runs(|f| f.starts_with(".github/workflows/")) {
        ways.push("a workflow `on: workflow_run` (types: [completed]) that notifies the team when `github.event.workflow_run.conclusion == 'failure'`");
    }
    if runs(|f| f.ends_with(".gitlab-ci.yml")) {
        ways.push("an alerting rule on the GitLab CI exporter's failed-pipeline series (`gitlab_ci_pipeline_status{status=\"failed\"} == 1`)");
    }
    format!("add {}", ways.join(", or "))
}

/// The build pipelines of the repository: GitHub workflows, GitLab CI, Cloud Build files.
fn pipeline_files<'a>(repo: &Repo<'a>) -> Vec<&'a str> {
    repo.files
        .iter()
        .copied()
        .filter(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            (f.starts_with(".github/workflows/")
                && (name.ends_with(".yml") || name.ends_with(".yaml")))
                || name == ".gitlab-ci.yml"
                || (name.starts_with("cloudbuild")
                    && (name.ends_with(".yml")
                        || name.ends_with(".yaml")
                        || name.ends_with(".json")))
        })
        .collect()
}

/// A Cloud Logging filter that selects failed Cloud Build builds.
fn selects_failed_builds(filter: &str) -> bool {
    let f = filter.to_ascii_lowercase().replace([' ', '\\'], "");
    (f.contains("resource.type=\"build\"") || f.contains("cloudbuild") || f.contains("cloud_build"))
        && ["failure", "timeout", "internal_error"]
            .iter()
            .any(|w| f.contains(w))
}

/// A PromQL expression over a failed-build, failed-pipeline or failed-workflow series.
fn watches_failed_builds(expr: &str) -> bool {
    let e = expr.to_ascii_lowercase();
    ["build", "pipeline", "workflow"]
        .iter()
        .any(|w| e.contains(w))
        && ["fail", "error"].iter().any(|w| e.contains(w))
}

#[cfg(test)]
mod tests {
    use super::fix_for;

    #[test]
    fn the_fix_names_only_what_the_repository_runs() {
        let github = fix_for(&[".github/workflows/ci.yml"], false);
        assert!(github.contains("workflow_run"), "{github}");
        assert!(!github.contains("google_logging_metric"), "{github}");
        let gitlab = fix_for(&[".gitlab-ci.yml"], false);
        assert!(gitlab.contains("gitlab_ci_pipeline_status"), "{gitlab}");
        assert!(!gitlab.contains("workflow_run"), "{gitlab}");
        let both = fix_for(&["cloudbuild.yaml", ".github/workflows/ci.yml"], false);
        assert!(both.contains("google_logging_metric") && both.contains("workflow_run"));
        assert!(fix_for(&[], true).contains("google_logging_metric"));
    }
}
