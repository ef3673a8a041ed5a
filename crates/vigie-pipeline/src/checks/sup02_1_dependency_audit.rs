//! SUP-02.1: a pipeline that installs Node packages gates on a dependency audit; a `package.json` no pipeline audits fails.

use crate::analyze::{Analysis, Found};
use crate::facts::{self};
use crate::model::{Pipeline, Point};
use crate::release::*;
use vigie_core::{CheckDoc, Location, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-02.1",
    title: "Node dependencies are audited in CI and the audit gates",
    severity: Severity::Medium,
    applies_to: &["github-actions", "gitlab-ci", "cloudbuild"],
    what: "A pipeline that installs or builds Node packages runs `npm audit` (or `pnpm audit`, \
           `yarn npm audit`, `yarn audit`) with `--audit-level=high` or lower, and nothing swallows \
           its failure.",
    why: "An audit whose failure is ignored, or that blocks on nothing stated, lets a dependency \
          with a published HIGH vulnerability ship.",
    fix: "Add `npm audit --audit-level=high` after `npm ci`, without `|| true` or `continue-on-error`.",
    failing: (
        ".github/workflows/node.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: npm ci\n      - run: npm audit || true\n",
    ),
    passing: (
        ".github/workflows/node.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: npm ci\n      - run: npm audit --audit-level=high\n",
    ),
};

/// SUP-02.1 and the pipeline half of SUP-02.3.
/// A pipeline that uses Node is gated by an audit of its dependencies.
fn audit_in(p: &Pipeline, out: &mut Vec<Verdict>) {
    let node: Vec<(Point, ())> =
        facts::find(p, |c, _, _| facts::uses_node(c).then_some(()), |_| None);
    let audits = facts::find(p, |c, _, _| facts::audit_of_command(c), |_| None);
    if node.is_empty() {
        return;
    }
    let subject = format!("{} › dependency audit", p.file);
    let mut reasons = Vec::new();
    for (pt, (what, weak)) in &audits {
        let at = facts::point_loc(p, *pt);
        let c = p.command(*pt);
        let swallowed = own_swallow(p, *pt);
        match (weak, swallowed) {
            (None, None) => {
                out.push(Verdict::pass(
                    &DOC,
                    subject,
                    at,
                    format!(
                        "`{}` gates the pipeline on HIGH findings",
                        c.map_or(what.clone(), |c| c.text())
                    ),
                ));
                return;
            }
            (w, s) => {
                let mut r = Vec::new();
                if let Some(w) = w {
                    r.push(w.clone());
                }
                if let Some(s) = s {
                    r.push(format!("its failure is swallowed: {s}"));
                }
                reasons.push(format!("line {}: {}", at.line, r.join(", and ")));
            }
        }
    }
    let first = facts::point_loc(p, node[0].0);
    out.push(Verdict::fail(
        &DOC,
        subject,
        audits
            .first()
            .map_or(first, |(pt, _)| facts::point_loc(p, *pt)),
        if reasons.is_empty() {
            "this pipeline installs or builds Node packages but never runs `npm audit`".to_string()
        } else {
            format!(
                "no dependency audit gates this pipeline: {}",
                reasons.join("; ")
            )
        },
        "run `npm audit --audit-level=high` and let its failure fail the job",
    ));
}

/// SUP-02.3 on Dockerfiles.
/// SUP-02.1 where no pipeline runs Node: a `package.json` with dependencies is audited by no CI
/// at all, which fails the measure rather than leaving it without a subject.
fn sup02_unaudited(
    files: &[&str],
    read: &dyn Fn(&str) -> Option<String>,
    no_pipeline: bool,
    out: &mut Vec<Verdict>,
) {
    for f in files {
        if !(*f == "package.json" || f.ends_with("/package.json"))
            || f.split('/').any(|c| c == "node_modules")
        {
            continue;
        }
        let Some(json) = read(f).and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        else {
            continue;
        };
        let deps = ["dependencies", "devDependencies", "optionalDependencies"]
            .iter()
            .any(|k| {
                json.get(k)
                    .and_then(|v| v.as_object())
                    .is_some_and(|m| !m.is_empty())
            });
        if !deps {
            continue;
        }
        out.push(Verdict::fail(
            &DOC,
            format!("{f} › dependency audit"),
            Location::new((*f).into(), 1, 1),
            if no_pipeline {
                "the repository has no CI pipeline, so nothing audits these dependencies"
            } else {
                "no CI pipeline of the repository installs or audits these dependencies"
            },
            "add a CI job that runs `npm ci` then `npm audit --audit-level=high` and fails on its findings",
        ));
    }
}

/// The pipelines that use Node are judged; where none is, each `package.json` with
/// dependencies fails on its own (no CI audits it).
pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    let before = out.verdicts.len();
    for l in m.pipelines.iter().filter(|l| l.judged()) {
        audit_in(&l.pipeline, &mut out.verdicts);
    }
    if out.verdicts.len() == before {
        let read = |p: &str| m.read(p);
        sup02_unaudited(
            &m.repo.files,
            &read,
            m.pipelines.is_empty(),
            &mut out.verdicts,
        );
    }
}
