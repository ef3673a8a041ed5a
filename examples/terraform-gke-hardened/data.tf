resource "google_storage_bucket" "exports" {
  name                        = "${local.name}-exports"
  location                    = var.region
  uniform_bucket_level_access = true
  labels                      = local.labels

  encryption {
    default_kms_key_name = module.kms.ids["storage"]
  }
}

resource "google_sql_database_instance" "db" {
  name                = "${local.name}-db"
  region              = var.region
  database_version    = "POSTGRES_16"
  encryption_key_name = module.kms.ids["sql"]

  settings {
    tier = "db-custom-2-7680"

    backup_configuration {
      enabled  = true
      location = var.region
    }
  }
}

resource "google_pubsub_topic" "secret_rotation" {
  name         = "${local.name}-secret-rotation"
  kms_key_name = module.kms.ids["secrets"]
}

resource "google_secret_manager_secret" "db_password" {
  secret_id = "db-password"

  # every 90 days Secret Manager publishes to the topic; the rotation job subscribes to it
  rotation {
    rotation_period    = "7776000s"
    next_rotation_time = "2027-01-04T08:00:00Z"
  }

  topics {
    name = google_pubsub_topic.secret_rotation.id
  }

  replication {
    user_managed {
      replicas {
        location = var.region

        customer_managed_encryption {
          kms_key_name = module.kms.ids["secrets"]
        }
      }
    }
  }
}
