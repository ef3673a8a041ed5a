//! Comparing a report with a previous JSON report (`vigie scan --compare PREVIOUS.json`).
//!
//! The previous report is vigie's own JSON: its failures are fingerprinted again with the recipe
//! SARIF and baselines use ([`crate::sarif`]), so that a failure that only moved lines matches
//! itself, and its requirement and control statuses are read as written. A file that is not such
//! a report, or one of another major schema version, is refused: comparing with what vigie cannot
//! read would report every failure as new, or none as fixed. Reports of different frameworks are
//! compared on the frameworks both cover, and the rest is named in `not_compared`. A failure whose
//! message cites a line (and so whose fingerprint changes when it moves) is matched a second time
//! with its line numbers left out.

use crate::common::Gaps;
use crate::sarif::{failure_fingerprints, fingerprints_of};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use vigie_core::changes::{ChangedFailure, Changes, PreviousReport, StatusChange};
use vigie_core::report::{REPORT_SCHEMA_VERSION, checks_in_scope};
use vigie_core::rollup::Status;
use vigie_core::{Outcome, ScanReport, Severity};

/// What identifies a vigie JSON report, read before the rest so that a file of another kind or
/// version is refused with that reason rather than a missing field.
#[cfg(test)]
mod tests {
    use super::without_line_numbers;

    #[test]
    fn line_numbers_are_left_out_of_messages() {
        assert_eq!(
            without_line_numbers("unconfined at a.yml:51:7, port 8080 at b:2"),
            "unconfined at a.yml:#:#, port 8080 at b:#"
        );
        assert_eq!(without_line_numbers("image: x:latest"), "image: x:latest");
    }
}

#[derive(Deserialize)]
struct Header {
    schema_version: Option<String>,
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    name: String,
    #[serde(default)]
    version: String,
}

/// The fields of a previous report the comparison reads; the others are skipped.
#[derive(Deserialize)]
struct Previous {
    root: String,
    #[serde(default)]
    commit: Option<String>,
    as_of: String,
    frameworks: Vec<String>,
    verdicts: Vec<PreviousVerdict>,
    controls: Vec<PreviousStatus>,
    framework_results: Vec<PreviousFramework>,
}

#[derive(Deserialize)]
struct PreviousVerdict {
    check: String,
    subject: String,
    outcome: String,
    severity: Severity,
    location: PreviousLocation,
    message: String,
    in_scope: bool,
    /// Set on a failure listed under another check's (schema 1.6).
    #[serde(default)]
    same_gap_as: Option<String>,
}

#[derive(Deserialize)]
struct PreviousLocation {
    path: String,
    line: u32,
}

#[derive(Deserialize)]
struct PreviousStatus {
    id: String,
    status: Status,
}

#[derive(Deserialize)]
struct PreviousFramework {
    id: String,
    sections: Vec<PreviousSection>,
}

#[derive(Deserialize)]
struct PreviousSection {
    requirements: Vec<PreviousStatus>,
}

/// Compare `report` with the previous JSON report `text`, read from `file`.
pub fn compare(report: &ScanReport, text: &str, file: &str) -> Result<Changes, String> {
    let tool_version = check_header(text, file)?;
    let previous: Previous = serde_json::from_str(text)
        .map_err(|e| format!("{file}: not a vigie JSON report as this vigie reads it: {e}"))?;
    let (common, not_compared) = common_frameworks(&report.frameworks, &previous.frameworks);
    let comparable = checks_in_scope(report.catalog(), &common);
    let mut changes = Changes {
        previous: PreviousReport {
            file: file.to_string(),
            as_of: previous.as_of.clone(),
            root: previous.root.clone(),
            tool_version,
            commit: previous.commit.clone(),
        },
        frameworks: common.clone(),
        not_compared,
        ..Changes::default()
    };
    compare_failures(report, &previous, &comparable, &mut changes);
    changes.requirements =
        requirement_changes(report, &previous, &common, &mut changes.not_compared);
    changes.controls = control_changes(report, &previous);
    Ok(changes)
}

/// Refuse what is not a vigie JSON report of this major schema version; the previous report's
/// vigie version otherwise.
fn check_header(text: &str, file: &str) -> Result<String, String> {
    let header: Header = serde_json::from_str(text).map_err(|e| {
        format!("{file}: not a vigie JSON report (`vigie scan --format json` writes one): {e}")
    })?;
    let (Some(version), Some(tool)) = (header.schema_version, header.tool) else {
        return Err(format!(
            "{file}: not a vigie JSON report (no schema_version or tool; `vigie scan --format json` writes one)"
        ));
    };
    if tool.name != "vigie" {
        return Err(format!(
            "{file}: a report of `{}`, not of vigie: compare with a `vigie scan --format json` report",
            tool.name
        ));
    }
    if major(&version) != major(REPORT_SCHEMA_VERSION) {
        return Err(format!(
            "{file}: a report of schema version {version}, this vigie reads version {REPORT_SCHEMA_VERSION}: scan the previous revision again with this vigie"
        ));
    }
    Ok(tool.version)
}

fn major(version: &str) -> &str {
    version.split('.').next().unwrap_or(version)
}

/// The frameworks both reports cover, and a sentence for each that only one covers.
fn common_frameworks(now: &[String], before: &[String]) -> (Vec<String>, Vec<String>) {
    let common = now.iter().filter(|f| before.contains(f)).cloned().collect();
    let mut not_compared: Vec<String> = before
        .iter()
        .filter(|f| !now.contains(f))
        .map(|f| format!("framework {f} is only in the previous report: its measures and failures are not compared"))
        .collect();
    not_compared.extend(now.iter().filter(|f| !before.contains(f)).map(|f| {
        format!("framework {f} was not in the previous report: its measures and failures are not compared")
    }));
    (common, not_compared)
}

/// Sort the failures of both reports, by fingerprint, into new, fixed and unchanged; only those
/// of checks in scope of the frameworks both cover take part.
fn compare_failures(
    report: &ScanReport,
    previous: &Previous,
    comparable: &BTreeSet<String>,
    changes: &mut Changes,
) {
    let now_all = failure_fingerprints(report);
    // a failure listed under another check's (the same gap) is neither new nor fixed on its
    // own; it still keeps a previous failure of its fingerprint from reading as fixed
    let now_any: HashSet<&str> = now_all.iter().map(|(_, f)| f.as_str()).collect();
    let gaps = Gaps::of(now_all.iter().map(|(v, _)| *v));
    let now: Vec<ChangedFailure> = now_all
        .iter()
        .filter(|(v, _)| comparable.contains(v.check) && !gaps.repeats(v))
        .map(|(v, fingerprint)| ChangedFailure {
            fingerprint: fingerprint.clone(),
            check: v.check.to_string(),
            subject: v.subject.to_string(),
            severity: v.severity,
            path: v.location.path.to_string(),
            line: v.location.line,
            message: v.message.to_string(),
            waived: v.outcome == Outcome::Waived,
        })
        .collect();
    let before = previous_failures(previous, comparable);
    let now_set: HashSet<&str> = now.iter().map(|f| f.fingerprint.as_str()).collect();
    let before_set: HashSet<&str> = before.iter().map(|f| f.fingerprint.as_str()).collect();
    changes.unchanged_failures = now_set.intersection(&before_set).count();
    changes.fixed_failures = before
        .iter()
        .filter(|f| !now_any.contains(f.fingerprint.as_str()))
        .cloned()
        .collect();
    changes.new_failures = now
        .iter()
        .filter(|f| !before_set.contains(f.fingerprint.as_str()))
        .cloned()
        .collect();
    changes.unchanged_failures +=
        pair_moved(&mut changes.new_failures, &mut changes.fixed_failures);
}

/// Take out of `new` and `fixed` the failures that only moved although their message cites a
/// line (`unconfined at docker-compose.yml:51`), which the fingerprint's recipe keeps: the same
/// check, subject, file and message once line numbers are left out. Returns how many pairs.
fn pair_moved(new: &mut Vec<ChangedFailure>, fixed: &mut Vec<ChangedFailure>) -> usize {
    let key = |f: &ChangedFailure| {
        (
            f.check.clone(),
            f.subject.clone(),
            f.path.clone(),
            without_line_numbers(&f.message),
        )
    };
    let mut gone: HashMap<_, Vec<usize>> = HashMap::new();
    for (i, f) in fixed.iter().enumerate().rev() {
        gone.entry(key(f)).or_default().push(i);
    }
    let mut moved_fixed = HashSet::new();
    new.retain(|f| {
        let Some(i) = gone.get_mut(&key(f)).and_then(Vec::pop) else {
            return true;
        };
        moved_fixed.insert(i);
        false
    });
    let mut i = 0;
    fixed.retain(|_| {
        i += 1;
        !moved_fixed.contains(&(i - 1))
    });
    moved_fixed.len()
}

/// A message with every `:` followed by digits (`file.yml:51`, `:51:7`) written `:#`.
fn without_line_numbers(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == ':' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('#');
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
        }
    }
    out
}

/// The previous report's failures (waived ones included) in its own order, fingerprinted as
/// [`failure_fingerprints`] fingerprints today's: over every failure of its frameworks, so that
/// identical failures are numbered alike, then narrowed to the comparable checks.
fn previous_failures(previous: &Previous, comparable: &BTreeSet<String>) -> Vec<ChangedFailure> {
    let failures: Vec<&PreviousVerdict> = previous
        .verdicts
        .iter()
        .filter(|v| v.in_scope && matches!(v.outcome.as_str(), "fail" | "waived"))
        .collect();
    let fingerprints = fingerprints_of(failures.iter().map(|v| {
        [
            v.check.as_str(),
            v.subject.as_str(),
            v.location.path.as_str(),
            v.message.as_str(),
        ]
    }));
    failures
        .into_iter()
        .zip(fingerprints)
        .filter(|(v, _)| comparable.contains(&v.check) && v.same_gap_as.is_none())
        .map(|(v, fingerprint)| ChangedFailure {
            fingerprint,
            check: v.check.clone(),
            subject: v.subject.clone(),
            severity: v.severity,
            path: v.location.path.clone(),
            line: v.location.line,
            message: v.message.clone(),
            waived: v.outcome == "waived",
        })
        .collect()
}

/// The requirements of the common frameworks whose status changed, in today's order; a
/// requirement only one report has (the catalogue changed between them) is named as not compared.
fn requirement_changes(
    report: &ScanReport,
    previous: &Previous,
    common: &[String],
    not_compared: &mut Vec<String>,
) -> Vec<StatusChange> {
    let mut before: HashMap<(&str, &str), Status> = HashMap::new();
    for fw in previous
        .framework_results
        .iter()
        .filter(|f| common.contains(&f.id))
    {
        for r in fw.sections.iter().flat_map(|s| &s.requirements) {
            before.insert((fw.id.as_str(), r.id.as_str()), r.status);
        }
    }
    let mut changed = Vec::new();
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    for fw in report
        .rollup
        .frameworks
        .iter()
        .filter(|f| common.contains(&f.id))
    {
        for r in fw.sections.iter().flat_map(|s| &s.requirements) {
            seen.insert((fw.id.as_str(), r.id.as_str()));
            match before.get(&(fw.id.as_str(), r.id.as_str())) {
                None => not_compared.push(format!("{} is not in the previous report", r.label)),
                Some(&from) if from != r.status => changed.push(StatusChange {
                    framework: Some(fw.id.clone()),
                    id: r.id.clone(),
                    label: r.label.clone(),
                    title: r.title.clone(),
                    from,
                    to: r.status,
                }),
                Some(_) => {}
            }
        }
    }
    let mut gone: Vec<String> = before
        .keys()
        .filter(|k| !seen.contains(*k))
        .map(|(fw, id)| format!("requirement {id} of {fw} is only in the previous report"))
        .collect();
    gone.sort();
    not_compared.extend(gone);
    changed
}

/// The controls both reports hold whose status changed, in today's order.
fn control_changes(report: &ScanReport, previous: &Previous) -> Vec<StatusChange> {
    let before: HashMap<&str, Status> = previous
        .controls
        .iter()
        .map(|c| (c.id.as_str(), c.status))
        .collect();
    report
        .rollup
        .controls
        .iter()
        .filter_map(|c| {
            let from = *before.get(c.id.as_str())?;
            (from != c.status).then(|| StatusChange {
                framework: None,
                id: c.id.clone(),
                label: c.id.clone(),
                title: c.title.clone(),
                from,
                to: c.status,
            })
        })
        .collect()
}
