//! `vigie graph`: formats, output file, errors.

use crate::common;
use common::*;

#[test]
fn graph_formats_and_output_file() {
    for (format, start) in [
        ("dot", "digraph platform {"),
        ("mermaid", "flowchart LR"),
        ("svg", "<svg xmlns="),
        ("html", "<!DOCTYPE html>"),
    ] {
        let (code, out, err) = stdout_of(
            vigie()
                .arg("graph")
                .arg(example("compose-gaps"))
                .args(["--format", format]),
        );
        assert_eq!(code, 0, "{err}");
        assert!(
            out.starts_with(start),
            "{format}: {}",
            &out[..out.len().min(80)]
        );
        assert!(err.contains("9 workloads"), "{err}");
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("g.html");
    let (code, out, _) = stdout_of(
        vigie()
            .arg("graph")
            .arg(example("k8s-gaps"))
            .args(["--format", "html", "-o"])
            .arg(&file),
    );
    assert_eq!(code, 0);
    assert!(out.is_empty());
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.contains("postgres") && html.contains("NET-04.1"));
}

#[test]
fn graph_errors_exit_2() {
    let (code, _, err) = stdout_of(
        vigie()
            .arg("graph")
            .arg(example("k8s-gaps"))
            .args(["--format", "png"]),
    );
    assert_eq!(code, 2);
    assert!(err.contains("unknown graph format `png`"), "{err}");
    let (code, _, err) = stdout_of(vigie().args(["graph", "/nonexistent/nowhere"]));
    assert_eq!(code, 2, "{err}");
}
