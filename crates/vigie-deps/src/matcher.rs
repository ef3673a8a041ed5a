//! Matching locked packages against the store: every registry package of every lockfile, by
//! ecosystem and name (one index lookup per distinct name), then by version.

use crate::Ecosystem;
use crate::lockfile::Lockfile;
use crate::osv::{Advisory, Rating};
use crate::store::Store;
use std::collections::HashMap;
use std::sync::Arc;
use vigie_core::Severity;

/// One advisory that affects a package.
#[derive(Debug, Clone, PartialEq)]
pub struct AdvisoryHit {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: String,
    pub rating: Option<Rating>,
    pub fixed: Option<String>,
    pub last_affected: Option<String>,
}

/// A locked package with at least one advisory.
#[derive(Debug, Clone, PartialEq)]
pub struct Vulnerable {
    /// Index of the lockfile in the slice given to [`match_lockfiles`].
    pub lockfile: usize,
    pub package: usize,
    pub advisories: Vec<AdvisoryHit>,
}

impl Vulnerable {
    /// The highest severity of its advisories (`None` when none is rated).
    pub fn severity(&self) -> Option<Severity> {
        self.advisories
            .iter()
            .filter_map(|a| a.rating.as_ref().map(|r| r.level))
            .max()
    }

    /// The lowest version that fixes every advisory that names a fix, when each of them does.
    pub fn fixed_in(&self, eco: Ecosystem) -> Option<String> {
        let mut best: Option<(crate::version::Version, String)> = None;
        for a in &self.advisories {
            let f = a.fixed.as_ref()?;
            let v = crate::version::Version::parse(eco, f)?;
            if best.as_ref().is_none_or(|(b, _)| v > *b) {
                best = Some((v, f.clone()));
            }
        }
        best.map(|(_, s)| s)
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct MatchReport {
    pub vulnerable: Vec<Vulnerable>,
    /// Packages whose version was compared.
    pub matched: usize,
    /// Packages not from a registry (git, path, URL) or without a version of their ecosystem.
    pub not_matchable: usize,
    /// Ranges whose events are not versions of their ecosystem (left out, not guessed).
    pub unevaluated_ranges: u32,
}

/// Matches every registry package of the lockfiles. Each distinct (ecosystem, name) is looked
/// up once; the store is never scanned.
pub fn match_lockfiles(store: &Store, lockfiles: &[Lockfile]) -> Result<MatchReport, String> {
    let mut cache: HashMap<(Ecosystem, String), Arc<Vec<Advisory>>> = HashMap::new();
    let mut report = MatchReport::default();
    for (li, lf) in lockfiles.iter().enumerate() {
        for (pi, p) in lf.packages.iter().enumerate() {
            if !p.registry {
                report.not_matchable += 1;
                continue;
            }
            report.matched += 1;
            let key = (lf.ecosystem, lf.ecosystem.normalise(&p.name));
            let advisories = match cache.get(&key) {
                Some(a) => a.clone(),
                None => {
                    let a = Arc::new(store.lookup(key.0, &key.1)?);
                    cache.insert(key.clone(), a.clone());
                    a
                }
            };
            let mut hits = Vec::new();
            for a in advisories.iter() {
                for af in &a.affected {
                    if af.ecosystem != key.0 || af.name != key.1 {
                        continue;
                    }
                    if let Some(h) = af.affects(&p.version, &mut report.unevaluated_ranges) {
                        hits.push(AdvisoryHit {
                            id: a.id.clone(),
                            aliases: a.aliases.clone(),
                            summary: a.summary.clone(),
                            rating: a.severity.clone().or_else(|| af.severity.clone()),
                            fixed: h.fixed,
                            last_affected: h.last_affected,
                        });
                        break;
                    }
                }
            }
            if !hits.is_empty() {
                hits.sort_by(|a, b| a.id.cmp(&b.id));
                report.vulnerable.push(Vulnerable {
                    lockfile: li,
                    package: pi,
                    advisories: hits,
                });
            }
        }
    }
    Ok(report)
}
