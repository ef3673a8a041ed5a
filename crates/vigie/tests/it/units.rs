//! Deployment units: `vigie units`, `vigie render` against `kubectl kustomize`, and scans that
//! judge each unit on its own.

use crate::common::*;
use serde_json::Value;
use std::path::Path;
use vigie_parse::yaml::{self, Node};

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A YAML node as JSON, scalars typed as Kubernetes reads them, for comparisons that ignore
/// formatting.
fn json_of(n: &Node) -> Value {
    if let Some(items) = n.as_seq() {
        return Value::Array(items.iter().map(json_of).collect());
    }
    if let Some(entries) = n.as_map() {
        return Value::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), json_of(&e.value)))
                .collect(),
        );
    }
    match n.as_str() {
        None => Value::Null,
        Some(s) => match (n.as_i64(), n.as_bool()) {
            (Some(i), _) if !s.starts_with('"') && n.tag.is_none() && s == i.to_string() => {
                Value::from(i)
            }
            (_, Some(b)) if s == "true" || s == "false" => Value::Bool(b),
            _ => Value::String(s.to_string()),
        },
    }
}

/// The documents of a YAML stream, sorted, as JSON text.
fn documents(text: &str) -> Vec<String> {
    let mut docs: Vec<String> = yaml::parse(text)
        .documents
        .iter()
        .map(|d| json_of(&d.root))
        .filter(|v| !v.is_null())
        .map(|v| v.to_string())
        .collect();
    docs.sort();
    docs
}

fn kubectl_kustomize(dir: &Path) -> String {
    let out = std::process::Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .expect("kubectl (with Kustomize) is installed: .ci/run installs it");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn units_lists_overlays_not_their_base() {
    let (code, out, err) = stdout_of(vigie().arg("units").arg(example("kustomize-gaps")));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("overlays/prod  [kustomize]"), "{out}");
    assert!(out.contains("overlays/staging  [kustomize]"), "{out}");
    assert!(out.contains("including base"), "{out}");
    assert!(!out.lines().any(|l| l.starts_with("base")), "{out}");
    assert!(out.ends_with("2 unit(s)\n"), "{out}");
}

#[test]
fn render_prints_what_kubectl_kustomize_prints() {
    for overlay in ["overlays/prod", "overlays/staging"] {
        for example in ["kustomize-gaps", "kustomize-hardened"] {
            let root = example_path(example);
            let (code, out, err) =
                stdout_of(vigie().arg("render").arg(overlay).arg("--root").arg(&root));
            assert_eq!(code, 0, "{err}");
            assert_eq!(
                documents(&out),
                documents(&kubectl_kustomize(&root.join(overlay))),
                "{example}/{overlay}"
            );
        }
    }
}

fn example_path(name: &str) -> std::path::PathBuf {
    example(name)
}

fn scan_json(dir: &Path, extra: &[&str]) -> Value {
    let (_, out, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(dir)
            .args(["--format", "json"])
            .args(extra),
    );
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"))
}

fn verdicts(report: &Value) -> Vec<&Value> {
    report["verdicts"].as_array().unwrap().iter().collect()
}

fn fails<'a>(report: &'a Value, check: &str) -> Vec<&'a Value> {
    verdicts(report)
        .into_iter()
        .filter(|v| v["check"] == check && v["outcome"] == "fail")
        .collect()
}

#[test]
fn an_overlay_is_judged_on_what_it_builds_and_names_its_unit() {
    let r = scan_json(&example("kustomize-gaps"), &[]);
    // staging keeps the base's writable root filesystem; prod's patch fixes it
    let ro = fails(&r, "CNT-04");
    assert!(!ro.is_empty());
    for v in &ro {
        let m = v["message"].as_str().unwrap();
        assert!(m.contains("(unit overlays/staging)"), "{m}");
        assert!(!m.contains("overlays/prod"), "{m}");
    }
    let passes: Vec<&Value> = verdicts(&r)
        .into_iter()
        .filter(|v| v["check"] == "CNT-04" && v["outcome"] == "pass")
        .collect();
    assert!(
        passes.iter().any(|v| v["location"]["path"]
            .as_str()
            .unwrap()
            .ends_with("overlays/prod/hardening.yaml")),
        "prod's pass points at the patch line that sets it: {passes:?}"
    );
    // the database image without a digest is the base's, in both units: reported once
    let digest: Vec<&Value> = fails(&r, "CNT-10.2")
        .into_iter()
        .filter(|v| v["subject"].as_str().unwrap().contains("postgres"))
        .collect();
    assert_eq!(digest.len(), 1, "{digest:?}");
    let m = digest[0]["message"].as_str().unwrap();
    assert!(m.contains("(units overlays/prod, overlays/staging)"), "{m}");
    // patch files are never judged as whole objects
    assert!(
        !verdicts(&r)
            .iter()
            .any(|v| v["subject"].as_str().unwrap().contains("replicas.yaml")
                || (v["location"]["path"] == "overlays/staging/replicas.yaml"
                    && v["outcome"] == "fail"))
    );
}

#[test]
fn scan_unit_judges_one_unit() {
    let r = scan_json(&example("kustomize-gaps"), &["--unit", "overlays/prod"]);
    assert!(fails(&r, "CNT-04").is_empty());
    for v in verdicts(&r) {
        assert!(!v["message"].as_str().unwrap().contains("staging"), "{v}");
    }
    let (code, _, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(example("kustomize-gaps"))
            .args(["--unit", "nope"]),
    );
    assert_eq!(code, 2);
    assert!(err.contains("no deployment unit `nope`"), "{err}");
}

#[test]
fn a_unit_that_cannot_be_built_is_reported_and_its_files_are_not_judged_loose() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "app/kustomization.yaml",
        "resources:\n- deploy.yaml\n- missing.yaml\npatches:\n- path: patch.yaml\n",
    );
    write(
        d.path(),
        "app/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: nginx}]\n",
    );
    write(
        d.path(),
        "app/patch.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n",
    );
    let r = scan_json(d.path(), &[]);
    let diags = r["diagnostics"].as_array().unwrap();
    assert!(
        diags.iter().any(|d| d["message"]
            .as_str()
            .unwrap()
            .contains("unit app could not be built")
            && d["location"]["path"] == "app/kustomization.yaml"),
        "{diags:?}"
    );
    assert!(
        !verdicts(&r)
            .iter()
            .any(|v| v["location"]["path"] == "app/patch.yaml"),
        "the patch is not judged as a whole object"
    );
}

#[test]
fn charts_are_rendered_as_units_and_judged_at_their_template_lines() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    );
    write(d.path(), "web/values.yaml", "privileged: false\n");
    write(d.path(), "web/values-prod.yaml", "privileged: true\n");
    write(
        d.path(),
        "web/templates/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx\n          securityContext:\n            privileged: {{ .Values.privileged }}\n",
    );
    let r = scan_json(d.path(), &[]);
    let diags = r["diagnostics"].as_array().unwrap();
    assert!(
        !diags
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("Helm template")),
        "{diags:?}"
    );
    let privileged = fails(&r, "CNT-06.1");
    assert_eq!(privileged.len(), 1, "{privileged:?}");
    assert_eq!(
        privileged[0]["location"]["path"],
        "web/templates/deploy.yaml"
    );
    assert!(
        privileged[0]["message"]
            .as_str()
            .unwrap()
            .contains("(unit web@prod)")
    );
    let (code, out, err) = stdout_of(
        vigie()
            .arg("render")
            .arg("web")
            .arg("--root")
            .arg(d.path())
            .args(["--release-name", "shop"]),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("# Source: web/templates/deploy.yaml"), "{out}");
    assert!(out.contains("name: shop-web"), "{out}");
}

#[test]
fn compose_with_f_does_not_judge_the_override_alone() {
    let r = scan_json(&example("compose-hardened"), &["-f", "docker-compose.yml"]);
    assert!(
        !verdicts(&r).iter().any(|v| v["subject"]
            .as_str()
            .unwrap()
            .starts_with("docker-compose.override.yml")),
        "the override is a fragment, not a project"
    );
}

#[test]
fn independent_samples_are_not_one_cluster() {
    let d = tempfile::tempdir().unwrap();
    let app = |ns: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web{ns}}}\nspec:\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: web, image: nginx, ports: [{{containerPort: 80}}]}}]\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: web}}\nspec:\n  selector: {{app: web}}\n  ports: [{{port: 80}}]\n"
        )
    };
    write(d.path(), "sample-a/k8s/app.yaml", &app(""));
    write(d.path(), "sample-b/k8s/app.yaml", &app(""));
    let (code, out, err) = stdout_of(vigie().arg("units").arg(d.path()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("sample-a/k8s  [manifests]"), "{out}");
    assert!(out.contains("sample-b/k8s  [manifests]"), "{out}");
}

#[test]
fn pods_controllers_and_operators_create_are_known() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "k8s/app.yaml",
        r#"apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      containers: [{name: m, image: migrate:1}]
---
apiVersion: v1
kind: Service
metadata: {name: migrate}
spec:
  selector: {job-name: migrate}
  ports: [{port: 80}]
---
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: pg}
spec: {instances: 3}
---
apiVersion: v1
kind: Service
metadata: {name: pg-ro}
spec:
  selector: {cnpg.io/cluster: pg, role: replica}
  ports: [{port: 5432}]
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: front}
spec:
  template:
    spec:
      containers:
        - name: front
          image: front:1
          securityContext: {privileged: true}
"#,
    );
    let r = scan_json(d.path(), &[]);
    let diags = r["diagnostics"].as_array().unwrap();
    let no_pod: Vec<&Value> = diags
        .iter()
        .filter(|d| d["message"].as_str().unwrap().contains("matches no pod"))
        .collect();
    assert!(no_pod.is_empty(), "{no_pod:?}");
    let note = diags
        .iter()
        .find(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .contains("Cluster/default/pg")
        })
        .expect("an operator note");
    assert_eq!(note["severity"], "info");
    let privileged = fails(&r, "CNT-06.1");
    assert!(
        privileged.iter().any(|v| v["subject"]
            .as_str()
            .unwrap()
            .starts_with("Rollout/default/front")),
        "{privileged:?}"
    );
}

/// A chart whose security context (`toYaml`) and image come from values, and a production
/// values file that sets one key of the security context.
fn chart_with_values(dir: &Path) {
    write(
        dir,
        "shop/Chart.yaml",
        "apiVersion: v2\nname: shop\nversion: 1.0.0\n",
    );
    write(
        dir,
        "shop/values.yaml",
        "replicaCount: 2\nimage:\n  repository: registry.example.org/shop\n  tag: \"1.4.2\"\nsecurityContext:\n  runAsNonRoot: true\n  allowPrivilegeEscalation: true\n",
    );
    write(
        dir,
        "shop/values-prod.yaml",
        "# production\nsecurityContext:\n  readOnlyRootFilesystem: false\n",
    );
    write(
        dir,
        "shop/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-shop\nspec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n      containers:\n        - name: shop\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n          securityContext:\n            {{- toYaml .Values.securityContext | nindent 12 }}\n",
    );
}

/// The one failure among `vs` that names `unit`.
fn in_unit<'a>(vs: Vec<&'a Value>, unit: &str) -> &'a Value {
    let tag = format!("(unit {unit})");
    let found: Vec<&Value> = vs
        .into_iter()
        .filter(|v| v["message"].as_str().unwrap().contains(&tag))
        .collect();
    assert_eq!(found.len(), 1, "{unit}: {found:#?}");
    found[0]
}

#[test]
fn findings_on_values_name_the_values_key_and_line_in_every_format() {
    let d = tempfile::tempdir().unwrap();
    chart_with_values(d.path());
    let r = scan_json(d.path(), &[]);
    // the default values: the block written by `toYaml` lacks the field, named under its key
    let v = in_unit(fails(&r, "CNT-04"), "shop");
    let message = v["message"].as_str().unwrap();
    assert!(
        message.contains(
            "(`securityContext` from shop/values.yaml:5 through shop/templates/deployment.yaml:13)"
        ),
        "{v:#}"
    );
    assert!(
        v["fix"]
            .as_str()
            .unwrap()
            .starts_with("set `securityContext.readOnlyRootFilesystem` in shop/values.yaml (line 5, under `securityContext`)"),
        "{v:#}"
    );
    assert_eq!(v["related"][0]["path"], "shop/values.yaml", "{v:#}");
    assert_eq!(v["related"][0]["line"], 5, "{v:#}");
    // production: the environment's file sets the value that fails
    let v = in_unit(fails(&r, "CNT-04"), "shop@prod");
    assert!(
        v["message"].as_str().unwrap().contains(
            "(`securityContext.readOnlyRootFilesystem` from shop/values-prod.yaml:3 through shop/templates/deployment.yaml:13)"
        ),
        "{v:#}"
    );
    assert!(
        v["fix"].as_str().unwrap().starts_with(
            "set `securityContext.readOnlyRootFilesystem` in shop/values-prod.yaml (line 3)"
        ),
        "{v:#}"
    );
    assert_eq!(v["related"][0]["path"], "shop/values-prod.yaml", "{v:#}");
    assert_eq!(v["related"][0]["line"], 3, "{v:#}");
    // a value both units take from the defaults is one finding
    let escalation = fails(&r, "CNT-03");
    assert_eq!(escalation.len(), 1, "{escalation:#?}");
    assert!(
        escalation[0]["fix"].as_str().unwrap().starts_with(
            "set `securityContext.allowPrivilegeEscalation` in shop/values.yaml (line 7)"
        ),
        "{escalation:#?}"
    );
    // an image assembled from two values is traced to the tag that pins it
    let digest = fails(&r, "CNT-10.2");
    assert!(!digest.is_empty());
    assert!(
        digest.iter().all(|v| v["fix"]
            .as_str()
            .unwrap()
            .starts_with("set `image.tag` in shop/values.yaml (line 4)")),
        "{digest:#?}"
    );

    let (_, sarif, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(d.path())
            .args(["--format", "sarif"]),
    );
    let sarif: Value = serde_json::from_str(&sarif).unwrap_or_else(|e| panic!("{e}: {err}"));
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "CNT-04")
        .flat_map(|r| r["relatedLocations"].as_array().into_iter().flatten())
        .filter_map(|l| l["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(
        uris.iter().any(|u| u.ends_with("shop/values-prod.yaml")),
        "{uris:?}"
    );
    assert!(
        uris.iter().any(|u| u.ends_with("shop/values.yaml")),
        "{uris:?}"
    );

    let (_, text, _) = stdout_of(
        vigie()
            .arg("scan")
            .arg(d.path())
            .args(["--format", "text"])
            .env("NO_COLOR", "1"),
    );
    assert!(text.contains("see also shop/values-prod.yaml:3"), "{text}");
    assert!(
        text.contains(
            "set `securityContext.readOnlyRootFilesystem` in shop/values-prod.yaml (line 3)"
        ),
        "{text}"
    );
}

#[test]
fn render_takes_a_folder_outside_the_current_one() {
    // from an unrelated folder, as `helm template PATH` and `kubectl kustomize PATH` are used
    let elsewhere = tempfile::tempdir().unwrap();
    let chart = tempfile::tempdir().unwrap();
    std::fs::write(
        chart.path().join("Chart.yaml"),
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::create_dir(chart.path().join("templates")).unwrap();
    std::fs::write(
        chart.path().join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-web\n",
    )
    .unwrap();
    let (code, out, err) = stdout_of(
        vigie()
            .current_dir(elsewhere.path())
            .arg("render")
            .arg(chart.path())
            .args(["--release-name", "shop"]),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("# Source: web/templates/cm.yaml"), "{out}");
    assert!(out.contains("name: shop-web"), "{out}");
    let overlay = example_path("kustomize-gaps").join("overlays/prod");
    let (code, out, err) = stdout_of(
        vigie()
            .current_dir(elsewhere.path())
            .arg("render")
            .arg(&overlay),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(documents(&out), documents(&kubectl_kustomize(&overlay)));
}
