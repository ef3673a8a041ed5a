//! CRY-03.1: plain HTTP only redirects to HTTPS.

use super::{APPLIES, NGINX_GOOD, NGINX_WEAK};
use crate::judge::Judged;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "CRY-03.1",
    title: "Plain HTTP only redirects to HTTPS",
    severity: Severity::Medium,
    applies_to: APPLIES,
    what: "Next to TLS endpoints, every plain-HTTP listener answers with a permanent redirect to https \
           (nginx `return 301|308 https://…` at server level or in `location /`, Traefik entry-point \
           redirections, HAProxy `redirect scheme https`, ingress-nginx `ssl-redirect`) and serves nothing else \
           than such redirects (and health probes).",
    why: "Content served over plain HTTP can be read and altered on the way; a temporary redirect is not \
          remembered and leaves every first request exposed.",
    fix: "Make the port-80 server `return 301 https://$host$request_uri;` (and keep only health probes beside it).",
    failing: ("nginx/nginx.conf", NGINX_WEAK),
    passing: ("nginx/nginx.conf", NGINX_GOOD),
};

pub(crate) fn judge(m: &Judged<'_>, out: &mut Vec<Verdict>) {
    for p in &m.found.plain {
        match &p.redirect {
            Ok(at) => out.push(Verdict::pass(
                &DOC,
                p.subject.as_str(),
                at.clone(),
                "plain HTTP answers with a permanent redirect to https",
            )),
            Err(why) => out.push(Verdict::fail(
                &DOC,
                p.subject.as_str(),
                p.at.clone(),
                why.clone(),
                "answer plain HTTP with `return 301 https://$host$request_uri;`",
            )),
        }
    }
}
