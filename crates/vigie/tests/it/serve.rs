//! `vigie serve` as users run it: the real binary, on SQLite and on PostgreSQL.
//!
//! - Killed with SIGKILL in the middle of concurrent uploads, then restarted: every upload it
//!   acknowledged is there, whole, and no half-written scan is (the chain and every report
//!   verify).
//! - `vigie scan --upload`, `vigie upload`, `vigie verify --server`, `vigie verify --export`
//!   and `vigie verify-export` end to end, an altered export failing.
#![cfg(feature = "server")]

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery";

fn vigie() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh database: a SQLite file, or a PostgreSQL schema of its own.
fn database(engine: &str, dir: &std::path::Path) -> String {
    if engine == "sqlite" {
        return dir.join("vigie.db").display().to_string();
    }
    let base = std::env::var("VIGIE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let mut b = [0u8; 6];
    getrandom_bytes(&mut b);
    let schema = format!(
        "vigie_cli_{}",
        b.iter().map(|x| format!("{x:02x}")).collect::<String>()
    );
    let out = Command::new("psql")
        .args([base.as_str(), "-qc", &format!("CREATE SCHEMA {schema}")])
        .output()
        .expect("psql is needed to prepare the PostgreSQL schema");
    assert!(
        out.status.success(),
        "PostgreSQL at {base} is unreachable: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!("{base}?options=-c%20search_path%3D{schema}")
}

fn getrandom_bytes(b: &mut [u8]) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let mix = nanos ^ (u128::from(std::process::id()) << 64);
    for (i, x) in b.iter_mut().enumerate() {
        *x = (mix >> ((i * 8) % 128)) as u8 ^ (i as u8).wrapping_mul(151);
    }
}

fn admin(db: &str, args: &[&str]) -> String {
    let out = vigie()
        .args(["serve", "--database", db])
        .args(args)
        .env("VIGIE_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "vigie serve {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(db: &str, port: u16) -> Server {
    // Owned by `Server` from the start: its Drop kills and waits on every path, the panic included.
    let server = Server(
        vigie()
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--database",
                db,
                "--log-format",
                "json",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let url = format!("http://127.0.0.1:{port}/healthz");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if vigie()
            .args(["serve", "healthcheck", &url])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
        {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("vigie serve did not become healthy on port {port}");
}

/// A real report: the scan of an example.
fn base_report() -> serde_json::Value {
    let out = vigie()
        .args([
            "scan",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/compose-gaps"),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).expect("vigie scan --format json")
}

#[derive(serde::Deserialize)]
struct Receipt {
    scan_id: i64,
}

fn upload(port: u16, token: &str, commit: &str, report: &serde_json::Value) -> Result<i64, String> {
    let body = serde_json::json!({"repository": "org/app", "branch": "main", "commit": commit, "report": report});
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut r = agent
        .post(&format!("http://127.0.0.1:{port}/api/v1/scans"))
        .header("Authorization", &format!("Bearer {token}"))
        .send_json(&body)
        .map_err(|e| e.to_string())?;
    if r.status().as_u16() != 201 {
        return Err(format!("status {}", r.status()));
    }
    let receipt: Receipt = r.body_mut().read_json().map_err(|e| e.to_string())?;
    Ok(receipt.scan_id)
}

#[test]
fn sigkill_during_uploads_loses_no_acknowledged_scan() {
    let template = base_report();
    for engine in ["sqlite", "postgres"] {
        let dir = tempfile::tempdir().unwrap();
        let db = database(engine, dir.path());
        admin(&db, &["add-repository", "org/app"]);
        let token = admin(&db, &["create-token", "org/app"]);
        let port = free_port();
        let mut server = start(&db, port);

        let acked: Arc<Mutex<Vec<(String, i64)>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let uploaders: Vec<_> = (0..6)
            .map(|w| {
                let (acked, stop, token, template) =
                    (acked.clone(), stop.clone(), token.clone(), template.clone());
                std::thread::spawn(move || {
                    let mut i = 0;
                    while !stop.load(Ordering::SeqCst) && i < 400 {
                        let commit = format!("{w:02x}{i:06x}");
                        let mut r = template.clone();
                        r["root"] = commit.clone().into();
                        if let Ok(id) = upload(port, &token, &commit, &r) {
                            acked.lock().unwrap().push((commit, id));
                        }
                        i += 1;
                    }
                })
            })
            .collect();
        // let uploads flow, then kill the server in the middle of them
        let deadline = Instant::now() + Duration::from_secs(60);
        while acked.lock().unwrap().len() < 20 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        server.0.kill().unwrap(); // SIGKILL
        server.0.wait().unwrap();
        stop.store(true, Ordering::SeqCst);
        for u in uploaders {
            u.join().unwrap();
        }
        let acked = acked.lock().unwrap().clone();
        assert!(
            acked.len() >= 20,
            "{engine}: only {} uploads before the kill",
            acked.len()
        );

        // restart: every acknowledged scan is there and every chain and report verifies
        admin(&db, &["add-user", "admin", "--role", "admin"]);
        let server = start(&db, port);
        let out = vigie()
            .args([
                "verify",
                "--server",
                &format!("http://127.0.0.1:{port}"),
                "--user",
                "admin",
            ])
            .env("VIGIE_PASSWORD", PASSWORD)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{engine}: {said}");
        let entries: u64 = said
            .split(" repositories, ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            entries as usize >= acked.len(),
            "{engine}: {entries} entries, {} acknowledged",
            acked.len()
        );
        assert_eq!(
            said.split(" reports checked")
                .next()
                .unwrap()
                .rsplit(' ')
                .next()
                .unwrap()
                .parse::<u64>()
                .unwrap(),
            entries,
            "{said}"
        );
        // the export of the whole history holds every acknowledged commit, each report whole
        let export = dir.path().join("after-kill.jsonl");
        let out = vigie()
            .args([
                "verify",
                "--server",
                &format!("http://127.0.0.1:{port}"),
                "--user",
                "admin",
                "--repository",
                "org/app",
                "--from",
                "2000-01-01",
                "--to",
                "2099-12-31",
                "--export",
            ])
            .arg(&export)
            .env("VIGIE_PASSWORD", PASSWORD)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{engine}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stored: std::collections::HashSet<String> =
            std::io::BufReader::new(std::fs::File::open(&export).unwrap())
                .lines()
                .skip(1)
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l.unwrap()).ok())
                .filter(|v| v["report"].is_object())
                .filter_map(|v| v["entry"]["commit"].as_str().map(str::to_string))
                .collect();
        for (commit, _) in &acked {
            assert!(
                stored.contains(commit),
                "{engine}: acknowledged upload {commit} is missing after the kill"
            );
        }
        // and uploads go on, chained after what survived
        assert!(upload(port, &token, "abcabcabc", &template).is_ok());
        drop(server);
    }
}

#[test]
fn scan_upload_verify_and_verify_export_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = database("sqlite", dir.path());
    admin(&db, &["add-repository", "org/app"]);
    admin(&db, &["add-user", "admin", "--role", "admin"]);
    let token = admin(&db, &["create-token", "org/app"]);
    let port = free_port();
    let _server = start(&db, port);
    let url = format!("http://127.0.0.1:{port}");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/compose-gaps");

    // in a GitHub Actions job: the repository, branch, commit and run come from its variables
    let out = vigie()
        .args(["scan", example, "--format", "json", "-o"])
        .arg(dir.path().join("r.json"))
        .args(["--upload", &url])
        .env("VIGIE_TOKEN", &token)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", "org/app")
        .env("GITHUB_REF_NAME", "main")
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .env("GITHUB_SERVER_URL", "https://github.example")
        .env("GITHUB_RUN_ID", "42")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the gaps example fails its gate: {stderr}"
    );
    assert!(stderr.contains("stored as org/app entry 1"), "{stderr}");

    // the same report again from `vigie upload`: already stored, not an error
    let up = |extra: &[&str]| {
        vigie()
            .args(["upload"])
            .arg(dir.path().join("r.json"))
            .args([
                "--server",
                &url,
                "--repository",
                "org/app",
                "--branch",
                "main",
            ])
            .args(extra)
            .env("VIGIE_TOKEN", &token)
            .env_remove("GITHUB_ACTIONS")
            .env_remove("GITLAB_CI")
            .output()
            .unwrap()
    };
    let out = up(&["--commit", "0123456789abcdef0123456789abcdef01234567"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("already stored as org/app entry 1"));
    let out = up(&["--commit", "89abcdef", "--time", "2026-10-01T10:00:00Z"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("entry 2"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // a wrong token is refused with the server's reason
    let out = vigie()
        .args(["upload"])
        .arg(dir.path().join("r.json"))
        .args([
            "--server",
            &url,
            "--repository",
            "org/app",
            "--branch",
            "main",
            "--commit",
            "abcdef12",
        ])
        .env("VIGIE_TOKEN", "vigie_1_00")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let refusal = String::from_utf8_lossy(&out.stderr);
    assert!(refusal.contains("unknown or revoked"), "{refusal}");

    let verify = vigie()
        .args(["verify", "--server", &url, "--user", "admin"])
        .env("VIGIE_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    assert!(String::from_utf8_lossy(&verify.stdout).contains("every chain holds"));

    let export = dir.path().join("export.jsonl");
    let out = vigie()
        .args([
            "verify",
            "--server",
            &url,
            "--user",
            "admin",
            "--repository",
            "org/app",
            "--from",
            "2020-01-01",
            "--to",
            "2099-12-31",
            "--export",
        ])
        .arg(&export)
        .env("VIGIE_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ok = vigie().arg("verify-export").arg(&export).output().unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("2 entries of org/app"));

    // alter one verdict of the first report: verify-export names entry 1 and exits 1
    let lines: Vec<String> = std::io::BufReader::new(std::fs::File::open(&export).unwrap())
        .lines()
        .map(Result::unwrap)
        .collect();
    let mut first: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
    first["report"]["verdicts"][0]["message"] = "nothing to see".into();
    let mut altered = lines.clone();
    altered[1] = first.to_string();
    let bad = dir.path().join("altered.jsonl");
    std::fs::write(&bad, altered.join("\n") + "\n").unwrap();
    let out = vigie().arg("verify-export").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("ALTERED") && said.contains("entry 1"),
        "{said}"
    );
}

#[test]
fn the_deployment_files_pass_vigies_own_scan() {
    let deploy = concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy");
    let out = vigie()
        .args(["scan", deploy, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["failures"], 0);
    assert_eq!(
        report["summary"]["failures_below_fail_on"], 0,
        "every failure, whatever its severity"
    );
    assert_eq!(report["stats"]["dockerfiles"], 1);
    assert_eq!(report["stats"]["compose_projects"], 1);
}
