//! `POST /api/v1/scans`: a CI job sends its report with the repository, branch, commit,
//! pipeline and time, authenticated by its repository's upload token.
//!
//! The token is checked before the body is read, the size before it is parsed, the metadata
//! before the report, and the report against vigie's schema before anything is stored; each
//! refusal is a 4xx with a message saying what to fix. The same commit and report twice is one
//! scan: the second upload gets 409 with the scan already stored.

use super::auth::ClientAddr;
use super::{HttpError, Shared};
use crate::store::accounts::{self, valid_repository_name};
use crate::store::ingest::{UploadMeta, ingest};
use crate::store::prepare::prepare;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the client sends.
#[derive(Debug, Serialize, Deserialize)]
pub struct Envelope {
    pub repository: String,
    pub branch: String,
    pub commit: String,
    #[serde(default)]
    pub pipeline_url: Option<String>,
    /// RFC 3339; the server's clock when absent.
    #[serde(default)]
    pub scanned_at: Option<String>,
    pub report: Value,
}

/// What the server answers.
#[derive(Debug, Serialize, Deserialize)]
pub struct Receipt {
    pub scan_id: i64,
    pub repository: String,
    pub seq: i64,
    pub entry_hash: String,
    pub duplicate: bool,
    pub url: String,
}

/// A git branch name as `git check-ref-format --branch` would take it, bounded in length.
pub fn valid_branch(b: &str) -> bool {
    !b.is_empty()
        && b.len() <= 255
        && !b.starts_with('-')
        && !b.starts_with('/')
        && !b.ends_with('/')
        && !b.ends_with('.')
        && !b.ends_with(".lock")
        && !b.contains("..")
        && !b.contains("//")
        && !b.contains("@{")
        && !b.chars().any(|c| {
            c.is_control()
                || matches!(
                    c,
                    ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\' | '<' | '>' | '"' | '\''
                )
        })
}

/// A commit id: 7 to 64 hex digits (SHA-1 or SHA-256, abbreviated or not).
pub fn valid_commit(c: &str) -> bool {
    (7..=64).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A pipeline link: an http(s) URL without spaces or control characters.
pub fn valid_url(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() <= 2048
        && u.len() > 8
        && !u
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
}

fn bad(message: impl Into<String>) -> HttpError {
    HttpError::new(StatusCode::BAD_REQUEST, message)
}

fn parse_time(s: Option<&str>) -> Result<i64, HttpError> {
    let now = crate::db::now();
    let Some(s) = s else { return Ok(now) };
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|e| {
            bad(format!(
                "scanned_at `{}` is not an RFC 3339 time: {e}",
                s.chars().take(40).collect::<String>()
            ))
        })?
        .unix_timestamp();
    if t > now + 600 {
        return Err(bad("scanned_at is in the future"));
    }
    if t < 0 {
        return Err(bad("scanned_at is before 1970"));
    }
    Ok(t)
}

fn check_envelope(e: &Envelope) -> Result<UploadMeta, HttpError> {
    if !valid_repository_name(&e.repository) {
        return Err(bad(
            "repository: letters, digits, `.`, `_`, `-` in segments separated by `/`, no `..`",
        ));
    }
    if !valid_branch(&e.branch) {
        return Err(bad("branch: not a git branch name"));
    }
    if !valid_commit(&e.commit) {
        return Err(bad("commit: 7 to 64 hexadecimal digits"));
    }
    if let Some(u) = &e.pipeline_url
        && !valid_url(u)
    {
        return Err(bad("pipeline_url: an http:// or https:// URL"));
    }
    Ok(UploadMeta {
        branch: e.branch.clone(),
        commit: e.commit.to_ascii_lowercase(),
        pipeline_url: e.pipeline_url.clone(),
        scanned_at: parse_time(e.scanned_at.as_deref())?,
    })
}

pub async fn upload(State(state): State<Shared>, addr: ClientAddr, req: Request) -> Response {
    match upload_inner(&state, addr, req).await {
        Ok((status, receipt)) => {
            state.metrics.upload(if receipt.duplicate {
                "duplicate"
            } else {
                "stored"
            });
            (status, Json(receipt)).into_response()
        }
        Err(e) => {
            state.metrics.upload("rejected");
            tracing::info!(status = e.status.as_u16(), reason = %e.message, "upload refused");
            e.into_response()
        }
    }
}

async fn upload_inner(
    state: &Shared,
    addr: ClientAddr,
    req: Request,
) -> Result<(StatusCode, Receipt), HttpError> {
    let (parts, body) = req.into_parts();
    let limit = state.config.max_upload_bytes;
    let checked = match super::auth::bearer(&parts.headers) {
        Some(token) => accounts::check_token(&state.db, &state.tokens, token).await?,
        None => None,
    };
    let Some((token_id, repository_id)) = checked else {
        // Read what the client is still sending before refusing: a connection closed with
        // unread bytes is reset, and the reset can overtake the refusal, leaving the client
        // with "connection reset" instead of the reason.
        let _ = axum::body::to_bytes(body, limit).await;
        return Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            if super::auth::bearer(&parts.headers).is_none() {
                "no upload token: set VIGIE_TOKEN (Authorization: Bearer …)"
            } else {
                "the upload token is unknown or revoked"
            },
        ));
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large(limit))?;
    let _slot = state
        .upload_slots
        .acquire()
        .await
        .map_err(|_| HttpError::new(StatusCode::SERVICE_UNAVAILABLE, "shutting down"))?;
    let envelope: Envelope = serde_json::from_slice(&bytes).map_err(|e| {
        bad(format!(
            "the upload is not the expected JSON ({e}): {{\"repository\", \"branch\", \"commit\", \"pipeline_url\", \"scanned_at\", \"report\"}}"
        ))
    })?;
    drop(bytes);
    let meta = check_envelope(&envelope)?;
    let repository = accounts::repository_by_id(&state.db, repository_id)
        .await?
        .ok_or_else(|| {
            HttpError::new(
                StatusCode::UNAUTHORIZED,
                "the token's repository no longer exists",
            )
        })?;
    if repository.name != envelope.repository {
        return Err(HttpError::new(
            StatusCode::FORBIDDEN,
            format!(
                "this token uploads to `{}` only, not to `{}`",
                repository.name, envelope.repository
            ),
        ));
    }
    let report = envelope.report;
    let app = state.clone();
    let prepared = tokio::task::spawn_blocking(move || prepare(&app.schema, report))
        .await
        .map_err(|e| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(|m| HttpError::new(StatusCode::UNPROCESSABLE_ENTITY, m))?;
    let actor = format!("token:{token_id:x}");
    let stored = ingest(
        &state.db,
        repository_id,
        &actor,
        Some(token_id),
        &meta,
        &prepared,
        addr.0.as_deref(),
    )
    .await?;
    let receipt = Receipt {
        scan_id: stored.scan_id,
        repository: repository.name,
        seq: stored.seq,
        entry_hash: stored.entry_hash,
        duplicate: stored.duplicate,
        url: format!("/scans/{}", stored.scan_id),
    };
    if stored.duplicate {
        Ok((StatusCode::CONFLICT, receipt))
    } else {
        tracing::info!(
            repository = %receipt.repository,
            seq = receipt.seq,
            scan = receipt.scan_id,
            "scan stored"
        );
        Ok((StatusCode::CREATED, receipt))
    }
}

fn too_large(limit: usize) -> HttpError {
    HttpError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the upload is larger than the server accepts ({} MB)",
            limit / (1024 * 1024)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(valid_branch("main"));
        assert!(valid_branch("feature/x-1"));
        for b in ["", "a..b", "-x", "x.lock", "a b", "<script>", "a\nb", "x/"] {
            assert!(!valid_branch(b), "{b}");
        }
        assert!(valid_commit("0123abc"));
        assert!(!valid_commit("xyz1234"));
        assert!(valid_url("https://ci.example.org/run/1"));
        for u in [
            "javascript:alert(1)",
            "https://x/\"><script>",
            "ftp://x",
            "https://a b",
        ] {
            assert!(!valid_url(u), "{u}");
        }
    }
}
