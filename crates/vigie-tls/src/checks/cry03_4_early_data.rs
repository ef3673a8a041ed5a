//! CRY-03.4: TLS 1.3 early data (0-RTT) is off.

use super::{APPLIES, NGINX_GOOD, NGINX_WEAK};
use crate::judge::{Judged, assumed};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "CRY-03.4",
    title: "No TLS 1.3 early data (0-RTT)",
    severity: Severity::Medium,
    applies_to: APPLIES,
    what: "TLS 1.3 early data is not accepted (nginx `ssl_early_data off`, the default; HAProxy `allow-0rtt` absent).",
    why: "Early data can be replayed by an attacker: a request sent with 0-RTT may be executed twice.",
    fix: "`ssl_early_data off;` (or remove the directive).",
    failing: ("nginx/nginx.conf", NGINX_WEAK),
    passing: ("nginx/nginx.conf", NGINX_GOOD),
};

pub(crate) fn judge(m: &Judged<'_>, out: &mut Vec<Verdict>) {
    m.each_endpoint(out, |e, _, out| {
        let subject = e.subject.as_str();
        if let Some(d) = &e.early_data {
            if d.value {
                out.push(Verdict::fail(
                    &DOC,
                    subject,
                    d.at.clone(),
                    "TLS 1.3 early data (0-RTT) is accepted: requests can be replayed",
                    "turn early data off",
                ));
            } else {
                out.push(Verdict::pass(
                    &DOC,
                    subject,
                    d.at.clone(),
                    format!("early data (0-RTT) is off{}", assumed(d)),
                ));
            }
        }
    });
}
