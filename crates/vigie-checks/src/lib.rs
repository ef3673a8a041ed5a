//! vigie-checks: the checks, pure functions from the platform model (or one typed document) to
//! verdicts, and the registry that lists them.
//!
//! A check is a [`CheckDef`]: its documentation ([`CheckDoc`], written beside its code) and a
//! function that appends verdicts — passes as well as failures, since a compliance report must
//! show why a control is met.

pub mod container;
pub mod pss;
pub mod repo;

mod fields;
pub use fields::container_field;

use std::collections::BTreeSet;
use vigie_core::Verdict;
use vigie_core::catalog::Catalog;
use vigie_core::model::Workload;
use vigie_parse::dockerfile::Dockerfile;
use vigie_parse::kubernetes::Object;

/// What the checks read.
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    /// Every Dockerfile of the repository.
    pub dockerfiles: &'a [Dockerfile],
    /// Every container as it will run (Compose services, Kubernetes containers).
    pub workloads: &'a [Workload],
    /// Every Kubernetes object.
    pub objects: &'a [Object],
    /// Every file of the repository (relative, `/`-separated) with its text when vigie read it:
    /// checks that need to know whether a referenced file exists ask here.
    pub files: &'a dyn FileLookup,
    /// Dockerfiles built by a Compose service (their image is judged through the service).
    pub built_by_compose: &'a BTreeSet<String>,
    /// The images the repository builds with Skaffold: a Dockerfile an artifact builds and no
    /// Compose service builds is run by Kubernetes, and judged through the containers that run
    /// its image.
    pub artifacts: &'a [vigie_parse::skaffold::Artifact],
    /// What several checks derive from the same input, computed once (`Default::default()`).
    pub cache: Cache<'a>,
}

/// Views of the input that several checks share, computed on first use.
#[derive(Default)]
pub struct Cache<'a> {
    /// The pod of each object, for the Pod Security checks.
    pods: std::sync::OnceLock<Vec<Vec<pss::Pod<'a>>>>,
}

impl<'a> Context<'a> {
    /// The pods of each object in [`Context::objects`], in the same order.
    pub(crate) fn pods(&self) -> &[Vec<pss::Pod<'a>>] {
        self.cache
            .pods
            .get_or_init(|| self.objects.iter().map(pss::Pod::all).collect())
    }
}

/// Access to the repository's files by relative path.
pub trait FileLookup: Sync {
    fn exists(&self, path: &str) -> bool;
    /// The file's text, read on demand (bounded by the size limit).
    fn read(&self, path: &str) -> Option<String>;
}

/// One check: its documentation and its judge, a function of the [`Context`].
pub type CheckDef = vigie_core::check::Check<fn(&Context<'_>, &mut Vec<Verdict>)>;

/// Every check of this build, in id order.
pub fn registry() -> Vec<&'static CheckDef> {
    let mut all: Vec<&'static CheckDef> =
        container::CHECKS.iter().chain(pss::CHECKS.iter()).collect();
    all.sort_by(|a, b| a.doc.id.cmp(b.doc.id));
    all
}

/// Run every check on one thread (the caller parallelises across files).
pub fn run_all_sequential(cx: &Context<'_>) -> Vec<Verdict> {
    let mut out = Vec::new();
    for c in registry() {
        (c.judge)(cx, &mut out);
    }
    out
}

/// Run every check, in parallel across checks.
pub fn run_all(cx: &Context<'_>) -> Vec<Verdict> {
    use rayon::prelude::*;
    registry()
        .par_iter()
        .flat_map_iter(|c| {
            let mut out = Vec::new();
            (c.judge)(cx, &mut out);
            out
        })
        .collect()
}
