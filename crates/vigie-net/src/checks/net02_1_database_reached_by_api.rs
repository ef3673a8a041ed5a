//! NET-02.1: only the API reaches a database (with the table of who can reach it).

use crate::controls::*;
use crate::model::*;
use vigie_core::model::Platform;
use vigie_core::{CheckDoc, Location, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "NET-02.1",
    title: "Databases are reachable only by the API",
    severity: Severity::High,
    applies_to: &["compose", "kubernetes"],
    what: "The only workloads that can open a connection to a database are the API (`[roles] api` \
           in vigie.toml, else workloads named `api` or `backend`), declared database clients \
           (`[roles] database_clients`) and the database's own replicas. Reachability is computed \
           from Compose networks, published ports and network modes, and from Kubernetes \
           NetworkPolicies.",
    why: "A compromised front end, worker or monitoring tool that can reach the database can \
          read or destroy the data directly; network isolation confines it to what the \
          application itself lets it do.",
    fix: "Compose: put the database on a network with `internal: true` shared only with the API. \
          Kubernetes: add a NetworkPolicy selecting the database pods whose ingress admits only \
          the API's pods.",
    failing: (
        "docker-compose.yml",
        "services:\n  api:\n    image: example/api:1\n  worker:\n    image: example/worker:1\n  db:\n    image: postgres:16\n",
    ),
    passing: (
        "docker-compose.yml",
        "services:\n  api:\n    image: example/api:1\n    networks: [data]\n  worker:\n    image: example/worker:1\n  db:\n    image: postgres:16\n    networks: [data]\nnetworks:\n  data:\n    internal: true\n",
    ),
};

pub(crate) fn judge(f: &Facts<'_>, out: &mut Judged) {
    let g = f.g;
    let flows_to = &f.flows_to;
    let engines = &f.engines;
    let exposures_of = &f.exposures_of;
    for (wid, w) in f.databases() {
        let ex = &exposures_of[wid];
        // NET-02.1 and the evidence table, built while the report has room for it
        let listing = out.tables.has_room("NET-02");
        let mut rows = Vec::new();
        let mut bad: Vec<String> = Vec::new();
        let mut bad_at: Vec<Location> = Vec::new();
        let mut good: Vec<String> = Vec::new();
        let mut good_at: Option<Location> = None;
        for e in ex {
            rows.push(vec![
                "outside".to_string(),
                "-".to_string(),
                e.ports.to_string(),
                format!("{} ({})", e.via, e.at),
                "no".to_string(),
            ]);
            bad.push(format!("the outside world through {}", e.via));
            bad_at.push(e.at.clone());
        }
        // every source of every flow in is judged; the table and the message list the first
        // [`MAX_LISTED`] by name and count the rest, so a database every pod can reach costs
        // work proportional to the pods, not a table and a message of all their names
        let bad0 = bad.len();
        let mut incoming: Vec<(Wid, &Flow)> = flows_to[wid]
            .iter()
            .map(|i| &g.flows[*i])
            .flat_map(|f| f.sources().map(move |s| (s, f)))
            .collect();
        let by_name =
            |a: &(Wid, &Flow), b: &(Wid, &Flow)| g.workloads[a.0].name.cmp(&g.workloads[b.0].name);
        let (mut bad_n, mut good_n) = (0usize, 0usize);
        let allowed = |src: Wid| {
            let f = &g.workloads[src];
            f.role.api
                || f.role.db_client
                || (f.role.database && (engines[src].is_none() || engines[src] == engines[wid]))
        };
        for (src, _) in &incoming {
            if allowed(*src) {
                good_n += 1;
            } else {
                bad_n += 1;
            }
        }
        let listed_total = incoming.len();
        if incoming.len() > MAX_LISTED {
            incoming.select_nth_unstable_by(MAX_LISTED, by_name);
            incoming.truncate(MAX_LISTED);
        }
        incoming.sort_by(by_name);
        let listed = incoming.len();
        let mut listed_ok = 0usize;
        for (from, f) in incoming {
            let src = &g.workloads[from];
            let ok = allowed(from);
            if ok {
                listed_ok += 1;
            }
            let through = match &f.through.at {
                Some(at) => format!("{} ({at})", f.through.text),
                None => f.through.text.clone(),
            };
            if listing {
                rows.push(vec![
                    src.name.clone(),
                    src.role.label().to_string(),
                    f.ports.to_string(),
                    through.clone(),
                    if ok { "yes" } else { "no" }.to_string(),
                ]);
            }
            if ok && good.len() < MAX_NAMED {
                good.push(src.name.clone());
                if good_at.is_none() {
                    good_at = f.through.at.clone();
                }
            } else if bad.len() - bad0 < MAX_NAMED {
                bad.push(format!(
                    "{} ({}) through {}",
                    src.name,
                    src.role.label(),
                    through
                ));
                bad_at.push(loc_or(&f.through.at, src));
            }
        }
        if listed_total > MAX_LISTED {
            rows.push(vec![
                format!("… and {} more", listed_total - MAX_LISTED),
                String::new(),
                String::new(),
                String::new(),
                format!(
                    "{} more yes, {} more no",
                    good_n - listed_ok,
                    bad_n - (listed - listed_ok)
                ),
            ]);
        }
        let bad_more = bad_n - (bad.len() - bad0);
        if bad_more > 0 {
            bad.push(format!("and {bad_more} more"));
        }
        let good_more = good_n - good.len();
        if good_more > 0 {
            good.push(format!("{good_more} more"));
        }
        if listing {
            out.tables.push(Table {
                control: "NET-02".into(),
                title: format!("Who can reach the database {} ({})", w.name, w.group),
                columns: ["From", "Role", "Ports", "Through", "Allowed"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                rows,
            });
        } else {
            let more = usize::from(listed_total > MAX_LISTED);
            out.tables.leave_out("NET-02", 1, ex.len() + listed + more);
        }
        if bad.is_empty() {
            let msg = if good.is_empty() {
                format!("no workload can reach {}", w.name)
            } else {
                let by = flows_to[wid]
                    .first()
                    .map(|i| g.flows[*i].through.text.clone())
                    .unwrap_or_default();
                format!("only {} can reach {} ({by})", good.join(", "), w.name)
            };
            out.verdicts.push((
                Some(wid),
                Verdict::pass(
                    &DOC,
                    &w.subject,
                    good_at.unwrap_or_else(|| w.at.clone()),
                    msg,
                ),
            ));
        } else {
            let mut v = Verdict::fail(
                &DOC,
                &w.subject,
                w.at.clone(),
                format!(
                    "{} can be reached by {} other than the API: {}",
                    w.name,
                    bad0 + bad_n,
                    bad.join("; ")
                ),
                match w.platform {
                    Platform::Compose => {
                        "put the database on an `internal: true` network shared only with the API (declare it in [roles] api)"
                    }
                    Platform::Kubernetes => {
                        "add a NetworkPolicy selecting the database pods whose ingress admits only the API's pods"
                    }
                },
            );
            for l in bad_at.into_iter().take(8) {
                v = v.with_related(Some(l));
            }
            out.verdicts.push((Some(wid), v));
        }
    }
}
