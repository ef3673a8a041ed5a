//! SUP-01: every image a pipeline publishes is scanned for vulnerabilities, and the scan gates its push or deployment.

use super::{WF_FAIL_SCAN, WF_PASS_SCAN};
use crate::analyze::{Analysis, Found, Lowered};
use crate::facts::{self, ImageOp};
use crate::model::{Pipeline, Point};
use crate::release::*;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-01",
    title: "Every image build is gated by a vulnerability scan",
    severity: Severity::High,
    applies_to: &["github-actions", "gitlab-ci", "cloudbuild"],
    what: "In a pipeline that publishes images (pushes them or deploys; a build that does neither \
           is a test, not a release), every job or build step that builds or pushes a container image is preceded by a \
           vulnerability scan (Trivy `image`/`fs`/`config` with `--severity` including CRITICAL and \
           HIGH and `--exit-code 1` — given as flags, `TRIVY_*` variables or in the `trivy.yaml` \
           at the root or named by `--config`, with Trivy's precedence —, the Trivy action with the \
           same inputs, or Grype with `--fail-on high` or lower) that runs before the push (or before every deployment), and whose failure \
           is not swallowed by `|| true`, `set +e`, a pipe without `pipefail`, `continue-on-error` \
           or `allow_failure`.",
    why: "A scan that reports but never fails, or runs after the image is already pushed and \
          deployed, documents vulnerabilities instead of stopping them: the image with a known \
          critical flaw still reaches production.",
    fix: "Run `trivy image --severity CRITICAL,HIGH --exit-code 1 IMAGE` between the build and the \
          push, and remove whatever swallows its exit code.",
    failing: (".github/workflows/build.yml", WF_FAIL_SCAN),
    passing: (".github/workflows/build.yml", WF_PASS_SCAN),
};

/// SUP-01 on one pipeline, with the repository's files, so that a `trivy.yaml` beside the
/// pipeline is read.
fn sup01_in(l: &Lowered, repo: Option<facts::RepoFiles<'_>>, out: &mut Vec<Verdict>) {
    let (p, paths, deploys) = (&l.pipeline, &l.paths, &l.deploys);
    if paths.is_empty() {
        return;
    }
    let scans = facts::find(
        p,
        |c, _, env| facts::scan_of_command_in(c, env, repo),
        facts::scan_of_action,
    );
    for bp in paths {
        let mut reasons: Vec<String> = Vec::new();
        let mut passed = None;
        for (pt, s) in &scans {
            let at = facts::point_loc(p, *pt);
            if let Some(w) = &s.weak {
                reasons.push(format!("{} (line {}) does not gate: {w}", s.what, at.line));
                continue;
            }
            let verdict = if bp.op == ImageOp::Build {
                // nothing is pushed: the scan must not be swallowed, wherever it runs
                own_swallow(p, *pt)
            } else {
                gates_path(p, *pt, bp)
            };
            match verdict {
                None => {
                    passed = Some((
                        at,
                        format!(
                            "{} (line {}) runs before it and fails on CRITICAL/HIGH",
                            s.what,
                            facts::point_loc(p, *pt).line
                        ),
                    ));
                    break;
                }
                Some(why) => {
                    // after the push, but before every deployment?
                    if !deploys.is_empty() && deploys.iter().all(|d| p.gates(*pt, *d).is_none()) {
                        passed = Some((
                            at,
                            format!(
                                "{} runs after the push but before every deployment and fails on CRITICAL/HIGH",
                                s.what
                            ),
                        ));
                        break;
                    }
                    let mut r = format!("{} (line {}) does not stop it: {why}", s.what, at.line);
                    if let Some(d) = deploys
                        .iter()
                        .find_map(|d| p.gates(*pt, *d))
                        .filter(|_| !deploys.is_empty())
                    {
                        r.push_str(&format!(", nor the deployment: {d}"));
                    }
                    reasons.push(r);
                }
            }
        }
        match passed {
            Some((at, msg)) => out.push(
                Verdict::pass(
                    &DOC,
                    &bp.subject,
                    at,
                    format!("{}; {msg}", capital(&image_desc(bp))),
                )
                .with_related(Some(bp.at.clone())),
            ),
            None => {
                let msg = if reasons.is_empty() {
                    format!(
                        "this build path {} with no vulnerability scan before the push or the deployment",
                        image_desc(bp)
                    )
                } else {
                    format!(
                        "this build path {}, but {}",
                        image_desc(bp),
                        reasons.join("; ")
                    )
                };
                out.push(Verdict::fail(
                    &DOC,
                    &bp.subject,
                    bp.at.clone(),
                    msg,
                    "run `trivy image --severity CRITICAL,HIGH --exit-code 1 IMAGE` before the push, and let its failure fail the job",
                ));
            }
        }
    }
}

/// Why a failure at `a` does not stop the build path `bp` (None: it does).
fn gates_path(p: &Pipeline, a: Point, bp: &BuildPath) -> Option<String> {
    if bp.end_of_build {
        let st = &p.jobs[a.job].steps[a.step];
        if let Some(s) = st.commands.get(a.cmd).and_then(|c| c.swallowed.clone()) {
            // the last command of a Cloud Build step decides its status
            return Some(s);
        }
        if st.allow_failure.is_some() {
            return Some("its step is allowed to fail (`allowFailure`/`allowExitCodes`)".into());
        }
        return None;
    }
    p.gates(a, bp.point)
}

pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    for l in m.pipelines.iter().filter(|l| l.judged()) {
        sup01_in(
            l,
            Some(crate::facts::RepoFiles { read: m.repo.read }),
            &mut out.verdicts,
        );
    }
}
