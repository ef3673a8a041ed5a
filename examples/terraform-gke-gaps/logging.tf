resource "google_logging_project_bucket_config" "audit" {
  project        = var.project
  location       = "global"
  bucket_id      = "audit"
  retention_days = 30
}

resource "google_logging_project_sink" "audit" {
  name        = "audit"
  destination = "logging.googleapis.com/projects/${var.project}/locations/global/buckets/_Default"
  filter      = "logName:\"cloudaudit.googleapis.com\""
}
