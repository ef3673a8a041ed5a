//! Terraform and OpenTofu for vigie: the files parsed with locations (`hcl`), what is
//! statically known resolved (`eval`), and the cloud controls judged on it (`checks`):
//! SOV-01 qualified offers, SOV-02 EU locations, SOV-03 extra-EU SaaS (heuristic), CRY-04
//! customer-managed keys, LOG-02 log retention, NET-05 WAF, and SUP-06's Terraform half.

pub mod analyzer;
pub mod checks;
pub mod data;
pub mod eval;
pub mod hcl;
pub mod overrides;
pub mod published;
pub mod settings;

pub use analyzer::ANALYZER;
pub use checks::sov01_1_qualified_provider::offers_text;
pub use checks::{DOCS as ALL, Table};
pub use settings::Settings;

use checks::Ctx;
use std::sync::Arc;
use vigie_core::{Diagnostic, Verdict};
use vigie_parse::compose::Project;
use vigie_parse::kubernetes::Object;

/// What one analysis produces.
#[derive(Debug, Default)]
pub struct Output {
    pub verdicts: Vec<Verdict>,
    pub diagnostics: Vec<Diagnostic>,
    pub tables: Vec<Table>,
    /// Why the Terraform configuration could not be evaluated as Terraform would: its checks
    /// are then not assessed (see [`eval::Model::incomplete`]).
    pub incomplete: Option<String>,
    /// Checks that apply here but that nothing in the repository can decide, with the reason.
    pub unassessed: Vec<(&'static str, String)>,
}

/// What the analysis reads from the scan.
pub struct Input<'a> {
    /// Every file of the repository, relative and `/`-separated.
    pub files: &'a [Arc<str>],
    /// A file's text, `None` when it cannot be read (the scan reports why).
    pub read: &'a (dyn Fn(&str) -> Option<String> + Sync),
    pub compose: &'a [Project],
    /// Kubernetes objects kept for these checks (GKE BackendConfigs).
    pub objects: &'a [Object],
    /// `[terraform]` of vigie.toml.
    pub settings: &'a Settings,
    /// The addresses the repository publishes its own modules under.
    pub published: &'a published::Published,
}

/// Run every Terraform and cloud check.
pub fn analyze(input: &Input<'_>) -> Output {
    use rayon::prelude::*;
    let mut out = Output::default();
    let settings = input.settings;
    let tf: Vec<(Arc<str>, String)> = input
        .files
        .par_iter()
        .filter(|f| eval::is_tf(f) && !settings.excluded(f))
        .filter_map(|f| (input.read)(f).map(|t| (f.clone(), t)))
        .collect();
    let tf_files: Vec<eval::TfFile<'_>> = tf
        .iter()
        .map(|(rel, text)| eval::TfFile {
            rel: rel.clone(),
            text,
        })
        .collect();
    let mut var_texts: Vec<(Arc<str>, String)> = Vec::new();
    for v in &settings.var_files {
        let rel = v.trim_start_matches("./");
        match (input.read)(rel) {
            Some(t) => var_texts.push((Arc::from(rel), t)),
            None => out.diagnostics.push(Diagnostic::new(
                vigie_core::DiagKind::Config,
                vigie_core::Location::file(Arc::from("vigie.toml")),
                format!("`[terraform] var_files`: `{v}` cannot be read in the scanned folder"),
            )),
        }
    }
    let var_files: Vec<eval::TfFile<'_>> = var_texts
        .iter()
        .map(|(rel, text)| eval::TfFile {
            rel: rel.clone(),
            text,
        })
        .collect();
    let model = eval::resolve_published(&tf_files, &var_files, input.published);
    let cx = Ctx {
        model: &model,
        files: input.files,
        read: input.read,
        compose: input.compose,
        objects: input.objects,
        log_destinations: checks::destinations(&model),
    };
    for c in checks::CHECKS {
        (c.judge)(&cx, &mut out);
    }
    checks::one_verdict_per_resource(&mut out.verdicts);
    out.incomplete = model.incomplete;
    out.diagnostics.extend(model.diagnostics);
    out.diagnostics
        .sort_by(|a, b| (&a.location, &a.message).cmp(&(&b.location, &b.message)));
    out
}

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod what_runs_tests;
