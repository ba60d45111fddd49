"""The media library's job kind: sending an asset to ad accounts (runs in a Celery worker)."""

from __future__ import annotations

from agency.jobs.registry import job_kind
from campaigns.media.services import media_push_run


@job_kind("media.push", queue="uploads", label="Send media to Meta")
def media_push(job) -> None:
    media_push_run(job=job)
