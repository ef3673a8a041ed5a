//! CNT-03: no privilege escalation.

use super::{RUNTIME, by_platform, privileged_first, short};
use crate::Context;
use vigie_core::model::Workload;
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-03",
    title: "Privilege escalation is prevented",
    severity: Severity::High,
    applies_to: RUNTIME,
    what: "Each container turns on the kernel's `no_new_privs` flag: `security_opt: \
           [\"no-new-privileges:true\"]` in Compose, `securityContext.allowPrivilegeEscalation: \
           false` in Kubernetes (where it defaults to true).",
    why: "Without the flag, a process can gain privileges it did not start with by executing a \
          setuid or setgid binary, or a file carrying capabilities. The flag makes such gains \
          impossible for the container's whole process tree, so a non-root user stays non-root.",
    fix: "Compose: add `no-new-privileges:true` to the service's `security_opt`. Kubernetes: set \
          `allowPrivilegeEscalation: false` in every container's `securityContext`, init \
          containers included. A privileged container must stop being privileged first: \
          Kubernetes refuses `allowPrivilegeEscalation: false` beside `privileged: true`.",
    failing: (
        "kubernetes",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  selector:\n    matchLabels: {app: worker}\n  template:\n    metadata:\n      labels: {app: worker}\n    spec:\n      containers:\n      - name: worker\n        image: registry.example.org/worker:3.1.0\n",
    ),
    passing: (
        "kubernetes",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  selector:\n    matchLabels: {app: worker}\n  template:\n    metadata:\n      labels: {app: worker}\n    spec:\n      containers:\n      - name: worker\n        image: registry.example.org/worker:3.1.0\n        securityContext:\n          allowPrivilegeEscalation: false\n",
    ),
};

fn fix(w: &Workload) -> String {
    by_platform(
        w,
        "add `security_opt: [\"no-new-privileges:true\"]` to the service",
        "set securityContext.allowPrivilegeEscalation: false",
    )
}

fn judge(w: &Workload, out: &mut Vec<Verdict>) {
    // a privileged container already holds every privilege, and Kubernetes refuses
    // `allowPrivilegeEscalation: false` beside `privileged: true`: privileged mode comes first
    if !w.no_new_privileges.as_ref().is_some_and(|n| n.value)
        && let Some(v) = privileged_first(
            &DOC,
            w,
            "runs privileged: it holds every privilege escalation could give, and escalation cannot be turned off while it does",
            (
                "add `security_opt: [\"no-new-privileges:true\"]`",
                "set allowPrivilegeEscalation: false (Kubernetes refuses both together)",
            ),
        )
    {
        out.push(v);
        return;
    }
    match &w.no_new_privileges {
        Some(n) if n.value => out.push(Verdict::pass(
            &DOC,
            &w.subject,
            n.at.clone(),
            format!(
                "privilege escalation is prevented ({} at {})",
                by_platform(w, "no-new-privileges", "allowPrivilegeEscalation: false"),
                short(&n.at)
            ),
        )),
        Some(n) => out.push(Verdict::fail(
            &DOC,
            &w.subject,
            n.at.clone(),
            by_platform(
                w,
                "no-new-privileges is set to false: setuid binaries can raise privileges",
                "allowPrivilegeEscalation: true: setuid binaries can raise privileges",
            ),
            fix(w),
        )),
        None => out.push(Verdict::fail(
            &DOC,
            &w.subject,
            w.origin.clone(),
            by_platform(
                w,
                "privilege escalation is not prevented (no \"no-new-privileges\" in security_opt)",
                "allowPrivilegeEscalation is not set to false (it defaults to true)",
            ),
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
    use crate::container::testing::{Fixture, assert_examples, summary};

    #[test]
    fn examples() {
        assert_examples(&DOC, run, &[], &[]);
    }

    #[test]
    fn a_privileged_container_must_stop_being_privileged_first() {
        let c = "services:\n  probe:\n    image: x:1\n    privileged: true\n  guarded:\n    image: x:1\n    privileged: true\n    security_opt: [\"no-new-privileges:true\"]\n";
        let vs = Fixture::new("compose", c, &[]).run(run);
        let s = summary(&vs);
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!((s[0].0, s[0].1), (false, 4), "at `privileged: true`: {s:?}");
        assert!(s[0].2.starts_with("runs privileged"), "{s:?}");
        assert!(
            vs[0]
                .fix()
                .unwrap()
                .starts_with("remove \"privileged: true\"")
        );
        // with the flag set, escalation through setuid binaries is still prevented
        assert!(s[1].0, "{s:?}");
    }

    #[test]
    fn compose_forms() {
        let c = "services:\n  a:\n    image: x:1\n    security_opt: [\"no-new-privileges:true\"]\n  b:\n    image: x:1\n    security_opt: [\"no-new-privileges=false\"]\n  c:\n    image: x:1\n";
        let s = summary(&Fixture::new("compose", c, &[]).run(run));
        assert_eq!(
            s.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
            [(true, 4), (false, 7), (false, 8)]
        );
    }
}
