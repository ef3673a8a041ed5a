//! NET-01.1: no database is reachable from outside the platform.

use crate::controls::*;
use crate::model::*;
use vigie_core::model::Platform;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "NET-01.1",
    title: "Database ports are not published",
    severity: Severity::High,
    applies_to: &["compose", "kubernetes"],
    what: "No database workload (recognised by its image, its port, or `[roles] database` in \
           vigie.toml) is reachable from outside the platform: no Compose `ports:` binding on a \
           routable address (loopback bindings such as `127.0.0.1:5432:5432` are not exposure), \
           no `network_mode: host`, no NodePort or LoadBalancer Service, `externalIPs`, Ingress or \
           Gateway route, `hostPort` or `hostNetwork`.",
    why: "A published database port is reached without going through the application: its \
          authentication is then the only barrier, and database servers are a favourite target \
          of mass scanning.",
    fix: "Remove the published port (use `docker compose exec` or an SSH tunnel to reach the \
          database for maintenance, or bind it to 127.0.0.1), and keep Kubernetes database \
          Services of type ClusterIP.",
    failing: (
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    ports: [\"5432:5432\"]\n",
    ),
    passing: (
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    ports: [\"127.0.0.1:5432:5432\"]\n",
    ),
};

pub(crate) fn judge(f: &Facts<'_>, out: &mut Judged) {
    let g = f.g;
    let exposures_of = &f.exposures_of;
    for (wid, w) in f.databases() {
        let why = w
            .role_source
            .as_deref()
            .map(|s| format!(" (a database by {s})"))
            .unwrap_or_default();
        // NET-01.1
        let ex = &exposures_of[wid];
        if ex.is_empty() {
            let lo: Vec<&Loopback> = g.loopback.iter().filter(|l| l.target == wid).collect();
            let msg = if lo.is_empty() {
                format!("{}{why} publishes no port outside the platform", w.name)
            } else {
                format!(
                    "{}{why} publishes no port outside the platform ({} bound to loopback only)",
                    w.name,
                    lo.iter()
                        .map(|l| l.via.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            out.verdicts.push((
                Some(wid),
                Verdict::pass(
                    &DOC,
                    &w.subject,
                    lo.first().map_or(w.at.clone(), |l| l.at.clone()),
                    msg,
                ),
            ));
        } else {
            let list: Vec<String> = ex
                .iter()
                .map(|e| format!("{} ({}, {})", e.via, e.kind.as_str(), e.at))
                .collect();
            let mut v = Verdict::fail(
                &DOC,
                &w.subject,
                ex[0].at.clone(),
                format!(
                    "{}{why} is reachable from outside: {}",
                    w.name,
                    list.join("; ")
                ),
                match w.platform {
                    Platform::Compose => {
                        "remove the published port, or bind it to 127.0.0.1 for local tooling"
                    }
                    Platform::Kubernetes => {
                        "make the database Service ClusterIP and route nothing external to it"
                    }
                },
            );
            for e in ex.iter().skip(1) {
                v = v.with_related(Some(e.at.clone()));
            }
            out.verdicts.push((Some(wid), v));
        }
    }
}
