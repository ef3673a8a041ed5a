//! SARIF 2.1.0, in the shape GitHub code scanning accepts: one run, a rule per check (and per
//! diagnostic code that occurs), a result per failing or waived verdict and per diagnostic.
//! Passing verdicts are not results; attested controls are (`kind: pass`, marked attested, so
//! that they are not mistaken for proven ones), and attestations to do are `review` results.

use crate::common::{Context, one_line};
use serde_json::{Value, json};
use serde_sarif::sarif;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use vigie_core::rollup::Todo;
use vigie_core::verdict::{ATTESTATION, ATTESTATION_CHECK};
use vigie_core::{
    CheckDoc, DiagKind, Diagnostic, Location, Outcome, ScanReport, Severity, Verdict,
};

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");
/// The key of vigie's partial fingerprint; bump the version when its recipe changes.
const FINGERPRINT_KEY: &str = "vigie/v1";
/// GitHub keeps at most this many tags per rule.
const MAX_TAGS: usize = 20;

pub(crate) fn render(report: &ScanReport) -> String {
    let cx = Context::new(report);
    let diag_kinds: BTreeSet<DiagKind> = report.diagnostics.iter().map(|d| d.kind).collect();
    // attested controls and attestations to do are results of their own rule
    let reported = |id: &str| report.rollup.controls.iter().any(|c| c.id == id);
    let attested: Vec<&Verdict> = report
        .verdicts
        .iter()
        .filter(|v| v.outcome == Outcome::Attested && reported(&v.subject))
        .collect();
    let attest_rule = !attested.is_empty() || !report.rollup.todo.is_empty();
    let mut rules: Vec<sarif::ReportingDescriptor> =
        report.checks.iter().map(|c| check_rule(&cx, c)).collect();
    if attest_rule {
        rules.push(check_rule(&cx, &ATTESTATION));
    }
    rules.extend(diag_kinds.iter().map(|k| diag_rule(*k)));
    let rule_index: BTreeMap<&str, usize> = report
        .checks
        .iter()
        .map(|c| c.id)
        .chain(attest_rule.then_some(ATTESTATION_CHECK))
        .chain(diag_kinds.iter().map(|k| k.code()))
        .enumerate()
        .map(|(i, id)| (id, i))
        .collect();

    let mut results: Vec<sarif::Result> = cx
        .scoped_verdicts()
        .filter(|v| !v.is_pass())
        .map(|v| verdict_result(&cx, v, rule_index.get(v.check).copied()))
        .collect();
    let attest_index = rule_index.get(ATTESTATION_CHECK).copied();
    results.extend(attested.iter().map(|v| attested_result(v, attest_index)));
    results.extend(
        report
            .rollup
            .todo
            .iter()
            .map(|t| todo_result(t, attest_index)),
    );
    results.extend(
        report
            .diagnostics
            .iter()
            .map(|d| diag_result(d, rule_index.get(d.code).copied())),
    );

    let driver = sarif::ToolComponent::builder()
        .name("vigie")
        .full_name(format!("vigie {}", report.tool_version))
        .version(report.tool_version)
        .semantic_version(report.tool_version)
        .information_uri(INFORMATION_URI)
        .rules(rules)
        .build();
    let run = sarif::Run::builder()
        .tool(driver)
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(BTreeMap::from([
                    ("root".to_string(), json!(report.root)),
                    ("asOf".to_string(), json!(report.as_of)),
                    ("frameworks".to_string(), json!(report.frameworks)),
                    ("failOn".to_string(), json!(report.fail_on.as_str())),
                    (
                        "result".to_string(),
                        json!(if report.gate_failed() { "fail" } else { "pass" }),
                    ),
                ]))
                .build(),
        )
        .build();
    let log = sarif::Sarif::builder()
        .schema(SARIF_SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    match serde_json::to_string_pretty(&log) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(e) => format!(
            "{}\n",
            json!({ "version": "2.1.0", "runs": [], "properties": { "error": e.to_string() } })
        ),
    }
}

fn level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Critical | Severity::High => sarif::ResultLevel::Error,
        Severity::Medium => sarif::ResultLevel::Warning,
        Severity::Low | Severity::Info => sarif::ResultLevel::Note,
    }
}

fn level_value(s: Severity) -> Value {
    json!(match level(s) {
        sarif::ResultLevel::Error => "error",
        sarif::ResultLevel::Warning => "warning",
        sarif::ResultLevel::Note => "note",
        sarif::ResultLevel::None => "none",
    })
}

/// GitHub's `security-severity`: 9.0 and above is critical, 7.0 high, 4.0 medium, below low.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.0",
        Severity::High => "7.0",
        Severity::Medium => "5.0",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// The code-fence language of a file kind.
fn fence_language(kind: &str) -> &str {
    match kind {
        "compose" | "kubernetes" | "yaml" => "yaml",
        "dockerfile" => "dockerfile",
        "json" => "json",
        "toml" => "toml",
        _ => "",
    }
}

/// A fence longer than any run of backticks in the text.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn help(doc: &CheckDoc) -> (String, String) {
    let mut text = String::new();
    let mut md = String::new();
    for (heading, body) in [
        ("What it checks", doc.what),
        ("Why it matters", doc.why),
        ("How to fix", doc.fix),
    ] {
        if body.trim().is_empty() {
            continue;
        }
        let _ = writeln!(text, "{heading}: {}\n", body.trim());
        let _ = writeln!(md, "**{heading}**\n\n{}\n", body.trim());
    }
    for (heading, (example, kind)) in [
        ("Failing example", doc.failing),
        ("Passing example", doc.passing),
    ] {
        if example.trim().is_empty() {
            continue;
        }
        let _ = writeln!(text, "{heading} ({kind}):\n{}\n", example.trim_end());
        let f = fence(example);
        let _ = writeln!(
            md,
            "**{heading}**\n\n{f}{}\n{}\n{f}\n",
            fence_language(kind),
            example.trim_end()
        );
    }
    (text.trim_end().to_string(), md.trim_end().to_string())
}

fn check_rule(cx: &Context<'_>, doc: &CheckDoc) -> sarif::ReportingDescriptor {
    let controls = cx.control_ids(doc.id);
    let requirements: Vec<String> = cx
        .requirements_of(doc.id)
        .iter()
        .map(|r| r.label.clone())
        .collect();
    let mut tags: Vec<String> = vec!["security".to_string()];
    tags.extend(controls.iter().map(|c| c.to_string()));
    for r in cx.requirements_of(doc.id) {
        let tag = format!("{}/{}", r.framework, r.requirement);
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags.truncate(MAX_TAGS);
    let (help_text, help_md) = help(doc);
    let full = if doc.what.trim().is_empty() {
        doc.title
    } else {
        doc.what.trim()
    };
    sarif::ReportingDescriptor::builder()
        .id(doc.id)
        .name(rule_name(doc.title))
        .short_description(message_string(doc.title, None))
        .full_description(message_string(full, None))
        .help(message_string(&help_text, Some(help_md)))
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(level_value(doc.severity))
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(tags)
                .additional_properties(BTreeMap::from([
                    (
                        "security-severity".to_string(),
                        json!(security_severity(doc.severity)),
                    ),
                    ("severity".to_string(), json!(doc.severity.as_str())),
                    ("controls".to_string(), json!(controls)),
                    ("requirements".to_string(), json!(requirements)),
                ]))
                .build(),
        )
        .build()
}

fn diag_rule(kind: DiagKind) -> sarif::ReportingDescriptor {
    let severity = kind.severity();
    sarif::ReportingDescriptor::builder()
        .id(kind.code())
        .name(rule_name(&kind.code().replace("VG-", "").to_lowercase()))
        .short_description(message_string(kind.describe(), None))
        .full_description(message_string(kind.describe(), None))
        .help(message_string(
            &format!(
                "{} vigie reports it so that nothing in the repository is skipped silently.",
                kind.describe()
            ),
            None,
        ))
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(level_value(severity))
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(vec!["vigie-diagnostic".to_string()])
                .additional_properties(BTreeMap::from([(
                    "severity".to_string(),
                    json!(severity.as_str()),
                )]))
                .build(),
        )
        .build()
}

/// A rule name in PascalCase, as SARIF viewers expect: `ContainersRunAsANonRootUser`.
fn rule_name(title: &str) -> String {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(first) => first.to_uppercase().chain(cs).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

fn message_string(text: &str, markdown: Option<String>) -> sarif::MultiformatMessageString {
    match markdown {
        Some(md) => sarif::MultiformatMessageString::builder()
            .text(text)
            .markdown(md)
            .build(),
        None => sarif::MultiformatMessageString::builder()
            .text(text)
            .build(),
    }
}

/// A relative path as a URI reference: every byte outside the unreserved set and `/` encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn location(loc: &Location, id: Option<i64>, message: Option<&str>) -> sarif::Location {
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(
            sarif::ArtifactLocation::builder()
                .uri(uri(&loc.path))
                .uri_base_id("%SRCROOT%")
                .build(),
        )
        .region(
            sarif::Region::builder()
                .start_line(i64::from(loc.line.max(1)))
                .start_column(i64::from(loc.column.max(1)))
                .build(),
        )
        .build();
    let mut l = sarif::Location::builder()
        .physical_location(physical)
        .build();
    l.id = id;
    l.message = message.map(sarif::Message::from);
    l
}

/// sha256 hex of the parts, each ended by a NUL so that no two splits collide.
fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    h.finalize()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn verdict_result(cx: &Context<'_>, v: &Verdict, rule_index: Option<usize>) -> sarif::Result {
    let mut text = format!("{}: {}", v.subject, one_line(&v.message));
    if let Some(fix) = v.fix() {
        if !text.ends_with(['.', '!', '?']) {
            text.push('.');
        }
        let _ = write!(text, " Fix: {}", one_line(fix));
    }
    let mut props = BTreeMap::from([
        ("subject".to_string(), json!(v.subject)),
        ("severity".to_string(), json!(v.severity.as_str())),
        ("controls".to_string(), json!(cx.control_ids(v.check))),
        (
            "requirements".to_string(),
            json!(
                cx.requirements_of(v.check)
                    .iter()
                    .map(|r| r.label.as_str())
                    .collect::<Vec<_>>()
            ),
        ),
    ]);
    if let Some(fix) = v.fix() {
        props.insert("fix".to_string(), json!(fix));
    }
    if let Some(w) = v.expired_waiver() {
        props.insert(
            "expiredWaiver".to_string(),
            json!({ "reason": w.reason, "owner": w.owner, "expires": w.expires }),
        );
    }
    let mut r = sarif::Result::builder()
        .rule_id(v.check)
        .message(sarif::Message::builder().text(text).build())
        .level(level(v.severity))
        .kind(sarif::ResultKind::Fail)
        .locations(vec![location(&v.location, None, None)])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            fingerprint(&[v.check, &v.subject, &v.location.path, &v.message]),
        )]))
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(props)
                .build(),
        )
        .build();
    r.rule_index = rule_index.and_then(|i| i64::try_from(i).ok());
    if !v.related().is_empty() {
        r.related_locations = Some(
            v.related()
                .iter()
                .zip(1i64..)
                .map(|(l, id)| location(l, Some(id), Some("related")))
                .collect(),
        );
    }
    if let Some(w) = v.waiver() {
        let mut extra = BTreeMap::new();
        if let Some(o) = &w.owner {
            extra.insert("owner".to_string(), json!(o));
        }
        if let Some(e) = &w.expires {
            extra.insert("expires".to_string(), json!(e));
        }
        let mut s = sarif::Suppression::builder()
            .kind(json!("external"))
            .justification(w.reason.clone())
            .status(json!("accepted"))
            .location(location(&w.source, None, None))
            .build();
        if !extra.is_empty() {
            s.properties = Some(
                sarif::PropertyBag::builder()
                    .additional_properties(extra)
                    .build(),
            );
        }
        r.suppressions = Some(vec![s]);
    }
    r
}

/// A control vouched for by a person: a `pass` result, marked attested (not proven).
fn attested_result(v: &Verdict, rule_index: Option<usize>) -> sarif::Result {
    let mut props = BTreeMap::from([
        ("attested".to_string(), json!(true)),
        ("controls".to_string(), json!([&*v.subject])),
    ]);
    if let Some(a) = v.attestation_record() {
        props.insert("attestation".to_string(), json!(a));
    }
    let mut r = sarif::Result::builder()
        .rule_id(ATTESTATION_CHECK)
        .message(
            sarif::Message::builder()
                .text(format!("{} attested: {}", v.subject, one_line(&v.message)))
                .build(),
        )
        .level(sarif::ResultLevel::None)
        .kind(sarif::ResultKind::Pass)
        .locations(vec![location(&v.location, None, None)])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            fingerprint(&[ATTESTATION_CHECK, &v.subject, &v.location.path, "attested"]),
        )]))
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(props)
                .build(),
        )
        .build();
    r.rule_index = rule_index.and_then(|i| i64::try_from(i).ok());
    r
}

/// An attestation to record or renew: a `review` result naming its owner.
fn todo_result(t: &Todo, rule_index: Option<usize>) -> sarif::Result {
    let text = match (&t.expires, &t.owner) {
        (Some(e), Some(o)) => format!(
            "{} {}: the attestation by {} expired on {}; renew it with `vigie attest {}`",
            t.control,
            one_line(&t.title),
            one_line(o),
            one_line(e),
            t.control
        ),
        _ => format!(
            "{} {}: needs an attestation, none is recorded; record it with `vigie attest {}`",
            t.control,
            one_line(&t.title),
            t.control
        ),
    };
    let mut props = BTreeMap::from([
        ("attestation".to_string(), json!(t.state.as_str())),
        ("controls".to_string(), json!([t.control])),
    ]);
    if let Some(o) = &t.owner {
        props.insert("owner".to_string(), json!(o));
    }
    let mut b = sarif::Result::builder()
        .rule_id(ATTESTATION_CHECK)
        .message(sarif::Message::builder().text(text).build())
        .level(sarif::ResultLevel::Note)
        .kind(sarif::ResultKind::Review)
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            fingerprint(&[ATTESTATION_CHECK, &t.control, t.state.as_str()]),
        )]))
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(props)
                .build(),
        )
        .build();
    if let Some(l) = &t.location {
        b.locations = Some(vec![location(l, None, None)]);
    }
    b.rule_index = rule_index.and_then(|i| i64::try_from(i).ok());
    b
}

fn diag_result(d: &Diagnostic, rule_index: Option<usize>) -> sarif::Result {
    let mut r = sarif::Result::builder()
        .rule_id(d.code)
        .message(sarif::Message::builder().text(one_line(&d.message)).build())
        .level(level(d.severity))
        .kind(sarif::ResultKind::Fail)
        .locations(vec![location(&d.location, None, None)])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            fingerprint(&[d.code, &d.location.path, &d.message]),
        )]))
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(BTreeMap::from([(
                    "severity".to_string(),
                    json!(d.severity.as_str()),
                )]))
                .build(),
        )
        .build();
    r.rule_index = rule_index.and_then(|i| i64::try_from(i).ok());
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded_relative_paths() {
        assert_eq!(uri("a/b-c_d.yml"), "a/b-c_d.yml");
        assert_eq!(uri("my dir/é.yml"), "my%20dir/%C3%A9.yml");
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(
            rule_name("Containers run as a non-root user"),
            "ContainersRunAsANonRootUser"
        );
        assert_eq!(rule_name("too-large"), "TooLarge");
    }

    #[test]
    fn fingerprints_are_sha256_hex_and_split_aware() {
        let a = fingerprint(&["ab", "c"]);
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, fingerprint(&["a", "bc"]));
    }

    #[test]
    fn fences_outgrow_backticks() {
        assert_eq!(fence("plain"), "```");
        assert_eq!(fence("a ```` b"), "`````");
    }
}
