//! PSS-B05: No hostPath volumes.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};
use vigie_parse::yaml::Node;

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-B05",
    title: "No hostPath volumes",
    severity: Severity::High,
    applies_to: K8S,
    what: "No entry of `spec.volumes` is a `hostPath` volume, whatever its path and whether or \
           not the containers mount it read-only.",
    why: "A hostPath volume exposes the node's file system to the pod: the container runtime \
          socket, kubelet credentials, other pods' data, or `/` itself. Writing there is a \
          direct route to taking over the node; even reading leaks secrets.",
    fix: "Use an `emptyDir`, a ConfigMap or Secret, or a PersistentVolumeClaim instead of the \
          host path.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: builder
spec:
  containers:
  - name: builder
    image: example.org/builder:5
    volumeMounts:
    - name: docker
      mountPath: /var/run/docker.sock
  volumes:
  - name: docker
    hostPath:
      path: /var/run/docker.sock
      type: Socket
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
  - name: builder
    image: example.org/builder:5
    volumeMounts:
    - name: work
      mountPath: /work
  volumes:
  - name: work
    emptyDir: {}
"#,
    ),
};

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        for v in pod.spec.get("volumes").map(Node::items).unwrap_or(&[]) {
            if let Some(e) = field(Some(v), "hostPath") {
                let name = text(Some(v), "name");
                let path = text(Some(&e.value), "path");
                j.fail(
                    e.key_pos,
                    format!("volume {name:?} mounts host path {path:?} of the node"),
                    "replace the hostPath volume with an emptyDir, ConfigMap, Secret or PersistentVolumeClaim",
                );
            }
        }
        let at = pod
            .spec
            .entry("volumes")
            .map_or(pod.spec.pos, |e| e.key_pos);
        (at, "the pod declares no hostPath volume".to_string())
    });
}
