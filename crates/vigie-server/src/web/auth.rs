//! Sessions, logins and the checks every page and form makes.
//!
//! A browser session is a random cookie (HttpOnly, SameSite=Strict, and `Secure` with the
//! `__Host-` prefix unless the server runs on plain HTTP); the database keeps only its hash.
//! Forms carry the session's CSRF token; the login form, which comes before any session, a
//! token that must match a cookie set with it. Failed logins are counted per account and per
//! address: past [`LOGIN_FAILURES_ALLOWED`] in [`LOGIN_WINDOW`] seconds the answer is 429.
//! The `Cookie` header is split here (name=value pairs separated by `;`): that is all the
//! server reads of it.

use super::{HttpError, Shared};
use crate::store::StoreError;
use crate::store::accounts::{self, LOGIN_FAILURES_ALLOWED, LOGIN_WINDOW, Role, User};
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;

/// The request's cookies.
pub struct Cookies(HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Cookies {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut map = HashMap::new();
        for value in parts.headers.get_all(header::COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            for pair in value.split(';') {
                if let Some((k, v)) = pair.trim().split_once('=') {
                    map.entry(k.to_string()).or_insert_with(|| v.to_string());
                }
            }
        }
        Ok(Cookies(map))
    }
}

impl Cookies {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// The client's address, when the server knows it.
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
        ))
    }
}

/// A logged-in account and its CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    cookie: String,
}

fn session_cookie(state: &Shared) -> &'static str {
    if state.config.secure_cookies {
        "__Host-vigie_session"
    } else {
        "vigie_session"
    }
}

fn login_cookie(state: &Shared) -> &'static str {
    if state.config.secure_cookies {
        "__Host-vigie_login"
    } else {
        "vigie_login"
    }
}

fn set_cookie(state: &Shared, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Compare two secrets in time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

pub async fn session(state: &Shared, jar: &Cookies) -> Result<Option<Session>, StoreError> {
    let Some(cookie) = jar.get(session_cookie(state)) else {
        return Ok(None);
    };
    if cookie.len() != 64 || !cookie.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    Ok(accounts::session(&state.db, cookie)
        .await?
        .map(|(user, csrf)| Session {
            user,
            csrf,
            cookie: cookie.to_string(),
        }))
}

/// A page's refusal: to the login page, or a status with a message.
#[derive(Debug)]
pub enum PageError {
    Login,
    Status(StatusCode, String),
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "storage failure");
        PageError::Status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "storage failure (see the server log)".into(),
        )
    }
}

impl From<HttpError> for PageError {
    fn from(e: HttpError) -> Self {
        PageError::Status(e.status, e.message)
    }
}

impl From<crate::store::accounts::AccountError> for PageError {
    fn from(e: crate::store::accounts::AccountError) -> Self {
        HttpError::from(e).into()
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub nav: Nav,
    pub title: String,
    pub message: String,
    pub secret: Option<String>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Login => Redirect::to("/login").into_response(),
            PageError::Status(status, message) => {
                let page = MessagePage {
                    nav: Nav::anonymous(),
                    title: status.canonical_reason().unwrap_or("Error").to_string(),
                    message,
                    secret: None,
                };
                (status, html(&page)).into_response()
            }
        }
    }
}

/// Render a template, or say it failed.
pub fn html(t: &impl Template) -> Response {
    match t.render() {
        Ok(s) => Html(s).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template");
            (StatusCode::INTERNAL_SERVER_ERROR, "page rendering failed").into_response()
        }
    }
}

/// What the page header shows.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub user: Option<String>,
    pub admin: bool,
    pub csrf: String,
}

impl Nav {
    pub fn anonymous() -> Nav {
        Nav::default()
    }

    pub fn of(session: Option<&Session>) -> Nav {
        match session {
            Some(s) => Nav {
                user: Some(s.user.name.clone()),
                admin: s.user.role == Role::Admin,
                csrf: s.csrf.clone(),
            },
            None => Nav::default(),
        }
    }
}

/// A reader of the dashboard: a session, or nobody when reading is public.
pub async fn require_viewer(state: &Shared, jar: &Cookies) -> Result<Option<Session>, PageError> {
    match session(state, jar).await? {
        Some(s) => Ok(Some(s)),
        None if state.config.public_read => Ok(None),
        None => Err(PageError::Login),
    }
}

/// An admin's session (pages and forms).
pub async fn require_admin_page(state: &Shared, jar: &Cookies) -> Result<Session, PageError> {
    match session(state, jar).await? {
        Some(s) if s.user.role == Role::Admin => Ok(s),
        Some(_) => Err(PageError::Status(
            StatusCode::FORBIDDEN,
            "this page is for administrators".into(),
        )),
        None => Err(PageError::Login),
    }
}

/// An admin's session (API).
pub async fn require_admin(state: &Shared, jar: &Cookies) -> Result<Session, HttpError> {
    match session(state, jar).await? {
        Some(s) if s.user.role == Role::Admin => Ok(s),
        Some(_) => Err(HttpError::new(StatusCode::FORBIDDEN, "administrators only")),
        None => Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            "log in, or give an account with HTTP basic authentication",
        )),
    }
}

/// The form's CSRF token must be the session's.
pub fn check_csrf(session: &Session, given: &str) -> Result<(), PageError> {
    if same(&session.csrf, given) {
        Ok(())
    } else {
        Err(PageError::Status(
            StatusCode::FORBIDDEN,
            "the form has expired or did not come from this site: reload the page".into(),
        ))
    }
}

fn rate_keys(name: &str, addr: &ClientAddr) -> Vec<String> {
    let mut keys = vec![format!("user:{name}")];
    if let Some(a) = &addr.0 {
        keys.push(format!("address:{a}"));
    }
    keys
}

/// An account from HTTP basic authentication (the command line's `vigie verify`, exports),
/// rate-limited like the login form; else the browser's session.
pub async fn api_user(
    state: &Shared,
    headers: &HeaderMap,
    jar: &Cookies,
    addr: &ClientAddr,
) -> Result<User, HttpError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| data_encoding::BASE64.decode(b.trim().as_bytes()).ok())
        .and_then(|b| String::from_utf8(b).ok());
    if let Some(pair) = basic {
        let (name, password) = pair.split_once(':').unwrap_or((&pair, ""));
        let keys = rate_keys(name, addr);
        if let Some(wait) = accounts::login_blocked(&state.db, &keys).await? {
            return Err(HttpError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many failed logins: try again in {wait} s"),
            ));
        }
        return match accounts::authenticate(&state.db, name, password).await? {
            Some(u) => Ok(u),
            None => {
                accounts::record_login_failure(&state.db, name, &keys, addr.0.as_deref()).await?;
                Err(HttpError::new(
                    StatusCode::UNAUTHORIZED,
                    "wrong account or password",
                ))
            }
        };
    }
    match session(state, jar).await? {
        Some(s) => Ok(s.user),
        None => Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            "give an account with HTTP basic authentication",
        )),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Nav,
    csrf: String,
    error: Option<String>,
}

pub async fn login_page(State(state): State<Shared>) -> Result<Response, PageError> {
    login_form(&state, StatusCode::OK, None)
}

fn login_form(
    state: &Shared,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, PageError> {
    let csrf = accounts::random_hex(32)
        .map_err(|e| PageError::Status(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    let page = LoginPage {
        nav: Nav::anonymous(),
        csrf: csrf.clone(),
        error,
    };
    let mut response = (status, html(&page)).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state, login_cookie(state), &csrf, 3600),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    csrf: String,
}

pub async fn login(
    State(state): State<Shared>,
    jar: Cookies,
    addr: ClientAddr,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let expected = jar.get(login_cookie(&state)).unwrap_or("");
    if expected.is_empty() || !same(expected, &form.csrf) {
        return login_form(
            &state,
            StatusCode::FORBIDDEN,
            Some("the login form expired: try again".into()),
        );
    }
    let keys = rate_keys(&form.name, &addr);
    if let Some(wait) = accounts::login_blocked(&state.db, &keys).await? {
        let mut r = login_form(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            Some(format!(
                "too many failed logins ({LOGIN_FAILURES_ALLOWED} in {} minutes): try again in {} minutes",
                LOGIN_WINDOW / 60,
                (wait + 59) / 60
            )),
        )?;
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(r);
    }
    let Some(user) = accounts::authenticate(&state.db, &form.name, &form.password).await? else {
        accounts::record_login_failure(&state.db, &form.name, &keys, addr.0.as_deref()).await?;
        return login_form(
            &state,
            StatusCode::UNAUTHORIZED,
            Some("wrong account or password".into()),
        );
    };
    let (cookie, _) = accounts::create_session(&state.db, &user, addr.0.as_deref()).await?;
    let mut response = Redirect::to("/").into_response();
    let h = response.headers_mut();
    h.append(
        header::SET_COOKIE,
        set_cookie(
            &state,
            session_cookie(&state),
            &cookie,
            accounts::SESSION_SECONDS,
        ),
    );
    h.append(
        header::SET_COOKIE,
        set_cookie(&state, login_cookie(&state), "", 0),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

pub async fn logout(
    State(state): State<Shared>,
    jar: Cookies,
    addr: ClientAddr,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let Some(s) = session(&state, &jar).await? else {
        return Err(PageError::Login);
    };
    check_csrf(&s, &form.csrf)?;
    accounts::end_session(&state.db, &s.cookie, &s.user, addr.0.as_deref()).await?;
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, session_cookie(&state), "", 0),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
