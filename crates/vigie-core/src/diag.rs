//! Diagnostics: what the scan itself has to report about its input. A file that cannot be read
//! or parsed is never silently dropped: it becomes a diagnostic with its location and reason.

use crate::{Location, Severity};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagKind {
    /// The file is malformed (YAML, JSON, Dockerfile syntax, duplicate keys, alias bombs…).
    Parse,
    /// The file is larger than the size limit.
    TooLarge,
    /// The file has NUL bytes in its first kilobytes.
    Binary,
    /// The file is not valid UTF-8: it was decoded with replacement characters and judged.
    Encoding,
    /// The file or folder could not be read, or is not a regular file (a FIFO, a device).
    Io,
    /// A symbolic link leaving the root, or a loop.
    Link,
    /// A reference the scan could not follow (`extends` to a missing file, a missing Dockerfile).
    Reference,
    /// A suppression comment or annotation without a reason, or naming an unknown check.
    Suppression,
    /// `vigie.toml` problems: unknown keys, bad dates, unknown checks.
    Config,
    /// A file deliberately not evaluated (a Helm template), reported so nothing is lost silently.
    Skipped,
    /// A Helm chart that could not be rendered (a template error, `fail`, a missing `required`
    /// value, a schema violation, invalid YAML produced by a template).
    Render,
}

impl DiagKind {
    /// The rule id used for diagnostics in SARIF and JUnit.
    pub fn code(self) -> &'static str {
        match self {
            DiagKind::Parse => "VG-PARSE",
            DiagKind::TooLarge => "VG-TOO-LARGE",
            DiagKind::Binary => "VG-BINARY",
            DiagKind::Encoding => "VG-ENCODING",
            DiagKind::Io => "VG-IO",
            DiagKind::Link => "VG-LINK",
            DiagKind::Reference => "VG-REFERENCE",
            DiagKind::Suppression => "VG-SUPPRESSION",
            DiagKind::Config => "VG-CONFIG",
            DiagKind::Skipped => "VG-SKIPPED",
            DiagKind::Render => "VG-RENDER",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            DiagKind::Parse => "A file could not be parsed; nothing in it was evaluated.",
            DiagKind::TooLarge => "A file is larger than the size limit and was not read.",
            DiagKind::Binary => "A file looks binary and was not read.",
            DiagKind::Encoding => {
                "A file is not valid UTF-8: it was read with replacement characters and judged."
            }
            DiagKind::Io => "A file or folder could not be read.",
            DiagKind::Link => {
                "A symbolic link leaves the scanned root or loops, and was not followed."
            }
            DiagKind::Reference => "A reference between files could not be followed.",
            DiagKind::Suppression => "A suppression is malformed and was not applied.",
            DiagKind::Config => "The configuration has a problem.",
            DiagKind::Skipped => "A file was deliberately not evaluated.",
            DiagKind::Render => {
                "A Helm chart could not be rendered as Helm renders it; what it failed to produce was not evaluated."
            }
        }
    }

    /// Default severity: what hides configuration from the checks is high, the rest lower.
    pub fn severity(self) -> Severity {
        match self {
            DiagKind::Parse
            | DiagKind::Reference
            | DiagKind::Config
            | DiagKind::Suppression
            | DiagKind::Render => Severity::High,
            DiagKind::Io | DiagKind::TooLarge | DiagKind::Encoding => Severity::Medium,
            DiagKind::Link | DiagKind::Binary => Severity::Low,
            DiagKind::Skipped => Severity::Info,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub kind: DiagKind,
    pub code: &'static str,
    pub severity: Severity,
    pub location: Location,
    pub message: String,
}

impl Diagnostic {
    pub fn new(kind: DiagKind, location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            kind,
            code: kind.code(),
            severity: kind.severity(),
            location,
            message: message.into(),
        }
    }

    /// A reference between objects that leads nowhere although every object was read and
    /// judged: a selector that matches no pod, a route to a Service the repository does not
    /// define, a policy in a namespace where nothing runs, a patch whose target matches nothing.
    /// Often a stale or mistyped name, often an object applied from elsewhere (an operator, a
    /// cluster add-on, another repository): worth a look, medium, but it hides no configuration
    /// from the checks — unlike a file a build could not read, which stays high and closes
    /// the gate.
    pub fn dangling(location: Location, message: impl Into<String>) -> Self {
        let mut d = Diagnostic::new(DiagKind::Reference, location, message);
        d.severity = Severity::Medium;
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_failures_are_high_severity_findings_with_their_own_code() {
        let d = Diagnostic::new(
            DiagKind::Render,
            Location::new("chart/templates/a.yaml".into(), 3, 1),
            "execution error",
        );
        assert_eq!(d.code, "VG-RENDER");
        assert_eq!(d.severity, Severity::High);
    }
}
