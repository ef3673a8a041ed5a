variable "project" {
  type    = string
  default = "sillage-prod"
}

variable "region" {
  type    = string
  default = "europe-west9"
}

# set by the CI pipeline with -var, never in the repository
variable "bastion_zone" {
  type = string
}

locals {
  name = "sillage"
}
