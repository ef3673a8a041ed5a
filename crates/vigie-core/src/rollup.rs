//! From verdicts to statuses: per control, per framework requirement, per framework section.
//!
//! A subject (one container, one image, one pod) passes a set of checks when none of their
//! verdicts on it fails; a waived failure counts as passing while its waiver holds, and is
//! counted apart so reports can show it.

use crate::catalog::{Catalog, Control, Framework};
use crate::{Outcome, Verdict};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Status of a control or requirement; the values GRC tools import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Compliant,
    PartiallyCompliant,
    NonCompliant,
    NotApplicable,
    NotAssessed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Compliant => "compliant",
            Status::PartiallyCompliant => "partially_compliant",
            Status::NonCompliant => "non_compliant",
            Status::NotApplicable => "not_applicable",
            Status::NotAssessed => "not_assessed",
        }
    }
}

/// Status of a section of a document framework, in the seed documents' own vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionStatus {
    Implemented,
    InProgress,
    Planned,
    NotApplicable,
}

impl SectionStatus {
    pub fn label(self) -> &'static str {
        match self {
            SectionStatus::Implemented => "Implemented",
            SectionStatus::InProgress => "In Progress",
            SectionStatus::Planned => "Planned",
            SectionStatus::NotApplicable => "Not applicable",
        }
    }
}

/// How many subjects passed, failed or were waived.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub subjects: usize,
    pub passed: usize,
    pub failed: usize,
    pub waived: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlResult {
    pub id: String,
    pub title: String,
    pub status: Status,
    #[serde(flatten)]
    pub tally: Tally,
    /// Checks of the control this version of vigie implements.
    pub checks: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequirementResult {
    pub id: String,
    pub label: String,
    pub title: String,
    pub status: Status,
    #[serde(flatten)]
    pub tally: Tally,
    pub controls: Vec<String>,
    pub checks: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionResult {
    pub id: String,
    pub title: String,
    pub status: SectionStatus,
    /// Requirements compliant, out of those that apply.
    pub met: usize,
    pub applicable: usize,
    pub requirements: Vec<RequirementResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkResult {
    pub id: String,
    pub title: String,
    pub sections: Vec<SectionResult>,
    pub counts: BTreeMap<Status, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rollup {
    pub controls: Vec<ControlResult>,
    pub frameworks: Vec<FrameworkResult>,
}

/// Verdicts indexed by check, with subjects interned, so that tallying a set of checks costs
/// one pass over their verdicts and no string comparison.
pub struct VerdictIndex<'a> {
    /// check -> (subject id, state) with state 1 pass, 2 waived, 3 fail
    by_check: HashMap<&'a str, Vec<(u32, u8)>, foldhash::fast::RandomState>,
    subjects: usize,
}

fn state_of(o: &Outcome) -> u8 {
    match o {
        Outcome::Pass => 1,
        Outcome::Waived => 2,
        Outcome::Fail => 3,
    }
}

impl<'a> VerdictIndex<'a> {
    pub fn new(verdicts: &'a [Verdict]) -> Self {
        // Subjects are shared strings: look them up by address first, and by text only for an
        // address not seen yet, so that equal texts at different addresses still share an id.
        let mut by_addr: HashMap<*const u8, u32, foldhash::fast::RandomState> = HashMap::default();
        let mut ids: HashMap<&str, u32, foldhash::fast::RandomState> = HashMap::default();
        let mut by_check: HashMap<&str, Vec<(u32, u8)>, foldhash::fast::RandomState> =
            HashMap::default();
        for v in verdicts {
            let id = *by_addr.entry(v.subject.as_ptr()).or_insert_with(|| {
                let next = ids.len() as u32;
                *ids.entry(&v.subject).or_insert(next)
            });
            by_check
                .entry(v.check)
                .or_default()
                .push((id, state_of(&v.outcome)));
        }
        VerdictIndex {
            by_check,
            subjects: ids.len(),
        }
    }

    /// Tally the subjects of the verdicts of some checks: a subject fails if any of its verdicts
    /// fails, is waived if none fails and one is waived, passes otherwise.
    pub fn tally<'b>(&self, checks: impl IntoIterator<Item = &'b str>) -> Tally {
        let mut state = vec![0u8; self.subjects];
        let mut t = Tally::default();
        for c in checks {
            for &(id, st) in self.by_check.get(c).map(Vec::as_slice).unwrap_or(&[]) {
                let cur = &mut state[id as usize];
                if *cur == 0 {
                    t.subjects += 1;
                }
                *cur = (*cur).max(st);
            }
        }
        for s in state {
            match s {
                1 => t.passed += 1,
                2 => t.waived += 1,
                3 => t.failed += 1,
                _ => {}
            }
        }
        t
    }
}

/// Tally the subjects of a set of verdicts.
pub fn tally(verdicts: &[&Verdict]) -> Tally {
    let mut subjects: HashMap<&str, u8> = HashMap::new();
    for v in verdicts {
        let e = subjects.entry(&v.subject).or_default();
        *e = (*e).max(state_of(&v.outcome));
    }
    let mut t = Tally {
        subjects: subjects.len(),
        ..Tally::default()
    };
    for s in subjects.values() {
        match s {
            3 => t.failed += 1,
            2 => t.waived += 1,
            _ => t.passed += 1,
        }
    }
    t
}

/// The status of a set of checks from the tally of their verdicts.
pub fn status(implemented_checks: usize, t: Tally) -> Status {
    if implemented_checks == 0 {
        Status::NotAssessed
    } else if t.subjects == 0 {
        Status::NotApplicable
    } else if t.failed == 0 {
        Status::Compliant
    } else if t.failed < t.subjects {
        Status::PartiallyCompliant
    } else {
        Status::NonCompliant
    }
}

pub fn section_status(reqs: &[RequirementResult]) -> (SectionStatus, usize, usize) {
    let applicable: Vec<_> = reqs
        .iter()
        .filter(|r| r.status != Status::NotApplicable)
        .collect();
    let met = applicable
        .iter()
        .filter(|r| r.status == Status::Compliant)
        .count();
    let progressing = applicable
        .iter()
        .filter(|r| matches!(r.status, Status::Compliant | Status::PartiallyCompliant))
        .count();
    let s = if applicable.is_empty() {
        SectionStatus::NotApplicable
    } else if met == applicable.len() {
        SectionStatus::Implemented
    } else if progressing > 0 {
        SectionStatus::InProgress
    } else {
        SectionStatus::Planned
    };
    (s, met, applicable.len())
}

/// Roll verdicts up into control and framework statuses. `implemented` is the set of check ids
/// this build of vigie has; `frameworks` the frameworks to report on.
pub fn roll_up(
    catalog: &Catalog,
    verdicts: &[Verdict],
    implemented: &BTreeSet<&str>,
    frameworks: &[&Framework],
) -> Rollup {
    let index = VerdictIndex::new(verdicts);
    let mut control_ids: Vec<&Control> = Vec::new();
    let mut seen = BTreeSet::new();
    for fw in frameworks {
        for c in catalog.framework_controls(fw) {
            if seen.insert(c.id.as_str()) {
                control_ids.push(c);
            }
        }
    }
    control_ids.sort_by(|a, b| a.id.cmp(&b.id));
    let controls = control_ids
        .iter()
        .map(|c| {
            let checks: Vec<&str> = c
                .checks
                .iter()
                .map(String::as_str)
                .filter(|k| implemented.contains(k))
                .collect();
            let t = index.tally(checks.iter().copied());
            ControlResult {
                id: c.id.clone(),
                title: c.title.clone(),
                status: status(checks.len(), t),
                tally: t,
                checks: checks.iter().map(|s| s.to_string()).collect(),
            }
        })
        .collect();
    let frameworks = frameworks
        .iter()
        .map(|fw| {
            let mut counts: BTreeMap<Status, usize> = BTreeMap::new();
            let sections = fw
                .sections
                .iter()
                .map(|s| {
                    let requirements: Vec<RequirementResult> = s
                        .requirements
                        .iter()
                        .map(|r| {
                            let checks: Vec<&str> = catalog
                                .requirement_checks(r)
                                .into_iter()
                                .filter(|k| implemented.contains(k))
                                .collect();
                            let t = index.tally(checks.iter().copied());
                            let st = status(checks.len(), t);
                            *counts.entry(st).or_default() += 1;
                            RequirementResult {
                                id: r.id.clone(),
                                label: Catalog::label(fw, r),
                                title: r.title.clone(),
                                status: st,
                                tally: t,
                                controls: r.controls.clone(),
                                checks: checks.iter().map(|s| s.to_string()).collect(),
                            }
                        })
                        .collect();
                    let (status, met, applicable) = section_status(&requirements);
                    SectionResult {
                        id: s.id.clone(),
                        title: s.title.clone(),
                        status,
                        met,
                        applicable,
                        requirements,
                    }
                })
                .collect();
            FrameworkResult {
                id: fw.id.clone(),
                title: fw.title.clone(),
                sections,
                counts,
            }
        })
        .collect();
    Rollup {
        controls,
        frameworks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Waiver;
    use crate::{CheckDoc, Location, Severity};

    const DOC: CheckDoc = CheckDoc {
        id: "T-1",
        title: "t",
        severity: Severity::High,
        applies_to: &[],
        what: "",
        why: "",
        fix: "",
        failing: ("", ""),
        passing: ("", ""),
    };

    fn loc() -> Location {
        Location::new("f".into(), 1, 1)
    }

    #[test]
    fn tally_counts_subjects_not_verdicts() {
        let mut waived = Verdict::fail(&DOC, "c", loc(), "m", "f");
        waived.waive(Waiver {
            reason: "r".into(),
            owner: None,
            expires: None,
            source: loc(),
        });
        let v = [
            Verdict::pass(&DOC, "a", loc(), "m"),
            Verdict::fail(&DOC, "a", loc(), "m", "f"),
            Verdict::pass(&DOC, "b", loc(), "m"),
            waived,
        ];
        let refs: Vec<&Verdict> = v.iter().collect();
        let t = tally(&refs);
        assert_eq!(VerdictIndex::new(&v).tally(["T-1"]), t);
        assert_eq!(
            t,
            Tally {
                subjects: 3,
                passed: 1,
                failed: 1,
                waived: 1
            }
        );
        assert_eq!(status(1, t), Status::PartiallyCompliant);
        assert_eq!(status(0, t), Status::NotAssessed);
        assert_eq!(status(1, Tally::default()), Status::NotApplicable);
        assert_eq!(
            status(
                1,
                Tally {
                    subjects: 2,
                    passed: 0,
                    failed: 2,
                    waived: 0
                }
            ),
            Status::NonCompliant
        );
        assert_eq!(
            status(
                1,
                Tally {
                    subjects: 2,
                    passed: 1,
                    failed: 0,
                    waived: 1
                }
            ),
            Status::Compliant
        );
    }
}
