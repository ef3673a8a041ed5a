//! Google Cloud Build configurations (`cloudbuild.y[a]ml`, `cloudbuild.json`) into the pipeline
//! model: one job whose steps run in the order `waitFor` gives them.

use crate::model::{At, Command, Job, Pipeline, Step, System};
use crate::shell::{self, ShellMode};
use crate::yamlutil::{Src, strings, text};
use vigie_core::{DiagKind, Diagnostic, Location};
use vigie_parse::yaml::Node;

pub fn is_cloudbuild(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .or_else(|| name.strip_suffix(".json"))
    else {
        return false;
    };
    stem == "cloudbuild" || stem.starts_with("cloudbuild.") || stem.starts_with("cloudbuild-")
}

/// The tool a builder image runs when the step sets no `entrypoint`.
pub fn builder_tool(image: &str) -> String {
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    let base = last.split(':').next().unwrap_or(last);
    match base {
        "cloud-sdk" | "google-cloud-cli" => "gcloud".into(),
        "executor" if name.contains("kaniko") => "kaniko".into(),
        b => b.to_string(),
    }
}

pub fn lower(rel: &str, text_: &str, diags: &mut Vec<Diagnostic>) -> Option<Pipeline> {
    let src = Src::new(rel, text_);
    let root = src.parse("this Cloud Build configuration", diags)?;
    let Some(steps) = root.get("steps") else {
        diags.push(Diagnostic::new(
            DiagKind::Parse,
            src.loc(root.pos),
            "this Cloud Build configuration has no `steps`; it was not evaluated",
        ));
        return None;
    };
    let mut p = Pipeline::new(System::CloudBuild, src.file.clone());
    p.at = src.loc(root.pos);
    p.triggers.push(At {
        value: "build".into(),
        at: p.at.clone(),
    });
    for n in root.get("images").map(|n| n.items()).unwrap_or(&[]) {
        if let Some(a) = src.at_str(n) {
            p.images.push(a);
        }
    }
    if let Some(a) = root.get("artifacts") {
        if let Some(loc) = a.path(&["objects", "location"]).and_then(|n| src.at_str(n)) {
            for x in a
                .path(&["objects", "paths"])
                .map(|n| n.items())
                .unwrap_or(&[])
            {
                if let Some(t) = text(x) {
                    p.artifacts.push(At {
                        value: format!("{t} → {}", loc.value),
                        at: src.loc(x.pos),
                    });
                }
            }
        }
        for e in a.entries().iter().filter(|e| e.key != "objects") {
            p.artifacts.push(At {
                value: e.key.clone(),
                at: src.loc(e.key_pos),
            });
        }
    }
    if let Some(o) = root.get("options") {
        p.verify_option = o.get("requestedVerifyOption").and_then(|n| src.at_str(n));
        for (k, n) in [
            ("logging", o.get("logging")),
            ("pool", o.path(&["pool", "name"])),
        ] {
            if let Some(v) = n.and_then(|n| src.at_str(n)) {
                p.options.push((k.to_string(), v));
            }
        }
    }
    p.service_account = root.get("serviceAccount").and_then(|n| src.at_str(n));
    for sm in root
        .path(&["availableSecrets", "secretManager"])
        .map(|n| n.items())
        .unwrap_or(&[])
    {
        if let Some(e) = sm.get("env").and_then(|n| src.at_str(n)) {
            p.secret_env.push(e);
        }
    }
    let mut job = Job {
        id: "build".into(),
        name: None,
        at: p.at.clone(),
        stage: None,
        needs: None,
        image: None,
        permissions: None,
        allow_failure: None,
        condition: None,
        runs_after_failure: false,
        steps: Vec::new(),
        artifacts: Vec::new(),
        variables: Vec::new(),
        calls: None,
    };
    for (i, sn) in steps.items().iter().enumerate() {
        let Some(image) = sn.get("name").and_then(|n| src.at_str(n)) else {
            diags.push(Diagnostic::new(
                DiagKind::Parse,
                src.loc(sn.pos),
                format!("steps[{i}] has no `name` (the builder image); it was not evaluated"),
            ));
            continue;
        };
        let allow = sn
            .get("allowFailure")
            .filter(|n| n.as_bool() == Some(true))
            .or_else(|| sn.get("allowExitCodes"))
            .map(|n| src.loc(n.pos));
        let mut st = Step {
            at: src.loc(sn.pos),
            id: sn.get("id").and_then(text),
            name: None,
            action: None,
            commands: Vec::new(),
            image: Some(image.clone()),
            allow_failure: allow,
            condition: None,
            runs_after_failure: false,
            wait_for: sn.get("waitFor").map(strings),
            after: false,
            env: sn
                .get("env")
                .map(|n| {
                    strings(n)
                        .into_iter()
                        .filter_map(|kv| {
                            kv.split_once('=')
                                .map(|(k, v)| (k.to_string(), v.to_string()))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            via: None,
            workdir: sn.get("dir").and_then(text),
        };
        for s in sn.get("secretEnv").map(strings).unwrap_or_default() {
            st.env.push((s, "<secret>".into()));
        }
        if let Some(script) = sn.get("script") {
            let t = text(script).unwrap_or_default().replace("$$", "$");
            let first = t.lines().next().unwrap_or("");
            let mode = if first.starts_with("#!") && first.contains("-e") {
                ShellMode::ERREXIT
            } else {
                ShellMode::LAX
            };
            st.commands = crate::model::commands(&t, src.content_loc(script), mode);
        } else {
            let args: Vec<&Node> = sn
                .get("args")
                .map(|n| n.items().iter().collect())
                .unwrap_or_default();
            let mut words = vec![match sn.get("entrypoint").and_then(text) {
                Some(e) => e,
                None => builder_tool(&image.value),
            }];
            words.extend(
                args.iter()
                    .filter_map(|a| text(a))
                    .map(|a| a.replace("$$", "$")),
            );
            let at = args.first().map_or(image.at.clone(), |a| src.loc(a.pos));
            st.commands = match shell::inner_script(&words) {
                Some((script, mode)) => {
                    // the script is the argument after `-c`
                    let pos = words.iter().position(|w| *w == script).unwrap_or(0);
                    let sn_ = pos.checked_sub(1).and_then(|k| args.get(k));
                    let at = sn_.map_or(at, |n| src.content_loc(n));
                    crate::model::commands(&script, at, mode)
                }
                None => vec![Command {
                    words,
                    at,
                    swallowed: None,
                    stdout_captured: false,
                    skips_to: 0,
                    env: Vec::new(),
                }],
            };
        }
        job.steps.push(st);
    }
    p.jobs.push(job);
    Some(p)
}

/// A location for a step, for tests.
pub fn step_at(p: &Pipeline, i: usize) -> Option<Location> {
    p.jobs.first()?.steps.get(i).map(|s| s.at.clone())
}
