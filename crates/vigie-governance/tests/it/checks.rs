use crate::common;

use common::*;
use std::process::Command;
use vigie_core::Outcome;
use vigie_governance::ScmSettings;
use vigie_governance::docs;

/// Every check's own failing example fails it and its passing example passes it, each written
/// alone into an empty folder. SCM-01 and SCM-04 read the git history, tested below.
#[test]
fn documented_examples_fail_and_pass() {
    for doc in docs().iter().filter(|d| !d.applies_to.contains(&"git")) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[doc.failing]);
        let out = scan(dir.path());
        assert!(
            fails(&out, doc.id) > 0,
            "{}: the failing example does not fail: {:#?}",
            doc.id,
            of(&out, doc.id)
        );
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[doc.passing]);
        let out = scan(dir.path());
        assert!(
            fails(&out, doc.id) == 0 && passes(&out, doc.id) > 0,
            "{}: the passing example does not pass: {:#?}",
            doc.id,
            of(&out, doc.id)
        );
    }
}

#[test]
fn compose_logs_collected_by_a_shipping_collector_pass() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "docker-compose.yml",
                "services:\n  api:\n    image: example/api:1\n  db:\n    image: postgres:17\n    logging:\n      driver: none\n",
            ),
            (
                "promtail/config.yml",
                "clients:\n  - url: https://loki.example.org/loki/api/v1/push\nscrape_configs:\n  - job_name: docker\n",
            ),
        ],
    );
    let out = scan(dir.path());
    let v = of(&out, "LOG-01");
    assert!(
        v.iter()
            .any(|v| v.subject.ends_with("services.api") && v.is_pass()),
        "{v:#?}"
    );
    assert!(
        v.iter()
            .any(|v| v.subject.ends_with("services.db") && v.is_fail()),
        "logging disabled: {v:#?}"
    );
    assert!(
        v.iter()
            .any(|v| &*v.subject == "promtail/config.yml" && v.is_pass())
    );
    // the local-only collector fails
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[(
            "fluent-bit/fluent-bit.conf",
            "[INPUT]\n    Name tail\n\n[OUTPUT]\n    Name  stdout\n    Match *\n",
        )],
    );
    let out = scan(dir.path());
    assert_eq!(fails(&out, "LOG-01"), 1);
    assert_eq!(of(&out, "LOG-01")[0].location.line, 4);
}

#[test]
fn single_401_alerts_and_terraform_log_metrics() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[(
            "monitoring/rules.yml",
            "groups:\n  - name: a\n    rules:\n      - alert: Any401\n        expr: http_requests_total{code=\"401\"} > 0\n",
        )],
    );
    let out = scan(dir.path());
    assert_eq!(fails(&out, "LOG-03"), 1, "{:#?}", of(&out, "LOG-03"));
    assert!(of(&out, "LOG-03")[0].message.contains("single response"));

    let tf = "resource \"google_logging_metric\" \"auth\" {\n  name   = \"auth-failures\"\n  filter = \"resource.type=\\\"http_load_balancer\\\" AND httpRequest.status=403\"\n}\n\nresource \"google_monitoring_alert_policy\" \"auth\" {\n  display_name = \"auth failures\"\n  combiner     = \"OR\"\n  conditions {\n    display_name = \"403 burst\"\n    condition_threshold {\n      filter     = \"metric.type=\\\"logging.googleapis.com/user/${google_logging_metric.auth.name}\\\"\"\n      comparison = \"COMPARISON_GT\"\n    }\n  }\n}\n";
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("infra/monitoring.tf", tf)]);
    let out = scan(dir.path());
    assert_eq!(passes(&out, "LOG-03"), 1, "{:#?}", of(&out, "LOG-03"));
    assert_eq!(of(&out, "LOG-03")[0].location.line, 12);
    // the metric alone is not an alert
    let metric_only = &tf[..tf.find("resource \"google_monitoring").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("infra/monitoring.tf", metric_only)]);
    let out = scan(dir.path());
    assert_eq!(fails(&out, "LOG-03"), 1, "{:#?}", of(&out, "LOG-03"));
}

#[test]
fn service_account_and_rbac_precedence() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[(
            "k8s/app.yaml",
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  namespace: shop\nautomountServiceAccountToken: false\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      serviceAccountName: web\n      containers:\n        - name: web\n          image: example/web:1\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: agent\n  namespace: shop\nspec:\n  template:\n    spec:\n      serviceAccountName: web\n      automountServiceAccountToken: true\n      containers:\n        - name: a\n          image: example/a:1\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: everything\nrules:\n  - apiGroups: [\"apps\"]\n    resources: [\"*\"]\n    verbs: [\"get\"]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: agent-everything\n  namespace: shop\nroleRef:\n  kind: ClusterRole\n  name: everything\nsubjects:\n  - kind: ServiceAccount\n    name: web\n",
        )],
    );
    let out = scan(dir.path());
    let t = of(&out, "K8S-02.2");
    assert!(
        t.iter()
            .any(|v| v.subject.contains("Deployment/shop/web") && v.is_pass()),
        "the account's false counts: {t:#?}"
    );
    assert!(
        t.iter()
            .any(|v| v.subject.contains("Deployment/shop/agent") && v.is_fail()),
        "the pod's true wins: {t:#?}"
    );
    let r = of(&out, "K8S-02.1");
    assert_eq!(r.len(), 1);
    assert!(r[0].is_fail() && r[0].message.contains("`*`"), "{r:#?}");
    assert_eq!(r[0].related()[0].line, 41, "the wildcard is shown");
}

#[test]
fn namespaces_without_declaration_or_version_fail() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[(
            "k8s/app.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: a\nspec:\n  containers:\n    - name: c\n      image: x:1\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: q\n  namespace: b\nspec:\n  containers:\n    - name: c\n      image: x:1\n",
        )],
    );
    let out = scan(dir.path());
    let v = of(&out, "K8S-01.1");
    assert_eq!(v.len(), 2, "{v:#?}");
    assert!(v.iter().all(|v| v.is_fail()));
    assert!(v.iter().any(|v| v.message.contains("without pinning")));
    assert!(v.iter().any(|v| v.message.contains("not declared")));
    // the restricted level rejects the plain pod, naming the PSS check
    let r = of(&out, "K8S-01.2");
    assert_eq!(r.len(), 1);
    assert!(r[0].is_fail() && r[0].message.contains("PSS-R"), "{r:#?}");
}

#[test]
fn backups_from_terraform() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[(
            "main.tf",
            "resource \"google_sql_database_instance\" \"main\" {\n  settings {\n    tier = \"db-f1-micro\"\n    backup_configuration {\n      enabled = false\n    }\n  }\n}\n",
        )],
    );
    let out = scan(dir.path());
    let v = of(&out, "GOV-02");
    assert_eq!(v.len(), 1);
    assert!(v[0].is_fail() && v[0].location.line == 5, "{v:#?}");
}

#[test]
fn codeowners_last_match_wins_and_unowned_paths_fail() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                ".github/CODEOWNERS",
                "* @org/dev\n/infra/ @org/platform\n/infra/sandbox/\n",
            ),
            ("infra/main.tf", ""),
            ("infra/sandbox/main.tf", ""),
            (".github/workflows/ci.yml", "on: push\n"),
            ("src/app.js", ""),
        ],
    );
    let out = scan(dir.path());
    let v = of(&out, "SCM-03");
    let get = |p: &str| {
        v.iter()
            .find(|v| &*v.subject == p)
            .unwrap_or_else(|| panic!("{p}: {v:#?}"))
    };
    assert!(get("infra/main.tf").is_pass() && get("infra/main.tf").location.line == 2);
    assert!(get("infra/sandbox/main.tf").is_fail());
    assert!(get(".github/workflows/ci.yml").is_pass());
    assert!(
        !v.iter().any(|v| &*v.subject == "src/app.js"),
        "only the paths that matter"
    );
}

#[test]
fn plain_secrets_never_keep_their_values() {
    let o = vigie_parse::kubernetes::objects(
        &std::sync::Arc::from("s.yaml"),
        vigie_parse::yaml::parse("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: hunter2-very-secret\n")
            .documents
            .into_iter()
            .map(|d| d.root)
            .collect(),
    );
    let kept = vigie_governance::keep(&o[0]).unwrap();
    assert!(!format!("{:?}", kept.node).contains("hunter2"));
}

#[test]
fn attestations_are_read_from_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[(
            ".vigie/attestations.toml",
            "[[attestation]]\ncontrol = \"GOV-02\"\nstatement = \"restores tested\"\nowner = \"ops@example.org\"\nexpires = 2027-01-01\n\n[[attestation]]\ncontrol = \"SCM-03\"\nstatement = \"protected\"\nowner = \"lead@example.org\"\nexpires = 2026-01-01\n\n[[attestation]]\ncontrol = \"GOV-01\"\nowner = \"x\"\n",
        )],
    );
    let out = scan(dir.path());
    let a = of(&out, "ATTEST");
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].outcome, Outcome::Attested);
    assert_eq!(a[1].outcome, Outcome::Todo, "expired on 2026-01-01");
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.location.line == 13 && d.message.contains("statement")),
        "{:#?}",
        out.diagnostics
    );
}

// ---------------------------------------------------------------------------------------------
// git

fn git(dir: &std::path::Path, args: &[&str]) -> bool {
    Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.org",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_COMMITTER_DATE", "2026-06-01T12:00:00Z")
        .env("GIT_AUTHOR_DATE", "2026-06-01T12:00:00Z")
        .output()
        .map(|o| {
            if !o.status.success() {
                eprintln!("git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
            }
            o.status.success()
        })
        .unwrap_or(false)
}

/// A signed commit: with an SSH key made by ssh-keygen when it exists, else a commit object
/// carrying a gpgsig header written with `git hash-object`.
fn signed_commit(dir: &std::path::Path, msg: &str) {
    let key = dir.join(".git/test-key");
    let have_keygen = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .output()
        .is_ok_and(|o| o.status.success());
    if have_keygen
        && git(
            dir,
            &[
                "-c",
                "gpg.format=ssh",
                "-c",
                &format!("user.signingkey={}", key.display()),
                "commit",
                "-q",
                "-S",
                "--allow-empty",
                "-m",
                msg,
            ],
        )
    {
        return;
    }
    let head = String::from_utf8(
        Command::new("git")
            .current_dir(dir)
            .args(["rev-parse", "HEAD"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let tree = String::from_utf8(
        Command::new("git")
            .current_dir(dir)
            .args(["rev-parse", "HEAD^{tree}"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let obj = format!(
        "tree {}\nparent {}\nauthor T <t@example.org> 1780315200 +0000\ncommitter T <t@example.org> 1780315200 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\n{msg}\n",
        tree.trim(),
        head.trim()
    );
    let f = dir.join(".git/obj");
    std::fs::write(&f, obj).unwrap();
    let id = Command::new("git")
        .current_dir(dir)
        .args(["hash-object", "-t", "commit", "-w"])
        .arg(&f)
        .output()
        .unwrap();
    let id = String::from_utf8(id.stdout).unwrap();
    assert!(git(dir, &["update-ref", "HEAD", id.trim()]));
}

#[test]
fn signed_commits_and_release_tags() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    if !git(d, &["init", "-q"]) {
        eprintln!("git is not available: skipped");
        return;
    }
    assert!(git(d, &["commit", "-q", "--allow-empty", "-m", "first"]));
    let out = scan(d);
    assert_eq!(fails(&out, "SCM-01"), 1, "{:#?}", of(&out, "SCM-01"));
    assert!(of(&out, "SCM-01")[0].message.contains("0/1 commits"));
    assert_eq!(fails(&out, "SCM-04"), 1);
    assert_eq!(fails(&out, "SCM-02"), 1, "a git repository without hook");
    assert_eq!(
        fails(&out, "SCM-03"),
        1,
        "a git repository without CODEOWNERS"
    );

    signed_commit(d, "second");
    assert!(git(d, &["tag", "v1.0.0"]));
    let out = scan(d);
    let v = of(&out, "SCM-01");
    assert!(v[0].message.contains("1/2 commits"), "{v:#?}");
    assert_eq!(fails(&out, "SCM-01"), 1, "50% is below the default 100%");
    assert_eq!(passes(&out, "SCM-04"), 1);
    assert!(of(&out, "SCM-04")[0].message.contains("v1.0.0"));

    // judged since a date: the signed commit is the only one after it
    let since = ScmSettings {
        signed_since: Some(time::macros::date!(2026 - 01 - 01)),
        min_signed_share: 0.5,
        allowed_signers: None,
    };
    let out = scan_with(d, since, time::macros::date!(2026 - 12 - 01));
    assert_eq!(passes(&out, "SCM-01"), 1, "{:#?}", of(&out, "SCM-01"));
}

#[test]
fn a_folder_that_is_not_a_repository_is_not_assessed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("README.md", "# x\n")]);
    let out = scan(dir.path());
    assert!(of(&out, "SCM-01").is_empty() && of(&out, "SCM-04").is_empty());
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.message.contains("not a git repository"))
    );
}

fn git_out(dir: &std::path::Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

/// Write a commit on HEAD whose `gpgsig` header is an SSH signature made by the ed25519 key of
/// `seed` over `signed_message`'s commit object, while the commit itself says `message` (the
/// same text unless the test alters the commit after signing).
fn ssh_signed_commit(dir: &std::path::Path, seed: u8, signed_message: &str, message: &str) {
    use ssh_key::private::{Ed25519Keypair, PrivateKey};
    use ssh_key::{HashAlg, LineEnding};
    let tree = git_out(dir, &["rev-parse", "HEAD^{tree}"]);
    let head = git_out(dir, &["rev-parse", "HEAD"]);
    let headers = format!(
        "tree {tree}\nparent {head}\nauthor T <t@example.org> 1780315200 +0000\ncommitter T <t@example.org> 1780315200 +0000\n"
    );
    let payload = format!("{headers}\n{signed_message}\n");
    let pem = PrivateKey::from(Ed25519Keypair::from_seed(&[seed; 32]))
        .sign("git", HashAlg::Sha512, payload.as_bytes())
        .unwrap()
        .to_pem(LineEnding::LF)
        .unwrap();
    // a multi-line header continues on lines that start with a space
    let folded = pem.trim_end().replace('\n', "\n ");
    let object = format!("{headers}gpgsig {folded}\n\n{message}\n");
    let f = dir.join(".git/obj");
    std::fs::write(&f, object).unwrap();
    let id = git_out(
        dir,
        &["hash-object", "-t", "commit", "-w", f.to_str().unwrap()],
    );
    assert!(git(dir, &["update-ref", "HEAD", &id]));
}

fn public_key(seed: u8) -> String {
    ssh_key::private::PrivateKey::from(ssh_key::private::Ed25519Keypair::from_seed(&[seed; 32]))
        .public_key()
        .to_openssh()
        .unwrap()
}

#[test]
fn ssh_signatures_are_verified_against_allowed_signers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    if !git(d, &["init", "-q"]) {
        eprintln!("git is not available: skipped");
        return;
    }
    assert!(git(d, &["commit", "-q", "--allow-empty", "-m", "first"]));
    ssh_signed_commit(d, 1, "signed by the team key", "signed by the team key");
    let verify = |file: &str| ScmSettings {
        signed_since: None,
        min_signed_share: 0.5,
        allowed_signers: Some(file.into()),
    };
    let today = time::macros::date!(2026 - 12 - 01);

    // the team key is listed: the signed commit is verified, half of the history
    write(
        d,
        &[(
            ".github/allowed_signers",
            &format!(
                "# team\ndev@example.org namespaces=\"git\" {}\n",
                public_key(1)
            ),
        )],
    );
    let out = scan_with(d, verify(".github/allowed_signers"), today);
    let v = of(&out, "SCM-01");
    assert_eq!(passes(&out, "SCM-01"), 1, "{v:#?}");
    assert!(
        v[0].message.contains("1/2 commits")
            && v[0]
                .message
                .contains("verified against .github/allowed_signers"),
        "{v:#?}"
    );

    // another key is listed: the commit is reported as signed by an unknown key, and fails
    write(
        d,
        &[(
            "other_signers",
            &format!("ops@example.org {}\n", public_key(2)),
        )],
    );
    let out = scan_with(d, verify("other_signers"), today);
    let v = of(&out, "SCM-01");
    assert_eq!(fails(&out, "SCM-01"), 1, "{v:#?}");
    assert!(
        v[0].message.contains("0/2 commits")
            && v[0]
                .message
                .contains("1 signed by a key not in the allowed signers"),
        "{v:#?}"
    );
    // without the file, the same commit counts as signed (present, not verified)
    let present = ScmSettings {
        allowed_signers: None,
        ..verify("")
    };
    assert_eq!(passes(&scan_with(d, present, today), "SCM-01"), 1);

    // the commit's message altered after signing: the signature no longer verifies
    ssh_signed_commit(d, 1, "release 1.0", "release 1.0 (with a backdoor)");
    let out = scan_with(d, verify(".github/allowed_signers"), today);
    let v = of(&out, "SCM-01");
    assert_eq!(fails(&out, "SCM-01"), 1, "{v:#?}");
    assert!(
        v[0].message.contains("1/3 commits")
            && v[0]
                .message
                .contains("1 with a signature that does not verify")
            && v[0].message.contains("altered after signing"),
        "{v:#?}"
    );

    // a file that cannot be read leaves SCM-01 not assessed rather than counting headers
    let out = scan_with(d, verify("nowhere/allowed_signers"), today);
    assert!(of(&out, "SCM-01").is_empty());
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.message.contains("nowhere/allowed_signers")
                && d.message.contains("not assessed")),
        "{:#?}",
        out.diagnostics
    );
}

/// A commit signed by git itself (`gpg.format ssh`, ssh-keygen) verifies, and `git
/// verify-commit` agrees with vigie on the commits written by the test above.
#[test]
fn commits_signed_by_git_verify_and_git_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    if !git(d, &["init", "-q"]) {
        eprintln!("git is not available: skipped");
        return;
    }
    let key = d.join(".git/test-key");
    let keygen = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "dev", "-f"])
        .arg(&key)
        .output()
        .is_ok_and(|o| o.status.success());
    if !keygen {
        eprintln!("ssh-keygen is not available: skipped");
        return;
    }
    let signing = format!("user.signingkey={}", key.display());
    assert!(git(
        d,
        &[
            "-c",
            "gpg.format=ssh",
            "-c",
            &signing,
            "commit",
            "-q",
            "-S",
            "--allow-empty",
            "-m",
            "by git"
        ]
    ));
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    write(
        d,
        &[("allowed_signers", &format!("dev@example.org {public}"))],
    );
    let settings = ScmSettings {
        signed_since: None,
        min_signed_share: 1.0,
        allowed_signers: Some("allowed_signers".into()),
    };
    let today = time::macros::date!(2026 - 12 - 01);
    let out = scan_with(d, settings.clone(), today);
    assert_eq!(passes(&out, "SCM-01"), 1, "{:#?}", of(&out, "SCM-01"));

    // a commit made by the test's own signer: git's verifier accepts it too
    write(
        d,
        &[(
            "allowed_signers",
            &format!("dev@example.org {public}ci@example.org {}\n", public_key(3)),
        )],
    );
    ssh_signed_commit(d, 3, "by vigie's test", "by vigie's test");
    let verified_by_git = |d: &std::path::Path| {
        Command::new("git")
            .current_dir(d)
            .args([
                "-c",
                "gpg.ssh.allowedSignersFile=allowed_signers",
                "verify-commit",
                "HEAD",
            ])
            .output()
            .unwrap()
            .status
            .success()
    };
    assert!(verified_by_git(d));
    assert_eq!(passes(&scan_with(d, settings.clone(), today), "SCM-01"), 1);
    ssh_signed_commit(d, 3, "signed text", "altered text");
    assert!(!verified_by_git(d));
    assert_eq!(fails(&scan_with(d, settings, today), "SCM-01"), 1);
}

/// Invalid HCL is the Terraform analysis' to report: the governance checks skip the file
/// without a diagnostic of their own, and read the valid files beside it.
#[test]
fn invalid_terraform_is_left_to_the_terraform_analysis() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "broken.tf",
                "resource \"google_sql_database_instance\" \"x\" {\n  name = \n}\n",
            ),
            (
                "db.tf",
                "resource \"google_sql_database_instance\" \"db\" {\n  settings {\n    backup_configuration {\n      enabled = true\n    }\n  }\n}\n",
            ),
        ],
    );
    let out = scan(dir.path());
    assert!(
        !out.diagnostics
            .iter()
            .any(|d| d.location.path.as_ref() == "broken.tf"),
        "{:#?}",
        out.diagnostics
    );
    assert!(
        of(&out, "GOV-02")
            .iter()
            .any(|v| v.is_pass() && v.subject.contains("google_sql_database_instance.db")),
        "{:#?}",
        of(&out, "GOV-02")
    );
}
