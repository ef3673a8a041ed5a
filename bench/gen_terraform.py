#!/usr/bin/env python3
"""Generate a Terraform tree for the benchmark: a root module calling N local modules, each
declaring its share of the resources (disks, buckets, SQL, clusters, node pools, log buckets,
sinks, backend services, KMS keys), with variables, locals, for_each and count, so that parsing,
resolution across module calls and every cloud check are exercised.

Usage: gen_terraform.py OUT_DIR [--resources 5000] [--modules 200]
"""
import argparse
import os

KINDS = [
    ("google_compute_disk", 'zone = "${var.region}-b"\n  size = 50\n  disk_encryption_key {\n    kms_key_self_link = google_kms_crypto_key.k@m@.id\n  }'),
    ("google_storage_bucket", 'location = var.location\n  name = "${local.prefix}-@i@"\n  encryption {\n    default_kms_key_name = var.key\n  }'),
    ("google_sql_database_instance", 'region = var.region\n  database_version = "POSTGRES_16"\n  settings {\n    tier = "db-f1-micro"\n    backup_configuration {\n      enabled = true\n      location = "us"\n    }\n  }'),
    ("google_container_cluster", 'location = var.region\n  workload_identity_config {\n    workload_pool = "${var.project}.svc.id.goog"\n  }'),
    ("google_container_node_pool", 'cluster = "c"\n  location = var.region\n  node_config {\n    machine_type = "e2-standard-4"\n    workload_metadata_config {\n      mode = "GKE_METADATA"\n    }\n  }'),
    ("google_logging_project_bucket_config", 'project = var.project\n  location = var.region\n  bucket_id = "b@i@"\n  retention_days = @days@\n  locked = true'),
    ("google_logging_project_sink", 'name = "s@i@"\n  destination = "logging.googleapis.com/${google_logging_project_bucket_config.r@prev@.id}"'),
    ("google_compute_backend_service", 'name = "be@i@"\n  load_balancing_scheme = "EXTERNAL_MANAGED"\n  security_policy = var.policy'),
    ("google_pubsub_topic", 'name = "t@i@"\n  labels = local.labels'),
    ("google_compute_instance", 'name = "vm@i@"\n  zone = "europe-west9-a"\n  machine_type = "e2-small"\n  boot_disk {\n    initialize_params {\n      image = "debian-cloud/debian-12"\n    }\n  }\n  network_interface {\n    network = "default"\n  }'),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--resources", type=int, default=5000)
    ap.add_argument("--modules", type=int, default=200)
    a = ap.parse_args()
    per = a.resources // a.modules
    os.makedirs(a.out, exist_ok=True)
    root = []
    root.append('terraform {\n  required_providers {\n    google = {\n      source = "hashicorp/google"\n    }\n  }\n}\n')
    root.append('provider "google" {\n  project = var.project\n  region = var.region\n  universe_domain = "s3nsapis.fr"\n}\n')
    root.append('variable "project" {\n  default = "bench"\n}\nvariable "region" {\n  default = "u-france-east1"\n}\n')
    for m in range(a.modules):
        root.append(
            f'module "m{m}" {{\n  source = "./modules/m{m}"\n  project = var.project\n  region = var.region\n'
            f'  location = {"upper(var.region)" if m % 7 else chr(34) + "US" + chr(34)}\n  key = "projects/p/locations/l/keyRings/r/cryptoKeys/k{m}"\n'
            f'  policy = "projects/p/global/securityPolicies/waf"\n}}\n'
        )
    with open(os.path.join(a.out, "main.tf"), "w") as f:
        f.write("\n".join(root))
    with open(os.path.join(a.out, "terraform.tfvars"), "w") as f:
        f.write('project = "bench-prod"\n')
    n = 0
    for m in range(a.modules):
        d = os.path.join(a.out, "modules", f"m{m}")
        os.makedirs(d, exist_ok=True)
        head = (
            'variable "project" {}\nvariable "region" {}\nvariable "location" {}\nvariable "key" {}\nvariable "policy" {}\n'
            'locals {\n  prefix = "bench-${var.project}"\n  labels = { team = "t", env = "prod" }\n}\n'
            f'resource "google_kms_crypto_key" "k{m}" {{\n  name = "k"\n  key_ring = "r"\n}}\n'
        )
        body = []
        for i in range(per - 1):
            kind, tmpl = KINDS[i % len(KINDS)]
            attrs = tmpl.replace("@i@", str(i)).replace("@m@", str(m)).replace("@days@", str(400 if i % 3 else 30)).replace("@prev@", str(i - 1))
            extra = ""
            if i % 50 == 0:
                extra = '  for_each = toset(["a", "b"])\n'
            elif i % 45 == 0:
                extra = "  count = 2\n"
            body.append(f'resource "{kind}" "r{i}" {{\n{extra}  {attrs}\n}}\n')
            n += 1
        n += 1
        # split each module over two files
        half = len(body) // 2
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(head + "\n".join(body[:half]))
        with open(os.path.join(d, "more.tf"), "w") as f:
            f.write("\n".join(body[half:]))
    print(f"{n} resources in {a.modules} modules under {a.out}")


if __name__ == "__main__":
    main()
