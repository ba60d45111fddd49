"""Settings for the test suite."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-secret-key"
DATABASES = {"default": env.db("DATABASE_URL", default="sqlite://:memory:")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
