module "exports" {
  source   = "./modules/storage"
  name     = "${local.name}-exports"
  location = "EU"
}

module "backups" {
  source   = "./modules/storage"
  name     = "${local.name}-backups"
  location = "US"
}

resource "google_compute_disk" "scratch" {
  name = "scratch"
  zone = "${var.region}-b"
  size = 200
}

resource "google_sql_database_instance" "db" {
  name             = "${local.name}-db"
  region           = var.region
  database_version = "POSTGRES_16"

  settings {
    tier = "db-custom-2-7680"

    backup_configuration {
      enabled  = true
      location = "us"
    }
  }
}

resource "google_secret_manager_secret" "db_password" {
  secret_id = "db-password"

  replication {
    auto {}
  }
}
