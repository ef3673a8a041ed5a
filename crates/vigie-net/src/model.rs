//! The platform graph: workloads, the groups they live in (Compose networks, Kubernetes
//! namespaces), exposures to the outside world, and the flows allowed between workloads.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use vigie_core::Location;
use vigie_core::model::Platform;

/// Index of a workload in [`Graph::workloads`].
pub type Wid = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Proto {
    Tcp,
    Udp,
    Sctp,
}

impl Proto {
    pub fn parse(s: &str) -> Option<Proto> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tcp" | "" => Some(Proto::Tcp),
            "udp" => Some(Proto::Udp),
            "sctp" => Some(Proto::Sctp),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Sctp => "sctp",
        }
    }
}

/// A protocol and an inclusive range of ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRange {
    pub proto: Proto,
    pub from: u16,
    pub to: u16,
}

impl PortRange {
    pub fn one(proto: Proto, p: u16) -> Self {
        PortRange {
            proto,
            from: p,
            to: p,
        }
    }

    pub fn all(proto: Proto) -> Self {
        PortRange {
            proto,
            from: 0,
            to: u16::MAX,
        }
    }

    fn intersect(&self, o: &PortRange) -> Option<PortRange> {
        if self.proto != o.proto {
            return None;
        }
        let from = self.from.max(o.from);
        let to = self.to.min(o.to);
        (from <= to).then_some(PortRange {
            proto: self.proto,
            from,
            to,
        })
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == 0 && self.to == u16::MAX {
            write!(f, "all/{}", self.proto.as_str())
        } else if self.from == self.to {
            write!(f, "{}/{}", self.from, self.proto.as_str())
        } else {
            write!(f, "{}-{}/{}", self.from, self.to, self.proto.as_str())
        }
    }
}

/// A set of ports: every port, or a list of ranges (empty: none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ports {
    Any,
    Ranges(Vec<PortRange>),
}

impl Ports {
    pub fn none() -> Self {
        Ports::Ranges(Vec::new())
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Ports::Ranges(v) if v.is_empty())
    }

    pub fn from_ranges(mut v: Vec<PortRange>) -> Self {
        v.sort();
        v.dedup();
        // merge overlapping ranges of one protocol
        let mut out: Vec<PortRange> = Vec::with_capacity(v.len());
        for r in v {
            match out.last_mut() {
                Some(l) if l.proto == r.proto && (l.to as u32) + 1 >= r.from as u32 => {
                    l.to = l.to.max(r.to)
                }
                _ => out.push(r),
            }
        }
        Ports::Ranges(out)
    }

    pub fn intersect(&self, o: &Ports) -> Ports {
        match (self, o) {
            (Ports::Any, x) | (x, Ports::Any) => x.clone(),
            (Ports::Ranges(a), Ports::Ranges(b)) => {
                let mut v = Vec::new();
                for x in a {
                    for y in b {
                        if let Some(r) = x.intersect(y) {
                            v.push(r);
                        }
                    }
                }
                Ports::from_ranges(v)
            }
        }
    }

    pub fn union(&self, o: &Ports) -> Ports {
        match (self, o) {
            (Ports::Any, _) | (_, Ports::Any) => Ports::Any,
            (Ports::Ranges(a), Ports::Ranges(b)) => {
                Ports::from_ranges(a.iter().chain(b).copied().collect())
            }
        }
    }
}

impl fmt::Display for Ports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ports::Any => f.write_str("any port"),
            Ports::Ranges(v) if v.is_empty() => f.write_str("no port"),
            Ports::Ranges(v) => {
                let s: Vec<String> = v.iter().map(|r| r.to_string()).collect();
                f.write_str(&s.join(", "))
            }
        }
    }
}

/// What a workload is, for the controls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Role {
    pub database: bool,
    pub proxy: bool,
    pub api: bool,
    pub entrypoint: bool,
    /// Allowed to reach databases beside the API (backup jobs, migrations).
    pub db_client: bool,
}

impl Role {
    pub fn label(&self) -> &'static str {
        if self.database {
            "database"
        } else if self.proxy {
            "reverse proxy"
        } else if self.entrypoint {
            "entry point"
        } else if self.api {
            "api"
        } else {
            "app"
        }
    }
}

/// How a Compose service is attached to networks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetMode {
    /// Its `networks:` (or the project's default network).
    Networks,
    /// `network_mode: host`, Kubernetes `hostNetwork: true`.
    Host,
    /// `network_mode: none`.
    None,
    /// `network_mode: bridge`: the engine's default bridge.
    Bridge,
    /// `network_mode: service:x` / `container:x`: x's network namespace.
    Shared(Wid),
}

/// A container port the workload listens on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    pub name: Option<String>,
    pub range: PortRange,
}

/// What one of a workload's long-running containers runs: its image and, when the manifest
/// overrides them, the entrypoint (Kubernetes `command`, Compose `entrypoint`) and the arguments
/// (Kubernetes `args`, Compose `command`). Roles read it: a database image told to `sleep` is a
/// client, not a database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Run {
    pub image: String,
    /// For a Compose service that builds its image, the image its Dockerfile's built stage
    /// starts `FROM` (`envoyproxy/envoy:v1.39`): a proxy or a database configured at build
    /// time is still that server.
    pub built_from: Option<String>,
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Workload {
    pub platform: Platform,
    /// The short name: Compose service, Kubernetes object name.
    pub name: String,
    /// `service`, `Deployment`, `StatefulSet`…
    pub kind: String,
    /// Compose project or Kubernetes namespace.
    pub group: String,
    /// How verdicts name it (`docker-compose.yml › services.db`, `StatefulSet/prod/postgres`).
    pub subject: Arc<str>,
    pub at: Location,
    pub images: Vec<String>,
    /// The main containers (not init or ephemeral ones): what the workload serves.
    pub runs: Vec<Run>,
    /// Pod labels (Kubernetes).
    pub labels: BTreeMap<String, String>,
    pub listen: Vec<Listen>,
    /// Compose networks (indexes in [`Graph::groups`]), with aliases.
    pub networks: Vec<(usize, Vec<String>)>,
    pub mode: NetMode,
    pub role: Role,
    /// Where the role comes from: `image postgres`, `port 5432`, `vigie.toml [roles] api`.
    pub role_source: Option<String>,
    /// Runs to completion (Job, CronJob): never a server.
    pub one_shot: bool,
    /// Index of the workload's group for display (a network or a namespace).
    pub home: usize,
}

impl Workload {
    pub fn listen_ports(&self) -> Ports {
        if self.listen.is_empty() {
            Ports::Any
        } else {
            Ports::from_ranges(self.listen.iter().map(|l| l.range).collect())
        }
    }

    pub fn named_port(&self, name: &str) -> Option<PortRange> {
        self.listen
            .iter()
            .find(|l| l.name.as_deref() == Some(name))
            .map(|l| l.range)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupKind {
    ComposeNetwork {
        internal: bool,
        external: bool,
    },
    /// The engine's default bridge (`network_mode: bridge`).
    DefaultBridge,
    /// The host's network stack.
    Host,
    Namespace,
    /// Workloads without any network (`network_mode: none`).
    Isolated,
}

#[derive(Debug, Clone)]
pub struct Group {
    /// Display name: `tarmac/tarmac-internal`, `ampere`.
    pub name: String,
    /// The network's key in the Compose file, or the namespace.
    pub key: String,
    pub kind: GroupKind,
    pub at: Option<Location>,
}

impl Group {
    pub fn internal(&self) -> bool {
        matches!(
            self.kind,
            GroupKind::ComposeNetwork { internal: true, .. } | GroupKind::Isolated
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExposureKind {
    /// Compose `ports:` on every interface or a routable address.
    Published,
    /// Compose `network_mode: host`, Kubernetes `hostNetwork: true`.
    HostNetwork,
    HostPort,
    NodePort,
    /// A NodePort Service on GKE, whose firewall rules let only the VPC and Google's load
    /// balancers reach node ports: not reachable from the Internet unless a rule of the project
    /// opens them.
    GkeNodePort,
    LoadBalancer,
    /// A LoadBalancer Service annotated for the cloud's internal load balancer: reachable from
    /// the private network (VPC), not from the Internet.
    InternalLoadBalancer,
    /// Service `externalIPs`.
    ExternalIp,
    Ingress,
    /// An Ingress of GKE's internal load balancer (`gce-internal`): reachable from the VPC only.
    InternalIngress,
    Gateway,
    /// A route of a reverse proxy configured by labels (Traefik).
    ProxyRoute,
}

impl ExposureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExposureKind::Published => "published port",
            ExposureKind::HostNetwork => "host network",
            ExposureKind::HostPort => "hostPort",
            ExposureKind::NodePort => "NodePort Service",
            ExposureKind::GkeNodePort => "NodePort Service on GKE",
            ExposureKind::InternalIngress => "internal Ingress",
            ExposureKind::LoadBalancer => "LoadBalancer Service",
            ExposureKind::InternalLoadBalancer => "internal LoadBalancer Service",
            ExposureKind::ExternalIp => "Service externalIPs",
            ExposureKind::Ingress => "Ingress",
            ExposureKind::Gateway => "Gateway",
            ExposureKind::ProxyRoute => "reverse proxy route",
        }
    }

    /// Whether the exposure reaches only the private network around the cluster (an internal
    /// load balancer), not the Internet.
    pub fn private(self) -> bool {
        self.private_reason().is_some()
    }

    /// Why a private exposure does not reach the Internet.
    pub fn private_reason(self) -> Option<&'static str> {
        Some(match self {
            ExposureKind::InternalLoadBalancer => {
                "an internal load balancer, reachable from the private network only"
            }
            ExposureKind::GkeNodePort => {
                "a node port on GKE, whose firewall rules let only the VPC and Google's load balancers reach node ports"
            }
            ExposureKind::InternalIngress => {
                "GKE's internal load balancer (class gce-internal), reachable from the VPC only"
            }
            _ => return None,
        })
    }

    /// Whether the exposure goes through a TLS-terminating proxy of the platform (Ingress,
    /// Gateway, a proxy route): the proxy is the entry point, not the workload behind it.
    pub fn through_proxy(self) -> bool {
        matches!(
            self,
            ExposureKind::Ingress
                | ExposureKind::InternalIngress
                | ExposureKind::Gateway
                | ExposureKind::ProxyRoute
        )
    }
}

/// Whether an exposure is served over TLS, and why vigie thinks so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tls {
    Yes(String),
    No(String),
    /// Plain HTTP beside TLS on the same entry point (port 80 next to 443): taken as the
    /// redirect to HTTPS, which CRY-03 judges.
    Redirect(String),
}

impl Tls {
    pub fn ok(&self) -> bool {
        !matches!(self, Tls::No(_))
    }

    pub fn reason(&self) -> &str {
        match self {
            Tls::Yes(s) | Tls::No(s) | Tls::Redirect(s) => s,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Exposure {
    pub target: Wid,
    pub kind: ExposureKind,
    /// Ports reachable from outside (host side), when known.
    pub ports: Ports,
    /// What exposes it: `ports 5432:5432`, `Service ampere/web (NodePort 30080)`.
    pub via: String,
    pub tls: Tls,
    pub at: Location,
}

/// Where a flow comes from: the network shared, the published port, the policy that admits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Through {
    pub text: String,
    pub at: Option<Location>,
}

#[derive(Debug, Clone)]
pub struct Flow {
    pub from: Wid,
    pub to: Wid,
    pub ports: Ports,
    pub through: Through,
    /// Further sources of the same flow (same ports, same reason), shared between the
    /// destinations they all reach: a destination open to every pod names that list once
    /// instead of one flow per pod, so the flows cost memory proportional to the workloads
    /// and destinations, not to their product. `from` and `to` are not repeated from it.
    pub more: Option<Arc<[Wid]>>,
}

impl Flow {
    /// Every workload this flow comes from: `from`, then those of `more`.
    pub fn sources(&self) -> impl Iterator<Item = Wid> + '_ {
        let (from, to) = (self.from, self.to);
        std::iter::once(from).chain(
            self.more
                .iter()
                .flat_map(|m| m.iter().copied())
                .filter(move |s| *s != from && *s != to),
        )
    }

    /// How many sources [`Flow::sources`] yields, without walking them when `more` is empty.
    pub fn source_count(&self) -> usize {
        match &self.more {
            None => 1,
            Some(_) => self.sources().count(),
        }
    }
}

/// Ports published on the host on the loopback interface only: not an exposure, noted as evidence.
#[derive(Debug, Clone)]
pub struct Loopback {
    pub target: Wid,
    /// Host ports bound on loopback.
    pub ports: Ports,
    pub via: String,
    pub at: Location,
}

/// A namespace and what NET-04 needs to know of it.
#[derive(Debug, Clone, Default)]
pub struct NamespaceInfo {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub declared: Option<Location>,
    /// The repository names this namespace: a `Namespace` object declares it or an object sets
    /// `metadata.namespace` to it. When it does not, the namespace is the one the unit is
    /// applied to (`kubectl apply -n`, `helm install -n`, the context's), which only the
    /// operator knows; vigie calls it `default`.
    pub named: bool,
    pub workloads: Vec<Wid>,
    /// Policies selecting every pod with no ingress (resp. egress) rule: name and location.
    pub deny_ingress: Option<(String, Location)>,
    pub deny_egress: Option<(String, Location)>,
    pub policies: usize,
}

/// The lowered platform and the answer: flows and exposures.
#[derive(Debug, Default)]
pub struct Graph {
    pub workloads: Vec<Workload>,
    pub groups: Vec<Group>,
    pub exposures: Vec<Exposure>,
    pub loopback: Vec<Loopback>,
    pub flows: Vec<Flow>,
    /// Workloads that can open connections to the outside world, and through what.
    pub egress_outside: Vec<(Wid, Through)>,
    pub namespaces: Vec<NamespaceInfo>,
    pub diagnostics: Vec<vigie_core::Diagnostic>,
    /// When set, Kubernetes flows are computed only into the workloads that may be databases
    /// (inferred, or named in this list): what the checks read. A namespace without policies
    /// lets every pod reach every other, and listing all those pairs for thousands of pods
    /// would cost memory quadratic in the pods for flows no check looks at.
    pub only_into_databases: Option<Vec<String>>,
}

impl Graph {
    /// How many (source, destination) pairs the flows allow.
    pub fn flow_pairs(&self) -> usize {
        self.flows.iter().map(Flow::source_count).sum()
    }

    /// Index of the flows by destination.
    pub fn flows_to(&self) -> Vec<Vec<usize>> {
        let mut v = vec![Vec::new(); self.workloads.len()];
        for (i, f) in self.flows.iter().enumerate() {
            v[f.to].push(i);
        }
        v
    }

    pub fn group_index(&mut self, name: &str, key: &str, kind: GroupKind) -> usize {
        if let Some(i) = self.groups.iter().position(|g| g.name == name) {
            return i;
        }
        self.groups.push(Group {
            name: name.to_string(),
            key: key.to_string(),
            kind,
            at: None,
        });
        self.groups.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_intersect_and_union() {
        let a = Ports::from_ranges(vec![PortRange {
            proto: Proto::Tcp,
            from: 8000,
            to: 8010,
        }]);
        let b = Ports::from_ranges(vec![
            PortRange::one(Proto::Tcp, 8005),
            PortRange::one(Proto::Udp, 8005),
        ]);
        assert_eq!(a.intersect(&b).to_string(), "8005/tcp");
        assert_eq!(Ports::Any.intersect(&b), b);
        assert!(a.intersect(&Ports::none()).is_empty());
        let u = a.union(&Ports::from_ranges(vec![PortRange::one(Proto::Tcp, 8011)]));
        assert_eq!(u.to_string(), "8000-8011/tcp");
    }
}
