//! What `vigie serve` and its admin subcommands do, as blocking functions the command line
//! calls: each starts its own runtime, so the binary needs no async code of its own.

use crate::db::{Db, Engine};
use crate::store::accounts::{self, Role};
use crate::store::retention;
use crate::web::{self, AppState, ServerConfig};

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}

/// Who the command line acts as in the audit log.
fn cli_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

pub struct ServeOptions {
    pub listen: String,
    pub database: String,
    pub config: ServerConfig,
    pub log_json: bool,
    /// Create the account `admin` with this password when there is no account yet.
    pub bootstrap_admin_password: Option<String>,
}

/// Run the server until it is stopped.
pub fn serve(opts: ServeOptions) -> Result<(), String> {
    crate::init_logging(opts.log_json);
    runtime()?.block_on(async move {
        let db = Db::open(&opts.database).await?;
        tracing::info!(
            engine = ?db.engine,
            database = %crate::db::redact(&crate::db::database_url(&opts.database)),
            retention_days = opts.config.retention_days,
            "database ready"
        );
        if accounts::user_count(&db).await.map_err(|e| e.to_string())? == 0 {
            match &opts.bootstrap_admin_password {
                Some(p) => {
                    accounts::create_user(&db, "admin", Role::Admin, p, "vigie:bootstrap", None)
                        .await
                        .map_err(|e| format!("cannot create the first admin: {e}"))?;
                    tracing::info!("created the account `admin` from VIGIE_ADMIN_PASSWORD");
                }
                None => tracing::warn!(
                    "no account yet: create one with `vigie serve add-user NAME --role admin` \
                     (or start with VIGIE_ADMIN_PASSWORD set)"
                ),
            }
        }
        let listener = tokio::net::TcpListener::bind(&opts.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", opts.listen))?;
        let state = AppState::new(db, opts.config)?;
        web::serve(state, listener)
            .await
            .map_err(|e| format!("server: {e}"))
    })
}

fn with_db<T>(database: &str, f: impl AsyncFnOnce(Db) -> Result<T, String>) -> Result<T, String> {
    runtime()?.block_on(async move {
        let db = Db::open(database).await?;
        f(db).await
    })
}

pub fn add_user(database: &str, name: &str, role: &str, password: &str) -> Result<(), String> {
    let role = Role::parse(role).ok_or("the role is viewer or admin")?;
    with_db(database, async |db| {
        accounts::create_user(&db, name, role, password, &cli_actor(), None)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
}

pub fn add_repository(
    database: &str,
    name: &str,
    default_branch: &str,
    evidence_url: Option<&str>,
) -> Result<(), String> {
    with_db(database, async |db| {
        accounts::create_repository(&db, name, default_branch, evidence_url, &cli_actor(), None)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
}

/// Create an upload token; returns it (it is shown once).
pub fn create_token(database: &str, repository: &str, name: &str) -> Result<String, String> {
    with_db(database, async |db| {
        let repo = accounts::repository_by_name(&db, repository)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no repository `{repository}`"))?;
        accounts::create_token(&db, &repo, name, &cli_actor(), None)
            .await
            .map(|(_, t)| t)
            .map_err(|e| e.to_string())
    })
}

/// Revoke a token by its id (the hex number after `vigie_`).
pub fn revoke_token(database: &str, id: &str) -> Result<(), String> {
    let id = i64::from_str_radix(
        id.trim_start_matches("vigie_")
            .split('_')
            .next()
            .unwrap_or(""),
        16,
    )
    .map_err(|_| format!("`{id}` is not a token id"))?;
    with_db(database, async |db| {
        accounts::revoke_token(&db, id, &cli_actor(), None)
            .await
            .map_err(|e| e.to_string())
    })
}

/// A consistent copy of a SQLite database while the server runs (`VACUUM INTO`).
pub fn backup(database: &str, file: &std::path::Path) -> Result<(), String> {
    if file.exists() {
        return Err(format!("{} exists: give a new file", file.display()));
    }
    with_db(database, async |db| {
        if db.engine != Engine::Sqlite {
            return Err("for PostgreSQL, back up with pg_dump (see README)".into());
        }
        let target = file
            .to_str()
            .ok_or("the backup path is not UTF-8")?
            .to_string();
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&db.pool)
            .await
            .map_err(|e| format!("backup: {e}"))?;
        crate::store::audit(
            &db.pool,
            &cli_actor(),
            "database.backup",
            &file.display().to_string(),
            "",
            None,
        )
        .await
        .map_err(|e| e.to_string())
    })
}

/// Apply retention now.
pub fn prune(database: &str, days: u32) -> Result<retention::Pruned, String> {
    with_db(database, async |db| {
        retention::prune(&db, days).await.map_err(|e| e.to_string())
    })
}

/// The database when none is given: `VIGIE_DATABASE`, else the URL in the file
/// `VIGIE_DATABASE_FILE` names (a container secret: the URL holds a password), else
/// `server.db` in the user's data folder (beside the vulnerability database).
pub fn default_database() -> Result<String, String> {
    if let Some(d) = std::env::var_os("VIGIE_DATABASE").filter(|d| !d.is_empty()) {
        return Ok(d.to_string_lossy().into_owned());
    }
    if let Some(f) = std::env::var_os("VIGIE_DATABASE_FILE").filter(|d| !d.is_empty()) {
        return std::fs::read_to_string(&f)
            .map(|s| s.trim().to_string())
            .map_err(|e| {
                format!(
                    "VIGIE_DATABASE_FILE {}: {e}",
                    std::path::Path::new(&f).display()
                )
            });
    }
    Ok(directories::ProjectDirs::from("", "", "vigie")
        .map(|d| d.data_dir().join("server.db"))
        .unwrap_or_else(|| std::path::PathBuf::from("vigie-server.db"))
        .to_string_lossy()
        .into_owned())
}
