//! PSS-B08: No custom SELinux user, role or type.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

const SELINUX_TYPES: [&str; 5] = [
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-B08",
    title: "No custom SELinux user, role or type",
    severity: Severity::High,
    applies_to: K8S,
    what: "`seLinuxOptions`, in the pod securityContext or a container's, sets `type` only to \
           `container_t`, `container_init_t`, `container_kvm_t` or `container_engine_t` (or \
           leaves it empty), and leaves `user` and `role` unset or empty. `level` is free.",
    why: "The SELinux type decides what the container's processes may touch on the node; a \
          type such as `spc_t` (super-privileged container) or `unconfined_t` lifts the \
          confinement entirely, and a custom user or role can do the same.",
    fix: "Remove `user` and `role`, and remove `type` or set it to `container_t`.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: collector
spec:
  securityContext:
    seLinuxOptions:
      type: spc_t
  containers:
  - name: collector
    image: example.org/collector:7
    securityContext:
      seLinuxOptions:
        user: system_u
        role: system_r
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: collector
spec:
  securityContext:
    seLinuxOptions:
      type: container_t
      level: "s0:c123,c456"
  containers:
  - name: collector
    image: example.org/collector:7
"#,
    ),
};

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        for (who, sc) in pod.setters() {
            let Some(opts) = sub(sc, "seLinuxOptions") else {
                continue;
            };
            if let Some(e) = field(Some(opts), "type") {
                let t = e.value.as_str().unwrap_or("");
                if !SELINUX_TYPES.contains(&t) {
                    j.fail(
                        e.key_pos,
                        format!("{who} sets seLinuxOptions.type to {t:?}"),
                        "remove seLinuxOptions.type or set it to container_t",
                    );
                }
            }
            for key in ["user", "role"] {
                if let Some(e) = field(Some(opts), key) {
                    let v = e.value.as_str().unwrap_or("");
                    if !v.is_empty() {
                        j.fail(
                            e.key_pos,
                            format!("{who} sets seLinuxOptions.{key} to {v:?}"),
                            format!("remove seLinuxOptions.{key}"),
                        );
                    }
                }
            }
        }
        (
            pod.sc_at(),
            format!(
                "neither the pod nor its containers set a custom SELinux user, role or type ({} checked)",
                pod.count()
            ),
        )
    });
}
