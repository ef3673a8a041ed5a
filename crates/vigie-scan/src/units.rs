//! Deployment units: what one `kubectl apply -k DIR`, `helm template` with one values set,
//! `docker compose [-f …] up` or `kubectl apply -f DIR` would create for one environment.
//!
//! A repository is judged unit by unit, never as one cluster: a Service only selects the pods
//! of its own unit, a NetworkPolicy only isolates them, and two copies of one application (raw
//! manifests beside a `kustomize/base`) are two units whose identical findings are reported once.
//!
//! How units are formed (the rule `vigie units` shows):
//! - **Kustomize**: a kustomization (`kustomization.yaml`, `.yml`, `Kustomization`) that no
//!   other kustomization includes (`resources`, `bases`, `components`) is a unit; the bases and
//!   components it includes are judged through it, and a base is a unit of its own only when
//!   nothing includes it. Every file a kustomization names (resources, patches, generators'
//!   files, the `helmCharts` home) belongs to its units and is not judged as a loose file,
//!   even when the build fails. The kustomizations one Skaffold deployment applies together
//!   (a root `skaffold.yaml` and the configurations it `requires`, without a profile or with
//!   one profile name, when that is two kustomizations or more) are one unit named after the
//!   configuration and the profile (`skaffold.yaml@development`), built one by one: services
//!   deployed together share their namespace, Secrets and Services.
//! - **Helm**: a chart (`Chart.yaml`, not a subchart under another chart's `charts/`, not a
//!   library chart) with its default values is a unit, and so is each values set kept beside it
//!   (`values-ENV.yaml`, `values.ENV.yaml`, `values_ENV.yaml`, `ENV-values.yaml`,
//!   `ENV.values.yaml`): defaults, then that file. Every file under the chart folder belongs to
//!   the chart.
//! - **Compose**: each project as the repository starts it — the `-f` files of each `docker
//!   compose … up` its Makefiles, scripts and workflows run, merged in order
//!   ([`crate::launches`]; one whose files cannot be resolved is an info note at its line); a
//!   base file they start has those projects only (a deploy job
//!   running `-f docker-compose.yml` alone leaves the override to developers) — and, for the
//!   bases no such command starts, as `docker compose` forms it from the folder: the base file with its override (never the override alone), each
//!   `docker-compose.ENV.yml` variant over the base. Files given with `-f` on vigie's command
//!   line are one project, merged in order. A project that starts a development stack is not a
//!   deployment and is not judged, with an info note saying why: one of its files is named as
//!   a development or test variant (`docker-compose.dev.yml`, `compose.tests.yaml`, `-local`,
//!   `.ci`, `.e2e`, `.debug`), or lies in a `test/`, `tests/`, `e2e/`, `dev/`, `local/`,
//!   `hack/`, `.devcontainer/`, `testdata/` or `fixtures/` folder, or the repository deploys with
//!   Kustomize or Helm and the project builds its images from source (`build:`). Naming the
//!   project in `vigie.toml` makes it a deployment whatever its name.
//! - **Loose manifests**: the Kubernetes manifests no kustomization or chart reads are grouped
//!   by folder (what `kubectl apply -f DIR` applies), so independent applications in sibling
//!   folders stay apart; two folders that are siblings, or parent and child, and whose objects
//!   declare the same namespace (other than `default`) are one unit, since an application split
//!   into `db/` and `web/` under one namespace is deployed together. A folder that declares no
//!   workload (Services, NetworkPolicies, a Namespace) above folders that do is applied with
//!   each of them (`kubectl apply -f svc/ -f svc/model-a/`): its manifests join each of their
//!   units instead of forming one whose Services select nothing.
//! - **`vigie.toml`**: `[[unit]]` entries (name, kind, path, values, set, release, namespace)
//!   name a unit by hand: a discovered unit at the same path takes the given name, a chart gains
//!   the values set, a manifests unit claims every loose manifest under its folder before the
//!   folder rule applies, a Compose unit merges `path` then `values` in order.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;
use vigie_core::config::ConfigUnit;
use vigie_core::{DiagKind, Diagnostic};
use vigie_parse::compose;
use vigie_parse::discover::Found;
use vigie_parse::kubernetes::Object;
use vigie_parse::yaml::{self, Node};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitKind {
    Kustomize,
    Helm,
    Compose,
    Manifests,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Kustomize => "kustomize",
            UnitKind::Helm => "helm",
            UnitKind::Compose => "compose",
            UnitKind::Manifests => "manifests",
        }
    }

    /// Whether the unit's objects come out of a build (their locations alone do not say which
    /// environment a finding is about, so findings name the unit).
    pub fn is_built(self) -> bool {
        matches!(self, UnitKind::Kustomize | UnitKind::Helm)
    }
}

/// One deployment unit.
#[derive(Debug, Clone)]
pub struct Unit {
    /// How reports and `--unit` name it (a folder, a chart with its values set, a Compose file).
    pub name: String,
    pub kind: UnitKind,
    /// The kustomization or chart folder, the manifests folder, or the first Compose file;
    /// relative to the root, `""` for the root itself.
    pub path: String,
    /// How the unit was formed, in a sentence.
    pub formed: String,
    /// The files the unit reads, sorted.
    pub files: Vec<String>,
    /// Helm values files after the chart's defaults; Compose files after `path`; the
    /// kustomization folders a Skaffold configuration (`path`) applies together.
    pub values: Vec<String>,
    /// Helm `--set` expressions.
    pub set: Vec<String>,
    pub release: Option<String>,
    pub namespace: Option<String>,
}

impl Unit {
    /// A unit with no values set, `--set`, release or namespace of its own.
    fn new(name: String, kind: UnitKind, path: String, formed: String, files: Vec<String>) -> Self {
        Unit {
            name,
            kind,
            path,
            formed,
            files,
            values: Vec::new(),
            set: Vec::new(),
            release: None,
            namespace: None,
        }
    }

    /// Whether the unit is several kustomizations a Skaffold configuration (its `path`)
    /// applies together (its `values`).
    fn is_applied_together(&self) -> bool {
        self.kind == UnitKind::Kustomize && !self.values.is_empty()
    }

    /// The folder whose files the unit's repository-level analyses read (configuration files
    /// a workload mounts, TLS configurations).
    pub fn folder(&self) -> &str {
        match self.kind {
            UnitKind::Compose => dir_of(&self.path),
            UnitKind::Kustomize if self.is_applied_together() => dir_of(&self.path),
            _ => &self.path,
        }
    }

    /// The file that declares the unit (kustomization, `Chart.yaml`, Compose file), where a
    /// unit-wide message points.
    pub fn anchor(&self) -> String {
        match self.kind {
            UnitKind::Kustomize if self.is_applied_together() => self.path.clone(),
            UnitKind::Kustomize => self
                .files
                .iter()
                .find(|f| dir_of(f) == self.path && KUSTOMIZATION_NAMES.contains(&name_of(f)))
                .cloned()
                .unwrap_or_else(|| self.path.clone()),
            UnitKind::Helm => join_path(&self.path, "Chart.yaml"),
            UnitKind::Compose => self.path.clone(),
            UnitKind::Manifests => self.files.first().cloned().unwrap_or_default(),
        }
    }
}

/// The units of a repository but its loose manifests (grouped once their namespaces are
/// known, by [`group_loose`]).
#[derive(Debug, Default)]
pub struct Plan {
    pub units: Vec<Unit>,
    /// Files judged through a unit, never as loose manifests.
    pub consumed: BTreeSet<String>,
    pub diagnostics: Vec<Diagnostic>,
}

pub const KUSTOMIZATION_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

fn dir_of(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

fn name_of(rel: &str) -> &str {
    rel.rfind('/').map_or(rel, |i| &rel[i + 1..])
}

fn join_path(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Whether `path` is `dir` or lies under it.
pub(crate) fn is_under(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || path == dir
        || (path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/')
}

fn shown(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

/// What a kustomization names: the kustomizations it includes, the files it reads, its
/// remote references.
#[derive(Debug, Default)]
struct KRefs {
    includes: Vec<String>,
    files: Vec<String>,
    /// Folders all of whose files it reads (a `helmCharts` chart home).
    folders: Vec<String>,
    /// A `kind: Component`: applied by the kustomizations that list it, never built alone.
    component: bool,
}

fn is_remote(r: &str) -> bool {
    r.contains("://")
        || r.starts_with("github.com/")
        || r.starts_with("git@")
        || r.contains("?ref=")
        || r.starts_with("gitlab.com/")
        || r.starts_with("bitbucket.org/")
}

/// The references of the kustomization at `file` (in folder `dir`); `dirs` holds every folder
/// with a kustomization.
fn kustomization_refs(
    dir: &str,
    text: &str,
    dirs: &BTreeMap<String, String>,
    exists: &dyn Fn(&str) -> bool,
) -> KRefs {
    let mut out = KRefs::default();
    let stream = yaml::parse(text);
    let Some(root) = stream.documents.into_iter().next().map(|d| d.root) else {
        return out;
    };
    out.component = root.get("kind").and_then(Node::as_str) == Some("Component");
    let name = |r: &str, out: &mut KRefs| {
        let r = r.trim();
        if r.is_empty() || is_remote(r) {
            return;
        }
        // generator entries may read `key=path`
        let r = r.split_once('=').map_or(r, |(_, p)| p);
        let Some(p) = compose::join(dir, r) else {
            return;
        };
        if dirs.contains_key(&p) {
            out.includes.push(p);
        } else if exists(&p) {
            out.files.push(p);
        }
    };
    for key in ["resources", "bases", "components", "crds"] {
        for n in root.get(key).map(Node::items).unwrap_or(&[]) {
            if let Some(s) = n.as_str() {
                name(s, &mut out);
            }
        }
    }
    for key in [
        "patchesStrategicMerge",
        "transformers",
        "generators",
        "validators",
    ] {
        for n in root.get(key).map(Node::items).unwrap_or(&[]) {
            // inline patches are YAML text, not paths
            if let Some(s) = n.as_str().filter(|s| !s.contains('\n')) {
                name(s, &mut out);
            }
        }
    }
    for key in ["patches", "patchesJson6902", "replacements"] {
        for n in root.get(key).map(Node::items).unwrap_or(&[]) {
            if let Some(s) = n.get("path").and_then(Node::as_str) {
                name(s, &mut out);
            }
        }
    }
    for key in ["configMapGenerator", "secretGenerator"] {
        for g in root.get(key).map(Node::items).unwrap_or(&[]) {
            for n in g.get("files").map(Node::items).unwrap_or(&[]) {
                if let Some(s) = n.as_str() {
                    name(s, &mut out);
                }
            }
            for n in g.get("envs").map(Node::items).unwrap_or(&[]) {
                if let Some(s) = n.as_str() {
                    name(s, &mut out);
                }
            }
            if let Some(s) = g.get("env").and_then(Node::as_str) {
                name(s, &mut out);
            }
        }
    }
    if let Some(s) = root.path(&["openapi", "path"]).and_then(Node::as_str) {
        name(s, &mut out);
    }
    if root
        .get("helmCharts")
        .is_some_and(|h| !h.items().is_empty())
    {
        let home = root
            .path(&["helmGlobals", "chartHome"])
            .and_then(Node::as_str)
            .unwrap_or("charts");
        if let Some(p) = compose::join(dir, home) {
            out.folders.push(p);
        }
        for c in root.get("helmCharts").map(Node::items).unwrap_or(&[]) {
            if let Some(s) = c.get("valuesFile").and_then(Node::as_str) {
                name(s, &mut out);
            }
        }
    }
    out.includes.sort();
    out.includes.dedup();
    out
}

/// The values files kept beside a chart for its environments.
fn is_env_values(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let Some(stem) = lower
        .strip_suffix(".yaml")
        .or_else(|| lower.strip_suffix(".yml"))
    else {
        return false;
    };
    if stem == "values" {
        return false;
    }
    ["values-", "values.", "values_"]
        .iter()
        .any(|p| stem.starts_with(p) && stem.len() > p.len())
        || ["-values", ".values", "_values"]
            .iter()
            .any(|s| stem.ends_with(s) && stem.len() > s.len())
}

/// The environment a values file names (`values-prod.yaml` → `prod`).
fn env_of(name: &str) -> String {
    let stem = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .unwrap_or(name);
    for p in ["values-", "values.", "values_"] {
        if let Some(e) = stem.strip_prefix(p) {
            return e.to_string();
        }
    }
    for s in ["-values", ".values", "_values"] {
        if let Some(e) = stem.strip_suffix(s) {
            return e.to_string();
        }
    }
    stem.to_string()
}

/// Discover the units of the repository but its loose manifests.
///
/// `files` is the walk's listing, `read` reads a file by relative path, `compose_files` the
/// Compose files among them and `explicit` those given with `-f`.
pub fn plan(
    files: &[Found],
    read: &dyn Fn(&str) -> Option<String>,
    configured: &[ConfigUnit],
    compose_files: &[String],
    explicit: &[String],
) -> Plan {
    let mut plan = Plan::default();
    let all: BTreeSet<&str> = files.iter().map(|f| f.rel.as_str()).collect();
    let exists = |p: &str| all.contains(p);
    let is_dir = |p: &str| {
        p.is_empty()
            || all
                .range(format!("{p}/").as_str()..)
                .next()
                .is_some_and(|f| f.starts_with(&format!("{p}/")))
    };
    for u in configured {
        let ok = compose::join("", &u.path).is_some_and(|p| exists(&p) || is_dir(&p));
        if !ok {
            plan.diagnostics.push(Diagnostic::new(
                DiagKind::Config,
                u.location.clone(),
                format!(
                    "unit `{}`: `{}` is no file or folder of the scanned repository",
                    u.name, u.path
                ),
            ));
        }
    }
    let skaffold = skaffold_configs(files, read);
    check_requirements(&skaffold, &mut plan.diagnostics);
    kustomize_units(files, read, &exists, configured, &skaffold, &mut plan);
    helm_units(files, read, &is_dir, configured, &mut plan);
    let projects = compose_projects(
        files,
        read,
        &exists,
        compose_files,
        explicit,
        &mut plan.diagnostics,
    );
    compose_units(&projects, configured, &exists, read, &mut plan);
    plan
}

/// A Compose project to judge: its files in merge order, and the command of the repository
/// that starts it, if one does.
struct ComposeProject {
    files: Vec<String>,
    started_by: Option<String>,
}

/// The Compose projects: the one given with `-f` first, then those the repository's own
/// commands start ([`crate::launches`]), then the folder pairings of `docker compose`
/// ([`compose::group_projects`]) of the bases no such command starts.
fn compose_projects(
    files: &[Found],
    read: &dyn Fn(&str) -> Option<String>,
    exists: &dyn Fn(&str) -> bool,
    compose_files: &[String],
    explicit: &[String],
    notes: &mut Vec<Diagnostic>,
) -> Vec<ComposeProject> {
    let grouped = compose::group_projects(compose_files, explicit);
    let started = crate::launches::compose_projects(files, read, exists, notes);
    // a base the repository starts itself (other than as a test or development stack) has the
    // projects its commands start, not the folder's pairings: a deploy job that runs `-f
    // docker-compose.yml` alone says the override is the developers'
    let started_bases: BTreeSet<&str> = started
        .iter()
        .filter(|s| development_stack(&s.files, read, false).is_none())
        .map(|s| s.files[0].as_str())
        .collect();
    let mut out: Vec<ComposeProject> = Vec::new();
    let mut grouped = grouped.into_iter();
    if !explicit.is_empty()
        && let Some(first) = grouped.next()
    {
        out.push(ComposeProject {
            files: first,
            started_by: None,
        });
    }
    for s in &started {
        if !out.iter().any(|p| p.files == s.files) {
            out.push(ComposeProject {
                files: s.files.clone(),
                started_by: Some(s.by.clone()),
            });
        }
    }
    for g in grouped {
        if !started_bases.contains(g[0].as_str()) && !out.iter().any(|p| p.files == g) {
            out.push(ComposeProject {
                files: g,
                started_by: None,
            });
        }
    }
    out
}

fn kustomize_units(
    files: &[Found],
    read: &dyn Fn(&str) -> Option<String>,
    exists: &dyn Fn(&str) -> bool,
    configured: &[ConfigUnit],
    skaffold: &SkaffoldConfigs,
    plan: &mut Plan,
) {
    let mut dirs: BTreeMap<String, String> = BTreeMap::new();
    for f in files {
        if KUSTOMIZATION_NAMES.contains(&name_of(&f.rel)) {
            // kustomize prefers `kustomization.yaml`, then `.yml`, then `Kustomization`
            let d = dir_of(&f.rel).to_string();
            let rank = |n: &str| KUSTOMIZATION_NAMES.iter().position(|k| *k == n);
            let better = dirs
                .get(&d)
                .is_none_or(|old| rank(name_of(&f.rel)) < rank(name_of(old)));
            if better {
                dirs.insert(d, f.rel.clone());
            }
        }
    }
    if dirs.is_empty() {
        return;
    }
    let refs: BTreeMap<&str, KRefs> = dirs
        .iter()
        .map(|(d, f)| {
            let r = read(f)
                .map(|t| kustomization_refs(d, &t, &dirs, exists))
                .unwrap_or_default();
            (d.as_str(), r)
        })
        .collect();
    let included: BTreeSet<&str> = refs
        .iter()
        .flat_map(|(d, r)| {
            r.includes
                .iter()
                .map(String::as_str)
                .filter(move |i| i != d)
        })
        .collect();
    let closure = |top: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![top.to_string()];
        while let Some(d) = todo.pop() {
            if !seen.insert(d.clone()) {
                continue;
            }
            if let Some(r) = refs.get(d.as_str()) {
                todo.extend(r.includes.iter().cloned());
            }
        }
        seen
    };
    let is_component = |d: &str| refs.get(d).is_some_and(|r| r.component);
    let mut tops: Vec<&str> = dirs
        .keys()
        .map(String::as_str)
        .filter(|d| !included.contains(d) && !is_component(d))
        .collect();
    // kustomizations that include one another in a cycle, reached from no top: each is a unit
    // so that its build reports the cycle
    let mut reached: BTreeSet<String> = BTreeSet::new();
    for t in &tops {
        reached.extend(closure(t));
    }
    for d in dirs.keys() {
        if !reached.contains(d) && !is_component(d) {
            tops.push(d.as_str());
            reached.extend(closure(d));
        }
    }
    // components no kustomization applies are fragments: their files are not loose manifests
    for d in dirs
        .keys()
        .filter(|d| !reached.contains(*d) && is_component(d))
    {
        for m in closure(d) {
            plan.consumed.extend(dirs.get(&m).cloned());
            if let Some(r) = refs.get(m.as_str()) {
                plan.consumed.extend(r.files.iter().cloned());
            }
        }
    }
    // a base the configuration names is judged on its own as well
    for u in configured.iter().filter(|u| u.kind == "kustomize") {
        if let Some(p) = compose::join("", &u.path)
            && dirs.contains_key(&p)
            && !tops.contains(&p.as_str())
        {
            let p = dirs
                .get_key_value(&p)
                .map(|(k, _)| k.as_str())
                .unwrap_or_default();
            tops.push(p);
        }
    }
    let chart_homes: Vec<&String> = refs.values().flat_map(|r| &r.folders).collect();
    let files_of = |members: &BTreeSet<String>| -> BTreeSet<String> {
        let mut unit_files: BTreeSet<String> = BTreeSet::new();
        for m in members {
            if let Some(f) = dirs.get(m) {
                unit_files.insert(f.clone());
            }
            if let Some(r) = refs.get(m.as_str()) {
                unit_files.extend(r.files.iter().cloned());
                for home in &r.folders {
                    unit_files.extend(
                        files
                            .iter()
                            .filter(|f| is_under(&f.rel, home))
                            .map(|f| f.rel.clone()),
                    );
                }
            }
        }
        unit_files
    };
    // kustomizations one Skaffold deployment applies together are one unit (their Services
    // select one another's pods, one namespace's NetworkPolicy isolates them all)
    let groups = applied_together(skaffold, &|d| dirs.contains_key(d) && !is_component(d));
    let named_in_config = |top: &str| {
        configured
            .iter()
            .any(|u| u.kind == "kustomize" && compose::join("", &u.path).as_deref() == Some(top))
    };
    tops.retain(|t| named_in_config(t) || !groups.iter().any(|g| g.dirs.iter().any(|d| d == t)));
    for g in groups {
        let mut members = BTreeSet::new();
        for d in &g.dirs {
            members.extend(closure(d));
        }
        let unit_files = files_of(&members);
        plan.consumed.extend(unit_files.iter().cloned());
        let shown_dirs: Vec<&str> = g.dirs.iter().map(|d| shown(d)).collect();
        let how = match &g.profile {
            Some(p) => format!("with its profile `{p}`"),
            None => "without a profile".to_string(),
        };
        let mut unit_files: Vec<String> = unit_files.into_iter().collect();
        if !unit_files.contains(&g.config) {
            unit_files.push(g.config.clone());
            unit_files.sort();
        }
        plan.units.push(Unit {
            values: g.dirs.clone(),
            ..Unit::new(
                g.profile
                    .as_ref()
                    .map_or_else(|| g.config.clone(), |p| format!("{}@{p}", g.config)),
                UnitKind::Kustomize,
                g.config.clone(),
                format!(
                    "kustomizations {}, applied together as {} deploys them {how}",
                    shown_dirs.join(", "),
                    g.config
                ),
                unit_files,
            )
        });
    }
    for top in tops {
        let members = closure(top);
        let unit_files = files_of(&members);
        let bases: Vec<&str> = members
            .iter()
            .filter(|m| m.as_str() != top)
            .map(|m| shown(m))
            .collect();
        let named = configured
            .iter()
            .find(|u| u.kind == "kustomize" && compose::join("", &u.path).as_deref() == Some(top));
        let mut formed = format!("kustomization at {}", dirs[top]);
        if !bases.is_empty() {
            formed.push_str(&format!(", including {}", bases.join(", ")));
        }
        if included.contains(top) {
            formed.push_str(
                " (a base other kustomizations include, judged alone as vigie.toml asks)",
            );
        }
        if named.is_some() {
            formed.push_str(" (named in vigie.toml)");
        }
        plan.consumed.extend(unit_files.iter().cloned());
        plan.units.push(Unit::new(
            named.map_or_else(|| shown(top).to_string(), |u| u.name.clone()),
            UnitKind::Kustomize,
            top.to_string(),
            formed,
            unit_files.into_iter().collect(),
        ));
    }
    // charts a kustomization renders through `helmCharts` belong to it
    for home in chart_homes {
        plan.consumed.extend(
            files
                .iter()
                .filter(|f| is_under(&f.rel, home))
                .map(|f| f.rel.clone()),
        );
    }
}

/// The Skaffold configurations of the repository, by file, each with what it deploys.
type SkaffoldConfigs = BTreeMap<String, Vec<vigie_parse::skaffold::Deploys>>;

fn skaffold_configs(files: &[Found], read: &dyn Fn(&str) -> Option<String>) -> SkaffoldConfigs {
    use vigie_parse::skaffold;
    files
        .iter()
        .filter(|f| skaffold::is_config(&f.rel))
        .filter_map(|f| {
            let d = skaffold::deploys(&f.rel, &read(&f.rel)?);
            (!d.is_empty()).then(|| (f.rel.clone(), d))
        })
        .collect()
}

/// A requirement Skaffold would refuse (a file that is no configuration of the repository, a
/// path out of it) is said at its line: what it names is not grouped with the configuration.
fn check_requirements(configs: &SkaffoldConfigs, notes: &mut Vec<Diagnostic>) {
    for (file, docs) in configs {
        for r in docs.iter().flat_map(|d| &d.requires) {
            let missing = match &r.file {
                Some(f) => !configs.contains_key(f),
                None => true,
            };
            if missing {
                notes.push(Diagnostic::dangling(
                    vigie_core::Location::new(Arc::from(file.as_str()), r.line, 1),
                    match &r.file {
                        Some(f) => format!("this Skaffold configuration requires `{f}`, which is no Skaffold configuration of the scanned repository: what it deploys is not grouped with this configuration's"),
                        None => "this Skaffold configuration requires a path outside the repository: what it deploys is not grouped with this configuration's".to_string(),
                    },
                ));
            }
        }
    }
}

/// Kustomizations one Skaffold deployment applies together: a root configuration (one no
/// other requires) with the configurations it requires, without a profile or with one of
/// their profiles (`skaffold dev -p NAME` activates the profile of that name in every
/// configuration that has one; the others deploy what they deploy without it).
struct AppliedTogether {
    /// The root configuration's file.
    config: String,
    profile: Option<String>,
    /// The kustomization folders applied, in the order Skaffold reads them.
    dirs: Vec<String>,
}

/// The Skaffold deployments of the repository that apply two kustomizations or more
/// (`is_kustomization` says which folders are), each set once.
fn applied_together(
    configs: &SkaffoldConfigs,
    is_kustomization: &dyn Fn(&str) -> bool,
) -> Vec<AppliedTogether> {
    use vigie_parse::skaffold;
    let configs: BTreeMap<&str, &Vec<skaffold::Deploys>> =
        configs.iter().map(|(f, d)| (f.as_str(), d)).collect();
    // a configuration requiring another of its own file is still a root
    let required: BTreeSet<&str> = configs
        .iter()
        .flat_map(|(file, docs)| {
            docs.iter()
                .flat_map(|d| d.requires.iter().filter_map(|r| r.file.as_deref()))
                .filter(move |f| f != file)
        })
        .collect();
    let mut out: Vec<AppliedTogether> = Vec::new();
    for root in configs.keys().filter(|c| !required.contains(*c)) {
        // the configurations one run reads, breadth first
        let mut seen: BTreeSet<(&str, usize)> = BTreeSet::new();
        let mut order: Vec<&skaffold::Deploys> = Vec::new();
        let mut todo: std::collections::VecDeque<(&str, &[String])> =
            std::collections::VecDeque::from([(*root, &[][..])]);
        while let Some((file, names)) = todo.pop_front() {
            let Some((file, docs)) = configs.get_key_value(file) else {
                continue;
            };
            for (i, d) in docs.iter().enumerate() {
                let selected =
                    names.is_empty() || d.name.as_ref().is_some_and(|n| names.contains(n));
                if selected && seen.insert((file, i)) {
                    order.push(d);
                    todo.extend(
                        d.requires
                            .iter()
                            .filter_map(|r| Some((r.file.as_deref()?, r.configs.as_slice()))),
                    );
                }
            }
        }
        let mut profiles: Vec<Option<&str>> = vec![None];
        for d in &order {
            for (p, _) in &d.profiles {
                if !profiles.contains(&Some(p.as_str())) {
                    profiles.push(Some(p.as_str()));
                }
            }
        }
        for profile in profiles {
            let mut dirs: Vec<String> = Vec::new();
            for d in &order {
                let own = profile
                    .and_then(|p| d.profiles.iter().find(|(n, _)| n == p))
                    .and_then(|(_, paths)| paths.as_ref())
                    .unwrap_or(&d.kustomize);
                for k in own.iter().filter(|k| is_kustomization(k)) {
                    if !dirs.contains(k) {
                        dirs.push(k.clone());
                    }
                }
            }
            let again = out.iter().any(|o| {
                o.config == *root && {
                    let (mut a, mut b) = (o.dirs.clone(), dirs.clone());
                    a.sort();
                    b.sort();
                    a == b
                }
            });
            if dirs.len() >= 2 && !again {
                out.push(AppliedTogether {
                    config: root.to_string(),
                    profile: profile.map(str::to_string),
                    dirs,
                });
            }
        }
    }
    out
}

fn helm_units(
    files: &[Found],
    read: &dyn Fn(&str) -> Option<String>,
    is_dir: &dyn Fn(&str) -> bool,
    configured: &[ConfigUnit],
    plan: &mut Plan,
) {
    let mut charts: Vec<String> = files
        .iter()
        .filter(|f| name_of(&f.rel) == "Chart.yaml")
        .map(|f| dir_of(&f.rel).to_string())
        .filter(|d| !plan.consumed.contains(&join_path(d, "Chart.yaml")))
        .collect();
    charts.sort();
    // subcharts are rendered by their parent
    let top: Vec<String> = charts
        .iter()
        .filter(|c| {
            !charts
                .iter()
                .any(|p| p != *c && is_under(c, p) && c[p.len()..].contains("/charts/"))
        })
        .cloned()
        .collect();
    for chart in &top {
        let chart_files: Vec<String> = files
            .iter()
            .filter(|f| is_under(&f.rel, chart))
            .map(|f| f.rel.clone())
            .collect();
        plan.consumed.extend(chart_files.iter().cloned());
        let library = read(&join_path(chart, "Chart.yaml")).is_some_and(|t| {
            let s = yaml::parse(&t);
            s.documents
                .first()
                .and_then(|d| d.root.get("type"))
                .and_then(Node::as_str)
                == Some("library")
        });
        if library {
            continue;
        }
        let base = Unit::new(
            shown(chart).to_string(),
            UnitKind::Helm,
            chart.clone(),
            format!("Helm chart {} with its default values", shown(chart)),
            chart_files.clone(),
        );
        let envs: Vec<&String> = chart_files
            .iter()
            .filter(|f| dir_of(f) == chart && is_env_values(name_of(f)))
            .collect();
        for e in envs {
            let env = env_of(name_of(e));
            plan.units.push(Unit {
                name: format!("{}@{env}", shown(chart)),
                formed: format!(
                    "Helm chart {} with its default values, then {}",
                    shown(chart),
                    name_of(e)
                ),
                values: vec![e.clone()],
                ..base.clone()
            });
        }
        plan.units.push(base);
    }
    for u in configured.iter().filter(|u| u.kind == "helm") {
        let Some(p) = compose::join("", &u.path) else {
            continue;
        };
        if !is_dir(&p) {
            continue;
        }
        let values: Vec<String> = u
            .values
            .iter()
            .filter_map(|v| compose::join("", v))
            .collect();
        let mut files: Vec<String> = files
            .iter()
            .filter(|f| is_under(&f.rel, &p))
            .map(|f| f.rel.clone())
            .collect();
        files.extend(values.iter().cloned());
        files.sort();
        files.dedup();
        plan.consumed.extend(files.iter().cloned());
        let mut formed = format!("Helm chart {} named in vigie.toml", shown(&p));
        if !values.is_empty() {
            formed.push_str(&format!(", values {}", values.join(", ")));
        }
        plan.units.push(Unit {
            values,
            set: u.set.clone(),
            release: u.release.clone(),
            namespace: u.namespace.clone(),
            ..Unit::new(u.name.clone(), UnitKind::Helm, p, formed, files)
        });
    }
}

/// Folders whose Compose files start stacks for development and tests, not deployments.
const DEVELOPMENT_FOLDERS: &[&str] = &[
    "test",
    "tests",
    "e2e",
    "dev",
    "local",
    "hack",
    ".devcontainer",
    "testdata",
    "fixtures",
];

/// Markers in a Compose file's name that make it a development or test variant
/// (`docker-compose.dev.yml`, `compose.test.yaml`, `docker-compose-local.yml`).
const DEVELOPMENT_NAMES: &[&str] = &[
    "dev",
    "devel",
    "development",
    "local",
    "test",
    "tests",
    "testing",
    "ci",
    "e2e",
    "debug",
];

/// Why a Compose project starts a development stack rather than a deployment, if it does: a
/// file of it is named as a development variant or lies in a test/dev folder; or the repository
/// deploys with Kustomize or Helm and the project builds images from the repository's source
/// (`build:`): a laptop stack beside the real deployment.
fn development_stack(
    list: &[String],
    read: &dyn Fn(&str) -> Option<String>,
    deploys_with_kubernetes: bool,
) -> Option<String> {
    for f in list {
        let name = name_of(f).to_ascii_lowercase();
        let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
        if stem
            .split(['.', '-', '_'])
            .skip(1)
            .any(|w| DEVELOPMENT_NAMES.contains(&w))
        {
            return Some(format!("`{f}` is named as a development or test variant"));
        }
        if let Some(d) = f
            .split('/')
            .rev()
            .skip(1)
            .find(|d| DEVELOPMENT_FOLDERS.contains(&d.to_ascii_lowercase().as_str()))
        {
            return Some(format!("`{f}` lies in a `{d}/` folder"));
        }
    }
    if !deploys_with_kubernetes {
        return None;
    }
    let builds = list.iter().any(|f| {
        read(f).is_some_and(|t| {
            yaml::parse(&t).documents.iter().any(|d| {
                d.root
                    .get("services")
                    .and_then(Node::as_map)
                    .is_some_and(|ss| ss.iter().any(|e| e.value.get("build").is_some()))
            })
        })
    });
    builds.then(|| {
        "the repository deploys with Kustomize or Helm and this project builds its images from \
         the repository's source"
            .to_string()
    })
}

fn compose_units(
    projects: &[ComposeProject],
    configured: &[ConfigUnit],
    exists: &dyn Fn(&str) -> bool,
    read: &dyn Fn(&str) -> Option<String>,
    plan: &mut Plan,
) {
    let deploys_with_kubernetes = plan
        .units
        .iter()
        .any(|u| matches!(u.kind, UnitKind::Kustomize | UnitKind::Helm));
    let started_by: HashMap<&[String], &str> = projects
        .iter()
        .filter_map(|p| Some((p.files.as_slice(), p.started_by.as_deref()?)))
        .collect();
    let mut lists: Vec<(Vec<String>, Option<&ConfigUnit>)> =
        projects.iter().map(|p| (p.files.clone(), None)).collect();
    for u in configured.iter().filter(|u| u.kind == "compose") {
        let list: Vec<String> = std::iter::once(&u.path)
            .chain(&u.values)
            .filter_map(|f| compose::join("", f))
            .filter(|f| exists(f))
            .collect();
        if list.is_empty() {
            continue;
        }
        match lists.iter_mut().find(|(l, _)| *l == list) {
            Some(x) => x.1 = Some(u),
            None => lists.push((list, Some(u))),
        }
    }
    for (list, named) in lists {
        if named.is_none()
            && let Some(why) = development_stack(&list, read, deploys_with_kubernetes)
        {
            let mut d = Diagnostic::new(
                DiagKind::Skipped,
                vigie_core::Location::file(std::sync::Arc::from(list[0].as_str())),
                format!(
                    "Compose project {} is taken for a development stack, not judged as a deployment: {why}; name it in vigie.toml (`[[unit]]`, kind \"compose\") to judge it",
                    list.join(" + ")
                ),
            );
            d.severity = vigie_core::Severity::Info;
            plan.diagnostics.push(d);
            continue;
        }
        let name = named.map_or_else(|| list.join("+"), |u| u.name.clone());
        let mut formed = format!(
            "Compose project {}",
            list.iter()
                .map(|f| format!("-f {f}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        if named.is_some() {
            formed.push_str(" (named in vigie.toml)");
        } else if let Some(by) = started_by.get(list.as_slice()) {
            formed.push_str(&format!(" (as `{by}` starts it)"));
        }
        plan.units.push(Unit {
            values: list[1..].to_vec(),
            ..Unit::new(
                name,
                UnitKind::Compose,
                list[0].clone(),
                formed,
                list.clone(),
            )
        });
    }
}

/// A loose manifest and the namespaces its objects declare.
#[derive(Debug, Clone)]
pub struct LooseFile {
    pub rel: String,
    pub namespaces: BTreeSet<String>,
    /// Whether it declares a workload (an object with a pod template).
    pub workloads: bool,
}

/// Group the loose manifests into units (see the module documentation for the rule).
pub fn group_loose(loose: &[LooseFile], configured: &[ConfigUnit]) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut left: Vec<&LooseFile> = Vec::new();
    let mut claimed: Vec<(&ConfigUnit, String, Vec<String>)> = configured
        .iter()
        .filter(|u| u.kind == "manifests")
        .filter_map(|u| Some((u, compose::join("", &u.path)?, Vec::new())))
        .collect();
    for f in loose {
        match claimed.iter_mut().find(|(_, p, _)| is_under(&f.rel, p)) {
            Some((_, _, list)) => list.push(f.rel.clone()),
            None => left.push(f),
        }
    }
    for (u, p, files) in claimed {
        units.push(Unit::new(
            u.name.clone(),
            UnitKind::Manifests,
            p.clone(),
            format!("manifests under {} (named in vigie.toml)", shown(&p)),
            files,
        ));
    }
    // folders, then folders merged through a shared namespace
    let mut folders: BTreeMap<&str, (Vec<&str>, BTreeSet<&str>, bool)> = BTreeMap::new();
    for f in &left {
        let e = folders.entry(dir_of(&f.rel)).or_default();
        e.0.push(&f.rel);
        e.2 |= f.workloads;
        e.1.extend(
            f.namespaces
                .iter()
                .map(String::as_str)
                .filter(|n| *n != "default"),
        );
    }
    let keys: Vec<&str> = folders.keys().copied().collect();
    let mut parent: Vec<usize> = (0..keys.len()).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while p[r] != r {
            r = p[r];
        }
        let mut i = i;
        while p[i] != r {
            let n = p[i];
            p[i] = r;
            i = n;
        }
        r
    }
    let related = |a: &str, b: &str| {
        let (pa, pb) = (dir_of(a), dir_of(b));
        (pa == pb && !a.is_empty() && !b.is_empty()) || pa == b || pb == a
    };
    let mut by_ns: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, k) in keys.iter().enumerate() {
        for ns in &folders[k].1 {
            by_ns.entry(ns).or_default().push(i);
        }
    }
    for idx in by_ns.values() {
        for (x, &i) in idx.iter().enumerate() {
            for &j in &idx[x + 1..] {
                if related(keys[i], keys[j]) {
                    let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                    if ri != rj {
                        parent[ri.max(rj)] = ri.min(rj);
                    }
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..keys.len() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let groups: Vec<&Vec<usize>> = groups.values().collect();
    let paths: Vec<String> = groups
        .iter()
        .map(|members| common_ancestor(&members.iter().map(|&i| keys[i]).collect::<Vec<_>>()))
        .collect();
    let runs_pods: Vec<bool> = groups
        .iter()
        .map(|members| members.iter().any(|&i| folders[keys[i]].2))
        .collect();
    // a group without workloads above groups with some is applied with each of them
    let mut shared_with: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    let mut serves = vec![false; groups.len()];
    let mut by_path: Vec<usize> = (0..groups.len()).collect();
    by_path.sort_by(|&a, &b| paths[a].cmp(&paths[b]));
    for (g, path) in paths.iter().enumerate() {
        if runs_pods[g] || path.is_empty() {
            continue;
        }
        // the paths beginning with `path/` sort between `path/` and `path0` (`0` follows `/`)
        let first = |bound: &str| by_path.partition_point(|&h| paths[h].as_str() < bound);
        let range = first(&format!("{path}/"))..first(&format!("{path}0"));
        let below = by_path[range].iter().copied().filter(|&h| runs_pods[h]);
        for h in below {
            shared_with[h].push(g);
            serves[g] = true;
        }
    }
    let mut names: BTreeSet<String> = units.iter().map(|u| u.name.clone()).collect();
    for (g, members) in groups.iter().enumerate() {
        if serves[g] {
            continue;
        }
        let dirs: Vec<&str> = members.iter().map(|&i| keys[i]).collect();
        let path = paths[g].clone();
        let mut files: Vec<String> = members
            .iter()
            .chain(shared_with[g].iter().flat_map(|&s| groups[s].iter()))
            .flat_map(|&i| folders[keys[i]].0.iter().map(|s| s.to_string()))
            .collect();
        files.sort();
        files.dedup();
        let formed = if dirs.len() == 1 {
            format!("manifests in {}", shown(dirs[0]))
        } else {
            let shared: BTreeSet<&str> = members
                .iter()
                .flat_map(|&i| folders[keys[i]].1.iter().copied())
                .collect();
            format!(
                "manifests in {}, one application through namespace {}",
                dirs.iter().map(|d| shown(d)).collect::<Vec<_>>().join(", "),
                shared.into_iter().collect::<Vec<_>>().join(", ")
            )
        };
        let formed = if shared_with[g].is_empty() {
            formed
        } else {
            let above: Vec<&str> = shared_with[g].iter().map(|&s| shown(&paths[s])).collect();
            format!(
                "{formed}, with the manifests of {} (no workload of their own) applied beside them",
                above.join(", ")
            )
        };
        let mut name = shown(&path).to_string();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{}#{n}", shown(&path));
            n += 1;
        }
        names.insert(name.clone());
        units.push(Unit::new(name, UnitKind::Manifests, path, formed, files));
    }
    units
}

fn common_ancestor(dirs: &[&str]) -> String {
    let mut common: Vec<&str> = dirs[0].split('/').filter(|s| !s.is_empty()).collect();
    for d in &dirs[1..] {
        let parts: Vec<&str> = d.split('/').filter(|s| !s.is_empty()).collect();
        let n = common
            .iter()
            .zip(&parts)
            .take_while(|(a, b)| a == b)
            .count();
        common.truncate(n);
    }
    common.join("/")
}

/// The unit `want` names: by name, else by path (`./` and a trailing `/` ignored).
pub fn find<'a>(units: &'a [Unit], want: &str) -> Option<&'a Unit> {
    if let Some(u) = units.iter().find(|u| u.name == want) {
        return Some(u);
    }
    let p = compose::join("", want.trim_end_matches('/'))?;
    let mut at: Vec<&Unit> = units.iter().filter(|u| u.path == p).collect();
    // a chart's path names its default values set
    at.sort_by_key(|u| !u.values.is_empty());
    at.first().copied()
}

/// Make the names of `units` unique (a folder can hold a kustomization and a chart).
pub fn unique_names(units: &mut [Unit]) {
    let mut count: HashMap<String, usize> = HashMap::new();
    for u in units.iter() {
        *count.entry(u.name.clone()).or_default() += 1;
    }
    for u in units.iter_mut() {
        if count[&u.name] > 1 {
            u.name = format!("{} ({})", u.name, u.kind.as_str());
        }
    }
}

/// The objects a built unit creates.
#[derive(Debug, Default)]
pub struct Built {
    pub objects: Vec<Object>,
    pub diagnostics: Vec<Diagnostic>,
    /// Why the unit could not be built, when it could not; its objects are what was built.
    pub failure: Option<String>,
    /// The objects as YAML, as `kubectl kustomize` or `helm template` prints them.
    pub yaml: String,
    /// A chart's values origins, to name the values line behind a finding.
    pub(crate) provenance: Option<crate::provenance::Provenance>,
}

/// Build a Kustomize or Helm unit from the files under `root`.
pub fn build(unit: &Unit, root: &Path) -> Built {
    match unit.kind {
        UnitKind::Helm => build_helm(unit, root),
        UnitKind::Kustomize => build_kustomize(unit, root),
        UnitKind::Compose | UnitKind::Manifests => Built::default(),
    }
}

/// Objects of nodes positioned in `files` (a node's `Pos::src` indexes them).
fn objects_of(
    nodes: impl Iterator<Item = Node>,
    files: &[String],
    default_namespace: Option<&str>,
) -> Vec<Object> {
    let sources: Arc<[Arc<str>]> = files.iter().map(|f| Arc::from(f.as_str())).collect();
    let mut out = Vec::new();
    for node in nodes {
        let file = sources
            .get(usize::from(node.pos.src))
            .cloned()
            .unwrap_or_else(|| Arc::from(""));
        for mut o in vigie_parse::kubernetes::objects(&file, vec![node]) {
            o.sources = Some(sources.clone());
            o.at = o.loc(o.node.pos);
            o.file = o.at.path.clone();
            if o.namespace.is_none()
                && let Some(ns) = default_namespace
            {
                o.namespace = Some(ns.to_string());
            }
            out.push(o);
        }
    }
    out
}

fn build_helm(unit: &Unit, root: &Path) -> Built {
    let fs = vigie_helm::DirFs::new(root);
    let mut release = vigie_helm::Release {
        values_files: unit.values.clone(),
        set: unit.set.clone(),
        ..vigie_helm::Release::default()
    };
    if let Some(r) = &unit.release {
        release.name = r.clone();
    }
    if let Some(n) = &unit.namespace {
        release.namespace = n.clone();
    }
    let chart_dir = if unit.path.is_empty() {
        "."
    } else {
        &unit.path
    };
    let r = vigie_helm::render(&fs, chart_dir, &release);
    let files: Vec<String> = r
        .files
        .iter()
        .map(|f| f.strip_prefix("./").unwrap_or(f).to_string())
        .collect();
    let mut objects = objects_of(r.objects.iter().map(|o| o.node.clone()), &files, None);
    if unit.namespace.is_none() {
        // `.Release.Namespace` is whatever `helm install -n` will say: the repository did not
        // name it, so objects in it are read as setting no namespace (NET-04.1 judges the unit)
        for o in &mut objects {
            if o.namespace.as_deref() == Some(release.namespace.as_str()) {
                o.namespace = None;
            }
        }
    }
    let mut diagnostics = r.diagnostics.clone();
    for d in &mut diagnostics {
        if let Some(p) = d.location.path.strip_prefix("./") {
            d.location.path = Arc::from(p);
        }
    }
    Built {
        objects,
        diagnostics,
        failure: r.failure.clone(),
        yaml: r.helm_template_output(),
        provenance: Some(crate::provenance::Provenance::new(&r, &unit.values)),
    }
}

fn build_kustomize(unit: &Unit, root: &Path) -> Built {
    if !unit.is_applied_together() {
        return build_kustomization(&unit.path, root).0;
    }
    // each kustomization as `kubectl apply -k` builds it, in the order they are applied
    let mut builds: Vec<(Built, Vec<String>)> = unit
        .values
        .iter()
        .map(|dir| build_kustomization(dir, root))
        .collect();
    {
        let mut notes: Vec<BuildNotes<'_>> = builds
            .iter_mut()
            .map(|(b, read)| {
                let read: &Vec<String> = read;
                let reads: Box<dyn Fn(&str) -> bool + '_> =
                    Box::new(move |p: &str| read.iter().any(|f| f == p));
                (&mut b.diagnostics, reads)
            })
            .collect();
        drop_patch_notes_matched_elsewhere(&mut notes);
    }
    let mut all = Built::default();
    for ((b, _), dir) in builds.into_iter().zip(&unit.values) {
        all.diagnostics.extend(b.diagnostics);
        all.objects.extend(b.objects);
        if let Some(f) = b.failure {
            let f = format!("{}: {f}", shown(dir));
            all.failure = Some(match all.failure.take() {
                Some(before) => format!("{before}; {f}"),
                None => f,
            });
        }
        if !b.yaml.is_empty() {
            if !all.yaml.is_empty() {
                all.yaml.push_str("---\n");
            }
            all.yaml.push_str(&b.yaml);
        }
    }
    all
}

/// One build's diagnostics, with whether the build read a file.
pub(crate) type BuildNotes<'a> = (&'a mut Vec<Diagnostic>, Box<dyn Fn(&str) -> bool + 'a>);

/// A patch of a component or base that several builds include (overlays of one unit, units of
/// the repository) may target objects only some of them have, a component's optional patches:
/// its "matches no object" holds only where it matches in none of the builds that read its
/// file. `builds` are each build's diagnostics with whether it read a file.
pub(crate) fn drop_patch_notes_matched_elsewhere(builds: &mut [BuildNotes<'_>]) {
    let unmatched = |d: &Diagnostic| {
        d.message
            .starts_with(vigie_kustomize::PATCH_MATCHES_NOTHING)
    };
    let mut raised: HashMap<vigie_core::Location, usize> = HashMap::new();
    for (notes, _) in builds.iter() {
        let mut seen = std::collections::HashSet::new();
        for d in notes.iter().filter(|d| unmatched(d)) {
            if seen.insert(&d.location) {
                *raised.entry(d.location.clone()).or_default() += 1;
            }
        }
    }
    if raised.is_empty() {
        return;
    }
    let matched_elsewhere: std::collections::HashSet<vigie_core::Location> = raised
        .into_iter()
        .filter(|(at, n)| {
            let reading = builds.iter().filter(|(_, reads)| reads(&at.path)).count();
            reading > *n
        })
        .map(|(at, _)| at)
        .collect();
    for (notes, _) in builds.iter_mut() {
        notes.retain(|d| !(unmatched(d) && matched_elsewhere.contains(&d.location)));
    }
}

/// Build the kustomization in `path` (relative to `root`), with the files the build read.
fn build_kustomization(path: &str, root: &Path) -> (Built, Vec<String>) {
    let dir = if path.is_empty() {
        root.to_path_buf()
    } else {
        root.join(path)
    };
    let b = vigie_kustomize::build(&dir);
    let relative = |p: &str| relative_to(root, p);
    let files: Vec<String> = b.files.iter().map(|f| relative(f)).collect();
    let objects = objects_of(b.objects.iter().map(|o| o.node.clone()), &files, None);
    let mut diagnostics = b.diagnostics.clone();
    for d in &mut diagnostics {
        d.location.path = Arc::from(relative(&d.location.path).as_str());
    }
    let built = Built {
        yaml: vigie_kustomize::to_yaml(&b),
        objects,
        diagnostics,
        failure: b.failure,
        provenance: None,
    };
    (built, files)
}

/// A path the builder wrote (the root joined with a relative path, `..` unresolved) as a path
/// relative to the root; unchanged when it is not under it.
fn relative_to(root: &Path, p: &str) -> String {
    let root_s = root.to_string_lossy();
    let rest = if root_s.is_empty() || root_s == "." {
        Some(p.strip_prefix("./").unwrap_or(p))
    } else {
        p.strip_prefix(root_s.as_ref())
            .map(|r| r.trim_start_matches('/'))
    };
    rest.and_then(|r| compose::join("", r))
        .unwrap_or_else(|| p.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::Location;
    use vigie_parse::discover::FileKind;

    fn found(rel: &str) -> Found {
        Found {
            rel: rel.into(),
            abs: rel.into(),
            kind: vigie_parse::discover::classify(name_of(rel)).unwrap_or(FileKind::Other),
            size: 0,
        }
    }

    fn plan_of(files: &[(&str, &str)]) -> Plan {
        let listing: Vec<Found> = files.iter().map(|(p, _)| found(p)).collect();
        let texts: HashMap<&str, &str> = files.iter().copied().collect();
        let read = |p: &str| texts.get(p).map(|t| t.to_string());
        plan(&listing, &read, &[], &[], &[])
    }

    #[test]
    fn overlays_are_units_and_their_base_is_judged_through_them() {
        let p = plan_of(&[
            ("app/base/kustomization.yaml", "resources: [deploy.yaml]\n"),
            ("app/base/deploy.yaml", "kind: Deployment\n"),
            (
                "app/overlays/prod/kustomization.yaml",
                "resources: [../../base]\npatches:\n- path: ro.yaml\n",
            ),
            ("app/overlays/prod/ro.yaml", "kind: Deployment\n"),
            (
                "app/overlays/staging/kustomization.yaml",
                "resources:\n- ../../base\n- https://github.com/x/y//z?ref=v1\n",
            ),
            ("app/unused.yaml", "kind: Pod\n"),
        ]);
        let names: Vec<&str> = p.units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["app/overlays/prod", "app/overlays/staging"]);
        assert_eq!(
            p.units[0].files,
            [
                "app/base/deploy.yaml",
                "app/base/kustomization.yaml",
                "app/overlays/prod/kustomization.yaml",
                "app/overlays/prod/ro.yaml"
            ]
        );
        assert!(p.consumed.contains("app/overlays/prod/ro.yaml"));
        assert!(!p.consumed.contains("app/unused.yaml"));
    }

    #[test]
    fn overlays_a_skaffold_profile_applies_together_are_one_unit() {
        let svc = |n: &str| {
            format!(
                "apiVersion: skaffold/v4beta1\nkind: Config\nmetadata:\n  name: {n}\nmanifests:\n  kustomize:\n    paths: [k8s/base]\nprofiles:\n- name: development\n  manifests:\n    kustomize:\n      paths: [k8s/dev]\n- name: gcb\n  build: {{}}\n"
            )
        };
        let (a, b) = (svc("a"), svc("b"));
        let p = plan_of(&[
            (
                "skaffold.yaml",
                "apiVersion: skaffold/v4beta1\nkind: Config\nrequires:\n- path: a\n- path: b/skaffold.yaml\n",
            ),
            ("a/skaffold.yaml", &a),
            ("a/k8s/base/kustomization.yaml", "resources: [d.yaml]\n"),
            ("a/k8s/dev/kustomization.yaml", "resources: [../base]\n"),
            ("a/k8s/prod/kustomization.yaml", "resources: [../base]\n"),
            ("b/skaffold.yaml", &b),
            ("b/k8s/base/kustomization.yaml", "resources: [d.yaml]\n"),
            ("b/k8s/dev/kustomization.yaml", "resources: [../base]\n"),
        ]);
        let got: Vec<(&str, &str, Vec<&str>)> = p
            .units
            .iter()
            .map(|u| {
                let v = u.values.iter().map(String::as_str).collect();
                (u.name.as_str(), u.path.as_str(), v)
            })
            .collect();
        // the bases (included by the overlays, applied by `skaffold run` together) and the
        // development overlays (by `skaffold dev`); the `gcb` profile deploys what no profile
        // does, and the production overlay nothing names stays a unit of its own
        assert_eq!(
            got,
            [
                (
                    "skaffold.yaml",
                    "skaffold.yaml",
                    vec!["a/k8s/base", "b/k8s/base"]
                ),
                (
                    "skaffold.yaml@development",
                    "skaffold.yaml",
                    vec!["a/k8s/dev", "b/k8s/dev"]
                ),
                ("a/k8s/prod", "a/k8s/prod", vec![]),
            ]
        );
        assert!(p.units[1].formed.contains("profile `development`"));
        assert!(
            p.units[1]
                .files
                .contains(&"b/k8s/base/kustomization.yaml".to_string())
        );
        assert_eq!(p.units[1].anchor(), "skaffold.yaml");
        assert_eq!(p.units[1].folder(), "");
    }

    #[test]
    fn a_skaffold_requirement_that_names_nothing_is_said_at_its_line() {
        let p = plan_of(&[(
            "skaffold.yaml",
            "apiVersion: skaffold/v4beta1\nkind: Config\nrequires:\n- path: gone\n- path: ../../outside.yaml\n- git:\n    repo: https://example.com/x\n",
        )]);
        let said: Vec<(u32, &str)> = p
            .diagnostics
            .iter()
            .map(|d| (d.location.line, d.message.as_str()))
            .collect();
        assert_eq!(said.len(), 2, "{said:?}");
        assert_eq!(said[0].0, 4);
        assert!(
            said[0].1.contains("requires `gone/skaffold.yaml`"),
            "{said:?}"
        );
        assert_eq!(said[1].0, 5);
        assert!(said[1].1.contains("outside the repository"), "{said:?}");
    }

    #[test]
    fn components_are_never_units_alone() {
        let p = plan_of(&[
            ("base/kustomization.yaml", "resources: [a.yaml]\n"),
            (
                "comp/kustomization.yaml",
                "kind: Component\npatches:\n- path: p.yaml\n",
            ),
            ("comp/p.yaml", "kind: Deployment\n"),
            (
                "unused/kustomization.yaml",
                "kind: Component\nresources: [x.yaml]\n",
            ),
            ("unused/x.yaml", "kind: Pod\n"),
        ]);
        let names: Vec<&str> = p.units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["base"]);
        assert!(p.consumed.contains("unused/x.yaml"));
    }

    #[test]
    fn kustomizations_in_a_cycle_are_still_units() {
        let p = plan_of(&[
            ("a/kustomization.yaml", "resources: [../b]\n"),
            ("b/kustomization.yaml", "resources: [../a]\n"),
        ]);
        assert_eq!(p.units.len(), 1);
        assert_eq!(p.units[0].files.len(), 2);
    }

    #[test]
    fn a_chart_is_a_unit_per_values_set_and_subcharts_are_not() {
        let p = plan_of(&[
            ("web/Chart.yaml", "name: web\n"),
            ("web/values.yaml", "a: 1\n"),
            ("web/values-prod.yaml", "a: 2\n"),
            ("web/staging.values.yaml", "a: 3\n"),
            ("web/templates/d.yaml", "kind: {{ .Values.a }}\n"),
            ("web/charts/db/Chart.yaml", "name: db\n"),
            ("lib/Chart.yaml", "name: lib\ntype: library\n"),
        ]);
        let names: Vec<&str> = p.units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["web@prod", "web@staging", "web"]);
        assert_eq!(p.units[0].values, ["web/values-prod.yaml"]);
        assert!(p.consumed.contains("web/templates/d.yaml"));
        assert!(p.consumed.contains("lib/Chart.yaml"));
    }

    #[test]
    fn loose_manifests_are_grouped_by_folder_and_shared_namespace() {
        let f = |rel: &str, ns: &[&str]| LooseFile {
            rel: rel.into(),
            namespaces: ns.iter().map(|s| s.to_string()).collect(),
            workloads: true,
        };
        let units = group_loose(
            &[
                f("samples/a/k8s/app.yaml", &[]),
                f("samples/b/k8s/app.yaml", &[]),
                f("shop/db/db.yaml", &["shop"]),
                f("shop/web/web.yaml", &["shop"]),
                f("other/web/web.yaml", &["shop"]),
                f("x.yaml", &["default"]),
            ],
            &[],
        );
        let got: Vec<(&str, usize)> = units
            .iter()
            .map(|u| (u.name.as_str(), u.files.len()))
            .collect();
        assert_eq!(
            got,
            [
                (".", 1),
                ("other/web", 1),
                ("samples/a/k8s", 1),
                ("samples/b/k8s", 1),
                ("shop", 2)
            ]
        );
    }

    /// A folder of Services above folders of alternative Deployments is applied with each.
    #[test]
    fn a_folder_without_workloads_joins_the_folders_below_it() {
        let f = |rel: &str, workloads: bool| LooseFile {
            rel: rel.into(),
            namespaces: BTreeSet::new(),
            workloads,
        };
        let units = group_loose(
            &[
                f("llm/service.yaml", false),
                f("llm/falcon/deploy.yaml", true),
                f("llm/llama/deploy.yaml", true),
                f("llm/llama/hpa.yaml", false),
                f("llm-extra/deploy.yaml", true),
                f("web/service.yaml", false),
                f("web/deploy.yaml", true),
                f("web/extra/svc.yaml", false),
                f("policies/deny.yaml", false),
            ],
            &[],
        );
        let got: Vec<(&str, Vec<&str>)> = units
            .iter()
            .map(|u| {
                (
                    u.name.as_str(),
                    u.files.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("llm-extra", vec!["llm-extra/deploy.yaml"]),
                (
                    "llm/falcon",
                    vec!["llm/falcon/deploy.yaml", "llm/service.yaml"]
                ),
                (
                    "llm/llama",
                    vec![
                        "llm/llama/deploy.yaml",
                        "llm/llama/hpa.yaml",
                        "llm/service.yaml"
                    ]
                ),
                ("policies", vec!["policies/deny.yaml"]),
                ("web", vec!["web/deploy.yaml", "web/service.yaml"]),
                ("web/extra", vec!["web/extra/svc.yaml"]),
            ]
        );
        assert!(
            units[1].formed.contains("with the manifests of llm"),
            "{}",
            units[1].formed
        );
    }

    #[test]
    fn configured_manifest_units_claim_their_folder() {
        let cfg = ConfigUnit {
            name: "platform".into(),
            kind: "manifests".into(),
            path: "k8s".into(),
            values: vec![],
            set: vec![],
            release: None,
            namespace: None,
            location: Location::file(Arc::from("vigie.toml")),
        };
        let units = group_loose(
            &[
                LooseFile {
                    rel: "k8s/a/x.yaml".into(),
                    namespaces: BTreeSet::new(),
                    workloads: true,
                },
                LooseFile {
                    rel: "k8s/b/y.yaml".into(),
                    namespaces: BTreeSet::new(),
                    workloads: true,
                },
            ],
            &[cfg],
        );
        assert_eq!(units.len(), 1);
        assert_eq!(units[0].name, "platform");
        assert_eq!(units[0].files.len(), 2);
    }

    #[test]
    fn env_values_names() {
        for n in [
            "values-prod.yaml",
            "values.staging.yml",
            "prod-values.yaml",
            "dev.values.yaml",
        ] {
            assert!(is_env_values(n), "{n}");
        }
        for n in [
            "values.yaml",
            "values.schema.json",
            "myvalues.yaml",
            "values-.yaml",
        ] {
            assert!(!is_env_values(n), "{n}");
        }
        assert_eq!(env_of("values-prod.yaml"), "prod");
        assert_eq!(env_of("dev.values.yaml"), "dev");
    }
}
