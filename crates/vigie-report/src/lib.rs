//! vigie-report: the renderers. Each reads a [`ScanReport`] and nothing else, and returns the
//! whole document as a string.
//!
//! - [`Format::Text`]: for terminals and CI logs, failures grouped by control, then a summary.
//! - [`Format::Json`]: vigie's own versioned schema (`schemas/vigie-report.schema.json`).
//! - [`Format::Sarif`]: SARIF 2.1.0 for code scanning (GitHub, GitLab, IDEs).
//! - [`Format::Markdown`]: the compliance documents (roadmap, DevSecOps checklist) with evidence.
//! - [`Format::Junit`]: JUnit XML, one test suite per control, one test case per subject.
//! - [`Format::Html`]: the compliance documents as one self-contained page ([`render_html`]
//!   adds links to the repository and the platform graph).
//!
//! A report compared with a previous one ([`compare`], `vigie scan --compare`) carries its
//! changes, and every format shows them.
//!
//! Every output is deterministic: the same report gives byte-identical output.

mod common;
mod compare;
mod html;
mod json;
mod junit;
mod markdown;
mod sarif;
mod text;

use std::fmt;
use std::str::FromStr;
use vigie_core::ScanReport;

pub use compare::compare;
pub use html::HtmlOptions;
pub use sarif::{FINGERPRINT_KEY, SarifBase, failure_fingerprints};

/// SARIF with URIs relative to the repository the scanned folder is in (see [`SarifBase`]);
/// [`render`] writes them relative to the scanned folder.
pub fn render_sarif(report: &ScanReport, base: &SarifBase) -> String {
    sarif::render_at(report, base)
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Markdown,
    Junit,
    Html,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Text,
        Format::Json,
        Format::Sarif,
        Format::Markdown,
        Format::Junit,
        Format::Html,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Markdown => "markdown",
            Format::Junit => "junit",
            Format::Html => "html",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "markdown" | "md" => Ok(Format::Markdown),
            "junit" => Ok(Format::Junit),
            "html" => Ok(Format::Html),
            _ => Err(format!(
                "unknown format `{s}` (expected text, json, sarif, markdown, junit or html)"
            )),
        }
    }
}

/// How to render.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// ANSI colours (text only). Off: no escape code at all.
    pub color: bool,
    /// List passing verdicts (the evidence) in full.
    pub verbose: bool,
    /// Text: the failures, the diagnostics that fail the gate and the verdict line only.
    pub quiet: bool,
    /// Text: one line per finding (no fix, waiver or related lines).
    pub compact: bool,
}

/// Render a report in a format.
/// Write a report to `w`. JSON is streamed, so a large report is never held whole in memory.
pub fn render_to(
    report: &ScanReport,
    format: Format,
    opts: &RenderOptions,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::render_to(report, w),
        other => w.write_all(render(report, other, opts).as_bytes()),
    }
}

pub fn render(report: &ScanReport, format: Format, opts: &RenderOptions) -> String {
    match format {
        Format::Text => text::render(report, opts),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Markdown => markdown::render(report, opts),
        Format::Junit => junit::render(report),
        Format::Html => html::render(report, opts.verbose, &HtmlOptions::default()),
    }
}

/// The HTML page with what only the caller knows: how to link a file of the repository, the
/// scanned commit, the platform graph.
pub fn render_html(report: &ScanReport, opts: &RenderOptions, html: &HtmlOptions) -> String {
    html::render(report, opts.verbose, html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_and_print() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
            assert_eq!(f.to_string(), f.as_str());
        }
        assert_eq!("md".parse::<Format>(), Ok(Format::Markdown));
        assert_eq!("SARIF".parse::<Format>(), Ok(Format::Sarif));
        let err = "pdf".parse::<Format>().unwrap_err();
        assert!(err.contains("pdf"), "{err}");
    }
}
