//! Inline suppressions: a comment `vigie:ignore CHECK-ID reason` on the offending line or the
//! line above (YAML and Dockerfiles), and the Kubernetes annotation
//! `vigie.io/ignore: "CHECK-ID: reason"` (several separated by `;` or new lines) on an object.
//! A suppression without a reason is rejected.

use crate::kubernetes::Object;
use std::sync::Arc;
use vigie_core::{DiagKind, Diagnostic, Location, SourceFile};

pub const ANNOTATION: &str = "vigie.io/ignore";
const MARKER: &str = "vigie:ignore";

#[derive(Debug, Clone, PartialEq)]
pub struct Suppression {
    /// A check id, or a control id for all its checks.
    pub check: String,
    pub reason: String,
    pub at: Location,
}

/// The suppression comments of a file, keyed by the lines they cover (their own and the next).
pub fn comments(file: &SourceFile) -> (Vec<(u32, Suppression)>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    if !file.text.contains(MARKER) {
        return (out, diags);
    }
    for (i, line) in file.text.lines().enumerate() {
        let Some(hash) = line.find('#') else { continue };
        let comment = &line[hash..];
        let Some(m) = comment.find(MARKER) else {
            continue;
        };
        let lineno = i as u32 + 1;
        let col = (line[..hash + m].chars().count() + 1) as u32;
        let at = Location::new(file.path.clone(), lineno, col);
        let rest = comment[m + MARKER.len()..].trim();
        let (check, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let reason = reason.trim();
        if check.is_empty() {
            diags.push(Diagnostic::new(
                DiagKind::Suppression,
                at,
                "`vigie:ignore` names no check: write `vigie:ignore CHECK-ID reason`",
            ));
            continue;
        }
        if reason.is_empty() {
            diags.push(Diagnostic::new(
                DiagKind::Suppression,
                at,
                format!("`vigie:ignore {check}` gives no reason: it is not applied (write `vigie:ignore {check} why it is acceptable`)"),
            ));
            continue;
        }
        let s = Suppression {
            check: check.to_string(),
            reason: reason.to_string(),
            at,
        };
        // a comment alone on its line covers the next line; a trailing comment its own line
        let alone = line[..hash].trim().is_empty();
        out.push((lineno, s.clone()));
        if alone {
            out.push((lineno + 1, s));
        }
    }
    (out, diags)
}

/// The suppressions an object's `vigie.io/ignore` annotation declares.
pub fn annotation(obj: &Object) -> (Vec<Suppression>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    let Some(e) = obj.annotations().and_then(|a| a.entry(ANNOTATION)) else {
        return (out, diags);
    };
    let at = obj.loc(e.key_pos);
    let text = e.value.as_str().unwrap_or_default();
    for part in text
        .split([';', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (check, reason) = part.split_once(':').unwrap_or((part, ""));
        let (check, reason) = (check.trim(), reason.trim());
        if reason.is_empty() {
            diags.push(Diagnostic::new(
                DiagKind::Suppression,
                at.clone(),
                format!("`{ANNOTATION}` entry `{check}` gives no reason: it is not applied (write \"{check}: why it is acceptable\")"),
            ));
            continue;
        }
        out.push(Suppression {
            check: check.to_string(),
            reason: reason.to_string(),
            at: at.clone(),
        });
    }
    (out, diags)
}

/// A file named in a location.
pub fn file_of(loc: &Location) -> Arc<str> {
    loc.path.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_cover_their_line_or_the_next() {
        let f = SourceFile::new(
            "c.yml",
            "a:\n  # vigie:ignore CNT-08.1 bounded by the host\n  b: 1\n  c: 2 # vigie:ignore CNT-06.1 needed for GPU\n  # vigie:ignore CNT-04\n".to_string(),
        );
        let (s, d) = comments(&f);
        let lines: Vec<(u32, &str)> = s.iter().map(|(l, s)| (*l, s.check.as_str())).collect();
        assert_eq!(lines, [(2, "CNT-08.1"), (3, "CNT-08.1"), (4, "CNT-06.1")]);
        assert_eq!(s[0].1.reason, "bounded by the host");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].location.line, 5);
    }

    #[test]
    fn annotations() {
        let t = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    vigie.io/ignore: \"CNT-08.1: bounded by LimitRange; CNT-04\"\nspec: {containers: []}\n";
        let s = crate::yaml::parse(t);
        let objs = crate::kubernetes::objects(
            &Arc::from("p.yaml"),
            s.documents.into_iter().map(|d| d.root).collect(),
        );
        let (s, d) = annotation(&objs[0]);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].check, "CNT-08.1");
        assert_eq!(s[0].at.line, 6);
        assert_eq!(d.len(), 1);
    }
}
