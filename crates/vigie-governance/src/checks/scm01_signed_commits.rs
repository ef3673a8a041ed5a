//! SCM-01: the commits of the history are signed (and verified, given allowed signers).

use crate::Out;
use crate::Repo;
use crate::allowed_signers::{self, AllowedSigners};
use crate::model::Model;
use crate::scm::*;
use std::sync::Arc;
use vigie_core::{CheckDoc, Severity};
use vigie_core::{DiagKind, Diagnostic, Location, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SCM-01",
    title: "Commits on the default branch are signed",
    severity: Severity::Medium,
    applies_to: &["git"],
    what: "The share of commits reachable from the default branch that carry a signature \
           header (`gpgsig`, OpenPGP or SSH), overall and since `[scm] signed_since`, is at \
           least `[scm] min_signed_share` (default 1.0 since the date, 0.0 before it). \
           Without `[scm] allowed_signers` signatures are read, not verified against keys: they \
           are reported as present. With it (git's `gpg.ssh.allowedSignersFile` format), only \
           SSH signatures in the `git` namespace that verify over the commit, by a key the file \
           lists for that namespace and date, count; the commits whose signature does not \
           verify, whose key is not listed, or that are signed with OpenPGP or X.509 are named.",
    why: "Without signatures anyone who can push (or who steals a token) can author commits \
          under a maintainer's name; signed commits tie each change to a key.",
    fix: "Configure signing (`git config commit.gpgsign true` with `gpg.format ssh` and \
          `user.signingkey`) for every maintainer, and require signed commits on the protected \
          branch.",
    failing: (
        "vigie.toml",
        "# a repository whose commits since 2026-01-01 are not all signed\n[scm]\nsigned_since = 2026-01-01\nmin_signed_share = 1.0\n",
    ),
    passing: (
        "vigie.toml",
        "# a repository whose commits since 2026-01-01 are all signed\n[scm]\nsigned_since = 2026-01-01\nmin_signed_share = 1.0\n",
    ),
};

/// Not assessed outside a git repository (the scan says so once, see `analyze_units`).
pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    let repo = m.repo;
    let git_loc = || Location::file(Arc::from(".git"));
    if !m.is_git {
        out.not_assessed(
            DOC.id,
            "the scanned folder is not a git repository: scan the clone itself",
        );
        return;
    }
    let cfg = &repo.scm;
    let signers = match &cfg.allowed_signers {
        None => None,
        Some(path) => match load_signers(repo, path, out) {
            Some(a) => Some((path.as_str(), a)),
            // asked to verify but nothing to verify with: counting bare headers instead would
            // pass what was meant to be checked
            None => {
                out.not_assessed(
                    DOC.id,
                    format!("the allowed-signers file `{path}` cannot be read"),
                );
                return;
            }
        },
    };
    match signatures(
        repo.root,
        cfg.signed_since,
        signers.as_ref().map(|(_, a)| a),
    ) {
        Err(e) => {
            out.diagnostics.push(Diagnostic::new(
                DiagKind::Io,
                git_loc(),
                format!("the git history could not be read ({e}): SCM-01 not assessed"),
            ));
            out.not_assessed(DOC.id, format!("the git history could not be read ({e})"));
        }
        Ok(s) => {
            let overall = share(s.signed, s.commits);
            let what = match &signers {
                None => "carry a signature".to_string(),
                Some((path, _)) => format!("carry an SSH signature verified against {path}"),
            };
            let mut msg = format!(
                "{}/{} commits on {} {what} ({:.0}%)",
                s.signed,
                s.commits,
                s.branch,
                overall * 100.0
            );
            let judged = match cfg.signed_since {
                Some(d) => {
                    let since = share(s.since_signed, s.since_commits);
                    msg.push_str(&format!(
                        "; {}/{} since {d} ({:.0}%)",
                        s.since_signed,
                        s.since_commits,
                        since * 100.0
                    ));
                    since
                }
                None => overall,
            };
            match &signers {
                None => msg.push_str(&format!(
                    "; {} OpenPGP, {} SSH, {} X.509 — present, not verified against keys",
                    s.openpgp, s.ssh, s.x509
                )),
                Some(_) => {
                    if !s.bad.is_empty() {
                        let list: Vec<String> = s
                            .bad
                            .iter()
                            .take(5)
                            .map(|(id, why)| format!("{id}: {why}"))
                            .collect();
                        msg.push_str(&format!(
                            "; {} with a signature that does not verify ({}{})",
                            s.bad.len(),
                            list.join("; "),
                            more(s.bad.len())
                        ));
                    }
                    if !s.unknown_key.is_empty() {
                        msg.push_str(&format!(
                            "; {} signed by a key not in the allowed signers ({}{})",
                            s.unknown_key.len(),
                            first_ids(&s.unknown_key),
                            more(s.unknown_key.len())
                        ));
                    }
                    if !s.not_ssh.is_empty() {
                        msg.push_str(&format!(
                            "; {} signed with OpenPGP or X.509, which an SSH allowed-signers file cannot verify ({}{})",
                            s.not_ssh.len(),
                            first_ids(&s.not_ssh),
                            more(s.not_ssh.len())
                        ));
                    }
                }
            }
            let subject = format!("git › {}", s.branch);
            if judged + 1e-9 >= cfg.min_signed_share {
                out.verdicts
                    .push(Verdict::pass(&DOC, subject, git_loc(), msg));
            } else {
                out.verdicts.push(Verdict::fail(
                    &DOC,
                    subject,
                    git_loc(),
                    format!(
                        "{msg}; below the {:.0}% required",
                        cfg.min_signed_share * 100.0
                    ),
                    "sign every commit (`git config --global commit.gpgsign true`, `gpg.format ssh`, `user.signingkey`) and require signatures on the protected branch",
                ));
            }
        }
    }
}

fn share(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

fn first_ids(ids: &[String]) -> String {
    ids.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
}

fn more(n: usize) -> String {
    if n > 5 {
        format!(", and {} more", n - 5)
    } else {
        String::new()
    }
}

/// Read `[scm] allowed_signers`: relative to the scanned folder, or absolute (`~/` is the home
/// folder). Unusable lines are diagnostics on the file; None when it cannot be read.
fn load_signers(repo: &Repo<'_>, path: &str, out: &mut Out) -> Option<AllowedSigners> {
    let p = std::path::Path::new(path);
    let text = if let Some(rest) = path.strip_prefix("~/") {
        std::env::var_os("HOME")
            .and_then(|h| std::fs::read_to_string(std::path::Path::new(&h).join(rest)).ok())
    } else if p.is_absolute() {
        std::fs::read_to_string(p).ok()
    } else {
        (repo.read)(path.trim_start_matches("./"))
    };
    let Some(text) = text else {
        out.diagnostics.push(Diagnostic::new(
            DiagKind::Config,
            Location::file(Arc::from("vigie.toml")),
            format!("scm.allowed_signers: `{path}` cannot be read: SCM-01 (signed commits) is not assessed"),
        ));
        return None;
    };
    let (a, errors) = allowed_signers::parse(&text);
    let at: Arc<str> = Arc::from(path);
    for (line, why) in errors {
        out.diagnostics.push(Diagnostic::new(
            DiagKind::Parse,
            Location::new(at.clone(), line, 1),
            format!("allowed signers: {why}; the line trusts no key"),
        ));
    }
    Some(a)
}
