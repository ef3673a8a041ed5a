//! A Terraform file that is not valid HCL is reported once in a whole scan: the Terraform
//! analysis owns the parse error; the governance analysis, which reads the same files, stays
//! silent about it.

use vigie_core::DiagKind;
use vigie_scan::{ScanOptions, scan};

#[test]
fn an_invalid_tf_file_is_one_parse_finding() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"google_storage_bucket\" \"b\" {\n  name = \"b\"\n  location = \n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("ok.tf"),
        "resource \"google_storage_bucket\" \"c\" {\n  name = \"c\"\n  location = \"EU\"\n}\n",
    )
    .unwrap();
    let opts = ScanOptions {
        display_root: ".".into(),
        gitignore: Some(false),
        ..ScanOptions::new(dir.path(), time::macros::date!(2026 - 12 - 01))
    };
    let r = scan(&opts).unwrap();
    let parse: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagKind::Parse && d.location.path.as_ref() == "main.tf")
        .collect();
    assert_eq!(parse.len(), 1, "{parse:#?}");
    assert!(parse[0].message.contains("invalid HCL"), "{parse:#?}");
    assert_eq!(parse[0].location.line, 3, "{parse:#?}");
    // the rest of the scan goes on: the valid file is judged
    assert!(
        r.verdicts
            .iter()
            .any(|v| v.check.starts_with("SOV-02") && v.subject.contains("google_storage_bucket.c")),
        "{:#?}",
        r.verdicts.iter().map(|v| (&v.check, &v.subject)).collect::<Vec<_>>()
    );
}
