//! What changed since a previous report (`vigie scan --compare PREVIOUS.json`).
//!
//! A team reviews its roadmap at each update by what moved: the failures that appeared, those
//! that were fixed, and the measures and controls whose status changed. The comparison is made
//! once, by the command line, and carried by the [`ScanReport`](crate::ScanReport) so that every
//! format shows the same changes. Failures are matched by their fingerprint (the recipe SARIF and
//! baselines use, which leaves the line out), so a failure that only moved is unchanged.

use crate::Severity;
use crate::rollup::Status;
use serde::Serialize;

/// The comparison of a report with a previous one.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Changes {
    pub previous: PreviousReport,
    /// The frameworks both reports cover: those whose measures and failures were compared.
    pub frameworks: Vec<String>,
    /// Failures (waived ones included) of today whose fingerprint the previous report lacks.
    pub new_failures: Vec<ChangedFailure>,
    /// Failures of the previous report whose fingerprint today's report lacks.
    pub fixed_failures: Vec<ChangedFailure>,
    /// How many failures both reports hold.
    pub unchanged_failures: usize,
    /// Framework requirements (measures) whose status changed, in report order.
    pub requirements: Vec<StatusChange>,
    /// Controls whose status changed, by id.
    pub controls: Vec<StatusChange>,
    /// What could not be compared and why (a framework only one report covers).
    pub not_compared: Vec<String>,
}

/// What identifies the previous report to a reader.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PreviousReport {
    /// The file it was read from, as given.
    pub file: String,
    pub as_of: String,
    pub root: String,
    pub tool_version: String,
    /// The commit the previous report judged, when it recorded one (schema 1.6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// A failure that appeared or disappeared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedFailure {
    pub fingerprint: String,
    pub check: String,
    pub subject: String,
    pub severity: Severity,
    pub path: String,
    pub line: u32,
    pub message: String,
    /// Accepted by a waiver (or a baseline) in the report it belongs to.
    pub waived: bool,
}

/// A requirement or control whose status is not what it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusChange {
    /// The framework of a requirement; none for a control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
    /// The requirement's id within its framework, or the control's id.
    pub id: String,
    /// How reports name it (`roadmap 2.4`, `CNT-01`).
    pub label: String,
    pub title: String,
    pub from: Status,
    pub to: Status,
}

impl Changes {
    /// The status change of a framework's requirement, if it changed.
    pub fn requirement(&self, framework: &str, id: &str) -> Option<&StatusChange> {
        self.requirements
            .iter()
            .find(|c| c.framework.as_deref() == Some(framework) && c.id == id)
    }

    /// Nothing appeared, disappeared or changed status.
    pub fn is_empty(&self) -> bool {
        self.new_failures.is_empty()
            && self.fixed_failures.is_empty()
            && self.requirements.is_empty()
            && self.controls.is_empty()
    }
}
