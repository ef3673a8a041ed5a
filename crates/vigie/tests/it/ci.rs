//! CI integrations checked by their real consumers: Microsoft's SARIF multitool with GitHub's
//! rules, PyPI `junitparser` for JUnit, the `pre-commit` framework. Each must be installed (`.ci/run`
//! installs them); a test fails, never skips, when its consumer is missing.

use crate::common::{example, root, stdout_of, vigie};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

// not the key of SEC-01's documented example, which the rule's help shows
const KEY: &str = "AKIAQ4RTBW2N5XJ7LKPM"; // vigie:allow-secret

/// The multitool: `SARIF_MULTITOOL`, else where `.ci/tools` installs it, else `Sarif.Multitool`
/// on PATH.
fn multitool() -> PathBuf {
    if let Some(p) = std::env::var_os("SARIF_MULTITOOL") {
        return PathBuf::from(p);
    }
    let installed = std::env::var_os("VIGIE_CI_TOOLS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/vigie-ci-tools"))
        })
        .map(|d| d.join("node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"))
        .filter(|p| p.is_file());
    let on_path = || {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|d| d.join("Sarif.Multitool"))
                .find(|p| p.is_file())
        })
    };
    installed.or_else(on_path).expect(
        "the SARIF multitool is needed: `bash .ci/tools` installs it (or set SARIF_MULTITOOL)",
    )
}

/// Errors the multitool reports on `files` with GitHub's rules and SARIF's own, one line each.
pub(crate) fn multitool_errors(files: &[PathBuf]) -> Vec<String> {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("validation.sarif");
    let run = Command::new(multitool())
        .args(["validate", "--rule-kind", "Gh;Sarif", "--output"])
        .arg(&out)
        .args(files)
        .output()
        .expect("the SARIF multitool runs");
    assert!(
        out.is_file(),
        "the multitool wrote no log: {}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let mut errors = Vec::new();
    for run in log["runs"].as_array().unwrap() {
        for r in run["results"].as_array().into_iter().flatten() {
            if r["level"] == "error" {
                errors.push(format!(
                    "{} {} at {}",
                    r["ruleId"],
                    r["message"],
                    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                ));
            }
        }
        // a file the tool could not read or parse is an error too
        for inv in run["invocations"].as_array().into_iter().flatten() {
            for n in inv["toolExecutionNotifications"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if n["level"] == "error" {
                    errors.push(format!("tool: {}", n["message"]));
                }
            }
        }
    }
    errors
}

fn sarif_of_scan(path: &Path, out: &Path) -> Value {
    let (code, _, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(path)
            .args(["--format", "sarif", "--output"])
            .arg(out),
    );
    assert!(code == 0 || code == 1, "{err}");
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

/// A git repository holding a secret, and what `vigie secrets` writes of it as SARIF.
fn repo_with_secret() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q"]);
    std::fs::create_dir_all(d.path().join("deploy")).unwrap();
    std::fs::write(
        d.path().join("deploy/app.yml"),
        format!("region: eu-west-3\naws_key: {KEY}\n"),
    )
    .unwrap();
    d
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn results(doc: &Value) -> &Vec<Value> {
    doc["runs"][0]["results"].as_array().expect("results")
}

fn uri(r: &Value) -> &str {
    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap_or_default()
}

fn fingerprint(r: &Value) -> &str {
    r["partialFingerprints"]["vigie/v2"]
        .as_str()
        .unwrap_or_default()
}

#[test]
fn github_accepts_the_sarif_of_every_example_and_of_vigie_secrets() {
    let out = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root().join("examples")).unwrap() {
        let ex = entry.unwrap().path();
        let name = ex.file_name().unwrap().to_string_lossy().into_owned();
        let file = out.path().join(format!("{name}.sarif"));
        let doc = sarif_of_scan(&ex, &file);
        for r in results(&doc) {
            assert!(
                r["locations"][0].is_object(),
                "{name}: a result without a location: {r}"
            );
            assert_ne!(uri(r), ".", "{name}: {r}");
            assert!(
                uri(r).starts_with(&format!("examples/{name}/")),
                "{name}: {r}"
            );
        }
        let base = &doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"];
        assert!(
            base.as_str()
                .is_some_and(|u| u.starts_with("file:///") && u.ends_with('/')),
            "{base}"
        );
        files.push(file);
    }
    let repo = repo_with_secret();
    let secrets = out.path().join("secrets.sarif");
    let (code, _, err) = stdout_of(
        vigie()
            .args(["secrets", "--no-progress", "--format", "sarif", "--output"])
            .arg(&secrets)
            .arg(repo.path()),
    );
    assert_eq!(code, 1, "{err}");
    files.push(secrets);
    let errors = multitool_errors(&files);
    assert!(
        errors.is_empty(),
        "{} errors:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

#[test]
fn one_secret_is_one_alert_whichever_command_found_it() {
    let repo = repo_with_secret();
    let out = tempfile::tempdir().unwrap();
    let scanned = sarif_of_scan(&repo.path().join("deploy"), &out.path().join("scan.sarif"));
    let file = out.path().join("secrets.sarif");
    vigie()
        .args(["secrets", "--no-progress", "--format", "sarif", "--output"])
        .arg(&file)
        .arg(repo.path().join("deploy"))
        .assert()
        .code(1);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(KEY), "a secret in full");
    let secrets: Value = serde_json::from_str(&text).unwrap();
    let from_scan: Vec<&Value> = results(&scanned)
        .iter()
        .filter(|r| r["ruleId"] == "SEC-01")
        .collect();
    let from_secrets: Vec<&Value> = results(&secrets)
        .iter()
        .filter(|r| r["ruleId"] == "SEC-01")
        .collect();
    assert_eq!(from_scan.len(), 1, "{scanned}");
    assert_eq!(from_secrets.len(), 1, "{secrets}");
    // repository-relative, although `deploy/` was scanned
    assert_eq!(uri(from_secrets[0]), "deploy/app.yml");
    assert_eq!(uri(from_scan[0]), "deploy/app.yml");
    assert_eq!(fingerprint(from_scan[0]), fingerprint(from_secrets[0]));
    assert_eq!(fingerprint(from_scan[0]).len(), 64);
    let rule = |doc: &Value| -> Value {
        doc["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "SEC-01")
            .cloned()
            .expect("the SEC-01 rule")
    };
    let rule = rule(&secrets);
    assert!(rule["fullDescription"]["text"].is_string(), "{rule}");
    assert!(
        rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("```yaml"),
        "{rule}"
    );
    assert_eq!(rule["properties"]["security-severity"], "9.0");
}

#[test]
fn fingerprints_survive_line_moves_and_tell_identical_results_apart() {
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q"]);
    let service = "  web:\n    image: nginx:1.27\n";
    let write = |above: &str| {
        std::fs::write(
            d.path().join("compose.yaml"),
            format!("{above}services:\n{service}"),
        )
        .unwrap();
        std::fs::write(
            d.path().join("Dockerfile"),
            format!("{above}FROM alpine:3.20\nRUN apk add curl\nRUN apk add curl\n"),
        )
        .unwrap();
    };
    let out = tempfile::tempdir().unwrap();
    write("");
    let before = sarif_of_scan(d.path(), &out.path().join("a.sarif"));
    write("# a comment\n# another\n");
    let after = sarif_of_scan(d.path(), &out.path().join("b.sarif"));
    let prints = |doc: &Value| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = results(doc)
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    fingerprint(r).to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert!(!prints(&before).is_empty());
    assert_eq!(
        prints(&before),
        prints(&after),
        "fingerprints moved with the lines"
    );
    let lines = |doc: &Value| -> Vec<i64> {
        results(doc)
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_i64()
                    .unwrap()
            })
            .collect()
    };
    assert_ne!(lines(&before), lines(&after), "the lines did move");
    let all: Vec<String> = prints(&before).into_iter().map(|p| p.1).collect();
    let unique: std::collections::BTreeSet<&String> = all.iter().collect();
    assert_eq!(
        unique.len(),
        all.len(),
        "two results share a fingerprint: {before}"
    );
}

/// `junitparser`'s view of a JUnit file: per case, its result kinds and attributes.
fn junitparser(file: &Path) -> Value {
    const SCRIPT: &str = r#"
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
cases = []
for suite in xml:
    for case in suite:
        kinds = [type(r).__name__ for r in case.result]
        cases.append({"suite": suite.name, "name": case.name, "kinds": kinds,
                      "file": case._elem.get("file"), "time": case._elem.get("time")})
print(json.dumps({"tests": xml.tests, "failures": xml.failures, "errors": xml.errors,
                  "skipped": xml.skipped, "cases": cases}))
"#;
    let out = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(file)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "junitparser is needed (`pip install junitparser`, .ci/run does): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn junit_of_a_passing_scan_has_no_failure_and_every_case_has_file_and_time() {
    let out = tempfile::tempdir().unwrap();
    for (name, code) in [("k8s-hardened", 0), ("compose-gaps", 1)] {
        let file = out.path().join(format!("{name}.xml"));
        let (got, _, err) = stdout_of(
            vigie()
                .arg("scan")
                .arg(example(name))
                .args(["--format", "junit", "--output"])
                .arg(&file),
        );
        assert_eq!(got, code, "{name}: {err}");
        let j = junitparser(&file);
        let cases = j["cases"].as_array().unwrap();
        assert!(!cases.is_empty());
        for c in cases {
            assert!(c["time"].is_string(), "{name}: no time: {c}");
        }
        let with_file = cases.iter().filter(|c| c["file"].is_string()).count();
        assert!(
            with_file * 2 > cases.len(),
            "{name}: most cases name a file: {j}"
        );
        if code == 0 {
            assert_eq!(
                j["failures"], 0,
                "{name}: a passing scan with failed tests: {j}"
            );
            assert_eq!(j["errors"], 0, "{name}: {j}");
            // the notes (no git history, no vulnerability database) are there, as skipped cases
            assert!(
                cases.iter().any(|c| c["suite"] == "vigie diagnostics"
                    && c["kinds"] == serde_json::json!(["Skipped"])),
                "{j}"
            );
        } else {
            assert!(j["failures"].as_u64().unwrap() > 0, "{j}");
        }
    }
}

#[test]
fn the_readme_gate_example_passes_and_not_assessed_never_gates() {
    // the README's example: a lockfile and no vulnerability database is "not assessed"
    let (code, out, err) = stdout_of(vigie().arg("scan").arg(example("compose-hardened")).args([
        "--framework",
        "anssi-docker,pss-restricted",
        "--fail-on",
        "medium",
        "--no-color",
    ]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("PASS"), "{out}");
}

#[test]
fn a_diagnostic_gates_only_for_the_selected_frameworks_and_is_named() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("Dockerfile"),
        "FROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000000\nUSER 1000\nHEALTHCHECK CMD true\n",
    )
    .unwrap();
    // a lockfile vigie cannot read: only supply-chain checks read lockfiles
    std::fs::write(d.path().join("package-lock.json"), "{ not json").unwrap();
    let scan = |fw: &str| {
        stdout_of(vigie().arg("scan").arg(d.path()).args([
            "--framework",
            fw,
            "--fail-on",
            "high",
            "--no-color",
        ]))
    };
    let (code, out, _) = scan("cis-docker");
    assert!(
        !out.contains("FAIL: ") || !out.contains("VG-PARSE at"),
        "{out}"
    );
    let docker_only = code;
    // with the framework whose checks read lockfiles, the unreadable lockfile gates, by name
    let (code, out, _) = scan("devsecops");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("VG-PARSE at package-lock.json"), "{out}");
    // and a Compose file that cannot be parsed gates a Docker framework
    std::fs::write(d.path().join("compose.yaml"), "services: [\n").unwrap();
    let (code, out, _) = scan("cis-docker");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("VG-PARSE at compose.yaml"), "{out}");
    let _ = docker_only;
}

fn run(c: &mut Command) -> (i32, String, String) {
    let o = c.output().expect("runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// PATH with the `vigie` under test first.
pub(crate) fn path_with_vigie() -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_vigie"))
        .parent()
        .unwrap()
        .to_path_buf();
    let mut dirs = vec![bin];
    if let Some(p) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(dirs).unwrap()
}

fn git_out(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A commit in `repo` through the hooks pre-commit installed: (succeeded, what it printed).
fn commit_through_hooks(repo: &Path, home: &Path, message: &str) -> (bool, String) {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-q",
            "-m",
            message,
        ])
        .env("PATH", path_with_vigie())
        .env("PRE_COMMIT_HOME", home)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn pre_commit_installs_the_hook_from_a_clone_and_it_blocks_a_staged_key() {
    // the hook repository: this repository's hook definition and script, committed
    let hooks = tempfile::tempdir().unwrap();
    git(hooks.path(), &["init", "-q"]);
    std::fs::create_dir_all(hooks.path().join(".pre-commit")).unwrap();
    for f in [".pre-commit-hooks.yaml", ".pre-commit/vigie-secrets"] {
        std::fs::copy(root().join(f), hooks.path().join(f)).unwrap();
    }
    git(hooks.path(), &["add", "."]);
    git(hooks.path(), &["commit", "-q", "-m", "hooks"]);
    let rev = git_out(hooks.path(), &["rev-parse", "HEAD"]);

    let work = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    git(work.path(), &["init", "-q"]);
    std::fs::write(
        work.path().join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: vigie-secrets\n",
            hooks.path().display()
        ),
    )
    .unwrap();
    let install = Command::new("pre-commit")
        .arg("install")
        .current_dir(work.path())
        .env("PRE_COMMIT_HOME", home.path())
        .output()
        .expect("pre-commit is needed (`pip install pre-commit`, .ci/run does)");
    assert!(
        install.status.success(),
        "{}",
        String::from_utf8_lossy(&install.stderr)
    );

    std::fs::write(work.path().join("app.yml"), "region: eu-west-3\n").unwrap();
    git(work.path(), &["add", "."]);
    let (ok, out) = commit_through_hooks(work.path(), home.path(), "clean");
    assert!(ok, "a clean commit was refused:\n{out}");
    assert!(
        out.contains("vigie secrets") && out.contains("Passed"),
        "{out}"
    );

    std::fs::write(
        work.path().join("app.yml"),
        format!("region: eu-west-3\naws_key: {KEY}\n"),
    )
    .unwrap();
    git(work.path(), &["add", "."]);
    let (ok, out) = commit_through_hooks(work.path(), home.path(), "leak");
    assert!(!ok, "a staged AWS key was committed:\n{out}");
    assert!(
        out.contains("aws-access-key-id") && out.contains("Failed"),
        "{out}"
    );
    assert!(
        !out.contains(KEY),
        "the hook printed the secret in full:\n{out}"
    );
    assert_eq!(git_out(work.path(), &["log", "--format=%s"]), "clean");
}

#[test]
fn hook_install_needs_vigie_on_path_and_keeps_a_backup() {
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q"]);
    let hook = d.path().join(".git/hooks/pre-commit");
    let vigie_abs = Path::new(env!("CARGO_BIN_EXE_vigie"));
    let (code, _, err) = run(Command::new(vigie_abs)
        .args(["hook", "install"])
        .arg(d.path())
        .env("PATH", "/usr/bin:/bin"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not on PATH"), "{err}");
    assert!(!hook.exists());

    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let install = |force: bool| {
        let mut c = Command::new(vigie_abs);
        c.args(["hook", "install"])
            .arg(d.path())
            .env("PATH", path_with_vigie());
        if force {
            c.arg("--force");
        }
        run(&mut c)
    };
    assert_eq!(install(false).0, 2);
    let (code, _, err) = install(true);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(d.path().join(".git/hooks/pre-commit.backup")).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    let text = std::fs::read_to_string(&hook).unwrap();
    assert!(
        text.contains("command -v vigie") && text.contains("vigie secrets --staged"),
        "{text}"
    );
}

/// The verdicts of a JSON report: (check, outcome, path, message).
fn verdicts_of(json: &Value) -> Vec<(String, String, String, String)> {
    json["verdicts"]
        .as_array()
        .expect("verdicts")
        .iter()
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            (
                s("check"),
                s("outcome"),
                v["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                s("message"),
            )
        })
        .collect()
}

#[test]
fn the_shipped_action_and_gitlab_template_pass_vigies_pipeline_checks() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join(".github/workflows")).unwrap();
    // the workflow users copy, calling the action of this repository (followed as a local one)
    let workflow = std::fs::read_to_string(root().join("ci/github-workflow.yml")).unwrap();
    assert!(workflow.contains("OWNER/vigie@COMMIT_SHA"));
    std::fs::write(
        d.path().join(".github/workflows/vigie.yml"),
        workflow.replace("OWNER/vigie@COMMIT_SHA", "./"),
    )
    .unwrap();
    std::fs::copy(root().join("action.yml"), d.path().join("action.yml")).unwrap();
    std::fs::copy(
        root().join("ci/gitlab-ci.yml"),
        d.path().join(".gitlab-ci.yml"),
    )
    .unwrap();
    let (code, out, err) = stdout_of(vigie().arg("scan").arg(d.path()).args(["--format", "json"]));
    assert!(code == 0 || code == 1, "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let sup06: Vec<_> = verdicts_of(&json)
        .into_iter()
        .filter(|v| v.0.starts_with("SUP-06"))
        .collect();
    let failing: Vec<_> = sup06.iter().filter(|v| v.1 == "fail").collect();
    assert!(failing.is_empty(), "{failing:#?}");
    for (check, file) in [
        ("SUP-06.1", ".github/workflows/vigie.yml"),
        ("SUP-06.2", ".github/workflows/vigie.yml"),
        ("SUP-06.2", "action.yml"),
    ] {
        assert!(
            sup06
                .iter()
                .any(|v| v.0 == check && v.1 == "pass" && v.2 == file),
            "no {check} pass in {file}: {sup06:#?}"
        );
    }
    let diags = json["diagnostics"].as_array().unwrap();
    assert!(diags.iter().all(|d| d["code"] != "VG-PARSE"), "{diags:#?}");
    // the GitLab template is read and judged: the same job printing its token fails SUP-06.4
    let template = std::fs::read_to_string(root().join("ci/gitlab-ci.yml")).unwrap();
    let leaking = template.replace("  artifacts:", "    - echo \"$CI_JOB_TOKEN\"\n  artifacts:");
    assert_ne!(leaking, template);
    std::fs::write(d.path().join(".gitlab-ci.yml"), leaking).unwrap();
    let (_, out, _) = stdout_of(vigie().arg("scan").arg(d.path()).args(["--format", "json"]));
    let json: Value = serde_json::from_str(&out).unwrap();
    assert!(
        verdicts_of(&json)
            .iter()
            .any(|v| v.0 == "SUP-06.4" && v.1 == "fail" && v.2 == ".gitlab-ci.yml"),
        "{out}"
    );
}

#[test]
fn vigies_own_dockerfile_passes_vigies_scan() {
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("Dockerfile"), d.path().join("Dockerfile")).unwrap();
    let (code, out, err) = stdout_of(vigie().arg("scan").arg(d.path()).args([
        "--format",
        "json",
        "--fail-on",
        "info",
    ]));
    let json: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let failing: Vec<_> = verdicts_of(&json)
        .into_iter()
        .filter(|v| v.1 == "fail" && v.2 == "Dockerfile")
        .collect();
    assert!(failing.is_empty(), "{failing:#?}");
    let judged = verdicts_of(&json)
        .into_iter()
        .filter(|v| v.2 == "Dockerfile")
        .count();
    assert!(judged >= 5, "the Dockerfile was hardly judged: {out}");
    let _ = code;
}

#[test]
fn attest_refuses_to_overrule_the_failures_of_an_automatic_control() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("compose.yaml"),
        "services:\n  api:\n    image: nginx:1.27\n    user: root\n",
    )
    .unwrap();
    let attest = |control: &str| {
        stdout_of(vigie().args([
            "attest",
            control,
            "--statement",
            "it is fine",
            "--owner",
            "ops@example.org",
            "--expires",
            "2027-06-01",
            "--root",
            d.path().to_str().unwrap(),
        ]))
    };
    let (code, _, err) = attest("CNT-01");
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("never overrules") && err.contains("CNT-01 "),
        "{err}"
    );
    assert!(
        err.contains("compose.yaml:4"),
        "the failure is named with its line: {err}"
    );
    assert!(!d.path().join(".vigie/attestations.toml").exists());
    // a control only a person can vouch for is recorded
    let (code, _, err) = attest("GOV-02");
    assert_eq!(code, 0, "{err}");
}

#[test]
fn an_unknown_check_in_severity_is_a_located_error() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("vigie.toml"),
        "[severity]\n\"CNT-99\" = \"low\"\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("compose.yaml"),
        "services:\n  api:\n    image: nginx:1.27\n",
    )
    .unwrap();
    let (code, out, _) = stdout_of(vigie().arg("scan").arg(d.path()).arg("--no-color"));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("VG-CONFIG") && out.contains("vigie.toml:2:") && out.contains("CNT-99"),
        "{out}"
    );
    assert!(
        out.contains("VG-CONFIG at vigie.toml:2:"),
        "the gate names it: {out}"
    );
}

#[test]
fn explain_knows_what_reports_name() {
    for (id, expect) in [
        ("VG-PARSE", "could not be parsed"),
        ("vg-skipped", "never fails the gate"),
        ("ATTEST", "vigie attest"),
        ("roadmap/2.4", "Checks that decide it"),
        ("anssi-docker/R8", "Controls"),
        ("CNT-02", "Failing example"),
    ] {
        let (code, out, err) = stdout_of(vigie().args(["explain", id]));
        assert_eq!(code, 0, "{id}: {err}");
        assert!(out.contains(expect), "{id}: {out}");
    }
    let (code, _, err) = stdout_of(vigie().args(["explain", "roadmap/99.9"]));
    assert_eq!(code, 2);
    assert!(err.contains("roadmap/99.9"), "{err}");
}

#[test]
fn a_folder_of_files_vigie_does_not_parse_does_not_pass_then_fail() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("README.md"), "# notes\n").unwrap();
    std::fs::write(d.path().join("main.go"), "package main\nfunc main() {}\n").unwrap();
    let consistent = |dir: &Path, want: i32| {
        let (code, out, err) = stdout_of(vigie().arg("scan").arg(dir).arg("--no-color"));
        let said_pass = out.lines().any(|l| l.starts_with("PASS"));
        assert_eq!(code, want, "{out}\n{err}");
        assert_eq!(said_pass, code == 0, "exit {code} after:\n{out}\n{err}");
        out
    };
    consistent(d.path(), 0);
    // files vigie reads, none readable, below the gate's severity: nothing read, exit 2
    let b = tempfile::tempdir().unwrap();
    std::fs::write(b.path().join("Dockerfile"), b"FROM\x00\x01").unwrap();
    let out = consistent(b.path(), 2);
    assert!(out.contains("VG-IO at ."), "the report says why: {out}");
}

#[test]
fn peer_habits_check_skip_soft_fail_quiet_compact() {
    let ex = example("compose-gaps");
    let scan =
        |extra: &[&str]| stdout_of(vigie().arg("scan").arg(&ex).arg("--no-color").args(extra));
    let (code, all, _) = scan(&[]);
    assert_eq!(code, 1);
    assert!(all.contains("[CNT-04"), "{all}");
    let (_, only, _) = scan(&["--check", "CNT-04"]);
    assert!(
        only.contains("[CNT-04") && !only.contains("[CNT-02"),
        "{only}"
    );
    let (_, skipped, _) = scan(&["--skip-check", "CNT-04"]);
    assert!(
        !skipped.contains("[CNT-04") && skipped.contains("[CNT-02"),
        "{skipped}"
    );
    let (code, _, err) = scan(&["--check", "NOPE-1"]);
    assert_eq!(code, 2);
    assert!(err.contains("NOPE-1"), "{err}");
    let (code, soft, _) = scan(&["--soft-fail"]);
    assert_eq!(code, 0);
    assert!(
        soft.contains("FAIL: "),
        "the report still says it fails: {soft}"
    );
    let (_, quiet, _) = scan(&["--quiet"]);
    assert!(
        quiet.len() < all.len() && quiet.contains("FAIL  ") && !quiet.contains("PASS  "),
        "{quiet}"
    );
    let (_, compact, _) = scan(&["--compact"]);
    assert!(compact.lines().count() < all.lines().count(), "{compact}");
    assert!(
        compact
            .lines()
            .filter(|l| l.trim_start().starts_with("FAIL  "))
            .count()
            > 3,
        "{compact}"
    );
}

#[test]
fn a_baseline_fails_only_on_new_failures_and_survives_line_moves() {
    let d = tempfile::tempdir().unwrap();
    let write = |above: &str, extra: bool| {
        let mut s = format!("{above}services:\n  web:\n    image: nginx:1.27\n");
        if extra {
            s.push_str("  db:\n    image: postgres:17\n    privileged: true\n");
        }
        std::fs::write(d.path().join("compose.yaml"), s).unwrap();
    };
    let baseline = d.path().join("vigie-baseline.json");
    let scan = |extra: &[&str]| {
        stdout_of(
            vigie()
                .arg("scan")
                .arg(d.path())
                .arg("--no-color")
                .args(extra),
        )
    };
    write("", false);
    assert_eq!(scan(&[]).0, 1);
    let (code, _, err) = scan(&["--create-baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert!(!b["failures"].as_array().unwrap().is_empty(), "{b}");
    // lines added above: the same failures, accepted
    write("# the web front\n\n", false);
    let (code, out, _) = scan(&["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("accepted in the baseline"), "{out}");
    // a new failure fails, and only it
    write("# the web front\n\n", true);
    let (code, out, _) = scan(&["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("services.db") || out.contains("db"), "{out}");
}
