//! CRY-02.1: only ANSSI-recommended cipher suites are offered.

use super::{APPLIES, NGINX_GOOD, NGINX_WEAK};
use crate::judge::{Judged, Offer, assumed, grouped};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "CRY-02.1",
    title: "Only ANSSI-recommended cipher suites are offered",
    severity: Severity::Low,
    applies_to: APPLIES,
    what: "Among the suites an endpoint offers, those the ANSSI guide only tolerates for compatibility \
           (its degraded list: finite-field DHE, CBC modes, HMAC-SHA1, CCM_8, ARIA/Camellia). The default \
           of nginx (`HIGH:!aNULL:!MD5`) offers many of them.",
    why: "Degraded suites are acceptable only while old clients need them; CBC modes have a long record of \
          padding-oracle attacks and finite-field DHE depends on the size of the group.",
    fix: "Drop the degraded suites once the clients allow it: ECDHE with AES-GCM, AES-CCM or ChaCha20-Poly1305 only.",
    failing: ("nginx/nginx.conf", NGINX_WEAK),
    passing: ("nginx/nginx.conf", NGINX_GOOD),
};

pub(crate) fn judge(m: &Judged<'_>, out: &mut Vec<Verdict>) {
    m.each_endpoint(out, |e, offer, out| {
        let Offer::Judged {
            suites_at,
            degraded,
            ..
        } = offer
        else {
            return;
        };
        let subject = e.subject.as_str();
        if degraded.is_empty() {
            out.push(Verdict::pass(
                &DOC,
                subject,
                suites_at.clone(),
                "every suite on offer is on the ANSSI recommended list",
            ));
        } else {
            let src = e.ciphers.as_ref().map(assumed).unwrap_or_default();
            out.push(Verdict::fail(
                &DOC,
                subject,
                suites_at.clone(),
                format!(
                    "offers {} degraded suites: {}{src}",
                    degraded.len(),
                    grouped(degraded)
                ),
                "keep ECDHE with AES-GCM, AES-CCM or ChaCha20-Poly1305 only",
            ));
        }
    });
}
