//! SUP-06.4: secrets are not echoed to the log.

use crate::analyze::{Analysis, Found};
use crate::model::{Pipeline, System};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-06.4",
    title: "Pipelines never print secrets",
    severity: Severity::High,
    applies_to: &["github-actions", "gitlab-ci", "cloudbuild"],
    what: "No `echo`/`printf` in a pipeline writes a secret (`${{ secrets.X }}`, an environment \
           variable bound to a secret, a Cloud Build `secretEnv`, GitLab's registry password or \
           job token) to the log; piping it into a command (`| docker login --password-stdin`) or a \
           file is fine.",
    why: "Log masking is best effort (it misses transformed, split or multi-line values) and build \
          logs are read by far more people than the secret's owners.",
    fix: "Pass the secret through an environment variable or stdin to the command that needs it \
          and never print it.",
    failing: (
        ".github/workflows/deploy.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo \"token is ${{ secrets.DEPLOY_TOKEN }}\"\n",
    ),
    passing: (
        ".github/workflows/deploy.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo \"${{ secrets.REGISTRY_TOKEN }}\" | docker login ghcr.io -u acme --password-stdin\n",
    ),
};

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

fn echoed_secrets(p: &Pipeline, out: &mut Vec<Verdict>) {
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
                        &DOC,
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
            &DOC,
            format!("{} › secrets", p.file),
            at,
            "secrets are used but never printed to the log",
        ));
    }
}

pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    for l in m.pipelines.iter() {
        echoed_secrets(&l.pipeline, &mut out.verdicts);
    }
}
