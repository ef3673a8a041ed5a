//! HAProxy (`haproxy.cfg`): `global` ssl-default-bind-* settings, and per `bind … ssl` line its own
//! `ssl-min-ver`, `ssl-max-ver`, `no-tlsv1x`, `ciphers`, `ciphersuites`, `curves`, `no-tls-tickets`,
//! `allow-0rtt`; `redirect scheme https` on plain binds; HSTS by `http-response set-header`.
//! Defaults assumed: HAProxy 2.8 (ssl-min-ver TLSv1.2, OpenSSL's `DEFAULT` suites, tickets on).
//! Its format is line-based (a section keyword, then indented keywords with arguments): split by hand.

use crate::model::*;
use std::sync::Arc;
use vigie_core::Location;

pub const DEFAULTS: &str = "HAProxy 2.8 default";

struct Line {
    words: Vec<String>,
    at: Location,
}

fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '#') => break,
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (_, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (_, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

pub fn looks_like(rel: &str, text: &str) -> bool {
    let base = rel.rsplit('/').next().unwrap_or(rel);
    (base.ends_with(".cfg") || base.contains("haproxy"))
        && text.lines().any(|l| {
            let t = l.trim_start();
            t.starts_with("frontend ") || t.starts_with("listen ") || t.starts_with("bind ")
        })
}

fn last_value_after<'a>(ws: &'a [String], key: &str) -> Option<&'a str> {
    ws.iter()
        .rposition(|w| w == key)
        .and_then(|i| ws.get(i + 1))
        .map(String::as_str)
}

fn value_after<'a>(ws: &'a [String], key: &str) -> Option<&'a str> {
    ws.iter()
        .position(|w| w == key)
        .and_then(|i| ws.get(i + 1))
        .map(String::as_str)
}

pub fn analyze(file: &Arc<str>, text: &str) -> Found {
    let mut found = Found::default();
    let mut sections: Vec<(String, String, Location, Vec<Line>)> = Vec::new();
    let mut headers: Vec<Vec<String>> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let ws = words(raw);
        if ws.is_empty() {
            continue;
        }
        let col = raw.len() - raw.trim_start().len() + 1;
        let at = Location::new(file.clone(), i as u32 + 1, col as u32);
        let k = ws[0].as_str();
        if matches!(
            k,
            "global"
                | "defaults"
                | "frontend"
                | "backend"
                | "listen"
                | "peers"
                | "resolvers"
                | "userlist"
                | "program"
                | "cache"
                | "ring"
                | "mailers"
                | "http-errors"
        ) {
            headers.push(ws.clone());
            sections.push((
                k.to_string(),
                ws.get(1).cloned().unwrap_or_default(),
                at,
                Vec::new(),
            ));
        } else if let Some(s) = sections.last_mut() {
            s.3.push(Line { words: ws, at });
        }
    }
    let global: Vec<&Line> = sections
        .iter()
        .filter(|s| s.0 == "global")
        .flat_map(|s| s.3.iter())
        .collect();
    // A later setting of the same keyword replaces an earlier one.
    let gfind = |k: &str| global.iter().rev().find(|l| l.words[0] == k).copied();
    let gopts = gfind("ssl-default-bind-options");
    for (idx, (kind, name, sat, own)) in sections.iter().enumerate() {
        if kind != "frontend" && kind != "listen" {
            continue;
        }
        // The defaults section it inherits from: the one named by `from`, else the last
        // `defaults` section before it.
        let header = &headers[idx];
        let from = header
            .iter()
            .position(|w| w == "from")
            .and_then(|i| header.get(i + 1));
        let defaults = match from {
            Some(f) => sections[..idx]
                .iter()
                .rev()
                .find(|s| s.0 == "defaults" && &s.1 == f),
            None => sections[..idx].iter().rev().find(|s| s.0 == "defaults"),
        };
        if let (Some(f), None) = (from, defaults) {
            found.problems.push(Problem {
                at: sat.clone(),
                message: format!(
                    "{kind} {name} inherits `from {f}`, but no defaults section of that name comes before it"
                ),
                reference: true,
            });
        }
        // Its own lines, then what it inherits (HSTS, redirects and mode may come from defaults).
        let lines: Vec<&Line> = own
            .iter()
            .chain(defaults.map(|d| d.3.iter()).into_iter().flatten())
            .collect();
        let mode_tcp = lines
            .iter()
            .find(|l| l.words[0] == "mode")
            .is_some_and(|l| l.words.get(1).map(String::as_str) == Some("tcp"));
        let binds: Vec<&Line> = own.iter().filter(|l| l.words[0] == "bind").collect();
        let ssl_binds: Vec<&&Line> = binds
            .iter()
            .filter(|b| b.words.iter().any(|w| w == "ssl"))
            .collect();
        let hsts = lines.iter().copied().find(|l| {
            matches!(l.words[0].as_str(), "http-response" | "http-after-response")
                && l.words.get(1).map(String::as_str) == Some("set-header")
                && l.words
                    .get(2)
                    .is_some_and(|h| h.eq_ignore_ascii_case("Strict-Transport-Security"))
        });
        for b in &ssl_binds {
            let addr = b.words.get(1).cloned().unwrap_or_default();
            let mut e = Endpoint {
                subject: format!("{file} › {kind} {name} › bind {addr}"),
                product: "haproxy",
                at: Some(b.at.clone()),
                ..Endpoint::default()
            };
            // Versions: the bind's own, else the global defaults, else HAProxy's.
            // The global options apply to every bind; the bind's own come after and win.
            let own_versions = b.words.iter().any(|w| {
                w.starts_with("ssl-min-ver")
                    || w.starts_with("no-tlsv")
                    || w == "no-sslv3"
                    || w.starts_with("ssl-max-ver")
                    || w.starts_with("force-")
            });
            let merged: Vec<String>;
            let opts_src: Option<(&Line, &[String])> = match (own_versions, gopts) {
                (true, Some(g)) => {
                    merged = g.words[1..].iter().chain(&b.words[2..]).cloned().collect();
                    Some((b, &merged))
                }
                (true, None) => Some((b, &b.words[2..])),
                (false, Some(g)) => Some((g, &g.words[1..])),
                (false, None) => None,
            };
            e.versions = Some(match opts_src {
                Some((l, ws)) => {
                    let min = last_value_after(ws, "ssl-min-ver").and_then(Versions::parse_one);
                    let max = last_value_after(ws, "ssl-max-ver")
                        .and_then(Versions::parse_one)
                        .unwrap_or(4);
                    let mut v: Vec<usize> = (min.unwrap_or(3)..=max).collect();
                    for (flag, ver) in [
                        ("no-sslv3", 0),
                        ("no-tlsv10", 1),
                        ("no-tlsv11", 2),
                        ("no-tlsv12", 3),
                        ("no-tlsv13", 4),
                    ] {
                        if ws.iter().any(|w| w == flag) {
                            v.retain(|&x| x != ver);
                        }
                    }
                    if ws.iter().any(|w| w == "force-tlsv12") {
                        v = vec![3];
                    }
                    Setting::set(Versions(v), l.at.clone())
                }
                None => Setting::defaulted(Versions::range(3, 4), b.at.clone(), DEFAULTS),
            });
            e.ciphers = Some(
                match (
                    value_after(&b.words, "ciphers"),
                    gfind("ssl-default-bind-ciphers"),
                ) {
                    (Some(c), _) => Setting::set(Ciphers::OpenSsl(c.to_string()), b.at.clone()),
                    (None, Some(g)) => Setting::set(
                        Ciphers::OpenSsl(g.words.get(1).cloned().unwrap_or_default()),
                        g.at.clone(),
                    ),
                    (None, None) => Setting::defaulted(
                        Ciphers::OpenSsl("DEFAULT".into()),
                        b.at.clone(),
                        "HAProxy 2.8 default (OpenSSL DEFAULT)",
                    ),
                },
            );
            e.tls13 = Some(
                match (
                    value_after(&b.words, "ciphersuites"),
                    gfind("ssl-default-bind-ciphersuites"),
                ) {
                    (Some(c), _) => {
                        Setting::set(c.split(':').map(str::to_string).collect(), b.at.clone())
                    }
                    (None, Some(g)) => Setting::set(
                        g.words
                            .get(1)
                            .map_or(Vec::new(), |v| v.split(':').map(str::to_string).collect()),
                        g.at.clone(),
                    ),
                    (None, None) => Setting::defaulted(
                        crate::cipher::TLS13_DEFAULT
                            .iter()
                            .map(|s| s.to_string())
                            .collect(),
                        b.at.clone(),
                        "OpenSSL 3 default",
                    ),
                },
            );
            e.groups = match (
                value_after(&b.words, "curves"),
                gfind("ssl-default-bind-curves"),
            ) {
                (Some(c), _) => Some(Setting::set(
                    c.split(':').map(str::to_string).collect(),
                    b.at.clone(),
                )),
                (None, Some(g)) => Some(Setting::set(
                    g.words
                        .get(1)
                        .map_or(Vec::new(), |v| v.split(':').map(str::to_string).collect()),
                    g.at.clone(),
                )),
                (None, None) => None,
            };
            let no_tickets = b.words.iter().any(|w| w == "no-tls-tickets");
            let g_no_tickets = gopts.filter(|g| g.words.iter().any(|w| w == "no-tls-tickets"));
            e.tickets = Some(if no_tickets {
                Setting::set(
                    Tickets {
                        enabled: false,
                        lifetime: None,
                    },
                    b.at.clone(),
                )
            } else if let Some(g) = g_no_tickets {
                Setting::set(
                    Tickets {
                        enabled: false,
                        lifetime: None,
                    },
                    g.at.clone(),
                )
            } else {
                Setting::defaulted(
                    Tickets {
                        enabled: true,
                        lifetime: None,
                    },
                    b.at.clone(),
                    DEFAULTS,
                )
            });
            e.early_data = Some(if b.words.iter().any(|w| w == "allow-0rtt") {
                Setting::set(true, b.at.clone())
            } else {
                Setting::defaulted(false, b.at.clone(), DEFAULTS)
            });
            // In TCP mode HAProxy sees no HTTP: headers are the backend's business.
            e.hsts = (!mode_tcp).then(|| match hsts {
                Some(l) => Setting::set(
                    Some(parse_hsts(l.words.get(3).map_or("", String::as_str))),
                    l.at.clone(),
                ),
                None => Setting::set(None, sat.clone()),
            });
            found.endpoints.push(e);
        }
        if ssl_binds.is_empty() && !mode_tcp {
            // A plain HTTP frontend: it must redirect everything to https.
            let red = lines.iter().find(|l| {
                (l.words[0] == "redirect"
                    && l.words.get(1).map(String::as_str) == Some("scheme")
                    && l.words.get(2).map(String::as_str) == Some("https"))
                    || (l.words[0] == "http-request"
                        && l.words.get(1).map(String::as_str) == Some("redirect")
                        && l.words.get(2).map(String::as_str) == Some("scheme")
                        && l.words.get(3).map(String::as_str) == Some("https"))
            });
            for b in binds.iter().filter(|b| {
                !b.words.get(1).is_some_and(|a| {
                    a.starts_with("127.") || a.starts_with("unix@") || a.starts_with('/')
                })
            }) {
                let redirect = match red {
                    Some(l) => match value_after(&l.words, "code") {
                        Some("301" | "308") => Ok(l.at.clone()),
                        c => Err(format!(
                            "the redirect to https at {} is temporary (code {}): add `code 301`",
                            l.at,
                            c.unwrap_or("302, the default")
                        )),
                    },
                    None => Err("the frontend serves plain HTTP without `http-request redirect scheme https code 301`".into()),
                };
                found.plain.push(Plain {
                    subject: format!(
                        "{file} › {kind} {name} › bind {}",
                        b.words.get(1).map_or("", String::as_str)
                    ),
                    at: b.at.clone(),
                    redirect,
                });
            }
        }
    }
    if found.endpoints.is_empty() {
        found.plain.clear();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globals_binds_and_redirects() {
        let f: Arc<str> = Arc::from("haproxy/haproxy.cfg");
        let t = "global\n  ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets\n  ssl-default-bind-ciphers ECDHE+AESGCM\n\nfrontend https\n  bind :443 ssl crt /etc/ssl/site.pem\n  bind :8443 ssl crt /x.pem ssl-min-ver TLSv1.0 ciphers \"HIGH:!aNULL\" allow-0rtt\n  http-response set-header Strict-Transport-Security \"max-age=31536000\"\n\nfrontend http\n  bind :80\n  http-request redirect scheme https\n";
        let found = analyze(&f, t);
        assert_eq!(found.endpoints.len(), 2);
        let a = &found.endpoints[0];
        assert_eq!(
            a.versions.as_ref().unwrap().value.names(),
            vec!["TLSv1.2", "TLSv1.3"]
        );
        assert_eq!(a.versions.as_ref().unwrap().at.line, 2);
        assert_eq!(a.ciphers.as_ref().unwrap().at.line, 3);
        assert!(!a.tickets.as_ref().unwrap().value.enabled);
        let b = &found.endpoints[1];
        assert_eq!(
            b.versions.as_ref().unwrap().value.names(),
            vec!["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
        );
        assert_eq!(
            b.ciphers.as_ref().unwrap().value,
            Ciphers::OpenSsl("HIGH:!aNULL".into())
        );
        assert!(b.early_data.as_ref().unwrap().value);
        assert_eq!(
            b.hsts.as_ref().unwrap().value.as_ref().unwrap().max_age,
            Some(31536000)
        );
        assert!(
            found.plain[0]
                .redirect
                .as_ref()
                .unwrap_err()
                .contains("temporary")
        );
    }

    #[test]
    fn no_options_means_haproxy_defaults() {
        let f: Arc<str> = Arc::from("haproxy.cfg");
        let found = analyze(
            &f,
            "frontend fe\n  bind :443 ssl crt /x.pem no-tlsv10 no-tlsv11\n",
        );
        let v = found.endpoints[0].versions.as_ref().unwrap();
        assert_eq!(v.value.names(), vec!["TLSv1.2", "TLSv1.3"]);
        let c = found.endpoints[0].ciphers.as_ref().unwrap();
        assert!(c.default.is_some());
    }

    #[test]
    fn defaults_sections_are_inherited() {
        let f: Arc<str> = Arc::from("haproxy.cfg");
        let t = "global\n  ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets\n\ndefaults web\n  mode http\n  http-response set-header Strict-Transport-Security \"max-age=63072000\"\n  http-request redirect scheme https code 301 unless { ssl_fc }\n\ndefaults raw\n  mode tcp\n\nfrontend fe from web\n  bind :443 ssl crt /x.pem ssl-max-ver TLSv1.3\n  bind :80\n\nfrontend db from raw\n  bind :5432\n  bind :6432 ssl crt /x.pem\n\nfrontend last\n  bind :8443 ssl crt /x.pem\n\nfrontend lost from nowhere\n  bind :9443 ssl crt /x.pem\n";
        let found = analyze(&f, t);
        let fe = &found.endpoints[0];
        // the global minimum stays when the bind only sets a maximum
        assert_eq!(
            fe.versions.as_ref().unwrap().value.names(),
            vec!["TLSv1.2", "TLSv1.3"]
        );
        // HSTS from the named defaults section
        let h = fe.hsts.as_ref().unwrap();
        assert_eq!(h.value.as_ref().unwrap().max_age, Some(63072000));
        assert_eq!(h.at.line, 6);
        // the redirect too, for the plain bind of the same frontend: none here since it has TLS
        // binds; the TCP frontend has no HTTP judgement at all
        let db = &found.endpoints[1];
        assert!(db.subject.contains("frontend db"));
        assert!(db.hsts.is_none());
        assert!(!found.plain.iter().any(|p| p.subject.contains("5432")));
        // without `from`, the last defaults section before it: raw, TCP
        let last = &found.endpoints[2];
        assert!(last.hsts.is_none());
        // an unknown `from` is a finding at the frontend
        assert!(
            found
                .problems
                .iter()
                .any(|p| p.at.line == 23 && p.message.contains("from nowhere")),
            "{:?}",
            found.problems
        );
    }

    #[test]
    fn plain_frontend_redirect_from_defaults() {
        let f: Arc<str> = Arc::from("haproxy.cfg");
        let t = "defaults\n  mode http\n  http-request redirect scheme https code 301 unless { ssl_fc }\n\nfrontend https\n  bind :443 ssl crt /x.pem\n\nfrontend http\n  bind :80\n";
        let found = analyze(&f, t);
        assert_eq!(found.plain.len(), 1);
        assert_eq!(found.plain[0].redirect.as_ref().unwrap().line, 3);
    }
}
