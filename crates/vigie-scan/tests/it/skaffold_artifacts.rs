//! A Dockerfile a Skaffold artifact builds is judged through the Kubernetes containers that run
//! its image; when no container of the scan runs it, it is judged on its own — never by nothing.

const SKAFFOLD: &str = "apiVersion: skaffold/v4beta11\nkind: Config\nbuild:\n  artifacts:\n    - image: api\n      context: src/api\n";
const DOCKERFILE: &str = "FROM alpine:3.20.3@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a\nRUN apk add --no-cache curl\nCMD [\"/bin/api\"]\n";
const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n    spec:\n      securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001\n      containers:\n        - name: api\n          image: api\n          readinessProbe:\n            httpGet: {path: /healthz, port: 8080}\n";

fn dockerfile_verdicts<'a>(
    r: &'a vigie_core::ScanReport,
    check: &str,
) -> Vec<&'a vigie_core::Verdict> {
    r.verdicts
        .iter()
        .filter(|v| v.check == check && v.subject.starts_with("src/api/Dockerfile"))
        .collect()
}

#[test]
fn a_dockerfile_no_container_runs_is_judged_on_its_own() {
    let r = crate::scan_files(&[
        ("skaffold.yaml", SKAFFOLD),
        ("src/api/Dockerfile", DOCKERFILE),
    ]);
    for check in ["CNT-01", "CNT-10.3"] {
        let v = dockerfile_verdicts(&r, check);
        assert_eq!(v.len(), 1, "{check}: {v:#?}");
        assert!(v[0].is_fail(), "{check}: {v:#?}");
    }
}

#[test]
fn a_dockerfile_a_container_runs_is_judged_through_it() {
    let r = crate::scan_files(&[
        ("skaffold.yaml", SKAFFOLD),
        ("src/api/Dockerfile", DOCKERFILE),
        ("k8s/api.yaml", DEPLOYMENT),
    ]);
    for check in ["CNT-01", "CNT-10.3"] {
        let v = dockerfile_verdicts(&r, check);
        assert!(v.is_empty(), "{check}: {v:#?}");
        let on_container: Vec<_> = r
            .verdicts
            .iter()
            .filter(|v| v.check == check && v.subject.contains("container api"))
            .collect();
        assert!(
            !on_container.is_empty() && on_container.iter().all(|v| v.is_pass()),
            "{check}: {on_container:#?}"
        );
    }
}

#[test]
fn a_batch_container_is_not_asked_for_probes() {
    let cronjob = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: report\nspec:\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n            - name: api\n              image: api\n";
    let r = crate::scan_files(&[
        ("skaffold.yaml", SKAFFOLD),
        ("src/api/Dockerfile", DOCKERFILE),
        ("k8s/report.yaml", cronjob),
    ]);
    let health: Vec<_> = r
        .verdicts
        .iter()
        .filter(|v| v.check == "CNT-10.3" && v.is_fail())
        .collect();
    assert!(health.is_empty(), "{health:#?}");
}
