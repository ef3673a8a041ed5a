//! The supply-chain checks, one file per check: its documentation beside its judge, a function
//! of the [`Analysis`] (every pipeline lowered, with its release paths) computed once per scan.
//! For these repository-level checks, `failing.0` / `passing.0` of the documentation is the
//! path (relative to the repository root) the example is written to; `vigie-scan`'s
//! `analyzer_examples` test writes each example there and scans it.
//!
//! Adding a check: a file here with `pub(crate) static DOC` and `pub(crate) fn judge`, its `mod`
//! line and its name in the `checks!` list below, and its entry in the catalogue (see
//! `vigie_core::check`).

use crate::analyze::{Analysis, Found};

/// A workflow that builds, pushes, then scans without gating (the example of several checks).
const WF_FAIL_SCAN: &str = "on: push\npermissions:\n  contents: read\n  packages: write\njobs:\n  image:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: docker build -t ghcr.io/acme/api:${{ github.sha }} .\n      - run: docker push ghcr.io/acme/api:${{ github.sha }}\n      - run: trivy image --severity CRITICAL,HIGH --exit-code 1 ghcr.io/acme/api:${{ github.sha }} || true\n";
/// The same workflow scanning before the push, gated.
const WF_PASS_SCAN: &str = "on: push\npermissions:\n  contents: read\n  packages: write\njobs:\n  image:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: docker build -t ghcr.io/acme/api:${{ github.sha }} .\n      - run: trivy image --severity CRITICAL,HIGH --exit-code 1 ghcr.io/acme/api:${{ github.sha }}\n      - run: docker push ghcr.io/acme/api:${{ github.sha }}\n";

mod sup01_scan_gate;
mod sup02_1_dependency_audit;
mod sup02_2_lockfiles;
mod sup02_3_locked_install;
mod sup02_4_update_cadence;
mod sup04_1_sbom;
mod sup04_2_provenance;
mod sup04_3_verified_sources;
mod sup05_1_signed;
mod sup05_2_verified_at_deploy;
mod sup06_1_permissions;
mod sup06_2_pinned_actions;
mod sup06_3_pull_request_target;
mod sup06_4_echoed_secrets;
mod sup06_5_cloudbuild_account;
mod sup06_6_no_keys;
mod sup07_migrations;

vigie_core::checks! {
    pub(crate) judge: fn(&Analysis<'_>, &mut Found);
    sup01_scan_gate,
    sup02_1_dependency_audit,
    sup02_2_lockfiles,
    sup02_3_locked_install,
    sup02_4_update_cadence,
    sup04_1_sbom,
    sup04_2_provenance,
    sup04_3_verified_sources,
    sup05_1_signed,
    sup05_2_verified_at_deploy,
    sup06_1_permissions,
    sup06_2_pinned_actions,
    sup06_3_pull_request_target,
    sup06_4_echoed_secrets,
    sup06_5_cloudbuild_account,
    sup06_6_no_keys,
    sup07_migrations,
}
