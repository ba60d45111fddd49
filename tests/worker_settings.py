"""Settings of the real Celery worker that tests start (tests/workers.py): the test settings,
plus the overrides the harness passes as JSON in ADWRIGHT_WORKER_SETTINGS."""

import json
import os

from agency.settings.test import *  # noqa: F403

globals().update(json.loads(os.environ.get("ADWRIGHT_WORKER_SETTINGS", "{}")))
