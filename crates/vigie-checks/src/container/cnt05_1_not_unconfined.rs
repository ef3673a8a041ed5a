//! CNT-05.1: seccomp and AppArmor are not disabled.

use super::{RUNTIME, by_platform, short};
use crate::Context;
use vigie_core::model::{Profile, Workload};
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-05.1",
    title: "Seccomp and AppArmor are not unconfined",
    severity: Severity::High,
    applies_to: RUNTIME,
    what: "No container sets its seccomp or AppArmor profile to unconfined: \
           `seccomp=unconfined` / `apparmor=unconfined` in a Compose `security_opt`, \
           `type: Unconfined` in a Kubernetes `seccompProfile` or `appArmorProfile` (container \
           or pod level, the container winning), or the `unconfined` AppArmor annotation.",
    why: "Seccomp filters the system calls a container may make and AppArmor restricts the \
          files and operations it may reach; together they block most kernel attack surface a \
          container never needs. Turning either off removes a whole defensive layer, usually to \
          silence one error that a narrower profile would have fixed.",
    fix: "Remove the `unconfined` setting so the runtime's default profile applies, or write a \
          profile that allows exactly the extra system calls the application needs.",
    failing: (
        "compose",
        "services:\n  tracer:\n    image: registry.example.org/tracer:0.9.2\n    security_opt:\n      - seccomp=unconfined\n",
    ),
    passing: (
        "compose",
        "services:\n  tracer:\n    image: registry.example.org/tracer:0.9.2\n    security_opt:\n      - seccomp=./security/seccomp-tracer.json\n",
    ),
};

fn judge(w: &Workload, out: &mut Vec<Verdict>) {
    let mut failed = false;
    for (name, p) in [("seccomp", &w.seccomp), ("AppArmor", &w.apparmor)] {
        if let Some(p) = p
            && p.value == Profile::Unconfined
        {
            failed = true;
            let (compose, kubernetes) = if name == "seccomp" {
                (
                    "remove \"seccomp=unconfined\" from security_opt (or name a profile file)",
                    "set seccompProfile: {type: RuntimeDefault} instead of Unconfined",
                )
            } else {
                (
                    "remove \"apparmor=unconfined\" from security_opt",
                    "set appArmorProfile: {type: RuntimeDefault} instead of Unconfined",
                )
            };
            out.push(Verdict::fail(
                &DOC,
                &w.subject,
                p.at.clone(),
                format!("runs with {name} disabled (unconfined at {})", short(&p.at)),
                by_platform(w, compose, kubernetes),
            ));
        }
    }
    if failed {
        return;
    }
    let describe = |p: &Option<vigie_core::model::At<Profile>>| match p.as_ref().map(|p| &p.value) {
        None => "the default".to_string(),
        Some(Profile::RuntimeDefault) => "the runtime default".to_string(),
        Some(Profile::Localhost(n)) => format!("profile `{n}`"),
        Some(Profile::File(f)) => format!("profile file `{f}`"),
        Some(Profile::Unconfined) => "unconfined".to_string(),
    };
    let at = w
        .seccomp
        .as_ref()
        .or(w.apparmor.as_ref())
        .map_or_else(|| w.origin.clone(), |p| p.at.clone());
    out.push(Verdict::pass(
        &DOC,
        &w.subject,
        at,
        format!(
            "neither seccomp nor AppArmor is unconfined (seccomp: {}, AppArmor: {})",
            describe(&w.seccomp),
            describe(&w.apparmor)
        ),
    ));
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
    fn kubernetes_container_overrides_pod_and_annotations_count() {
        let k = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/b: unconfined\nspec:\n  securityContext:\n    seccompProfile: {type: Unconfined}\n  containers:\n  - name: a\n    image: x:1\n    securityContext:\n      seccompProfile: {type: RuntimeDefault}\n  - name: b\n    image: x:1\n    securityContext:\n      seccompProfile: {type: RuntimeDefault}\n  - name: c\n    image: x:1\n";
        let s = summary(&Fixture::new("kubernetes", k, &[]).run(run));
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(s[0].0 && s[0].1 == 14, "{s:?}");
        assert!(
            !s[1].0 && s[1].1 == 6 && s[1].2.contains("AppArmor"),
            "{s:?}"
        );
        assert!(
            !s[2].0 && s[2].1 == 9 && s[2].2.contains("seccomp"),
            "{s:?}"
        );
    }
}
