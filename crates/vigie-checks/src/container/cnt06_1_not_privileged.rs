//! CNT-06.1: no privileged containers.

use super::{RUNTIME, by_platform, short};
use crate::Context;
use vigie_core::model::Workload;
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-06.1",
    title: "No privileged containers",
    severity: Severity::Critical,
    applies_to: RUNTIME,
    what: "No container runs in privileged mode (`privileged: true` in Compose, \
           `securityContext.privileged: true` in Kubernetes).",
    why: "Privileged mode hands the container every capability, every host device, no seccomp \
          or AppArmor confinement and a writable /sys: root in such a container is root on the \
          host in all but name. It is the single setting that undoes every other hardening \
          measure.",
    fix: "Remove privileged mode. Grant the one capability or the one device the workload \
          really needs instead, and question whether it belongs in a container at all.",
    failing: (
        "compose",
        "services:\n  agent:\n    image: registry.example.org/agent:4.2.0\n    privileged: true\n",
    ),
    passing: (
        "compose",
        "services:\n  agent:\n    image: registry.example.org/agent:4.2.0\n    cap_drop: [ALL]\n",
    ),
};

fn judge(w: &Workload, out: &mut Vec<Verdict>) {
    match &w.privileged {
        Some(p) if p.value => out.push(Verdict::fail(
            &DOC,
            &w.subject,
            p.at.clone(),
            "runs privileged: every capability and device of the host, no confinement",
            by_platform(
                w,
                "remove \"privileged: true\" from the service",
                "set securityContext.privileged: false (or remove it)",
            ),
        )),
        Some(p) => out.push(Verdict::pass(
            &DOC,
            &w.subject,
            p.at.clone(),
            format!("privileged mode is off ({})", short(&p.at)),
        )),
        None => out.push(Verdict::pass(
            &DOC,
            &w.subject,
            w.origin.clone(),
            "privileged mode is not requested",
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
    fn kubernetes_init_containers_count() {
        let k = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n  - name: setup\n    image: x:1\n    securityContext: {privileged: true}\n  containers:\n  - name: a\n    image: x:1\n    securityContext: {privileged: false}\n";
        let s = summary(&Fixture::new("kubernetes", k, &[]).run(run));
        assert_eq!(
            s.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
            [(false, 8), (true, 12)]
        );
    }
}
