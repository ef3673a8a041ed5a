//! Text, JSON, SARIF 2.1.0 and JUnit renderings of a secrets scan. Secrets are redacted (first four
//! characters and the length) unless `show_secrets`. Small serialisers of their own: the scan
//! report renderers of vigie-report are built around controls and verdicts, not grouped secrets
//! with many locations.

use crate::findings::{Finding, by_control};
use crate::{Outcome, Scope};
use serde_json::{Value, json};
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "text" => Some(Format::Text),
            "json" => Some(Format::Json),
            "sarif" => Some(Format::Sarif),
            "junit" | "xml" => Some(Format::Junit),
            _ => None,
        }
    }
}

pub fn render(out: &Outcome, format: Format, show_secrets: bool, color: bool) -> String {
    match format {
        Format::Text => text(out, show_secrets, color),
        Format::Json => {
            serde_json::to_string_pretty(&json(out, show_secrets)).unwrap_or_default() + "\n"
        }
        Format::Sarif => {
            serde_json::to_string_pretty(&sarif(out, show_secrets)).unwrap_or_default() + "\n"
        }
        Format::Junit => junit(out, show_secrets),
    }
}

fn scope_name(s: Scope) -> &'static str {
    match s {
        Scope::WorkingTree => "working tree",
        Scope::Staged => "staged changes",
        Scope::History => "git history",
    }
}

fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

pub fn text(out: &Outcome, show: bool, color: bool) -> String {
    let mut s = String::new();
    for f in &out.findings {
        let _ = writeln!(
            s,
            "{} {} [{}] {} — {}",
            paint(color, "1;31", &f.severity.to_string().to_uppercase()),
            paint(color, "1", &f.rule_id),
            f.control.id(),
            f.description,
            f.shown_secret(show)
        );
        let _ = writeln!(s, "    fingerprint {}", f.fingerprint);
        if let Some(h) = f.present_at_head() {
            let _ = writeln!(
                s,
                "    {}",
                if h {
                    "still present at HEAD"
                } else {
                    "no longer at HEAD (still in the history: rotate it)"
                }
            );
        }
        let n = f.locations.len();
        if n > 1 {
            let _ = writeln!(s, "    {n} locations:");
        }
        for l in f.locations.iter().take(20) {
            let _ = writeln!(s, "    at {}", l.display());
        }
        if n > 20 {
            let _ = writeln!(s, "    … and {} more", n - 20);
        }
    }
    for n in &out.notes {
        let at = if n.path.is_empty() {
            String::new()
        } else {
            format!("{}: ", n.path)
        };
        let _ = writeln!(s, "note [{}] {at}{}", n.kind.code(), n.message);
    }
    let st = &out.stats;
    let mut summary = format!(
        "{} secret(s) found in the {} ({} {} read, {:.1} MB, {} rules",
        out.findings.len(),
        scope_name(out.scope),
        st.scanned,
        if out.scope == Scope::History {
            "blobs"
        } else {
            "files"
        },
        st.bytes as f64 / 1e6,
        st.rules
    );
    if out.scope == Scope::History {
        let _ = write!(summary, ", {} commits", st.commits);
    }
    let _ = write!(summary, ", {:.2}s)", st.elapsed.as_secs_f64());
    let mut extra = Vec::new();
    for (what, n) in [
        ("binary skipped", st.skipped_binary),
        ("over the size limit", st.skipped_large),
        ("allowed inline", st.inline_allowed),
        ("allowlisted", st.allowlisted),
        ("in the baseline", st.baselined),
        ("in .gitleaksignore", st.ignored),
    ] {
        if n > 0 {
            extra.push(format!("{n} {what}"));
        }
    }
    if !extra.is_empty() {
        let _ = write!(summary, "; {}", extra.join(", "));
    }
    let _ = writeln!(s, "{summary}");
    s
}

fn finding_json(f: &Finding, show: bool) -> Value {
    json!({
        "rule": f.rule_id,
        "description": f.description,
        "severity": f.severity.to_string(),
        "control": f.control.id(),
        "tags": f.tags,
        "secret": f.shown_secret(show),
        "fingerprint": f.fingerprint,
        "count": f.locations.len(),
        "present_at_head": f.present_at_head(),
        "locations": f.locations,
    })
}

pub fn json(out: &Outcome, show: bool) -> Value {
    json!({
        "tool": "vigie",
        "version": env!("CARGO_PKG_VERSION"),
        "scope": out.scope,
        "findings": out.findings.iter().map(|f| finding_json(f, show)).collect::<Vec<_>>(),
        "by_control": by_control(&out.findings),
        "notes": out.notes,
        "stats": out.stats,
    })
}

fn level(f: &Finding) -> &'static str {
    use vigie_core::Severity::*;
    match f.severity {
        Critical | High => "error",
        Medium => "warning",
        Low | Info => "note",
    }
}

pub fn sarif(out: &Outcome, show: bool) -> Value {
    let mut rule_ids: Vec<&str> = out.findings.iter().map(|f| f.rule_id.as_str()).collect();
    rule_ids.sort();
    rule_ids.dedup();
    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|id| {
            let f = out
                .findings
                .iter()
                .find(|f| f.rule_id == *id)
                .expect("listed from findings");
            json!({
                "id": id,
                "shortDescription": {"text": f.description},
                "properties": {"control": f.control.id(), "tags": f.tags},
            })
        })
        .collect();
    let results: Vec<Value> = out
        .findings
        .iter()
        .map(|f| {
            let locations: Vec<Value> = f
                .locations
                .iter()
                .map(|l| {
                    let mut phys = json!({"artifactLocation": {"uri": l.path}});
                    if l.line > 0 {
                        phys["region"] = json!({"startLine": l.line, "startColumn": l.column.max(1)});
                    }
                    let mut loc = json!({"physicalLocation": phys});
                    if let Some(c) = &l.commit {
                        loc["properties"] = json!({"commit": c.id, "date": c.date, "author": c.author, "atHead": l.at_head});
                    }
                    loc
                })
                .collect();
            let rule_index = rule_ids.iter().position(|r| *r == f.rule_id).unwrap_or(0);
            json!({
                "ruleId": f.rule_id,
                "ruleIndex": rule_index,
                "level": level(f),
                "message": {"text": format!("{}: {} ({} location(s))", f.description, f.shown_secret(show), f.locations.len())},
                "locations": locations,
                "partialFingerprints": {"vigieSecret/v1": f.fingerprint},
                "properties": {"control": f.control.id(), "severity": f.severity.to_string(), "count": f.locations.len()},
            })
        })
        .collect();
    let notifications: Vec<Value> = out
        .notes
        .iter()
        .map(|n| json!({"message": {"text": format!("{}: {}", n.path, n.message)}, "level": "note", "descriptor": {"id": n.kind.code()}}))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "vigie", "version": env!("CARGO_PKG_VERSION"), "informationUri": "https://example.invalid/vigie", "rules": rules}},
            "results": results,
            "invocations": [{"executionSuccessful": true, "toolExecutionNotifications": notifications}],
        }]
    })
}

fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

pub fn junit(out: &Outcome, show: bool) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let n = out.findings.len().max(1);
    let _ = writeln!(
        s,
        "<testsuites name=\"vigie secrets\" tests=\"{n}\" failures=\"{}\">",
        out.findings.len()
    );
    let _ = writeln!(
        s,
        "  <testsuite name=\"secrets ({})\" tests=\"{n}\" failures=\"{}\" time=\"{:.3}\">",
        scope_name(out.scope),
        out.findings.len(),
        out.stats.elapsed.as_secs_f64()
    );
    if out.findings.is_empty() {
        let _ = writeln!(
            s,
            "    <testcase classname=\"secrets\" name=\"no secret in the {}\"/>",
            scope_name(out.scope)
        );
    }
    for f in &out.findings {
        let first = &f.locations[0];
        let _ = writeln!(
            s,
            "    <testcase classname=\"secrets.{}\" name=\"{}\">",
            f.control.id(),
            xml_escape(&format!("{} at {}", f.rule_id, first.display()))
        );
        let body: Vec<String> = f.locations.iter().map(|l| l.display()).collect();
        let _ = writeln!(
            s,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            xml_escape(&format!("{}: {}", f.description, f.shown_secret(show))),
            f.severity,
            xml_escape(&format!(
                "fingerprint {}\n{}",
                f.fingerprint,
                body.join("\n")
            ))
        );
        let _ = writeln!(s, "    </testcase>");
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    s
}
