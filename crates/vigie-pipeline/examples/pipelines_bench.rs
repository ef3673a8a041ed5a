//! Run the pipeline analysis alone on a folder (for bench/pipelines.sh): walk, read, lower every
//! pipeline, run every check; print counts and the time it took.
//!
//! Usage: cargo run --release -p vigie-pipeline --example pipelines_bench -- DIR [--since REV]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use vigie_core::SourceFile;
use vigie_parse::dockerfile::Dockerfile;
use vigie_pipeline::analyze::{Repo, analyze};

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
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
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push((rel.to_string_lossy().replace('\\', "/"), p));
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(dir) = args.get(1) else {
        eprintln!("usage: pipelines_bench DIR [--since REV]");
        std::process::exit(2);
    };
    let since = args
        .iter()
        .position(|a| a == "--since")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str);
    let t0 = Instant::now();
    let root = Path::new(dir);
    let mut files = Vec::new();
    walk(root, root, &mut files);
    files.sort();
    let abs: HashMap<&str, &PathBuf> = files.iter().map(|(r, a)| (r.as_str(), a)).collect();
    let read = |rel: &str| abs.get(rel).and_then(|p| std::fs::read_to_string(p).ok());
    let dockerfiles: Vec<Dockerfile> = files
        .iter()
        .filter(|(r, _)| r.ends_with("Dockerfile"))
        .filter_map(|(r, p)| {
            let t = std::fs::read_to_string(p).ok()?;
            Dockerfile::parse(Arc::new(SourceFile::new(r.as_str(), t))).ok()
        })
        .collect();
    let repo = Repo {
        root,
        files: files.iter().map(|(r, _)| r.as_str()).collect(),
        read: &read,
        dockerfiles: &dockerfiles,
        objects: &[],
        runs_workloads: false,
        since,
    };
    let out = analyze(&repo);
    let secs = t0.elapsed().as_secs_f64();
    let fails = out.verdicts.iter().filter(|v| v.is_fail()).count();
    println!("files: {}", files.len());
    println!("pipelines: {}", out.pipelines.len());
    println!(
        "jobs: {}, steps: {}, commands: {}",
        out.pipelines.iter().map(|p| p.jobs.len()).sum::<usize>(),
        out.pipelines
            .iter()
            .flat_map(|p| &p.jobs)
            .map(|j| j.steps.len())
            .sum::<usize>(),
        out.pipelines
            .iter()
            .flat_map(|p| &p.jobs)
            .flat_map(|j| &j.steps)
            .map(|s| s.commands.len())
            .sum::<usize>()
    );
    println!(
        "verdicts: {} ({} failing), diagnostics: {}",
        out.verdicts.len(),
        fails,
        out.diagnostics.len()
    );
    println!("analysis: {secs:.3} s");
}
