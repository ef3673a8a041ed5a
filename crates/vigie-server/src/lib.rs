//! vigie-server: `vigie serve`, the compliance history of an organisation.
//!
//! CI jobs upload each scan's JSON report ([`web::upload`]); the server validates it against
//! vigie's report schema, stores it deduplicated and compressed on SQLite or PostgreSQL
//! ([`store`], [`db`]), appends it to its repository's hash chain ([`chain`]) and shows the
//! organisation's status, each repository's roadmap as of any scan, the changes between two
//! scans, the expiring attestations and waivers, and each control across repositories
//! ([`web::pages`]). [`client`] is the command line's side: `vigie upload`, `vigie scan
//! --upload`, `vigie verify --server` and `vigie verify-export`.

pub mod canonical;
pub mod chain;
pub mod cli;
pub mod client;
pub mod db;
pub mod metrics;
pub mod report;
pub mod store;
pub mod web;

pub use db::Db;
pub use web::{AppState, ServerConfig};

/// Log to stderr: JSON lines (for log collectors) or text; `RUST_LOG` filters (default info).
pub fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
