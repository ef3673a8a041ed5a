//! CNT-10.2: images pinned by digest.

use super::image_ref::{ImageRef, image_uses, short_digest};
use crate::Context;
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-10.2",
    title: "Images are pinned by digest",
    severity: Severity::Low,
    applies_to: &["compose", "kubernetes", "dockerfile"],
    what: "Every image reference the repository pulls (Dockerfile `FROM`, and Compose or \
           Kubernetes `image` when not built here) carries a content digest \
           (`@sha256:` followed by 64 hexadecimal digits), with or without a tag beside it. A \
           Kubernetes `image` that a Skaffold artifact of the repository builds passes: Skaffold \
           replaces it with the image it built (by digest once pushed).",
    why: "A tag is a pointer the registry owner (or whoever compromises the registry account) \
          can move to any content. A digest names the exact bytes: the image that was scanned \
          and reviewed is the one that is built on and deployed.",
    fix: "Append the digest of the image you tested to the reference \
          (`name:tag@sha256:<digest>`, as printed by `docker buildx imagetools inspect` or \
          `crane digest`) and let a dependency bot refresh both together.",
    failing: (
        "kubernetes",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: cache\nspec:\n  containers:\n  - name: cache\n    image: docker.io/library/redis:7.4.1\n",
    ),
    passing: (
        "kubernetes",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: cache\nspec:\n  containers:\n  - name: cache\n    image: docker.io/library/redis:7.4.1@sha256:8f3c4a5b6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f506172\n",
    ),
};

pub fn run(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    for u in image_uses(cx) {
        if let Some(pass) = u.built_here_pass(&DOC, "the image it built, by digest once pushed") {
            out.push(pass);
            continue;
        }
        let r = ImageRef::parse(&u.reference);
        let base = match r.tag {
            Some(t) if !t.is_empty() => format!("{}:{t}", r.name),
            _ => r.name.to_string(),
        };
        let fix = u.fix(&format!("{base}@sha256:<digest>"));
        if u.unresolved {
            out.push(Verdict::fail(
                &DOC,
                &u.subject,
                u.at.clone(),
                format!(
                    "the image {} depends on a variable with no value in the repository: it is not pinned here",
                    u.shown()
                ),
                fix,
            ));
            continue;
        }
        match (r.pinned(), r.digest) {
            (true, Some(d)) => out.push(Verdict::pass(
                &DOC,
                &u.subject,
                u.at.clone(),
                format!(
                    "the image {} is pinned by digest {}",
                    u.shown(),
                    short_digest(d)
                ),
            )),
            (_, Some(d)) => out.push(Verdict::fail(
                &DOC,
                &u.subject,
                u.at.clone(),
                format!(
                    "the digest `{d}` of the image `{base}` is not a well-formed sha256 digest"
                ),
                fix,
            )),
            (_, None) => out.push(Verdict::fail(
                &DOC,
                &u.subject,
                u.at.clone(),
                format!(
                    "the image {} is not pinned by digest: its tag can be moved to other content",
                    u.shown()
                ),
                fix,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::testing::{Fixture, assert_examples};

    #[test]
    fn examples() {
        assert_examples(&DOC, run, &[], &[]);
        let vs = Fixture::new(DOC.failing.0, DOC.failing.1, &[]).run(run);
        assert_eq!(
            vs[0].fix(),
            Some("set image: docker.io/library/redis:7.4.1@sha256:<digest>")
        );
        let vs = Fixture::new(DOC.passing.0, DOC.passing.1, &[]).run(run);
        assert!(
            vs[0]
                .message
                .ends_with("is pinned by digest sha256:8f3c4a5b6d7e…"),
            "{}",
            vs[0].message
        );
    }

    #[test]
    fn dockerfile_from_with_a_bad_digest() {
        let vs = Fixture::new("dockerfile", "FROM alpine:3.20@sha256:1234\n", &[]).run(run);
        assert!(vs[0].is_fail());
        assert!(
            vs[0].message.contains("not a well-formed"),
            "{}",
            vs[0].message
        );
        assert_eq!(vs[0].fix(), Some("write FROM alpine:3.20@sha256:<digest>"));
    }

    /// A Skaffold project: `skaffold.yaml` at the root builds `web` from `src/web/Dockerfile`.
    const SKAFFOLD: (&str, &str) = (
        "skaffold.yaml",
        "apiVersion: skaffold/v4beta11\nkind: Config\nbuild:\n  artifacts:\n  - image: web\n    context: src/web\n",
    );

    #[test]
    fn images_skaffold_builds_are_deployed_as_built() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: web\n    image: web:dev\n";
        let df = ("src/web/Dockerfile", "FROM alpine:3.20\n");
        let web = |extra: &[(&str, &str)]| -> Verdict {
            Fixture::new("kubernetes", pod, extra)
                .run(run)
                .into_iter()
                .find(|v| v.subject.contains("container web"))
                .unwrap()
        };
        assert!(web(&[df]).is_fail());
        // a tag written beside the name does not change the match: Skaffold matches names
        let v = web(&[df, SKAFFOLD]);
        assert!(v.is_pass(), "{v:?}");
        assert_eq!(v.related()[0].path.as_ref(), "skaffold.yaml");
    }
}
