//! A workload that sets no namespace runs in the one it is applied to: its Pod Security level is
//! not in the repository, so K8S-01.1 does not judge it against an invented `default`.

fn deployment(name: &str, namespace: Option<&str>) -> String {
    let ns = namespace.map_or(String::new(), |n| format!("  namespace: {n}\n"));
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n{ns}spec:\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n        - name: {name}\n          image: registry.example.org/{name}:1.0\n"
    )
}

#[test]
fn no_namespace_anywhere_leaves_the_check_not_assessed() {
    let web = deployment("web", None);
    let r = crate::scan_files(&[("deploy/web.yaml", &web)]);
    assert!(
        !r.verdicts.iter().any(|v| v.check == "K8S-01.1"),
        "{:#?}",
        r.verdicts
            .iter()
            .filter(|v| v.check == "K8S-01.1")
            .collect::<Vec<_>>()
    );
    let u: Vec<_> = r
        .unassessed
        .iter()
        .filter(|u| u.check == "K8S-01.1")
        .collect();
    assert!(
        u.len() == 1 && u[0].reason.contains("deploy/web.yaml:1"),
        "{u:#?}"
    );
}

#[test]
fn a_named_namespace_is_still_judged_and_the_others_are_noted() {
    let web = deployment("web", None);
    let api = deployment("api", Some("shop"));
    let r = crate::scan_files(&[("deploy/web.yaml", &web), ("deploy/api.yaml", &api)]);
    let v: Vec<_> = r
        .verdicts
        .iter()
        .filter(|v| v.check == "K8S-01.1")
        .collect();
    assert!(
        v.len() == 1 && v[0].is_fail() && &*v[0].subject == "Namespace/shop",
        "{v:#?}"
    );
    assert!(r.unassessed.iter().all(|u| u.check != "K8S-01.1"));
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.message.starts_with("K8S-01.1:") && &*d.location.path == "deploy/web.yaml"),
        "{:#?}",
        r.diagnostics
    );
}

#[test]
fn an_explicit_default_namespace_is_judged() {
    let web = deployment("web", Some("default"));
    let r = crate::scan_files(&[("deploy/web.yaml", &web)]);
    let v: Vec<_> = r
        .verdicts
        .iter()
        .filter(|v| v.check == "K8S-01.1")
        .collect();
    assert!(v.len() == 1 && v[0].is_fail(), "{v:#?}");
}

/// Kustomizations of several services that deploy into one namespace make one namespace: it
/// lacks a default-deny policy once, named with every unit; a policy any of them ships covers
/// the others' pods too.
#[test]
fn units_deploying_into_one_namespace_share_its_default_deny_verdict() {
    let kustomization = |svc: &str| format!("namespace: shop\nresources:\n  - {svc}.yaml\n");
    let (cart, pay) = (deployment("cart", None), deployment("pay", None));
    let files = [
        ("cart/kustomization.yaml", kustomization("cart")),
        ("cart/cart.yaml", cart),
        ("pay/kustomization.yaml", kustomization("pay")),
        ("pay/pay.yaml", pay),
    ];
    let as_refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let r = crate::scan_files(&as_refs);
    let deny: Vec<_> = r
        .verdicts
        .iter()
        .filter(|v| v.check == "NET-04.1")
        .collect();
    assert_eq!(deny.len(), 1, "{deny:#?}");
    assert!(deny[0].is_fail() && &*deny[0].subject == "Namespace/shop");
    assert!(
        deny[0].message.contains("units cart, pay"),
        "{}",
        deny[0].message
    );
    // a third unit ships the namespace's default-deny policy: the namespace has it
    let policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n";
    let policies = deployment("guard", None);
    let mut with_policy = as_refs.clone();
    with_policy.extend([
        (
            "guard/kustomization.yaml",
            "namespace: shop\nresources:\n  - guard.yaml\n  - deny.yaml\n",
        ),
        ("guard/guard.yaml", policies.as_str()),
        ("guard/deny.yaml", policy),
    ]);
    let r = crate::scan_files(&with_policy);
    let deny: Vec<_> = r
        .verdicts
        .iter()
        .filter(|v| v.check == "NET-04.1")
        .collect();
    assert!(
        !deny.is_empty() && deny.iter().all(|v| v.is_pass()),
        "{deny:#?}"
    );
}
