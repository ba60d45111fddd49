"""Celery tasks of reporting: the periodic sweep that starts due scheduled reports (each is
then sent by the `reports.send` job kind, see jobs.py)."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def scheduled_reports_start_due() -> int:
    """Hourly (django-celery-beat row made by migration 0002): start the due reports."""
    from reporting.services.scheduled import scheduled_reports_start_due as start_due

    return start_due()
