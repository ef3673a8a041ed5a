//! vigie's own JSON report, versioned by [`REPORT_SCHEMA_VERSION`] and described by
//! `schemas/vigie-report.schema.json` at the repository root.

use crate::common::Context;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use vigie_core::report::REPORT_SCHEMA_VERSION;
use vigie_core::rollup::{ControlResult, FrameworkResult, Todo};
use vigie_core::verdict::Waiver;
use vigie_core::{DiagKind, Location, Outcome, ScanReport, Severity, Stats, Verdict};

/// The report's fields before `verdicts`.
#[derive(Serialize)]
struct Head<'a> {
    schema_version: &'static str,
    tool: Tool,
    root: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    as_of: &'a str,
    frameworks: &'a [String],
    fail_on: Severity,
    result: &'static str,
    summary: Summary,
    stats: &'a Stats,
}

/// The report's fields after `verdicts`.
#[derive(Serialize)]
struct Tail<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    controls: &'a [ControlResult],
    framework_results: &'a [FrameworkResult],
    attestations_todo: &'a [Todo],
    checks: Vec<JsonCheck>,
    /// Checks that could not run on this repository, and why.
    unassessed: &'a [vigie_core::Unassessed],
    /// Evidence tables, written only when an analysis gave some.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    evidence_tables: &'a [vigie_core::EvidenceTable],
    /// What changed since the previous report, when one was compared with (`--compare`).
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<&'a vigie_core::changes::Changes>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

/// Counts over the verdicts of the selected frameworks.
#[derive(Serialize)]
struct Summary {
    /// Unwaived failures at or above `fail_on`: what fails the gate.
    failures: usize,
    failures_below_fail_on: usize,
    waived: usize,
    passes: usize,
    /// Diagnostics at or above `fail_on`.
    diagnostics: usize,
    /// Controls vouched for by a valid attestation (attested, not proven).
    attested: usize,
    /// Attestations expired or missing (listed in `attestations_todo`).
    attestations_todo: usize,
}

/// What every verdict of a check repeats: whether it is in scope, and its controls.
struct CheckFacts {
    in_scope: bool,
    controls: Vec<&'static str>,
}

#[derive(Serialize)]
struct JsonWaiver<'a> {
    reason: &'a str,
    owner: Option<&'a str>,
    expires: Option<&'a str>,
    source: &'a Location,
}

impl<'a> From<&'a Waiver> for JsonWaiver<'a> {
    fn from(w: &'a Waiver) -> Self {
        JsonWaiver {
            reason: &w.reason,
            owner: w.owner.as_deref(),
            expires: w.expires.as_deref(),
            source: &w.source,
        }
    }
}

#[derive(Serialize)]
struct JsonRequirementRef {
    framework: &'static str,
    requirement: &'static str,
    label: String,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    kind: DiagKind,
    severity: Severity,
    location: &'a Location,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonCheck {
    id: &'static str,
    title: &'static str,
    severity: Severity,
    controls: Vec<&'static str>,
    requirements: Vec<JsonRequirementRef>,
}

pub(crate) fn render(report: &ScanReport) -> String {
    let mut out = Vec::new();
    // writing into memory fails only if serialisation itself does
    let _ = render_to(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Write the report as compact JSON, streaming the verdicts.
pub(crate) fn render_to(report: &ScanReport, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let cx = Context::new(report);
    let gate = cx.gate();
    let head = Head {
        schema_version: REPORT_SCHEMA_VERSION,
        tool: Tool {
            name: "vigie",
            version: report.tool_version,
        },
        root: &report.root,
        commit: report.commit.as_deref(),
        as_of: &report.as_of,
        frameworks: &report.frameworks,
        fail_on: report.fail_on,
        result: if gate.failed { "fail" } else { "pass" },
        summary: Summary {
            failures: gate.failures,
            failures_below_fail_on: gate.failures_below,
            waived: gate.waived,
            passes: gate.passes,
            diagnostics: gate.diagnostics,
            attested: gate.attested,
            attestations_todo: gate.todo,
        },
        stats: &report.stats,
    };
    let tail = Tail {
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| JsonDiagnostic {
                code: d.code,
                kind: d.kind,
                severity: d.severity,
                location: &d.location,
                message: &d.message,
            })
            .collect(),
        controls: &report.rollup.controls,
        framework_results: &report.rollup.frameworks,
        attestations_todo: &report.rollup.todo,
        unassessed: &report.unassessed,
        evidence_tables: &report.tables,
        changes: report.changes.as_ref(),
        checks: report
            .checks
            .iter()
            .map(|c| JsonCheck {
                id: c.id,
                title: c.title,
                severity: c.severity,
                controls: cx.control_ids(c.id),
                requirements: cx
                    .requirements_of(c.id)
                    .iter()
                    .map(|r| JsonRequirementRef {
                        framework: r.framework,
                        requirement: r.requirement,
                        label: r.label.clone(),
                    })
                    .collect(),
            })
            .collect(),
    };
    // The verdicts, which can number millions, are serialised in parallel, a batch of chunks at
    // a time, and written in order between the report's other fields.
    let facts: HashMap<&str, CheckFacts> = cx
        .checks()
        .map(|id| {
            let f = CheckFacts {
                in_scope: cx.in_scope(id),
                controls: cx.control_ids(id),
            };
            (id, f)
        })
        .collect();
    let head = serde_json::to_vec(&head).map_err(std::io::Error::other)?;
    let tail = serde_json::to_vec(&tail).map_err(std::io::Error::other)?;
    // both serialise as objects: splice them around the verdicts
    let (Some(head), Some(tail)) = (head.strip_suffix(b"}"), tail.strip_prefix(b"{")) else {
        return Err(std::io::Error::other("report did not serialise as objects"));
    };
    w.write_all(head)?;
    w.write_all(b",\"verdicts\":[")?;
    write_verdicts(&facts, &report.verdicts, w)?;
    w.write_all(b"],")?;
    w.write_all(tail)?;
    w.write_all(b"\n")
}

const CHUNK: usize = 2048;

fn write_verdicts(
    facts: &HashMap<&str, CheckFacts>,
    verdicts: &[Verdict],
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let batch = CHUNK * 4 * rayon::current_num_threads().max(1);
    let serialise = |b: usize, group: &[Verdict]| -> Vec<Vec<u8>> {
        group
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut buf = Vec::with_capacity(chunk.len() * 320);
                for (i, v) in chunk.iter().enumerate() {
                    if b + c + i > 0 {
                        buf.push(b',');
                    }
                    write_verdict(&mut buf, facts, v);
                }
                buf
            })
            .collect()
    };
    // each batch is written while the next one is serialised
    let mut ready: Vec<Vec<u8>> = Vec::new();
    for (b, group) in verdicts.chunks(batch).enumerate() {
        let next = std::thread::scope(|scope| {
            let next = scope.spawn(|| serialise(b, group));
            ready.iter().try_for_each(|buf| w.write_all(buf))?;
            next.join()
                .map_err(|_| std::io::Error::other("serialising verdicts failed"))
        })?;
        ready = next;
    }
    ready.iter().try_for_each(|buf| w.write_all(buf))
}

/// A JSON string, escaped as serde_json escapes it.
fn string(buf: &mut Vec<u8>, s: &str) {
    // no early exit: the loop vectorises
    let escape = s
        .bytes()
        .fold(false, |e, b| e | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if escape {
        // writing into memory cannot fail
        let _ = serde_json::to_writer(&mut *buf, s);
    } else {
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    }
}

fn number(buf: &mut Vec<u8>, n: u32) {
    buf.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

fn value(buf: &mut Vec<u8>, v: &impl Serialize) {
    // writing into memory fails only if serialisation does, and these types always serialise
    let _ = serde_json::to_writer(&mut *buf, v);
}

fn location(buf: &mut Vec<u8>, l: &Location) {
    buf.extend_from_slice(b"{\"path\":");
    string(buf, &l.path);
    buf.extend_from_slice(b",\"line\":");
    number(buf, l.line);
    buf.extend_from_slice(b",\"column\":");
    number(buf, l.column);
    buf.push(b'}');
}

/// One verdict, written by hand: a report can hold millions, and this is several times faster
/// than serialising a struct. `JsonVerdict` (tests) is the reference it must match.
fn write_verdict(buf: &mut Vec<u8>, facts: &HashMap<&str, CheckFacts>, v: &Verdict) {
    let attested_control;
    let (in_scope, controls) = if v.is_attestation() {
        // an attestation vouches for the control its subject names
        attested_control = [&*v.subject];
        (true, &attested_control[..])
    } else {
        facts
            .get(v.check)
            .map_or((false, &[][..]), |f| (f.in_scope, f.controls.as_slice()))
    };
    buf.extend_from_slice(b"{\"check\":");
    string(buf, v.check);
    buf.extend_from_slice(b",\"subject\":");
    string(buf, &v.subject);
    buf.extend_from_slice(match v.outcome {
        Outcome::Pass => b",\"outcome\":\"pass\"",
        Outcome::Fail => b",\"outcome\":\"fail\"",
        Outcome::Waived => b",\"outcome\":\"waived\"",
        Outcome::Attested => b",\"outcome\":\"attested\"",
        Outcome::Todo => b",\"outcome\":\"todo\"",
    });
    if let Some(w) = v.waiver() {
        buf.extend_from_slice(b",\"waiver\":");
        value(buf, &JsonWaiver::from(w));
    }
    if let Some(a) = v.attestation_record() {
        buf.extend_from_slice(b",\"attestation\":");
        value(buf, a);
    }
    buf.extend_from_slice(b",\"severity\":\"");
    buf.extend_from_slice(v.severity.as_str().as_bytes());
    buf.extend_from_slice(b"\",\"location\":");
    location(buf, &v.location);
    buf.extend_from_slice(b",\"message\":");
    string(buf, &v.message);
    if let Some(fix) = v.fix() {
        buf.extend_from_slice(b",\"fix\":");
        string(buf, fix);
    }
    if !v.related().is_empty() {
        buf.extend_from_slice(b",\"related\":[");
        for (i, l) in v.related().iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            location(buf, l);
        }
        buf.push(b']');
    }
    if let Some(w) = v.expired_waiver() {
        buf.extend_from_slice(b",\"expired_waiver\":");
        value(buf, &JsonWaiver::from(w));
    }
    if let Some(c) = v.same_gap_as() {
        buf.extend_from_slice(b",\"same_gap_as\":");
        string(buf, c);
    }
    if !v.also_fails().is_empty() {
        buf.extend_from_slice(b",\"also_fails\":[");
        for (i, c) in v.also_fails().iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            string(buf, c);
        }
        buf.push(b']');
    }
    buf.extend_from_slice(if in_scope {
        b",\"in_scope\":true,\"controls\":["
    } else {
        b",\"in_scope\":false,\"controls\":["
    });
    for (i, c) in controls.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        string(buf, c);
    }
    buf.extend_from_slice(b"]}");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The struct a verdict used to be serialised from, kept as the reference.
    #[derive(Serialize)]
    struct JsonVerdict<'a> {
        check: &'static str,
        subject: &'a str,
        outcome: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        waiver: Option<JsonWaiver<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        attestation: Option<&'a vigie_core::verdict::Attestation>,
        severity: Severity,
        location: &'a Location,
        message: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        fix: Option<&'a str>,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        related: &'a [Location],
        #[serde(skip_serializing_if = "Option::is_none")]
        expired_waiver: Option<JsonWaiver<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        same_gap_as: Option<&'static str>,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        also_fails: &'a [&'static str],
        in_scope: bool,
        controls: Vec<&'a str>,
    }

    fn reference<'a>(facts: &'a HashMap<&str, CheckFacts>, v: &'a Verdict) -> JsonVerdict<'a> {
        let (in_scope, controls) = if v.is_attestation() {
            (true, vec![&*v.subject])
        } else {
            facts.get(v.check).map_or((false, vec![]), |f| {
                (f.in_scope, f.controls.iter().map(|c| &**c).collect())
            })
        };
        JsonVerdict {
            check: v.check,
            subject: &v.subject,
            outcome: match v.outcome {
                Outcome::Pass => "pass",
                Outcome::Fail => "fail",
                Outcome::Waived => "waived",
                Outcome::Attested => "attested",
                Outcome::Todo => "todo",
            },
            waiver: v.waiver().map(JsonWaiver::from),
            attestation: v.attestation_record(),
            severity: v.severity,
            location: &v.location,
            message: &v.message,
            fix: v.fix(),
            related: v.related(),
            expired_waiver: v.expired_waiver().map(JsonWaiver::from),
            same_gap_as: v.same_gap_as(),
            also_fails: v.also_fails(),
            in_scope,
            controls,
        }
    }

    #[test]
    fn hand_written_verdicts_match_serde() {
        use vigie_core::CheckDoc;
        static DOC: CheckDoc = CheckDoc {
            id: "CNT-01",
            title: "t",
            severity: Severity::High,
            applies_to: &[],
            what: "",
            why: "",
            fix: "",
            failing: ("", ""),
            passing: ("", ""),
        };
        let waiver = |r: &str| Waiver {
            reason: r.into(),
            owner: Some("o\"wner".into()),
            expires: None,
            source: Location::new("vigie.toml".into(), 3, 1),
        };
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{7} del \u{7f} é ✓";
        let mut waived = Verdict::fail(&DOC, tricky, Location::file("a b.yml".into()), "m", "f");
        waived.waive(waiver("because\nreasons"));
        let mut expired = Verdict::fail(&DOC, "s", Location::new("x".into(), 9, 2), tricky, tricky);
        expired.set_expired_waiver(waiver("old"));
        let verdicts = [
            Verdict::pass(&DOC, "s", Location::new(tricky.into(), 1, 1), "ok"),
            Verdict::fail(
                &DOC,
                "s",
                Location::new("p".into(), 4_000_000_000, 7),
                "m",
                "f",
            )
            .with_related(Some(Location::new("q".into(), 1, 2)))
            .with_related(Some(Location::new(tricky.into(), 3, 4))),
            waived,
            expired,
            Verdict::attestation(
                vigie_core::verdict::Attestation {
                    control: "GOV-01".into(),
                    statement: tricky.into(),
                    owner: "ops@example.org".into(),
                    date: Some("2026-11-01".into()),
                    expires: "2027-11-01".into(),
                    evidence: None,
                },
                Location::new(".vigie/attestations.toml".into(), 2, 1),
                false,
            ),
        ];
        for scoped in [true, false] {
            let facts = HashMap::from([(
                "CNT-01",
                CheckFacts {
                    in_scope: scoped,
                    controls: vec!["CNT-01", "C\"2"],
                },
            )]);
            for v in &verdicts {
                let mut buf = Vec::new();
                write_verdict(&mut buf, &facts, v);
                let want = serde_json::to_vec(&reference(&facts, v)).unwrap();
                assert_eq!(
                    String::from_utf8(buf).unwrap(),
                    String::from_utf8(want).unwrap()
                );
            }
        }
    }
}
