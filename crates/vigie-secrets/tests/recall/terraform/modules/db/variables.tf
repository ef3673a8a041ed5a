variable "db_password" {
  description = "Password of the master user"
  type        = string
  sensitive   = true
}

variable "api_token" {
  type      = string
  sensitive = true
  default   = null
}
