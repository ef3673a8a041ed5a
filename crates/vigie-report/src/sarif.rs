//! SARIF 2.1.0, in the shape GitHub code scanning accepts: one run, a rule per check (and per
//! diagnostic code that occurs), a result per failing or waived verdict and per diagnostic.
//! Passing verdicts are not results; attested controls are (`kind: pass`, marked attested, so
//! that they are not mistaken for proven ones). An attestation to renew is a `review` result at
//! its expired entry; one never recorded has no line to point at, and GitHub rejects a result
//! without a location, so it is listed in the run's `attestationsTodo` property instead (the
//! roadmap lists it too).
//!
//! URIs are relative to the repository root (`%SRCROOT%`, described in `originalUriBaseIds`),
//! as GitHub resolves them, whichever folder of the repository was scanned: [`SarifBase`] says
//! where the scanned folder sits. A result about the repository as a whole (no file) points at
//! the scanned folder's `vigie.toml`, where its checks are configured and waived.

use crate::common::{Context, Gaps, also_fails_words, one_line};
use serde_json::{Value, json};
use serde_sarif::sarif;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use vigie_core::changes::Changes;
use vigie_core::rollup::Todo;
use vigie_core::verdict::{ATTESTATION, ATTESTATION_CHECK};
use vigie_core::{
    CheckDoc, DiagKind, Diagnostic, Location, Outcome, ScanReport, Severity, Verdict,
};

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key of vigie's partial fingerprint; bump the version when its recipe changes.
/// v2: paths relative to the repository root, and an occurrence number among identical results.
pub const FINGERPRINT_KEY: &str = "vigie/v2";
/// GitHub keeps at most this many tags per rule.
const MAX_TAGS: usize = 20;
/// The base every artifact URI is relative to.
const SRCROOT: &str = "%SRCROOT%";
/// Where a result about the repository as a whole points: the configuration of its checks.
const REPOSITORY_FILE: &str = "vigie.toml";

/// Where the scanned folder sits in its repository.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SarifBase {
    /// The scanned folder relative to the repository root, `/`-separated and ending in `/`;
    /// empty when the repository root itself was scanned.
    pub prefix: String,
    /// The repository root as an absolute `file:` URI ending in `/` (`originalUriBaseIds`).
    pub root_uri: Option<String>,
}

impl SarifBase {
    /// The repository holding `scanned` (a folder or a file): the nearest ancestor with a
    /// `.git` entry; without one, the scanned folder is the root.
    pub fn locate(scanned: &Path) -> SarifBase {
        let Ok(abs) = std::fs::canonicalize(scanned) else {
            return SarifBase::default();
        };
        let folder = if abs.is_file() {
            abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf)
        } else {
            abs
        };
        let root: PathBuf = folder
            .ancestors()
            .find(|a| a.join(".git").exists())
            .unwrap_or(&folder)
            .to_path_buf();
        let prefix = folder
            .strip_prefix(&root)
            .map(|rel| {
                rel.components()
                    .map(|c| format!("{}/", c.as_os_str().to_string_lossy()))
                    .collect::<String>()
            })
            .unwrap_or_default();
        SarifBase {
            prefix,
            root_uri: Some(file_uri(&root)),
        }
    }

    /// A report path (relative to the scanned folder) as a path relative to the repository root.
    fn repository_path(&self, path: &str) -> String {
        let path = path.trim_start_matches("./");
        if path.is_empty() || path == "." {
            format!("{}{REPOSITORY_FILE}", self.prefix)
        } else {
            format!("{}{path}", self.prefix)
        }
    }
}

/// An absolute path as a `file:` URI naming a folder (ending in `/`).
fn file_uri(abs: &Path) -> String {
    let mut path = abs.to_string_lossy().replace('\\', "/");
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    format!("file://{}", uri(&path))
}

pub(crate) fn render(report: &ScanReport) -> String {
    render_at(report, &SarifBase::default())
}

/// The SARIF log of a report whose scanned folder sits at `base` in its repository.
pub(crate) fn render_at(report: &ScanReport, base: &SarifBase) -> String {
    let cx = Context::new(report);
    let mut w = Writer {
        base,
        seen: HashMap::new(),
    };
    let diag_kinds: BTreeSet<DiagKind> = report.diagnostics.iter().map(|d| d.kind).collect();
    // attested controls and attestations to do are results of their own rule
    let reported = |id: &str| report.rollup.controls.iter().any(|c| c.id == id);
    let attested: Vec<&Verdict> = report
        .verdicts
        .iter()
        .filter(|v| v.outcome == Outcome::Attested && reported(&v.subject))
        .collect();
    let located_todo: Vec<&Todo> = report
        .rollup
        .todo
        .iter()
        .filter(|t| t.location.is_some())
        .collect();
    let attest_rule = !attested.is_empty() || !located_todo.is_empty();
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

    let states = baseline_states(report);
    let gaps = Gaps::of(cx.scoped_verdicts());
    let mut results: Vec<sarif::Result> = cx
        .scoped_verdicts()
        // a gap two checks judge is one result, of the check listed for it
        .filter(|v| !v.is_pass() && !gaps.repeats(v))
        .map(|v| {
            let mut r = w.verdict_result(&cx, v, rule_index.get(v.check).copied());
            if let Some(state) = states.get(&address(v)) {
                r.baseline_state = Some(json!(state));
            }
            r
        })
        .collect();
    let attest_index = rule_index.get(ATTESTATION_CHECK).copied();
    results.extend(attested.iter().map(|v| w.attested_result(v, attest_index)));
    results.extend(located_todo.iter().map(|t| w.todo_result(t, attest_index)));
    results.extend(
        report
            .diagnostics
            .iter()
            .map(|d| w.diag_result(d, rule_index.get(d.code).copied())),
    );

    let driver = sarif::ToolComponent::builder()
        .name("vigie")
        .full_name(format!("vigie {}", report.tool_version))
        .version(report.tool_version)
        .semantic_version(report.tool_version)
        .rules(rules)
        .build();
    let mut run_props = BTreeMap::from([
        ("root".to_string(), json!(report.root)),
        ("asOf".to_string(), json!(report.as_of)),
        ("frameworks".to_string(), json!(report.frameworks)),
        ("failOn".to_string(), json!(report.fail_on.as_str())),
        (
            "result".to_string(),
            json!(if report.gate_failed() { "fail" } else { "pass" }),
        ),
    ]);
    if !report.rollup.todo.is_empty() {
        run_props.insert("attestationsTodo".to_string(), json!(report.rollup.todo));
    }
    if let Some(changes) = &report.changes {
        run_props.insert("comparedWith".to_string(), compared_with(changes));
    }
    let mut run = sarif::Run::builder()
        .tool(driver)
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(run_props)
                .build(),
        )
        .build();
    run.original_uri_base_ids = Some(original_uri_base_ids(base));
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

/// `%SRCROOT%`: the repository root, by its absolute URI when it is known.
fn original_uri_base_ids(base: &SarifBase) -> BTreeMap<String, sarif::ArtifactLocation> {
    let description = sarif::Message::from("The root of the repository the scanned folder is in");
    let mut root = sarif::ArtifactLocation::builder()
        .description(description)
        .build();
    root.uri = base.root_uri.clone();
    BTreeMap::from([(SRCROOT.to_string(), root)])
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

/// The code-fence language of an example, from its file kind (`compose`) or file name
/// (`.github/workflows/build.yml`, `package-lock.json`, `Dockerfile`).
fn fence_language(kind: &str) -> &'static str {
    let name = kind.rsplit('/').next().unwrap_or(kind).to_ascii_lowercase();
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    match (name.as_str(), ext) {
        ("compose" | "kubernetes" | "yaml", _) | (_, "yml" | "yaml") => "yaml",
        ("dockerfile" | "containerfile", _) => "dockerfile",
        _ if name.starts_with("dockerfile.") || ext == "dockerfile" => "dockerfile",
        ("json", _) | (_, "json") => "json",
        ("toml", _) | (_, "toml") => "toml",
        ("terraform", _) | (_, "tf") => "hcl",
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
    for (heading, (kind, example)) in [
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

/// Builds results, keeping what the locations and fingerprints need.
struct Writer<'b> {
    base: &'b SarifBase,
    /// How many results with the same fingerprint recipe came before, by recipe.
    seen: HashMap<String, usize>,
}

impl Writer<'_> {
    fn location(&self, loc: &Location, id: Option<i64>, message: Option<&str>) -> sarif::Location {
        let physical = sarif::PhysicalLocation::builder()
            .artifact_location(
                sarif::ArtifactLocation::builder()
                    .uri(uri(&self.base.repository_path(&loc.path)))
                    .uri_base_id(SRCROOT)
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

    /// The partial fingerprint of a result: its recipe (never its line, so that it survives
    /// lines added above it) and how many results of the same recipe came before it in the
    /// report's order (by line), so that identical results at different lines stay apart.
    fn fingerprint(&mut self, parts: &[&str]) -> BTreeMap<String, String> {
        let recipe = fingerprint(parts);
        let n = self.seen.entry(recipe.clone()).or_insert(0);
        let value = if *n == 0 {
            recipe
        } else {
            fingerprint(&[&recipe, &n.to_string()])
        };
        *n += 1;
        BTreeMap::from([(FINGERPRINT_KEY.to_string(), value)])
    }

    fn verdict_result(
        &mut self,
        cx: &Context<'_>,
        v: &Verdict,
        rule_index: Option<usize>,
    ) -> sarif::Result {
        let mut text = format!("{}: {}", v.subject, one_line(&v.message));
        if let Some(fix) = v.fix() {
            if !text.ends_with(['.', '!', '?']) {
                text.push('.');
            }
            let _ = write!(text, " Fix: {}", one_line(fix));
        }
        if let Some(also) = also_fails_words(v) {
            let _ = write!(text, " ({also})");
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
        if !v.also_fails().is_empty() {
            props.insert("alsoFails".to_string(), json!(v.also_fails()));
        }
        if let Some(w) = v.expired_waiver() {
            props.insert(
                "expiredWaiver".to_string(),
                json!({ "reason": w.reason, "owner": w.owner, "expires": w.expires }),
            );
        }
        let path = self.base.repository_path(&v.location.path);
        let mut r = sarif::Result::builder()
            .rule_id(v.check)
            .message(sarif::Message::builder().text(text).build())
            .level(level(v.severity))
            .kind(sarif::ResultKind::Fail)
            .locations(vec![self.location(&v.location, None, None)])
            .partial_fingerprints(self.fingerprint(&verdict_recipe(v, &path)))
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
                    .map(|(l, id)| self.location(l, Some(id), Some("related")))
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
                .location(self.location(&w.source, None, None))
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
    fn attested_result(&mut self, v: &Verdict, rule_index: Option<usize>) -> sarif::Result {
        let mut props = BTreeMap::from([
            ("attested".to_string(), json!(true)),
            ("controls".to_string(), json!([&*v.subject])),
        ]);
        if let Some(a) = v.attestation_record() {
            props.insert("attestation".to_string(), json!(a));
        }
        let path = self.base.repository_path(&v.location.path);
        let mut r = sarif::Result::builder()
            .rule_id(ATTESTATION_CHECK)
            .message(
                sarif::Message::builder()
                    .text(format!("{} attested: {}", v.subject, one_line(&v.message)))
                    .build(),
            )
            .level(sarif::ResultLevel::None)
            .kind(sarif::ResultKind::Pass)
            .locations(vec![self.location(&v.location, None, None)])
            .partial_fingerprints(self.fingerprint(&[
                ATTESTATION_CHECK,
                &v.subject,
                &path,
                "attested",
            ]))
            .properties(
                sarif::PropertyBag::builder()
                    .additional_properties(props)
                    .build(),
            )
            .build();
        r.rule_index = rule_index.and_then(|i| i64::try_from(i).ok());
        r
    }

    /// An expired attestation to renew: a `review` result at its entry, naming its owner.
    fn todo_result(&mut self, t: &Todo, rule_index: Option<usize>) -> sarif::Result {
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
            .partial_fingerprints(self.fingerprint(&[
                ATTESTATION_CHECK,
                &t.control,
                t.state.as_str(),
            ]))
            .properties(
                sarif::PropertyBag::builder()
                    .additional_properties(props)
                    .build(),
            )
            .build();
        if let Some(l) = &t.location {
            b.locations = Some(vec![self.location(l, None, None)]);
        }
        b.rule_index = rule_index.and_then(|i| i64::try_from(i).ok());
        b
    }

    fn diag_result(&mut self, d: &Diagnostic, rule_index: Option<usize>) -> sarif::Result {
        let path = self.base.repository_path(&d.location.path);
        let mut r = sarif::Result::builder()
            .rule_id(d.code)
            .message(sarif::Message::builder().text(one_line(&d.message)).build())
            .level(level(d.severity))
            .kind(sarif::ResultKind::Fail)
            .locations(vec![self.location(&d.location, None, None)])
            .partial_fingerprints(self.fingerprint(&[d.code, &path, &d.message]))
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
}

/// A verdict's address: what tells one verdict from an identical one.
pub(crate) fn address(v: &Verdict) -> usize {
    std::ptr::from_ref(v) as usize
}

/// When the report was compared with a previous one, the `baselineState` of each failure (waived
/// ones included) by address: `new` when the previous report lacks its fingerprint, `unchanged`
/// otherwise. Failures of a framework the previous report did not cover are left without one.
pub(crate) fn baseline_states(report: &ScanReport) -> HashMap<usize, &'static str> {
    let Some(changes) = &report.changes else {
        return HashMap::new();
    };
    let new: BTreeSet<&str> = changes
        .new_failures
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let comparable = vigie_core::report::checks_in_scope(report.catalog(), &changes.frameworks);
    failure_fingerprints(report)
        .into_iter()
        .filter(|(v, _)| comparable.contains(v.check))
        .map(|(v, fp)| {
            let state = if new.contains(fp.as_str()) {
                "new"
            } else {
                "unchanged"
            };
            (address(v), state)
        })
        .collect()
}

/// The run's `comparedWith` property: the previous report, and the failures fixed since (they
/// are no results of this run).
fn compared_with(changes: &Changes) -> Value {
    json!({
        "file": changes.previous.file,
        "asOf": changes.previous.as_of,
        "newFailures": changes.new_failures.len(),
        "unchangedFailures": changes.unchanged_failures,
        "fixedFailures": changes.fixed_failures.iter().map(|f| json!({
            "fingerprint": f.fingerprint,
            "ruleId": f.check,
            "subject": f.subject,
            "path": f.path,
            "line": f.line,
        })).collect::<Vec<_>>(),
        "notCompared": changes.not_compared,
    })
}

/// What identifies a failure whatever its line: the check, the subject, the file and the message.
fn verdict_recipe<'a>(v: &'a Verdict, path: &'a str) -> [&'a str; 4] {
    [v.check, &v.subject, path, &v.message]
}

/// The fingerprint of each failing (or waived) verdict of the selected frameworks, in report
/// order, with the same recipe as SARIF's `partialFingerprints` (paths as the report has them,
/// relative to the scanned folder): what a baseline records.
pub fn failure_fingerprints(report: &ScanReport) -> Vec<(&Verdict, String)> {
    let cx = Context::new(report);
    let failures: Vec<&Verdict> = cx
        .scoped_verdicts()
        .filter(|v| matches!(v.outcome, Outcome::Fail | Outcome::Waived))
        .collect();
    let fingerprints = fingerprints_of(
        failures
            .iter()
            .map(|v| [v.check, &*v.subject, &*v.location.path, &*v.message]),
    );
    failures.into_iter().zip(fingerprints).collect()
}

/// The fingerprints of failures given as (check, subject, path relative to the scanned folder,
/// message), in report order: what [`failure_fingerprints`] computes, for failures read back
/// from a JSON report.
pub(crate) fn fingerprints_of<'a>(failures: impl IntoIterator<Item = [&'a str; 4]>) -> Vec<String> {
    let base = SarifBase::default();
    let mut w = Writer {
        base: &base,
        seen: HashMap::new(),
    };
    failures
        .into_iter()
        .map(|[check, subject, path, message]| {
            let path = base.repository_path(path);
            let mut fp = w.fingerprint(&[check, subject, &path, message]);
            fp.remove(FINGERPRINT_KEY).unwrap_or_default()
        })
        .collect()
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
