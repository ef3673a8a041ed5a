//! NET-02.2: a database has no way out of the platform.

use crate::controls::*;
use crate::model::*;
use vigie_core::model::Platform;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "NET-02.2",
    title: "Databases sit on an internal network with no way out",
    severity: Severity::Medium,
    applies_to: &["compose", "kubernetes"],
    what: "Every Compose network a database joins has `internal: true` (not the project's default \
           network, not the engine's default bridge, not the host network); in Kubernetes, the \
           database pods' egress is restricted by a NetworkPolicy and reaches nothing outside \
           the cluster.",
    why: "A database that can open connections to the Internet is a ready exfiltration channel \
          for an attacker who gets a foothold in it (`COPY … TO PROGRAM`, UDFs, replication to a \
          foreign host).",
    fix: "Compose: declare the database's network with `internal: true`. Kubernetes: a \
          default-deny egress policy in the namespace, and allow only what the database needs.",
    failing: (
        "docker-compose.yml",
        "services:\n  api:\n    image: example/api:1\n  db:\n    image: postgres:16\n",
    ),
    passing: (
        "docker-compose.yml",
        "services:\n  api:\n    image: example/api:1\n    networks: [data]\n  db:\n    image: postgres:16\n    networks: [data]\nnetworks:\n  data:\n    internal: true\n",
    ),
};

pub(crate) fn judge(f: &Facts<'_>, out: &mut Judged) {
    let g = f.g;
    let egress_of = &f.egress_of;
    for (wid, w) in f.databases() {
        // NET-02.2
        match w.platform {
            Platform::Compose => {
                let nets: Vec<usize> = crate::compose::effective_networks(g, wid);
                let open: Vec<&Group> = nets
                    .iter()
                    .map(|n| &g.groups[*n])
                    .filter(|n| !n.internal())
                    .collect();
                let mode = &g.workloads[wid].mode;
                if matches!(mode, NetMode::Host | NetMode::Bridge) {
                    out.verdicts.push((
                        Some(wid),
                        Verdict::fail(
                            &DOC,
                            &w.subject,
                            w.at.clone(),
                            format!(
                                "{} runs on {}, not on an internal network",
                                w.name,
                                if *mode == NetMode::Host {
                                    "the host network"
                                } else {
                                    "the engine default bridge"
                                }
                            ),
                            "remove network_mode and join an `internal: true` network",
                        ),
                    ));
                } else if !open.is_empty() {
                    let names: Vec<String> = open
                        .iter()
                        .map(|n| match &n.at {
                            Some(at) => format!("{} ({at})", n.name),
                            None => format!("{} (the project's implicit default network)", n.name),
                        })
                        .collect();
                    out.verdicts.push((
                        Some(wid),
                        Verdict::fail(
                            &DOC,
                            &w.subject,
                            open[0].at.clone().unwrap_or_else(|| w.at.clone()),
                            format!(
                                "{} is on a network with a way out: {}",
                                w.name,
                                names.join(", ")
                            ),
                            "set `internal: true` on the database's network (and keep the proxy on another one)",
                        ),
                    ));
                } else if let Some(n) = nets.first() {
                    let gr = &g.groups[*n];
                    out.verdicts.push((
                        Some(wid),
                        Verdict::pass(
                            &DOC,
                            &w.subject,
                            gr.at.clone().unwrap_or_else(|| w.at.clone()),
                            format!(
                                "{} is only on internal networks ({})",
                                w.name,
                                nets.iter()
                                    .map(|n| g.groups[*n].name.clone())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ),
                    ));
                } else {
                    out.verdicts.push((
                        Some(wid),
                        Verdict::pass(
                            &DOC,
                            &w.subject,
                            w.at.clone(),
                            format!("{} has no network (network_mode: none)", w.name),
                        ),
                    ));
                }
            }
            Platform::Kubernetes => match egress_of.get(&wid) {
                Some(t) => out.verdicts.push((
                    Some(wid),
                    Verdict::fail(
                        &DOC,
                        &w.subject,
                        loc_or(&t.at, w),
                        format!(
                            "{} can open connections outside the cluster: {}",
                            w.name, t.text
                        ),
                        "add a default-deny egress NetworkPolicy covering the database pods",
                    ),
                )),
                None => {
                    let ns = g.namespaces.iter().find(|n| n.name == w.group);
                    let at = ns
                        .and_then(|n| n.deny_egress.as_ref())
                        .map(|(_, l)| l.clone());
                    out.verdicts.push((
                        Some(wid),
                        Verdict::pass(
                            &DOC,
                            &w.subject,
                            at.unwrap_or_else(|| w.at.clone()),
                            format!(
                                "NetworkPolicies leave {} no egress outside the cluster",
                                w.name
                            ),
                        ),
                    ));
                }
            },
        }
    }
}
