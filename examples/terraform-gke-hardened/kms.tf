module "kms" {
  source   = "./modules/kms"
  project  = var.project
  location = var.region
  keyring  = "${local.name}-keys"
  keys     = ["gke-secrets", "disks", "storage", "sql", "secrets", "logs"]
}
