//! The HTTP server: the upload API, the dashboard, the admin pages, `/healthz` and `/metrics`.
//!
//! Every response carries a strict Content-Security-Policy (no inline script or style, nothing
//! from another origin): strings from scanned repositories are escaped by the templates, and
//! even a string that slipped through could not run. Every request is logged (`tracing`) and
//! timed into the request-latency histogram.

pub mod admin;
pub mod api;
pub mod auth;
pub mod pages;
pub mod upload;

use crate::db::Db;
use crate::metrics::{Metrics, RequestLabels};
use crate::store::accounts::TokenCache;
use crate::store::prepare::Schema;
use crate::store::{StoreError, retention};
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Days a report is kept (its chain entry is kept for ever).
    pub retention_days: u32,
    /// The largest upload accepted, in bytes.
    pub max_upload_bytes: usize,
    /// Let anyone read the dashboard without an account.
    pub public_read: bool,
    /// The default evidence link: `{repository}`, `{commit}`, `{path}`, `{line}` are replaced.
    pub evidence_url: Option<String>,
    /// Cookies only over HTTPS (`Secure`, `__Host-` prefix). Off only for plain-HTTP setups.
    pub secure_cookies: bool,
    /// The bearer token Prometheus presents for `/metrics`; none: `/metrics` needs an admin.
    pub metrics_token: Option<String>,
    /// Uploads prepared at once (each holds its report in memory).
    pub upload_slots: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            retention_days: retention::DEFAULT_DAYS,
            max_upload_bytes: 50 * 1024 * 1024,
            public_read: false,
            evidence_url: None,
            secure_cookies: true,
            metrics_token: None,
            upload_slots: 4,
        }
    }
}

/// What every handler shares.
pub struct AppState {
    pub db: Db,
    pub schema: Schema,
    pub tokens: TokenCache,
    pub config: ServerConfig,
    pub metrics: Metrics,
    pub upload_slots: tokio::sync::Semaphore,
}

pub type Shared = Arc<AppState>;

impl AppState {
    pub fn new(db: Db, config: ServerConfig) -> Result<Shared, String> {
        Ok(Arc::new(AppState {
            db,
            schema: Schema::embedded()?,
            tokens: TokenCache::default(),
            upload_slots: tokio::sync::Semaphore::new(config.upload_slots.max(1)),
            config,
            metrics: Metrics::default(),
        }))
    }
}

/// An error as the client sees it: a status and a message (JSON for the API, a page otherwise).
#[derive(Debug)]
pub struct HttpError {
    pub status: StatusCode,
    pub message: String,
}

impl HttpError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        HttpError {
            status,
            message: message.into(),
        }
    }
}

impl From<StoreError> for HttpError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "storage failure");
        HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "storage failure (see the server log)",
        )
    }
}

impl From<crate::store::accounts::AccountError> for HttpError {
    fn from(e: crate::store::accounts::AccountError) -> Self {
        match e {
            crate::store::accounts::AccountError::Invalid(m) => {
                HttpError::new(StatusCode::BAD_REQUEST, m)
            }
            crate::store::accounts::AccountError::Store(s) => s.into(),
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.message, "status": self.status.as_u16()});
        (self.status, axum::Json(body)).into_response()
    }
}

pub fn router(state: Shared) -> Router {
    let upload_limit = state.config.max_upload_bytes;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route(
            "/api/v1/scans",
            post(upload::upload).layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/v1/verify", get(api::verify))
        .route("/api/v1/export", get(api::export))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/", get(pages::overview))
        .route("/repositories/{id}", get(pages::repository))
        .route("/scans/{id}", get(pages::scan))
        .route("/scans/{id}/verdicts/{index}", get(pages::verdict))
        .route("/compare", get(pages::compare))
        .route("/controls/{id}", get(pages::control))
        .route("/expiring", get(pages::expiring))
        .route("/admin", get(admin::page))
        .route("/admin/repositories", post(admin::create_repository))
        .route("/admin/tokens", post(admin::create_token))
        .route("/admin/tokens/revoke", post(admin::revoke_token))
        .route("/admin/users", post(admin::create_user))
        .route("/admin/users/disable", post(admin::disable_user))
        .route("/admin/verify", post(admin::verify))
        .route("/admin/audit", get(admin::audit))
        .route("/static/vigie.css", get(pages::stylesheet))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

async fn healthz(State(state): State<Shared>) -> Response {
    match sqlx::query("SELECT 1").execute(&state.db.pool).await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n").into_response()
        }
    }
}

async fn metrics(
    State(state): State<Shared>,
    headers: axum::http::HeaderMap,
    jar: auth::Cookies,
) -> Result<Response, HttpError> {
    let bearer = auth::bearer(&headers);
    let by_token =
        matches!((&state.config.metrics_token, bearer), (Some(t), Some(b)) if auth::same(t, b));
    if !by_token {
        auth::require_admin(&state, &jar).await?;
    }
    let body = state.metrics.render(&state.db).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response())
}

/// Log and time every request.
async fn observe(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(req).await;
    let elapsed = start.elapsed();
    let status = response.status().as_u16();
    state
        .metrics
        .requests
        .get_or_create(&RequestLabels {
            method: method.clone(),
            route: route.clone(),
            status: status.to_string(),
        })
        .observe(elapsed.as_secs_f64());
    tracing::info!(
        method,
        route,
        status,
        ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    response
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Run the server until SIGTERM or Ctrl-C, pruning by retention once a day.
pub async fn serve(state: Shared, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let pruner = state.clone();
    tokio::spawn(async move {
        loop {
            match retention::prune(&pruner.db, pruner.config.retention_days).await {
                Ok(p) => tracing::info!(
                    scans = p.scans,
                    packs = p.packs,
                    blobs = p.blobs,
                    audit_entries = p.audit_entries,
                    "retention"
                ),
                Err(e) => tracing::error!(error = %e, "retention failed"),
            }
            tokio::time::sleep(Duration::from_secs(24 * 3600)).await;
        }
    });
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "vigie serve listening");
    }
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
