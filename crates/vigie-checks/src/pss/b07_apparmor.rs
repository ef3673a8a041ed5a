//! PSS-B07: AppArmor is not disabled or overridden.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};
use vigie_parse::yaml::Node;

const APPARMOR_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-B07",
    title: "AppArmor is not disabled or overridden",
    severity: Severity::High,
    applies_to: K8S,
    what: "`appArmorProfile.type`, when the pod securityContext or a container's sets it, is \
           `RuntimeDefault` or `Localhost` (an `appArmorProfile` without a type fails too); and \
           every annotation `container.apparmor.security.beta.kubernetes.io/<name>` of the pod \
           is empty, `runtime/default` or `localhost/<profile>`.",
    why: "On nodes with AppArmor, the runtime's default profile blocks writes to sensitive \
          kernel interfaces and a range of escape techniques. `Unconfined` turns that off for \
          the container.",
    fix: "Remove the profile (the runtime default then applies), or set \
          `appArmorProfile.type: RuntimeDefault` (or `Localhost` with a reviewed profile); \
          replace `unconfined` annotations with the securityContext field.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations:
    container.apparmor.security.beta.kubernetes.io/sidecar: unconfined
spec:
  containers:
  - name: app
    image: example.org/app:2
    securityContext:
      appArmorProfile:
        type: Unconfined
  - name: sidecar
    image: example.org/proxy:1
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  securityContext:
    appArmorProfile:
      type: RuntimeDefault
  containers:
  - name: app
    image: example.org/app:2
    securityContext:
      appArmorProfile:
        type: Localhost
        localhostProfile: app-profile
  - name: sidecar
    image: example.org/proxy:1
"#,
    ),
};

fn apparmor_annotation_allowed(v: &str) -> bool {
    v.is_empty() || v == "runtime/default" || v.starts_with("localhost/")
}

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        for (who, sc) in pod.setters() {
            let Some(e) = field(sc, "appArmorProfile") else {
                continue;
            };
            let t = text(Some(&e.value), "type");
            if !matches!(t, "RuntimeDefault" | "Localhost") {
                let at = e.value.entry("type").map_or(e.key_pos, |t| t.key_pos);
                j.fail(
                    at,
                    format!("{who} sets appArmorProfile.type to {t:?}"),
                    "set appArmorProfile.type: RuntimeDefault (or Localhost), or remove appArmorProfile",
                );
            }
        }
        let annotations = pod.meta.and_then(|m| m.get("annotations"));
        for e in annotations.map(Node::entries).unwrap_or(&[]) {
            if !e.key.starts_with(APPARMOR_ANNOTATION_PREFIX) {
                continue;
            }
            let v = e.value.as_str().unwrap_or("");
            if !apparmor_annotation_allowed(v) {
                j.fail(
                    e.key_pos,
                    format!("annotation {} is set to {v:?}", e.key),
                    "remove the annotation and set securityContext.appArmorProfile.type: RuntimeDefault",
                );
            }
        }
        (
            pod.sc_at(),
            format!(
                "neither the pod nor its containers set a forbidden AppArmor profile ({} checked)",
                pod.count()
            ),
        )
    });
}
