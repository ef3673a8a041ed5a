//! The parts of vigie's JSON report the server reads (`schemas/vigie-report.schema.json`):
//! what it stores beside each scan for the pages, and what the pages render. The JSON report
//! is the server's only input, so these are owned, lenient mirrors of the schema's objects;
//! a field the schema leaves optional is optional here.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, Default)]
pub struct Location {
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub line: u64,
    #[serde(default)]
    pub column: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Waiver {
    #[serde(default)]
    pub reason: String,
    pub owner: Option<String>,
    pub expires: Option<String>,
    #[serde(default)]
    pub source: Location,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Attestation {
    pub control: String,
    #[serde(default)]
    pub statement: String,
    #[serde(default)]
    pub owner: String,
    pub date: Option<String>,
    #[serde(default)]
    pub expires: String,
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Verdict {
    pub check: String,
    #[serde(default)]
    pub subject: String,
    pub outcome: String,
    pub waiver: Option<Waiver>,
    pub attestation: Option<Attestation>,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub location: Location,
    #[serde(default)]
    pub message: String,
    pub fix: Option<String>,
    #[serde(default)]
    pub related: Vec<Location>,
    pub expired_waiver: Option<Waiver>,
    #[serde(default)]
    pub in_scope: bool,
    #[serde(default)]
    pub controls: Vec<String>,
}

impl Verdict {
    /// What identifies "the same finding" across two scans: the check, subject, file and
    /// message, not the line (lines move between commits).
    pub fn key(&self) -> (String, String, String, String) {
        (
            self.check.clone(),
            self.subject.clone(),
            self.location.path.clone(),
            self.message.clone(),
        )
    }

    pub fn is_failure(&self) -> bool {
        self.outcome == "fail"
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ControlResult {
    pub id: String,
    #[serde(default)]
    pub title: String,
    pub status: String,
    #[serde(default)]
    pub failed: u64,
    #[serde(default)]
    pub passed: u64,
    #[serde(default)]
    pub waived: u64,
    #[serde(default)]
    pub checks: Vec<String>,
    pub attestation: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RequirementResult {
    pub id: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub title: String,
    pub status: String,
    #[serde(default)]
    pub failed: u64,
    #[serde(default)]
    pub passed: u64,
    #[serde(default)]
    pub controls: Vec<String>,
    #[serde(default)]
    pub checks: Vec<String>,
    pub attestation: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SectionResult {
    pub id: String,
    #[serde(default)]
    pub title: String,
    pub status: String,
    #[serde(default)]
    pub met: u64,
    #[serde(default)]
    pub applicable: u64,
    #[serde(default)]
    pub requirements: Vec<RequirementResult>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FrameworkResult {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub sections: Vec<SectionResult>,
    #[serde(default)]
    pub counts: BTreeMap<String, u64>,
}

impl FrameworkResult {
    pub fn count(&self, status: &str) -> u64 {
        self.counts.get(status).copied().unwrap_or(0)
    }

    /// Compliant requirements over those decided (compliant, partially or non-compliant).
    pub fn ratio(&self) -> Option<f64> {
        let met = self.count("compliant");
        let decided = met + self.count("partially_compliant") + self.count("non_compliant");
        (decided > 0).then(|| met as f64 / decided as f64)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Todo {
    pub control: String,
    #[serde(default)]
    pub title: String,
    pub state: String,
    pub owner: Option<String>,
    pub expires: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Diagnostic {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub location: Location,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct Summary {
    #[serde(default)]
    pub failures: u64,
    #[serde(default)]
    pub failures_below_fail_on: u64,
    #[serde(default)]
    pub waived: u64,
    #[serde(default)]
    pub passes: u64,
    #[serde(default)]
    pub diagnostics: u64,
    #[serde(default)]
    pub attested: u64,
    #[serde(default)]
    pub attestations_todo: u64,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct Tool {
    #[serde(default)]
    pub version: String,
}

/// A whole report, as the pages read it.
#[derive(Debug, Clone, Deserialize)]
pub struct Report {
    #[serde(default)]
    pub tool: Tool,
    #[serde(default)]
    pub as_of: String,
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub summary: Summary,
    #[serde(default)]
    pub verdicts: Vec<Verdict>,
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
    #[serde(default)]
    pub controls: Vec<ControlResult>,
    #[serde(default)]
    pub framework_results: Vec<FrameworkResult>,
    #[serde(default)]
    pub attestations_todo: Vec<Todo>,
}

/// Whether a control status counts as failing on the pages (the control page, the overview).
pub fn is_failing_status(status: &str) -> bool {
    matches!(status, "non_compliant" | "partially_compliant")
}
