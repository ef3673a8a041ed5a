//! The catalogue and the checks of this build agree: every check a control names exists
//! (per-file or from a repository-level analysis), every check is named by a control, and no
//! two checks share an id.

use std::collections::BTreeSet;
use vigie_core::catalog::Catalog;

#[test]
fn catalogue_and_build_name_the_same_checks() {
    let cat = Catalog::embedded();
    let mut ids: Vec<&str> = vigie_checks::registry().iter().map(|c| c.doc.id).collect();
    for a in vigie_scan::analyzers() {
        ids.extend(a.checks().iter().map(|d| d.id));
    }
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        ids.len(),
        n,
        "check ids are unique across checks and analyses"
    );
    let built: BTreeSet<&str> = vigie_scan::all_checks().iter().map(|d| d.id).collect();
    assert_eq!(built, ids.iter().copied().collect());
    let named: BTreeSet<&str> = cat
        .controls
        .iter()
        .flat_map(|c| c.checks.iter().map(String::as_str))
        .collect();
    let unbuilt: Vec<_> = named.difference(&built).collect();
    let unnamed: Vec<_> = built.difference(&named).collect();
    assert!(
        unbuilt.is_empty(),
        "named by a control but not implemented: {unbuilt:?}"
    );
    assert!(
        unnamed.is_empty(),
        "implemented but no control names them: {unnamed:?}"
    );
}
