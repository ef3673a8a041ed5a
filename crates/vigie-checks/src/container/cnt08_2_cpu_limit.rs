//! CNT-08.2: a CPU limit.

use super::{RUNTIME, judge_limit};
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-08.2",
    title: "CPU is limited",
    severity: Severity::Medium,
    applies_to: RUNTIME,
    what: "Each container has a CPU limit: Compose `cpus`, `cpu_quota` or \
           `deploy.resources.limits.cpus`, Kubernetes `resources.limits.cpu`. A limit of 0 \
           means unlimited and fails. Kubernetes ephemeral containers, which cannot carry \
           resources, are not judged.",
    why: "A container free to use every core can starve the others on the host, whether by a \
          bug, a traffic spike or a cryptominer planted by an intruder. A limit keeps one \
          workload's trouble its own.",
    fix: "Set a CPU limit from the service's measured needs.",
    failing: (
        "compose",
        "services:\n  thumbnails:\n    image: registry.example.org/thumbnails:2.2.0\n    mem_limit: 512m\n",
    ),
    passing: (
        "compose",
        "services:\n  thumbnails:\n    image: registry.example.org/thumbnails:2.2.0\n    mem_limit: 512m\n    cpus: \"1.5\"\n",
    ),
};

pub fn run(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    for w in cx
        .workloads
        .iter()
        .filter(|w| w.role != "ephemeralContainer")
    {
        judge_limit(
            &DOC,
            w,
            w.cpu_limit.as_ref(),
            "CPU",
            "add \"cpus: 1.0\" (or deploy.resources.limits.cpus) to the service",
            "set resources.limits.cpu (e.g. 500m)",
            out,
        );
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
    fn kubernetes_limits_and_ephemeral_containers() {
        let k = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x:1\n    resources: {limits: {cpu: 500m}}\n  - name: b\n    image: x:1\n  ephemeralContainers:\n  - name: debug\n    image: busybox:1.36\n";
        let vs = Fixture::new("kubernetes", k, &[]).run(run);
        let s = summary(&vs);
        assert_eq!(
            s.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
            [(true, 8), (false, 9)]
        );
        assert_eq!(vs[1].fix(), Some("set resources.limits.cpu (e.g. 500m)"));
    }
}
