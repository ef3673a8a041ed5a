//! Strategic merge patches on positioned trees, with Kustomize's (kyaml `merge2`) semantics:
//! mappings merge key by key, `null` deletes, lists with a Kubernetes merge key (`containers`
//! by `name`, `volumeMounts` by `mountPath`, `ports` by `containerPort`…) merge item by item
//! (the patch's items first, as `kubectl kustomize` orders them), other lists and every list of a
//! custom resource are replaced, and `$patch: delete|replace` directives apply.
//!
//! Written by hand on vigie's [`Node`] rather than with a JSON merge library so that every value
//! the patch sets keeps the patch's file and line (the provenance callers report), while the
//! values it leaves keep the base's.

use vigie_parse::yaml::{Node, Pos, Value};

/// Scalars set by the patches of one kustomization, to report two patches setting one field
/// to different values.
#[derive(Default)]
pub(crate) struct Record {
    /// path → (patch number, value, position)
    set: std::collections::HashMap<String, (usize, String, Pos)>,
    pub conflicts: Vec<(String, Pos, Pos)>,
}

pub(crate) struct Patcher<'a> {
    /// Whether the object is a built-in Kubernetes kind (lists merge by their key) or a
    /// custom resource (lists are replaced, as Kustomize has no schema for them).
    pub builtin: bool,
    pub record: &'a mut Record,
    pub patch_no: usize,
    /// The patched object's id, to key the record.
    pub object: String,
}

pub(crate) enum Outcome {
    Keep,
    Delete,
}

impl Patcher<'_> {
    /// Merge `patch` into `dst` (both objects).
    pub fn apply(&mut self, dst: &mut Node, patch: &Node) -> Outcome {
        let mut path = String::new();
        self.merge(dst, patch, "", &mut path)
    }

    fn merge(&mut self, dst: &mut Node, patch: &Node, field: &str, path: &mut String) -> Outcome {
        match &patch.value {
            Value::Map(_) => self.merge_map(dst, patch, path),
            Value::Seq(_) => {
                self.merge_seq(dst, patch, field, path);
                Outcome::Keep
            }
            Value::Scalar { text, .. } => {
                let identity = matches!(
                    path.as_str(),
                    "/metadata/name" | "/metadata/namespace" | "/kind" | "/apiVersion"
                );
                let key = format!("{} {path}", self.object);
                if !identity
                    && let Some((no, old, at)) = self.record.set.get(&key)
                    && *no != self.patch_no
                    && old != text
                {
                    self.record.conflicts.push((key.clone(), *at, patch.pos));
                }
                self.record
                    .set
                    .insert(key, (self.patch_no, text.clone(), patch.pos));
                // a value the patch restates unchanged (the merge key naming a list item, an
                // identity field) was set by the base: it keeps the base's line
                let unchanged = dst.value == patch.value && dst.tag == patch.tag;
                if !unchanged {
                    *dst = patch.clone();
                }
                Outcome::Keep
            }
        }
    }

    fn merge_map(&mut self, dst: &mut Node, patch: &Node, path: &mut String) -> Outcome {
        match patch.get("$patch").and_then(Node::as_str) {
            Some("delete") => return Outcome::Delete,
            Some("replace") => {
                *dst = clean(patch);
                return Outcome::Keep;
            }
            _ => {}
        }
        if !matches!(dst.value, Value::Map(_)) {
            *dst = clean(patch);
            return Outcome::Keep;
        }
        for e in patch.entries() {
            if e.key.starts_with('$') {
                continue;
            }
            let len = path.len();
            path.push('/');
            path.push_str(&e.key);
            self.merge_entry(dst, &e.key, e.key_pos, &e.value, path);
            path.truncate(len);
        }
        Outcome::Keep
    }

    fn merge_entry(
        &mut self,
        dst: &mut Node,
        key: &str,
        key_pos: Pos,
        value: &Node,
        path: &mut String,
    ) {
        let Value::Map(es) = &mut dst.value else {
            return;
        };
        let existing = es.iter().position(|x| x.key == key);
        if value.is_null() {
            if let Some(i) = existing {
                es.remove(i);
            }
            return;
        }
        match existing {
            Some(i) => {
                if let Outcome::Delete = self.merge(&mut es[i].value, value, key, path) {
                    es.remove(i);
                }
            }
            None => {
                if is_delete(value) {
                    return;
                }
                es.push(vigie_parse::yaml::Entry {
                    key: key.to_string(),
                    key_pos,
                    value: clean(value),
                });
            }
        }
    }

    fn merge_seq(&mut self, dst: &mut Node, patch: &Node, field: &str, path: &mut String) {
        let items = patch.items();
        if items
            .iter()
            .any(|i| i.get("$patch").and_then(Node::as_str) == Some("replace"))
        {
            let kept: Vec<Node> = items
                .iter()
                .filter(|i| i.get("$patch").is_none())
                .map(clean)
                .collect();
            *dst = Node {
                pos: patch.pos,
                tag: None,
                value: Value::Seq(kept),
            };
            return;
        }
        let key = match &dst.value {
            Value::Seq(existing) => merge_key(field, self.builtin, existing, items),
            _ => None,
        };
        let Some(key) = key else {
            *dst = clean(patch);
            return;
        };
        // Kubernetes' order: the patch's items first (merged with the items they name), then
        // the other items of the object, as `kubectl kustomize` prints them.
        let Value::Seq(existing) = std::mem::replace(&mut dst.value, Value::Seq(Vec::new())) else {
            return;
        };
        let mut rest: Vec<Option<Node>> = existing.into_iter().map(Some).collect();
        let mut merged = Vec::new();
        for item in items {
            let Some(kv) = item.get(key).and_then(Node::as_str).map(str::to_string) else {
                merged.push(clean(item));
                continue;
            };
            let found = rest.iter().position(|d| {
                d.as_ref().and_then(|d| d.get(key)).and_then(Node::as_str) == Some(kv.as_str())
            });
            match found {
                Some(i) => {
                    let mut d = rest[i].take().unwrap_or_else(|| clean(item));
                    let len = path.len();
                    path.push_str(&format!("[{key}={kv}]"));
                    let outcome = self.merge(&mut d, item, "", path);
                    path.truncate(len);
                    if let Outcome::Keep = outcome {
                        merged.push(d);
                    }
                }
                None if is_delete(item) => {}
                None => merged.push(clean(item)),
            }
        }
        merged.extend(rest.into_iter().flatten());
        dst.value = Value::Seq(merged);
    }
}

fn is_delete(n: &Node) -> bool {
    n.get("$patch").and_then(Node::as_str) == Some("delete")
}

/// The merge key of a list field of a built-in kind (Kubernetes' `patchMergeKey`).
fn merge_key(field: &str, builtin: bool, dst: &[Node], patch: &[Node]) -> Option<&'static str> {
    let all_have = |k: &str| {
        dst.iter().chain(patch).all(|i| i.get(k).is_some())
            && dst.iter().chain(patch).next().is_some()
    };
    let known: Option<&'static str> = match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims"
        | "secrets" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "volumeDevices" => Some("devicePath"),
        "hostAliases" => Some("ip"),
        "topologySpreadConstraints" => Some("topologyKey"),
        "conditions" => Some("type"),
        "ports" => {
            if all_have("containerPort") {
                Some("containerPort")
            } else {
                Some("port")
            }
        }
        _ => None,
    };
    // Kustomize knows no merge keys for custom resources: their lists are replaced.
    if builtin { known } else { None }
}

/// A patch value without its directives and `null`s, as it lands in the object.
pub(crate) fn clean(n: &Node) -> Node {
    match &n.value {
        Value::Map(es) => Node {
            pos: n.pos,
            tag: n.tag.clone(),
            value: Value::Map(
                es.iter()
                    .filter(|e| !e.key.starts_with('$') && !e.value.is_null())
                    .map(|e| vigie_parse::yaml::Entry {
                        key: e.key.clone(),
                        key_pos: e.key_pos,
                        value: clean(&e.value),
                    })
                    .collect(),
            ),
        },
        Value::Seq(items) => Node {
            pos: n.pos,
            tag: n.tag.clone(),
            value: Value::Seq(items.iter().filter(|i| !is_delete(i)).map(clean).collect()),
        },
        Value::Scalar { .. } => n.clone(),
    }
}
