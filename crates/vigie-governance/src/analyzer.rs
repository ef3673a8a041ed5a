//! The analyzer `vigie scan` runs: keeps the Kubernetes objects the cluster checks read, then
//! runs every repository-level check once per scan.

use crate::{Out, Repo, ScmSettings, analyze_units};
use std::sync::Arc;
use vigie_checks::repo::{Analyzer, RepoInput, RepoOutput};
use vigie_core::{CheckDoc, DiagKind, Diagnostic, Location};
use vigie_parse::kubernetes::Object;

pub struct Governance;

/// Registered in `vigie_scan::analyzers()`.
pub static ANALYZER: Governance = Governance;

impl Analyzer for Governance {
    fn name(&self) -> &'static str {
        "governance"
    }

    fn checks(&self) -> &'static [&'static CheckDoc] {
        crate::docs()
    }

    fn keep(&self, object: &Object) -> Option<Object> {
        crate::keep(object)
    }

    fn run(&self, input: &RepoInput<'_>, objects: &[Object], out: &mut RepoOutput) {
        let mut diagnostics = Vec::new();
        let scm = match input.config.section("scm") {
            None => ScmSettings::default(),
            Some(t) => match ScmSettings::from_table(t.get_ref()) {
                Ok(s) => s,
                Err(m) => {
                    diagnostics.push(Diagnostic::new(
                        DiagKind::Config,
                        input
                            .config
                            .section_location("scm")
                            .cloned()
                            .unwrap_or_else(|| {
                                Location::file(Arc::from(input.config_path.unwrap_or("vigie.toml")))
                            }),
                        m,
                    ));
                    ScmSettings::default()
                }
            },
        };
        let read = |rel: &str| input.lookup.read(rel);
        let repo = Repo {
            catalog: input.catalog,
            root: input.root,
            files: input.files.iter().map(|f| &*f.rel).collect(),
            read: &read,
            compose: input.compose,
            today: input.today,
            scm,
        };
        let mut o = Out::default();
        analyze_units(&repo, objects, &input.units(objects), &mut o);
        out.verdicts.extend(o.verdicts);
        out.diagnostics.extend(diagnostics);
        out.diagnostics.extend(o.diagnostics);
        out.unassessed.extend(o.unassessed);
    }
}
