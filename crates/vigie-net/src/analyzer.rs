//! The analyzer that plugs the network model into `vigie scan`.

use crate::roles::DeclaredRoles;
use std::sync::Arc;
use vigie_checks::repo::{Analyzer, Record, RepoInput, RepoOutput};
use vigie_core::CheckDoc;
use vigie_parse::kubernetes::Object;

pub struct NetworkAnalyzer;

/// The scanned files, for the configuration services mount.
struct RepoFiles<'a> {
    names: Vec<std::sync::Arc<str>>,
    lookup: &'a dyn vigie_checks::FileLookup,
}

impl vigie_tls::Files for RepoFiles<'_> {
    fn list(&self) -> &[std::sync::Arc<str>] {
        &self.names
    }
    fn read(&self, rel: &str) -> Option<String> {
        self.lookup.read(rel)
    }
}

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

    fn record(&self, object: &Object) -> Option<Record> {
        crate::record(object).map(|pods| Arc::new(pods) as Record)
    }

    fn per_unit(&self) -> bool {
        true
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
        let files = RepoFiles {
            names: input.files.iter().map(|f| f.rel.clone()).collect(),
            lookup: input.lookup,
        };
        let pods: Vec<&crate::Pod> = input
            .records
            .iter()
            .filter_map(|r| r.downcast_ref::<Vec<crate::Pod>>())
            .flatten()
            .collect();
        let graph = crate::build_for_checks(input.compose, objects, &pods, &roles, &files);
        vigie_core::timings::note(|| {
            format!(
                "network: {} workloads, {} flows into databases, {} exposures",
                graph.workloads.len(),
                graph.flow_pairs(),
                graph.exposures.len()
            )
        });
        let judged = crate::judge(&graph);
        out.verdicts
            .extend(judged.verdicts.into_iter().map(|(_, v)| v));
        out.diagnostics.extend(graph.diagnostics);
        out.tables.absorb(judged.tables);
    }
}
