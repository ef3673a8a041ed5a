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

/// A Makefile that starts the base with its layers decides the projects: a hardening layer
/// merged over the base by `make start` is judged with it; the base alone and the layer no
/// command starts (`compose.extras.yaml`) are not projects of their own.
#[test]
fn the_projects_a_makefile_starts_are_the_units() {
    const HARDENING: &str = "services:\n  api:\n    cap_drop: [ALL]\n  db:\n    cap_drop: [ALL]\n";
    const MAKEFILE: &str = "COMPOSE ?= docker compose\nCORE = -f compose.yaml\nSAFE = $(CORE) -f compose.hardening.yaml\n\nstart:\n\t$(COMPOSE) --env-file .env $(SAFE) up --detach\n\nwith-agent:\n\t$(COMPOSE) $(SAFE) \\\n\t\t-f compose.agent.yaml up -d\n\nbuild:\n\t$(COMPOSE) $(CORE) build\n";
    let r = crate::scan_files(&[
        ("compose.yaml", BASE),
        ("compose.hardening.yaml", HARDENING),
        ("compose.agent.yaml", AGENT),
        ("compose.extras.yaml", EXTRAS),
        ("Makefile", MAKEFILE),
    ]);
    let caps = |service: &str| -> Vec<&vigie_core::Verdict> {
        r.verdicts
            .iter()
            .filter(|v| v.check == "CNT-02" && v.subject.ends_with(service))
            .collect()
    };
    // `api` and `db` are hardened in every project the Makefile starts
    for service in ["services.api", "services.db"] {
        let all = caps(service);
        assert!(
            !all.is_empty() && all.iter().all(|v| v.is_pass()),
            "{all:#?}"
        );
    }
    // the agent layer is judged in the project the Makefile starts it in
    let agent = caps("services.agent");
    assert!(!agent.is_empty());
    assert!(
        agent.iter().all(|v| v
            .subject
            .starts_with("compose.yaml+compose.hardening.yaml+compose.agent.yaml")),
        "{agent:#?}"
    );
    let subjects: Vec<&str> = r.verdicts.iter().map(|v| v.subject.as_ref()).collect();
    assert!(
        subjects
            .iter()
            .all(|s| !s.starts_with("compose.yaml ›") && !s.contains("extras")),
        "{subjects:#?}"
    );
    assert_eq!(r.stats.compose_projects, 2, "{:#?}", r.stats);
    // a command whose files depend on the caller's environment is noted where it is written
    let r = crate::scan_files(&[
        ("compose.yaml", BASE),
        (
            "deploy.sh",
            "docker compose -f compose.yaml -f \"$LAYER\" up -d\n",
        ),
    ]);
    let notes: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.location.path.as_ref() == "deploy.sh")
        .collect();
    assert_eq!(notes.len(), 1, "{:#?}", r.diagnostics);
    assert_eq!(notes[0].location.line, 1);
    assert_eq!(notes[0].severity, vigie_core::Severity::Info);
    assert!(notes[0].message.contains("$LAYER"), "{}", notes[0].message);
    assert_eq!(
        r.stats.compose_projects, 1,
        "the folder's project is judged"
    );
}

/// A deploy job that starts the base alone (`-f docker-compose.yml`) leaves the override to
/// developers: the override's loosening is not judged as the deployment.
#[test]
fn a_deploy_job_that_names_the_base_alone_leaves_the_override_out() {
    const WORKFLOW: &str = "on: push\npermissions: {}\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: docker compose -f docker-compose.yml up -d --no-build\n";
    const OVERRIDE: &str = "services:\n  api:\n    privileged: true\n";
    let r = crate::scan_files(&[
        ("docker-compose.yml", BASE),
        ("docker-compose.override.yml", OVERRIDE),
        (".github/workflows/deploy.yml", WORKFLOW),
    ]);
    assert_eq!(r.stats.compose_projects, 1, "{:#?}", r.stats);
    assert!(
        !r.verdicts
            .iter()
            .any(|v| v.is_fail() && v.location.path.as_ref() == "docker-compose.override.yml"),
        "{:#?}",
        r.verdicts
            .iter()
            .filter(|v| v.is_fail())
            .collect::<Vec<_>>()
    );
    // without the job, `docker compose up` merges the override, and it is judged
    let r = crate::scan_files(&[
        ("docker-compose.yml", BASE),
        ("docker-compose.override.yml", OVERRIDE),
    ]);
    assert!(
        r.verdicts
            .iter()
            .any(|v| v.is_fail() && v.location.path.as_ref() == "docker-compose.override.yml"),
    );
}

/// A gap at one line that each project words with its own details (the database reachable by
/// one service in the base project, by two with a variant's worker) is one finding, naming the
/// projects and saying whose details it shows.
#[test]
fn one_gap_worded_per_project_is_reported_once() {
    let r = crate::scan_files(&[
        (
            "compose.yaml",
            "services:\n  api:\n    image: example/api:1.0\n  web:\n    image: example/web:1.0\n  db:\n    image: postgres:16\n",
        ),
        (
            "compose.extra.yaml",
            "services:\n  worker:\n    image: example/worker:1.0\n",
        ),
    ]);
    let reach: Vec<_> = r
        .verdicts
        .iter()
        .filter(|v| v.check == "NET-02.1" && v.is_fail())
        .collect();
    assert_eq!(reach.len(), 1, "{reach:#?}");
    let m = &reach[0].message;
    assert!(
        m.contains("units compose.yaml, compose.yaml+compose.extra.yaml")
            && m.contains("details differ per unit, these are compose.yaml's"),
        "{m}"
    );
}
