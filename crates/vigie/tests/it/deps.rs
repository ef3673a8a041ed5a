//! `vigie db import`, `vigie db status` and `vigie sbom` from the command line.

use crate::common;
use common::*;

fn fixtures() -> std::path::PathBuf {
    root().join("crates/vigie-deps/tests/fixtures")
}

#[test]
fn db_import_then_status() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.db");
    let (code, out, err) = stdout_of(
        vigie()
            .args(["db", "import", "--db"])
            .arg(&db)
            .arg(fixtures().join("osv")),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("10 added"), "{out}");
    assert!(
        out.contains("1 withdrawn") && out.contains("Debian 1") && out.contains("2 malformed"),
        "{out}"
    );
    assert!(err.contains("malformed-not-json.json:2:"), "{err}");
    // VIGIE_DB names the database too.
    let (code, out, err) = stdout_of(vigie().args(["db", "status"]).env("VIGIE_DB", &db));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("advisories  10"), "{out}");
    assert!(out.contains("newest      2024-05-20T00:00:00Z"), "{out}");
    assert!(out.contains("crates.io  2"), "{out}");
}

#[test]
fn db_status_without_a_database_says_how_to_import() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = stdout_of(
        vigie()
            .args(["db", "status", "--db"])
            .arg(dir.path().join("none.db")),
    );
    assert_eq!(code, 2);
    assert!(err.contains("vigie db import"), "{err}");
}

#[test]
fn sbom_is_cyclonedx_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bom.json");
    let (code, _, err) = stdout_of(
        vigie()
            .env("SOURCE_DATE_EPOCH", "1764547200")
            .arg("sbom")
            .arg(fixtures().join("lockfiles"))
            .arg("--output")
            .arg(&out),
    );
    assert_eq!(code, 0, "{err}");
    let bom: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(bom["metadata"]["timestamp"], "2025-12-01T00:00:00Z");
    assert_eq!(bom["metadata"]["component"]["name"], "lockfiles");
    assert!(
        bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["purl"] == "pkg:cargo/smallvec@1.6.0")
    );
    let (code, _, err) = stdout_of(vigie().args(["sbom", ".", "--format", "spdx"]));
    assert_eq!(code, 2);
    assert!(err.contains("cyclonedx-json"), "{err}");
}
