//! Traefik routing: the routers a platform declares (Compose labels, Kubernetes Ingress
//! annotations, `IngressRoute`/`IngressRouteTCP`), the entry points they listen on (static
//! configuration: a mounted file, else `command` flags), and from these which TLS option each
//! router uses and whether it is served over TLS, redirected to HTTPS, or plain.
//!
//! vigie's TLS analysis uses it to judge the option a router really gets; the network model uses
//! [`transport`] to decide whether a route exposed through Traefik is "only over TLS" (NET-03).

use crate::traefik::geti;
use std::sync::Arc;
use vigie_core::Location;
use vigie_parse::compose::Project;
use vigie_parse::kubernetes::Object;
use vigie_parse::yaml::{Node, Value};

/// An entry point of Traefik's static configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryPoint {
    pub name: String,
    pub port: Option<u16>,
    /// `http.tls` is set: every router on it is served over TLS.
    pub tls: bool,
    /// `http.tls.options`: the TLS option its routers use when they name none.
    pub tls_options: Option<String>,
    /// `asDefault: true`.
    pub as_default: bool,
    /// `http.redirections.entryPoint`: `Ok` when it is a permanent redirect to https.
    pub redirect: Option<Result<Location, String>>,
    pub at: Location,
}

/// A `redirectScheme` middleware.
#[derive(Debug, Clone, PartialEq)]
pub struct Redirect {
    pub name: String,
    pub scheme: String,
    pub permanent: bool,
    pub at: Location,
}

/// Where a router is declared, which decides how the TLS option it names is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provider {
    /// Compose (Docker) labels: TLS options cannot be declared there, so a name without
    /// `@provider` resolves to nothing.
    Docker,
    /// `IngressRoute`, `IngressRouteTCP` in this namespace.
    Crd(String),
    /// An `Ingress` served by Traefik, in this namespace.
    Ingress(String),
}

/// A router and the settings of it that matter for TLS.
#[derive(Debug, Clone, PartialEq)]
pub struct Router {
    pub name: String,
    /// How verdicts name it: `docker-compose.yml › services.grafana › router grafana`.
    pub subject: String,
    pub provider: Provider,
    /// The entry points it names, and where (none: every default entry point).
    pub entrypoints: Option<(Vec<String>, Location)>,
    /// Where TLS is turned on for the router (`tls=true`, `tls.options`, `tls.certresolver`,
    /// an IngressRoute's `spec.tls`, an Ingress's `tls:` or `router.tls` annotation).
    pub tls: Option<Location>,
    /// The TLS option it names, and where.
    pub options: Option<(String, Location)>,
    /// Middlewares it uses, provider suffix removed.
    pub middlewares: Vec<String>,
    /// TCP routers (`IngressRouteTCP`, `traefik.tcp.routers`): no HTTP, so no redirect.
    pub tcp: bool,
    pub at: Location,
}

/// What a platform's Traefik is configured with.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// Entry points of the static configuration; empty when vigie found none.
    pub entry_points: Vec<EntryPoint>,
    /// Where the static configuration was read (a mounted file, or the `command`).
    pub static_from: Option<Location>,
    /// The static configuration comes from `command` flags (no configuration file mounted).
    pub from_flags: bool,
    pub redirects: Vec<Redirect>,
}

fn loc(file: &Arc<str>, p: vigie_parse::yaml::Pos) -> Location {
    Location::new(file.clone(), p.line, p.col)
}

fn port_of(address: &str) -> Option<u16> {
    address.rsplit(':').next()?.split('/').next()?.parse().ok()
}

/// The entry points of a static configuration document.
pub fn entry_points(file: &Arc<str>, root: &Node) -> Vec<EntryPoint> {
    let Some(eps) = geti(root, "entryPoints") else {
        return Vec::new();
    };
    eps.entries()
        .iter()
        .map(|en| {
            let address = geti(&en.value, "address")
                .and_then(|a| a.as_str())
                .unwrap_or("");
            let http = geti(&en.value, "http");
            let tls = http.and_then(|h| geti(h, "tls"));
            let red = http
                .and_then(|h| geti(h, "redirections"))
                .and_then(|r| geti(r, "entryPoint"));
            let redirect = red.map(|r| {
                let permanent = geti(r, "permanent")
                    .and_then(|p| p.as_bool())
                    .unwrap_or(true);
                let scheme = geti(r, "scheme")
                    .and_then(|p| p.as_str())
                    .unwrap_or("https");
                if geti(r, "to").is_none() {
                    Err("the redirection names no target entry point (`to`)".to_string())
                } else if scheme != "https" {
                    Err(format!(
                        "the redirection goes to scheme `{scheme}`, not https"
                    ))
                } else if !permanent {
                    Err("the redirection is not permanent (`permanent: false`)".to_string())
                } else {
                    Ok(loc(file, r.pos))
                }
            });
            EntryPoint {
                name: en.key.clone(),
                port: port_of(address),
                tls: tls.is_some(),
                tls_options: tls
                    .and_then(|t| geti(t, "options"))
                    .and_then(|o| o.as_str())
                    .map(str::to_string),
                as_default: geti(&en.value, "asDefault")
                    .and_then(|a| a.as_bool())
                    .unwrap_or(false),
                redirect,
                at: loc(file, en.key_pos),
            }
        })
        .collect()
}

/// `redirectScheme` middlewares of a dynamic configuration document.
pub fn file_redirects(file: &Arc<str>, root: &Node) -> Vec<Redirect> {
    let Some(mws) = geti(root, "http").and_then(|h| geti(h, "middlewares")) else {
        return Vec::new();
    };
    mws.entries()
        .iter()
        .filter_map(|m| {
            let r = geti(&m.value, "redirectScheme")?;
            Some(Redirect {
                name: m.key.clone(),
                scheme: geti(r, "scheme")
                    .and_then(|s| s.as_str())
                    .unwrap_or("https")
                    .to_string(),
                permanent: geti(r, "permanent")
                    .and_then(|p| p.as_bool())
                    .unwrap_or(false),
                at: loc(file, m.key_pos),
            })
        })
        .collect()
}

/// A Compose service's labels (map or `k=v` list), with the location of each.
pub fn labels_of(svc: &Node, p: &Project) -> Vec<(String, String, Location)> {
    let mut labels = Vec::new();
    match svc.get("labels").map(|n| &n.value) {
        Some(Value::Map(es)) => {
            for e in es {
                if let Some(v) = e.value.as_str() {
                    labels.push((e.key.clone(), v.to_string(), p.loc(e.key_pos)));
                }
            }
        }
        Some(Value::Seq(items)) => {
            for i in items {
                if let Some((k, v)) = i.as_str().and_then(|t| t.split_once('=')) {
                    labels.push((k.trim().to_string(), v.trim().to_string(), p.loc(i.pos)));
                }
            }
        }
        _ => {}
    }
    labels
}

fn truthy(v: &str) -> bool {
    v.trim().eq_ignore_ascii_case("true")
}

fn strip_provider(s: &str) -> String {
    s.split('@').next().unwrap_or(s).trim().to_string()
}

/// Routers and `redirectScheme` middlewares declared by a Compose service's labels (Traefik
/// reads labels without regard to case). `traefik.enable=false` declares none.
pub fn label_routers(
    subject: &str,
    labels: &[(String, String, Location)],
) -> (Vec<Router>, Vec<Redirect>) {
    let lower: Vec<(String, &str, &Location)> = labels
        .iter()
        .map(|(k, v, at)| (k.to_ascii_lowercase(), v.as_str(), at))
        .collect();
    if lower
        .iter()
        .any(|(k, v, _)| k == "traefik.enable" && v.trim().eq_ignore_ascii_case("false"))
    {
        return (Vec::new(), Vec::new());
    }
    let mut routers: Vec<Router> = Vec::new();
    let mut redirects: Vec<Redirect> = Vec::new();
    for (k, v, at) in &lower {
        let (rest, tcp) = if let Some(r) = k.strip_prefix("traefik.http.routers.") {
            (r, false)
        } else if let Some(r) = k.strip_prefix("traefik.tcp.routers.") {
            (r, true)
        } else if let Some(r) = k.strip_prefix("traefik.http.middlewares.") {
            let Some((name, field)) = r.split_once('.') else {
                continue;
            };
            let Some(field) = field.strip_prefix("redirectscheme.") else {
                continue;
            };
            let i = match redirects.iter().position(|m| m.name == name) {
                Some(i) => i,
                None => {
                    redirects.push(Redirect {
                        name: name.to_string(),
                        scheme: "https".into(),
                        permanent: false,
                        at: (*at).clone(),
                    });
                    redirects.len() - 1
                }
            };
            match field {
                "scheme" => redirects[i].scheme = v.trim().to_ascii_lowercase(),
                "permanent" => redirects[i].permanent = truthy(v),
                _ => {}
            }
            continue;
        } else {
            continue;
        };
        let Some((name, field)) = rest.split_once('.') else {
            continue;
        };
        let i = match routers.iter().position(|r| r.name == name && r.tcp == tcp) {
            Some(i) => i,
            None => {
                routers.push(Router {
                    name: name.to_string(),
                    subject: format!("{subject} › {}router {name}", if tcp { "TCP " } else { "" }),
                    provider: Provider::Docker,
                    entrypoints: None,
                    tls: None,
                    options: None,
                    middlewares: Vec::new(),
                    tcp,
                    at: (*at).clone(),
                });
                routers.len() - 1
            }
        };
        let r = &mut routers[i];
        match field {
            "entrypoints" => {
                r.entrypoints = Some((
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect(),
                    (*at).clone(),
                ))
            }
            "tls" if truthy(v) => r.tls = Some((*at).clone()),
            "tls" => {}
            "tls.options" => {
                r.tls.get_or_insert_with(|| (*at).clone());
                r.options = Some((v.trim().to_string(), (*at).clone()));
            }
            "middlewares" => {
                r.middlewares = v.split(',').map(strip_provider).collect();
            }
            f if f.starts_with("tls.") => {
                r.tls.get_or_insert_with(|| (*at).clone());
            }
            _ => {}
        }
    }
    (routers, redirects)
}

/// Bind-mounted files of a Compose service (short and long volume syntax), as paths relative to
/// the repository root with their target in the container.
pub fn bind_mounts(svc: &Node, p: &Project) -> Vec<(String, String, Location)> {
    let mut out = Vec::new();
    for v in svc.get("volumes").map(Node::items).unwrap_or(&[]) {
        let (src, dst) = match v.as_str() {
            Some(s) => {
                let mut parts = s.splitn(3, ':');
                let (Some(a), Some(b)) = (parts.next(), parts.next()) else {
                    continue;
                };
                (a.to_string(), b.to_string())
            }
            None => {
                if v.get("type").and_then(Node::as_str) != Some("bind") {
                    continue;
                }
                let (Some(a), Some(b)) = (
                    v.get("source").and_then(Node::as_str),
                    v.get("target").and_then(Node::as_str),
                ) else {
                    continue;
                };
                (a.to_string(), b.to_string())
            }
        };
        if !(src.starts_with('.') || src.starts_with('/')) {
            continue; // a named volume
        }
        if let Some(rel) = vigie_parse::compose::join(&p.dir, &src) {
            out.push((rel, dst, p.loc(v.pos)));
        }
    }
    out
}

/// What the TLS and network analyses need to read mounted configuration.
pub trait Mounts {
    fn read(&self, rel: &str) -> Option<String>;
    /// Files under a folder of the repository (relative paths).
    fn under(&self, dir: &str) -> Vec<String>;
}

impl<F: crate::Files + ?Sized> Mounts for F {
    fn read(&self, rel: &str) -> Option<String> {
        crate::Files::read(self, rel)
    }
    fn under(&self, dir: &str) -> Vec<String> {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.list()
            .iter()
            .filter(|n| n.starts_with(&prefix))
            .map(|n| n.to_string())
            .collect()
    }
}

/// Configuration documents (YAML without `apiVersion`, or TOML), with positions.
pub fn config_docs(rel: &str, text: &str) -> Vec<Node> {
    if rel.ends_with(".toml") {
        crate::traefik::toml_node(text).ok().into_iter().collect()
    } else {
        vigie_parse::yaml::parse(text)
            .documents
            .into_iter()
            .map(|d| d.root)
            .filter(|r| r.get("apiVersion").is_none())
            .collect()
    }
}

/// The Traefik services of a Compose project and what they are configured with: the static
/// configuration from a file mounted where Traefik looks for it (`/etc/traefik/traefik.*`, or
/// `--configFile`), else from the `command` flags (Traefik reads only one of them), and the
/// `redirectScheme` middlewares of mounted dynamic files. Also returns the mounted files read.
pub fn compose_setup(p: &Project, files: &dyn Mounts) -> (Setup, Vec<String>) {
    let mut setup = Setup::default();
    let mut read = Vec::new();
    let Some(services) = p.merged.as_ref().and_then(|m| m.get("services")) else {
        return (setup, read);
    };
    for svc in services.entries() {
        let s = &svc.value;
        let image = s.get("image").and_then(Node::as_str).unwrap_or("");
        let flags = command_flags(s);
        if !image.contains("traefik") && !flags.iter().any(|(f, _)| f.starts_with("--entrypoints."))
        {
            continue;
        }
        let config_file = flags
            .iter()
            .find_map(|(f, _)| {
                let (k, v) = f.strip_prefix("--")?.split_once('=')?;
                k.eq_ignore_ascii_case("configfile").then(|| v.to_string())
            })
            .unwrap_or_default();
        let mut from_file = false;
        for (rel, target, _) in bind_mounts(s, p) {
            let mut found: Vec<(String, String)> = Vec::new();
            match files.read(&rel) {
                Some(t) => found.push((rel.clone(), t)),
                None => {
                    for f in files.under(&rel) {
                        if let Some(t) = files.read(&f) {
                            found.push((f, t));
                        }
                    }
                }
            }
            for (f, text) in found {
                if !(f.ends_with(".yml") || f.ends_with(".yaml") || f.ends_with(".toml")) {
                    continue;
                }
                let file: Arc<str> = Arc::from(f.as_str());
                let docs = config_docs(&f, &text);
                if docs.is_empty() {
                    continue;
                }
                read.push(f.clone());
                let tbase = target.rsplit('/').next().unwrap_or("");
                let is_static_target = target == config_file
                    || (target.starts_with("/etc/traefik/")
                        && matches!(tbase, "traefik.yml" | "traefik.yaml" | "traefik.toml"))
                    || (target == "/etc/traefik"
                        && f.rsplit('/')
                            .next()
                            .is_some_and(|b| b.starts_with("traefik.")));
                for d in &docs {
                    if is_static_target {
                        let eps = entry_points(&file, d);
                        if !eps.is_empty() {
                            from_file = true;
                            setup.static_from = Some(Location::file(file.clone()));
                            setup.entry_points.extend(eps);
                        }
                    }
                    setup.redirects.extend(file_redirects(&file, d));
                }
            }
        }
        if !from_file && let Some(node) = crate::traefik::flags_node(&flags, svc.key_pos) {
            let file = p.loc(svc.key_pos).path;
            setup.static_from = Some(p.loc(svc.key_pos));
            setup.from_flags = true;
            setup.entry_points.extend(entry_points(&file, &node));
        }
    }
    (setup, read)
}

/// A service's `command` as flags with their positions.
pub fn command_flags(s: &Node) -> Vec<(String, vigie_parse::yaml::Pos)> {
    let Some(command) = s.get("command") else {
        return Vec::new();
    };
    match &command.value {
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(|t| (t.to_string(), i.pos)))
            .collect(),
        Value::Scalar { text, .. } => text
            .split_whitespace()
            .map(|t| (t.to_string(), command.pos))
            .collect(),
        Value::Map(_) => Vec::new(),
    }
}

/// How a router's traffic travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    Tls(String),
    /// Served on a plain entry point that only redirects to https.
    Redirect(String),
    Plain(String),
}

fn secure_name(n: &str) -> bool {
    let l = n.to_ascii_lowercase();
    matches!(l.as_str(), "websecure" | "https" | "web-secure" | "tls") || l.ends_with("secure")
}

/// Whether a router is served over TLS, given the entry points it listens on.
pub fn transport(r: &Router, setup: &Setup) -> Transport {
    if r.tls.is_some() {
        return Transport::Tls(format!("Traefik router `{}` sets tls", r.name));
    }
    if r.tcp {
        return Transport::Plain(format!(
            "Traefik TCP router `{}` has no tls: it forwards the connection as it comes",
            r.name
        ));
    }
    let named: Vec<String> = match &r.entrypoints {
        Some((v, _)) => v.clone(),
        None if !setup.entry_points.is_empty() => {
            let defaults: Vec<&EntryPoint> =
                setup.entry_points.iter().filter(|e| e.as_default).collect();
            let pick = if defaults.is_empty() {
                setup.entry_points.iter().collect()
            } else {
                defaults
            };
            pick.iter().map(|e| e.name.clone()).collect()
        }
        None => {
            return Transport::Plain(format!(
                "Traefik router `{}` serves every entry point without tls",
                r.name
            ));
        }
    };
    let mw_redirect = r.middlewares.iter().find_map(|m| {
        setup
            .redirects
            .iter()
            .find(|x| x.name.eq_ignore_ascii_case(m) && x.scheme == "https")
    });
    let mut plain = Vec::new();
    let mut redirected = Vec::new();
    let mut secure = Vec::new();
    for n in &named {
        match setup
            .entry_points
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(n))
        {
            Some(e) if e.tls => secure.push(format!("`{n}` has tls")),
            Some(e) if matches!(e.redirect, Some(Ok(_))) => {
                redirected.push(format!("`{n}` redirects to https"))
            }
            _ if mw_redirect.is_some() => redirected.push(format!(
                "`{n}` answers with the redirectScheme middleware `{}`",
                mw_redirect.map_or("", |m| m.name.as_str())
            )),
            Some(_) => plain.push(format!("`{n}` is plain and does not redirect")),
            None if setup.entry_points.is_empty() && secure_name(n) => {
                secure.push(format!("`{n}` (taken as a TLS entry point by its name)"))
            }
            None if setup.entry_points.is_empty() => plain.push(format!(
                "`{n}` (no static configuration found; not a TLS name)"
            )),
            None => plain.push(format!(
                "`{n}` is not an entry point of the static configuration"
            )),
        }
    }
    let all = [secure.clone(), redirected.clone(), plain.clone()].concat();
    let why = format!("Traefik router `{}`: {}", r.name, all.join(", "));
    if !plain.is_empty() {
        Transport::Plain(format!("{why}, and the router has no tls"))
    } else if !redirected.is_empty() && secure.is_empty() {
        Transport::Redirect(why)
    } else {
        Transport::Tls(why)
    }
}

/// The name of the TLS option a router gets, as Traefik looks it up: `default`, `name@file`,
/// `ns-name@kubernetescrd`; for a name without provider, the router's own provider.
pub fn option_key(r: &Router, setup: &Setup) -> (String, Option<Location>) {
    let (name, at) = match &r.options {
        Some((n, at)) => (n.clone(), Some(at.clone())),
        None => {
            let from_ep = r.entrypoints.as_ref().and_then(|(v, _)| {
                v.iter().find_map(|n| {
                    setup
                        .entry_points
                        .iter()
                        .find(|e| e.name.eq_ignore_ascii_case(n))
                        .and_then(|e| e.tls_options.clone().map(|o| (o, e.at.clone())))
                })
            });
            match from_ep {
                Some((o, at)) => (o, Some(at)),
                None => ("default".to_string(), None),
            }
        }
    };
    let name = name.trim().to_string();
    if name == "default" || name.contains('@') {
        return (name, at);
    }
    let key = match &r.provider {
        Provider::Docker => format!("{name}@docker"),
        Provider::Crd(ns) | Provider::Ingress(ns) => format!("{ns}-{name}@kubernetescrd"),
    };
    (key, at)
}

/// The key a defined option is referred to by.
pub fn file_option_key(name: &str) -> String {
    if name == "default" {
        "default".into()
    } else {
        format!("{name}@file")
    }
}

pub fn crd_option_key(o: &Object) -> String {
    if o.name == "default" {
        "default".into()
    } else {
        format!(
            "{}-{}@kubernetescrd",
            o.namespace.as_deref().unwrap_or("default"),
            o.name
        )
    }
}

fn is_traefik_api(v: &str) -> bool {
    v.starts_with("traefik.io/") || v.starts_with("traefik.containo.us/")
}

const ANN: &str = "traefik.ingress.kubernetes.io/";

/// Whether an Ingress is Traefik's (its class, or Traefik router annotations).
pub fn traefik_ingress(o: &Object) -> bool {
    let class = o
        .node
        .path(&["spec", "ingressClassName"])
        .and_then(Node::as_str)
        .or_else(|| {
            o.annotations()
                .and_then(|a| a.get("kubernetes.io/ingress.class"))
                .and_then(Node::as_str)
        });
    class.is_some_and(|c| c.contains("traefik"))
        || o.annotations()
            .is_some_and(|a| a.entries().iter().any(|e| e.key.starts_with(ANN)))
}

/// The Kubernetes objects the routing model needs.
pub fn keep(o: &Object) -> bool {
    matches!(
        o.kind.as_str(),
        "IngressRoute" | "IngressRouteTCP" | "Middleware"
    ) && is_traefik_api(&o.api_version)
}

fn crd_ref(n: &Node, ns: &str) -> Option<(String, String)> {
    let name = n.get("name").and_then(Node::as_str)?;
    let rns = n.get("namespace").and_then(Node::as_str).unwrap_or(ns);
    Some((rns.to_string(), name.to_string()))
}

/// A Kubernetes router and the Services it routes to (`namespace`, `name`, location).
pub struct KubeRouter {
    pub router: Router,
    pub services: Vec<(String, String, Location)>,
}

/// Routers of Traefik's Kubernetes objects: `IngressRoute`, `IngressRouteTCP` and Ingresses of
/// class traefik (their `router.*` annotations), with the Services they route to.
pub fn kube_routers(objects: &[Object]) -> Vec<KubeRouter> {
    let mut out = Vec::new();
    for o in objects {
        let ns = o.namespace.clone().unwrap_or_else(|| "default".into());
        let subject = format!("{} ({})", o.id(), o.file);
        if matches!(o.kind.as_str(), "IngressRoute" | "IngressRouteTCP")
            && is_traefik_api(&o.api_version)
        {
            let spec = o.node.get("spec");
            let eps = spec.and_then(|s| s.entry("entryPoints")).map(|e| {
                (
                    e.value
                        .items()
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_string))
                        .collect(),
                    o.loc(e.key_pos),
                )
            });
            let tls = spec.and_then(|s| s.entry("tls"));
            let options = tls.and_then(|t| t.value.entry("options")).and_then(|e| {
                let (rns, name) = crd_ref(&e.value, &ns)?;
                let key = if name == "default" || name.contains('@') {
                    name
                } else {
                    format!("{rns}-{name}@kubernetescrd")
                };
                Some((key, o.loc(e.key_pos)))
            });
            let mut services = Vec::new();
            let mut middlewares = Vec::new();
            for route in spec
                .and_then(|s| s.get("routes"))
                .map(Node::items)
                .unwrap_or(&[])
            {
                for s in route.get("services").map(Node::items).unwrap_or(&[]) {
                    if s.get("kind").and_then(Node::as_str).unwrap_or("Service") != "Service" {
                        continue;
                    }
                    if let Some((sns, name)) = crd_ref(s, &ns) {
                        services.push((sns, name, o.loc(s.pos)));
                    }
                }
                for m in route.get("middlewares").map(Node::items).unwrap_or(&[]) {
                    if let Some((mns, name)) = crd_ref(m, &ns) {
                        middlewares.push(format!("{mns}-{name}"));
                    }
                }
            }
            out.push(KubeRouter {
                router: Router {
                    name: format!("{ns}/{}", o.name),
                    subject,
                    provider: Provider::Crd(ns.clone()),
                    entrypoints: eps,
                    tls: tls.map(|t| o.loc(t.key_pos)),
                    options,
                    middlewares,
                    tcp: o.kind == "IngressRouteTCP",
                    at: o.at.clone(),
                },
                services,
            });
        } else if o.kind == "Ingress" && traefik_ingress(o) {
            let ann = |k: &str| {
                o.annotations()
                    .and_then(|a| a.entry(&format!("{ANN}{k}")))
                    .map(|e| (e.value.as_str().unwrap_or("").to_string(), o.loc(e.key_pos)))
            };
            let spec = o.node.get("spec");
            let tls_section = spec
                .and_then(|s| s.entry("tls"))
                .filter(|e| !e.value.items().is_empty())
                .map(|e| o.loc(e.key_pos));
            let tls = match ann("router.tls") {
                Some((v, at)) if truthy(&v) => Some(at),
                _ => tls_section,
            };
            let options = ann("router.tls.options").map(|(v, at)| (v.trim().to_string(), at));
            let mut services = Vec::new();
            let backend = |b: &Node| {
                b.path(&["service", "name"])
                    .or_else(|| b.get("serviceName"))
                    .and_then(Node::as_str)
                    .map(|n| (ns.clone(), n.to_string(), o.loc(b.pos)))
            };
            if let Some(b) = spec.and_then(|s| s.get("defaultBackend"))
                && let Some(x) = backend(b)
            {
                services.push(x);
            }
            for r in spec
                .and_then(|s| s.get("rules"))
                .map(Node::items)
                .unwrap_or(&[])
            {
                for p in r.path(&["http", "paths"]).map(Node::items).unwrap_or(&[]) {
                    if let Some(x) = p.get("backend").and_then(backend) {
                        services.push(x);
                    }
                }
            }
            out.push(KubeRouter {
                router: Router {
                    name: format!("{ns}/{}", o.name),
                    subject,
                    provider: Provider::Ingress(ns.clone()),
                    entrypoints: ann("router.entrypoints").map(|(v, at)| {
                        (
                            v.split(',')
                                .map(|s| s.trim().to_string())
                                .filter(|s| !s.is_empty())
                                .collect(),
                            at,
                        )
                    }),
                    tls,
                    options,
                    middlewares: ann("router.middlewares")
                        .map(|(v, _)| v.split(',').map(strip_provider).collect())
                        .unwrap_or_default(),
                    tcp: false,
                    at: o.at.clone(),
                },
                services,
            });
        }
    }
    out
}

/// `redirectScheme` Middlewares of Kubernetes (named `ns-name`, as routers refer to them).
pub fn kube_redirects(objects: &[Object]) -> Vec<Redirect> {
    objects
        .iter()
        .filter(|o| o.kind == "Middleware" && is_traefik_api(&o.api_version))
        .filter_map(|o| {
            let r = o.node.path(&["spec", "redirectScheme"])?;
            Some(Redirect {
                name: format!("{}-{}", o.namespace.as_deref().unwrap_or("default"), o.name),
                scheme: r
                    .get("scheme")
                    .and_then(Node::as_str)
                    .unwrap_or("https")
                    .to_string(),
                permanent: r.get("permanent").and_then(Node::as_bool).unwrap_or(false),
                at: o.at.clone(),
            })
        })
        .collect()
}

/// Judge routers: the TLS option each TLS router really gets (copied to an endpoint named after
/// the router, so a weak option fails on every router using it, with the router's line beside
/// it), the options named but defined nowhere, and routers served over plain HTTP.
pub fn judge_routers(found: &mut crate::model::Found, routers: &[Router], setup: &Setup) {
    use crate::model::{MissingOption, Plain};
    for r in routers {
        match transport(r, setup) {
            Transport::Tls(_) => {
                let (key, named_at) = option_key(r, setup);
                let used_at = named_at
                    .clone()
                    .or_else(|| r.tls.clone())
                    .unwrap_or_else(|| r.at.clone());
                let option = found
                    .endpoints
                    .iter()
                    .find(|e| e.traefik_option.as_deref() == Some(key.as_str()))
                    .cloned();
                let option = match option {
                    Some(o) => Some(o),
                    None if key == "default" => {
                        // Nothing defines `default`: Traefik's own defaults apply.
                        let empty = Node {
                            pos: vigie_parse::yaml::Pos {
                                line: used_at.line,
                                col: used_at.column,
                                src: 0,
                            },
                            tag: None,
                            value: Value::Map(Vec::new()),
                        };
                        Some(crate::traefik::option_endpoint(
                            &used_at.path,
                            String::new(),
                            &empty,
                            used_at.clone(),
                        ))
                    }
                    None => None,
                };
                match option {
                    Some(mut e) => {
                        e.subject = format!("{} (TLS option {key})", r.subject);
                        e.at = Some(r.at.clone());
                        e.traefik_option = None;
                        e.used_by = Some(used_at);
                        // HSTS and the rest belong to the option's own verdicts.
                        e.hsts = None;
                        found.endpoints.push(e);
                    }
                    None => {
                        let why = if let Some(name) = key.strip_suffix("@docker") {
                            format!(
                                "router {} names the TLS option `{name}`: Compose labels cannot define TLS options, so Traefik looks for `{key}`, finds none and disables the router; refer to the file provider's option as `{name}@file`",
                                r.name
                            )
                        } else {
                            format!(
                                "router {} names the TLS option `{key}`, which nothing in the repository defines: Traefik disables a router whose TLS option is unknown",
                                r.name
                            )
                        };
                        found.missing_options.push(MissingOption {
                            subject: r.subject.clone(),
                            at: named_at.unwrap_or_else(|| r.at.clone()),
                            why,
                        });
                    }
                }
            }
            Transport::Plain(why) => found.plain.push(Plain {
                subject: r.subject.clone(),
                at: r
                    .entrypoints
                    .as_ref()
                    .map_or_else(|| r.at.clone(), |(_, at)| at.clone()),
                redirect: Err(why),
            }),
            Transport::Redirect(_) => {
                // A redirect by middleware is judged here; one by the entry point is judged
                // with the entry point.
                let mw = r.middlewares.iter().find_map(|m| {
                    setup
                        .redirects
                        .iter()
                        .find(|x| x.name.eq_ignore_ascii_case(m) && x.scheme == "https")
                });
                if let Some(m) = mw {
                    found.plain.push(Plain {
                        subject: r.subject.clone(),
                        at: r.at.clone(),
                        redirect: if m.permanent {
                            Ok(m.at.clone())
                        } else {
                            Err(format!(
                                "the redirectScheme middleware `{}` at {} is temporary: set `permanent=true`",
                                m.name, m.at
                            ))
                        },
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(line: u32) -> Location {
        Location::new(Arc::from("docker-compose.yml"), line, 7)
    }

    fn labels(v: &[&str]) -> Vec<(String, String, Location)> {
        v.iter()
            .enumerate()
            .map(|(i, s)| {
                let (k, v) = s.split_once('=').unwrap();
                (k.to_string(), v.to_string(), l(i as u32 + 10))
            })
            .collect()
    }

    fn ep(name: &str, tls: bool, redirect: bool) -> EntryPoint {
        EntryPoint {
            name: name.into(),
            port: None,
            tls,
            tls_options: None,
            as_default: false,
            redirect: redirect.then(|| Ok(l(1))),
            at: l(1),
        }
    }

    #[test]
    fn labels_make_routers_and_redirects() {
        let (rs, mws) = label_routers(
            "p › services.app",
            &labels(&[
                "traefik.enable=true",
                "traefik.http.routers.app.rule=Host(`a.example`)",
                "traefik.http.routers.app.entrypoints=websecure",
                "traefik.http.routers.app.tls.options=modern@file",
                "traefik.http.routers.app-http.entrypoints=web",
                "traefik.http.routers.app-http.middlewares=to-https@docker",
                "traefik.http.middlewares.to-https.redirectscheme.scheme=https",
                "traefik.http.middlewares.to-https.redirectscheme.permanent=true",
            ]),
        );
        assert_eq!(rs.len(), 2);
        assert_eq!(rs[0].name, "app");
        assert_eq!(rs[0].tls.as_ref().unwrap().line, 13);
        assert_eq!(rs[0].options.as_ref().unwrap().0, "modern@file");
        assert_eq!(rs[1].middlewares, vec!["to-https"]);
        assert_eq!(mws.len(), 1);
        assert!(mws[0].permanent);
        let (none, _) = label_routers(
            "x",
            &labels(&["traefik.enable=false", "traefik.http.routers.a.tls=true"]),
        );
        assert!(none.is_empty());
    }

    #[test]
    fn transport_follows_entry_points_and_middlewares() {
        let setup = Setup {
            entry_points: vec![ep("web", false, false), ep("websecure", true, false)],
            static_from: None,
            from_flags: false,
            redirects: vec![Redirect {
                name: "to-https".into(),
                scheme: "https".into(),
                permanent: true,
                at: l(3),
            }],
        };
        let (rs, _) = label_routers(
            "s",
            &labels(&[
                "traefik.http.routers.a.entrypoints=websecure",
                "traefik.http.routers.b.entrypoints=web",
                "traefik.http.routers.c.entrypoints=web",
                "traefik.http.routers.c.middlewares=to-https",
                "traefik.http.routers.d.rule=Host(`d`)",
            ]),
        );
        assert!(matches!(transport(&rs[0], &setup), Transport::Tls(_)));
        assert!(matches!(transport(&rs[1], &setup), Transport::Plain(_)));
        assert!(matches!(transport(&rs[2], &setup), Transport::Redirect(_)));
        // no entry points named: every entry point, `web` among them
        assert!(matches!(transport(&rs[3], &setup), Transport::Plain(_)));
        // web redirecting at the entry point
        let s2 = Setup {
            entry_points: vec![ep("web", false, true), ep("websecure", true, false)],
            ..Setup::default()
        };
        assert!(matches!(transport(&rs[1], &s2), Transport::Redirect(_)));
        assert!(matches!(transport(&rs[3], &s2), Transport::Tls(_)));
        // no static configuration: by name
        assert!(matches!(
            transport(&rs[0], &Setup::default()),
            Transport::Tls(_)
        ));
        assert!(matches!(
            transport(&rs[1], &Setup::default()),
            Transport::Plain(_)
        ));
    }

    #[test]
    fn option_keys() {
        let (rs, _) = label_routers(
            "s",
            &labels(&[
                "traefik.http.routers.a.tls.options=modern",
                "traefik.http.routers.b.tls.options=modern@file",
                "traefik.http.routers.c.tls=true",
                "traefik.http.routers.d.tls.options=default",
            ]),
        );
        let s = Setup::default();
        assert_eq!(option_key(&rs[0], &s).0, "modern@docker");
        assert_eq!(option_key(&rs[1], &s).0, "modern@file");
        assert_eq!(option_key(&rs[2], &s).0, "default");
        assert!(option_key(&rs[2], &s).1.is_none());
        assert_eq!(option_key(&rs[3], &s).0, "default");
    }
}
