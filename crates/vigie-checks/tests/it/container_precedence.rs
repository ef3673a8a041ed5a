//! The container checks on the outcomes that depend on precedence: pod versus container
//! securityContext, init containers, Compose `user:` versus the Dockerfile, `USER` inherited
//! through `FROM <stage>` and not through a fresh `FROM`, and base images known to run as
//! non-root.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use vigie_checks::{Context, FileLookup};
use vigie_core::catalog::Catalog;
use vigie_core::model::Workload;
use vigie_core::{SourceFile, Verdict};
use vigie_parse::dockerfile::Dockerfile;
use vigie_parse::kubernetes::{self, Object};
use vigie_parse::{compose, yaml};

struct Files(BTreeMap<String, String>);

impl FileLookup for Files {
    fn exists(&self, path: &str) -> bool {
        self.0.contains_key(path)
    }
    fn read(&self, path: &str) -> Option<String> {
        self.0.get(path).cloned()
    }
}

/// A repository of a few files: Dockerfiles (any path ending in `Dockerfile`), one Kubernetes
/// manifest (`*.yaml` not named like a Compose file) and one Compose project
/// (`docker-compose.yml`).
struct Repo {
    dockerfiles: Vec<Dockerfile>,
    workloads: Vec<Workload>,
    objects: Vec<Object>,
    files: Files,
    built: BTreeSet<String>,
}

impl Repo {
    fn new(files: &[(&str, &str)]) -> Repo {
        let files: BTreeMap<String, String> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        let catalog = Catalog::embedded();
        let dockerfiles: Vec<Dockerfile> = files
            .iter()
            .filter(|(p, _)| p.ends_with("Dockerfile"))
            .map(|(p, t)| {
                Dockerfile::parse(Arc::new(SourceFile::new(p.as_str(), t.clone())))
                    .unwrap_or_else(|e| panic!("{p}:{}: {}", e.line, e.message))
            })
            .collect();
        let mut objects = Vec::new();
        let mut workloads = Vec::new();
        for (p, t) in files
            .iter()
            .filter(|(p, _)| p.ends_with(".yaml") && !compose::is_compose_name(p))
        {
            let s = yaml::parse(t);
            assert!(s.error.is_none(), "{p}: {:?}", s.error);
            let path: Arc<str> = Arc::from(p.as_str());
            objects.extend(kubernetes::objects(
                &path,
                s.documents.into_iter().map(|d| d.root).collect(),
            ));
        }
        for o in &objects {
            workloads.extend(kubernetes::workloads(o, catalog));
        }
        let mut built = BTreeSet::new();
        if files.contains_key("docker-compose.yml") {
            let read = |p: &str| files.get(p).cloned();
            let project = compose::load(&["docker-compose.yml".to_string()], &read);
            assert!(project.diagnostics.is_empty(), "{:?}", project.diagnostics);
            let map: HashMap<&str, &Dockerfile> =
                dockerfiles.iter().map(|d| (&*d.path, d)).collect();
            let lowered = compose::lower(&project, &map, catalog);
            assert!(lowered.diagnostics.is_empty(), "{:?}", lowered.diagnostics);
            workloads.extend(lowered.workloads);
            built.extend(lowered.builds);
        }
        Repo {
            dockerfiles,
            workloads,
            objects,
            files: Files(files),
            built,
        }
    }

    fn check(&self, id: &str) -> Vec<Verdict> {
        let cx = Context {
            catalog: Catalog::embedded(),
            dockerfiles: &self.dockerfiles,
            workloads: &self.workloads,
            objects: &self.objects,
            files: &self.files,
            built_by_compose: &self.built,
            artifacts: &[],
            cache: Default::default(),
        };
        let def = vigie_checks::container::CHECKS
            .iter()
            .find(|c| c.doc.id == id)
            .unwrap_or_else(|| panic!("no check {id}"));
        let mut out = Vec::new();
        (def.judge)(&cx, &mut out);
        out
    }
}

/// The verdicts on one subject, as (passed, path, line).
fn on<'a>(vs: &'a [Verdict], subject: &str) -> Vec<&'a Verdict> {
    let found: Vec<&Verdict> = vs.iter().filter(|v| &*v.subject == subject).collect();
    assert!(!found.is_empty(), "no verdict on {subject}: {vs:#?}");
    found
}

fn only<'a>(vs: &'a [Verdict], subject: &str) -> &'a Verdict {
    let found = on(vs, subject);
    assert_eq!(found.len(), 1, "{found:#?}");
    found[0]
}

#[test]
fn container_run_as_non_root_false_overrides_the_pods_true() {
    let k = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
      - name: app
        image: registry.example.org/app:1.0.0
        securityContext:
          runAsNonRoot: false
      - name: sidecar
        image: registry.example.org/sidecar:1.0.0
";
    let repo = Repo::new(&[("k8s/web.yaml", k)]);
    let vs = repo.check("CNT-01");
    let app = only(&vs, "Deployment/prod/web › container app");
    assert!(app.is_fail(), "{app:#?}");
    assert_eq!(
        (&*app.location.path, app.location.line),
        ("k8s/web.yaml", 15)
    );
    // the pod's true still holds for the container that does not override it
    let sidecar = only(&vs, "Deployment/prod/web › container sidecar");
    assert!(sidecar.is_pass(), "{sidecar:#?}");
    assert_eq!(sidecar.location.line, 10);
}

#[test]
fn container_run_as_user_zero_overrides_the_pods_non_root_user() {
    let k = "\
apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  securityContext:
    runAsUser: 1000
  containers:
  - name: api
    image: registry.example.org/api:2.0.0
    securityContext:
      runAsUser: 0
  - name: metrics
    image: registry.example.org/metrics:2.0.0
";
    let repo = Repo::new(&[("pod.yaml", k)]);
    let vs = repo.check("CNT-01");
    let api = only(&vs, "Pod/default/api › container api");
    assert!(api.is_fail());
    assert_eq!(
        api.location.line, 12,
        "at the container's runAsUser, not the pod's"
    );
    assert!(api.message.contains("runs as root"), "{}", api.message);
    let metrics = only(&vs, "Pod/default/api › container metrics");
    assert!(metrics.is_pass());
    assert_eq!(metrics.location.line, 7);
    assert_eq!(
        &*metrics.message,
        "runs as `1000` (runAsUser at pod.yaml:7)"
    );
}

#[test]
fn init_containers_get_nothing_from_a_hardened_pod_spec() {
    let k = "\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: data
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 999
        seccompProfile: {type: RuntimeDefault}
      initContainers:
      - name: init-perms
        image: registry.example.org/busybox:1.36.1
      containers:
      - name: db
        image: registry.example.org/postgres:16.4
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities:
            drop: [ALL]
";
    let repo = Repo::new(&[("db.yaml", k)]);
    let init = "StatefulSet/data/db › initContainer init-perms";
    let main = "StatefulSet/data/db › container db";
    for id in ["CNT-02", "CNT-03", "CNT-04"] {
        let vs = repo.check(id);
        let v = only(&vs, init);
        assert!(v.is_fail(), "{id}: {v:#?}");
        assert_eq!(
            v.location.line, 14,
            "{id}: at the init container's declaration"
        );
        assert!(only(&vs, main).is_pass(), "{id}");
    }
    // what the pod does set reaches the init container
    for id in ["CNT-01", "CNT-05.2"] {
        let vs = repo.check(id);
        assert!(only(&vs, init).is_pass(), "{id}: {vs:#?}");
    }
}

#[test]
fn a_stage_built_from_a_stage_inherits_its_user() {
    let d = "\
FROM node:22-bookworm-slim AS base
WORKDIR /srv
USER node
FROM base AS app
COPY --chown=node:node . .
CMD [\"node\", \"main.js\"]
";
    // standalone: judged as a Dockerfile
    let repo = Repo::new(&[("app/Dockerfile", d)]);
    let vs = repo.check("CNT-01");
    let v = only(&vs, "app/Dockerfile");
    assert!(v.is_pass(), "{v:#?}");
    assert_eq!(v.location.line, 3);
    // built by Compose: judged through the service, with the Dockerfile line as evidence
    let c = "services:\n  app:\n    build: ./app\n";
    let repo = Repo::new(&[("app/Dockerfile", d), ("docker-compose.yml", c)]);
    let vs = repo.check("CNT-01");
    assert_eq!(vs.len(), 1, "the Dockerfile is not judged twice: {vs:#?}");
    let v = only(&vs, "docker-compose.yml › services.app");
    assert!(v.is_pass());
    assert_eq!((&*v.location.path, v.location.line), ("app/Dockerfile", 3));
    assert_eq!(&*v.message, "runs as `node` (USER at app/Dockerfile:3)");
    assert!(
        v.related().iter().any(|l| &*l.path == "docker-compose.yml"),
        "{v:#?}"
    );
}

#[test]
fn a_final_stage_without_user_runs_as_root_whatever_the_build_stage_did() {
    let d = "\
FROM golang:1.23 AS build
RUN useradd -u 10001 builder
USER builder
RUN go build -o /out/app ./cmd/app
FROM debian:12.8-slim
COPY --from=build /out/app /usr/local/bin/app
ENTRYPOINT [\"app\"]
";
    let repo = Repo::new(&[("Dockerfile", d)]);
    let vs = repo.check("CNT-01");
    let v = only(&vs, "Dockerfile");
    assert!(v.is_fail(), "{v:#?}");
    assert_eq!(v.location.line, 5, "at the final FROM");
    assert!(v.message.contains("debian:12.8-slim"), "{}", v.message);
    // through Compose, with and without a target
    let c = "services:\n  final:\n    build: .\n  builder:\n    build:\n      context: .\n      target: build\n  overridden:\n    build: .\n    user: \"10001\"\n";
    let repo = Repo::new(&[("Dockerfile", d), ("docker-compose.yml", c)]);
    let vs = repo.check("CNT-01");
    let fin = only(&vs, "docker-compose.yml › services.final");
    assert!(fin.is_fail());
    assert_eq!(
        &*fin.message,
        "no USER in the Dockerfile stage; the base image `debian:12.8-slim` runs as root"
    );
    assert_eq!((&*fin.location.path, fin.location.line), ("Dockerfile", 5));
    let builder = only(&vs, "docker-compose.yml › services.builder");
    assert!(builder.is_pass());
    assert_eq!(builder.location.line, 3);
    let over = only(&vs, "docker-compose.yml › services.overridden");
    assert!(over.is_pass(), "Compose user: wins over the Dockerfile");
    assert_eq!(
        (&*over.location.path, over.location.line),
        ("docker-compose.yml", 10)
    );
}

#[test]
fn a_known_non_root_base_image_needs_no_user() {
    let catalog = Catalog::embedded();
    let image = "gcr.io/distroless/static-debian12:nonroot";
    let Some(known) = catalog.nonroot_image(image) else {
        panic!("{image} is expected in catalog/images.toml");
    };
    let d = format!(
        "FROM golang:1.23 AS build\nRUN CGO_ENABLED=0 go build -o /out/app .\nFROM {image}\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n"
    );
    let repo = Repo::new(&[("svc/Dockerfile", &d)]);
    let vs = repo.check("CNT-01");
    let v = only(&vs, "svc/Dockerfile");
    assert!(v.is_pass(), "{v:#?}");
    assert_eq!(v.location.line, 3);
    assert!(
        v.message.contains(&format!("runs as `{}`", known.user)),
        "{}",
        v.message
    );
    // and as a Kubernetes image with no securityContext
    let k = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    image: {image}\n"
    );
    let repo = Repo::new(&[("p.yaml", &k)]);
    let vs = repo.check("CNT-01");
    let v = only(&vs, "Pod/default/p › container app");
    assert!(v.is_pass(), "{v:#?}");
    assert_eq!(v.location.line, 7);
    // a root-by-default image is not
    let repo = Repo::new(&[("svc/Dockerfile", "FROM gcr.io/distroless/static-debian12\n")]);
    assert!(repo.check("CNT-01")[0].is_fail());
}

#[test]
fn compose_healthcheck_stands_in_for_the_dockerfiles() {
    let d = "FROM node:22-slim\nUSER node\n";
    let c = "services:\n  api:\n    build: .\n    healthcheck:\n      test: [\"CMD\", \"node\", \"probe.js\"]\n";
    let repo = Repo::new(&[("Dockerfile", d), ("docker-compose.yml", c)]);
    let vs = repo.check("CNT-10.3");
    assert!(only(&vs, "Dockerfile").is_pass(), "{vs:#?}");
    let repo = Repo::new(&[("Dockerfile", d)]);
    assert!(only(&repo.check("CNT-10.3"), "Dockerfile").is_fail());
}

#[test]
fn images_built_here_are_judged_by_their_from_not_their_tag() {
    let d = "FROM node:22.11-slim\n";
    let c = "services:\n  api:\n    build: .\n    image: registry.example.org/api\n  cache:\n    image: redis\n";
    let repo = Repo::new(&[("Dockerfile", d), ("docker-compose.yml", c)]);
    let vs = repo.check("CNT-10.1");
    assert!(
        vs.iter()
            .all(|v| &*v.subject != "docker-compose.yml › services.api")
    );
    assert!(only(&vs, "Dockerfile › stage 0").is_pass());
    assert!(only(&vs, "docker-compose.yml › services.cache").is_fail());
}

#[test]
fn loki_runs_as_10001_and_promtail_is_not_assumed_non_root() {
    let catalog = Catalog::embedded();
    for image in [
        "grafana/loki:3.0.0",
        "docker.io/grafana/loki",
        "grafana/loki",
    ] {
        let known = catalog.nonroot_image(image);
        assert_eq!(known.map(|k| k.user.as_str()), Some("10001"), "{image}");
    }
    assert!(catalog.nonroot_image("grafana/promtail:3.0.0").is_none());
}
