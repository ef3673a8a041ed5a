//! A container that pulls an image a pipeline of the repository builds and pushes runs that
//! pipeline's Dockerfile: its `USER` is the container's user. The reference is still deployed as
//! written, so the image checks keep judging it.

const WORKFLOW: &str = "on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - id: meta\n        uses: docker/metadata-action@v5\n        with:\n          images: |\n            ghcr.io/acme/podinfo\n      - uses: docker/build-push-action@v6\n        with:\n          context: .\n          file: ./Dockerfile\n          push: true\n          tags: ${{ steps.meta.outputs.tags }}\n";
const DOCKERFILE: &str = "FROM alpine:3.20.3@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a\nRUN adduser -D -u 10001 app\nUSER app\nCMD [\"/bin/podinfo\"]\n";

fn deployment(image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n        - name: web\n          image: {image}\n"
    )
}

fn on_container<'a>(r: &'a vigie_core::ScanReport, check: &str) -> Vec<&'a vigie_core::Verdict> {
    r.verdicts
        .iter()
        .filter(|v| v.check == check && v.subject.contains("container web"))
        .collect()
}

#[test]
fn the_dockerfile_user_counts_for_a_container_pulling_the_image_a_workflow_pushes() {
    let manifest = deployment("ghcr.io/acme/podinfo:6.1.0");
    let r = crate::scan_files(&[
        (".github/workflows/release.yml", WORKFLOW),
        ("Dockerfile", DOCKERFILE),
        ("deploy/web.yaml", &manifest),
    ]);
    let user = on_container(&r, "CNT-01");
    assert_eq!(user.len(), 1, "{user:#?}");
    assert!(user[0].is_pass(), "{user:#?}");
    assert!(
        user[0].message.contains("USER at Dockerfile:3"),
        "{user:#?}"
    );
    assert!(
        user[0]
            .related()
            .iter()
            .any(|l| &*l.path == ".github/workflows/release.yml" && l.line == 12),
        "the build that pushes the image is named: {user:#?}"
    );
    // the tag is what the cluster pulls: still not pinned
    let digest = on_container(&r, "CNT-10.2");
    assert!(digest.len() == 1 && digest[0].is_fail(), "{digest:#?}");
    // Pod Security restricted asks for runAsNonRoot whatever the image's user
    let pss = on_container(&r, "PSS-R03");
    assert!(pss.iter().any(|v| v.is_fail()), "{pss:#?}");
}

#[test]
fn an_image_no_pipeline_builds_keeps_an_unknown_user() {
    for image in ["ghcr.io/other/podinfo:6.1.0", "ghcr.io/acme/podinfo-ui:1"] {
        let manifest = deployment(image);
        let r = crate::scan_files(&[
            (".github/workflows/release.yml", WORKFLOW),
            ("Dockerfile", DOCKERFILE),
            ("deploy/web.yaml", &manifest),
        ]);
        let user = on_container(&r, "CNT-01");
        assert!(user.len() == 1 && user[0].is_fail(), "{image}: {user:#?}");
    }
}

#[test]
fn a_name_two_dockerfiles_push_joins_nothing() {
    let second = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build -t ghcr.io/acme/podinfo:debug -f Dockerfile.debug .\n";
    let root_debug = "FROM alpine:3.20.3@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a\nCMD [\"/bin/sh\"]\n";
    let manifest = deployment("ghcr.io/acme/podinfo:6.1.0");
    let r = crate::scan_files(&[
        (".github/workflows/release.yml", WORKFLOW),
        (".github/workflows/debug.yml", second),
        ("Dockerfile", DOCKERFILE),
        ("Dockerfile.debug", root_debug),
        ("deploy/web.yaml", &manifest),
    ]);
    let user = on_container(&r, "CNT-01");
    assert!(user.len() == 1 && user[0].is_fail(), "{user:#?}");
}

#[test]
fn a_cluster_pulling_the_image_does_not_make_the_dockerfile_healthcheck_moot() {
    let manifest = deployment("ghcr.io/acme/podinfo:6.1.0");
    let r = crate::scan_files(&[
        (".github/workflows/release.yml", WORKFLOW),
        ("Dockerfile", DOCKERFILE),
        ("deploy/web.yaml", &manifest),
    ]);
    let health: Vec<_> = r
        .verdicts
        .iter()
        .filter(|v| v.check == "CNT-10.3")
        .collect();
    assert!(
        health.len() == 1 && health[0].subject.starts_with("Dockerfile") && health[0].is_fail(),
        "{health:#?}"
    );
}
