//! GitHub Actions workflows (`.github/workflows/*.y[a]ml`) into the pipeline model, following
//! composite actions and reusable workflows that live in the repository.

use crate::model::{Action, At, Job, Permissions, Pipeline, Step, System};
use crate::shell::ShellMode;
use crate::yamlutil::{Src, pairs, render, strings, text};
use vigie_core::{DiagKind, Diagnostic, Location};
use vigie_parse::yaml::{Node, Value};

/// How deep composite actions and reusable workflows are followed.
const MAX_DEPTH: usize = 4;

pub fn is_workflow(rel: &str) -> bool {
    rel.strip_prefix(".github/workflows/")
        .is_some_and(|r| !r.contains('/') && (r.ends_with(".yml") || r.ends_with(".yaml")))
}

pub struct Reader<'a> {
    pub read: &'a dyn Fn(&str) -> Option<String>,
    pub diags: &'a mut Vec<Diagnostic>,
}

pub fn lower(rel: &str, text_: &str, rd: &mut Reader<'_>) -> Option<Pipeline> {
    lower_at(rel, text_, rd, 0, &[])
}

fn lower_at(
    rel: &str,
    text_: &str,
    rd: &mut Reader<'_>,
    depth: usize,
    inputs: &[(String, String)],
) -> Option<Pipeline> {
    let src = Src::new(rel, text_);
    let root = src.parse("this workflow", rd.diags)?;
    let mut p = Pipeline::new(System::GitHub, src.file.clone());
    p.at = src.loc(root.pos);
    if let Some(on) = root.entry("on").or_else(|| root.entry("true")) {
        match &on.value.value {
            Value::Map(es) => {
                for e in es {
                    p.triggers.push(At {
                        value: e.key.clone(),
                        at: src.loc(e.key_pos),
                    });
                }
            }
            _ => {
                for n in std::iter::once(&on.value).chain(on.value.items()) {
                    if let Some(t) = text(n) {
                        p.triggers.push(At {
                            value: t,
                            at: src.loc(n.pos),
                        });
                    }
                }
            }
        }
    }
    p.permissions = root.get("permissions").map(|n| permissions(&src, n));
    p.variables = pairs(root.get("env"));
    let wf_shell = root.path(&["defaults", "run", "shell"]).and_then(text);
    let Some(jobs) = root.get("jobs") else {
        rd.diags.push(Diagnostic::new(
            DiagKind::Parse,
            p.at.clone(),
            "this workflow has no `jobs:`; it was not evaluated",
        ));
        return Some(p);
    };
    for e in jobs.entries() {
        let jn = &e.value;
        if jn.as_map().is_none() {
            rd.diags.push(Diagnostic::new(
                DiagKind::Parse,
                src.loc(e.key_pos),
                format!(
                    "job `{}` should be a mapping, not {}",
                    e.key,
                    jn.kind_name()
                ),
            ));
            continue;
        }
        let cond = jn.get("if").map(|n| At {
            value: render(n),
            at: src.loc(n.pos),
        });
        let mut job = Job {
            id: e.key.clone(),
            name: jn.get("name").and_then(text),
            at: src.loc(e.key_pos),
            stage: None,
            needs: jn.get("needs").map(strings),
            image: jn
                .get("container")
                .and_then(|c| c.get("image").or(Some(c)))
                .and_then(|n| src.at_str(n)),
            permissions: jn.get("permissions").map(|n| permissions(&src, n)),
            allow_failure: jn
                .get("continue-on-error")
                .filter(|n| n.as_bool() == Some(true))
                .map(|n| src.loc(n.pos)),
            runs_after_failure: cond.as_ref().is_some_and(|c| after_failure(&c.value)),
            condition: cond,
            steps: Vec::new(),
            artifacts: Vec::new(),
            variables: pairs(jn.get("env")),
            calls: None,
        };
        let job_shell = jn
            .path(&["defaults", "run", "shell"])
            .and_then(text)
            .or(wf_shell.clone());
        if let Some(u) = jn.get("uses") {
            let uses = text(u).unwrap_or_default();
            job.calls = Some(At {
                value: uses.clone(),
                at: src.loc(u.pos),
            });
            let with = with_inputs(&src, jn.get("with"));
            if let Some(path) = uses.strip_prefix("./") {
                // a reusable workflow of this repository: its steps run for this job
                let path = path.split('@').next().unwrap_or(path);
                if depth >= MAX_DEPTH {
                    rd.diags.push(Diagnostic::new(
                        DiagKind::Reference,
                        src.loc(u.pos),
                        format!("reusable workflows nest deeper than {MAX_DEPTH} levels; `{path}` was not followed"),
                    ));
                } else if let Some(t) = (rd.read)(path) {
                    let ins: Vec<(String, String)> = with
                        .iter()
                        .map(|(k, v)| (k.clone(), v.value.clone()))
                        .collect();
                    if let Some(callee) = lower_at(path, &t, rd, depth + 1, &ins) {
                        let via = src.loc(u.pos);
                        for cj in callee.jobs {
                            for mut st in cj.steps {
                                st.via.get_or_insert(via.clone());
                                if cj.allow_failure.is_some() && st.allow_failure.is_none() {
                                    st.allow_failure = cj.allow_failure.clone();
                                }
                                job.steps.push(st);
                            }
                        }
                    }
                } else {
                    rd.diags.push(Diagnostic::new(
                        DiagKind::Reference,
                        src.loc(u.pos),
                        format!("the reusable workflow `{path}` is not in the repository; it was not followed"),
                    ));
                }
            }
            p.jobs.push(job);
            continue;
        }
        for (i, sn) in jn
            .get("steps")
            .map(|s| s.items())
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            lower_step(
                &src,
                sn,
                i,
                job_shell.as_deref(),
                inputs,
                rd,
                depth,
                &mut job.steps,
            );
        }
        p.jobs.push(job);
    }
    Some(p)
}

fn after_failure(cond: &str) -> bool {
    cond.contains("always()") || cond.contains("failure()") || cond.contains("!cancelled()")
}

fn permissions(src: &Src<'_>, n: &Node) -> Permissions {
    match &n.value {
        Value::Map(es) => Permissions::Scopes(
            es.iter()
                .map(|e| {
                    (
                        e.key.clone(),
                        text(&e.value).unwrap_or_default(),
                        src.loc(e.key_pos),
                    )
                })
                .collect(),
        ),
        _ => Permissions::All(text(n).unwrap_or_default(), src.loc(n.pos)),
    }
}

fn with_inputs(src: &Src<'_>, n: Option<&Node>) -> Vec<(String, At<String>)> {
    n.map(|w| {
        w.entries()
            .iter()
            .filter_map(|e| Some((e.key.clone(), src.at_str(&e.value)?)))
            .collect()
    })
    .unwrap_or_default()
}

/// `${{ inputs.x }}` replaced by the caller's value, for composite actions and called workflows.
fn substitute(t: &str, inputs: &[(String, String)]) -> String {
    if inputs.is_empty() || !t.contains("inputs.") {
        return t.to_string();
    }
    let mut out = t.to_string();
    for (k, v) in inputs {
        for pat in [
            format!("${{{{ inputs.{k} }}}}"),
            format!("${{{{inputs.{k}}}}}"),
            format!("${{{{ github.event.inputs.{k} }}}}"),
        ] {
            out = out.replace(&pat, v);
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn lower_step(
    src: &Src<'_>,
    sn: &Node,
    i: usize,
    shell: Option<&str>,
    inputs: &[(String, String)],
    rd: &mut Reader<'_>,
    depth: usize,
    out: &mut Vec<Step>,
) {
    if sn.as_map().is_none() {
        rd.diags.push(Diagnostic::new(
            DiagKind::Parse,
            src.loc(sn.pos),
            format!("steps[{i}] should be a mapping, not {}", sn.kind_name()),
        ));
        return;
    }
    let cond = sn.get("if").map(|n| At {
        value: render(n),
        at: src.loc(n.pos),
    });
    let mut st = Step {
        at: src.loc(sn.pos),
        id: sn.get("id").and_then(text),
        name: sn.get("name").and_then(text),
        action: None,
        commands: Vec::new(),
        image: None,
        allow_failure: sn
            .get("continue-on-error")
            .filter(|n| n.as_bool() == Some(true))
            .map(|n| src.loc(n.pos)),
        runs_after_failure: cond.as_ref().is_some_and(|c| after_failure(&c.value)),
        condition: cond,
        wait_for: None,
        after: false,
        env: pairs(sn.get("env")),
        via: None,
        workdir: sn.get("working-directory").and_then(text),
    };
    let mut expanded: Vec<Step> = Vec::new();
    if let Some(u) = sn.get("uses") {
        let mut with = with_inputs(src, sn.get("with"));
        for (_, v) in &mut with {
            v.value = substitute(&v.value, inputs);
        }
        let a = Action {
            uses: text(u).unwrap_or_default(),
            at: src.loc(u.pos),
            with,
            comment: src.comment_on(u.pos.line),
        };
        if a.is_local() {
            expanded = composite(&a, rd, depth);
        }
        st.action = Some(a);
    }
    if let Some(r) = sn.get("run") {
        let step_shell = sn.get("shell").and_then(text);
        let mode = mode_of(step_shell.as_deref().or(shell));
        let t = substitute(&text(r).unwrap_or_default(), inputs);
        st.commands = crate::model::commands(&t, src.content_loc(r), mode);
    }
    let via = st.at.clone();
    let allow = st.allow_failure.clone();
    out.push(st);
    for mut e in expanded {
        e.via.get_or_insert(via.clone());
        if e.allow_failure.is_none() {
            e.allow_failure = allow.clone();
        }
        out.push(e);
    }
}

pub fn mode_of(shell: Option<&str>) -> ShellMode {
    match shell.map(str::trim) {
        None | Some("bash") => ShellMode::STRICT,
        Some("sh") => ShellMode::ERREXIT,
        Some(s) => {
            // a custom shell: `bash {0}` (no -e), `bash -eo pipefail {0}`…
            let errexit = s
                .split_whitespace()
                .any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('e'));
            ShellMode {
                errexit,
                pipefail: errexit && s.contains("pipefail"),
            }
        }
    }
}

/// The steps of a composite action of the repository.
fn composite(a: &Action, rd: &mut Reader<'_>, depth: usize) -> Vec<Step> {
    let dir = a.uses.trim_start_matches("./").trim_end_matches('/');
    let dir = dir.split('@').next().unwrap_or(dir);
    if depth >= MAX_DEPTH {
        rd.diags.push(Diagnostic::new(
            DiagKind::Reference,
            a.at.clone(),
            format!(
                "composite actions nest deeper than {MAX_DEPTH} levels; `{}` was not followed",
                a.uses
            ),
        ));
        return Vec::new();
    }
    let mut found = None;
    for name in ["action.yml", "action.yaml"] {
        let path = if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        };
        if let Some(t) = (rd.read)(&path) {
            found = Some((path, t));
            break;
        }
    }
    let Some((path, t)) = found else {
        rd.diags.push(Diagnostic::new(
            DiagKind::Reference,
            a.at.clone(),
            format!(
                "the action `{}` has no action.yml in the repository; it was not followed",
                a.uses
            ),
        ));
        return Vec::new();
    };
    let src = Src::new(&path, &t);
    let Some(root) = src.parse("this action", rd.diags) else {
        return Vec::new();
    };
    if root.path(&["runs", "using"]).and_then(text).as_deref() != Some("composite") {
        return Vec::new();
    }
    // the caller's inputs, else the defaults
    let mut inputs: Vec<(String, String)> = Vec::new();
    for e in root.get("inputs").map(|n| n.entries()).unwrap_or(&[]) {
        let v = a
            .input(&e.key)
            .map(|v| v.value.clone())
            .or_else(|| e.value.get("default").and_then(text));
        if let Some(v) = v {
            inputs.push((e.key.clone(), v));
        }
    }
    let known: Vec<&str> = root
        .get("inputs")
        .map(|n| n.entries().iter().map(|e| e.key.as_str()).collect())
        .unwrap_or_default();
    if root.get("inputs").is_some() {
        for (k, v) in &a.with {
            if !known.contains(&k.as_str()) {
                rd.diags.push(Diagnostic::new(
                    DiagKind::Reference,
                    v.at.clone(),
                    format!("`{k}` is not an input of the action `{}` ({path})", a.uses),
                ));
            }
        }
    }
    let mut out = Vec::new();
    for (i, sn) in root
        .path(&["runs", "steps"])
        .map(|s| s.items())
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        lower_step(&src, sn, i, None, &inputs, rd, depth + 1, &mut out);
    }
    out
}

/// The `Location` of a job key, for diagnostics in tests.
pub fn job_at(p: &Pipeline, id: &str) -> Option<Location> {
    p.jobs.iter().find(|j| j.id == id).map(|j| j.at.clone())
}
