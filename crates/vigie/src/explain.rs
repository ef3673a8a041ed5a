//! `vigie explain` and `vigie docs`: the checks' own documentation, with the controls and
//! framework requirements they serve read from the catalogue.

use std::fmt::Write as _;
use std::path::Path;
use vigie_core::catalog::{Catalog, Control};
use vigie_core::verdict::{ATTESTATION, ATTESTATION_CHECK};
use vigie_core::{CheckDoc, DiagKind};

fn lang(kind: &str) -> &str {
    match kind {
        "dockerfile" => "dockerfile",
        "compose" | "kubernetes" | "yaml" => "yaml",
        other => other,
    }
}

/// A check's page, in Markdown (readable as plain text too).
pub fn check_page(doc: &CheckDoc) -> String {
    let cat = Catalog::embedded();
    let mut s = String::new();
    let _ = writeln!(s, "# {} — {}\n", doc.id, doc.title);
    let _ = writeln!(
        s,
        "Severity: **{}** · Reads: {}\n",
        doc.severity,
        doc.applies_to.join(", ")
    );
    let _ = writeln!(s, "## What it checks\n\n{}\n", doc.what.trim());
    let _ = writeln!(s, "## Why it matters\n\n{}\n", doc.why.trim());
    let _ = writeln!(s, "## How to fix\n\n{}\n", doc.fix.trim());
    for (heading, (kind, example)) in [
        ("Failing example", doc.failing),
        ("Passing example", doc.passing),
    ] {
        if !example.trim().is_empty() {
            let _ = writeln!(
                s,
                "## {heading}\n\n```{}\n{}\n```\n",
                lang(kind),
                example.trim_end()
            );
        }
    }
    let controls: Vec<&Control> = cat.controls_of_check(doc.id).collect();
    let _ = writeln!(s, "## Controls and framework requirements\n");
    for c in controls {
        let _ = writeln!(s, "- Control {} — {}", c.id, c.title);
    }
    for (fw, r) in cat.requirements_of_check(doc.id) {
        let _ = writeln!(s, "- {} — {} ({})", Catalog::label(fw, r), r.title, fw.id);
    }
    let _ = writeln!(
        s,
        "\nSuppress one finding with a reason: `# vigie:ignore {} <reason>` on the line or the line above, or the Kubernetes annotation `vigie.io/ignore: \"{}: <reason>\"`.",
        doc.id, doc.id
    );
    s
}

fn control_page(c: &Control) -> String {
    let cat = Catalog::embedded();
    let checks = vigie_scan::all_checks();
    let mut s = String::new();
    let _ = writeln!(s, "# {} — {}\n", c.id, c.title);
    let _ = writeln!(s, "Mode: {} · Domain: {}\n", c.mode, c.domain);
    let _ = writeln!(s, "{}\n", c.description.trim());
    let _ = writeln!(s, "How a repository shows it: {}\n", c.evidence.trim());
    let implemented: Vec<&CheckDoc> = c
        .checks
        .iter()
        .filter_map(|k| checks.iter().copied().find(|d| d.id == k))
        .collect();
    if implemented.is_empty() {
        let _ = writeln!(
            s,
            "No check of this version of vigie decides it yet: reports show it as not assessed.\n"
        );
    } else {
        let _ = writeln!(s, "## Checks\n");
        for d in implemented {
            let _ = writeln!(s, "- {} — {} ({})", d.id, d.title, d.severity);
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "## Framework requirements\n");
    for fw in &cat.frameworks {
        for sec in &fw.sections {
            for r in &sec.requirements {
                if r.controls.iter().any(|x| x == &c.id) {
                    let _ = writeln!(s, "- {} — {} ({})", Catalog::label(fw, r), r.title, fw.id);
                }
            }
        }
    }
    s
}

/// A diagnostic code's page (`VG-PARSE`): what it reports and when it fails the gate.
fn diagnostic_page(kind: DiagKind) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {} — a diagnostic of the scan itself\n", kind.code());
    let _ = writeln!(s, "Default severity: **{}**\n", kind.severity());
    let _ = writeln!(s, "{}\n", kind.describe());
    let gate = if kind == DiagKind::Skipped {
        "It never fails the gate: what could not be assessed is reported as not assessed, not as a failure."
    } else {
        "It fails the gate (exit 1) when its severity is at or above `--fail-on` and it is about a file \
that a check of the selected frameworks reads (or vigie's configuration, or a file whose kind \
vigie cannot tell): vigie cannot vouch for what it could not read. The text report names the \
diagnostics that failed the gate."
    };
    let _ = writeln!(s, "{gate}\n");
    let _ = writeln!(
        s,
        "Every diagnostic has the file (and line) it is about; the rest of the scan completes."
    );
    s
}

/// A framework requirement's page (`roadmap/2.4`, `anssi-docker/R8`): its controls and the
/// checks that decide it.
fn requirement_page(id: &str) -> Option<String> {
    let (fw_id, req_id) = id.split_once('/')?;
    let cat = Catalog::embedded();
    let fw = cat.framework(fw_id)?;
    let (section, req) = fw.sections.iter().find_map(|sec| {
        sec.requirements
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(req_id))
            .map(|r| (sec, r))
    })?;
    let mut s = String::new();
    let _ = writeln!(s, "# {} — {}\n", Catalog::label(fw, req), req.title);
    let _ = writeln!(
        s,
        "Framework: {} ({}) · Section: {} {}\n",
        fw.title, fw.id, section.id, section.title
    );
    if let Some(d) = &req.description {
        let _ = writeln!(s, "{}\n", d.trim());
    }
    let _ = writeln!(s, "## Controls\n");
    for cid in &req.controls {
        match cat.control(cid) {
            Some(c) => {
                let _ = writeln!(s, "- {} — {} ({})", c.id, c.title, c.mode);
            }
            None => {
                let _ = writeln!(s, "- {cid}");
            }
        }
    }
    let implemented = vigie_scan::all_checks();
    let checks: Vec<&str> = cat
        .requirement_checks(req)
        .into_iter()
        .filter(|c| implemented.iter().any(|d| d.id == *c))
        .collect();
    let _ = writeln!(s, "\n## Checks that decide it\n");
    if checks.is_empty() {
        let _ = writeln!(
            s,
            "None in this version of vigie: reports show it as not assessed, or attested when a person vouches for it (`vigie attest`)."
        );
    } else {
        for c in checks {
            let _ = writeln!(s, "- {c} (`vigie explain {c}`)");
        }
    }
    Some(s)
}

/// Every diagnostic kind, to find one by its code.
const DIAGNOSTIC_KINDS: [DiagKind; 11] = [
    DiagKind::Parse,
    DiagKind::TooLarge,
    DiagKind::Binary,
    DiagKind::Encoding,
    DiagKind::Io,
    DiagKind::Link,
    DiagKind::Reference,
    DiagKind::Suppression,
    DiagKind::Config,
    DiagKind::Skipped,
    DiagKind::Render,
];

/// The documentation of what a report names, by id (case-insensitive): a check or control
/// (`CNT-02`), a diagnostic (`VG-PARSE`), attestations (`ATTEST`), a framework requirement
/// (`roadmap/2.4`, `anssi-docker/R8`).
pub fn explain(id: &str) -> Option<String> {
    if let Some(kind) = DIAGNOSTIC_KINDS
        .iter()
        .find(|k| k.code().eq_ignore_ascii_case(id))
    {
        return Some(diagnostic_page(*kind));
    }
    if id.eq_ignore_ascii_case(ATTESTATION_CHECK) {
        return Some(check_page(&ATTESTATION));
    }
    if id.contains('/') {
        return requirement_page(id);
    }
    let checks = vigie_scan::all_checks();
    if let Some(c) = checks.iter().find(|c| c.id.eq_ignore_ascii_case(id)) {
        let mut s = check_page(c);
        if let Some(ctrl) = Catalog::embedded().control(id) {
            s.push('\n');
            s.push_str(&control_page(ctrl));
        }
        return Some(s);
    }
    Catalog::embedded().control(id).map(control_page)
}

/// Write `checks/<ID>.md` for every check and `frameworks/<id>.md` for every framework.
pub fn write_docs(dir: &Path) -> std::io::Result<usize> {
    let cat = Catalog::embedded();
    let checks_dir = dir.join("checks");
    let fw_dir = dir.join("frameworks");
    std::fs::create_dir_all(&checks_dir)?;
    std::fs::create_dir_all(&fw_dir)?;
    let mut n = 0;
    let mut index = String::from(
        "# Checks\n\nGenerated by `vigie docs`; do not edit by hand.\n\n| check | title | severity | reads |\n|---|---|---|---|\n",
    );
    for doc in vigie_scan::all_checks() {
        std::fs::write(checks_dir.join(format!("{}.md", doc.id)), check_page(doc))?;
        let _ = writeln!(
            index,
            "| [{}]({}.md) | {} | {} | {} |",
            doc.id,
            doc.id,
            doc.title,
            doc.severity,
            doc.applies_to.join(", ")
        );
        n += 1;
    }
    std::fs::write(checks_dir.join("README.md"), index)?;
    for fw in &cat.frameworks {
        let mut s = String::new();
        let _ = writeln!(s, "# {} — {}\n", fw.id, fw.title);
        let _ = writeln!(
            s,
            "{} · {}\n\n{}\n",
            fw.publisher,
            fw.version,
            fw.description.trim()
        );
        for sec in &fw.sections {
            let _ = writeln!(
                s,
                "## {} {}\n\n| requirement | title | controls | checks |\n|---|---|---|---|",
                sec.id, sec.title
            );
            for r in &sec.requirements {
                let checks: Vec<&str> = cat.requirement_checks(r).into_iter().collect();
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} |",
                    Catalog::label(fw, r),
                    r.title,
                    r.controls.join(", "),
                    if checks.is_empty() {
                        "— (not assessed)".to_string()
                    } else {
                        checks.join(", ")
                    }
                );
            }
            let _ = writeln!(s);
        }
        std::fs::write(fw_dir.join(format!("{}.md", fw.id)), s)?;
        n += 1;
    }
    Ok(n)
}
