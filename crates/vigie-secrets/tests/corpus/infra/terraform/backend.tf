terraform {
  backend "s3" {
    bucket     = "vigie-tfstate"
    key        = "orders/terraform.tfstate"
    region     = "eu-west-3"
    access_key = "AKIADDJMOVL2GDEFKEV7"
    secret_key = "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"
  }
}
