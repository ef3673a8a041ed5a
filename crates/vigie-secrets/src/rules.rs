//! Rule files: the built-in `rules/*.toml` embedded at build time, and gitleaks configurations.
//!
//! The format is gitleaks' (`[[rules]]` with `id`, `description`, `regex`, `secretGroup`, `entropy`,
//! `keywords`, `path`, `tags`, `[[rules.allowlists]]`, a global `[allowlist]` or `[[allowlists]]`,
//! `[extend] useDefault`) plus vigie's extensions:
//!
//! - `severity` (`critical`, `high`, `medium`, `low`; default `high`),
//! - `control` (`SEC-01` content secret, `SEC-03` forbidden file, `SEC-04` secret baked into an image),
//! - `generic = true`: the secret must also pass [`crate::gate::plausible_secret`],
//! - `positive` / `negative`: texts the rule must find / must not find, run by the test suite. For a file
//!   rule (`path` and no `regex`) they are file paths. For a rule with both `path` and `regex` they are
//!   contents, scanned as a file named `examplePath` (default: the rule cannot be tested without it).
//!
//! Regexes are compiled on bytes with Unicode off, so `\w`, `\d`, `\s` are ASCII as in Go.
//! A regex Rust cannot compile (look-around, back-references) makes that one rule unusable: it is
//! reported in [`RuleSet::problems`] and the other rules go on.
//!
//! Every regex of a rule file is parsed when the file is loaded, so a malformed one is reported at
//! start-up, but compiled only the first time it is searched (see [`Pattern`]): a scan of a few files
//! compiles the few rules whose keywords occur in them, not the hundreds of built-in ones. The
//! built-in rules' regexes are not parsed at start-up at all: they are fixed when vigie is built,
//! and the test suite checks each of them as a rule file's are.

use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;
use std::fmt;
use std::sync::OnceLock;
use vigie_core::Severity;

/// The built-in rule files, embedded by build.rs.
pub const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// A rule file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleFile {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub extend: Option<Extend>,
    #[serde(default)]
    pub rules: Vec<RawRule>,
    /// gitleaks < 8.25: one global allowlist.
    #[serde(default)]
    pub allowlist: Option<RawAllowlist>,
    /// gitleaks >= 8.25: several global allowlists, optionally restricted to some rules.
    #[serde(default)]
    pub allowlists: Vec<RawAllowlist>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extend {
    #[serde(default)]
    pub use_default: bool,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub disabled_rules: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawRule {
    pub id: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub regex: Option<String>,
    #[serde(default)]
    pub secret_group: Option<usize>,
    #[serde(default)]
    pub entropy: Option<f64>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub control: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub generic: bool,
    #[serde(default)]
    pub positive: Vec<String>,
    #[serde(default)]
    pub negative: Vec<String>,
    #[serde(default)]
    pub example_path: Option<String>,
    #[serde(default)]
    pub allowlists: Vec<RawAllowlist>,
    /// gitleaks < 8.25 spelling.
    #[serde(default)]
    pub allowlist: Option<RawAllowlist>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawAllowlist {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub condition: Option<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub regexes: Vec<String>,
    #[serde(default)]
    pub regex_target: Option<String>,
    #[serde(default)]
    pub stopwords: Vec<String>,
    #[serde(default)]
    pub commits: Vec<String>,
    /// Global allowlists only: the rules it applies to (all when empty).
    #[serde(default)]
    pub target_rules: Vec<String>,
}

/// Which control a rule feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Control {
    /// A secret in a file's content.
    Content,
    /// A file that must not be committed at all.
    ForbiddenFile,
    /// A secret written into a container image.
    Image,
}

impl Control {
    pub fn id(self) -> &'static str {
        match self {
            Control::Content => "SEC-01",
            Control::ForbiddenFile => "SEC-03",
            Control::Image => "SEC-04",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegexTarget {
    Secret,
    Match,
    Line,
}

/// A compiled allowlist.
#[derive(Debug, Clone)]
pub struct Allowlist {
    pub and: bool,
    pub paths: Vec<Pattern>,
    pub regexes: Vec<Pattern>,
    pub target: RegexTarget,
    pub stopwords: Vec<Vec<u8>>,
    pub commits: Vec<String>,
    /// Rules it applies to (global allowlists only; empty: all).
    pub target_rules: Vec<String>,
}

/// What a candidate secret is checked against.
pub struct Candidate<'a> {
    pub path: &'a str,
    pub commit: Option<&'a str>,
    pub secret: &'a [u8],
    pub matched: &'a [u8],
    pub line: &'a [u8],
}

impl Allowlist {
    /// Whether the allowlist accepts the candidate (gitleaks semantics: with `condition = "OR"`, the
    /// default, any criterion that matches allows; with `"AND"`, every criterion that is set must match).
    pub fn allows(&self, c: &Candidate<'_>) -> bool {
        let mut checks: [Option<bool>; 4] = [None; 4];
        if !self.commits.is_empty() {
            checks[0] = Some(
                c.commit
                    .is_some_and(|id| self.commits.iter().any(|x| id.starts_with(x.as_str()))),
            );
        }
        if !self.paths.is_empty() {
            checks[1] = Some(self.paths.iter().any(|r| r.is_match(c.path.as_bytes())));
        }
        if !self.regexes.is_empty() {
            let target = match self.target {
                RegexTarget::Secret => c.secret,
                RegexTarget::Match => c.matched,
                RegexTarget::Line => c.line,
            };
            checks[2] = Some(self.regexes.iter().any(|r| r.is_match(target)));
        }
        if !self.stopwords.is_empty() {
            let lower = c.secret.to_ascii_lowercase();
            checks[3] = Some(
                self.stopwords
                    .iter()
                    .any(|w| !w.is_empty() && memchr::memmem::find(&lower, w).is_some()),
            );
        }
        let mut set = checks.iter().flatten().peekable();
        if set.peek().is_none() {
            return false;
        }
        if self.and {
            checks.iter().flatten().all(|b| *b)
        } else {
            checks.iter().flatten().any(|b| *b)
        }
    }
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub description: String,
    pub regex: Option<Pattern>,
    pub secret_group: Option<usize>,
    pub entropy: Option<f64>,
    pub keywords: Vec<String>,
    pub path: Option<Pattern>,
    pub severity: Severity,
    pub control: Control,
    pub tags: Vec<String>,
    pub generic: bool,
    pub positive: Vec<String>,
    pub negative: Vec<String>,
    pub example_path: Option<String>,
    pub allowlists: Vec<Allowlist>,
    /// Where the rule was defined (`rules/builtin-cloud.toml`, `gitleaks.toml`).
    pub origin: String,
    /// The match is a file name, not a secret, and is shown as is (file rules, Dockerfile COPY).
    pub literal: bool,
}

impl Rule {
    /// A file rule: the file's path alone is the finding.
    pub fn is_file_rule(&self) -> bool {
        self.regex.is_none() && self.path.is_some()
    }

    /// A rule implemented in code rather than by a regex (Dockerfile analysis).
    pub fn builtin_code(
        id: &str,
        description: &str,
        control: Control,
        severity: Severity,
        literal: bool,
    ) -> Rule {
        Rule {
            id: id.to_string(),
            description: description.to_string(),
            regex: None,
            secret_group: None,
            entropy: None,
            keywords: Vec::new(),
            path: None,
            severity,
            control,
            tags: vec!["dockerfile".to_string()],
            generic: false,
            positive: Vec::new(),
            negative: Vec::new(),
            example_path: None,
            allowlists: Vec::new(),
            origin: "vigie".to_string(),
            literal,
        }
    }
}

/// A rule that could not be loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    pub origin: String,
    pub rule: String,
    pub message: String,
    /// 1-based line in the rule file, when known (0 otherwise).
    pub line: u32,
    /// The file as a whole cannot be used (it does not parse, or defines no rule): scanning with
    /// what is left would report no secret because none is looked for.
    pub fatal: bool,
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rule.is_empty() {
            write!(f, "{}: {}", self.origin, self.message)
        } else {
            write!(f, "{}: rule `{}`: {}", self.origin, self.rule, self.message)
        }
    }
}

/// The rules in force and the global allowlists.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub global: Vec<Allowlist>,
    pub problems: Vec<RuleProblem>,
}

/// The longest regex vigie compiles. The built-in rules' longest is a few kilobytes; a
/// configuration's regex of hundreds of thousands of alternatives would take minutes to compile
/// and analyse, so it is refused with a message instead.
pub const MAX_PATTERN_LEN: usize = 32 << 10;

/// A rule's regex, checked when it is loaded and compiled the first time it is searched.
///
/// Loading parses the pattern (the cheap part: a syntax error, look-around or a back-reference is
/// reported then, as a failed compilation would be) and estimates the size of its compiled form;
/// a pattern whose estimate is large enough that compiling it might exceed the size limit is
/// compiled at once, so that every error a compilation can give is still a load error. The
/// others are compiled on first use, once, whichever thread asks first. It dereferences to the
/// compiled [`Regex`].
pub struct Pattern {
    source: String,
    /// Known from the parse at load; for a built-in pattern (see [`Pattern::builtin`]), from its
    /// compiled form when first asked.
    captures_len: OnceLock<usize>,
    compiled: OnceLock<Regex>,
}

/// Above this estimate ([`compiled_weight`]) a pattern is compiled when it is loaded. The
/// built-in rules weigh at most a few thousand; the size limit is reached in the millions.
const EAGER_WEIGHT: u64 = 200_000;

impl Pattern {
    /// Check `pattern` as [`compile`] would compile it, without compiling it when that cannot fail.
    pub fn new(pattern: &str) -> Result<Pattern, String> {
        check_len(pattern)?;
        let hir = parse(pattern).map_err(|e| explain_regex_error(pattern, &e))?;
        let captures_len = hir.properties().explicit_captures_len() + 1;
        let compiled = OnceLock::new();
        if compiled_weight(&hir) > EAGER_WEIGHT {
            let _ = compiled.set(compile(pattern)?);
        }
        Ok(Pattern {
            source: pattern.to_string(),
            captures_len: OnceLock::from(captures_len),
            compiled,
        })
    }

    /// A pattern of the built-in rules, loaded without the check [`Pattern::new`] makes: parsing
    /// every built-in regex was most of the work of starting a scan (a pre-commit hook pays it at
    /// every commit), and these patterns are fixed when vigie is built. The test suite runs the
    /// full check on each of them (`builtin_rules_pass_the_load_check`), so a built-in pattern
    /// that would fail it fails the build's tests instead.
    fn builtin(pattern: &str) -> Pattern {
        Pattern {
            source: pattern.to_string(),
            captures_len: OnceLock::new(),
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Capture groups, the implicit whole-match group included (as [`Regex::captures_len`]).
    pub fn captures_len(&self) -> usize {
        *self
            .captures_len
            .get_or_init(|| self.regex().captures_len())
    }

    /// Whether the regex has been compiled yet.
    pub fn is_compiled(&self) -> bool {
        self.compiled.get().is_some()
    }

    /// The compiled regex, compiled now if this is its first use.
    pub fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            compile(&self.source).unwrap_or_else(|e| {
                // Not reached: what parses and weighs little compiles. Should it happen, the rule
                // is reported as unusable and matches nothing rather than stopping the scan.
                eprintln!("vigie: regex `{}`: {e}", self.source);
                compile(NEVER).expect("the empty class compiles")
            })
        })
    }
}

/// A regex that matches nothing.
const NEVER: &str = r"[^\x00-\xFF]";

impl std::ops::Deref for Pattern {
    type Target = Regex;
    fn deref(&self) -> &Regex {
        self.regex()
    }
}

impl Clone for Pattern {
    fn clone(&self) -> Pattern {
        Pattern {
            source: self.source.clone(),
            captures_len: self.captures_len.clone(),
            compiled: self.compiled.clone(),
        }
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

/// Parse `pattern` with the syntax [`compile`] uses (bytes, Unicode classes off).
/// The error is the parser's message.
pub(crate) fn parse(pattern: &str) -> Result<regex_syntax::hir::Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

/// A rough upper estimate of the compiled size of `h`: literal bytes and class ranges, multiplied
/// out through counted repetitions (an unbounded one counts its minimum plus one).
fn compiled_weight(h: &regex_syntax::hir::Hir) -> u64 {
    use regex_syntax::hir::{Class, HirKind};
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => 1,
        HirKind::Literal(l) => l.0.len() as u64,
        HirKind::Class(Class::Bytes(c)) => c.ranges().len() as u64,
        HirKind::Class(Class::Unicode(c)) => c.ranges().len() as u64 * 4,
        HirKind::Repetition(r) => {
            let n = r.max.unwrap_or(r.min.saturating_add(1)).max(1) as u64;
            compiled_weight(&r.sub).saturating_mul(n)
        }
        HirKind::Capture(c) => compiled_weight(&c.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => v
            .iter()
            .fold(1u64, |acc, x| acc.saturating_add(compiled_weight(x))),
    }
}

fn check_len(pattern: &str) -> Result<(), String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!(
            "the regex is {} bytes long, over the {MAX_PATTERN_LEN} byte limit (compiling and \
             analysing it would take minutes); the rule is skipped",
            pattern.len()
        ));
    }
    Ok(())
}

/// Compile a regex as gitleaks does: on bytes, ASCII classes, with a size limit large enough for the
/// long alternations some rules have.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    check_len(pattern)?;
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .map_err(|e| explain_regex_error(pattern, &e.to_string()))
}

fn explain_regex_error(pattern: &str, err: &str) -> String {
    let hint = if pattern.contains("(?=")
        || pattern.contains("(?!")
        || pattern.contains("(?<=")
        || pattern.contains("(?<!")
    {
        "look-around assertions are not supported by vigie's regex engine"
    } else if regex_has_backreference(pattern) {
        "back-references are not supported by vigie's regex engine"
    } else if err.contains("too big") || err.contains("size limit") {
        "the compiled regex exceeds the size limit"
    } else {
        "the regex is not valid for vigie's regex engine"
    };
    let first = err
        .lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .unwrap_or("")
        .trim();
    if first.is_empty() {
        format!("{hint}; the rule is skipped")
    } else {
        format!("{hint} ({first}); the rule is skipped")
    }
}

fn regex_has_backreference(p: &str) -> bool {
    let b = p.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'\\' {
            if b[i + 1].is_ascii_digit() && b[i + 1] != b'0' {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

fn severity_of(s: &str) -> Option<Severity> {
    match s.to_ascii_lowercase().as_str() {
        "critical" => Some(Severity::Critical),
        "high" => Some(Severity::High),
        "medium" => Some(Severity::Medium),
        "low" => Some(Severity::Low),
        "info" => Some(Severity::Info),
        _ => None,
    }
}

fn control_of(s: &str) -> Option<Control> {
    match s {
        "SEC-01" => Some(Control::Content),
        "SEC-03" => Some(Control::ForbiddenFile),
        "SEC-04" => Some(Control::Image),
        _ => None,
    }
}

pub fn compile_allowlist(raw: &RawAllowlist) -> Result<Allowlist, String> {
    allowlist_with(raw, Load::Checked)
}

/// How a rule file's patterns are loaded: checked ([`Pattern::new`]), or as the built-in
/// rules' are ([`Pattern::builtin`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Load {
    Checked,
    Builtin,
}

impl Load {
    fn pattern(self, p: &str) -> Result<Pattern, String> {
        match self {
            Load::Checked => Pattern::new(p),
            Load::Builtin => Ok(Pattern::builtin(p)),
        }
    }
}

fn allowlist_with(raw: &RawAllowlist, load: Load) -> Result<Allowlist, String> {
    let and = match raw
        .condition
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("OR") | Some("") => false,
        Some("AND") => true,
        Some(other) => {
            return Err(format!(
                "allowlist condition `{other}` is neither OR nor AND"
            ));
        }
    };
    let target = match raw.regex_target.as_deref() {
        None | Some("secret") | Some("") => RegexTarget::Secret,
        Some("match") => RegexTarget::Match,
        Some("line") => RegexTarget::Line,
        Some(other) => {
            return Err(format!(
                "allowlist regexTarget `{other}` is none of secret, match, line"
            ));
        }
    };
    let paths = raw
        .paths
        .iter()
        .map(|p| {
            load.pattern(p)
                .map_err(|e| format!("allowlist path `{p}`: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let regexes = raw
        .regexes
        .iter()
        .map(|p| {
            load.pattern(p)
                .map_err(|e| format!("allowlist regex `{p}`: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Allowlist {
        and,
        paths,
        regexes,
        target,
        stopwords: raw
            .stopwords
            .iter()
            .map(|s| s.to_ascii_lowercase().into_bytes())
            .collect(),
        commits: raw.commits.clone(),
        target_rules: raw.target_rules.clone(),
    })
}

impl RuleSet {
    /// The built-in rules.
    pub fn builtin() -> RuleSet {
        let mut set = RuleSet::default();
        for (name, text) in BUILTIN {
            set.add_file_with(&format!("rules/{name}"), text, Load::Builtin);
        }
        set
    }

    /// The built-in rules loaded as a user's rule file is, every pattern checked.
    #[cfg(test)]
    fn builtin_checked() -> RuleSet {
        let mut set = RuleSet::default();
        for (name, text) in BUILTIN {
            set.add_file(&format!("rules/{name}"), text);
        }
        set
    }

    /// Parse one rule file and add its rules (a rule with an id already present replaces it, as a
    /// gitleaks configuration that extends the defaults does).
    pub fn add_file(&mut self, origin: &str, text: &str) -> Option<Extend> {
        self.add_file_with(origin, text, Load::Checked)
    }

    fn add_file_with(&mut self, origin: &str, text: &str, load: Load) -> Option<Extend> {
        let file: RuleFile = match toml::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                let line = e
                    .span()
                    .map(|s| text[..s.start.min(text.len())].matches('\n').count() as u32 + 1)
                    .unwrap_or(0);
                self.problems.push(RuleProblem {
                    origin: origin.to_string(),
                    rule: String::new(),
                    message: format!("not a valid rule file: {}", e.message()),
                    line,
                    fatal: true,
                });
                return None;
            }
        };
        for raw in &file.rules {
            match Self::compile_rule(origin, raw, load) {
                Ok(rule) => {
                    if let Some(old) = self.rules.iter_mut().find(|r| r.id == rule.id) {
                        self.problems.push(RuleProblem {
                            origin: origin.to_string(),
                            rule: rule.id.clone(),
                            message: format!(
                                "the id is already defined in {}; this definition replaces it",
                                old.origin
                            ),
                            line: 0,
                            fatal: false,
                        });
                        *old = rule;
                    } else {
                        self.rules.push(rule);
                    }
                }
                Err(message) => self.problems.push(RuleProblem {
                    origin: origin.to_string(),
                    rule: raw.id.clone(),
                    message,
                    line: 0,
                    fatal: false,
                }),
            }
        }
        for raw in file.allowlist.iter().chain(&file.allowlists) {
            match allowlist_with(raw, load) {
                Ok(a) => self.global.push(a),
                Err(message) => self.problems.push(RuleProblem {
                    origin: origin.to_string(),
                    rule: String::new(),
                    message: format!("global allowlist: {message}"),
                    line: 0,
                    fatal: false,
                }),
            }
        }
        file.extend
    }

    /// A gitleaks configuration: its rules alone, or added to the built-in ones with
    /// `[extend] useDefault = true` (minus `disabledRules`).
    pub fn from_gitleaks(origin: &str, text: &str) -> RuleSet {
        let mut own = RuleSet::default();
        let extend = own.add_file(origin, text);
        match extend {
            Some(e) if e.use_default => {
                let mut set = RuleSet::builtin();
                set.rules.retain(|r| !e.disabled_rules.contains(&r.id));
                for r in own.rules {
                    if let Some(old) = set.rules.iter_mut().find(|x| x.id == r.id) {
                        *old = r;
                    } else {
                        set.rules.push(r);
                    }
                }
                set.global.extend(own.global);
                set.problems.extend(own.problems);
                if let Some(p) = e.path {
                    set.problems.push(RuleProblem {
                        origin: origin.to_string(),
                        rule: String::new(),
                        message: format!(
                            "[extend] path = \"{p}\" is not followed; only useDefault is supported"
                        ),
                        line: 0,
                        fatal: false,
                    });
                }
                set
            }
            _ => {
                if own.rules.is_empty() && !own.problems.iter().any(|p| p.fatal) {
                    own.problems.push(RuleProblem {
                        origin: origin.to_string(),
                        rule: String::new(),
                        message:
                            "defines no rule vigie can use (and no `[extend] useDefault = true`): \
                                  no secret would be looked for"
                                .to_string(),
                        line: 0,
                        fatal: true,
                    });
                }
                own
            }
        }
    }

    fn compile_rule(origin: &str, raw: &RawRule, load: Load) -> Result<Rule, String> {
        if raw.id.trim().is_empty() {
            return Err("a rule has no id".into());
        }
        let regex = raw.regex.as_deref().map(|p| load.pattern(p)).transpose()?;
        let path = raw
            .path
            .as_deref()
            .map(|p| load.pattern(p).map_err(|e| format!("path `{p}`: {e}")))
            .transpose()?;
        if regex.is_none() && path.is_none() {
            return Err("the rule has neither `regex` nor `path`".into());
        }
        // (A built-in rule's group is checked by the test suite: counting groups needs the parse.)
        if let (Some(re), Some(g)) = (&regex, raw.secret_group)
            && load == Load::Checked
            && g >= re.captures_len()
        {
            return Err(format!(
                "secretGroup = {g} but the regex has only {} group(s)",
                re.captures_len() - 1
            ));
        }
        let severity = match raw.severity.as_deref() {
            None => Severity::High,
            Some(s) => severity_of(s).ok_or_else(|| format!("unknown severity `{s}`"))?,
        };
        let control = match raw.control.as_deref() {
            None => {
                if regex.is_none() {
                    Control::ForbiddenFile
                } else {
                    Control::Content
                }
            }
            Some(s) => control_of(s)
                .ok_or_else(|| format!("unknown control `{s}` (SEC-01, SEC-03 or SEC-04)"))?,
        };
        let mut allowlists = Vec::new();
        for a in raw.allowlists.iter().chain(&raw.allowlist) {
            allowlists.push(allowlist_with(a, load)?);
        }
        Ok(Rule {
            id: raw.id.clone(),
            description: raw.description.clone(),
            regex,
            secret_group: raw.secret_group,
            entropy: raw.entropy.filter(|e| *e > 0.0),
            keywords: raw
                .keywords
                .iter()
                .map(|k| k.to_ascii_lowercase())
                .collect(),
            path,
            severity,
            control,
            tags: raw.tags.clone(),
            generic: raw.generic,
            positive: raw.positive.clone(),
            negative: raw.negative.clone(),
            example_path: raw.example_path.clone(),
            allowlists,
            origin: origin.to_string(),
            literal: false,
        })
    }
}

/// What the engine may assume about where a rule's regex can match, relative to its keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Locality {
    /// Every match contains one of the rule's keywords (ASCII case-insensitively).
    pub keyword_in_match: bool,
    /// No match spans a line break.
    pub single_line: bool,
    /// The longest match, when bounded.
    pub max_len: Option<usize>,
    /// When known: every match holds a keyword occurrence starting at most this many bytes after
    /// the match's own start, so a match touching a keyword hit at `p` starts at or after
    /// `p - lead`.
    pub lead: Option<usize>,
    /// A punctuation byte every match contains (`@` in a URL with credentials): a window
    /// without it holds no match and is not searched.
    pub required_byte: Option<u8>,
}

impl Locality {
    /// Whether the window the engine derives from a keyword hit (the hit, `lead` bytes before
    /// it, the longest match after its start) holds every match through that hit, so that it
    /// needs no widening to whole lines.
    pub fn exact_windows(&self) -> bool {
        self.keyword_in_match && !self.single_line && self.lead.is_some() && self.max_len.is_some()
    }
}

/// Analyse `pattern` (compiled as [`compile`] does) against the rule's lower-case `keywords`.
/// Anything the analysis cannot prove is reported as not holding.
pub fn locality(pattern: &str, keywords: &[String]) -> Locality {
    let Ok(hir) = parse(pattern) else {
        return Locality::default();
    };
    let keywords: Vec<&[u8]> = keywords
        .iter()
        .map(|k| k.as_bytes())
        .filter(|k| !k.is_empty())
        .collect();
    Locality {
        keyword_in_match: !keywords.is_empty() && requires_keyword(&hir, &keywords),
        single_line: !can_match_newline(&hir),
        max_len: hir.properties().maximum_len(),
        lead: if keywords.is_empty() {
            None
        } else {
            lead(&hir, &keywords)
        },
        required_byte: required_byte(&hir),
    }
}

/// The rarest-looking punctuation byte every match of `h` contains, if any. Letters, digits and
/// white space are never chosen: nearly every window holds them.
fn required_byte(h: &regex_syntax::hir::Hir) -> Option<u8> {
    fn required(h: &regex_syntax::hir::Hir) -> Vec<u8> {
        use regex_syntax::hir::{Class, HirKind};
        let mut set = match h.kind() {
            HirKind::Literal(l) => l.0.to_vec(),
            HirKind::Class(Class::Bytes(c)) => match c.ranges() {
                [r] if r.start() == r.end() => vec![r.start()],
                _ => Vec::new(),
            },
            HirKind::Class(Class::Unicode(c)) => match c.ranges() {
                [r] if r.start() == r.end() && r.start().is_ascii() => vec![r.start() as u8],
                _ => Vec::new(),
            },
            HirKind::Empty | HirKind::Look(_) => Vec::new(),
            HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
            HirKind::Repetition(_) => Vec::new(),
            HirKind::Capture(c) => required(&c.sub),
            HirKind::Concat(v) => v.iter().flat_map(required).collect(),
            HirKind::Alternation(v) => {
                let mut sets = v.iter().map(required);
                let first = sets.next().unwrap_or_default();
                sets.fold(first, |acc, s| {
                    acc.into_iter().filter(|b| s.contains(b)).collect()
                })
            }
        };
        set.sort_unstable();
        set.dedup();
        set
    }
    // Common in code and configuration, so a weaker filter than the rest of the punctuation.
    let common = |b: u8| b":/,._-=\"'()".contains(&b) as u8;
    required(h)
        .into_iter()
        .filter(|b| b.is_ascii_punctuation())
        .min_by_key(|&b| common(b))
}

/// The bound [`Locality::lead`] describes, for `h`: `None` when it cannot be shown.
fn lead(h: &regex_syntax::hir::Hir, keywords: &[&[u8]]) -> Option<usize> {
    use regex_syntax::hir::HirKind;
    // The earliest keyword occurrence of each string of a small language, the latest of those.
    let of_language = |l: &[Vec<u8>]| -> Option<usize> {
        l.iter()
            .map(|s| {
                keywords
                    .iter()
                    .filter_map(|k| memchr::memmem::find(s, k))
                    .min()
            })
            .try_fold(0, |acc, x| x.map(|x| acc.max(x)))
    };
    if let Some(l) = language(h)
        && let Some(b) = of_language(&l)
    {
        return Some(b);
    }
    match h.kind() {
        HirKind::Capture(c) => lead(&c.sub, keywords),
        // The first repetition starts where the match starts.
        HirKind::Repetition(r) if r.min >= 1 => lead(&r.sub, keywords),
        HirKind::Alternation(v) => v
            .iter()
            .try_fold(0, |acc, x| lead(x, keywords).map(|b| acc.max(b))),
        HirKind::Concat(v) => {
            // The first part (or run of parts) that holds a keyword in every match, after the
            // longest text the parts before it can match.
            let mut before = 0usize;
            let langs: Vec<Option<Vec<Vec<u8>>>> = v.iter().map(language).collect();
            for (i, x) in v.iter().enumerate() {
                if let Some(b) = lead(x, keywords) {
                    return Some(before + b);
                }
                if let Some(first) = &langs[i] {
                    let mut cur = first.clone();
                    for l in &langs[i + 1..] {
                        let Some(l) = l else { break };
                        let Some(p) = product(&cur, l) else { break };
                        cur = p;
                        if let Some(b) = of_language(&cur) {
                            return Some(before + b);
                        }
                    }
                }
                before = before.checked_add(x.properties().maximum_len()?)?;
            }
            None
        }
        _ => None,
    }
}

/// What must follow a keyword hit for a match of a rule's regex to go through it, as a small
/// automaton the engine runs from the hit's end: far cheaper than a regex search, and most hits
/// of a common keyword (`pass`, `secret`, `token` in prose) fail it within a few bytes.
///
/// Every match of the regex holds, in one part of it, a keyword occurrence (the earliest in that
/// part's text) such that the text after the occurrence is the rest of that part, then the text
/// of the parts after it. `dfa` recognises that text, loosened where its automaton would grow
/// large and its look-around relaxed (see [`loosened`]): when it matches nothing anchored at a
/// hit's end, no match holds the hit as that occurrence.
pub struct Follow {
    pub dfa: regex_automata::dfa::dense::DFA<Vec<u32>>,
    /// Every match starts at most this many bytes before that occurrence, when bounded.
    pub lead: Option<usize>,
}

impl Follow {
    /// Whether the automaton matches some prefix of `data[at..]` (a handful of table lookups
    /// when the text there cannot follow a keyword of the rule).
    pub fn matches_at(&self, data: &[u8], at: usize) -> bool {
        use regex_automata::dfa::Automaton;
        use regex_automata::{Anchored, Input};
        let dfa = &self.dfa;
        let mut s = match dfa.universal_start_state(Anchored::Yes) {
            Some(s) => s,
            None => match dfa
                .start_state_forward(&Input::new(data).range(at..).anchored(Anchored::Yes))
            {
                Ok(s) => s,
                Err(_) => return true,
            },
        };
        let end = data.len().min(at.saturating_add(FOLLOW_WALK_LIMIT));
        for &b in &data[at..end] {
            s = dfa.next_state(s, b);
            if dfa.is_special_state(s) {
                if dfa.is_match_state(s) {
                    return true;
                }
                if dfa.is_dead_state(s) {
                    return false;
                }
                if dfa.is_quit_state(s) {
                    return true;
                }
            }
        }
        // Walked as far as it may go: not ruled out.
        end < data.len() || dfa.is_match_state(dfa.next_eoi_state(s))
    }
}

/// Bytes a [`Follow`] reads from a hit at most (a long run of white space or of value bytes
/// after a keyword repeated many times would otherwise be read once per hit).
const FOLLOW_WALK_LIMIT: usize = 512;

/// Size bound of a [`Follow`] automaton: above it the rule has none (its hits are searched as
/// before), and building it stops early.
const FOLLOW_DFA_LIMIT: usize = 256 << 10;

/// The [`Follow`] of `pattern` (compiled as [`compile`] does) for the rule's lower-case
/// `keywords`, when one can be shown and built.
pub fn follow(pattern: &str, keywords: &[String]) -> Option<Follow> {
    use regex_automata::dfa::{StartKind, dense};
    use regex_automata::nfa::thompson;
    let hir = parse(pattern).ok()?;
    let keywords: Vec<&[u8]> = keywords
        .iter()
        .map(|k| k.as_bytes())
        .filter(|k| !k.is_empty())
        .collect();
    if keywords.is_empty() {
        return None;
    }
    let (rest, lead) = follow_hir(&hir, &keywords)?;
    let rest = loosened(&rest);
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .utf8(false)
                .nfa_size_limit(Some(FOLLOW_DFA_LIMIT)),
        )
        .build_from_hir(&rest)
        .ok()?;
    let dfa = dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .match_kind(regex_automata::MatchKind::All)
                .accelerate(false)
                .minimize(false)
                .dfa_size_limit(Some(FOLLOW_DFA_LIMIT))
                .determinize_size_limit(Some(FOLLOW_DFA_LIMIT)),
        )
        .build_from_nfa(&nfa)
        .ok()?;
    Some(Follow { dfa, lead })
}

/// The text after a keyword occurrence in every match of `h` (see [`Follow`]) and how far
/// before the occurrence a match starts: `None` when it cannot be shown.
fn follow_hir(
    h: &regex_syntax::hir::Hir,
    keywords: &[&[u8]],
) -> Option<(regex_syntax::hir::Hir, Option<usize>)> {
    use regex_syntax::hir::{Hir, HirKind};
    if let Some(l) = language(h)
        && let Some((rest, lead)) = after_keywords(&l, keywords)
    {
        return Some((rest, Some(lead)));
    }
    match h.kind() {
        HirKind::Capture(c) => follow_hir(&c.sub, keywords),
        HirKind::Concat(v) => {
            let langs: Vec<Option<Vec<Vec<u8>>>> = v.iter().map(language).collect();
            let mut before = Some(0usize);
            for (i, x) in v.iter().enumerate() {
                // This part, or a run of parts from it (a keyword written one class per letter).
                let found = follow_hir(x, keywords).map(|f| (f, i)).or_else(|| {
                    let mut cur = langs[i].clone()?;
                    for (j, l) in langs.iter().enumerate().skip(i + 1) {
                        cur = product(&cur, l.as_ref()?)?;
                        if let Some((rest, lead)) = after_keywords(&cur, keywords) {
                            return Some(((rest, Some(lead)), j));
                        }
                    }
                    None
                });
                if let Some(((rest, lead), last)) = found {
                    let mut parts = vec![rest];
                    parts.extend(v[last + 1..].iter().cloned());
                    let lead = before.zip(lead).and_then(|(b, l)| b.checked_add(l));
                    return Some((Hir::concat(parts), lead));
                }
                before = before
                    .zip(x.properties().maximum_len())
                    .and_then(|(b, l)| b.checked_add(l));
            }
            None
        }
        HirKind::Alternation(v) => {
            let mut rests = Vec::with_capacity(v.len());
            let mut lead = Some(0usize);
            for x in v {
                let (rest, l) = follow_hir(x, keywords)?;
                rests.push(rest);
                lead = lead.zip(l).map(|(a, b)| a.max(b));
            }
            Some((Hir::alternation(rests), lead))
        }
        _ => None,
    }
}

/// When every string of the small language `l` holds a keyword: what follows the earliest
/// keyword occurrence of each (its rest of the string, matched ASCII case-insensitively) and
/// the latest start of that occurrence.
fn after_keywords(l: &[Vec<u8>], keywords: &[&[u8]]) -> Option<(regex_syntax::hir::Hir, usize)> {
    let mut tails: Vec<&[u8]> = Vec::new();
    let mut lead = 0;
    for s in l {
        let first = keywords
            .iter()
            .filter_map(|k| memchr::memmem::find(s, k))
            .min()?;
        lead = lead.max(first);
        for k in keywords.iter().filter(|k| s[first..].starts_with(k)) {
            tails.push(&s[first + k.len()..]);
        }
    }
    tails.sort_unstable();
    tails.dedup();
    let rest = regex_syntax::hir::Hir::alternation(tails.into_iter().map(caseless).collect());
    Some((rest, lead))
}

/// `s` (lower case) matched ASCII case-insensitively.
fn caseless(s: &[u8]) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir};
    Hir::concat(
        s.iter()
            .map(|&b| {
                if b.is_ascii_alphabetic() {
                    let (l, u) = (b.to_ascii_lowercase(), b.to_ascii_uppercase());
                    Hir::class(Class::Bytes(ClassBytes::new([
                        ClassBytesRange::new(l, l),
                        ClassBytesRange::new(u, u),
                    ])))
                } else {
                    Hir::literal([b])
                }
            })
            .collect(),
    )
}

/// Counted repetitions above this become loops in a [`Follow`]: each count is a state of its
/// automaton, and two of them in sequence multiply.
const FOLLOW_REPEAT_LIMIT: u32 = 32;

/// A regex matching every match of `h` and cheap to determinise: captures dropped, counted
/// repetitions above [`FOLLOW_REPEAT_LIMIT`] made loops of at most that minimum count, and the
/// look-around made to hold wherever it held over the whole content or over a window of whole
/// lines: the ends of the text become the ends of a line, the CRLF-aware forms (which read a
/// window's edge differently from a line break) hold everywhere.
fn loosened(h: &regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{Hir, HirKind, Look, Repetition};
    match h.kind() {
        HirKind::Look(Look::Start) => Hir::look(Look::StartLF),
        HirKind::Look(Look::End) => Hir::look(Look::EndLF),
        HirKind::Look(Look::StartCRLF | Look::EndCRLF) => Hir::empty(),
        HirKind::Capture(c) => loosened(&c.sub),
        HirKind::Repetition(r) => {
            // A large count becomes a loop: one state instead of one per count.
            let large = r.max.is_some_and(|m| m > FOLLOW_REPEAT_LIMIT);
            let (min, max) = if large {
                (r.min.min(FOLLOW_REPEAT_LIMIT), None)
            } else {
                (r.min, r.max)
            };
            Hir::repetition(Repetition {
                min,
                max,
                greedy: r.greedy,
                sub: Box::new(loosened(&r.sub)),
            })
        }
        HirKind::Concat(v) => Hir::concat(v.iter().map(loosened).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.iter().map(loosened).collect()),
        _ => h.clone(),
    }
}

fn can_match_newline(h: &regex_syntax::hir::Hir) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(l) => l.0.contains(&b'\n'),
        HirKind::Class(Class::Bytes(c)) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= b'\n' && b'\n' <= r.end()),
        HirKind::Class(Class::Unicode(c)) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= '\n' && '\n' <= r.end()),
        HirKind::Repetition(r) => can_match_newline(&r.sub),
        HirKind::Capture(c) => can_match_newline(&c.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(can_match_newline),
    }
}

/// Bounds on the finite languages [`language`] enumerates.
const LANGUAGE_LIMIT: usize = 512;
const LANGUAGE_CLASS_LIMIT: usize = 8;

/// The strings `h` matches, ASCII lower-cased, when they are few; `None` otherwise. Zero-width
/// assertions match the empty string (they only narrow where the rest matches).
fn language(h: &regex_syntax::hir::Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::{Class, HirKind};
    let set = match h.kind() {
        HirKind::Empty | HirKind::Look(_) => vec![Vec::new()],
        HirKind::Literal(l) => vec![l.0.to_ascii_lowercase()],
        HirKind::Class(c) => {
            let mut bytes: Vec<u8> = Vec::new();
            let ranges: Vec<(u32, u32)> = match c {
                Class::Bytes(c) => c
                    .ranges()
                    .iter()
                    .map(|r| (r.start() as u32, r.end() as u32))
                    .collect(),
                Class::Unicode(c) => c
                    .ranges()
                    .iter()
                    .map(|r| (r.start() as u32, r.end() as u32))
                    .collect(),
            };
            for (a, b) in ranges {
                if b > 0x7f || b - a >= LANGUAGE_CLASS_LIMIT as u32 * 2 {
                    return None;
                }
                bytes.extend((a..=b).map(|x| (x as u8).to_ascii_lowercase()));
            }
            bytes.sort_unstable();
            bytes.dedup();
            if bytes.is_empty() || bytes.len() > LANGUAGE_CLASS_LIMIT {
                return None;
            }
            bytes.into_iter().map(|b| vec![b]).collect()
        }
        HirKind::Capture(c) => language(&c.sub)?,
        HirKind::Repetition(r) => {
            let max = r.max?;
            if max > 4 {
                return None;
            }
            let sub = language(&r.sub)?;
            let mut all = Vec::new();
            let mut cur = vec![Vec::new()];
            for n in 0..=max {
                if n >= r.min {
                    all.extend(cur.iter().cloned());
                }
                cur = product(&cur, &sub)?;
            }
            all
        }
        HirKind::Concat(v) => {
            let mut cur = vec![Vec::new()];
            for x in v {
                cur = product(&cur, &language(x)?)?;
            }
            cur
        }
        HirKind::Alternation(v) => {
            let mut all = Vec::new();
            for x in v {
                all.extend(language(x)?);
                if all.len() > LANGUAGE_LIMIT {
                    return None;
                }
            }
            all
        }
    };
    (set.len() <= LANGUAGE_LIMIT).then_some(set)
}

fn product(a: &[Vec<u8>], b: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    if a.len() * b.len() > LANGUAGE_LIMIT {
        return None;
    }
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            let mut s = x.clone();
            s.extend_from_slice(y);
            out.push(s);
        }
    }
    Some(out)
}

fn contains_keyword(s: &[u8], keywords: &[&[u8]]) -> bool {
    keywords
        .iter()
        .any(|k| memchr::memmem::find(s, k).is_some())
}

/// Whether every match of `h` contains one of `keywords`: some part every match goes through
/// (a run of consecutive parts of a concatenation, a repeated part, every branch of an
/// alternation) has a small finite language whose every string contains a keyword.
fn requires_keyword(h: &regex_syntax::hir::Hir, keywords: &[&[u8]]) -> bool {
    use regex_syntax::hir::HirKind;
    if language(h).is_some_and(|l| l.iter().all(|s| contains_keyword(s, keywords))) {
        return true;
    }
    match h.kind() {
        HirKind::Capture(c) => requires_keyword(&c.sub, keywords),
        HirKind::Repetition(r) => r.min >= 1 && requires_keyword(&r.sub, keywords),
        HirKind::Alternation(v) => v.iter().all(|x| requires_keyword(x, keywords)),
        HirKind::Concat(v) => {
            if v.iter().any(|x| requires_keyword(x, keywords)) {
                return true;
            }
            let langs: Vec<Option<Vec<Vec<u8>>>> = v.iter().map(language).collect();
            for i in 0..langs.len() {
                let Some(first) = &langs[i] else { continue };
                let mut cur = first.clone();
                for l in &langs[i + 1..] {
                    let Some(l) = l else { break };
                    match product(&cur, l) {
                        Some(p) => cur = p,
                        None => break,
                    }
                    if cur.iter().all(|s| contains_keyword(s, keywords)) {
                        return true;
                    }
                }
            }
            false
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_regex_is_reported_per_rule_and_others_load() {
        let set = RuleSet::from_gitleaks(
            "gitleaks.toml",
            r#"
[[rules]]
id = "lookahead"
regex = '''secret(?=[0-9])'''
[[rules]]
id = "backref"
regex = '''(['"])abc\1'''
[[rules]]
id = "fine"
regex = '''fine_[a-z]{4}'''
"#,
        );
        assert_eq!(set.rules.len(), 1);
        assert_eq!(set.rules[0].id, "fine");
        assert_eq!(set.problems.len(), 2);
        assert!(
            set.problems[0].message.contains("look-around"),
            "{}",
            set.problems[0]
        );
        assert!(
            set.problems[1].message.contains("back-references"),
            "{}",
            set.problems[1]
        );
        assert!(set.problems[0].to_string().contains("rule `lookahead`"));
    }

    #[test]
    fn a_pattern_fails_at_load_exactly_when_compiling_it_fails() {
        for p in [
            r"fine_[a-z]{4}",
            r"secret(?=[0-9])",
            r#"(['"])abc\1"#,
            r"unclosed(",
            r"[z-a]",
            r"(?:\w{1000}){1000}",
            r"(?:[a-z]{200}){200}",
            r"(?:a|b|c){50000}",
            r"\xFF\x00",
            NEVER,
        ] {
            let lazy = Pattern::new(p);
            let eager = compile(p);
            assert_eq!(lazy.is_ok(), eager.is_ok(), "{p}: {lazy:?} / {eager:?}");
            if let (Err(a), Err(b)) = (&lazy, &eager) {
                assert_eq!(a, b, "{p}");
            }
            if let (Ok(l), Ok(e)) = (&lazy, &eager) {
                assert_eq!(l.captures_len(), e.captures_len(), "{p}");
            }
        }
        assert!(!compile(NEVER).unwrap().is_match(b"\x00\xFFabc"));
    }

    #[test]
    fn loading_rules_compiles_no_regex() {
        let set = RuleSet::builtin();
        let compiled = set
            .rules
            .iter()
            .flat_map(|r| r.regex.iter().chain(&r.path))
            .filter(|p| p.is_compiled())
            .count();
        assert_eq!(compiled, 0);
        // First use compiles it.
        let r = set.rules.iter().find(|r| r.regex.is_some()).unwrap();
        let re = r.regex.as_ref().unwrap();
        let _ = re.is_match(b"x");
        assert!(re.is_compiled());
    }

    #[test]
    fn extend_use_default_keeps_builtin_rules() {
        let set = RuleSet::from_gitleaks(
            "gitleaks.toml",
            "[extend]\nuseDefault = true\n[[rules]]\nid = \"mine\"\nregex = 'mine_[0-9]{8}'\n",
        );
        assert!(set.rules.iter().any(|r| r.id == "mine"));
        assert!(set.problems.is_empty(), "{:?}", set.problems);
        assert!(set.rules.len() > 1);
        let alone = RuleSet::from_gitleaks(
            "gitleaks.toml",
            "[[rules]]\nid = \"mine\"\nregex = 'mine_[0-9]{8}'\n",
        );
        assert_eq!(alone.rules.len(), 1);
    }

    /// The built-in rules load at start-up without their patterns being checked; checked here as
    /// a user's rule file is, they load without a problem and to the same rules.
    #[test]
    fn builtin_rules_pass_the_load_check() {
        let checked = RuleSet::builtin_checked();
        assert!(checked.problems.is_empty(), "{:?}", checked.problems);
        let fast = RuleSet::builtin();
        assert!(fast.problems.is_empty(), "{:?}", fast.problems);
        assert_eq!(format!("{:?}", checked.rules), format!("{:?}", fast.rules));
        assert_eq!(
            format!("{:?}", checked.global),
            format!("{:?}", fast.global)
        );
        let patterns = |s: &RuleSet| -> Vec<(String, usize)> {
            s.rules
                .iter()
                .flat_map(|r| {
                    r.regex.iter().chain(&r.path).chain(
                        r.allowlists
                            .iter()
                            .flat_map(|a| a.paths.iter().chain(&a.regexes)),
                    )
                })
                .chain(
                    s.global
                        .iter()
                        .flat_map(|a| a.paths.iter().chain(&a.regexes)),
                )
                .map(|p| (p.as_str().to_string(), p.captures_len()))
                .collect()
        };
        let (a, b) = (patterns(&checked), patterns(&fast));
        assert!(a.len() > 300, "{}", a.len());
        // Same groups counted from the compiled regex as from the parse.
        assert_eq!(a, b);
    }

    #[test]
    fn builtin_rules_load_without_problems() {
        let set = RuleSet::builtin();
        assert!(set.problems.is_empty(), "{:?}", set.problems);
        let mut ids: Vec<_> = set.rules.iter().map(|r| r.id.as_str()).collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(n, ids.len(), "rule ids are unique");
    }

    #[test]
    fn allowlist_and_condition_needs_every_criterion() {
        let a = compile_allowlist(&RawAllowlist {
            condition: Some("AND".into()),
            paths: vec![r"test".into()],
            stopwords: vec!["fake".into()],
            ..RawAllowlist::default()
        })
        .unwrap();
        let c = |path, secret| Candidate {
            path,
            commit: None,
            secret,
            matched: secret,
            line: secret,
        };
        assert!(a.allows(&c("src/test/a.rs", b"FAKEsecret")));
        assert!(!a.allows(&c("src/main.rs", b"FAKEsecret")));
        assert!(!a.allows(&c("src/test/a.rs", b"realsecret")));
    }

    #[test]
    fn locality_of_regexes() {
        let kw = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let l = locality(r"\b((?:AKIA|ASIA)[A-Z2-7]{16})\b", &kw(&["akia", "asia"]));
        assert!(l.keyword_in_match && l.single_line);
        // Case-insensitive alternation behind a prefix of any length, anchored on lines.
        let l = locality(
            r"(?m)^[ \t]*(?i:[A-Za-z0-9_.-]{0,40}(?:password|passwd|[_.-]pass|\bpass|pwd))[ \t]*=[ \t]*([^\s]{8,})$",
            &kw(&["pass", "pwd"]),
        );
        assert!(l.keyword_in_match && l.single_line);
        // `\s` spans lines.
        assert!(!locality(r"(?i)secret\s*=\s*(\S+)", &kw(&["secret"])).single_line);
        // A keyword the regex does not need: not assumed.
        assert!(!locality(r"[0-9a-f]{32}", &kw(&["mytoken"])).keyword_in_match);
        assert!(
            !locality(r"(?:token|[0-9a-f]{4})=([0-9a-f]{32})", &kw(&["token"])).keyword_in_match
        );
        // Optional keyword: not required.
        assert!(!locality(r"(?:token)?=([0-9a-f]{32})", &kw(&["token"])).keyword_in_match);
        // A PEM block spans lines.
        let l = locality(
            r"-----BEGIN[ A-Z]*PRIVATE KEY-----[\s\S]*?-----END",
            &kw(&["-----begin"]),
        );
        assert!(l.keyword_in_match && !l.single_line);
        assert_eq!(l.lead, Some(0));
    }

    #[test]
    fn lead_bounds_how_far_a_match_starts_before_its_keyword() {
        let kw = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let lead = |re: &str, k: &[&str]| locality(re, &kw(k)).lead;
        // The keyword opens every match, or comes after "client_" at most.
        assert_eq!(
            lead(r"(?i:(?:secret|client_?secret))\s*=\s*(\S+)", &["secret"]),
            Some(7)
        );
        // After parts of bounded length: their longest length is added.
        assert_eq!(
            lead(r#"key\s{0,2}=\s{0,2}"(?i:token)""#, &["token"]),
            Some(9)
        );
        // A keyword spread over parts of a concatenation.
        assert_eq!(lead(r"x?(?i:t)(?i:oken)=", &["token"]), Some(1));
        // Behind an unbounded part, or optional: no bound.
        assert_eq!(lead(r"[a-z]*token=", &["token"]), None);
        assert_eq!(lead(r"(?:token)?=([0-9a-f]{32})", &["token"]), None);
        // An alternation bounds by its worst branch, and every branch must hold a keyword.
        assert_eq!(lead(r"(?:ab(?:token)|(?:token))", &["token"]), Some(2));
        assert_eq!(lead(r"(?:ab(?:token)|[0-9]+)", &["token"]), None);
    }

    #[test]
    fn follow_reads_what_a_match_needs_after_its_keyword() {
        let kw = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Whether the rule's `Follow` accepts the text after the first hit of `keyword`.
        let after = |re: &str, k: &[&str], keyword: &str, text: &str| {
            let f = follow(re, &kw(k)).expect("a follow");
            let at = text.to_ascii_lowercase().find(keyword).unwrap() + keyword.len();
            f.matches_at(text.as_bytes(), at)
        };
        let quoted =
            r#"(?i:(?:password|passwd|[_.-]pass|\bpass|pwd))["']?\s{0,4}[:=]\s{0,4}"([^"]{8,})""#;
        let k = &["pass", "pwd"];
        assert!(after(quoted, k, "pass", r#"password = "Zt4qRm81pLw3""#));
        assert!(after(quoted, k, "pass", r#"DB_PASSWD: "Zt4qRm81pLw3""#));
        assert!(after(quoted, k, "pwd", r#"pwd="Zt4qRm81pLw3""#));
        // Prose, a call, a short value: nothing can follow.
        assert!(!after(quoted, k, "pass", "the password of the user"));
        assert!(!after(quoted, k, "pass", "passport = \"Zt4qRm81pLw3\""));
        assert!(!after(quoted, k, "pass", r#"password = "short""#));
        assert_eq!(follow(quoted, &kw(k)).unwrap().lead, Some(1));
        // Behind a part of unbounded length: the bound is unknown, the follow still holds.
        let f = follow(r"[a-z]*token=(\w+)", &kw(&["token"])).unwrap();
        assert_eq!(f.lead, None);
        assert!(after(
            r"[a-z]*token=(\w+)",
            &["token"],
            "token",
            "mytoken=abc"
        ));
        assert!(!after(
            r"[a-z]*token=(\w+)",
            &["token"],
            "token",
            "mytoken abc"
        ));
        // A line end is kept; the end of the text reads as the end of a line, since a window of
        // whole lines is searched as a text of its own.
        let line = r"(?m)^[ \t]*(?i:[a-z_]{0,40}token)[ \t]*=[ \t]*(\S{8,})$";
        assert!(after(
            line,
            &["token"],
            "token",
            "api_token = abcdefghij\nx"
        ));
        assert!(!after(
            line,
            &["token"],
            "token",
            "api_token = abcdefghij more\n"
        ));
        assert!(after(
            r"token=(\w+)$",
            &["token"],
            "token",
            "token=abc\nnext"
        ));
        // A keyword the regex does not need in every match: no follow.
        assert!(follow(r"(?:token)?=([0-9a-f]{32})", &kw(&["token"])).is_none());
        // A long count read as a loop still needs what comes after it.
        let url = r"\b(?:https?|git)://[^:/\s@]{1,64}:([^@\s/]{6,128})@[a-z]+";
        assert!(after(url, &["://"], "://", "https://user:pa55word@host"));
        assert!(!after(
            url,
            &["://"],
            "://",
            "https://registry.example/pkg/-/x.tgz"
        ));
        assert!(follow(r"(?:token|[0-9a-f]{4})=([0-9a-f]{32})", &kw(&["token"])).is_none());
        // Every branch of an alternation, each with its own follow.
        let alt = r"(?:token: ([a-z]{8})|(?:secret)=([0-9]{8}))";
        let k = &["token", "secret"];
        assert!(after(alt, k, "token", "token: abcdefgh"));
        assert!(after(alt, k, "secret", "secret=12345678"));
        assert!(!after(alt, k, "secret", "secret: 12345678"));
    }

    #[test]
    fn the_generic_rules_have_small_follows() {
        let set = RuleSet::builtin();
        let mut checked = 0;
        for r in set.rules.iter().filter(|r| r.id.ends_with("quoted")) {
            let f = follow(r.regex.as_ref().unwrap().as_str(), &r.keywords);
            let size = f.expect(&r.id).dfa.memory_usage();
            // Counted repetitions of the value cut: a few hundred states at most.
            assert!(size < 64 << 10, "{}: {size} bytes", r.id);
            checked += 1;
        }
        assert!(checked >= 8, "{checked}");
    }

    #[test]
    fn required_byte_is_punctuation_every_match_holds() {
        let req = |re: &str| locality(re, &[]).required_byte;
        assert_eq!(req(r"https?://[^:@]+:([^@]+)@[a-z.]+"), Some(b'@'));
        // In every branch of an alternation, or none.
        assert_eq!(req(r"(?:a=|b=)x"), Some(b'='));
        assert_eq!(req(r"(?:a=|b:)x"), None);
        // Optional parts and letters do not count.
        assert_eq!(req(r"(?:@)?secret"), None);
        assert_eq!(req(r"x+(?:@){1,3}"), Some(b'@'));
    }
}
