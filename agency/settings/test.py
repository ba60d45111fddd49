"""Settings for the test suite."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-secret-key"
DATABASES = {"default": env.db("DATABASE_URL", default="sqlite://:memory:")}
# Tests serve static files through the test server; WhiteNoise would only warn about STATIC_ROOT.
MIDDLEWARE = [m for m in MIDDLEWARE if "whitenoise" not in m]  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
GRAPH_API_BASE_URL = "http://127.0.0.1:9"  # never the real Graph; tests point it at the simulator
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TOKEN_ENCRYPTION_KEYS = ["kO7XYw8R9mTq3sVb2Jd5Lh1Nc6Pf4Ga0Ue8Wi2Zy3Xs="]
META_APP_ID = "100000000000001"
META_APP_SECRET = "adwright-test-app-secret"
# Uploaded media go to a throw-away folder, the same for the test process and the real Celery
# worker it starts (tests/worker_settings.py), which reads the files the test uploaded.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=Path(tempfile.gettempdir()) / "adwright-test-media")
# Tasks sent by tests go nowhere unless a test starts a real worker (the `celery_worker` fixture
# points the app at Redis); enqueueing is asserted with on-commit capture.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
# Each test process counts throttles for itself (tests/conftest.py clears it per test).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# seed_demo reads no demo insights in tests (minutes of simulated report runs); the browser
# tests of reporting seed a few weeks themselves.
DEMO_INSIGHTS_DAYS = 0
# In-process job runs share the test's transaction; the lease heartbeat thread could not see it.
JOBS_LEASE_HEARTBEAT = False
# The simulator finishes async sets on its next call in tests (tests/conftest.py): a bulk
# publish reads them back without waiting.
BULK_PUBLISH_POLL_SECONDS = 0
