//! The build itself, in Kustomize's order: a kustomization's `resources` (files, folders,
//! nested kustomizations, each built first), then its `components` (each applied to what has
//! been accumulated so far), then its generators, then its transformers; at the top, hash
//! suffixes, name references, and the output order.
//!
//! Every problem is a diagnostic located at the line that names the culprit; the build goes on
//! without what could not be read, and [`Built::failure`] keeps the first problem for which
//! `kubectl kustomize` would refuse to build.

use crate::tree;
use crate::{Built, BuiltObject};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use vigie_core::{DiagKind, Diagnostic, Location};
use vigie_parse::yaml::{Node, Pos};

/// An object being built, with what Kustomize remembers about it.
#[derive(Debug, Clone)]
pub(crate) struct Obj {
    pub node: Node,
    /// Names the object had before (original first), for patches that name the base object
    /// and for reference rewriting.
    pub old_names: Vec<String>,
    /// Namespaces the object had before.
    pub old_namespaces: Vec<String>,
    /// A generated object whose name takes the content hash at the end of the build.
    pub needs_hash: bool,
    /// Prefixes and suffixes added, innermost first (to tell apart same-named objects of
    /// different bases when rewriting references, as Kustomize does).
    pub affixes: Vec<String>,
}

impl Obj {
    pub fn new(node: Node) -> Obj {
        Obj {
            node,
            old_names: Vec::new(),
            old_namespaces: Vec::new(),
            needs_hash: false,
            affixes: Vec::new(),
        }
    }
    pub fn kind(&self) -> &str {
        tree::str_at(&self.node, &["kind"])
    }
    pub fn name(&self) -> &str {
        tree::str_at(&self.node, &["metadata", "name"])
    }
    pub fn namespace(&self) -> &str {
        tree::str_at(&self.node, &["metadata", "namespace"])
    }
    pub fn api_version(&self) -> &str {
        tree::str_at(&self.node, &["apiVersion"])
    }
    pub fn group(&self) -> &str {
        group_of(self.api_version())
    }
    pub fn version(&self) -> &str {
        let a = self.api_version();
        a.rsplit_once('/').map(|(_, v)| v).unwrap_or(a)
    }
    /// Whether the object had or has this name.
    pub fn had_name(&self, n: &str) -> bool {
        self.name() == n || self.old_names.iter().any(|o| o == n)
    }
    pub fn had_namespace(&self, ns: &str) -> bool {
        let norm = |s: &str| if s.is_empty() { "default" } else { s }.to_string();
        norm(self.namespace()) == norm(ns)
            || self.old_namespaces.iter().any(|o| norm(o) == norm(ns))
    }
    pub fn original_name(&self) -> &str {
        self.old_names
            .first()
            .map(String::as_str)
            .unwrap_or(self.name())
    }
    /// Rename, remembering the old name.
    pub fn rename(&mut self, new: &str, pos: Pos) {
        let old = self.name().to_string();
        if old == new {
            return;
        }
        self.old_names.push(old);
        if let Some(m) = tree::ensure_map(&mut self.node, "metadata", pos) {
            tree::set(m, "name", tree::scalar(new, pos));
        }
    }
    fn id(&self) -> (String, String, String, String) {
        (
            self.group().to_string(),
            self.kind().to_string(),
            self.namespace().to_string(),
            self.name().to_string(),
        )
    }
    pub fn describe(&self) -> String {
        let ns = self.namespace();
        if ns.is_empty() {
            format!("{} {}", self.kind(), self.name())
        } else {
            format!("{} {}/{}", self.kind(), ns, self.name())
        }
    }
}

pub(crate) fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("")
}

/// State shared by the whole build: the file table, diagnostics, and what is being built.
pub(crate) struct Ctx {
    pub files: Vec<String>,
    file_ids: HashMap<PathBuf, u16>,
    pub diagnostics: Vec<Diagnostic>,
    pub failure: Option<String>,
    /// Problems for which Kustomize refuses to build, so far.
    errors: usize,
    /// A resource or component of the build was not read (refused, missing, remote): a patch
    /// or replacement that then finds nothing to act on says nothing of its own.
    pub left_out: bool,
    included: Vec<PathBuf>,
    included_set: HashSet<PathBuf>,
    /// Kustomization folders being built, outermost first (cycle detection).
    stack: Vec<PathBuf>,
    /// The repository holding the top kustomization (its git work tree), if any.
    repo_root: Option<PathBuf>,
}

/// A kustomization read from its folder.
pub(crate) struct Kustomization {
    pub dir: PathBuf,
    pub node: Node,
    pub src: u16,
}

impl Kustomization {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.node.get(key).filter(|n| !n.is_null())
    }
    pub fn pos_of(&self, key: &str) -> Pos {
        self.node.entry(key).map(|e| e.key_pos).unwrap_or(Pos {
            line: 1,
            col: 1,
            src: self.src,
        })
    }
}

const KUSTOMIZATION_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

pub(crate) fn build(dir: &Path) -> Built {
    let mut cx = Ctx {
        files: Vec::new(),
        file_ids: HashMap::new(),
        diagnostics: Vec::new(),
        failure: None,
        errors: 0,
        left_out: false,
        included: Vec::new(),
        included_set: HashSet::new(),
        stack: Vec::new(),
        repo_root: repo_root(dir),
    };
    let dir = normalize(dir);
    let mut objs = match cx.read_kustomization(&dir, None) {
        Some(k) => cx.build_kustomization(&k),
        None => Vec::new(),
    };
    crate::generate::add_hash_suffixes(&mut objs);
    objs.iter_mut().for_each(drop_empty_metadata_maps);
    crate::nameref::fix_references(&mut objs);
    sort_legacy(&mut objs);
    Built {
        objects: objs
            .into_iter()
            .map(|o| BuiltObject { node: o.node })
            .collect(),
        files: cx.files,
        diagnostics: cx.diagnostics,
        failure: cx.failure,
        included: cx.included,
    }
}

/// Kustomize prints no `annotations:` that is null or empty (it rewrites every object's
/// annotations, and drops them when none are left); `labels:` stay as written.
fn drop_empty_metadata_maps(o: &mut Obj) {
    if let Some(meta) = tree::get_mut(&mut o.node, "metadata") {
        let empty = meta
            .get("annotations")
            .is_some_and(|v| v.is_null() || v.as_map().is_some_and(|m| m.is_empty()));
        if empty {
            tree::remove(meta, "annotations");
        }
    }
}

/// The git work tree above `dir`, the boundary no file of a build may leave.
fn repo_root(dir: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(dir).ok()?;
    abs.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

/// `a/./b/../c` → `a/c`, without touching the file system (symbolic links are resolved only
/// for the repository boundary check).
pub(crate) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_normal =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_normal {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

impl Ctx {
    pub fn file_id(&mut self, p: &Path) -> u16 {
        if let Some(&id) = self.file_ids.get(p) {
            return id;
        }
        let id = self.files.len().min(u16::MAX as usize) as u16;
        self.files.push(p.to_string_lossy().into_owned());
        self.file_ids.insert(p.to_path_buf(), id);
        id
    }

    pub fn include(&mut self, p: &Path) {
        if self.included_set.insert(p.to_path_buf()) {
            self.included.push(p.to_path_buf());
        }
    }

    fn location(&self, pos: Pos) -> Location {
        let path = self
            .files
            .get(pos.src as usize)
            .cloned()
            .unwrap_or_default();
        Location::new(
            path.into(),
            pos.line,
            if pos.line > 0 { pos.col } else { 0 },
        )
    }

    /// A problem for which `kubectl kustomize` refuses to build.
    pub fn error(&mut self, kind: DiagKind, pos: Pos, message: String) {
        self.errors += 1;
        if self.failure.is_none() {
            self.failure = Some(message.clone());
        }
        let loc = self.location(pos);
        self.diagnostics.push(Diagnostic::new(kind, loc, message));
    }

    /// A problem Kustomize lets pass, reported so nothing is lost silently.
    pub fn warn(&mut self, kind: DiagKind, pos: Pos, message: String) {
        let loc = self.location(pos);
        self.diagnostics.push(Diagnostic::new(kind, loc, message));
    }

    /// A patch or replacement that found no object to act on. When part of the build was left
    /// out, the objects it names may be in that part: the entry that was not read is the one
    /// problem reported (once, where it is listed), and this consequence is not reported again.
    /// Otherwise it is an error when Kustomize refuses to build (`refuses`), else a warning.
    pub fn unmatched(&mut self, refuses: bool, pos: Pos, message: String) {
        if self.left_out {
            return;
        }
        if refuses {
            self.error(DiagKind::Reference, pos, message);
        } else {
            // Kustomize builds the unit without it, and so does vigie: what is judged is what
            // is applied, so the checks see the missed patch's effect (or its absence)
            let loc = self.location(pos);
            self.diagnostics.push(Diagnostic::dangling(loc, message));
        }
    }

    /// A patch that matches nothing where that is its expected case: an info note.
    pub fn unmatched_expected(&mut self, pos: Pos, message: String) {
        if self.left_out {
            return;
        }
        let mut d = Diagnostic::dangling(self.location(pos), message);
        d.severity = vigie_core::Severity::Info;
        self.diagnostics.push(d);
    }

    /// Read a file of the build (recorded as included), or report why not at `at`.
    pub fn read(&mut self, p: &Path, at: Pos) -> Option<(String, u16)> {
        if !self.inside_repository(p) {
            self.error(
                DiagKind::Reference,
                at,
                format!("{} is outside the repository; it was not read", p.display()),
            );
            return None;
        }
        match std::fs::read(p) {
            Ok(bytes) => {
                let id = self.file_id(p);
                self.include(p);
                match String::from_utf8(bytes) {
                    Ok(s) => Some((s, id)),
                    Err(_) => {
                        self.error(
                            DiagKind::Encoding,
                            Pos {
                                line: 0,
                                col: 0,
                                src: id,
                            },
                            format!("{} is not valid UTF-8; it was not read", p.display()),
                        );
                        None
                    }
                }
            }
            Err(e) => {
                let why = self.generated_note(p);
                self.error(
                    DiagKind::Reference,
                    at,
                    format!("cannot read {}: {e}{why}", p.display()),
                );
                None
            }
        }
    }

    /// What to add to "no such file" when the repository keeps the file out of git: the
    /// nearest `.gitignore` (up to the work tree's root) with the pattern that ignores it. Such
    /// a file is generated before the build (`make deploy` writing `params.env`), not lost;
    /// the unit is still judged without it, so the finding stays.
    pub fn generated_note(&self, p: &Path) -> String {
        let root = self.repo_root.as_deref();
        let mut dir = p.parent();
        while let Some(d) = dir {
            let file = d.join(".gitignore");
            if file.is_file() {
                let (gi, _) = ignore::gitignore::Gitignore::new(&file);
                if let ignore::Match::Ignore(g) = gi.matched_path_or_any_parents(p, false) {
                    return format!(
                        "; {} ignores it (`{}`): it is generated before the build, so generate it, then scan",
                        file.display(),
                        g.original()
                    );
                }
            }
            if root.is_some_and(|r| std::fs::canonicalize(d).is_ok_and(|c| c == r)) {
                break;
            }
            dir = d.parent();
        }
        String::new()
    }

    pub fn inside_repository(&self, p: &Path) -> bool {
        let Some(root) = &self.repo_root else {
            return true;
        };
        match std::fs::canonicalize(p) {
            Ok(abs) => abs.starts_with(root),
            Err(_) => {
                // Not existing: judge the nearest existing ancestor.
                let parent = p.parent().and_then(|d| std::fs::canonicalize(d).ok());
                parent.is_none_or(|d| d.starts_with(root))
            }
        }
    }

    /// Read the kustomization file of folder `dir` (`at`: the line that named the folder).
    pub fn read_kustomization(&mut self, dir: &Path, at: Option<Pos>) -> Option<Kustomization> {
        let at = at.unwrap_or_default();
        let found: Vec<PathBuf> = KUSTOMIZATION_NAMES
            .iter()
            .map(|n| dir.join(n))
            .filter(|p| p.is_file())
            .collect();
        let file = match found.as_slice() {
            [] => {
                self.error(
                    DiagKind::Reference,
                    at,
                    format!(
                        "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                        dir.display()
                    ),
                );
                return None;
            }
            [one] => one.clone(),
            [first, ..] => {
                self.error(
                    DiagKind::Config,
                    at,
                    format!(
                        "found multiple kustomization files under: {}",
                        dir.display()
                    ),
                );
                first.clone()
            }
        };
        self.include(dir);
        let (text, src) = self.read(&file, at)?;
        let stream = vigie_parse::yaml::parse(&text);
        if let Some(e) = &stream.error {
            let pos = Pos { src, ..e.pos };
            self.error(
                DiagKind::Parse,
                pos,
                format!("{}: {}", file.display(), e.message),
            );
        }
        let mut node = stream
            .documents
            .into_iter()
            .next()
            .map(|d| d.root)
            .unwrap_or_else(|| tree::map(Pos::default()));
        node.retag(src);
        if node.as_map().is_none() {
            self.error(
                DiagKind::Parse,
                node.pos,
                format!("{} is not a mapping", file.display()),
            );
            node = tree::map(Pos {
                line: 1,
                col: 1,
                src,
            });
        }
        Some(Kustomization {
            dir: dir.to_path_buf(),
            node,
            src,
        })
    }

    /// Build a kustomization (not a component): its own accumulation, transformed.
    fn build_kustomization(&mut self, k: &Kustomization) -> Vec<Obj> {
        self.stack.push(k.dir.clone());
        let mut objs = Vec::new();
        self.accumulate(k, &mut objs);
        self.stack.pop();
        objs
    }

    /// Resources, components, generators, transformers of `k`, into `objs`.
    fn accumulate(&mut self, k: &Kustomization, objs: &mut Vec<Obj>) {
        self.report_unsupported(k);
        self.accumulate_resources(k, objs);
        self.accumulate_components(k, objs);
        crate::generate::run(self, k, objs);
        crate::transform::run(self, k, objs);
        self.report_duplicates(objs, k);
    }

    fn report_unsupported(&mut self, k: &Kustomization) {
        for key in [
            "generators",
            "validators",
            "vars",
            "helmChartInflationGenerator",
            "openapi",
            "crds",
            "configurations",
        ] {
            if k.get(key).is_some() {
                self.warn(
                    DiagKind::Skipped,
                    k.pos_of(key),
                    format!(
                        "`{key}` is not built by vigie; the objects are built without it and may differ from what Kustomize produces"
                    ),
                );
            }
        }
    }

    fn accumulate_resources(&mut self, k: &Kustomization, objs: &mut Vec<Obj>) {
        let mut entries: Vec<Node> = Vec::new();
        for key in ["resources", "bases"] {
            if let Some(list) = k.get(key) {
                entries.extend(list.items().iter().cloned());
            }
        }
        for e in entries {
            let before = self.errors;
            self.resource(k, &e, objs);
            if self.errors > before {
                self.left_out = true;
            }
        }
    }

    /// One entry of `resources`/`bases`.
    fn resource(&mut self, k: &Kustomization, e: &Node, objs: &mut Vec<Obj>) {
        let Some(rel) = e.as_str() else {
            self.error(
                DiagKind::Config,
                e.pos,
                "a resource entry must be a path".into(),
            );
            return;
        };
        if is_remote(rel) {
            self.error(
                DiagKind::Reference,
                e.pos,
                format!("remote resource {rel} is not followed; the build continues without it"),
            );
            return;
        }
        let path = normalize(&k.dir.join(rel));
        if path.is_dir() {
            self.resource_dir(&path, e.pos, objs);
        } else {
            self.resource_file(k, &path, e.pos, objs);
        }
    }

    fn resource_dir(&mut self, path: &Path, at: Pos, objs: &mut Vec<Obj>) {
        if !self.inside_repository(path) {
            self.error(
                DiagKind::Reference,
                at,
                format!(
                    "{} is outside the repository; it was not read",
                    path.display()
                ),
            );
            return;
        }
        if self.stack.iter().any(|d| d == path) {
            self.error(
                DiagKind::Reference,
                at,
                format!(
                    "cycle detected: {} includes itself through {}",
                    path.display(),
                    self.stack
                        .iter()
                        .map(|d| d.display().to_string())
                        .collect::<Vec<_>>()
                        .join(" → ")
                ),
            );
            return;
        }
        let Some(sub) = self.read_kustomization(path, Some(at)) else {
            return;
        };
        let built = self.build_kustomization(&sub);
        self.append(objs, built, at);
    }

    fn resource_file(&mut self, k: &Kustomization, path: &Path, at: Pos, objs: &mut Vec<Obj>) {
        if !path.starts_with(&k.dir) && path.exists() {
            self.error(
                DiagKind::Reference,
                at,
                format!(
                    "security; file '{}' is not in or below '{}'",
                    path.display(),
                    k.dir.display()
                ),
            );
            return;
        }
        if !path.exists() {
            self.error(
                DiagKind::Reference,
                at,
                format!(
                    "accumulating resources: {}: no such file or directory",
                    path.display()
                ),
            );
            return;
        }
        let Some((text, src)) = self.read(path, at) else {
            return;
        };
        let new = self.parse_objects(&text, src, path);
        self.append(objs, new, at);
    }

    /// The objects of a manifest file (`List` objects expanded).
    pub fn parse_objects(&mut self, text: &str, src: u16, path: &Path) -> Vec<Obj> {
        let stream = vigie_parse::yaml::parse(text);
        if let Some(e) = &stream.error {
            self.error(
                DiagKind::Parse,
                Pos { src, ..e.pos },
                format!("{}: {}", path.display(), e.message),
            );
        }
        let mut out = Vec::new();
        let last = stream.documents.len().saturating_sub(1);
        for (i, d) in stream.documents.into_iter().enumerate() {
            let mut root = d.root;
            root.retag(src);
            if i == last && !text.ends_with('\n') {
                crate::tree::fix_block_scalar_at_eof(&mut root, text);
            }
            if root.is_null() {
                continue;
            }
            if root.as_map().is_none() {
                self.error(
                    DiagKind::Parse,
                    root.pos,
                    format!(
                        "{}: a resource must be a mapping, not {}",
                        path.display(),
                        root.kind_name()
                    ),
                );
                continue;
            }
            let kind = tree::str_at(&root, &["kind"]);
            if kind.ends_with("List") && root.get("items").is_some() {
                for it in tree::items_of(root.get("items")) {
                    if it.as_map().is_some() {
                        out.push(Obj::new(it));
                    }
                }
                continue;
            }
            if kind.is_empty() || tree::str_at(&root, &["metadata", "name"]).is_empty() {
                self.error(
                    DiagKind::Parse,
                    root.pos,
                    format!(
                        "{}: missing kind or metadata.name; the document is not a Kubernetes object",
                        path.display()
                    ),
                );
                continue;
            }
            out.push(Obj::new(root));
        }
        out
    }

    /// Add objects, refusing (as Kustomize does) one whose id is already present.
    fn append(&mut self, objs: &mut Vec<Obj>, new: Vec<Obj>, at: Pos) {
        let mut ids: HashSet<_> = objs.iter().map(Obj::id).collect();
        for o in new {
            if !ids.insert(o.id()) {
                self.error(
                    DiagKind::Reference,
                    at,
                    format!(
                        "may not add resource with an already registered id: {} (declared at {})",
                        o.describe(),
                        self.location(o.node.pos)
                    ),
                );
                continue;
            }
            objs.push(o);
        }
    }

    fn accumulate_components(&mut self, k: &Kustomization, objs: &mut Vec<Obj>) {
        let entries: Vec<Node> = tree::items_of(k.get("components"));
        for e in entries {
            let before = self.errors;
            self.component(k, &e, objs);
            if self.errors > before {
                self.left_out = true;
            }
        }
    }

    /// One entry of `components`.
    fn component(&mut self, k: &Kustomization, e: &Node, objs: &mut Vec<Obj>) {
        let Some(rel) = e.as_str() else { return };
        if is_remote(rel) {
            self.error(
                DiagKind::Reference,
                e.pos,
                format!("remote component {rel} is not followed; the build continues without it"),
            );
            return;
        }
        let path = normalize(&k.dir.join(rel));
        if self.stack.contains(&path) {
            self.error(
                DiagKind::Reference,
                e.pos,
                format!(
                    "cycle detected: component {} includes itself",
                    path.display()
                ),
            );
            return;
        }
        let Some(c) = self.read_kustomization(&path, Some(e.pos)) else {
            return;
        };
        if c.get("kind").and_then(Node::as_str) != Some("Component") {
            self.error(
                DiagKind::Config,
                e.pos,
                format!(
                    "{}: expected kind 'Component' for path '{}'",
                    k.dir.display(),
                    path.display()
                ),
            );
            return;
        }
        self.stack.push(path.clone());
        self.accumulate(&c, objs);
        self.stack.pop();
    }

    /// Objects with the same id after this kustomization's transformers (a name prefix making
    /// two names equal, a namespace folding two objects into one).
    fn report_duplicates(&mut self, objs: &[Obj], k: &Kustomization) {
        let mut seen: HashMap<_, usize> = HashMap::new();
        for (i, o) in objs.iter().enumerate() {
            if let Some(&j) = seen.get(&o.id()) {
                let first = self.location(objs[j].node.pos);
                self.error(
                    DiagKind::Reference,
                    o.node.pos,
                    format!(
                        "{} collides with the object at {first} after the transformations of {}",
                        o.describe(),
                        k.dir.display()
                    ),
                );
            } else {
                seen.insert(o.id(), i);
            }
        }
    }
}

/// A remote resource (a git or HTTP URL), which `kubectl kustomize` would download.
pub(crate) fn is_remote(s: &str) -> bool {
    s.contains("://")
        || s.starts_with("git@")
        || s.starts_with("github.com/")
        || s.starts_with("gitlab.com/")
        || s.starts_with("bitbucket.org/")
        || s.contains("?ref=")
}

/// Kustomize's legacy output order: by kind (namespaces and RBAC first, webhooks last), then
/// by id.
fn sort_legacy(objs: &mut [Obj]) {
    const FIRST: [&str; 22] = [
        "Namespace",
        "ResourceQuota",
        "StorageClass",
        "CustomResourceDefinition",
        "ServiceAccount",
        "PodSecurityPolicy",
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
        "ConfigMap",
        "Secret",
        "Endpoints",
        "Service",
        "LimitRange",
        "PriorityClass",
        "PersistentVolume",
        "PersistentVolumeClaim",
        "Deployment",
        "StatefulSet",
        "CronJob",
        "PodDisruptionBudget",
    ];
    const LAST: [&str; 2] = [
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
    ];
    let rank = |k: &str| -> usize {
        if let Some(i) = FIRST.iter().position(|f| *f == k) {
            i
        } else if let Some(i) = LAST.iter().position(|f| *f == k) {
            1000 + i
        } else {
            100
        }
    };
    objs.sort_by(|a, b| {
        (
            rank(a.kind()),
            a.kind(),
            a.group(),
            a.version(),
            a.namespace(),
            a.name(),
        )
            .cmp(&(
                rank(b.kind()),
                b.kind(),
                b.group(),
                b.version(),
                b.namespace(),
                b.name(),
            ))
    });
}

/// A scalar of the kustomization read as text (`""` when absent).
pub(crate) fn text_of(n: Option<&Node>) -> String {
    n.and_then(Node::as_str).unwrap_or("").to_string()
}
