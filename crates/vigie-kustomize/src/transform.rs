//! A kustomization's transformers, in Kustomize's order: `patchesStrategicMerge`, `patches`,
//! `namespace`, `namePrefix`/`nameSuffix`, `labels`/`commonLabels`, `commonAnnotations`,
//! `patchesJson6902`, `replicas`, `images`, `replacements`, then the `transformers` it lists.
//! Each value a transformer writes is positioned at
//! the kustomization (or patch) line that asked for it.

use crate::accumulate::{Ctx, Kustomization, Obj, group_of, normalize};
use crate::select::Target;
use crate::smp::{Outcome, Patcher, Record};
use crate::tree;
use vigie_core::DiagKind;
use vigie_parse::yaml::{Node, Pos, Value};

/// What a patch whose target matches no object of the build is told. A patch of a component
/// or base that several units include may match in some of them only: the scan keeps the note
/// only where it matches in none (`vigie-scan`'s roll-up of unit diagnostics).
pub const PATCH_MATCHES_NOTHING: &str =
    "the target of this patch matches no object; the patch changes nothing";

pub(crate) fn run(cx: &mut Ctx, k: &Kustomization, objs: &mut Vec<Obj>) {
    let mut record = Record::default();
    let mut patch_no = 0;
    strategic_merge_patches(cx, k, objs, &mut record, &mut patch_no);
    patches(cx, k, objs, &mut record, &mut patch_no);
    report_conflicts(cx, &record);
    namespace(k, objs);
    prefix_suffix(k, objs);
    labels(cx, k, objs);
    annotations(k, objs);
    json6902_patches(cx, k, objs);
    replicas(cx, k, objs);
    images(k, objs);
    crate::replace::run(cx, k, objs);
    crate::plugins::run(cx, k, objs);
}

pub(crate) fn report_conflicts(cx: &mut Ctx, record: &Record) {
    for (path, first, second) in &record.conflicts {
        let first_at = format!(
            "{}:{}",
            cx.files
                .get(first.src as usize)
                .cloned()
                .unwrap_or_default(),
            first.line
        );
        cx.warn(
            DiagKind::Reference,
            *second,
            format!(
                "conflicting patches: this patch sets {path} which the patch at {first_at} also sets to a different value; the later one wins, as in Kustomize"
            ),
        );
    }
}

// ---------------------------------------------------------------- patches

/// The documents of a patch given by path (a file of the kustomization) or inline.
pub(crate) fn patch_docs(
    cx: &mut Ctx,
    k: &Kustomization,
    entry: &Node,
    path_or_inline: &str,
) -> Vec<Node> {
    let as_file = normalize(&k.dir.join(path_or_inline));
    let inline =
        path_or_inline.contains('\n') || (!as_file.is_file() && path_or_inline.contains(": "));
    if !inline {
        if crate::accumulate::is_remote(path_or_inline) {
            cx.error(
                DiagKind::Reference,
                entry.pos,
                format!("remote patch {path_or_inline} is not followed"),
            );
            return Vec::new();
        }
        if !as_file.is_file() {
            let why = cx.generated_note(&as_file);
            cx.error(
                DiagKind::Reference,
                entry.pos,
                format!(
                    "patch file {}: no such file or directory{why}",
                    as_file.display()
                ),
            );
            return Vec::new();
        }
        let Some((text, src)) = cx.read(&as_file, entry.pos) else {
            return Vec::new();
        };
        return parse_docs(cx, &text, src, 0, entry.pos);
    }
    let shift = if path_or_inline.contains('\n') {
        entry.pos.line
    } else {
        entry.pos.line.saturating_sub(1)
    };
    parse_docs(cx, path_or_inline, k.src, shift, entry.pos)
}

fn parse_docs(cx: &mut Ctx, text: &str, src: u16, shift: u32, at: Pos) -> Vec<Node> {
    let stream = vigie_parse::yaml::parse(text);
    if let Some(e) = &stream.error {
        let pos = Pos {
            line: e.pos.line + shift,
            col: e.pos.col,
            src,
        };
        let _ = at;
        cx.error(DiagKind::Parse, pos, format!("patch: {}", e.message));
    }
    let last = stream.documents.len().saturating_sub(1);
    stream
        .documents
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let mut n = d.root;
            if i == last && !text.ends_with('\n') {
                tree::fix_block_scalar_at_eof(&mut n, text);
            }
            tree::shift(&mut n, shift, src);
            n
        })
        .filter(|n| !n.is_null())
        .collect()
}

fn builtin(o: &Obj) -> bool {
    matches!(
        o.group(),
        "" | "apps"
            | "batch"
            | "policy"
            | "autoscaling"
            | "networking.k8s.io"
            | "rbac.authorization.k8s.io"
            | "storage.k8s.io"
            | "scheduling.k8s.io"
            | "admissionregistration.k8s.io"
            | "extensions"
    )
}

/// Apply a strategic-merge patch document to object `i`; `false` when it deleted the object.
fn apply_smp(
    objs: &mut Vec<Obj>,
    i: usize,
    doc: &Node,
    record: &mut Record,
    patch_no: usize,
    keep_identity: bool,
) {
    let o = &mut objs[i];
    let identity: Vec<(Vec<&str>, Option<Node>)> = [
        vec!["apiVersion"],
        vec!["kind"],
        vec!["metadata", "name"],
        vec!["metadata", "namespace"],
    ]
    .into_iter()
    .map(|p| {
        let v = o.node.path(&p).cloned();
        (p, v)
    })
    .collect();
    let mut p = Patcher {
        builtin: builtin(o),
        record,
        patch_no,
        object: o.describe(),
    };
    if let Outcome::Delete = p.apply(&mut o.node, doc) {
        objs.remove(i);
        return;
    }
    if keep_identity {
        for (path, v) in identity {
            restore(&mut o.node, &path, v);
        }
    }
}

fn restore(n: &mut Node, path: &[&str], v: Option<Node>) {
    match (path, v) {
        ([key], Some(v)) => tree::set(n, key, v),
        ([key], None) => {
            tree::remove(n, key);
        }
        ([first, rest @ ..], v) => {
            if let Some(c) = tree::get_mut(n, first) {
                restore(c, rest, v);
            }
        }
        _ => {}
    }
}

/// The objects a target-less strategic-merge patch names (kind, name, namespace, as Kustomize
/// matches them: by current or original id).
fn matching_by_id(objs: &[Obj], doc: &Node) -> Vec<usize> {
    let kind = tree::str_at(doc, &["kind"]);
    let api = tree::str_at(doc, &["apiVersion"]);
    let name = tree::str_at(doc, &["metadata", "name"]);
    let ns = tree::str_at(doc, &["metadata", "namespace"]);
    objs.iter()
        .enumerate()
        .filter(|(_, o)| {
            o.kind() == kind
                && (api.is_empty() || group_of(api) == o.group())
                && o.had_name(name)
                && (o.had_namespace(ns) || ns.is_empty())
        })
        .map(|(i, _)| i)
        .collect()
}

pub(crate) fn strategic_merge_patches(
    cx: &mut Ctx,
    k: &Kustomization,
    objs: &mut Vec<Obj>,
    record: &mut Record,
    patch_no: &mut usize,
) {
    let entries = tree::items_of(k.get("patchesStrategicMerge"));
    for e in entries {
        let Some(text) = e.as_str() else { continue };
        for doc in patch_docs(cx, k, &e, text) {
            *patch_no += 1;
            smp_by_id(cx, objs, &doc, record, *patch_no);
        }
    }
}

fn smp_by_id(cx: &mut Ctx, objs: &mut Vec<Obj>, doc: &Node, record: &mut Record, patch_no: usize) {
    if doc.as_map().is_none() {
        cx.error(
            DiagKind::Parse,
            doc.pos,
            "a strategic merge patch must be a mapping".into(),
        );
        return;
    }
    let found = matching_by_id(objs, doc);
    match found.as_slice() {
        [] => cx.unmatched(
            true,
            doc.pos,
            format!(
                "no resource matches strategic merge patch \"{} {}\"; the patch was not applied",
                tree::str_at(doc, &["kind"]),
                tree::str_at(doc, &["metadata", "name"])
            ),
        ),
        [i] => apply_smp(objs, *i, doc, record, patch_no, true),
        [i, ..] => {
            cx.error(
                DiagKind::Reference,
                doc.pos,
                format!(
                    "multiple matches for strategic merge patch \"{} {}\"; it was applied to the first",
                    tree::str_at(doc, &["kind"]),
                    tree::str_at(doc, &["metadata", "name"])
                ),
            );
            apply_smp(objs, *i, doc, record, patch_no, true);
        }
    }
}

pub(crate) fn patches(
    cx: &mut Ctx,
    k: &Kustomization,
    objs: &mut Vec<Obj>,
    record: &mut Record,
    patch_no: &mut usize,
) {
    let entries = tree::items_of(k.get("patches"));
    for e in entries {
        let (text_node, text) = match e.get("path").or_else(|| e.get("patch")) {
            Some(n) => (n.clone(), n.as_str().unwrap_or("").to_string()),
            None if e.as_str().is_some() => (e.clone(), e.as_str().unwrap_or("").to_string()),
            None => {
                cx.error(
                    DiagKind::Config,
                    e.pos,
                    "a patch needs `path` or `patch`".into(),
                );
                continue;
            }
        };
        let target = match e.get("target").map(Target::parse) {
            Some(Ok(t)) => Some(t),
            Some(Err(m)) => {
                cx.error(
                    DiagKind::Config,
                    e.get("target").map(|t| t.pos).unwrap_or(e.pos),
                    m,
                );
                continue;
            }
            None => None,
        };
        let opts = e.get("options");
        let allow = |key: &str| {
            opts.and_then(|o| o.get(key))
                .and_then(Node::as_bool)
                .unwrap_or(false)
        };
        let keep_identity = !allow("allowNameChange") && !allow("allowKindChange");
        for doc in patch_docs(cx, k, &text_node, &text) {
            *patch_no += 1;
            if doc.as_seq().is_some() {
                match &target {
                    Some(t) => json6902(cx, objs, t, &doc, e.pos),
                    None => cx.error(
                        DiagKind::Config,
                        e.pos,
                        "a JSON 6902 patch needs a target; the patch was not applied".into(),
                    ),
                }
                continue;
            }
            match &target {
                None => smp_by_id(cx, objs, &doc, record, *patch_no),
                Some(t) => {
                    let mut hits: Vec<usize> = objs
                        .iter()
                        .enumerate()
                        .filter(|(_, o)| t.matches(o))
                        .map(|(i, _)| i)
                        .collect();
                    if hits.is_empty() {
                        patch_matches_nothing(cx, t, e.pos);
                    }
                    hits.reverse();
                    for i in hits {
                        apply_smp(objs, i, &doc, record, *patch_no, keep_identity);
                    }
                }
            }
        }
    }
}

fn json6902(cx: &mut Ctx, objs: &mut [Obj], t: &Target, doc: &Node, at: Pos) {
    let ops = match crate::jsonpatch::parse_ops(doc) {
        Ok(ops) => ops,
        Err((pos, m)) => {
            cx.error(
                DiagKind::Config,
                pos,
                format!("invalid JSON 6902 patch: {m}"),
            );
            return;
        }
    };
    let mut any = false;
    for o in objs.iter_mut().filter(|o| t.matches(o)) {
        any = true;
        for op in &ops {
            let mut copy = o.node.clone();
            match crate::jsonpatch::apply_to_object(&mut copy, op) {
                Ok(()) => o.node = copy,
                Err(m) => cx.error(
                    DiagKind::Reference,
                    op.node.pos,
                    format!(
                        "JSON 6902 patch on {}: {m}; the operation was not applied",
                        o.describe()
                    ),
                ),
            }
        }
    }
    if !any {
        patch_matches_nothing(cx, t, at);
    }
}

/// Report a patch whose target matches no object. A target that names only a kind (`kind:
/// Deployment`, no name, namespace, label or annotation) is a catch-all, written for whatever
/// the builds that include it deploy of that kind, typically in a component several overlays
/// share: a build with none of that kind is its expected case, an info note; a target that
/// names its object and misses it is a mistake worth a look.
fn patch_matches_nothing(cx: &mut Ctx, t: &Target, at: Pos) {
    match t.kind_only() {
        Some(kind) => cx.unmatched_expected(
            at,
            format!("{PATCH_MATCHES_NOTHING} (it targets every {kind}, and this build has none)"),
        ),
        None => cx.unmatched(false, at, PATCH_MATCHES_NOTHING.into()),
    }
}

pub(crate) fn json6902_patches(cx: &mut Ctx, k: &Kustomization, objs: &mut [Obj]) {
    let entries = tree::items_of(k.get("patchesJson6902"));
    for e in entries {
        let target = match e.get("target").map(Target::parse) {
            Some(Ok(t)) => t,
            Some(Err(m)) => {
                cx.error(DiagKind::Config, e.pos, m);
                continue;
            }
            None => {
                cx.error(
                    DiagKind::Config,
                    e.pos,
                    "patchesJson6902 entry needs a target".into(),
                );
                continue;
            }
        };
        let Some(src) = e.get("path").or_else(|| e.get("patch")).cloned() else {
            cx.error(
                DiagKind::Config,
                e.pos,
                "a patch needs `path` or `patch`".into(),
            );
            continue;
        };
        let text = src.as_str().unwrap_or("").to_string();
        for doc in patch_docs(cx, k, &src, &text) {
            json6902(cx, objs, &target, &doc, e.pos);
        }
    }
}

// ---------------------------------------------------------------- namespace, names

const CLUSTER_SCOPED: [&str; 24] = [
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "PriorityClass",
    "PodSecurityPolicy",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "IngressClass",
    "RuntimeClass",
    "ComponentStatus",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "SelfSubjectReview",
];

pub(crate) fn namespace(k: &Kustomization, objs: &mut [Obj]) {
    let Some(ns_node) = k.get("namespace").cloned() else {
        return;
    };
    let Some(ns) = ns_node.as_str().map(str::to_string) else {
        return;
    };
    let pos = ns_node.pos;
    for o in objs.iter_mut() {
        let kind = o.kind().to_string();
        if kind == "RoleBinding" || kind == "ClusterRoleBinding" {
            binding_subjects(o, &ns, pos);
        }
        if kind == "APIService" {
            tree::visit_path(&mut o.node, &["spec", "service"], false, pos, &mut |svc| {
                tree::set(svc, "namespace", tree::scalar(&ns, pos))
            });
        }
        if kind == "CustomResourceDefinition" {
            tree::visit_path(
                &mut o.node,
                &["spec", "conversion", "webhook", "clientConfig", "service"],
                false,
                pos,
                &mut |svc| tree::set(svc, "namespace", tree::scalar(&ns, pos)),
            );
        }
        if kind == "Namespace" {
            let p = o
                .node
                .path(&["metadata", "name"])
                .map(|n| n.pos)
                .unwrap_or(pos);
            let _ = p;
            o.rename(&ns, pos);
            continue;
        }
        if CLUSTER_SCOPED.contains(&kind.as_str()) {
            continue;
        }
        let old = o.namespace().to_string();
        if old != ns {
            o.old_namespaces.push(old);
        }
        if let Some(m) = tree::ensure_map(&mut o.node, "metadata", pos) {
            tree::set(m, "namespace", tree::scalar(&ns, pos));
        }
    }
}

/// Subjects of role bindings named `default` take the namespace (Kustomize's `defaultOnly`
/// mode); subjects naming a ServiceAccount of the build follow it through name references.
fn binding_subjects(o: &mut Obj, ns: &str, pos: Pos) {
    let Some(subjects) = tree::get_mut(&mut o.node, "subjects") else {
        return;
    };
    let Value::Seq(items) = &mut subjects.value else {
        return;
    };
    for s in items {
        if tree::str_at(s, &["name"]) == "default" {
            tree::set(s, "namespace", tree::scalar(ns, pos));
        }
    }
}

pub(crate) fn prefix_suffix(k: &Kustomization, objs: &mut [Obj]) {
    let prefix = k
        .get("namePrefix")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    let suffix = k
        .get("nameSuffix")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    if prefix.is_empty() && suffix.is_empty() {
        return;
    }
    for o in objs.iter_mut() {
        if matches!(o.kind(), "CustomResourceDefinition" | "Namespace")
            || (o.kind() == "APIService" && o.group() == "apiregistration.k8s.io")
        {
            continue;
        }
        let pos = o
            .node
            .path(&["metadata", "name"])
            .map(|n| n.pos)
            .unwrap_or(o.node.pos);
        let new = format!("{prefix}{}{suffix}", o.name());
        o.rename(&new, pos);
        o.affixes.push(format!("{prefix}|{suffix}"));
    }
}

// ---------------------------------------------------------------- labels, annotations

/// Field specs: (kind or "" for any, group or None for any, path, create).
type Spec = (&'static str, Option<&'static str>, &'static str, bool);

const WORKLOADS: [(&str, Option<&str>); 5] = [
    ("Deployment", None),
    ("ReplicaSet", None),
    ("DaemonSet", None),
    ("StatefulSet", Some("apps")),
    ("ReplicationController", None),
];

fn selector_specs() -> Vec<Spec> {
    let mut v: Vec<Spec> = vec![
        ("Service", None, "spec/selector", true),
        ("ReplicationController", None, "spec/selector", true),
        ("Deployment", None, "spec/selector/matchLabels", true),
        ("ReplicaSet", None, "spec/selector/matchLabels", true),
        ("DaemonSet", None, "spec/selector/matchLabels", true),
        (
            "StatefulSet",
            Some("apps"),
            "spec/selector/matchLabels",
            true,
        ),
        ("Job", Some("batch"), "spec/selector/matchLabels", false),
        (
            "CronJob",
            Some("batch"),
            "spec/jobTemplate/spec/selector/matchLabels",
            false,
        ),
        (
            "PodDisruptionBudget",
            Some("policy"),
            "spec/selector/matchLabels",
            false,
        ),
        (
            "NetworkPolicy",
            Some("networking.k8s.io"),
            "spec/podSelector/matchLabels",
            false,
        ),
        (
            "NetworkPolicy",
            Some("networking.k8s.io"),
            "spec/ingress/from/podSelector/matchLabels",
            false,
        ),
        (
            "NetworkPolicy",
            Some("networking.k8s.io"),
            "spec/egress/to/podSelector/matchLabels",
            false,
        ),
    ];
    for kind in ["Deployment", "StatefulSet"] {
        for p in [
            "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
            "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
            "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
            "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
            "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
        ] {
            v.push((kind, Some("apps"), p, false));
        }
    }
    v
}

fn template_label_specs() -> Vec<Spec> {
    let mut v: Vec<Spec> = WORKLOADS
        .iter()
        .map(|(k, g)| (*k, *g, "spec/template/metadata/labels", true))
        .collect();
    v.push(("Job", Some("batch"), "spec/template/metadata/labels", true));
    v.push((
        "StatefulSet",
        Some("apps"),
        "spec/volumeClaimTemplates[]/metadata/labels",
        true,
    ));
    v.push((
        "CronJob",
        Some("batch"),
        "spec/jobTemplate/metadata/labels",
        true,
    ));
    v.push((
        "CronJob",
        Some("batch"),
        "spec/jobTemplate/spec/template/metadata/labels",
        true,
    ));
    v
}

fn annotation_specs() -> Vec<Spec> {
    let mut v: Vec<Spec> = vec![("", None, "metadata/annotations", true)];
    v.extend(
        WORKLOADS
            .iter()
            .map(|(k, g)| (*k, *g, "spec/template/metadata/annotations", true)),
    );
    v.push((
        "Job",
        Some("batch"),
        "spec/template/metadata/annotations",
        true,
    ));
    v.push((
        "CronJob",
        Some("batch"),
        "spec/jobTemplate/metadata/annotations",
        true,
    ));
    v.push((
        "CronJob",
        Some("batch"),
        "spec/jobTemplate/spec/template/metadata/annotations",
        true,
    ));
    v
}

fn spec_applies(o: &Obj, kind: &str, group: Option<&str>) -> bool {
    (kind.is_empty() || o.kind() == kind) && group.is_none_or(|g| o.group() == g)
}

/// Set each pair on every map the specs reach.
pub(crate) fn set_pairs(objs: &mut [Obj], specs: &[SpecOwned], pairs: &[(String, String, Pos)]) {
    if pairs.is_empty() {
        return;
    }
    let pos = pairs[0].2;
    for o in objs.iter_mut() {
        for (kind, group, path, create) in specs {
            if !spec_applies(o, kind, group.as_deref()) {
                continue;
            }
            let segs: Vec<&str> = path.split('/').collect();
            tree::visit_path(&mut o.node, &segs, *create, pos, &mut |m| {
                if m.is_null() {
                    *m = tree::map(pos);
                }
                if m.as_map().is_none() {
                    return;
                }
                for (key, value, p) in pairs {
                    tree::set(m, key, tree::scalar(value, *p));
                }
            });
        }
    }
}

/// A field spec read from a configuration: (kind, group, path, create).
pub(crate) type SpecOwned = (String, Option<String>, String, bool);

fn owned(specs: Vec<Spec>) -> Vec<SpecOwned> {
    specs
        .into_iter()
        .map(|(k, g, p, c)| (k.to_string(), g.map(str::to_string), p.to_string(), c))
        .collect()
}

pub(crate) fn pairs_of(n: Option<&Node>) -> Vec<(String, String, Pos)> {
    n.map(|m| {
        m.entries()
            .iter()
            .map(|e| {
                (
                    e.key.clone(),
                    e.value.as_str().unwrap_or("").to_string(),
                    e.value.pos,
                )
            })
            .collect()
    })
    .unwrap_or_default()
}

fn labels(cx: &mut Ctx, k: &Kustomization, objs: &mut [Obj]) {
    let common = pairs_of(k.get("commonLabels"));
    if !common.is_empty() {
        let mut specs = vec![("", None, "metadata/labels", true)];
        specs.extend(selector_specs());
        specs.extend(template_label_specs());
        set_pairs(objs, &owned(specs), &common);
    }
    for entry in tree::items_of(k.get("labels")) {
        let pairs = pairs_of(entry.get("pairs"));
        let flag = |key: &str| entry.get(key).and_then(Node::as_bool).unwrap_or(false);
        let mut specs: Vec<Spec> = vec![("", None, "metadata/labels", true)];
        if flag("includeSelectors") {
            specs.extend(selector_specs());
            specs.extend(template_label_specs());
        } else if flag("includeTemplates") {
            specs.extend(template_label_specs());
        }
        let mut specs = owned(specs);
        for f in tree::items_of(entry.get("fields")) {
            let path = tree::str_at(&f, &["path"]);
            if path.is_empty() {
                cx.error(
                    DiagKind::Config,
                    f.pos,
                    "a label field spec needs a path".into(),
                );
                continue;
            }
            let group = f.get("group").and_then(Node::as_str).map(str::to_string);
            let create = f.get("create").and_then(Node::as_bool).unwrap_or(false);
            specs.push((
                tree::str_at(&f, &["kind"]).to_string(),
                group,
                path.to_string(),
                create,
            ));
        }
        set_pairs(objs, &specs, &pairs);
    }
}

fn annotations(k: &Kustomization, objs: &mut [Obj]) {
    let pairs = pairs_of(k.get("commonAnnotations"));
    set_pairs(objs, &owned(annotation_specs()), &pairs);
}

// ---------------------------------------------------------------- replicas, images

pub(crate) fn replicas(cx: &mut Ctx, k: &Kustomization, objs: &mut [Obj]) {
    for r in tree::items_of(k.get("replicas")) {
        let name = tree::str_at(&r, &["name"]).to_string();
        let Some(count) = r.get("count").filter(|c| c.as_i64().is_some()) else {
            cx.error(
                DiagKind::Config,
                r.pos,
                format!("replicas entry {name:?} needs an integer count"),
            );
            continue;
        };
        let mut hit = false;
        let mut other = None;
        for o in objs.iter_mut().filter(|o| o.had_name(&name)) {
            if !matches!(
                o.kind(),
                "Deployment" | "ReplicaSet" | "StatefulSet" | "ReplicationController"
            ) {
                other = Some(o.describe());
                continue;
            }
            hit = true;
            if let Some(spec) = tree::ensure_map(&mut o.node, "spec", count.pos) {
                tree::set(
                    spec,
                    "replicas",
                    tree::plain(count.as_str().unwrap_or("0"), count.pos),
                );
            }
        }
        if let (false, Some(other)) = (hit, &other) {
            cx.error(
                DiagKind::Config,
                r.pos,
                format!(
                    "replicas: {other} is not a Deployment, StatefulSet, ReplicaSet or ReplicationController; Kustomize refuses to set its replicas"
                ),
            );
        } else if !hit {
            cx.warn(
                DiagKind::Reference,
                r.pos,
                format!("replicas: no workload named {name:?}; the count changes nothing"),
            );
        }
    }
}

struct ImageRule {
    name: String,
    new_name: Option<String>,
    new_tag: Option<String>,
    digest: Option<String>,
    pos: Pos,
}

pub(crate) fn images(k: &Kustomization, objs: &mut [Obj]) {
    let rules: Vec<ImageRule> = tree::items_of(k.get("images"))
        .iter()
        .map(|r| {
            let text = |key: &str| {
                r.get(key)
                    .and_then(Node::as_str)
                    .map(str::to_string)
                    .filter(|s| !s.is_empty())
            };
            let pos = ["digest", "newTag", "newName"]
                .iter()
                .find_map(|key| r.get(key).map(|n| n.pos))
                .unwrap_or(r.pos);
            ImageRule {
                name: text("name").unwrap_or_default(),
                new_name: text("newName"),
                new_tag: text("newTag"),
                digest: text("digest"),
                pos,
            }
        })
        .collect();
    if rules.is_empty() {
        return;
    }
    for o in objs.iter_mut() {
        visit_containers(&mut o.node, &mut |c| {
            let Some(image) = c.get("image").and_then(Node::as_str).map(str::to_string) else {
                return;
            };
            let (name, tag, digest) = split_image(&image);
            if let Some(rule) = rules.iter().find(|r| r.name == name) {
                let new = rewrite(rule, name, tag, digest);
                tree::set(c, "image", tree::scalar(&new, rule.pos));
            }
        });
    }
}

/// Every item of every `containers`/`initContainers` list, wherever it is (Kustomize's image
/// transformer reaches containers of custom resources too).
fn visit_containers(n: &mut Node, f: &mut dyn FnMut(&mut Node)) {
    match &mut n.value {
        Value::Map(es) => {
            for e in es.iter_mut() {
                if (e.key == "containers" || e.key == "initContainers")
                    && let Value::Seq(items) = &mut e.value.value
                {
                    for it in items.iter_mut() {
                        if it.as_map().is_some() {
                            f(it);
                        }
                    }
                }
                visit_containers(&mut e.value, f);
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(|i| visit_containers(i, f)),
        Value::Scalar { .. } => {}
    }
}

/// `registry:5000/repo/name:tag@sha256:…` → (name, `:tag`, `@digest`).
fn split_image(image: &str) -> (&str, &str, &str) {
    let (rest, digest) = match image.find('@') {
        Some(i) => (&image[..i], &image[i..]),
        None => (image, ""),
    };
    let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    match rest[last_slash..].find(':') {
        Some(i) => (&rest[..last_slash + i], &rest[last_slash + i..], digest),
        None => (rest, "", digest),
    }
}

fn rewrite(rule: &ImageRule, name: &str, tag: &str, digest: &str) -> String {
    let name = rule.new_name.as_deref().unwrap_or(name);
    if let Some(d) = &rule.digest {
        return format!("{name}@{d}");
    }
    if let Some(t) = &rule.new_tag {
        return format!("{name}:{t}");
    }
    format!("{name}{tag}{digest}")
}

#[cfg(test)]
mod tests {
    use super::split_image;

    #[test]
    fn images_split_at_the_tag_of_the_last_path_segment() {
        assert_eq!(split_image("nginx"), ("nginx", "", ""));
        assert_eq!(
            split_image("reg:5000/a/b:1.0"),
            ("reg:5000/a/b", ":1.0", "")
        );
        assert_eq!(split_image("a@sha256:00"), ("a", "", "@sha256:00"));
    }
}
