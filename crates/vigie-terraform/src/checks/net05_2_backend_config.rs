//! NET-05.2: GKE BackendConfigs attach a Cloud Armor policy.

use super::{Ctx, is_backend_config};
use crate::Output;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "NET-05.2",
    title: "GKE BackendConfigs attach a Cloud Armor policy",
    severity: Severity::Medium,
    applies_to: &["kubernetes"],
    what: "Each GKE `BackendConfig` (cloud.google.com) sets `spec.securityPolicy.name`, so the \
           Ingress backends it configures sit behind Cloud Armor.",
    why: "On GKE, the Ingress controller creates the backend services: a BackendConfig is where \
          the WAF policy is attached to them.",
    fix: "Add `spec: { securityPolicy: { name: <policy> } }` to the BackendConfig and reference \
          it from the Service (`cloud.google.com/backend-config` annotation).",
    failing: (
        "k8s/backendconfig.yaml",
        "apiVersion: cloud.google.com/v1\nkind: BackendConfig\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  timeoutSec: 30\n",
    ),
    passing: (
        "k8s/backendconfig.yaml",
        "apiVersion: cloud.google.com/v1\nkind: BackendConfig\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  timeoutSec: 30\n  securityPolicy:\n    name: shop-waf\n",
    ),
};

pub(crate) fn judge(cx: &Ctx<'_>, out: &mut Output) {
    let out = &mut out.verdicts;
    for o in cx.objects.iter().filter(|o| is_backend_config(o)) {
        let subject = o.id();
        match o.node.path(&["spec", "securityPolicy", "name"]) {
            Some(n) if n.as_str().is_some_and(|s| !s.is_empty()) => out.push(Verdict::pass(
                &DOC,
                subject,
                o.loc(n.pos),
                format!(
                    "the BackendConfig attaches the Cloud Armor policy `{}`",
                    n.as_str().unwrap_or_default()
                ),
            )),
            _ => out.push(Verdict::fail(
                &DOC,
                subject,
                o.at.clone(),
                "the BackendConfig attaches no Cloud Armor policy (spec.securityPolicy.name)",
                "add spec.securityPolicy.name: <Cloud Armor policy>",
            )),
        }
    }
}
