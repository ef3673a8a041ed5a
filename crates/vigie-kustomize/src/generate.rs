//! `configMapGenerator` and `secretGenerator` (with `generatorOptions`), and the content-hash
//! name suffix given at the end of the build.
//!
//! Each generated key is positioned where its value was written: the literal's line in the
//! kustomization, or line 1 of the file or env file it was read from.

use crate::accumulate::{Ctx, Kustomization, Obj, text_of};
use crate::tree;
use base64::Engine;
use std::path::Path;
use vigie_core::DiagKind;
use vigie_parse::yaml::{Node, Pos};

pub(crate) fn run(cx: &mut Ctx, k: &Kustomization, objs: &mut Vec<Obj>) {
    let options = k.get("generatorOptions").cloned();
    for (key, kind) in [
        ("configMapGenerator", "ConfigMap"),
        ("secretGenerator", "Secret"),
    ] {
        let Some(list) = k.get(key) else { continue };
        for g in list.items().to_vec() {
            generate_one(cx, k, &g, kind, options.as_ref(), objs);
        }
    }
    crate::helm::run(cx, k, objs);
}

/// Data entries of one generator, each with the position that wrote it.
struct Data {
    entries: Vec<(String, String, Pos)>,
    binary: Vec<(String, Vec<u8>, Pos)>,
}

fn generate_one(
    cx: &mut Ctx,
    k: &Kustomization,
    g: &Node,
    kind: &str,
    global: Option<&Node>,
    objs: &mut Vec<Obj>,
) {
    let name = text_of(g.get("name"));
    let pos = g.pos;
    if name.is_empty() {
        cx.error(
            DiagKind::Config,
            pos,
            format!("a {kind} generator needs a name"),
        );
        return;
    }
    let namespace = text_of(g.get("namespace"));
    let behavior = g
        .get("behavior")
        .and_then(Node::as_str)
        .unwrap_or("create")
        .to_string();
    let data = collect_data(cx, k, g);
    report_repeated_keys(cx, kind, &name, &data);
    let local = g.get("options");
    let node = generated_object(kind, &name, &namespace, g, &data, global, local, pos);
    let disable_hash = option_bool(local, global, "disableNameSuffixHash");
    let existing = objs.iter().position(|o| {
        o.kind() == kind && o.name() == name && (namespace.is_empty() || o.namespace() == namespace)
    });
    match (behavior.as_str(), existing) {
        ("create", None) => {
            let mut o = Obj::new(node);
            o.needs_hash = !disable_hash;
            objs.push(o);
        }
        ("create", Some(i)) => cx.error(
            DiagKind::Reference,
            pos,
            format!(
                "may not add resource with an already registered id: {} (declared at {})",
                objs[i].describe(),
                cx.files
                    .get(objs[i].node.pos.src as usize)
                    .cloned()
                    .unwrap_or_default()
            ),
        ),
        ("merge", Some(i)) => merge_into(&mut objs[i], node, !disable_hash),
        ("replace", Some(i)) => {
            // The data is replaced; labels and annotations merge, as in Kustomize.
            let old = std::mem::replace(&mut objs[i].node, node);
            merge_metadata(&mut objs[i], &old);
            objs[i].needs_hash = !disable_hash;
        }
        (_, None) if behavior == "merge" || behavior == "replace" => cx.error(
            DiagKind::Reference,
            pos,
            format!(
                "id {kind} {name} does not exist; cannot {behavior} a generated object that no base creates"
            ),
        ),
        _ => cx.error(
            DiagKind::Config,
            g.get("behavior").map(|b| b.pos).unwrap_or(pos),
            format!("unknown generator behavior {behavior:?} (create, merge or replace)"),
        ),
    }
}

/// Kustomize refuses a generator that sets one key twice.
fn report_repeated_keys(cx: &mut Ctx, kind: &str, name: &str, data: &Data) {
    let mut seen = std::collections::HashSet::new();
    let keys = data
        .entries
        .iter()
        .map(|(k, _, p)| (k, p))
        .chain(data.binary.iter().map(|(k, _, p)| (k, p)));
    for (key, pos) in keys {
        if !seen.insert(key.clone()) {
            cx.error(
                DiagKind::Config,
                *pos,
                format!(
                    "{} {name} illegally repeats the key `{key}`",
                    kind.to_lowercase()
                ),
            );
        }
    }
}

fn option_bool(local: Option<&Node>, global: Option<&Node>, key: &str) -> bool {
    local
        .and_then(|o| o.get(key))
        .or_else(|| global.and_then(|o| o.get(key)))
        .and_then(Node::as_bool)
        .unwrap_or(false)
}

/// `o` takes the labels and annotations of `from` it does not set itself.
fn merge_metadata(o: &mut Obj, from: &Node) {
    for key in ["labels", "annotations"] {
        let Some(old) = from.path(&["metadata", key]) else {
            continue;
        };
        let pos = old.pos;
        let Some(meta) = tree::ensure_map(&mut o.node, "metadata", pos) else {
            continue;
        };
        let Some(dst) = tree::ensure_map(meta, key, pos) else {
            continue;
        };
        for e in old.entries() {
            if dst.get(&e.key).is_none() {
                tree::set(dst, &e.key, e.value.clone());
            }
        }
    }
}

fn merge_into(o: &mut Obj, new: Node, hash: bool) {
    for key in ["data", "binaryData"] {
        if let Some(add) = new.get(key).cloned()
            && let Some(dst) = tree::ensure_map(&mut o.node, key, add.pos)
        {
            for e in add.entries() {
                tree::set(dst, &e.key, e.value.clone());
            }
        }
    }
    for key in ["labels", "annotations"] {
        if let Some(add) = new.path(&["metadata", key]).cloned()
            && let Some(meta) = tree::ensure_map(&mut o.node, "metadata", add.pos)
            && let Some(dst) = tree::ensure_map(meta, key, add.pos)
        {
            for e in add.entries() {
                tree::set(dst, &e.key, e.value.clone());
            }
        }
    }
    o.needs_hash = o.needs_hash || hash;
}

#[allow(clippy::too_many_arguments)]
fn generated_object(
    kind: &str,
    name: &str,
    namespace: &str,
    g: &Node,
    data: &Data,
    global: Option<&Node>,
    local: Option<&Node>,
    pos: Pos,
) -> Node {
    let mut root = tree::map(pos);
    tree::set(&mut root, "apiVersion", tree::scalar("v1", pos));
    tree::set(&mut root, "kind", tree::scalar(kind, pos));
    let mut meta = tree::map(pos);
    tree::set(&mut meta, "name", tree::scalar(name, pos));
    if !namespace.is_empty() {
        tree::set(&mut meta, "namespace", tree::scalar(namespace, pos));
    }
    for key in ["labels", "annotations"] {
        let mut m = tree::map(pos);
        for src in [global, local].into_iter().flatten() {
            if let Some(add) = src.get(key) {
                for e in add.entries() {
                    let v = e.value.as_str().unwrap_or("");
                    tree::set(&mut m, &e.key, tree::scalar(v, e.value.pos));
                }
            }
        }
        if !m.entries().is_empty() {
            tree::set(&mut meta, key, m);
        }
    }
    tree::set(&mut root, "metadata", meta);
    let secret = kind == "Secret";
    let mut d = tree::map(pos);
    for (key, value, p) in &data.entries {
        let v = if secret {
            base64::engine::general_purpose::STANDARD.encode(value.as_bytes())
        } else {
            value.clone()
        };
        tree::set(&mut d, key, tree::scalar(&v, *p));
    }
    let mut b = tree::map(pos);
    for (key, bytes, p) in &data.binary {
        let v = base64::engine::general_purpose::STANDARD.encode(bytes);
        let target = if secret { &mut d } else { &mut b };
        tree::set(target, key, tree::scalar(&v, *p));
    }
    if !d.entries().is_empty() {
        tree::set(&mut root, "data", d);
    }
    if !b.entries().is_empty() {
        tree::set(&mut root, "binaryData", b);
    }
    if secret {
        let t = g.get("type").and_then(Node::as_str).unwrap_or("Opaque");
        tree::set(&mut root, "type", tree::scalar(t, pos));
    }
    if option_bool(local, global, "immutable") {
        tree::set(&mut root, "immutable", tree::plain("true", pos));
    }
    root
}

fn collect_data(cx: &mut Ctx, k: &Kustomization, g: &Node) -> Data {
    let mut data = Data {
        entries: Vec::new(),
        binary: Vec::new(),
    };
    for l in tree::items_of(g.get("literals")) {
        let text = l.as_str().unwrap_or("");
        match text.split_once('=') {
            Some((key, value)) => {
                data.entries
                    .push((key.to_string(), remove_quotes(value).to_string(), l.pos))
            }
            None => cx.error(
                DiagKind::Config,
                l.pos,
                format!("invalid literal source {text:?}, expected key=value"),
            ),
        }
    }
    for f in tree::items_of(g.get("files")) {
        let text = f.as_str().unwrap_or("");
        let (key, rel) = match text.split_once('=') {
            Some((key, rel)) => (Some(key.to_string()), rel),
            None => (None, text),
        };
        let path = crate::accumulate::normalize(&k.dir.join(rel));
        add_file(cx, &path, key, f.pos, &mut data);
    }
    let mut env_files: Vec<Node> = tree::items_of(g.get("envs"));
    if let Some(e) = g.get("env").filter(|e| e.as_str().is_some()) {
        env_files.push(e.clone());
    }
    for e in env_files {
        let rel = e.as_str().unwrap_or("");
        let path = crate::accumulate::normalize(&k.dir.join(rel));
        if let Some((text, src)) = cx.read(&path, e.pos) {
            for (i, line) in text.lines().enumerate() {
                let line = line.trim_start_matches('\u{feff}');
                let t = line.trim();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                let p = Pos {
                    line: i as u32 + 1,
                    col: 1,
                    src,
                };
                match line.split_once('=') {
                    Some((key, value)) => {
                        data.entries
                            .push((key.trim_start().to_string(), value.to_string(), p))
                    }
                    None => {
                        data.entries
                            .push((t.to_string(), std::env::var(t).unwrap_or_default(), p))
                    }
                }
            }
        }
    }
    data
}

fn add_file(cx: &mut Ctx, path: &Path, key: Option<String>, at: Pos, data: &mut Data) {
    if !path.exists() {
        let why = cx.generated_note(path);
        cx.error(
            DiagKind::Reference,
            at,
            format!(
                "generator source {}: no such file or directory{why}",
                path.display()
            ),
        );
        return;
    }
    if path.is_dir() {
        cx.error(
            DiagKind::Reference,
            at,
            format!(
                "generator source '{}' must resolve to a file",
                path.display()
            ),
        );
        return;
    }
    if !cx.inside_repository(path) {
        cx.error(
            DiagKind::Reference,
            at,
            format!(
                "{} is outside the repository; it was not read",
                path.display()
            ),
        );
        return;
    }
    let key = key.unwrap_or_else(|| {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    match std::fs::read(path) {
        Ok(bytes) => {
            let src = cx.file_id(path);
            cx.include(path);
            let p = Pos {
                line: 1,
                col: 1,
                src,
            };
            match String::from_utf8(bytes) {
                Ok(s) => data.entries.push((key, s, p)),
                Err(e) => data.binary.push((key, e.into_bytes(), p)),
            }
        }
        Err(e) => cx.error(
            DiagKind::Reference,
            at,
            format!("cannot read generator source {}: {e}", path.display()),
        ),
    }
}

fn remove_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// Append the content hash to the name of every generated object that takes one.
pub(crate) fn add_hash_suffixes(objs: &mut [Obj]) {
    for o in objs.iter_mut().filter(|o| o.needs_hash) {
        let h = crate::hash::suffix(&o.node);
        let name = format!("{}-{h}", o.name());
        let pos = o
            .node
            .path(&["metadata", "name"])
            .map(|n| n.pos)
            .unwrap_or(o.node.pos);
        o.rename(&name, pos);
    }
}
