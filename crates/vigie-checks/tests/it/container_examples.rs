//! The container checks on the example platforms in `examples/`: the hardened variants have no
//! container finding, the gaps variants show each of their known gaps.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vigie_checks::{Context, FileLookup};
use vigie_core::catalog::Catalog;
use vigie_core::{SourceFile, Verdict};
use vigie_parse::dockerfile::Dockerfile;
use vigie_parse::{compose, kubernetes, yaml};

struct Files(BTreeMap<String, String>);

impl FileLookup for Files {
    fn exists(&self, path: &str) -> bool {
        self.0.contains_key(path)
    }
    fn read(&self, path: &str) -> Option<String> {
        self.0.get(path).cloned()
    }
}

fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, root, out);
        } else if let (Ok(t), Ok(rel)) = (std::fs::read_to_string(&p), p.strip_prefix(root)) {
            out.insert(rel.to_string_lossy().replace('\\', "/"), t);
        }
    }
}

fn name_of(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// Every container verdict on one example.
fn scan(example: &str) -> Vec<Verdict> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(example);
    let mut files = BTreeMap::new();
    walk(&root, &root, &mut files);
    assert!(!files.is_empty(), "{} is empty", root.display());
    let catalog = Catalog::embedded();
    let dockerfiles: Vec<Dockerfile> = files
        .iter()
        .filter(|(p, _)| name_of(p) == "Dockerfile")
        .map(|(p, t)| {
            Dockerfile::parse(Arc::new(SourceFile::new(p.as_str(), t.clone())))
                .unwrap_or_else(|e| panic!("{p}:{}: {}", e.line, e.message))
        })
        .collect();
    let mut workloads = Vec::new();
    let mut built = BTreeSet::new();
    let compose_files: Vec<String> = files
        .keys()
        .filter(|p| compose::is_compose_name(name_of(p)))
        .cloned()
        .collect();
    let map: HashMap<&str, &Dockerfile> = dockerfiles.iter().map(|d| (&*d.path, d)).collect();
    for project in compose::group_projects(&compose_files, &[]) {
        let read = |p: &str| files.get(p).cloned();
        let p = compose::load(&project, &read);
        let lowered = compose::lower(&p, &map, catalog);
        workloads.extend(lowered.workloads);
        built.extend(lowered.builds);
    }
    let mut objects = Vec::new();
    for (p, t) in files.iter().filter(|(p, _)| {
        (p.ends_with(".yaml") || p.ends_with(".yml")) && !compose::is_compose_name(name_of(p))
    }) {
        let s = yaml::parse(t);
        objects.extend(kubernetes::objects(
            &Arc::from(p.as_str()),
            s.documents.into_iter().map(|d| d.root).collect(),
        ));
    }
    for o in &objects {
        workloads.extend(kubernetes::workloads(o, catalog));
    }
    let files = Files(files);
    let cx = Context {
        catalog,
        dockerfiles: &dockerfiles,
        workloads: &workloads,
        objects: &objects,
        files: &files,
        built_by_compose: &built,
        artifacts: &[],
        cache: Default::default(),
    };
    let mut out = Vec::new();
    for c in vigie_checks::container::CHECKS {
        (c.judge)(&cx, &mut out);
    }
    out
}

fn failures(vs: &[Verdict]) -> Vec<String> {
    vs.iter()
        .filter(|v| v.is_fail())
        .map(|v| format!("{} {} at {}: {}", v.check, v.subject, v.location, v.message))
        .collect()
}

#[test]
fn hardened_examples_have_no_container_finding() {
    for ex in ["compose-hardened", "k8s-hardened"] {
        let vs = scan(ex);
        assert!(vs.len() > 50, "{ex}: only {} verdicts", vs.len());
        let f = failures(&vs);
        assert!(f.is_empty(), "{ex}:\n{}", f.join("\n"));
    }
}

#[test]
fn gaps_examples_show_their_gaps() {
    for (ex, expected) in [
        (
            "compose-gaps",
            &[
                "CNT-01", "CNT-02", "CNT-03", "CNT-04", "CNT-05.1", "CNT-05.2", "CNT-05.3",
                "CNT-06.1", "CNT-06.2", "CNT-07", "CNT-08.1", "CNT-08.2", "CNT-08.3", "CNT-08.4",
                "CNT-09", "CNT-10.1", "CNT-10.2", "CNT-10.3", "CNT-10.4", "CNT-10.5", "CNT-10.6",
                "CNT-10.7",
            ][..],
        ),
        (
            "k8s-gaps",
            &[
                "CNT-01", "CNT-02", "CNT-03", "CNT-04", "CNT-05.1", "CNT-05.2", "CNT-06.1",
                "CNT-07", "CNT-08.1", "CNT-08.2", "CNT-09", "CNT-10.1", "CNT-10.2", "CNT-10.3",
                "CNT-10.4", "CNT-10.5", "CNT-10.6", "CNT-10.7",
            ][..],
        ),
    ] {
        let vs = scan(ex);
        let failed: BTreeSet<&str> = vs.iter().filter(|v| v.is_fail()).map(|v| v.check).collect();
        for id in expected {
            assert!(
                failed.contains(id),
                "{ex}: {id} does not fail:\n{}",
                failures(&vs).join("\n")
            );
        }
        // a secret is never shown in full
        for v in vs.iter().filter(|v| v.check == "CNT-10.5" && v.is_fail()) {
            assert!(!v.message.contains("Sup3rS3cr3t"), "{}", v.message);
        }
    }
}
