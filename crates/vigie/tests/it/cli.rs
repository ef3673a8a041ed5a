//! The command line as a user meets it: exit codes, options, and bad input.

use crate::common;
use common::*;
use std::fs;

#[test]
fn hardened_examples_pass_and_gaps_fail() {
    for (ex, want) in [
        ("compose-hardened", 0),
        ("k8s-hardened", 0),
        ("compose-gaps", 1),
        ("k8s-gaps", 1),
    ] {
        let (code, out, err) = stdout_of(vigie().arg("scan").arg(example(ex)).arg("--no-color"));
        assert_eq!(code, want, "{ex}\n{out}\n{err}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, err) = stdout_of(vigie().args(["scan", "/nonexistent/vigie/path"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("does not exist"), "{err}");
    let (code, _, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(example("compose-gaps"))
            .args(["--framework", "nope"]),
    );
    assert_eq!(code, 2);
    assert!(err.contains("unknown framework"), "{err}");
    let (code, _, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(example("compose-gaps"))
            .args(["--format", "pdf"]),
    );
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = stdout_of(
        vigie()
            .arg("scan")
            .arg(example("compose-gaps"))
            .args(["--fail-on", "severe"]),
    );
    assert_eq!(code, 2);
    let (code, _, _) = stdout_of(vigie().args(["explain", "NOPE-99"]));
    assert_eq!(code, 2);
}

#[test]
fn fail_on_and_framework_scope_the_exit_code() {
    // gaps fail at high; nothing is critical-free there either (privileged), so use a
    // framework whose checks the Compose gaps platform does not touch: pss-restricted
    let (code, out, _) = stdout_of(vigie().arg("scan").arg(example("compose-gaps")).args([
        "--framework",
        "pss-restricted",
        "--format",
        "json",
    ]));
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["frameworks"], serde_json::json!(["pss-restricted"]));
    let (code, _, _) = stdout_of(vigie().arg("scan").arg(example("compose-gaps")).args([
        "--framework",
        "anssi-docker",
        "--fail-on",
        "critical",
    ]));
    assert_eq!(code, 1, "a privileged container is a critical failure");
}

#[test]
fn several_formats_in_one_run() {
    let d = tempfile::tempdir().unwrap();
    let (code, out, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(example("compose-gaps"))
            .args(["--format", "sarif", "--output"])
            .arg(d.path().join("r.sarif"))
            .args(["--format", "junit", "--output"])
            .arg(d.path().join("r.xml"))
            .args(["--format", "markdown"]),
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("Compliance Roadmap"), "{out}");
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.path().join("r.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        fs::read_to_string(d.path().join("r.xml"))
            .unwrap()
            .contains("<testsuites")
    );
    let (code, _, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(example("compose-gaps"))
            .args(["--format", "sarif", "--format", "json"]),
    );
    assert_eq!(code, 2, "{err}");
}

#[test]
fn catalogue_commands() {
    let (code, out, _) = stdout_of(vigie().arg("frameworks"));
    assert_eq!(code, 0);
    for f in [
        "roadmap",
        "devsecops",
        "anssi-docker",
        "secnumcloud",
        "pss-baseline",
        "pss-restricted",
        "cis-docker",
    ] {
        assert!(out.contains(f), "{f} missing from\n{out}");
    }
    let (code, out, _) = stdout_of(vigie().args(["controls", "--framework", "roadmap"]));
    assert_eq!(code, 0);
    assert!(out.contains("CNT-01") && out.contains("SOV-01"), "{out}");
    assert!(
        out.contains("[NET-01.1]") && !out.contains("not assessed yet"),
        "every control is listed with the checks that decide it: {out}"
    );
    let (code, out, _) = stdout_of(vigie().args(["explain", "cnt-02"]));
    assert_eq!(code, 0);
    for part in [
        "What it checks",
        "Why it matters",
        "How to fix",
        "Failing example",
        "Passing example",
        "FT-082",
    ] {
        assert!(out.contains(part), "{part} missing from\n{out}");
    }
    let (code, out, _) = stdout_of(vigie().args(["explain", "SOV-01"]));
    assert_eq!(code, 0);
    // decided by the Terraform analysis now: its check is listed
    assert!(out.contains("SOV-01.1"), "{out}");
}

#[test]
fn single_file_scans() {
    let (code, out, err) = stdout_of(
        vigie()
            .arg("scan")
            .arg(example("compose-gaps").join("api/Dockerfile"))
            .args(["--format", "json"]),
    );
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["check"] == "CNT-01" && x["outcome"] == "fail")
    );
}

/// A repository full of bad input: every file yields a finding, the good file is still checked,
/// and the process exits normally.
#[test]
fn bad_input_is_reported_and_the_scan_completes() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let w = |p: &str, c: &[u8]| {
        let path = r.join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, c).unwrap();
    };
    w("good/pod.yaml", b"apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  containers:\n  - name: a\n    image: x:1\n    securityContext: {privileged: true}\n");
    w(
        "bad/broken.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n",
    );
    w(
        "bad/dup.yaml",
        b"apiVersion: v1\nkind: Pod\nkind: Pod\nmetadata: {name: d}\nspec: {containers: []}\n",
    );
    w("bad/binary.yaml", b"apiVersion\x00kind\x00\x01\x02");
    w(
        "bad/latin1.yaml",
        b"apiVersion: v1\nkind: ConfigMap\ndata: {a: \"caf\xe9\"}\n",
    );
    w("bad/Dockerfile", b"FROM alpine:3.20\nNOTANINSTRUCTION x\n");
    w("bad/docker-compose.yml", b"services:\n  a: [\n");
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..10 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    w("bad/bomb.yaml", bomb.as_bytes());
    w(
        "bad/deep.json",
        format!(
            "{{\"apiVersion\": \"v1\", \"kind\": \"X\", \"a\": {}{}}}",
            "[".repeat(5000),
            "]".repeat(5000)
        )
        .as_bytes(),
    );
    w("bad/big.yaml", &{
        let mut v = b"apiVersion: v1\nkind: ConfigMap\n".to_vec();
        v.resize(2 * 1024 * 1024, b'#');
        v
    });
    w(
        "charts/app/templates/deploy.yaml",
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/passwd", r.join("bad/outside.yaml")).unwrap();
        std::os::unix::fs::symlink(r.join("bad/self.yaml"), r.join("bad/self.yaml")).unwrap();
    }
    let (code, out, err) =
        stdout_of(
            vigie()
                .arg("scan")
                .arg(r)
                .args(["--format", "json", "--max-file-size", "1MB"]),
        );
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let diags = v["diagnostics"].as_array().unwrap();
    let has = |path: &str, code: &str| {
        diags
            .iter()
            .any(|d| d["location"]["path"] == path && d["code"] == code)
    };
    assert!(has("bad/broken.yaml", "VG-PARSE"), "{diags:#?}");
    assert!(has("bad/dup.yaml", "VG-PARSE"), "{diags:#?}");
    assert!(has("bad/binary.yaml", "VG-BINARY"), "{diags:#?}");
    assert!(has("bad/latin1.yaml", "VG-ENCODING"), "{diags:#?}");
    assert!(has("bad/Dockerfile", "VG-PARSE"), "{diags:#?}");
    assert!(has("bad/docker-compose.yml", "VG-PARSE"), "{diags:#?}");
    assert!(has("bad/bomb.yaml", "VG-PARSE"), "{diags:#?}");
    assert!(has("bad/deep.json", "VG-PARSE"), "{diags:#?}");
    assert!(has("bad/big.yaml", "VG-TOO-LARGE"), "{diags:#?}");
    assert!(
        has("charts/app/templates/deploy.yaml", "VG-SKIPPED"),
        "{diags:#?}"
    );
    #[cfg(unix)]
    {
        assert!(has("bad/outside.yaml", "VG-LINK"), "{diags:#?}");
        assert!(has("bad/self.yaml", "VG-LINK"), "{diags:#?}");
    }
    for d in diags {
        if d["code"] != "VG-LINK"
            && d["code"] != "VG-TOO-LARGE"
            && d["code"] != "VG-BINARY"
            && d["code"] != "VG-ENCODING"
            && d["code"] != "VG-SKIPPED"
        {
            assert!(
                d["location"]["line"].as_u64().unwrap() >= 1,
                "parse errors carry a line: {d}"
            );
        }
    }
    // the good file was still evaluated
    assert!(
        v["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["check"] == "CNT-06.1"
                && x["outcome"] == "fail"
                && x["location"]["path"] == "good/pod.yaml")
    );
}

#[test]
fn waivers_suppressions_and_their_errors() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    fs::write(
        r.join("compose.yaml"),
        "services:\n  a:\n    image: x:1@sha256:0000000000000000000000000000000000000000000000000000000000000000\n    # vigie:ignore CNT-06.1 the GPU driver needs it\n    privileged: true\n  b:\n    image: x:1\n    privileged: true # vigie:ignore CNT-06.1\n  c:\n    image: x:1\n    privileged: true\n  d:\n    image: x:1\n    privileged: true\n",
    )
    .unwrap();
    fs::write(
        r.join("vigie.toml"),
        "[[waiver]]\ncheck = \"CNT-06\"\npath = \"compose.yaml\"\nsubject = \"c\"\nreason = \"lab host\"\nowner = \"ops@example.org\"\nexpires = 2099-01-01\n\n[[waiver]]\ncheck = \"CNT-06.1\"\nsubject = \"d\"\nreason = \"old\"\nexpires = 2020-01-01\n",
    )
    .unwrap();
    let (_, out, err) = stdout_of(vigie().arg("scan").arg(r).args(["--format", "json"]));
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    let verdict = |svc: &str| {
        v["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| {
                x["check"] == "CNT-06.1"
                    && x["subject"]
                        .as_str()
                        .unwrap()
                        .ends_with(&format!("services.{svc}"))
            })
            .cloned()
            .unwrap()
    };
    assert_eq!(verdict("a")["outcome"], "waived", "{}", verdict("a"));
    assert_eq!(verdict("b")["outcome"], "fail", "no reason, not applied");
    assert_eq!(verdict("c")["outcome"], "waived");
    assert_eq!(verdict("c")["waiver"]["owner"], "ops@example.org");
    assert_eq!(verdict("d")["outcome"], "fail");
    assert!(
        verdict("d")["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{}",
        verdict("d")
    );
    let diags = v["diagnostics"].as_array().unwrap();
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "VG-SUPPRESSION" && d["location"]["line"] == 8),
        "{diags:#?}"
    );

    fs::write(
        r.join("vigie.toml"),
        "[[waiver]]\ncheck = \"CNT-06\"\nexpires = \"tomorrow\"\n",
    )
    .unwrap();
    let (code, _, err) = stdout_of(vigie().arg("scan").arg(r));
    assert_eq!(code, 2);
    assert!(
        err.contains("vigie.toml:"),
        "config errors name the line: {err}"
    );
}

#[test]
fn output_is_deterministic() {
    let run = || {
        stdout_of(
            vigie()
                .arg("scan")
                .arg(example("k8s-gaps"))
                .args(["--format", "json"]),
        )
        .1
    };
    assert_eq!(run(), run());
}

#[test]
fn nothing_readable_exits_2_and_an_empty_folder_is_not_an_error() {
    let d = tempfile::tempdir().unwrap();
    fs::write(
        d.path().join("k.yaml"),
        b"apiVersion: v1\nkind: Pod\nmetadata: [\n",
    )
    .unwrap();
    fs::write(d.path().join("Dockerfile"), b"FROM\x00\x01").unwrap();
    let (code, out, err) = stdout_of(vigie().arg("scan").arg(d.path()).arg("--no-color"));
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("nothing under"), "{err}");
    assert!(
        out.contains("k.yaml"),
        "the report still names what could not be read: {out}"
    );
    let e = tempfile::tempdir().unwrap();
    let (code, _, err) = stdout_of(vigie().arg("scan").arg(e.path()));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("no Dockerfile, Compose file or Kubernetes manifest"),
        "{err}"
    );
}

/// Comments in Kubernetes manifests suppress like comments in Compose files, and a malformed one
/// in a manifest with failures is reported.
#[test]
fn suppression_comments_in_kubernetes_manifests() {
    let d = tempfile::tempdir().unwrap();
    fs::write(
        d.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x:1\n    securityContext:\n      # vigie:ignore CNT-06.1 the node agent needs it\n      privileged: true\n  - name: b\n    image: x:1\n    securityContext:\n      privileged: true # vigie:ignore CNT-06.1\n",
    )
    .unwrap();
    let (_, out, err) = stdout_of(vigie().arg("scan").arg(d.path()).args(["--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let outcome = |c: &str| {
        v["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["check"] == "CNT-06.1" && x["subject"].as_str().unwrap().ends_with(c))
            .map(|x| x["outcome"].clone())
            .unwrap()
    };
    assert_eq!(outcome("container a"), "waived");
    assert_eq!(outcome("container b"), "fail", "no reason, not applied");
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["code"] == "VG-SUPPRESSION" && x["location"]["line"] == 14),
        "{}",
        v["diagnostics"]
    );
}

/// The network and TLS analyses' bad input, all in one repository: each is a diagnostic or a
/// verdict at its file and line, and the scan completes with the other findings.
#[test]
fn network_and_tls_bad_input_is_located_and_the_scan_completes() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let w = |p: &str, c: &str| {
        let path = r.join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, c).unwrap();
    };
    w(
        "vigie.toml",
        "[roles]\napi = [\"api\", \"db\"]\ndatabase = [\"db\"]\n",
    );
    w(
        "docker-compose.yml",
        "services:\n  api:\n    image: x/api:1\n    networks: [data, nowhere]\n  db:\n    image: postgres:16\n    networks: [data]\n  app:\n    image: x/app:1\n    labels:\n      - traefik.http.routers.app.entrypoints=websecure\n      - traefik.http.routers.app.tls.options=modern\nnetworks:\n  data: {internal: true}\n",
    );
    w(
        "nginx/nginx.conf",
        "http {\n  include /etc/nginx/missing.conf;\n  include snippets/optional-*.conf;\n  server {\n    listen 443 ssl;\n    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ciphers NOSUCHWORD:ALSOBAD;\n  }\n}\n",
    );
    w(
        "haproxy/haproxy.cfg",
        "frontend fe from nowhere\n  bind :443 ssl crt /x.pem\n",
    );
    w(
        "caddy/caddy.json",
        "{\"apps\": {\"http\": {\"servers\": [}\n",
    );
    w(
        "k8s/net.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: nothing}\n  ports: [{port: 80}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: ghost}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n---\napiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata: {name: shop, namespace: shop}\nspec:\n  entryPoints: [websecure]\n  routes:\n    - match: Host(`shop.example`)\n      kind: Rule\n      services: [{name: absent, port: 80}]\n  tls:\n    options: {name: strict}\n",
    );
    let (code, out, err) = stdout_of(vigie().arg("scan").arg(r).args(["--format", "json"]));
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let diags = v["diagnostics"].as_array().unwrap();
    let verdicts = v["verdicts"].as_array().unwrap();
    let diag = |path: &str, line: u64, text: &str| {
        assert!(
            diags.iter().any(|d| d["location"]["path"] == path
                && d["location"]["line"] == line
                && d["message"].as_str().unwrap_or("").contains(text)),
            "no diagnostic {path}:{line} `{text}` in {diags:#?}"
        );
    };
    let fail = |check: &str, path: &str, line: u64, text: &str| {
        assert!(
            verdicts.iter().any(|x| x["check"] == check
                && x["outcome"] == "fail"
                && x["location"]["path"] == path
                && x["location"]["line"] == line
                && x["message"].as_str().unwrap_or("").contains(text)),
            "no {check} failure {path}:{line} `{text}` in {verdicts:#?}"
        );
    };
    // an unresolvable include (a glob matching nothing is valid nginx, and says nothing)
    diag("nginx/nginx.conf", 2, "missing.conf");
    assert!(
        !diags
            .iter()
            .any(|d| d["message"].as_str().unwrap_or("").contains("optional-")),
        "{diags:#?}"
    );
    // an invalid cipher string: the word OpenSSL does not know, and the refusal
    diag("nginx/nginx.conf", 7, "NOSUCHWORD");
    fail("CRY-02", "nginx/nginx.conf", 7, "refuses");
    // an undefined Compose network
    diag("docker-compose.yml", 4, "nowhere");
    // conflicting role declarations
    diag("vigie.toml", 2, "both a database and api");
    // a Service selecting nothing, a policy in a namespace that does not exist, a route to a
    // Service the repository does not define
    diag("k8s/net.yaml", 5, "Service shop/web");
    diag("k8s/net.yaml", 8, "ghost");
    diag("k8s/net.yaml", 23, "shop/absent");
    // TLS options named but defined nowhere, from a label and from an IngressRoute
    fail("CRY-01", "docker-compose.yml", 12, "modern@file");
    fail("CRY-01", "k8s/net.yaml", 25, "shop-strict@kubernetescrd");
    // a defaults section that does not exist; a Caddy JSON file that does not parse
    diag("haproxy/haproxy.cfg", 1, "from nowhere");
    assert!(
        diags
            .iter()
            .any(|d| d["location"]["path"] == "caddy/caddy.json" && d["code"] == "VG-PARSE"),
        "{diags:#?}"
    );
    // and the rest of the scan went on: the database published nowhere passes NET-01.1
    assert!(
        verdicts
            .iter()
            .any(|x| x["check"] == "NET-01.1" && x["outcome"] == "pass"),
        "{verdicts:#?}"
    );
}
