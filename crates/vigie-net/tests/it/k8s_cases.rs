//! One case per Kubernetes rule: Services, Ingress, Gateway API, host exposure and every
//! NetworkPolicy semantic, each a small manifest and the reachability expected.

use crate::common;
use common::*;
use vigie_net::judge;
use vigie_net::model::ExposureKind;

fn pod(name: &str, ns: &str, labels: &str, port: u16) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {labels}\nspec:\n  containers:\n    - name: c\n      image: example/{name}:1\n      ports:\n        - {{name: main, containerPort: {port}}}\n        - {{name: metrics, containerPort: 9100}}\n---\n"
    )
}

fn base() -> String {
    let mut s = String::new();
    s += "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n  labels: {env: prod}\n---\n";
    s += "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ops\n  labels: {env: ops}\n---\n";
    s += &pod("api", "prod", "{app: api, tier: back}", 3000);
    s += &pod("db", "prod", "{app: db, tier: data}", 5432);
    s += &pod("web", "prod", "{app: web, tier: front}", 8080);
    s += &pod("mon", "ops", "{app: mon}", 9090);
    s += &pod("api", "ops", "{app: api}", 3000);
    s
}

fn policy(name: &str, ns: &str, spec: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{spec}\n---\n"
    )
}

#[test]
fn unselected_pods_accept_everything() {
    let g = k8s_graph(&base());
    // listening ports bound the flow
    assert_eq!(
        reach(&g, "ops/mon", "prod/db").as_deref(),
        Some("5432/tcp, 9100/tcp")
    );
    assert_eq!(g.flows.len(), 5 * 4);
    let f = g.flows.iter().find(|f| f.to == id(&g, "prod/db")).unwrap();
    assert!(f.through.text.contains("no NetworkPolicy selects db"));
}

#[test]
fn default_deny_ingress_isolates_the_selected_pods() {
    let g = k8s_graph(
        &(base()
            + &policy(
                "deny",
                "prod",
                "  podSelector: {}\n  policyTypes: [Ingress]",
            )),
    );
    assert_eq!(reach(&g, "prod/api", "prod/db"), None);
    assert_eq!(reach(&g, "ops/mon", "prod/web"), None);
    // ops is not selected: still open
    assert!(reach(&g, "prod/api", "ops/mon").is_some());
}

#[test]
fn pod_selector_peer_is_the_policy_namespace_only() {
    let g = k8s_graph(
        &(base()
            + &policy(
                "db",
                "prod",
                "  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from:\n        - podSelector: {matchLabels: {app: api}}",
            )),
    );
    assert!(reach(&g, "prod/api", "prod/db").is_some());
    assert_eq!(
        reach(&g, "ops/api", "prod/db"),
        None,
        "same labels, other namespace"
    );
    assert_eq!(reach(&g, "prod/web", "prod/db"), None);
    // the other pods of prod are not selected: open
    assert!(reach(&g, "ops/mon", "prod/web").is_some());
}

#[test]
fn namespace_selector_alone_admits_every_pod_of_those_namespaces() {
    let g = k8s_graph(
        &(base()
            + &policy(
                "db",
                "prod",
                "  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from:\n        - namespaceSelector: {matchLabels: {env: ops}}",
            )),
    );
    assert!(reach(&g, "ops/mon", "prod/db").is_some());
    assert!(reach(&g, "ops/api", "prod/db").is_some());
    assert_eq!(reach(&g, "prod/api", "prod/db"), None);
}

#[test]
fn namespace_and_pod_selector_together_are_an_and() {
    let both = policy(
        "db",
        "prod",
        "  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from:\n        - namespaceSelector: {matchLabels: {env: ops}}\n          podSelector: {matchLabels: {app: mon}}",
    );
    let g = k8s_graph(&(base() + &both));
    assert!(reach(&g, "ops/mon", "prod/db").is_some());
    assert_eq!(reach(&g, "ops/api", "prod/db"), None);
    // two separate peers are an OR
    let either = policy(
        "db",
        "prod",
        "  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from:\n        - namespaceSelector: {matchLabels: {env: ops}}\n        - podSelector: {matchLabels: {app: mon}}",
    );
    let g = k8s_graph(&(base() + &either));
    assert!(reach(&g, "ops/api", "prod/db").is_some());
}

#[test]
fn metadata_name_label_selects_namespaces_even_undeclared_ones() {
    let g = k8s_graph(
        &(base()
            + &pod("tool", "tools", "{app: tool}", 80)
            + &policy(
                "db",
                "prod",
                "  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from:\n        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: tools}}",
            )),
    );
    assert!(reach(&g, "tools/tool", "prod/db").is_some());
    assert_eq!(reach(&g, "ops/mon", "prod/db"), None);
}

#[test]
fn match_expressions() {
    let g = k8s_graph(
        &(base()
            + &policy(
                "db",
                "prod",
                "  podSelector: {matchExpressions: [{key: tier, operator: In, values: [data]}]}\n  ingress:\n    - from:\n        - podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [front]}, {key: app, operator: Exists}]}",
            )),
    );
    assert!(reach(&g, "prod/api", "prod/db").is_some());
    assert_eq!(reach(&g, "prod/web", "prod/db"), None);
}

#[test]
fn ports_end_port_named_ports_and_protocols() {
    let g = k8s_graph(
        &(base()
            + &policy(
                "db",
                "prod",
                "  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: api}}}]\n      ports: [{port: main}]\n    - from: [{podSelector: {matchLabels: {app: web}}}]\n      ports: [{port: 9000, endPort: 9200}]\n    - from: [{namespaceSelector: {}}]\n      ports: [{protocol: UDP, port: 5432}]",
            )),
    );
    assert_eq!(
        reach(&g, "prod/api", "prod/db").as_deref(),
        Some("5432/tcp")
    );
    assert_eq!(
        reach(&g, "prod/web", "prod/db").as_deref(),
        Some("9100/tcp")
    );
    // UDP 5432: the pod listens on TCP only
    assert_eq!(reach(&g, "ops/mon", "prod/db"), None);
}

#[test]
fn empty_rule_admits_everyone() {
    let g = k8s_graph(
        &(base()
            + &policy(
                "open",
                "prod",
                "  podSelector: {matchLabels: {app: web}}\n  ingress:\n    - {}",
            )),
    );
    assert!(reach(&g, "ops/mon", "prod/web").is_some());
}

#[test]
fn policy_types_default_and_egress_isolation() {
    // no policyTypes, an egress section: Ingress and Egress; no ingress rule: ingress denied
    let g = k8s_graph(
        &(base()
            + &policy(
                "api-out",
                "prod",
                "  podSelector: {matchLabels: {app: api}}\n  egress:\n    - to: [{podSelector: {matchLabels: {app: db}}}]\n      ports: [{port: 5432}]",
            )),
    );
    assert_eq!(
        reach(&g, "prod/api", "prod/db").as_deref(),
        Some("5432/tcp")
    );
    assert_eq!(reach(&g, "prod/api", "prod/web"), None, "egress denied");
    assert_eq!(
        reach(&g, "prod/web", "prod/api"),
        None,
        "ingress isolated by the implied type"
    );
    assert!(
        !g.egress_outside
            .iter()
            .any(|(w, _)| *w == id(&g, "prod/api"))
    );
    // explicit Egress only: ingress stays open
    let g = k8s_graph(
        &(base()
            + &policy(
                "api-out",
                "prod",
                "  podSelector: {matchLabels: {app: api}}\n  policyTypes: [Egress]\n  egress:\n    - to: [{podSelector: {matchLabels: {app: db}}}]",
            )),
    );
    assert!(reach(&g, "prod/web", "prod/api").is_some());
    assert_eq!(reach(&g, "prod/api", "prod/web"), None);
}

#[test]
fn ingress_allowed_but_source_egress_denied_means_no_flow() {
    let g = k8s_graph(
        &(base()
            + &policy(
                "deny-out",
                "ops",
                "  podSelector: {}\n  policyTypes: [Egress]",
            )),
    );
    assert_eq!(reach(&g, "ops/mon", "prod/db"), None);
    assert!(reach(&g, "prod/api", "ops/mon").is_some());
}

#[test]
fn ip_block_with_except_is_the_outside() {
    let g = k8s_graph(
        &(base()
            + &policy(
                "out",
                "prod",
                "  podSelector: {matchLabels: {app: api}}\n  policyTypes: [Egress]\n  egress:\n    - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]",
            )
            + &policy(
                "internal-only",
                "prod",
                "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n    - to: [{ipBlock: {cidr: 10.0.0.0/8}}]",
            )),
    );
    let out: Vec<String> = g
        .egress_outside
        .iter()
        .map(|(w, _)| format!("{}/{}", g.workloads[*w].group, g.workloads[*w].name))
        .collect();
    assert!(out.contains(&"prod/api".to_string()));
    assert!(!out.contains(&"prod/web".to_string()));
    // ipBlock never matches pods
    assert_eq!(reach(&g, "prod/api", "prod/db"), None);
}

#[test]
fn services_of_every_type() {
    let mut s = base();
    for (name, ty, app) in [
        ("a", "ClusterIP", "api"),
        ("b", "NodePort", "web"),
        ("c", "LoadBalancer", "mon"),
        ("d", "ExternalName", ""),
    ] {
        let ns = if app == "mon" { "ops" } else { "prod" };
        let sel = if app.is_empty() {
            "  externalName: db.example.com\n".to_string()
        } else {
            format!(
                "  selector: {{app: {app}}}\n  ports: [{{port: 443, targetPort: main, nodePort: 30443}}]\n"
            )
        };
        s += &format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  type: {ty}\n{sel}---\n"
        );
    }
    s += "apiVersion: v1\nkind: Service\nmetadata:\n  name: headless\n  namespace: prod\nspec:\n  clusterIP: None\n  selector: {app: db}\n---\n";
    let g = k8s_graph(&s);
    assert!(exposed(&g, "prod/api").is_empty());
    assert!(exposed(&g, "prod/db").is_empty());
    assert_eq!(exposed(&g, "prod/web"), vec![ExposureKind::NodePort]);
    assert_eq!(exposed(&g, "ops/mon"), vec![ExposureKind::LoadBalancer]);
    let np = g
        .exposures
        .iter()
        .find(|e| e.kind == ExposureKind::NodePort)
        .unwrap();
    assert_eq!(np.ports.to_string(), "30443/tcp");
}

#[test]
fn service_selecting_nothing_is_diagnosed() {
    let g = k8s_graph(
        &(base()
            + "apiVersion: v1\nkind: Service\nmetadata:\n  name: ghost\n  namespace: prod\nspec:\n  selector: {app: ghost}\n"),
    );
    assert!(
        diags(&g)
            .iter()
            .any(|d| d.contains("Service prod/ghost") && d.contains("matches no pod"))
    );
}

#[test]
fn ingress_with_and_without_tls() {
    let s = base()
        + "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: prod}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n---\n"
        + "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: prod}\nspec:\n  selector: {app: api}\n  ports: [{port: 80}]\n---\n"
        + "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: secure, namespace: prod}\nspec:\n  tls: [{hosts: [a.example], secretName: a}]\n  rules:\n    - host: a.example\n      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}\n---\n"
        + "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: plain, namespace: prod}\nspec:\n  rules:\n    - host: b.example\n      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}, {path: /x, pathType: Prefix, backend: {service: {name: missing, port: {number: 80}}}}]}\n";
    let g = k8s_graph(&s);
    let web = g
        .exposures
        .iter()
        .find(|e| e.target == id(&g, "prod/web"))
        .unwrap();
    assert_eq!(web.kind, ExposureKind::Ingress);
    assert!(web.tls.ok());
    let api = g
        .exposures
        .iter()
        .find(|e| e.target == id(&g, "prod/api"))
        .unwrap();
    assert!(!api.tls.ok());
    assert!(diags(&g).iter().any(|d| d.contains("Service prod/missing")));
}

#[test]
fn gateway_api_routes() {
    let s = base()
        + "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: prod}\nspec:\n  selector: {app: web}\n---\n"
        + "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: prod}\nspec:\n  selector: {app: api}\n---\n"
        + "apiVersion: v1\nkind: Service\nmetadata: {name: mon, namespace: ops}\nspec:\n  selector: {app: mon}\n---\n"
        + "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: prod}\nspec:\n  gatewayClassName: x\n  listeners:\n    - {name: https, protocol: HTTPS, port: 443}\n    - {name: http, protocol: HTTP, port: 80}\n---\n"
        + "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web, namespace: prod}\nspec:\n  parentRefs: [{name: gw, sectionName: https}]\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n---\n"
        + "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: api, namespace: prod}\nspec:\n  parentRefs: [{name: gw, sectionName: http}]\n  rules: [{backendRefs: [{name: api, port: 80}]}]\n---\n"
        + "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TLSRoute\nmetadata: {name: mon, namespace: ops}\nspec:\n  parentRefs: [{name: gw, namespace: prod}]\n  rules: [{backendRefs: [{name: mon, port: 9090}]}]\n---\n"
        + "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: lost, namespace: prod}\nspec:\n  parentRefs: [{name: nowhere}]\n  rules: [{backendRefs: [{name: web}]}]\n";
    let g = k8s_graph(&s);
    let get = |n: &str| g.exposures.iter().find(|e| e.target == id(&g, n)).unwrap();
    assert_eq!(get("prod/web").kind, ExposureKind::Gateway);
    assert!(get("prod/web").tls.ok());
    assert!(!get("prod/api").tls.ok());
    assert!(get("ops/mon").tls.ok());
    assert!(diags(&g).iter().any(|d| d.contains("Gateway prod/nowhere")));
}

#[test]
fn host_network_and_host_port() {
    let s = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: ops}\nspec:\n  template:\n    metadata: {labels: {app: agent}}\n    spec:\n      hostNetwork: true\n      containers: [{name: a, image: x/agent, ports: [{containerPort: 9100}]}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: ops}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: w, image: x/web, ports: [{containerPort: 8080, hostPort: 80}]}]\n";
    let g = k8s_graph(s);
    assert_eq!(exposed(&g, "agent"), vec![ExposureKind::HostNetwork]);
    assert_eq!(exposed(&g, "web"), vec![ExposureKind::HostPort]);
    let hp = g
        .exposures
        .iter()
        .find(|e| e.kind == ExposureKind::HostPort)
        .unwrap();
    assert_eq!(hp.at.line, 18);
}

#[test]
fn policies_where_nothing_runs_and_selectors_matching_nothing() {
    let g = k8s_graph(
        &(base()
            + &policy(
                "p1",
                "ops",
                "  podSelector: {matchLabels: {app: nothing}}\n  policyTypes: [Ingress]",
            )
            + &policy("p2", "ghost", "  podSelector: {}\n  policyTypes: [Ingress]")
            + "apiVersion: v1\nkind: Namespace\nmetadata: {name: empty}\n---\n"
            + &policy("p3", "empty", "  podSelector: {}\n  policyTypes: [Ingress]")
            + &policy(
                "p4",
                "prod",
                "  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: nobody}}}]}]",
            )),
    );
    let d = diags(&g);
    assert!(
        d.iter()
            .any(|m| m.contains("NetworkPolicy/ops/p1") && m.contains("matches no pod")),
        "{d:?}"
    );
    assert!(
        d.iter()
            .any(|m| m.contains("NetworkPolicy/ghost/p2") && m.contains("does not create")),
        "{d:?}"
    );
    assert!(
        d.iter()
            .any(|m| m.contains("NetworkPolicy/empty/p3") && m.contains("protects nothing")),
        "{d:?}"
    );
    assert!(
        d.iter()
            .any(|m| m.contains("NetworkPolicy/prod/p4") && m.contains("app=nobody")),
        "{d:?}"
    );
    assert!(d.iter().all(|m| m.starts_with("k8s.yaml:")), "{d:?}");
    // p4 isolates db and admits nobody
    assert_eq!(reach(&g, "prod/api", "prod/db"), None);
}

#[test]
fn bad_selector_operator_is_diagnosed() {
    let g = k8s_graph(
        &(base()
            + &policy(
                "bad",
                "prod",
                "  podSelector: {matchExpressions: [{key: app, operator: Maybe}]}\n  policyTypes: [Ingress]",
            )),
    );
    assert!(
        diags(&g)
            .iter()
            .any(|d| d.contains("unknown matchExpressions operator `Maybe`"))
    );
    assert!(reach(&g, "prod/api", "prod/db").is_some());
}

/// A workload is kept as a compact record of its pods, with what the model reads and nothing
/// else; the graph built from records alone has its exposures.
#[test]
fn workload_records_keep_what_the_model_reads() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations: {a: b}\nspec:\n  replicas: 3\n  template:\n    metadata:\n      labels: {app: web}\n      annotations: {x: y}\n    spec:\n      hostNetwork: true\n      volumes: [{name: v, emptyDir: {}}]\n      containers:\n        - name: web\n          image: x/web\n          env: [{name: SECRET, value: s}]\n          ports: [{containerPort: 80, hostPort: 81}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
    let objs = every_object("d.yaml", text);
    assert!(
        objs.iter().all(|o| vigie_net::keep(o).is_none()),
        "kept as records, not objects"
    );
    assert!(vigie_net::record(&objs[1]).is_none(), "ConfigMap dropped");
    let pods = vigie_net::record(&objs[0]).expect("the Deployment's pod");
    assert_eq!(pods.len(), 1);
    let j = format!("{pods:?}");
    assert!(
        !j.contains("SECRET")
            && !j.contains("volumes")
            && !j.contains("\"x\"")
            && !j.contains("replicas"),
        "{j}"
    );
    let g = vigie_net::build_for_checks(
        &[],
        &[],
        &pods.iter().collect::<Vec<_>>(),
        &vigie_net::DeclaredRoles::default(),
        &vigie_tls::MemFiles::new(&[]),
    );
    assert_eq!(g.workloads.len(), 1);
    assert_eq!(
        g.workloads[0].labels.get("app").map(String::as_str),
        Some("web")
    );
    let mut kinds: Vec<_> = g
        .exposures
        .iter()
        .map(|e| (e.kind, e.via.clone()))
        .collect();
    kinds.sort_by_key(|(_, via)| via.clone());
    assert_eq!(
        kinds,
        [
            (ExposureKind::HostNetwork, "hostNetwork: true".to_string()),
            (ExposureKind::HostPort, "hostPort 81 → 80".to_string()),
        ]
    );
}

#[test]
fn traefik_ingressroutes_expose_their_services() {
    let g = k8s_graph(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shop, namespace: edge}\nspec:\n  selector: {matchLabels: {app: shop}}\n  template:\n    metadata: {labels: {app: shop}}\n    spec:\n      containers: [{name: shop, image: x/shop}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: shop, namespace: edge}\nspec:\n  selector: {app: shop}\n  ports: [{port: 80}]\n---\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata: {name: shop, namespace: edge}\nspec:\n  entryPoints: [websecure]\n  routes:\n    - match: Host(`shop.example`)\n      kind: Rule\n      services: [{name: shop, port: 80}]\n  tls: {}\n---\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata: {name: shop-plain, namespace: edge}\nspec:\n  entryPoints: [web]\n  routes:\n    - match: Host(`shop.example`)\n      kind: Rule\n      services: [{name: shop, port: 80}]\n---\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata: {name: ghost, namespace: edge}\nspec:\n  routes:\n    - match: Host(`x`)\n      kind: Rule\n      services: [{name: nowhere, port: 80}]\n",
    );
    let shop = id(&g, "shop");
    let ex: Vec<_> = g.exposures.iter().filter(|e| e.target == shop).collect();
    assert_eq!(ex.len(), 2, "{ex:?}");
    let secure = ex
        .iter()
        .find(|e| e.via == "IngressRoute edge/shop")
        .unwrap();
    assert_eq!(secure.kind, ExposureKind::ProxyRoute);
    assert!(secure.tls.ok());
    let plain = ex
        .iter()
        .find(|e| e.via == "IngressRoute edge/shop-plain")
        .unwrap();
    assert!(!plain.tls.ok());
    assert!(
        g.diagnostics
            .iter()
            .any(|d| d.message.contains("edge/nowhere")),
        "{:?}",
        g.diagnostics
    );
}

fn web(name: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n        - {{name: c, image: example/{name}:1, ports: [{{containerPort: 8080}}]}}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  type: NodePort\n  selector: {{app: {name}}}\n  ports: [{{port: 8080}}]\n---\n"
    )
}

fn ingress(name: &str, annotations: &str, class: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n  annotations: {{{annotations}}}\nspec:\n{class}  defaultBackend:\n    service: {{name: {name}, port: {{number: 8080}}}}\n---\n"
    )
}

/// A NodePort Service that a cloud load balancer's Ingress routes to is that load balancer's
/// backend: the exposure is the Ingress, not the node port. Behind ingress-nginx, which reaches
/// pods directly, the node port is an exposure of its own.
#[test]
fn node_ports_behind_a_cloud_load_balancer_are_its_backends() {
    let g = k8s_graph(
        &[
            web("gce"),
            ingress("gce", "", "  ingressClassName: gce\n"),
            web("gke-annotated"),
            ingress(
                "gke-annotated",
                "kubernetes.io/ingress.global-static-ip-name: ip",
                "",
            ),
        ]
        .concat(),
    );
    for n in ["default/gce", "default/gke-annotated"] {
        assert_eq!(exposed(&g, n), vec![ExposureKind::Ingress], "{n}");
    }
    // not on GKE: ALB in instance mode uses node ports, ingress-nginx does not
    let g = k8s_graph(
        &[
            web("alb"),
            ingress("alb", "", "  ingressClassName: alb\n"),
            web("nginx"),
            ingress("nginx", "", "  ingressClassName: nginx\n"),
            web("bare"),
        ]
        .concat(),
    );
    assert_eq!(exposed(&g, "default/alb"), vec![ExposureKind::Ingress]);
    assert_eq!(
        exposed(&g, "default/nginx"),
        vec![ExposureKind::NodePort, ExposureKind::Ingress]
    );
    assert_eq!(exposed(&g, "default/bare"), vec![ExposureKind::NodePort]);
}

/// GKE's Ingress serves HTTPS from a ManagedCertificate or a pre-shared certificate without any
/// `tls` section; with neither it is plain HTTP.
#[test]
fn gke_ingress_tls_comes_from_its_certificates() {
    let g = k8s_graph(
        &[
            web("managed"),
            ingress(
                "managed",
                "networking.gke.io/managed-certificates: cert, kubernetes.io/ingress.allow-http: 'false'",
                "  ingressClassName: gce\n",
            ),
            web("shared"),
            ingress("shared", "ingress.gcp.kubernetes.io/pre-shared-cert: shop", "  ingressClassName: gce\n"),
            web("none"),
            ingress("none", "", "  ingressClassName: gce\n"),
        ]
        .concat(),
    );
    let j = judge(&g);
    let managed = verdict(&j, "NET-03.2", "default/managed");
    assert!(
        managed.is_pass() && managed.message.contains("ManagedCertificate cert"),
        "{}",
        managed.message
    );
    let shared = verdict(&j, "NET-03.2", "default/shared");
    assert!(shared.is_pass(), "{}", shared.message);
    let none = verdict(&j, "NET-03.2", "default/none");
    assert!(
        none.is_fail() && none.message.contains("no certificate"),
        "{}",
        none.message
    );
}

/// An internal load balancer is reachable from the private network only: not an entry point
/// from outside (NET-03), but a database behind it is still reachable outside the cluster.
#[test]
fn internal_load_balancers_are_private_exposures() {
    let lb = |name: &str, image: &str, ann: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers: [{{name: c, image: '{image}'}}]\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  annotations: {{{ann}}}\nspec:\n  type: LoadBalancer\n  selector: {{app: {name}}}\n  ports: [{{port: 6446}}]\n---\n"
        )
    };
    let g = k8s_graph(
        &[
            lb(
                "router",
                "example/router:1",
                "networking.gke.io/load-balancer-type: Internal",
            ),
            lb(
                "aws",
                "example/api:1",
                "service.beta.kubernetes.io/aws-load-balancer-scheme: internal",
            ),
            lb(
                "db",
                "mysql:8",
                "service.beta.kubernetes.io/azure-load-balancer-internal: 'true'",
            ),
            lb("public", "example/web:1", ""),
        ]
        .concat(),
    );
    for n in ["default/router", "default/aws", "default/db"] {
        assert_eq!(
            exposed(&g, n),
            vec![ExposureKind::InternalLoadBalancer],
            "{n}"
        );
    }
    let j = judge(&g);
    assert!(verdict(&j, "NET-03.1", "default/router").is_pass());
    assert!(
        !j.verdicts
            .iter()
            .any(|(_, v)| v.check == "NET-03.2" && v.subject.ends_with("default/router")),
        "no TLS verdict on a private exposure"
    );
    assert!(verdict(&j, "NET-01.1", "default/db").is_fail());
    assert!(verdict(&j, "NET-03.1", "default/public").is_fail());
    assert!(verdict(&j, "NET-03.2", "default/public").is_fail());
}

/// On GKE (the repository holds objects only GKE serves) node ports are closed to the Internet by
/// GKE's firewall rules: a NodePort Service is a private exposure there, and a `gce-internal`
/// Ingress reaches the VPC only. Elsewhere a NodePort stays a direct exposure.
#[test]
fn node_ports_on_gke_and_internal_ingresses_are_private() {
    let gke = "apiVersion: cloud.google.com/v1\nkind: BackendConfig\nmetadata:\n  name: b\n---\n";
    let g = k8s_graph(
        &[
            gke.to_string(),
            web("users"),
            web("internal"),
            ingress("internal", "", "  ingressClassName: gce-internal\n"),
        ]
        .concat(),
    );
    assert_eq!(
        exposed(&g, "default/users"),
        vec![ExposureKind::GkeNodePort]
    );
    assert_eq!(
        exposed(&g, "default/internal"),
        vec![ExposureKind::InternalIngress]
    );
    let j = judge(&g);
    let v = verdict(&j, "NET-03.1", "default/users");
    assert!(
        v.is_pass() && v.message.contains("firewall"),
        "{}",
        v.message
    );
    assert!(
        !j.verdicts
            .iter()
            .any(|(_, v)| v.check == "NET-03.2" && v.subject.ends_with("default/internal")),
        "an internal Ingress is not held to NET-03.2"
    );
    let g = k8s_graph(&web("users"));
    assert_eq!(exposed(&g, "default/users"), vec![ExposureKind::NodePort]);
}

/// `n` Deployments in one namespace without any NetworkPolicy, one in five a PostgreSQL
/// server, one of them the API.
fn open_namespace(n: usize) -> String {
    let mut y = String::new();
    for i in 0..n {
        let (name, image, port) = if i % 5 == 4 {
            (format!("db{i}"), "postgres:16", 5432)
        } else if i == 0 {
            ("api".to_string(), "registry.example/api:1", 8080)
        } else {
            (format!("w{i}"), "registry.example/w:1", 8080)
        };
        y.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: prod}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers: [{{name: c, image: \"{image}\", ports: [{{containerPort: {port}}}]}}]\n"
        ));
    }
    y
}

#[test]
fn pods_open_to_every_pod_are_stored_in_proportion_to_the_pods() {
    // entries stored for the flows: one per flow, plus each shared list of sources once
    let stored = |g: &vigie_net::model::Graph| {
        let mut seen = std::collections::HashSet::new();
        g.flows.len()
            + g.flows
                .iter()
                .filter_map(|f| f.more.as_ref())
                .filter(|m| seen.insert(m.as_ptr()))
                .map(|m| m.len())
                .sum::<usize>()
    };
    let (g1, g2) = (
        k8s_graph(&open_namespace(400)),
        k8s_graph(&open_namespace(800)),
    );
    // every pod still reaches every other: 400 × 399 pairs
    assert_eq!(g1.flow_pairs(), 400 * 399);
    assert_eq!(
        reach(&g1, "prod/w7", "prod/db9").as_deref(),
        Some("5432/tcp")
    );
    assert_eq!(
        reach(&g1, "prod/db9", "prod/w7").as_deref(),
        Some("8080/tcp")
    );
    assert_eq!(reach(&g1, "prod/w7", "prod/w7"), None);
    let (s1, s2) = (stored(&g1), stored(&g2));
    let ratio = s2 as f64 / s1 as f64;
    assert!((1.5..2.8).contains(&ratio), "stored ×{ratio} ({s1} → {s2})");
    assert!(s2 < 4 * 800, "{s2} entries for 800 pods");

    // the verdict counts every source; the message and table name the first ones
    let j = vigie_net::judge(&g2);
    let db = j
        .verdicts
        .iter()
        .find(|(w, v)| v.check == "NET-02.1" && w.is_some_and(|w| g2.workloads[w].name == "db9"))
        .map(|(_, v)| v)
        .expect("NET-02.1 on db9");
    assert_eq!(db.outcome, vigie_core::Outcome::Fail, "{}", db.message);
    // 799 others: the API is allowed, the 159 other databases are PostgreSQL replicas
    let others = 799 - 1 - 159;
    assert!(
        db.message
            .contains(&format!("by {others} other than the API")),
        "{}",
        db.message
    );
    let named = db.message.matches(" through ").count();
    assert!(named <= vigie_net::controls::MAX_NAMED, "{}", db.message);
    assert!(
        db.message
            .ends_with(&format!("and {} more", others - named)),
        "{}",
        db.message
    );
    let t = j
        .tables
        .iter()
        .find(|t| t.title.starts_with("Who can reach the database db9 "))
        .unwrap();
    assert_eq!(t.rows.len(), vigie_net::controls::MAX_LISTED + 1);
    assert_eq!(
        t.rows.last().unwrap()[0],
        format!("… and {} more", 799 - vigie_net::controls::MAX_LISTED)
    );
    // 160 databases: every one is judged, the tables stop at the report's budget of rows and
    // the last one counts the tables left out
    let judged_dbs = j
        .verdicts
        .iter()
        .filter(|(_, v)| v.check == "NET-02.1")
        .count();
    assert_eq!(judged_dbs, 160);
    let budget = vigie_core::report::MAX_EVIDENCE_ROWS;
    let per_table = vigie_net::controls::MAX_LISTED + 1;
    let kept = budget.div_ceil(per_table);
    assert_eq!(j.tables.len(), kept);
    let tables = j.tables.clone().into_tables();
    let note = &tables.last().unwrap().rows.last().unwrap()[0];
    assert!(
        note.contains(&format!(
            "{} more rows in {} more tables not listed",
            (160 - kept) * per_table,
            160 - kept
        )),
        "{note}"
    );
}

/// The scan keeps workloads as records and operators' resources as objects: the graph built
/// from what it keeps lists the workloads in their objects' order, as one built from the
/// objects does (a namespace's verdicts are anchored at its first workload).
#[test]
fn kept_records_and_objects_give_the_objects_order() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: x/web}]\n---\napiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nmetadata: {name: llm}\nspec:\n  leaderWorkerTemplate:\n    leaderTemplate:\n      spec:\n        containers: [{name: leader, image: x/llm}]\n    workerTemplate:\n      spec:\n        containers: [{name: worker, image: x/llm}]\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: load}\nspec:\n  template:\n    spec:\n      containers: [{name: load, image: x/load}]\n";
    let objs = every_object("u.yaml", text);
    let kept: Vec<_> = objs.iter().filter_map(vigie_net::keep).collect();
    let pods: Vec<_> = objs
        .iter()
        .filter_map(vigie_net::record)
        .flatten()
        .collect();
    let from_kept = vigie_net::build_for_checks(
        &[],
        &kept,
        &pods.iter().collect::<Vec<_>>(),
        &vigie_net::DeclaredRoles::default(),
        &vigie_tls::MemFiles::new(&[]),
    );
    let from_objects = vigie_net::build(&[], &objs, &vigie_net::DeclaredRoles::default());
    let subjects = |g: &vigie_net::Graph| -> Vec<String> {
        g.workloads.iter().map(|w| w.subject.to_string()).collect()
    };
    assert_eq!(subjects(&from_kept), subjects(&from_objects));
    assert_eq!(from_kept.workloads.len(), 4, "{:?}", subjects(&from_kept));
    assert!(
        subjects(&from_kept)[0].contains("web"),
        "{:?}",
        subjects(&from_kept)
    );
}
