//! One verdict test per control on hardened and weak configurations of each product, and the
//! check documentation's own examples.

use vigie_core::{Outcome, Verdict};
use vigie_tls::judge::{self, CHECKS};
use vigie_tls::{MemFiles, scan};

fn verdicts(files: &[(&str, &str)]) -> Vec<Verdict> {
    let found = scan(&MemFiles::new(files), &[]);
    let mut out = Vec::new();
    let mut notes = Vec::new();
    judge::judge(&found, &mut out, &mut notes);
    out
}

fn of<'a>(vs: &'a [Verdict], check: &str) -> Vec<&'a Verdict> {
    vs.iter().filter(|v| v.check == check).collect()
}

fn outcome(vs: &[Verdict], check: &str) -> Outcome {
    let v = of(vs, check);
    assert!(!v.is_empty(), "no {check} verdict in {vs:#?}");
    if v.iter().any(|v| v.outcome == Outcome::Fail) {
        Outcome::Fail
    } else {
        Outcome::Pass
    }
}

#[test]
fn doc_examples_fail_and_pass_each_check() {
    for doc in CHECKS {
        let bad = verdicts(&[doc.failing]);
        assert_eq!(
            outcome(&bad, doc.id),
            Outcome::Fail,
            "{}: failing example",
            doc.id
        );
        let good = verdicts(&[doc.passing]);
        assert_eq!(
            outcome(&good, doc.id),
            Outcome::Pass,
            "{}: passing example: {:#?}",
            doc.id,
            of(&good, doc.id)
        );
    }
}

#[test]
fn nginx_weak_messages_name_offenders_and_lines() {
    let cry01 = CHECKS.iter().find(|d| d.id == "CRY-01").unwrap();
    let vs = verdicts(&[cry01.failing]);
    let v = of(&vs, "CRY-01")[0];
    assert_eq!(v.location.line, 7);
    assert!(v.message.contains("TLSv1, TLSv1.1"), "{}", v.message);
    let v = of(&vs, "CRY-02")[0];
    assert_eq!(v.location.line, 8);
    assert!(
        v.message.contains("no forward secrecy: AES256-GCM-SHA384"),
        "{}",
        v.message
    );
    assert!(v.message.contains("MEDIUM"), "{}", v.message);
    let v = of(&vs, "CRY-03.3")[0];
    assert!(v.message.contains("172800"), "{}", v.message);
    let v = of(&vs, "CRY-03.1")[0];
    assert!(v.message.contains("serves plain HTTP"), "{}", v.message);
}

#[test]
fn nginx_defaults_are_named() {
    let vs = verdicts(&[(
        "nginx.conf",
        "http {\n  server {\n    listen 443 ssl;\n  }\n}\n",
    )]);
    let v = of(&vs, "CRY-01")[0];
    assert_eq!(v.outcome, Outcome::Pass);
    assert_eq!(v.location.line, 2);
    assert!(
        v.message.contains("nginx 1.27 default assumed"),
        "{}",
        v.message
    );
    // HIGH:!aNULL:!MD5 offers static-RSA suites: forbidden.
    let v = of(&vs, "CRY-02")[0];
    assert_eq!(v.outcome, Outcome::Fail);
    assert!(
        v.message.contains("no forward secrecy: AES256-GCM-SHA384"),
        "{}",
        v.message
    );
    assert_eq!(of(&vs, "CRY-03.5")[0].outcome, Outcome::Fail);
    assert_eq!(of(&vs, "CRY-03.2")[0].outcome, Outcome::Fail);
}

#[test]
fn tls13_only_endpoints_ignore_tls12_ciphers() {
    let vs = verdicts(&[(
        "nginx.conf",
        "server {\n listen 443 ssl;\n ssl_protocols TLSv1.3;\n ssl_ciphers ALL:eNULL;\n}\n",
    )]);
    assert_eq!(outcome(&vs, "CRY-02"), Outcome::Pass);
}

#[test]
fn invalid_cipher_string_fails_with_location() {
    let vs = verdicts(&[(
        "nginx.conf",
        "server {\n listen 443 ssl;\n ssl_ciphers \"ECDHE+AESGCM:*\";\n}\n",
    )]);
    let v = of(&vs, "CRY-02")[0];
    assert_eq!(v.outcome, Outcome::Fail);
    assert_eq!(v.location.line, 3);
    assert!(v.message.contains("refuses"), "{}", v.message);
}

#[test]
fn traefik_hardened_and_weak() {
    let weak = verdicts(&[
        (
            "traefik/traefik.yml",
            "entryPoints:\n  web:\n    address: \":80\"\n  websecure:\n    address: \":443\"\n",
        ),
        (
            "traefik/dynamic.yml",
            "tls:\n  options:\n    default:\n      minVersion: VersionTLS10\n      cipherSuites:\n        - TLS_RSA_WITH_AES_128_GCM_SHA256\n",
        ),
    ]);
    assert_eq!(outcome(&weak, "CRY-01"), Outcome::Fail);
    assert_eq!(outcome(&weak, "CRY-02"), Outcome::Fail);
    assert_eq!(outcome(&weak, "CRY-03.1"), Outcome::Fail);
    let good = verdicts(&[
        (
            "traefik/traefik.yml",
            "entryPoints:\n  web:\n    address: \":80\"\n    http:\n      redirections:\n        entryPoint:\n          to: websecure\n          scheme: https\n  websecure:\n    address: \":443\"\n",
        ),
        (
            "traefik/dynamic.toml",
            "[tls.options.default]\nminVersion = \"VersionTLS12\"\ncipherSuites = [\"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\", \"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305\"]\ncurvePreferences = [\"X25519\", \"CurveP256\"]\n",
        ),
    ]);
    assert_eq!(outcome(&good, "CRY-01"), Outcome::Pass);
    assert_eq!(outcome(&good, "CRY-02"), Outcome::Pass);
    assert_eq!(outcome(&good, "CRY-02.1"), Outcome::Pass);
    assert_eq!(outcome(&good, "CRY-03.1"), Outcome::Pass);
}

#[test]
fn haproxy_hardened_and_weak() {
    let weak = verdicts(&[(
        "haproxy/haproxy.cfg",
        "frontend fe\n  bind :443 ssl crt /x.pem ssl-min-ver TLSv1.1 allow-0rtt\n  default_backend app\nfrontend plain\n  bind :80\n  redirect scheme https\n",
    )]);
    assert_eq!(outcome(&weak, "CRY-01"), Outcome::Fail);
    assert_eq!(outcome(&weak, "CRY-03.4"), Outcome::Fail);
    assert_eq!(outcome(&weak, "CRY-03.1"), Outcome::Fail);
    assert_eq!(outcome(&weak, "CRY-03.2"), Outcome::Fail);
    let good = verdicts(&[(
        "haproxy/haproxy.cfg",
        "global\n  ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets\n  ssl-default-bind-ciphers ECDHE+AESGCM:ECDHE+CHACHA20\nfrontend fe\n  bind :443 ssl crt /x.pem\n  http-response set-header Strict-Transport-Security \"max-age=63072000\"\nfrontend plain\n  bind :80\n  http-request redirect scheme https code 301\n",
    )]);
    for c in [
        "CRY-01", "CRY-02", "CRY-02.1", "CRY-03.1", "CRY-03.2", "CRY-03.3", "CRY-03.4",
    ] {
        assert_eq!(outcome(&good, c), Outcome::Pass, "{c}: {:#?}", of(&good, c));
    }
}

#[test]
fn caddy_hardened_and_weak() {
    let weak = verdicts(&[(
        "Caddyfile",
        "shop.example {\n  tls {\n    protocols tls1.0\n    ciphers TLS_RSA_WITH_AES_128_CBC_SHA\n  }\n}\n",
    )]);
    assert_eq!(outcome(&weak, "CRY-01"), Outcome::Fail);
    assert_eq!(outcome(&weak, "CRY-02"), Outcome::Fail);
    assert_eq!(outcome(&weak, "CRY-03.2"), Outcome::Fail);
    let good = verdicts(&[(
        "Caddyfile",
        "shop.example {\n  header Strict-Transport-Security \"max-age=63072000\"\n  reverse_proxy app:3000\n}\n",
    )]);
    for c in [
        "CRY-01", "CRY-02", "CRY-02.1", "CRY-03.1", "CRY-03.2", "CRY-03.3", "CRY-03.5",
    ] {
        assert_eq!(outcome(&good, c), Outcome::Pass, "{c}");
    }
}

#[test]
fn go_cbc_suites_and_hybrid_groups() {
    // Traefik (Go) offering ECDHE CBC suites: no encrypt_then_mac, so not acceptable; the
    // post-quantum hybrid group is not off the list.
    let vs = verdicts(&[(
        "traefik/dynamic.yml",
        "tls:\n  options:\n    default:\n      minVersion: VersionTLS12\n      cipherSuites:\n        - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n        - TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA\n      curvePreferences: [X25519MLKEM768, X25519]\n",
    )]);
    let v = of(&vs, "CRY-02")[0];
    assert_eq!(v.outcome, Outcome::Fail);
    assert!(v.message.contains("encrypt_then_mac"), "{}", v.message);
    assert!(!v.message.contains("X25519MLKEM768"), "{}", v.message);
    // the same suite from nginx (OpenSSL has encrypt_then_mac) is only degraded
    let vs = verdicts(&[(
        "nginx.conf",
        "http {\n  server {\n    listen 443 ssl;\n    ssl_protocols TLSv1.2;\n    ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA;\n  }\n}\n",
    )]);
    assert_eq!(of(&vs, "CRY-02")[0].outcome, Outcome::Pass);
    assert_eq!(of(&vs, "CRY-02.1")[0].outcome, Outcome::Fail);
}
