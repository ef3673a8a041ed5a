//! From endpoints to verdicts: what the TLS checks (`checks/`: CRY-01 versions, CRY-02 and
//! CRY-02.1 suites and groups, CRY-03.1..CRY-03.5 redirect, HSTS, tickets, early data, OCSP
//! stapling) share. An endpoint's suites are expanded and classified once ([`offer`]) for the
//! two suite checks, and its cipher-string problems are noted once for diagnostics.

use crate::anssi::{self, Class};
use crate::cipher;
use crate::model::*;
use vigie_core::{CheckDoc, Location, Verdict};

/// What an endpoint offers of suites and groups, judged once against the ANSSI lists for CRY-02
/// and CRY-02.1.
pub(crate) enum Offer {
    /// No cipher, TLS 1.3 or group setting and no location: nothing to judge.
    Nothing,
    /// The suites on offer cannot be known here: CRY-02 fails with this message, CRY-02.1 is
    /// not judged.
    Unjudgeable {
        at: Location,
        message: String,
        fix: &'static str,
    },
    Judged {
        /// The setting CRY-02 points at: the first forbidden one, else the cipher list.
        at: Location,
        /// The cipher list, for CRY-02.1 (else `at`).
        suites_at: Location,
        /// (reason, name) of each forbidden suite or group.
        forbidden: Vec<(String, String)>,
        /// (reason, name) of each degraded suite.
        degraded: Vec<(String, String)>,
        /// What else the pass message says (suites left aside, where the list comes from).
        extra: Vec<String>,
    },
}

/// What the TLS checks read: the endpoints and plain listeners found, and each endpoint's
/// offer, computed once (its cipher-string problems collected as notes).
pub(crate) struct Judged<'a> {
    pub(crate) found: &'a Found,
    /// One per endpoint of `found`, in the same order.
    pub(crate) offers: Vec<Offer>,
}

impl Judged<'_> {
    /// Runs `judge` on each endpoint with its offer; its verdicts are related to what uses the
    /// endpoint (the Ingress served through a controller's configuration).
    pub(crate) fn each_endpoint(
        &self,
        out: &mut Vec<Verdict>,
        judge: impl Fn(&Endpoint, &Offer, &mut Vec<Verdict>),
    ) {
        for (e, offer) in self.found.endpoints.iter().zip(&self.offers) {
            let before = out.len();
            judge(e, offer, out);
            if let Some(u) = &e.used_by {
                for v in &mut out[before..] {
                    *v = v.clone().with_related(Some(u.clone()));
                }
            }
        }
    }
}

/// Verdicts for the endpoints and plain listeners; cipher-string problems (unknown words) come back
/// as notes for diagnostics.
pub fn judge(found: &Found, out: &mut Vec<Verdict>, notes: &mut Vec<CipherNote>) {
    let judged = Judged {
        found,
        offers: found.endpoints.iter().map(|e| offer(e, notes)).collect(),
    };
    for c in crate::checks::CHECKS {
        (c.judge)(&judged, out);
    }
}

/// The documentation of every TLS check, in id order.
pub static CHECKS: &[&CheckDoc] = crate::checks::DOCS;

pub(crate) fn offer(e: &Endpoint, notes: &mut Vec<CipherNote>) -> Offer {
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
                return Offer::Unjudgeable {
                    at: c.at.clone(),
                    message: format!(
                        "the cipher configuration `{text}` depends on a variable set at deployment: the suites on offer cannot be judged here"
                    ),
                    fix: "set the cipher list in the repository",
                };
            }
            Ciphers::OpenSsl(s) => {
                let x = expand_cached(s);
                cipher_notes(s, &x.problems, &c.at, notes);
                let s = &quoted(s);
                if x.rejected {
                    return Offer::Unjudgeable {
                        at: c.at.clone(),
                        message: format!(
                            "OpenSSL refuses the cipher string `{s}`: {}",
                            x.problems
                                .iter()
                                .find(|p| p.fatal)
                                .map_or("", |p| p.message.as_str())
                        ),
                        fix: "write a valid cipher string of ECDHE AEAD suites",
                    };
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
    let Some(at) = at else {
        return Offer::Nothing;
    };
    Offer::Judged {
        suites_at: e
            .ciphers
            .as_ref()
            .map(|c| c.at.clone())
            .unwrap_or(at.clone()),
        at,
        forbidden,
        degraded,
        extra,
    }
}

pub(crate) fn assumed<T>(s: &Setting<T>) -> String {
    s.default
        .map(|d| format!(" ({d} assumed: nothing sets it)"))
        .unwrap_or_default()
}

/// `no forward secrecy: AES256-SHA, AES128-SHA; MD5: …`, at most six names per reason.
pub(crate) fn grouped(items: &[(String, String)]) -> String {
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
