//! From endpoints to verdicts: CRY-01 (versions), CRY-02 and CRY-02.1 (suites and groups),
//! CRY-03.1..CRY-03.5 (redirect, HSTS, tickets, early data, OCSP stapling).

use crate::anssi::{self, Class};
use crate::cipher;
use crate::model::*;
use vigie_core::{CheckDoc, Location, Severity, Verdict};

const NGINX_WEAK: &str = "http {\n  server {\n    listen 443 ssl;\n    server_name shop.example;\n    ssl_certificate /etc/nginx/certs/fullchain.pem;\n    ssl_certificate_key /etc/nginx/certs/privkey.pem;\n    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n    ssl_ciphers HIGH:MEDIUM:AES128-SHA:!aNULL;\n    ssl_session_timeout 2d;\n    ssl_early_data on;\n  }\n  server {\n    listen 80;\n    location / { proxy_pass http://app:3000; }\n  }\n}\n";
const NGINX_GOOD: &str = "http {\n  server {\n    listen 443 ssl;\n    server_name shop.example;\n    ssl_certificate /etc/nginx/certs/fullchain.pem;\n    ssl_certificate_key /etc/nginx/certs/privkey.pem;\n    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256;\n    ssl_ecdh_curve X25519:secp256r1:secp384r1;\n    ssl_session_timeout 1d;\n    ssl_session_tickets off;\n    ssl_early_data off;\n    ssl_stapling on;\n    ssl_stapling_verify on;\n    add_header Strict-Transport-Security \"max-age=63072000; includeSubDomains\" always;\n  }\n  server {\n    listen 80;\n    return 301 https://$host$request_uri;\n  }\n}\n";

const APPLIES: &[&str] = &["nginx", "traefik", "caddy", "haproxy", "kubernetes"];

pub static CRY01: CheckDoc = CheckDoc {
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

pub static CRY02: CheckDoc = CheckDoc {
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

pub static CRY02_1: CheckDoc = CheckDoc {
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

pub static CRY03_1: CheckDoc = CheckDoc {
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

pub static CRY03_2: CheckDoc = CheckDoc {
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

pub static CRY03_3: CheckDoc = CheckDoc {
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

pub static CRY03_4: CheckDoc = CheckDoc {
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

pub static CRY03_5: CheckDoc = CheckDoc {
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

pub static CHECKS: &[&CheckDoc] = &[
    &CRY01, &CRY02, &CRY02_1, &CRY03_1, &CRY03_2, &CRY03_3, &CRY03_4, &CRY03_5,
];

fn assumed<T>(s: &Setting<T>) -> String {
    s.default
        .map(|d| format!(" ({d} assumed: nothing sets it)"))
        .unwrap_or_default()
}

/// `no forward secrecy: AES256-SHA, AES128-SHA; MD5: …`, at most six names per reason.
fn grouped(items: &[(String, String)]) -> String {
    let mut reasons: Vec<&str> = Vec::new();
    for (r, _) in items {
        if !reasons.contains(&r.as_str()) {
            reasons.push(r);
        }
    }
    reasons
        .iter()
        .map(|r| {
            let names: Vec<&str> = items
                .iter()
                .filter(|(x, _)| x == r)
                .map(|(_, n)| n.as_str())
                .collect();
            let shown = names.iter().take(6).copied().collect::<Vec<_>>().join(", ");
            if names.len() > 6 {
                format!("{r}: {shown} and {} more", names.len() - 6)
            } else {
                format!("{r}: {shown}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A cipher-string problem located in its directive.
pub struct CipherNote {
    pub at: Location,
    pub message: String,
}

/// Distinct problems of one cipher string reported, at most; the rest are counted.
const MAX_CIPHER_NOTES: usize = 20;

/// A cipher string as messages quote it: whole when short, else its start and its length, so
/// that a long string of unknown words cannot make every message as long as the file.
fn quoted(s: &str) -> String {
    const SHOWN: usize = 80;
    if s.len() <= SHOWN + 20 {
        return s.to_string();
    }
    let mut end = SHOWN;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} characters)", &s[..end], s.chars().count())
}

/// One note per distinct problem of a cipher string (the first place it occurs), at most
/// [`MAX_CIPHER_NOTES`], then one saying how many more there are.
fn cipher_notes(
    s: &str,
    problems: &[crate::cipher::Problem],
    at: &Location,
    notes: &mut Vec<CipherNote>,
) {
    let shown = quoted(s);
    let mut seen = std::collections::HashSet::new();
    let mut more = 0usize;
    for p in problems {
        if !seen.insert(p.message.as_str()) {
            continue;
        }
        if seen.len() > MAX_CIPHER_NOTES {
            more += 1;
            continue;
        }
        notes.push(CipherNote {
            at: at.clone(),
            message: format!(
                "cipher string `{shown}`, at character {}: {}",
                p.offset + 1,
                p.message
            ),
        });
    }
    if more > 0 {
        notes.push(CipherNote {
            at: at.clone(),
            message: format!(
                "cipher string `{shown}`: too many problems, {more} more distinct ones not listed"
            ),
        });
    }
}

/// Verdicts for the endpoints and plain listeners; cipher-string problems (unknown words) come back
/// as notes for diagnostics.
pub fn judge(found: &Found, out: &mut Vec<Verdict>, notes: &mut Vec<CipherNote>) {
    for e in &found.endpoints {
        let before = out.len();
        versions(e, out);
        suites(e, out, notes);
        hygiene(e, out);
        if let Some(u) = &e.used_by {
            for v in &mut out[before..] {
                *v = v.clone().with_related(Some(u.clone()));
            }
        }
    }
    for m in &found.missing_options {
        out.push(Verdict::fail(
            &CRY01,
            m.subject.as_str(),
            m.at.clone(),
            m.why.clone(),
            "define the TLS option (file provider `tls.options`, or a TLSOption) and refer to it with its provider, e.g. `modern@file`",
        ));
    }
    for p in &found.plain {
        match &p.redirect {
            Ok(at) => out.push(Verdict::pass(
                &CRY03_1,
                p.subject.as_str(),
                at.clone(),
                "plain HTTP answers with a permanent redirect to https",
            )),
            Err(why) => out.push(Verdict::fail(
                &CRY03_1,
                p.subject.as_str(),
                p.at.clone(),
                why.clone(),
                "answer plain HTTP with `return 301 https://$host$request_uri;`",
            )),
        }
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
            &CRY01,
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
            &CRY01,
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
            &CRY01,
            subject,
            v.at.clone(),
            format!("accepts {} only{}{}", names.join(", "), assumed(v), note),
        ));
    }
}

fn suites(e: &Endpoint, out: &mut Vec<Verdict>, notes: &mut Vec<CipherNote>) {
    let subject = e.subject.as_str();
    let tls12 = e
        .versions
        .as_ref()
        .is_none_or(|v| v.value.0.iter().any(|&i| i < 4));
    let tls13 = e.versions.as_ref().is_none_or(|v| v.value.0.contains(&4));
    let mut forbidden: Vec<(String, String)> = Vec::new();
    let mut degraded: Vec<(String, String)> = Vec::new();
    let mut fail_at: Option<Location> = None;
    let mut extra: Vec<String> = Vec::new();
    let mut offered = 0usize;
    if let Some(c) = &e.ciphers
        && tls12
    {
        match &c.value {
            Ciphers::Unresolved(text) => {
                out.push(Verdict::fail(
                    &CRY02,
                    subject,
                    c.at.clone(),
                    format!("the cipher configuration `{text}` depends on a variable set at deployment: the suites on offer cannot be judged here"),
                    "set the cipher list in the repository",
                ));
                return;
            }
            Ciphers::OpenSsl(s) => {
                let x = expand_cached(s);
                cipher_notes(s, &x.problems, &c.at, notes);
                let s = &quoted(s);
                if x.rejected {
                    out.push(Verdict::fail(
                        &CRY02,
                        subject,
                        c.at.clone(),
                        format!(
                            "OpenSSL refuses the cipher string `{s}`: {}",
                            x.problems
                                .iter()
                                .find(|p| p.fatal)
                                .map_or("", |p| p.message.as_str())
                        ),
                        "write a valid cipher string of ECDHE AEAD suites",
                    ));
                    return;
                }
                for (w, why) in &x.legacy {
                    forbidden.push((
                        format!("{why} (on OpenSSL builds that still have it)"),
                        w.clone(),
                    ));
                    fail_at = Some(c.at.clone());
                }
                let mut inert = 0usize;
                let mut no_dh = 0usize;
                for &i in &x.suites {
                    let s = &cipher::suites()[i];
                    // PSK and SRP suites need a key or verifier the proxies here never configure:
                    // listed by OpenSSL, never negotiated.
                    if matches!(
                        s.kx.as_str(),
                        "PSK" | "RSAPSK" | "ECDHEPSK" | "DHEPSK" | "SRP"
                    ) {
                        inert += 1;
                        continue;
                    }
                    // nginx without `ssl_dhparam` (ingress-nginx without `ssl-dh-param`) has no DH
                    // group: its DHE suites are never chosen.
                    if s.kx == "DH" && e.dhparam.as_ref().is_some_and(|d| !d.value) {
                        no_dh += 1;
                        continue;
                    }
                    offered += 1;
                    match anssi::classify(s) {
                        Class::Recommended => {}
                        Class::Degraded(why) => degraded.push((why.to_string(), s.openssl.clone())),
                        Class::Forbidden(why) => {
                            forbidden.push((why.to_string(), s.openssl.clone()));
                            fail_at = Some(c.at.clone());
                        }
                    }
                }
                if no_dh > 0 {
                    let directive = if e.product == "ingress-nginx" {
                        "the ConfigMap's ssl-dh-param"
                    } else {
                        "ssl_dhparam"
                    };
                    extra.push(format!(
                        "{no_dh} DHE suites left aside, never negotiated without {directive}"
                    ));
                }
                if inert > 0 {
                    extra.push(format!("{inert} PSK/SRP suites left aside, never negotiated without a pre-shared key"));
                }
            }
            Ciphers::List(names) => {
                for n in names {
                    offered += 1;
                    // Suite lists are Traefik's and Caddy's: Go's TLS, without encrypt_then_mac.
                    let class = match cipher::by_name(n) {
                        Some(i) => anssi::classify_without_etm(&cipher::suites()[i]),
                        None if n.starts_with("TLS_")
                            && cipher::TLS13_SUITES.contains(&n.as_str()) =>
                        {
                            anssi::classify_tls13(n)
                        }
                        None => match by_iana_words(n) {
                            Some(why) => Class::Forbidden(why),
                            None => {
                                notes.push(CipherNote {
                                    at: c.at.clone(),
                                    message: format!("`{n}` is not a cipher suite vigie knows"),
                                });
                                continue;
                            }
                        },
                    };
                    match class {
                        Class::Recommended => {}
                        Class::Degraded(why) => degraded.push((why.to_string(), n.clone())),
                        Class::Forbidden(why) => {
                            forbidden.push((why.to_string(), n.clone()));
                            fail_at = Some(c.at.clone());
                        }
                    }
                }
            }
        }
        extra.push(format!(
            "{offered} TLS 1.2 suites from {}{}",
            c.at,
            assumed(c)
        ));
    }
    if let Some(t) = &e.tls13
        && tls13
    {
        for n in &t.value {
            match anssi::classify_tls13(n) {
                Class::Recommended => {}
                Class::Degraded(why) => degraded.push((why.to_string(), n.clone())),
                Class::Forbidden(_) => {
                    notes.push(CipherNote {
                        at: t.at.clone(),
                        message: format!("`{n}` is not a TLS 1.3 suite"),
                    });
                }
            }
        }
    }
    if let Some(g) = &e.groups {
        for n in &g.value {
            match anssi::classify_group(n) {
                Class::Recommended => {}
                Class::Degraded(_) => {}
                Class::Forbidden(_) => {
                    forbidden.push(("group off the ANSSI list".to_string(), n.clone()));
                    fail_at.get_or_insert(g.at.clone());
                }
            }
        }
    }
    let at = fail_at
        .or_else(|| e.ciphers.as_ref().map(|c| c.at.clone()))
        .or_else(|| e.tls13.as_ref().map(|c| c.at.clone()))
        .or_else(|| e.at.clone());
    let Some(at) = at else { return };
    if forbidden.is_empty() {
        out.push(Verdict::pass(
            &CRY02,
            subject,
            at.clone(),
            format!(
                "no forbidden suite or group on offer ({})",
                extra.join("; ")
            ),
        ));
    } else {
        out.push(Verdict::fail(
            &CRY02,
            subject,
            at.clone(),
            format!(
                "offers {} forbidden suites or groups: {}",
                forbidden.len(),
                grouped(&forbidden)
            ),
            "offer ECDHE suites with AES-GCM or ChaCha20-Poly1305 only",
        ));
    }
    let at2 = e.ciphers.as_ref().map(|c| c.at.clone()).unwrap_or(at);
    if degraded.is_empty() {
        out.push(Verdict::pass(
            &CRY02_1,
            subject,
            at2,
            "every suite on offer is on the ANSSI recommended list",
        ));
    } else {
        let src = e.ciphers.as_ref().map(assumed).unwrap_or_default();
        out.push(Verdict::fail(
            &CRY02_1,
            subject,
            at2,
            format!(
                "offers {} degraded suites: {}{src}",
                degraded.len(),
                grouped(&degraded)
            ),
            "keep ECDHE with AES-GCM, AES-CCM or ChaCha20-Poly1305 only",
        ));
    }
}

fn hygiene(e: &Endpoint, out: &mut Vec<Verdict>) {
    let subject = e.subject.as_str();
    if let Some(h) = &e.hsts {
        match &h.value {
            None => out.push(Verdict::fail(
                &CRY03_2,
                subject,
                h.at.clone(),
                "no Strict-Transport-Security header is sent",
                "add_header Strict-Transport-Security \"max-age=63072000; includeSubDomains\" always;",
            )),
            Some(v) if v.max_age.unwrap_or(0) < 31_536_000 => out.push(Verdict::fail(
                &CRY03_2,
                subject,
                h.at.clone(),
                format!("Strict-Transport-Security max-age is {} s, under one year", v.max_age.unwrap_or(0)),
                "set max-age=63072000 (two years) or at least 31536000",
            )),
            Some(_) if !e.hsts_lost.is_empty() => {
                let at = e.hsts_lost[0].clone();
                out.push(Verdict::fail(
                    &CRY03_2,
                    subject,
                    at.clone(),
                    format!("the block at {at} sets its own add_header and so drops the Strict-Transport-Security header set at {}", h.at),
                    "repeat the Strict-Transport-Security add_header in that block",
                ).with_related(Some(h.at.clone())));
            }
            Some(v) => out.push(Verdict::pass(
                &CRY03_2,
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
    if let Some(t) = &e.tickets {
        let a = assumed(t);
        match (t.value.enabled, t.value.lifetime) {
            (false, _) => out.push(Verdict::pass(
                &CRY03_3,
                subject,
                t.at.clone(),
                format!("session tickets are off{a}"),
            )),
            (true, Some(l)) if l <= 86_400 => out.push(Verdict::pass(
                &CRY03_3,
                subject,
                t.at.clone(),
                format!("session tickets live {l} s, within 24 h{a}"),
            )),
            (true, Some(l)) => out.push(Verdict::fail(
                &CRY03_3,
                subject,
                t.at.clone(),
                format!("session tickets are on and live {l} s, more than 24 h{a}"),
                "turn session tickets off, or keep the session timeout at 24 h at most",
            )),
            (true, None) => out.push(Verdict::pass(
                &CRY03_3,
                subject,
                t.at.clone(),
                format!("session tickets are on with the product's rotating keys{a}"),
            )),
        }
    }
    if let Some(d) = &e.early_data {
        if d.value {
            out.push(Verdict::fail(
                &CRY03_4,
                subject,
                d.at.clone(),
                "TLS 1.3 early data (0-RTT) is accepted: requests can be replayed",
                "turn early data off",
            ));
        } else {
            out.push(Verdict::pass(
                &CRY03_4,
                subject,
                d.at.clone(),
                format!("early data (0-RTT) is off{}", assumed(d)),
            ));
        }
    }
    if let Some(s) = &e.stapling {
        if s.value {
            out.push(Verdict::pass(
                &CRY03_5,
                subject,
                s.at.clone(),
                format!("OCSP stapling is on{}", assumed(s)),
            ));
        } else {
            out.push(Verdict::fail(
                &CRY03_5,
                subject,
                s.at.clone(),
                format!("OCSP stapling is off{}", assumed(s)),
                "ssl_stapling on; ssl_stapling_verify on;",
            ));
        }
    }
}

/// Suites OpenSSL 3 no longer builds, named the IANA way (Traefik, Caddy): forbidden by what their
/// name says.
fn by_iana_words(n: &str) -> Option<&'static str> {
    let u = n.to_ascii_uppercase();
    if u.contains("RC4") {
        Some("RC4")
    } else if u.contains("3DES") || u.contains("_DES_") || u.contains("DES40") {
        Some("DES or 3DES (64-bit blocks)")
    } else if u.contains("EXPORT") {
        Some("export-grade cryptography")
    } else if u.contains("_NULL_") || u.ends_with("_NULL") {
        Some("no encryption")
    } else if u.contains("_ANON_") {
        Some("anonymous, no authentication")
    } else if u.starts_with("TLS_RSA_WITH_") {
        Some("no forward secrecy")
    } else {
        None
    }
}

/// Many endpoints share one cipher string (an `http`-level directive, an included snippet).
fn expand_cached(s: &str) -> std::rc::Rc<cipher::Expansion> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;
    thread_local! {
        static CACHE: RefCell<HashMap<String, Rc<cipher::Expansion>>> = RefCell::new(HashMap::new());
    }
    CACHE.with(|c| {
        if let Some(x) = c.borrow().get(s) {
            return x.clone();
        }
        let x = Rc::new(cipher::expand(s));
        let mut c = c.borrow_mut();
        if c.len() > 4096 {
            c.clear();
        }
        c.insert(s.to_string(), x.clone());
        x
    })
}
