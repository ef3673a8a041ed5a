//! CRY-01: a TLS endpoint accepts TLS 1.2 and TLS 1.3 only.

use super::{APPLIES, NGINX_GOOD, NGINX_WEAK};
use crate::judge::{Judged, assumed};
use crate::model::*;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "CRY-01",
    title: "TLS endpoints accept only TLS 1.2 and TLS 1.3",
    severity: Severity::High,
    applies_to: APPLIES,
    what: "For every endpoint that terminates TLS (nginx `ssl_protocols`, Traefik `minVersion`/`maxVersion`, \
           Caddy `protocols`, HAProxy `ssl-min-ver`/`no-tlsv1x`, ingress-nginx `ssl-protocols`), the protocol \
           versions it accepts, with the product's default where nothing is set: SSLv3, TLS 1.0 and TLS 1.1 \
           must be off, TLS 1.2 is accepted and TLS 1.3 preferred.",
    why: "SSLv3, TLS 1.0 and TLS 1.1 rest on constructions with practical attacks (POODLE, BEAST, SHA-1/MD5 \
          handshake hashes) and the ANSSI TLS guide (R3, R4) excludes them. A client that still offers them \
          can be downgraded by an active attacker.",
    fix: "Accept TLS 1.2 and 1.3 only: nginx `ssl_protocols TLSv1.2 TLSv1.3;`, Traefik `minVersion: VersionTLS12`, \
          HAProxy `ssl-min-ver TLSv1.2`, ingress-nginx `ssl-protocols: \"TLSv1.2 TLSv1.3\"`.",
    failing: ("nginx/nginx.conf", NGINX_WEAK),
    passing: ("nginx/nginx.conf", NGINX_GOOD),
};

pub(crate) fn judge(m: &Judged<'_>, out: &mut Vec<Verdict>) {
    m.each_endpoint(out, |e, _, out| versions(e, out));
    for o in &m.found.missing_options {
        out.push(Verdict::fail(
            &DOC,
            o.subject.as_str(),
            o.at.clone(),
            o.why.clone(),
            "define the TLS option (file provider `tls.options`, or a TLSOption) and refer to it with its provider, e.g. `modern@file`",
        ));
    }
}

fn versions(e: &Endpoint, out: &mut Vec<Verdict>) {
    let Some(v) = &e.versions else { return };
    let names = v.value.names();
    let forbidden: Vec<&str> = v
        .value
        .0
        .iter()
        .filter(|&&i| i < 3)
        .map(|&i| VERSIONS[i])
        .collect();
    let subject = e.subject.as_str();
    if !forbidden.is_empty() {
        out.push(Verdict::fail(
            &DOC,
            subject,
            v.at.clone(),
            format!(
                "accepts {} (forbidden by the ANSSI TLS guide){}",
                forbidden.join(", "),
                assumed(v)
            ),
            "accept TLSv1.2 and TLSv1.3 only",
        ));
    } else if names.is_empty() {
        out.push(Verdict::fail(
            &DOC,
            subject,
            v.at.clone(),
            "no protocol version vigie recognises is enabled".to_string(),
            "accept TLSv1.2 and TLSv1.3 only",
        ));
    } else {
        let note = if v.value.0.contains(&4) {
            ""
        } else {
            "; TLS 1.3, which ANSSI prefers, is not enabled"
        };
        out.push(Verdict::pass(
            &DOC,
            subject,
            v.at.clone(),
            format!("accepts {} only{}{}", names.join(", "), assumed(v), note),
        ));
    }
}
