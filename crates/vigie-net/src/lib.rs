//! vigie-net: who can reach what on a container platform.
//!
//! Compose projects and Kubernetes objects are lowered into one [`Graph`] of workloads, the
//! groups they live in (Compose networks, Kubernetes namespaces), their exposures to the
//! outside world and the flows allowed between them ([`compose`], [`k8s`]); [`roles`] says
//! which workloads are databases, proxies, the API and the entry points; [`controls`] judges
//! NET-01 … NET-04 on the graph; [`render`] draws it (DOT, Mermaid, SVG, HTML).

// Index loops walk several arrays indexed by workload at once; tuples of lowered facts stay local.
#![allow(
    clippy::needless_range_loop,
    clippy::type_complexity,
    clippy::collapsible_if
)]

#[cfg(feature = "analyzer")]
pub mod analyzer;
mod checks;
pub mod compose;
pub mod controls;
pub mod k8s;
pub mod load;
pub mod model;
pub mod render;
pub mod roles;
pub mod selector;

#[cfg(feature = "analyzer")]
pub use analyzer::ANALYZER;
pub use controls::{CHECKS, Judged, Table, judge};
pub use k8s::Pod;
pub use model::Graph;
pub use roles::DeclaredRoles;

use vigie_parse::compose::Project;
use vigie_parse::kubernetes::Object;
use vigie_tls::routing::Mounts;

/// Build the graph of a platform, reading no file beyond the inputs (Traefik's static
/// configuration then comes only from `command` flags).
pub fn build(projects: &[Project], objects: &[Object], declared: &DeclaredRoles) -> Graph {
    let pods = pods_of(objects);
    build_with(
        Graph::default(),
        projects,
        objects,
        &pods.iter().collect::<Vec<_>>(),
        declared,
        &vigie_tls::MemFiles::new(&[]),
    )
}

/// The pods of the workloads among `objects`, in their order.
pub fn pods_of(objects: &[Object]) -> Vec<Pod> {
    objects.iter().flat_map(Pod::all_of).collect()
}

/// Build the graph of a platform, reading the configuration files its services mount
/// (Traefik's static and dynamic configuration); `pods` are the workloads' pods, recorded
/// apart from `objects` ([`record`], [`pods_of`]).
pub fn build_with_files(
    projects: &[Project],
    objects: &[Object],
    pods: &[&Pod],
    declared: &DeclaredRoles,
    files: &dyn Mounts,
) -> Graph {
    build_with(Graph::default(), projects, objects, pods, declared, files)
}

/// Build the graph the checks need: Kubernetes flows only into the workloads that may be
/// databases (see [`Graph::only_into_databases`]); `vigie graph` draws them all. `pods` are
/// workloads' pods recorded apart from `objects` ([`record`]).
pub fn build_for_checks(
    projects: &[Project],
    objects: &[Object],
    pods: &[&Pod],
    declared: &DeclaredRoles,
    files: &dyn Mounts,
) -> Graph {
    let names = declared
        .lists
        .get("database")
        .map(|v| v.iter().map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    let g = Graph {
        only_into_databases: Some(names),
        ..Graph::default()
    };
    build_with(g, projects, objects, pods, declared, files)
}

fn build_with(
    mut g: Graph,
    projects: &[Project],
    objects: &[Object],
    pods: &[&Pod],
    declared: &DeclaredRoles,
    files: &dyn Mounts,
) -> Graph {
    compose::lower(&mut g, projects, files);
    let compose_wids: Vec<model::Wid> = (0..g.workloads.len()).collect();
    k8s::lower(&mut g, objects, pods);
    compose::flows(&mut g, &compose_wids);
    roles::assign(&mut g, declared);
    g.flows.sort_by_key(|f| (f.to, f.from));
    g
}

/// Whether the analysis needs a Kubernetes object as such, and the part of it to keep: the
/// network kinds whole; operators' custom resources (whose pods Services and policies may
/// select without the repository declaring them) trimmed to their metadata and pod fields.
/// The pods of workloads are kept as [`record`]s.
pub fn keep(object: &Object) -> Option<Object> {
    if k8s::NETWORK_KINDS.contains(&object.kind.as_str()) || vigie_tls::ingress::keep(object) {
        return Some(object.clone());
    }
    if !is_operator_resource(object) {
        return None;
    }
    Some(Object {
        file: object.file.clone(),
        api_version: object.api_version.clone(),
        kind: object.kind.clone(),
        name: object.name.clone(),
        namespace: object.namespace.clone(),
        at: object.at.clone(),
        node: load::trim_workload(&object.node),
        sources: object.sources.clone(),
    })
}

/// The pods of a workload object, as compact records.
pub fn record(object: &Object) -> Option<Vec<Pod>> {
    let pods = Pod::all_of(object);
    (!pods.is_empty()).then_some(pods)
}

fn is_operator_resource(object: &Object) -> bool {
    k8s::is_operator_group(vigie_parse::kubernetes::api_group(&object.api_version))
}
