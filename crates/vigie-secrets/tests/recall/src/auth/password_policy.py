MIN_LENGTH = 12
FORBIDDEN = {"password", "123456", "qwerty", "letmein"}


def is_acceptable(password: str) -> bool:
    return len(password) >= MIN_LENGTH and password.lower() not in FORBIDDEN
