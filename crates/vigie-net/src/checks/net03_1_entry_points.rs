//! NET-03.1: only declared entry points are exposed outside the platform.

use crate::controls::*;
use std::collections::BTreeMap;
use vigie_core::model::Platform;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "NET-03.1",
    title: "Only declared entry points are exposed",
    severity: Severity::High,
    applies_to: &["compose", "kubernetes"],
    what: "Every workload reachable from outside the platform is a declared entry point \
           (`[roles] entrypoints` in vigie.toml, else the reverse proxies recognised by image: \
           nginx, Traefik, Caddy, HAProxy, Envoy) or is reached through the platform's reverse \
           proxy (Ingress, Gateway API route, Traefik router). Exposure: Compose ports on a \
           routable address, `network_mode: host`, NodePort and LoadBalancer Services, \
           `externalIPs`, `hostPort`, `hostNetwork`.",
    why: "Each directly exposed service is one more attack surface that bypasses the proxy's TLS, \
          filtering, rate limits and logs.",
    fix: "Remove the published port or node-level exposure and route the service through the \
          reverse proxy, or declare it in `[roles] entrypoints` if it truly is one.",
    failing: (
        "docker-compose.yml",
        "services:\n  proxy:\n    image: nginx:1.27\n    ports: [\"443:443\"]\n  api:\n    image: example/api:1\n    ports: [\"3000:3000\"]\n",
    ),
    passing: (
        "docker-compose.yml",
        "services:\n  proxy:\n    image: nginx:1.27\n    ports: [\"443:443\"]\n  api:\n    image: example/api:1\n",
    ),
};

pub(crate) fn judge(f: &Facts<'_>, out: &mut Judged) {
    let g = f.g;
    // NET-03
    let mut exposed_groups: BTreeMap<(Platform, String), bool> = BTreeMap::new();
    for w in &g.workloads {
        exposed_groups
            .entry((w.platform, w.group.clone()))
            .or_insert(false);
    }
    for e in &g.exposures {
        let w = &g.workloads[e.target];
        exposed_groups.insert((w.platform, w.group.clone()), true);
        let what = format!("{} is exposed by {} ({})", w.name, e.via, e.kind.as_str());
        if let Some(reason) = e.kind.private_reason() {
            // reachable from the VPC only: not an entry point from outside, and its transport
            // is the private network's concern (NET-01.1 still reports a database behind it)
            if !w.role.database {
                out.verdicts.push((
                    Some(e.target),
                    Verdict::pass(&DOC, &w.subject, e.at.clone(), format!("{what}: {reason}")),
                ));
            }
            continue;
        }
        if e.kind.through_proxy() && !w.role.database {
            out.verdicts.push((
                Some(e.target),
                Verdict::pass(
                    &DOC,
                    &w.subject,
                    e.at.clone(),
                    format!("{what}: through the platform's reverse proxy"),
                ),
            ));
        } else if w.role.entrypoint && !w.role.database {
            out.verdicts.push((
                Some(e.target),
                Verdict::pass(
                    &DOC,
                    &w.subject,
                    e.at.clone(),
                    format!(
                        "{what}: a declared entry point ({})",
                        w.role_source.as_deref().unwrap_or("reverse proxy")
                    ),
                ),
            ));
        } else {
            out.verdicts.push((
                Some(e.target),
                Verdict::fail(
                    &DOC,
                    &w.subject,
                    e.at.clone(),
                    format!("{what}, but it is not a declared entry point ({})", w.role.label()),
                    "route it through the reverse proxy and remove the exposure, or declare it in vigie.toml [roles] entrypoints",
                ),
            ));
        }
    }
    for ((platform, group), exposed) in exposed_groups {
        if exposed {
            continue;
        }
        let Some((wid, w)) = g
            .workloads
            .iter()
            .enumerate()
            .find(|(_, w)| w.platform == platform && w.group == group)
        else {
            continue;
        };
        out.verdicts.push((
            None,
            Verdict::pass(
                &DOC,
                format!(
                    "{} {group}",
                    if platform == Platform::Compose {
                        "project"
                    } else {
                        "namespace"
                    }
                ),
                w.at.clone(),
                format!("no workload of {group} is exposed outside the platform"),
            ),
        ));
        let _ = wid;
    }
}
