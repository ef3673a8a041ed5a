//! What the two Pod Security Standards conformance tests share: running the PSS checks on one
//! manifest, and reading a fixture tree whose path names the level and the expectation.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vigie_checks::pss::{CHECKS, Level};
use vigie_checks::{Context, FileLookup};
use vigie_core::Verdict;
use vigie_core::catalog::Catalog;
use vigie_parse::{kubernetes, yaml};

struct NoFiles;

impl FileLookup for NoFiles {
    fn exists(&self, _: &str) -> bool {
        false
    }
    fn read(&self, _: &str) -> Option<String> {
        None
    }
}

/// Every PSS verdict on one manifest, and how many pods it holds.
pub fn judge(path: &str, text: &str) -> Result<(Vec<Verdict>, usize), String> {
    let stream = yaml::parse(text);
    if let Some(e) = stream.error {
        return Err(format!(
            "YAML error at {}:{}: {}",
            e.pos.line, e.pos.col, e.message
        ));
    }
    let objects = kubernetes::objects(
        &Arc::from(path),
        stream.documents.into_iter().map(|d| d.root).collect(),
    );
    let pods = objects
        .iter()
        .filter(|o| kubernetes::PodTemplate::of(o).is_some())
        .count();
    let built = BTreeSet::new();
    let cx = Context {
        catalog: Catalog::embedded(),
        dockerfiles: &[],
        workloads: &[],
        objects: &objects,
        files: &NoFiles,
        built_by_compose: &built,
        artifacts: &[],
        cache: Default::default(),
    };
    let mut out = Vec::new();
    for c in CHECKS {
        (c.judge)(&cx, &mut out);
    }
    Ok((out, pods))
}

/// Every YAML file below `dir`, sorted.
pub fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// The level and expectation a file's path names (the component nearest the file wins).
pub fn classify(rel: &Path) -> (Option<Level>, Option<bool>) {
    let mut level = None;
    let mut pass = None;
    for c in rel.components() {
        match c.as_os_str().to_str() {
            Some("baseline") => level = Some(Level::Baseline),
            Some("restricted") => level = Some(Level::Restricted),
            Some("pass") => pass = Some(true),
            Some("fail") => pass = Some(false),
            _ => {}
        }
    }
    (level, pass)
}
