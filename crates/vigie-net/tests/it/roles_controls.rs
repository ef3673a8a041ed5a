//! Role inference, `[roles]` precedence and conflicts, and the NET verdicts.

use crate::common;
use common::*;
use vigie_net::{DeclaredRoles, Graph, judge};

const STACK: &str = "services:\n  proxy: {image: nginx:1.27, ports: [\"443:443\"], networks: [edge]}\n  api: {image: x/api, networks: [edge, data]}\n  worker: {image: x/worker, networks: [data]}\n  ledger: {image: x/ledger, networks: [data]}\n  cache: {build: ., expose: [\"6379\"], networks: [data]}\n  db: {image: postgres:16, networks: [data]}\n  migrate: {image: x/m}\nnetworks:\n  edge: {}\n  data: {internal: true}\n";

#[test]
fn roles_are_inferred_from_images_ports_and_names() {
    let g = compose_graph(STACK);
    let w = |n: &str| &g.workloads[id(&g, n)];
    assert!(w("db").role.database);
    assert!(w("db").role_source.as_deref().unwrap().contains("postgres"));
    assert!(w("cache").role.database, "by port 6379");
    assert!(w("cache").role_source.as_deref().unwrap().contains("6379"));
    assert!(w("proxy").role.proxy && w("proxy").role.entrypoint);
    assert!(w("api").role.api);
    assert!(!w("worker").role.api && !w("worker").role.database);
}

/// A proxy built from the repository (`FROM envoyproxy/envoy` plus its configuration) is
/// still a reverse proxy: the entry point the repository publishes.
#[test]
fn a_service_built_from_a_proxy_image_is_a_proxy() {
    let compose = "services:\n  edge:\n    build:\n      context: ./\n      dockerfile: ./src/edge/Dockerfile\n    ports: [\"8080:8080\"]\n  app:\n    build: ./src/app\n  spa:\n    build: ./src/spa\n";
    let files = [
        ("docker-compose.yml", compose),
        (
            "src/edge/Dockerfile",
            "FROM envoyproxy/envoy:v1.39.0 AS base\nFROM base\nCOPY envoy.yaml /etc/envoy/\n",
        ),
        ("src/app/Dockerfile", "FROM node:22\nCOPY . .\n"),
        (
            "src/spa/Dockerfile",
            "FROM node:22 AS build\nRUN npm run build\nFROM nginxinc/nginx-unprivileged:1.27\nCOPY --from=build /dist /usr/share/nginx/html\n",
        ),
    ];
    let ps = projects(&files);
    let mounts = vigie_tls::MemFiles::new(&files);
    let g = vigie_net::build_with_files(&ps, &[], &[], &DeclaredRoles::default(), &mounts);
    let w = |n: &str| &g.workloads[id(&g, n)];
    assert_eq!(
        w("edge").runs[0].built_from.as_deref(),
        Some("envoyproxy/envoy:v1.39.0")
    );
    assert!(w("edge").role.proxy && w("edge").role.entrypoint);
    assert!(!w("app").role.proxy);
    // a build on nginx most often serves the files it built: not taken as a proxy
    assert!(!w("spa").role.proxy);
}

#[test]
fn a_job_running_a_database_image_is_a_client() {
    let g = k8s_graph(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: backup}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: b, image: postgres:16}]\n",
    );
    assert!(!g.workloads[0].role.database);
}

/// A database image is a database only when it runs the server: a pod told to `sleep`, a
/// `psql` or `redis-cli` client, a shell loop, or an init container waiting for the database
/// are clients. Flags for the image's entrypoint, the server's own program, an entrypoint
/// script or a shell that starts the server keep the database role.
#[test]
fn a_database_image_running_a_client_command_is_not_a_database() {
    let pod = |name: &str, container: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers:\n    - {container}\n---\n"
        )
    };
    let text = [
        pod("sleeper", "{name: c, image: 'redis:7', command: [sleep, '3600']}"),
        pod("args-sleep", "{name: c, image: 'postgres:16', args: [sleep, infinity]}"),
        pod("psql", "{name: c, image: 'postgres:16', command: [psql, '-h', db]}"),
        pod("loop", "{name: c, image: 'mysql:8', command: ['/bin/sh', '-c'], args: ['while true; do sleep 30; done']}"),
        pod("cli", "{name: c, image: 'redis:7', command: ['redis-cli', '-h', redis, ping]}"),
        pod("cockroach-sql", "{name: c, image: 'cockroachdb/cockroach:v24.1.0', command: [cockroach, sql, '--insecure']}"),
        pod("flags", "{name: c, image: 'redis:7', args: ['--appendonly', 'yes']}"),
        pod("server", "{name: c, image: 'redis:7', command: [redis-server, '/etc/redis.conf']}"),
        pod("shell-server", "{name: c, image: 'valkey/valkey:8', command: [sh, '-c', 'exec valkey-server --port 6380']}"),
        pod("entrypoint", "{name: c, image: 'postgres:16', command: [docker-entrypoint.sh], args: [postgres, '-c', 'max_connections=200']}"),
        pod("default", "{name: c, image: 'mongo:7'}"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: waits}\nspec:\n  initContainers:\n    - {name: w, image: 'postgres:16', command: [pg_isready, '-h', db]}\n  containers:\n    - {name: app, image: 'x/app:1'}\n".to_string(),
    ]
    .concat();
    let g = k8s_graph(&text);
    let db = |n: &str| g.workloads[id(&g, n)].role.database;
    for client in [
        "sleeper",
        "args-sleep",
        "psql",
        "loop",
        "cli",
        "cockroach-sql",
        "waits",
    ] {
        assert!(!db(client), "{client} is a client");
    }
    for server in ["flags", "server", "shell-server", "entrypoint", "default"] {
        assert!(db(server), "{server} is a database");
    }
    // Compose: `command` replaces the arguments, `entrypoint` the program
    let g = compose_graph(
        "services:\n  db: {image: postgres:16}\n  shell: {image: postgres:16, command: sleep infinity}\n  dump: {image: postgres:16, entrypoint: [pg_dump, '-h', db]}\n",
    );
    assert!(g.workloads[id(&g, "db")].role.database);
    assert!(!g.workloads[id(&g, "shell")].role.database);
    assert!(!g.workloads[id(&g, "dump")].role.database);
}

#[test]
fn declared_roles_win_over_inference() {
    let ps = projects(&[("docker-compose.yml", STACK)]);
    let roles = roles(
        "[roles]\napi = [\"worker\"]\ndatabase = [\"ledger\"]\nentrypoints = [\"proxy\"]\ndatabase_clients = [\"migrate\"]\n",
    );
    let g = vigie_net::build(&ps, &[], &roles);
    let w = |n: &str| &g.workloads[id(&g, n)];
    assert!(w("worker").role.api);
    assert!(
        !w("api").role.api,
        "a declared API list replaces the inference by name"
    );
    assert!(w("ledger").role.database);
    assert!(w("migrate").role.db_client);
    assert_eq!(
        w("worker").role_source.as_deref(),
        Some("vigie.toml [roles] api")
    );
    // now api is not allowed to reach db
    let j = judge(&g);
    let v = verdict(&j, "NET-02.1", "services.db");
    assert!(v.is_fail());
    assert!(v.message.contains("api (app)"), "{}", v.message);
    assert!(!v.message.contains("worker"), "{}", v.message);
}

#[test]
fn conflicting_and_dangling_declarations_are_diagnosed() {
    let ps = projects(&[("docker-compose.yml", STACK)]);
    let mut d = Vec::new();
    let roles = DeclaredRoles::parse(
        "vigie.toml",
        "[roles]\napi = [\"api\", \"db\"]\ndatabase = [\"db\"]\nentrypoints = [\"nowhere\"]\nfrontend = [\"x\"]\n",
        &mut d,
    );
    assert!(
        d.iter()
            .any(|x| x.message.contains("unknown role `frontend`") && x.location.line == 5),
        "{d:?}"
    );
    let g = vigie_net::build(&ps, &[], &roles);
    let msgs = diags(&g);
    assert!(
        msgs.iter()
            .any(|m| m.contains("both a database and api") && m.starts_with("vigie.toml:2:")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("`nowhere`") && m.starts_with("vigie.toml:4:")),
        "{msgs:?}"
    );
    assert!(g.workloads[id(&g, "db")].role.database);
}

#[test]
fn bad_roles_value_is_a_diagnostic() {
    let mut d = Vec::new();
    DeclaredRoles::parse("vigie.toml", "[roles]\napi = 3\n", &mut d);
    assert!(d[0].message.contains("expected a list"), "{d:?}");
    let mut d = Vec::new();
    DeclaredRoles::parse("vigie.toml", "[roles\n", &mut d);
    assert_eq!(d.len(), 1);
}

#[test]
fn net_verdicts_on_a_hardened_stack() {
    let g = compose_graph(STACK);
    let j = judge(&g);
    let v = verdict(&j, "NET-01.1", "services.db");
    assert!(v.is_pass(), "{}", v.message);
    let v = verdict(&j, "NET-02.1", "services.db");
    // worker, ledger, cache and migrate? migrate is on the default network, not data
    assert!(v.is_fail());
    assert!(
        v.message.contains("worker") && v.message.contains("ledger"),
        "{}",
        v.message
    );
    assert!(!v.message.contains("migrate"), "{}", v.message);
    assert!(v.message.contains("network project/data"), "{}", v.message);
    let v = verdict(&j, "NET-02.2", "services.db");
    assert!(v.is_pass());
    assert_eq!(v.location.line, 11, "the internal network is the evidence");
    let v = verdict(&j, "NET-03.1", "services.proxy");
    assert!(v.is_pass());
    let v = verdict(&j, "NET-03.2", "services.proxy");
    assert!(v.is_pass());
    // an evidence table per database
    let t = j
        .tables
        .iter()
        .find(|t| t.title.contains("database db"))
        .unwrap();
    assert_eq!(t.control, "NET-02");
    assert!(t.rows.iter().any(|r| r[0] == "api" && r[4] == "yes"));
    assert!(t.rows.iter().any(|r| r[0] == "worker" && r[4] == "no"));
}

#[test]
fn net_verdicts_on_an_open_stack() {
    let g = compose_graph(
        "services:\n  api: {image: x/api, ports: [\"3000:3000\"]}\n  db: {image: mysql:8, ports: [\"3306:3306\"]}\n  mon: {image: x/mon, network_mode: host}\n",
    );
    let j = judge(&g);
    let v = verdict(&j, "NET-01.1", "services.db");
    assert!(
        v.is_fail() && v.message.contains("3306:3306"),
        "{}",
        v.message
    );
    assert_eq!(v.location.line, 3);
    let v = verdict(&j, "NET-02.1", "services.db");
    assert!(v.is_fail());
    assert!(
        v.message.contains("the outside world") && v.message.contains("mon"),
        "{}",
        v.message
    );
    let v = verdict(&j, "NET-02.2", "services.db");
    assert!(
        v.is_fail() && v.message.contains("project/default"),
        "{}",
        v.message
    );
    let v = verdict(&j, "NET-03.1", "services.api");
    assert!(v.is_fail());
    let v = verdict(&j, "NET-03.2", "services.api");
    assert!(v.is_fail());
    // an application or a database that is no entry point: publishing it is the gap first
    assert!(
        v.fix().is_some_and(|f| f.starts_with("do not publish it")),
        "{:?}",
        v.fix()
    );
    let v = verdict(&j, "NET-03.2", "services.db");
    assert!(
        v.fix()
            .is_some_and(|f| f.starts_with("do not publish the database")),
        "{:?}",
        v.fix()
    );
    assert!(
        j.verdicts.iter().any(|(_, v)| v.check == "NET-03.1"
            && v.subject.ends_with("services.mon")
            && v.is_fail())
    );
}

#[test]
fn net04_default_deny_per_namespace() {
    let deploy = |ns: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: {ns}}}\nspec:\n  containers: [{{name: c, image: x/p}}]\n---\n"
        )
    };
    let s = deploy("a")
        + &deploy("b")
        + &deploy("c")
        + "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: a}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n---\n"
        + "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-in, namespace: b}\nspec:\n  podSelector: {}\n---\n"
        + "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: not-deny, namespace: c}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  ingress: [{}]\n  egress: [{}]\n";
    let g = k8s_graph(&s);
    let j = judge(&g);
    assert!(verdict(&j, "NET-04.1", "Namespace/a").is_pass());
    let b = verdict(&j, "NET-04.1", "Namespace/b");
    assert!(
        b.is_fail() && b.message.contains("egress") && !b.message.contains("ingress or"),
        "{}",
        b.message
    );
    let c = verdict(&j, "NET-04.1", "Namespace/c");
    assert!(
        c.is_fail() && c.message.contains("ingress or egress"),
        "{}",
        c.message
    );
}

/// NET-04.1 on workloads that set no namespace: the namespace is the one the unit is applied
/// to, so the unit is judged (never `default` by name), and a default-deny policy the unit ships
/// counts there, whether it sets no namespace or names one.
#[test]
fn net04_judges_the_unit_when_it_names_no_namespace() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x/p}]\n---\n";
    let deny = |meta: &str| {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{{meta}}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n---\n"
        )
    };
    let applied = "Namespace (the one the unit is applied to)";
    // nothing: the unit fails, and the message names no namespace
    let j = judge(&k8s_graph(pod));
    let v = verdict(&j, "NET-04.1", applied);
    assert!(v.is_fail(), "{v:?}");
    assert!(
        v.message.contains("sets no namespace") && !v.message.contains("namespace default"),
        "{}",
        v.message
    );
    assert!(
        !j.verdicts
            .iter()
            .any(|(_, v)| v.subject.as_ref() == "Namespace/default"),
        "{:?}",
        j.verdicts
    );
    // its own policy without a namespace lands with the workloads: pass
    let j = judge(&k8s_graph(&(pod.to_string() + &deny("name: deny"))));
    assert!(verdict(&j, "NET-04.1", applied).is_pass());
    // its policy written for a namespace it names (where it is meant to be applied): pass
    let j = judge(&k8s_graph(
        &(pod.to_string() + &deny("name: deny, namespace: shop")),
    ));
    let v = verdict(&j, "NET-04.1", applied);
    assert!(v.is_pass() && v.message.contains("shop/deny"), "{v:?}");
    // a namespace the repository names is still judged by name
    let named = "apiVersion: v1\nkind: Pod\nmetadata: {name: q, namespace: default}\nspec:\n  containers: [{name: c, image: x/q}]\n---\n";
    let j = judge(&k8s_graph(named));
    assert!(verdict(&j, "NET-04.1", "Namespace/default").is_fail());
    let j = judge(&k8s_graph(
        &(named.to_string() + &deny("name: deny, namespace: shop")),
    ));
    assert!(
        verdict(&j, "NET-04.1", "Namespace/default").is_fail(),
        "a policy of another named namespace does not cover a named one"
    );
}

#[test]
fn check_doc_examples_fail_and_pass() {
    for doc in vigie_net::CHECKS {
        for (example, want_fail) in [(doc.failing, true), (doc.passing, false)] {
            let (path, text) = example;
            let g = if path.ends_with(".yaml") {
                vigie_net::build(&[], &objects(path, text), &DeclaredRoles::default())
            } else {
                vigie_net::build(&projects(&[(path, text)]), &[], &DeclaredRoles::default())
            };
            let j = judge(&g);
            let mine: Vec<&vigie_core::Verdict> = j
                .verdicts
                .iter()
                .map(|(_, v)| v)
                .filter(|v| v.check == doc.id)
                .collect();
            assert!(
                !mine.is_empty(),
                "{}: no verdict on its {} example",
                doc.id,
                if want_fail { "failing" } else { "passing" }
            );
            assert_eq!(
                mine.iter().any(|v| v.is_fail()),
                want_fail,
                "{}: {:?}",
                doc.id,
                mine.iter()
                    .map(|v| v.message.to_string())
                    .collect::<Vec<_>>()
            );
        }
    }
}

/// The checks read only the flows into databases: the graph they build leaves out the others
/// (a namespace without policies would otherwise give every pair of pods), and keeps every
/// flow into a database, whether its role comes from the image or from `[roles]`.
#[test]
fn checks_build_only_the_flows_into_databases() {
    let k8s = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx:1.27, ports: [{containerPort: 8080}]}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: api, image: shop/api:1, ports: [{containerPort: 9000}]}]\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers: [{name: db, image: postgres:17, ports: [{containerPort: 5432}]}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ledger, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: ledger}}\n    spec:\n      containers: [{name: ledger, image: shop/ledger:1, ports: [{containerPort: 7000}]}]\n";
    let compose = "services:\n  front:\n    image: shop/front:1\n    ports: [\"8080:8080\"]\n  cache:\n    image: redis:7\n  worker:\n    image: shop/worker:1\n";
    let objects = objects("k8s.yaml", k8s);
    let ps = projects(&[("docker-compose.yml", compose)]);
    let declared = roles("[roles]\ndatabase = [\"ledger\"]\n");
    let all = vigie_net::build(&ps, &objects, &declared);
    let checks = vigie_net::build_for_checks(
        &ps,
        &objects,
        &vigie_net::pods_of(&objects).iter().collect::<Vec<_>>(),
        &declared,
        &vigie_tls::MemFiles::new(&[]),
    );
    let name = |g: &Graph, w: usize| g.workloads[w].name.clone();
    let into = |g: &Graph| -> std::collections::BTreeSet<String> {
        g.flows.iter().map(|f| name(g, f.to)).collect()
    };
    assert!(into(&all).contains("web") && into(&all).contains("front"));
    assert_eq!(
        into(&checks),
        ["cache", "db", "ledger"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    let pairs = |g: &Graph, to: &str| -> Vec<String> {
        let mut v: Vec<String> = g
            .flows
            .iter()
            .filter(|f| name(g, f.to) == to)
            .map(|f| name(g, f.from))
            .collect();
        v.sort();
        v
    };
    for db in ["db", "ledger", "cache"] {
        assert_eq!(pairs(&all, db), pairs(&checks, db), "flows into {db}");
    }
}
