//! A realistic report built by hand: four Compose services judged by three checks, a waived
//! failure, a failure whose waiver expired, a check without verdicts and two diagnostics.

use std::collections::BTreeSet;
use vigie_core::catalog::{Catalog, Framework};
use vigie_core::rollup::roll_up;
use vigie_core::verdict::Waiver;
use vigie_core::{CheckDoc, DiagKind, Diagnostic, Location, ScanReport, Severity, Stats, Verdict};

pub const CNT_01: CheckDoc = CheckDoc {
    id: "CNT-01",
    title: "Containers run as a non-root user",
    severity: Severity::High,
    applies_to: &["compose", "kubernetes", "dockerfile"],
    what: "The user each container runs as: Compose `user:`, else the image's last USER.",
    why: "A process running as root in a container is one kernel bug away from root on the host.",
    fix: "Set `USER` in the Dockerfile's final stage, or `user:` on the service, to a non-zero UID.",
    failing: ("compose", "services:\n  api:\n    image: node:22\n"),
    passing: (
        "compose",
        "services:\n  api:\n    image: node:22\n    user: \"1000:1000\"\n",
    ),
};

pub const CNT_02: CheckDoc = CheckDoc {
    id: "CNT-02",
    title: "All capabilities dropped",
    severity: Severity::Medium,
    applies_to: &["compose", "kubernetes"],
    what: "Whether every capability is dropped and none but NET_BIND_SERVICE added back.",
    why: "The default capability set grants powers almost no service needs.",
    fix: "Add `cap_drop: [ALL]` to the service.",
    failing: ("compose", "services:\n  api:\n    image: x\n"),
    passing: (
        "compose",
        "services:\n  api:\n    image: x\n    cap_drop: [ALL]\n",
    ),
};

pub const CNT_03: CheckDoc = CheckDoc {
    id: "CNT-03",
    title: "No privilege escalation",
    severity: Severity::High,
    applies_to: &["compose", "kubernetes"],
    what: "Whether no-new-privileges is set.",
    why: "setuid binaries would otherwise raise privileges.",
    fix: "Add `security_opt: [\"no-new-privileges:true\"]`.",
    failing: ("compose", "services:\n  api:\n    image: x\n"),
    passing: (
        "compose",
        "services:\n  api:\n    image: x\n    security_opt: [\"no-new-privileges:true\"]\n",
    ),
};

pub const CNT_04: CheckDoc = CheckDoc {
    id: "CNT-04",
    title: "Read-only root filesystem",
    severity: Severity::High,
    applies_to: &["compose", "kubernetes"],
    what: "Whether the root filesystem is mounted read-only.",
    why: "A writable root filesystem lets an intruder alter binaries and persist.",
    fix: "Set `read_only: true` and mount `tmpfs` where the service writes scratch data.",
    failing: ("compose", "services:\n  api:\n    image: x\n"),
    passing: (
        "compose",
        "services:\n  api:\n    image: x\n    read_only: true\n",
    ),
};

/// The checks of the sample build: CNT-03 is implemented but judged nothing.
pub fn checks() -> Vec<&'static CheckDoc> {
    vec![&CNT_01, &CNT_02, &CNT_03, &CNT_04]
}

pub const COMPOSE: &str = "docker-compose.yml";

pub fn at(path: &str, line: u32, column: u32) -> Location {
    Location::new(path.into(), line, column)
}

pub fn subject(service: &str) -> String {
    format!("{COMPOSE} › services.{service}")
}

pub fn waiver(reason: &str, owner: Option<&str>, expires: &str, line: u32) -> Waiver {
    Waiver {
        reason: reason.to_string(),
        owner: owner.map(str::to_string),
        expires: Some(expires.to_string()),
        source: at("vigie.toml", line, 1),
    }
}

pub fn verdicts() -> Vec<Verdict> {
    let mut v = vec![
        Verdict::pass(
            &CNT_01,
            subject("api"),
            at("api/Dockerfile", 14, 1),
            "runs as `node` (`USER node`), not overridden in docker-compose.yml",
        ),
        Verdict::fail(
            &CNT_01,
            subject("db"),
            at(COMPOSE, 20, 5),
            "runs as root: the image sets no USER and the service no `user:`",
            "add `user: \"70:70\"` to the service",
        ),
        Verdict::pass(
            &CNT_01,
            subject("proxy"),
            at(COMPOSE, 30, 5),
            "`user: \"101\"`",
        ),
        Verdict::pass(
            &CNT_01,
            subject("worker"),
            at(COMPOSE, 40, 5),
            "`user: \"1000\"`",
        ),
        Verdict::fail(
            &CNT_04,
            subject("api"),
            at(COMPOSE, 8, 5),
            "the root filesystem is writable",
            "set `read_only: true`",
        )
        .with_related(Some(at("api/Dockerfile", 1, 1))),
    ];
    let mut waived = Verdict::fail(
        &CNT_04,
        subject("db"),
        at(COMPOSE, 20, 5),
        "the root filesystem is writable",
        "set `read_only: true` with `tmpfs: [/run/postgresql]`",
    );
    waived.waive(waiver(
        "postgres writes its socket; tracked in OPS-12",
        Some("ops@example.org"),
        "2099-01-01",
        3,
    ));
    v.push(waived);
    v.push(Verdict::pass(
        &CNT_04,
        subject("proxy"),
        at(COMPOSE, 31, 5),
        "`read_only: true`",
    ));
    let mut expired = Verdict::fail(
        &CNT_04,
        subject("worker"),
        // line 0: the file as a whole
        Location::file(COMPOSE.into()),
        "the root filesystem is writable — the waiver at vigie.toml:9 expired on 2020-01-01",
        "set `read_only: true`",
    );
    expired.set_expired_waiver(waiver("legacy worker", None, "2020-01-01", 9));
    v.push(expired);
    for (svc, line) in [("api", 7), ("db", 19), ("proxy", 29), ("worker", 39)] {
        v.push(Verdict::pass(
            &CNT_02,
            subject(svc),
            at(COMPOSE, line, 5),
            "`cap_drop: [ALL]` via `x-hardened`",
        ));
    }
    v.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    v
}

pub fn diagnostics() -> Vec<Diagnostic> {
    vec![
        Diagnostic::new(
            DiagKind::Parse,
            at("k8s/broken.yaml", 3, 7),
            "did not find expected ',' or ']'",
        ),
        Diagnostic::new(
            DiagKind::TooLarge,
            Location::file("k8s/huge.yaml".into()),
            "2.0 MB is over the 1 MB limit",
        ),
    ]
}

pub const FRAMEWORKS: [&str; 4] = ["roadmap", "devsecops", "anssi-docker", "cis-docker"];

/// Build a report from verdicts and diagnostics, rolled up over [`FRAMEWORKS`].
pub fn report_of(verdicts: Vec<Verdict>, diagnostics: Vec<Diagnostic>) -> ScanReport {
    let catalog = Catalog::embedded();
    let frameworks: Vec<&Framework> = catalog
        .frameworks
        .iter()
        .filter(|f| FRAMEWORKS.contains(&f.id.as_str()))
        .collect();
    let checks = checks();
    let implemented: BTreeSet<&str> = checks.iter().map(|c| c.id).collect();
    let rollup = roll_up(catalog, &verdicts, &implemented, &frameworks);
    ScanReport {
        tool_version: "0.1.0",
        root: "examples/compose".to_string(),
        commit: None,
        as_of: "2026-11-23".to_string(),
        frameworks: frameworks.iter().map(|f| f.id.clone()).collect(),
        fail_on: Severity::High,
        stats: Stats {
            files_seen: 9,
            files_parsed: 5,
            bytes_parsed: 12_345,
            dockerfiles: 2,
            compose_projects: 1,
            kubernetes_objects: 0,
            workloads: 4,
        },
        verdicts,
        diagnostics,
        rollup,
        checks,
        tables: Vec::new(),
        unassessed: Vec::new(),
        changes: None,
        scope: Default::default(),
    }
}

pub fn sample_report() -> ScanReport {
    report_of(verdicts(), diagnostics())
}
