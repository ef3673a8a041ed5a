//! CNT-02: every capability dropped, none added beyond NET_BIND_SERVICE.

use super::{RUNTIME, by_platform, privileged_first};
use crate::Context;
use vigie_core::model::Workload;
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-02",
    title: "All capabilities dropped, none added but NET_BIND_SERVICE",
    severity: Severity::High,
    applies_to: RUNTIME,
    what: "Each container drops every Linux capability (`cap_drop: [ALL]` in Compose, \
           `securityContext.capabilities.drop: [ALL]` in Kubernetes) and adds back at most \
           `NET_BIND_SERVICE`. Names are compared without case and with or without the `CAP_` \
           prefix. A privileged container holds every capability whatever it drops or adds: it \
           fails, at its `privileged: true`.",
    why: "Container runtimes grant a default set of capabilities (changing file ownership, \
          raw sockets, bypassing file permission checks, and more) that an ordinary service \
          never uses but an attacker inside the container can. Dropping them all and adding \
          back only what is needed shrinks what a compromised process can do to the kernel, \
          the network and the other containers.",
    fix: "Drop every capability and add back only `NET_BIND_SERVICE`, and only if the process \
          binds a port below 1024 — better still, listen on a high port instead.",
    failing: (
        "compose",
        "services:\n  web:\n    image: registry.example.org/web:2.4.1\n    cap_add:\n      - NET_ADMIN\n",
    ),
    passing: (
        "compose",
        "services:\n  web:\n    image: registry.example.org/web:2.4.1\n    cap_drop:\n      - ALL\n    cap_add:\n      - NET_BIND_SERVICE\n",
    ),
};

/// A capability name without case and `CAP_` prefix.
pub fn normalise(cap: &str) -> String {
    let c = cap.trim().to_ascii_uppercase();
    match c.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => c,
    }
}

const ALLOWED: &[&str] = &["NET_BIND_SERVICE"];

fn judge(w: &Workload, out: &mut Vec<Verdict>) {
    // privileged mode grants every capability; the runtime ignores what the lists say
    if let Some(v) = privileged_first(
        &DOC,
        w,
        "runs privileged: it holds every capability, whatever it drops or adds",
        (
            "add \"cap_drop: [ALL]\"",
            "set securityContext.capabilities.drop: [ALL]",
        ),
    ) {
        out.push(v);
        return;
    }
    let drop_all = w.cap_drop.iter().find(|c| normalise(&c.value) == "ALL");
    let mut failed = false;
    for c in &w.cap_add {
        let name = normalise(&c.value);
        if ALLOWED.contains(&name.as_str()) {
            continue;
        }
        failed = true;
        let message = if name == "ALL" {
            "adds back every capability (ALL)".to_string()
        } else {
            format!("adds the capability {name}")
        };
        out.push(Verdict::fail(
            &DOC,
            &w.subject,
            c.at.clone(),
            message,
            by_platform(
                w,
                &format!("remove {} from cap_add", c.value),
                &format!("remove {} from securityContext.capabilities.add", c.value),
            ),
        ));
    }
    match drop_all {
        None => {
            let (at, message) = match w.cap_drop.first() {
                Some(first) => (
                    first.at.clone(),
                    format!(
                        "drops only {} instead of ALL capabilities",
                        w.cap_drop
                            .iter()
                            .map(|c| normalise(&c.value))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
                None => (
                    w.origin.clone(),
                    "does not drop capabilities: the runtime's default set is kept".to_string(),
                ),
            };
            out.push(Verdict::fail(
                &DOC,
                &w.subject,
                at,
                message,
                by_platform(
                    w,
                    "add \"cap_drop: [ALL]\" to the service",
                    "set securityContext.capabilities.drop: [ALL]",
                ),
            ));
        }
        Some(all) if !failed => {
            let added: Vec<String> = w.cap_add.iter().map(|c| normalise(&c.value)).collect();
            let message = if added.is_empty() {
                "drops ALL capabilities and adds none".to_string()
            } else {
                format!("drops ALL capabilities and adds only {}", added.join(", "))
            };
            out.push(Verdict::pass(&DOC, &w.subject, all.at.clone(), message));
        }
        Some(_) => {}
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
    fn names_are_normalised_and_each_addition_fails() {
        let k = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x:1\n    securityContext:\n      capabilities:\n        drop: [all]\n        add: [CAP_NET_BIND_SERVICE]\n  - name: b\n    image: x:1\n    securityContext:\n      capabilities:\n        drop: [CAP_ALL]\n        add: [SYS_ADMIN, NET_RAW]\n  - name: c\n    image: x:1\n    securityContext:\n      capabilities:\n        drop: [NET_RAW]\n";
        let vs = Fixture::new("kubernetes", k, &[]).run(run);
        let s = summary(&vs);
        assert_eq!(s.len(), 4, "{s:?}");
        assert_eq!(
            s[0],
            (
                true,
                10,
                "drops ALL capabilities and adds only NET_BIND_SERVICE".into()
            )
        );
        assert_eq!(s[1], (false, 17, "adds the capability SYS_ADMIN".into()));
        assert_eq!(s[2], (false, 17, "adds the capability NET_RAW".into()));
        assert_eq!(
            s[3],
            (
                false,
                22,
                "drops only NET_RAW instead of ALL capabilities".into()
            )
        );
        assert_eq!(
            vs[3].fix(),
            Some("set securityContext.capabilities.drop: [ALL]")
        );
    }

    #[test]
    fn a_privileged_container_holds_every_capability() {
        let k = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x:1\n    securityContext:\n      privileged: true\n      capabilities:\n        drop: [ALL]\n";
        let vs = Fixture::new("kubernetes", k, &[]).run(run);
        assert_eq!(
            summary(&vs),
            vec![(
                false,
                9,
                "runs privileged: it holds every capability, whatever it drops or adds".into()
            )]
        );
    }

    #[test]
    fn compose_without_cap_drop_fails_at_the_service() {
        let vs = Fixture::new("compose", "services:\n  a:\n    image: x:1\n", &[]).run(run);
        assert_eq!(
            summary(&vs),
            vec![(
                false,
                2,
                "does not drop capabilities: the runtime's default set is kept".into()
            )]
        );
        assert_eq!(vs[0].fix(), Some("add \"cap_drop: [ALL]\" to the service"));
    }
}
