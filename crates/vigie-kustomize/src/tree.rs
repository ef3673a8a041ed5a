//! Small helpers to read and edit positioned YAML trees ([`Node`]) in place.
//!
//! Kustomize edits objects field by field; every edit here takes the position of the line that
//! asked for it (a kustomization field, a patch line), so the built tree keeps, for each field,
//! where its effective value was written.

use vigie_parse::yaml::{Entry, Node, Pos, Value};

pub(crate) fn scalar(text: &str, pos: Pos) -> Node {
    Node {
        pos,
        tag: None,
        value: Value::Scalar {
            text: text.to_string(),
            plain: false,
        },
    }
}

/// A plain scalar (numbers, booleans keep their type when printed).
pub(crate) fn plain(text: &str, pos: Pos) -> Node {
    Node {
        pos,
        tag: None,
        value: Value::Scalar {
            text: text.to_string(),
            plain: true,
        },
    }
}

pub(crate) fn map(pos: Pos) -> Node {
    Node {
        pos,
        tag: None,
        value: Value::Map(Vec::new()),
    }
}

pub(crate) fn get_mut<'a>(n: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    match &mut n.value {
        Value::Map(es) => es
            .iter_mut()
            .rev()
            .find(|e| e.key == key)
            .map(|e| &mut e.value),
        _ => None,
    }
}

/// The mapping under `key`, created (at `pos`) when absent or null. `None` when `n` is not a
/// mapping or the value is not a mapping.
pub(crate) fn ensure_map<'a>(n: &'a mut Node, key: &str, pos: Pos) -> Option<&'a mut Node> {
    let Value::Map(es) = &mut n.value else {
        return None;
    };
    let i = match es.iter().position(|e| e.key == key) {
        Some(i) => {
            if es[i].value.is_null() {
                es[i].value = map(pos);
            }
            i
        }
        None => {
            es.push(Entry {
                key: key.to_string(),
                key_pos: pos,
                value: map(pos),
            });
            es.len() - 1
        }
    };
    let v = &mut es[i].value;
    matches!(v.value, Value::Map(_)).then_some(v)
}

/// Set `key` to `value` in mapping `n` (replacing the value and the key's position).
pub(crate) fn set(n: &mut Node, key: &str, value: Node) {
    if let Value::Map(es) = &mut n.value {
        let key_pos = value.pos;
        match es.iter_mut().find(|e| e.key == key) {
            Some(e) => {
                e.value = value;
                e.key_pos = key_pos;
            }
            None => es.push(Entry {
                key: key.to_string(),
                key_pos,
                value,
            }),
        }
    }
}

pub(crate) fn remove(n: &mut Node, key: &str) -> Option<Node> {
    if let Value::Map(es) = &mut n.value {
        let i = es.iter().position(|e| e.key == key)?;
        return Some(es.remove(i).value);
    }
    None
}

pub(crate) fn str_at<'a>(n: &'a Node, keys: &[&str]) -> &'a str {
    n.path(keys).and_then(Node::as_str).unwrap_or("")
}

/// Visit every node reached by a Kustomize field-spec path (`spec/template/metadata/labels`):
/// sequences met on the way are walked item by item, as Kustomize's field specs do, and a
/// segment with a `[]` suffix names a list, walked where it exists and never created. With
/// `create`, missing mappings are created at `pos` (only on the last segments, never inside
/// sequences).
pub(crate) fn visit_path(
    n: &mut Node,
    path: &[&str],
    create: bool,
    pos: Pos,
    f: &mut dyn FnMut(&mut Node),
) {
    if let Value::Seq(items) = &mut n.value {
        for it in items {
            visit_path(it, path, create, pos, f);
        }
        return;
    }
    let Some((first, rest)) = path.split_first() else {
        f(n);
        return;
    };
    let key = first.trim_end_matches("[]");
    // a list segment (`volumeClaimTemplates[]`) is visited item by item where it exists, never
    // made up: Kustomize creates maps along a field path, not lists of nothing
    let is_list = key.len() < first.len();
    let child = if is_list {
        get_mut(n, key).filter(|c| !c.is_null())
    } else if create && !rest.is_empty() {
        ensure_map_or_seq(n, key, pos)
    } else if create {
        ensure_map(n, key, pos)
    } else {
        get_mut(n, key).filter(|c| !c.is_null())
    };
    if let Some(c) = child {
        visit_path(c, rest, create, pos, f);
    }
}

fn ensure_map_or_seq<'a>(n: &'a mut Node, key: &str, pos: Pos) -> Option<&'a mut Node> {
    let is_seq = matches!(n.get(key).map(|c| &c.value), Some(Value::Seq(_)));
    if is_seq {
        return get_mut(n, key);
    }
    ensure_map(n, key, pos)
}

/// Shift every position of a tree by `lines` and mark it as file `src` (an inline patch,
/// parsed alone, placed at its lines in the kustomization).
pub(crate) fn shift(n: &mut Node, lines: u32, src: u16) {
    n.pos.line += lines;
    n.pos.src = src;
    match &mut n.value {
        Value::Scalar { .. } => {}
        Value::Seq(v) => v.iter_mut().for_each(|c| shift(c, lines, src)),
        Value::Map(v) => v.iter_mut().for_each(|e| {
            e.key_pos.line += lines;
            e.key_pos.src = src;
            shift(&mut e.value, lines, src);
        }),
    }
}

/// A block scalar (`|`) ending a file that has no final line break keeps no trailing line
/// break in Kustomize (go-yaml), while vigie's YAML reader adds one: the file's last scalar
/// loses it, so built values equal Kustomize's.
pub(crate) fn fix_block_scalar_at_eof(root: &mut Node, text: &str) {
    let ends_quoted = text.trim_end().ends_with(['"', '\'']);
    if ends_quoted {
        return;
    }
    let mut n = root;
    loop {
        let next = match &mut n.value {
            Value::Map(es) => es.last_mut().map(|e| &mut e.value),
            Value::Seq(items) => items.last_mut(),
            Value::Scalar { text, .. } => {
                if text.ends_with('\n') {
                    text.pop();
                }
                return;
            }
        };
        match next {
            Some(c) => n = c,
            None => return,
        }
    }
}

/// The items of a list field, or none when it is absent (or not a list).
pub(crate) fn items_of(list: Option<&Node>) -> Vec<Node> {
    list.map(|l| l.items().to_vec()).unwrap_or_default()
}
