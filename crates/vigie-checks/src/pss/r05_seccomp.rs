//! PSS-R05: Seccomp profile set for every container.

use super::b10_seccomp::{judge_seccomp_types, seccomp_type_allowed};
use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-R05",
    title: "Seccomp profile set for every container",
    severity: Severity::High,
    applies_to: K8S,
    what: "Every container runs under `RuntimeDefault` or `Localhost` seccomp: the pod \
           securityContext sets `seccompProfile.type` to one of them, or every container (init \
           and ephemeral included) does; no place sets another type (`Unconfined`, or a \
           `seccompProfile` without a type). Windows pods (`spec.os.name: windows`) are exempt.",
    why: "Kubernetes runs containers without seccomp unless told otherwise, leaving every \
          system call of the kernel reachable; the runtime's default profile blocks the rarely \
          needed, often exploited ones.",
    fix: "Set `seccompProfile: {type: RuntimeDefault}` in the pod securityContext.",
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
      seccompProfile:
        type: RuntimeDefault
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  initContainers:
  - name: setup
    image: example.org/setup:1
  containers:
  - name: api
    image: example.org/api:3
    securityContext:
      seccompProfile:
        type: Localhost
        localhostProfile: profiles/api.json
"#,
    ),
};

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        if let Some(e) = pod.windows() {
            return windows_exempt(e);
        }
        judge_seccomp_types(pod, j);
        let pod_set = field(pod.sc, "seccompProfile")
            .filter(|e| seccomp_type_allowed(text(Some(&e.value), "type")))
            .map(|e| e.key_pos);
        if pod_set.is_none() {
            for c in &pod.containers {
                if c.sc_field("seccompProfile").is_none() {
                    j.fail_in(
                        c,
                        c.sc_at(),
                        format!(
                            "{} sets no seccomp profile, and neither does the pod",
                            c.who()
                        ),
                        "set seccompProfile.type: RuntimeDefault in the pod securityContext",
                    );
                }
            }
        }
        match pod_set {
            Some(at) => (
                at,
                format!(
                    "the pod sets a RuntimeDefault or Localhost seccomp profile and no container overrides it ({} checked)",
                    pod.count()
                ),
            ),
            None => (
                pod.spec.pos,
                format!(
                    "every container sets a RuntimeDefault or Localhost seccomp profile ({} checked)",
                    pod.count()
                ),
            ),
        }
    });
}
