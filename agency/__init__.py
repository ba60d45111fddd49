"""Project core: settings, URLs, the Celery app, tenancy."""

from agency.celery import app as celery_app

__all__ = ["celery_app"]
