"""The platform's periodic tasks, in django-celery-beat's tables (editable in the admin)."""

import json

from django.db import migrations

PERIODIC = [
    # Hourly: expiry is known days ahead, revocation is not.
    {"name": "Meta connections health check", "task": "accounts.tasks.connections_check_all",
     "crontab": {"minute": "17", "hour": "*"},
     "description": "Re-check every Meta connection's token with debug_token."},
    {"name": "Jobs: re-send lost queued jobs", "task": "agency.jobs.tasks.jobs_requeue_stale",
     "crontab": {"minute": "*/10", "hour": "*"},
     "description": "Queued jobs whose message never reached a worker are sent again."},
]


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for spec in PERIODIC:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=spec["crontab"]["minute"], hour=spec["crontab"]["hour"], day_of_week="*",
            day_of_month="*", month_of_year="*", timezone="UTC",
        )
        PeriodicTask.objects.get_or_create(
            name=spec["name"],
            defaults={"task": spec["task"], "crontab": crontab, "kwargs": json.dumps({}),
                      "description": spec["description"]},
        )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s["name"] for s in PERIODIC]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_job"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
