//! Storing an uploaded scan: one transaction appends it to its repository's hash chain with
//! its report, its summaries for the pages and its audit entry, or stores nothing.
//!
//! Verdicts already stored for the repository (compared with the latest scan of the same
//! branch, else of any branch) are referenced by number; only new ones are written, together
//! in one compressed pack. Large report fields are content-addressed blobs shared by every
//! scan that has the same (the `checks` table of a vigie version, unchanged framework results).
//! The expensive work — hashing, compressing, reading the previous scan — happens before the
//! transaction; inside it, the repository's row is locked by the update that advances its
//! chain, so two uploads to one repository are chained one after the other, never forked.

use super::codec::{compress, encode_ids};
use super::prepare::Prepared;
use super::read::verdicts;
use super::{Result, StoreError, audit, get, rfc3339};
use crate::chain::Entry;
use crate::db::{Db, new_id, placeholders, row_placeholders};
use sha2::{Digest, Sha256};
use sqlx::AssertSqlSafe;
use std::collections::HashMap;

/// What the uploader says about the scan.
#[derive(Debug, Clone)]
pub struct UploadMeta {
    pub branch: String,
    pub commit: String,
    pub pipeline_url: Option<String>,
    /// Seconds since the epoch.
    pub scanned_at: i64,
}

/// The outcome of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub scan_id: i64,
    pub seq: i64,
    pub entry_hash: String,
    /// The same commit and report were already stored: nothing new was.
    pub duplicate: bool,
}

type VerdictKey = [u8; 16];

fn verdict_key(bytes: &[u8]) -> VerdictKey {
    let d = Sha256::digest(bytes);
    let mut k = [0u8; 16];
    k.copy_from_slice(&d[..16]);
    k
}

/// The numbers of the verdicts of the repository's latest stored scan (of `branch` if it has
/// one), by content.
async fn known_verdicts(
    db: &Db,
    repository_id: i64,
    branch: &str,
) -> Result<HashMap<VerdictKey, i64>> {
    let mut row = sqlx::query(
        "SELECT verdict_ids, packs FROM scans WHERE repository_id = $1 AND branch = $2 \
         AND verdict_ids IS NOT NULL ORDER BY seq DESC LIMIT 1",
    )
    .bind(repository_id)
    .bind(branch.to_string())
    .fetch_optional(&db.pool)
    .await?;
    if row.is_none() {
        row = sqlx::query(
            "SELECT verdict_ids, packs FROM scans WHERE repository_id = $1 \
             AND verdict_ids IS NOT NULL ORDER BY seq DESC LIMIT 1",
        )
        .bind(repository_id)
        .fetch_optional(&db.pool)
        .await?;
    }
    let Some(row) = row else {
        return Ok(HashMap::new());
    };
    let ids: Vec<u8> = get(&row, "verdict_ids")?;
    let packs: String = get(&row, "packs")?;
    let ids =
        super::codec::decode_ids(&super::codec::decompress(&ids).map_err(StoreError::Corrupt)?)
            .map_err(StoreError::Corrupt)?;
    let packs: Vec<i64> =
        serde_json::from_str(&packs).map_err(|e| StoreError::Corrupt(format!("packs: {e}")))?;
    let bytes = verdicts(db, repository_id, &ids, &packs).await?;
    Ok(bytes
        .iter()
        .zip(ids)
        .map(|(b, id)| (verdict_key(b), id))
        .collect())
}

/// Blob digests among `digests` already stored.
async fn stored_blobs(db: &Db, digests: &[&str]) -> Result<Vec<String>> {
    if digests.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT digest FROM blobs WHERE digest IN ({})",
        placeholders(1, digests.len())
    );
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for d in digests {
        q = q.bind(d.to_string());
    }
    q.fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| get::<String>(r, "digest"))
        .collect()
}

/// How the scan's verdicts are written: the new ones' pack, and each verdict's place.
struct VerdictPlan {
    /// Per verdict in report order: a known number, or the index of a new verdict.
    refs: Vec<VerdictRef>,
    new_pack: Option<Vec<u8>>,
    n_new: i64,
    /// Packs holding the known verdicts referenced.
    known_ids: Vec<i64>,
}

#[derive(Clone, Copy)]
enum VerdictRef {
    Known(i64),
    New(i64),
}

fn plan_verdicts(verdicts: &[Vec<u8>], known: &HashMap<VerdictKey, i64>) -> VerdictPlan {
    let mut fresh: HashMap<VerdictKey, i64> = HashMap::new();
    let mut pack: Vec<u8> = Vec::new();
    let mut refs = Vec::with_capacity(verdicts.len());
    let mut known_ids = Vec::new();
    for v in verdicts {
        let key = verdict_key(v);
        if let Some(&id) = known.get(&key) {
            refs.push(VerdictRef::Known(id));
            known_ids.push(id);
        } else {
            let n = fresh.len() as i64;
            let index = *fresh.entry(key).or_insert_with(|| {
                if n > 0 {
                    pack.push(b'\n');
                }
                pack.extend_from_slice(v);
                n
            });
            refs.push(VerdictRef::New(index));
        }
    }
    let n_new = fresh.len() as i64;
    VerdictPlan {
        refs,
        new_pack: (n_new > 0).then(|| compress(&pack)),
        n_new,
        known_ids,
    }
}

/// The packs that hold `ids`, given every pack of the scan the known verdicts came from.
async fn packs_of(db: &Db, repository_id: i64, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (lo, hi) = (
        ids.iter().copied().min().unwrap_or(0),
        ids.iter().copied().max().unwrap_or(0),
    );
    let rows = sqlx::query(
        "SELECT first_vid, n_verdicts FROM verdict_packs WHERE repository_id = $1 \
         AND first_vid <= $2 AND first_vid + n_verdicts > $3 ORDER BY first_vid",
    )
    .bind(repository_id)
    .bind(hi)
    .bind(lo)
    .fetch_all(&db.pool)
    .await?;
    let packs: Vec<(i64, i64)> = rows
        .iter()
        .map(|r| Ok((get::<i64>(r, "first_vid")?, get::<i64>(r, "n_verdicts")?)))
        .collect::<Result<_>>()?;
    let mut used = std::collections::BTreeSet::new();
    for &id in ids {
        let at = packs.partition_point(|(first, _)| *first <= id);
        if let Some(&(first, n)) = at.checked_sub(1).map(|i| &packs[i])
            && id < first + n
        {
            used.insert(first);
        } else {
            return Err(StoreError::Corrupt(format!("verdict {id} is in no pack")));
        }
    }
    Ok(used.into_iter().collect())
}

/// Store a prepared report for a repository. `actor` is who uploads (`token:…`, `user:…`).
pub async fn ingest(
    db: &Db,
    repository_id: i64,
    actor: &str,
    token_id: Option<i64>,
    meta: &UploadMeta,
    p: &Prepared,
    address: Option<&str>,
) -> Result<Stored> {
    // retention may delete a pack or blob this upload found stored before it took the lock:
    // then it starts again and stores them itself
    for _ in 0..3 {
        if let Some(stored) =
            ingest_once(db, repository_id, actor, token_id, meta, p, address).await?
        {
            return Ok(stored);
        }
    }
    Err(StoreError::Corrupt(
        "the stored verdicts this upload refers to keep being removed".into(),
    ))
}

/// How many of `keys` a table still holds (`column` in `(…)`), for this repository when given.
async fn still_stored(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    sql_head: &str,
    repository_id: Option<i64>,
    keys: &[String],
) -> Result<usize> {
    let mut found = 0;
    for chunk in keys.chunks(500) {
        let offset = usize::from(repository_id.is_some()) + 1;
        let sql = format!("{sql_head} ({})", placeholders(offset, chunk.len()));
        let mut q = sqlx::query(AssertSqlSafe(sql));
        if let Some(r) = repository_id {
            q = q.bind(r);
        }
        for k in chunk {
            q = q.bind(k.clone());
        }
        let row = q.fetch_one(&mut **tx).await?;
        found += get::<i64>(&row, "n")? as usize;
    }
    Ok(found)
}

async fn ingest_once(
    db: &Db,
    repository_id: i64,
    actor: &str,
    token_id: Option<i64>,
    meta: &UploadMeta,
    p: &Prepared,
    address: Option<&str>,
) -> Result<Option<Stored>> {
    // before the transaction: what is already stored, and the compression of what is not
    let known = known_verdicts(db, repository_id, &meta.branch).await?;
    let plan = plan_verdicts(&p.verdicts, &known);
    let mut pack_ids = packs_of(db, repository_id, &plan.known_ids).await?;
    let digests: Vec<&str> = p.parts.iter().map(|(_, d, _)| d.as_str()).collect();
    let present = stored_blobs(db, &digests).await?;
    let new_blobs: Vec<(&str, Vec<u8>)> = p
        .parts
        .iter()
        .filter(|(_, d, _)| !present.contains(d))
        .map(|(_, d, b)| (d.as_str(), compress(b)))
        .collect();
    let meta_blob = compress(&p.meta);
    let parts_json = serde_json::to_string(
        &p.parts
            .iter()
            .map(|(k, d, _)| (k.as_str(), d.as_str()))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    let now = crate::db::now();

    let mut w = db.begin_write().await?;
    let tx = &mut w.tx;
    let head = sqlx::query(
        "UPDATE repositories SET head_seq = head_seq + 1 WHERE id = $1 \
         RETURNING name, head_seq, head_hash, next_vid, default_branch, latest_scanned_at",
    )
    .bind(repository_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::Corrupt(format!("repository {repository_id} does not exist")))?;
    let name: String = get(&head, "name")?;
    let seq: i64 = get(&head, "head_seq")?;
    let prev: String = get(&head, "head_hash")?;
    let first_vid: i64 = get(&head, "next_vid")?;
    let default_branch: String = get(&head, "default_branch")?;
    let latest_at: Option<i64> = get(&head, "latest_scanned_at")?;

    if let Some(row) = sqlx::query(
        "SELECT id, seq, entry_hash FROM scans WHERE repository_id = $1 AND commit_sha = $2 \
         AND report_digest = $3",
    )
    .bind(repository_id)
    .bind(meta.commit.clone())
    .bind(p.digest.clone())
    .fetch_optional(&mut **tx)
    .await?
    {
        let stored = Stored {
            scan_id: get(&row, "id")?,
            seq: get(&row, "seq")?,
            entry_hash: get(&row, "entry_hash")?,
            duplicate: true,
        };
        w.tx.rollback().await?;
        return Ok(Some(stored));
    }
    let packs_needed: Vec<String> = pack_ids.iter().map(i64::to_string).collect();
    let packs_there = still_stored(
        tx,
        "SELECT COUNT(*) AS n FROM verdict_packs WHERE repository_id = $1 AND CAST(first_vid AS TEXT) IN",
        Some(repository_id),
        &packs_needed,
    )
    .await?;
    let blobs_there = still_stored(
        tx,
        "SELECT COUNT(*) AS n FROM blobs WHERE digest IN",
        None,
        &present,
    )
    .await?;
    if packs_there != packs_needed.len() || blobs_there != present.len() {
        w.tx.rollback().await?;
        return Ok(None);
    }

    let ids: Vec<i64> = plan
        .refs
        .iter()
        .map(|r| match *r {
            VerdictRef::Known(id) => id,
            VerdictRef::New(i) => first_vid + i,
        })
        .collect();
    if plan.new_pack.is_some() {
        pack_ids.push(first_vid);
    }
    let entry = Entry {
        repository: name.clone(),
        seq,
        branch: meta.branch.clone(),
        commit: meta.commit.clone(),
        pipeline_url: meta.pipeline_url.clone(),
        scanned_at: rfc3339(meta.scanned_at),
        received_at: rfc3339(now),
        report_digest: p.digest.clone(),
        attestations: serde_json::from_str(&p.attestations).unwrap_or_default(),
        prev,
    };
    let hash = entry.hash();
    let scan_id = new_id();
    let is_latest = meta.branch == default_branch && latest_at.is_none_or(|t| meta.scanned_at >= t);

    sqlx::query(
        "UPDATE repositories SET head_hash = $2, next_vid = $3, \
         latest_scan_id = CASE WHEN $4 = 1 THEN $5 ELSE latest_scan_id END, \
         latest_scanned_at = CASE WHEN $4 = 1 THEN $6 ELSE latest_scanned_at END WHERE id = $1",
    )
    .bind(repository_id)
    .bind(hash.clone())
    .bind(first_vid + plan.n_new)
    .bind(i64::from(is_latest))
    .bind(scan_id)
    .bind(meta.scanned_at)
    .execute(&mut **tx)
    .await?;
    for (digest, data) in &new_blobs {
        sqlx::query(
            "INSERT INTO blobs (digest, data, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (digest) DO NOTHING",
        )
        .bind(digest.to_string())
        .bind(data.clone())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    if let Some(pack) = &plan.new_pack {
        sqlx::query(
            "INSERT INTO verdict_packs (repository_id, first_vid, n_verdicts, data) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(repository_id)
        .bind(first_vid)
        .bind(plan.n_new)
        .bind(pack.clone())
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO scans (id, repository_id, seq, branch, commit_sha, pipeline_url, scanned_at, \
         received_at, report_digest, attestations, prev_hash, entry_hash, uploaded_by, \
         vigie_version, result, failures, passes, waived, attested, ratio, report_bytes, meta, \
         parts, verdict_ids, packs) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
         $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)",
    )
    .bind(scan_id)
    .bind(repository_id)
    .bind(seq)
    .bind(meta.branch.clone())
    .bind(meta.commit.clone())
    .bind(meta.pipeline_url.clone())
    .bind(meta.scanned_at)
    .bind(now)
    .bind(p.digest.clone())
    .bind(p.attestations.clone())
    .bind(entry.prev.clone())
    .bind(hash.clone())
    .bind(actor.to_string())
    .bind(p.vigie_version.clone())
    .bind(p.result.clone())
    .bind(p.failures)
    .bind(p.passes)
    .bind(p.waived)
    .bind(p.attested)
    .bind(p.ratio)
    .bind(p.report_bytes as i64)
    .bind(meta_blob)
    .bind(parts_json)
    .bind(compress(&encode_ids(&ids)))
    .bind(serde_json::to_string(&pack_ids).unwrap_or_default())
    .execute(&mut **tx)
    .await?;
    insert_summaries(tx, scan_id, p).await?;
    if let Some(token_id) = token_id {
        sqlx::query("UPDATE tokens SET last_used_at = $2 WHERE id = $1")
            .bind(token_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    audit(
        &mut **tx,
        actor,
        "scan.upload",
        &name,
        &format!(
            "entry {seq} branch {} commit {} report {}",
            meta.branch, meta.commit, p.digest
        ),
        address,
    )
    .await?;
    w.commit().await?;
    Ok(Some(Stored {
        scan_id,
        seq,
        entry_hash: hash,
        duplicate: false,
    }))
}

/// The per-framework counts, failing controls and expiry dates of a scan, for the pages.
async fn insert_summaries(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    scan_id: i64,
    p: &Prepared,
) -> Result<()> {
    for chunk in p.frameworks.chunks(50) {
        let sql = format!(
            "INSERT INTO scan_frameworks (scan_id, framework, title, compliant, \
             partially_compliant, non_compliant, not_applicable, not_assessed) VALUES {}",
            row_placeholders(1, chunk.len(), 8)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for f in chunk {
            q = q
                .bind(scan_id)
                .bind(f.framework.clone())
                .bind(f.title.clone())
                .bind(f.compliant)
                .bind(f.partially_compliant)
                .bind(f.non_compliant)
                .bind(f.not_applicable)
                .bind(f.not_assessed);
        }
        q.execute(&mut **tx).await?;
    }
    let mut controls = p.failing_controls.clone();
    controls.sort();
    controls.dedup_by(|a, b| a.0 == b.0);
    for chunk in controls.chunks(100) {
        let sql = format!(
            "INSERT INTO scan_controls (scan_id, control, status, failed) VALUES {}",
            row_placeholders(1, chunk.len(), 4)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (control, status, failed) in chunk {
            q = q
                .bind(scan_id)
                .bind(control.clone())
                .bind(status.clone())
                .bind(*failed);
        }
        q.execute(&mut **tx).await?;
    }
    for chunk in p.expiries.chunks(100) {
        let sql = format!(
            "INSERT INTO scan_expiries (scan_id, kind, item, subject, owner, expires, path, line) \
             VALUES {}",
            row_placeholders(1, chunk.len(), 8)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for e in chunk {
            q = q
                .bind(scan_id)
                .bind(e.kind.to_string())
                .bind(e.item.clone())
                .bind(e.subject.clone())
                .bind(e.owner.clone())
                .bind(e.expires.clone())
                .bind(e.path.clone())
                .bind(e.line);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}
