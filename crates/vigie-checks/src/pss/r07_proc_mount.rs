//! PSS-R07: Default /proc mount type, user namespaces included.

use super::b09_proc_mount::judge_proc_mount;
use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-R07",
    title: "Default /proc mount type, user namespaces included",
    severity: Severity::High,
    applies_to: K8S,
    what: "No container (init and ephemeral included) sets `securityContext.procMount` to \
           anything but `Default`, even when the pod runs in a user namespace \
           (`hostUsers: false`), which the baseline rule (PSS-B09) exempts since v1.35.",
    why: "An unmasked /proc exposes kernel interfaces that the default mount hides; a user \
          namespace limits what root inside the pod can do with them, but the restricted level \
          keeps the masking as a second line of defence.",
    fix: "Remove `procMount` or set it to `Default`.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: builder
spec:
  hostUsers: false
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
  hostUsers: false
  containers:
  - name: buildkit
    image: example.org/buildkit:0.20
"#,
    ),
};

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
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
