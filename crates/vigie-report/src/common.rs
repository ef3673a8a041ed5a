//! What every renderer needs: which checks are in scope, the controls and framework
//! requirements a check evidences, the gate's numbers, and small text helpers.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use vigie_core::catalog::{Catalog, Control, Framework};
use vigie_core::rollup::{AttestationState, FrameworkResult, RequirementResult, Status};
use vigie_core::{Location, Outcome, ScanReport, Verdict};

/// A framework requirement a check evidences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequirementRef {
    pub framework: &'static str,
    pub requirement: &'static str,
    /// `FT-082 R7`.
    pub label: String,
    /// Whether the framework is a document (roadmap, devsecops) rather than a reference.
    pub document: bool,
}

/// Frameworks of the catalogue with their results in a report.
pub(crate) type Frameworks<'r> = Vec<(&'static Framework, &'r FrameworkResult)>;

/// Lookups computed once per rendering.
pub(crate) struct Context<'r> {
    pub report: &'r ScanReport,
    pub catalog: &'static Catalog,
    in_scope: BTreeSet<&'static str>,
    controls: BTreeMap<&'static str, Vec<&'static Control>>,
    requirements: BTreeMap<&'static str, Vec<RequirementRef>>,
}

impl<'r> Context<'r> {
    pub fn new(report: &'r ScanReport) -> Self {
        let catalog = report.catalog();
        let mut checks = vigie_core::verdict::distinct_checks(&report.verdicts);
        checks.extend(report.checks.iter().map(|c| c.id));
        let in_scope = checks
            .iter()
            .copied()
            .filter(|c| report.in_scope(c))
            .collect();
        let controls = checks
            .iter()
            .map(|&c| {
                let mut list: Vec<&'static Control> = catalog.controls_of_check(c).collect();
                list.sort_by(|a, b| a.id.cmp(&b.id));
                list.dedup_by(|a, b| a.id == b.id);
                (c, list)
            })
            .collect();
        let requirements = checks
            .iter()
            .map(|&c| {
                let mut list: Vec<RequirementRef> = Vec::new();
                for (fw, r) in catalog.requirements_of_check(c) {
                    let rr = RequirementRef {
                        framework: fw.id.as_str(),
                        requirement: r.id.as_str(),
                        label: Catalog::label(fw, r),
                        document: fw.document,
                    };
                    if !list.contains(&rr) {
                        list.push(rr);
                    }
                }
                (c, list)
            })
            .collect();
        Context {
            report,
            catalog,
            in_scope,
            controls,
            requirements,
        }
    }

    /// The selected frameworks with their results, split into those written as a document
    /// (the roadmap, the checklist) and the others, in the report's order.
    pub fn documents_and_others(&self) -> (Frameworks<'r>, Frameworks<'r>) {
        self.report
            .rollup
            .frameworks
            .iter()
            .filter_map(|r| self.catalog.framework(&r.id).map(|f| (f, r)))
            .partition(|(f, _)| f.document)
    }

    /// Why a measure is not assessed, in the words every document uses: what kept its checks
    /// from running, or that it needs an attestation, or that no check decides it yet.
    pub fn not_assessed_why(&self, fw: &Framework, r: &RequirementResult) -> String {
        let attest = r.controls.iter().any(|c| {
            self.catalog
                .control(c)
                .is_some_and(|c| c.mode.contains("attest"))
        });
        let reasons = self.unassessed_reasons(fw, &r.id);
        let to_attest = attest || r.attestation.is_some();
        match (reasons.is_empty(), to_attest) {
            (false, true) => format!("{}; to be attested", one_line(&reasons.join("; "))),
            (false, false) => one_line(&reasons.join("; ")),
            (true, true) if r.checks.is_empty() => {
                "no check can decide it from the repository; to be attested".to_string()
            }
            (true, true) => "needs an attestation (to do)".to_string(),
            (true, false) => "no check in this version of vigie decides it yet".to_string(),
        }
    }

    /// Why the checks of a requirement could not run here (no git history, no database…), one
    /// reason each, in check order; empty when nothing kept them from running.
    pub fn unassessed_reasons(&self, fw: &Framework, requirement: &str) -> Vec<String> {
        let Some(req) = fw
            .sections
            .iter()
            .flat_map(|s| &s.requirements)
            .find(|r| r.id == requirement)
        else {
            return Vec::new();
        };
        let checks = self.catalog.requirement_checks(req);
        let mut out: Vec<String> = Vec::new();
        for u in &self.report.unassessed {
            if checks.contains(u.check.as_str()) && !out.contains(&u.reason) {
                out.push(u.reason.clone());
            }
        }
        out
    }

    /// Every check the report knows: those this build implements and those with verdicts.
    pub fn checks(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.controls.keys().copied()
    }

    /// Whether a check belongs to one of the selected frameworks.
    pub fn in_scope(&self, check: &str) -> bool {
        self.in_scope.contains(check)
    }

    /// The controls a check evidences, by id.
    pub fn controls_of(&self, check: &str) -> &[&'static Control] {
        self.controls.get(check).map_or(&[], Vec::as_slice)
    }

    /// The ids of the controls a check evidences.
    pub fn control_ids(&self, check: &str) -> Vec<&'static str> {
        self.controls_of(check)
            .iter()
            .map(|c| c.id.as_str())
            .collect()
    }

    /// The framework requirements a check evidences, in catalogue order.
    pub fn requirements_of(&self, check: &str) -> &[RequirementRef] {
        self.requirements.get(check).map_or(&[], Vec::as_slice)
    }

    /// Verdicts of checks in the selected frameworks, in report order.
    pub fn scoped_verdicts(&self) -> impl Iterator<Item = &'r Verdict> + Clone + '_ {
        self.report
            .verdicts
            .iter()
            .filter(|v| self.in_scope(v.check))
    }

    /// The numbers behind the one-line verdict.
    pub fn gate(&self) -> Gate {
        let fail_on = self.report.fail_on;
        let mut g = Gate {
            failed: self.report.gate_failed(),
            ..Gate::default()
        };
        let mut controls = BTreeSet::new();
        let gaps = Gaps::of(self.scoped_verdicts());
        for v in self.scoped_verdicts() {
            match v.outcome {
                // a gap two checks judge counts once, as it is listed
                Outcome::Fail | Outcome::Waived if gaps.repeats(v) => {
                    controls.extend(self.control_ids(v.check));
                }
                Outcome::Fail if v.severity >= fail_on => {
                    g.failures += 1;
                    controls.extend(self.control_ids(v.check));
                }
                Outcome::Fail => g.failures_below += 1,
                Outcome::Waived => g.waived += 1,
                Outcome::Pass => g.passes += 1,
                // attestations are counted per control, from the roll-up, below
                Outcome::Attested | Outcome::Todo => {}
            }
        }
        g.controls = controls.len();
        g.attested = self
            .report
            .rollup
            .controls
            .iter()
            .filter(|c| c.attestation == Some(AttestationState::Attested))
            .count();
        g.todo = self.report.rollup.todo.len();
        g.diagnostics = self.report.gating_diagnostics().count();
        g
    }
}

/// The gate's numbers, over the checks of the selected frameworks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Gate {
    pub failed: bool,
    /// Unwaived failures at or above `fail_on`.
    pub failures: usize,
    /// Unwaived failures below `fail_on`.
    pub failures_below: usize,
    pub waived: usize,
    pub passes: usize,
    /// Controls with a failure at or above `fail_on`.
    pub controls: usize,
    /// Diagnostics that fail the gate ([`ScanReport::diagnostic_gates`]).
    pub diagnostics: usize,
    /// Controls vouched for by a valid attestation.
    pub attested: usize,
    /// Attestations to record or renew.
    pub todo: usize,
}

/// The failures of a listing that repeat another failure of the same listing on the same gap
/// ([`Verdict::same_gap_as`]), shown once under that one. A twin stays listed when the check
/// it repeats is not in the listing (a Pod Security document lists only Pod Security checks),
/// or no longer has its outcome (a baseline accepted one of the two).
///
/// Only the verdicts some twin names are remembered: a report of a million verdicts has few
/// twins, and a set of every verdict would be the largest thing the renderer holds.
pub(crate) struct Gaps<'r> {
    listed: HashSet<(&'r str, &'r str, &'r str, Outcome)>,
}

impl<'r> Gaps<'r> {
    pub fn of<I>(verdicts: I) -> Self
    where
        I: IntoIterator<Item = &'r Verdict>,
        I::IntoIter: Clone,
    {
        let verdicts = verdicts.into_iter();
        let named: HashSet<(&str, &str, &str, Outcome)> = verdicts
            .clone()
            .filter_map(|v| {
                v.same_gap_as()
                    .map(|c| (c, &*v.subject, &*v.location.path, v.outcome))
            })
            .collect();
        let listed = if named.is_empty() {
            HashSet::new()
        } else {
            // only the verdicts of a check some twin names can be named: the others need no
            // hashing
            let mut checks: Vec<&str> = named.iter().map(|k| k.0).collect();
            checks.sort_unstable();
            checks.dedup();
            verdicts
                .filter(|v| checks.binary_search(&v.check).is_ok())
                .map(|v| (v.check, &*v.subject, &*v.location.path, v.outcome))
                .filter(|k| named.contains(k))
                .collect()
        };
        Gaps { listed }
    }

    /// Whether `v` is shown under another verdict of the listing.
    pub fn repeats(&self, v: &Verdict) -> bool {
        v.same_gap_as().is_some_and(|c| {
            self.listed
                .contains(&(c, &*v.subject, &*v.location.path, v.outcome))
        })
    }
}

/// The verdicts of one listing, each gap once ([`Gaps`]).
pub(crate) fn one_per_gap<'r>(verdicts: &[&'r Verdict]) -> Vec<&'r Verdict> {
    let gaps = Gaps::of(verdicts.iter().copied());
    verdicts
        .iter()
        .copied()
        .filter(|v| !gaps.repeats(v))
        .collect()
}

/// `the same gap also fails PSS-R02` for a failure listed for other checks' failures on the
/// same gap, or nothing.
pub(crate) fn also_fails_words(v: &Verdict) -> Option<String> {
    (!v.also_fails().is_empty())
        .then(|| format!("the same gap also fails {}", v.also_fails().join(", ")))
}

/// `3 failures`, `1 failure`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A status in words.
pub(crate) fn status_words(s: Status) -> &'static str {
    match s {
        Status::Compliant => "compliant",
        Status::PartiallyCompliant => "partially compliant",
        Status::NonCompliant => "non compliant",
        Status::NotApplicable => "not applicable",
        Status::NotAssessed => "not assessed",
    }
}

/// How many requirements have each status, in the order reports list them, leaving out the
/// statuses none has.
pub(crate) fn status_counts(
    counts: &BTreeMap<Status, usize>,
) -> impl Iterator<Item = (Status, usize)> + '_ {
    STATUSES.iter().filter_map(|s| {
        let n = counts.get(s).copied().unwrap_or(0);
        (n > 0).then_some((*s, n))
    })
}

/// Every status, in the order reports list them.
const STATUSES: [Status; 5] = [
    Status::Compliant,
    Status::PartiallyCompliant,
    Status::NonCompliant,
    Status::NotApplicable,
    Status::NotAssessed,
];

/// `path:line` (or the path alone for the file as a whole).
pub(crate) fn path_line(loc: &Location) -> String {
    if loc.line == 0 {
        loc.path.to_string()
    } else {
        format!("{}:{}", loc.path, loc.line)
    }
}

/// `path:line:col` (or the path alone for the file as a whole).
pub(crate) fn path_line_col(loc: &Location) -> String {
    loc.to_string()
}

/// Text on one line, safe to print: line breaks become spaces, and other control characters
/// (a terminal escape sequence hidden in a file name or a value) are shown escaped.
pub(crate) fn one_line(s: &str) -> String {
    let joined = if s.contains(['\n', '\r']) {
        s.split(['\n', '\r'])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        s.to_string()
    };
    if !joined.contains(|c: char| c.is_control() && c != '\t') {
        return joined;
    }
    let mut out = String::with_capacity(joined.len() + 8);
    for c in joined.chars() {
        if c.is_control() && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// How many new or fixed failures a report lists in its changes; the rest are counted.
pub(crate) const LISTED_CHANGES: usize = 20;

/// The previous report a comparison was made with, as a reader knows it: its date and file.
pub(crate) fn previous_name(c: &vigie_core::changes::Changes) -> String {
    let p = &c.previous;
    match &p.commit {
        Some(commit) => one_line(&format!(
            "the report of {} at commit {} ({})",
            p.as_of,
            commit.get(..12).unwrap_or(commit),
            p.file
        )),
        None => one_line(&format!("the report of {} ({})", p.as_of, p.file)),
    }
}

/// The changes counted in one sentence: failures new, fixed and unchanged, then the measures
/// and controls whose status changed.
pub(crate) fn changes_counts(c: &vigie_core::changes::Changes) -> String {
    format!(
        "{} new, {} fixed, {} unchanged; {} and {} changed status",
        plural(c.new_failures.len(), "failure", "failures"),
        c.fixed_failures.len(),
        c.unchanged_failures,
        plural(c.requirements.len(), "measure", "measures"),
        plural(c.controls.len(), "control", "controls"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(plural(1, "failure", "failures"), "1 failure");
        assert_eq!(plural(0, "failure", "failures"), "0 failures");
        assert_eq!(one_line("a\n  b\r\n\nc"), "a b c");
        assert_eq!(one_line("red \u{1b}[31m"), "red \\u{1b}[31m");
        assert_eq!(one_line("plain"), "plain");
        let loc = Location::new("a.yml".into(), 3, 7);
        assert_eq!(path_line(&loc), "a.yml:3");
        assert_eq!(path_line_col(&loc), "a.yml:3:7");
        assert_eq!(path_line(&Location::file("a.yml".into())), "a.yml");
    }
}
