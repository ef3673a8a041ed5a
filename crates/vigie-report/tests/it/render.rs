//! Every format rendered from a realistic report: schemas, structure and determinism.

use crate::common;

use common::*;
use serde_json::Value;
use vigie_core::rollup::{AttestationState, Status};
use vigie_core::{Location, ScanReport, Verdict};
use vigie_report::{Format, RenderOptions, render};

const PLAIN: RenderOptions = RenderOptions {
    color: false,
    verbose: false,
    quiet: false,
    compact: false,
};

fn load_schema(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The shared SARIF schema keeps the log's own schema under `definitions/Root` (the shape code
/// generators want) and leaves its root empty, which validates anything: point the root at it.
fn sarif_schema() -> Value {
    let mut schema = load_schema(SARIF_SCHEMA);
    let rootless = schema.get("properties").is_none() && schema.get("type").is_none();
    if rootless && schema["definitions"]["Root"].is_object() {
        schema["allOf"] = serde_json::json!([{ "$ref": "#/definitions/Root" }]);
    }
    schema
}

fn assert_valid(schema: &Value, doc: &Value, what: &str) {
    let validator = jsonschema::validator_for(schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(20)
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate:\n{}",
        errors.join("\n")
    );
}

fn json_of(report: &ScanReport, format: Format) -> Value {
    let out = render(report, format, &PLAIN);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{format} is not JSON ({e}):\n{out}"))
}

const SARIF_SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/schemas/sarif-2.1.0.json"
);
const REPORT_SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../schemas/vigie-report.schema.json"
);

/// A report whose strings carry everything a renderer must escape.
fn hostile_report() -> ScanReport {
    let mut v = verdicts();
    let doc = &CNT_01;
    let nasty = Verdict::fail(
        doc,
        "a|b `c` <d> & \"e\" › services.x\ny",
        Location::new("my dir/ü & <x>.yml".into(), 0, 0),
        "line one\nline two | with `ticks` and ]]> and \u{1b}[31m",
        "fix | it\nnow",
    );
    v.push(nasty.with_related(Some(Location::new("other file.yml".into(), 2, 0))));
    let mut waived = Verdict::fail(doc, "z", Location::new("z.yml".into(), 1, 1), "m", "f");
    waived.waive(vigie_core::verdict::Waiver {
        reason: "because\n<reasons> & --".into(),
        owner: None,
        expires: None,
        source: Location::new("z.yml".into(), 1, 1),
    });
    v.push(waived);
    v.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut d = diagnostics();
    d.push(vigie_core::Diagnostic::new(
        vigie_core::DiagKind::Encoding,
        Location::new("bad|name.yml".into(), 0, 0),
        "not UTF-8\n<at byte 3>",
    ));
    report_of(v, d)
}

fn empty_report() -> ScanReport {
    let mut r = report_of(Vec::new(), Vec::new());
    r.frameworks.clear();
    r.rollup.frameworks.clear();
    r.rollup.controls.clear();
    r
}

#[test]
fn every_format_is_deterministic_and_never_panics() {
    for report in [sample_report(), hostile_report(), empty_report()] {
        for format in Format::ALL {
            for opts in [
                PLAIN,
                RenderOptions {
                    color: true,
                    verbose: true,
                    quiet: false,
                    compact: false,
                },
            ] {
                let a = render(&report, format, &opts);
                let b = render(&report, format, &opts);
                assert_eq!(a, b, "{format} differs between two renderings");
                assert!(!a.is_empty(), "{format} is empty");
                assert!(a.ends_with('\n'), "{format} ends with a line break");
            }
        }
    }
    // a report built again from scratch renders byte for byte the same
    for format in Format::ALL {
        assert_eq!(
            render(&sample_report(), format, &PLAIN),
            render(&sample_report(), format, &PLAIN)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_validates_against_the_sarif_schema() {
    let schema = sarif_schema();
    for report in [sample_report(), hostile_report(), empty_report()] {
        let doc = json_of(&report, Format::Sarif);
        assert_valid(&schema, &doc, "SARIF");
    }
}

#[test]
fn sarif_results_have_lines_fingerprints_and_rules() {
    let report = sample_report();
    let doc = json_of(&report, Format::Sarif);
    assert_eq!(doc["version"], "2.1.0");
    let runs = doc["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "vigie");
    assert_eq!(driver["version"], "0.1.0");
    // the project has no public address yet: no placeholder a reader would follow
    assert!(driver.get("informationUri").is_none());
    let rules = driver["rules"].as_array().expect("rules");
    // every check, then one rule per diagnostic code that occurs
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "CNT-01",
            "CNT-02",
            "CNT-03",
            "CNT-04",
            // attestations never recorded have no location: not results (run properties), so no
            // ATTEST rule
            "VG-PARSE",
            "VG-TOO-LARGE"
        ]
    );
    let cnt01 = &rules[0];
    assert_eq!(cnt01["shortDescription"]["text"], CNT_01.title);
    assert_eq!(cnt01["fullDescription"]["text"], CNT_01.what);
    assert_eq!(cnt01["defaultConfiguration"]["level"], "error");
    assert_eq!(cnt01["properties"]["security-severity"], "7.0");
    let tags: Vec<&str> = cnt01["properties"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"security") && tags.contains(&"CNT-01"),
        "{tags:?}"
    );
    assert!(tags.contains(&"anssi-docker/R7"), "{tags:?}");
    assert!(cnt01["properties"]["controls"] == serde_json::json!(["CNT-01"]));
    let help_md = cnt01["help"]["markdown"].as_str().unwrap();
    assert!(
        help_md.contains("**Why it matters**") && help_md.contains("```yaml"),
        "{help_md}"
    );
    // the examples' code is in the Markdown help, in a fence, and the text help names its kind
    let (kind, failing) = CNT_01.failing;
    let first_line = failing.lines().next().unwrap();
    assert!(
        help_md.contains(&format!("**Failing example**\n\n```yaml\n{first_line}")),
        "{help_md}"
    );
    let help_text = cnt01["help"]["text"].as_str().unwrap();
    assert!(
        help_text.contains(&format!("Failing example ({kind}):\n{first_line}")),
        "{help_text}"
    );
    assert_eq!(rules[1]["defaultConfiguration"]["level"], "warning");

    let results = run["results"].as_array().expect("results");
    let failing_or_waived = report.verdicts.iter().filter(|v| !v.is_pass()).count();
    // plus one `review` result per expired attestation (at its entry); attestations never
    // recorded have no location, which GitHub rejects: they are listed in the run's properties
    let located_todo = report
        .rollup
        .todo
        .iter()
        .filter(|t| t.location.is_some())
        .count();
    assert_eq!(
        results.len(),
        failing_or_waived + report.diagnostics.len() + located_todo
    );
    assert_eq!(
        run["properties"]["attestationsTodo"]
            .as_array()
            .map_or(0, Vec::len),
        report.rollup.todo.len()
    );
    assert!(run["originalUriBaseIds"]["%SRCROOT%"].is_object(), "{run}");
    for r in results {
        let rule = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], rule, "{r}");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1, "{r}");
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1, "{r}");
        let fp = r["partialFingerprints"]["vigie/v2"]
            .as_str()
            .expect("fingerprint");
        assert_eq!(fp.len(), 64);
        assert!(fp.chars().all(|c| c.is_ascii_hexdigit()));
    }
    // passing verdicts are not results
    assert!(!results.iter().any(|r| r["ruleId"] == "CNT-02"));
    // the waived failure carries its suppression
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "postgres writes its socket; tracked in OPS-12"
    );
    // a medium failure is a warning, a high one an error, a low diagnostic... per severity
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert!(
        levels
            .iter()
            .all(|l| ["error", "warning", "note"].contains(l))
    );
}

#[test]
fn sarif_fingerprints_survive_line_moves() {
    let fingerprints = |report: &ScanReport| -> Vec<String> {
        json_of(report, Format::Sarif)["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["vigie/v2"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let before = fingerprints(&sample_report());
    let mut moved = verdicts();
    for v in &mut moved {
        v.location.line += 10;
    }
    let after = fingerprints(&report_of(moved, diagnostics()));
    let mut a = before.clone();
    let mut b = after;
    a.sort();
    b.sort();
    assert_eq!(a, b);
    let unique: std::collections::BTreeSet<&String> = before.iter().collect();
    assert_eq!(
        unique.len(),
        before.len(),
        "fingerprints tell results apart"
    );
}

// ---------------------------------------------------------------------------------------------
// JSON

#[test]
fn json_validates_against_the_report_schema() {
    let schema = load_schema(REPORT_SCHEMA);
    for report in [sample_report(), hostile_report(), empty_report()] {
        let doc = json_of(&report, Format::Json);
        assert_valid(&schema, &doc, "the JSON report");
    }
}

#[test]
fn the_schemas_reject_what_they_should() {
    let report = sample_report();
    let schema = load_schema(REPORT_SCHEMA);
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let good = json_of(&report, Format::Json);
    assert!(validator.is_valid(&good));
    let mut bad = good.clone();
    bad["verdicts"][0]["outcome"] = "maybe".into();
    assert!(!validator.is_valid(&bad), "outcome is an enum");
    let mut bad = good.clone();
    bad["verdicts"][0]["surprise"] = true.into();
    assert!(!validator.is_valid(&bad), "no unknown verdict field");
    let mut bad = good.clone();
    if let Some(w) = bad["verdicts"]
        .as_array_mut()
        .and_then(|a| a.iter_mut().find(|v| v["outcome"] == "waived"))
    {
        w["waiver"] = Value::Null;
    }
    assert!(!validator.is_valid(&bad), "a waived verdict has its waiver");
    let mut bad = good;
    bad["controls"][0]["status"] = "green".into();
    assert!(!validator.is_valid(&bad), "status is an enum");

    let sarif_schema = sarif_schema();
    let sarif = jsonschema::validator_for(&sarif_schema).expect("the SARIF schema compiles");
    let mut bad = json_of(&report, Format::Sarif);
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!sarif.is_valid(&bad), "SARIF lines start at 1");
}

#[test]
fn json_carries_verdicts_controls_and_requirements() {
    let report = sample_report();
    let doc = json_of(&report, Format::Json);
    assert_eq!(
        doc["schema_version"],
        vigie_core::report::REPORT_SCHEMA_VERSION
    );
    assert_eq!(doc["tool"]["name"], "vigie");
    assert_eq!(doc["result"], "fail");
    assert_eq!(doc["fail_on"], "high");
    assert_eq!(doc["frameworks"], serde_json::json!(FRAMEWORKS));
    let verdicts = doc["verdicts"].as_array().unwrap();
    assert_eq!(verdicts.len(), report.verdicts.len());
    let waived = verdicts.iter().find(|v| v["outcome"] == "waived").unwrap();
    assert_eq!(waived["waiver"]["owner"], "ops@example.org");
    assert_eq!(waived["waiver"]["source"]["path"], "vigie.toml");
    let expired = verdicts
        .iter()
        .find(|v| v["expired_waiver"].is_object())
        .unwrap();
    assert_eq!(expired["outcome"], "fail");
    assert_eq!(expired["location"]["line"], 0);
    let cnt01 = verdicts.iter().find(|v| v["check"] == "CNT-01").unwrap();
    assert_eq!(cnt01["controls"], serde_json::json!(["CNT-01"]));
    // requirements are listed once per check, not on every verdict
    assert!(cnt01.get("requirements").is_none());
    assert_eq!(
        doc["controls"].as_array().unwrap().len(),
        report.rollup.controls.len()
    );
    assert_eq!(
        doc["framework_results"].as_array().unwrap().len(),
        report.rollup.frameworks.len()
    );
    let checks = doc["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 4);
    assert!(
        checks[0]["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["framework"] == "anssi-docker"
                && r["requirement"] == "R7"
                && r["label"] == "FT-082 R7")
    );
    assert_eq!(doc["summary"]["waived"], 1);
    assert_eq!(doc["diagnostics"][0]["code"], "VG-PARSE");
    assert_eq!(doc["diagnostics"][0]["kind"], "parse");
}

#[test]
fn json_result_follows_the_gate() {
    let passing: Vec<Verdict> = verdicts().into_iter().filter(|v| v.is_pass()).collect();
    let report = report_of(passing, Vec::new());
    assert!(!report.gate_failed());
    assert_eq!(json_of(&report, Format::Json)["result"], "pass");
}

// ---------------------------------------------------------------------------------------------
// Markdown

fn document_frameworks(report: &ScanReport) -> Vec<&vigie_core::rollup::FrameworkResult> {
    report
        .rollup
        .frameworks
        .iter()
        .filter(|f| {
            report
                .catalog()
                .framework(&f.id)
                .is_some_and(|fw| fw.document)
        })
        .collect()
}

#[test]
fn markdown_renders_the_roadmap_sections_in_order() {
    let report = sample_report();
    let md = render(&report, Format::Markdown, &PLAIN);
    let roadmap = report.catalog().framework("roadmap").expect("roadmap");
    let heading = roadmap.heading.clone().unwrap_or(roadmap.title.clone());
    assert!(md.starts_with(&format!("# {heading}\n")), "{md}");
    assert!(md.contains("*Generated by vigie 0.1.0 from `examples/compose` on 2026-11-23."));
    assert!(md.contains("| section | status | measures met |"));
    let mut last = 0;
    for s in &roadmap.sections {
        let h = format!("\n## {}. {}\n", s.id, s.title);
        let at = md[last..]
            .find(&h)
            .unwrap_or_else(|| panic!("{h:?} missing or out of order in\n{md}"));
        last += at + h.len();
    }
    // the devsecops document follows the roadmap, the reference frameworks after both
    let devsecops = report.catalog().framework("devsecops").expect("devsecops");
    let devsecops_heading = devsecops.heading.clone().unwrap_or(devsecops.title.clone());
    let devsecops = md
        .find(&format!("\n# {devsecops_heading}\n"))
        .expect("the devsecops document");
    assert!(devsecops > last, "{md}");
    let ft082 = md
        .find("\n## ANSSI-FT-082")
        .expect("compact anssi-docker section");
    assert!(ft082 > devsecops, "{md}");
    assert!(md.contains("| requirement | title | status | subjects passed/failed/waived |"));
    assert!(md.contains("| FT-082 R7 |"), "{md}");
    // diagnostics last
    let diags = md
        .find("## Files vigie could not read or parse")
        .expect("diagnostics");
    assert!(diags > ft082);
    assert!(
        md.contains("| `k8s/broken.yaml:3` | VG-PARSE | high |"),
        "{md}"
    );
}

#[test]
fn markdown_ticks_exactly_the_compliant_measures() {
    let report = sample_report();
    let md = render(&report, Format::Markdown, &PLAIN);
    let mut compliant = 0;
    let mut open = 0;
    for fw in document_frameworks(&report) {
        for r in fw.sections.iter().flat_map(|s| &s.requirements) {
            let ticked = format!("- [x] **{}**", bold(&r.title));
            let unticked = format!("- [ ] **{}**", bold(&r.title));
            if r.status == Status::Compliant {
                compliant += 1;
                assert!(md.contains(&ticked), "{ticked} missing:\n{md}");
            } else {
                open += 1;
                assert!(md.contains(&unticked), "{unticked} missing:\n{md}");
            }
        }
    }
    assert!(compliant > 0, "the sample has a compliant measure");
    assert_eq!(md.matches("- [x] ").count(), compliant);
    assert_eq!(md.matches("- [ ] ").count(), open);
    // Capabilities Drop: 4/4 services, three shown and the rest counted
    let caps = md
        .lines()
        .position(|l| l.contains("- [x] **Capabilities Drop**"))
        .expect("capabilities measure");
    let lines: Vec<&str> = md.lines().collect();
    assert!(
        lines[caps].contains("(CNT-02 · FT-082 R8"),
        "{}",
        lines[caps]
    );
    assert!(lines[caps].ends_with("— 4/4 subjects"), "{}", lines[caps]);
    assert!(lines[caps + 2].contains("… 3 more (`vigie scan -v` lists all)"));
    // verbose lists all of them
    let verbose = render(
        &report,
        Format::Markdown,
        &RenderOptions {
            color: false,
            verbose: true,
            quiet: false,
            compact: false,
        },
    );
    assert!(!verbose.contains("… 3 more"));
}

#[test]
fn markdown_shows_failures_waivers_and_unassessed_measures() {
    let report = sample_report();
    let md = render(&report, Format::Markdown, &PLAIN);
    // failures with location and fix
    assert!(md.contains(
        "- `docker-compose.yml › services.db`: runs as root: the image sets no USER and the service no `user:` — `docker-compose.yml:20`. Fix: add `user: \"70:70\"` to the service"
    ), "{md}");
    // a waived failure, with its reason and owner
    assert!(
        md.contains("waived — the root filesystem is writable")
            && md.contains("Reason: \"postgres writes its socket; tracked in OPS-12\" (owner `ops@example.org`, expires 2099-01-01"),
        "{md}"
    );
    // every measure no check decides yet is listed, never dropped
    let mut not_assessed = 0;
    for fw in document_frameworks(&report) {
        for r in fw.sections.iter().flat_map(|s| &s.requirements) {
            let line = md
                .lines()
                .find(|l| l.contains(&format!("**{}**", bold(&r.title))))
                .unwrap_or_else(|| panic!("{} missing", r.title));
            match r.status {
                Status::NotAssessed => {
                    not_assessed += 1;
                    assert!(line.contains("— ⚪ not assessed: "), "{line}");
                }
                Status::NotApplicable => assert!(
                    line.ends_with("— not applicable: nothing in the repository it applies to"),
                    "{line}"
                ),
                _ => assert!(line.contains(" subjects"), "{line}"),
            }
        }
    }
    assert!(not_assessed > 0);
    assert!(md.contains("no check can decide it from the repository; to be attested"));
    // No New Privileges: CNT-03 is implemented but judged nothing
    let nnp = md
        .lines()
        .find(|l| l.starts_with("    - [ ] **No New Privileges** (CNT-03"))
        .expect("No New Privileges");
    assert!(
        nnp.ends_with(" — not applicable: nothing in the repository it applies to"),
        "{nnp}"
    );
}

// ---------------------------------------------------------------------------------------------
// JUnit

#[test]
fn junit_parses_with_one_case_per_control_and_subject() {
    let report = sample_report();
    let xml = render(&report, Format::Junit, &PLAIN);
    let parsed = quick_junit::Report::deserialize_from_str(&xml)
        .unwrap_or_else(|e| panic!("JUnit XML does not parse: {e}\n{xml}"));
    // one suite per control of the selected frameworks a check decides, plus the diagnostics
    let decided = report
        .rollup
        .controls
        .iter()
        .filter(|c| c.status != Status::NotAssessed)
        .count();
    assert_eq!(decided, 4);
    // and one per control whose attestation is to do (its own, or that of a requirement no
    // check decides), with a skipped case naming it
    let has_todo = |c: &&vigie_core::rollup::ControlResult| {
        matches!(
            c.attestation,
            Some(AttestationState::Missing | AttestationState::Expired)
        ) || report.rollup.todo.iter().any(|t| t.control == c.id)
    };
    let todo_suites = report
        .rollup
        .controls
        .iter()
        .filter(|c| c.status == Status::NotAssessed)
        .filter(has_todo)
        .count();
    let todo = report.rollup.controls.iter().filter(has_todo).count();
    assert!(todo_suites > 0);
    assert_eq!(parsed.test_suites.len(), decided + todo_suites + 1);
    let cnt01 = parsed
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "CNT-01 Containers run as a non-root user")
        .expect("CNT-01 suite");
    assert_eq!(cnt01.tests, 4);
    assert_eq!(cnt01.failures, 1);
    let cnt04 = parsed
        .test_suites
        .iter()
        .find(|s| s.name.as_str().starts_with("CNT-04 "))
        .expect("CNT-04 suite");
    // its subjects, and the to-do of a requirement no check decides (tmpfs for scratch)
    assert_eq!((cnt04.tests, cnt04.failures, cnt04.skipped), (5, 2, 2));
    assert!(
        cnt04
            .test_cases
            .iter()
            .any(|c| c.name.as_str() == "attestation CNT-04"),
        "{xml}"
    );
    let expected: usize = report
        .rollup
        .controls
        .iter()
        .map(|c| c.tally.subjects)
        .sum::<usize>()
        + report.diagnostics.len();
    // plus one skipped case per attestation to do
    assert_eq!(parsed.tests, expected + todo);
    assert_eq!(expected, 4 + 4 + 4 + 2);
    let diags = parsed.test_suites.last().unwrap();
    assert_eq!(diags.name.as_str(), "vigie diagnostics");
    // only what fails the gate is a failed test: the medium VG-TOO-LARGE under `high` is skipped
    assert_eq!((diags.tests, diags.failures, diags.skipped), (2, 1, 1));
    // a failure says where and how to fix it
    assert!(xml.contains("classname=\"CNT-01\""), "{xml}");
    assert!(xml.contains("docker-compose.yml:20:5"), "{xml}");
    assert!(
        xml.contains("fix: add `user: &quot;70:70&quot;` to the service")
            || xml.contains("fix: add `user: \"70:70\"` to the service"),
        "{xml}"
    );
    assert!(xml.contains("postgres writes its socket"), "{xml}");
}

#[test]
fn junit_of_hostile_strings_still_parses() {
    let xml = render(&hostile_report(), Format::Junit, &PLAIN);
    quick_junit::Report::deserialize_from_str(&xml)
        .unwrap_or_else(|e| panic!("JUnit XML does not parse: {e}\n{xml}"));
}

// ---------------------------------------------------------------------------------------------
// Text

#[test]
fn text_without_color_has_no_escape_codes() {
    for report in [sample_report(), hostile_report()] {
        for verbose in [false, true] {
            let out = render(
                &report,
                Format::Text,
                &RenderOptions {
                    color: false,
                    verbose,
                    quiet: false,
                    compact: false,
                },
            );
            assert!(!out.contains('\x1b'), "{out}");
        }
    }
    let colored = render(
        &sample_report(),
        Format::Text,
        &RenderOptions {
            color: true,
            verbose: false,
            quiet: false,
            compact: false,
        },
    );
    assert!(colored.contains("\x1b["));
}

#[test]
fn text_groups_failures_by_control_and_ends_with_the_verdict() {
    let report = sample_report();
    let out = render(&report, Format::Text, &PLAIN);
    let cnt01 = out
        .find("\nCNT-01 Containers run as a non-root user")
        .expect("CNT-01 group");
    let cnt04 = out.find("\nCNT-04 ").expect("CNT-04 group");
    assert!(cnt01 < cnt04);
    assert!(
        out.contains(
            "  FAIL    docker-compose.yml:20:5  docker-compose.yml › services.db  [CNT-01 high]"
        ),
        "{out}"
    );
    assert!(out.contains("fix: add `user: \"70:70\"` to the service"));
    assert!(out.contains("WAIVED"));
    assert!(out.contains(
        "waived: \"postgres writes its socket; tracked in OPS-12\" — owner ops@example.org, expires 2099-01-01 (vigie.toml:3)"
    ), "{out}");
    assert!(out.contains("waiver expired: \"legacy worker\""), "{out}");
    assert!(!out.contains("PASS    "), "passes only with -v");
    assert!(out.contains("\nDiagnostics\n"));
    assert!(out.contains("VG-PARSE"));
    assert!(out.contains("\nSummary\n"));
    assert!(out.contains("FT-082 R7"));
    let last = out.trim_end().lines().last().unwrap();
    // CNT-01 on db, CNT-04 on api and worker: high; the medium CNT-02 all pass
    assert_eq!(
        last,
        "FAIL: 3 failures at or above high (1 waived) in 2 controls, 1 diagnostic at or above high (VG-PARSE at k8s/broken.yaml:3:7)"
    );
    let verbose = render(
        &report,
        Format::Text,
        &RenderOptions {
            color: false,
            verbose: true,
            quiet: false,
            compact: false,
        },
    );
    assert!(
        verbose
            .contains("  PASS    api/Dockerfile:14:1  docker-compose.yml › services.api  [CNT-01]"),
        "{verbose}"
    );
}

#[test]
fn text_says_pass_when_the_gate_passes() {
    let passing: Vec<Verdict> = verdicts().into_iter().filter(|v| v.is_pass()).collect();
    let out = render(&report_of(passing, Vec::new()), Format::Text, &PLAIN);
    let todo = report_of(Vec::new(), Vec::new()).rollup.todo.len();
    assert_eq!(
        out.trim_end().lines().last().unwrap(),
        format!("PASS: no failure at or above high ({todo} attestations to do)")
    );
}

/// A measure title as the Markdown sets it in bold: `*` and `_` escaped.
fn bold(title: &str) -> String {
    title.replace('*', "\\*").replace('_', "\\_")
}
