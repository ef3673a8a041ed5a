//! The network checks, one file per check: its documentation beside its judge, a function of
//! the graph's [`Facts`] (flows, exposures and egress indexed once). The checks run in this
//! order, so the evidence tables keep theirs.
//!
//! Adding a check: a file here with `pub(crate) static DOC` and `pub(crate) fn judge`, its `mod`
//! line and its name in the `checks!` list below, and its entry in the catalogue (see
//! `vigie_core::check`).

use crate::controls::{Facts, Judged};

mod net01_1_database_not_exposed;
mod net02_1_database_reached_by_api;
mod net02_2_database_no_way_out;
mod net03_1_entry_points;
mod net03_2_tls_at_entry;
mod net04_1_default_deny;

vigie_core::checks! {
    pub(crate) judge: fn(&Facts<'_>, &mut Judged);
    net01_1_database_not_exposed,
    net02_1_database_reached_by_api,
    net02_2_database_no_way_out,
    net03_1_entry_points,
    net03_2_tls_at_entry,
    net04_1_default_deny,
}
