from .base import *  # noqa

SECRET_KEY = "!gcV!o1+jIXHu0-qk4z)kuXNEv80aJ!-_a)cvE8TijoJ=#_GX("
DEBUG = False
ALLOWED_HOSTS = ["cms.example.org"]
