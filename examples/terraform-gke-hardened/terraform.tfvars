project = "sillage-prod"
