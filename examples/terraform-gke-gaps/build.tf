# The image build: the trigger names no service account, so builds run as the default Cloud
# Build account; the deployer account used by CI holds Editor on the whole project.
resource "google_cloudbuild_trigger" "api" {
  name     = "api-main"
  location = var.region
  filename = "cloudbuild.yaml"

  github {
    owner = "sillage"
    name  = "sillage"
    push {
      branch = "^main$"
    }
  }
}

resource "google_project_iam_member" "cloudbuild_editor" {
  project = var.project
  role    = "roles/editor"
  member  = "serviceAccount:123456789012@cloudbuild.gserviceaccount.com"
}
