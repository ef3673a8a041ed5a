//! CRY-02: no forbidden cipher suite or key-exchange group is offered.

use super::{APPLIES, NGINX_GOOD, NGINX_WEAK};
use crate::judge::{Judged, Offer, grouped};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "CRY-02",
    title: "No forbidden cipher suite or key-exchange group is offered",
    severity: Severity::High,
    applies_to: APPLIES,
    what: "Expands each endpoint's cipher configuration (OpenSSL cipher strings as OpenSSL 3 expands them, \
           or the suite lists of Traefik and Caddy) to the suites on offer, and fails when any is forbidden \
           by the ANSSI TLS guide: no forward secrecy (static RSA or PSK key exchange), anonymous, NULL \
           encryption, MD5, RC4, DES/3DES, export grade; and CBC suites on Traefik and Caddy, whose Go TLS \
           stack lacks the encrypt_then_mac extension the guide requires with CBC. Cipher strings OpenSSL \
           refuses, and groups off the ANSSI list, fail too.",
    why: "A single weak suite on offer is enough for a downgrade or for traffic recorded today to be \
          decrypted once the server key leaks (no forward secrecy). The ANSSI guide (R5-R13) asks for \
          ephemeral key exchange and authenticated encryption.",
    fix: "Offer ECDHE suites with AES-GCM or ChaCha20-Poly1305 only, e.g. nginx \
          `ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256;`.",
    failing: ("nginx/nginx.conf", NGINX_WEAK),
    passing: ("nginx/nginx.conf", NGINX_GOOD),
};

pub(crate) fn judge(m: &Judged<'_>, out: &mut Vec<Verdict>) {
    m.each_endpoint(out, |e, offer, out| {
        let subject = e.subject.as_str();
        match offer {
            Offer::Nothing => {}
            Offer::Unjudgeable { at, message, fix } => {
                out.push(Verdict::fail(
                    &DOC,
                    subject,
                    at.clone(),
                    message.clone(),
                    *fix,
                ));
            }
            Offer::Judged {
                at,
                forbidden,
                extra,
                ..
            } => {
                if forbidden.is_empty() {
                    out.push(Verdict::pass(
                        &DOC,
                        subject,
                        at.clone(),
                        format!(
                            "no forbidden suite or group on offer ({})",
                            extra.join("; ")
                        ),
                    ));
                } else {
                    out.push(Verdict::fail(
                        &DOC,
                        subject,
                        at.clone(),
                        format!(
                            "offers {} forbidden suites or groups: {}",
                            forbidden.len(),
                            grouped(forbidden)
                        ),
                        "offer ECDHE suites with AES-GCM or ChaCha20-Poly1305 only",
                    ));
                }
            }
        }
    });
}
