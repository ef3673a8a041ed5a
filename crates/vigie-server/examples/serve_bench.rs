//! The load and size measurements of `bench/serve.sh` (loopback only, bounded in count and
//! time, stops by itself):
//!
//! - `upload URL TOKEN REPORT --clients 50 --seconds 60 [--rate N]`: concurrent uploaders of a
//!   report (each upload a new commit, 1% of its verdicts changed); uploads/s, p50/p99, errors.
//! - `fill DATABASE --repos 200 --days 365 --verdicts 200`: a history loaded through the
//!   store, one scan a day per repository.
//! - `pages URL USER PASSWORD --requests 50 [--path /]`: a page's latency, p50/p95.
//! - `size DATABASE --scans 1000 --verdicts 2000 --churn 0.01`: storage per 1,000 scans.
//! - `setup DATABASE` and `serve DATABASE ADDR`: what `vigie serve add-repository`,
//!   `add-user`, `create-token` and `vigie serve` do, from this binary alone.

use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use vigie_server::store::{accounts, ingest, prepare};

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// A report with `n` verdicts built from a real one (its other fields kept).
fn scaled(template: &Value, n: usize, salt: &str, churn: f64) -> Value {
    let mut r = template.clone();
    let src = template["verdicts"].as_array().cloned().unwrap_or_default();
    let changed = ((n as f64) * churn).ceil() as usize;
    r["verdicts"] = Value::Array(
        (0..n)
            .map(|i| {
                let mut v = src[i % src.len().max(1)].clone();
                v["subject"] = json!(format!("{} #{i}", v["subject"].as_str().unwrap_or("")));
                if i < changed {
                    v["message"] =
                        json!(format!("{} ({salt})", v["message"].as_str().unwrap_or("")));
                }
                v
            })
            .collect(),
    );
    r
}

fn upload(args: &[String]) {
    let url = args[2].clone();
    let token = args[3].clone();
    let template: Value = serde_json::from_slice(&std::fs::read(&args[4]).unwrap()).unwrap();
    let clients: usize = arg(args, "--clients", "50").parse().unwrap();
    let seconds: u64 = arg(args, "--seconds", "60").parse().unwrap();
    let rate: f64 = arg(args, "--rate", "0").parse().unwrap();
    let verdicts = template["verdicts"].as_array().map_or(0, Vec::len);
    let size = serde_json::to_vec(&template).unwrap().len();
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let start = Instant::now();
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as u32);
    let end = start + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..clients)
        .map(|w| {
            let (url, token, template) = (url.clone(), token.clone(), template.clone());
            let (latencies, errors) = (latencies.clone(), errors.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(120)))
                    .build()
                    .into();
                let mut i = 0u64;
                while Instant::now() < end {
                    if rate > 0.0 {
                        // each client's share of the rate, on a fixed schedule
                        let due = start + Duration::from_secs_f64((i as f64 * clients as f64 + w as f64) / rate);
                        if due >= end {
                            break;
                        }
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                    }
                    // the run's start makes every commit new: a second run against the same
                    // database must not be answered "already stored"
                    let commit = format!("{nonce:08x}{w:04x}{i:06x}");
                    let mut r = template.clone();
                    if let Some(v) = r["verdicts"].get_mut(0) {
                        v["message"] = json!(format!("run {commit}"));
                    }
                    let body = json!({"repository": "bench/app", "branch": "main", "commit": commit, "report": r});
                    let body = serde_json::to_vec(&body).unwrap();
                    let t = Instant::now();
                    let res = agent
                        .post(&format!("{url}/api/v1/scans"))
                        .header("Authorization", &format!("Bearer {token}"))
                        .header("Content-Type", "application/json")
                        .send(&body[..]);
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    match res {
                        Ok(r) if r.status().as_u16() == 201 => latencies.lock().unwrap().push(ms),
                        Ok(r) => errors.lock().unwrap().push(format!("status {}", r.status())),
                        Err(e) => errors.lock().unwrap().push(e.to_string()),
                    }
                    i += 1;
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut l = latencies.lock().unwrap().clone();
    l.sort_by(f64::total_cmp);
    let errors = errors.lock().unwrap();
    println!(
        "uploads: {} in {elapsed:.1} s = {:.1}/s ({} clients{}, report {:.2} MB, {verdicts} verdicts); latency p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; errors {}{}",
        l.len(),
        l.len() as f64 / elapsed,
        clients,
        if rate > 0.0 {
            format!(", paced at {rate}/s")
        } else {
            String::new()
        },
        size as f64 / 1e6,
        percentile(&l, 0.5),
        percentile(&l, 0.99),
        l.last().copied().unwrap_or(f64::NAN),
        errors.len(),
        errors
            .first()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn fill(args: &[String]) {
    let database = args[2].clone();
    let template: Value =
        serde_json::from_slice(&std::fs::read(arg(args, "--report", "")).unwrap()).unwrap();
    let repos: usize = arg(args, "--repos", "200").parse().unwrap();
    let days: i64 = arg(args, "--days", "365").parse().unwrap();
    let verdicts: usize = arg(args, "--verdicts", "200").parse().unwrap();
    let schema = prepare::Schema::embedded().unwrap();
    let start = Instant::now();
    runtime().block_on(async {
        let db = Arc::new(vigie_server::Db::open(&database).await.unwrap());
        let now = vigie_server::db::now();
        let mut tasks = Vec::new();
        let schema = Arc::new(schema);
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        for _ in 0..4 {
            let (db, template, schema, next) =
                (db.clone(), template.clone(), schema.clone(), next.clone());
            tasks.push(tokio::spawn(async move {
                loop {
                    let r = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if r >= repos {
                        break;
                    }
                    let name = format!("team-{}/service-{r:03}", r % 12);
                    let id = accounts::create_repository(&db, &name, "main", None, "bench", None)
                        .await
                        .unwrap();
                    for d in 0..days {
                        // a repository improves over the year, with a failure now and then
                        let mut report = scaled(&template, verdicts, &format!("{r}-{d}"), 0.01);
                        let fails = ((days - d) as usize * 10 / days as usize
                            + usize::from((d as usize).is_multiple_of(7)))
                        .min(verdicts);
                        for (i, v) in report["verdicts"]
                            .as_array_mut()
                            .unwrap()
                            .iter_mut()
                            .enumerate()
                        {
                            // attestations stay as they are; a check's verdict becomes a plain
                            // pass or failure, without the waiver the template's may carry
                            if v["check"] == "ATTEST" {
                                continue;
                            }
                            v["outcome"] = json!(if i < fails { "fail" } else { "pass" });
                            if let Some(o) = v.as_object_mut() {
                                o.remove("waiver");
                                o.remove("expired_waiver");
                            }
                        }
                        let p = tokio::task::block_in_place(|| prepare::prepare(&schema, report))
                            .unwrap();
                        let meta = ingest::UploadMeta {
                            branch: "main".into(),
                            commit: format!("{r:04x}{d:06x}"),
                            pipeline_url: None,
                            scanned_at: now - (days - d) * 86400,
                        };
                        ingest::ingest(&db, id, "bench", None, &meta, &p, None)
                            .await
                            .unwrap();
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
    println!(
        "filled {repos} repositories x {days} daily scans of {verdicts} verdicts in {:.0} s",
        start.elapsed().as_secs_f64()
    );
}

fn pages(args: &[String]) {
    let (url, user, password) = (&args[2], &args[3], &args[4]);
    let requests: usize = arg(args, "--requests", "50").parse().unwrap();
    let path = arg(args, "--path", "/");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut page = agent.get(&format!("{url}/login")).call().unwrap();
    let cookie = page
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
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = agent
        .post(&format!("{url}/login"))
        .header("Cookie", &cookie)
        .send_form([
            ("name", user.as_str()),
            ("password", password.as_str()),
            ("csrf", csrf.as_str()),
        ])
        .unwrap();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("vigie_session="))
        .expect("login failed")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let mut l = Vec::new();
    let mut bytes = 0;
    for _ in 0..requests {
        let t = Instant::now();
        let mut r = agent
            .get(&format!("{url}{path}"))
            .header("Cookie", &session)
            .call()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        bytes = r.body_mut().read_to_string().unwrap().len();
        l.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    l.sort_by(f64::total_cmp);
    println!(
        "{path}: {requests} requests, p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms ({:.0} KB)",
        percentile(&l, 0.5),
        percentile(&l, 0.95),
        l.last().unwrap(),
        bytes as f64 / 1024.0
    );
}

fn size(args: &[String]) {
    let database = args[2].clone();
    let template: Value =
        serde_json::from_slice(&std::fs::read(arg(args, "--report", "")).unwrap()).unwrap();
    let scans: usize = arg(args, "--scans", "1000").parse().unwrap();
    let verdicts: usize = arg(args, "--verdicts", "2000").parse().unwrap();
    let churn: f64 = arg(args, "--churn", "0.01").parse().unwrap();
    let schema = prepare::Schema::embedded().unwrap();
    let start = Instant::now();
    let canonical = runtime().block_on(async {
        let db = vigie_server::Db::open(&database).await.unwrap();
        let id = accounts::create_repository(&db, "bench/size", "main", None, "bench", None)
            .await
            .unwrap();
        let now = vigie_server::db::now();
        let mut canonical = 0usize;
        for s in 0..scans {
            // `churn` of the verdicts differ from the scan before
            let report = scaled(&template, verdicts, &format!("{}", s), churn);
            let p = prepare::prepare(&schema, report).unwrap();
            canonical += p.report_bytes;
            let meta = ingest::UploadMeta {
                branch: "main".into(),
                commit: format!("{s:08x}"),
                pipeline_url: None,
                scanned_at: now - (scans - s) as i64 * 3600,
            };
            ingest::ingest(&db, id, "bench", None, &meta, &p, None)
                .await
                .unwrap();
        }
        canonical
    });
    println!(
        "stored {scans} scans of {verdicts} verdicts ({:.0}% changed each time) in {:.0} s; reports {:.1} MB as JSON",
        churn * 100.0,
        start.elapsed().as_secs_f64(),
        canonical as f64 / 1e6
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("upload") => upload(&args),
        Some("fill") => fill(&args),
        Some("pages") => pages(&args),
        Some("size") => size(&args),
        Some("setup") => {
            let db = &args[2];
            vigie_server::cli::add_repository(db, "bench/app", "main", None).unwrap();
            vigie_server::cli::add_user(
                db,
                "bench",
                "admin",
                &std::env::var("VIGIE_PASSWORD").unwrap(),
            )
            .unwrap();
            println!(
                "{}",
                vigie_server::cli::create_token(db, "bench/app", "bench").unwrap()
            );
        }
        Some("serve") => vigie_server::cli::serve(vigie_server::cli::ServeOptions {
            listen: args[3].clone(),
            database: args[2].clone(),
            config: vigie_server::ServerConfig::default(),
            log_json: true,
            bootstrap_admin_password: None,
        })
        .unwrap(),
        _ => eprintln!("usage: serve_bench upload|fill|pages|size …"),
    }
}
