//! CNT-10.3: images declare a health check.

use super::{built_by_skaffold, short};
use crate::Context;
use std::collections::HashSet;
use vigie_core::model::{Platform, Workload};
use vigie_core::{CheckDoc, Location, Severity, Verdict};
use vigie_parse::dockerfile::{Dockerfile, InstrKind};
use vigie_parse::kubernetes::{Object, PodTemplate, pod_subject};
use vigie_parse::yaml::Node;

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-10.3",
    title: "Images declare a health check",
    severity: Severity::Low,
    applies_to: &["dockerfile", "kubernetes"],
    what: "The final stage of each Dockerfile has a `HEALTHCHECK` (other than `HEALTHCHECK \
           NONE`), set in the stage itself or in the stage it is built `FROM`. A Dockerfile \
           built by Compose services also passes when every such service declares a \
           `healthcheck:`, and fails when one of them disables it. Kubernetes ignores \
           `HEALTHCHECK`: an image the repository builds with Skaffold is judged on the \
           Kubernetes containers that run it, each of which must declare a liveness, readiness \
           or startup probe (containers of Jobs, CronJobs and other run-to-completion pods \
           excepted, and so are containers that serve nothing — no declared port, no Service \
           selecting their pod — such as load generators and queue workers, whose health no \
           one routes on); its Dockerfile then fails no more for a missing `HEALTHCHECK` (when no \
           Compose service builds it, and a container of the scan runs it — one no scanned \
           container runs is judged on its own). An image a pipeline builds and pushes is \
           judged on its Dockerfile: the same image may be run elsewhere than Kubernetes. A \
           Dockerfile built only to export files (`docker build --output=DIR`) never runs and \
           is not judged.",
    why: "Without a health check the engine only knows whether the process exists, not whether \
          it answers: a hung or half-started service keeps receiving traffic, dependants start \
          too early, and nobody restarts it.",
    fix: "Add a `HEALTHCHECK CMD …` to the final stage that exercises the service cheaply (an \
          HTTP status endpoint, a client ping), using a tool present in the image.",
    failing: (
        "dockerfile",
        "FROM nginx:1.27-alpine\nCOPY site/ /usr/share/nginx/html/\n",
    ),
    passing: (
        "dockerfile",
        "FROM nginx:1.27-alpine\nCOPY site/ /usr/share/nginx/html/\nHEALTHCHECK --interval=30s --timeout=3s CMD wget -q -O /dev/null http://127.0.0.1/ || exit 1\n",
    ),
};

/// The health check in effect in a stage: its last `HEALTHCHECK`, else its base stage's.
fn effective(d: &Dockerfile, idx: usize) -> Option<(&Location, bool)> {
    let mut i = Some(idx);
    for _ in 0..=d.stages.len() {
        let s = d.stages.get(i?)?;
        let found = s.instructions.iter().rev().find_map(|ins| match ins.kind {
            InstrKind::Healthcheck { none } => Some((&ins.at, none)),
            _ => None,
        });
        if found.is_some() {
            return found;
        }
        i = s.base_stage.filter(|b| *b < s.index);
    }
    None
}

fn judge(cx: &Context<'_>, d: &Dockerfile, out: &mut Vec<Verdict>) {
    let Some(last) = d.target_stage(None) else {
        return;
    };
    let Some(stage) = d.stages.get(last) else {
        return;
    };
    let subject = d.path.to_string();
    let services: Vec<&Workload> = cx
        .workloads
        .iter()
        .filter(|w| {
            w.platform == Platform::Compose
                && w.build.as_ref().is_some_and(|b| *b.dockerfile == *d.path)
        })
        .collect();
    if let Some((w, h)) = services
        .iter()
        .find_map(|w| w.healthcheck.as_ref().filter(|h| !h.value).map(|h| (w, h)))
    {
        out.push(
            Verdict::fail(
                &DOC,
                subject,
                h.at.clone(),
                format!("the service `{}` disables the health check", w.name),
                "remove \"disable: true\" (or test: NONE) from the service's healthcheck",
            )
            .with_related(Some(stage.from_at.clone())),
        );
        return;
    }
    let in_file = effective(d, last);
    if let Some((at, false)) = in_file {
        out.push(Verdict::pass(
            &DOC,
            subject,
            at.clone(),
            format!("the final stage has a HEALTHCHECK ({})", short(at)),
        ));
        return;
    }
    // Only Kubernetes runs the image (a Skaffold artifact builds it, no Compose service does):
    // the kubelet never runs a HEALTHCHECK, so its absence changes nothing there; the probes of
    // the containers that run the image are judged instead (see `judge_container`).
    if services.is_empty() && built_by_skaffold(cx, d) {
        return;
    }
    // Nothing runs it: the repository builds it only to export files (`docker build --output`)
    if services.is_empty() && d.exported_by.is_some() {
        return;
    }
    let declared: Vec<&Workload> = services
        .iter()
        .copied()
        .filter(|w| w.healthcheck.as_ref().is_some_and(|h| h.value))
        .collect();
    if !services.is_empty() && declared.len() == services.len() {
        let names: Vec<&str> = declared.iter().map(|w| w.name.as_str()).collect();
        let at = declared
            .first()
            .and_then(|w| w.healthcheck.as_ref())
            .map_or_else(|| stage.from_at.clone(), |h| h.at.clone());
        out.push(
            Verdict::pass(
                &DOC,
                subject,
                at,
                format!(
                    "no HEALTHCHECK in the Dockerfile, but the Compose service{} {} declare{} one",
                    if names.len() > 1 { "s" } else { "" },
                    names.join(", "),
                    if names.len() > 1 { "" } else { "s" }
                ),
            )
            .with_related(Some(stage.from_at.clone())),
        );
        return;
    }
    match in_file {
        Some((at, _)) => out.push(Verdict::fail(
            &DOC,
            subject,
            at.clone(),
            "HEALTHCHECK NONE disables the health check of the final stage",
            "replace HEALTHCHECK NONE with \"HEALTHCHECK CMD <probe>\"",
        )),
        None => out.push(Verdict::fail(
            &DOC,
            subject,
            stage.from_at.clone(),
            "the final stage has no HEALTHCHECK",
            "add \"HEALTHCHECK CMD <probe> || exit 1\" to the final stage",
        )),
    }
}

/// A Kubernetes container running an image the repository builds: the kubelet ignores the
/// image's HEALTHCHECK, so the container's probes are its health check.
fn judge_container(w: &Workload, out: &mut Vec<Verdict>) {
    let Some(b) = &w.build else {
        return;
    };
    match &w.healthcheck {
        Some(p) if p.value => out.push(
            Verdict::pass(
                &DOC,
                &w.subject,
                p.at.clone(),
                format!(
                    "runs the image built from {}, and the kubelet probes it ({})",
                    b.dockerfile,
                    short(&p.at)
                ),
            )
            .with_related(Some(b.at.clone())),
        ),
        _ => out.push(
            Verdict::fail(
                &DOC,
                &w.subject,
                w.origin.clone(),
                format!(
                    "runs the image built from {} ({}) and declares no liveness, readiness or startup probe: Kubernetes ignores HEALTHCHECK, so nothing checks that it answers",
                    b.dockerfile,
                    short(&b.at)
                ),
                "add a readinessProbe and a livenessProbe to the container (an HTTP, gRPC or TCP check of the service)",
            )
            .with_related(Some(b.at.clone())),
        ),
    }
}

pub fn run(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    for d in cx.dockerfiles {
        judge(cx, d, out);
    }
    let mut served: Option<HashSet<String>> = None;
    for w in cx.workloads.iter().filter(|w| {
        w.platform == Platform::Kubernetes
            && w.role == "container"
            && w.built_by.is_some()
            && !runs_to_completion(w)
    }) {
        let probed = w.healthcheck.as_ref().is_some_and(|h| h.value);
        if !probed
            && w.listens.is_none()
            && !served
                .get_or_insert_with(|| pods_behind_services(cx.objects))
                .contains(pod_of(w))
        {
            continue;
        }
        judge_container(w, out);
    }
}

/// The pod subject of a container's subject (`Deployment/ns/web › container api` → the part
/// before the last ` › `).
fn pod_of(w: &Workload) -> &str {
    w.subject
        .rsplit_once(" › ")
        .map_or(&w.subject, |(pod, _)| pod)
}

/// The pods some Service of the same namespace selects (every label of its selector on the
/// pod template): a container of such a pod serves traffic even when it declares no port.
fn pods_behind_services(objects: &[Object]) -> HashSet<String> {
    let selectors: Vec<(&str, Vec<(&str, &str)>)> = objects
        .iter()
        .filter(|o| o.kind == "Service" && o.api_version == "v1")
        .filter_map(|o| {
            let sel = o.node.path(&["spec", "selector"])?.as_map()?;
            let pairs: Vec<(&str, &str)> = sel
                .iter()
                .filter_map(|e| Some((e.key.as_str(), e.value.as_str()?)))
                .collect();
            (!pairs.is_empty()).then(|| (o.namespace.as_deref().unwrap_or("default"), pairs))
        })
        .collect();
    let mut out = HashSet::new();
    if selectors.is_empty() {
        return out;
    }
    for o in objects {
        let ns = o.namespace.as_deref().unwrap_or("default");
        for pod in PodTemplate::all(o) {
            let labels = pod.meta.and_then(|m| m.get("labels"));
            let has = |k: &str, v: &str| {
                labels
                    .and_then(|l| l.get(k))
                    .and_then(Node::as_str)
                    .is_some_and(|x| x == v)
            };
            if selectors
                .iter()
                .any(|(sns, pairs)| *sns == ns && pairs.iter().all(|(k, v)| has(k, v)))
            {
                out.insert(pod_subject(o, pod.part));
            }
        }
    }
    out
}

/// Kinds whose pods run a task to its end: the kubelet restarts nothing that finished, and a
/// probe of a batch container checks nothing anyone waits on.
const RUN_TO_COMPLETION: &[&str] = &["Job", "CronJob", "ScaledJob", "Workflow", "CronWorkflow"];

/// Whether the container belongs to a pod that runs to completion (its subject starts with the
/// kind of the object that declares it).
fn runs_to_completion(w: &Workload) -> bool {
    let kind = w.subject.split('/').next().unwrap_or("");
    RUN_TO_COMPLETION.contains(&kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::testing::{Fixture, assert_examples, summary};

    #[test]
    fn examples() {
        assert_examples(&DOC, run, &[], &[]);
    }

    #[test]
    fn inherited_none_and_multi_stage() {
        let d = "FROM node:22 AS base\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\nFROM base AS app\nRUN true\n";
        let s = summary(&Fixture::new("dockerfile", d, &[]).run(run));
        assert_eq!(
            s,
            vec![(
                true,
                2,
                "the final stage has a HEALTHCHECK (Dockerfile:2)".into()
            )]
        );
        let d =
            "FROM node:22 AS build\nHEALTHCHECK CMD true\nFROM node:22-slim\nHEALTHCHECK NONE\n";
        let s = summary(&Fixture::new("dockerfile", d, &[]).run(run));
        assert!(!s[0].0);
        assert_eq!(s[0].1, 4);
        let d = "FROM node:22 AS build\nHEALTHCHECK CMD true\nFROM node:22-slim\n";
        let s = summary(&Fixture::new("dockerfile", d, &[]).run(run));
        assert_eq!(
            s,
            vec![(false, 3, "the final stage has no HEALTHCHECK".into())]
        );
    }

    #[test]
    fn compose_healthchecks() {
        let df = ("api/Dockerfile", "FROM node:22\nUSER node\n");
        let c = "services:\n  api:\n    build: ./api\n    healthcheck:\n      test: [\"CMD\", \"node\", \"probe.js\"]\n";
        let s = summary(&Fixture::new("compose", c, &[df]).run(run));
        assert_eq!(
            s,
            vec![(
                true,
                4,
                "no HEALTHCHECK in the Dockerfile, but the Compose service api declares one".into()
            )]
        );
        let c = "services:\n  api:\n    build: ./api\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n  worker:\n    build: ./api\n";
        let s = summary(&Fixture::new("compose", c, &[df]).run(run));
        assert_eq!(
            s,
            vec![(false, 1, "the final stage has no HEALTHCHECK".into())]
        );
        let df2 = ("api/Dockerfile", "FROM node:22\nHEALTHCHECK CMD true\n");
        let c = "services:\n  api:\n    build: ./api\n    healthcheck:\n      disable: true\n";
        let s = summary(&Fixture::new("compose", c, &[df2]).run(run));
        assert_eq!(
            s,
            vec![(
                false,
                4,
                "the service `api` disables the health check".into()
            )]
        );
    }

    /// A Skaffold project: `skaffold.yaml` at the root builds `web` from `src/web/Dockerfile`.
    const SKAFFOLD: (&str, &str) = (
        "skaffold.yaml",
        "apiVersion: skaffold/v4beta11\nkind: Config\nbuild:\n  artifacts:\n  - image: web\n    context: src/web\n",
    );

    #[test]
    fn images_only_kubernetes_runs_are_judged_by_their_probes() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n  - name: setup\n    image: web\n  containers:\n  - name: web\n    image: web\n    readinessProbe:\n      httpGet: {path: /healthz, port: 8080}\n  - name: worker\n    image: web\n    ports: [{containerPort: 9090}]\n";
        let df = ("src/web/Dockerfile", "FROM alpine:3.20\nUSER 10001\n");
        // without Skaffold nothing says Kubernetes runs it: the Dockerfile fails
        let s = summary(&Fixture::new("kubernetes", pod, &[df]).run(run));
        assert_eq!(
            s,
            vec![(false, 1, "the final stage has no HEALTHCHECK".into())]
        );
        let vs = Fixture::new("kubernetes", pod, &[df, SKAFFOLD]).run(run);
        let got: Vec<(String, bool, u32)> = vs
            .iter()
            .map(|v| (v.subject.to_string(), v.is_pass(), v.location.line))
            .collect();
        // the Dockerfile is not failed for what the kubelet ignores; the containers are judged
        // (the init container, which cannot have probes, is not)
        assert_eq!(
            got,
            vec![
                ("Pod/default/p › container web".to_string(), true, 11),
                ("Pod/default/p › container worker".to_string(), false, 13),
            ]
        );
        assert!(
            vs[1]
                .message
                .contains("src/web/Dockerfile (skaffold.yaml:5)"),
            "{}",
            vs[1].message
        );
        // a container that serves nothing (no port, no Service selecting its pod) is not asked
        let client = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: loadgen}\nspec:\n  template:\n    metadata: {labels: {app: loadgen}}\n    spec:\n      containers:\n      - name: main\n        image: web\n";
        let vs = Fixture::new("kubernetes", client, &[df, SKAFFOLD]).run(run);
        assert!(vs.is_empty(), "{vs:?}");
        // ...but one a Service of its namespace selects serves, declared port or not
        let served = format!(
            "{client}---\napiVersion: v1\nkind: Service\nmetadata: {{name: loadgen}}\nspec:\n  selector: {{app: loadgen}}\n  ports: [{{port: 80}}]\n"
        );
        let vs = Fixture::new("kubernetes", &served, &[df, SKAFFOLD]).run(run);
        assert_eq!(vs.len(), 1, "{vs:?}");
        assert!(vs[0].is_fail() && vs[0].subject.contains("loadgen › container main"));
        // a Service of another namespace does not
        let elsewhere = served.replace(
            "metadata: {name: loadgen}\nspec:\n  selector",
            "metadata: {name: loadgen, namespace: other}\nspec:\n  selector",
        );
        let vs = Fixture::new("kubernetes", &elsewhere, &[df, SKAFFOLD]).run(run);
        assert!(vs.is_empty(), "{vs:?}");
        // a Compose service that builds it runs it with Docker: HEALTHCHECK counts again
        let c = "services:\n  web:\n    build: ./src/web\n";
        let s = summary(&Fixture::new("compose", c, &[df, SKAFFOLD]).run(run));
        assert_eq!(
            s,
            vec![(false, 1, "the final stage has no HEALTHCHECK".into())]
        );
    }
}
