//! Kubernetes: the ingress-nginx controller's ConfigMap (`ssl-protocols`, `ssl-ciphers`,
//! `ssl-dh-param`, `ssl-redirect`, `force-ssl-redirect`, `hsts*`, `ssl-session-tickets`,
//! `ssl-early-data`, `enable-ocsp`), Ingress annotations (`nginx.ingress.kubernetes.io/ssl-redirect`,
//! `force-ssl-redirect`, `ssl-ciphers`), GKE's load balancer for the Ingresses it serves
//! ([`crate::ingress`]), and Traefik's `TLSOption`. Defaults assumed: ingress-nginx controller
//! 1.11, whose DHE suites are only offered when `ssl-dh-param` names DH parameters.
//!
//! Each Ingress is judged by the controller that serves it ([`crate::ingress::Platform`]):
//! ingress-nginx's defaults apply only to Ingresses ingress-nginx serves, and an Ingress whose
//! controller is not known is only judged on what holds for every controller (no `tls` section:
//! plain HTTP).

use crate::ingress::{self, Controller, GceIngress, Platform};
use crate::model::*;
use crate::traefik;
use vigie_parse::kubernetes::Object;
use vigie_parse::yaml::Node;

pub const DEFAULTS: &str = "ingress-nginx 1.11 default";
const DEFAULT_CIPHERS: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";
const ANN: &str = "nginx.ingress.kubernetes.io/";
const KEYS: &[&str] = &[
    "ssl-protocols",
    "ssl-ciphers",
    "ssl-redirect",
    "force-ssl-redirect",
    "hsts",
    "hsts-max-age",
    "ssl-session-tickets",
    "ssl-early-data",
    "enable-ocsp",
];

fn is_traefik_api(v: &str) -> bool {
    v.starts_with("traefik.io/") || v.starts_with("traefik.containo.us/")
}

/// The objects the analysis needs: ingress-nginx ConfigMaps, Ingresses, Traefik TLSOptions.
pub fn keep(o: &Object) -> bool {
    if crate::ingress::keep(o) {
        return true;
    }
    match o.kind.as_str() {
        "Ingress" => true,
        "TLSOption" => is_traefik_api(&o.api_version),
        "IngressRoute" | "IngressRouteTCP" | "Middleware" => crate::routing::keep(o),
        "ConfigMap" => is_ingress_nginx_configmap(o),
        _ => false,
    }
}

fn is_ingress_nginx_configmap(o: &Object) -> bool {
    let named = o.name.contains("ingress-nginx")
        || o.name == "nginx-configuration"
        || o.name.contains("nginx-ingress");
    let labelled = o
        .node
        .path(&["metadata", "labels", "app.kubernetes.io/name"])
        .and_then(Node::as_str)
        .is_some_and(|n| n.contains("ingress-nginx"));
    let keys = o
        .node
        .get("data")
        .is_some_and(|d| d.entries().iter().any(|e| KEYS.contains(&e.key.as_str())));
    named
        || labelled
        || (keys
            && o.node.get("data").is_some_and(|d| {
                d.get("ssl-protocols").is_some() || d.get("ssl-ciphers").is_some()
            }))
}

fn truthy(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "true" | "on" | "yes" | "1"
    )
}

pub fn analyze(objects: &[Object]) -> Found {
    let mut found = Found::default();
    for o in objects
        .iter()
        .filter(|o| o.kind == "TLSOption" && is_traefik_api(&o.api_version))
    {
        let spec = o
            .node
            .get("spec")
            .cloned()
            .unwrap_or_else(|| o.node.clone());
        let mut e = traefik::option_endpoint(
            &o.file,
            format!("{} ({})", o.id(), o.file),
            &spec,
            o.at.clone(),
        );
        e.traefik_option = Some(crate::routing::crd_option_key(o));
        found.endpoints.push(e);
    }
    let platform = Platform::of(objects);
    let mut ingresses: Vec<&Object> = Vec::new();
    for o in objects
        .iter()
        .filter(|o| o.kind == "Ingress" && !crate::routing::traefik_ingress(o))
    {
        match platform.controller(o) {
            Controller::Nginx(_) => ingresses.push(o),
            Controller::Gce { why, .. } => {
                let (plain, endpoints, problems) =
                    ingress::gce_findings(o, &GceIngress::read(o, objects), &why);
                found.plain.extend(plain);
                found.endpoints.extend(endpoints);
                found.problems.extend(problems);
            }
            Controller::Unknown => {
                if o.node
                    .path(&["spec", "tls"])
                    .is_none_or(|t| t.items().is_empty())
                {
                    found.plain.push(Plain {
                        subject: format!("{} ({})", o.id(), o.file),
                        at: o.at.clone(),
                        redirect: Err("the Ingress has no `tls:` section: whichever controller serves it (it has no class, and nothing in the repository says which) serves it over plain HTTP".into()),
                    });
                }
            }
            Controller::Traefik(_) | Controller::Other(_) => {}
        }
    }
    let cms: Vec<&Object> = objects
        .iter()
        .filter(|o| o.kind == "ConfigMap" && is_ingress_nginx_configmap(o))
        .collect();
    if ingresses.is_empty() && cms.is_empty() {
        return found;
    }
    // The controller's settings: the ConfigMap if the repository has one, else its defaults.
    let cm = cms.first().copied();
    let data = cm.and_then(|c| c.node.get("data"));
    let key = |k: &str| {
        data.and_then(|d| d.entry(k)).map(|e| {
            (
                e.value.as_str().unwrap_or("").to_string(),
                cm.unwrap().loc(e.key_pos),
            )
        })
    };
    let (subject, at) = match cm {
        Some(c) => (format!("{} ({})", c.id(), c.file), c.at.clone()),
        None => {
            let i = ingresses[0];
            (
                format!(
                    "ingress-nginx controller defaults (no ConfigMap in the repository; first Ingress {} in {})",
                    i.id(),
                    i.file
                ),
                i.at.clone(),
            )
        }
    };
    let mut e = Endpoint {
        subject,
        product: "ingress-nginx",
        at: Some(at.clone()),
        ..Endpoint::default()
    };
    e.versions = Some(match key("ssl-protocols") {
        Some((v, l)) => {
            let mut vs: Vec<usize> = v
                .split_whitespace()
                .filter_map(Versions::parse_one)
                .collect();
            vs.sort_unstable();
            vs.dedup();
            Setting::set(Versions(vs), l)
        }
        None => Setting::defaulted(Versions(vec![3, 4]), at.clone(), DEFAULTS),
    });
    let ciphers = match key("ssl-ciphers") {
        Some((v, l)) => Setting::set(Ciphers::OpenSsl(v), l),
        None => Setting::defaulted(
            Ciphers::OpenSsl(DEFAULT_CIPHERS.into()),
            at.clone(),
            DEFAULTS,
        ),
    };
    e.ciphers = Some(ciphers.clone());
    e.tls13 = Some(Setting::defaulted(
        crate::cipher::TLS13_DEFAULT
            .iter()
            .map(|s| s.to_string())
            .collect(),
        at.clone(),
        DEFAULTS,
    ));
    e.tickets = Some(
        match (key("ssl-session-tickets"), key("ssl-session-timeout")) {
            (Some((v, l)), t) => Setting::set(
                Tickets {
                    enabled: truthy(&v),
                    lifetime: Some(t.and_then(|(t, _)| nginx_time(&t)).unwrap_or(600)),
                },
                l,
            ),
            (None, _) => Setting::defaulted(
                Tickets {
                    enabled: false,
                    lifetime: None,
                },
                at.clone(),
                DEFAULTS,
            ),
        },
    );
    // ingress-nginx writes `ssl_dhparam` only when `ssl-dh-param` names a Secret of DH
    // parameters: without it, its DHE suites are never negotiated
    let dhparam = match key("ssl-dh-param") {
        Some((v, l)) if !v.trim().is_empty() => Setting::set(true, l),
        _ => Setting::defaulted(false, at.clone(), DEFAULTS),
    };
    e.dhparam = Some(dhparam.clone());
    e.early_data = Some(match key("ssl-early-data") {
        Some((v, l)) => Setting::set(truthy(&v), l),
        None => Setting::defaulted(false, at.clone(), DEFAULTS),
    });
    e.stapling = Some(match key("enable-ocsp") {
        Some((v, l)) => Setting::set(truthy(&v), l),
        None => Setting::defaulted(false, at.clone(), DEFAULTS),
    });
    e.hsts = Some(match key("hsts") {
        Some((v, l)) if !truthy(&v) => Setting::set(None, l),
        h => {
            let max = key("hsts-max-age");
            let sub = key("hsts-include-subdomains").is_none_or(|(v, _)| truthy(&v));
            let hsts = Hsts {
                max_age: Some(
                    max.as_ref()
                        .and_then(|(v, _)| v.parse().ok())
                        .unwrap_or(31_536_000),
                ),
                include_subdomains: sub,
                always: true,
            };
            match (max, h) {
                (Some((_, l)), _) | (None, Some((_, l))) => Setting::set(Some(hsts), l),
                (None, None) => Setting::defaulted(Some(hsts), at.clone(), DEFAULTS),
            }
        }
    });
    let global_redirect = key("ssl-redirect").map(|(v, l)| (truthy(&v), l));
    let global_force = key("force-ssl-redirect").map(|(v, l)| (truthy(&v), l));
    found.endpoints.push(e);
    for i in ingresses {
        let ann = |k: &str| {
            i.annotations()
                .and_then(|a| a.entry(&format!("{ANN}{k}")))
                .map(|e| (e.value.as_str().unwrap_or("").to_string(), i.loc(e.key_pos)))
        };
        let has_tls = i
            .node
            .path(&["spec", "tls"])
            .is_some_and(|t| !t.items().is_empty());
        let subject = format!("{} ({})", i.id(), i.file);
        let redirect = match (ann("force-ssl-redirect"), ann("ssl-redirect")) {
            (Some((v, l)), _) if truthy(&v) => Ok(l),
            (_, Some((v, l))) if !truthy(&v) => Err(format!("`{ANN}ssl-redirect: \"{v}\"` at {l} turns the redirect to https off")),
            _ if has_tls => match &global_redirect {
                Some((false, l)) => Err(format!("the controller's `ssl-redirect: \"false\"` at {l} turns the redirect to https off")),
                Some((true, l)) => Ok(l.clone()),
                None => Ok(i.at.clone()),
            },
            _ => match &global_force {
                Some((true, l)) => Ok(l.clone()),
                _ => Err("the Ingress has no `tls:` section and no `force-ssl-redirect`: it is served over plain HTTP".into()),
            },
        };
        found.plain.push(Plain {
            subject: subject.clone(),
            at: i.at.clone(),
            redirect,
        });
        if let Some((v, l)) = ann("ssl-ciphers") {
            let mut e = Endpoint {
                subject: format!("{subject} ssl-ciphers"),
                product: "ingress-nginx",
                at: Some(i.at.clone()),
                ..Endpoint::default()
            };
            e.ciphers = Some(Setting::set(Ciphers::OpenSsl(v), l));
            e.dhparam = Some(dhparam.clone());
            found.endpoints.push(e);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn objs(t: &str) -> Vec<Object> {
        let s = vigie_parse::yaml::parse(t);
        let f: Arc<str> = Arc::from("k8s/ingress.yaml");
        vigie_parse::kubernetes::objects(&f, s.documents.into_iter().map(|d| d.root).collect())
    }

    #[test]
    fn configmap_and_ingress() {
        let os = objs(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ingress-nginx-controller\n  namespace: ingress-nginx\ndata:\n  ssl-protocols: \"TLSv1.1 TLSv1.2\"\n  hsts-max-age: \"600\"\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations:\n    nginx.ingress.kubernetes.io/ssl-redirect: \"false\"\nspec:\n  ingressClassName: nginx\n  tls:\n  - hosts: [a.example]\n",
        );
        assert!(os.iter().all(keep));
        let f = analyze(&os);
        let e = &f.endpoints[0];
        assert_eq!(
            e.versions.as_ref().unwrap().value.names(),
            vec!["TLSv1.1", "TLSv1.2"]
        );
        assert_eq!(e.versions.as_ref().unwrap().at.line, 7);
        assert_eq!(
            e.hsts.as_ref().unwrap().value.as_ref().unwrap().max_age,
            Some(600)
        );
        assert!(
            f.plain[0]
                .redirect
                .as_ref()
                .unwrap_err()
                .contains("ssl-redirect")
        );
    }

    fn verdicts(os: &[Object]) -> Vec<vigie_core::Verdict> {
        let mut v = Vec::new();
        crate::judge::judge(&analyze(os), &mut v, &mut Vec::new());
        v
    }

    /// ingress-nginx offers its default DHE suites only when `ssl-dh-param` gives DH parameters.
    #[test]
    fn ingress_nginx_dhe_needs_ssl_dh_param() {
        let ing = "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  ingressClassName: nginx\n  tls:\n  - hosts: [a.example]\n";
        let degraded = |cm: &str| {
            let v: Vec<_> = verdicts(&objs(&format!("{cm}{ing}")))
                .into_iter()
                .filter(|v| v.check == "CRY-02.1")
                .collect();
            assert!(!v.is_empty(), "no CRY-02.1 verdict");
            v.into_iter()
                .filter(|v| v.is_fail())
                .map(|v| v.message)
                .collect::<Vec<_>>()
        };
        let without = degraded(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ingress-nginx-controller\ndata:\n  hsts: \"true\"\n",
        );
        assert!(without.is_empty(), "{without:?}");
        let with = degraded(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ingress-nginx-controller\ndata:\n  ssl-dh-param: ingress-nginx/dhparam\n",
        );
        assert!(
            with.iter().any(|m| m.contains("DHE-RSA-AES128-GCM-SHA256")),
            "{with:?}"
        );
    }

    /// An Ingress without a class is not ingress-nginx's unless something says so: no nginx
    /// defaults are judged for it, only what holds for any controller; on GKE it is Google's.
    #[test]
    fn ingresses_are_judged_by_their_controller() {
        let plain = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  defaultBackend:\n    service: {name: web, port: {number: 80}}\n";
        let f = analyze(&objs(plain));
        assert!(f.endpoints.is_empty(), "{:?}", f.endpoints);
        assert!(
            f.plain[0]
                .redirect
                .as_ref()
                .unwrap_err()
                .contains("no class")
        );
        let gke = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations:\n    networking.gke.io/managed-certificates: web\n    networking.gke.io/v1beta1.FrontendConfig: fc\nspec:\n  defaultBackend:\n    service: {name: web, port: {number: 80}}\n---\napiVersion: networking.gke.io/v1beta1\nkind: FrontendConfig\nmetadata:\n  name: fc\nspec:\n  redirectToHttps:\n    enabled: true\n";
        let os = objs(gke);
        assert!(os.iter().all(keep));
        let v = verdicts(&os);
        let cry03 = v.iter().find(|v| v.check == "CRY-03.1").unwrap();
        assert!(cry03.is_pass(), "{}", cry03.message);
        assert!(
            v.iter().all(|v| !v.message.contains("ingress-nginx")),
            "{:?}",
            v.iter().map(|v| &v.message).collect::<Vec<_>>()
        );
        // Google's default SSL policy accepts TLS 1.0
        let cry01 = v.iter().find(|v| v.check == "CRY-01").unwrap();
        assert!(
            cry01.is_fail() && cry01.message.contains("Google Cloud default SSL policy"),
            "{}",
            cry01.message
        );
    }

    #[test]
    fn traefik_tlsoption() {
        let os = objs(
            "apiVersion: traefik.io/v1alpha1\nkind: TLSOption\nmetadata:\n  name: default\n  namespace: edge\nspec:\n  minVersion: VersionTLS13\n",
        );
        assert!(keep(&os[0]));
        let f = analyze(&os);
        assert_eq!(
            f.endpoints[0].versions.as_ref().unwrap().value.names(),
            vec!["TLSv1.3"]
        );
        assert_eq!(f.endpoints[0].versions.as_ref().unwrap().at.line, 7);
    }
}
