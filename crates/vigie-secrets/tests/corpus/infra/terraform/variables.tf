variable "db_password" {
  type      = string
  sensitive = true
}

variable "aws_access_key" {
  type    = string
  default = ""
}

variable "api_token" {
  type        = string
  description = "API token, e.g. tok_xxxxxxxxxxxx"
  default     = null
}
