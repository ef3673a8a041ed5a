//! Phase 4 (continued), the repository-level analyses: domains that judge the repository as a
//! whole (reachability, pipelines, secrets…), run in parallel with each other. Those that match
//! objects with each other (`Analyzer::per_unit`) run once per unit, on the unit's files,
//! Compose project and kept objects, so a Service only selects the pods of its own unit; the
//! others run once on everything.
//!
//! Their verdicts join [`Findings::tagged`] with the unit they are about, for
//! [`super::roll_up`]; their evidence tables and unassessed checks join the findings too.

use super::{Discovered, Findings, Lowered, Scan, Tally, Units};
use crate::units::is_under;
use rayon::prelude::*;
use std::collections::HashMap;
use vigie_checks::repo::{RepoFile, RepoInput, RepoOutput};
use vigie_core::model::Workload;
use vigie_core::{DiagKind, Diagnostic, Location};
use vigie_parse::compose;
use vigie_parse::kubernetes::Object;

/// Run every analysis; `unit_kept` holds, per analysis and per unit, the objects it kept.
pub(crate) fn analyse(
    scan: &Scan<'_>,
    found: &Discovered,
    units: &Units,
    lowered: &Lowered,
    unit_kept: Vec<Vec<Vec<Object>>>,
    findings: &mut Findings<'_>,
    tally: &mut Tally,
) {
    let (analyzers, cfg, opts) = (scan.analyzers, scan.cfg, scan.opts);
    let (all_units, selected) = (&units.all, &units.selected);
    let repo_files: Vec<RepoFile> = found
        .files
        .iter()
        .filter(|f| {
            selected
                .as_ref()
                .is_none_or(|u| is_under(&f.rel, u.folder()) || u.files.contains(&f.rel))
        })
        .map(|f| RepoFile {
            rel: std::sync::Arc::from(f.rel.as_str()),
            abs: f.abs.clone(),
            size: f.size,
        })
        .collect();
    let project_of_unit: HashMap<usize, usize> = units
        .compose
        .iter()
        .enumerate()
        .map(|(k, &u)| (u, k))
        .collect();
    let unit_files: Vec<Vec<RepoFile>> = all_units
        .iter()
        .map(|u| {
            repo_files
                .iter()
                .filter(|f| is_under(&f.rel, u.folder()) || u.files.iter().any(|x| **x == *f.rel))
                .cloned()
                .collect()
        })
        .collect();
    let rest_files: Vec<RepoFile> = repo_files
        .iter()
        .filter(|f| !all_units.iter().any(|u| is_under(&f.rel, u.folder())))
        .cloned()
        .collect();
    let whole = RepoInput {
        catalog: scan.catalog,
        config: cfg,
        config_path: cfg.path.as_deref(),
        root: scan.scan_root(),
        files: &repo_files,
        lookup: &found.repo,
        dockerfiles: &found.dockerfiles,
        compose: &lowered.compose_projects,
        workloads: &lowered.compose_workloads,
        today: opts.today,
        options: &opts.run,
        unit_ranges: &[],
    };
    vigie_core::timings::note(|| {
        format!(
            "{} deployment units ({} built)",
            all_units.len(),
            units.built.len()
        )
    });
    // (analysis, unit or the rest) jobs
    let mut jobs: Vec<(usize, Option<usize>)> = Vec::new();
    for (a, an) in analyzers.iter().enumerate() {
        if an.per_unit() {
            jobs.extend((0..all_units.len()).map(|u| (a, Some(u))));
            if selected.is_none() {
                jobs.push((a, None));
            }
        } else {
            jobs.push((a, None));
        }
    }
    let no_objects: Vec<Object> = Vec::new();
    let whole_objects: Vec<Vec<Object>> = analyzers
        .iter()
        .enumerate()
        .map(|(a, an)| {
            if an.per_unit() {
                Vec::new()
            } else {
                unit_kept[a].iter().flatten().cloned().collect()
            }
        })
        .collect();
    // where each unit's objects lie in `whole_objects[a]`, for the matches an analysis that runs
    // once on everything still makes within a unit (a workload's Secret)
    let whole_ranges: Vec<Vec<std::ops::Range<usize>>> = analyzers
        .iter()
        .enumerate()
        .map(|(a, an)| {
            let mut start = 0;
            if an.per_unit() {
                return Vec::new();
            }
            unit_kept[a]
                .iter()
                .map(|objects| {
                    let r = start..start + objects.len();
                    start = r.end;
                    r
                })
                .collect()
        })
        .collect();
    let outputs: Vec<(Option<usize>, RepoOutput)> = jobs
        .par_iter()
        .map(|&(a, unit)| {
            let an = analyzers[a];
            let mut out = RepoOutput::default();
            if !an.per_unit() {
                let input = RepoInput {
                    unit_ranges: &whole_ranges[a],
                    ..whole
                };
                an.run(&input, &whole_objects[a], &mut out);
                return (None, out);
            }
            let (compose_slice, workloads, files_slice, objects): (
                &[compose::Project],
                &[Workload],
                &[RepoFile],
                &[Object],
            ) = match unit {
                None => (&[], &[], &rest_files, &no_objects),
                Some(u) => match project_of_unit.get(&u) {
                    Some(&k) => (
                        std::slice::from_ref(&lowered.compose_projects[k]),
                        &lowered.project_workloads[k],
                        &unit_files[u],
                        &unit_kept[a][u],
                    ),
                    None => (&[], &[], &unit_files[u], &unit_kept[a][u]),
                },
            };
            let input = RepoInput {
                compose: compose_slice,
                workloads,
                files: files_slice,
                ..whole
            };
            an.run(&input, objects, &mut out);
            (unit, out)
        })
        .collect();
    drop(unit_kept);
    // A name of the configuration that one unit's run does not know (roles naming a workload
    // of another unit) is no problem of the configuration: kept when every run of the analysis
    // reports it.
    let mut config_seen: HashMap<(usize, Location, String), usize> = HashMap::new();
    let mut runs_of: HashMap<usize, usize> = HashMap::new();
    for (&(a, _), (_, o)) in jobs.iter().zip(&outputs) {
        if analyzers[a].per_unit() {
            *runs_of.entry(a).or_default() += 1;
            let mut seen_here: Vec<&Diagnostic> = Vec::new();
            for d in o.diagnostics.iter().filter(|d| is_unknown_name(d)) {
                if !seen_here.contains(&d) {
                    seen_here.push(d);
                    *config_seen
                        .entry((a, d.location.clone(), d.message.clone()))
                        .or_default() += 1;
                }
            }
        }
    }
    let tables = &mut findings.tables;
    let mut references = UnitReferences::default();
    for (&(a, _), (unit, o)) in jobs.iter().zip(outputs) {
        findings
            .tagged
            .extend(o.verdicts.into_iter().map(|v| (v, unit)));
        let per_unit = analyzers[a].per_unit();
        for d in o.diagnostics.into_iter().filter(|d| {
            !per_unit
                || !is_unknown_name(d)
                || config_seen.get(&(a, d.location.clone(), d.message.clone())) == runs_of.get(&a)
        }) {
            match unit {
                Some(u) if per_unit && d.kind == DiagKind::Reference => references.add(d, u),
                _ => tally.diagnostics.push(d),
            }
        }
        for t in o.tables {
            match tables
                .iter_mut()
                .find(|x| x.control == t.control && x.title == t.title && x.columns == t.columns)
            {
                Some(x) => {
                    for r in t.rows {
                        if !x.rows.contains(&r) {
                            x.rows.push(r);
                        }
                    }
                }
                None => tables.push(t),
            }
        }
        findings.unassessed.extend(o.unassessed);
    }
    tally.diagnostics.extend(references.named(all_units));
    findings.tables.sort_by(|a, b| a.control.cmp(&b.control));
    findings.unassessed.sort_by(|a, b| a.check.cmp(&b.check));
    findings.unassessed.dedup();
}

/// A configuration diagnostic saying a name matches nothing the analysis saw.
fn is_unknown_name(d: &Diagnostic) -> bool {
    d.kind == DiagKind::Config && d.message.contains("which is no workload")
}

/// Reference diagnostics of analyses run unit by unit: one per place and message, naming the
/// units it holds in when that is not obvious (a built unit, or several), since a reference that
/// leads nowhere in one overlay may lead somewhere in the others.
#[derive(Default)]
struct UnitReferences {
    seen: HashMap<(Location, String), usize>,
    found: Vec<(Diagnostic, Vec<usize>)>,
}

impl UnitReferences {
    fn add(&mut self, d: Diagnostic, unit: usize) {
        match self.seen.get(&(d.location.clone(), d.message.clone())) {
            Some(&i) => {
                if !self.found[i].1.contains(&unit) {
                    self.found[i].1.push(unit);
                }
            }
            None => {
                self.seen
                    .insert((d.location.clone(), d.message.clone()), self.found.len());
                self.found.push((d, vec![unit]));
            }
        }
    }

    fn named(self, units: &[crate::units::Unit]) -> Vec<Diagnostic> {
        self.found
            .into_iter()
            .map(|(mut d, us)| {
                if us.len() > 1 || us.iter().any(|&u| units[u].kind.is_built()) {
                    let mut names: Vec<&str> = us.iter().map(|&u| units[u].name.as_str()).collect();
                    names.sort_unstable();
                    let label = if names.len() == 1 { "unit" } else { "units" };
                    d.message = format!("{} ({label} {})", d.message, names.join(", "));
                }
                d
            })
            .collect()
    }
}
