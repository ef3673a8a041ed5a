variable "project" {
  type = string
}

variable "location" {
  type = string
}

variable "keyring" {
  type = string
}

variable "keys" {
  type = list(string)
}

variable "rotation_period" {
  type    = string
  default = "7776000s"
}

resource "google_kms_key_ring" "ring" {
  project  = var.project
  name     = var.keyring
  location = var.location
}

resource "google_kms_crypto_key" "key" {
  for_each        = toset(var.keys)
  name            = each.value
  key_ring        = google_kms_key_ring.ring.id
  rotation_period = var.rotation_period
}

output "ids" {
  value = { for k, v in google_kms_crypto_key.key : k => v.id }
}
