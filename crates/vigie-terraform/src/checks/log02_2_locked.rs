//! LOG-02.2: the audit trail is immutable (locked retention, object lock).

use super::{Ctx, LOG_BUCKETS, cannot_prove, refers_to};
use crate::Output;
use crate::eval::{RAttr, Resource};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
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

fn locked(r: &Resource, attr: Option<&RAttr>, name: &str, fix: &str, out: &mut Vec<Verdict>) {
    match attr {
        Some(a) => match a.value.as_bool() {
            Some(true) => out.push(Verdict::pass(&DOC, r.address.clone(), a.at.clone(), format!("{name} = true: the retention is locked, logs cannot be deleted or changed before it ends"))),
            Some(false) => out.push(Verdict::fail(&DOC, r.address.clone(), a.at.clone(), format!("{name} = false: logs can be deleted before the retention ends"), fix.to_string())),
            None => out.push(cannot_prove(&DOC, r.address.clone(), a.at.clone(), name, &a.value, fix)),
        },
        None => out.push(Verdict::fail(&DOC, r.address.clone(), r.at.clone(), format!("the retention is not locked ({name} is not set): logs can be deleted before it ends"), fix.to_string())),
    }
}

pub(crate) fn judge(cx: &Ctx<'_>, out: &mut Output) {
    let out = &mut out.verdicts;
    for r in cx.managed() {
        let t = r.rtype.as_str();
        if LOG_BUCKETS.contains(&t) {
            locked(
                r,
                r.body.attr("locked"),
                "locked",
                "set locked = true once the retention is right",
                out,
            );
        } else if t == "google_storage_bucket" && cx.is_log_destination(r) {
            match r.body.block("retention_policy") {
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
        } else if t == "aws_s3_bucket" && cx.is_log_destination(r) {
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
                    &DOC,
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
        }
    }
}
