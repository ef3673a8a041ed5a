//! Lockfiles: every package they lock, with its version, the line that locks it, the hashes
//! the lockfile records and the dependency graph where the lockfile records it.
//!
//! JSON and YAML lockfiles (package-lock.json, pnpm-lock.yaml, yarn berry's yarn.lock) are read
//! with vigie's YAML reader, which also reads JSON and keeps the line of every key, so each
//! package gets the line of its entry without a second pass. TOML lockfiles (Cargo.lock,
//! poetry.lock) are read with `toml` and its spans. yarn v1's format, requirements files and
//! go.sum are line formats without a maintained Rust reader, read here line by line.

use crate::Ecosystem;
use std::collections::HashMap;
use std::sync::Arc;
use vigie_core::{DiagKind, Diagnostic, Location, SourceFile};
use vigie_parse::yaml::{self, Node};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    PackageLock,
    Yarn,
    Pnpm,
    CargoLock,
    PoetryLock,
    Requirements,
    GoSum,
}

impl Kind {
    /// The lockfile kind of a path, by its file name.
    pub fn of(rel: &str) -> Option<Kind> {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        Some(match name {
            "package-lock.json" | "npm-shrinkwrap.json" => Kind::PackageLock,
            "yarn.lock" => Kind::Yarn,
            "pnpm-lock.yaml" => Kind::Pnpm,
            "Cargo.lock" => Kind::CargoLock,
            "poetry.lock" => Kind::PoetryLock,
            "go.sum" => Kind::GoSum,
            n if n.starts_with("requirements") && n.ends_with(".txt") => Kind::Requirements,
            n if n.ends_with(".txt") && rel.split('/').rev().nth(1) == Some("requirements") => {
                Kind::Requirements
            }
            _ => return None,
        })
    }

    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Kind::PackageLock | Kind::Yarn | Kind::Pnpm => Ecosystem::Npm,
            Kind::CargoLock => Ecosystem::CratesIo,
            Kind::PoetryLock | Kind::Requirements => Ecosystem::PyPI,
            Kind::GoSum => Ecosystem::Go,
        }
    }
}

/// A hash of the package's archive, as CycloneDX names algorithms (`SHA-512`), in hex.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hash {
    pub alg: &'static str,
    pub hex: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// 1-based line of the package's entry.
    pub line: u32,
    pub hashes: Vec<Hash>,
    /// Indexes of the packages it depends on, in the same lockfile.
    pub deps: Vec<usize>,
    /// Fetched from the ecosystem's registry (so its version can be matched against advisories),
    /// not from git, a path or a URL.
    pub registry: bool,
}

/// A requirement without an exact version (`requirements.txt` with `>=`, `~=`, a URL).
#[derive(Debug, Clone, PartialEq)]
pub struct Unpinned {
    pub name: String,
    pub spec: String,
    pub line: u32,
}

#[derive(Debug, Clone)]
pub struct Lockfile {
    pub path: Arc<str>,
    pub kind: Kind,
    pub ecosystem: Ecosystem,
    pub packages: Vec<Package>,
    /// The root project's direct dependencies, where the lockfile says.
    pub roots: Vec<usize>,
    /// The root project's name and version, where the lockfile says.
    pub root: Option<(String, String)>,
    pub unpinned: Vec<Unpinned>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Lockfile {
    fn new(path: &str, kind: Kind) -> Lockfile {
        Lockfile {
            path: Arc::from(path),
            kind,
            ecosystem: kind.ecosystem(),
            packages: Vec::new(),
            roots: Vec::new(),
            root: None,
            unpinned: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    fn diag(&mut self, kind: DiagKind, line: u32, col: u32, msg: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(
            kind,
            Location::new(self.path.clone(), line, col),
            msg,
        ));
    }
}

/// Reads a lockfile; `None` when the path is not a lockfile. Problems become diagnostics and
/// whatever could be read is kept.
pub fn parse(rel: &str, text: &str) -> Option<Lockfile> {
    let kind = Kind::of(rel)?;
    let mut lf = Lockfile::new(rel, kind);
    match kind {
        Kind::PackageLock => package_lock(&mut lf, text),
        Kind::Yarn => {
            if text.contains("\n__metadata:") || text.starts_with("__metadata:") {
                yarn_berry(&mut lf, text)
            } else {
                yarn_v1(&mut lf, text)
            }
        }
        Kind::Pnpm => pnpm(&mut lf, text),
        Kind::CargoLock => cargo_lock(&mut lf, text),
        Kind::PoetryLock => poetry_lock(&mut lf, text),
        Kind::Requirements => requirements(&mut lf, text),
        Kind::GoSum => go_sum(&mut lf, text),
    }
    Some(lf)
}

/// npm's Subresource Integrity strings (`sha512-<base64>`, several separated by spaces).
fn sri(s: &str) -> Vec<Hash> {
    s.split_whitespace()
        .filter_map(|h| {
            let (alg, b64) = h.split_once('-')?;
            let alg = match alg {
                "sha512" => "SHA-512",
                "sha384" => "SHA-384",
                "sha256" => "SHA-256",
                "sha1" => "SHA-1",
                _ => return None,
            };
            let bytes = data_encoding::BASE64.decode(b64.as_bytes()).ok()?;
            Some(Hash {
                alg,
                hex: data_encoding::HEXLOWER.encode(&bytes),
            })
        })
        .collect()
}

fn yaml_doc(lf: &mut Lockfile, text: &str) -> Option<Node> {
    let stream = yaml::parse(text);
    for w in &stream.warnings {
        lf.diag(DiagKind::Parse, w.pos.line, w.pos.col, w.message.clone());
    }
    if let Some(e) = &stream.error {
        lf.diag(
            DiagKind::Parse,
            e.pos.line,
            e.pos.col,
            format!("{}; packages after this point are not read", e.message),
        );
    }
    stream.documents.into_iter().next().map(|d| d.root)
}

// ---------------------------------------------------------------------------------------------
// package-lock.json / npm-shrinkwrap.json

fn package_lock(lf: &mut Lockfile, text: &str) {
    let Some(root) = yaml_doc(lf, text) else {
        if lf.diagnostics.is_empty() {
            lf.diag(DiagKind::Parse, 1, 1, "the lockfile is empty");
        }
        return;
    };
    if root.as_map().is_none() {
        lf.diag(
            DiagKind::Parse,
            root.pos.line,
            root.pos.col,
            "the lockfile is not a JSON object",
        );
        return;
    }
    let version = root.get("lockfileVersion").and_then(Node::as_i64);
    if let (Some(n), Some(v)) = (
        root.get("name").and_then(Node::as_str),
        root.get("version").and_then(Node::as_str),
    ) {
        lf.root = Some((n.to_string(), v.to_string()));
    }
    match (version, root.get("packages")) {
        (Some(2 | 3), Some(p)) => npm_packages(lf, p),
        (Some(1) | None, _) if root.get("dependencies").is_some() => {
            if version.is_none() {
                let pos = root.pos;
                lf.diag(
                    DiagKind::Parse,
                    pos.line,
                    pos.col,
                    "no `lockfileVersion`: read as version 1",
                );
            }
            let mut scopes = Vec::new();
            if let Some(d) = root.get("dependencies") {
                npm_v1(lf, d, &mut scopes, None);
            }
        }
        (v, packages) => {
            let pos = root
                .entry("lockfileVersion")
                .map_or(root.pos, |e| e.key_pos);
            let shown = v.map_or("none".to_string(), |v| v.to_string());
            if let Some(p) = packages {
                lf.diag(
                    DiagKind::Parse,
                    pos.line,
                    pos.col,
                    format!("lockfileVersion {shown} is not one vigie knows (1, 2, 3): read as version 3"),
                );
                npm_packages(lf, p);
            } else {
                lf.diag(
                    DiagKind::Parse,
                    pos.line,
                    pos.col,
                    format!("lockfileVersion {shown} with neither `packages` nor `dependencies`: nothing read"),
                );
            }
        }
    }
}

/// Versions 2 and 3: `packages` keyed by install path (`node_modules/a/node_modules/b`).
fn npm_packages(lf: &mut Lockfile, packages: &Node) {
    let mut by_path: HashMap<&str, usize> = HashMap::new();
    let mut wanted: Vec<(usize, Vec<String>)> = Vec::new();
    let mut root_deps: Vec<String> = Vec::new();
    for e in packages.entries() {
        let key = e.key.as_str();
        let v = &e.value;
        if key.is_empty() {
            root_deps = dep_names(v);
            if lf.root.is_none()
                && let Some(n) = v.get("name").and_then(Node::as_str)
            {
                lf.root = Some((
                    n.to_string(),
                    v.get("version")
                        .and_then(Node::as_str)
                        .unwrap_or("")
                        .to_string(),
                ));
            }
            continue;
        }
        // Workspace members (`packages/app`) and links are the project's own code.
        let Some(at) = key.rfind("node_modules/") else {
            continue;
        };
        if v.get("link").and_then(Node::as_bool) == Some(true) {
            continue;
        }
        let name = v
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or(&key[at + "node_modules/".len()..]);
        let Some(version) = v.get("version").and_then(Node::as_str) else {
            lf.diag(
                DiagKind::Parse,
                e.key_pos.line,
                e.key_pos.col,
                format!("`{key}` has no version"),
            );
            continue;
        };
        lf.packages
            .push(npm_package(name, version, e.key_pos.line, v));
        let i = lf.packages.len() - 1;
        by_path.insert(key, i);
        wanted.push((i, dep_names(v)));
    }
    // Node's resolution: the nearest `node_modules/<dep>` up the install path.
    let paths: Vec<(&str, usize)> = by_path.iter().map(|(k, v)| (*k, *v)).collect();
    let path_of: HashMap<usize, &str> = paths.iter().map(|(k, v)| (*v, *k)).collect();
    for (i, deps) in wanted {
        let base = path_of.get(&i).copied().unwrap_or("");
        let mut out = Vec::new();
        for d in &deps {
            let mut b = base;
            loop {
                let cand = if b.is_empty() {
                    format!("node_modules/{d}")
                } else {
                    format!("{b}/node_modules/{d}")
                };
                if let Some(&j) = by_path.get(cand.as_str()) {
                    out.push(j);
                    break;
                }
                if b.is_empty() {
                    break;
                }
                b = match b.rfind("/node_modules/") {
                    Some(k) => &b[..k],
                    None => "",
                };
            }
        }
        lf.packages[i].deps = out;
    }
    lf.roots = root_deps
        .iter()
        .filter_map(|d| by_path.get(format!("node_modules/{d}").as_str()).copied())
        .collect();
}

fn dep_names(v: &Node) -> Vec<String> {
    let mut out = Vec::new();
    for k in [
        "dependencies",
        "optionalDependencies",
        "devDependencies",
        "peerDependencies",
        "requires",
    ] {
        if let Some(m) = v.get(k) {
            for e in m.entries() {
                if !out.contains(&e.key) {
                    out.push(e.key.clone());
                }
            }
        }
    }
    out
}

/// A package-lock entry (v1 `dependencies` or v2/v3 `packages`) as a package: its integrity hash
/// and the registry it was resolved from.
fn npm_package(name: &str, version: &str, line: u32, v: &Node) -> Package {
    let resolved = v.get("resolved").and_then(Node::as_str).unwrap_or("");
    Package {
        name: name.to_string(),
        version: version.to_string(),
        line,
        hashes: v
            .get("integrity")
            .and_then(Node::as_str)
            .map(sri)
            .unwrap_or_default(),
        deps: Vec::new(),
        registry: npm_registry(version, resolved),
    }
}

fn npm_registry(version: &str, resolved: &str) -> bool {
    let protocol =
        version.contains(':') || resolved.starts_with("git") || resolved.starts_with("file:");
    !protocol && crate::version::Version::parse(Ecosystem::Npm, version).is_some()
}

/// Version 1: nested `dependencies`; `requires` names what each needs, found in its own nested
/// `dependencies` first, then up the nesting.
fn npm_v1<'a>(
    lf: &mut Lockfile,
    deps: &'a Node,
    scopes: &mut Vec<HashMap<&'a str, usize>>,
    parent: Option<(usize, &'a Node)>,
) {
    let mut scope = HashMap::new();
    let mut nested = Vec::new();
    for e in deps.entries() {
        let v = &e.value;
        let Some(version) = v.get("version").and_then(Node::as_str) else {
            lf.diag(
                DiagKind::Parse,
                e.key_pos.line,
                e.key_pos.col,
                format!("`{}` has no version", e.key),
            );
            continue;
        };
        // `npm:real-name@1.0.0` aliases.
        let (name, version) = match version
            .strip_prefix("npm:")
            .and_then(|a| a.rsplit_once('@'))
        {
            Some((n, ver)) if !n.is_empty() => (n, ver),
            _ => (e.key.as_str(), version),
        };
        lf.packages
            .push(npm_package(name, version, e.key_pos.line, v));
        let i = lf.packages.len() - 1;
        scope.insert(e.key.as_str(), i);
        nested.push((i, v));
    }
    if parent.is_none() {
        let mut roots: Vec<usize> = scope.values().copied().collect();
        roots.sort_unstable();
        lf.roots = roots;
    }
    scopes.push(scope);
    if let Some((p, pv)) = parent {
        npm_v1_requires(lf, p, pv, scopes);
    }
    for &(i, v) in &nested {
        match v.get("dependencies") {
            Some(d) if scopes.len() < 64 => npm_v1(lf, d, scopes, Some((i, v))),
            _ => npm_v1_requires(lf, i, v, scopes),
        }
    }
    scopes.pop();
}

fn npm_v1_requires(lf: &mut Lockfile, i: usize, v: &Node, scopes: &[HashMap<&str, usize>]) {
    let mut out = Vec::new();
    for r in v.get("requires").map(Node::entries).unwrap_or(&[]) {
        if let Some(j) = scopes
            .iter()
            .rev()
            .find_map(|s| s.get(r.key.as_str()).copied())
        {
            out.push(j);
        }
    }
    lf.packages[i].deps = out;
}

// ---------------------------------------------------------------------------------------------
// yarn.lock

/// `name@range` → name (the `@` of a scope is not the separator).
fn split_descriptor(d: &str) -> Option<(&str, &str)> {
    let at = d[1.min(d.len())..].find('@')? + 1.min(d.len());
    Some((&d[..at], &d[at + 1..]))
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s)
}

/// yarn v1: its own indented format (not YAML: `version "1.2.3"`, no colon).
fn yarn_v1(lf: &mut Lockfile, text: &str) {
    struct Entry {
        descriptors: Vec<String>,
        name: String,
        version: Option<String>,
        resolved: String,
        integrity: String,
        deps: Vec<String>,
        line: u32,
    }
    let mut entries: Vec<Entry> = Vec::new();
    let mut in_deps = false;
    for (n, raw) in text.lines().enumerate() {
        let line = n as u32 + 1;
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let body = raw.trim();
        if indent == 0 {
            in_deps = false;
            let Some(head) = body.strip_suffix(':') else {
                lf.diag(
                    DiagKind::Parse,
                    line,
                    1,
                    format!("expected `descriptor:` here, found `{}`", short(body)),
                );
                continue;
            };
            let descriptors: Vec<String> =
                head.split(", ").map(|d| unquote(d).to_string()).collect();
            let Some((name, _)) = descriptors.first().and_then(|d| split_descriptor(d)) else {
                lf.diag(
                    DiagKind::Parse,
                    line,
                    1,
                    format!("`{}` is not a `name@range` descriptor", short(head)),
                );
                continue;
            };
            entries.push(Entry {
                name: name.to_string(),
                descriptors,
                version: None,
                resolved: String::new(),
                integrity: String::new(),
                deps: Vec::new(),
                line,
            });
            continue;
        }
        let Some(cur) = entries.last_mut() else {
            lf.diag(
                DiagKind::Parse,
                line,
                indent as u32 + 1,
                "indented line outside any entry",
            );
            continue;
        };
        if indent <= 2 {
            in_deps = false;
            if let Some(section) = body.strip_suffix(':') {
                in_deps = matches!(section, "dependencies" | "optionalDependencies");
                continue;
            }
            let (k, v) = body.split_once(' ').unwrap_or((body, ""));
            match k {
                "version" => cur.version = Some(unquote(v).to_string()),
                "resolved" => cur.resolved = unquote(v).to_string(),
                "integrity" => cur.integrity = unquote(v).to_string(),
                _ => {}
            }
        } else if in_deps {
            let (k, v) = if let Some(rest) = body.strip_prefix('"') {
                match rest.split_once('"') {
                    Some((k, v)) => (k, v),
                    None => (rest, ""),
                }
            } else {
                body.split_once(' ').unwrap_or((body, ""))
            };
            cur.deps.push(format!("{}@{}", k, unquote(v)));
        }
    }
    let mut by_desc: HashMap<String, usize> = HashMap::new();
    let mut wanted = Vec::new();
    for e in entries {
        let Some(version) = e.version else {
            lf.diag(
                DiagKind::Parse,
                e.line,
                1,
                format!("`{}` has no version", e.name),
            );
            continue;
        };
        let mut hashes = sri(&e.integrity);
        if hashes.is_empty()
            && let Some((_, frag)) = e.resolved.rsplit_once('#')
            && frag.len() == 40
            && frag.bytes().all(|b| b.is_ascii_hexdigit())
        {
            hashes.push(Hash {
                alg: "SHA-1",
                hex: frag.to_ascii_lowercase(),
            });
        }
        let registry =
            e.resolved.starts_with("http") && !e.resolved.contains("codeload.github.com");
        lf.packages.push(Package {
            registry: registry && npm_registry(&version, ""),
            name: e.name,
            version,
            line: e.line,
            hashes,
            deps: Vec::new(),
        });
        let i = lf.packages.len() - 1;
        for d in e.descriptors {
            by_desc.insert(d, i);
        }
        wanted.push((i, e.deps));
    }
    for (i, deps) in wanted {
        lf.packages[i].deps = deps
            .iter()
            .filter_map(|d| by_desc.get(d).copied())
            .collect();
    }
}

/// yarn 2+ (berry): YAML; entries keyed by descriptors (`lodash@npm:^4.17.21`), the resolution
/// says where the package comes from (`npm:` is the registry; `workspace:` the project).
fn yarn_berry(lf: &mut Lockfile, text: &str) {
    let Some(root) = yaml_doc(lf, text) else {
        return;
    };
    let mut by_desc: HashMap<String, usize> = HashMap::new();
    let mut wanted: Vec<(Option<usize>, Vec<String>)> = Vec::new();
    for e in root.entries() {
        if e.key == "__metadata" {
            continue;
        }
        let v = &e.value;
        let resolution = v.get("resolution").and_then(Node::as_str).unwrap_or("");
        let deps: Vec<String> = v
            .get("dependencies")
            .map(|d| {
                d.entries()
                    .iter()
                    .map(|x| format!("{}@{}", x.key, x.value.as_str().unwrap_or("")))
                    .collect()
            })
            .unwrap_or_default();
        if resolution.contains("@workspace:") {
            if resolution.ends_with("@workspace:.") {
                if let Some((n, _)) = split_descriptor(resolution) {
                    let version = v
                        .get("version")
                        .and_then(Node::as_str)
                        .unwrap_or("")
                        .to_string();
                    lf.root = Some((n.to_string(), version));
                }
                wanted.push((None, deps));
            }
            continue;
        }
        let Some((name, source)) = split_descriptor(resolution) else {
            lf.diag(
                DiagKind::Parse,
                e.key_pos.line,
                e.key_pos.col,
                format!("`{}` has no resolution", short(&e.key)),
            );
            continue;
        };
        let Some(version) = v.get("version").and_then(Node::as_str) else {
            lf.diag(
                DiagKind::Parse,
                e.key_pos.line,
                e.key_pos.col,
                format!("`{}` has no version", short(&e.key)),
            );
            continue;
        };
        lf.packages.push(Package {
            name: name.to_string(),
            version: version.to_string(),
            line: e.key_pos.line,
            // Berry's `checksum` is of its own zip archive, not of the registry tarball: left out.
            hashes: Vec::new(),
            deps: Vec::new(),
            registry: source.starts_with("npm:") && npm_registry(version, ""),
        });
        let i = lf.packages.len() - 1;
        for d in e.key.split(", ") {
            by_desc.insert(unquote(d).to_string(), i);
        }
        wanted.push((Some(i), deps));
    }
    for (i, deps) in wanted {
        let found: Vec<usize> = deps
            .iter()
            .filter_map(|d| {
                by_desc.get(d).copied().or_else(|| {
                    let (n, r) = split_descriptor(d)?;
                    by_desc.get(&format!("{n}@npm:{r}")).copied()
                })
            })
            .collect();
        match i {
            Some(i) => lf.packages[i].deps = found,
            None => lf.roots.extend(found),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// pnpm-lock.yaml

/// A pnpm package key (`/name@1.0.0(peer@2)` in v6, `name@1.0.0` in v9, `/name/1.0.0_peer@2` in
/// v5) → name and version.
fn pnpm_key(k: &str) -> Option<(&str, &str)> {
    let k = k.strip_prefix('/').unwrap_or(k);
    let k = k.split('(').next().unwrap_or(k);
    let (name, version) = match split_descriptor(k) {
        Some((n, v)) if !n.contains('/') || n.starts_with('@') && n.matches('/').count() == 1 => {
            (n, v)
        }
        _ => k.rsplit_once('/')?,
    };
    // v5 appends peers with `_`.
    let version = version.split('_').next().unwrap_or(version);
    if name.is_empty() || version.is_empty() {
        return None;
    }
    Some((name, version))
}

fn pnpm(lf: &mut Lockfile, text: &str) {
    let Some(root) = yaml_doc(lf, text) else {
        return;
    };
    let lv = root
        .get("lockfileVersion")
        .and_then(Node::as_str)
        .unwrap_or("");
    let major: u32 = lv
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if !(5..=9).contains(&major) {
        let pos = root
            .entry("lockfileVersion")
            .map_or(root.pos, |e| e.key_pos);
        lf.diag(
            DiagKind::Parse,
            pos.line,
            pos.col,
            format!("lockfileVersion `{lv}` is not one vigie knows (5 to 9): read as 9"),
        );
    }
    let mut by_id: HashMap<(String, String), usize> = HashMap::new();
    let mut wanted: Vec<(usize, &Node)> = Vec::new();
    for e in root.get("packages").map(Node::entries).unwrap_or(&[]) {
        let Some((name, version)) = pnpm_key(&e.key) else {
            lf.diag(
                DiagKind::Parse,
                e.key_pos.line,
                e.key_pos.col,
                format!("`{}` is not a `name@version` key", short(&e.key)),
            );
            continue;
        };
        let id = (name.to_string(), version.to_string());
        if let Some(&i) = by_id.get(&id) {
            // The same package with other peers (v6): one package.
            wanted.push((i, &e.value));
            continue;
        }
        let res = e.value.get("resolution");
        let integrity = res
            .and_then(|r| r.get("integrity"))
            .and_then(Node::as_str)
            .unwrap_or("");
        let registry = res.is_some_and(|r| r.get("tarball").is_none() && r.get("type").is_none())
            && npm_registry(version, "");
        lf.packages.push(Package {
            name: name.to_string(),
            version: version.to_string(),
            line: e.key_pos.line,
            hashes: sri(integrity),
            deps: Vec::new(),
            registry,
        });
        let i = lf.packages.len() - 1;
        by_id.insert(id, i);
        wanted.push((i, &e.value));
    }
    // v9 keeps the graph in `snapshots`.
    for e in root.get("snapshots").map(Node::entries).unwrap_or(&[]) {
        if let Some((n, v)) = pnpm_key(&e.key)
            && let Some(&i) = by_id.get(&(n.to_string(), v.to_string()))
        {
            wanted.push((i, &e.value));
        }
    }
    let resolve = |name: &str, value: &Node| -> Option<usize> {
        let v = value.get("version").unwrap_or(value).as_str()?;
        if v.starts_with("link:") || v.starts_with("file:") {
            return None;
        }
        let (n, ver) = match pnpm_key(v) {
            Some((n, ver)) if v.starts_with('/') || v[1..].contains('@') => (n, ver),
            _ => (
                name,
                v.split('(')
                    .next()
                    .unwrap_or(v)
                    .split('_')
                    .next()
                    .unwrap_or(v),
            ),
        };
        by_id.get(&(n.to_string(), ver.to_string())).copied()
    };
    let mut edges: Vec<(usize, usize)> = Vec::new();
    for (i, v) in &wanted {
        for k in ["dependencies", "optionalDependencies"] {
            for d in v.get(k).map(Node::entries).unwrap_or(&[]) {
                if let Some(j) = resolve(&d.key, &d.value) {
                    edges.push((*i, j));
                }
            }
        }
    }
    for (i, j) in edges {
        if !lf.packages[i].deps.contains(&j) {
            lf.packages[i].deps.push(j);
        }
    }
    // Direct dependencies: the root importer (v6+), or the top-level maps (v5, single project).
    let top = root
        .get("importers")
        .and_then(|m| m.get("."))
        .unwrap_or(&root);
    let mut roots = Vec::new();
    for k in ["dependencies", "devDependencies", "optionalDependencies"] {
        for d in top.get(k).map(Node::entries).unwrap_or(&[]) {
            if let Some(j) = resolve(&d.key, &d.value)
                && !roots.contains(&j)
            {
                roots.push(j);
            }
        }
    }
    lf.roots = roots;
}

// ---------------------------------------------------------------------------------------------
// Cargo.lock and poetry.lock (TOML)

#[derive(serde::Deserialize)]
struct TomlLock {
    #[serde(default)]
    package: Vec<toml::Spanned<toml::Table>>,
    #[serde(default)]
    metadata: Option<toml::Table>,
}

fn toml_lock(lf: &mut Lockfile, text: &str) -> Option<(TomlLock, SourceFile)> {
    match toml::from_str::<TomlLock>(text) {
        Ok(t) => Some((t, SourceFile::new(lf.path.clone(), text.to_string()))),
        Err(e) => {
            let sf = SourceFile::new(lf.path.clone(), text.to_string());
            let (line, col) = e.span().map_or((1, 1), |s| sf.line_col(s.start));
            lf.diag(
                DiagKind::Parse,
                line,
                col,
                format!("not valid TOML, nothing in it was read: {}", e.message()),
            );
            None
        }
    }
}

fn str_of<'a>(t: &'a toml::Table, k: &str) -> Option<&'a str> {
    t.get(k).and_then(toml::Value::as_str)
}

/// A `[[package]]` of Cargo.lock or poetry.lock with its name and version, and the line of its
/// first key; one without a name or a version is a diagnostic.
struct TomlPackage<'a> {
    line: u32,
    table: &'a toml::Table,
    name: &'a str,
    version: &'a str,
}

fn toml_package<'a>(
    lf: &mut Lockfile,
    sf: &SourceFile,
    p: &'a toml::Spanned<toml::Table>,
) -> Option<TomlPackage<'a>> {
    let (line, _) = sf.line_col(p.span().start);
    let line = line + 1; // the span starts at the `[[package]]` header.
    let table = p.get_ref();
    let (Some(name), Some(version)) = (str_of(table, "name"), str_of(table, "version")) else {
        lf.diag(
            DiagKind::Parse,
            line,
            1,
            "a package without `name` or `version`",
        );
        return None;
    };
    Some(TomlPackage {
        line,
        table,
        name,
        version,
    })
}

fn cargo_lock(lf: &mut Lockfile, text: &str) {
    let Some((lock, sf)) = toml_lock(lf, text) else {
        return;
    };
    // Cargo.lock v1 kept checksums in `[metadata]`: "checksum NAME VERSION (SOURCE)" = "HEX".
    let old_sums: HashMap<String, String> = lock
        .metadata
        .iter()
        .flatten()
        .filter_map(|(k, v)| {
            let rest = k.strip_prefix("checksum ")?;
            let mut it = rest.split(' ');
            Some((
                format!("{} {}", it.next()?, it.next()?),
                v.as_str()?.to_string(),
            ))
        })
        .collect();
    let mut wanted = Vec::new();
    let mut locals = Vec::new();
    for p in &lock.package {
        let Some(TomlPackage {
            line,
            table: t,
            name,
            version,
        }) = toml_package(lf, &sf, p)
        else {
            continue;
        };
        let source = str_of(t, "source").unwrap_or("");
        let checksum = str_of(t, "checksum")
            .map(str::to_string)
            .or_else(|| old_sums.get(&format!("{name} {version}")).cloned());
        lf.packages.push(Package {
            name: name.to_string(),
            version: version.to_string(),
            line,
            hashes: checksum
                .filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
                .map(|hex| {
                    vec![Hash {
                        alg: "SHA-256",
                        hex: hex.to_ascii_lowercase(),
                    }]
                })
                .unwrap_or_default(),
            deps: Vec::new(),
            registry: source.starts_with("registry+") || source.starts_with("sparse+"),
        });
        let i = lf.packages.len() - 1;
        if source.is_empty() {
            locals.push(i);
        }
        let deps: Vec<String> = t
            .get("dependencies")
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|d| d.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        wanted.push((i, deps));
    }
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in lf.packages.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    // `name`, or `name version` when several versions are locked, or `name version (source)`.
    let resolved: Vec<(usize, Vec<usize>)> = wanted
        .into_iter()
        .map(|(i, deps)| {
            let out = deps
                .iter()
                .filter_map(|d| {
                    let mut it = d.split(' ');
                    let name = it.next()?;
                    let version = it.next();
                    let cands = by_name.get(name)?;
                    match version {
                        None => cands.first().copied(),
                        Some(v) => cands.iter().copied().find(|&j| lf.packages[j].version == v),
                    }
                })
                .collect();
            (i, out)
        })
        .collect();
    for (i, out) in resolved {
        lf.packages[i].deps = out;
    }
    // The workspace's own crates are the roots: their dependencies are the direct ones.
    if let Some(&first) = locals.first() {
        lf.root = Some((
            lf.packages[first].name.clone(),
            lf.packages[first].version.clone(),
        ));
    }
    let mut roots = Vec::new();
    for &l in &locals {
        for &d in &lf.packages[l].deps {
            if !roots.contains(&d) {
                roots.push(d);
            }
        }
    }
    lf.roots = roots;
}

fn poetry_lock(lf: &mut Lockfile, text: &str) {
    let Some((lock, sf)) = toml_lock(lf, text) else {
        return;
    };
    // poetry < 1.2 kept file hashes in `[metadata.files]`.
    let old_files = lock
        .metadata
        .as_ref()
        .and_then(|m| m.get("files"))
        .and_then(toml::Value::as_table);
    let mut wanted = Vec::new();
    for p in &lock.package {
        let Some(TomlPackage {
            line,
            table: t,
            name,
            version,
        }) = toml_package(lf, &sf, p)
        else {
            continue;
        };
        let files = t
            .get("files")
            .or_else(|| old_files.and_then(|f| f.get(name)))
            .and_then(toml::Value::as_array);
        let mut hashes = Vec::new();
        for f in files.into_iter().flatten() {
            if let Some(h) = f.get("hash").and_then(toml::Value::as_str)
                && let Some((alg, hex)) = h.split_once(':')
            {
                let alg = match alg {
                    "sha256" => "SHA-256",
                    "sha512" => "SHA-512",
                    "sha384" => "SHA-384",
                    "md5" => "MD5",
                    _ => continue,
                };
                let hash = Hash {
                    alg,
                    hex: hex.to_ascii_lowercase(),
                };
                if !hashes.contains(&hash) {
                    hashes.push(hash);
                }
            }
        }
        let source_type = t
            .get("source")
            .and_then(|s| s.get("type"))
            .and_then(toml::Value::as_str)
            .unwrap_or("");
        lf.packages.push(Package {
            name: name.to_string(),
            version: version.to_string(),
            line,
            hashes,
            deps: Vec::new(),
            registry: matches!(source_type, "" | "legacy")
                && crate::version::Version::parse(Ecosystem::PyPI, version).is_some(),
        });
        let deps: Vec<String> = t
            .get("dependencies")
            .and_then(toml::Value::as_table)
            .map(|d| d.keys().cloned().collect())
            .unwrap_or_default();
        wanted.push((lf.packages.len() - 1, deps));
    }
    let by_name: HashMap<String, usize> = lf
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| (Ecosystem::PyPI.normalise(&p.name), i))
        .collect();
    for (i, deps) in wanted {
        lf.packages[i].deps = deps
            .iter()
            .filter_map(|d| by_name.get(&Ecosystem::PyPI.normalise(d)).copied())
            .collect();
    }
}

// ---------------------------------------------------------------------------------------------
// requirements*.txt

fn requirements(lf: &mut Lockfile, text: &str) {
    // Join `\` continuations, remembering the first line of each logical line.
    let mut logical: Vec<(u32, String)> = Vec::new();
    let mut cont = false;
    for (n, raw) in text.lines().enumerate() {
        let (body, more) = match raw.trim_end().strip_suffix('\\') {
            Some(b) => (b, true),
            None => (raw, false),
        };
        if cont {
            if let Some(last) = logical.last_mut() {
                last.1.push(' ');
                last.1.push_str(body);
            }
        } else {
            logical.push((n as u32 + 1, body.to_string()));
        }
        cont = more;
    }
    for (line, l) in logical {
        // A comment starts at `#` at the start or after whitespace.
        let l = match l
            .find(" #")
            .or_else(|| l.trim_start().starts_with('#').then_some(0))
        {
            Some(i) => &l[..i],
            None => l.as_str(),
        };
        let l = l.trim();
        if l.is_empty() {
            continue;
        }
        if l.starts_with('-') {
            // Options (`-r other.txt`, `--index-url`, `-e .`): not packages.
            if let Some(rest) = l
                .strip_prefix("-e ")
                .or_else(|| l.strip_prefix("--editable "))
            {
                lf.unpinned.push(Unpinned {
                    name: rest.trim().to_string(),
                    spec: "editable".into(),
                    line,
                });
            }
            continue;
        }
        let (req, opts) = match l.find(" --") {
            Some(i) => (&l[..i], &l[i..]),
            None => (l, ""),
        };
        let req = req.split(';').next().unwrap_or(req).trim();
        let name_end = req
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(req.len());
        let name = &req[..name_end];
        if name.is_empty() {
            lf.unpinned.push(Unpinned {
                name: short(req).to_string(),
                spec: "not a requirement".into(),
                line,
            });
            continue;
        }
        let mut rest = req[name_end..].trim_start();
        if rest.starts_with('[') {
            rest = rest.split_once(']').map_or("", |(_, r)| r).trim_start();
        }
        let pinned = rest
            .strip_prefix("===")
            .or_else(|| rest.strip_prefix("=="))
            .map(str::trim)
            .filter(|v| !v.is_empty() && !v.contains([',', '*', ' ', '<', '>', '!', '~']));
        match pinned {
            Some(v) => {
                let hashes = opts
                    .split_whitespace()
                    .filter_map(|o| o.strip_prefix("--hash="))
                    .filter_map(|h| h.split_once(':'))
                    .filter_map(|(a, hex)| {
                        let alg = match a {
                            "sha256" => "SHA-256",
                            "sha384" => "SHA-384",
                            "sha512" => "SHA-512",
                            _ => return None,
                        };
                        Some(Hash {
                            alg,
                            hex: hex.to_ascii_lowercase(),
                        })
                    })
                    .collect();
                lf.packages.push(Package {
                    name: name.to_string(),
                    version: v.to_string(),
                    line,
                    hashes,
                    deps: Vec::new(),
                    registry: crate::version::Version::parse(Ecosystem::PyPI, v).is_some(),
                });
                let i = lf.packages.len() - 1;
                lf.roots.push(i);
            }
            None => lf.unpinned.push(Unpinned {
                name: name.to_string(),
                spec: if rest.is_empty() {
                    "any version".into()
                } else {
                    short(rest).to_string()
                },
                line,
            }),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// go.sum

/// Modules with a content hash line (`mod v1.2.3 h1:…`): those the build downloads. A module
/// that appears only as `mod v1.2.3/go.mod h1:…` had only its go.mod read during version
/// selection and is not part of the build, so it is not listed.
fn go_sum(lf: &mut Lockfile, text: &str) {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (n, raw) in text.lines().enumerate() {
        let line = n as u32 + 1;
        let l = raw.trim();
        if l.is_empty() {
            continue;
        }
        let mut it = l.split_whitespace();
        let (Some(module), Some(version), Some(hash), None) =
            (it.next(), it.next(), it.next(), it.next())
        else {
            lf.diag(
                DiagKind::Parse,
                line,
                1,
                format!("expected `module version hash`, found `{}`", short(l)),
            );
            continue;
        };
        if !hash.starts_with("h1:") || !version.starts_with('v') {
            lf.diag(
                DiagKind::Parse,
                line,
                1,
                format!("`{}` is not a go.sum line", short(l)),
            );
            continue;
        }
        if version.ends_with("/go.mod") {
            continue;
        }
        let key = (module.to_string(), version.to_string());
        if seen.contains_key(&key) {
            continue;
        }
        lf.packages.push(Package {
            name: module.to_string(),
            version: version.to_string(),
            line,
            // `h1:` hashes a listing of the module's files, not an archive: not a CycloneDX hash.
            hashes: Vec::new(),
            deps: Vec::new(),
            registry: crate::version::Version::parse(Ecosystem::Go, version).is_some(),
        });
        seen.insert(key, lf.packages.len() - 1);
    }
}

/// The first 80 characters, for messages.
fn short(s: &str) -> &str {
    let mut end = s.len().min(80);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Every lockfile under `root` (or `root` itself when it is a file), read, in path order.
/// `.git` and `node_modules` are not entered (what npm installed there is described by the
/// lockfile beside it); `.gitignore` is respected.
pub fn find(root: &std::path::Path) -> Vec<Lockfile> {
    let mut paths: Vec<(String, std::path::PathBuf)> = Vec::new();
    if root.is_file() {
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        paths.push((name, root.to_path_buf()));
    } else {
        let walk = ignore::WalkBuilder::new(root)
            .hidden(false)
            .git_global(false)
            .require_git(false)
            .filter_entry(|e| {
                let n = e.file_name();
                n != ".git" && n != "node_modules"
            })
            .build();
        for e in walk.flatten() {
            if !e.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap_or(e.path())
                .to_string_lossy()
                .replace('\\', "/");
            if Kind::of(&rel).is_some() {
                paths.push((rel, e.path().to_path_buf()));
            }
        }
    }
    paths.sort();
    use rayon::prelude::*;
    paths
        .into_par_iter()
        .filter_map(|(rel, abs)| match std::fs::read_to_string(&abs) {
            Ok(text) => parse(&rel, &text),
            Err(e) => {
                let mut lf = Lockfile::new(&rel, Kind::of(&rel)?);
                lf.diag(DiagKind::Io, 0, 0, format!("cannot read: {e}"));
                Some(lf)
            }
        })
        .collect()
}
