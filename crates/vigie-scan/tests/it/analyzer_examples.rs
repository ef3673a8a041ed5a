//! Every repository-level check's documented examples are true: the failing configuration,
//! written alone into an empty folder at the path its documentation names, fails the check,
//! and the passing one passes it.

use std::path::Path;
use vigie_scan::{ScanOptions, analyzers, scan};

fn scan_example(path: &str, text: &str) -> vigie_core::ScanReport {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(path);
    std::fs::create_dir_all(p.parent().unwrap_or(Path::new("."))).unwrap();
    std::fs::write(&p, text).unwrap();
    let opts = ScanOptions {
        display_root: ".".into(),
        gitignore: Some(false),
        ..ScanOptions::new(dir.path(), time::macros::date!(2026 - 12 - 01))
    };
    scan(&opts).unwrap()
}

#[test]
fn documented_examples_fail_and_pass() {
    // SUP-03's examples are matched against a vulnerability database: one built from the
    // vigie-deps fixture advisories (the only test of this binary, so setting the variable is safe).
    let db_dir = tempfile::tempdir().unwrap();
    let db = db_dir.path().join("osv.db");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vigie-deps/tests/fixtures/osv");
    vigie_deps::store::import(&db, &[fixtures], time::OffsetDateTime::now_utc()).unwrap();
    unsafe { std::env::set_var("VIGIE_DB", &db) };
    let mut problems = Vec::new();
    for a in analyzers() {
        for doc in a.checks() {
            if doc.applies_to.contains(&"git") {
                // judged on the history, which one file cannot carry: these checks are tested
                // on repositories built commit by commit in their own crates
                // (vigie-governance/tests, vigie-pipeline/tests)
                continue;
            }
            let (path, text) = doc.failing;
            let r = scan_example(path, text);
            if !r.verdicts.iter().any(|v| v.check == doc.id && v.is_fail()) {
                problems.push(format!(
                    "{}: the failing example ({path}) does not fail",
                    doc.id
                ));
            }
            let (path, text) = doc.passing;
            let r = scan_example(path, text);
            if !r.verdicts.iter().any(|v| v.check == doc.id && v.is_pass())
                || r.verdicts.iter().any(|v| v.check == doc.id && v.is_fail())
            {
                problems.push(format!(
                    "{}: the passing example ({path}) does not pass",
                    doc.id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
