//! Byte-identical copies of a file are judged once: a failure at a line of every copy is
//! reported at the first copy, with the others as related locations.

const DAEMONSET: &str = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\n  namespace: ops\nspec:\n  selector:\n    matchLabels: {app: agent}\n  template:\n    metadata:\n      labels: {app: agent}\n    spec:\n      containers:\n        - name: agent\n          image: example/agent:1.0\n";

#[test]
fn identical_copies_of_a_file_report_each_failure_once() {
    let r = crate::scan_files(&[
        ("samples/one/agent.yaml", DAEMONSET),
        ("samples/two/agent.yaml", DAEMONSET),
        ("samples/three/agent.yaml", DAEMONSET),
        // same objects, other bytes: not a copy, judged on its own
        ("other/agent.yaml", &DAEMONSET.replace("1.0", "1.1")),
        ("samples/one/Dockerfile", "FROM debian:12\nRUN true\n"),
        ("samples/two/Dockerfile", "FROM debian:12\nRUN true\n"),
    ]);
    let fails = |path: &str| {
        r.verdicts
            .iter()
            .filter(|v| v.is_fail() && v.location.path.as_ref() == path)
            .collect::<Vec<_>>()
    };
    let first = fails("samples/one/agent.yaml");
    assert!(!first.is_empty());
    assert!(
        fails("samples/two/agent.yaml").is_empty(),
        "{:#?}",
        fails("samples/two/agent.yaml")
    );
    assert!(fails("samples/three/agent.yaml").is_empty());
    assert!(
        !fails("other/agent.yaml").is_empty(),
        "a file with other content is judged"
    );
    // no (check, line) is reported twice at the first copy, and each names the other copies
    let mut seen = std::collections::HashSet::new();
    for v in &first {
        assert!(
            seen.insert((
                v.check,
                v.location.line,
                v.subject.clone(),
                v.message.clone()
            )),
            "{v:?}"
        );
        let related: Vec<&str> = v.related().iter().map(|l| l.path.as_ref()).collect();
        assert!(
            related.contains(&"samples/two/agent.yaml")
                && related.contains(&"samples/three/agent.yaml"),
            "{v:?}"
        );
        assert!(
            v.related()
                .iter()
                .filter(|l| l.path.as_ref() == "samples/two/agent.yaml")
                .all(|l| l.line == v.location.line),
            "the copy is named at the same line: {v:?}"
        );
    }
    // a Dockerfile's subject holds its path: the copies still merge
    assert!(!fails("samples/one/Dockerfile").is_empty());
    assert!(fails("samples/two/Dockerfile").is_empty());
}
