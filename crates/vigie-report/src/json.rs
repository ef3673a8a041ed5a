//! vigie's own JSON report, versioned by [`REPORT_SCHEMA_VERSION`] and described by
//! `schemas/vigie-report.schema.json` at the repository root.

use crate::common::Context;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use vigie_core::report::REPORT_SCHEMA_VERSION;
use vigie_core::rollup::{ControlResult, FrameworkResult};
use vigie_core::verdict::Waiver;
use vigie_core::{DiagKind, Location, Outcome, ScanReport, Severity, Stats, Verdict};

/// The report's fields before `verdicts`.
#[derive(Serialize)]
struct Head<'a> {
    schema_version: &'static str,
    tool: Tool,
    root: &'a str,
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
    checks: Vec<JsonCheck>,
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
}

#[derive(Serialize)]
struct JsonVerdict<'a> {
    check: &'static str,
    subject: &'a str,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<JsonWaiver<'a>>,
    severity: Severity,
    location: &'a Location,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    related: &'a [Location],
    #[serde(skip_serializing_if = "Option::is_none")]
    expired_waiver: Option<JsonWaiver<'a>>,
    /// Whether the check belongs to one of the selected frameworks.
    in_scope: bool,
    /// The controls the check evidences; the framework requirements are listed once per check
    /// under `checks`, not repeated on every verdict.
    controls: &'a [&'static str],
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
    let facts: HashMap<&str, CheckFacts> = report
        .verdicts
        .iter()
        .map(|v| v.check)
        .chain(report.checks.iter().map(|c| c.id))
        .collect::<BTreeSet<_>>()
        .into_iter()
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
    for (b, group) in verdicts.chunks(batch).enumerate() {
        let bufs: Vec<Result<Vec<u8>, serde_json::Error>> = group
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut buf = Vec::with_capacity(chunk.len() * 320);
                for (i, v) in chunk.iter().enumerate() {
                    if b + c + i > 0 {
                        buf.push(b',');
                    }
                    serde_json::to_writer(&mut buf, &verdict(facts, v))?;
                }
                Ok(buf)
            })
            .collect();
        for buf in bufs {
            w.write_all(&buf.map_err(std::io::Error::other)?)?;
        }
    }
    Ok(())
}

fn verdict<'a>(facts: &'a HashMap<&str, CheckFacts>, v: &'a Verdict) -> JsonVerdict<'a> {
    let (in_scope, controls) = facts
        .get(v.check)
        .map_or((false, &[][..]), |f| (f.in_scope, f.controls.as_slice()));
    let outcome = match v.outcome {
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::Waived => "waived",
    };
    JsonVerdict {
        check: v.check,
        subject: &v.subject,
        outcome,
        waiver: v.waiver().map(JsonWaiver::from),
        severity: v.severity,
        location: &v.location,
        message: &v.message,
        fix: v.fix(),
        related: v.related(),
        expired_waiver: v.expired_waiver().map(JsonWaiver::from),
        in_scope,
        controls,
    }
}
