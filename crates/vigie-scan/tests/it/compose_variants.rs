//! A base Compose file with several `compose.ENV.yaml` variants forms one project per variant;
//! a service of the base is judged in each, and reported once, naming the projects. A base
//! whose flow sequences close at the key's column (as Docker Compose accepts) is read.

const BASE: &str = "services:\n  api:\n    image: example/api:1.0\n    command: [\n      \"serve\",\n      \"--port\", \"8080\"\n    ]\n  db:\n    image: postgres:16\n";
const AGENT: &str = "services:\n  agent:\n    image: example/agent:2.0\n    depends_on: [api]\n";
const EXTRAS: &str = "services:\n  api:\n    environment:\n      LOG_LEVEL: debug\n";

#[test]
fn a_service_of_the_base_is_reported_once_for_every_variant() {
    let r = crate::scan_files(&[
        ("compose.yaml", BASE),
        ("compose.agent.yaml", AGENT),
        ("compose.extras.yaml", EXTRAS),
    ]);
    let bad: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.severity >= vigie_core::Severity::Medium)
        .collect();
    assert!(bad.is_empty(), "the base is read and `api` found: {bad:#?}");
    let caps: Vec<_> = r
        .verdicts
        .iter()
        .filter(|v| v.is_fail() && v.check == "CNT-02" && v.subject.ends_with("services.api"))
        .collect();
    assert_eq!(caps.len(), 1, "{caps:#?}");
    assert_eq!(caps[0].location.path.as_ref(), "compose.yaml");
    for project in [
        "compose.yaml",
        "compose.yaml+compose.agent.yaml",
        "compose.yaml+compose.extras.yaml",
    ] {
        assert!(caps[0].message.contains(project), "{}", caps[0].message);
    }
    // a service only a variant adds is its own finding, not named after the others
    let agent: Vec<_> = r
        .verdicts
        .iter()
        .filter(|v| v.is_fail() && v.check == "CNT-02" && v.subject.ends_with("services.agent"))
        .collect();
    assert_eq!(agent.len(), 1, "{agent:#?}");
    assert!(!agent[0].message.contains("(unit"), "{}", agent[0].message);
}
