//! Fail closed: no hostile or odd input may silence a check, hang the gate, lose a write or
//! print a credential. Each test reproduces one way it used to happen, with generated input.

use crate::common::*;
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::time::Duration;

fn scan_json(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let (code, out, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(dir)
            .args(["--format", "json"])
            .args(extra)
            .timeout(Duration::from_secs(120)),
    );
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v, err)
}

/// (check, outcome, line) of every verdict located in `path`, sorted.
fn verdicts_in(report: &Value, path: &str) -> Vec<(String, String, u64)> {
    let mut v: Vec<(String, String, u64)> = report["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["location"]["path"] == path)
        .map(|x| {
            (
                x["check"].as_str().unwrap().to_string(),
                x["outcome"].as_str().unwrap().to_string(),
                x["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    v.sort();
    v
}

fn diagnostics(report: &Value) -> Vec<(String, String, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["location"]["path"].as_str().unwrap_or("").to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn write(dir: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, bytes).unwrap();
}

/// A Latin-1 byte in a comment must not make vigie skip the file: its verdicts are the same as
/// without it, and the scan says the file was decoded lossily.
#[test]
fn non_utf8_configuration_is_judged_with_a_note() {
    let cases: [(&str, &str); 6] = [
        (
            "infra/main.tf",
            "resource \"google_storage_bucket\" \"b\" {\n  name     = \"b\"\n  location = \"US\"\n}\n",
        ),
        ("infra/prod.auto.tfvars", "region = \"us-east1\"\n"),
        (
            "nginx/nginx.conf",
            "http {\n  server {\n    listen 443 ssl;\n    ssl_protocols TLSv1 TLSv1.2;\n  }\n}\n",
        ),
        (
            "Caddyfile",
            "shop.example {\n  tls {\n    protocols tls1.1 tls1.3\n  }\n}\n",
        ),
        (
            "haproxy.cfg",
            "frontend web\n  bind :443 ssl crt /etc/ssl/site.pem ssl-min-ver TLSv1.0\n",
        ),
        (".github/CODEOWNERS", "* @example/platform\n"),
    ];
    for (rel, text) in cases {
        let clean = tempfile::tempdir().unwrap();
        write(clean.path(), rel, text);
        let latin1 = tempfile::tempdir().unwrap();
        let mut bytes = text.as_bytes().to_vec();
        bytes.extend_from_slice(b"# caf\xe9\n");
        write(latin1.path(), rel, &bytes);
        if rel.ends_with(".tfvars") {
            let main = "variable \"region\" {}\nresource \"google_storage_bucket\" \"b\" {\n  name     = \"b\"\n  location = var.region\n}\n";
            write(clean.path(), "infra/main.tf", main);
            write(latin1.path(), "infra/main.tf", main);
        }
        let (_, a, _) = scan_json(clean.path(), &[]);
        let (_, b, _) = scan_json(latin1.path(), &[]);
        let judged = if rel.ends_with(".tfvars") {
            "infra/main.tf"
        } else {
            rel
        };
        let want = verdicts_in(&a, judged);
        assert!(!want.is_empty(), "{rel}: the clean file is judged");
        assert_eq!(
            verdicts_in(&b, judged),
            want,
            "{rel}: same verdicts with a Latin-1 byte"
        );
        assert!(
            diagnostics(&b)
                .iter()
                .any(|(code, path, m)| code == "VG-ENCODING"
                    && path == rel
                    && m.contains("offset")),
            "{rel}: {:?}",
            diagnostics(&b)
        );
    }
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let st = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .unwrap();
    assert!(st.success(), "mkfifo {}", p.display());
}

/// A FIFO in the tree used to hang `scan` and `graph` forever; only regular files are read.
#[cfg(unix)]
#[test]
fn fifos_and_devices_are_reported_not_read() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "compose.yaml",
        "services:\n  a:\n    image: x:1\n",
    );
    mkfifo(&d.path().join("z.yaml"));
    mkfifo(&d.path().join("Dockerfile"));
    let (_, v, err) = scan_json(d.path(), &[]);
    let diags = diagnostics(&v);
    for f in ["z.yaml", "Dockerfile"] {
        assert!(
            diags
                .iter()
                .any(|(c, p, m)| c == "VG-IO" && p == f && m.contains("FIFO")),
            "{f}: {diags:?}\n{err}"
        );
    }
    assert!(
        !verdicts_in(&v, "compose.yaml").is_empty(),
        "the rest is judged"
    );
    let (code, _, err) = stdout_of(
        vigie()
            .arg("graph")
            .arg(d.path())
            .args(["--format", "dot"])
            .timeout(Duration::from_secs(120)),
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("FIFO"), "{err}");

    // --config on a FIFO, on a character device, and a vigie.toml that is a FIFO
    let fifo = d.path().join("cfg.toml");
    mkfifo(&fifo);
    for cfg in [fifo.as_path(), Path::new("/dev/zero")] {
        let (code, _, err) = stdout_of(
            vigie()
                .arg("scan")
                .arg(d.path())
                .arg("--config")
                .arg(cfg)
                .timeout(Duration::from_secs(60)),
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("not a regular file"), "{err}");
    }
    mkfifo(&d.path().join("vigie.toml"));
    let (code, _, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(d.path())
            .timeout(Duration::from_secs(60)),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("vigie.toml") && err.contains("FIFO"), "{err}");
    // a character device given as the path to scan
    let (code, out, err) = stdout_of(
        vigie()
            .args(["scan", "/dev/zero", "--format", "json"])
            .timeout(Duration::from_secs(60)),
    );
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("character device"),
        "{out}{err}"
    );
}

/// `module "me" { source = "./" }` used to make the root module vanish and the scan pass.
#[test]
fn a_module_calling_itself_closes_the_gate() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        "module \"me\" {\n  source = \"./\"\n}\nresource \"google_storage_bucket\" \"b\" {\n  name     = \"b\"\n  location = \"US\"\n}\n",
    );
    write(
        d.path(),
        "compose.yaml",
        "services:\n  a:\n    image: x:1\n    user: \"1000\"\n",
    );
    let (code, v, err) = scan_json(d.path(), &[]);
    assert_eq!(code, 1, "the gate is closed: {err}");
    let diags = diagnostics(&v);
    assert!(
        diags.iter().any(|(c, p, m)| c == "VG-REFERENCE"
            && p == "main.tf"
            && m.contains("calls its own folder")),
        "{diags:?}"
    );
    let unassessed: Vec<&str> = v["unassessed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["check"].as_str().unwrap())
        .collect();
    assert!(unassessed.contains(&"SOV-01.1"), "{unassessed:?}");
    // the resources are still read, not dropped
    assert!(!verdicts_in(&v, "main.tf").is_empty());
}

/// Compose `include:` (2.20+): a privileged service in an included file used to go unseen.
#[test]
fn compose_include_is_followed_as_docker_compose_does() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "compose.yaml",
        "include:\n  - infra/db.yaml\n  - path: [infra/proxy.yaml]\n    project_directory: infra\nservices:\n  web:\n    image: web:1\n",
    );
    write(
        d.path(),
        "infra/db.yaml",
        "services:\n  db:\n    image: postgres:16\n    privileged: true\n    network_mode: host\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n",
    );
    write(
        d.path(),
        "infra/proxy.yaml",
        "services:\n  proxy:\n    image: ${PROXY_IMAGE}\n    privileged: true\n",
    );
    write(d.path(), "infra/.env", "PROXY_IMAGE=traefik:3\n");
    let (code, v, err) = scan_json(d.path(), &[]);
    assert_eq!(code, 1, "{err}");
    let db = verdicts_in(&v, "infra/db.yaml");
    assert!(
        db.iter()
            .any(|(c, o, l)| c == "CNT-06.1" && o == "fail" && *l == 4),
        "privileged, at its line in the included file: {db:?}"
    );
    let proxy = v["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["check"] == "CNT-06.1" && x["location"]["path"] == "infra/proxy.yaml")
        .cloned();
    assert!(proxy.is_some(), "{:?}", verdicts_in(&v, "infra/proxy.yaml"));
    // a service both define is a conflict docker compose refuses
    write(
        d.path(),
        "compose.yaml",
        "include:\n  - infra/db.yaml\nservices:\n  db:\n    image: postgres:16\n",
    );
    let (_, v, _) = scan_json(d.path(), &[]);
    assert!(
        diagnostics(&v)
            .iter()
            .any(|(c, p, m)| c == "VG-REFERENCE" && p == "compose.yaml" && m.contains("included")),
        "{:?}",
        diagnostics(&v)
    );
}

/// Settings that would judge nothing, and configuration files that cannot be used, are errors
/// that name the file (exit 2), never a silent PASS.
#[test]
fn configurations_that_judge_nothing_are_errors() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "compose.yaml",
        "services:\n  a:\n    image: x:1\n    privileged: true\n",
    );
    for (toml, needle) in [
        ("frameworks = []\n", "frameworks"),
        ("max_file_size = \"0\"\n", "max_file_size"),
        (
            "[[waiver]]\ncheck = \"CNT-06\"\nexpires = 2099-01-01\n",
            "reason",
        ),
        (
            "[[waiver]]\ncheck = \"CNT-06\"\nreason = \"lab\"\n",
            "expires",
        ),
    ] {
        write(d.path(), "vigie.toml", toml);
        let (code, _, err) = stdout_of(vigie().arg("scan").arg(d.path()));
        assert_eq!(code, 2, "{toml}: {err}");
        assert!(
            err.contains("vigie.toml:") && err.contains(needle),
            "{toml}: {err}"
        );
    }
    fs::remove_file(d.path().join("vigie.toml")).unwrap();
    let (code, _, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(d.path())
            .args(["--max-file-size", "0"]),
    );
    assert_eq!(code, 2, "{err}");
    // not UTF-8
    write(d.path(), "vigie.toml", b"fail_on = \"high\" # caf\xe9\n");
    let (code, _, err) = stdout_of(vigie().arg("scan").arg(d.path()));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("UTF-8"), "{err}");
    fs::remove_file(d.path().join("vigie.toml")).unwrap();
    // a -f file outside the scanned folder
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "compose.yaml", "services: {}\n");
    let rel = format!(
        "../{}/compose.yaml",
        outside.path().file_name().unwrap().to_string_lossy()
    );
    let (code, _, err) = stdout_of(vigie().arg("scan").arg(d.path()).args(["-f", &rel]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("outside the scanned folder"), "{err}");
}

/// Credentials in URLs quoted by findings are masked in every format and on stderr.
#[test]
fn credentials_in_urls_are_never_printed() {
    let d = tempfile::tempdir().unwrap();
    let secrets = ["glpatTOKEN0123456789", "hunter2pass", "ghpDOCKER987654"];
    write(
        d.path(),
        "main.tf",
        "module \"net\" {\n  source = \"git::https://oauth2:glpatTOKEN0123456789@gitlab.example/net.git?ref=v1\"\n}\n",
    );
    write(
        d.path(),
        "Dockerfile",
        "FROM alpine:3.20\nADD https://deploy:hunter2pass@files.example/tool.tgz /opt/\n",
    );
    write(
        d.path(),
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker://bot:ghpDOCKER987654@registry.example/img:1\n",
    );
    for format in ["json", "sarif", "markdown", "junit", "text"] {
        let (_, out, err) =
            stdout_of(
                vigie()
                    .arg("scan")
                    .arg(d.path())
                    .args(["--format", format, "--verbose"]),
            );
        for s in secrets {
            assert!(!out.contains(s), "{format}: {s} printed:\n{out}");
            assert!(!err.contains(s), "{format}: {s} on stderr:\n{err}");
        }
        assert!(
            out.contains("oauth2:***@"),
            "{format}: the URL is still quoted:\n{out}"
        );
    }
    let (_, out, err) = stdout_of(vigie().arg("graph").arg(d.path()).args(["--format", "dot"]));
    for s in secrets {
        assert!(!out.contains(s) && !err.contains(s), "graph: {s}");
    }
}

/// Twenty parallel `vigie attest` used to lose attestations or corrupt the file.
#[test]
fn parallel_attestations_are_all_kept() {
    let d = tempfile::tempdir().unwrap();
    let children: Vec<std::process::Child> = (0..20)
        .map(|i| {
            let cmd = vigie();
            let mut c = std::process::Command::new(cmd.get_program());
            for (k, v) in cmd.get_envs() {
                match v {
                    Some(v) => c.env(k, v),
                    None => c.env_remove(k),
                };
            }
            c.args([
                "attest",
                "GOV-02",
                "--statement",
                &format!("restore test number {i}"),
                "--owner",
                "ops@example.org",
                "--expires",
                "2027-03-01",
                "--root",
            ])
            .arg(d.path())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let text = fs::read_to_string(d.path().join(".vigie/attestations.toml")).unwrap();
    let parsed: toml_check::Doc = toml_check::parse(&text);
    assert_eq!(parsed.attestations, 20, "{text}");
    for i in 0..20 {
        assert!(
            text.contains(&format!("restore test number {i}\"")),
            "{i}: {text}"
        );
    }
}

/// The attestations file must stay valid TOML with every entry: counted by its headers, each
/// followed by a control line (a torn write leaves a header without one).
mod toml_check {
    pub struct Doc {
        pub attestations: usize,
    }
    pub fn parse(text: &str) -> Doc {
        let blocks: Vec<&str> = text.split("[[attestation]]").skip(1).collect();
        for b in &blocks {
            assert!(b.contains("control = \"GOV-02\""), "torn entry: {b}");
        }
        Doc {
            attestations: blocks.len(),
        }
    }
}

fn osv_record(id: &str, package: &str) -> String {
    format!(
        "{{\"id\":\"{id}\",\"modified\":\"2024-03-01T10:00:00Z\",\"affected\":[{{\"package\":{{\"ecosystem\":\"npm\",\"name\":\"{package}\"}},\"ranges\":[{{\"type\":\"ECOSYSTEM\",\"events\":[{{\"introduced\":\"0\"}},{{\"fixed\":\"1.0.0\"}}]}}]}}]}}\n"
    )
}

/// Two parallel `vigie db import` used to lose the smaller import; a damaged database must be
/// recoverable the way its error message says.
#[test]
fn parallel_imports_keep_both_and_a_damaged_database_is_replaced() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("osv.db");
    let mut inputs = Vec::new();
    for batch in 0..4 {
        let dir = d.path().join(format!("in{batch}"));
        fs::create_dir_all(&dir).unwrap();
        for i in 0..(5 + batch * 20) {
            let id = format!("GHSA-b{batch}-{i}");
            fs::write(
                dir.join(format!("{id}.json")),
                osv_record(&id, &format!("p{batch}-{i}")),
            )
            .unwrap();
        }
        inputs.push((dir, 5 + batch * 20));
    }
    let children: Vec<_> = inputs
        .iter()
        .map(|(dir, _)| {
            std::process::Command::new(vigie().get_program())
                .args(["db", "import", "--db"])
                .arg(&db)
                .arg(dir)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let total: usize = inputs.iter().map(|(_, n)| n).sum();
    let (code, out, err) = stdout_of(vigie().args(["db", "status"]).env("VIGIE_DB", &db));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("advisories  {total}")), "{out}");

    fs::write(&db, b"garbage").unwrap();
    let (code, _, err) = stdout_of(vigie().args(["db", "status"]).env("VIGIE_DB", &db));
    assert_ne!(code, 0);
    assert!(err.contains("vigie db import --db"), "{err}");
    let (code, _, err) = stdout_of(
        vigie()
            .args(["db", "import", "--db"])
            .arg(&db)
            .arg(&inputs[0].0),
    );
    assert_eq!(code, 0, "the recovery the message suggests works: {err}");
    assert!(err.contains("replaced"), "{err}");
}

/// `hook install --force` keeps the hook it replaces.
#[test]
fn hook_install_force_keeps_a_backup() {
    let d = tempfile::tempdir().unwrap();
    let st = std::process::Command::new("git")
        .args(["init", "-q"])
        .arg(d.path())
        .status()
        .unwrap();
    assert!(st.success());
    let hook = d.path().join(".git/hooks/pre-commit");
    fs::create_dir_all(hook.parent().unwrap()).unwrap();
    fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let path = crate::ci::path_with_vigie();
    let (code, _, err) = stdout_of(
        vigie()
            .args(["hook", "install"])
            .arg(d.path())
            .env("PATH", &path),
    );
    assert_eq!(code, 2, "refused without --force: {err}");
    assert_eq!(fs::read_to_string(&hook).unwrap(), "#!/bin/sh\necho mine\n");
    for round in 0..2 {
        fs::write(&hook, format!("#!/bin/sh\necho mine {round}\n")).unwrap();
        let (code, _, err) = stdout_of(
            vigie()
                .args(["hook", "install", "--force"])
                .arg(d.path())
                .env("PATH", &path),
        );
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("backup"), "{err}");
    }
    let b0 = fs::read_to_string(d.path().join(".git/hooks/pre-commit.backup")).unwrap();
    let b1 = fs::read_to_string(d.path().join(".git/hooks/pre-commit.backup.1")).unwrap();
    assert_eq!(
        (b0.as_str(), b1.as_str()),
        ("#!/bin/sh\necho mine 0\n", "#!/bin/sh\necho mine 1\n")
    );
    assert!(
        fs::read_to_string(&hook)
            .unwrap()
            .contains("vigie secrets --staged")
    );
}

/// A `vigie.toml` that `vigie secrets` cannot read stops it (exit 2, with the line), in the
/// working tree and in the pre-commit hook's `--staged` run, as it stops `vigie scan`: the
/// secrets are never looked for with settings the user did not write.
#[test]
fn secrets_refuse_a_configuration_they_cannot_read() {
    let d = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(d.path())
            .output()
            .expect("git runs")
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    write(
        d.path(),
        "deploy.env",
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLF\n",
    );
    git(&["add", "deploy.env"]);
    for (toml, needle) in [
        ("x [\n", "vigie.toml:1: not valid TOML"),
        ("[secrets]\nallow_pathz = [\"x\"]\n", "allow_pathz"),
        ("secrets = 3\n", "[secrets] must be a table"),
    ] {
        write(d.path(), "vigie.toml", toml);
        for staged in [false, true] {
            let mut c = vigie();
            c.arg("secrets").arg(d.path());
            if staged {
                c.arg("--staged");
            }
            let (code, out, err) = stdout_of(&mut c);
            assert_eq!(code, 2, "{toml} staged={staged}: {out}{err}");
            assert!(err.contains(needle), "{toml}: {err}");
        }
    }
    // and a readable one is used
    write(
        d.path(),
        "vigie.toml",
        "[secrets]\nallow_paths = [\"nothing-here\"]\n",
    );
    let (code, out, err) = stdout_of(vigie().arg("secrets").arg(d.path()));
    assert_eq!(code, 1, "{out}{err}");
}
