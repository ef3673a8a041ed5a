//! The server over HTTP on both engines: every bad upload is a clear 4xx that stores nothing,
//! pages need an account and escape what reports say, forms need their CSRF token, logins are
//! rate-limited, and an export verifies offline — and stops verifying when altered.

use crate::common::*;
use serde_json::{Value, json};
use vigie_server::ServerConfig;
use vigie_server::chain::verify_export;

fn scans(server: &TestServer) -> i64 {
    server.with_db(async |db| count(db, "scans").await)
}

#[test]
fn bad_uploads_are_refused_and_store_nothing() {
    for engine in ENGINES {
        let server = TestServer::start(engine, ServerConfig::default());
        let (_, token_a) = server.add_repository("org/a");
        let (_, token_b) = server.add_repository("org/b");
        let base = &server.base;
        let good = report(20, 2, "x");
        let ok = envelope("org/a", "abcdef1", &good);

        // what, token, body, expected status, what the refusal says
        type Case<'a> = (&'a str, Option<&'a str>, Vec<u8>, u16, &'a str);
        let mut cases: Vec<Case> = vec![
            ("no token", None, ok.clone(), 401, "token"),
            (
                "wrong token",
                Some("vigie_1_0000000000000000000000000000000000000000000000000000000000000000"),
                ok.clone(),
                401,
                "unknown",
            ),
            ("not a token", Some("hunter2"), ok.clone(), 401, "unknown"),
            ("token of b for a", Some(&token_b), ok.clone(), 403, "org/b"),
            (
                "malformed",
                Some(&token_a),
                b"{\"repository\": \"org/a\", ".to_vec(),
                400,
                "JSON",
            ),
            (
                "truncated",
                Some(&token_a),
                ok[..ok.len() / 2].to_vec(),
                400,
                "JSON",
            ),
            (
                "not json",
                Some(&token_a),
                b"\x00\x01binary".to_vec(),
                400,
                "JSON",
            ),
            (
                "path traversal",
                Some(&token_a),
                envelope("../../etc/passwd", "abcdef1", &good),
                400,
                "repository",
            ),
            (
                "traversal inside",
                Some(&token_a),
                envelope("org/../b", "abcdef1", &good),
                400,
                "repository",
            ),
            (
                "script in name",
                Some(&token_a),
                envelope("<script>alert(1)</script>", "abcdef1", &good),
                400,
                "repository",
            ),
            (
                "bad commit",
                Some(&token_a),
                envelope("org/a", "<b>not-hex</b>", &good),
                400,
                "commit",
            ),
        ];
        let mut schema_invalid = good.clone();
        schema_invalid["verdicts"][0]["outcome"] = json!("<script>");
        cases.push((
            "schema-invalid",
            Some(&token_a),
            envelope("org/a", "abcdef1", &schema_invalid),
            422,
            "/verdicts/0/outcome",
        ));
        let mut missing = good.clone();
        missing.as_object_mut().unwrap().remove("controls");
        cases.push((
            "field missing",
            Some(&token_a),
            envelope("org/a", "abcdef1", &missing),
            422,
            "controls",
        ));
        let mut env: Value = serde_json::from_slice(&ok).unwrap();
        env["branch"] = json!("main\"><script>");
        cases.push((
            "bad branch",
            Some(&token_a),
            serde_json::to_vec(&env).unwrap(),
            400,
            "branch",
        ));
        env["branch"] = json!("main");
        env["pipeline_url"] = json!("javascript:alert(1)");
        cases.push((
            "script pipeline",
            Some(&token_a),
            serde_json::to_vec(&env).unwrap(),
            400,
            "pipeline_url",
        ));
        env["pipeline_url"] = json!(null);
        env["scanned_at"] = json!("2999-01-01T00:00:00Z");
        cases.push((
            "future",
            Some(&token_a),
            serde_json::to_vec(&env).unwrap(),
            400,
            "future",
        ));

        for (what, token, body, status, says) in cases {
            let (got, text) = post_upload(base, token, &body);
            assert_eq!(got, status, "{engine:?} {what}: {text}");
            assert!(text.contains(says), "{engine:?} {what}: {text}");
            assert_eq!(scans(&server), 0, "{engine:?} {what} stored something");
        }

        // 100 MB: refused from its declared size, nothing read into memory
        let huge = vec![b' '; 100 * 1024 * 1024];
        let (got, text) = post_upload(base, Some(&token_a), &huge);
        assert!(got == 413 || got == 0, "{engine:?} oversized: {got} {text}");
        assert_eq!(scans(&server), 0);

        // the good one, then the same again: stored once, the replay says so
        let (got, text) = post_upload(base, Some(&token_a), &ok);
        assert_eq!(got, 201, "{engine:?}: {text}");
        let receipt: Value = serde_json::from_str(&text).unwrap();
        let (got, again) = post_upload(base, Some(&token_a), &ok);
        assert_eq!(got, 409, "{engine:?}: {again}");
        let again: Value = serde_json::from_str(&again).unwrap();
        assert_eq!(again["scan_id"], receipt["scan_id"]);
        assert_eq!(again["duplicate"], json!(true));
        assert_eq!(scans(&server), 1);

        // a revoked token no longer uploads (even though its secret was verified before)
        let id = token_a.split('_').nth(1).unwrap();
        server.with_db(async |db| {
            vigie_server::store::accounts::revoke_token(
                db,
                i64::from_str_radix(id, 16).unwrap(),
                "test",
                None,
            )
            .await
            .unwrap()
        });
        let (got, text) = post_upload(base, Some(&token_a), &envelope("org/a", "abcdef2", &good));
        assert_eq!(got, 401, "{engine:?} revoked: {text}");
        assert_eq!(scans(&server), 1);

        // every upload, refused or not, is counted; every mutation is in the audit log
        let audit: Vec<String> = server.with_db(async |db| {
            vigie_server::store::pages::audit_log(db, 100)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.action)
                .collect()
        });
        for action in [
            "scan.upload",
            "token.revoke",
            "token.create",
            "repository.create",
            "user.create",
        ] {
            assert!(
                audit.iter().any(|a| a == action),
                "{engine:?}: {action} not in {audit:?}"
            );
        }
    }
}

/// Every string of a report, and of its metadata where allowed, carries markup.
/// A refused upload must reach the client as its reason, not as a reset connection: the server
/// reads the body it refuses, so closing the connection does not discard the answer.
#[test]
fn a_refused_large_upload_still_gets_its_reason() {
    let server = TestServer::start(ENGINES[0], ServerConfig::default());
    server.add_repository("org/a");
    let big = envelope("org/a", "abcdef1", &report(12000, 40, "x"));
    assert!(big.len() > 2_000_000, "{} bytes", big.len());
    for attempt in 0..10 {
        let (status, text) = post_upload(&server.base, Some("vigie_1_00"), &big);
        assert_eq!(status, 401, "attempt {attempt}: {text}");
        assert!(text.contains("unknown or revoked"), "attempt {attempt}: {text}");
        let (status, text) = post_upload(&server.base, None, &big);
        assert_eq!(status, 401, "attempt {attempt}: {text}");
        assert!(text.contains("no upload token"), "attempt {attempt}: {text}");
    }
    assert_eq!(scans(&server), 0);
}

fn hostile_report() -> Value {
    let x = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">";
    let mut r = report(6, 3, x);
    for v in r["verdicts"].as_array_mut().unwrap() {
        v["subject"] = json!(format!("svc {x}"));
        v["location"]["path"] = json!(format!("deploy/{x}.yml"));
        v["fix"] = json!(format!("fix {x}"));
    }
    r["controls"][0]["title"] = json!(x);
    r["framework_results"][0]["title"] = json!(x);
    r["framework_results"][0]["sections"][0]["title"] = json!(x);
    r["framework_results"][0]["sections"][0]["requirements"][0]["title"] = json!(x);
    r["root"] = json!(x);
    with_attestation(r, "GOV-02", "2026-12-01")
}

#[test]
fn pages_escape_what_reports_say_and_need_an_account() {
    for engine in ENGINES {
        let config = ServerConfig {
            evidence_url: Some(
                "https://git.example.org/{repository}/blob/{commit}/{path}#L{line}".into(),
            ),
            ..ServerConfig::default()
        };
        let server = TestServer::start(engine, config);
        let (repo_id, token) = server.add_repository("org/app");
        let base = &server.base;
        let (s, t) = post_upload(
            base,
            Some(&token),
            &envelope("org/app", "abcdef1", &report(6, 1, "first")),
        );
        assert_eq!(s, 201, "{t}");
        let (s, t) = post_upload(
            base,
            Some(&token),
            &envelope("org/app", "abcdef2", &hostile_report()),
        );
        assert_eq!(s, 201, "{t}");
        let receipt: Value = serde_json::from_str(&t).unwrap();
        let scan = receipt["scan_id"].as_i64().unwrap();
        let first = server.with_db(async |db| {
            vigie_server::store::pages::scans_of(db, repo_id, 10)
                .await
                .unwrap()
                .last()
                .unwrap()
                .id
        });

        // anonymous: to the login page
        for path in [
            "/",
            &format!("/repositories/{repo_id}"),
            &format!("/scans/{scan}"),
            "/expiring",
            "/controls/CNT-04",
        ] {
            let (status, _) = get(base, path, None);
            assert_eq!(status, 303, "{engine:?} {path}");
        }
        let (status, _) = get(base, "/admin", None);
        assert_eq!(status, 303);

        let viewer = login(base, "viewer", ADMIN_PASSWORD).unwrap();
        let pages = [
            "/".to_string(),
            format!("/repositories/{repo_id}"),
            format!("/scans/{scan}"),
            format!("/scans/{scan}/verdicts/0"),
            format!("/scans/{scan}?control=CNT-04"),
            format!("/compare?a={first}&b={scan}"),
            "/controls/CNT-04".to_string(),
            "/expiring?days=3650".to_string(),
        ];
        for path in &pages {
            let (status, html) = get(base, path, Some(&viewer));
            assert_eq!(status, 200, "{engine:?} {path}: {html}");
            assert!(
                !html.contains("<script"),
                "{engine:?} {path} has a script tag"
            );
            assert!(!html.contains("<img"), "{engine:?} {path} has an img tag");
            assert!(!html.contains("onerror=\""), "{engine:?} {path}");
        }
        let (_, html) = get(base, &format!("/scans/{scan}/verdicts/0"), Some(&viewer));
        assert!(
            html.contains("&#60;script&#62;window.__pwned=1&#60;/script&#62;"),
            "{html}"
        );
        // the evidence link is built from the template, its path encoded
        assert!(
            html.contains("https://git.example.org/org/app/blob/abcdef2/deploy/%3Cscript%3E"),
            "{html}"
        );
        let (_, html) = get(base, "/controls/CNT-04", Some(&viewer));
        assert!(html.contains("org/app"), "{html}");
        let (_, html) = get(base, &format!("/compare?a={first}&b={scan}"), Some(&viewer));
        assert!(
            html.contains("New failures (3)") && html.contains("Fixed (1)"),
            "{html}"
        );
        let (_, html) = get(base, "/expiring?days=3650", Some(&viewer));
        assert!(
            html.contains("GOV-02") && html.contains("2026-12-01"),
            "{html}"
        );

        // a viewer is not an admin; an unknown scan is a 404
        assert_eq!(get(base, "/admin", Some(&viewer)).0, 403);
        assert_eq!(get(base, "/scans/12345", Some(&viewer)).0, 404);

        // the content security policy forbids inline script everywhere
        let r = agent()
            .get(&format!("{base}/"))
            .header("Cookie", &viewer)
            .call()
            .unwrap();
        let csp = r
            .headers()
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
    }
}

#[test]
fn forms_need_their_csrf_token_and_logins_are_rate_limited() {
    let server = TestServer::start(Engine::Sqlite, ServerConfig::default());
    let base = &server.base;
    let admin = login(base, "admin", ADMIN_PASSWORD).unwrap();
    let (_, page) = get(base, "/admin", Some(&admin));
    let csrf = hidden(&page, "csrf");
    let post = |csrf: &str, name: &str| {
        agent()
            .post(&format!("{base}/admin/repositories"))
            .header("Cookie", &admin)
            .send_form([
                ("csrf", csrf),
                ("name", name),
                ("default_branch", "main"),
                ("evidence_url", ""),
            ])
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(post("forged", "org/forged"), 403);
    assert_eq!(post(&csrf, "org/real"), 303);
    let names: Vec<String> = server.with_db(async |db| {
        vigie_server::store::accounts::repositories(db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect()
    });
    assert_eq!(names, vec!["org/real".to_string()]);

    // five wrong passwords, then even the right one waits
    for _ in 0..5 {
        assert_eq!(login(base, "viewer", "wrong password!!").unwrap_err(), 401);
    }
    assert_eq!(login(base, "viewer", ADMIN_PASSWORD).unwrap_err(), 429);
    // another account is not blocked by them
    assert!(login(base, "admin", ADMIN_PASSWORD).is_ok());
}

#[test]
fn public_read_opens_the_dashboard_only() {
    let config = ServerConfig {
        public_read: true,
        ..ServerConfig::default()
    };
    let server = TestServer::start(Engine::Sqlite, config);
    assert_eq!(get(&server.base, "/", None).0, 200);
    assert_eq!(get(&server.base, "/admin", None).0, 303);
    assert_eq!(get(&server.base, "/metrics", None).0, 401);
}

#[test]
fn health_and_metrics() {
    for engine in ENGINES {
        let config = ServerConfig {
            metrics_token: Some("scrape-secret".into()),
            ..ServerConfig::default()
        };
        let server = TestServer::start(engine, config);
        let (_, token) = server.add_repository("org/app");
        assert_eq!(
            post_upload(
                &server.base,
                Some(&token),
                &envelope("org/app", "abcdef1", &report(10, 1, "x"))
            )
            .0,
            201
        );
        assert_eq!(post_upload(&server.base, Some(&token), b"{").0, 400);
        assert_eq!(
            get(&server.base, "/healthz", None),
            (200, "ok\n".to_string())
        );
        assert_eq!(get(&server.base, "/metrics", None).0, 401);
        let mut r = agent()
            .get(&format!("{}/metrics", server.base))
            .header("Authorization", "Bearer scrape-secret")
            .call()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let text = r.body_mut().read_to_string().unwrap();
        for line in [
            "vigie_uploads_total{outcome=\"stored\"} 1",
            "vigie_uploads_total{outcome=\"rejected\"} 1",
            "vigie_compliance_ratio{repository=\"org/app\",framework=\"roadmap\"} 0.6666666666666666",
            "vigie_failures{repository=\"org/app\"} 1",
            "vigie_http_request_duration_seconds_bucket",
            "# EOF",
        ] {
            assert!(text.contains(line), "{engine:?}: {line} not in\n{text}");
        }
    }
}

#[test]
fn an_export_verifies_offline_and_names_what_was_altered() {
    for engine in ENGINES {
        let server = TestServer::start(engine, ServerConfig::default());
        let (_, token) = server.add_repository("org/app");
        let day = |d: u32| format!("2026-10-{d:02}T12:00:00Z");
        for d in 1..=6u32 {
            let mut env: Value = serde_json::from_slice(&envelope(
                "org/app",
                &format!("{d:07x}"),
                &with_attestation(
                    report(30, d as usize % 3, &d.to_string()),
                    "GOV-02",
                    "2030-01-01",
                ),
            ))
            .unwrap();
            env["scanned_at"] = json!(day(d));
            assert_eq!(
                post_upload(
                    &server.base,
                    Some(&token),
                    &serde_json::to_vec(&env).unwrap()
                )
                .0,
                201
            );
        }
        let export = |from: &str, to: &str, auth: (&str, &str)| {
            let mut r = agent()
                .get(&format!("{}/api/v1/export", server.base))
                .query("repository", "org/app")
                .query("from", from)
                .query("to", to)
                .header(
                    "Authorization",
                    &format!(
                        "Basic {}",
                        data_encoding::BASE64.encode(format!("{}:{}", auth.0, auth.1).as_bytes())
                    ),
                )
                .call()
                .unwrap();
            (
                r.status().as_u16(),
                r.body_mut()
                    .with_config()
                    .limit(u64::MAX)
                    .read_to_string()
                    .unwrap(),
            )
        };
        assert_eq!(
            export("2026-10-01", "2026-10-31", ("viewer", "wrong password!!")).0,
            401
        );
        let (status, text) = export("2026-10-02", "2026-10-04", ("viewer", ADMIN_PASSWORD));
        assert_eq!(status, 200, "{text}");
        let lines = || text.lines().map(|l| Ok(l.to_string()));
        let s = verify_export(lines()).unwrap();
        assert_eq!(
            (s.entries, s.reports, s.first_seq, s.last_seq, s.head_seq),
            (3, 3, Some(2), Some(4), 6),
            "{engine:?}"
        );

        // altered in any way, it names the line and the entry
        let mut altered: Vec<String> = text.lines().map(str::to_string).collect();
        let mut entry: Value = serde_json::from_str(&altered[2]).unwrap();
        entry["report"]["verdicts"][0]["message"] = json!("nothing to see");
        altered[2] = entry.to_string();
        let err = verify_export(altered.iter().map(|l| Ok(l.clone()))).unwrap_err();
        assert!(err.contains("line 3") && err.contains("entry 3"), "{err}");
        let mut dropped: Vec<String> = text.lines().map(str::to_string).collect();
        dropped.remove(2);
        assert!(verify_export(dropped.iter().map(|l| Ok(l.clone()))).is_err());
        let truncated: Vec<String> = text.lines().take(3).map(str::to_string).collect();
        let err = verify_export(truncated.iter().map(|l| Ok(l.clone()))).unwrap_err();
        assert!(err.contains("truncated"), "{err}");

        // the whole history, to the head
        let (_, all) = export("2026-01-01", "2026-12-31", ("admin", ADMIN_PASSWORD));
        let s = verify_export(all.lines().map(|l| Ok(l.to_string()))).unwrap();
        assert_eq!((s.entries, s.last_hash.clone()), (6, s.head_hash.clone()));

        // the admin endpoint agrees, and names an entry altered in the database
        let verify = |user: &str| {
            let mut r = agent()
                .get(&format!("{}/api/v1/verify", server.base))
                .header(
                    "Authorization",
                    &format!(
                        "Basic {}",
                        data_encoding::BASE64.encode(format!("{user}:{ADMIN_PASSWORD}").as_bytes())
                    ),
                )
                .call()
                .unwrap();
            (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
        };
        assert_eq!(verify("viewer").0, 403);
        let (status, body) = verify("admin");
        assert_eq!(status, 200);
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap()["altered"],
            json!([])
        );
        server.with_db(async |db| {
            sqlx::query("UPDATE scans SET commit_sha = 'fffffff' WHERE seq = 5")
                .execute(&db.pool)
                .await
                .unwrap();
        });
        let v: Value = serde_json::from_str(&verify("admin").1).unwrap();
        assert_eq!(v["altered"][0]["seq"], json!(5), "{v}");
    }
}
