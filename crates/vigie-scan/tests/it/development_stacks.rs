//! A Compose project that starts a development stack is not judged as a deployment, with a
//! note saying why; naming it in vigie.toml makes it one.

const PRIVILEGED: &str = "services:\n  app:\n    build: .\n    privileged: true\n";
const DOCKERFILE: &str = "FROM alpine:3.20\nUSER 10001\n";
const KUSTOMIZATION: &str = "resources: [web.yaml]\n";
const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: registry.example.org/web:1.0\n";

fn scan(files: &[(&str, &str)], config: Option<&str>) -> vigie_core::ScanReport {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let config = config.map_or_else(vigie_core::config::Config::default, |c| {
        vigie_core::config::Config::parse("vigie.toml", c).unwrap()
    });
    let opts = vigie_scan::ScanOptions {
        display_root: ".".into(),
        gitignore: Some(false),
        config,
        ..vigie_scan::ScanOptions::new(dir.path(), time::macros::date!(2026 - 12 - 01))
    };
    vigie_scan::scan(&opts).unwrap()
}

fn privileged_failures(r: &vigie_core::ScanReport) -> usize {
    r.verdicts
        .iter()
        .filter(|v| v.check == "CNT-06.1" && v.is_fail())
        .count()
}

fn noted(r: &vigie_core::ScanReport) -> bool {
    r.diagnostics
        .iter()
        .any(|d| d.message.contains("taken for a development stack"))
}

#[test]
fn a_source_built_stack_beside_a_kubernetes_deployment_is_development() {
    let files = [
        ("docker-compose.yml", PRIVILEGED),
        ("Dockerfile", DOCKERFILE),
        ("deploy/kustomization.yaml", KUSTOMIZATION),
        ("deploy/web.yaml", WEB),
    ];
    let r = scan(&files, None);
    assert_eq!(privileged_failures(&r), 0);
    assert!(noted(&r), "{:#?}", r.diagnostics);
    // named in vigie.toml, it is a deployment
    let named = "[[unit]]\nname = \"laptop\"\nkind = \"compose\"\npath = \"docker-compose.yml\"\n";
    let r = scan(&files, Some(named));
    assert_eq!(privileged_failures(&r), 1);
    assert!(!noted(&r));
}

#[test]
fn without_kubernetes_the_same_stack_is_a_deployment() {
    let r = scan(
        &[
            ("docker-compose.yml", PRIVILEGED),
            ("Dockerfile", DOCKERFILE),
        ],
        None,
    );
    assert_eq!(privileged_failures(&r), 1);
    assert!(!noted(&r));
}

#[test]
fn development_variants_and_folders_are_development() {
    let pulled =
        "services:\n  app:\n    image: registry.example.org/app:1.0\n    privileged: true\n";
    for (path, development) in [
        ("docker-compose.dev.yml", true),
        ("compose.test.yaml", true),
        ("e2e/docker-compose.yml", true),
        ("deploy/docker-compose.yml", false),
        ("docker-compose.prod.yml", false),
    ] {
        let r = scan(&[(path, pulled)], None);
        assert_eq!(privileged_failures(&r), usize::from(!development), "{path}");
        assert_eq!(noted(&r), development, "{path}");
    }
}
