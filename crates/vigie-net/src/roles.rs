//! Roles: which workloads are databases, reverse proxies, the API and the entry points.
//!
//! Inferred from images and ports, and declared in `vigie.toml`:
//!
//! ```toml
//! [roles]
//! api = ["api", "worker"]          # may reach the databases
//! entrypoints = ["proxy"]          # may be exposed outside
//! database = ["ledger"]            # databases the image does not reveal
//! database_clients = ["pg-backup"] # may reach the databases too (backups, migrations)
//! proxy = ["edge"]                 # reverse proxies
//! ```
//!
//! A name is a Compose service or a Kubernetes workload (`name` or `namespace/name`).
//! Declarations win over inference. Message brokers (RabbitMQ, Kafka, NATS) are not databases
//! by default: they hold messages in transit, not the records; declare them under `database`
//! when they do.

use crate::model::{Graph, Role, Run};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use vigie_core::{DiagKind, Diagnostic, Location, SourceFile};

/// Image names (last path segment, without tag or digest) of database servers.
const DATABASE_IMAGES: &[&str] = &[
    "postgres",
    "postgresql",
    "postgis",
    "timescaledb",
    "timescaledb-ha",
    "mysql",
    "mysql-server",
    "mariadb",
    "percona",
    "percona-server",
    "mongo",
    "mongodb",
    "mongodb-community-server",
    "redis",
    "redis-stack",
    "redis-stack-server",
    "valkey",
    "keydb",
    "elasticsearch",
    "opensearch",
    "cassandra",
    "scylla",
    "couchdb",
    "clickhouse",
    "clickhouse-server",
    "influxdb",
    "neo4j",
    "memcached",
    "cockroach",
    "mssql-server",
    "oracle-database",
    "surrealdb",
    "arangodb",
    "dragonfly",
];

const PROXY_IMAGES: &[&str] = &[
    "nginx",
    "nginx-unprivileged",
    "openresty",
    "traefik",
    "caddy",
    "haproxy",
    "envoy",
    "ingress-nginx-controller",
    "controller", // registry.k8s.io/ingress-nginx/controller
];

/// Well-known database ports, used when the image says nothing.
const DATABASE_PORTS: &[(u16, &str)] = &[
    (5432, "PostgreSQL"),
    (3306, "MySQL/MariaDB"),
    (27017, "MongoDB"),
    (6379, "Redis"),
    (9200, "Elasticsearch/OpenSearch"),
    (9042, "Cassandra"),
    (5984, "CouchDB"),
    (8123, "ClickHouse"),
    (8086, "InfluxDB"),
    (7687, "Neo4j"),
    (11211, "memcached"),
    (26257, "CockroachDB"),
    (1433, "SQL Server"),
    (1521, "Oracle"),
];

/// The repository part of an image reference, last path segment, lower case.
pub fn image_base(image: &str) -> (String, String) {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    let name_tag = &no_digest[last_slash..];
    let name = name_tag.split(':').next().unwrap_or(name_tag);
    let repo = &no_digest[..last_slash];
    (name.to_ascii_lowercase(), repo.to_ascii_lowercase())
}

/// The database engine an image runs, if any: its image name.
pub fn database_engine(image: &str) -> Option<String> {
    let (name, repo) = image_base(image);
    if DATABASE_IMAGES.contains(&name.as_str()) {
        return Some(match name.as_str() {
            "postgresql" | "postgis" | "timescaledb" | "timescaledb-ha" => "postgres".into(),
            "mongodb" | "mongodb-community-server" => "mongo".into(),
            "mysql-server" | "percona" | "percona-server" => "mysql".into(),
            "redis-stack" | "redis-stack-server" => "redis".into(),
            "clickhouse-server" => "clickhouse".into(),
            n => n.to_string(),
        });
    }
    // bitnami/postgresql-repmgr and similar
    if repo.contains("bitnami") {
        for (n, engine) in [
            ("postgresql", "postgres"),
            ("mysql", "mysql"),
            ("mariadb", "mariadb"),
            ("mongodb", "mongo"),
            ("redis", "redis"),
            ("valkey", "valkey"),
        ] {
            if name.starts_with(n) && !name.contains("exporter") {
                return Some(engine.to_string());
            }
        }
    }
    None
}

/// Programs that connect to a database, wait, or do nothing: a container of a database image
/// that runs one of these is a client (a debugging pod, a backup, a benchmark), not the server.
const NOT_SERVERS: &[&str] = &[
    "sleep",
    "tail",
    "cat",
    "true",
    "pause",
    "echo",
    "watch",
    "curl",
    "wget",
    "psql",
    "pg_dump",
    "pg_dumpall",
    "pg_restore",
    "pg_isready",
    "pg_basebackup",
    "pgbench",
    "mysql",
    "mysqldump",
    "mysqladmin",
    "mysqlsh",
    "mysqlslap",
    "mysqlpump",
    "mysqlimport",
    "mariadb",
    "mariadb-dump",
    "mariadb-admin",
    "mongo",
    "mongosh",
    "mongodump",
    "mongorestore",
    "mongoimport",
    "mongoexport",
    "redis-cli",
    "redis-benchmark",
    "valkey-cli",
    "valkey-benchmark",
    "keydb-cli",
    "memtier_benchmark",
    "cqlsh",
    "cassandra-stress",
    "clickhouse-client",
    "clickhouse-benchmark",
    "influx",
    "cypher-shell",
];

/// Programs (or entrypoint scripts) that start a database server.
const SERVERS: &[&str] = &[
    "postgres",
    "postmaster",
    "pg_ctl",
    "pg_ctlcluster",
    "patroni",
    "mysqld",
    "mysqld_safe",
    "mariadbd",
    "mariadbd-safe",
    "mongod",
    "mongos",
    "redis-server",
    "redis-stack-server",
    "valkey-server",
    "keydb-server",
    "memcached",
    "elasticsearch",
    "opensearch",
    "cassandra",
    "couchdb",
    "clickhouse-server",
    "influxd",
    "neo4j",
    "dragonfly",
    "surreal",
    "arangod",
];

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh"];

fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// A word that starts a server: its program, an engine's multi-call binary in server mode
/// (`clickhouse server`, `cockroach start`), or an entrypoint or run script.
fn server_word(word: &str) -> bool {
    let b = base(word);
    SERVERS.contains(&b)
        || b.contains("entrypoint")
        || matches!(b, "run.sh" | "start.sh" | "startup.sh" | "launch.sh")
}

/// Whether the process a container starts with these words is the database server. `None`
/// when it cannot be told (an unknown program or script): the image's own process is assumed.
fn starts_server(words: &[String]) -> Option<bool> {
    let first = words.first()?;
    let b = base(first);
    if first.starts_with('-') {
        // flags for the image's own entrypoint (`--appendonly yes`)
        return Some(true);
    }
    if SHELLS.contains(&b) {
        let rest = &words[1..];
        if let Some(i) = rest.iter().position(|w| w == "-c") {
            // a script: the server if it starts one anywhere, else a client or a wait loop
            let script = rest[i + 1..].join(" ");
            return Some(
                script
                    .split(|c: char| {
                        c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '"' | '\'')
                    })
                    .any(server_word),
            );
        }
        // `bash /scripts/start.sh`: the script decides
        return starts_server(
            &rest
                .iter()
                .filter(|w| !w.starts_with('-'))
                .cloned()
                .collect::<Vec<_>>(),
        );
    }
    if matches!(b, "cockroach" | "clickhouse") {
        let sub = words.get(1).map(String::as_str).unwrap_or_default();
        return Some(matches!(sub, "start" | "start-single-node" | "server" | ""));
    }
    if server_word(first) {
        return Some(true);
    }
    if NOT_SERVERS.contains(&b) {
        return Some(false);
    }
    None
}

/// The database engine a container serves: its image's engine, unless its `command`/`args`
/// run something else than the server (`sleep`, `psql`, `redis-cli`, a shell loop).
pub fn serves_database(run: &Run) -> Option<String> {
    let engine = database_engine(&run.image)?;
    // the entrypoint replaced: it decides; else the arguments go to the image's entrypoint,
    // which runs them when they are a program (`docker-entrypoint.sh sleep 3600` sleeps)
    let decided = match (&run.command, &run.args) {
        (Some(c), a) if !c.is_empty() => {
            let mut all = c.clone();
            all.extend(a.iter().flatten().cloned());
            starts_server(&all)
        }
        (_, Some(a)) => starts_server(a),
        _ => None,
    };
    (decided != Some(false)).then_some(engine)
}

pub fn is_proxy_image(image: &str) -> bool {
    let (name, repo) = image_base(image);
    if name == "controller" {
        return repo.contains("ingress-nginx");
    }
    PROXY_IMAGES.contains(&name.as_str())
}

/// Whether an image a repository builds `FROM` makes its build a reverse proxy: proxies that
/// do nothing else (Envoy, Traefik, HAProxy, ingress controllers). A build on a general web
/// server (nginx, Caddy) most often serves the files it built, a single-page application.
fn is_proxy_base(image: &str) -> bool {
    let (name, _) = image_base(image);
    is_proxy_image(image) && !GENERAL_WEB_SERVERS.contains(&name.as_str())
}

/// Proxy images that are as often plain web servers.
const GENERAL_WEB_SERVERS: &[&str] = &["nginx", "nginx-unprivileged", "openresty", "caddy"];

/// Names that, without any declaration, are taken as the API.
fn api_by_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.split(['-', '_', '.'])
        .any(|t| t == "api" || t == "backend")
}

/// Roles declared in `vigie.toml`.
#[derive(Debug, Default, Clone)]
pub struct DeclaredRoles {
    /// role key → names, each with its location.
    pub lists: BTreeMap<String, Vec<(String, Location)>>,
}

pub const ROLE_KEYS: &[&str] = &[
    "api",
    "entrypoints",
    "database",
    "database_clients",
    "proxy",
];

impl DeclaredRoles {
    /// Read `[roles]` from the text of `vigie.toml`. Problems are `Config` diagnostics.
    pub fn parse(path: &str, text: &str, diags: &mut Vec<Diagnostic>) -> DeclaredRoles {
        #[derive(Deserialize)]
        struct File {
            roles: Option<toml::Spanned<BTreeMap<String, toml::Spanned<toml::Value>>>>,
        }
        let file: Arc<str> = Arc::from(path);
        let src = SourceFile::new(file.clone(), text.to_string());
        let parsed: File = match toml::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                diags.push(Diagnostic::new(
                    DiagKind::Config,
                    e.span()
                        .map(|s| src.location(s.start))
                        .unwrap_or_else(|| Location::file(file.clone())),
                    format!("[roles] could not be read: {}", e.message()),
                ));
                return DeclaredRoles::default();
            }
        };
        let mut out = DeclaredRoles::default();
        let Some(roles) = parsed.roles else {
            return out;
        };
        for (key, value) in roles.into_inner() {
            let at = src.location(value.span().start);
            if !ROLE_KEYS.contains(&key.as_str()) {
                diags.push(Diagnostic::new(
                    DiagKind::Config,
                    at,
                    format!(
                        "[roles] has an unknown role `{key}` (known: {})",
                        ROLE_KEYS.join(", ")
                    ),
                ));
                continue;
            }
            let list = match value.into_inner() {
                toml::Value::Array(a) => a,
                toml::Value::String(s) => vec![toml::Value::String(s)],
                other => {
                    diags.push(Diagnostic::new(
                        DiagKind::Config,
                        at,
                        format!(
                            "[roles] {key}: expected a list of workload names, found {}",
                            other.type_str()
                        ),
                    ));
                    continue;
                }
            };
            let names = out.lists.entry(key.clone()).or_default();
            for v in list {
                match v.as_str() {
                    Some(s) => {
                        // locate the name itself within the list, for precise diagnostics
                        let quoted = format!("\"{s}\"");
                        let start = value_start(text, &src, &at);
                        let loc = text[start..]
                            .find(&quoted)
                            .map(|i| src.location(start + i + 1))
                            .unwrap_or_else(|| at.clone());
                        names.push((s.to_string(), loc))
                    }
                    None => diags.push(Diagnostic::new(
                        DiagKind::Config,
                        at.clone(),
                        format!("[roles] {key}: `{v}` is not a workload name"),
                    )),
                }
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.lists.values().all(Vec::is_empty)
    }
}

fn value_start(text: &str, src: &SourceFile, at: &Location) -> usize {
    // byte offset of a location (line, column in characters)
    let mut off = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == at.line as usize {
            let col = line
                .char_indices()
                .nth(at.column.saturating_sub(1) as usize)
                .map_or(line.len(), |(b, _)| b);
            return off + col;
        }
        off += line.len();
    }
    let _ = src;
    0
}

/// Whether a declared name designates a workload: its name, or `group/name`.
/// Whether a workload may be a database: inferred from its image or its ports as [`assign`]
/// does, or declared by name.
pub fn may_be_database(w: &crate::model::Workload, declared: &[String]) -> bool {
    if declared.iter().any(|d| name_matches(d, w)) {
        return true;
    }
    !w.one_shot
        && (w.runs.iter().any(|r| serves_database(r).is_some())
            || w.listen.iter().any(|l| {
                DATABASE_PORTS.iter().any(|(p, _)| {
                    l.range.from <= *p && *p <= l.range.to && l.range.to - l.range.from < 16
                })
            }))
}

fn name_matches(decl: &str, w: &crate::model::Workload) -> bool {
    decl == w.name || decl == format!("{}/{}", w.group, w.name)
}

/// Infer roles from images and ports, then apply the declarations, which win. Conflicting
/// declarations and names that designate nothing become diagnostics.
pub fn assign(graph: &mut Graph, declared: &DeclaredRoles) {
    for w in &mut graph.workloads {
        let mut role = Role::default();
        let mut source = None;
        if !w.one_shot {
            if let Some((img, engine)) = w
                .runs
                .iter()
                .find_map(|r| serves_database(r).map(|e| (&r.image, e)))
            {
                role.database = true;
                source = Some(format!("image `{img}` ({engine})"));
            } else if w.runs.iter().any(|r| {
                is_proxy_image(&r.image) || r.built_from.as_deref().is_some_and(is_proxy_base)
            }) {
                role.proxy = true;
                source = Some("a reverse proxy image".to_string());
            } else if let Some((p, engine)) = w.listen.iter().find_map(|l| {
                DATABASE_PORTS
                    .iter()
                    .find(|(p, _)| {
                        l.range.from <= *p && *p <= l.range.to && l.range.to - l.range.from < 16
                    })
                    .map(|(p, e)| (*p, *e))
            }) {
                role.database = true;
                source = Some(format!("port {p} ({engine})"));
            }
        }
        w.role = role;
        w.role_source = source;
    }
    let declared_api = declared.lists.get("api").is_some_and(|v| !v.is_empty());
    let declared_entry = declared
        .lists
        .get("entrypoints")
        .is_some_and(|v| !v.is_empty());
    // without declarations: the API by name, the entry points are the reverse proxies
    for w in &mut graph.workloads {
        if !declared_api && !w.role.database && !w.role.proxy && api_by_name(&w.name) {
            w.role.api = true;
            w.role_source.get_or_insert_with(|| "its name".to_string());
        }
        if !declared_entry && w.role.proxy {
            w.role.entrypoint = true;
        }
    }
    // declarations: each name, each role
    let mut declared_for: Vec<Vec<(&str, &Location)>> = vec![Vec::new(); graph.workloads.len()];
    for (key, names) in &declared.lists {
        for (name, at) in names {
            let mut hit = false;
            for (i, w) in graph.workloads.iter().enumerate() {
                if name_matches(name, w) {
                    hit = true;
                    declared_for[i].push((key.as_str(), at));
                }
            }
            if !hit {
                graph.diagnostics.push(Diagnostic::new(
                    DiagKind::Config,
                    at.clone(),
                    format!("[roles] {key} names `{name}`, which is no workload of the repository"),
                ));
            }
        }
    }
    for (i, decls) in declared_for.into_iter().enumerate() {
        if decls.is_empty() {
            continue;
        }
        let w = &mut graph.workloads[i];
        let has = |k: &str| decls.iter().any(|(d, _)| *d == k);
        if has("database")
            && (has("api") || has("entrypoints") || has("proxy") || has("database_clients"))
        {
            let others: Vec<&str> = decls
                .iter()
                .map(|(k, _)| *k)
                .filter(|k| *k != "database")
                .collect();
            graph.diagnostics.push(Diagnostic::new(
                DiagKind::Config,
                decls[0].1.clone(),
                format!(
                    "[roles] declares `{}` both a database and {}: a database is neither exposed nor a client of itself; the database role is kept",
                    w.name,
                    others.join(" and ")
                ),
            ));
        }
        let mut role = Role::default();
        if has("database") {
            role.database = true;
        } else {
            role.api = has("api");
            role.entrypoint = has("entrypoints");
            role.proxy = has("proxy") || (w.role.proxy && !has("api"));
            role.db_client = has("database_clients");
            if !declared_entry {
                role.entrypoint |= role.proxy;
            }
        }
        w.role = role;
        let keys: Vec<&str> = decls.iter().map(|(k, _)| *k).collect();
        w.role_source = Some(format!("vigie.toml [roles] {}", keys.join(", ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images() {
        assert_eq!(
            database_engine("postgres:16.4-alpine@sha256:abc").as_deref(),
            Some("postgres")
        );
        assert_eq!(
            database_engine("docker.io/library/redis:7").as_deref(),
            Some("redis")
        );
        assert_eq!(
            database_engine("bitnami/postgresql:16").as_deref(),
            Some("postgres")
        );
        assert_eq!(
            database_engine("valkey/valkey:8").as_deref(),
            Some("valkey")
        );
        assert_eq!(database_engine("mongo-express:1"), None);
        assert_eq!(
            database_engine("prometheuscommunity/postgres-exporter"),
            None
        );
        assert_eq!(database_engine("rabbitmq:3-management"), None);
        assert!(is_proxy_image("nginxinc/nginx-unprivileged:1.27"));
        assert!(is_proxy_image("traefik:v3.1"));
        assert!(is_proxy_image(
            "registry.k8s.io/ingress-nginx/controller:v1.11.2"
        ));
        assert!(!is_proxy_image("example/controller:1"));
    }
}
