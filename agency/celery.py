"""The Celery app and the one place tasks are routed to queues.

Queues by kind of work: `publish` (Graph writes), `uploads`, `insights`, `maintenance`, and
`default`. A job's queue comes from its kind (agency/jobs/registry.py); other tasks are listed in
TASK_QUEUES. Periodic schedules live in the database (django-celery-beat), editable in the admin.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings.local")

app = Celery("adwright")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

JOB_RUN_TASK = "agency.jobs.tasks.job_run"
TASK_QUEUES = {
    "accounts.tasks.connections_check_all": "maintenance",
    "accounts.tasks.connection_check_one": "maintenance",
    "agency.jobs.tasks.job_start_scheduled": "maintenance",
    "agency.jobs.tasks.jobs_requeue_stale": "maintenance",
}


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery router: a job goes to its kind's queue, a named task to its listed queue."""
    if name == JOB_RUN_TASK:
        from agency.jobs.models import Job

        job_id = args[0] if args else (kwargs or {}).get("job_id")
        queue = Job.objects.unscoped().filter(pk=job_id).values_list("queue", flat=True).first()
        return {"queue": queue or "default"}
    if name in TASK_QUEUES:
        return {"queue": TASK_QUEUES[name]}
    return None


app.conf.task_routes = (route_task,)
