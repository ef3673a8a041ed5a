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
