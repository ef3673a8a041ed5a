//! What Terraform really creates: override files merged into their base, modules judged through
//! their callers (the repository's own registry address included), resources and blocks whose
//! `count`/`for_each` is provably empty left out, one verdict per resource and check, and GKE
//! Autopilot's enforced settings.

use crate::eval::{Model, TfFile, Value, resolve};
use crate::testing::{analyze_files, of};
use std::sync::Arc;

fn model(files: &[(&str, &str)]) -> Model {
    let fs: Vec<TfFile<'_>> = files
        .iter()
        .map(|(r, t)| TfFile {
            rel: Arc::from(*r),
            text: t,
        })
        .collect();
    resolve(&fs)
}

fn addresses(m: &Model) -> Vec<&str> {
    m.resources.iter().map(|r| r.address.as_str()).collect()
}

const CLUSTER: &str = "resource \"google_container_cluster\" \"primary\" {\n  name     = \"c\"\n  location = \"europe-west9\"\n  database_encryption {\n    state    = \"ENCRYPTED\"\n    key_name = \"projects/p/locations/europe-west9/keyRings/r/cryptoKeys/k\"\n  }\n}\n";

#[test]
fn an_override_file_is_merged_into_the_resource_it_overrides() {
    let m = model(&[
        ("gke/cluster.tf", CLUSTER),
        (
            "gke/override.tf",
            "resource \"google_container_cluster\" \"primary\" {\n  min_master_version = \"1.31\"\n  addons_config {\n    gke_backup_agent_config { enabled = true }\n  }\n}\n",
        ),
    ]);
    assert_eq!(addresses(&m), vec!["google_container_cluster.primary"]);
    let r = &m.resources[0];
    assert!(r.body.block("database_encryption").is_some());
    let v = r.body.attr("min_master_version").unwrap();
    assert_eq!(v.value, Value::Str("1.31".into()));
    assert_eq!(&*v.at.path, "gke/override.tf");
    // judged once, as the merged cluster: its encryption is kept
    let out = analyze_files(&[
        ("gke/cluster.tf", CLUSTER),
        (
            "gke/x_override.tf",
            "resource \"google_container_cluster\" \"primary\" {\n  min_master_version = \"1.31\"\n}\n",
        ),
    ]);
    let v = of(&out, "CRY-04.2");
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].is_pass(), "{v:?}");
}

#[test]
fn an_override_without_base_is_reported() {
    let m = model(&[
        ("main.tf", "resource \"google_compute_disk\" \"a\" {}\n"),
        (
            "override.tf",
            "resource \"google_compute_disk\" \"b\" { size = 10 }\n",
        ),
    ]);
    assert_eq!(addresses(&m), vec!["google_compute_disk.a"]);
    assert!(
        m.diagnostics
            .iter()
            .any(|d| d.message.contains("no base block") && d.location.line == 1),
        "{:?}",
        m.diagnostics
    );
}

#[test]
fn provably_empty_count_and_for_each_create_nothing() {
    let m = model(&[
        (
            "main.tf",
            r#"
variable "enabled" { default = false }
variable "windows_node_pools" { default = [] }
locals {
  windows = zipmap([for np in var.windows_node_pools : np.name], var.windows_node_pools)
}
resource "google_container_node_pool" "off" {
  count = var.enabled ? 1 : 0
}
resource "google_container_node_pool" "windows" {
  for_each = local.windows
}
resource "google_container_node_pool" "set" {
  for_each = toset([])
}
resource "google_container_node_pool" "flat" {
  for_each = { for k, v in flatten([]) : k => v }
}
resource "google_container_node_pool" "kept" {
  count = var.enabled ? 0 : 1
}
module "autopilot" {
  source = "./autopilot"
  count  = var.enabled ? 1 : 0
}
module "none" {
  source   = "./autopilot"
  for_each = {}
}
"#,
        ),
        (
            "autopilot/main.tf",
            "resource \"google_container_cluster\" \"c\" {}\n",
        ),
    ]);
    assert_eq!(
        addresses(&m),
        vec!["google_container_node_pool.kept[count.index]"]
    );
}

#[test]
fn dynamic_blocks_expand_over_known_collections() {
    let m = model(&[(
        "main.tf",
        r#"
variable "identity_namespace" { default = "enabled" }
variable "encryption" { default = [] }
locals {
  wi = var.identity_namespace == null ? [] : [{ workload_pool = "p.svc.id.goog" }]
}
resource "google_container_cluster" "c" {
  dynamic "workload_identity_config" {
    for_each = local.wi
    content {
      workload_pool = workload_identity_config.value.workload_pool
    }
  }
  dynamic "database_encryption" {
    for_each = var.encryption
    content {
      state = database_encryption.value.state
    }
  }
}
"#,
    )]);
    let c = &m.resources[0].body;
    assert_eq!(
        c.path(&["workload_identity_config", "workload_pool"])
            .unwrap()
            .value,
        Value::Str("p.svc.id.goog".into())
    );
    assert!(c.block("database_encryption").is_none(), "{c:?}");
}

/// A module repository's examples call its modules by its own registry address: the modules are
/// judged through those calls, with the examples' inputs, not again as roots with their defaults.
#[test]
fn modules_called_by_the_repository_own_address_are_not_roots() {
    let module = "variable \"identity_namespace\" { default = null }\nvariable \"region\" {}\nlocals {\n  wi = var.identity_namespace == null ? [] : [{ workload_pool = var.identity_namespace }]\n}\nresource \"google_container_cluster\" \"primary\" {\n  location = var.region\n  dynamic \"workload_identity_config\" {\n    for_each = local.wi\n    content {\n      workload_pool = workload_identity_config.value.workload_pool\n    }\n  }\n}\n";
    let example = "module \"gke\" {\n  source = \"acme/gke/google//modules/private-cluster\"\n  version = \"~> 35.0\"\n  region = \"europe-west9\"\n  identity_namespace = \"shop.svc.id.goog\"\n}\n";
    let out = analyze_files(&[
        ("modules/private-cluster/main.tf", module),
        ("examples/simple/main.tf", example),
    ]);
    let wi = of(&out, "SUP-06.11");
    assert_eq!(wi.len(), 1, "{wi:?}");
    assert!(wi[0].is_pass(), "{wi:?}");
    assert!(
        wi[0].subject.starts_with("module.gke."),
        "{}",
        wi[0].subject
    );
    assert!(
        out.diagnostics
            .iter()
            .all(|d| !d.message.contains("outside the repository")),
        "{:?}",
        out.diagnostics
    );
}

/// GKE Autopilot always enables Workload Identity and manages its nodes' metadata server.
#[test]
fn autopilot_clusters_have_workload_identity() {
    let out = analyze_files(&[(
        "main.tf",
        "variable \"autopilot\" { default = true }\nresource \"google_container_cluster\" \"ap\" {\n  name = \"ap\"\n  location = \"europe-west9\"\n  enable_autopilot = var.autopilot\n}\nresource \"google_container_cluster\" \"std\" {\n  name = \"std\"\n  location = \"europe-west9\"\n  enable_autopilot = false\n}\n",
    )]);
    let wi = of(&out, "SUP-06.11");
    let ap = wi
        .iter()
        .find(|v| &*v.subject == "google_container_cluster.ap")
        .unwrap();
    assert!(ap.is_pass() && ap.message.contains("Autopilot"), "{ap:?}");
    assert_eq!(ap.location.line, 5);
    let std = wi
        .iter()
        .find(|v| &*v.subject == "google_container_cluster.std")
        .unwrap();
    assert!(std.is_fail(), "{std:?}");
}

/// One verdict per resource and check: a certain failure is not repeated beside a "cannot be
/// proven" of the same resource, and a verdict repeated word for word is kept once.
#[test]
fn a_certain_failure_wins_over_cannot_be_proven() {
    let out = analyze_files(&[(
        "main.tf",
        "variable \"zone\" {}\nresource \"google_compute_instance\" \"vm\" {\n  zone = var.zone\n  boot_disk {\n    kms_key_self_link = var.zone\n  }\n  attached_disk {\n    source = \"d\"\n  }\n}\nprovider \"google\" {\n  region = \"us-east1\"\n  zone = var.zone\n}\n",
    )]);
    let vs: Vec<_> = out
        .verdicts
        .iter()
        .filter(|v| v.check == "SOV-02.1" && v.subject.starts_with("provider google"))
        .map(|v| (v.subject.to_string(), v.message.clone()))
        .collect();
    assert_eq!(vs.len(), 1, "{vs:#?}");
    assert!(vs[0].1.contains("us-east1"), "{vs:#?}");
}

#[test]
fn collection_functions_are_evaluated() {
    let m = model(&[(
        "main.tf",
        "variable \"zones\" { default = [\"europe-west9-b\", \"europe-west9-a\", \"\"] }\nresource \"google_container_cluster\" \"c\" {\n  node_locations = sort(compact(var.zones))\n  resource_labels = zipmap(keys({a = 1, b = 2}), values({a = \"x\", b = \"y\"}))\n  description = join(\",\", distinct(flatten([[\"p\"], [\"p\", \"q\"]])))\n}\n",
    )]);
    let b = &m.resources[0].body;
    assert_eq!(
        b.attr("node_locations").unwrap().value,
        Value::List(vec![
            Value::Str("europe-west9-a".into()),
            Value::Str("europe-west9-b".into())
        ])
    );
    match &b.attr("resource_labels").unwrap().value {
        Value::Map(m) => assert_eq!(m.get("b"), Some(&Value::Str("y".into()))),
        v => panic!("{v:?}"),
    }
    assert_eq!(
        b.attr("description").unwrap().value,
        Value::Str("p,q".into())
    );
}
