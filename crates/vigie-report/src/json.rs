//! vigie's own JSON report, versioned by [`REPORT_SCHEMA_VERSION`] and described by
//! `schemas/vigie-report.schema.json` at the repository root.

use crate::common::Context;
use serde::Serialize;
use vigie_core::report::REPORT_SCHEMA_VERSION;
use vigie_core::rollup::{ControlResult, FrameworkResult};
use vigie_core::verdict::Waiver;
use vigie_core::{DiagKind, Location, Outcome, ScanReport, Severity, Stats, Verdict};

#[derive(Serialize)]
struct Report<'a> {
    schema_version: &'static str,
    tool: Tool,
    root: &'a str,
    as_of: &'a str,
    frameworks: &'a [String],
    fail_on: Severity,
    result: &'static str,
    summary: Summary,
    stats: &'a Stats,
    /// Streamed: a report can hold a million verdicts.
    verdicts: Verdicts<'a>,
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
    waiver: Option<JsonWaiver<'a>>,
    severity: Severity,
    location: &'a Location,
    message: &'a str,
    fix: Option<&'a str>,
    related: &'a [Location],
    expired_waiver: Option<JsonWaiver<'a>>,
    /// Whether the check belongs to one of the selected frameworks.
    in_scope: bool,
    /// The controls the check evidences; the framework requirements are listed once per check
    /// under `checks`, not repeated on every verdict.
    controls: Vec<&'static str>,
}

struct Verdicts<'a> {
    cx: &'a Context<'a>,
    verdicts: &'a [Verdict],
}

impl Serialize for Verdicts<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.verdicts.iter().map(|v| verdict(self.cx, v)))
    }
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
    let doc = Report {
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
        verdicts: Verdicts {
            cx: &cx,
            verdicts: &report.verdicts,
        },
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
    serde_json::to_writer(&mut *w, &doc).map_err(std::io::Error::other)?;
    w.write_all(
        b"
",
    )
}

fn verdict<'a>(cx: &Context<'_>, v: &'a Verdict) -> JsonVerdict<'a> {
    let (outcome, waiver) = match &v.outcome {
        Outcome::Pass => ("pass", None),
        Outcome::Fail => ("fail", None),
        Outcome::Waived(w) => ("waived", Some(JsonWaiver::from(&**w))),
    };
    JsonVerdict {
        check: v.check,
        subject: &v.subject,
        outcome,
        waiver,
        severity: v.severity,
        location: &v.location,
        message: &v.message,
        fix: v.fix.as_deref(),
        related: &v.related,
        expired_waiver: v.expired_waiver.as_deref().map(JsonWaiver::from),
        in_scope: cx.in_scope(v.check),
        controls: cx.control_ids(v.check),
    }
}
