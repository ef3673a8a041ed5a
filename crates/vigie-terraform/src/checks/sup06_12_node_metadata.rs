//! SUP-06.12: GKE node pools serve the Workload Identity metadata server.

use super::{Ctx, autopilot, cannot_prove};
use crate::Output;
use crate::eval::{Resource, Value};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
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
        out.push(Verdict::fail(&DOC, r.address.clone(), r.at.clone(), "the node pool has no node_config, so its nodes expose the node metadata server to pods", fix));
        return;
    };
    let mode = nc
        .body
        .path(&["workload_metadata_config", "mode"])
        .or_else(|| nc.body.path(&["workload_metadata_config", "node_metadata"]));
    match mode {
        Some(a) => match &a.value {
            Value::Str(s) if s == "GKE_METADATA" || s == "GKE_METADATA_SERVER" => out.push(Verdict::pass(&DOC, r.address.clone(), a.at.clone(), format!("nodes serve the Workload Identity metadata server ({} = {s})", a.name))),
            Value::Str(s) => out.push(Verdict::fail(&DOC, r.address.clone(), a.at.clone(), format!("{} = {s}: pods can reach the node's service-account credentials", a.name), fix)),
            v => out.push(cannot_prove(&DOC, r.address.clone(), a.at.clone(), "workload_metadata_config.mode", v, fix)),
        },
        None => out.push(Verdict::fail(&DOC, r.address.clone(), nc.at.clone(), "node_config has no workload_metadata_config: pods can reach the node's service-account credentials", fix)),
    }
}

/// The node pools, and a cluster's default pool when it keeps it; an Autopilot cluster's nodes
/// are GKE's, whose metadata server is always the Workload Identity one.
pub(crate) fn judge(cx: &Ctx<'_>, out: &mut Output) {
    for r in cx.managed() {
        match r.rtype.as_str() {
            "google_container_cluster" => {
                if autopilot(r).is_some() {
                    continue;
                }
                let removes_default = r
                    .body
                    .attr("remove_default_node_pool")
                    .and_then(|a| a.value.as_bool())
                    == Some(true);
                if !removes_default && r.body.block("node_config").is_some() {
                    node_metadata(r, &mut out.verdicts);
                }
            }
            "google_container_node_pool" => node_metadata(r, &mut out.verdicts),
            _ => {}
        }
    }
}
