//! Name references: when a ConfigMap, Secret, ServiceAccount, PersistentVolumeClaim, Service,
//! Role… is renamed (prefix, suffix, hash), the fields that name it are rewritten, as
//! Kustomize's name-reference transformer does — pod volumes, `env`/`envFrom`,
//! `imagePullSecrets`, `serviceAccountName`, role bindings, Ingress backends and TLS, a
//! StatefulSet's `serviceName`, an autoscaler's target.
//!
//! A reference is matched to the object whose current or earlier name it holds, of the kind the
//! field refers to; same-named candidates are told apart by namespace, then by the prefixes and
//! suffixes they went through (the referrer's), as Kustomize does.

use crate::accumulate::Obj;
use crate::tree;
use vigie_parse::yaml::{Node, Value};

struct Candidate {
    kind: String,
    current: String,
    names: Vec<String>,
    namespace: String,
    affixes: Vec<String>,
}

pub(crate) fn fix_references(objs: &mut [Obj]) {
    let candidates: Vec<Candidate> = objs
        .iter()
        .map(|o| {
            let mut names = o.old_names.clone();
            names.push(o.name().to_string());
            Candidate {
                kind: o.kind().to_string(),
                current: o.name().to_string(),
                names,
                namespace: o.namespace().to_string(),
                affixes: o.affixes.clone(),
            }
        })
        .collect();
    for o in objs.iter_mut() {
        let ns = o.namespace().to_string();
        let affixes = o.affixes.clone();
        let kind = o.kind().to_string();
        let mut fix = |target: &str, field: &mut Node| -> Option<String> {
            let v = field.as_str()?.to_string();
            let c = resolve(&candidates, target, &v, &ns, &affixes)?;
            if let Value::Scalar { text, .. } = &mut field.value {
                *text = c.current.clone();
            }
            Some(c.namespace.clone())
        };
        references(&kind, &mut o.node, &mut fix);
    }
}

fn resolve<'a>(
    cands: &'a [Candidate],
    kind: &str,
    value: &str,
    ns: &str,
    affixes: &[String],
) -> Option<&'a Candidate> {
    let hits: Vec<&Candidate> = cands
        .iter()
        .filter(|c| c.kind == kind && c.names.iter().any(|n| n == value))
        .collect();
    let pick = |v: &[&'a Candidate]| -> Option<&'a Candidate> {
        let first = *v.first()?;
        v.iter()
            .all(|c| c.current == first.current)
            .then_some(first)
    };
    if let Some(c) = pick(&hits) {
        return Some(c);
    }
    let same_ns: Vec<&Candidate> = hits.iter().copied().filter(|c| c.namespace == ns).collect();
    if let Some(c) = pick(&same_ns) {
        return Some(c);
    }
    let pool = if same_ns.is_empty() { hits } else { same_ns };
    let same_affixes: Vec<&Candidate> = pool.into_iter().filter(|c| c.affixes == affixes).collect();
    pick(&same_affixes)
}

/// `fix(kind referred to, field)` rewrites the field and returns the referent's namespace.
type Fix<'a> = dyn FnMut(&str, &mut Node) -> Option<String> + 'a;

/// Call `fix(kind referred to, field)` on every reference field of an object of kind `kind`.
fn references(kind: &str, n: &mut Node, fix: &mut Fix) {
    let pod_spec: Option<&[&str]> = match kind {
        "Pod" => Some(&["spec"]),
        "Deployment"
        | "ReplicaSet"
        | "DaemonSet"
        | "StatefulSet"
        | "Job"
        | "ReplicationController" => Some(&["spec", "template", "spec"]),
        "CronJob" => Some(&["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => None,
    };
    if let Some(path) = pod_spec {
        at(n, path, &mut |spec| pod_references(spec, fix));
    }
    match kind {
        "StatefulSet" => at(n, &["spec", "serviceName"], &mut |f| {
            fix("Service", f);
        }),
        "ServiceAccount" => {
            field(n, &["secrets", "name"], "Secret", fix);
            field(n, &["imagePullSecrets", "name"], "Secret", fix);
        }
        "Ingress" => {
            field(n, &["spec", "tls", "secretName"], "Secret", fix);
            field(
                n,
                &[
                    "spec", "rules", "http", "paths", "backend", "service", "name",
                ],
                "Service",
                fix,
            );
            field(
                n,
                &["spec", "rules", "http", "paths", "backend", "serviceName"],
                "Service",
                fix,
            );
            field(
                n,
                &["spec", "defaultBackend", "service", "name"],
                "Service",
                fix,
            );
            field(n, &["spec", "backend", "serviceName"], "Service", fix);
        }
        "RoleBinding" | "ClusterRoleBinding" => {
            at(n, &["roleRef"], &mut |r| {
                let target = tree::str_at(r, &["kind"]).to_string();
                if let Some(name) = tree::get_mut(r, "name") {
                    fix(&target, name);
                }
            });
            at(n, &["subjects"], &mut |s| {
                if tree::str_at(s, &["kind"]) != "ServiceAccount" {
                    return;
                }
                let pos = s.pos;
                let ns = tree::get_mut(s, "name").and_then(|name| fix("ServiceAccount", name));
                if let Some(ns) = ns.filter(|n| !n.is_empty()) {
                    tree::set(s, "namespace", tree::scalar(&ns, pos));
                }
            });
        }
        "HorizontalPodAutoscaler" => at(n, &["spec", "scaleTargetRef"], &mut |r| {
            let target = tree::str_at(r, &["kind"]).to_string();
            if let Some(name) = tree::get_mut(r, "name") {
                fix(&target, name);
            }
        }),
        "PodDisruptionBudget" | "NetworkPolicy" | "Service" => {}
        _ => {}
    }
}

fn pod_references(spec: &mut Node, fix: &mut Fix) {
    at(spec, &["serviceAccountName"], &mut |f| {
        fix("ServiceAccount", f);
    });
    at(spec, &["serviceAccount"], &mut |f| {
        fix("ServiceAccount", f);
    });
    at(spec, &["priorityClassName"], &mut |f| {
        fix("PriorityClass", f);
    });
    field(spec, &["imagePullSecrets", "name"], "Secret", fix);
    field(spec, &["volumes", "configMap", "name"], "ConfigMap", fix);
    field(spec, &["volumes", "secret", "secretName"], "Secret", fix);
    field(
        spec,
        &["volumes", "projected", "sources", "configMap", "name"],
        "ConfigMap",
        fix,
    );
    field(
        spec,
        &["volumes", "projected", "sources", "secret", "name"],
        "Secret",
        fix,
    );
    field(
        spec,
        &["volumes", "persistentVolumeClaim", "claimName"],
        "PersistentVolumeClaim",
        fix,
    );
    field(
        spec,
        &["volumes", "csi", "nodePublishSecretRef", "name"],
        "Secret",
        fix,
    );
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        field(
            spec,
            &[list, "env", "valueFrom", "configMapKeyRef", "name"],
            "ConfigMap",
            fix,
        );
        field(
            spec,
            &[list, "env", "valueFrom", "secretKeyRef", "name"],
            "Secret",
            fix,
        );
        field(
            spec,
            &[list, "envFrom", "configMapRef", "name"],
            "ConfigMap",
            fix,
        );
        field(spec, &[list, "envFrom", "secretRef", "name"], "Secret", fix);
    }
}

fn field(n: &mut Node, path: &[&str], target: &str, fix: &mut Fix) {
    at(n, path, &mut |f| {
        fix(target, f);
    });
}

/// Visit the nodes at `path`, walking sequences met on the way.
fn at(n: &mut Node, path: &[&str], f: &mut dyn FnMut(&mut Node)) {
    tree::visit_path(n, path, false, Default::default(), f);
}
