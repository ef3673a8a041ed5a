//! The cloud checks, one file per check: its documentation beside its judge, a function of the
//! evaluated Terraform model ([`Ctx`]).
//!
//! Adding a check: a file here with `pub(crate) static DOC` and `pub(crate) fn judge`, its `mod`
//! line and its name in the `checks!` list below, and its entry in the catalogue (see
//! `vigie_core::check`).
//!
//! Unknown values: a check that needs a value vigie could not resolve (an unset variable, a
//! value computed at apply, a function it does not evaluate) does not guess. It fails at low
//! severity with a message that starts "cannot be proven", naming the reason; the fix is to
//! give the value in the repository (a default, `terraform.tfvars`) or to waive the verdict.

mod cry04_1_storage;
mod cry04_2_gke_secrets;
mod log02_1_retention;
mod log02_2_locked;
mod log02_3_sink;
mod net05_1_backend_service;
mod net05_2_backend_config;
mod net05_3_compose_waf;
pub mod sov01_1_qualified_provider;
mod sov02_1_eu_locations;
mod sov03_1_no_extra_eu_saas;
mod sup06_10_no_key;
mod sup06_11_workload_identity;
mod sup06_12_node_metadata;
mod sup06_7_build_iam;

use crate::eval::{Mode, Model, Resource, Value};
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
    /// Where log sinks and trails write (module, reference), for the LOG-02 checks.
    pub log_destinations: Vec<(String, String)>,
}

impl Ctx<'_> {
    /// The managed resources (not data sources).
    pub(crate) fn managed(&self) -> impl Iterator<Item = &Resource> {
        self.model
            .resources
            .iter()
            .filter(|r| r.mode == Mode::Managed)
    }

    /// Whether a log sink or a trail writes to this resource.
    pub(crate) fn is_log_destination(&self, r: &Resource) -> bool {
        let me = r.local_ref();
        self.log_destinations
            .iter()
            .any(|(m, d)| *m == r.module && refers_to(&Value::Computed(d.clone()), &me))
    }
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

pub(crate) const LOG_BUCKETS: &[&str] = &[
    "google_logging_project_bucket_config",
    "google_logging_folder_bucket_config",
    "google_logging_organization_bucket_config",
    "google_logging_billing_account_bucket_config",
];

vigie_core::checks! {
    pub judge: fn(&Ctx<'_>, &mut crate::Output);
    sov01_1_qualified_provider,
    sov02_1_eu_locations,
    sov03_1_no_extra_eu_saas,
    cry04_1_storage,
    cry04_2_gke_secrets,
    log02_1_retention,
    log02_2_locked,
    log02_3_sink,
    net05_1_backend_service,
    net05_2_backend_config,
    net05_3_compose_waf,
    sup06_10_no_key,
    sup06_11_workload_identity,
    sup06_12_node_metadata,
    sup06_7_build_iam,
}

/// Whether a value refers to `type.name` (a computed reference such as `aws_s3_bucket.logs.id`).
pub(crate) fn refers_to(v: &Value, local_ref: &str) -> bool {
    match v {
        Value::Computed(r) => r.match_indices(local_ref).any(|(i, _)| {
            let after = r[i + local_ref.len()..].chars().next();
            let before = r[..i].chars().next_back();
            matches!(after, None | Some('.') | Some('[') | Some('}'))
                && matches!(before, None | Some('{') | Some('.') | Some('/') | Some(' '))
        }),
        _ => false,
    }
}

/// Whether a Kubernetes object is a GKE BackendConfig (the Analyzer keeps these).
pub fn is_backend_config(o: &Object) -> bool {
    o.kind == "BackendConfig" && o.api_version.starts_with("cloud.google.com/")
}

/// `enable_autopilot = true`, when the cluster is known to be an Autopilot cluster.
pub(crate) fn autopilot(r: &Resource) -> Option<&crate::eval::RAttr> {
    r.body
        .attr("enable_autopilot")
        .filter(|a| a.value.as_bool() == Some(true))
}

pub(crate) const SINKS: &[&str] = &[
    "google_logging_project_sink",
    "google_logging_folder_sink",
    "google_logging_organization_sink",
    "google_logging_billing_account_sink",
];

/// The storage buckets and S3 buckets that receive logs, by their local reference.
/// Where log sinks and trails write: (module, reference) of each computed destination.
pub(crate) fn destinations(model: &Model) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for r in &model.resources {
        let dest = if SINKS.contains(&r.rtype.as_str()) {
            r.body.attr("destination")
        } else if r.rtype == "aws_cloudtrail" {
            r.body.attr("s3_bucket_name")
        } else {
            None
        };
        if let Some(Value::Computed(text)) = dest.map(|a| &a.value) {
            out.push((r.module.clone(), text.clone()));
        }
    }
    out
}
