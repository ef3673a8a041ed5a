variable "project" {
  type        = string
  description = "Project that holds the platform."
}

variable "region" {
  type    = string
  default = "u-france-east1"
}

variable "node_count" {
  type    = number
  default = 3
}

locals {
  name   = "sillage-${var.environment}"
  labels = { app = "sillage", env = var.environment }
}

variable "environment" {
  type    = string
  default = "prod"
}
