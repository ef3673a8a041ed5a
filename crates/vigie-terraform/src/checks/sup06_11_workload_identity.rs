//! SUP-06.11: GKE clusters enable Workload Identity.

use super::{Ctx, autopilot, cannot_prove};
use crate::Output;
use crate::eval::Value;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-06.11",
    title: "GKE clusters enable Workload Identity",
    severity: Severity::Medium,
    applies_to: &["terraform"],
    what: "Each `google_container_cluster` sets `workload_identity_config { workload_pool = \
           \"<project>.svc.id.goog\" }`, or is an Autopilot cluster (`enable_autopilot = true`), \
           on which GKE always enables it.",
    why: "Without Workload Identity, pods use the node's service account (shared by every pod \
          on the node) or mounted keys.",
    fix: "Add `workload_identity_config { workload_pool = \"${var.project}.svc.id.goog\" }` to \
          the cluster.",
    failing: (
        "main.tf",
        "resource \"google_container_cluster\" \"main\" {\n  name     = \"main\"\n  location = \"europe-west9\"\n}\n",
    ),
    passing: (
        "main.tf",
        "resource \"google_container_cluster\" \"main\" {\n  name     = \"main\"\n  location = \"europe-west9\"\n  workload_identity_config {\n    workload_pool = \"shop.svc.id.goog\"\n  }\n}\n",
    ),
};

pub(crate) fn judge(cx: &Ctx<'_>, out: &mut Output) {
    let out = &mut out.verdicts;
    for r in cx
        .managed()
        .filter(|r| r.rtype == "google_container_cluster")
    {
        // Autopilot enables Workload Identity on every cluster: there is nothing to set, or to fail
        if let Some(a) = autopilot(r) {
            out.push(Verdict::pass(&DOC, r.address.clone(), a.at.clone(), "an Autopilot cluster (enable_autopilot = true): GKE always enables Workload Identity on it"));
            continue;
        }
        let fix = "add workload_identity_config { workload_pool = \"<project>.svc.id.goog\" }";
        match r.body.path(&["workload_identity_config", "workload_pool"]) {
            Some(a) if a.value.is_set() => out.push(Verdict::pass(
                &DOC,
                r.address.clone(),
                a.at.clone(),
                format!(
                    "Workload Identity is enabled (workload_pool = {})",
                    a.value.show()
                ),
            )),
            Some(a) if matches!(a.value, Value::Unknown(_)) => out.push(cannot_prove(
                &DOC,
                r.address.clone(),
                a.at.clone(),
                "workload_identity_config.workload_pool",
                &a.value,
                fix,
            )),
            _ => out.push(Verdict::fail(
                &DOC,
                r.address.clone(),
                r.at.clone(),
                "Workload Identity is not enabled (no workload_identity_config.workload_pool)",
                fix,
            )),
        }
    }
}
