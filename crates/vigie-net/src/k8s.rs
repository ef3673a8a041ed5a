//! Kubernetes into the graph: pods of every workload kind with their labels and ports,
//! namespaces with their labels, Services of every type, Ingress and Gateway API routes,
//! `hostNetwork` and `hostPort`, and NetworkPolicies with their full semantics.
//!
//! NetworkPolicy semantics implemented (as the API documents them):
//! - a pod selected by no policy of a type (Ingress, Egress) is not isolated for that direction:
//!   everything is allowed; a pod selected by at least one is isolated, and allowed exactly what
//!   the union of those policies' rules allows;
//! - `policyTypes` absent: Ingress, plus Egress when the policy has an `egress` section;
//! - a rule with no `from`/`to` (or an empty one) admits every peer, with no `ports` every port;
//! - a peer with `podSelector` only: pods of the policy's namespace; `namespaceSelector` only:
//!   every pod of the matching namespaces; both: the matching pods of the matching namespaces;
//!   `ipBlock` (with `except`): addresses outside the cluster — vigie treats it as the outside
//!   world when it leaves any public address after private ranges and `except` are removed,
//!   and never as matching pods (pod addresses are not stable, the API says so too);
//! - `port` by number or by name (named ports resolve against the destination pod), `endPort`
//!   ranges, `protocol` (TCP by default);
//! - a connection needs both the source's egress and the destination's ingress to allow it.
//!
//! Selectors are evaluated once per distinct (namespace, selector), pods are indexed by
//! namespace, and flows are enumerated per destination from the union of the peers its rules
//! admit: the work grows with the flows found, not with workloads × policies.

use crate::model::*;
use crate::selector::{BitSet, Selector};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use vigie_core::model::Platform;
use vigie_core::{DiagKind, Diagnostic, Location};
use vigie_parse::kubernetes::{Object, PodTemplate};
use vigie_parse::yaml::Node;

/// The kinds the model reads beside workloads (objects with a pod template).
pub const NETWORK_KINDS: &[&str] = &[
    "Namespace",
    "Service",
    "Ingress",
    "NetworkPolicy",
    "Gateway",
    "HTTPRoute",
    "TLSRoute",
    "GRPCRoute",
    "TCPRoute",
    "IngressRoute",
    "IngressRouteTCP",
    "Middleware",
];

const TLS_PORTS: &[u16] = &[443, 8443, 4443, 6443, 9443, 465, 993, 995, 636, 5671, 8883];

fn ns_of(o: &Object) -> &str {
    o.namespace.as_deref().unwrap_or("default")
}

fn str_map(n: Option<&Node>) -> BTreeMap<String, String> {
    n.map(Node::entries)
        .unwrap_or(&[])
        .iter()
        .map(|e| {
            (
                e.key.clone(),
                e.value.as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// A container's `command` or `args`: a list of strings (a lone string counts as one word).
fn words(n: Option<&Node>) -> Option<Vec<String>> {
    let n = n.filter(|n| !n.is_null())?;
    Some(match n.as_str() {
        Some(s) => vec![s.to_string()],
        None => n
            .items()
            .iter()
            .map(|i| i.as_str().unwrap_or_default().to_string())
            .collect(),
    })
}

#[derive(Debug, Clone)]
enum PortRef {
    Num(u16),
    Name(String),
}

#[derive(Debug, Clone)]
struct PortSpec {
    proto: Proto,
    port: Option<PortRef>,
    end: Option<u16>,
}

#[derive(Debug)]
struct Rule {
    /// Every peer (no `from`/`to`, or an empty one).
    all: bool,
    pods: BitSet,
    outside: bool,
    /// Empty: every port.
    ports: Vec<PortSpec>,
    at: Location,
}

#[derive(Debug)]
struct Policy {
    ns: String,
    name: String,
    ingress: Vec<Rule>,
    egress: Vec<Rule>,
}

fn resolve_ports(specs: &[PortSpec], dst: &Workload) -> Ports {
    if specs.is_empty() {
        return Ports::Any;
    }
    let mut v = Vec::new();
    for s in specs {
        match &s.port {
            None => v.push(PortRange::all(s.proto)),
            Some(PortRef::Num(p)) => v.push(PortRange {
                proto: s.proto,
                from: *p,
                to: s.end.unwrap_or(*p).max(*p),
            }),
            Some(PortRef::Name(n)) => {
                if let Some(r) = dst.named_port(n).filter(|r| r.proto == s.proto) {
                    v.push(r)
                }
            }
        }
    }
    Ports::from_ranges(v)
}

/// IPv4 and IPv6 address ranges, inclusive, in one family.
fn subtract(ranges: Vec<(u128, u128)>, (a, b): (u128, u128)) -> Vec<(u128, u128)> {
    let mut out = Vec::new();
    for (lo, hi) in ranges {
        if b < lo || a > hi {
            out.push((lo, hi));
            continue;
        }
        if a > lo {
            out.push((lo, a - 1));
        }
        if b < hi {
            out.push((b + 1, hi));
        }
    }
    out
}

/// `(v6, lo, hi)` of a CIDR.
fn cidr(s: &str) -> Option<(bool, u128, u128)> {
    let (ip, len) = s.trim().split_once('/')?;
    let len: u32 = len.parse().ok()?;
    if let Ok(a) = ip.parse::<std::net::Ipv4Addr>() {
        if len > 32 {
            return None;
        }
        let base = u32::from(a) as u128;
        let size = 1u128 << (32 - len);
        let lo = base & !(size - 1);
        return Some((false, lo, lo + size - 1));
    }
    let a: std::net::Ipv6Addr = ip.parse().ok()?;
    if len > 128 {
        return None;
    }
    let base = u128::from(a);
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - len)
    };
    Some((true, base & mask, (base & mask) | !mask))
}

/// Whether an ipBlock leaves any public address once private ranges and `except` are removed.
pub fn ip_block_reaches_outside(block: &str, except: &[String]) -> Result<bool, String> {
    let (v6, lo, hi) = cidr(block).ok_or_else(|| format!("`{block}` is not a CIDR"))?;
    let private: &[&str] = if v6 {
        &["fc00::/7", "fe80::/10", "::1/128"]
    } else {
        &[
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "100.64.0.0/10",
        ]
    };
    let mut left = vec![(lo, hi)];
    for p in private
        .iter()
        .map(|s| s.to_string())
        .chain(except.iter().cloned())
    {
        let (f, a, b) = cidr(&p).ok_or_else(|| format!("`{p}` is not a CIDR"))?;
        if f == v6 {
            left = subtract(left, (a, b));
        }
    }
    Ok(!left.is_empty())
}

struct Ctx<'a> {
    /// Workload ids of the pods, in pod-index order.
    pods: Vec<Wid>,
    /// pod index by namespace
    by_ns: BTreeMap<String, Vec<usize>>,
    ns_labels: BTreeMap<String, BTreeMap<String, String>>,
    pod_memo: HashMap<(String, Selector), BitSet>,
    ns_memo: HashMap<Selector, Vec<String>>,
    graph: &'a Graph,
}

impl Ctx<'_> {
    fn pods_in(&mut self, ns: &str, sel: &Selector) -> BitSet {
        let key = (ns.to_string(), sel.clone());
        if let Some(b) = self.pod_memo.get(&key) {
            return b.clone();
        }
        let mut b = BitSet::new(self.pods.len());
        for &i in self.by_ns.get(ns).map(Vec::as_slice).unwrap_or(&[]) {
            if sel.matches(&self.graph.workloads[self.pods[i]].labels) {
                b.insert(i);
            }
        }
        self.pod_memo.insert(key, b.clone());
        b
    }

    fn namespaces(&mut self, sel: &Selector) -> Vec<String> {
        if let Some(v) = self.ns_memo.get(sel) {
            return v.clone();
        }
        let v: Vec<String> = self
            .ns_labels
            .iter()
            .filter(|(_, l)| sel.matches(l))
            .map(|(n, _)| n.clone())
            .collect();
        self.ns_memo.insert(sel.clone(), v.clone());
        v
    }
}

/// The labels a controller adds to the pods it creates, beside the template's: the Job
/// controller's `job-name` and `controller-uid` (a CronJob's jobs are named after it with a
/// generated suffix), the StatefulSet controller's pod name and index, the LeaderWorkerSet
/// controller's set name and worker index. A generated value is written
/// [`crate::selector::GENERATED`] followed by its known prefix.
fn controller_labels(o: &Object, part: Option<&str>, labels: &mut BTreeMap<String, String>) {
    use crate::selector::GENERATED;
    let mut add = |k: &str, v: String| {
        labels.entry(k.to_string()).or_insert(v);
    };
    let generated = |prefix: &str| format!("{GENERATED}{prefix}");
    match o.kind.as_str() {
        "Job" => {
            add("job-name", o.name.clone());
            add("batch.kubernetes.io/job-name", o.name.clone());
            add("controller-uid", generated(""));
            add("batch.kubernetes.io/controller-uid", generated(""));
        }
        "CronJob" | "ScaledJob" => {
            let prefix = format!("{}-", o.name);
            add("job-name", generated(&prefix));
            add("batch.kubernetes.io/job-name", generated(&prefix));
            add("controller-uid", generated(""));
            add("batch.kubernetes.io/controller-uid", generated(""));
        }
        "StatefulSet" => {
            add(
                "statefulset.kubernetes.io/pod-name",
                generated(&format!("{}-", o.name)),
            );
            add("apps.kubernetes.io/pod-index", generated(""));
            add("controller-revision-hash", generated(""));
        }
        "LeaderWorkerSet" => {
            add("leaderworkerset.sigs.k8s.io/name", o.name.clone());
            add("leaderworkerset.sigs.k8s.io/group-index", generated(""));
            add("leaderworkerset.sigs.k8s.io/group-key", generated(""));
            if part == Some("leader") {
                add("leaderworkerset.sigs.k8s.io/worker-index", "0".into());
            } else {
                add("leaderworkerset.sigs.k8s.io/worker-index", generated(""));
            }
        }
        "Deployment" | "ReplicaSet" | "Rollout" => {
            add("pod-template-hash", generated(""));
        }
        _ => {}
    }
}

/// Custom resources whose operator creates pods the repository does not declare (a
/// CloudNativePG `Cluster`, a Zalando `postgresql`, a Strimzi `Kafka`, an ECK `Elasticsearch`,
/// a `RedisEnterpriseCluster`…): the one a selector names, by a value equal to its name or a
/// key in its API group's domain. A Service or NetworkPolicy selecting such pods is noted,
/// not reported as selecting nothing.
pub(crate) fn operator_resource<'o>(
    objects: &'o [Object],
    ns: &str,
    sel: &Selector,
) -> Option<&'o Object> {
    let keys = sel
        .labels
        .iter()
        .map(|(k, _)| k.as_str())
        .chain(sel.exprs.iter().map(|(k, _)| k.as_str()));
    let keys: Vec<&str> = keys.collect();
    let values: Vec<&str> = sel
        .labels
        .iter()
        .map(|(_, v)| v.as_str())
        .chain(sel.exprs.iter().flat_map(|(_, op)| match op {
            crate::selector::Op::In(vs) => vs.iter().map(String::as_str).collect::<Vec<_>>(),
            _ => Vec::new(),
        }))
        .collect();
    objects.iter().find(|o| {
        let group = vigie_parse::kubernetes::api_group(&o.api_version);
        if !is_operator_group(group) || ns_of(o) != ns {
            return false;
        }
        // `postgresql.cnpg.io` → `cnpg.io`; `kafka.strimzi.io` → `strimzi.io`
        let domain = match group.split_once('.') {
            Some((_, d)) if d.contains('.') => d,
            _ => group,
        };
        values.contains(&o.name.as_str())
            || keys.iter().any(|k| {
                k.split_once('/').is_some_and(|(d, _)| {
                    d == group || d == domain || d.ends_with(&format!(".{domain}"))
                })
            })
    })
}

/// A selector that matches no pod of the namespace: a reference that leads nowhere, unless an
/// operator creates the pods from a custom resource of the unit (then an info note naming it),
/// or the unit deploys no workload at all (`runs_pods` false): Services, Ingresses and policies
/// applied over an application deployed otherwise (its manifests, a chart installed by hand),
/// whose pods this unit cannot show — an info note too.
fn no_pod_selected(
    objects: &[Object],
    ns: &str,
    sel: &Selector,
    at: Location,
    what: String,
    runs_pods: bool,
) -> Diagnostic {
    match operator_resource(objects, ns, sel) {
        None if !runs_pods => {
            let mut d = Diagnostic::new(
                DiagKind::Reference,
                at,
                format!(
                    "{what}: this unit deploys no workload, so the pods come from another deployment, judged on its own"
                ),
            );
            d.severity = vigie_core::Severity::Info;
            d
        }
        Some(cr) => {
            let mut d = Diagnostic::new(
                DiagKind::Reference,
                at,
                format!(
                    "{what}: pods the operator of {} ({}) creates, which the repository does not declare",
                    cr.id(),
                    cr.api_version
                ),
            );
            d.severity = vigie_core::Severity::Info;
            d
        }
        None => Diagnostic::dangling(at, format!("{what}, which matches no pod of the namespace")),
    }
}

/// The custom resource of the namespace whose operator creates the Service `name`: operators
/// name the Services they create after the resource (`NAME-kb-http` for an Elastic Kibana,
/// `NAME-head-svc` for a KubeRay cluster, `NAME-rw` for a CloudNativePG cluster, `NAME-kafka-
/// bootstrap` for Strimzi), so a resource whose name, followed by `-`, begins the Service's (or
/// is it) is taken for its origin; the longest such name when several do.
fn operator_service<'o>(objects: &'o [Object], ns: &str, name: &str) -> Option<&'o Object> {
    objects
        .iter()
        .filter(|o| {
            is_operator_group(vigie_parse::kubernetes::api_group(&o.api_version))
                && ns_of(o) == ns
                && !o.name.is_empty()
                && (name == o.name
                    || name
                        .strip_prefix(o.name.as_str())
                        .is_some_and(|rest| rest.starts_with('-')))
        })
        .max_by_key(|o| o.name.len())
}

/// API groups of custom resources (not Kubernetes' own, not the pod-template kinds vigie
/// lowers itself).
pub(crate) fn is_operator_group(group: &str) -> bool {
    group.contains('.')
        && !group.ends_with(".k8s.io")
        && !matches!(
            group,
            "apps.openshift.io" | "serving.knative.dev" | "argoproj.io" | "keda.sh"
        )
}

/// One pod template of a workload object, reduced to what the model reads of it: what the
/// scan keeps of each workload until the analysis runs ([`crate::ANALYZER`]'s records), a few
/// hundred bytes where the object's YAML tree took kilobytes.
#[derive(Debug, Clone)]
pub struct Pod {
    kind: String,
    name: String,
    /// The namespace the object names, if any.
    namespace: Option<String>,
    subject: Arc<str>,
    at: Location,
    /// The template's labels (the object's when the template has none), and those its
    /// controller adds.
    labels: Vec<(String, String)>,
    /// Every container's image, init and ephemeral containers included.
    images: Vec<String>,
    runs: Vec<Run>,
    ports: Vec<PodPort>,
    /// Where `hostNetwork: true` is written.
    host_network: Option<Location>,
}

/// A port a long-running container declares, with its `hostPort` and where that is written.
#[derive(Debug, Clone)]
struct PodPort {
    listen: Listen,
    host: Option<(u16, Location)>,
}

impl Pod {
    /// The pods of one object: one per pod template (a LeaderWorkerSet has two).
    pub fn all_of(o: &Object) -> Vec<Pod> {
        PodTemplate::all(o)
            .into_iter()
            .map(|pod| Pod::of(o, &pod))
            .collect()
    }

    fn of(o: &Object, pod: &PodTemplate<'_>) -> Pod {
        let mut labels = str_map(
            pod.meta
                .and_then(|m| m.get("labels"))
                .or_else(|| o.node.path(&["metadata", "labels"])),
        );
        controller_labels(o, pod.part, &mut labels);
        let mut p = Pod {
            kind: o.kind.clone(),
            name: o.name.clone(),
            namespace: o.namespace.clone(),
            subject: Arc::from(vigie_parse::kubernetes::pod_subject(o, pod.part)),
            at: o.at.clone(),
            labels: labels.into_iter().collect(),
            images: Vec::new(),
            runs: Vec::new(),
            ports: Vec::new(),
            host_network: pod
                .spec
                .get("hostNetwork")
                .filter(|n| n.as_bool() == Some(true))
                .map(|n| o.loc(n.pos)),
        };
        for (role, c) in pod.containers() {
            if let Some(i) = c.get("image").and_then(Node::as_str) {
                p.images.push(i.to_string());
            }
            if role != "container" {
                continue;
            }
            p.runs.push(Run {
                image: c
                    .get("image")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string(),
                built_from: None,
                command: words(c.get("command")),
                args: words(c.get("args")),
            });
            p.ports.extend(
                c.get("ports")
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|port| pod_port(o, port)),
            );
        }
        p.labels.shrink_to_fit();
        p.runs.shrink_to_fit();
        p.ports.shrink_to_fit();
        p
    }
}

/// A container's port, when it declares a `containerPort` in range.
fn pod_port(o: &Object, p: &Node) -> Option<PodPort> {
    let proto = p
        .get("protocol")
        .and_then(Node::as_str)
        .and_then(Proto::parse)
        .unwrap_or(Proto::Tcp);
    let cp = p
        .get("containerPort")
        .and_then(Node::as_i64)
        .and_then(|n| u16::try_from(n).ok())?;
    let host = p.get("hostPort").and_then(|n| {
        let hp = n.as_i64().and_then(|n| u16::try_from(n).ok())?;
        (hp > 0).then(|| (hp, o.loc(n.pos)))
    });
    Some(PodPort {
        listen: Listen {
            name: p.get("name").and_then(Node::as_str).map(str::to_string),
            range: PortRange::one(proto, cp),
        },
        host,
    })
}

/// Lower Kubernetes objects and the pods of their workloads (recorded apart: [`Pod::all_of`])
/// into the graph, and compute the flows between pods.
pub fn lower(graph: &mut Graph, objects: &[Object], pods: &[&Pod]) {
    let mut ns_declared: BTreeMap<String, (BTreeMap<String, String>, Location)> = BTreeMap::new();
    for o in objects.iter().filter(|o| o.kind == "Namespace") {
        let mut labels = str_map(o.node.path(&["metadata", "labels"]));
        labels.insert("kubernetes.io/metadata.name".into(), o.name.clone());
        ns_declared.insert(o.name.clone(), (labels, o.at.clone()));
    }
    let all_pods = || pods.iter().copied();
    // pods
    let mut pod_wids: Vec<Wid> = Vec::new();
    for pod in all_pods() {
        let wid = add_pod(graph, pod, &ns_declared);
        pod_wids.push(wid);
    }
    let pods = pod_wids;
    let mut by_ns: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, &w) in pods.iter().enumerate() {
        by_ns
            .entry(graph.workloads[w].group.clone())
            .or_default()
            .push(i);
    }
    let mut ns_labels: BTreeMap<String, BTreeMap<String, String>> = ns_declared
        .iter()
        .map(|(k, (l, _))| (k.clone(), l.clone()))
        .collect();
    for ns in by_ns.keys() {
        ns_labels.entry(ns.clone()).or_insert_with(|| {
            BTreeMap::from([("kubernetes.io/metadata.name".to_string(), ns.clone())])
        });
    }
    // namespaces for NET-04
    let named: BTreeSet<&str> = objects
        .iter()
        .filter_map(|o| o.namespace.as_deref())
        .chain(all_pods().filter_map(|p| p.namespace.as_deref()))
        .chain(ns_declared.keys().map(String::as_str))
        .collect();
    for ns in ns_labels.keys() {
        graph.namespaces.push(NamespaceInfo {
            name: ns.clone(),
            labels: ns_labels[ns].clone(),
            declared: ns_declared.get(ns).map(|(_, l)| l.clone()),
            named: named.contains(ns.as_str()),
            workloads: by_ns
                .get(ns)
                .map(|v| v.iter().map(|i| pods[*i]).collect())
                .unwrap_or_default(),
            ..NamespaceInfo::default()
        });
    }
    let snapshot = std::mem::take(graph);
    let mut cx = Ctx {
        pods,
        by_ns,
        ns_labels,
        pod_memo: HashMap::new(),
        ns_memo: HashMap::new(),
        graph: &snapshot,
    };
    let mut diags = Vec::new();
    let mut exposures = Vec::new();
    services_and_routes(&mut cx, objects, &mut exposures, &mut diags);
    let policies = read_policies(&mut cx, objects, &ns_declared, &mut diags);
    let (flows, egress) = evaluate(&cx, &policies);
    let pods = cx.pods;
    *graph = snapshot;
    graph.diagnostics.extend(diags);
    graph.exposures.extend(exposures);
    graph.flows.extend(flows);
    graph.egress_outside.extend(egress);
    // NET-04 facts
    for (p, _, _, _) in &policies {
        if let Some(ns) = graph.namespaces.iter_mut().find(|n| n.name == p.ns) {
            ns.policies += 1;
        }
    }
    type Deny = Option<(String, Location)>;
    let mut any_deny: (Deny, Deny) = (None, None);
    for o in objects.iter().filter(|o| o.kind == "NetworkPolicy") {
        let Some(spec) = o.node.get("spec") else {
            continue;
        };
        let all = spec
            .get("podSelector")
            .is_none_or(|s| Selector::parse(s).is_ok_and(|s| s.is_empty()));
        if !all {
            continue;
        }
        let (ti, te) = policy_types(spec);
        let no_in = spec.get("ingress").is_none_or(|n| n.items().is_empty());
        let no_eg = spec.get("egress").is_none_or(|n| n.items().is_empty());
        let full_name = format!("{}/{}", ns_of(o), o.name);
        if ti && no_in && any_deny.0.is_none() {
            any_deny.0 = Some((full_name.clone(), o.at.clone()));
        }
        if te && no_eg && any_deny.1.is_none() {
            any_deny.1 = Some((full_name, o.at.clone()));
        }
        if let Some(ns) = graph.namespaces.iter_mut().find(|n| n.name == ns_of(o)) {
            if ti && no_in && ns.deny_ingress.is_none() {
                ns.deny_ingress = Some((o.name.clone(), o.at.clone()));
            }
            if te && no_eg && ns.deny_egress.is_none() {
                ns.deny_egress = Some((o.name.clone(), o.at.clone()));
            }
        }
    }
    // the namespace a unit is applied to, when it names none, is the one its own default-deny
    // policies are written for: a policy of the unit counts there, whatever namespace it names
    for ns in graph.namespaces.iter_mut().filter(|n| !n.named) {
        if ns.deny_ingress.is_none() {
            ns.deny_ingress = any_deny.0.clone();
        }
        if ns.deny_egress.is_none() {
            ns.deny_egress = any_deny.1.clone();
        }
    }
    let _ = pods;
}

/// Add one pod to the graph as a workload of its namespace, with the exposures its host ports
/// and host network make.
fn add_pod(
    graph: &mut Graph,
    pod: &Pod,
    ns_declared: &BTreeMap<String, (BTreeMap<String, String>, Location)>,
) -> Wid {
    let ns = pod.namespace.as_deref().unwrap_or("default").to_string();
    let home = graph.group_index(&ns, &ns, GroupKind::Namespace);
    if graph.groups[home].at.is_none() {
        graph.groups[home].at = ns_declared.get(&ns).map(|(_, l)| l.clone());
    }
    let wid = graph.workloads.len();
    let mut w = Workload {
        platform: Platform::Kubernetes,
        name: pod.name.clone(),
        kind: pod.kind.clone(),
        group: ns,
        subject: pod.subject.clone(),
        at: pod.at.clone(),
        images: pod.images.clone(),
        runs: pod.runs.clone(),
        labels: pod.labels.iter().cloned().collect(),
        listen: Vec::new(),
        networks: Vec::new(),
        mode: NetMode::Networks,
        role: Role::default(),
        role_source: None,
        one_shot: matches!(
            pod.kind.as_str(),
            "Job"
                | "CronJob"
                | "ScaledJob"
                | "Workflow"
                | "CronWorkflow"
                | "WorkflowTemplate"
                | "ClusterWorkflowTemplate"
        ),
        home,
    };
    for port in &pod.ports {
        w.listen.push(port.listen.clone());
        if let Some((hp, at)) = &port.host {
            let (proto, cp) = (port.listen.range.proto, port.listen.range.from);
            graph.exposures.push(Exposure {
                target: wid,
                kind: ExposureKind::HostPort,
                ports: Ports::from_ranges(vec![PortRange::one(proto, *hp)]),
                via: format!("hostPort {hp} → {cp}"),
                tls: tls_by_port(*hp, cp),
                at: at.clone(),
            });
        }
    }
    if let Some(at) = &pod.host_network {
        w.mode = NetMode::Host;
        graph.exposures.push(Exposure {
            target: wid,
            kind: ExposureKind::HostNetwork,
            ports: w.listen_ports(),
            via: "hostNetwork: true".into(),
            tls: Tls::No("a host-network pod listens on the node's interfaces directly".into()),
            at: at.clone(),
        });
    }
    graph.workloads.push(w);
    wid
}

/// A Traefik router's transport as NET-03 sees it.
fn traefik_tls(r: &vigie_tls::routing::Router, setup: &vigie_tls::routing::Setup) -> Tls {
    use vigie_tls::routing::Transport;
    match vigie_tls::routing::transport(r, setup) {
        Transport::Tls(why) => Tls::Yes(why),
        Transport::Redirect(why) => Tls::Redirect(why),
        Transport::Plain(why) => Tls::No(why),
    }
}

/// An Ingress served by GKE's load balancer, as NET-03.2 sees it.
fn gce_tls(ns: &str, name: &str, g: &vigie_tls::ingress::GceIngress) -> Tls {
    use vigie_tls::ingress::GceHttp;
    let why = format!("Ingress {ns}/{name}: {}", g.tls_reason());
    if !g.has_tls() {
        return Tls::No(why);
    }
    match &g.http {
        GceHttp::Off(at) => Tls::Yes(format!("{why}, HTTP turned off at {at}")),
        GceHttp::Redirect { at, .. } => Tls::Yes(format!("{why}, HTTP redirected at {at}")),
        GceHttp::Served | GceHttp::NotKnown(_) => {
            Tls::Redirect(format!("{why}; plain HTTP beside it is left to CRY-03"))
        }
    }
}

/// Services that an Ingress's cloud load balancer reaches through their node ports.
fn node_port_backends(
    objects: &[Object],
    platform: &vigie_tls::ingress::Platform,
) -> std::collections::HashSet<(String, String)> {
    let mut out = std::collections::HashSet::new();
    for o in objects.iter().filter(|o| o.kind == "Ingress") {
        if !platform.controller(o).uses_node_ports() {
            continue;
        }
        let ns = ns_of(o).to_string();
        let spec = o.node.get("spec");
        let mut backends: Vec<&Node> = spec
            .and_then(|s| s.get("defaultBackend").or_else(|| s.get("backend")))
            .into_iter()
            .collect();
        for r in spec
            .and_then(|s| s.get("rules"))
            .map(Node::items)
            .unwrap_or(&[])
        {
            for p in r.path(&["http", "paths"]).map(Node::items).unwrap_or(&[]) {
                backends.extend(p.get("backend"));
            }
        }
        for b in backends {
            if let Some(name) = b
                .path(&["service", "name"])
                .or_else(|| b.get("serviceName"))
                .and_then(Node::as_str)
            {
                out.insert((ns.clone(), name.to_string()));
            }
        }
    }
    out
}

/// Annotations that put a LoadBalancer Service on the cloud's internal load balancer.
const INTERNAL_LB: &[(&str, &str)] = &[
    ("networking.gke.io/load-balancer-type", "internal"),
    ("cloud.google.com/load-balancer-type", "internal"),
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        "internal",
    ),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/openstack-internal-load-balancer",
        "true",
    ),
];

fn internal_load_balancer(o: &Object) -> bool {
    let Some(a) = o.annotations() else {
        return false;
    };
    INTERNAL_LB.iter().any(|(k, v)| {
        a.get(k)
            .and_then(Node::as_str)
            .is_some_and(|x| x.trim().eq_ignore_ascii_case(v))
    })
}

fn tls_by_port(host: u16, target: u16) -> Tls {
    if TLS_PORTS.contains(&host) || TLS_PORTS.contains(&target) {
        Tls::Yes(format!("port {host} is a TLS port"))
    } else {
        Tls::No(format!("port {host} is plain"))
    }
}

fn policy_types(spec: &Node) -> (bool, bool) {
    match spec.get("policyTypes").map(Node::items) {
        Some(items) if !items.is_empty() => (
            items.iter().any(|t| t.as_str() == Some("Ingress")),
            items.iter().any(|t| t.as_str() == Some("Egress")),
        ),
        _ => (true, spec.get("egress").is_some()),
    }
}

struct Svc {
    pods: BitSet,
    /// service port name/number → target (number or name)
    ports: Vec<(Option<String>, u16, Option<PortRef>, Option<u16>)>,
    at: Location,
}

fn services_and_routes(
    cx: &mut Ctx<'_>,
    objects: &[Object],
    exposures: &mut Vec<Exposure>,
    diags: &mut Vec<Diagnostic>,
) {
    let platform = vigie_tls::ingress::Platform::of(objects);
    let lb_backends = node_port_backends(objects, &platform);
    let mut services: HashMap<(String, String), Svc> = HashMap::new();
    for o in objects.iter().filter(|o| {
        o.kind == "Service" && vigie_parse::kubernetes::api_group(&o.api_version).is_empty()
    }) {
        let ns = ns_of(o).to_string();
        let spec = o.node.get("spec");
        let ty = spec
            .and_then(|s| s.get("type"))
            .and_then(Node::as_str)
            .unwrap_or("ClusterIP");
        let sel = spec.and_then(|s| s.get("selector"));
        let pods = match sel {
            Some(s) if !s.entries().is_empty() => {
                let sel = Selector::from_map(s);
                let b = cx.pods_in(&ns, &sel);
                if b.is_empty() {
                    diags.push(no_pod_selected(
                        objects,
                        &ns,
                        &sel,
                        o.loc(s.pos),
                        format!("Service {ns}/{} selects `{}`", o.name, sel.show()),
                        !cx.by_ns.is_empty(),
                    ));
                }
                b
            }
            _ => BitSet::new(cx.pods.len()),
        };
        let mut ports = Vec::new();
        for p in spec
            .and_then(|s| s.get("ports"))
            .map(Node::items)
            .unwrap_or(&[])
        {
            let port = p
                .get("port")
                .and_then(Node::as_i64)
                .and_then(|n| u16::try_from(n).ok())
                .unwrap_or(0);
            let target = p.get("targetPort").map(|t| match t.as_i64() {
                Some(n) => PortRef::Num(u16::try_from(n).unwrap_or(0)),
                None => PortRef::Name(t.as_str().unwrap_or_default().to_string()),
            });
            let node_port = p
                .get("nodePort")
                .and_then(Node::as_i64)
                .and_then(|n| u16::try_from(n).ok());
            ports.push((
                p.get("name").and_then(Node::as_str).map(str::to_string),
                port,
                target,
                node_port,
            ));
        }
        let external_ips = spec
            .and_then(|s| s.get("externalIPs"))
            .map(Node::items)
            .unwrap_or(&[])
            .len();
        // the node ports of an Ingress's cloud load balancer are its backends, not an exposure
        let behind_lb = lb_backends.contains(&(ns.clone(), o.name.clone()));
        let kinds: Vec<ExposureKind> = match ty {
            "NodePort" if behind_lb => Vec::new(),
            "NodePort" if platform.gke().is_some() => vec![ExposureKind::GkeNodePort],
            "NodePort" => vec![ExposureKind::NodePort],
            "LoadBalancer" if internal_load_balancer(o) => {
                vec![ExposureKind::InternalLoadBalancer]
            }
            "LoadBalancer" => vec![ExposureKind::LoadBalancer],
            _ => Vec::new(),
        }
        .into_iter()
        .chain((external_ips > 0).then_some(ExposureKind::ExternalIp))
        .collect();
        if ty == "ExternalName" {
            // a DNS alias to something outside: egress, not exposure; nothing selected
        }
        for kind in kinds {
            for i in pods.iter() {
                let wid = cx.pods[i];
                for (_, port, target, node_port) in &ports {
                    let tp = match target {
                        Some(PortRef::Num(n)) => *n,
                        Some(PortRef::Name(n)) => cx.graph.workloads[wid]
                            .named_port(n)
                            .map_or(*port, |r| r.from),
                        None => *port,
                    };
                    let shown = match (kind, node_port) {
                        (ExposureKind::NodePort | ExposureKind::GkeNodePort, Some(np)) => {
                            format!("nodePort {np}")
                        }
                        _ => format!("port {port}"),
                    };
                    exposures.push(Exposure {
                        target: wid,
                        kind,
                        ports: Ports::from_ranges(vec![PortRange::one(
                            Proto::Tcp,
                            node_port
                                .filter(|_| {
                                    matches!(
                                        kind,
                                        ExposureKind::NodePort | ExposureKind::GkeNodePort
                                    )
                                })
                                .unwrap_or(*port),
                        )]),
                        via: format!("Service {ns}/{} ({ty}, {shown})", o.name),
                        tls: tls_by_port(*port, tp),
                        at: spec
                            .and_then(|s| s.get("type"))
                            .map_or(o.at.clone(), |n| o.loc(n.pos)),
                    });
                }
            }
        }
        services.insert(
            (ns, o.name.clone()),
            Svc {
                pods,
                ports,
                at: o.at.clone(),
            },
        );
    }
    let mut seen: std::collections::HashSet<(Wid, String)> = Default::default();
    let mut expose_service = |ns: &str,
                              name: &str,
                              kind: ExposureKind,
                              via: String,
                              tls: Tls,
                              at: Location,
                              diags: &mut Vec<Diagnostic>| {
        match services.get(&(ns.to_string(), name.to_string())) {
            None => diags.push(match operator_service(objects, ns, name) {
                Some(cr) => {
                    let mut d = Diagnostic::new(
                        DiagKind::Reference,
                        at,
                        format!(
                            "{via} routes to the Service {ns}/{name}, which the repository does not define: the operator of {} ({}) names the Services it creates after it",
                            cr.id(),
                            cr.api_version
                        ),
                    );
                    d.severity = vigie_core::Severity::Info;
                    d
                }
                None => Diagnostic::dangling(at, missing_service_message(&via, ns, name)),
            }),
            Some(s) => {
                let _ = &s.at;
                let _ = &s.ports;
                for i in s.pods.iter() {
                    let wid = cx.pods[i];
                    if !seen.insert((wid, via.clone())) {
                        continue;
                    }
                    exposures.push(Exposure {
                        target: wid,
                        kind,
                        ports: Ports::Any,
                        via: via.clone(),
                        tls: tls.clone(),
                        at: at.clone(),
                    });
                }
            }
        }
    };
    let traefik_setup = vigie_tls::routing::Setup {
        redirects: vigie_tls::routing::kube_redirects(objects),
        ..vigie_tls::routing::Setup::default()
    };
    // Traefik IngressRoute and IngressRouteTCP
    for k in vigie_tls::routing::kube_routers(objects) {
        if matches!(k.router.provider, vigie_tls::routing::Provider::Ingress(_)) {
            continue;
        }
        let tls = traefik_tls(&k.router, &traefik_setup);
        let kind = if k.router.tcp {
            "IngressRouteTCP"
        } else {
            "IngressRoute"
        };
        for (sns, name, at) in &k.services {
            expose_service(
                sns,
                name,
                ExposureKind::ProxyRoute,
                format!("{kind} {}", k.router.name),
                tls.clone(),
                at.clone(),
                diags,
            );
        }
    }
    // Ingress
    for o in objects.iter().filter(|o| o.kind == "Ingress") {
        let ns = ns_of(o);
        let spec = o.node.get("spec");
        let tls_entries = spec
            .and_then(|s| s.get("tls"))
            .map(Node::items)
            .unwrap_or(&[]);
        // Traefik's Ingresses: TLS from the `router.tls` annotation, the entry points, the tls section.
        let traefik = vigie_tls::routing::traefik_ingress(o).then(|| {
            let k = vigie_tls::routing::kube_routers(std::slice::from_ref(o));
            k.first().map(|k| traefik_tls(&k.router, &traefik_setup))
        });
        // GKE's load balancer: its certificates and redirect, wherever they are declared
        let (gce, ingress_kind) = match platform.controller(o) {
            vigie_tls::ingress::Controller::Gce { internal, .. } => (
                Some(vigie_tls::ingress::GceIngress::read(o, objects)),
                if internal {
                    ExposureKind::InternalIngress
                } else {
                    ExposureKind::Ingress
                },
            ),
            _ => (None, ExposureKind::Ingress),
        };
        let tls_for = |host: Option<&str>| -> Tls {
            if let Some(Some(t)) = &traefik {
                return t.clone();
            }
            if let Some(g) = &gce {
                return gce_tls(ns, &o.name, g);
            }
            let covered = tls_entries.iter().any(|t| {
                let hosts = t.get("hosts").map(Node::items).unwrap_or(&[]);
                hosts.is_empty() || host.is_none() || hosts.iter().any(|h| h.as_str() == host)
            });
            if covered && !tls_entries.is_empty() {
                Tls::Yes(format!(
                    "Ingress {ns}/{} has a tls section{}",
                    o.name,
                    host.map(|h| format!(" for {h}")).unwrap_or_default()
                ))
            } else {
                Tls::No(format!(
                    "Ingress {ns}/{} has no tls section{}",
                    o.name,
                    host.map(|h| format!(" covering {h}")).unwrap_or_default()
                ))
            }
        };
        let backend_name = |b: &Node| -> Option<String> {
            b.path(&["service", "name"])
                .or_else(|| b.get("serviceName"))
                .and_then(Node::as_str)
                .map(str::to_string)
        };
        if let Some(b) = spec.and_then(|s| s.get("defaultBackend").or_else(|| s.get("backend"))) {
            if let Some(name) = backend_name(b) {
                expose_service(
                    ns,
                    &name,
                    ingress_kind,
                    format!("Ingress {ns}/{}", o.name),
                    tls_for(None),
                    o.loc(b.pos),
                    diags,
                );
            }
        }
        for r in spec
            .and_then(|s| s.get("rules"))
            .map(Node::items)
            .unwrap_or(&[])
        {
            let host = r.get("host").and_then(Node::as_str);
            for p in r.path(&["http", "paths"]).map(Node::items).unwrap_or(&[]) {
                if let Some(b) = p.get("backend")
                    && let Some(name) = backend_name(b)
                {
                    expose_service(
                        ns,
                        &name,
                        ingress_kind,
                        format!("Ingress {ns}/{}", o.name),
                        tls_for(host),
                        o.loc(b.pos),
                        diags,
                    );
                }
            }
        }
    }
    // Gateway API
    let mut gateways: HashMap<(String, String), Vec<(Option<String>, String, Location)>> =
        HashMap::new();
    for o in objects.iter().filter(|o| o.kind == "Gateway") {
        let listeners = o
            .node
            .path(&["spec", "listeners"])
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .map(|l| {
                (
                    l.get("name").and_then(Node::as_str).map(str::to_string),
                    l.get("protocol")
                        .and_then(Node::as_str)
                        .unwrap_or("HTTP")
                        .to_ascii_uppercase(),
                    o.loc(l.pos),
                )
            })
            .collect();
        gateways.insert((ns_of(o).to_string(), o.name.clone()), listeners);
    }
    for o in objects.iter().filter(|o| {
        matches!(
            o.kind.as_str(),
            "HTTPRoute" | "TLSRoute" | "GRPCRoute" | "TCPRoute"
        )
    }) {
        let ns = ns_of(o);
        let spec = o.node.get("spec");
        let mut tls: Option<Tls> = None;
        for pr in spec
            .and_then(|s| s.get("parentRefs"))
            .map(Node::items)
            .unwrap_or(&[])
        {
            let gname = pr.get("name").and_then(Node::as_str).unwrap_or_default();
            let gns = pr.get("namespace").and_then(Node::as_str).unwrap_or(ns);
            let section = pr.get("sectionName").and_then(Node::as_str);
            let Some(ls) = gateways.get(&(gns.to_string(), gname.to_string())) else {
                diags.push(Diagnostic::dangling(
                    o.loc(pr.pos),
                    format!(
                        "{} {ns}/{} attaches to the Gateway {gns}/{gname}, which the repository does not define",
                        o.kind, o.name
                    ),
                ));
                continue;
            };
            let attached: Vec<&(Option<String>, String, Location)> = ls
                .iter()
                .filter(|(n, _, _)| section.is_none() || n.as_deref() == section)
                .collect();
            let secure = attached
                .iter()
                .filter(|(_, p, _)| p == "HTTPS" || p == "TLS")
                .count();
            let t = if o.kind == "TLSRoute" || (secure > 0 && secure == attached.len()) {
                Tls::Yes(format!("Gateway {gns}/{gname} listens with TLS"))
            } else if secure > 0 {
                Tls::Redirect(format!(
                    "Gateway {gns}/{gname} has HTTPS beside plain HTTP listeners, taken as the redirect"
                ))
            } else {
                Tls::No(format!(
                    "Gateway {gns}/{gname} has no HTTPS or TLS listener for this route"
                ))
            };
            tls = Some(match (tls, t) {
                (Some(Tls::No(a)), _) | (_, Tls::No(a)) => Tls::No(a),
                (Some(Tls::Redirect(a)), _) | (_, Tls::Redirect(a)) => Tls::Redirect(a),
                (_, t) => t,
            });
        }
        let Some(tls) = tls else { continue };
        for rule in spec
            .and_then(|s| s.get("rules"))
            .map(Node::items)
            .unwrap_or(&[])
        {
            for b in rule.get("backendRefs").map(Node::items).unwrap_or(&[]) {
                let kind = b.get("kind").and_then(Node::as_str).unwrap_or("Service");
                if kind != "Service" {
                    continue;
                }
                let name = b.get("name").and_then(Node::as_str).unwrap_or_default();
                let bns = b.get("namespace").and_then(Node::as_str).unwrap_or(ns);
                expose_service(
                    bns,
                    name,
                    ExposureKind::Gateway,
                    format!("{} {ns}/{}", o.kind, o.name),
                    tls.clone(),
                    o.loc(b.pos),
                    diags,
                );
            }
        }
    }
}

fn parse_ports(items: &[Node], o: &Object, diags: &mut Vec<Diagnostic>) -> Vec<PortSpec> {
    let mut v = Vec::new();
    for p in items {
        let proto = match p.get("protocol").and_then(Node::as_str) {
            Some(s) => match Proto::parse(s) {
                Some(x) => x,
                None => {
                    diags.push(Diagnostic::new(
                        DiagKind::Parse,
                        o.loc(p.pos),
                        format!("NetworkPolicy {}: unknown protocol `{s}`", o.id()),
                    ));
                    continue;
                }
            },
            None => Proto::Tcp,
        };
        let port = p.get("port").map(|n| match n.as_i64() {
            Some(x) => PortRef::Num(u16::try_from(x).unwrap_or(0)),
            None => PortRef::Name(n.as_str().unwrap_or_default().to_string()),
        });
        let end = p
            .get("endPort")
            .and_then(Node::as_i64)
            .and_then(|n| u16::try_from(n).ok());
        v.push(PortSpec { proto, port, end });
    }
    v
}

fn read_policies(
    cx: &mut Ctx<'_>,
    objects: &[Object],
    ns_declared: &BTreeMap<String, (BTreeMap<String, String>, Location)>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(Policy, BitSet, bool, bool)> {
    let mut out = Vec::new();
    for o in objects.iter().filter(|o| o.kind == "NetworkPolicy") {
        let ns = ns_of(o).to_string();
        let Some(spec) = o.node.get("spec") else {
            diags.push(Diagnostic::new(
                DiagKind::Parse,
                o.at.clone(),
                format!("NetworkPolicy {} has no spec", o.id()),
            ));
            continue;
        };
        if !ns_declared.is_empty() && !ns_declared.contains_key(&ns) && !cx.by_ns.contains_key(&ns)
        {
            diags.push(Diagnostic::dangling(
                o.at.clone(),
                format!(
                    "NetworkPolicy {} is in the namespace `{ns}`, which the repository does not create and where no workload runs",
                    o.id()
                ),
            ));
        } else if cx.by_ns.is_empty() {
            // policies shipped alone, for pods deployed otherwise (`kubectl run`, a chart)
            let mut d = Diagnostic::new(
                DiagKind::Reference,
                o.at.clone(),
                format!(
                    "NetworkPolicy {} is in the namespace `{ns}`: this unit deploys no workload, so the pods it protects come from another deployment, judged on its own",
                    o.id()
                ),
            );
            d.severity = vigie_core::Severity::Info;
            diags.push(d);
        } else if !cx.by_ns.contains_key(&ns) {
            diags.push(Diagnostic::dangling(
                o.at.clone(),
                format!(
                    "NetworkPolicy {} is in the namespace `{ns}`, where no workload of the repository runs: it protects nothing here",
                    o.id()
                ),
            ));
        }
        let sel = match spec.get("podSelector").map(Selector::parse) {
            None => Selector::default(),
            Some(Ok(s)) => s,
            Some(Err(e)) => {
                diags.push(Diagnostic::new(
                    DiagKind::Parse,
                    o.loc(spec.get("podSelector").unwrap().pos),
                    format!("NetworkPolicy {}: {e}; the policy selects nothing", o.id()),
                ));
                continue;
            }
        };
        let selected = cx.pods_in(&ns, &sel);
        if !sel.is_empty() && selected.is_empty() && cx.by_ns.contains_key(&ns) {
            diags.push(no_pod_selected(
                objects,
                &ns,
                &sel,
                o.loc(spec.get("podSelector").map_or(spec.pos, |n| n.pos)),
                format!("NetworkPolicy {} selects `{}`", o.id(), sel.show()),
                true,
            ));
        }
        let (ti, te) = policy_types(spec);
        let mut pol = Policy {
            ns: ns.clone(),
            name: o.name.clone(),
            ingress: Vec::new(),
            egress: Vec::new(),
        };
        for (dir, peer_key, enabled) in [("ingress", "from", ti), ("egress", "to", te)] {
            if !enabled {
                continue;
            }
            for r in spec.get(dir).map(Node::items).unwrap_or(&[]) {
                let peers = r.get(peer_key).map(Node::items).unwrap_or(&[]);
                let mut rule = Rule {
                    all: peers.is_empty(),
                    pods: BitSet::new(cx.pods.len()),
                    outside: peers.is_empty(),
                    ports: parse_ports(r.get("ports").map(Node::items).unwrap_or(&[]), o, diags),
                    at: o.loc(r.pos),
                };
                for peer in peers {
                    if let Some(b) = peer.get("ipBlock") {
                        let c = b.get("cidr").and_then(Node::as_str).unwrap_or_default();
                        let except: Vec<String> = b
                            .get("except")
                            .map(Node::items)
                            .unwrap_or(&[])
                            .iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect();
                        match ip_block_reaches_outside(c, &except) {
                            Ok(x) => rule.outside |= x,
                            Err(e) => diags.push(Diagnostic::new(
                                DiagKind::Parse,
                                o.loc(b.pos),
                                format!("NetworkPolicy {}: ipBlock {e}", o.id()),
                            )),
                        }
                        continue;
                    }
                    let nsel = peer.get("namespaceSelector").map(Selector::parse);
                    let psel = peer.get("podSelector").map(Selector::parse);
                    let (nsel, psel) = match (nsel.transpose(), psel.transpose()) {
                        (Ok(a), Ok(b)) => (a, b),
                        (Err(e), _) | (_, Err(e)) => {
                            diags.push(Diagnostic::new(
                                DiagKind::Parse,
                                o.loc(peer.pos),
                                format!("NetworkPolicy {}: {e}; the peer matches nothing", o.id()),
                            ));
                            continue;
                        }
                    };
                    let namespaces = match &nsel {
                        Some(s) => cx.namespaces(s),
                        None => vec![ns.clone()],
                    };
                    let psel = psel.unwrap_or_default();
                    let mut found = false;
                    for n in &namespaces {
                        let b = cx.pods_in(n, &psel);
                        found |= !b.is_empty();
                        rule.pods.union_with(&b);
                    }
                    if nsel.is_none() && !found && cx.by_ns.contains_key(&ns) {
                        diags.push(no_pod_selected(
                            objects,
                            &ns,
                            &psel,
                            o.loc(peer.pos),
                            format!(
                                "NetworkPolicy {}: the {dir} peer podSelector `{}`",
                                o.id(),
                                psel.show()
                            ),
                            true,
                        ));
                    }
                }
                if dir == "ingress" {
                    pol.ingress.push(rule);
                } else {
                    pol.egress.push(rule);
                }
            }
        }
        out.push((pol, selected, ti, te));
    }
    out
}

type Evaluated = (Vec<Flow>, Vec<(Wid, Through)>);

/// Above this many pods with unrestricted egress, a destination open to every pod gets one
/// flow naming them all (see [`Flow::more`]) rather than one flow per pod.
const SHARED_SOURCES_FROM: usize = 64;

fn evaluate(cx: &Ctx<'_>, policies: &[(Policy, BitSet, bool, bool)]) -> Evaluated {
    let n = cx.pods.len();
    let g = cx.graph;
    let mut ing: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut egr: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (pi, (_, sel, ti, te)) in policies.iter().enumerate() {
        for i in sel.iter() {
            if *ti {
                ing[i].push(pi);
            }
            if *te {
                egr[i].push(pi);
            }
        }
    }
    let all = BitSet::full(n);
    // the pods whose egress nothing restricts: into a destination open to every pod they all
    // flow with the same ports and reason, so past a few they make one flow sharing this list
    let unrestricted: Arc<[Wid]> = (0..n)
        .filter(|s| egr[*s].is_empty())
        .map(|s| cx.pods[s])
        .collect();
    let share = unrestricted.len() > SHARED_SOURCES_FROM;
    use rayon::prelude::*;
    let per_dst: Vec<Vec<Flow>> = (0..n)
        .into_par_iter()
        .map(|d| {
            let dw = &g.workloads[cx.pods[d]];
            let mut out = Vec::new();
            if let Some(declared) = &g.only_into_databases
                && !crate::roles::may_be_database(dw, declared)
            {
                return out;
            }
            let listen = dw.listen_ports();
            let (sources, open) = if ing[d].is_empty() {
                (all.clone(), true)
            } else {
                let mut s = BitSet::new(n);
                for &pi in &ing[d] {
                    for r in &policies[pi].0.ingress {
                        if r.all {
                            s = all.clone();
                            break;
                        }
                        s.union_with(&r.pods);
                    }
                }
                (s, false)
            };
            if open && share && !listen.is_empty() {
                let first = unrestricted.iter().copied().find(|w| *w != cx.pods[d]);
                if let Some(from) = first {
                    out.push(Flow {
                        from,
                        to: cx.pods[d],
                        ports: listen.clone(),
                        through: Through {
                            text: format!(
                                "no NetworkPolicy selects {} for ingress (every pod may connect)",
                                dw.name
                            ),
                            at: None,
                        },
                        more: Some(Arc::clone(&unrestricted)),
                    });
                }
            }
            for s in sources.iter() {
                if s == d || (open && share && egr[s].is_empty()) {
                    continue;
                }
                let (in_ports, in_through) = if open {
                    (
                        Ports::Any,
                        Through {
                            text: format!(
                                "no NetworkPolicy selects {} for ingress (every pod may connect)",
                                dw.name
                            ),
                            at: None,
                        },
                    )
                } else {
                    let mut ports = Ports::none();
                    let mut through = None;
                    for &pi in &ing[d] {
                        let p = &policies[pi].0;
                        for r in &p.ingress {
                            if r.all || r.pods.contains(s) {
                                let rp = resolve_ports(&r.ports, dw);
                                if through.is_none() && !rp.is_empty() {
                                    through = Some(Through {
                                        text: format!(
                                            "NetworkPolicy {}/{} admits it",
                                            p.ns, p.name
                                        ),
                                        at: Some(r.at.clone()),
                                    });
                                }
                                ports = ports.union(&rp);
                            }
                        }
                    }
                    match through {
                        Some(t) => (ports, t),
                        None => continue,
                    }
                };
                let eg_ports = if egr[s].is_empty() {
                    Ports::Any
                } else {
                    let mut ports = Ports::none();
                    for &pi in &egr[s] {
                        for r in &policies[pi].0.egress {
                            if r.all || r.pods.contains(d) {
                                ports = ports.union(&resolve_ports(&r.ports, dw));
                            }
                        }
                    }
                    ports
                };
                let ports = in_ports.intersect(&eg_ports).intersect(&listen);
                if ports.is_empty() {
                    continue;
                }
                out.push(Flow {
                    from: cx.pods[s],
                    to: cx.pods[d],
                    ports,
                    through: in_through,
                    more: None,
                });
            }
            out
        })
        .collect();
    let flows = per_dst.into_iter().flatten().collect();
    let mut egress = Vec::new();
    for s in 0..n {
        let w = cx.pods[s];
        if egr[s].is_empty() {
            egress.push((
                w,
                Through {
                    text: format!(
                        "no NetworkPolicy restricts the egress of {}",
                        g.workloads[w].name
                    ),
                    at: None,
                },
            ));
            continue;
        }
        'found: for &pi in &egr[s] {
            let p = &policies[pi].0;
            for r in &p.egress {
                if r.outside {
                    egress.push((
                        w,
                        Through {
                            text: format!(
                                "NetworkPolicy {}/{} allows egress outside the cluster",
                                p.ns, p.name
                            ),
                            at: Some(r.at.clone()),
                        },
                    ));
                    break 'found;
                }
            }
        }
    }
    (flows, egress)
}

/// What a route to a Service that its unit does not deploy is told (medium: a typo, or a
/// Service deployed otherwise).
const NOT_DEFINED: &str = "which the repository does not define";

fn missing_service_message(via: &str, ns: &str, name: &str) -> String {
    format!("{via} routes to the Service {ns}/{name}, {NOT_DEFINED}")
}

/// The Service (namespace, name) a [`missing_service_message`] names, for the scan to look
/// it up in the other units of the repository.
pub fn missing_service(message: &str) -> Option<(&str, &str)> {
    let rest = message.split_once(" routes to the Service ")?.1;
    let (id, tail) = rest.split_once(", ")?;
    if !tail.starts_with(NOT_DEFINED) || tail.len() != NOT_DEFINED.len() {
        return None;
    }
    id.split_once('/')
}

/// The message for a route whose Service another unit of the repository deploys: an info
/// note, since units applied one after another into one namespace resolve it.
pub fn service_deployed_by_another_unit(message: &str, unit: &str, at: &str) -> String {
    message.replace(
        NOT_DEFINED,
        &format!("which this unit does not deploy; the unit {unit} does ({at}): applied beside it, the route resolves"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_blocks() {
        assert!(ip_block_reaches_outside("0.0.0.0/0", &[]).unwrap());
        assert!(
            !ip_block_reaches_outside("0.0.0.0/0", &["0.0.0.0/1".into(), "128.0.0.0/1".into()])
                .unwrap()
        );
        assert!(!ip_block_reaches_outside("10.0.0.0/8", &[]).unwrap());
        assert!(ip_block_reaches_outside("203.0.113.0/24", &[]).unwrap());
        assert!(!ip_block_reaches_outside("203.0.113.0/24", &["203.0.113.0/24".into()]).unwrap());
        assert!(ip_block_reaches_outside("::/0", &[]).unwrap());
        assert!(!ip_block_reaches_outside("fd00::/8", &[]).unwrap());
        assert!(ip_block_reaches_outside("nonsense", &[]).is_err());
    }
}
