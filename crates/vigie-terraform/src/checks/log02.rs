//! LOG-02: log stores keep at least 400 days, locked; sinks route to such a store.

use super::cry04::refers_to;
use super::{Ctx, cannot_prove};
use crate::eval::{Mode, RAttr, Resource, Value};
use vigie_core::{CheckDoc, Location, Severity, Verdict};

/// The checklist's minimum.
pub const CHECKLIST_DAYS: f64 = 400.0;
/// SecNumCloud 12.6.c: six months.
pub const SNC_DAYS: f64 = 183.0;

pub static DOC_RETENTION: CheckDoc = CheckDoc {
    id: "LOG-02.1",
    title: "Log stores retain at least 400 days",
    severity: Severity::Medium,
    applies_to: &["terraform"],
    what: "Log buckets (`google_logging_*_bucket_config` `retention_days`), Cloud Storage buckets \
           that receive a log sink (`retention_policy.retention_period`), CloudWatch log groups \
           (`retention_in_days`) and Log Analytics workspaces (`retention_in_days`) keep logs \
           at least 400 days, the checklist's term; SecNumCloud's own minimum (12.6.c, six \
           months) is shown beside it.",
    why: "Intrusions are often found months after they start; an investigation needs the logs \
          of the whole period. The default retention of most log stores is 30 days.",
    fix: "Set `retention_days = 400` (or more) on the log bucket, or the equivalent retention on \
          the storage that receives the logs.",
    failing: (
        "main.tf",
        "resource \"google_logging_project_bucket_config\" \"audit\" {\n  project        = \"shop\"\n  location       = \"europe-west9\"\n  bucket_id      = \"audit\"\n  retention_days = 30\n}\n",
    ),
    passing: (
        "main.tf",
        "resource \"google_logging_project_bucket_config\" \"audit\" {\n  project        = \"shop\"\n  location       = \"europe-west9\"\n  bucket_id      = \"audit\"\n  retention_days = 400\n  locked         = true\n}\n",
    ),
};

pub static DOC_LOCKED: CheckDoc = CheckDoc {
    id: "LOG-02.2",
    title: "The audit trail is immutable (locked retention, object lock)",
    severity: Severity::Medium,
    applies_to: &["terraform"],
    what: "Log buckets are `locked = true`; Cloud Storage buckets receiving a log sink have \
           `retention_policy { is_locked = true }`; S3 buckets receiving a CloudTrail trail have \
           object lock (`object_lock_enabled` or an `aws_s3_bucket_object_lock_configuration`).",
    why: "An attacker with administrative access deletes or rewrites the logs that show what \
          they did; a locked retention (WORM) makes that impossible until the term ends \
          (SecNumCloud 12.7).",
    fix: "Lock the retention once it is right: `locked = true` on the log bucket, \
          `is_locked = true` in the bucket's retention_policy, or S3 object lock in compliance mode.",
    failing: (
        "main.tf",
        "resource \"google_logging_project_bucket_config\" \"audit\" {\n  project        = \"shop\"\n  location       = \"europe-west9\"\n  bucket_id      = \"audit\"\n  retention_days = 400\n}\n",
    ),
    passing: (
        "main.tf",
        "resource \"google_logging_project_bucket_config\" \"audit\" {\n  project        = \"shop\"\n  location       = \"europe-west9\"\n  bucket_id      = \"audit\"\n  retention_days = 400\n  locked         = true\n}\n",
    ),
};

pub static DOC_SINK: CheckDoc = CheckDoc {
    id: "LOG-02.3",
    title: "Log sinks route to a store the repository retains",
    severity: Severity::Medium,
    applies_to: &["terraform"],
    what: "Each log sink (`google_logging_project_sink` and its folder and organization \
           variants) sends logs to a log bucket or storage bucket declared in the repository \
           (whose retention LOG-02.1 and LOG-02.2 judge), not to the `_Default` bucket (30 days) \
           or to a destination whose retention the repository cannot show.",
    why: "A sink decides where the audit trail ends up; its destination's retention is the \
          trail's retention.",
    fix: "Point the sink's destination at a log bucket declared here with 400 days of locked \
          retention: `logging.googleapis.com/${google_logging_project_bucket_config.audit.id}`.",
    failing: (
        "main.tf",
        "resource \"google_logging_project_sink\" \"audit\" {\n  name        = \"audit\"\n  destination = \"logging.googleapis.com/projects/shop/locations/global/buckets/_Default\"\n}\n",
    ),
    passing: (
        "main.tf",
        "resource \"google_logging_project_bucket_config\" \"audit\" {\n  project        = \"shop\"\n  location       = \"europe-west9\"\n  bucket_id      = \"audit\"\n  retention_days = 400\n  locked         = true\n}\n\nresource \"google_logging_project_sink\" \"audit\" {\n  name        = \"audit\"\n  destination = \"logging.googleapis.com/${google_logging_project_bucket_config.audit.id}\"\n}\n",
    ),
};

const LOG_BUCKETS: &[&str] = &[
    "google_logging_project_bucket_config",
    "google_logging_folder_bucket_config",
    "google_logging_organization_bucket_config",
    "google_logging_billing_account_bucket_config",
];
const SINKS: &[&str] = &[
    "google_logging_project_sink",
    "google_logging_folder_sink",
    "google_logging_organization_sink",
    "google_logging_billing_account_sink",
];

fn days_msg(days: f64) -> String {
    let d = if days.fract() == 0.0 {
        format!("{}", days as i64)
    } else {
        format!("{days:.1}")
    };
    if days >= CHECKLIST_DAYS {
        format!(
            "retention {d} days: meets the checklist's 400 days (SecNumCloud 12.6.c: at least 6 months)"
        )
    } else if days >= SNC_DAYS {
        format!(
            "retention {d} days: meets SecNumCloud's 6-month minimum (12.6.c) but not the checklist's 400 days"
        )
    } else {
        format!(
            "retention {d} days: below the checklist's 400 days and SecNumCloud's 6-month minimum (12.6.c)"
        )
    }
}

fn retention(
    r: &Resource,
    attr: Option<&RAttr>,
    days_of: fn(f64) -> f64,
    default: Option<f64>,
    fix: &str,
    out: &mut Vec<Verdict>,
) {
    let (days, at) = match attr {
        Some(a) => match a.value.as_num() {
            Some(n) => (days_of(n), a.at.clone()),
            None => {
                out.push(cannot_prove(
                    &DOC_RETENTION,
                    r.address.clone(),
                    a.at.clone(),
                    &a.name,
                    &a.value,
                    fix,
                ));
                return;
            }
        },
        None => match default {
            Some(d) => (d, r.at.clone()),
            None => {
                out.push(Verdict::fail(
                    &DOC_RETENTION,
                    r.address.clone(),
                    r.at.clone(),
                    "no retention is set on this log store",
                    fix.to_string(),
                ));
                return;
            }
        },
    };
    let mut msg = days_msg(days);
    if attr.is_none() {
        msg = format!("{msg} (the default: nothing is set)");
    }
    if days >= CHECKLIST_DAYS {
        out.push(Verdict::pass(&DOC_RETENTION, r.address.clone(), at, msg));
    } else {
        out.push(Verdict::fail(
            &DOC_RETENTION,
            r.address.clone(),
            at,
            msg,
            fix.to_string(),
        ));
    }
}

fn locked(r: &Resource, attr: Option<&RAttr>, name: &str, fix: &str, out: &mut Vec<Verdict>) {
    match attr {
        Some(a) => match a.value.as_bool() {
            Some(true) => out.push(Verdict::pass(&DOC_LOCKED, r.address.clone(), a.at.clone(), format!("{name} = true: the retention is locked, logs cannot be deleted or changed before it ends"))),
            Some(false) => out.push(Verdict::fail(&DOC_LOCKED, r.address.clone(), a.at.clone(), format!("{name} = false: logs can be deleted before the retention ends"), fix.to_string())),
            None => out.push(cannot_prove(&DOC_LOCKED, r.address.clone(), a.at.clone(), name, &a.value, fix)),
        },
        None => out.push(Verdict::fail(&DOC_LOCKED, r.address.clone(), r.at.clone(), format!("the retention is not locked ({name} is not set): logs can be deleted before it ends"), fix.to_string())),
    }
}

/// The storage buckets and S3 buckets that receive logs, by their local reference.
fn destinations(cx: &Ctx<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for r in &cx.model.resources {
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

pub fn run(cx: &Ctx<'_>, out: &mut Vec<Verdict>) {
    let dests = destinations(cx);
    let is_dest = |r: &Resource| {
        let me = r.local_ref();
        dests
            .iter()
            .any(|(m, d)| *m == r.module && refers_to(&Value::Computed(d.clone()), &me))
    };
    for r in cx
        .model
        .resources
        .iter()
        .filter(|r| r.mode == Mode::Managed)
    {
        let t = r.rtype.as_str();
        if LOG_BUCKETS.contains(&t) {
            retention(
                r,
                r.body.attr("retention_days"),
                |d| d,
                Some(30.0),
                "set retention_days = 400",
                out,
            );
            locked(
                r,
                r.body.attr("locked"),
                "locked",
                "set locked = true once the retention is right",
                out,
            );
        } else if t == "google_storage_bucket" && is_dest(r) {
            let rp = r.body.block("retention_policy");
            retention(
                r,
                rp.and_then(|b| b.body.attr("retention_period")),
                |s| s / 86_400.0,
                None,
                "add retention_policy { retention_period = 34560000 } (400 days, in seconds)",
                out,
            );
            match rp {
                Some(b) => locked(
                    r,
                    b.body.attr("is_locked"),
                    "retention_policy.is_locked",
                    "set is_locked = true in retention_policy",
                    out,
                ),
                None => locked(
                    r,
                    None,
                    "retention_policy.is_locked",
                    "add retention_policy { retention_period = 34560000  is_locked = true }",
                    out,
                ),
            }
        } else if t == "aws_cloudwatch_log_group" {
            // 0 or unset means the logs never expire
            match r.body.attr("retention_in_days") {
                Some(a) if a.value.as_num() == Some(0.0) => out.push(Verdict::pass(&DOC_RETENTION, r.address.clone(), a.at.clone(), "retention_in_days = 0: logs never expire (checklist: 400 days; SecNumCloud 12.6.c: at least 6 months)")),
                None => out.push(Verdict::pass(&DOC_RETENTION, r.address.clone(), r.at.clone(), "no retention_in_days: logs never expire (checklist: 400 days; SecNumCloud 12.6.c: at least 6 months)")),
                a => retention(r, a, |d| d, None, "set retention_in_days = 400", out),
            }
        } else if t == "azurerm_log_analytics_workspace" {
            retention(
                r,
                r.body.attr("retention_in_days"),
                |d| d,
                Some(30.0),
                "set retention_in_days = 400",
                out,
            );
        } else if t == "aws_s3_bucket" && is_dest(r) {
            let me = r.local_ref();
            let lock_conf = cx.model.resources.iter().find(|o| {
                o.rtype == "aws_s3_bucket_object_lock_configuration"
                    && o.module == r.module
                    && o.body
                        .attr("bucket")
                        .is_some_and(|a| refers_to(&a.value, &me))
            });
            match (r.body.attr("object_lock_enabled"), lock_conf) {
                (_, Some(conf)) => out.push(Verdict::pass(
                    &DOC_LOCKED,
                    r.address.clone(),
                    conf.at.clone(),
                    format!("object lock is configured by {}", conf.address),
                )),
                (a, None) => locked(
                    r,
                    a,
                    "object_lock_enabled",
                    "set object_lock_enabled = true and add an aws_s3_bucket_object_lock_configuration in COMPLIANCE mode",
                    out,
                ),
            }
        } else if SINKS.contains(&t) {
            sink(cx, r, out);
        }
    }
}

fn sink(cx: &Ctx<'_>, r: &Resource, out: &mut Vec<Verdict>) {
    let fix = "send the sink to a log bucket declared here with 400 days of locked retention";
    let Some(a) = r.body.attr("destination") else {
        out.push(Verdict::fail(
            &DOC_SINK,
            r.address.clone(),
            r.at.clone(),
            "the sink has no destination",
            fix,
        ));
        return;
    };
    let at: Location = a.at.clone();
    match &a.value {
        Value::Str(s) if s.ends_with("/buckets/_Default") || s.ends_with("/buckets/_Required") => {
            out.push(Verdict::fail(&DOC_SINK, r.address.clone(), at, format!("the sink writes to `{s}`, which keeps logs 30 days (_Default) and cannot be changed here"), fix));
        }
        Value::Computed(text) => {
            let target = cx.model.resources.iter().find(|o| {
                o.module == r.module
                    && (LOG_BUCKETS.contains(&o.rtype.as_str())
                        || o.rtype == "google_storage_bucket"
                        || o.rtype == "google_bigquery_dataset")
                    && refers_to(&Value::Computed(text.clone()), &o.local_ref())
            });
            match target {
                Some(t) if t.rtype != "google_bigquery_dataset" => out.push(Verdict::pass(&DOC_SINK, r.address.clone(), at, format!("the sink writes to {}, declared in the repository (its retention is judged there)", t.address))),
                Some(t) => {
                    let mut v = Verdict::fail(&DOC_SINK, r.address.clone(), at, format!("the sink writes to the BigQuery dataset {}: its table expiration is not a locked retention", t.address), fix);
                    v.severity = Severity::Low;
                    out.push(v);
                }
                None => out.push(cannot_prove(&DOC_SINK, r.address.clone(), at, "the retention of the sink's destination", &a.value, fix)),
            }
        }
        Value::Str(s) => {
            let mut v = Verdict::fail(
                &DOC_SINK,
                r.address.clone(),
                at,
                format!(
                    "cannot be proven: the sink writes to `{s}`, which is not declared in this repository, so its retention is not shown"
                ),
                fix,
            );
            v.severity = Severity::Low;
            out.push(v);
        }
        v => out.push(cannot_prove(
            &DOC_SINK,
            r.address.clone(),
            at,
            "the retention of the sink's destination",
            v,
            fix,
        )),
    }
}
