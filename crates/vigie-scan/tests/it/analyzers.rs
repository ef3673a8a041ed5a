//! The repository-level analysis hook: what an analysis is given, and that what it returns is
//! treated like every other verdict (sorted in, suppressed, waived, rolled up, documented).

use std::path::Path;
use std::sync::Mutex;
use vigie_checks::repo::{Analyzer, RepoInput, RepoOutput, RunOptions};
use vigie_core::config::Config;
use vigie_core::{CheckDoc, EvidenceTable, Location, Severity, Verdict};
use vigie_parse::kubernetes::Object;
use vigie_scan::{ScanOptions, scan_with};

// An id the catalogue lists (under CNT-09), so that the roll-up counts the probe's verdicts;
// nothing else in the scanned folder fails it.
static DOC: CheckDoc = CheckDoc {
    id: "CNT-09",
    title: "test analysis",
    severity: Severity::High,
    applies_to: &["kubernetes"],
    what: "w",
    why: "y",
    fix: "f",
    failing: ("k.yaml", ""),
    passing: ("k.yaml", ""),
};

/// Records what it was given, and fails once per kept NetworkPolicy.
struct Probe {
    seen: Mutex<Vec<String>>,
}

impl Analyzer for Probe {
    fn name(&self) -> &'static str {
        "probe"
    }
    fn checks(&self) -> &'static [&'static CheckDoc] {
        static C: [&CheckDoc; 1] = [&DOC];
        &C
    }
    fn keep(&self, o: &Object) -> Option<Object> {
        (o.kind == "NetworkPolicy").then(|| o.clone())
    }
    fn run(&self, input: &RepoInput<'_>, objects: &[Object], out: &mut RepoOutput) {
        let mut seen = self.seen.lock().unwrap();
        for f in input.files {
            seen.push(format!("file {}", f.rel));
        }
        seen.push(format!("compose {}", input.compose.len()));
        seen.push(format!("history {}", input.options.history));
        if let Some(t) = input.config.section("network") {
            seen.push(format!("section {}", t.get_ref().len()));
        }
        for o in objects {
            out.verdicts.push(Verdict::fail(
                &DOC,
                o.id(),
                o.at.clone(),
                "policy seen",
                "fix it",
            ));
        }
        out.verdicts.push(Verdict::pass(
            &DOC,
            "nginx.conf",
            Location::new("a/nginx.conf".into(), 1, 1),
            "pass",
        ));
        out.tables.push(EvidenceTable {
            control: "NET-02".into(),
            title: "who reaches the database".into(),
            columns: vec!["from".into(), "through".into()],
            rows: vec![vec!["api".into(), "network backend".into()]],
        });
    }
}

fn options(root: &Path, config: Config) -> ScanOptions {
    ScanOptions {
        config,
        run: RunOptions {
            history: true,
            since: None,
        },
        ..ScanOptions::new(root, time::macros::date!(2026 - 12 - 01))
    }
}

#[test]
fn an_analysis_sees_every_file_and_its_verdicts_join_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let w = |p: &str, t: &str| {
        let p = dir.path().join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, t).unwrap();
    };
    w("a/nginx.conf", "events {}\n");
    w(
        "k8s/policies.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n  namespace: shop\nspec:\n  podSelector: {}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow\n  namespace: shop\n  annotations:\n    vigie.io/ignore: \"CNT-09: accepted\"\nspec:\n  podSelector: {}\n",
    );
    w(
        "docker-compose.yml",
        "services:\n  web:\n    image: nginx\n",
    );
    let config = Config::parse("vigie.toml", "[network]\na = 1\nb = 2\n").unwrap();
    let probe: &'static Probe = Box::leak(Box::new(Probe {
        seen: Mutex::new(Vec::new()),
    }));
    let report = scan_with(&options(dir.path(), config), &[probe]).unwrap();
    let seen = probe.seen.lock().unwrap().clone();
    for want in [
        "file a/nginx.conf",
        "file docker-compose.yml",
        "file k8s/policies.yaml",
        "compose 1",
        "history true",
        "section 2",
    ] {
        assert!(seen.iter().any(|s| s == want), "{want} not in {seen:?}");
    }
    let ours: Vec<&Verdict> = report
        .verdicts
        .iter()
        .filter(|v| ["policy seen", "pass"].contains(&&*v.message))
        .collect();
    assert_eq!(ours.len(), 3, "{ours:#?}");
    assert!(
        report
            .verdicts
            .is_sorted_by(|a, b| a.sort_key() <= b.sort_key()),
        "analysis verdicts are merged in order"
    );
    let deny = ours.iter().find(|v| v.subject.contains("deny")).unwrap();
    assert!(deny.is_fail());
    let allow = ours.iter().find(|v| v.subject.contains("allow")).unwrap();
    assert!(
        allow.waiver().is_some(),
        "annotation waives analysis verdicts"
    );
    assert!(report.checks.iter().any(|c| c.id == "CNT-09"));
    assert_eq!(report.tables.len(), 1);
    assert_eq!(report.tables[0].control, "NET-02");
    let control = report
        .rollup
        .controls
        .iter()
        .find(|c| c.id == "CNT-09")
        .expect("CNT-09 rolled up");
    assert_eq!(
        (control.tally.failed, control.tally.waived),
        (1, 1),
        "the probe's failure and waived failure are counted: {control:?}"
    );
    assert_ne!(control.status, vigie_core::rollup::Status::Compliant);
    assert!(report.gate_failed());
}
