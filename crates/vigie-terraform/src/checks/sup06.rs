//! SUP-06, the Terraform half: no service-account keys, Workload Identity on GKE.

use super::{Ctx, cannot_prove};
use crate::eval::{Mode, Resource, Value};
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC_NO_KEY: CheckDoc = CheckDoc {
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

pub static DOC_WI_CLUSTER: CheckDoc = CheckDoc {
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

pub static DOC_WI_NODES: CheckDoc = CheckDoc {
    id: "SUP-06.12",
    title: "GKE node pools serve the Workload Identity metadata server",
    severity: Severity::Medium,
    applies_to: &["terraform"],
    what: "Each `google_container_node_pool` (and a cluster's own `node_config`) sets \
           `workload_metadata_config { mode = \"GKE_METADATA\" }`.",
    why: "With the node's metadata server exposed (`GCE_METADATA`), any pod can obtain the \
          node service account's token, bypassing Workload Identity.",
    fix: "Add `workload_metadata_config { mode = \"GKE_METADATA\" }` to the node pool's node_config.",
    failing: (
        "main.tf",
        "resource \"google_container_node_pool\" \"apps\" {\n  name    = \"apps\"\n  cluster = \"main\"\n  node_config {\n    machine_type = \"e2-standard-4\"\n  }\n}\n",
    ),
    passing: (
        "main.tf",
        "resource \"google_container_node_pool\" \"apps\" {\n  name    = \"apps\"\n  cluster = \"main\"\n  node_config {\n    machine_type = \"e2-standard-4\"\n    workload_metadata_config {\n      mode = \"GKE_METADATA\"\n    }\n  }\n}\n",
    ),
};

fn node_metadata(r: &Resource, out: &mut Vec<Verdict>) {
    let fix = "add workload_metadata_config { mode = \"GKE_METADATA\" } to node_config";
    let Some(nc) = r.body.block("node_config") else {
        out.push(Verdict::fail(&DOC_WI_NODES, r.address.clone(), r.at.clone(), "the node pool has no node_config, so its nodes expose the node metadata server to pods", fix));
        return;
    };
    let mode = nc
        .body
        .path(&["workload_metadata_config", "mode"])
        .or_else(|| nc.body.path(&["workload_metadata_config", "node_metadata"]));
    match mode {
        Some(a) => match &a.value {
            Value::Str(s) if s == "GKE_METADATA" || s == "GKE_METADATA_SERVER" => out.push(Verdict::pass(&DOC_WI_NODES, r.address.clone(), a.at.clone(), format!("nodes serve the Workload Identity metadata server ({} = {s})", a.name))),
            Value::Str(s) => out.push(Verdict::fail(&DOC_WI_NODES, r.address.clone(), a.at.clone(), format!("{} = {s}: pods can reach the node's service-account credentials", a.name), fix)),
            v => out.push(cannot_prove(&DOC_WI_NODES, r.address.clone(), a.at.clone(), "workload_metadata_config.mode", v, fix)),
        },
        None => out.push(Verdict::fail(&DOC_WI_NODES, r.address.clone(), nc.at.clone(), "node_config has no workload_metadata_config: pods can reach the node's service-account credentials", fix)),
    }
}

/// `enable_autopilot = true`, when the cluster is known to be an Autopilot cluster.
fn autopilot(r: &Resource) -> Option<&crate::eval::RAttr> {
    r.body
        .attr("enable_autopilot")
        .filter(|a| a.value.as_bool() == Some(true))
}

pub fn run(cx: &Ctx<'_>, out: &mut Vec<Verdict>) {
    let mut google = None;
    let mut keys = 0;
    for r in cx
        .model
        .resources
        .iter()
        .filter(|r| r.mode == Mode::Managed)
    {
        if r.rtype.starts_with("google_") && google.is_none() {
            google = Some(r);
        }
        match r.rtype.as_str() {
            "google_service_account_key" => {
                keys += 1;
                out.push(Verdict::fail(&DOC_NO_KEY, r.address.clone(), r.at.clone(), "a long-lived service-account key is created (and its private key stored in the Terraform state)", "remove it; use Workload Identity (GKE) or Workload Identity Federation (CI)"));
            }
            "google_container_cluster" => {
                // Autopilot enables Workload Identity on every cluster and manages the nodes,
                // whose metadata server is always GKE's: there is nothing to set, or to fail
                if let Some(a) = autopilot(r) {
                    out.push(Verdict::pass(&DOC_WI_CLUSTER, r.address.clone(), a.at.clone(), "an Autopilot cluster (enable_autopilot = true): GKE always enables Workload Identity on it"));
                    continue;
                }
                let fix =
                    "add workload_identity_config { workload_pool = \"<project>.svc.id.goog\" }";
                match r.body.path(&["workload_identity_config", "workload_pool"]) {
                    Some(a) if a.value.is_set() => out.push(Verdict::pass(&DOC_WI_CLUSTER, r.address.clone(), a.at.clone(), format!("Workload Identity is enabled (workload_pool = {})", a.value.show()))),
                    Some(a) if matches!(a.value, Value::Unknown(_)) => out.push(cannot_prove(&DOC_WI_CLUSTER, r.address.clone(), a.at.clone(), "workload_identity_config.workload_pool", &a.value, fix)),
                    _ => out.push(Verdict::fail(&DOC_WI_CLUSTER, r.address.clone(), r.at.clone(), "Workload Identity is not enabled (no workload_identity_config.workload_pool)", fix)),
                }
                // the default node pool, when the cluster keeps it
                let removes_default = r
                    .body
                    .attr("remove_default_node_pool")
                    .and_then(|a| a.value.as_bool())
                    == Some(true);
                if !removes_default && r.body.block("node_config").is_some() {
                    node_metadata(r, out);
                }
            }
            "google_container_node_pool" => node_metadata(r, out),
            _ => {}
        }
    }
    if keys == 0
        && let Some(r) = google
    {
        let n = cx
            .model
            .resources
            .iter()
            .filter(|r| r.mode == Mode::Managed && r.rtype.starts_with("google_"))
            .count();
        out.push(Verdict::pass(
            &DOC_NO_KEY,
            "terraform (google provider)",
            r.at.clone(),
            format!("no google_service_account_key among the {n} Google resources"),
        ));
    }
}
