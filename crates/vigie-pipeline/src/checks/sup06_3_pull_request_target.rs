//! SUP-06.3: `pull_request_target` does not run code of the pull request with secrets.

use crate::analyze::{Analysis, Found};
use crate::facts::tool;
use crate::model::{Pipeline, System};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-06.3",
    title: "pull_request_target never checks out the pull request's code",
    severity: Severity::Critical,
    applies_to: &["github-actions"],
    what: "A workflow triggered by `pull_request_target` (which runs with the base repository's \
           secrets and a write token) does not check out the pull request's head \
           (`ref: ${{ github.event.pull_request.head.sha }}`, `head.ref`, `github.head_ref`, \
           `refs/pull/…`).",
    why: "Checking out and building a fork's code in a privileged context hands the repository's \
          secrets and token to anyone who opens a pull request (\"pwn request\").",
    fix: "Use the `pull_request` trigger to build untrusted code, and keep `pull_request_target` for \
          labelling or commenting without checking out the head.",
    failing: (
        ".github/workflows/pr.yml",
        "on: pull_request_target\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm test\n",
    ),
    passing: (
        ".github/workflows/pr.yml",
        "on: pull_request_target\npermissions:\n  contents: read\n  pull-requests: write\njobs:\n  label:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/labeler@8558fd74291d67161a8a78ce36a881fa63b766a9 # v5.0.0\n",
    ),
};

fn pull_request_target(p: &Pipeline, out: &mut Vec<Verdict>) {
    if p.system != System::GitHub {
        return;
    }
    let Some(trig) = p.triggers.iter().find(|t| t.value == "pull_request_target") else {
        return;
    };
    let mut bad = false;
    for (j, job) in p.jobs.iter().enumerate() {
        for (s, st) in job.steps.iter().enumerate() {
            let head_ref = st.action.as_ref().and_then(|a| {
                if a.repo() != "actions/checkout" {
                    return None;
                }
                let r = a.input("ref").or_else(|| a.input("repository"))?;
                HEAD_REFS
                    .iter()
                    .any(|h| r.value.contains(h))
                    .then(|| r.clone())
            });
            let git_fetch = st.commands.iter().find(|c| {
                let (t, a) = tool(c);
                (t == "git"
                    && (a.first().is_some_and(|x| x == "fetch" || x == "checkout"))
                    && a.iter().any(|w| HEAD_REFS.iter().any(|h| w.contains(h))))
                    || (t == "gh"
                        && a.first().is_some_and(|x| x == "pr")
                        && a.get(1).is_some_and(|x| x == "checkout"))
            });
            let at = head_ref
                .map(|r| r.at)
                .or_else(|| git_fetch.map(|c| c.at.clone()));
            if let Some(at) = at {
                bad = true;
                out.push(Verdict::fail(
                    &DOC,
                    p.subject(j, Some(s)),
                    at,
                    "this `pull_request_target` workflow checks out the pull request's head: untrusted code runs with the repository's secrets and write token",
                    "build pull requests under the `pull_request` trigger; keep `pull_request_target` for jobs that do not check out the head",
                ));
            }
        }
    }
    if !bad {
        out.push(Verdict::pass(
            &DOC,
            format!("{} › on.pull_request_target", p.file),
            trig.at.clone(),
            "the workflow runs on `pull_request_target` but never checks out the pull request's head",
        ));
    }
}

const HEAD_REFS: &[&str] = &[
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.head_ref",
    "refs/pull/",
    "github.event.pull_request.merge_commit_sha",
    "github.event.pull_request.head.repo.full_name",
];

pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    for l in m.pipelines.iter() {
        pull_request_target(&l.pipeline, &mut out.verdicts);
    }
}
