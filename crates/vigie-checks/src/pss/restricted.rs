//! The restricted level: PSS-R01 to PSS-R07 (on top of every baseline check).

use super::baseline::{judge_proc_mount, judge_seccomp_types, seccomp_type_allowed};
use super::{each_pod, field, sub, text};
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};
use vigie_parse::yaml::{Entry, Node, Pos};

const K8S: &[&str] = &["kubernetes"];

/// The pass evidence of a Windows pod, exempt from a Linux-only rule.
fn windows_exempt(e: &Entry) -> (Pos, String) {
    (
        e.key_pos,
        "the pod is a Windows pod (os.name: windows), exempt from this Linux-only rule".to_string(),
    )
}

// ---------------------------------------------------------------------------------------------
// PSS-R01 Volume types

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

pub static VOLUME_TYPES: CheckDoc = CheckDoc {
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

pub fn volume_types(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &VOLUME_TYPES, |pod, j| {
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

// ---------------------------------------------------------------------------------------------
// PSS-R02 Privilege escalation

pub static PRIVILEGE_ESCALATION: CheckDoc = CheckDoc {
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

pub fn privilege_escalation(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &PRIVILEGE_ESCALATION, |pod, j| {
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

// ---------------------------------------------------------------------------------------------
// PSS-R03 Running as non-root

pub static RUN_AS_NON_ROOT: CheckDoc = CheckDoc {
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

pub fn run_as_non_root(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &RUN_AS_NON_ROOT, |pod, j| {
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

// ---------------------------------------------------------------------------------------------
// PSS-R04 Running as non-root user

pub static RUN_AS_USER: CheckDoc = CheckDoc {
    id: "PSS-R04",
    title: "No container runs as UID 0",
    severity: Severity::High,
    applies_to: K8S,
    what: "Neither the pod securityContext nor any container's (init and ephemeral included) \
           sets `runAsUser: 0`. Unset is allowed (PSS-R03 covers the image's default user). \
           Pods in a user namespace (`hostUsers: false`) are exempt.",
    why: "`runAsUser: 0` runs the container as root explicitly, overriding the image's USER; \
          root in a container is root on the node's kernel.",
    fix: "Remove `runAsUser: 0` or set a non-zero UID (for example 10001).",
    failing: (
        "kubernetes",
        r#"apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: backup
            image: example.org/backup:2
            securityContext:
              runAsUser: 0
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: backup
            image: example.org/backup:2
            securityContext:
              runAsUser: 10001
"#,
    ),
};

pub fn run_as_user(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &RUN_AS_USER, |pod, j| {
        if let Some(e) = pod.user_namespace() {
            return (
                e.key_pos,
                "the pod runs in a user namespace (hostUsers: false), where UID 0 is not the node's root"
                    .to_string(),
            );
        }
        for (who, sc) in pod.setters() {
            if let Some(e) = field(sc, "runAsUser")
                && e.value.as_i64() == Some(0)
            {
                j.fail(
                    e.key_pos,
                    format!("{who} sets runAsUser: 0 (root)"),
                    "remove runAsUser: 0 or set a non-zero UID",
                );
            }
        }
        (
            pod.sc_field_at("runAsUser"),
            format!(
                "neither the pod nor its containers set runAsUser: 0 ({} checked)",
                pod.count()
            ),
        )
    });
}

// ---------------------------------------------------------------------------------------------
// PSS-R05 Seccomp (restricted)

pub static SECCOMP_RESTRICTED: CheckDoc = CheckDoc {
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

pub fn seccomp(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &SECCOMP_RESTRICTED, |pod, j| {
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

// ---------------------------------------------------------------------------------------------
// PSS-R06 Capabilities (restricted)

pub static CAPABILITIES_RESTRICTED: CheckDoc = CheckDoc {
    id: "PSS-R06",
    title: "All capabilities dropped, none added but NET_BIND_SERVICE",
    severity: Severity::High,
    applies_to: K8S,
    what: "Every container, init container and ephemeral container lists `ALL` in \
           `securityContext.capabilities.drop` and adds nothing but `NET_BIND_SERVICE`. Names \
           are compared exactly (`all` does not count). Windows pods (`spec.os.name: \
           windows`) are exempt.",
    why: "Even the runtime's default capabilities (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW on \
          some runtimes…) are more than most services need; dropping them all and adding back \
          only the ability to bind low ports leaves an intruder nothing to work with.",
    fix: "Set `capabilities: {drop: [\"ALL\"]}` on every container, with `add: \
          [\"NET_BIND_SERVICE\"]` only where a port below 1024 is bound.",
    failing: (
        "kubernetes",
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: example.org/web:1.0
        securityContext:
          capabilities:
            drop: ["NET_RAW"]
            add: ["CHOWN"]
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: example.org/web:1.0
        securityContext:
          capabilities:
            drop: ["ALL"]
            add: ["NET_BIND_SERVICE"]
"#,
    ),
};

pub fn capabilities(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &CAPABILITIES_RESTRICTED, |pod, j| {
        if let Some(e) = pod.windows() {
            return windows_exempt(e);
        }
        for c in &pod.containers {
            let caps = field(c.sc, "capabilities");
            let capv = caps.map(|e| &e.value);
            let drops_all = sub(capv, "drop")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .any(|n| n.as_str() == Some("ALL"));
            if !drops_all {
                let at = match (field(capv, "drop"), caps) {
                    (Some(d), _) => d.key_pos,
                    (None, Some(caps)) => caps.key_pos,
                    (None, None) => c.sc_at(),
                };
                j.fail_in(
                    c,
                    at,
                    format!("{} does not drop ALL capabilities", c.who()),
                    "set securityContext.capabilities.drop: [\"ALL\"]",
                );
            }
            for cap in sub(capv, "add").map(Node::items).unwrap_or(&[]) {
                let name = cap.as_str().unwrap_or("");
                if name != "NET_BIND_SERVICE" {
                    j.fail_in(
                        c,
                        cap.pos,
                        format!("{} adds capability {name:?}", c.who()),
                        format!("remove {name:?} from securityContext.capabilities.add"),
                    );
                }
            }
        }
        (
            pod.spec.pos,
            format!(
                "every container drops ALL capabilities and adds at most NET_BIND_SERVICE ({} checked)",
                pod.count()
            ),
        )
    });
}

// ---------------------------------------------------------------------------------------------
// PSS-R07 /proc mount type (restricted)

pub static PROC_MOUNT_RESTRICTED: CheckDoc = CheckDoc {
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

pub fn proc_mount(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &PROC_MOUNT_RESTRICTED, |pod, j| {
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
