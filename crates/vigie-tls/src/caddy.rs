//! Caddy (`Caddyfile`): site blocks, their `tls { protocols … ciphers … curves … }`, `header
//! Strict-Transport-Security`, `http://` sites and `redir`, global `auto_https`. Defaults assumed:
//! Caddy 2.8 (TLS 1.2 to 1.3, ECDHE AEAD suites only, automatic HTTP-to-HTTPS redirects, OCSP
//! stapling, session ticket keys rotated every 12 hours). The Caddyfile is a small line-based
//! block format with no Rust reader: split by hand.

use crate::model::*;
use std::sync::Arc;
use vigie_core::Location;

pub const DEFAULTS: &str = "Caddy 2.8 default";

/// Caddy's default suites.
const CADDY_SUITES: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

#[derive(Debug)]
struct Item {
    words: Vec<String>,
    at: Location,
    block: Vec<Item>,
}

fn split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut q = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                q = !q;
                any = true;
            }
            '#' if !q && cur.is_empty() => break,
            c if c.is_whitespace() && !q => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn parse(file: &Arc<str>, text: &str) -> Result<Vec<Item>, Problem> {
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let mut open: Vec<Item> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let mut ws = split(raw);
        if ws.is_empty() {
            continue;
        }
        let col = raw.len() - raw.trim_start().len() + 1;
        let at = Location::new(file.clone(), i as u32 + 1, col as u32);
        if ws.len() == 1 && ws[0] == "}" {
            let Some(mut item) = open.pop() else {
                return Err(Problem {
                    at,
                    message: "unexpected `}`: no block is open here".into(),
                    reference: false,
                });
            };
            item.block = stack.pop().unwrap_or_default();
            if let Some(top) = stack.last_mut() {
                top.push(item);
            }
            continue;
        }
        if ws.last().map(String::as_str) == Some("{") {
            ws.pop();
            open.push(Item {
                words: ws,
                at,
                block: Vec::new(),
            });
            stack.push(Vec::new());
            if stack.len() > 64 {
                return Err(Problem {
                    at: open
                        .last()
                        .map(|o| o.at.clone())
                        .unwrap_or_else(|| Location::file(file.clone())),
                    message: "blocks nested too deep".into(),
                    reference: false,
                });
            }
            continue;
        }
        if let Some(top) = stack.last_mut() {
            top.push(Item {
                words: ws,
                at,
                block: Vec::new(),
            });
        }
    }
    if let Some(o) = open.last() {
        return Err(Problem {
            at: o.at.clone(),
            message: "this block is never closed by `}`".into(),
            reference: false,
        });
    }
    Ok(stack.pop().unwrap_or_default())
}

pub fn looks_like(rel: &str) -> bool {
    let base = rel.rsplit('/').next().unwrap_or(rel);
    base == "Caddyfile" || base.ends_with(".caddyfile") || base.starts_with("Caddyfile.")
}

pub fn analyze(file: &Arc<str>, text: &str) -> Found {
    let mut found = Found::default();
    let items = match parse(file, text) {
        Ok(i) => i,
        Err(p) => {
            found.problems.push(p);
            return found;
        }
    };
    let auto_off = items.iter().any(|i| {
        i.words.is_empty()
            && i.block.iter().any(|g| {
                g.words.first().map(String::as_str) == Some("auto_https")
                    && matches!(
                        g.words.get(1).map(String::as_str),
                        Some("off" | "disable_redirects")
                    )
            })
    });
    for site in items.iter().filter(|i| !i.words.is_empty()) {
        let addr = site.words.join(" ");
        let plain = site
            .words
            .iter()
            .all(|w| w.starts_with("http://") || w.ends_with(":80"));
        if plain {
            let red = site.block.iter().find(|d| {
                d.words.first().map(String::as_str) == Some("redir")
                    && d.words.iter().any(|w| w.starts_with("https://"))
            });
            let redirect = match red {
                Some(d)
                    if d.words
                        .iter()
                        .any(|w| w == "permanent" || w == "301" || w == "308") =>
                {
                    Ok(d.at.clone())
                }
                Some(d) => Err(format!(
                    "`redir` at {} is temporary (Caddy's default 302): add `permanent`",
                    d.at
                )),
                None => Err(
                    "the site serves plain HTTP without `redir https://{host}{uri} permanent`"
                        .into(),
                ),
            };
            found.plain.push(Plain {
                subject: format!("{file} › {addr}"),
                at: site.at.clone(),
                redirect,
            });
            continue;
        }
        let mut e = Endpoint {
            subject: format!("{file} › {addr}"),
            product: "caddy",
            at: Some(site.at.clone()),
            ..Endpoint::default()
        };
        let tls = site
            .block
            .iter()
            .find(|d| d.words.first().map(String::as_str) == Some("tls"));
        let sub = |k: &str| {
            tls.and_then(|t| {
                t.block
                    .iter()
                    .find(|d| d.words.first().map(String::as_str) == Some(k))
            })
        };
        e.versions = Some(match sub("protocols") {
            Some(d) => {
                let min = d
                    .words
                    .get(1)
                    .and_then(|v| Versions::parse_one(v))
                    .unwrap_or(3);
                let max = d
                    .words
                    .get(2)
                    .and_then(|v| Versions::parse_one(v))
                    .unwrap_or(4);
                Setting::set(Versions::range(min, max), d.at.clone())
            }
            None => Setting::defaulted(Versions::range(3, 4), site.at.clone(), DEFAULTS),
        });
        e.ciphers = Some(match sub("ciphers") {
            Some(d) => Setting::set(Ciphers::List(d.words[1..].to_vec()), d.at.clone()),
            None => Setting::defaulted(
                Ciphers::List(CADDY_SUITES.iter().map(|s| s.to_string()).collect()),
                site.at.clone(),
                DEFAULTS,
            ),
        });
        e.groups = sub("curves").map(|d| Setting::set(d.words[1..].to_vec(), d.at.clone()));
        e.tickets = Some(Setting::defaulted(
            Tickets {
                enabled: true,
                lifetime: Some(12 * 3600),
            },
            site.at.clone(),
            DEFAULTS,
        ));
        e.stapling = Some(Setting::defaulted(true, site.at.clone(), DEFAULTS));
        let hsts = site.block.iter().find_map(|d| {
            if d.words.first().map(String::as_str) != Some("header") {
                return None;
            }
            if let Some(i) = d
                .words
                .iter()
                .position(|w| w.eq_ignore_ascii_case("Strict-Transport-Security"))
            {
                return Some((
                    d.at.clone(),
                    d.words.get(i + 1).cloned().unwrap_or_default(),
                ));
            }
            d.block.iter().find_map(|h| {
                h.words
                    .iter()
                    .position(|w| w.eq_ignore_ascii_case("Strict-Transport-Security"))
                    .map(|i| {
                        (
                            h.at.clone(),
                            h.words.get(i + 1).cloned().unwrap_or_default(),
                        )
                    })
            })
        });
        e.hsts = Some(match hsts {
            Some((at, v)) => Setting::set(Some(parse_hsts(&v)), at),
            None => Setting::set(None, site.at.clone()),
        });
        if !auto_off {
            found.plain.push(Plain {
                subject: format!("{file} › {addr} (port 80)"),
                at: site.at.clone(),
                redirect: Ok(site.at.clone()),
            });
        }
        found.endpoints.push(e);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_tls_and_headers() {
        let f: Arc<str> = Arc::from("Caddyfile");
        let t = "{\n  email ops@example.org\n}\n\nshop.example {\n  tls {\n    protocols tls1.1 tls1.3\n    ciphers TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 TLS_RSA_WITH_AES_128_CBC_SHA\n  }\n  header Strict-Transport-Security \"max-age=31536000; includeSubDomains\"\n  reverse_proxy app:3000\n}\n\nhttp://old.example {\n  redir https://shop.example{uri}\n}\n";
        let found = analyze(&f, t);
        let e = &found.endpoints[0];
        assert_eq!(e.subject, "Caddyfile › shop.example");
        assert_eq!(
            e.versions.as_ref().unwrap().value.names(),
            vec!["TLSv1.1", "TLSv1.2", "TLSv1.3"]
        );
        assert_eq!(e.versions.as_ref().unwrap().at.line, 7);
        assert_eq!(
            e.hsts.as_ref().unwrap().value.as_ref().unwrap().max_age,
            Some(31536000)
        );
        assert!(
            found
                .plain
                .iter()
                .any(|p| p.redirect.as_ref().is_err_and(|m| m.contains("temporary")))
        );
    }

    #[test]
    fn unclosed_block() {
        let found = analyze(&Arc::from("Caddyfile"), "a.example {\n  tls {\n}\n");
        assert_eq!(found.problems[0].at.line, 1);
    }
}
