//! `vigie attest CONTROL --statement … --owner … --expires YYYY-MM-DD --evidence URL`: record
//! what a person vouches for in `.vigie/attestations.toml` (the file is created if needed).

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use vigie_core::catalog::Catalog;
use vigie_core::verdict::Attestation;
use vigie_governance::attest;

#[derive(Args)]
pub struct AttestArgs {
    /// The control vouched for (GOV-02, SCM-03, SOV-01…; `vigie controls` lists them).
    control: String,
    /// What is vouched for, in one sentence.
    #[arg(long)]
    statement: String,
    /// Who vouches for it (a person or a team address).
    #[arg(long)]
    owner: String,
    /// Until when it holds (YYYY-MM-DD); after that it is listed as to do.
    #[arg(long, value_name = "YYYY-MM-DD")]
    expires: String,
    /// Where the evidence is (a link to the contract, the settings page, the test report).
    #[arg(long, value_name = "URL")]
    evidence: Option<String>,
    /// The date of the attestation (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
    /// The repository root the attestations file belongs to.
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

pub fn run(args: AttestArgs, today: time::Date) -> Result<ExitCode, String> {
    let catalog = Catalog::embedded();
    let control = catalog
        .control(&args.control)
        .ok_or_else(|| {
            format!(
                "`{}` is no control of the catalogue (`vigie controls` lists them)",
                args.control
            )
        })?
        .id
        .clone();
    refuse_overruling_evidence(catalog, &control, &args.root, today)?;
    let expires = attest::parse_date(&args.expires).map_err(|m| format!("--expires: {m}"))?;
    let date = match &args.date {
        Some(d) => attest::parse_date(d).map_err(|m| format!("--date: {m}"))?,
        None => today,
    };
    if expires < date {
        return Err(format!(
            "--expires {expires} is before the attestation's date {date}"
        ));
    }
    if expires < today {
        return Err(format!(
            "--expires {expires} is already past (today is {today})"
        ));
    }
    for (name, v) in [("--statement", &args.statement), ("--owner", &args.owner)] {
        if v.trim().is_empty() {
            return Err(format!("{name} must not be empty"));
        }
    }
    let a = Attestation {
        control: control.clone(),
        statement: args.statement.trim().to_string(),
        owner: args.owner.trim().to_string(),
        date: Some(date.to_string()),
        expires: expires.to_string(),
        evidence: args
            .evidence
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty()),
    };
    let path = args.root.join(attest::PATH);
    // read, append and replace under the file's lock: parallel runs each add their own
    let line = vigie_core::atomic::update(&path, |current| {
        let existing = current
            .map(String::from_utf8)
            .transpose()
            .map_err(|e| format!("{}: not valid UTF-8 ({e})", path.display()))?;
        if let Some(t) = &existing {
            let (_, diags) = attest::parse(attest::PATH, t, catalog);
            for d in diags {
                eprintln!("vigie: warning: {}: {}", d.location, d.message);
            }
        }
        let text = attest::append(existing.as_deref(), &a);
        // what is written must read back as this attestation
        let (entries, _) = attest::parse(attest::PATH, &text, catalog);
        let line = entries
            .iter()
            .rev()
            .find(|e| e.attestation == a)
            .map(|e| e.location.line)
            .ok_or("the attestation could not be written in a form that reads back")?;
        Ok((text.into_bytes(), line))
    })?;
    eprintln!(
        "vigie: {control} attested by {} until {expires} ({}:{line})",
        a.owner,
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// An attestation records what a repository cannot show; it never overrules evidence. A control
/// whose checks decide every requirement it evidences (its mode asks for no attestation) and
/// that a scan of the repository finds failing is refused, naming the failures to fix instead.
/// A control that also evidences a requirement no check decides can be attested: the
/// attestation counts for that requirement alone.
fn refuse_overruling_evidence(
    catalog: &Catalog,
    control: &str,
    root: &std::path::Path,
    today: time::Date,
) -> Result<(), String> {
    let Some(c) = catalog.control(control) else {
        return Ok(());
    };
    if vigie_core::rollup::attestation_can_vouch(catalog, c)
        || c.checks.is_empty()
        || !root.is_dir()
    {
        return Ok(());
    }
    let mut opts = vigie_scan::ScanOptions::new(root, today);
    let config = root.join("vigie.toml");
    if config.is_file() {
        let text =
            std::fs::read_to_string(&config).map_err(|e| format!("{}: {e}", config.display()))?;
        opts.config = vigie_core::config::Config::parse("vigie.toml", &text)
            .map_err(|e| format!("invalid configuration: {e}"))?;
    }
    let report = vigie_scan::scan(&opts).map_err(|e| e.to_string())?;
    let failures: Vec<String> = report
        .verdicts
        .iter()
        .filter(|v| v.is_fail() && c.checks.iter().any(|k| k == v.check))
        .map(|v| format!("{} {} at {}", v.check, v.subject, v.location))
        .collect();
    if failures.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = failures.iter().take(3).map(String::as_str).collect();
    Err(format!(
        "{control} is decided by its checks ({}), and they find {} failure(s) here: {}{}; an attestation records what the repository cannot show, it never overrules what it shows: fix the failures (or waive them with a reason in vigie.toml)",
        c.checks.join(", "),
        failures.len(),
        shown.join("; "),
        if failures.len() > 3 { "; …" } else { "" }
    ))
}
