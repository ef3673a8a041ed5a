//! The cloud controls, one module per control, each check documented beside its code.
//!
//! Unknown values: a check that needs a value vigie could not resolve (an unset variable, a
//! value computed at apply, a function it does not evaluate) does not guess. It fails at low
//! severity with a message that starts "cannot be proven", naming the reason; the fix is to
//! give the value in the repository (a default, `terraform.tfvars`) or to waive the verdict.

pub mod cry04;
pub mod log02;
pub mod net05;
pub mod sov01;
pub mod sov02;
pub mod sov03;
pub mod sup06;
pub mod sup06_build_iam;

use crate::eval::{Model, Value};
use std::sync::Arc;
use vigie_core::{CheckDoc, Location, Severity, Verdict};
use vigie_parse::compose::Project;
use vigie_parse::kubernetes::Object;

/// What the checks read.
pub struct Ctx<'a> {
    pub model: &'a Model,
    /// Every file of the repository (relative, `/`-separated), sorted.
    pub files: &'a [Arc<str>],
    pub read: &'a (dyn Fn(&str) -> Option<String> + Sync),
    pub compose: &'a [Project],
    /// The Kubernetes objects kept for these checks (BackendConfig).
    pub objects: &'a [Object],
}

/// An evidence table shown under a control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub control: String,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A failure because a value the check needs is not known: low severity, "cannot be proven".
pub fn cannot_prove(
    doc: &CheckDoc,
    subject: impl Into<Arc<str>>,
    at: Location,
    what: &str,
    value: &Value,
    fix: &str,
) -> Verdict {
    let why = match value {
        Value::Unknown(r) => r.to_string(),
        Value::Computed(r) => format!("it is computed at apply from `{r}`"),
        _ => "it is not a literal".to_string(),
    };
    let mut v = Verdict::fail(
        doc,
        subject.into(),
        at,
        format!("cannot be proven: {what} is not known ({why})"),
        fix.to_string(),
    );
    v.severity = Severity::Low;
    v
}

/// Whether a verdict is a failure because a value is not known (see [`cannot_prove`]).
pub fn is_unproven(v: &Verdict) -> bool {
    v.is_fail() && v.message.starts_with("cannot be proven")
}

/// One verdict per resource and check: where a check both fails a resource for certain and
/// cannot prove another of its values, the certain failure is the verdict (the unknown value
/// changes nothing: the resource fails either way); verdicts repeated word for word are kept
/// once. A resource is its subject in the folder that declares it.
pub fn one_verdict_per_resource(verdicts: &mut Vec<Verdict>) {
    use std::collections::HashSet;
    let folder = |v: &Verdict| {
        v.location
            .path
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string())
    };
    // `google_compute_disk.d › zone` and `provider google › region` are about the resource or
    // provider before their last, attribute, segment
    let resource = |v: &Verdict| {
        let subject = match v.subject.rsplit_once(" › ") {
            Some((head, attr)) if !attr.contains(' ') => head.to_string(),
            _ => v.subject.to_string(),
        };
        (v.check, subject, folder(v))
    };
    let failed_for_certain: HashSet<(&str, String, String)> = verdicts
        .iter()
        .filter(|v| v.is_fail() && !is_unproven(v))
        .map(resource)
        .collect();
    let mut seen = HashSet::new();
    verdicts.retain(|v| {
        if is_unproven(v) && failed_for_certain.contains(&resource(v)) {
            return false;
        }
        seen.insert((
            v.check,
            v.subject.clone(),
            v.location.to_string(),
            v.message.clone(),
            v.is_fail(),
        ))
    });
}

/// Every check of this crate.
pub static ALL: &[&CheckDoc] = &[
    &sov01::DOC,
    &sov02::DOC,
    &sov03::DOC,
    &cry04::DOC_STORAGE,
    &cry04::DOC_GKE_SECRETS,
    &log02::DOC_RETENTION,
    &log02::DOC_LOCKED,
    &log02::DOC_SINK,
    &net05::DOC_BACKEND,
    &net05::DOC_BACKENDCONFIG,
    &net05::DOC_COMPOSE,
    &sup06::DOC_NO_KEY,
    &sup06::DOC_WI_CLUSTER,
    &sup06::DOC_WI_NODES,
    &sup06_build_iam::DOC,
];
