//! The history's API: verifying every chain (admins), and exporting a repository's entries and
//! reports between two dates for an auditor, as JSON Lines that `vigie verify-export` checks
//! offline.

use super::auth::{ClientAddr, Cookies, api_user};
use super::{HttpError, Shared};
use crate::chain::{EXPORT_FORMAT, ExportEnd, ExportHeader, ExportLine};
use crate::store::accounts::{self, Role};
use crate::store::pages::{ChainRow, chain_entries};
use crate::store::read::report_bytes;
use crate::store::{rfc3339, verify};
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct VerifyQuery {
    repository: Option<String>,
}

pub async fn verify(
    State(state): State<Shared>,
    headers: HeaderMap,
    jar: Cookies,
    addr: ClientAddr,
    Query(q): Query<VerifyQuery>,
) -> Result<Response, HttpError> {
    let user = api_user(&state, &headers, &jar, &addr).await?;
    if user.role != Role::Admin {
        return Err(HttpError::new(StatusCode::FORBIDDEN, "administrators only"));
    }
    let v = verify::verify(&state.db, q.repository.as_deref()).await?;
    Ok(Json(v).into_response())
}

#[derive(Deserialize)]
pub struct ExportQuery {
    repository: String,
    from: String,
    to: String,
}

fn date(s: &str, what: &str) -> Result<time::Date, HttpError> {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).map_err(|_| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            format!("{what}: a date, YYYY-MM-DD"),
        )
    })
}

/// The contiguous run of entries from the first scanned on or after `from` to the last
/// scanned on or before `to` (an export must be a piece of the chain, so an entry uploaded
/// late, in the middle of that run, comes with it).
fn select(entries: Vec<ChainRow>, from: i64, to: i64) -> Vec<ChainRow> {
    let first = entries.iter().position(|e| e.scanned_at >= from);
    let last = entries.iter().rposition(|e| e.scanned_at <= to);
    match (first, last) {
        (Some(a), Some(b)) if a <= b => entries.into_iter().skip(a).take(b - a + 1).collect(),
        _ => Vec::new(),
    }
}

pub async fn export(
    State(state): State<Shared>,
    headers: HeaderMap,
    jar: Cookies,
    addr: ClientAddr,
    Query(q): Query<ExportQuery>,
) -> Result<Response, HttpError> {
    api_user(&state, &headers, &jar, &addr).await?;
    let from = date(&q.from, "from")?;
    let to = date(&q.to, "to")?;
    let repo = accounts::repository_by_name(&state.db, &q.repository)
        .await?
        .ok_or_else(|| HttpError::new(StatusCode::NOT_FOUND, "no such repository"))?;
    let from_s = from.midnight().assume_utc().unix_timestamp();
    let to_s = to.midnight().assume_utc().unix_timestamp() + 86399;
    let entries = select(chain_entries(&state.db, repo.id, 1).await?, from_s, to_s);
    let header_line = ExportHeader {
        format: EXPORT_FORMAT.into(),
        repository: repo.name.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
        exported_at: rfc3339(crate::db::now()),
        first_prev: entries
            .first()
            .map_or_else(|| repo.head_hash.clone(), |e| e.prev_hash.clone()),
        head_seq: repo.head_seq,
        head_hash: repo.head_hash.clone(),
    };
    let first = serde_json::to_string(&header_line).unwrap_or_default() + "\n";
    let last_hash = entries
        .last()
        .map_or_else(|| header_line.first_prev.clone(), |e| e.entry_hash.clone());
    let n = entries.len() as u64;
    let name = repo.name.clone();
    // one line per entry, read from the database as the body is sent
    let stream = futures_util::stream::unfold(
        (state, entries.into_iter(), Some(first), false),
        move |(state, mut rest, pending, done)| {
            let name = name.clone();
            let last_hash = last_hash.clone();
            async move {
                if let Some(line) = pending {
                    return Some((Ok::<_, std::io::Error>(line), (state, rest, None, done)));
                }
                if done {
                    return None;
                }
                let Some(row) = rest.next() else {
                    let end = serde_json::json!({"end": ExportEnd { entries: n, last_hash }});
                    return Some((Ok(format!("{end}\n")), (state, rest, None, true)));
                };
                let report = if row.pruned {
                    None
                } else {
                    match report_bytes(&state.db, row.scan_id).await {
                        Ok(Some(b)) => serde_json::from_slice(&b).ok(),
                        Ok(None) => None,
                        Err(e) => {
                            return Some((
                                Err(std::io::Error::other(e.to_string())),
                                (state, rest, None, true),
                            ));
                        }
                    }
                };
                let line = ExportLine {
                    entry: row.entry(&name),
                    hash: row.entry_hash.clone(),
                    report,
                };
                let line = serde_json::to_string(&line).unwrap_or_default() + "\n";
                Some((Ok(line), (state, rest, None, false)))
            }
        },
    );
    let filename = format!(
        "vigie-export-{}-{}-{}.jsonl",
        repo.name.replace('/', "_"),
        q.from,
        q.to
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
