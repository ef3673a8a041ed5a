import secrets
import hashlib

def new_api_key() -> str:
    return "vk_" + secrets.token_urlsafe(32)

def fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()

password_length = 24
token_bytes = 32
