//! CRY-03.5: OCSP stapling is on.

use super::{APPLIES, NGINX_GOOD, NGINX_WEAK};
use crate::judge::{Judged, assumed};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "CRY-03.5",
    title: "OCSP stapling is on",
    severity: Severity::Low,
    applies_to: APPLIES,
    what: "nginx endpoints staple the certificate's revocation status (`ssl_stapling on`, off by default). \
           Traefik and Caddy staple by default.",
    why: "Stapling lets clients learn that a certificate was revoked without asking the CA themselves. \
          Certificates from a CA without OCSP responder make it moot: waive the check then, with that reason.",
    fix: "`ssl_stapling on; ssl_stapling_verify on;` with a `resolver`.",
    failing: ("nginx/nginx.conf", NGINX_WEAK),
    passing: ("nginx/nginx.conf", NGINX_GOOD),
};

pub(crate) fn judge(m: &Judged<'_>, out: &mut Vec<Verdict>) {
    m.each_endpoint(out, |e, _, out| {
        let subject = e.subject.as_str();
        if let Some(s) = &e.stapling {
            if s.value {
                out.push(Verdict::pass(
                    &DOC,
                    subject,
                    s.at.clone(),
                    format!("OCSP stapling is on{}", assumed(s)),
                ));
            } else {
                out.push(Verdict::fail(
                    &DOC,
                    subject,
                    s.at.clone(),
                    format!("OCSP stapling is off{}", assumed(s)),
                    "ssl_stapling on; ssl_stapling_verify on;",
                ));
            }
        }
    });
}
