#![allow(dead_code)]

use std::sync::Arc;
use vigie_net::model::{ExposureKind, Graph, Wid};
use vigie_net::{DeclaredRoles, Judged};
use vigie_parse::compose;
use vigie_parse::kubernetes::{self, Object};
use vigie_parse::yaml;

pub fn projects(files: &[(&str, &str)]) -> Vec<compose::Project> {
    let owned: Vec<(String, String)> = files
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let reader = move |p: &str| owned.iter().find(|(n, _)| n == p).map(|(_, t)| t.clone());
    let names: Vec<String> = files.iter().map(|(n, _)| n.to_string()).collect();
    compose::group_projects(&names, &[])
        .iter()
        .map(|g| compose::load(g, &reader))
        .collect()
}

/// Every object of a manifest, none left out (see [`objects`] for what the analysis keeps).
pub fn every_object(path: &str, text: &str) -> Vec<Object> {
    let s = yaml::parse(text);
    assert!(s.error.is_none(), "{:?}", s.error);
    let path: Arc<str> = Arc::from(path);
    kubernetes::objects(&path, s.documents.into_iter().map(|d| d.root).collect())
}

pub fn objects(path: &str, text: &str) -> Vec<Object> {
    let s = yaml::parse(text);
    assert!(s.error.is_none(), "{:?}", s.error);
    let path: Arc<str> = Arc::from(path);
    kubernetes::objects(&path, s.documents.into_iter().map(|d| d.root).collect())
        .iter()
        // what the analysis keeps as objects, and the workloads it records as pods (which
        // `build` derives from the objects with the same code)
        .filter_map(|o| vigie_net::keep(o).or_else(|| vigie_net::record(o).map(|_| o.clone())))
        .collect()
}

pub fn roles(toml: &str) -> DeclaredRoles {
    let mut d = Vec::new();
    let r = DeclaredRoles::parse("vigie.toml", toml, &mut d);
    assert!(d.is_empty(), "{d:?}");
    r
}

pub fn compose_graph(text: &str) -> Graph {
    vigie_net::build(
        &projects(&[("docker-compose.yml", text)]),
        &[],
        &DeclaredRoles::default(),
    )
}

pub fn k8s_graph(text: &str) -> Graph {
    vigie_net::build(&[], &objects("k8s.yaml", text), &DeclaredRoles::default())
}

pub fn id(g: &Graph, name: &str) -> Wid {
    g.workloads
        .iter()
        .position(|w| w.name == name || format!("{}/{}", w.group, w.name) == name)
        .unwrap_or_else(|| panic!("no workload {name}"))
}

/// The ports of the flow from `a` to `b`, `None` when no flow.
pub fn reach(g: &Graph, a: &str, b: &str) -> Option<String> {
    let (a, b) = (id(g, a), id(g, b));
    g.flows
        .iter()
        .find(|f| f.to == b && f.sources().any(|s| s == a))
        .map(|f| f.ports.to_string())
}

pub fn exposed(g: &Graph, name: &str) -> Vec<ExposureKind> {
    let w = id(g, name);
    g.exposures
        .iter()
        .filter(|e| e.target == w)
        .map(|e| e.kind)
        .collect()
}

pub fn diags(g: &Graph) -> Vec<String> {
    g.diagnostics
        .iter()
        .map(|d| format!("{} {}", d.location, d.message))
        .collect()
}

pub fn verdict<'a>(j: &'a Judged, check: &str, subject_tail: &str) -> &'a vigie_core::Verdict {
    j.verdicts
        .iter()
        .map(|(_, v)| v)
        .find(|v| v.check == check && (v.subject.ends_with(subject_tail)))
        .unwrap_or_else(|| {
            panic!(
                "no {check} verdict on {subject_tail}: {:?}",
                j.verdicts
                    .iter()
                    .map(|(_, v)| (v.check, v.subject.to_string()))
                    .collect::<Vec<_>>()
            )
        })
}
