//! The governance checks, one file per check: its documentation beside its judge, a function
//! of the [`Model`] computed once per scan. For these repository-level checks, `failing.0` /
//! `passing.0` of the documentation is the path (relative to the repository root) the example
//! is written to; `vigie-scan`'s `analyzer_examples` test writes each example there and scans
//! it.
//!
//! Adding a check: a file here with `pub(crate) static DOC` and `pub(crate) fn judge`, its `mod`
//! line and its name in the `checks!` list below, and its entry in the catalogue (see
//! `vigie_core::check`).

use crate::Out;
use crate::model::Model;

mod gov01_1_rollback_runbook;
mod gov01_2_incident_response;
mod gov02_backups;
mod k8s01_1_namespace_level;
mod k8s01_2_workloads_meet_level;
mod k8s02_1_rbac;
mod k8s02_2_tokens;
mod log01_shipping;
mod log03_auth_alert;
mod log04_1_failed_builds;
mod log04_metrics;
mod scm01_signed_commits;
mod scm02_secret_hook;
mod scm03_codeowners;
mod scm04_release_tags;
mod sec02_1_no_plain_secret;
mod sec02_2_secret_sources;
mod sec02_3_rotation;
mod sec02_4_compose_secrets;

vigie_core::checks! {
    pub(crate) judge: fn(&Model<'_>, &mut Out);
    gov01_1_rollback_runbook,
    gov01_2_incident_response,
    gov02_backups,
    k8s01_1_namespace_level,
    k8s01_2_workloads_meet_level,
    k8s02_1_rbac,
    k8s02_2_tokens,
    log01_shipping,
    log03_auth_alert,
    log04_metrics,
    log04_1_failed_builds,
    scm01_signed_commits,
    scm02_secret_hook,
    scm03_codeowners,
    scm04_release_tags,
    sec02_1_no_plain_secret,
    sec02_2_secret_sources,
    sec02_3_rotation,
    sec02_4_compose_secrets,
}
