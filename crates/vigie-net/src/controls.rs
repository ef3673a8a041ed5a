//! NET-01 … NET-04 judged on the graph.

use crate::model::*;
use std::collections::BTreeMap;
use vigie_core::model::Platform;
use vigie_core::{CheckDoc, Location, Severity, Verdict};

pub static NET_01_1: CheckDoc = CheckDoc {
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

pub static NET_02_1: CheckDoc = CheckDoc {
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

pub static NET_02_2: CheckDoc = CheckDoc {
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

pub static NET_03_1: CheckDoc = CheckDoc {
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

pub static NET_03_2: CheckDoc = CheckDoc {
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

pub static NET_04_1: CheckDoc = CheckDoc {
    id: "NET-04.1",
    title: "Default-deny NetworkPolicy in every namespace with workloads",
    severity: Severity::Medium,
    applies_to: &["kubernetes"],
    what: "Each namespace that runs workloads has NetworkPolicies selecting every pod \
           (`podSelector: {}`) with the Ingress and Egress policy types and no rule for them: \
           nothing is allowed unless another policy allows it. A namespace is judged by its \
           name when the repository names it (a `Namespace` object, or `metadata.namespace` on \
           an object of the unit). Workloads that set no namespace (and, in a Helm chart with \
           no namespace configured in `vigie.toml`, those in `.Release.Namespace`) run in \
           whatever namespace the unit is applied to: the unit is judged instead, and passes \
           when it ships its own default-deny policies, either without a namespace (they land \
           with the workloads) or for a namespace it names (the one it is meant for).",
    why: "Kubernetes lets every pod talk to every other pod in the cluster by default; a \
          compromised pod can then scan and attack all of them.",
    fix: "Add `kind: NetworkPolicy` with `podSelector: {}` and `policyTypes: [Ingress, Egress]` \
          to the namespace, then allow each needed flow (DNS included) explicitly.",
    failing: (
        "deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: example/web:1\n",
    ),
    passing: (
        "deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: example/web:1\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n",
    ),
};

/// NET-04.1's subject for workloads that set no namespace: the unit is judged, in whatever
/// namespace it is applied to (the graph calls that namespace `default`).
pub const APPLIED_NAMESPACE: &str = "Namespace (the one the unit is applied to)";

pub static CHECKS: &[&CheckDoc] = &[
    &NET_01_1, &NET_02_1, &NET_02_2, &NET_03_1, &NET_03_2, &NET_04_1,
];

/// A table of evidence shown under a control in the roadmap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub control: String,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The verdicts, each with the workload it is about (for colouring the graph).
#[derive(Debug, Default)]
pub struct Judged {
    pub verdicts: Vec<(Option<Wid>, Verdict)>,
    pub tables: Vec<Table>,
}

impl Judged {
    /// Per workload: `Some(true)` when every NET verdict on it passes, `Some(false)` when one fails.
    pub fn status(&self, n: usize) -> Vec<Option<bool>> {
        let mut v = vec![None; n];
        for (w, verdict) in &self.verdicts {
            if let Some(w) = w {
                let ok = !verdict.is_fail();
                v[*w] = Some(v[*w].unwrap_or(true) && ok);
            }
        }
        v
    }
}

fn engine(w: &Workload) -> Option<String> {
    w.images
        .iter()
        .find_map(|i| crate::roles::database_engine(i))
}

/// How many sources into one database NET-02's table lists; the rest are counted.
pub const MAX_LISTED: usize = 50;

/// How many of the sources not allowed NET-02.1's message names; the rest are counted.
pub const MAX_NAMED: usize = 20;

/// Whether a flow from `from` into the database `db` is allowed by NET-02.
pub fn allowed_into_db(g: &Graph, from: Wid, db: Wid) -> bool {
    let f = &g.workloads[from];
    let d = &g.workloads[db];
    f.role.api
        || f.role.db_client
        || (f.role.database && (engine(f) == engine(d) || engine(f).is_none()))
}

fn loc_or(at: &Option<Location>, w: &Workload) -> Location {
    at.clone().unwrap_or_else(|| w.at.clone())
}

pub fn judge(g: &Graph) -> Judged {
    let mut out = Judged::default();
    let flows_to = g.flows_to();
    // each workload's database engine, read once rather than once per flow
    let engines: Vec<Option<String>> = g.workloads.iter().map(engine).collect();
    let mut exposures_of: Vec<Vec<&Exposure>> = vec![Vec::new(); g.workloads.len()];
    for e in &g.exposures {
        exposures_of[e.target].push(e);
    }
    let egress_of: BTreeMap<Wid, &Through> =
        g.egress_outside.iter().map(|(w, t)| (*w, t)).collect();
    for (wid, w) in g.workloads.iter().enumerate() {
        if !w.role.database {
            continue;
        }
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
                    &NET_01_1,
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
                &NET_01_1,
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
        // NET-02.1 and the evidence table
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
            rows.push(vec![
                src.name.clone(),
                src.role.label().to_string(),
                f.ports.to_string(),
                through.clone(),
                if ok { "yes" } else { "no" }.to_string(),
            ]);
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
        out.tables.push(Table {
            control: "NET-02".into(),
            title: format!("Who can reach the database {} ({})", w.name, w.group),
            columns: ["From", "Role", "Ports", "Through", "Allowed"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            rows,
        });
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
                    &NET_02_1,
                    &w.subject,
                    good_at.unwrap_or_else(|| w.at.clone()),
                    msg,
                ),
            ));
        } else {
            let mut v = Verdict::fail(
                &NET_02_1,
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
                            &NET_02_2,
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
                            &NET_02_2,
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
                            &NET_02_2,
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
                            &NET_02_2,
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
                        &NET_02_2,
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
                            &NET_02_2,
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
                    Verdict::pass(
                        &NET_03_1,
                        &w.subject,
                        e.at.clone(),
                        format!("{what}: {reason}"),
                    ),
                ));
            }
            continue;
        }
        if e.kind.through_proxy() && !w.role.database {
            out.verdicts.push((
                Some(e.target),
                Verdict::pass(
                    &NET_03_1,
                    &w.subject,
                    e.at.clone(),
                    format!("{what}: through the platform's reverse proxy"),
                ),
            ));
        } else if w.role.entrypoint && !w.role.database {
            out.verdicts.push((
                Some(e.target),
                Verdict::pass(
                    &NET_03_1,
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
                    &NET_03_1,
                    &w.subject,
                    e.at.clone(),
                    format!("{what}, but it is not a declared entry point ({})", w.role.label()),
                    "route it through the reverse proxy and remove the exposure, or declare it in vigie.toml [roles] entrypoints",
                ),
            ));
        }
        if e.tls.ok() {
            out.verdicts.push((
                Some(e.target),
                Verdict::pass(
                    &NET_03_2,
                    &w.subject,
                    e.at.clone(),
                    format!("{} by {}: {}", w.name, e.via, e.tls.reason()),
                ),
            ));
        } else {
            out.verdicts.push((
                Some(e.target),
                Verdict::fail(
                    &NET_03_2,
                    &w.subject,
                    e.at.clone(),
                    format!(
                        "{} is exposed by {} without TLS: {}",
                        w.name,
                        e.via,
                        e.tls.reason()
                    ),
                    "terminate TLS at the entry point (tls section, HTTPS listener, TLS port)",
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
                &NET_03_1,
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
    // NET-04
    for ns in &g.namespaces {
        if ns.workloads.is_empty() {
            continue;
        }
        let at = ns
            .declared
            .clone()
            .unwrap_or_else(|| g.workloads[ns.workloads[0]].at.clone());
        // a namespace the repository never names is the one the unit is applied to: the unit
        // is judged, not `default`
        let (subject, place) = if ns.named {
            (
                format!("Namespace/{}", ns.name),
                format!("the namespace {}", ns.name),
            )
        } else {
            (
                APPLIED_NAMESPACE.to_string(),
                "this unit sets no namespace; in the namespace it is applied to, it".to_string(),
            )
        };
        match (&ns.deny_ingress, &ns.deny_egress) {
            (Some((a, la)), Some((b, _))) => out.verdicts.push((
                None,
                Verdict::pass(
                    &NET_04_1,
                    subject,
                    la.clone(),
                    match (ns.named, a == b) {
                        (true, true) => format!("NetworkPolicy {}/{a} denies all ingress and egress by default", ns.name),
                        (true, false) => format!("NetworkPolicies {}/{a} (ingress) and {b} (egress) deny all traffic by default", ns.name),
                        (false, true) => format!("the unit sets no namespace and ships NetworkPolicy {a}, which denies all ingress and egress by default"),
                        (false, false) => format!("the unit sets no namespace and ships NetworkPolicies {a} (ingress) and {b} (egress), which deny all traffic by default"),
                    },
                ),
            )),
            (i, e) => {
                let mut missing = Vec::new();
                if i.is_none() {
                    missing.push("ingress");
                }
                if e.is_none() {
                    missing.push("egress");
                }
                let (message, fix) = if ns.named {
                    (
                        format!(
                            "{place} runs {} workload(s) with no default-deny {} NetworkPolicy ({} policies in it)",
                            ns.workloads.len(),
                            missing.join(" or "),
                            ns.policies
                        ),
                        format!(
                            "add a NetworkPolicy in {} with podSelector: {{}} and policyTypes: [Ingress, Egress] and no rules",
                            ns.name
                        ),
                    )
                } else {
                    (
                        format!(
                            "{place} runs {} workload(s) and ships no default-deny {} NetworkPolicy for it",
                            ns.workloads.len(),
                            missing.join(" or "),
                        ),
                        "add to the unit a NetworkPolicy without a namespace (it lands where the workloads do) with podSelector: {} and policyTypes: [Ingress, Egress] and no rules".to_string(),
                    )
                };
                out.verdicts.push((
                    None,
                    Verdict::fail(&NET_04_1, subject, at, message, fix),
                ));
            }
        }
    }
    out
}
