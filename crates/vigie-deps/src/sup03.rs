//! SUP-03: no known-vulnerable dependencies. Every registry package of every lockfile is
//! matched against the offline OSV store (`vigie db import`).

use crate::lockfile::Lockfile;
use crate::matcher::{self, Vulnerable};
use crate::store::{self, Store};
use std::path::PathBuf;
use std::sync::Arc;
use vigie_core::{CheckDoc, DiagKind, Diagnostic, Location, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "SUP-03",
    title: "Locked dependencies have no known vulnerability",
    severity: Severity::High,
    applies_to: &["lockfiles"],
    what: "Every package locked in `package-lock.json` (v1 to v3), `npm-shrinkwrap.json`, \
           `yarn.lock` (v1 and berry), `pnpm-lock.yaml`, `Cargo.lock`, `poetry.lock`, \
           `requirements*.txt` (exact `==` pins) and `go.sum` is matched, by ecosystem, name and \
           version, against an offline copy of the OSV database. A failure names the package, the \
           lockfile line, each advisory (id, CVE aliases, severity from its CVSS vector or the \
           database's rating) and the version that fixes it. The severity of the failure is that \
           of its worst advisory. The check needs a database: `vigie db import all.zip…` \
           (the per-ecosystem exports at https://osv-vulnerabilities.storage.googleapis.com/<ecosystem>/all.zip) \
           stores one under the user's data folder; `VIGIE_DB` or `[db] path` in vigie.toml \
           choose another file. Without a database the control is reported as not assessed, \
           never as passed; a database older than `[db] max_age_days` (default 7) is warned about. \
           The examples below assume a database that holds GHSA-35jh-r3h4-6jhm (lodash before \
           4.17.21), as built from the fixtures of the vigie-deps crate.",
    why: "A published vulnerability in a dependency is the cheapest way into an application: \
          exploits for known CVEs circulate within days, and the lockfile says exactly which \
          vulnerable version is deployed. Matching offline keeps the check deterministic and \
          usable in air-gapped pipelines.",
    fix: "Upgrade the package to the fixed version (or later) and refresh the lockfile \
          (`npm update <pkg>`, `cargo update -p <crate>`, `poetry update <pkg>`, \
          `go get <module>@<version>`); when no fix exists, replace the package or record the \
          accepted risk as a waiver with an expiry date.",
    failing: (
        "package-lock.json",
        "{\n  \"name\": \"shop\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\n      \"name\": \"shop\",\n      \"version\": \"1.0.0\",\n      \"dependencies\": {\n        \"lodash\": \"^4.17.20\"\n      }\n    },\n    \"node_modules/lodash\": {\n      \"version\": \"4.17.20\",\n      \"resolved\": \"https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz\"\n    }\n  }\n}\n",
    ),
    passing: (
        "package-lock.json",
        "{\n  \"name\": \"shop\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\n      \"name\": \"shop\",\n      \"version\": \"1.0.0\",\n      \"dependencies\": {\n        \"lodash\": \"^4.17.21\"\n      }\n    },\n    \"node_modules/lodash\": {\n      \"version\": \"4.17.21\",\n      \"resolved\": \"https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz\"\n    }\n  }\n}\n",
    ),
};

pub static CHECKS: &[&CheckDoc] = &[&DOC];

/// The `[db]` section of vigie.toml.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub path: Option<PathBuf>,
    pub max_age_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            path: None,
            max_age_days: 7,
        }
    }
}

/// What SUP-03 says about a set of lockfiles.
#[derive(Debug, Default)]
pub struct Assessment {
    pub verdicts: Vec<Verdict>,
    pub diagnostics: Vec<Diagnostic>,
    /// Rows of the evidence table: package, version, lockfile line, advisories, severity, fixed in.
    pub rows: Vec<Vec<String>>,
    /// Why the lockfiles could not be matched at all (no database, unreadable store).
    pub unassessed: Option<String>,
}

impl Assessment {
    /// SUP-03 could not be assessed, said at the first lockfile; the measure says "not
    /// assessed" with the reason in every report. No database set up is a note about the run,
    /// not the repository (like "not a git repository" for SCM-01): `Info`; a database that is
    /// there but cannot be read is a fault to fix: `Medium`.
    fn not_assessed(&mut self, at: Location, why: String, severity: Severity) {
        let mut d = Diagnostic::new(
            DiagKind::Skipped,
            at,
            format!("SUP-03 not assessed (lockfiles not matched against vulnerabilities): {why}"),
        );
        d.severity = severity;
        self.diagnostics.push(d);
        self.unassessed = Some(format!(
            "the lockfiles were not matched against vulnerabilities: {why}; load advisories with `vigie db import`"
        ));
    }
}

pub const TABLE_COLUMNS: [&str; 6] = [
    "Package",
    "Version",
    "Lockfile",
    "Advisories",
    "Severity",
    "Fixed in",
];

/// Matches `lockfiles` against the store the settings (or `VIGIE_DB`, or the default place) name.
pub fn assess(
    lockfiles: &[Lockfile],
    settings: &Settings,
    now: time::OffsetDateTime,
) -> Assessment {
    let mut out = Assessment::default();
    for lf in lockfiles {
        out.diagnostics.extend(lf.diagnostics.iter().cloned());
        if let Some(first) = lf.unpinned.first() {
            let listed: Vec<String> = lf
                .unpinned
                .iter()
                .take(5)
                .map(|u| format!("{} ({})", u.name, u.spec))
                .collect();
            let more = lf.unpinned.len().saturating_sub(5);
            out.diagnostics.push(Diagnostic::new(
                DiagKind::Skipped,
                Location::new(lf.path.clone(), first.line, 1),
                format!(
                    "{} requirement(s) not pinned with `==` were not matched against advisories: {}{}",
                    lf.unpinned.len(),
                    listed.join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() }
                ),
            ));
        }
    }
    if lockfiles.is_empty() {
        return out;
    }
    let first = Location::file(lockfiles[0].path.clone());
    let Some(path) = settings.path.clone().or_else(|| store::resolve_path(None)) else {
        out.not_assessed(
            first,
            "no data folder for this user and no `[db] path`".into(),
            Severity::Info,
        );
        return out;
    };
    let st = match Store::open(&path) {
        Ok(s) => s,
        Err(e) => {
            let set_up = path.exists();
            out.not_assessed(
                first,
                e,
                if set_up {
                    Severity::Medium
                } else {
                    Severity::Info
                },
            );
            return out;
        }
    };
    let meta = st.meta();
    if let Some(age) = store::age_days(meta, now)
        && age > settings.max_age_days
    {
        let mut d = Diagnostic::new(
            DiagKind::Config,
            first.clone(),
            format!(
                "the vulnerability database {} was imported {age} days ago, more than `[db] max_age_days` = {}: advisories published since are not matched; refresh it with `vigie db import`",
                path.display(),
                settings.max_age_days
            ),
        );
        d.severity = Severity::Medium;
        out.diagnostics.push(d);
    }
    let report = match matcher::match_lockfiles(&st, lockfiles) {
        Ok(r) => r,
        Err(e) => {
            out.not_assessed(first, e, Severity::Medium);
            return out;
        }
    };
    let date = meta
        .imported
        .get(..10)
        .unwrap_or(&meta.imported)
        .to_string();
    let mut vulnerable_in = vec![0usize; lockfiles.len()];
    for v in &report.vulnerable {
        vulnerable_in[v.lockfile] += 1;
        let lf = &lockfiles[v.lockfile];
        let p = &lf.packages[v.package];
        out.verdicts.push(fail_verdict(lf, v));
        out.rows.push(vec![
            p.name.clone(),
            p.version.clone(),
            format!("{}:{}", lf.path, p.line),
            v.advisories
                .iter()
                .map(advisory_label)
                .collect::<Vec<_>>()
                .join(", "),
            v.severity().map_or("unrated".into(), |s| s.to_string()),
            v.fixed_in(lf.ecosystem).unwrap_or_else(|| "no fix".into()),
        ]);
    }
    for (i, lf) in lockfiles.iter().enumerate() {
        let n = lf.packages.iter().filter(|p| p.registry).count();
        if vulnerable_in[i] > 0 || (n == 0 && lf.packages.is_empty()) {
            continue;
        }
        out.verdicts.push(Verdict::pass(
            &DOC,
            lf.path.clone(),
            Location::new(lf.path.clone(), 1, 1),
            format!(
                "{n} {} package(s) matched against the OSV database imported {date} (newest advisory {}): no known vulnerability",
                lf.ecosystem.osv(),
                meta.newest_modified.get(..10).unwrap_or(&meta.newest_modified)
            ),
        ));
    }
    if report.unevaluated_ranges > 0 {
        out.diagnostics.push(Diagnostic::new(
            DiagKind::Skipped,
            first,
            format!(
                "{} advisory range(s) name versions that are not versions of their ecosystem and were not evaluated",
                report.unevaluated_ranges
            ),
        ));
    }
    out
}

fn advisory_label(a: &matcher::AdvisoryHit) -> String {
    let cves: Vec<&str> = a
        .aliases
        .iter()
        .map(String::as_str)
        .filter(|x| x.starts_with("CVE-"))
        .collect();
    let rating = a.rating.as_ref().map(|r| match r.score {
        Some(s) => format!("{} {s:.1}", r.level),
        None => r.level.to_string(),
    });
    let mut extra: Vec<String> = cves.iter().map(|s| s.to_string()).collect();
    extra.extend(rating);
    if extra.is_empty() {
        a.id.clone()
    } else {
        format!("{} ({})", a.id, extra.join(", "))
    }
}

fn fail_verdict(lf: &Lockfile, v: &Vulnerable) -> Verdict {
    let p = &lf.packages[v.package];
    let first = &v.advisories[0];
    let mut msg = format!(
        "{} {} ({}) is affected by {}",
        p.name,
        p.version,
        lf.ecosystem.osv(),
        advisory_label(first)
    );
    if !first.summary.is_empty() {
        msg.push_str(&format!(": {}", first.summary));
    }
    if v.advisories.len() > 1 {
        let others: Vec<String> = v.advisories[1..].iter().map(advisory_label).collect();
        msg.push_str(&format!("; also {}", others.join(", ")));
    }
    let fixed = v.fixed_in(lf.ecosystem);
    match &fixed {
        Some(f) => msg.push_str(&format!("; fixed in {f}")),
        None => {
            if let Some(la) = v.advisories.iter().find_map(|a| a.last_affected.as_ref()) {
                msg.push_str(&format!("; affected up to {la}"));
            }
            msg.push_str("; no fixed version for every advisory");
        }
    }
    let fix = match fixed {
        Some(f) => format!("upgrade {} to {f} or later and refresh {}", p.name, lf.path),
        None => format!(
            "no release fixes every advisory of {}: replace it, or record the accepted risk as a waiver with an expiry",
            p.name
        ),
    };
    let subject: Arc<str> = Arc::from(format!("{} › {}@{}", lf.path, p.name, p.version));
    let mut verdict = Verdict::fail(
        &DOC,
        subject,
        Location::new(lf.path.clone(), p.line, 1),
        msg,
        fix,
    );
    if let Some(s) = v.severity() {
        verdict.severity = s;
    }
    verdict
}
