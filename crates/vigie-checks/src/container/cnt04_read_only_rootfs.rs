//! CNT-04: read-only root filesystem, memory-backed scratch space.

use super::{RUNTIME, by_platform, short};
use crate::Context;
use vigie_core::model::{MountKind, Workload};
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-04",
    title: "Root filesystem is read-only",
    severity: Severity::Medium,
    applies_to: RUNTIME,
    what: "Each container mounts its root filesystem read-only (`read_only: true` in Compose, \
           `securityContext.readOnlyRootFilesystem: true` in Kubernetes). Directories the \
           process must write to are expected on tmpfs (Compose) or emptyDir (Kubernetes) \
           mounts, which the passing verdict lists.",
    why: "A writable image layer lets an intruder drop tools, rewrite the application or plant \
          persistence that survives until the container is recreated. A read-only root keeps \
          the running container identical to the reviewed image and confines writes to \
          declared, bounded places.",
    fix: "Set the root filesystem read-only and give each directory the process writes to \
          (`/tmp`, caches, PID files) a tmpfs mount in Compose or an emptyDir volume in \
          Kubernetes; persistent data belongs on a volume.",
    failing: (
        "compose",
        "services:\n  api:\n    image: registry.example.org/api:1.8.0\n    volumes:\n      - uploads:/srv/uploads\nvolumes:\n  uploads: {}\n",
    ),
    passing: (
        "compose",
        "services:\n  api:\n    image: registry.example.org/api:1.8.0\n    read_only: true\n    tmpfs:\n      - /tmp\n    volumes:\n      - uploads:/srv/uploads\nvolumes:\n  uploads: {}\n",
    ),
};

fn fix(w: &Workload) -> String {
    by_platform(
        w,
        "add \"read_only: true\" to the service, with \"tmpfs: [/tmp]\" for scratch directories",
        "set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes on scratch directories",
    )
}

fn judge(w: &Workload, out: &mut Vec<Verdict>) {
    match &w.read_only_rootfs {
        Some(r) if r.value => {
            let scratch: Vec<&str> = w
                .mounts
                .iter()
                .filter(|m| m.kind == MountKind::Scratch)
                .map(|m| m.target.as_str())
                .collect();
            let key = by_platform(w, "read_only: true", "readOnlyRootFilesystem: true");
            let message = if scratch.is_empty() {
                format!(
                    "the root filesystem is read-only ({key} at {})",
                    short(&r.at)
                )
            } else {
                format!(
                    "the root filesystem is read-only ({key} at {}), scratch space on {} ({})",
                    short(&r.at),
                    by_platform(w, "tmpfs", "emptyDir"),
                    scratch.join(", ")
                )
            };
            out.push(Verdict::pass(&DOC, &w.subject, r.at.clone(), message));
        }
        Some(r) => out.push(Verdict::fail(
            &DOC,
            &w.subject,
            r.at.clone(),
            by_platform(
                w,
                "read_only: false: the root filesystem is writable",
                "readOnlyRootFilesystem: false: the root filesystem is writable",
            ),
            fix(w),
        )),
        None => out.push(Verdict::fail(
            &DOC,
            &w.subject,
            w.origin.clone(),
            "the root filesystem is writable (not declared read-only)",
            fix(w),
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
    use crate::container::testing::{Fixture, assert_examples};

    #[test]
    fn examples() {
        assert_examples(&DOC, run, &[], &[]);
        let vs = Fixture::new(DOC.passing.0, DOC.passing.1, &[]).run(run);
        assert_eq!(
            &*vs[0].message,
            "the root filesystem is read-only (read_only: true at docker-compose.yml:4), scratch space on tmpfs (/tmp)"
        );
    }

    #[test]
    fn kubernetes_emptydir_is_listed() {
        let k = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes:\n  - {name: tmp, emptyDir: {}}\n  containers:\n  - name: a\n    image: x:1\n    securityContext: {readOnlyRootFilesystem: true}\n    volumeMounts: [{name: tmp, mountPath: /tmp}]\n  - name: b\n    image: x:1\n    securityContext: {readOnlyRootFilesystem: false}\n";
        let vs = Fixture::new("kubernetes", k, &[]).run(run);
        assert!(
            vs[0].is_pass() && vs[0].message.ends_with("scratch space on emptyDir (/tmp)"),
            "{}",
            vs[0].message
        );
        assert!(vs[1].is_fail() && vs[1].location.line == 14);
        assert!(vs[1].fix().unwrap().contains("emptyDir"));
    }
}
