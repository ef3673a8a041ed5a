//! Every kustomization of `tests/it/corpus` is built by vigie and by `kubectl kustomize` (the
//! oracle, Kustomize v5.5); the objects must be equal as parsed YAML, in any order.

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/corpus")
}

/// The objects of a YAML stream as JSON values, sorted.
pub fn objects(yaml: &str) -> Vec<serde_json::Value> {
    let stream = vigie_parse::yaml::parse(yaml);
    assert!(stream.error.is_none(), "{:?}\n{yaml}", stream.error);
    let mut v: Vec<serde_json::Value> = stream.documents.iter().map(|d| d.root.to_json()).collect();
    v.sort_by_key(|o| o.to_string());
    v
}

pub fn kubectl_kustomize(dir: &Path) -> std::process::Output {
    Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .expect("kubectl (with Kustomize v5.5) is needed by these tests: see .ci/run")
}

fn case_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("kustomization.yaml").is_file())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_corpus_kustomization_builds_as_kubectl_kustomize_builds_it() {
    let dirs = case_dirs();
    assert!(dirs.len() >= 8, "the corpus has {} cases", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let out = kubectl_kustomize(dir);
        assert!(
            out.status.success(),
            "kubectl kustomize {} failed: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let want = objects(&String::from_utf8_lossy(&out.stdout));
        let built = vigie_kustomize::build(dir);
        let printed = vigie_kustomize::to_yaml(&built);
        let got = objects(&printed);
        if built.failure.is_some() || got != want {
            failures.push(format!(
                "{}: failure {:?}\n--- vigie\n{printed}\n--- kubectl\n{}",
                dir.display(),
                built.failure,
                String::from_utf8_lossy(&out.stdout)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The printed YAML is byte for byte what `kubectl kustomize` prints, in the same order.
#[test]
fn printed_output_matches_kubectl_text_on_the_overlay_case() {
    let dir = corpus().join("overlay/prod");
    let out = kubectl_kustomize(&dir);
    let built = vigie_kustomize::build(&dir);
    assert_eq!(
        vigie_kustomize::to_yaml(&built),
        String::from_utf8_lossy(&out.stdout)
    );
}
