//! `vigie upload REPORT.json` and `vigie scan … --upload URL`: send a JSON report to a
//! `vigie serve`, with the repository, branch, commit and pipeline it is of (flags, else the
//! CI's variables, else the git checkout) and the upload token in `VIGIE_TOKEN`.

use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vigie_server::client::{self, GitInfo, Metadata};

#[derive(Args)]
pub struct UploadArgs {
    /// The report written by `vigie scan --format json`.
    report: PathBuf,
    /// The server (default: VIGIE_SERVER).
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// `group/project` (default: the CI's, else git's remote `origin`).
    #[arg(long)]
    repository: Option<String>,
    /// The branch scanned (default: the CI's, else git's).
    #[arg(long)]
    branch: Option<String>,
    /// The commit scanned (default: the CI's, else git's HEAD).
    #[arg(long)]
    commit: Option<String>,
    /// The pipeline run (default: the CI's).
    #[arg(long, value_name = "URL")]
    pipeline_url: Option<String>,
    /// When the scan ran, RFC 3339 (default: now).
    #[arg(long, value_name = "TIME")]
    time: Option<String>,
    /// The checkout git is read from.
    #[arg(long, default_value = ".")]
    path: PathBuf,
}

/// What the checkout at `path` says: HEAD's commit, its branch, `origin`'s repository.
fn git_info(path: &Path) -> GitInfo {
    let Ok(repo) = gix::discover(path) else {
        return GitInfo::default();
    };
    let commit = repo.head_id().ok().map(|id| id.to_string());
    let branch = repo
        .head_name()
        .ok()
        .flatten()
        .map(|n| n.shorten().to_string());
    let repository = repo
        .find_remote("origin")
        .ok()
        .and_then(|r| {
            r.url(gix::remote::Direction::Fetch)
                .map(|u| u.to_bstring().to_string())
        })
        .and_then(|u| client::repository_from_remote(&u));
    GitInfo {
        repository,
        branch,
        commit,
    }
}

fn token() -> Result<String, String> {
    std::env::var("VIGIE_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .map(|t| t.trim().to_string())
        .ok_or_else(|| "set VIGIE_TOKEN to the repository's upload token".to_string())
}

fn send(
    server: &str,
    flags: Metadata,
    path: &Path,
    report: serde_json::Value,
) -> Result<(), String> {
    let token = token()?;
    let meta = Metadata::resolve(
        flags,
        Metadata::from_ci(&|k| std::env::var(k).ok()),
        git_info(path),
    );
    let receipt = client::upload(server, &token, meta, report)?;
    let what = if receipt.duplicate {
        "already stored as"
    } else {
        "stored as"
    };
    eprintln!(
        "vigie: {what} {} entry {} (chain hash {}) {}{}",
        receipt.repository,
        receipt.seq,
        receipt.entry_hash,
        server.trim_end_matches('/'),
        receipt.url
    );
    Ok(())
}

pub fn run(args: UploadArgs) -> Result<ExitCode, String> {
    let server = args
        .server
        .or_else(|| std::env::var("VIGIE_SERVER").ok())
        .ok_or("give the server with --server URL (or VIGIE_SERVER)")?;
    let text =
        std::fs::read(&args.report).map_err(|e| format!("{}: {e}", args.report.display()))?;
    let report: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| format!("{} is not a JSON report: {e}", args.report.display()))?;
    let flags = Metadata {
        repository: args.repository,
        branch: args.branch,
        commit: args.commit,
        pipeline_url: args.pipeline_url,
        scanned_at: args.time,
    };
    send(&server, flags, &args.path, report)?;
    Ok(ExitCode::SUCCESS)
}

/// After `vigie scan --upload URL`: send the scan's report.
pub fn after_scan(
    report: &vigie_core::ScanReport,
    server: &str,
    path: &Path,
) -> Result<(), String> {
    let json = vigie_report::render(report, vigie_report::Format::Json, &Default::default());
    let value = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let checkout = if path.is_file() {
        path.parent().unwrap_or(Path::new("."))
    } else {
        path
    };
    send(server, Metadata::default(), checkout, value)
}
