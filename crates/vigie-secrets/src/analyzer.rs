//! `vigie scan` integration: SEC-01 (secrets in content), SEC-03 (forbidden files) and SEC-04
//! (secrets baked into images) from the working tree, and from the git history when
//! `[secrets] history = true` or `vigie scan --history`. The checks (`checks/`) judge one
//! scan's outcome ([`Scanned`]), each through [`judge_control`].

use crate::findings::Finding;
use crate::history::{HistoryOptions, scan_history};
use crate::rules::Control;
use crate::{Outcome, TreeFile, config::SecretsConfig};
use std::sync::Arc;
use vigie_checks::repo::{Analyzer, RepoInput, RepoOutput};
use vigie_core::{CheckDoc, DiagKind, Diagnostic, Location, Severity, Verdict};

pub struct SecretsAnalyzer;

pub static ANALYZER: SecretsAnalyzer = SecretsAnalyzer;

/// The checks whose verdicts [`scan_output`] gives.
pub fn checks() -> &'static [&'static CheckDoc] {
    crate::checks::DOCS
}

/// What `vigie scan` reports of a secrets outcome: its verdicts and its notes as diagnostics.
/// `vigie secrets` writes its SARIF from these, so that one secret is one alert (same rule,
/// same fingerprint) whichever command found it.
pub fn scan_output(outcome: &Outcome) -> RepoOutput {
    let mut out = RepoOutput::default();
    out.diagnostics.extend(outcome.notes.iter().map(note_diag));
    verdicts(outcome, "the scanned files", 0, &mut out);
    out
}

fn loc(l: &crate::findings::SecretLocation) -> Location {
    Location::new(Arc::from(l.path.as_str()), l.line, l.column)
}

/// What the secrets checks read: the outcome of one scan (of the working tree, or of the
/// history too), with the words that say what was scanned.
pub(crate) struct Scanned<'a> {
    pub(crate) outcome: &'a Outcome,
    /// What was scanned, as messages say it ("the scanned files", "the working tree and …").
    pub(crate) what: &'a str,
    /// The Dockerfiles of the repository (SEC-04 says nothing where there are none).
    pub(crate) dockerfiles: usize,
}

fn verdicts(outcome: &Outcome, what: &str, dockerfiles: usize, out: &mut RepoOutput) {
    let scanned = Scanned {
        outcome,
        what,
        dockerfiles,
    };
    for c in crate::checks::CHECKS {
        (c.judge)(&scanned, &mut out.verdicts);
    }
}

/// The verdicts of the check `doc` on the findings of `control`: a failure per finding, at its
/// first location; else a pass on the repository saying `evidence`, unless the scan could not
/// read everything (then a failure, fail closed: what could not be read may hold what the check
/// looks for).
pub(crate) fn judge_control(
    m: &Scanned<'_>,
    doc: &'static CheckDoc,
    control: Control,
    evidence: String,
    fix: impl Fn(&Finding) -> String,
    out: &mut Vec<Verdict>,
) {
    let mine: Vec<&Finding> = m
        .outcome
        .findings
        .iter()
        .filter(|f| f.feeds(control))
        .collect();
    if mine.is_empty() {
        if let Some(n) = m.outcome.blocking_note() {
            out.push(Verdict::fail(
                doc,
                "repository",
                Location::new(Arc::from(n.path.as_str()), n.line, 0),
                format!("not assessed: {}", n.message),
                "Fix what is reported at this location, then scan again".to_string(),
            ));
            return;
        }
        out.push(Verdict::pass(
            doc,
            "repository",
            Location::file(Arc::from(".")),
            evidence,
        ));
        return;
    }
    for f in mine {
        let first = &f.locations[0];
        let mut msg = format!("{}: {}", f.description, f.shown_secret(false));
        if f.locations.len() > 1 {
            msg.push_str(&format!(" ({} locations)", f.locations.len()));
        }
        if let Some(commit) = &first.commit {
            msg.push_str(&format!(
                ", introduced by commit {} ({}){}",
                &commit.id[..commit.id.len().min(12)],
                commit.date,
                match f.present_at_head() {
                    Some(false) => ", no longer at HEAD but still in the history",
                    _ => "",
                }
            ));
        }
        msg.push_str(&format!(
            " [rule {}, fingerprint {}]",
            f.rule_id, f.fingerprint
        ));
        let mut v = Verdict::fail(
            doc,
            format!("{} › {}", first.path, f.rule_id),
            loc(first),
            msg,
            fix(f),
        );
        v.severity = f.severity.max(Severity::Low);
        for l in f.locations.iter().skip(1).take(20) {
            v = v.with_related(Some(loc(l)));
        }
        out.push(v);
    }
}

impl Analyzer for SecretsAnalyzer {
    fn name(&self) -> &'static str {
        "secrets"
    }

    fn checks(&self) -> &'static [&'static CheckDoc] {
        crate::checks::DOCS
    }

    fn run(
        &self,
        input: &RepoInput<'_>,
        _objects: &[vigie_parse::kubernetes::Object],
        out: &mut RepoOutput,
    ) {
        let config_name: Arc<str> = Arc::from(input.config_path.unwrap_or("vigie.toml"));
        let cfg = match input.config.section("secrets") {
            Some(t) => match SecretsConfig::from_table(t.get_ref()) {
                Ok(c) => c,
                Err(e) => {
                    out.diagnostics.push(Diagnostic::new(
                        DiagKind::Config,
                        Location::file(config_name.clone()),
                        e,
                    ));
                    SecretsConfig::default()
                }
            },
            None => SecretsConfig::default(),
        };
        let history = input.options.history || cfg.history;
        let baseline_path = cfg.baseline.as_ref().map(|b| input.root.join(b));
        let setup = crate::setup(input.root, None, cfg);
        for n in &setup.notes {
            out.diagnostics.push(note_diag(n));
        }
        if let Some(n) = setup.notes.iter().find(|n| n.blocking) {
            let blocked = Outcome {
                scope: crate::Scope::WorkingTree,
                findings: Vec::new(),
                notes: vec![n.clone()],
                stats: crate::Stats::default(),
            };
            let dockerfiles = input
                .files
                .iter()
                .filter(|f| crate::docker::is_dockerfile(&f.rel))
                .count();
            verdicts(&blocked, "", dockerfiles, out);
            return;
        }
        let files: Vec<TreeFile> = input
            .files
            .iter()
            .map(|f| TreeFile {
                rel: f.rel.to_string(),
                abs: f.abs.clone(),
                size: f.size,
            })
            .collect();
        let dockerfiles = files
            .iter()
            .filter(|f| crate::docker::is_dockerfile(&f.rel))
            .count();
        let mut outcome = crate::scan_files(&setup.engine, &files, setup.max_size);
        let mut what = format!(
            "{} file(s), {:.1} MB, by {} rules",
            outcome.stats.scanned,
            outcome.stats.bytes as f64 / 1e6,
            outcome.stats.rules
        );
        if history {
            let opts = HistoryOptions {
                since: input.options.since.clone(),
                branch: None,
                max_size: setup.max_size,
                progress: false,
            };
            match scan_history(&setup.engine, input.root, &opts) {
                Ok(h) => {
                    what.push_str(&format!(
                        ", and {} blob(s) of {} commit(s) of the git history",
                        h.stats.scanned, h.stats.commits
                    ));
                    merge(&mut outcome, h);
                }
                Err(e) => out.diagnostics.push(Diagnostic::new(
                    DiagKind::Skipped,
                    Location::file(Arc::from(".")),
                    format!("the git history was not scanned: {e}"),
                )),
            }
        }
        let baseline = baseline_path.and_then(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            match crate::findings::Baseline::parse(&text) {
                Ok(b) => Some(b),
                Err(e) => {
                    out.diagnostics.push(Diagnostic::new(
                        DiagKind::Config,
                        Location::file(Arc::from(p.display().to_string())),
                        e,
                    ));
                    None
                }
            }
        });
        let ignore = crate::read_gitleaksignore(input.root);
        outcome.suppress(baseline.as_ref(), ignore.as_ref());
        for n in &outcome.notes {
            out.diagnostics.push(note_diag(n));
        }
        verdicts(&outcome, &what, dockerfiles, out);
    }
}

/// Fold a history outcome into the working-tree one: a secret found in both is one finding.
fn merge(into: &mut Outcome, other: Outcome) {
    for f in other.findings {
        match into
            .findings
            .iter_mut()
            .find(|g| g.rule_id == f.rule_id && g.secret == f.secret)
        {
            Some(g) => {
                for l in f.locations {
                    if !g.locations.contains(&l) {
                        g.locations.push(l);
                    }
                }
            }
            None => into.findings.push(f),
        }
    }
    into.notes.extend(other.notes);
}

fn note_diag(n: &crate::Note) -> Diagnostic {
    Diagnostic::new(
        n.kind,
        Location::new(Arc::from(n.path.as_str()), n.line, 0),
        n.message.clone(),
    )
}
