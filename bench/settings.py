"""Settings of the benchmark driver process: the test settings (fixed keys, the simulator's app)
on the database the benchmark made, plus overrides passed as JSON in ADWRIGHT_BENCH_SETTINGS."""

import json
import os

from agency.settings.test import *  # noqa: F403

DATABASES = {"default": env.db("DATABASE_URL")}  # noqa: F405
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405  (the query-count pass)
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}  # noqa: F405
globals().update(json.loads(os.environ.get("ADWRIGHT_BENCH_SETTINGS", "{}")))
