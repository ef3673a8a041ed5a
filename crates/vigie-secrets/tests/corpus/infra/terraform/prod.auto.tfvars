region      = "eu-west-3"
db_password = "zKUBZ3HxJq#KAITZg"
instance_type = "t3.medium"
