//! SUP-05.1: every image push is followed by a signature.

use super::WF_PASS_SCAN;
use crate::analyze::{Analysis, Found, Lowered};
use crate::facts::{self};
use crate::release::*;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-05.1",
    title: "Pushed images are signed",
    severity: Severity::High,
    applies_to: &["github-actions", "gitlab-ci", "cloudbuild"],
    what: "Every push of an image is followed by a signature of it (`cosign sign`, keyless or with \
           a key, `notation sign`, or a Binary Authorization attestation).",
    why: "A signature binds the image digest to the pipeline that built it, so the cluster can \
          refuse an image pushed by anyone else.",
    fix: "After the push, run `cosign sign --yes IMAGE@DIGEST` (keyless with the CI's OIDC token).",
    failing: (".github/workflows/build.yml", WF_PASS_SCAN),
    passing: (
        ".github/workflows/build.yml",
        "on: push\npermissions:\n  contents: read\n  packages: write\n  id-token: write\njobs:\n  image:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: docker build -t ghcr.io/acme/api:${{ github.sha }} .\n      - run: docker push ghcr.io/acme/api:${{ github.sha }}\n      - run: cosign sign --yes ghcr.io/acme/api:${{ github.sha }}\n",
    ),
};

/// SUP-05.1: every push followed by a signature. Returns the pushes (for SUP-05.2).
fn sup05_sign(l: &Lowered, out: &mut Vec<Verdict>) {
    let (p, paths) = (&l.pipeline, &l.paths);
    let signs = facts::find(
        p,
        |c, _, _| facts::sign_of_command(c),
        facts::sign_of_action,
    );
    for bp in paths.iter().filter(|b| pushes(b.op)) {
        let after = signs.iter().find(|(pt, _)| {
            if bp.end_of_build {
                return false;
            }
            let a = bp.point;
            let b = *pt;
            if a.job == b.job {
                if a.step == b.step {
                    a.cmd < b.cmd
                } else {
                    p.step_before(a.job, a.step, b.step)
                }
            } else {
                p.job_before(a.job, b.job)
            }
        });
        match after {
            Some((pt, w)) => out.push(Verdict::pass(
                &DOC,
                &bp.subject,
                facts::point_loc(p, *pt),
                format!("{}; `{w}` signs it after the push", capital(&image_desc(bp))),
            )),
            None => out.push(Verdict::fail(
                &DOC,
                &bp.subject,
                bp.at.clone(),
                if bp.end_of_build {
                    "the images listed under `images:` are pushed after every step, so no step signs them".to_string()
                } else if signs.is_empty() {
                    format!("this build path {} and nothing signs it", image_desc(bp))
                } else {
                    format!("this build path {}, but the signature in this pipeline does not run after its push", image_desc(bp))
                },
                if bp.end_of_build {
                    "push the image in a step (`docker push`) and sign it in a later step with `cosign sign`"
                } else {
                    "after the push, run `cosign sign --yes IMAGE@DIGEST`"
                },
            )),
        }
    }
}

pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    for l in m.pipelines.iter().filter(|l| l.judged()) {
        sup05_sign(l, &mut out.verdicts);
    }
}
