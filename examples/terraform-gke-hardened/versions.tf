terraform {
  required_version = ">= 1.8"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.14"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.35"
    }
  }
  backend "gcs" {
    bucket = "sillage-tfstate"
    prefix = "prod"
  }
}

provider "google" {
  project         = var.project
  region          = var.region
  universe_domain = "s3nsapis.fr"
}
