//! `vigie.toml`: frameworks, severity overrides, excludes and waivers.

use crate::glob::{PathGlob, text_glob};
use crate::verdict::Waiver;
use crate::{Location, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use time::Date;

/// The default size limit for one file: larger files are reported, not read.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    /// Where the configuration was read from, if anywhere.
    pub path: Option<Arc<str>>,
    pub frameworks: Option<Vec<String>>,
    pub fail_on: Option<Severity>,
    pub exclude: Vec<String>,
    pub gitignore: bool,
    pub max_file_size: u64,
    pub severity: BTreeMap<String, Severity>,
    /// Where each `[severity]` entry is written, to report one naming no check.
    pub severity_locations: BTreeMap<String, Location>,
    pub waivers: Vec<ConfigWaiver>,
    /// `[[unit]]` entries: deployment units declared by hand (they take precedence over the
    /// units vigie discovers at the same path).
    pub units: Vec<ConfigUnit>,
    /// The sections that belong to repository-level analyses (`[roles]`, `[secrets]`…), raw,
    /// with where each starts: each analysis validates its own.
    sections: BTreeMap<&'static str, (toml::Spanned<toml::Table>, Location)>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            frameworks: None,
            fail_on: None,
            exclude: Vec::new(),
            gitignore: true,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            severity: BTreeMap::new(),
            severity_locations: BTreeMap::new(),
            waivers: Vec::new(),
            units: Vec::new(),
            sections: BTreeMap::new(),
        }
    }
}

/// The sections of `vigie.toml` that repository-level analyses own.
pub const ANALYSIS_SECTIONS: &[&str] = &[
    "roles",
    "network",
    "tls",
    "secrets",
    "supply_chain",
    "db",
    "terraform",
    "governance",
    "scm",
    "logging",
    "attestations",
    // the HTML report's links to the repository (`link = "https://…/{commit}/{path}#L{line}"`)
    "report",
];

impl Config {
    /// An analysis' own section (`[secrets]`…), as written; `None` when absent.
    pub fn section(&self, name: &str) -> Option<&toml::Spanned<toml::Table>> {
        self.sections.get(name).map(|(t, _)| t)
    }

    /// Where a section starts in the configuration file, for messages about it.
    pub fn section_location(&self, name: &str) -> Option<&Location> {
        self.sections.get(name).map(|(_, l)| l)
    }
}

/// A `[[unit]]`: one deployment unit, named by the user.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigUnit {
    pub name: String,
    /// `kustomize`, `helm`, `compose` or `manifests`.
    pub kind: String,
    /// The kustomization or chart folder, the manifests folder, or the first Compose file;
    /// relative to the scanned root.
    pub path: String,
    /// Helm values files applied after the chart's defaults, in order; Compose files merged
    /// after `path`, in order.
    pub values: Vec<String>,
    /// Helm `--set` expressions.
    pub set: Vec<String>,
    /// Helm release name and namespace.
    pub release: Option<String>,
    pub namespace: Option<String>,
    pub location: Location,
}

/// The kinds a `[[unit]]` may name.
pub const UNIT_KINDS: &[&str] = &["kustomize", "helm", "compose", "manifests"];

/// A `[[waiver]]`: a failure of `check` (a check id, or a control id for all its checks) on a
/// path matching `path`, and optionally on a subject matching `subject`, is accepted.
#[derive(Debug, Clone)]
pub struct ConfigWaiver {
    pub check: String,
    pub path: Option<PathGlob>,
    pub subject: Option<String>,
    pub reason: Option<String>,
    pub owner: Option<String>,
    pub expires: Option<Date>,
    pub location: Location,
}

impl ConfigWaiver {
    pub fn as_waiver(&self) -> Waiver {
        Waiver {
            reason: self
                .reason
                .clone()
                .unwrap_or_else(|| "no reason given".to_string()),
            owner: self.owner.clone(),
            expires: self.expires.map(|d| d.to_string()),
            source: self.location.clone(),
        }
    }

    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|d| d < today)
    }

    /// Whether the waiver's subject pattern matches a verdict's subject: the whole subject, the
    /// part after the file (`services.api`), its last name (`api`), or a glob over the whole.
    pub fn subject_matches(&self, subject: &str) -> bool {
        let Some(want) = &self.subject else {
            return true;
        };
        if subject == want {
            return true;
        }
        let tail = subject.rsplit(" › ").next().unwrap_or(subject);
        if tail == want {
            return true;
        }
        let last = tail.rsplit(['.', ' ', '/']).next().unwrap_or(tail);
        if last == want {
            return true;
        }
        if want.contains(['*', '?', '[']) {
            return text_glob(want).is_ok_and(|g| g.is_match(subject));
        }
        false
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    frameworks: Option<Vec<String>>,
    fail_on: Option<String>,
    #[serde(default)]
    exclude: Vec<String>,
    gitignore: Option<bool>,
    max_file_size: Option<toml::Value>,
    #[serde(default)]
    severity: BTreeMap<String, toml::Spanned<String>>,
    #[serde(default)]
    waiver: Vec<toml::Spanned<RawWaiver>>,
    #[serde(default)]
    unit: Vec<toml::Spanned<RawUnit>>,
    roles: Option<toml::Spanned<toml::Table>>,
    network: Option<toml::Spanned<toml::Table>>,
    tls: Option<toml::Spanned<toml::Table>>,
    secrets: Option<toml::Spanned<toml::Table>>,
    supply_chain: Option<toml::Spanned<toml::Table>>,
    db: Option<toml::Spanned<toml::Table>>,
    terraform: Option<toml::Spanned<toml::Table>>,
    governance: Option<toml::Spanned<toml::Table>>,
    scm: Option<toml::Spanned<toml::Table>>,
    logging: Option<toml::Spanned<toml::Table>>,
    attestations: Option<toml::Spanned<toml::Table>>,
    report: Option<toml::Spanned<toml::Table>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    check: String,
    path: Option<String>,
    subject: Option<String>,
    reason: Option<String>,
    owner: Option<String>,
    expires: Option<toml::value::Datetime>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnit {
    name: String,
    kind: String,
    path: String,
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    set: Vec<String>,
    release: Option<String>,
    namespace: Option<String>,
}

/// An error in `vigie.toml`, with its location.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub location: Location,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Where a top-level `key =` starts in a TOML text, for messages about its value.
fn key_location(text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some(offset + (line.len() - t.len()));
        }
        offset += line.len();
    }
    None
}

/// Parse a size such as `10485760`, `"10MB"`, `"512 KiB"`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid size `{s}` (expected e.g. 10MB)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        other => return Err(format!("unknown size unit `{other}` in `{s}`")),
    };
    let size = (n * mult) as u64;
    if size == 0 {
        // a limit of nothing would report every file too large and judge none
        return Err(format!(
            "a size of `{s}` reads no file at all (expected e.g. 10MB)"
        ));
    }
    Ok(size)
}

impl Config {
    /// Parse `vigie.toml`. `path` is how the file is named in messages.
    pub fn parse(path: &str, text: &str) -> Result<Config, ConfigError> {
        let file: Arc<str> = Arc::from(path);
        let src = crate::SourceFile::new(file.clone(), text.to_string());
        let at = |offset: usize| src.location(offset);
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError {
            location: e
                .span()
                .map(|s| at(s.start))
                .unwrap_or_else(|| Location::file(file.clone())),
            message: e.message().to_string(),
        })?;
        let whole = || Location::file(file.clone());
        if raw.frameworks.as_ref().is_some_and(Vec::is_empty) {
            // an empty selection would report on nothing and pass every gate
            return Err(ConfigError {
                location: key_location(text, "frameworks").map_or_else(whole, at),
                message: "frameworks = [] selects no framework: name at least one, or remove the key to report on every framework that applies".to_string(),
            });
        }
        let fail_on = match raw.fail_on {
            Some(s) => Some(s.parse().map_err(|m| ConfigError {
                location: whole(),
                message: format!("fail_on: {m}"),
            })?),
            None => None,
        };
        let max_file_size = match raw.max_file_size {
            None => DEFAULT_MAX_FILE_SIZE,
            Some(toml::Value::Integer(n)) if n > 0 => n as u64,
            Some(toml::Value::String(s)) => parse_size(&s).map_err(|m| ConfigError {
                location: whole(),
                message: format!("max_file_size: {m}"),
            })?,
            Some(other) => {
                return Err(ConfigError {
                    location: whole(),
                    message: format!(
                        "max_file_size: expected a size such as \"10MB\", found {other}"
                    ),
                });
            }
        };
        let mut severity = BTreeMap::new();
        let mut severity_locations = BTreeMap::new();
        for (k, v) in raw.severity {
            let location = at(v.span().start);
            let s: Severity = v.get_ref().parse().map_err(|m| ConfigError {
                location: location.clone(),
                message: format!("severity.{k}: {m}"),
            })?;
            severity.insert(k.clone(), s);
            severity_locations.insert(k, location);
        }
        for g in &raw.exclude {
            PathGlob::new(g).map_err(|m| ConfigError {
                location: whole(),
                message: format!("exclude: {m}"),
            })?;
        }
        let mut waivers = Vec::new();
        for w in raw.waiver {
            let location = at(w.span().start);
            let w = w.into_inner();
            // an accepted failure says why and until when, or it is not accepted
            for (missing, what) in [
                (
                    w.reason.as_deref().is_none_or(|r| r.trim().is_empty()),
                    "a `reason`",
                ),
                (w.expires.is_none(), "an `expires` date (e.g. 2027-06-30)"),
            ] {
                if missing {
                    return Err(ConfigError {
                        location,
                        message: format!(
                            "waiver for `{}` has no {what}: a waiver needs a reason and an expiry date",
                            w.check
                        ),
                    });
                }
            }
            let path = match &w.path {
                Some(p) => Some(PathGlob::new(p).map_err(|m| ConfigError {
                    location: location.clone(),
                    message: format!("waiver path: {m}"),
                })?),
                None => None,
            };
            let expires = match w.expires {
                Some(d) => match d.date {
                    Some(date) => Some(
                        Date::from_calendar_date(
                            date.year as i32,
                            time::Month::try_from(date.month).map_err(|_| ConfigError {
                                location: location.clone(),
                                message: format!("waiver expires: invalid month in {d}"),
                            })?,
                            date.day,
                        )
                        .map_err(|e| ConfigError {
                            location: location.clone(),
                            message: format!("waiver expires: {e}"),
                        })?,
                    ),
                    None => {
                        return Err(ConfigError {
                            location,
                            message: "waiver expires: expected a date such as 2027-06-30"
                                .to_string(),
                        });
                    }
                },
                None => None,
            };
            waivers.push(ConfigWaiver {
                check: w.check,
                path,
                subject: w.subject,
                reason: w.reason,
                owner: w.owner,
                expires,
                location,
            });
        }
        let mut units: Vec<ConfigUnit> = Vec::new();
        for u in raw.unit {
            let location = at(u.span().start);
            let u = u.into_inner();
            if !UNIT_KINDS.contains(&u.kind.as_str()) {
                return Err(ConfigError {
                    location,
                    message: format!(
                        "unit kind `{}`: expected one of {}",
                        u.kind,
                        UNIT_KINDS.join(", ")
                    ),
                });
            }
            if units.iter().any(|x| x.name == u.name) {
                return Err(ConfigError {
                    location,
                    message: format!("unit name `{}` is used twice", u.name),
                });
            }
            units.push(ConfigUnit {
                name: u.name,
                kind: u.kind,
                path: u.path,
                values: u.values,
                set: u.set,
                release: u.release,
                namespace: u.namespace,
                location,
            });
        }
        let mut sections = BTreeMap::new();
        let raw_sections = [
            raw.roles,
            raw.network,
            raw.tls,
            raw.secrets,
            raw.supply_chain,
            raw.db,
            raw.terraform,
            raw.governance,
            raw.scm,
            raw.logging,
            raw.attestations,
            raw.report,
        ];
        for (name, t) in ANALYSIS_SECTIONS.iter().zip(raw_sections) {
            if let Some(t) = t {
                let l = at(t.span().start);
                sections.insert(*name, (t, l));
            }
        }
        Ok(Config {
            sections,
            path: Some(file),
            frameworks: raw.frameworks,
            fail_on,
            exclude: raw.exclude,
            gitignore: raw.gitignore.unwrap_or(true),
            max_file_size,
            severity,
            severity_locations,
            waivers,
            units,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_analysis_sections_raw_with_their_line() {
        let c = Config::parse(
            "vigie.toml",
            "fail_on = \"high\"\n\n[roles]\napi = [\"api\", \"worker\"]\n",
        )
        .unwrap();
        let roles = c.section("roles").expect("roles");
        assert_eq!(roles.get_ref()["api"].as_array().map(|a| a.len()), Some(2));
        assert_eq!(c.section_location("roles").map(|l| l.line), Some(3));
        assert!(c.section("secrets").is_none());
        let e = Config::parse("vigie.toml", "[rolez]\na = 1\n").unwrap_err();
        assert!(e.message.contains("rolez"), "{}", e.message);
    }

    #[test]
    fn parses_waivers_with_their_line() {
        let c = Config::parse(
            "vigie.toml",
            "fail_on = \"medium\"\nexclude = [\"vendor\"]\n\n[[waiver]]\ncheck = \"CNT-04\"\npath = \"docker-compose.yml\"\nsubject = \"grafana\"\nreason = \"r\"\nexpires = 2027-06-30\n",
        )
        .unwrap();
        assert_eq!(c.fail_on, Some(Severity::Medium));
        assert_eq!(c.waivers.len(), 1);
        let w = &c.waivers[0];
        assert_eq!(w.location.line, 4, "the `[[waiver]]` header");
        assert!(w.subject_matches("docker-compose.yml › services.grafana"));
        assert!(!w.subject_matches("docker-compose.yml › services.grafana-agent"));
        assert!(!w.is_expired(time::macros::date!(2027 - 06 - 30)));
        assert!(w.is_expired(time::macros::date!(2027 - 07 - 01)));
    }

    #[test]
    fn errors_name_the_line() {
        let e = Config::parse("vigie.toml", "fail_on = \"high\"\nbogus = 1\n").unwrap_err();
        assert_eq!(e.location.line, 2, "{e}");
        let e = Config::parse(
            "vigie.toml",
            "[[waiver]]\ncheck = \"X\"\nexpires = \"soon\"\n",
        )
        .unwrap_err();
        assert!(e.location.line >= 1, "{e}");
        let e = Config::parse("vigie.toml", "fail_on = \"severe\"\n").unwrap_err();
        assert!(e.message.contains("unknown severity"), "{e}");
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MB").unwrap(), 10 * 1024 * 1024);
        assert_eq!(parse_size("512 KiB").unwrap(), 512 * 1024);
        assert_eq!(parse_size("42").unwrap(), 42);
        assert!(parse_size("ten").is_err());
        assert!(
            parse_size("0").is_err(),
            "a limit of nothing judges nothing"
        );
        assert!(parse_size("0MB").is_err());
    }

    #[test]
    fn settings_that_would_judge_nothing_are_located_errors() {
        let e = Config::parse("vigie.toml", "fail_on = \"high\"\nframeworks = []\n").unwrap_err();
        assert_eq!(e.location.line, 2, "{e}");
        assert!(e.message.contains("frameworks"), "{e}");
        for v in ["\"0\"", "0", "\"0KB\""] {
            let e = Config::parse("vigie.toml", &format!("max_file_size = {v}\n")).unwrap_err();
            assert!(e.message.contains("max_file_size"), "{v}: {e}");
        }
    }

    #[test]
    fn a_waiver_needs_a_reason_and_an_expiry() {
        let no_reason = "\n[[waiver]]\ncheck = \"CNT-04\"\nexpires = 2027-06-30\n";
        let e = Config::parse("vigie.toml", no_reason).unwrap_err();
        assert_eq!(e.location.line, 2, "{e}");
        assert!(e.message.contains("reason"), "{e}");
        let blank = "[[waiver]]\ncheck = \"CNT-04\"\nreason = \" \"\nexpires = 2027-06-30\n";
        assert!(Config::parse("vigie.toml", blank).is_err());
        let no_expiry = "[[waiver]]\ncheck = \"CNT-04\"\nreason = \"r\"\n";
        let e = Config::parse("vigie.toml", no_expiry).unwrap_err();
        assert!(e.message.contains("expires"), "{e}");
    }
}
