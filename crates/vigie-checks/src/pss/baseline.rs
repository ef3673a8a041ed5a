//! The baseline level: PSS-B01 to PSS-B12.

use super::{Judge, Pod, each_pod, field, sub, text};
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};
use vigie_parse::yaml::{Entry, Node};

const K8S: &[&str] = &["kubernetes"];

// ---------------------------------------------------------------------------------------------
// PSS-B01 HostProcess

pub static HOST_PROCESS: CheckDoc = CheckDoc {
    id: "PSS-B01",
    title: "No Windows HostProcess containers",
    severity: Severity::Critical,
    applies_to: K8S,
    what: "Neither the pod securityContext nor the securityContext of any container, init \
           container or ephemeral container sets `windowsOptions.hostProcess: true`.",
    why: "A HostProcess container runs directly on the Windows node, outside any container \
          isolation, with access to the host's processes, network and file system: it is the \
          Windows equivalent of a privileged container in the host namespaces.",
    fix: "Remove `windowsOptions.hostProcess` (or set it to `false`). Node administration tasks \
          belong to a dedicated, separately governed namespace, not to application workloads.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: agent
spec:
  securityContext:
    windowsOptions:
      hostProcess: true
      runAsUserName: "NT AUTHORITY\\SYSTEM"
  hostNetwork: true
  containers:
  - name: agent
    image: example.org/agent:1.0
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: agent
spec:
  os:
    name: windows
  containers:
  - name: agent
    image: example.org/agent:1.0
    securityContext:
      windowsOptions:
        runAsUserName: ContainerUser
"#,
    ),
};

fn host_process_set(sc: Option<&Node>) -> Option<&Entry> {
    sub(sc, "windowsOptions")
        .and_then(|w| w.entry("hostProcess"))
        .filter(|e| e.value.as_bool() == Some(true))
}

pub fn host_process(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &HOST_PROCESS, |pod, j| {
        for (who, sc) in pod.setters() {
            if let Some(e) = host_process_set(sc) {
                j.fail(
                    e.key_pos,
                    format!("{who} sets securityContext.windowsOptions.hostProcess: true"),
                    "remove windowsOptions.hostProcess (or set it to false)",
                );
            }
        }
        (
            pod.sc_at(),
            format!(
                "neither the pod nor its containers set windowsOptions.hostProcess: true ({} checked)",
                pod.count()
            ),
        )
    });
}

// ---------------------------------------------------------------------------------------------
// PSS-B02 Host namespaces

pub static HOST_NAMESPACES: CheckDoc = CheckDoc {
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

pub fn host_namespaces(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &HOST_NAMESPACES, |pod, j| {
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

// ---------------------------------------------------------------------------------------------
// PSS-B03 Privileged containers

pub static PRIVILEGED: CheckDoc = CheckDoc {
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

pub fn privileged(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &PRIVILEGED, |pod, j| {
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

// ---------------------------------------------------------------------------------------------
// PSS-B04 Capabilities (baseline)

/// The capabilities a container runtime grants by default, which baseline lets a container
/// add back (`NET_RAW` is deliberately absent).
pub const BASELINE_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

pub static CAPABILITIES_BASELINE: CheckDoc = CheckDoc {
    id: "PSS-B04",
    title: "No capabilities added beyond the runtime's default set",
    severity: Severity::High,
    applies_to: K8S,
    what: "Every name in `securityContext.capabilities.add` of every container (init and \
           ephemeral included) is one of AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, \
           MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT. Names are \
           compared exactly: `sys_admin` or `CAP_SYS_ADMIN` are not in the set and fail.",
    why: "Capabilities such as SYS_ADMIN, NET_ADMIN, SYS_PTRACE or NET_RAW give a container \
          powers over the kernel and the node's network that make escaping or spying on \
          neighbours far easier; the default set is what ordinary software needs.",
    fix: "Remove the extra capabilities from `capabilities.add`; redesign the workload if it \
          genuinely needs kernel-level privileges.",
    failing: (
        "kubernetes",
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: vpn
spec:
  selector:
    matchLabels: {app: vpn}
  template:
    metadata:
      labels: {app: vpn}
    spec:
      containers:
      - name: vpn
        image: example.org/vpn:3
        securityContext:
          capabilities:
            add: ["NET_ADMIN", "NET_RAW"]
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: vpn
spec:
  selector:
    matchLabels: {app: vpn}
  template:
    metadata:
      labels: {app: vpn}
    spec:
      containers:
      - name: vpn
        image: example.org/vpn:3
        securityContext:
          capabilities:
            add: ["NET_BIND_SERVICE"]
"#,
    ),
};

pub fn capabilities(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &CAPABILITIES_BASELINE, |pod, j| {
        for c in &pod.containers {
            let caps = sub(c.sc, "capabilities");
            for cap in sub(caps, "add").map(Node::items).unwrap_or(&[]) {
                let name = cap.as_str().unwrap_or("");
                if !BASELINE_CAPABILITIES.contains(&name) {
                    j.fail_in(
                        c,
                        cap.pos,
                        format!(
                            "{} adds capability {name:?}, outside the baseline set",
                            c.who()
                        ),
                        format!("remove {name:?} from securityContext.capabilities.add"),
                    );
                }
            }
        }
        (
            pod.spec.pos,
            format!(
                "no container adds a capability beyond the default set ({} checked)",
                pod.count()
            ),
        )
    });
}

// ---------------------------------------------------------------------------------------------
// PSS-B05 HostPath volumes

pub static HOST_PATH: CheckDoc = CheckDoc {
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

pub fn host_path(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &HOST_PATH, |pod, j| {
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

// ---------------------------------------------------------------------------------------------
// PSS-B06 Host ports

pub static HOST_PORTS: CheckDoc = CheckDoc {
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

pub fn host_ports(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &HOST_PORTS, |pod, j| {
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

// ---------------------------------------------------------------------------------------------
// PSS-B07 AppArmor

const APPARMOR_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

pub static APPARMOR: CheckDoc = CheckDoc {
    id: "PSS-B07",
    title: "AppArmor is not disabled or overridden",
    severity: Severity::High,
    applies_to: K8S,
    what: "`appArmorProfile.type`, when the pod securityContext or a container's sets it, is \
           `RuntimeDefault` or `Localhost` (an `appArmorProfile` without a type fails too); and \
           every annotation `container.apparmor.security.beta.kubernetes.io/<name>` of the pod \
           is empty, `runtime/default` or `localhost/<profile>`.",
    why: "On nodes with AppArmor, the runtime's default profile blocks writes to sensitive \
          kernel interfaces and a range of escape techniques. `Unconfined` turns that off for \
          the container.",
    fix: "Remove the profile (the runtime default then applies), or set \
          `appArmorProfile.type: RuntimeDefault` (or `Localhost` with a reviewed profile); \
          replace `unconfined` annotations with the securityContext field.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations:
    container.apparmor.security.beta.kubernetes.io/sidecar: unconfined
spec:
  containers:
  - name: app
    image: example.org/app:2
    securityContext:
      appArmorProfile:
        type: Unconfined
  - name: sidecar
    image: example.org/proxy:1
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  securityContext:
    appArmorProfile:
      type: RuntimeDefault
  containers:
  - name: app
    image: example.org/app:2
    securityContext:
      appArmorProfile:
        type: Localhost
        localhostProfile: app-profile
  - name: sidecar
    image: example.org/proxy:1
"#,
    ),
};

fn apparmor_annotation_allowed(v: &str) -> bool {
    v.is_empty() || v == "runtime/default" || v.starts_with("localhost/")
}

pub fn apparmor(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &APPARMOR, |pod, j| {
        for (who, sc) in pod.setters() {
            let Some(e) = field(sc, "appArmorProfile") else {
                continue;
            };
            let t = text(Some(&e.value), "type");
            if !matches!(t, "RuntimeDefault" | "Localhost") {
                let at = e.value.entry("type").map_or(e.key_pos, |t| t.key_pos);
                j.fail(
                    at,
                    format!("{who} sets appArmorProfile.type to {t:?}"),
                    "set appArmorProfile.type: RuntimeDefault (or Localhost), or remove appArmorProfile",
                );
            }
        }
        let annotations = pod.meta.and_then(|m| m.get("annotations"));
        for e in annotations.map(Node::entries).unwrap_or(&[]) {
            if !e.key.starts_with(APPARMOR_ANNOTATION_PREFIX) {
                continue;
            }
            let v = e.value.as_str().unwrap_or("");
            if !apparmor_annotation_allowed(v) {
                j.fail(
                    e.key_pos,
                    format!("annotation {} is set to {v:?}", e.key),
                    "remove the annotation and set securityContext.appArmorProfile.type: RuntimeDefault",
                );
            }
        }
        (
            pod.sc_at(),
            format!(
                "neither the pod nor its containers set a forbidden AppArmor profile ({} checked)",
                pod.count()
            ),
        )
    });
}

// ---------------------------------------------------------------------------------------------
// PSS-B08 SELinux

const SELINUX_TYPES: [&str; 5] = [
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

pub static SELINUX: CheckDoc = CheckDoc {
    id: "PSS-B08",
    title: "No custom SELinux user, role or type",
    severity: Severity::High,
    applies_to: K8S,
    what: "`seLinuxOptions`, in the pod securityContext or a container's, sets `type` only to \
           `container_t`, `container_init_t`, `container_kvm_t` or `container_engine_t` (or \
           leaves it empty), and leaves `user` and `role` unset or empty. `level` is free.",
    why: "The SELinux type decides what the container's processes may touch on the node; a \
          type such as `spc_t` (super-privileged container) or `unconfined_t` lifts the \
          confinement entirely, and a custom user or role can do the same.",
    fix: "Remove `user` and `role`, and remove `type` or set it to `container_t`.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: collector
spec:
  securityContext:
    seLinuxOptions:
      type: spc_t
  containers:
  - name: collector
    image: example.org/collector:7
    securityContext:
      seLinuxOptions:
        user: system_u
        role: system_r
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: collector
spec:
  securityContext:
    seLinuxOptions:
      type: container_t
      level: "s0:c123,c456"
  containers:
  - name: collector
    image: example.org/collector:7
"#,
    ),
};

pub fn selinux(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &SELINUX, |pod, j| {
        for (who, sc) in pod.setters() {
            let Some(opts) = sub(sc, "seLinuxOptions") else {
                continue;
            };
            if let Some(e) = field(Some(opts), "type") {
                let t = e.value.as_str().unwrap_or("");
                if !SELINUX_TYPES.contains(&t) {
                    j.fail(
                        e.key_pos,
                        format!("{who} sets seLinuxOptions.type to {t:?}"),
                        "remove seLinuxOptions.type or set it to container_t",
                    );
                }
            }
            for key in ["user", "role"] {
                if let Some(e) = field(Some(opts), key) {
                    let v = e.value.as_str().unwrap_or("");
                    if !v.is_empty() {
                        j.fail(
                            e.key_pos,
                            format!("{who} sets seLinuxOptions.{key} to {v:?}"),
                            format!("remove seLinuxOptions.{key}"),
                        );
                    }
                }
            }
        }
        (
            pod.sc_at(),
            format!(
                "neither the pod nor its containers set a custom SELinux user, role or type ({} checked)",
                pod.count()
            ),
        )
    });
}

// ---------------------------------------------------------------------------------------------
// PSS-B09 /proc mount type

pub static PROC_MOUNT: CheckDoc = CheckDoc {
    id: "PSS-B09",
    title: "Default /proc mount type",
    severity: Severity::High,
    applies_to: K8S,
    what: "No container (init and ephemeral included) sets `securityContext.procMount` to \
           anything but `Default` (an empty string fails too). Pods that run in a user \
           namespace (`hostUsers: false`) are exempt at the baseline level; the restricted \
           level still forbids it there (PSS-R07).",
    why: "The default /proc mount masks and makes read-only the paths of /proc and /sys that \
          reveal or modify the host kernel; `Unmasked` removes that masking.",
    fix: "Remove `procMount` or set it to `Default`.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: builder
spec:
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
  containers:
  - name: buildkit
    image: example.org/buildkit:0.20
    securityContext:
      procMount: Default
"#,
    ),
};

/// Fail every container whose `procMount` is set to something else than `Default`.
pub(super) fn judge_proc_mount(pod: &Pod<'_>, j: &mut Judge<'_>) {
    for c in &pod.containers {
        if let Some(e) = c.sc_field("procMount") {
            let v = e.value.as_str().unwrap_or("");
            if v != "Default" {
                j.fail_in(
                    c,
                    e.key_pos,
                    format!("{} sets procMount to {v:?}", c.who()),
                    "remove securityContext.procMount (or set it to Default)",
                );
            }
        }
    }
}

pub fn proc_mount(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &PROC_MOUNT, |pod, j| {
        if let Some(e) = pod.user_namespace() {
            return (
                e.key_pos,
                "the pod runs in a user namespace (hostUsers: false), where baseline allows any procMount"
                    .to_string(),
            );
        }
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

// ---------------------------------------------------------------------------------------------
// PSS-B10 Seccomp (baseline)

pub(super) fn seccomp_type_allowed(t: &str) -> bool {
    matches!(t, "RuntimeDefault" | "Localhost")
}

pub static SECCOMP_BASELINE: CheckDoc = CheckDoc {
    id: "PSS-B10",
    title: "Seccomp is not disabled",
    severity: Severity::High,
    applies_to: K8S,
    what: "`seccompProfile.type`, when the pod securityContext or a container's sets it, is \
           `RuntimeDefault` or `Localhost`: `Unconfined` fails, and so does a \
           `seccompProfile` without a type. Leaving seccomp unset is allowed at this level (the \
           restricted level requires it, PSS-R05). The old `seccomp.security.alpha` \
           annotations are not read.",
    why: "Seccomp filters the system calls a container may make; without it, the whole kernel \
          attack surface is reachable, including calls behind most container escapes.",
    fix: "Set `seccompProfile.type: RuntimeDefault` (or `Localhost` with a reviewed profile) \
          instead of `Unconfined`.",
    failing: (
        "kubernetes",
        r#"apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      securityContext:
        seccompProfile:
          type: Unconfined
      containers:
      - name: migrate
        image: example.org/migrate:1.2
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      securityContext:
        seccompProfile:
          type: RuntimeDefault
      containers:
      - name: migrate
        image: example.org/migrate:1.2
"#,
    ),
};

/// Fail every place (the pod, a container) that sets a seccomp profile type other than
/// RuntimeDefault or Localhost.
pub(super) fn judge_seccomp_types(pod: &Pod<'_>, j: &mut Judge<'_>) {
    for (who, sc) in pod.setters() {
        let Some(e) = field(sc, "seccompProfile") else {
            continue;
        };
        let t = text(Some(&e.value), "type");
        if !seccomp_type_allowed(t) {
            let at = e.value.entry("type").map_or(e.key_pos, |t| t.key_pos);
            j.fail(
                at,
                format!("{who} sets seccompProfile.type to {t:?}"),
                "set seccompProfile.type: RuntimeDefault (or Localhost)",
            );
        }
    }
}

pub fn seccomp(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &SECCOMP_BASELINE, |pod, j| {
        judge_seccomp_types(pod, j);
        (
            pod.sc_field_at("seccompProfile"),
            format!(
                "neither the pod nor its containers disable seccomp ({} checked)",
                pod.count()
            ),
        )
    });
}

// ---------------------------------------------------------------------------------------------
// PSS-B11 Sysctls

/// The sysctls baseline allows in v1.37: namespaced, and isolated from other pods.
pub const SAFE_SYSCTLS: [&str; 14] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

pub static SYSCTLS: CheckDoc = CheckDoc {
    id: "PSS-B11",
    title: "Only safe sysctls",
    severity: Severity::Medium,
    applies_to: K8S,
    what: "Every name in `spec.securityContext.sysctls` is one of the safe set of Kubernetes \
           v1.37: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, \
           net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, \
           net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports, \
           net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, \
           net.ipv4.tcp_keepalive_probes, net.ipv4.tcp_rmem, net.ipv4.tcp_wmem, \
           net.ipv4.tcp_slow_start_after_idle, net.ipv4.tcp_notsent_lowat.",
    why: "Other sysctls are either not namespaced (they change the whole node's kernel) or not \
          isolated between pods; some disable kernel protections outright.",
    fix: "Remove the sysctl from the pod, or tune the node itself through its own, reviewed \
          configuration.",
    failing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: db
spec:
  securityContext:
    sysctls:
    - name: kernel.shm_rmid_forced
      value: "1"
    - name: kernel.msgmax
      value: "65536"
  containers:
  - name: db
    image: example.org/db:16
"#,
    ),
    passing: (
        "kubernetes",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: db
spec:
  securityContext:
    sysctls:
    - name: kernel.shm_rmid_forced
      value: "1"
    - name: net.ipv4.tcp_keepalive_time
      value: "600"
  containers:
  - name: db
    image: example.org/db:16
"#,
    ),
};

pub fn sysctls(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &SYSCTLS, |pod, j| {
        for s in sub(pod.sc, "sysctls").map(Node::items).unwrap_or(&[]) {
            let name = text(Some(s), "name");
            if !SAFE_SYSCTLS.contains(&name) {
                let at = s.entry("name").map_or(s.pos, |e| e.value.pos);
                j.fail(
                    at,
                    format!("the pod sets sysctl {name:?}, outside the safe set"),
                    format!("remove {name:?} from securityContext.sysctls"),
                );
            }
        }
        (
            pod.sc_field_at("sysctls"),
            "the pod sets only safe sysctls".to_string(),
        )
    });
}

// ---------------------------------------------------------------------------------------------
// PSS-B12 Host probes and lifecycle hooks

pub static HOST_PROBES: CheckDoc = CheckDoc {
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

pub fn host_probes(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    each_pod(cx, out, &HOST_PROBES, |pod, j| {
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
