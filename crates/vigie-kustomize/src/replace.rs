//! `replacements`: copy a field of one object (the source) into fields of others (the
//! targets), as Kustomize's replacement transformer does — field paths with `[key=value]` list
//! selectors, `*`, indices; `delimiter`/`index` options; `create`. A replaced value keeps the
//! position of the source value, the line that really decides it.

use crate::accumulate::{Ctx, Kustomization, Obj, normalize};
use crate::select::Target;
use crate::tree;
use vigie_core::DiagKind;
use vigie_parse::yaml::{Node, Pos, Value};

pub(crate) fn run(cx: &mut Ctx, k: &Kustomization, objs: &mut [Obj]) {
    let entries = tree::items_of(k.get("replacements"));
    for e in entries {
        if let Some(path) = e.get("path").and_then(Node::as_str) {
            let file = normalize(&k.dir.join(path));
            let Some((text, src)) = cx.read(&file, e.pos) else {
                continue;
            };
            let stream = vigie_parse::yaml::parse(&text);
            if let Some(err) = &stream.error {
                cx.error(
                    DiagKind::Parse,
                    Pos { src, ..err.pos },
                    format!("{}: {}", file.display(), err.message),
                );
            }
            for d in stream.documents {
                let mut root = d.root;
                root.retag(src);
                match &root.value {
                    Value::Seq(items) => items.iter().for_each(|r| replace_one(cx, r, objs)),
                    _ => replace_one(cx, &root, objs),
                }
            }
        } else {
            replace_one(cx, &e, objs);
        }
    }
}

fn replace_one(cx: &mut Ctx, r: &Node, objs: &mut [Obj]) {
    let Some(source) = r.get("source") else {
        cx.error(
            DiagKind::Config,
            r.pos,
            "a replacement needs a source".into(),
        );
        return;
    };
    let Some(value) = source_value(cx, source, objs) else {
        return;
    };
    for t in tree::items_of(r.get("targets")) {
        apply_target(cx, &t, &value, objs);
    }
}

fn source_value(cx: &mut Ctx, s: &Node, objs: &[Obj]) -> Option<Node> {
    let text = |k: &str| tree::str_at(s, &[k]).to_string();
    let (kind, name, ns, group, version) = (
        text("kind"),
        text("name"),
        text("namespace"),
        text("group"),
        text("version"),
    );
    let hits: Vec<&Obj> = objs
        .iter()
        .filter(|o| {
            (kind.is_empty() || o.kind() == kind)
                && (name.is_empty() || o.had_name(&name))
                && (ns.is_empty() || o.had_namespace(&ns))
                && (group.is_empty() || o.group() == group)
                && (version.is_empty() || o.version() == version)
        })
        .collect();
    let o = match hits.as_slice() {
        [one] => *one,
        [] => {
            cx.unmatched(
                true,
                s.pos,
                format!("replacement source {kind} {name} matches no object"),
            );
            return None;
        }
        _ => {
            cx.error(
                DiagKind::Reference,
                s.pos,
                format!("replacement source {kind} {name} matches more than one object"),
            );
            return None;
        }
    };
    let field_path = s
        .get("fieldPath")
        .and_then(Node::as_str)
        .unwrap_or("metadata.name");
    let segs = split_path(field_path);
    let mut found = Vec::new();
    collect(&o.node, &segs, &mut found);
    let Some(v) = found.into_iter().next() else {
        cx.error(
            DiagKind::Reference,
            s.pos,
            format!(
                "fieldPath `{field_path}` is missing for replacement source {}",
                o.describe()
            ),
        );
        return None;
    };
    let mut v = v.clone();
    if let Some(opts) = s.get("options")
        && let Some(delim) = opts.get("delimiter").and_then(Node::as_str)
        && let Value::Scalar { text, .. } = &mut v.value
    {
        let i = opts.get("index").and_then(Node::as_i64).unwrap_or(0);
        let parts: Vec<&str> = text.split(delim).collect();
        match usize::try_from(i).ok().and_then(|i| parts.get(i)) {
            Some(p) => *text = p.to_string(),
            None => {
                cx.error(
                    DiagKind::Config,
                    s.pos,
                    format!("options.index {i} is out of bounds for value {text}"),
                );
                return None;
            }
        }
    }
    Some(v)
}

fn apply_target(cx: &mut Ctx, t: &Node, value: &Node, objs: &mut [Obj]) {
    let select = match t.get("select").map(Target::parse) {
        Some(Ok(s)) => s,
        Some(Err(m)) => {
            cx.error(DiagKind::Config, t.pos, m);
            return;
        }
        None => {
            cx.error(
                DiagKind::Config,
                t.pos,
                "a replacement target needs `select`".into(),
            );
            return;
        }
    };
    let rejects: Vec<Target> = t
        .get("reject")
        .map(|r| {
            r.items()
                .iter()
                .filter_map(|x| Target::parse(x).ok())
                .collect()
        })
        .unwrap_or_default();
    let opts = t.get("options");
    let create = opts
        .and_then(|o| o.get("create"))
        .and_then(Node::as_bool)
        .unwrap_or(false);
    let delimiter = opts
        .and_then(|o| o.get("delimiter"))
        .and_then(Node::as_str)
        .map(str::to_string);
    let index = opts
        .and_then(|o| o.get("index"))
        .and_then(Node::as_i64)
        .unwrap_or(0);
    let paths: Vec<String> = t
        .get("fieldPaths")
        .map(|p| {
            p.items()
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    for o in objs
        .iter_mut()
        .filter(|o| select.matches(o) && !rejects.iter().any(|r| r.matches(o)))
    {
        for p in &paths {
            let segs = split_path(p);
            let mut hit = false;
            visit_create(&mut o.node, &segs, create, value.pos, &mut |n| {
                hit = true;
                *n = combined(n, value, delimiter.as_deref(), index);
            });
            if !hit {
                let what = o.describe();
                cx.error(
                    DiagKind::Reference,
                    t.pos,
                    format!("unable to find field `{p}` in replacement target {what}"),
                );
            }
        }
    }
}

/// The new value of a target field: the source value, or with `delimiter`, the target's text
/// with its `index`-th part replaced.
fn combined(old: &Node, value: &Node, delimiter: Option<&str>, index: i64) -> Node {
    let (Some(d), Some(old_text), Some(new_text)) = (delimiter, old.as_str(), value.as_str())
    else {
        return keeping_type(old, value);
    };
    let mut parts: Vec<String> = old_text.split(d).map(str::to_string).collect();
    if index < 0 {
        parts.insert(0, new_text.to_string());
    } else if (index as usize) < parts.len() {
        parts[index as usize] = new_text.to_string();
    } else {
        parts.push(new_text.to_string());
    }
    tree::scalar(&parts.join(d), value.pos)
}

/// A scalar replacing a scalar keeps the target's type (Kustomize keeps the target's YAML
/// tag): a number copied into a string argument stays a string.
fn keeping_type(old: &Node, value: &Node) -> Node {
    let mut v = value.clone();
    // A field created for the replacement has no type of its own: Kustomize prints the text
    // untagged (plain).
    if old.is_null()
        && let Value::Scalar { plain, .. } = &mut v.value
    {
        *plain = true;
        return v;
    }
    if let (
        Value::Scalar {
            text: old_text,
            plain: old_plain,
        },
        Value::Scalar { plain, .. },
    ) = (&old.value, &mut v.value)
        && !old.is_null()
    {
        let old_is_string = !*old_plain || old.to_json().is_string();
        *plain = !old_is_string;
        let _ = old_text;
    }
    v
}

/// `spec.template.spec.containers.[name=app].image` → segments (dots inside brackets kept).
fn split_path(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in p.chars() {
        match c {
            '[' => {
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth -= 1;
                cur.push(c);
            }
            '.' if depth == 0 => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

enum Seg<'a> {
    Key(&'a str),
    Match(&'a str, &'a str),
    Index(usize),
    All,
}

fn seg(s: &str) -> Seg<'_> {
    if s == "*" {
        return Seg::All;
    }
    if let Some(inner) = s.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        return match inner.split_once('=') {
            Some((k, v)) => Seg::Match(k, v),
            None => Seg::Key(inner),
        };
    }
    match s.parse::<usize>() {
        Ok(i) => Seg::Index(i),
        Err(_) => Seg::Key(s),
    }
}

fn collect<'a>(n: &'a Node, segs: &[String], out: &mut Vec<&'a Node>) {
    let Some((first, rest)) = segs.split_first() else {
        out.push(n);
        return;
    };
    match (seg(first), &n.value) {
        (Seg::Key(k), Value::Map(_)) => {
            if let Some(c) = n.get(k) {
                collect(c, rest, out);
            }
        }
        (Seg::Match(k, v), Value::Seq(items)) => {
            for it in items
                .iter()
                .filter(|i| i.get(k).and_then(Node::as_str) == Some(v))
            {
                collect(it, rest, out);
            }
        }
        (Seg::Index(i), Value::Seq(items)) => {
            if let Some(it) = items.get(i) {
                collect(it, rest, out);
            }
        }
        (Seg::All, Value::Seq(items)) => items.iter().for_each(|it| collect(it, rest, out)),
        (Seg::All, Value::Map(es)) => es.iter().for_each(|e| collect(&e.value, rest, out)),
        _ => {}
    }
}

fn visit_create(
    n: &mut Node,
    segs: &[String],
    create: bool,
    pos: Pos,
    f: &mut dyn FnMut(&mut Node),
) {
    let Some((first, rest)) = segs.split_first() else {
        f(n);
        return;
    };
    if create && n.is_null() {
        *n = tree::map(pos);
    }
    match (seg(first), &mut n.value) {
        (Seg::Key(k), Value::Map(_)) => {
            let exists = n.get(k).is_some();
            if !exists && create {
                tree::set(n, k, tree::plain("", pos));
            }
            if let Some(c) = tree::get_mut(n, k) {
                visit_create(c, rest, create, pos, f);
            }
        }
        (Seg::Match(k, v), Value::Seq(items)) => {
            for it in items
                .iter_mut()
                .filter(|i| i.get(k).and_then(Node::as_str) == Some(v))
            {
                visit_create(it, rest, create, pos, f);
            }
        }
        (Seg::Index(i), Value::Seq(items)) => {
            if let Some(it) = items.get_mut(i) {
                visit_create(it, rest, create, pos, f);
            }
        }
        (Seg::All, Value::Seq(items)) => items
            .iter_mut()
            .for_each(|it| visit_create(it, rest, create, pos, f)),
        (Seg::All, Value::Map(es)) => es
            .iter_mut()
            .for_each(|e| visit_create(&mut e.value, rest, create, pos, f)),
        _ => {}
    }
}
