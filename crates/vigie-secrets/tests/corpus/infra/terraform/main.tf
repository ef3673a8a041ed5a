terraform {
  required_providers {
    ovh = { source = "ovh/ovh" }
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region     = "eu-west-3"
  access_key = var.aws_access_key
  secret_key = var.aws_secret_key
}

provider "ovh" {
  endpoint           = "ovh-eu"
  application_key    = "nAUduNJ87L9i4evx"
  application_secret = "uKmSOcxmucUSazYzCyVHLi7kkFRhuPKU"
  consumer_key       = "800rku0GAU3aF1aFO73AExXyBf1Ijx25"
}

resource "aws_db_instance" "orders" {
  identifier = "orders"
  username   = "orders"
  password   = var.db_password
  kms_key_id = "arn:aws:kms:eu-west-3:123456789012:key/0ed1d69b-a5d3-4ff6-a366-f57858fb64b8"
}
