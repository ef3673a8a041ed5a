//! Every requirement of every framework is decided by the checks it lists, and by nothing else.
//!
//! The report holds two failing verdicts per check of the catalogue, each on a subject of its own
//! named after the check: a requirement's tally must then count exactly its listed checks, and
//! under each measure of the documents, the evidence must name exactly those checks' subjects —
//! never a neighbour's from the same control.

use std::collections::BTreeSet;
use vigie_core::catalog::{Catalog, Framework};
use vigie_core::rollup::roll_up;
use vigie_core::{CheckDoc, Location, ScanReport, Severity, Stats, Verdict};
use vigie_report::{Format, RenderOptions, render};

fn doc_of(id: &str) -> &'static CheckDoc {
    Box::leak(Box::new(CheckDoc {
        id: Box::leak(id.to_string().into_boxed_str()),
        title: "t",
        severity: Severity::High,
        applies_to: &[],
        what: "",
        why: "",
        fix: "",
        failing: ("", ""),
        passing: ("", ""),
    }))
}

fn subject_of(check: &str) -> String {
    format!("subject-of-{check}")
}

fn report() -> ScanReport {
    let catalog = Catalog::embedded();
    let ids: BTreeSet<&str> = catalog
        .controls
        .iter()
        .flat_map(|c| c.checks.iter().map(String::as_str))
        .collect();
    let checks: Vec<&'static CheckDoc> = ids.iter().map(|id| doc_of(id)).collect();
    let verdicts: Vec<Verdict> = checks
        .iter()
        .flat_map(|d| {
            ["a", "b"].map(|n| {
                Verdict::fail(
                    d,
                    format!("{} {n}", subject_of(d.id)),
                    Location::new("f.yml".into(), 1, 1),
                    format!("{} fails", d.id),
                    "fix it",
                )
            })
        })
        .collect();
    let frameworks: Vec<&Framework> = catalog.frameworks.iter().collect();
    let rollup = roll_up(catalog, &verdicts, &ids, &frameworks);
    ScanReport {
        tool_version: "0.1.0",
        root: "repo".to_string(),
        commit: None,
        as_of: "2026-11-23".to_string(),
        frameworks: frameworks.iter().map(|f| f.id.clone()).collect(),
        fail_on: Severity::High,
        stats: Stats::default(),
        verdicts,
        diagnostics: Vec::new(),
        rollup,
        checks,
        tables: Vec::new(),
        unassessed: Vec::new(),
        changes: None,
        scope: Default::default(),
    }
}

#[test]
fn every_requirement_counts_only_the_checks_it_lists() {
    let catalog = Catalog::embedded();
    let report = report();
    let mut seen = 0;
    for res in &report.rollup.frameworks {
        let fw = catalog.framework(&res.id).unwrap();
        let listed = fw.sections.iter().flat_map(|s| &s.requirements);
        let results = res.sections.iter().flat_map(|s| &s.requirements);
        for (r, rr) in listed.zip(results) {
            assert_eq!(r.id, rr.id);
            let want: BTreeSet<&str> = r.checks.iter().map(String::as_str).collect();
            let got: BTreeSet<&str> = rr.checks.iter().map(String::as_str).collect();
            assert_eq!(got, want, "{} {}", fw.id, r.id);
            assert_eq!(rr.tally.subjects, 2 * want.len(), "{} {}", fw.id, r.id);
            assert_eq!(rr.tally.failed, 2 * want.len(), "{} {}", fw.id, r.id);
            seen += 1;
        }
    }
    assert!(seen > 150, "{seen} requirements");
}

/// The measures of a markdown document, by title, with the checks their evidence names.
/// The bold title of a measure line, unescaped: it ends at the first `**` not escaped.
fn bold_title(line: &str) -> String {
    let rest = line.split_once("**").map_or("", |(_, r)| r);
    let mut title = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => title.extend(chars.next()),
            '*' if chars.peek() == Some(&'*') => break,
            _ => title.push(c),
        }
    }
    title
}

fn measures_of(markdown: &str, heading: &str) -> Vec<(String, BTreeSet<String>)> {
    let mut out: Vec<(String, BTreeSet<String>)> = Vec::new();
    let mut inside = false;
    for line in markdown.lines() {
        if let Some(h) = line.strip_prefix("# ") {
            inside = h == heading;
            continue;
        }
        if !inside {
            continue;
        }
        let t = line.trim_start();
        if t.starts_with("- [") {
            let title = bold_title(t);
            out.push((title, BTreeSet::new()));
        } else if let Some((_, checks)) = out.last_mut() {
            for part in t.split("subject-of-").skip(1) {
                let check: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
                    .collect();
                checks.insert(check);
            }
        }
    }
    out
}

#[test]
fn under_each_measure_of_the_documents_only_its_own_checks_speak() {
    let catalog = Catalog::embedded();
    let report = report();
    let verbose = RenderOptions {
        color: false,
        verbose: true,
        ..RenderOptions::default()
    };
    let markdown = render(&report, Format::Markdown, &verbose);
    for fw in catalog.frameworks.iter().filter(|f| f.document) {
        let heading = fw.heading.as_deref().unwrap_or(&fw.title);
        let measures = measures_of(&markdown, heading);
        let requirements: Vec<_> = fw.sections.iter().flat_map(|s| &s.requirements).collect();
        assert_eq!(measures.len(), requirements.len(), "{}", fw.id);
        for (r, (title, named)) in requirements.iter().zip(&measures) {
            assert_eq!(&r.title, title, "{}", fw.id);
            let want: BTreeSet<String> = r.checks.iter().cloned().collect();
            assert_eq!(named, &want, "{} {} `{}`", fw.id, r.id, r.title);
        }
    }
    // without -v a measure stays short: three failures, then a count of the others
    let short = render(&report, Format::Markdown, &RenderOptions::default());
    assert!(short.lines().count() < markdown.lines().count());
    assert!(short.contains("more failures (`vigie scan -v` lists all)"));
}
