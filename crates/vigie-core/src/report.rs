//! The result of a scan: everything a renderer reads, and nothing else.

use crate::catalog::Catalog;
use crate::changes::Changes;
use crate::rollup::Rollup;
use crate::{CheckDoc, DiagKind, Diagnostic, Outcome, Severity, Verdict};
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Version of vigie's own JSON report schema (`schemas/vigie-report.schema.json`).
pub const REPORT_SCHEMA_VERSION: &str = "1.6";

#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// Files the walk saw (after excludes and .gitignore).
    pub files_seen: usize,
    /// Files read and parsed as one of the formats vigie understands.
    pub files_parsed: usize,
    pub bytes_parsed: u64,
    pub dockerfiles: usize,
    pub compose_projects: usize,
    pub kubernetes_objects: usize,
    /// Containers as they will run (Compose services, Kubernetes containers).
    pub workloads: usize,
}

/// A table of evidence for one control, written by a repository-level analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceTable {
    /// The control it documents (`NET-02`).
    pub control: String,
    pub title: String,
    pub columns: Vec<String>,
    /// Each row has as many cells as there are columns.
    pub rows: Vec<Vec<String>>,
}

/// Rows of evidence the tables of one control may hold in a report. A repository with
/// thousands of databases would otherwise give thousands of tables: a report no auditor reads
/// to the end, and a memory peak that grows with the product of workloads and databases.
pub const MAX_EVIDENCE_ROWS: usize = 2_000;

/// Evidence tables kept within [`MAX_EVIDENCE_ROWS`] rows per control: past the budget, a
/// table is counted instead of kept, and [`EvidenceTables::into_tables`] ends the control's
/// last table with a row saying how much was left out. Producers that would build many
/// tables ask [`EvidenceTables::has_room`] first and only count what they would have listed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EvidenceTables {
    tables: Vec<EvidenceTable>,
    /// Per control: rows kept, and tables and rows left out.
    budget: std::collections::BTreeMap<String, (usize, usize, usize)>,
}

impl EvidenceTables {
    /// Whether a table of `control` would still be kept.
    pub fn has_room(&self, control: &str) -> bool {
        self.budget
            .get(control)
            .is_none_or(|(kept, _, _)| *kept < MAX_EVIDENCE_ROWS)
    }

    /// Keep `table`, or count it when its control's budget is spent.
    pub fn push(&mut self, table: EvidenceTable) {
        if self.has_room(&table.control) {
            let entry = self.budget.entry(table.control.clone()).or_default();
            entry.0 += table.rows.len();
            self.tables.push(table);
        } else {
            self.leave_out(&table.control, 1, table.rows.len());
        }
    }

    /// Count tables and rows of `control` that were not built (see [`EvidenceTables::has_room`]).
    pub fn leave_out(&mut self, control: &str, tables: usize, rows: usize) {
        let entry = self.budget.entry(control.to_string()).or_default();
        entry.1 += tables;
        entry.2 += rows;
    }

    /// Add a row to the table at `index` (one several producers give), or count it.
    pub fn push_row(&mut self, index: usize, row: Vec<String>) {
        let control = &self.tables[index].control;
        if self.has_room(control) {
            self.budget.entry(control.clone()).or_default().0 += 1;
            self.tables[index].rows.push(row);
        } else {
            let control = control.clone();
            self.leave_out(&control, 0, 1);
        }
    }

    /// Everything `other` kept and counted, within this budget.
    pub fn absorb(&mut self, other: EvidenceTables) {
        for (control, (_, tables, rows)) in &other.budget {
            self.leave_out(control, *tables, *rows);
        }
        for t in other.tables {
            self.push(t);
        }
    }

    /// The tables kept, and per control the tables and rows left out.
    pub fn into_parts(self) -> (Vec<EvidenceTable>, Vec<(String, usize, usize)>) {
        let left_out = self
            .budget
            .into_iter()
            .filter(|(_, (_, t, r))| *t > 0 || *r > 0)
            .map(|(c, (_, t, r))| (c, t, r))
            .collect();
        (self.tables, left_out)
    }

    /// The tables, each control's last one ending with a row that counts what was left out.
    pub fn into_tables(mut self) -> Vec<EvidenceTable> {
        for (control, (_, tables, rows)) in &self.budget {
            if *tables == 0 && *rows == 0 {
                continue;
            }
            let Some(last) = self.tables.iter_mut().rev().find(|t| &t.control == control) else {
                continue;
            };
            let mut note = vec![String::new(); last.columns.len().max(1)];
            note[0] = format!(
                "… {rows} more rows{} not listed: {control}'s evidence is listed up to \
                 {MAX_EVIDENCE_ROWS} rows",
                if *tables > 0 {
                    format!(" in {tables} more tables")
                } else {
                    String::new()
                }
            );
            last.rows.push(note);
        }
        self.tables
    }
}

impl std::ops::Deref for EvidenceTables {
    type Target = [EvidenceTable];
    fn deref(&self) -> &[EvidenceTable] {
        &self.tables
    }
}

impl Extend<EvidenceTable> for EvidenceTables {
    fn extend<I: IntoIterator<Item = EvidenceTable>>(&mut self, iter: I) {
        for t in iter {
            self.push(t);
        }
    }
}

/// A check an analysis could not run on this repository, and why (no git history, no
/// vulnerability database, no `--since`): the requirements it alone decides are reported as not
/// assessed with that reason, never as not applicable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unassessed {
    pub check: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct ScanReport {
    pub tool_version: &'static str,
    /// The scanned path as the user gave it.
    pub root: String,
    /// The commit checked out in the scanned folder, when it is a git repository: what the
    /// report judged, for an auditor reading it later.
    pub commit: Option<String>,
    /// The date waivers are judged against (YYYY-MM-DD).
    pub as_of: String,
    /// Frameworks reported on, by id, in catalogue order.
    pub frameworks: Vec<String>,
    pub fail_on: Severity,
    pub stats: Stats,
    /// Every verdict, sorted by location, check and subject.
    pub verdicts: Vec<Verdict>,
    /// What the scan has to say about its input, sorted by location.
    pub diagnostics: Vec<Diagnostic>,
    pub rollup: Rollup,
    /// The checks this build implements, sorted by id.
    pub checks: Vec<&'static CheckDoc>,
    /// Evidence that reads best as a table (who can reach a database, through what), shown
    /// under its control; sorted by control, in the order the analyses gave them.
    pub tables: Vec<EvidenceTable>,
    /// Checks that could not run here, with the reason, sorted by check.
    pub unassessed: Vec<Unassessed>,
    /// What changed since a previous report, when one was given to compare with.
    pub changes: Option<Changes>,
    /// The check ids in scope of the selected frameworks, computed on first use.
    pub scope: OnceLock<BTreeSet<String>>,
}

impl ScanReport {
    pub fn catalog(&self) -> &'static Catalog {
        Catalog::embedded()
    }

    pub fn check(&self, id: &str) -> Option<&'static CheckDoc> {
        self.checks.iter().copied().find(|c| c.id == id)
    }

    /// Whether a check belongs to one of the selected frameworks: it evidences one of their
    /// requirements, or no requirement of any framework names it and its control is one of
    /// theirs (it then counts with its control).
    pub fn in_scope(&self, check: &str) -> bool {
        self.scope
            .get_or_init(|| checks_in_scope(self.catalog(), &self.frameworks))
            .contains(check)
    }

    /// Failing verdicts that are not waived, in the selected frameworks.
    pub fn failures(&self) -> impl Iterator<Item = &Verdict> {
        self.verdicts
            .iter()
            .filter(|v| matches!(v.outcome, Outcome::Fail) && self.in_scope(v.check))
    }

    /// The gate: a failure at or above `fail_on`, or a diagnostic that gates
    /// ([`ScanReport::diagnostic_gates`]).
    pub fn gate_failed(&self) -> bool {
        self.failures().any(|v| v.severity >= self.fail_on)
            || self.gating_diagnostics().next().is_some()
    }

    /// The diagnostics that fail the gate, in report order.
    pub fn gating_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| self.diagnostic_gates(d))
    }

    /// Whether a diagnostic fails the gate: it is at or above `fail_on`; it does not say that a
    /// check could not run (`VG-SKIPPED`: what is not assessed is reported as such, it never
    /// fails a gate); and it is about a file that a check of the selected frameworks reads (a
    /// lockfile vigie cannot read does not fail a gate on Docker hardening). A file vigie does
    /// not classify, its own configuration, and the repository as a whole always count: vigie
    /// cannot vouch for what it could not read.
    pub fn diagnostic_gates(&self, d: &Diagnostic) -> bool {
        if d.severity < self.fail_on || d.kind == DiagKind::Skipped {
            return false;
        }
        let Some(kinds) = file_kinds(&d.location.path) else {
            return true;
        };
        self.checks
            .iter()
            .any(|c| self.in_scope(c.id) && c.applies_to.iter().any(|k| kinds.contains(k)))
    }
}

/// The check ids in scope of these frameworks (see [`ScanReport::in_scope`]); frameworks the
/// catalogue does not know add nothing.
pub fn checks_in_scope(cat: &Catalog, frameworks: &[String]) -> BTreeSet<String> {
    let mut scope = BTreeSet::new();
    for fw in frameworks.iter().filter_map(|f| cat.framework(f)) {
        for s in &fw.sections {
            for r in &s.requirements {
                scope.extend(cat.requirement_checks(r).into_iter().map(str::to_string));
            }
        }
        for c in cat.framework_controls(fw) {
            for k in &c.checks {
                if cat.requirements_of_check(k).is_empty() {
                    scope.insert(k.clone());
                }
            }
        }
    }
    scope
}

/// The inputs (as [`CheckDoc::applies_to`] names them) a file is read as, from its path; `None`
/// when the path does not say (any check may read it), for the repository itself and for
/// vigie's own configuration.
fn file_kinds(path: &str) -> Option<&'static [&'static str]> {
    let path = path.trim_start_matches("./");
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    if path.is_empty() || path == "." || name == "vigie.toml" || path.starts_with(".vigie/") {
        return None;
    }
    if name == "dockerfile"
        || name == "containerfile"
        || name.starts_with("dockerfile.")
        || name.ends_with(".dockerfile")
    {
        return Some(&["dockerfile"]);
    }
    if yaml && (name.starts_with("docker-compose") || name.starts_with("compose.")) {
        return Some(&["compose"]);
    }
    const LOCKFILES: [&str; 14] = [
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "cargo.lock",
        "poetry.lock",
        "pipfile.lock",
        "uv.lock",
        "go.sum",
        "go.mod",
        "composer.lock",
        "gemfile.lock",
        "package.json",
        "requirements.txt",
    ];
    if LOCKFILES.contains(&name.as_str())
        || (name.starts_with("requirements") && name.ends_with(".txt"))
    {
        return Some(&["lockfiles", "package.json"]);
    }
    if name.ends_with(".tf") || name.ends_with(".tf.json") || name.ends_with(".tfvars") {
        return Some(&["terraform"]);
    }
    if yaml && path.contains(".github/workflows/") {
        return Some(&["github-actions"]);
    }
    if name == ".gitlab-ci.yml" {
        return Some(&["gitlab-ci"]);
    }
    None
}
