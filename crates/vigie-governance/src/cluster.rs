//! Cluster-level Kubernetes: Pod Security Admission per namespace (K8S-01), RBAC and
//! service-account tokens (K8S-02), secrets delivered by a vault or an operator (SEC-02), and
//! the Kubernetes half of scheduled backups (GOV-02).
//!
//! Objects arrive trimmed ([`keep`]): a workload becomes a small summary computed on the worker
//! thread that parsed it (its Pod Security level, evaluated with `vigie_checks::pss`, its
//! service account, the secrets it reads, whether it runs a backup tool), so the scan keeps a
//! few hundred bytes per workload rather than its tree. Secrets lose their values.

use crate::docs::*;
use crate::{Out, backup_tool, is_database_image};
use std::collections::{BTreeMap, BTreeSet};
use vigie_checks::{Context, FileLookup};
use vigie_core::catalog::Catalog;
use vigie_core::{DiagKind, Diagnostic, Location, Verdict};
use vigie_parse::kubernetes::{Object, PodTemplate};
use vigie_parse::yaml::{Entry, Node, Pos, Value};

const ENFORCE: &str = "pod-security.kubernetes.io/enforce";
const ENFORCE_VERSION: &str = "pod-security.kubernetes.io/enforce-version";

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
            (c.run)(&cx, &mut verdicts);
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

fn is_workload(o: &Object) -> bool {
    o.node.get("x-pss").is_some()
}

fn ns(o: &Object) -> &str {
    o.namespace.as_deref().unwrap_or("default")
}

fn loc(o: &Object, p: Pos) -> Location {
    Location::new(o.file.clone(), p.line, p.col)
}

/// `units` are ranges of `objects`, one per deployment unit.
pub fn run(objects: &[Object], units: &[std::ops::Range<usize>], out: &mut Out) {
    let workloads: Vec<&Object> = objects.iter().filter(|o| is_workload(o)).collect();
    pod_security(objects, &workloads, out);
    rbac(objects, out);
    tokens(objects, &workloads, out);
    // A workload reads the Secrets of what is applied with it: matched across units, a Secret
    // of one sample would be taken for the producer of another's (a plain `hf-secret` of one
    // tutorial named as the source of every tutorial's `hf-secret`).
    for r in units {
        let Some(unit) = objects.get(r.clone()) else {
            continue;
        };
        let workloads: Vec<&Object> = unit.iter().filter(|o| is_workload(o)).collect();
        secrets(unit, &workloads, out);
    }
}

/// K8S-01: the level each namespace enforces, and whether its workloads meet it.
fn pod_security(objects: &[Object], workloads: &[&Object], out: &mut Out) {
    let namespaces: BTreeMap<&str, &Object> = objects
        .iter()
        .filter(|o| o.kind == "Namespace")
        .map(|o| (o.name.as_str(), o))
        .collect();
    // a workload that names no namespace runs in the one it is applied to (`kubectl -n`, the
    // current context, a Helm release's): which level that namespace enforces is not in the
    // repository, and judging it as `default` would invent a namespace nobody chose
    let (implicit, explicit): (Vec<&Object>, Vec<&Object>) =
        workloads.iter().partition(|w| w.namespace.is_none());
    let mut by_ns: BTreeMap<&str, Vec<&Object>> = BTreeMap::new();
    for w in explicit {
        by_ns.entry(ns(w)).or_default().push(w);
    }
    let judged = !by_ns.is_empty();
    if let Some(first) = implicit.first() {
        let reason = format!(
            "{} workload(s) set no namespace (first: {} at {}:{}): they run in the namespace they are applied to, whose Pod Security labels are not in the repository",
            implicit.len(),
            first.id(),
            first.at.path,
            first.at.line
        );
        if judged {
            let mut d = Diagnostic::new(
                DiagKind::Skipped,
                first.at.clone(),
                format!("K8S-01.1: {reason}"),
            );
            d.severity = vigie_core::Severity::Info;
            out.diagnostics.push(d);
        } else {
            out.not_assessed(K8S_01_1.id, reason);
        }
    }
    for (name, ws) in by_ns {
        let subject = format!("Namespace/{name}");
        let Some(n) = namespaces.get(name) else {
            out.verdicts.push(Verdict::fail(
                &K8S_01_1,
                subject,
                ws[0].at.clone(),
                format!(
                    "the namespace `{name}` of {} is not declared in the repository, so no Pod Security level is enforced on it",
                    ws[0].id()
                ),
                format!(
                    "declare `kind: Namespace` `{name}` with labels `{ENFORCE}: restricted` and `{ENFORCE_VERSION}: v1.37`"
                ),
            ));
            continue;
        };
        let labels = n.node.path(&["metadata", "labels"]);
        let enforce = labels.and_then(|l| l.get(ENFORCE));
        let version = labels.and_then(|l| l.get(ENFORCE_VERSION));
        let level = enforce.and_then(Node::as_str).unwrap_or("");
        let fix = format!(
            "label the namespace `{ENFORCE}: restricted` (or baseline) and `{ENFORCE_VERSION}: v1.37`"
        );
        let at = enforce.map_or(n.at.clone(), |e| loc(n, e.pos));
        match level {
            "baseline" | "restricted" => {}
            "" => {
                out.verdicts.push(Verdict::fail(
                    &K8S_01_1,
                    subject,
                    n.at.clone(),
                    format!("the namespace `{name}` has workloads and no `{ENFORCE}` label: any pod is admitted"),
                    fix,
                ));
                continue;
            }
            other => {
                out.verdicts.push(Verdict::fail(
                    &K8S_01_1,
                    subject,
                    at,
                    format!(
                        "the namespace `{name}` enforces `{other}`, which admits privileged pods"
                    ),
                    fix,
                ));
                continue;
            }
        }
        match version.and_then(Node::as_str) {
            Some(v) if v != "latest" && v.starts_with('v') => {
                out.verdicts.push(Verdict::pass(
                    &K8S_01_1,
                    subject.clone(),
                    at,
                    format!(
                        "the namespace `{name}` enforces Pod Security `{level}` at version {v}"
                    ),
                ));
            }
            v => {
                let at = version.map_or(at, |n2| loc(n, n2.pos));
                out.verdicts.push(Verdict::fail(
                    &K8S_01_1,
                    subject.clone(),
                    at,
                    format!(
                        "the namespace `{name}` enforces `{level}` without pinning the policy version ({})",
                        v.map_or("no enforce-version".to_string(), |v| format!("`{v}`"))
                    ),
                    format!("add `{ENFORCE_VERSION}: v1.37` (the cluster's minor version)"),
                ));
            }
        }
        let key = if level == "restricted" {
            &["x-pss-baseline", "x-pss-restricted"][..]
        } else {
            &["x-pss-baseline"][..]
        };
        for w in ws {
            let rejected = key.iter().find_map(|k| w.node.get(k));
            match rejected {
                Some(r) => out.verdicts.push(
                    Verdict::fail(
                        &K8S_01_2,
                        w.id(),
                        loc(w, r.pos),
                        format!(
                            "{} would be rejected by the `{level}` level its namespace enforces — {}",
                            w.id(),
                            r.as_str().unwrap_or_default()
                        ),
                        format!("fix the workload to meet `{level}` (see the PSS check named), or lower the namespace's level knowingly"),
                    )
                    .with_related(Some(at_of(n, enforce))),
                ),
                None => out.verdicts.push(
                    Verdict::pass(
                        &K8S_01_2,
                        w.id(),
                        w.at.clone(),
                        format!("{} meets the `{level}` level its namespace enforces", w.id()),
                    )
                    .with_related(Some(at_of(n, enforce))),
                ),
            }
        }
    }
}

fn at_of(o: &Object, n: Option<&Node>) -> Location {
    n.map_or(o.at.clone(), |n| loc(o, n.pos))
}

fn has_wildcard(role: &Object) -> Option<Pos> {
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

/// K8S-02.1: bindings of service accounts to cluster-admin or wildcard roles.
fn rbac(objects: &[Object], out: &mut Out) {
    let roles: BTreeMap<(&str, &str, &str), &Object> = objects
        .iter()
        .filter(|o| o.kind == "Role" || o.kind == "ClusterRole")
        .map(|o| {
            let n = if o.kind == "Role" { ns(o) } else { "" };
            ((o.kind.as_str(), n, o.name.as_str()), o)
        })
        .collect();
    for b in objects
        .iter()
        .filter(|o| o.kind == "RoleBinding" || o.kind == "ClusterRoleBinding")
    {
        let sas: Vec<String> = b
            .node
            .get("subjects")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|s| {
                let kind = s.get("kind").and_then(Node::as_str)?;
                let name = s.get("name").and_then(Node::as_str)?;
                match kind {
                    "ServiceAccount" => Some(format!(
                        "ServiceAccount {}/{name}",
                        s.get("namespace")
                            .and_then(Node::as_str)
                            .unwrap_or_else(|| ns(b))
                    )),
                    "Group" if name.starts_with("system:serviceaccounts") => {
                        Some(format!("group {name}"))
                    }
                    _ => None,
                }
            })
            .collect();
        if sas.is_empty() {
            continue;
        }
        let role_ref = b.node.get("roleRef");
        let rkind = role_ref
            .and_then(|r| r.get("kind"))
            .and_then(Node::as_str)
            .unwrap_or("ClusterRole");
        let rname_node = role_ref.and_then(|r| r.get("name"));
        let rname = rname_node.and_then(Node::as_str).unwrap_or("");
        let at = rname_node.map_or(b.at.clone(), |n| loc(b, n.pos));
        let who = sas.join(", ");
        let fix =
            "bind the service account to a Role listing only the verbs and resources it needs";
        if rkind == "ClusterRole" && rname == "cluster-admin" {
            out.verdicts.push(Verdict::fail(
                &K8S_02_1,
                b.id(),
                at,
                format!(
                    "{who} is bound to `cluster-admin`: the pod's token controls the whole cluster"
                ),
                fix,
            ));
            continue;
        }
        let rns = if rkind == "Role" { ns(b) } else { "" };
        match roles.get(&(rkind, rns, rname)) {
            Some(r) => match has_wildcard(r) {
                Some(p) => out.verdicts.push(
                    Verdict::fail(
                        &K8S_02_1,
                        b.id(),
                        at,
                        format!("{who} is bound to {rkind} `{rname}`, whose rules grant `*`"),
                        fix,
                    )
                    .with_related(Some(loc(r, p))),
                ),
                None => out.verdicts.push(Verdict::pass(
                    &K8S_02_1,
                    b.id(),
                    at,
                    format!("{who} is bound to {rkind} `{rname}`, which lists its verbs and resources"),
                )),
            },
            None => out.verdicts.push(Verdict::pass(
                &K8S_02_1,
                b.id(),
                at,
                format!("{who} is bound to {rkind} `{rname}` (not defined in the repository; not cluster-admin)"),
            )),
        }
    }
}

/// K8S-02.2: service-account tokens not mounted unless asked for.
fn tokens(objects: &[Object], workloads: &[&Object], out: &mut Out) {
    let accounts: BTreeMap<(&str, &str), &Object> = objects
        .iter()
        .filter(|o| o.kind == "ServiceAccount")
        .map(|o| ((ns(o), o.name.as_str()), o))
        .collect();
    for w in workloads {
        let sa = w
            .node
            .get("x-sa")
            .and_then(Node::as_str)
            .unwrap_or("default");
        let fix =
            "set `automountServiceAccountToken: false` on the pod spec (or its ServiceAccount)";
        match w.node.get("x-automount") {
            Some(n) if n.as_str() == Some("false") => out.verdicts.push(Verdict::pass(
                &K8S_02_2,
                w.id(),
                loc(w, n.pos),
                format!("{} does not mount a service-account token", w.id()),
            )),
            Some(n) => out.verdicts.push(Verdict::fail(
                &K8S_02_2,
                w.id(),
                loc(w, n.pos),
                format!("{} asks for its service-account token (`automountServiceAccountToken: true`)", w.id()),
                "mount the token only where the workload calls the Kubernetes API, as a projected volume with a short expiry",
            )),
            None => {
                let account = accounts.get(&(ns(w), sa));
                let off = account.and_then(|a| a.node.get("automountServiceAccountToken"));
                match (account, off.and_then(Node::as_bool)) {
                    (Some(a), Some(false)) => out.verdicts.push(
                        Verdict::pass(
                            &K8S_02_2,
                            w.id(),
                            w.at.clone(),
                            format!(
                                "{} runs as ServiceAccount `{sa}`, which does not mount its token",
                                w.id()
                            ),
                        )
                        .with_related(off.map(|n| loc(a, n.pos))),
                    ),
                    _ => out.verdicts.push(Verdict::fail(
                        &K8S_02_2,
                        w.id(),
                        w.at.clone(),
                        format!(
                            "{} mounts the token of ServiceAccount `{sa}` by default",
                            w.id()
                        ),
                        fix,
                    )),
                }
            }
        }
    }
}

/// SEC-02.1 and SEC-02.2: no plain Secret with data; the Secrets workloads read come from an
/// operator or a vault.
fn secrets(objects: &[Object], workloads: &[&Object], out: &mut Out) {
    // Secrets produced by an operator, by (namespace, name)
    let mut produced: BTreeMap<(String, String), &Object> = BTreeMap::new();
    let mut plain: BTreeMap<(String, String), &Object> = BTreeMap::new();
    for o in objects {
        let n = ns(o).to_string();
        match o.kind.as_str() {
            "Secret" => {
                let keys: usize = ["data", "stringData"]
                    .iter()
                    .map(|f| o.node.get(f).map_or(0, |d| d.entries().len()))
                    .sum();
                let at = ["stringData", "data"]
                    .iter()
                    .find_map(|f| o.node.entry(f))
                    .map_or(o.at.clone(), |e| loc(o, e.key_pos));
                if keys > 0 {
                    plain.insert((n, o.name.clone()), o);
                    out.verdicts.push(Verdict::fail(
                        &SEC_02_1,
                        o.id(),
                        at,
                        format!(
                            "{} carries {keys} value(s) in clear (base64 is not encryption) in the repository",
                            o.id()
                        ),
                        "remove it, rotate its values, and deliver them with an ExternalSecret or a SealedSecret",
                    ));
                } else {
                    out.verdicts.push(Verdict::pass(
                        &SEC_02_1,
                        o.id(),
                        o.at.clone(),
                        format!("{} carries no data", o.id()),
                    ));
                }
            }
            "ExternalSecret" | "SealedSecret" | "VaultStaticSecret" | "VaultDynamicSecret" => {
                let target = match o.kind.as_str() {
                    "ExternalSecret" => o.node.path(&["spec", "target", "name"]),
                    "SealedSecret" => o.node.path(&["spec", "template", "metadata", "name"]),
                    _ => o.node.path(&["spec", "destination", "name"]),
                }
                .and_then(Node::as_str)
                .unwrap_or(&o.name)
                .to_string();
                produced.insert((n, target), o);
                out.verdicts.push(Verdict::pass(
                    &SEC_02_1,
                    o.id(),
                    o.at.clone(),
                    format!(
                        "{} delivers its secret without writing it in the repository",
                        o.id()
                    ),
                ));
            }
            "SecretProviderClass" => {
                for so in o
                    .node
                    .path(&["spec", "secretObjects"])
                    .map(Node::items)
                    .unwrap_or(&[])
                {
                    if let Some(s) = so.get("secretName").and_then(Node::as_str) {
                        produced.insert((n.clone(), s.to_string()), o);
                    }
                }
            }
            _ => {}
        }
    }
    for w in workloads {
        let vault = w.node.get("x-vault").is_some();
        let csi = w.node.get("x-csi");
        let refs = w.node.get("x-secrets").map(Node::items).unwrap_or(&[]);
        if refs.is_empty() {
            if vault || csi.is_some() {
                out.verdicts.push(Verdict::pass(
                    &SEC_02_2,
                    w.id(),
                    csi.map_or(w.at.clone(), |n| loc(w, n.pos)),
                    format!(
                        "{} receives its secrets from {}",
                        w.id(),
                        if vault {
                            "the Vault agent injector"
                        } else {
                            "the Secrets Store CSI driver"
                        }
                    ),
                ));
            }
            continue;
        }
        for r in refs {
            let name = r.as_str().unwrap_or_default();
            let key = (ns(w).to_string(), name.to_string());
            let subject = format!("{} › secret {name}", w.id());
            if let Some(p) = produced.get(&key) {
                out.verdicts.push(
                    Verdict::pass(
                        &SEC_02_2,
                        subject,
                        loc(w, r.pos),
                        format!("the Secret `{name}` is produced by {}", p.id()),
                    )
                    .with_related(Some(p.at.clone())),
                );
            } else if let Some(p) = plain.get(&key) {
                out.verdicts.push(
                    Verdict::fail(
                        &SEC_02_2,
                        subject,
                        loc(w, r.pos),
                        format!("the Secret `{name}` comes from a plain manifest of the repository ({})", p.id()),
                        "produce it with an ExternalSecret from the secret manager (or a SealedSecret)",
                    )
                    .with_related(Some(p.at.clone())),
                );
            } else {
                out.verdicts.push(Verdict::fail(
                    &SEC_02_2,
                    subject,
                    loc(w, r.pos),
                    format!("nothing in the repository produces the Secret `{name}`: it is created by hand, outside any vault"),
                    "declare an ExternalSecret (or SealedSecret) producing it, or mount it with the Secrets Store CSI driver",
                ));
            }
        }
    }
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
