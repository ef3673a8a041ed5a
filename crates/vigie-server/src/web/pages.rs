//! The dashboard: server-rendered pages (askama templates under `templates/`, escaped by
//! default), one stylesheet embedded in the binary, no script. Charts are inline SVG drawn
//! here. Reports are read through [`crate::report`]; the roadmap and the checklist are the
//! report's own framework results, laid out as `vigie scan --format markdown` lays them out.

use super::Shared;
use super::auth::{Cookies, Nav, PageError, html, require_viewer};
use crate::report::{FrameworkResult, Report, Verdict, is_failing_status};
use crate::store::pages::{self as q, FrameworkStatus, ScanRow};
use crate::store::read;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use vigie_core::catalog::Catalog;

const TREND_DAYS: i64 = 90;

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/vigie.css"),
    )
        .into_response()
}

// ---- small formatting helpers ----

/// `YYYY-MM-DD HH:MM` UTC.
pub fn when(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]"
            ))
            .ok()
        })
        .unwrap_or_default()
}

fn day(secs: i64) -> String {
    when(secs).get(..10).unwrap_or_default().to_string()
}

fn percent(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_string(), |r| format!("{:.0}%", r * 100.0))
}

/// The CSS class of a status word.
pub fn class_of(status: &str) -> &'static str {
    match status {
        "compliant" | "pass" | "implemented" | "attested" => "ok",
        "partially_compliant" | "in_progress" | "waived" => "partial",
        "non_compliant" | "fail" | "planned" | "todo" => "bad",
        _ => "na",
    }
}

/// A status as words.
pub fn words(status: &str) -> String {
    status.replace('_', " ")
}

fn short(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Whether an evidence link template is acceptable: an http(s) URL.
pub fn valid_evidence_template(t: &str) -> bool {
    super::upload::valid_url(&t.replace(['{', '}'], ""))
}

/// Percent-encode a path for a URL, segment by segment; `.` and `..` segments are encoded so
/// that a path from a report cannot climb out of the repository's URL.
fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if seg == "." || seg == ".." {
                return seg.replace('.', "%2E");
            }
            seg.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The link to a file and line at the scanned commit, from the repository's template.
pub fn evidence_link(
    template: Option<&str>,
    repository: &str,
    commit: &str,
    path: &str,
    line: u64,
) -> Option<String> {
    let t = template?;
    if path.is_empty() || path == "." {
        return None;
    }
    Some(
        t.replace("{repository}", &encode_path(repository))
            .replace("{commit}", &encode_path(commit))
            .replace("{path}", &encode_path(path))
            .replace("{line}", &line.max(1).to_string()),
    )
}

/// A sparkline of ratios over time, as SVG polyline points.
#[derive(Debug, Clone)]
pub struct Spark {
    pub points: String,
    pub width: u32,
    pub height: u32,
    pub last: String,
    /// The last point, marked.
    pub last_x: String,
    pub last_y: String,
}

fn spark(series: &[(i64, f64)], width: u32, height: u32) -> Option<Spark> {
    let (first, last) = (series.first()?, series.last()?);
    let span = (last.0 - first.0).max(1) as f64;
    let (w, h) = (f64::from(width), f64::from(height));
    let xy = |(t, r): &(i64, f64)| {
        let x = if series.len() == 1 {
            w - 2.0
        } else {
            (*t - first.0) as f64 / span * (w - 4.0) + 2.0
        };
        let y = h - 2.0 - r.clamp(0.0, 1.0) * (h - 4.0);
        (format!("{x:.1}"), format!("{y:.1}"))
    };
    let points = series
        .iter()
        .map(|p| {
            let (x, y) = xy(p);
            format!("{x},{y}")
        })
        .collect::<Vec<_>>()
        .join(" ");
    let (last_x, last_y) = xy(last);
    Some(Spark {
        points,
        width,
        height,
        last: percent(Some(last.1)),
        last_x,
        last_y,
    })
}

// ---- overview ----

pub struct Column {
    pub id: String,
    pub title: String,
}

pub struct Cell {
    pub text: String,
    pub class: &'static str,
    pub title: String,
}

pub struct RepoRow {
    pub id: i64,
    pub name: String,
    pub scan_id: Option<i64>,
    pub scanned: String,
    pub result: String,
    pub failures: i64,
    pub ratio: String,
    pub cells: Vec<Cell>,
    pub spark: Option<Spark>,
}

#[derive(Template)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    pub nav: Nav,
    pub columns: Vec<Column>,
    pub rows: Vec<RepoRow>,
    pub org: Option<Spark>,
    pub failing: Vec<(String, i64)>,
    pub days: i64,
}

fn cell(f: Option<&FrameworkStatus>) -> Cell {
    match f {
        None => Cell {
            text: "–".into(),
            class: "na",
            title: "not in this scan".into(),
        },
        Some(f) => {
            let class = if f.decided() == 0 {
                "na"
            } else if f.non_compliant == 0 && f.partially_compliant == 0 {
                "ok"
            } else if f.compliant * 2 >= f.decided() {
                "partial"
            } else {
                "bad"
            };
            Cell {
                text: percent(f.ratio()),
                class,
                title: format!(
                    "{} compliant, {} partially, {} non-compliant, {} not applicable, {} not assessed",
                    f.compliant,
                    f.partially_compliant,
                    f.non_compliant,
                    f.not_applicable,
                    f.not_assessed
                ),
            }
        }
    }
}

/// The organisation's ratio per day: the mean over repositories of each one's latest ratio
/// that day (carried forward from its last scan).
fn organisation_trend(rows: &[q::OverviewRow], since: i64, now: i64) -> Vec<(i64, f64)> {
    let mut out = Vec::new();
    let mut cursors = vec![0usize; rows.len()];
    let mut current: Vec<Option<f64>> = vec![None; rows.len()];
    let mut t = since - since.rem_euclid(86400) + 86399;
    while t <= now + 86399 {
        for (i, r) in rows.iter().enumerate() {
            while cursors[i] < r.trend.len() && r.trend[cursors[i]].0 <= t {
                current[i] = Some(r.trend[cursors[i]].1);
                cursors[i] += 1;
            }
        }
        let known: Vec<f64> = current.iter().flatten().copied().collect();
        if !known.is_empty() {
            out.push((t, known.iter().sum::<f64>() / known.len() as f64));
        }
        t += 86400;
    }
    out
}

fn framework_order(id: &str) -> (u8, String) {
    let rank = match id {
        "roadmap" => 0,
        "devsecops" => 1,
        _ => 2,
    };
    (rank, id.to_string())
}

pub async fn overview(State(state): State<Shared>, jar: Cookies) -> Result<Response, PageError> {
    let session = require_viewer(&state, &jar).await?;
    let now = crate::db::now();
    let since = now - TREND_DAYS * 86400;
    let rows = q::overview(&state.db, since).await?;
    let mut columns: BTreeMap<(u8, String), String> = BTreeMap::new();
    for r in &rows {
        for f in r.frameworks.values() {
            columns.insert(framework_order(&f.framework), f.title.clone());
        }
    }
    let columns: Vec<Column> = columns
        .into_iter()
        .map(|((_, id), title)| Column { id, title })
        .collect();
    let org = spark(&organisation_trend(&rows, since, now), 600, 80);
    let view = rows
        .iter()
        .map(|r| RepoRow {
            id: r.id,
            name: r.name.clone(),
            scan_id: r.latest.as_ref().map(|s| s.id),
            scanned: r
                .latest
                .as_ref()
                .map(|s| when(s.scanned_at))
                .unwrap_or_default(),
            result: r
                .latest
                .as_ref()
                .map(|s| s.result.clone())
                .unwrap_or_default(),
            failures: r.latest.as_ref().map_or(0, |s| s.failures),
            ratio: percent(r.latest.as_ref().and_then(|s| s.ratio)),
            cells: columns
                .iter()
                .map(|c| cell(r.frameworks.get(&c.id)))
                .collect(),
            spark: spark(&r.trend, 120, 24),
        })
        .collect();
    let page = OverviewPage {
        nav: Nav::of(session.as_ref()),
        columns,
        rows: view,
        org,
        failing: q::failing_controls(&state.db).await?,
        days: TREND_DAYS,
    };
    Ok(html(&page))
}

// ---- a repository ----

pub struct ScanView {
    pub id: i64,
    pub seq: i64,
    pub branch: String,
    pub commit: String,
    pub commit_short: String,
    pub when: String,
    pub received: String,
    pub result: String,
    pub failures: i64,
    pub passes: i64,
    pub waived: i64,
    pub attested: i64,
    pub ratio: String,
    pub pipeline_url: Option<String>,
    pub pruned: bool,
    pub entry_hash: String,
    pub entry_short: String,
    pub digest: String,
    pub vigie_version: String,
}

impl From<&ScanRow> for ScanView {
    fn from(s: &ScanRow) -> Self {
        ScanView {
            id: s.id,
            seq: s.seq,
            branch: s.branch.clone(),
            commit: s.commit.clone(),
            commit_short: short(&s.commit, 10),
            when: when(s.scanned_at),
            received: when(s.received_at),
            result: s.result.clone(),
            failures: s.failures,
            passes: s.passes,
            waived: s.waived,
            attested: s.attested,
            ratio: percent(s.ratio),
            // stored only when it was an http(s) URL
            pipeline_url: s.pipeline_url.clone(),
            pruned: s.pruned,
            entry_hash: s.entry_hash.clone(),
            entry_short: short(&s.entry_hash, 12),
            digest: s.report_digest.clone(),
            vigie_version: s.vigie_version.clone(),
        }
    }
}

pub struct FailureView {
    pub index: usize,
    pub check: String,
    pub subject: String,
    pub severity: String,
    pub location: String,
    pub message: String,
    pub controls: String,
}

fn failure_view(index: usize, v: &Verdict) -> FailureView {
    FailureView {
        index,
        check: v.check.clone(),
        subject: v.subject.clone(),
        severity: v.severity.clone(),
        location: location_text(&v.location.path, v.location.line),
        message: v.message.clone(),
        controls: v.controls.join(", "),
    }
}

fn location_text(path: &str, line: u64) -> String {
    if line > 0 {
        format!("{path}:{line}")
    } else {
        path.to_string()
    }
}

/// Failures of a report worth listing (in the selected frameworks), most severe first.
fn failures(report: &Report, control: Option<&str>) -> Vec<FailureView> {
    let rank = |s: &str| match s {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        "low" => 3,
        _ => 4,
    };
    let mut list: Vec<(usize, &Verdict)> = report
        .verdicts
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_failure() && v.in_scope)
        .filter(|(_, v)| control.is_none_or(|c| v.controls.iter().any(|x| x == c)))
        .collect();
    list.sort_by_key(|(i, v)| (rank(&v.severity), v.check.clone(), *i));
    list.into_iter().map(|(i, v)| failure_view(i, v)).collect()
}

pub struct FrameworkView {
    pub id: String,
    pub title: String,
    pub ratio: String,
    pub class: &'static str,
    pub compliant: i64,
    pub partially: i64,
    pub non: i64,
    pub na: i64,
    pub not_assessed: i64,
}

fn framework_views(list: &[FrameworkStatus]) -> Vec<FrameworkView> {
    let mut list: Vec<&FrameworkStatus> = list.iter().collect();
    list.sort_by_key(|f| framework_order(&f.framework));
    list.into_iter()
        .map(|f| FrameworkView {
            id: f.framework.clone(),
            title: f.title.clone(),
            ratio: percent(f.ratio()),
            class: cell(Some(f)).class,
            compliant: f.compliant,
            partially: f.partially_compliant,
            non: f.non_compliant,
            na: f.not_applicable,
            not_assessed: f.not_assessed,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "repository.html")]
pub struct RepositoryPage {
    pub nav: Nav,
    pub id: i64,
    pub name: String,
    pub default_branch: String,
    pub head_seq: i64,
    pub head_hash: String,
    pub latest: Option<ScanView>,
    pub frameworks: Vec<FrameworkView>,
    pub failures: Vec<FailureView>,
    pub scans: Vec<ScanView>,
    pub spark: Option<Spark>,
}

fn not_found(what: &str) -> PageError {
    PageError::Status(StatusCode::NOT_FOUND, format!("no such {what}"))
}

pub async fn repository(
    State(state): State<Shared>,
    jar: Cookies,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let session = require_viewer(&state, &jar).await?;
    let repo = crate::store::accounts::repository_by_id(&state.db, id)
        .await?
        .ok_or_else(|| not_found("repository"))?;
    let scans = q::scans_of(&state.db, id, 200).await?;
    let latest = match repo.latest_scan_id {
        Some(s) => q::scan(&state.db, s).await?,
        None => scans.first().cloned(),
    };
    let (frameworks, failures_list) = match &latest {
        Some(s) => (
            framework_views(&q::frameworks_of_scan(&state.db, s.id).await?),
            match read::report(&state.db, s.id).await? {
                Some(r) => failures(&r, None),
                None => Vec::new(),
            },
        ),
        None => (Vec::new(), Vec::new()),
    };
    let mut trend: Vec<(i64, f64)> = scans
        .iter()
        .filter(|s| s.branch == repo.default_branch)
        .filter_map(|s| s.ratio.map(|r| (s.scanned_at, r)))
        .collect();
    trend.sort_by_key(|t| t.0);
    let page = RepositoryPage {
        nav: Nav::of(session.as_ref()),
        id,
        name: repo.name.clone(),
        default_branch: repo.default_branch.clone(),
        head_seq: repo.head_seq,
        head_hash: repo.head_hash.clone(),
        latest: latest.as_ref().map(ScanView::from),
        frameworks,
        failures: failures_list,
        scans: scans.iter().map(ScanView::from).collect(),
        spark: spark(&trend, 600, 80),
    };
    Ok(html(&page))
}

// ---- one scan: the roadmap and the checklist as of that scan ----

pub struct RequirementView {
    pub id: String,
    pub label: String,
    pub title: String,
    pub status: String,
    pub class: &'static str,
    pub ticked: bool,
    pub attested: bool,
    pub failures: Vec<FailureView>,
}

pub struct SectionView {
    pub id: String,
    pub title: String,
    pub status: String,
    pub class: &'static str,
    pub met: u64,
    pub applicable: u64,
    pub requirements: Vec<RequirementView>,
}

pub struct DocumentView {
    pub id: String,
    pub title: String,
    pub sections: Vec<SectionView>,
}

pub struct DiagnosticView {
    pub code: String,
    pub severity: String,
    pub location: String,
    pub message: String,
}

pub struct TodoView {
    pub control: String,
    pub title: String,
    pub state: String,
    pub owner: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "scan.html")]
pub struct ScanPage {
    pub nav: Nav,
    pub repo_id: i64,
    pub repo_name: String,
    pub scan: ScanView,
    pub frameworks: Vec<FrameworkView>,
    pub documents: Vec<DocumentView>,
    pub others: Vec<DocumentView>,
    pub failures: Vec<FailureView>,
    pub diagnostics: Vec<DiagnosticView>,
    pub todo: Vec<TodoView>,
    pub control: Option<String>,
}

fn is_document(id: &str) -> bool {
    Catalog::embedded()
        .framework(id)
        .map_or(matches!(id, "roadmap" | "devsecops"), |f| f.document)
}

fn document_view(f: &FrameworkResult, report: &Report) -> DocumentView {
    let mut by_check: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, v) in report.verdicts.iter().enumerate() {
        if v.is_failure() {
            by_check.entry(v.check.as_str()).or_default().push(i);
        }
    }
    DocumentView {
        id: f.id.clone(),
        title: f.title.clone(),
        sections: f
            .sections
            .iter()
            .map(|s| SectionView {
                id: s.id.clone(),
                title: s.title.clone(),
                status: words(&s.status),
                class: class_of(&s.status),
                met: s.met,
                applicable: s.applicable,
                requirements: s
                    .requirements
                    .iter()
                    .map(|r| {
                        let mut seen = BTreeSet::new();
                        let failures = r
                            .checks
                            .iter()
                            .flat_map(|c| by_check.get(c.as_str()).into_iter().flatten())
                            .filter(|i| seen.insert(**i))
                            .map(|&i| failure_view(i, &report.verdicts[i]))
                            .collect();
                        RequirementView {
                            id: r.id.clone(),
                            label: r.label.clone(),
                            title: r.title.clone(),
                            status: words(&r.status),
                            class: class_of(&r.status),
                            ticked: r.status == "compliant",
                            attested: r.attestation.as_deref() == Some("attested"),
                            failures,
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[derive(Deserialize)]
pub struct ScanQuery {
    control: Option<String>,
}

async fn scan_and_report(state: &Shared, id: i64) -> Result<(ScanRow, Option<Report>), PageError> {
    let scan = q::scan(&state.db, id)
        .await?
        .ok_or_else(|| not_found("scan"))?;
    let report = read::report(&state.db, id).await?;
    Ok((scan, report))
}

pub async fn scan(
    State(state): State<Shared>,
    jar: Cookies,
    Path(id): Path<i64>,
    Query(query): Query<ScanQuery>,
) -> Result<Response, PageError> {
    let session = require_viewer(&state, &jar).await?;
    let (row, report) = scan_and_report(&state, id).await?;
    let control = query.control.filter(|c| valid_control(c));
    let frameworks = framework_views(&q::frameworks_of_scan(&state.db, id).await?);
    let mut page = ScanPage {
        nav: Nav::of(session.as_ref()),
        repo_id: row.repository_id,
        repo_name: row.repository.clone(),
        scan: ScanView::from(&row),
        frameworks,
        documents: Vec::new(),
        others: Vec::new(),
        failures: Vec::new(),
        diagnostics: Vec::new(),
        todo: Vec::new(),
        control: control.clone(),
    };
    if let Some(report) = report {
        for f in &report.framework_results {
            if is_document(&f.id) {
                page.documents.push(document_view(f, &report));
            } else {
                page.others.push(document_view(f, &report));
            }
        }
        page.failures = failures(&report, control.as_deref());
        page.diagnostics = report
            .diagnostics
            .iter()
            .map(|d| DiagnosticView {
                code: d.code.clone(),
                severity: d.severity.clone(),
                location: location_text(&d.location.path, d.location.line),
                message: d.message.clone(),
            })
            .collect();
        page.todo = report
            .attestations_todo
            .iter()
            .map(|t| TodoView {
                control: t.control.clone(),
                title: t.title.clone(),
                state: t.state.clone(),
                owner: t.owner.clone().unwrap_or_default(),
                expires: t.expires.clone().unwrap_or_default(),
            })
            .collect();
    }
    Ok(html(&page))
}

// ---- one verdict ----

pub struct Link {
    pub text: String,
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "verdict.html")]
pub struct VerdictPage {
    pub nav: Nav,
    pub repo_id: i64,
    pub repo_name: String,
    pub scan: ScanView,
    pub check: String,
    pub subject: String,
    pub outcome: String,
    pub class: &'static str,
    pub severity: String,
    pub message: String,
    pub fix: Option<String>,
    pub location: Link,
    pub related: Vec<Link>,
    pub controls: Vec<String>,
    pub waiver: Option<String>,
    pub expired_waiver: Option<String>,
    pub attestation: Option<String>,
}

fn waiver_text(w: &crate::report::Waiver) -> String {
    format!(
        "{} — owner {}, expires {} ({})",
        w.reason,
        w.owner.as_deref().unwrap_or("none"),
        w.expires.as_deref().unwrap_or("never"),
        location_text(&w.source.path, w.source.line)
    )
}

pub async fn verdict(
    State(state): State<Shared>,
    jar: Cookies,
    Path((id, index)): Path<(i64, usize)>,
) -> Result<Response, PageError> {
    let session = require_viewer(&state, &jar).await?;
    let (row, report) = scan_and_report(&state, id).await?;
    let report = report.ok_or_else(|| {
        PageError::Status(
            StatusCode::GONE,
            "this scan's report was removed by retention; its chain entry remains".into(),
        )
    })?;
    let v = report
        .verdicts
        .get(index)
        .ok_or_else(|| not_found("verdict"))?;
    let repo = crate::store::accounts::repository_by_id(&state.db, row.repository_id)
        .await?
        .ok_or_else(|| not_found("repository"))?;
    let template = repo
        .evidence_url
        .clone()
        .or_else(|| state.config.evidence_url.clone());
    let link = |path: &str, line: u64| Link {
        text: location_text(path, line),
        href: evidence_link(template.as_deref(), &repo.name, &row.commit, path, line),
    };
    let page = VerdictPage {
        nav: Nav::of(session.as_ref()),
        repo_id: row.repository_id,
        repo_name: row.repository.clone(),
        scan: ScanView::from(&row),
        check: v.check.clone(),
        subject: v.subject.clone(),
        outcome: v.outcome.clone(),
        class: class_of(&v.outcome),
        severity: v.severity.clone(),
        message: v.message.clone(),
        fix: v.fix.clone(),
        location: link(&v.location.path, v.location.line),
        related: v.related.iter().map(|l| link(&l.path, l.line)).collect(),
        controls: v.controls.clone(),
        waiver: v.waiver.as_ref().map(waiver_text),
        expired_waiver: v.expired_waiver.as_ref().map(waiver_text),
        attestation: v.attestation.as_ref().map(|a| {
            format!(
                "{} — {} (owner {}, expires {})",
                a.control, a.statement, a.owner, a.expires
            )
        }),
    };
    Ok(html(&page))
}

// ---- two scans compared ----

pub struct Change {
    pub id: String,
    pub title: String,
    pub from: String,
    pub from_class: &'static str,
    pub to: String,
    pub to_class: &'static str,
}

#[derive(Template)]
#[template(path = "compare.html")]
pub struct ComparePage {
    pub nav: Nav,
    pub repo_id: i64,
    pub repo_name: String,
    pub a: ScanView,
    pub b: ScanView,
    pub new_failures: Vec<FailureView>,
    pub fixed: Vec<FailureView>,
    pub controls: Vec<Change>,
    pub requirements: Vec<Change>,
}

#[derive(Deserialize)]
pub struct CompareQuery {
    a: i64,
    b: i64,
}

fn change(id: String, title: String, from: &str, to: &str) -> Change {
    Change {
        id,
        title,
        from: words(from),
        from_class: class_of(from),
        to: words(to),
        to_class: class_of(to),
    }
}

/// New and fixed failures (by check, subject and file: lines move between commits), and the
/// controls and requirements whose status changed, from scan `a` to scan `b`.
fn compare_reports(
    a: &Report,
    b: &Report,
) -> (Vec<FailureView>, Vec<FailureView>, Vec<Change>, Vec<Change>) {
    // a finding may repeat (one subject, one file, several lines): compare counts
    type Key = (String, String, String, String);
    let failing = |r: &Report| -> BTreeMap<Key, Vec<usize>> {
        let mut m: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
        for (i, v) in r
            .verdicts
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_failure())
        {
            m.entry(v.key()).or_default().push(i);
        }
        m
    };
    let (fa, fb) = (failing(a), failing(b));
    let beyond = |from: &BTreeMap<Key, Vec<usize>>,
                  other: &BTreeMap<Key, Vec<usize>>,
                  r: &Report|
     -> Vec<FailureView> {
        from.iter()
            .flat_map(|(k, list)| {
                let before = other.get(k).map_or(0, Vec::len);
                list.iter()
                    .skip(before)
                    .map(|&i| failure_view(i, &r.verdicts[i]))
            })
            .collect()
    };
    let new_failures = beyond(&fb, &fa, b);
    let fixed = beyond(&fa, &fb, a);
    let ca: BTreeMap<&str, &crate::report::ControlResult> =
        a.controls.iter().map(|c| (c.id.as_str(), c)).collect();
    let controls = b
        .controls
        .iter()
        .filter_map(|c| {
            let before = ca
                .get(c.id.as_str())
                .map_or("not_assessed", |p| p.status.as_str());
            (before != c.status).then(|| change(c.id.clone(), c.title.clone(), before, &c.status))
        })
        .collect();
    let mut ra: BTreeMap<(String, String), String> = BTreeMap::new();
    for f in &a.framework_results {
        for s in &f.sections {
            for r in &s.requirements {
                ra.insert((f.id.clone(), r.id.clone()), r.status.clone());
            }
        }
    }
    let mut requirements = Vec::new();
    for f in &b.framework_results {
        for s in &f.sections {
            for r in &s.requirements {
                let before = ra
                    .get(&(f.id.clone(), r.id.clone()))
                    .map_or("not_assessed", String::as_str);
                if before != r.status {
                    let label = if r.label.is_empty() {
                        format!("{} {}", f.id, r.id)
                    } else {
                        r.label.clone()
                    };
                    requirements.push(change(label, r.title.clone(), before, &r.status));
                }
            }
        }
    }
    (new_failures, fixed, controls, requirements)
}

pub async fn compare(
    State(state): State<Shared>,
    jar: Cookies,
    Query(query): Query<CompareQuery>,
) -> Result<Response, PageError> {
    let session = require_viewer(&state, &jar).await?;
    let (sa, ra) = scan_and_report(&state, query.a).await?;
    let (sb, rb) = scan_and_report(&state, query.b).await?;
    let (Some(ra), Some(rb)) = (ra, rb) else {
        return Err(PageError::Status(
            StatusCode::GONE,
            "one of these scans' reports was removed by retention".into(),
        ));
    };
    let (new_failures, fixed, controls, requirements) = compare_reports(&ra, &rb);
    let page = ComparePage {
        nav: Nav::of(session.as_ref()),
        repo_id: sb.repository_id,
        repo_name: sb.repository.clone(),
        a: ScanView::from(&sa),
        b: ScanView::from(&sb),
        new_failures,
        fixed,
        controls,
        requirements,
    };
    Ok(html(&page))
}

// ---- a control across the organisation ----

pub struct ControlRow {
    pub repository_id: i64,
    pub repository: String,
    pub scan_id: i64,
    pub status: String,
    pub class: &'static str,
    pub failed: i64,
    pub since: String,
    pub since_scan: Option<i64>,
}

#[derive(Template)]
#[template(path = "control.html")]
pub struct ControlPage {
    pub nav: Nav,
    pub id: String,
    pub title: String,
    pub rows: Vec<ControlRow>,
}

pub fn valid_control(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 32
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

pub async fn control(
    State(state): State<Shared>,
    jar: Cookies,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let session = require_viewer(&state, &jar).await?;
    if !valid_control(&id) {
        return Err(not_found("control"));
    }
    let title = Catalog::embedded()
        .controls
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.title.clone())
        .unwrap_or_default();
    let rows = q::control_failures(&state.db, &id)
        .await?
        .into_iter()
        .filter(|r| is_failing_status(&r.status))
        .map(|r| ControlRow {
            repository_id: r.repository_id,
            repository: r.repository,
            scan_id: r.scan_id,
            class: class_of(&r.status),
            status: words(&r.status),
            failed: r.failed,
            since: r.since.map(day).unwrap_or_default(),
            since_scan: r.since_scan,
        })
        .collect();
    let page = ControlPage {
        nav: Nav::of(session.as_ref()),
        id,
        title,
        rows,
    };
    Ok(html(&page))
}

// ---- attestations and waivers expiring ----

pub struct ExpiryView {
    pub repository_id: i64,
    pub repository: String,
    pub scan_id: i64,
    pub kind: String,
    pub item: String,
    pub subject: String,
    pub owner: String,
    pub expires: String,
    pub expired: bool,
    pub location: String,
}

#[derive(Template)]
#[template(path = "expiring.html")]
pub struct ExpiringPage {
    pub nav: Nav,
    pub days: i64,
    pub rows: Vec<ExpiryView>,
}

#[derive(Deserialize)]
pub struct ExpiringQuery {
    days: Option<i64>,
}

pub async fn expiring(
    State(state): State<Shared>,
    jar: Cookies,
    Query(query): Query<ExpiringQuery>,
) -> Result<Response, PageError> {
    let session = require_viewer(&state, &jar).await?;
    let days = query.days.unwrap_or(60).clamp(1, 3650);
    let today = day(crate::db::now());
    let until = day(crate::db::now() + days * 86400);
    let rows = q::expiring(&state.db, &until)
        .await?
        .into_iter()
        .map(|e| ExpiryView {
            expired: e.expires < today,
            repository_id: e.repository_id,
            repository: e.repository,
            scan_id: e.scan_id,
            kind: e.kind,
            item: e.item,
            subject: e.subject,
            owner: e.owner.unwrap_or_default(),
            expires: e.expires,
            location: location_text(&e.path, e.line.max(0) as u64),
        })
        .collect();
    let page = ExpiringPage {
        nav: Nav::of(session.as_ref()),
        days,
        rows,
    };
    Ok(html(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_links_encode_the_path() {
        let t = Some("https://git.example.org/{repository}/blob/{commit}/{path}#L{line}");
        assert_eq!(
            evidence_link(t, "org/app", "abc1234", "deploy/a b.yml", 7).as_deref(),
            Some("https://git.example.org/org/app/blob/abc1234/deploy/a%20b.yml#L7")
        );
        let climbed = evidence_link(t, "org/app", "abc1234", "../../x\"><script>", 1).unwrap();
        assert!(!climbed.contains("/../"), "{climbed}");
        assert!(
            !climbed.contains('<') && !climbed.contains('"'),
            "{climbed}"
        );
        assert_eq!(evidence_link(None, "a", "b", "c", 1), None);
        assert!(!valid_evidence_template("javascript:alert(1)//{path}"));
    }

    #[test]
    fn sparklines_stay_in_the_box() {
        let s = spark(&[(0, 0.0), (50, 0.5), (100, 1.0)], 100, 20).unwrap();
        assert_eq!(s.points, "2.0,18.0 50.0,10.0 98.0,2.0");
        assert_eq!((s.last_x.as_str(), s.last_y.as_str()), ("98.0", "2.0"));
        assert_eq!(s.last, "100%");
        assert!(spark(&[], 10, 10).is_none());
    }
}
