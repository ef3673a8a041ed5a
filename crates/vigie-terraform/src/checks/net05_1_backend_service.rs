//! NET-05.1: external backend services have a Cloud Armor policy.

use super::{Ctx, cannot_prove};
use crate::Output;
use crate::eval::{Mode, Value};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "NET-05.1",
    title: "External backend services have a Cloud Armor policy",
    severity: Severity::Medium,
    applies_to: &["terraform"],
    what: "Each `google_compute_backend_service` (and regional one) that serves an external load \
           balancer sets `security_policy` to a Cloud Armor policy. Internal backends \
           (`load_balancing_scheme` INTERNAL…) are not judged.",
    why: "Cloud Armor filters attacks (OWASP rules, rate limits, geo and IP rules) before they \
          reach the application: the WAF SecNumCloud 13.2.d asks for in front of exposed \
          interfaces.",
    fix: "Create a google_compute_security_policy (with preconfigured WAF rules) and set \
          `security_policy = google_compute_security_policy.waf.id` on the backend service.",
    failing: (
        "main.tf",
        "resource \"google_compute_backend_service\" \"web\" {\n  name                  = \"web\"\n  load_balancing_scheme = \"EXTERNAL_MANAGED\"\n}\n",
    ),
    passing: (
        "main.tf",
        "resource \"google_compute_backend_service\" \"web\" {\n  name                  = \"web\"\n  load_balancing_scheme = \"EXTERNAL_MANAGED\"\n  security_policy       = google_compute_security_policy.waf.id\n}\n",
    ),
};

pub(crate) fn judge(cx: &Ctx<'_>, out: &mut Output) {
    let out = &mut out.verdicts;
    for r in cx.model.resources.iter().filter(|r| {
        r.mode == Mode::Managed
            && (r.rtype == "google_compute_backend_service"
                || r.rtype == "google_compute_region_backend_service")
    }) {
        let scheme = r
            .body
            .attr("load_balancing_scheme")
            .and_then(|a| a.value.as_str())
            .unwrap_or(if r.rtype == "google_compute_backend_service" {
                "EXTERNAL"
            } else {
                "INTERNAL"
            });
        if scheme.starts_with("INTERNAL") {
            continue;
        }
        let fix = "set security_policy = google_compute_security_policy.<waf>.id";
        match r.body.attr("security_policy") {
            Some(a) if a.value.is_set() => out.push(Verdict::pass(&DOC, r.address.clone(), a.at.clone(), format!("the {scheme} backend service is behind the Cloud Armor policy {}", a.value.show()))),
            Some(a) if matches!(a.value, Value::Unknown(_)) => out.push(cannot_prove(&DOC, r.address.clone(), a.at.clone(), "security_policy", &a.value, fix)),
            _ => out.push(Verdict::fail(&DOC, r.address.clone(), r.at.clone(), format!("the {scheme} backend service has no Cloud Armor security_policy: requests reach the backends unfiltered"), fix)),
        }
    }
}
