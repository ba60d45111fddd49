"""Scheduled jobs: starting a job kind for one ad account from beat."""

from __future__ import annotations

import logging

from agency.jobs import services
from agency.jobs.models import ACTIVE_STATES, Job
from agency.jobs.registry import kind_is_registered
from agency.tenancy import agency_scope

log = logging.getLogger(__name__)


def scheduled_job_start(*, kind: str, ad_account_id: int) -> Job | None:
    """Start `kind` for the ad account unless one is already queued or running for it."""
    from campaigns.models import AdAccount

    if not kind_is_registered(kind):
        log.info("schedule: job kind %s is not registered here; nothing to do", kind)
        return None
    ad_account = AdAccount.objects.unscoped().filter(pk=ad_account_id).first()
    if ad_account is None:
        log.info("schedule: ad account %s is gone; nothing to do", ad_account_id)
        return None
    with agency_scope(ad_account.agency_id):
        busy = Job.objects.filter(
            kind=kind, target_type=AdAccount._meta.label_lower, target_id=str(ad_account.pk),
            state__in=ACTIVE_STATES,
        ).exists()
        if busy:
            return None
        return services.job_start(kind=kind, actor=None, target=ad_account,
                                  params={"ad_account_id": ad_account.pk, "scheduled": True},
                                  connection=ad_account.connection)


# The per-ad-account schedules, run in the account's own time zone. Each starts a job kind that
# another part of the product registers (a schedule for an unregistered kind does nothing).
AD_ACCOUNT_SCHEDULES: dict[str, dict[str, str]] = {
    "campaigns.sync": {"minute": "5", "hour": "*/4"},  # structure sync, every 4 hours
    "insights.refresh": {"minute": "30", "hour": "3"},  # daily, once the account's day is over
}
SCHEDULE_TASK = "agency.jobs.tasks.job_start_scheduled"


def _schedule_name(ad_account_id: int, kind: str) -> str:
    return f"ad account {ad_account_id}: {kind}"


def _timezone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def ad_account_schedules_ensure(*, ad_account) -> list:
    """Create (or align) the ad account's periodic tasks, in its time zone."""
    import json

    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    tz = _timezone(ad_account.timezone_name or "UTC")
    tasks = []
    for kind, spec in AD_ACCOUNT_SCHEDULES.items():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=spec["minute"], hour=spec["hour"], day_of_week="*", day_of_month="*",
            month_of_year="*", timezone=tz,
        )
        task, created = PeriodicTask.objects.get_or_create(
            name=_schedule_name(ad_account.pk, kind),
            defaults={"task": SCHEDULE_TASK, "crontab": crontab,
                      "kwargs": json.dumps({"kind": kind, "ad_account_id": ad_account.pk}),
                      "description": f"{kind} for {ad_account} ({tz})"},
        )
        if not created and str(task.crontab.timezone) != tz:
            # The account's time zone changed: keep the hours, move them to the new zone.
            task.crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=task.crontab.minute, hour=task.crontab.hour,
                day_of_week=task.crontab.day_of_week, day_of_month=task.crontab.day_of_month,
                month_of_year=task.crontab.month_of_year, timezone=tz,
            )
            task.save(update_fields=["crontab"])
        tasks.append(task)
    return tasks


def ad_account_schedules_remove(*, ad_account_id: int) -> int:
    from django_celery_beat.models import PeriodicTask

    deleted, _ = PeriodicTask.objects.filter(
        name__in=[_schedule_name(ad_account_id, kind) for kind in AD_ACCOUNT_SCHEDULES]
    ).delete()
    return deleted
