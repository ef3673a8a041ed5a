//! The admin pages: repositories, upload tokens (shown once, at creation), accounts, the chain
//! verification and the audit log. Every form carries the session's CSRF token; every change
//! is written to the audit log by the store.

use super::Shared;
use super::auth::{
    ClientAddr, Cookies, MessagePage, Nav, PageError, check_csrf, html, require_admin_page,
};
use super::pages::when;
use crate::store::accounts::{self, Role, TokenRow, UserRow};
use crate::store::pages::{AuditEntry, audit_log};
use crate::store::verify;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub struct RepoLine {
    pub id: i64,
    pub name: String,
    pub default_branch: String,
    pub head_seq: i64,
    pub evidence_url: String,
}

pub struct TokenLine {
    pub id: String,
    pub repository: String,
    pub name: String,
    pub created: String,
    pub created_by: String,
    pub last_used: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "admin.html")]
pub struct AdminPage {
    pub nav: Nav,
    pub repositories: Vec<RepoLine>,
    pub tokens: Vec<TokenLine>,
    pub users: Vec<UserRow>,
}

pub async fn page(State(state): State<Shared>, jar: Cookies) -> Result<Response, PageError> {
    let session = require_admin_page(&state, &jar).await?;
    let repositories = accounts::repositories(&state.db)
        .await?
        .into_iter()
        .map(|r| RepoLine {
            id: r.id,
            name: r.name,
            default_branch: r.default_branch,
            head_seq: r.head_seq,
            evidence_url: r.evidence_url.unwrap_or_default(),
        })
        .collect();
    let tokens = accounts::tokens(&state.db)
        .await?
        .into_iter()
        .map(|t: TokenRow| TokenLine {
            id: format!("{:x}", t.id),
            repository: t.repository,
            name: t.name,
            created: when(t.created_at),
            created_by: t.created_by,
            last_used: t.last_used_at.map(when).unwrap_or_else(|| "never".into()),
            revoked: t.revoked,
        })
        .collect();
    let page = AdminPage {
        nav: Nav::of(Some(&session)),
        repositories,
        tokens,
        users: accounts::users(&state.db).await?,
    };
    Ok(html(&page))
}

fn actor(s: &super::auth::Session) -> String {
    format!("user:{}", s.user.name)
}

#[derive(Deserialize)]
pub struct RepositoryForm {
    csrf: String,
    name: String,
    default_branch: String,
    #[serde(default)]
    evidence_url: String,
}

pub async fn create_repository(
    State(state): State<Shared>,
    jar: Cookies,
    addr: ClientAddr,
    Form(f): Form<RepositoryForm>,
) -> Result<Response, PageError> {
    let s = require_admin_page(&state, &jar).await?;
    check_csrf(&s, &f.csrf)?;
    let evidence = Some(f.evidence_url.trim()).filter(|t| !t.is_empty());
    accounts::create_repository(
        &state.db,
        f.name.trim(),
        f.default_branch.trim(),
        evidence,
        &actor(&s),
        addr.0.as_deref(),
    )
    .await?;
    Ok(Redirect::to("/admin").into_response())
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
    repository: String,
    name: String,
}

pub async fn create_token(
    State(state): State<Shared>,
    jar: Cookies,
    addr: ClientAddr,
    Form(f): Form<TokenForm>,
) -> Result<Response, PageError> {
    let s = require_admin_page(&state, &jar).await?;
    check_csrf(&s, &f.csrf)?;
    let repo = accounts::repository_by_name(&state.db, &f.repository)
        .await?
        .ok_or_else(|| PageError::Status(StatusCode::NOT_FOUND, "no such repository".into()))?;
    let (_, token) = accounts::create_token(
        &state.db,
        &repo,
        f.name.trim(),
        &actor(&s),
        addr.0.as_deref(),
    )
    .await?;
    let page = MessagePage {
        nav: Nav::of(Some(&s)),
        title: "Upload token created".into(),
        message: format!(
            "The token for `{}` is shown once: store it as the CI secret VIGIE_TOKEN.",
            repo.name
        ),
        secret: Some(token),
    };
    Ok(html(&page))
}

#[derive(Deserialize)]
pub struct RevokeForm {
    csrf: String,
    id: String,
}

pub async fn revoke_token(
    State(state): State<Shared>,
    jar: Cookies,
    addr: ClientAddr,
    Form(f): Form<RevokeForm>,
) -> Result<Response, PageError> {
    let s = require_admin_page(&state, &jar).await?;
    check_csrf(&s, &f.csrf)?;
    let id = i64::from_str_radix(&f.id, 16)
        .map_err(|_| PageError::Status(StatusCode::BAD_REQUEST, "not a token id".into()))?;
    accounts::revoke_token(&state.db, id, &actor(&s), addr.0.as_deref()).await?;
    Ok(Redirect::to("/admin").into_response())
}

#[derive(Deserialize)]
pub struct UserForm {
    csrf: String,
    name: String,
    role: String,
    password: String,
}

pub async fn create_user(
    State(state): State<Shared>,
    jar: Cookies,
    addr: ClientAddr,
    Form(f): Form<UserForm>,
) -> Result<Response, PageError> {
    let s = require_admin_page(&state, &jar).await?;
    check_csrf(&s, &f.csrf)?;
    let role = Role::parse(&f.role).ok_or_else(|| {
        PageError::Status(StatusCode::BAD_REQUEST, "role: viewer or admin".into())
    })?;
    accounts::create_user(
        &state.db,
        f.name.trim(),
        role,
        &f.password,
        &actor(&s),
        addr.0.as_deref(),
    )
    .await?;
    Ok(Redirect::to("/admin").into_response())
}

#[derive(Deserialize)]
pub struct DisableForm {
    csrf: String,
    name: String,
}

pub async fn disable_user(
    State(state): State<Shared>,
    jar: Cookies,
    addr: ClientAddr,
    Form(f): Form<DisableForm>,
) -> Result<Response, PageError> {
    let s = require_admin_page(&state, &jar).await?;
    check_csrf(&s, &f.csrf)?;
    if f.name == s.user.name {
        return Err(PageError::Status(
            StatusCode::BAD_REQUEST,
            "an admin cannot disable their own account".into(),
        ));
    }
    accounts::disable_user(&state.db, &f.name, &actor(&s), addr.0.as_deref()).await?;
    Ok(Redirect::to("/admin").into_response())
}

#[derive(Template)]
#[template(path = "verify.html")]
pub struct VerifyPage {
    pub nav: Nav,
    pub result: verify::Verification,
}

pub async fn verify(
    State(state): State<Shared>,
    jar: Cookies,
    Form(f): Form<super::auth::CsrfForm>,
) -> Result<Response, PageError> {
    let s = require_admin_page(&state, &jar).await?;
    check_csrf(&s, &f.csrf)?;
    let result = verify::verify(&state.db, None).await?;
    Ok(html(&VerifyPage {
        nav: Nav::of(Some(&s)),
        result,
    }))
}

pub struct AuditLine {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub address: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub nav: Nav,
    pub entries: Vec<AuditLine>,
}

pub async fn audit(State(state): State<Shared>, jar: Cookies) -> Result<Response, PageError> {
    let s = require_admin_page(&state, &jar).await?;
    let entries = audit_log(&state.db, 500)
        .await?
        .into_iter()
        .map(|e: AuditEntry| AuditLine {
            at: time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(e.at_us) * 1000)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_default(),
            actor: e.actor,
            action: e.action,
            target: e.target,
            detail: e.detail,
            address: e.address.unwrap_or_default(),
        })
        .collect();
    Ok(html(&AuditPage {
        nav: Nav::of(Some(&s)),
        entries,
    }))
}
