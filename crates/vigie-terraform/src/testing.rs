//! Running the analysis on files held in memory, for tests.

use super::*;
use std::collections::BTreeMap;
use vigie_core::CheckDoc;

/// Analyze a set of files: Compose files are loaded as one project each, Kubernetes YAML read
/// into objects.
pub fn analyze_files(files: &[(&str, &str)]) -> Output {
    analyze_files_with(files, &Settings::default())
}

/// [`analyze_files`] with `[terraform]` settings.
pub fn analyze_files_with(files: &[(&str, &str)], settings: &Settings) -> Output {
    let map: BTreeMap<String, String> = files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    let read = move |p: &str| map.get(p).cloned();
    let rels: Vec<Arc<str>> = files.iter().map(|(p, _)| Arc::from(*p)).collect();
    let compose: Vec<Project> = files
        .iter()
        .filter(|(p, _)| vigie_parse::compose::is_compose_name(p.rsplit('/').next().unwrap_or(p)))
        .map(|(p, _)| vigie_parse::compose::load(&[p.to_string()], &read))
        .collect();
    let mut objects = Vec::new();
    for (p, t) in files {
        if (p.ends_with(".yaml") || p.ends_with(".yml"))
            && t.contains("kind:")
            && !vigie_parse::compose::is_compose_name(p)
        {
            let docs = vigie_parse::yaml::parse(t)
                .documents
                .into_iter()
                .map(|d| d.root)
                .collect();
            objects.extend(
                vigie_parse::kubernetes::objects(&Arc::from(*p), docs)
                    .into_iter()
                    .filter(checks::is_backend_config),
            );
        }
    }
    analyze(&Input {
        files: &rels,
        read: &read,
        compose: &compose,
        objects: &objects,
        settings,
        published: &published::Published::named(vec!["terraform-google-gke".into()]),
    })
}

pub fn of<'a>(out: &'a Output, check: &str) -> Vec<&'a Verdict> {
    out.verdicts.iter().filter(|v| v.check == check).collect()
}

/// Each check's documented examples: the failing one fails it, the passing one passes it and
/// does not fail it.
pub fn assert_examples(doc: &CheckDoc) {
    let f = analyze_files(&[doc.failing]);
    let vs = of(&f, doc.id);
    assert!(
        vs.iter().any(|v| v.is_fail()),
        "{}: failing example does not fail: {vs:?} {:?}",
        doc.id,
        f.diagnostics
    );
    let p = analyze_files(&[doc.passing]);
    let vs = of(&p, doc.id);
    assert!(
        !vs.is_empty() && vs.iter().all(|v| v.is_pass()),
        "{}: passing example: {vs:?} {:?}",
        doc.id,
        p.diagnostics
    );
}

#[test]
fn every_example_fails_and_passes_as_documented() {
    for doc in ALL {
        assert_examples(doc);
    }
}

/// Every file of an example platform, relative to its folder.
fn example(name: &str) -> Output {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    files.sort();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    analyze_files(&refs)
}

fn summary(out: &Output, check: &str) -> Vec<String> {
    let mut v: Vec<String> = of(out, check)
        .iter()
        .map(|v| {
            format!(
                "{} {} {}",
                if v.is_pass() { "pass" } else { "FAIL" },
                v.subject,
                v.location
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn hardened_example_passes_every_cloud_check() {
    let out = example("terraform-gke-hardened");
    let fails: Vec<_> = out
        .verdicts
        .iter()
        .filter(|v| v.is_fail())
        .map(|v| format!("{} {} {} {}", v.check, v.subject, v.location, v.message))
        .collect();
    assert!(fails.is_empty(), "{fails:#?}");
    for doc in ALL {
        if doc.id == "NET-05.3" {
            continue; // no Compose project here
        }
        assert!(!of(&out, doc.id).is_empty(), "{} has no verdict", doc.id);
    }
    let sov01 = of(&out, "SOV-01.1");
    assert!(
        sov01[0].message.contains("S3NS PREMI3NS") && sov01[0].message.contains("attest"),
        "{}",
        sov01[0].message
    );
    assert_eq!(out.tables[0].control, "SOV-01");
    // through the module call, with its inputs
    assert!(
        summary(&out, "SOV-02.1").iter().any(|s| s.starts_with(
            "pass module.kms.google_kms_key_ring.ring › location modules/kms/main.tf:"
        )),
        "{:#?}",
        summary(&out, "SOV-02.1")
    );
    let unexpected: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.severity > vigie_core::Severity::Info)
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
}

#[test]
fn gaps_example_fails_each_control_where_written() {
    let out = example("terraform-gke-gaps");
    let fail = |check: &str, subject: &str, at: &str| {
        let found = of(&out, check)
            .iter()
            .any(|v| v.is_fail() && v.subject.as_ref() == subject && v.location.to_string() == at);
        assert!(
            found,
            "{check} {subject} {at} not failed: {:#?}",
            summary(&out, check)
        );
    };
    fail("SOV-01.1", "provider google", "versions.tf:12:3");
    assert!(
        of(&out, "SOV-01.1")[0]
            .message
            .contains("not SecNumCloud-qualified")
    );
    // the module takes its location from the call: the gap is the call's argument
    fail("SOV-02.1", "module.backups.var.location", "data.tf:10:3");
    assert!(
        of(&out, "SOV-02.1")
            .iter()
            .any(|v| v.subject.as_ref() == "module.backups.var.location"
                && v.message
                    .contains("it places module.backups.google_storage_bucket.this › location")),
        "{:#?}",
        summary(&out, "SOV-02.1")
    );
    fail(
        "SOV-02.1",
        "google_sql_database_instance.db › settings.backup_configuration.location",
        "data.tf:29:7",
    );
    fail(
        "SOV-02.1",
        "google_logging_project_bucket_config.audit › location",
        "logging.tf:3:3",
    );
    fail(
        "SOV-02.1",
        "google_secret_manager_secret.db_password › replication",
        "data.tf:37:3",
    );
    // the zone nobody sets: low-severity "cannot be proven", and a diagnostic on the variable
    let zone = of(&out, "SOV-02.1")
        .into_iter()
        .find(|v| v.subject.contains("bastion › zone"))
        .unwrap();
    assert!(
        zone.is_fail()
            && zone.severity == vigie_core::Severity::Low
            && zone.message.starts_with("cannot be proven"),
        "{zone:?}"
    );
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.message.contains("\"bastion_zone\"")
                && d.location.to_string() == "variables.tf:12:1"),
        "{:?}",
        out.diagnostics
    );
    // exports in "EU" pass through the same module
    assert!(
        of(&out, "SOV-02.1")
            .iter()
            .any(|v| v.is_pass() && v.subject.starts_with("module.exports."))
    );
    fail("SOV-03.1", "app/package.json", "app/package.json:6:1");
    fail("SOV-03.1", "app/package.json", "app/package.json:7:1");
    fail("SOV-03.1", "app/.env.example", "app/.env.example:2:1");
    fail("SOV-03.1", "app/.env.example", "app/.env.example:3:1");
    fail("CRY-04.1", "google_compute_disk.scratch", "data.tf:13:1");
    fail(
        "CRY-04.1",
        "module.backups.google_storage_bucket.this",
        "modules/storage/main.tf:9:1",
    );
    fail(
        "CRY-04.1",
        "google_sql_database_instance.db",
        "data.tf:19:1",
    );
    fail("CRY-04.2", "google_container_cluster.main", "gke.tf:1:1");
    fail(
        "LOG-02.1",
        "google_logging_project_bucket_config.audit",
        "logging.tf:5:3",
    );
    assert!(of(&out, "LOG-02.1")[0].message.contains("6-month"));
    fail(
        "LOG-02.2",
        "google_logging_project_bucket_config.audit",
        "logging.tf:1:1",
    );
    fail(
        "LOG-02.3",
        "google_logging_project_sink.audit",
        "logging.tf:10:3",
    );
    fail(
        "NET-05.1",
        "google_compute_backend_service.web",
        "lb.tf:1:1",
    );
    fail(
        "NET-05.2",
        "BackendConfig/sillage/web",
        "k8s/backendconfig.yaml:1:1",
    );
    fail("SUP-06.10", "google_service_account_key.ci", "gke.tf:30:1");
    fail("SUP-06.11", "google_container_cluster.main", "gke.tf:1:1");
    fail(
        "SUP-06.12",
        "google_container_node_pool.apps",
        "gke.tf:21:7",
    );
    fail("SUP-06.12", "google_container_cluster.main", "gke.tf:6:3");
}

#[test]
fn bad_input_is_reported_and_the_rest_is_judged() {
    let out = analyze_files(&[
        (
            "broken.tf",
            "resource \"google_compute_disk\" \"x\" {\n  zone = \n",
        ),
        ("bad.tf.json", "{\"resource\": [1,\n"),
        (
            "main.tf",
            "provider \"exoscale\" {}\nresource \"exoscale_compute_instance\" \"vm\" {\n  zone = \"ch-gva-2\"\n}\nresource \"google_storage_bucket\" \"b\" {\n  location = \"US\"\n}\n",
        ),
    ]);
    let parse: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.kind == vigie_core::DiagKind::Parse)
        .map(|d| d.location.to_string())
        .collect();
    assert_eq!(
        parse,
        ["bad.tf.json:2:1", "broken.tf:2:10"],
        "{:?}",
        out.diagnostics
    );
    // an unknown provider is a note, not an error, and is not judged
    let note = out
        .diagnostics
        .iter()
        .find(|d| d.message.contains("\"exoscale\""))
        .unwrap();
    assert_eq!(note.severity, vigie_core::Severity::Info);
    assert_eq!(note.location.to_string(), "main.tf:1:1");
    assert!(!out.verdicts.iter().any(|v| v.subject.contains("exoscale")));
    // the readable file is still judged
    assert!(
        of(&out, "SOV-02.1")
            .iter()
            .any(|v| v.is_fail() && v.location.to_string() == "main.tf:6:3")
    );
}

#[test]
fn a_region_from_one_variable_is_one_failure_where_it_is_written() {
    let out = analyze_files(&[
        (
            "variables.tf",
            "variable \"region\" {\n  default = \"us-central1\"\n}\n",
        ),
        (
            "main.tf",
            "resource \"google_storage_bucket\" \"a\" {\n  name     = \"a\"\n  location = var.region\n}\nresource \"google_storage_bucket\" \"b\" {\n  name     = \"b\"\n  location = var.region\n}\nresource \"google_storage_bucket\" \"c\" {\n  name     = \"c\"\n  location = \"US\"\n}\n",
        ),
        (
            // a grant on the registry stores nothing: its location is the registry's
            "iam.tf",
            "resource \"google_artifact_registry_repository_iam_member\" \"ci\" {\n  location   = var.region\n  repository = \"images\"\n  role       = \"roles/artifactregistry.writer\"\n  member     = \"serviceAccount:ci@p.iam.gserviceaccount.com\"\n}\nresource \"google_storage_bucket_iam_binding\" \"r\" {\n  bucket  = \"c\"\n  location = \"US\"\n  role    = \"roles/storage.objectViewer\"\n  members = []\n}\n",
        ),
    ]);
    let s = summary(&out, "SOV-02.1");
    assert_eq!(
        s,
        vec![
            "FAIL google_storage_bucket.c › location main.tf:11:3".to_string(),
            "FAIL var.region variables.tf:2:3".to_string(),
        ],
        "{s:?}"
    );
    let v = of(&out, "SOV-02.1")
        .into_iter()
        .find(|v| v.subject.as_ref() == "var.region")
        .unwrap();
    assert!(
        v.message.contains("`us-central1`")
            && v.message.contains("google_storage_bucket.a › location")
            && v.message.contains("google_storage_bucket.b › location")
            && !v.message.contains("iam_member"),
        "{}",
        v.message
    );
}

/// A GKE fleet feature accepts `global` only: its failure says what can be done instead of
/// asking for a region.
#[test]
fn a_fleet_feature_in_global_fails_with_a_fix_that_can_be_followed() {
    let out = analyze_files(&[(
        "fleet.tf",
        "resource \"google_gke_hub_feature\" \"acm\" {\n  name     = \"configmanagement\"\n  location = \"global\"\n}\nresource \"google_gke_hub_membership\" \"m\" {\n  membership_id = \"m\"\n  location      = \"global\"\n}\n",
    )]);
    let s = summary(&out, "SOV-02.1");
    assert_eq!(
        s,
        vec![
            "FAIL google_gke_hub_feature.acm › location fleet.tf:3:3".to_string(),
            "FAIL google_gke_hub_membership.m › location fleet.tf:7:3".to_string(),
        ],
        "{s:?}"
    );
    let feature = &of(&out, "SOV-02.1")[0];
    assert!(feature.message.contains("exist only in `global`"));
    assert!(
        feature.fix().is_some_and(|f| f.contains("on the cluster")),
        "{:?}",
        feature.fix()
    );
}

#[test]
fn terraform_json_is_judged_like_native_syntax() {
    let out = analyze_files(&[(
        "main.tf.json",
        r#"{
  "variable": {"region": {"default": "us-east1"}},
  "provider": {"google": {"region": "${var.region}"}},
  "resource": {"google_compute_disk": {"d": {"zone": "${var.region}-b", "disk_encryption_key": {"kms_key_self_link": "${google_kms_crypto_key.k.id}"}}}}
}"#,
    )]);
    let s = summary(&out, "SOV-02.1");
    assert!(
        s.contains(&"FAIL google_compute_disk.d › zone main.tf.json:4:60".to_string())
            || s.iter()
                .any(|x| x.starts_with("FAIL google_compute_disk.d › zone main.tf.json:4:")),
        "{s:?}"
    );
    assert!(of(&out, "CRY-04.1")[0].is_pass());
}

#[test]
fn s3_bucket_linked_encryption_and_cloudtrail_object_lock() {
    let out = analyze_files(&[(
        "main.tf",
        r#"
provider "aws" { region = "eu-west-3" }
resource "aws_s3_bucket" "trail" {
  bucket = "trail"
}
resource "aws_s3_bucket_server_side_encryption_configuration" "trail" {
  bucket = aws_s3_bucket.trail.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.logs.arn
    }
  }
}
resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = aws_s3_bucket.trail.id
}
resource "aws_cloudwatch_log_group" "app" {
  retention_in_days = 90
}
resource "aws_ebs_volume" "v" {
  availability_zone = "eu-west-3a"
  encrypted         = false
}
"#,
    )]);
    let cry = summary(&out, "CRY-04.1");
    assert!(
        cry.iter()
            .any(|s| s.starts_with("pass aws_s3_bucket.trail main.tf:11:")),
        "{cry:?}"
    );
    assert!(
        cry.iter()
            .any(|s| s.starts_with("FAIL aws_ebs_volume.v main.tf:24:")),
        "{cry:?}"
    );
    assert!(
        summary(&out, "LOG-02.2")
            .iter()
            .any(|s| s.starts_with("FAIL aws_s3_bucket.trail"))
    );
    assert!(
        summary(&out, "LOG-02.1")
            .iter()
            .any(|s| s.starts_with("FAIL aws_cloudwatch_log_group.app"))
    );
    let sov01 = of(&out, "SOV-01.1");
    assert!(
        sov01[0].is_fail() && sov01[0].message.contains("Amazon Web Services"),
        "{:?}",
        sov01[0].message
    );
    assert!(of(&out, "SOV-02.1").iter().all(|v| v.is_pass()));
}

#[test]
fn outscale_cloudgouv_passes_and_eu_west_2_needs_confirmation() {
    let ok = analyze_files(&[(
        "main.tf",
        "provider \"outscale\" {\n  region = \"cloudgouv-eu-west-1\"\n}\n",
    )]);
    assert!(
        of(&ok, "SOV-01.1")[0].is_pass() && of(&ok, "SOV-01.1")[0].message.contains("3DS Outscale")
    );
    let low = analyze_files(&[(
        "main.tf",
        "provider \"outscale\" {\n  region = \"eu-west-2\"\n}\n",
    )]);
    let v = of(&low, "SOV-01.1")[0];
    assert!(
        v.is_fail()
            && v.severity == vigie_core::Severity::Low
            && v.message.contains("not confirmed"),
        "{v:?}"
    );
    let unknown = analyze_files(&[(
        "main.tf",
        "variable \"u\" {}\nprovider \"google\" {\n  universe_domain = var.u\n}\n",
    )]);
    let v = of(&unknown, "SOV-01.1")[0];
    assert!(
        v.is_fail() && v.message.starts_with("cannot be proven"),
        "{v:?}"
    );
}

#[test]
fn compose_waf_by_config_file_and_saas_in_environment() {
    let out = analyze_files(&[
        (
            "compose.yaml",
            "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"443:443\"\n    environment:\n      SENTRY_DSN: https://k@o1.ingest.sentry.io/2\n",
        ),
        ("fail2ban/jail.local", "[sshd]\nenabled = true\n"),
    ]);
    let net = of(&out, "NET-05.3");
    assert!(
        net[0].is_pass() && net[0].message.contains("Fail2Ban"),
        "{net:?}"
    );
    assert!(
        of(&out, "SOV-03.1")
            .iter()
            .any(|v| v.is_fail() && v.subject.contains("services.web") && v.location.line == 7)
    );
}

/// `[terraform] var_files` gives the values `-var-file` would; `exclude` leaves files unread.
#[test]
fn terraform_settings_var_files_and_exclude() {
    let files: &[(&str, &str)] = &[
        (
            "main.tf",
            "variable \"region\" {}\nresource \"google_storage_bucket\" \"b\" {\n  name     = \"b\"\n  location = var.region\n}\n",
        ),
        ("envs/prod.tfvars", "region = \"us-central1\"\n"),
        ("envs/paris.tfvars", "region = \"europe-west9\"\n"),
        (
            "examples/demo/main.tf",
            "resource \"google_storage_bucket\" \"demo\" {\n  name     = \"d\"\n  location = \"US\"\n}\n",
        ),
    ];
    let region = |out: &Output| -> Vec<String> {
        of(out, "SOV-02.1")
            .iter()
            .map(|v| {
                format!(
                    "{} {} {}",
                    if v.is_pass() { "pass" } else { "fail" },
                    v.subject,
                    v.severity.as_str()
                )
            })
            .collect()
    };
    // without settings: the variable has no value, and the message says where to give it
    let out = analyze_files(files);
    let r = region(&out);
    assert!(
        r.iter()
            .any(|v| v.starts_with("fail google_storage_bucket.b › location low")),
        "{r:?}"
    );
    assert!(
        r.iter().any(|v| v.contains("google_storage_bucket.demo")),
        "{r:?}"
    );
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.message.contains("(envs/paris.tfvars, envs/prod.tfvars are read only with -var-file: list them in `[terraform] var_files`)")),
        "{:?}",
        out.diagnostics
    );

    let settings = |t: &str| {
        let (s, errors) = Settings::from_table(&t.parse().unwrap());
        assert!(errors.is_empty(), "{errors:?}");
        s
    };
    // the prod file applies to the root module above its folder: a US region fails at high
    let out = analyze_files_with(
        files,
        &settings("var_files = [\"envs/prod.tfvars\"]\nexclude = [\"examples\"]\n"),
    );
    let r = region(&out);
    assert_eq!(r.len(), 1, "the excluded example is not read: {r:?}");
    assert_eq!(
        r[0], "fail var.region high",
        "judged where the value is written"
    );
    assert_eq!(
        of(&out, "SOV-02.1")[0].location.to_string(),
        "envs/prod.tfvars:1:1"
    );
    // later files win
    let out = analyze_files_with(
        files,
        &settings("var_files = [\"envs/prod.tfvars\", \"./envs/paris.tfvars\"]\n"),
    );
    assert!(
        region(&out)
            .iter()
            .any(|v| v.starts_with("pass google_storage_bucket.b")),
        "{:?}",
        region(&out)
    );
    // a file that is not there is a configuration diagnostic
    let out = analyze_files_with(files, &settings("var_files = [\"envs/nope.tfvars\"]\n"));
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.kind == vigie_core::DiagKind::Config
                && d.message.contains("envs/nope.tfvars")),
        "{:?}",
        out.diagnostics
    );
}
