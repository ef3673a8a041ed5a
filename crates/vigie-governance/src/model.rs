//! What the governance checks read, computed once per scan: the repository, the Kubernetes
//! objects kept and their deployment units, the Terraform files parsed once, the workloads, the
//! logging and monitoring documents, the namespaces' Pod Security policies and the runbook
//! candidates. Each check of `checks/` judges from this model, so a file or an object is read
//! and parsed once however many checks look at it.

use crate::tf::{self, Terraform};
use crate::{Repo, cluster, gov, logging};
use std::ops::Range;
use vigie_parse::kubernetes::Object;

pub(crate) struct Model<'a> {
    pub(crate) repo: &'a Repo<'a>,
    /// Every object kept, of every unit.
    pub(crate) objects: &'a [Object],
    /// The deployment units, as ranges of `objects`.
    pub(crate) units: &'a [Range<usize>],
    pub(crate) tf: Terraform,
    /// The workloads among `objects` (their summaries, see `cluster::keep`).
    pub(crate) workloads: Vec<&'a Object>,
    /// Logging and monitoring configuration: files, and ConfigMap values.
    pub(crate) logging: Vec<logging::Doc>,
    /// Each namespace that has workloads, with the Pod Security labels it declares.
    pub(crate) namespaces: Vec<cluster::NamespacePolicy<'a>>,
    /// The documents that may be runbooks, with their headings.
    pub(crate) runbooks: gov::Runbooks<'a>,
    /// Whether the scanned folder is a git repository (the history checks read it).
    pub(crate) is_git: bool,
}

impl<'a> Model<'a> {
    pub(crate) fn new(
        repo: &'a Repo<'a>,
        objects: &'a [Object],
        units: &'a [Range<usize>],
    ) -> Self {
        let workloads: Vec<&Object> = objects.iter().filter(|o| cluster::is_workload(o)).collect();
        Model {
            repo,
            objects,
            units,
            tf: tf::read(repo),
            namespaces: cluster::namespace_policies(objects, &workloads),
            workloads,
            logging: logging::docs(repo, objects),
            runbooks: gov::runbooks(repo),
            is_git: repo.root.join(".git").exists(),
        }
    }
}
