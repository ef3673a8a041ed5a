//! The queries behind the dashboard's pages. Each reads the summaries stored beside the scans
//! (framework counts, failing controls, expiry dates), never whole reports, except the pages
//! that show one report or compare two.

use super::{Result, get};
use crate::db::Db;
use std::collections::BTreeMap;

/// A scan as lists show it.
#[derive(Debug, Clone)]
pub struct ScanRow {
    pub id: i64,
    pub repository_id: i64,
    pub repository: String,
    pub seq: i64,
    pub branch: String,
    pub commit: String,
    pub pipeline_url: Option<String>,
    pub scanned_at: i64,
    pub received_at: i64,
    pub result: String,
    pub failures: i64,
    pub passes: i64,
    pub waived: i64,
    pub attested: i64,
    pub ratio: Option<f64>,
    pub entry_hash: String,
    pub report_digest: String,
    pub vigie_version: String,
    pub pruned: bool,
}

const SCAN_COLUMNS: &str = "s.id, s.repository_id, r.name AS repository, s.seq, s.branch, \
    s.commit_sha, s.pipeline_url, s.scanned_at, s.received_at, s.result, s.failures, s.passes, \
    s.waived, s.attested, s.ratio, s.entry_hash, s.report_digest, s.vigie_version, s.pruned_at";

fn scan_of(r: &sqlx::any::AnyRow) -> Result<ScanRow> {
    Ok(ScanRow {
        id: get(r, "id")?,
        repository_id: get(r, "repository_id")?,
        repository: get(r, "repository")?,
        seq: get(r, "seq")?,
        branch: get(r, "branch")?,
        commit: get(r, "commit_sha")?,
        pipeline_url: get(r, "pipeline_url")?,
        scanned_at: get(r, "scanned_at")?,
        received_at: get(r, "received_at")?,
        result: get(r, "result")?,
        failures: get(r, "failures")?,
        passes: get(r, "passes")?,
        waived: get(r, "waived")?,
        attested: get(r, "attested")?,
        ratio: get(r, "ratio")?,
        entry_hash: get(r, "entry_hash")?,
        report_digest: get(r, "report_digest")?,
        vigie_version: get(r, "vigie_version")?,
        pruned: get::<Option<i64>>(r, "pruned_at")?.is_some(),
    })
}

pub async fn scan(db: &Db, id: i64) -> Result<Option<ScanRow>> {
    let sql = format!(
        "SELECT {SCAN_COLUMNS} FROM scans s JOIN repositories r ON r.id = s.repository_id WHERE s.id = $1"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .as_ref()
        .map(scan_of)
        .transpose()
}

/// A repository's scans, newest first.
pub async fn scans_of(db: &Db, repository_id: i64, limit: i64) -> Result<Vec<ScanRow>> {
    let sql = format!(
        "SELECT {SCAN_COLUMNS} FROM scans s JOIN repositories r ON r.id = s.repository_id \
         WHERE s.repository_id = $1 ORDER BY s.scanned_at DESC, s.seq DESC LIMIT $2"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(repository_id)
        .bind(limit)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(scan_of)
        .collect()
}

/// A framework's requirement counts in one scan.
#[derive(Debug, Clone)]
pub struct FrameworkStatus {
    pub framework: String,
    pub title: String,
    pub compliant: i64,
    pub partially_compliant: i64,
    pub non_compliant: i64,
    pub not_applicable: i64,
    pub not_assessed: i64,
}

impl FrameworkStatus {
    pub fn decided(&self) -> i64 {
        self.compliant + self.partially_compliant + self.non_compliant
    }

    pub fn ratio(&self) -> Option<f64> {
        (self.decided() > 0).then(|| self.compliant as f64 / self.decided() as f64)
    }
}

fn framework_of(r: &sqlx::any::AnyRow) -> Result<FrameworkStatus> {
    Ok(FrameworkStatus {
        framework: get(r, "framework")?,
        title: get(r, "title")?,
        compliant: get(r, "compliant")?,
        partially_compliant: get(r, "partially_compliant")?,
        non_compliant: get(r, "non_compliant")?,
        not_applicable: get(r, "not_applicable")?,
        not_assessed: get(r, "not_assessed")?,
    })
}

pub async fn frameworks_of_scan(db: &Db, scan_id: i64) -> Result<Vec<FrameworkStatus>> {
    sqlx::query("SELECT * FROM scan_frameworks WHERE scan_id = $1 ORDER BY framework")
        .bind(scan_id)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(framework_of)
        .collect()
}

/// One repository on the overview.
#[derive(Debug, Clone)]
pub struct OverviewRow {
    pub id: i64,
    pub name: String,
    pub default_branch: String,
    pub latest: Option<ScanRow>,
    pub frameworks: BTreeMap<String, FrameworkStatus>,
    /// (scanned at, overall ratio) of the default branch's scans in the period, oldest first.
    pub trend: Vec<(i64, f64)>,
}

/// Every repository with its latest scan of the default branch, its frameworks and its trend
/// since `since` (seconds).
pub async fn overview(db: &Db, since: i64) -> Result<Vec<OverviewRow>> {
    let repos = sqlx::query(
        "SELECT id, name, default_branch, latest_scan_id FROM repositories ORDER BY name",
    )
    .fetch_all(&db.pool)
    .await?;
    let latest_sql = format!(
        "SELECT {SCAN_COLUMNS} FROM repositories r JOIN scans s ON s.id = r.latest_scan_id"
    );
    let mut latest: BTreeMap<i64, ScanRow> = BTreeMap::new();
    for row in sqlx::query(sqlx::AssertSqlSafe(latest_sql))
        .fetch_all(&db.pool)
        .await?
    {
        let s = scan_of(&row)?;
        latest.insert(s.repository_id, s);
    }
    let mut frameworks: BTreeMap<i64, BTreeMap<String, FrameworkStatus>> = BTreeMap::new();
    for row in sqlx::query(
        "SELECT r.id AS repository_id, f.* FROM repositories r \
         JOIN scan_frameworks f ON f.scan_id = r.latest_scan_id",
    )
    .fetch_all(&db.pool)
    .await?
    {
        let f = framework_of(&row)?;
        frameworks
            .entry(get(&row, "repository_id")?)
            .or_default()
            .insert(f.framework.clone(), f);
    }
    let mut trends: BTreeMap<i64, Vec<(i64, f64)>> = BTreeMap::new();
    for row in sqlx::query(
        "SELECT s.repository_id, s.scanned_at, s.ratio FROM scans s \
         JOIN repositories r ON r.id = s.repository_id AND s.branch = r.default_branch \
         WHERE s.scanned_at >= $1 AND s.ratio IS NOT NULL ORDER BY s.repository_id, s.scanned_at",
    )
    .bind(since)
    .fetch_all(&db.pool)
    .await?
    {
        trends
            .entry(get(&row, "repository_id")?)
            .or_default()
            .push((get(&row, "scanned_at")?, get(&row, "ratio")?));
    }
    repos
        .iter()
        .map(|r| {
            let id: i64 = get(r, "id")?;
            Ok(OverviewRow {
                id,
                name: get(r, "name")?,
                default_branch: get(r, "default_branch")?,
                latest: latest.remove(&id),
                frameworks: frameworks.remove(&id).unwrap_or_default(),
                trend: trends.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
}

/// Controls failing in the latest scans, with the number of repositories failing each.
pub async fn failing_controls(db: &Db) -> Result<Vec<(String, i64)>> {
    sqlx::query(
        "SELECT c.control, COUNT(*) AS n FROM repositories r \
         JOIN scan_controls c ON c.scan_id = r.latest_scan_id \
         GROUP BY c.control ORDER BY n DESC, c.control LIMIT 20",
    )
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| Ok((get(r, "control")?, get(r, "n")?)))
    .collect()
}

/// A repository failing a control in its latest scan, and since when.
#[derive(Debug, Clone)]
pub struct ControlFailure {
    pub repository_id: i64,
    pub repository: String,
    pub scan_id: i64,
    pub status: String,
    pub failed: i64,
    /// The first scan of the current run of failing scans of the default branch.
    pub since: Option<i64>,
    pub since_scan: Option<i64>,
}

pub async fn control_failures(db: &Db, control: &str) -> Result<Vec<ControlFailure>> {
    let rows = sqlx::query(
        "SELECT r.id, r.name, r.default_branch, c.status, c.failed, c.scan_id FROM repositories r \
         JOIN scan_controls c ON c.scan_id = r.latest_scan_id AND c.control = $1 ORDER BY r.name",
    )
    .bind(control.to_string())
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = get(r, "id")?;
        let branch: String = get(r, "default_branch")?;
        // the last scan of the branch that did not fail the control bounds the run
        let since = sqlx::query(
            "SELECT s.id, s.scanned_at FROM scans s WHERE s.repository_id = $1 AND s.branch = $2 \
             AND s.pruned_at IS NULL AND s.scanned_at > COALESCE((SELECT MAX(p.scanned_at) \
             FROM scans p WHERE p.repository_id = $1 AND p.branch = $2 AND p.pruned_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM scan_controls c WHERE c.scan_id = p.id \
             AND c.control = $3)), -1) ORDER BY s.scanned_at LIMIT 1",
        )
        .bind(id)
        .bind(branch)
        .bind(control.to_string())
        .fetch_optional(&db.pool)
        .await?;
        out.push(ControlFailure {
            repository_id: id,
            repository: get(r, "name")?,
            scan_id: get(r, "scan_id")?,
            status: get(r, "status")?,
            failed: get(r, "failed")?,
            since: since.as_ref().map(|s| get(s, "scanned_at")).transpose()?,
            since_scan: since.as_ref().map(|s| get(s, "id")).transpose()?,
        });
    }
    Ok(out)
}

/// An attestation or waiver of a repository's latest scan that expires soon (or has).
#[derive(Debug, Clone)]
pub struct Expiry {
    pub repository_id: i64,
    pub repository: String,
    pub scan_id: i64,
    pub kind: String,
    pub item: String,
    pub subject: String,
    pub owner: Option<String>,
    pub expires: String,
    pub path: String,
    pub line: i64,
}

/// Expiries up to `until` (`YYYY-MM-DD`), soonest first.
pub async fn expiring(db: &Db, until: &str) -> Result<Vec<Expiry>> {
    sqlx::query(
        "SELECT r.id AS repository_id, r.name, e.scan_id, e.kind, e.item, e.subject, e.owner, \
         e.expires, e.path, e.line FROM repositories r \
         JOIN scan_expiries e ON e.scan_id = r.latest_scan_id \
         WHERE e.expires <= $1 ORDER BY e.expires, r.name, e.item",
    )
    .bind(until.to_string())
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| {
        Ok(Expiry {
            repository_id: get(r, "repository_id")?,
            repository: get(r, "name")?,
            scan_id: get(r, "scan_id")?,
            kind: get(r, "kind")?,
            item: get(r, "item")?,
            subject: get(r, "subject")?,
            owner: get(r, "owner")?,
            expires: get(r, "expires")?,
            path: get(r, "path")?,
            line: get(r, "line")?,
        })
    })
    .collect()
}

#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub at_us: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub address: Option<String>,
}

pub async fn audit_log(db: &Db, limit: i64) -> Result<Vec<AuditEntry>> {
    sqlx::query(
        "SELECT at_us, actor, action, target, detail, address FROM audit_log \
         ORDER BY at_us DESC, id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| {
        Ok(AuditEntry {
            at_us: get(r, "at_us")?,
            actor: get(r, "actor")?,
            action: get(r, "action")?,
            target: get(r, "target")?,
            detail: get(r, "detail")?,
            address: get(r, "address")?,
        })
    })
    .collect()
}

/// The chain entries of a repository from `from` to `to` (seconds, inclusive), in order.
pub async fn chain_entries(db: &Db, repository_id: i64, from_seq: i64) -> Result<Vec<ChainRow>> {
    sqlx::query(
        "SELECT id, seq, branch, commit_sha, pipeline_url, scanned_at, received_at, report_digest, \
         attestations, prev_hash, entry_hash, pruned_at FROM scans WHERE repository_id = $1 \
         AND seq >= $2 ORDER BY seq",
    )
    .bind(repository_id)
    .bind(from_seq)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| {
        Ok(ChainRow {
            scan_id: get(r, "id")?,
            seq: get(r, "seq")?,
            branch: get(r, "branch")?,
            commit: get(r, "commit_sha")?,
            pipeline_url: get(r, "pipeline_url")?,
            scanned_at: get(r, "scanned_at")?,
            received_at: get(r, "received_at")?,
            report_digest: get(r, "report_digest")?,
            attestations: get(r, "attestations")?,
            prev_hash: get(r, "prev_hash")?,
            entry_hash: get(r, "entry_hash")?,
            pruned: get::<Option<i64>>(r, "pruned_at")?.is_some(),
        })
    })
    .collect()
}

/// A stored chain entry.
#[derive(Debug, Clone)]
pub struct ChainRow {
    pub scan_id: i64,
    pub seq: i64,
    pub branch: String,
    pub commit: String,
    pub pipeline_url: Option<String>,
    pub scanned_at: i64,
    pub received_at: i64,
    pub report_digest: String,
    pub attestations: String,
    pub prev_hash: String,
    pub entry_hash: String,
    pub pruned: bool,
}

impl ChainRow {
    pub fn entry(&self, repository: &str) -> crate::chain::Entry {
        crate::chain::Entry {
            repository: repository.to_string(),
            seq: self.seq,
            branch: self.branch.clone(),
            commit: self.commit.clone(),
            pipeline_url: self.pipeline_url.clone(),
            scanned_at: super::rfc3339(self.scanned_at),
            received_at: super::rfc3339(self.received_at),
            report_digest: self.report_digest.clone(),
            // an unreadable value cannot match the hash: verification names the entry
            attestations: serde_json::from_str(&self.attestations)
                .unwrap_or(serde_json::Value::String(self.attestations.clone())),
            prev: self.prev_hash.clone(),
        }
    }
}
