//! `vigie scan --compare PREVIOUS.json`: a copy of examples/compose-gaps is scanned, then changed
//! (one failure fixed, one introduced, every line moved down) and scanned again against the first
//! report. Every format must show the same new and fixed failures, a failure that only moved must
//! be unchanged, and a previous report vigie cannot read must stop the scan (exit 2).

use crate::common::{copy_dir, example, stdout_of, vigie};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const COMPOSE: &str = "docker-compose.yml";
/// The Docker socket mount of the traefik service: a failure the change fixes.
const SOCKET: &str = "      - /var/run/docker.sock:/var/run/docker.sock:ro\n";
/// The service the change makes privileged: a failure it introduces.
const PROXY: &str = "  proxy:\n    <<: *hardened\n";
const DOCKERFILE: &str = "api/Dockerfile";
/// A secret baked into the API image: the failure of SEC-04 the change fixes.
const ENV_SECRET: &str = "ENV DB_PASSWORD=Sup3rS3cr3tPassw0rd\n";

/// The example before and after the change, and the JSON report of before.
struct Scenario {
    _dir: tempfile::TempDir,
    after: PathBuf,
    previous: PathBuf,
}

fn scenario() -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before");
    copy_dir(&example("compose-gaps"), &before);
    let previous = dir.path().join("previous.json");
    let (code, _, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(&before)
            .args(["--format", "json", "-o"])
            .arg(&previous),
    );
    assert!(code == 0 || code == 1, "{err}");
    let after = dir.path().join("after");
    copy_dir(&before, &after);
    let compose = std::fs::read_to_string(after.join(COMPOSE)).unwrap();
    assert!(compose.contains(SOCKET) && compose.contains(PROXY));
    let changed = format!(
        "# reviewed for the next roadmap update\n{}",
        compose
            .replace(SOCKET, "")
            .replace(PROXY, &format!("{PROXY}    privileged: true\n"))
    );
    std::fs::write(after.join(COMPOSE), changed).unwrap();
    // the only failure of DevSecOps 5.2b: fixing it turns the measure compliant
    let dockerfile = std::fs::read_to_string(after.join(DOCKERFILE)).unwrap();
    assert!(dockerfile.contains(ENV_SECRET));
    std::fs::write(after.join(DOCKERFILE), dockerfile.replace(ENV_SECRET, "")).unwrap();
    Scenario {
        _dir: dir,
        after,
        previous,
    }
}

impl Scenario {
    /// `vigie scan AFTER --compare PREVIOUS --format FORMAT`, its stdout.
    fn compared(&self, format: &str) -> String {
        let (code, out, err) = stdout_of(
            vigie()
                .arg("scan")
                .arg(&self.after)
                .arg("--compare")
                .arg(&self.previous)
                .args(["--format", format, "--no-color"]),
        );
        assert!(code == 0 || code == 1, "exit {code}: {err}");
        out
    }

    fn changes(&self) -> Value {
        let doc: Value = serde_json::from_str(&self.compared("json")).unwrap();
        doc["changes"].clone()
    }
}

fn fingerprints(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

/// A failure's identity without its line or fingerprint.
fn identity(f: &Value) -> (String, String, String, String) {
    let s = |k: &str| f[k].as_str().unwrap().to_string();
    (s("check"), s("subject"), s("path"), s("message"))
}

#[test]
fn json_lists_new_fixed_and_unchanged_failures_and_status_changes() {
    let s = scenario();
    let c = s.changes();
    let new = c["new_failures"].as_array().unwrap();
    let fixed = c["fixed_failures"].as_array().unwrap();
    assert!(
        new.iter()
            .any(|f| f["subject"].as_str().unwrap().contains("proxy")
                && f["message"].as_str().unwrap().contains("privileged")),
        "the privileged proxy is a new failure: {new:#?}"
    );
    assert!(
        fixed
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("docker.sock")),
        "the socket mount is fixed: {fixed:#?}"
    );
    // every line moved one down: a failure that only moved is neither new nor fixed
    let new_ids: BTreeSet<_> = new.iter().map(identity).collect();
    let fixed_ids: BTreeSet<_> = fixed.iter().map(identity).collect();
    assert!(
        new_ids.is_disjoint(&fixed_ids),
        "a moved failure was reported as fixed and new: {:?}",
        new_ids.intersection(&fixed_ids).collect::<Vec<_>>()
    );
    // a failure whose message cites its line moved too (seccomp of the api service)
    let moved = |f: &Value| f["check"] == "CNT-05.1" || f["check"] == "NET-02.1";
    assert!(
        !new.iter().chain(fixed).any(moved),
        "moved failures are unchanged: {c:#}"
    );
    // the privileged proxy fails CNT-06.1 and, holding every capability, CNT-02: nothing else
    let new_checks: BTreeSet<&str> = new.iter().map(|f| f["check"].as_str().unwrap()).collect();
    assert_eq!(
        new_checks,
        BTreeSet::from(["CNT-02", "CNT-06.1"]),
        "only the privileged proxy is new: {new:#?}"
    );
    assert!(
        new.iter()
            .all(|f| f["subject"].as_str().unwrap().contains("proxy")),
        "{new:#?}"
    );
    assert!(c["unchanged_failures"].as_u64().unwrap() > 10, "{c:#}");
    for f in new.iter().chain(fixed) {
        assert_eq!(f["fingerprint"].as_str().unwrap().len(), 64, "{f}");
        assert!(f["line"].is_u64() && f["check"].is_string(), "{f}");
    }
    assert!(
        c["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["framework"] == "devsecops"
                && r["id"] == "5.2b"
                && r["from"] == "non_compliant"
                && r["to"] == "compliant"),
        "DevSecOps 5.2b is now compliant: {:#}",
        c["requirements"]
    );
    assert!(
        !c["controls"].as_array().unwrap().is_empty(),
        "a control changed status"
    );
    assert_eq!(c["not_compared"], serde_json::json!([]));
    assert_eq!(c["previous"]["as_of"], "2026-11-23");
}

#[test]
fn an_unchanged_scan_compares_as_unchanged() {
    let s = scenario();
    let before = s.previous.parent().unwrap().join("before");
    let (code, out, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(&before)
            .arg("--compare")
            .arg(&s.previous)
            .args(["--format", "json"]),
    );
    assert!(code == 0 || code == 1, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let c = &doc["changes"];
    assert_eq!(c["new_failures"], serde_json::json!([]), "{c:#}");
    assert_eq!(c["fixed_failures"], serde_json::json!([]), "{c:#}");
    assert_eq!(c["requirements"], serde_json::json!([]), "{c:#}");
    assert_eq!(c["controls"], serde_json::json!([]), "{c:#}");
    assert!(c["unchanged_failures"].as_u64().unwrap() > 10);
}

#[test]
fn text_and_markdown_show_the_changes() {
    let s = scenario();
    let c = s.changes();
    let measure = &c["requirements"][0];
    let text = s.compared("text");
    assert!(
        text.contains("Changes since the report of 2026-11-23"),
        "{text}"
    );
    assert!(
        text.contains("new failures:") && text.contains("fixed:"),
        "{text}"
    );
    let new_check = c["new_failures"][0]["check"].as_str().unwrap();
    assert!(text.contains(new_check), "{text}");
    assert!(
        text.contains(measure["label"].as_str().unwrap()),
        "the changed measure is listed: {text}"
    );
    let md = s.compared("markdown");
    assert!(md.contains("## Changes since the previous report"), "{md}");
    let changes_at = md.find("## Changes since the previous report").unwrap();
    let first_section = md.find("\n## 1.").unwrap();
    assert!(
        changes_at < first_section,
        "the changes come before the measures"
    );
    assert!(
        md.contains("🔄 *was "),
        "a measure is marked as changed: {md}"
    );
    // each document lists the changes of its own checks: the fixed ENV secret is DevSecOps 5.2b's;
    // the new privileged container (CNT-06.1) is ANSSI's and CIS's, in neither document
    assert!(md.contains("✅ fixed: SEC-04"), "{md}");
    assert!(!md.contains("🆕 new: CNT-06.1"), "{md}");
    let html = s.compared("html");
    assert!(html.contains("<section id=\"changes\">"), "{html}");
    assert!(html.contains("class=\"changed\""), "{html}");
    let junit = s.compared("junit");
    assert!(junit.contains("new since the previous report"), "{junit}");
}

#[test]
fn sarif_marks_results_new_or_unchanged_by_fingerprint() {
    let s = scenario();
    let c = s.changes();
    let sarif: Value = serde_json::from_str(&s.compared("sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let state_of = |state: &str| -> BTreeSet<String> {
        results
            .iter()
            .filter(|r| r["baselineState"] == state)
            .map(|r| {
                r["partialFingerprints"]["vigie/v2"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(state_of("new"), fingerprints(&c["new_failures"]));
    assert_eq!(
        state_of("unchanged").len() as u64,
        c["unchanged_failures"].as_u64().unwrap()
    );
    let fixed = &sarif["runs"][0]["properties"]["comparedWith"]["fixedFailures"];
    assert_eq!(fingerprints(fixed), fingerprints(&c["fixed_failures"]));
}

#[test]
fn compared_sarif_passes_githubs_rules() {
    let s = scenario();
    let file = s.previous.parent().unwrap().join("compared.sarif");
    std::fs::write(&file, s.compared("sarif")).unwrap();
    let errors = crate::ci::multitool_errors(&[file]);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn compared_json_validates_against_the_schema() {
    let s = scenario();
    let doc: Value = serde_json::from_str(&s.compared("json")).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::common::root().join("schemas/vigie-report.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v
        .iter_errors(&doc)
        .map(|e| e.to_string())
        .take(10)
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn reports_of_other_frameworks_compare_what_both_cover() {
    let s = scenario();
    let (code, out, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(&s.after)
            .arg("--compare")
            .arg(&s.previous)
            .args(["--framework", "roadmap", "--format", "json"]),
    );
    assert!(code == 0 || code == 1, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let c = &doc["changes"];
    assert_eq!(c["frameworks"], serde_json::json!(["roadmap"]));
    let not_compared = c["not_compared"].to_string();
    assert!(
        not_compared.contains("devsecops") && not_compared.contains("only in the previous report"),
        "{not_compared}"
    );
    assert!(
        c["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["framework"] == "roadmap"),
        "{c:#}"
    );
}

/// Scanning with a previous report that is not one vigie can compare with: exit 2, and the
/// reason on stderr.
fn refused(previous: &Path) -> String {
    let (code, out, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(example("compose-gaps"))
            .arg("--compare")
            .arg(previous)
            .args(["--format", "json"]),
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "no report is written: {out}");
    err
}

#[test]
fn a_previous_report_vigie_cannot_read_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let err = refused(&dir.path().join("missing.json"));
    assert!(err.contains("missing.json"), "{err}");
    let err = refused(&write("garbage.json", "this is not JSON"));
    assert!(err.contains("not a vigie JSON report"), "{err}");
    let err = refused(&write("sarif.json", r#"{"version": "2.1.0", "runs": []}"#));
    assert!(err.contains("not a vigie JSON report"), "{err}");
    let err = refused(&write(
        "other.json",
        r#"{"schema_version": "1.4", "tool": {"name": "other", "version": "1"}}"#,
    ));
    assert!(err.contains("not of vigie"), "{err}");
    let err = refused(&write(
        "future.json",
        r#"{"schema_version": "2.0", "tool": {"name": "vigie", "version": "9"}}"#,
    ));
    assert!(err.contains("schema version 2.0"), "{err}");
    let err = refused(&write(
        "truncated.json",
        r#"{"schema_version": "1.4", "tool": {"name": "vigie", "version": "0.1.0"}, "root": ".", "as_of": "2026-11-01", "frameworks": [], "verdicts": [{"check": "CNT-01"}], "controls": [], "framework_results": []}"#,
    ));
    assert!(err.contains("missing field"), "{err}");
    let err = refused(dir.path());
    assert!(err.contains("not a regular file"), "{err}");
}

/// A scanned git work tree records the commit it judged, and a comparison names the commit of
/// the previous report: what a team reviewing a roadmap update needs to find both states again.
#[test]
fn reports_record_the_commit_they_judged_and_comparisons_name_it() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    copy_dir(&example("compose-hardened"), &repo);
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
            .args(args)
            .current_dir(&repo)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "first"]);
    let first = git(&["rev-parse", "HEAD"]);
    let previous = dir.path().join("previous.json");
    let (code, _, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(&repo)
            .args(["--format", "json", "-o"])
            .arg(&previous),
    );
    assert!(code == 0 || code == 1, "{err}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&previous).unwrap()).unwrap();
    assert_eq!(report["commit"], first.as_str());
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::common::root().join("schemas/vigie-report.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let errors: Vec<String> = jsonschema::validator_for(&schema)
        .unwrap()
        .iter_errors(&report)
        .map(|e| e.to_string())
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    git(&["commit", "-q", "--allow-empty", "-m", "second"]);
    let (_, text, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(&repo)
            .args(["--no-color", "--compare"])
            .arg(&previous),
    );
    assert!(
        text.contains(&format!("at commit {}", &first[..12])),
        "{text}{err}"
    );
    let second = git(&["rev-parse", "HEAD"]);
    assert!(text.contains(&second[..12]), "{text}");
}
