import secrets

def new_password(n: int = 24) -> str:
    return secrets.token_urlsafe(n)

PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
