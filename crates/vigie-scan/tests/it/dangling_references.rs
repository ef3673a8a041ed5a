//! A reference between objects that leads nowhere is worth a look but hides nothing from the
//! checks: it is medium and does not close the gate. A file a build cannot read hides
//! configuration: it stays high and closes it.

use vigie_core::{DiagKind, Severity};

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: registry.example.org/web:1.0\n";
const SERVICE: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  selector: {app: api}\n  ports: [{port: 80}]\n";

#[test]
fn a_selector_that_matches_no_pod_is_medium_and_does_not_gate() {
    let r = crate::scan_files(&[("app/web.yaml", DEPLOYMENT), ("app/api-svc.yaml", SERVICE)]);
    let d: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("matches no pod"))
        .collect();
    assert_eq!(d.len(), 1, "{:#?}", r.diagnostics);
    assert_eq!(d[0].kind, DiagKind::Reference);
    assert_eq!(d[0].severity, Severity::Medium);
    assert!(!r.diagnostic_gates(d[0]));
}

#[test]
fn a_patch_whose_target_matches_nothing_is_medium() {
    let k = "resources: [web.yaml]\npatches:\n  - target: {kind: Deployment, name: gone}\n    patch: |-\n      - op: add\n        path: /spec/replicas\n        value: 2\n";
    let r = crate::scan_files(&[("k/kustomization.yaml", k), ("k/web.yaml", DEPLOYMENT)]);
    let d: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("matches no object"))
        .collect();
    assert_eq!(d.len(), 1, "{:#?}", r.diagnostics);
    assert_eq!(d[0].severity, Severity::Medium);
}

#[test]
fn a_component_patch_is_dangling_only_where_no_unit_it_serves_matches() {
    let component = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - target: {kind: StatefulSet}\n    patch: |-\n      - op: add\n        path: /spec/replicas\n        value: 1\n";
    let db = DEPLOYMENT
        .replace("kind: Deployment", "kind: StatefulSet")
        .replace("web", "db");
    let overlay = |res: &str| format!("resources: [{res}]\ncomponents: [../../components/sa]\n");
    let dangling = |files: &[(&str, &str)]| {
        let r = crate::scan_files(files);
        r.diagnostics
            .iter()
            .filter(|d| d.message.contains("matches no object"))
            .count()
    };
    let web = overlay("web.yaml");
    let with_db = overlay("db.yaml");
    // one unit has a StatefulSet: the component's patch serves it
    let both = [
        ("components/sa/kustomization.yaml", component),
        ("apps/web/kustomization.yaml", web.as_str()),
        ("apps/web/web.yaml", DEPLOYMENT),
        ("apps/db/kustomization.yaml", with_db.as_str()),
        ("apps/db/db.yaml", db.as_str()),
    ];
    assert_eq!(dangling(&both), 0);
    // no unit has one: the patch changes nothing anywhere
    assert_eq!(dangling(&both[..3]), 1);
}

#[test]
fn a_resource_a_build_cannot_read_stays_high_and_gates() {
    let k = "resources: [web.yaml, missing.yaml]\n";
    let r = crate::scan_files(&[("k/kustomization.yaml", k), ("k/web.yaml", DEPLOYMENT)]);
    let d: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagKind::Reference && d.message.contains("missing.yaml"))
        .collect();
    assert!(!d.is_empty(), "{:#?}", r.diagnostics);
    assert!(d.iter().all(|d| d.severity == Severity::High), "{d:#?}");
    assert!(d.iter().any(|d| r.diagnostic_gates(d)), "{d:#?}");
}

#[test]
fn a_reference_that_dangles_in_one_overlay_names_it() {
    let cache = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cache\nspec:\n  selector:\n    matchLabels: {app: cache}\n  template:\n    metadata:\n      labels: {app: cache}\n    spec:\n      containers:\n        - name: cache\n          image: registry.example.org/cache:1.0\n";
    let policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: cache\nspec:\n  podSelector:\n    matchLabels: {app: cache}\n  policyTypes: [Ingress]\n";
    let delete = "resources: [../../base]\npatches:\n  - patch: |-\n      $patch: delete\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: cache\n";
    let r = crate::scan_files(&[
        (
            "base/kustomization.yaml",
            "resources: [web.yaml, cache.yaml, policy.yaml]\n",
        ),
        ("base/web.yaml", DEPLOYMENT),
        ("base/cache.yaml", cache),
        ("base/policy.yaml", policy),
        (
            "overlays/keep/kustomization.yaml",
            "resources: [../../base]\n",
        ),
        ("overlays/nocache/kustomization.yaml", delete),
    ]);
    let d: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagKind::Reference && d.message.contains("matches no pod"))
        .collect();
    assert_eq!(d.len(), 1, "{:#?}", r.diagnostics);
    assert!(d[0].message.ends_with("(unit overlays/nocache)"), "{d:#?}");
    assert_eq!(&*d[0].location.path, "base/policy.yaml");
}

#[test]
fn a_route_to_a_service_an_operator_creates_is_an_info_note() {
    let ingress = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: kibana\n  namespace: elastic\nspec:\n  rules:\n    - host: kibana.example.org\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: kibana-kb-http\n                port: {number: 5601}\n";
    let kibana = "apiVersion: kibana.k8s.elastic.co/v1\nkind: Kibana\nmetadata:\n  name: kibana\n  namespace: elastic\nspec:\n  version: 8.15.0\n  count: 1\n";
    let route = |r: &vigie_core::ScanReport| -> Vec<vigie_core::Diagnostic> {
        r.diagnostics
            .iter()
            .filter(|d| d.message.contains("kibana-kb-http"))
            .cloned()
            .collect()
    };
    let with = crate::scan_files(&[("eck/ingress.yaml", ingress), ("eck/kibana.yaml", kibana)]);
    let d = route(&with);
    assert!(
        d.len() == 1
            && d[0].severity == Severity::Info
            && d[0].message.contains("Kibana/elastic/kibana"),
        "{d:#?}"
    );
    let without = crate::scan_files(&[("eck/ingress.yaml", ingress)]);
    let d = route(&without);
    assert!(d.len() == 1 && d[0].severity == Severity::Medium, "{d:#?}");
}

/// A build that cannot read a file names it relative to the scanned folder, never with the
/// folders of the machine that ran the scan.
#[test]
fn a_file_a_build_cannot_read_is_named_from_the_scanned_folder() {
    let k =
        "resources: [web.yaml]\nconfigMapGenerator:\n  - name: params\n    envs: [params.env]\n";
    let (r, root) =
        crate::scan_files_at(&[("k/kustomization.yaml", k), ("k/web.yaml", DEPLOYMENT)]);
    let d: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("params.env"))
        .collect();
    assert!(!d.is_empty(), "{:#?}", r.diagnostics);
    for d in &d {
        assert!(!d.message.contains(&root), "{}", d.message);
        assert!(d.message.contains("k/params.env"), "{}", d.message);
    }
}

/// A Service in a folder above alternative Deployments (one model per folder, applied one at a
/// time with the Service) selects each of their pods: no "matches no pod".
#[test]
fn a_service_above_alternative_workload_folders_selects_their_pods() {
    let svc = SERVICE.replace("api", "web");
    let r = crate::scan_files(&[
        ("llm/service.yaml", svc.as_str()),
        ("llm/falcon/web.yaml", DEPLOYMENT),
        ("llm/llama/web.yaml", DEPLOYMENT),
    ]);
    assert!(
        !r.diagnostics
            .iter()
            .any(|d| d.message.contains("matches no pod")),
        "{:#?}",
        r.diagnostics
    );
    // a Service whose pods are nowhere is still reported
    let r = crate::scan_files(&[
        ("llm/service.yaml", SERVICE),
        ("llm/falcon/web.yaml", DEPLOYMENT),
    ]);
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.message.contains("matches no pod")),
        "{:#?}",
        r.diagnostics
    );
}

/// A folder of Services and policies alone (`extras/tls/frontend-service.yaml`, applied over an
/// application deployed by other means) selects pods it cannot show: an info note, not a
/// medium "matches no pod" — while the same Service beside workloads that do not match stays one.
#[test]
fn a_unit_that_deploys_no_workload_selects_pods_deployed_otherwise() {
    const POLICY: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-web\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n";
    let r = crate::scan_files(&[
        ("extras/tls/api-svc.yaml", SERVICE),
        ("extras/policies/allow-web.yaml", POLICY),
        ("app/web.yaml", DEPLOYMENT),
    ]);
    let notes: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagKind::Reference)
        .collect();
    assert_eq!(notes.len(), 2, "{notes:#?}");
    for d in &notes {
        assert_eq!(d.severity, Severity::Info, "{d:#?}");
        assert!(d.message.contains("deploys no workload"), "{d:#?}");
    }
    assert!(
        notes
            .iter()
            .any(|d| d.message.contains("Service default/api"))
    );
}

/// A route to a Service that another unit of the repository deploys (an extra applied after the
/// application, as its README says) resolves once both are applied: an info note naming that
/// unit. A Service no unit deploys stays a medium finding.
#[test]
fn a_route_to_a_service_another_unit_deploys_is_an_info_note() {
    let ingress = |svc: &str| {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: edge\nspec:\n  rules:\n    - http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: {svc}\n                port: {{number: 80}}\n"
        )
    };
    let service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    let routes = |svc: &str| {
        let ing = ingress(svc);
        let r = crate::scan_files(&[
            ("app/web.yaml", DEPLOYMENT),
            ("app/web-svc.yaml", service),
            ("extras/backup/ingress.yaml", ing.as_str()),
        ]);
        r.diagnostics
            .into_iter()
            .filter(|d| d.message.contains("routes to the Service"))
            .collect::<Vec<_>>()
    };
    let d = routes("web");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].severity, Severity::Info, "{d:#?}");
    assert!(
        d[0].message
            .contains("which this unit does not deploy; the unit app does (app/web-svc.yaml:1)"),
        "{}",
        d[0].message
    );
    let d = routes("wbe");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].severity, Severity::Medium, "{d:#?}");
    assert!(
        d[0].message
            .contains("which the repository does not define")
    );
}
