//! Precision and recall of the built-in rules on the corpus of realistic files in `tests/corpus/`,
//! against the findings `tests/corpus/expected.toml` lists per file (`line = 0`: a file rule).
//! Run with `--nocapture` to see the figures and every miss and false positive.

use std::collections::BTreeSet;
use std::path::Path;
use vigie_secrets::engine::Engine;
use vigie_secrets::rules::RuleSet;

#[derive(serde::Deserialize)]
struct Expected {
    #[serde(default)]
    file: Vec<ExpectedFile>,
}

#[derive(serde::Deserialize)]
struct ExpectedFile {
    path: String,
    #[serde(default)]
    findings: Vec<ExpectedFinding>,
}

#[derive(serde::Deserialize)]
struct ExpectedFinding {
    rule: String,
    line: u32,
}

#[test]
fn corpus_precision_and_recall() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let Ok(text) = std::fs::read_to_string(root.join("expected.toml")) else {
        eprintln!("no tests/corpus/expected.toml: nothing to measure");
        return;
    };
    let expected: Expected = toml::from_str(&text).expect("expected.toml parses");
    let want: BTreeSet<(String, String, u32)> = expected
        .file
        .iter()
        .flat_map(|f| {
            f.findings
                .iter()
                .map(move |x| (f.path.clone(), x.rule.clone(), x.line))
        })
        .collect();
    let engine = Engine::new(RuleSet::builtin(), Vec::new());
    let (files, _) = vigie_secrets::list_files(&root, true);
    let out = vigie_secrets::scan_files(&engine, &files, 50 << 20);
    // One finding per secret: each location of a finding, with every rule that found it
    // (`rules`, the reported one first) as evidence. An expected (file, rule, line) is found
    // when a location on that line names the rule (line 0, a file rule, stands for any line of
    // the file); a location that meets no expectation is a false positive.
    let got: Vec<(String, u32, Vec<String>)> = out
        .findings
        .iter()
        .flat_map(|f| {
            f.locations
                .iter()
                .map(move |l| (l.path.clone(), l.line, f.rules.clone()))
        })
        .filter(|(p, _, _)| p != "expected.toml")
        .collect();
    let meets = |w: &(String, String, u32), g: &(String, u32, Vec<String>)| {
        w.0 == g.0 && (w.2 == 0 || w.2 == g.1) && g.2.contains(&w.1)
    };
    let found = |w: &(String, String, u32)| got.iter().any(|g| meets(w, g));
    let tp = want.iter().filter(|w| found(w)).count();
    let false_positives: Vec<&(String, u32, Vec<String>)> = got
        .iter()
        .filter(|g| !want.iter().any(|w| meets(w, g)))
        .collect();
    let precision = (got.len() - false_positives.len()) as f64 / got.len().max(1) as f64;
    let recall = tp as f64 / want.len().max(1) as f64;
    eprintln!(
        "corpus: {} files, {} expected, {} found, {} true positives: precision {:.3}, recall {:.3}",
        files.len(),
        want.len(),
        got.len(),
        tp,
        precision,
        recall
    );
    for m in want.iter().filter(|w| !found(w)) {
        eprintln!("  missed: {m:?}");
    }
    for f in &false_positives {
        eprintln!("  false positive: {f:?}");
    }
    assert!(precision >= 0.9, "precision {precision:.3} below 0.9");
    assert!(recall >= 0.9, "recall {recall:.3} below 0.9");
}
