//! Text, JSON, SARIF 2.1.0 and JUnit renderings of a secrets scan. Secrets are redacted (first four
//! characters and the length) unless `show_secrets`. The scan report renderers of vigie-report
//! are built around controls and verdicts, not grouped secrets with many locations, so the
//! documents are assembled here; JUnit goes through quick-junit, the serialiser vigie-report uses.

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

/// The report in `format`; `None` for SARIF, which `vigie secrets` writes through the scan's
/// SARIF writer so that one secret is one alert whichever command found it.
pub fn render(out: &Outcome, format: Format, show_secrets: bool, color: bool) -> Option<String> {
    match format {
        Format::Text => Some(text(out, show_secrets, color)),
        Format::Json => {
            Some(serde_json::to_string_pretty(&json(out, show_secrets)).unwrap_or_default() + "\n")
        }
        Format::Sarif => None,
        Format::Junit => Some(junit(out, show_secrets)),
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
        "rules": f.rules,
        "controls": f.controls.iter().map(|c| c.id()).collect::<Vec<_>>(),
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

/// JUnit XML through quick-junit, the serialiser vigie's scan reports use: one failing test case
/// per secret (its locations and fingerprint in the body), or one passing case when none was found.
pub fn junit(out: &Outcome, show: bool) -> String {
    use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("vigie secrets");
    let mut suite = TestSuite::new(format!("secrets ({})", scope_name(out.scope)));
    suite.set_time(out.stats.elapsed);
    suite.add_property(Property::new("scope", scope_name(out.scope)));
    suite.add_property(Property::new("scanned", out.stats.scanned.to_string()));
    if out.findings.is_empty() {
        let mut case = TestCase::new(
            format!("no secret in the {}", scope_name(out.scope)),
            TestCaseStatus::success(),
        );
        case.set_classname("secrets");
        suite.add_test_case(case);
    }
    for f in &out.findings {
        let first = &f.locations[0];
        let body: Vec<String> = f.locations.iter().map(|l| l.display()).collect();
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status
            .set_message(format!("{}: {}", f.description, f.shown_secret(show)))
            .set_type(f.severity.to_string())
            .set_description(format!(
                "fingerprint {}\n{}",
                f.fingerprint,
                body.join("\n")
            ));
        let mut case = TestCase::new(format!("{} at {}", f.rule_id, first.display()), status);
        case.set_classname(format!("secrets.{}", f.control.id()));
        suite.add_test_case(case);
    }
    report.add_test_suite(suite);
    match report.to_string() {
        Ok(mut s) => {
            if !s.ends_with('\n') {
                s.push('\n');
            }
            s
        }
        // quick-junit only fails on a writer error, which a String never gives.
        Err(e) => format!("<!-- JUnit serialisation failed: {e} -->\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Grouper, SecretLocation};
    use crate::rules::RuleSet;
    use crate::{Note, Stats};

    fn outcome() -> Outcome {
        let set = RuleSet::builtin();
        let rule = set
            .rules
            .iter()
            .find(|r| r.id == "aws-access-key-id")
            .expect("built-in rule");
        let mut g = Grouper::default();
        for (path, line) in [("a<&>\"'.yml", 2), ("b.yml", 7)] {
            g.add(
                rule,
                b"AKIAZQ3DRSLTWUMN6HGA",
                b"key: \0",
                SecretLocation::in_file(path.to_string(), line, 3),
            );
        }
        Outcome {
            scope: Scope::WorkingTree,
            findings: g.finish(),
            notes: vec![Note::new(
                vigie_core::DiagKind::Io,
                "x\u{1}y",
                "cannot be read <here>",
            )],
            stats: Stats::default(),
        }
    }

    /// An element's name and attributes.
    type Element = (String, Vec<(String, String)>);

    /// Parse XML back, returning its elements in document order (panics when it is not well-formed).
    fn parse_xml(xml: &str) -> Vec<Element> {
        use quick_xml::events::Event;
        let mut r = quick_xml::Reader::from_str(xml);
        let mut elements = Vec::new();
        loop {
            match r.read_event().expect("well-formed XML") {
                Event::Start(e) | Event::Empty(e) => {
                    let attrs = e
                        .attributes()
                        .map(|a| {
                            let a = a.expect("well-formed attribute");
                            (
                                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                    .expect("escaped value")
                                    .into_owned(),
                            )
                        })
                        .collect();
                    elements.push((
                        String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
                        attrs,
                    ));
                }
                Event::Text(t) => {
                    t.decode().expect("text");
                }
                Event::Eof => break,
                _ => {}
            }
        }
        elements
    }

    #[test]
    fn junit_parses_back_with_one_failure_per_secret() {
        let xml = junit(&outcome(), false);
        assert!(
            !xml.contains("AKIAZQ3DRSLTWUMN6HGA"),
            "secret in full: {xml}"
        );
        let elements = parse_xml(&xml);
        let cases: Vec<_> = elements.iter().filter(|e| e.0 == "testcase").collect();
        let failures: Vec<_> = elements.iter().filter(|e| e.0 == "failure").collect();
        assert_eq!((cases.len(), failures.len()), (1, 1), "{xml}");
        let attr = |e: &Element, k: &str| {
            e.1.iter()
                .find(|a| a.0 == k)
                .map(|a| a.1.clone())
                .unwrap_or_default()
        };
        assert!(attr(cases[0], "name").starts_with("aws-access-key-id at a<&>\"'.yml:2:3"));
        assert_eq!(attr(cases[0], "classname"), "secrets.SEC-01");
        assert!(attr(failures[0], "message").contains("AKIA…(20 chars)"));
        let suite = elements.iter().find(|e| e.0 == "testsuite").unwrap();
        assert_eq!(attr(suite, "failures"), "1");

        let clean = Outcome {
            findings: Vec::new(),
            ..outcome()
        };
        let elements = parse_xml(&junit(&clean, false));
        assert_eq!(elements.iter().filter(|e| e.0 == "testcase").count(), 1);
        assert_eq!(elements.iter().filter(|e| e.0 == "failure").count(), 0);
    }
}
