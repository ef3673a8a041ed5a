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

#[derive(Debug, Clone)]
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

/// `(name) { … }` at the top level: a snippet, not a site.
fn snippet_name(i: &Item) -> Option<&str> {
    match i.words.as_slice() {
        [w] => w.strip_prefix('(')?.strip_suffix(')'),
        _ => None,
    }
}

/// Deepest chain of snippets importing snippets followed.
const MAX_IMPORT_DEPTH: usize = 8;

/// Snippets as Caddy reads them: `(name) { … }` defines one, and `import name` — at the top
/// level or inside a block — stands for its content. Snippets are then dropped (they are not
/// sites); an `import` of anything else (a file or a glob) is reported as a reference vigie
/// does not follow here: the files it names are judged where vigie finds them as Caddyfiles.
fn resolve_snippets(items: Vec<Item>, problems: &mut Vec<Problem>) -> Vec<Item> {
    let snippets: std::collections::HashMap<String, Vec<Item>> = items
        .iter()
        .filter_map(|i| Some((snippet_name(i)?.to_string(), i.block.clone())))
        .collect();
    let kept: Vec<Item> = items
        .into_iter()
        .filter(|i| snippet_name(i).is_none())
        .collect();
    expand_imports(kept, &snippets, problems, 0, true)
}

fn expand_imports(
    items: Vec<Item>,
    snippets: &std::collections::HashMap<String, Vec<Item>>,
    problems: &mut Vec<Problem>,
    depth: usize,
    top: bool,
) -> Vec<Item> {
    let mut out = Vec::with_capacity(items.len());
    for mut item in items {
        if item.words.first().map(String::as_str) == Some("import") {
            let name = item.words.get(1).cloned().unwrap_or_default();
            match snippets.get(&name) {
                Some(content) if depth < MAX_IMPORT_DEPTH => {
                    out.extend(expand_imports(
                        content.clone(),
                        snippets,
                        problems,
                        depth + 1,
                        top,
                    ));
                }
                Some(_) => problems.push(Problem {
                    at: item.at.clone(),
                    message: format!(
                        "`import {name}`: snippets import each other deeper than {MAX_IMPORT_DEPTH} levels (a cycle?); not followed"
                    ),
                    reference: true,
                }),
                None if top => problems.push(Problem {
                    at: item.at.clone(),
                    message: format!(
                        "`import {name}` names no snippet of this file: the files it names are judged where vigie finds them as Caddyfiles, not as part of this one"
                    ),
                    reference: true,
                }),
                // inside a site, an import of a file keeps the directive visible as written
                None => out.push(item),
            }
            continue;
        }
        let block = std::mem::take(&mut item.block);
        item.block = expand_imports(block, snippets, problems, depth, false);
        out.push(item);
    }
    out
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
    let items = resolve_snippets(items, &mut found.problems);
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
    fn snippets_and_imports_are_not_sites() {
        let f: Arc<str> = Arc::from("Caddyfile");
        let t = "(hardened) {\n  tls {\n    protocols tls1.3\n  }\n}\nimport sites/*.caddy\n\nshop.example {\n  import hardened\n}\n";
        let found = analyze(&f, t);
        let subjects: Vec<&str> = found.endpoints.iter().map(|e| e.subject.as_str()).collect();
        assert_eq!(subjects, ["Caddyfile › shop.example"]);
        // the snippet's settings apply where it is imported
        let v = found.endpoints[0].versions.as_ref().unwrap();
        assert_eq!(v.value.names(), vec!["TLSv1.3"]);
        assert_eq!(v.at.line, 3);
        assert!(found.plain.iter().all(|p| !p.subject.contains("import")));
        assert!(
            found
                .problems
                .iter()
                .any(|p| p.reference && p.message.contains("sites/*.caddy")),
            "{:?}",
            found.problems
        );
    }

    #[test]
    fn unclosed_block() {
        let found = analyze(&Arc::from("Caddyfile"), "a.example {\n  tls {\n}\n");
        assert_eq!(found.problems[0].at.line, 1);
    }
}

/// Caddy's native JSON configuration (`caddy.json`, or what `caddy adapt` produces): per HTTP
/// server, its `tls_connection_policies` (`protocol_min`, `protocol_max`, `cipher_suites`,
/// `curves`), `automatic_https`, the `Strict-Transport-Security` header its routes set, and
/// `apps.tls` (`session_tickets`, OCSP stapling in the automation policies). Same defaults as the
/// Caddyfile. JSON is read by the YAML reader, which keeps positions.
pub mod json {
    use super::{CADDY_SUITES, DEFAULTS};
    use crate::model::*;
    use std::sync::Arc;
    use vigie_core::Location;
    use vigie_parse::yaml::{Node, Value};

    pub fn looks_like(rel: &str, text: &str) -> bool {
        let lower = rel.to_ascii_lowercase();
        lower.ends_with(".json")
            && lower.contains("caddy")
            && text.contains("\"apps\"")
            && (text.contains("\"servers\"") || text.contains("\"tls\""))
    }

    fn loc(file: &Arc<str>, n: &Node) -> Location {
        Location::new(file.clone(), n.pos.line, n.pos.col)
    }

    fn strings(n: &Node) -> Vec<String> {
        n.items()
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect()
    }

    fn port(addr: &str) -> Option<u16> {
        let a = addr.rsplit('/').next().unwrap_or(addr);
        a.rsplit(':').next()?.split('-').next()?.parse().ok()
    }

    /// The first value of a `Strict-Transport-Security` header set anywhere under `n`.
    fn find_hsts(n: &Node) -> Option<(String, &Node)> {
        match &n.value {
            Value::Map(es) => es.iter().find_map(|e| {
                if e.key.eq_ignore_ascii_case("Strict-Transport-Security") {
                    let v = e
                        .value
                        .items()
                        .first()
                        .and_then(Node::as_str)
                        .or_else(|| e.value.as_str())?;
                    Some((v.to_string(), &e.value))
                } else {
                    find_hsts(&e.value)
                }
            }),
            Value::Seq(items) => items.iter().find_map(find_hsts),
            _ => None,
        }
    }

    /// A `static_response` redirect under `n`: its status and whether it goes to https.
    fn find_redirect(n: &Node) -> Option<(String, bool, &Node)> {
        match &n.value {
            Value::Map(es) => {
                if n.get("handler").and_then(Node::as_str) == Some("static_response")
                    && let Some(l) = n.path(&["headers", "Location"])
                {
                    let status = n
                        .get("status_code")
                        .and_then(Node::as_str)
                        .unwrap_or("200")
                        .to_string();
                    let https = l
                        .items()
                        .first()
                        .and_then(Node::as_str)
                        .is_some_and(|u| u.starts_with("https://"));
                    return Some((status, https, n));
                }
                es.iter().find_map(|e| find_redirect(&e.value))
            }
            Value::Seq(items) => items.iter().find_map(find_redirect),
            _ => None,
        }
    }

    pub fn analyze(file: &Arc<str>, text: &str) -> Found {
        let mut found = Found::default();
        let stream = vigie_parse::yaml::parse(text);
        if let Some(e) = &stream.error {
            found.problems.push(Problem {
                at: Location::new(file.clone(), e.pos.line, e.pos.col),
                message: format!("Caddy JSON configuration: {}", e.message),
                reference: false,
            });
            return found;
        }
        let Some(root) = stream.documents.into_iter().next().map(|d| d.root) else {
            return found;
        };
        let tls_app = root.path(&["apps", "tls"]);
        let tickets_node = tls_app.and_then(|t| t.get("session_tickets"));
        let stapling_off = tls_app
            .and_then(|t| t.path(&["automation", "policies"]))
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .find_map(|p| {
                p.entry("disable_ocsp_stapling")
                    .filter(|e| e.value.as_bool() == Some(true))
            });
        let Some(servers) = root.path(&["apps", "http", "servers"]) else {
            return found;
        };
        let http_port: u16 = root
            .path(&["apps", "http", "http_port"])
            .and_then(Node::as_str)
            .and_then(|p| p.parse().ok())
            .unwrap_or(80);
        let https_port: u16 = root
            .path(&["apps", "http", "https_port"])
            .and_then(Node::as_str)
            .and_then(|p| p.parse().ok())
            .unwrap_or(443);
        let auto_redirects = !servers.entries().iter().any(|s| {
            let a = s.value.get("automatic_https");
            a.and_then(|a| a.get("disable")).and_then(Node::as_bool) == Some(true)
                || a.and_then(|a| a.get("disable_redirects"))
                    .and_then(Node::as_bool)
                    == Some(true)
        });
        for srv in servers.entries() {
            let s = &srv.value;
            let at = Location::new(file.clone(), srv.key_pos.line, srv.key_pos.col);
            let subject = format!("{file} › apps.http.servers.{}", srv.key);
            let ports: Vec<u16> = s
                .get("listen")
                .map(strings)
                .unwrap_or_default()
                .iter()
                .filter_map(|a| port(a))
                .collect();
            let policies = s.get("tls_connection_policies");
            let tls = policies.is_some() || ports.contains(&https_port);
            if !tls {
                if ports.contains(&http_port) {
                    let redirect = match find_redirect(s) {
                        Some((status, true, n)) if matches!(status.as_str(), "301" | "308") => {
                            Ok(loc(file, n))
                        }
                        Some((status, true, n)) => Err(format!(
                            "the redirect to https at {} answers {status}, not a permanent 301/308",
                            loc(file, n)
                        )),
                        _ => Err(
                            "the server listens for plain HTTP without a static_response redirect to https"
                                .into(),
                        ),
                    };
                    found.plain.push(Plain {
                        subject,
                        at,
                        redirect,
                    });
                }
                continue;
            }
            let empty = Node {
                pos: vigie_parse::yaml::Pos {
                    line: srv.key_pos.line,
                    col: srv.key_pos.col,
                    src: 0,
                },
                tag: None,
                value: Value::Map(Vec::new()),
            };
            let list: Vec<&Node> = match policies {
                Some(p) if !p.items().is_empty() => p.items().iter().collect(),
                _ => vec![&empty],
            };
            let many = list.len() > 1;
            for (i, pol) in list.into_iter().enumerate() {
                let pat = if policies.is_some() {
                    loc(file, pol)
                } else {
                    at.clone()
                };
                let mut e = Endpoint {
                    subject: if many || policies.is_some() {
                        format!("{subject} › tls_connection_policies[{i}]")
                    } else {
                        subject.clone()
                    },
                    product: "caddy",
                    at: Some(pat.clone()),
                    ..Endpoint::default()
                };
                let min = pol.get("protocol_min");
                let max = pol.get("protocol_max");
                let minv = min
                    .and_then(Node::as_str)
                    .and_then(Versions::parse_one)
                    .unwrap_or(3);
                let maxv = max
                    .and_then(Node::as_str)
                    .and_then(Versions::parse_one)
                    .unwrap_or(4);
                e.versions = Some(match min.or(max) {
                    Some(n) => Setting::set(Versions::range(minv, maxv), loc(file, n)),
                    None => Setting::defaulted(Versions::range(3, 4), pat.clone(), DEFAULTS),
                });
                e.ciphers = Some(match pol.get("cipher_suites") {
                    Some(n) => Setting::set(Ciphers::List(strings(n)), loc(file, n)),
                    None => Setting::defaulted(
                        Ciphers::List(CADDY_SUITES.iter().map(|s| s.to_string()).collect()),
                        pat.clone(),
                        DEFAULTS,
                    ),
                });
                e.groups = pol
                    .get("curves")
                    .map(|n| Setting::set(strings(n), loc(file, n)));
                e.tickets = Some(match tickets_node {
                    Some(t) if t.get("disabled").and_then(Node::as_bool) == Some(true) => {
                        Setting::set(
                            Tickets {
                                enabled: false,
                                lifetime: None,
                            },
                            loc(file, t),
                        )
                    }
                    Some(t) => {
                        let rot = t
                            .get("rotation_interval")
                            .and_then(Node::as_str)
                            .and_then(go_duration);
                        // As for the Caddyfile, the rotation interval stands for the lifetime.
                        Setting::set(
                            Tickets {
                                enabled: true,
                                lifetime: Some(rot.unwrap_or(12 * 3600)),
                            },
                            loc(file, t),
                        )
                    }
                    None => Setting::defaulted(
                        Tickets {
                            enabled: true,
                            lifetime: Some(12 * 3600),
                        },
                        pat.clone(),
                        DEFAULTS,
                    ),
                });
                e.stapling = Some(match stapling_off {
                    Some(en) => Setting::set(
                        false,
                        Location::new(file.clone(), en.key_pos.line, en.key_pos.col),
                    ),
                    None => Setting::defaulted(true, pat.clone(), DEFAULTS),
                });
                e.hsts = Some(match find_hsts(s) {
                    Some((v, n)) => Setting::set(Some(parse_hsts(&v)), loc(file, n)),
                    None => Setting::set(None, at.clone()),
                });
                found.endpoints.push(e);
            }
            if auto_redirects {
                found.plain.push(Plain {
                    subject: format!("{subject} (port {http_port}, automatic HTTPS)"),
                    at: at.clone(),
                    redirect: Ok(at.clone()),
                });
            }
        }
        found
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        const CONF: &str = r#"{
  "apps": {
    "tls": {
      "session_tickets": {"rotation_interval": "36h"}
    },
    "http": {
      "servers": {
        "srv0": {
          "listen": [":443"],
          "tls_connection_policies": [
            {
              "protocol_min": "tls1.1",
              "cipher_suites": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"],
              "curves": ["x25519", "secp256r1"]
            }
          ],
          "routes": [
            {"handle": [{"handler": "headers", "response": {"set": {"Strict-Transport-Security": ["max-age=600"]}}}]}
          ]
        },
        "plain": {
          "listen": [":80"],
          "automatic_https": {"disable_redirects": true},
          "routes": [
            {"handle": [{"handler": "static_response", "status_code": 302, "headers": {"Location": ["https://{http.request.host}{http.request.uri}"]}}]}
          ]
        }
      }
    }
  }
}"#;

        #[test]
        fn policies_tickets_hsts_and_redirects() {
            let f: Arc<str> = Arc::from("caddy/caddy.json");
            assert!(looks_like("caddy/caddy.json", CONF));
            let found = analyze(&f, CONF);
            assert_eq!(found.endpoints.len(), 1, "{found:?}");
            let e = &found.endpoints[0];
            let v = e.versions.as_ref().unwrap();
            assert_eq!(v.value.names(), vec!["TLSv1.1", "TLSv1.2", "TLSv1.3"]);
            assert_eq!(v.at.line, 12);
            assert!(matches!(&e.ciphers.as_ref().unwrap().value, Ciphers::List(l) if l.len() == 2));
            assert_eq!(
                e.groups.as_ref().unwrap().value,
                vec!["x25519", "secp256r1"]
            );
            assert_eq!(e.tickets.as_ref().unwrap().value.lifetime, Some(36 * 3600));
            let h = e.hsts.as_ref().unwrap();
            assert_eq!(h.value.as_ref().unwrap().max_age, Some(600));
            assert_eq!(h.at.line, 18);
            // redirects are off and the plain server answers 302
            assert_eq!(found.plain.len(), 1);
            assert!(
                found.plain[0]
                    .redirect
                    .as_ref()
                    .unwrap_err()
                    .contains("302")
            );
        }

        #[test]
        fn defaults_and_bad_json() {
            let f: Arc<str> = Arc::from("caddy.json");
            let found = analyze(
                &f,
                r#"{"apps": {"http": {"servers": {"s": {"listen": [":443"]}}}}}"#,
            );
            let e = &found.endpoints[0];
            assert_eq!(e.versions.as_ref().unwrap().default, Some(DEFAULTS));
            assert!(found.plain[0].redirect.is_ok());
            let bad = analyze(&f, "{\"apps\": {\"http\": [}");
            assert_eq!(bad.problems.len(), 1);
        }
    }
}
