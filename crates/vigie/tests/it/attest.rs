//! `vigie attest` writes an attestation that the next scan counts.

use assert_cmd::Command;

fn vigie() -> Command {
    let mut c = Command::cargo_bin("vigie").unwrap();
    c.env("VIGIE_TODAY", "2026-12-01").env("NO_COLOR", "1");
    c
}

/// The JSON report of a scan of `dir`.
fn scan_json(dir: &std::path::Path) -> serde_json::Value {
    let out = vigie()
        .args(["scan", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn attest_creates_the_file_then_appends() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    vigie()
        .args([
            "attest",
            "gov-02",
            "--statement",
            "Restores are tested monthly",
            "--owner",
            "ops@example.org",
            "--expires",
            "2027-03-01",
            "--evidence",
            "https://wiki.example.org/restore",
            "--root",
            root,
        ])
        .assert()
        .success();
    let path = dir.path().join(".vigie/attestations.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("control = \"GOV-02\""), "{text}");
    assert!(text.contains("date = 2026-12-01"), "{text}");
    assert!(text.contains("expires = 2027-03-01"), "{text}");
    vigie()
        .args([
            "attest",
            "SCM-03",
            "--statement",
            "main is \"protected\"",
            "--owner",
            "lead@example.org",
            "--expires",
            "2027-12-01",
            "--root",
            root,
        ])
        .assert()
        .success();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches("[[attestation]]").count(), 2);
    assert!(
        text.contains("statement = 'main is \"protected\"'")
            || text.contains("main is \\\"protected\\\""),
        "{text}"
    );
}

#[test]
fn attest_rejects_bad_input_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    for args in [
        vec![
            "attest",
            "NOPE-1",
            "--statement",
            "s",
            "--owner",
            "o",
            "--expires",
            "2027-01-01",
        ],
        vec![
            "attest",
            "GOV-02",
            "--statement",
            "s",
            "--owner",
            "o",
            "--expires",
            "soon",
        ],
        vec![
            "attest",
            "GOV-02",
            "--statement",
            "s",
            "--owner",
            "o",
            "--expires",
            "2026-01-01",
        ],
        vec![
            "attest",
            "GOV-02",
            "--statement",
            " ",
            "--owner",
            "o",
            "--expires",
            "2027-01-01",
        ],
    ] {
        let mut a = args.clone();
        a.extend(["--root", root]);
        vigie().args(&a).assert().failure();
    }
    assert!(!dir.path().join(".vigie/attestations.toml").exists());
}

/// An attestation written by hand for a control whose checks decide it and find it failing is
/// not counted: the report never shows the control attested beside its failures, and says why
/// at the entry. The same attestation on a control with no failure counts.
#[test]
fn a_hand_written_attestation_never_overrules_failing_checks() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_dir(&crate::common::example("compose-gaps"), dir.path());
    std::fs::create_dir_all(dir.path().join(".vigie")).unwrap();
    let entry = |control: &str| {
        format!(
            "[[attestation]]\ncontrol = \"{control}\"\nstatement = \"checked by hand\"\nowner = \"ops@example.org\"\ndate = 2026-11-01\nexpires = 2027-11-01\n"
        )
    };
    std::fs::write(
        dir.path().join(".vigie/attestations.toml"),
        entry("CNT-01") + "\n" + &entry("GOV-02"),
    )
    .unwrap();
    let report = scan_json(dir.path());
    let attested: Vec<&str> = report["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["outcome"] == "attested")
        .filter_map(|v| v["subject"].as_str())
        .collect();
    assert_eq!(attested, ["GOV-02"], "{attested:?}");
    let refused = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["message"]
                .as_str()
                .unwrap_or("")
                .contains("attestation of CNT-01")
        })
        .expect("a diagnostic at the refused entry");
    assert_eq!(refused["location"]["path"], ".vigie/attestations.toml");
    assert_eq!(refused["location"]["line"], 1);
    let md = vigie()
        .args(["scan", "--format", "markdown"])
        .arg(dir.path())
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&md.stdout);
    let line = md
        .lines()
        .find(|l| l.contains("**Non-Root Containers**"))
        .unwrap();
    assert!(!line.contains("attested"), "{line}");
}

/// A control whose checks fail here but which also evidences a requirement no check decides
/// (CNT-04: tmpfs for scratch, ANSSI R13) can be attested: the attestation counts for that
/// requirement alone, and the measures its checks decide keep their failures, unmarked.
#[test]
fn an_attestation_vouches_only_for_what_no_check_decided() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_dir(&crate::common::example("k8s-gaps"), dir.path());
    vigie()
        .args([
            "attest",
            "CNT-04",
            "--statement",
            "scratch directories are memory-backed emptyDir volumes",
            "--owner",
            "ops@example.org",
            "--expires",
            "2027-06-01",
            "--root",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let report = scan_json(dir.path());
    let mut seen = Vec::new();
    for f in report["framework_results"].as_array().unwrap() {
        for s in f["sections"].as_array().unwrap() {
            for r in s["requirements"].as_array().unwrap() {
                if r["controls"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c == "CNT-04")
                {
                    seen.push((
                        format!(
                            "{} {}",
                            f["id"].as_str().unwrap(),
                            r["id"].as_str().unwrap()
                        ),
                        r["status"].as_str().unwrap().to_string(),
                        r["attestation"].as_str().unwrap_or("").to_string(),
                    ));
                }
            }
        }
    }
    let r13 = seen
        .iter()
        .find(|(id, ..)| id == "anssi-docker R13")
        .unwrap();
    assert_eq!((r13.1.as_str(), r13.2.as_str()), ("compliant", "attested"));
    let decided: Vec<_> = seen
        .iter()
        .filter(|(id, ..)| id != "anssi-docker R13")
        .collect();
    assert!(!decided.is_empty());
    assert!(
        decided
            .iter()
            .all(|(_, st, att)| st == "partially_compliant" && att.is_empty()),
        "{decided:?}"
    );
}
