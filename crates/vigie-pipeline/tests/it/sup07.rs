//! SUP-07 on a temporary git repository made with git commands.

use crate::common;
use common::*;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .args([
            "-c",
            "user.name=vigie",
            "-c",
            "user.email=vigie@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        st.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&st.stderr)
    );
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const SCHEMA: &str = "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\nmodel User {\n  id Int @id\n}\n";

#[test]
fn schema_changes_need_a_new_migration_in_the_range() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    git(d, &["init", "-q"]);
    write(d, "app/prisma/schema.prisma", SCHEMA);
    write(
        d,
        "app/prisma/migrations/20250101000000_init/migration.sql",
        "CREATE TABLE \"User\" (id int);\n",
    );
    write(d, "README.md", "x\n");
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "init"]);
    git(d, &["tag", "base"]);

    // a change to the schema alone
    write(
        d,
        "app/prisma/schema.prisma",
        &SCHEMA.replace("id Int @id", "id Int @id\n  email String"),
    );
    write(d, "README.md", "y\n");
    git(d, &["commit", "-qam", "add email"]);
    let out = scan_files(d, &files_of(d), Some("base"));
    let v: Vec<_> = of(&out.verdicts, "SUP-07")
        .into_iter()
        .filter(|v| v.subject.contains(".."))
        .collect();
    assert_eq!(v.len(), 1, "{}", show(&out.verdicts));
    assert!(v[0].is_fail());
    assert!(
        v[0].message.contains("app/prisma/schema.prisma") && v[0].message.contains(".."),
        "{}",
        v[0].message
    );
    assert!(
        v[0].message.contains("app/prisma/migrations"),
        "{}",
        v[0].message
    );
    // the static half still sees a migrations folder
    assert!(
        of(&out.verdicts, "SUP-07")
            .iter()
            .any(|v| v.is_pass() && !v.subject.contains(".."))
    );

    // the migration arrives in a later commit of the same range
    write(
        d,
        "app/prisma/migrations/20250102000000_email/migration.sql",
        "ALTER TABLE \"User\" ADD email text;\n",
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "migration"]);
    let out = scan_files(d, &files_of(d), Some("base"));
    let v: Vec<_> = of(&out.verdicts, "SUP-07")
        .into_iter()
        .filter(|v| v.subject.contains(".."))
        .collect();
    assert_eq!(v.len(), 1);
    assert!(v[0].is_pass(), "{}", show(&out.verdicts));
    assert!(
        v[0].message.contains("20250102000000_email"),
        "{}",
        v[0].message
    );

    // a range without schema changes says nothing
    let out = scan_files(d, &files_of(d), Some("HEAD"));
    assert!(
        of(&out.verdicts, "SUP-07")
            .iter()
            .all(|v| !v.subject.contains(".."))
    );

    // scanning a subfolder: paths are relative to it
    let sub = d.join("app");
    let out = scan_files(&sub, &files_of(&sub), Some("base~0"));
    let v: Vec<_> = of(&out.verdicts, "SUP-07")
        .into_iter()
        .filter(|v| v.subject.contains(".."))
        .collect();
    assert_eq!(v.len(), 1, "{}", show(&out.verdicts));
    assert!(
        v[0].subject.starts_with("prisma/schema.prisma"),
        "{}",
        v[0].subject
    );
}

#[test]
fn an_unknown_revision_is_a_diagnostic() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    git(d, &["init", "-q"]);
    write(d, "prisma/schema.prisma", SCHEMA);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "init"]);
    let out = scan_files(d, &files_of(d), Some("no-such-rev"));
    assert_eq!(out.diagnostics.len(), 1);
    assert!(
        out.diagnostics[0].message.contains("no-such-rev"),
        "{:?}",
        out.diagnostics
    );
    // and the static half: no migrations folder
    let v = of(&out.verdicts, "SUP-07");
    assert!(
        v[0].is_fail() && v[0].message.contains("no migration"),
        "{}",
        show(&out.verdicts)
    );
}

#[test]
fn not_a_repository_is_a_diagnostic() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "prisma/schema.prisma", SCHEMA);
    let out = scan_files(tmp.path(), &files_of(tmp.path()), Some("HEAD~1"));
    assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
}
