//! The analyzer that plugs the network model into `vigie scan`.

use crate::roles::DeclaredRoles;
use vigie_checks::repo::{Analyzer, RepoInput, RepoOutput};
use vigie_core::CheckDoc;
use vigie_core::report::EvidenceTable;
use vigie_parse::kubernetes::Object;

pub struct NetworkAnalyzer;

pub static ANALYZER: NetworkAnalyzer = NetworkAnalyzer;

impl Analyzer for NetworkAnalyzer {
    fn name(&self) -> &'static str {
        "network"
    }

    fn checks(&self) -> &'static [&'static CheckDoc] {
        crate::CHECKS
    }

    fn keep(&self, object: &Object) -> Option<Object> {
        crate::keep(object)
    }

    fn run(&self, input: &RepoInput<'_>, objects: &[Object], out: &mut RepoOutput) {
        let mut roles = DeclaredRoles::default();
        if let Some(path) = input.config_path
            && input.config.section("roles").is_some()
        {
            // The configuration's name may be relative to the scanned root, not to the current
            // folder (which may hold another vigie.toml).
            let on_disk = if std::path::Path::new(path).is_absolute() {
                std::path::PathBuf::from(path)
            } else {
                input.root.join(path)
            };
            let text = std::fs::read_to_string(&on_disk)
                .ok()
                .or_else(|| std::fs::read_to_string(path).ok())
                .or_else(|| input.lookup.read(path));
            if let Some(text) = text {
                let shown = path
                    .strip_prefix(&*input.root.to_string_lossy())
                    .map(|p| p.trim_start_matches('/'))
                    .unwrap_or(path);
                roles = DeclaredRoles::parse(shown, &text, &mut out.diagnostics);
            }
        }
        let graph = crate::build_for_checks(input.compose, objects, &roles);
        let judged = crate::judge(&graph);
        out.verdicts
            .extend(judged.verdicts.into_iter().map(|(_, v)| v));
        out.diagnostics.extend(graph.diagnostics);
        out.tables
            .extend(judged.tables.into_iter().map(|t| EvidenceTable {
                control: t.control,
                title: t.title,
                columns: t.columns,
                rows: t.rows,
            }));
    }
}
