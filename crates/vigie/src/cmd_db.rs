//! `vigie db import` and `vigie db status`: the offline OSV database SUP-03 matches against.

use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use vigie_deps::store;

#[derive(Args)]
pub struct DbArgs {
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(Subcommand)]
enum DbCommand {
    /// Load OSV advisories: per-ecosystem `all.zip` exports of the OSV database, folders of OSV
    /// JSON files, or single files. Advisories already loaded are kept; newer copies replace them.
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The database file (default: VIGIE_DB, else osv.db in the user's data folder).
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
    },
    /// Say what the database holds and how old it is.
    Status {
        /// The database file (default: VIGIE_DB, else osv.db in the user's data folder).
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
    },
}

fn db_path(db: Option<PathBuf>) -> Result<PathBuf, String> {
    store::resolve_path(db.as_deref())
        .ok_or_else(|| "no data folder for this user: give the database with --db PATH".to_string())
}

pub fn run(args: DbArgs, stdout: &mut dyn Write) -> Result<ExitCode, String> {
    let mut s = String::new();
    match args.command {
        DbCommand::Import { files, db } => {
            let path = db_path(db)?;
            let start = std::time::Instant::now();
            let r = store::import(&path, &files, time::OffsetDateTime::now_utc())?;
            let secs = start.elapsed().as_secs_f64();
            for p in &r.problems {
                eprintln!("vigie: skipped: {p}");
            }
            if let Some(why) = &r.damaged {
                eprintln!("vigie: warning: the previous database was replaced: {why}");
            }
            s.push_str(&format!(
                "read {} records in {:.2}s ({:.0} records/s): {} added, {} replaced, {} unchanged\n",
                r.read,
                secs,
                r.read as f64 / secs.max(1e-9),
                r.added,
                r.replaced,
                r.unchanged
            ));
            let unknown: u64 = r.unknown_ecosystems.values().sum();
            s.push_str(&format!(
                "skipped {} withdrawn, {} of ecosystems vigie does not read{}, {} malformed; {} GIT ranges left out\n",
                r.withdrawn,
                unknown,
                if r.unknown_ecosystems.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({})",
                        r.unknown_ecosystems
                            .iter()
                            .map(|(e, n)| format!("{e} {n}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
                r.malformed,
                r.git_ranges
            ));
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            s.push_str(&format!(
                "{} advisories in {} ({})\n",
                r.total,
                path.display(),
                human(size)
            ));
        }
        DbCommand::Status { db } => {
            let path = db_path(db)?;
            let st = store::Store::open(&path)?;
            let m = st.meta();
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            let age = store::age_days(m, time::OffsetDateTime::now_utc())
                .map_or(String::new(), |d| format!(" ({d} days ago)"));
            s.push_str(&format!(
                "database    {} ({})\n",
                path.display(),
                human(size)
            ));
            s.push_str(&format!("imported    {}{age}\n", m.imported));
            s.push_str(&format!(
                "newest      {} (latest `modified` of an advisory)\n",
                m.newest_modified
            ));
            s.push_str(&format!("advisories  {}\n", m.advisories));
            for (e, n) in &m.ecosystems {
                s.push_str(&format!("  {e:<10} {n}\n"));
            }
            if !m.sources.is_empty() {
                s.push_str(&format!("sources     {}\n", m.sources.join(", ")));
            }
        }
    }
    stdout.write_all(s.as_bytes()).map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

fn human(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MB", n as f64 / (1u64 << 20) as f64)
    } else if n >= 1 << 10 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{n} bytes")
    }
}
