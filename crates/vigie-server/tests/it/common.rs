//! Databases, servers and reports for the tests.

use serde_json::{Value, json};
use std::sync::Arc;
use vigie_server::store::accounts::{self, Role};
use vigie_server::store::ingest::{Stored, UploadMeta, ingest};
use vigie_server::store::prepare::{Schema, prepare};
use vigie_server::{AppState, Db, ServerConfig};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub const ENGINES: [Engine; 2] = [Engine::Sqlite, Engine::Postgres];

pub fn postgres_base() -> String {
    std::env::var("VIGIE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A fresh, empty database of an engine, kept until the value is dropped.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

fn random_name() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    format!("vigie_t_{}", data_encoding::HEXLOWER.encode(&b))
}

impl TestDb {
    pub fn new(engine: Engine) -> TestDb {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("vigie.db").display());
                TestDb {
                    url,
                    _dir: Some(dir),
                }
            }
            Engine::Postgres => {
                let schema = random_name();
                let base = postgres_base();
                runtime().block_on(async {
                    sqlx::any::install_default_drivers();
                    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&base)
                        .await
                        .unwrap_or_else(|e| {
                            panic!("PostgreSQL at {base} is needed by the tests and is unreachable: {e}")
                        });
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                        .execute(&mut conn)
                        .await
                        .unwrap();
                });
                let sep = if base.contains('?') { '&' } else { '?' };
                TestDb {
                    url: format!("{base}{sep}options=-c%20search_path%3D{schema}"),
                    _dir: None,
                }
            }
        }
    }

    pub async fn open(&self) -> Db {
        Db::open(&self.url).await.unwrap()
    }
}

/// A valid report with `n` verdicts (the first `fails` of them failing CNT-04), `tag` put in
/// each message so that two tags make two different reports.
pub fn report(n: usize, fails: usize, tag: &str) -> Value {
    let verdicts: Vec<Value> = (0..n)
        .map(|i| {
            let fail = i < fails;
            json!({
                "check": if fail { "CNT-04" } else { "CNT-01" },
                "subject": format!("service-{i}"),
                "outcome": if fail { "fail" } else { "pass" },
                "severity": "high",
                "location": {"path": format!("deploy/app-{}.yml", i % 50), "line": i + 1, "column": 3},
                "message": format!("verdict {i} {tag}"),
                "in_scope": true,
                "controls": [if fail { "CNT-04" } else { "CNT-01" }]
            })
        })
        .collect();
    let non = if fails > 0 { 1 } else { 0 };
    json!({
        "schema_version": "1.4",
        "tool": {"name": "vigie", "version": "0.1.0"},
        "root": ".",
        "as_of": "2026-11-01",
        "frameworks": ["roadmap", "anssi-docker"],
        "fail_on": "high",
        "result": if fails > 0 { "fail" } else { "pass" },
        "summary": {"failures": fails, "failures_below_fail_on": 0, "waived": 0, "passes": n - fails,
                    "diagnostics": 0, "attested": 1, "attestations_todo": 0},
        "stats": {"files_seen": 50, "files_parsed": 50, "bytes_parsed": 1000, "dockerfiles": 0,
                  "compose_projects": 1, "kubernetes_objects": 0, "workloads": n},
        "verdicts": verdicts,
        "diagnostics": [],
        "controls": [
            {"id": "CNT-04", "title": "Read-only root filesystem", "status": if fails > 0 { "non_compliant" } else { "compliant" },
             "subjects": n, "passed": n - fails, "failed": fails, "waived": 0, "checks": ["CNT-04"]},
            {"id": "CNT-01", "title": "Non-root user", "status": "compliant",
             "subjects": n, "passed": n, "failed": 0, "waived": 0, "checks": ["CNT-01"]}
        ],
        "framework_results": [
            {"id": "roadmap", "title": "Compliance roadmap", "counts": {"compliant": 3 - non, "non_compliant": non, "not_applicable": 1},
             "sections": [{"id": "S1", "title": "Containers", "status": if fails > 0 { "in_progress" } else { "implemented" },
                           "met": 3 - non, "applicable": 3, "requirements": [
                {"id": "R1", "label": "1.1", "title": "Containers do not write their root filesystem", "status": if fails > 0 { "non_compliant" } else { "compliant" },
                 "subjects": n, "passed": n - fails, "failed": fails, "waived": 0, "controls": ["CNT-04"], "checks": ["CNT-04"]},
                {"id": "R2", "label": "1.2", "title": "Containers run as a non-root user", "status": "compliant",
                 "subjects": n, "passed": n, "failed": 0, "waived": 0, "controls": ["CNT-01"], "checks": ["CNT-01"]}
             ]}]},
            {"id": "anssi-docker", "title": "ANSSI Docker", "counts": {"compliant": 10, "partially_compliant": 2}, "sections": []}
        ],
        "attestations_todo": [],
        "checks": [{"id": "CNT-04", "title": "Read-only root filesystem", "severity": "high", "controls": ["CNT-04"], "requirements": []},
                   {"id": "CNT-01", "title": "Non-root user", "severity": "high", "controls": ["CNT-01"], "requirements": []}],
        "unassessed": []
    })
}

/// Add an attestation verdict (in force until `expires`).
pub fn with_attestation(mut r: Value, control: &str, expires: &str) -> Value {
    r["verdicts"].as_array_mut().unwrap().push(json!({
        "check": "ATTEST", "subject": control, "outcome": "attested", "severity": "info",
        "location": {"path": ".vigie/attestations.toml", "line": 1, "column": 1},
        "message": "attested", "in_scope": true, "controls": [control],
        "attestation": {"control": control, "statement": "Restores are tested monthly",
                        "owner": "ops@example.org", "expires": expires}
    }));
    r
}

pub fn meta(commit: &str, scanned_at: i64) -> UploadMeta {
    UploadMeta {
        branch: "main".into(),
        commit: commit.into(),
        pipeline_url: Some("https://ci.example.org/run/1".into()),
        scanned_at,
    }
}

/// Store a report directly (no HTTP).
pub async fn store(db: &Db, repository_id: i64, commit: &str, at: i64, report: Value) -> Stored {
    let schema = Schema::embedded().unwrap();
    let p = prepare(&schema, report).unwrap();
    ingest(db, repository_id, "test", None, &meta(commit, at), &p, None)
        .await
        .unwrap()
}

pub async fn repository(db: &Db, name: &str) -> i64 {
    accounts::create_repository(db, name, "main", None, "test", None)
        .await
        .unwrap()
}

pub async fn count(db: &Db, table: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {table}"
    )))
    .fetch_one(&db.pool)
    .await
    .unwrap()
    .get::<i64, _>("n")
}

pub const ADMIN_PASSWORD: &str = "correct horse battery";

/// A server on a free loopback port, in its own runtime, until dropped.
pub struct TestServer {
    pub base: String,
    pub state: Arc<AppState>,
    pub rt: tokio::runtime::Runtime,
    /// The database lives as long as the server.
    _db: TestDb,
}

impl TestServer {
    pub fn start(engine: Engine, config: ServerConfig) -> TestServer {
        let db = TestDb::new(engine);
        let rt = runtime();
        let (state, listener) = rt.block_on(async {
            let d = db.open().await;
            accounts::create_user(&d, "admin", Role::Admin, ADMIN_PASSWORD, "test", None)
                .await
                .unwrap();
            accounts::create_user(&d, "viewer", Role::Viewer, ADMIN_PASSWORD, "test", None)
                .await
                .unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            (AppState::new(d, config).unwrap(), listener)
        });
        let addr = listener.local_addr().unwrap();
        let s = state.clone();
        rt.spawn(async move {
            let _ = vigie_server::web::serve(s, listener).await;
        });
        TestServer {
            base: format!("http://{addr}"),
            state,
            rt,
            _db: db,
        }
    }

    /// Run storage code against the server's database.
    pub fn with_db<T>(&self, f: impl AsyncFnOnce(&Db) -> T) -> T {
        self.rt.block_on(f(&self.state.db))
    }

    pub fn add_repository(&self, name: &str) -> (i64, String) {
        self.with_db(async |db| {
            let id = accounts::create_repository(db, name, "main", None, "test", None)
                .await
                .unwrap();
            let repo = accounts::repository_by_id(db, id).await.unwrap().unwrap();
            let (_, token) = accounts::create_token(db, &repo, "ci", "test", None)
                .await
                .unwrap();
            (id, token)
        })
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// POST a body to the upload endpoint; (status, body).
pub fn post_upload(base: &str, token: Option<&str>, body: &[u8]) -> (u16, String) {
    let mut req = agent()
        .post(&format!("{base}/api/v1/scans"))
        .header("Content-Type", "application/json");
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    match req.send(body) {
        Ok(mut r) => (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        ),
        // the server may close the connection on a body it refuses before reading it all
        Err(e) => (0, e.to_string()),
    }
}

pub fn envelope(repository: &str, commit: &str, report: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "repository": repository, "branch": "main", "commit": commit,
        "pipeline_url": "https://ci.example.org/pipelines/7", "report": report
    }))
    .unwrap()
}

/// Log in through the form; returns the cookie header to send afterwards.
pub fn login(base: &str, name: &str, password: &str) -> Result<String, u16> {
    let mut page = agent().get(&format!("{base}/login")).call().unwrap();
    let login_cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("vigie_login="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = page.body_mut().read_to_string().unwrap();
    let csrf = hidden(&html, "csrf");
    let r = agent()
        .post(&format!("{base}/login"))
        .header("Cookie", &login_cookie)
        .send_form([
            ("name", name),
            ("password", password),
            ("csrf", csrf.as_str()),
        ])
        .unwrap();
    if r.status().as_u16() != 303 {
        return Err(r.status().as_u16());
    }
    Ok(r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("vigie_session=") && !c.contains("vigie_session=;"))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string())
}

/// The value of the first hidden input `name` of a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap() + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// GET a page with a session cookie: (status, body).
pub fn get(base: &str, path: &str, cookie: Option<&str>) -> (u16, String) {
    let mut req = agent().get(&format!("{base}{path}"));
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    let mut r = req.call().unwrap();
    (
        r.status().as_u16(),
        r.body_mut().read_to_string().unwrap_or_default(),
    )
}
