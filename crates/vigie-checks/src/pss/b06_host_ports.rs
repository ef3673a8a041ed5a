//! PSS-B06: No host ports.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};
use vigie_parse::yaml::Node;

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-B06",
    title: "No host ports",
    severity: Severity::Medium,
    applies_to: K8S,
    what: "No port of any container (init and ephemeral included) sets a non-zero `hostPort`.",
    why: "A host port binds the container to the node's own interfaces, bypassing Services and \
          the network policies written for them, exposing the workload on every network the \
          node is attached to, and limiting scheduling to one such pod per node.",
    fix: "Remove `hostPort` and publish the port through a Service (ClusterIP, NodePort or \
          LoadBalancer) or an Ingress.",
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
    ports:
    - containerPort: 8080
      hostPort: 80
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
    ports:
    - containerPort: 8080
"#,
    ),
};

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        for c in &pod.containers {
            for p in c.node.get("ports").map(Node::items).unwrap_or(&[]) {
                if let Some(e) = field(Some(p), "hostPort")
                    && e.value.as_i64() != Some(0)
                {
                    let port = e.value.as_str().unwrap_or("?");
                    j.fail_in(
                        c,
                        e.key_pos,
                        format!("{} binds host port {port} on the node", c.who()),
                        "remove hostPort and expose the port through a Service",
                    );
                }
            }
        }
        (
            pod.spec.pos,
            format!("no container uses a host port ({} checked)", pod.count()),
        )
    });
}
