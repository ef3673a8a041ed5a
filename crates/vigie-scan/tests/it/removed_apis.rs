//! An object whose API version no supported cluster serves is reported once, as an info
//! diagnostic, and judged by no check: neither its containers nor its exposure nor its TLS.

use vigie_core::{DiagKind, Severity};

#[test]
fn removed_api_objects_are_reported_once_and_not_judged() {
    let r = crate::scan_files(&[
        (
            "old.yaml",
            "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: old\nspec:\n  template:\n    metadata:\n      labels: {app: old}\n    spec:\n      containers:\n        - name: web\n          image: nginx\n          securityContext:\n            privileged: true\n---\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: old\nspec:\n  backend:\n    serviceName: old\n    servicePort: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: old\nspec:\n  selector: {app: old}\n  ports: [{port: 80}]\n",
        ),
        (
            "new.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: new\nspec:\n  selector:\n    matchLabels: {app: new}\n  template:\n    metadata:\n      labels: {app: new}\n    spec:\n      containers:\n        - name: web\n          image: nginx\n",
        ),
    ]);
    let skipped: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagKind::Skipped && d.location.path.as_ref() == "old.yaml")
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:#?}");
    assert!(skipped.iter().all(|d| d.severity == Severity::Info));
    assert_eq!(skipped[0].location.line, 1);
    assert!(skipped[0].message.contains("removed in Kubernetes 1.16"));
    assert!(skipped[1].message.contains("Ingress/default/old"));
    // nothing is judged on the removed objects, the rest is
    let on_old: Vec<_> = r
        .verdicts
        .iter()
        .filter(|v| v.location.path.as_ref() == "old.yaml" && v.subject.contains("old"))
        .map(|v| (&v.check, &v.subject, &v.message))
        .collect();
    assert!(
        on_old
            .iter()
            .all(|(_, s, _)| !s.contains("Deployment/default/old") && !s.contains("Ingress/")),
        "{on_old:#?}"
    );
    assert!(
        r.verdicts
            .iter()
            .any(|v| v.subject.contains("Deployment/default/new") && v.is_fail()),
        "the served Deployment is still judged"
    );
}
