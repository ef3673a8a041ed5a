//! vigie-kustomize: Kustomize built natively, as `kubectl kustomize DIR` builds it, without
//! `kubectl` — and every field of every built object traced to the file line that set its
//! effective value (the overlay's patch line, not the base's).
//!
//! # API
//!
//! ```no_run
//! let built = vigie_kustomize::build(std::path::Path::new("deploy/overlays/prod"));
//! for o in &built.objects {
//!     let kind = o.node.get("kind").and_then(|k| k.as_str()).unwrap_or("");
//!     let file = &built.files[o.node.pos.src as usize]; // where the object was written
//!     println!("{kind} from {file}");
//! }
//! print!("{}", vigie_kustomize::to_yaml(&built)); // what `kubectl kustomize` prints
//! ```
//!
//! - [`build`] reads the kustomization in a folder and everything it reaches, and returns a
//!   [`Built`]: the objects ([`BuiltObject`], in `kubectl kustomize` output order), the files
//!   read ([`Built::files`], which `Pos::src` of every node indexes), [`Built::included`]
//!   (every kustomization folder and file the build read, so callers know which files belong to
//!   it and are not to be judged again as loose manifests), located diagnostics, and
//!   [`Built::failure`]: the first error for which `kubectl kustomize` would refuse to build.
//!   What can be built is built anyway: a missing resource, a patch matching nothing, a remote
//!   base, a cycle… each is a diagnostic at the line that names it, and the rest completes.
//! - [`to_yaml`] prints the objects as `kubectl kustomize` does (keys sorted, `---` between
//!   documents).
//!
//! # Provenance
//!
//! Each node's `pos` is the file (`pos.src` into [`Built::files`]) and line that wrote the
//! value: a field a strategic-merge patch sets points at the patch line; a field set by a
//! JSON 6902 operation points at the operation's value; a label, annotation, namespace, name
//! prefix, image or replica count set by the kustomization points at that kustomization line;
//! a generated ConfigMap's data points at the literal or at the file it was read from.
//!
//! # Supported
//!
//! `resources` (files, folders, nested kustomizations, `List` objects), `components`,
//! `patches` (strategic merge with Kubernetes' list merge keys and `$patch` directives; JSON
//! 6902 with targets by group, version, kind, name, namespace, label and annotation selector),
//! `patchesStrategicMerge`, `patchesJson6902`, `images`, `namePrefix`/`nameSuffix` with name
//! references updated, `namespace`, `labels`/`commonLabels` (selectors where Kustomize sets
//! them), `commonAnnotations`, `replicas`, `configMapGenerator`/`secretGenerator` (Kustomize's
//! hash suffix and reference rewriting), `generatorOptions`, `replacements`, and `transformers`
//! configuring Kustomize's built-in transformers, `helmCharts` kept in the repository (rendered
//! by `vigie-helm`). Remote resources and charts, `vars` and plugins (`generators`,
//! non-built-in `transformers`) are reported as not built.

mod accumulate;
mod emit;
mod generate;
mod hash;
mod helm;
mod jsonpatch;
mod nameref;
mod plugins;
mod replace;
mod select;
mod smp;
mod transform;
mod tree;

use std::path::{Path, PathBuf};
pub use transform::PATCH_MATCHES_NOTHING;
use vigie_core::Diagnostic;
use vigie_parse::yaml::Node;

/// The result of building one kustomization.
#[derive(Debug, Default)]
pub struct Built {
    /// The objects, in `kubectl kustomize` output order.
    pub objects: Vec<BuiltObject>,
    /// Paths of the files read, indexed by `Pos::src` (the folder given to [`build`] joined
    /// with relative paths, so they are relative when it is).
    pub files: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// What `kubectl kustomize` would print as its error when it would refuse to build (the
    /// first such problem met); the objects that could be built are still returned.
    pub failure: Option<String>,
    /// Every kustomization folder and every file the build read (resources, patches,
    /// generator sources), in the order first reached.
    pub included: Vec<PathBuf>,
}

/// One built object.
#[derive(Debug, Clone)]
pub struct BuiltObject {
    /// The object; positions point at the line that set each value (see the crate doc).
    pub node: Node,
}

/// Build the kustomization in folder `dir` as `kubectl kustomize DIR` does.
pub fn build(dir: &Path) -> Built {
    accumulate::build(dir)
}

/// The objects printed as `kubectl kustomize` prints them.
pub fn to_yaml(built: &Built) -> String {
    let docs: Vec<String> = built
        .objects
        .iter()
        .map(|o| emit::document(&o.node))
        .collect();
    docs.join("---\n")
}
