//! PSS-R02: Privilege escalation disabled.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-R02",
    title: "Privilege escalation disabled",
    severity: Severity::High,
    applies_to: K8S,
    what: "Every container, init container and ephemeral container sets \
           `securityContext.allowPrivilegeEscalation: false` explicitly (there is no pod-level \
           field; unset means allowed). Windows pods (`spec.os.name: windows`) are exempt.",
    why: "With privilege escalation allowed, a process can gain more privileges than its \
          parent through set-user-ID binaries or file capabilities; setting it to false sets \
          `no_new_privs`, closing that path for an attacker who gets code execution.",
    fix: "Add `allowPrivilegeEscalation: false` to the securityContext of every container.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  initContainers:
  - name: setup
    image: example.org/setup:1
  containers:
  - name: api
    image: example.org/api:3
    securityContext:
      allowPrivilegeEscalation: true
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  initContainers:
  - name: setup
    image: example.org/setup:1
    securityContext:
      allowPrivilegeEscalation: false
  containers:
  - name: api
    image: example.org/api:3
    securityContext:
      allowPrivilegeEscalation: false
"#,
    ),
};

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        if let Some(e) = pod.windows() {
            return windows_exempt(e);
        }
        for c in &pod.containers {
            match c.sc_field("allowPrivilegeEscalation") {
                Some(e) if e.value.as_bool() == Some(false) => {}
                Some(e) => j.fail_in(
                    c,
                    e.key_pos,
                    format!(
                        "{} sets allowPrivilegeEscalation to {}",
                        c.who(),
                        e.value.as_str().unwrap_or("a non-boolean value")
                    ),
                    "set securityContext.allowPrivilegeEscalation: false",
                ),
                None => j.fail_in(
                    c,
                    c.sc_at(),
                    format!("{} does not set allowPrivilegeEscalation: false", c.who()),
                    "add allowPrivilegeEscalation: false to the container's securityContext",
                ),
            }
        }
        (
            pod.spec.pos,
            format!(
                "every container sets allowPrivilegeEscalation: false ({} checked)",
                pod.count()
            ),
        )
    });
}
