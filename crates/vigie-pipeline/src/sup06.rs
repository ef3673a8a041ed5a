//! SUP-06: CI least privilege.

use crate::checks::{SUP06_CBSA, SUP06_ECHO, SUP06_KEYS, SUP06_PERMS, SUP06_PIN, SUP06_PRT};
use crate::facts::{self, tool};
use crate::model::{Job, Permissions, Pipeline, System};
use vigie_core::{Location, Verdict};

/// Which write scopes a job's steps use.
fn uses_scope(job: &Job, scope: &str) -> bool {
    let actions: Vec<String> = job
        .steps
        .iter()
        .filter_map(|s| s.action.as_ref())
        .map(|a| a.repo())
        .collect();
    let has_action = |names: &[&str]| {
        actions.iter().any(|a| {
            names
                .iter()
                .any(|n| a == n || a.starts_with(&format!("{n}/")))
        })
    };
    let cmds: Vec<(String, Vec<String>)> = job
        .steps
        .iter()
        .flat_map(|s| s.commands.iter().map(tool))
        .collect();
    let has_cmd = |f: &dyn Fn(&str, &[String]) -> bool| cmds.iter().any(|(t, a)| f(t, a));
    let a0 = |a: &[String], w: &str| a.first().is_some_and(|x| x == w);
    if has_action(&["actions/github-script"]) {
        return true; // a script with the token can use any scope
    }
    match scope {
        "contents" => {
            has_action(&[
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
            ]) || has_cmd(&|t, a| {
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
            has_action(&[
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
            ]) || has_cmd(&|t, a| {
                (t == "cosign" && (a0(a, "sign") || a0(a, "attest") || a0(a, "sign-blob")))
                    || (t == "npm" && a0(a, "publish") && a.iter().any(|w| w == "--provenance"))
                    || t == "gitsign"
            })
        }
        "attestations" => has_action(&[
            "actions/attest-build-provenance",
            "actions/attest-sbom",
            "actions/attest",
        ]),
        "pull-requests" => {
            has_action(&[
                "peter-evans/create-pull-request",
                "marocchino/sticky-pull-request-comment",
                "thollander/actions-comment-pull-request",
                "actions/labeler",
                "peter-evans/create-or-update-comment",
                "dependabot/fetch-metadata",
            ]) || has_cmd(&|t, a| t == "gh" && (a0(a, "pr") || a0(a, "api")))
        }
        "issues" => {
            has_action(&[
                "actions/stale",
                "peter-evans/create-or-update-comment",
                "actions/labeler",
            ]) || has_cmd(&|t, a| t == "gh" && (a0(a, "issue") || a0(a, "api")))
        }
        "security-events" => has_action(&[
            "github/codeql-action",
            "aquasecurity/trivy-action",
            "ossf/scorecard-action",
        ]),
        "pages" => has_action(&["actions/deploy-pages"]),
        "checks" => has_action(&[
            "dorny/test-reporter",
            "mikepenz/action-junit-report",
            "EnricoMi/publish-unit-test-result-action",
        ]),
        "statuses" | "deployments" => {
            has_action(&["chrnorm/deployment-action", "bobheadxi/deployments"])
                || has_cmd(&|t, a| t == "gh" && a0(a, "api"))
        }
        "actions" => {
            has_cmd(&|t, a| t == "gh" && (a0(a, "run") || a0(a, "workflow") || a0(a, "cache")))
        }
        _ => false,
    }
}

pub fn permissions(p: &Pipeline, out: &mut Vec<Verdict>) {
    if p.system != System::GitHub {
        return;
    }
    for (j, job) in p.jobs.iter().enumerate() {
        let subject = p.subject(j, None);
        let eff = job.permissions.as_ref().or(p.permissions.as_ref());
        let Some(perms) = eff else {
            out.push(Verdict::fail(
                &SUP06_PERMS,
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
                &SUP06_PERMS,
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
        let unused: Vec<(String, Location)> = perms
            .writes()
            .into_iter()
            .filter(|(scope, _)| !remote_call && !uses_scope(job, scope))
            .collect();
        if unused.is_empty() {
            let w = perms.writes();
            let msg = if w.is_empty() {
                "the token is read-only".to_string()
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
            out.push(Verdict::pass(&SUP06_PERMS, subject, perm_at, msg));
        } else {
            let names: Vec<String> = unused
                .iter()
                .map(|(s, _)| format!("`{s}: write`"))
                .collect();
            out.push(Verdict::fail(
                &SUP06_PERMS,
                subject,
                unused[0].1.clone(),
                format!("{} granted but no step of this job uses it", names.join(", ")),
                "lower the unused scopes to `read` (or remove them), at the job level if other jobs need them",
            ));
        }
    }
}

fn is_sha(r: &str) -> bool {
    r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit())
}

pub fn pinning(p: &Pipeline, out: &mut Vec<Verdict>) {
    if p.system != System::GitHub {
        return;
    }
    let mut seen = std::collections::HashSet::new();
    let mut uses: Vec<(String, Location, String)> = Vec::new();
    for (j, job) in p.jobs.iter().enumerate() {
        if let Some(c) = &job.calls
            && !c.value.starts_with("./")
        {
            uses.push((c.value.clone(), c.at.clone(), p.subject(j, None)));
        }
        for (s, st) in job.steps.iter().enumerate() {
            if let Some(a) = &st.action
                && !a.is_local()
                && !p.in_other_workflow(&a.at)
            {
                uses.push((a.uses.clone(), a.at.clone(), p.subject(j, Some(s))));
            }
        }
    }
    for (u, at, subject) in uses {
        if !seen.insert((at.path.clone(), at.line, at.column)) {
            continue;
        }
        if let Some(img) = u.strip_prefix("docker://") {
            if img.contains("@sha256:") {
                out.push(Verdict::pass(
                    &SUP06_PIN,
                    subject,
                    at,
                    format!("`{u}` is pinned by digest"),
                ));
            } else {
                out.push(Verdict::fail(
                    &SUP06_PIN,
                    subject,
                    at,
                    format!("the container action `{u}` is not pinned by digest"),
                    "append `@sha256:<digest>` to the image",
                ));
            }
            continue;
        }
        let (name, r) = u.split_once('@').unwrap_or((u.as_str(), ""));
        if name
            .to_ascii_lowercase()
            .starts_with("slsa-framework/slsa-github-generator/")
        {
            out.push(Verdict::pass(
                &SUP06_PIN,
                subject,
                at,
                format!("`{u}`: the SLSA generator is referenced by tag by design (it verifies its own ref)"),
            ));
        } else if is_sha(r) {
            out.push(Verdict::pass(
                &SUP06_PIN,
                subject,
                at,
                format!("`{name}` is pinned to commit {}", &r[..12]),
            ));
        } else {
            out.push(Verdict::fail(
                &SUP06_PIN,
                subject,
                at,
                if r.is_empty() {
                    format!("`{u}` names no version at all")
                } else {
                    format!("`{name}@{r}` follows a tag or branch that its owner can move")
                },
                format!(
                    "pin `{name}` to the full commit SHA of `{}` and keep the tag as a comment",
                    if r.is_empty() { "a release" } else { r }
                ),
            ));
        }
    }
}

const HEAD_REFS: &[&str] = &[
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.head_ref",
    "refs/pull/",
    "github.event.pull_request.merge_commit_sha",
    "github.event.pull_request.head.repo.full_name",
];

pub fn pull_request_target(p: &Pipeline, out: &mut Vec<Verdict>) {
    if p.system != System::GitHub {
        return;
    }
    let Some(trig) = p.triggers.iter().find(|t| t.value == "pull_request_target") else {
        return;
    };
    let mut bad = false;
    for (j, job) in p.jobs.iter().enumerate() {
        for (s, st) in job.steps.iter().enumerate() {
            let head_ref = st.action.as_ref().and_then(|a| {
                if a.repo() != "actions/checkout" {
                    return None;
                }
                let r = a.input("ref").or_else(|| a.input("repository"))?;
                HEAD_REFS
                    .iter()
                    .any(|h| r.value.contains(h))
                    .then(|| r.clone())
            });
            let git_fetch = st.commands.iter().find(|c| {
                let (t, a) = tool(c);
                (t == "git"
                    && (a.first().is_some_and(|x| x == "fetch" || x == "checkout"))
                    && a.iter().any(|w| HEAD_REFS.iter().any(|h| w.contains(h))))
                    || (t == "gh"
                        && a.first().is_some_and(|x| x == "pr")
                        && a.get(1).is_some_and(|x| x == "checkout"))
            });
            let at = head_ref
                .map(|r| r.at)
                .or_else(|| git_fetch.map(|c| c.at.clone()));
            if let Some(at) = at {
                bad = true;
                out.push(Verdict::fail(
                    &SUP06_PRT,
                    p.subject(j, Some(s)),
                    at,
                    "this `pull_request_target` workflow checks out the pull request's head: untrusted code runs with the repository's secrets and write token",
                    "build pull requests under the `pull_request` trigger; keep `pull_request_target` for jobs that do not check out the head",
                ));
            }
        }
    }
    if !bad {
        out.push(Verdict::pass(
            &SUP06_PRT,
            format!("{} › on.pull_request_target", p.file),
            trig.at.clone(),
            "the workflow runs on `pull_request_target` but never checks out the pull request's head",
        ));
    }
}

/// Names that hold secrets in GitLab without being declared in the file.
fn secretish(name: &str) -> bool {
    let up = name.to_ascii_uppercase();
    matches!(
        up.as_str(),
        "CI_REGISTRY_PASSWORD"
            | "CI_JOB_TOKEN"
            | "CI_DEPLOY_PASSWORD"
            | "CI_JOB_JWT"
            | "CI_JOB_JWT_V2"
    ) || [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "PRIVATE_KEY",
    ]
    .iter()
    .any(|k| up.contains(k))
}

pub fn echoed_secrets(p: &Pipeline, out: &mut Vec<Verdict>) {
    let mut uses_secrets = None;
    let mut bad = false;
    for (j, job) in p.jobs.iter().enumerate() {
        for (s, st) in job.steps.iter().enumerate() {
            // variables bound to secrets
            let mut bound: Vec<String> = p
                .variables
                .iter()
                .chain(&job.variables)
                .chain(&st.env)
                .filter(|(_, v)| v.contains("secrets.") || v == "<secret>")
                .map(|(k, _)| k.clone())
                .collect();
            bound.extend(p.secret_env.iter().map(|s| s.value.clone()));
            for c in st.commands.iter().filter(|c| !p.in_other_workflow(&c.at)) {
                let refs_secret = |w: &str| {
                    w.contains("secrets.")
                        || bound.iter().any(|b| {
                            w.contains(&format!("${b}")) || w.contains(&format!("${{{b}}}"))
                        })
                        || (p.system == System::GitLab && {
                            w.split('$').skip(1).any(|v| {
                                let name: String = v
                                    .trim_start_matches('{')
                                    .chars()
                                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                                    .collect();
                                secretish(&name)
                            })
                        })
                };
                if c.words.iter().any(|w| refs_secret(w)) && uses_secrets.is_none() {
                    uses_secrets = Some(c.at.clone());
                }
                // `::add-mask::` is how a workflow hides a value from the log
                if !matches!(c.name(), "echo" | "printf")
                    || c.stdout_captured
                    || c.args().iter().any(|w| w.contains("::add-mask::"))
                {
                    continue;
                }
                if let Some(w) = c.args().iter().find(|w| refs_secret(w)) {
                    bad = true;
                    let shown: String = w.chars().take(60).collect();
                    out.push(Verdict::fail(
                        &SUP06_ECHO,
                        p.subject(j, Some(s)),
                        c.at.clone(),
                        format!("`{}` prints a secret (`{shown}`) to the build log", c.name()),
                        "pass the secret to the command that needs it through an environment variable or stdin; never print it",
                    ));
                }
            }
        }
    }
    if !bad && let Some(at) = uses_secrets {
        out.push(Verdict::pass(
            &SUP06_ECHO,
            format!("{} › secrets", p.file),
            at,
            "secrets are used but never printed to the log",
        ));
    }
}

pub fn cloudbuild_sa(p: &Pipeline, out: &mut Vec<Verdict>) {
    if p.system != System::CloudBuild {
        return;
    }
    let subject = format!("{} › serviceAccount", p.file);
    match &p.service_account {
        Some(sa) if !sa.value.contains("@cloudbuild.gserviceaccount.com") && !sa.value.contains("-compute@developer.gserviceaccount.com") => {
            out.push(Verdict::pass(&SUP06_CBSA, subject, sa.at.clone(), format!("the build runs as `{}`", sa.value.rsplit('/').next().unwrap_or(&sa.value))))
        }
        Some(sa) => out.push(Verdict::fail(
            &SUP06_CBSA,
            subject,
            sa.at.clone(),
            "`serviceAccount` names a default service account, which holds broad project roles",
            "create a dedicated least-privilege service account for the build",
        )),
        None => out.push(Verdict::fail(
            &SUP06_CBSA,
            subject,
            p.at.clone(),
            "no `serviceAccount`: the build runs as the default Cloud Build service account, with broad project roles",
            "set `serviceAccount:` to a dedicated least-privilege service account (and `options.logging`)",
        )),
    }
}

/// Service-account keys in pipelines: `credentials_json`, `--key-file`; passes for Workload Identity.
pub fn keys_in_pipeline(p: &Pipeline, out: &mut Vec<Verdict>) {
    for (j, job) in p.jobs.iter().enumerate() {
        for (s, st) in job.steps.iter().enumerate() {
            if let Some(a) = &st.action
                && a.repo() == "google-github-actions/auth"
            {
                if let Some(c) = a.input("credentials_json") {
                    out.push(Verdict::fail(
                        &SUP06_KEYS,
                        p.subject(j, Some(s)),
                        c.at.clone(),
                        "`google-github-actions/auth` authenticates with a service-account key (`credentials_json`)",
                        "use `workload_identity_provider` (Workload Identity Federation) and delete the key",
                    ));
                } else if let Some(w) = a.input("workload_identity_provider") {
                    out.push(Verdict::pass(&SUP06_KEYS, p.subject(j, Some(s)), w.at.clone(), "Google Cloud is reached through Workload Identity Federation, without a key"));
                }
            }
            for c in &st.commands {
                let (t, a) = tool(c);
                if t == "gcloud"
                    && a.iter().any(|w| w == "activate-service-account")
                    && facts::has_flag(&a, &["--key-file"])
                {
                    out.push(Verdict::fail(
                        &SUP06_KEYS,
                        p.subject(j, Some(s)),
                        c.at.clone(),
                        "`gcloud auth activate-service-account --key-file` authenticates with a long-lived key",
                        "use Workload Identity Federation (GitLab `id_tokens`, GitHub OIDC) instead of a key file",
                    ));
                }
            }
        }
    }
}

/// Key files and `google_service_account_key` resources in the repository.
pub fn keys_in_files(
    files: &[&str],
    read: &dyn Fn(&str) -> Option<String>,
    out: &mut Vec<Verdict>,
) {
    for f in files {
        if f.ends_with(".json") {
            let Some(t) = read(f) else { continue };
            if !(t.contains("service_account") && t.contains("private_key")) {
                continue;
            }
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&t) else {
                continue;
            };
            if v.get("type").and_then(|x| x.as_str()) == Some("service_account")
                && v.get("private_key").is_some()
            {
                let line = t
                    .lines()
                    .position(|l| l.contains("\"private_key\""))
                    .map_or(1, |i| i as u32 + 1);
                let email = v
                    .get("client_email")
                    .and_then(|x| x.as_str())
                    .unwrap_or("?");
                out.push(Verdict::fail(
                    &SUP06_KEYS,
                    *f,
                    Location::new((*f).into(), line, 1),
                    format!("a Google service-account key for `{email}` is committed (its private key is not shown)"),
                    "revoke the key in IAM, delete the file (and purge it from history), and use Workload Identity Federation",
                ));
            }
        } else if f.ends_with(".tf") {
            let Some(t) = read(f) else { continue };
            for (i, l) in t.lines().enumerate() {
                let l = l.trim();
                if l.starts_with("resource") && l.contains("\"google_service_account_key\"") {
                    let name = l.split('"').nth(3).unwrap_or("?");
                    out.push(Verdict::fail(
                        &SUP06_KEYS,
                        format!("{f} › google_service_account_key.{name}"),
                        Location::new((*f).into(), i as u32 + 1, 1),
                        "Terraform creates a long-lived service-account key (and stores it in the state)",
                        "remove the key resource and grant access through Workload Identity (GKE) or Workload Identity Federation (CI)",
                    ));
                }
            }
        }
    }
}
