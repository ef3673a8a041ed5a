//! CNT-07: no host namespaces.

use super::{RUNTIME, by_platform};
use crate::Context;
use vigie_core::model::{Namespace, Workload};
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-07",
    title: "No host namespaces shared",
    severity: Severity::High,
    applies_to: RUNTIME,
    what: "No container joins a namespace of the host: network, PID, IPC, UTS or user \
           (Compose `network_mode`, `pid`, `ipc`, `uts`, `userns_mode` set to `host`; \
           Kubernetes `hostNetwork`, `hostPID`, `hostIPC` set to true).",
    why: "Namespaces are what make a container a container. On the host network it can reach \
          every local-only service and sniff traffic; in the host PID namespace it can see and \
          signal every process; in the host IPC namespace it can read shared memory of other \
          programs; in the host user namespace its root is the host's root.",
    fix: "Remove the host namespace setting. Publish ports instead of using the host network, \
          and use a sidecar sharing the pod's (not the host's) process namespace for debugging.",
    failing: (
        "kubernetes",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: probe\nspec:\n  hostNetwork: true\n  hostPID: true\n  containers:\n  - name: probe\n    image: registry.example.org/probe:2.0.1\n",
    ),
    passing: (
        "kubernetes",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: probe\nspec:\n  containers:\n  - name: probe\n    image: registry.example.org/probe:2.0.1\n    ports:\n    - containerPort: 9100\n",
    ),
};

/// The setting that shares a namespace, in the platform's syntax.
fn setting(w: &Workload, ns: Namespace) -> &'static str {
    match (w.platform, ns) {
        (vigie_core::model::Platform::Compose, n) => match n {
            Namespace::Network => "network_mode: host",
            Namespace::Pid => "pid: host",
            Namespace::Ipc => "ipc: host",
            Namespace::Uts => "uts: host",
            Namespace::User => "userns_mode: host",
        },
        (vigie_core::model::Platform::Kubernetes, n) => match n {
            Namespace::Network => "hostNetwork: true",
            Namespace::Pid => "hostPID: true",
            Namespace::Ipc => "hostIPC: true",
            Namespace::Uts => "hostUTS: true",
            Namespace::User => "hostUsers: true",
        },
    }
}

fn judge(w: &Workload, out: &mut Vec<Verdict>) {
    for (ns, at) in &w.host_namespaces {
        let set = setting(w, *ns);
        out.push(Verdict::fail(
            &DOC,
            &w.subject,
            at.clone(),
            format!("shares the host {} namespace ({set})", ns.as_str()),
            by_platform(
                w,
                &format!("remove \"{set}\" from the service"),
                &format!("remove {set} from the pod spec"),
            ),
        ));
    }
    if w.host_namespaces.is_empty() {
        out.push(Verdict::pass(
            &DOC,
            &w.subject,
            w.origin.clone(),
            "shares no namespace with the host",
        ));
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
        let s = summary(&Fixture::new(DOC.failing.0, DOC.failing.1, &[]).run(run));
        assert_eq!(
            s,
            vec![
                (
                    false,
                    6,
                    "shares the host network namespace (hostNetwork: true)".into()
                ),
                (
                    false,
                    7,
                    "shares the host PID namespace (hostPID: true)".into()
                ),
            ]
        );
    }

    #[test]
    fn compose_network_mode() {
        let c = "services:\n  a:\n    image: x:1\n    network_mode: host\n    ipc: host\n";
        let vs = Fixture::new("compose", c, &[]).run(run);
        assert_eq!(
            &*vs[0].message,
            "shares the host network namespace (network_mode: host)"
        );
        assert_eq!(
            vs[0].fix(),
            Some("remove \"network_mode: host\" from the service")
        );
        assert_eq!(vs[1].location.line, 5);
    }
}
