//! Skaffold configurations (`skaffold.yaml`): the images a repository builds and deploys itself.
//!
//! A Kubernetes manifest of a Skaffold project names the images it builds by their bare name
//! (`image: checkoutservice`); `skaffold run` builds each `build.artifacts[]` entry, tags it
//! (by its tag policy: the git commit by default) and rewrites every manifest reference whose
//! image name (tag and digest set aside) equals the artifact's `image` into the reference it
//! built and, when pushed, its digest. Such a reference is therefore not an image pulled from a
//! registry as written, and the Dockerfile the artifact is built from is the image that runs.
//!
//! What is read, and what is not:
//! - every YAML document of the file whose `apiVersion` starts with `skaffold/` (a file may hold
//!   several configurations); its `build.artifacts[]` with `image`, `context` (default `.`,
//!   relative to the configuration's folder) and, for the `docker` builder (the default when no
//!   other builder is named), `docker.dockerfile` (default `Dockerfile`, relative to the context)
//!   and `docker.target`;
//! - profiles are not applied to what the configuration builds: `skaffold run` without `-p` uses
//!   it as written, and a profile that replaces an artifact's Dockerfile is a variant a person
//!   asks for; but an image that only a profile builds (`profiles[].build.artifacts`, a
//!   `development` profile activated by `skaffold dev`) is an artifact too, since the manifests
//!   that profile deploys name it bare;
//! - the artifact applies to the manifests under the configuration's folder (a Skaffold project
//!   deploys manifests of its own folder; `requires` pulls in other folders' configurations,
//!   which are read from their own files).
//!
//! The YAML is read with the parser every manifest goes through ([`crate::yaml`]), so locations
//! are the same as elsewhere; an artifact without `image` is a located diagnostic.

use crate::yaml::{self, Node};
use std::sync::Arc;
use vigie_core::{DiagKind, Diagnostic, Location};

/// One image Skaffold builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// `build.artifacts[].image`: the name manifests use, which Skaffold replaces when it deploys.
    pub image: String,
    /// The configuration's folder, relative to the root (`""` for the root): the manifests under
    /// it are those whose references Skaffold rewrites.
    pub scope: String,
    /// Where `image:` is written.
    pub at: Location,
    /// The builder (`docker`, `ko`, `jib`, `buildpacks`, `bazel`, `custom`…).
    pub builder: String,
    /// For the `docker` builder, the Dockerfile built, relative to the root; `None` for other
    /// builders, or when the path leaves the repository.
    pub dockerfile: Option<String>,
    /// `docker.target`: the stage built.
    pub target: Option<String>,
}

/// The builders an artifact may name besides `docker`.
const BUILDERS: &[&str] = &["ko", "jib", "buildpacks", "bazel", "custom", "kaniko"];

/// Whether a file name is a Skaffold configuration's (`skaffold.yaml`, `skaffold.yml`,
/// `skaffold-NAME.yaml`).
pub fn is_config(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return false;
    };
    stem == "skaffold" || stem.starts_with("skaffold-") || stem.starts_with("skaffold.")
}

/// Whether a YAML document is a Skaffold configuration (`apiVersion: skaffold/…`).
fn is_skaffold_document(root: &Node) -> bool {
    root.get("apiVersion")
        .and_then(Node::as_str)
        .is_some_and(|v| v.starts_with("skaffold/"))
}

/// The artifacts of one Skaffold configuration file at `path` (relative to the root), with what
/// reading it said. A file that holds no Skaffold document yields nothing.
pub fn artifacts(path: &Arc<str>, text: &str) -> (Vec<Artifact>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diagnostics = Vec::new();
    let stream = yaml::parse(text);
    let folder = path.rfind('/').map_or("", |i| &path[..i]);
    let at = |n: &Node| Location::new(path.clone(), n.pos.line, n.pos.col);
    for d in &stream.documents {
        let root = &d.root;
        if !is_skaffold_document(root) {
            continue;
        }
        // the configuration's own artifacts, then those only a profile builds (an image a
        // profile builds under the same name as the configuration is the configuration's)
        let own = root
            .path(&["build", "artifacts"])
            .map(Node::items)
            .unwrap_or(&[]);
        let own_names: Vec<&str> = own
            .iter()
            .filter_map(|a| a.get("image").and_then(Node::as_str))
            .map(str::trim)
            .collect();
        let mut from_profiles: Vec<&Node> = Vec::new();
        for p in root.get("profiles").map(Node::items).unwrap_or(&[]) {
            for a in p
                .path(&["build", "artifacts"])
                .map(Node::items)
                .unwrap_or(&[])
            {
                let name = a.get("image").and_then(Node::as_str).map(str::trim);
                let known = |n: &str| {
                    own_names.contains(&n)
                        || from_profiles.iter().any(|b| {
                            b.get("image").and_then(Node::as_str).map(str::trim) == Some(n)
                        })
                };
                if name.is_none_or(|n| !known(n)) {
                    from_profiles.push(a);
                }
            }
        }
        for a in own.iter().chain(from_profiles) {
            let Some(image) = a.get("image") else {
                diagnostics.push(Diagnostic::new(
                    DiagKind::Config,
                    at(a),
                    "Skaffold artifact without `image`: Skaffold refuses it, and vigie cannot tell which manifests it deploys",
                ));
                continue;
            };
            let Some(name) = image.as_str().filter(|s| !s.trim().is_empty()) else {
                diagnostics.push(Diagnostic::new(
                    DiagKind::Config,
                    at(image),
                    "Skaffold artifact whose `image` is not a name",
                ));
                continue;
            };
            let context = a.get("context").and_then(Node::as_str).unwrap_or(".");
            let builder = BUILDERS
                .iter()
                .find(|b| a.get(b).is_some())
                .copied()
                .unwrap_or("docker");
            let (dockerfile, target) = if builder == "docker" {
                let docker = a.get("docker");
                let file = docker
                    .and_then(|d| d.get("dockerfile"))
                    .and_then(Node::as_str)
                    .unwrap_or("Dockerfile");
                let target = docker
                    .and_then(|d| d.get("target"))
                    .and_then(Node::as_str)
                    .map(str::to_string);
                // an absolute context or Dockerfile is outside the repository
                let inside = !context.starts_with('/') && !file.starts_with('/');
                (
                    crate::compose::join(folder, &format!("{context}/{file}")).filter(|_| inside),
                    target,
                )
            } else {
                (None, None)
            };
            out.push(Artifact {
                image: name.trim().to_string(),
                scope: folder.to_string(),
                at: at(image),
                builder: builder.to_string(),
                dockerfile,
                target,
            });
        }
    }
    // invalid YAML is reported where the file is read as a manifest (it names `apiVersion` and
    // `kind`), once; the artifacts before the error are read
    (out, diagnostics)
}

/// What one Skaffold configuration deploys with Kustomize, and the configurations it requires:
/// enough to know which kustomizations one `skaffold run` or `skaffold dev` applies together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deploys {
    /// `metadata.name`, which `requires[].configs` selects by.
    pub name: Option<String>,
    /// The configurations it requires (a `git:` requirement is not followed).
    pub requires: Vec<Require>,
    /// The kustomization folders it deploys without a profile (relative to the root);
    /// `manifests.kustomize.paths` (`deploy.kustomize.paths` in older schemas), `.` when
    /// `kustomize` is named without paths.
    pub kustomize: Vec<String>,
    /// Per profile, the folders it deploys instead, `None` when the profile keeps the
    /// configuration's (a profile replaces the fields it sets).
    pub profiles: Vec<(String, Option<Vec<String>>)>,
}

/// A configuration another one requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Require {
    /// The file, relative to the root (`path:` names a file, or a folder's `skaffold.yaml`;
    /// none names the requiring file itself); `None` when the path leaves the repository.
    pub file: Option<String>,
    /// The names of the configurations selected in it, all when empty.
    pub configs: Vec<String>,
    /// The line of the `requires` entry.
    pub line: u32,
}

/// The kustomization folders a configuration node (or a profile) names, relative to the root.
fn kustomize_paths(node: &Node, folder: &str) -> Option<Vec<String>> {
    let k = node
        .path(&["manifests", "kustomize"])
        .or_else(|| node.path(&["deploy", "kustomize"]))?;
    let paths: Vec<String> = match k.get("paths") {
        Some(p) => p
            .items()
            .iter()
            .filter_map(Node::as_str)
            .filter(|p| !p.starts_with('/') && !p.contains("://"))
            .filter_map(|p| crate::compose::join(folder, p))
            .collect(),
        None => vec![folder.to_string()],
    };
    Some(paths)
}

/// The deployments of one Skaffold configuration file at `path` (relative to the root), one per
/// Skaffold document it holds.
pub fn deploys(path: &str, text: &str) -> Vec<Deploys> {
    let folder = path.rfind('/').map_or("", |i| &path[..i]);
    let mut out = Vec::new();
    for d in &yaml::parse(text).documents {
        let root = &d.root;
        if !is_skaffold_document(root) {
            continue;
        }
        let requires = root
            .get("requires")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter(|r| r.get("git").is_none())
            .map(|r| {
                let file = match r.get("path").and_then(Node::as_str) {
                    Some(p) if p.ends_with(".yaml") || p.ends_with(".yml") => {
                        crate::compose::join(folder, p)
                    }
                    Some(p) => crate::compose::join(folder, &format!("{p}/skaffold.yaml")),
                    None => Some(path.to_string()),
                };
                let configs = r
                    .get("configs")
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(Node::as_str)
                    .map(str::to_string)
                    .collect();
                Require {
                    file,
                    configs,
                    line: r.pos.line,
                }
            })
            .collect();
        let profiles = root
            .get("profiles")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|p| {
                let name = p.get("name").and_then(Node::as_str)?;
                Some((name.to_string(), kustomize_paths(p, folder)))
            })
            .collect();
        out.push(Deploys {
            name: root
                .path(&["metadata", "name"])
                .and_then(Node::as_str)
                .map(str::to_string),
            requires,
            kustomize: kustomize_paths(root, folder).unwrap_or_default(),
            profiles,
        });
    }
    out
}

impl Artifact {
    /// Whether the manifest file `manifest` (relative to the root) is under the configuration's
    /// folder, where Skaffold rewrites references to this artifact.
    pub fn in_scope(&self, manifest: &str) -> bool {
        self.scope.is_empty()
            || manifest
                .strip_prefix(self.scope.as_str())
                .is_some_and(|r| r.starts_with('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// image, Dockerfile, target, builder, line
    type Row<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a str, u32);

    fn read(path: &str, text: &str) -> (Vec<Artifact>, Vec<Diagnostic>) {
        artifacts(&Arc::from(path), text)
    }

    #[test]
    fn artifacts_with_their_dockerfiles() {
        let text = "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n  - image: web\n    context: src/web\n  - image: cart\n    context: src/cart/src\n    docker:\n      dockerfile: ../Dockerfile.prod\n      target: runtime\n  - image: echo\n    ko:\n      fromImage: gcr.io/distroless/static:nonroot\n---\napiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n  - image: load\n";
        let (a, d) = read("apps/skaffold.yaml", text);
        assert!(d.is_empty(), "{d:?}");
        let got: Vec<Row<'_>> = a
            .iter()
            .map(|a| {
                (
                    a.image.as_str(),
                    a.dockerfile.as_deref(),
                    a.target.as_deref(),
                    a.builder.as_str(),
                    a.at.line,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("web", Some("apps/src/web/Dockerfile"), None, "docker", 5),
                (
                    "cart",
                    Some("apps/src/cart/Dockerfile.prod"),
                    Some("runtime"),
                    "docker",
                    7
                ),
                ("echo", None, None, "ko", 12),
                ("load", Some("apps/Dockerfile"), None, "docker", 20),
            ]
        );
        assert!(a[0].in_scope("apps/k8s/web.yaml"));
        assert!(!a[0].in_scope("apps2/web.yaml"));
        assert!(!a[0].in_scope("web.yaml"));
    }

    #[test]
    fn images_only_a_profile_builds_are_artifacts() {
        let text = "apiVersion: skaffold/v4beta1\nkind: Config\nbuild:\n  artifacts:\n  - image: web\nprofiles:\n- name: development\n  build:\n    artifacts:\n    - image: accounts-db\n      context: db\n    - image: web\n      docker:\n        dockerfile: Dockerfile.debug\n- name: other\n  build:\n    artifacts:\n    - image: accounts-db\n";
        let (a, d) = read("src/accounts/skaffold.yaml", text);
        assert!(d.is_empty(), "{d:?}");
        let got: Vec<(&str, Option<&str>)> = a
            .iter()
            .map(|x| (x.image.as_str(), x.dockerfile.as_deref()))
            .collect();
        // `web` as the configuration builds it, `accounts-db` once, from the first profile
        assert_eq!(
            got,
            vec![
                ("web", Some("src/accounts/Dockerfile")),
                ("accounts-db", Some("src/accounts/db/Dockerfile")),
            ]
        );
    }

    #[test]
    fn other_yaml_and_bad_artifacts() {
        let (a, d) = read("skaffold.yaml", "apiVersion: v1\nkind: ConfigMap\n");
        assert!(a.is_empty() && d.is_empty());
        let text = "apiVersion: skaffold/v2beta26\nkind: Config\nbuild:\n  artifacts:\n  - context: .\n  - image: [x]\n  - image: up\n    context: ../../..\n";
        let (a, d) = read("skaffold.yaml", text);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!((d[0].location.line, d[1].location.line), (5, 6));
        // a context that leaves the repository builds no Dockerfile of it
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].dockerfile, None);
        assert!(a[0].in_scope("k8s/up.yaml"));
    }

    #[test]
    fn what_each_profile_deploys_with_kustomize() {
        let text = "apiVersion: skaffold/v4beta1\nkind: Config\nmetadata:\n  name: ledger\nrequires:\n- configs: [ledger-db]\n  path: ../db\n- path: ../../skaffold-e2e.yaml\n- git:\n    repo: https://example.com/x\nmanifests:\n  kustomize:\n    paths: [k8s/base]\nprofiles:\n- name: development\n  manifests:\n    kustomize:\n      paths:\n      - k8s/overlays/development\n      - ../../iac/overlays/development\n- name: gcb\n  build: {}\n---\napiVersion: skaffold/v2beta29\nkind: Config\ndeploy:\n  kustomize: {}\n";
        let d = deploys("src/ledger/skaffold.yaml", text);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].name.as_deref(), Some("ledger"));
        let required: Vec<(Option<&str>, &[String], u32)> = d[0]
            .requires
            .iter()
            .map(|r| (r.file.as_deref(), r.configs.as_slice(), r.line))
            .collect();
        assert_eq!(
            required,
            vec![
                (
                    Some("src/db/skaffold.yaml"),
                    &["ledger-db".to_string()][..],
                    6
                ),
                (Some("skaffold-e2e.yaml"), &[][..], 8),
            ]
        );
        assert_eq!(d[0].kustomize, vec!["src/ledger/k8s/base"]);
        assert_eq!(
            d[0].profiles,
            vec![
                (
                    "development".to_string(),
                    Some(vec![
                        "src/ledger/k8s/overlays/development".to_string(),
                        "iac/overlays/development".to_string()
                    ])
                ),
                ("gcb".to_string(), None),
            ]
        );
        // an older schema's `deploy.kustomize` without paths deploys the configuration's folder
        assert_eq!(d[1].kustomize, vec!["src/ledger"]);
        assert!(deploys("skaffold.yaml", "apiVersion: v1\nkind: List\n").is_empty());
    }

    #[test]
    fn config_names() {
        for (n, ok) in [
            ("skaffold.yaml", true),
            ("x/skaffold.yml", true),
            ("skaffold-dev.yaml", true),
            ("myskaffold.yaml", false),
            ("skaffold.json", false),
        ] {
            assert_eq!(is_config(n), ok, "{n}");
        }
    }
}
