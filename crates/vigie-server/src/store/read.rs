//! Reading a stored report back: its small fields, its shared blobs and its verdicts from the
//! repository's packs, put together into the canonical bytes whose digest the chain holds.

use super::codec::{decode_ids, decompress};
use super::prepare::assemble;
use super::{Result, StoreError, get};
use crate::db::{Db, placeholders};
use crate::report::Report;
use sqlx::AssertSqlSafe;
use std::collections::HashMap;

/// The canonical bytes of a scan's report, or `None` when retention pruned it.
pub async fn report_bytes(db: &Db, scan_id: i64) -> Result<Option<Vec<u8>>> {
    let row = sqlx::query(
        "SELECT repository_id, meta, parts, verdict_ids, packs FROM scans WHERE id = $1",
    )
    .bind(scan_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let repository_id: i64 = get(&row, "repository_id")?;
    let (Some(meta), Some(parts), Some(ids), Some(packs)) = (
        get::<Option<Vec<u8>>>(&row, "meta")?,
        get::<Option<String>>(&row, "parts")?,
        get::<Option<Vec<u8>>>(&row, "verdict_ids")?,
        get::<Option<String>>(&row, "packs")?,
    ) else {
        return Ok(None);
    };
    let meta = decompress(&meta).map_err(StoreError::Corrupt)?;
    let parts: Vec<(String, String)> =
        serde_json::from_str(&parts).map_err(|e| StoreError::Corrupt(format!("parts: {e}")))?;
    let blobs = blobs(db, parts.iter().map(|(_, d)| d.as_str())).await?;
    let parts = parts
        .into_iter()
        .map(|(key, digest)| {
            let bytes = blobs.get(&digest).cloned().ok_or_else(|| {
                StoreError::Corrupt(format!("blob {digest} of `{key}` is missing"))
            })?;
            Ok((key, digest, bytes))
        })
        .collect::<Result<Vec<_>>>()?;
    let ids =
        decode_ids(&decompress(&ids).map_err(StoreError::Corrupt)?).map_err(StoreError::Corrupt)?;
    let packs: Vec<i64> =
        serde_json::from_str(&packs).map_err(|e| StoreError::Corrupt(format!("packs: {e}")))?;
    let verdicts = verdicts(db, repository_id, &ids, &packs).await?;
    assemble(&meta, &parts, &verdicts)
        .map(Some)
        .map_err(StoreError::Corrupt)
}

/// A scan's report as the pages read it.
pub async fn report(db: &Db, scan_id: i64) -> Result<Option<Report>> {
    let Some(bytes) = report_bytes(db, scan_id).await? else {
        return Ok(None);
    };
    tokio::task::spawn_blocking(move || serde_json::from_slice::<Report>(&bytes))
        .await
        .map_err(|e| StoreError::Corrupt(e.to_string()))?
        .map(Some)
        .map_err(|e| StoreError::Corrupt(format!("report: {e}")))
}

/// Decompressed blobs by digest.
async fn blobs<'a>(
    db: &Db,
    digests: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, Vec<u8>>> {
    let digests: Vec<&str> = digests.collect();
    let mut out = HashMap::new();
    if digests.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT digest, data FROM blobs WHERE digest IN ({})",
        placeholders(1, digests.len())
    );
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for d in &digests {
        q = q.bind(d.to_string());
    }
    for row in q.fetch_all(&db.pool).await? {
        let digest: String = get(&row, "digest")?;
        let data: Vec<u8> = get(&row, "data")?;
        out.insert(digest, decompress(&data).map_err(StoreError::Corrupt)?);
    }
    Ok(out)
}

/// The canonical bytes of verdicts `ids`, in order, from the repository's packs `packs`.
pub async fn verdicts(
    db: &Db,
    repository_id: i64,
    ids: &[i64],
    packs: &[i64],
) -> Result<Vec<Vec<u8>>> {
    let mut loaded: Vec<(i64, Vec<Vec<u8>>)> = Vec::with_capacity(packs.len());
    for chunk in packs.chunks(500) {
        let sql = format!(
            "SELECT first_vid, data FROM verdict_packs WHERE repository_id = $1 AND first_vid IN ({})",
            placeholders(2, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(repository_id);
        for p in chunk {
            q = q.bind(*p);
        }
        for row in q.fetch_all(&db.pool).await? {
            let first: i64 = get(&row, "first_vid")?;
            let data = decompress(&get::<Vec<u8>>(&row, "data")?).map_err(StoreError::Corrupt)?;
            let items = data.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            loaded.push((first, items));
        }
    }
    loaded.sort_by_key(|(first, _)| *first);
    ids.iter()
        .map(|&id| {
            let at = loaded.partition_point(|(first, _)| *first <= id);
            at.checked_sub(1)
                .and_then(|i| {
                    let (first, items) = &loaded[i];
                    items.get(usize::try_from(id - first).ok()?)
                })
                .cloned()
                .ok_or_else(|| StoreError::Corrupt(format!("verdict {id} is in no pack")))
        })
        .collect()
}
