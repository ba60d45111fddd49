"""Reads of the job system: the agency's jobs, filtered."""

from __future__ import annotations

from django.db.models import QuerySet

from agency.jobs.models import Job, JobState
from agency.models import Agency

MAX_FILTER_LENGTH = 64


def job_list(*, agency: Agency, state: str | None = None, kind: str | None = None,
             target=None) -> QuerySet[Job]:
    """The agency's jobs, newest first. Unknown filter values simply match nothing."""
    jobs = Job.objects.filter(agency_id=agency.pk).select_related("started_by")
    if state:
        jobs = jobs.filter(state=state[:MAX_FILTER_LENGTH])
    if kind:
        jobs = jobs.filter(kind=kind[:MAX_FILTER_LENGTH])
    if target is not None:
        jobs = jobs.filter(target_type=type(target)._meta.label_lower, target_id=str(target.pk))
    return jobs


def job_latest_for_target(*, agency: Agency, target, kind: str | None = None) -> Job | None:
    return job_list(agency=agency, kind=kind, target=target).first()


def job_states() -> list[tuple[str, str]]:
    return list(JobState.choices)
