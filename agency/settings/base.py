"""Settings shared by every environment; values come from the environment (django-environ)."""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="insecure-local-only-key-do-not-use-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "agency.admin_apps.AdwrightAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "csp",
    "axes",
    "agency",
    "agency.jobs",
    "accounts",
    "campaigns",
    "campaigns.media",
    "campaigns.launches",
    "campaigns.approvals",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Sees the resolved view's kwargs, and exceptions views raise (agency.failures).
    "agency.middleware.FailSafeMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout response.
    "axes.middleware.AxesMiddleware",
]

# Content Security Policy in every environment (local and tests too, so that no page can come to
# rely on an inline script or style): scripts, styles and everything else from our own origin only.
# No 'unsafe-inline', no nonces: JavaScript lives in static/js/*.js and reads data- attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Creative thumbnails in the reports come from Meta's CDN.
        "img-src": ["'self'", "data:", "https://*.fbcdn.net"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "agency.urls"
WSGI_APPLICATION = "agency.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agency.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'adwright.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# django-axes first: it refuses a locked-out sign-in (web login, admin login) before the password
# is checked. AXES_FAILURE_LIMIT failures for one email, or from one address, lock it for
# AXES_COOLOFF_TIME; a successful sign-in resets the count.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.SignInLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failed sign-in kept for the admin

# Asking for a password reset (django-axes covers signing in, not this): per email and per
# address, per hour (accounts/throttle.py; counted in the cache, Redis when REDIS_URL is set).
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=10)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))

# Uploaded media (the media library) go through Django's storage API. Locally: files under
# var/media. In production pick any backend (S3, GCS...) with MEDIA_STORAGE_BACKEND and its
# OPTIONS as JSON. MEDIA_URL is never served publicly: the library serves a file after an access
# check (the files belong to one agency).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media-files/"
STORAGES = {
    "default": {
        "BACKEND": env("MEDIA_STORAGE_BACKEND",
                       default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("MEDIA_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads above 1 MiB are streamed to a temporary file, never held in memory (videos reach
# gigabytes). DATA_UPLOAD_MAX_MEMORY_SIZE (form fields other than files) keeps Django's 2.5 MB.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR", default=None)
# Media limits (campaigns/media/validation.py cites the docs for each default).
MEDIA_IMAGE_MAX_BYTES = env.int("MEDIA_IMAGE_MAX_BYTES", default=8 * 1024 * 1024)
MEDIA_VIDEO_MAX_BYTES = env.int("MEDIA_VIDEO_MAX_BYTES", default=10 * 1024**3)
# Where Meta serves video thumbnails from (the library's CSP allows these for images).
MEDIA_THUMBNAIL_ORIGINS = env.list("MEDIA_THUMBNAIL_ORIGINS", default=["https://*.fbcdn.net"])
# How long a push waits for Meta to process a video before it says so (a retry polls again).
MEDIA_VIDEO_PROCESSING_TIMEOUT = env.int("MEDIA_VIDEO_PROCESSING_TIMEOUT", default=30 * 60)

# Graph API (Meta Marketing API). Tests and the demo point this at the simulator.
GRAPH_API_BASE_URL = env("GRAPH_API_BASE_URL", default="https://graph.facebook.com")
GRAPH_API_VERSION = env("GRAPH_API_VERSION", default="v25.0")
META_APP_ID = env("META_APP_ID", default="")
META_APP_SECRET = env("META_APP_SECRET", default="")
# Where the OAuth dialog lives: Meta's web host for the real API, the simulator otherwise.
META_OAUTH_DIALOG_BASE_URL = env(
    "META_OAUTH_DIALOG_BASE_URL",
    default="https://www.facebook.com" if "graph.facebook.com" in GRAPH_API_BASE_URL
    else GRAPH_API_BASE_URL,
)
META_REQUIRED_SCOPES = ["ads_management", "ads_read", "business_management"]
# A connection whose token expires within this many days is marked "expiring".
META_TOKEN_EXPIRING_DAYS = env.int("META_TOKEN_EXPIRING_DAYS", default=7)

# Celery. REDIS_URL (or CELERY_BROKER_URL) picks Redis; the embedded default is kombu's filesystem
# transport, a real broker that needs no server (see agency/settings/local.py).
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery-queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)  # the transport does not create its folder
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "control_folder": str(VAR_DIR / "celery-control"),  # default: the working directory
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Queues by kind of work (agency/jobs/registry.py); tasks are routed in agency/celery.py.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_CREATE_MISSING_QUEUES = True
# Schedules live in the database (django-celery-beat), editable in the admin.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# With Redis, an unacknowledged message (its worker died) is delivered again after this many
# seconds. It must exceed the longest countdown/ETA a task uses, or that task runs twice.
CELERY_VISIBILITY_TIMEOUT_SECONDS = env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=3600)
if CELERY_BROKER_URL.startswith("redis"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT_SECONDS,
        # How often a worker looks for messages whose worker died (seconds).
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        # Several deployments (or test runs) may share one Redis database.
        "global_keyprefix": env("CELERY_BROKER_KEY_PREFIX", default=""),
    }

# Jobs (agency/jobs): a worker holds a running job for this long, renewed on each progress
# report; a redelivered message waits for it to lapse instead of running the job twice.
JOBS_LEASE_SECONDS = env.float("JOBS_LEASE_SECONDS", default=300)
JOBS_RETRY_BACKOFF_SECONDS = env.float("JOBS_RETRY_BACKOFF_SECONDS", default=5)
JOBS_RETRY_BACKOFF_MAX_SECONDS = env.float("JOBS_RETRY_BACKOFF_MAX_SECONDS", default=600)

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "adwright"}
        if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "agency.api.schema.AdwrightAutoSchema",
    "EXCEPTION_HANDLER": "agency.api.exceptions.exception_handler",
    # JSON with a depth limit and no NUL characters; forms for browsable clients.
    "DEFAULT_PARSER_CLASSES": [
        "agency.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Adwright API",
    "DESCRIPTION": "Everything the Adwright UI does. Errors are {message, code, extra}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs are for signed-in users only (see agency/api/schema.py).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Adwright <no-reply@adwright.local>")

# Token encryption keys (Fernet), newest first; see accounts' encryption module.
TOKEN_ENCRYPTION_KEYS = env.list("TOKEN_ENCRYPTION_KEYS", default=[])

# Error reports (the local DEBUG page, error emails) hide secrets and pasted tokens everywhere.
DEFAULT_EXCEPTION_REPORTER_FILTER = "agency.debug.AdwrightExceptionReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One-time tokens (invitations, onboarding links, password resets, OAuth codes and states)
    # never reach a log line: every handler rewrites the message through agency.redaction.
    "filters": {"redact_secrets": {"()": "agency.redaction.RedactSecretsFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "server": {"()": "django.utils.log.ServerFormatter",
                   "format": "[{server_time}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain",
                    "filters": ["redact_secrets"]},
        # runserver's request log ("GET /accounts/invitations/<token>/ ..."), redacted too.
        "django.server": {"class": "logging.StreamHandler", "formatter": "server",
                          "filters": ["redact_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's default config gives "django" a console handler of its own (DEBUG only): drop
        # it, so that its records ("Gone: /accounts/invitations/<token>/") reach the redacting
        # root handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # httpx logs every request URL at INFO, query string included: Graph's OAuth calls carry
        # codes, tokens and the app secret there. Our client logs each call without them.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
