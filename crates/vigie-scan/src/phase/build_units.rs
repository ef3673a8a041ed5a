//! Phase 2, build units: the deployment units the repository declares ([`crate::units`] says
//! how each kind is formed) are planned before anything is checked — kustomizations, charts
//! with each values set, Compose projects — and the files they read are taken out of the loose
//! manifests. The loose manifests are grouped into units only once they are read, since the
//! namespaces their objects declare decide the grouping: [`Planned::complete`] does it after the
//! files are checked, so each file is read once.
//!
//! With `--unit`, only the unit asked for is kept: its loose manifests, if it is one, are read
//! ahead to know them.
//!
//! [`super::lower`] gets the Compose units to lower; [`super::check_files`] the loose manifests to
//! check; [`super::check_units`] and [`super::analyse`] the completed [`Units`].

use super::lower;
use super::{Discovered, Scan, Tally};
use crate::ScanError;
use crate::units::{self, LooseFile, Unit, UnitKind};
use rayon::prelude::*;
use std::collections::HashMap;
use vigie_checks::FileLookup;
use vigie_core::config::ConfigUnit;
use vigie_parse::discover::{FileKind, Found};

/// The units declared by kustomizations, charts and Compose files, and the loose manifests
/// left to check.
pub(crate) struct Planned<'a> {
    /// Kustomize, Helm and Compose units (only the one asked for with `--unit`).
    pub units: Vec<Unit>,
    /// The loose manifests to read and check, in path order.
    pub manifests: Vec<&'a Found>,
    /// The unit asked for with `--unit`.
    pub selected: Option<Unit>,
}

/// Every unit of the scan, loose manifests grouped.
pub(crate) struct Units {
    /// The planned units first, then those of loose manifests.
    pub all: Vec<Unit>,
    /// The index of the first unit of loose manifests.
    pub first_loose: usize,
    /// The units built from a kustomization or a chart.
    pub built: Vec<usize>,
    /// The Compose units, in the order [`super::Lowered::compose_projects`] holds them.
    pub compose: Vec<usize>,
    /// The unit asked for with `--unit`.
    pub selected: Option<Unit>,
}

pub(crate) fn build_units<'a>(
    scan: &Scan<'_>,
    found: &'a Discovered,
    tally: &mut Tally,
) -> Result<Planned<'a>, ScanError> {
    let cfg = scan.cfg;
    let mut plan = units::plan(
        &found.files,
        &|p: &str| found.repo.read(p),
        &cfg.units,
        &found.compose_files,
        &found.explicit,
    );
    tally.diagnostics.append(&mut plan.diagnostics);
    // the files of kustomizations and charts are read through their units
    for f in found
        .files
        .iter()
        .filter(|f| plan.consumed.contains(&f.rel) && f.kind == FileKind::Manifest)
    {
        tally.stats.files_parsed += 1;
        tally.stats.bytes_parsed += f.size;
    }
    let mut manifests: Vec<&Found> = found
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Manifest && !plan.consumed.contains(&f.rel))
        .collect();
    let selected = match &scan.opts.unit {
        None => None,
        Some(want) => {
            let all = with_loose_read_ahead(plan.units.clone(), &manifests, scan.limit, &cfg.units);
            Some(find_unit(&all, want)?.clone())
        }
    };
    if let Some(u) = &selected {
        manifests.retain(|f| u.kind == UnitKind::Manifests && u.files.contains(&f.rel));
        plan.units.retain(|p| p.kind == u.kind && p.name == u.name);
    }
    Ok(Planned {
        units: plan.units,
        manifests,
        selected,
    })
}

impl Planned<'_> {
    /// Every unit: the planned ones, then the loose manifests (`loose`, as checking read them)
    /// grouped — or, with `--unit`, the unit asked for.
    pub fn complete(self, loose: &[LooseFile], configured: &[ConfigUnit]) -> Units {
        let mut all = self.units;
        let first_loose = all.len();
        match &self.selected {
            Some(u) if u.kind == UnitKind::Manifests => all.push(u.clone()),
            Some(_) => {}
            None => all.extend(units::group_loose(loose, configured)),
        }
        if self.selected.is_none() {
            units::unique_names(&mut all);
        }
        let of_kind = |keep: fn(UnitKind) -> bool| -> Vec<usize> {
            (0..first_loose).filter(|&i| keep(all[i].kind)).collect()
        };
        Units {
            built: of_kind(UnitKind::is_built),
            compose: of_kind(|k| k == UnitKind::Compose),
            first_loose,
            selected: self.selected,
            all,
        }
    }

    /// The Compose units, in the order they are lowered.
    pub fn compose(&self) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(|u| u.kind == UnitKind::Compose)
    }
}

/// `planned` with the loose manifests among `manifests` grouped after them, names made unique:
/// every unit, known before any file is checked (`vigie units`, `--unit`).
pub(crate) fn with_loose_read_ahead(
    planned: Vec<Unit>,
    manifests: &[&Found],
    limit: u64,
    configured: &[ConfigUnit],
) -> Vec<Unit> {
    let mut all = planned;
    all.extend(units::group_loose(
        &loose_files(manifests, limit),
        configured,
    ));
    units::unique_names(&mut all);
    all
}

/// The loose manifests among `manifests` with the namespaces their objects declare, read ahead
/// of the scan when the units must be known before the files are checked.
pub(crate) fn loose_files(manifests: &[&Found], limit: u64) -> Vec<LooseFile> {
    manifests
        .par_iter()
        .filter_map(|f| {
            // read ahead only to know the units' files: the scan reads them again and notes
            // what reading them says then
            let file = lower::manifest(f, limit);
            (!file.objects.is_empty()).then(|| LooseFile {
                rel: f.rel.clone(),
                namespaces: lower::namespaces(&file.objects),
                workloads: lower::declares_workloads(&file.objects),
            })
        })
        .collect()
}

/// The unit `want` names (by name or path), or an error listing them.
pub(crate) fn find_unit<'u>(all: &'u [Unit], want: &str) -> Result<&'u Unit, ScanError> {
    units::find(all, want).ok_or_else(|| {
        ScanError(format!(
            "no deployment unit `{want}` (`vigie units` lists them: {})",
            all.iter()
                .map(|u| u.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// The loose units that hold each loose file: a folder of Services above folders of workloads
/// is in each of their units.
pub(crate) fn units_of_file(units: &Units) -> HashMap<&str, Vec<usize>> {
    let mut of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, u) in units.all.iter().enumerate().skip(units.first_loose) {
        for f in &u.files {
            of.entry(f.as_str()).or_default().push(i);
        }
    }
    of
}

/// The index of the loose-manifests unit of each of its files (the last, for a file in several).
pub(crate) fn unit_of_file(units: &Units) -> HashMap<&str, usize> {
    let mut of = HashMap::new();
    for (i, u) in units.all.iter().enumerate().skip(units.first_loose) {
        for f in &u.files {
            of.insert(f.as_str(), i);
        }
    }
    of
}
