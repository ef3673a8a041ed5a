//! Kustomizations that one Skaffold deployment applies together are one unit: a repository
//! with one overlay per service, deployed by `skaffold dev` from a root configuration that
//! requires each service's, runs all of them in one namespace, next to the Secret a shared
//! overlay ships.

fn deployment(name: &str, secret: Option<&str>) -> String {
    let env = secret.map_or(String::new(), |s| {
        format!("          env:\n            - name: KEY\n              valueFrom:\n                secretKeyRef: {{name: {s}, key: k}}\n")
    });
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n        - name: {name}\n          image: registry.example.org/{name}:1.0\n{env}"
    )
}

fn service_config(name: &str) -> String {
    format!(
        "apiVersion: skaffold/v4beta1\nkind: Config\nmetadata:\n  name: {name}\nrequires:\n- configs: [shared]\n  path: ../shared/skaffold.yaml\nprofiles:\n- name: development\n  manifests:\n    kustomize:\n      paths:\n      - k8s/overlays/development\n      - ../shared/development\n"
    )
}

const ROOT: &str = "apiVersion: skaffold/v4beta1\nkind: Config\nmetadata:\n  name: shop\nrequires:\n- configs: [cart]\n  path: src/cart/skaffold.yaml\n- configs: [pay]\n  path: src/pay/skaffold.yaml\n";
const SHARED: &str = "apiVersion: skaffold/v4beta1\nkind: Config\nmetadata:\n  name: shared\n";
const SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: jwt-key\ntype: Opaque\ndata:\n  k: aGVsbG8=\n";

fn repository() -> Vec<(String, String)> {
    let mut files = vec![
        ("skaffold.yaml".to_string(), ROOT.to_string()),
        ("src/shared/skaffold.yaml".into(), SHARED.into()),
        (
            "src/shared/development/kustomization.yaml".into(),
            "resources: [jwt.yaml]\n".into(),
        ),
        ("src/shared/development/jwt.yaml".into(), SECRET.into()),
    ];
    for svc in ["cart", "pay"] {
        let dir = format!("src/{svc}");
        files.push((format!("{dir}/skaffold.yaml"), service_config(svc)));
        files.push((
            format!("{dir}/k8s/base/kustomization.yaml"),
            "resources: [deploy.yaml]\n".into(),
        ));
        files.push((
            format!("{dir}/k8s/base/deploy.yaml"),
            deployment(svc, Some("jwt-key")),
        ));
        files.push((
            format!("{dir}/k8s/overlays/development/kustomization.yaml"),
            "resources: [../../base]\n".into(),
        ));
    }
    files
}

#[test]
fn the_overlays_a_skaffold_profile_deploys_are_one_unit() {
    let files = repository();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let r = crate::scan_files(&refs);
    let deny: Vec<_> = r
        .verdicts
        .iter()
        .filter(|v| v.check == "NET-04.1")
        .collect();
    // one unit, one namespace: one verdict, not one per service overlay
    assert_eq!(deny.len(), 1, "{deny:#?}");
    assert!(
        deny[0].message.contains("skaffold.yaml@development")
            || deny[0].location.path.as_ref() == "skaffold.yaml",
        "{deny:#?}"
    );
    // the Secret the shared overlay ships is applied with both workloads
    let secrets: Vec<_> = r
        .verdicts
        .iter()
        .filter(|v| v.check == "SEC-02.2")
        .collect();
    assert!(
        !secrets
            .iter()
            .any(|v| v.message.contains("nothing applied with this workload")),
        "{secrets:#?}"
    );
}
