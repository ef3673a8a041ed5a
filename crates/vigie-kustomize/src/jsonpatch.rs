//! JSON Patch (RFC 6902) operations on positioned trees: `add`, `remove`, `replace`, `move`,
//! `copy`, `test`, with RFC 6901 pointers (`~0`, `~1`, `-` for the end of a list).
//!
//! Written by hand on vigie's [`Node`] rather than with the `json-patch` crate because the
//! value an operation writes must keep the patch line it came from (the provenance of the built
//! object); the operations are the RFC's, and errors name the operation that failed.

use vigie_parse::yaml::{Entry, Node, Value};

/// One operation, read from the patch document.
pub(crate) struct Op<'a> {
    pub node: &'a Node,
    op: String,
    path: Vec<String>,
    from: Option<Vec<String>>,
    value: Option<&'a Node>,
}

pub(crate) fn parse_ops(doc: &Node) -> Result<Vec<Op<'_>>, (vigie_parse::yaml::Pos, String)> {
    let Some(items) = doc.as_seq() else {
        return Err((
            doc.pos,
            "a JSON 6902 patch must be a list of operations".into(),
        ));
    };
    let mut out = Vec::new();
    for it in items {
        let op = it
            .get("op")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        if !matches!(
            op.as_str(),
            "add" | "remove" | "replace" | "move" | "copy" | "test"
        ) {
            return Err((it.pos, format!("unexpected kind of operation {op:?}")));
        }
        let path = it
            .get("path")
            .and_then(Node::as_str)
            .ok_or((it.pos, format!("operation {op} has no path")))?;
        let path = pointer(path).map_err(|m| (it.pos, m))?;
        let from = match it.get("from").and_then(Node::as_str) {
            Some(f) => Some(pointer(f).map_err(|m| (it.pos, m))?),
            None if op == "move" || op == "copy" => {
                return Err((it.pos, format!("operation {op} has no from")));
            }
            None => None,
        };
        let value = it.get("value");
        if value.is_none() && matches!(op.as_str(), "add" | "replace" | "test") {
            return Err((it.pos, format!("operation {op} has no value")));
        }
        out.push(Op {
            node: it,
            op,
            path,
            from,
            value,
        });
    }
    Ok(out)
}

fn pointer(p: &str) -> Result<Vec<String>, String> {
    if p.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = p.strip_prefix('/') else {
        return Err(format!("invalid JSON pointer {p:?}: it must start with /"));
    };
    Ok(rest
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn show(p: &[String]) -> String {
    format!("/{}", p.join("/"))
}

/// Apply one operation to an object as Kustomize does: Kustomize keeps bookkeeping annotations
/// on every object while it transforms it, so `metadata.annotations` exists for every
/// operation (`add /metadata/annotations/KEY` works on an object written without
/// annotations), and a map left empty is not written out.
pub(crate) fn apply_to_object(doc: &mut Node, op: &Op) -> Result<(), String> {
    let pos = doc.pos;
    let Some(meta) = metadata_mut(doc) else {
        return apply(doc, op);
    };
    let had = meta.iter().any(|e| e.key == "annotations");
    if !had {
        meta.push(Entry {
            key: "annotations".into(),
            key_pos: pos,
            value: Node {
                pos,
                tag: None,
                value: Value::Map(Vec::new()),
            },
        });
    }
    let result = apply(doc, op);
    if !had && let Some(meta) = metadata_mut(doc) {
        meta.retain(|e| {
            e.key != "annotations" || !matches!(&e.value.value, Value::Map(m) if m.is_empty())
        });
    }
    result
}

/// The entries of the object's `metadata` mapping.
fn metadata_mut(doc: &mut Node) -> Option<&mut Vec<Entry>> {
    let Value::Map(top) = &mut doc.value else {
        return None;
    };
    match &mut top.iter_mut().find(|e| e.key == "metadata")?.value.value {
        Value::Map(meta) => Some(meta),
        _ => None,
    }
}

/// Apply one operation to `doc`.
pub(crate) fn apply(doc: &mut Node, op: &Op) -> Result<(), String> {
    match op.op.as_str() {
        "add" => add(doc, &op.path, with_pos(op.value)),
        "remove" => remove(doc, &op.path).map(|_| ()),
        "replace" => {
            if let Some(target) = get_mut(doc, &op.path) {
                *target = with_pos(op.value);
                return Ok(());
            }
            // Kustomize's JSON patch replaces a key its mapping lacks by setting it, as `add`
            // does; a missing mapping or list item is still an error
            let missing = || {
                format!(
                    "replace operation does not apply: doc is missing path: {}",
                    show(&op.path)
                )
            };
            let (_, parent_path) = op.path.split_last().ok_or_else(missing)?;
            match get_mut(doc, parent_path).map(|p| &p.value) {
                Some(Value::Map(_)) => add(doc, &op.path, with_pos(op.value)),
                _ => Err(missing()),
            }
        }
        "move" => {
            let from = op.from.as_deref().unwrap_or_default();
            let v = remove(doc, from)?;
            add(doc, &op.path, v)
        }
        "copy" => {
            let from = op.from.as_deref().unwrap_or_default();
            let v = get_mut(doc, from)
                .ok_or_else(|| {
                    format!(
                        "copy operation does not apply: doc is missing from path: {}",
                        show(from)
                    )
                })?
                .clone();
            add(doc, &op.path, v)
        }
        _ => {
            let target = get_mut(doc, &op.path).ok_or_else(|| {
                format!(
                    "test operation does not apply: doc is missing path: {}",
                    show(&op.path)
                )
            })?;
            let want = with_pos(op.value);
            if target.to_json() == want.to_json() {
                Ok(())
            } else {
                Err(format!("testing value {} failed", show(&op.path)))
            }
        }
    }
}

fn with_pos(v: Option<&Node>) -> Node {
    v.cloned()
        .unwrap_or_else(|| crate::tree::plain("null", Default::default()))
}

fn get_mut<'a>(doc: &'a mut Node, path: &[String]) -> Option<&'a mut Node> {
    let mut n = doc;
    for seg in path {
        n = match &mut n.value {
            Value::Map(es) => &mut es.iter_mut().find(|e| e.key == *seg)?.value,
            Value::Seq(items) => {
                let i: usize = seg.parse().ok()?;
                items.get_mut(i)?
            }
            Value::Scalar { .. } => return None,
        };
    }
    Some(n)
}

fn add(doc: &mut Node, path: &[String], v: Node) -> Result<(), String> {
    let Some((last, parent_path)) = path.split_last() else {
        *doc = v;
        return Ok(());
    };
    let parent = get_mut(doc, parent_path).ok_or_else(|| {
        format!(
            "add operation does not apply: doc is missing path: {}",
            show(path)
        )
    })?;
    match &mut parent.value {
        Value::Map(es) => {
            match es.iter_mut().find(|e| e.key == *last) {
                Some(e) => e.value = v,
                None => es.push(Entry {
                    key: last.clone(),
                    key_pos: v.pos,
                    value: v,
                }),
            }
            Ok(())
        }
        Value::Seq(items) => {
            let i = if last == "-" {
                items.len()
            } else {
                last.parse::<usize>()
                    .ok()
                    .filter(|i| *i <= items.len())
                    .ok_or_else(|| {
                        format!(
                            "add operation does not apply: index out of range in {}",
                            show(path)
                        )
                    })?
            };
            items.insert(i, v);
            Ok(())
        }
        Value::Scalar { .. } => Err(format!(
            "add operation does not apply: {} is not a container",
            show(parent_path)
        )),
    }
}

fn remove(doc: &mut Node, path: &[String]) -> Result<Node, String> {
    let missing = || {
        format!(
            "remove operation does not apply: doc is missing path: {}",
            show(path)
        )
    };
    let (last, parent_path) = path.split_last().ok_or_else(missing)?;
    let parent = get_mut(doc, parent_path).ok_or_else(missing)?;
    match &mut parent.value {
        Value::Map(es) => {
            let i = es.iter().position(|e| e.key == *last).ok_or_else(missing)?;
            Ok(es.remove(i).value)
        }
        Value::Seq(items) => {
            let i: usize = last
                .parse()
                .ok()
                .filter(|i| *i < items.len())
                .ok_or_else(missing)?;
            Ok(items.remove(i))
        }
        Value::Scalar { .. } => Err(missing()),
    }
}
