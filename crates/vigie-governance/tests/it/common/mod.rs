//! Scan a temporary folder the way `vigie scan` feeds the analysis: every file, Kubernetes
//! objects trimmed by `keep`, Compose projects loaded and merged.

use std::path::{Path, PathBuf};
use vigie_core::catalog::Catalog;
use vigie_core::{Outcome, Verdict};
use vigie_governance::{Out, Repo, ScmSettings, analyze, keep};
use vigie_parse::{compose, kubernetes, yaml};

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p: PathBuf = e.path();
        if p.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        if p.is_dir() {
            walk(root, &p, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

pub fn write(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

pub fn scan_with(root: &Path, scm: ScmSettings, today: time::Date) -> Out {
    let mut files = Vec::new();
    walk(root, root, &mut files);
    files.sort();
    let read = |rel: &str| std::fs::read_to_string(root.join(rel)).ok();
    let mut objects = Vec::new();
    let mut compose_files = Vec::new();
    for f in &files {
        let name = f.rsplit('/').next().unwrap();
        if compose::is_compose_name(name) {
            compose_files.push(f.clone());
            continue;
        }
        if f.ends_with(".yaml") || f.ends_with(".yml") {
            let text = read(f).unwrap();
            let stream = yaml::parse(&text);
            let path = std::sync::Arc::from(f.as_str());
            for o in kubernetes::objects(
                &path,
                stream.documents.into_iter().map(|d| d.root).collect(),
            ) {
                if let Some(k) = keep(&o) {
                    objects.push(k);
                }
            }
        }
    }
    let projects: Vec<compose::Project> = compose::group_projects(&compose_files, &[])
        .iter()
        .map(|p| compose::load(p, &read))
        .collect();
    let repo = Repo {
        catalog: Catalog::embedded(),
        root,
        files: files.iter().map(String::as_str).collect(),
        read: &read,
        compose: &projects,
        today,
        scm,
    };
    let mut out = Out::default();
    analyze(&repo, &objects, &mut out);
    out
}

pub fn scan(root: &Path) -> Out {
    scan_with(
        root,
        ScmSettings::default(),
        time::macros::date!(2026 - 12 - 01),
    )
}

pub fn of<'a>(out: &'a Out, check: &str) -> Vec<&'a Verdict> {
    out.verdicts.iter().filter(|v| v.check == check).collect()
}

pub fn fails(out: &Out, check: &str) -> usize {
    of(out, check)
        .iter()
        .filter(|v| v.outcome == Outcome::Fail)
        .count()
}

pub fn passes(out: &Out, check: &str) -> usize {
    of(out, check)
        .iter()
        .filter(|v| v.outcome == Outcome::Pass)
        .count()
}
