vault {
  address = "https://vault.example.org:8200"
}

auto_auth {
  method "token_file" {
    config = {
      token_file_path = "/etc/vault/token"
    }
  }
}
