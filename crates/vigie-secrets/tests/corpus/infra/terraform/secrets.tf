resource "random_password" "db" {
  length  = 32
  special = true
}

resource "aws_secretsmanager_secret_version" "db" {
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = jsonencode({ password = random_password.db.result })
}

resource "kubernetes_secret" "api" {
  metadata { name = "api" }
  data = {
    token = var.api_token
  }
}
