//! Traefik routers: the TLS option each router really uses, options named but defined nowhere,
//! routers served over plain HTTP, from Compose labels and from Kubernetes objects.

use std::sync::Arc;
use vigie_core::{Outcome, Verdict};
use vigie_parse::compose;
use vigie_tls::judge;
use vigie_tls::{MemFiles, scan_platform};

fn run(files: &[(&str, &str)], manifests: &str) -> Vec<Verdict> {
    let mem = MemFiles::new(files);
    let owned: Vec<(String, String)> = files
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let reader = move |p: &str| owned.iter().find(|(n, _)| n == p).map(|(_, t)| t.clone());
    let names: Vec<String> = files
        .iter()
        .map(|(n, _)| n.to_string())
        .filter(|n| n.ends_with("docker-compose.yml"))
        .collect();
    let projects: Vec<compose::Project> = compose::group_projects(&names, &[])
        .iter()
        .map(|g| compose::load(g, &reader))
        .collect();
    let objects = if manifests.is_empty() {
        Vec::new()
    } else {
        let s = vigie_parse::yaml::parse(manifests);
        let f: Arc<str> = Arc::from("k8s/traefik.yaml");
        vigie_parse::kubernetes::objects(&f, s.documents.into_iter().map(|d| d.root).collect())
            .into_iter()
            .filter(vigie_tls::kube::keep)
            .collect()
    };
    let found = scan_platform(&mem, &objects, &projects);
    let mut out = Vec::new();
    judge::judge(&found, &mut out, &mut Vec::new());
    out
}

fn find<'a>(vs: &'a [Verdict], check: &str, subject: &str) -> Vec<&'a Verdict> {
    vs.iter()
        .filter(|v| v.check == check && v.subject.contains(subject))
        .collect()
}

const COMPOSE: &str = r#"services:
  traefik:
    image: traefik:v3.1
    ports: ["443:8443", "80:8080"]
    volumes:
      - ./traefik/traefik.yml:/etc/traefik/traefik.yml:ro
      - ./traefik/dynamic:/etc/traefik/dynamic:ro
  app:
    image: x/app
    labels:
      - traefik.http.routers.app.rule=Host(`app.example`)
      - traefik.http.routers.app.entrypoints=websecure
      - traefik.http.routers.app.tls.options=modern@file
  partner:
    image: x/partner
    labels:
      - traefik.http.routers.partner.entrypoints=websecure
      - traefik.http.routers.partner.tls.options=legacy@file
  typo:
    image: x/typo
    labels:
      - traefik.http.routers.typo.entrypoints=websecure
      - traefik.http.routers.typo.tls.options=modern
  status:
    image: x/status
    labels:
      - traefik.http.routers.status.entrypoints=web
  docs:
    image: x/docs
    labels:
      - traefik.http.routers.docs.entrypoints=web
      - traefik.http.routers.docs.middlewares=to-https@docker
      - traefik.http.middlewares.to-https.redirectscheme.scheme=https
      - traefik.http.middlewares.to-https.redirectscheme.permanent=true
"#;

const STATIC: &str =
    "entryPoints:\n  web:\n    address: \":8080\"\n  websecure:\n    address: \":8443\"\n";

const DYNAMIC: &str = "tls:\n  options:\n    modern:\n      minVersion: VersionTLS12\n      cipherSuites:\n        - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n    legacy:\n      minVersion: VersionTLS10\n      cipherSuites:\n        - TLS_RSA_WITH_AES_128_CBC_SHA\n";

fn compose_verdicts() -> Vec<Verdict> {
    run(
        &[
            ("docker-compose.yml", COMPOSE),
            ("traefik/traefik.yml", STATIC),
            ("traefik/dynamic/options.yml", DYNAMIC),
        ],
        "",
    )
}

#[test]
fn a_router_gets_the_option_it_names() {
    let vs = compose_verdicts();
    let app = find(&vs, "CRY-01", "router app (TLS option modern@file)");
    assert_eq!(app.len(), 1, "{vs:#?}");
    assert_eq!(app[0].outcome, Outcome::Pass);
    let partner = find(&vs, "CRY-01", "router partner");
    assert_eq!(partner[0].outcome, Outcome::Fail);
    // the option's line, with the label that chose it beside
    assert_eq!(
        partner[0].location.path.as_ref(),
        "traefik/dynamic/options.yml"
    );
    assert_eq!(partner[0].location.line, 8);
    assert!(
        partner[0]
            .related()
            .iter()
            .any(|l| l.path.as_ref() == "docker-compose.yml" && l.line == 18),
        "{:?}",
        partner[0].related()
    );
    let p2 = find(&vs, "CRY-02", "router partner");
    assert_eq!(p2[0].outcome, Outcome::Fail);
}

#[test]
fn an_option_without_provider_from_a_label_is_missing() {
    let vs = compose_verdicts();
    let typo = find(&vs, "CRY-01", "router typo");
    assert_eq!(typo.len(), 1, "{vs:#?}");
    assert_eq!(typo[0].outcome, Outcome::Fail);
    assert_eq!(typo[0].location.line, 23);
    assert!(
        typo[0].message.contains("modern@file"),
        "{}",
        typo[0].message
    );
}

#[test]
fn plain_routers_and_redirect_middlewares() {
    let vs = compose_verdicts();
    let status = find(&vs, "CRY-03.1", "router status");
    assert_eq!(status[0].outcome, Outcome::Fail);
    assert_eq!(status[0].location.line, 27);
    let docs = find(&vs, "CRY-03.1", "router docs");
    assert_eq!(docs[0].outcome, Outcome::Pass, "{docs:#?}");
    // the static file was read from the mount: the entry point `web` itself does not redirect
    let web = find(&vs, "CRY-03.1", "entryPoints.web");
    assert_eq!(web[0].outcome, Outcome::Fail);
}

#[test]
fn flags_are_ignored_when_a_static_file_is_mounted() {
    // Traefik reads one static source: the file wins over the command line.
    let compose = COMPOSE.replace(
        "    image: traefik:v3.1\n",
        "    image: traefik:v3.1\n    command: [\"--entrypoints.web.address=:8080\", \"--entrypoints.web.http.redirections.entrypoint.to=websecure\"]\n",
    );
    let vs = run(
        &[
            ("docker-compose.yml", &compose),
            ("traefik/traefik.yml", STATIC),
            ("traefik/dynamic/options.yml", DYNAMIC),
        ],
        "",
    );
    assert!(find(&vs, "CRY-03.1", "Traefik flags").is_empty());
    assert_eq!(
        find(&vs, "CRY-03.1", "router status")[0].outcome,
        Outcome::Fail
    );
    // without the file, the flags' redirect serves the plain router
    let no_file = compose.replace(
        "      - ./traefik/traefik.yml:/etc/traefik/traefik.yml:ro\n",
        "",
    );
    let vs = run(
        &[
            ("docker-compose.yml", &no_file),
            ("traefik/dynamic/options.yml", DYNAMIC),
        ],
        "",
    );
    assert!(find(&vs, "CRY-03.1", "router status").is_empty(), "{vs:#?}");
}

const KUBE: &str = r#"apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata:
  name: old
  namespace: edge
spec:
  minVersion: VersionTLS11
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: shop
  namespace: edge
spec:
  entryPoints: [websecure]
  routes:
    - match: Host(`shop.example`)
      kind: Rule
      services:
        - name: shop
          port: 80
  tls:
    secretName: shop-tls
    options:
      name: old
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: blog
  namespace: edge
spec:
  entryPoints: [websecure]
  routes:
    - match: Host(`blog.example`)
      kind: Rule
      services:
        - name: blog
          port: 80
  tls:
    options:
      name: strict
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: wiki
  namespace: edge
  annotations:
    traefik.ingress.kubernetes.io/router.entrypoints: web
spec:
  ingressClassName: traefik
  rules:
    - host: wiki.example
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: wiki, port: {number: 80}}
"#;

#[test]
fn kubernetes_routers() {
    let vs = run(&[], KUBE);
    let shop = find(&vs, "CRY-01", "IngressRoute/edge/shop");
    assert_eq!(shop.len(), 1, "{vs:#?}");
    assert_eq!(shop[0].outcome, Outcome::Fail);
    assert!(shop[0].message.contains("TLSv1.1"), "{}", shop[0].message);
    let blog = find(&vs, "CRY-01", "IngressRoute/edge/blog");
    assert_eq!(blog[0].outcome, Outcome::Fail);
    assert!(
        blog[0].message.contains("edge-strict@kubernetescrd"),
        "{}",
        blog[0].message
    );
    assert_eq!(blog[0].location.line, 41);
    let wiki = find(&vs, "CRY-03.1", "Ingress/edge/wiki");
    assert_eq!(wiki[0].outcome, Outcome::Fail, "{wiki:#?}");
    // a Traefik Ingress is not judged as ingress-nginx
    assert!(find(&vs, "CRY-01", "ingress-nginx").is_empty(), "{vs:#?}");
}
