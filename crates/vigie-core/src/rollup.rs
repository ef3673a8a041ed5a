//! From verdicts to statuses: per control, per framework requirement, per framework section.
//!
//! A subject (one container, one image, one pod) passes a set of checks when none of their
//! verdicts on it fails; a waived failure counts as passing while its waiver holds, and is
//! counted apart so reports can show it.

use crate::catalog::{Catalog, Control, Framework};
use crate::{Location, Outcome, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Status of a control or requirement; the values GRC tools import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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

/// Where a control stands with attestations (`.vigie/attestations.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttestationState {
    /// A person vouches for it, within the expiry: counted, and shown as attested, not proven.
    Attested,
    /// Its attestation has expired: a to-do for its owner.
    Expired,
    /// Its mode asks for an attestation (`attest`, `auto+attest`, `heuristic+attest`) and none
    /// exists: a to-do.
    Missing,
}

impl AttestationState {
    pub fn as_str(self) -> &'static str {
        match self {
            AttestationState::Attested => "attested",
            AttestationState::Expired => "expired",
            AttestationState::Missing => "missing",
        }
    }
}

/// An attestation to record or renew.
#[derive(Debug, Clone, Serialize)]
pub struct Todo {
    pub control: String,
    pub title: String,
    /// `expired` or `missing`.
    pub state: AttestationState,
    /// Who owns it: the owner of the expired attestation, none for a missing one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// The expired entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
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
    /// Attested, or an attestation expired or missing; absent when none is involved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<AttestationState>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<AttestationState>,
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
    /// Attestations expired or missing for the controls reported on, by control.
    pub todo: Vec<Todo>,
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
        Outcome::Pass | Outcome::Attested | Outcome::Todo => 1,
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
        for v in verdicts.iter().filter(|v| !v.is_attestation()) {
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

/// Whether a control's mode asks for an attestation (`attest`, `auto+attest`, `heuristic+attest`).
pub fn needs_attestation(c: &Control) -> bool {
    c.mode.split('+').any(|m| m.trim() == "attest")
}

/// Whether an attestation of `c` can vouch for anything: the control asks for one, or a
/// requirement of some framework names the control and lists no check to decide it. The
/// attestation of a control whose checks decide every requirement it evidences would only
/// stand beside their verdicts, so it is refused when they fail.
pub fn attestation_can_vouch(catalog: &Catalog, c: &Control) -> bool {
    needs_attestation(c)
        || catalog.frameworks.iter().any(|f| {
            f.sections.iter().any(|s| {
                s.requirements
                    .iter()
                    .any(|r| r.controls.contains(&c.id) && catalog.requirement_checks(r).is_empty())
            })
        })
}

/// The status once attestations are counted: a valid attestation makes a control that no check
/// decides (or that nothing in the repository applies to) compliant, never hides a failure; an
/// attestation the control needs, expired or missing, leaves it not assessed unless a check
/// already fails.
pub fn with_attestation(st: Status, att: Option<AttestationState>, required: bool) -> Status {
    match att {
        Some(AttestationState::Attested) => match st {
            Status::NotAssessed | Status::NotApplicable => Status::Compliant,
            s => s,
        },
        Some(AttestationState::Expired | AttestationState::Missing) if required => match st {
            Status::NonCompliant | Status::PartiallyCompliant => st,
            _ => Status::NotAssessed,
        },
        _ => st,
    }
}

/// Attestation verdicts by the control they vouch for.
struct Attestations<'a> {
    by_control: HashMap<&'a str, Vec<&'a Verdict>>,
}

impl<'a> Attestations<'a> {
    fn new(verdicts: &'a [Verdict]) -> Self {
        let mut by_control: HashMap<&str, Vec<&Verdict>> = HashMap::new();
        for v in verdicts.iter().filter(|v| v.is_attestation()) {
            by_control.entry(&v.subject).or_default().push(v);
        }
        Attestations { by_control }
    }

    /// A control's state, and the attestation verdict behind it.
    fn state(&self, c: &Control) -> (Option<AttestationState>, Option<&'a Verdict>) {
        let list = self
            .by_control
            .get(c.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if let Some(v) = list.iter().find(|v| v.outcome == Outcome::Attested) {
            return (Some(AttestationState::Attested), Some(v));
        }
        if let Some(v) = list.iter().find(|v| v.outcome == Outcome::Todo) {
            return (Some(AttestationState::Expired), Some(v));
        }
        if needs_attestation(c) {
            return (Some(AttestationState::Missing), None);
        }
        (None, None)
    }
}

/// Add the to-do of a control whose attestation a requirement needs, once.
fn note_todo(todo: &mut Vec<Todo>, catalog: &Catalog, atts: &Attestations<'_>, control: &str) {
    if todo.iter().any(|t| t.control == control) {
        return;
    }
    let Some(c) = catalog.control(control) else {
        return;
    };
    let (state, v) = atts.state(c);
    let rec = v.and_then(Verdict::attestation_record);
    todo.push(Todo {
        control: c.id.clone(),
        title: c.title.clone(),
        state: match state {
            Some(AttestationState::Expired) => AttestationState::Expired,
            _ => AttestationState::Missing,
        },
        owner: rec.map(|a| a.owner.clone()),
        statement: rec.map(|a| a.statement.clone()),
        expires: rec.map(|a| a.expires.clone()),
        location: v.map(|v| v.location.clone()),
    });
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
    let atts = Attestations::new(verdicts);
    let mut todo = Vec::new();
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
            let (att, v) = atts.state(c);
            if let Some(st @ (AttestationState::Expired | AttestationState::Missing)) = att {
                let rec = v.and_then(Verdict::attestation_record);
                todo.push(Todo {
                    control: c.id.clone(),
                    title: c.title.clone(),
                    state: st,
                    owner: rec.map(|a| a.owner.clone()),
                    statement: rec.map(|a| a.statement.clone()),
                    expires: rec.map(|a| a.expires.clone()),
                    location: v.map(|v| v.location.clone()),
                });
            }
            ControlResult {
                id: c.id.clone(),
                title: c.title.clone(),
                status: with_attestation(status(checks.len(), t), att, needs_attestation(c)),
                tally: t,
                checks: checks.iter().map(|s| s.to_string()).collect(),
                attestation: att,
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
                            // a requirement no check decides here (none listed, none built, or
                            // none could run on this repository) is attested through its controls
                            let undecided = checks.is_empty() && !r.controls.is_empty();
                            // an attestation one of its controls needs and lacks comes first,
                            // then one that vouches, then an expired optional one; the
                            // attestation of a control its checks decide vouches only for the
                            // requirements on which no check gave a verdict here, never beside
                            // the checks' verdicts
                            let judged = !checks.is_empty() && t.subjects > 0;
                            let mut pending = None;
                            let mut attested = false;
                            let mut expired = false;
                            for c in r.controls.iter().filter_map(|id| catalog.control(id)) {
                                if judged && !needs_attestation(c) {
                                    continue;
                                }
                                match atts.state(c).0 {
                                    Some(AttestationState::Attested) => attested = true,
                                    Some(x) if needs_attestation(c) => {
                                        pending = pending.or(Some(x));
                                    }
                                    Some(_) => expired = true,
                                    None => {}
                                }
                            }
                            if undecided && !attested && pending.is_none() {
                                pending = Some(if expired {
                                    AttestationState::Expired
                                } else {
                                    AttestationState::Missing
                                });
                                note_todo(&mut todo, catalog, &atts, &r.controls[0]);
                            }
                            let (att, required) = if pending.is_some() {
                                (pending, true)
                            } else if attested {
                                (Some(AttestationState::Attested), false)
                            } else if expired {
                                (Some(AttestationState::Expired), false)
                            } else {
                                (None, false)
                            };
                            let st = with_attestation(status(checks.len(), t), att, required);
                            *counts.entry(st).or_default() += 1;
                            RequirementResult {
                                id: r.id.clone(),
                                label: Catalog::label(fw, r),
                                title: r.title.clone(),
                                status: st,
                                tally: t,
                                controls: r.controls.clone(),
                                checks: checks.iter().map(|s| s.to_string()).collect(),
                                attestation: att,
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
        todo,
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

    #[test]
    fn attestations_count_apart_from_proof() {
        use crate::verdict::Attestation;
        let cat = Catalog::embedded();
        let att = |control: &str, expired: bool| {
            Verdict::attestation(
                Attestation {
                    control: control.into(),
                    statement: "s".into(),
                    owner: "o@example.org".into(),
                    date: None,
                    expires: "2027-01-01".into(),
                    evidence: None,
                },
                loc(),
                expired,
            )
        };
        let fw = cat.framework("devsecops").unwrap();
        let implemented = BTreeSet::new();
        // nothing recorded: controls whose mode asks for an attestation are to do
        let r = roll_up(cat, &[], &implemented, &[fw]);
        let gov = |r: &Rollup, id: &str| r.controls.iter().find(|c| c.id == id).unwrap().clone();
        assert_eq!(gov(&r, "GOV-01").status, Status::NotAssessed);
        assert_eq!(
            gov(&r, "GOV-01").attestation,
            Some(AttestationState::Missing)
        );
        assert!(
            r.todo
                .iter()
                .any(|t| t.control == "GOV-01" && t.owner.is_none())
        );
        // a requirement no check decides here is to attest, whatever its control's mode; one
        // that a check decides is not
        assert!(r.todo.iter().any(|t| t.control == "LOG-03"));
        let log03: BTreeSet<&str> = ["LOG-03"].into();
        let decided = roll_up(cat, &[], &log03, &[fw]);
        assert!(!decided.todo.iter().any(|t| t.control == "LOG-03"));
        // a valid one makes the control compliant, marked attested
        let r = roll_up(cat, &[att("GOV-01", false)], &implemented, &[fw]);
        assert_eq!(gov(&r, "GOV-01").status, Status::Compliant);
        assert_eq!(
            gov(&r, "GOV-01").attestation,
            Some(AttestationState::Attested)
        );
        assert!(!r.todo.iter().any(|t| t.control == "GOV-01"));
        let req = r.frameworks[0]
            .sections
            .iter()
            .flat_map(|s| &s.requirements)
            .find(|q| q.id == "7.1")
            .unwrap();
        assert_eq!(req.status, Status::Compliant);
        assert_eq!(req.attestation, Some(AttestationState::Attested));
        // an expired one is to do, with its owner
        let r = roll_up(cat, &[att("GOV-01", true)], &implemented, &[fw]);
        assert_eq!(gov(&r, "GOV-01").status, Status::NotAssessed);
        let t = r.todo.iter().find(|t| t.control == "GOV-01").unwrap();
        assert_eq!(t.state, AttestationState::Expired);
        assert_eq!(t.owner.as_deref(), Some("o@example.org"));
        // an attestation never hides a failure
        assert_eq!(
            with_attestation(Status::NonCompliant, Some(AttestationState::Attested), true),
            Status::NonCompliant
        );
        assert_eq!(
            with_attestation(Status::Compliant, Some(AttestationState::Missing), true),
            Status::NotAssessed
        );
        assert_eq!(
            with_attestation(Status::Compliant, Some(AttestationState::Expired), false),
            Status::Compliant
        );
    }
}
