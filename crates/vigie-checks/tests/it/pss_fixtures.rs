//! The Pod Security Standards checks on the project's own fixtures, in
//! `tests/fixtures/pss/v1.37/{baseline,restricted}/{pass,fail}/`.
//!
//! Each file is judged like an oracle file (no failing verdict of a check of its level when
//! under `pass`, at least one when under `fail`; restricted runs the baseline checks too), and
//! more precisely: a file whose name starts with a check id (`PSS-B02-hostnetwork.yaml`) must
//! fail that very check when under `fail`, and pass it when under `pass`.

use crate::pss_common;
use pss_common::{classify, judge, yaml_files};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use vigie_checks::pss::CHECKS;
use vigie_core::Verdict;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pss/v1.37");

/// The check id a fixture is named after: `PSS-B02-hostnetwork.yaml` → `PSS-B02`.
fn named_check(file: &Path) -> Option<&'static str> {
    let name = file.file_name()?.to_str()?;
    CHECKS.iter().map(|c| c.doc.id).find(|id| {
        name.strip_prefix(id)
            .is_some_and(|rest| rest.starts_with('-'))
    })
}

#[test]
fn pss_checks_agree_with_the_project_fixtures() {
    let root = Path::new(ROOT);
    let mut files = Vec::new();
    yaml_files(root, &mut files);
    assert!(!files.is_empty(), "no fixture below {ROOT}");
    let mut wrong = Vec::new();
    let mut fails_of: BTreeMap<&str, usize> = BTreeMap::new();
    let mut passes_of: BTreeMap<&str, usize> = BTreeMap::new();
    for file in &files {
        let rel = file.strip_prefix(root).unwrap_or(file);
        let name = rel.display().to_string();
        let (Some(level), Some(pass)) = classify(rel) else {
            wrong.push(format!("{name}: no level or expectation in its path"));
            continue;
        };
        let verdicts = match std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|t| judge(&name, &t).map(|(v, _)| v))
        {
            Ok(v) => v,
            Err(e) => {
                wrong.push(format!("{name}: {e}"));
                continue;
            }
        };
        if verdicts.is_empty() {
            wrong.push(format!("{name}: holds no pod"));
            continue;
        }
        for v in &verdicts {
            if v.location.line == 0 || *v.location.path != *name {
                wrong.push(format!("{name}: {} verdict without a line: {v:?}", v.check));
            }
        }
        let failures: Vec<&Verdict> = verdicts
            .iter()
            .filter(|v| v.is_fail() && level.enforces(v.check))
            .collect();
        let failing: BTreeSet<&str> = failures.iter().map(|v| v.check).collect();
        if pass && !failures.is_empty() {
            let why: Vec<String> = failures
                .iter()
                .map(|v| format!("{} {}", v.check, v.message))
                .collect();
            wrong.push(format!(
                "{name}: expected to pass {}, but: {}",
                level.as_str(),
                why.join("; ")
            ));
        }
        if !pass && failures.is_empty() {
            wrong.push(format!(
                "{name}: expected to fail {}, but nothing failed",
                level.as_str()
            ));
        }
        let Some(id) = named_check(rel) else {
            if !pass {
                wrong.push(format!(
                    "{name}: a fail fixture must be named after its check"
                ));
            }
            continue;
        };
        if !level.enforces(id) {
            wrong.push(format!("{name}: {id} is not a {} check", level.as_str()));
        }
        if pass {
            *passes_of.entry(id).or_default() += 1;
            if !verdicts.iter().any(|v| v.check == id && v.is_pass()) {
                wrong.push(format!("{name}: {id} emitted no pass"));
            }
        } else {
            *fails_of.entry(id).or_default() += 1;
            if !failing.contains(id) {
                wrong.push(format!(
                    "{name}: expected {id} to fail, failing: {failing:?}"
                ));
            }
        }
    }
    for c in CHECKS {
        let id = c.doc.id;
        let (f, p) = (
            fails_of.get(id).copied().unwrap_or(0),
            passes_of.get(id).copied().unwrap_or(0),
        );
        if f < 2 || p < 1 {
            wrong.push(format!(
                "{id}: {f} fail and {p} pass fixtures, want at least 2 and 1"
            ));
        }
    }
    println!(
        "PSS fixtures: checked {} files, {} named fail fixtures, {} named pass fixtures",
        files.len(),
        fails_of.values().sum::<usize>(),
        passes_of.values().sum::<usize>()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Where the verdicts point and what they say, on one fixture: one failure per offending
/// field, each located on that field, about the container (its subject, as the container
/// checks name it, so that the roll-up sees one gap when both judge the field).
#[test]
fn failures_point_at_the_offending_fields() {
    let rel = "restricted/fail/PSS-R03-pod-true-container-false.yaml";
    let text = std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap_or_default();
    let verdicts = judge(rel, &text).map(|(v, _)| v).unwrap_or_default();
    let r03: Vec<&Verdict> = verdicts.iter().filter(|v| v.check == "PSS-R03").collect();
    assert_eq!(r03.len(), 1, "{r03:#?}");
    let v = r03[0];
    assert!(v.is_fail());
    assert_eq!(&*v.subject, "Pod/default/api › container api");
    assert_eq!((v.location.line, v.location.column), (14, 7));
    assert!(v.message.contains("container api"), "{}", v.message);
    assert!(v.fix().is_some());
    // Every other check passes this pod once.
    for c in CHECKS.iter().filter(|c| c.doc.id != "PSS-R03") {
        let of: Vec<&Verdict> = verdicts.iter().filter(|v| v.check == c.doc.id).collect();
        assert!(of.len() == 1 && of[0].is_pass(), "{}: {of:#?}", c.doc.id);
    }
}
