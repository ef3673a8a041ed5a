//! What the network checks (`checks/`: NET-01 … NET-04) share: the graph's flows, exposures
//! and egress indexed once ([`Facts`]), the verdicts with the workload each is about, and the
//! evidence tables.

use crate::model::*;
use std::collections::BTreeMap;
use vigie_core::{CheckDoc, Location, Verdict};

/// NET-04.1's subject for workloads that set no namespace: the unit is judged, in whatever
/// namespace it is applied to (the graph calls that namespace `default`).
pub const APPLIED_NAMESPACE: &str = "Namespace (the one the unit is applied to)";

/// A table of evidence shown under a control in the roadmap.
pub use vigie_core::EvidenceTable as Table;

/// The verdicts, each with the workload it is about (for colouring the graph).
#[derive(Debug, Default)]
pub struct Judged {
    pub verdicts: Vec<(Option<Wid>, Verdict)>,
    /// Within the report's budget of rows per control: a platform with thousands of databases
    /// lists the first ones and counts the rest.
    pub tables: vigie_core::EvidenceTables,
}

impl Judged {
    /// Per workload: `Some(true)` when every NET verdict on it passes, `Some(false)` when one fails.
    pub fn status(&self, n: usize) -> Vec<Option<bool>> {
        let mut v = vec![None; n];
        for (w, verdict) in &self.verdicts {
            if let Some(w) = w {
                let ok = !verdict.is_fail();
                v[*w] = Some(v[*w].unwrap_or(true) && ok);
            }
        }
        v
    }
}

pub(crate) fn engine(w: &Workload) -> Option<String> {
    w.images
        .iter()
        .find_map(|i| crate::roles::database_engine(i))
}

/// How many sources into one database NET-02's table lists; the rest are counted.
pub const MAX_LISTED: usize = 50;

/// How many of the sources not allowed NET-02.1's message names; the rest are counted.
pub const MAX_NAMED: usize = 20;

/// Whether a flow from `from` into the database `db` is allowed by NET-02.
pub fn allowed_into_db(g: &Graph, from: Wid, db: Wid) -> bool {
    let f = &g.workloads[from];
    let d = &g.workloads[db];
    f.role.api
        || f.role.db_client
        || (f.role.database && (engine(f) == engine(d) || engine(f).is_none()))
}

pub(crate) fn loc_or(at: &Option<Location>, w: &Workload) -> Location {
    at.clone().unwrap_or_else(|| w.at.clone())
}

/// What several network checks read of the graph, computed once.
pub(crate) struct Facts<'g> {
    pub(crate) g: &'g Graph,
    /// For each workload, the flows into it (indices of `g.flows`).
    pub(crate) flows_to: Vec<Vec<usize>>,
    /// Each workload's database engine, read once rather than once per flow.
    pub(crate) engines: Vec<Option<String>>,
    /// For each workload, what exposes it outside the platform.
    pub(crate) exposures_of: Vec<Vec<&'g Exposure>>,
    /// The workloads that can open connections outside the cluster, and through what.
    pub(crate) egress_of: BTreeMap<Wid, &'g Through>,
}

impl<'g> Facts<'g> {
    fn new(g: &'g Graph) -> Self {
        let mut exposures_of: Vec<Vec<&Exposure>> = vec![Vec::new(); g.workloads.len()];
        for e in &g.exposures {
            exposures_of[e.target].push(e);
        }
        Facts {
            g,
            flows_to: g.flows_to(),
            engines: g.workloads.iter().map(engine).collect(),
            exposures_of,
            egress_of: g.egress_outside.iter().map(|(w, t)| (*w, t)).collect(),
        }
    }

    /// The databases of the graph, with their index.
    pub(crate) fn databases(&self) -> impl Iterator<Item = (Wid, &'g Workload)> + 'g {
        self.g
            .workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| w.role.database)
    }
}

/// Judges the graph with every network check, in id order.
pub fn judge(g: &Graph) -> Judged {
    let facts = Facts::new(g);
    let mut out = Judged::default();
    for c in crate::checks::CHECKS {
        (c.judge)(&facts, &mut out);
    }
    out
}

/// The documentation of every network check, in id order.
pub static CHECKS: &[&CheckDoc] = crate::checks::DOCS;
