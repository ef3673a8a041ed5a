//! GitLab CI (`.gitlab-ci.yml`) into the pipeline model: `include: local` merged, `extends`
//! and `!reference` resolved, `default:` inherited. Anchors and merge keys are resolved by the
//! YAML reader.

use crate::model::{At, Job, Pipeline, Step, System};
use crate::shell::ShellMode;
use crate::yamlutil::{Src, deep_merge, pairs, render, strings, text};
use vigie_core::{DiagKind, Diagnostic, Location};
use vigie_parse::yaml::{Entry, Node, Pos, Value};

pub fn is_gitlab(rel: &str) -> bool {
    rel == ".gitlab-ci.yml" || rel == ".gitlab-ci.yaml"
}

/// Top-level keys that are not jobs.
const GLOBAL: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "spec",
];

/// Keys a job may have (to tell a job from a misspelt keyword).
const JOB_KEYS: &[&str] = &[
    "script",
    "before_script",
    "after_script",
    "stage",
    "image",
    "services",
    "extends",
    "needs",
    "dependencies",
    "rules",
    "only",
    "except",
    "when",
    "allow_failure",
    "artifacts",
    "cache",
    "variables",
    "tags",
    "environment",
    "trigger",
    "retry",
    "timeout",
    "parallel",
    "interruptible",
    "resource_group",
    "release",
    "secrets",
    "coverage",
    "inherit",
    "id_tokens",
    "pages",
    "hooks",
    "identity",
    "manual_confirmation",
    "run",
    "start_in",
    "dast_configuration",
];

const MAX_INCLUDES: usize = 50;

pub fn lower(
    rel: &str,
    text_: &str,
    read: &dyn Fn(&str) -> Option<String>,
    files: &[&str],
    diags: &mut Vec<Diagnostic>,
) -> Option<Pipeline> {
    let src = Src::new(rel, text_);
    let root = src.parse("this GitLab CI file", diags)?;
    let mut p = Pipeline::new(System::GitLab, src.file.clone());
    p.at = src.loc(root.pos);
    // Included files are merged under the main file; positions are kept per file through `src`.
    let mut sources: Vec<String> = vec![rel.to_string()];
    let mut texts: Vec<String> = vec![text_.to_string()];
    let mut merged = Node {
        pos: root.pos,
        tag: None,
        value: Value::Map(Vec::new()),
    };
    let mut seen = vec![rel.to_string()];
    include(
        &root,
        read,
        files,
        diags,
        &mut merged,
        &mut sources,
        &mut texts,
        &mut seen,
        0,
    );
    deep_merge(&mut merged, &strip_include(&root));
    let srcs: Vec<Src<'_>> = sources
        .iter()
        .zip(&texts)
        .map(|(p, t)| Src::new(p, t))
        .collect();

    // `!reference` tags, then `extends`
    let snapshot = merged.clone();
    resolve_references(&mut merged, &snapshot, &src, &sources, diags, 0);
    let lookup_src = |n: &Node| -> Location { loc(&sources, n.pos) };

    p.stages = merged.get("stages").map(strings).unwrap_or_else(|| {
        ["build", "test", "deploy"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    });
    p.variables = pairs(merged.get("variables"));
    let default = merged.get("default").cloned();
    let templates = merged.clone();
    for e in merged.entries() {
        if GLOBAL.contains(&e.key.as_str()) || e.key.starts_with('.') {
            continue;
        }
        let Some(es) = e.value.as_map() else {
            diags.push(Diagnostic::new(
                DiagKind::Parse,
                loc(&sources, e.key_pos),
                format!(
                    "`{}` is not a GitLab CI keyword, and as a job it should be a mapping, not {}",
                    e.key,
                    e.value.kind_name()
                ),
            ));
            continue;
        };
        if !es
            .iter()
            .any(|x| matches!(x.key.as_str(), "script" | "trigger" | "extends" | "run"))
        {
            let unknown: Vec<&str> = es
                .iter()
                .map(|x| x.key.as_str())
                .filter(|k| !JOB_KEYS.contains(k))
                .collect();
            diags.push(Diagnostic::new(
                DiagKind::Parse,
                loc(&sources, e.key_pos),
                if unknown.is_empty() {
                    format!("`{}` is neither a GitLab CI keyword nor a job (it has no `script`, `trigger` or `extends`); it was not evaluated", e.key)
                } else {
                    format!(
                        "`{}` is neither a GitLab CI keyword nor a job (no `script`; unknown keys: {}); it was not evaluated",
                        e.key,
                        unknown.join(", ")
                    )
                },
            ));
            continue;
        }
        let mut jn = e.value.clone();
        let mut chain = vec![e.key.clone()];
        apply_extends(&mut jn, &templates, &sources, diags, &mut chain);
        // default: keywords, unless `inherit: default: false`
        let inherit_default = jn
            .path(&["inherit", "default"])
            .map(|n| n.as_bool() != Some(false))
            .unwrap_or(true);
        if inherit_default && let Some(d) = &default {
            for de in d.entries() {
                if jn.get(&de.key).is_none()
                    && let Value::Map(es) = &mut jn.value
                {
                    es.push(de.clone());
                }
            }
        }
        for g in ["image", "before_script", "after_script"] {
            if jn.get(g).is_none()
                && inherit_default
                && let Some(v) = merged.entry(g)
                && let Value::Map(es) = &mut jn.value
            {
                es.push(v.clone());
            }
        }
        p.jobs.push(job(
            &e.key,
            loc(&sources, e.key_pos),
            &jn,
            &srcs,
            &lookup_src,
        ));
    }
    Some(p)
}

fn loc(sources: &[String], pos: Pos) -> Location {
    let file = sources.get(pos.src as usize).map_or("", |s| s.as_str());
    Location::new(file.into(), pos.line.max(1), pos.col.max(1))
}

fn strip_include(root: &Node) -> Node {
    let mut r = root.clone();
    if let Value::Map(es) = &mut r.value {
        es.retain(|e| e.key != "include");
    }
    r
}

#[allow(clippy::too_many_arguments)]
fn include(
    root: &Node,
    read: &dyn Fn(&str) -> Option<String>,
    files: &[&str],
    diags: &mut Vec<Diagnostic>,
    merged: &mut Node,
    sources: &mut Vec<String>,
    texts: &mut Vec<String>,
    seen: &mut Vec<String>,
    depth: usize,
) {
    let Some(inc) = root.get("include") else {
        return;
    };
    let items: Vec<&Node> = match &inc.value {
        Value::Seq(v) => v.iter().collect(),
        _ => vec![inc],
    };
    for it in items {
        let at = loc(sources, it.pos);
        let (kind, target) = match (&it.value, text(it)) {
            (_, Some(t)) if t.starts_with("http://") || t.starts_with("https://") => ("remote", t),
            (_, Some(t)) => ("local", t),
            (Value::Map(_), None) => {
                let k = [
                    "local",
                    "remote",
                    "template",
                    "project",
                    "component",
                    "file",
                ]
                .into_iter()
                .find(|k| it.get(k).is_some())
                .unwrap_or("unknown");
                let mut target = it.get(k).map(render).unwrap_or_default();
                if k == "project"
                    && let Some(f) = it.get("file")
                {
                    target.push_str(&format!(" (file {})", render(f)));
                }
                (k, target)
            }
            _ => ("unknown", String::new()),
        };
        if kind != "local" {
            diags.push(Diagnostic::new(
                DiagKind::Reference,
                at,
                format!(
                    "include `{kind}: {target}` is not followed (only local includes are read); the jobs it defines were not evaluated"
                ),
            ));
            continue;
        }
        let path = target.trim_start_matches('/').to_string();
        let targets: Vec<String> = if path.contains('*') {
            match globset::Glob::new(&path) {
                Ok(g) => {
                    let m = g.compile_matcher();
                    files
                        .iter()
                        .filter(|f| m.is_match(f))
                        .map(|f| f.to_string())
                        .collect()
                }
                Err(_) => Vec::new(),
            }
        } else {
            vec![path.clone()]
        };
        if targets.is_empty() {
            diags.push(Diagnostic::new(
                DiagKind::Reference,
                at.clone(),
                format!("include `local: {target}` matches no file; nothing was included"),
            ));
        }
        for path in targets {
            if seen.contains(&path) || sources.len() > MAX_INCLUDES || depth > 10 {
                continue;
            }
            seen.push(path.clone());
            let Some(t) = read(&path) else {
                diags.push(Diagnostic::new(
                    DiagKind::Reference,
                    at.clone(),
                    format!(
                        "the included file `{path}` is not in the repository; it was not followed"
                    ),
                ));
                continue;
            };
            let isrc = Src::new(&path, &t);
            let Some(mut iroot) = isrc.parse("this included GitLab CI file", diags) else {
                continue;
            };
            let idx = sources.len() as u16;
            iroot.retag(idx);
            sources.push(path.clone());
            texts.push(t.clone());
            include(
                &iroot,
                read,
                files,
                diags,
                merged,
                sources,
                texts,
                seen,
                depth + 1,
            );
            deep_merge(merged, &strip_include(&iroot));
        }
    }
}

/// Replace every `!reference [name, key, …]` by what it points to.
fn resolve_references(
    n: &mut Node,
    doc: &Node,
    src: &Src<'_>,
    sources: &[String],
    diags: &mut Vec<Diagnostic>,
    depth: usize,
) {
    let _ = src;
    if depth > 64 {
        return;
    }
    if is_reference(n) {
        let path: Vec<String> = n.items().iter().filter_map(text).collect();
        let refs: Vec<&str> = path.iter().map(String::as_str).collect();
        match doc.path(&refs) {
            Some(target) => {
                let mut t = target.clone();
                resolve_references(&mut t, doc, src, sources, diags, depth + 1);
                let pos = t.pos;
                *n = t;
                n.pos = pos;
            }
            None => {
                diags.push(Diagnostic::new(
                    DiagKind::Reference,
                    loc(sources, n.pos),
                    format!(
                        "`!reference [{}]` points to nothing; it was left out",
                        path.join(", ")
                    ),
                ));
                *n = Node {
                    pos: n.pos,
                    tag: None,
                    value: Value::Seq(Vec::new()),
                };
            }
        }
        return;
    }
    match &mut n.value {
        Value::Seq(items) => {
            for it in items.iter_mut() {
                resolve_references(it, doc, src, sources, diags, depth + 1);
            }
        }
        Value::Map(es) => {
            for e in es.iter_mut() {
                resolve_references(&mut e.value, doc, src, sources, diags, depth + 1);
            }
        }
        Value::Scalar { .. } => {}
    }
}

fn is_reference(n: &Node) -> bool {
    n.tag
        .as_deref()
        .is_some_and(|t| t == "!reference" || t.ends_with("!reference") || t == "reference")
}

fn apply_extends(
    jn: &mut Node,
    doc: &Node,
    sources: &[String],
    diags: &mut Vec<Diagnostic>,
    chain: &mut Vec<String>,
) {
    let Some(ext) = jn.get("extends").cloned() else {
        return;
    };
    if chain.len() > 11 {
        diags.push(Diagnostic::new(
            DiagKind::Reference,
            loc(sources, ext.pos),
            "`extends` nests deeper than 11 levels (GitLab's limit); the rest was not followed",
        ));
        return;
    }
    let mut base = Node {
        pos: jn.pos,
        tag: None,
        value: Value::Map(Vec::new()),
    };
    for name in strings(&ext) {
        if chain.contains(&name) {
            diags.push(Diagnostic::new(
                DiagKind::Reference,
                loc(sources, ext.pos),
                format!("`extends: {name}` loops back on itself; it was not followed"),
            ));
            continue;
        }
        match doc.get(&name) {
            Some(parent) if parent.as_map().is_some() => {
                let mut parent = parent.clone();
                chain.push(name.clone());
                apply_extends(&mut parent, doc, sources, diags, chain);
                chain.pop();
                deep_merge(&mut base, &parent);
            }
            _ => diags.push(Diagnostic::new(
                DiagKind::Reference,
                loc(sources, ext.pos),
                format!("`extends: {name}` names no job or template in this pipeline; it was not followed"),
            )),
        }
    }
    if let Value::Map(es) = &mut base.value {
        es.retain(|e: &Entry| e.key != "extends");
    }
    deep_merge(&mut base, jn);
    *jn = base;
}

fn job(id: &str, at: Location, jn: &Node, srcs: &[Src<'_>], lk: &dyn Fn(&Node) -> Location) -> Job {
    let when = jn.get("when").and_then(text);
    let cond = jn
        .get("rules")
        .or_else(|| jn.get("only"))
        .map(|n| At {
            value: render(n),
            at: lk(n),
        })
        .or_else(|| {
            jn.get("when").map(|n| At {
                value: render(n),
                at: lk(n),
            })
        });
    let rules_always = jn.get("rules").is_some_and(|r| {
        r.items()
            .iter()
            .any(|x| x.get("when").and_then(text).as_deref() == Some("always"))
    });
    let allow_failure = jn.get("allow_failure").and_then(|n| match &n.value {
        Value::Map(_) => Some(lk(n)), // exit_codes: some failures are allowed
        _ if n.as_bool() == Some(true) => Some(lk(n)),
        _ => None,
    });
    let mut job = Job {
        id: id.to_string(),
        name: None,
        at,
        stage: Some(
            jn.get("stage")
                .and_then(text)
                .unwrap_or_else(|| "test".into()),
        ),
        needs: jn.get("needs").map(|n| {
            n.items()
                .iter()
                .filter_map(|x| text(x).or_else(|| x.get("job").and_then(text)))
                .collect()
        }),
        image: jn
            .get("image")
            .and_then(|i| i.get("name").or(Some(i)))
            .and_then(|n| text(n).map(|value| At { value, at: lk(n) })),
        permissions: None,
        allow_failure,
        runs_after_failure: when.as_deref() == Some("always") || rules_always,
        condition: cond,
        steps: Vec::new(),
        artifacts: jn
            .path(&["artifacts", "paths"])
            .map(|n| {
                n.items()
                    .iter()
                    .filter_map(|x| text(x).map(|value| At { value, at: lk(x) }))
                    .collect()
            })
            .unwrap_or_default(),
        variables: pairs(jn.get("variables")),
        calls: None,
    };
    if let Some(r) = jn.path(&["artifacts", "reports"]) {
        for e in r.entries() {
            for x in std::iter::once(&e.value).chain(e.value.items()) {
                if let Some(value) = text(x) {
                    job.artifacts.push(At { value, at: lk(x) });
                }
            }
        }
    }
    let mut main: Vec<&Node> = Vec::new();
    for key in ["before_script", "script"] {
        if let Some(s) = jn.get(key) {
            flatten(s, &mut main, 0);
        }
    }
    let mut after: Vec<&Node> = Vec::new();
    if let Some(s) = jn.get("after_script") {
        flatten(s, &mut after, 0);
    }
    for (items, is_after) in [(main, false), (after, true)] {
        if items.is_empty() {
            continue;
        }
        let pieces: Vec<(String, Location)> = items
            .iter()
            .filter_map(|n| {
                let t = text(n)?;
                let l = srcs
                    .get(n.pos.src as usize)
                    .map_or_else(|| lk(n), |s| s.content_loc(n));
                Some((t, l))
            })
            .collect();
        let first = items[0];
        job.steps.push(Step {
            at: lk(first),
            id: None,
            name: None,
            action: None,
            commands: crate::yamlutil::script_pieces(&pieces, ShellMode::STRICT),
            image: None,
            allow_failure: None,
            condition: None,
            runs_after_failure: is_after,
            wait_for: None,
            after: is_after,
            env: Vec::new(),
            via: None,
            workdir: None,
        });
    }
    job
}

/// GitLab flattens nested arrays in scripts (from `!reference` and anchors) up to 10 levels.
fn flatten<'a>(n: &'a Node, out: &mut Vec<&'a Node>, depth: usize) {
    match &n.value {
        Value::Seq(items) if depth < 10 => items.iter().for_each(|x| flatten(x, out, depth + 1)),
        Value::Scalar { .. } if !n.is_null() => out.push(n),
        _ => {}
    }
}
