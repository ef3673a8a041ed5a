//! CNT-01: containers run as a non-root user.

use super::{built_by_compose, built_by_skaffold, by_platform, short};
use crate::Context;
use std::collections::BTreeMap;
use vigie_core::model::{UserSource, Workload, user_is_root};
use vigie_core::{CheckDoc, Severity, Verdict};
use vigie_parse::dockerfile::Dockerfile;

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-01",
    title: "Containers run as a non-root user",
    severity: Severity::High,
    applies_to: &["compose", "kubernetes", "dockerfile"],
    what: "Works out the user each container will really run as, following the platform's \
           precedence: the Compose `user:` or the Kubernetes `runAsUser` (container, else pod) \
           first, then the last `USER` of the Dockerfile stage the image is built from (inherited \
           through `FROM <stage>`), then what is known of the base image. A container whose user \
           is root, or cannot be determined, fails; in Kubernetes `runAsNonRoot: true` also \
           passes, since the kubelet then refuses to start the container as root. A Dockerfile \
           that no Compose service builds is judged on its own, by the user of its final stage; one \
           a Skaffold artifact builds is judged through the Kubernetes containers that run its \
           image (`runAsUser`, else its `USER`), or on its own when no scanned container runs it. \
           A Kubernetes container that pulls an image a pipeline of the repository builds and \
           pushes (`docker build -t NAME`, `docker/build-push-action`, Kaniko, Cloud Build) runs \
           that build's Dockerfile: its `USER` counts when the container sets no user. A \
           Dockerfile the repository builds only to export files (`docker build --output=DIR` \
           in a Makefile, script or workflow, and no image of it pushed) never runs and is not \
           judged; a note names the command.",
    why: "A process running as root inside a container is root on the host as soon as one \
          isolation layer fails (a kernel bug, a mounted socket, a writable host path, an added \
          capability). Running as an unprivileged user turns most container escapes into a \
          contained compromise, and is the practical stand-in for a remapped user namespace.",
    fix: "Create an unprivileged account in the final stage of the Dockerfile and end it with \
          `USER <name or uid>`; or set the user where the container is declared: `user: \
          \"10001:10001\"` in Compose, `securityContext.runAsUser: 10001` with `runAsNonRoot: \
          true` in Kubernetes.",
    failing: (
        "dockerfile",
        "FROM node:22-bookworm-slim\nWORKDIR /srv/app\nCOPY . .\nRUN npm ci --omit=dev\nCMD [\"node\", \"server.js\"]\n",
    ),
    passing: (
        "dockerfile",
        "FROM node:22-bookworm-slim\nWORKDIR /srv/app\nCOPY --chown=node:node . .\nRUN npm ci --omit=dev\nUSER node\nCMD [\"node\", \"server.js\"]\n",
    ),
};

fn fix_runtime(w: &Workload) -> String {
    by_platform(
        w,
        "set `user: \"10001:10001\"` on the service (or end the Dockerfile with `USER <non-root>`)",
        "set securityContext.runAsUser: 10001 and runAsNonRoot: true",
    )
}

fn fix_dockerfile_user() -> &'static str {
    "end the final stage with \"USER <non-root user>\" (e.g. USER 10001:10001)"
}

/// Whether a user names root; `None` when it cannot be told: an unresolved variable, or a value
/// left empty by substituting an unset variable (the runtime then keeps the image's user).
fn is_root(user: &str) -> Option<bool> {
    if user.trim().is_empty() {
        None
    } else {
        user_is_root(user)
    }
}

/// The user as shown in a message.
fn shown(user: &str) -> String {
    if user.trim().is_empty() {
        "(empty: an unset variable?)".to_string()
    } else {
        format!("`{user}`")
    }
}

fn judge_workload(w: &Workload, out: &mut Vec<Verdict>) {
    let subject = &w.subject;
    let rnr = w.run_as_non_root.as_ref();
    let build_at = w.build.as_ref().map(|b| b.at.clone());
    // The user is set on the container: it decides.
    if let UserSource::Runtime(u) = &w.user {
        let key = by_platform(w, "user", "runAsUser");
        match is_root(&u.value) {
            Some(true) => out.push(
                Verdict::fail(
                    &DOC,
                    subject,
                    u.at.clone(),
                    format!("runs as root (`{key}: {}` at {})", u.value, short(&u.at)),
                    by_platform(
                        w,
                        "set \"user:\" to a non-root uid (e.g. \"10001:10001\")",
                        "set securityContext.runAsUser to a non-zero uid (e.g. 10001)",
                    ),
                )
                .with_related(rnr.map(|r| r.at.clone())),
            ),
            Some(false) => out.push(Verdict::pass(
                &DOC,
                subject,
                u.at.clone(),
                format!("runs as `{}` ({key} at {})", u.value, short(&u.at)),
            )),
            None => match rnr.filter(|r| r.value) {
                Some(r) => out.push(Verdict::pass(
                    &DOC,
                    subject,
                    r.at.clone(),
                    format!(
                        "runAsNonRoot: true at {} (the user {} is not resolved, the kubelet refuses root)",
                        short(&r.at),
                        shown(&u.value)
                    ),
                )),
                None => out.push(Verdict::fail(
                    &DOC,
                    subject,
                    u.at.clone(),
                    format!(
                        "the user {} ({key} at {}) cannot be determined from the repository",
                        shown(&u.value),
                        short(&u.at)
                    ),
                    by_platform(
                        w,
                        "set \"user:\" to a literal non-root uid",
                        "set securityContext.runAsUser to a literal non-root uid and runAsNonRoot: true",
                    ),
                )),
            },
        }
        return;
    }
    // No user on the container: runAsNonRoot decides when set.
    if let Some(r) = rnr {
        if r.value {
            out.push(
                Verdict::pass(
                    &DOC,
                    subject,
                    r.at.clone(),
                    format!(
                        "runAsNonRoot: true at {}: the kubelet refuses to start it as root",
                        short(&r.at)
                    ),
                )
                .with_related(image_at(w)),
            );
        } else {
            out.push(
                Verdict::fail(
                    &DOC,
                    subject,
                    r.at.clone(),
                    format!(
                        "runAsNonRoot: false at {} and no non-root runAsUser: nothing keeps it from running as root",
                        short(&r.at)
                    ),
                    "set securityContext.runAsNonRoot: true and runAsUser to a non-zero uid",
                )
                .with_related(image_at(w)),
            );
        }
        return;
    }
    match &w.user {
        UserSource::Runtime(_) => {}
        UserSource::Dockerfile(u) => match is_root(&u.value) {
            Some(true) => out.push(
                Verdict::fail(
                    &DOC,
                    subject,
                    u.at.clone(),
                    format!("runs as root (USER {} at {})", u.value, short(&u.at)),
                    by_platform(
                        w,
                        "change the Dockerfile's USER to a non-root user, or set `user: \"10001:10001\"` on the service",
                        fix_dockerfile_user(),
                    ),
                )
                .with_related(build_at),
            ),
            Some(false) => out.push(
                Verdict::pass(
                    &DOC,
                    subject,
                    u.at.clone(),
                    format!("runs as `{}` (USER at {})", u.value, short(&u.at)),
                )
                .with_related(build_at),
            ),
            None => out.push(
                Verdict::fail(
                    &DOC,
                    subject,
                    u.at.clone(),
                    format!(
                        "the user {} (USER at {}) cannot be determined: a build argument without a default?",
                        shown(&u.value),
                        short(&u.at)
                    ),
                    by_platform(
                        w,
                        "give the ARG a non-root default, or set \"user:\" on the service",
                        "give the ARG a non-root default, or set securityContext.runAsUser",
                    ),
                )
                .with_related(build_at),
            ),
        },
        UserSource::KnownImage { image, user } => out.push(
            Verdict::pass(
                &DOC,
                subject,
                image.at.clone(),
                format!(
                    "runs as `{user}`, the default user of `{}` ({})",
                    image.value,
                    short(&image.at)
                ),
            )
            .with_related(build_at),
        ),
        UserSource::DockerfileDefault { from } => out.push(
            Verdict::fail(
                &DOC,
                subject,
                from.at.clone(),
                format!(
                    "no USER in the Dockerfile stage; the base image{} runs as root",
                    if from.value.is_empty() {
                        String::new()
                    } else {
                        format!(" `{}`", from.value)
                    }
                ),
                fix_runtime(w),
            )
            .with_related(build_at),
        ),
        UserSource::UnknownImage(img) => {
            let what = match img {
                Some(i) => format!("`{}`", i.value),
                None => "the image".to_string(),
            };
            out.push(
                Verdict::fail(
                    &DOC,
                    subject,
                    w.origin.clone(),
                    format!(
                        "image's user unknown: {what} is not a known non-root image and no {} is set",
                        by_platform(w, "user:", "runAsUser/runAsNonRoot")
                    ),
                    fix_runtime(w),
                )
                .with_related(img.as_ref().map(|i| i.at.clone())),
            );
        }
    }
}

fn image_at(w: &Workload) -> Option<vigie_core::Location> {
    match &w.user {
        UserSource::KnownImage { image, .. } => Some(image.at.clone()),
        UserSource::UnknownImage(i) => i.as_ref().map(|i| i.at.clone()),
        _ => w.image.as_ref().map(|i| i.at.clone()),
    }
}

/// A Dockerfile no Compose service builds: the user of its final stage.
fn judge_dockerfile(cx: &Context<'_>, d: &Dockerfile, out: &mut Vec<Verdict>) {
    let no_args = BTreeMap::new();
    let Some(last) = d.target_stage(None) else {
        return;
    };
    let subject = d.path.to_string();
    match d.stage_user(last, &no_args) {
        Some(u) => match is_root(&u.value) {
            Some(true) => out.push(Verdict::fail(
                &DOC,
                subject,
                u.at.clone(),
                format!("the final stage runs as root (USER {})", u.value),
                fix_dockerfile_user(),
            )),
            Some(false) => out.push(Verdict::pass(
                &DOC,
                subject,
                u.at.clone(),
                format!("runs as `{}` (USER at {})", u.value, short(&u.at)),
            )),
            None => out.push(Verdict::fail(
                &DOC,
                subject,
                u.at.clone(),
                format!(
                    "the final stage's user {} cannot be determined: a build argument without a default?",
                    shown(&u.value)
                ),
                "give the ARG a non-root default, or write the USER literally",
            )),
        },
        None => {
            let base = d.base_image(last, &no_args);
            let known = base
                .as_ref()
                .and_then(|b| cx.catalog.nonroot_image(&b.value).map(|k| (b, k)));
            match (known, &base) {
                (Some((b, k)), _) => out.push(Verdict::pass(
                    &DOC,
                    subject,
                    b.at.clone(),
                    format!(
                        "no USER, but the base image `{}` runs as `{}` ({})",
                        b.value,
                        k.user,
                        short(&b.at)
                    ),
                )),
                (None, Some(b)) => out.push(Verdict::fail(
                    &DOC,
                    subject,
                    b.at.clone(),
                    format!(
                        "no USER in the final stage; the base image `{}` runs as root",
                        b.value
                    ),
                    fix_dockerfile_user(),
                )),
                (None, None) => {}
            }
        }
    }
}

pub fn run(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    for w in cx.workloads {
        judge_workload(w, out);
    }
    for d in cx.dockerfiles {
        // an image a Compose service or a Skaffold artifact builds is judged through the
        // containers that run it, whose own user comes first
        // nor is one the repository only builds to export files (`docker build --output`)
        if !built_by_compose(cx, d) && !built_by_skaffold(cx, d) && d.exported_by.is_none() {
            judge_dockerfile(cx, d, out);
        }
    }
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
    fn compose_user_sources() {
        let compose = "services:\n  api:\n    build: ./api\n  root:\n    image: app:1\n    user: \"0:0\"\n  db:\n    image: postgres:16\n  distroless:\n    image: gcr.io/distroless/static:nonroot\n  plain:\n    build: ./plain\n  var:\n    image: app:1\n    user: \"${APP_UID}\"\n";
        let f = Fixture::new(
            "compose",
            compose,
            &[
                ("api/Dockerfile", "FROM node:22\nRUN npm ci\nUSER node\n"),
                ("plain/Dockerfile", "FROM python:3.12\nCOPY . .\n"),
            ],
        );
        let vs = f.run(run);
        let of = |svc: &str| {
            let s: Vec<_> = vs
                .iter()
                .filter(|v| v.subject.ends_with(&format!("services.{svc}")))
                .cloned()
                .collect();
            summary(&s)
        };
        let api = vs
            .iter()
            .find(|v| v.subject.ends_with("services.api"))
            .unwrap();
        assert!(api.is_pass());
        assert_eq!(&*api.location.path, "api/Dockerfile");
        assert_eq!(api.location.line, 3);
        assert_eq!(&*api.message, "runs as `node` (USER at api/Dockerfile:3)");
        assert_eq!(api.related().len(), 1);
        assert_eq!(&*api.related()[0].path, "docker-compose.yml");
        assert!(!of("root")[0].0);
        assert_eq!(of("root")[0].1, 6);
        assert!(!of("db")[0].0);
        assert!(of("db")[0].2.contains("image's user unknown"));
        assert!(of("distroless")[0].0);
        assert!(!of("var")[0].0);
        // an unset variable empties `user:`, and docker then runs the image's own user
        assert!(
            of("var")[0].2.contains("image's user unknown"),
            "{:?}",
            of("var")
        );
        let plain = &of("plain")[0];
        assert!(!plain.0);
        assert_eq!(
            plain.2,
            "no USER in the Dockerfile stage; the base image `python:3.12` runs as root"
        );
        // Dockerfiles built by Compose are judged through their services only
        assert!(vs.iter().all(|v| !v.subject.ends_with("Dockerfile")));
    }

    #[test]
    fn unresolved_users_fail() {
        let f = Fixture::new(
            "dockerfile",
            "FROM alpine:3.20\nARG UID\nUSER ${UID}\n",
            &[],
        );
        let vs = f.run(run);
        assert_eq!(vs.len(), 1);
        assert!(vs[0].is_fail());
        assert!(
            vs[0].message.contains("cannot be determined"),
            "{}",
            vs[0].message
        );
    }

    #[test]
    fn kubernetes_run_as_non_root() {
        let k = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: enforced\n    image: app:1\n    securityContext: {runAsNonRoot: true}\n  - name: unknown\n    image: app:1\n  - name: off\n    image: gcr.io/distroless/static:nonroot\n    securityContext: {runAsNonRoot: false}\n  - name: user\n    image: app:1\n    securityContext: {runAsNonRoot: false, runAsUser: 1000}\n";
        let vs = Fixture::new("kubernetes", k, &[]).run(run);
        let s = summary(&vs);
        assert_eq!(s.len(), 4);
        assert!(s[0].0 && s[0].1 == 8, "{s:?}");
        assert!(!s[1].0);
        assert!(!s[2].0 && s[2].1 == 13, "{s:?}");
        assert!(s[3].0, "{s:?}");
        assert!(vs[1].fix().unwrap().contains("runAsNonRoot"));
    }

    /// A Skaffold project: `skaffold.yaml` at the root builds `web` from `src/web/Dockerfile`.
    const SKAFFOLD: (&str, &str) = (
        "skaffold.yaml",
        "apiVersion: skaffold/v4beta11\nkind: Config\nbuild:\n  artifacts:\n  - image: web\n    context: src/web\n",
    );

    #[test]
    fn containers_running_a_skaffold_image_run_its_user() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: web\n    image: web\n";
        let with_user = ("src/web/Dockerfile", "FROM alpine:3.20\nUSER 10001\n");
        let web = |extra: &[(&str, &str)]| -> Vec<(bool, u32, String)> {
            let vs: Vec<Verdict> = Fixture::new("kubernetes", pod, extra)
                .run(run)
                .into_iter()
                .filter(|v| v.subject.contains("container web"))
                .collect();
            summary(&vs)
        };
        // without Skaffold the image `web` is unknown
        let s = web(&[with_user]);
        assert!(!s[0].0, "{s:?}");
        // with it, the Dockerfile's USER is what the container runs as
        let s = web(&[with_user, SKAFFOLD]);
        assert_eq!(
            s,
            vec![(
                true,
                2,
                "runs as `10001` (USER at src/web/Dockerfile:2)".into()
            )]
        );
        // no USER: the base image's root, located at its FROM
        let s = web(&[("src/web/Dockerfile", "FROM alpine:3.20\n"), SKAFFOLD]);
        assert!(!s[0].0 && s[0].1 == 1, "{s:?}");
        // runAsUser comes first, and the Dockerfile is judged through the container alone
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: web\n    image: web\n    securityContext:\n      runAsUser: 1000\n      runAsNonRoot: true\n";
        let df = ("src/web/Dockerfile", "FROM alpine:3.20\n");
        let s = summary(&Fixture::new("kubernetes", pod, &[df, SKAFFOLD]).run(run));
        assert_eq!(s.len(), 1, "{s:?}");
        assert!(s[0].0, "{s:?}");
        let s = summary(&Fixture::new("kubernetes", pod, &[df]).run(run));
        assert_eq!(
            s.len(),
            2,
            "without Skaffold the Dockerfile is judged alone: {s:?}"
        );
    }
}
