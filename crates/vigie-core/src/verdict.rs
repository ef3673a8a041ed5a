//! Verdicts: what a check says about one subject.

use crate::{Location, Severity};
use serde::Serialize;
use std::sync::Arc;

/// The documentation of a check, written beside its code. The same text feeds `vigie explain`,
/// the SARIF rule help and `docs/checks/`.
#[derive(Debug, Clone, Copy)]
pub struct CheckDoc {
    /// Stable forever: `CNT-01`, `CNT-10.2`, `PSS-B04`.
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// The inputs the check reads: "compose", "kubernetes", "dockerfile".
    pub applies_to: &'static [&'static str],
    /// What it checks.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// How to fix a failure.
    pub fix: &'static str,
    /// The file kind (`compose`) or file name it is written in, and a configuration that fails
    /// the check.
    pub failing: (&'static str, &'static str),
    /// The file kind or name, and the same configuration, fixed.
    pub passing: (&'static str, &'static str),
}

/// What a verdict can be about: an owned or shared name. A shared one (`Arc<str>`, as workloads
/// keep theirs) is not copied, so the many verdicts on one subject share one allocation.
pub trait IntoSubject {
    fn into_subject(self) -> Arc<str>;
}

impl IntoSubject for Arc<str> {
    fn into_subject(self) -> Arc<str> {
        self
    }
}

impl IntoSubject for &Arc<str> {
    fn into_subject(self) -> Arc<str> {
        self.clone()
    }
}

impl IntoSubject for String {
    fn into_subject(self) -> Arc<str> {
        Arc::from(self)
    }
}

impl IntoSubject for &String {
    fn into_subject(self) -> Arc<str> {
        Arc::from(self.as_str())
    }
}

impl IntoSubject for &str {
    fn into_subject(self) -> Arc<str> {
        Arc::from(self)
    }
}

/// Pass or fail, or a failure accepted by a waiver in `vigie.toml` or an inline suppression
/// (the waiver is [`Verdict::waiver`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    Waived,
    /// A person vouches for the control in `.vigie/attestations.toml` (distinct from proven):
    /// the verdict's [`Verdict::attestation`] holds who, what and until when.
    Attested,
    /// An attestation the control needs is expired: listed as to-do with its owner.
    Todo,
}

/// The check id of attestation verdicts: their subject is the control id they vouch for.
pub const ATTESTATION_CHECK: &str = "ATTEST";

/// The documentation of attestation verdicts. Not a check of the registry: an attestation is
/// not decided from the repository, it is recorded by a person and judged by its expiry.
pub static ATTESTATION: CheckDoc = CheckDoc {
    id: ATTESTATION_CHECK,
    title: "Attested by a person (.vigie/attestations.toml)",
    severity: Severity::Info,
    applies_to: &["attestations"],
    what: "A statement recorded in `.vigie/attestations.toml` by an owner, with a date, an expiry \
and an evidence link, vouching for what only a person can say about a control.",
    why: "Some measures (a hosting contract, branch protection on the server, restore tests, \
incident reviews) leave no trace in the repository; an attestation records who vouches for \
them and until when, so that the report shows them as attested rather than proven.",
    fix: "Record or renew it: `vigie attest CONTROL --statement … --owner … --expires YYYY-MM-DD \
--evidence URL`.",
    failing: (".vigie/attestations.toml", ""),
    passing: (".vigie/attestations.toml", ""),
};

/// What a person vouches for in `.vigie/attestations.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attestation {
    pub control: String,
    pub statement: String,
    pub owner: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    pub expires: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// Who accepted a failure, why, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiver {
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Where the waiver is written (`vigie.toml:12`, or the suppression comment).
    pub source: Location,
}

/// What only some verdicts carry, boxed so that the million passes of a large scan stay small.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Detail {
    fix: Option<Arc<str>>,
    related: Vec<Location>,
    /// The waiver that accepts the failure (outcome `Waived`), or one that has expired
    /// (outcome `Fail`).
    waiver: Option<Box<Waiver>>,
    /// The attestation of an `Attested` or `Todo` verdict.
    attestation: Option<Box<Attestation>>,
    /// One gap, several checks: the check whose failure on the same field of the same
    /// subject is listed for this one (see [`Verdict::same_gap_as`]).
    same_gap_as: Option<&'static str>,
    /// The checks whose failures on the same gap this one is listed for.
    also_fails: Vec<&'static str>,
}

/// One check's verdict on one subject.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The check id (`CNT-01`).
    pub check: &'static str,
    /// What was judged: `docker-compose.yml › services.api`, `Deployment/prod/web › container api`.
    /// Shared by every verdict on the same subject.
    pub subject: Arc<str>,
    pub outcome: Outcome,
    pub severity: Severity,
    /// Where the evidence is: the line that proves the pass or causes the failure.
    pub location: Location,
    /// One sentence saying what was found; shared between verdicts that say the same thing.
    pub message: Arc<str>,
    detail: Option<Box<Detail>>,
}

impl Verdict {
    pub fn pass(
        doc: &CheckDoc,
        subject: impl IntoSubject,
        location: Location,
        message: impl Into<Arc<str>>,
    ) -> Self {
        Verdict {
            check: doc.id,
            subject: subject.into_subject(),
            outcome: Outcome::Pass,
            severity: doc.severity,
            location,
            message: message.into(),
            detail: None,
        }
    }

    pub fn fail(
        doc: &CheckDoc,
        subject: impl IntoSubject,
        location: Location,
        message: impl Into<Arc<str>>,
        fix: impl Into<Arc<str>>,
    ) -> Self {
        Verdict {
            check: doc.id,
            subject: subject.into_subject(),
            outcome: Outcome::Fail,
            severity: doc.severity,
            location,
            message: message.into(),
            detail: Some(Box::new(Detail {
                fix: Some(fix.into()),
                ..Detail::default()
            })),
        }
    }

    /// A valid attestation (`expired` false) or an expired one (`Todo`), located at its entry.
    pub fn attestation(a: Attestation, location: Location, expired: bool) -> Self {
        let message = if expired {
            format!(
                "attestation by {} expired on {}: \"{}\"",
                a.owner, a.expires, a.statement
            )
        } else {
            format!(
                "attested by {} until {}: \"{}\"",
                a.owner, a.expires, a.statement
            )
        };
        Verdict {
            check: ATTESTATION_CHECK,
            subject: Arc::from(a.control.as_str()),
            outcome: if expired {
                Outcome::Todo
            } else {
                Outcome::Attested
            },
            severity: Severity::Info,
            location,
            message: message.into(),
            detail: Some(Box::new(Detail {
                attestation: Some(Box::new(a)),
                ..Detail::default()
            })),
        }
    }

    /// The attestation an `Attested` or `Todo` verdict records.
    pub fn attestation_record(&self) -> Option<&Attestation> {
        self.detail.as_ref()?.attestation.as_deref()
    }

    /// Whether this verdict records an attestation rather than a check's finding.
    pub fn is_attestation(&self) -> bool {
        self.check == ATTESTATION_CHECK
    }

    fn detail_mut(&mut self) -> &mut Detail {
        self.detail.get_or_insert_with(Box::default)
    }

    /// Apply `text` and `shared` to the texts of the detail (fix, waiver reason, attestation
    /// statement and evidence): see [`crate::redact`].
    pub(crate) fn redact_detail(
        &mut self,
        text: &mut dyn FnMut(&mut String),
        shared: &mut dyn FnMut(&mut Arc<str>),
    ) {
        let Some(d) = self.detail.as_mut() else {
            return;
        };
        if let Some(f) = d.fix.as_mut() {
            shared(f);
        }
        if let Some(w) = d.waiver.as_mut() {
            text(&mut w.reason);
        }
        if let Some(a) = d.attestation.as_mut() {
            text(&mut a.statement);
            if let Some(e) = a.evidence.as_mut() {
                text(e);
            }
        }
    }

    pub fn with_related(mut self, loc: Option<Location>) -> Self {
        if let Some(l) = loc
            && l != self.location
            && !self.related().contains(&l)
        {
            self.detail_mut().related.push(l);
        }
        self
    }

    /// A failure that repeats another check's failure on the same field of the same subject
    /// (a container check and a Pod Security check both judging `allowPrivilegeEscalation`):
    /// the check whose failure is listed for both. The verdict still counts for its own
    /// requirements; listings show the gap once, under that check.
    pub fn same_gap_as(&self) -> Option<&'static str> {
        self.detail.as_ref()?.same_gap_as
    }

    /// The checks whose failures on the same gap are listed under this one.
    pub fn also_fails(&self) -> &[&'static str] {
        self.detail
            .as_ref()
            .map_or(&[], |d| d.also_fails.as_slice())
    }

    /// Record that `twin`, a failure of another check on the same gap, is listed under this
    /// one, and mark it so.
    pub fn absorb_twin(&mut self, twin: &mut Verdict) {
        twin.detail_mut().same_gap_as = Some(self.check);
        let also = &mut self.detail_mut().also_fails;
        if !also.contains(&twin.check) {
            also.push(twin.check);
        }
    }

    /// For failures: the one-line fix.
    pub fn fix(&self) -> Option<&str> {
        self.detail.as_ref()?.fix.as_deref()
    }

    /// The fix, to share one copy between verdicts that say the same.
    pub fn fix_mut(&mut self) -> Option<&mut Arc<str>> {
        self.detail.as_mut()?.fix.as_mut()
    }

    /// Further locations that matter (the override that won, the Dockerfile stage).
    pub fn related(&self) -> &[Location] {
        self.detail.as_ref().map_or(&[], |d| d.related.as_slice())
    }

    /// The waiver that accepts this failure, when it is waived.
    pub fn waiver(&self) -> Option<&Waiver> {
        match self.outcome {
            Outcome::Waived => self.detail.as_ref()?.waiver.as_deref(),
            _ => None,
        }
    }

    /// A waiver that matched this failure but has expired, so the failure stands.
    pub fn expired_waiver(&self) -> Option<&Waiver> {
        match self.outcome {
            Outcome::Fail => self.detail.as_ref()?.waiver.as_deref(),
            _ => None,
        }
    }

    /// Accept the failure.
    pub fn waive(&mut self, w: Waiver) {
        self.outcome = Outcome::Waived;
        self.detail_mut().waiver = Some(Box::new(w));
    }

    /// Record a waiver that matched but has expired: the failure stands and names it.
    pub fn set_expired_waiver(&mut self, w: Waiver) {
        self.detail_mut().waiver = Some(Box::new(w));
    }

    pub fn is_fail(&self) -> bool {
        matches!(self.outcome, Outcome::Fail)
    }

    pub fn is_pass(&self) -> bool {
        matches!(self.outcome, Outcome::Pass)
    }

    /// Sort key making every report deterministic.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str, &str) {
        (
            &self.location.path,
            self.location.line,
            self.location.column,
            self.check,
            &self.subject,
            &self.message,
        )
    }
}

/// Merge `b` into `a`, both sorted by [`Verdict::sort_key`], `a`'s verdicts first among equal
/// ones. `a` grows by `b`'s length and is filled from its end, so no second array of `a`'s size is
/// ever allocated: on a large repository `a` holds well over a million verdicts.
pub fn merge_sorted_into(a: &mut Vec<Verdict>, mut b: Vec<Verdict>) {
    if b.is_empty() {
        return;
    }
    let empty: Arc<str> = Arc::from("");
    let hole = Verdict {
        check: "",
        subject: empty.clone(),
        outcome: Outcome::Pass,
        severity: Severity::Info,
        location: Location::new(empty.clone(), 0, 0),
        message: empty,
        detail: None,
    };
    // a[..i] are `a`'s verdicts not yet placed, a[k..] the merged tail; between them, holes.
    let mut i = a.len();
    a.resize(i + b.len(), hole);
    let mut k = a.len();
    while let Some(w) = b.last() {
        if i > 0 && a[i - 1].sort_key() > w.sort_key() {
            a.swap(i - 1, k - 1);
            i -= 1;
        } else if let Some(w) = b.pop() {
            a[k - 1] = w;
        }
        k -= 1;
    }
}

/// The checks that have at least one verdict, sorted. Hashes rather than sorts: a report can
/// hold a million verdicts over a few dozen checks.
pub fn distinct_checks(verdicts: &[Verdict]) -> std::collections::BTreeSet<&'static str> {
    let mut seen: std::collections::HashSet<&'static str, foldhash::fast::RandomState> =
        Default::default();
    for v in verdicts {
        seen.insert(v.check);
    }
    seen.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_stays_small() {
        // a large scan holds a million of them
        assert!(size_of::<Verdict>() <= 88, "{}", size_of::<Verdict>());
    }

    #[test]
    fn merging_keeps_the_order_and_puts_the_first_lists_equal_verdicts_first() {
        let v = |path: &str, line: u32, message: &str| Verdict {
            check: "T-01",
            subject: Arc::from("s"),
            outcome: Outcome::Pass,
            severity: Severity::Low,
            location: Location::new(Arc::from(path), line, 1),
            message: Arc::from(message),
            detail: None,
        };
        let mut a = vec![
            v("a", 1, "x"),
            v("a", 5, "x"),
            v("c", 2, "from a"),
            v("d", 1, "x"),
        ];
        let mut same = v("c", 2, "from a");
        same.severity = Severity::High; // the same key as a's: told apart by a field outside it
        let b = vec![v("a", 0, "y"), v("b", 9, "y"), same, v("e", 1, "y")];
        merge_sorted_into(&mut a, b);
        let got: Vec<(String, u32)> = a
            .iter()
            .map(|v| (v.location.path.to_string(), v.location.line))
            .collect();
        let want = [
            ("a", 0),
            ("a", 1),
            ("a", 5),
            ("b", 9),
            ("c", 2),
            ("c", 2),
            ("d", 1),
            ("e", 1),
        ];
        assert_eq!(got, want.map(|(p, l)| (p.to_string(), l)));
        assert_eq!(
            (a[4].severity, a[5].severity),
            (Severity::Low, Severity::High)
        );
        assert!(a.iter().all(|v| !v.check.is_empty()), "no hole is left");
        // Into an empty list, and an empty list into one.
        let mut e = Vec::new();
        merge_sorted_into(&mut e, vec![v("a", 1, "x")]);
        assert_eq!(e.len(), 1);
        merge_sorted_into(&mut e, Vec::new());
        assert_eq!(e.len(), 1);
    }
}
