//! `vigie serve`: the compliance history of an organisation (see `crates/vigie-server`), and
//! the subcommands that set it up from the machine it runs on.

use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use vigie_core::config::parse_size;
use vigie_server::cli;

#[derive(Args)]
pub struct ServeArgs {
    #[command(subcommand)]
    command: Option<ServeCommand>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    listen: String,
    /// `postgres://…`, `sqlite://FILE` or a file (default: VIGIE_DATABASE, else the URL in the
    /// file VIGIE_DATABASE_FILE, else server.db in the user's data folder).
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// Days a scan's report is kept; its chain entry is kept for ever.
    #[arg(long, default_value_t = 400, value_name = "DAYS")]
    retention_days: u32,
    /// The largest upload accepted.
    #[arg(long, default_value = "50MB", value_name = "SIZE")]
    max_upload_size: String,
    /// Let anyone read the dashboard without an account.
    #[arg(long)]
    public_read: bool,
    /// Link evidence to the forge: `{repository}`, `{commit}`, `{path}`, `{line}` are replaced,
    /// e.g. https://git.example.org/{repository}/blob/{commit}/{path}#L{line}.
    #[arg(long, value_name = "TEMPLATE")]
    evidence_url: Option<String>,
    /// Serve cookies without `Secure` (plain HTTP, not on localhost): only behind a trusted network.
    #[arg(long)]
    insecure_cookies: bool,
    /// A file holding the bearer token Prometheus presents for /metrics (default: admins only).
    #[arg(long, value_name = "FILE")]
    metrics_token_file: Option<PathBuf>,
    /// Log format on stderr: text or json.
    #[arg(long, default_value = "text", value_name = "FORMAT")]
    log_format: String,
}

#[derive(Subcommand)]
enum ServeCommand {
    /// Add an account (the password is read from VIGIE_PASSWORD, else from standard input).
    AddUser {
        name: String,
        /// viewer or admin.
        #[arg(long, default_value = "viewer")]
        role: String,
    },
    /// Add a repository.
    AddRepository {
        /// `group/project`.
        name: String,
        /// The branch the overview follows.
        #[arg(long, default_value = "main")]
        default_branch: String,
        /// Evidence link template for this repository (see `--evidence-url`).
        #[arg(long, value_name = "TEMPLATE")]
        evidence_url: Option<String>,
    },
    /// Create an upload token for a repository (printed once: store it as the CI secret VIGIE_TOKEN).
    CreateToken {
        repository: String,
        #[arg(long, default_value = "ci")]
        name: String,
    },
    /// Revoke an upload token (its id, or the token itself).
    RevokeToken { id: String },
    /// Copy a SQLite database while the server runs (for PostgreSQL, use pg_dump).
    Backup { file: PathBuf },
    /// Apply the retention period now (the server does it once a day).
    Prune,
    /// Exit 0 if the server at URL answers its health check (for container health checks).
    Healthcheck {
        #[arg(default_value = "http://127.0.0.1:8080/healthz")]
        url: String,
    },
}

fn password() -> Result<String, String> {
    if let Ok(p) = std::env::var("VIGIE_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("reading the password from standard input: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn secret_from_env(name: &str) -> Result<Option<String>, String> {
    if let Some(v) = std::env::var(name).ok().filter(|v| !v.is_empty()) {
        return Ok(Some(v));
    }
    match std::env::var_os(format!("{name}_FILE")).filter(|v| !v.is_empty()) {
        Some(path) => std::fs::read_to_string(&path)
            .map(|s| Some(s.trim().to_string()))
            .map_err(|e| format!("{}: {e}", PathBuf::from(path).display())),
        None => Ok(None),
    }
}

pub fn run(args: ServeArgs) -> Result<ExitCode, String> {
    let database = match args.database.clone() {
        Some(d) => d,
        None => cli::default_database()?,
    };
    match args.command {
        Some(ServeCommand::AddUser { name, role }) => {
            cli::add_user(&database, &name, &role, &password()?)?;
            eprintln!("vigie: account `{name}` ({role}) added");
        }
        Some(ServeCommand::AddRepository {
            name,
            default_branch,
            evidence_url,
        }) => {
            cli::add_repository(&database, &name, &default_branch, evidence_url.as_deref())?;
            eprintln!("vigie: repository `{name}` added");
        }
        Some(ServeCommand::CreateToken { repository, name }) => {
            println!("{}", cli::create_token(&database, &repository, &name)?);
        }
        Some(ServeCommand::RevokeToken { id }) => {
            cli::revoke_token(&database, &id)?;
            eprintln!("vigie: token revoked");
        }
        Some(ServeCommand::Backup { file }) => {
            cli::backup(&database, &file)?;
            eprintln!("vigie: database copied to {}", file.display());
        }
        Some(ServeCommand::Prune) => {
            let p = cli::prune(&database, args.retention_days)?;
            eprintln!(
                "vigie: pruned {} reports, {} verdict packs, {} blobs, {} audit entries",
                p.scans, p.packs, p.blobs, p.audit_entries
            );
        }
        Some(ServeCommand::Healthcheck { url }) => {
            return Ok(match vigie_server::client::healthcheck(&url) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("vigie: unhealthy: {e}");
                    ExitCode::from(1)
                }
            });
        }
        None => {
            let metrics_token = match &args.metrics_token_file {
                Some(p) => Some(
                    std::fs::read_to_string(p)
                        .map_err(|e| format!("{}: {e}", p.display()))?
                        .trim()
                        .to_string(),
                ),
                None => secret_from_env("VIGIE_METRICS_TOKEN")?,
            };
            let log_json = match args.log_format.as_str() {
                "json" => true,
                "text" => false,
                other => return Err(format!("--log-format {other}: text or json")),
            };
            let config = vigie_server::ServerConfig {
                retention_days: args.retention_days,
                max_upload_bytes: usize::try_from(parse_size(&args.max_upload_size)?)
                    .unwrap_or(usize::MAX),
                public_read: args.public_read,
                evidence_url: args.evidence_url,
                secure_cookies: !args.insecure_cookies,
                metrics_token,
                ..vigie_server::ServerConfig::default()
            };
            cli::serve(cli::ServeOptions {
                listen: args.listen,
                database,
                config,
                log_json,
                bootstrap_admin_password: secret_from_env("VIGIE_ADMIN_PASSWORD")?,
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
