//! The promise of the roadmap document, end to end: on a repository like the seeds' platforms
//! (Kubernetes manifests, images and pipelines at the root, the Terraform of the GKE project under
//! `infra/`, a git history), every measure of both seed documents is in the report and decided —
//! from evidence, or by an attestation with an owner — and none is left out.
//!
//! The platform is assembled in a temporary folder from two examples: `k8s-*` at the root and
//! `terraform-gke-*` under `infra/`.

use crate::common;

use common::{copy_dir, example, root, stdout_of, vigie};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write;
    let mut c = Command::new("git");
    c.current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = c.spawn().expect("git runs");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?} failed");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The platform in a git repository of one commit on `main`. A signed commit carries a
/// signature header (SCM-01 counts signatures; it verifies them only when `[scm]` names an
/// allowed-signers file, which these examples do not) and is tagged `v1.4.0`.
fn platform(k8s: &str, terraform: &str, signed: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    copy_dir(&example(k8s), p);
    copy_dir(&example(terraform), &p.join("infra"));
    git(p, &["init", "-q", "-b", "main"], None);
    git(p, &["add", "-A"], None);
    let tree = git(p, &["write-tree"], None);
    let who = "Platform Team <platform@example.org> 1793700000 +0100";
    let mut commit = format!("tree {tree}\nauthor {who}\ncommitter {who}\n");
    if signed {
        commit.push_str(
            "gpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lHAAAAAQ==\n -----END SSH SIGNATURE-----\n",
        );
    }
    commit.push_str("\nThe platform\n");
    let id = git(
        p,
        &["hash-object", "-t", "commit", "-w", "--stdin"],
        Some(&commit),
    );
    git(p, &["update-ref", "refs/heads/main", &id], None);
    if signed {
        git(p, &["tag", "v1.4.0", &id], None);
    }
    dir
}

/// A vulnerability database made from the test advisories, so SUP-03 is assessed.
fn database(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("osv.db");
    let fixtures = root().join("crates/vigie-deps/tests/fixtures/osv");
    let (code, _, err) = stdout_of(
        vigie()
            .args(["db", "import", "--db"])
            .arg(&db)
            .arg(&fixtures),
    );
    assert_eq!(code, 0, "{err}");
    db
}

fn scan(repo: &Path, db: &Path) -> (Value, String) {
    let out = repo.join("report.json");
    let md = repo.join("report.md");
    let (code, _, err) = stdout_of(
        vigie()
            .env("VIGIE_DB", db)
            .arg("scan")
            .arg(repo)
            .args(["--format", "json", "-o"])
            .arg(&out)
            .args(["--format", "markdown", "-o"])
            .arg(&md),
    );
    assert!(code == 0 || code == 1, "scan failed ({code}): {err}");
    let json = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    (json, std::fs::read_to_string(md).unwrap())
}

/// (framework, requirement label, title, status) of every requirement of the two seed documents.
fn seed_requirements(report: &Value) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for fw in report["framework_results"].as_array().unwrap() {
        let id = fw["id"].as_str().unwrap();
        if id != "roadmap" && id != "devsecops" {
            continue;
        }
        for s in fw["sections"].as_array().unwrap() {
            for r in s["requirements"].as_array().unwrap() {
                out.push((
                    id.to_string(),
                    r["label"].as_str().unwrap().to_string(),
                    r["title"].as_str().unwrap().to_string(),
                    r["status"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    out
}

/// Every measure has its checkbox line in the markdown document.
fn every_measure_is_written(markdown: &str, reqs: &[(String, String, String, String)]) {
    for (fw, label, title, _) in reqs {
        // set in bold with its own `*` and `_` escaped
        let bold = title
            .replace('\n', " ")
            .replace('*', "\\*")
            .replace('_', "\\_");
        let line = format!("**{bold}**");
        assert!(
            markdown
                .lines()
                .any(|l| l.trim_start().starts_with("- [") && l.contains(&line)),
            "{fw} {label} `{title}` has no checkbox line in the roadmap document"
        );
    }
}

#[test]
fn the_hardened_platform_meets_every_measure_of_both_seeds() {
    let repo = platform("k8s-hardened", "terraform-gke-hardened", true);
    let db = database(repo.path());
    let (report, markdown) = scan(repo.path(), &db);
    let reqs = seed_requirements(&report);
    // both documents are there, whole: 20 measures of the roadmap, the checklist's 39
    assert_eq!(reqs.iter().filter(|r| r.0 == "roadmap").count(), 20);
    assert!(reqs.iter().filter(|r| r.0 == "devsecops").count() >= 30);
    every_measure_is_written(&markdown, &reqs);
    let open: Vec<String> = reqs
        .iter()
        .filter(|r| r.3 != "compliant")
        .map(|r| format!("{} {} `{}`: {}", r.0, r.1, r.2, r.3))
        .collect();
    assert!(
        open.is_empty(),
        "measures the hardened platform does not meet:\n{}",
        open.join("\n")
    );
    // every box is ticked, none is "not applicable": the platform has everything the seeds name
    assert!(!markdown.contains("- [ ] **"), "{markdown}");
    assert!(!markdown.contains("not applicable: nothing in the repository"));
}

#[test]
fn the_platform_with_gaps_has_every_measure_decided_or_listed_to_do() {
    let repo = platform("k8s-gaps", "terraform-gke-gaps", false);
    let db = database(repo.path());
    let (report, markdown) = scan(repo.path(), &db);
    let reqs = seed_requirements(&report);
    every_measure_is_written(&markdown, &reqs);
    // no measure is left without a decision or a reason
    assert!(
        !markdown.contains("no check in this version of vigie decides it yet"),
        "{markdown}"
    );
    let failing = reqs
        .iter()
        .filter(|r| r.3 == "non_compliant" || r.3 == "partially_compliant")
        .count();
    assert!(
        failing >= reqs.len() / 2,
        "the gaps platform fails most measures: {reqs:#?}"
    );
    // what a person must vouch for is listed with the command that records it
    assert!(markdown.contains("## Attestations to do"));
    assert!(markdown.contains("vigie attest SOV-01"));
}
