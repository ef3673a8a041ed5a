//! Findings: one per (rule, secret), however many files and commits hold it; fingerprints that stay
//! the same across runs; redaction; baselines and `.gitleaksignore`.

use crate::rules::{Control, Rule};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use vigie_core::Severity;

/// The commit that introduced a blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitInfo {
    pub id: String,
    /// Author date, RFC 3339.
    pub date: String,
    pub author: String,
}

/// One place a secret was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretLocation {
    pub path: String,
    /// 1-based; 0 for a file rule (the whole file).
    pub line: u32,
    pub column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitInfo>,
    /// History scans: whether this blob is in HEAD's tree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_head: Option<bool>,
}

impl SecretLocation {
    pub fn display(&self) -> String {
        let mut s = if self.line == 0 {
            self.path.clone()
        } else {
            format!("{}:{}:{}", self.path, self.line, self.column)
        };
        if let Some(c) = &self.commit {
            s.push_str(&format!(
                " (commit {} {} {})",
                &c.id[..c.id.len().min(12)],
                c.date,
                c.author
            ));
        }
        s
    }
}

/// A secret, where it is, and how bad it is.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule_id: String,
    pub description: String,
    pub severity: Severity,
    pub control: Control,
    pub tags: Vec<String>,
    /// A file rule: the "secret" is the path.
    pub file_rule: bool,
    pub secret: Vec<u8>,
    pub fingerprint: String,
    pub locations: Vec<SecretLocation>,
}

impl Finding {
    /// The secret as shown: redacted unless `show` is set.
    pub fn shown_secret(&self, show: bool) -> String {
        if show || self.file_rule {
            String::from_utf8_lossy(&self.secret).into_owned()
        } else {
            redact(&self.secret)
        }
    }

    /// History scans: the secret is still in a blob of HEAD.
    pub fn present_at_head(&self) -> Option<bool> {
        let mut any = None;
        for l in &self.locations {
            match l.at_head {
                Some(true) => return Some(true),
                Some(false) => any = Some(false),
                None => {}
            }
        }
        any
    }
}

/// A stable fingerprint: SHA-256 of the rule id and the secret, 32 hex digits.
pub fn fingerprint(rule_id: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0u8]);
    h.update(secret);
    let d = h.finalize();
    d[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The first 4 characters (fewer for short secrets, never more than half) and the length.
pub fn redact(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let n = text.chars().count();
    let keep = 4.min(n / 2);
    let head: String = text
        .chars()
        .take(keep)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    format!("{head}…({n} chars)")
}

/// Groups matches into findings keyed by rule and secret.
#[derive(Default)]
pub struct Grouper {
    by_key: HashMap<(usize, Vec<u8>), Finding>,
}

impl Grouper {
    pub fn add(&mut self, rule_index: usize, rule: &Rule, secret: &[u8], loc: SecretLocation) {
        let key = (rule_index, secret.to_vec());
        let f = self.by_key.entry(key).or_insert_with(|| Finding {
            rule_id: rule.id.clone(),
            description: rule.description.clone(),
            severity: rule.severity,
            control: rule.control,
            tags: rule.tags.clone(),
            file_rule: rule.is_file_rule() || rule.literal,
            secret: secret.to_vec(),
            fingerprint: fingerprint(&rule.id, secret),
            locations: Vec::new(),
        });
        if !f.locations.contains(&loc) {
            f.locations.push(loc);
        }
    }

    /// Findings in a stable order (severity, then rule, then first location).
    pub fn finish(self) -> Vec<Finding> {
        let mut v: Vec<Finding> = self.by_key.into_values().collect();
        for f in &mut v {
            f.locations.sort_by(|a, b| {
                let da = a.commit.as_ref().map(|c| c.date.as_str());
                let db = b.commit.as_ref().map(|c| c.date.as_str());
                (da, &a.path, a.line, a.column).cmp(&(db, &b.path, b.line, b.column))
            });
        }
        v.sort_by(|a, b| {
            (
                std::cmp::Reverse(a.severity),
                &a.rule_id,
                &a.locations[0].path,
                a.locations[0].line,
            )
                .cmp(&(
                    std::cmp::Reverse(b.severity),
                    &b.rule_id,
                    &b.locations[0].path,
                    b.locations[0].line,
                ))
                .then_with(|| a.fingerprint.cmp(&b.fingerprint))
        });
        v
    }
}

/// A baseline: fingerprints of accepted findings.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule: String,
    #[serde(default)]
    pub secret: String,
    #[serde(default)]
    pub locations: Vec<String>,
}

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        Baseline {
            version: 1,
            findings: findings
                .iter()
                .map(|f| BaselineEntry {
                    fingerprint: f.fingerprint.clone(),
                    rule: f.rule_id.clone(),
                    secret: f.shown_secret(false),
                    locations: f.locations.iter().map(|l| l.display()).collect(),
                })
                .collect(),
        }
    }

    /// Read a baseline written by `--write-baseline`, or a plain list of fingerprints, one a line.
    pub fn parse(text: &str) -> Result<HashSet<String>, String> {
        let t = text.trim_start();
        if t.starts_with('{') {
            let b: Baseline =
                serde_json::from_str(text).map_err(|e| format!("not a vigie baseline: {e}"))?;
            Ok(b.findings.into_iter().map(|e| e.fingerprint).collect())
        } else {
            Ok(text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string)
                .collect())
        }
    }
}

/// `.gitleaksignore`: vigie fingerprints, or gitleaks' `path:rule:line` and `commit:path:rule:line`.
#[derive(Debug, Default)]
pub struct GitleaksIgnore {
    pub fingerprints: HashSet<String>,
    /// (commit or empty, path, rule, line)
    pub entries: HashSet<(String, String, String, u32)>,
}

impl GitleaksIgnore {
    pub fn parse(text: &str) -> GitleaksIgnore {
        let mut g = GitleaksIgnore::default();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.rsplitn(3, ':').collect();
            // rsplitn: [line, rule, rest]
            if parts.len() == 3
                && let Ok(n) = parts[0].parse::<u32>()
            {
                let rest = parts[2];
                let (commit, path) = match rest.split_once(':') {
                    Some((c, p)) if c.len() >= 7 && c.bytes().all(|b| b.is_ascii_hexdigit()) => {
                        (c.to_string(), p.to_string())
                    }
                    _ => (String::new(), rest.to_string()),
                };
                g.entries.insert((commit, path, parts[1].to_string(), n));
            } else {
                g.fingerprints.insert(line.to_string());
            }
        }
        g
    }

    /// Drop the locations listed; true when the finding itself is ignored (by fingerprint, or when
    /// every location is listed).
    pub fn apply(&self, f: &mut Finding) -> bool {
        if self.fingerprints.contains(&f.fingerprint) {
            return true;
        }
        if self.entries.is_empty() {
            return false;
        }
        f.locations.retain(|l| {
            let commit = l.commit.as_ref().map_or("", |c| c.id.as_str());
            let key = (
                commit.to_string(),
                l.path.clone(),
                f.rule_id.clone(),
                l.line,
            );
            let any_commit = (String::new(), l.path.clone(), f.rule_id.clone(), l.line);
            !(self.entries.contains(&key)
                || (commit.is_empty() && self.entries.contains(&any_commit)))
        });
        f.locations.is_empty()
    }
}

/// Counts per control, for summaries.
pub fn by_control(findings: &[Finding]) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for f in findings {
        *m.entry(f.control.id()).or_insert(0) += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_four_characters_and_the_length() {
        assert_eq!(redact(b"AKIAQWERTYUIOPASDFGH"), "AKIA…(20 chars)");
        assert_eq!(redact(b"abcdef"), "abc…(6 chars)");
    }

    #[test]
    fn fingerprint_is_stable_and_depends_on_rule_and_secret() {
        let a = fingerprint("aws", b"AKIA1");
        assert_eq!(a, fingerprint("aws", b"AKIA1"));
        assert_ne!(a, fingerprint("aws2", b"AKIA1"));
        assert_ne!(a, fingerprint("aws", b"AKIA2"));
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn gitleaksignore_forms() {
        let g = GitleaksIgnore::parse(
            "# comment\nconfig/app.yml:aws-access-key-id:12\nabcdef1234567:src/a.rs:github-classic-token:3\n0123456789abcdef0123456789abcdef\n",
        );
        assert!(g.fingerprints.contains("0123456789abcdef0123456789abcdef"));
        assert!(g.entries.contains(&(
            String::new(),
            "config/app.yml".into(),
            "aws-access-key-id".into(),
            12
        )));
        assert!(g.entries.contains(&(
            "abcdef1234567".into(),
            "src/a.rs".into(),
            "github-classic-token".into(),
            3
        )));
    }
}
