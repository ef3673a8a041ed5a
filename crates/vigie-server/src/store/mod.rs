//! Everything the server keeps: scans and their reports (deduplicated and compressed), the
//! hash chain, accounts, tokens and the audit log. Every function takes the [`Db`] and speaks
//! SQL both engines run (see [`crate::db`]).

pub mod accounts;
pub mod codec;
pub mod ingest;
pub mod pages;
pub mod prepare;
pub mod read;
pub mod retention;
pub mod verify;

use sqlx::Row;
use sqlx::any::AnyRow;

/// A database failure, or stored data that does not decode.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

pub(crate) fn get<'r, T>(row: &'r AnyRow, col: &str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(col).map_err(StoreError::Db)
}

/// Record a mutation in the audit log, in the caller's transaction when it has one.
pub async fn audit<'c, E>(
    executor: E,
    actor: &str,
    action: &str,
    target: &str,
    detail: &str,
    address: Option<&str>,
) -> Result<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let at_us = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000;
    sqlx::query(
        "INSERT INTO audit_log (id, at_us, actor, action, target, detail, address) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(crate::db::new_id())
    .bind(at_us as i64)
    .bind(actor.to_string())
    .bind(action.to_string())
    .bind(target.to_string())
    .bind(detail.to_string())
    .bind(address.map(str::to_string))
    .execute(executor)
    .await?;
    Ok(())
}

/// Seconds since the epoch as RFC 3339 (UTC), as the chain records dates.
pub fn rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
