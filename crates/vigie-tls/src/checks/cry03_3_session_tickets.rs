//! CRY-03.3: session tickets are off or short-lived.

use super::{APPLIES, NGINX_GOOD, NGINX_WEAK};
use crate::judge::{Judged, assumed};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "CRY-03.3",
    title: "Session tickets are off or live at most 24 hours",
    severity: Severity::Low,
    applies_to: APPLIES,
    what: "Session resumption by tickets is disabled, or tickets (and the keys that encrypt them) expire \
           within 24 hours (nginx `ssl_session_tickets`, `ssl_session_timeout`; HAProxy `no-tls-tickets`).",
    why: "A ticket key that lives long undoes forward secrecy: whoever obtains it decrypts every session \
          resumed with tickets it protected.",
    fix: "`ssl_session_tickets off;` or `ssl_session_timeout 1d;` at most.",
    failing: ("nginx/nginx.conf", NGINX_WEAK),
    passing: ("nginx/nginx.conf", NGINX_GOOD),
};

pub(crate) fn judge(m: &Judged<'_>, out: &mut Vec<Verdict>) {
    m.each_endpoint(out, |e, _, out| {
        let subject = e.subject.as_str();
        if let Some(t) = &e.tickets {
            let a = assumed(t);
            match (t.value.enabled, t.value.lifetime) {
                (false, _) => out.push(Verdict::pass(
                    &DOC,
                    subject,
                    t.at.clone(),
                    format!("session tickets are off{a}"),
                )),
                (true, Some(l)) if l <= 86_400 => out.push(Verdict::pass(
                    &DOC,
                    subject,
                    t.at.clone(),
                    format!("session tickets live {l} s, within 24 h{a}"),
                )),
                (true, Some(l)) => out.push(Verdict::fail(
                    &DOC,
                    subject,
                    t.at.clone(),
                    format!("session tickets are on and live {l} s, more than 24 h{a}"),
                    "turn session tickets off, or keep the session timeout at 24 h at most",
                )),
                (true, None) => out.push(Verdict::pass(
                    &DOC,
                    subject,
                    t.at.clone(),
                    format!("session tickets are on with the product's rotating keys{a}"),
                )),
            }
        }
    });
}
