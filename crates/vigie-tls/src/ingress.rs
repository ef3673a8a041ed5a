//! Which controller serves an Ingress, and what Google's controller does with TLS.
//!
//! An Ingress is only a request: the controller that serves it decides the protocols, suites,
//! certificates and redirects. ingress-nginx, Traefik and GKE's load balancer read different
//! fields, so judging every Ingress as ingress-nginx with its defaults reports plain HTTP where
//! GKE serves a managed certificate and redirects, and nginx suites GKE never offers.
//!
//! The controller, by the first rule that applies:
//! 1. the class (`spec.ingressClassName`, else the `kubernetes.io/ingress.class` annotation):
//!    through an `IngressClass` of the repository with that name (its `spec.controller`), else
//!    by name (`gce`, `gce-internal`, `*nginx*`, `*traefik*`; any other class is another
//!    controller vigie does not model);
//! 2. without a class: the repository's default `IngressClass`
//!    (`ingressclass.kubernetes.io/is-default-class: "true"`);
//! 3. the Ingress's own annotations (`nginx.ingress.kubernetes.io/*`,
//!    `traefik.ingress.kubernetes.io/*`, GKE's `networking.gke.io/*`,
//!    `ingress.gcp.kubernetes.io/*`, `kubernetes.io/ingress.global-static-ip-name`);
//! 4. the cluster being GKE: Kubernetes objects only GKE serves (ManagedCertificate,
//!    FrontendConfig, BackendConfig and other `networking.gke.io`/`cloud.google.com` kinds),
//!    Services annotated for Google's load balancers (`cloud.google.com/neg`,
//!    `cloud.google.com/backend-config`…) or Ingresses of class `gce`/`gce-internal`. GKE's controller serves every Ingress without a class.
//!    Terraform is not read for this: a repository's `google_container_cluster` does not say
//!    which cluster its manifests are applied to;
//! 5. else the controller is not known.
//!
//! GKE's load balancer (`gce`, `gce-internal`): HTTPS when the Ingress has a `tls` section, a
//! `networking.gke.io/managed-certificates` or an `ingress.gcp.kubernetes.io/pre-shared-cert`
//! annotation; plain HTTP on port 80 as well unless `kubernetes.io/ingress.allow-http: "false"`;
//! the redirect from a FrontendConfig's `redirectToHttps` (301 by default, 308 with
//! `PERMANENT_REDIRECT`; `FOUND`, `SEE_OTHER` and `TEMPORARY_REDIRECT` are not permanent);
//! versions and suites from the FrontendConfig's `sslPolicy`, a Google Cloud object the
//! manifests only name (not assessed), else Google's default SSL policy (COMPATIBLE profile,
//! TLS 1.0 minimum). Its suites, HSTS (sent by the application or a BackendConfig's custom
//! headers), OCSP and tickets are Google's and not judged.

use crate::model::{Endpoint, Plain, Problem, Setting, Versions};
use vigie_core::Location;
use vigie_parse::kubernetes::Object;
use vigie_parse::yaml::Node;

/// Who serves an Ingress, and why vigie thinks so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Controller {
    Nginx(String),
    Traefik(String),
    /// GKE's load balancer; `internal` for `gce-internal` (reachable from the VPC only).
    Gce {
        internal: bool,
        why: String,
    },
    /// A controller vigie does not model (`alb`, `haproxy`, `kong`, `istio`…), by class.
    Other(String),
    /// No class, and nothing in the repository says which controller serves it.
    Unknown,
}

impl Controller {
    /// Whether the controller's load balancer reaches the backends through their node ports,
    /// so a NodePort Service behind the Ingress is the load balancer's backend, not an exposure
    /// of its own (GKE without container-native load balancing, AWS ALB in instance mode).
    pub fn uses_node_ports(&self) -> bool {
        matches!(self, Controller::Gce { .. }) || matches!(self, Controller::Other(c) if c == "alb")
    }
}

/// What the repository says about the cluster its Ingresses go to.
#[derive(Debug, Clone, Default)]
pub struct Platform {
    /// `IngressClass` name → its `spec.controller`.
    classes: Vec<(String, String)>,
    /// The default `IngressClass`'s controller.
    default_controller: Option<(String, String)>,
    /// Why the cluster is taken for GKE: the first object only GKE serves.
    gke: Option<String>,
}

const GKE_INGRESS_ANNOTATIONS: &[&str] = &[
    "networking.gke.io/",
    "ingress.gcp.kubernetes.io/",
    "kubernetes.io/ingress.global-static-ip-name",
    "kubernetes.io/ingress.regional-static-ip-name",
];

const GKE_SERVICE_ANNOTATIONS: &[&str] = &[
    "cloud.google.com/neg",
    "cloud.google.com/backend-config",
    "beta.cloud.google.com/backend-config",
    "cloud.google.com/app-protocols",
    "cloud.google.com/load-balancer-type",
    "networking.gke.io/",
];

fn annotation_keys(o: &Object) -> impl Iterator<Item = &str> {
    o.annotations()
        .map(Node::entries)
        .unwrap_or(&[])
        .iter()
        .map(|e| e.key.as_str())
}

fn annotation<'a>(o: &'a Object, key: &str) -> Option<&'a str> {
    o.annotations()?.get(key)?.as_str()
}

/// A kind only GKE serves.
fn gke_kind(o: &Object) -> bool {
    let group = o.api_version.split('/').next().unwrap_or("");
    group == "networking.gke.io" || group == "cloud.google.com" || group == "hub.gke.io"
}

/// Why an object shows the cluster is GKE, if it does.
fn gke_evidence(o: &Object) -> Option<String> {
    if gke_kind(o) {
        return Some(format!("{} {} at {}", o.kind, o.name, o.at));
    }
    let prefixes = match o.kind.as_str() {
        "Service" => GKE_SERVICE_ANNOTATIONS,
        "Ingress" => {
            let class = o
                .node
                .path(&["spec", "ingressClassName"])
                .and_then(Node::as_str)
                .or_else(|| annotation(o, "kubernetes.io/ingress.class"));
            if let Some(c) = class.filter(|c| matches!(*c, "gce" | "gce-internal")) {
                return Some(format!("the class `{c}` of {} at {}", o.id(), o.at));
            }
            GKE_INGRESS_ANNOTATIONS
        }
        _ => return None,
    };
    let key = annotation_keys(o).find(|k| prefixes.iter().any(|p| k.starts_with(p)))?;
    Some(format!("the annotation `{key}` of {} at {}", o.id(), o.at))
}

/// Whether the ingress analyses need an object: classes, GKE's own kinds, and Services that
/// carry GKE annotations (Ingresses are kept by their analyses already).
pub fn keep(o: &Object) -> bool {
    o.kind == "IngressClass" || gke_kind(o) || (o.kind == "Service" && gke_evidence(o).is_some())
}

impl Platform {
    /// Why the cluster is taken for GKE, when it is.
    pub fn gke(&self) -> Option<&str> {
        self.gke.as_deref()
    }

    pub fn of(objects: &[Object]) -> Platform {
        let mut p = Platform::default();
        for o in objects {
            if o.kind == "IngressClass" {
                let controller = o
                    .node
                    .path(&["spec", "controller"])
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string();
                if annotation(o, "ingressclass.kubernetes.io/is-default-class")
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
                    && p.default_controller.is_none()
                {
                    p.default_controller = Some((o.name.clone(), controller.clone()));
                }
                p.classes.push((o.name.clone(), controller));
            }
            if p.gke.is_none() {
                p.gke = gke_evidence(o);
            }
        }
        p
    }

    /// The controller of an Ingress.
    pub fn controller(&self, o: &Object) -> Controller {
        let class = o
            .node
            .path(&["spec", "ingressClassName"])
            .and_then(Node::as_str)
            .or_else(|| annotation(o, "kubernetes.io/ingress.class"));
        if let Some(class) = class {
            let by_class = self.classes.iter().find(|(n, _)| n == class);
            let why = match by_class {
                Some((_, c)) => format!("its class `{class}` (IngressClass controller `{c}`)"),
                None => format!("its class `{class}`"),
            };
            return by_controller(by_class.map_or(class, |(_, c)| c.as_str()), class, why);
        }
        if let Some((name, c)) = &self.default_controller {
            return by_controller(
                c,
                name,
                format!("the default IngressClass `{name}` (controller `{c}`)"),
            );
        }
        let keys: Vec<&str> = annotation_keys(o).collect();
        if let Some(k) = keys
            .iter()
            .find(|k| k.starts_with("nginx.ingress.kubernetes.io/"))
        {
            return Controller::Nginx(format!("its annotation `{k}`"));
        }
        if let Some(k) = keys
            .iter()
            .find(|k| k.starts_with("traefik.ingress.kubernetes.io/"))
        {
            return Controller::Traefik(format!("its annotation `{k}`"));
        }
        if let Some(k) = keys
            .iter()
            .find(|k| GKE_INGRESS_ANNOTATIONS.iter().any(|p| k.starts_with(p)))
        {
            return Controller::Gce {
                internal: false,
                why: format!("no class, and its GKE annotation `{k}`"),
            };
        }
        match &self.gke {
            Some(e) => Controller::Gce {
                internal: false,
                why: format!("no class, and {e} shows a GKE cluster"),
            },
            None => Controller::Unknown,
        }
    }
}

fn by_controller(controller: &str, class: &str, why: String) -> Controller {
    let c = controller.to_ascii_lowercase();
    if c == "gce-internal" || c.ends_with("/ingress-gce-internal") {
        Controller::Gce {
            internal: true,
            why,
        }
    } else if c == "gce" || c.contains("ingress-gce") || c.contains("gke.io") {
        Controller::Gce {
            internal: class.eq_ignore_ascii_case("gce-internal"),
            why,
        }
    } else if c.contains("nginx") {
        Controller::Nginx(why)
    } else if c.contains("traefik") {
        Controller::Traefik(why)
    } else {
        Controller::Other(class.to_string())
    }
}

/// How GKE's load balancer answers plain HTTP for an Ingress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GceHttp {
    /// `kubernetes.io/ingress.allow-http: "false"`: no HTTP listener.
    Off(Location),
    /// A FrontendConfig's `redirectToHttps`, with whether the code is permanent.
    Redirect {
        at: Location,
        permanent: bool,
        code: String,
    },
    /// HTTP served like HTTPS.
    Served,
    /// The FrontendConfig the Ingress names is not in the repository.
    NotKnown(String),
}

/// GKE's load balancer for one Ingress, as its manifests declare it.
#[derive(Debug, Clone)]
pub struct GceIngress {
    /// The certificates it serves: `ManagedCertificate web`, `pre-shared-cert shop`, `tls secret x`.
    pub certificates: Vec<(String, Location)>,
    pub http: GceHttp,
    /// The FrontendConfig's `sslPolicy`: its name and where it is named.
    pub ssl_policy: Option<(String, Location)>,
    /// The FrontendConfig named, when found.
    pub frontend_config: Option<Location>,
}

impl GceIngress {
    pub fn read(o: &Object, objects: &[Object]) -> GceIngress {
        let ns = o.namespace.as_deref().unwrap_or("default");
        let ann_loc = |key: &str| {
            o.annotations()
                .and_then(|a| a.entry(key))
                .map(|e| o.loc(e.key_pos))
        };
        let mut certificates = Vec::new();
        for key in [
            "networking.gke.io/managed-certificates",
            "ingress.gcp.kubernetes.io/pre-shared-cert",
        ] {
            if let Some(v) = annotation(o, key).filter(|v| !v.trim().is_empty())
                && let Some(at) = ann_loc(key)
            {
                let what = if key.ends_with("managed-certificates") {
                    "ManagedCertificate"
                } else {
                    "pre-shared-cert"
                };
                certificates.push((format!("{what} {}", v.trim()), at));
            }
        }
        for t in o
            .node
            .path(&["spec", "tls"])
            .map(Node::items)
            .unwrap_or(&[])
        {
            let name = t
                .get("secretName")
                .and_then(Node::as_str)
                .unwrap_or("(no secretName)");
            certificates.push((format!("tls secret {name}"), o.loc(t.pos)));
        }
        let fc_name = [
            "networking.gke.io/v1beta1.FrontendConfig",
            "networking.gke.io/v1.FrontendConfig",
        ]
        .iter()
        .find_map(|k| annotation(o, k));
        let fc = fc_name.and_then(|n| {
            objects.iter().find(|f| {
                f.kind == "FrontendConfig"
                    && f.name == n
                    && f.namespace.as_deref().unwrap_or("default") == ns
            })
        });
        let allow_http_off = annotation(o, "kubernetes.io/ingress.allow-http")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"));
        let http = if allow_http_off {
            GceHttp::Off(
                ann_loc("kubernetes.io/ingress.allow-http").unwrap_or_else(|| o.at.clone()),
            )
        } else if let Some(f) = fc {
            match f.node.get("spec").and_then(|s| s.entry("redirectToHttps")) {
                Some(e) if e.value.get("enabled").and_then(Node::as_bool) == Some(true) => {
                    let r = &e.value;
                    let code = r
                        .get("responseCodeName")
                        .and_then(Node::as_str)
                        .unwrap_or("MOVED_PERMANENTLY_DEFAULT")
                        .to_string();
                    GceHttp::Redirect {
                        at: f.loc(e.key_pos),
                        permanent: matches!(
                            code.as_str(),
                            "MOVED_PERMANENTLY_DEFAULT" | "PERMANENT_REDIRECT"
                        ),
                        code,
                    }
                }
                _ => GceHttp::Served,
            }
        } else if let Some(n) = fc_name {
            GceHttp::NotKnown(format!(
                "the FrontendConfig `{n}` it names is not in the repository"
            ))
        } else {
            GceHttp::Served
        };
        let ssl_policy = fc.and_then(|f| {
            let e = f.node.get("spec")?.entry("sslPolicy")?;
            Some((e.value.as_str()?.to_string(), f.loc(e.key_pos)))
        });
        GceIngress {
            certificates,
            http,
            ssl_policy,
            frontend_config: fc.map(|f| f.at.clone()),
        }
    }

    pub fn has_tls(&self) -> bool {
        !self.certificates.is_empty()
    }

    fn certificate_list(&self) -> String {
        self.certificates
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Why the load balancer serves HTTPS, or why not.
    pub fn tls_reason(&self) -> String {
        if self.has_tls() {
            format!(
                "Google's load balancer serves HTTPS ({})",
                self.certificate_list()
            )
        } else {
            "Google's load balancer has no certificate for it (no tls section, ManagedCertificate or pre-shared-cert)".to_string()
        }
    }
}

/// The CRY findings of an Ingress served by GKE's load balancer: its plain-HTTP listener with
/// the redirect it gets, and the TLS versions of its SSL policy.
pub fn gce_findings(
    o: &Object,
    g: &GceIngress,
    why: &str,
) -> (Vec<Plain>, Vec<Endpoint>, Vec<Problem>) {
    let subject = format!("{} ({})", o.id(), o.file);
    let mut plain = Vec::new();
    let mut endpoints = Vec::new();
    let mut problems = Vec::new();
    match &g.http {
        GceHttp::Off(_) => {}
        GceHttp::Redirect {
            at,
            permanent: true,
            ..
        } => plain.push(Plain {
            subject: subject.clone(),
            at: o.at.clone(),
            redirect: Ok(at.clone()),
        }),
        GceHttp::Redirect { at, code, .. } => plain.push(Plain {
            subject: subject.clone(),
            at: o.at.clone(),
            redirect: Err(format!(
                "the FrontendConfig's redirect to https at {at} answers `{code}`, not a permanent redirect (use MOVED_PERMANENTLY_DEFAULT or PERMANENT_REDIRECT)"
            )),
        }),
        GceHttp::Served => plain.push(Plain {
            subject: subject.clone(),
            at: o.at.clone(),
            redirect: Err(if g.has_tls() {
                format!(
                    "Google's load balancer serves plain HTTP beside HTTPS: no FrontendConfig `redirectToHttps` and no `kubernetes.io/ingress.allow-http: \"false\"` (GKE serves this Ingress: {why})"
                )
            } else {
                format!(
                    "Google's load balancer serves it over plain HTTP: no tls section, ManagedCertificate or pre-shared-cert (GKE serves this Ingress: {why})"
                )
            }),
        }),
        GceHttp::NotKnown(reason) => problems.push(Problem {
            at: o.at.clone(),
            message: format!(
                "{}: {reason}, so its redirect to https and SSL policy are not known",
                o.id()
            ),
            reference: true,
        }),
    }
    if g.has_tls() {
        let lb = format!("{subject} Google load balancer");
        match &g.ssl_policy {
            // the policy lives in Google Cloud: the manifests only name it
            Some(_) => {}
            None if matches!(g.http, GceHttp::NotKnown(_)) => {}
            None => endpoints.push(Endpoint {
                subject: lb,
                product: "Google Cloud load balancer",
                at: Some(o.at.clone()),
                versions: Some(Setting::defaulted(
                    Versions::range(1, 4),
                    g.frontend_config.clone().unwrap_or_else(|| o.at.clone()),
                    GCP_DEFAULT_POLICY,
                )),
                ..Endpoint::default()
            }),
        }
    }
    (plain, endpoints, problems)
}

/// What Google's load balancers apply without an SSL policy.
pub const GCP_DEFAULT_POLICY: &str =
    "Google Cloud default SSL policy: COMPATIBLE profile, minimum TLS 1.0";

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn objs(t: &str) -> Vec<Object> {
        let s = vigie_parse::yaml::parse(t);
        let f: Arc<str> = Arc::from("k8s/ingress.yaml");
        vigie_parse::kubernetes::objects(&f, s.documents.into_iter().map(|d| d.root).collect())
    }

    const ING: &str = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n";

    #[test]
    fn the_class_then_the_default_class_then_annotations_then_the_platform() {
        let os = objs(&format!("{ING}spec:\n  ingressClassName: gce-internal\n"));
        let p = Platform::of(&os);
        assert!(matches!(
            p.controller(&os[0]),
            Controller::Gce { internal: true, .. }
        ));
        let os = objs(&format!(
            "{ING}---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: public\n  annotations:\n    ingressclass.kubernetes.io/is-default-class: \"true\"\nspec:\n  controller: k8s.io/ingress-nginx\n---\napiVersion: cloud.google.com/v1\nkind: BackendConfig\nmetadata:\n  name: b\n"
        ));
        let p = Platform::of(&os);
        assert!(matches!(p.controller(&os[0]), Controller::Nginx(_)));
        // no class and nothing else: not known
        let os = objs(ING);
        assert_eq!(Platform::of(&os).controller(&os[0]), Controller::Unknown);
        // no class on GKE (a GKE-only kind in the repository)
        let os = objs(&format!(
            "{ING}---\napiVersion: networking.gke.io/v1\nkind: ManagedCertificate\nmetadata:\n  name: c\n"
        ));
        match Platform::of(&os).controller(&os[0]) {
            Controller::Gce { internal, why } => {
                assert!(!internal);
                assert!(why.contains("ManagedCertificate c"), "{why}");
            }
            c => panic!("{c:?}"),
        }
        // an nginx annotation wins over the platform
        let os = objs(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations:\n    nginx.ingress.kubernetes.io/ssl-redirect: \"true\"\n---\napiVersion: networking.gke.io/v1\nkind: ManagedCertificate\nmetadata:\n  name: c\n",
        );
        assert!(matches!(
            Platform::of(&os).controller(&os[0]),
            Controller::Nginx(_)
        ));
        let os = objs(&format!("{ING}spec:\n  ingressClassName: alb\n"));
        let c = Platform::of(&os).controller(&os[0]);
        assert_eq!(c, Controller::Other("alb".into()));
        assert!(c.uses_node_ports());
    }

    #[test]
    fn gke_tls_from_managed_certificates_and_frontend_config() {
        let os = objs(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  namespace: shop\n  annotations:\n    networking.gke.io/managed-certificates: web-cert\n    networking.gke.io/v1beta1.FrontendConfig: fc\nspec:\n  defaultBackend:\n    service: {name: web, port: {number: 80}}\n---\napiVersion: networking.gke.io/v1beta1\nkind: FrontendConfig\nmetadata:\n  name: fc\n  namespace: shop\nspec:\n  sslPolicy: strict\n  redirectToHttps:\n    enabled: true\n",
        );
        let g = GceIngress::read(&os[0], &os);
        assert!(g.has_tls());
        assert!(matches!(
            g.http,
            GceHttp::Redirect {
                permanent: true,
                ..
            }
        ));
        assert_eq!(
            g.ssl_policy.as_ref().map(|(n, _)| n.as_str()),
            Some("strict")
        );
        let (plain, endpoints, problems) = gce_findings(&os[0], &g, "class gce");
        assert_eq!(plain.len(), 1);
        assert_eq!(plain[0].redirect.as_ref().unwrap().line, 20);
        assert!(
            endpoints.is_empty(),
            "the named SSL policy is not in the repository"
        );
        assert!(problems.is_empty());
    }

    #[test]
    fn gke_without_redirect_or_certificate_serves_plain_http() {
        let os = objs(&format!(
            "{ING}  annotations:\n    ingress.gcp.kubernetes.io/pre-shared-cert: shop\n"
        ));
        let g = GceIngress::read(&os[0], &os);
        let (plain, endpoints, _) = gce_findings(&os[0], &g, "class gce");
        assert!(
            plain[0]
                .redirect
                .as_ref()
                .unwrap_err()
                .contains("beside HTTPS")
        );
        // no SSL policy: Google's default accepts TLS 1.0
        let v = endpoints[0].versions.as_ref().unwrap();
        assert_eq!(
            v.value.names(),
            vec!["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
        );
        assert_eq!(v.default, Some(GCP_DEFAULT_POLICY));
        // HTTP off: nothing plain
        let os = objs(&format!(
            "{ING}  annotations:\n    kubernetes.io/ingress.allow-http: \"false\"\nspec:\n  tls:\n  - secretName: shop-tls\n"
        ));
        let g = GceIngress::read(&os[0], &os);
        assert!(g.has_tls());
        assert!(gce_findings(&os[0], &g, "x").0.is_empty());
        // a temporary redirect is not permanent
        let os = objs(&format!(
            "{ING}  annotations:\n    networking.gke.io/v1beta1.FrontendConfig: fc\n---\napiVersion: networking.gke.io/v1beta1\nkind: FrontendConfig\nmetadata:\n  name: fc\nspec:\n  redirectToHttps:\n    enabled: true\n    responseCodeName: FOUND\n"
        ));
        let g = GceIngress::read(&os[0], &os);
        let (plain, _, _) = gce_findings(&os[0], &g, "x");
        assert!(plain[0].redirect.as_ref().unwrap_err().contains("FOUND"));
        // a FrontendConfig the repository does not hold: not known, said so
        let os = objs(&format!(
            "{ING}  annotations:\n    networking.gke.io/v1beta1.FrontendConfig: elsewhere\n"
        ));
        let g = GceIngress::read(&os[0], &os);
        let (plain, endpoints, problems) = gce_findings(&os[0], &g, "x");
        assert!(plain.is_empty() && endpoints.is_empty());
        assert!(problems[0].message.contains("elsewhere"));
    }
}
