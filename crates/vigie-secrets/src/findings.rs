//! Findings: one per secret, however many rules, files and commits find it; fingerprints that stay
//! the same across runs; redaction; baselines and `.gitleaksignore`.
//!
//! # Fingerprints
//!
//! A fingerprint is published (reports, SARIF, committed baselines), so it must not let anyone
//! confirm a guess of the secret: a hash of the secret does (a short password falls to a
//! dictionary in seconds, salted or not, since the salt would be published too). vigie's
//! fingerprint is derived from where the secret is, never from its value: SHA-256 of the rule id,
//! the file's path and the secret's line with the secret itself cut out (its key name and
//! surroundings, `DB_PASSWORD=…`), plus the rank of that context when it repeats in the file.
//! The line number is left out, so a baseline keeps accepting a finding whose line moves.
//!
//! The trade-off: a baseline accepts "the secret at this place", not "this secret". Replacing a
//! baselined secret by another one at the same place (same file, same key, same rule) stays
//! accepted; moving it to another file or renaming its key makes it a new finding. Baselines of
//! vigie < 0.2 (fingerprints hashed from the value) are still honoured, so that upgrading does not
//! flood a team with old findings, but they should be rewritten (`--write-baseline`): the old
//! fingerprints let a reader of the baseline confirm a guess of each secret.

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
    /// This location's fingerprint (see the module documentation).
    pub fingerprint: String,
}

impl SecretLocation {
    /// A location in a file of the working tree or of the index (no commit), its fingerprint
    /// still to compute.
    pub fn in_file(path: String, line: u32, column: u32) -> Self {
        SecretLocation {
            path,
            line,
            column,
            commit: None,
            at_head: None,
            fingerprint: String::new(),
        }
    }

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
    /// The first location's fingerprint.
    pub fingerprint: String,
    pub locations: Vec<SecretLocation>,
    /// Every rule that found this secret (or this file), the reported one first.
    pub rules: Vec<String>,
    /// Every control those rules feed, the reported one first.
    pub controls: Vec<Control>,
    /// The value-derived fingerprint of vigie < 0.2, kept in memory only, to honour old baselines.
    pub legacy_fingerprint: String,
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

/// A location's fingerprint: SHA-256 of the rule id, the path and the secret's context (its line
/// with the secret cut out, and its rank among the same contexts of the file), 32 hex digits.
/// Nothing of the secret's value goes in (see the module documentation).
pub fn fingerprint(rule_id: &str, path: &str, context: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"vigie-secret-location/2\0");
    h.update(rule_id.as_bytes());
    h.update([0u8]);
    h.update(path.as_bytes());
    h.update([0u8]);
    h.update(context);
    hex32(&h.finalize())
}

/// The fingerprint of vigie < 0.2: SHA-256 of the rule id and the secret. Only compared with
/// old baselines, never shown.
fn legacy_fingerprint(rule_id: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0u8]);
    h.update(secret);
    hex32(&h.finalize())
}

fn hex32(d: &[u8]) -> String {
    d[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The first 4 characters and the length; only the length for a secret under 20 characters,
/// whose first characters would be a large part of it (a password's half).
pub fn redact(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let n = text.chars().count();
    let keep = if n >= 20 { 4 } else { 0 };
    let head: String = text
        .chars()
        .take(keep)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    format!("{head}…({n} chars)")
}

/// Groups matches into findings: one per secret value whichever rules find it, one per file for
/// the rules that judge a file by its name; a file rule's finding joins the secret found in that
/// file's content, if any (one private key file is one finding, not a key and a file).
#[derive(Default)]
pub struct Grouper {
    by_key: HashMap<GroupKey, Finding>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum GroupKey {
    Secret(Vec<u8>),
    File(String),
}

impl Grouper {
    /// Add one match of `rule` at `loc`; `context` is the secret's line with the secret cut out
    /// (empty for a file rule), from which the location's fingerprint is derived.
    pub fn add(&mut self, rule: &Rule, secret: &[u8], context: &[u8], loc: SecretLocation) {
        self.add_with(rule, &[], secret, context, loc);
    }

    /// As [`Grouper::add`], with the other rules that found the same secret at `loc`.
    pub fn add_with(
        &mut self,
        rule: &Rule,
        also: &[&Rule],
        secret: &[u8],
        context: &[u8],
        mut loc: SecretLocation,
    ) {
        let file = rule.is_file_rule() || rule.literal;
        loc.fingerprint = fingerprint(&rule.id, &loc.path, context);
        let key = if file {
            GroupKey::File(loc.path.clone())
        } else {
            GroupKey::Secret(secret.to_vec())
        };
        let f = self.by_key.entry(key).or_insert_with(|| Finding {
            rule_id: rule.id.clone(),
            description: rule.description.clone(),
            severity: rule.severity,
            control: rule.control,
            tags: rule.tags.clone(),
            file_rule: file,
            secret: secret.to_vec(),
            fingerprint: String::new(),
            locations: Vec::new(),
            rules: Vec::new(),
            controls: Vec::new(),
            legacy_fingerprint: legacy_fingerprint(&rule.id, secret),
        });
        merge_rule(f, &rule.id, rule.control, rule.severity);
        for r in also {
            merge_rule(f, &r.id, r.control, r.severity);
        }
        if !f.locations.iter().any(|l| same_place(l, &loc)) {
            f.locations.push(loc);
        }
    }

    /// Findings in a stable order (severity, then rule, then first location).
    pub fn finish(self) -> Vec<Finding> {
        let mut v: Vec<Finding> = self.by_key.into_values().collect();
        v.sort_by_key(|a| a.file_rule);
        // A file rule's finding joins the first secret found in that file's content.
        let split = v.iter().position(|f| f.file_rule).unwrap_or(v.len());
        let files = v.split_off(split);
        for f in files {
            let path = &f.locations[0].path;
            let host = v
                .iter_mut()
                .filter(|g| g.locations.iter().any(|l| &l.path == path))
                .min_by_key(|g| {
                    g.locations
                        .iter()
                        .filter(|l| &l.path == path)
                        .map(|l| (l.line, l.column))
                        .min()
                });
            match host {
                Some(g) => {
                    for (r, c) in f.rules.iter().zip(&f.controls) {
                        merge_rule(g, r, *c, f.severity);
                    }
                }
                None => v.push(f),
            }
        }
        for f in &mut v {
            f.locations.sort_by(|a, b| {
                let da = a.commit.as_ref().map(|c| c.date.as_str());
                let db = b.commit.as_ref().map(|c| c.date.as_str());
                (da, &a.path, a.line, a.column).cmp(&(db, &b.path, b.line, b.column))
            });
            f.fingerprint = f.locations[0].fingerprint.clone();
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

/// Record that `rule` (feeding `control`) also found `f`'s secret; the worst severity wins.
fn merge_rule(f: &mut Finding, rule: &str, control: Control, severity: Severity) {
    if !f.rules.iter().any(|r| r == rule) {
        f.rules.push(rule.to_string());
        f.controls.push(control);
    }
    f.severity = f.severity.max(severity);
}

/// The same place in the same file (and commit): found twice by different rules.
fn same_place(a: &SecretLocation, b: &SecretLocation) -> bool {
    a.path == b.path
        && a.line == b.line
        && a.commit.as_ref().map(|c| &c.id) == b.commit.as_ref().map(|c| &c.id)
}

impl Finding {
    /// Whether `control` fails because of this finding.
    pub fn feeds(&self, control: Control) -> bool {
        self.controls.contains(&control)
    }

    /// Whether a baseline listing `fingerprints` accepts this finding: every location is listed
    /// (a new place of an accepted secret is reported), or the finding's fingerprint of vigie <
    /// 0.2 is.
    pub fn baselined(&self, fingerprints: &HashSet<String>) -> bool {
        fingerprints.contains(&self.legacy_fingerprint)
            || self
                .locations
                .iter()
                .all(|l| fingerprints.contains(&l.fingerprint))
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
    /// Every location's fingerprint (version 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub location_fingerprints: Vec<String>,
}

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        Baseline {
            version: 2,
            findings: findings
                .iter()
                .map(|f| BaselineEntry {
                    fingerprint: f.fingerprint.clone(),
                    rule: f.rule_id.clone(),
                    secret: f.shown_secret(false),
                    locations: f.locations.iter().map(|l| l.display()).collect(),
                    location_fingerprints: f
                        .locations
                        .iter()
                        .map(|l| l.fingerprint.clone())
                        .collect(),
                })
                .collect(),
        }
    }

    /// Read a baseline written by `--write-baseline`, or a plain list of fingerprints, one a line.
    /// The fingerprints a baseline lists: vigie's JSON, or one fingerprint a line (`#` comments).
    /// Anything else is an error naming its line: a baseline read wrongly would accept nothing,
    /// or the wrong findings, without a word.
    pub fn parse(text: &str) -> Result<HashSet<String>, String> {
        let t = text.trim_start();
        if t.starts_with('{') {
            let b: Baseline =
                serde_json::from_str(text).map_err(|e| format!("not a vigie baseline: {e}"))?;
            let mut set = HashSet::new();
            for e in b.findings {
                for fp in std::iter::once(&e.fingerprint).chain(&e.location_fingerprints) {
                    check_fingerprint(fp).map_err(|m| format!("rule {}: {m}", e.rule))?;
                }
                set.insert(e.fingerprint);
                set.extend(e.location_fingerprints);
            }
            Ok(set)
        } else {
            let mut set = HashSet::new();
            for (i, l) in text.lines().enumerate() {
                let l = l.trim();
                if l.is_empty() || l.starts_with('#') {
                    continue;
                }
                check_fingerprint(l).map_err(|m| format!("line {}: {m}", i + 1))?;
                set.insert(l.to_string());
            }
            Ok(set)
        }
    }
}

fn check_fingerprint(fp: &str) -> Result<(), String> {
    if fp.len() == 32 && fp.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not a fingerprint (32 hexadecimal digits)",
            fp.chars().take(40).collect::<String>()
        ))
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
        if self.fingerprints.contains(&f.fingerprint)
            || self.fingerprints.contains(&f.legacy_fingerprint)
        {
            return true;
        }
        f.locations
            .retain(|l| !self.fingerprints.contains(&l.fingerprint));
        if f.locations.is_empty() {
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
        for c in &f.controls {
            *m.entry(c.id()).or_insert(0) += 1;
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_four_characters_of_long_secrets_and_the_length() {
        assert_eq!(redact(b"AKIAQWERTYUIOPASDFGH"), "AKIA…(20 chars)");
        assert_eq!(redact(b"abcdef"), "…(6 chars)");
    }

    #[test]
    fn fingerprint_depends_on_the_place_not_the_value() {
        let a = fingerprint("aws", "a.env", b"KEY=\0");
        assert_eq!(a, fingerprint("aws", "a.env", b"KEY=\0"));
        assert_ne!(a, fingerprint("aws2", "a.env", b"KEY=\0"));
        assert_ne!(a, fingerprint("aws", "b.env", b"KEY=\0"));
        assert_ne!(a, fingerprint("aws", "a.env", b"OTHER=\0"));
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn malformed_baselines_are_errors_naming_the_line() {
        let e = Baseline::parse("# ok\n0123456789abcdef0123456789abcdef\nx [\n").unwrap_err();
        assert!(e.starts_with("line 3:"), "{e}");
        assert!(Baseline::parse("{\"version\": 2, \"findings\": [{\"rule\": 1}]}").is_err());
        assert!(
            Baseline::parse(
                "{\"version\": 2, \"findings\": [{\"rule\": \"r\", \"fingerprint\": \"zz\"}]}"
            )
            .is_err()
        );
        assert_eq!(Baseline::parse("").unwrap().len(), 0);
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
