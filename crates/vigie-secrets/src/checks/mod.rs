//! The secrets checks, one file per check: its documentation beside its judge, a function of
//! one scan's outcome ([`Scanned`]). For these repository-level checks, `failing.0` /
//! `passing.0` of the documentation is the path the example is written to.
//!
//! Adding a check: a file here with `pub(crate) static DOC` and `pub(crate) fn judge`, its `mod`
//! line and its name in the `checks!` list below, and its entry in the catalogue (see
//! `vigie_core::check`).

use crate::analyzer::Scanned;
use vigie_core::Verdict;

mod sec01_secrets_in_content;
mod sec03_forbidden_files;
mod sec04_secrets_in_images;

vigie_core::checks! {
    pub(crate) judge: fn(&Scanned<'_>, &mut Vec<Verdict>);
    sec01_secrets_in_content,
    sec03_forbidden_files,
    sec04_secrets_in_images,
}
