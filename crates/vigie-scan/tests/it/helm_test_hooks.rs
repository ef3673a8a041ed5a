//! Helm test hooks (`helm.sh/hook: test`, `test-success`, `test-failure`) are created only by
//! `helm test`: they are rendered, as Helm renders them, but judged by no check and left out of
//! the network model, with one info note saying so. A hook that also runs on install is judged.

use vigie_core::{DiagKind, Severity};

const CHART: &str = "apiVersion: v2\nname: shop\nversion: 0.1.0\n";
const VALUES: &str = "image: nginx:1.27\n";
const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: {{ .Values.image }}\n          ports: [{containerPort: 80}]\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
const TEST_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-smoke\n  labels: {role: smoke}\n  annotations:\n    \"helm.sh/hook\": test\nspec:\n  restartPolicy: Never\n  containers:\n    - name: smoke\n      image: busybox\n      command: [wget, \"{{ .Release.Name }}-web:80\"]\n      securityContext:\n        privileged: true\n";
const LEGACY_TEST_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-legacy\n  annotations:\n    helm.sh/hook: test-success\nspec:\n  containers:\n    - name: legacy\n      image: busybox\n      securityContext:\n        privileged: true\n";

#[test]
fn test_hooks_of_a_chart_are_not_judged_and_a_note_says_so() {
    let r = crate::scan_files(&[
        ("shop/Chart.yaml", CHART),
        ("shop/values.yaml", VALUES),
        ("shop/templates/web.yaml", DEPLOYMENT),
        ("shop/templates/tests/smoke.yaml", TEST_POD),
        ("shop/templates/tests/legacy.yaml", LEGACY_TEST_POD),
    ]);
    let on_tests: Vec<_> = r
        .verdicts
        .iter()
        .filter(|v| {
            v.location.path.contains("templates/tests/")
                || v.subject.contains("smoke")
                || v.subject.contains("legacy")
                || v.message.contains("release-name-smoke")
        })
        .map(|v| (v.check, &v.location, &v.message))
        .collect();
    assert!(on_tests.is_empty(), "test hooks judged: {on_tests:#?}");
    // the workload the chart installs is still judged (its image has no digest, no limits…)
    assert!(
        r.verdicts
            .iter()
            .any(|v| v.location.path.as_ref() == "shop/templates/web.yaml" && v.is_fail()),
        "{:#?}",
        r.verdicts
    );
    let notes: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("Helm test hook"))
        .collect();
    assert_eq!(notes.len(), 1, "{notes:#?}");
    let note = notes[0];
    assert_eq!(note.kind, DiagKind::Skipped);
    assert_eq!(note.severity, Severity::Info);
    assert!(note.location.path.contains("templates/tests/"), "{note:?}");
    assert!(note.location.line > 0, "{note:?}");
    assert!(
        note.message.contains("release-name-smoke") && note.message.contains("release-name-legacy"),
        "{note:?}"
    );
}

#[test]
fn a_hook_that_also_runs_on_install_is_judged() {
    let r = crate::scan_files(&[(
        "rendered.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: only-test\n  annotations: {helm.sh/hook: \"test-success, test-failure\"}\nspec:\n  containers:\n    - name: a\n      image: busybox\n      securityContext: {privileged: true}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: setup\n  annotations: {helm.sh/hook: \"pre-install,test\"}\nspec:\n  containers:\n    - name: b\n      image: busybox\n      securityContext: {privileged: true}\n",
    )]);
    let privileged: Vec<_> = r
        .verdicts
        .iter()
        .filter(|v| v.is_fail() && v.message.contains("privileged"))
        .map(|v| v.subject.to_string())
        .collect();
    assert!(
        privileged.iter().all(|s| !s.contains("only-test")),
        "{privileged:#?}"
    );
    assert!(
        privileged.iter().any(|s| s.contains("setup")),
        "{privileged:#?}"
    );
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.message.contains("Pod/default/only-test") && d.location.line == 1),
        "{:#?}",
        r.diagnostics
    );
}
