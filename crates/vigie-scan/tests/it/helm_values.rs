//! Findings on a rendered Helm chart name the values behind them: the values key to change, the
//! values file and line that set the effective value (an environment's file when it overrides
//! the default), as a related location and in the message and fix.

use vigie_core::Verdict;

/// A chart whose security context (`toYaml`) and image come from values, and a production
/// values file setting one key of the security context.
pub const CHART: &[(&str, &str)] = &[
    (
        "shop/Chart.yaml",
        "apiVersion: v2\nname: shop\nversion: 1.0.0\n",
    ),
    (
        "shop/values.yaml",
        "replicaCount: 2\nimage:\n  repository: registry.example.org/shop\n  tag: \"1.4.2\"\nsecurityContext:\n  runAsNonRoot: true\n  allowPrivilegeEscalation: true\n",
    ),
    (
        "shop/values-prod.yaml",
        "# production\nsecurityContext:\n  readOnlyRootFilesystem: false\n",
    ),
    (
        "shop/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-shop\nspec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n      containers:\n        - name: shop\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n          securityContext:\n            {{- toYaml .Values.securityContext | nindent 12 }}\n",
    ),
];

fn scan(files: &[(&str, &str)]) -> vigie_core::ScanReport {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let opts = vigie_scan::ScanOptions {
        display_root: ".".into(),
        gitignore: Some(false),
        ..vigie_scan::ScanOptions::new(dir.path(), time::macros::date!(2026 - 12 - 01))
    };
    vigie_scan::scan(&opts).unwrap()
}

/// The failure of `check` in `unit` (its message names the unit).
fn failure<'a>(r: &'a vigie_core::ScanReport, check: &str, unit: &str) -> &'a Verdict {
    let tag = format!("(unit {unit})");
    let found: Vec<&Verdict> = r
        .verdicts
        .iter()
        .filter(|v| v.check == check && v.is_fail() && v.message.contains(&tag))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{check} in {unit}: {:#?}",
        r.verdicts
            .iter()
            .filter(|v| v.check == check)
            .map(|v| (&v.message, v.fix(), v.related()))
            .collect::<Vec<_>>()
    );
    found[0]
}

fn related_to(v: &Verdict, path: &str, line: u32) -> bool {
    v.related()
        .iter()
        .any(|l| &*l.path == path && l.line == line)
}

#[test]
fn a_missing_field_of_a_values_block_names_the_key_and_the_file_that_sets_the_block() {
    let r = scan(CHART);
    let v = failure(&r, "CNT-04", "shop");
    assert!(
        v.message.contains(
            "(`securityContext` from shop/values.yaml:5 through shop/templates/deployment.yaml:13)"
        ),
        "{}",
        v.message
    );
    let fix = v.fix().unwrap();
    assert!(
        fix.starts_with(
            "set `securityContext.readOnlyRootFilesystem` in shop/values.yaml (line 5, under `securityContext`)"
        ),
        "{fix}"
    );
    // the rest of the check's own fix follows
    assert!(
        fix.ends_with("mount emptyDir volumes on scratch directories"),
        "{fix}"
    );
    assert!(related_to(v, "shop/values.yaml", 5), "{:?}", v.related());
    // production sets one key of the block: a key missing from it is added in that file
    let v = failure(&r, "CNT-02", "shop@prod");
    assert!(
        v.fix().unwrap().starts_with(
            "set `securityContext.capabilities.drop` in shop/values-prod.yaml (line 2, under `securityContext`)"
        ),
        "{:?}",
        v.fix()
    );
    assert!(related_to(v, "shop/values-prod.yaml", 2));
}

#[test]
fn a_value_set_by_an_environment_file_names_that_file() {
    let r = scan(CHART);
    let v = failure(&r, "CNT-04", "shop@prod");
    assert!(
        v.message.contains(
            "(`securityContext.readOnlyRootFilesystem` from shop/values-prod.yaml:3 through shop/templates/deployment.yaml:13)"
        ),
        "{}",
        v.message
    );
    assert!(
        v.fix().unwrap().starts_with(
            "set `securityContext.readOnlyRootFilesystem` in shop/values-prod.yaml (line 3)"
        ),
        "{:?}",
        v.fix()
    );
    assert!(related_to(v, "shop/values-prod.yaml", 3));
    assert!(!related_to(v, "shop/values.yaml", 5));
    // in the same block, a field production leaves alone is still the default file's: both
    // units say the same and are one finding
    let escalation: Vec<&Verdict> = r
        .verdicts
        .iter()
        .filter(|v| v.check == "PSS-R02" && v.is_fail())
        .collect();
    assert_eq!(escalation.len(), 1);
    let v = escalation[0];
    assert!(
        v.message.ends_with("(units shop, shop@prod)"),
        "{}",
        v.message
    );
    assert!(
        v.message
            .contains("(`securityContext.allowPrivilegeEscalation` from shop/values.yaml:7"),
        "{}",
        v.message
    );
}

#[test]
fn an_image_from_two_values_is_traced_to_its_tag_and_template_fields_to_nothing() {
    let r = scan(CHART);
    let digest: Vec<&Verdict> = r
        .verdicts
        .iter()
        .filter(|v| v.check == "CNT-10.2" && v.is_fail())
        .collect();
    assert_eq!(digest.len(), 1, "both units share one finding");
    assert!(
        digest[0]
            .fix()
            .unwrap()
            .starts_with("set `image.tag` in shop/values.yaml (line 4)"),
        "{:?}",
        digest[0].fix()
    );
    // no values field is near the missing limits: the template is what to change
    let memory: Vec<&Verdict> = r
        .verdicts
        .iter()
        .filter(|v| v.check == "CNT-08.1" && v.is_fail())
        .collect();
    assert_eq!(memory.len(), 1);
    assert!(
        !memory[0].message.contains(" from "),
        "{}",
        memory[0].message
    );
    assert!(
        memory[0]
            .related()
            .iter()
            .all(|l| !l.path.ends_with("values.yaml"))
    );
}

/// An image the template assembles without quotes from several values names the value that
/// writes its tag, the part a digest pins (`images.tag`, even empty with the chart's
/// `appVersion` as its default: `tag: "v1@sha256:…"` pins it), never the repository's value,
/// where no digest goes.
#[test]
fn an_assembled_image_names_the_value_of_its_tag_or_none() {
    let chart = |image: &str, values: &str| {
        vec![
            (
                "web/Chart.yaml".to_string(),
                "apiVersion: v2\nname: web\nversion: 1.0.0\nappVersion: v0.10.6\n".to_string(),
            ),
            ("web/values.yaml".to_string(), values.to_string()),
            (
                "web/templates/deployment.yaml".to_string(),
                format!(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: {image}\n"
                ),
            ),
        ]
    };
    let digest_fix = |files: Vec<(String, String)>| {
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let r = scan(&refs);
        let v = failure(&r, "CNT-10.2", "web");
        v.fix().unwrap_or_default().to_string()
    };
    let by_app_version = digest_fix(chart(
        "{{ .Values.images.repository }}/web:{{ .Values.images.tag | default .Chart.AppVersion }}",
        "images:\n  repository: registry.example.org/shop\n  tag: \"\"\n",
    ));
    assert!(
        by_app_version.starts_with("set `images.tag` in web/values.yaml (line 3)"),
        "{by_app_version}"
    );
    // a tag value every image reads cannot hold a digest for each: the template must change
    let mut two = chart(
        "{{ .Values.images.repository }}/web:{{ .Values.images.tag | default .Chart.AppVersion }}",
        "images:\n  repository: registry.example.org/shop\n  tag: \"\"\n",
    );
    two.push((
        "web/templates/worker.yaml".to_string(),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  template:\n    spec:\n      containers:\n        - name: worker\n          image: {{ .Values.images.repository }}/worker:{{ .Values.images.tag | default .Chart.AppVersion }}\n".to_string(),
    ));
    let shared = {
        let refs: Vec<(&str, &str)> = two.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let r = scan(&refs);
        r.verdicts
            .iter()
            .find(|v| v.check == "CNT-10.2" && v.is_fail() && v.subject.contains("web"))
            .and_then(|v| v.fix())
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        shared.starts_with(
            "pin each image by digest in the template (web/templates/deployment.yaml:10)"
        ) && shared.contains("`images.tag` (web/values.yaml:3) is read by 2 images"),
        "{shared}"
    );
    let by_tag = digest_fix(chart(
        "{{ .Values.image.repository }}:{{ .Values.image.tag }}",
        "image:\n  repository: registry.example.org/web\n  tag: \"1.4.2\"\n",
    ));
    assert!(
        by_tag.starts_with("set `image.tag` in web/values.yaml (line 3)"),
        "{by_tag}"
    );
}
