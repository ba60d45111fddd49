"""Writes of the job system: start, advance, finish, fail, pause, resume, cancel.

Every state change goes through `_transition` (legal moves only, audited); progress goes through
`job_advance`, which also tells a handler that the user cancelled (JobCancelledError).
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from agency.jobs.errors import JobCancelledError, JobStateError, UnknownJobKindError
from agency.jobs.models import (
    FINAL_STATES,
    MAX_ERRORS_KEPT,
    TRANSITIONS,
    Job,
    JobState,
)
from agency.jobs.registry import kind_get
from agency.services import audit_record
from agency.tenancy import agency_scope, current_agency_id_or_none

__all__ = [
    "JobCancelledError", "JobStateError", "UnknownJobKindError", "job_advance", "job_cancel",
    "job_check", "job_enqueue", "job_fail", "job_finish", "job_heartbeat", "job_note_error",
    "job_pause", "job_resume", "job_set_total", "job_start", "jobs_resume_for_connection",
]

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 1000


def _lease_seconds() -> float:
    return float(getattr(settings, "JOBS_LEASE_SECONDS", 300))


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _error_entry(message: str) -> dict:
    return {"at": timezone.now().isoformat(), "message": str(message)[:MAX_ERROR_LENGTH]}


def _mirror(job: Job, row: Job, fields: list[str]) -> None:
    for name in fields:
        setattr(job, name, getattr(row, name))


def job_enqueue(*, job: Job) -> None:
    """Send the job's task to its queue (the router in agency/celery.py picks the queue). A broker
    outage is logged, not raised: the job stays queued and `jobs_requeue_stale` sends it again."""
    from agency.celery import app

    try:
        app.send_task("agency.jobs.tasks.job_run", args=[job.pk], task_id=job.celery_task_id)
    except Exception:  # the broker is down: never turn a committed start into an error page
        log.exception("job %s: could not reach the broker; it stays queued", job.pk)


def _on_commit_enqueue(job: Job) -> None:
    transaction.on_commit(lambda: job_enqueue(job=job))


def job_start(
    *, kind: str, actor=None, target: Model | None = None, params: dict | None = None,
    total: int | None = None, connection=None, agency=None,
) -> Job:
    """Create a queued job of `kind` and enqueue it when the transaction commits.

    The agency is the one in scope, else `agency`, else the target's or the connection's.
    """
    job_kind = kind_get(kind)
    agency_id = (
        current_agency_id_or_none()
        or (agency if isinstance(agency, int) else getattr(agency, "pk", None))
        or getattr(target, "agency_id", None)
        or getattr(connection, "agency_id", None)
    )
    if agency_id is None:
        raise UnknownJobKindError("A job needs an agency.")
    if connection is not None and connection.agency_id != agency_id:
        raise JobStateError("That connection belongs to another agency.")
    if target is not None and getattr(target, "agency_id", agency_id) != agency_id:
        raise JobStateError("That object belongs to another agency.")
    with transaction.atomic(), agency_scope(agency_id):
        job = Job.objects.create(
            agency_id=agency_id,
            kind=job_kind.name,
            queue=job_kind.queue,
            target_type=type(target)._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_label=str(target)[:200] if target is not None else "",
            started_by=_actor(actor),
            total=total,
            params=params or {},
            connection=connection,
            celery_task_id=str(uuid.uuid4()),
        )
        audit_record(agency=agency_id, actor=actor, verb="job.start", target=job,
                     data={"kind": job.kind, "target": f"{job.target_type}:{job.target_id}"})
        _on_commit_enqueue(job)
    return job


def _transition(
    *, job: Job, to: str, actor=None, reason: str = "", error: str | None = None,
    allow_same: bool = False,
) -> Job:
    """Move the job to `to` if its current (locked) state allows it; audit the change."""
    with transaction.atomic():
        row = Job.objects.unscoped().select_for_update().get(pk=job.pk)
        before = row.state
        if before == to and allow_same:
            _mirror(job, row, [f.attname for f in Job._meta.concrete_fields])
            return job
        if to not in TRANSITIONS[before]:
            _mirror(job, row, [f.attname for f in Job._meta.concrete_fields])
            raise JobStateError(
                f"This job is {row.get_state_display().lower()}; it cannot become "
                f"{JobState(to).label.lower()}.",
                extra={"state": before, "to": to},
            )
        now = timezone.now()
        row.state = to
        fields = ["state", "updated_at"]
        if to == JobState.RUNNING and row.started_at is None:
            row.started_at = now
            fields.append("started_at")
        if to in FINAL_STATES:
            row.finished_at = now
            row.lease_token, row.lease_until = "", None
            fields += ["finished_at", "lease_token", "lease_until"]
        if to == JobState.PAUSED:
            row.pause_reason = reason[:2000]
            row.lease_token, row.lease_until = "", None
            fields += ["pause_reason", "lease_token", "lease_until"]
        elif before == JobState.PAUSED:
            row.pause_reason = ""
            fields.append("pause_reason")
        if error:
            row.errors = [*row.errors, _error_entry(error)][-MAX_ERRORS_KEPT:]
            fields.append("errors")
        row.save(update_fields=fields)
        data = {"kind": row.kind, "from": before, "to": to}
        if reason:
            data["reason"] = reason[:500]
        if error:
            data["error"] = str(error)[:500]
        audit_record(agency=row.agency_id, actor=actor, verb=f"job.{to}", target=row, data=data)
        _mirror(job, row, [f.attname for f in Job._meta.concrete_fields])
    return job


def job_set_total(*, job: Job, total: int) -> Job:
    Job.objects.unscoped().filter(pk=job.pk).update(total=max(0, int(total)),
                                                    updated_at=timezone.now())
    job.total = max(0, int(total))
    return job


def job_advance(
    *, job: Job, done: int = 0, succeeded: int = 0, failed: int = 0, error: str | None = None,
    checkpoint: dict | None = None,
) -> Job:
    """Add progress (counts are increments), record an error, replace the checkpoint, and renew
    the worker's lease. Raises JobCancelledError when the user cancelled the job meanwhile."""
    with transaction.atomic():
        row = Job.objects.unscoped().select_for_update().get(pk=job.pk)
        if row.state == JobState.CANCELLED:
            _mirror(job, row, ["state", "finished_at"])
            raise JobCancelledError(f"Job {job.pk} was cancelled.")
        if row.state in FINAL_STATES:
            _mirror(job, row, ["state", "finished_at"])
            raise JobStateError(f"This job is already {row.get_state_display().lower()}.")
        row.done += max(0, int(done))
        row.succeeded += max(0, int(succeeded))
        row.failed += max(0, int(failed))
        fields = ["done", "succeeded", "failed", "updated_at"]
        if error:
            row.errors = [*row.errors, _error_entry(error)][-MAX_ERRORS_KEPT:]
            fields.append("errors")
        if checkpoint is not None:
            row.checkpoint = checkpoint
            fields.append("checkpoint")
        if row.lease_token:
            row.lease_until = timezone.now() + timedelta(seconds=_lease_seconds())
            fields.append("lease_until")
        row.save(update_fields=fields)
        _mirror(job, row, ["state", "done", "succeeded", "failed", "errors", "checkpoint",
                           "lease_until", "updated_at"])
    return job


def job_check(*, job: Job) -> Job:
    """Renew the lease and raise JobCancelledError if the job was cancelled (for long steps that
    have no progress to report)."""
    return job_advance(job=job)


job_heartbeat = job_check


def job_note_error(*, job: Job, error: str) -> Job:
    """Record an error without changing the state (a retry is coming)."""
    with transaction.atomic():
        row = Job.objects.unscoped().select_for_update().get(pk=job.pk)
        row.errors = [*row.errors, _error_entry(error)][-MAX_ERRORS_KEPT:]
        row.save(update_fields=["errors", "updated_at"])
        job.errors = row.errors
    return job


def job_finish(*, job: Job, actor=None) -> Job:
    return _transition(job=job, to=JobState.SUCCEEDED, actor=actor)


def job_fail(*, job: Job, error: str, actor=None) -> Job:
    return _transition(job=job, to=JobState.FAILED, actor=actor, error=error)


def job_pause(*, job: Job, reason: str, actor=None) -> Job:
    return _transition(job=job, to=JobState.PAUSED, actor=actor, reason=reason, error=reason)


def job_cancel(*, job: Job, actor=None) -> Job:
    """Stop the job: a queued one never runs, a running one stops at its next progress report."""
    return _transition(job=job, to=JobState.CANCELLED, actor=actor)


def job_resume(*, job: Job, actor=None) -> Job:
    """Queue a paused job again (it resumes from its checkpoint)."""
    _transition(job=job, to=JobState.QUEUED, actor=actor)
    _on_commit_enqueue(job)
    return job


def jobs_resume_for_connection(*, connection, actor=None) -> int:
    """The connection is usable again: re-queue every job it paused. Returns how many."""
    if not connection.is_usable:
        return 0
    ids = list(
        Job.objects.unscoped()
        .filter(connection_id=connection.pk, state=JobState.PAUSED)
        .values_list("pk", flat=True)
    )
    resumed = 0
    for job in Job.objects.unscoped().filter(pk__in=ids):
        try:
            with agency_scope(job.agency_id):
                job_resume(job=job, actor=actor)
            resumed += 1
        except JobStateError:
            continue  # cancelled meanwhile
    return resumed


def jobs_requeue_stale(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Send again the queued jobs whose message never reached a worker (broker outage)."""
    cutoff = timezone.now() - older_than
    stale = Job.objects.unscoped().filter(state=JobState.QUEUED, updated_at__lt=cutoff,
                                          started_at__isnull=True)
    count = 0
    for job in stale:
        job_enqueue(job=job)
        count += 1
    return count
