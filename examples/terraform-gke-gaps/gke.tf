resource "google_container_cluster" "main" {
  name               = local.name
  location           = var.region
  initial_node_count = 1

  node_config {
    machine_type = "e2-standard-4"
  }
}

resource "google_container_node_pool" "apps" {
  name       = "apps"
  cluster    = google_container_cluster.main.id
  location   = var.region
  node_count = 3

  node_config {
    machine_type = "e2-standard-4"

    workload_metadata_config {
      mode = "GCE_METADATA"
    }
  }
}

resource "google_service_account" "ci" {
  account_id = "ci-deployer"
}

resource "google_service_account_key" "ci" {
  service_account_id = google_service_account.ci.name
}

resource "google_compute_instance" "bastion" {
  name         = "bastion"
  machine_type = "e2-small"
  zone         = var.bastion_zone

  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }

  network_interface {
    network = "default"
  }
}
