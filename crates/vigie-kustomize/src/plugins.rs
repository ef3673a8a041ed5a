//! `transformers:` entries that configure Kustomize's built-in transformers (`apiVersion:
//! builtin`, `kind: LabelTransformer`, `PatchTransformer`…). Each configuration is turned into
//! the kustomization field it is equivalent to and run by the same code, its values keeping
//! the positions of the configuration file. External plugins (exec, container, Go), which `kubectl
//! kustomize` refuses to run, are reported as not run.

use crate::accumulate::{Ctx, Kustomization, Obj, normalize};
use crate::transform;
use crate::tree;
use vigie_core::DiagKind;
use vigie_parse::yaml::{Entry, Node, Pos, Value};

pub(crate) fn run(cx: &mut Ctx, k: &Kustomization, objs: &mut Vec<Obj>) {
    let entries = tree::items_of(k.get("transformers"));
    for e in entries {
        let Some(text) = e.as_str() else { continue };
        if !text.contains('\n') && normalize(&k.dir.join(text)).is_dir() {
            cx.warn(
                DiagKind::Skipped,
                e.pos,
                format!("transformers from the kustomization {text} are not run by vigie"),
            );
            continue;
        }
        let text = text.to_string();
        for doc in transform::patch_docs(cx, k, &e, &text) {
            run_one(cx, k, &doc, objs);
        }
    }
}

/// A kustomization made of `fields`, in the folder of `k`, positioned in the configuration.
fn synthetic(k: &Kustomization, doc: &Node, fields: Vec<(&str, Node)>) -> Kustomization {
    let entries = fields
        .into_iter()
        .map(|(key, value)| Entry {
            key: key.to_string(),
            key_pos: value.pos,
            value,
        })
        .collect();
    Kustomization {
        dir: k.dir.clone(),
        node: Node {
            pos: doc.pos,
            tag: None,
            value: Value::Map(entries),
        },
        src: doc.pos.src,
    }
}

fn seq(items: Vec<Node>, pos: Pos) -> Node {
    Node {
        pos,
        tag: None,
        value: Value::Seq(items),
    }
}

fn run_one(cx: &mut Ctx, k: &Kustomization, doc: &Node, objs: &mut Vec<Obj>) {
    let kind = tree::str_at(doc, &["kind"]).to_string();
    let get = |key: &str| doc.get(key).cloned();
    let pos = doc.pos;
    match kind.as_str() {
        "LabelTransformer" | "AnnotationsTransformer" => {
            let key = if kind == "LabelTransformer" { "labels" } else { "annotations" };
            let pairs = transform::pairs_of(doc.get(key));
            let specs = field_specs(doc.get("fieldSpecs"));
            transform::set_pairs(objs, &specs, &pairs);
        }
        "NamespaceTransformer" => {
            let ns = doc.path(&["metadata", "namespace"]).cloned();
            if let Some(ns) = ns {
                let s = synthetic(k, doc, vec![("namespace", ns)]);
                transform::namespace(&s, objs);
            }
        }
        "PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer" => {
            let mut fields = Vec::new();
            if let Some(p) = get("prefix") {
                fields.push(("namePrefix", p));
            }
            if let Some(p) = get("suffix") {
                fields.push(("nameSuffix", p));
            }
            transform::prefix_suffix(&synthetic(k, doc, fields), objs);
        }
        "ImageTagTransformer" => {
            if let Some(t) = get("imageTag") {
                let s = synthetic(k, doc, vec![("images", seq(vec![t], pos))]);
                transform::images(&s, objs);
            }
        }
        "ReplicaCountTransformer" => {
            if let Some(r) = get("replica") {
                let s = synthetic(k, doc, vec![("replicas", seq(vec![r], pos))]);
                transform::replicas(cx, &s, objs);
            }
        }
        "PatchTransformer" => {
            let mut entry = tree::map(pos);
            for key in ["path", "patch", "target", "options"] {
                if let Some(v) = get(key) {
                    tree::set(&mut entry, key, v);
                }
            }
            let s = synthetic(k, doc, vec![("patches", seq(vec![entry], pos))]);
            let mut record = Default::default();
            transform::patches(cx, &s, objs, &mut record, &mut 0);
            transform::report_conflicts(cx, &record);
        }
        "PatchStrategicMergeTransformer" => {
            let mut items: Vec<Node> = tree::items_of(get("paths").as_ref());
            items.extend(get("patches"));
            let s = synthetic(k, doc, vec![("patchesStrategicMerge", seq(items, pos))]);
            let mut record = Default::default();
            transform::strategic_merge_patches(cx, &s, objs, &mut record, &mut 0);
            transform::report_conflicts(cx, &record);
        }
        "PatchJson6902Transformer" => {
            let mut entry = tree::map(pos);
            for (from, to) in [("target", "target"), ("path", "path"), ("jsonOp", "patch")] {
                if let Some(v) = get(from) {
                    tree::set(&mut entry, to, v);
                }
            }
            let s = synthetic(k, doc, vec![("patchesJson6902", seq(vec![entry], pos))]);
            transform::json6902_patches(cx, &s, objs);
        }
        "ReplacementTransformer" => {
            if let Some(r) = get("replacements") {
                let s = synthetic(k, doc, vec![("replacements", r)]);
                crate::replace::run(cx, &s, objs);
            }
        }
        _ => cx.error(
            DiagKind::Skipped,
            pos,
            format!(
                "transformer {kind:?} is an external plugin, which kubectl kustomize refuses to run (external plugins disabled); the objects are built without it"
            ),
        ),
    }
}

/// `fieldSpecs:` of a configuration: (kind, group, path, create).
fn field_specs(n: Option<&Node>) -> Vec<transform::SpecOwned> {
    tree::items_of(n)
        .iter()
        .map(|f| {
            (
                tree::str_at(f, &["kind"]).to_string(),
                f.get("group").and_then(Node::as_str).map(str::to_string),
                tree::str_at(f, &["path"]).to_string(),
                f.get("create").and_then(Node::as_bool).unwrap_or(false),
            )
        })
        .filter(|s| !s.2.is_empty())
        .collect()
}
