//! PSS-B02: No host namespaces.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-B02",
    title: "No host namespaces",
    severity: Severity::High,
    applies_to: K8S,
    what: "The pod spec does not set `hostNetwork`, `hostPID` or `hostIPC` to `true`.",
    why: "Sharing the node's network namespace exposes every host interface and local-only \
          service to the pod; sharing its PID namespace lets the pod see and signal every \
          process of the node (and read their environment); sharing its IPC namespace gives \
          access to the host's shared memory. Each removes a layer of isolation between the \
          workload and the node.",
    fix: "Remove `hostNetwork`, `hostPID` and `hostIPC` (or set them to `false`); expose \
          network services through a Service rather than the host's interfaces.",
    failing: (
        "kubernetes",
        r#"apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: monitor
spec:
  selector:
    matchLabels: {app: monitor}
  template:
    metadata:
      labels: {app: monitor}
    spec:
      hostNetwork: true
      hostPID: true
      containers:
      - name: monitor
        image: example.org/monitor:2.1
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: monitor
spec:
  selector:
    matchLabels: {app: monitor}
  template:
    metadata:
      labels: {app: monitor}
    spec:
      hostNetwork: false
      containers:
      - name: monitor
        image: example.org/monitor:2.1
"#,
    ),
};

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        for key in ["hostNetwork", "hostPID", "hostIPC"] {
            if let Some(e) = pod.spec.entry(key)
                && e.value.as_bool() == Some(true)
            {
                j.fail(
                    e.key_pos,
                    format!("the pod sets {key}: true and shares the node's namespace"),
                    format!("remove {key} (or set it to false)"),
                );
            }
        }
        (
            pod.spec.pos,
            "the pod sets none of hostNetwork, hostPID, hostIPC to true".to_string(),
        )
    });
}
