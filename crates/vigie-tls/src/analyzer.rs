//! The repository analyzer: finds the TLS configurations among the scanned files and the kept
//! Kubernetes objects, and emits the CRY-01..CRY-03 verdicts, diagnostics and an evidence table.

use crate::model::Ciphers;
use crate::{Files, judge, kube};
use std::sync::Arc;
use vigie_checks::FileLookup;
use vigie_checks::repo::{Analyzer, RepoInput, RepoOutput};
use vigie_core::{CheckDoc, DiagKind, Diagnostic, EvidenceTable};
use vigie_parse::kubernetes::Object;

pub struct Tls;

pub static ANALYZER: Tls = Tls;

struct RepoFiles<'a> {
    names: Vec<Arc<str>>,
    lookup: &'a dyn FileLookup,
}

impl Files for RepoFiles<'_> {
    fn list(&self) -> &[Arc<str>] {
        &self.names
    }
    fn read(&self, rel: &str) -> Option<String> {
        self.lookup.read(rel)
    }
}

impl Analyzer for Tls {
    fn name(&self) -> &'static str {
        "tls"
    }

    fn checks(&self) -> &'static [&'static CheckDoc] {
        judge::CHECKS
    }

    fn keep(&self, object: &Object) -> Option<Object> {
        kube::keep(object).then(|| object.clone())
    }

    fn per_unit(&self) -> bool {
        true
    }

    fn run(&self, input: &RepoInput<'_>, objects: &[Object], out: &mut RepoOutput) {
        let files = RepoFiles {
            names: input.files.iter().map(|f| f.rel.clone()).collect(),
            lookup: input.lookup,
        };
        let found = crate::scan_platform(&files, objects, input.compose);
        for p in &found.problems {
            let kind = if p.reference {
                DiagKind::Reference
            } else {
                DiagKind::Parse
            };
            out.diagnostics
                .push(Diagnostic::new(kind, p.at.clone(), p.message.clone()));
        }
        let mut notes = Vec::new();
        judge::judge(&found, &mut out.verdicts, &mut notes);
        // An http-level cipher string shared by many servers is reported once.
        notes.sort_by(|a, b| (&a.at, &a.message).cmp(&(&b.at, &b.message)));
        notes.dedup_by(|a, b| a.at == b.at && a.message == b.message);
        for n in notes {
            out.diagnostics
                .push(Diagnostic::new(DiagKind::Parse, n.at, n.message));
        }
        if !found.endpoints.is_empty() {
            let rows = found
                .endpoints
                .iter()
                .map(|e| {
                    let versions = e
                        .versions
                        .as_ref()
                        .map_or("-".into(), |v| v.value.names().join(" "));
                    let ciphers = e.ciphers.as_ref().map_or("-".into(), |c| match &c.value {
                        Ciphers::OpenSsl(s) => s.clone(),
                        Ciphers::List(l) => l.join(":"),
                        Ciphers::Unresolved(s) => format!("{s} (unresolved)"),
                    });
                    let at = e
                        .versions
                        .as_ref()
                        .map(|v| v.at.to_string())
                        .or_else(|| e.at.as_ref().map(|a| a.to_string()))
                        .unwrap_or_default();
                    vec![
                        e.subject.clone(),
                        e.product.to_string(),
                        versions,
                        ciphers,
                        at,
                    ]
                })
                .collect();
            out.tables.push(EvidenceTable {
                control: "CRY-01".into(),
                title: "TLS endpoints".into(),
                columns: vec![
                    "endpoint".into(),
                    "product".into(),
                    "versions".into(),
                    "suites".into(),
                    "where".into(),
                ],
                rows,
            });
        }
    }
}
