//! K8S-01.1: every namespace with workloads enforces a pinned Pod Security level.

use crate::Out;
use crate::cluster::{ENFORCE, ENFORCE_VERSION, loc};
use crate::model::Model;
use vigie_core::{CheckDoc, DiagKind, Diagnostic, Severity, Verdict};
use vigie_parse::yaml::Node;

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "K8S-01.1",
    title: "Namespaces with workloads enforce a Pod Security level",
    severity: Severity::High,
    applies_to: &["kubernetes"],
    what: "Every namespace the repository deploys workloads into is declared with the label \
           `pod-security.kubernetes.io/enforce` set to `baseline` or `restricted`, and with \
           `pod-security.kubernetes.io/enforce-version` pinning the policy version. A workload \
           that sets no namespace runs in the one it is applied to, which the repository does \
           not say: it is not judged (the check is reported not assessed when no workload names \
           its namespace).",
    why: "Pod Security Admission rejects pods that break the level a namespace enforces; without \
          the label any pod, privileged included, is admitted. An unpinned version changes \
          meaning at each cluster upgrade.",
    fix: "Declare the Namespace with `pod-security.kubernetes.io/enforce: restricted` (or \
          `baseline`) and `pod-security.kubernetes.io/enforce-version: v1.37`.",
    failing: (
        "k8s/app.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n",
    ),
    passing: (
        "k8s/app.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: v1.37\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n",
    ),
};

pub(crate) fn judge(m: &Model<'_>, out: &mut Out) {
    note_implicit_namespaces(m, out);
    for p in &m.namespaces {
        let name = p.name;
        let ws = &p.workloads;
        let subject = format!("Namespace/{name}");
        let Some(n) = p.namespace else {
            out.verdicts.push(Verdict::fail(
                &DOC,
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
        let level = p.level();
        let fix = format!(
            "label the namespace `{ENFORCE}: restricted` (or baseline) and `{ENFORCE_VERSION}: v1.37`"
        );
        let at = p.enforce_at(n);
        match level {
            "baseline" | "restricted" => {}
            "" => {
                out.verdicts.push(Verdict::fail(
                    &DOC,
                    subject,
                    n.at.clone(),
                    format!("the namespace `{name}` has workloads and no `{ENFORCE}` label: any pod is admitted"),
                    fix,
                ));
                continue;
            }
            other => {
                out.verdicts.push(Verdict::fail(
                    &DOC,
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
        match p.version.and_then(Node::as_str) {
            Some(v) if v != "latest" && v.starts_with('v') => {
                out.verdicts.push(Verdict::pass(
                    &DOC,
                    subject.clone(),
                    at,
                    format!(
                        "the namespace `{name}` enforces Pod Security `{level}` at version {v}"
                    ),
                ));
            }
            v => {
                let at = p.version.map_or(at, |n2| loc(n, n2.pos));
                out.verdicts.push(Verdict::fail(
                    &DOC,
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
    }
}

/// Workloads that set no namespace are not judged (see [`DOC`]): the check is not assessed when
/// no workload names its namespace, else an info note says which were left out.
fn note_implicit_namespaces(m: &Model<'_>, out: &mut Out) {
    let implicit: Vec<_> = m
        .workloads
        .iter()
        .filter(|w| w.namespace.is_none())
        .collect();
    let Some(first) = implicit.first() else {
        return;
    };
    let reason = format!(
        "{} workload(s) set no namespace (first: {} at {}:{}): they run in the namespace they are applied to, whose Pod Security labels are not in the repository",
        implicit.len(),
        first.id(),
        first.at.path,
        first.at.line
    );
    if m.namespaces.is_empty() {
        out.not_assessed(DOC.id, reason);
    } else {
        let mut d = Diagnostic::new(
            DiagKind::Skipped,
            first.at.clone(),
            format!("K8S-01.1: {reason}"),
        );
        d.severity = Severity::Info;
        out.diagnostics.push(d);
    }
}
