//! The integration tests of vigie-scan, gathered in one test binary: each file of this
//! folder is a module (one binary links once instead of once per file).

mod analyzer_examples;
mod analyzers;
mod catalog;
mod component_lines;
mod compose_variants;
mod copies_and_gitops;
mod dangling_references;
mod development_stacks;
mod exported_builds;
mod generated_copies;
mod helm_test_hooks;
mod helm_values;
mod implicit_namespace;
mod pipeline_builds;
mod pipeline_scripts;
mod removed_apis;
mod skaffold_artifacts;
mod skaffold_deployments;
mod terraform_parse;
mod unit_secrets;

/// A whole scan of a temporary folder holding `files` (relative path, text), as of a fixed date.
fn scan_files(files: &[(&str, &str)]) -> vigie_core::ScanReport {
    scan_files_at(files).0
}

/// [`scan_files`], with the absolute path of the folder scanned.
fn scan_files_at(files: &[(&str, &str)]) -> (vigie_core::ScanReport, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let opts = vigie_scan::ScanOptions {
        display_root: ".".into(),
        gitignore: Some(false),
        ..vigie_scan::ScanOptions::new(dir.path(), time::macros::date!(2026 - 12 - 01))
    };
    let root = dir.path().canonicalize().unwrap();
    (
        vigie_scan::scan(&opts).unwrap(),
        root.to_string_lossy().into_owned(),
    )
}
