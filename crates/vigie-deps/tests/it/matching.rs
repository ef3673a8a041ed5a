//! The fixture OSV records imported into a store, and every fixture lockfile matched against it.

use std::path::{Path, PathBuf};
use vigie_core::{Outcome, Severity};
use vigie_deps::lockfile;
use vigie_deps::matcher::match_lockfiles;
use vigie_deps::store::{self, Store};
use vigie_deps::sup03::{self, Settings};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn now() -> time::OffsetDateTime {
    time::macros::datetime!(2026-12-01 06:00 UTC)
}

fn build(dir: &Path) -> PathBuf {
    let db = dir.join("osv.db");
    store::import(&db, &[fixtures().join("osv")], now()).unwrap();
    db
}

/// (package@version, advisory ids, fixed in) of every vulnerable package of one fixture lockfile.
fn vulns(db: &Path, rel: &str) -> Vec<(String, Vec<String>, Option<String>)> {
    let text = std::fs::read_to_string(fixtures().join("lockfiles").join(rel)).unwrap();
    let lf = lockfile::parse(rel, &text).unwrap();
    let st = Store::open(db).unwrap();
    let r = match_lockfiles(&st, std::slice::from_ref(&lf)).unwrap();
    let mut out: Vec<_> = r
        .vulnerable
        .iter()
        .map(|v| {
            let p = &lf.packages[v.package];
            (
                format!("{}@{}", p.name, p.version),
                v.advisories.iter().map(|a| a.id.clone()).collect(),
                v.fixed_in(lf.ecosystem),
            )
        })
        .collect();
    out.sort();
    out
}

fn s(x: &str) -> String {
    x.to_string()
}

#[test]
fn import_counts_what_it_keeps_and_skips() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.db");
    let r = store::import(&db, &[fixtures().join("osv")], now()).unwrap();
    assert_eq!(r.read, 14);
    assert_eq!(
        (r.added, r.withdrawn, r.malformed, r.git_ranges),
        (10, 1, 2, 2)
    );
    assert_eq!(r.unknown_ecosystems.get("Debian"), Some(&1));
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("malformed-not-json.json:2:")),
        "{:?}",
        r.problems
    );
    let st = Store::open(&db).unwrap();
    let m = st.meta();
    assert_eq!(m.advisories, 10);
    assert_eq!(m.newest_modified, "2024-05-20T00:00:00Z");
    assert_eq!(m.imported, "2026-12-01T06:00:00Z");
    assert_eq!(m.ecosystems.get("npm"), Some(&4));
    assert_eq!(m.ecosystems.get("PyPI"), Some(&2));
    assert_eq!(store::age_days(m, now() + time::Duration::days(9)), Some(9));
    // Lookups normalise names as the ecosystem does.
    assert_eq!(
        st.lookup(vigie_deps::Ecosystem::PyPI, "DJANGO")
            .unwrap()
            .len(),
        1
    );
    assert!(
        st.lookup(vigie_deps::Ecosystem::Npm, "express")
            .unwrap()
            .is_empty(),
        "withdrawn"
    );
}

#[test]
fn every_lockfile_format_is_matched() {
    let dir = tempfile::tempdir().unwrap();
    let db = build(dir.path());
    let lodash = || s("GHSA-35jh-r3h4-6jhm");
    for rel in ["npm-v3/package-lock.json", "npm-v2/package-lock.json"] {
        assert_eq!(
            vulns(&db, rel),
            [
                (s("lodash@4.17.20"), vec![lodash()], Some(s("4.17.21"))),
                (s("qs@6.5.0"), vec![s("GHSA-qs00-0000-0001")], None),
            ],
            "{rel}: versions lists match; the withdrawn express advisory does not"
        );
    }
    assert_eq!(
        vulns(&db, "npm-v1/package-lock.json"),
        [
            (s("minimist@1.2.0"), vec![s("GHSA-xvch-5gv4-984h")], None),
            (s("minimist@1.2.5"), vec![s("GHSA-xvch-5gv4-984h")], None),
        ],
        "last_affected includes its version"
    );
    assert_eq!(
        vulns(&db, "yarn-v1/yarn.lock"),
        [(s("lodash@4.17.19"), vec![lodash()], Some(s("4.17.21")))],
        "GIT-only ranges never match chalk"
    );
    assert_eq!(vulns(&db, "yarn-berry/yarn.lock").len(), 2);
    assert_eq!(
        vulns(&db, "pnpm-v6/pnpm-lock.yaml"),
        [(s("lodash@4.17.20"), vec![lodash()], Some(s("4.17.21")))]
    );
    assert!(vulns(&db, "pnpm-v9/pnpm-lock.yaml").is_empty());
    assert_eq!(
        vulns(&db, "cargo/Cargo.lock"),
        [
            (
                s("smallvec@0.6.13"),
                vec![s("RUSTSEC-2021-0003")],
                Some(s("0.6.14"))
            ),
            (
                s("smallvec@1.6.0"),
                vec![s("RUSTSEC-2021-0003")],
                Some(s("1.6.1"))
            ),
            (s("time@0.1.45"), vec![s("RUSTSEC-2020-0071")], None),
        ],
        "two intervals of one range; a limit bounds a branch"
    );
    assert_eq!(
        vulns(&db, "poetry/poetry.lock"),
        [(
            s("django@4.2.0"),
            vec![s("PYSEC-2023-100")],
            Some(s("4.2.1"))
        )]
    );
    assert_eq!(
        vulns(&db, "pip/requirements.txt"),
        [(
            s("Jinja2@2.10.1"),
            vec![s("GHSA-multi-0000-0001")],
            Some(s("2.11.3"))
        )],
        "the second affected entry of the advisory matches"
    );
    assert_eq!(
        vulns(&db, "go/go.sum"),
        [
            (
                s("github.com/docker/docker@v20.10.0+incompatible"),
                vec![s("GO-2022-0390")],
                Some(s("20.10.11+incompatible"))
            ),
            (
                s("golang.org/x/net@v0.0.0-20220225172249-27dd8689420f"),
                vec![s("GO-2023-2102")],
                Some(s("0.17.0"))
            ),
        ]
    );
}

#[test]
fn reimport_replaces_older_copies_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = build(dir.path());
    let r = store::import(&db, &[fixtures().join("osv")], now()).unwrap();
    assert_eq!((r.added, r.replaced, r.unchanged, r.total), (0, 0, 10, 10));
    let newer = dir.path().join("newer.json");
    let mut rec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("osv/GHSA-35jh-r3h4-6jhm.json")).unwrap(),
    )
    .unwrap();
    rec["modified"] = "2025-01-01T00:00:00Z".into();
    rec["affected"][0]["ranges"][0]["events"][1]["fixed"] = "4.17.20".into();
    std::fs::write(&newer, rec.to_string()).unwrap();
    let r = store::import(&db, std::slice::from_ref(&newer), now()).unwrap();
    assert_eq!((r.replaced, r.total), (1, 10));
    assert!(
        vulns(&db, "pnpm-v6/pnpm-lock.yaml").is_empty(),
        "the newer copy says 4.17.20 is fixed"
    );
    // An older copy does not win.
    rec["modified"] = "2020-01-01T00:00:00Z".into();
    rec["affected"][0]["ranges"][0]["events"][1]["fixed"] = "9.0.0".into();
    std::fs::write(&newer, rec.to_string()).unwrap();
    let r = store::import(&db, &[newer], now()).unwrap();
    assert_eq!((r.replaced, r.unchanged), (0, 1));
    assert!(vulns(&db, "pnpm-v6/pnpm-lock.yaml").is_empty());
}

#[test]
fn zip_exports_are_read() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let zpath = dir.path().join("all.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zpath).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for name in ["GHSA-35jh-r3h4-6jhm", "RUSTSEC-2021-0003", "withdrawn"] {
        z.start_file(format!("{name}.json"), opts).unwrap();
        z.write_all(&std::fs::read(fixtures().join(format!("osv/{name}.json"))).unwrap())
            .unwrap();
    }
    z.start_file("broken.json", opts).unwrap();
    z.write_all(b"{\"id\": 1").unwrap();
    z.finish().unwrap();
    let db = dir.path().join("sub/osv.db");
    let r = store::import(&db, &[zpath], now()).unwrap();
    assert_eq!((r.added, r.withdrawn, r.malformed), (2, 1, 1));
    assert!(
        r.problems[0].contains("all.zip!broken.json:1:"),
        "{:?}",
        r.problems
    );
    assert_eq!(vulns(&db, "cargo/Cargo.lock").len(), 2);
}

#[test]
fn missing_and_corrupt_databases_say_how_to_import() {
    let dir = tempfile::tempdir().unwrap();
    let e = Store::open(&dir.path().join("none.db")).err().unwrap();
    assert!(e.contains("vigie db import"), "{e}");
    let bad = dir.path().join("bad.db");
    std::fs::write(&bad, b"VIGIEOSV\x01\x00\x00\x00garbage").unwrap();
    let e = Store::open(&bad).err().unwrap();
    assert!(
        e.contains("damaged") && e.contains("vigie db import"),
        "{e}"
    );
    // The recovery the message suggests works: importing over a damaged database replaces it,
    // and the report says so.
    let r = store::import(&bad, &[fixtures().join("osv")], now()).unwrap();
    assert!(
        r.damaged.as_deref().is_some_and(|d| d.contains("damaged")),
        "{r:?}"
    );
    assert!(Store::open(&bad).is_ok());
    // A failed import (an input that cannot be read) leaves the database as it was.
    let before = std::fs::read(&bad).unwrap();
    assert!(store::import(&bad, &[dir.path().join("missing.json")], now()).is_err());
    assert_eq!(std::fs::read(&bad).unwrap(), before);
}

fn lockfiles(rels: &[&str]) -> Vec<lockfile::Lockfile> {
    rels.iter()
        .map(|rel| {
            let text = std::fs::read_to_string(fixtures().join("lockfiles").join(rel)).unwrap();
            lockfile::parse(rel, &text).unwrap()
        })
        .collect()
}

#[test]
fn sup03_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let db = build(dir.path());
    let settings = Settings {
        path: Some(db.clone()),
        max_age_days: 7,
    };
    let lfs = lockfiles(&[
        "npm-v3/package-lock.json",
        "pnpm-v9/pnpm-lock.yaml",
        "pip/requirements.txt",
    ]);
    let a = sup03::assess(&lfs, &settings, now());
    let fails: Vec<_> = a
        .verdicts
        .iter()
        .filter(|v| v.outcome == Outcome::Fail)
        .collect();
    assert_eq!(fails.len(), 3);
    let lodash = fails.iter().find(|v| v.subject.contains("lodash")).unwrap();
    assert_eq!(
        &*lodash.subject,
        "npm-v3/package-lock.json › lodash@4.17.20"
    );
    assert_eq!(
        lodash.location.line,
        lfs[0]
            .packages
            .iter()
            .find(|p| p.name == "lodash")
            .unwrap()
            .line
    );
    assert_eq!(lodash.severity, Severity::High, "CVSS 3.1 base score 7.2");
    assert!(
        lodash
            .message
            .contains("GHSA-35jh-r3h4-6jhm (CVE-2021-23337, high 7.2)"),
        "{}",
        lodash.message
    );
    assert!(
        lodash.message.contains("fixed in 4.17.21"),
        "{}",
        lodash.message
    );
    assert_eq!(
        lodash.fix(),
        Some("upgrade lodash to 4.17.21 or later and refresh npm-v3/package-lock.json")
    );
    let qs = fails.iter().find(|v| v.subject.contains("qs@")).unwrap();
    assert_eq!(qs.severity, Severity::Medium, "database_specific MODERATE");
    let jinja = fails.iter().find(|v| v.subject.contains("Jinja2")).unwrap();
    assert_eq!(jinja.severity, Severity::High, "CVSS 3.0 S:C/C:H = 8.6");
    let passes: Vec<_> = a
        .verdicts
        .iter()
        .filter(|v| v.outcome == Outcome::Pass)
        .collect();
    assert_eq!(passes.len(), 1);
    assert_eq!(&*passes[0].subject, "pnpm-v9/pnpm-lock.yaml");
    assert!(
        passes[0].message.contains("imported 2026-12-01"),
        "{}",
        passes[0].message
    );
    assert_eq!(a.rows.len(), 3);
    assert!(
        a.diagnostics
            .iter()
            .any(|d| d.message.contains("not pinned") && d.message.contains("flask (>=2.0)"))
    );
    assert!(
        !a.diagnostics.iter().any(|d| d.message.contains("imported")),
        "fresh database"
    );

    // Stale database: warned.
    let a = sup03::assess(&lfs, &settings, now() + time::Duration::days(30));
    assert!(
        a.diagnostics
            .iter()
            .any(|d| d.message.contains("imported 30 days ago")),
        "{:?}",
        a.diagnostics
    );
    let a = sup03::assess(
        &lfs,
        &Settings {
            path: Some(db),
            max_age_days: 60,
        },
        now() + time::Duration::days(30),
    );
    assert!(!a.diagnostics.iter().any(|d| d.message.contains("days ago")));

    // No database: not assessed, never passed.
    let a = sup03::assess(
        &lfs,
        &Settings {
            path: Some(dir.path().join("missing.db")),
            max_age_days: 7,
        },
        now(),
    );
    assert!(a.verdicts.is_empty());
    assert!(a.diagnostics.iter().any(
        |d| d.message.contains("SUP-03 not assessed") && d.message.contains("vigie db import")
    ));
    // No lockfile: nothing to say.
    let a = sup03::assess(&[], &settings, now());
    assert!(a.verdicts.is_empty() && a.diagnostics.is_empty());
}

#[test]
fn check_doc_examples_hold_against_the_fixture_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = build(dir.path());
    let settings = Settings {
        path: Some(db),
        max_age_days: 7,
    };
    let doc = &sup03::DOC;
    let fail = lockfile::parse(doc.failing.0, doc.failing.1).unwrap();
    let a = sup03::assess(&[fail], &settings, now());
    assert!(
        a.verdicts.iter().any(|v| v.outcome == Outcome::Fail),
        "{:?}",
        a.verdicts
    );
    let pass = lockfile::parse(doc.passing.0, doc.passing.1).unwrap();
    let a = sup03::assess(&[pass], &settings, now());
    assert!(
        !a.verdicts.is_empty() && a.verdicts.iter().all(|v| v.outcome == Outcome::Pass),
        "{:?}",
        a.verdicts
    );
}

/// No database set up is a note about the run (info), like "not a git repository"; a database
/// file that is there but cannot be read is a fault to fix (medium). Both leave SUP-03 not
/// assessed, with the reason.
#[test]
fn a_missing_database_is_a_note_and_a_broken_one_a_fault() {
    let dir = tempfile::tempdir().unwrap();
    let lfs = lockfiles(&["npm-v3/package-lock.json"]);
    let not_assessed = |path: std::path::PathBuf| {
        let a = sup03::assess(
            &lfs,
            &Settings {
                path: Some(path),
                max_age_days: 7,
            },
            now(),
        );
        assert!(a.unassessed.is_some());
        let d: Vec<_> = a
            .diagnostics
            .iter()
            .filter(|d| d.message.starts_with("SUP-03 not assessed"))
            .collect();
        assert_eq!(d.len(), 1, "{:?}", a.diagnostics);
        d[0].severity
    };
    assert_eq!(not_assessed(dir.path().join("none/osv.db")), Severity::Info);
    let broken = dir.path().join("broken.db");
    std::fs::write(&broken, b"not a database").unwrap();
    assert_eq!(not_assessed(broken), Severity::Medium);
}
