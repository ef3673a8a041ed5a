//! `vigie secrets` (working tree, staged changes, git history) and `vigie hook install`.

use clap::{Args, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vigie_secrets::findings::Baseline;
use vigie_secrets::history::{HistoryOptions, scan_history, scan_staged};
use vigie_secrets::output::{Format, render};

#[derive(Args)]
pub struct SecretsArgs {
    /// Folder to scan (for --history: a repository, which may be bare, e.g. a mirror clone).
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Scan every blob reachable from any reference (branches, tags, remotes, stash).
    #[arg(long, conflicts_with = "staged")]
    history: bool,
    /// With --history: only commits not reachable from REV (REV..refs).
    #[arg(long, value_name = "REV", requires = "history")]
    since: Option<String>,
    /// With --history: only the commits of this branch (or revision) instead of every reference.
    #[arg(long, value_name = "BRANCH", requires = "history")]
    branch: Option<String>,
    /// Scan only what is staged in the index (for a pre-commit hook).
    #[arg(long)]
    staged: bool,
    /// A gitleaks configuration to use instead of the built-in rules (default: .gitleaks.toml or
    /// gitleaks.toml at the root; `[extend] useDefault = true` adds the built-in rules).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Output format: text, json, sarif, junit. Repeat, with --output, to write several.
    #[arg(long = "format", value_name = "FORMAT")]
    formats: Vec<String>,
    /// Where to write each --format, in the same order; a format without one goes to stdout.
    #[arg(long = "output", short = 'o', value_name = "FILE")]
    outputs: Vec<PathBuf>,
    /// Accept the findings whose fingerprints this file lists (written by --write-baseline).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write the fingerprints of the findings to FILE (secrets redacted) and exit 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Print secrets in full instead of their first 4 characters and length.
    #[arg(long)]
    show_secrets: bool,
    /// Scan files that .gitignore lists.
    #[arg(long)]
    no_gitignore: bool,
    /// Files and blobs larger than this are counted and skipped (default 50MB).
    #[arg(long, value_name = "SIZE")]
    max_file_size: Option<String>,
    /// No colour.
    #[arg(long)]
    no_color: bool,
    /// No progress bar.
    #[arg(long)]
    no_progress: bool,
}

#[derive(Subcommand)]
pub enum HookCommand {
    /// Install a git pre-commit hook that runs `vigie secrets --staged`.
    Install {
        /// The repository (default: the current folder).
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Replace a pre-commit hook vigie did not write (it is kept as pre-commit.backup).
        #[arg(long)]
        force: bool,
    },
}

pub fn secrets(args: SecretsArgs, stdout: &mut dyn Write) -> Result<ExitCode, String> {
    let formats: Vec<Format> = if args.formats.is_empty() {
        vec![Format::Text]
    } else {
        args.formats
            .iter()
            .map(|f| {
                Format::parse(f)
                    .ok_or_else(|| format!("unknown format `{f}` (text, json, sarif, junit)"))
            })
            .collect::<Result<_, _>>()?
    };
    if args.outputs.len() > formats.len() {
        return Err("more --output than --format: give one --format per --output".into());
    }
    if formats.len() - args.outputs.len() > 1 {
        return Err("several --format without --output: only one can go to stdout".into());
    }
    if !args.path.exists() {
        return Err(format!("{}: no such file or folder", args.path.display()));
    }
    let root = if args.path.is_file() {
        args.path.parent().unwrap_or(Path::new(".")).to_path_buf()
    } else {
        args.path.clone()
    };
    let (cfg, mut notes) = vigie_secrets::config::load_vigie_toml(&root);
    if let Some(n) = notes.iter().find(|n| n.blocking) {
        // Fail closed, as `vigie scan` does on the same file: never scan with settings the
        // user did not write.
        return Err(located(n));
    }
    let baseline_path = args.baseline.clone().or_else(|| {
        cfg.baseline
            .as_ref()
            .map(|b| root.join(b))
            // one that is there is read, whatever it is: unreadable is an error, never "none"
            .filter(|p| std::fs::symlink_metadata(p).is_ok())
    });
    let mut setup = vigie_secrets::setup(&args.path, args.config.as_deref(), cfg);
    if let Some(s) = &args.max_file_size {
        setup.max_size =
            vigie_core::config::parse_size(s).map_err(|e| format!("--max-file-size: {e}"))?;
        if setup.max_size == 0 {
            return Err("--max-file-size 0 would scan no content".into());
        }
    }
    if let Some(n) = setup.notes.iter().find(|n| n.blocking) {
        // Fail closed: a configuration vigie cannot read must not turn into a scan that passes.
        return Err(located(n));
    }
    notes.append(&mut setup.notes);
    let mut outcome = if args.history {
        let opts = HistoryOptions {
            since: args.since.clone(),
            branch: args.branch.clone(),
            max_size: setup.max_size,
            progress: !args.no_progress,
        };
        scan_history(&setup.engine, &args.path, &opts)?
    } else if args.staged {
        scan_staged(&setup.engine, &args.path, setup.max_size)?
    } else {
        vigie_secrets::scan_worktree(&setup.engine, &args.path, args.no_gitignore, setup.max_size)
    };
    notes.append(&mut outcome.notes);
    outcome.notes = notes;
    // The baseline and .gitleaksignore list findings; inside the scanned tree they are not
    // findings themselves.
    let own: Vec<PathBuf> = [
        baseline_path.clone(),
        args.write_baseline.clone(),
        Some(root.join(".gitleaksignore")),
    ]
    .into_iter()
    .flatten()
    .collect();
    outcome.exclude_own_files(&root, &own);

    if let Some(p) = &args.write_baseline {
        let b = Baseline::from_findings(&outcome.findings);
        let text = serde_json::to_string_pretty(&b).map_err(|e| e.to_string())? + "\n";
        vigie_core::atomic::update(p, |_| Ok((text.into_bytes(), ())))?;
        eprintln!(
            "vigie: wrote {} fingerprint(s) to {}",
            b.findings.len(),
            p.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let baseline = match &baseline_path {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            Some(Baseline::parse(&text).map_err(|e| format!("{}: {e}", p.display()))?)
        }
        None => None,
    };
    let ignore = vigie_secrets::read_gitleaksignore(&args.path);
    outcome.suppress(baseline.as_ref(), ignore.as_ref());

    let color =
        !args.no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
    let render = |f: Format, color: bool| {
        render(&outcome, f, args.show_secrets, color).unwrap_or_else(|| sarif(&outcome, &args.path))
    };
    for (i, f) in formats.iter().enumerate() {
        match args.outputs.get(i) {
            Some(p) => {
                let text = render(*f, false);
                std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display()))?;
            }
            None => {
                let text = render(*f, color && *f == Format::Text);
                stdout
                    .write_all(text.as_bytes())
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    if let Some(n) = outcome.blocking_note() {
        // What could not be read may hold a secret: neither a pass nor a plain failure.
        eprintln!("vigie: error: {}", located(n));
        return Ok(ExitCode::from(2));
    }
    Ok(if outcome.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `path:line: message` (without the line when it is not known).
fn located(n: &vigie_secrets::Note) -> String {
    if n.line > 0 {
        format!("{}:{}: {}", n.path, n.line, n.message)
    } else {
        format!("{}: {}", n.path, n.message)
    }
}

/// SARIF through the writer `vigie scan` uses, from the verdicts the scan gives for the same
/// findings: same rule ids (SEC-01, SEC-03, SEC-04), rules, fingerprints and URIs, so that one
/// secret is one code-scanning alert whichever command found it. Secrets are always redacted.
fn sarif(outcome: &vigie_secrets::Outcome, scanned: &Path) -> String {
    let catalog = vigie_core::catalog::Catalog::embedded();
    let out = vigie_secrets::analyzer::scan_output(outcome);
    let mut verdicts = out.verdicts;
    verdicts.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut diagnostics = out.diagnostics;
    diagnostics.sort_by(|a, b| a.location.cmp(&b.location));
    let report = vigie_core::ScanReport {
        tool_version: env!("CARGO_PKG_VERSION"),
        root: scanned.display().to_string(),
        commit: None,
        as_of: String::new(),
        frameworks: catalog.frameworks.iter().map(|f| f.id.clone()).collect(),
        fail_on: vigie_core::Severity::Info,
        stats: vigie_core::Stats::default(),
        verdicts,
        diagnostics,
        rollup: vigie_core::rollup::Rollup {
            controls: Vec::new(),
            frameworks: Vec::new(),
            todo: Vec::new(),
        },
        checks: vigie_secrets::analyzer::checks().to_vec(),
        tables: Vec::new(),
        unassessed: Vec::new(),
        changes: None,
        scope: Default::default(),
    };
    vigie_report::render_sarif(&report, &vigie_report::SarifBase::locate(scanned))
}

const HOOK_MARKER: &str = "# installed by vigie hook install";

pub fn hook(cmd: HookCommand) -> Result<ExitCode, String> {
    match cmd {
        HookCommand::Install { path, force } => {
            let out = std::process::Command::new("git")
                .arg("-C")
                .arg(&path)
                .args(["rev-parse", "--git-path", "hooks"])
                .output()
                .map_err(|e| format!("git cannot be run: {e}"))?;
            if !out.status.success() {
                return Err(format!("{} is not a git repository", path.display()));
            }
            let rel = String::from_utf8_lossy(&out.stdout).trim().to_string();
            let hooks = if Path::new(&rel).is_absolute() {
                PathBuf::from(rel)
            } else {
                path.join(rel)
            };
            std::fs::create_dir_all(&hooks).map_err(|e| format!("{}: {e}", hooks.display()))?;
            if find_on_path("vigie").is_none() {
                return Err(
                    "`vigie` is not on PATH, so a hook calling it would refuse every commit: install it (`cargo install --path crates/vigie --locked`) or add its folder to PATH, then run `vigie hook install` again"
                        .into(),
                );
            }
            let file = hooks.join("pre-commit");
            let script = format!(
                "#!/bin/sh\n{HOOK_MARKER}\n# Refuses the commit when the staged changes hold a secret.\n# Accept a false positive with `vigie:allow-secret` on its line, or a baseline (vigie secrets --write-baseline).\nif ! command -v vigie >/dev/null 2>&1; then\n    echo \"vigie pre-commit hook: vigie is not on PATH; install it or remove $0\" >&2\n    exit 1\nfi\nexec vigie secrets --staged --no-progress \"$(git rev-parse --show-toplevel)\"\n"
            );
            // under the hook's lock: a hook vigie did not write is refused, or with --force
            // kept beside as pre-commit.backup (never overwritten: a numbered name if taken)
            let backup = vigie_core::atomic::update(&file, |existing| {
                let foreign = existing
                    .as_deref()
                    .filter(|b| !String::from_utf8_lossy(b).contains(HOOK_MARKER));
                let backup = match foreign {
                    None => None,
                    Some(_) if !force => {
                        return Err(format!(
                            "{} already exists and was not written by vigie; add `vigie secrets --staged` to it, or use --force to replace it (the old hook is kept as a backup)",
                            file.display()
                        ));
                    }
                    Some(old) => Some(keep_backup(&file, old)?),
                };
                Ok((script.into_bytes(), backup))
            })?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755))
                    .map_err(|e| format!("{}: {e}", file.display()))?;
            }
            if let Some(b) = backup {
                eprintln!("vigie: the previous hook is kept as {}", b.display());
            }
            eprintln!("vigie: installed {}", file.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Copy a hook about to be replaced to `pre-commit.backup` (`.backup.1`, `.2`… when taken),
/// with its permissions, and return where.
fn keep_backup(hook: &Path, content: &[u8]) -> Result<PathBuf, String> {
    let name = hook
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    for n in 0.. {
        let candidate = if n == 0 {
            hook.with_file_name(format!("{name}.backup"))
        } else {
            hook.with_file_name(format!("{name}.backup.{n}"))
        };
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate);
        match f {
            Ok(mut f) => {
                use std::io::Write;
                f.write_all(content)
                    .and_then(|()| f.sync_all())
                    .map_err(|e| format!("{}: {e}", candidate.display()))?;
                if let Ok(meta) = std::fs::metadata(hook) {
                    let _ = std::fs::set_permissions(&candidate, meta.permissions());
                }
                return Ok(candidate);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("{}: {e}", candidate.display())),
        }
    }
    unreachable!("an unbounded range always yields")
}

/// The first executable file named `name` in a folder of PATH.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(p) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}
