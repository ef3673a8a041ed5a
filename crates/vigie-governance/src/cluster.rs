//! Cluster-level Kubernetes: Pod Security Admission per namespace (K8S-01), RBAC and
//! service-account tokens (K8S-02), secrets delivered by a vault or an operator (SEC-02), and
//! the Kubernetes half of scheduled backups (GOV-02).
//!
//! Objects arrive trimmed ([`keep`]): a workload becomes a small summary computed on the worker
//! thread that parsed it (its Pod Security level, evaluated with `vigie_checks::pss`, its
//! service account, the secrets it reads, whether it runs a backup tool), so the scan keeps a
//! few hundred bytes per workload rather than its tree. Secrets lose their values.

use crate::{backup_tool, is_database_image};
use std::collections::{BTreeMap, BTreeSet};
use vigie_checks::{Context, FileLookup};
use vigie_core::Location;
use vigie_core::catalog::Catalog;
use vigie_parse::kubernetes::{Object, PodTemplate};
use vigie_parse::yaml::{Entry, Node, Pos, Value};

pub(crate) const ENFORCE: &str = "pod-security.kubernetes.io/enforce";
pub(crate) const ENFORCE_VERSION: &str = "pod-security.kubernetes.io/enforce-version";

/// Kinds kept whole (they are small and their fields are read in `run`).
const KEPT_KINDS: &[&str] = &[
    "Namespace",
    "ServiceAccount",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ExternalSecret",
    "ClusterExternalSecret",
    "SealedSecret",
    "SecretProviderClass",
    "VaultStaticSecret",
    "VaultDynamicSecret",
    "PrometheusRule",
    "ServiceMonitor",
    "PodMonitor",
    "AlertmanagerConfig",
    "Schedule",
];

fn scalar(text: &str, pos: Pos) -> Node {
    Node {
        pos,
        tag: None,
        value: Value::Scalar {
            text: text.to_string(),
            plain: false,
        },
    }
}

fn entry(key: &str, value: Node) -> Entry {
    Entry {
        key: key.to_string(),
        key_pos: value.pos,
        value,
    }
}

fn pos_of(l: &Location) -> Pos {
    Pos {
        line: l.line,
        col: l.column,
        ..Pos::default()
    }
}

struct NoFiles;

impl FileLookup for NoFiles {
    fn exists(&self, _: &str) -> bool {
        false
    }
    fn read(&self, _: &str) -> Option<String> {
        None
    }
}

/// What the analyzer keeps of an object, if anything.
pub fn keep(o: &Object) -> Option<Object> {
    let k = o.kind.as_str();
    // a `Schedule` is kept only when it is Velero's
    if KEPT_KINDS.contains(&k) && (k != "Schedule" || o.api_version.starts_with("velero.io")) {
        return Some(o.clone());
    }
    if operator_secret_kind(o) {
        return Some(o.clone());
    }
    if k == "Secret" {
        return Some(trim_secret(o));
    }
    if k == "ConfigMap" {
        return crate::logging::interesting_config_map(o).then(|| o.clone());
    }
    let pod = PodTemplate::of(o)?;
    Some(summarise(o, &pod))
}

/// A Secret without its values: the keys of `data`/`stringData` and where they are.
fn trim_secret(o: &Object) -> Object {
    let mut entries = Vec::new();
    for field in ["data", "stringData"] {
        if let Some(e) = o.node.entry(field) {
            let keys: Vec<Entry> = e
                .value
                .entries()
                .iter()
                .map(|k| entry(&k.key, scalar("", k.key_pos)))
                .collect();
            entries.push(Entry {
                key: field.to_string(),
                key_pos: e.key_pos,
                value: Node {
                    pos: e.value.pos,
                    tag: None,
                    value: Value::Map(keys),
                },
            });
        }
    }
    if let Some(t) = o.node.get("type") {
        entries.push(entry("type", t.clone()));
    }
    Object {
        node: Node {
            pos: o.node.pos,
            tag: None,
            value: Value::Map(entries),
        },
        ..o.clone_shallow()
    }
}

trait Shallow {
    fn clone_shallow(&self) -> Object;
}

impl Shallow for Object {
    fn clone_shallow(&self) -> Object {
        Object {
            file: self.file.clone(),
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
            at: self.at.clone(),
            node: Node {
                pos: self.node.pos,
                tag: None,
                value: Value::Map(Vec::new()),
            },
            sources: self.sources.clone(),
        }
    }
}

/// The first failing Pod Security check of a level, with where it fails.
type Rejection = Option<(String, Location)>;

/// Evaluate a pod at the Pod Security levels with vigie's PSS checks, each level once, on one
/// context (the pod is read once for all checks). Restricted is baseline plus the `PSS-R`
/// rules, so a pod baseline rejects is not evaluated at restricted: its restricted rejection
/// is never read (a restricted namespace reports the baseline one first).
fn pss_levels(o: &Object) -> (Rejection, Rejection) {
    let objects = std::slice::from_ref(o);
    let built = BTreeSet::new();
    let cx = Context {
        catalog: Catalog::embedded(),
        dockerfiles: &[],
        workloads: &[],
        objects,
        files: &NoFiles,
        built_by_compose: &built,
        artifacts: &[],
        cache: Default::default(),
    };
    let level = |prefix: &str| {
        let mut verdicts = Vec::new();
        for c in vigie_checks::pss::CHECKS
            .iter()
            .filter(|c| c.doc.id.starts_with(prefix))
        {
            (c.judge)(&cx, &mut verdicts);
        }
        verdicts
            .iter()
            .filter(|v| v.is_fail())
            .min_by(|a, b| a.sort_key().cmp(&b.sort_key()))
            .map(|v| (format!("{}: {}", v.check, v.message), v.location.clone()))
    };
    let baseline = level("PSS-B");
    if baseline.is_some() {
        return (baseline, None);
    }
    (None, level("PSS-R"))
}

/// The names of the Secrets a pod reads, with where.
fn secret_refs(spec: &Node, out: &mut Vec<(String, Pos)>) {
    for (field, _) in vigie_parse::kubernetes::CONTAINER_FIELDS {
        for c in spec.get(field).map(Node::items).unwrap_or(&[]) {
            for e in c.get("env").map(Node::items).unwrap_or(&[]) {
                if let Some(n) = e.path(&["valueFrom", "secretKeyRef", "name"])
                    && let Some(s) = n.as_str()
                {
                    out.push((s.to_string(), n.pos));
                }
            }
            for e in c.get("envFrom").map(Node::items).unwrap_or(&[]) {
                if let Some(n) = e.path(&["secretRef", "name"])
                    && let Some(s) = n.as_str()
                {
                    out.push((s.to_string(), n.pos));
                }
            }
        }
    }
    for v in spec.get("volumes").map(Node::items).unwrap_or(&[]) {
        if let Some(n) = v.path(&["secret", "secretName"])
            && let Some(s) = n.as_str()
        {
            out.push((s.to_string(), n.pos));
        }
        for src in v
            .path(&["projected", "sources"])
            .map(Node::items)
            .unwrap_or(&[])
        {
            if let Some(n) = src.path(&["secret", "name"])
                && let Some(s) = n.as_str()
            {
                out.push((s.to_string(), n.pos));
            }
        }
    }
}

/// A workload reduced to what the cluster checks read.
fn summarise(o: &Object, pod: &PodTemplate<'_>) -> Object {
    let at = o.node.pos;
    let mut e = Vec::new();
    let (baseline, restricted) = pss_levels(o);
    let level = match (&baseline, &restricted) {
        (None, None) => "restricted",
        (None, Some(_)) => "baseline",
        _ => "privileged",
    };
    e.push(entry("x-pss", scalar(level, at)));
    if let Some((m, l)) = baseline {
        e.push(entry("x-pss-baseline", scalar(&m, pos_of(&l))));
    }
    if let Some((m, l)) = restricted {
        e.push(entry("x-pss-restricted", scalar(&m, pos_of(&l))));
    }
    let spec = pod.spec;
    let sa = spec
        .get("serviceAccountName")
        .or_else(|| spec.get("serviceAccount"))
        .and_then(Node::as_str)
        .unwrap_or("default");
    e.push(entry("x-sa", scalar(sa, at)));
    if let Some(n) = spec.get("automountServiceAccountToken")
        && let Some(b) = n.as_bool()
    {
        e.push(entry(
            "x-automount",
            scalar(if b { "true" } else { "false" }, n.pos),
        ));
    }
    if pod
        .annotation("vault.hashicorp.com/agent-inject")
        .and_then(Node::as_str)
        .is_some_and(|v| v == "true")
    {
        e.push(entry("x-vault", scalar("true", at)));
    }
    for v in spec.get("volumes").map(Node::items).unwrap_or(&[]) {
        if let Some(d) = v.path(&["csi", "driver"])
            && d.as_str() == Some("secrets-store.csi.k8s.io")
        {
            e.push(entry("x-csi", scalar("true", d.pos)));
        }
    }
    let mut refs = Vec::new();
    secret_refs(spec, &mut refs);
    if !refs.is_empty() {
        e.push(entry(
            "x-secrets",
            Node {
                pos: at,
                tag: None,
                value: Value::Seq(refs.iter().map(|(s, p)| scalar(s, *p)).collect()),
            },
        ));
    }
    for (_, c) in pod.containers() {
        let mut words = String::new();
        for f in ["image", "command", "args"] {
            if let Some(n) = c.get(f) {
                match &n.value {
                    Value::Seq(items) => {
                        for i in items {
                            words.push(' ');
                            words.push_str(i.as_str().unwrap_or_default());
                        }
                    }
                    _ => {
                        words.push(' ');
                        words.push_str(n.as_str().unwrap_or_default());
                    }
                }
            }
        }
        let image = c.get("image").and_then(Node::as_str).unwrap_or_default();
        if o.kind == "CronJob"
            && let Some(tool) = backup_tool(&words)
        {
            let p = c
                .get("command")
                .or_else(|| c.get("args"))
                .map_or(at, |n| n.pos);
            e.push(entry("x-backup", scalar(tool, p)));
        } else if o.kind != "CronJob" && o.kind != "Job" && is_database_image(image) {
            let p = c.get("image").map_or(at, |n| n.pos);
            e.push(entry("x-database", scalar(image, p)));
        }
    }
    Object {
        node: Node {
            pos: at,
            tag: None,
            value: Value::Map(e),
        },
        ..o.clone_shallow()
    }
}

pub(crate) fn is_workload(o: &Object) -> bool {
    o.node.get("x-pss").is_some()
}

pub(crate) fn ns(o: &Object) -> &str {
    o.namespace.as_deref().unwrap_or("default")
}

pub(crate) fn loc(o: &Object, p: Pos) -> Location {
    Location::new(o.file.clone(), p.line, p.col)
}

/// A namespace that has workloads, and the Pod Security labels it declares (K8S-01).
pub(crate) struct NamespacePolicy<'a> {
    pub(crate) name: &'a str,
    /// Its workloads, in object order (never empty).
    pub(crate) workloads: Vec<&'a Object>,
    /// Its declaration, when the repository has one.
    pub(crate) namespace: Option<&'a Object>,
    pub(crate) enforce: Option<&'a Node>,
    pub(crate) version: Option<&'a Node>,
}

impl NamespacePolicy<'_> {
    /// The level the namespace enforces, empty when it does not say.
    pub(crate) fn level(&self) -> &str {
        self.enforce.and_then(Node::as_str).unwrap_or("")
    }

    /// Where the enforced level is written, else the namespace's declaration.
    pub(crate) fn enforce_at(&self, n: &Object) -> Location {
        self.enforce.map_or(n.at.clone(), |e| loc(n, e.pos))
    }
}

/// The namespaces that workloads name, by name, with their declaration's labels.
pub(crate) fn namespace_policies<'a>(
    objects: &'a [Object],
    workloads: &[&'a Object],
) -> Vec<NamespacePolicy<'a>> {
    let namespaces: BTreeMap<&str, &Object> = objects
        .iter()
        .filter(|o| o.kind == "Namespace")
        .map(|o| (o.name.as_str(), o))
        .collect();
    // a workload that names no namespace runs in the one it is applied to (`kubectl -n`, the
    // current context, a Helm release's): which level that namespace enforces is not in the
    // repository, and grouping it under `default` would invent a namespace nobody chose
    let mut by_ns: BTreeMap<&str, Vec<&Object>> = BTreeMap::new();
    for w in workloads.iter().filter(|w| w.namespace.is_some()) {
        by_ns.entry(ns(w)).or_default().push(w);
    }
    by_ns
        .into_iter()
        .map(|(name, workloads)| {
            let namespace = namespaces.get(name).copied();
            let labels = namespace.and_then(|n| n.node.path(&["metadata", "labels"]));
            NamespacePolicy {
                name,
                workloads,
                namespace,
                enforce: labels.and_then(|l| l.get(ENFORCE)),
                version: labels.and_then(|l| l.get(ENFORCE_VERSION)),
            }
        })
        .collect()
}

/// Where each workload's Secrets come from, within one deployment unit (SEC-02): a workload
/// reads the Secrets of what is applied with it, so matched across units a Secret of one sample
/// would be taken for the producer of another's (a plain `hf-secret` of one tutorial named as
/// the source of every tutorial's `hf-secret`).
pub(crate) struct SecretSources<'a> {
    /// Secrets produced by an operator or a vault, by (namespace, name).
    pub(crate) produced: BTreeMap<(String, String), &'a Object>,
    /// Secrets written with their data in the repository, by (namespace, name).
    pub(crate) plain: BTreeMap<(String, String), &'a Object>,
}

/// Resources of operators that create a Secret of their own, outside the secret-delivery kinds:
/// cert-manager's `Certificate` (the Secret `spec.secretName` holds the issued key pair) and
/// Strimzi's `KafkaUser` (the Secret named after the user holds its password or certificate).
fn operator_secret_kind(o: &Object) -> bool {
    match o.kind.as_str() {
        "Certificate" => o.api_version.starts_with("cert-manager.io/"),
        "KafkaUser" => o.api_version.starts_with("kafka.strimzi.io/"),
        _ => false,
    }
}

/// The name of the Secret an operator object produces, if `o` is one.
pub(crate) fn produced_secret(o: &Object) -> Option<String> {
    let target = match o.kind.as_str() {
        "ExternalSecret" => o.node.path(&["spec", "target", "name"]),
        "SealedSecret" => o.node.path(&["spec", "template", "metadata", "name"]),
        "VaultStaticSecret" | "VaultDynamicSecret" => o.node.path(&["spec", "destination", "name"]),
        "Certificate" if operator_secret_kind(o) => {
            // cert-manager requires `secretName`: without it nothing is produced
            return o
                .node
                .path(&["spec", "secretName"])
                .and_then(Node::as_str)
                .map(str::to_string);
        }
        "KafkaUser" if operator_secret_kind(o) => None,
        _ => return None,
    };
    Some(target.and_then(Node::as_str).unwrap_or(&o.name).to_string())
}

/// The number of values a Secret carries in `data` and `stringData`.
pub(crate) fn secret_values(o: &Object) -> usize {
    ["data", "stringData"]
        .iter()
        .map(|f| o.node.get(f).map_or(0, |d| d.entries().len()))
        .sum()
}

/// The Secrets one unit's objects produce or carry in clear.
pub(crate) fn secret_sources(objects: &[Object]) -> SecretSources<'_> {
    let mut sources = SecretSources {
        produced: BTreeMap::new(),
        plain: BTreeMap::new(),
    };
    for o in objects {
        let n = ns(o).to_string();
        if o.kind == "Secret" {
            if secret_values(o) > 0 {
                sources.plain.insert((n, o.name.clone()), o);
            }
        } else if let Some(target) = produced_secret(o) {
            sources.produced.insert((n, target), o);
        } else if o.kind == "SecretProviderClass" {
            for so in o
                .node
                .path(&["spec", "secretObjects"])
                .map(Node::items)
                .unwrap_or(&[])
            {
                if let Some(s) = so.get("secretName").and_then(Node::as_str) {
                    sources.produced.insert((n.clone(), s.to_string()), o);
                }
            }
        }
    }
    sources
}

pub(crate) fn at_of(o: &Object, n: Option<&Node>) -> Location {
    n.map_or(o.at.clone(), |n| loc(o, n.pos))
}

pub(crate) fn has_wildcard(role: &Object) -> Option<Pos> {
    for r in role.node.get("rules").map(Node::items).unwrap_or(&[]) {
        for f in ["verbs", "resources", "apiGroups"] {
            for v in r.get(f).map(Node::items).unwrap_or(&[]) {
                if v.as_str() == Some("*") {
                    return Some(v.pos);
                }
            }
        }
    }
    None
}

/// A backup found: what runs it, where, and how it was recognised.
pub type BackupEvidence = (String, Location, String);

/// GOV-02 evidence from Kubernetes: backup CronJobs and Velero schedules; and the databases.
pub fn backups(objects: &[Object]) -> (Vec<BackupEvidence>, Vec<(String, Location)>) {
    let mut evidence = Vec::new();
    let mut databases = Vec::new();
    for o in objects {
        if o.kind == "Schedule" && o.api_version.starts_with("velero.io") {
            let at = o
                .node
                .path(&["spec", "schedule"])
                .map_or(o.at.clone(), |n| loc(o, n.pos));
            let when = o
                .node
                .path(&["spec", "schedule"])
                .and_then(Node::as_str)
                .unwrap_or("?");
            evidence.push((o.id(), at, format!("Velero schedule `{when}`")));
        }
        if let Some(t) = o.node.get("x-backup") {
            evidence.push((
                o.id(),
                loc(o, t.pos),
                format!("CronJob running `{}`", t.as_str().unwrap_or_default()),
            ));
        }
        if let Some(d) = o.node.get("x-database") {
            databases.push((
                format!("{} › {}", o.id(), d.as_str().unwrap_or_default()),
                loc(o, d.pos),
            ));
        }
    }
    (evidence, databases)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn summary(yaml: &str) -> Object {
        let stream = vigie_parse::yaml::parse(yaml);
        let o = vigie_parse::kubernetes::objects(
            &Arc::from("k.yaml"),
            stream.documents.into_iter().map(|d| d.root).collect(),
        )
        .remove(0);
        keep(&o).unwrap()
    }

    /// One evaluation per level: a pod baseline rejects is not judged at restricted, one it
    /// admits is.
    #[test]
    fn restricted_is_evaluated_only_for_pods_baseline_admits() {
        let privileged = summary(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n  containers:\n    - name: c\n      image: x\n",
        );
        assert_eq!(
            privileged.node.get("x-pss").and_then(Node::as_str),
            Some("privileged")
        );
        assert!(privileged.node.get("x-pss-baseline").is_some());
        assert!(privileged.node.get("x-pss-restricted").is_none());
        let baseline = summary(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: x\n",
        );
        assert_eq!(
            baseline.node.get("x-pss").and_then(Node::as_str),
            Some("baseline")
        );
        assert!(baseline.node.get("x-pss-baseline").is_none());
        assert!(
            baseline
                .node
                .get("x-pss-restricted")
                .and_then(Node::as_str)
                .is_some_and(|m| m.starts_with("PSS-R"))
        );
    }
}
