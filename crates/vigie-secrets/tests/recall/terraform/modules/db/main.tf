resource "random_password" "master" {
  length  = 24
  special = true
}

resource "aws_db_instance" "this" {
  identifier = "orders"
  engine     = "postgres"
  username   = "orders"
  password   = random_password.master.result
}
