//! vigie's secrets engine: the working tree, the staged changes and every blob of the git history,
//! scanned with a keyword prefilter and rules in gitleaks' format.
//!
//! - [`rules`]: rule files (built-in `rules/*.toml`, gitleaks configurations) and their compilation;
//! - [`engine`]: the aho-corasick prefilter, regex windows, entropy, allowlists, inline markers;
//! - [`gate`]: the randomness/placeholder gate of generic rules;
//! - [`docker`]: secrets baked into images (SEC-04);
//! - [`findings`]: grouping by secret, fingerprints, redaction, baselines, `.gitleaksignore`;
//! - [`history`]: the object database through gix, each blob once;
//! - [`output`]: text, JSON, SARIF and JUnit.

pub mod analyzer;
mod checks;
pub mod config;
mod delta;
pub mod docker;
pub mod engine;
pub mod findings;
pub mod gate;
pub mod history;
mod keywords;
pub mod output;
pub mod rules;

pub use analyzer::ANALYZER;
use engine::Engine;
use findings::{Finding, GitleaksIgnore, Grouper, SecretLocation};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use vigie_core::DiagKind;

/// Something the scan has to say about its input (a skipped file, a missing object, a rule that
/// could not be compiled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub kind: DiagKind,
    pub path: String,
    pub line: u32,
    pub message: String,
    /// The scan could not do what it was asked (a rules file it cannot read, objects of the
    /// history it cannot decode): its verdict cannot be trusted, so the run fails closed — `vigie
    /// secrets` exits 2 and `vigie scan` does not let the secret controls pass.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub blocking: bool,
}

impl Note {
    pub fn new(kind: DiagKind, path: impl Into<String>, message: impl Into<String>) -> Note {
        Note {
            kind,
            path: path.into(),
            line: 0,
            message: message.into(),
            blocking: false,
        }
    }

    /// A note that closes the gate (see [`Note::blocking`]).
    pub fn blocking(kind: DiagKind, path: impl Into<String>, message: impl Into<String>) -> Note {
        Note {
            blocking: true,
            ..Note::new(kind, path, message)
        }
    }

    pub fn at_line(mut self, line: u32) -> Note {
        self.line = line;
        self
    }
}

/// What was scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    WorkingTree,
    Staged,
    History,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct Stats {
    /// Files (working tree, index) or distinct blobs (history) read.
    pub scanned: u64,
    pub bytes: u64,
    pub skipped_binary: u64,
    pub skipped_large: u64,
    /// History: commits walked.
    pub commits: u64,
    pub rules: usize,
    pub inline_allowed: u64,
    pub allowlisted: u64,
    pub baselined: u64,
    pub ignored: u64,
    #[serde(skip)]
    pub elapsed: Duration,
}

/// The result of a scan.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub scope: Scope,
    pub findings: Vec<Finding>,
    pub notes: Vec<Note>,
    pub stats: Stats,
}

impl Outcome {
    /// The first note that makes the scan's verdict untrustworthy, if any.
    pub fn blocking_note(&self) -> Option<&Note> {
        self.notes.iter().find(|n| n.blocking)
    }

    /// Drop the findings a baseline or `.gitleaksignore` accepts, counting them.
    pub fn suppress(
        &mut self,
        baseline: Option<&HashSet<String>>,
        ignore: Option<&GitleaksIgnore>,
    ) {
        let mut kept = Vec::with_capacity(self.findings.len());
        for mut f in std::mem::take(&mut self.findings) {
            if baseline.is_some_and(|b| f.baselined(b)) {
                self.stats.baselined += 1;
                continue;
            }
            if let Some(g) = ignore
                && g.apply(&mut f)
            {
                self.stats.ignored += 1;
                continue;
            }
            kept.push(f);
        }
        self.findings = kept;
    }
}

impl Outcome {
    /// Drop the locations in vigie's own bookkeeping files under `root` (the baseline read or
    /// written, `.gitleaksignore`): they list findings, redacted, and are not secrets themselves.
    pub fn exclude_own_files(&mut self, root: &Path, files: &[PathBuf]) {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let own: Vec<String> = files
            .iter()
            .filter_map(|f| {
                let abs = if f.is_absolute() {
                    f.clone()
                } else {
                    std::env::current_dir().ok()?.join(f)
                };
                // The file may not exist yet (--write-baseline): resolve its folder.
                let abs = match (abs.parent(), abs.file_name()) {
                    (Some(d), Some(n)) => d.canonicalize().ok()?.join(n),
                    _ => abs,
                };
                abs.strip_prefix(&root)
                    .ok()
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
            })
            .collect();
        if own.is_empty() {
            return;
        }
        self.findings.retain_mut(|f| {
            f.locations.retain(|l| !own.contains(&l.path));
            !f.locations.is_empty()
        });
    }
}

/// Tallies shared by the parallel workers.
#[derive(Default)]
pub(crate) struct Tally {
    pub scanned: std::sync::atomic::AtomicU64,
    pub bytes: std::sync::atomic::AtomicU64,
    pub binary: std::sync::atomic::AtomicU64,
    pub large: std::sync::atomic::AtomicU64,
    pub inline: std::sync::atomic::AtomicU64,
    pub allowlisted: std::sync::atomic::AtomicU64,
}

impl Tally {
    pub fn into_stats(self, rules: usize) -> Stats {
        Stats {
            scanned: self.scanned.into_inner(),
            bytes: self.bytes.into_inner(),
            skipped_binary: self.binary.into_inner(),
            skipped_large: self.large.into_inner(),
            inline_allowed: self.inline.into_inner(),
            allowlisted: self.allowlisted.into_inner(),
            rules,
            ..Stats::default()
        }
    }

    pub fn count(&self, scan: &engine::FileScan, len: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        self.scanned.fetch_add(1, Relaxed);
        self.bytes.fetch_add(len as u64, Relaxed);
        if scan.binary {
            self.binary.fetch_add(1, Relaxed);
        }
        self.inline.fetch_add(scan.inline_allowed as u64, Relaxed);
        self.allowlisted.fetch_add(scan.allowlisted as u64, Relaxed);
    }
}

/// A file of the working tree: its path relative to the root, and where to read it.
#[derive(Debug, Clone)]
pub struct TreeFile {
    pub rel: String,
    pub abs: PathBuf,
    pub size: u64,
}

/// List the files under `root` (dot files included, `.git` excluded), honouring `.gitignore`
/// unless `no_gitignore`.
pub fn list_files(root: &Path, no_gitignore: bool) -> (Vec<TreeFile>, Vec<Note>) {
    let mut files = Vec::new();
    let mut notes = Vec::new();
    if root.is_file() {
        let rel = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let size = root.metadata().map(|m| m.len()).unwrap_or(0);
        files.push(TreeFile {
            rel,
            abs: root.to_path_buf(),
            size,
        });
        return (files, notes);
    }
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(!no_gitignore)
        .git_exclude(!no_gitignore)
        .git_global(false)
        .ignore(!no_gitignore)
        .parents(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    for entry in walker {
        match entry {
            Ok(e) => {
                if e.file_type().is_some_and(|t| t.is_file()) {
                    let rel = e
                        .path()
                        .strip_prefix(root)
                        .unwrap_or(e.path())
                        .to_string_lossy()
                        .replace('\\', "/");
                    let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                    files.push(TreeFile {
                        rel,
                        abs: e.path().to_path_buf(),
                        size,
                    });
                }
            }
            Err(err) => notes.push(Note::new(
                DiagKind::Io,
                root.display().to_string(),
                err.to_string(),
            )),
        }
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    (files, notes)
}

/// Scan working-tree files in parallel.
pub fn scan_files(engine: &Engine, files: &[TreeFile], max_size: u64) -> Outcome {
    let start = std::time::Instant::now();
    let tally = Tally::default();
    let notes = Mutex::new(Vec::new());
    let results: Vec<(usize, engine::FileScan)> = files
        .par_iter()
        .enumerate()
        .filter_map(|(i, f)| {
            if f.size > max_size {
                tally
                    .large
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                notes.lock().expect("not poisoned").push(Note::new(
                    DiagKind::TooLarge,
                    &f.rel,
                    format!(
                        "{} bytes, over the {} byte limit: only its name was checked",
                        f.size, max_size
                    ),
                ));
                let s = engine.scan(&f.rel, &[0], None);
                return (!s.matches.is_empty()).then_some((i, s));
            }
            match std::fs::read(&f.abs) {
                Ok(data) => {
                    let s = engine.scan(&f.rel, &data, None);
                    tally.count(&s, data.len());
                    (!s.matches.is_empty()).then_some((i, s))
                }
                Err(e) => {
                    notes.lock().expect("not poisoned").push(Note::new(
                        DiagKind::Io,
                        &f.rel,
                        format!("cannot be read: {e}"),
                    ));
                    None
                }
            }
        })
        .collect();
    let mut g = Grouper::default();
    for (i, s) in results {
        for m in s.matches {
            let also: Vec<&rules::Rule> = m.also.iter().map(|&r| &engine.rules[r]).collect();
            g.add_with(
                &engine.rules[m.rule],
                &also,
                &m.secret,
                &m.context,
                SecretLocation::in_file(files[i].rel.clone(), m.line, m.column),
            );
        }
    }
    let mut notes = notes.into_inner().expect("not poisoned");
    notes.sort_by(|a, b| a.path.cmp(&b.path));
    let mut stats = tally.into_stats(engine.rules.len());
    stats.elapsed = start.elapsed();
    if let Some(p) = engine.profile_report() {
        eprint!("{p}");
    }
    Outcome {
        scope: Scope::WorkingTree,
        findings: g.finish(),
        notes,
        stats,
    }
}

/// Scan a working tree.
pub fn scan_worktree(engine: &Engine, root: &Path, no_gitignore: bool, max_size: u64) -> Outcome {
    let (files, mut notes) = list_files(root, no_gitignore);
    let mut out = scan_files(engine, &files, max_size);
    notes.append(&mut out.notes);
    out.notes = notes;
    out
}

/// What the rules come from and what is accepted, as assembled for a scan.
pub struct Setup {
    pub engine: Engine,
    pub notes: Vec<Note>,
    pub config: config::SecretsConfig,
    pub max_size: u64,
}

/// Assemble the engine for a repository at `root`: the gitleaks configuration named by `--config`,
/// `[secrets] config`, or found at the root (`.gitleaks.toml`, `gitleaks.toml`), else the built-in
/// rules; `[secrets]` allowlists and disabled rules.
pub fn setup(root: &Path, gitleaks_config: Option<&Path>, cfg: config::SecretsConfig) -> Setup {
    let mut notes = Vec::new();
    let dir = if root.is_file() {
        root.parent().unwrap_or(Path::new("."))
    } else {
        root
    };
    let chosen: Option<PathBuf> = gitleaks_config
        .map(Path::to_path_buf)
        .or_else(|| cfg.config.as_ref().map(|c| dir.join(c)))
        .or_else(|| {
            [".gitleaks.toml", "gitleaks.toml"]
                .iter()
                .map(|n| dir.join(n))
                .find(|p| p.is_file())
        });
    let mut set = match &chosen {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(text) => rules::RuleSet::from_gitleaks(&p.display().to_string(), &text),
            Err(e) => {
                // Scanning with other rules than the ones asked for would report a PASS the
                // configuration never allowed.
                notes.push(Note::blocking(
                    DiagKind::Config,
                    p.display().to_string(),
                    format!("the rules file cannot be read ({e}): no secret scan was done"),
                ));
                rules::RuleSet::default()
            }
        },
        None => rules::RuleSet::builtin(),
    };
    set.rules.retain(|r| !cfg.disable_rules.contains(&r.id));
    for p in &set.problems {
        let note = if p.fatal {
            Note::blocking(
                DiagKind::Config,
                &p.origin,
                format!("{}: no secret scan was done", p.message),
            )
        } else {
            Note::new(DiagKind::Config, &p.origin, p.to_string())
        };
        notes.push(note.at_line(p.line));
    }
    let extra = match cfg.allowlists() {
        Ok(a) => a,
        Err(e) => {
            notes.push(Note::new(DiagKind::Config, "vigie.toml", e));
            Vec::new()
        }
    };
    let max_size = match cfg.max_size() {
        Ok(m) => m,
        Err(e) => {
            notes.push(Note::blocking(DiagKind::Config, "vigie.toml", e));
            config::DEFAULT_MAX_SIZE
        }
    };
    Setup {
        engine: Engine::new(set, extra),
        notes,
        config: cfg,
        max_size,
    }
}

/// `.gitleaksignore` at the root, if any.
pub fn read_gitleaksignore(root: &Path) -> Option<GitleaksIgnore> {
    let dir = if root.is_file() { root.parent()? } else { root };
    std::fs::read_to_string(dir.join(".gitleaksignore"))
        .ok()
        .map(|t| GitleaksIgnore::parse(&t))
}
