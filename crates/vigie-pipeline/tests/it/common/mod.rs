//! Scan a folder the way the analyzer does, without the scan pipeline.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vigie_core::{SourceFile, Verdict};
use vigie_parse::dockerfile::Dockerfile;
use vigie_parse::kubernetes::Object;
use vigie_pipeline::analyze::{Output, Repo, analyze};

pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        if p.is_dir() {
            walk(root, &p, out);
        } else if let Ok(t) = std::fs::read_to_string(&p) {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, t);
        }
    }
}

pub fn files_of(dir: &Path) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    walk(dir, dir, &mut m);
    m
}

pub fn scan_files(root: &Path, files: &BTreeMap<String, String>, since: Option<&str>) -> Output {
    let mut dockerfiles: Vec<Dockerfile> = Vec::new();
    let mut objects: Vec<Object> = Vec::new();
    let mut runs_workloads = false;
    for (rel, text) in files {
        if rel
            .rsplit('/')
            .next()
            .is_some_and(|n| n == "Dockerfile" || n.ends_with(".Dockerfile"))
        {
            if let Ok(d) = Dockerfile::parse(Arc::new(SourceFile::new(rel.as_str(), text.clone())))
            {
                dockerfiles.push(d);
            }
        } else if rel.ends_with(".yaml") || rel.ends_with(".yml") {
            let s = vigie_parse::yaml::parse(text);
            let docs: Vec<_> = s.documents.into_iter().map(|d| d.root).collect();
            let file: Arc<str> = Arc::from(rel.as_str());
            for o in vigie_parse::kubernetes::objects(&file, docs) {
                runs_workloads |= vigie_parse::kubernetes::PodTemplate::of(&o).is_some();
                if vigie_pipeline::release::enforcement_of_object(&o).is_some() {
                    objects.push(o);
                }
            }
        }
    }
    let read = |p: &str| files.get(p).cloned();
    let repo = Repo {
        root,
        files: files.keys().map(String::as_str).collect(),
        read: &read,
        dockerfiles: &dockerfiles,
        objects: &objects,
        runs_workloads,
        since,
    };
    analyze(&repo)
}

pub fn scan_dir(dir: &Path) -> Output {
    scan_files(dir, &files_of(dir), None)
}

pub fn of<'a>(vs: &'a [Verdict], check: &str) -> Vec<&'a Verdict> {
    vs.iter().filter(|v| v.check == check).collect()
}

pub fn show(vs: &[Verdict]) -> String {
    vs.iter()
        .map(|v| {
            format!(
                "{:?} {} {} @{}:{} — {}",
                v.outcome, v.check, v.subject, v.location.path, v.location.line, v.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
