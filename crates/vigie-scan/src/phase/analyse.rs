//! Phase 4 (continued), the repository-level analyses: domains that judge the repository as a
//! whole (reachability, pipelines, secrets…), run in parallel with each other. Those that match
//! objects with each other (`Analyzer::per_unit`) run once per unit, on the unit's files,
//! Compose project and kept objects, so a Service only selects the pods of its own unit; the
//! others run once on everything.
//!
//! Their verdicts join [`Findings::tagged`] with the unit they are about, for
//! [`super::roll_up`]; their evidence tables and unassessed checks join the findings too.

use super::check::UnitKept;
use super::{Discovered, Findings, Lowered, Scan, Tally, Units};
use crate::units::Unit;
use crate::units::is_under;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use vigie_checks::repo::{RepoFile, RepoInput, RepoOutput};
use vigie_core::model::Workload;
use vigie_core::{DiagKind, Diagnostic, EvidenceTables, Location};
use vigie_parse::compose;

/// Run every analysis; `unit_kept` holds, per analysis and per unit, what it kept.
pub(crate) fn analyse(
    scan: &Scan<'_>,
    found: &Discovered,
    units: &Units,
    lowered: &Lowered,
    unit_kept: Vec<Vec<UnitKept>>,
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
        .map(|u| files_of_unit(&repo_files, u))
        .collect();
    let rest_files = files_of_no_unit(&repo_files, all_units);
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
        records: &[],
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
                .map(|kept| {
                    let r = start..start + kept.objects.len();
                    start = r.end;
                    r
                })
                .collect()
        })
        .collect();
    let no_kept = UnitKept::default();
    // an analysis that runs once on everything gets every unit's objects in one list, moved
    // there: they are not looked at per unit again
    let mut unit_kept = unit_kept;
    let whole_kept: Vec<UnitKept> = analyzers
        .iter()
        .enumerate()
        .map(|(a, an)| {
            let mut all = UnitKept::default();
            if !an.per_unit() {
                for kept in &mut unit_kept[a] {
                    all.objects.append(&mut kept.objects);
                    all.records.append(&mut kept.records);
                }
            }
            all
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
                    records: &whole_kept[a].records,
                    ..whole
                };
                an.run(&input, &whole_kept[a].objects, &mut out);
                return (None, out);
            }
            let kept = unit.map_or(&no_kept, |u| &unit_kept[a][u]);
            let files_slice = unit.map_or(&rest_files[..], |u| &unit_files[u][..]);
            let (compose_slice, workloads): (&[compose::Project], &[Workload]) =
                match unit.and_then(|u| project_of_unit.get(&u)) {
                    Some(&k) => (
                        std::slice::from_ref(&lowered.compose_projects[k]),
                        &lowered.project_workloads[k],
                    ),
                    None => (&[], &[]),
                };
            let input = RepoInput {
                compose: compose_slice,
                workloads,
                files: files_slice,
                records: &kept.records,
                ..whole
            };
            an.run(&input, &kept.objects, &mut out);
            (unit, out)
        })
        .collect();
    // the objects are dropped on a thread of their own: freeing many trees takes a while, and
    // nothing waits on it
    let services = services_of_units(analyzers, &unit_kept);
    let objects = (unit_kept, whole_kept);
    std::thread::spawn(move || drop(objects));
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
    let mut merged = MergedTables::default();
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
        merged.add(o.tables);
        findings.unassessed.extend(o.unassessed);
    }
    tally
        .diagnostics
        .extend(references.named(all_units, &services));
    findings.tables = merged.tables.into_tables();
    findings.tables.sort_by(|a, b| a.control.cmp(&b.control));
    findings.unassessed.sort_by(|a, b| a.check.cmp(&b.check));
    findings.unassessed.dedup();
}

/// The files of `repo_files` (sorted by path) a unit reads: those under its folder and those
/// it names elsewhere, in path order.
fn files_of_unit(repo_files: &[RepoFile], unit: &Unit) -> Vec<RepoFile> {
    let mut at: Vec<usize> = under(repo_files, unit.folder()).collect();
    at.extend(
        unit.files
            .iter()
            .filter_map(|f| repo_files.binary_search_by(|x| (*x.rel).cmp(f)).ok()),
    );
    at.sort_unstable();
    at.dedup();
    at.into_iter().map(|i| repo_files[i].clone()).collect()
}

/// The files of `repo_files` (sorted by path) under no unit's folder, in path order.
fn files_of_no_unit(repo_files: &[RepoFile], units: &[Unit]) -> Vec<RepoFile> {
    let mut covered = vec![false; repo_files.len()];
    for u in units {
        for i in under(repo_files, u.folder()) {
            covered[i] = true;
        }
    }
    repo_files
        .iter()
        .zip(covered)
        .filter(|(_, c)| !c)
        .map(|(f, _)| f.clone())
        .collect()
}

/// The positions in `files` (sorted by path) of the paths [`is_under`] `dir`: the folder itself
/// and the paths that begin with `dir/`, which sort next to each other.
fn under(files: &[RepoFile], dir: &str) -> impl Iterator<Item = usize> {
    let range = if dir.is_empty() {
        0..files.len()
    } else {
        let first = |bound: &str| files.partition_point(|f| *f.rel < *bound);
        // `0` is the byte after `/`: the paths beginning with `dir/` are those in between
        first(&format!("{dir}/"))..first(&format!("{dir}0"))
    };
    let itself = (!dir.is_empty())
        .then(|| files.binary_search_by(|f| (*f.rel).cmp(dir)).ok())
        .flatten();
    itself.into_iter().chain(range)
}

/// The evidence tables of every run, one per control, title and columns: the rows of a table
/// several runs give are listed once, in the order they first came; within the report's
/// budget of rows per control ([`EvidenceTables`]).
#[derive(Default)]
struct MergedTables {
    tables: EvidenceTables,
    /// The tables kept, by control, title and columns: their position.
    index: HashMap<(String, String, Vec<String>), usize>,
    /// Per table kept, by position: the rows it holds, once a second run gives the same table.
    rows: Vec<Option<HashSet<Vec<String>>>>,
}

impl MergedTables {
    fn add(&mut self, run: EvidenceTables) {
        let (tables, left_out) = run.into_parts();
        for (control, t, r) in left_out {
            self.tables.leave_out(&control, t, r);
        }
        for t in tables {
            let key = (t.control.clone(), t.title.clone(), t.columns.clone());
            match self.index.get(&key) {
                Some(&i) => {
                    let seen = self.rows[i]
                        .get_or_insert_with(|| self.tables[i].rows.iter().cloned().collect());
                    for r in t.rows {
                        if seen.insert(r.clone()) {
                            self.tables.push_row(i, r);
                        }
                    }
                }
                None => {
                    let before = self.tables.len();
                    self.tables.push(t);
                    if self.tables.len() > before {
                        self.index.insert(key, before);
                        self.rows.push(None);
                    }
                }
            }
        }
    }
}

/// The Services each unit deploys, by (namespace, name): the unit and where the Service is
/// declared (an object that sets no namespace is in `default`, as references name it).
type ServicesOfUnits = HashMap<(String, String), Vec<(usize, String)>>;

fn services_of_units(
    analyzers: &[&'static dyn vigie_checks::repo::Analyzer],
    unit_kept: &[Vec<UnitKept>],
) -> ServicesOfUnits {
    let mut out: ServicesOfUnits = HashMap::new();
    for (a, per_unit) in unit_kept.iter().enumerate() {
        if !analyzers[a].per_unit() {
            continue;
        }
        for (u, kept) in per_unit.iter().enumerate() {
            for o in kept.objects.iter().filter(|o| o.kind == "Service") {
                let ns = o.namespace.clone().unwrap_or_else(|| "default".to_string());
                let at = format!("{}:{}", o.at.path, o.at.line);
                let list = out.entry((ns, o.name.clone())).or_default();
                if !list.iter().any(|(v, _)| *v == u) {
                    list.push((u, at));
                }
            }
        }
    }
    out
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

    fn named(self, units: &[crate::units::Unit], services: &ServicesOfUnits) -> Vec<Diagnostic> {
        self.found
            .into_iter()
            .map(|(mut d, us)| {
                // a route to a Service another unit deploys is resolved when both are applied
                // into one namespace (a README's `kubectl apply -f a/ -f b/`)
                let elsewhere =
                    vigie_net::k8s::missing_service(&d.message).and_then(|(ns, name)| {
                        services
                            .get(&(ns.to_string(), name.to_string()))?
                            .iter()
                            .find(|(u, _)| !us.contains(u))
                    });
                if let Some((u, at)) = elsewhere {
                    d.message = vigie_net::k8s::service_deployed_by_another_unit(
                        &d.message,
                        &units[*u].name,
                        at,
                    );
                    d.severity = vigie_core::Severity::Info;
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::UnitKind;
    use vigie_core::EvidenceTable;

    fn files(paths: &[&str]) -> Vec<RepoFile> {
        let mut paths = paths.to_vec();
        paths.sort_unstable();
        paths
            .into_iter()
            .map(|p| RepoFile {
                rel: p.into(),
                abs: p.into(),
                size: 0,
            })
            .collect()
    }

    fn unit(path: &str, files: &[&str]) -> Unit {
        Unit {
            name: path.to_string(),
            kind: UnitKind::Manifests,
            path: path.to_string(),
            formed: String::new(),
            files: files.iter().map(|f| f.to_string()).collect(),
            values: Vec::new(),
            set: Vec::new(),
            release: None,
            namespace: None,
        }
    }

    fn rels(files: &[RepoFile]) -> Vec<&str> {
        files.iter().map(|f| &*f.rel).collect()
    }

    /// Paths that sort between `a/b` and `a/b/…` (`a/b-c`, `a/b.d`) or right after them
    /// (`a/b0`, `a/ba`) are not under `a/b`.
    const TRICKY: &[&str] = &[
        "a",
        "a/b",
        "a/b-c/x.yaml",
        "a/b.d",
        "a/b/x.yaml",
        "a/b/y/z.yaml",
        "a/b0/x.yaml",
        "a/ba/x.yaml",
        "a/c.yaml",
        "b/x.yaml",
        "a/b/",
        "ab/x.yaml",
    ];

    #[test]
    fn a_unit_reads_what_is_under_its_folder_and_what_it_names() {
        let repo = files(TRICKY);
        for dir in ["", "a", "a/b", "a/b/y", "b", "c"] {
            let u = unit(dir, &["a/c.yaml", "a/b0/x.yaml", "missing.yaml"]);
            let want: Vec<&str> = rels(&repo)
                .into_iter()
                .filter(|f| is_under(f, dir) || u.files.iter().any(|x| x == f))
                .collect();
            assert_eq!(rels(&files_of_unit(&repo, &u)), want, "folder {dir:?}");
        }
    }

    #[test]
    fn the_rest_is_what_no_unit_folder_holds() {
        let repo = files(TRICKY);
        let units = [unit("a/b", &["a/c.yaml"]), unit("b", &[])];
        assert_eq!(
            rels(&files_of_no_unit(&repo, &units)),
            [
                "a",
                "a/b-c/x.yaml",
                "a/b.d",
                "a/b0/x.yaml",
                "a/ba/x.yaml",
                "a/c.yaml",
                "ab/x.yaml"
            ]
        );
        assert!(files_of_no_unit(&repo, &[unit("", &[])]).is_empty());
    }

    fn table(control: &str, rows: &[&[&str]]) -> EvidenceTable {
        EvidenceTable {
            control: control.into(),
            title: "t".into(),
            columns: vec!["c".into()],
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        }
    }

    fn run(tables: &[EvidenceTable]) -> EvidenceTables {
        let mut t = EvidenceTables::default();
        t.extend(tables.iter().cloned());
        t
    }

    #[test]
    fn tables_of_several_runs_list_each_row_once_in_first_order() {
        let mut merged = MergedTables::default();
        merged.add(run(&[table("NET-02", &[&["x"], &["y"], &["x"]])]));
        merged.add(run(&[table("CRY-01", &[&["x"]])]));
        merged.add(run(&[table("NET-02", &[&["z"], &["y"], &["z"]])]));
        merged.add(run(&[table("CRY-01", &[&["x"], &["w"]])]));
        let tables = merged.tables.into_tables();
        // a run's own repeats are kept as it gave them when it came first
        assert_eq!(
            tables[0],
            table("NET-02", &[&["x"], &["y"], &["x"], &["z"]])
        );
        assert_eq!(tables[1], table("CRY-01", &[&["x"], &["w"]]));
    }

    /// Runs that each stay within the budget still share it: the report lists a control's
    /// first rows, and its last table counts what it left out.
    #[test]
    fn runs_share_the_budget_of_rows_per_control() {
        let big = |n: usize, name: &str| EvidenceTable {
            title: name.into(),
            ..table("NET-02", &(0..n).map(|_| &["r"][..]).collect::<Vec<_>>())
        };
        let mut merged = MergedTables::default();
        let per_run = vigie_core::report::MAX_EVIDENCE_ROWS / 2 + 1;
        for k in 0..4 {
            merged.add(run(&[big(per_run, &format!("db{k}"))]));
        }
        merged.add(run(&[table("CRY-01", &[&["x"]])]));
        let tables = merged.tables.into_tables();
        let net: Vec<&EvidenceTable> = tables.iter().filter(|t| t.control == "NET-02").collect();
        assert_eq!(net.len(), 2, "two tables fill the budget");
        let last = net[1].rows.last().unwrap();
        assert!(
            last[0].contains(&format!("{} more rows in 2 more tables", 2 * per_run)),
            "{last:?}"
        );
        assert_eq!(tables.iter().filter(|t| t.control == "CRY-01").count(), 1);
    }
}
