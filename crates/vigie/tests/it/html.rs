//! `--format html` in a real browser: Debian's `chromium`, headless, loads the page from disk,
//! serialises the DOM it built and takes screenshots at phone and desktop widths (kept under
//! `target/tmp/html/` to be looked at). The DOM must hold every section of both documents, every
//! measure, the attestations to do and the waivers; no markup a scanned repository holds may
//! become an element; and the page makes no request (it would be refused by its policy, and the
//! test gives chromium no network).

use crate::common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium(args: &[&str], page: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--proxy-server=127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| panic!("{CHROMIUM} must be installed (.ci/run installs it): {e}"));
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn shots_dir() -> PathBuf {
    let d = root().join("target/tmp/html");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn render(repo: &Path, page: &Path) {
    let (code, _, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(repo)
            .args(["--format", "html", "-o"])
            .arg(page),
    );
    assert!(code == 0 || code == 1, "{err}");
}

fn screenshot(page: &Path, name: &str, size: &str) {
    let shot = shots_dir().join(name);
    let _ = std::fs::remove_file(&shot);
    chromium(
        &[
            &format!("--screenshot={}", shot.display()),
            &format!("--window-size={size}"),
            "--hide-scrollbars",
        ],
        page,
    );
    let len = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        len > 10_000,
        "{name}: the screenshot is empty ({len} bytes)"
    );
}

#[test]
fn the_html_report_renders_every_section_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let repo = example("compose-gaps");
    render(&repo, &page);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<script"), "the page carries no script");
    let dom = chromium(&["--dump-dom"], &page);
    for id in ["roadmap", "devsecops", "graph", "attestations", "waivers"] {
        assert!(
            dom.contains(&format!("id=\"{id}\"")),
            "section `{id}` missing from the DOM"
        );
    }
    // every measure of both documents is a list item with its requirement
    let catalog = vigie_core::catalog::Catalog::embedded();
    for fw in catalog.frameworks.iter().filter(|f| f.document) {
        for r in fw.sections.iter().flat_map(|s| &s.requirements) {
            let label = vigie_core::catalog::Catalog::label(fw, r);
            assert!(
                dom.contains(&format!("data-requirement=\"{label}\"")),
                "{label} is not in the page"
            );
        }
    }
    // a measure only a person can attest says so, in the Markdown document's words
    let markdown = vigie()
        .args(["scan"])
        .arg(&repo)
        .args(["--format", "markdown"])
        .output()
        .unwrap();
    let markdown = String::from_utf8_lossy(&markdown.stdout);
    for why in [
        "needs an attestation (to do)",
        "no check can decide it from the repository; to be attested",
    ] {
        assert!(markdown.contains(why), "{why}: not in the Markdown");
        assert!(dom.contains(why), "{why}: not in the page");
    }
    // the graph is drawn inline, as SVG
    assert!(dom.contains("<svg"), "no graph");
    screenshot(&page, "compose-gaps-phone.png", "390,844");
    screenshot(&page, "compose-gaps-desktop.png", "1280,2000");
    // printable: chromium prints it to PDF
    let pdf = shots_dir().join("compose-gaps.pdf");
    let _ = std::fs::remove_file(&pdf);
    chromium(
        &[
            &format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer",
        ],
        &page,
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(
        bytes.starts_with(b"%PDF") && bytes.len() > 20_000,
        "{} bytes",
        bytes.len()
    );
}

/// Names from a repository — a Compose service, a waiver's reason, a file path — carry markup;
/// the page shows them as text.
#[test]
fn markup_in_a_scanned_repository_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("x\"><img src=y onerror=alert(3)>")).unwrap();
    std::fs::write(
        repo.join("docker-compose.yml"),
        "services:\n  \"<img src=x onerror=alert(1)>\":\n    image: postgres:17.2\n    privileged: true\n    environment:\n      DB_PASSWORD: \"</code><script>alert(2)</script>\"\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("x\"><img src=y onerror=alert(3)>/Dockerfile"),
        "FROM alpine:3.20\nENV API_TOKEN=\"<b>bold</b>\"\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("vigie.toml"),
        "[report]\nlink = \"javascript:alert(4)//{path}\"\n\n[[waiver]]\ncheck = \"CNT-06.1\"\npath = \"docker-compose.yml\"\nreason = \"<iframe src=//evil.example></iframe>\"\nowner = \"<u>ops</u>\"\nexpires = 2099-01-01\n",
    )
    .unwrap();
    let page = dir.path().join("report.html");
    render(&repo, &page);
    let dom = chromium(&["--dump-dom"], &page);
    for element in ["<img", "<script", "<iframe", "<b>", "<u>", "javascript:"] {
        assert!(
            !dom.contains(element),
            "`{element}` from the repository became markup:\n{dom}"
        );
    }
    // and the text is there, escaped
    assert!(dom.contains("&lt;img src=x onerror=alert(1)&gt;"), "{dom}");
    assert!(dom.contains("&lt;iframe"), "{dom}");
    screenshot(&page, "markup-phone.png", "390,844");
}
