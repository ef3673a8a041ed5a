//! `vigie verify --server URL`: have the server recompute every hash chain of its history and
//! name the first altered entry; with `--export`, download an auditor's export as well.
//! `vigie verify-export FILE`: check such an export offline, with nothing but the file.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use vigie_server::client;

#[derive(Args)]
pub struct VerifyArgs {
    /// The server (default: VIGIE_SERVER).
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// An admin account (its password in VIGIE_PASSWORD).
    #[arg(long, value_name = "NAME")]
    user: String,
    /// Only this repository.
    #[arg(long)]
    repository: Option<String>,
    /// Instead, download the export of `--repository` from `--from` to `--to` into this file.
    #[arg(long, value_name = "FILE", requires_all = ["repository", "from", "to"])]
    export: Option<PathBuf>,
    /// First day of the export (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day of the export (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
}

#[derive(Args)]
pub struct VerifyExportArgs {
    /// The export (JSON Lines) downloaded with `vigie verify --export` or from the server.
    file: PathBuf,
    /// The chain hash the last entry must have (from an upload's output or a trusted record).
    #[arg(long, value_name = "HASH")]
    expect_head: Option<String>,
}

pub fn verify(args: VerifyArgs) -> Result<ExitCode, String> {
    let server = args
        .server
        .or_else(|| std::env::var("VIGIE_SERVER").ok())
        .ok_or("give the server with --server URL (or VIGIE_SERVER)")?;
    let password = std::env::var("VIGIE_PASSWORD")
        .map_err(|_| "set VIGIE_PASSWORD to the account's password")?;
    if let (Some(file), Some(repository), Some(from), Some(to)) =
        (&args.export, &args.repository, &args.from, &args.to)
    {
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(file).map_err(|e| format!("{}: {e}", file.display()))?,
        );
        client::download_export(
            &server, &args.user, &password, repository, from, to, &mut out,
        )?;
        drop(out);
        let s = client::verify_export_file(file)?;
        eprintln!(
            "vigie: wrote {} ({} entries, verified)",
            file.display(),
            s.entries
        );
        return Ok(ExitCode::SUCCESS);
    }
    let v = client::verify_server(&server, &args.user, &password, args.repository.as_deref())?;
    let n = |k: &str| v.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
    let altered = v
        .get("altered")
        .and_then(serde_json::Value::as_array)
        .cloned()
        .unwrap_or_default();
    println!(
        "{} repositories, {} entries, {} reports checked",
        n("repositories"),
        n("entries"),
        n("reports")
    );
    if altered.is_empty() {
        println!("every chain holds");
        return Ok(ExitCode::SUCCESS);
    }
    for a in &altered {
        println!(
            "ALTERED: {} entry {}: {}",
            a.get("repository").and_then(|x| x.as_str()).unwrap_or("?"),
            a.get("seq")
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0),
            a.get("reason").and_then(|x| x.as_str()).unwrap_or("?")
        );
    }
    Ok(ExitCode::from(1))
}

pub fn verify_export(args: VerifyExportArgs) -> Result<ExitCode, String> {
    match client::verify_export_file(&args.file) {
        Ok(s) => {
            if let Some(h) = &args.expect_head
                && !s.last_hash.eq_ignore_ascii_case(h.trim())
            {
                println!(
                    "ALTERED: {}: the last entry's hash is {}, expected {h}",
                    args.file.display(),
                    s.last_hash
                );
                return Ok(ExitCode::from(1));
            }
            println!(
                "{}: {} entries of {} ({}), {} reports re-digested: the chain holds; last entry {} hash {}; server head at export: entry {} hash {}",
                args.file.display(),
                s.entries,
                s.repository,
                match (s.first_seq, s.last_seq) {
                    (Some(a), Some(b)) => format!("entries {a} to {b}"),
                    _ => "no entry in the period".into(),
                },
                s.reports,
                s.last_seq.unwrap_or(0),
                s.last_hash,
                s.head_seq,
                s.head_hash
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("ALTERED: {}: {e}", args.file.display());
            Ok(ExitCode::from(1))
        }
    }
}
