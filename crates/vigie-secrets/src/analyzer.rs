//! `vigie scan` integration: SEC-01 (secrets in content), SEC-03 (forbidden files) and SEC-04
//! (secrets baked into images) from the working tree, and from the git history when
//! `[secrets] history = true` or `vigie scan --history`.

use crate::findings::Finding;
use crate::history::{HistoryOptions, scan_history};
use crate::rules::Control;
use crate::{Outcome, TreeFile, config::SecretsConfig};
use std::sync::Arc;
use vigie_checks::repo::{Analyzer, RepoInput, RepoOutput};
use vigie_core::{CheckDoc, DiagKind, Diagnostic, Location, Severity, Verdict};

pub static SEC01: CheckDoc = CheckDoc {
    id: "SEC-01",
    title: "No secret in the repository's files or history",
    severity: Severity::Critical,
    applies_to: &["repository", "git"],
    what: "Every file of the working tree (and, with `--history` or `[secrets] history = true`, every \
           blob of the git history) is scanned for secrets: cloud keys, VCS and CI tokens, private \
           keys, connection strings with passwords, and random-looking values assigned to \
           secret-named keys. Placeholders and references (`${VAR}`, `{{ .Values.x }}`, \
           `<your-token>`, `changeme`) are not secrets.",
    why: "A secret committed once is readable by everyone with access to the repository and its \
          clones, forever: deleting it in a later commit leaves it in the history.",
    fix: "Rotate the secret now, remove it from the file and load it at run time from a secret \
          store or the environment; accept a false positive with `vigie:allow-secret` on its line \
          or a baseline (`vigie secrets --write-baseline`).",
    failing: (
        "config/app.yml",
        "storage:\n  aws_access_key_id: AKIAZQ3DRSLTWUMN6HGA\n", // vigie:allow-secret
    ),
    passing: (
        "config/app.yml",
        "storage:\n  aws_access_key_id: ${AWS_ACCESS_KEY_ID}\n",
    ),
};

pub static SEC03: CheckDoc = CheckDoc {
    id: "SEC-03",
    title: "No private key, key store, kubeconfig, Terraform state or .env file committed",
    severity: Severity::High,
    applies_to: &["repository", "git"],
    what: "No file that grants access by itself is committed: SSH private keys (`id_rsa`…), PEM files \
           holding a private key, PKCS#12 and Java key stores, kubeconfigs with a client key or \
           token, Terraform state, `.env` files with secret values.",
    why: "These files are credentials in their own right; a Terraform state records every secret of \
          the resources it manages.",
    fix: "Remove the file from the repository (and its history), rotate what it holds, add it to \
          `.gitignore`; keep Terraform state in a remote backend and commit a `.env.example` with \
          placeholders instead of `.env`.",
    failing: ("deploy/.env", "DB_HOST=db\nDB_PASSWORD=Tq8vLz2Wp5kXm1Rq\n"), // vigie:allow-secret
    passing: ("deploy/.env", "DB_HOST=db\nDB_PASSWORD=${DB_PASSWORD}\n"),
};

pub static SEC04: CheckDoc = CheckDoc {
    id: "SEC-04",
    title: "No secret baked into an image",
    severity: Severity::High,
    applies_to: &["dockerfile"],
    what: "Dockerfiles set no secret-named `ENV`, `ARG` or `LABEL` to a real value, and `COPY`/`ADD` \
           no key, credential or `.env` file into the image.",
    why: "Every layer of an image, `ARG` values included in its history, can be read by whoever \
          pulls it.",
    fix: "Mount build secrets for the one step that needs them with `RUN --mount=type=secret,id=…` \
          (`docker build --secret id=…`), and pass run-time secrets from the orchestrator's secret \
          store.",
    failing: (
        "Dockerfile",
        "FROM alpine:3.20\nENV API_TOKEN=Zt4qRm81pLw3Xn9kQ2vT\n", // vigie:allow-secret
    ),
    passing: (
        "Dockerfile",
        "FROM alpine:3.20\nRUN --mount=type=secret,id=api_token cat /run/secrets/api_token > /dev/null\n",
    ),
};

static CHECKS: [&CheckDoc; 3] = [&SEC01, &SEC03, &SEC04];

pub struct SecretsAnalyzer;

pub static ANALYZER: SecretsAnalyzer = SecretsAnalyzer;

fn doc_of(c: Control) -> &'static CheckDoc {
    match c {
        Control::Content => &SEC01,
        Control::ForbiddenFile => &SEC03,
        Control::Image => &SEC04,
    }
}

fn fix_of(f: &Finding) -> String {
    match f.control {
        Control::Content => format!(
            "Rotate this {} and load it at run time from a secret store; it stays readable in the git history until rotated",
            f.description.to_lowercase()
        ),
        Control::ForbiddenFile => "Remove the file from the repository and its history, rotate what it holds, and list it in .gitignore".to_string(),
        Control::Image => "Use RUN --mount=type=secret for build secrets and the orchestrator's secret store at run time; nothing secret in ENV, ARG, LABEL or COPY".to_string(),
    }
}

/// The checks whose verdicts [`scan_output`] gives.
pub fn checks() -> &'static [&'static CheckDoc] {
    &CHECKS
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

fn verdicts(outcome: &Outcome, what: &str, dockerfiles: usize, out: &mut RepoOutput) {
    let blocked = outcome.blocking_note();
    for c in [Control::Content, Control::ForbiddenFile, Control::Image] {
        let doc = doc_of(c);
        let mine: Vec<&Finding> = outcome.findings.iter().filter(|f| f.feeds(c)).collect();
        if mine.is_empty() {
            if c == Control::Image && dockerfiles == 0 {
                continue;
            }
            if let Some(n) = blocked {
                // Fail closed: what could not be read may hold what the control looks for.
                out.verdicts.push(Verdict::fail(
                    doc,
                    "repository",
                    Location::new(Arc::from(n.path.as_str()), n.line, 0),
                    format!("not assessed: {}", n.message),
                    "Fix what is reported at this location, then scan again".to_string(),
                ));
                continue;
            }
            let evidence = match c {
                Control::Image => format!(
                    "no secret in the ENV, ARG, LABEL or COPY of {dockerfiles} Dockerfile(s) ({what})"
                ),
                _ => format!(
                    "no {} found in {what}",
                    if c == Control::Content {
                        "secret"
                    } else {
                        "forbidden file"
                    }
                ),
            };
            out.verdicts.push(Verdict::pass(
                doc,
                "repository",
                Location::file(Arc::from(".")),
                evidence,
            ));
            continue;
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
                fix_of(f),
            );
            v.severity = f.severity.max(Severity::Low);
            for l in f.locations.iter().skip(1).take(20) {
                v = v.with_related(Some(loc(l)));
            }
            out.verdicts.push(v);
        }
    }
}

impl Analyzer for SecretsAnalyzer {
    fn name(&self) -> &'static str {
        "secrets"
    }

    fn checks(&self) -> &'static [&'static CheckDoc] {
        &CHECKS
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
