//! Retention: scans older than the retention period lose their report (its verdict list, its
//! small fields and their summaries for the pages); their chain entries stay, so the history
//! remains verifiable, and packs and blobs no scan refers to any more are deleted.
//!
//! The default period, 400 days, is the audit-log retention the DevSecOps checklist asks for.

use super::{Result, audit, get};
use crate::db::{Db, now, placeholders};
use sqlx::AssertSqlSafe;
use std::collections::BTreeSet;

pub const DEFAULT_DAYS: u32 = 400;

/// Blobs younger than this are kept even when unreferenced: an upload may be about to use one
/// it saw stored.
const BLOB_GRACE: i64 = 24 * 3600;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pruned {
    pub scans: u64,
    pub packs: u64,
    pub blobs: u64,
    pub audit_entries: u64,
}

/// Prune what is older than `days` days.
pub async fn prune(db: &Db, days: u32) -> Result<Pruned> {
    let cutoff = now() - i64::from(days) * 86400;
    let mut pruned = Pruned::default();
    let mut w = db.begin_write().await?;
    let old: Vec<i64> =
        sqlx::query("SELECT id FROM scans WHERE scanned_at < $1 AND pruned_at IS NULL")
            .bind(cutoff)
            .fetch_all(&mut *w.tx)
            .await?
            .iter()
            .map(|r| get(r, "id"))
            .collect::<Result<_>>()?;
    for chunk in old.chunks(500) {
        for table in ["scan_controls", "scan_expiries"] {
            let sql = format!(
                "DELETE FROM {table} WHERE scan_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *w.tx).await?;
        }
        let sql = format!(
            "UPDATE scans SET meta = NULL, parts = NULL, verdict_ids = NULL, packs = NULL, \
             pruned_at = $1 WHERE id IN ({})",
            placeholders(2, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(now());
        for id in chunk {
            q = q.bind(*id);
        }
        pruned.scans += q.execute(&mut *w.tx).await?.rows_affected();
    }
    pruned.audit_entries = sqlx::query("DELETE FROM audit_log WHERE at_us < $1")
        .bind(cutoff.saturating_mul(1_000_000))
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
    w.commit().await?;
    pruned.packs = collect_packs(db).await?;
    pruned.blobs = collect_blobs(db).await?;
    if pruned != Pruned::default() {
        audit(
            &db.pool,
            "vigie",
            "retention.prune",
            "",
            &format!(
                "{} reports older than {days} days, {} verdict packs, {} blobs, {} audit entries",
                pruned.scans, pruned.packs, pruned.blobs, pruned.audit_entries
            ),
            None,
        )
        .await?;
    }
    Ok(pruned)
}

/// Delete the verdict packs no stored report refers to, repository by repository, with the
/// repository's row locked so that no upload chains a scan onto a pack being deleted.
async fn collect_packs(db: &Db) -> Result<u64> {
    let repos: Vec<i64> = sqlx::query("SELECT id FROM repositories")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| get(r, "id"))
        .collect::<Result<_>>()?;
    let mut deleted = 0;
    for repo in repos {
        let mut w = db.begin_write().await?;
        sqlx::query("UPDATE repositories SET head_seq = head_seq WHERE id = $1")
            .bind(repo)
            .execute(&mut *w.tx)
            .await?;
        let mut used = BTreeSet::new();
        for row in
            sqlx::query("SELECT packs FROM scans WHERE repository_id = $1 AND packs IS NOT NULL")
                .bind(repo)
                .fetch_all(&mut *w.tx)
                .await?
        {
            let packs: String = get(&row, "packs")?;
            used.extend(serde_json::from_str::<Vec<i64>>(&packs).unwrap_or_default());
        }
        let stored: Vec<i64> =
            sqlx::query("SELECT first_vid FROM verdict_packs WHERE repository_id = $1")
                .bind(repo)
                .fetch_all(&mut *w.tx)
                .await?
                .iter()
                .map(|r| get(r, "first_vid"))
                .collect::<Result<_>>()?;
        for first in stored.into_iter().filter(|f| !used.contains(f)) {
            deleted += sqlx::query(
                "DELETE FROM verdict_packs WHERE repository_id = $1 AND first_vid = $2",
            )
            .bind(repo)
            .bind(first)
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
        }
        w.commit().await?;
    }
    Ok(deleted)
}

/// Delete the blobs no stored report refers to (past a grace period).
async fn collect_blobs(db: &Db) -> Result<u64> {
    let mut used = BTreeSet::new();
    for row in sqlx::query("SELECT parts FROM scans WHERE parts IS NOT NULL")
        .fetch_all(&db.pool)
        .await?
    {
        let parts: String = get(&row, "parts")?;
        for (_, digest) in serde_json::from_str::<Vec<(String, String)>>(&parts).unwrap_or_default()
        {
            used.insert(digest);
        }
    }
    let old: Vec<String> = sqlx::query("SELECT digest FROM blobs WHERE created_at < $1")
        .bind(now() - BLOB_GRACE)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| get(r, "digest"))
        .collect::<Result<_>>()?;
    let mut deleted = 0;
    let unused: Vec<String> = old.into_iter().filter(|d| !used.contains(d)).collect();
    if unused.is_empty() {
        return Ok(0);
    }
    let mut w = db.begin_write().await?;
    for digest in unused {
        deleted += sqlx::query("DELETE FROM blobs WHERE digest = $1")
            .bind(digest)
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
    }
    w.commit().await?;
    Ok(deleted)
}
