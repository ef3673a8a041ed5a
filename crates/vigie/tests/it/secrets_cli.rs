//! `vigie secrets` and `vigie hook install` from the command line.

use assert_cmd::Command;
use std::path::Path;

const KEY: &str = "AKIAZQ3DRSLTWUMN6HGA";

fn vigie() -> Command {
    Command::cargo_bin("vigie").unwrap()
}

fn tree_with_secret() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("config")).unwrap();
    std::fs::write(
        d.path().join("config/app.yml"),
        format!("region: eu-west-3\naws_key: {KEY}\n"),
    )
    .unwrap();
    std::fs::write(d.path().join("other.yml"), format!("key: {KEY}\n")).unwrap();
    std::fs::write(d.path().join("README.md"), "nothing here\n").unwrap();
    d
}

fn git(dir: &Path, args: &[&str]) {
    let st = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
}

#[test]
fn finding_exits_1_and_is_redacted_and_grouped() {
    let d = tree_with_secret();
    let out = vigie().arg("secrets").arg(d.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(!s.contains(KEY), "secret printed in full: {s}");
    assert!(s.contains("AKIA…(20 chars)"), "{s}");
    assert!(s.contains("2 locations"), "{s}");
    assert!(s.contains("config/app.yml:2:10"), "{s}");
    assert!(s.contains("1 secret(s) found"), "{s}");

    let out = vigie()
        .args(["secrets", "--show-secrets"])
        .arg(d.path())
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains(KEY));
}

#[test]
fn clean_tree_exits_0() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.yml"), "password: ${DB_PASSWORD}\n").unwrap();
    vigie().arg("secrets").arg(d.path()).assert().success();
}

#[test]
fn baseline_round_trip() {
    let d = tree_with_secret();
    // Outside the scanned tree: a baseline lists redacted secrets under a `secret` key.
    let bd = tempfile::tempdir().unwrap();
    let b = bd.path().join("baseline.json");
    vigie()
        .args(["secrets", "--write-baseline"])
        .arg(&b)
        .arg(d.path())
        .assert()
        .success();
    let text = std::fs::read_to_string(&b).unwrap();
    assert!(!text.contains(KEY), "baseline holds the secret: {text}");
    vigie()
        .args(["secrets", "--baseline"])
        .arg(&b)
        .arg(d.path())
        .assert()
        .success();
    // A new secret is still reported.
    std::fs::write(
        d.path().join("new.txt"),
        "ghp_R2d9fKq8ZxW3mN7bT1vY5sL0pH4jC6gE8aQx\n",
    )
    .unwrap();
    vigie()
        .args(["secrets", "--baseline"])
        .arg(&b)
        .arg(d.path())
        .assert()
        .code(1);
}

#[test]
fn json_sarif_junit_outputs() {
    let d = tree_with_secret();
    let o = tempfile::tempdir().unwrap();
    let sarif = o.path().join("s.sarif");
    let junit = o.path().join("j.xml");
    let out = vigie()
        .args(["secrets", "--format", "sarif", "--output"])
        .arg(&sarif)
        .args(["--format", "junit", "--output"])
        .arg(&junit)
        .args(["--format", "json"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"][0]["count"], 2);
    assert_eq!(json["findings"][0]["secret"], "AKIA…(20 chars)");
    assert_eq!(json["findings"][0]["control"], "SEC-01");

    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/schemas/sarif-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // the results never hold the secret (the SEC-01 rule's help shows its documented example,
    // which is this test's key)
    assert!(!doc["runs"][0]["results"].to_string().contains(KEY));
    assert_eq!(doc["runs"][0]["results"][0]["ruleId"], "SEC-01");
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(x.contains("<failure") && !x.contains(KEY));
}

#[test]
fn gitleaks_config_with_unsupported_regex_goes_on() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join(".gitleaks.toml"),
        r#"
[[rules]]
id = "lookaround"
regex = '''tok(?=[0-9])'''
[[rules]]
id = "internal-token"
description = "Internal token"
regex = '''\b(itk_[a-z0-9]{20})\b'''
keywords = ["itk_"]
[allowlist]
paths = ['''^vendor/''']
"#,
    )
    .unwrap();
    std::fs::write(d.path().join("a.txt"), "itk_abcdefghij0123456789\n").unwrap();
    std::fs::create_dir_all(d.path().join("vendor")).unwrap();
    std::fs::write(d.path().join("vendor/b.txt"), "itk_zzzzzzzzzz0123456789\n").unwrap();
    std::fs::write(d.path().join("c.txt"), format!("{KEY}\n")).unwrap();
    let out = vigie()
        .args(["secrets", "--format", "json"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    // Only the configuration's rules (no useDefault): the AWS key is not looked for.
    assert_eq!(rules, vec!["internal-token"]);
    let notes = json["notes"].to_string();
    assert!(
        notes.contains("lookaround") && notes.contains("look-around"),
        "{notes}"
    );
}

#[test]
fn gitleaksignore_and_inline_allow() {
    let d = tree_with_secret();
    std::fs::write(
        d.path().join("other.yml"),
        format!("key: {KEY} # gitleaks:allow\n"),
    )
    .unwrap();
    let out = vigie()
        .args(["secrets", "--format", "json"])
        .arg(d.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rule = json["findings"][0]["rule"].as_str().unwrap().to_string();
    std::fs::write(
        d.path().join(".gitleaksignore"),
        format!("config/app.yml:{rule}:2\n"),
    )
    .unwrap();
    vigie().arg("secrets").arg(d.path()).assert().success();
}

#[test]
fn vigie_toml_allowlists() {
    let d = tree_with_secret();
    std::fs::write(
        d.path().join("vigie.toml"),
        "[secrets]\nallow_paths = ['''^(config|other)''']\n",
    )
    .unwrap();
    vigie().arg("secrets").arg(d.path()).assert().success();
}

#[test]
fn staged_and_history_from_the_command_line() {
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["config", "user.email", "a@b.c"]);
    git(d.path(), &["config", "user.name", "A"]);
    std::fs::write(d.path().join("a.yml"), format!("k: {KEY}\n")).unwrap();
    git(d.path(), &["add", "a.yml"]);
    vigie()
        .args(["secrets", "--staged"])
        .arg(d.path())
        .assert()
        .code(1);
    git(d.path(), &["commit", "-q", "-m", "a"]);
    git(d.path(), &["rm", "-q", "a.yml"]);
    git(d.path(), &["commit", "-q", "-m", "rm"]);
    vigie().args(["secrets"]).arg(d.path()).assert().success();
    let out = vigie()
        .args(["secrets", "--history", "--format", "json"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"][0]["present_at_head"], false);
    assert!(json["findings"][0]["locations"][0]["commit"]["id"].is_string());
}

#[test]
fn hook_install_refuses_a_foreign_hook() {
    // `vigie hook install` wants the vigie it installs a call to on PATH
    let bin = Path::new(env!("CARGO_BIN_EXE_vigie")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let vigie = || {
        let mut c = vigie();
        c.env("PATH", &path);
        c
    };
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q"]);
    let hook = d.path().join(".git/hooks/pre-commit");
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    vigie()
        .args(["hook", "install"])
        .arg(d.path())
        .assert()
        .code(2);
    assert!(std::fs::read_to_string(&hook).unwrap().contains("mine"));
    vigie()
        .args(["hook", "install", "--force"])
        .arg(d.path())
        .assert()
        .success();
    let text = std::fs::read_to_string(&hook).unwrap();
    assert!(text.contains("vigie secrets --staged"));
    // Re-installing over vigie's own hook needs no --force.
    vigie()
        .args(["hook", "install"])
        .arg(d.path())
        .assert()
        .success();
}

#[test]
fn baseline_and_gitleaksignore_in_the_tree_are_not_findings() {
    let d = tempfile::tempdir().unwrap();
    // A comment naming a rotated key: found in any other file.
    let listing = format!("# {KEY} was rotated on 2024-05-01\n");
    std::fs::write(d.path().join(".gitleaksignore"), &listing).unwrap();
    std::fs::write(d.path().join("baseline.txt"), &listing).unwrap();
    std::fs::write(d.path().join("README.md"), "nothing here\n").unwrap();
    let out = vigie()
        .args(["secrets", "--no-progress", "--baseline"])
        .arg(d.path().join("baseline.txt"))
        .arg(d.path())
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{s}");
    assert!(s.contains("0 secret(s) found"), "{s}");

    // --write-baseline into the tree: the file written is not a finding of the next scan.
    let written = d.path().join(".vigie-secrets-baseline.json");
    std::fs::write(d.path().join("notes.txt"), &listing).unwrap();
    let out = vigie()
        .args(["secrets", "--no-progress", "--write-baseline"])
        .arg(&written)
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let b = std::fs::read_to_string(&written).unwrap();
    assert!(b.contains("notes.txt"), "{b}");
    assert!(!b.contains(".gitleaksignore"), "{b}");
    // The same lines in an ordinary file are a finding.
    let out = vigie()
        .args(["secrets", "--no-progress", "--baseline"])
        .arg(d.path().join("baseline.txt"))
        .arg(d.path())
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{s}");
    assert!(s.contains("notes.txt:1:3"), "{s}");
    assert!(
        !s.contains("baseline.txt:") && !s.contains(".gitleaksignore:"),
        "{s}"
    );
}

#[test]
fn a_malformed_gitleaks_configuration_fails_closed_everywhere() {
    let d = tree_with_secret();
    git(d.path(), &["init", "-q", "-b", "main"]);
    git(d.path(), &["add", "."]);
    std::fs::write(d.path().join(".gitleaks.toml"), "x [\n").unwrap();
    for staged in [false, true] {
        let mut cmd = vigie();
        cmd.arg("secrets");
        if staged {
            cmd.arg("--staged");
        }
        let out = cmd.arg(d.path()).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "staged {staged}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(".gitleaks.toml:1:"), "{err}");
    }
    // vigie scan: the secret controls do not pass.
    let out = vigie()
        .args(["scan", "--format", "json"])
        .arg(d.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let verdicts = json["verdicts"].as_array().expect("verdicts");
    let sec01: Vec<&serde_json::Value> =
        verdicts.iter().filter(|v| v["check"] == "SEC-01").collect();
    assert!(!sec01.is_empty());
    assert!(sec01.iter().all(|v| v["outcome"] == "fail"), "{sec01:?}");
    assert_ne!(out.status.code(), Some(0));
}

#[test]
fn a_malformed_baseline_is_an_error() {
    let d = tree_with_secret();
    let b = d.path().join("baseline.txt");
    std::fs::write(&b, "x [\n").unwrap();
    let out = vigie()
        .arg("secrets")
        .arg("--baseline")
        .arg(&b)
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
}
