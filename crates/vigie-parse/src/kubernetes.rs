//! Kubernetes manifests: objects from YAML/JSON streams (`List` kinds unpacked), their pod
//! templates found at each kind's own path, and containers lowered into workloads with the
//! pod/container `securityContext` precedence the kubelet applies.

use crate::yaml::{Entry, Node, Pos, Value};
use std::sync::Arc;
use vigie_core::model::{At, Mount, MountKind, Namespace, Platform, Profile, UserSource, Workload};
use vigie_core::{Location, catalog::Catalog};

/// One object of a manifest.
#[derive(Debug, Clone)]
pub struct Object {
    pub file: Arc<str>,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    /// Where the object starts (its `apiVersion`/`kind` mapping).
    pub at: Location,
    pub node: Node,
    /// For an object built from several files (a Kustomize overlay, a rendered Helm chart):
    /// the files its nodes were written in, indexed by [`Pos::src`], so a field set by a patch
    /// points at the patch. `None` for an object read from one file.
    pub sources: Option<Arc<[Arc<str>]>>,
}

impl Object {
    /// `Deployment/prod/web`; the namespace reads `default` when unset.
    pub fn id(&self) -> String {
        format!(
            "{}/{}/{}",
            self.kind,
            self.namespace.as_deref().unwrap_or("default"),
            self.name
        )
    }

    /// Where a node of the object was written: its own file, or for a built object the file
    /// its position names.
    pub fn loc(&self, pos: Pos) -> Location {
        let file = self
            .sources
            .as_ref()
            .and_then(|s| s.get(usize::from(pos.src)))
            .unwrap_or(&self.file);
        Location::new(file.clone(), pos.line, pos.col)
    }

    pub fn annotations(&self) -> Option<&Node> {
        self.node.path(&["metadata", "annotations"])
    }
}

/// A pod as a workload object will create it.
#[derive(Debug, Clone)]
pub struct PodTemplate<'a> {
    pub object: &'a Object,
    /// The pod spec (`spec`, `spec.template.spec`, …).
    pub spec: &'a Node,
    /// The pod's metadata (annotations for AppArmor), if any.
    pub meta: Option<&'a Node>,
    /// Which of the object's pod templates, when it has several (`leader`, a workflow
    /// template's name).
    pub part: Option<&'a str>,
}

/// Which containers of a pod spec.
pub const CONTAINER_FIELDS: [(&str, &str); 3] = [
    ("initContainers", "initContainer"),
    ("containers", "container"),
    ("ephemeralContainers", "ephemeralContainer"),
];

/// The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → ``).
pub fn api_group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// The key under which the pods of an Argo workflow's templates are kept, lowered into pod
/// specs when the object is read (see [`lower_workflow_pods`]).
pub const WORKFLOW_PODS: &str = "x-vigie-pods";

const ARGO_WORKFLOW_KINDS: [&str; 4] = [
    "Workflow",
    "CronWorkflow",
    "WorkflowTemplate",
    "ClusterWorkflowTemplate",
];

/// Where each kind keeps its pod templates: the built-in controllers, and the custom resources
/// whose controllers create pods from a template (Argo Rollouts, OpenShift DeploymentConfig,
/// Knative Service/Configuration/Revision, LeaderWorkerSet, KEDA ScaledJob); Argo workflows'
/// templates are lowered into pod specs when read.
fn template_paths(
    group: &str,
    kind: &str,
) -> &'static [(&'static [&'static str], Option<&'static str>)] {
    const TEMPLATE: &[(&[&str], Option<&str>)] = &[(&["spec", "template"], None)];
    match (group, kind) {
        (
            "" | "apps" | "extensions" | "batch",
            "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "ReplicationController"
            | "Job",
        ) => TEMPLATE,
        ("batch", "CronJob") => &[(&["spec", "jobTemplate", "spec", "template"], None)],
        ("argoproj.io", "Rollout") => TEMPLATE,
        ("apps.openshift.io" | "", "DeploymentConfig") => TEMPLATE,
        ("serving.knative.dev", "Service" | "Configuration") => TEMPLATE,
        ("leaderworkerset.x-k8s.io", "LeaderWorkerSet") => &[
            (&["spec", "leaderWorkerTemplate", "workerTemplate"], None),
            (
                &["spec", "leaderWorkerTemplate", "leaderTemplate"],
                Some("leader"),
            ),
        ],
        ("keda.sh", "ScaledJob") => &[(&["spec", "jobTargetRef", "template"], None)],
        _ => &[],
    }
}

impl<'a> PodTemplate<'a> {
    /// The object's first pod template (the worker's, for a LeaderWorkerSet).
    pub fn of(object: &'a Object) -> Option<PodTemplate<'a>> {
        PodTemplate::all(object).into_iter().next()
    }

    /// Every pod template of the object.
    pub fn all(object: &'a Object) -> Vec<PodTemplate<'a>> {
        let n = &object.node;
        let group = api_group(&object.api_version);
        let kind = object.kind.as_str();
        let mut out = Vec::new();
        let mut push = |spec: Option<&'a Node>, meta: Option<&'a Node>, part: Option<&'a str>| {
            if let Some(spec) = spec.filter(|s| s.as_map().is_some()) {
                out.push(PodTemplate {
                    object,
                    spec,
                    meta,
                    part,
                });
            }
        };
        match kind {
            "Pod" if group.is_empty() => push(n.get("spec"), n.get("metadata"), None),
            "PodTemplate" if group.is_empty() => push(
                n.path(&["template", "spec"]),
                n.path(&["template", "metadata"]),
                None,
            ),
            "Revision" if group == "serving.knative.dev" => {
                push(n.get("spec"), n.get("metadata"), None)
            }
            k if group == "argoproj.io" && ARGO_WORKFLOW_KINDS.contains(&k) => {
                for p in n.get(WORKFLOW_PODS).map(Node::items).unwrap_or(&[]) {
                    push(
                        p.get("spec"),
                        p.get("metadata"),
                        p.get("name").and_then(Node::as_str),
                    );
                }
            }
            _ => {
                for (path, part) in template_paths(group, kind) {
                    let Some(t) = n.path(path) else { continue };
                    push(t.get("spec"), t.get("metadata"), *part);
                }
            }
        }
        out
    }

    /// Every container of the pod with its role (`container`, `initContainer`, `ephemeralContainer`).
    pub fn containers(&self) -> Vec<(&'static str, &'a Node)> {
        let mut out = Vec::new();
        for (field, role) in CONTAINER_FIELDS {
            for c in self.spec.get(field).map(Node::items).unwrap_or(&[]) {
                out.push((role, c));
            }
        }
        out
    }

    pub fn pod_security_context(&self) -> Option<&'a Node> {
        self.spec.get("securityContext")
    }

    pub fn annotation(&self, key: &str) -> Option<&'a Node> {
        self.meta?.path(&["annotations"])?.get(key)
    }
}

/// Read the objects of one parsed stream. Documents that are not Kubernetes objects (no
/// `apiVersion` or `kind`) are skipped; `List` items are unpacked.
pub fn objects(file: &Arc<str>, docs: Vec<Node>) -> Vec<Object> {
    let mut out = Vec::new();
    for d in docs {
        push_object(file, d, &mut out, 0);
    }
    out
}

fn push_object(file: &Arc<str>, node: Node, out: &mut Vec<Object>, depth: usize) {
    let (Some(api_version), Some(kind)) = (
        node.get("apiVersion")
            .and_then(Node::as_str)
            .map(str::to_string),
        node.get("kind").and_then(Node::as_str).map(str::to_string),
    ) else {
        return;
    };
    if kind.ends_with("List") && depth < 4 {
        if let Value::Map(entries) = node.value {
            for e in entries.into_iter().filter(|e| e.key == "items") {
                if let Value::Seq(items) = e.value.value {
                    for item in items {
                        push_object(file, item, out, depth + 1);
                    }
                }
            }
        }
        return;
    }
    let name = node
        .path(&["metadata", "name"])
        .and_then(Node::as_str)
        .or_else(|| {
            node.path(&["metadata", "generateName"])
                .and_then(Node::as_str)
        })
        .unwrap_or("<unnamed>")
        .to_string();
    let namespace = node
        .path(&["metadata", "namespace"])
        .and_then(Node::as_str)
        .map(str::to_string);
    let at = Location::new(file.clone(), node.pos.line, node.pos.col);
    let mut node = node;
    if api_group(&api_version) == "argoproj.io" && ARGO_WORKFLOW_KINDS.contains(&kind.as_str()) {
        lower_workflow_pods(&mut node);
    }
    out.push(Object {
        file: file.clone(),
        api_version,
        kind,
        name,
        namespace,
        at,
        node,
        sources: None,
    });
}

fn map_node(pos: Pos, entries: Vec<Entry>) -> Node {
    Node {
        pos,
        tag: None,
        value: Value::Map(entries),
    }
}

fn entry(key: &str, value: Node) -> Entry {
    Entry {
        key: key.to_string(),
        key_pos: value.pos,
        value,
    }
}

/// Lower the templates of an Argo workflow (`Workflow`, `CronWorkflow`, `WorkflowTemplate`,
/// `ClusterWorkflowTemplate`) into the pod specs Argo runs them as, kept under
/// [`WORKFLOW_PODS`] so every pod check reads them as it reads a Deployment's template.
///
/// Each template that runs a container (`container`, `script`, `containerSet`) is one pod:
/// its containers and `sidecars`, `initContainers`, the template's `securityContext` else the
/// workflow's, `hostNetwork`, volumes and the pod metadata labels. Nodes keep their
/// positions, so findings point at the workflow's own lines.
fn lower_workflow_pods(node: &mut Node) {
    let spec = node
        .path(&["spec", "workflowSpec"])
        .or_else(|| node.get("spec"));
    let Some(spec) = spec else { return };
    let mut pods = Vec::new();
    for t in spec.get("templates").map(Node::items).unwrap_or(&[]) {
        let mut containers: Vec<Node> = Vec::new();
        for key in ["container", "script"] {
            if let Some(c) = t.get(key).filter(|c| c.as_map().is_some()) {
                let mut c = c.clone();
                if c.get("name").is_none()
                    && let Value::Map(es) = &mut c.value
                {
                    es.insert(0, entry("name", Node::scalar(c.pos, "main".into(), true)));
                }
                containers.push(c);
            }
        }
        containers.extend(
            t.path(&["containerSet", "containers"])
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .cloned(),
        );
        if containers.is_empty() {
            continue;
        }
        containers.extend(
            t.get("sidecars")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .cloned(),
        );
        let mut pod_spec = vec![entry(
            "containers",
            Node {
                pos: t.pos,
                tag: None,
                value: Value::Seq(containers),
            },
        )];
        let from_template_or_spec = |k: &str| t.get(k).or_else(|| spec.get(k)).cloned();
        for k in [
            "securityContext",
            "hostNetwork",
            "serviceAccountName",
            "automountServiceAccountToken",
        ] {
            if let Some(v) = from_template_or_spec(k) {
                pod_spec.push(entry(k, v));
            }
        }
        if let Some(v) = t.get("initContainers") {
            pod_spec.push(entry("initContainers", v.clone()));
        }
        let volumes: Vec<Node> = spec
            .get("volumes")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .chain(t.get("volumes").map(Node::items).unwrap_or(&[]))
            .cloned()
            .collect();
        if !volumes.is_empty() {
            pod_spec.push(entry(
                "volumes",
                Node {
                    pos: t.pos,
                    tag: None,
                    value: Value::Seq(volumes),
                },
            ));
        }
        let mut pod = Vec::new();
        if let Some(n) = t.get("name") {
            pod.push(entry("name", n.clone()));
        }
        let labels = t
            .path(&["metadata", "labels"])
            .or_else(|| spec.path(&["podMetadata", "labels"]));
        if let Some(l) = labels {
            pod.push(entry(
                "metadata",
                map_node(l.pos, vec![entry("labels", l.clone())]),
            ));
        }
        pod.push(entry("spec", map_node(t.pos, pod_spec)));
        pods.push(map_node(t.pos, pod));
    }
    if pods.is_empty() {
        return;
    }
    let pos = node.pos;
    if let Value::Map(es) = &mut node.value {
        es.push(Entry {
            key: WORKFLOW_PODS.to_string(),
            key_pos: pos,
            value: Node {
                pos,
                tag: None,
                value: Value::Seq(pods),
            },
        });
    }
}

/// The value of a container field, else the pod's: the precedence of `securityContext` fields
/// that exist at both levels.
fn sc_field<'a>(container: &'a Node, pod_sc: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    container
        .path(&["securityContext", key])
        .filter(|n| !n.is_null())
        .or_else(|| pod_sc.and_then(|p| p.get(key)).filter(|n| !n.is_null()))
}

fn profile_of(n: &Node, localhost_key: &str) -> Option<Profile> {
    let t = n.get("type")?.as_str()?;
    Some(match t {
        "Unconfined" => Profile::Unconfined,
        "RuntimeDefault" => Profile::RuntimeDefault,
        "Localhost" => Profile::Localhost(
            n.get(localhost_key)
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string(),
        ),
        other => Profile::Localhost(other.to_string()),
    })
}

/// Lower one object's containers into workloads.
pub fn workloads(object: &Object, catalog: &Catalog) -> Vec<Workload> {
    let mut out = Vec::new();
    for pod in PodTemplate::all(object) {
        pod_workloads(object, &pod, catalog, &mut out);
    }
    out
}

/// The subject of an object's pod: the object, and which of its templates when it has several.
pub fn pod_subject(object: &Object, part: Option<&str>) -> String {
    match part {
        Some(p) => format!("{} › template {p}", object.id()),
        None => object.id(),
    }
}

fn pod_workloads(
    object: &Object,
    pod: &PodTemplate<'_>,
    catalog: &Catalog,
    out: &mut Vec<Workload>,
) {
    let pod_sc = pod.pod_security_context();
    let ns = object.namespace.clone().unwrap_or_else(|| "default".into());
    let subject = pod_subject(object, pod.part);
    for (role, c) in pod.containers() {
        let name = c
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or("<unnamed>")
            .to_string();
        let origin = object.loc(c.get("name").map(|n| n.pos).unwrap_or(c.pos));
        let mut w = Workload::new(
            Platform::Kubernetes,
            format!("{subject} › {role} {name}"),
            name.clone(),
            origin.clone(),
            ns.clone(),
            role,
        );
        let at = |n: &Node| object.loc(n.pos);
        w.image = c
            .get("image")
            .and_then(|n| n.as_str().map(|s| At::new(s.to_string(), at(n))));
        w.user = match sc_field(c, pod_sc, "runAsUser") {
            Some(n) => UserSource::Runtime(At::new(n.as_str().unwrap_or("").to_string(), at(n))),
            None => match w
                .image
                .as_ref()
                .and_then(|i| catalog.nonroot_image(&i.value).map(|k| (i, k)))
            {
                Some((i, k)) => UserSource::KnownImage {
                    image: i.clone(),
                    user: k.user.clone(),
                },
                None => UserSource::UnknownImage(w.image.clone()),
            },
        };
        w.run_as_non_root = sc_field(c, pod_sc, "runAsNonRoot")
            .and_then(|n| n.as_bool().map(|b| At::new(b, at(n))));
        let sc = c.get("securityContext");
        let field = |k: &str| sc.and_then(|s| s.get(k));
        w.privileged = field("privileged").and_then(|n| n.as_bool().map(|b| At::new(b, at(n))));
        w.no_new_privileges =
            field("allowPrivilegeEscalation").and_then(|n| n.as_bool().map(|b| At::new(!b, at(n))));
        w.read_only_rootfs =
            field("readOnlyRootFilesystem").and_then(|n| n.as_bool().map(|b| At::new(b, at(n))));
        if let Some(caps) = field("capabilities") {
            for (key, dst) in [("add", &mut w.cap_add), ("drop", &mut w.cap_drop)] {
                for n in caps.get(key).map(Node::items).unwrap_or(&[]) {
                    if let Some(s) = n.as_str() {
                        dst.push(At::new(s.to_string(), at(n)));
                    }
                }
            }
        }
        w.seccomp = sc_field(c, pod_sc, "seccompProfile")
            .and_then(|n| profile_of(n, "localhostProfile").map(|p| At::new(p, at(n))));
        w.apparmor = sc_field(c, pod_sc, "appArmorProfile")
            .and_then(|n| profile_of(n, "localhostProfile").map(|p| At::new(p, at(n))))
            .or_else(|| {
                let n = pod.annotation(&format!(
                    "container.apparmor.security.beta.kubernetes.io/{name}"
                ))?;
                let v = n.as_str()?;
                let p = if v == "unconfined" {
                    Profile::Unconfined
                } else if v == "runtime/default" || v == "docker/default" {
                    Profile::RuntimeDefault
                } else {
                    Profile::Localhost(v.trim_start_matches("localhost/").to_string())
                };
                Some(At::new(p, at(n)))
            });
        for (key, nsk) in [
            ("hostNetwork", Namespace::Network),
            ("hostPID", Namespace::Pid),
            ("hostIPC", Namespace::Ipc),
        ] {
            if let Some(e) = pod.spec.entry(key)
                && e.value.as_bool() == Some(true)
            {
                w.host_namespaces.push((nsk, object.loc(e.key_pos)));
            }
        }
        // volumes and mounts
        let volumes = pod.spec.get("volumes").map(Node::items).unwrap_or(&[]);
        for m in c.get("volumeMounts").map(Node::items).unwrap_or(&[]) {
            let vname = m.get("name").and_then(Node::as_str).unwrap_or_default();
            let target = m
                .get("mountPath")
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string();
            let read_only = m.get("readOnly").and_then(Node::as_bool).unwrap_or(false);
            let vol = volumes
                .iter()
                .find(|v| v.get("name").and_then(Node::as_str) == Some(vname));
            let (kind, source, vat) = match vol {
                Some(v) => {
                    if let Some(hp) = v.get("hostPath") {
                        let p = hp.get("path").and_then(Node::as_str).map(str::to_string);
                        (MountKind::Host, p, object.loc(hp.pos))
                    } else if v.get("emptyDir").is_some() {
                        (MountKind::Scratch, Some(vname.to_string()), at(v))
                    } else if ["configMap", "secret", "projected", "downwardAPI"]
                        .iter()
                        .any(|k| v.get(k).is_some())
                    {
                        (MountKind::Projected, Some(vname.to_string()), at(v))
                    } else {
                        (MountKind::Volume, Some(vname.to_string()), at(v))
                    }
                }
                // volumeClaimTemplates of a StatefulSet
                None => (MountKind::Volume, Some(vname.to_string()), at(m)),
            };
            w.mounts.push(Mount {
                kind,
                source,
                target,
                read_only,
                at: if kind == MountKind::Host { vat } else { at(m) },
            });
        }
        if let Some(limits) = c.path(&["resources", "limits"]) {
            w.memory_limit = limits
                .get("memory")
                .and_then(|n| n.as_str().map(|s| At::new(s.to_string(), at(n))));
            w.cpu_limit = limits
                .get("cpu")
                .and_then(|n| n.as_str().map(|s| At::new(s.to_string(), at(n))));
        }
        let probe = ["livenessProbe", "readinessProbe", "startupProbe"]
            .iter()
            .find_map(|k| c.entry(k));
        w.healthcheck = probe.map(|e| At::new(true, object.loc(e.key_pos)));
        w.listens = c
            .get("ports")
            .and_then(|p| p.items().first())
            .map(|p| object.loc(p.pos));
        out.push(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn objs(text: &str) -> Vec<Object> {
        let s = yaml::parse(text);
        assert!(s.error.is_none());
        objects(
            &Arc::from("k.yaml"),
            s.documents.into_iter().map(|d| d.root).collect(),
        )
    }

    #[test]
    fn pod_templates_are_found_for_every_kind() {
        let t = r#"
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: x}]}}
- {apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: n}, spec: {template: {spec: {containers: [{name: a}], initContainers: [{name: i}]}}}}
- {apiVersion: batch/v1, kind: CronJob, metadata: {name: c}, spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: a}]}}}}}}
- {apiVersion: v1, kind: PodTemplate, metadata: {name: t}, template: {spec: {ephemeralContainers: [{name: e}]}}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: cm}}
"#;
        let os = objs(t);
        assert_eq!(os.len(), 5);
        let cat = Catalog::embedded();
        let ws: Vec<String> = os
            .iter()
            .flat_map(|o| workloads(o, cat))
            .map(|w| w.subject.to_string())
            .collect();
        assert_eq!(
            ws,
            [
                "Pod/default/p › container a",
                "Deployment/n/d › initContainer i",
                "Deployment/n/d › container a",
                "CronJob/default/c › container a",
                "PodTemplate/default/t › ephemeralContainer e"
            ]
        );
    }

    #[test]
    fn container_security_context_overrides_the_pods_field_by_field() {
        let t = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: a
    securityContext: {runAsNonRoot: false}
  - name: b
    securityContext: {runAsUser: 0, seccompProfile: {type: Unconfined}}
  - name: c
"#;
        let os = objs(t);
        let ws = workloads(&os[0], Catalog::embedded());
        assert!(!ws[0].run_as_non_root.as_ref().unwrap().value);
        assert!(matches!(&ws[0].user, UserSource::Runtime(u) if u.value == "1000"));
        assert!(ws[1].run_as_non_root.as_ref().unwrap().value);
        assert!(matches!(&ws[1].user, UserSource::Runtime(u) if u.value == "0" && u.at.line == 11));
        assert_eq!(ws[1].seccomp.as_ref().unwrap().value, Profile::Unconfined);
        assert_eq!(
            ws[2].seccomp.as_ref().unwrap().value,
            Profile::RuntimeDefault
        );
        assert_eq!(ws[2].seccomp.as_ref().unwrap().at.line, 6);
    }
}
