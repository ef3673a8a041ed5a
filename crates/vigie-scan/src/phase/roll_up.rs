//! Phase 5, roll up: what several units share is reported once, with the units named
//! ([`roll_up_units`]); inline comments, object annotations and `vigie.toml` waivers suppress
//! or waive failures, and `[severity]` overrides apply; finally the verdicts are rolled up into
//! the requirements of each framework.
//!
//! [`report`] turns the [`RolledUp`] result into the [`ScanReport`] every format renders.

use super::{Discovered, Findings, Scan, Tally, Units};
use crate::files::RepoFiles;
use crate::units::Unit;
use crate::{ScanError, VERSION, checks_of};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use vigie_checks::FileLookup;
use vigie_core::rollup::Rollup;
use vigie_core::verdict::Waiver;
use vigie_core::{
    CheckDoc, DiagKind, Diagnostic, EvidenceTable, Location, ScanReport, Severity, SourceFile,
    Unassessed, Verdict,
};
use vigie_parse::suppress::{self, Suppression};

/// The verdicts as the report gives them, and the roll-up per framework.
pub(crate) struct RolledUp {
    /// Every verdict, suppressed, waived and sorted.
    pub verdicts: Vec<Verdict>,
    /// The frameworks the report is about.
    pub frameworks: Vec<String>,
    pub rollup: Rollup,
    pub checks: Vec<&'static CheckDoc>,
    pub tables: Vec<EvidenceTable>,
    pub unassessed: Vec<Unassessed>,
}

pub(crate) fn roll_up(
    scan: &Scan<'_>,
    found: &Discovered,
    units: &Units,
    findings: Findings<'_>,
    tally: &mut Tally,
) -> Result<RolledUp, ScanError> {
    let Findings {
        mut verdicts,
        mut tagged,
        object_suppressions,
        mut manifest_comments,
        manifest_paths,
        mut interner,
        tables,
        unassessed,
    } = findings;
    // copies of a file (a sample folder copied per variant, raw manifests kept beside a
    // `kustomize/base` that differs only in `image:`) are judged once: the verdicts located in
    // them join the roll-up, which reports each once at the first copy
    let copies = copies_of(paths_of(&verdicts, &tagged), &found.repo);
    if !copies.is_empty() {
        let unit_of_file = super::build_units::unit_of_file(units);
        let copied: HashSet<&str> = copies
            .iter()
            .flat_map(|(a, b)| [a.as_ref(), b.first.as_ref()])
            .collect();
        let (in_copies, rest): (Vec<Verdict>, Vec<Verdict>) = std::mem::take(&mut verdicts)
            .into_iter()
            .partition(|v| copied.contains(v.location.path.as_ref()));
        verdicts = rest;
        tagged.extend(in_copies.into_iter().map(|v| {
            let unit = unit_of_file.get(v.location.path.as_ref()).copied();
            (v, unit)
        }));
    }
    tag_compose_verdicts(&mut verdicts, &mut tagged, units);
    one_verdict_per_named_namespace(&mut tagged);
    let mut repo_verdicts = roll_up_units(tagged, &units.all, &copies);
    if !repo_verdicts.is_empty() {
        interner.verdicts(&mut repo_verdicts);
        repo_verdicts.sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        vigie_core::verdict::merge_sorted_into(&mut verdicts, repo_verdicts);
    }
    // a failure a generated file repeats from its source is reported once, at the source
    super::generated::fold_generated_copies(&mut verdicts, &found.repo);
    vigie_core::timings::mark("analyses");
    let (opts, cfg, catalog) = (scan.opts, scan.cfg, scan.catalog);
    let (stats, diagnostics) = (&tally.stats, &mut tally.diagnostics);
    if stats.files_parsed == 0 && !diagnostics.is_empty() && stats.files_seen <= diagnostics.len() {
        // nothing readable at all
        if scan.single_file {
            return Err(ScanError(format!(
                "`{}` could not be read: {}",
                opts.display_root,
                diagnostics
                    .first()
                    .map(|d| d.message.as_str())
                    .unwrap_or("unknown error")
            )));
        }
    }

    // Inline suppressions in the files the failures point at
    let all_checks = checks_of(scan.analyzers);
    let known_check = |id: &str| {
        all_checks.iter().any(|c| c.id.eq_ignore_ascii_case(id)) || catalog.control(id).is_some()
    };
    let mut comment_sups: HashMap<Arc<str>, Vec<(u32, Suppression)>> = HashMap::new();
    let fail_files: BTreeSet<Arc<str>> = verdicts
        .iter()
        .filter(|v| v.is_fail())
        .map(|v| v.location.path.clone())
        .collect();
    let mut sources: HashMap<&str, &SourceFile> = HashMap::new();
    for d in &found.dockerfiles {
        sources.insert(&d.path, &d.source);
    }
    for path in fail_files {
        // manifests had their comments read while they were parsed; a manifest without the
        // marker has none, so it is not read again
        if let Some((s, d)) = manifest_comments.remove(&path) {
            diagnostics.extend(d);
            comment_sups.insert(path, s);
            continue;
        }
        if manifest_paths.contains(&*path) {
            continue;
        }
        let owned;
        let src = match sources.get(&*path) {
            Some(s) => *s,
            None => match found
                .repo
                .read(&path)
                .or_else(|| found.compose_texts.get(&*path).cloned())
            {
                Some(t) => {
                    owned = SourceFile::new(path.clone(), t);
                    &owned
                }
                None => continue,
            },
        };
        let (s, d) = suppress::comments(src);
        diagnostics.extend(d);
        comment_sups.insert(path, s);
    }
    for (_, list) in comment_sups.iter() {
        for (_, s) in list {
            if !known_check(&s.check) {
                diagnostics.push(Diagnostic::new(
                    DiagKind::Suppression,
                    s.at.clone(),
                    format!("`vigie:ignore {}` names no known check or control", s.check),
                ));
            }
        }
    }
    let covers = |sup_check: &str, check: &str| {
        sup_check.eq_ignore_ascii_case(check)
            || catalog
                .control(sup_check)
                .is_some_and(|c| c.checks.iter().any(|k| k == check))
    };
    let overrides = !cfg.severity.is_empty();
    for v in verdicts.iter_mut() {
        if overrides && let Some(sev) = cfg.severity.get(v.check) {
            v.severity = *sev;
        }
        if !v.is_fail() {
            continue;
        }
        let inline = comment_sups
            .get(&v.location.path)
            .and_then(|list| {
                list.iter()
                    .find(|(line, s)| *line == v.location.line && covers(&s.check, v.check))
            })
            .map(|(_, s)| s.clone())
            .or_else(|| {
                // a Kubernetes subject is the object's id, or the id followed by ` › container x`
                let object = v.subject.split(" › ").next().unwrap_or(&v.subject);
                object_suppressions
                    .get(object)
                    .and_then(|list| list.iter().find(|s| covers(&s.check, v.check)).cloned())
            });
        if let Some(s) = inline {
            v.waive(Waiver {
                reason: s.reason,
                owner: None,
                expires: None,
                source: s.at,
            });
            continue;
        }
        let waiver = cfg.waivers.iter().find(|w| {
            covers(&w.check, v.check)
                && w.path.as_ref().is_none_or(|g| {
                    g.is_match(&v.location.path)
                        || v.related().iter().any(|r| g.is_match(&r.path))
                        || v.subject
                            .split(" › ")
                            .next()
                            .is_some_and(|f| f.split('+').any(|f| g.is_match(f)))
                })
                && w.subject_matches(&v.subject)
        });
        if let Some(w) = waiver {
            if w.is_expired(opts.today) {
                v.set_expired_waiver(w.as_waiver());
                v.message = format!(
                    "{} — the waiver at {} expired on {}",
                    v.message,
                    w.location,
                    w.expires.map(|d| d.to_string()).unwrap_or_default()
                )
                .into();
            } else {
                v.waive(w.as_waiver());
            }
        }
    }
    for (id, at) in &cfg.severity_locations {
        if !all_checks.iter().any(|c| c.id == id) {
            diagnostics.push(Diagnostic::new(
                DiagKind::Config,
                at.clone(),
                format!(
                    "[severity] names `{id}`, which is no check of this version of vigie (`vigie controls` lists them); its severity was not changed"
                ),
            ));
        }
    }
    for w in &cfg.waivers {
        if !known_check(&w.check) {
            diagnostics.push(Diagnostic::new(
                DiagKind::Config,
                w.location.clone(),
                format!(
                    "waiver names `{}`, which is no known check or control",
                    w.check
                ),
            ));
        }
    }

    refuse_overruling_attestations(&mut verdicts, catalog, diagnostics);

    // merged in path order, each file sorted by its worker; a verdict that points outside its
    // own file would break that order, so check and sort if needed
    if !verdicts.is_sorted_by(|a, b| a.sort_key() <= b.sort_key()) {
        verdicts.sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    if let Ok(mut notes) = found.repo.notes.lock() {
        diagnostics.append(&mut notes);
    }
    paths_relative_to_root(diagnostics, scan.scan_root());
    diagnostics
        .sort_by(|a, b| (&a.location, a.code, &a.message).cmp(&(&b.location, b.code, &b.message)));
    diagnostics.dedup();

    vigie_core::timings::mark("waivers+sort");
    // Frameworks: those asked for, else every framework that applies
    let checks_with_verdicts = vigie_core::verdict::distinct_checks(&verdicts);
    let selected: Vec<&vigie_core::catalog::Framework> = match &scan.frameworks_asked {
        Some(list) => catalog
            .frameworks
            .iter()
            .filter(|f| list.iter().any(|l| l.eq_ignore_ascii_case(&f.id)))
            .collect(),
        None => catalog
            .frameworks
            .iter()
            .filter(|f| {
                f.document
                    || f.sections.iter().any(|s| {
                        s.requirements.iter().any(|r| {
                            catalog
                                .requirement_checks(r)
                                .iter()
                                .any(|c| checks_with_verdicts.contains(c))
                        })
                    })
            })
            .collect(),
    };
    // a check that could not run here decides nothing: its requirements are not assessed
    let implemented: BTreeSet<&str> = all_checks
        .iter()
        .map(|c| c.id)
        .filter(|id| !unassessed.iter().any(|u| u.check == *id))
        .collect();
    let frameworks: Vec<String> = selected.iter().map(|f| f.id.clone()).collect();
    let in_scope = vigie_core::report::checks_in_scope(catalog, &frameworks);
    super::same_gap::mark_same_gaps(&mut verdicts, |c| in_scope.contains(c));
    let rollup = vigie_core::rollup::roll_up(catalog, &verdicts, &implemented, &selected);
    vigie_core::timings::mark("roll-up");
    Ok(RolledUp {
        frameworks,
        verdicts,
        rollup,
        checks: all_checks,
        tables,
        unassessed,
    })
}

/// An attestation records what the repository cannot show; it never overrules what it shows.
/// `vigie attest` refuses one for a control its checks decide, for every requirement it
/// evidences, and find failing; one written by hand in `.vigie/attestations.toml` is not
/// counted (the report would otherwise show the control attested beside its failures) and is
/// reported at its entry, naming the failures. The attestation of a control that also
/// evidences a requirement no check decides counts for that requirement alone.
fn refuse_overruling_attestations(
    verdicts: &mut Vec<Verdict>,
    catalog: &vigie_core::catalog::Catalog,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let failing = |control: &vigie_core::catalog::Control| -> Vec<&Verdict> {
        verdicts
            .iter()
            .filter(|v| v.is_fail() && control.checks.iter().any(|k| k == v.check))
            .collect()
    };
    let mut refused = Vec::new();
    for (i, v) in verdicts.iter().enumerate() {
        if v.outcome != vigie_core::Outcome::Attested {
            continue;
        }
        let Some(control) = catalog.control(&v.subject) else {
            continue;
        };
        if vigie_core::rollup::attestation_can_vouch(catalog, control) {
            continue;
        }
        let failures = failing(control);
        let Some(first) = failures.first() else {
            continue;
        };
        diagnostics.push(Diagnostic::new(
            DiagKind::Config,
            v.location.clone(),
            format!(
                "the attestation of {} is not counted: the control is decided by its checks ({}), and they find {} failure(s) here (first: {} {} at {}); an attestation records what the repository cannot show, it never overrules what it shows",
                control.id,
                control.checks.join(", "),
                failures.len(),
                first.check,
                first.subject,
                first.location
            ),
        ));
        refused.push(i);
    }
    for i in refused.into_iter().rev() {
        verdicts.remove(i);
    }
}

/// The container checks judge every Compose project's services in one pass, untagged; where a
/// repository forms several projects over one base file (`compose.yaml` alone and with each
/// `compose.ENV.yaml`), a service of the base is judged once per project. Tag those verdicts
/// with their project's unit (the subject starts with its name) so the roll-up reports each
/// once, naming the projects.
fn tag_compose_verdicts(
    verdicts: &mut Vec<Verdict>,
    tagged: &mut Vec<(Verdict, Option<usize>)>,
    units: &Units,
) {
    if units.compose.len() < 2 {
        return;
    }
    let unit_of: HashMap<&str, usize> = units
        .compose
        .iter()
        .map(|&u| (units.all[u].name.as_str(), u))
        .collect();
    let project_of = |v: &Verdict| {
        v.subject
            .split_once(" › ")
            .and_then(|(project, _)| unit_of.get(project).copied())
    };
    let (in_projects, rest): (Vec<Verdict>, Vec<Verdict>) = std::mem::take(verdicts)
        .into_iter()
        .partition(|v| project_of(v).is_some());
    *verdicts = rest;
    tagged.extend(in_projects.into_iter().map(|v| {
        let u = project_of(&v);
        (v, u)
    }));
}

/// Checks whose verdict on a named namespace (`Namespace/shop`) is about the namespace as the
/// cluster holds it, whatever unit the verdict came from: NetworkPolicies apply to every pod
/// of their namespace, not to those of the unit that shipped them.
const NAMESPACE_WIDE: &[&str] = &["NET-04.1"];

/// Units that deploy into one named namespace (a service per kustomization, each with its
/// `staging` and `production` overlays) make one namespace: it has a default-deny policy or it
/// has not. Their verdicts on it become one — a pass when any unit ships the policy, else one
/// failure, at the first location, which [`roll_up_units`] then reports once with the units
/// listed and the other locations related.
fn one_verdict_per_named_namespace(tagged: &mut Vec<(Verdict, Option<usize>)>) {
    let mut by_subject: HashMap<(&'static str, Arc<str>), Vec<usize>> = HashMap::new();
    for (i, (v, u)) in tagged.iter().enumerate() {
        if u.is_some() && NAMESPACE_WIDE.contains(&v.check) && v.subject.starts_with("Namespace/") {
            by_subject
                .entry((v.check, v.subject.clone()))
                .or_default()
                .push(i);
        }
    }
    let mut drop: HashSet<usize> = HashSet::new();
    for members in by_subject.into_values().filter(|m| m.len() > 1) {
        let passes: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| tagged[i].0.is_pass())
            .collect();
        let (keep, rest): (Vec<usize>, Vec<usize>) = if passes.is_empty() {
            (members.clone(), Vec::new())
        } else {
            members.iter().partition(|i| passes.contains(i))
        };
        drop.extend(rest);
        let Some(&first) = keep
            .iter()
            .min_by(|&&a, &&b| tagged[a].0.location.cmp(&tagged[b].0.location))
        else {
            continue;
        };
        let (at, message) = (
            tagged[first].0.location.clone(),
            tagged[first].0.message.clone(),
        );
        let related: Vec<Location> = keep
            .iter()
            .map(|&i| tagged[i].0.location.clone())
            .filter(|l| *l != at)
            .collect();
        // whichever of them the roll-up lists carries the others' locations
        for &i in &keep {
            let mut v = tagged[i].0.clone();
            v.location = at.clone();
            v.message = message.clone();
            for l in &related {
                v = v.with_related(Some(l.clone()));
            }
            tagged[i].0 = v;
        }
    }
    if !drop.is_empty() {
        let mut i = 0;
        tagged.retain(|_| {
            i += 1;
            !drop.contains(&(i - 1))
        });
    }
}

/// The verdicts of several units (or copies) that are one finding.
struct Group {
    /// The first verdict, the one reported.
    first: Verdict,
    /// The units it holds in.
    units: Vec<usize>,
    /// The copies of its file it was also found at.
    copies: Vec<Location>,
    /// Whether another unit worded it differently.
    worded_differently: bool,
    /// The objects it holds on, namespaces aside.
    objects: Vec<Arc<str>>,
}

/// A subject without its namespace (`StatefulSet/shop-prod/db › container postgres` →
/// `StatefulSet/db › container postgres`): one object deployed by the staging and the prod
/// overlay into their namespaces is one object of the application.
fn same_object(subject: &str) -> Arc<str> {
    let (head, rest) = subject.split_once(" › ").unwrap_or((subject, ""));
    let parts: Vec<&str> = head.split('/').collect();
    let head = match parts.as_slice() {
        [kind, _namespace, name] => format!("{kind}/{name}"),
        _ => head.to_string(),
    };
    if rest.is_empty() {
        Arc::from(head)
    } else {
        Arc::from(format!("{head} › {rest}"))
    }
}

/// One verdict for each failure (or pass) that several units share: the same check at the
/// same source location saying the same thing holds in every unit that includes a base, or in
/// every copy of one application, and is reported once with the units listed and their
/// declarations as related locations. Verdicts of built units name their unit, since the
/// location (a base shared by `staging` and `prod`) does not say which environment it is about.
///
/// Byte-identical copies of a file (`copies`: each copy's path → the first copy's) are one
/// source: a verdict at a line of a copy is the verdict at that line of the first copy, and is
/// reported once, at the first copy, with the other copies as related locations.
fn roll_up_units(
    tagged: Vec<(Verdict, Option<usize>)>,
    units: &[Unit],
    copies: &HashMap<Arc<str>, Copy>,
) -> Vec<Verdict> {
    // a pass is one finding only where it says the same thing; a failure of one check at one
    // line in several units is one gap to fix at that line even when its details differ per
    // unit (a database reachable by 20 services in one Compose project, by 27 in another)
    type Key = (&'static str, Location, bool, Option<Arc<str>>);
    let mut groups: HashMap<Key, Vec<usize>> = HashMap::new();
    let mut out: Vec<Group> = Vec::new();
    for (v, u) in tagged {
        let original = copies
            .get(&v.location.path)
            .filter(|c| !c.differs.contains(&v.location.line))
            .map(|c| &c.first);
        // the verdict as the first copy would read it: its location, subject and message
        // written with the first copy's path
        let as_original = |s: &Arc<str>| -> Arc<str> {
            match original {
                Some(o) if s.contains(v.location.path.as_ref()) => {
                    Arc::from(s.replace(v.location.path.as_ref(), o).as_str())
                }
                _ => s.clone(),
            }
        };
        let mut at = v.location.clone();
        if let Some(o) = original {
            at.path = o.clone();
        }
        let (subject, message) = (as_original(&v.subject), as_original(&v.message));
        let key = (
            v.check,
            at,
            v.is_fail(),
            (!v.is_fail()).then(|| message.clone()),
        );
        let candidates = groups.entry(key).or_default();
        // the same subject saying the same thing is the same finding; another subject at the
        // same line, or other words, are the same finding only when they come from another
        // unit (a copy of the object), never two objects of one unit (two instances of a
        // Terraform module, two routes of one proxy)
        let same = candidates.iter().copied().find(|&g| {
            let (first, us) = (&out[g].first, &out[g].units);
            let first_subject = as_first_copy(first, &first.subject, copies);
            let other_unit = u.is_some_and(|u| !us.is_empty() && !us.contains(&u));
            let first_message = as_first_copy(first, &first.message, copies);
            // worded otherwise in another unit, it is one gap only when its fix is the same:
            // a value set in `values-prod.yaml` for one unit and `values.yaml` for another is
            // fixed in two places
            (first_subject == *subject && first_message == *message)
                || (other_unit && (first_message == *message || first.fix() == v.fix()))
        });
        match same {
            Some(g) => {
                if as_first_copy(&out[g].first, &out[g].first.message, copies) != *message {
                    out[g].worded_differently = true;
                }
                if let Some(u) = u
                    && !out[g].units.contains(&u)
                {
                    out[g].units.push(u);
                }
                if v.location.path != out[g].first.location.path
                    && !out[g].copies.contains(&v.location)
                {
                    out[g].copies.push(v.location.clone());
                }
                let object = same_object(&subject);
                if !out[g].objects.contains(&object) {
                    out[g].objects.push(object);
                }
            }
            None => {
                candidates.push(out.len());
                let object = same_object(&subject);
                out.push(Group {
                    first: v,
                    units: u.into_iter().collect(),
                    copies: Vec::new(),
                    worded_differently: false,
                    objects: vec![object],
                });
            }
        }
    }
    out.into_iter()
        .map(|g| {
            let Group {
                first: mut v,
                units: mut us,
                copies: mut also,
                worded_differently,
                objects: subjects,
            } = g;
            let first_unit = us.first().copied();
            us.sort_by(|a, b| units[*a].name.cmp(&units[*b].name));
            let named = us.len() > 1 || us.iter().any(|u| units[*u].kind.is_built());
            if named {
                let names: Vec<&str> = us.iter().map(|u| units[*u].name.as_str()).collect();
                let label = if names.len() == 1 { "unit" } else { "units" };
                let differ = match first_unit {
                    Some(f) if worded_differently => {
                        format!("; details differ per unit, these are {}'s", units[f].name)
                    }
                    _ => String::new(),
                };
                // a line of a component or base that several objects get (a sidecar a
                // component adds to every workload) is one gap: say how many it holds on
                let differ = if subjects.len() > 1 {
                    format!("{differ}; {} objects get this line", subjects.len())
                } else {
                    differ
                };
                v.message = format!("{} ({label} {}{differ})", v.message, names.join(", ")).into();
                for u in &us {
                    let anchor = units[*u].anchor();
                    v = v.with_related(Some(Location::file(Arc::from(anchor.as_str()))));
                }
            }
            if !also.is_empty() {
                also.sort();
                let paths: Vec<&str> = also.iter().map(|l| l.path.as_ref()).collect();
                let label = if paths.len() == 1 { "copy" } else { "copies" };
                let near = also
                    .iter()
                    .any(|l| copies.get(&l.path).is_some_and(|c| !c.differs.is_empty()));
                let kind = if near { "same line in a" } else { "identical" };
                let kind = if near && paths.len() > 1 {
                    "same line in"
                } else {
                    kind
                };
                v.message = format!(
                    "{} ({kind} {label} of this file: {})",
                    v.message,
                    paths.join(", ")
                )
                .into();
                for l in also {
                    v = v.with_related(Some(l));
                }
            }
            v
        })
        .collect()
}

/// `text` (a subject or message of `v`) as the first copy of `v`'s file would read it: with
/// the first copy's path where `v`'s path is written.
fn as_first_copy(v: &Verdict, text: &str, copies: &HashMap<Arc<str>, Copy>) -> String {
    match copies.get(&v.location.path) {
        Some(o) => text.replace(v.location.path.as_ref(), &o.first),
        None => text.to_string(),
    }
}

/// The paths the verdicts are located in. A file's verdicts come one after the other and
/// share one copy of its path, so a path is looked up once per run of them.
fn paths_of<'v>(
    verdicts: &'v [Verdict],
    tagged: &'v [(Verdict, Option<usize>)],
) -> BTreeSet<&'v Arc<str>> {
    let mut paths = BTreeSet::new();
    let mut last: Option<&Arc<str>> = None;
    for p in verdicts
        .iter()
        .chain(tagged.iter().map(|(v, _)| v))
        .map(|v| &v.location.path)
    {
        if last.is_some_and(|l| Arc::ptr_eq(l, p)) {
            continue;
        }
        last = Some(p);
        paths.insert(p);
    }
    paths
}

/// A file that is a copy of another (`first`, earlier in path order): byte for byte, or line
/// for line but for a few lines (`differs`, 1-based), where only the same lines are the same
/// finding.
struct Copy {
    first: Arc<str>,
    differs: Vec<u32>,
}

/// Lines a copy may change and still be a copy: raw manifests kept beside a `kustomize/base`
/// with their own `image:` lines, a sample copied with another name or port.
const MAX_DIFFERING_LINES: usize = 3;
/// Shorter files are copies only byte for byte: in a few lines, three make another file.
const MIN_LINES_FOR_NEAR_COPY: usize = 20;

/// The copies among `paths`: each later copy's path → the first copy's. Files are compared
/// when they have the same size (byte-identical) or the same name and number of lines (a near
/// copy: at most [`MAX_DIFFERING_LINES`] lines differ, in files of at least
/// [`MIN_LINES_FOR_NEAR_COPY`] lines).
fn copies_of<'a>(
    paths: impl IntoIterator<Item = &'a Arc<str>>,
    files: &RepoFiles,
) -> HashMap<Arc<str>, Copy> {
    let mut by_size: BTreeMap<u64, BTreeSet<Arc<str>>> = BTreeMap::new();
    let mut by_name: BTreeMap<&str, BTreeSet<Arc<str>>> = BTreeMap::new();
    let paths: Vec<&Arc<str>> = paths.into_iter().collect();
    for p in &paths {
        if let Some(abs) = files.resolve(p)
            && let Ok(m) = std::fs::metadata(&abs)
            && m.is_file()
            && m.len() > 0
            && m.len() <= files.limit
        {
            by_size.entry(m.len()).or_default().insert((*p).clone());
            let name = p.rsplit('/').next().unwrap_or(p);
            by_name.entry(name).or_default().insert((*p).clone());
        }
    }
    let read = |p: &Arc<str>| files.resolve(p).and_then(|a| std::fs::read(a).ok());
    let mut copies = HashMap::new();
    for same_size in by_size.into_values().filter(|s| s.len() > 1) {
        let mut firsts: Vec<(Vec<u8>, Arc<str>)> = Vec::new();
        for p in same_size {
            let Some(bytes) = read(&p) else { continue };
            match firsts.iter().find(|(b, _)| *b == bytes) {
                Some((_, first)) => {
                    let first = first.clone();
                    copies.insert(
                        p,
                        Copy {
                            first,
                            differs: Vec::new(),
                        },
                    );
                }
                None => firsts.push((bytes, p)),
            }
        }
    }
    for same_name in by_name.into_values().filter(|s| s.len() > 1) {
        // the files of one name, by number of lines, each as the hashes of its lines
        let mut by_lines: BTreeMap<usize, Vec<Hashed>> = BTreeMap::new();
        for p in same_name {
            if copies.contains_key(&p) {
                continue;
            }
            let Some(text) = read(&p).and_then(|b| String::from_utf8(b).ok()) else {
                continue;
            };
            let lines = line_hashes(&text);
            if lines.len() >= MIN_LINES_FOR_NEAR_COPY {
                by_lines.entry(lines.len()).or_default().push((lines, p));
            }
        }
        for group in by_lines.into_values() {
            let mut firsts: Vec<Hashed> = Vec::new();
            for (lines, p) in group {
                let near = firsts
                    .iter()
                    .find_map(|(f, first)| differing_lines(f, &lines).map(|d| (first.clone(), d)));
                match near {
                    Some((first, differs)) => {
                        copies.insert(p, Copy { first, differs });
                    }
                    None if firsts.len() < MAX_ORIGINALS_PER_SHAPE => firsts.push((lines, p)),
                    None => {}
                }
            }
        }
    }
    copies
}

/// A file as the hashes of its lines, with its path.
type Hashed = (Vec<u64>, Arc<str>);

/// Distinct files of one name and length a file is compared with, so that a repository of
/// thousands of `deployment.yaml` stays linear: a copy is almost always of one of the first.
const MAX_ORIGINALS_PER_SHAPE: usize = 8;

/// A hash of each line of a text.
fn line_hashes(text: &str) -> Vec<u64> {
    use std::hash::{Hash, Hasher};
    text.lines()
        .map(|l| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            l.hash(&mut h);
            h.finish()
        })
        .collect()
}

/// The lines (1-based) where `b` differs from `a` (two files of as many lines), when few do.
fn differing_lines(a: &[u64], b: &[u64]) -> Option<Vec<u32>> {
    let mut differs = Vec::new();
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x != y {
            differs.push(i as u32 + 1);
            if differs.len() > MAX_DIFFERING_LINES {
                return None;
            }
        }
    }
    Some(differs)
}

/// Paths in diagnostics' messages shown relative to the scanned folder, as their locations
/// are: a reader that reports the absolute path it opened (a Kustomize build's "cannot read",
/// "not in or below") would otherwise print the folders of the machine that ran the scan, and
/// the same repository would give different messages, and SARIF results, on each runner.
fn paths_relative_to_root(diagnostics: &mut [Diagnostic], root: &std::path::Path) {
    let mut prefixes: Vec<String> = [Some(root.to_path_buf()), root.canonicalize().ok()]
        .into_iter()
        .flatten()
        .filter(|p| p.is_absolute() && p.parent().is_some())
        .map(|p| format!("{}/", p.to_string_lossy().trim_end_matches('/')))
        .collect();
    // the longer first: a canonical path may extend the one given (a symlinked checkout)
    prefixes.sort_by_key(|p| std::cmp::Reverse(p.len()));
    prefixes.dedup();
    for d in diagnostics.iter_mut() {
        for p in &prefixes {
            if d.message.contains(p.as_str()) {
                d.message = d.message.replace(p.as_str(), "");
            }
        }
    }
}

/// The report of a scan, as every format renders it.
pub(crate) fn report(scan: &Scan<'_>, tally: Tally, rolled: RolledUp) -> ScanReport {
    let opts = scan.opts;
    let mut report = ScanReport {
        tool_version: VERSION,
        root: opts.display_root.clone(),
        commit: crate::head_commit(&opts.root),
        as_of: opts.today.to_string(),
        frameworks: rolled.frameworks,
        fail_on: opts.fail_on.or(scan.cfg.fail_on).unwrap_or(Severity::High),
        stats: tally.stats,
        verdicts: rolled.verdicts,
        diagnostics: tally.diagnostics,
        rollup: rolled.rollup,
        checks: rolled.checks,
        tables: rolled.tables,
        unassessed: rolled.unassessed,
        changes: None,
        scope: Default::default(),
    };
    // the one place every report passes before any format renders it
    report.redact_credentials();
    report
}
