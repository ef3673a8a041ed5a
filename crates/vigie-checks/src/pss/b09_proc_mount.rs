//! PSS-B09: Default /proc mount type.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-B09",
    title: "Default /proc mount type",
    severity: Severity::High,
    applies_to: K8S,
    what: "No container (init and ephemeral included) sets `securityContext.procMount` to \
           anything but `Default` (an empty string fails too). Pods that run in a user \
           namespace (`hostUsers: false`) are exempt at the baseline level; the restricted \
           level still forbids it there (PSS-R07).",
    why: "The default /proc mount masks and makes read-only the paths of /proc and /sys that \
          reveal or modify the host kernel; `Unmasked` removes that masking.",
    fix: "Remove `procMount` or set it to `Default`.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: builder
spec:
  containers:
  - name: buildkit
    image: example.org/buildkit:0.20
    securityContext:
      procMount: Unmasked
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: builder
spec:
  containers:
  - name: buildkit
    image: example.org/buildkit:0.20
    securityContext:
      procMount: Default
"#,
    ),
};

/// Fail every container whose `procMount` is set to something else than `Default`.
pub(crate) fn judge_proc_mount(pod: &Pod<'_>, j: &mut Judge<'_>) {
    for c in &pod.containers {
        if let Some(e) = c.sc_field("procMount") {
            let v = e.value.as_str().unwrap_or("");
            if v != "Default" {
                j.fail_in(
                    c,
                    e.key_pos,
                    format!("{} sets procMount to {v:?}", c.who()),
                    "remove securityContext.procMount (or set it to Default)",
                );
            }
        }
    }
}

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        if let Some(e) = pod.user_namespace() {
            return (
                e.key_pos,
                "the pod runs in a user namespace (hostUsers: false), where baseline allows any procMount"
                    .to_string(),
            );
        }
        judge_proc_mount(pod, j);
        (
            pod.spec.pos,
            format!(
                "no container sets a procMount other than Default ({} checked)",
                pod.count()
            ),
        )
    });
}
