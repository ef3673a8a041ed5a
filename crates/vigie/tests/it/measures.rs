//! The documents' measures read as an auditor reads them: on the examples and on small
//! platforms written here, each measure is decided by its own checks, "not applicable" only
//! where its subject does not exist, and otherwise proven, failed, or listed to attest.

use crate::common;
use common::*;
use serde_json::Value;
use std::path::Path;

fn scan_json(repo: &Path) -> Value {
    let (code, out, err) = stdout_of(vigie().arg("scan").arg(repo).args(["--format", "json"]));
    assert!(code == 0 || code == 1, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn scan_markdown(repo: &Path) -> String {
    let (code, out, err) = stdout_of(vigie().arg("scan").arg(repo).args(["--format", "markdown"]));
    assert!(code == 0 || code == 1, "{err}");
    out
}

/// A requirement's result in the JSON report: (status, checks).
fn requirement(report: &Value, framework: &str, id: &str) -> (String, Vec<String>) {
    let fw = report["framework_results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == framework)
        .unwrap_or_else(|| panic!("no framework {framework}"));
    let r = fw["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["requirements"].as_array().unwrap())
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no requirement {framework} {id}"));
    (
        r["status"].as_str().unwrap().to_string(),
        r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect(),
    )
}

/// The lines of a measure in the markdown document: its checkbox line and the evidence under it.
fn measure<'a>(markdown: &'a str, title: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut inside = false;
    for l in markdown.lines() {
        let t = l.trim_start();
        if t.starts_with("- [") {
            inside = t.contains(&format!("**{title}**"));
        } else if !l.starts_with("        ") {
            inside = false;
        }
        if inside {
            out.push(l);
        }
    }
    assert!(!out.is_empty(), "no measure `{title}`");
    out
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (p, text) in files {
        let f = dir.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, text).unwrap();
    }
}

#[test]
fn compose_gaps_measures_carry_only_their_own_failures() {
    let repo = example("compose-gaps");
    let report = scan_json(&repo);
    // no Google Cloud in this repository: its key and Workload Identity measures have no subject
    for id in ["3.4a", "3.4b", "3.3", "3.1"] {
        let (status, _) = requirement(&report, "devsecops", id);
        assert_eq!(status, "not_applicable", "devsecops {id}");
    }
    // failed builds and the dependency review have their own checks, which fail here
    assert_eq!(
        requirement(&report, "devsecops", "6.2d"),
        ("non_compliant".to_string(), vec!["LOG-04.1".to_string()])
    );
    assert_eq!(requirement(&report, "devsecops", "2.2a").0, "non_compliant");
    let md = scan_markdown(&repo);
    for title in [
        "Service-account keys rotated",
        "Workload Identity preferred over service-account keys",
    ] {
        let lines = measure(&md, title);
        assert_eq!(
            lines.len(),
            1,
            "{title} shows no evidence of other checks: {lines:#?}"
        );
    }
    let metrics = measure(&md, "Metrics: queue of failed builds").join("\n");
    assert!(
        !metrics.contains("ServiceMonitor") && !metrics.contains("scrapes"),
        "{metrics}"
    );
    let review = measure(&md, "Bi-weekly dependency review").join("\n");
    assert!(review.contains("Dependabot or Renovate"), "{review}");
    assert!(!review.contains("npm install"), "{review}");
}

#[test]
fn a_compose_database_volume_makes_disk_encryption_an_attestation() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[(
            "docker-compose.yml",
            "services:\n  db:\n    image: postgres:17.2\n    volumes:\n      - pgdata:/var/lib/postgresql/data\nvolumes:\n  pgdata: {}\n",
        )],
    );
    let report = scan_json(dir.path());
    let (status, _) = requirement(&report, "roadmap", "4.2");
    assert_eq!(status, "not_assessed");
    let md = scan_markdown(dir.path());
    let disk = measure(&md, "Disk Encryption").join("\n");
    assert!(disk.contains("`db` keeps its data on `pgdata`"), "{disk}");
    assert!(disk.contains("to be attested"), "{disk}");
    assert!(
        md.contains("| CRY-04 |"),
        "the attestation is listed to do:\n{md}"
    );
    // an init script is not where the data lives; two projects of one database name it once
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "docker-compose.yml",
                "services:\n  db:\n    image: postgres:17.2\n    volumes:\n      - ./init.sql:/docker-entrypoint-initdb.d/init.sql\n      - pgdata:/var/lib/postgresql/data\nvolumes:\n  pgdata: {}\n",
            ),
            (
                "docker-compose.prod.yml",
                "services:\n  db:\n    restart: always\n",
            ),
        ],
    );
    let disk = measure(&scan_markdown(dir.path()), "Disk Encryption").join("\n");
    assert_eq!(
        disk.matches("`db` keeps its data on `pgdata`").count(),
        1,
        "{disk}"
    );
    assert!(!disk.contains("init.sql"), "{disk}");
    // without a database, there is nothing to encrypt
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[(
            "docker-compose.yml",
            "services:\n  web:\n    image: nginx:1.27\n",
        )],
    );
    assert_eq!(
        requirement(&scan_json(dir.path()), "roadmap", "4.2").0,
        "not_applicable"
    );
}

#[test]
fn compose_secrets_in_env_files_fail_vault_integration() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "docker-compose.yml",
                "services:\n  api:\n    image: example/api:1.4\n    env_file: [api.env]\n  db:\n    image: postgres:17.2\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n    secrets: [db_password]\nsecrets:\n  db_password:\n    environment: DB_PASSWORD\n",
            ),
            ("api.env", "DATABASE_HOST=db\nDATABASE_PASSWORD=changeme\n"),
        ],
    );
    let report = scan_json(dir.path());
    assert_eq!(
        requirement(&report, "roadmap", "4.3").0,
        "partially_compliant"
    );
    let md = scan_markdown(dir.path());
    let vault = measure(&md, "Vault Integration").join("\n");
    assert!(
        vault.contains("`DATABASE_PASSWORD` comes from the env_file `api.env`"),
        "{vault}"
    );
}

#[test]
fn a_proxy_offering_static_rsa_fails_the_anssi_tls_guide_and_secnumcloud() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "docker-compose.yml",
                "services:\n  proxy:\n    image: nginx:1.27\n    ports: [\"443:443\"]\n    volumes:\n      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro\n",
            ),
            (
                "nginx/nginx.conf",
                "http {\n  server {\n    listen 443 ssl;\n    ssl_certificate /etc/nginx/certs/fullchain.pem;\n    ssl_certificate_key /etc/nginx/certs/privkey.pem;\n    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384:AES256-GCM-SHA384:AES128-SHA;\n  }\n}\n",
            ),
        ],
    );
    let report = scan_json(dir.path());
    let (status, checks) = requirement(&report, "anssi-tls", "R5-R13");
    assert_eq!(status, "non_compliant");
    assert_eq!(checks, ["CRY-02"]);
    assert_eq!(requirement(&report, "anssi-tls", "R4").0, "compliant");
    assert_eq!(
        requirement(&report, "secnumcloud", "10.2.c").0,
        "non_compliant"
    );
}
