//! PSS-R01: Only core volume types.

use super::*;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};
use vigie_parse::yaml::Node;

/// The inline volume sources restricted allows.
pub const ALLOWED_VOLUME_SOURCES: [&str; 9] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "PSS-R01",
    title: "Only core volume types",
    severity: Severity::Medium,
    applies_to: K8S,
    what: "Every entry of `spec.volumes` is a `configMap`, `csi`, `downwardAPI`, `emptyDir`, \
           `ephemeral`, `image`, `persistentVolumeClaim`, `projected` or `secret` volume. \
           Any other source of the Kubernetes API (hostPath, nfs, iscsi, gitRepo, cephfs, \
           flexVolume, the in-tree cloud disk types…) fails. A volume naming no source is \
           allowed: the API server turns it into an `emptyDir`.",
    why: "The other inline volume types reach storage directly from the node, with the node's \
          credentials and kernel drivers, bypassing the PersistentVolume layer where \
          administrators govern storage; several have had node-compromise vulnerabilities \
          (gitRepo in particular).",
    fix: "Move the storage behind a PersistentVolume and reference it with a \
          `persistentVolumeClaim` (or a CSI driver); use `emptyDir` for scratch space.",
    failing: (
        "kubernetes",
        r#"apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: files
spec:
  serviceName: files
  selector:
    matchLabels: {app: files}
  template:
    metadata:
      labels: {app: files}
    spec:
      containers:
      - name: files
        image: example.org/files:4
      volumes:
      - name: share
        nfs:
          server: nfs.internal
          path: /exports/files
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: files
spec:
  serviceName: files
  selector:
    matchLabels: {app: files}
  template:
    metadata:
      labels: {app: files}
    spec:
      containers:
      - name: files
        image: example.org/files:4
      volumes:
      - name: share
        persistentVolumeClaim:
          claimName: files-share
      - name: tmp
        emptyDir: {}
"#,
    ),
};

/// The inline volume sources of Kubernetes v1.37 that restricted forbids.
pub const RESTRICTED_VOLUME_SOURCES: [&str; 21] = [
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "portworxVolume",
    "photonPersistentDisk",
    "scaleIO",
    "storageos",
];

pub(crate) fn judge(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &DOC, |pod, j| {
        for v in pod.spec.get("volumes").map(Node::items).unwrap_or(&[]) {
            if ALLOWED_VOLUME_SOURCES
                .iter()
                .any(|k| field(Some(v), k).is_some())
            {
                continue;
            }
            // A volume naming no source at all is defaulted to an emptyDir by the API server.
            let Some(e) = RESTRICTED_VOLUME_SOURCES
                .iter()
                .find_map(|k| field(Some(v), k))
            else {
                continue;
            };
            let name = text(Some(v), "name");
            j.fail(
                e.key_pos,
                format!("volume {name:?} uses the {} volume type", e.key),
                "use a persistentVolumeClaim, csi, emptyDir, configMap, secret or projected volume instead",
            );
        }
        let at = pod
            .spec
            .entry("volumes")
            .map_or(pod.spec.pos, |e| e.key_pos);
        (
            at,
            "every volume of the pod is of an allowed type".to_string(),
        )
    });
}
