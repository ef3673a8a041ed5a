//! Comparing a report with a previous JSON report (`vigie_report::compare`), and the changes
//! rendered in every format: moved lines are no change, strings from the repository stay inert.

use crate::common::*;
use vigie_core::{Location, Outcome, ScanReport, Verdict};
use vigie_report::{Format, RenderOptions, compare, render};

fn json(report: &ScanReport) -> String {
    render(report, Format::Json, &RenderOptions::default())
}

/// A failure whose subject and message carry markup, quotes, pipes and control characters.
fn hostile_failure() -> Verdict {
    Verdict::fail(
        &CNT_01,
        "<script>x</script> | `y` › \"z\"\nw",
        Location::new("new <dir>/a&b.yml".into(), 4, 2),
        "<img src=x onerror=alert(1)> ]]> \u{1b}[31m | **bold**",
        "fix",
    )
}

#[test]
fn a_report_whose_lines_all_moved_has_no_changes() {
    let previous = json(&sample_report());
    let mut moved = sample_report();
    for v in &mut moved.verdicts {
        v.location.line += 3;
    }
    let c = compare(&moved, &previous, "previous.json").unwrap();
    assert!(c.is_empty(), "{c:#?}");
    assert!(c.unchanged_failures > 0);
    assert_eq!(c.previous.as_of, "2026-11-23");
}

#[test]
fn a_removed_failure_is_fixed_and_an_added_one_is_new() {
    let before = sample_report();
    let previous = json(&before);
    let mut verdicts = verdicts();
    let gone = verdicts
        .iter()
        .position(|v| v.outcome == Outcome::Fail)
        .unwrap();
    let removed = verdicts.remove(gone);
    verdicts.push(hostile_failure());
    verdicts.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let now = report_of(verdicts, diagnostics());
    let c = compare(&now, &previous, "previous.json").unwrap();
    assert_eq!(c.fixed_failures.len(), 1, "{c:#?}");
    assert_eq!(c.fixed_failures[0].subject, &*removed.subject);
    assert_eq!(c.new_failures.len(), 1, "{c:#?}");
    assert_eq!(c.new_failures[0].subject, &*hostile_failure().subject);
    // the fingerprints are those a baseline records
    let fps: Vec<String> = vigie_report::failure_fingerprints(&now)
        .into_iter()
        .map(|(_, fp)| fp)
        .collect();
    assert!(fps.contains(&c.new_failures[0].fingerprint));
}

#[test]
fn changes_render_in_every_format_without_carrying_markup() {
    let previous = json(&sample_report());
    let mut verdicts = verdicts();
    verdicts.push(hostile_failure());
    verdicts.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut now = report_of(verdicts, diagnostics());
    now.changes = Some(compare(&now, &previous, "prev <b>.json").unwrap());
    for format in Format::ALL {
        let a = render(&now, format, &RenderOptions::default());
        assert_eq!(
            a,
            render(&now, format, &RenderOptions::default()),
            "{format}"
        );
    }
    let html = render(&now, Format::Html, &RenderOptions::default());
    assert!(html.contains("<section id=\"changes\">"), "{html}");
    assert!(!html.contains("<script>") && !html.contains("<img") && !html.contains("<b>"));
    let text = render(&now, Format::Text, &RenderOptions::default());
    assert!(
        text.contains("Changes since the report of 2026-11-23"),
        "{text}"
    );
    let doc: serde_json::Value = serde_json::from_str(&json(&now)).unwrap();
    assert_eq!(doc["changes"]["new_failures"].as_array().unwrap().len(), 1);
    let sarif: serde_json::Value =
        serde_json::from_str(&render(&now, Format::Sarif, &RenderOptions::default())).unwrap();
    let states: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["baselineState"].as_str())
        .collect();
    assert_eq!(
        states.iter().filter(|s| **s == "new").count(),
        1,
        "{states:?}"
    );
    assert!(states.contains(&"unchanged"));
}
