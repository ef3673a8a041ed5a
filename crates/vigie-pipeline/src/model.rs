//! One model for the pipelines of every CI system: triggers, jobs and their order, steps, the
//! commands each step runs, the actions and images it uses, permissions, and whether a failure
//! is swallowed. Every part keeps the location it came from.

use crate::shell::{self, Cmd, ShellMode};
use std::sync::Arc;
use vigie_core::Location;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum System {
    GitHub,
    GitLab,
    CloudBuild,
}

impl System {
    pub fn name(self) -> &'static str {
        match self {
            System::GitHub => "GitHub Actions",
            System::GitLab => "GitLab CI",
            System::CloudBuild => "Cloud Build",
        }
    }
}

/// A value with where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct At<T> {
    pub value: T,
    pub at: Location,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Permissions {
    /// `permissions: read-all` / `write-all` / `{}` (none).
    All(String, Location),
    /// Scope by scope.
    Scopes(Vec<(String, String, Location)>),
}

impl Permissions {
    /// The scopes granted `write`.
    pub fn writes(&self) -> Vec<(String, Location)> {
        match self {
            Permissions::All(v, at) if v == "write-all" => vec![("write-all".into(), at.clone())],
            Permissions::All(..) => Vec::new(),
            Permissions::Scopes(s) => s
                .iter()
                .filter(|(_, lvl, _)| lvl == "write")
                .map(|(k, _, at)| (k.clone(), at.clone()))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub system: System,
    pub file: Arc<str>,
    pub at: Location,
    /// `on:` events (GitHub), `workflow:rules`/trigger names where known.
    pub triggers: Vec<At<String>>,
    /// Workflow-level `permissions:` (GitHub).
    pub permissions: Option<Permissions>,
    pub jobs: Vec<Job>,
    /// GitLab `stages:` in order.
    pub stages: Vec<String>,
    /// Cloud Build `images:`: pushed by the build service after every step succeeded.
    pub images: Vec<At<String>>,
    /// Cloud Build `artifacts:` (objects, npm/python/maven packages) and GitLab/GitHub artifacts.
    pub artifacts: Vec<At<String>>,
    /// Cloud Build `options.requestedVerifyOption`.
    pub verify_option: Option<At<String>>,
    /// Cloud Build `serviceAccount`.
    pub service_account: Option<At<String>>,
    /// Cloud Build `options.logging`, `options.pool.name`.
    pub options: Vec<(String, At<String>)>,
    /// Secrets made available to steps: Cloud Build `availableSecrets` env names.
    pub secret_env: Vec<At<String>>,
    /// Variables set for the whole pipeline (GitLab `variables:`, GitHub `env:`).
    pub variables: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: String,
    pub name: Option<String>,
    pub at: Location,
    /// GitLab stage.
    pub stage: Option<String>,
    /// Jobs this one waits for (`needs:`); `None` when unset (GitLab: the stage order applies).
    pub needs: Option<Vec<String>>,
    /// Container image the job runs in (GitLab `image:`, GitHub `container:`).
    pub image: Option<At<String>>,
    pub permissions: Option<Permissions>,
    /// `continue-on-error: true` / `allow_failure: true`.
    pub allow_failure: Option<Location>,
    /// `if:` / `rules:` / `only:` / `when:` as written.
    pub condition: Option<At<String>>,
    /// Runs even when what it depends on failed (`if: always()`, `when: always`).
    pub runs_after_failure: bool,
    pub steps: Vec<Step>,
    /// Files kept after the job (GitLab `artifacts:paths`).
    pub artifacts: Vec<At<String>>,
    pub variables: Vec<(String, String)>,
    /// A reusable workflow this job calls (`jobs.x.uses`), as written.
    pub calls: Option<At<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub at: Location,
    pub id: Option<String>,
    pub name: Option<String>,
    /// `uses:` an action.
    pub action: Option<Action>,
    /// The commands it runs.
    pub commands: Vec<Command>,
    /// The image a Cloud Build step runs in.
    pub image: Option<At<String>>,
    pub allow_failure: Option<Location>,
    pub condition: Option<At<String>>,
    pub runs_after_failure: bool,
    /// Cloud Build `waitFor` (`None`: every earlier step).
    pub wait_for: Option<Vec<String>>,
    /// GitLab `after_script`: its failures never fail the job.
    pub after: bool,
    pub env: Vec<(String, String)>,
    /// When the step comes from a composite action or a called workflow: where it was called.
    pub via: Option<Location>,
    /// The folder its commands run in, relative to the checkout (GitHub `working-directory`,
    /// Cloud Build `dir`); `None` for the checkout's root.
    pub workdir: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// `actions/checkout@v4`, `./.github/actions/scan`, `docker://alpine:3.20`.
    pub uses: String,
    pub at: Location,
    pub with: Vec<(String, At<String>)>,
    /// The comment on the `uses:` line (`# v7.3.0` after a commit pin): the version the pin
    /// stands for, as Dependabot and Renovate write it.
    pub comment: Option<String>,
}

impl Action {
    /// The major version of a remote action: its tag (`@v6`, `@v6.1.0`), else, for a commit
    /// pin, the version its comment names (`@53b7df9… # v7.3.0`); `None` when neither says.
    pub fn major_version(&self) -> Option<u32> {
        let major = |s: &str| -> Option<u32> {
            let s = s.trim();
            let s = s.strip_prefix('v').or_else(|| s.strip_prefix('V'))?;
            let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        };
        self.git_ref().and_then(major).or_else(|| {
            self.comment
                .as_deref()?
                .split_whitespace()
                .find_map(|w| major(w.trim_start_matches("tag=")))
        })
    }

    pub fn input(&self, key: &str) -> Option<&At<String>> {
        self.with
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
    /// `owner/repo` (lowercase) of a remote action.
    pub fn repo(&self) -> String {
        let name = self.uses.split('@').next().unwrap_or("");
        let mut parts = name.split('/');
        match (parts.next(), parts.next()) {
            (Some(o), Some(r)) => format!("{o}/{r}").to_ascii_lowercase(),
            _ => name.to_ascii_lowercase(),
        }
    }
    pub fn git_ref(&self) -> Option<&str> {
        self.uses.split_once('@').map(|(_, r)| r)
    }
    pub fn is_local(&self) -> bool {
        self.uses.starts_with("./") || self.uses.starts_with("../")
    }
}

/// A command a step runs, with why its failure is swallowed if it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub words: Vec<String>,
    pub at: Location,
    pub swallowed: Option<String>,
    pub stdout_captured: bool,
    /// Index of the last command (in the step) that does not run when this one fails.
    pub skips_to: usize,
    /// `VAR=value` set for this command only.
    pub env: Vec<(String, String)>,
}

impl Command {
    pub fn name(&self) -> &str {
        let w = self.words.first().map_or("", |w| w.as_str());
        w.rsplit('/').next().unwrap_or(w)
    }
    pub fn args(&self) -> &[String] {
        self.words.get(1..).unwrap_or(&[])
    }
    pub fn text(&self) -> String {
        self.words.join(" ")
    }
}

/// Tokenise a script whose first line is at `at`, into commands with locations.
pub fn commands(script: &str, first_line: Location, mode: ShellMode) -> Vec<Command> {
    shell::parse(script, mode)
        .into_iter()
        .map(|c: Cmd| Command {
            at: Location::new(
                first_line.path.clone(),
                first_line.line + c.line,
                if c.line == 0 { first_line.column } else { 1 },
            ),
            words: c.words,
            swallowed: c.swallowed,
            stdout_captured: c.stdout_captured,
            skips_to: c.skips_to,
            env: c.env,
        })
        .collect()
}

/// A point in a pipeline: job, step, command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Point {
    pub job: usize,
    pub step: usize,
    pub cmd: usize,
}

impl Pipeline {
    pub fn new(system: System, file: Arc<str>) -> Self {
        Pipeline {
            system,
            at: Location::new(file.clone(), 1, 1),
            file,
            triggers: Vec::new(),
            permissions: None,
            jobs: Vec::new(),
            stages: Vec::new(),
            images: Vec::new(),
            artifacts: Vec::new(),
            verify_option: None,
            service_account: None,
            options: Vec::new(),
            secret_env: Vec::new(),
            variables: Vec::new(),
        }
    }

    /// A workflow that only runs when another workflow calls it: its callers are where its
    /// steps are judged in order.
    pub fn only_called(&self) -> bool {
        !self.triggers.is_empty() && self.triggers.iter().all(|t| t.value == "workflow_call")
    }

    /// Does a location belong to another workflow file of the repository (a called reusable
    /// workflow, which is also judged on its own)?
    pub fn in_other_workflow(&self, at: &Location) -> bool {
        at.path != self.file && crate::github::is_workflow(&at.path)
    }

    pub fn job_index(&self, id: &str) -> Option<usize> {
        self.jobs.iter().position(|j| j.id == id)
    }

    /// Jobs that must finish before job `j` starts (direct).
    pub fn job_deps(&self, j: usize) -> Vec<usize> {
        let job = &self.jobs[j];
        match &job.needs {
            Some(n) => n.iter().filter_map(|id| self.job_index(id)).collect(),
            None if self.system == System::GitLab => {
                let rank = |s: &Option<String>| {
                    let s = s.as_deref().unwrap_or("test");
                    match s {
                        ".pre" => Some(0),
                        ".post" => Some(usize::MAX),
                        _ => self.stages.iter().position(|x| x == s).map(|p| p + 1),
                    }
                };
                let mine = rank(&job.stage);
                self.jobs
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| matches!((rank(&o.stage), mine), (Some(a), Some(b)) if a < b))
                    .map(|(i, _)| i)
                    .collect()
            }
            None => Vec::new(),
        }
    }

    /// Does job `a` finish (successfully) before job `b` starts, through the dependency graph?
    pub fn job_before(&self, a: usize, b: usize) -> bool {
        let mut seen = vec![false; self.jobs.len()];
        let mut stack = vec![b];
        while let Some(x) = stack.pop() {
            for d in self.job_deps(x) {
                if d == a {
                    return true;
                }
                if !seen[d] {
                    seen[d] = true;
                    stack.push(d);
                }
            }
        }
        false
    }

    /// Steps of a job that must finish before step `s` starts (direct).
    fn step_deps(&self, j: usize, s: usize) -> Vec<usize> {
        let steps = &self.jobs[j].steps;
        match &steps[s].wait_for {
            None => (0..s).collect(),
            Some(w) if w.iter().any(|x| x == "-") => Vec::new(),
            Some(w) => w
                .iter()
                .filter_map(|id| {
                    steps
                        .iter()
                        .position(|st| st.id.as_deref() == Some(id.as_str()))
                })
                .collect(),
        }
    }

    pub fn step_before(&self, j: usize, a: usize, b: usize) -> bool {
        if self.system != System::CloudBuild {
            return a < b;
        }
        let mut seen = vec![false; self.jobs[j].steps.len()];
        let mut stack = vec![b];
        while let Some(x) = stack.pop() {
            for d in self.step_deps(j, x) {
                if d == a {
                    return true;
                }
                if !seen[d] {
                    seen[d] = true;
                    stack.push(d);
                }
            }
        }
        false
    }

    pub fn command(&self, p: Point) -> Option<&Command> {
        self.jobs.get(p.job)?.steps.get(p.step)?.commands.get(p.cmd)
    }

    /// Does a failure at `a` keep `b` from running? (`a` runs first and its failure stops the
    /// path to `b`.)
    pub fn gates(&self, a: Point, b: Point) -> Option<String> {
        let ja = &self.jobs[a.job];
        let sa = &ja.steps[a.step];
        let cmd_swallow = sa.commands.get(a.cmd).and_then(|c| c.swallowed.clone());
        if a.job == b.job && a.step == b.step {
            if a.cmd >= b.cmd {
                return Some("it runs after".into());
            }
            let c = &sa.commands[a.cmd];
            if c.skips_to >= b.cmd {
                return None;
            }
            return cmd_swallow;
        }
        if let Some(s) = cmd_swallow {
            return Some(s);
        }
        if sa.after {
            return Some("it is in `after_script`, whose failures never fail the job".into());
        }
        if sa.allow_failure.is_some() {
            return Some(match self.system {
                System::GitHub => "its step has `continue-on-error: true`".into(),
                _ => "its step is allowed to fail".into(),
            });
        }
        if a.job == b.job {
            let sb = &ja.steps[b.step];
            if !self.step_before(a.job, a.step, b.step) {
                return Some(if self.system == System::CloudBuild {
                    "it is not among the steps the later one waits for (`waitFor`)".into()
                } else {
                    "it runs after".into()
                });
            }
            if sb.runs_after_failure {
                return Some("the later step runs even after a failure (`if: always()`)".into());
            }
            return None;
        }
        if !self.job_before(a.job, b.job) {
            return Some(format!(
                "job `{}` does not finish before job `{}` starts (no `needs`/stage order between them)",
                ja.id, self.jobs[b.job].id
            ));
        }
        if ja.allow_failure.is_some() {
            return Some(match self.system {
                System::GitHub => format!("job `{}` has `continue-on-error: true`", ja.id),
                _ => format!("job `{}` has `allow_failure: true`", ja.id),
            });
        }
        if self.jobs[b.job].runs_after_failure {
            return Some(format!(
                "job `{}` runs even when the jobs it needs failed",
                self.jobs[b.job].id
            ));
        }
        None
    }

    /// Every command with its point.
    pub fn points(&self) -> impl Iterator<Item = (Point, &Job, &Step, &Command)> {
        self.jobs.iter().enumerate().flat_map(|(j, job)| {
            job.steps.iter().enumerate().flat_map(move |(s, step)| {
                step.commands.iter().enumerate().map(move |(c, cmd)| {
                    (
                        Point {
                            job: j,
                            step: s,
                            cmd: c,
                        },
                        job,
                        step,
                        cmd,
                    )
                })
            })
        })
    }

    /// `file › job › step` naming a point for a verdict.
    pub fn subject(&self, j: usize, s: Option<usize>) -> String {
        let job = &self.jobs[j];
        let mut out = format!("{} › {}", self.file, job_label(self.system, job));
        if let Some(s) = s
            && let Some(st) = job.steps.get(s)
        {
            out.push_str(" › ");
            out.push_str(&step_label(self.system, st, s));
        }
        out
    }
}

pub fn job_label(system: System, job: &Job) -> String {
    match system {
        System::GitHub => format!("jobs.{}", job.id),
        System::GitLab => job.id.clone(),
        System::CloudBuild => "build".into(),
    }
}

pub fn step_label(system: System, st: &Step, s: usize) -> String {
    if let Some(n) = st.name.as_ref().or(st.id.as_ref())
        && system != System::CloudBuild
    {
        return format!("step `{n}`");
    }
    match system {
        System::CloudBuild => match &st.id {
            Some(id) => format!("steps[{s}] ({id})"),
            None => format!("steps[{s}]"),
        },
        System::GitLab => {
            if st.after {
                "after_script".into()
            } else {
                "script".into()
            }
        }
        System::GitHub => format!("steps[{s}]"),
    }
}
