#![no_main]
//! CI pipelines (GitHub Actions, GitLab CI, Cloud Build) and the shell they run.
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use vigie_pipeline::analyze::{Repo, analyze};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let names = [".github/workflows/ci.yml", ".gitlab-ci.yml", "cloudbuild.yaml"];
    let t = text.to_string();
    let read = move |p: &str| names.contains(&p).then(|| t.clone());
    let repo = Repo {
        root: Path::new("/nonexistent"),
        files: names.to_vec(),
        read: &read,
        dockerfiles: &[],
        objects: &[],
        since: None,
    };
    let _ = analyze(&repo);
});
