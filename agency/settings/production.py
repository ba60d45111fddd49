"""Production: refuses to start with DEBUG on, without its secrets, with a weak SECRET_KEY or with
TOKEN_ENCRYPTION_KEYS that are not Fernet keys."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env
from .validation import secret_key_problem, token_keys_problem

DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

_REQUIRED = [
    "SECRET_KEY", "DATABASE_URL", "TOKEN_ENCRYPTION_KEYS", "META_APP_ID", "META_APP_SECRET",
]
_missing = [name for name in _REQUIRED if not env.str(name, default="").strip()]
if _missing:
    raise ImproperlyConfigured(
        f"Missing required settings in the environment: {', '.join(_missing)}"
    )

SECRET_KEY = env("SECRET_KEY")
if _problem := secret_key_problem(SECRET_KEY):
    raise ImproperlyConfigured(_problem)

TOKEN_ENCRYPTION_KEYS = env.str("TOKEN_ENCRYPTION_KEYS").split(",")
if _problem := token_keys_problem(TOKEN_ENCRYPTION_KEYS):
    raise ImproperlyConfigured(_problem)
TOKEN_ENCRYPTION_KEYS = [key.strip() for key in TOKEN_ENCRYPTION_KEYS]

STORAGES = {
    **STORAGES,  # noqa: F405  (the media storage chosen by MEDIA_STORAGE_BACKEND)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# HSTS for a year, subdomains included; preload only when asked (it is hard to undo).
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
