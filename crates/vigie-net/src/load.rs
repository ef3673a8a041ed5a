//! Reading a repository for `vigie graph` and the benchmark: Compose projects, the Kubernetes
//! objects the model needs (trimmed) and `[roles]` from `vigie.toml`. `vigie scan` hands the
//! same inputs to the analyzer from its own pipeline.

use crate::roles::DeclaredRoles;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use vigie_core::{DiagKind, Diagnostic, Location};
use vigie_parse::compose::{self, Project};
use vigie_parse::discover::{self, FileKind};
use vigie_parse::kubernetes::{self, Object};
use vigie_parse::yaml::{self, Node, Value};

/// Keys kept when trimming a workload object.
const KEEP: &[&str] = &[
    "metadata",
    "name",
    "namespace",
    "spec",
    "template",
    "jobTemplate",
    "leaderWorkerTemplate",
    "leaderTemplate",
    "workerTemplate",
    "jobTargetRef",
    "x-vigie-pods",
    "hostNetwork",
    "containers",
    "initContainers",
    "ephemeralContainers",
    "image",
    "command",
    "args",
    "ports",
    "containerPort",
    "hostPort",
    "protocol",
    "apiVersion",
    "kind",
];

/// A workload object reduced to what the model reads; `labels` are kept whole.
pub fn trim_workload(n: &Node) -> Node {
    let value = match &n.value {
        Value::Map(es) => Value::Map(
            es.iter()
                .filter_map(|e| {
                    if e.key == "labels" {
                        Some(e.clone())
                    } else if KEEP.contains(&e.key.as_str()) {
                        Some(vigie_parse::yaml::Entry {
                            key: e.key.clone(),
                            key_pos: e.key_pos,
                            value: trim_workload(&e.value),
                        })
                    } else {
                        None
                    }
                })
                .collect(),
        ),
        Value::Seq(items) => Value::Seq(items.iter().map(trim_workload).collect()),
        v => v.clone(),
    };
    Node {
        pos: n.pos,
        tag: None,
        value,
    }
}

pub struct Loaded {
    /// The files found, read from disk on demand (mounted configuration).
    pub files: Disk,
    pub projects: Vec<Project>,
    pub objects: Vec<Object>,
    /// The pods of the workloads, recorded apart from `objects` ([`crate::record`]).
    pub pods: Vec<crate::Pod>,
    pub roles: DeclaredRoles,
    pub diagnostics: Vec<Diagnostic>,
}

const LIMIT: u64 = 10 * 1024 * 1024;

/// The repository's files on disk, by relative path.
pub struct Disk {
    base: std::path::PathBuf,
    names: Vec<Arc<str>>,
}

impl vigie_tls::Files for Disk {
    fn list(&self) -> &[Arc<str>] {
        &self.names
    }
    fn read(&self, rel: &str) -> Option<String> {
        let rel = compose::join("", rel)?;
        discover::read_text(&self.base.join(rel), LIMIT)
            .ok()
            .map(|t| t.text)
    }
}

/// Read the repository at `root` (a folder or one file).
pub fn load(root: &Path) -> Loaded {
    let found = discover::discover(
        root,
        &discover::Options {
            gitignore: true,
            excludes: Vec::new(),
        },
    );
    let mut diagnostics = found.diagnostics;
    let mut compose_texts: HashMap<String, String> = HashMap::new();
    let mut compose_files = Vec::new();
    for f in found.files.iter().filter(|f| f.kind == FileKind::Compose) {
        match discover::read_text(&f.abs, LIMIT) {
            Ok(t) => {
                let t = t.noted(&Arc::from(f.rel.as_str()), &mut diagnostics);
                compose_files.push(f.rel.clone());
                compose_texts.insert(f.rel.clone(), t);
            }
            Err(e) => diagnostics.push(e.into_diagnostic(Arc::from(f.rel.as_str()), LIMIT)),
        }
    }
    let base = if root.is_file() {
        root.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        root.to_path_buf()
    };
    let reader = |p: &str| -> Option<String> {
        compose_texts.get(p).cloned().or_else(|| {
            let rel = compose::join("", p)?;
            discover::read_text(&base.join(rel), LIMIT)
                .ok()
                .map(|t| t.text)
        })
    };
    let mut projects = Vec::new();
    for group in compose::group_projects(&compose_files, &[]) {
        let p = compose::load(&group, &reader);
        diagnostics.extend(p.diagnostics.iter().cloned());
        projects.push(p);
    }
    let per_file: Vec<(Vec<Object>, Vec<crate::Pod>, Vec<Diagnostic>)> = found
        .files
        .par_iter()
        .filter(|f| f.kind == FileKind::Manifest)
        .map(|f| {
            let path: Arc<str> = Arc::from(f.rel.as_str());
            let mut d = Vec::new();
            let text = match discover::read_text(&f.abs, LIMIT) {
                Ok(t) => t.noted(&path, &mut d),
                Err(e) => return (Vec::new(), Vec::new(), vec![e.into_diagnostic(path, LIMIT)]),
            };
            if !text.contains("apiVersion") {
                return (Vec::new(), Vec::new(), d);
            }
            let stream = yaml::parse(&text);
            if let Some(e) = &stream.error {
                d.push(Diagnostic::new(
                    DiagKind::Parse,
                    Location::new(path.clone(), e.pos.line, e.pos.col),
                    format!("invalid YAML: {}", e.message),
                ));
            }
            // objects no supported cluster accepts are not part of the platform
            let (objs, _) = vigie_parse::removed_apis::split(kubernetes::objects(
                &path,
                stream.documents.into_iter().map(|d| d.root).collect(),
            ));
            let kept = objs.iter().filter_map(crate::keep).collect();
            (
                kept,
                objs.iter().filter_map(crate::record).flatten().collect(),
                d,
            )
        })
        .collect();
    let (mut objects, mut pods) = (Vec::new(), Vec::new());
    for (o, p, d) in per_file {
        objects.extend(o);
        pods.extend(p);
        diagnostics.extend(d);
    }
    let mut roles = DeclaredRoles::default();
    let cfg = base.join("vigie.toml");
    if std::fs::symlink_metadata(&cfg).is_ok() {
        let name: Arc<str> = Arc::from("vigie.toml");
        match discover::read_text(&cfg, LIMIT) {
            Ok(t) => {
                let text = t.noted(&name, &mut diagnostics);
                roles = DeclaredRoles::parse("vigie.toml", &text, &mut diagnostics);
            }
            Err(e) => diagnostics.push(e.into_diagnostic(name, LIMIT)),
        }
    }
    let mut names: Vec<Arc<str>> = found
        .files
        .iter()
        .map(|f| Arc::from(f.rel.as_str()))
        .collect();
    names.sort();
    Loaded {
        files: Disk { base, names },
        projects,
        objects,
        pods,
        roles,
        diagnostics,
    }
}
