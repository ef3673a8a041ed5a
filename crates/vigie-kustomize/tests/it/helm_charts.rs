//! `helmCharts` kept in the repository are rendered by vigie-helm and then transformed like any
//! resource. (Kustomize's own output needs `--enable-helm` and a `helm` binary, absent here, so
//! the rendering is compared with vigie-helm's, whose agreement with Helm is tested in its crate.)

use vigie_parse::yaml::Node;

fn write(root: &std::path::Path, files: &[(&str, &str)]) {
    for (p, text) in files {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

#[test]
fn a_local_chart_is_rendered_with_its_values_and_transformed() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            (
                "kustomization.yaml",
                "namePrefix: k-\nhelmCharts:\n- name: web\n  releaseName: shop\n  namespace: store\n  valuesFile: prod-values.yaml\n  valuesInline:\n    replicas: 4\n",
            ),
            ("prod-values.yaml", "image: nginx:1.27\nreplicas: 2\n"),
            (
                "charts/web/Chart.yaml",
                "apiVersion: v2\nname: web\nversion: 0.1.0\n",
            ),
            ("charts/web/values.yaml", "image: nginx:1.0\nreplicas: 1\n"),
            (
                "charts/web/templates/deploy.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\n  namespace: {{ .Release.Namespace }}\nspec:\n  replicas: {{ .Values.replicas }}\n  template:\n    spec:\n      containers:\n      - name: web\n        image: {{ .Values.image }}\n",
            ),
        ],
    );
    let b = vigie_kustomize::build(t.path());
    assert!(b.failure.is_none(), "{:#?}", b.diagnostics);
    assert_eq!(b.objects.len(), 1);
    let d = &b.objects[0].node;
    let s = |p: &[&str]| d.path(p).and_then(Node::as_str).unwrap_or("").to_string();
    assert_eq!(s(&["metadata", "name"]), "k-shop-web");
    assert_eq!(s(&["metadata", "namespace"]), "store");
    assert_eq!(s(&["spec", "replicas"]), "4");
    let image = d
        .path(&["spec", "template", "spec", "containers"])
        .unwrap()
        .items()[0]
        .get("image")
        .unwrap();
    assert_eq!(image.as_str(), Some("nginx:1.27"));
    assert!(
        b.files[image.pos.src as usize].ends_with("templates/deploy.yaml"),
        "{:?}",
        b.files
    );
    assert_eq!(image.pos.line, 12);
}

#[test]
fn a_chart_not_in_the_repository_is_reported_not_downloaded() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[(
            "kustomization.yaml",
            "helmCharts:\n- name: redis\n  repo: https://charts.example.com\n  version: 1.0.0\n",
        )],
    );
    let b = vigie_kustomize::build(t.path());
    let d = b
        .diagnostics
        .iter()
        .find(|d| d.message.contains("would download it"))
        .expect("reported");
    assert_eq!(d.location.line, 2);
    assert!(b.failure.is_some());
}
