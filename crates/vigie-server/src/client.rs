//! The command line's side of the server: uploading a report, asking the server to verify its
//! history, downloading an export, and verifying an export offline. Blocking HTTP (ureq): the
//! command line does one request at a time.
//!
//! An upload says which repository, branch, commit and pipeline a report is of. Each comes
//! from the command's flags, else from the CI's variables (GitHub Actions, GitLab CI), else
//! from the git checkout; [`Metadata::resolve`] applies that order.

use crate::chain::{ExportSummary, verify_export};
use crate::web::upload::{Envelope, Receipt};
use serde_json::Value;
use std::io::BufRead;
use std::time::Duration;

/// What the checkout's git says (read by the caller).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitInfo {
    pub repository: Option<String>,
    pub branch: Option<String>,
    pub commit: Option<String>,
}

/// What the upload says about the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub repository: Option<String>,
    pub branch: Option<String>,
    pub commit: Option<String>,
    pub pipeline_url: Option<String>,
    pub scanned_at: Option<String>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

impl Metadata {
    /// What the CI's variables say, read through `var`.
    pub fn from_ci(var: &dyn Fn(&str) -> Option<String>) -> Metadata {
        let v = |k: &str| non_empty(var(k));
        if v("GITHUB_ACTIONS").as_deref() == Some("true") {
            let pipeline = match (
                v("GITHUB_SERVER_URL"),
                v("GITHUB_REPOSITORY"),
                v("GITHUB_RUN_ID"),
            ) {
                (Some(s), Some(r), Some(id)) => Some(format!("{s}/{r}/actions/runs/{id}")),
                _ => None,
            };
            return Metadata {
                repository: v("GITHUB_REPOSITORY"),
                // a pull request's GITHUB_REF_NAME is `N/merge`: its branch is the head's
                branch: v("GITHUB_HEAD_REF").or_else(|| v("GITHUB_REF_NAME")),
                commit: v("GITHUB_SHA"),
                pipeline_url: pipeline,
                scanned_at: None,
            };
        }
        if v("GITLAB_CI").as_deref() == Some("true") {
            return Metadata {
                repository: v("CI_PROJECT_PATH"),
                branch: v("CI_COMMIT_BRANCH")
                    .or_else(|| v("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"))
                    .or_else(|| v("CI_COMMIT_REF_NAME")),
                commit: v("CI_COMMIT_SHA"),
                pipeline_url: v("CI_PIPELINE_URL"),
                scanned_at: None,
            };
        }
        Metadata::default()
    }

    /// Flags first, then the CI's variables, then git.
    pub fn resolve(flags: Metadata, ci: Metadata, git: GitInfo) -> Metadata {
        Metadata {
            repository: non_empty(flags.repository)
                .or(ci.repository)
                .or(git.repository),
            branch: non_empty(flags.branch).or(ci.branch).or(git.branch),
            commit: non_empty(flags.commit).or(ci.commit).or(git.commit),
            pipeline_url: non_empty(flags.pipeline_url).or(ci.pipeline_url),
            scanned_at: non_empty(flags.scanned_at).or(ci.scanned_at),
        }
    }

    fn envelope(self, report: Value) -> Result<Envelope, String> {
        let missing = |what: &str, flag: &str| {
            format!(
                "the {what} of the scan is unknown: give {flag} (or run in GitHub Actions, GitLab CI or a git checkout)"
            )
        };
        Ok(Envelope {
            repository: self
                .repository
                .ok_or_else(|| missing("repository", "--repository"))?,
            branch: self.branch.ok_or_else(|| missing("branch", "--branch"))?,
            commit: self.commit.ok_or_else(|| missing("commit", "--commit"))?,
            pipeline_url: self.pipeline_url,
            scanned_at: self.scanned_at,
            report,
        })
    }
}

/// The repository's name in a git remote URL: `https://host/org/app.git`, `git@host:org/app`.
pub fn repository_from_remote(url: &str) -> Option<String> {
    let path = if let Some((_, rest)) = url.split_once("://") {
        rest.split_once('/').map(|(_, p)| p)?
    } else {
        url.split_once(':').map(|(_, p)| p)?
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    (!path.is_empty()).then(|| path.to_string())
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(300)))
        .http_status_as_error(false)
        .build()
        .into()
}

fn endpoint(server: &str, path: &str) -> String {
    format!("{}{path}", server.trim_end_matches('/'))
}

/// The server's `error` message, or the status.
fn refusal(status: u16, body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_string))
        .map_or_else(
            || format!("the server answered {status}"),
            |e| format!("the server refused the upload ({status}): {e}"),
        )
}

/// Upload a report. A report already stored (same commit and report) is not an error: the
/// receipt says `duplicate`.
pub fn upload(server: &str, token: &str, meta: Metadata, report: Value) -> Result<Receipt, String> {
    let envelope = meta.envelope(report)?;
    let body = serde_json::to_vec(&envelope).map_err(|e| e.to_string())?;
    let mut response = agent()
        .post(&endpoint(server, "/api/v1/scans"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(&body[..])
        .map_err(|e| format!("cannot reach {server}: {e}"))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(1024 * 1024)
        .read_to_string()
        .map_err(|e| format!("reading the server's answer: {e}"))?;
    match status {
        201 | 409 => serde_json::from_str(&text)
            .map_err(|e| format!("the server's answer is not a receipt: {e}")),
        _ => Err(refusal(status, &text)),
    }
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        data_encoding::BASE64.encode(format!("{user}:{password}").as_bytes())
    )
}

/// Ask the server to verify every chain (an admin account).
pub fn verify_server(
    server: &str,
    user: &str,
    password: &str,
    repository: Option<&str>,
) -> Result<Value, String> {
    let mut req = agent()
        .get(&endpoint(server, "/api/v1/verify"))
        .header("Authorization", &basic(user, password));
    if let Some(r) = repository {
        req = req.query("repository", r);
    }
    let mut response = req
        .call()
        .map_err(|e| format!("cannot reach {server}: {e}"))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(refusal(status, &text));
    }
    serde_json::from_str(&text).map_err(|e| format!("the server's answer is not JSON: {e}"))
}

/// Download an export into `out`.
pub fn download_export(
    server: &str,
    user: &str,
    password: &str,
    repository: &str,
    from: &str,
    to: &str,
    out: &mut dyn std::io::Write,
) -> Result<(), String> {
    let mut response = agent()
        .get(&endpoint(server, "/api/v1/export"))
        .header("Authorization", &basic(user, password))
        .query("repository", repository)
        .query("from", from)
        .query("to", to)
        .call()
        .map_err(|e| format!("cannot reach {server}: {e}"))?;
    let status = response.status().as_u16();
    if status != 200 {
        let text = response.body_mut().read_to_string().unwrap_or_default();
        return Err(refusal(status, &text));
    }
    let mut reader = response.body_mut().with_config().limit(u64::MAX).reader();
    std::io::copy(&mut reader, out).map_err(|e| e.to_string())?;
    Ok(())
}

/// Verify an export file offline.
pub fn verify_export_file(path: &std::path::Path) -> Result<ExportSummary, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    verify_export(std::io::BufReader::new(file).lines())
}

/// `GET url` answers 2xx (the container's health check).
pub fn healthcheck(url: &str) -> Result<(), String> {
    let response = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        .http_status_as_error(false)
        .build()
        .new_agent()
        .get(url)
        .call()
        .map_err(|e| format!("{url}: {e}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("{url}: {}", response.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn github_actions_variables() {
        let m = Metadata::from_ci(&env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", "org/app"),
            ("GITHUB_REF_NAME", "42/merge"),
            ("GITHUB_HEAD_REF", "feature/x"),
            ("GITHUB_SHA", "abcdef1"),
            ("GITHUB_SERVER_URL", "https://github.example"),
            ("GITHUB_RUN_ID", "99"),
        ]));
        assert_eq!(m.repository.as_deref(), Some("org/app"));
        assert_eq!(m.branch.as_deref(), Some("feature/x"));
        assert_eq!(
            m.pipeline_url.as_deref(),
            Some("https://github.example/org/app/actions/runs/99")
        );
    }

    #[test]
    fn gitlab_variables_and_precedence() {
        let ci = Metadata::from_ci(&env(&[
            ("GITLAB_CI", "true"),
            ("CI_PROJECT_PATH", "group/sub/app"),
            ("CI_COMMIT_REF_NAME", "main"),
            ("CI_COMMIT_SHA", "1234567"),
            ("CI_PIPELINE_URL", "https://gitlab.example/p/1"),
        ]));
        let git = GitInfo {
            repository: Some("from-git".into()),
            branch: Some("git-branch".into()),
            commit: Some("fffffff".into()),
        };
        let flags = Metadata {
            branch: Some("release".into()),
            ..Metadata::default()
        };
        let m = Metadata::resolve(flags, ci, git.clone());
        assert_eq!(m.repository.as_deref(), Some("group/sub/app"));
        assert_eq!(m.branch.as_deref(), Some("release"));
        assert_eq!(m.commit.as_deref(), Some("1234567"));
        let m = Metadata::resolve(Metadata::default(), Metadata::from_ci(&env(&[])), git);
        assert_eq!(m.repository.as_deref(), Some("from-git"));
        assert!(m.pipeline_url.is_none());
    }

    #[test]
    fn remote_urls_give_the_repository() {
        assert_eq!(
            repository_from_remote("https://git.example.org/org/app.git").as_deref(),
            Some("org/app")
        );
        assert_eq!(
            repository_from_remote("git@git.example.org:org/app.git").as_deref(),
            Some("org/app")
        );
        assert_eq!(
            repository_from_remote("ssh://git@h:22/a/b").as_deref(),
            Some("a/b")
        );
        assert_eq!(repository_from_remote("https://host"), None);
    }
}
