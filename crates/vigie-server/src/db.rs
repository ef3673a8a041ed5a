//! The database: one pool over SQLite or PostgreSQL through sqlx's `Any` driver, one set of
//! migrations (`migrations/`) run at start-up on either.
//!
//! Queries are written once, with `$1` placeholders (which SQLite reads as numbered
//! parameters too) and the types both engines share. What differs is handled here:
//! SQLite runs in WAL mode with `synchronous = FULL`, so an acknowledged upload survives the
//! process being killed or the machine losing power, and its writers are queued in the process
//! (one SQLite file has one writer at a time; queueing here avoids busy-waiting on its lock).
//! PostgreSQL serialises writers per repository on the repository's row.

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Transaction};
use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The pool, its engine, and the queue of SQLite writers.
pub struct Db {
    pub pool: AnyPool,
    pub engine: Engine,
    writers: tokio::sync::Mutex<()>,
}

/// A write transaction, holding its place in the writers' queue on SQLite.
pub struct WriteTx<'a> {
    pub tx: Transaction<'static, sqlx::Any>,
    _queue: Option<tokio::sync::MutexGuard<'a, ()>>,
}

impl WriteTx<'_> {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

const MIGRATIONS: &[(i64, &str, &str)] =
    &[(1, "history", include_str!("../migrations/0001_history.sql"))];

fn migrator() -> Migrator {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|(version, name, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*name),
                    MigrationType::Simple,
                    sqlx::AssertSqlSafe(*sql).into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

use sqlx::SqlSafeStr as _;

/// Turn what the user gave (`postgres://…`, `sqlite://…`, or a file path) into a URL.
pub fn database_url(given: &str) -> String {
    if given.starts_with("postgres://")
        || given.starts_with("postgresql://")
        || given.starts_with("sqlite:")
    {
        given.to_string()
    } else {
        format!("sqlite://{given}")
    }
}

impl Db {
    /// Connect and bring the schema up to date.
    pub async fn open(given: &str) -> Result<Db, String> {
        install_default_drivers();
        let url = database_url(given);
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            Engine::Postgres
        };
        let url = match engine {
            Engine::Sqlite => {
                if let Some(path) = url
                    .strip_prefix("sqlite://")
                    .map(|p| p.split('?').next().unwrap_or(p))
                    && let Some(parent) = Path::new(path).parent()
                    && !parent.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("{}: {e}", parent.display()))?;
                }
                if url.contains('?') {
                    url
                } else {
                    format!("{url}?mode=rwc")
                }
            }
            Engine::Postgres => url,
        };
        let options = AnyPoolOptions::new()
            .max_connections(match engine {
                Engine::Sqlite => 4,
                Engine::Postgres => 10,
            })
            .acquire_timeout(Duration::from_secs(30));
        let options = if engine == Engine::Sqlite {
            options.after_connect(|conn, _| {
                Box::pin(async move {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = FULL",
                        "PRAGMA busy_timeout = 30000",
                        "PRAGMA foreign_keys = ON",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options
            .connect(&url)
            .await
            .map_err(|e| format!("cannot open the database {}: {e}", redact(&url)))?;
        migrator()
            .run(&pool)
            .await
            .map_err(|e| format!("cannot migrate the database: {e}"))?;
        Ok(Db {
            pool,
            engine,
            writers: tokio::sync::Mutex::new(()),
        })
    }

    /// Begin a write transaction (queued behind other writers on SQLite).
    pub async fn begin_write(&self) -> Result<WriteTx<'_>, sqlx::Error> {
        let queue = match self.engine {
            Engine::Sqlite => Some(self.writers.lock().await),
            Engine::Postgres => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx { tx, _queue: queue })
    }
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// `$start, $start+1, …` for `n` parameters: placeholders for a list built at run time.
pub fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `($s,$s+1,…),(…)` for `rows` rows of `cols` parameters, from `$start`.
pub fn row_placeholders(start: usize, rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", placeholders(start + r * cols, cols)))
        .collect::<Vec<_>>()
        .join(",")
}

/// A new identifier: random, positive, below 2^53 so that any JSON reader keeps it exact.
pub fn new_id() -> i64 {
    let mut b = [0u8; 8];
    // the OS random source failing is not something a server can go on without
    if getrandom::fill(&mut b).is_err() {
        return (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(1))
            & ((1 << 53) - 1);
    }
    let v = (u64::from_le_bytes(b) & ((1 << 53) - 1)) as i64;
    v.max(1)
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("postgres://vigie:s3cret@db:5432/vigie"),
            "postgres://vigie:***@db:5432/vigie"
        );
        assert_eq!(redact("sqlite:///data/vigie.db"), "sqlite:///data/vigie.db");
    }

    #[test]
    fn placeholders_are_numbered() {
        assert_eq!(placeholders(2, 3), "$2,$3,$4");
        assert_eq!(row_placeholders(1, 2, 2), "($1,$2),($3,$4)");
    }

    #[test]
    fn paths_become_sqlite_urls() {
        assert_eq!(
            database_url("/var/lib/vigie/v.db"),
            "sqlite:///var/lib/vigie/v.db"
        );
        assert_eq!(database_url("postgres://h/db"), "postgres://h/db");
    }
}
