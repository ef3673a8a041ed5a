//! CNT-10.1: images carry an explicit tag, not `latest`.

use super::image_ref::{ImageRef, image_uses, short_digest};
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-10.1",
    title: "Images name an explicit tag, not latest",
    severity: Severity::Medium,
    applies_to: &["compose", "kubernetes", "dockerfile"],
    what: "Every image reference — each Dockerfile `FROM` that names an image (build-argument \
           defaults substituted; earlier stages and `scratch` excepted) and each Compose or \
           Kubernetes `image` that the repository does not build — names a tag other than \
           `latest`, or is pinned by digest. A port in the registry host \
           (`localhost:5000/app`) is not a tag. A Kubernetes `image` that a Skaffold artifact of \
           the repository builds (`build.artifacts[].image` of a `skaffold.yaml` above the \
           manifest) passes: Skaffold deploys it under the tag of its build, and the base \
           images are judged on the artifact's Dockerfile.",
    why: "An untagged reference means `latest`, which moves whenever the publisher pushes: two \
          builds of the same commit can then ship different software, a rollback does not roll \
          back, and nobody can say which version ran when an incident happened.",
    fix: "Name the version you tested (`node:22.11-bookworm-slim`, not `node` or `node:latest`), \
          and let a dependency bot propose upgrades.",
    failing: (
        "dockerfile",
        "FROM python:latest\nCOPY app.py /srv/app.py\nUSER 10001\nCMD [\"python\", \"/srv/app.py\"]\n",
    ),
    passing: (
        "dockerfile",
        "FROM python:3.12.7-slim-bookworm\nCOPY app.py /srv/app.py\nUSER 10001\nCMD [\"python\", \"/srv/app.py\"]\n",
    ),
};

pub fn run(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    for u in image_uses(cx) {
        if let Some(pass) = u.built_here_pass(
            &DOC,
            "it under the tag of the build (the git commit by default)",
        ) {
            out.push(pass);
            continue;
        }
        let r = ImageRef::parse(&u.reference);
        if u.unresolved {
            out.push(Verdict::fail(
                &DOC,
                &u.subject,
                u.at.clone(),
                format!(
                    "the image {} depends on a variable with no value in the repository: its version is not fixed here",
                    u.shown()
                ),
                u.fix("<name>:<version> (or give the variable a default)"),
            ));
            continue;
        }
        let digest = r.pinned().then_some(r.digest).flatten();
        match (r.explicit_tag(), digest) {
            (Some(tag), _) => out.push(Verdict::pass(
                &DOC,
                &u.subject,
                u.at.clone(),
                format!("the image {} names the tag `{tag}`", u.shown()),
            )),
            (None, Some(d)) => out.push(Verdict::pass(
                &DOC,
                &u.subject,
                u.at.clone(),
                format!(
                    "the image {} is pinned by digest {}",
                    u.shown(),
                    short_digest(d)
                ),
            )),
            (None, None) => {
                let message = match r.tag {
                    Some(t) if !t.is_empty() => format!(
                        "the image {} uses the `{t}` tag, which moves with every release",
                        u.shown()
                    ),
                    _ => format!(
                        "the image {} has no tag: it means `latest`, which moves with every release",
                        u.shown()
                    ),
                };
                out.push(Verdict::fail(
                    &DOC,
                    &u.subject,
                    u.at.clone(),
                    message,
                    u.fix(&format!("{}:<version>", r.name)),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::testing::{Fixture, assert_examples, summary};

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn examples() {
        assert_examples(&DOC, run, &[], &[]);
        let vs = Fixture::new(DOC.failing.0, DOC.failing.1, &[]).run(run);
        assert_eq!(&*vs[0].subject, "Dockerfile › stage 0");
        assert_eq!(vs[0].fix(), Some("write FROM python:<version>"));
    }

    #[test]
    fn dockerfile_stages_args_and_scratch() {
        let d = format!(
            "ARG BASE=node:22\nARG RUNTIME\nFROM ${{BASE}} AS build\nFROM build AS test\nFROM localhost:5000/tools AS tools\nFROM ${{RUNTIME}}\nFROM scratch\nFROM alpine@{D}\n"
        );
        let vs = Fixture::new("dockerfile", &d, &[]).run(run);
        let s: Vec<(String, bool, u32)> = vs
            .iter()
            .map(|v| (v.subject.to_string(), v.is_pass(), v.location.line))
            .collect();
        assert_eq!(
            s,
            vec![
                ("Dockerfile › stage build".to_string(), true, 3),
                ("Dockerfile › stage tools".to_string(), false, 5),
                ("Dockerfile › stage 3".to_string(), false, 6),
                ("Dockerfile › stage 5".to_string(), true, 8),
            ]
        );
        assert_eq!(
            &*vs[0].message,
            "the image `node:22` (written `${BASE}`) names the tag `22`"
        );
        assert!(vs[1].message.contains("has no tag"), "{}", vs[1].message);
        assert!(
            vs[2].message.contains("no value in the repository"),
            "{}",
            vs[2].message
        );
    }

    #[test]
    fn workloads_not_built_here() {
        let c = "services:\n  a:\n    image: postgres\n  b:\n    image: redis:latest\n  c:\n    image: app:1\n    build: .\n  d:\n    image: nginx:1.27-alpine\n";
        let f = Fixture::new("compose", c, &[("Dockerfile", "FROM alpine:3.20\n")]);
        let vs: Vec<_> = f
            .run(run)
            .into_iter()
            .filter(|v| v.subject.contains("services"))
            .collect();
        let s = summary(&vs);
        assert_eq!(
            s.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
            [(false, 3), (false, 5), (true, 10)]
        );
        assert_eq!(vs[1].fix(), Some("set \"image: redis:<version>\""));
        let k = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: registry.local:5000/app\n";
        let vs = Fixture::new("kubernetes", k, &[]).run(run);
        assert!(vs[0].is_fail());
        assert_eq!(
            vs[0].fix(),
            Some("set image: registry.local:5000/app:<version>")
        );
    }

    /// A Skaffold project: `skaffold.yaml` at the root builds `web` from `src/web/Dockerfile`.
    const SKAFFOLD: (&str, &str) = (
        "skaffold.yaml",
        "apiVersion: skaffold/v4beta11\nkind: Config\nbuild:\n  artifacts:\n  - image: web\n    context: src/web\n",
    );

    #[test]
    fn images_skaffold_builds_are_not_pulled_as_written() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: web\n    image: web\n  - name: cache\n    image: redis\n";
        let df = ("src/web/Dockerfile", "FROM alpine:3.20\nUSER 10001\n");
        let containers = |extra: &[(&str, &str)]| -> Vec<(bool, u32, String)> {
            let vs: Vec<Verdict> = Fixture::new("kubernetes", pod, extra)
                .run(run)
                .into_iter()
                .filter(|v| v.subject.contains("container"))
                .collect();
            summary(&vs)
        };
        // without Skaffold, `web` is pulled as written: `latest`
        let s = containers(&[df]);
        assert_eq!((s[0].0, s[1].0), (false, false), "{s:?}");
        let s = containers(&[df, SKAFFOLD]);
        assert!(s[0].0, "{s:?}");
        assert_eq!(s[0].1, 7);
        assert!(
            s[0].2
                .contains("Skaffold artifact `web` at skaffold.yaml:5"),
            "{}",
            s[0].2
        );
        // an image no artifact names is still judged as written
        assert!(!s[1].0, "{s:?}");
    }
}
