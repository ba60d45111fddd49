"""The Celery app; periodic schedules are defined here, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings.local")

app = Celery("adwright")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "meta-connections-health": {
        "task": "accounts.tasks.connections_check_all",
        "schedule": crontab(minute=17),  # hourly: expiry is known days ahead, revocation is not
    },
}
