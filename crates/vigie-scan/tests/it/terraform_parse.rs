//! A Terraform file that is not valid HCL is reported once in a whole scan: the Terraform
//! analysis owns the parse error; the governance analysis, which reads the same files, stays
//! silent about it.

use vigie_core::DiagKind;

#[test]
fn an_invalid_tf_file_is_one_parse_finding() {
    let r = crate::scan_files(&[
        (
            "main.tf",
            "resource \"google_storage_bucket\" \"b\" {\n  name = \"b\"\n  location = \n}\n",
        ),
        (
            "ok.tf",
            "resource \"google_storage_bucket\" \"c\" {\n  name = \"c\"\n  location = \"EU\"\n}\n",
        ),
    ]);
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
