//! Repository governance: signed commits (SCM-01), a secret-scanning pre-commit hook (SCM-02),
//! CODEOWNERS (SCM-03), release tags (SCM-04).
//!
//! The history is read with gix from the scanned folder's own `.git` (never a parent's, so that
//! scanning a sub-folder does not judge the enclosing repository). Without `[scm]
//! allowed_signers`, signatures are read, not verified: a commit counts as signed when it
//! carries a `gpgsig` header (OpenPGP, SSH or X.509), and the report says so. With it, only
//! SSH signatures verified against that file count (see [`crate::allowed_signers`]).

use crate::allowed_signers::{self, AllowedSigners, Check};
use crate::docs::*;
use crate::{Out, Repo};
use globset::{GlobBuilder, GlobMatcher};
use std::sync::Arc;
use time::{Date, OffsetDateTime};
use vigie_core::{DiagKind, Diagnostic, Location, Verdict};
use vigie_parse::yaml::{self, Node};

/// `[scm]` in vigie.toml.
#[derive(Debug, Clone, PartialEq)]
pub struct ScmSettings {
    /// Commits from this date on are judged against `min_signed_share`.
    pub signed_since: Option<Date>,
    /// The share of signed commits required (0.0 to 1.0), since `signed_since` if given, else
    /// over the whole history.
    pub min_signed_share: f64,
    /// An allowed-signers file (git's `gpg.ssh.allowedSignersFile` format): when given, only
    /// SSH signatures verified against it count. Relative paths are from the scanned folder.
    pub allowed_signers: Option<String>,
}

impl Default for ScmSettings {
    fn default() -> Self {
        ScmSettings {
            signed_since: None,
            min_signed_share: 1.0,
            allowed_signers: None,
        }
    }
}

impl ScmSettings {
    /// Read the `[scm]` table; an error names the key.
    pub fn from_table(t: &toml::Table) -> Result<ScmSettings, String> {
        let mut s = ScmSettings::default();
        for (k, v) in t {
            match k.as_str() {
                "signed_since" => {
                    let text = match v {
                        toml::Value::Datetime(d) => d.to_string(),
                        toml::Value::String(s) => s.clone(),
                        _ => {
                            return Err(
                                "scm.signed_since: expected a date such as 2026-01-01".into()
                            );
                        }
                    };
                    s.signed_since = Some(
                        crate::attest::parse_date(&text)
                            .map_err(|m| format!("scm.signed_since: {m}"))?,
                    );
                }
                "min_signed_share" => {
                    let f = match v {
                        toml::Value::Float(f) => *f,
                        toml::Value::Integer(i) => *i as f64,
                        _ => {
                            return Err(
                                "scm.min_signed_share: expected a number between 0 and 1".into()
                            );
                        }
                    };
                    if !(0.0..=1.0).contains(&f) {
                        return Err(format!("scm.min_signed_share: {f} is not between 0 and 1"));
                    }
                    s.min_signed_share = f;
                }
                "allowed_signers" => {
                    s.allowed_signers = Some(
                        v.as_str()
                            .ok_or("scm.allowed_signers: expected a path")?
                            .to_string(),
                    );
                }
                other => {
                    return Err(format!(
                        "scm: unknown key `{other}` (expected signed_since, min_signed_share, allowed_signers)"
                    ));
                }
            }
        }
        Ok(s)
    }
}

pub fn run(repo: &Repo<'_>, out: &mut Out) {
    let is_git = repo.root.join(".git").exists();
    history(repo, is_git, out);
    hooks(repo, is_git, out);
    codeowners(repo, is_git, out);
}

/// What the history says about signatures.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Signatures {
    pub branch: String,
    pub commits: usize,
    /// Commits that count as signed: carrying a signature, or with allowed signers, carrying
    /// a verified one.
    pub signed: usize,
    pub openpgp: usize,
    pub ssh: usize,
    pub x509: usize,
    pub since_commits: usize,
    pub since_signed: usize,
    /// With allowed signers: the commits whose signature failed verification (short id, why).
    pub bad: Vec<(String, String)>,
    /// With allowed signers: SSH-signed commits whose key no line lists (short ids).
    pub unknown_key: Vec<String>,
    /// With allowed signers: OpenPGP or X.509 signed commits, which it cannot verify.
    pub not_ssh: Vec<String>,
}

/// Count signed commits reachable from the default branch (`origin/HEAD`, else `HEAD`); with
/// `signers`, count only those whose SSH signature they verify.
pub fn signatures(
    root: &std::path::Path,
    since: Option<Date>,
    signers: Option<&AllowedSigners>,
) -> Result<Signatures, String> {
    let r = gix::open(root).map_err(|e| e.to_string())?;
    let mut s = Signatures::default();
    let start = match r
        .try_find_reference("refs/remotes/origin/HEAD")
        .ok()
        .flatten()
    {
        Some(mut rf) => {
            s.branch = "origin/HEAD".into();
            rf.peel_to_commit().map_err(|e| e.to_string())?
        }
        None => {
            s.branch = r
                .head_name()
                .ok()
                .flatten()
                .map(|n| n.shorten().to_string())
                .unwrap_or_else(|| "HEAD".into());
            r.head_commit().map_err(|e| e.to_string())?
        }
    };
    let since_secs = since.map(|d| d.midnight().assume_utc().unix_timestamp());
    let walk = start.ancestors().all().map_err(|e| e.to_string())?;
    for info in walk {
        let info = info.map_err(|e| e.to_string())?;
        let c = info.object().map_err(|e| e.to_string())?;
        s.commits += 1;
        let time = c.time().map_err(|e| e.to_string())?.seconds;
        let sig = c.signature().map_err(|e| e.to_string())?;
        let signed = match &sig {
            Some((text, payload)) => {
                let t: &[u8] = text.as_ref();
                if contains(t, b"BEGIN SSH SIGNATURE") {
                    s.ssh += 1;
                } else if contains(t, b"BEGIN SIGNED MESSAGE") {
                    s.x509 += 1;
                } else {
                    s.openpgp += 1;
                }
                match signers {
                    None => true,
                    Some(a) => {
                        let id = info.id.to_hex_with_len(7).to_string();
                        match a.check(t, payload.to_bstring().as_ref(), time) {
                            Check::Verified(_) => true,
                            Check::UnknownKey => {
                                s.unknown_key.push(id);
                                false
                            }
                            Check::Bad(why) => {
                                s.bad.push((id, why));
                                false
                            }
                            Check::NotSsh => {
                                s.not_ssh.push(id);
                                false
                            }
                        }
                    }
                }
            }
            None => false,
        };
        if signed {
            s.signed += 1;
        }
        if let Some(min) = since_secs
            && time >= min
        {
            s.since_commits += 1;
            if signed {
                s.since_signed += 1;
            }
        }
    }
    Ok(s)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The latest release tag: its name, its commit, and the commit's time (seconds).
pub type LatestTag = (String, String, i64);

/// Release tags `v*`: how many, and the latest by commit date.
pub fn release_tags(root: &std::path::Path) -> Result<(usize, Option<LatestTag>), String> {
    let r = gix::open(root).map_err(|e| e.to_string())?;
    let refs = r.references().map_err(|e| e.to_string())?;
    let mut n = 0;
    let mut latest: Option<(String, String, i64)> = None;
    for rf in refs.tags().map_err(|e| e.to_string())? {
        let Ok(mut rf) = rf else { continue };
        let name = rf.name().shorten().to_string();
        if !name.starts_with('v') {
            continue;
        }
        n += 1;
        if let Ok(c) = rf.peel_to_commit() {
            let t = c.time().map(|t| t.seconds).unwrap_or(0);
            let id = c.id.to_hex_with_len(7).to_string();
            if latest
                .as_ref()
                .is_none_or(|l| t > l.2 || (t == l.2 && name > l.0))
            {
                latest = Some((name, id, t));
            }
        }
    }
    Ok((n, latest))
}

fn share(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

fn history(repo: &Repo<'_>, is_git: bool, out: &mut Out) {
    let git_loc = || Location::file(Arc::from(".git"));
    if !is_git {
        out.diagnostics.push(Diagnostic::new(
            DiagKind::Skipped,
            Location::file(Arc::from(".")),
            "not a git repository (no .git in the scanned folder): SCM-01 (signed commits) and SCM-04 (release tags) are not assessed",
        ));
        for check in [&SCM_01, &SCM_04] {
            out.not_assessed(
                check.id,
                "the scanned folder is not a git repository: scan the clone itself",
            );
        }
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
                    SCM_01.id,
                    format!("the allowed-signers file `{path}` cannot be read"),
                );
                return release(repo, out);
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
            out.not_assessed(
                SCM_01.id,
                format!("the git history could not be read ({e})"),
            );
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
                    .push(Verdict::pass(&SCM_01, subject, git_loc(), msg));
            } else {
                out.verdicts.push(Verdict::fail(
                    &SCM_01,
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
    release(repo, out);
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

fn release(repo: &Repo<'_>, out: &mut Out) {
    let git_loc = || Location::file(Arc::from(".git"));
    match release_tags(repo.root) {
        Err(e) => {
            out.diagnostics.push(Diagnostic::new(
                DiagKind::Io,
                git_loc(),
                format!("the tags could not be read ({e}): SCM-04 not assessed"),
            ));
            out.not_assessed(SCM_04.id, format!("the tags could not be read ({e})"));
        }
        Ok((0, _)) => out.verdicts.push(Verdict::fail(
            &SCM_04,
            "git › tags",
            git_loc(),
            "no release tag matching `v*`",
            "tag each release (`git tag -s v1.0.0`) from the release pipeline",
        )),
        Ok((n, latest)) => {
            let latest = latest.map_or(String::new(), |(name, id, t)| {
                let date = OffsetDateTime::from_unix_timestamp(t)
                    .map(|d| d.date().to_string())
                    .unwrap_or_default();
                format!("; latest {name} at {id} ({date})")
            });
            out.verdicts.push(Verdict::pass(
                &SCM_04,
                "git › tags",
                git_loc(),
                format!("{n} release tag(s) matching `v*`{latest}"),
            ));
        }
    }
}

/// Secret scanners a hook may run.
const SCANNERS: &[&str] = &[
    "gitleaks",
    "trufflehog",
    "detect-secrets",
    "git-secrets",
    "ggshield",
    "vigie",
    "secretlint",
    "talisman",
    "ripsecrets",
    "noseyparker",
    "kingfisher",
];

fn scanner_in(s: &str) -> Option<&'static str> {
    let l = s.to_ascii_lowercase();
    SCANNERS.iter().copied().find(|k| l.contains(k))
}

fn hooks(repo: &Repo<'_>, is_git: bool, out: &mut Out) {
    let mut seen = false;
    for rel in repo.files.iter().copied() {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let kind = if rel == ".pre-commit-config.yaml" || rel == ".pre-commit-config.yml" {
            "pre-commit"
        } else if rel.starts_with(".husky/") && !name.starts_with('_') && !name.contains('.') {
            "husky"
        } else if !rel.contains('/')
            && matches!(
                name,
                "lefthook.yml"
                    | ".lefthook.yml"
                    | "lefthook.yaml"
                    | ".lefthook.yaml"
                    | "lefthook-local.yml"
            )
        {
            "lefthook"
        } else {
            continue;
        };
        let Some(text) = (repo.read)(rel) else {
            continue;
        };
        seen = true;
        let path: Arc<str> = Arc::from(rel);
        let mut hit: Option<(String, Location)> = None;
        match kind {
            "pre-commit" => {
                let stream = yaml::parse(&text);
                for d in &stream.documents {
                    for r in d.root.get("repos").map(Node::items).unwrap_or(&[]) {
                        let url = r.get("repo").and_then(Node::as_str).unwrap_or("");
                        for h in r.get("hooks").map(Node::items).unwrap_or(&[]) {
                            let id = h.get("id");
                            let words = format!(
                                "{url} {} {}",
                                id.and_then(Node::as_str).unwrap_or(""),
                                h.get("entry").and_then(Node::as_str).unwrap_or("")
                            );
                            if hit.is_none()
                                && let Some(s) = scanner_in(&words)
                            {
                                let p = id.map_or(h.pos, |n| n.pos);
                                hit = Some((
                                    s.to_string(),
                                    Location::new(path.clone(), p.line, p.col),
                                ));
                            }
                        }
                    }
                }
            }
            "lefthook" => {
                let stream = yaml::parse(&text);
                for d in &stream.documents {
                    for stage in ["pre-commit", "pre-push"] {
                        for c in d
                            .root
                            .path(&[stage, "commands"])
                            .map(Node::entries)
                            .unwrap_or(&[])
                        {
                            let run = c.value.get("run");
                            if hit.is_none()
                                && let Some(s) = run.and_then(Node::as_str).and_then(scanner_in)
                            {
                                let p = run.map_or(c.key_pos, |n| n.pos);
                                hit = Some((
                                    s.to_string(),
                                    Location::new(path.clone(), p.line, p.col),
                                ));
                            }
                        }
                    }
                }
            }
            _ => {
                for (i, l) in text.lines().enumerate() {
                    if l.trim_start().starts_with('#') {
                        continue;
                    }
                    if let Some(s) = scanner_in(l) {
                        hit = Some((s.to_string(), Location::new(path.clone(), i as u32 + 1, 1)));
                        break;
                    }
                }
            }
        }
        match hit {
            Some((s, at)) => out.verdicts.push(Verdict::pass(
                &SCM_02,
                rel.to_string(),
                at,
                format!("the {kind} hook runs {s} before each commit"),
            )),
            None => out.verdicts.push(Verdict::fail(
                &SCM_02,
                rel.to_string(),
                Location::file(path),
                format!("the {kind} configuration runs no secret scanner"),
                "add a gitleaks (or trufflehog, detect-secrets) hook",
            )),
        }
    }
    if !seen && is_git {
        out.verdicts.push(Verdict::fail(
            &SCM_02,
            "repository",
            Location::file(Arc::from(".pre-commit-config.yaml")),
            "no pre-commit, husky or lefthook configuration: nothing scans for secrets before a commit",
            "add `.pre-commit-config.yaml` with the gitleaks hook, and have developers run `pre-commit install`",
        ));
    }
}

/// One CODEOWNERS rule: its patterns (a path may match the pattern or a directory it names)
/// and its owners (none: the path is explicitly unowned).
struct Rule {
    pattern: String,
    line: u32,
    globs: Vec<GlobMatcher>,
    owners: Vec<String>,
}

/// CODEOWNERS patterns follow gitignore rules: a leading or inner `/` anchors at the root, a
/// trailing `/` means a directory, `*` stops at `/`, `**` crosses folders. Hand-written over
/// globset because no crate reads CODEOWNERS' last-match-wins file as GitHub does.
fn rule(pattern: &str, line: u32, owners: Vec<String>) -> Option<Rule> {
    let mut p = pattern.trim();
    let dir_only = p.ends_with('/');
    p = p.trim_end_matches('/');
    let anchored = p.starts_with('/') || p.contains('/');
    let p = p.trim_start_matches('/');
    if p.is_empty() {
        return None;
    }
    let base = if anchored || p.starts_with("**") {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    // a name (`docs`, `/k8s/`) owns what is under it; a wildcard last part (`docs/*`) owns
    // only the files it matches, as GitHub documents
    let last_has_wildcard = base.rsplit('/').next().is_some_and(|l| l.contains('*'));
    let mut globs = Vec::new();
    if !last_has_wildcard || dir_only {
        globs.push(format!("{base}/**"));
    }
    if !dir_only {
        globs.push(base);
    }
    let globs = globs
        .iter()
        .filter_map(|g| {
            GlobBuilder::new(g)
                .literal_separator(true)
                .build()
                .ok()
                .map(|g| g.compile_matcher())
        })
        .collect::<Vec<_>>();
    (!globs.is_empty()).then(|| Rule {
        pattern: pattern.to_string(),
        line,
        globs,
        owners,
    })
}

/// Files whose changes alter what is deployed or how.
fn matters(rel: &str) -> bool {
    let l = rel.to_ascii_lowercase();
    let name = l.rsplit('/').next().unwrap_or(&l);
    l.starts_with(".github/workflows/")
        || l.starts_with(".github/actions/")
        || l.starts_with(".circleci/")
        || l.starts_with(".gitlab/")
        || name == ".gitlab-ci.yml"
        || name.starts_with("cloudbuild.")
        || name == "jenkinsfile"
        || name == "azure-pipelines.yml"
        || name == "codeowners"
        || name == "vigie.toml"
        || l.starts_with(".vigie/")
        || name == ".pre-commit-config.yaml"
        || name.starts_with("dockerfile")
        || name.ends_with(".dockerfile")
        || name == "containerfile"
        || name.starts_with("docker-compose")
        || name.starts_with("compose.")
        || name.ends_with(".tf")
        || name.ends_with(".tfvars")
        || ((name.ends_with(".yaml") || name.ends_with(".yml"))
            && [
                "k8s/",
                "kubernetes/",
                "manifests/",
                "deploy/",
                "helm/",
                "charts/",
                "infra/",
            ]
            .iter()
            .any(|d| l.starts_with(d) || l.contains(&format!("/{d}"))))
}

fn codeowners(repo: &Repo<'_>, is_git: bool, out: &mut Out) {
    // GitHub's order: .github/, the root, docs/ (GitLab also reads .gitlab/)
    let file = [
        ".github/CODEOWNERS",
        "CODEOWNERS",
        "docs/CODEOWNERS",
        ".gitlab/CODEOWNERS",
    ]
    .into_iter()
    .find(|f| repo.files.contains(f));
    let Some(file) = file else {
        if is_git {
            out.verdicts.push(Verdict::fail(
                &SCM_03,
                "repository",
                Location::file(Arc::from("CODEOWNERS")),
                "no CODEOWNERS file: changes to the pipeline and the infrastructure need no designated reviewer",
                "add `.github/CODEOWNERS` naming owners for CI, Dockerfiles, manifests and Terraform",
            ));
        }
        return;
    };
    let Some(text) = (repo.read)(file) else {
        return;
    };
    let path: Arc<str> = Arc::from(file);
    let mut rules = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.split(" #").next().unwrap_or(l).trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with('[') || t.starts_with("^[") {
            continue;
        }
        let mut parts = t.split_whitespace();
        let Some(pattern) = parts.next() else {
            continue;
        };
        let owners: Vec<String> = parts.map(str::to_string).collect();
        match rule(pattern, i as u32 + 1, owners) {
            Some(r) => rules.push(r),
            None => out.diagnostics.push(Diagnostic::new(
                DiagKind::Parse,
                Location::new(path.clone(), i as u32 + 1, 1),
                format!(
                    "CODEOWNERS: `{pattern}` is not a pattern vigie can read; the line is ignored"
                ),
            )),
        }
    }
    for rel in repo.files.iter().copied().filter(|f| matters(f)) {
        let last = rules
            .iter()
            .rev()
            .find(|r| r.globs.iter().any(|g| g.is_match(rel)));
        match last {
            Some(r) if !r.owners.is_empty() => out.verdicts.push(Verdict::pass(
                &SCM_03,
                rel.to_string(),
                Location::new(path.clone(), r.line, 1),
                format!(
                    "`{rel}` is owned by {} (`{}`)",
                    r.owners.join(" "),
                    r.pattern
                ),
            )),
            Some(r) => out.verdicts.push(Verdict::fail(
                &SCM_03,
                rel.to_string(),
                Location::new(path.clone(), r.line, 1),
                format!(
                    "`{rel}` is explicitly left without owner by `{}`",
                    r.pattern
                ),
                "name an owner for it (later lines win)",
            )),
            None => out.verdicts.push(Verdict::fail(
                &SCM_03,
                rel.to_string(),
                Location::file(path.clone()),
                format!("no CODEOWNERS rule covers `{rel}`"),
                format!("add a line such as `/{rel} @org/platform` (or a folder or `*` rule)"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owns(pattern: &str, path: &str) -> bool {
        rule(pattern, 1, vec!["@o".into()])
            .is_some_and(|r| r.globs.iter().any(|g| g.is_match(path)))
    }

    #[test]
    fn codeowners_patterns_follow_gitignore_rules() {
        assert!(owns("*", "a/b/c.tf"));
        assert!(owns("*.tf", "infra/main.tf"));
        assert!(owns("/k8s/", "k8s/app/web.yaml"));
        assert!(!owns("/k8s/", "svc/k8s/web.yaml"));
        assert!(owns("k8s/", "svc/k8s/web.yaml") || owns("k8s/", "k8s/web.yaml"));
        assert!(owns("docs", "docs/a.md"));
        assert!(owns(".github/workflows/", ".github/workflows/ci.yml"));
        assert!(!owns("/docs/*", "docs/a/b.md"), "* stops at /");
        assert!(owns("/docs/**", "docs/a/b.md"));
        assert!(owns("CODEOWNERS", ".github/CODEOWNERS"));
    }

    #[test]
    fn settings_are_validated() {
        let t: toml::Table = "signed_since = 2026-01-01\nmin_signed_share = 0.9\n"
            .parse()
            .unwrap();
        let s = ScmSettings::from_table(&t).unwrap();
        assert_eq!(s.min_signed_share, 0.9);
        assert!(s.signed_since.is_some());
        let t: toml::Table = "min_signed_share = 2\n".parse().unwrap();
        assert!(ScmSettings::from_table(&t).is_err());
        let t: toml::Table = "colour = 1\n".parse().unwrap();
        assert!(
            ScmSettings::from_table(&t)
                .unwrap_err()
                .contains("unknown key")
        );
    }
}
