//! CNT-08.1: a memory limit.

use super::{RUNTIME, judge_limit};
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-08.1",
    title: "Memory is limited",
    severity: Severity::Medium,
    applies_to: RUNTIME,
    what: "Each container has a memory limit: Compose `mem_limit` or \
           `deploy.resources.limits.memory`, Kubernetes `resources.limits.memory`. A limit of \
           0 or -1 means unlimited and fails. Kubernetes ephemeral containers, which cannot \
           carry resources, are not judged.",
    why: "Without a ceiling, one leaking or attacked container can take all the host's memory \
          and have the kernel kill its neighbours: a denial of service across every workload \
          on the machine.",
    fix: "Set a memory limit sized from the service's observed peak with some headroom.",
    failing: (
        "kubernetes",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: search\nspec:\n  containers:\n  - name: search\n    image: registry.example.org/search:7.1.0\n    resources:\n      requests:\n        memory: 512Mi\n",
    ),
    passing: (
        "kubernetes",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: search\nspec:\n  containers:\n  - name: search\n    image: registry.example.org/search:7.1.0\n    resources:\n      requests:\n        memory: 512Mi\n      limits:\n        memory: 1Gi\n",
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
            w.memory_limit.as_ref(),
            "memory",
            "add \"mem_limit: 512m\" (or deploy.resources.limits.memory) to the service",
            "set resources.limits.memory (e.g. 512Mi)",
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
    fn compose_forms_and_unlimited_values() {
        let c = "services:\n  a:\n    image: x:1\n    mem_limit: 256m\n  b:\n    image: x:1\n    deploy: {resources: {limits: {memory: 1G}}}\n  c:\n    image: x:1\n    mem_limit: \"0\"\n  d:\n    image: x:1\n";
        let s = summary(&Fixture::new("compose", c, &[]).run(run));
        assert_eq!(
            s,
            vec![
                (
                    true,
                    4,
                    "memory limited to 256m (docker-compose.yml:4)".into()
                ),
                (
                    true,
                    7,
                    "memory limited to 1G (docker-compose.yml:7)".into()
                ),
                (false, 10, "the memory limit `0` means no limit".into()),
                (false, 11, "no memory limit".into()),
            ]
        );
    }
}
