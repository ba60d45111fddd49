"""The production settings, as gunicorn runs them for the page benchmarks. With
BENCH_QUICK_STATIC=1 (the smoke test's tiny runs) static files are hashed but not compressed,
which makes collectstatic take seconds instead of minutes."""

import os

from agency.settings.production import *  # noqa: F403

if os.environ.get("BENCH_QUICK_STATIC") == "1":
    STORAGES = {**STORAGES, "staticfiles": {  # noqa: F405
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
