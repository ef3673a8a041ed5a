//! `vigie units` lists the deployment units of a repository and how each was formed;
//! `vigie render` prints the objects of one unit as `kubectl kustomize` or `helm template`
//! prints them, for users to see what vigie judges.

use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vigie_core::config::Config;
use vigie_scan::ScanOptions;
use vigie_scan::units::UnitKind;

#[derive(Args)]
pub struct UnitsArgs {
    /// Repository folder.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// text or json.
    #[arg(long, default_value = "text")]
    format: String,
    /// Configuration file (default: vigie.toml at the folder).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Compose files merged as one project, in order (as `docker compose -f`).
    #[arg(short = 'f', long = "file", value_name = "COMPOSE_FILE")]
    compose_files: Vec<String>,
}

#[derive(Args)]
pub struct RenderArgs {
    /// A unit's name (as `vigie units` lists it) or its folder.
    target: String,
    /// The repository folder holding the unit.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Configuration file (default: vigie.toml at the root).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Helm: values files applied after the unit's, in order (relative to the root).
    #[arg(long = "values", short = 'f', value_name = "FILE")]
    values: Vec<String>,
    /// Helm: `--set` expressions.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Helm: the release name (`release-name` by default, as Helm).
    #[arg(long)]
    release_name: Option<String>,
    /// Helm: the release namespace (`default` by default, as Helm).
    #[arg(long)]
    namespace: Option<String>,
}

fn load_config(root: &Path, explicit: Option<&PathBuf>) -> Result<Config, String> {
    let path = explicit.cloned().or_else(|| {
        let p = root.join("vigie.toml");
        p.is_file().then_some(p)
    });
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            let name = if explicit.is_some() {
                p.display().to_string()
            } else {
                "vigie.toml".into()
            };
            Config::parse(&name, &text).map_err(|e| format!("invalid configuration: {e}"))
        }
        None => Ok(Config::default()),
    }
}

fn options(root: &Path, config: Config, today: time::Date) -> ScanOptions {
    ScanOptions {
        config,
        ..ScanOptions::new(root, today)
    }
}

pub fn units(
    args: UnitsArgs,
    today: time::Date,
    stdout: &mut dyn Write,
) -> Result<ExitCode, String> {
    let config = load_config(&args.path, args.config.as_ref())?;
    let mut opts = options(&args.path, config, today);
    opts.compose_files = args.compose_files.clone();
    let found = vigie_scan::discover_units(&opts).map_err(|e| e.to_string())?;
    for d in &found.diagnostics {
        eprintln!("vigie: {} {}: {}", d.code, d.location, d.message);
    }
    let text = match args.format.as_str() {
        "text" => {
            let mut s = String::new();
            for u in &found.units {
                s.push_str(&format!(
                    "{}  [{}]  {} file(s)\n    {}\n",
                    u.name,
                    u.kind.as_str(),
                    u.files.len(),
                    u.formed
                ));
            }
            s.push_str(&format!("{} unit(s)\n", found.units.len()));
            s
        }
        "json" => {
            let list: Vec<serde_json::Value> = found
                .units
                .iter()
                .map(|u| {
                    serde_json::json!({
                        "name": u.name,
                        "kind": u.kind.as_str(),
                        "path": u.path,
                        "formed": u.formed,
                        "files": u.files,
                        "values": u.values,
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?;
            s.push('\n');
            s
        }
        other => return Err(format!("unknown format `{other}` (text, json)")),
    };
    stdout
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

pub fn render(
    mut args: RenderArgs,
    today: time::Date,
    stdout: &mut dyn Write,
) -> Result<ExitCode, String> {
    // a folder outside the root (`vigie render ~/charts/web`) is a repository of its own, as
    // `helm template PATH` and `kubectl kustomize PATH` take any folder
    if relative_to_root(&args.target, &args.root).is_none() && Path::new(&args.target).is_dir() {
        args.root = PathBuf::from(&args.target);
        args.target = ".".into();
    }
    let config = load_config(&args.root, args.config.as_ref())?;
    let mut opts = options(&args.root, config, today);
    // a path given from the current folder names the unit by its path under the root
    let target = relative_to_root(&args.target, &args.root).unwrap_or(args.target.clone());
    let found = vigie_scan::discover_units(&opts).map_err(|e| e.to_string())?;
    let helm_options = !args.values.is_empty()
        || !args.set.is_empty()
        || args.release_name.is_some()
        || args.namespace.is_some();
    let built = if helm_options {
        let Some(unit) = vigie_scan::units::find(&found.units, &target) else {
            return Err(format!(
                "no deployment unit `{}` under {}",
                args.target,
                args.root.display()
            ));
        };
        if unit.kind != UnitKind::Helm {
            return Err(format!(
                "--values, --set, --release-name and --namespace apply to Helm charts; {} is a {} unit",
                unit.name,
                unit.kind.as_str()
            ));
        }
        let mut unit = unit.clone();
        unit.values.extend(args.values.iter().cloned());
        unit.set.extend(args.set.iter().cloned());
        if args.release_name.is_some() {
            unit.release = args.release_name.clone();
        }
        if args.namespace.is_some() {
            unit.namespace = args.namespace.clone();
        }
        vigie_scan::units::build(&unit, &args.root)
    } else {
        opts.root = args.root.clone();
        vigie_scan::render_unit(&opts, &target)
            .map_err(|e| e.to_string())?
            .1
    };
    for d in &built.diagnostics {
        eprintln!("vigie: {} {}: {}", d.code, d.location, d.message);
    }
    stdout
        .write_all(built.yaml.as_bytes())
        .map_err(|e| e.to_string())?;
    match &built.failure {
        Some(f) => {
            eprintln!("vigie: error: {f}");
            Ok(ExitCode::from(1))
        }
        None => Ok(ExitCode::SUCCESS),
    }
}

/// `target` as a path under `root`, when it names an existing file or folder there.
fn relative_to_root(target: &str, root: &Path) -> Option<String> {
    let t = Path::new(target).canonicalize().ok()?;
    let r = root.canonicalize().ok()?;
    let rel = t.strip_prefix(&r).ok()?;
    let s = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    Some(if s.is_empty() { ".".into() } else { s })
}
