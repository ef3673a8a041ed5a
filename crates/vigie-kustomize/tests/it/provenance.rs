//! Provenance: each field of a built object points at the file and line that set its
//! effective value — the overlay's patch line, not the base's.

use std::path::Path;
use vigie_kustomize::Built;
use vigie_parse::yaml::Node;

fn at(b: &Built, n: &Node) -> String {
    let file = Path::new(&b.files[n.pos.src as usize]);
    let parent = file
        .parent()
        .and_then(|p| p.file_name())
        .unwrap()
        .to_string_lossy();
    format!(
        "{parent}/{}:{}",
        file.file_name().unwrap().to_string_lossy(),
        n.pos.line
    )
}

#[test]
fn each_field_points_at_the_line_that_set_it() {
    let t = tempfile::tempdir().unwrap();
    let files: [(&str, &str); 4] = [
        ("base/kustomization.yaml", "resources: [app.yaml]\n"),
        (
            "base/app.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:1\n        securityContext:\n          readOnlyRootFilesystem: false\n",
        ),
        (
            "prod/kustomization.yaml",
            "resources: [../base]\ncommonLabels:\n  env: prod\npatches:\n- path: harden.yaml\nconfigMapGenerator:\n- name: conf\n  literals:\n  - mode=strict\n",
        ),
        (
            "prod/harden.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        securityContext:\n          readOnlyRootFilesystem: true\n",
        ),
    ];
    for (p, text) in files {
        let path = t.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let b = vigie_kustomize::build(&t.path().join("prod"));
    assert!(b.failure.is_none(), "{:?}", b.diagnostics);
    let deploy = b
        .objects
        .iter()
        .find(|o| o.node.get("kind").and_then(Node::as_str) == Some("Deployment"))
        .unwrap();
    let c = &deploy
        .node
        .path(&["spec", "template", "spec", "containers"])
        .unwrap()
        .items()[0];
    let ro = c
        .path(&["securityContext", "readOnlyRootFilesystem"])
        .unwrap();
    assert_eq!(ro.as_str(), Some("true"));
    assert_eq!(at(&b, ro), "prod/harden.yaml:10");
    assert_eq!(at(&b, c.get("image").unwrap()), "base/app.yaml:10");
    // the patch restates the container's name to say which container it patches: the name,
    // unchanged, is still the base's (a finding about the container points at its definition)
    assert_eq!(at(&b, c.get("name").unwrap()), "base/app.yaml:9");
    assert_eq!(
        at(
            &b,
            deploy.node.path(&["metadata", "labels", "env"]).unwrap()
        ),
        "prod/kustomization.yaml:3"
    );
    let cm = b
        .objects
        .iter()
        .find(|o| o.node.get("kind").and_then(Node::as_str) == Some("ConfigMap"))
        .unwrap();
    assert_eq!(
        at(&b, cm.node.path(&["data", "mode"]).unwrap()),
        "prod/kustomization.yaml:9"
    );
    let included: Vec<String> = b
        .included
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for f in ["prod", "base", "app.yaml", "harden.yaml"] {
        assert!(included.iter().any(|i| i == f), "{f} not in {included:?}");
    }
}
