//! The repository analyzer that plugs the pipeline checks into `vigie scan`.

use crate::analyze::{Repo, analyze};
use vigie_checks::repo::{Analyzer, RepoInput, RepoOutput};
use vigie_core::CheckDoc;
use vigie_core::report::EvidenceTable;
use vigie_parse::kubernetes::Object;

pub struct Pipelines;

pub static ANALYZER: Pipelines = Pipelines;

impl Analyzer for Pipelines {
    fn name(&self) -> &'static str {
        "pipelines"
    }

    fn checks(&self) -> &'static [&'static CheckDoc] {
        crate::CHECKS
    }

    /// Only the admission policies that verify image signatures are kept.
    fn keep(&self, object: &Object) -> Option<Object> {
        crate::release::enforcement_of_object(object).map(|_| object.clone())
    }

    /// A mark per workload (an object with a pod template): whether the repository runs any.
    fn record(&self, object: &Object) -> Option<vigie_checks::repo::Record> {
        vigie_parse::kubernetes::PodTemplate::of(object)
            .map(|_| std::sync::Arc::new(()) as vigie_checks::repo::Record)
    }

    fn run(&self, input: &RepoInput<'_>, objects: &[Object], out: &mut RepoOutput) {
        let read = |rel: &str| input.lookup.read(rel);
        let repo = Repo {
            root: input.root,
            files: input.files.iter().map(|f| &*f.rel).collect(),
            read: &read,
            dockerfiles: input.dockerfiles,
            objects,
            runs_workloads: !input.records.is_empty(),
            since: input.options.since.as_deref(),
        };
        let o = analyze(&repo);
        out.tables.extend(tables(&o.verdicts));
        out.verdicts.extend(o.verdicts);
        out.diagnostics.extend(o.diagnostics);
    }
}

/// The build paths and what gates each, under SUP-01 in the roadmap.
fn tables(vs: &[vigie_core::Verdict]) -> Vec<EvidenceTable> {
    let mut rows: Vec<Vec<String>> = vs
        .iter()
        .filter(|v| v.check == "SUP-01")
        .map(|v| {
            vec![
                v.subject.to_string(),
                if v.is_pass() {
                    "gated".into()
                } else {
                    "not gated".into()
                },
                format!("{}:{}", v.location.path, v.location.line),
                v.message.to_string(),
            ]
        })
        .collect();
    if rows.is_empty() {
        return Vec::new();
    }
    rows.sort();
    vec![EvidenceTable {
        control: "SUP-01".into(),
        title: "Image build paths and their vulnerability gate".into(),
        columns: vec![
            "build path".into(),
            "status".into(),
            "evidence".into(),
            "detail".into(),
        ],
        rows,
    }]
}
