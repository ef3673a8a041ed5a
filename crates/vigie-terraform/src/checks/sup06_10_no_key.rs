//! SUP-06.10: no Google service-account keys are created.

use super::Ctx;
use crate::Output;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-06.10",
    title: "No Google service-account keys are created",
    severity: Severity::High,
    applies_to: &["terraform"],
    what: "The Terraform code declares no `google_service_account_key`: workloads and pipelines \
           authenticate with Workload Identity (GKE) or Workload Identity Federation (CI), \
           never with a long-lived JSON key.",
    why: "A service-account key is a bearer credential valid for years; it leaks through state \
          files, CI variables and laptops. Terraform also writes the private key into its state.",
    fix: "Remove the google_service_account_key; bind the service account to a Kubernetes \
          service account (roles/iam.workloadIdentityUser) or to a CI identity pool.",
    failing: (
        "main.tf",
        "resource \"google_service_account\" \"ci\" {\n  account_id = \"ci\"\n}\n\nresource \"google_service_account_key\" \"ci\" {\n  service_account_id = google_service_account.ci.name\n}\n",
    ),
    passing: (
        "main.tf",
        "resource \"google_service_account\" \"ci\" {\n  account_id = \"ci\"\n}\n",
    ),
};

pub(crate) fn judge(cx: &Ctx<'_>, out: &mut Output) {
    let mut google = None;
    let mut keys = 0;
    for r in cx.managed() {
        if r.rtype.starts_with("google_") && google.is_none() {
            google = Some(r);
        }
        if r.rtype == "google_service_account_key" {
            keys += 1;
            out.verdicts.push(Verdict::fail(&DOC, r.address.clone(), r.at.clone(), "a long-lived service-account key is created (and its private key stored in the Terraform state)", "remove it; use Workload Identity (GKE) or Workload Identity Federation (CI)"));
        }
    }
    if keys == 0
        && let Some(r) = google
    {
        let n = cx
            .managed()
            .filter(|r| r.rtype.starts_with("google_"))
            .count();
        out.verdicts.push(Verdict::pass(
            &DOC,
            "terraform (google provider)",
            r.at.clone(),
            format!("no google_service_account_key among the {n} Google resources"),
        ));
    }
}
