//! `vigie sbom`: a CycloneDX 1.6 bill of materials of every package in the lockfiles found.

use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct SbomArgs {
    /// Folder (or one lockfile) to describe.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Output format: cyclonedx-json.
    #[arg(long, default_value = "cyclonedx-json")]
    format: String,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

/// The BOM's timestamp: SOURCE_DATE_EPOCH when set (reproducible builds), else now.
fn timestamp() -> Result<time::OffsetDateTime, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => s
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|n| time::OffsetDateTime::from_unix_timestamp(n).ok())
            .ok_or_else(|| format!("SOURCE_DATE_EPOCH=`{s}` is not a Unix time")),
        Err(_) => Ok(time::OffsetDateTime::now_utc()),
    }
}

pub fn run(args: SbomArgs, stdout: &mut dyn Write) -> Result<ExitCode, String> {
    if args.format != "cyclonedx-json" {
        return Err(format!(
            "unknown SBOM format `{}` (expected cyclonedx-json)",
            args.format
        ));
    }
    if !args.path.exists() {
        return Err(format!("{}: no such file or folder", args.path.display()));
    }
    let lockfiles = vigie_deps::lockfile::find(&args.path);
    for lf in &lockfiles {
        for d in &lf.diagnostics {
            eprintln!("vigie: {}: {}", d.location, d.message);
        }
    }
    if lockfiles.is_empty() {
        eprintln!("vigie: no lockfile found under {}", args.path.display());
    }
    let root = std::fs::canonicalize(&args.path)
        .ok()
        .and_then(|p| {
            let p = if p.is_file() {
                p.parent()?.to_path_buf()
            } else {
                p
            };
            p.file_name().map(|n| n.to_string_lossy().to_string())
        })
        .unwrap_or_else(|| "project".to_string());
    let bom = vigie_deps::sbom::cyclonedx(&lockfiles, &root, timestamp()?);
    match &args.output {
        Some(p) => std::fs::File::create(p)
            .and_then(|f| bom.write_json(f))
            .map_err(|e| format!("{}: {e}", p.display()))?,
        None => bom.write_json(stdout).map_err(|e| e.to_string())?,
    }
    let n: usize = lockfiles.iter().map(|l| l.packages.len()).sum();
    eprintln!("vigie: {} packages from {} lockfiles", n, lockfiles.len());
    Ok(ExitCode::SUCCESS)
}
