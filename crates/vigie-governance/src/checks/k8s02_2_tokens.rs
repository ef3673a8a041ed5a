//! K8S-02.2: workloads do not mount a service-account token by default.

use crate::Out;
use crate::cluster::*;
use crate::model::Model;
use std::collections::BTreeMap;
use vigie_core::Verdict;
use vigie_core::{CheckDoc, Severity};
use vigie_parse::kubernetes::Object;
use vigie_parse::yaml::Node;

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "K8S-02.2",
    title: "Service-account tokens are not mounted by default",
    severity: Severity::Medium,
    applies_to: &["kubernetes"],
    what: "Each workload sets `automountServiceAccountToken: false` in its pod spec, or runs \
           under a ServiceAccount that does (a pod-level value wins over the account's).",
    why: "Most applications never call the Kubernetes API, yet every pod gets a token by \
          default; an attacker in the container can use it against the API server.",
    fix: "Set `automountServiceAccountToken: false` on the pod spec or on its ServiceAccount, \
          and mount a projected token only where the API is really used.",
    failing: (
        "k8s/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n",
    ),
    passing: (
        "k8s/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      automountServiceAccountToken: false\n      containers:\n        - name: web\n          image: example/web:1.0\n",
    ),
};

/// K8S-02.2: service-account tokens not mounted unless asked for.
pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    let (objects, workloads) = (m.objects, &m.workloads);
    let accounts: BTreeMap<(&str, &str), &Object> = objects
        .iter()
        .filter(|o| o.kind == "ServiceAccount")
        .map(|o| ((ns(o), o.name.as_str()), o))
        .collect();
    for w in workloads {
        let sa = w
            .node
            .get("x-sa")
            .and_then(Node::as_str)
            .unwrap_or("default");
        let fix =
            "set `automountServiceAccountToken: false` on the pod spec (or its ServiceAccount)";
        match w.node.get("x-automount") {
            Some(n) if n.as_str() == Some("false") => out.verdicts.push(Verdict::pass(
                &DOC,
                w.id(),
                loc(w, n.pos),
                format!("{} does not mount a service-account token", w.id()),
            )),
            Some(n) => out.verdicts.push(Verdict::fail(
                &DOC,
                w.id(),
                loc(w, n.pos),
                format!("{} asks for its service-account token (`automountServiceAccountToken: true`)", w.id()),
                "mount the token only where the workload calls the Kubernetes API, as a projected volume with a short expiry",
            )),
            None => {
                let account = accounts.get(&(ns(w), sa));
                let off = account.and_then(|a| a.node.get("automountServiceAccountToken"));
                match (account, off.and_then(Node::as_bool)) {
                    (Some(a), Some(false)) => out.verdicts.push(
                        Verdict::pass(
                            &DOC,
                            w.id(),
                            w.at.clone(),
                            format!(
                                "{} runs as ServiceAccount `{sa}`, which does not mount its token",
                                w.id()
                            ),
                        )
                        .with_related(off.map(|n| loc(a, n.pos))),
                    ),
                    _ => out.verdicts.push(Verdict::fail(
                        &DOC,
                        w.id(),
                        w.at.clone(),
                        format!(
                            "{} mounts the token of ServiceAccount `{sa}` by default",
                            w.id()
                        ),
                        fix,
                    )),
                }
            }
        }
    }
}
