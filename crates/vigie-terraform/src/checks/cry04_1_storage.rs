//! CRY-04.1: disks, buckets and databases are encrypted with customer-managed keys.

use super::{Ctx, cannot_prove, refers_to};
use crate::Output;
use crate::eval::{Resource, Value};
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "CRY-04.1",
    title: "Disks, buckets and databases are encrypted with customer-managed keys",
    severity: Severity::Medium,
    applies_to: &["terraform"],
    what: "Each disk, volume, bucket, database, file share, topic and registry declared in \
           Terraform names a customer-managed key where its provider supports one: \
           `disk_encryption_key`/`kms_key_self_link`, `encryption.default_kms_key_name`, \
           `encryption_key_name`, `kms_key_name`, `boot_disk_kms_key` (google); `encrypted` \
           with `kms_key_id`, an S3 server-side encryption configuration with a KMS key (aws); \
           `disk_encryption_set_id`, `customer_managed_key` (azurerm). OVHcloud and Outscale \
           volumes have no customer-key setting in their providers and are not judged.",
    why: "Provider-managed keys protect against stolen media only; a customer-managed key lets \
          the customer audit, rotate and revoke access to the data (SecNumCloud 10.1), and a key \
          kept in the EU under the customer's control limits what the provider can be compelled \
          to hand over.",
    fix: "Create a key (google_kms_crypto_key, aws_kms_key, azurerm_key_vault_key) and reference \
          it from the resource's encryption setting.",
    failing: (
        "main.tf",
        "resource \"google_compute_disk\" \"data\" {\n  name = \"data\"\n  zone = \"europe-west9-a\"\n  size = 100\n}\n",
    ),
    passing: (
        "main.tf",
        "resource \"google_compute_disk\" \"data\" {\n  name = \"data\"\n  zone = \"europe-west9-a\"\n  size = 100\n  disk_encryption_key {\n    kms_key_self_link = google_kms_crypto_key.disk.id\n  }\n}\n",
    ),
};

/// A storage resource type: what it is, where its customer key goes, and the switch that turns
/// encryption on when the provider has one.
struct Store {
    rtype: &'static str,
    what: &'static str,
    keys: &'static [&'static [&'static str]],
    enabled: Option<&'static str>,
    /// A separate resource that carries the key, referring to this one by this attribute.
    linked: Option<(&'static str, &'static str, &'static [&'static str])>,
}

const STORES: &[Store] = &[
    Store {
        rtype: "google_compute_disk",
        what: "disk",
        keys: &[
            &["disk_encryption_key", "kms_key_self_link"],
            &["disk_encryption_key", "kms_key_name"],
            &["disk_encryption_key", "raw_key"],
            &["disk_encryption_key", "rsa_encrypted_key"],
        ],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_compute_region_disk",
        what: "disk",
        keys: &[
            &["disk_encryption_key", "kms_key_name"],
            &["disk_encryption_key", "raw_key"],
        ],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_compute_instance",
        what: "boot disk",
        keys: &[
            &["boot_disk", "kms_key_self_link"],
            &["boot_disk", "disk_encryption_key_raw"],
        ],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_compute_instance_template",
        what: "instance disks",
        keys: &[&["disk", "disk_encryption_key", "kms_key_self_link"]],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_compute_region_instance_template",
        what: "instance disks",
        keys: &[&["disk", "disk_encryption_key", "kms_key_self_link"]],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_storage_bucket",
        what: "bucket",
        keys: &[&["encryption", "default_kms_key_name"]],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_sql_database_instance",
        what: "database",
        keys: &[&["encryption_key_name"]],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_container_node_pool",
        what: "node boot disks",
        keys: &[&["node_config", "boot_disk_kms_key"]],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_bigquery_dataset",
        what: "dataset",
        keys: &[&["default_encryption_configuration", "kms_key_name"]],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_filestore_instance",
        what: "file share",
        keys: &[&["kms_key_name"]],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_redis_instance",
        what: "cache",
        keys: &[&["customer_managed_key"]],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_alloydb_cluster",
        what: "database",
        keys: &[&["encryption_config", "kms_key_name"]],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_spanner_database",
        what: "database",
        keys: &[&["encryption_config", "kms_key_name"]],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_pubsub_topic",
        what: "topic",
        keys: &[&["kms_key_name"]],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_artifact_registry_repository",
        what: "registry",
        keys: &[&["kms_key_name"]],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_logging_project_bucket_config",
        what: "log bucket",
        keys: &[&["cmek_settings", "kms_key_name"]],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "google_secret_manager_secret",
        what: "secret",
        keys: &[
            &[
                "replication",
                "user_managed",
                "replicas",
                "customer_managed_encryption",
                "kms_key_name",
            ],
            &[
                "replication",
                "auto",
                "customer_managed_encryption",
                "kms_key_name",
            ],
        ],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "aws_ebs_volume",
        what: "volume",
        keys: &[&["kms_key_id"]],
        enabled: Some("encrypted"),
        linked: None,
    },
    Store {
        rtype: "aws_db_instance",
        what: "database",
        keys: &[&["kms_key_id"]],
        enabled: Some("storage_encrypted"),
        linked: None,
    },
    Store {
        rtype: "aws_rds_cluster",
        what: "database",
        keys: &[&["kms_key_id"]],
        enabled: Some("storage_encrypted"),
        linked: None,
    },
    Store {
        rtype: "aws_efs_file_system",
        what: "file system",
        keys: &[&["kms_key_id"]],
        enabled: Some("encrypted"),
        linked: None,
    },
    Store {
        rtype: "aws_dynamodb_table",
        what: "table",
        keys: &[&["server_side_encryption", "kms_key_arn"]],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "aws_s3_bucket",
        what: "bucket",
        keys: &[&[
            "server_side_encryption_configuration",
            "rule",
            "apply_server_side_encryption_by_default",
            "kms_master_key_id",
        ]],
        enabled: None,
        linked: Some((
            "aws_s3_bucket_server_side_encryption_configuration",
            "bucket",
            &[
                "rule",
                "apply_server_side_encryption_by_default",
                "kms_master_key_id",
            ],
        )),
    },
    Store {
        rtype: "azurerm_managed_disk",
        what: "disk",
        keys: &[
            &["disk_encryption_set_id"],
            &["secure_vm_disk_encryption_set_id"],
        ],
        enabled: None,
        linked: None,
    },
    Store {
        rtype: "azurerm_storage_account",
        what: "storage account",
        keys: &[
            &["customer_managed_key", "key_vault_key_id"],
            &["customer_managed_key", "managed_hsm_key_id"],
        ],
        enabled: None,
        linked: Some((
            "azurerm_storage_account_customer_managed_key",
            "storage_account_id",
            &["key_name"],
        )),
    },
    Store {
        rtype: "azurerm_mssql_database",
        what: "database",
        keys: &[&["transparent_data_encryption_key_vault_key_id"]],
        enabled: None,
        linked: None,
    },
];

fn storage(cx: &Ctx<'_>, r: &Resource, s: &Store, out: &mut Vec<Verdict>) {
    let fix = format!(
        "set {} to a customer-managed key (e.g. a google_kms_crypto_key / aws_kms_key reference)",
        s.keys[0].join(".")
    );
    if let Some(flag) = s.enabled
        && let Some(a) = r.body.attr(flag)
    {
        match a.value.as_bool() {
            Some(false) => {
                out.push(Verdict::fail(
                    &DOC,
                    r.address.clone(),
                    a.at.clone(),
                    format!("the {} is not encrypted at rest ({flag} = false)", s.what),
                    format!("set {flag} = true and {}", s.keys[0].join(".")),
                ));
                return;
            }
            Some(true) => {}
            None => {
                out.push(cannot_prove(
                    &DOC,
                    r.address.clone(),
                    a.at.clone(),
                    flag,
                    &a.value,
                    &fix,
                ));
                return;
            }
        }
    } else if let Some(flag) = s.enabled {
        out.push(Verdict::fail(
            &DOC,
            r.address.clone(),
            r.at.clone(),
            format!(
                "the {} is not encrypted at rest ({flag} is not set)",
                s.what
            ),
            format!("set {flag} = true and {}", s.keys[0].join(".")),
        ));
        return;
    }
    for path in s.keys {
        if let Some(a) = r.body.path(path) {
            if a.value.is_set() {
                let kind = if a.name.contains("raw") || a.name.contains("rsa") {
                    "a customer-supplied key"
                } else {
                    "a customer-managed key"
                };
                out.push(Verdict::pass(
                    &DOC,
                    r.address.clone(),
                    a.at.clone(),
                    format!(
                        "the {} is encrypted with {kind} ({} = {})",
                        s.what,
                        a.name,
                        a.value.show()
                    ),
                ));
                return;
            }
            if let Value::Unknown(_) = a.value {
                out.push(cannot_prove(
                    &DOC,
                    r.address.clone(),
                    a.at.clone(),
                    &path.join("."),
                    &a.value,
                    &fix,
                ));
                return;
            }
        }
    }
    if let Some((ltype, lattr, lpath)) = s.linked {
        let me = r.local_ref();
        for other in cx
            .model
            .resources
            .iter()
            .filter(|o| o.rtype == ltype && o.module == r.module)
        {
            if other
                .body
                .attr(lattr)
                .is_some_and(|a| refers_to(&a.value, &me))
            {
                if let Some(a) = other.body.path(lpath).filter(|a| a.value.is_set()) {
                    out.push(Verdict::pass(
                        &DOC,
                        r.address.clone(),
                        a.at.clone(),
                        format!(
                            "the {} is encrypted with a customer-managed key ({} = {}, in {})",
                            s.what,
                            a.name,
                            a.value.show(),
                            other.address
                        ),
                    ));
                } else {
                    out.push(Verdict::fail(&DOC, r.address.clone(), other.at.clone(), format!("the {} has an encryption configuration ({}) without a customer-managed key", s.what, other.address), fix.clone()));
                }
                return;
            }
        }
    }
    out.push(Verdict::fail(
        &DOC,
        r.address.clone(),
        r.at.clone(),
        format!(
            "the {} is encrypted only with provider-managed keys: no customer-managed key is set",
            s.what
        ),
        fix,
    ));
}

/// Where no store is declared but Compose databases keep their data on host volumes, the check
/// cannot be decided here: it is reported not assessed, with the reason.
pub(crate) fn judge(cx: &Ctx<'_>, out: &mut Output) {
    let before = out.verdicts.len();
    for r in cx.managed() {
        if let Some(s) = STORES.iter().find(|s| s.rtype == r.rtype) {
            storage(cx, r, s, &mut out.verdicts);
        }
    }
    if out.verdicts.len() == before
        && let Some(reason) = compose_volumes_reason(cx)
    {
        out.unassessed.push((DOC.id, reason));
    }
}

/// Images of database servers, by the last segment of their name.
const DATABASE_IMAGES: &[&str] = &[
    "postgres",
    "postgis",
    "mysql",
    "mariadb",
    "mongo",
    "redis",
    "valkey",
    "elasticsearch",
    "opensearch",
    "cassandra",
    "couchdb",
    "clickhouse",
    "influxdb",
    "neo4j",
    "cockroach",
];

/// Whether a mount only feeds the database's first start (its init scripts), not its data.
fn is_init_mount(target: &str) -> bool {
    target.starts_with("/docker-entrypoint-initdb.d")
}

/// Why CRY-04.1 cannot be decided here although it applies: Compose databases keep their data
/// on volumes of the host, whose disk encryption (LUKS, the provider's managed encryption) no
/// file of the repository shows. `None` when there is no such database.
fn compose_volumes_reason(cx: &Ctx<'_>) -> Option<String> {
    use vigie_parse::yaml::Node;
    let mut found = Vec::new();
    for p in cx.compose {
        let Some(merged) = &p.merged else { continue };
        for e in merged.get("services").map(Node::entries).unwrap_or(&[]) {
            let image = e.value.get("image").and_then(Node::as_str).unwrap_or("");
            let name = image
                .split('@')
                .next()
                .unwrap_or("")
                .rsplit('/')
                .next()
                .unwrap_or("")
                .split(':')
                .next()
                .unwrap_or("");
            if !DATABASE_IMAGES.iter().any(|d| name.starts_with(d)) {
                continue;
            }
            let data = e
                .value
                .get("volumes")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .map(|v| vigie_parse::compose::volume_mount(v, p.loc(v.pos)))
                .find(|m| !m.read_only && !is_init_mount(&m.target));
            let what = match data {
                // an anonymous volume is named by where it is mounted
                Some(m) => format!(
                    "`{}` keeps its data on `{}`",
                    e.key,
                    m.source.as_deref().unwrap_or(&m.target)
                ),
                None => format!("`{}` keeps its data inside its container", e.key),
            };
            if !found.contains(&what) {
                found.push(what);
            }
        }
    }
    (!found.is_empty()).then(|| {
        format!(
            "the Compose database {} on the host's disk, whose encryption (LUKS or the provider's) no file of the repository shows",
            found.join(", ")
        )
    })
}
