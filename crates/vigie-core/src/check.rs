//! How a check is written and registered, the same way in every domain.
//!
//! A check is one file of its domain's `checks/` folder holding its documentation
//! (`pub(crate) static DOC: CheckDoc`, whose failing and passing examples are run as tests) and
//! its judge (`pub(crate) fn judge`), a function of what the domain computed once for all its
//! checks (its model) that appends the check's verdicts. The domain's `checks/mod.rs` declares
//! the file (`mod name;`) and names it in its [`checks!`](crate::checks!) list, which builds
//! the domain's registry: adding a check is one file, its two lines in `checks/mod.rs`, and its
//! entry in the catalogue. The compiler holds the two lines together: a name listed without its
//! `mod` does not compile, and a `mod` left out of the list leaves `DOC` and `judge` unused,
//! which `clippy -D warnings` refuses.
//!
//! The list is an ordinary `macro_rules!` rather than link-time registration (the `linkme` or
//! `inventory` crates): it keeps the registry in source order on every target, with nothing a
//! linker may drop from an object file no one references, and no new dependency. The `mod`
//! lines stay outside the macro so that `cargo fmt` still sees (and formats) the check files.

use crate::CheckDoc;

/// One check of a domain: its documentation and its judge. `J` is the domain's judge type, a
/// function of the domain's model (`fn(&Model<'_>, &mut Out)`).
pub struct Check<J: 'static> {
    pub doc: &'static CheckDoc,
    pub judge: J,
}

/// Builds a domain's registry from its check modules, in the order written:
///
/// ```text
/// mod log01_shipping;
/// mod log03_auth_alert;
///
/// vigie_core::checks! {
///     pub(crate) judge: fn(&Model<'_>, &mut Out);
///     log01_shipping,
///     log03_auth_alert,
/// }
/// ```
///
/// defines, with the visibility given, `CHECKS` (a [`Check`] per module, built from its `DOC`
/// and `judge`) and `DOCS` (the documentation alone, for `Analyzer::checks` and `vigie docs`).
///
/// A domain whose check files name their judge otherwise (the container checks' `run`) says so
/// after the type: `pub judge: fn(&Context<'_>, &mut Vec<Verdict>) = run;`.
#[macro_export]
macro_rules! checks {
    ($vis:vis judge: $judge:ty; $($module:ident),+ $(,)?) => {
        $crate::checks! { $vis judge: $judge = judge; $($module),+ }
    };
    ($vis:vis judge: $judge:ty = $judge_fn:ident; $($module:ident),+ $(,)?) => {
        /// Every check of this domain, in declaration order.
        $vis static CHECKS: &[$crate::check::Check<$judge>] = &[
            $( $crate::check::Check { doc: &$module::DOC, judge: $module::$judge_fn }, )+
        ];

        /// The documentation of every check of this domain, in declaration order.
        $vis static DOCS: &[&$crate::CheckDoc] = &[ $( &$module::DOC, )+ ];
    };
}
