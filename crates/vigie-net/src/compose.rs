//! Compose into the graph: networks (the project's default network included), `internal`,
//! `external`, membership and aliases, `network_mode`, `ports`, `expose`, `links`, `depends_on`,
//! Traefik router labels.
//!
//! Reachability follows the engine: services sharing a network reach each other on every port
//! (`expose` documents ports, it does not filter); a published port is reachable from outside
//! unless bound to loopback, and from every container that can reach the host (any container on
//! a network that is not `internal`, and host-network containers, which also reach loopback
//! bindings); `depends_on` and `links` order start-up and name peers but open nothing.

use crate::model::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use vigie_core::model::Platform;
use vigie_core::{DiagKind, Diagnostic, Location};
use vigie_parse::compose::Project;
use vigie_parse::yaml::{Node, Value};
use vigie_tls::routing::{Mounts, Setup};

/// Ports that speak TLS by convention.
const TLS_PORTS: &[u16] = &[
    443, 8443, 4443, 6443, 9443, 465, 993, 995, 636, 5671, 8883, 5986,
];

/// One `ports:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortMapping {
    pub host_ip: Option<String>,
    /// Host ports; `None` when the engine picks one.
    pub published: Option<(u16, u16)>,
    pub target: (u16, u16),
    pub proto: Proto,
}

impl PortMapping {
    /// Bound to the loopback interface only: not reachable from the network.
    pub fn loopback(&self) -> bool {
        match self.host_ip.as_deref() {
            Some(ip) => {
                let ip = ip.trim_matches(['[', ']']);
                ip == "localhost"
                    || ip == "::1"
                    || ip
                        .parse::<std::net::Ipv4Addr>()
                        .is_ok_and(|a| a.is_loopback())
            }
            None => false,
        }
    }

    pub fn show(&self) -> String {
        let r = |(a, b): (u16, u16)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        };
        let mut s = String::new();
        if let Some(ip) = &self.host_ip {
            s.push_str(ip);
            s.push(':');
        }
        if let Some(p) = self.published {
            s.push_str(&r(p));
            s.push(':');
        } else if self.host_ip.is_some() {
            s.push(':');
        }
        s.push_str(&r(self.target));
        if self.proto != Proto::Tcp {
            s.push('/');
            s.push_str(self.proto.as_str());
        }
        s
    }
}

fn range(s: &str) -> Option<(u16, u16)> {
    let s = s.trim();
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (a <= b).then_some((a, b))
        }
        None => {
            let p = s.parse().ok()?;
            Some((p, p))
        }
    }
}

/// Parse the short syntax `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`, IPv6 host
/// addresses in brackets.
pub fn parse_short_port(spec: &str) -> Result<PortMapping, String> {
    let spec = spec.trim();
    let (body, proto) = match spec.rsplit_once('/') {
        Some((b, p)) => (
            b,
            Proto::parse(p).ok_or_else(|| format!("unknown protocol `{p}`"))?,
        ),
        None => (spec, Proto::Tcp),
    };
    let (host_ip, rest) = if let Some(r) = body.strip_prefix('[') {
        let (ip, rest) = r
            .split_once(']')
            .ok_or_else(|| format!("unclosed `[` in `{spec}`"))?;
        let rest = rest
            .strip_prefix(':')
            .ok_or_else(|| format!("expected `:` after the address in `{spec}`"))?;
        (Some(format!("[{ip}]")), rest)
    } else {
        let parts: Vec<&str> = body.split(':').collect();
        match parts.len() {
            1 | 2 => (None, body),
            3 => (Some(parts[0].to_string()), &body[parts[0].len() + 1..]),
            _ => return Err(format!("cannot read the port mapping `{spec}`")),
        }
    };
    let bad = || format!("cannot read the port mapping `{spec}`");
    let (published, target) = match rest.split_once(':') {
        Some((h, c)) => (
            if h.trim().is_empty() {
                None
            } else {
                Some(range(h).ok_or_else(bad)?)
            },
            range(c).ok_or_else(bad)?,
        ),
        None => (None, range(rest).ok_or_else(bad)?),
    };
    Ok(PortMapping {
        host_ip: host_ip.filter(|s| !s.is_empty()),
        published,
        target,
        proto,
    })
}

fn parse_long_port(n: &Node) -> Result<PortMapping, String> {
    let target = n
        .get("target")
        .and_then(Node::as_str)
        .and_then(range)
        .ok_or("a long-syntax port needs a numeric `target`")?;
    let published = match n.get("published").and_then(Node::as_str) {
        Some(p) if !p.trim().is_empty() => {
            Some(range(p).ok_or_else(|| format!("cannot read `published: {p}`"))?)
        }
        _ => None,
    };
    let proto = match n.get("protocol").and_then(Node::as_str) {
        Some(p) => Proto::parse(p).ok_or_else(|| format!("unknown protocol `{p}`"))?,
        None => Proto::Tcp,
    };
    Ok(PortMapping {
        host_ip: n
            .get("host_ip")
            .and_then(Node::as_str)
            .map(str::to_string)
            .filter(|s| !s.is_empty()),
        published,
        target,
        proto,
    })
}

/// A service's `command` or `entrypoint`: a list, or a string Compose splits like a shell. The
/// words are only read for what program starts (roles), so a string is split at blanks with its
/// quotes dropped rather than parsed as a shell would.
fn compose_words(n: Option<&Node>) -> Option<Vec<String>> {
    let n = n.filter(|n| !n.is_null())?;
    Some(match n.as_str() {
        Some(s) => s
            .split_whitespace()
            .map(|w| w.trim_matches(['"', '\'']).to_string())
            .collect(),
        None => n
            .items()
            .iter()
            .map(|i| i.as_str().unwrap_or_default().to_string())
            .collect(),
    })
}

fn items_or_scalar(n: Option<&Node>) -> Vec<&Node> {
    match n.map(|n| &n.value) {
        Some(Value::Seq(v)) => v.iter().collect(),
        Some(Value::Scalar { .. }) if !n.unwrap().is_null() => vec![n.unwrap()],
        _ => Vec::new(),
    }
}

/// Names listed as a sequence or as the keys of a mapping (`networks:`, `depends_on:`).
fn names(n: Option<&Node>) -> Vec<(String, &Node, Option<&Node>)> {
    match n.map(|n| &n.value) {
        Some(Value::Seq(v)) => v
            .iter()
            .filter_map(|i| i.as_str().map(|s| (s.to_string(), i, None)))
            .collect(),
        Some(Value::Map(es)) => es
            .iter()
            .map(|e| {
                (
                    e.key.clone(),
                    &e.value,
                    (!e.value.is_null()).then_some(&e.value),
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn project_name(p: &Project, root: &Node) -> String {
    if let Some(n) = root.get("name").and_then(Node::as_str) {
        return n.to_string();
    }
    let dir = p.dir.rsplit('/').next().unwrap_or("");
    if dir.is_empty() {
        "project".to_string()
    } else {
        dir.to_ascii_lowercase()
    }
}

struct ServiceInfo<'a> {
    wid: Wid,
    node: &'a Node,
    mode: Option<(String, Location)>,
}

/// Add the workloads, networks and exposures of Compose projects; flows come later from
/// [`flows`].
/// The image the Dockerfile a service builds starts from (its `build.target` stage, else the
/// last, followed through `FROM <stage>`), when the Dockerfile is in the repository.
fn built_from(p: &Project, s: &Node, files: &dyn Mounts) -> Option<String> {
    let b = s.get("build")?;
    let (context, dockerfile, target) = match b.as_str() {
        Some(ctx) => (ctx, "Dockerfile", None),
        None => (
            b.get("context").and_then(Node::as_str).unwrap_or("."),
            b.get("dockerfile")
                .and_then(Node::as_str)
                .unwrap_or("Dockerfile"),
            b.get("target").and_then(Node::as_str),
        ),
    };
    if context.contains("://") || context.starts_with("git@") {
        return None;
    }
    let path = vigie_parse::compose::join(&p.dir, context)
        .and_then(|c| vigie_parse::compose::join(&c, dockerfile))?;
    let text = files.read(&path)?;
    let d = vigie_parse::dockerfile::Dockerfile::parse(Arc::new(vigie_core::SourceFile::new(
        path.as_str(),
        text,
    )))
    .ok()?;
    let stage = d.target_stage(target)?;
    d.base_image(stage, &BTreeMap::new()).map(|b| b.value)
}

pub fn lower(graph: &mut Graph, projects: &[Project], files: &dyn Mounts) {
    let mut all: Vec<(
        usize,
        Vec<ServiceInfo<'_>>,
        BTreeMap<String, usize>,
        &Project,
    )> = Vec::new();
    for (pi, p) in projects.iter().enumerate() {
        let Some(root) = &p.merged else { continue };
        let pname = project_name(p, root);
        // Traefik's entry points and the redirect middlewares of every service's labels
        let (mut traefik, _) = vigie_tls::routing::compose_setup(p, files);
        for svc in root.get("services").map(Node::entries).unwrap_or(&[]) {
            let labels = vigie_tls::routing::labels_of(&svc.value, p);
            traefik
                .redirects
                .extend(vigie_tls::routing::label_routers("", &labels).1);
        }
        // networks
        let mut nets: BTreeMap<String, usize> = BTreeMap::new();
        for e in root.get("networks").map(Node::entries).unwrap_or(&[]) {
            let v = &e.value;
            let external = match v.get("external") {
                Some(x) => x.as_bool().unwrap_or(!x.is_null()),
                None => false,
            };
            let internal = v.get("internal").and_then(Node::as_bool).unwrap_or(false);
            let explicit_name = v
                .get("name")
                .and_then(Node::as_str)
                .or_else(|| v.path(&["external", "name"]).and_then(Node::as_str));
            let display = if external {
                format!("external:{}", explicit_name.unwrap_or(&e.key))
            } else {
                match explicit_name {
                    Some(n) => n.to_string(),
                    None => format!("{pname}/{}", e.key),
                }
            };
            let g = graph.group_index(
                &display,
                &e.key,
                GroupKind::ComposeNetwork { internal, external },
            );
            if graph.groups[g].at.is_none() {
                graph.groups[g].at = Some(p.loc(e.key_pos));
            }
            nets.insert(e.key.clone(), g);
        }
        let mut services = Vec::new();
        for svc in root.get("services").map(Node::entries).unwrap_or(&[]) {
            let s = &svc.value;
            let mut listen = Vec::new();
            for x in items_or_scalar(s.get("expose")) {
                if let Some(t) = x.as_str() {
                    let (body, proto) = match t.rsplit_once('/') {
                        Some((b, p)) => (b, Proto::parse(p).unwrap_or(Proto::Tcp)),
                        None => (t, Proto::Tcp),
                    };
                    match range(body) {
                        Some((a, b)) => listen.push(Listen {
                            name: None,
                            range: PortRange {
                                proto,
                                from: a,
                                to: b,
                            },
                        }),
                        None => graph.diagnostics.push(Diagnostic::new(
                            DiagKind::Parse,
                            p.loc(x.pos),
                            format!("services.{}.expose: cannot read the port `{t}`", svc.key),
                        )),
                    }
                }
            }
            let mut w = Workload {
                platform: Platform::Compose,
                name: svc.key.clone(),
                kind: "service".into(),
                group: pname.clone(),
                subject: Arc::from(format!("{} › services.{}", p.name, svc.key)),
                at: p.loc(svc.key_pos),
                images: s
                    .get("image")
                    .and_then(Node::as_str)
                    .map(|i| vec![i.to_string()])
                    .unwrap_or_default(),
                runs: vec![Run {
                    image: s
                        .get("image")
                        .and_then(Node::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    built_from: built_from(p, s, files),
                    command: compose_words(s.get("entrypoint")),
                    args: compose_words(s.get("command")),
                }],
                labels: BTreeMap::new(),
                listen,
                networks: Vec::new(),
                mode: NetMode::Networks,
                role: Role::default(),
                role_source: None,
                one_shot: false,
                home: 0,
            };
            // ports: container side is listened on, host side is an exposure
            let mut mappings = Vec::new();
            for item in items_or_scalar(s.get("ports")) {
                let parsed = match item.as_str() {
                    Some(t) => parse_short_port(t),
                    None => parse_long_port(item),
                };
                match parsed {
                    Ok(m) => {
                        w.listen.push(Listen {
                            name: None,
                            range: PortRange {
                                proto: m.proto,
                                from: m.target.0,
                                to: m.target.1,
                            },
                        });
                        mappings.push((m, p.loc(item.pos)));
                    }
                    Err(msg) => graph.diagnostics.push(Diagnostic::new(
                        DiagKind::Parse,
                        p.loc(item.pos),
                        format!("services.{}.ports: {msg}", svc.key),
                    )),
                }
            }
            w.listen.sort_by_key(|l| l.range);
            w.listen.dedup();
            let wid = graph.workloads.len();
            let has_tls = mappings
                .iter()
                .any(|(m, _)| !m.loopback() && is_tls_mapping(m));
            let is_traefik = s
                .get("image")
                .and_then(Node::as_str)
                .is_some_and(|i| i.contains("traefik"));
            for (m, at) in mappings {
                if m.loopback() {
                    graph.loopback.push(Loopback {
                        target: wid,
                        ports: match m.published {
                            Some((a, b)) => Ports::from_ranges(vec![PortRange {
                                proto: m.proto,
                                from: a,
                                to: b,
                            }]),
                            None => Ports::Any,
                        },
                        via: format!("ports {}", m.show()),
                        at,
                    });
                    continue;
                }
                let host = m.published.unwrap_or(m.target);
                // Traefik's own ports: its static configuration says which entry point listens
                // there, with TLS, a redirect, or neither.
                let entry = is_traefik
                    .then(|| {
                        traefik
                            .entry_points
                            .iter()
                            .find(|e| e.port == Some(m.target.0))
                    })
                    .flatten();
                let tls = if let Some(e) = entry {
                    if e.tls {
                        Tls::Yes(format!(
                            "port {} is Traefik's entry point `{}`, with tls",
                            host.0, e.name
                        ))
                    } else if matches!(e.redirect, Some(Ok(_))) {
                        Tls::Redirect(format!(
                            "port {} is Traefik's entry point `{}`, which redirects to https",
                            host.0, e.name
                        ))
                    } else {
                        Tls::No(format!(
                            "port {} is Traefik's entry point `{}`, plain HTTP without a redirect to https",
                            host.0, e.name
                        ))
                    }
                } else if is_tls_mapping(&m) {
                    Tls::Yes(format!("port {} is a TLS port", host.0))
                } else if has_tls && matches!(m.target.0, 80 | 8080) {
                    Tls::Redirect(format!(
                        "port {} beside a TLS port is taken as the redirect to HTTPS",
                        host.0
                    ))
                } else {
                    Tls::No(format!(
                        "port {} is plain (no TLS port on this service)",
                        host.0
                    ))
                };
                graph.exposures.push(Exposure {
                    target: wid,
                    kind: ExposureKind::Published,
                    ports: match m.published {
                        Some((a, b)) => Ports::from_ranges(vec![PortRange {
                            proto: m.proto,
                            from: a,
                            to: b,
                        }]),
                        None => Ports::Any,
                    },
                    via: format!("ports {}", m.show()),
                    tls,
                    at,
                });
            }
            traefik_routes(graph, wid, s, p, &traefik);
            let mode = s
                .get("network_mode")
                .and_then(|n| n.as_str().map(|t| (t.to_string(), p.loc(n.pos))));
            graph.workloads.push(w);
            services.push(ServiceInfo { wid, node: s, mode });
        }
        all.push((pi, services, nets, p));
    }
    // membership and modes, once every service of every project exists
    for (_, services, nets, p) in &all {
        let by_name: HashMap<String, Wid> = services
            .iter()
            .map(|s| (graph.workloads[s.wid].name.clone(), s.wid))
            .collect();
        let root = p.merged.as_ref().expect("merged");
        let pname = project_name(p, root);
        for s in services {
            let name = graph.workloads[s.wid].name.clone();
            let declared = names(s.node.get("networks"));
            if let Some((mode, at)) = &s.mode {
                let m = match mode.as_str() {
                    "host" => NetMode::Host,
                    "none" => NetMode::None,
                    "bridge" => NetMode::Bridge,
                    other => match other
                        .strip_prefix("service:")
                        .or_else(|| other.strip_prefix("container:"))
                    {
                        Some(target) => match by_name.get(target) {
                            Some(t) if *t != s.wid => NetMode::Shared(*t),
                            _ => {
                                graph.diagnostics.push(Diagnostic::new(
                                    DiagKind::Reference,
                                    at.clone(),
                                    format!(
                                        "services.{name}.network_mode `{other}` names no other service of the project; the service is treated as having no network"
                                    ),
                                ));
                                NetMode::None
                            }
                        },
                        None => {
                            graph.diagnostics.push(Diagnostic::new(
                                DiagKind::Parse,
                                at.clone(),
                                format!(
                                    "services.{name}.network_mode `{other}` is not host, none, bridge, service:NAME or container:NAME"
                                ),
                            ));
                            NetMode::None
                        }
                    },
                };
                if !declared.is_empty() {
                    graph.diagnostics.push(Diagnostic::new(
                        DiagKind::Parse,
                        at.clone(),
                        format!(
                            "services.{name} sets both network_mode and networks, which Compose refuses; network_mode is kept"
                        ),
                    ));
                }
                graph.workloads[s.wid].mode = m;
                continue;
            }
            let mut joined = Vec::new();
            if declared.is_empty() {
                let g = match nets.get("default") {
                    Some(g) => *g,
                    None => graph.group_index(
                        &format!("{pname}/default"),
                        "default",
                        GroupKind::ComposeNetwork {
                            internal: false,
                            external: false,
                        },
                    ),
                };
                joined.push((g, Vec::new()));
            }
            for (net, at_node, cfg) in declared {
                let aliases: Vec<String> = cfg
                    .and_then(|c| c.get("aliases"))
                    .map(|a| {
                        items_or_scalar(Some(a))
                            .into_iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                let g = match nets.get(&net) {
                    Some(g) => *g,
                    None if net == "default" => graph.group_index(
                        &format!("{pname}/default"),
                        "default",
                        GroupKind::ComposeNetwork {
                            internal: false,
                            external: false,
                        },
                    ),
                    None => {
                        graph.diagnostics.push(Diagnostic::new(
                            DiagKind::Reference,
                            p.loc(at_node.pos),
                            format!(
                                "services.{name} joins the network `{net}`, which the top-level `networks:` does not define; Compose refuses to start it, and vigie leaves the service off that network"
                            ),
                        ));
                        continue;
                    }
                };
                joined.push((g, aliases));
            }
            graph.workloads[s.wid].networks = joined;
        }
        // links and depends_on: references only
        for s in services {
            let name = graph.workloads[s.wid].name.clone();
            for (field, list) in [
                ("depends_on", names(s.node.get("depends_on"))),
                ("links", Vec::new()),
            ] {
                for (dep, at_node, _) in list {
                    if !by_name.contains_key(dep.as_str()) {
                        graph.diagnostics.push(Diagnostic::new(
                            DiagKind::Reference,
                            p.loc(at_node.pos),
                            format!("services.{name}.{field} names `{dep}`, which is no service of the project"),
                        ));
                    }
                }
            }
            for l in items_or_scalar(s.node.get("links")) {
                let Some(t) = l.as_str() else { continue };
                let target = t.split(':').next().unwrap_or(t);
                match by_name.get(target) {
                    None => graph.diagnostics.push(Diagnostic::new(
                        DiagKind::Reference,
                        p.loc(l.pos),
                        format!("services.{name}.links names `{target}`, which is no service of the project"),
                    )),
                    Some(&t) => {
                        let a = effective_networks(graph, s.wid);
                        let b = effective_networks(graph, t);
                        if !a.is_empty() && !a.iter().any(|g| b.contains(g)) {
                            graph.diagnostics.push(Diagnostic::new(
                                DiagKind::Reference,
                                p.loc(l.pos),
                                format!(
                                    "services.{name}.links names `{target}`, but they share no network: the link cannot connect them"
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }
}

fn is_tls_mapping(m: &PortMapping) -> bool {
    TLS_PORTS.contains(&m.target.0) || m.published.is_some_and(|p| TLS_PORTS.contains(&p.0))
}

/// Traefik router labels (`traefik.http.routers.R.entrypoints=websecure`, `...tls=true`): each
/// router is a route from outside, over TLS or not as the entry points it uses say.
fn traefik_routes(graph: &mut Graph, wid: Wid, s: &Node, p: &Project, setup: &Setup) {
    use vigie_tls::routing::{Transport, label_routers, labels_of, transport};
    let labels = labels_of(s, p);
    let (routers, _) = label_routers("", &labels);
    for r in routers {
        let tls = match transport(&r, setup) {
            Transport::Tls(why) => Tls::Yes(why),
            Transport::Redirect(why) => Tls::Redirect(why),
            Transport::Plain(why) => Tls::No(why),
        };
        graph.exposures.push(Exposure {
            target: wid,
            kind: ExposureKind::ProxyRoute,
            ports: Ports::Any,
            via: format!(
                "Traefik {}router `{}`",
                if r.tcp { "TCP " } else { "" },
                r.name
            ),
            tls,
            at: r.at,
        });
    }
}

/// The networks a workload is on, following `network_mode: service:x`.
pub fn effective_networks(graph: &Graph, w: Wid) -> Vec<usize> {
    let mut cur = w;
    for _ in 0..16 {
        match graph.workloads[cur].mode {
            NetMode::Shared(t) => cur = t,
            _ => break,
        }
    }
    let wl = &graph.workloads[cur];
    match wl.mode {
        NetMode::Networks => wl.networks.iter().map(|(g, _)| *g).collect(),
        _ => Vec::new(),
    }
}

fn effective_mode(graph: &Graph, w: Wid) -> NetMode {
    let mut cur = w;
    for _ in 0..16 {
        match graph.workloads[cur].mode {
            NetMode::Shared(t) => cur = t,
            ref m => return m.clone(),
        }
    }
    NetMode::None
}

/// Compute the flows between Compose workloads and their way out.
pub fn flows(graph: &mut Graph, compose: &[Wid]) {
    // the destinations whose flows are computed (all, unless only the databases' are wanted)
    let wanted: Vec<bool> = graph
        .workloads
        .iter()
        .map(|w| {
            graph
                .only_into_databases
                .as_ref()
                .is_none_or(|d| crate::roles::may_be_database(w, d))
        })
        .collect();
    let host_g = graph.group_index("host network", "host", GroupKind::Host);
    let bridge_g = graph.group_index("engine default bridge", "bridge", GroupKind::DefaultBridge);
    let none_g = graph.group_index("no network", "none", GroupKind::Isolated);
    let mut members: BTreeMap<usize, Vec<Wid>> = BTreeMap::new();
    let mut host_mode = Vec::new();
    let mut reach_host: Vec<(Wid, Through)> = Vec::new();
    for &w in compose {
        let mode = effective_mode(graph, w);
        let nets = effective_networks(graph, w);
        let home = match mode {
            NetMode::Host => host_g,
            NetMode::Bridge => bridge_g,
            NetMode::None => none_g,
            _ => nets.first().copied().unwrap_or(none_g),
        };
        graph.workloads[w].home = home;
        match mode {
            NetMode::Host => {
                host_mode.push(w);
                reach_host.push((
                    w,
                    Through {
                        text: "network_mode: host".into(),
                        at: Some(graph.workloads[w].at.clone()),
                    },
                ));
            }
            NetMode::Bridge => {
                members.entry(bridge_g).or_default().push(w);
                reach_host.push((
                    w,
                    Through {
                        text: "the engine default bridge".into(),
                        at: Some(graph.workloads[w].at.clone()),
                    },
                ));
            }
            _ => {
                for g in &nets {
                    members.entry(*g).or_default().push(w);
                }
                if let Some(g) = nets.iter().find(|g| !graph.groups[**g].internal()) {
                    reach_host.push((
                        w,
                        Through {
                            text: format!("network {} (not internal)", graph.groups[*g].name),
                            at: graph.groups[*g].at.clone(),
                        },
                    ));
                }
            }
        }
        if let NetMode::Shared(t) = graph.workloads[w].mode {
            let (a, b) = (w, t);
            for (x, y) in [(a, b), (b, a)] {
                let ports = graph.workloads[y].listen_ports();
                graph.flows.push(Flow {
                    from: x,
                    to: y,
                    ports,
                    through: Through {
                        text: format!("network_mode: service:{}", graph.workloads[t].name),
                        at: Some(graph.workloads[a].at.clone()),
                    },
                    more: None,
                });
            }
        }
    }
    // pairs on a shared network: one flow per pair, through the first network shared
    let mut seen: std::collections::HashSet<(Wid, Wid)> = Default::default();
    for (g, ws) in &members {
        let through = Through {
            text: format!("network {}", graph.groups[*g].name),
            at: graph.groups[*g].at.clone(),
        };
        for &a in ws {
            for &b in ws {
                if a != b && wanted[b] && seen.insert((a, b)) {
                    let ports = graph.workloads[b].listen_ports();
                    graph.flows.push(Flow {
                        from: a,
                        to: b,
                        ports,
                        through: through.clone(),
                        more: None,
                    });
                }
            }
        }
    }
    // published ports are reachable from whoever reaches the host
    let published: Vec<(Wid, Ports, String, Location)> = graph
        .exposures
        .iter()
        .filter(|e| e.kind == ExposureKind::Published && compose.contains(&e.target))
        .map(|e| (e.target, e.ports.clone(), e.via.clone(), e.at.clone()))
        .collect();
    let mut host_flows: HashMap<(Wid, Wid), usize> = HashMap::new();
    for (to, ports, via, at) in published {
        if !wanted[to] {
            continue;
        }
        for (from, how) in &reach_host {
            if let Some(&i) = host_flows.get(&(*from, to)) {
                graph.flows[i].ports = graph.flows[i].ports.union(&ports);
                continue;
            }
            if *from != to && seen.insert((*from, to)) {
                host_flows.insert((*from, to), graph.flows.len());
                graph.flows.push(Flow {
                    from: *from,
                    to,
                    ports: ports.clone(),
                    through: Through {
                        text: format!("the host's published port ({via}), via {}", how.text),
                        at: Some(at.clone()),
                    },
                    more: None,
                });
            }
        }
    }
    let loopback: Vec<(Wid, Ports, String, Location)> = graph
        .loopback
        .iter()
        .filter(|l| compose.contains(&l.target))
        .map(|l| (l.target, l.ports.clone(), l.via.clone(), l.at.clone()))
        .collect();
    for (to, ports, via, at) in loopback {
        if !wanted[to] {
            continue;
        }
        for &from in &host_mode {
            if let Some(&i) = host_flows.get(&(from, to)) {
                graph.flows[i].ports = graph.flows[i].ports.union(&ports);
                continue;
            }
            if from != to && seen.insert((from, to)) {
                host_flows.insert((from, to), graph.flows.len());
                graph.flows.push(Flow {
                    from,
                    to,
                    ports: ports.clone(),
                    through: Through {
                        text: format!("the host's loopback ({via}), via network_mode: host"),
                        at: Some(at.clone()),
                    },
                    more: None,
                });
            }
        }
    }
    // host-network workloads listen on the host: reachable from outside and from the containers
    for &to in &host_mode {
        let at = graph.workloads[to].at.clone();
        graph.exposures.push(Exposure {
            target: to,
            kind: ExposureKind::HostNetwork,
            ports: graph.workloads[to].listen_ports(),
            via: "network_mode: host".into(),
            tls: Tls::No("a host-network service listens on the host's interfaces directly, with no TLS entry point in front".into()),
            at,
        });
        for (from, how) in &reach_host {
            if *from != to && seen.insert((*from, to)) {
                graph.flows.push(Flow {
                    from: *from,
                    to,
                    ports: graph.workloads[to].listen_ports(),
                    through: Through {
                        text: format!(
                            "the host's interfaces (network_mode: host), via {}",
                            how.text
                        ),
                        at: Some(graph.workloads[to].at.clone()),
                    },
                    more: None,
                });
            }
        }
    }
    graph.egress_outside.extend(reach_host);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> PortMapping {
        parse_short_port(s).unwrap()
    }

    #[test]
    fn short_ports() {
        assert_eq!(m("3000").published, None);
        assert_eq!(m("3000").target, (3000, 3000));
        assert!(!m("3000").loopback());
        let x = m("127.0.0.1:5432:5432");
        assert!(x.loopback());
        assert_eq!(x.published, Some((5432, 5432)));
        assert!(!m("5432:5432").loopback());
        assert!(!m("0.0.0.0:5432:5432").loopback());
        assert!(m("[::1]:6001:6001").loopback());
        assert!(m("localhost:80:80").loopback());
        let r = m("9090-9091:8080-8081/udp");
        assert_eq!(r.published, Some((9090, 9091)));
        assert_eq!(r.target, (8080, 8081));
        assert_eq!(r.proto, Proto::Udp);
        let e = m("127.0.0.1::5000");
        assert_eq!(e.published, None);
        assert!(e.loopback());
        assert!(parse_short_port("a:b").is_err());
        assert!(parse_short_port("80/icmp").is_err());
        assert_eq!(m("10.0.0.5:8080:80").show(), "10.0.0.5:8080:80");
    }
}
