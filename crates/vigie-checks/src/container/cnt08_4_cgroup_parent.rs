//! CNT-08.4: no custom cgroup parent.

use super::{RUNTIME, by_platform};
use crate::Context;
use vigie_core::model::Workload;
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-08.4",
    title: "No custom cgroup parent",
    severity: Severity::Medium,
    applies_to: RUNTIME,
    what: "No Compose service sets `cgroup_parent`, which places the container in a cgroup of \
           the operator's choosing instead of the one the engine creates for it. Kubernetes \
           offers no such setting, so its containers pass.",
    why: "The cgroup a container lives in carries its resource limits and accounting. Moving it \
          under another parent can escape the limits meant for it, or share a budget with host \
          services, which defeats the isolation resource limits are meant to give.",
    fix: "Remove `cgroup_parent` and express limits with `mem_limit`, `cpus` and `pids_limit`.",
    failing: (
        "compose",
        "services:\n  batch:\n    image: registry.example.org/batch:3.0.0\n    cgroup_parent: system.slice\n",
    ),
    passing: (
        "compose",
        "services:\n  batch:\n    image: registry.example.org/batch:3.0.0\n    mem_limit: 1g\n",
    ),
};

fn judge(w: &Workload, out: &mut Vec<Verdict>) {
    match &w.cgroup_parent {
        Some(c) => out.push(Verdict::fail(
            &DOC,
            &w.subject,
            c.at.clone(),
            format!("places the container under the cgroup `{}`", c.value),
            by_platform(
                w,
                "remove cgroup_parent from the service",
                "remove the cgroup parent setting",
            ),
        )),
        None => out.push(Verdict::pass(
            &DOC,
            &w.subject,
            w.origin.clone(),
            "runs in the cgroup the runtime creates for it (no cgroup_parent)",
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
    use crate::container::testing::assert_examples;

    #[test]
    fn examples() {
        assert_examples(&DOC, run, &[], &[]);
    }
}
