//! SUP-06.1: CI jobs get the least token permissions.

use crate::analyze::{Analysis, Found};
use crate::facts::{self, tool};
use crate::model::{Command, Job, Permissions, Pipeline, System};
use crate::shell::ShellMode;
use vigie_core::{CheckDoc, Location, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-06.1",
    title: "GitHub workflow token permissions are set and minimal",
    severity: Severity::High,
    applies_to: &["github-actions"],
    what: "Every job of a GitHub workflow runs with an explicit `permissions:` (its own or the \
           workflow's), never `write-all`, and holds no `write` scope that none of its steps uses \
           (`packages: write` without a push, `contents: write` without a release or commit, \
           `id-token: write` without OIDC authentication or signing…); the commands of the \
           repository's scripts a step runs (`./release.sh`, `bash scripts/tag.sh`) count as the \
           job's. A job that runs an action whose use of the token vigie does not know is not \
           told its scopes are unused: the action may read `github.token` and use any of them.",
    why: "The `GITHUB_TOKEN` is available to every step and every action a job runs; a compromised \
          dependency with a write token can push code, publish packages or rewrite releases.",
    fix: "Set `permissions: contents: read` at the workflow level and grant each job only the \
          write scopes its steps use.",
    failing: (
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make test\n",
    ),
    passing: (
        ".github/workflows/ci.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make test\n",
    ),
};

/// The commands of the repository's scripts that a job's steps run (`./release.sh`, `bash
/// scripts/tag.sh`), one level deep: what a script does with the token, the job does. A script
/// that is not a file of the repository adds nothing.
fn script_commands(job: &Job, read: &dyn Fn(&str) -> Option<String>) -> Vec<Command> {
    let mut out = Vec::new();
    for step in &job.steps {
        for c in &step.commands {
            let script = match c.name() {
                "bash" | "sh" | "zsh" => c.args().iter().find(|a| !a.starts_with('-')),
                _ => c.words.first(),
            };
            let Some(script) = script.filter(|s| s.contains('/') || s.ends_with(".sh")) else {
                continue;
            };
            let Some(path) = crate::built::join(step.workdir.as_deref(), script) else {
                continue;
            };
            if let Some(text) = read(&path) {
                let at = Location::new(std::sync::Arc::from(path.as_str()), 1, 1);
                out.extend(crate::model::commands(&text, at, ShellMode::LAX));
            }
        }
    }
    out
}

/// Which write scopes a job's steps use (`scripts`: the commands of the scripts they run).
/// Actions that write with `contents` (releases, commits, tags).
const CONTENTS_WRITERS: &[&str] = &[
    "softprops/action-gh-release",
    "actions/create-release",
    "ncipollo/release-action",
    "stefanzweifel/git-auto-commit-action",
    "peter-evans/create-pull-request",
    "googleapis/release-please-action",
    "google-github-actions/release-please-action",
    "changesets/action",
    "slsa-framework/slsa-github-generator",
    "actions/upload-release-asset",
];

/// Actions that request an OIDC token (`id-token`).
const ID_TOKEN_USERS: &[&str] = &[
    "google-github-actions/auth",
    "aws-actions/configure-aws-credentials",
    "azure/login",
    "sigstore",
    "actions/attest-build-provenance",
    "actions/attest-sbom",
    "actions/attest",
    "slsa-framework/slsa-github-generator",
    "pypa/gh-action-pypi-publish",
    "hashicorp/vault-action",
    "sigstore/cosign-installer",
];

/// Actions that write attestations.
const ATTESTERS: &[&str] = &[
    "actions/attest-build-provenance",
    "actions/attest-sbom",
    "actions/attest",
];

/// Actions that write to pull requests (comments, reviewers, labels).
const PULL_REQUEST_WRITERS: &[&str] = &[
    "peter-evans/create-pull-request",
    "marocchino/sticky-pull-request-comment",
    "thollander/actions-comment-pull-request",
    "actions/labeler",
    "peter-evans/create-or-update-comment",
    "dependabot/fetch-metadata",
    "dyladan/component-owners",
];

/// Actions that write to issues.
const ISSUE_WRITERS: &[&str] = &[
    "actions/stale",
    "peter-evans/create-or-update-comment",
    "actions/labeler",
];

/// Actions that upload to code scanning (`security-events`).
const CODE_SCANNING_WRITERS: &[&str] = &[
    "github/codeql-action",
    "aquasecurity/trivy-action",
    "ossf/scorecard-action",
    "microsoft/security-devops-action",
    "github/ossar-action",
];

/// Actions that publish GitHub Pages.
const PAGES_WRITERS: &[&str] = &["actions/deploy-pages"];

/// Actions that write check runs.
const CHECK_WRITERS: &[&str] = &[
    "dorny/test-reporter",
    "mikepenz/action-junit-report",
    "EnricoMi/publish-unit-test-result-action",
];

/// Actions that write deployments and statuses.
const DEPLOYMENT_WRITERS: &[&str] = &["chrnorm/deployment-action", "bobheadxi/deployments"];

/// Actions known to use no write scope of the job's token (they read the repository, set up
/// tools, keep caches and artifacts, or log in with credentials of their own).
const NO_TOKEN_WRITES: &[&str] = &[
    "actions/checkout",
    "actions/setup-",
    "actions/cache",
    "actions/upload-artifact",
    "actions/download-artifact",
    "actions/dependency-review-action",
    "docker/setup-buildx-action",
    "docker/setup-qemu-action",
    "docker/login-action",
    "docker/metadata-action",
    "docker/build-push-action",
    "docker/bake-action",
    "google-github-actions/setup-gcloud",
    "google-github-actions/get-gke-credentials",
    "hashicorp/setup-terraform",
    "azure/setup-",
    "golangci/golangci-lint-action",
    "pnpm/action-setup",
    "dtolnay/rust-toolchain",
    "swatinem/rust-cache",
    "step-security/harden-runner",
    "sigstore/cosign-installer",
    "anchore/sbom-action",
    "anchore/scan-action",
];

/// Every action whose use of the token this check knows.
const KNOWN_LISTS: &[&[&str]] = &[
    CONTENTS_WRITERS,
    ID_TOKEN_USERS,
    ATTESTERS,
    PULL_REQUEST_WRITERS,
    ISSUE_WRITERS,
    CODE_SCANNING_WRITERS,
    PAGES_WRITERS,
    CHECK_WRITERS,
    DEPLOYMENT_WRITERS,
    NO_TOKEN_WRITES,
];

/// Whether the action repository `repo` (lower case) is `name` or, for a name ending in `-`
/// or naming an owner's action folder, one of its kind.
fn action_is(repo: &str, name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    repo == n || repo.starts_with(&format!("{n}/")) || (n.ends_with('-') && repo.starts_with(&n))
}

/// The remote actions of a job whose use of the token vigie does not know: any write scope
/// granted to the job may be theirs (an action reads `github.token` as an input's default).
fn unknown_actions(job: &Job) -> Vec<String> {
    let mut out: Vec<String> = job
        .steps
        .iter()
        .filter_map(|s| s.action.as_ref())
        .filter(|a| !a.is_local() && !a.uses.starts_with("docker://"))
        .map(|a| a.repo())
        .filter(|r| {
            !KNOWN_LISTS
                .iter()
                .any(|l| l.iter().any(|n| action_is(r, n)))
                && !CODE_SCANNING_UPLOADERS
                    .iter()
                    .any(|(n, _, _)| action_is(r, n))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn uses_scope(job: &Job, scope: &str, scripts: &[Command]) -> bool {
    let actions: Vec<String> = job
        .steps
        .iter()
        .filter_map(|s| s.action.as_ref())
        .map(|a| a.repo())
        .collect();
    let has_action = |names: &[&str]| {
        actions
            .iter()
            .any(|a| names.iter().any(|n| action_is(a, n)))
    };
    let cmds: Vec<(String, Vec<String>)> = job
        .steps
        .iter()
        .flat_map(|s| s.commands.iter())
        .chain(scripts)
        .map(tool)
        .collect();
    let has_cmd = |f: &dyn Fn(&str, &[String]) -> bool| cmds.iter().any(|(t, a)| f(t, a));
    let a0 = |a: &[String], w: &str| a.first().is_some_and(|x| x == w);
    if has_action(&["actions/github-script"]) {
        return true; // a script with the token can use any scope
    }
    match scope {
        "contents" => {
            has_action(CONTENTS_WRITERS)
                || has_cmd(&|t, a| {
                    (t == "git" && (a0(a, "push") || a0(a, "tag")))
                        || (t == "gh" && (a0(a, "release") || a0(a, "api")))
                        || t == "semantic-release"
                })
        }
        "packages" => {
            job.steps.iter().flat_map(|s| &s.commands).any(|c| {
                facts::image_op(c).is_some_and(|(o, _)| {
                    matches!(o, facts::ImageOp::Push | facts::ImageOp::BuildPush)
                })
            }) || job.steps.iter().filter_map(|s| s.action.as_ref()).any(|a| {
                facts::action_image_op(a).is_some_and(|(o, _)| {
                    matches!(o, facts::ImageOp::Push | facts::ImageOp::BuildPush)
                }) || (a.repo() == "docker/login-action"
                    && a.input("registry")
                        .is_some_and(|r| r.value.contains("ghcr.io")))
            }) || has_cmd(&|t, a| (t == "npm" || t == "pnpm" || t == "yarn") && a0(a, "publish"))
                || has_cmd(&|t, a| {
                    t == "docker" && a0(a, "login") && a.iter().any(|w| w.contains("ghcr.io"))
                })
        }
        "id-token" => {
            has_action(ID_TOKEN_USERS)
                || has_cmd(&|t, a| {
                    (t == "cosign" && (a0(a, "sign") || a0(a, "attest") || a0(a, "sign-blob")))
                        || (t == "npm" && a0(a, "publish") && a.iter().any(|w| w == "--provenance"))
                        || t == "gitsign"
                })
        }
        "attestations" => has_action(ATTESTERS),
        "pull-requests" => {
            has_action(PULL_REQUEST_WRITERS)
                || has_cmd(&|t, a| t == "gh" && (a0(a, "pr") || a0(a, "api")))
        }
        "issues" => {
            has_action(ISSUE_WRITERS)
                || has_cmd(&|t, a| t == "gh" && (a0(a, "issue") || a0(a, "api")))
        }
        "security-events" => {
            has_action(CODE_SCANNING_WRITERS)
                || uploads_to_code_scanning(job)
                || has_cmd(&|t, a| t == "gh" && a.iter().any(|w| w.contains("code-scanning")))
        }
        "pages" => has_action(PAGES_WRITERS),
        "checks" => has_action(CHECK_WRITERS),
        "statuses" | "deployments" => {
            has_action(DEPLOYMENT_WRITERS) || has_cmd(&|t, a| t == "gh" && a0(a, "api"))
        }
        "actions" => {
            has_cmd(&|t, a| t == "gh" && (a0(a, "run") || a0(a, "workflow") || a0(a, "cache")))
        }
        _ => false,
    }
}

/// Actions that upload their results to GitHub code scanning unless told not to (their input
/// that turns it off, and the value that does).
const CODE_SCANNING_UPLOADERS: &[(&str, &str, &str)] = &[
    ("zizmorcore/zizmor-action", "advanced-security", "false"),
    ("woodruffw/zizmor-action", "advanced-security", "false"),
];

/// Whether a step of the job uploads results to code scanning (which needs
/// `security-events: write`) through an action that does it by default.
fn uploads_to_code_scanning(job: &Job) -> bool {
    job.steps.iter().filter_map(|s| s.action.as_ref()).any(|a| {
        let repo = a.repo();
        CODE_SCANNING_UPLOADERS.iter().any(|(name, input, off)| {
            repo == *name && a.input(input).is_none_or(|v| v.value.trim() != *off)
        })
    })
}

fn permissions(p: &Pipeline, read: &dyn Fn(&str) -> Option<String>, out: &mut Vec<Verdict>) {
    if p.system != System::GitHub {
        return;
    }
    for (j, job) in p.jobs.iter().enumerate() {
        let subject = p.subject(j, None);
        let eff = job.permissions.as_ref().or(p.permissions.as_ref());
        let Some(perms) = eff else {
            out.push(Verdict::fail(
                &DOC,
                subject,
                job.at.clone(),
                "neither this job nor the workflow sets `permissions:`: the token gets the repository's default, which may be write on every scope",
                "set `permissions: contents: read` on the workflow and grant this job only what it uses",
            ));
            continue;
        };
        let perm_at = match perms {
            Permissions::All(_, at) => at.clone(),
            Permissions::Scopes(s) => s.first().map_or(job.at.clone(), |x| x.2.clone()),
        };
        if let Permissions::All(v, at) = perms
            && v == "write-all"
        {
            out.push(Verdict::fail(
                &DOC,
                subject,
                at.clone(),
                "`permissions: write-all` gives every step a token that can write to every scope",
                "replace `write-all` by the scopes this job uses (`contents: read` plus what it writes)",
            ));
            continue;
        }
        // a called reusable workflow from another repository: its use of the grant is not visible here
        let remote_call = job
            .calls
            .as_ref()
            .is_some_and(|c| !c.value.starts_with("./"));
        let scripts = script_commands(job, read);
        let unknown = unknown_actions(job);
        let unused: Vec<(String, Location)> = perms
            .writes()
            .into_iter()
            .filter(|(scope, _)| {
                !remote_call && unknown.is_empty() && !uses_scope(job, scope, &scripts)
            })
            .collect();
        if unused.is_empty() {
            let w = perms.writes();
            let msg = if w.is_empty() {
                "the token is read-only".to_string()
            } else if !remote_call && !unknown.is_empty() {
                format!(
                    "writes ({}) may be used by `{}`, an action whose use of the job's token vigie does not know",
                    w.iter()
                        .map(|x| x.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    unknown.join("`, `")
                )
            } else if remote_call {
                format!(
                    "writes ({}) are passed to the called workflow `{}`",
                    w.iter()
                        .map(|x| x.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    job.calls.as_ref().map_or("", |c| c.value.as_str())
                )
            } else {
                format!(
                    "every write scope ({}) is used by a step of the job",
                    w.iter()
                        .map(|x| x.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            out.push(Verdict::pass(&DOC, subject, perm_at, msg));
        } else {
            let names: Vec<String> = unused
                .iter()
                .map(|(s, _)| format!("`{s}: write`"))
                .collect();
            out.push(Verdict::fail(
                &DOC,
                subject,
                unused[0].1.clone(),
                format!("{} granted but no step of this job uses it", names.join(", ")),
                "lower the unused scopes to `read` (or remove them), at the job level if other jobs need them",
            ));
        }
    }
}

pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    for l in m.pipelines.iter() {
        permissions(&l.pipeline, &|rel| m.read(rel), &mut out.verdicts);
    }
}
