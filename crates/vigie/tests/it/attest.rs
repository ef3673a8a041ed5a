//! `vigie attest` writes an attestation that the next scan counts.

use assert_cmd::Command;

fn vigie() -> Command {
    let mut c = Command::cargo_bin("vigie").unwrap();
    c.env("VIGIE_TODAY", "2026-12-01").env("NO_COLOR", "1");
    c
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
