resource "google_logging_project_bucket_config" "audit" {
  project        = var.project
  location       = var.region
  bucket_id      = "audit"
  retention_days = 400
  locked         = true

  cmek_settings {
    kms_key_name = module.kms.ids["logs"]
  }
}

resource "google_logging_project_sink" "audit" {
  name                   = "audit-to-locked-bucket"
  destination            = "logging.googleapis.com/${google_logging_project_bucket_config.audit.id}"
  filter                 = "logName:\"cloudaudit.googleapis.com\""
  unique_writer_identity = true
}
