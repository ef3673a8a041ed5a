//! Kubernetes Pod Security Standards, levels baseline and restricted, with the semantics the
//! upstream admission controller (pod-security-admission) applies for Kubernetes v1.37.
//!
//! Each check judges every pod a manifest creates (a `Pod`, or the pod template of a
//! Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob or
//! PodTemplate). It emits one pass per pod when the pod meets the rule, and one failure per
//! offending field otherwise. Container rules cover `initContainers`, `containers` and
//! `ephemeralContainers` alike.
//!
//! One file per check (`bNN_*.rs` baseline, `rNN_*.rs` restricted), its documentation beside
//! its judge, registered by the `checks!` list below. The restricted level is every baseline
//! check plus the restricted ones (`PSS-R*`). The points where the upstream semantics are not
//! what one would guess:
//!
//! - a field counts as set when present and not null; a set but empty profile
//!   (`seccompProfile: {}`, `appArmorProfile: {}`) has an empty type, which is not an allowed
//!   type, so it fails;
//! - pods with `spec.os.name: windows` are exempt from the restricted privilege-escalation,
//!   seccomp and capabilities rules (the API server rejects those fields on Windows pods);
//! - pods in a user namespace (`spec.hostUsers: false`) are exempt from the restricted
//!   runAsNonRoot and runAsUser rules, and from the baseline procMount rule, but not from the
//!   restricted one (`PSS-R07`);
//! - seccomp annotations are no longer read (the fields replaced them in v1.19); AppArmor
//!   annotations still are, on any key under `container.apparmor.security.beta.kubernetes.io/`.

mod b01_host_process;
mod b02_host_namespaces;
mod b03_privileged;
mod b04_capabilities;
mod b05_host_path;
mod b06_host_ports;
mod b07_apparmor;
mod b08_selinux;
mod b09_proc_mount;
mod b10_seccomp;
mod b11_sysctls;
mod b12_host_probes;
mod r01_volume_types;
mod r02_privilege_escalation;
mod r03_run_as_non_root;
mod r04_run_as_user;
mod r05_seccomp;
mod r06_capabilities;
mod r07_proc_mount;

use crate::Context;
use vigie_core::{CheckDoc, Verdict};
use vigie_parse::kubernetes::{Object, PodTemplate};
use vigie_parse::yaml::{Entry, Node, Pos};

/// The documentation's inputs: every Pod Security check reads Kubernetes manifests.
const K8S: &[&str] = &["kubernetes"];

/// The pass evidence of a Windows pod, exempt from a Linux-only rule.
fn windows_exempt(e: &Entry) -> (Pos, String) {
    (
        e.key_pos,
        "the pod is a Windows pod (os.name: windows), exempt from this Linux-only rule".to_string(),
    )
}

vigie_core::checks! {
    pub judge: fn(&Context<'_>, &mut Vec<Verdict>);
    b01_host_process,
    b02_host_namespaces,
    b03_privileged,
    b04_capabilities,
    b05_host_path,
    b06_host_ports,
    b07_apparmor,
    b08_selinux,
    b09_proc_mount,
    b10_seccomp,
    b11_sysctls,
    b12_host_probes,
    r01_volume_types,
    r02_privilege_escalation,
    r03_run_as_non_root,
    r04_run_as_user,
    r05_seccomp,
    r06_capabilities,
    r07_proc_mount,
}

/// A Pod Security Standards level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Baseline,
    Restricted,
}

impl Level {
    /// The level a check belongs to, from its id (`PSS-B…` or `PSS-R…`).
    pub fn of_check(id: &str) -> Option<Level> {
        if id.starts_with("PSS-B") {
            Some(Level::Baseline)
        } else if id.starts_with("PSS-R") {
            Some(Level::Restricted)
        } else {
            None
        }
    }

    /// Whether enforcing `self` runs check `id`: restricted runs the baseline checks too.
    pub fn enforces(self, id: &str) -> bool {
        Level::of_check(id).is_some_and(|l| l <= self)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

/// One pod as a manifest creates it.
pub(crate) struct Pod<'a> {
    pub spec: &'a Node,
    /// The pod's metadata (the template's for workload kinds).
    pub meta: Option<&'a Node>,
    /// The pod-level `securityContext`, when it is a mapping.
    pub sc: Option<&'a Node>,
    pub subject: std::sync::Arc<str>,
    pub containers: Vec<Ctr<'a>>,
}

/// One container of a pod (init, regular or ephemeral).
pub(crate) struct Ctr<'a> {
    /// `container`, `initContainer` or `ephemeralContainer`.
    pub role: &'static str,
    pub name: &'a str,
    pub node: &'a Node,
    /// Its `securityContext`, when it is a mapping.
    pub sc: Option<&'a Node>,
}

impl<'a> Pod<'a> {
    /// The pods of an object: one per pod template (a LeaderWorkerSet's leader and workers,
    /// each template of an Argo workflow).
    pub(crate) fn all(obj: &'a Object) -> Vec<Pod<'a>> {
        PodTemplate::all(obj)
            .into_iter()
            .map(|t| Pod::of_template(obj, t))
            .collect()
    }

    fn of_template(obj: &'a Object, t: PodTemplate<'a>) -> Pod<'a> {
        let containers = t
            .containers()
            .into_iter()
            .map(|(role, node)| Ctr {
                role,
                name: node
                    .get("name")
                    .and_then(Node::as_str)
                    .unwrap_or("<unnamed>"),
                node,
                sc: mapping(node.get("securityContext")),
            })
            .collect();
        Pod {
            spec: t.spec,
            meta: t.meta,
            sc: mapping(t.pod_security_context()),
            subject: vigie_parse::kubernetes::pod_subject(obj, t.part).into(),
            containers,
        }
    }

    /// `spec.os.name: windows`, which exempts the pod from some restricted rules.
    pub fn windows(&self) -> Option<&'a Entry> {
        field(Some(self.spec), "os")
            .and_then(|os| os.value.entry("name"))
            .filter(|e| e.value.as_str() == Some("windows"))
    }

    /// `spec.hostUsers: false`: the pod runs in its own user namespace.
    pub fn user_namespace(&self) -> Option<&'a Entry> {
        self.spec
            .entry("hostUsers")
            .filter(|e| e.value.as_bool() == Some(false))
    }

    /// The pod `securityContext` key, else the pod spec.
    pub fn sc_at(&self) -> Pos {
        self.spec
            .entry("securityContext")
            .map_or(self.spec.pos, |e| e.key_pos)
    }

    /// The pod-level field `key` of the `securityContext` when set, else the spec.
    pub fn sc_field_at(&self, key: &str) -> Pos {
        field(self.sc, key).map_or_else(|| self.sc_at(), |e| e.key_pos)
    }

    /// "1 container", "3 containers".
    pub fn count(&self) -> String {
        let n = self.containers.len();
        format!("{n} container{}", if n == 1 { "" } else { "s" })
    }

    /// The pod itself then each container, with the `securityContext` each one sets: the
    /// places where fields existing at both levels are read.
    pub fn setters(&self) -> Vec<(String, Option<&'a Node>)> {
        let mut out = vec![("the pod".to_string(), self.sc)];
        out.extend(self.containers.iter().map(|c| (c.who(), c.sc)));
        out
    }
}

impl<'a> Ctr<'a> {
    /// "container web", "initContainer migrate".
    pub fn who(&self) -> String {
        format!("{} {}", self.role, self.name)
    }

    /// The container's `name` key, else the container.
    pub fn at(&self) -> Pos {
        self.node.entry("name").map_or(self.node.pos, |e| e.key_pos)
    }

    /// The container's `securityContext` key, else its name.
    pub fn sc_at(&self) -> Pos {
        self.node
            .entry("securityContext")
            .map_or_else(|| self.at(), |e| e.key_pos)
    }

    /// A field of the container's `securityContext`, when set.
    pub fn sc_field(&self, key: &str) -> Option<&'a Entry> {
        field(self.sc, key)
    }
}

/// The node when it is a mapping.
pub(crate) fn mapping(n: Option<&Node>) -> Option<&Node> {
    n.filter(|n| n.as_map().is_some())
}

/// The entry under `key` when it is set: present and not null (Kubernetes decodes a null
/// field as unset).
pub(crate) fn field<'a>(n: Option<&'a Node>, key: &str) -> Option<&'a Entry> {
    n?.entry(key).filter(|e| !e.value.is_null())
}

/// The value under `key` when it is set.
pub(crate) fn sub<'a>(n: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    field(n, key).map(|e| &e.value)
}

/// A string field as Kubernetes reads it: unset or null is the empty string.
pub(crate) fn text<'a>(n: Option<&'a Node>, key: &str) -> &'a str {
    sub(n, key).and_then(Node::as_str).unwrap_or("")
}

/// Collects one check's verdicts on one pod.
pub(crate) struct Judge<'o> {
    doc: &'static CheckDoc,
    obj: &'o Object,
    subject: &'o std::sync::Arc<str>,
    out: &'o mut Vec<Verdict>,
    failed: bool,
}

impl Judge<'_> {
    pub fn fail(
        &mut self,
        at: Pos,
        message: impl Into<std::sync::Arc<str>>,
        fix: impl Into<std::sync::Arc<str>>,
    ) {
        let subject = self.subject.clone();
        self.push_failure(subject, at, message.into(), fix.into());
    }

    /// A failure about one container: its subject is the container (`Deployment/prod/web ›
    /// container api`), as the container checks name it, so that one gap judged by both a
    /// container check and a Pod Security check is recognised as one.
    pub fn fail_in(
        &mut self,
        c: &Ctr<'_>,
        at: Pos,
        message: impl Into<std::sync::Arc<str>>,
        fix: impl Into<std::sync::Arc<str>>,
    ) {
        let subject = self.container_subject(c).into();
        self.push_failure(subject, at, message.into(), fix.into());
    }

    /// The subject of one container of the pod, as the container checks and the workload
    /// model name it.
    pub fn container_subject(&self, c: &Ctr<'_>) -> String {
        format!("{} › {}", self.subject, c.who())
    }

    fn push_failure(
        &mut self,
        subject: std::sync::Arc<str>,
        at: Pos,
        message: std::sync::Arc<str>,
        fix: std::sync::Arc<str>,
    ) {
        self.failed = true;
        self.out.push(Verdict::fail(
            self.doc,
            subject,
            self.obj.loc(at),
            message,
            fix,
        ));
    }
}

/// Run `judge` on every pod. It reports failures through the [`Judge`] and returns the
/// evidence of a pass (where, and what holds), recorded when it reported no failure.
pub(crate) fn each_pod(
    cx: &Context<'_>,
    out: &mut Vec<Verdict>,
    doc: &'static CheckDoc,
    judge: impl Fn(&Pod<'_>, &mut Judge<'_>) -> (Pos, String),
) {
    for (obj, pod) in cx
        .objects
        .iter()
        .zip(cx.pods())
        .flat_map(|(o, pods)| pods.iter().map(move |p| (o, p)))
    {
        let mut j = Judge {
            doc,
            obj,
            subject: &pod.subject,
            out: &mut *out,
            failed: false,
        };
        let (at, message) = judge(pod, &mut j);
        let failed = j.failed;
        if !failed {
            out.push(Verdict::pass(
                doc,
                pod.subject.clone(),
                obj.loc(at),
                message,
            ));
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::{Context, FileLookup};
    use std::collections::BTreeSet;
    use std::sync::Arc;
    use vigie_core::Verdict;
    use vigie_core::catalog::Catalog;
    use vigie_parse::{kubernetes, yaml};

    struct NoFiles;

    impl FileLookup for NoFiles {
        fn exists(&self, _: &str) -> bool {
            false
        }
        fn read(&self, _: &str) -> Option<String> {
            None
        }
    }

    /// Run one check function on a manifest.
    pub fn run(text: &str, check: fn(&Context<'_>, &mut Vec<Verdict>)) -> Vec<Verdict> {
        let stream = yaml::parse(text);
        assert!(stream.error.is_none(), "{:?}", stream.error);
        let objects = kubernetes::objects(
            &Arc::from("pod.yaml"),
            stream.documents.into_iter().map(|d| d.root).collect(),
        );
        let built = BTreeSet::new();
        let cx = Context {
            catalog: Catalog::embedded(),
            dockerfiles: &[],
            workloads: &[],
            objects: &objects,
            files: &NoFiles,
            built_by_compose: &built,
            artifacts: &[],
            cache: Default::default(),
        };
        let mut out = Vec::new();
        check(&cx, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::testing::run;
    use super::*;

    #[test]
    fn ids_are_unique_sorted_and_leveled() {
        let ids: Vec<&str> = CHECKS.iter().map(|c| c.doc.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        assert_eq!(ids.len(), 19);
        for c in CHECKS {
            assert!(Level::of_check(c.doc.id).is_some(), "{}", c.doc.id);
            assert_eq!(c.doc.applies_to, &["kubernetes"]);
            assert!(!c.doc.what.is_empty() && !c.doc.why.is_empty() && !c.doc.fix.is_empty());
            assert_eq!(c.doc.failing.0, "kubernetes");
            assert_eq!(c.doc.passing.0, "kubernetes");
        }
        assert!(Level::Restricted.enforces("PSS-B01"));
        assert!(Level::Restricted.enforces("PSS-R01"));
        assert!(Level::Baseline.enforces("PSS-B12"));
        assert!(!Level::Baseline.enforces("PSS-R01"));
        assert!(!Level::Restricted.enforces("CNT-01"));
    }

    /// Run a check's own failing example (it must fail, every failure with a fix) and its
    /// passing example (it must pass, with passes only).
    fn assert_examples(doc: &CheckDoc, check: fn(&Context<'_>, &mut Vec<Verdict>)) {
        let id = doc.id;
        let v = run(doc.failing.1, check);
        assert!(
            v.iter().any(|v| v.check == id && v.is_fail()),
            "{id}: failing example did not fail: {v:#?}"
        );
        assert!(
            v.iter()
                .all(|v| v.check == id && v.fix().is_some() == v.is_fail())
        );
        let v = run(doc.passing.1, check);
        assert!(
            !v.is_empty() && v.iter().all(|v| v.check == id && v.is_pass()),
            "{id}: passing example did not pass: {v:#?}"
        );
    }

    #[test]
    fn every_check_meets_its_examples() {
        for c in CHECKS {
            assert_examples(c.doc, c.judge);
        }
    }

    #[test]
    fn one_pass_per_pod_and_one_failure_per_field() {
        let text = "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: true
  hostPID: true
  containers: [{name: a}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: prod}
spec:
  template:
    spec:
      containers: [{name: a}, {name: b}]
";
        let v = run(text, b02_host_namespaces::judge);
        let fails: Vec<_> = v.iter().filter(|v| v.is_fail()).collect();
        assert_eq!(fails.len(), 2);
        assert!(fails.iter().all(|v| &*v.subject == "Pod/default/p"));
        assert_eq!((fails[0].location.line, fails[0].location.column), (5, 3));
        assert_eq!((fails[1].location.line, fails[1].location.column), (6, 3));
        let passes: Vec<_> = v.iter().filter(|v| v.is_pass()).collect();
        assert_eq!(passes.len(), 1);
        assert_eq!(&*passes[0].subject, "Deployment/prod/d");
    }
}
