//! The repository analyzer that runs SUP-03 inside `vigie scan`.

use crate::lockfile::{self, Kind};
use crate::sup03::{self, Settings};
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;
use vigie_checks::repo::{Analyzer, RepoInput, RepoOutput};
use vigie_core::{CheckDoc, DiagKind, Diagnostic, EvidenceTable, Location};
use vigie_parse::kubernetes::Object;

pub struct Dependencies;

pub static ANALYZER: Dependencies = Dependencies;

/// `[db]` of vigie.toml: `path` (relative paths are from the scanned folder) and `max_age_days`.
fn settings(input: &RepoInput<'_>, diags: &mut Vec<Diagnostic>) -> Settings {
    let at = input
        .config
        .section_location("db")
        .cloned()
        .unwrap_or_else(|| Location::file(Arc::from(input.config_path.unwrap_or("vigie.toml"))));
    settings_of(
        input.config.section("db").map(|t| t.get_ref()),
        input.root,
        &at,
        diags,
    )
}

/// `[db]` as written; `at` is where the section starts, for its diagnostics.
fn settings_of(
    section: Option<&toml::Table>,
    root: &std::path::Path,
    at: &Location,
    diags: &mut Vec<Diagnostic>,
) -> Settings {
    let mut s = Settings::default();
    let Some(section) = section else {
        return s;
    };
    let at = || at.clone();
    for (k, v) in section {
        match (k.as_str(), v) {
            ("path", toml::Value::String(p)) => {
                let p = PathBuf::from(p);
                s.path = Some(if p.is_absolute() { p } else { root.join(p) });
            }
            ("max_age_days", toml::Value::Integer(n)) if *n >= 0 => s.max_age_days = *n,
            ("path", _) => diags.push(Diagnostic::new(
                DiagKind::Config,
                at(),
                "`[db] path` must be a string (the database file)",
            )),
            ("max_age_days", _) => diags.push(Diagnostic::new(
                DiagKind::Config,
                at(),
                "`[db] max_age_days` must be a whole number of days, 0 or more",
            )),
            (other, _) => diags.push(Diagnostic::new(
                DiagKind::Config,
                at(),
                format!("unknown key `{other}` in `[db]` (expected path, max_age_days)"),
            )),
        }
    }
    s
}

impl Analyzer for Dependencies {
    fn name(&self) -> &'static str {
        "dependencies"
    }

    fn checks(&self) -> &'static [&'static CheckDoc] {
        sup03::CHECKS
    }

    fn run(&self, input: &RepoInput<'_>, _objects: &[Object], out: &mut RepoOutput) {
        let mut diags = Vec::new();
        let settings = settings(input, &mut diags);
        let lockfiles: Vec<lockfile::Lockfile> = input
            .files
            .par_iter()
            .filter(|f| {
                Kind::of(&f.rel).is_some()
                    && !f.rel.starts_with("node_modules/")
                    && !f.rel.contains("/node_modules/")
            })
            .filter_map(|f| {
                let text = input.lookup.read(&f.rel)?;
                lockfile::parse(&f.rel, &text)
            })
            .collect();
        // The database's age is judged on the scan's date (VIGIE_TODAY in tests), at its end.
        let now = input
            .today
            .with_hms(23, 59, 59)
            .map(|d| d.assume_utc())
            .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
        let a = sup03::assess(&lockfiles, &settings, now);
        out.verdicts.extend(a.verdicts);
        out.diagnostics.extend(diags);
        out.diagnostics.extend(a.diagnostics);
        if let Some(why) = a.unassessed {
            out.not_assessed(sup03::DOC.id, why);
        }
        if !a.rows.is_empty() {
            out.tables.push(EvidenceTable {
                control: "SUP-03".into(),
                title: "Vulnerable dependencies".into(),
                columns: sup03::TABLE_COLUMNS.iter().map(|c| c.to_string()).collect(),
                rows: a.rows,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Settings, Vec<Diagnostic>) {
        let t: toml::Table = text.parse().unwrap();
        let mut d = Vec::new();
        let at = Location::new(Arc::from("vigie.toml"), 3, 1);
        let s = settings_of(Some(&t), std::path::Path::new("/repo"), &at, &mut d);
        (s, d)
    }

    /// The database-age warning of SUP-03 is set by `[db] max_age_days`.
    #[test]
    fn db_section_sets_the_age_warning_and_path() {
        assert_eq!(Settings::default().max_age_days, 7);
        let (s, d) = read("max_age_days = 30\npath = \"cache/osv.db\"\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(s.max_age_days, 30);
        assert_eq!(
            s.path.as_deref(),
            Some(std::path::Path::new("/repo/cache/osv.db"))
        );
        let (s, d) = read("max_age_days = -1\nmax_age = 3\n");
        assert_eq!(s.max_age_days, 7, "a bad value keeps the default");
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(
            d.iter()
                .all(|x| x.kind == DiagKind::Config && x.location.line == 3)
        );
        assert!(
            d.iter()
                .any(|x| x.message.contains("unknown key `max_age`"))
        );
    }
}
