//! Byte-identical copies of a file are judged once: a failure at a line of every copy is
//! reported at the first copy, with the others as related locations. GitOps objects that
//! deploy a source vigie cannot read get one located "not assessed" note each.

use vigie_core::{DiagKind, Severity};

const DAEMONSET: &str = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\n  namespace: ops\nspec:\n  selector:\n    matchLabels: {app: agent}\n  template:\n    metadata:\n      labels: {app: agent}\n    spec:\n      containers:\n        - name: agent\n          image: example/agent:1.0\n";

#[test]
fn identical_copies_of_a_file_report_each_failure_once() {
    let r = crate::scan_files(&[
        ("samples/one/agent.yaml", DAEMONSET),
        ("samples/two/agent.yaml", DAEMONSET),
        ("samples/three/agent.yaml", DAEMONSET),
        // same objects, other bytes: not a copy, judged on its own
        ("other/agent.yaml", &DAEMONSET.replace("1.0", "1.1")),
        ("samples/one/Dockerfile", "FROM debian:12\nRUN true\n"),
        ("samples/two/Dockerfile", "FROM debian:12\nRUN true\n"),
    ]);
    let fails = |path: &str| {
        r.verdicts
            .iter()
            .filter(|v| v.is_fail() && v.location.path.as_ref() == path)
            .collect::<Vec<_>>()
    };
    let first = fails("samples/one/agent.yaml");
    assert!(!first.is_empty());
    assert!(
        fails("samples/two/agent.yaml").is_empty(),
        "{:#?}",
        fails("samples/two/agent.yaml")
    );
    assert!(fails("samples/three/agent.yaml").is_empty());
    assert!(
        !fails("other/agent.yaml").is_empty(),
        "a file with other content is judged"
    );
    // no (check, line) is reported twice at the first copy, and each names the other copies
    let mut seen = std::collections::HashSet::new();
    for v in &first {
        assert!(
            seen.insert((
                v.check,
                v.location.line,
                v.subject.clone(),
                v.message.clone()
            )),
            "{v:?}"
        );
        // a verdict on the namespace the three copies share is one verdict already
        if !v.subject.starts_with("DaemonSet/") {
            continue;
        }
        let related: Vec<&str> = v.related().iter().map(|l| l.path.as_ref()).collect();
        assert!(
            related.contains(&"samples/two/agent.yaml")
                && related.contains(&"samples/three/agent.yaml"),
            "{v:?}"
        );
        assert!(
            v.related()
                .iter()
                .filter(|l| l.path.as_ref() == "samples/two/agent.yaml")
                .all(|l| l.line == v.location.line),
            "the copy is named at the same line: {v:?}"
        );
    }
    // a Dockerfile's subject holds its path: the copies still merge
    assert!(!fails("samples/one/Dockerfile").is_empty());
    assert!(fails("samples/two/Dockerfile").is_empty());
}

#[test]
fn gitops_objects_with_remote_sources_are_noted_as_not_assessed() {
    let r = crate::scan_files(&[
        (
            "clusters/prod/apps.yaml",
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: web\n      sourceRef: {kind: HelmRepository, name: charts}\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: infra\n  namespace: flux-system\nspec:\n  path: ./infra\n  sourceRef: {kind: GitRepository, name: flux-system}\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: vendor\n  namespace: flux-system\nspec:\n  path: ./deploy\n  sourceRef: {kind: OCIRepository, name: vendor}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: cache\n  namespace: argocd\nspec:\n  source:\n    repoURL: https://charts.example.org\n    chart: cache\n    targetRevision: 1.2.3\n  destination: {namespace: cache}\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: generated\n  namespace: flux-system\nspec:\n  path: ./elsewhere\n  sourceRef: {kind: ExternalArtifact, name: apps}\n",
        ),
        (
            "infra/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n",
        ),
    ]);
    let notes: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| {
            d.message.contains("not assessed")
                && d.location.path.as_ref() == "clusters/prod/apps.yaml"
        })
        .collect();
    assert!(
        notes
            .iter()
            .all(|d| d.kind == DiagKind::Skipped && d.severity == Severity::Info)
    );
    let at = |needle: &str| {
        notes
            .iter()
            .find(|d| d.message.contains(needle))
            .map(|d| d.location.line)
    };
    assert_eq!(at("HelmRelease apps/web"), Some(1), "{notes:#?}");
    assert!(
        notes
            .iter()
            .any(|d| d.message.contains("HelmRepository charts"))
    );
    assert_eq!(
        at("Kustomization flux-system/vendor"),
        Some(22),
        "{notes:#?}"
    );
    assert_eq!(at("Application argocd/cache"), Some(31), "{notes:#?}");
    // a Flux Kustomization of a folder of this repository is assessed through that folder
    assert_eq!(at("infra"), None, "{notes:#?}");
    // an artifact the cluster assembles from other sources is not known to be remote
    assert_eq!(at("generated"), None, "{notes:#?}");
    assert_eq!(notes.len(), 3, "{notes:#?}");
}

/// A Deployment of more than twenty lines, with its image on a line of its own.
fn deployment(image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\n  labels:\n    app: cart\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: cart\n  template:\n    metadata:\n      labels:\n        app: cart\n    spec:\n      containers:\n        - name: server\n          image: {image}\n          ports:\n            - containerPort: 8080\n          resources:\n            requests:\n              cpu: 100m\n"
    )
}

#[test]
fn a_copy_that_differs_in_a_few_lines_reports_the_shared_lines_once() {
    let r = crate::scan_files(&[
        ("kubernetes-manifests/cart.yaml", &deployment("cart")),
        (
            "release/base/cart.yaml",
            &deployment("registry.example/shop/cart:v1.2"),
        ),
    ]);
    let fails = |path: &str| {
        r.verdicts
            .iter()
            .filter(|v| v.is_fail() && v.location.path.as_ref() == path)
            .collect::<Vec<_>>()
    };
    let first = fails("kubernetes-manifests/cart.yaml");
    let copy = fails("release/base/cart.yaml");
    // the container's missing securityContext is one finding, at the first file, naming both
    let caps: Vec<_> = first.iter().filter(|v| v.check == "CNT-02").collect();
    assert_eq!(caps.len(), 1, "{first:#?}");
    assert!(
        caps[0]
            .message
            .contains("same line in a copy of this file: release/base/cart.yaml"),
        "{}",
        caps[0].message
    );
    assert!(!copy.iter().any(|v| v.check == "CNT-02"), "{copy:#?}");
    // what the differing line says stays where it is written
    assert!(
        copy.iter()
            .any(|v| v.check == "CNT-10.2" && v.location.line == 19),
        "{copy:#?}"
    );
    // two different files of the same name are not copies
    let other = deployment("cart").replace("replicas: 2", "replicas: 3").replace(
        "cpu: 100m",
        "cpu: 200m\n              memory: 64Mi\n            limits:\n              memory: 64Mi",
    );
    let r = crate::scan_files(&[
        ("a/cart.yaml", &deployment("cart")),
        ("b/cart.yaml", &other),
    ]);
    assert!(
        r.verdicts.iter().any(|v| v.is_fail()
            && v.check == "CNT-02"
            && v.location.path.as_ref() == "b/cart.yaml")
    );
}
