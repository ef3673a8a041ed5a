//! One gap, one finding: a container check and a Pod Security check that judge the same
//! field of the same container (`CNT-03` and `PSS-R02` on `allowPrivilegeEscalation`) fail
//! together, and a listing that showed both would ask for one fix twice.
//!
//! Both verdicts are kept — each decides its own requirements, and a report read by a Pod
//! Security auditor still holds `PSS-R02`'s failure — but the one of lower rank is marked
//! [`Verdict::same_gap_as`] the other, which names it in [`Verdict::also_fails`]. Listings
//! (text, SARIF, JUnit, the gate's count) show the gap once.
//!
//! Two failures are one gap when they are in the same file, on the same subject (Pod Security
//! failures about a container name it as the container checks do), judge the same field
//! ([`vigie_checks::container_field`]; the capabilities a container adds and those it drops
//! are one list, fixed together), and come from different families — the container checks,
//! Pod Security baseline, Pod Security restricted (the two levels repeat some policies, such
//! as `procMount`). Two checks of one family on one field (an untagged image is neither tagged
//! nor pinned) are two statements, kept apart. Only failures of checks in the selected
//! frameworks pair up: a check out of scope is not listed anyway.

use std::collections::HashMap;
use vigie_checks::container_field;
use vigie_core::{Outcome, Verdict};

/// What identifies a gap: the file, the subject and the field.
type GapKey<'v> = (&'v str, &'v str, &'static str);

/// Mark every failure that repeats another family's failure on the same gap.
pub(crate) fn mark_same_gaps(verdicts: &mut [Verdict], in_scope: impl Fn(&str) -> bool) {
    let mut gaps: HashMap<GapKey<'_>, Vec<usize>, foldhash::fast::RandomState> = HashMap::default();
    for (i, v) in verdicts.iter().enumerate() {
        if v.outcome != Outcome::Fail || !in_scope(v.check) {
            continue;
        }
        if let Some(field) = gap_field(v.check) {
            gaps.entry((&v.location.path, &v.subject, field))
                .or_default()
                .push(i);
        }
    }
    // the groups with one failure have no twin; the others, by their first verdict
    let mut groups: Vec<Vec<usize>> = gaps.into_values().filter(|m| m.len() > 1).collect();
    groups.sort_unstable_by_key(|m| m[0]);
    for members in &groups {
        let Some(&first) = members.iter().min_by_key(|&&i| rank(&verdicts[i])) else {
            continue;
        };
        for &i in members {
            if family(verdicts[i].check) != family(verdicts[first].check) {
                let (listed, twin) = two_mut(verdicts, first, i);
                listed.absorb_twin(twin);
            }
        }
    }
}

fn is_pss(check: &str) -> bool {
    check.starts_with("PSS-")
}

/// `CNT-`, `PSS-B` or `PSS-R`: the id up to its number.
fn family(check: &str) -> &str {
    check
        .find(|c: char| c.is_ascii_digit())
        .map_or(check, |i| &check[..i])
}

/// The field that identifies a gap: the container field the check judges, with the added and
/// dropped capabilities as one.
fn gap_field(check: &str) -> Option<&'static str> {
    container_field(check).map(|f| {
        f.strip_suffix("/add")
            .or_else(|| f.strip_suffix("/drop"))
            .unwrap_or(f)
    })
}

/// The order in which a gap's failures are listed first: the most severe, then the container
/// check (its fix speaks of the container, as the reader does), then by id.
fn rank(v: &Verdict) -> (std::cmp::Reverse<vigie_core::Severity>, bool, &'static str) {
    (std::cmp::Reverse(v.severity), is_pss(v.check), v.check)
}

/// Two distinct elements of a slice, both mutable.
fn two_mut<T>(s: &mut [T], a: usize, b: usize) -> (&mut T, &mut T) {
    assert_ne!(a, b);
    if a < b {
        let (l, r) = s.split_at_mut(b);
        (&mut l[a], &mut r[0])
    } else {
        let (l, r) = s.split_at_mut(a);
        (&mut r[0], &mut l[b])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::{CheckDoc, Location, Severity};

    fn doc(id: &'static str, severity: Severity) -> &'static CheckDoc {
        Box::leak(Box::new(CheckDoc {
            id,
            title: "",
            severity,
            applies_to: &[],
            what: "",
            why: "",
            fix: "",
            failing: ("", ""),
            passing: ("", ""),
        }))
    }

    fn fail(id: &'static str, severity: Severity, subject: &str, line: u32) -> Verdict {
        Verdict::fail(
            doc(id, severity),
            subject,
            Location::new("k8s/web.yaml".into(), line, 9),
            "m",
            "f",
        )
    }

    const WEB: &str = "Deployment/prod/web › container web";

    #[test]
    fn a_pod_security_failure_on_the_same_field_is_listed_under_the_container_check() {
        let mut v = vec![
            fail("CNT-03", Severity::High, WEB, 20),
            fail("PSS-R02", Severity::High, WEB, 21),
            fail("CNT-04", Severity::High, WEB, 20),
        ];
        mark_same_gaps(&mut v, |_| true);
        assert_eq!(v[0].also_fails(), ["PSS-R02"]);
        assert_eq!(v[0].same_gap_as(), None);
        assert_eq!(v[1].same_gap_as(), Some("CNT-03"));

        assert!(v[2].same_gap_as().is_none() && v[2].also_fails().is_empty());
    }

    #[test]
    fn added_capabilities_and_both_pod_security_levels_are_one_gap() {
        let mut v = vec![
            fail("CNT-02", Severity::High, WEB, 20),
            fail("PSS-B04", Severity::High, WEB, 20),
            fail("PSS-R06", Severity::High, WEB, 20),
            fail("PSS-B09", Severity::High, WEB, 24),
            fail("PSS-R07", Severity::High, WEB, 24),
        ];
        mark_same_gaps(&mut v, |_| true);
        assert_eq!(v[0].also_fails(), ["PSS-B04", "PSS-R06"]);
        assert_eq!(v[3].also_fails(), ["PSS-R07"]);
        assert_eq!(v[4].same_gap_as(), Some("PSS-B09"));
    }

    #[test]
    fn the_more_severe_failure_is_the_one_listed() {
        let mut v = vec![
            fail("CNT-01", Severity::Medium, WEB, 20),
            fail("PSS-R03", Severity::High, WEB, 20),
        ];
        mark_same_gaps(&mut v, |_| true);
        assert_eq!(v[0].same_gap_as(), Some("PSS-R03"));
        assert_eq!(v[1].also_fails(), ["CNT-01"]);
    }

    #[test]
    fn other_containers_files_families_passes_and_scopes_stay_apart() {
        let other = "Deployment/prod/web › container sidecar";
        let mut v = vec![
            fail("CNT-03", Severity::High, WEB, 20),
            fail("PSS-R02", Severity::High, other, 30),
            // one family, one field: two statements
            fail("CNT-10.1", Severity::High, WEB, 22),
            fail("CNT-10.2", Severity::High, WEB, 22),
            // a check out of the selected frameworks
            fail("CNT-02", Severity::High, WEB, 20),
            fail("PSS-R06", Severity::High, WEB, 20),
        ];
        let mut waived = fail("PSS-R02", Severity::High, WEB, 20);
        waived.outcome = Outcome::Waived;
        v.push(waived);
        let mut moved = fail("PSS-R02", Severity::High, WEB, 20);
        moved.location.path = "k8s/other.yaml".into();
        v.push(moved);
        mark_same_gaps(&mut v, |c| c != "CNT-02");
        assert!(v.iter().all(|v| v.same_gap_as().is_none()), "{v:#?}");
        assert!(v.iter().all(|v| v.also_fails().is_empty()));
    }
}
