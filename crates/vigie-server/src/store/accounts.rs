//! Who may do what: repositories, viewer and admin accounts, per-repository upload tokens,
//! browser sessions and failed logins. Passwords and token secrets are stored as argon2 hashes
//! only; a session is stored as the SHA-256 of its cookie. Every change is audited.

use super::{Result, StoreError, audit, get};
use crate::canonical::sha256_hex;
use crate::chain::GENESIS;
use crate::db::{Db, new_id, now};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// `n` random bytes from the operating system, in hex.
pub fn random_hex(n: usize) -> std::result::Result<String, String> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).map_err(|e| format!("no randomness from the system: {e}"))?;
    Ok(data_encoding::HEXLOWER.encode(&b))
}

/// Hash a secret with argon2id and a random salt (off the async threads: it is slow on purpose).
pub async fn hash_secret(secret: String) -> std::result::Result<String, String> {
    tokio::task::spawn_blocking(move || {
        // a random salt from the system is drawn by argon2 itself
        Argon2::default()
            .hash_password(secret.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| format!("argon2: {e}"))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Check a secret against its argon2 hash.
pub async fn verify_secret(secret: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(secret.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so that the answer takes as
/// long as for a wrong password.
static DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$1r3y6mqLyJGxJv4mRHtQ8n3y3bW7dG2Q6o0Zl7m1sHk";

/// A repository's name: path-like segments of letters, digits, `.`, `_` and `-`, no `..`.
pub fn valid_repository_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && name.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        })
}

/// An account's name.
pub fn valid_user_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'))
}

/// A repository as the pages and the upload see it.
#[derive(Debug, Clone)]
pub struct Repository {
    pub id: i64,
    pub name: String,
    pub default_branch: String,
    pub evidence_url: Option<String>,
    pub head_seq: i64,
    pub head_hash: String,
    pub latest_scan_id: Option<i64>,
}

fn repository_of(row: &sqlx::any::AnyRow) -> Result<Repository> {
    Ok(Repository {
        id: get(row, "id")?,
        name: get(row, "name")?,
        default_branch: get(row, "default_branch")?,
        evidence_url: get(row, "evidence_url")?,
        head_seq: get(row, "head_seq")?,
        head_hash: get(row, "head_hash")?,
        latest_scan_id: get(row, "latest_scan_id")?,
    })
}

const REPOSITORY_COLUMNS: &str =
    "id, name, default_branch, evidence_url, head_seq, head_hash, latest_scan_id";

pub async fn repository_by_name(db: &Db, name: &str) -> Result<Option<Repository>> {
    let sql = format!("SELECT {REPOSITORY_COLUMNS} FROM repositories WHERE name = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(name.to_string())
        .fetch_optional(&db.pool)
        .await?
        .as_ref()
        .map(repository_of)
        .transpose()
}

pub async fn repository_by_id(db: &Db, id: i64) -> Result<Option<Repository>> {
    let sql = format!("SELECT {REPOSITORY_COLUMNS} FROM repositories WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .as_ref()
        .map(repository_of)
        .transpose()
}

pub async fn repositories(db: &Db) -> Result<Vec<Repository>> {
    let sql = format!("SELECT {REPOSITORY_COLUMNS} FROM repositories ORDER BY name");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(repository_of)
        .collect()
}

/// A refusal the caller shows as is (a name taken, a name not allowed).
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Store(StoreError::Db(e))
    }
}

pub async fn create_repository(
    db: &Db,
    name: &str,
    default_branch: &str,
    evidence_url: Option<&str>,
    actor: &str,
    address: Option<&str>,
) -> std::result::Result<i64, AccountError> {
    if !valid_repository_name(name) {
        return Err(AccountError::Invalid(format!(
            "`{name}` is not a repository name (letters, digits, `.`, `_`, `-`, segments separated by `/`)"
        )));
    }
    if !crate::web::upload::valid_branch(default_branch) {
        return Err(AccountError::Invalid(
            "the default branch is not a branch name".into(),
        ));
    }
    if let Some(t) = evidence_url
        && !crate::web::pages::valid_evidence_template(t)
    {
        return Err(AccountError::Invalid(
            "the evidence URL template must start with https:// or http://".into(),
        ));
    }
    if repository_by_name(db, name).await?.is_some() {
        return Err(AccountError::Invalid(format!("repository `{name}` exists")));
    }
    let id = new_id();
    let mut w = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO repositories (id, name, default_branch, evidence_url, created_at, head_seq, \
         head_hash, next_vid) VALUES ($1, $2, $3, $4, $5, 0, $6, 1)",
    )
    .bind(id)
    .bind(name.to_string())
    .bind(default_branch.to_string())
    .bind(evidence_url.map(str::to_string))
    .bind(now())
    .bind(GENESIS.to_string())
    .execute(&mut *w.tx)
    .await?;
    audit(
        &mut *w.tx,
        actor,
        "repository.create",
        name,
        &format!("default branch {default_branch}"),
        address,
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

pub async fn create_user(
    db: &Db,
    name: &str,
    role: Role,
    password: &str,
    actor: &str,
    address: Option<&str>,
) -> std::result::Result<i64, AccountError> {
    if !valid_user_name(name) {
        return Err(AccountError::Invalid(format!(
            "`{name}` is not an account name"
        )));
    }
    if password.chars().count() < 12 {
        return Err(AccountError::Invalid(
            "a password has at least 12 characters".into(),
        ));
    }
    let exists = sqlx::query("SELECT id FROM users WHERE name = $1")
        .bind(name.to_string())
        .fetch_optional(&db.pool)
        .await?;
    if exists.is_some() {
        return Err(AccountError::Invalid(format!("account `{name}` exists")));
    }
    let hash = hash_secret(password.to_string())
        .await
        .map_err(AccountError::Invalid)?;
    let id = new_id();
    let mut w = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO users (id, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(name.to_string())
    .bind(role.as_str().to_string())
    .bind(hash)
    .bind(now())
    .execute(&mut *w.tx)
    .await?;
    audit(
        &mut *w.tx,
        actor,
        "user.create",
        name,
        role.as_str(),
        address,
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

pub async fn user_count(db: &Db) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(&db.pool)
        .await?;
    get(&row, "n")
}

/// Disable an account (it can no longer log in; its sessions end).
pub async fn disable_user(
    db: &Db,
    name: &str,
    actor: &str,
    address: Option<&str>,
) -> std::result::Result<(), AccountError> {
    let mut w = db.begin_write().await?;
    let row = sqlx::query(
        "UPDATE users SET disabled_at = $2 WHERE name = $1 AND disabled_at IS NULL RETURNING id",
    )
    .bind(name.to_string())
    .bind(now())
    .fetch_optional(&mut *w.tx)
    .await?
    .ok_or_else(|| AccountError::Invalid(format!("no active account `{name}`")))?;
    let id: i64 = get(&row, "id")?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
    audit(&mut *w.tx, actor, "user.disable", name, "", address).await?;
    w.commit().await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct UserRow {
    pub name: String,
    pub role: String,
    pub disabled: bool,
}

pub async fn users(db: &Db) -> Result<Vec<UserRow>> {
    sqlx::query("SELECT name, role, disabled_at FROM users ORDER BY name")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(UserRow {
                name: get(r, "name")?,
                role: get(r, "role")?,
                disabled: get::<Option<i64>>(r, "disabled_at")?.is_some(),
            })
        })
        .collect()
}

/// Check an account's password. Takes as long for an unknown account as for a wrong password.
pub async fn authenticate(db: &Db, name: &str, password: &str) -> Result<Option<User>> {
    let row = sqlx::query(
        "SELECT id, name, role, password_hash FROM users WHERE name = $1 AND disabled_at IS NULL",
    )
    .bind(name.to_string())
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        verify_secret(password.to_string(), DUMMY_HASH.to_string()).await;
        return Ok(None);
    };
    let hash: String = get(&row, "password_hash")?;
    if !verify_secret(password.to_string(), hash).await {
        return Ok(None);
    }
    let role: String = get(&row, "role")?;
    Ok(Some(User {
        id: get(&row, "id")?,
        name: get(&row, "name")?,
        role: Role::parse(&role).unwrap_or(Role::Viewer),
    }))
}

// ---- upload tokens ----

/// A token as shown once at creation: `vigie_<id>_<secret>`.
fn token_string(id: i64, secret: &str) -> String {
    format!("vigie_{id:x}_{secret}")
}

fn parse_token(token: &str) -> Option<(i64, &str)> {
    let rest = token.strip_prefix("vigie_")?;
    let (id, secret) = rest.split_once('_')?;
    let id = i64::from_str_radix(id, 16).ok()?;
    (secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit())).then_some((id, secret))
}

pub async fn create_token(
    db: &Db,
    repository: &Repository,
    name: &str,
    actor: &str,
    address: Option<&str>,
) -> std::result::Result<(i64, String), AccountError> {
    if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
        return Err(AccountError::Invalid("a token needs a short name".into()));
    }
    let secret = random_hex(32).map_err(AccountError::Invalid)?;
    let hash = hash_secret(secret.clone())
        .await
        .map_err(AccountError::Invalid)?;
    let id = new_id();
    let mut w = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO tokens (id, repository_id, name, secret_hash, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(repository.id)
    .bind(name.to_string())
    .bind(hash)
    .bind(now())
    .bind(actor.to_string())
    .execute(&mut *w.tx)
    .await?;
    audit(
        &mut *w.tx,
        actor,
        "token.create",
        &repository.name,
        &format!("token {id:x} `{name}`"),
        address,
    )
    .await?;
    w.commit().await?;
    Ok((id, token_string(id, &secret)))
}

pub async fn revoke_token(
    db: &Db,
    token_id: i64,
    actor: &str,
    address: Option<&str>,
) -> std::result::Result<(), AccountError> {
    let mut w = db.begin_write().await?;
    let row = sqlx::query(
        "UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL \
         RETURNING repository_id, name",
    )
    .bind(token_id)
    .bind(now())
    .fetch_optional(&mut *w.tx)
    .await?
    .ok_or_else(|| AccountError::Invalid("no such active token".into()))?;
    let name: String = get(&row, "name")?;
    let repo: i64 = get(&row, "repository_id")?;
    let repo = sqlx::query("SELECT name FROM repositories WHERE id = $1")
        .bind(repo)
        .fetch_one(&mut *w.tx)
        .await?;
    let repo: String = get(&repo, "name")?;
    audit(
        &mut *w.tx,
        actor,
        "token.revoke",
        &repo,
        &format!("token {token_id:x} `{name}`"),
        address,
    )
    .await?;
    w.commit().await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: i64,
    pub repository: String,
    pub name: String,
    pub created_at: i64,
    pub created_by: String,
    pub revoked: bool,
    pub last_used_at: Option<i64>,
}

pub async fn tokens(db: &Db) -> Result<Vec<TokenRow>> {
    sqlx::query(
        "SELECT t.id, r.name AS repository, t.name, t.created_at, t.created_by, t.revoked_at, \
         t.last_used_at FROM tokens t JOIN repositories r ON r.id = t.repository_id \
         ORDER BY r.name, t.created_at",
    )
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| {
        Ok(TokenRow {
            id: get(r, "id")?,
            repository: get(r, "repository")?,
            name: get(r, "name")?,
            created_at: get(r, "created_at")?,
            created_by: get(r, "created_by")?,
            revoked: get::<Option<i64>>(r, "revoked_at")?.is_some(),
            last_used_at: get(r, "last_used_at")?,
        })
    })
    .collect()
}

/// Secrets already checked against their argon2 hash, by token: an upload pays argon2 once
/// per token and server, not once per request. Revocation is read from the database on every
/// request, so it takes effect at once on every replica.
#[derive(Default)]
pub struct TokenCache(Mutex<HashMap<i64, String>>);

/// The token a bearer string stands for, if it is valid and not revoked: (token id, repository).
pub async fn check_token(db: &Db, cache: &TokenCache, token: &str) -> Result<Option<(i64, i64)>> {
    let Some((id, secret)) = parse_token(token) else {
        return Ok(None);
    };
    let row = sqlx::query(
        "SELECT repository_id, secret_hash FROM tokens WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let repository_id: i64 = get(&row, "repository_id")?;
    let fingerprint = sha256_hex(secret.as_bytes());
    let cached = cache
        .0
        .lock()
        .map(|m| m.get(&id) == Some(&fingerprint))
        .unwrap_or(false);
    if !cached {
        let hash: String = get(&row, "secret_hash")?;
        if !verify_secret(secret.to_string(), hash).await {
            return Ok(None);
        }
        if let Ok(mut m) = cache.0.lock() {
            m.insert(id, fingerprint);
        }
    }
    Ok(Some((id, repository_id)))
}

// ---- sessions ----

pub const SESSION_SECONDS: i64 = 12 * 3600;

/// Open a session: returns the cookie value and the session's CSRF token.
pub async fn create_session(
    db: &Db,
    user: &User,
    address: Option<&str>,
) -> std::result::Result<(String, String), AccountError> {
    let cookie = random_hex(32).map_err(AccountError::Invalid)?;
    let csrf = random_hex(32).map_err(AccountError::Invalid)?;
    let mut w = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(sha256_hex(cookie.as_bytes()))
    .bind(user.id)
    .bind(csrf.clone())
    .bind(now())
    .bind(now() + SESSION_SECONDS)
    .execute(&mut *w.tx)
    .await?;
    audit(
        &mut *w.tx,
        &format!("user:{}", user.name),
        "session.login",
        &user.name,
        "",
        address,
    )
    .await?;
    w.commit().await?;
    Ok((cookie, csrf))
}

/// The account and CSRF token of a live session.
pub async fn session(db: &Db, cookie: &str) -> Result<Option<(User, String)>> {
    let row = sqlx::query(
        "SELECT u.id, u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL",
    )
    .bind(sha256_hex(cookie.as_bytes()))
    .bind(now())
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let role: String = get(&row, "role")?;
    Ok(Some((
        User {
            id: get(&row, "id")?,
            name: get(&row, "name")?,
            role: Role::parse(&role).unwrap_or(Role::Viewer),
        },
        get(&row, "csrf")?,
    )))
}

pub async fn end_session(db: &Db, cookie: &str, user: &User, address: Option<&str>) -> Result<()> {
    let mut w = db.begin_write().await?;
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(sha256_hex(cookie.as_bytes()))
        .execute(&mut *w.tx)
        .await?;
    audit(
        &mut *w.tx,
        &format!("user:{}", user.name),
        "session.logout",
        &user.name,
        "",
        address,
    )
    .await?;
    w.commit().await?;
    Ok(())
}

// ---- login rate limiting ----

/// Failed logins allowed per account in [`LOGIN_WINDOW`] seconds.
pub const LOGIN_FAILURES_ALLOWED: i64 = 5;
/// Failed logins allowed per address (several people may share one) in the same window.
pub const LOGIN_FAILURES_PER_ADDRESS: i64 = 20;
pub const LOGIN_WINDOW: i64 = 15 * 60;

/// How many seconds a key must wait before trying again, if it must.
pub async fn login_blocked(db: &Db, keys: &[String]) -> Result<Option<i64>> {
    let since = now() - LOGIN_WINDOW;
    for key in keys {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(at) AS first FROM login_failures WHERE attempt_key = $1 AND at > $2",
        )
        .bind(key.clone())
        .bind(since)
        .fetch_one(&db.pool)
        .await?;
        let n: i64 = get(&row, "n")?;
        let allowed = if key.starts_with("address:") {
            LOGIN_FAILURES_PER_ADDRESS
        } else {
            LOGIN_FAILURES_ALLOWED
        };
        if n >= allowed {
            let first: Option<i64> = get(&row, "first")?;
            return Ok(Some((first.unwrap_or(now()) + LOGIN_WINDOW - now()).max(1)));
        }
    }
    Ok(None)
}

pub async fn record_login_failure(
    db: &Db,
    name: &str,
    keys: &[String],
    address: Option<&str>,
) -> Result<()> {
    let mut w = db.begin_write().await?;
    for key in keys {
        sqlx::query("INSERT INTO login_failures (attempt_key, at) VALUES ($1, $2)")
            .bind(key.clone())
            .bind(now())
            .execute(&mut *w.tx)
            .await?;
    }
    sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(now() - LOGIN_WINDOW)
        .execute(&mut *w.tx)
        .await?;
    audit(
        &mut *w.tx,
        "anonymous",
        "session.login_failed",
        name,
        "",
        address,
    )
    .await?;
    w.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_names_cannot_escape() {
        for ok in ["app", "org/app", "org/sub.group/app-1_2"] {
            assert!(valid_repository_name(ok), "{ok}");
        }
        for bad in [
            "", "../etc", "org/../x", "/abs", "a//b", "a/", "sp ace", "<script>", "a\\b", "é",
        ] {
            assert!(!valid_repository_name(bad), "{bad}");
        }
    }

    #[test]
    fn tokens_parse_only_in_their_shape() {
        let t = token_string(0xabc, &"f".repeat(64));
        assert_eq!(parse_token(&t), Some((0xabc, "f".repeat(64).as_str())));
        assert_eq!(parse_token("vigie_zz_ff"), None);
        assert_eq!(parse_token(&format!("vigie_1_{}", "g".repeat(64))), None);
        assert_eq!(parse_token("Bearer x"), None);
    }

    #[tokio::test]
    async fn the_dummy_hash_is_a_valid_argon2_hash() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_secret("x".into(), DUMMY_HASH.into()).await);
    }
}
