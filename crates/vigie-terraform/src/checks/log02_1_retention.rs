//! LOG-02.1: log stores keep at least 400 days.

use super::{Ctx, LOG_BUCKETS, cannot_prove};
use crate::Output;
use crate::eval::{RAttr, Resource};
use vigie_core::{CheckDoc, Severity, Verdict};

/// The checklist's minimum.
pub const CHECKLIST_DAYS: f64 = 400.0;
/// SecNumCloud 12.6.c: six months.
pub const SNC_DAYS: f64 = 183.0;

pub(crate) static DOC: CheckDoc = CheckDoc {
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
                    &DOC,
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
                    &DOC,
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
        out.push(Verdict::pass(&DOC, r.address.clone(), at, msg));
    } else {
        out.push(Verdict::fail(
            &DOC,
            r.address.clone(),
            at,
            msg,
            fix.to_string(),
        ));
    }
}

pub(crate) fn judge(cx: &Ctx<'_>, out: &mut Output) {
    let out = &mut out.verdicts;
    for r in cx.managed() {
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
        } else if t == "google_storage_bucket" && cx.is_log_destination(r) {
            let rp = r.body.block("retention_policy");
            retention(
                r,
                rp.and_then(|b| b.body.attr("retention_period")),
                |s| s / 86_400.0,
                None,
                "add retention_policy { retention_period = 34560000 } (400 days, in seconds)",
                out,
            );
        } else if t == "aws_cloudwatch_log_group" {
            // 0 or unset means the logs never expire
            match r.body.attr("retention_in_days") {
                Some(a) if a.value.as_num() == Some(0.0) => out.push(Verdict::pass(&DOC, r.address.clone(), a.at.clone(), "retention_in_days = 0: logs never expire (checklist: 400 days; SecNumCloud 12.6.c: at least 6 months)")),
                None => out.push(Verdict::pass(&DOC, r.address.clone(), r.at.clone(), "no retention_in_days: logs never expire (checklist: 400 days; SecNumCloud 12.6.c: at least 6 months)")),
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
        }
    }
}
