//! NET-04.1: every namespace with workloads denies traffic by default.

use crate::controls::*;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "NET-04.1",
    title: "Default-deny NetworkPolicy in every namespace with workloads",
    severity: Severity::Medium,
    applies_to: &["kubernetes"],
    what: "Each namespace that runs workloads has NetworkPolicies selecting every pod \
           (`podSelector: {}`) with the Ingress and Egress policy types and no rule for them: \
           nothing is allowed unless another policy allows it. A namespace is judged by its \
           name when the repository names it (a `Namespace` object, or `metadata.namespace` on \
           an object of the unit). Workloads that set no namespace (and, in a Helm chart with \
           no namespace configured in `vigie.toml`, those in `.Release.Namespace`) run in \
           whatever namespace the unit is applied to: the unit is judged instead, and passes \
           when it ships its own default-deny policies, either without a namespace (they land \
           with the workloads) or for a namespace it names (the one it is meant for).",
    why: "Kubernetes lets every pod talk to every other pod in the cluster by default; a \
          compromised pod can then scan and attack all of them.",
    fix: "Add `kind: NetworkPolicy` with `podSelector: {}` and `policyTypes: [Ingress, Egress]` \
          to the namespace, then allow each needed flow (DNS included) explicitly.",
    failing: (
        "deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: example/web:1\n",
    ),
    passing: (
        "deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: example/web:1\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n",
    ),
};

pub(crate) fn judge(f: &Facts<'_>, out: &mut Judged) {
    let g = f.g;
    // NET-04
    for ns in &g.namespaces {
        if ns.workloads.is_empty() {
            continue;
        }
        let at = ns
            .declared
            .clone()
            .unwrap_or_else(|| g.workloads[ns.workloads[0]].at.clone());
        // a namespace the repository never names is the one the unit is applied to: the unit
        // is judged, not `default`
        let (subject, place) = if ns.named {
            (
                format!("Namespace/{}", ns.name),
                format!("the namespace {}", ns.name),
            )
        } else {
            (
                APPLIED_NAMESPACE.to_string(),
                "this unit sets no namespace; in the namespace it is applied to, it".to_string(),
            )
        };
        match (&ns.deny_ingress, &ns.deny_egress) {
            (Some((a, la)), Some((b, _))) => out.verdicts.push((
                None,
                Verdict::pass(
                    &DOC,
                    subject,
                    la.clone(),
                    match (ns.named, a == b) {
                        (true, true) => format!("NetworkPolicy {}/{a} denies all ingress and egress by default", ns.name),
                        (true, false) => format!("NetworkPolicies {}/{a} (ingress) and {b} (egress) deny all traffic by default", ns.name),
                        (false, true) => format!("the unit sets no namespace and ships NetworkPolicy {a}, which denies all ingress and egress by default"),
                        (false, false) => format!("the unit sets no namespace and ships NetworkPolicies {a} (ingress) and {b} (egress), which deny all traffic by default"),
                    },
                ),
            )),
            (i, e) => {
                let mut missing = Vec::new();
                if i.is_none() {
                    missing.push("ingress");
                }
                if e.is_none() {
                    missing.push("egress");
                }
                let (message, fix) = if ns.named {
                    (
                        format!(
                            "{place} has no default-deny {} NetworkPolicy for its workloads ({})",
                            missing.join(" or "),
                            match ns.policies {
                                0 => "no NetworkPolicy in it".to_string(),
                                1 => "1 NetworkPolicy in it".to_string(),
                                n => format!("{n} NetworkPolicies in it"),
                            }
                        ),
                        format!(
                            "add a NetworkPolicy in {} with podSelector: {{}} and policyTypes: [Ingress, Egress] and no rules",
                            ns.name
                        ),
                    )
                } else {
                    (
                        format!(
                            "{place} runs {} workload(s) and ships no default-deny {} NetworkPolicy for it",
                            ns.workloads.len(),
                            missing.join(" or "),
                        ),
                        "add to the unit a NetworkPolicy without a namespace (it lands where the workloads do) with podSelector: {} and policyTypes: [Ingress, Egress] and no rules".to_string(),
                    )
                };
                out.verdicts.push((
                    None,
                    Verdict::fail(&DOC, subject, at, message, fix),
                ));
            }
        }
    }
}
