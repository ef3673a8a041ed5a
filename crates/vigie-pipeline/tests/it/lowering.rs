//! Lowering of each CI system into the pipeline model.

use vigie_core::Diagnostic;
use vigie_pipeline::model::{Pipeline, System};
use vigie_pipeline::{cloudbuild, github, gitlab};

fn files(list: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let owned: Vec<(String, String)> = list
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    move |p: &str| owned.iter().find(|(n, _)| n == p).map(|(_, t)| t.clone())
}

fn gh(text: &str, others: &[(&str, &str)]) -> (Pipeline, Vec<Diagnostic>) {
    let read = files(others);
    let mut diags = Vec::new();
    let p = github::lower(
        ".github/workflows/ci.yml",
        text,
        &mut github::Reader {
            read: &read,
            diags: &mut diags,
        },
    )
    .expect("a pipeline");
    (p, diags)
}

fn gl(text: &str, others: &[(&str, &str)]) -> (Pipeline, Vec<Diagnostic>) {
    let read = files(others);
    let names: Vec<&str> = others.iter().map(|(n, _)| *n).collect();
    let mut diags = Vec::new();
    let p = gitlab::lower(".gitlab-ci.yml", text, &read, &names, &mut diags).expect("a pipeline");
    (p, diags)
}

fn cmds(p: &Pipeline, job: &str) -> Vec<String> {
    let j = p
        .jobs
        .iter()
        .find(|j| j.id == job)
        .unwrap_or_else(|| panic!("no job {job}"));
    j.steps
        .iter()
        .flat_map(|s| s.commands.iter().map(|c| c.text()))
        .collect()
}

#[test]
fn github_triggers_permissions_needs_and_steps() {
    let (p, d) = gh(
        "on:\n  push:\n  pull_request_target:\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: make\n  b:\n    needs: [a]\n    continue-on-error: true\n    if: always()\n    permissions: write-all\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: main\n      - name: test\n        continue-on-error: true\n        run: |\n          echo one\n          make test\n",
        &[],
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(p.system, System::GitHub);
    let t: Vec<&str> = p.triggers.iter().map(|t| t.value.as_str()).collect();
    assert_eq!(t, ["push", "pull_request_target"]);
    assert_eq!(p.jobs.len(), 2);
    let b = &p.jobs[1];
    assert_eq!(b.needs.as_deref(), Some(&["a".to_string()][..]));
    assert!(b.allow_failure.is_some());
    assert!(b.runs_after_failure);
    assert!(p.job_before(0, 1));
    assert!(!p.job_before(1, 0));
    let a = b.steps[0].action.as_ref().unwrap();
    assert_eq!(a.repo(), "actions/checkout");
    assert_eq!(a.input("ref").unwrap().value, "main");
    assert!(b.steps[1].allow_failure.is_some());
    // the block scalar's commands are on their own lines
    let c = &b.steps[1].commands;
    assert_eq!(c[0].text(), "echo one");
    assert_eq!(c[0].at.line, 23);
    assert_eq!(c[1].at.line, 24);
}

#[test]
fn github_composite_actions_are_followed_with_their_inputs() {
    let action = "name: scan\ninputs:\n  image:\n    required: true\n  severity:\n    default: CRITICAL,HIGH\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: trivy image --severity ${{ inputs.severity }} --exit-code 1 ${{ inputs.image }}\n";
    let (p, d) = gh(
        "on: push\njobs:\n  a:\n    steps:\n      - uses: ./.github/actions/scan\n        with:\n          image: ghcr.io/a/b:1\n          colour: red\n      - uses: ./.github/actions/missing\n",
        &[(".github/actions/scan/action.yml", action)],
    );
    assert_eq!(
        cmds(&p, "a"),
        ["trivy image --severity CRITICAL,HIGH --exit-code 1 ghcr.io/a/b:1"]
    );
    let st = &p.jobs[0].steps[1];
    assert_eq!(&*st.commands[0].at.path, ".github/actions/scan/action.yml");
    assert_eq!(st.commands[0].at.line, 11);
    assert_eq!(st.via.as_ref().unwrap().line, 5);
    // an unknown input and a missing action are diagnostics
    assert!(
        d.iter()
            .any(|x| x.message.contains("`colour` is not an input")),
        "{d:?}"
    );
    assert!(
        d.iter()
            .any(|x| x.message.contains("missing") && x.message.contains("not followed")),
        "{d:?}"
    );
}

#[test]
fn github_reusable_workflows_of_the_repository_are_followed() {
    let called = "on:\n  workflow_call:\n    inputs:\n      image:\n        type: string\njobs:\n  push:\n    steps:\n      - run: docker push ${{ inputs.image }}\n";
    let (p, d) = gh(
        "on: push\njobs:\n  build:\n    steps:\n      - run: docker build -t x .\n  release:\n    needs: build\n    uses: ./.github/workflows/release.yml\n    with:\n      image: ghcr.io/a/b:2\n  remote:\n    uses: acme/shared/.github/workflows/x.yml@v1\n",
        &[(".github/workflows/release.yml", called)],
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(cmds(&p, "release"), ["docker push ghcr.io/a/b:2"]);
    let r = &p.jobs[1];
    assert_eq!(
        r.calls.as_ref().unwrap().value,
        "./.github/workflows/release.yml"
    );
    assert_eq!(&*r.steps[0].at.path, ".github/workflows/release.yml");
    assert!(p.jobs[2].steps.is_empty());
}

#[test]
fn github_invalid_yaml_is_a_diagnostic() {
    let read = files(&[]);
    let mut diags = Vec::new();
    let p = github::lower(
        ".github/workflows/x.yml",
        "on: push\njobs:\n  a: [\n",
        &mut github::Reader {
            read: &read,
            diags: &mut diags,
        },
    );
    assert!(p.is_none());
    assert_eq!(diags.len(), 1);
    assert!(diags[0].message.contains("not valid YAML"));
    assert_eq!(diags[0].location.line, 4);
}

#[test]
fn gitlab_anchors_extends_references_includes_and_defaults() {
    let inc = ".base:\n  image: alpine:3.20\n  before_script:\n    - echo setup\n  allow_failure: true\n.lint:\n  script:\n    - npm audit --audit-level=high\n";
    let (p, d) = gl(
        "include:\n  - local: /ci/base.yml\n  - template: Security/SAST.gitlab-ci.yml\n  - remote: https://example.com/x.yml\ndefault:\n  after_script:\n    - echo bye\nstages: [build, test]\n.retry: &retry\n  retry: 2\n  tags: [docker]\nbuild:\n  <<: *retry\n  extends: .base\n  stage: build\n  allow_failure: false\n  script:\n    - docker build -t x .\n    - !reference [.lint, script]\ntest:\n  stage: test\n  needs: [build]\n  script: [make test]\n  rules:\n    - when: always\nbroken:\n  extends: .nope\n  script: [x]\n  after_script:\n    - !reference [.nothing, script]\nnot_a_job:\n  stage: test\n  imgae: alpine\n",
        &[("ci/base.yml", inc)],
    );
    assert_eq!(p.stages, ["build", "test"]);
    let b = &p.jobs[0];
    assert_eq!(b.id, "build");
    assert_eq!(b.image.as_ref().unwrap().value, "alpine:3.20");
    // the job's own allow_failure wins over the template's
    assert!(b.allow_failure.is_none());
    assert_eq!(
        cmds(&p, "build"),
        [
            "echo setup",
            "docker build -t x .",
            "npm audit --audit-level=high",
            "echo bye"
        ]
    );
    // positions: the included command points into the included file
    let setup = &b.steps[0].commands[0];
    assert_eq!(&*setup.at.path, "ci/base.yml");
    assert_eq!(setup.at.line, 4);
    let audit = &b.steps[0].commands[2];
    assert_eq!(&*audit.at.path, "ci/base.yml");
    assert!(b.steps[1].after);
    let t = &p.jobs[1];
    assert!(t.runs_after_failure);
    assert!(p.job_before(0, 1));
    let msgs: Vec<&str> = d.iter().map(|x| x.message.as_str()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("template: Security/SAST") && m.contains("not followed")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("remote: https://example.com/x.yml")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("`extends: .nope`")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("!reference [.nothing, script]")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("`not_a_job`") && m.contains("imgae")),
        "{msgs:?}"
    );
}

#[test]
fn gitlab_stage_order_without_needs() {
    let (p, _) = gl(
        "stages: [a, b]\nj1:\n  stage: a\n  script: [x]\nj2:\n  stage: b\n  script: [y]\nj3:\n  stage: b\n  script: [z]\n",
        &[],
    );
    assert!(p.job_before(0, 1));
    assert!(!p.job_before(1, 2));
    assert!(!p.job_before(1, 0));
}

#[test]
fn cloudbuild_steps_wait_for_and_options() {
    let mut d = Vec::new();
    let p = cloudbuild::lower(
        "cloudbuild.yaml",
        "steps:\n  - id: a\n    name: gcr.io/cloud-builders/docker\n    args: [build, -t, x, .]\n  - id: b\n    name: aquasec/trivy:0.58.1\n    waitFor: ['-']\n    args: [image, x]\n  - id: c\n    name: ubuntu\n    entrypoint: bash\n    waitFor: [a]\n    args:\n      - -c\n      - |\n        echo $$HOME\n        trivy image x || true\n  - name: alpine\n    script: |\n      #!/bin/sh\n      echo hi\nimages: [x]\nserviceAccount: projects/p/serviceAccounts/b@p.iam.gserviceaccount.com\navailableSecrets:\n  secretManager:\n    - versionName: v\n      env: TOKEN\noptions:\n  requestedVerifyOption: VERIFIED\n  logging: CLOUD_LOGGING_ONLY\n  pool:\n    name: pool-1\n",
        &mut d,
    )
    .unwrap();
    assert!(d.is_empty(), "{d:?}");
    let j = &p.jobs[0];
    assert_eq!(j.steps.len(), 4);
    assert_eq!(j.steps[0].commands[0].text(), "docker build -t x .");
    assert_eq!(j.steps[1].commands[0].text(), "trivy image x");
    assert_eq!(j.steps[2].commands[0].text(), "echo $HOME");
    assert_eq!(j.steps[2].commands[0].at.line, 16);
    assert!(j.steps[2].commands[1].swallowed.is_some());
    assert_eq!(j.steps[3].commands[0].text(), "echo hi");
    // waitFor: c waits for a only, b starts at once, d waits for all
    assert!(p.step_before(0, 0, 2));
    assert!(!p.step_before(0, 1, 2));
    assert!(!p.step_before(0, 0, 1));
    assert!(p.step_before(0, 1, 3));
    assert_eq!(p.verify_option.as_ref().unwrap().value, "VERIFIED");
    assert_eq!(p.secret_env[0].value, "TOKEN");
    assert_eq!(p.options.len(), 2);
    assert!(p.service_account.is_some());
}

#[test]
fn cloudbuild_json_and_bad_input() {
    let mut d = Vec::new();
    let p = cloudbuild::lower("cloudbuild.json", "{\"steps\": [{\"name\": \"gcr.io/cloud-builders/docker\", \"args\": [\"push\", \"x\"]}, {\"args\": []}]}", &mut d).unwrap();
    assert_eq!(p.jobs[0].steps.len(), 1);
    assert!(d[0].message.contains("no `name`"));
    let mut d = Vec::new();
    assert!(cloudbuild::lower("cloudbuild.yaml", "steps: [", &mut d).is_none());
    assert_eq!(d.len(), 1);
}

#[test]
fn file_names() {
    assert!(github::is_workflow(".github/workflows/a.yml"));
    assert!(github::is_workflow(".github/workflows/a.yaml"));
    assert!(!github::is_workflow(".github/workflows/sub/a.yml"));
    assert!(!github::is_workflow("x/.github/workflows/a.yml"));
    assert!(gitlab::is_gitlab(".gitlab-ci.yml"));
    assert!(cloudbuild::is_cloudbuild("cloudbuild.yaml"));
    assert!(cloudbuild::is_cloudbuild("deploy/cloudbuild.json"));
    assert!(cloudbuild::is_cloudbuild("cloudbuild-prod.yml"));
    assert!(!cloudbuild::is_cloudbuild("cloudbuilder.yaml"));
}

/// Includes vigie cannot read (a GitLab template, a URL, another project, a component) are each
/// a "not followed" diagnostic on their own line; the local one is read.
#[test]
fn gitlab_includes_outside_the_repository_are_reported_not_followed_with_their_line() {
    let (p, d) = gl(
        "include:\n  - template: Jobs/SAST.gitlab-ci.yml\n  - remote: https://example.org/ci/scan.yml\n  - project: platform/ci\n    ref: v2\n    file: /templates/build.yml\n  - https://example.org/short.yml\n  - local: ci/base.yml\nbuild:\n  script: [make]\n",
        &[("ci/base.yml", "lint:\n  script: [make lint]\n")],
    );
    let not_followed: Vec<(u32, &str)> = d
        .iter()
        .filter(|x| x.message.contains("is not followed"))
        .map(|x| (x.location.line, x.message.as_str()))
        .collect();
    let at = |line: u32, what: &str| {
        assert!(
            not_followed
                .iter()
                .any(|(l, m)| *l == line && m.contains(what) && x_path_ok(&d, line)),
            "{what} at line {line}: {not_followed:?}"
        );
    };
    fn x_path_ok(d: &[Diagnostic], line: u32) -> bool {
        d.iter()
            .any(|x| x.location.line == line && &*x.location.path == ".gitlab-ci.yml")
    }
    at(2, "template: Jobs/SAST.gitlab-ci.yml");
    at(3, "remote: https://example.org/ci/scan.yml");
    at(4, "project: platform/ci (file /templates/build.yml)");
    at(7, "remote: https://example.org/short.yml");
    assert_eq!(not_followed.len(), 4, "{not_followed:?}");
    assert!(
        p.jobs.iter().any(|j| j.id == "lint"),
        "the local include is read"
    );
}
