//! Compose: files grouped into projects the way `docker compose` groups them, `.env`
//! interpolation, override files merged by the Compose merge rules, `extends` resolved, and each
//! service lowered into a workload — its user taken from `user:`, else from the `USER` of the
//! Dockerfile stage it builds, else from what is known of its image.

use crate::dockerfile::Dockerfile;
use crate::interp::{Dialect, parse_env_file, substitute};
use crate::yaml::{self, Entry, Node, Pos, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use vigie_core::catalog::Catalog;
use vigie_core::model::{
    At, BuildRef, Mount, MountKind, Namespace, Platform, Profile, UserSource, Workload,
};
use vigie_core::{DiagKind, Diagnostic, Location};

/// Base file names, in the order `docker compose` prefers them.
pub const BASE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// Whether a file name is a Compose file.
pub fn is_compose_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    yaml && (lower.starts_with("docker-compose") || lower.starts_with("compose."))
}

fn is_override(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    l == "compose.override.yaml"
        || l == "compose.override.yml"
        || l == "docker-compose.override.yaml"
        || l == "docker-compose.override.yml"
}

fn split_dir(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

/// Group Compose files into projects: in each folder, the base file with its override file is
/// one project, and every other `docker-compose.*.yml` is a variant merged over the base.
/// Files named with `-f` form one project of their own, merged in the order given.
pub fn group_projects(files: &[String], explicit: &[String]) -> Vec<Vec<String>> {
    let mut projects = Vec::new();
    if !explicit.is_empty() {
        projects.push(explicit.to_vec());
    }
    let mut by_dir: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in files {
        if explicit.contains(f) {
            continue;
        }
        let (dir, _) = split_dir(f);
        by_dir.entry(dir).or_default().push(f);
    }
    for (_, mut group) in by_dir {
        group.sort();
        let name = |p: &str| split_dir(p).1.to_string();
        let base = BASE_NAMES
            .iter()
            .find_map(|b| group.iter().find(|f| name(f) == *b).copied());
        match base {
            Some(base) => {
                let over = group.iter().find(|f| is_override(&name(f))).copied();
                let mut p = vec![base.to_string()];
                if let Some(o) = over {
                    p.push(o.to_string());
                }
                projects.push(p);
                for f in &group {
                    if *f != base && Some(*f) != over && !BASE_NAMES.contains(&name(f).as_str()) {
                        projects.push(vec![base.to_string(), f.to_string()]);
                    }
                }
                // other base names in the same folder are projects of their own
                for f in &group {
                    if *f != base && BASE_NAMES.contains(&name(f).as_str()) {
                        projects.push(vec![f.to_string()]);
                    }
                }
            }
            None => {
                // An override is a fragment merged over a base, never a project of its own;
                // beside files given with `-f`, the folder's other files are fragments of the
                // project `-f` names (docker compose does not read them then).
                let dir = split_dir(group[0]).0;
                let explicit_here = explicit.iter().any(|e| split_dir(e).0 == dir);
                for f in group {
                    if is_override(&name(f)) || explicit_here {
                        continue;
                    }
                    projects.push(vec![f.to_string()]);
                }
            }
        }
    }
    projects
}

/// A loaded project: its files merged and interpolated.
#[derive(Debug)]
pub struct Project {
    /// How subjects name the project: the base file, with variants joined by `+`.
    pub name: String,
    /// Folder of the first file, relative to the root ("" for the root).
    pub dir: String,
    pub files: Vec<Arc<str>>,
    /// The merged document (services, networks, volumes…), `None` when no file could be read.
    pub merged: Option<Node>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Project {
    pub fn loc(&self, pos: Pos) -> Location {
        let f = self
            .files
            .get(pos.src as usize)
            .cloned()
            .unwrap_or_else(|| Arc::from(self.name.as_str()));
        Location::new(f, pos.line, pos.col)
    }
}

/// Normalise `dir/rel` (`.` and `..` resolved); `None` when it leaves the root.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        return None;
    } else {
        dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Read a file of the repository by relative path.
pub type Reader<'a> = dyn Fn(&str) -> Option<String> + Sync + 'a;

/// Load a project: read, parse and interpolate each file, merge them in order, resolve `extends`.
pub fn load(files: &[String], read: &Reader<'_>) -> Project {
    let first = files.first().cloned().unwrap_or_default();
    let (dir, _) = split_dir(&first);
    let name = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if i == 0 {
                f.clone()
            } else if is_override(split_dir(f).1) {
                String::new()
            } else {
                split_dir(f).1.to_string()
            }
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("+");
    let mut project = Project {
        name,
        dir: dir.to_string(),
        files: files.iter().map(|f| Arc::from(f.as_str())).collect(),
        merged: None,
        diagnostics: Vec::new(),
    };
    let env_path = join(dir, ".env").unwrap_or_else(|| ".env".into());
    let vars = read(&env_path)
        .map(|t| parse_env_file(&t))
        .unwrap_or_default();
    let mut merged: Option<Node> = None;
    for (i, f) in files.iter().enumerate() {
        let Some(mut root) = read_compose_file(f, i as u16, &vars, read, &mut project.diagnostics)
        else {
            continue;
        };
        resolve_extends(&mut root, f, &vars, read, &mut project.diagnostics);
        resolve_includes(&mut root, f, read, &mut project, &mut vec![f.clone()]);
        merged = Some(match merged {
            None => root,
            Some(base) => merge(base, root, &mut Vec::new()),
        });
    }
    project.merged = merged;
    project
}

/// The top-level sections an included project contributes to the including one.
const INCLUDED_SECTIONS: [&str; 5] = ["services", "networks", "volumes", "configs", "secrets"];

/// Most files one project may include, all levels together.
const MAX_INCLUDED_FILES: usize = 256;

/// Compose `include` (Compose 2.20+), as `docker compose` loads it: each entry names one file,
/// or several merged in order (`path: [a.yaml, b.yaml]`), loaded as a project of its own —
/// paths relative to the including file, variables from the `.env` of its
/// `project_directory` (the first file's folder unless given) or from its `env_file` list,
/// its own `include` and `extends` resolved — and its services, networks, volumes, configs and
/// secrets join the including file's. A name both define is a conflict `docker compose`
/// refuses: reported, and the including file's definition kept.
///
/// Included files are appended to the project's files, so locations in them name them.
fn resolve_includes(
    root: &mut Node,
    file: &str,
    read: &Reader<'_>,
    project: &mut Project,
    chain: &mut Vec<String>,
) {
    let Value::Map(entries) = &mut root.value else {
        return;
    };
    let Some(i) = entries.iter().position(|e| e.key == "include") else {
        return;
    };
    let include = entries.remove(i).value;
    let here = |pos: Pos| Location::new(Arc::from(file), pos.line, pos.col);
    let (dir, _) = split_dir(file);
    let items: Vec<&Node> = match &include.value {
        Value::Seq(items) => items.iter().collect(),
        _ => {
            project.diagnostics.push(Diagnostic::new(
                DiagKind::Parse,
                here(include.pos),
                "`include` is a list of files or of {path, project_directory, env_file}",
            ));
            return;
        }
    };
    for item in items {
        let (paths, project_dir, env_files) = match &item.value {
            Value::Map(_) => (
                str_list(item.get("path")),
                item.get("project_directory").and_then(Node::as_str),
                str_list(item.get("env_file")),
            ),
            _ => (vec![item], None, Vec::new()),
        };
        let mut rels = Vec::new();
        for p in &paths {
            match p.as_str().and_then(|s| join(dir, s)) {
                Some(r) => rels.push(r),
                None => project.diagnostics.push(Diagnostic::new(
                    DiagKind::Reference,
                    here(p.pos),
                    format!(
                        "included file `{}` is outside the scanned folder: its services are not assessed",
                        p.as_str().unwrap_or("?")
                    ),
                )),
            }
        }
        let Some(first) = rels.first() else {
            continue;
        };
        let base_dir = match project_dir {
            Some(d) => join(dir, d).unwrap_or_else(|| split_dir(first).0.to_string()),
            None => split_dir(first).0.to_string(),
        };
        let vars = if env_files.is_empty() {
            read(&join(&base_dir, ".env").unwrap_or_else(|| ".env".into()))
                .map(|t| parse_env_file(&t))
                .unwrap_or_default()
        } else {
            let mut vars = BTreeMap::new();
            for e in env_files.iter().filter_map(|e| e.as_str()) {
                match join(dir, e).and_then(|p| read(&p)) {
                    Some(t) => vars.extend(parse_env_file(&t)),
                    None => project.diagnostics.push(Diagnostic::new(
                        DiagKind::Reference,
                        here(item.pos),
                        format!("include env_file `{e}` cannot be read"),
                    )),
                }
            }
            vars
        };
        let mut included: Option<Node> = None;
        for rel in rels {
            if chain.contains(&rel) {
                project.diagnostics.push(Diagnostic::new(
                    DiagKind::Reference,
                    here(item.pos),
                    format!("include cycle through `{rel}`"),
                ));
                continue;
            }
            if project.files.len() >= MAX_INCLUDED_FILES {
                project.diagnostics.push(Diagnostic::new(
                    DiagKind::TooLarge,
                    here(item.pos),
                    format!(
                        "more than {MAX_INCLUDED_FILES} files included in one project: `{rel}` and the rest are not assessed"
                    ),
                ));
                return;
            }
            let src = project.files.len() as u16;
            project.files.push(Arc::from(rel.as_str()));
            let Some(mut node) =
                read_compose_file(&rel, src, &vars, read, &mut project.diagnostics)
            else {
                continue;
            };
            resolve_extends(&mut node, &rel, &vars, read, &mut project.diagnostics);
            chain.push(rel.clone());
            resolve_includes(&mut node, &rel, read, project, chain);
            chain.pop();
            included = Some(match included {
                None => node,
                Some(base) => merge(base, node, &mut Vec::new()),
            });
        }
        if let Some(inc) = included {
            adopt_included(root, inc, file, &mut project.diagnostics);
        }
    }
}

/// Add an included project's resources to the including file, keeping the including file's
/// definition of a name both have (and saying so).
fn adopt_included(root: &mut Node, inc: Node, file: &str, diags: &mut Vec<Diagnostic>) {
    let Value::Map(inc_entries) = inc.value else {
        return;
    };
    let Value::Map(entries) = &mut root.value else {
        return;
    };
    for section in inc_entries {
        if !INCLUDED_SECTIONS.contains(&section.key.as_str()) {
            continue;
        }
        let Value::Map(items) = section.value.value else {
            continue;
        };
        let target = match entries.iter().position(|e| e.key == section.key) {
            Some(i) => &mut entries[i].value,
            None => {
                entries.push(Entry {
                    key: section.key.clone(),
                    key_pos: section.key_pos,
                    value: Node {
                        pos: section.value.pos,
                        tag: None,
                        value: Value::Map(Vec::new()),
                    },
                });
                &mut entries.last_mut().expect("just pushed").value
            }
        };
        let Value::Map(existing) = &mut target.value else {
            continue;
        };
        for item in items {
            if let Some(own) = existing.iter().find(|e| e.key == item.key) {
                diags.push(Diagnostic::new(
                    DiagKind::Reference,
                    Location::new(Arc::from(file), own.key_pos.line, own.key_pos.col),
                    format!(
                        "{} `{}` is defined here and in an included file: docker compose refuses the conflict; this definition is judged",
                        section.key, item.key
                    ),
                ));
                continue;
            }
            existing.push(item);
        }
    }
}

fn read_compose_file(
    path: &str,
    src: u16,
    vars: &BTreeMap<String, String>,
    read: &Reader<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Node> {
    let file: Arc<str> = Arc::from(path);
    let Some(text) = read(path) else {
        diags.push(Diagnostic::new(
            DiagKind::Reference,
            Location::file(file),
            "Compose file could not be read",
        ));
        return None;
    };
    let stream = yaml::parse(&text);
    for w in &stream.warnings {
        diags.push(Diagnostic::new(
            DiagKind::Parse,
            Location::new(file.clone(), w.pos.line, w.pos.col),
            w.message.clone(),
        ));
    }
    if let Some(e) = &stream.error {
        diags.push(Diagnostic::new(
            DiagKind::Parse,
            Location::new(file.clone(), e.pos.line, e.pos.col),
            format!("invalid YAML: {}", e.message),
        ));
        return None;
    }
    let mut root = stream.documents.into_iter().next()?.root;
    if root.is_null() {
        return None;
    }
    if root.as_map().is_none() {
        diags.push(Diagnostic::new(
            DiagKind::Parse,
            Location::new(file.clone(), root.pos.line, root.pos.col),
            format!("a Compose file is a mapping, found {}", root.kind_name()),
        ));
        return None;
    }
    root.retag(src);
    let mut required = Vec::new();
    root.map_scalars(&mut |text, pos| {
        if text.contains('$') {
            let s = substitute(text, vars, Dialect::Compose);
            for (name, msg) in s.required {
                required.push((pos, name, msg));
            }
            *text = s.text;
        }
    });
    for (pos, name, msg) in required {
        diags.push(Diagnostic::new(
            DiagKind::Reference,
            Location::new(file.clone(), pos.line, pos.col),
            format!(
                "required variable `{name}` is not set in .env{}",
                if msg.is_empty() {
                    String::new()
                } else {
                    format!(" ({msg})")
                }
            ),
        ));
    }
    Some(root)
}

/// Keys whose sequences are replaced, not appended, when merging.
const REPLACED: [&str; 4] = ["command", "entrypoint", "test", "dns_search"];

fn seq_key(parent: &str, item: &Node) -> Option<String> {
    match parent {
        "volumes" => Some(match item.as_str() {
            Some(s) => volume_target(s),
            None => item
                .get("target")
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string(),
        }),
        "devices" => item
            .as_str()
            .map(|s| s.split(':').nth(1).unwrap_or(s).to_string()),
        "environment" | "labels" | "extra_hosts" => item
            .as_str()
            .map(|s| s.split(['=', ':']).next().unwrap_or(s).to_string()),
        "secrets" | "configs" => Some(match item.as_str() {
            Some(s) => s.to_string(),
            None => item
                .get("source")
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string(),
        }),
        _ => item.as_str().map(str::to_string),
    }
}

fn volume_target(short: &str) -> String {
    let parts: Vec<&str> = short.split(':').collect();
    match parts.len() {
        1 => parts[0].to_string(),
        _ => parts[1].to_string(),
    }
}

/// Merge `over` onto `base` by the Compose merge rules: mappings key by key, most sequences
/// appended without repeats (volumes and devices by target, environment and labels by name),
/// commands replaced, and the `!reset` and `!override` tags honoured.
pub fn merge(base: Node, over: Node, path: &mut Vec<String>) -> Node {
    if over.tag.as_deref().is_some_and(|t| t.ends_with("override")) {
        return over;
    }
    match (base.value, over.value) {
        (Value::Map(mut b), Value::Map(o)) => {
            for e in o {
                if e.value.tag.as_deref().is_some_and(|t| t.ends_with("reset")) {
                    b.retain(|x| x.key != e.key);
                    continue;
                }
                match b.iter().position(|x| x.key == e.key) {
                    Some(i) => {
                        let old = b.remove(i);
                        path.push(e.key.clone());
                        let v = merge(old.value, e.value, path);
                        path.pop();
                        // the key stays where the base file declared it
                        b.insert(
                            i,
                            Entry {
                                key: e.key,
                                key_pos: old.key_pos,
                                value: v,
                            },
                        );
                    }
                    None => b.push(e),
                }
            }
            Node {
                pos: base.pos,
                tag: None,
                value: Value::Map(b),
            }
        }
        (Value::Seq(mut b), Value::Seq(o)) => {
            let key = path.last().cloned().unwrap_or_default();
            if REPLACED.contains(&key.as_str()) {
                return Node {
                    pos: over.pos,
                    tag: None,
                    value: Value::Seq(o),
                };
            }
            for item in o {
                let k = seq_key(&key, &item);
                match k.and_then(|k| {
                    b.iter()
                        .position(|x| seq_key(&key, x).as_deref() == Some(&k))
                }) {
                    Some(i) => b[i] = item,
                    None => b.push(item),
                }
            }
            Node {
                pos: over.pos,
                tag: None,
                value: Value::Seq(b),
            }
        }
        (_, o) => Node {
            pos: over.pos,
            tag: over.tag,
            value: o,
        },
    }
}

/// Resolve `extends` in every service of one file.
///
/// Each service is resolved once (`Extends::done`) and every file it reaches is read and
/// interpolated once, with an index of its services: 20,000 services extending each other, or
/// extending services of another file, cost work proportional to them, not to their square.
/// A chain longer than [`MAX_EXTENDS_DEPTH`] and a cycle are located diagnostics; the services
/// concerned keep what they declare themselves.
fn resolve_extends(
    root: &mut Node,
    file: &str,
    vars: &BTreeMap<String, String>,
    read: &Reader<'_>,
    diags: &mut Vec<Diagnostic>,
) {
    let Value::Map(entries) = &mut root.value else {
        return;
    };
    let Some(services_i) = entries.iter().position(|e| e.key == "services") else {
        return;
    };
    let Value::Map(services) = &entries[services_i].value.value else {
        return;
    };
    let names: Vec<String> = services.iter().map(|e| e.key.clone()).collect();
    let mut ext = Extends {
        vars,
        read,
        diags,
        files: HashMap::new(),
        done: HashMap::new(),
    };
    ext.files.insert(
        file.to_string(),
        Some(FileServices::new(entries[services_i].value.clone())),
    );
    let Value::Map(services) = &mut entries[services_i].value.value else {
        return;
    };
    for (svc, name) in services.iter_mut().zip(names) {
        if svc.value.get("extends").is_none() {
            continue;
        }
        if let Some(r) = ext.resolve(file, &name, &svc.value).node {
            svc.value = r;
        }
    }
}

/// How many `extends` one service may follow before vigie stops with a diagnostic.
const MAX_EXTENDS_DEPTH: usize = 16;

/// The services of one file, with the position of each name (the last definition wins).
struct FileServices {
    services: Node,
    index: HashMap<String, usize>,
}

impl FileServices {
    fn new(services: Node) -> Self {
        let mut index = HashMap::new();
        if let Value::Map(e) = &services.value {
            for (i, x) in e.iter().enumerate() {
                index.insert(x.key.clone(), i);
            }
        }
        FileServices { services, index }
    }

    fn get(&self, name: &str) -> Option<&Node> {
        crate::work::step(1);
        let i = *self.index.get(name)?;
        match &self.services.value {
            Value::Map(e) => e.get(i).map(|x| &x.value),
            _ => None,
        }
    }
}

/// A service with its `extends` resolved.
#[derive(Clone)]
struct Resolved {
    /// `None`: the service keeps what it declares (what it extends could not be resolved).
    node: Option<Node>,
    /// How many `extends` it follows, or [`TOO_DEEP`].
    height: usize,
}

const TOO_DEEP: usize = usize::MAX;

/// What one service's `extends` names.
enum Target {
    /// The service extends nothing.
    None,
    /// A located diagnostic was given (outside the folder, unreadable, undefined, a cycle).
    Failed,
    Found {
        file: String,
        name: String,
        node: Node,
    },
}

struct Extends<'x, 'r> {
    vars: &'x BTreeMap<String, String>,
    read: &'x Reader<'r>,
    diags: &'x mut Vec<Diagnostic>,
    /// Files reached by `extends`, read and interpolated once (`None`: could not be read).
    files: HashMap<String, Option<FileServices>>,
    /// Services already resolved.
    done: HashMap<(String, String), Resolved>,
}

impl Extends<'_, '_> {
    /// Resolve one service: walk down what it extends (without recursion) to a service already
    /// resolved, one that extends nothing or an error, then merge back up, remembering each
    /// result. A walk stops past the depth bound, so it costs at most that many steps.
    fn resolve(&mut self, file: &str, name: &str, svc: &Node) -> Resolved {
        let key = (file.to_string(), name.to_string());
        if let Some(r) = self.done.get(&key) {
            return r.clone();
        }
        let mut chain: Vec<(String, String, Node)> = vec![(key.0, key.1, svc.clone())];
        let below = loop {
            let (f, _, node) = chain.last().expect("the chain starts with the service");
            match self.target(node, f, &chain) {
                Target::None | Target::Failed => {
                    break Resolved {
                        node: None,
                        height: 0,
                    };
                }
                Target::Found { file, name, node } => {
                    if let Some(r) = self.done.get(&(file.clone(), name.clone())) {
                        let r = r.clone();
                        chain.push((file, name, node));
                        break r;
                    }
                    if chain.len() > MAX_EXTENDS_DEPTH + 1 {
                        // the first service is over the bound whatever lies below
                        break Resolved {
                            node: None,
                            height: TOO_DEEP,
                        };
                    }
                    chain.push((file, name, node));
                }
            }
        };
        let truncated = below.height == TOO_DEEP && chain.len() > MAX_EXTENDS_DEPTH + 1;
        if truncated {
            let (f, n, node) = &chain[0];
            let r = self.too_deep(node, f);
            self.done.insert((f.clone(), n.clone()), r.clone());
            return r;
        }
        // `below` resolves the last element of the chain when it was already known; otherwise
        // the last element is the bottom itself
        let mut i = chain.len() - 1;
        let mut r = below;
        let last = (chain[i].0.clone(), chain[i].1.clone());
        if self.done.contains_key(&last) {
            i -= 1;
            r = self.merge_base(&chain[i], &chain[i + 1], &r);
            self.done
                .insert((chain[i].0.clone(), chain[i].1.clone()), r.clone());
        } else {
            self.done.insert(last, r.clone());
        }
        while i > 0 {
            i -= 1;
            r = self.merge_base(&chain[i], &chain[i + 1], &r);
            self.done
                .insert((chain[i].0.clone(), chain[i].1.clone()), r.clone());
        }
        r
    }

    fn too_deep(&mut self, svc: &Node, file: &str) -> Resolved {
        if let Some(ext) = svc.get("extends") {
            self.diags.push(Diagnostic::new(
                DiagKind::Reference,
                Location::new(Arc::from(file), ext.pos.line, ext.pos.col),
                format!("extends chain is too deep (more than {MAX_EXTENDS_DEPTH} services)"),
            ));
        }
        Resolved {
            node: None,
            height: TOO_DEEP,
        }
    }

    /// A service (`top`) merged over what it extends (`base`, resolved as `resolved`).
    fn merge_base(
        &mut self,
        top: &(String, String, Node),
        base: &(String, String, Node),
        resolved: &Resolved,
    ) -> Resolved {
        let (file, _, svc) = top;
        if resolved.height >= MAX_EXTENDS_DEPTH {
            return self.too_deep(svc, file);
        }
        let Some(ext) = svc.get("extends") else {
            return Resolved {
                node: None,
                height: 0,
            };
        };
        let mut node = resolved.node.clone().unwrap_or_else(|| base.2.clone());
        if base.0 != *file {
            // fields inherited from another file are reported at the `extends` line: the
            // extended file keeps its own src tag of 0, which the extending project cannot
            // resolve
            relocate(&mut node, ext.pos);
        }
        let mut own = svc.clone();
        if let Value::Map(e) = &mut own.value {
            e.retain(|x| x.key != "extends");
        }
        if let Value::Map(e) = &mut node.value {
            // per the Compose specification these are never inherited
            e.retain(|x| !matches!(x.key.as_str(), "depends_on" | "links" | "volumes_from"));
        }
        Resolved {
            node: Some(merge(node, own, &mut Vec::new())),
            height: resolved.height + 1,
        }
    }

    /// Read the services of another file once.
    fn load(&mut self, p: &str) -> bool {
        if !self.files.contains_key(p) {
            let root = (self.read)(p).and_then(|t| {
                let s = yaml::parse(&t);
                s.documents.into_iter().next().map(|d| d.root)
            });
            let loaded = root.map(|mut root| {
                root.map_scalars(&mut |text, _| {
                    if text.contains('$') {
                        *text = substitute(text, self.vars, Dialect::Compose).text;
                    }
                });
                let services = root.get("services").cloned().unwrap_or(root);
                FileServices::new(services)
            });
            self.files.insert(p.to_string(), loaded);
        }
        self.files.get(p).is_some_and(Option::is_some)
    }

    /// What `svc` (in `file`) extends; `chain` is the walk so far, for cycles.
    fn target(&mut self, svc: &Node, file: &str, chain: &[(String, String, Node)]) -> Target {
        let Some(ext) = svc.get("extends") else {
            return Target::None;
        };
        let here = Location::new(Arc::from(file), ext.pos.line, ext.pos.col);
        let (target, other_file) = match ext.as_str() {
            Some(s) => (s.to_string(), None),
            None => (
                ext.get("service")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string(),
                ext.get("file").and_then(Node::as_str).map(str::to_string),
            ),
        };
        let target_file = match other_file {
            Some(f) => {
                let (dir, _) = split_dir(file);
                let Some(p) = join(dir, &f) else {
                    self.diags.push(Diagnostic::new(
                        DiagKind::Reference,
                        here,
                        format!("extends file `{f}` is outside the scanned folder"),
                    ));
                    return Target::Failed;
                };
                if !self.load(&p) {
                    self.diags.push(Diagnostic::new(
                        DiagKind::Reference,
                        here,
                        format!("extends file `{p}` could not be read or parsed"),
                    ));
                    return Target::Failed;
                }
                p
            }
            None => file.to_string(),
        };
        if chain
            .iter()
            .any(|(f, s, _)| *f == target_file && *s == target)
        {
            self.diags.push(Diagnostic::new(
                DiagKind::Reference,
                here,
                format!("extends cycle through service `{target}`"),
            ));
            return Target::Failed;
        }
        let Some(node) = self
            .files
            .get(&target_file)
            .and_then(Option::as_ref)
            .and_then(|f| f.get(&target))
            .cloned()
        else {
            self.diags.push(Diagnostic::new(
                DiagKind::Reference,
                here,
                format!("extends names service `{target}`, which `{target_file}` does not define"),
            ));
            return Target::Failed;
        };
        Target::Found {
            file: target_file,
            name: target,
            node,
        }
    }
}

fn relocate(n: &mut Node, pos: Pos) {
    n.pos = pos;
    match &mut n.value {
        Value::Scalar { .. } => {}
        Value::Seq(v) => v.iter_mut().for_each(|c| relocate(c, pos)),
        Value::Map(v) => v.iter_mut().for_each(|e| {
            e.key_pos = pos;
            relocate(&mut e.value, pos);
        }),
    }
}

/// The outcome of lowering a project.
pub struct Lowered {
    pub workloads: Vec<Workload>,
    /// Dockerfiles (relative paths) built by the project's services.
    pub builds: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

fn str_list(n: Option<&Node>) -> Vec<&Node> {
    match n {
        None => Vec::new(),
        Some(n) => match &n.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Scalar { .. } if !n.is_null() => vec![n],
            _ => Vec::new(),
        },
    }
}

/// Lower every service of a project into a workload.
pub fn lower(
    project: &Project,
    dockerfiles: &HashMap<&str, &Dockerfile>,
    catalog: &Catalog,
) -> Lowered {
    let mut out = Lowered {
        workloads: Vec::new(),
        builds: Vec::new(),
        diagnostics: Vec::new(),
    };
    let Some(root) = &project.merged else {
        return out;
    };
    for svc in root.get("services").map(Node::entries).unwrap_or(&[]) {
        let s = &svc.value;
        let at = |n: &Node| project.loc(n.pos);
        let key_at = |e: &Entry| project.loc(e.key_pos);
        let origin = project.loc(svc.key_pos);
        let mut w = Workload::new(
            Platform::Compose,
            format!("{} › services.{}", project.name, svc.key),
            svc.key.clone(),
            origin.clone(),
            project.name.clone(),
            "service",
        );
        w.image = s.get("image").and_then(|n| {
            n.as_str()
                .filter(|v| !v.trim().is_empty())
                .map(|v| At::new(v.to_string(), at(n)))
        });
        // build: the Dockerfile, its target stage and build args
        let mut built: Option<(&Dockerfile, Option<String>, BTreeMap<String, String>)> = None;
        if let Some(b) = s.get("build") {
            let (context, dockerfile, target, args) = match b.as_str() {
                Some(ctx) => (
                    ctx.to_string(),
                    "Dockerfile".to_string(),
                    None,
                    BTreeMap::new(),
                ),
                None => {
                    let mut args = BTreeMap::new();
                    match b.get("args").map(|a| &a.value) {
                        Some(Value::Map(es)) => {
                            for e in es {
                                if let Some(v) = e.value.as_str() {
                                    args.insert(e.key.clone(), v.to_string());
                                }
                            }
                        }
                        Some(Value::Seq(items)) => {
                            for i in items {
                                if let Some((k, v)) = i.as_str().and_then(|t| t.split_once('=')) {
                                    args.insert(k.to_string(), v.to_string());
                                }
                            }
                        }
                        _ => {}
                    }
                    (
                        b.get("context")
                            .and_then(Node::as_str)
                            .unwrap_or(".")
                            .to_string(),
                        b.get("dockerfile")
                            .and_then(Node::as_str)
                            .unwrap_or("Dockerfile")
                            .to_string(),
                        b.get("target").and_then(Node::as_str).map(str::to_string),
                        args,
                    )
                }
            };
            let remote = context.contains("://") || context.starts_with("git@");
            let inline = b.get("dockerfile_inline").is_some();
            if !remote && !inline {
                let path = join(&project.dir, &context).and_then(|c| join(&c, &dockerfile));
                match path.as_deref().and_then(|p| dockerfiles.get(p).map(|d| (p, *d))) {
                    Some((p, d)) => {
                        out.builds.push(p.to_string());
                        w.build = Some(BuildRef {
                            dockerfile: d.path.clone(),
                            target: target.clone(),
                            at: at(b),
                        });
                        built = Some((d, target, args));
                    }
                    None => out.diagnostics.push(Diagnostic::new(
                        DiagKind::Reference,
                        at(b),
                        format!(
                            "service `{}` builds from `{}`, which is not in the scanned folder or could not be parsed",
                            svc.key,
                            path.unwrap_or_else(|| format!("{context}/{dockerfile}"))
                        ),
                    )),
                }
            }
        }
        // the effective user
        // an empty `user:` (an unset variable) leaves the image's user in force, as docker does
        w.user = if let Some(u) = s
            .get("user")
            .filter(|n| n.as_str().is_some_and(|t| !t.trim().is_empty()))
        {
            UserSource::Runtime(At::new(u.as_str().unwrap_or_default().to_string(), at(u)))
        } else if let Some((d, target, args)) = &built {
            match d.target_stage(target.as_deref()) {
                Some(i) => d.image_user(i, args, catalog, &at(s)),
                None => {
                    out.diagnostics.push(Diagnostic::new(
                        DiagKind::Reference,
                        w.build
                            .as_ref()
                            .map(|b| b.at.clone())
                            .unwrap_or(origin.clone()),
                        format!(
                            "build target `{}` is not a stage of `{}`",
                            target.clone().unwrap_or_default(),
                            d.path
                        ),
                    ));
                    UserSource::UnknownImage(w.image.clone())
                }
            }
        } else {
            match w
                .image
                .as_ref()
                .and_then(|i| catalog.nonroot_image(&i.value).map(|k| (i, k)))
            {
                Some((i, k)) => UserSource::KnownImage {
                    image: i.clone(),
                    user: k.user.clone(),
                },
                None => UserSource::UnknownImage(w.image.clone()),
            }
        };
        let flag = |k: &str| {
            s.get(k)
                .and_then(|n| n.as_bool().map(|b| At::new(b, at(n))))
        };
        w.privileged = flag("privileged");
        w.read_only_rootfs = flag("read_only");
        for opt in str_list(s.get("security_opt")) {
            let Some(t) = opt.as_str() else { continue };
            let (k, v) = match t.split_once(['=', ':']) {
                Some((k, v)) => (k.trim(), v.trim()),
                None => (t.trim(), ""),
            };
            match k {
                "no-new-privileges" => {
                    w.no_new_privileges = Some(At::new(v.is_empty() || v == "true", at(opt)))
                }
                "seccomp" => {
                    let p = if v == "unconfined" {
                        Profile::Unconfined
                    } else if v.is_empty() || v == "default" || v == "builtin" {
                        Profile::RuntimeDefault
                    } else {
                        Profile::File(join(&project.dir, v).unwrap_or_else(|| v.to_string()))
                    };
                    w.seccomp = Some(At::new(p, at(opt)));
                }
                "apparmor" => {
                    let p = if v == "unconfined" {
                        Profile::Unconfined
                    } else {
                        Profile::Localhost(v.to_string())
                    };
                    w.apparmor = Some(At::new(p, at(opt)));
                }
                _ => {}
            }
        }
        for (key, dst) in [("cap_add", &mut w.cap_add), ("cap_drop", &mut w.cap_drop)] {
            for n in str_list(s.get(key)) {
                if let Some(t) = n.as_str() {
                    dst.push(At::new(t.to_string(), at(n)));
                }
            }
        }
        for (key, ns) in [
            ("network_mode", Namespace::Network),
            ("pid", Namespace::Pid),
            ("ipc", Namespace::Ipc),
            ("uts", Namespace::Uts),
            ("userns_mode", Namespace::User),
        ] {
            if let Some(e) = s.entry(key)
                && e.value.as_str() == Some("host")
            {
                w.host_namespaces.push((ns, key_at(e)));
            }
        }
        for d in str_list(s.get("devices")) {
            let text = d.as_str().map(str::to_string).unwrap_or_else(|| {
                d.get("source")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string()
            });
            w.devices.push(At::new(text, at(d)));
        }
        for v in str_list(s.get("volumes")) {
            w.mounts.push(volume_mount(v, at(v)));
        }
        for t in str_list(s.get("tmpfs")) {
            if let Some(p) = t.as_str() {
                w.mounts.push(Mount {
                    kind: MountKind::Scratch,
                    source: None,
                    target: p.split(':').next().unwrap_or(p).to_string(),
                    read_only: false,
                    at: at(t),
                });
            }
        }
        let value = |n: &Node| n.as_str().map(|v| At::new(v.to_string(), at(n)));
        let limits = s.path(&["deploy", "resources", "limits"]);
        w.memory_limit = s
            .get("mem_limit")
            .and_then(value)
            .or_else(|| limits.and_then(|l| l.get("memory")).and_then(value));
        w.cpu_limit = s
            .get("cpus")
            .and_then(value)
            .or_else(|| s.get("cpu_quota").and_then(value))
            .or_else(|| limits.and_then(|l| l.get("cpus")).and_then(value));
        w.pids_limit = s
            .get("pids_limit")
            .and_then(value)
            .filter(|v| v.value != "-1" && v.value != "0")
            .or_else(|| limits.and_then(|l| l.get("pids")).and_then(value));
        w.cgroup_parent = s.get("cgroup_parent").and_then(value);
        w.healthcheck = s.entry("healthcheck").map(|e| {
            let disabled = e.value.get("disable").and_then(Node::as_bool) == Some(true)
                || e.value
                    .get("test")
                    .and_then(|t| t.items().first().or(Some(t)))
                    .and_then(Node::as_str)
                    == Some("NONE");
            At::new(!disabled, key_at(e))
        });
        w.listens = ["ports", "expose"]
            .iter()
            .filter_map(|k| s.entry(k))
            .find(|e| !e.value.items().is_empty())
            .map(key_at);
        out.workloads.push(w);
    }
    out
}

/// A bind source as written; `~` and variables are left as they are.
fn host_path(s: &str) -> String {
    let t = s.trim_end_matches('/');
    if t.is_empty() && s.starts_with('/') {
        "/".to_string()
    } else {
        t.to_string()
    }
}

/// One entry of a service's `volumes:`, short (`src:dst[:mode]`) or long (`type`, `source`,
/// `target`, `read_only`) syntax; `at` is where it is written.
pub fn volume_mount(v: &Node, at: Location) -> Mount {
    if let Some(short) = v.as_str() {
        return short_volume(short, at);
    }
    let ty = v.get("type").and_then(Node::as_str).unwrap_or("volume");
    let source = v.get("source").and_then(Node::as_str).map(str::to_string);
    Mount {
        kind: match ty {
            "bind" => MountKind::Host,
            "tmpfs" => MountKind::Scratch,
            "volume" => MountKind::Volume,
            _ => MountKind::Other,
        },
        source: source.map(|s| host_path(&s)),
        target: v
            .get("target")
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string(),
        read_only: v.get("read_only").and_then(Node::as_bool).unwrap_or(false),
        at,
    }
}

/// `src:dst[:mode]`, `dst` (anonymous volume), `./rel:dst`, `name:dst`.
fn short_volume(short: &str, at: Location) -> Mount {
    let parts: Vec<&str> = short.split(':').collect();
    let (src, dst, mode) = match parts.as_slice() {
        [dst] => (None, *dst, ""),
        [src, dst] => (Some(*src), *dst, ""),
        [src, dst, mode, ..] => (Some(*src), *dst, *mode),
        [] => (None, "", ""),
    };
    let kind = match src {
        None => MountKind::Volume,
        Some(s)
            if s.starts_with('/')
                || s.starts_with('.')
                || s.starts_with('~')
                || s.starts_with('$') =>
        {
            MountKind::Host
        }
        Some(_) => MountKind::Volume,
    };
    Mount {
        kind,
        source: src.map(host_path),
        target: dst.to_string(),
        read_only: mode.split(',').any(|m| m == "ro"),
        at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(
        files: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&str) -> Option<String> + Sync {
        move |p: &str| {
            files
                .iter()
                .find(|(n, _)| *n == p)
                .map(|(_, t)| t.to_string())
        }
    }

    fn lower_files(
        files: &'static [(&'static str, &'static str)],
        project: &[&str],
    ) -> (Project, Lowered) {
        let r = reader(files);
        let p = load(
            &project.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            &r,
        );
        let dfs: Vec<Dockerfile> = files
            .iter()
            .filter(|(n, _)| n.ends_with("Dockerfile"))
            .map(|(n, t)| {
                Dockerfile::parse(Arc::new(vigie_core::SourceFile::new(*n, t.to_string()))).unwrap()
            })
            .collect();
        let map: HashMap<&str, &Dockerfile> = dfs.iter().map(|d| (&*d.path, d)).collect();
        let l = lower(&p, &map, Catalog::embedded());
        (p, l)
    }

    #[test]
    fn projects_group_base_override_and_variants() {
        let files: Vec<String> = [
            "docker-compose.yml",
            "docker-compose.override.yml",
            "docker-compose.prod.yml",
            "other/compose.yaml",
            "lone/docker-compose.ci.yml",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let g = group_projects(&files, &[]);
        assert_eq!(
            g,
            vec![
                vec![
                    "docker-compose.yml".to_string(),
                    "docker-compose.override.yml".to_string()
                ],
                vec![
                    "docker-compose.yml".to_string(),
                    "docker-compose.prod.yml".to_string()
                ],
                vec!["lone/docker-compose.ci.yml".to_string()],
                vec!["other/compose.yaml".to_string()],
            ]
        );
    }

    #[test]
    fn user_precedence_compose_over_dockerfile_target_over_last_stage() {
        static FILES: &[(&str, &str)] = &[
            (
                "docker-compose.yml",
                "services:\n  a:\n    build: ./api\n  b:\n    build: {context: ./api, target: build}\n  c:\n    build: ./api\n    user: \"0\"\n  d:\n    image: postgres:16\n",
            ),
            (
                "api/Dockerfile",
                "FROM node:20 AS build\nRUN npm ci\nFROM build AS final\nUSER node\n",
            ),
        ];
        let (_, l) = lower_files(FILES, &["docker-compose.yml"]);
        let w = |n: &str| l.workloads.iter().find(|w| w.name == n).unwrap();
        assert!(
            matches!(&w("a").user, UserSource::Dockerfile(u) if u.value == "node" && u.at.line == 4 && &*u.at.path == "api/Dockerfile")
        );
        assert!(
            matches!(&w("b").user, UserSource::DockerfileDefault { from } if from.value == "node:20")
        );
        assert!(matches!(&w("c").user, UserSource::Runtime(u) if u.value == "0" && u.at.line == 8));
        assert!(
            matches!(&w("d").user, UserSource::UnknownImage(Some(i)) if i.value == "postgres:16")
        );
        assert_eq!(l.builds.len(), 3);
    }

    #[test]
    fn anchors_merge_keys_interpolation_and_overrides() {
        static FILES: &[(&str, &str)] = &[
            (
                "docker-compose.yml",
                "x-hard: &hard\n  cap_drop: [ALL]\n  read_only: true\n  security_opt: [\"no-new-privileges:true\"]\nservices:\n  db:\n    <<: *hard\n    image: postgres:${PG_TAG:-15}\n    ports: [\"5432:5432\"]\n    volumes: [\"db:/var/lib/postgresql/data\"]\n",
            ),
            (
                "docker-compose.override.yml",
                "services:\n  db:\n    read_only: false\n    volumes: [\"./dev:/var/lib/postgresql/data:ro\", \"/var/run/docker.sock:/var/run/docker.sock\"]\n    cap_drop: !reset []\n",
            ),
            (".env", "PG_TAG=16.4-alpine\n"),
        ];
        let (p, l) = lower_files(
            FILES,
            &["docker-compose.yml", "docker-compose.override.yml"],
        );
        assert_eq!(p.name, "docker-compose.yml");
        let w = &l.workloads[0];
        assert_eq!(&*w.subject, "docker-compose.yml › services.db");
        assert_eq!(
            &*w.origin.path, "docker-compose.yml",
            "the service is declared in the base file"
        );
        assert_eq!(w.image.as_ref().unwrap().value, "postgres:16.4-alpine");
        let ro = w.read_only_rootfs.as_ref().unwrap();
        assert!(!ro.value);
        assert_eq!(&*ro.at.path, "docker-compose.override.yml");
        assert!(w.cap_drop.is_empty());
        assert_eq!(w.no_new_privileges.as_ref().unwrap().at.line, 4);
        assert_eq!(w.mounts.len(), 2, "{:?}", w.mounts);
        assert_eq!(w.mounts[0].kind, MountKind::Host);
        assert!(w.mounts[0].read_only);
        assert_eq!(w.mounts[1].source.as_deref(), Some("/var/run/docker.sock"));
    }

    #[test]
    fn extends_cost_linear_work_in_the_number_of_services() {
        let project = |n: usize| {
            let mut y = String::from("services:\n  base:\n    image: app:1\n    cap_drop: [ALL]\n");
            for i in 0..n {
                y.push_str(&format!("  s{i}:\n    extends: base\n    user: \"{i}\"\n"));
            }
            y
        };
        let work = |n: usize| {
            let text = project(n);
            let read = move |p: &str| (p == "compose.yaml").then(|| text.clone());
            let (bytes, _) = crate::work::measure(|| load(&["compose.yaml".to_string()], &read));
            bytes
        };
        let (w1, w2) = (work(1_000), work(2_000));
        let ratio = w2 as f64 / w1 as f64;
        assert!(
            (1.5..2.8).contains(&ratio),
            "ratio {ratio} ({w1} → {w2} bytes)"
        );
    }

    #[test]
    fn extends_chains_and_other_files_cost_work_proportional_to_the_services() {
        // chains of ten services extending the one before, and as many extending the services
        // of another file a tenth as large: each service and each file is resolved once
        let files = |n: usize| {
            let mut y = String::from("services:\n");
            for i in 0..n {
                if i % 10 == 0 {
                    y.push_str(&format!(
                        "  c{i}:\n    image: app:{i}\n    cap_drop: [ALL]\n"
                    ));
                } else {
                    y.push_str(&format!(
                        "  c{i}:\n    extends: c{}\n    user: \"{i}\"\n",
                        i - 1
                    ));
                }
                y.push_str(&format!(
                    "  f{i}:\n    extends: {{file: common.yml, service: b{}}}\n",
                    i % (n / 10)
                ));
            }
            let mut c = String::from("services:\n");
            for i in 0..n / 10 {
                c.push_str(&format!(
                    "  b{i}:\n    image: lib:{i}\n    read_only: true\n"
                ));
            }
            (y, c)
        };
        let work = |n: usize| {
            let (y, c) = files(n);
            let read = move |p: &str| match p {
                "compose.yaml" => Some(y.clone()),
                "common.yml" => Some(c.clone()),
                _ => None,
            };
            let mut project = None;
            let w = crate::work::measure(|| {
                project = Some(load(&["compose.yaml".to_string()], &read));
            });
            let p = project.unwrap();
            let m = p.merged.as_ref().unwrap();
            let last = m.path(&["services", &format!("c{}", n - 1)]).unwrap();
            assert_eq!(
                last.get("image").and_then(Node::as_str),
                Some(&*format!("app:{}", n - 10))
            );
            let f = m.path(&["services", "f3"]).unwrap();
            assert_eq!(f.get("image").and_then(Node::as_str), Some("lib:3"));
            assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
            w
        };
        let ((b1, s1), (b2, s2)) = (work(1_000), work(2_000));
        let (rb, rs) = (b2 as f64 / b1 as f64, s2 as f64 / s1 as f64);
        assert!((1.5..2.8).contains(&rb), "bytes ×{rb} ({b1} → {b2})");
        assert!((1.5..2.8).contains(&rs), "steps ×{rs} ({s1} → {s2})");
    }

    #[test]
    fn extends_too_deep_and_cycles_are_reported_once_each() {
        // a chain of 40, declared bottom first and top first: the same services are resolved
        // and the same are too deep, whatever the order
        for reversed in [false, true] {
            let mut svcs = vec!["  s0:\n    image: app:1\n".to_string()];
            for i in 1..40 {
                svcs.push(format!(
                    "  s{i}:\n    extends: s{}\n    user: \"{i}\"\n",
                    i - 1
                ));
            }
            if reversed {
                svcs.reverse();
            }
            let y = format!(
                "services:\n{}  a:\n    extends: b\n  b:\n    extends: a\n",
                svcs.concat()
            );
            let read = move |p: &str| (p == "compose.yaml").then(|| y.clone());
            let p = load(&["compose.yaml".to_string()], &read);
            let msgs: Vec<&str> = p.diagnostics.iter().map(|d| d.message.as_str()).collect();
            assert_eq!(
                msgs.iter().filter(|m| m.contains("cycle")).count(),
                1,
                "{msgs:?}"
            );
            // s17 … s39 each follow more than 16
            assert_eq!(
                msgs.iter().filter(|m| m.contains("too deep")).count(),
                23,
                "{msgs:?}"
            );
            let m = p.merged.as_ref().unwrap();
            let image = |n: &str| {
                m.path(&["services", n])
                    .and_then(|s| s.get("image"))
                    .and_then(Node::as_str)
                    .map(str::to_string)
            };
            assert_eq!(image("s16").as_deref(), Some("app:1"));
            assert_eq!(image("s17"), None);
        }
    }

    #[test]
    fn include_loads_each_file_as_its_own_project() {
        let read = reader(&[
            (
                "compose.yaml",
                "include:\n  - sub/db.yaml\n  - path: [sub/a.yaml, sub/b.yaml]\n    env_file: sub/custom.env\n  - loop.yaml\nservices:\n  web:\n    image: web:1\n",
            ),
            (
                "sub/db.yaml",
                "services:\n  db:\n    image: ${DB_IMAGE}\n    privileged: true\nvolumes:\n  data: {}\n",
            ),
            ("sub/.env", "DB_IMAGE=postgres:16\n"),
            ("sub/a.yaml", "services:\n  a:\n    image: ${TAG}\n"),
            ("sub/b.yaml", "services:\n  a:\n    user: root\n"),
            ("sub/custom.env", "TAG=a:2\n"),
            (
                "loop.yaml",
                "include:\n  - loop.yaml\nservices:\n  l:\n    image: l:1\n",
            ),
        ]);
        let p = load(&["compose.yaml".to_string()], &read);
        let m = p.merged.as_ref().unwrap();
        let svc = |n: &str| m.path(&["services", n]).cloned();
        let db = svc("db").expect("included service");
        assert_eq!(db.get("image").and_then(Node::as_str), Some("postgres:16"));
        assert_eq!(
            p.loc(db.get("privileged").unwrap().pos).to_string(),
            "sub/db.yaml:4:17"
        );
        let a = svc("a").expect("merged from two files");
        assert_eq!(a.get("image").and_then(Node::as_str), Some("a:2"));
        assert_eq!(a.get("user").and_then(Node::as_str), Some("root"));
        assert!(svc("web").is_some() && svc("l").is_some());
        assert!(m.path(&["volumes", "data"]).is_some());
        assert!(
            p.diagnostics
                .iter()
                .any(|d| d.message.contains("include cycle")),
            "{:?}",
            p.diagnostics
        );
    }

    #[test]
    fn extends_within_and_across_files_and_cycles() {
        static FILES: &[(&str, &str)] = &[
            (
                "compose.yaml",
                "services:\n  base:\n    image: app:1\n    cap_drop: [ALL]\n  web:\n    extends: base\n    user: \"1000\"\n  ext:\n    extends: {file: common.yml, service: hardened}\n  loop1:\n    extends: loop2\n  loop2:\n    extends: loop1\n  missing:\n    extends: nope\n",
            ),
            (
                "common.yml",
                "services:\n  hardened:\n    image: lib:2\n    read_only: true\n",
            ),
        ];
        let (p, l) = lower_files(FILES, &["compose.yaml"]);
        let w = |n: &str| l.workloads.iter().find(|w| w.name == n).unwrap();
        assert_eq!(w("web").cap_drop[0].value, "ALL");
        assert_eq!(w("web").image.as_ref().unwrap().value, "app:1");
        assert!(w("ext").read_only_rootfs.as_ref().unwrap().value);
        // inherited from another file: reported at the extends line
        assert_eq!(w("ext").read_only_rootfs.as_ref().unwrap().at.line, 9);
        let msgs: Vec<&str> = p.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert!(msgs.iter().any(|m| m.contains("cycle")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.contains("does not define")),
            "{msgs:?}"
        );
    }

    #[test]
    fn security_opt_and_limits_forms() {
        static FILES: &[(&str, &str)] = &[(
            "compose.yml",
            "services:\n  a:\n    image: x:1\n    security_opt: [\"seccomp=./sec/p.json\", \"apparmor:unconfined\", \"no-new-privileges\"]\n    deploy: {resources: {limits: {memory: 256M, cpus: '0.5', pids: 100}}}\n    network_mode: host\n    pid: host\n  b:\n    image: x:1\n    mem_limit: 1g\n    cpus: 2\n    pids_limit: -1\n    tmpfs: /tmp\n    healthcheck: {disable: true}\n",
        )];
        let (_, l) = lower_files(FILES, &["compose.yml"]);
        let a = &l.workloads[0];
        assert_eq!(
            a.seccomp.as_ref().unwrap().value,
            Profile::File("sec/p.json".into())
        );
        assert_eq!(a.apparmor.as_ref().unwrap().value, Profile::Unconfined);
        assert!(a.no_new_privileges.as_ref().unwrap().value);
        assert_eq!(a.memory_limit.as_ref().unwrap().value, "256M");
        assert_eq!(a.pids_limit.as_ref().unwrap().value, "100");
        assert_eq!(a.host_namespaces.len(), 2);
        let b = &l.workloads[1];
        assert_eq!(b.memory_limit.as_ref().unwrap().value, "1g");
        assert!(b.pids_limit.is_none());
        assert_eq!(b.mounts[0].kind, MountKind::Scratch);
        assert!(!b.healthcheck.as_ref().unwrap().value);
    }

    #[test]
    fn empty_user_is_unset_and_root_bind_is_kept() {
        static FILES: &[(&str, &str)] = &[(
            "compose.yml",
            "services:\n  a:\n    image: gcr.io/distroless/static:nonroot\n    user: \"${NOPE}\"\n    volumes: [\"/:/host:ro\"]\n",
        )];
        let (_, l) = lower_files(FILES, &["compose.yml"]);
        let a = &l.workloads[0];
        assert!(!matches!(a.user, UserSource::Runtime(_)), "{:?}", a.user);
        assert_eq!(a.mounts[0].source.as_deref(), Some("/"));
    }
}
