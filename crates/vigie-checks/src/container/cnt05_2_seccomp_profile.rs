//! CNT-05.2: an explicit seccomp profile.

use super::{RUNTIME, by_platform, short};
use crate::Context;
use vigie_core::model::{Platform, Profile, Workload};
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-05.2",
    title: "A seccomp profile is declared",
    severity: Severity::Medium,
    applies_to: RUNTIME,
    what: "Each container declares its seccomp profile rather than relying on what the host \
           happens to apply. Kubernetes: `seccompProfile.type` is `RuntimeDefault` or \
           `Localhost` (container, else pod). Compose: the service names a custom profile file \
           with `security_opt: [\"seccomp=<file>\"]`; the engine's built-in profile is \
           applied anyway, so only a profile written for the service counts as declared.",
    why: "On Kubernetes an unset profile means Unconfined on most nodes: the pod gets no system \
          call filtering at all unless the kubelet was configured otherwise. On Docker the \
          built-in profile is broad by design; a profile written for the service, kept in the \
          repository and reviewed like code, blocks the calls that service never makes.",
    fix: "Kubernetes: set `seccompProfile: {type: RuntimeDefault}` in the pod securityContext \
          (or a Localhost profile). Compose: generate a profile for the service (for example by \
          tracing its system calls in a test run), commit it, and reference it with \
          `security_opt: [\"seccomp=./security/seccomp-<service>.json\"]`.",
    failing: (
        "kubernetes",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: report\nspec:\n  containers:\n  - name: report\n    image: registry.example.org/report:5.0.3\n",
    ),
    passing: (
        "kubernetes",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: report\nspec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  containers:\n  - name: report\n    image: registry.example.org/report:5.0.3\n",
    ),
};

fn judge(w: &Workload, out: &mut Vec<Verdict>) {
    let fix = by_platform(
        w,
        &format!(
            "add `security_opt: [\"seccomp=./security/seccomp-{}.json\"]` to the service",
            w.name
        ),
        "set securityContext.seccompProfile: {type: RuntimeDefault}",
    );
    let Some(p) = &w.seccomp else {
        out.push(Verdict::fail(
            &DOC,
            &w.subject,
            w.origin.clone(),
            by_platform(
                w,
                "no seccomp profile file is declared (only the engine's built-in profile applies)",
                "no seccompProfile is set: the container runs unconfined on most nodes",
            ),
            fix,
        ));
        return;
    };
    let declared = match (&p.value, w.platform) {
        (Profile::File(f), _) => Some(format!("profile file `{f}`")),
        (Profile::RuntimeDefault, Platform::Kubernetes) => Some("RuntimeDefault".to_string()),
        (Profile::Localhost(n), Platform::Kubernetes) => Some(format!("Localhost profile `{n}`")),
        _ => None,
    };
    match declared {
        Some(what) => out.push(Verdict::pass(
            &DOC,
            &w.subject,
            p.at.clone(),
            format!("seccomp profile declared: {what} ({})", short(&p.at)),
        )),
        None => {
            let message = match &p.value {
                Profile::Unconfined => "seccomp is unconfined".to_string(),
                _ => "only the engine's built-in seccomp profile is named, not a profile for the service"
                    .to_string(),
            };
            out.push(Verdict::fail(&DOC, &w.subject, p.at.clone(), message, fix));
        }
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
    fn compose_needs_a_profile_file() {
        let c = "services:\n  a:\n    image: x:1\n    security_opt: [\"seccomp=./sec/a.json\"]\n  b:\n    image: x:1\n    security_opt: [\"seccomp=default\"]\n  c:\n    image: x:1\n";
        let vs = Fixture::new("compose", c, &[]).run(run);
        let s = summary(&vs);
        assert_eq!(
            s.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
            [(true, 4), (false, 7), (false, 8)]
        );
        assert_eq!(
            vs[2].fix(),
            Some("add `security_opt: [\"seccomp=./security/seccomp-c.json\"]` to the service")
        );
    }
}
