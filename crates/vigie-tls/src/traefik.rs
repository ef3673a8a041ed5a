//! Traefik: static configuration (entry points and their HTTP-to-HTTPS redirections), dynamic
//! configuration (`tls.options`), in YAML or TOML, and the Kubernetes `TLSOption` resource
//! (`traefik.io/v1alpha1`, `traefik.containo.us/v1alpha1`). Defaults assumed: Traefik v3 built
//! with Go 1.22 or later (TLS 1.2 to 1.3, Go's default suites, which include ECDHE CBC-SHA1).

use crate::model::*;
use std::sync::Arc;
use vigie_core::Location;
use vigie_parse::yaml::{Node, Pos, Value};

pub const DEFAULTS: &str = "Traefik v3 (Go 1.22+) default";

/// Go's default TLS 1.2 suites for servers.
pub const GO_DEFAULT_SUITES: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
];

/// A key looked up without regard to case (Traefik's configuration keys are case-insensitive).
pub fn geti<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
    n.as_map()?
        .iter()
        .find(|e| e.key.eq_ignore_ascii_case(key))
        .map(|e| &e.value)
}

fn loc(file: &Arc<str>, p: Pos) -> Location {
    Location::new(file.clone(), p.line, p.col)
}

fn strings(n: &Node) -> Vec<String> {
    match &n.value {
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        Value::Scalar { text, .. } => text
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        Value::Map(_) => Vec::new(),
    }
}

/// Go's constant names to IANA names.
fn iana(name: &str) -> String {
    match name {
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305" => {
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256".into()
        }
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305" => {
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256".into()
        }
        n => n.to_string(),
    }
}

/// One TLS option (a `tls.options.NAME` entry or a TLSOption's spec).
pub fn option_endpoint(file: &Arc<str>, subject: String, opt: &Node, at: Location) -> Endpoint {
    let mut e = Endpoint {
        subject,
        product: "traefik",
        at: Some(at.clone()),
        ..Endpoint::default()
    };
    let min = geti(opt, "minVersion");
    let max = geti(opt, "maxVersion");
    let minv = min
        .and_then(|n| n.as_str())
        .and_then(Versions::parse_one)
        .unwrap_or(3);
    let maxv = max
        .and_then(|n| n.as_str())
        .and_then(Versions::parse_one)
        .unwrap_or(4);
    e.versions = Some(match min.or(max) {
        Some(n) => Setting::set(Versions::range(minv, maxv), loc(file, n.pos)),
        None => Setting::defaulted(Versions::range(3, 4), at.clone(), DEFAULTS),
    });
    e.ciphers = Some(match geti(opt, "cipherSuites") {
        Some(n) => Setting::set(
            Ciphers::List(strings(n).iter().map(|s| iana(s)).collect()),
            loc(file, n.pos),
        ),
        None => Setting::defaulted(
            Ciphers::List(GO_DEFAULT_SUITES.iter().map(|s| s.to_string()).collect()),
            at.clone(),
            DEFAULTS,
        ),
    });
    e.groups = geti(opt, "curvePreferences").map(|n| Setting::set(strings(n), loc(file, n.pos)));
    e
}

/// A static or dynamic configuration document.
pub fn analyze_doc(file: &Arc<str>, root: &Node, found: &mut Found, has_default_option: bool) {
    if let Some(opts) = geti(root, "tls").and_then(|t| geti(t, "options")) {
        for en in opts.entries() {
            let mut e = option_endpoint(
                file,
                format!("{file} › tls.options.{}", en.key),
                &en.value,
                loc(file, en.key_pos),
            );
            e.traefik_option = Some(crate::routing::file_option_key(&en.key));
            found.endpoints.push(e);
        }
    }
    let eps = crate::routing::entry_points(file, root);
    let tls_eps: Vec<&crate::routing::EntryPoint> = eps
        .iter()
        .filter(|e| e.tls || matches!(e.port, Some(443 | 8443)))
        .collect();
    if tls_eps.is_empty() {
        return;
    }
    if !has_default_option {
        let en = tls_eps[0];
        let empty = Node {
            pos: Pos {
                line: en.at.line,
                col: en.at.column,
                src: 0,
            },
            tag: None,
            value: Value::Map(Vec::new()),
        };
        let mut e = option_endpoint(
            file,
            format!("{file} › entryPoints.{} (default TLS options)", en.name),
            &empty,
            en.at.clone(),
        );
        e.traefik_option = Some("default".into());
        found.endpoints.push(e);
    }
    for en in eps
        .iter()
        .filter(|e| !e.tls && matches!(e.port, Some(80 | 8080 | 8000)))
    {
        let redirect = en.redirect.clone().unwrap_or_else(|| {
            Err("the entry point has no `http.redirections.entryPoint` to the TLS entry point: routers on it serve plain HTTP".to_string())
        });
        found.plain.push(Plain {
            subject: format!("{file} › entryPoints.{}", en.name),
            at: en.at.clone(),
            redirect,
        });
    }
}

/// `http.middlewares.NAME.headers.stsSeconds` values with their location.
pub fn sts_middlewares(file: &Arc<str>, root: &Node) -> Vec<(u64, Location)> {
    let Some(mws) = geti(root, "http").and_then(|h| geti(h, "middlewares")) else {
        return Vec::new();
    };
    mws.entries()
        .iter()
        .filter_map(|m| {
            let s = geti(&m.value, "headers").and_then(|h| geti(h, "stsSeconds"))?;
            let secs = s.as_str().and_then(|t| t.parse().ok())?;
            Some((secs, loc(file, s.pos)))
        })
        .collect()
}

/// Does the document define a `default` TLS option?
pub fn defines_default(root: &Node) -> bool {
    geti(root, "tls")
        .and_then(|t| geti(t, "options"))
        .and_then(|o| geti(o, "default"))
        .is_some()
}

/// A Traefik document: by content, YAML or TOML.
pub fn looks_like(text: &str) -> bool {
    let l = text.to_ascii_lowercase();
    (l.contains("entrypoints") && (l.contains("address") || l.contains("redirections")))
        || (l.contains("tls")
            && l.contains("options")
            && (l.contains("minversion")
                || l.contains("ciphersuites")
                || l.contains("maxversion")
                || l.contains("snistrict")))
}

/// TOML to the same tree as YAML, with positions.
pub fn toml_node(text: &str) -> Result<Node, (u32, u32, String)> {
    use toml::de::{DeTable, DeValue};
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let pos = |off: usize| {
        let line = starts.partition_point(|&s| s <= off);
        let ls = starts[line.saturating_sub(1)];
        Pos {
            line: line as u32,
            col: text
                .get(ls..off)
                .map_or(1, |s| s.chars().count() as u32 + 1),
            src: 0,
        }
    };
    fn conv(v: &toml::Spanned<DeValue<'_>>, pos: &dyn Fn(usize) -> Pos) -> Node {
        let p = pos(v.span().start);
        let value = match v.get_ref() {
            DeValue::String(s) => Value::Scalar {
                text: s.to_string(),
                plain: false,
            },
            DeValue::Integer(i) => Value::Scalar {
                text: i.as_str().to_string(),
                plain: true,
            },
            DeValue::Float(f) => Value::Scalar {
                text: f.as_str().to_string(),
                plain: true,
            },
            DeValue::Boolean(b) => Value::Scalar {
                text: b.to_string(),
                plain: true,
            },
            DeValue::Datetime(d) => Value::Scalar {
                text: d.to_string(),
                plain: true,
            },
            DeValue::Array(a) => Value::Seq(a.iter().map(|i| conv(i, pos)).collect()),
            DeValue::Table(t) => Value::Map(
                t.iter()
                    .map(|(k, v)| vigie_parse::yaml::Entry {
                        key: k.get_ref().to_string(),
                        key_pos: pos(k.span().start),
                        value: conv(v, pos),
                    })
                    .collect(),
            ),
        };
        Node {
            pos: p,
            tag: None,
            value,
        }
    }
    let t = DeTable::parse(text).map_err(|e| {
        let p = e.span().map_or(
            Pos {
                line: 1,
                col: 1,
                src: 0,
            },
            |s| pos(s.start),
        );
        (p.line, p.col, e.message().to_string())
    })?;
    let span = t.span();
    let root = toml::Spanned::new(span, DeValue::Table(t.into_inner()));
    Ok(conv(&root, &pos))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(t: &str) -> Node {
        vigie_parse::yaml::parse(t).documents.remove(0).root
    }

    #[test]
    fn dynamic_yaml_options() {
        let f: Arc<str> = Arc::from("traefik/dynamic.yml");
        let n = yaml(
            "tls:\n  options:\n    default:\n      minVersion: VersionTLS12\n      cipherSuites:\n        - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n        - TLS_RSA_WITH_AES_128_CBC_SHA\n      curvePreferences: [CurveP256, X25519]\n      sniStrict: true\n",
        );
        let mut found = Found::default();
        analyze_doc(&f, &n, &mut found, true);
        let e = &found.endpoints[0];
        assert_eq!(e.subject, "traefik/dynamic.yml › tls.options.default");
        assert_eq!(
            e.versions.as_ref().unwrap().value.names(),
            vec!["TLSv1.2", "TLSv1.3"]
        );
        assert_eq!(e.versions.as_ref().unwrap().at.line, 4);
        assert!(matches!(&e.ciphers.as_ref().unwrap().value, Ciphers::List(l) if l.len() == 2));
        assert_eq!(
            e.groups.as_ref().unwrap().value,
            vec!["CurveP256", "X25519"]
        );
    }

    #[test]
    fn static_toml_entrypoints_and_default_options() {
        let f: Arc<str> = Arc::from("traefik.toml");
        let n = toml_node("[entryPoints]\n  [entryPoints.web]\n    address = \":80\"\n  [entryPoints.websecure]\n    address = \":443\"\n").unwrap();
        let mut found = Found::default();
        analyze_doc(&f, &n, &mut found, false);
        assert_eq!(found.endpoints.len(), 1);
        assert_eq!(
            found.endpoints[0].versions.as_ref().unwrap().default,
            Some(DEFAULTS)
        );
        assert!(found.plain[0].redirect.is_err());
        assert_eq!(found.plain[0].at.line, 2);
        let n = toml_node("[entryPoints.web]\naddress = \":80\"\n[entryPoints.web.http.redirections.entryPoint]\nto = \"websecure\"\nscheme = \"https\"\n[entryPoints.websecure]\naddress = \":443\"\n").unwrap();
        let mut found = Found::default();
        analyze_doc(&f, &n, &mut found, true);
        assert!(found.plain[0].redirect.is_ok(), "{:?}", found.plain);
        assert!(found.endpoints.is_empty());
    }

    #[test]
    fn toml_errors_have_positions() {
        let e = toml_node("a = 1\nb = \n").unwrap_err();
        assert_eq!(e.0, 2);
    }
}

/// Traefik's static configuration given as command-line flags (a Compose service's `command`:
/// `--entrypoints.web.address=:80`, `--entrypoints.web.http.redirections.entrypoint.to=websecure`),
/// as the same tree as a configuration file. Each flag keeps its position.
pub fn flags_node(flags: &[(String, Pos)], at: Pos) -> Option<Node> {
    let mut root = Node {
        pos: at,
        tag: None,
        value: Value::Map(Vec::new()),
    };
    let mut any = false;
    for (flag, pos) in flags {
        let Some(body) = flag.strip_prefix("--") else {
            continue;
        };
        let (key, value) = body.split_once('=').unwrap_or((body, "true"));
        let parts: Vec<&str> = key.split('.').filter(|p| !p.is_empty()).collect();
        if parts.is_empty() || !parts[0].eq_ignore_ascii_case("entrypoints") {
            continue;
        }
        any = true;
        let mut cur = &mut root;
        for (i, p) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let Value::Map(entries) = &mut cur.value else {
                break;
            };
            let idx = match entries.iter().position(|e| e.key.eq_ignore_ascii_case(p)) {
                Some(i) => i,
                None => {
                    entries.push(vigie_parse::yaml::Entry {
                        key: p.to_string(),
                        key_pos: *pos,
                        value: Node {
                            pos: *pos,
                            tag: None,
                            value: Value::Map(Vec::new()),
                        },
                    });
                    entries.len() - 1
                }
            };
            if last {
                entries[idx].value = Node {
                    pos: *pos,
                    tag: None,
                    value: Value::Scalar {
                        text: value.to_string(),
                        plain: true,
                    },
                };
            }
            cur = &mut entries[idx].value;
        }
    }
    any.then_some(root)
}

#[cfg(test)]
mod flag_tests {
    use super::*;

    #[test]
    fn flags_become_a_static_configuration() {
        let p = |l| Pos {
            line: l,
            col: 7,
            src: 0,
        };
        let flags = vec![
            ("--entrypoints.web.address=:80".to_string(), p(3)),
            ("--entrypoints.websecure.address=:443".to_string(), p(4)),
            (
                "--entrypoints.web.http.redirections.entrypoint.to=websecure".to_string(),
                p(5),
            ),
            ("--providers.docker=true".to_string(), p(6)),
        ];
        let n = flags_node(&flags, p(2)).unwrap();
        let f: Arc<str> = Arc::from("docker-compose.yml");
        let mut found = Found::default();
        analyze_doc(&f, &n, &mut found, false);
        assert_eq!(found.plain[0].redirect.as_ref().unwrap().line, 5);
        assert_eq!(found.endpoints.len(), 1);
        assert!(flags_node(&flags[3..], p(2)).is_none());
    }
}
