//! CNT-09: no sensitive host paths mounted.

use super::RUNTIME;
use crate::Context;
use vigie_core::model::{Mount, MountKind, Platform, Workload};
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-09",
    title: "No sensitive host paths mounted",
    severity: Severity::Critical,
    applies_to: RUNTIME,
    what: "No container mounts a sensitive part of the host. Compose: a bind mount fails when \
           its source is the host's root, a system directory (`/etc`, `/proc`, `/sys`, `/dev`, \
           `/boot`, `/root`, `/run`, `/var/run`, `/usr`, `/lib`, `/var/lib/docker`, \
           `/var/lib/kubelet`), anything under `/etc`, `/proc`, `/sys` or `/boot`, or a \
           container runtime socket (`docker.sock`, `containerd.sock`, `crio.sock`). Kubernetes: \
           any `hostPath` volume a container mounts fails, since a pod has no business reading \
           its node's disk.",
    why: "The runtime socket is a remote control for every container on the host, including \
          new privileged ones: mounting it is handing out root. System directories let a \
          container rewrite the host's configuration, read its secrets or poke at kernel \
          interfaces. Read-only does not make a socket safe.",
    fix: "Remove the bind mount. Give the container a named volume, a config or secret, or — \
          for tools that need the engine's API — a socket proxy exposing only the calls they \
          use. In Kubernetes use emptyDir, ConfigMap, Secret or a PersistentVolumeClaim.",
    failing: (
        "compose",
        "services:\n  dashboard:\n    image: registry.example.org/dashboard:1.5.0\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n",
    ),
    passing: (
        "compose",
        "services:\n  dashboard:\n    image: registry.example.org/dashboard:1.5.0\n    volumes:\n      - ./dashboard.yml:/etc/dashboard/config.yml:ro\n",
    ),
};

/// A host path with `.`/`..`, repeated and trailing slashes resolved (`/` for the root, which
/// lowering may hand over as an empty string).
pub fn normalise(path: &str) -> String {
    let p = path.trim();
    if p.is_empty() {
        return "/".to_string();
    }
    if !p.starts_with('/') {
        return p.trim_end_matches('/').to_string();
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

const EXACT: &[&str] = &[
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/root",
    "/var/run",
    "/run",
    "/var/lib/docker",
    "/var/lib/kubelet",
    "/usr",
    "/lib",
];
const UNDER: &[&str] = &["/etc", "/proc", "/sys", "/boot", "/var/run/docker.sock"];
const SOCKETS: &[&str] = &["docker.sock", "containerd.sock", "crio.sock"];

/// Why a host path is sensitive, if it is.
pub fn sensitive(path: &str) -> Option<&'static str> {
    let p = normalise(path);
    if SOCKETS.iter().any(|s| p.ends_with(s)) {
        return Some("a container runtime socket: control of every container and of the host");
    }
    let under = |dir: &str| p.strip_prefix(dir).is_some_and(|r| r.starts_with('/'));
    if EXACT.contains(&p.as_str()) || UNDER.iter().any(|d| under(d)) {
        return Some(match p.as_str() {
            "/" => "the host's whole filesystem",
            _ if p == "/etc" || under("/etc") => "the host's configuration",
            _ if p == "/proc" || p == "/sys" || under("/proc") || under("/sys") => {
                "kernel interfaces of the host"
            }
            "/dev" => "the host's devices",
            "/var/lib/docker" | "/var/lib/kubelet" => "the container runtime's own state",
            _ => "a system directory of the host",
        });
    }
    None
}

fn described(m: &Mount) -> String {
    format!(
        "`{}` at {}{}",
        m.source.as_deref().map(normalise).unwrap_or_default(),
        m.target,
        if m.read_only { " (read-only)" } else { "" }
    )
}

fn judge(w: &Workload, out: &mut Vec<Verdict>) {
    let binds: Vec<&Mount> = w
        .mounts
        .iter()
        .filter(|m| m.kind == MountKind::Host)
        .collect();
    let mut failed = false;
    for m in &binds {
        let source = m.source.as_deref().unwrap_or("");
        match w.platform {
            Platform::Kubernetes => {
                failed = true;
                out.push(Verdict::fail(
                    &DOC,
                    &w.subject,
                    m.at.clone(),
                    format!("mounts the host path {} (hostPath)", described(m)),
                    "replace the hostPath volume with an emptyDir, ConfigMap, Secret or PersistentVolumeClaim",
                ));
            }
            Platform::Compose => {
                if let Some(why) = sensitive(source) {
                    failed = true;
                    out.push(Verdict::fail(
                        &DOC,
                        &w.subject,
                        m.at.clone(),
                        format!("mounts the host path {}: {why}", described(m)),
                        format!(
                            "remove the bind mount of {} from volumes (use a named volume or a narrow proxy)",
                            normalise(source)
                        ),
                    ));
                }
            }
        }
    }
    if failed {
        return;
    }
    match binds.first() {
        None => out.push(Verdict::pass(
            &DOC,
            &w.subject,
            w.origin.clone(),
            match w.platform {
                Platform::Compose => "no host path mounted",
                Platform::Kubernetes => "no hostPath volume mounted",
            },
        )),
        Some(first) => out.push(Verdict::pass(
            &DOC,
            &w.subject,
            first.at.clone(),
            format!(
                "binds only non-sensitive host paths: {}",
                binds
                    .iter()
                    .map(|m| m.source.as_deref().map(normalise).unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

pub fn run(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    for w in cx.workloads {
        judge(w, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::testing::{Fixture, assert_examples, summary};

    #[test]
    fn examples() {
        assert_examples(&DOC, run, &[], &[]);
        let vs = Fixture::new(DOC.passing.0, DOC.passing.1, &[]).run(run);
        assert_eq!(
            &*vs[0].message,
            "binds only non-sensitive host paths: ./dashboard.yml"
        );
    }

    #[test]
    fn sensitive_paths() {
        for p in [
            "/",
            "",
            "//",
            "/etc",
            "/etc/",
            "/etc/ssl/certs",
            "/proc/1",
            "/sys/fs/cgroup",
            "/dev",
            "/boot/",
            "/root",
            "/var/run",
            "/run",
            "/var/lib/docker",
            "/var/lib/kubelet",
            "/usr",
            "/lib",
            "/var/run/docker.sock",
            "/run/docker.sock",
            "/run/containerd/containerd.sock",
            "/var/run/crio/crio.sock",
            "/home/me/.docker/run/docker.sock",
            "/var/../etc",
            "/srv/./../etc/passwd",
        ] {
            assert!(sensitive(p).is_some(), "{p:?}");
        }
        for p in [
            "./data",
            "/srv/app",
            "/var/log/app",
            "/etcetera",
            "/usr2",
            "/var/lib/app",
            "~/.cache",
        ] {
            assert!(sensitive(p).is_none(), "{p:?}");
        }
    }

    #[test]
    fn compose_root_and_long_syntax() {
        let c = "services:\n  a:\n    image: x:1\n    volumes:\n      - /:/host:ro\n      - type: bind\n        source: /etc/\n        target: /h/etc\n      - data:/data\n  b:\n    image: x:1\n    tmpfs: /tmp\nvolumes:\n  data: {}\n";
        let s = summary(&Fixture::new("compose", c, &[]).run(run));
        assert_eq!(s.len(), 3, "{s:?}");
        assert_eq!(
            s[0],
            (
                false,
                5,
                "mounts the host path `/` at /host (read-only): the host's whole filesystem".into()
            )
        );
        assert!(!s[1].0 && s[1].1 == 6, "{s:?}");
        assert_eq!(s[2], (true, 10, "no host path mounted".into()));
    }

    #[test]
    fn kubernetes_every_host_path_fails() {
        let k = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes:\n  - name: logs\n    hostPath: {path: /var/log/app}\n  - name: cache\n    emptyDir: {}\n  containers:\n  - name: a\n    image: x:1\n    volumeMounts: [{name: logs, mountPath: /logs}, {name: cache, mountPath: /cache}]\n  - name: b\n    image: x:1\n    volumeMounts: [{name: cache, mountPath: /cache}]\n";
        let s = summary(&Fixture::new("kubernetes", k, &[]).run(run));
        assert_eq!(
            s,
            vec![
                (
                    false,
                    7,
                    "mounts the host path `/var/log/app` at /logs (hostPath)".into()
                ),
                (true, 14, "no hostPath volume mounted".into()),
            ]
        );
    }
}
