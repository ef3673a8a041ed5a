//! Bad input: each problem is a diagnostic located at the line that names the culprit, and the
//! rest of the build completes. Where Kustomize refuses to build, `kubectl kustomize` is run
//! to confirm it does, and `Built::failure` is set; where it lets the problem pass, the objects
//! must still equal Kustomize's.

use crate::oracle::{kubectl_kustomize, objects};
use std::path::Path;
use vigie_kustomize::Built;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (p, text) in files {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

const OK: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\ndata: {a: b}\n";
const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers: [{name: web, image: nginx}]\n";

/// The diagnostic whose message holds `needle`, as `file:line`.
fn located(b: &Built, needle: &str) -> String {
    let d = b
        .diagnostics
        .iter()
        .find(|d| d.message.contains(needle))
        .unwrap_or_else(|| panic!("no diagnostic with {needle:?} in {:#?}", b.diagnostics));
    let file = Path::new(&*d.location.path)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    format!("{file}:{}", d.location.line)
}

fn names(b: &Built) -> Vec<String> {
    let mut v: Vec<String> = b
        .objects
        .iter()
        .map(|o| {
            o.node
                .path(&["metadata", "name"])
                .and_then(|n| n.as_str())
                .unwrap_or("")
                .to_string()
        })
        .collect();
    v.sort();
    v
}

/// Kustomize refuses this input: so must vigie, while still building the rest.
fn refused(dir: &Path) -> Built {
    let out = kubectl_kustomize(dir);
    assert!(
        !out.status.success(),
        "kubectl kustomize accepted {}",
        dir.display()
    );
    let b = vigie_kustomize::build(dir);
    assert!(b.failure.is_some(), "{:#?}", b.diagnostics);
    b
}

/// Kustomize accepts this input: vigie builds the same objects and reports the problem.
fn accepted(dir: &Path) -> Built {
    let out = kubectl_kustomize(dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b = vigie_kustomize::build(dir);
    assert_eq!(
        objects(&vigie_kustomize::to_yaml(&b)),
        objects(&String::from_utf8_lossy(&out.stdout))
    );
    assert!(b.failure.is_none(), "{:?}", b.failure);
    b
}

#[test]
fn a_cycle_is_reported_where_it_closes_and_the_rest_builds() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            ("a/kustomization.yaml", "resources:\n- ok.yaml\n- ../b\n"),
            ("a/ok.yaml", OK),
            ("b/kustomization.yaml", "resources:\n- ../a\n"),
        ],
    );
    let b = refused(&t.path().join("a"));
    assert_eq!(located(&b, "cycle detected"), "kustomization.yaml:2");
    assert_eq!(names(&b), ["ok"]);
}

#[test]
fn a_missing_resource_is_reported_at_its_entry() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            (
                "kustomization.yaml",
                "resources:\n- ok.yaml\n- missing.yaml\n",
            ),
            ("ok.yaml", OK),
        ],
    );
    let b = refused(t.path());
    assert_eq!(located(&b, "missing.yaml"), "kustomization.yaml:3");
    assert_eq!(names(&b), ["ok"]);
}

#[test]
fn a_patch_naming_no_object_is_reported_and_the_others_apply() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            (
                "kustomization.yaml",
                "resources: [web.yaml]\npatches:\n- path: ghost.yaml\n- path: real.yaml\n",
            ),
            ("web.yaml", DEPLOY),
            (
                "ghost.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ghost}\nspec: {replicas: 2}\n",
            ),
            (
                "real.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n",
            ),
        ],
    );
    let b = refused(t.path());
    assert_eq!(
        located(&b, "no resource matches strategic merge patch"),
        "ghost.yaml:1"
    );
    let replicas = b.objects[0].node.path(&["spec", "replicas"]).unwrap();
    assert_eq!(replicas.as_str(), Some("3"));
}

#[test]
fn a_target_selecting_nothing_is_reported_although_kustomize_lets_it_pass() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            (
                "kustomization.yaml",
                "resources: [web.yaml]\npatches:\n- target: {kind: StatefulSet}\n  patch: |-\n    - op: add\n      path: /spec/replicas\n      value: 2\n",
            ),
            ("web.yaml", DEPLOY),
        ],
    );
    let b = accepted(t.path());
    assert_eq!(located(&b, "matches no object"), "kustomization.yaml:3");
    // a target naming only a kind is a catch-all: a build without that kind is its expected
    // case, noted at info level; one that names its object and misses it stays medium
    let severity = |b: &Built| {
        b.diagnostics
            .iter()
            .find(|d| d.message.contains("matches no object"))
            .map(|d| d.severity)
    };
    assert_eq!(severity(&b), Some(vigie_core::Severity::Info));
    write(
        t.path(),
        &[(
            "kustomization.yaml",
            "resources: [web.yaml]\npatches:\n- target: {kind: StatefulSet, name: db}\n  patch: |-\n    - op: add\n      path: /spec/replicas\n      value: 2\n",
        )],
    );
    let b = accepted(t.path());
    assert_eq!(severity(&b), Some(vigie_core::Severity::Medium));
}

#[test]
fn conflicting_patches_are_reported_and_the_later_one_wins_as_in_kustomize() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            (
                "kustomization.yaml",
                "resources: [web.yaml]\npatches:\n- path: two.yaml\n- path: five.yaml\n",
            ),
            ("web.yaml", DEPLOY),
            (
                "two.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n",
            ),
            (
                "five.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 5\n",
            ),
        ],
    );
    let b = accepted(t.path());
    assert_eq!(located(&b, "conflicting patches"), "five.yaml:5");
}

#[test]
fn an_invalid_json6902_path_is_reported_at_its_operation() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            (
                "kustomization.yaml",
                "resources: [web.yaml, ok.yaml]\npatches:\n- target: {kind: Deployment}\n  path: ops.yaml\n",
            ),
            ("web.yaml", DEPLOY),
            ("ok.yaml", OK),
            (
                "ops.yaml",
                "- op: replace\n  path: /spec/replicas\n  value: 4\n- op: remove\n  path: /spec/nothing/here\n",
            ),
        ],
    );
    let b = refused(t.path());
    assert_eq!(located(&b, "/spec/nothing/here"), "ops.yaml:4");
    assert_eq!(names(&b), ["ok", "web"]);
}

#[test]
fn remote_bases_are_not_followed_and_named_where_listed() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            (
                "kustomization.yaml",
                "resources:\n- ok.yaml\n- github.com/example/app//deploy?ref=v1.0.0\n- https://example.com/app.yaml\n",
            ),
            ("ok.yaml", OK),
        ],
    );
    let b = vigie_kustomize::build(t.path());
    assert_eq!(
        located(&b, "github.com/example/app"),
        "kustomization.yaml:3"
    );
    assert_eq!(
        located(&b, "https://example.com/app.yaml"),
        "kustomization.yaml:4"
    );
    assert_eq!(names(&b), ["ok"]);
}

#[test]
fn a_generator_over_a_missing_file_is_reported_at_its_entry() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            (
                "kustomization.yaml",
                "resources: [ok.yaml]\nconfigMapGenerator:\n- name: conf\n  files:\n  - missing.conf\n",
            ),
            ("ok.yaml", OK),
        ],
    );
    let b = refused(t.path());
    assert_eq!(located(&b, "missing.conf"), "kustomization.yaml:5");
    assert!(names(&b).contains(&"ok".to_string()));
}

#[test]
fn a_file_outside_the_repository_is_not_read() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            ("repo/.git/HEAD", "ref: refs/heads/main\n"),
            (
                "repo/app/kustomization.yaml",
                "resources:\n- ok.yaml\n- ../../outside\n",
            ),
            ("repo/app/ok.yaml", OK),
            ("outside/kustomization.yaml", "resources: [secret.yaml]\n"),
            (
                "outside/secret.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
            ),
        ],
    );
    let b = vigie_kustomize::build(&t.path().join("repo/app"));
    assert_eq!(
        located(&b, "outside the repository"),
        "kustomization.yaml:3"
    );
    assert_eq!(names(&b), ["ok"]);
    assert!(
        b.included
            .iter()
            .all(|p| !p.to_string_lossy().contains("outside"))
    );
}

#[test]
fn names_colliding_after_prefixing_are_reported() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            ("kustomization.yaml", "resources:\n- cm.yaml\n- sub\n"),
            (
                "cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p-cm}\n",
            ),
            (
                "sub/kustomization.yaml",
                "namePrefix: p-\nresources: [cm.yaml]\n",
            ),
            (
                "sub/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n",
            ),
        ],
    );
    let b = refused(t.path());
    assert_eq!(located(&b, "already registered id"), "kustomization.yaml:3");
    assert_eq!(names(&b), ["p-cm"]);
}

#[test]
fn a_malformed_resource_is_located_and_the_others_build() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            ("kustomization.yaml", "resources: [bad.yaml, ok.yaml]\n"),
            (
                "bad.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n",
            ),
            ("ok.yaml", OK),
        ],
    );
    let b = refused(t.path());
    assert!(located(&b, "bad.yaml").starts_with("bad.yaml:"));
    assert_eq!(names(&b), ["ok"]);
}

#[test]
fn a_refused_resource_is_the_one_problem_reported_not_the_patches_it_leaves_without_target() {
    // the overlay lists a file above its own folder (Kustomize's load restrictor refuses it),
    // then patches the Deployment that file holds, by target and by name: the patches find
    // nothing only because the resource was refused, so the refusal is the one diagnostic
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            ("app/web.yaml", DEPLOY),
            (
                "app/small/kustomization.yaml",
                "resources:\n- ok.yaml\n- ../web.yaml\npatches:\n- target: {kind: Deployment, name: web}\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 2\n- path: replicas.yaml\nreplacements:\n- source: {kind: Deployment, name: web, fieldPath: spec.replicas}\n  targets:\n  - select: {kind: ConfigMap}\n    fieldPaths: [data.a]\n",
            ),
            ("app/small/ok.yaml", OK),
            (
                "app/small/replicas.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n",
            ),
        ],
    );
    let b = refused(&t.path().join("app/small"));
    assert_eq!(located(&b, "security; file"), "kustomization.yaml:3");
    assert_eq!(b.diagnostics.len(), 1, "{:#?}", b.diagnostics);
    assert!(b.failure.as_deref().unwrap().contains("security; file"));
    assert_eq!(names(&b), ["ok"]);
}

#[test]
fn with_every_resource_read_a_patch_finding_nothing_is_still_reported() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            (
                "kustomization.yaml",
                "resources: [web.yaml]\npatches:\n- target: {kind: Deployment, name: gone}\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 2\n",
            ),
            ("web.yaml", DEPLOY),
        ],
    );
    let b = accepted(t.path());
    assert_eq!(located(&b, "matches no object"), "kustomization.yaml:3");
}

/// A file the repository keeps out of git (`.gitignore` above the overlay) is generated before
/// the build: the build fails as Kustomize's does, and the finding says which `.gitignore`
/// ignores the file, so that the reader generates it rather than looks for a lost file.
#[test]
fn a_missing_file_the_repository_ignores_is_said_to_be_generated() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            (".gitignore", "deploy/overlays/*/params.env\n"),
            (
                "deploy/overlays/dev/kustomization.yaml",
                "resources: [web.yaml]\nconfigMapGenerator:\n- name: params\n  envs: [params.env]\npatches:\n- path: params.yaml\n",
            ),
            ("deploy/overlays/dev/web.yaml", DEPLOY),
        ],
    );
    let dir = t.path().join("deploy/overlays/dev");
    let b = refused(&dir);
    let generated = |needle: &str| {
        b.diagnostics
            .iter()
            .find(|d| d.message.contains(needle))
            .map(|d| d.message.clone())
            .unwrap_or_else(|| panic!("no {needle:?} in {:#?}", b.diagnostics))
    };
    let env = generated("params.env");
    assert!(
        env.contains(".gitignore ignores it (`deploy/overlays/*/params.env`)"),
        "{env}"
    );
    // a file no .gitignore names is missing, nothing more said
    let patch = generated("params.yaml");
    assert!(!patch.contains("gitignore"), "{patch}");
}
