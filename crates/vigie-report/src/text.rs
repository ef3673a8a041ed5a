//! Text for terminals and CI logs: failures grouped by control, diagnostics, a summary per
//! framework, and a one-line verdict last.

use crate::RenderOptions;
use crate::common::{
    Context, LISTED_CHANGES, also_fails_words, changes_counts, one_line, one_per_gap, path_line,
    path_line_col, plural, previous_name, status_counts, status_words,
};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use vigie_core::changes::Changes;
use vigie_core::rollup::{ControlResult, Status};
use vigie_core::verdict::Waiver;
use vigie_core::{Location, Outcome, ScanReport, Verdict};

/// Titles longer than this are cut in the summary tables.
const TITLE_WIDTH: usize = 48;

/// ANSI styling, or none at all.
struct Paint {
    color: bool,
}

impl Paint {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    fn red(&self, s: &str) -> String {
        self.paint("1;31", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }
    fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }
    fn cyan(&self, s: &str) -> String {
        self.paint("36", s)
    }
    fn status(&self, s: Status, text: &str) -> String {
        match s {
            Status::Compliant => self.green(text),
            Status::PartiallyCompliant => self.yellow(text),
            Status::NonCompliant => self.red(text),
            Status::NotApplicable | Status::NotAssessed => self.dim(text),
        }
    }
}

pub(crate) fn render(report: &ScanReport, opts: &RenderOptions) -> String {
    let cx = Context::new(report);
    let p = Paint { color: opts.color };
    let mut out = String::new();
    if opts.quiet {
        findings(&mut out, &cx, &p, opts);
        diagnostics(&mut out, report, &p, true);
    } else {
        header(&mut out, report, &p);
        if let Some(c) = &report.changes {
            changes(&mut out, c, &p);
        }
        findings(&mut out, &cx, &p, opts);
        diagnostics(&mut out, report, &p, false);
        attestations(&mut out, &cx, &p);
        summary(&mut out, report, &p, opts.verbose);
    }
    verdict_line(&mut out, &cx, &p);
    out
}

fn header(out: &mut String, report: &ScanReport, p: &Paint) {
    let _ = writeln!(
        out,
        "{} {} · {}{} · as of {}",
        p.bold("vigie"),
        report.tool_version,
        one_line(&report.root),
        report
            .commit
            .as_deref()
            .map(|c| format!(" at {}", one_line(c.get(..12).unwrap_or(c))))
            .unwrap_or_default(),
        one_line(&report.as_of)
    );
    let frameworks = if report.frameworks.is_empty() {
        "none".to_string()
    } else {
        one_line(&report.frameworks.join(", "))
    };
    let _ = writeln!(
        out,
        "frameworks: {frameworks} · fail on: {}",
        report.fail_on
    );
    let s = &report.stats;
    let _ = writeln!(
        out,
        "{}",
        p.dim(&format!(
            "{} seen, {} parsed ({} bytes): {}, {}, {}, {}",
            plural(s.files_seen, "file", "files"),
            s.files_parsed,
            s.bytes_parsed,
            plural(s.dockerfiles, "Dockerfile", "Dockerfiles"),
            plural(s.compose_projects, "Compose project", "Compose projects"),
            plural(
                s.kubernetes_objects,
                "Kubernetes object",
                "Kubernetes objects"
            ),
            plural(s.workloads, "workload", "workloads"),
        ))
    );
}

/// What changed since the previous report: the counts, the measures and controls whose status
/// changed, the new failures and the fixed ones, briefly (the first [`LISTED_CHANGES`] of each).
fn changes(out: &mut String, c: &Changes, p: &Paint) {
    let _ = writeln!(
        out,
        "\n{} {}: {}",
        p.bold("Changes since"),
        previous_name(c),
        changes_counts(c)
    );
    for (what, list) in [("measures", &c.requirements), ("controls", &c.controls)] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  {what}:");
        for s in list {
            let _ = writeln!(
                out,
                "    {} {}  {} → {}",
                p.bold(&one_line(&s.label)),
                cut(&one_line(&s.title), TITLE_WIDTH),
                p.status(s.from, status_words(s.from)),
                p.status(s.to, status_words(s.to)),
            );
        }
    }
    for (what, list) in [
        ("new failures", &c.new_failures),
        ("fixed", &c.fixed_failures),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  {what}:");
        for f in list.iter().take(LISTED_CHANGES) {
            let _ = writeln!(
                out,
                "    {} {} {}:{} {}{}",
                if what == "fixed" {
                    p.green("✓")
                } else {
                    p.red("+")
                },
                f.check,
                one_line(&f.path),
                f.line,
                cut(&one_line(&format!("{}: {}", f.subject, f.message)), 90),
                if f.waived {
                    p.dim(" (waived)")
                } else {
                    String::new()
                },
            );
        }
        if list.len() > LISTED_CHANGES {
            let _ = writeln!(out, "    … and {} more", list.len() - LISTED_CHANGES);
        }
    }
    for n in &c.not_compared {
        let _ = writeln!(
            out,
            "  {}",
            p.dim(&format!("not compared: {}", one_line(n)))
        );
    }
}

/// The verdicts to list under a control: failures, then waived ones, then (verbose) passes.
/// A gap two checks judge is listed once ([`one_per_gap`]).
fn listed<'r>(verdicts: &[&'r Verdict], opts: &RenderOptions) -> Vec<&'r Verdict> {
    let verdicts = one_per_gap(verdicts);
    let mut out: Vec<&Verdict> = verdicts.iter().copied().filter(|v| v.is_fail()).collect();
    if opts.quiet {
        return out;
    }
    out.extend(
        verdicts
            .iter()
            .copied()
            .filter(|v| matches!(v.outcome, Outcome::Waived)),
    );
    if opts.verbose {
        out.extend(verdicts.iter().copied().filter(|v| v.is_pass()));
    }
    out
}

fn findings(out: &mut String, cx: &Context<'_>, p: &Paint, opts: &RenderOptions) {
    let scoped: Vec<&Verdict> = cx.scoped_verdicts().collect();
    let mut groups: Vec<(String, Option<&ControlResult>, Vec<&Verdict>)> = Vec::new();
    for c in &cx.report.rollup.controls {
        let of_control: Vec<&Verdict> = scoped
            .iter()
            .copied()
            .filter(|v| c.checks.iter().any(|k| k == v.check))
            .collect();
        let list = listed(&of_control, opts);
        if !list.is_empty() {
            groups.push((one_line(&format!("{} {}", c.id, c.title)), Some(c), list));
        }
    }
    // Checks of the selected frameworks that no control of the roll-up names: never dropped.
    let named: BTreeSet<&str> = cx
        .report
        .rollup
        .controls
        .iter()
        .flat_map(|c| c.checks.iter().map(String::as_str))
        .collect();
    let rest: Vec<&Verdict> = scoped
        .iter()
        .copied()
        .filter(|v| !named.contains(v.check))
        .collect();
    let rest = listed(&rest, opts);
    if !rest.is_empty() {
        groups.push(("Other checks".to_string(), None, rest));
    }
    if groups.is_empty() {
        return;
    }
    let any_failure = groups
        .iter()
        .any(|(_, _, l)| l.iter().any(|v| !v.is_pass()));
    let _ = writeln!(out);
    let title = if any_failure { "Failures" } else { "Evidence" };
    let _ = writeln!(out, "{}", p.bold(title));
    for (title, control, list) in groups {
        let _ = writeln!(out);
        let _ = write!(out, "{}", p.bold(&title));
        if let Some(c) = control {
            let t = c.tally;
            let mut parts = vec![format!("{} failed", t.failed)];
            if t.waived > 0 {
                parts.push(format!("{} waived", t.waived));
            }
            parts.push(format!("{} passed", t.passed));
            let _ = write!(
                out,
                " — {} ({} of {})",
                p.status(c.status, status_words(c.status)),
                parts.join(", "),
                plural(t.subjects, "subject", "subjects")
            );
        }
        let _ = writeln!(out);
        for v in list {
            if opts.compact {
                compact_entry(out, v, p);
            } else {
                entry(out, v, p);
            }
        }
    }
}

/// A finding on one line: outcome, location, subject, check and message.
fn compact_entry(out: &mut String, v: &Verdict, p: &Paint) {
    let tag = match &v.outcome {
        Outcome::Fail => p.red("FAIL  "),
        Outcome::Waived => p.yellow("WAIVED"),
        Outcome::Pass => p.green("PASS  "),
        Outcome::Attested => p.cyan("ATTESTED"),
        Outcome::Todo => p.yellow("TODO  "),
    };
    let _ = writeln!(
        out,
        "  {tag}  {}  {}  [{} {}]  {}",
        loc(&v.location),
        one_line(&v.subject),
        v.check,
        v.severity,
        one_line(&v.message)
    );
}

fn entry(out: &mut String, v: &Verdict, p: &Paint) {
    const INDENT: &str = "          ";
    let (tag, painted) = match &v.outcome {
        Outcome::Fail => ("FAIL", p.red("FAIL  ")),
        Outcome::Waived => ("WAIVED", p.yellow("WAIVED")),
        Outcome::Pass => ("PASS", p.green("PASS  ")),
        Outcome::Attested => ("ATTESTED", p.cyan("ATTESTED")),
        Outcome::Todo => ("TODO", p.yellow("TODO  ")),
    };
    let mut line = format!(
        "  {painted}  {}  {}  [{}",
        loc(&v.location),
        one_line(&v.subject),
        v.check
    );
    if !matches!(tag, "PASS" | "ATTESTED" | "TODO") {
        let _ = write!(line, " {}", v.severity);
    }
    line.push(']');
    let _ = writeln!(out, "{line}");
    let _ = writeln!(out, "{INDENT}{}", one_line(&v.message));
    match &v.outcome {
        Outcome::Fail => {
            if let Some(w) = v.expired_waiver() {
                let _ = writeln!(
                    out,
                    "{INDENT}{}",
                    p.yellow(&format!("waiver expired: {}", waiver_words(w)))
                );
            }
            if let Some(fix) = v.fix() {
                let _ = writeln!(
                    out,
                    "{INDENT}{}",
                    p.cyan(&format!("fix: {}", one_line(fix)))
                );
            }
            if let Some(also) = also_fails_words(v) {
                let _ = writeln!(out, "{INDENT}{}", p.dim(&also));
            }
        }
        Outcome::Waived => {
            if let Some(w) = v.waiver() {
                let _ = writeln!(
                    out,
                    "{INDENT}{}",
                    p.dim(&format!("waived: {}", waiver_words(w)))
                );
            }
        }
        Outcome::Attested | Outcome::Todo => {
            if let Some(e) = v.attestation_record().and_then(|a| a.evidence.as_deref()) {
                let _ = writeln!(
                    out,
                    "{INDENT}{}",
                    p.dim(&format!("evidence: {}", one_line(e)))
                );
            }
        }
        Outcome::Pass => {}
    }
    for r in v.related() {
        let _ = writeln!(out, "{INDENT}{}", p.dim(&format!("see also {}", loc(r))));
    }
}

/// Controls vouched for by a person (attested, not proven), then the attestations to record or
/// renew, with their owner.
fn attestations(out: &mut String, cx: &Context<'_>, p: &Paint) {
    let rollup = &cx.report.rollup;
    let reported = |id: &str| rollup.controls.iter().any(|c| c.id == id);
    let attested: Vec<&Verdict> = cx
        .report
        .verdicts
        .iter()
        .filter(|v| v.outcome == Outcome::Attested && reported(&v.subject))
        .collect();
    if attested.is_empty() && rollup.todo.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", p.bold("Attestations"));
    if !attested.is_empty() {
        let _ = writeln!(out);
        for v in attested {
            entry(out, v, p);
        }
    }
    if !rollup.todo.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", p.bold("To do"));
        for t in &rollup.todo {
            let what = match (&t.expires, &t.owner) {
                (Some(e), Some(o)) => format!(
                    "expired on {} — owner {}{}",
                    one_line(e),
                    one_line(o),
                    t.location
                        .as_ref()
                        .map(|l| format!(" ({})", path_line(l)))
                        .unwrap_or_default()
                ),
                _ => "no attestation recorded — no owner yet".to_string(),
            };
            let _ = writeln!(
                out,
                "  {}  {} {} — {what}",
                p.yellow("TODO  "),
                one_line(&t.control),
                one_line(&t.title)
            );
            let _ = writeln!(
                out,
                "          {}",
                p.cyan(&format!(
                    "fix: vigie attest {} --statement … --owner … --expires YYYY-MM-DD --evidence URL",
                    t.control
                ))
            );
        }
    }
}

/// `"reason" — owner x, expires 2027-01-01 (vigie.toml:12)`.
fn waiver_words(w: &Waiver) -> String {
    let mut s = format!("\"{}\"", one_line(&w.reason));
    let mut who = Vec::new();
    if let Some(o) = &w.owner {
        who.push(format!("owner {}", one_line(o)));
    }
    if let Some(e) = &w.expires {
        who.push(format!("expires {}", one_line(e)));
    }
    if !who.is_empty() {
        let _ = write!(s, " — {}", who.join(", "));
    }
    let _ = write!(s, " ({})", one_line(&path_line(&w.source)));
    s
}

fn diagnostics(out: &mut String, report: &ScanReport, p: &Paint, gating_only: bool) {
    let shown: Vec<&vigie_core::Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| !gating_only || report.diagnostic_gates(d))
        .collect();
    if shown.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", p.bold("Diagnostics"));
    let code_w = shown.iter().map(|d| d.code.len()).max().unwrap_or(0);
    for d in shown {
        let sev = format!("{:<8}", d.severity.as_str());
        let _ = writeln!(
            out,
            "  {}  {}  {}  {}",
            p.yellow(&format!("{:<code_w$}", d.code)),
            sev,
            loc(&d.location),
            one_line(&d.message)
        );
    }
}

/// A location, safe to print.
fn loc(l: &Location) -> String {
    one_line(&path_line_col(l))
}

/// Pad to a width counted in characters.
fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - n))
    }
}

/// Cut to a width counted in characters, marking the cut.
fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Per framework: counts per status and a table of its requirements (those no check decides
/// yet only with `verbose`).
fn summary(out: &mut String, report: &ScanReport, p: &Paint, verbose: bool) {
    if report.rollup.frameworks.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", p.bold("Summary"));
    for fw in &report.rollup.frameworks {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}  {}",
            p.bold(&one_line(&fw.id)),
            one_line(&fw.title)
        );
        let counts: Vec<String> = status_counts(&fw.counts)
            .map(|(s, n)| p.status(s, &format!("{n} {}", status_words(s))))
            .collect();
        if counts.is_empty() {
            let _ = writeln!(out, "  no requirement");
            continue;
        }
        let _ = writeln!(out, "  {}", counts.join(" · "));
        let rows: Vec<_> = fw
            .sections
            .iter()
            .flat_map(|s| s.requirements.iter())
            .filter(|r| verbose || r.status != Status::NotAssessed)
            .collect();
        let hidden = fw
            .sections
            .iter()
            .flat_map(|s| s.requirements.iter())
            .count()
            - rows.len();
        if rows.is_empty() {
            let _ = writeln!(
                out,
                "  {}",
                p.dim("no check of this build decides its requirements yet (-v lists them)")
            );
            continue;
        }
        let label_w = rows
            .iter()
            .map(|r| r.label.chars().count())
            .chain(["requirement".len()])
            .max()
            .unwrap_or(0);
        let title_w = rows
            .iter()
            .map(|r| r.title.chars().count().min(TITLE_WIDTH))
            .chain(["title".len()])
            .max()
            .unwrap_or(0);
        let status_w = "partially compliant".len().max(
            rows.iter()
                .filter(|r| r.attestation == Some(vigie_core::rollup::AttestationState::Attested))
                .map(|r| status_words(r.status).len() + " (attested)".len())
                .max()
                .unwrap_or(0),
        );
        let _ = writeln!(
            out,
            "  {}",
            p.dim(&format!(
                "{}  {}  {}  {:>6}  {:>6}  {:>6}  {:>8}",
                pad("requirement", label_w),
                pad("title", title_w),
                pad("status", status_w),
                "passed",
                "failed",
                "waived",
                "subjects"
            ))
        );
        for r in rows {
            let t = r.tally;
            let _ = writeln!(
                out,
                "  {}  {}  {}  {:>6}  {:>6}  {:>6}  {:>8}",
                pad(&one_line(&r.label), label_w),
                pad(&cut(&one_line(&r.title), TITLE_WIDTH), title_w),
                p.status(
                    r.status,
                    &pad(
                        &match r.attestation {
                            Some(vigie_core::rollup::AttestationState::Attested) => {
                                format!("{} (attested)", status_words(r.status))
                            }
                            _ => status_words(r.status).to_string(),
                        },
                        status_w
                    )
                ),
                t.passed,
                t.failed,
                t.waived,
                t.subjects
            );
        }
        if hidden > 0 {
            let _ = writeln!(
                out,
                "  {}",
                p.dim(&format!(
                    "… and {} (-v lists them)",
                    plural(
                        hidden,
                        "requirement not assessed",
                        "requirements not assessed"
                    )
                ))
            );
        }
    }
}

fn verdict_line(out: &mut String, cx: &Context<'_>, p: &Paint) {
    let g = cx.gate();
    let fail_on = cx.report.fail_on;
    let _ = writeln!(out);
    if g.failed {
        let mut parts = Vec::new();
        if g.failures > 0 {
            let mut s = format!(
                "{} at or above {fail_on}",
                plural(g.failures, "failure", "failures")
            );
            if g.waived > 0 {
                let _ = write!(s, " ({} waived)", g.waived);
            }
            let _ = write!(s, " in {}", plural(g.controls, "control", "controls"));
            parts.push(s);
        }
        if g.diagnostics > 0 {
            parts.push(format!(
                "{} at or above {fail_on} ({})",
                plural(g.diagnostics, "diagnostic", "diagnostics"),
                gating_diagnostics(cx.report)
            ));
        }
        let _ = writeln!(out, "{}: {}", p.red("FAIL"), parts.join(", "));
    } else {
        let mut extra = Vec::new();
        if g.failures_below > 0 {
            extra.push(format!(
                "{} below {fail_on}",
                plural(g.failures_below, "failure", "failures")
            ));
        }
        if g.waived > 0 {
            extra.push(format!("{} waived", g.waived));
        }
        if g.attested > 0 {
            extra.push(format!(
                "{} attested",
                plural(g.attested, "control", "controls")
            ));
        }
        if g.todo > 0 {
            extra.push(format!(
                "{} to do",
                plural(g.todo, "attestation", "attestations")
            ));
        }
        let mut s = format!("no failure at or above {fail_on}");
        if !extra.is_empty() {
            let _ = write!(s, " ({})", extra.join(", "));
        }
        let _ = writeln!(out, "{}: {s}", p.paint("1;32", "PASS"));
    }
}

/// The diagnostics that fail the gate, named: `VG-PARSE at compose.yml:3:1`, the first three.
fn gating_diagnostics(report: &ScanReport) -> String {
    const SHOWN: usize = 3;
    let all: Vec<String> = report
        .gating_diagnostics()
        .map(|d| format!("{} at {}", d.code, loc(&d.location)))
        .collect();
    let mut s = all
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if all.len() > SHOWN {
        let _ = write!(s, " and {} more", all.len() - SHOWN);
    }
    s
}
