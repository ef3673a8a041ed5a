# The image build: Cloud Build runs as its own service account, allowed to push to the image
# repository and to deploy to the one cluster, and nothing else.
resource "google_service_account" "builder" {
  account_id   = "sillage-builder"
  display_name = "Cloud Build for the sillage images"
}

resource "google_cloudbuild_trigger" "api" {
  name            = "api-main"
  location        = var.region
  filename        = "cloudbuild.yaml"
  service_account = google_service_account.builder.id

  github {
    owner = "sillage"
    name  = "sillage"
    push {
      branch = "^main$"
    }
  }
}

resource "google_artifact_registry_repository_iam_member" "builder_push" {
  project    = var.project
  location   = var.region
  repository = "sillage"
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.builder.email}"
}

resource "google_project_iam_member" "builder_deploy" {
  project = var.project
  role    = "roles/container.developer"
  member  = "serviceAccount:${google_service_account.builder.email}"
}

resource "google_project_iam_member" "builder_logs" {
  project = var.project
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.builder.email}"
}

# Failed builds are counted, and two in an hour page the team.
resource "google_logging_metric" "failed_builds" {
  project = var.project
  name    = "cloudbuild-failed-builds"
  filter  = "resource.type=\"build\" AND jsonPayload.status=\"FAILURE\""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
  }
}

resource "google_monitoring_alert_policy" "failed_builds" {
  project      = var.project
  display_name = "Cloud Build failures"
  combiner     = "OR"
  conditions {
    display_name = "failed builds"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/cloudbuild-failed-builds\" AND resource.type=\"build\""
      comparison      = "COMPARISON_GT"
      threshold_value = 1
      duration        = "0s"
      aggregations {
        alignment_period   = "3600s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }
}
