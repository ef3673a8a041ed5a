//! CNT-08.3: a PIDs limit.

use super::judge_limit;
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-08.3",
    title: "Process count is limited",
    severity: Severity::Low,
    applies_to: &["compose"],
    what: "Each Compose service limits how many processes it may create (`pids_limit` or \
           `deploy.resources.limits.pids`). Kubernetes sets this limit per node (the kubelet's \
           `podPidsLimit`), not in manifests, so its containers are not judged.",
    why: "A fork bomb, or a service that leaks threads, exhausts the host's process table and \
          stops every other program from starting a process, the host's own included. A \
          per-container ceiling contains it.",
    fix: "Set `pids_limit` to a few times the process and thread count the service normally \
          uses.",
    failing: (
        "compose",
        "services:\n  renderer:\n    image: registry.example.org/renderer:1.0.4\n",
    ),
    passing: (
        "compose",
        "services:\n  renderer:\n    image: registry.example.org/renderer:1.0.4\n    pids_limit: 200\n",
    ),
};

pub fn run(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    for w in cx.workloads.iter().filter(|w| w.pids_limit_applies) {
        judge_limit(
            &DOC,
            w,
            w.pids_limit.as_ref(),
            "process count",
            "add \"pids_limit: 200\" to the service",
            "set the kubelet's podPidsLimit on the nodes",
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::testing::{Fixture, assert_examples};

    #[test]
    fn examples() {
        assert_examples(&DOC, run, &[], &[]);
    }

    #[test]
    fn kubernetes_is_not_judged() {
        let k = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x:1\n";
        assert!(Fixture::new("kubernetes", k, &[]).run(run).is_empty());
    }
}
