//! PSS-R03: Containers must run as non-root.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-R03",
    title: "Containers must run as non-root",
    severity: Severity::High,
    applies_to: K8S,
    what: "`runAsNonRoot` is `true` for every container: either the pod securityContext sets it \
           to `true` and no container sets it to `false`, or every container (init and \
           ephemeral included) sets it to `true`. A pod-level `false` fails even when every \
           container sets `true`. Pods in a user namespace (`hostUsers: false`) are exempt.",
    why: "With `runAsNonRoot: true` the kubelet refuses to start a container whose user would \
          be root (UID 0), whatever the image says; root in a container is root on the node's \
          kernel, one bug away from the host.",
    fix: "Set `runAsNonRoot: true` in the pod securityContext and remove any container-level \
          `runAsNonRoot: false`; give the image a non-root USER or set `runAsUser`.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  securityContext:
    runAsNonRoot: true
  containers:
  - name: api
    image: example.org/api:3
  - name: debug
    image: example.org/toolbox:1.4
    securityContext:
      runAsNonRoot: false
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
    runAsNonRoot: true
    runAsUser: 10001
  containers:
  - name: api
    image: example.org/api:3
  - name: debug
    image: example.org/toolbox:1.4
"#,
    ),
};

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        if let Some(e) = pod.user_namespace() {
            return (
                e.key_pos,
                "the pod runs in a user namespace (hostUsers: false), where root is not the node's root"
                    .to_string(),
            );
        }
        let mut pod_true = None;
        if let Some(e) = field(pod.sc, "runAsNonRoot") {
            if e.value.as_bool() == Some(true) {
                pod_true = Some(e.key_pos);
            } else {
                j.fail(
                    e.key_pos,
                    format!(
                        "the pod sets runAsNonRoot to {}",
                        e.value.as_str().unwrap_or("a non-boolean value")
                    ),
                    "set runAsNonRoot: true in the pod securityContext",
                );
            }
        }
        for c in &pod.containers {
            match c.sc_field("runAsNonRoot") {
                Some(e) if e.value.as_bool() == Some(true) => {}
                Some(e) => j.fail_in(
                    c,
                    e.key_pos,
                    format!(
                        "{} sets runAsNonRoot to {}",
                        c.who(),
                        e.value.as_str().unwrap_or("a non-boolean value")
                    ),
                    "remove the container's runAsNonRoot (or set it to true)",
                ),
                None if pod_true.is_none() => j.fail_in(
                    c,
                    c.sc_at(),
                    format!(
                        "{} does not set runAsNonRoot: true, and neither does the pod",
                        c.who()
                    ),
                    "set runAsNonRoot: true in the pod securityContext",
                ),
                None => {}
            }
        }
        match pod_true {
            Some(at) => (
                at,
                format!(
                    "the pod sets runAsNonRoot: true and no container overrides it ({} checked)",
                    pod.count()
                ),
            ),
            None => (
                pod.spec.pos,
                format!(
                    "every container sets runAsNonRoot: true ({} checked)",
                    pod.count()
                ),
            ),
        }
    });
}
