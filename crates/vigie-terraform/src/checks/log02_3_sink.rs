//! LOG-02.3: log sinks route to a store the repository retains.

use super::{Ctx, LOG_BUCKETS, SINKS, cannot_prove, refers_to};
use crate::Output;
use crate::eval::{Resource, Value};
use vigie_core::{CheckDoc, Location, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
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

fn sink(cx: &Ctx<'_>, r: &Resource, out: &mut Vec<Verdict>) {
    let fix = "send the sink to a log bucket declared here with 400 days of locked retention";
    let Some(a) = r.body.attr("destination") else {
        out.push(Verdict::fail(
            &DOC,
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
            out.push(Verdict::fail(&DOC, r.address.clone(), at, format!("the sink writes to `{s}`, which keeps logs 30 days (_Default) and cannot be changed here"), fix));
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
                Some(t) if t.rtype != "google_bigquery_dataset" => out.push(Verdict::pass(&DOC, r.address.clone(), at, format!("the sink writes to {}, declared in the repository (its retention is judged there)", t.address))),
                Some(t) => {
                    let mut v = Verdict::fail(&DOC, r.address.clone(), at, format!("the sink writes to the BigQuery dataset {}: its table expiration is not a locked retention", t.address), fix);
                    v.severity = Severity::Low;
                    out.push(v);
                }
                None => out.push(cannot_prove(&DOC, r.address.clone(), at, "the retention of the sink's destination", &a.value, fix)),
            }
        }
        Value::Str(s) => {
            let mut v = Verdict::fail(
                &DOC,
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
            &DOC,
            r.address.clone(),
            at,
            "the retention of the sink's destination",
            v,
            fix,
        )),
    }
}

pub(crate) fn judge(cx: &Ctx<'_>, out: &mut Output) {
    for r in cx.managed().filter(|r| SINKS.contains(&r.rtype.as_str())) {
        sink(cx, r, &mut out.verdicts);
    }
}
