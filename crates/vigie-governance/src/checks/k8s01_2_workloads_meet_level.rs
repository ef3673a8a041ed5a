//! K8S-01.2: each workload meets the Pod Security level its namespace enforces.

use crate::Out;
use crate::cluster::{at_of, loc};
use crate::model::Model;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "K8S-01.2",
    title: "Workloads are admitted at their namespace's Pod Security level",
    severity: Severity::High,
    applies_to: &["kubernetes"],
    what: "Each workload in a namespace that enforces a Pod Security level meets that level \
           (the Pod Security Standards checks PSS-B* for baseline, PSS-B* and PSS-R* for \
           restricted), so the admission controller will not reject it at deploy time.",
    why: "A label that the workloads do not meet either blocks the deployment on the day it \
          matters or gets removed in a hurry; the repository should prove both agree.",
    fix: "Fix the workload (see the PSS check named in the message), or lower the namespace's \
          level knowingly.",
    failing: (
        "k8s/app.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/enforce-version: v1.37\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n",
    ),
    passing: (
        "k8s/app.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: v1.37\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n",
    ),
};

/// Judged only in a namespace that enforces baseline or restricted: one that enforces nothing
/// (or privileged) fails K8S-01.1, and admits every workload.
pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    for p in &m.namespaces {
        let Some(n) = p.namespace else { continue };
        let level = p.level();
        let key = match level {
            "restricted" => &["x-pss-baseline", "x-pss-restricted"][..],
            "baseline" => &["x-pss-baseline"][..],
            _ => continue,
        };
        for w in &p.workloads {
            let rejected = key.iter().find_map(|k| w.node.get(k));
            match rejected {
                Some(r) => out.verdicts.push(
                    Verdict::fail(
                        &DOC,
                        w.id(),
                        loc(w, r.pos),
                        format!(
                            "{} would be rejected by the `{level}` level its namespace enforces — {}",
                            w.id(),
                            r.as_str().unwrap_or_default()
                        ),
                        format!("fix the workload to meet `{level}` (see the PSS check named), or lower the namespace's level knowingly"),
                    )
                    .with_related(Some(at_of(n, p.enforce))),
                ),
                None => out.verdicts.push(
                    Verdict::pass(
                        &DOC,
                        w.id(),
                        w.at.clone(),
                        format!("{} meets the `{level}` level its namespace enforces", w.id()),
                    )
                    .with_related(Some(at_of(n, p.enforce))),
                ),
            }
        }
    }
}
