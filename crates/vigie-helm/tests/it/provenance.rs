//! Provenance: each field of a rendered object points at the template line that wrote it, and
//! fields read from values point at the values line.

use crate::support;
use vigie_helm::{DirFs, Release, render};

#[test]
fn fields_point_at_template_lines_and_values_lines() {
    let (_tmp, dir) = support::chart("constructs");
    let r = render(
        &DirFs::new("/"),
        &dir.to_string_lossy(),
        &Release::default(),
    );
    assert!(r.failure.is_none(), "{:?}", r.failure);
    let (i, dep) = r
        .objects
        .iter()
        .enumerate()
        .find(|(_, o)| o.node.get("kind").and_then(|k| k.as_str()) == Some("Deployment"))
        .unwrap();
    let replicas = dep.node.path(&["spec", "replicas"]).unwrap();
    assert!(r.files[replicas.pos.src as usize].ends_with("templates/deployment.yaml"));
    assert_eq!(replicas.pos.line, 8);
    let origin = r
        .value_origin(i, "spec/replicas")
        .expect("replicas came from values");
    assert!(r.files[origin.file as usize].ends_with("constructs/values.yaml"));
    assert_eq!((origin.line, origin.key.as_str()), (1, "replicaCount"));
    // A field written by a helper shows where the helper was included.
    let label = dep
        .node
        .path(&["metadata", "labels", "app.kubernetes.io/instance"])
        .unwrap();
    assert!(r.files[label.pos.src as usize].ends_with("templates/deployment.yaml"));
    assert_eq!(label.pos.line, 6);
    // Plain template text maps line for line.
    let kind = dep.node.get("kind").unwrap();
    assert_eq!(kind.pos.line, 3);
}

#[test]
fn values_files_given_by_the_user_are_traced() {
    let (_tmp, dir) = support::chart("constructs");
    let set = support::corpus_dir().join("sets/constructs/secure.yaml");
    let release = Release {
        values_files: vec![set.to_string_lossy().into_owned()],
        ..Release::default()
    };
    let r = render(&DirFs::new("/"), &dir.to_string_lossy(), &release);
    let (i, _) = r
        .objects
        .iter()
        .enumerate()
        .find(|(_, o)| o.node.get("kind").and_then(|k| k.as_str()) == Some("Deployment"))
        .unwrap();
    // Written by `toYaml .Values.securityContext | nindent 12`: each field keeps its own line.
    let o = r
        .value_origin(
            i,
            "spec/template/spec/containers/0/securityContext/runAsNonRoot",
        )
        .expect("the security context came from the user's values file");
    assert!(r.files[o.file as usize].ends_with("secure.yaml"));
    assert_eq!(
        (o.line, o.key.as_str()),
        (3, "securityContext.runAsNonRoot")
    );
    let o = r
        .value_origin(
            i,
            "spec/template/spec/containers/0/securityContext/capabilities/drop/0",
        )
        .expect("the dropped capability came from the values file");
    assert_eq!(o.line, 6);
    let o = r
        .value_origin(
            i,
            "spec/template/spec/containers/0/securityContext/runAsUser",
        )
        .unwrap();
    assert_eq!((o.line, o.key.as_str()), (7, "securityContext.runAsUser"));
    // The field itself sits on the template line that wrote the block.
    let dep = &r.objects[i].node;
    let f = dep
        .path(&["spec", "template", "spec", "containers"])
        .and_then(|c| c.items().first())
        .and_then(|c| c.path(&["securityContext", "runAsNonRoot"]))
        .unwrap();
    assert_eq!(f.pos.line, 27);
}

#[test]
fn helm_template_output_has_sources_and_install_order() {
    let (_tmp, dir) = support::chart("constructs");
    let r = render(
        &DirFs::new("/"),
        &dir.to_string_lossy(),
        &Release::default(),
    );
    let out = r.helm_template_output();
    let kinds: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("kind: "))
        .collect();
    assert_eq!(kinds, vec!["ConfigMap", "Service", "Deployment"]);
    assert!(out.starts_with("---\n# Source: constructs/templates/control.yaml\n"));
    assert!(!out.contains("NOTES"));
}

#[test]
fn random_and_generated_values_are_reported() {
    let mut fs = vigie_helm::MemFs::new();
    fs.add("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n");
    fs.add(
        "c/templates/s.yaml",
        "kind: Secret\nstringData:\n  p: {{ randAlphaNum 16 }}\n  c: {{ (genCA \"x\" 365).Cert | b64enc }}\n",
    );
    let a = render(&fs, "c", &Release::default());
    let b = render(&fs, "c", &Release::default());
    assert_eq!(a.templates, b.templates, "renders are reproducible");
    assert!(a.nondeterministic.contains(&"randAlphaNum".to_string()));
    assert!(a.nondeterministic.contains(&"genCA".to_string()));
}
