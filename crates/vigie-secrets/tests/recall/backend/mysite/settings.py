"""
Django settings for mysite project.
"""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = 'django-insecure-a2^e01gr47&eeoeuja*f=up@-)gucqku7o8@_43i*-p4^b%@kx'

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = False

ALLOWED_HOSTS = ["mysite.example.org"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "shop",
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "mysite",
        "USER": "mysite",
        "PASSWORD": "Maple1450!",
        "HOST": "db",
        "PORT": "5432",
    }
}

EMAIL_HOST = "smtp.example.org"
EMAIL_HOST_USER = "noreply@example.org"
EMAIL_HOST_PASSWORD = "O9f_Ab6o!FhE0Xac"
