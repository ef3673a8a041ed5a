//! SUP-05.2: deployment refuses images whose signature does not verify.

use crate::analyze::{Analysis, Found};
use crate::release::*;
use vigie_core::{CheckDoc, Location, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-05.2",
    title: "Image signatures are verified where images are deployed",
    severity: Severity::High,
    applies_to: &[
        "kubernetes",
        "terraform",
        "github-actions",
        "gitlab-ci",
        "cloudbuild",
    ],
    what: "When the repository deploys images (a deployment step, Kubernetes workloads or \
           Terraform of its own; a repository that only publishes images has no admission point, \
           and its gap is signing, SUP-05.1), an admission policy enforces their \
           signatures: a Kyverno policy with `verifyImages` (not in Audit mode), a Sigstore \
           policy-controller `ClusterImagePolicy` (not in warn mode), or GKE Binary Authorization \
           requiring attestations (Terraform `google_binary_authorization_policy` with \
           `REQUIRE_ATTESTATION`, or a cluster with `PROJECT_SINGLETON_POLICY_ENFORCE`).",
    why: "Signing without verification protects nothing: only the admission check turns \"this \
          image was signed by our pipeline\" into \"nothing else runs\".",
    fix: "Deploy a Kyverno ClusterPolicy with a `verifyImages` rule for your registry (keyless: \
          the CI's OIDC issuer and subject), or enable Binary Authorization on the GKE cluster.",
    failing: (
        ".github/workflows/release.yml",
        "on: push\npermissions:\n  contents: read\n  packages: write\njobs:\n  release:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: docker build -t ghcr.io/acme/api:${{ github.sha }} .\n      - run: docker push ghcr.io/acme/api:${{ github.sha }}\n      - run: kubectl set image deployment/api api=ghcr.io/acme/api:${{ github.sha }}\n",
    ),
    passing: (
        "policy/verify-images.yaml",
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: verify-images\nspec:\n  validationFailureAction: Enforce\n  rules:\n    - name: signed-by-ci\n      match:\n        any:\n          - resources:\n              kinds: [Pod]\n      verifyImages:\n        - imageReferences: [\"ghcr.io/acme/*\"]\n          attestors:\n            - entries:\n                - keyless:\n                    issuer: https://token.actions.githubusercontent.com\n                    subject: https://github.com/acme/*\n",
    ),
};

fn sup05_verify(
    pushes: &[Location],
    deploys: &[Location],
    enf: &[Enforcement],
    out: &mut Vec<Verdict>,
) {
    if pushes.is_empty() && deploys.is_empty() && enf.is_empty() {
        return;
    }
    let subject = "deployment › signature verification";
    if let Some(e) = enf.iter().find(|e| e.weak.is_none()) {
        out.push(Verdict::pass(
            &DOC,
            subject,
            e.at.clone(),
            format!("{} refuses images whose signature does not verify", e.what),
        ));
        return;
    }
    let at = enf
        .first()
        .map(|e| e.at.clone())
        .or_else(|| deploys.first().cloned())
        .or_else(|| pushes.first().cloned())
        .unwrap_or_else(|| Location::file("".into()));
    let msg = match enf.first() {
        Some(e) => format!("{} does not enforce: {}", e.what, e.weak.clone().unwrap_or_default()),
        None => "images are pushed or deployed but no admission policy in the repository verifies their signatures (Kyverno verifyImages, Sigstore policy-controller, Binary Authorization)".into(),
    };
    out.push(Verdict::fail(
        &DOC,
        subject,
        at,
        msg,
        "enforce signatures at admission: a Kyverno `verifyImages` policy in Enforce mode, or Binary Authorization on the cluster",
    ));
}

/// The pushes are those of the pipelines judged on their own (a pipeline only called by another
/// is judged through its caller); the deployments and enforcement points are every pipeline's.
pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    let pushes: Vec<Location> = m
        .pipelines
        .iter()
        .filter(|l| l.judged())
        .flat_map(|l| {
            l.paths
                .iter()
                .filter(|b| pushes(b.op))
                .map(|b| b.at.clone())
        })
        .collect();
    let deploys: Vec<Location> = m
        .pipelines
        .iter()
        .flat_map(|l| {
            l.deploys
                .iter()
                .map(|d| crate::facts::point_loc(&l.pipeline, *d))
        })
        .collect();
    // a repository that only publishes images (no deployment step, no workload of its own, no
    // infrastructure) has no admission point: the platforms that run its images verify them,
    // and what it can do, sign them, is SUP-05.1
    let deploys_somewhere = !deploys.is_empty()
        || !m.enforcement.is_empty()
        || m.repo.runs_workloads
        || m.repo.files.iter().any(|f| f.ends_with(".tf"));
    if !deploys_somewhere {
        if let Some(first) = pushes.first() {
            let mut note = vigie_core::Diagnostic::new(
                vigie_core::DiagKind::Skipped,
                first.clone(),
                "SUP-05.2 not judged: the repository publishes images here but deploys them nowhere vigie reads (no deployment step, Kubernetes workload, Terraform or admission policy of its own); the platforms that run them verify signatures, and signing them is SUP-05.1",
            );
            note.severity = Severity::Info;
            out.diagnostics.push(note);
        }
        return;
    }
    sup05_verify(&pushes, &deploys, &m.enforcement, &mut out.verdicts);
}
