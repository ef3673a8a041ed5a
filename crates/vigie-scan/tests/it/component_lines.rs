//! A line of a component that several overlays include, and that lands in different objects
//! (a sidecar a component adds to every workload), is one gap to fix at that line: one finding,
//! listing the units and saying how many objects get the line.

fn deployment(name: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n        - name: {name}\n          image: registry.example.org/{name}:1.0\n          securityContext:\n            allowPrivilegeEscalation: false\n"
    )
}

const SIDECAR: &str = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - target: {kind: Deployment}\n    patch: |-\n      - op: add\n        path: /spec/template/spec/containers/-\n        value:\n          name: proxy\n          image: registry.example.org/proxy:2.0\n";

#[test]
fn a_sidecar_line_of_a_component_is_one_finding_for_every_object() {
    let (cart, pay) = (deployment("cart"), deployment("pay"));
    let overlay =
        |res: &str| format!("resources: [{res}]\ncomponents: [../../components/sidecar]\n");
    let (c, p) = (overlay("cart.yaml"), overlay("pay.yaml"));
    let r = crate::scan_files(&[
        ("components/sidecar/kustomization.yaml", SIDECAR),
        ("apps/cart/kustomization.yaml", c.as_str()),
        ("apps/cart/cart.yaml", cart.as_str()),
        ("apps/pay/kustomization.yaml", p.as_str()),
        ("apps/pay/pay.yaml", pay.as_str()),
    ]);
    let escalation: Vec<_> = r
        .verdicts
        .iter()
        .filter(|v| v.check == "CNT-03" && v.is_fail())
        .collect();
    assert_eq!(escalation.len(), 1, "{escalation:#?}");
    let v = escalation[0];
    assert_eq!(
        v.location.path.as_ref(),
        "components/sidecar/kustomization.yaml"
    );
    assert!(
        v.message
            .contains("(units apps/cart, apps/pay; 2 objects get this line)"),
        "{}",
        v.message
    );
}
