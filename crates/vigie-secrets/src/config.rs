//! The `[secrets]` section of `vigie.toml`.
//!
//! ```toml
//! [secrets]
//! history = true                          # `vigie scan` also scans the git history
//! allow_paths = ['''^test/fixtures/''']   # regexes on paths whose findings are accepted
//! allow_regexes = ['''^AKIA.*EXAMPLE$'''] # regexes on secrets that are accepted
//! stopwords = ["dummy"]                   # secrets containing one of these are accepted
//! baseline = ".vigie-secrets-baseline.json"
//! config = "gitleaks.toml"                # rules file (default: .gitleaks.toml or gitleaks.toml at the root)
//! disable_rules = ["generic-secret-assignment"]
//! max_file_size = "10MB"
//! ```

use crate::rules::{Allowlist, RawAllowlist, compile_allowlist};
use serde::Deserialize;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    #[serde(default)]
    pub history: bool,
    #[serde(default)]
    pub allow_paths: Vec<String>,
    #[serde(default)]
    pub allow_regexes: Vec<String>,
    #[serde(default)]
    pub stopwords: Vec<String>,
    #[serde(default)]
    pub baseline: Option<String>,
    #[serde(default)]
    pub config: Option<String>,
    #[serde(default)]
    pub disable_rules: Vec<String>,
    #[serde(default)]
    pub max_file_size: Option<String>,
}

/// The default size limit: larger files and blobs are counted and skipped.
pub const DEFAULT_MAX_SIZE: u64 = 50 << 20;

impl SecretsConfig {
    /// Read the section; problems are returned as messages (the caller locates them).
    pub fn from_table(table: &toml::Table) -> Result<SecretsConfig, String> {
        let value = toml::Value::Table(table.clone());
        value
            .try_into::<SecretsConfig>()
            .map_err(|e| format!("[secrets]: {}", e.message()))
    }

    /// The allowlists it defines, applied to every rule.
    pub fn allowlists(&self) -> Result<Vec<Allowlist>, String> {
        let mut v = Vec::new();
        if !self.allow_paths.is_empty() {
            v.push(compile_allowlist(&RawAllowlist {
                paths: self.allow_paths.clone(),
                ..RawAllowlist::default()
            })?);
        }
        if !self.allow_regexes.is_empty() {
            v.push(compile_allowlist(&RawAllowlist {
                regexes: self.allow_regexes.clone(),
                ..RawAllowlist::default()
            })?);
        }
        if !self.stopwords.is_empty() {
            v.push(compile_allowlist(&RawAllowlist {
                stopwords: self.stopwords.clone(),
                ..RawAllowlist::default()
            })?);
        }
        Ok(v)
    }

    pub fn max_size(&self) -> Result<u64, String> {
        match &self.max_file_size {
            None => Ok(DEFAULT_MAX_SIZE),
            Some(s) => match vigie_core::config::parse_size(s) {
                // Every file would be "too large": only names would be checked.
                Ok(0) => Err("[secrets] max_file_size = 0 would scan no content".to_string()),
                Ok(n) => Ok(n),
                Err(e) => Err(format!("[secrets] max_file_size: {e}")),
            },
        }
    }
}

/// Read the `[secrets]` section of `vigie.toml` in `dir`, if there is one. A file that is there
/// but cannot be read, or whose `[secrets]` section is wrong, is a blocking note with its line:
/// the run fails closed (`vigie secrets` exits 2), as `vigie scan` does on the same file, rather
/// than scanning with settings the user did not write.
pub fn load_vigie_toml(dir: &std::path::Path) -> (SecretsConfig, Vec<crate::Note>) {
    let path = dir.join("vigie.toml");
    if std::fs::symlink_metadata(&path).is_err() {
        return (SecretsConfig::default(), Vec::new());
    }
    let name = path.display().to_string();
    let refused = |line: u32, message: String| {
        let mut n = crate::Note::blocking(vigie_core::DiagKind::Config, name.clone(), message);
        n.line = line;
        (SecretsConfig::default(), vec![n])
    };
    // a configuration file is small: what a scan reads of one is bounded alike
    let text = match vigie_parse::discover::read_text(&path, 1 << 20) {
        Ok(t) => t.text,
        Err(e) => {
            let d = e.into_diagnostic(std::sync::Arc::from(name.as_str()), 1 << 20);
            return refused(0, format!("cannot be read: {}", d.message));
        }
    };
    let line_of = |span: Option<std::ops::Range<usize>>| {
        span.map_or(0, |r| {
            1 + text.as_bytes()[..r.start.min(text.len())]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u32
        })
    };
    let table: toml::Table = match toml::from_str(&text) {
        Ok(t) => t,
        Err(e) => {
            return refused(
                line_of(e.span()),
                format!("not valid TOML: {}", e.message()),
            );
        }
    };
    match table.get("secrets") {
        Some(toml::Value::Table(t)) => match SecretsConfig::from_table(t) {
            Ok(c) => (c, Vec::new()),
            Err(e) => refused(0, e),
        },
        Some(_) => refused(0, "[secrets] must be a table".to_string()),
        None => (SecretsConfig::default(), Vec::new()),
    }
}
