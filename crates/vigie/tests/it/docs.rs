//! docs/ is generated from the checks' own documentation (`vigie docs docs`); this test fails
//! when it is stale.

use crate::common;
use common::*;

#[test]
fn generated_docs_are_up_to_date() {
    let d = tempfile::tempdir().unwrap();
    let (code, _, err) = stdout_of(vigie().arg("docs").arg(d.path()));
    assert_eq!(code, 0, "{err}");
    let committed = root().join("docs");
    let mut stale = Vec::new();
    for sub in ["checks", "frameworks"] {
        for e in std::fs::read_dir(d.path().join(sub)).unwrap() {
            let e = e.unwrap();
            let new = std::fs::read_to_string(e.path()).unwrap();
            let old = std::fs::read_to_string(committed.join(sub).join(e.file_name()))
                .unwrap_or_default();
            if new != old {
                stale.push(format!("{sub}/{}", e.file_name().to_string_lossy()));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/ is stale, run `cargo run -p vigie -- docs docs`: {stale:?}"
    );
}
