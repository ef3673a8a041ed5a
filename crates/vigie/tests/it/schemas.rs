//! Real reports validate against the schemas they claim: SARIF 2.1.0 (the OASIS schema in
//! ../shared/schemas) and vigie's own JSON report schema (schemas/vigie-report.schema.json).

use crate::common;
use common::*;

fn load(path: std::path::PathBuf) -> serde_json::Value {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("valid JSON")
}

fn validate(schema: &serde_json::Value, doc: &serde_json::Value, what: &str) {
    let v = jsonschema::validator_for(schema).expect("schema compiles");
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(20)
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sarif_of_every_example_validates() {
    // The published schema keeps its top-level object under definitions/Root and leaves the
    // root itself empty: validate against Root, or nothing would be checked.
    let mut schema = load(root().join("../shared/schemas/sarif-2.1.0.json"));
    schema["allOf"] = serde_json::json!([{"$ref": "#/definitions/Root"}]);
    let v = jsonschema::validator_for(&schema).expect("schema compiles");
    assert!(
        !v.is_valid(&serde_json::json!({"version": "2.1.0", "runs": "no"})),
        "the schema must reject a bad document"
    );
    for ex in [
        "compose-hardened",
        "compose-gaps",
        "k8s-hardened",
        "k8s-gaps",
    ] {
        let (_, out, _) = stdout_of(
            vigie()
                .arg("scan")
                .arg(example(ex))
                .args(["--format", "sarif"]),
        );
        let doc: serde_json::Value = serde_json::from_str(&out).expect("sarif is JSON");
        validate(&schema, &doc, ex);
        for r in doc["runs"][0]["results"].as_array().unwrap() {
            // a finding about a whole file or the repository has no region
            let region = &r["locations"][0]["physicalLocation"]["region"];
            if !region.is_null() {
                assert!(region["startLine"].as_u64().unwrap() >= 1, "{r}");
            }
            assert!(r["partialFingerprints"].is_object(), "{r}");
        }
    }
}

#[test]
fn json_of_every_example_validates() {
    let schema = load(root().join("schemas/vigie-report.schema.json"));
    for ex in [
        "compose-hardened",
        "compose-gaps",
        "k8s-hardened",
        "k8s-gaps",
    ] {
        let (_, out, _) = stdout_of(
            vigie()
                .arg("scan")
                .arg(example(ex))
                .args(["--format", "json"]),
        );
        let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        validate(&schema, &doc, ex);
    }
}
