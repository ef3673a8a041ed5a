//! JUnit XML for CI dashboards: one test suite per control a check of this build decides, one
//! test case per subject the control judged (failed, skipped when waived, passed otherwise), a test
//! case for its attestation (passed and marked attested, or skipped as a to-do), and
//! a suite of diagnostics: a diagnostic that fails the gate is a failed case, any other (a check
//! that could not run, a note below `--fail-on`, a file no selected framework reads) a skipped
//! one, so that a passing scan never shows a red test report.
//!
//! Every case names its `file` (the first location of what it judged, relative to the scanned
//! folder) and has a `time`: zero, since a scan judges every subject in one pass and measures
//! no time per case; GitLab and Jenkins read both attributes.
//!
//! Compared with a previous report, a suite whose control changed status has a
//! `previous_status` property, and a case with new failures says which in its `system-out`.

use crate::common::{Context, also_fails_words, one_line, one_per_gap, path_line_col};
use crate::sarif::{address, baseline_states};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use vigie_core::rollup::{AttestationState, ControlResult, Status};
use vigie_core::{Outcome, ScanReport, Verdict};

const DIAGNOSTICS_SUITE: &str = "vigie diagnostics";

pub(crate) fn render(report: &ScanReport) -> String {
    let cx = Context::new(report);
    // control id -> subject -> its verdicts, from the verdicts of the selected frameworks
    let mut by_control: BTreeMap<&str, BTreeMap<&str, Vec<&Verdict>>> = BTreeMap::new();
    for v in cx.scoped_verdicts().filter(|v| !v.is_attestation()) {
        for c in cx.control_ids(v.check) {
            by_control
                .entry(c)
                .or_default()
                .entry(v.subject.as_ref())
                .or_default()
                .push(v);
        }
    }
    let states = baseline_states(report);
    let mut junit = Report::new("vigie");
    // Controls no check of this build decides have nothing to report; those whose checks could
    // not run here say why, as skipped cases.
    let unassessed = |id: &str| -> Vec<&vigie_core::Unassessed> {
        let Some(control) = report.catalog().control(id) else {
            return Vec::new();
        };
        report
            .unassessed
            .iter()
            .filter(|u| control.checks.contains(&u.check))
            .collect()
    };
    let todo = |id: &str| report.rollup.todo.iter().any(|t| t.control == id);
    for c in report.rollup.controls.iter().filter(|c| {
        c.status != Status::NotAssessed
            || c.attestation.is_some()
            || todo(&c.id)
            || !unassessed(&c.id).is_empty()
    }) {
        let mut suite = TestSuite::new(format!("{} {}", c.id, c.title));
        suite.add_property(Property::new("status", c.status.as_str()));
        suite.add_property(Property::new("checks", c.checks.join(" ")));
        if let Some(a) = c.attestation {
            suite.add_property(Property::new("attestation", a.as_str()));
        }
        if let Some(was) = previous_status(report, &c.id) {
            suite.add_property(Property::new("previous_status", was.as_str()));
        }
        if let Some(subjects) = by_control.get(c.id.as_str()) {
            for (subject, verdicts) in subjects {
                let mut case = test_case(&c.id, subject, verdicts);
                note_new_failures(&mut case, verdicts, &states);
                suite.add_test_case(case);
            }
        }
        if let Some(case) = attestation_case(report, c) {
            suite.add_test_case(case);
        }
        for u in unassessed(&c.id) {
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!("not assessed: {}", one_line(&u.reason)));
            let mut case = TestCase::new(format!("{} not assessed", u.check), s);
            case.set_classname(c.id.as_str());
            located(&mut case, "");
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    if !report.diagnostics.is_empty() {
        let mut suite = TestSuite::new(DIAGNOSTICS_SUITE);
        for d in &report.diagnostics {
            let status = if report.diagnostic_gates(d) {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(one_line(&d.message))
                    .set_type(d.code)
                    .set_description(format!(
                        "{} {} at {}\n{}\n{}",
                        d.code,
                        d.severity,
                        path_line_col(&d.location),
                        d.message,
                        d.kind.describe()
                    ));
                status
            } else {
                let mut status = TestCaseStatus::skipped();
                status
                    .set_message(format!("{} {}", d.severity, one_line(&d.message)))
                    .set_type(d.code);
                status
            };
            let mut case =
                TestCase::new(format!("{} {}", d.code, path_line_col(&d.location)), status);
            case.set_classname("vigie.diagnostics");
            located(&mut case, &d.location.path);
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    match junit.to_string() {
        Ok(mut s) => {
            if !s.ends_with('\n') {
                s.push('\n');
            }
            s
        }
        Err(e) => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"vigie\" tests=\"0\" failures=\"0\" errors=\"1\"><!-- {} --></testsuites>\n",
            e.to_string().replace("--", "- -")
        ),
    }
}

/// The `file` and `time` attributes of a case: the file, when it is one (not the repository as a
/// whole), and no time of its own.
fn located(case: &mut TestCase, path: &str) {
    case.set_time(std::time::Duration::ZERO);
    if !matches!(path, "" | ".") {
        case.extra.insert("file".into(), path.into());
    }
}

/// The attestation of a control: passed and marked attested (not proven), or skipped as a
/// to-do naming its owner — also for a control decided by checks when a requirement it
/// evidences is decided by none of them here and is listed to attest.
fn attestation_case(report: &ScanReport, c: &ControlResult) -> Option<TestCase> {
    let name = format!("attestation {}", c.id);
    let state = c.attestation.or_else(|| {
        report
            .rollup
            .todo
            .iter()
            .any(|t| t.control == c.id)
            .then_some(AttestationState::Missing)
    });
    match state? {
        AttestationState::Attested => {
            let v = report
                .verdicts
                .iter()
                .find(|v| v.outcome == Outcome::Attested && *v.subject == *c.id)?;
            let mut case = TestCase::new(name, TestCaseStatus::success());
            case.set_classname(format!("vigie.{}", c.id));
            located(&mut case, &v.location.path);
            case.set_system_out(format!(
                "ATTESTED (not proven) at {}: {}",
                path_line_col(&v.location),
                one_line(&v.message)
            ));
            Some(case)
        }
        AttestationState::Expired | AttestationState::Missing => {
            let t = report.rollup.todo.iter().find(|t| t.control == c.id)?;
            let mut s = TestCaseStatus::skipped();
            s.set_message(match (&t.owner, &t.expires) {
                (Some(o), Some(e)) => format!(
                    "to do: attestation by {} expired on {}",
                    one_line(o),
                    one_line(e)
                ),
                _ => format!("to do: no attestation recorded (vigie attest {})", c.id),
            });
            let mut case = TestCase::new(name, s);
            case.set_classname(format!("vigie.{}", c.id));
            located(&mut case, t.location.as_ref().map_or("", |l| &*l.path));
            Some(case)
        }
    }
}

/// A control's status in the previous report, when it changed since.
fn previous_status(report: &ScanReport, control: &str) -> Option<Status> {
    let changes = report.changes.as_ref()?;
    changes
        .controls
        .iter()
        .find(|c| c.id == control)
        .map(|c| c.from)
}

/// Name in a case's `system-out` the failures the previous report did not have.
fn note_new_failures(case: &mut TestCase, verdicts: &[&Verdict], states: &HashMap<usize, &str>) {
    let new: Vec<String> = verdicts
        .iter()
        .filter(|v| v.is_fail() && states.get(&address(v)) == Some(&"new"))
        .map(|v| format!("{} at {}", v.check, path_line_col(&v.location)))
        .collect();
    if !new.is_empty() {
        case.set_system_out(format!("new since the previous report: {}", new.join("; ")));
    }
}

fn test_case(control: &str, subject: &str, verdicts: &[&Verdict]) -> TestCase {
    // a gap two checks judge is one failure of the case, naming the other check
    let failures: Vec<&Verdict> = one_per_gap(verdicts)
        .into_iter()
        .filter(|v| v.is_fail())
        .collect();
    let waived: Vec<&Verdict> = verdicts
        .iter()
        .copied()
        .filter(|v| matches!(v.outcome, Outcome::Waived))
        .collect();
    let status = if let Some(first) = failures.first() {
        let mut text = String::new();
        for v in &failures {
            let _ = writeln!(
                text,
                "{} {} at {}\n{}",
                v.check,
                v.severity,
                path_line_col(&v.location),
                v.message
            );
            if let Some(fix) = v.fix() {
                let _ = writeln!(text, "fix: {fix}");
            }
            if let Some(also) = also_fails_words(v) {
                let _ = writeln!(text, "{also}");
            }
            if let Some(w) = v.expired_waiver() {
                let _ = writeln!(
                    text,
                    "waiver expired{}: {}",
                    w.expires
                        .as_deref()
                        .map(|e| format!(" on {e}"))
                        .unwrap_or_default(),
                    w.reason
                );
            }
            text.push('\n');
        }
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(format!(
            "{}: {} ({})",
            first.check,
            one_line(&first.message),
            path_line_col(&first.location)
        ))
        .set_type(first.severity.as_str())
        .set_description(text.trim_end());
        s
    } else if !waived.is_empty() {
        let mut reasons = Vec::new();
        for v in &waived {
            if let Some(w) = v.waiver() {
                let mut r = format!("{} waived: {}", v.check, one_line(&w.reason));
                if let Some(o) = &w.owner {
                    let _ = write!(r, " (owner {o})");
                }
                if let Some(e) = &w.expires {
                    let _ = write!(r, " until {e}");
                }
                reasons.push(r);
            }
        }
        let mut s = TestCaseStatus::skipped();
        s.set_message(reasons.join("; ")).set_type("waived");
        s
    } else {
        TestCaseStatus::success()
    };
    let mut case = TestCase::new(subject, status);
    case.set_classname(control);
    case.set_assertions(verdicts.len());
    let shown = failures.first().or(waived.first()).or(verdicts.first());
    located(&mut case, shown.map_or("", |v| &*v.location.path));
    case
}
