resource "google_service_account" "nodes" {
  account_id   = "${local.name}-nodes"
  display_name = "GKE nodes"
}

resource "google_container_cluster" "main" {
  name                     = local.name
  location                 = var.region
  remove_default_node_pool = true
  initial_node_count       = 1
  resource_labels          = local.labels

  workload_identity_config {
    workload_pool = "${var.project}.svc.id.goog"
  }

  database_encryption {
    state    = "ENCRYPTED"
    key_name = module.kms.ids["gke-secrets"]
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
    master_ipv4_cidr_block  = "172.16.0.0/28"
  }
}

resource "google_container_node_pool" "apps" {
  name       = "apps"
  cluster    = google_container_cluster.main.id
  location   = var.region
  node_count = var.node_count

  node_config {
    machine_type      = "e2-standard-4"
    service_account   = google_service_account.nodes.email
    boot_disk_kms_key = module.kms.ids["disks"]

    workload_metadata_config {
      mode = "GKE_METADATA"
    }

    shielded_instance_config {
      enable_secure_boot = true
    }
  }
}
