//! Running the analysis on files held in memory, for tests.

use super::*;
use std::collections::BTreeMap;
use vigie_core::CheckDoc;

/// Analyze a set of files: Compose files are loaded as one project each, Kubernetes YAML read
/// into objects.
pub fn analyze_files(files: &[(&str, &str)]) -> Output {
    let map: BTreeMap<String, String> = files.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect();
    let read = move |p: &str| map.get(p).cloned();
    let rels: Vec<Arc<str>> = files.iter().map(|(p, _)| Arc::from(*p)).collect();
    let compose: Vec<Project> = files
        .iter()
        .filter(|(p, _)| vigie_parse::compose::is_compose_name(p.rsplit('/').next().unwrap_or(p)))
        .map(|(p, _)| vigie_parse::compose::load(&[p.to_string()], &read))
        .collect();
    let mut objects = Vec::new();
    for (p, t) in files {
        if (p.ends_with(".yaml") || p.ends_with(".yml")) && t.contains("kind:") && !vigie_parse::compose::is_compose_name(p) {
            let docs = vigie_parse::yaml::parse(t).documents.into_iter().map(|d| d.root).collect();
            objects.extend(
                vigie_parse::kubernetes::objects(&Arc::from(*p), docs)
                    .into_iter()
                    .filter(checks::net05::is_backend_config),
            );
        }
    }
    analyze(&Input { files: &rels, read: &read, compose: &compose, objects: &objects })
}

pub fn of<'a>(out: &'a Output, check: &str) -> Vec<&'a Verdict> {
    out.verdicts.iter().filter(|v| v.check == check).collect()
}

/// Each check's documented examples: the failing one fails it, the passing one passes it and
/// does not fail it.
pub fn assert_examples(doc: &CheckDoc) {
    let f = analyze_files(&[doc.failing]);
    let vs = of(&f, doc.id);
    assert!(vs.iter().any(|v| v.is_fail()), "{}: failing example does not fail: {vs:?} {:?}", doc.id, f.diagnostics);
    let p = analyze_files(&[doc.passing]);
    let vs = of(&p, doc.id);
    assert!(!vs.is_empty() && vs.iter().all(|v| v.is_pass()), "{}: passing example: {vs:?} {:?}", doc.id, p.diagnostics);
}

#[test]
fn every_example_fails_and_passes_as_documented() {
    for doc in ALL {
        assert_examples(doc);
    }
}
