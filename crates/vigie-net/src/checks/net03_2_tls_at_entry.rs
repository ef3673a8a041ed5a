//! NET-03.2: what is exposed outside the platform is served over TLS.

use crate::controls::*;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "NET-03.2",
    title: "Exposed entry points serve TLS",
    severity: Severity::High,
    applies_to: &["compose", "kubernetes"],
    what: "Every exposure is over TLS: an Ingress with a `tls` section covering its host, a \
           Gateway listener of protocol HTTPS or TLS, a Traefik router (Compose labels, \
           IngressRoute, Ingress annotations) with `tls` or only on entry points that have TLS or \
           redirect to HTTPS in Traefik's static configuration (the file its service mounts, else \
           its `command` flags; by name, `websecure`, when none is in the repository), a published \
           or node port that is a TLS port (443, 8443…) or a Traefik entry point with TLS. Plain \
           port 80 published beside a TLS port on the same entry point is taken as the redirect to \
           HTTPS unless Traefik's configuration says otherwise (CRY-03 checks the redirect itself).",
    why: "Traffic from outside crosses networks the platform does not control; without TLS, \
          credentials and personal data travel in clear.",
    fix: "Terminate TLS at the entry point: add a `tls` section to the Ingress, an HTTPS listener \
          to the Gateway, or publish the proxy's TLS port instead of a plain one.",
    failing: (
        "docker-compose.yml",
        "services:\n  proxy:\n    image: nginx:1.27\n    ports: [\"8080:8080\"]\n",
    ),
    passing: (
        "docker-compose.yml",
        "services:\n  proxy:\n    image: nginx:1.27\n    ports: [\"443:8443\"]\n",
    ),
};

/// TLS for an entry point; for a workload that is no entry point (a datastore published on a
/// host port), not publishing it comes first (NET-01.1, NET-03.1).
fn fix_for(w: &crate::model::Workload) -> &'static str {
    if w.role.database {
        "do not publish the database (NET-01.1): reach it from the services on their network; if it must be reachable from outside, require TLS on it"
    } else if !w.role.entrypoint {
        "do not publish it (only entry points are, NET-03.1): route it through the entry point; if it must stay published, give it TLS"
    } else {
        "terminate TLS at the entry point (tls section, HTTPS listener, TLS port)"
    }
}

pub(crate) fn judge(f: &Facts<'_>, out: &mut Judged) {
    let g = f.g;
    for e in &g.exposures {
        let w = &g.workloads[e.target];
        // reachable from the VPC only: its transport is the private network's concern
        if e.kind.private_reason().is_some() {
            continue;
        }
        if e.tls.ok() {
            out.verdicts.push((
                Some(e.target),
                Verdict::pass(
                    &DOC,
                    &w.subject,
                    e.at.clone(),
                    format!("{} by {}: {}", w.name, e.via, e.tls.reason()),
                ),
            ));
        } else {
            out.verdicts.push((
                Some(e.target),
                Verdict::fail(
                    &DOC,
                    &w.subject,
                    e.at.clone(),
                    format!(
                        "{} is exposed by {} without TLS: {}",
                        w.name,
                        e.via,
                        e.tls.reason()
                    ),
                    fix_for(w),
                ),
            ));
        }
    }
}
