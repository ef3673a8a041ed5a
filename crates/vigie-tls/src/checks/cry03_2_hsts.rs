//! CRY-03.2: HTTPS responses carry a Strict-Transport-Security header of a year or more.

use super::{APPLIES, NGINX_GOOD, NGINX_WEAK};
use crate::judge::Judged;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "CRY-03.2",
    title: "HSTS is sent for at least a year",
    severity: Severity::Medium,
    applies_to: APPLIES,
    what: "Each HTTPS endpoint sends `Strict-Transport-Security` with `max-age` of at least one year \
           (31536000 s), on every response: in nginx, a `location` or `server` with its own `add_header` \
           no longer inherits the header from the enclosing level, and without `always` error responses \
           lack it.",
    why: "HSTS makes browsers refuse plain HTTP for the site, closing the first-request window that \
          redirects leave open (SSL stripping).",
    fix: "`add_header Strict-Transport-Security \"max-age=63072000; includeSubDomains\" always;` in each TLS \
          server and in every location that sets its own headers.",
    failing: ("nginx/nginx.conf", NGINX_WEAK),
    passing: ("nginx/nginx.conf", NGINX_GOOD),
};

pub(crate) fn judge(m: &Judged<'_>, out: &mut Vec<Verdict>) {
    m.each_endpoint(out, |e, _, out| {
        let subject = e.subject.as_str();
        if let Some(h) = &e.hsts {
            match &h.value {
                None => out.push(Verdict::fail(
                    &DOC,
                    subject,
                    h.at.clone(),
                    "no Strict-Transport-Security header is sent",
                    "add_header Strict-Transport-Security \"max-age=63072000; includeSubDomains\" always;",
                )),
                Some(v) if v.max_age.unwrap_or(0) < 31_536_000 => out.push(Verdict::fail(
                    &DOC,
                    subject,
                    h.at.clone(),
                    format!("Strict-Transport-Security max-age is {} s, under one year", v.max_age.unwrap_or(0)),
                    "set max-age=63072000 (two years) or at least 31536000",
                )),
                Some(_) if !e.hsts_lost.is_empty() => {
                    let at = e.hsts_lost[0].clone();
                    out.push(Verdict::fail(
                        &DOC,
                        subject,
                        at.clone(),
                        format!("the block at {at} sets its own add_header and so drops the Strict-Transport-Security header set at {}", h.at),
                        "repeat the Strict-Transport-Security add_header in that block",
                    ).with_related(Some(h.at.clone())));
                }
                Some(v) => out.push(Verdict::pass(
                    &DOC,
                    subject,
                    h.at.clone(),
                    format!(
                        "Strict-Transport-Security max-age={}{}{}",
                        v.max_age.unwrap_or(0),
                        if v.include_subdomains { "; includeSubDomains" } else { "" },
                        if v.always || e.product != "nginx" { "" } else { " (without `always`: error responses lack it)" }
                    ),
                )),
            }
        }
    });
}
