//! The dashboard in a real browser: Debian's Chromium, headless, driven through chromedriver.
//! Log in, create a repository and its upload token, upload two scans (the second with markup
//! in every string), see the repository, open a failure, compare the two scans — and check
//! that nothing from the reports ran. Screenshots go to `$CARGO_TARGET_TMPDIR/browser/`.
//! Chromium or chromedriver missing is a failure (`.ci/run` installs them).

use crate::common::*;
use fantoccini::{ClientBuilder, Locator};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use vigie_server::ServerConfig;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_driver() -> (Driver, String) {
    assert!(
        std::path::Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: apt-get install chromium chromium-driver"
    );
    let port = free_port();
    // waited for when the `Driver` is dropped
    #[allow(clippy::zombie_processes)]
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{CHROMEDRIVER} cannot start ({e}): apt-get install chromium-driver")
        });
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if agent().get(&format!("{url}/status")).call().is_ok() {
            return (Driver(child), url);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("chromedriver did not answer on {url}");
}

fn hostile(tag: &str) -> Value {
    let x =
        format!("<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">{tag}");
    let mut r = report(8, 3, &x);
    for v in r["verdicts"].as_array_mut().unwrap() {
        v["subject"] = json!(format!("svc {x}"));
        v["fix"] = json!("set read_only: true");
    }
    r
}

#[test]
fn log_in_upload_see_open_a_failure_and_compare() {
    let (_driver, driver_url) = start_driver();
    let config = ServerConfig {
        evidence_url: Some(
            "https://git.example.org/{repository}/blob/{commit}/{path}#L{line}".into(),
        ),
        ..ServerConfig::default()
    };
    let server = TestServer::start(Engine::Sqlite, config);
    // `localhost` is a secure context for the browser: the `Secure`, `__Host-` cookies hold on
    // plain HTTP there, as they do behind TLS
    let base = server.base.replace("127.0.0.1", "localhost");
    let shots = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).unwrap();
    let profile = tempfile::tempdir().unwrap();

    server.rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--window-size=1400,1000",
                         format!("--user-data-dir={}", profile.path().display())]
            }),
        );
        let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver_url)
            .await
            .expect("chromium did not start through chromedriver");
        let shot = async |name: &str| {
            let png = c.screenshot().await.unwrap();
            std::fs::write(shots.join(format!("{name}.png")), png).unwrap();
        };

        // log in
        c.goto(&format!("{base}/")).await.unwrap();
        assert_eq!(c.current_url().await.unwrap().path(), "/login");
        c.find(Locator::Id("name"))
            .await
            .unwrap()
            .send_keys("admin")
            .await
            .unwrap();
        c.find(Locator::Id("password"))
            .await
            .unwrap()
            .send_keys(ADMIN_PASSWORD)
            .await
            .unwrap();
        shot("1-login").await;
        c.find(Locator::Id("login"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait().for_element(Locator::Css("form.logout")).await.ok();
        assert_eq!(
            c.current_url().await.unwrap().path(),
            "/",
            "the login did not hold"
        );

        // a repository and its token, through the admin page
        c.goto(&format!("{base}/admin")).await.unwrap();
        let form = c.form(Locator::Id("new-repository")).await.unwrap();
        form.set_by_name("name", "org/shop").await.unwrap();
        form.submit().await.unwrap();
        // back on the admin page once the repository is listed
        c.wait()
            .for_element(Locator::LinkText("org/shop"))
            .await
            .unwrap();
        let form = c.form(Locator::Id("new-token")).await.unwrap();
        form.submit().await.unwrap();
        let token = c
            .wait()
            .for_element(Locator::Id("secret"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(token.starts_with("vigie_"), "{token}");

        // CI uploads two scans with that token
        let token2 = token.clone();
        let base2 = base.clone();
        tokio::task::spawn_blocking(move || {
            for (commit, r) in [
                ("1111111", report(8, 1, "first")),
                ("2222222", hostile("second")),
            ] {
                let (s, t) = post_upload(&base2, Some(&token2), &envelope("org/shop", commit, &r));
                assert_eq!(s, 201, "{t}");
            }
        })
        .await
        .unwrap();

        // the overview shows it; open it
        c.goto(&format!("{base}/")).await.unwrap();
        shot("2-overview").await;
        c.find(Locator::LinkText("org/shop"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let title = c
            .wait()
            .for_element(Locator::Id("repository-name"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(title, "org/shop");
        shot("3-repository").await;

        // open a failure: the markup is shown as text and nothing ran
        c.find(Locator::Css("a.failure"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let message = c
            .wait()
            .for_element(Locator::Id("verdict-message"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            message.contains("<script>window.__pwned=1</script>"),
            "{message}"
        );
        let evidence = c
            .find(Locator::Id("evidence"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        assert!(
            evidence.starts_with("https://git.example.org/org/shop/blob/2222222/deploy/"),
            "{evidence}"
        );
        shot("4-failure").await;
        let pwned = c
            .execute("return typeof window.__pwned;", vec![])
            .await
            .unwrap();
        assert_eq!(pwned, json!("undefined"), "a script from the report ran");

        // compare the two scans
        c.back().await.unwrap();
        c.wait()
            .for_element(Locator::Id("compare"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let heading = c
            .wait()
            .for_element(Locator::Id("new-failures"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(heading, "New failures (3)");
        let fixed = c
            .find(Locator::Id("fixed"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(fixed, "Fixed (1)");
        shot("5-compare").await;
        let pwned = c
            .execute("return typeof window.__pwned;", vec![])
            .await
            .unwrap();
        assert_eq!(pwned, json!("undefined"));

        // the control across the organisation
        c.goto(&format!("{base}/controls/CNT-04")).await.unwrap();
        let rows = c
            .find(Locator::Id("control-failures"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(rows.contains("org/shop"), "{rows}");
        shot("6-control").await;
        c.close().await.unwrap();
    });
}
