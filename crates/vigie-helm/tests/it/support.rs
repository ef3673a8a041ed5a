//! Helpers: test charts copied to a temporary folder (with `.tgz` subcharts packed), and Helm's
//! own engine run through the `helm-python-sdk` package as the oracle.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it")
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// Pack every `charts/NAME.tgz.d/CHART/` folder into `charts/NAME.tgz`, recursively.
fn pack_archives(dir: &Path) {
    let charts = dir.join("charts");
    let Ok(entries) = std::fs::read_dir(&charts) else {
        return;
    };
    for e in entries {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(base) = name.strip_suffix(".tgz.d") {
            let f = std::fs::File::create(charts.join(format!("{base}.tgz"))).unwrap();
            let gz = flate2::write::GzEncoder::new(f, flate2::Compression::default());
            let mut tar = tar::Builder::new(gz);
            tar.append_dir_all(".", e.path()).unwrap();
            tar.into_inner().unwrap().finish().unwrap();
            std::fs::remove_dir_all(e.path()).unwrap();
        } else if e.file_type().unwrap().is_dir() {
            pack_archives(&e.path());
        }
    }
}

/// A test chart ready to render: a copy in a temporary folder.
pub fn chart(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join(name);
    copy_dir(&corpus_dir().join("charts").join(name), &dst);
    pack_archives(&dst);
    (tmp, dst)
}

/// Run Helm's engine on jobs; each result is `Ok(templates)` or `Err(message)`.
pub fn helm(
    jobs: &serde_json::Value,
) -> Vec<Result<serde_json::Map<String, serde_json::Value>, String>> {
    let script = corpus_dir().join("oracle.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed to run Helm's engine as the oracle");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(jobs.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "Helm's engine (helm-python-sdk) failed to run; install it with `pip install helm-python-sdk==0.2.2`:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| match r.get("ok") {
            Some(ok) => Ok(ok.as_object().unwrap().clone()),
            None => Err(r["error"].as_str().unwrap_or("").to_string()),
        })
        .collect()
}
