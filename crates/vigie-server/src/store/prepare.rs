//! Turning an uploaded report into what is stored: validated against vigie's schema, cut into
//! its canonical parts, digested, and summarised for the pages. Runs before any database work
//! (and off the async threads): a report that does not hold is refused before it costs a lock.

use crate::canonical;
use crate::chain;
use crate::report::{self, Report};
use serde::Deserialize;
use serde_json::Value;

/// Top-level fields whose canonical form is larger than this are stored as shared blobs.
const INLINE_MAX: usize = 512;

/// How many schema errors an upload refusal lists.
const ERRORS_SHOWN: usize = 5;

/// The report's schema, compiled once.
pub struct Schema(jsonschema::Validator);

impl Schema {
    pub fn embedded() -> Result<Schema, String> {
        let schema: Value =
            serde_json::from_str(include_str!("../../../../schemas/vigie-report.schema.json"))
                .map_err(|e| format!("the embedded report schema is not JSON: {e}"))?;
        jsonschema::validator_for(&schema)
            .map(Schema)
            .map_err(|e| format!("the embedded report schema does not compile: {e}"))
    }

    /// The first few places where a report breaks the schema, or nothing.
    pub fn errors(&self, report: &Value) -> Vec<String> {
        self.0
            .iter_errors(report)
            .take(ERRORS_SHOWN)
            .map(|e| {
                let at = e.instance_path().to_string();
                let msg = e.to_string();
                // the message quotes the offending value: keep it short
                let msg: String = msg.chars().take(200).collect();
                if at.is_empty() {
                    msg
                } else {
                    format!("at {at}: {msg}")
                }
            })
            .collect()
    }
}

/// One framework's counts in a scan.
#[derive(Debug, Clone)]
pub struct FrameworkRow {
    pub framework: String,
    pub title: String,
    pub compliant: i64,
    pub partially_compliant: i64,
    pub non_compliant: i64,
    pub not_applicable: i64,
    pub not_assessed: i64,
}

/// An attestation or waiver with an expiry date.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpiryRow {
    pub kind: &'static str,
    pub item: String,
    pub subject: String,
    pub owner: Option<String>,
    pub expires: String,
    pub path: String,
    pub line: i64,
}

/// A report ready to be stored.
#[derive(Debug)]
pub struct Prepared {
    pub digest: String,
    /// The attestations in force, canonical JSON.
    pub attestations: String,
    /// Canonical object of the small top-level fields.
    pub meta: Vec<u8>,
    /// Large top-level fields: key, digest, canonical bytes.
    pub parts: Vec<(String, String, Vec<u8>)>,
    /// Every verdict's canonical bytes, in report order.
    pub verdicts: Vec<Vec<u8>>,
    pub report_bytes: usize,
    pub result: String,
    pub failures: i64,
    pub passes: i64,
    pub waived: i64,
    pub attested: i64,
    pub ratio: Option<f64>,
    pub vigie_version: String,
    pub frameworks: Vec<FrameworkRow>,
    /// Controls non-compliant or partially compliant: id, status, failed subjects.
    pub failing_controls: Vec<(String, String, i64)>,
    pub expiries: Vec<ExpiryRow>,
}

/// Validate and cut a report. The error is a message for the uploader.
pub fn prepare(schema: &Schema, report: Value) -> Result<Prepared, String> {
    if !report.is_object() {
        return Err("the report is not a JSON object".into());
    }
    let errors = schema.errors(&report);
    if !errors.is_empty() {
        return Err(format!(
            "the report does not follow vigie's report schema: {}",
            errors.join("; ")
        ));
    }
    let typed =
        Report::deserialize(&report).map_err(|e| format!("the report cannot be read: {e}"))?;
    let attestations = canonical::to_vec(&chain::attestations_in_force(&report));
    let Value::Object(fields) = report else {
        return Err("the report is not a JSON object".into());
    };
    let mut meta = serde_json::Map::new();
    let mut parts = Vec::new();
    let mut verdicts = Vec::new();
    for (key, value) in fields {
        if key == "verdicts" {
            if let Value::Array(items) = value {
                verdicts = items.iter().map(canonical::to_vec).collect();
            }
            continue;
        }
        let bytes = canonical::to_vec(&value);
        if bytes.len() > INLINE_MAX {
            parts.push((key, canonical::sha256_hex(&bytes), bytes));
        } else {
            meta.insert(key, value);
        }
    }
    let meta = canonical::to_vec(&Value::Object(meta));
    let whole = assemble(&meta, &parts, &verdicts)?;
    let frameworks = framework_rows(&typed);
    Ok(Prepared {
        digest: canonical::sha256_hex(&whole),
        attestations: String::from_utf8(attestations).unwrap_or_default(),
        report_bytes: whole.len(),
        meta,
        parts,
        verdicts,
        result: typed.result.clone(),
        failures: typed.summary.failures as i64,
        passes: typed.summary.passes as i64,
        waived: typed.summary.waived as i64,
        attested: typed.summary.attested as i64,
        ratio: overall_ratio(&typed),
        vigie_version: typed.tool.version.clone(),
        failing_controls: typed
            .controls
            .iter()
            .filter(|c| report::is_failing_status(&c.status))
            .map(|c| (c.id.clone(), c.status.clone(), c.failed as i64))
            .collect(),
        expiries: expiries(&typed),
        frameworks,
    })
}

/// The canonical report from its stored parts.
pub fn assemble(
    meta: &[u8],
    parts: &[(String, String, Vec<u8>)],
    verdicts: &[Vec<u8>],
) -> Result<Vec<u8>, String> {
    let meta: std::collections::BTreeMap<String, Box<serde_json::value::RawValue>> =
        serde_json::from_slice(meta).map_err(|e| format!("corrupt report fields: {e}"))?;
    let mut array = Vec::with_capacity(verdicts.iter().map(|v| v.len() + 1).sum::<usize>() + 2);
    array.push(b'[');
    for (i, v) in verdicts.iter().enumerate() {
        if i > 0 {
            array.push(b',');
        }
        array.extend_from_slice(v);
    }
    array.push(b']');
    let mut all: Vec<(&str, &[u8])> = meta
        .iter()
        .map(|(k, v)| (k.as_str(), v.get().as_bytes()))
        .chain(parts.iter().map(|(k, _, b)| (k.as_str(), b.as_slice())))
        .collect();
    all.push(("verdicts", &array));
    let mut out = Vec::with_capacity(array.len() + 4096);
    canonical::object_from_parts(&mut all, &mut out);
    Ok(out)
}

fn framework_rows(r: &Report) -> Vec<FrameworkRow> {
    r.framework_results
        .iter()
        .map(|f| FrameworkRow {
            framework: f.id.clone(),
            title: f.title.clone(),
            compliant: f.count("compliant") as i64,
            partially_compliant: f.count("partially_compliant") as i64,
            non_compliant: f.count("non_compliant") as i64,
            not_applicable: f.count("not_applicable") as i64,
            not_assessed: f.count("not_assessed") as i64,
        })
        .collect()
}

/// Compliant requirements over decided ones, all frameworks of the report together.
fn overall_ratio(r: &Report) -> Option<f64> {
    let (met, decided) = r.framework_results.iter().fold((0u64, 0u64), |(m, d), f| {
        let met = f.count("compliant");
        (
            m + met,
            d + met + f.count("partially_compliant") + f.count("non_compliant"),
        )
    });
    (decided > 0).then(|| met as f64 / decided as f64)
}

/// Attestations (valid or expired) and waivers that carry an expiry date, one row per
/// attestation and per waiver (a waiver covering many subjects is one row).
fn expiries(r: &Report) -> Vec<ExpiryRow> {
    let mut rows: Vec<ExpiryRow> = Vec::new();
    for v in &r.verdicts {
        if let Some(a) = &v.attestation {
            rows.push(ExpiryRow {
                kind: "attestation",
                item: a.control.clone(),
                subject: a.statement.clone(),
                owner: Some(a.owner.clone()),
                expires: a.expires.clone(),
                path: v.location.path.clone(),
                line: v.location.line as i64,
            });
        }
        if let Some(w) = &v.waiver
            && let Some(expires) = &w.expires
        {
            let row = ExpiryRow {
                kind: "waiver",
                item: v.check.clone(),
                subject: w.reason.clone(),
                owner: w.owner.clone(),
                expires: expires.clone(),
                path: w.source.path.clone(),
                line: w.source.line as i64,
            };
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn minimal_report() -> Value {
        serde_json::json!({
            "schema_version": "1.4",
            "tool": {"name": "vigie", "version": "0.1.0"},
            "root": ".",
            "as_of": "2026-11-01",
            "frameworks": ["roadmap"],
            "fail_on": "high",
            "result": "fail",
            "summary": {"failures": 1, "failures_below_fail_on": 0, "waived": 0, "passes": 1,
                        "diagnostics": 0, "attested": 0, "attestations_todo": 0},
            "stats": {"files_seen": 1, "files_parsed": 1, "bytes_parsed": 10, "dockerfiles": 1,
                      "compose_projects": 0, "kubernetes_objects": 0, "workloads": 1},
            "verdicts": [
                {"check": "CNT-04", "subject": "api", "outcome": "fail", "severity": "high",
                 "location": {"path": "Dockerfile", "line": 3, "column": 1}, "message": "m",
                 "in_scope": true, "controls": ["CNT-04"]},
                {"check": "CNT-01", "subject": "api", "outcome": "pass", "severity": "high",
                 "location": {"path": "Dockerfile", "line": 1, "column": 1}, "message": "ok",
                 "in_scope": true, "controls": ["CNT-01"]}
            ],
            "diagnostics": [],
            "controls": [{"id": "CNT-04", "title": "t", "status": "non_compliant", "subjects": 1,
                          "passed": 0, "failed": 1, "waived": 0, "checks": ["CNT-04"]}],
            "framework_results": [{"id": "roadmap", "title": "Roadmap", "sections": [],
                                   "counts": {"compliant": 3, "non_compliant": 1}}],
            "attestations_todo": [],
            "checks": [],
            "unassessed": []
        })
    }

    #[test]
    fn the_parts_reassemble_into_the_canonical_report() {
        let schema = Schema::embedded().unwrap();
        let r = minimal_report();
        let p = prepare(&schema, r.clone()).unwrap();
        let whole = assemble(&p.meta, &p.parts, &p.verdicts).unwrap();
        assert_eq!(whole, canonical::to_vec(&r));
        assert_eq!(p.digest, canonical::sha256_hex(&whole));
        assert_eq!(
            p.failing_controls,
            vec![("CNT-04".into(), "non_compliant".into(), 1)]
        );
        assert_eq!(p.ratio, Some(0.75));
    }

    #[test]
    fn schema_errors_say_where() {
        let schema = Schema::embedded().unwrap();
        let mut r = minimal_report();
        r["verdicts"][0]["outcome"] = "broken".into();
        let err = prepare(&schema, r).unwrap_err();
        assert!(err.contains("/verdicts/0/outcome"), "{err}");
    }
}
