//! What CI integrations need from `vigie scan` beyond the renderers: the habits of peer scanners
//! (`--check`, `--skip-check`, `--soft-fail`, `--quiet`, `--compact`, a baseline of accepted
//! failures), and SARIF located in the repository the scanned folder belongs to (GitHub resolves
//! URIs against the repository root).

use clap::Args;
use serde_json::json;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vigie_core::catalog::Catalog;
use vigie_core::verdict::Waiver;
use vigie_core::{DiagKind, Diagnostic, Location, Outcome, ScanReport, Severity, Unassessed};
use vigie_report::{Format, RenderOptions, SarifBase};

/// The version of the baseline file's format.
const BASELINE_VERSION: u32 = 1;

#[derive(Args, Debug, Default)]
pub struct CiArgs {
    /// Run only these checks, by check or control id (comma-separated or repeated).
    #[arg(long = "check", value_name = "ID", value_delimiter = ',')]
    pub checks: Vec<String>,
    /// Leave out these checks, by check or control id (comma-separated or repeated).
    #[arg(long = "skip-check", value_name = "ID", value_delimiter = ',')]
    pub skip_checks: Vec<String>,
    /// Report as usual but exit 0 whatever fails (errors still exit 2).
    #[arg(long)]
    pub soft_fail: bool,
    /// Text: only the failures, the diagnostics that fail the gate and the verdict.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Text: one line per finding.
    #[arg(long)]
    pub compact: bool,
    /// Write the fingerprints of today's failures to FILE and exit 0: later scans given
    /// `--baseline FILE` fail only on new ones.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub create_baseline: Option<PathBuf>,
    /// Accept the failures whose fingerprints FILE lists (written by --create-baseline): they are
    /// reported as waived by the baseline, and only new failures fail.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

impl CiArgs {
    /// The text options these flags ask for.
    pub fn render(&self, mut opts: RenderOptions) -> RenderOptions {
        opts.quiet = self.quiet;
        opts.compact = self.compact;
        opts
    }
}

/// Narrow the report to the checks asked for, and accept the failures of the baseline.
pub fn apply(report: &mut ScanReport, args: &CiArgs) -> Result<(), String> {
    if !args.checks.is_empty() || !args.skip_checks.is_empty() {
        select_checks(report, &args.checks, &args.skip_checks)?;
    }
    if let Some(path) = &args.baseline {
        apply_baseline(report, path)?;
    }
    Ok(())
}

/// The check ids an id names: the check itself, or every check of a control.
fn checks_named(report: &ScanReport, id: &str) -> Result<Vec<&'static str>, String> {
    let cat = Catalog::embedded();
    if let Some(c) = report.checks.iter().find(|c| c.id.eq_ignore_ascii_case(id)) {
        return Ok(vec![c.id]);
    }
    if let Some(control) = cat.control(id) {
        return Ok(report
            .checks
            .iter()
            .filter(|c| control.checks.iter().any(|k| k == c.id))
            .map(|c| c.id)
            .collect());
    }
    Err(format!(
        "`{id}` is no check or control (`vigie controls` lists them)"
    ))
}

/// Keep the verdicts of the checks asked for (all when `only` is empty) less those skipped; the
/// others are reported as not assessed, saying why, and the roll-up is made again.
fn select_checks(report: &mut ScanReport, only: &[String], skip: &[String]) -> Result<(), String> {
    let mut keep: BTreeSet<&'static str> = if only.is_empty() {
        report.checks.iter().map(|c| c.id).collect()
    } else {
        let mut k = BTreeSet::new();
        for id in only {
            k.extend(checks_named(report, id)?);
        }
        k
    };
    for id in skip {
        for c in checks_named(report, id)? {
            keep.remove(c);
        }
    }
    report
        .verdicts
        .retain(|v| v.is_attestation() || keep.contains(v.check));
    for c in &report.checks {
        if !keep.contains(c.id) && !report.unassessed.iter().any(|u| u.check == c.id) {
            report.unassessed.push(Unassessed {
                check: c.id.to_string(),
                reason: if only.is_empty() {
                    "left out with --skip-check".to_string()
                } else {
                    "not among the checks asked for with --check".to_string()
                },
            });
        }
    }
    report.unassessed.sort_by(|a, b| a.check.cmp(&b.check));
    let cat = Catalog::embedded();
    let implemented: BTreeSet<&str> = report
        .checks
        .iter()
        .map(|c| c.id)
        .filter(|id| !report.unassessed.iter().any(|u| u.check == *id))
        .collect();
    let frameworks: Vec<&vigie_core::catalog::Framework> = report
        .frameworks
        .iter()
        .filter_map(|f| cat.framework(f))
        .collect();
    report.rollup = vigie_core::rollup::roll_up(cat, &report.verdicts, &implemented, &frameworks);
    Ok(())
}

/// Write the fingerprints of the report's failures (waived ones too, so that a waiver that
/// expires later does not bring them back as new).
pub fn create_baseline(report: &ScanReport, path: &Path) -> Result<usize, String> {
    let entries: Vec<serde_json::Value> = vigie_report::failure_fingerprints(report)
        .into_iter()
        .map(|(v, fp)| {
            json!({
                "fingerprint": fp,
                "check": v.check,
                "subject": &*v.subject,
                "path": &*v.location.path,
            })
        })
        .collect();
    let n = entries.len();
    let doc = json!({
        "tool": "vigie",
        "kind": "scan-baseline",
        "version": BASELINE_VERSION,
        "fingerprintKey": vigie_report::FINGERPRINT_KEY,
        "failures": entries,
    });
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(n)
}

/// Turn the failures the baseline lists into waived verdicts naming it.
fn apply_baseline(report: &mut ScanReport, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if doc["kind"] != "scan-baseline" || doc["version"] != BASELINE_VERSION {
        return Err(format!(
            "{}: not a vigie scan baseline of version {BASELINE_VERSION} (write one with --create-baseline)",
            path.display()
        ));
    }
    if doc["fingerprintKey"] != vigie_report::FINGERPRINT_KEY {
        return Err(format!(
            "{}: written with fingerprints {}, this vigie uses {}: write it again with --create-baseline",
            path.display(),
            doc["fingerprintKey"],
            vigie_report::FINGERPRINT_KEY
        ));
    }
    let listed: BTreeSet<&str> = doc["failures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["fingerprint"].as_str())
        .collect();
    // the verdicts whose fingerprint is listed, by address: fingerprints number identical
    // failures in report order, so they are computed over the whole report at once
    let accepted: std::collections::HashSet<usize> = vigie_report::failure_fingerprints(report)
        .into_iter()
        .filter(|(v, fp)| v.outcome == Outcome::Fail && listed.contains(fp.as_str()))
        .map(|(v, _)| std::ptr::from_ref(v) as usize)
        .collect();
    let accepted: Vec<usize> = report
        .verdicts
        .iter()
        .enumerate()
        .filter(|(_, v)| accepted.contains(&(std::ptr::from_ref(*v) as usize)))
        .map(|(i, _)| i)
        .collect();
    let source = Location::file(Arc::from(path.display().to_string()));
    for i in accepted {
        report.verdicts[i].waive(Waiver {
            reason: format!("accepted in the baseline {}", path.display()),
            owner: None,
            expires: None,
            source: source.clone(),
        });
    }
    Ok(())
}

/// Whether every file the walk saw could not be read: the scan then proves nothing
/// (repository-level analyses still report what they miss, so their verdicts do not count as
/// reading) and vigie exits 2. A critical `VG-IO` diagnostic about the folder says so in every
/// output, so that no report says PASS before the error.
pub fn nothing_read(report: &mut ScanReport, scanned: &Path) -> bool {
    let unreadable: BTreeSet<&str> = report
        .diagnostics
        .iter()
        .filter(|d| d.kind != DiagKind::Skipped && !matches!(&*d.location.path, "" | "."))
        .map(|d| &*d.location.path)
        .collect();
    let nothing = report.stats.files_seen > 0
        && report.stats.dockerfiles == 0
        && report.stats.kubernetes_objects == 0
        && report.stats.workloads == 0
        && unreadable.len() >= report.stats.files_seen;
    if nothing {
        let mut d = Diagnostic::new(
            DiagKind::Io,
            Location::file(Arc::from(".")),
            format!(
                "nothing under {} could be read (every file is reported with its reason): the scan proves nothing",
                scanned.display()
            ),
        );
        d.severity = Severity::Critical;
        // diagnostics are sorted by location, and the folder comes before its files
        report.diagnostics.insert(0, d);
    }
    nothing
}

/// Render `format` to `w`; SARIF with URIs relative to the repository holding `scanned`.
pub fn render_to(
    report: &ScanReport,
    scanned: &Path,
    format: Format,
    opts: &RenderOptions,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Sarif => {
            w.write_all(vigie_report::render_sarif(report, &SarifBase::locate(scanned)).as_bytes())
        }
        other => vigie_report::render_to(report, other, opts, w),
    }
}
