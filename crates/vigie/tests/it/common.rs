#![allow(dead_code)]
//! Shared helpers for the command-line tests.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn example(name: &str) -> PathBuf {
    root().join("examples").join(name)
}

/// `vigie` with a fixed date, so waivers and reports do not change with the calendar.
pub fn vigie() -> Command {
    let mut c = Command::cargo_bin("vigie").expect("the vigie binary is built");
    c.env("VIGIE_TODAY", "2026-11-23").env_remove("NO_COLOR");
    // No vulnerability database unless a test gives one: reports do not depend on the machine.
    c.env("VIGIE_DB", "/nonexistent/vigie/osv.db");
    c
}

pub fn stdout_of(c: &mut Command) -> (i32, String, String) {
    let o = c.output().expect("vigie runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Copy the folder `from` to `to`, recursively (a scratch copy of an example to edit).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}
