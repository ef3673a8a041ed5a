//! Image references (`[registry[:port]/]path[:tag][@algo:hex]`) split the way the Docker
//! reference grammar splits them: a `:` before the last `/` belongs to the registry's port, not
//! to a tag.

use super::stage_subject;
use crate::Context;
use std::collections::BTreeMap;
use vigie_core::Location;
use vigie_core::model::Platform;
use vigie_parse::interp::{Dialect, substitute};

/// An image reference, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry, port and repository path, without tag or digest.
    pub name: &'a str,
    /// The tag, when one is written (possibly empty: `app:`).
    pub tag: Option<&'a str>,
    /// The digest as written after `@`.
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    pub fn parse(reference: &'a str) -> ImageRef<'a> {
        let r = reference.trim();
        let (rest, digest) = match r.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (r, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].find(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        ImageRef { name, tag, digest }
    }

    /// Whether a well-formed content digest pins the reference (`sha256:` and 64 hex digits,
    /// or `sha384:`/`sha512:` with their lengths).
    pub fn pinned(&self) -> bool {
        let Some(d) = self.digest else {
            return false;
        };
        let Some((algo, hex)) = d.split_once(':') else {
            return false;
        };
        let len = match algo {
            "sha256" => 64,
            "sha384" => 96,
            "sha512" => 128,
            _ => return false,
        };
        hex.len() == len && hex.bytes().all(|b| b.is_ascii_hexdigit())
    }

    /// The tag when it is explicit and not `latest`.
    pub fn explicit_tag(&self) -> Option<&'a str> {
        self.tag
            .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("latest"))
    }

    /// Whether variables were left unresolved (the reference cannot be judged as written).
    pub fn unresolved(reference: &str) -> bool {
        reference.contains('$') || reference.trim().is_empty()
    }
}

/// Where an image reference is written, for the fix's syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Platform(Platform),
    Dockerfile,
}

/// One image reference of the repository: a workload's `image` (when it is not built here) or
/// a Dockerfile `FROM` that names an image (not an earlier stage, not `scratch`).
#[derive(Debug, Clone)]
pub struct ImageUse {
    pub subject: std::sync::Arc<str>,
    /// The reference, variables substituted.
    pub reference: String,
    /// The reference as written.
    pub raw: String,
    pub at: Location,
    pub written: Written,
    /// A variable in the reference has no value in the repository.
    pub unresolved: bool,
    /// A Kubernetes reference to an image the repository builds with Skaffold: the artifact's
    /// `image` and where it is written. The deploy replaces the reference as written.
    pub built_by: Option<vigie_core::model::At<String>>,
}

impl ImageUse {
    /// The pass of a reference to an image the repository builds with Skaffold, or `None`.
    /// Skaffold replaces the reference with the image it built at deploy time (`deployed`
    /// says how): what is written is a name, not a pull; the base images of the build are
    /// judged on its Dockerfile.
    pub fn built_here_pass(
        &self,
        doc: &'static vigie_core::CheckDoc,
        deployed: &str,
    ) -> Option<vigie_core::Verdict> {
        let b = self.built_by.as_ref()?;
        Some(
            vigie_core::Verdict::pass(
                doc,
                &self.subject,
                self.at.clone(),
                format!(
                    "the image {} is built by the repository (Skaffold artifact `{}` at {}): Skaffold deploys {deployed}, never as written",
                    self.shown(),
                    b.value,
                    super::short(&b.at)
                ),
            )
            .with_related(Some(b.at.clone())),
        )
    }

    /// `set "image: …"`, `set image: …`, `FROM …`, in the place's own syntax.
    pub fn fix(&self, suggestion: &str) -> String {
        match self.written {
            Written::Platform(Platform::Compose) => format!("set \"image: {suggestion}\""),
            Written::Platform(Platform::Kubernetes) => format!("set image: {suggestion}"),
            Written::Dockerfile => format!("write FROM {suggestion}"),
        }
    }

    /// How the reference is shown in a message.
    pub fn shown(&self) -> String {
        if self.unresolved || self.reference != self.raw {
            format!("`{}` (written `{}`)", self.reference, self.raw)
        } else {
            format!("`{}`", self.reference)
        }
    }
}

/// Every image reference of the repository. A Compose service that builds its image is left
/// out (its Dockerfile's `FROM` is judged instead); a Kubernetes container is always kept: it
/// pulls the reference it writes — even when a pipeline of the repository builds that image —
/// unless a Skaffold artifact builds it, which [`ImageUse::built_by`] then says.
pub fn image_uses(cx: &Context<'_>) -> Vec<ImageUse> {
    let mut out = Vec::new();
    for w in cx
        .workloads
        .iter()
        .filter(|w| w.build.is_none() || w.platform == Platform::Kubernetes)
    {
        if let Some(i) = &w.image {
            out.push(ImageUse {
                subject: w.subject.clone(),
                reference: i.value.trim().to_string(),
                raw: i.value.trim().to_string(),
                at: i.at.clone(),
                written: Written::Platform(w.platform),
                unresolved: ImageRef::unresolved(&i.value),
                built_by: w.built_by.clone(),
            });
        }
    }
    let no_args = BTreeMap::new();
    for d in cx.dockerfiles {
        let vars = d.global_vars(&no_args);
        for s in d.stages.iter().filter(|s| s.base_stage.is_none()) {
            let sub = substitute(&s.from_raw, &vars, Dialect::Dockerfile);
            let reference = d
                .base_image(s.index, &no_args)
                .map_or(sub.text.clone(), |b| b.value);
            if reference.trim().eq_ignore_ascii_case("scratch") {
                continue;
            }
            out.push(ImageUse {
                subject: stage_subject(d, s).into(),
                unresolved: !sub.unresolved.is_empty()
                    || !sub.required.is_empty()
                    || reference.trim().is_empty(),
                reference: reference.trim().to_string(),
                raw: s.from_raw.clone(),
                at: s.from_at.clone(),
                written: Written::Dockerfile,
                built_by: None,
            });
        }
    }
    out
}

/// Join Kubernetes containers with the Skaffold artifacts that build their images: a container
/// of a manifest under an artifact's configuration folder, whose image name (tag and digest set
/// aside, as Skaffold matches them) is the artifact's `image`, runs the image Skaffold built.
/// It gets [`Workload::built_by`]; when the artifact builds a Dockerfile of the repository, also
/// [`Workload::build`] and, unless `runAsUser` sets the user, the user of the stage built (the
/// `USER` of the Dockerfile is then what the container runs as, as for a Compose build).
///
/// [`Workload::built_by`]: vigie_core::model::Workload::built_by
/// [`Workload::build`]: vigie_core::model::Workload::build
pub fn join_artifacts(
    workloads: &mut [vigie_core::model::Workload],
    artifacts: &[vigie_parse::skaffold::Artifact],
    dockerfiles: &[vigie_parse::dockerfile::Dockerfile],
    catalog: &vigie_core::catalog::Catalog,
) {
    use vigie_core::model::At;
    if artifacts.is_empty() {
        return;
    }
    for w in workloads
        .iter_mut()
        .filter(|w| w.platform == Platform::Kubernetes)
    {
        let Some(name) = pulled_name(w) else {
            continue;
        };
        let Some(a) = artifacts
            .iter()
            .find(|a| a.image == name && a.in_scope(&w.origin.path))
        else {
            continue;
        };
        w.built_by = Some(At::new(a.image.clone(), a.at.clone()));
        if let Some(dockerfile) = a.dockerfile.as_deref() {
            run_build(
                w,
                dockerfile,
                a.target.as_deref(),
                &a.at,
                dockerfiles,
                catalog,
            );
        }
    }
}

/// The container runs the image built from `dockerfile` (its stage `target`), as the build at
/// `at` says: it gets [`Workload::build`] and, unless `runAsUser` sets the user, the user of the
/// stage built. Nothing changes when the Dockerfile is not one of the scan's.
///
/// [`Workload::build`]: vigie_core::model::Workload::build
fn run_build(
    w: &mut vigie_core::model::Workload,
    dockerfile: &str,
    target: Option<&str>,
    at: &Location,
    dockerfiles: &[vigie_parse::dockerfile::Dockerfile],
    catalog: &vigie_core::catalog::Catalog,
) {
    use vigie_core::model::{BuildRef, UserSource};
    let Some(d) = dockerfiles.iter().find(|d| *d.path == *dockerfile) else {
        return;
    };
    let Some(stage) = d.target_stage(target) else {
        return;
    };
    w.build = Some(BuildRef {
        dockerfile: d.path.clone(),
        target: target.map(str::to_string),
        at: at.clone(),
    });
    if !matches!(w.user, UserSource::Runtime(_)) {
        w.user = d.image_user(stage, &BTreeMap::new(), catalog, at);
    }
}

/// The image name (tag and digest set aside) a container pulls, when its reference is resolved.
fn pulled_name(w: &vigie_core::model::Workload) -> Option<String> {
    let image = w.image.as_ref()?;
    if ImageRef::unresolved(&image.value) {
        return None;
    }
    Some(ImageRef::parse(&image.value).name.to_string())
}

/// An image name as registries resolve it: Docker Hub's implicit host and `library/` set aside,
/// lower case.
fn canonical_name(name: &str) -> String {
    let n = name.to_ascii_lowercase();
    let n = n
        .strip_prefix("docker.io/")
        .or_else(|| n.strip_prefix("index.docker.io/"))
        .unwrap_or(&n);
    n.strip_prefix("library/").unwrap_or(n).to_string()
}

/// Join Kubernetes containers with the images the repository's pipelines build and push: a
/// container whose image name (tag and digest set aside) is a name a pipeline pushes runs what
/// that pipeline's Dockerfile builds — its `USER` is the container's user unless the manifest
/// sets one. Unlike a Skaffold artifact, the reference is deployed as written, so the image
/// checks still judge it ([`Workload::built_by`] stays unset). A name two builds push from
/// different Dockerfiles is ambiguous and joins nothing.
///
/// [`Workload::built_by`]: vigie_core::model::Workload::built_by
pub fn join_pipeline_builds(
    workloads: &mut [vigie_core::model::Workload],
    builds: &[vigie_core::model::BuiltImage],
    dockerfiles: &[vigie_parse::dockerfile::Dockerfile],
    catalog: &vigie_core::catalog::Catalog,
) {
    if builds.is_empty() {
        return;
    }
    for w in workloads
        .iter_mut()
        .filter(|w| w.platform == Platform::Kubernetes && w.build.is_none())
    {
        let Some(name) = pulled_name(w).map(|n| canonical_name(&n)) else {
            continue;
        };
        let mut matching = builds.iter().filter(|b| canonical_name(&b.name) == name);
        let Some(b) = matching.next() else {
            continue;
        };
        if matching.any(|o| o.dockerfile != b.dockerfile || o.target != b.target) {
            continue;
        }
        run_build(
            w,
            &b.dockerfile,
            b.target.as_deref(),
            &b.at,
            dockerfiles,
            catalog,
        );
    }
}

/// A digest shortened for messages: `sha256:0123456789ab…`.
pub fn short_digest(d: &str) -> String {
    match d.split_once(':') {
        Some((algo, hex)) if hex.chars().count() > 12 => {
            format!("{algo}:{}…", hex.chars().take(12).collect::<String>())
        }
        _ => d.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::ImageRef;

    #[test]
    fn references_split_like_the_docker_grammar() {
        let r = ImageRef::parse("localhost:5000/app");
        assert_eq!(
            (r.name, r.tag, r.digest),
            ("localhost:5000/app", None, None)
        );
        let r = ImageRef::parse("localhost:5000/team/app:1.2");
        assert_eq!((r.name, r.tag), ("localhost:5000/team/app", Some("1.2")));
        let d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let s = format!("node@{d}");
        let r = ImageRef::parse(&s);
        assert_eq!((r.name, r.tag, r.digest), ("node", None, Some(d)));
        assert!(r.pinned());
        let s = format!("ghcr.io/o/node:20-alpine@{d}");
        let r = ImageRef::parse(&s);
        assert_eq!((r.name, r.tag), ("ghcr.io/o/node", Some("20-alpine")));
        assert!(r.pinned());
        assert!(!ImageRef::parse("node@sha256:abc").pinned());
        assert_eq!(ImageRef::parse("node:latest").explicit_tag(), None);
        assert_eq!(ImageRef::parse("node:").explicit_tag(), None);
        assert_eq!(ImageRef::parse("node").explicit_tag(), None);
        assert_eq!(ImageRef::parse("node:20").explicit_tag(), Some("20"));
        assert_eq!(
            super::short_digest("sha256:ééééééééééééééé"),
            "sha256:éééééééééééé…"
        );
        assert_eq!(ImageRef::parse("é:é/ü:1").tag, Some("1"));
    }
}
