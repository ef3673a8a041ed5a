//! PSS-B03: No privileged containers.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-B03",
    title: "No privileged containers",
    severity: Severity::Critical,
    applies_to: K8S,
    what: "No container, init container or ephemeral container sets \
           `securityContext.privileged: true`.",
    why: "A privileged container gets every capability, every device of the node and no \
          seccomp, AppArmor or SELinux confinement: escaping to the host is a matter of \
          mounting its disk. It disables nearly every other protection of the standard.",
    fix: "Remove `privileged: true`; grant the single capability or device the workload needs \
          instead.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
  - name: shell
    image: example.org/toolbox:1.4
    securityContext:
      privileged: true
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
  - name: shell
    image: example.org/toolbox:1.4
    securityContext:
      privileged: false
"#,
    ),
};

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        for c in &pod.containers {
            if let Some(e) = c.sc_field("privileged")
                && e.value.as_bool() == Some(true)
            {
                j.fail_in(
                    c,
                    e.key_pos,
                    format!("{} runs privileged (privileged: true)", c.who()),
                    "remove securityContext.privileged (or set it to false)",
                );
            }
        }
        (
            pod.spec.pos,
            format!("no container is privileged ({} checked)", pod.count()),
        )
    });
}
