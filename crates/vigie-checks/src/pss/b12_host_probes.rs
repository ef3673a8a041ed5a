//! PSS-B12: Probes and lifecycle hooks target the pod itself.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-B12",
    title: "Probes and lifecycle hooks target the pod itself",
    severity: Severity::Medium,
    applies_to: K8S,
    what: "No `livenessProbe`, `readinessProbe`, `startupProbe`, `lifecycle.postStart` or \
           `lifecycle.preStop` of any container (init and ephemeral included) sets \
           `httpGet.host` or `tcpSocket.host` to a non-empty value.",
    why: "The kubelet runs probes and hooks from the node: a `host` field makes it connect \
          anywhere the node can reach, turning the pod spec into a way to reach the node's \
          local services or other internal addresses (server-side request forgery).",
    fix: "Remove `host` so the kubelet targets the pod's own IP; use an `httpHeaders` `Host` \
          entry when the application needs a virtual host name.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: example.org/web:1.0
    livenessProbe:
      httpGet:
        host: 169.254.169.254
        path: /latest/meta-data/
        port: 80
    lifecycle:
      preStop:
        tcpSocket:
          host: 127.0.0.1
          port: 10250
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: example.org/web:1.0
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
        httpHeaders:
        - name: Host
          value: web.example.org
"#,
    ),
};

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        for c in &pod.containers {
            let lifecycle = sub(Some(c.node), "lifecycle");
            let handlers = [
                ("livenessProbe", sub(Some(c.node), "livenessProbe")),
                ("readinessProbe", sub(Some(c.node), "readinessProbe")),
                ("startupProbe", sub(Some(c.node), "startupProbe")),
                ("lifecycle.postStart", sub(lifecycle, "postStart")),
                ("lifecycle.preStop", sub(lifecycle, "preStop")),
            ];
            for (what, handler) in handlers {
                for action in ["httpGet", "tcpSocket"] {
                    let Some(e) = field(sub(handler, action), "host") else {
                        continue;
                    };
                    let host = e.value.as_str().unwrap_or("");
                    if !host.is_empty() {
                        j.fail_in(
                            c,
                            e.key_pos,
                            format!("{}'s {what}.{action} targets host {host:?}", c.who()),
                            format!(
                                "remove {what}.{action}.host (the kubelet then targets the pod)"
                            ),
                        );
                    }
                }
            }
        }
        (
            pod.spec.pos,
            format!(
                "no probe or lifecycle hook sets a host ({} checked)",
                pod.count()
            ),
        )
    });
}
