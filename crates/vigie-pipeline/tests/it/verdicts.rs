//! A verdict test per control on the hardened and gaps example pipelines, and the check
//! documentation's own examples.

use crate::common;
use common::*;
use std::collections::BTreeMap;
use vigie_pipeline::CHECKS;

fn scan(dir: &str) -> vigie_pipeline::analyze::Output {
    scan_dir(&examples().join(dir))
}

fn assert_all(out: &vigie_pipeline::analyze::Output, check: &str, pass: bool) {
    let vs = of(&out.verdicts, check);
    assert!(
        !vs.is_empty(),
        "no {check} verdict:\n{}",
        show(&out.verdicts)
    );
    for v in &vs {
        assert_eq!(v.is_pass(), pass, "{check}:\n{}", show(&out.verdicts));
    }
}

fn assert_some_fail(out: &vigie_pipeline::analyze::Output, check: &str, needle: &str) {
    let vs = of(&out.verdicts, check);
    assert!(
        vs.iter().any(|v| v.is_fail() && v.message.contains(needle)),
        "no failing {check} with `{needle}`:\n{}",
        show(&out.verdicts)
    );
}

#[test]
fn github_hardened_passes() {
    let out = scan("compose-hardened");
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    for c in [
        "SUP-01", "SUP-02.1", "SUP-02.2", "SUP-02.3", "SUP-04.1", "SUP-04.2", "SUP-05.1",
        "SUP-05.2", "SUP-06.1", "SUP-06.2",
    ] {
        assert_all(&out, c, true);
    }
    // the scan evidence is the composite action's step, reached through the workflow
    let s = of(&out.verdicts, "SUP-01");
    assert_eq!(
        &*s[0].location.path,
        ".github/actions/trivy-gate/action.yml",
        "{}",
        show(&out.verdicts)
    );
    assert!(s[0].message.contains("trivy image"), "{}", s[0].message);
    assert_all(&out, "SUP-06.4", true);
    // a called workflow's actions are judged once, in their own file
    let pins = of(&out.verdicts, "SUP-06.2");
    assert_eq!(
        pins.iter()
            .filter(|v| &*v.location.path == ".github/workflows/deploy.yml")
            .count(),
        2,
        "{}",
        show(&out.verdicts)
    );
    assert!(
        pins.iter()
            .all(|v| v.subject.starts_with(&*v.location.path))
    );
}

#[test]
fn github_gaps_fail() {
    let out = scan("compose-gaps");
    // scan after the push and swallowed
    assert_some_fail(&out, "SUP-01", "|| true");
    assert_some_fail(&out, "SUP-02.1", "swallowed");
    assert_some_fail(&out, "SUP-02.3", "npm install");
    assert_all(&out, "SUP-04.1", false);
    assert_all(&out, "SUP-04.2", false);
    assert_all(&out, "SUP-05.1", false);
    assert_all(&out, "SUP-05.2", false);
    assert_some_fail(&out, "SUP-06.1", "write-all");
    assert_some_fail(&out, "SUP-06.1", "neither this job nor the workflow");
    assert_some_fail(&out, "SUP-06.1", "`contents: write`");
    assert_some_fail(&out, "SUP-06.2", "actions/checkout@v4");
    assert_some_fail(&out, "SUP-06.3", "checks out the pull request's head");
    assert_some_fail(&out, "SUP-06.4", "DEPLOY_TOKEN");
    assert!(of(&out.verdicts, "SUP-06.2").iter().all(|v| v.is_fail()));
}

#[test]
fn gitlab_and_cloudbuild_hardened_pass() {
    let out = scan("k8s-hardened");
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    for c in [
        "SUP-01", "SUP-02.1", "SUP-02.3", "SUP-04.1", "SUP-04.2", "SUP-05.1", "SUP-05.2",
        "SUP-06.5",
    ] {
        assert_all(&out, c, true);
    }
    let v = of(&out.verdicts, "SUP-05.2");
    assert!(v[0].message.contains("Kyverno"), "{}", v[0].message);
    // both pipelines have a gated build path
    let s = of(&out.verdicts, "SUP-01");
    assert!(s.iter().any(|v| &*v.location.path == ".gitlab-ci.yml"));
    assert!(s.iter().any(|v| &*v.location.path == "cloudbuild.yaml"));
    // the secret piped into docker login is not an echo
    assert!(of(&out.verdicts, "SUP-06.4").iter().all(|v| v.is_pass()));
}

#[test]
fn gitlab_and_cloudbuild_gaps_fail() {
    let out = scan("k8s-gaps");
    assert_some_fail(&out, "SUP-01", "job `trivy` has `allow_failure: true`");
    assert_some_fail(&out, "SUP-01", "|| true");
    assert_some_fail(&out, "SUP-02.1", "no `--audit-level`");
    assert_some_fail(&out, "SUP-02.3", "npm install");
    assert_all(&out, "SUP-04.1", false);
    assert_all(&out, "SUP-04.2", false);
    assert_all(&out, "SUP-05.1", false);
    assert_all(&out, "SUP-05.2", false);
    assert_all(&out, "SUP-06.5", false);
    assert_some_fail(&out, "SUP-06.4", "CI_REGISTRY_PASSWORD");
    assert_some_fail(&out, "SUP-06.6", "--key-file");
    let msgs: Vec<&str> = out.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("template: Security/Container-Scanning")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("`extends: .scan-base`")),
        "{msgs:?}"
    );
    assert!(msgs.iter().any(|m| m.contains("`notify`")), "{msgs:?}");
}

/// Every check's documented failing and passing example, written alone into a folder.
#[test]
fn documented_examples() {
    for doc in CHECKS {
        for (which, (path, text)) in [("failing", doc.failing), ("passing", doc.passing)] {
            let mut files = BTreeMap::new();
            files.insert(path.to_string(), text.to_string());
            let out = scan_files(std::path::Path::new("/nonexistent"), &files, None);
            let vs = of(&out.verdicts, doc.id);
            if doc.id == "SUP-07" && which == "passing" {
                // a migration alone: nothing to judge without a schema (see sup07 tests)
                assert!(vs.is_empty());
                continue;
            }
            assert!(
                !vs.is_empty(),
                "{} {which}: no verdict\n{}",
                doc.id,
                show(&out.verdicts)
            );
            let want_pass = which == "passing";
            assert!(
                vs.iter().all(|v| v.is_pass() == want_pass),
                "{} {which}:\n{}",
                doc.id,
                show(&out.verdicts)
            );
            // an example reads cleanly: no finding about its input (info notes on what does not
            // apply to it, such as SUP-05.2 for a workflow that only publishes, are not findings)
            let findings: Vec<_> = out
                .diagnostics
                .iter()
                .filter(|d| d.severity > vigie_core::Severity::Info)
                .collect();
            assert!(findings.is_empty(), "{} {which}: {findings:?}", doc.id);
        }
    }
}

#[test]
fn key_files_and_terraform_keys() {
    let mut files = BTreeMap::new();
    files.insert("infra/iam.tf".to_string(), "resource \"google_service_account_key\" \"ci\" {\n  service_account_id = google_service_account.ci.name\n}\n".to_string());
    files.insert("infra/gke.tf".to_string(), "resource \"google_container_cluster\" \"c\" {\n  binary_authorization {\n    evaluation_mode = \"PROJECT_SINGLETON_POLICY_ENFORCE\"\n  }\n}\n".to_string());
    files.insert(
        "ok.json".to_string(),
        "{\"type\": \"service_account\"}".to_string(),
    );
    files.insert(
        ".github/workflows/d.yml".to_string(),
        "on: push\npermissions: {}\njobs:\n  d:\n    steps:\n      - uses: google-github-actions/auth@v2\n        with:\n          credentials_json: ${{ secrets.GCP_KEY }}\n      - run: kubectl apply -f k8s/\n".to_string(),
    );
    let out = scan_files(std::path::Path::new("/nonexistent"), &files, None);
    let k = of(&out.verdicts, "SUP-06.6");
    assert_eq!(k.len(), 2, "{}", show(&out.verdicts));
    assert!(k.iter().all(|v| v.is_fail()));
    assert!(
        k.iter()
            .any(|v| v.subject.contains("google_service_account_key.ci"))
    );
    assert!(k.iter().any(|v| v.message.contains("credentials_json")));
    // Binary Authorization enforced by the cluster: deployment verification passes
    let v = of(&out.verdicts, "SUP-05.2");
    assert!(
        v[0].is_pass() && v[0].message.contains("Binary Authorization"),
        "{}",
        show(&out.verdicts)
    );
}

#[test]
fn kyverno_in_audit_mode_does_not_enforce() {
    let mut files = BTreeMap::new();
    files.insert(
        "policy.yaml".to_string(),
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: p\nspec:\n  validationFailureAction: Audit\n  rules:\n    - name: r\n      verifyImages:\n        - imageReferences: ['*']\n".to_string(),
    );
    let out = scan_files(std::path::Path::new("/nonexistent"), &files, None);
    let v = of(&out.verdicts, "SUP-05.2");
    assert!(
        v[0].is_fail() && v[0].message.contains("Audit"),
        "{}",
        show(&out.verdicts)
    );
}

#[test]
fn scan_ordering_and_deploy_gating() {
    // scan after the push but before the deployment counts
    let mut files = BTreeMap::new();
    files.insert(
        ".github/workflows/b.yml".to_string(),
        "on: push\npermissions:\n  contents: read\njobs:\n  build:\n    steps:\n      - run: docker build -t x . && docker push x\n  scan:\n    needs: build\n    steps:\n      - run: trivy image --severity CRITICAL,HIGH,MEDIUM --exit-code 1 x\n  deploy:\n    needs: scan\n    steps:\n      - run: kubectl set image deploy/a a=x\n".to_string(),
    );
    let out = scan_files(std::path::Path::new("/nonexistent"), &files, None);
    let v = of(&out.verdicts, "SUP-01");
    assert!(
        v[0].is_pass() && v[0].message.contains("before every deployment"),
        "{}",
        show(&out.verdicts)
    );
    // a scan in a parallel job gates nothing
    files.insert(
        ".github/workflows/b.yml".to_string(),
        "on: push\npermissions:\n  contents: read\njobs:\n  build:\n    steps:\n      - run: docker build -t x . && docker push x\n  scan:\n    steps:\n      - run: trivy image --severity CRITICAL,HIGH --exit-code 1 x\n".to_string(),
    );
    let out = scan_files(std::path::Path::new("/nonexistent"), &files, None);
    let v = of(&out.verdicts, "SUP-01");
    assert!(
        v[0].is_fail() && v[0].message.contains("does not finish before"),
        "{}",
        show(&out.verdicts)
    );
    // severity too lax, exit code missing, grype
    for (cmd, pass) in [
        ("trivy image --severity CRITICAL --exit-code 1 x", false),
        ("trivy image --severity CRITICAL,HIGH x", false),
        ("trivy fs --exit-code 1 .", true),
        ("grype x --fail-on high", true),
        ("grype x --fail-on critical", false),
        (
            "docker run --rm -v /var/run/docker.sock:/var/run/docker.sock aquasec/trivy:0.58.1 image --severity HIGH,CRITICAL --exit-code 1 x",
            true,
        ),
        ("TRIVY_EXIT_CODE=1 trivy image x | tee out.txt", true),
        ("set +e; trivy image --exit-code 1 x; echo done", false),
    ] {
        files.insert(
            ".github/workflows/b.yml".to_string(),
            format!("on: push\npermissions:\n  contents: read\njobs:\n  build:\n    steps:\n      - run: docker build -t x .\n      - run: {cmd}\n      - run: docker push x\n"),
        );
        let out = scan_files(std::path::Path::new("/nonexistent"), &files, None);
        let v = of(&out.verdicts, "SUP-01");
        assert_eq!(v[0].is_pass(), pass, "{cmd}: {}", show(&out.verdicts));
    }
}

/// A `trivy` run without flags reads `trivy.yaml` at the repository root (or the file named
/// by `--config`), as Trivy does; flags still win over it.
#[test]
fn trivy_yaml_at_the_root_is_honoured() {
    let workflow = |trivy: &str| {
        format!(
            "on: push\npermissions:\n  contents: read\n  packages: write\njobs:\n  image:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: docker build -t ghcr.io/acme/api:1 .\n      - run: {trivy}\n      - run: docker push ghcr.io/acme/api:1\n"
        )
    };
    let run = |trivy: &str, extra: &[(&str, &str)]| {
        let mut files = BTreeMap::new();
        files.insert(".github/workflows/b.yml".to_string(), workflow(trivy));
        for (p, t) in extra {
            files.insert(p.to_string(), t.to_string());
        }
        let out = scan_files(std::path::Path::new("/nonexistent"), &files, None);
        of(&out.verdicts, "SUP-01")
            .iter()
            .map(|v| (v.is_pass(), v.message.clone()))
            .collect::<Vec<_>>()
    };
    let gating = "severity:\n  - CRITICAL\n  - HIGH\nexit-code: 1\nscan:\n  skip-dirs:\n    - node_modules\n";
    // without a configuration file the bare command does not gate
    let v = run("trivy image ghcr.io/acme/api:1", &[]);
    assert!(v.iter().all(|(pass, _)| !pass) && !v.is_empty(), "{v:?}");
    assert!(v[0].1.contains("exit-code"), "{v:?}");
    // with trivy.yaml it does, and the message names the file
    let v = run("trivy image ghcr.io/acme/api:1", &[("trivy.yaml", gating)]);
    assert!(v.iter().all(|(pass, _)| *pass) && !v.is_empty(), "{v:?}");
    assert!(v[0].1.contains("with trivy.yaml"), "{v:?}");
    // a file that sets a weak severity fails, naming the line of trivy.yaml's key
    let v = run(
        "trivy image ghcr.io/acme/api:1",
        &[("trivy.yaml", "severity: CRITICAL\nexit-code: 1\n")],
    );
    assert!(
        v.iter().all(|(pass, _)| !pass) && v[0].1.contains("`severity: CRITICAL` in trivy.yaml"),
        "{v:?}"
    );
    // flags win over the file
    let v = run(
        "trivy image --exit-code 0 ghcr.io/acme/api:1",
        &[("trivy.yaml", gating)],
    );
    assert!(
        v.iter().all(|(pass, _)| !pass) && v[0].1.contains("`--exit-code 0` never fails"),
        "{v:?}"
    );
    // Trivy reads trivy.yml only when told to; `--config` names any file
    let v = run("trivy image ghcr.io/acme/api:1", &[("trivy.yml", gating)]);
    assert!(v.iter().all(|(pass, _)| !pass), "{v:?}");
    let v = run(
        "trivy --config ci/trivy.yml image ghcr.io/acme/api:1",
        &[("ci/trivy.yml", gating)],
    );
    assert!(v.iter().all(|(pass, _)| *pass) && !v.is_empty(), "{v:?}");
    // a filesystem scan whose configuration skips the whole tree does not count
    let v = run(
        "trivy fs .",
        &[(
            "trivy.yaml",
            "severity: HIGH,CRITICAL\nexit-code: 1\nscan:\n  skip-dirs: [\".\"]\n",
        )],
    );
    assert!(
        v.iter().all(|(pass, _)| !pass) && v[0].1.contains("skips the whole tree"),
        "{v:?}"
    );
}

/// A pipeline that builds images but neither pushes nor deploys them releases nothing: the image
/// release gates do not apply to it. The same build with a push, or followed by a deployment, is
/// a release and is judged.
#[test]
fn builds_that_publish_nothing_are_not_releases() {
    let judge = |steps: &str| {
        let mut files = BTreeMap::new();
        files.insert(
            ".github/workflows/ci.yml".to_string(),
            format!(
                "on: pull_request\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n{steps}"
            ),
        );
        scan_files(std::path::Path::new("/nonexistent"), &files, None).verdicts
    };
    let gates = ["SUP-01", "SUP-04.1", "SUP-04.2", "SUP-05.1"];
    let build_only = judge(
        "      - run: docker build --tag chatbot:1.0 .\n      - run: docker run --rm chatbot:1.0 pytest\n      - uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 # v6.18.0\n        with:\n          tags: api:test\n",
    );
    for c in gates {
        assert!(of(&build_only, c).is_empty(), "{c}:\n{}", show(&build_only));
    }
    let pushed = judge(
        "      - run: docker build --tag ghcr.io/acme/chatbot:1.0 .\n      - run: docker push ghcr.io/acme/chatbot:1.0\n",
    );
    for c in gates {
        assert!(
            of(&pushed, c).iter().any(|v| v.is_fail()),
            "{c}:\n{}",
            show(&pushed)
        );
    }
    // a push decided by an expression pushes on the runs that release
    let conditional = judge(
        "      - uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 # v6.18.0\n        with:\n          push: ${{ github.event_name != 'pull_request' }}\n          tags: ghcr.io/acme/api:1\n",
    );
    assert!(
        of(&conditional, "SUP-05.1").iter().any(|v| v.is_fail()),
        "{}",
        show(&conditional)
    );
    let deployed = judge("      - run: docker compose build\n      - run: docker compose up -d\n");
    for c in ["SUP-01", "SUP-04.1", "SUP-04.2"] {
        assert!(
            of(&deployed, c).iter().any(|v| v.is_fail()),
            "{c}:\n{}",
            show(&deployed)
        );
    }
}

/// A job running an action whose use of the token vigie does not know may use any write scope
/// it is granted; one running only actions known to write nothing is told the scope is unused.
#[test]
fn a_scope_an_unknown_action_may_use_is_not_reported_unused() {
    let judge = |step: &str| {
        let mut files = BTreeMap::new();
        files.insert(
            ".github/workflows/owners.yml".to_string(),
            format!(
                "on: pull_request_target\npermissions: {{}}\njobs:\n  owners:\n    runs-on: ubuntu-24.04\n    permissions:\n      contents: read\n      pull-requests: write\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n{step}"
            ),
        );
        let out = scan_files(std::path::Path::new("/nonexistent"), &files, None).verdicts;
        let vs = of(&out, "SUP-06.1");
        assert_eq!(vs.len(), 1, "{}", show(&out));
        (vs[0].is_pass(), vs[0].message.to_string())
    };
    let (pass, msg) = judge(
        "      - uses: acme/assign-reviewers@2f1c3bd0e3d1e3a7a4d5b8c9f0a1b2c3d4e5f6a7 # v2\n",
    );
    assert!(pass, "{msg}");
    assert!(msg.contains("acme/assign-reviewers"), "{msg}");
    // the action that requests reviewers is known to write pull requests
    let (pass, _) = judge(
        "      - uses: dyladan/component-owners@58bd86e9814d23f1525d0a970682cead459fa783 # v0.1.0\n",
    );
    assert!(pass);
    let (pass, msg) = judge("      - uses: actions/setup-node@v4\n      - run: npm test\n");
    assert!(!pass, "only known actions that write nothing: {msg}");
}

/// A repository that only publishes images has no admission point: SUP-05.2 is not judged
/// there (signing, SUP-05.1, is). A deployment it runs, here `docker compose up` over ssh, is
/// one.
#[test]
fn signature_verification_is_judged_where_the_repository_deploys() {
    let judge = |deploy: &str| {
        let mut files = BTreeMap::new();
        files.insert(
            ".github/workflows/release.yml".to_string(),
            format!(
                "on: push\npermissions:\n  contents: read\n  packages: write\njobs:\n  release:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: docker build -t ghcr.io/acme/api:1 .\n      - run: docker push ghcr.io/acme/api:1\n{deploy}"
            ),
        );
        let out = scan_files(std::path::Path::new("/nonexistent"), &files, None);
        let noted = out
            .diagnostics
            .iter()
            .any(|d| d.message.starts_with("SUP-05.2 not judged"));
        let v = out.verdicts;
        (of(&v, "SUP-05.1").len(), of(&v, "SUP-05.2").len(), noted)
    };
    assert_eq!(
        judge(""),
        (1, 0, true),
        "a publisher is told to sign, not to verify, and why"
    );
    assert_eq!(
        judge(
            "      - run: ssh -p 2222 deploy@tarmac.internal \"docker compose pull && docker compose up -d\"\n"
        ),
        (1, 1, false)
    );
}

/// docker/build-push-action attests provenance by default since v4 (its tag, or the version
/// a commit pin's comment names), unless told not to or loading into the runner's daemon.
#[test]
fn build_push_action_attests_provenance_by_default_since_v4() {
    let judge = |uses: &str, with: &str| {
        let mut files = BTreeMap::new();
        files.insert(
            ".github/workflows/release.yml".to_string(),
            format!(
                "on: push\npermissions:\n  contents: read\njobs:\n  image:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: {uses}\n        with:\n          push: true\n          tags: ghcr.io/acme/api:1\n{with}"
            ),
        );
        let out = scan_files(std::path::Path::new("/nonexistent"), &files, None).verdicts;
        let vs = of(&out, "SUP-04.2");
        assert_eq!(vs.len(), 1, "{}", show(&out));
        vs[0].is_pass()
    };
    let pinned = "docker/build-push-action@53b7df96c91f9c12dcc8a07bcb9ccacbed38856a  # v7.3.0";
    assert!(judge(pinned, ""));
    assert!(judge("docker/build-push-action@v6", ""));
    assert!(!judge("docker/build-push-action@v3", ""));
    // a pin whose comment names no version says nothing of the default
    assert!(!judge(
        "docker/build-push-action@53b7df96c91f9c12dcc8a07bcb9ccacbed38856a",
        ""
    ));
    assert!(!judge(pinned, "          provenance: false\n"));
    assert!(!judge(pinned, "          load: true\n"));
}

#[test]
fn scanners_that_upload_to_code_scanning_use_security_events() {
    let judge = |steps: &str| {
        let mut files = BTreeMap::new();
        files.insert(
            ".github/workflows/lint.yml".to_string(),
            format!(
                "on: push\npermissions: {{}}\njobs:\n  zizmor:\n    runs-on: ubuntu-24.04\n    permissions:\n      contents: read\n      security-events: write\n    steps:\n{steps}"
            ),
        );
        let out = scan_files(std::path::Path::new("/nonexistent"), &files, None).verdicts;
        let vs = of(&out, "SUP-06.1");
        assert_eq!(vs.len(), 1, "{}", show(&out));
        vs[0].is_pass()
    };
    let zizmor = "      - uses: zizmorcore/zizmor-action@e639db99335bc9038abc0e066dfcd72e23d26fb4 # v0.3.0\n";
    assert!(judge(zizmor), "zizmor-action uploads SARIF by default");
    let no_upload = format!("{zizmor}        with:\n          advanced-security: false\n");
    assert!(
        !judge(&no_upload),
        "with advanced-security off it uploads nothing"
    );
    assert!(judge(
        "      - run: gh api repos/acme/shop/code-scanning/sarifs -f sarif=@r.sarif.gz\n"
    ));
    assert!(!judge("      - run: make lint\n"));
    // names of actions are matched whatever their case
    let mut files = BTreeMap::new();
    files.insert(
        ".github/workflows/test.yml".to_string(),
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    permissions:\n      checks: write\n    steps:\n      - uses: EnricoMi/publish-unit-test-result-action@3a74b2957438d0b6e2e61d67b05318aa25c9e6c6 # v2.20.0\n".to_string(),
    );
    let out = scan_files(std::path::Path::new("/nonexistent"), &files, None).verdicts;
    assert!(of(&out, "SUP-06.1")[0].is_pass(), "{}", show(&out));
}
