//! Repository governance: signed commits (SCM-01), a secret-scanning pre-commit hook (SCM-02),
//! CODEOWNERS (SCM-03), release tags (SCM-04).
//!
//! The history is read with gix from the scanned folder's own `.git` (never a parent's, so that
//! scanning a sub-folder does not judge the enclosing repository). Without `[scm]
//! allowed_signers`, signatures are read, not verified: a commit counts as signed when it
//! carries a `gpgsig` header (OpenPGP, SSH or X.509), and the report says so. With it, only
//! SSH signatures verified against that file count (see [`crate::allowed_signers`]).

use crate::allowed_signers::{AllowedSigners, Check};
use globset::{GlobBuilder, GlobMatcher};
use time::Date;

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

/// One CODEOWNERS rule: its patterns (a path may match the pattern or a directory it names)
/// and its owners (none: the path is explicitly unowned).
pub(crate) struct Rule {
    pub(crate) pattern: String,
    pub(crate) line: u32,
    pub(crate) globs: Vec<GlobMatcher>,
    pub(crate) owners: Vec<String>,
}

/// CODEOWNERS patterns follow gitignore rules: a leading or inner `/` anchors at the root, a
/// trailing `/` means a directory, `*` stops at `/`, `**` crosses folders. Hand-written over
/// globset because no crate reads CODEOWNERS' last-match-wins file as GitHub does.
pub(crate) fn rule(pattern: &str, line: u32, owners: Vec<String>) -> Option<Rule> {
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
pub(crate) fn matters(rel: &str) -> bool {
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
