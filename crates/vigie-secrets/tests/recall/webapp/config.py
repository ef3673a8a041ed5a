import os


class Config:
    SECRET_KEY = b"\x78\x56\x5c\x2f\x76\x92\xc5\x25\x50\x56\x8b\x36\x68\x33\x87\x68"
    SQLALCHEMY_TRACK_MODIFICATIONS = False


class ProductionConfig(Config):
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
