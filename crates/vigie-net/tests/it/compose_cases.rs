//! One case per Compose networking rule: a small file and the reachability expected.

use crate::common;
use common::*;
use vigie_net::DeclaredRoles;
use vigie_net::model::ExposureKind;

#[test]
fn services_without_networks_share_the_default_network() {
    let g = compose_graph(
        "services:\n  a:\n    image: x/a\n  b:\n    image: x/b\n    expose: [\"8080\", \"9000-9001/udp\"]\n",
    );
    assert_eq!(
        reach(&g, "a", "b").as_deref(),
        Some("8080/tcp, 9000-9001/udp")
    );
    // no port known: every port
    assert_eq!(reach(&g, "b", "a").as_deref(), Some("any port"));
    let f = &g.flows[0];
    assert!(f.through.text.contains("/default"), "{}", f.through.text);
}

#[test]
fn separate_networks_isolate_and_a_member_of_both_reaches_both() {
    let g = compose_graph(
        "services:\n  a: {image: x/a, networks: [front]}\n  b: {image: x/b, networks: [back]}\n  c: {image: x/c, networks: [front, back]}\nnetworks:\n  front: {}\n  back: {}\n",
    );
    assert_eq!(reach(&g, "a", "b"), None);
    assert_eq!(reach(&g, "b", "a"), None);
    assert!(reach(&g, "c", "a").is_some() && reach(&g, "c", "b").is_some());
    assert!(reach(&g, "a", "c").is_some() && reach(&g, "b", "c").is_some());
}

#[test]
fn default_network_can_be_configured_and_joined_explicitly() {
    let g = compose_graph(
        "services:\n  a: {image: x/a}\n  b: {image: x/b, networks: [default, other]}\n  c: {image: x/c, networks: [other]}\nnetworks:\n  default: {internal: true}\n  other: {}\n",
    );
    assert!(reach(&g, "a", "b").is_some());
    assert_eq!(reach(&g, "a", "c"), None);
    let a = id(&g, "a");
    assert!(g.groups[g.workloads[a].home].internal());
}

#[test]
fn internal_network_has_no_way_out_and_no_host_access() {
    let g = compose_graph(
        "services:\n  api: {image: x/api, networks: [data, edge]}\n  db: {image: postgres:16, networks: [data]}\n  web: {image: x/web, networks: [edge], ports: [\"8080:8080\"]}\nnetworks:\n  data: {internal: true}\n  edge: {}\n",
    );
    let egress: Vec<&str> = g
        .egress_outside
        .iter()
        .map(|(w, _)| g.workloads[*w].name.as_str())
        .collect();
    assert!(egress.contains(&"api") && egress.contains(&"web"));
    assert!(!egress.contains(&"db"), "{egress:?}");
    // the published port of web is reachable from api (on edge), not from db (internal only)
    assert!(reach(&g, "api", "web").is_some());
    assert_eq!(reach(&g, "db", "web"), None);
}

#[test]
fn external_networks_connect_projects() {
    let ps = projects(&[
        (
            "a/docker-compose.yml",
            "services:\n  api: {image: x/api, networks: [shared]}\nnetworks:\n  shared: {external: true, name: platform}\n",
        ),
        (
            "b/docker-compose.yml",
            "services:\n  db: {image: postgres:16, networks: [shared, own]}\nnetworks:\n  shared: {external: true, name: platform}\n  own: {}\n",
        ),
        (
            "c/docker-compose.yml",
            "services:\n  other: {image: x/o, networks: [own]}\nnetworks:\n  own: {}\n",
        ),
    ]);
    let g = vigie_net::build(&ps, &[], &DeclaredRoles::default());
    assert_eq!(reach(&g, "api", "db").as_deref(), Some("any port"));
    // same key `own` in two projects: two different networks
    assert_eq!(reach(&g, "other", "db"), None);
    let f = g
        .flows
        .iter()
        .find(|f| g.workloads[f.to].name == "db")
        .unwrap();
    assert!(
        f.through.text.contains("external:platform"),
        "{}",
        f.through.text
    );
}

#[test]
fn aliases_are_kept() {
    let g = compose_graph(
        "services:\n  db:\n    image: postgres:16\n    networks:\n      data:\n        aliases: [database, pg]\nnetworks:\n  data: {}\n",
    );
    let db = &g.workloads[id(&g, "db")];
    assert_eq!(
        db.networks[0].1,
        vec!["database".to_string(), "pg".to_string()]
    );
}

#[test]
fn network_mode_host_is_exposed_reaches_the_host_and_is_reached_from_containers() {
    let g = compose_graph(
        "services:\n  mon: {image: x/mon, network_mode: host}\n  cad: {image: x/cad, ports: [\"127.0.0.1:8081:8080\"], networks: [internal_only]}\n  app: {image: x/app, ports: [\"9000:9000\"]}\n  isolated: {image: x/i, networks: [internal_only]}\nnetworks:\n  internal_only: {internal: true}\n",
    );
    assert_eq!(exposed(&g, "mon"), vec![ExposureKind::HostNetwork]);
    // loopback binding: only the host network reaches it
    assert!(reach(&g, "mon", "cad").is_some());
    assert_eq!(reach(&g, "app", "cad"), None);
    assert!(reach(&g, "mon", "app").is_some());
    // containers on a non-internal network reach the host's interfaces
    assert!(reach(&g, "app", "mon").is_some());
    assert_eq!(reach(&g, "isolated", "mon"), None);
    assert!(exposed(&g, "cad").is_empty());
}

#[test]
fn network_mode_service_shares_the_namespace() {
    let g = compose_graph(
        "services:\n  vpn: {image: x/vpn, networks: [a]}\n  app: {image: x/app, network_mode: \"service:vpn\"}\n  peer: {image: x/p, networks: [a]}\n  far: {image: x/f, networks: [b]}\nnetworks:\n  a: {}\n  b: {}\n",
    );
    assert!(reach(&g, "peer", "app").is_some());
    assert!(reach(&g, "app", "vpn").is_some());
    assert_eq!(reach(&g, "far", "app"), None);
}

#[test]
fn network_mode_none_and_bridge() {
    let g = compose_graph(
        "services:\n  lone: {image: x/l, network_mode: none}\n  b1: {image: x/b1, network_mode: bridge}\n  b2: {image: x/b2, network_mode: bridge}\n  d: {image: x/d}\n",
    );
    assert!(
        g.flows
            .iter()
            .all(|f| f.from != id(&g, "lone") && f.to != id(&g, "lone"))
    );
    assert!(reach(&g, "b1", "b2").unwrap().contains("any"));
    let f = g
        .flows
        .iter()
        .find(|f| f.from == id(&g, "b1") && f.to == id(&g, "b2"))
        .unwrap();
    assert!(f.through.text.contains("engine default bridge"));
    assert_eq!(reach(&g, "d", "b1"), None);
    assert!(g.egress_outside.iter().any(|(w, _)| *w == id(&g, "b1")));
    assert!(!g.egress_outside.iter().any(|(w, _)| *w == id(&g, "lone")));
}

#[test]
fn ports_short_and_long_syntax() {
    let g = compose_graph(
        "services:\n  a:\n    image: x/a\n    ports:\n      - \"5432:5432\"\n      - \"0.0.0.0:6000:6000\"\n      - \"127.0.0.1:7000:7000\"\n      - \"[::1]:7001:7001\"\n      - \"8000-8002:9000-9002/udp\"\n      - 3000\n      - target: 80\n        published: \"8080\"\n        host_ip: 127.0.0.1\n      - target: 443\n        published: 8443\n        protocol: tcp\n",
    );
    let a = id(&g, "a");
    let via: Vec<String> = g
        .exposures
        .iter()
        .filter(|e| e.target == a)
        .map(|e| format!("{} {}", e.via, e.ports))
        .collect();
    assert_eq!(
        via,
        vec![
            "ports 5432:5432 5432/tcp",
            "ports 0.0.0.0:6000:6000 6000/tcp",
            "ports 8000-8002:9000-9002/udp 8000-8002/udp",
            "ports 3000 any port",
            "ports 8443:443 8443/tcp",
        ]
    );
    let lo: Vec<&str> = g.loopback.iter().map(|l| l.via.as_str()).collect();
    assert_eq!(
        lo,
        vec![
            "ports 127.0.0.1:7000:7000",
            "ports [::1]:7001:7001",
            "ports 127.0.0.1:8080:80"
        ]
    );
    // the container side is what the service listens on
    let listen = g.workloads[a].listen_ports().to_string();
    assert!(
        listen.contains("5432/tcp") && listen.contains("9000-9002/udp"),
        "{listen}"
    );
}

#[test]
fn bad_ports_are_diagnosed_and_the_rest_is_read() {
    let g =
        compose_graph("services:\n  a:\n    image: x/a\n    ports: [\"80:http\", \"443:443\"]\n");
    let d = diags(&g);
    assert!(
        d.iter()
            .any(|m| m.starts_with("docker-compose.yml:4:") && m.contains("80:http")),
        "{d:?}"
    );
    assert_eq!(g.exposures.len(), 1);
}

#[test]
fn links_and_depends_on_open_nothing_and_undefined_targets_are_diagnosed() {
    let g = compose_graph(
        "services:\n  a: {image: x/a, networks: [n1], depends_on: [b, ghost], links: [\"b:bee\", \"nobody\"]}\n  b: {image: x/b, networks: [n2]}\nnetworks:\n  n1: {}\n  n2: {}\n",
    );
    assert_eq!(reach(&g, "a", "b"), None);
    let d = diags(&g);
    assert!(
        d.iter().any(|m| m.contains("depends_on names `ghost`")),
        "{d:?}"
    );
    assert!(
        d.iter().any(|m| m.contains("links names `nobody`")),
        "{d:?}"
    );
    assert!(d.iter().any(|m| m.contains("share no network")), "{d:?}");
}

#[test]
fn undefined_network_is_diagnosed_with_its_location() {
    let g = compose_graph(
        "services:\n  a:\n    image: x/a\n    networks: [ghost]\n  b: {image: x/b}\n",
    );
    let d = diags(&g);
    assert!(
        d.iter()
            .any(|m| m.starts_with("docker-compose.yml:4:") && m.contains("`ghost`")),
        "{d:?}"
    );
    assert_eq!(reach(&g, "a", "b"), None);
}

#[test]
fn network_mode_service_to_a_missing_service_is_diagnosed() {
    let g = compose_graph("services:\n  a:\n    image: x/a\n    network_mode: \"service:ghost\"\n");
    assert!(diags(&g).iter().any(|m| m.contains("service:ghost")));
}

#[test]
fn traefik_labels_expose_through_the_proxy() {
    let g = compose_graph(
        "services:\n  traefik: {image: traefik:v3.1, ports: [\"443:443\", \"80:80\"]}\n  app:\n    image: x/app\n    labels:\n      - traefik.http.routers.app.rule=Host(`a.example`)\n      - traefik.http.routers.app.entrypoints=websecure\n  plain:\n    image: x/plain\n    labels:\n      traefik.http.routers.p.entrypoints: web\n",
    );
    let app = g
        .exposures
        .iter()
        .find(|e| e.target == id(&g, "app"))
        .unwrap();
    assert_eq!(app.kind, ExposureKind::ProxyRoute);
    assert!(app.tls.ok());
    let plain = g
        .exposures
        .iter()
        .find(|e| e.target == id(&g, "plain"))
        .unwrap();
    assert!(!plain.tls.ok());
    // port 80 beside 443 on the proxy is the redirect
    let t80 = g
        .exposures
        .iter()
        .find(|e| e.target == id(&g, "traefik") && e.via.contains("80:80"))
        .unwrap();
    assert!(matches!(t80.tls, vigie_net::model::Tls::Redirect(_)));
}

#[test]
fn traefik_routes_follow_the_mounted_static_configuration() {
    // Entry points named neither `web` nor `websecure`: only the mounted file says which has TLS
    // and which redirects.
    let compose = "services:\n  traefik:\n    image: traefik:v3.1\n    ports: [\"443:8443\", \"80:8080\"]\n    volumes: [\"./traefik.yml:/etc/traefik/traefik.yml:ro\"]\n  app:\n    image: x/app\n    labels:\n      - traefik.http.routers.app.entrypoints=edge\n  old:\n    image: x/old\n    labels:\n      - traefik.http.routers.old.entrypoints=front\n  raw:\n    image: x/raw\n    labels:\n      - traefik.http.routers.raw.entrypoints=metrics\n";
    let traefik = "entryPoints:\n  front:\n    address: \":8080\"\n    http:\n      redirections:\n        entryPoint: {to: edge, scheme: https}\n  edge:\n    address: \":8443\"\n    http:\n      tls: {}\n  metrics:\n    address: \":9100\"\n";
    let files = [("docker-compose.yml", compose), ("traefik.yml", traefik)];
    let ps = projects(&files);
    let mounts = vigie_tls::MemFiles::new(&files);
    let g = vigie_net::build_with_files(&ps, &[], &[], &DeclaredRoles::default(), &mounts);
    let route = |name: &str| {
        g.exposures
            .iter()
            .find(|e| e.target == id(&g, name) && e.kind == ExposureKind::ProxyRoute)
            .unwrap()
            .tls
            .clone()
    };
    assert!(
        matches!(route("app"), vigie_net::model::Tls::Yes(_)),
        "{:?}",
        route("app")
    );
    assert!(
        matches!(route("old"), vigie_net::model::Tls::Redirect(_)),
        "{:?}",
        route("old")
    );
    assert!(
        matches!(route("raw"), vigie_net::model::Tls::No(_)),
        "{:?}",
        route("raw")
    );
    // without the file, `edge` is not a TLS name
    let g = vigie_net::build(&ps, &[], &DeclaredRoles::default());
    let app = g
        .exposures
        .iter()
        .find(|e| e.target == id(&g, "app") && e.kind == ExposureKind::ProxyRoute)
        .unwrap();
    assert!(!app.tls.ok());
}

#[test]
fn traefik_published_ports_are_judged_by_their_entry_point() {
    let compose = "services:\n  traefik:\n    image: traefik:v3.1\n    ports: [\"443:8443\", \"80:8080\"]\n    volumes: [\"./traefik.yml:/etc/traefik/traefik.yml:ro\"]\n";
    let port = |traefik: &str| {
        let files = [("docker-compose.yml", compose), ("traefik.yml", traefik)];
        let g = vigie_net::build_with_files(
            &projects(&files),
            &[],
            &[],
            &DeclaredRoles::default(),
            &vigie_tls::MemFiles::new(&files),
        );
        g.exposures
            .iter()
            .find(|e| e.via.contains("80:8080"))
            .unwrap()
            .tls
            .clone()
    };
    // port 80 beside 443 would pass as the redirect by itself; the entry point says it is not one
    let plain = port(
        "entryPoints:\n  web: {address: \":8080\"}\n  websecure: {address: \":8443\", http: {tls: {}}}\n",
    );
    assert!(!plain.ok(), "{plain:?}");
    assert!(plain.reason().contains("`web`"), "{plain:?}");
    let redirect = port(
        "entryPoints:\n  web:\n    address: \":8080\"\n    http: {redirections: {entryPoint: {to: websecure}}}\n  websecure: {address: \":8443\", http: {tls: {}}}\n",
    );
    assert!(
        matches!(redirect, vigie_net::model::Tls::Redirect(_)),
        "{redirect:?}"
    );
}
