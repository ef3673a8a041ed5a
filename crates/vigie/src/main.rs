//! The `vigie` command line. Argument handling and output only: the work is in the library crates.

mod alloc;
mod ci;
mod cmd_attest;
mod cmd_db;
mod cmd_graph;
mod cmd_offers;
mod cmd_sbom;
mod cmd_secrets;
#[cfg(feature = "server")]
mod cmd_serve;
mod cmd_units;
#[cfg(feature = "server")]
mod cmd_upload;
#[cfg(feature = "server")]
mod cmd_verify;
mod explain;

#[global_allocator]
static GLOBAL: alloc::Allocator = alloc::Allocator;

use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use vigie_core::Severity;
use vigie_core::catalog::Catalog;
use vigie_core::config::{Config, parse_size};
use vigie_report::{Format, RenderOptions};
use vigie_scan::{ScanOptions, scan};

#[derive(Parser)]
#[command(
    name = "vigie",
    version,
    about = "Compliance as code for container platforms: proves, control by control, what a repository implements of CERT-FR/ANSSI, SecNumCloud and DevSecOps checklists.",
    after_help = "Exit codes: 0 no failure at or above --fail-on, 1 policy failure, 2 usage or fatal error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan a repository (or one file) and report compliance per control and framework.
    Scan(Box<ScanArgs>),
    /// List the frameworks vigie reports on.
    Frameworks,
    /// List the controls, or those of one framework.
    Controls {
        #[arg(long)]
        framework: Option<String>,
    },
    /// Print the documentation of a check, control, diagnostic or requirement (CNT-01, VG-PARSE, ATTEST, roadmap/2.4…).
    Explain { id: String },
    /// Write the documentation of every check and framework as Markdown into a folder.
    Docs {
        #[arg(default_value = "docs")]
        dir: PathBuf,
    },
    /// List the deployment units (kustomizations, charts × values sets, Compose projects,
    /// manifest folders) and how each was formed.
    Units(cmd_units::UnitsArgs),
    /// Print a unit's objects as YAML, as `kubectl kustomize` or `helm template` prints them.
    Render(cmd_units::RenderArgs),
    /// Draw the platform: who can reach what, exposures, databases (dot, mermaid, svg, html).
    Graph(cmd_graph::GraphArgs),
    /// Manage the offline vulnerability database (OSV advisories) that SUP-03 matches lockfiles against.
    Db(cmd_db::DbArgs),
    /// Write a CycloneDX 1.6 SBOM of every package in the lockfiles under a folder.
    Sbom(cmd_sbom::SbomArgs),
    /// Print the dated list of SecNumCloud-qualified offers that SOV-01 matches against.
    Offers,
    /// Record an attestation in .vigie/attestations.toml (what only a person can vouch for).
    Attest(cmd_attest::AttestArgs),
    /// Find secrets in the working tree, the staged changes (--staged) or the git history (--history).
    Secrets(cmd_secrets::SecretsArgs),
    /// Git hooks: `vigie hook install` adds a pre-commit hook running `vigie secrets --staged`.
    #[command(subcommand)]
    Hook(cmd_secrets::HookCommand),
    /// Run the server that keeps every repository's scans: dashboard, upload API, hash chain.
    #[cfg(feature = "server")]
    Serve(cmd_serve::ServeArgs),
    /// Send a JSON report to a `vigie serve` (token in VIGIE_TOKEN).
    #[cfg(feature = "server")]
    Upload(cmd_upload::UploadArgs),
    /// Have a `vigie serve` verify its history, or download an auditor's export.
    #[cfg(feature = "server")]
    Verify(cmd_verify::VerifyArgs),
    /// Verify an export of a `vigie serve` history offline.
    #[cfg(feature = "server")]
    VerifyExport(cmd_verify::VerifyExportArgs),
}

#[derive(Args)]
struct ScanArgs {
    /// Folder or file to scan.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Output format: text, json, sarif, markdown, junit, html. Repeat, with --output, to write several.
    #[arg(long = "format", value_name = "FORMAT")]
    formats: Vec<String>,
    /// Where to write each --format, in the same order; a format without one goes to stdout.
    #[arg(long = "output", short = 'o', value_name = "FILE")]
    outputs: Vec<PathBuf>,
    /// Compose files to merge as one project, in order (as `docker compose -f`), relative to PATH.
    #[arg(short = 'f', long = "file", value_name = "COMPOSE_FILE")]
    compose_files: Vec<String>,
    /// Frameworks to report on and gate with, comma-separated (default: all that apply).
    #[arg(long, value_delimiter = ',')]
    framework: Option<Vec<String>>,
    /// Fail (exit 1) on failures at or above this severity: info, low, medium, high, critical.
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<String>,
    /// Configuration file (default: vigie.toml at the scanned root).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Glob of paths to leave out; repeatable.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Scan files that .gitignore lists.
    #[arg(long)]
    no_gitignore: bool,
    /// Files larger than this are reported, not read (e.g. 10MB).
    #[arg(long, value_name = "SIZE")]
    max_file_size: Option<String>,
    /// Also list passing evidence.
    #[arg(short, long)]
    verbose: bool,
    /// No colour (also when NO_COLOR is set or output is not a terminal).
    #[arg(long)]
    no_color: bool,
    /// Also read the git history (analyses that look at it: secrets, signed commits).
    #[arg(long)]
    history: bool,
    /// Judge the changes since this revision (e.g. origin/main) where a check looks at changes.
    #[arg(long, value_name = "REV")]
    since: Option<String>,
    /// Judge one deployment unit alone, by name or path (`vigie units` lists them).
    #[arg(long, value_name = "NAME")]
    unit: Option<String>,
    /// Send the JSON report to this `vigie serve` (token in VIGIE_TOKEN).
    #[cfg(feature = "server")]
    #[arg(long, value_name = "URL")]
    upload: Option<String>,
    /// Compare with an earlier `vigie scan --format json` report: every format then shows the
    /// failures new and fixed since (matched by fingerprint, so a failure that only moved lines
    /// is unchanged) and the measures and controls whose status changed.
    #[arg(long, value_name = "PREVIOUS.json")]
    compare: Option<PathBuf>,
    #[command(flatten)]
    ci: ci::CiArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let e = vigie_core::redact::credentials(&e).unwrap_or(e);
            eprintln!("vigie: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Read a configuration file the user names or vigie finds (`vigie.toml`, a baseline, a
/// waiver file): a regular file, bounded in size, UTF-8 — anything else is an error naming the
/// file, since a configuration vigie cannot read must never be taken as empty.
pub(crate) fn read_config_file(p: &std::path::Path) -> Result<String, String> {
    read_user_file(
        p,
        vigie_core::config::DEFAULT_MAX_FILE_SIZE,
        "a configuration file",
    )
}

/// The largest previous report `--compare` reads: a JSON report of millions of verdicts.
const PREVIOUS_REPORT_LIMIT: u64 = 1 << 30;

/// Read a file the user names as [`read_config_file`] does, with the size limit of its kind.
fn read_user_file(p: &std::path::Path, limit: u64, kind: &str) -> Result<String, String> {
    use vigie_parse::discover::{ReadError, read_bounded};
    let bytes = read_bounded(p, limit).map_err(|e| {
        let why = match e {
            ReadError::TooLarge(n) => {
                format!("{n} bytes, over the {limit}-byte limit for {kind}")
            }
            ReadError::NotRegular(what) => format!("not a regular file ({what})"),
            ReadError::Binary => "binary content".to_string(),
            ReadError::Io(e) => e,
        };
        format!("{}: {why}", p.display())
    })?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: not valid UTF-8 (first invalid byte at offset {})",
            p.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// Read the earlier JSON report `--compare` names, before the scan: one that cannot be read
/// stops the run at once (exit 2), since a comparison with nothing would call every failure new.
fn read_previous_report(path: &std::path::Path) -> Result<(String, String), String> {
    let text = read_user_file(path, PREVIOUS_REPORT_LIMIT, "a previous report")?;
    Ok((path.display().to_string(), text))
}

fn today() -> Result<time::Date, String> {
    match std::env::var("VIGIE_TODAY") {
        Ok(s) => time::Date::parse(
            &s,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|e| format!("VIGIE_TODAY=`{s}` is not a date (YYYY-MM-DD): {e}")),
        Err(_) => Ok(time::OffsetDateTime::now_utc().date()),
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let catalog = Catalog::embedded();
    let mut stdout = std::io::stdout().lock();
    let out = |s: &str, w: &mut dyn Write| -> Result<(), String> {
        w.write_all(s.as_bytes()).map_err(|e| e.to_string())
    };
    match cli.command {
        Command::Offers => {
            out(&cmd_offers::run()?, &mut stdout)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Frameworks => {
            let mut s = String::new();
            for f in &catalog.frameworks {
                let n: usize = f.sections.iter().map(|s| s.requirements.len()).sum();
                s.push_str(&format!(
                    "{:<16} {:<4} requirements  {}{}\n",
                    f.id,
                    n,
                    f.title,
                    if f.version.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", f.version)
                    }
                ));
            }
            out(&s, &mut stdout)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Controls { framework } => {
            let controls: Vec<_> = match &framework {
                Some(f) => {
                    catalog.framework_controls(catalog.framework(f).ok_or_else(|| {
                        format!("unknown framework `{f}` (see `vigie frameworks`)")
                    })?)
                }
                None => catalog.controls.iter().collect(),
            };
            let implemented: Vec<&str> = vigie_scan::all_checks().iter().map(|c| c.id).collect();
            let mut s = String::new();
            for c in controls {
                let checks: Vec<&str> = c
                    .checks
                    .iter()
                    .map(String::as_str)
                    .filter(|k| implemented.contains(k))
                    .collect();
                s.push_str(&format!(
                    "{:<7} {:<17} {}{}\n",
                    c.id,
                    c.mode,
                    c.title,
                    if checks.is_empty() {
                        "  [not assessed yet]".to_string()
                    } else {
                        format!("  [{}]", checks.join(", "))
                    }
                ));
            }
            out(&s, &mut stdout)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { id } => {
            let text = explain::explain(&id).ok_or_else(|| {
                format!("no check, control, diagnostic or requirement `{id}` (see `vigie controls`, `vigie frameworks`)")
            })?;
            out(&text, &mut stdout)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Docs { dir } => {
            let n = explain::write_docs(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            eprintln!("vigie: wrote {n} pages under {}", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Scan(args) => scan_command(*args, &mut stdout),
        Command::Graph(args) => cmd_graph::run(args, &mut stdout),
        Command::Units(args) => cmd_units::units(args, today()?, &mut stdout),
        Command::Render(args) => cmd_units::render(args, today()?, &mut stdout),
        Command::Db(args) => cmd_db::run(args, &mut stdout),
        Command::Sbom(args) => cmd_sbom::run(args, &mut stdout),
        Command::Attest(args) => cmd_attest::run(args, today()?),
        Command::Secrets(args) => cmd_secrets::secrets(args, &mut stdout),
        Command::Hook(cmd) => cmd_secrets::hook(cmd),
        #[cfg(feature = "server")]
        Command::Serve(args) => cmd_serve::run(args),
        #[cfg(feature = "server")]
        Command::Upload(args) => cmd_upload::run(args),
        #[cfg(feature = "server")]
        Command::Verify(args) => cmd_verify::verify(args),
        #[cfg(feature = "server")]
        Command::VerifyExport(args) => cmd_verify::verify_export(args),
    }
}

fn scan_command(args: ScanArgs, stdout: &mut dyn Write) -> Result<ExitCode, String> {
    let formats: Vec<Format> = if args.formats.is_empty() {
        vec![Format::Text]
    } else {
        args.formats
            .iter()
            .map(|f| f.parse())
            .collect::<Result<_, _>>()?
    };
    if args.outputs.len() > formats.len() {
        return Err("more --output than --format: give one --format per --output".into());
    }
    if formats.len() - args.outputs.len() > 1 {
        return Err("only one --format can go to stdout: give an --output for the others".into());
    }
    let fail_on = args
        .fail_on
        .as_deref()
        .map(str::parse::<Severity>)
        .transpose()?;
    let max_file_size = args.max_file_size.as_deref().map(parse_size).transpose()?;
    // a vigie.toml that is there but is not a readable file is an error, never skipped
    let config_path = args.config.clone().or_else(|| {
        let p = args.path.join("vigie.toml");
        (args.path.is_dir() && std::fs::symlink_metadata(&p).is_ok()).then_some(p)
    });
    let config = match &config_path {
        Some(p) => {
            let text = read_config_file(p)?;
            let name = if args.config.is_some() {
                p.display().to_string()
            } else {
                "vigie.toml".to_string()
            };
            Config::parse(&name, &text).map_err(|e| format!("invalid configuration: {e}"))?
        }
        None => Config::default(),
    };
    let link = config
        .section("report")
        .and_then(|t| t.get_ref().get("link"))
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let opts = ScanOptions {
        root: args.path.clone(),
        display_root: args.path.display().to_string(),
        config,
        compose_files: args.compose_files.clone(),
        frameworks: args.framework.clone(),
        fail_on,
        gitignore: args.no_gitignore.then_some(false),
        extra_excludes: args.exclude.clone(),
        max_file_size,
        today: today()?,
        run: vigie_checks::repo::RunOptions {
            history: args.history,
            since: args.since.clone(),
        },
        unit: args.unit.clone(),
    };
    let previous = args
        .compare
        .as_deref()
        .map(read_previous_report)
        .transpose()?;
    let mut report = scan(&opts).map_err(|e| e.to_string())?;
    ci::apply(&mut report, &args.ci)?;
    if let Some(path) = &args.ci.create_baseline {
        let n = ci::create_baseline(&report, path)?;
        eprintln!(
            "vigie: wrote the fingerprints of {n} failure(s) to {}",
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Some((file, text)) = &previous {
        report.changes = Some(vigie_report::compare(&report, text, file)?);
    }
    let nothing_read = ci::nothing_read(&mut report, &args.path);
    if report.stats.files_seen == 0 {
        eprintln!(
            "vigie: no Dockerfile, Compose file or Kubernetes manifest found under {}",
            args.path.display()
        );
    }
    let color =
        !args.no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
    for (i, format) in formats.iter().enumerate() {
        let to_file = args.outputs.get(i);
        let render = args.ci.render(RenderOptions {
            color: color && to_file.is_none() && matches!(format, Format::Text),
            verbose: args.verbose,
            ..RenderOptions::default()
        });
        if *format == Format::Html {
            let html = vigie_report::HtmlOptions {
                link: link.clone(),
                commit: report.commit.clone(),
                graph_svg: args.path.is_dir().then(|| cmd_graph::svg_of(&args.path)),
            };
            let page = vigie_report::render_html(&report, &render, &html);
            match to_file {
                Some(p) => std::fs::write(p, page).map_err(|e| format!("{}: {e}", p.display()))?,
                None => stdout
                    .write_all(page.as_bytes())
                    .map_err(|e| e.to_string())?,
            }
            continue;
        }
        match to_file {
            Some(p) => {
                let f = std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?;
                let mut w = std::io::BufWriter::new(f);
                ci::render_to(&report, &args.path, *format, &render, &mut w)
                    .and_then(|()| w.flush())
                    .map_err(|e| format!("{}: {e}", p.display()))?;
                vigie_core::timings::mark(&format!("render {format:?}"));
            }
            None => {
                let mut w = std::io::BufWriter::new(&mut *stdout);
                ci::render_to(&report, &args.path, *format, &render, &mut w)
                    .and_then(|()| w.flush())
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    if nothing_read {
        eprintln!(
            "vigie: error: nothing under {} could be read ({} file(s) reported above)",
            args.path.display(),
            report.diagnostics.len()
        );
        return Ok(ExitCode::from(2));
    }
    #[cfg(feature = "server")]
    if let Some(server) = &args.upload {
        cmd_upload::after_scan(&report, server, &args.path)?;
    }
    let code = if report.gate_failed() && !args.ci.soft_fail {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The process ends here: letting the OS take back a report of a million verdicts is
    // faster than freeing them one by one.
    std::mem::forget(report);
    Ok(code)
}
