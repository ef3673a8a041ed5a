//! SUP-04.1: a pipeline that publishes images produces an SBOM and keeps it.

use super::WF_PASS_SCAN;
use crate::analyze::{Analysis, Found, Lowered};
use crate::facts::{self};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-04.1",
    title: "Image builds produce and keep an SBOM",
    severity: Severity::Medium,
    applies_to: &["github-actions", "gitlab-ci", "cloudbuild"],
    what: "A pipeline that builds and publishes images (pushes them or deploys) produces a bill of materials (Trivy `--format cyclonedx`, \
           Syft, `vigie sbom`, `docker buildx --sbom`, the SBOM actions) and keeps it: attached to \
           the image, attested, or uploaded as an artifact.",
    why: "When the next critical vulnerability is published, the SBOMs of what was shipped answer \
          \"are we affected, and where\" in minutes instead of days.",
    fix: "Add `trivy image --format cyclonedx --output sbom.cdx.json IMAGE` and upload the file \
          (`actions/upload-artifact`, GitLab `artifacts:paths`, Cloud Build `artifacts`) or attest \
          it with `cosign attest --type cyclonedx`.",
    failing: (".github/workflows/build.yml", WF_PASS_SCAN),
    passing: (
        ".github/workflows/build.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  image:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: docker build -t ghcr.io/acme/api:${{ github.sha }} .\n      - run: trivy image --format cyclonedx --output sbom.cdx.json ghcr.io/acme/api:${{ github.sha }}\n      - run: docker push ghcr.io/acme/api:${{ github.sha }}\n      - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2\n        with:\n          name: sbom\n          path: sbom.cdx.json\n",
    ),
};

fn sbom_in(l: &Lowered, out: &mut Vec<Verdict>) {
    let (p, paths) = (&l.pipeline, &l.paths);
    if paths.is_empty() {
        return;
    }
    let subject = format!("{} › image builds", p.file);
    let first = paths[0].at.clone();
    let sboms = facts::find(
        p,
        |c, _, _| facts::sbom_of_command(c),
        facts::sbom_of_action,
    );
    let mut kept = None;
    let mut unkept = Vec::new();
    for (pt, s) in &sboms {
        let at = facts::point_loc(p, *pt);
        if s.attached {
            kept = Some((at, format!("{} attaches or uploads the SBOM", s.what)));
            break;
        }
        let Some(file) = &s.output else {
            unkept.push(format!(
                "{} (line {}) prints it to the log only",
                s.what, at.line
            ));
            continue;
        };
        let job = &p.jobs[pt.job];
        let in_artifacts = p.artifacts.iter().chain(&job.artifacts).any(|a| {
            let base = file.rsplit('/').next().unwrap_or(file);
            a.value.contains(base)
                || a.value.contains('*')
                || file.starts_with(a.value.trim_end_matches('/'))
        });
        let later = p.jobs.iter().enumerate().any(|(j, jb)| {
            jb.steps.iter().enumerate().any(|(s, st)| {
                let after = (j == pt.job && s >= pt.step) || p.job_before(pt.job, j);
                after && facts::keeps_file(st, file)
            })
        });
        if in_artifacts || later {
            kept = Some((
                at,
                format!("{} writes `{file}`, which the pipeline keeps", s.what),
            ));
            break;
        }
        unkept.push(format!(
            "{} (line {}) writes `{file}` but nothing uploads or attests it",
            s.what, at.line
        ));
    }
    match kept {
        Some((at, m)) => out.push(Verdict::pass(&DOC, subject.as_str(), at, m)),
        None => out.push(Verdict::fail(
            &DOC,
            subject.as_str(),
            first.clone(),
            if unkept.is_empty() {
                "this pipeline builds images but produces no SBOM".to_string()
            } else {
                format!("the SBOM is produced but not kept: {}", unkept.join("; "))
            },
            "produce a CycloneDX SBOM (`trivy image --format cyclonedx --output sbom.cdx.json`) and upload or attest it",
        )),
    }
}

pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    for l in m.pipelines.iter().filter(|l| l.judged()) {
        sbom_in(l, &mut out.verdicts);
    }
}
