//! The CycloneDX output validates against the CycloneDX 1.6 schema and carries purls, hashes
//! and the dependency graph.

use std::path::PathBuf;

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/schemas")
}

#[test]
fn sbom_of_every_fixture_lockfile_is_valid_cyclonedx_1_6() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lockfiles");
    let lfs = vigie_deps::lockfile::find(&root);
    assert_eq!(lfs.len(), 11);
    let mut written = Vec::new();
    vigie_deps::sbom::cyclonedx(
        &lfs,
        "fixtures",
        time::macros::datetime!(2026-12-01 06:00 UTC),
    )
    .write_json(&mut written)
    .unwrap();
    let bom: serde_json::Value = serde_json::from_slice(&written).unwrap();

    let schema_path = schema_dir().join("cyclonedx-bom-1.6.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
    let load = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(schema_dir().join(name)).unwrap()).unwrap()
    };
    // The schema's `$ref`s resolve against its `$id` (http://cyclonedx.org/schema/): the
    // neighbouring files are registered under those addresses.
    let validator = jsonschema::options()
        .with_resource(
            "http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json",
            jsonschema::Resource::from_contents(load("spdx.SNAPSHOT.schema.json")),
        )
        .with_resource(
            "http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json",
            jsonschema::Resource::from_contents(load("jsf-0.82.SNAPSHOT.schema.json")),
        )
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&bom)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let comps = bom["components"].as_array().unwrap();
    let by_purl = |p: &str| {
        comps
            .iter()
            .find(|c| c["purl"] == p)
            .unwrap_or_else(|| panic!("{p}"))
    };
    let babel = by_purl("pkg:npm/%40babel/core@7.24.0");
    assert_eq!(babel["group"], "@babel");
    assert_eq!(babel["name"], "core");
    assert_eq!(babel["hashes"][0]["alg"], "SHA-512");
    let sv = by_purl("pkg:cargo/smallvec@1.6.0");
    assert_eq!(sv["hashes"][0]["alg"], "SHA-256");
    assert_eq!(
        by_purl("pkg:pypi/django@4.2.0")["hashes"][0]["alg"],
        "SHA-256"
    );
    by_purl("pkg:golang/github.com/docker/docker@v20.10.0%2Bincompatible");
    // lodash@4.17.20 is locked in five fixtures: one component, every place listed.
    let lodash = by_purl("pkg:npm/lodash@4.17.20");
    assert!(lodash["properties"].as_array().unwrap().len() >= 4);
    let deps = bom["dependencies"].as_array().unwrap();
    let express = deps
        .iter()
        .find(|d| d["ref"] == "pkg:npm/express@4.18.2")
        .unwrap();
    assert!(
        express["dependsOn"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == "pkg:npm/qs@6.11.0")
    );
    let root = deps
        .iter()
        .find(|d| d["ref"] == bom["metadata"]["component"]["bom-ref"])
        .unwrap();
    assert!(
        root["dependsOn"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == "pkg:cargo/time@0.1.45")
    );
    assert_eq!(bom["metadata"]["tools"]["components"][0]["name"], "vigie");
    // The same tree gives the same document.
    let mut again = Vec::new();
    vigie_deps::sbom::cyclonedx(
        &lfs,
        "fixtures",
        time::macros::datetime!(2026-12-01 06:00 UTC),
    )
    .write_json(&mut again)
    .unwrap();
    assert_eq!(written, again);
}
