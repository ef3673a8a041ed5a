//! The Pod Security Standards checks against an oracle set: manifests whose verdict under the
//! upstream admission controller is known.
//!
//! The set is read from `$VIGIE_PSS_ORACLES` when set, else from `shared/oracles/pss/v1.37`
//! beside the project. Every YAML file below it is judged at the level named by a path
//! component `baseline` or `restricted` (restricted runs the baseline checks too), and must
//! pass when a path component is `pass`, fail when it is `fail`: no failing verdict of a check
//! of that level, or at least one. When the folder does not exist the test says so and passes.

use crate::pss_common;
use pss_common::{classify, judge, yaml_files};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use vigie_core::Verdict;

const DEFAULT_ROOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/oracles/pss/v1.37"
);

/// The vigie check answering each rule of the upstream admission controller, by the rule
/// name the upstream fixtures are named after (lowercased), so a fail file named after a rule
/// (`sysctls0.yaml`) must fail that rule and not merely some rule.
const UPSTREAM_RULES: [(&str, &str); 19] = [
    ("windowshostprocess", "PSS-B01"),
    ("hostnamespaces", "PSS-B02"),
    ("privileged", "PSS-B03"),
    ("capabilities_baseline", "PSS-B04"),
    ("hostpathvolumes", "PSS-B05"),
    ("hostports", "PSS-B06"),
    ("apparmorprofile", "PSS-B07"),
    ("selinuxoptions", "PSS-B08"),
    ("procmount", "PSS-B09"),
    ("seccompprofile_baseline", "PSS-B10"),
    ("sysctls", "PSS-B11"),
    ("hostprobesandhostlifecycle", "PSS-B12"),
    ("restrictedvolumes", "PSS-R01"),
    ("allowprivilegeescalation", "PSS-R02"),
    ("runasnonroot", "PSS-R03"),
    ("runasuser", "PSS-R04"),
    ("seccompprofile_restricted", "PSS-R05"),
    ("capabilities_restricted", "PSS-R06"),
    ("procmount_restricted", "PSS-R07"),
];

/// The vigie check a file named after an upstream rule must fail.
fn named_rule(file: &Path) -> Option<&'static str> {
    let stem = file.file_stem()?.to_str()?.to_ascii_lowercase();
    let rule = stem.trim_end_matches(|c: char| c.is_ascii_digit());
    UPSTREAM_RULES
        .iter()
        .find(|(name, _)| *name == rule)
        .map(|(_, id)| *id)
}

#[test]
fn pss_checks_agree_with_the_oracle_set() {
    let root = match std::env::var_os("VIGIE_PSS_ORACLES") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(DEFAULT_ROOT),
    };
    if !root.is_dir() {
        println!(
            "PSS oracle set absent: no folder at {} (set VIGIE_PSS_ORACLES to validate against one); nothing checked",
            root.display()
        );
        return;
    }
    let mut files = Vec::new();
    yaml_files(&root, &mut files);
    let mut counts = std::collections::BTreeMap::<(&str, &str), usize>::new();
    let mut skipped = Vec::new();
    let mut podless = 0usize;
    let mut wrong = Vec::new();
    let mut named = 0usize;
    for file in &files {
        let rel = file.strip_prefix(&root).unwrap_or(file);
        let (Some(level), Some(pass)) = classify(rel) else {
            skipped.push(rel.display().to_string());
            continue;
        };
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                wrong.push(format!("{}: unreadable: {e}", rel.display()));
                continue;
            }
        };
        let (verdicts, pods) = match judge(&rel.display().to_string(), &text) {
            Ok(v) => v,
            Err(e) => {
                wrong.push(format!("{}: {e}", rel.display()));
                continue;
            }
        };
        if pods == 0 {
            podless += 1;
        }
        *counts
            .entry((level.as_str(), if pass { "pass" } else { "fail" }))
            .or_default() += 1;
        let failures: Vec<&Verdict> = verdicts
            .iter()
            .filter(|v| v.is_fail() && level.enforces(v.check))
            .collect();
        if pass && !failures.is_empty() {
            let why: Vec<String> = failures
                .iter()
                .map(|v| format!("{} {}", v.check, v.message))
                .collect();
            wrong.push(format!(
                "{}: expected to pass {}, but: {}",
                rel.display(),
                level.as_str(),
                why.join("; ")
            ));
        } else if !pass && failures.is_empty() {
            wrong.push(format!(
                "{}: expected to fail {}, but no {} check failed ({pods} pod(s))",
                rel.display(),
                level.as_str(),
                level.as_str()
            ));
        } else if !pass && let Some(id) = named_rule(file) {
            named += 1;
            if !failures.iter().any(|v| v.check == id) {
                let got: BTreeSet<&str> = failures.iter().map(|v| v.check).collect();
                wrong.push(format!(
                    "{}: named after the rule of {id}, which did not fail (failing: {got:?})",
                    rel.display()
                ));
            }
        }
    }
    let checked: usize = counts.values().sum();
    let detail: Vec<String> = counts
        .iter()
        .map(|((l, e), n)| format!("{l}/{e} {n}"))
        .collect();
    println!(
        "PSS oracle set {}: checked {checked} files ({}), {named} fail files also matched to the rule they are named after, {} without any pod, {} skipped (no level or expectation in the path), {} wrong",
        root.display(),
        detail.join(", "),
        podless,
        skipped.len(),
        wrong.len()
    );
    for s in &skipped {
        println!("  skipped {s}");
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} oracle files disagree:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
