//! The Terraform and cloud checks as a repository analyzer of `vigie scan`.

use crate::checks;
use crate::{Input, Settings, analyze};
use std::sync::Arc;
use vigie_checks::repo::{Analyzer, RepoInput, RepoOutput};
use vigie_core::EvidenceTable;
use vigie_core::{CheckDoc, DiagKind, Diagnostic, Location};
use vigie_parse::kubernetes::Object;

pub struct TerraformAnalyzer;

/// Registered in `vigie_scan::analyzers()`.
pub static ANALYZER: TerraformAnalyzer = TerraformAnalyzer;

impl Analyzer for TerraformAnalyzer {
    fn name(&self) -> &'static str {
        "terraform"
    }

    fn checks(&self) -> &'static [&'static CheckDoc] {
        checks::DOCS
    }

    /// GKE BackendConfigs only (NET-05.2): small objects, kept whole.
    fn keep(&self, object: &Object) -> Option<Object> {
        checks::is_backend_config(object).then(|| object.clone())
    }

    fn run(&self, input: &RepoInput<'_>, objects: &[Object], out: &mut RepoOutput) {
        let files: Vec<Arc<str>> = input.files.iter().map(|f| f.rel.clone()).collect();
        let lookup = input.lookup;
        let read = move |p: &str| lookup.read(p);
        let settings = match input.config.section("terraform") {
            None => Settings::default(),
            Some(t) => {
                let (s, errors) = Settings::from_table(t.get_ref());
                let at = input
                    .config
                    .section_location("terraform")
                    .cloned()
                    .unwrap_or_else(|| {
                        Location::file(Arc::from(input.config_path.unwrap_or("vigie.toml")))
                    });
                for m in errors {
                    out.diagnostics
                        .push(Diagnostic::new(DiagKind::Config, at.clone(), m));
                }
                s
            }
        };
        let result = analyze(&Input {
            files: &files,
            read: &read,
            compose: input.compose,
            objects,
            settings: &settings,
            published: &crate::published::Published::of_root(input.root),
        });
        if let Some(reason) = &result.incomplete {
            for c in checks::DOCS {
                out.not_assessed(
                    c.id,
                    format!("the Terraform configuration cannot be evaluated: {reason}"),
                );
            }
        }
        out.verdicts.extend(result.verdicts);
        out.unassessed
            .extend(
                result
                    .unassessed
                    .into_iter()
                    .map(|(check, reason)| vigie_core::Unassessed {
                        check: check.to_string(),
                        reason,
                    }),
            );
        out.diagnostics.extend(result.diagnostics);
        out.tables
            .extend(result.tables.into_iter().map(|t| EvidenceTable {
                control: t.control,
                title: t.title,
                columns: t.columns,
                rows: t.rows,
            }));
    }
}
