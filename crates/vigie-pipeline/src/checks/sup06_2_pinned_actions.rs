//! SUP-06.2: third-party actions and images are pinned.

use crate::analyze::{Analysis, Found};
use crate::model::{Pipeline, System};
use vigie_core::{CheckDoc, Location, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-06.2",
    title: "Actions and reusable workflows are pinned by commit SHA",
    severity: Severity::Medium,
    applies_to: &["github-actions"],
    what: "Every action or reusable workflow used from another repository is referenced by a full \
           40-character commit SHA (`uses: owner/repo@<sha> # v4.2.0`), and `docker://` actions by \
           digest. The SLSA generator, which must be called by tag to verify itself, is the \
           exception.",
    why: "A tag or branch is moved by whoever controls the action's repository: a compromised \
          action (tj-actions/changed-files, 2025) ran in every workflow that followed a tag.",
    fix: "Replace the tag by the commit it points to and keep the tag as a comment \
          (`uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2`); let \
          Dependabot or Renovate update both.",
    failing: (
        ".github/workflows/ci.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n",
    ),
    passing: (
        ".github/workflows/ci.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n",
    ),
};

fn is_sha(r: &str) -> bool {
    r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit())
}

fn pinning(p: &Pipeline, out: &mut Vec<Verdict>) {
    if p.system != System::GitHub {
        return;
    }
    let mut seen = std::collections::HashSet::new();
    let mut uses: Vec<(String, Location, String)> = Vec::new();
    for (j, job) in p.jobs.iter().enumerate() {
        if let Some(c) = &job.calls
            && !c.value.starts_with("./")
        {
            uses.push((c.value.clone(), c.at.clone(), p.subject(j, None)));
        }
        for (s, st) in job.steps.iter().enumerate() {
            if let Some(a) = &st.action
                && !a.is_local()
                && !p.in_other_workflow(&a.at)
            {
                uses.push((a.uses.clone(), a.at.clone(), p.subject(j, Some(s))));
            }
        }
    }
    for (u, at, subject) in uses {
        if !seen.insert((at.path.clone(), at.line, at.column)) {
            continue;
        }
        if let Some(img) = u.strip_prefix("docker://") {
            if img.contains("@sha256:") {
                out.push(Verdict::pass(
                    &DOC,
                    subject,
                    at,
                    format!("`{u}` is pinned by digest"),
                ));
            } else {
                out.push(Verdict::fail(
                    &DOC,
                    subject,
                    at,
                    format!("the container action `{u}` is not pinned by digest"),
                    "append `@sha256:<digest>` to the image",
                ));
            }
            continue;
        }
        let (name, r) = u.split_once('@').unwrap_or((u.as_str(), ""));
        if name
            .to_ascii_lowercase()
            .starts_with("slsa-framework/slsa-github-generator/")
        {
            out.push(Verdict::pass(
                &DOC,
                subject,
                at,
                format!("`{u}`: the SLSA generator is referenced by tag by design (it verifies its own ref)"),
            ));
        } else if is_sha(r) {
            out.push(Verdict::pass(
                &DOC,
                subject,
                at,
                format!("`{name}` is pinned to commit {}", &r[..12]),
            ));
        } else {
            out.push(Verdict::fail(
                &DOC,
                subject,
                at,
                if r.is_empty() {
                    format!("`{u}` names no version at all")
                } else {
                    format!("`{name}@{r}` follows a tag or branch that its owner can move")
                },
                format!(
                    "pin `{name}` to the full commit SHA of `{}` and keep the tag as a comment",
                    if r.is_empty() { "a release" } else { r }
                ),
            ));
        }
    }
}

pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    for l in m.pipelines.iter() {
        pinning(&l.pipeline, &mut out.verdicts);
    }
}
